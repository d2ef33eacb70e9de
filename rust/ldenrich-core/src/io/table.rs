//! Tables of numbers with a header line and a few text columns: ldsc's LD-score
//! (`.l2.ldscore[.gz]`), annotation (`.annot[.gz]`) and PLINK frequency (`.frq`) files. Read
//! in one parallel pass; every value that is not a finite number is an error naming the file,
//! line and column.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::text::{field, par_chunks_fold, parse_f64, show, Delimiter, FieldSplitter, LineReader, Lines};

/// The columns of a table that were asked for.
#[derive(Debug, Clone, Default)]
pub struct NumericTable {
    /// The file read.
    pub path: PathBuf,
    /// Every column name of the header, in order.
    pub header: Vec<String>,
    /// Names of the text columns read (those asked for that the header has), in header order.
    pub text_names: Vec<String>,
    /// Their values, one vector per column.
    pub text: Vec<Vec<String>>,
    /// Names of the numeric columns read, in header order.
    pub numeric_names: Vec<String>,
    /// Their values, one vector per column.
    pub numeric: Vec<Vec<f64>>,
}

impl NumericTable {
    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.numeric.first().map(Vec::len).or_else(|| self.text.first().map(Vec::len)).unwrap_or(0)
    }
}

/// Text and numeric column values of one piece of a file.
type Columns = (Vec<Vec<String>>, Vec<Vec<f64>>);

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text(usize),
    Number(usize),
    Skip,
}

/// Reads `path` (plain, gzip or BGZF; tab or blank separated; header required). Columns named
/// in `text` are kept as text; the columns named in `numeric` (every other column when None)
/// are parsed as numbers; the rest are ignored. Names the header lacks are left out of the
/// result (the caller checks what it needs). Blank lines are skipped.
pub fn read_numeric_table(path: &Path, text: &[&str], numeric: Option<&[&str]>) -> Result<NumericTable> {
    let mut reader = LineReader::open(path)?;
    let header_line = loop {
        match reader.next_line()? {
            None => return Err(Error::no_records(path, "header line", 0, &[])),
            Some((_, line)) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some((_, line)) => break line.to_vec(),
        }
    };
    let delimiter = match Delimiter::detect(&header_line) {
        Delimiter::Comma => Delimiter::Whitespace,
        d => d,
    };
    let mut ranges = Vec::new();
    FieldSplitter::new(&header_line, delimiter).split(&header_line, &mut ranges);
    let header: Vec<String> =
        (0..ranges.len()).map(|i| String::from_utf8_lossy(field(&header_line, &ranges, i)).into_owned()).collect();
    let (mut n_text, mut n_num) = (0, 0);
    let mut text_names = Vec::new();
    let mut numeric_names = Vec::new();
    let kinds: Vec<Kind> = header
        .iter()
        .map(|name| {
            if text.contains(&name.as_str()) {
                n_text += 1;
                text_names.push(name.clone());
                Kind::Text(n_text - 1)
            } else if numeric.is_none_or(|wanted| wanted.contains(&name.as_str())) {
                n_num += 1;
                numeric_names.push(name.clone());
                Kind::Number(n_num - 1)
            } else {
                Kind::Skip
            }
        })
        .collect();
    let width = header.len();
    let parse = |bytes: &[u8]| -> Result<Columns> {
        let mut texts: Vec<Vec<String>> = vec![Vec::new(); n_text];
        let mut nums: Vec<Vec<f64>> = vec![Vec::new(); n_num];
        let splitter = FieldSplitter::new(bytes, delimiter);
        let mut ranges = Vec::with_capacity(width);
        for (line_no, line) in Lines::new(bytes) {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            splitter.split(line, &mut ranges);
            if ranges.len() != width {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!("{} fields, but the header has {width} columns", ranges.len()),
                ));
            }
            for (i, kind) in kinds.iter().enumerate() {
                match *kind {
                    Kind::Text(k) => texts[k].push(String::from_utf8_lossy(field(line, &ranges, i)).into_owned()),
                    Kind::Number(k) => {
                        let raw = field(line, &ranges, i);
                        match parse_f64(raw).filter(|v| v.is_finite()) {
                            Some(v) => nums[k].push(v),
                            None => {
                                return Err(Error::parse_col(
                                    path,
                                    line_no,
                                    header[i].clone(),
                                    format!("expected a number, found '{}'", show(raw)),
                                ))
                            }
                        }
                    }
                    Kind::Skip => {}
                }
            }
        }
        Ok((texts, nums))
    };
    let (text_values, numeric_values) = par_chunks_fold(
        reader,
        parse,
        (vec![Vec::<String>::new(); n_text], vec![Vec::<f64>::new(); n_num]),
        |acc, (texts, nums)| {
            for (all, part) in acc.0.iter_mut().zip(texts) {
                all.extend(part);
            }
            for (all, part) in acc.1.iter_mut().zip(nums) {
                all.extend(part);
            }
        },
    )?;
    Ok(NumericTable {
        path: path.to_path_buf(),
        header,
        text_names,
        text: text_values,
        numeric_names,
        numeric: numeric_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn reads_text_and_numbers() {
        let f = write("CHR\tSNP\tBP\tL2\n22\trs1\t10\t1.5\n\n22\trs2\t20\t-2e-3\n");
        let t = read_numeric_table(f.path(), &["SNP"], None).unwrap();
        assert_eq!(t.header, ["CHR", "SNP", "BP", "L2"]);
        assert_eq!(t.text, [vec!["rs1".to_string(), "rs2".to_string()]]);
        assert_eq!(t.numeric_names, ["CHR", "BP", "L2"]);
        assert_eq!(t.numeric[2], [1.5, -2e-3]);
        assert_eq!(t.rows(), 2);
        let only = read_numeric_table(f.path(), &[], Some(&["L2", "absent"])).unwrap();
        assert_eq!(only.numeric_names, ["L2"]);
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let f = write("SNP L2 X\nrs1 1.0 2\nrs2 . 3\n");
        let err = read_numeric_table(f.path(), &["SNP"], None).unwrap_err().to_string();
        assert!(err.contains("line 3, column L2: expected a number, found '.'"), "{err}");
        let f = write("SNP L2\nrs1 1.0 2\n");
        let err = read_numeric_table(f.path(), &["SNP"], None).unwrap_err().to_string();
        assert!(err.contains("line 2: 3 fields, but the header has 2 columns"), "{err}");
        let f = write("");
        assert!(matches!(read_numeric_table(f.path(), &[], None), Err(Error::NoRecords { .. })));
    }
}
