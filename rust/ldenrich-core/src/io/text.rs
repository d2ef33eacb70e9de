//! Line-oriented access to plain, gzip and BGZF text files, detected by magic bytes, and field
//! splitting that never allocates per field.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// How the bytes of a file are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Uncompressed text.
    Plain,
    /// One or more gzip members.
    Gzip,
    /// Blocked gzip (as written by `bgzip`): gzip members carrying the `BC` extra field.
    Bgzf,
}

impl Compression {
    /// Lower-case name used in logs.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Plain => "plain",
            Compression::Gzip => "gzip",
            Compression::Bgzf => "bgzf",
        }
    }
}

const READ_BUFFER: usize = 1 << 20;

fn sniff(header: &[u8]) -> Compression {
    if header.len() >= 2 && header[0] == 0x1f && header[1] == 0x8b {
        // BGZF: FLG.FEXTRA set and the first extra subfield is 'B','C' (SAM spec, section 4.1).
        let is_bgzf = header.len() >= 14 && header[3] & 4 != 0 && header[12] == b'B' && header[13] == b'C';
        if is_bgzf {
            Compression::Bgzf
        } else {
            Compression::Gzip
        }
    } else {
        Compression::Plain
    }
}

/// Reads a text file line by line, transparently decompressing it, stripping `\r\n`/`\n`
/// line ends and a UTF-8 byte-order mark at the start of the file.
pub struct LineReader {
    inner: Box<dyn BufRead + Send>,
    path: PathBuf,
    compression: Compression,
    buffer: Vec<u8>,
    line_number: u64,
}

impl LineReader {
    /// Opens `path`, detecting plain, gzip or BGZF content from its first bytes.
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut header = [0u8; 18];
        let mut filled = 0;
        while filled < header.len() {
            match file.read(&mut header[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        let compression = sniff(&header[..filled]);
        let replay = std::io::Cursor::new(header[..filled].to_vec()).chain(file);
        let inner: Box<dyn BufRead + Send> = match compression {
            Compression::Plain => Box::new(BufReader::with_capacity(READ_BUFFER, replay)),
            Compression::Gzip | Compression::Bgzf => Box::new(BufReader::with_capacity(
                READ_BUFFER,
                MultiGzDecoder::new(BufReader::with_capacity(READ_BUFFER, replay)),
            )),
        };
        Ok(LineReader { inner, path: path.to_path_buf(), compression, buffer: Vec::new(), line_number: 0 })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The detected storage format.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// 1-based number of the line last returned by [`LineReader::next_line`].
    pub fn line_number(&self) -> u64 {
        self.line_number
    }

    /// The next line (its 1-based number and its bytes without the line end), or `None` at the
    /// end of the file. A truncated or
    /// corrupt compressed stream is an error naming the line where it broke off.
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>> {
        self.buffer.clear();
        let read = match self.inner.read_until(b'\n', &mut self.buffer) {
            Ok(n) => n,
            Err(e) => {
                let what = match (self.compression, e.kind()) {
                    (Compression::Plain, _) => format!("read error: {e}"),
                    (_, ErrorKind::UnexpectedEof) => {
                        "the compressed stream ends early (truncated download?)".to_string()
                    }
                    _ => format!("corrupt compressed stream: {e}"),
                };
                return Err(Error::parse(&self.path, self.line_number + 1, what));
            }
        };
        if read == 0 {
            return Ok(None);
        }
        self.line_number += 1;
        let mut end = self.buffer.len();
        if end > 0 && self.buffer[end - 1] == b'\n' {
            end -= 1;
        }
        if end > 0 && self.buffer[end - 1] == b'\r' {
            end -= 1;
        }
        let start = if self.line_number == 1 && self.buffer[..end].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        Ok(Some((self.line_number, &self.buffer[start..end])))
    }
}

/// How fields of a line are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// Exactly one tab between fields; empty fields are allowed.
    Tab,
    /// Exactly one comma between fields; empty fields are allowed.
    Comma,
    /// Runs of spaces and tabs; leading and trailing blanks are ignored.
    Whitespace,
}

impl Delimiter {
    /// Chooses the delimiter of a header line: tab if it has one, else comma, else blanks.
    pub fn detect(header: &[u8]) -> Self {
        // A stray tab at the end of a space-separated header does not make it tab-separated.
        let end = header.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        let header = &header[..end];
        if memchr::memchr(b'\t', header).is_some() {
            Delimiter::Tab
        } else if memchr::memchr(b',', header).is_some() {
            Delimiter::Comma
        } else {
            Delimiter::Whitespace
        }
    }
}

/// Splits `line` into field byte ranges, reusing `out`. Surrounding double quotes are removed
/// from each field.
pub fn split_fields(line: &[u8], delimiter: Delimiter, out: &mut Vec<(u32, u32)>) {
    out.clear();
    match delimiter {
        Delimiter::Tab | Delimiter::Comma => {
            let sep = if delimiter == Delimiter::Tab { b'\t' } else { b',' };
            let mut start = 0usize;
            for pos in memchr::memchr_iter(sep, line) {
                out.push(unquote(line, start, pos));
                start = pos + 1;
            }
            out.push(unquote(line, start, line.len()));
        }
        Delimiter::Whitespace => {
            let mut i = 0usize;
            let n = line.len();
            while i < n {
                while i < n && (line[i] == b' ' || line[i] == b'\t') {
                    i += 1;
                }
                if i == n {
                    break;
                }
                let start = i;
                while i < n && line[i] != b' ' && line[i] != b'\t' {
                    i += 1;
                }
                out.push(unquote(line, start, i));
            }
        }
    }
}

fn unquote(line: &[u8], mut start: usize, mut end: usize) -> (u32, u32) {
    // Spreadsheets pad fields with blanks; a field of a tab/comma file is its trimmed content.
    while start < end && line[start] == b' ' {
        start += 1;
    }
    while end > start && line[end - 1] == b' ' {
        end -= 1;
    }
    if end - start >= 2 && line[start] == b'"' && line[end - 1] == b'"' {
        start += 1;
        end -= 1;
    }
    (start as u32, end as u32)
}

/// The bytes of field `i` of `line` given ranges from [`split_fields`].
#[inline]
pub fn field<'a>(line: &'a [u8], ranges: &[(u32, u32)], i: usize) -> &'a [u8] {
    let (s, e) = ranges[i];
    &line[s as usize..e as usize]
}

