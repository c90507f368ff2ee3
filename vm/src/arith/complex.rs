//! `complex` arithmetic as CPython 3.12 computes it (`Objects/complexobject.c`): the
//! `_Py_c_*` functions and what `complex_add`, `complex_div`, `complex_pow` and
//! `complex_abs` make of their `errno`. An int or float operand is first made a complex
//! with a zero imaginary part (`TO_COMPLEX`), so `2 * 1j` is a full complex product.
//!
//! Naming block: `a`, `b` the operands, `r` the result, each a [`C`] (real, imaginary).
//!
//! The transcendental functions are the platform's (`f64::powf`, `exp`, `ln`, `cos`, `sin`,
//! `atan2`, `hypot` call the C library, as CPython does); where CPython reads `errno` the
//! conditions that set it are restated here (see [`pow`]).

use super::{ArithError, Num};
use crate::oparg::BinaryOp;

/// A complex value: (real, imaginary) (CPython `Py_complex`).
pub type C = (f64, f64);

const ONE: C = (1.0, 0.0);

/// "complex division by zero" (`complex_div`).
pub const DIVISION_BY_ZERO: &str = "complex division by zero";
/// `complex_pow`'s `EDOM` message (a zero base to a negative or complex power).
pub const ZERO_POWER: &str = "0.0 to a negative or complex power";

/// `TO_COMPLEX`: an int (`PyLong_AsDouble`, which can overflow), a float or a complex.
pub fn to_complex(n: &Num) -> Result<C, ArithError> {
    match n {
        Num::Complex(re, im) => Ok((*re, *im)),
        other => Ok((other.to_f64()?, 0.0)),
    }
}

/// `_Py_c_sum`.
pub fn sum(a: C, b: C) -> C {
    (a.0 + b.0, a.1 + b.1)
}

/// `_Py_c_diff`.
pub fn diff(a: C, b: C) -> C {
    (a.0 - b.0, a.1 - b.1)
}

/// `_Py_c_neg`.
pub fn neg(a: C) -> C {
    (-a.0, -a.1)
}

/// `_Py_c_prod`: the schoolbook product, no special treatment of infinities.
pub fn prod(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// `_Py_c_quot`: Smith's algorithm, dividing through by the larger of the divisor's parts;
/// `None` for a zero divisor (CPython's `errno = EDOM`).
pub fn quot(a: C, b: C) -> Option<C> {
    let (abs_breal, abs_bimag) = (b.0.abs(), b.1.abs());
    if abs_breal >= abs_bimag {
        if abs_breal == 0.0 {
            return None;
        }
        let ratio = b.1 / b.0;
        let denom = b.0 + b.1 * ratio;
        Some(((a.0 + a.1 * ratio) / denom, (a.1 - a.0 * ratio) / denom))
    } else if abs_bimag >= abs_breal {
        let ratio = b.0 / b.1;
        let denom = b.0 * ratio + b.1;
        Some(((a.0 * ratio + a.1) / denom, (a.1 * ratio - a.0) / denom))
    } else {
        // At least one of the divisor's parts is a NaN.
        Some((f64::NAN, f64::NAN))
    }
}

/// What `errno` holds after a computation (CPython reads it after `_Py_c_quot` and
/// `_Py_c_pow`). The C library's `ERANGE` needs no tracking: `_Py_ADJUST_ERANGE2` keeps
/// it exactly when a part of the result is infinite, and sets it then anyway.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Errno {
    Zero,
    Dom,
}

/// `c_powu`: repeated squaring for a non-negative integer exponent.
fn powu(x: C, n: i64) -> C {
    let (mut r, mut p, mut mask) = (ONE, x, 1i64);
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            r = prod(r, p);
        }
        mask <<= 1;
        p = prod(p, p);
    }
    r
}

/// `c_powi`: an integer exponent; a negative one divides 1 by the positive power.
fn powi(x: C, n: i64) -> (C, Errno) {
    if n > 0 {
        (powu(x, n), Errno::Zero)
    } else {
        match quot(ONE, powu(x, -n)) {
            Some(r) => (r, Errno::Zero),
            None => ((0.0, 0.0), Errno::Dom),
        }
    }
}

/// `_Py_c_pow`: the polar form. Of the C library calls only `cos` and `sin` can set
/// `EDOM` here (glibc does for an infinite argument).
fn pow_general(a: C, b: C) -> (C, Errno) {
    if b.0 == 0.0 && b.1 == 0.0 {
        return (ONE, Errno::Zero);
    }
    if a.0 == 0.0 && a.1 == 0.0 {
        let errno = if b.1 != 0.0 || b.0 < 0.0 {
            Errno::Dom
        } else {
            Errno::Zero
        };
        return ((0.0, 0.0), errno);
    }
    let vabs = a.0.hypot(a.1);
    let mut len = vabs.powf(b.0);
    let at = a.1.atan2(a.0);
    let mut phase = at * b.0;
    if b.1 != 0.0 {
        len /= (at * b.1).exp();
        phase += b.1 * vabs.ln();
    }
    let errno = if phase.is_infinite() {
        Errno::Dom
    } else {
        Errno::Zero
    };
    ((len * phase.cos(), len * phase.sin()), errno)
}

/// `complex_pow` without a modulus: a small integral exponent by repeated multiplication,
/// any other through the polar form; then `_Py_ADJUST_ERANGE2` (an infinite part is an
/// overflow, whatever the C library said) and the errors in CPython's order.
pub fn pow(a: C, b: C) -> Result<C, ArithError> {
    let (r, errno) = if b.1 == 0.0 && b.0 == b.0.floor() && b.0.abs() <= 100.0 {
        powi(a, b.0 as i64)
    } else {
        pow_general(a, b)
    };
    if errno == Errno::Dom {
        return Err(ArithError::ZeroDivision(ZERO_POWER));
    }
    if r.0.is_infinite() || r.1.is_infinite() {
        return Err(ArithError::Overflow("complex exponentiation"));
    }
    Ok(r)
}

