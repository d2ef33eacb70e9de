//! Chromosome codes as PLINK numbers them: 1-22 autosomes, 23 = X, 24 = Y, 25 = XY
//! (pseudo-autosomal), 26 = MT, 0 = unplaced.

/// Code of the X chromosome.
pub const CHR_X: u8 = 23;
/// Code of the Y chromosome.
pub const CHR_Y: u8 = 24;
/// Code of the pseudo-autosomal region.
pub const CHR_XY: u8 = 25;
/// Code of the mitochondrial genome.
pub const CHR_MT: u8 = 26;
/// Largest valid code.
pub const MAX_CHR: u8 = 26;

/// Parses a chromosome name: `1`..`26`, `X`, `Y`, `XY`, `M`/`MT`, `0`, with an optional
/// case-insensitive `chr` prefix. Returns `None` for anything else (contigs such as
/// `chrUn_gl000220` or `6_cox_hap2`).
///
/// ```
/// use ldenrich_core::chrom::parse_chrom;
/// assert_eq!(parse_chrom(b"chr7"), Some(7));
/// assert_eq!(parse_chrom(b"X"), Some(23));
/// assert_eq!(parse_chrom(b"chrUn_gl000220"), None);
/// ```
pub fn parse_chrom(raw: &[u8]) -> Option<u8> {
    let name = if raw.len() > 3 && raw[..3].eq_ignore_ascii_case(b"chr") { &raw[3..] } else { raw };
    match name {
        b"X" | b"x" => return Some(CHR_X),
        b"Y" | b"y" => return Some(CHR_Y),
        b"XY" | b"xy" | b"Xy" | b"xY" => return Some(CHR_XY),
        b"M" | b"m" | b"MT" | b"mt" | b"Mt" | b"mT" => return Some(CHR_MT),
        _ => {}
    }
    if name.is_empty() || name.len() > 2 || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = name.iter().fold(0u8, |acc, d| acc * 10 + (d - b'0'));
    (value <= MAX_CHR).then_some(value)
}

/// True for chromosomes 1-22, the only ones the enrichment screen uses.
pub fn is_autosome(code: u8) -> bool {
    (1..=22).contains(&code)
}

/// The conventional display name of a code (`1`..`22`, `X`, `Y`, `XY`, `MT`, `0`).
pub fn chrom_name(code: u8) -> String {
    match code {
        CHR_X => "X".into(),
        CHR_Y => "Y".into(),
        CHR_XY => "XY".into(),
        CHR_MT => "MT".into(),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plink_codes_and_prefixes() {
        for (raw, code) in [
            (&b"1"[..], Some(1)),
            (b"22", Some(22)),
            (b"chr22", Some(22)),
            (b"CHR3", Some(3)),
            (b"23", Some(23)),
            (b"chrX", Some(23)),
            (b"Y", Some(24)),
            (b"XY", Some(25)),
            (b"MT", Some(26)),
            (b"chrM", Some(26)),
            (b"0", Some(0)),
            (b"27", None),
            (b"", None),
            (b"chr", None),
            (b"1a", None),
            (b"6_cox_hap2", None),
        ] {
            assert_eq!(parse_chrom(raw), code, "{}", String::from_utf8_lossy(raw));
        }
        assert!(is_autosome(22) && !is_autosome(23) && !is_autosome(0));
        assert_eq!(chrom_name(23), "X");
    }
}
