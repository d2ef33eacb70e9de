//! MAGMA gene-location files: `id chrom start stop [strand [symbol]]`, whitespace separated, no
//! header, 1-based closed coordinates (docs/methods.md §1.1).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::chrom::parse_chrom;
use crate::error::{Error, Result};
use crate::io::text::{field, parse_u64, show, split_fields, Delimiter, LineReader};

/// Transcription direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strand {
    /// `+`.
    Forward,
    /// `-`.
    Reverse,
}

/// Genes of a gene-location file that MAGMA's rules keep.
#[derive(Debug)]
pub struct GeneLoc {
    /// File read.
    pub path: PathBuf,
    /// Gene identifier (Entrez ID in NCBI37.3.gene.loc).
    pub ids: Vec<String>,
    /// Chromosome code.
    pub chrom: Vec<u8>,
    /// Transcript start (1-based).
    pub start: Vec<u64>,
    /// Transcript stop (1-based, inclusive).
    pub stop: Vec<u64>,
    /// Strand; `Forward` for every gene when the file has no valid strand column.
    pub strand: Vec<Strand>,
    /// Gene symbol (empty when the file has no symbol column).
    pub symbol: Vec<String>,
    /// False when the first line had no valid strand, so all genes are taken as `+`.
    pub has_strand: bool,
    /// Lines skipped, by reason (`unknown_chromosome`, `chromosome_0`, `stop_not_after_start`,
    /// `invalid_strand`), as MAGMA skips them.
    pub skipped: Vec<(String, u64)>,
    /// Warnings for the user.
    pub warnings: Vec<String>,
}

impl GeneLoc {
    /// Number of genes kept.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no gene was kept.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The window-extended closed interval `[start', stop']` of gene `i` under MAGMA's
    /// strand-aware rule (docs/methods.md §1.2): `up` bp before the transcription start and
    /// `down` bp after its end, start clamped at 0.
    pub fn window(&self, i: usize, up: u64, down: u64) -> (u64, u64) {
        let (before, after) = match self.strand[i] {
            Strand::Forward => (up, down),
            Strand::Reverse => (down, up),
        };
        (self.start[i].saturating_sub(before), self.stop[i] + after)
    }
}

