//! The arithmetic of `int` (64-bit here) and `float` as CPython 3.12 computes it
//! (`Objects/longobject.c`, `Objects/floatobject.c`): pure functions, shared by constant
//! folding (`compile::fold`) and the evaluator (`runtime::numbers`), so the two cannot
//! disagree. They return a number or what went wrong ([`ArithError`]); each caller turns
//! that into its own outcome (a Python exception or *unsupported* at run time, an unfolded
//! expression or an unsupported compile error when folding).

use crate::oparg::BinaryOp;

/// An `int` or a `float` operand or result (a `bool` operand is the `int` 0 or 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// The value as a float (`PyLong_AsDouble`: an `i64` always converts, rounding to
    /// nearest-even).
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// Exact numeric order (CPython `float_richcompare`): an int is compared with a float
    /// by value, not after rounding it to a float; `None` when a NaN is involved.
    pub fn exact_cmp(self, other: Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
            (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
            (Num::Int(i), Num::Float(f)) => int_float_cmp(i, f),
            (Num::Float(f), Num::Int(i)) => int_float_cmp(i, f).map(std::cmp::Ordering::reverse),
        }
    }
}

/// How the int `i` compares with the float `f`, exactly.
fn int_float_cmp(i: i64, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    // 2**63: every i64 is below it, and -2**63 is the smallest i64.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Less);
    }
    if f < -TWO_63 {
        return Some(Greater);
    }
    let whole = f.trunc();
    // |whole| < 2**63 (or exactly -2**63), so the conversion is exact.
    Some(match i.cmp(&(whole as i64)) {
        Equal if f > whole => Less,
        Equal if f < whole => Greater,
        other => other,
    })
}

/// Why an operation has no number for its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// `ZeroDivisionError` with CPython's message.
    ZeroDivision(&'static str),
    /// `ValueError` with CPython's message.
    Value(&'static str),
    /// `OverflowError(34, 'Numerical result out of range')`: a float power out of range
    /// (`float_pow` reports `ERANGE` through `PyErr_SetFromErrno`).
    FloatOverflow,
    /// The exact result is an `int` beyond 64 bits: CPython would give it, framespec cannot
    /// (unsupported, never an error the program sees).
    BigInt,
    /// The result is a `complex` (a negative float to a fractional power): unsupported.
    Complex,
    /// The operator does not apply to these operands (`@`, bit operators on floats, `~` on
    /// a float): a `TypeError` whose message names the operand types.
    NotNumeric,
}

/// The `errno` and message of [`ArithError::FloatOverflow`].
pub const ERANGE: (i64, &str) = (34, "Numerical result out of range");

type Arith = Result<Num, ArithError>;

/// A unary arithmetic operator (UNARY_NEGATIVE, `INTRINSIC_UNARY_POSITIVE`, UNARY_INVERT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Negative,
    Positive,
    Invert,
}

impl UnaryOp {
    /// As Python source writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Negative => "-",
            UnaryOp::Positive => "+",
            UnaryOp::Invert => "~",
        }
    }

    /// The special method (`__neg__`).
    pub fn method(self) -> &'static str {
        match self {
            UnaryOp::Negative => "__neg__",
            UnaryOp::Positive => "__pos__",
            UnaryOp::Invert => "__invert__",
        }
    }
}

/// `-a`, `+a`, `~a` (`long_neg`, `long_long`, `long_invert`, `float_neg`, `float_pos`).
pub fn unary(op: UnaryOp, a: Num) -> Arith {
    match (op, a) {
        (UnaryOp::Negative, Num::Int(i)) => i.checked_neg().map(Num::Int).ok_or(ArithError::BigInt),
        (UnaryOp::Negative, Num::Float(f)) => Ok(Num::Float(-f)),
        (UnaryOp::Positive, a) => Ok(a),
        (UnaryOp::Invert, Num::Int(i)) => Ok(Num::Int(!i)),
        (UnaryOp::Invert, Num::Float(_)) => Err(ArithError::NotNumeric),
    }
}

/// `a OP b` for two bools where the result is a bool (`bool_and`, `bool_or`, `bool_xor`);
/// `None` for the other operators, which treat bools as ints.
pub fn bool_binary(op: BinaryOp, a: bool, b: bool) -> Option<bool> {
    match op {
        BinaryOp::And => Some(a & b),
        BinaryOp::Or => Some(a | b),
        BinaryOp::Xor => Some(a ^ b),
        _ => None,
    }
}

