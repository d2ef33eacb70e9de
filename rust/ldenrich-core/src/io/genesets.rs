//! Gene-set files in three layouts: GMT (`name<TAB>description<TAB>gene...`), MAGMA's row
//! format (`name gene gene ...`) and two-column long format (`name gene`, one row per member).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::text::{field, split_fields, Delimiter, LineReader};

/// Layout of a gene-set file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneSetFormat {
    /// Decide from the file name and content (see [`read_gene_sets`]).
    Auto,
    /// `name<TAB>description<TAB>gene...`.
    Gmt,
    /// `name gene gene ...` (MAGMA `--set-annot` default).
    MagmaRows,
    /// `name gene`, several rows per set (MAGMA `col=gene,set` style, set first).
    Long,
}

impl GeneSetFormat {
    /// Parses `auto`, `gmt`, `magma` or `long`.
    pub fn parse(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(GeneSetFormat::Auto),
            "gmt" => Ok(GeneSetFormat::Gmt),
            "magma" | "rows" | "row" => Ok(GeneSetFormat::MagmaRows),
            "long" | "two-column" => Ok(GeneSetFormat::Long),
            other => {
                Err(Error::InvalidArgument(format!("gene-set format must be auto, gmt, magma or long; got '{other}'")))
            }
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            GeneSetFormat::Auto => "auto",
            GeneSetFormat::Gmt => "gmt",
            GeneSetFormat::MagmaRows => "magma",
            GeneSetFormat::Long => "long",
        }
    }
}

/// One gene set as written in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSet {
    /// Set name.
    pub name: String,
    /// Description (GMT only; empty otherwise).
    pub description: String,
    /// Gene tokens (symbols or IDs), duplicates removed, in file order.
    pub genes: Vec<String>,
}

/// The sets of one file.
#[derive(Debug)]
pub struct GeneSets {
    /// File read.
    pub path: PathBuf,
    /// Layout used.
    pub format: GeneSetFormat,
    /// Sets in file order.
    pub sets: Vec<GeneSet>,
}

