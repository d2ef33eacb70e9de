//! Allele codes. Nucleotide alleles of up to 13 bases are packed into a `u32` (2 bits a base) so
//! that strand flips are bit operations; other alleles (`I`, `D`, `<DEL>`, ...) are interned per
//! file. Matching is case-insensitive.

use rustc_hash::FxHashMap;

/// Code of a missing allele (`0`, `.`, `-`, `N`, empty).
pub const MISSING: u32 = 0;
const INTERNED: u32 = 1 << 31;
const MAX_PACKED: usize = 13;

fn base_bits(b: u8) -> Option<u32> {
    match b {
        b'A' | b'a' => Some(0),
        b'C' | b'c' => Some(1),
        b'G' | b'g' => Some(2),
        b'T' | b't' => Some(3),
        _ => None,
    }
}

/// Marks a byte of [`SINGLE_BYTE_CODES`] that is neither a base nor a missing-allele token.
const NOT_SINGLE_BASE: u32 = u32::MAX;

/// The code of every one-byte allele that is a base or a missing-allele token, as
/// [`AlleleColumn::code_of`]'s general path computes it.
const SINGLE_BYTE_CODES: [u32; 256] = {
    let mut table = [NOT_SINGLE_BASE; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'0' | b'.' | b'-' | b'N' | b'n' => MISSING,
            b'A' | b'a' => 1 << 26,
            b'C' | b'c' => (1 << 26) | 1,
            b'G' | b'g' => (1 << 26) | 2,
            b'T' | b't' => (1 << 26) | 3,
            _ => NOT_SINGLE_BASE,
        };
        b += 1;
    }
    table
};

/// A column of alleles, one code per row.
#[derive(Debug, Default, Clone)]
pub struct AlleleColumn {
    /// One code per row.
    pub codes: Vec<u32>,
    interned: Vec<Box<[u8]>>,
    lookup: FxHashMap<Box<[u8]>, u32>,
}

impl AlleleColumn {
    /// A column of `rows` missing alleles.
    pub fn missing(rows: usize) -> Self {
        AlleleColumn { codes: vec![MISSING; rows], ..Default::default() }
    }

    /// The code of `allele` in this column, interning it if needed.
    pub fn code_of(&mut self, allele: &[u8]) -> u32 {
        // Nearly every allele is one base: one table lookup instead of the general checks.
        if let [byte] = allele {
            let code = SINGLE_BYTE_CODES[*byte as usize];
            if code != NOT_SINGLE_BASE {
                return code;
            }
        }
        self.code_of_any(allele)
    }

