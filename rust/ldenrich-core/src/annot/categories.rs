//! Categories (gene sets and interval files) as sparse membership over the SNP universe: each
//! category is a sorted list of disjoint half-open index ranges, so building and testing
//! thousands of categories never costs a pass over all SNPs per category.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::annot::universe::Universe;
use crate::chrom::is_autosome;
use crate::error::{Error, Result};
use crate::io::bed::BedIntervals;
use crate::io::bim::Bim;
use crate::io::geneloc::GeneLoc;

/// Gene-window sizes in base pairs (MAGMA's `window=UP,DOWN` times 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Bases added before the transcription start.
    pub up: u64,
    /// Bases added after the transcription end.
    pub down: u64,
}

impl Window {
    /// A window from kilobase values, truncated to whole bases as MAGMA does.
    pub fn from_kb(up_kb: f64, down_kb: f64) -> Result<Self> {
        for v in [up_kb, down_kb] {
            if !v.is_finite() || !(0.0..=1e6).contains(&v) {
                return Err(Error::InvalidArgument(format!("window sizes must be between 0 and 1e6 kb; got {v}")));
            }
        }
        Ok(Window { up: (up_kb * 1000.0) as u64, down: (down_kb * 1000.0) as u64 })
    }
}

/// What a category is made of.
#[derive(Debug, Clone)]
pub enum CategorySpec {
    /// A gene set: gene identifiers or symbols, each annotated through its window.
    GeneSet {
        /// Category name.
        name: String,
        /// Where it came from (file path or "python").
        source: String,
        /// Gene tokens as given.
        genes: Vec<String>,
    },
    /// Closed 1-based intervals, used as given (no window).
    Intervals {
        /// Category name.
        name: String,
        /// Where it came from.
        source: String,
        /// Chromosome codes.
        chrom: Vec<u8>,
        /// First base (1-based, inclusive).
        first: Vec<u64>,
        /// Last base (1-based, inclusive).
        last: Vec<u64>,
    },
}

impl CategorySpec {
    /// The intervals of a BED file (or of columns checked by
    /// [`bed_from_columns`](crate::io::bed::bed_from_columns)) as a category.
    pub fn from_bed(name: String, source: String, bed: &BedIntervals) -> Self {
        CategorySpec::Intervals { name, source, chrom: bed.chrom.clone(), first: bed.first(), last: bed.last() }
    }
}

/// A category resolved against the universe.
#[derive(Debug, Clone)]
pub struct Category {
    /// Category name.
    pub name: String,
    /// Where it came from.
    pub source: String,
    /// True for gene sets, false for interval files.
    pub is_gene_set: bool,
    /// Distinct gene tokens listed (gene sets only).
    pub n_genes: Option<usize>,
    /// Genes found in the gene locations (gene sets only).
    pub n_genes_found: Option<usize>,
    /// Listed genes absent from the gene locations.
    pub missing_genes: Vec<String>,
    /// Intervals that define the category (gene windows or file intervals).
    pub n_intervals: usize,
    /// Disjoint, sorted half-open ranges of universe indices.
    pub ranges: Vec<(u32, u32)>,
}

impl Category {
    /// Number of annotated SNPs.
    pub fn n_snps(&self) -> usize {
        self.ranges.iter().map(|&(a, b)| (b - a) as usize).sum()
    }
}

/// Unions ranges: sorts them and merges overlapping or touching ones.
pub fn merge_ranges(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.retain(|&(a, b)| b > a);
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Resolves gene tokens to gene rows: an exact identifier match first, then a case-insensitive
/// symbol match (a symbol shared by several rows maps to all of them). The one rule for gene
/// sets, whether resolved against gene locations (the screen) or gene results (set tests).
pub struct GeneResolver<'a> {
    by_id: HashMap<&'a str, usize>,
    by_symbol: HashMap<String, Vec<usize>>,
}

/// A gene set resolved by [`GeneResolver::resolve_set`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedSet {
    /// Rows of the genes found, sorted and distinct.
    pub rows: Vec<usize>,
    /// Distinct tokens of the set (after trimming; empty tokens ignored).
    pub n_genes: usize,
    /// Tokens that name no row, in the set's order.
    pub missing: Vec<String>,
}

impl<'a> GeneResolver<'a> {
    /// Indexes `genes`.
    pub fn new(genes: &'a GeneLoc) -> Self {
        Self::from_columns(&genes.ids, &genes.symbol)
    }

    /// Indexes rows given by identifier and symbol (empty symbols are not indexed; `symbols`
    /// may be empty when there are none).
    pub fn from_columns(ids: &'a [String], symbols: &[String]) -> Self {
        let by_id = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let mut by_symbol: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in symbols.iter().enumerate() {
            if !s.is_empty() {
                by_symbol.entry(s.to_ascii_uppercase()).or_default().push(i);
            }
        }
        GeneResolver { by_id, by_symbol }
    }

