//! The math functions CPython computes itself rather than through libm: `hypot` and `dist`
//! (`vector_norm`), `fsum` (exact partial sums, `math_fsum`), `remainder` (`m_remainder`),
//! `gamma` (`m_tgamma`: Lanczos' approximation with Boost's parameters) and `lgamma`
//! (`m_lgamma`). Each follows the C function step by step, in the same floating-point
//! operations in the same order, so the results are the same doubles.

use super::{domain, math_2, one, range, to_double};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, Value};
use crate::runtime::PyResult;

use std::f64::consts::PI;

/// `math_fsum`: the partials are kept non-overlapping and exact (Shewchuk), then added
/// from the top with a final half-even correction across partials.
pub fn fsum(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let seq = one(vm, &args, "fsum")?;
    let it = vm.iter(&seq)?;
    let mut p: Vec<f64> = Vec::new();
    let (mut special_sum, mut inf_sum) = (0.0_f64, 0.0_f64);
    while let Some(item) = vm.next(&it)? {
        let mut x = to_double(vm, &item)?;
        let xsave = x;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // From an infinity or NaN among the items, or an intermediate overflow.
                if xsave.is_finite() {
                    return Err(vm.err("OverflowError", "intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                p.clear();
            } else {
                p.push(x);
            }
        }
    }
    if special_sum != 0.0 {
        if inf_sum.is_nan() {
            return Err(vm.value_error("-inf + inf in fsum"));
        }
        return Ok(Value::Float(special_sum));
    }
    let mut n = p.len();
    let mut hi = 0.0;
    if n > 0 {
        n -= 1;
        hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Half-even rounding across partials: the partial below decides a tie.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(Value::Float(hi))
}

/// `m_remainder`: `x - n*y` for the nearest integer `n` (even on a tie), exactly.
fn m_remainder(x: f64, y: f64) -> f64 {
    if x.is_finite() && y.is_finite() {
        if y == 0.0 {
            return f64::NAN;
        }
        let (absx, absy) = (x.abs(), y.abs());
        let m = absx % absy;
        // `c` is exact whenever the comparison with `m` matters (Sterbenz).
        let c = absy - m;
        let r = if m < c {
            m
        } else if m > c {
            -c
        } else {
            // A tie: `m` if the multiple below is even, else `-m`.
            m - 2.0 * ((0.5 * (absx - m)) % absy)
        };
        return 1.0_f64.copysign(x) * r;
    }
    if x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    if x.is_infinite() {
        return f64::NAN;
    }
    x
}

pub fn remainder(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_2(vm, &args, "remainder", m_remainder)
}

/// `errno` as `m_tgamma` and `m_lgamma` set it, which `math_1a` turns into the error.
#[derive(Clone, Copy, PartialEq)]
enum Errno {
    None,
    Domain,
    Range,
}

/// `math_1a`'s verdict (`is_error`): ERANGE with a result below 1.5 is an underflow,
/// not an error.
fn math_1a(vm: &mut Vm, args: &Args, name: &str, f: fn(f64) -> (f64, Errno)) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, args, name)?)?;
    let (r, errno) = f(x);
    match errno {
        Errno::Domain => Err(domain(vm)),
        Errno::Range if r.abs() >= 1.5 => Err(range(vm)),
        _ => Ok(Value::Float(r)),
    }
}

pub fn gamma(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1a(vm, &args, "gamma", m_tgamma)
}

pub fn lgamma(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1a(vm, &args, "lgamma", m_lgamma)
}

/// `m_sinpi`: `sin(pi * x)` for finite `x`, exact at integers and half-integers.
fn m_sinpi(x: f64) -> f64 {
    let y = x.abs() % 2.0;
    let n = (2.0 * y).round() as i32;
    let r = match n {
        0 => (PI * y).sin(),
        1 => (PI * (y - 0.5)).cos(),
        // sin(pi * (1 - y)), not -sin(pi * (y - 1)), which would be -0.0 at y == 1.
        2 => (PI * (1.0 - y)).sin(),
        3 => -(PI * (y - 1.5)).cos(),
        _ => (PI * (y - 2.0)).sin(),
    };
    1.0_f64.copysign(x) * r
}

