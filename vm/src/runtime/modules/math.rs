//! The `math` module (CPython's Modules/mathmodule.c). The libm functions are the
//! platform's own, as CPython calls them: Rust's `f64` methods `sin`, `cos`, `tan`, `asin`,
//! `acos`, `atan`, `atan2`, `sinh`, `cosh`, `tanh`, `exp`, `exp2`, `exp_m1`, `ln`, `ln_1p`,
//! `log2`, `log10`, `powf` call the C library's functions of those names on Linux
//! (`sqrt`, `floor`, `%` and the like are exact in any implementation). What CPython
//! computes itself (`m_atan2`, `m_log`, `m_tgamma`, `fsum`, …) is computed here the same
//! way, so results agree bit for bit; the errors are CPython's: "math domain error"
//! (ValueError) where C99 signals invalid or divide-by-zero, "math range error"
//! (OverflowError) on overflow.
//!
//! Left out, so reaching them is unsupported (`reach`): `asinh`, `acosh`, `atanh`
//! and `cbrt` (Rust computes them itself rather than calling libm, and its `cbrt(27.0)` is
//! 3.0 where glibc's is 3.0000000000000004), `erf` and `erfc` (libm's, which Rust does
//! not expose) and `sumprod`.
//!
//! Naming block: `x`, `y` float arguments, `r` a libm result, `n`, `k` int arguments.

mod integer;
mod special;

use std::rc::Rc;

use num_bigint::BigInt;

use crate::arith::{self, Num};
use crate::oparg::BinaryOp;
use crate::runtime::argspec::{required, Spec, Style};
use crate::runtime::dict::Dict;
use crate::runtime::interp::Vm;
use crate::runtime::methods::complex::object_float;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

const DOMAIN: &str = "math domain error";
const RANGE: &str = "math range error";

/// `math.__doc__`.
const DOC: &str =
    "This module provides access to the mathematical functions\ndefined by the C standard.";

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("floor", floor),
    ("ceil", ceil),
    ("trunc", trunc),
    ("sqrt", sqrt),
    ("isqrt", integer::isqrt),
    ("fabs", fabs),
    ("copysign", copysign),
    ("isfinite", isfinite),
    ("isinf", isinf),
    ("isnan", isnan),
    ("isclose", isclose),
    ("gcd", integer::gcd),
    ("lcm", integer::lcm),
    ("factorial", integer::factorial),
    ("comb", integer::comb),
    ("perm", integer::perm),
    ("exp", exp),
    ("exp2", exp2),
    ("expm1", expm1),
    ("log", log),
    ("log2", log2),
    ("log10", log10),
    ("log1p", log1p),
    ("pow", pow),
    ("sin", sin),
    ("cos", cos),
    ("tan", tan),
    ("asin", asin),
    ("acos", acos),
    ("atan", atan),
    ("atan2", atan2),
    ("sinh", sinh),
    ("cosh", cosh),
    ("tanh", tanh),
    ("degrees", degrees),
    ("radians", radians),
    ("fmod", fmod),
    ("modf", modf),
    ("frexp", frexp),
    ("ldexp", ldexp),
    ("fsum", special::fsum),
    ("prod", prod),
    ("remainder", special::remainder),
    ("nextafter", nextafter),
    ("ulp", ulp),
    ("gamma", special::gamma),
    ("lgamma", special::lgamma),
    ("hypot", special::hypot),
    ("dist", special::dist),
];

/// `math_exec`: the constants, then the functions.
pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    d.set_str("__package__", Value::str(""));
    super::add_functions(d, "math", FUNCTIONS);
    d.set_str("pi", Value::Float(std::f64::consts::PI));
    d.set_str("e", Value::Float(std::f64::consts::E));
    d.set_str("tau", Value::Float(std::f64::consts::TAU));
    d.set_str("inf", Value::Float(f64::INFINITY));
    d.set_str("nan", Value::Float(f64::NAN));
}

/// How a math function takes its arguments: the errors name it `math.NAME` where
/// CPython's calling convention does.
const fn spec<'a>(name: &'a str, style: Style, params: &'a [&'a str], n: usize) -> Spec<'a> {
    Spec::method("math", name, style, params, n)
}

