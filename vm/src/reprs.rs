//! CPython 3.12's `repr` of the scalar values a code object's constants and the runtime
//! share (`float`, `complex`, `str`, `bytes`): one implementation for `dis` (compiler side) and
//! `repr()` (runtime side).

use std::fmt::Write as _;

/// `complex.__repr__` (`complex_repr`): the parts in `repr`'s shortest form but without
/// `float`'s ".0" (`PyOS_double_to_string(x, 'r', 0, 0)`); a real part of +0.0 is left
/// out, otherwise both parts, the imaginary one always signed, in parentheses. A NaN
/// prints unsigned (and as "+nan" in the signed position), as `format_float_short` does.
pub fn complex_repr(re: f64, im: f64) -> String {
    let part = |x: f64| {
        let r = float_repr(x);
        match r.strip_suffix(".0") {
            Some(short) => short.to_owned(),
            None => r,
        }
    };
    let imag = part(im);
    if re == 0.0 && re.is_sign_positive() {
        return format!("{imag}j");
    }
    let sign = if imag.starts_with('-') { "" } else { "+" };
    format!("({}{sign}{imag}j)", part(re))
}

/// `float.__repr__`: the shortest round-tripping digits, fixed notation for exponents in
/// [-4, 16), scientific otherwise.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "inf".to_owned()
        } else {
            "-inf".to_owned()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".to_owned()
        } else {
            "0.0".to_owned()
        };
    }
    // Rust's `{:e}` gives the fewest digits that round-trip (d.ddddde±x), but where two
    // such strings are equally near `f` it may take the upper one; CPython's `repr`
    // (`_Py_dg_dtoa` mode 0) takes the nearest, ties to even. With the number of digits
    // known, `{:.N$e}` gives exactly that: the correctly rounded (ties-to-even) digits.
    let shortest = format!("{f:e}");
    let count = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    let mut sci = format!("{f:.0$e}", count.saturating_sub(1));
    // The nearest string of that length need not round-trip: next to a power of two the
    // doubles below are twice as close as those above, so the interval that reads back as
    // `f` is lopsided. Then `_Py_dg_dtoa` keeps the shortest string that does, as Rust's
    // shortest form is.
    if sci.parse::<f64>() != Ok(f) {
        sci = shortest.clone();
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let mut digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    // Rounding up 9…9 gives 10…0; `repr` prints no trailing zeros.
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("{sign}0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point >= n {
            format!("{sign}{}{}.0", digits, "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{sign}{a}.{b}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

/// `str.__repr__`.
pub fn str_repr(s: &str) -> String {
    repr_of(s.chars().map(Ok), s.contains('\''), s.contains('"'))
}

/// `str.__repr__` of a str given by its code points, lone surrogates included (they are
/// not printable, so they come out as `\udxxx`).
pub fn code_points_repr(cps: &[u32]) -> String {
    let has = |q: char| cps.contains(&u32::from(q));
    repr_of(
        cps.iter().map(|&c| char::from_u32(c).ok_or(c)),
        has('\''),
        has('"'),
    )
}

/// The repr of the characters `chars` (`Err(code point)` for a lone surrogate).
fn repr_of(
    chars: impl Iterator<Item = Result<char, u32>>,
    has_single: bool,
    has_double: bool,
) -> String {
    let quote = if has_single && !has_double { '"' } else { '\'' };
    let mut out = String::with_capacity(chars.size_hint().0 + 2);
    out.push(quote);
    for ch in chars {
        let ch = match ch {
            Ok(c) => c,
            Err(v) => {
                let _ = write!(out, "\\u{v:04x}");
                continue;
            }
        };
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let v = c as u32;
                if v < 0x100 {
                    let _ = write!(out, "\\x{v:02x}");
                } else if v < 0x10000 {
                    let _ = write!(out, "\\u{v:04x}");
                } else {
                    let _ = write!(out, "\\U{v:08x}");
                }
            }
        }
    }
    out.push(quote);
    out
}

/// `Py_UNICODE_ISPRINTABLE`: whether `repr` shows the character as it is (the table is
/// generated from python3.12's `str.isprintable`).
pub(crate) fn is_printable(c: char) -> bool {
    let v = c as u32;
    let table = crate::unicode_printable::NOT_PRINTABLE;
    // The last range starting at or before `v` is the only one that can hold it.
    let i = table.partition_point(|&(start, _)| start <= v);
    !(i > 0 && table[i - 1].1 >= v)
}

/// `bytes.__repr__`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &x in b {
        match x {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            x if x as char == quote => {
                out.push('\\');
                out.push(x as char);
            }
            0x20..=0x7e => out.push(x as char),
            x => {
                let _ = write!(out, "\\x{x:02x}");
            }
        }
    }
    out.push(quote);
    out
}
