//! The one mapping from the core's error enum to the Python exception hierarchy, and the one
//! choke point (`run`) through which every long call releases the GIL and catches panics.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ldenrich_core::Error;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::prelude::*;

pyo3::create_exception!(_native, LdenrichError, PyException, "Base class of every ldenrich error.");
pyo3::create_exception!(_native, ParseError, LdenrichError, "A line of an input file could not be read.");
pyo3::create_exception!(_native, MissingColumnError, LdenrichError, "A required column is absent or ambiguous.");
pyo3::create_exception!(_native, InconsistentInputError, LdenrichError, "Inputs that do not fit together.");
pyo3::create_exception!(_native, InvalidArgumentError, LdenrichError, "An argument outside its domain.");
pyo3::create_exception!(_native, InternalError, LdenrichError, "A bug in ldenrich; please report it.");

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("LdenrichError", py.get_type::<LdenrichError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("MissingColumnError", py.get_type::<MissingColumnError>())?;
    m.add("InconsistentInputError", py.get_type::<InconsistentInputError>())?;
    m.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}

/// Converts a core error, attaching `path`, `line` and `column` attributes to parse errors.
pub fn to_py(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::Parse { path, line, column, .. } => {
            let err = ParseError::new_err(message);
            Python::attach(|py| {
                let value = err.value(py);
                // Attributes are a convenience; failing to set them must not hide the error.
                let _ = value.setattr("path", path.to_string_lossy().into_owned());
                let _ = value.setattr("line", line);
                let _ = value.setattr("column", column);
            });
            err
        }
        Error::MissingColumn { .. } => MissingColumnError::new_err(message),
        Error::InconsistentInput(_) => InconsistentInputError::new_err(message),
        Error::InvalidArgument(_) => InvalidArgumentError::new_err(message),
        Error::Internal(_) => InternalError::new_err(message),
    }
}

/// Runs core work without the GIL; a panic becomes `InternalError` instead of killing Python.
pub fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> ldenrich_core::Result<T> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
        Ok(result) => result.map_err(to_py),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!("internal error (please report): {what}")))
        }
    }
}
