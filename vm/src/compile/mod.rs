//! Python source to CPython 3.12 code objects (placeholder: being written).

use std::rc::Rc;

use crate::code::CodeObject;

/// A `SyntaxError` found while parsing or compiling, with its 1-based location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The message CPython would give (`invalid syntax`, `'return' outside function`, …).
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (CPython's `SyntaxError.offset`).
    pub column: u32,
}

/// Compiles a module's source to its code object.
pub fn compile(_source: &str, _filename: &str) -> Result<Rc<CodeObject>, CompileError> {
    Err(CompileError {
        message: "compiler not written yet".to_owned(),
        line: 1,
        column: 1,
    })
}
