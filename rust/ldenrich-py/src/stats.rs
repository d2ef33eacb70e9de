//! Statistics the Python layer calls one at a time (core `stats`): the upper tail of a weighted
//! sum of independent chi-square(1) variables, Kruskal-Wallis H and Welch's t.

use ldenrich_core::stats::quadform::weighted_chisq_sf;
use ldenrich_core::stats::ranks::kruskal_wallis_h;
use ldenrich_core::stats::ttest::welch_t;
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::arrays::contiguous;
use crate::errors::{run, to_py};

/// `(p, ln_p)` with `p = P(sum_k lambdas[k] * chi2_1 > x)`; `ln_p` stays finite when `p`
/// underflows. Non-positive or non-finite lambdas are ignored.
#[pyfunction(name = "weighted_chisq_sf")]
fn weighted_chisq_sf_py(py: Python<'_>, lambdas: PyReadonlyArray1<'_, f64>, x: f64) -> PyResult<(f64, f64)> {
    let lambdas = contiguous(&lambdas, "lambdas")?.to_vec();
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
    let values = contiguous(&values, "values")?.to_vec();
    if bounds.first() != Some(&0) || bounds.last() != Some(&values.len()) || values.iter().any(|v| v.is_nan()) {
        return Err(to_py(Error::InvalidArgument("bounds must run from 0 to len(values); no NaN".into())));
    }
    run(py, || Ok(kruskal_wallis_h(&values, &bounds)))
}

/// Welch's `(t, df)` of `mean1 - mean2`, element by element, from group sizes, means and
/// variances (ddof 1) of equal length (core `stats::ttest::welch_t`).
#[pyfunction(name = "welch_t")]
#[allow(clippy::type_complexity)]
fn welch_t_py<'py>(
    py: Python<'py>,
    n1: PyReadonlyArray1<'py, f64>,
    mean1: PyReadonlyArray1<'py, f64>,
    var1: PyReadonlyArray1<'py, f64>,
    n2: PyReadonlyArray1<'py, f64>,
    mean2: PyReadonlyArray1<'py, f64>,
    var2: PyReadonlyArray1<'py, f64>,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
    let mut copied = Vec::with_capacity(6);
    for (a, what) in [(&n1, "n1"), (&mean1, "mean1"), (&var1, "var1"), (&n2, "n2"), (&mean2, "mean2"), (&var2, "var2")]
    {
        copied.push(contiguous(a, what)?.to_vec());
    }
    let len = copied[0].len();
    if copied.iter().any(|c| c.len() != len) {
        return Err(to_py(Error::InvalidArgument("welch_t takes arrays of one length".into())));
    }
    let (t, df): (Vec<f64>, Vec<f64>) = run(py, || {
        Ok((0..len)
            .map(|i| welch_t(copied[0][i], copied[1][i], copied[2][i], copied[3][i], copied[4][i], copied[5][i]))
            .unzip())
    })?;
    Ok((t.into_pyarray(py), df.into_pyarray(py)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(weighted_chisq_sf_py, m)?)?;
    m.add_function(wrap_pyfunction!(kruskal_wallis_h_py, m)?)?;
    m.add_function(wrap_pyfunction!(welch_t_py, m)?)?;
    Ok(())
}