    /// Rows of the gene `token` names (empty when unknown).
    pub fn resolve(&self, token: &str) -> Vec<usize> {
        let token = token.trim();
        if let Some(&i) = self.by_id.get(token) {
            return vec![i];
        }
        self.by_symbol.get(&token.to_ascii_uppercase()).cloned().unwrap_or_default()
    }

    /// Resolves the tokens of one set, each distinct token once.
    pub fn resolve_set(&self, tokens: &[String]) -> ResolvedSet {
        let mut seen = std::collections::HashSet::new();
        let mut out = ResolvedSet::default();
        for token in tokens {
            let trimmed = token.trim();
            if trimmed.is_empty() || !seen.insert(trimmed) {
                continue;
            }
            out.n_genes += 1;
            let hit = self.resolve(trimmed);
            if hit.is_empty() {
                out.missing.push(token.clone());
            } else {
                out.rows.extend(hit);
            }
        }
        out.rows.sort_unstable();
        out.rows.dedup();
        out
    }

    /// [`GeneResolver::resolve_set`] for many sets, in parallel on the current pool.
    /// The sets may be owned token lists or borrowed from a [`crate::io::genesets::GeneSets`].
    pub fn resolve_sets<S: AsRef<[String]> + Sync>(&self, sets: &[S]) -> Vec<ResolvedSet> {
        sets.par_iter().map(|tokens| self.resolve_set(tokens.as_ref())).collect()
    }
}

/// Resolves category specifications against a universe, in parallel over categories (the
/// result does not depend on the number of threads).
pub fn build_categories(
    universe: &Universe,
    genes: Option<&GeneLoc>,
    window: Window,
    specs: &[CategorySpec],
) -> Result<Vec<Category>> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for spec in specs {
        let (name, source) = match spec {
            CategorySpec::GeneSet { name, source, .. } | CategorySpec::Intervals { name, source, .. } => (name, source),
        };
        if let Some(first) = seen.insert(name, source) {
            return Err(Error::InconsistentInput(format!(
                "category name '{name}' is used twice (in {first} and {source}); category names must be unique"
            )));
        }
    }
    let needs_genes = specs.iter().any(|s| matches!(s, CategorySpec::GeneSet { .. }));
    let genes = match (needs_genes, genes) {
        (true, None) => return Err(Error::InvalidArgument("gene sets need gene locations".into())),
        (_, g) => g,
    };
    let gene_ranges: Vec<(u32, u32)> = match genes {
        Some(g) => (0..g.len())
            .into_par_iter()
            .map(|i| {
                let (first, last) = g.window(i, window.up, window.down);
                universe.range_of(g.chrom[i], first, last)
            })
            .collect(),
        None => Vec::new(),
    };
    let resolver = genes.map(GeneResolver::new);
    let categories = specs
        .par_iter()
        .map(|spec| match spec {
            CategorySpec::GeneSet { name, source, genes: tokens } => {
                let resolver = resolver.as_ref().expect("checked above");
                let ResolvedSet { rows, n_genes, missing } = resolver.resolve_set(tokens);
                let found = n_genes - missing.len();
                let ranges = merge_ranges(rows.iter().map(|&r| gene_ranges[r]).collect());
                Category {
                    name: name.clone(),
                    source: source.clone(),
                    is_gene_set: true,
                    n_genes: Some(n_genes),
                    n_genes_found: Some(found),
                    missing_genes: missing,
                    n_intervals: rows.len(),
                    ranges,
                }
            }
            CategorySpec::Intervals { name, source, chrom, first, last } => {
                let ranges =
                    merge_ranges((0..chrom.len()).map(|i| universe.range_of(chrom[i], first[i], last[i])).collect());
                Category {
                    name: name.clone(),
                    source: source.clone(),
                    is_gene_set: false,
                    n_genes: None,
                    n_genes_found: None,
                    missing_genes: Vec::new(),
                    n_intervals: chrom.len(),
                    ranges,
                }
            }
        })
        .collect();
    Ok(categories)
}

/// Categories over the SNPs of a reference panel, as the columns of an annotation matrix with
/// one row per `.bim` row (ldsc's `.annot`, and what LD scores are computed for).
#[derive(Debug, Clone)]
pub struct PanelAnnotation {
    /// The categories, in the order of `specs`; their ranges index `order`.
    pub categories: Vec<Category>,
    /// `.bim` row of each SNP the ranges index: the autosomal rows, stably sorted by
    /// (chromosome, position).
    pub order: Vec<u32>,
}

