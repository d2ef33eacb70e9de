//! The SNP universe of the enrichment screen: summary-statistic rows whose identifier is in the
//! reference .bim, autosomes only, in .bim order stably sorted by (chromosome, position).

use rustc_hash::FxHashSet;

use crate::annot::positions::PositionCheck;
use crate::chrom::is_autosome;
use crate::error::{Error, Result};
use crate::io::alleles::{alleles_match, is_strand_ambiguous};
use crate::io::bim::Bim;
use crate::io::snpid::{KeyIndex, DUPLICATE};
use crate::io::sumstats::{DropCounts, DropReason, SumStats};

/// Options of the join.
#[derive(Debug, Clone, Copy, Default)]
pub struct UniverseOptions {
    /// Drop A/T and C/G SNPs (kept by default: a chi-square has no direction).
    pub drop_strand_ambiguous: bool,
}

/// Accounting of every summary-statistic row: `rows_read == used + sum(dropped)`.
#[derive(Debug, Clone)]
pub struct Qc {
    /// Data rows read from the summary statistics.
    pub rows_read: u64,
    /// Rows in the universe.
    pub used: u64,
    /// Rows dropped, by [`DropReason::index`].
    pub dropped: DropCounts,
    /// Whether alleles were compared (both files carry them).
    pub alleles_checked: bool,
    /// Strand-ambiguous SNPs kept in the universe.
    pub strand_ambiguous_kept: u64,
    /// Rows of the .bim.
    pub bim_rows: u64,
    /// .bim rows whose identifier occurs more than once there.
    pub bim_duplicate_rows: u64,
    /// .bim rows outside chromosomes 1-22.
    pub bim_non_autosomal_rows: u64,
    /// Positions of the summary statistics against the reference's, when the summary
    /// statistics carry chromosome and position columns.
    pub positions: Option<PositionCheck>,
}

impl Qc {
    /// `(reason, count)` rows: `read`, `used`, then every drop reason, in checking order.
    pub fn table(&self) -> Vec<(String, u64)> {
        let mut rows = vec![("read".to_string(), self.rows_read), ("used".to_string(), self.used)];
        for reason in DropReason::ALL {
            rows.push((format!("dropped_{}", reason.name()), self.dropped[reason.index()]));
        }
        rows
    }
}

/// SNPs of the screen in genome order.
#[derive(Debug, Clone)]
pub struct Universe {
    /// Chromosome code (1-22).
    pub chrom: Vec<u8>,
    /// Position from the .bim.
    pub bp: Vec<u32>,
    /// Chi-square from the summary statistics.
    pub chisq: Vec<f64>,
    /// Row of the .bim each SNP comes from.
    pub bim_row: Vec<u32>,
    /// Per-SNP sample size, when the summary statistics provided one.
    pub n: Option<Vec<f64>>,
    /// Row accounting.
    pub qc: Qc,
    chrom_start: [usize; 24],
}

impl Universe {
    /// Number of SNPs.
    pub fn len(&self) -> usize {
        self.chisq.len()
    }

    /// True when no SNP is in the universe.
    pub fn is_empty(&self) -> bool {
        self.chisq.is_empty()
    }

    /// The half-open index range of the SNPs of chromosome `chrom` at positions within the closed
    /// interval `[first, last]`.
    pub fn range_of(&self, chrom: u8, first: u64, last: u64) -> (u32, u32) {
        if !is_autosome(chrom) || last < first {
            return (0, 0);
        }
        let lo = self.chrom_start[chrom as usize];
        let hi = self.chrom_start[chrom as usize + 1];
        let positions = &self.bp[lo..hi];
        let a = positions.partition_point(|&p| u64::from(p) < first);
        let b = positions.partition_point(|&p| u64::from(p) <= last);
        if a >= b {
            (0, 0)
        } else {
            ((lo + a) as u32, (lo + b) as u32)
        }
    }

