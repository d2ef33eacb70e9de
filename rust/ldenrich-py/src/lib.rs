//! Thin PyO3 bindings of `ldenrich-core`, imported as `ldenrich._native`. Each function extracts
//! its arguments, releases the GIL, calls the core and converts the result; user-facing
//! documentation lives in the Python package.

mod annot;
mod errors;
mod gene;
mod gsa;
mod io;
mod ldscore;
mod plink;
mod stats;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", ldenrich_core::VERSION)?;
    m.add("DEFLATE_BACKEND", ldenrich_core::io::inflate::BACKEND)?;
    errors::register(m)?;
    io::register(m)?;
    annot::register(m)?;
    gene::register(m)?;
    gsa::register(m)?;
    plink::register(m)?;
    ldscore::register(m)?;
    stats::register(m)?;
    Ok(())
}
