//! The SNP universe of the enrichment screen: summary-statistic rows whose identifier is in the
//! reference .bim, autosomes only, in .bim order stably sorted by (chromosome, position).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::annot::positions::PositionCheck;
use crate::chrom::is_autosome;
use crate::error::{Error, Result};
use crate::io::alleles::{alleles_match, is_strand_ambiguous};
use crate::io::bim::Bim;
use crate::io::snpid::{SnpKey, DUPLICATE};
use crate::io::sumstats::{DropCounts, DropReason, SumStats};
use crate::parallel::cuts_at_common_keys;

static UNIVERSES_BUILT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times [`build_universe`] has run in this process: the join is the costliest step
/// after reading, so a pipeline that shares one universe between analyses can prove it does.
pub fn universes_built() -> u64 {
    UNIVERSES_BUILT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Options of the join.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UniverseOptions {
    /// Drop A/T and C/G SNPs (kept by default: a chi-square has no direction).
    pub drop_strand_ambiguous: bool,
    /// How rows find their reference SNP.
    pub matching: Matching,
}

/// How a summary-statistic row finds its reference SNP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Matching {
    /// rs numbers by rsid; rows without one (no id, `chr:pos:a1:a2`, several rsids) by
    /// position and alleles when they have a position, by their id text otherwise.
    #[default]
    Auto,
    /// Every row by its identifier.
    Rsid,
    /// Every row by chromosome, position and alleles.
    Position,
}

impl Matching {
    /// Parses `auto`, `rsid` or `position`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "auto" => Ok(Matching::Auto),
            "rsid" | "id" => Ok(Matching::Rsid),
            "position" | "pos" => Ok(Matching::Position),
            other => Err(Error::InvalidArgument(format!("match must be auto, rsid or position; got '{other}'"))),
        }
    }
}

/// Which rows are matched by position (`None`: none of them).
fn position_route(sumstats: &SumStats, matching: Matching) -> Option<Vec<bool>> {
    let ids = &sumstats.ids;
    match matching {
        Matching::Rsid => None,
        Matching::Position => Some(vec![true; ids.len()]),
        Matching::Auto => {
            let (chrom, bp) = sumstats.positions.as_ref()?;
            let route: Vec<bool> = ids
                .keys
                .par_iter()
                .enumerate()
                .map(|(row, &key)| match ids.resolve(key) {
                    SnpKey::Rs(_) => false,
                    // Without an id, the position is all there is (a missing one is counted).
                    SnpKey::Other(b"") => true,
                    SnpKey::Other(_) => chrom[row] != 0 && bp[row] != 0,
                })
                .collect();
            route.contains(&true).then_some(route)
        }
    }
}

