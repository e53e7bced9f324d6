//! The one error type of the pipeline: what went wrong, in which file, and where in it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A codegen failure. Every error names the file it is about and, where known, the
/// location inside it: `line L, column C` for syntax errors, a JSON pointer (`#/paths/...`)
/// for errors in a document's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub file: PathBuf,
    pub location: Option<String>,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            location: None,
            message: message.into(),
        }
    }

    pub fn at(
        file: impl AsRef<Path>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            location: Some(location.into()),
            message: message.into(),
        }
    }

    /// A location given as a JSON pointer into the document (`/paths/~1sessions/post`).
    pub fn at_pointer(file: impl AsRef<Path>, pointer: &str, message: impl Into<String>) -> Self {
        Self::at(file, format!("#{pointer}"), message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(location) = &self.location {
            write!(f, " at {location}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// Escapes one JSON pointer token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
