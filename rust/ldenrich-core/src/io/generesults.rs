//! Gene-level results: MAGMA's `.genes.out` (a header line, columns by name) and `.genes.raw`
//! (`# VERSION`/`# COVAR` comment lines, fixed columns, then each gene's correlations with the
//! genes before it; docs/methods.md §2.6). ldenrich writes both layouts too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::text::{field, is_missing_token, parse_f64, show, split_fields, Delimiter, LineReader};

/// Which layout a gene-results file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneResultsFormat {
    /// `.genes.out`: a header line naming the columns.
    Out,
    /// `.genes.raw`: `#` header lines, fixed columns and gene-gene correlations.
    Raw,
}

impl GeneResultsFormat {
    /// `"genes.out"` or `"genes.raw"`.
    pub fn name(self) -> &'static str {
        match self {
            GeneResultsFormat::Out => "genes.out",
            GeneResultsFormat::Raw => "genes.raw",
        }
    }
}

/// Gene-gene correlations in the `.genes.raw` band layout, stored like a CSR matrix: the
/// correlations of gene `i` with the `m_i` genes right before it, earliest first, are
/// `values[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct CorrelationBand {
    /// `n + 1` offsets into `values`.
    pub offsets: Vec<usize>,
    /// The correlations.
    pub values: Vec<f64>,
}

impl CorrelationBand {
    /// A band from its CSR arrays, checked: `offsets` starts at 0, never decreases, ends at
    /// `values.len()`, and gene `i` has at most `i` correlations (with the genes before it).
    pub fn new(offsets: Vec<usize>, values: Vec<f64>) -> Result<Self> {
        let indexes = offsets.first() == Some(&0) && offsets.last() == Some(&values.len());
        if !indexes || offsets.windows(2).enumerate().any(|(i, w)| w[1] < w[0] || w[1] - w[0] > i) {
            return Err(Error::InvalidArgument(
                "gene-gene correlations: the offsets do not index the values as a band (gene i has at most i \
                 correlations, with the genes before it)"
                    .into(),
            ));
        }
        Ok(CorrelationBand { offsets, values })
    }

    /// A band from one row per gene (its correlations with the genes before it), checked as [`Self::new`].
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self> {
        let mut offsets = Vec::with_capacity(rows.len() + 1);
        offsets.push(0);
        let mut values = Vec::new();
        for row in rows {
            values.extend_from_slice(row.as_ref());
            offsets.push(values.len());
        }
        Self::new(offsets, values)
    }

