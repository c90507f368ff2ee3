//! Bytecode cases (INTERPRETING.md §1 `bytecode`, spec/BYTECODE.md): the case's listing is
//! assembled by the reference VM's assembler (`framespec_vm::asm`) into the CPython 3.12
//! code object every target runs — the reference VM in process, CPython 3.12 through the
//! adapter as marshal data, which `marshal.loads` turns into the same code object.

use std::rc::Rc;

use framespec_spec::{Case, Error};
use framespec_vm::code::CodeObject;

/// The case's code object, `None` for a source case; a listing that does not assemble or
/// whose bytecode does not verify is an error located in the case file.
pub fn assemble(case: &Case) -> Result<Option<Rc<CodeObject>>, Error> {
    let Some(b) = &case.bytecode else {
        return Ok(None);
    };
    // Verified before any target sees it: CPython runs whatever it is given.
    framespec_vm::asm::assemble_verified(&b.listing)
        .map(Some)
        .map_err(|e| {
            let (line, column) = b.locate(e.line, e.column);
            Error {
                path: case.path.clone(),
                line,
                column,
                message: format!("bytecode: {}", e.message),
            }
        })
}

/// The marshal data of the case's code object as hex (the request's `bytecode`, §6.2).
pub fn marshal_hex(case: &Case) -> Result<Option<String>, Error> {
    Ok(assemble(case)?.map(|code| {
        framespec_vm::marshal::write_code(&code)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }))
}
