//! One error type for the library. Messages are lowercase, name the file and record, and say how to fix.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    /// (The cause is part of the message, not a `source()`, so that printing the error chain does
    /// not repeat it.)
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    /// A record in a data file is malformed (`line` is 1-based: the line of a JSONL/CSV file, or 0 when unknown).
    #[error("{path}:{line}: {message}")]
    Record { path: PathBuf, line: u64, message: String },
    /// An artifact (model, reference, thesaurus) is malformed, of another format or version, or corrupted.
    #[error("{path}: {message}")]
    Artifact { path: PathBuf, message: String },
    /// A server cannot listen on its address, or its network I/O failed (`unspun serve`).
    #[error("{addr}: cannot serve: {cause}")]
    Listen { addr: std::net::SocketAddr, cause: std::io::Error },
    /// Parameters or data that cannot work together (e.g. one class only).
    #[error("{0}")]
    Invalid(String),
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), cause: source }
    }
    pub(crate) fn record(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        Error::Record { path: path.into(), line, message: message.into() }
    }
    pub(crate) fn artifact(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Artifact { path: path.into(), message: message.into() }
    }
}
