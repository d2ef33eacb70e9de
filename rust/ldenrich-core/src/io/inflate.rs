//! The deflate back end: zlib-rs (pure Rust, always available) or, with the `isal` feature,
//! Intel's ISA-L, which inflates a single gzip stream about twice as fast. The single stream is
//! the one step of reading a `.gz` file that cannot be split over threads, so its speed bounds
//! the whole run.
//!
//! Both back ends give the same bytes and the same errors. A stream that stops early is an
//! [`std::io::ErrorKind::UnexpectedEof`] error after all the text before the break; ISA-L cannot say
//! where it broke off, so on any ISA-L error the stream is decoded again from the start by
//! zlib-rs, which then reports it exactly.

use std::io::Read;
#[cfg(feature = "isal")]
use std::io::{BufRead, ErrorKind};

/// Name of the deflate implementation this build uses (`"ISA-L"` or `"zlib-rs"`).
pub const BACKEND: &str = if cfg!(feature = "isal") { "ISA-L" } else { "zlib-rs" };

/// A reader of the decompressed bytes of one or more concatenated gzip members. `open` gives
/// the compressed bytes from their start; it is called once, or again to report an error.
pub fn gzip_reader<R, F>(open: F) -> std::io::Result<Box<dyn Read + Send>>
where
    R: Read + Send + 'static,
    F: Fn() -> std::io::Result<R> + Send + 'static,
{
    #[cfg(feature = "isal")]
    {
        isal_thread(open)
    }
    #[cfg(not(feature = "isal"))]
    {
        Ok(Box::new(zlib_rs_reader(open()?)))
    }
}

fn zlib_rs_reader<R: Read>(source: R) -> impl Read {
    flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(crate::io::text::READ_BUFFER, source))
}

/// ISA-L's inflate state holds raw pointers and so cannot move between threads; it lives on a
/// thread of its own that hands over decompressed buffers, which also runs the inflate beside
/// whatever consumes the text. The thread ends with the stream or when the reader is dropped.
#[cfg(feature = "isal")]
fn isal_thread<R, F>(open: F) -> std::io::Result<Box<dyn Read + Send>>
where
    R: Read + Send + 'static,
    F: Fn() -> std::io::Result<R> + Send + 'static,
{
    use std::sync::mpsc::{channel, sync_channel};
    let source = open()?;
    let (text_tx, text_rx) = sync_channel::<std::io::Result<Vec<u8>>>(2);
    let (recycle_tx, recycle_rx) = channel::<Vec<u8>>();
    std::thread::Builder::new().name("ldenrich-inflate".into()).spawn(move || {
        let mut pump = Pump { text: text_tx, recycle: recycle_rx, delivered: 0 };
        let mut decoder = isal::read::Decoder::new(source, isal::Codec::Gzip);
        let failure = match pump.run(&mut decoder) {
            Ok(()) | Err(Stop::ReaderGone) => return,
            Err(Stop::Failed(e)) => e,
        };
        // The bytes of the failing ISA-L call are lost; zlib-rs re-decodes the stream, skips
        // what was delivered, and goes on to its own verdict (or to the end, if ISA-L was wrong).
        let redo = open().and_then(|source| {
            let mut decoder = zlib_rs_reader(source);
            let skipped = std::io::copy(&mut (&mut decoder).take(pump.delivered), &mut std::io::sink())?;
            Ok((decoder, skipped))
        });
        let verdict = match redo {
            Ok((mut decoder, skipped)) if skipped == pump.delivered => match pump.run(&mut decoder) {
                Err(Stop::Failed(e)) => e,
                Ok(()) | Err(Stop::ReaderGone) => return,
            },
            Ok(_) => failure,
            Err(e) => e,
        };
        let _ = pump.text.send(Err(verdict));
    })?;
    Ok(Box::new(ChannelReader { text: text_rx, recycle: recycle_tx, current: Vec::new(), at: 0, state: Flow::Open }))
}

#[cfg(feature = "isal")]
enum Stop {
    ReaderGone,
    Failed(std::io::Error),
}

/// The producing end of the inflate thread.
#[cfg(feature = "isal")]
struct Pump {
    text: std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>,
    recycle: std::sync::mpsc::Receiver<Vec<u8>>,
    delivered: u64,
}

