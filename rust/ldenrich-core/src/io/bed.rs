//! BED interval files (`chrom start end [name ...]`, 0-based half-open), one file per
//! annotation category. `track`, `browser` and `#` lines are skipped.

use std::path::{Path, PathBuf};

use crate::chrom::parse_chrom;
use crate::error::{Error, Result};
use crate::io::text::{field, parse_u64, show, split_fields, Delimiter, LineReader};

/// Largest coordinate accepted: positions are 32-bit in the SNP universe, as in PLINK.
const MAX_POSITION: u64 = u32::MAX as u64;

/// Intervals of a BED file, kept in file order.
#[derive(Debug)]
pub struct BedIntervals {
    /// File read.
    pub path: PathBuf,
    /// Chromosome code.
    pub chrom: Vec<u8>,
    /// 0-based start.
    pub start: Vec<u64>,
    /// 0-based exclusive end.
    pub end: Vec<u64>,
    /// Intervals skipped, by reason (`unknown_chromosome`, `empty_interval`).
    pub skipped: Vec<(String, u64)>,
}

impl BedIntervals {
    /// Number of intervals kept.
    pub fn len(&self) -> usize {
        self.start.len()
    }

    /// True when no interval was kept.
    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// First bases, 1-based inclusive: the one place BED's 0-based starts become 1-based.
    pub fn first(&self) -> Vec<u64> {
        self.start.iter().map(|&s| s + 1).collect()
    }

    /// Last bases, 1-based inclusive (a BED end is exclusive 0-based, so the same number).
    pub fn last(&self) -> Vec<u64> {
        self.end.clone()
    }
}

/// Intervals given as columns by a caller (a data frame), in BED convention, held to the same
/// rules as a file: chromosome names parsed as [`parse_chrom`] does (surrounding spaces
/// ignored), coordinates between 0 and [`MAX_POSITION`], `start <= end`; other contigs and
/// zero-length intervals are skipped and counted. `what` names the intervals in errors. Unlike
/// a file, keeping no interval is not an error (the category is simply empty).
pub fn bed_from_columns<S: AsRef<str>>(what: &str, chrom: &[S], start: &[i64], end: &[i64]) -> Result<BedIntervals> {
    if chrom.len() != start.len() || start.len() != end.len() {
        return Err(Error::InvalidArgument(format!(
            "intervals '{what}': chrom, start and end have different lengths ({}, {}, {})",
            chrom.len(),
            start.len(),
            end.len()
        )));
    }
    let in_range = |v: i64| u64::try_from(v).ok().filter(|&v| v <= MAX_POSITION);
    let mut bed = BedIntervals::new(PathBuf::from(what));
    let mut skips = Skips::default();
    for ((name, &s), &e) in chrom.iter().zip(start).zip(end) {
        let (Some(s), Some(e)) = (in_range(s), in_range(e)) else {
            return Err(Error::InvalidArgument(format!(
                "intervals '{what}': coordinates must lie between 0 and {MAX_POSITION}"
            )));
        };
        if e < s {
            return Err(Error::InvalidArgument(format!("intervals '{what}': need start <= end (BED, 0-based)")));
        }
        bed.keep(parse_chrom(name.as_ref().trim().as_bytes()), s, e, &mut skips);
    }
    bed.count_skipped(skips);
    Ok(bed)
}

/// Intervals skipped while collecting, by reason.
#[derive(Default)]
struct Skips {
    unknown_chromosome: u64,
    empty_interval: u64,
}

impl BedIntervals {
    fn new(path: PathBuf) -> Self {
        BedIntervals { path, chrom: Vec::new(), start: Vec::new(), end: Vec::new(), skipped: Vec::new() }
    }

    /// Keeps an interval (`start <= end` already checked), or counts why it is skipped: a name
    /// that is not chromosome 1-26, or zero length.
    fn keep(&mut self, chrom: Option<u8>, start: u64, end: u64, skips: &mut Skips) {
        match chrom {
            None => skips.unknown_chromosome += 1,
            Some(_) if end == start => skips.empty_interval += 1,
            Some(code) => {
                self.chrom.push(code);
                self.start.push(start);
                self.end.push(end);
            }
        }
    }

