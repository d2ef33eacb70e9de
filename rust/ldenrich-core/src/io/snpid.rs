//! Compact SNP identifiers. `rs` numbers (the vast majority) are stored as integers; any other
//! identifier (`1:12345:A:G`, `kgp123`, ...) is interned once per file. Two files are joined by
//! comparing integers for rs numbers and bytes for the rest, so no hashing collision can merge two
//! different SNPs.

use rustc_hash::FxHashMap;

use crate::chrom::parse_chrom;

/// Flag bit marking a key as an index into [`SnpIds::other`] rather than an rs number.
const OTHER_FLAG: u64 = 1 << 63;

/// The identifiers of one file's rows, as 64-bit keys.
#[derive(Debug, Default, Clone)]
pub struct SnpIds {
    /// One key per row: an rs number, or `OTHER_FLAG | index` into `other`.
    pub keys: Vec<u64>,
    /// Distinct non-rs identifiers in first-seen order.
    pub other: Vec<Box<[u8]>>,
    lookup: FxHashMap<Box<[u8]>, u64>,
    /// Key of the empty identifier once interned: files keyed by position have it on every
    /// row, and a hash lookup a row cost ~5% of such a read.
    empty_key: Option<u64>,
}

/// What a key denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnpKey<'a> {
    /// `rs<number>`.
    Rs(u64),
    /// Any other identifier.
    Other(&'a [u8]),
}

