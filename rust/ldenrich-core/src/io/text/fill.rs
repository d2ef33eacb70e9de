//! Filling buffers from a [`Read`], retrying interrupted reads: the one read loop behind the
//! line reader's header, the chunk reader, the BGZF block reader and the gzip inflater.

use std::io::{ErrorKind, Read};

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
pub(super) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    match read_until_error(reader, buf) {
        (filled, None) => Ok(filled),
        (_, Some(e)) => Err(e),
    }
}
