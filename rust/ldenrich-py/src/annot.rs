//! The SNP universe and its annotation: gene-set and interval categories converted once
//! (`CategorySpecs`), summary statistics joined to a reference and annotated (`annotate`, giving
//! an `Annotation`), a panel's 0/1 annotation matrix (`panel_annotation`), and the reference-side
//! QC counts as a dict. The screen run on an `Annotation` is in `enrichment`.

use std::sync::Arc;

use ldenrich_core::annot::categories::{build_categories, panel_annotation, Category, CategorySpec, Window};
use ldenrich_core::annot::universe::{build_universe, Matching, Qc, Universe, UniverseOptions};
use ldenrich_core::io::bed::bed_from_columns;
use ldenrich_core::io::bim::Bim;
use ldenrich_core::io::sumstats::SumStats;
use ldenrich_core::parallel::with_threads;
use ldenrich_core::stats::enrichment::EnrichmentOptions;
use ldenrich_core::Error;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::contiguous;
use crate::enrichment::{self, ScreenOut};
use crate::errors::{run, to_py};
use crate::io::{PyBed, PyBim, PyGeneLoc, PyGeneSets, PySumStats};

#[pyclass(name = "Annotation", module = "ldenrich._native", frozen)]
pub struct PyAnnotation {
    pub(crate) universe: Arc<Universe>,
    /// The summary statistics and join options the universe was built from, so the gene
    /// analysis can take this universe instead of joining the same files again.
    pub(crate) sumstats: Arc<SumStats>,
    pub(crate) options: UniverseOptions,
    pub(crate) categories: Arc<Vec<Category>>,
    pub(crate) bim: Arc<Bim>,
    window: Window,
}

/// A gene-set argument: a file read by the core, or one set built in Python.
#[derive(FromPyObject)]
enum GeneSetArg<'py> {
    /// `(sets, source)`
    Native(PyRef<'py, PyGeneSets>, String),
    /// `(name, source, genes)`
    Python(String, String, Vec<String>),
}

/// An interval argument: a BED file read by the core, or columns of a Python data frame.
#[derive(FromPyObject)]
enum IntervalArg<'py> {
    /// `(name, source, bed)`
    Native(String, String, PyRef<'py, PyBed>),
    /// `(name, source, chrom names, 0-based starts, ends)`
    Python(String, String, Vec<String>, PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, i64>),
}

/// Categories converted for the core once, to annotate any number of summary statistics.
#[pyclass(name = "CategorySpecs", module = "ldenrich._native", frozen)]
pub struct PyCategorySpecs {
    pub(crate) specs: Arc<Vec<CategorySpec>>,
}

#[pymethods]
impl PyCategorySpecs {
    #[getter]
    fn n_gene_sets(&self) -> usize {
        self.specs.iter().filter(|s| matches!(s, CategorySpec::GeneSet { .. })).count()
    }
    /// The categories' names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.specs
            .iter()
            .map(|s| match s {
                CategorySpec::GeneSet { name, .. } | CategorySpec::Intervals { name, .. } => name.clone(),
            })
            .collect()
    }
    #[getter]
    fn n_intervals(&self) -> usize {
        self.specs.iter().filter(|s| matches!(s, CategorySpec::Intervals { .. })).count()
    }
}

#[pyfunction(name = "category_specs")]
fn category_specs_py(gene_sets: Vec<GeneSetArg<'_>>, intervals: Vec<IntervalArg<'_>>) -> PyResult<PyCategorySpecs> {
    let mut specs = Vec::new();
    for arg in gene_sets {
        match arg {
            GeneSetArg::Native(sets, source) => specs.extend(sets.inner.sets.iter().map(|s| CategorySpec::GeneSet {
                name: s.name.clone(),
                source: source.clone(),
                genes: s.genes.clone(),
            })),
            GeneSetArg::Python(name, source, genes) => specs.push(CategorySpec::GeneSet { name, source, genes }),
        }
    }
    for arg in intervals {
        specs.push(match arg {
            IntervalArg::Native(name, source, bed) => CategorySpec::from_bed(name, source, &bed.inner),
            IntervalArg::Python(name, source, chrom, start, end) => {
                let bed = bed_from_columns(&name, &chrom, contiguous(&start, "start")?, contiguous(&end, "end")?)
                    .map_err(to_py)?;
                CategorySpec::from_bed(name, source, &bed)
            }
        });
    }
    Ok(PyCategorySpecs { specs: Arc::new(specs) })
}