    /// Number of genes.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True for a band of no gene.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The correlations of gene `i` with the genes before it, earliest first.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Canonical names of the numeric columns, in the order they are stored.
pub const NUMERIC_COLUMNS: [&str; 8] = ["START", "STOP", "NSNPS", "NPARAM", "N", "MAC", "ZSTAT", "P"];

/// A gene-results file, one entry per gene kept.
#[derive(Debug)]
pub struct GeneResultsFile {
    /// File read.
    pub path: PathBuf,
    /// Layout detected.
    pub format: GeneResultsFormat,
    /// `# VERSION = ...` of a `.genes.raw`.
    pub version: Option<String>,
    /// Names from `# COVAR = ...` of a `.genes.raw`.
    pub covar_names: Vec<String>,
    /// Gene identifiers (GENE column).
    pub ids: Vec<String>,
    /// Chromosome as written (CHR column; empty when absent).
    pub chrom: Vec<String>,
    /// Gene symbols when a SYMBOL column exists.
    pub symbols: Option<Vec<String>>,
    /// Numeric columns by canonical name ([`NUMERIC_COLUMNS`]); a column the file lacks is absent.
    pub numeric: Vec<(&'static str, Vec<f64>)>,
    /// Gene-gene correlations (`.genes.raw` only).
    pub correlations: Option<CorrelationBand>,
    /// Rows dropped, by reason (`missing_zstat`).
    pub dropped: Vec<(&'static str, u64)>,
}

impl GeneResultsFile {
    /// Number of genes kept.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no gene was kept.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The numeric column `name`, when the file has it.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.numeric.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_slice())
    }
}

/// Header names accepted for each numeric column of a `.genes.out` (upper-cased before matching).
fn canonical(name: &str) -> Option<&'static str> {
    Some(match name {
        "START" => "START",
        "STOP" | "END" => "STOP",
        "NSNPS" => "NSNPS",
        "NPARAM" => "NPARAM",
        "N" | "NSAMP" => "N",
        "MAC" => "MAC",
        "ZSTAT" | "Z" => "ZSTAT",
        "P" | "PVALUE" => "P",
        _ => return None,
    })
}

/// Reads a `.genes.out` or `.genes.raw` file (plain or gzip), detecting the layout from its first
/// line. Gene IDs must be unique; a missing ZSTAT (`NA`) drops the gene and is counted; any other
/// unreadable value is a parse error naming the line and column.
pub fn read_gene_results(path: &Path) -> Result<GeneResultsFile> {
    let mut reader = LineReader::open(path)?;
    let mut ranges = Vec::new();
    let mut out = GeneResultsFile {
        path: path.to_path_buf(),
        format: GeneResultsFormat::Out,
        version: None,
        covar_names: Vec::new(),
        ids: Vec::new(),
        chrom: Vec::new(),
        symbols: None,
        numeric: Vec::new(),
        correlations: None,
        dropped: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut missing_z = 0u64;
    // Raw layout state.
    let mut raw_header_done = false;
    let mut band = CorrelationBand { offsets: vec![0], values: Vec::new() };
    // Out layout state: which field holds which column.
    let mut out_columns: Option<OutColumns> = None;

    while let Some((line_no, line)) = reader.next_line()? {
        split_fields(line, Delimiter::Whitespace, &mut ranges);
        if ranges.is_empty() {
            continue;
        }
        if line.starts_with(b"#") {
            if !out.ids.is_empty() || out_columns.is_some() {
                continue;
            }
            out.format = GeneResultsFormat::Raw;
            let text = String::from_utf8_lossy(&line[1..]);
            if let Some((key, value)) = text.split_once('=') {
                match key.trim().to_ascii_uppercase().as_str() {
                    "VERSION" => out.version = Some(value.trim().to_string()),
                    "COVAR" => out.covar_names = value.split_whitespace().map(str::to_string).collect(),
                    _ => {}
                }
            }
            continue;
        }
        if out.format == GeneResultsFormat::Raw {
            if !raw_header_done {
                raw_header_done = true;
                if out.version.is_none() {
                    return Err(Error::parse(
                        path,
                        line_no,
                        "a .genes.raw file starts with a '# VERSION = ...' line; this file's '#' lines have none",
                    ));
                }
                let mut names = vec!["START", "STOP", "NSNPS", "NPARAM"];
                for c in &out.covar_names {
                    names.push(match c.to_ascii_uppercase().as_str() {
                        "NSAMP" | "N" => "N",
                        "MAC" => "MAC",
                        _ => "",
                    });
                }
                names.push("ZSTAT");
                out.numeric = names.iter().filter(|n| !n.is_empty()).map(|n| (*n, Vec::new())).collect();
            }
            read_raw_line(path, line_no, line, &ranges, &mut out, &mut band, &mut seen, &mut missing_z)?;
            continue;
        }
        match &out_columns {
            None => {
                let columns = OutColumns::from_header(path, line_no, line, &ranges)?;
                out.numeric = columns.numeric.iter().map(|(n, _)| (*n, Vec::new())).collect();
                if columns.symbol.is_some() {
                    out.symbols = Some(Vec::new());
                }
                out_columns = Some(columns);
            }
            Some(columns) => {
                if ranges.len() != columns.n_fields {
                    return Err(Error::parse(
                        path,
                        line_no,
                        format!("the header has {} fields but this line has {}", columns.n_fields, ranges.len()),
                    ));
                }
                let z_raw = field(line, &ranges, columns.zstat);
                if is_missing_token(z_raw) {
                    missing_z += 1;
                    continue;
                }
                let id = register_id(path, line_no, field(line, &ranges, columns.gene), &mut seen)?;
                out.ids.push(id);
                out.chrom.push(
                    columns
                        .chr
                        .map(|c| String::from_utf8_lossy(field(line, &ranges, c)).into_owned())
                        .unwrap_or_default(),
                );
                if let (Some(s), Some(symbols)) = (columns.symbol, out.symbols.as_mut()) {
                    symbols.push(String::from_utf8_lossy(field(line, &ranges, s)).into_owned());
                }
                for (k, (name, index)) in columns.numeric.iter().enumerate() {
                    let raw = field(line, &ranges, *index);
                    let value = parse_value(path, line_no, *index, name, raw)?;
                    if *name == "ZSTAT" && !value.is_finite() {
                        return Err(Error::parse_col(
                            path,
                            line_no,
                            format!("{} (ZSTAT)", index + 1),
                            format!("ZSTAT must be a finite number, found '{}'", show(raw)),
                        ));
                    }
                    out.numeric[k].1.push(value);
                }
            }
        }
    }
    if out.format == GeneResultsFormat::Raw {
        if !raw_header_done {
            return Err(Error::parse(path, reader.line_number().max(1), "a .genes.raw file without any gene line"));
        }
        out.correlations = Some(band);
    } else if out_columns.is_none() {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            message: "empty file: a .genes.out needs a header line with GENE and ZSTAT columns".into(),
        });
    }
    if missing_z > 0 {
        out.dropped.push(("missing_zstat", missing_z));
    }
    Ok(out)
}

