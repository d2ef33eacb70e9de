//! Line-oriented access to plain, gzip and BGZF text files, detected by magic bytes, and field
//! splitting that never allocates per field.
//!
//! Big files are parsed in parallel with [`par_chunks`]: one thread reads (and, for gzip,
//! decompresses) 4 MiB chunks cut anywhere, the rayon pool parses the whole lines inside each
//! chunk while the next one is being read, and the few lines cut by chunk boundaries are
//! stitched back together and parsed at the end. BGZF blocks are independent deflate streams,
//! so for BGZF the pool also does the decompression.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::error::{Error, Result};
use crate::io::inflate;

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

pub(crate) const READ_BUFFER: usize = 1 << 20;

/// Longest line accepted (16 MiB): a corrupt or binary file fails fast instead of exhausting
/// memory while looking for a line end.
pub const MAX_LINE: usize = 16 << 20;

/// Bytes of text per parallel work item: large enough that per-chunk overhead (a channel
/// message, a few small allocations) is noise, small enough that 2-3 chunks in flight per
/// thread keep memory flat.
const CHUNK: usize = 4 << 20;

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
    consumed: u64,
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

fn read_error(path: &Path, compression: Compression, line: u64, e: &std::io::Error) -> Error {
    let what = match (compression, e.kind()) {
        (Compression::Plain, _) => format!("read error: {e}"),
        (_, ErrorKind::UnexpectedEof) => TRUNCATED.to_string(),
        _ => format!("corrupt compressed stream: {e}"),
    };
    Error::parse(path, line, what)
}

fn line_too_long(path: &Path, line: u64) -> Error {
    Error::parse(
        path,
        line,
        format!("line longer than {} MiB: not a text table (corrupt or binary file?)", MAX_LINE >> 20),
    )
}

/// The lines of a buffer of whole lines, with 1-based line numbers local to the buffer and the
/// line end (`\n` or `\r\n`) removed.
pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    /// Lines of `bytes`; the last one may lack its `\n`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, pos: 0, line: 0 }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (u64, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let (mut line, advance) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        self.pos += advance;
        self.line += 1;
        Some((self.line, line))
    }
}

/// Adds `offset` to the line number of a parse error found in a chunk whose line numbers are
/// local.
fn shift_line(error: Error, offset: u64) -> Error {
    match error {
        Error::Parse { path, line, column, message } => Error::Parse { path, line: line + offset, column, message },
        other => other,
    }
}

enum RawChunk {
    /// Decompressed text cut at an arbitrary byte.
    Text(Vec<u8>),
    /// Whole BGZF blocks (compressed), their decompressed sizes, and how many leading
    /// decompressed bytes were already returned as lines by the [`LineReader`].
    Bgzf { raw: Vec<u8>, sizes: Vec<(usize, usize)>, skip: usize },
}

/// What a worker made of one chunk: the parsed whole lines in the middle, and the bytes before
/// the first and after the last line end, which belong to lines cut by the chunk boundaries.
struct Piece<T> {
    head: Vec<u8>,
    body: Option<(Result<T>, u64)>,
    tail: Vec<u8>,
}

fn inflate_bgzf(raw: &[u8], sizes: &[(usize, usize)], skip: usize) -> std::result::Result<Vec<u8>, String> {
    let total: usize = sizes.iter().map(|s| s.1).sum();
    let mut out = vec![0u8; total];
    let mut at = 0usize;
    let mut offset = 0usize;
    for &(block_len, size) in sizes {
        let block = &raw[offset..offset + block_len];
        // Header 12 + extra field (XLEN at bytes 10..12), then deflate data, CRC32, ISIZE.
        let xlen = u16::from_le_bytes([block[10], block[11]]) as usize;
        let data = &block[12 + xlen..block_len - 8];
        let crc = u32::from_le_bytes(block[block_len - 8..block_len - 4].try_into().expect("4 bytes"));
        let target = &mut out[at..at + size];
        inflate::inflate_exact(data, target)?;
        let mut check = flate2::Crc::new();
        check.update(target);
        if check.sum() != crc {
            return Err("corrupt BGZF block (CRC mismatch)".into());
        }
        at += size;
        offset += block_len;
    }
    out.drain(..skip.min(out.len()));
    Ok(out)
}