/// Lossy UTF-8 rendering of a field for error messages, cut to a readable length.
pub fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// True for tokens that mean "no value" in GWAS files: empty, `NA`, `NaN`, `.`, `NULL`, `N/A`,
/// `None` or `-`.
pub fn is_missing_token(bytes: &[u8]) -> bool {
    matches!(bytes, b"" | b"." | b"-" | b"NA" | b"na" | b"Na" | b"N/A" | b"n/a" | b"NULL" | b"null" | b"None" | b"none")
        || bytes.eq_ignore_ascii_case(b"nan")
        || bytes.eq_ignore_ascii_case(b"-nan")
}

/// Parses a decimal floating-point field (`1.5`, `-2e-8`, `1E+3`).
#[inline]
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let value: f64 = text.parse().ok()?;
    Some(value)
}

/// Parses a non-negative integer field.
#[inline]
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    let mut value = 0u64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Some(value)
}

/// Parses a signed integer field.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match bytes.first() {
        Some(b'-') => parse_u64(&bytes[1..]).and_then(|v| i64::try_from(v).ok()).map(|v| -v),
        Some(b'+') => parse_u64(&bytes[1..]).and_then(|v| i64::try_from(v).ok()),
        _ => parse_u64(bytes).and_then(|v| i64::try_from(v).ok()),
    }
}

/// Resolves a PLINK-style argument that may be a file or a prefix: `path` itself if it exists,
/// else `path` + `.extension`, else `path` + `.extension.gz`.
pub fn resolve_prefix(path: &Path, extension: &str) -> PathBuf {
    if path.is_file() {
        return path.to_path_buf();
    }
    let mut with_ext = path.as_os_str().to_owned();
    with_ext.push(".");
    with_ext.push(extension);
    let candidate = PathBuf::from(&with_ext);
    if candidate.is_file() {
        return candidate;
    }
    with_ext.push(".gz");
    let gzipped = PathBuf::from(with_ext);
    if gzipped.is_file() {
        gzipped
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn fields(line: &[u8], d: Delimiter) -> Vec<String> {
        let mut r = Vec::new();
        split_fields(line, d, &mut r);
        (0..r.len()).map(|i| String::from_utf8_lossy(field(line, &r, i)).into_owned()).collect()
    }

    #[test]
    fn splits_each_delimiter() {
        assert_eq!(fields(b"a\tb\t\tc", Delimiter::Tab), ["a", "b", "", "c"]);
        assert_eq!(fields(b"\"a\",b ,c", Delimiter::Comma), ["a", "b", "c"]);
        assert_eq!(fields(b"  a  b\t c ", Delimiter::Whitespace), ["a", "b", "c"]);
        assert_eq!(fields(b"", Delimiter::Whitespace), Vec::<String>::new());
        assert_eq!(Delimiter::detect(b"SNP P"), Delimiter::Whitespace);
        assert_eq!(Delimiter::detect(b"SNP,P"), Delimiter::Comma);
        assert_eq!(Delimiter::detect(b"SNP\tP,Q"), Delimiter::Tab);
        assert_eq!(Delimiter::detect(b"SNP A1 P\t"), Delimiter::Whitespace);
    }

    #[test]
    fn reads_plain_gzip_with_crlf_and_bom() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.txt");
        std::fs::write(&plain, b"\xEF\xBB\xBFh1 h2\r\nx y\r\nlast").unwrap();
        let gz = dir.path().join("a.txt.weird");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"\xEF\xBB\xBFh1 h2\r\nx y\r\nlast").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for (path, comp) in [(plain, Compression::Plain), (gz, Compression::Gzip)] {
            let mut r = LineReader::open(&path).unwrap();
            assert_eq!(r.compression(), comp);
            let mut lines = Vec::new();
            while let Some((_, l)) = r.next_line().unwrap() {
                lines.push(String::from_utf8(l.to_vec()).unwrap());
            }
            assert_eq!(lines, ["h1 h2", "x y", "last"]);
        }
    }

    #[test]
    fn truncated_gzip_is_an_error_with_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..20000 {
            writeln!(enc, "rs{i}\t0.5").unwrap();
        }
        let bytes = enc.finish().unwrap();
        let path = dir.path().join("t.gz");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mut r = LineReader::open(&path).unwrap();
        let err = loop {
            match r.next_line() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("truncation not detected"),
                Err(e) => break e,
            }
        };
        let msg = err.to_string();
        assert!(msg.contains("t.gz") && msg.contains("line") && msg.contains("ends early"), "{msg}");
    }

    #[test]
    fn parses_numbers() {
        assert_eq!(parse_f64(b"1e-5"), Some(1e-5));
        assert_eq!(parse_f64(b"abc"), None);
        assert_eq!(parse_u64(b"123"), Some(123));
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert!(is_missing_token(b"NA") && is_missing_token(b"nan") && !is_missing_token(b"0"));
    }
}