#[cfg(feature = "isal")]
impl Pump {
    /// Sends the decoder's text in buffers, then the clean-end marker (an empty buffer, so that
    /// a thread that died is not mistaken for the end of the file).
    fn run(&mut self, decoder: &mut impl Read) -> std::result::Result<(), Stop> {
        loop {
            let recycled = self.recycle.try_recv().unwrap_or_default();
            let (buf, failure) = crate::io::text::read_chunk(decoder, recycled, INFLATE_BUFFER);
            let filled = buf.len();
            if filled > 0 {
                self.text.send(Ok(buf)).map_err(|_| Stop::ReaderGone)?;
                self.delivered += filled as u64;
            }
            if let Some(e) = failure {
                return Err(Stop::Failed(e));
            }
            if filled == 0 {
                return self.text.send(Ok(Vec::new())).map_err(|_| Stop::ReaderGone);
            }
        }
    }
}

/// Inflates one raw deflate stream (a BGZF block's payload) into exactly `target`; the error
/// says what was wrong.
pub fn inflate_exact(data: &[u8], target: &mut [u8]) -> std::result::Result<(), String> {
    #[cfg(feature = "isal")]
    {
        match isal::decompress_into(data, target, isal::Codec::Deflate) {
            Ok(n) if n == target.len() => Ok(()),
            Ok(_) => Err("corrupt BGZF block (size does not match its header)".into()),
            Err(e) => Err(format!("corrupt BGZF block: {}", describe(&e))),
        }
    }
    #[cfg(not(feature = "isal"))]
    {
        let mut inflater = flate2::Decompress::new(false);
        match inflater.decompress(data, target, flate2::FlushDecompress::Finish) {
            Ok(flate2::Status::StreamEnd) if inflater.total_out() as usize == target.len() => Ok(()),
            Ok(_) => Err("corrupt BGZF block (size does not match its header)".into()),
            Err(e) => Err(format!("corrupt BGZF block: {e}")),
        }
    }
}

#[cfg(feature = "isal")]
const INFLATE_BUFFER: usize = 1 << 20;

#[cfg(feature = "isal")]
fn describe(e: &isal::error::Error) -> String {
    use isal::error::Error as E;
    use isal::DecompCode as C;
    match e {
        E::DecompressionError(C::IncorrectChecksum) => "CRC mismatch".into(),
        E::DecompressionError(C::InvalidWrapper) => "not a valid gzip header".into(),
        E::DecompressionError(C::InvalidBlock | C::InvalidSymbol | C::InvalidLoopBack) => "invalid deflate data".into(),
        E::DecompressionError(C::UnsupportedMethod) => "unsupported compression method".into(),
        E::DecompressionError(code) => format!("{code:?}"),
        E::Io(io) => io.to_string(),
        E::Other((_, message)) => message.clone(),
        E::CompressionError(code) => format!("{code:?}"),
    }
}

/// The consuming end of the inflate thread.
#[cfg(feature = "isal")]
struct ChannelReader {
    text: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    recycle: std::sync::mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    state: Flow,
}

#[cfg(feature = "isal")]
enum Flow {
    Open,
    Ended,
    Failed(ErrorKind, String),
}