type RangeArrays<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>);
/// `(name, source, is_gene_set, n_genes, n_genes_found, n_intervals, n_snps)` of a category.
type CategoryRow = (String, String, bool, Option<usize>, Option<usize>, usize, usize);

/// Each category's row and missing genes, and the 0/1 matrix.
type PanelAnnotationOut<'py> = (Vec<CategoryRow>, Vec<Vec<String>>, Bound<'py, PyArray2<f64>>);

pub(crate) fn category_row(c: &Category) -> CategoryRow {
    (c.name.clone(), c.source.clone(), c.is_gene_set, c.n_genes, c.n_genes_found, c.n_intervals, c.n_snps())
}

#[pyfunction(name = "annotate")]
#[pyo3(signature = (sumstats, bim, gene_loc, categories, window_up_kb, window_down_kb, drop_strand_ambiguous, threads, matching="auto"))]
#[allow(clippy::too_many_arguments)]
fn annotate_py(
    py: Python<'_>,
    sumstats: PyRef<'_, PySumStats>,
    bim: PyRef<'_, PyBim>,
    gene_loc: Option<PyRef<'_, PyGeneLoc>>,
    categories: PyRef<'_, PyCategorySpecs>,
    window_up_kb: f64,
    window_down_kb: f64,
    drop_strand_ambiguous: bool,
    threads: Option<usize>,
    matching: &str,
) -> PyResult<PyAnnotation> {
    let matching = Matching::parse(matching).map_err(to_py)?;
    let specs = Arc::clone(&categories.specs);
    let sumstats = Arc::clone(&sumstats.inner);
    let bim = Arc::clone(&bim.inner);
    let genes = gene_loc.map(|g| Arc::clone(&g.inner));
    let ss = Arc::clone(&sumstats);
    let window = Window::from_kb(window_up_kb, window_down_kb).map_err(to_py)?;
    let options = UniverseOptions { drop_strand_ambiguous, matching };
    let (universe, categories) = run(py, || {
        with_threads(threads, || {
            let universe = build_universe(&sumstats, &bim, options)?;
            let categories = build_categories(&universe, genes.as_deref(), window, &specs)?;
            Ok((universe, categories))
        })?
    })?;
    Ok(PyAnnotation {
        universe: Arc::new(universe),
        sumstats: ss,
        options,
        categories: Arc::new(categories),
        bim,
        window,
    })
}

#[pymethods]
impl PyAnnotation {
    fn __len__(&self) -> usize {
        self.universe.len()
    }
    #[getter]
    fn window_bp(&self) -> (u64, u64) {
        (self.window.up, self.window.down)
    }
    fn chrom<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u8>> {
        self.universe.chrom.clone().into_pyarray(py)
    }
    fn bp<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.universe.bp.clone().into_pyarray(py)
    }
    fn chisq<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.universe.chisq.clone().into_pyarray(py)
    }
    fn bim_row<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.universe.bim_row.clone().into_pyarray(py)
    }
    fn snp_ids(&self) -> Vec<String> {
        self.universe.bim_row.iter().map(|&r| self.bim.ids.name(r as usize)).collect()
    }
    fn qc(&self) -> Vec<(String, u64)> {
        self.universe.qc.table()
    }
    fn qc_details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        qc_details(py, &self.universe.qc)
    }
    /// `(name, source, is_gene_set, n_genes, n_genes_found, n_intervals, n_snps)` per category.
    fn categories(&self) -> Vec<CategoryRow> {
        self.categories.iter().map(category_row).collect()
    }
    fn missing_genes(&self, index: usize) -> PyResult<Vec<String>> {
        self.category(index).map(|c| c.missing_genes.clone())
    }
    fn ranges<'py>(&self, py: Python<'py>, index: usize) -> PyResult<RangeArrays<'py>> {
        let c = self.category(index)?;
        let starts: Vec<u32> = c.ranges.iter().map(|r| r.0).collect();
        let ends: Vec<u32> = c.ranges.iter().map(|r| r.1).collect();
        Ok((starts.into_pyarray(py), ends.into_pyarray(py)))
    }
    #[pyo3(signature = (blocks, min_snps, permutations, perm_stop, seed, threads))]
    #[allow(clippy::too_many_arguments)]
    fn enrichment<'py>(
        &self,
        py: Python<'py>,
        blocks: usize,
        min_snps: usize,
        permutations: usize,
        perm_stop: usize,
        seed: u64,
        threads: Option<usize>,
    ) -> PyResult<ScreenOut<'py>> {
        let options = EnrichmentOptions { blocks, min_snps, permutations, perm_stop, seed };
        enrichment::on_annotation(py, self, options, threads)
    }
}

