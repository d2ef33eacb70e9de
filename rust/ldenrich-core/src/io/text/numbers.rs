//! Values of fields: the tokens that mean "missing" in GWAS files ([`is_missing_token`]) and
//! number parsing straight from bytes ([`parse_f64`], with Clinger's fast path for short
//! decimals; [`parse_u64`], [`parse_i64`]).

/// True for tokens that mean "no value" in GWAS files: empty, `NA`, `NaN`, `.`, `NULL`, `N/A`,
/// `None` or `-`.
pub fn is_missing_token(bytes: &[u8]) -> bool {
    matches!(bytes, b"" | b"." | b"-" | b"NA" | b"na" | b"Na" | b"N/A" | b"n/a" | b"NULL" | b"null" | b"None" | b"none")
        || bytes.eq_ignore_ascii_case(b"nan")
        || bytes.eq_ignore_ascii_case(b"-nan")
}

/// Parses a decimal floating-point field (`1.5`, `-2e-8`, `1E+3`).
#[inline]
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    match parse_short_decimal(bytes) {
        Some(value) => Some(value),
        None => fast_float2::parse(bytes).ok(),
    }
}

/// Powers of ten that are exact doubles.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The value of a plain decimal (`[+-]digits[.digits][e[+-]digits]`) whose digits, read as an
/// integer, are at most 2^53 and whose power of ten is within 10^±22; `None` for anything else.
///
/// Both the integer and the power of ten are then exact doubles, so the one multiplication or
/// division that joins them is correctly rounded: the result is the correctly rounded value of
/// the text, bit for bit what a full parser gives (Clinger's fast path). P-values, betas and
/// standard errors as GWAS software prints them take this path, at a fraction of the cost of
/// the general parser's set-up.
#[inline]
fn parse_short_decimal(bytes: &[u8]) -> Option<f64> {
    let (negative, mut i) = match bytes.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa = 0u64;
    // Wraps only past 19 digits, which are refused below.
    let mut read_digits = |i: &mut usize| {
        let start = *i;
        while let Some(&b) = bytes.get(*i) {
            let digit = b.wrapping_sub(b'0');
            if digit >= 10 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            *i += 1;
        }
        *i - start
    };
    let mut digits = read_digits(&mut i);
    let mut fraction_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        fraction_digits = read_digits(&mut i);
        digits += fraction_digits;
    }
    if digits == 0 || digits > 19 || mantissa > 1 << 53 {
        return None;
    }
    let fraction_digits = fraction_digits as i32;
    let mut exponent = 0i32;
    if let Some(&b) = bytes.get(i) {
        if b | 0x20 != b'e' {
            return None;
        }
        i += 1;
        let negative_exponent = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while let Some(&b) = bytes.get(i) {
            let digit = b.wrapping_sub(b'0');
            if digit >= 10 || i - start == 4 {
                return None;
            }
            exponent = exponent * 10 + i32::from(digit);
            i += 1;
        }
        if i == start {
            return None;
        }
        if negative_exponent {
            exponent = -exponent;
        }
    }
    let power = exponent - fraction_digits;
    let scale = *EXACT_POWERS_OF_TEN.get(power.unsigned_abs() as usize)?;
    let magnitude = if power < 0 { mantissa as f64 / scale } else { mantissa as f64 * scale };
    Some(if negative { -magnitude } else { magnitude })
}

/// Parses a non-negative integer field.
#[inline]
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    let mut value = 0u64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Some(value)
}

/// Parses a signed integer field.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    match bytes.first() {
        Some(b'-') => parse_u64(&bytes[1..]).and_then(|v| i64::try_from(v).ok()).map(|v| -v),
        Some(b'+') => parse_u64(&bytes[1..]).and_then(|v| i64::try_from(v).ok()),
        _ => parse_u64(bytes).and_then(|v| i64::try_from(v).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers() {
        assert_eq!(parse_f64(b"1e-5"), Some(1e-5));
        assert_eq!(parse_f64(b"abc"), None);
        assert_eq!(parse_u64(b"123"), Some(123));
        assert_eq!(parse_u64(b"-1"), None);
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert!(is_missing_token(b"NA") && is_missing_token(b"nan") && !is_missing_token(b"0"));
    }
}