#[cfg(feature = "isal")]
impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(feature = "isal")]
impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at == self.current.len() {
            match &self.state {
                Flow::Open => {}
                Flow::Ended => return Ok(&[]),
                // Repeated reads keep failing rather than looking like a clean end.
                Flow::Failed(kind, message) => return Err(std::io::Error::new(*kind, message.clone())),
            }
            match self.text.recv() {
                Ok(Ok(next)) if next.is_empty() => self.state = Flow::Ended,
                Ok(Ok(next)) => {
                    let used = std::mem::replace(&mut self.current, next);
                    // The inflate thread may be gone; the buffer is then simply freed.
                    let _ = self.recycle.send(used);
                    self.at = 0;
                }
                Ok(Err(e)) => self.state = Flow::Failed(e.kind(), e.to_string()),
                Err(_) => self.state = Flow::Failed(ErrorKind::Other, "the inflate thread stopped".into()),
            }
        }
        Ok(&self.current[self.at..])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.current.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{ErrorKind, Write};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Text that compresses like a summary-statistics file but is not trivially repetitive.
    fn text(lines: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..lines {
            crate::testing::xorshift(&mut x);
            writeln!(
                out,
                "rs{}\t{}\t{}\t{:.4e}",
                x % 900_000_000,
                i % 22 + 1,
                x % 250_000_000,
                (x % 1000) as f64 / 997.0
            )
            .unwrap();
        }
        out
    }

    fn read_all(bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
        let mut reader = gzip_reader(move || Ok(std::io::Cursor::new(bytes.clone())))?;
        let mut out = Vec::new();
        reader.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn concatenated_members_and_empty_members_read_as_one_text() {
        let (a, b) = (text(30_000), text(7));
        let mut file = gzip(&a);
        file.extend(gzip(b""));
        file.extend(gzip(&b));
        let mut expected = a.clone();
        expected.extend(&b);
        assert_eq!(read_all(file).unwrap(), expected);
        assert_eq!(read_all(gzip(b"")).unwrap(), b"");
    }

    #[test]
    fn every_truncation_is_an_early_end_not_a_short_text() {
        let data = text(20_000);
        let file = gzip(&data);
        // Cuts in the header, the deflate data, the CRC and the length field.
        let mut cuts: Vec<usize> = vec![1, 5, 10, 11, file.len() - 8, file.len() - 5, file.len() - 1];
        cuts.extend((1..40).map(|k| file.len() * k / 40));
        for cut in cuts {
            match read_all(file[..cut].to_vec()) {
                Ok(out) => panic!("cut at {cut} of {} read {} bytes without an error", file.len(), out.len()),
                Err(e) => assert_eq!(e.kind(), ErrorKind::UnexpectedEof, "cut at {cut}: {e}"),
            }
        }
    }

    /// Everything a decoder gives before its error.
    fn prefix_before_error(mut reader: impl Read) -> (Vec<u8>, ErrorKind) {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => panic!("no error after {} bytes", out.len()),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, e.kind()),
            }
        }
    }

    #[test]
    fn the_text_before_a_break_is_the_reference_decoders() {
        let file = gzip(&text(60_000));
        for cut in [file.len() / 3, file.len() - 9, file.len() - 3] {
            let part = file[..cut].to_vec();
            let reference = prefix_before_error(flate2::read::MultiGzDecoder::new(&part[..]));
            let ours = prefix_before_error(gzip_reader(move || Ok(std::io::Cursor::new(part.clone()))).unwrap());
            assert_eq!(ours.1, reference.1, "cut at {cut}");
            assert!(ours.0 == reference.0, "cut at {cut}: {} vs {} bytes", ours.0.len(), reference.0.len());
        }
    }

    #[test]
    fn damaged_streams_are_errors() {
        let data = text(5_000);
        let file = gzip(&data);
        let mut bad_crc = file.clone();
        let at = bad_crc.len() - 6;
        bad_crc[at] ^= 0x40;
        let err = read_all(bad_crc).unwrap_err();
        assert_ne!(err.kind(), ErrorKind::UnexpectedEof, "{err}");
        let mut bad_length = file.clone();
        let at = bad_length.len() - 2;
        bad_length[at] ^= 0x01;
        assert!(read_all(bad_length).is_err());
        let mut garbage_after = file.clone();
        garbage_after.extend_from_slice(b"this is not gzip\n");
        assert!(read_all(garbage_after).is_err());
        // Flipped bits in the deflate data: an error, or (rarely) other text that the CRC catches.
        for k in 1..20 {
            let mut damaged = file.clone();
            let at = 20 + (damaged.len() - 30) * k / 20;
            damaged[at] ^= 0x10;
            assert!(read_all(damaged).is_err(), "flip at byte {at}");
        }
    }

    #[test]
    fn a_reader_dropped_half_way_stops_cleanly() {
        let file = gzip(&text(200_000));
        let mut reader = gzip_reader(move || Ok(std::io::Cursor::new(file.clone()))).unwrap();
        let mut first = vec![0u8; 1000];
        reader.read_exact(&mut first).unwrap();
        drop(reader);
    }

    #[test]
    fn exact_inflate_checks_the_size() {
        let data = text(2_000);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(4));
        enc.write_all(&data).unwrap();
        let raw = enc.finish().unwrap();
        let mut out = vec![0u8; data.len()];
        inflate_exact(&raw, &mut out).unwrap();
        assert_eq!(out, data);
        let mut longer = vec![0u8; data.len() + 1];
        assert!(inflate_exact(&raw, &mut longer).is_err());
        let mut shorter = vec![0u8; data.len() - 1];
        assert!(inflate_exact(&raw, &mut shorter).is_err());
        assert!(inflate_exact(&raw[..raw.len() / 2], &mut out).is_err());
    }
}