/// What a gzip or BGZF stream that stops before its end is reported as.
const TRUNCATED: &str = "the compressed stream ends early (truncated download?)";

/// Reads BGZF blocks into batches of about [`CHUNK`] decompressed bytes, without inflating
/// them; the sizes come from each block's trailer.
fn produce_bgzf(
    path: &Path,
    skip: u64,
    mut send: impl FnMut(Result<RawChunk>) -> bool,
    recycled: impl Fn() -> Option<Vec<u8>>,
) {
    if let Err(e) = send_bgzf_batches(path, skip, &mut send, recycled) {
        send(Err(e));
    }
}

/// The work of [`produce_bgzf`]; stops early, without error, when `send` says the reader is
/// gone.
fn send_bgzf_batches(
    path: &Path,
    skip: u64,
    send: &mut impl FnMut(Result<RawChunk>) -> bool,
    recycled: impl Fn() -> Option<Vec<u8>>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut file = BufReader::with_capacity(READ_BUFFER, file);
    let mut decompressed_at = 0u64;
    let mut raw = Vec::new();
    let mut sizes = Vec::new();
    let mut batch_start = 0u64;
    let mut header = [0u8; 18];
    loop {
        let eof = !read_whole_or_nothing(&mut file, &mut header, path)?;
        if !eof {
            let ok = header[0] == 0x1f
                && header[1] == 0x8b
                && header[3] & 4 != 0
                && header[12] == b'B'
                && header[13] == b'C';
            if !ok {
                return Err(Error::parse(path, 1, "corrupt compressed stream: not a BGZF block"));
            }
            let block_len = u16::from_le_bytes([header[16], header[17]]) as usize + 1;
            let start = raw.len();
            raw.extend_from_slice(&header);
            raw.resize(start + block_len.max(18), 0);
            let body = &mut raw[start + 18..];
            if !read_whole_or_nothing(&mut file, body, path)? && !body.is_empty() {
                return Err(Error::parse(path, 1, TRUNCATED));
            }
            if block_len < 26 {
                return Err(Error::parse(path, 1, "corrupt compressed stream: BGZF block too short"));
            }
            let size = u32::from_le_bytes(raw[start + block_len - 4..start + block_len].try_into().expect("4 bytes"));
            sizes.push((block_len, size as usize));
            decompressed_at += u64::from(size);
        }
        let batch_bytes: usize = (decompressed_at - batch_start) as usize;
        if (eof && !sizes.is_empty()) || batch_bytes >= CHUNK {
            let end = decompressed_at;
            if end <= skip {
                raw.clear();
                sizes.clear();
            } else {
                let local_skip = skip.saturating_sub(batch_start) as usize;
                let mut next = recycled().unwrap_or_default();
                next.clear();
                let chunk = RawChunk::Bgzf {
                    raw: std::mem::replace(&mut raw, next),
                    sizes: std::mem::take(&mut sizes),
                    skip: local_skip,
                };
                if !send(Ok(chunk)) {
                    return Ok(());
                }
            }
            batch_start = end;
        }
        if eof {
            return Ok(());
        }
    }
}

