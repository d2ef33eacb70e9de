//! PLINK 1 binary genotypes: dosages and LD (correlation) matrices of SNP rows of a fileset.

use std::path::PathBuf;

use ldenrich_core::io::plink::{correlation, open_bfile};
use numpy::{IntoPyArray, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

use crate::errors::run;

/// A row-major buffer of `rows x cols` values as a 2-d numpy array.
fn to_numpy(py: Python<'_>, data: Vec<f64>, rows: usize, cols: usize) -> PyResult<Bound<'_, PyArray2<f64>>> {
    data.into_pyarray(py).reshape([rows, cols])
}

/// `(R, kept, monomorphic)`: the correlation matrix of the standardized genotypes of the SNP
/// rows `snp_rows` (0-based `.bim` rows) of `prefix.{bed,bim,fam}`, the positions in
/// `snp_rows` of the SNPs kept (rows/columns of R) and the number dropped as monomorphic.
#[pyfunction(name = "ld_matrix")]
fn ld_matrix_py(
    py: Python<'_>,
    prefix: PathBuf,
    snp_rows: Vec<usize>,
) -> PyResult<(Bound<'_, PyArray2<f64>>, Vec<usize>, usize)> {
    let (data, k, kept, monomorphic) = run(py, || {
        let (_, bed) = open_bfile(&prefix)?;
        let std = bed.standardized(&snp_rows)?;
        let r = correlation(&std.matrix);
        let k = r.nrows();
        let data: Vec<f64> = (0..k).flat_map(|i| (0..k).map(move |j| (i, j))).map(|ij| r[ij]).collect();
        Ok((data, k, std.kept, std.monomorphic))
    })?;
    Ok((to_numpy(py, data, k, k)?, kept, monomorphic))
}

/// Allele-1 dosages (n_samples x len(snp_rows), NaN = missing call) of `prefix.bed`.
#[pyfunction(name = "read_dosages")]
fn read_dosages_py(py: Python<'_>, prefix: PathBuf, snp_rows: Vec<usize>) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let k = snp_rows.len();
    let (data, n) = run(py, || {
        let (_, bed) = open_bfile(&prefix)?;
        let n = bed.n_samples();
        let mut column = vec![0.0; n];
        let mut data = vec![0.0; n * k];
        for (j, &snp) in snp_rows.iter().enumerate() {
            bed.read_dosages(snp, &mut column)?;
            for (i, &v) in column.iter().enumerate() {
                data[i * k + j] = v;
            }
        }
        Ok((data, n))
    })?;
    to_numpy(py, data, n, k)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ld_matrix_py, m)?)?;
    m.add_function(wrap_pyfunction!(read_dosages_py, m)?)?;
    Ok(())
}
