//! `int` operations (`Objects/longobject.c`): each tries `i64` arithmetic first and, when an
//! operand is big or the result leaves 64 bits, computes with `BigInt` and normalises the
//! result ([`Num::from_big`]).
//!
//! Naming block: `x`, `y` the operands, `m` a modulus, `e` an exponent.

use std::borrow::Cow;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};

use super::{convert, float_pow, Arith, ArithError, Num};
use crate::oparg::BinaryOp;

/// The most bits an int result may have before [`ArithError::TooBig`]: a safety net, far
/// beyond any heap budget (the evaluator checks [`result_bits`] against its budget first,
/// constant folding has CPython's much smaller size guards).
const MAX_BITS: u64 = 1 << 40;

/// An int operand as a `BigInt`, borrowed when it is one. Only for ints: a float (which
/// no caller passes) reads as 0.
pub(super) fn big(n: &Num) -> Cow<'_, BigInt> {
    match n {
        Num::Int(i) => Cow::Owned(BigInt::from(*i)),
        Num::Big(b) => Cow::Borrowed(&**b),
        Num::Float(_) | Num::Complex(..) => Cow::Owned(BigInt::zero()),
    }
}

/// The number of bits of `|n|` for an int (`_PyLong_NumBits`; 0 for 0).
pub fn int_bits(n: &Num) -> u64 {
    match n {
        Num::Int(i) => u64::from(64 - i.unsigned_abs().leading_zeros()),
        Num::Big(b) => b.bits(),
        Num::Float(_) | Num::Complex(..) => 0,
    }
}

/// `-x` (`long_neg`).
pub(super) fn neg(x: &Num) -> Num {
    match x {
        Num::Int(i) => match i.checked_neg() {
            Some(n) => Num::Int(n),
            None => Num::from_big(-BigInt::from(*i)),
        },
        other => Num::from_big(-big(other).into_owned()),
    }
}

/// `~x` (`long_invert`): `-(x + 1)`.
pub(super) fn invert(x: &Num) -> Num {
    match x {
        Num::Int(i) => Num::Int(!i),
        other => Num::from_big(!big(other).into_owned()),
    }
}