// The digits are the exact values (Boost's), written out so the constants read as in
// mathmodule.c; each is the double it names.
#[allow(clippy::excessive_precision)]
const LANCZOS_G: f64 = 6.024_680_040_776_729_583_740_234_375;
#[allow(clippy::excessive_precision)]
const LANCZOS_G_MINUS_HALF: f64 = 5.524_680_040_776_729_583_740_234_375;
#[allow(clippy::excessive_precision)]
const LOGPI: f64 = 1.144_729_885_849_400_174_143_427_351_353_058_711_647;

/// The Lanczos sum's numerator and denominator coefficients (N = 13), Boost's.
#[allow(clippy::excessive_precision)]
const LANCZOS_NUM: [f64; 13] = [
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408,
];
const LANCZOS_DEN: [f64; 13] = [
    0.0,
    39916800.0,
    120543840.0,
    150917976.0,
    105258076.0,
    45995730.0,
    13339535.0,
    2637558.0,
    357423.0,
    32670.0,
    1925.0,
    66.0,
    1.0,
];

/// Gamma at 1, 2, …, 23: exact factorials.
const GAMMA_INTEGRAL: [f64; 23] = [
    1.0,
    1.0,
    2.0,
    6.0,
    24.0,
    120.0,
    720.0,
    5040.0,
    40320.0,
    362880.0,
    3628800.0,
    39916800.0,
    479001600.0,
    6227020800.0,
    87178291200.0,
    1307674368000.0,
    20922789888000.0,
    355687428096000.0,
    6402373705728000.0,
    121645100408832000.0,
    2432902008176640000.0,
    51090942171709440000.0,
    1124000727777607680000.0,
];

/// `lanczos_sum`: the rational function, in `x` below 5 and in `1/x` above.
fn lanczos_sum(x: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    if x < 5.0 {
        for i in (0..13).rev() {
            num = num * x + LANCZOS_NUM[i];
            den = den * x + LANCZOS_DEN[i];
        }
    } else {
        for i in 0..13 {
            num = num / x + LANCZOS_NUM[i];
            den = den / x + LANCZOS_DEN[i];
        }
    }
    num / den
}