/// Matches the routed rows by (chromosome, position), then alleles: a row takes the one
/// reference SNP at its position whose alleles match its own directly, swapped or
/// strand-flipped (which resolves multi-allelic sites). Writes each routed row's .bim row or
/// drop outcome into `target`.
fn join_positions(sumstats: &SumStats, bim: &Bim, route: &[bool], target: &mut [u32]) {
    let no_position = DROPPED + DropReason::NoPosition.index() as u32;
    let Some((chrom, bp)) = sumstats.positions.as_ref() else {
        for (t, _) in target.iter_mut().zip(route).filter(|(_, &r)| r) {
            *t = no_position;
        }
        return;
    };
    let key = |c: u8, p: u32| (u64::from(c) << 32) | u64::from(p);
    let bim_key = |b: usize| key(bim.chrom[b], bim.bp[b]);
    let mut ss_pairs: Vec<(u64, u32)> = (0..route.len())
        .into_par_iter()
        .filter(|&r| route[r] && chrom[r] != 0 && bp[r] != 0)
        .map(|r| (key(chrom[r], bp[r]), r as u32))
        .collect();
    // Most .bim files are in genome order: then the .bim itself is the sorted side and
    // nothing of its size is allocated; otherwise its rows are sorted by position once.
    let (order, ()) = rayon::join(
        || -> Option<Vec<u32>> {
            if (1..bim.len()).into_par_iter().all(|b| bim_key(b - 1) <= bim_key(b)) {
                return None;
            }
            let mut pairs: Vec<(u64, u32)> = (0..bim.len()).into_par_iter().map(|b| (bim_key(b), b as u32)).collect();
            crate::radix::sort_pairs(&mut pairs);
            Some(pairs.into_iter().map(|p| p.1).collect())
        },
        || crate::radix::sort_pairs(&mut ss_pairs),
    );
    let bim_at = |i: usize| order.as_ref().map_or(i, |o| o[i] as usize);
    for (r, t) in target.iter_mut().enumerate() {
        if route[r] {
            *t = no_position;
        }
    }
    let alleles_fit = |row: usize, b: usize| match &sumstats.alleles {
        Some((s1, s2)) => alleles_match(
            (s1, s2),
            (s1.codes[row], s2.codes[row]),
            (&bim.a1, &bim.a2),
            (bim.a1.codes[b], bim.a2.codes[b]),
        ),
        None => true,
    };
    let n = bim.len();
    let mut j = 0usize;
    for &(k, row) in &ss_pairs {
        // Galloping then binary search: a few rows by position (auto mode) cost
        // O(rows log n), every row (position mode) a linear merge.
        let mut step = 1usize;
        let mut hi = j;
        while hi < n && bim_key(bim_at(hi)) < k {
            j = hi + 1;
            hi = j + step;
            step *= 2;
        }
        let mut hi = hi.min(n);
        while j < hi {
            let mid = j + (hi - j) / 2;
            if bim_key(bim_at(mid)) < k {
                j = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut end = j;
        while end < n && bim_key(bim_at(end)) == k {
            end += 1;
        }
        let row = row as usize;
        target[row] = if end == j {
            ABSENT
        } else {
            let mut fits = (j..end).map(bim_at).filter(|&b| alleles_fit(row, b));
            match (fits.next(), fits.next()) {
                (None, _) => DROPPED + DropReason::AlleleMismatch.index() as u32,
                (Some(b), None) => b as u32,
                (Some(_), Some(_)) => DUPLICATE,
            }
        };
    }
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

/// Marks a sumstats row whose identifier is not in the .bim.
const ABSENT: u32 = u32::MAX - 1;
/// Outcomes at or above this are drop reasons ([`DropReason::index`] added); below, .bim rows.
const DROPPED: u32 = u32::MAX - 64;

/// For every row of the summary statistics, the .bim row carrying the same identifier
/// ([`ABSENT`] if none, [`DUPLICATE`] if several), whether the identifier occurs more than once
/// in the summary statistics (valid or dropped rows), and the number of .bim rows whose
/// identifier is duplicated there.
///
/// rs numbers (nearly all rows) are joined by radix-sorting both key columns and merging them:
/// linear passes over memory instead of one cache miss per row in a hash table of millions of
/// entries. Other identifiers are interned per file, so their keys are not comparable across
/// files; they are matched by their bytes through a hash map of the (few) .bim ones.
fn join_keys(sumstats: &SumStats, bim: &Bim, route: Option<&[bool]>) -> (Vec<u32>, Vec<bool>, u64) {
    let ss = &sumstats.ids;
    let n = ss.keys.len();
    // Rows matched by position are left to `join_positions`.
    let by_id = |row: usize| route.is_none_or(|r| !r[row]);
    // rs numbers below 2^32 (all of dbSNP) with a row number below 2^32 are packed into one
    // u64, key in the high half: half the memory of (key, row) pairs and the sort carries the
    // row along for free. Any other key (interned ids, absurd rs numbers, dropped rows) goes
    // through the hash maps below.
    let packable = |k: u64| k >> 32 == 0;
    let (ss_sorted, bim_sorted) = rayon::join(
        || {
            let mut v: Vec<u64> = ss
                .keys
                .iter()
                .enumerate()
                .filter(|&(i, &k)| packable(k) && by_id(i))
                .map(|(i, &k)| (k << 32) | i as u64)
                .collect();
            crate::radix::sort_u64_by_high_bits(&mut v, 32);
            v
        },
        || {
            let mut v: Vec<u64> = bim
                .ids
                .keys
                .iter()
                .enumerate()
                .filter(|(_, &k)| packable(k))
                .map(|(i, &k)| (k << 32) | i as u64)
                .collect();
            crate::radix::sort_u64_by_high_bits(&mut v, 32);
            v
        },
    );
    // Atomics so that the merge below can write from several threads; filled in parallel too.
    let target: Vec<AtomicU32> = (0..n).into_par_iter().map(|_| AtomicU32::new(ABSENT)).collect();
    let duplicated: Vec<AtomicBool> = (0..n).into_par_iter().map(|_| AtomicBool::new(false)).collect();
    let mut bim_duplicate_rows = 0u64;
    // The .bim's other identifiers: by bytes for interned ids (keys are per file), by number
    // for rs numbers too large to pack.
    let mut other: FxHashMap<&[u8], u32> = FxHashMap::default();
    let mut big_rs: FxHashMap<u64, u32> = FxHashMap::default();
    let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
    // Files of rs numbers only (the usual case) skip the scans for the other identifiers.
    if bim_sorted.len() < bim.ids.keys.len() {
        for (row, &key) in bim.ids.keys.iter().enumerate() {
            match bim.ids.resolve(key) {
                _ if packable(key) => {}
                SnpKey::Other(bytes) => {
                    other.entry(bytes).and_modify(|r| *r = DUPLICATE).or_insert(row as u32);
                }
                SnpKey::Rs(number) => {
                    big_rs.entry(number).and_modify(|r| *r = DUPLICATE).or_insert(row as u32);
                }
            }
        }
        for &key in &bim.ids.keys {
            let dup = match bim.ids.resolve(key) {
                _ if packable(key) => false,
                SnpKey::Other(bytes) => other.get(bytes) == Some(&DUPLICATE),
                SnpKey::Rs(number) => big_rs.get(&number) == Some(&DUPLICATE),
            };
            bim_duplicate_rows += u64::from(dup);
        }
    }
    // Summary-statistic keys seen more than once, among the dropped and the unpacked rows
    // (a dropped copy makes its valid twin a duplicate too).
    for &key in &sumstats.dropped_keys {
        *seen.entry(key).or_insert(0) += 1;
    }
    if ss_sorted.len() < n {
        // Rows without an id (kept for matching by position) are not duplicates of each other.
        let no_id = |key: u64| ss.resolve(key) == SnpKey::Other(b"");
        let unpacked = |(row, &key): &(usize, &u64)| !packable(key) && by_id(*row);
        for (_, &key) in ss.keys.iter().enumerate().filter(unpacked) {
            if !no_id(key) {
                *seen.entry(key).or_insert(0) += 1;
            }
        }
        for (row, &key) in ss.keys.iter().enumerate().filter(unpacked) {
            {
                let found = match ss.resolve(key) {
                    SnpKey::Other(b"") => DROPPED + DropReason::MissingId.index() as u32,
                    SnpKey::Other(bytes) => other.get(bytes).copied().unwrap_or(ABSENT),
                    SnpKey::Rs(number) => big_rs.get(&number).copied().unwrap_or(ABSENT),
                };
                target[row].store(found, Ordering::Relaxed);
                duplicated[row].store(seen.get(&key).is_some_and(|&c| c > 1), Ordering::Relaxed);
            }
        }
    }
    // The merge writes one random slot a row, so it is memory-bound: parts of the key range
    // are merged on all threads. Equal keys never straddle two parts, and every slot written
    // depends only on its row, so the result does not depend on the split.
    let key = |packed: &u64| packed >> 32;
    let cuts = cuts_at_common_keys(&ss_sorted, &bim_sorted, rayon::current_num_threads() * 4, key, key);
    cuts.par_windows(2).for_each(|w| {
        let ss_part = &ss_sorted[w[0].0..w[1].0];
        let bim_part = &bim_sorted[w[0].1..w[1].1];
        let mut j = 0usize;
        let mut i = 0usize;
        while i < ss_part.len() {
            let key = ss_part[i] >> 32;
            let mut end = i + 1;
            while end < ss_part.len() && ss_part[end] >> 32 == key {
                end += 1;
            }
            while j < bim_part.len() && bim_part[j] >> 32 < key {
                j += 1;
            }
            let mut k = j;
            while k < bim_part.len() && bim_part[k] >> 32 == key {
                k += 1;
            }
            let found = match k - j {
                0 => ABSENT,
                1 => bim_part[j] as u32,
                _ => DUPLICATE,
            };
            let dup = end - i > 1 || (!seen.is_empty() && seen.contains_key(&key));
            // Most rows are unique and found: one random write each instead of two.
            if found != ABSENT {
                for &packed in &ss_part[i..end] {
                    target[packed as u32 as usize].store(found, Ordering::Relaxed);
                }
            }
            if dup {
                for &packed in &ss_part[i..end] {
                    duplicated[packed as u32 as usize].store(true, Ordering::Relaxed);
                }
            }
            i = end;
        }
    });
    let target: Vec<u32> = target.into_iter().map(AtomicU32::into_inner).collect();
    let duplicated: Vec<bool> = duplicated.into_iter().map(AtomicBool::into_inner).collect();
    // Duplicated rs numbers of the .bim: runs of equal keys.
    let mut a = 0usize;
    while a < bim_sorted.len() {
        let mut b = a + 1;
        while b < bim_sorted.len() && bim_sorted[b] >> 32 == bim_sorted[a] >> 32 {
            b += 1;
        }
        if b - a > 1 {
            bim_duplicate_rows += (b - a) as u64;
        }
        a = b;
    }
    (target, duplicated, bim_duplicate_rows)
}

/// The .bim row a summary-statistic row joins to, or the first reason it cannot be used.
fn classify(
    sumstats: &SumStats,
    bim: &Bim,
    target: u32,
    duplicated: bool,
    row: usize,
    options: UniverseOptions,
) -> std::result::Result<usize, DropReason> {
    if duplicated {
        return Err(DropReason::DuplicateId);
    }
    let b = match target {
        ABSENT => return Err(DropReason::NotInReference),
        DUPLICATE => return Err(DropReason::DuplicateInReference),
        t if t >= DROPPED => return Err(DropReason::ALL[(t - DROPPED) as usize]),
        b => b as usize,
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

/// The rows of both files that every usable SNP comes from, in genome order, and the
/// accounting of every summary-statistic row.
#[derive(Debug, Clone)]
pub struct Joined {
    /// .bim row of each usable SNP, sorted by (chromosome, position), ties in .bim order.
    pub bim_rows: Vec<u32>,
    /// Summary-statistic row of each, in the same order.
    pub sumstats_rows: Vec<u32>,
    /// Every row accounted for.
    pub qc: Qc,
}

/// Joins summary statistics to a reference .bim (docs/methods.md §5.2).
///
/// Each summary-statistic row is counted under the first [`DropReason`] that applies, so that
/// `read == used + sum(dropped)` exactly. Identifiers occurring more than once in either file
/// are dropped, every copy. No usable SNP is an error.
pub fn join(sumstats: &SumStats, bim: &Bim, options: UniverseOptions) -> Result<Joined> {
    if bim.len() >= DROPPED as usize {
        return Err(Error::InvalidArgument(format!(
            "{}: {} rows; at most {} are supported",
            bim.path.display(),
            bim.len(),
            DROPPED
        )));
    }
    let mut dropped = sumstats.dropped;
    let route = position_route(sumstats, options.matching);
    let (mut outcome, mut duplicated, bim_duplicate_rows) = join_keys(sumstats, bim, route.as_deref());
    if let Some(route) = route.as_deref() {
        join_positions(sumstats, bim, route, &mut outcome);
        // Two rows on one reference SNP (by id and by position, or two positions rows) are
        // duplicates, every copy.
        let mut hits = vec![0u8; bim.len()];
        for &t in &outcome {
            if t < DROPPED {
                hits[t as usize] = hits[t as usize].saturating_add(1);
            }
        }
        for (d, &t) in duplicated.iter_mut().zip(&outcome) {
            *d |= t < DROPPED && hits[t as usize] > 1;
        }
    }
    let alleles_checked = sumstats.alleles.is_some();
    // In place: each row's .bim row becomes its outcome, the .bim row or DROPPED + the reason.
    outcome.par_iter_mut().zip(duplicated.par_iter()).enumerate().for_each(|(row, (target, &duplicated))| {
        *target = match classify(sumstats, bim, *target, duplicated, row, options) {
            Ok(b) => b as u32,
            Err(reason) => DROPPED + reason.index() as u32,
        };
    });
    drop(duplicated);
    // Sumstats row of each .bim row that joins one (each joins at most one: duplicates are
    // dropped), so the universe can be built in .bim order.
    let mut row_of_bim = vec![u32::MAX; bim.len()];
    let mut strand_ambiguous_kept = 0u64;
    for (row, &o) in outcome.iter().enumerate() {
        if o >= DROPPED {
            dropped[(o - DROPPED) as usize] += 1;
            continue;
        }
        let b = o as usize;
        strand_ambiguous_kept += u64::from(is_strand_ambiguous(bim.a1.codes[b], bim.a2.codes[b]));
        row_of_bim[b] = row as u32;
    }
    drop(outcome);
    // The universe's .bim rows in .bim order (rayon's collect keeps it), then stably sorted by
    // (chromosome, position) unless, as in most .bim files, they already are.
    let genome_key = |b: u32| (u64::from(bim.chrom[b as usize]) << 32) | u64::from(bim.bp[b as usize]);
    let mut kept: Vec<u32> =
        (0..bim.len() as u32).into_par_iter().filter(|&b| row_of_bim[b as usize] != u32::MAX).collect();
    if !kept.par_windows(2).all(|w| genome_key(w[0]) <= genome_key(w[1])) {
        let mut pairs: Vec<(u64, u32)> = kept.par_iter().map(|&b| (genome_key(b), b)).collect();
        crate::radix::sort_pairs(&mut pairs);
        kept = pairs.into_iter().map(|p| p.1).collect();
    }
    let used = kept.len() as u64;
    let dropped_total: u64 = dropped.iter().sum();
    if used + dropped_total != sumstats.rows_read {
        return Err(Error::Internal(format!(
            "row accounting does not add up: read {} != used {used} + dropped {dropped_total}",
            sumstats.rows_read
        )));
    }
    let qc = Qc {
        rows_read: sumstats.rows_read,
        used,
        dropped,
        alleles_checked,
        strand_ambiguous_kept,
        bim_rows: bim.len() as u64,
        bim_duplicate_rows,
        bim_non_autosomal_rows: bim.chrom.iter().filter(|&&c| !is_autosome(c)).count() as u64,
        // Only rows matched by id say anything about the build: those matched by position agree.
        positions: sumstats.positions.as_ref().map(|(c, p)| {
            let by_id = |&(row, _, _): &(usize, u8, u32)| route.as_ref().is_none_or(|r| !r[row]);
            let matched = kept
                .iter()
                .map(|&b| (row_of_bim[b as usize] as usize, bim.chrom[b as usize], bim.bp[b as usize]))
                .filter(by_id);
            PositionCheck::of((c, p), matched)
        }),
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
    let sumstats_rows: Vec<u32> = kept.par_iter().map(|&b| row_of_bim[b as usize]).collect();
    Ok(Joined { bim_rows: kept, sumstats_rows, qc })
}

/// The SNP universe of [`join`]: the reference's positions and the statistics of every usable
/// SNP, in genome order.
pub fn build_universe(sumstats: &SumStats, bim: &Bim, options: UniverseOptions) -> Result<Universe> {
    UNIVERSES_BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let Joined { bim_rows: kept, sumstats_rows, qc } = join(sumstats, bim, options)?;
    let rows = &sumstats_rows;
    let ((chrom, bp), (chisq, n)) = rayon::join(
        || {
            rayon::join(
                || kept.par_iter().map(|&b| bim.chrom[b as usize]).collect::<Vec<u8>>(),
                || kept.par_iter().map(|&b| bim.bp[b as usize]).collect::<Vec<u32>>(),
            )
        },
        || {
            rayon::join(
                || rows.par_iter().map(|&r| sumstats.chisq[r as usize]).collect::<Vec<f64>>(),
                || sumstats.n.as_ref().map(|n| rows.par_iter().map(|&r| n[r as usize]).collect::<Vec<f64>>()),
            )
        },
    );
    let chrom_start = chrom_starts(&chrom);
    Ok(Universe { bp, bim_row: kept, chisq, n, chrom, qc, chrom_start })
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
            "SNP A1 A2 P\nrs1 g a 0.5\nrs2 C T 0.1\nrs3 A T 0.2\nrs4 A C 0.3\nrs5 A G 0.3\nrs6 C T 0.01\nrs8 A G 0.2\nrs9 A G 0.2\nrs9 A G NA\nrs7 A C 0.1\nrs10 A G abc\n",
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
        assert_eq!(q.dropped[DropReason::InvalidStatistic.index()], 1);
        assert_eq!(q.strand_ambiguous_kept, 1);
        assert_eq!(q.bim_duplicate_rows, 2);
        let u2 = build_universe(&s, &b, UniverseOptions { drop_strand_ambiguous: true, ..Default::default() }).unwrap();
        assert_eq!(u2.qc.used, 3);
        assert_eq!(u2.qc.dropped[DropReason::StrandAmbiguous.index()], 1);
        assert_eq!(u.range_of(1, 60, 100), (0, 2));
        assert_eq!(u.range_of(1, 100, 100), (0, 2));
        assert_eq!(u.range_of(1, 101, 299), (0, 0));
        assert_eq!(u.range_of(1, 101, 300), (2, 3));
        assert_eq!(u.range_of(2, 0, 1000), (3, 4));
    }

    #[test]
    fn the_join_does_not_depend_on_the_thread_count() {
        // Duplicates in both files and absent ids, so that runs of equal keys meet the
        // boundaries of the parts merged on different threads.
        let dir = tempfile::tempdir().unwrap();
        let (mut bim_text, mut ss_text) = (String::new(), String::from("SNP A1 A2 P\n"));
        for i in 0..3000u64 {
            let id = (i * 7919) % 2500;
            bim_text.push_str(&format!("{} rs{id} 0 {} A G\n", 1 + i % 3, 1000 + i));
            if i % 5 != 0 {
                let sid = (i * 104_729) % 2700;
                ss_text.push_str(&format!("rs{sid} A G 0.{}\n", 1 + i % 9));
            }
        }
        std::fs::write(dir.path().join("r.bim"), bim_text).unwrap();
        std::fs::write(dir.path().join("s.txt"), ss_text).unwrap();
        let s = read_sumstats(&dir.path().join("s.txt"), &SumstatsOptions::default()).unwrap();
        let b = read_bim(&dir.path().join("r.bim")).unwrap();
        let build = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| build_universe(&s, &b, UniverseOptions::default()).unwrap())
        };
        let (one, many) = (build(1), build(5));
        assert!(one.qc.used > 100 && one.qc.dropped[DropReason::DuplicateId.index()] > 0);
        assert!(one.qc.dropped[DropReason::DuplicateInReference.index()] > 0);
        assert_eq!(one.bim_row, many.bim_row);
        assert_eq!(one.chisq, many.chisq);
        assert_eq!(one.qc.table(), many.qc.table());
        assert_eq!(one.qc.bim_duplicate_rows, many.qc.bim_duplicate_rows);
    }

    fn universe_of(bim_text: &str, ss_text: &str, matching: Matching) -> Result<Universe> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r.bim"), bim_text).unwrap();
        std::fs::write(dir.path().join("s.txt"), ss_text).unwrap();
        let s = read_sumstats(&dir.path().join("s.txt"), &SumstatsOptions::default()).unwrap();
        let b = read_bim(&dir.path().join("r.bim")).unwrap();
        build_universe(&s, &b, UniverseOptions { matching, ..Default::default() })
    }

    const MULTI_BIM: &str = "1 rs1 0 100 A G\n1 rs2 0 100 A C\n1 rs3 0 200 C T\n1 rs4 0 300 A G\n1 rs4b 0 300 A G\n23 rs5 0 50 A G\n2 rs6 0 400 G T\n2 rs7 0 500 A C\n";

    #[test]
    fn matches_by_position_and_alleles() {
        // No id column: chromosome codes in several spellings, multi-allelic site 1:100
        // resolved by alleles (direct, swapped, flipped), and every reason counted.
        let ss = "chr\tpos\tref\talt\tP\nchr1\t100\tC\tA\t0.1\n1\t100\tT\tC\t0.2\n1\t200\tT\tC\t0.3\n1\t300\tA\tG\t0.4\nX\t50\tA\tG\t0.5\n23\t50\tA\tG\t0.5\n2\t400\tA\tG\t0.6\n2\t999\tA\tG\t0.7\nUn\t5\tA\tG\t0.8\n2\t500\tA\tC\t0.01\n2\t500\tC\tA\t0.02\n";
        let u = universe_of(MULTI_BIM, ss, Matching::Auto).unwrap();
        assert_eq!(u.bim_row, [0, 1, 2]);
        assert_eq!(u.chisq[0], crate::special::chisq_from_p(0.2));
        let q = &u.qc;
        assert_eq!(q.rows_read, 11);
        let count = |r: DropReason| q.dropped[r.index()];
        assert_eq!(count(DropReason::DuplicateInReference), 1); // 1:300 twice in the .bim
        assert_eq!(count(DropReason::DuplicateId), 4); // X:50 twice, 2:500 twice
        assert_eq!(count(DropReason::AlleleMismatch), 1); // 2:400 A/G against G/T
        assert_eq!(count(DropReason::NotInReference), 1); // 2:999
        assert_eq!(count(DropReason::NoPosition), 1); // chromosome Un
        assert_eq!(q.positions.unwrap().compared, 0);
        // The .bim in genome order (merged in place rather than sorted): the same outcome.
        let sorted_bim = MULTI_BIM.replace("23 rs5 0 50 A G\n", "") + "23 rs5 0 50 A G\n";
        let v = universe_of(&sorted_bim, ss, Matching::Auto).unwrap();
        assert_eq!((v.chisq, v.qc.table()), (u.chisq.clone(), u.qc.table()));
        // The same rows forced to rsid matching: no id at all.
        let err = universe_of(MULTI_BIM, ss, Matching::Rsid).unwrap_err().to_string();
        assert!(err.contains("no SNP") && err.contains("dropped_missing_snp_id=11"), "{err}");
    }

    #[test]
    fn auto_matches_rsids_by_id_and_the_rest_by_position() {
        // rs rows by id (rs3's written position is wrong and does not matter), chr:pos:a1:a2
        // ids by position, empty ids by position, and an rs row whose SNP a position row also
        // claims makes both duplicates.
        let ss = "SNP CHR BP A1 A2 P\nrs3 1 999 T C 0.3\n1:100:A:G . . . . 0.1\n. 2 500 C A 0.2\nrs7 2 500 A C 0.4\nkgp9 . . . . 0.5\n";
        let u = universe_of(MULTI_BIM, ss, Matching::Auto).unwrap();
        assert_eq!(u.bim_row, [0, 2]);
        let q = &u.qc;
        assert_eq!(q.dropped[DropReason::DuplicateId.index()], 2);
        assert_eq!(q.dropped[DropReason::NoPosition.index()], 0);
        assert_eq!(q.dropped[DropReason::NotInReference.index()], 1); // kgp9 has no position
        assert_eq!(q.used, 2);
        // Only rs3 was matched by id, and its written position is not the reference's.
        assert_eq!(q.positions.unwrap().compared, 1);
        let ss = "variant\tpval\n1:100:G:A\t0.1\n1:100:A:C\t0.2\n1:200:C:T\t0.3\n2:500:A:C\t0.4\nrs4\t0.5\n";
        let u = universe_of(MULTI_BIM, ss, Matching::Auto).unwrap();
        assert_eq!(u.bim_row, [0, 1, 2, 3, 7]);
        // Forced by position, the rs row has no position.
        let u = universe_of(MULTI_BIM, ss, Matching::Position).unwrap();
        assert_eq!(u.bim_row, [0, 1, 2, 7]);
        assert_eq!(u.qc.dropped[DropReason::NoPosition.index()], 1);
        // Forced by id, chr:pos ids are ids (none in this .bim).
        let u = universe_of(MULTI_BIM, ss, Matching::Rsid).unwrap();
        assert_eq!(u.bim_row, [3]);
        assert_eq!(u.qc.dropped[DropReason::NotInReference.index()], 4);
    }

    #[test]
    fn joins_ids_that_are_not_small_rs_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let bim = dir.path().join("r.bim");
        std::fs::write(
            &bim,
            "1 1:100:A:G 0 100 A G\n1 rs99999999999 0 200 A G\n1 kgp7 0 300 A G\n1 kgp7 0 301 A G\n1 rs5 0 400 A G\n1 x9 0 500 A G\n",
        )
        .unwrap();
        let ss = dir.path().join("s.txt");
        std::fs::write(
            &ss,
            "SNP P\n1:100:A:G 0.5\nrs99999999999 0.1\nkgp7 0.2\nrs5 0.3\nrs5 NA\nx9 0.1\nx9 0.2\nrs6 0.4\n",
        )
        .unwrap();
        let s = read_sumstats(&ss, &SumstatsOptions::default()).unwrap();
        let b = read_bim(&bim).unwrap();
        let u = build_universe(&s, &b, UniverseOptions::default()).unwrap();
        assert_eq!(u.bim_row, [0, 1]);
        let q = &u.qc;
        assert_eq!(q.dropped[DropReason::DuplicateInReference.index()], 1);
        // rs5 (a dropped copy) and x9 (twice): every copy.
        assert_eq!(q.dropped[DropReason::DuplicateId.index()], 3);
        assert_eq!(q.dropped[DropReason::MissingStatistic.index()], 1);
        assert_eq!(q.dropped[DropReason::NotInReference.index()], 1);
        assert_eq!(q.bim_duplicate_rows, 2);
    }
}