/// Fills all of `buf`: true when filled, false at a clean end of the file (nothing read), and
/// the truncated-stream error when the file ends part-way.
fn read_whole_or_nothing(reader: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<bool> {
    match read_full(reader, buf) {
        Ok(n) if n == buf.len() => Ok(true),
        Ok(0) => Ok(false),
        Ok(_) => Err(Error::parse(path, 1, TRUNCATED)),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The next `size` bytes of `reader`, or as many as the stream holds, read into `buf` (a
/// recycled buffer, whose old contents are overwritten, or a new one); with the error that
/// stopped the read, if any. The text before an error is kept: it still counts.
pub(crate) fn read_chunk(reader: &mut impl Read, mut buf: Vec<u8>, size: usize) -> (Vec<u8>, Option<std::io::Error>) {
    buf.resize(size, 0);
    let (filled, error) = read_until_error(reader, &mut buf);
    buf.truncate(filled);
    (buf, error)
}

/// Fills `buf` as far as the stream goes; returns the bytes read and the error that stopped
/// it, if any.
fn read_until_error(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

/// Like [`read_until_error`], for callers that drop a partial read on error.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    match read_until_error(reader, buf) {
        (filled, None) => Ok(filled),
        (_, Some(e)) => Err(e),
    }
}

/// Splits a chunk into the bytes of the line cut at its start, its whole lines (parsed), and
/// the bytes of the line cut at its end.
fn split_and_parse<T>(index: usize, text: &[u8], parse: &impl Fn(&[u8]) -> Result<T>) -> Piece<T> {
    let first = if index == 0 { Some(0) } else { memchr::memchr(b'\n', text).map(|i| i + 1) };
    let Some(first) = first else {
        return Piece { head: text.to_vec(), body: None, tail: Vec::new() };
    };
    let last = memchr::memrchr(b'\n', text).map_or(0, |i| i + 1);
    let (head, body, tail) = if last > first {
        (&text[..first], &text[first..last], &text[last..])
    } else {
        (&text[..first], &text[first..first], &text[first..])
    };
    let lines = memchr::memchr_iter(b'\n', body).count() as u64;
    let parsed = if body.is_empty() { None } else { Some((parse(body), lines)) };
    Piece { head: head.to_vec(), body: parsed, tail: tail.to_vec() }
}

/// Parses the rest of `reader` (everything after the lines it has already returned) in
/// parallel on the current rayon pool, and returns one result per piece of the file, in file
/// order. See [`par_chunks_fold`].
pub fn par_chunks<T: Send>(reader: LineReader, parse: impl Fn(&[u8]) -> Result<T> + Sync) -> Result<Vec<T>> {
    par_chunks_fold(reader, parse, Vec::new(), |all, part| all.push(part))
}

/// In-order state of [`par_chunks_fold`]: pieces that arrived early wait here until every
/// earlier piece has been folded.
struct Stitcher<A, F> {
    next: usize,
    waiting: std::collections::BTreeMap<usize, Result<Piece<A>>>,
    line: u64,
    pending: Vec<u8>,
    error: Option<Error>,
    acc: F,
}

/// Parses the rest of `reader` (everything after the lines it has already returned) in
/// parallel on the current rayon pool, folding each piece's result into `init` in file order
/// as soon as every earlier piece is done, so that only the pieces in flight are held apart
/// from the accumulated result.
///
/// `parse` receives a buffer of whole lines (iterate it with [`Lines`]); the line numbers of
/// its errors are local to that buffer (1 = its first line) and are made absolute here; the
/// first error in file order is returned. How the file is cut into pieces depends only on its
/// bytes, never on the thread count, and `fold` sees the pieces in order.
pub fn par_chunks_fold<T: Send, A: Send>(
    reader: LineReader,
    parse: impl Fn(&[u8]) -> Result<T> + Sync,
    init: A,
    fold: impl Fn(&mut A, T) + Sync,
) -> Result<A> {
    let LineReader { inner, path, compression, line_number, consumed, .. } = reader;
    let threads = rayon::current_num_threads().max(1);
    let (tx, rx) = sync_channel::<(usize, Result<RawChunk>)>(threads + 1);
    // Parsed chunks' buffers go back to the reader: fresh 4 MiB buffers cost page faults and
    // zeroing on every chunk.
    let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let recycle_tx = std::sync::Mutex::new(recycle_tx);
    let give_back = |buffer: Vec<u8>| {
        if let Ok(tx) = recycle_tx.lock() {
            let _ = tx.send(buffer);
        }
    };
    let failed = std::sync::atomic::AtomicBool::new(false);
    let state = std::sync::Mutex::new(Stitcher {
        next: 0,
        waiting: std::collections::BTreeMap::new(),
        line: line_number,
        pending: Vec::new(),
        error: None,
        acc: init,
    });
    // Stitch the cut line before a piece, fold its body; line numbers made absolute.
    let settle = |st: &mut Stitcher<T, A>, index: usize, piece: Result<Piece<T>>| -> Result<()> {
        let Piece { head, body, tail } = piece.map_err(|e| shift_line(e, st.line))?;
        st.pending.extend_from_slice(&head);
        if st.pending.len() > MAX_LINE + 1 {
            return Err(line_too_long(&path, st.line + 1));
        }
        if index > 0 && st.pending.last() == Some(&b'\n') {
            let t = parse(&st.pending).map_err(|e| shift_line(e, st.line))?;
            fold(&mut st.acc, t);
            st.line += 1;
            st.pending.clear();
        }
        if let Some((result, lines)) = body {
            let t = result.map_err(|e| shift_line(e, st.line))?;
            fold(&mut st.acc, t);
            st.line += lines;
        }
        st.pending.extend_from_slice(&tail);
        Ok(())
    };
    let worker = |(index, chunk): (usize, Result<RawChunk>)| {
        let piece = if failed.load(std::sync::atomic::Ordering::Relaxed) {
            Ok(Piece { head: Vec::new(), body: None, tail: Vec::new() })
        } else {
            // One buffer goes back per buffer the reader took: the compressed one for BGZF.
            let text = match chunk {
                Err(e) => Err(e),
                Ok(RawChunk::Text(t)) => Ok((t, true)),
                Ok(RawChunk::Bgzf { raw, sizes, skip }) => {
                    let inflated = inflate_bgzf(&raw, &sizes, skip);
                    give_back(raw);
                    // The line is made absolute when settled, like any error of this chunk.
                    inflated.map(|t| (t, false)).map_err(|message| Error::parse(&path, 1, message))
                }
            };
            text.map(|(text, reusable)| {
                // A byte-order mark is only skipped at the very start of the file.
                let start = if index == 0 && consumed == 0 && text.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
                let piece = split_and_parse(index, &text[start..], &parse);
                if reusable {
                    give_back(text);
                }
                piece
            })
        };
        let Ok(mut st) = state.lock() else { return };
        st.waiting.insert(index, piece);
        while st.error.is_none() {
            let next = st.next;
            let Some(piece) = st.waiting.remove(&next) else { break };
            st.next += 1;
            if let Err(e) = settle(&mut st, next, piece) {
                st.error = Some(e);
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    };
    std::thread::scope(|scope| {
        let producer_path = path.clone();
        let failed = &failed;
        scope.spawn(move || {
            let mut index = 0usize;
            let mut send = |chunk: Result<RawChunk>| -> bool {
                // Between chunks the reader stops for a cancellation as for a read error.
                let chunk = crate::cancel::check().and(chunk);
                let stop = chunk.is_err();
                let ok = tx.send((index, chunk)).is_ok();
                index += 1;
                ok && !stop && !failed.load(std::sync::atomic::Ordering::Relaxed)
            };
            if compression == Compression::Bgzf {
                drop(inner);
                produce_bgzf(&producer_path, consumed, send, || recycle_rx.try_recv().ok());
                return;
            }
            let mut inner = inner;
            loop {
                // The text decoded before a stream error still counts: the error then names
                // the line where the stream broke off.
                let (buf, error) = read_chunk(&mut inner, recycle_rx.try_recv().unwrap_or_default(), CHUNK);
                let at_end = buf.is_empty();
                if !at_end && !send(Ok(RawChunk::Text(buf))) {
                    return;
                }
                match error {
                    Some(e) => {
                        send(Err(read_error(&producer_path, compression, 1, &e)));
                        return;
                    }
                    None if at_end => return,
                    None => {}
                }
            }
        });
        rx.into_iter().par_bridge().for_each(worker);
    });
    let mut st = state.into_inner().map_err(|_| Error::Internal("a parser thread panicked".into()))?;
    if let Some(e) = st.error.take() {
        return Err(e);
    }
    if !st.waiting.is_empty() {
        return Err(Error::Internal("pieces of the file were not parsed".into()));
    }
    if st.pending.len() > MAX_LINE {
        return Err(line_too_long(&path, st.line + 1));
    }
    if !st.pending.is_empty() {
        let t = parse(&st.pending).map_err(|e| shift_line(e, st.line))?;
        fold(&mut st.acc, t);
    }
    Ok(st.acc)
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
/// from each field (and, for tab and comma files, the blanks around a field).
///
/// The line is scanned eight bytes at a time: each word gives a bit mask of its delimiters, and
/// fields are read off the set bits. Rows have about ten short fields, where a search call per
/// field costs more than the scan.
pub fn split_fields(line: &[u8], delimiter: Delimiter, out: &mut Vec<(u32, u32)>) {
    out.clear();
    // Only a line with a blank or a quote needs `unquote`: for tab and comma files one SIMD
    // search tells; the blank-run scan notes quotes as it goes, which is cheaper on short lines.
    let odd = match delimiter {
        Delimiter::Tab | Delimiter::Comma => {
            split_on(line, if delimiter == Delimiter::Tab { b'\t' } else { b',' }, out);
            memchr::memchr2(b' ', b'"', line).is_some()
        }
        Delimiter::Whitespace => split_blank_runs::<true>(line, out),
    };
    if odd {
        for range in out.iter_mut() {
            *range = unquote(line, range.0 as usize, range.1 as usize);
        }
    }
}

/// [`split_fields`] for the lines of one buffer. The buffer is searched once (one SIMD pass)
/// for the bytes that make `unquote` necessary; in a buffer without them, as in nearly every
/// GWAS file, no line pays for its own check.
///
/// A whitespace-separated buffer whose blanks are all tabs (as PLINK writes) or all spaces is
/// split on that one byte, which is cheaper than finding runs of blanks; a line where that
/// gives an empty field (a run of blanks, a blank at either end) is split again by the rules.
#[derive(Debug, Clone, Copy)]
pub struct FieldSplitter {
    delimiter: Delimiter,
    plain: bool,
    only_blank: Option<u8>,
}

impl FieldSplitter {
    /// A splitter for lines taken from `buffer`.
    pub fn new(buffer: &[u8], delimiter: Delimiter) -> Self {
        let (plain, only_blank) = match delimiter {
            Delimiter::Tab | Delimiter::Comma => (memchr::memchr2(b' ', b'"', buffer).is_none(), None),
            Delimiter::Whitespace => {
                if memchr::memchr2(b' ', b'"', buffer).is_none() {
                    (true, Some(b'\t'))
                } else if memchr::memchr2(b'\t', b'"', buffer).is_none() {
                    (true, Some(b' '))
                } else {
                    (memchr::memchr(b'"', buffer).is_none(), None)
                }
            }
        };
        FieldSplitter { delimiter, plain, only_blank }
    }

    /// Splits `line`, which must come from the buffer given to [`FieldSplitter::new`], exactly
    /// as [`split_fields`] does.
    #[inline]
    pub fn split(&self, line: &[u8], out: &mut Vec<(u32, u32)>) {
        if !self.plain {
            return split_fields(line, self.delimiter, out);
        }
        out.clear();
        match self.delimiter {
            Delimiter::Tab => split_on(line, b'\t', out),
            Delimiter::Comma => split_on(line, b',', out),
            Delimiter::Whitespace => {
                if let Some(blank) = self.only_blank {
                    split_on(line, blank, out);
                    if out.iter().all(|&(start, end)| start < end) {
                        return;
                    }
                    out.clear();
                }
                split_blank_runs::<false>(line, out);
            }
        }
    }
}

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// 0x80 in each byte of `word` equal to `byte`, 0 elsewhere (exact: no carries between bytes).
#[inline(always)]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Packs the 0x80 flags of [`bytes_equal`] into one bit a byte, byte `i` to bit `i`.
#[inline(always)]
fn flags_to_bits(flags: u64) -> u32 {
    ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// The word at `at` (little-endian), zero-padded past the end of `line`.
#[inline(always)]
fn word_at(line: &[u8], at: usize) -> u64 {
    if let Some(bytes) = line.get(at..at + 8) {
        return u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
    }
    let valid = line.len() - at;
    match line.len().checked_sub(8) {
        // The line's last eight bytes, shifted so that byte `at` comes first.
        Some(last) => u64::from_le_bytes(line[last..].try_into().expect("8 bytes")) >> (8 * (8 - valid)),
        None => line[at..].iter().rev().fold(0u64, |word, &b| (word << 8) | u64::from(b)),
    }
}

/// Fields between every `sep`.
#[inline]
fn split_on(line: &[u8], sep: u8, out: &mut Vec<(u32, u32)>) {
    let mut start = 0usize;
    let mut at = 0usize;
    while at < line.len() {
        // Padding bytes are zero, never a separator.
        let mut seps = flags_to_bits(bytes_equal(word_at(line, at), sep));
        while seps != 0 {
            let pos = at + seps.trailing_zeros() as usize;
            out.push((start as u32, pos as u32));
            start = pos + 1;
            seps &= seps - 1;
        }
        at += 8;
    }
    out.push((start as u32, line.len() as u32));
}

/// Fields that are runs of bytes other than space and tab; returns whether the line holds a
/// quote (always false unless `FIND_QUOTES`).
#[inline]
fn split_blank_runs<const FIND_QUOTES: bool>(line: &[u8], out: &mut Vec<(u32, u32)>) -> bool {
    let mut quotes = 0u64;
    // The byte before the line counts as a blank, and so do the padding bytes after it.
    let mut previous_blank = 1u32;
    let mut start = 0usize;
    let mut at = 0usize;
    while at < line.len() {
        let word = word_at(line, at);
        if FIND_QUOTES {
            quotes |= bytes_equal(word, b'"');
        }
        let mut blanks = flags_to_bits(bytes_equal(word, b' ') | bytes_equal(word, b'\t'));
        let valid = line.len() - at;
        if valid < 8 {
            blanks |= 0xFF << valid;
        }
        // A set bit where a byte differs in blankness from the byte before it.
        let mut edges = (blanks ^ ((blanks << 1) | previous_blank)) & 0xFF;
        while edges != 0 {
            let bit = edges.trailing_zeros();
            let pos = at + bit as usize;
            if blanks & (1 << bit) == 0 {
                start = pos;
            } else {
                out.push((start as u32, pos as u32));
            }
            edges &= edges - 1;
        }
        previous_blank = (blanks >> 7) & 1;
        at += 8;
    }
    if previous_blank == 0 {
        out.push((start as u32, line.len() as u32));
    }
    quotes != 0
}

#[inline]
fn unquote(line: &[u8], mut start: usize, mut end: usize) -> (u32, u32) {
    // Nearly every field is neither padded nor quoted.
    if end > start && !matches!(line[start], b' ' | b'"') && !matches!(line[end - 1], b' ' | b'"') {
        return (start as u32, end as u32);
    }
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
    match parse_short_decimal(bytes) {
        Some(value) => Some(value),
        None => fast_float2::parse(bytes).ok(),
    }
}

/// Powers of ten that are exact doubles.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The value of a plain decimal (`[+-]digits[.digits][e[+-]digits]`) whose digits, read as an
/// integer, are at most 2^53 and whose power of ten is within 10^±22; `None` for anything else.
///
/// Both the integer and the power of ten are then exact doubles, so the one multiplication or
/// division that joins them is correctly rounded: the result is the correctly rounded value of
/// the text, bit for bit what a full parser gives (Clinger's fast path). P-values, betas and
/// standard errors as GWAS software prints them take this path, at a fraction of the cost of
/// the general parser's set-up.
#[inline]
fn parse_short_decimal(bytes: &[u8]) -> Option<f64> {
    let (negative, mut i) = match bytes.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa = 0u64;
    // Wraps only past 19 digits, which are refused below.
    let mut read_digits = |i: &mut usize| {
        let start = *i;
        while let Some(&b) = bytes.get(*i) {
            let digit = b.wrapping_sub(b'0');
            if digit >= 10 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            *i += 1;
        }
        *i - start
    };
    let mut digits = read_digits(&mut i);
    let mut fraction_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        fraction_digits = read_digits(&mut i);
        digits += fraction_digits;
    }
    if digits == 0 || digits > 19 || mantissa > 1 << 53 {
        return None;
    }
    let fraction_digits = fraction_digits as i32;
    let mut exponent = 0i32;
    if let Some(&b) = bytes.get(i) {
        if b | 0x20 != b'e' {
            return None;
        }
        i += 1;
        let negative_exponent = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while let Some(&b) = bytes.get(i) {
            let digit = b.wrapping_sub(b'0');
            if digit >= 10 || i - start == 4 {
                return None;
            }
            exponent = exponent * 10 + i32::from(digit);
            i += 1;
        }
        if i == start {
            return None;
        }
        if negative_exponent {
            exponent = -exponent;
        }
    }
    let power = exponent - fraction_digits;
    let scale = *EXACT_POWERS_OF_TEN.get(power.unsigned_abs() as usize)?;
    let magnitude = if power < 0 { mantissa as f64 / scale } else { mantissa as f64 * scale };
    Some(if negative { -magnitude } else { magnitude })
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

    /// The field splitting rules, one byte at a time.
    fn split_fields_slowly(line: &[u8], delimiter: Delimiter) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        match delimiter {
            Delimiter::Tab | Delimiter::Comma => {
                let sep = if delimiter == Delimiter::Tab { b'\t' } else { b',' };
                let mut start = 0;
                for (i, &b) in line.iter().enumerate() {
                    if b == sep {
                        out.push(unquote(line, start, i));
                        start = i + 1;
                    }
                }
                out.push(unquote(line, start, line.len()));
            }
            Delimiter::Whitespace => {
                let mut i = 0;
                while i < line.len() {
                    if matches!(line[i], b' ' | b'\t') {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < line.len() && !matches!(line[i], b' ' | b'\t') {
                        i += 1;
                    }
                    out.push(unquote(line, start, i));
                }
            }
        }
        out
    }

    #[test]
    fn word_at_a_time_splitting_matches_the_byte_rules() {
        // All kinds of bytes; then lines whose only blanks are tabs, or spaces, without quotes
        // (the single-blank path of whitespace splitting).
        for alphabet in [&b"ab\t\t,  \"\"x\xff\x80\x00\x7f"[..], b"ab\t\t,x\xff\x80\x00", b"ab  ,x\xff\x80\x00"] {
            check_splitting_on_random_lines(alphabet);
        }
    }

    fn check_splitting_on_random_lines(alphabet: &[u8]) {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut out = Vec::new();
        for case in 0..200_000 {
            crate::testing::xorshift(&mut state);
            let len = (state % 41) as usize;
            let mut line = Vec::with_capacity(len);
            let mut bits = state;
            for k in 0..len {
                if k % 12 == 0 {
                    bits = crate::testing::xorshift(&mut state);
                }
                line.push(alphabet[(bits % alphabet.len() as u64) as usize]);
                bits /= alphabet.len() as u64;
            }
            for delimiter in [Delimiter::Tab, Delimiter::Comma, Delimiter::Whitespace] {
                split_fields(&line, delimiter, &mut out);
                assert_eq!(out, split_fields_slowly(&line, delimiter), "case {case}: {line:?} {delimiter:?}");
                // The line as its own buffer: plain or not, as the line has blanks or quotes.
                FieldSplitter::new(&line, delimiter).split(&line, &mut out);
                assert_eq!(out, split_fields_slowly(&line, delimiter), "case {case}: {line:?} {delimiter:?}");
            }
        }
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

    /// BGZF as `bgzip` writes it: independent deflate blocks of <= 64 KiB with the `BC` extra
    /// field, then the empty EOF block.
    fn bgzf(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in data.chunks(60_000).chain(std::iter::once(&[][..])) {
            let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(4));
            enc.write_all(piece).unwrap();
            let cdata = enc.finish().unwrap();
            let bsize = (cdata.len() + 25) as u16;
            out.extend_from_slice(&[0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0]);
            out.extend_from_slice(&bsize.to_le_bytes());
            out.extend_from_slice(&cdata);
            let mut crc = flate2::Crc::new();
            crc.update(piece);
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&(piece.len() as u32).to_le_bytes());
        }
        out
    }

    fn all_lines(path: &Path) -> Vec<Vec<u8>> {
        let mut r = LineReader::open(path).unwrap();
        let mut lines = Vec::new();
        while let Some((_, l)) = r.next_line().unwrap() {
            lines.push(l.to_vec());
        }
        lines
    }

    #[test]
    fn parallel_chunks_see_every_line_once_in_order() {
        // ~11 MiB: three chunks, lines of varied length cut at arbitrary chunk boundaries.
        let mut text = Vec::new();
        writeln!(text, "HEADER\tline").unwrap();
        for i in 0..400_000u64 {
            let pad = "x".repeat((i % 37) as usize);
            if i % 1000 == 7 {
                write!(text, "row{i}\t{pad}\r\n").unwrap();
            } else if i % 5000 == 3 {
                text.push(b'\n');
            } else {
                writeln!(text, "row{i}\t{pad}").unwrap();
            }
        }
        text.extend_from_slice(b"last line without end");
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("p.txt");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("g.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
        enc.write_all(&text).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let bgz = dir.path().join("b.gz");
        std::fs::write(&bgz, bgzf(&text)).unwrap();
        let want = all_lines(&plain);
        for (path, comp) in [(&plain, Compression::Plain), (&gz, Compression::Gzip), (&bgz, Compression::Bgzf)] {
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let got: Vec<Vec<u8>> = pool.install(|| {
                    let mut r = LineReader::open(path).unwrap();
                    assert_eq!(r.compression(), comp);
                    let mut lines = vec![r.next_line().unwrap().unwrap().1.to_vec()];
                    let parts =
                        par_chunks(r, |b| Ok(Lines::new(b).map(|(_, l)| l.to_vec()).collect::<Vec<_>>())).unwrap();
                    lines.extend(parts.into_iter().flatten());
                    lines
                });
                assert_eq!(got.len(), want.len(), "{comp:?} {threads}");
                assert!(got == want, "{comp:?} with {threads} threads differs");
            }
        }
        // Errors carry the absolute line number, wherever the chunk boundaries fall.
        for path in [&plain, &gz, &bgz] {
            let mut r = LineReader::open(path).unwrap();
            r.next_line().unwrap();
            let err = par_chunks(r, |b| {
                for (line, l) in Lines::new(b) {
                    if l.starts_with(b"row300001\t") {
                        return Err(Error::parse(Path::new("x"), line, "found it"));
                    }
                }
                Ok(())
            })
            .unwrap_err()
            .to_string();
            // Header, rows 0..=300001, of which none is lost to the blank-line rows: line 300003.
            assert!(err.contains("line 300003"), "{err}");
        }
    }

    #[test]
    fn overlong_lines_are_errors_not_memory_hogs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.txt");
        let mut text = b"a\tb\n".to_vec();
        text.resize(text.len() + MAX_LINE + 10, b'x');
        std::fs::write(&path, &text).unwrap();
        let mut r = LineReader::open(&path).unwrap();
        r.next_line().unwrap();
        let err = par_chunks(r, |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("long.txt") && err.contains("line 2") && err.contains("longer than"), "{err}");
        let bom = dir.path().join("bom.txt");
        std::fs::write(&bom, b"\xEF\xBB\xBFa b\r\nc d\n").unwrap();
        let lines = par_chunks(LineReader::open(&bom).unwrap(), |b| {
            Ok(Lines::new(b).map(|(_, l)| String::from_utf8(l.to_vec()).unwrap()).collect::<Vec<_>>())
        })
        .unwrap();
        assert_eq!(lines.concat(), ["a b", "c d"]);
        let mut r = LineReader::open(&path).unwrap();
        r.next_line().unwrap();
        let err = r.next_line().unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("longer than"), "{err}");
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
