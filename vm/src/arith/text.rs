//! Between `int` and text: digits in a base (`long_to_decimal_string`, `long_format_binary`)
//! and the parsing `int(s, base)` does (`PyLong_FromString`), with CPython's limit on
//! decimal digits (PEP 651's successor, gh-95778: `sys.set_int_max_str_digits`), which
//! only conversions in bases that are not powers of two obey.

use num_bigint::BigInt;
use num_traits::Num as _;

use super::{int, Num};

/// `sys.int_info.default_max_str_digits`.
pub const DEFAULT_MAX_STR_DIGITS: usize = 4300;
/// `sys.int_info.str_digits_check_threshold`: the smallest non-zero limit, and the number
/// of digits below which CPython never checks.
pub const STR_DIGITS_CHECK_THRESHOLD: usize = 640;

/// `_MAX_STR_DIGITS_ERROR_FMT_TO_STR`.
fn too_many_to_str(max_digits: usize) -> String {
    format!(
        "Exceeds the limit ({max_digits} digits) for integer string conversion; \
         use sys.set_int_max_str_digits() to increase the limit"
    )
}

/// `_MAX_STR_DIGITS_ERROR_FMT_TO_INT`.
pub fn too_many_to_int(max_digits: usize, digits: usize) -> String {
    format!(
        "Exceeds the limit ({max_digits} digits) for integer string conversion: value has \
         {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
    )
}

/// The decimal digits of an int, with a `-` for a negative one; `Err` with the
/// `ValueError` message when it has more than `max_digits` digits (0: no limit).
pub fn to_decimal(n: &Num, max_digits: usize) -> Result<String, String> {
    let b = match n {
        Num::Int(i) => return Ok(i.to_string()),
        Num::Big(b) => b,
        Num::Float(_) | Num::Complex(..) => return Ok(String::new()),
    };
    if max_digits > 0 {
        // |b| >= 2**(bits - 1) has more than (bits - 1) * log10(2) digits: refuse without
        // converting what is certainly too long (the margin covers the float's rounding).
        let at_least = (b.bits() - 1) as f64 * std::f64::consts::LOG10_2;
        if at_least > max_digits as f64 + 1.0 {
            return Err(too_many_to_str(max_digits));
        }
    }
    let text = b.to_str_radix(10);
    let digits = text.len() - usize::from(text.starts_with('-'));
    if max_digits > 0 && digits > max_digits {
        return Err(too_many_to_str(max_digits));
    }
    Ok(text)
}

/// The digits of `|n|` in `radix` (2 to 36), lowercase, without a sign or prefix; not
/// limited (CPython limits only decimal conversions here).
pub fn magnitude_digits(n: &Num, radix: u32) -> String {
    match n {
        Num::Int(i) => {
            let m = i.unsigned_abs();
            match radix {
                2 => format!("{m:b}"),
                8 => format!("{m:o}"),
                16 => format!("{m:x}"),
                10 => m.to_string(),
                _ => int::big(n).magnitude().to_str_radix(radix),
            }
        }
        _ => int::big(n).magnitude().to_str_radix(radix),
    }
}

/// Why `int(s, base)` has no value.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `invalid literal for int() with base …` (the caller words it).
    Invalid,
    /// Too many decimal digits: the `ValueError` message.
    Limit(String),
}

/// `int(s, base)` of ASCII text (`PyLong_FromString`): surrounding whitespace, one sign, a
/// `0x`/`0o`/`0b` prefix where the base allows it (then one `_` may follow), digits with
/// single `_` between them; with base 0 a decimal number cannot start with `0` unless it
/// is all zeros. A well-formed number in a base that is not a power of two with more than
/// `max_digits` digits (0: no limit) is refused.
pub fn parse_int(s: &str, base: u32, max_digits: usize) -> Result<Num, ParseError> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    let (mut radix, mut digits) = (base, body);
    for (prefix, b) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if (base == 0 || base == b) && lower.starts_with(prefix) {
            radix = b;
            digits = body[2..].strip_prefix('_').unwrap_or(&body[2..]);
        }
    }
    if radix == 0 {
        radix = 10;
        if digits.starts_with('0') && digits.chars().any(|c| c != '0' && c != '_') {
            return Err(ParseError::Invalid);
        }
    }
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c == '_' || c.is_digit(radix));
    if !well_formed {
        return Err(ParseError::Invalid);
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if max_digits > 0
        && !radix.is_power_of_two()
        && clean.len() > STR_DIGITS_CHECK_THRESHOLD
        && clean.len() > max_digits
    {
        return Err(ParseError::Limit(too_many_to_int(max_digits, clean.len())));
    }
    let magnitude = match u64::from_str_radix(&clean, radix) {
        Ok(v) => BigInt::from(v),
        Err(_) => BigInt::from_str_radix(&clean, radix).map_err(|_| ParseError::Invalid)?,
    };
    Ok(Num::from_big(if neg { -magnitude } else { magnitude }))
}

/// The value of an integer literal as the parser spells it (decimal digits, or a
/// `0x`/`0o`/`0b` token with any `_`): `None` if it is not one.
pub fn literal_value(token: &str) -> Option<Num> {
    parse_int(token, 0, 0).ok()
}
