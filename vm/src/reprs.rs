//! CPython 3.12's `repr` of the scalar values a code object's constants and the runtime
//! share (`float`, `str`, `bytes`): one implementation for `dis` (compiler side) and
//! `repr()` (runtime side).

use std::fmt::Write as _;

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
    // Rust's `{:e}` gives the shortest round-trip digits: d.ddddde±x.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let (digits, exp) = ties_to_even(f, digits, exp);
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

/// The shortest digits `digits` (scientific exponent `exp`) of `f`, as CPython's
/// `_Py_dg_dtoa` mode 0 chooses them when two strings of that length are equally near
/// `f`'s exact value: the one with an even last digit (Rust picks the upper one). Such a
/// tie means `f` is exactly the midpoint, a decimal of one more digit ending in 5.
fn ties_to_even(f: f64, digits: String, exp: i32) -> (String, i32) {
    let n = digits.len();
    // One more significant digit, correctly rounded: a tie must end in 5.
    let longer = format!("{:.*e}", n, f.abs());
    if n > 17
        || !longer
            .split_once('e')
            .is_some_and(|(m, _)| m.ends_with('5'))
    {
        return (digits, exp);
    }
    // The exact expansion (a double has at most 767 significant digits).
    let exact = format!("{:.800e}", f.abs());
    let Some((mantissa, exact_exp)) = exact.split_once('e') else {
        return (digits, exp);
    };
    let exact_digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let is_tie = exact_exp.parse() == Ok(exp)
        && exact_digits.get(n) == Some(&b'5')
        && exact_digits.iter().skip(n + 1).all(|&d| d == b'0');
    let (Ok(low), Ok(ours)) = (
        std::str::from_utf8(&exact_digits[..n.min(exact_digits.len())])
            .unwrap_or("")
            .parse::<u64>(),
        digits.parse::<u64>(),
    ) else {
        return (digits, exp);
    };
    if !is_tie || (ours != low && ours != low + 1) {
        return (digits, exp);
    }
    let even = if low % 2 == 0 { low } else { low + 1 };
    let mut text = format!("{even:0n$}");
    let mut exp = exp;
    if text.len() > n {
        // 99…9 + 1: one more digit before the point.
        exp += 1;
    }
    while text.len() > 1 && text.ends_with('0') {
        text.pop();
    }
    (text, exp)
}

/// `str.__repr__`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
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

/// An approximation of `str.isprintable` per character: control characters, separators
/// other than space, and unassigned/surrogate ranges are escaped.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    if v < 0x20 || v == 0x7f || (0x80..0xa0).contains(&v) || v == 0xad {
        return false;
    }
    if c.is_whitespace() && c != ' ' {
        return false;
    }
    // Format characters (Cf) and private use (Co) are not printable either.
    !matches!(
        v,
        0x2028
            | 0x2029
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x8e2
            | 0x180e
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
            | 0xe000..=0xf8ff
            | 0xf0000..=0x10ffff
    )
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
