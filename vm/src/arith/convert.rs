//! Between `int` and `float`: the correctly rounded int-to-float conversion
//! (`PyLong_AsDouble`), true division of ints (`long_true_divide`), float-to-int truncation
//! (`PyLong_FromDouble`) and the exact comparison of an int with a float
//! (`float_richcompare`).
//!
//! Naming block: `n`, `d` a numerator and denominator's magnitudes, `q` a quotient, `e` a
//! binary exponent, `sticky` whether bits below those kept were non-zero.

use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{ToPrimitive, Zero};

use super::{int, ArithError, Num};

const INT_TOO_LARGE: ArithError = ArithError::Overflow("int too large to convert to float");
const QUOTIENT_TOO_LARGE: ArithError =
    ArithError::Overflow("integer division result too large for a float");

/// `m * 2**e` for an integral `m` below 2**54 whose product is representable (or
/// overflows to infinity): exact, since it multiplies by exact powers of two and a
/// subnormal result is reached in one final step.
pub fn ldexp(m: f64, e: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    let mut r = m;
    let mut e = e;
    while e > 1023 {
        r *= pow2(1023);
        e -= 1023;
        if r.is_infinite() {
            return r;
        }
    }
    while e < -1022 {
        // Stop at a normal intermediate so only the last multiplication can round; the
        // results here are exactly representable, so it does not.
        if e >= -1022 - 60 {
            return r * pow2(-1022) * pow2(e + 1022);
        }
        r *= pow2(-1022);
        e += 1022;
    }
    r * pow2(e)
}

/// `|b|` rounded to 64 bits with a sticky lowest bit, and the exponent of its lowest bit:
/// `|b| ≈ top * 2**shift`, close enough for one correct rounding to 53 bits.
fn top_bits(b: &BigUint) -> (u64, u64) {
    let bits = b.bits();
    if bits <= 64 {
        return (b.to_u64().unwrap_or(u64::MAX), 0);
    }
    let shift = bits - 64;
    let top = (b >> shift).to_u64().unwrap_or(u64::MAX);
    let sticky = b.trailing_zeros().is_some_and(|z| z < shift);
    (top | u64::from(sticky), shift)
}

/// A big int as a float, correctly rounded (`PyLong_AsDouble`), or OverflowError.
pub fn big_to_f64(b: &BigInt) -> Result<f64, ArithError> {
    let (top, shift) = top_bits(b.magnitude());
    // A u64 converts with one rounding to nearest, ties to even; the sticky bit keeps
    // ties that are not ties apart, and the scaling by 2**shift is exact.
    let magnitude = ldexp(top as f64, shift as i64);
    if magnitude.is_infinite() {
        return Err(INT_TOO_LARGE);
    }
    Ok(if b.sign() == Sign::Minus {
        -magnitude
    } else {
        magnitude
    })
}

/// `int / int` for machine ints: the correctly rounded quotient. Operands of at most 53
/// bits are exact doubles, so one IEEE division rounds once; wider ones are divided exactly
/// in 128 bits with a sticky bit, and rounded once when converted.
pub(super) fn small_true_divide(x: i64, y: i64) -> Result<f64, ArithError> {
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
    let magnitude = q as f64 * ldexp(1.0, -i64::from(shift));
    Ok(if (x < 0) != (y < 0) {
        -magnitude
    } else {
        magnitude
    })
}

/// `int / int` (`long_true_divide`) for any ints: the quotient correctly rounded (to a
/// subnormal too), an `OverflowError` when it is 2**1024 or more.
pub(super) fn big_true_divide(x: &BigInt, y: &BigInt) -> Result<f64, ArithError> {
    if let (Some(a), Some(b)) = (x.to_i64(), y.to_i64()) {
        return small_true_divide(a, b);
    }
    if y.is_zero() {
        return Err(ArithError::ZeroDivision("division by zero"));
    }
    let negative = (x.sign() == Sign::Minus) != (y.sign() == Sign::Minus);
    let signed = |m: f64| if negative { -m } else { m };
    let (n, d) = (x.magnitude(), y.magnitude());
    if n.is_zero() {
        return Ok(signed(0.0));
    }
    // The quotient lies in [2**(diff - 1), 2**(diff + 1)).
    let diff = n.bits() as i64 - d.bits() as i64;
    if diff > 1024 {
        return Err(QUOTIENT_TOO_LARGE);
    }
    if diff < -1075 {
        // Below half the smallest subnormal: rounds to zero.
        return Ok(signed(0.0));
    }
    // Scale so the integer quotient keeps at least two bits below the 53 of a normal
    // double, or below the subnormals' last bit 2**-1074.
    let shift = diff.max(-1021) - 55;
    let (num, den) = if shift < 0 {
        (n << shift.unsigned_abs(), d.clone())
    } else {
        (n.clone(), d << shift.unsigned_abs())
    };
    let (q, r) = (&num / &den, &num % &den);
    // q < 2**57: at most 2**(diff - shift + 1).
    let q = q.to_u64().unwrap_or(u64::MAX);
    let sticky = !r.is_zero();
    let qbits = i64::from(64 - q.leading_zeros());
    // Bits to drop: those beyond 53 significant ones, or below 2**-1074.
    let drop = (qbits - 53).max(-1074 - shift).max(0);
    let kept = round_half_even(q, drop, sticky);
    let magnitude = ldexp(kept as f64, shift + drop);
    if magnitude.is_infinite() {
        return Err(QUOTIENT_TOO_LARGE);
    }
    Ok(signed(magnitude))
}

/// `q >> drop`, rounded to nearest with ties to even; `sticky` says bits below `q` were
/// non-zero (so a tie in `q` is not one).
fn round_half_even(q: u64, drop: i64, sticky: bool) -> u64 {
    if drop <= 0 {
        return q;
    }
    if drop >= 64 {
        return 0;
    }
    let kept = q >> drop;
    let rest = q & ((1u64 << drop) - 1);
    let half = 1u64 << (drop - 1);
    let up = rest > half || (rest == half && (sticky || kept & 1 == 1));
    kept + u64::from(up)
}

/// `int(f)` for a float (`PyLong_FromDouble`): truncated toward zero, exactly.
pub fn f64_to_int(f: f64) -> Result<Num, ArithError> {
    if f.is_nan() {
        return Err(ArithError::Value("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(ArithError::Overflow(
            "cannot convert float infinity to integer",
        ));
    }
    let t = f.trunc();
    // -2**63 <= t < 2**63: the conversion is exact.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&t) {
        return Ok(Num::Int(t as i64));
    }
    // |t| >= 2**63: an integer mantissa times a power of two.
    let bits = t.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let m = BigInt::from((bits & ((1 << 52) - 1)) | (1 << 52));
    let magnitude = m << e.unsigned_abs();
    Ok(Num::from_big(if t < 0.0 { -magnitude } else { magnitude }))
}

/// How the int `i` compares with the float `f`, exactly; `None` for a NaN.
pub(super) fn int_float_cmp(i: &Num, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let whole = f.trunc();
    let by_whole = match (i, f64_to_int(whole)) {
        (Num::Int(a), Ok(Num::Int(b))) => a.cmp(&b),
        (a, Ok(b)) => int::big(a).cmp(&int::big(&b)),
        (_, Err(_)) => return None,
    };
    Some(match by_whole {
        Ordering::Equal if f > whole => Ordering::Less,
        Ordering::Equal if f < whole => Ordering::Greater,
        other => other,
    })
}
