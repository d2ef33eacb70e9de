//! Thin PyO3 bindings of `ldenrich-core`, imported as `ldenrich._native`. Each function extracts
//! its arguments, releases the GIL, calls the core and converts the result; user-facing
//! documentation lives in the Python package.

mod annot;
mod arrays;
mod enrichment;
mod errors;
mod genes;
mod io;
mod ldscore;
mod munge;
mod plink;
mod sets;
mod sldsc;
mod stats;

use pyo3::prelude::*;

/// The thread count a call with `threads` uses (argument, else `LDENRICH_NUM_THREADS`, else
/// all cores): the core's one rule, for the command line to plan around.
#[pyfunction]
#[pyo3(signature = (threads=None))]
fn resolve_threads(threads: Option<usize>) -> PyResult<usize> {
    ldenrich_core::parallel::resolve_threads(threads).map_err(errors::to_py)
}

/// Looks up numpy's C API now (rust-numpy does it on first use, running Python code that a
/// Ctrl-C landing inside would turn into a panic); the package calls it with signals blocked.
#[pyfunction]
fn init_numpy(py: Python<'_>) {
    let _ = numpy::PyArray1::<f64>::zeros(py, 0, false);
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", ldenrich_core::VERSION)?;
    m.add("DEFLATE_BACKEND", ldenrich_core::io::inflate::BACKEND)?;
    let info = ldenrich_core::build_info::build_info();
    let build = pyo3::types::PyDict::new(m.py());
    build.set_item("version", info.version)?;
    build.set_item("inflate", info.inflate)?;
    build.set_item("arch", info.arch)?;
    build.set_item("compiled_features", info.compiled_features)?;
    build.set_item("runtime_features", info.runtime_features)?;
    build.set_item("rustc", info.rustc)?;
    build.set_item("dependencies", info.dependencies)?;
    m.add("BUILD_INFO", build)?;
    m.add_function(wrap_pyfunction!(resolve_threads, m)?)?;
    m.add_function(wrap_pyfunction!(init_numpy, m)?)?;
    errors::register(m)?;
    io::register(m)?;
    annot::register(m)?;
    enrichment::register(m)?;
    genes::register(m)?;
    sets::register(m)?;
    plink::register(m)?;
    sldsc::register(m)?;
    ldscore::register(m)?;
    munge::register(m)?;
    stats::register(m)?;
    Ok(())
}