/// The one argument of a `METH_O` function.
fn one(vm: &Vm, args: &Args, name: &str) -> PyResult<Value> {
    spec(name, Style::O, &["x"], 1).parse(vm, args, 0)?;
    Ok(args.pos[0].clone())
}

/// The two arguments of a function checked by `_PyArg_CheckPositional(name, nargs, 2, 2)`.
fn two(vm: &Vm, args: &Args, name: &str) -> PyResult<(Value, Value)> {
    spec(name, Style::Positional, &["x", "y"], 2).parse(vm, args, 0)?;
    Ok((args.pos[0].clone(), args.pos[1].clone()))
}

/// `PyFloat_AsDouble`: a float, an int (correctly rounded; OverflowError beyond the
/// float range), an object's `__float__` or `__index__`.
pub fn to_double(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::BigInt(b) => arith::big_to_f64(b).map_err(|e| vm.arith_error(e)),
        Value::Object(_)
            if vm.special(v, "__float__").is_some() || vm.special(v, "__index__").is_some() =>
        {
            object_float(vm, v)
        }
        // A weakref proxy's `nb_float` is its referent's `PyNumber_Float`.
        Value::Native(_) if crate::runtime::weakproxy::as_proxy(v).is_some() => object_float(vm, v),
        other => Err(vm.type_error(format!(
            "must be real number, not {}",
            vm.type_of(other).name()
        ))),
    }
}

/// `PyNumber_Index`: an int of any size, an object's `__index__`.
pub fn to_index(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    match vm.number_index(v)? {
        Value::Int(i) => Ok(BigInt::from(i)),
        Value::BigInt(b) => Ok((*b).clone()),
        _ => Err(vm.bug("PyNumber_Index gave a value that is not an int")),
    }
}

fn domain(vm: &Vm) -> crate::runtime::Throw {
    vm.value_error(DOMAIN)
}

fn range(vm: &Vm) -> crate::runtime::Throw {
    vm.err("OverflowError", RANGE)
}

/// `math_1`'s verdict on `r = f(x)`: a NaN from a non-NaN is invalid, an infinity from a
/// finite value is an overflow (`can_overflow`) or a singularity.
fn check_1(vm: &Vm, x: f64, r: f64, can_overflow: bool) -> PyResult<f64> {
    if r.is_nan() && !x.is_nan() {
        return Err(domain(vm));
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range(vm) } else { domain(vm) });
    }
    Ok(r)
}

/// `math_1`: a one-argument libm function.
fn math_1(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    f: fn(f64) -> f64,
    overflow: bool,
) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, args, name)?)?;
    check_1(vm, x, f(x), overflow).map(Value::Float)
}

/// `math_2`'s verdict on `r = f(x, y)`: a NaN from non-NaNs is invalid, an infinity
/// from finite values an overflow.
fn check_2(vm: &Vm, x: f64, y: f64, r: f64) -> PyResult<f64> {
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain(vm));
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range(vm));
    }
    Ok(r)
}

/// `math_2`: a two-argument libm function.
fn math_2(vm: &mut Vm, args: &Args, name: &str, f: fn(f64, f64) -> f64) -> PyResult<Value> {
    let (a, b) = two(vm, args, name)?;
    let x = to_double(vm, &a)?;
    let y = to_double(vm, &b)?;
    check_2(vm, x, y, f(x, y)).map(Value::Float)
}

/// Two float arguments converted by Argument Clinic's `double` converter.
fn two_doubles(vm: &mut Vm, args: &Args, name: &str) -> PyResult<(f64, f64)> {
    let (a, b) = two(vm, args, name)?;
    let x = to_double(vm, &a)?;
    let y = to_double(vm, &b)?;
    Ok((x, y))
}

/// `PyLong_FromDouble`.
fn int_from_double(vm: &Vm, x: f64) -> PyResult<Value> {
    arith::f64_to_int(x)
        .map(Value::from_num)
        .map_err(|e| vm.arith_error(e))
}

