//! PLINK `.bim` variant tables: `chrom id cm bp a1 a2`, whitespace separated, no header.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use crate::chrom::parse_chrom;
use crate::error::{Error, Result};
use crate::io::alleles::AlleleColumn;
use crate::io::snpid::SnpIds;
use crate::io::text::{
    field, par_chunks_fold, parse_f64, parse_i64, resolve_prefix, show, Delimiter, FieldSplitter, LineReader, Lines,
};

/// The columns of a `.bim` that ldenrich uses.
#[derive(Debug)]
pub struct Bim {
    /// File read (after resolving a prefix).
    pub path: PathBuf,
    /// Chromosome code of each variant (see [`crate::chrom`]).
    pub chrom: Vec<u8>,
    /// Base-pair position (1-based).
    pub bp: Vec<u32>,
    /// Genetic position (column 3, centimorgans by PLINK's convention; 0 when unknown).
    pub cm: Vec<f64>,
    /// Variant identifiers.
    pub ids: SnpIds,
    /// Allele 1 and allele 2.
    pub a1: AlleleColumn,
    /// Allele 2.
    pub a2: AlleleColumn,
}

impl Bim {
    /// Number of variants.
    pub fn len(&self) -> usize {
        self.bp.len()
    }

    /// True when the file has no variant.
    pub fn is_empty(&self) -> bool {
        self.bp.is_empty()
    }

    /// Per row, whether its SNP id is one of `names` (ldsc's `--print-snps`): every row of a
    /// repeated id.
    pub fn rows_named(&self, names: &[String]) -> Vec<bool> {
        let wanted: FxHashSet<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
        let mut name = Vec::new();
        (0..self.len())
            .map(|i| {
                name.clear();
                self.ids.write_name(i, &mut name);
                wanted.contains(name.as_slice())
            })
            .collect()
    }
}

/// Reads a `.bim` file, or `PREFIX.bim` when `path` is a prefix. Plain, gzip or BGZF; parsed
/// in parallel on the current rayon pool.
pub fn read_bim(path: &Path) -> Result<Bim> {
    let path = resolve_prefix(path, "bim");
    let reader = LineReader::open(&path)?;
    let empty = Bim {
        path: path.clone(),
        chrom: Vec::new(),
        bp: Vec::new(),
        cm: Vec::new(),
        ids: SnpIds::default(),
        a1: AlleleColumn::default(),
        a2: AlleleColumn::default(),
    };
    // Each piece is appended as soon as every earlier one is parsed: only the pieces in flight
    // exist besides the growing table.
    let mut bim = par_chunks_fold(
        reader,
        |bytes| parse_bim_lines(&path, bytes),
        empty,
        |bim, part| {
            bim.chrom.extend_from_slice(&part.chrom);
            bim.bp.extend_from_slice(&part.bp);
            bim.cm.extend_from_slice(&part.cm);
            bim.ids.absorb(part.ids, &mut []);
            bim.a1.absorb(part.a1);
            bim.a2.absorb(part.a2);
        },
    )?;
    bim.chrom.shrink_to_fit();
    bim.bp.shrink_to_fit();
    bim.cm.shrink_to_fit();
    bim.ids.finish();
    bim.a1.finish();
    bim.a2.finish();
    Ok(bim)
}

/// Parses a buffer of whole `.bim` lines; line numbers of errors are local to the buffer.
fn parse_bim_lines(path: &Path, bytes: &[u8]) -> Result<Bim> {
    // ~30 bytes a line.
    let capacity = bytes.len() / 24;
    let mut ranges = Vec::with_capacity(8);
    let mut bim = Bim {
        path: PathBuf::new(),
        chrom: Vec::with_capacity(capacity),
        bp: Vec::with_capacity(capacity),
        cm: Vec::with_capacity(capacity),
        ids: SnpIds::with_capacity(capacity),
        a1: AlleleColumn::default(),
        a2: AlleleColumn::default(),
    };
    let splitter = FieldSplitter::new(bytes, Delimiter::Whitespace);
    for (line_no, line) in Lines::new(bytes) {
        splitter.split(line, &mut ranges);
        if ranges.is_empty() {
            continue;
        }
        if ranges.len() != 6 {
            return Err(Error::parse(
                path,
                line_no,
                format!("a .bim line has 6 fields (chrom id cm bp a1 a2); found {}", ranges.len()),
            ));
        }
        let chrom_raw = field(line, &ranges, 0);
        let chrom = parse_chrom(chrom_raw).ok_or_else(|| {
            Error::parse_col(path, line_no, "1 (chromosome)", format!("unknown chromosome code '{}'", show(chrom_raw)))
        })?;
        let cm_raw = field(line, &ranges, 2);
        // "0" and "0.0" are what almost every .bim holds; skip the float parser for them.
        let cm = if matches!(cm_raw, b"0" | b"0.0") { Some(0.0) } else { parse_f64(cm_raw) }.ok_or_else(|| {
            Error::parse_col(path, line_no, "3 (cM)", format!("expected a number, found '{}'", show(cm_raw)))
        })?;
        let bp_raw = field(line, &ranges, 3);
        let bp = parse_i64(bp_raw).filter(|&v| (0..=i64::from(u32::MAX)).contains(&v)).ok_or_else(|| {
            Error::parse_col(
                path,
                line_no,
                "4 (bp)",
                format!("expected a base-pair position between 0 and 4294967295, found '{}'", show(bp_raw)),
            )
        })?;
        bim.chrom.push(chrom);
        bim.bp.push(bp as u32);
        bim.cm.push(cm);
        bim.ids.push(field(line, &ranges, 1));
        bim.a1.push(field(line, &ranges, 4));
        bim.a2.push(field(line, &ranges, 5));
    }
    Ok(bim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_named_marks_every_row_of_each_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bim");
        std::fs::write(&path, "1 rs1 0 100 A G\n1 x:5 0 200 A G\n1 rs1 0 300 A G\n1 rs2 0 400 A G\n").unwrap();
        let bim = read_bim(&path).unwrap();
        assert_eq!(bim.rows_named(&["rs1".into(), "x:5".into(), "rs9".into()]), [true, true, true, false]);
    }

    #[test]
    fn reads_prefix_and_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.bim"), "22\trs1\t0\t100\tA\tG\nchrX rs2 0.5 200 C T\n").unwrap();
        let bim = read_bim(&dir.path().join("p")).unwrap();
        assert_eq!(bim.chrom, [22, 23]);
        assert_eq!(bim.bp, [100, 200]);
        assert_eq!(bim.cm, [0.0, 0.5]);
        assert_eq!(bim.ids.name(1), "rs2");
        for (text, needle) in [
            ("1 rs1 0 100 A\n", "6 fields"),
            ("chrUn rs1 0 100 A G\n", "column 1"),
            ("1 rs1 0 -5 A G\n", "column 4"),
            ("1 rs1 x 5 A G\n", "column 3"),
        ] {
            std::fs::write(dir.path().join("bad.bim"), text).unwrap();
            let err = read_bim(&dir.path().join("bad.bim")).unwrap_err().to_string();
            assert!(err.contains("bad.bim") && err.contains("line 1") && err.contains(needle), "{err}");
        }
    }
}
