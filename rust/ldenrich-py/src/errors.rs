//! The one mapping from the core's error enum to the Python exception hierarchy, and the one
//! choke point (`run`) through which every long call releases the GIL, stays interruptible and
//! catches panics.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use ldenrich_core::{cancel, Error};
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::prelude::*;

pyo3::create_exception!(_native, LdenrichError, PyException, "Base class of every ldenrich error.");
pyo3::create_exception!(_native, ParseError, LdenrichError, "A line of an input file could not be read.");
pyo3::create_exception!(_native, MissingColumnError, LdenrichError, "A required column is absent or ambiguous.");
pyo3::create_exception!(_native, InconsistentInputError, LdenrichError, "Inputs that do not fit together.");
pyo3::create_exception!(_native, InvalidArgumentError, LdenrichError, "An argument outside its domain.");
pyo3::create_exception!(_native, InternalError, LdenrichError, "A bug in ldenrich; please report it.");
pyo3::create_exception!(
    _native,
    CancelledError,
    LdenrichError,
    "The call was interrupted (Ctrl-C, SIGTERM) before it finished."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("LdenrichError", py.get_type::<LdenrichError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("MissingColumnError", py.get_type::<MissingColumnError>())?;
    m.add("InconsistentInputError", py.get_type::<InconsistentInputError>())?;
    m.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("CancelledError", py.get_type::<CancelledError>())?;
    m.add_function(wrap_pyfunction!(cancel_py, m)?)?;
    Ok(())
}

/// A `ParseError` with `path`, `line` and `column` attributes (None when not about one line).
fn located(message: String, path: &std::path::Path, line: Option<u64>, column: Option<String>) -> PyErr {
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

/// Converts a core error, attaching `path`, `line` and `column` attributes to parse errors.
pub fn to_py(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::Parse { path, line, column, .. } => located(message, &path, Some(line), column),
        Error::NoRecords { path, .. } => located(message, &path, None, None),
        Error::MissingColumn { .. } => MissingColumnError::new_err(message),
        Error::InconsistentInput(_) => InconsistentInputError::new_err(message),
        Error::InvalidArgument(_) => InvalidArgumentError::new_err(message),
        Error::Internal(_) => InternalError::new_err(message),
        Error::Interrupted => CancelledError::new_err(message),
    }
}

/// Asks every native call in flight (on any thread) to stop with `CancelledError`; for a
/// Ctrl-C caught in Python while other threads run native work.
#[pyfunction(name = "cancel")]
fn cancel_py() {
    cancel::request();
}

/// How often a waiting call looks for a signal: well under the second a user waits for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs core work without the GIL; a panic becomes `InternalError` instead of killing Python.
///
/// The work runs on a scoped thread while the calling thread waits in short intervals and, in
/// between, lets Python run its signal handlers. When one raises (KeyboardInterrupt for Ctrl-C,
/// the command line's exception for SIGTERM), the core is asked to stop ([`cancel::request`]),
/// the work returns at its next check, and the handler's exception is raised.
pub fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> ldenrich_core::Result<T> + Send) -> PyResult<T> {
    let _active = cancel::Active::enter();
    let (outcome, signal) = std::thread::scope(|scope| {
        let (tx, mut rx) = channel();
        scope.spawn(move || {
            // The receiver only goes away once the work has been waited for.
            let _ = tx.send(catch_unwind(AssertUnwindSafe(work)));
        });
        let mut signal: Option<PyErr> = None;
        loop {
            let (received, back) = py.detach(move || (rx.recv_timeout(SIGNAL_POLL), rx));
            rx = back;
            match received {
                Ok(outcome) => return (Some(outcome), signal),
                Err(RecvTimeoutError::Disconnected) => return (None, signal),
                Err(RecvTimeoutError::Timeout) if signal.is_none() => {
                    if let Err(err) = py.check_signals() {
                        cancel::request();
                        signal = Some(err);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    });
    if let Some(err) = signal {
        return Err(err);
    }
    match outcome {
        Some(Ok(result)) => result.map_err(to_py),
        Some(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!("internal error (please report): {what}")))
        }
        None => Err(InternalError::new_err("internal error (please report): the worker thread vanished")),
    }
}