/// An int's `__floor__`, `__ceil__`, `__trunc__`: the int itself (a bool's as an int).
fn int_itself(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Some(v.clone()),
        Value::Bool(b) => Some(Value::Int(i64::from(*b))),
        _ => None,
    }
}

/// `math_floor` and `math_ceil`: a float rounded, else the argument's special method,
/// else its float value rounded.
fn rounded(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    method: &str,
    f: fn(f64) -> f64,
) -> PyResult<Value> {
    let v = one(vm, args, name)?;
    if let Value::Float(x) = v {
        return int_from_double(vm, f(x));
    }
    if let Some(r) = int_itself(&v) {
        return Ok(r);
    }
    if let Some(r) = vm.call_special(&v, method, vec![])? {
        return Ok(r);
    }
    let x = to_double(vm, &v)?;
    int_from_double(vm, f(x))
}

fn floor(vm: &mut Vm, args: Args) -> PyResult<Value> {
    rounded(vm, &args, "floor", "__floor__", f64::floor)
}

fn ceil(vm: &mut Vm, args: Args) -> PyResult<Value> {
    rounded(vm, &args, "ceil", "__ceil__", f64::ceil)
}

/// `math_trunc`: a float's `int()`, else the type's `__trunc__`.
fn trunc(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "trunc")?;
    if let Value::Float(x) = v {
        return int_from_double(vm, x.trunc());
    }
    if let Some(r) = int_itself(&v) {
        return Ok(r);
    }
    if let Some(r) = vm.call_special(&v, "__trunc__", vec![])? {
        return Ok(r);
    }
    Err(vm.type_error(format!(
        "type {} doesn't define __trunc__ method",
        vm.type_of(&v).name()
    )))
}

fn sqrt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "sqrt", f64::sqrt, false)
}

fn fabs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "fabs", f64::abs, false)
}

fn copysign(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_2(vm, &args, "copysign", f64::copysign)
}

fn predicate(vm: &mut Vm, args: &Args, name: &str, f: fn(f64) -> bool) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, args, name)?)?;
    Ok(Value::Bool(f(x)))
}

fn isfinite(vm: &mut Vm, args: Args) -> PyResult<Value> {
    predicate(vm, &args, "isfinite", f64::is_finite)
}

fn isinf(vm: &mut Vm, args: Args) -> PyResult<Value> {
    predicate(vm, &args, "isinf", f64::is_infinite)
}

fn isnan(vm: &mut Vm, args: Args) -> PyResult<Value> {
    predicate(vm, &args, "isnan", f64::is_nan)
}

/// `math_isclose_impl`: Boost's "weak" test, after exact equality and infinities.
fn isclose(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b, rel_tol, abs_tol] = spec(
        "isclose",
        Style::Keywords,
        &["a", "b", "rel_tol", "abs_tol"],
        2,
    )
    .keywords(0, 2)
    .bind(vm, &args, 0)?;
    let a = to_double(vm, &required(a))?;
    let b = to_double(vm, &required(b))?;
    let rel_tol = match rel_tol {
        Some(v) => to_double(vm, &v)?,
        None => 1e-09,
    };
    let abs_tol = match abs_tol {
        Some(v) => to_double(vm, &v)?,
        None => 0.0,
    };
    if rel_tol < 0.0 || abs_tol < 0.0 {
        return Err(vm.value_error("tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (b - a).abs();
    Ok(Value::Bool(
        diff <= (rel_tol * b).abs() || diff <= (rel_tol * a).abs() || diff <= abs_tol,
    ))
}

fn exp(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "exp", f64::exp, true)
}

fn exp2(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "exp2", f64::exp2, true)
}

fn expm1(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "expm1", f64::exp_m1, true)
}

/// `m_log`: C99's special values decided before libm's `log` sees the argument.
fn m_log(x: f64) -> f64 {
    if x.is_finite() {
        if x > 0.0 {
            x.ln()
        } else if x == 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        }
    } else if x.is_nan() || x > 0.0 {
        x
    } else {
        f64::NAN
    }
}

/// `m_log2` (libm's `log2` for positive finite arguments).
fn m_log2(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x.log2()
    } else {
        m_log(x)
    }
}