/// Returns the rs number of `id` if it is `rs` followed by digits without a leading zero.
#[inline]
pub fn rs_number(id: &[u8]) -> Option<u64> {
    if id.len() < 3 || id.len() > 20 || &id[..2] != b"rs" || id[2] == b'0' {
        return None;
    }
    // At most 18 digits: below 10^18, so no overflow and never OTHER_FLAG's bit.
    let mut value = 0u64;
    for &b in &id[2..] {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    Some(value)
}

/// Chromosome code, position and, when written, the two alleles of a variant id.
pub type VariantId<'a> = (u8, u32, Option<(&'a [u8], &'a [u8])>);

/// A variant written as its position: `chr:pos:a1:a2` (Neale UKB, REGENIE, SAIGE, plink2),
/// `chr_pos_a1_a2` (GWAS Catalog `hm_variant_id`), `chr:pos_a1_a2`, or `chr:pos`, with any
/// chromosome spelling [`parse_chrom`] reads (`chr1`, `X`, `23`). Returns the chromosome
/// code, the position and the two alleles when written.
///
/// ```
/// use ldenrich_core::io::snpid::parse_variant_id;
/// assert_eq!(parse_variant_id(b"chrX:100:A:G"), Some((23, 100, Some((&b"A"[..], &b"G"[..])))));
/// assert_eq!(parse_variant_id(b"1_5_AT_A"), Some((1, 5, Some((&b"AT"[..], &b"A"[..])))));
/// assert_eq!(parse_variant_id(b"rs12"), None);
/// ```
pub fn parse_variant_id(id: &[u8]) -> Option<VariantId<'_>> {
    let mut parts = id.split(|&b| b == b':' || b == b'_');
    let chrom = parse_chrom(parts.next()?)?;
    let pos = parts.next()?;
    if pos.is_empty() || pos.len() > 10 || !pos.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pos = u32::try_from(pos.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'))).ok()?;
    match (parts.next(), parts.next(), parts.next()) {
        (None, None, None) => Some((chrom, pos, None)),
        (Some(a1), Some(a2), None) if !a1.is_empty() && !a2.is_empty() => Some((chrom, pos, Some((a1, a2)))),
        _ => None,
    }
}

impl SnpIds {
    /// An empty table with room for `rows` keys.
    pub fn with_capacity(rows: usize) -> Self {
        SnpIds { keys: Vec::with_capacity(rows), ..Default::default() }
    }

    /// The key `id` would get in this table, interning it if it is new.
    pub fn key_of(&mut self, id: &[u8]) -> u64 {
        if let Some(n) = rs_number(id) {
            return n;
        }
        if id.is_empty() {
            if let Some(k) = self.empty_key {
                return k;
            }
        }
        if let Some(&k) = self.lookup.get(id) {
            return k;
        }
        let key = OTHER_FLAG | self.other.len() as u64;
        let owned: Box<[u8]> = id.into();
        self.lookup.insert(owned.clone(), key);
        self.other.push(owned);
        if id.is_empty() {
            self.empty_key = Some(key);
        }
        key
    }

    /// Appends a row with identifier `id`.
    pub fn push(&mut self, id: &[u8]) {
        let key = self.key_of(id);
        self.keys.push(key);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Decodes a key of this table.
    pub fn resolve(&self, key: u64) -> SnpKey<'_> {
        if key & OTHER_FLAG == 0 {
            SnpKey::Rs(key)
        } else {
            SnpKey::Other(&self.other[(key & !OTHER_FLAG) as usize])
        }
    }

    /// The identifier of row `row` as text.
    pub fn name(&self, row: usize) -> String {
        self.key_name(self.keys[row])
    }

    /// Appends the identifier of row `row` to `out`, without allocating.
    pub fn write_name(&self, row: usize, out: &mut Vec<u8>) {
        match self.resolve(self.keys[row]) {
            SnpKey::Rs(n) => {
                use std::io::Write;
                write!(out, "rs{n}").expect("writing to memory");
            }
            SnpKey::Other(b) => out.extend_from_slice(b),
        }
    }

    /// The identifier denoted by `key` as text.
    pub fn key_name(&self, key: u64) -> String {
        match self.resolve(key) {
            SnpKey::Rs(n) => format!("rs{n}"),
            SnpKey::Other(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }

    /// Appends the rows of `part` (a table built from a later piece of the same file),
    /// re-keying its interned identifiers into this table; `extra_keys` (other keys of `part`,
    /// such as those of dropped rows) are re-keyed in place.
    pub fn absorb(&mut self, part: SnpIds, extra_keys: &mut [u64]) {
        let remap: Vec<u64> = part.other.iter().map(|id| self.key_of(id)).collect();
        let convert = |k: u64| if k & OTHER_FLAG == 0 { k } else { remap[(k & !OTHER_FLAG) as usize] };
        if remap.is_empty() {
            self.keys.extend_from_slice(&part.keys);
        } else {
            self.keys.extend(part.keys.iter().map(|&k| convert(k)));
            for k in extra_keys {
                *k = convert(*k);
            }
        }
    }

    /// Drops the interning index, which is only needed while reading.
    pub fn finish(&mut self) {
        self.lookup = FxHashMap::default();
        self.empty_key = None;
        self.keys.shrink_to_fit();
    }
}

/// Lookup from one table's keys to row numbers, for joining a second table against it.
pub struct KeyIndex<'a> {
    table: &'a SnpIds,
    rs: FxHashMap<u64, u32>,
    other: FxHashMap<&'a [u8], u32>,
}

/// Marks a key that occurs more than once in the indexed table.
pub const DUPLICATE: u32 = u32::MAX;

impl<'a> KeyIndex<'a> {
    /// Indexes `table`; keys seen more than once map to [`DUPLICATE`].
    pub fn new(table: &'a SnpIds) -> Self {
        let mut rs = FxHashMap::with_capacity_and_hasher(table.len(), Default::default());
        let mut other = FxHashMap::default();
        for (row, &key) in table.keys.iter().enumerate() {
            let row = row as u32;
            match table.resolve(key) {
                SnpKey::Rs(n) => {
                    rs.entry(n).and_modify(|r| *r = DUPLICATE).or_insert(row);
                }
                SnpKey::Other(b) => {
                    other.entry(b).and_modify(|r| *r = DUPLICATE).or_insert(row);
                }
            }
        }
        KeyIndex { table, rs, other }
    }

    /// The row of the indexed table carrying the identifier that `key` denotes in `from`:
    /// `None` if absent, `Some(DUPLICATE)` if present more than once.
    pub fn find(&self, from: &SnpIds, key: u64) -> Option<u32> {
        match from.resolve(key) {
            SnpKey::Rs(n) => self.rs.get(&n).copied(),
            SnpKey::Other(b) => self.other.get(b).copied(),
        }
    }

    /// The indexed table.
    pub fn table(&self) -> &SnpIds {
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_rs_numbers_and_interns_the_rest() {
        assert_eq!(rs_number(b"rs123"), Some(123));
        assert_eq!(rs_number(b"rs0123"), None);
        assert_eq!(rs_number(b"RS123"), None);
        assert_eq!(rs_number(b"rs"), None);
        assert_eq!(rs_number(b"rs99999999999999999999"), None);
        assert_eq!(rs_number(b"rs999999999999999999"), Some(999_999_999_999_999_999));
        assert_eq!(rs_number(b"rs12a"), None);
        assert_eq!(rs_number(b"rs12/"), None);
        let mut ids = SnpIds::default();
        for id in [&b"rs5"[..], b"1:100:A:G", b"rs0123", b"1:100:A:G"] {
            ids.push(id);
        }
        assert_eq!(ids.keys[1], ids.keys[3]);
        assert_eq!(ids.name(0), "rs5");
        assert_eq!(ids.name(2), "rs0123");
        assert_eq!(ids.name(3), "1:100:A:G");
    }

    #[test]
    fn variant_ids_give_positions_and_alleles() {
        let ag = Some((&b"A"[..], &b"G"[..]));
        assert_eq!(parse_variant_id(b"1:15791:A:G"), Some((1, 15791, ag)));
        assert_eq!(parse_variant_id(b"22:100_A_G"), Some((22, 100, ag)));
        assert_eq!(parse_variant_id(b"23:7"), Some((23, 7, None)));
        assert_eq!(parse_variant_id(b"CHR2:7:A:G"), Some((2, 7, ag)));
        for bad in [&b"kgp123"[..], b"1:", b"1:x:A:G", b"1:5:A", b"1:5:A:G:T", b"chrUn_gl1:5", b"1:99999999999", b":5"]
        {
            assert_eq!(parse_variant_id(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn joins_two_tables_and_flags_duplicates() {
        let mut a = SnpIds::default();
        for id in [&b"rs1"[..], b"x", b"rs2", b"rs2"] {
            a.push(id);
        }
        let mut b = SnpIds::default();
        for id in [&b"y"[..], b"x", b"rs1", b"rs2", b"rs3"] {
            b.push(id);
        }
        let index = KeyIndex::new(&a);
        let found: Vec<_> = b.keys.iter().map(|&k| index.find(&b, k)).collect();
        assert_eq!(found, [None, Some(1), Some(0), Some(DUPLICATE), None]);
    }
}