fn register_id(path: &Path, line_no: u64, raw: &[u8], seen: &mut HashMap<String, u64>) -> Result<String> {
    let id = String::from_utf8_lossy(raw).into_owned();
    if let Some(first) = seen.insert(id.clone(), line_no) {
        return Err(Error::parse_col(
            path,
            line_no,
            "1 (GENE)",
            format!("gene '{}' appears twice (first on line {first}); gene IDs must be unique", show(raw)),
        ));
    }
    Ok(id)
}

fn parse_value(path: &Path, line_no: u64, index: usize, name: &str, raw: &[u8]) -> Result<f64> {
    if is_missing_token(raw) {
        return Ok(f64::NAN);
    }
    parse_f64(raw).ok_or_else(|| {
        Error::parse_col(
            path,
            line_no,
            format!("{} ({name})", index + 1),
            format!("expected a number, found '{}'", show(raw)),
        )
    })
}

struct OutColumns {
    n_fields: usize,
    gene: usize,
    chr: Option<usize>,
    symbol: Option<usize>,
    zstat: usize,
    numeric: Vec<(&'static str, usize)>,
}

impl OutColumns {
    fn from_header(path: &Path, line_no: u64, line: &[u8], ranges: &[(u32, u32)]) -> Result<Self> {
        let names: Vec<String> = (0..ranges.len())
            .map(|i| String::from_utf8_lossy(field(line, ranges, i)).trim().to_ascii_uppercase())
            .collect();
        let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        let (Some(gene), Some(zstat)) = (find(&["GENE"]), find(&["ZSTAT", "Z"])) else {
            return Err(Error::MissingColumn {
                path: path.to_path_buf(),
                message: format!(
                    "line {line_no}: a .genes.out header needs GENE and ZSTAT columns (or '# VERSION' lines of a .genes.raw); found: {}",
                    names.join(" ")
                ),
            });
        };
        let mut numeric: Vec<(&'static str, usize)> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if let Some(c) = canonical(n) {
                if numeric.iter().any(|(seen, _)| *seen == c) {
                    return Err(Error::MissingColumn {
                        path: path.to_path_buf(),
                        message: format!("line {line_no}: two columns mean {c} ('{n}' is the second)"),
                    });
                }
                numeric.push((c, i));
            }
        }
        numeric.sort_by_key(|(n, _)| NUMERIC_COLUMNS.iter().position(|c| c == n));
        Ok(OutColumns {
            n_fields: ranges.len(),
            gene,
            chr: find(&["CHR", "CHROM"]),
            symbol: find(&["SYMBOL"]),
            zstat,
            numeric,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn read_raw_line(
    path: &Path,
    line_no: u64,
    line: &[u8],
    ranges: &[(u32, u32)],
    out: &mut GeneResultsFile,
    band: &mut CorrelationBand,
    seen: &mut HashMap<String, u64>,
    missing_z: &mut u64,
) -> Result<()> {
    let n_fixed = 7 + out.covar_names.len();
    if ranges.len() < n_fixed {
        return Err(Error::parse(
            path,
            line_no,
            format!(
                "a .genes.raw line has at least {n_fixed} fields (GENE CHR START STOP NSNPS NPARAM {}ZSTAT); found {}",
                out.covar_names.iter().map(|c| format!("{c} ")).collect::<String>(),
                ranges.len()
            ),
        ));
    }
    let z_index = n_fixed - 1;
    if is_missing_token(field(line, ranges, z_index)) {
        // A gene without a statistic cannot enter the band of later genes either: MAGMA never
        // writes one, so refuse rather than guess how the band shifts.
        if ranges.len() > n_fixed {
            return Err(Error::parse_col(
                path,
                line_no,
                format!("{} (ZSTAT)", z_index + 1),
                "missing ZSTAT on a gene with correlations",
            ));
        }
        *missing_z += 1;
        return Ok(());
    }
    let id = register_id(path, line_no, field(line, ranges, 0), seen)?;
    let preceding = out.ids.len();
    out.ids.push(id);
    out.chrom.push(String::from_utf8_lossy(field(line, ranges, 1)).into_owned());
    // Stored columns map onto fields 2.. in order, skipping covariates we do not keep.
    let mut stored = 0;
    for index in 2..n_fixed {
        let name = if index < 6 {
            ["START", "STOP", "NSNPS", "NPARAM"][index - 2]
        } else if index == z_index {
            "ZSTAT"
        } else {
            match out.covar_names[index - 6].to_ascii_uppercase().as_str() {
                "NSAMP" | "N" => "N",
                "MAC" => "MAC",
                _ => continue,
            }
        };
        let value = parse_value(path, line_no, index, name, field(line, ranges, index))?;
        if name == "ZSTAT" && !value.is_finite() {
            return Err(Error::parse_col(
                path,
                line_no,
                format!("{} (ZSTAT)", index + 1),
                "ZSTAT must be a finite number",
            ));
        }
        out.numeric[stored].1.push(value);
        stored += 1;
    }
    let m = ranges.len() - n_fixed;
    if m > preceding {
        return Err(Error::parse(
            path,
            line_no,
            format!("{m} correlations with preceding genes, but only {preceding} genes precede this one"),
        ));
    }
    for k in 0..m {
        let index = n_fixed + k;
        let raw = field(line, ranges, index);
        let r = parse_f64(raw).filter(|r| r.is_finite() && r.abs() <= 1.0 + 1e-6).ok_or_else(|| {
            Error::parse_col(
                path,
                line_no,
                format!("{}", index + 1),
                format!("expected a gene-gene correlation between -1 and 1, found '{}'", show(raw)),
            )
        })?;
        band.values.push(r.clamp(-1.0, 1.0));
    }
    band.offsets.push(band.values.len());
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_band_is_checked() {
        let b = CorrelationBand::from_rows(&[vec![], vec![0.5], vec![0.1, 0.2]]).unwrap();
        assert_eq!((b.len(), b.row(2)), (3, &[0.1, 0.2][..]));
        assert!(CorrelationBand::from_rows(&[vec![0.5]]).is_err()); // gene 0 has no gene before it
        assert!(CorrelationBand::new(vec![0, 1], vec![]).is_err());
        assert!(CorrelationBand::new(vec![1, 1], vec![0.0]).is_err());
        assert!(CorrelationBand::new(vec![], vec![]).is_err());
        assert!(CorrelationBand::from_rows::<Vec<f64>>(&[]).unwrap().is_empty());
    }

    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_raw_with_band() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "x.genes.raw",
            "# VERSION = 109\n# COVAR = NSAMP MAC\n\
             1 1 100 200 5 1 1000 24.5 2.3\n\
             2 1 150 300 1 1 1000 27 -1.9 0.25\n\
             3 1 250 400 2 1 1000 27 0.5 0.1 0.5\n\
             4 2 10 20 1 1 1000 3 1.0\n",
        );
        let r = read_gene_results(&p).unwrap();
        assert_eq!(r.format, GeneResultsFormat::Raw);
        assert_eq!(r.ids, ["1", "2", "3", "4"]);
        assert_eq!(r.column("ZSTAT").unwrap(), [2.3, -1.9, 0.5, 1.0]);
        assert_eq!(r.column("MAC").unwrap(), [24.5, 27.0, 27.0, 3.0]);
        assert_eq!(r.column("N").unwrap(), [1000.0; 4]);
        let band = r.correlations.unwrap();
        assert_eq!(band.row(0), [] as [f64; 0]);
        assert_eq!(band.row(2), [0.1, 0.5]);
        assert_eq!(band.row(3), [] as [f64; 0]);
    }

    #[test]
    fn reads_out_by_header_and_counts_missing() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "x.genes.out",
            "GENE CHR START STOP NSNPS NPARAM N ZSTAT P SYMBOL\n\
             10 1 1 2 3 2 100 1.5 0.0668 A\n11 X 1 2 3 2 100 NA NA B\n",
        );
        let r = read_gene_results(&p).unwrap();
        assert_eq!(r.format, GeneResultsFormat::Out);
        assert_eq!(r.ids, ["10"]);
        assert_eq!(r.chrom, ["1"]);
        assert_eq!(r.symbols.as_deref(), Some(&["A".to_string()][..]));
        assert_eq!(r.dropped, [("missing_zstat", 1)]);
        assert!(r.column("MAC").is_none());
    }