impl GeneSets {
    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True when the file holds no set.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

struct RawLine {
    line_no: u64,
    tab_fields: usize,
    fields: Vec<String>,
}

fn looks_like_header(fields: &[String]) -> bool {
    let a = fields[0].to_ascii_lowercase();
    let b = fields[1].to_ascii_lowercase();
    matches!(a.as_str(), "set" | "geneset" | "gene_set" | "set_name" | "term" | "pathway")
        && matches!(b.as_str(), "gene" | "genes" | "gene_id" | "geneid" | "symbol" | "entrez" | "gene_symbol")
}

/// Reads a gene-set file (plain or gzip).
///
/// With [`GeneSetFormat::Auto`]: a name ending in `.gmt` (before any `.gz`) is GMT; a file whose
/// lines all have exactly two fields is long format; a tab-separated file whose second field
/// looks like a description (contains a blank, is a URL, or is `NA`/empty) is GMT; anything else
/// is MAGMA's row format. Lines starting with `#` are comments. A set name defined twice in the
/// row layouts is an error.
pub fn read_gene_sets(path: &Path, format: GeneSetFormat) -> Result<GeneSets> {
    let mut reader = LineReader::open(path)?;
    let mut lines: Vec<RawLine> = Vec::new();
    let mut tabs = Vec::new();
    let mut blanks = Vec::new();
    while let Some((line_no, line)) = reader.next_line()? {
        if line.starts_with(b"#") {
            continue;
        }
        split_fields(line, Delimiter::Tab, &mut tabs);
        split_fields(line, Delimiter::Whitespace, &mut blanks);
        if blanks.is_empty() {
            continue;
        }
        let tab_fields = tabs.len();
        // GMT fields are tab-separated and descriptions may contain blanks; keep the tab split
        // when there is one, the blank split otherwise.
        let fields: Vec<String> = if tab_fields > 1 {
            (0..tabs.len()).map(|i| String::from_utf8_lossy(field(line, &tabs, i)).into_owned()).collect()
        } else {
            (0..blanks.len()).map(|i| String::from_utf8_lossy(field(line, &blanks, i)).into_owned()).collect()
        };
        lines.push(RawLine { line_no, tab_fields, fields });
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let format = match format {
        GeneSetFormat::Auto if stem.ends_with(".gmt") => GeneSetFormat::Gmt,
        GeneSetFormat::Auto if !lines.is_empty() && lines.iter().all(|l| l.fields.len() == 2) => GeneSetFormat::Long,
        GeneSetFormat::Auto
            if !lines.is_empty()
                && lines.iter().all(|l| l.tab_fields > 1)
                && lines.iter().any(|l| {
                    let d = l.fields[1].as_str();
                    d.is_empty() || d.contains(' ') || d.starts_with("http") || d.eq_ignore_ascii_case("na")
                }) =>
        {
            GeneSetFormat::Gmt
        }
        GeneSetFormat::Auto => GeneSetFormat::MagmaRows,
        f => f,
    };
    let mut sets: Vec<GeneSet> = Vec::new();
    let mut where_defined: HashMap<String, (usize, u64)> = HashMap::new();
    for (i, raw) in lines.iter().enumerate() {
        let fields: Vec<&str> = raw.fields.iter().map(|f| f.trim()).collect();
        let set_name = fields[0].to_string();
        if set_name.is_empty() {
            return Err(Error::parse_col(path, raw.line_no, "1 (set name)", "empty gene-set name"));
        }
        let (description, genes): (String, &[&str]) = match format {
            GeneSetFormat::Gmt => {
                if fields.len() < 2 {
                    return Err(Error::parse(path, raw.line_no, "a GMT line needs a name and a description field"));
                }
                (fields[1].to_string(), &fields[2..])
            }
            GeneSetFormat::Long => {
                if i == 0 && fields.len() == 2 && looks_like_header(&raw.fields) {
                    continue;
                }
                if fields.len() != 2 {
                    return Err(Error::parse(
                        path,
                        raw.line_no,
                        format!("a long-format line has 2 fields (set gene); found {}", fields.len()),
                    ));
                }
                (String::new(), &fields[1..])
            }
            _ => (String::new(), &fields[1..]),
        };
        let genes = genes.iter().filter(|g| !g.is_empty()).map(|g| g.to_string());
        match where_defined.get(&set_name) {
            Some(&(index, first_line)) => {
                if format != GeneSetFormat::Long {
                    return Err(Error::parse_col(
                        path,
                        raw.line_no,
                        "1 (set name)",
                        format!("gene set '{set_name}' is already defined on line {first_line}"),
                    ));
                }
                sets[index].genes.extend(genes);
            }
            None => {
                where_defined.insert(set_name.clone(), (sets.len(), raw.line_no));
                sets.push(GeneSet { name: set_name, description, genes: genes.collect() });
            }
        }
    }
    for set in &mut sets {
        let mut seen = std::collections::HashSet::new();
        set.genes.retain(|g| seen.insert(g.clone()));
    }
    if sets.is_empty() {
        return Err(Error::no_records(path, "gene sets", reader.line_number(), &[]));
    }
    Ok(GeneSets { path: path.to_path_buf(), format, sets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str, format: GeneSetFormat) -> Result<GeneSets> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        read_gene_sets(&p, format)
    }

    #[test]
    fn detects_the_three_layouts() {
        let g = read("x.gmt", "A\tdesc words\tG1\tG2\tG1\nB\tNA\tG3\n", GeneSetFormat::Auto).unwrap();
        assert_eq!(g.format, GeneSetFormat::Gmt);
        assert_eq!(g.sets[0].genes, ["G1", "G2"]);
        assert_eq!(g.sets[0].description, "desc words");
        let g = read("x.txt", "A G1 G2 G3\nB G4\n", GeneSetFormat::Auto).unwrap();
        assert_eq!(g.format, GeneSetFormat::MagmaRows);
        assert_eq!(g.sets[1].genes, ["G4"]);
        let g = read("x.txt", "set\tgene\nA\tG1\nB\tG2\nA\tG3\n", GeneSetFormat::Auto).unwrap();
        assert_eq!(g.format, GeneSetFormat::Long);
        assert_eq!(g.sets.len(), 2);
        assert_eq!(g.sets[0].genes, ["G1", "G3"]);
        let g = read("x.txt", "A\thttp://x\tG1\tG2\n", GeneSetFormat::Auto).unwrap();
        assert_eq!(g.format, GeneSetFormat::Gmt);
    }

    #[test]
    fn duplicate_set_names_are_errors() {
        let err = read("x.txt", "A G1 G2\nA G3 G4\n", GeneSetFormat::MagmaRows).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("already defined on line 1"), "{err}");
    }
}