    /// Builds a universe from arrays already in genome order (chromosome 1-22, positions sorted
    /// within each chromosome). Used by tests and by callers with their own joins.
    pub fn from_sorted(chrom: Vec<u8>, bp: Vec<u32>, chisq: Vec<f64>) -> Result<Self> {
        if chrom.len() != bp.len() || bp.len() != chisq.len() {
            return Err(Error::InvalidArgument("chrom, bp and chisq must have the same length".into()));
        }
        for i in 0..chrom.len() {
            if !is_autosome(chrom[i]) {
                return Err(Error::InvalidArgument(format!("SNP {i}: chromosome {} is not an autosome", chrom[i])));
            }
            if i > 0 && (chrom[i], bp[i]) < (chrom[i - 1], bp[i - 1]) {
                return Err(Error::InvalidArgument(format!("SNP {i}: not sorted by chromosome and position")));
            }
            if !chisq[i].is_finite() || chisq[i] < 0.0 {
                return Err(Error::InvalidArgument(format!(
                    "SNP {i}: chi-square {} is not a finite non-negative number",
                    chisq[i]
                )));
            }
        }
        let n = chrom.len() as u64;
        let qc = Qc {
            rows_read: n,
            used: n,
            dropped: [0; DropReason::ALL.len()],
            alleles_checked: false,
            strand_ambiguous_kept: 0,
            bim_rows: n,
            bim_duplicate_rows: 0,
            bim_non_autosomal_rows: 0,
            positions: None,
        };
        let bim_row = (0..chrom.len() as u32).collect();
        let chrom_start = chrom_starts(&chrom);
        Ok(Universe { chrom, bp, chisq, bim_row, n: None, qc, chrom_start })
    }
}

fn chrom_starts(chrom: &[u8]) -> [usize; 24] {
    let mut starts = [0usize; 24];
    for c in 0..24u8 {
        starts[c as usize] = chrom.partition_point(|&x| x < c);
    }
    starts
}

/// The .bim row a summary-statistic row joins to, or the first reason it cannot be used.
fn classify(
    sumstats: &SumStats,
    bim: &Bim,
    index: &KeyIndex<'_>,
    duplicated: &FxHashSet<u64>,
    row: usize,
    key: u64,
    options: UniverseOptions,
) -> std::result::Result<usize, DropReason> {
    if duplicated.contains(&key) {
        return Err(DropReason::DuplicateId);
    }
    let b = match index.find(&sumstats.ids, key) {
        None => return Err(DropReason::NotInReference),
        Some(DUPLICATE) => return Err(DropReason::DuplicateInReference),
        Some(b) => b as usize,
    };
    if !is_autosome(bim.chrom[b]) {
        return Err(DropReason::NonAutosomal);
    }
    let (r1, r2) = (bim.a1.codes[b], bim.a2.codes[b]);
    if let Some((s1, s2)) = &sumstats.alleles {
        if !alleles_match((s1, s2), (s1.codes[row], s2.codes[row]), (&bim.a1, &bim.a2), (r1, r2)) {
            return Err(DropReason::AlleleMismatch);
        }
    }
    if options.drop_strand_ambiguous && is_strand_ambiguous(r1, r2) {
        return Err(DropReason::StrandAmbiguous);
    }
    Ok(b)
}

