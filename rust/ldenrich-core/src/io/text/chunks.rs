//! Parallel parsing of the rest of a file ([`par_chunks`], [`par_chunks_fold`]): one thread
//! reads (and, for gzip, decompresses) 4 MiB chunks cut anywhere, the rayon pool parses the
//! whole lines inside each chunk while the next one is being read, and the few lines cut by
//! chunk boundaries are stitched back together and parsed in file order. BGZF blocks are
//! independent deflate streams, so for BGZF the pool also does the decompression. [`Lines`]
//! iterates the buffers of whole lines handed to the parser.

use std::sync::mpsc::sync_channel;

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::bgzf::{produce_bgzf, BgzfBatch};
use super::fill::read_chunk;
use super::reader::{line_too_long, read_error, LineReader, MAX_LINE};
use super::sniff::Compression;
use crate::error::{Error, Result};

/// Bytes of text per parallel work item: large enough that per-chunk overhead (a channel
/// message, a few small allocations) is noise, small enough that 2-3 chunks in flight per
/// thread keep memory flat.
const CHUNK: usize = 4 << 20;

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

/// One chunk as the reading thread hands it to a worker.
enum RawChunk {
    /// Decompressed text cut at an arbitrary byte.
    Text(Vec<u8>),
    /// Whole BGZF blocks, inflated by the worker that parses them.
    Bgzf(BgzfBatch),
}

/// What a worker made of one chunk: the parsed whole lines in the middle, and the bytes before
/// the first and after the last line end, which belong to lines cut by the chunk boundaries.
struct Piece<T> {
    head: Vec<u8>,
    body: Option<(Result<T>, u64)>,
    tail: Vec<u8>,
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
                Ok(RawChunk::Bgzf(batch)) => {
                    let inflated = batch.inflate();
                    give_back(batch.raw);
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
                produce_bgzf(
                    &producer_path,
                    consumed,
                    CHUNK,
                    |batch| send(batch.map(RawChunk::Bgzf)),
                    || recycle_rx.try_recv().ok(),
                );
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::Path;

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
}
