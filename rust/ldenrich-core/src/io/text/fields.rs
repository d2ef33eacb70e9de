//! Splitting a line into fields without allocating per field: the [`Delimiter`] of a file
//! (detected from its header), [`split_fields`] and its per-buffer fast path [`FieldSplitter`]
//! (both scan eight bytes at a time), [`field`] to take a field's bytes, and [`show`] to quote a
//! field in an error message.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