/// Joins summary statistics to a reference .bim (METHODS §E.8 step 2).
///
/// Each summary-statistic row is counted under the first [`DropReason`] that applies, so that
/// `read == used + sum(dropped)` exactly. Identifiers occurring more than once in either file
/// are dropped, every copy.
pub fn build_universe(sumstats: &SumStats, bim: &Bim, options: UniverseOptions) -> Result<Universe> {
    let mut dropped = sumstats.dropped;
    let duplicated: FxHashSet<u64> = {
        let mut keys: Vec<u64> = sumstats.ids.keys.iter().chain(&sumstats.dropped_keys).copied().collect();
        keys.sort_unstable();
        keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect()
    };
    let index = KeyIndex::new(&bim.ids);
    let alleles_checked = sumstats.alleles.is_some();
    let mut strand_ambiguous_kept = 0u64;
    let mut kept: Vec<(u8, u32, u32, f64, u32)> = Vec::with_capacity(sumstats.len());
    for (row, &key) in sumstats.ids.keys.iter().enumerate() {
        match classify(sumstats, bim, &index, &duplicated, row, key, options) {
            Ok(b) => {
                if is_strand_ambiguous(bim.a1.codes[b], bim.a2.codes[b]) {
                    strand_ambiguous_kept += 1;
                }
                kept.push((bim.chrom[b], bim.bp[b], b as u32, sumstats.chisq[row], row as u32));
            }
            Err(reason) => dropped[reason.index()] += 1,
        }
    }
    // Sorting on (chrom, bp, bim row) is the stable sort of .bim order by (chrom, bp).
    kept.sort_unstable_by_key(|&(c, p, b, _, _)| (c, p, b));
    let used = kept.len() as u64;
    let dropped_total: u64 = dropped.iter().sum();
    if used + dropped_total != sumstats.rows_read {
        return Err(Error::Internal(format!(
            "row accounting does not add up: read {} != used {used} + dropped {dropped_total}",
            sumstats.rows_read
        )));
    }
    let bim_duplicate_rows =
        bim.ids.keys.iter().filter(|&&k| index.find(&bim.ids, k) == Some(DUPLICATE)).count() as u64;
    let qc = Qc {
        rows_read: sumstats.rows_read,
        used,
        dropped,
        alleles_checked,
        strand_ambiguous_kept,
        bim_rows: bim.len() as u64,
        bim_duplicate_rows,
        bim_non_autosomal_rows: bim.chrom.iter().filter(|&&c| !is_autosome(c)).count() as u64,
        positions: sumstats
            .positions
            .as_ref()
            .map(|(c, p)| PositionCheck::of((c, p), kept.iter().map(|k| (k.4 as usize, k.0, k.1)))),
    };
    if used == 0 {
        let summary: Vec<String> =
            qc.table().into_iter().filter(|(r, n)| *n > 0 || r == "read").map(|(r, n)| format!("{r}={n}")).collect();
        return Err(Error::InconsistentInput(format!(
            "no SNP of {} is usable with the reference {} ({}); check that both use the same SNP identifiers",
            sumstats.path.display(),
            bim.path.display(),
            summary.join(", ")
        )));
    }
    let chrom: Vec<u8> = kept.iter().map(|k| k.0).collect();
    let chrom_start = chrom_starts(&chrom);
    Ok(Universe {
        bp: kept.iter().map(|k| k.1).collect(),
        bim_row: kept.iter().map(|k| k.2).collect(),
        chisq: kept.iter().map(|k| k.3).collect(),
        n: sumstats.n.as_ref().map(|n| kept.iter().map(|k| n[k.4 as usize]).collect()),
        chrom,
        qc,
        chrom_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::bim::read_bim;
    use crate::io::sumstats::{read_sumstats, SumstatsOptions};

    #[test]
    fn accounts_for_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let bim = dir.path().join("r.bim");
        std::fs::write(
            &bim,
            "2 rs1 0 500 A G\n1 rs2 0 300 A G\n1 rs3 0 100 A T\n1 rs4 0 50 A C\n1 rs4 0 60 A C\n23 rs5 0 10 A G\n1 rs6 0 100 C T\n1 rs7 0 5 A G\n",
        )
        .unwrap();
        let ss = dir.path().join("s.txt");
        std::fs::write(
            &ss,
            "SNP A1 A2 P\nrs1 g a 0.5\nrs2 C T 0.1\nrs3 A T 0.2\nrs4 A C 0.3\nrs5 A G 0.3\nrs6 C T 0.01\nrs8 A G 0.2\nrs9 A G 0.2\nrs9 A G NA\nrs7 A C 0.1\nrs10 A G 7\n",
        )
        .unwrap();
        let s = read_sumstats(&ss, &SumstatsOptions::default()).unwrap();
        let b = read_bim(&bim).unwrap();
        let u = build_universe(&s, &b, UniverseOptions::default()).unwrap();
        // rs3 (100) and rs6 (100) tie on position: .bim order (rs3 first) is kept.
        assert_eq!(u.bim_row, [2, 6, 1, 0]);
        assert_eq!(u.chrom, [1, 1, 1, 2]);
        let q = &u.qc;
        assert_eq!(q.rows_read, 11);
        assert_eq!(q.used, 4);
        assert_eq!(q.dropped[DropReason::DuplicateId.index()], 1);
        assert_eq!(q.dropped[DropReason::MissingStatistic.index()], 1);
        assert_eq!(q.dropped[DropReason::NotInReference.index()], 1);
        assert_eq!(q.dropped[DropReason::DuplicateInReference.index()], 1);
        assert_eq!(q.dropped[DropReason::NonAutosomal.index()], 1);
        assert_eq!(q.dropped[DropReason::AlleleMismatch.index()], 1);
        assert_eq!(q.dropped[DropReason::POutOfRange.index()], 1);
        assert_eq!(q.strand_ambiguous_kept, 1);
        assert_eq!(q.bim_duplicate_rows, 2);
        let u2 = build_universe(&s, &b, UniverseOptions { drop_strand_ambiguous: true }).unwrap();
        assert_eq!(u2.qc.used, 3);
        assert_eq!(u2.qc.dropped[DropReason::StrandAmbiguous.index()], 1);
        assert_eq!(u.range_of(1, 60, 100), (0, 2));
        assert_eq!(u.range_of(1, 100, 100), (0, 2));
        assert_eq!(u.range_of(1, 101, 299), (0, 0));
        assert_eq!(u.range_of(1, 101, 300), (2, 3));
        assert_eq!(u.range_of(2, 0, 1000), (3, 4));
    }
}