    #[test]
    fn errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        for (text, needle) in [
            ("GENE CHR ZSTAT\n1 1 x\n", "line 2, column 3 (ZSTAT)"),
            ("GENE CHR ZSTAT\n1 1 2\n1 1 3\n", "appears twice (first on line 2)"),
            ("GENE CHR ZSTAT\n1 1 2 4\n", "line 2: the header has 3 fields"),
            ("GENE CHR P\n1 1 2\n", "GENE and ZSTAT"),
            ("GENE CHR ZSTAT\n1 1 inf\n", "line 2, column 3 (ZSTAT): ZSTAT must be a finite number"),
            ("# VERSION = 110\n# COVAR = NSAMP MAC\n1 1 1 2 3 1 100 5 1.0 0.3\n", "only 0 genes precede"),
            (
                "# VERSION = 110\n# COVAR = NSAMP MAC\n1 1 1 2 3 1 100 5 1.0\n2 1 1 2 3 1 100 5 1.0 1.7\n",
                "line 4, column 10",
            ),
            ("# VERSION = 110\n# COVAR = NSAMP MAC\n1 1 1 2 3 1 100\n", "at least 9 fields"),
            ("# COVAR = NSAMP MAC\n1 1 1 2 3 1 100 5 1\n", "VERSION"),
        ] {
            let p = write(&dir, "bad.genes", text);
            let err = read_gene_results(&p).unwrap_err().to_string();
            assert!(err.contains("bad.genes") && err.contains(needle), "{text:?} -> {err}");
        }
    }
}