impl PyAnnotation {
    fn category(&self, index: usize) -> PyResult<&Category> {
        self.categories
            .get(index)
            .ok_or_else(|| to_py(Error::InvalidArgument(format!("category index {index} out of range"))))
    }
}

/// How many SNP universes this process has built (the core's counter).
#[pyfunction(name = "universes_built")]
fn universes_built_py() -> u64 {
    ldenrich_core::annot::universe::universes_built()
}

/// The categories over every autosomal SNP of a panel and their 0/1 matrix (one row per
/// `.bim` row), with each category's `CategoryRow` and missing genes.
#[pyfunction(name = "panel_annotation")]
#[pyo3(signature = (bim, gene_loc, categories, window_up_kb, window_down_kb, threads=None))]
fn panel_annotation_py<'py>(
    py: Python<'py>,
    bim: PyRef<'_, PyBim>,
    gene_loc: Option<PyRef<'_, PyGeneLoc>>,
    categories: PyRef<'_, PyCategorySpecs>,
    window_up_kb: f64,
    window_down_kb: f64,
    threads: Option<usize>,
) -> PyResult<PanelAnnotationOut<'py>> {
    let window = Window::from_kb(window_up_kb, window_down_kb).map_err(to_py)?;
    let (bim, specs) = (Arc::clone(&bim.inner), Arc::clone(&categories.specs));
    let genes = gene_loc.map(|g| Arc::clone(&g.inner));
    let (annotation, matrix) = run(py, || {
        with_threads(threads, || {
            let a = panel_annotation(&bim, genes.as_deref(), window, &specs)?;
            let matrix = a.matrix(bim.len());
            Ok((a, matrix))
        })?
    })?;
    let k = annotation.categories.len();
    let rows = annotation.categories.iter().map(category_row).collect();
    let missing = annotation.categories.iter().map(|c| c.missing_genes.clone()).collect();
    Ok((rows, missing, matrix.into_pyarray(py).reshape([bim.len(), k])?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAnnotation>()?;
    m.add_function(wrap_pyfunction!(panel_annotation_py, m)?)?;
    m.add_class::<PyCategorySpecs>()?;
    m.add_function(wrap_pyfunction!(category_specs_py, m)?)?;
    m.add_function(wrap_pyfunction!(universes_built_py, m)?)?;
    m.add_function(wrap_pyfunction!(annotate_py, m)?)?;
    Ok(())
}

/// Reference-side counts, whether alleles were compared and the position check, as a dict.
pub fn qc_details<'py>(py: Python<'py>, q: &Qc) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("alleles_checked", q.alleles_checked)?;
    d.set_item("strand_ambiguous_kept", q.strand_ambiguous_kept)?;
    d.set_item("bim_rows", q.bim_rows)?;
    d.set_item("bim_duplicate_rows", q.bim_duplicate_rows)?;
    d.set_item("bim_non_autosomal_rows", q.bim_non_autosomal_rows)?;
    if let Some(p) = q.positions {
        d.set_item("positions_compared", p.compared)?;
        d.set_item("positions_same", p.same)?;
        d.set_item("positions_off_by_one", p.off_by_one)?;
        d.set_item("positions_other_chromosome", p.other_chromosome)?;
    }
    Ok(d)
}
