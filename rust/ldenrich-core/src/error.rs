//! The single error type of the core. Every variant carries enough context (file, line, column)
//! for a user to find the problem without a debugger; the Python bindings map each variant to one
//! exception class.

use std::path::{Path, PathBuf};

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way an ldenrich-core call can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File being read.
        path: PathBuf,
        /// Underlying OS error.
        #[source]
        source: std::io::Error,
    },
    /// A line of an input file could not be understood.
    #[error("{path}: line {line}{}: {message}", column_suffix(column))]
    Parse {
        /// File being read.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Column name or 1-based position, when one field is at fault.
        column: Option<String>,
        /// What was expected and what was found.
        message: String,
    },
    /// A required column is absent from a header, or a column choice is ambiguous.
    #[error("{path}: {message}")]
    MissingColumn {
        /// File being read.
        path: PathBuf,
        /// Which column is missing and which were found.
        message: String,
    },
    /// A file that holds no usable record (empty, only comments, every line skipped).
    #[error("{path}: {message}")]
    NoRecords {
        /// File read.
        path: PathBuf,
        /// What was expected and what the lines were.
        message: String,
    },
    /// Inputs that are individually valid but do not fit together (duplicate gene IDs, no SNP
    /// shared by the summary statistics and the reference, ...).
    #[error("{0}")]
    InconsistentInput(String),
    /// An argument outside its domain (negative window, zero blocks, unknown option value).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The call was cancelled ([`crate::cancel::request`]: Ctrl-C or SIGTERM) before it finished.
    #[error("interrupted")]
    Interrupted,
    /// A bug in ldenrich: an invariant did not hold. Reported, never a crash.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

fn column_suffix(column: &Option<String>) -> String {
    match column {
        Some(c) => format!(", column {c}"),
        None => String::new(),
    }
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// Builds an [`Error::NoRecords`]: `path` has no `what` among its `lines` lines, with the
    /// reasons lines were skipped (`(reason, count)`).
    pub fn no_records(path: &Path, what: &str, lines: u64, skipped: &[(String, u64)]) -> Self {
        let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let detail = if lines == 0 {
            "the file is empty".to_string()
        } else if reasons.is_empty() {
            format!("its {lines} lines are blank, comments or a header")
        } else {
            format!("of its {lines} lines, skipped: {}", reasons.join(", "))
        };
        Error::NoRecords { path: path.to_path_buf(), message: format!("no {what}: {detail}") }
    }

    /// Builds an [`Error::Parse`] without a column.
    pub fn parse(path: &Path, line: u64, message: impl Into<String>) -> Self {
        Error::Parse { path: path.to_path_buf(), line, column: None, message: message.into() }
    }

    /// Builds an [`Error::Parse`] naming the offending column.
    pub fn parse_col(path: &Path, line: u64, column: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Parse { path: path.to_path_buf(), line, column: Some(column.into()), message: message.into() }
    }
}
