//! Disassembly in the layout of CPython 3.12's `dis` (placeholder: being written).

use crate::code::CodeObject;

/// Disassembles `code` and, recursively, the code objects among its constants.
pub fn dis(_code: &CodeObject) -> String {
    String::new()
}