    /// [`AlleleColumn::code_of`] without the one-byte shortcut.
    fn code_of_any(&mut self, allele: &[u8]) -> u32 {
        if matches!(allele, b"" | b"0" | b"." | b"-" | b"N" | b"n") {
            return MISSING;
        }
        if allele.len() <= MAX_PACKED {
            let mut packed = 0u32;
            let mut ok = true;
            for &b in allele {
                match base_bits(b) {
                    Some(bits) => packed = (packed << 2) | bits,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return ((allele.len() as u32) << 26) | packed;
            }
        }
        let upper: Box<[u8]> = allele.to_ascii_uppercase().into();
        if let Some(&code) = self.lookup.get(&upper) {
            return code;
        }
        let code = INTERNED | self.interned.len() as u32;
        self.interned.push(upper.clone());
        self.lookup.insert(upper, code);
        code
    }

    /// Appends an allele.
    pub fn push(&mut self, allele: &[u8]) {
        let code = self.code_of(allele);
        self.codes.push(code);
    }

    /// Appends allele `code` of column `from`: packed nucleotide and missing codes mean the
    /// same in every column and are copied; interned ones are re-interned here.
    pub fn push_from(&mut self, from: &AlleleColumn, code: u32) {
        if code == MISSING || code & INTERNED == 0 {
            self.codes.push(code);
        } else {
            let text = &from.interned[(code & !INTERNED) as usize];
            let own = self.code_of(text);
            self.codes.push(own);
        }
    }

    /// Appends the codes of `part` (a column built from a later piece of the same file),
    /// re-coding its interned alleles into this column.
    pub fn absorb(&mut self, part: AlleleColumn) {
        if part.interned.is_empty() {
            self.codes.extend_from_slice(&part.codes);
            return;
        }
        let remap: Vec<u32> = part.interned.iter().map(|a| self.code_of(a)).collect();
        self.codes.extend(part.codes.iter().map(|&c| {
            if c != MISSING && c & INTERNED != 0 {
                remap[(c & !INTERNED) as usize]
            } else {
                c
            }
        }));
    }

    /// Drops the interning index once reading is done.
    pub fn finish(&mut self) {
        self.lookup = FxHashMap::default();
        self.codes.shrink_to_fit();
    }

    /// Text of a code of this column.
    pub fn text(&self, code: u32) -> String {
        if code == MISSING {
            return "0".into();
        }
        if code & INTERNED != 0 {
            return String::from_utf8_lossy(&self.interned[(code & !INTERNED) as usize]).into_owned();
        }
        let len = (code >> 26) as usize;
        (0..len).rev().map(|i| b"ACGT"[((code >> (2 * i)) & 3) as usize] as char).collect()
    }

    fn same(&self, a: u32, other: &AlleleColumn, b: u32) -> bool {
        if a == MISSING || b == MISSING {
            return true;
        }
        match (a & INTERNED != 0, b & INTERNED != 0) {
            (false, false) => a == b,
            (true, true) => self.interned[(a & !INTERNED) as usize] == other.interned[(b & !INTERNED) as usize],
            _ => false,
        }
    }
}

/// Reverse complement of a packed nucleotide allele; `None` for interned or missing codes.
pub fn reverse_complement(code: u32) -> Option<u32> {
    if code == MISSING || code & INTERNED != 0 {
        return None;
    }
    let len = code >> 26;
    let mut out = 0u32;
    for i in 0..len {
        let bits = (code >> (2 * i)) & 3;
        out = (out << 2) | (3 - bits);
    }
    Some((len << 26) | out)
}

/// True for the strand-ambiguous single-base pairs A/T and C/G.
pub fn is_strand_ambiguous(a1: u32, a2: u32) -> bool {
    let single = |c: u32| c != MISSING && c & INTERNED == 0 && c >> 26 == 1;
    single(a1) && single(a2) && reverse_complement(a1) == Some(a2)
}

/// How the pair (`s1`, `s2`) of column pair `s` names the variant (`r1`, `r2`) of column pair
/// `r`: `Some(true)` when `s1` is `r1` (directly or on the other strand), `Some(false)` when it
/// is `r2` (the pair swapped), `None` when the pairs are different variants. A missing allele
/// matches anything. For a strand-ambiguous pair (A/T, C/G) the direct reading wins, so its
/// orientation is a guess unless both files use the same strand.
pub fn orientation(
    s: (&AlleleColumn, &AlleleColumn),
    s_codes: (u32, u32),
    r: (&AlleleColumn, &AlleleColumn),
    r_codes: (u32, u32),
) -> Option<bool> {
    let (s1, s2) = s_codes;
    let (r1, r2) = r_codes;
    let eq = |x: u32, xc: &AlleleColumn, y: u32, yc: &AlleleColumn| xc.same(x, yc, y);
    if eq(s1, s.0, r1, r.0) && eq(s2, s.1, r2, r.1) {
        return Some(true);
    }
    if eq(s1, s.0, r2, r.1) && eq(s2, s.1, r1, r.0) {
        return Some(false);
    }
    let flip = |c: u32| if c == MISSING { Some(MISSING) } else { reverse_complement(c) };
    if let (Some(f1), Some(f2)) = (flip(s1), flip(s2)) {
        if eq(f1, s.0, r1, r.0) && eq(f2, s.1, r2, r.1) {
            return Some(true);
        }
        if eq(f1, s.0, r2, r.1) && eq(f2, s.1, r1, r.0) {
            return Some(false);
        }
    }
    None
}

/// True if the pair (`s1`, `s2`) of column pair `s` names the same variant as (`r1`, `r2`) of
/// column pair `r`: directly, swapped, strand-flipped or both. A missing allele matches anything.
pub fn alleles_match(
    s: (&AlleleColumn, &AlleleColumn),
    s_codes: (u32, u32),
    r: (&AlleleColumn, &AlleleColumn),
    r_codes: (u32, u32),
) -> bool {
    orientation(s, s_codes, r, r_codes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str) -> (AlleleColumn, AlleleColumn, u32, u32) {
        let mut c1 = AlleleColumn::default();
        let mut c2 = AlleleColumn::default();
        let x = c1.code_of(a.as_bytes());
        let y = c2.code_of(b.as_bytes());
        (c1, c2, x, y)
    }

    fn matches(s: (&str, &str), r: (&str, &str)) -> bool {
        let (s1c, s2c, s1, s2) = pair(s.0, s.1);
        let (r1c, r2c, r1, r2) = pair(r.0, r.1);
        alleles_match((&s1c, &s2c), (s1, s2), (&r1c, &r2c), (r1, r2))
    }

    #[test]
    fn matching_rules() {
        assert!(matches(("A", "G"), ("A", "G")));
        assert!(matches(("a", "g"), ("G", "A")));
        assert!(matches(("T", "C"), ("A", "G")));
        assert!(matches(("C", "T"), ("A", "G")));
        assert!(!matches(("A", "C"), ("A", "G")));
        assert!(matches(("AT", "A"), ("A", "AT")));
        assert!(matches(("AAC", "A"), ("GTT", "T")));
        assert!(matches(("I", "D"), ("D", "I")));
        assert!(!matches(("I", "D"), ("A", "G")));
        assert!(matches(("A", "G"), ("A", "0")));
        assert!(matches(("A", "G"), ("T", "0")));
        assert!(matches(("A", "G"), ("C", "0")));
        assert!(!matches(("A", "G"), ("AT", "0")));
    }

    fn oriented(s: (&str, &str), r: (&str, &str)) -> Option<bool> {
        let (s1c, s2c, s1, s2) = pair(s.0, s.1);
        let (r1c, r2c, r1, r2) = pair(r.0, r.1);
        orientation((&s1c, &s2c), (s1, s2), (&r1c, &r2c), (r1, r2))
    }

    #[test]
    fn orientation_rules() {
        assert_eq!(oriented(("A", "G"), ("A", "G")), Some(true));
        assert_eq!(oriented(("g", "a"), ("A", "G")), Some(false));
        assert_eq!(oriented(("T", "C"), ("A", "G")), Some(true));
        assert_eq!(oriented(("C", "T"), ("A", "G")), Some(false));
        assert_eq!(oriented(("A", "C"), ("A", "G")), None);
        assert_eq!(oriented(("AT", "A"), ("A", "AT")), Some(false));
        assert_eq!(oriented(("G", "A"), ("A", "0")), Some(false));
        assert_eq!(oriented(("A", "T"), ("A", "T")), Some(true));
        assert_eq!(oriented(("I", "D"), ("D", "I")), Some(false));
    }

    #[test]
    fn one_byte_shortcut_agrees_with_the_general_rules() {
        let (mut fast, mut general) = (AlleleColumn::default(), AlleleColumn::default());
        for byte in 0..=255u8 {
            assert_eq!(fast.code_of(&[byte]), general.code_of_any(&[byte]), "byte {byte}");
        }
        assert_eq!(fast.interned, general.interned);
    }

    #[test]
    fn ambiguity_and_text() {
        let (c1, _c2, a, t) = pair("A", "T");
        assert!(is_strand_ambiguous(a, t));
        let (_, _, c, g) = pair("c", "G");
        assert!(is_strand_ambiguous(c, g));
        let (_, _, a2, g2) = pair("A", "G");
        assert!(!is_strand_ambiguous(a2, g2));
        assert_eq!(c1.text(a), "A");
        let mut col = AlleleColumn::default();
        let code = col.code_of(b"acgtt");
        assert_eq!(col.text(code), "ACGTT");
        let code = col.code_of(b"<del>");
        assert_eq!(col.text(code), "<DEL>");
    }
}