/// An upper bound on the bits of `x OP y` for the operators whose result can be much larger
/// than their operands (`*`, `**`, `<<`), so a caller can refuse it before it is computed;
/// `None` for the others, for non-ints and for an operation that raises instead.
pub fn result_bits(op: BinaryOp, x: &Num, y: &Num) -> Option<u64> {
    if !x.is_int() || !y.is_int() {
        return None;
    }
    let xbits = int_bits(x);
    match op {
        BinaryOp::Multiply => Some(xbits + int_bits(y)),
        BinaryOp::Power => {
            if is_negative(y) {
                return None;
            }
            if xbits <= 1 {
                // 0, 1 and -1 to any power.
                return Some(1);
            }
            Some(match y {
                Num::Int(e) => xbits.saturating_mul(e.unsigned_abs()),
                _ => u64::MAX,
            })
        }
        BinaryOp::Lshift => {
            if is_negative(y) || xbits == 0 {
                return None;
            }
            match y {
                Num::Int(s) => Some(xbits.saturating_add(s.unsigned_abs())),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_negative(n: &Num) -> bool {
    match n {
        Num::Int(i) => *i < 0,
        Num::Big(b) => b.is_negative(),
        Num::Float(f) | Num::Complex(f, _) => *f < 0.0,
    }
}

/// `x OP y` for two ints.
pub(super) fn binary(op: BinaryOp, x: &Num, y: &Num) -> Arith {
    if let (Num::Int(a), Num::Int(b)) = (x, y) {
        if let Some(r) = small_binary(op, *a, *b) {
            return r;
        }
    }
    big_binary(op, &big(x), &big(y))
}

const INT_DIVISION_BY_ZERO: ArithError =
    ArithError::ZeroDivision("integer division or modulo by zero");
const INT_MODULO_BY_ZERO: ArithError = ArithError::ZeroDivision("integer modulo by zero");
const NEGATIVE_SHIFT: ArithError = ArithError::Value("negative shift count");

/// The `i64` fast path: `None` when the result leaves 64 bits (the `BigInt` path then
/// computes it).
#[inline]
pub fn small_binary(op: BinaryOp, x: i64, y: i64) -> Option<Arith> {
    Some(match op {
        BinaryOp::Add => Ok(Num::Int(x.checked_add(y)?)),
        BinaryOp::Subtract => Ok(Num::Int(x.checked_sub(y)?)),
        BinaryOp::Multiply => Ok(Num::Int(x.checked_mul(y)?)),
        BinaryOp::TrueDivide => convert::small_true_divide(x, y).map(Num::Float),
        BinaryOp::FloorDivide => {
            if y == 0 {
                return Some(Err(INT_DIVISION_BY_ZERO));
            }
            Ok(Num::Int(floor_div(x, y)?))
        }
        BinaryOp::Remainder => {
            if y == 0 {
                return Some(Err(INT_MODULO_BY_ZERO));
            }
            Ok(Num::Int(floor_mod(x, y)))
        }
        BinaryOp::Power => {
            if y < 0 {
                // `long_pow`: a negative exponent makes it `float ** float`.
                return Some(float_pow(x as f64, y as f64).map(Num::Float));
            }
            let e = u32::try_from(y).ok()?;
            Ok(Num::Int(x.checked_pow(e)?))
        }
        BinaryOp::Lshift => {
            if y < 0 {
                return Some(Err(NEGATIVE_SHIFT));
            }
            if x == 0 {
                return Some(Ok(Num::Int(0)));
            }
            if y >= 64 {
                return None;
            }
            let r = x << y;
            if r >> y != x {
                return None;
            }
            Ok(Num::Int(r))
        }
        BinaryOp::Rshift => {
            if y < 0 {
                return Some(Err(NEGATIVE_SHIFT));
            }
            Ok(Num::Int(x >> y.min(63)))
        }
        BinaryOp::And => Ok(Num::Int(x & y)),
        BinaryOp::Or => Ok(Num::Int(x | y)),
        BinaryOp::Xor => Ok(Num::Int(x ^ y)),
        BinaryOp::MatrixMultiply => Err(ArithError::NotNumeric),
    })
}

fn big_binary(op: BinaryOp, x: &BigInt, y: &BigInt) -> Arith {
    Ok(Num::from_big(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Subtract => x - y,
        BinaryOp::Multiply => {
            if x.bits() + y.bits() > MAX_BITS {
                return Err(ArithError::TooBig);
            }
            x * y
        }
        BinaryOp::TrueDivide => return convert::big_true_divide(x, y).map(Num::Float),
        BinaryOp::FloorDivide => {
            if y.is_zero() {
                return Err(INT_DIVISION_BY_ZERO);
            }
            x.div_floor(y)
        }
        BinaryOp::Remainder => {
            if y.is_zero() {
                return Err(INT_MODULO_BY_ZERO);
            }
            x.mod_floor(y)
        }
        BinaryOp::Power => return big_pow(x, y),
        BinaryOp::Lshift => {
            if y.is_negative() {
                return Err(NEGATIVE_SHIFT);
            }
            if x.is_zero() {
                return Ok(Num::Int(0));
            }
            let Some(s) = lshift_count(x, y)? else {
                return Err(ArithError::TooBig);
            };
            x << s
        }
        BinaryOp::Rshift => {
            if y.is_negative() {
                return Err(NEGATIVE_SHIFT);
            }
            // Shifting every bit out leaves 0, or -1 for a negative number (a floor).
            match y.to_u64() {
                Some(s) if s < x.bits() => x >> s,
                _ if x.is_negative() => -BigInt::one(),
                _ => BigInt::zero(),
            }
        }
        BinaryOp::And => x & y,
        BinaryOp::Or => x | y,
        BinaryOp::Xor => x ^ y,
        BinaryOp::MatrixMultiply => return Err(ArithError::NotNumeric),
    }))
}

/// The count of `x << y` (`x` non-zero, `y` non-negative) as CPython's `long_lshift`
/// takes it: `divmod_shift` splits it into 30-bit digits (clipping a count beyond
/// `Py_ssize_t`), and `_PyLong_New` refuses more than `MAX_LONG_DIGITS` digits. `None`
/// for a result beyond [`MAX_BITS`] (CPython's allocation fails: a `MemoryError`).
fn lshift_count(x: &BigInt, y: &BigInt) -> Result<Option<u64>, ArithError> {
    const SHIFT: u64 = 30;
    // PY_SSIZE_T_MAX / sizeof(digit), and (PY_SSIZE_T_MAX - offsetof(ob_digit)) / 4.
    const CLIP: u64 = (i64::MAX as u64) / 4;
    const MAX_LONG_DIGITS: u64 = (i64::MAX as u64 - 24) / 4;
    let (q, r) = y.div_rem(&BigInt::from(SHIFT));
    let (wordshift, remshift) = match q.to_u64() {
        Some(w) if w < CLIP => (w, r.to_u64().unwrap_or(0)),
        _ => (CLIP, 0),
    };
    let newsize = x.bits().div_ceil(SHIFT) + wordshift + u64::from(remshift != 0);
    if newsize > MAX_LONG_DIGITS {
        return Err(ArithError::Overflow("too many digits in integer"));
    }
    Ok(y.to_u64()
        .filter(|s| x.bits().saturating_add(*s) <= MAX_BITS))
}

/// `x ** y` (`long_pow` without a modulus).
fn big_pow(x: &BigInt, y: &BigInt) -> Arith {
    if y.is_negative() {
        let (v, w) = (convert::big_to_f64(x)?, convert::big_to_f64(y)?);
        return float_pow(v, w).map(Num::Float);
    }
    if x.is_zero() {
        return Ok(Num::Int(i64::from(y.is_zero())));
    }
    if x.is_one() {
        return Ok(Num::Int(1));
    }
    if (-x).is_one() {
        return Ok(Num::Int(if y.is_even() { 1 } else { -1 }));
    }
    let Some(e) = y.to_u64() else {
        return Err(ArithError::TooBig);
    };
    if x.bits().saturating_mul(e) > MAX_BITS {
        return Err(ArithError::TooBig);
    }
    Ok(Num::from_big(Pow::pow(x, e)))
}

/// `pow(x, e, m)` for ints (`long_pow` with a modulus): the result has the sign of `m`; a
/// negative exponent uses the inverse of `x` modulo `m` (`long_invmod`).
pub fn pow_mod(x: &Num, e: &Num, m: &Num) -> Arith {
    let (x, e, m) = (big(x), big(e), big(m));
    if m.is_zero() {
        return Err(ArithError::Value("pow() 3rd argument cannot be 0"));
    }
    let modulus = m.abs();
    if modulus.is_one() {
        return Ok(Num::Int(0));
    }
    let mut base = x.mod_floor(&modulus);
    let mut exponent = e.into_owned();
    if exponent.is_negative() {
        let g = base.extended_gcd(&modulus);
        if !g.gcd.is_one() {
            return Err(ArithError::Value(
                "base is not invertible for the given modulus",
            ));
        }
        base = g.x.mod_floor(&modulus);
        exponent = -exponent;
    }
    let r = base.modpow(&exponent, &modulus);
    Ok(Num::from_big(if m.is_negative() && !r.is_zero() {
        r - modulus
    } else {
        r
    }))
}

/// `divmod(x, y)` for two ints (`long_divmod`).
pub(super) fn divmod(x: &Num, y: &Num) -> Result<(Num, Num), ArithError> {
    if let (Num::Int(a), Num::Int(b)) = (x, y) {
        if *b == 0 {
            return Err(INT_DIVISION_BY_ZERO);
        }
        if let Some(q) = floor_div(*a, *b) {
            return Ok((Num::Int(q), Num::Int(floor_mod(*a, *b))));
        }
    }
    let (a, b) = (big(x), big(y));
    if b.is_zero() {
        return Err(INT_DIVISION_BY_ZERO);
    }
    let (q, r) = a.div_mod_floor(&b);
    Ok((Num::from_big(q), Num::from_big(r)))
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
