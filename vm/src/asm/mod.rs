//! Bytecode listings: CPython 3.12 code objects as text a person writes and reads, and
//! back (spec `spec/BYTECODE.md`). `framespec dis --asm FILE.py` prints one ([`listing`]);
//! a case's `bytecode:` is one, assembled ([`assemble`]) into the code object both the
//! reference VM and CPython 3.12 run. Printing then assembling gives back an identical code
//! object: the same `co_code`, tables, constants and names, byte for byte.
//!
//! A listing is a sequence of code-object sections; the first is the module's, the others
//! are the code objects its constants (and theirs) name with `code ID`:
//!
//! ```text
//! code <module>
//!   consts: None, code f
//!   names: f
//!   stacksize: 2
//!   1:0-0        RESUME          0
//!   2:0-3:12     LOAD_CONST      code f
//!                MAKE_FUNCTION   0
//!                STORE_NAME      f
//!   -            RETURN_CONST    None
//! code f
//!   flags: OPTIMIZED|NEWLOCALS
//!   firstlineno: 2
//!   ...
//! ```
//!
//! What the assembler works out, written once for every listing: jump opargs from labels
//! (with the EXTENDED_ARG prefixes they need, iterated to a fixed point as
//! `resolve_jump_offsets` does), the inline CACHE units, the location table and the
//! exception table — the encoders are the compiler's (`compile::assemble`).

mod build;
mod literal;
mod operand;
mod parse;
mod print;

use std::fmt;
use std::rc::Rc;

use crate::code::CodeObject;

pub use print::listing;

/// A listing that does not assemble: where (1-based line and column of the listing) and
/// why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for AsmError {}

/// A code object the listing format cannot show exactly (bytes that are not instructions,
/// a jump into the middle of one, inline caches that are not zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotListable {
    /// `co_qualname` of the code object.
    pub code: String,
    /// Byte offset in its `co_code`.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for NotListable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "code object '{}', offset {}: {}",
            self.code, self.offset, self.message
        )
    }
}

impl std::error::Error for NotListable {}

/// Assembles a listing into its module code object (the first section), with the code
/// objects nested in its constants.
pub fn assemble(text: &str) -> Result<Rc<CodeObject>, AsmError> {
    let sections = parse::parse(text)?;
    Ok(build::build(&sections)?.0)
}

/// [`assemble`], then the verifier's check of the module code (`verify::verify_module`):
/// what runs (on the VM, and on CPython, which checks nothing and may crash) is only
/// bytecode that verifies. Its error names the code object and offset, and is placed at
/// the listing line of that instruction (of the code section, for a problem of the whole
/// code object).
pub fn assemble_verified(text: &str) -> Result<Rc<CodeObject>, AsmError> {
    let sections = parse::parse(text)?;
    let (code, placed) = build::build(&sections)?;
    crate::verify::verify_module(&code).map_err(|e| {
        // The code object at fault is the one whose own check gives this error; a module
        // property (free variables, generator flags) is the first section's.
        let at = placed
            .iter()
            .find(|p| crate::verify::verify_code(&p.code).err().as_ref() == Some(&e))
            .map_or_else(
                || {
                    placed
                        .iter()
                        .find(|p| Rc::ptr_eq(&p.code, &code))
                        .map(|p| p.section)
                },
                |p| {
                    let line = e.offset.and_then(|offset| {
                        p.instructions
                            .iter()
                            .find(|(bytes, _)| bytes.contains(&offset))
                            .map(|(_, span)| *span)
                    });
                    Some(line.unwrap_or(p.section))
                },
            )
            .unwrap_or(parse::Span { line: 1, column: 1 });
        at.error(format!("the bytecode does not verify: {e}"))
    })?;
    Ok(code)
}
