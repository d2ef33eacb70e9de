//! Storage-format sniffing: [`Compression`] (plain, gzip or BGZF) decided from a file's first
//! bytes, and the BGZF block-header test that the BGZF batch reader applies to every block.

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

/// True for the gzip magic bytes `1f 8b`.
fn is_gzip(header: &[u8]) -> bool {
    header.len() >= 2 && header[0] == 0x1f && header[1] == 0x8b
}

/// True when `header` opens a BGZF block: a gzip header with FLG.FEXTRA set whose first extra
/// subfield is 'B','C' (SAM spec, section 4.1).
pub(super) fn is_bgzf_header(header: &[u8]) -> bool {
    header.len() >= 14 && is_gzip(header) && header[3] & 4 != 0 && header[12] == b'B' && header[13] == b'C'
}

/// The storage format of a file that starts with `header` (its first 18 bytes, or all of a
/// shorter file).
pub(super) fn sniff(header: &[u8]) -> Compression {
    if is_gzip(header) {
        if is_bgzf_header(header) {
            Compression::Bgzf
        } else {
            Compression::Gzip
        }
    } else {
        Compression::Plain
    }
}
