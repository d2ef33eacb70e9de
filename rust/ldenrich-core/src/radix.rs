//! Stable LSD radix sort of `(u64 key, u32 payload)` pairs. Sorting millions of SNP keys,
//! positions or chi-square bit patterns this way costs a few linear passes instead of the
//! `n log n` comparisons (with unpredictable branches) of a comparison sort, and digits on which
//! every key agrees (the high bits of rs numbers, of positions) are skipped.

const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;

/// Sorts `items` by key, stably (equal keys keep their order).
///
/// ```
/// let mut v = vec![(3u64, 0u32), (1, 1), (3, 2), (0, 3)];
/// ldenrich_core::radix::sort_pairs(&mut v);
/// assert_eq!(v, [(0, 3), (1, 1), (3, 0), (3, 2)]);
/// ```
pub fn sort_pairs(items: &mut Vec<(u64, u32)>) {
    sort_pairs_by_high_bits(items, 0);
}

/// Sorts `items` stably by the bits `from_bit..64` of their keys (pairs whose keys agree on those
/// bits keep their order): `64 - from_bit` bits cost `(64 - from_bit) / 11` passes instead of 6.
///
/// ```
/// let mut v = vec![(0x2_0000_0001u64, 0u32), (0x1_0000_0009, 1), (0x2_0000_0000, 2)];
/// ldenrich_core::radix::sort_pairs_by_high_bits(&mut v, 32);
/// assert_eq!(v, [(0x1_0000_0009, 1), (0x2_0000_0001, 0), (0x2_0000_0000, 2)]);
/// ```
pub fn sort_pairs_by_high_bits(items: &mut Vec<(u64, u32)>, from_bit: u32) {
    sort_by_high_bits(items, from_bit, |p| p.0);
}

/// Sorts `items` by their bits `from_bit..64` (the bits below are carried along as a payload,
/// e.g. a row number, and keep their order among equal keys).
///
/// ```
/// let mut v = vec![(7u64 << 32) | 0, (2 << 32) | 1, (7 << 32) | 2];
/// ldenrich_core::radix::sort_u64_by_high_bits(&mut v, 32);
/// assert_eq!(v, [(2 << 32) | 1, (7 << 32) | 0, (7 << 32) | 2]);
/// ```
pub fn sort_u64_by_high_bits(items: &mut Vec<u64>, from_bit: u32) {
    sort_by_high_bits(items, from_bit, |&k| k);
}

/// The one LSD radix sort behind the public entry points: stable, by the bits `from_bit..64`
/// of `key(item)`.
fn sort_by_high_bits<T: Copy + Default>(items: &mut Vec<T>, from_bit: u32, key: impl Fn(&T) -> u64) {
    let n = items.len();
    if n < 256 {
        items.sort_by_key(|item| if from_bit >= 64 { 0 } else { key(item) >> from_bit });
        return;
    }
    let passes = (64 - from_bit.min(64)).div_ceil(BITS) as usize;
    let mut counts = vec![[0usize; BUCKETS]; passes];
    for item in items.iter() {
        let k = key(item);
        for (pass, c) in counts.iter_mut().enumerate() {
            c[((k >> (from_bit + pass as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut scratch: Vec<T> = vec![T::default(); n];
    for (pass, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut offset = 0usize;
        for slot in c.iter_mut() {
            let count = *slot;
            *slot = offset;
            offset += count;
        }
        let shift = from_bit + pass as u32 * BITS;
        for &item in items.iter() {
            let d = ((key(&item) >> shift) as usize) & (BUCKETS - 1);
            scratch[c[d]] = item;
            c[d] += 1;
        }
        std::mem::swap(items, &mut scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_a_stable_comparison_sort() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || crate::testing::xorshift(&mut state);
        for (n, mask) in [(10usize, u64::MAX), (5000, 0xFF), (5000, u64::MAX), (20000, 0xFFFF_0000_0000)] {
            let mut v: Vec<(u64, u32)> = (0..n as u32).map(|i| (next() & mask, i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut by_high = v.clone();
            sort_pairs(&mut v);
            assert_eq!(v, want);
            let mut high_want = by_high.clone();
            high_want.sort_by_key(|p| p.0 >> 20);
            sort_pairs_by_high_bits(&mut by_high, 20);
            assert_eq!(by_high, high_want);
            let mut packed: Vec<u64> = want.iter().map(|&(k, i)| (k << 24) | u64::from(i)).collect();
            let mut packed_want = packed.clone();
            packed_want.sort_by_key(|&k| k >> 24);
            packed.reverse();
            packed_want.reverse();
            packed_want.sort_by_key(|&k| k >> 24);
            sort_u64_by_high_bits(&mut packed, 24);
            assert_eq!(packed, packed_want);
        }
    }
}