/// `m_log10` (libm's `log10` for positive finite arguments).
fn m_log10(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x.log10()
    } else {
        m_log(x)
    }
}

/// `_PyLong_Frexp` of a positive int too large for a float: `(m, e)` with `n ≈ m * 2**e`,
/// `0.5 <= m < 1`, `m` rounded to 53 bits half to even.
fn big_frexp(n: &BigInt) -> (f64, u64) {
    let magnitude = n.magnitude();
    let bits = magnitude.bits();
    // The top 64 bits with a sticky lowest bit round once, correctly, to 53 bits.
    let shift = bits.saturating_sub(64);
    let top: BigInt = BigInt::from(magnitude >> shift);
    let sticky = magnitude.trailing_zeros().is_some_and(|z| z < shift);
    let top = u64::try_from(top).unwrap_or(u64::MAX) | u64::from(sticky);
    let below = bits - shift;
    let m = arith::ldexp(top as f64, -(below as i64));
    if m == 1.0 {
        (0.5, bits + 1)
    } else {
        (m, bits)
    }
}

/// `loghelper`: ints of any size are the VM's own (their log is `func(m) + func(2) * e`
/// beyond the float range); anything else goes through `math_1`.
fn loghelper(vm: &mut Vm, v: &Value, func: fn(f64) -> f64) -> PyResult<f64> {
    let n = match v {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => to_index(vm, v)?,
        _ => {
            let x = to_double(vm, v)?;
            return check_1(vm, x, func(x), false);
        }
    };
    if n.sign() != num_bigint::Sign::Plus {
        return Err(domain(vm));
    }
    match arith::big_to_f64(&n) {
        Ok(x) => Ok(func(x)),
        Err(_) => {
            let (m, e) = big_frexp(&n);
            Ok(func(m) + func(2.0) * e as f64)
        }
    }
}

/// `math.log(x[, base])`.
fn log(vm: &mut Vm, args: Args) -> PyResult<Value> {
    spec("log", Style::Positional, &["x", "base"], 1).parse(vm, &args, 0)?;
    let num = loghelper(vm, &args.pos[0], m_log)?;
    let Some(base) = args.pos.get(1) else {
        return Ok(Value::Float(num));
    };
    let den = loghelper(vm, base, m_log)?;
    arith::binary(BinaryOp::TrueDivide, &Num::Float(num), &Num::Float(den))
        .map(Value::from_num)
        .map_err(|e| vm.arith_error(e))
}

fn log2(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = one(vm, &args, "log2")?;
    loghelper(vm, &x, m_log2).map(Value::Float)
}

fn log10(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = one(vm, &args, "log10")?;
    loghelper(vm, &x, m_log10).map(Value::Float)
}

/// `m_log1p`: libm's `log1p`, whose sign of zero C99 fixes (`log1p(-0.0)` is `-0.0`).
fn log1p(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(
        vm,
        &args,
        "log1p",
        |x| if x == 0.0 { x } else { x.ln_1p() },
        false,
    )
}

/// `math_pow_impl`: IEEE special values decided here, finite ones by libm's `pow`.
fn pow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (x, y) = two_doubles(vm, &args, "pow")?;
    let r = if !x.is_finite() || !y.is_finite() {
        if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else if x.is_infinite() {
            let odd_y = y.is_finite() && (y.abs() % 2.0) == 1.0;
            if y > 0.0 {
                if odd_y {
                    x
                } else {
                    x.abs()
                }
            } else if y == 0.0 {
                1.0
            } else if odd_y {
                0.0_f64.copysign(x)
            } else {
                0.0
            }
        } else if x.abs() == 1.0 {
            1.0
        } else if (y > 0.0 && x.abs() > 1.0) || (y < 0.0 && x.abs() < 1.0) {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        let r = x.powf(y);
        if r.is_nan() {
            return Err(domain(vm));
        }
        if r.is_infinite() {
            return Err(if x == 0.0 { domain(vm) } else { range(vm) });
        }
        r
    };
    Ok(Value::Float(r))
}

