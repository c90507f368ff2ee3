//! CPython 3.12's marshal format, version 4 (`Python/marshal.c`), and the `.pyc` file that
//! wraps it (`Lib/importlib/_bootstrap_external.py`): [`write`] turns a [`CodeObject`] into
//! bytes CPython 3.12's `marshal.loads` and import system load; [`read`] turns bytes CPython
//! 3.12 wrote (`marshal.dumps`, `py_compile`, `compileall`) into a [`CodeObject`] the
//! evaluator runs.
//!
//! The format: each object is one type byte (a [`code`] letter, with [`FLAG_REF`] set when
//! the object is also appended to the reader's reference list) followed by its payload in
//! little-endian: 32-bit counts and lengths (`w_long`), strings as their bytes, integers
//! beyond 32 bits as 15-bit digits (`w_PyLong`), floats as IEEE 754 doubles, containers as
//! their items, and code objects as their fields in 3.12's order. A
//! [`code::REF`] names an earlier flagged object by its index in that list.
//!
//! Reading never panics and never guesses: input that is not valid marshal data is an
//! [`Error`] of kind [`ErrorKind::Malformed`] at the byte offset where the reader found out,
//! and valid data the VM has no representation for (a complex number, a string with a
//! lone surrogate) is an [`ErrorKind::Unsupported`] at the offset of
//! the object, never a different value.

mod read;
mod write;

pub use read::{read_code, read_pyc};
pub use write::{write_code, write_pyc};

#[cfg(doc)]
use crate::code::CodeObject;

/// CPython 3.12.1's `importlib.util.MAGIC_NUMBER`: 3531 as two little-endian bytes, then
/// `\r\n` (`MAGIC_NUMBER` in `_bootstrap_external.py`).
pub const MAGIC: [u8; 4] = [0xcb, 0x0d, 0x0d, 0x0a];

/// The marshal version CPython 3.12 writes (`Py_MARSHAL_VERSION`).
pub const VERSION: u32 = 4;

/// Set on a type byte: the object also goes into the reference list, where a later
/// [`code::REF`] can name it (`FLAG_REF` in marshal.c).
pub const FLAG_REF: u8 = 0x80;

/// Type bytes (marshal.c's `TYPE_*`).
pub mod code {
    pub const NULL: u8 = b'0';
    pub const NONE: u8 = b'N';
    pub const FALSE: u8 = b'F';
    pub const TRUE: u8 = b'T';
    pub const STOPITER: u8 = b'S';
    pub const ELLIPSIS: u8 = b'.';
    /// A 32-bit signed integer.
    pub const INT: u8 = b'i';
    /// A 64-bit signed integer: no longer written, still read.
    pub const INT64: u8 = b'I';
    /// A float as its `repr` text (marshal versions 0 and 1).
    pub const FLOAT: u8 = b'f';
    pub const BINARY_FLOAT: u8 = b'g';
    pub const COMPLEX: u8 = b'x';
    pub const BINARY_COMPLEX: u8 = b'y';
    /// An integer as a signed count of 15-bit digits, least significant first.
    pub const LONG: u8 = b'l';
    /// A `bytes` object.
    pub const STRING: u8 = b's';
    pub const INTERNED: u8 = b't';
    pub const REF: u8 = b'r';
    pub const TUPLE: u8 = b'(';
    pub const LIST: u8 = b'[';
    pub const DICT: u8 = b'{';
    pub const CODE: u8 = b'c';
    /// A `str` as UTF-8 (with surrogates passed through).
    pub const UNICODE: u8 = b'u';
    pub const UNKNOWN: u8 = b'?';
    pub const SET: u8 = b'<';
    pub const FROZENSET: u8 = b'>';
    pub const ASCII: u8 = b'a';
    pub const ASCII_INTERNED: u8 = b'A';
    /// A tuple of fewer than 256 items, its length in one byte.
    pub const SMALL_TUPLE: u8 = b')';
    /// An ASCII string of fewer than 256 characters, its length in one byte.
    pub const SHORT_ASCII: u8 = b'z';
    pub const SHORT_ASCII_INTERNED: u8 = b'Z';
}

/// Why bytes could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not valid marshal data or not a valid `.pyc` file: CPython would refuse it too.
    Malformed,
    /// Valid data that framespec has no representation for yet.
    Unsupported,
}

/// A located reading error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Byte offset in the input (in a `.pyc`, from the start of the file) of the object or
    /// field that could not be read.
    pub offset: usize,
    pub kind: ErrorKind,
    /// What was expected and what was found, or what is not supported.
    pub message: String,
}

impl Error {
    pub(crate) fn malformed(offset: usize, message: impl Into<String>) -> Error {
        Error {
            offset,
            kind: ErrorKind::Malformed,
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(offset: usize, message: impl Into<String>) -> Error {
        Error {
            offset,
            kind: ErrorKind::Unsupported,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ErrorKind::Malformed => write!(
                f,
                "byte {}: bad marshal data: {}",
                self.offset, self.message
            ),
            ErrorKind::Unsupported => write!(
                f,
                "byte {}: {} is not supported by framespec",
                self.offset, self.message
            ),
        }
    }
}

impl std::error::Error for Error {}