/// `_Py_c_abs` as `complex_abs` uses it: an infinite part gives infinity even beside a
/// NaN; a finite value whose `hypot` overflows is an `OverflowError`.
pub fn abs(a: C) -> Result<f64, ArithError> {
    if !a.0.is_finite() || !a.1.is_finite() {
        if a.0.is_infinite() {
            return Ok(a.0.abs());
        }
        if a.1.is_infinite() {
            return Ok(a.1.abs());
        }
        return Ok(f64::NAN);
    }
    let r = a.0.hypot(a.1);
    if r.is_finite() {
        Ok(r)
    } else {
        Err(ArithError::Overflow("absolute value too large"))
    }
}

/// `a OP b` where either operand is complex (`complex_add`, `complex_sub`, `complex_mul`,
/// `complex_div`, `complex_pow`); complex has no `//`, `%` or bit operators.
pub fn binary(op: BinaryOp, a: &Num, b: &Num) -> Result<Num, ArithError> {
    if !matches!(
        op,
        BinaryOp::Add
            | BinaryOp::Subtract
            | BinaryOp::Multiply
            | BinaryOp::TrueDivide
            | BinaryOp::Power
    ) {
        return Err(ArithError::NotNumeric);
    }
    let (x, y) = (to_complex(a)?, to_complex(b)?);
    let r = match op {
        BinaryOp::Add => sum(x, y),
        BinaryOp::Subtract => diff(x, y),
        BinaryOp::Multiply => prod(x, y),
        BinaryOp::TrueDivide => quot(x, y).ok_or(ArithError::ZeroDivision(DIVISION_BY_ZERO))?,
        _ => pow(x, y)?,
    };
    Ok(Num::Complex(r.0, r.1))
}

/// `complex_richcompare` for `==`: a complex with a zero imaginary part equals an int or
/// float of its real part (exactly, as float compares with int).
pub fn equal(a: C, b: &Num) -> bool {
    match b {
        Num::Complex(re, im) => a.0 == *re && a.1 == *im,
        Num::Float(f) => a.0 == *f && a.1 == 0.0,
        int => a.1 == 0.0 && Num::Float(a.0).exact_cmp(int) == Some(std::cmp::Ordering::Equal),
    }
}

/// `_PyOS_ascii_strtod` as `PyOS_string_to_double(s, &end, NULL)` uses it: the longest
/// prefix of `s` that is a float (an optional sign, then `inf`, `infinity`, `nan` in any
/// case, or digits with an optional point and exponent; no spaces, no underscores), its
/// value (an overflow is an infinity) and its length.
fn float_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let rest = &s[i..];
    let starts = |word: &str| {
        rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes())
    };
    let negative = s.first() == Some(&b'-');
    let special = if starts("infinity") {
        Some((f64::INFINITY, 8))
    } else if starts("inf") {
        Some((f64::INFINITY, 3))
    } else if starts("nan") {
        Some((f64::NAN, 3))
    } else {
        None
    };
    if let Some((v, n)) = special {
        return Some((if negative { -v } else { v }, i + n));
    }
    let digits = |from: usize| s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_digits = digits(i);
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        frac_digits = digits(i + 1);
        if int_digits + frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(s.get(i + 1), Some(b'+' | b'-')));
        let exp_digits = digits(i + 1 + sign);
        if exp_digits > 0 {
            i += 1 + sign + exp_digits;
        }
    }
    let text = std::str::from_utf8(&s[..i]).ok()?;
    Some((text.parse::<f64>().ok()?, i))
}

/// `complex_from_string_inner`: `<float>`, `<float>j`, `<float><signed-float>j`, and the
/// older `<float><sign>j`, `<sign>j`, `j`, within optional spaces and one pair of
/// parentheses. `None` for a malformed string. The caller has already removed valid
/// underscores and mapped non-ASCII digits and spaces.
pub fn parse(text: &str) -> Option<C> {
    let s = text.as_bytes();
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let skip = |mut i: usize| {
        while s.get(i).is_some_and(space) {
            i += 1;
        }
        i
    };
    let mut i = skip(0);
    let bracket = s.get(i) == Some(&b'(');
    if bracket {
        i = skip(i + 1);
    }
    let is_j = |i: usize| matches!(s.get(i), Some(b'j' | b'J'));
    let sign_of = |c: u8| if c == b'+' { 1.0 } else { -1.0 };
    let (mut x, mut y) = (0.0, 0.0);
    match float_prefix(&s[i..]) {
        Some((z, n)) => {
            i += n;
            match s.get(i) {
                Some(&c @ (b'+' | b'-')) => {
                    x = z;
                    match float_prefix(&s[i..]) {
                        Some((w, m)) => {
                            y = w;
                            i += m;
                        }
                        None => {
                            y = sign_of(c);
                            i += 1;
                        }
                    }
                    if !is_j(i) {
                        return None;
                    }
                    i += 1;
                }
                Some(b'j' | b'J') => {
                    y = z;
                    i += 1;
                }
                _ => x = z,
            }
        }
        None => {
            if let Some(&c @ (b'+' | b'-')) = s.get(i) {
                y = sign_of(c);
                i += 1;
            } else {
                y = 1.0;
            }
            if !is_j(i) {
                return None;
            }
            i += 1;
        }
    }
    i = skip(i);
    if bracket {
        if s.get(i) != Some(&b')') {
            return None;
        }
        i = skip(i + 1);
    }
    (i == s.len()).then_some((x, y))
}