fn sin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "sin", f64::sin, false)
}

fn cos(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "cos", f64::cos, false)
}

fn tan(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "tan", f64::tan, false)
}

fn asin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "asin", f64::asin, false)
}

fn acos(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "acos", f64::acos, false)
}

fn atan(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "atan", f64::atan, false)
}

/// `m_atan2`: C99's special values decided here, the rest by libm's `atan2`.
fn m_atan2(y: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    let positive = |v: f64| 1.0_f64.copysign(v) == 1.0;
    if y.is_infinite() {
        if x.is_infinite() {
            return if positive(x) {
                (0.25 * PI).copysign(y)
            } else {
                (0.75 * PI).copysign(y)
            };
        }
        return (0.5 * PI).copysign(y);
    }
    if x.is_infinite() || y == 0.0 {
        return if positive(x) {
            0.0_f64.copysign(y)
        } else {
            PI.copysign(y)
        };
    }
    y.atan2(x)
}

fn atan2(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_2(vm, &args, "atan2", m_atan2)
}

fn sinh(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "sinh", f64::sinh, true)
}

fn cosh(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "cosh", f64::cosh, true)
}

fn tanh(vm: &mut Vm, args: Args) -> PyResult<Value> {
    math_1(vm, &args, "tanh", f64::tanh, false)
}

/// `math_degrees_impl`: one multiplication by the double nearest 180/pi.
fn degrees(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, &args, "degrees")?)?;
    Ok(Value::Float(x * (180.0 / std::f64::consts::PI)))
}

/// `math_radians_impl`: one multiplication by the double nearest pi/180.
fn radians(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, &args, "radians")?)?;
    Ok(Value::Float(x * (std::f64::consts::PI / 180.0)))
}

/// `math_fmod_impl`: libm's `fmod` (Rust's `%` on floats), `x` itself for an infinite `y`.
fn fmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (x, y) = two_doubles(vm, &args, "fmod")?;
    if y.is_infinite() && x.is_finite() {
        return Ok(Value::Float(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain(vm));
    }
    Ok(Value::Float(r))
}

/// `math_modf_impl`: the fractional and integral parts, both with the sign of `x`.
fn modf(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, &args, "modf")?)?;
    let (frac, int) = if x.is_infinite() {
        (0.0_f64.copysign(x), x)
    } else if x.is_nan() {
        (x, x)
    } else {
        let int = x.trunc();
        ((x - int).copysign(x), int)
    };
    Ok(Value::tuple(vec![Value::Float(frac), Value::Float(int)]))
}

/// `frexp(x)` for a finite non-zero `x`: `(m, e)`, `0.5 <= |m| < 1`, `x == m * 2**e`.
fn c_frexp(x: f64) -> (f64, i64) {
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE {
        // A subnormal: scaled by 2**64 into the normal range first.
        (x * f64::from_bits((1023 + 64) << 52), 64)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, e - bias)
}

fn frexp(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, &args, "frexp")?)?;
    let (m, e) = if x.is_nan() || x.is_infinite() || x == 0.0 {
        (x, 0)
    } else {
        c_frexp(x)
    };
    Ok(Value::tuple(vec![Value::Float(m), Value::Int(e)]))
}

/// `ldexp(x, n)` for `n` in C's `int` range: `x * 2**n` rounded once (the scaling steps
/// keep intermediate results normal, so only the last multiplication can round).
fn c_ldexp(x: f64, n: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((1023 + k) as u64) << 52);
    let mut y = x;
    let mut n = n;
    if n > 1023 {
        y *= pow2(1023);
        n -= 1023;
        if n > 1023 {
            y *= pow2(1023);
            n -= 1023;
            n = n.min(1023);
        }
    } else if n < -1022 {
        // 2**-1022 * 2**53: the result stays far enough above the subnormals.
        y *= pow2(-969);
        n += 969;
        if n < -1022 {
            y *= pow2(-969);
            n += 969;
            n = n.max(-1022);
        }
    }
    y * pow2(n)
}