/// `m_tgamma`.
fn m_tgamma(x: f64) -> (f64, Errno) {
    if !x.is_finite() {
        if x.is_nan() || x > 0.0 {
            return (x, Errno::None);
        }
        return (f64::NAN, Errno::Domain);
    }
    if x == 0.0 {
        return (f64::INFINITY.copysign(x), Errno::Domain);
    }
    if x == x.floor() {
        if x < 0.0 {
            return (f64::NAN, Errno::Domain);
        }
        if x <= 23.0 {
            return (GAMMA_INTEGRAL[x as usize - 1], Errno::None);
        }
    }
    let absx = x.abs();
    if absx < 1e-20 {
        let r = 1.0 / x;
        let errno = if r.is_infinite() {
            Errno::Range
        } else {
            Errno::None
        };
        return (r, errno);
    }
    if absx > 200.0 {
        if x < 0.0 {
            return (0.0 / m_sinpi(x), Errno::None);
        }
        return (f64::INFINITY, Errno::Range);
    }
    let y = absx + LANCZOS_G_MINUS_HALF;
    // The rounding error of y, for the correction factor 1 + z.
    let z = if absx > LANCZOS_G_MINUS_HALF {
        let q = y - absx;
        q - LANCZOS_G_MINUS_HALF
    } else {
        let q = y - LANCZOS_G_MINUS_HALF;
        q - absx
    };
    let z = z * LANCZOS_G / y;
    let mut r;
    if x < 0.0 {
        r = -PI / m_sinpi(absx) / absx * y.exp() / lanczos_sum(absx);
        r -= z * r;
        if absx < 140.0 {
            r /= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
    } else {
        r = lanczos_sum(absx) / y.exp();
        r += z * r;
        if absx < 140.0 {
            r *= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
    }
    let errno = if r.is_infinite() {
        Errno::Range
    } else {
        Errno::None
    };
    (r, errno)
}

/// `m_lgamma`.
fn m_lgamma(x: f64) -> (f64, Errno) {
    if !x.is_finite() {
        if x.is_nan() {
            return (x, Errno::None);
        }
        return (f64::INFINITY, Errno::None);
    }
    if x == x.floor() && x <= 2.0 {
        if x <= 0.0 {
            return (f64::INFINITY, Errno::Domain);
        }
        return (0.0, Errno::None);
    }
    let absx = x.abs();
    if absx < 1e-20 {
        return (-absx.ln(), Errno::None);
    }
    let mut r = lanczos_sum(absx).ln() - LANCZOS_G;
    r += (absx - 0.5) * ((absx + LANCZOS_G - 0.5).ln() - 1.0);
    if x < 0.0 {
        r = LOGPI - m_sinpi(absx).abs().ln() - absx.ln() - r;
    }
    let errno = if r.is_infinite() {
        Errno::Range
    } else {
        Errno::None
    };
    (r, errno)
}

/// `vector_norm` (3.12): the Euclidean norm of `vec` (magnitudes, the largest `max`),
/// scaled by a power of two into [0.5, 1), squared and summed without loss in two parts
/// (`dl_mul`, `dl_fast_sum`), then one differential correction of the square root.
fn vector_norm(vec: &mut [f64], max: f64, found_nan: bool) -> f64 {
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || vec.len() <= 1 {
        return max;
    }
    let (_, max_e) = super::c_frexp(max);
    if max_e < -1023 {
        // 2**-max_e would overflow: subnormals are made normal first.
        for v in vec.iter_mut() {
            *v /= f64::MIN_POSITIVE;
        }
        return f64::MIN_POSITIVE * vector_norm(vec, max / f64::MIN_POSITIVE, found_nan);
    }
    let scale = super::c_ldexp(1.0, -max_e);
    // The exact product and sum as a pair of doubles (`dl_mul`, `dl_fast_sum`).
    let mul = |x: f64, y: f64| {
        let z = x * y;
        (z, x.mul_add(y, -z))
    };
    let fast_sum = |a: f64, b: f64| {
        let x = a + b;
        (x, b - (x - a))
    };
    let (mut csum, mut frac1, mut frac2) = (1.0_f64, 0.0_f64, 0.0_f64);
    for &v in vec.iter() {
        let x = v * scale;
        let (hi, lo) = mul(x, x);
        let (s, e) = fast_sum(csum, hi);
        csum = s;
        frac1 += lo;
        frac2 += e;
    }
    let mut h = (csum - 1.0 + (frac1 + frac2)).sqrt();
    let (hi, lo) = mul(-h, h);
    let (s, e) = fast_sum(csum, hi);
    csum = s;
    frac1 += lo;
    frac2 += e;
    let x = csum - 1.0 + (frac1 + frac2);
    h += x / (2.0 * h);
    h / scale
}

/// `math_hypot`: the norm of the coordinates.
pub fn hypot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    crate::runtime::argspec::Spec::method(
        "math",
        "hypot",
        crate::runtime::argspec::Style::VarArgs,
        &[],
        0,
    )
    .parse(vm, &args, 0)?;
    let mut coordinates = Vec::with_capacity(args.pos.len());
    let (mut max, mut found_nan) = (0.0_f64, false);
    for v in &args.pos {
        let x = to_double(vm, v)?.abs();
        found_nan |= x.is_nan();
        if x > max {
            max = x;
        }
        coordinates.push(x);
    }
    Ok(Value::Float(vector_norm(&mut coordinates, max, found_nan)))
}

/// `math_dist_impl`: the norm of the differences of two points' coordinates.
pub fn dist(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (p, q) = super::two(vm, &args, "dist")?;
    let p = vm.collect(&p)?;
    let q = vm.collect(&q)?;
    if p.len() != q.len() {
        return Err(vm.value_error("both points must have the same number of dimensions"));
    }
    let mut diffs = Vec::with_capacity(p.len());
    let (mut max, mut found_nan) = (0.0_f64, false);
    for (a, b) in p.iter().zip(&q) {
        let px = to_double(vm, a)?;
        let qx = to_double(vm, b)?;
        let x = (px - qx).abs();
        found_nan |= x.is_nan();
        if x > max {
            max = x;
        }
        diffs.push(x);
    }
    Ok(Value::Float(vector_norm(&mut diffs, max, found_nan)))
}
