//! The arithmetic of `int` (of any size) and `float` as CPython 3.12 computes it
//! (`Objects/longobject.c`, `Objects/floatobject.c`): pure functions, shared by constant
//! folding (`compile::fold`) and the evaluator (`runtime::numbers`), so the two cannot
//! disagree. They return a number or what went wrong ([`ArithError`]); each caller turns
//! that into its own outcome (a Python exception at run time, an unfolded expression when
//! folding).
//!
//! An int is an `i64` while it fits ([`Num::Int`], the fast path every operation tries
//! first) and a `BigInt` only beyond ([`Num::Big`]): [`Num::from_big`] normalises every
//! result, so equal ints have one representation. `int` holds the integer operations,
//! `convert` the int/float conversions, true division and exact comparison, `text` the
//! int/str conversions, `complex` the complex operations (an operation with a complex
//! operand, and a negative float to a fractional power, are complex's).

pub mod complex;
mod convert;
mod int;
pub mod text;

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::oparg::BinaryOp;

pub use convert::{big_to_f64, f64_to_int, ldexp};
pub use int::{int_bits, pow_mod, result_bits, small_binary};

/// An `int`, `float` or `complex` operand or result (a `bool` operand is the `int` 0 or 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    /// An int outside the `i64` range, never one inside it (see [`Num::from_big`]).
    Big(Rc<BigInt>),
    Float(f64),
    /// A complex: real, imaginary part.
    Complex(f64, f64),
}

impl Num {
    /// The int `b`, as [`Num::Int`] when it fits in an `i64`.
    pub fn from_big(b: BigInt) -> Num {
        match b.to_i64() {
            Some(i) => Num::Int(i),
            None => Num::Big(Rc::new(b)),
        }
    }

    /// Whether this is an int (small or big).
    pub fn is_int(&self) -> bool {
        !matches!(self, Num::Float(_) | Num::Complex(..))
    }

    /// The value as a float (`PyLong_AsDouble`: correctly rounded, half to even; an int
    /// of 2**1024 or more is an `OverflowError`).
    pub fn to_f64(&self) -> Result<f64, ArithError> {
        match self {
            Num::Int(i) => Ok(*i as f64),
            Num::Big(b) => big_to_f64(b),
            Num::Float(f) => Ok(*f),
            // Complex's own operations go through `complex::to_complex`.
            Num::Complex(..) => Err(ArithError::NotNumeric),
        }
    }

    /// Exact numeric order (CPython `float_richcompare`, `long_compare`): an int is
    /// compared with a float by value, not after rounding it to a float; `None` when a NaN
    /// is involved.
    pub fn exact_cmp(&self, other: &Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Int(x), Num::Int(y)) => Some(x.cmp(y)),
            // Complex numbers are not ordered.
            (Num::Complex(..), _) | (_, Num::Complex(..)) => None,
            (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
            (Num::Float(f), i) => convert::int_float_cmp(i, *f).map(std::cmp::Ordering::reverse),
            (i, Num::Float(f)) => convert::int_float_cmp(i, *f),
            (x, y) => Some(int::big(x).cmp(&int::big(y))),
        }
    }
}

/// Why an operation has no number for its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// `OverflowError` with CPython's message ("int too large to convert to float", …).
    Overflow(&'static str),
    /// The int result would need more memory than any machine has (callers check the size
    /// with [`result_bits`] first: a `MemoryError` in CPython).
    TooBig,
    /// `ZeroDivisionError` with CPython's message.
    ZeroDivision(&'static str),
    /// `ValueError` with CPython's message.
    Value(&'static str),
    /// `OverflowError(34, 'Numerical result out of range')`: a float power out of range
    /// (`float_pow` reports `ERANGE` through `PyErr_SetFromErrno`).
    FloatOverflow,
    /// `float_pow`'s signal that the result is complex (a negative float to a fractional
    /// power), which [`binary`] then computes with `complex_pow`: never returned by it.
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
pub fn unary(op: UnaryOp, a: &Num) -> Arith {
    match (op, a) {
        (UnaryOp::Negative, Num::Float(f)) => Ok(Num::Float(-f)),
        (UnaryOp::Negative, Num::Complex(re, im)) => Ok(Num::Complex(-re, -im)),
        (UnaryOp::Invert, Num::Complex(..)) => Err(ArithError::NotNumeric),
        (UnaryOp::Positive, a) => Ok(a.clone()),
        (UnaryOp::Invert, Num::Float(_)) => Err(ArithError::NotNumeric),
        (UnaryOp::Negative, i) => Ok(int::neg(i)),
        (UnaryOp::Invert, i) => Ok(int::invert(i)),
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
/// `float`'s (the int converted first, as `float`'s slots do, which can overflow), and
/// anything with a complex with `complex`'s.
pub fn binary(op: BinaryOp, a: &Num, b: &Num) -> Arith {
    if a.is_int() && b.is_int() {
        return int::binary(op, a, b);
    }
    if matches!(a, Num::Complex(..)) || matches!(b, Num::Complex(..)) {
        return complex::binary(op, a, b);
    }
    if !float_has(op) {
        return Err(ArithError::NotNumeric);
    }
    let (x, y) = (a.to_f64()?, b.to_f64()?);
    match float_binary(op, x, y) {
        // `float_pow` hands the operands to `complex_pow`.
        Err(ArithError::Complex) => {
            complex::binary(op, &Num::Complex(x, 0.0), &Num::Complex(y, 0.0))
        }
        r => r.map(Num::Float),
    }
}

/// Whether `float` has the operator at all (its `nb_*` slot): those it lacks are a
/// TypeError before any operand is converted.
fn float_has(op: BinaryOp) -> bool {
    !matches!(
        op,
        BinaryOp::Lshift
            | BinaryOp::Rshift
            | BinaryOp::And
            | BinaryOp::Or
            | BinaryOp::Xor
            | BinaryOp::MatrixMultiply
    )
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
pub fn divmod(a: &Num, b: &Num) -> Result<(Num, Num), ArithError> {
    if a.is_int() && b.is_int() {
        return int::divmod(a, b);
    }
    let (x, y) = (a.to_f64()?, b.to_f64()?);
    if y == 0.0 {
        return Err(ArithError::ZeroDivision("float divmod()"));
    }
    let (q, r) = float_div_mod(x, y);
    Ok((Num::Float(q), Num::Float(r)))
}

pub use int::{floor_div, floor_mod};

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