    fn count_skipped(&mut self, skips: Skips) {
        for (reason, n) in [("unknown_chromosome", skips.unknown_chromosome), ("empty_interval", skips.empty_interval)]
        {
            if n > 0 {
                self.skipped.push((reason.to_string(), n));
            }
        }
    }
}

/// Reads a BED file (plain, gzip or BGZF). Contigs that are not chromosomes 1-26 (e.g.
/// `chrUn_gl000220`, `chr6_cox_hap2`) are skipped and counted, as are zero-length intervals.
pub fn read_bed(path: &Path) -> Result<BedIntervals> {
    let mut reader = LineReader::open(path)?;
    let mut ranges = Vec::new();
    let mut bed = BedIntervals::new(path.to_path_buf());
    let mut skips = Skips::default();
    let mut data_lines = 0u64;
    while let Some((line_no, line)) = reader.next_line()? {
        if line.starts_with(b"#") || line.starts_with(b"track") || line.starts_with(b"browser") {
            continue;
        }
        split_fields(line, Delimiter::Whitespace, &mut ranges);
        if ranges.is_empty() {
            continue;
        }
        if ranges.len() < 3 {
            return Err(Error::parse(
                path,
                line_no,
                format!("a BED line has at least 3 fields (chrom start end); found {}", ranges.len()),
            ));
        }
        let position = |i: usize, name: &str| {
            let raw = field(line, &ranges, i);
            parse_u64(raw).filter(|&v| v <= MAX_POSITION).ok_or_else(|| {
                let hint = if data_lines == 0 && raw.iter().any(u8::is_ascii_alphabetic) {
                    " (a header line must start with '#', 'track' or 'browser')"
                } else {
                    ""
                };
                Error::parse_col(
                    path,
                    line_no,
                    format!("{} ({name})", i + 1),
                    format!("expected a position between 0 and 4294967295, found '{}'{hint}", show(raw)),
                )
            })
        };
        let start = position(1, "start")?;
        let end = position(2, "end")?;
        data_lines += 1;
        if end < start {
            return Err(Error::parse_col(path, line_no, "3 (end)", format!("end {end} is before start {start}")));
        }
        bed.keep(parse_chrom(field(line, &ranges, 0)), start, end, &mut skips);
    }
    bed.count_skipped(skips);
    if bed.start.is_empty() {
        return Err(Error::no_records(path, "interval on chromosomes 1-26", reader.line_number(), &bed.skipped));
    }
    Ok(bed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bed");
        std::fs::write(&p, "track name=x\n#c\nchr1\t10\t20\tn\nchrUn_x\t1\t2\nchr2 5 5\n22 0 1\n").unwrap();
        let b = read_bed(&p).unwrap();
        assert_eq!((b.chrom.clone(), b.start.clone(), b.end.clone()), (vec![1, 22], vec![10, 0], vec![20, 1]));
        assert_eq!(b.skipped.len(), 2);
        std::fs::write(&p, "chr1\t30\t20\n").unwrap();
        assert!(read_bed(&p).unwrap_err().to_string().contains("before start"));
        std::fs::write(&p, "chrom\tstart\tend\n").unwrap();
        assert!(read_bed(&p).unwrap_err().to_string().contains("header line"));
    }

    #[test]
    fn columns_follow_the_file_rules() {
        let chrom = [" chr1", "chrUn_x", "X", "2", "7"];
        let b = bed_from_columns("f", &chrom, &[10, 1, 5, 3, 0], &[20, 2, 6, 3, 1]).unwrap();
        assert_eq!((b.chrom.clone(), b.first(), b.last()), (vec![1, 23, 7], vec![11, 6, 1], vec![20, 6, 1]));
        assert_eq!(b.skipped, vec![("unknown_chromosome".to_string(), 1), ("empty_interval".to_string(), 1)]);
        let err = |s: i64, e: i64| bed_from_columns("f", &["1"], &[s], &[e]).unwrap_err().to_string();
        assert!(err(5, 4).contains("start <= end"));
        assert!(err(-1, 4).contains("between 0 and"));
        assert!(err(0, 1 << 33).contains("between 0 and"));
        assert!(bed_from_columns("f", &["1"], &[1, 2], &[3]).is_err());
        assert!(bed_from_columns::<&str>("f", &[], &[], &[]).unwrap().is_empty());
    }
}