/// `a OP b` for numbers: `int OP int` with `int`'s rules, anything with a float with
/// `float`'s (the int converted first, as `float`'s slots do).
pub fn binary(op: BinaryOp, a: Num, b: Num) -> Arith {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => int_binary(op, x, y),
        _ => float_binary(op, a.to_f64(), b.to_f64()).map(Num::Float),
    }
}

fn int(r: Option<i64>) -> Arith {
    r.map(Num::Int).ok_or(ArithError::BigInt)
}

fn int_binary(op: BinaryOp, x: i64, y: i64) -> Arith {
    match op {
        BinaryOp::Add => int(x.checked_add(y)),
        BinaryOp::Subtract => int(x.checked_sub(y)),
        BinaryOp::Multiply => int(x.checked_mul(y)),
        BinaryOp::TrueDivide => int_true_divide(x, y).map(Num::Float),
        BinaryOp::FloorDivide => {
            if y == 0 {
                return Err(ArithError::ZeroDivision(
                    "integer division or modulo by zero",
                ));
            }
            int(floor_div(x, y))
        }
        BinaryOp::Remainder => {
            if y == 0 {
                return Err(ArithError::ZeroDivision("integer modulo by zero"));
            }
            Ok(Num::Int(floor_mod(x, y)))
        }
        BinaryOp::Power => int_pow(x, y),
        BinaryOp::Lshift => int_lshift(x, y),
        BinaryOp::Rshift => {
            if y < 0 {
                return Err(ArithError::Value("negative shift count"));
            }
            Ok(Num::Int(x >> y.min(63)))
        }
        BinaryOp::And => Ok(Num::Int(x & y)),
        BinaryOp::Or => Ok(Num::Int(x | y)),
        BinaryOp::Xor => Ok(Num::Int(x ^ y)),
        BinaryOp::MatrixMultiply => Err(ArithError::NotNumeric),
    }
}

fn float_binary(op: BinaryOp, x: f64, y: f64) -> Result<f64, ArithError> {
    match op {
        BinaryOp::Add => Ok(x + y),
        BinaryOp::Subtract => Ok(x - y),
        BinaryOp::Multiply => Ok(x * y),
        BinaryOp::TrueDivide => {
            if y == 0.0 {
                return Err(ArithError::ZeroDivision("float division by zero"));
            }
            Ok(x / y)
        }
        BinaryOp::FloorDivide => {
            if y == 0.0 {
                return Err(ArithError::ZeroDivision("float floor division by zero"));
            }
            Ok(float_div_mod(x, y).0)
        }
        BinaryOp::Remainder => {
            if y == 0.0 {
                return Err(ArithError::ZeroDivision("float modulo"));
            }
            Ok(float_div_mod(x, y).1)
        }
        BinaryOp::Power => float_pow(x, y),
        BinaryOp::Lshift
        | BinaryOp::Rshift
        | BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::MatrixMultiply => Err(ArithError::NotNumeric),
    }
}

/// `divmod(a, b)` for numbers (`long_divmod`, `float_divmod`, whose zero-division messages
/// differ from `//` and `%`).
pub fn divmod(a: Num, b: Num) -> Result<(Num, Num), ArithError> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => {
            if y == 0 {
                return Err(ArithError::ZeroDivision(
                    "integer division or modulo by zero",
                ));
            }
            let q = floor_div(x, y).ok_or(ArithError::BigInt)?;
            Ok((Num::Int(q), Num::Int(floor_mod(x, y))))
        }
        _ => {
            let (x, y) = (a.to_f64(), b.to_f64());
            if y == 0.0 {
                return Err(ArithError::ZeroDivision("float divmod()"));
            }
            let (q, r) = float_div_mod(x, y);
            Ok((Num::Float(q), Num::Float(r)))
        }
    }
}

/// Floor division of ints; `None` when the quotient leaves 64 bits (`i64::MIN // -1`).
/// `y` must not be 0.
pub fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

/// The int remainder with the sign of the divisor (always fits: `i64::MIN % -1` is 0).
/// `y` must not be 0.
pub fn floor_mod(x: i64, y: i64) -> i64 {
    let r = x.wrapping_rem(y);
    if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    }
}

