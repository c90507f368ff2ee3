//! The one error type of the spec crate: every problem with a case file, located.

use std::fmt;
use std::path::PathBuf;

/// A case file that cannot be used, with where the problem is.
///
/// `line` and `column` are 1-based; a problem with the file as a whole (it cannot be read)
/// points at 1:1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Error {
    pub(crate) fn new(
        path: &std::path::Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Error {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for Error {}
