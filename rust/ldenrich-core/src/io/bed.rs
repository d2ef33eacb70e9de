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
}

/// Reads a BED file (plain, gzip or BGZF). Contigs that are not chromosomes 1-26 (e.g.
/// `chrUn_gl000220`, `chr6_cox_hap2`) are skipped and counted, as are zero-length intervals.
pub fn read_bed(path: &Path) -> Result<BedIntervals> {
    let mut reader = LineReader::open(path)?;
    let mut ranges = Vec::new();
    let mut bed = BedIntervals {
        path: path.to_path_buf(),
        chrom: Vec::new(),
        start: Vec::new(),
        end: Vec::new(),
        skipped: Vec::new(),
    };
    let (mut unknown, mut empty) = (0u64, 0u64);
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
        let Some(chrom) = parse_chrom(field(line, &ranges, 0)) else {
            unknown += 1;
            continue;
        };
        if end == start {
            empty += 1;
            continue;
        }
        bed.chrom.push(chrom);
        bed.start.push(start);
        bed.end.push(end);
    }
    for (reason, n) in [("unknown_chromosome", unknown), ("empty_interval", empty)] {
        if n > 0 {
            bed.skipped.push((reason.to_string(), n));
        }
    }
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
}