/// `int / int` (`long_true_divide`): the correctly rounded quotient. Operands of at most
/// 53 bits are exact doubles, so one IEEE division rounds once; wider ones are divided
/// exactly in 128 bits with a sticky bit, and rounded once when converted.
fn int_true_divide(x: i64, y: i64) -> Result<f64, ArithError> {
    if y == 0 {
        return Err(ArithError::ZeroDivision("division by zero"));
    }
    const EXACT: u64 = 1 << f64::MANTISSA_DIGITS;
    let (n, d) = (x.unsigned_abs(), y.unsigned_abs());
    if n <= EXACT && d <= EXACT {
        return Ok(x as f64 / y as f64);
    }
    // Scale the numerator so the integer quotient has at least 55 bits (two below the
    // 53 kept), then fold any remainder into the lowest bit so rounding sees it.
    let bits = |v: u64| 64 - v.leading_zeros();
    let shift = (f64::MANTISSA_DIGITS + 3 + bits(d)).saturating_sub(bits(n));
    let scaled = u128::from(n) << shift;
    let (q, r) = (scaled / u128::from(d), scaled % u128::from(d));
    let q = q | u128::from(r != 0);
    // 2^-shift is exact (shift < 120) and the product neither overflows nor underflows.
    let scale = f64::from_bits(u64::from(1023 - shift) << 52);
    let magnitude = q as f64 * scale;
    Ok(if (x < 0) != (y < 0) {
        -magnitude
    } else {
        magnitude
    })
}

/// `int ** int` (`long_pow`): a negative exponent gives `float ** float`.
fn int_pow(x: i64, y: i64) -> Arith {
    if y < 0 {
        return float_pow(x as f64, y as f64).map(Num::Float);
    }
    match x {
        0 => Ok(Num::Int(i64::from(y == 0))),
        1 => Ok(Num::Int(1)),
        -1 => Ok(Num::Int(if y % 2 == 0 { 1 } else { -1 })),
        _ => int(u32::try_from(y).ok().and_then(|e| x.checked_pow(e))),
    }
}

/// `int << int` (`long_lshift`).
fn int_lshift(x: i64, y: i64) -> Arith {
    if y < 0 {
        return Err(ArithError::Value("negative shift count"));
    }
    if x == 0 {
        return Ok(Num::Int(0));
    }
    if y >= 64 {
        return Err(ArithError::BigInt);
    }
    let r = x << y;
    if r >> y == x {
        Ok(Num::Int(r))
    } else {
        Err(ArithError::BigInt)
    }
}

/// Python's float `divmod` (`_float_div_mod`): the floor quotient snapped to an integral
/// value, and the remainder with the sign of the divisor (a zero remainder is a zero of
/// the divisor's sign, a zero quotient one of the true quotient's). `y` must not be 0.
pub fn float_div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}

/// `DOUBLE_IS_ODD_INTEGER`.
fn is_odd_integer(x: f64) -> bool {
    x.abs() % 2.0 == 1.0
}

/// `float ** float` (`float_pow`): its special cases in its order, then the platform
/// `pow`, whose out-of-range result is an `OverflowError` (`_Py_ADJUST_ERANGE1`; an
/// underflow is not an error).
pub fn float_pow(v: f64, w: f64) -> Result<f64, ArithError> {
    if w == 0.0 {
        return Ok(1.0);
    }
    if v.is_nan() {
        return Ok(v);
    }
    if w.is_nan() {
        return Ok(if v == 1.0 { 1.0 } else { w });
    }
    if w.is_infinite() {
        // |v| < 1: 0 for +inf, inf for -inf; |v| == 1: 1; |v| > 1 the other way round.
        let v = v.abs();
        return Ok(if v == 1.0 {
            1.0
        } else if (w > 0.0) == (v > 1.0) {
            w.abs()
        } else {
            0.0
        });
    }
    if v.is_infinite() {
        let odd = is_odd_integer(w);
        return Ok(if w > 0.0 {
            if odd {
                v
            } else {
                v.abs()
            }
        } else if odd {
            0.0f64.copysign(v)
        } else {
            0.0
        });
    }
    if v == 0.0 {
        if w < 0.0 {
            return Err(ArithError::ZeroDivision(
                "0.0 cannot be raised to a negative power",
            ));
        }
        return Ok(if is_odd_integer(w) { v } else { 0.0 });
    }
    let (v, negate) = if v < 0.0 {
        if w != w.floor() {
            return Err(ArithError::Complex);
        }
        (-v, is_odd_integer(w))
    } else {
        (v, false)
    };
    if v == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = v.powf(w);
    if r.is_infinite() {
        return Err(ArithError::FloatOverflow);
    }
    Ok(if negate { -r } else { r })
}
