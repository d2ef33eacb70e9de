//! [`LineReader`], the sequential line reader of plain, gzip and BGZF files, with the limits
//! and error messages that the parallel chunk reader shares with it: the read-buffer size,
//! [`MAX_LINE`], and the read-error, truncated-stream and overlong-line errors.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};

use super::fill::read_full;
use super::sniff::{sniff, Compression};
use crate::error::{Error, Result};
use crate::io::inflate;

/// Capacity of the buffered readers over a file or an inflater.
pub(crate) const READ_BUFFER: usize = 1 << 20;

/// Longest line accepted (16 MiB): a corrupt or binary file fails fast instead of exhausting
/// memory while looking for a line end.
pub const MAX_LINE: usize = 16 << 20;

/// Reads a text file line by line, transparently decompressing it, stripping `\r\n`/`\n`
/// line ends and a UTF-8 byte-order mark at the start of the file.
pub struct LineReader {
    pub(super) inner: Box<dyn BufRead + Send>,
    pub(super) path: PathBuf,
    pub(super) compression: Compression,
    buffer: Vec<u8>,
    pub(super) line_number: u64,
    /// Bytes of text returned so far as lines (line ends included).
    pub(super) consumed: u64,
}

impl LineReader {
    /// Opens `path`, detecting plain, gzip or BGZF content from its first bytes.
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut header = [0u8; 18];
        let filled = read_full(&mut file, &mut header).map_err(|e| Error::io(path, e))?;
        let compression = sniff(&header[..filled]);
        let replay = std::io::Cursor::new(header[..filled].to_vec()).chain(file);
        let inner: Box<dyn BufRead + Send> = match compression {
            Compression::Plain => Box::new(BufReader::with_capacity(READ_BUFFER, replay)),
            Compression::Gzip | Compression::Bgzf => {
                // The stream is opened once more only to report an error; the first opening
                // is the one already started, so that a pipe is read once.
                let first = std::sync::Mutex::new(Some(replay));
                let reopen = path.to_path_buf();
                let open = move || -> std::io::Result<Box<dyn Read + Send>> {
                    match first.lock().ok().and_then(|mut f| f.take()) {
                        Some(replay) => Ok(Box::new(replay)),
                        None => Ok(Box::new(File::open(&reopen)?)),
                    }
                };
                let text = inflate::gzip_reader(open).map_err(|e| Error::io(path, e))?;
                Box::new(BufReader::with_capacity(READ_BUFFER, text))
            }
        };
        Ok(LineReader { inner, path: path.to_path_buf(), compression, buffer: Vec::new(), line_number: 0, consumed: 0 })
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
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(&self.path, self.compression, self.line_number + 1, &e)),
            };
            if available.is_empty() {
                break;
            }
            let (take, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            self.buffer.extend_from_slice(&available[..take]);
            self.inner.consume(take);
            if self.buffer.len() > MAX_LINE {
                return Err(line_too_long(&self.path, self.line_number + 1));
            }
            if done {
                break;
            }
        }
        if self.buffer.is_empty() {
            return Ok(None);
        }
        self.consumed += self.buffer.len() as u64;
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

/// What a gzip or BGZF stream that stops before its end is reported as.
pub(super) const TRUNCATED: &str = "the compressed stream ends early (truncated download?)";

/// A failed read of line `line`: for a compressed stream, the truncated-stream message when it
/// ended early, else a corrupt-stream message.
pub(super) fn read_error(path: &Path, compression: Compression, line: u64, e: &std::io::Error) -> Error {
    let what = match (compression, e.kind()) {
        (Compression::Plain, _) => format!("read error: {e}"),
        (_, ErrorKind::UnexpectedEof) => TRUNCATED.to_string(),
        _ => format!("corrupt compressed stream: {e}"),
    };
    Error::parse(path, line, what)
}

/// Line `line` is longer than [`MAX_LINE`].
pub(super) fn line_too_long(path: &Path, line: u64) -> Error {
    Error::parse(
        path,
        line,
        format!("line longer than {} MiB: not a text table (corrupt or binary file?)", MAX_LINE >> 20),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
}
