//! Upper tail of a weighted sum of independent chi-square(1) variables.
use ldenrich_core::stats::quadform::weighted_chisq_sf;
use ldenrich_core::stats::ranks::kruskal_wallis_h;
use ldenrich_core::Error;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::errors::{run, to_py};

/// `(p, ln_p)` with `p = P(sum_k lambdas[k] * chi2_1 > x)`; `ln_p` stays finite when `p`
/// underflows. Non-positive or non-finite lambdas are ignored.
#[pyfunction(name = "weighted_chisq_sf")]
fn weighted_chisq_sf_py(py: Python<'_>, lambdas: PyReadonlyArray1<'_, f64>, x: f64) -> PyResult<(f64, f64)> {
    let lambdas: Vec<f64> = match lambdas.as_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => return Err(to_py(Error::InvalidArgument("lambdas must be a contiguous 1-d array".into()))),
    };
    run(py, || {
        let tail = weighted_chisq_sf(&lambdas, x);
        Ok((tail.p, tail.ln_p))
    })
}

/// Kruskal-Wallis H of groups stored one after another (`bounds`: group offsets, first 0, last
/// `len(values)`); NaN-free values.
#[pyfunction(name = "kruskal_wallis_h")]
fn kruskal_wallis_h_py(py: Python<'_>, values: PyReadonlyArray1<'_, f64>, bounds: Vec<usize>) -> PyResult<f64> {
    // Copied: the array could change under a detached thread.
    let values = values
        .as_slice()
        .map_err(|_| to_py(Error::InvalidArgument("values must be a contiguous 1-d array".into())))?
        .to_vec();
    if bounds.first() != Some(&0) || bounds.last() != Some(&values.len()) || values.iter().any(|v| v.is_nan()) {
        return Err(to_py(Error::InvalidArgument("bounds must run from 0 to len(values); no NaN".into())));
    }
    run(py, || Ok(kruskal_wallis_h(&values, &bounds)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(weighted_chisq_sf_py, m)?)?;
    m.add_function(wrap_pyfunction!(kruskal_wallis_h_py, m)?)?;
    Ok(())
}