/// `math_ldexp_impl`: the exponent must be an int; one beyond C's `long` is clamped.
fn ldexp(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, i) = two(vm, &args, "ldexp")?;
    let x = to_double(vm, &a)?;
    let exp = match &i {
        Value::Int(n) => *n,
        Value::Bool(b) => i64::from(*b),
        Value::BigInt(b) if b.sign() == num_bigint::Sign::Minus => i64::MIN,
        Value::BigInt(_) => i64::MAX,
        _ => return Err(vm.type_error("Expected an int as second argument to ldexp.")),
    };
    let r = if x == 0.0 || !x.is_finite() {
        x
    } else if exp > i64::from(i32::MAX) {
        return Err(range(vm));
    } else if exp < i64::from(i32::MIN) {
        0.0_f64.copysign(x)
    } else {
        let r = c_ldexp(x, exp);
        if r.is_infinite() {
            return Err(range(vm));
        }
        r
    };
    Ok(Value::Float(r))
}

/// `math_prod_impl`: `start` times each item in turn. CPython's fast paths for exact
/// ints and floats compute what `*` computes, so every step is the `*` operator.
fn prod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, start] = spec("prod", Style::Keywords, &["iterable", "start"], 1)
        .keywords(1, 1)
        .bind(vm, &args, 0)?;
    let it = vm.iter(&required(iterable))?;
    let mut result = start.unwrap_or(Value::Int(1));
    while let Some(item) = vm.next(&it)? {
        result = vm.binary(BinaryOp::Multiply, &result, &item, false)?;
    }
    Ok(result)
}

/// The float `steps` representable values from `x` towards `y`. Floats are ordered as the
/// integers `ord` maps them to (both zeros to 0). With `clamp` (3.12's `steps`), reaching
/// or passing `y` gives `y`; without it (libm's `nextafter`, one step), only `x == y`
/// does, and a step onto zero keeps the sign of `x`.
fn step_towards(x: f64, y: f64, steps: u128, clamp: bool) -> f64 {
    if steps == 0 || x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    let ord = |v: f64| -> i128 {
        let bits = v.to_bits();
        let magnitude = i128::from(bits & !(1 << 63));
        if bits >> 63 == 1 {
            -magnitude
        } else {
            magnitude
        }
    };
    let (ox, oy) = (ord(x), ord(y));
    let distance = (oy - ox).unsigned_abs();
    if steps >= distance && (clamp || distance == 0) {
        return y;
    }
    let delta = steps as i128;
    let o = if oy > ox { ox + delta } else { ox - delta };
    if o == 0 {
        return 0.0_f64.copysign(x);
    }
    let magnitude = o.unsigned_abs() as u64;
    let v = f64::from_bits(magnitude);
    if o < 0 {
        -v
    } else {
        v
    }
}

/// `math_nextafter_impl` (3.12: with `steps`).
fn nextafter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b, steps] = spec("nextafter", Style::Keywords, &["x", "y", "steps"], 2)
        .keywords(2, 2)
        .bind(vm, &args, 0)?;
    let x = to_double(vm, &required(a))?;
    let y = to_double(vm, &required(b))?;
    let steps = match steps {
        None | Some(Value::None) => return Ok(Value::Float(step_towards(x, y, 1, false))),
        Some(s) => {
            let n = to_index(vm, &s)?;
            if n.sign() == num_bigint::Sign::Minus {
                return Err(vm.value_error("steps must be a non-negative integer"));
            }
            u128::try_from(n).unwrap_or(u128::MAX)
        }
    };
    Ok(Value::Float(step_towards(x, y, steps, true)))
}

/// `math_ulp_impl`: the gap above `|x|` (below, for the largest float).
fn ulp(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let x = to_double(vm, &one(vm, &args, "ulp")?)?;
    if x.is_nan() {
        return Ok(Value::Float(x));
    }
    let x = x.abs();
    if x.is_infinite() {
        return Ok(Value::Float(x));
    }
    let up = step_towards(x, f64::INFINITY, 1, false);
    if up.is_infinite() {
        return Ok(Value::Float(
            x - step_towards(x, f64::NEG_INFINITY, 1, false),
        ));
    }
    Ok(Value::Float(up - x))
}