impl PanelAnnotation {
    /// The matrix, row-major: `bim_rows` rows (one per `.bim` row), one column per category,
    /// 1 where the SNP is in the category and 0 elsewhere (non-autosomal rows are 0).
    pub fn matrix(&self, bim_rows: usize) -> Vec<f64> {
        let k = self.categories.len();
        let mut out = vec![0.0; bim_rows * k];
        for (j, category) in self.categories.iter().enumerate() {
            for &(a, b) in &category.ranges {
                for &row in &self.order[a as usize..b as usize] {
                    out[row as usize * k + j] = 1.0;
                }
            }
        }
        out
    }

    /// Each category as sorted, disjoint half-open ranges of `.bim` rows (for LD scores of
    /// thousands of categories without the matrix): a range over the sorted SNPs splits where
    /// consecutive ones are not consecutive `.bim` rows.
    pub fn bim_runs(&self) -> Vec<Vec<(usize, usize)>> {
        self.categories
            .iter()
            .map(|category| {
                let mut rows: Vec<usize> = category
                    .ranges
                    .iter()
                    .flat_map(|&(a, b)| self.order[a as usize..b as usize].iter().map(|&r| r as usize))
                    .collect();
                rows.sort_unstable();
                rows.dedup();
                let mut runs: Vec<(usize, usize)> = Vec::new();
                for r in rows {
                    match runs.last_mut() {
                        Some(last) if last.1 == r => last.1 = r + 1,
                        _ => runs.push((r, r + 1)),
                    }
                }
                runs
            })
            .collect()
    }
}

/// Resolves category specifications against every autosomal SNP of a panel: a gene set
/// annotates the SNPs inside its genes' windows (`window`, MAGMA's strand-aware rule; equal up
/// and down give ldsc `make_annot`'s symmetric window), an interval file its intervals.
pub fn panel_annotation(
    bim: &Bim,
    genes: Option<&GeneLoc>,
    window: Window,
    specs: &[CategorySpec],
) -> Result<PanelAnnotation> {
    let mut order: Vec<u32> = (0..bim.len() as u32).filter(|&i| is_autosome(bim.chrom[i as usize])).collect();
    if order.is_empty() {
        return Err(Error::InconsistentInput(format!("{}: no SNP on chromosomes 1-22", bim.path.display())));
    }
    order.sort_by_key(|&i| (bim.chrom[i as usize], bim.bp[i as usize]));
    let chrom = order.iter().map(|&i| bim.chrom[i as usize]).collect();
    let bp = order.iter().map(|&i| bim.bp[i as usize]).collect();
    let universe = Universe::from_sorted(chrom, bp, vec![0.0; order.len()])?;
    let categories = build_categories(&universe, genes, window, specs)?;
    Ok(PanelAnnotation { categories, order })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_annotation_follows_the_bim_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bim");
        // Unsorted, with a chromosome X row.
        std::fs::write(&path, "1 a 0 300 A G\n1 b 0 100 A G\n23 x 0 150 A G\n1 c 0 200 A G\n2 d 0 150 A G\n").unwrap();
        let bim = crate::io::bim::read_bim(&path).unwrap();
        let spec = CategorySpec::Intervals {
            name: "x".into(),
            source: "t".into(),
            chrom: vec![1, 23],
            first: vec![150, 100],
            last: vec![300, 200],
        };
        let a = panel_annotation(&bim, None, Window { up: 0, down: 0 }, &[spec]).unwrap();
        assert_eq!(a.matrix(bim.len()), [1.0, 0.0, 0.0, 1.0, 0.0]);
        // The same rows as runs of .bim rows (rows 0 and 3, not adjacent).
        assert_eq!(a.bim_runs(), [vec![(0, 1), (3, 4)]]);
    }

    #[test]
    fn merges_ranges() {
        assert_eq!(merge_ranges(vec![(5, 7), (0, 2), (1, 3), (3, 4), (9, 9)]), [(0, 4), (5, 7)]);
    }

    #[test]
    fn window_from_kb() {
        assert_eq!(Window::from_kb(35.0, 10.0).unwrap(), Window { up: 35_000, down: 10_000 });
        assert!(Window::from_kb(-1.0, 1.0).is_err());
    }

    #[test]
    fn interval_categories_use_closed_bounds() {
        let u = Universe::from_sorted(vec![1, 1, 1, 2], vec![10, 20, 30, 10], vec![1.0; 4]).unwrap();
        let spec = CategorySpec::Intervals {
            name: "x".into(),
            source: "t".into(),
            chrom: vec![1, 2, 1],
            first: vec![20, 11, 25],
            last: vec![30, 100, 40],
        };
        let c = build_categories(&u, None, Window { up: 0, down: 0 }, &[spec]).unwrap();
        assert_eq!(c[0].ranges, [(1, 3)]);
        assert_eq!(c[0].n_snps(), 2);
    }
}