/// Reads a MAGMA `.gene.loc` file (plain or gzip).
pub fn read_gene_loc(path: &Path) -> Result<GeneLoc> {
    let mut reader = LineReader::open(path)?;
    let mut ranges = Vec::new();
    let mut genes = GeneLoc {
        path: path.to_path_buf(),
        ids: Vec::new(),
        chrom: Vec::new(),
        start: Vec::new(),
        stop: Vec::new(),
        strand: Vec::new(),
        symbol: Vec::new(),
        has_strand: true,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    let mut skipped: Vec<(&'static str, u64)> = Vec::new();
    let mut skip = |reason: &'static str| match skipped.iter_mut().find(|(r, _)| *r == reason) {
        Some((_, n)) => *n += 1,
        None => skipped.push((reason, 1)),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut first = true;
    while let Some((line_no, line)) = reader.next_line()? {
        split_fields(line, Delimiter::Whitespace, &mut ranges);
        if ranges.is_empty() || line.starts_with(b"#") {
            continue;
        }
        if ranges.len() < 4 {
            return Err(Error::parse(
                path,
                line_no,
                format!(
                    "a gene location line has at least 4 fields (id chrom start stop [strand [symbol]]); found {}",
                    ranges.len()
                ),
            ));
        }
        let id = String::from_utf8_lossy(field(line, &ranges, 0)).into_owned();
        let coordinate = |i: usize, name: &str| {
            let raw = field(line, &ranges, i);
            parse_u64(raw).ok_or_else(|| {
                Error::parse_col(
                    path,
                    line_no,
                    format!("{} ({name})", i + 1),
                    format!("expected a positive integer, found '{}'", show(raw)),
                )
            })
        };
        let start = coordinate(2, "start")?;
        let stop = coordinate(3, "stop")?;
        let strand_raw = (ranges.len() > 4).then(|| field(line, &ranges, 4));
        let strand = match strand_raw {
            Some(b"+") => Some(Strand::Forward),
            Some(b"-") => Some(Strand::Reverse),
            _ => None,
        };
        if first {
            first = false;
            if strand.is_none() {
                genes.has_strand = false;
                genes.warnings.push(format!(
                    "{}: no valid strand column on the first line; assuming + strand for all genes (as MAGMA does)",
                    path.display()
                ));
            }
        }
        let strand = if genes.has_strand {
            match (strand, strand_raw) {
                (Some(s), _) => s,
                (None, Some(_)) => {
                    skip("invalid_strand");
                    continue;
                }
                (None, None) => {
                    return Err(Error::parse_col(
                        path,
                        line_no,
                        "5 (strand)",
                        "the strand column is missing on this line but present on the first",
                    ));
                }
            }
        } else {
            Strand::Forward
        };
        let chrom_raw = field(line, &ranges, 1);
        let chrom = match parse_chrom(chrom_raw) {
            Some(0) => {
                skip("chromosome_0");
                continue;
            }
            Some(c) => c,
            None => {
                skip("unknown_chromosome");
                continue;
            }
        };
        if stop <= start {
            skip("stop_not_after_start");
            continue;
        }
        if let Some(previous) = seen.insert(id.clone(), line_no) {
            return Err(Error::parse_col(
                path,
                line_no,
                "1 (gene id)",
                format!("gene id '{id}' already appeared on line {previous}; gene ids must be unique"),
            ));
        }
        let symbol = if ranges.len() > 5 {
            String::from_utf8_lossy(field(line, &ranges, 5)).into_owned()
        } else {
            String::new()
        };
        genes.ids.push(id);
        genes.chrom.push(chrom);
        genes.start.push(start);
        genes.stop.push(stop);
        genes.strand.push(strand);
        genes.symbol.push(symbol);
    }
    genes.skipped = skipped.into_iter().map(|(r, n)| (r.to_string(), n)).collect();
    if genes.ids.is_empty() {
        return Err(Error::no_records(path, "gene locations", reader.line_number(), &genes.skipped));
    }
    Ok(genes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_magma() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.loc");
        std::fs::write(
            &p,
            "148398\t1\t859993\t879961\t+\tSAMD11\n26155\t1\t879583\t894679\t-\tNOC2L\n1\t1\t10\t5000\t+\tCLAMP\n2\tUn\t1\t5\t+\tX\n3\t1\t5\t5\t+\tY\n",
        )
        .unwrap();
        let g = read_gene_loc(&p).unwrap();
        assert_eq!(g.len(), 3);
        // docs/methods.md §1.2: SAMD11 824993-889961, NOC2L 869583-929679 with window=35,10.
        assert_eq!(g.window(0, 35_000, 10_000), (824_993, 889_961));
        assert_eq!(g.window(1, 35_000, 10_000), (869_583, 929_679));
        assert_eq!(g.window(2, 35_000, 10_000), (0, 15_000));
        assert_eq!(g.skipped, [("unknown_chromosome".to_string(), 1), ("stop_not_after_start".to_string(), 1)]);
    }

    #[test]
    fn missing_strand_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.loc");
        std::fs::write(&p, "1 1 100 200\n2 1 300 400\n").unwrap();
        let g = read_gene_loc(&p).unwrap();
        assert!(!g.has_strand && g.warnings.len() == 1);
        std::fs::write(&p, "1 1 100 200 + A\n1 1 300 400 + B\n").unwrap();
        let err = read_gene_loc(&p).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("already appeared on line 1"), "{err}");
        std::fs::write(&p, "1 1 100 abc + A\n").unwrap();
        let err = read_gene_loc(&p).unwrap_err().to_string();
        assert!(err.contains("column 4 (stop)"), "{err}");
    }
}
