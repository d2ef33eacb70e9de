//! numpy arguments as slices: the one check (and message) for every binding.
use ldenrich_core::Error;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::errors::to_py;

/// The array's memory as a slice; a non-contiguous array is an `InvalidArgumentError` naming
/// the argument (`what`). Callers that detach from the GIL copy it first (`.to_vec()`): the
/// array could change under a detached thread.
pub fn contiguous<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>, what: &str) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|_| to_py(Error::InvalidArgument(format!("{what} must be a contiguous 1-d array"))))
}
