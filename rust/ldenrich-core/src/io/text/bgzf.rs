//! BGZF input for the parallel chunk reader: whole BGZF blocks read into batches without
//! inflating them ([`produce_bgzf`]), and a batch's blocks inflated and CRC-checked by the
//! worker that parses it ([`BgzfBatch::inflate`]).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::fill::read_full;
use super::reader::{READ_BUFFER, TRUNCATED};
use super::sniff::is_bgzf_header;
use crate::error::{Error, Result};
use crate::io::inflate;

/// Whole BGZF blocks (compressed), their compressed and decompressed sizes, and how many
/// leading decompressed bytes were already returned as lines by the [`super::LineReader`].
pub(super) struct BgzfBatch {
    pub(super) raw: Vec<u8>,
    sizes: Vec<(usize, usize)>,
    skip: usize,
}

impl BgzfBatch {
    /// The batch's text: every block inflated and CRC-checked, less the first `skip` bytes.
    pub(super) fn inflate(&self) -> std::result::Result<Vec<u8>, String> {
        let (raw, sizes, skip) = (&self.raw, &self.sizes, self.skip);
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
}

/// Reads BGZF blocks into batches of about `batch` decompressed bytes, without inflating
/// them, and hands each to `send`; the sizes come from each block's trailer. An error is sent
/// as the last item.
pub(super) fn produce_bgzf(
    path: &Path,
    skip: u64,
    batch: usize,
    mut send: impl FnMut(Result<BgzfBatch>) -> bool,
    recycled: impl Fn() -> Option<Vec<u8>>,
) {
    if let Err(e) = send_bgzf_batches(path, skip, batch, &mut send, recycled) {
        send(Err(e));
    }
}

/// The work of [`produce_bgzf`]; stops early, without error, when `send` says the reader is
/// gone.
fn send_bgzf_batches(
    path: &Path,
    skip: u64,
    batch: usize,
    send: &mut impl FnMut(Result<BgzfBatch>) -> bool,
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
            if !is_bgzf_header(&header) {
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
        if (eof && !sizes.is_empty()) || batch_bytes >= batch {
            let end = decompressed_at;
            if end <= skip {
                raw.clear();
                sizes.clear();
            } else {
                let local_skip = skip.saturating_sub(batch_start) as usize;
                let mut next = recycled().unwrap_or_default();
                next.clear();
                let chunk = BgzfBatch {
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
