//! math's integer functions: `isqrt`, `gcd`, `lcm`, `factorial`, `comb`, `perm`, on ints
//! of any size. Their results are exact, so any correct algorithm gives CPython's; the
//! errors, and the order in which arguments are checked, are `math_isqrt`'s,
//! `math_gcd`'s, … . A result too large for the memory budget ends the run as out of
//! memory before it is computed (CPython would compute for hours first).

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{one, spec, to_index};
use crate::runtime::argspec::Style;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, Value};
use crate::runtime::PyResult;

/// `math_isqrt`: the integer part of the square root.
pub fn isqrt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "isqrt")?;
    let n = to_index(vm, &v)?;
    if n.sign() == Sign::Minus {
        return Err(vm.value_error("isqrt() argument must be nonnegative"));
    }
    Ok(Value::int(n.sqrt()))
}

/// The integers of a `*integers` function (`METH_FASTCALL`, no keywords).
fn integers(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    spec(name, Style::VarArgs, &[], 0)
        .parse(vm, args, 0)
        .map(|_| ())
}

/// `math_gcd`: once the result is 1, the remaining arguments are only checked.
pub fn gcd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    integers(vm, &args, "gcd")?;
    let Some((first, rest)) = args.pos.split_first() else {
        return Ok(Value::Int(0));
    };
    let mut res = to_index(vm, first)?.abs();
    for x in rest {
        let x = to_index(vm, x)?;
        if !res.is_one() {
            res = res.gcd(&x);
        }
    }
    Ok(Value::int(res))
}

/// `math_lcm`: once the result is 0, the remaining arguments are only checked.
pub fn lcm(vm: &mut Vm, args: Args) -> PyResult<Value> {
    integers(vm, &args, "lcm")?;
    let Some((first, rest)) = args.pos.split_first() else {
        return Ok(Value::Int(1));
    };
    let mut res = to_index(vm, first)?.abs();
    for x in rest {
        let x = to_index(vm, x)?;
        if res.is_zero() {
            continue;
        }
        if x.is_zero() {
            res = BigInt::zero();
            continue;
        }
        let g = res.gcd(&x);
        let bits = res.bits() + x.bits();
        before_result(vm, bits)?;
        res = (res / g * x).abs();
    }
    Ok(Value::int(res))
}

/// Before computing an int of about `bits` bits: out of memory when the budget cannot
/// hold it (twice over: the products that build it).
fn before_result(vm: &Vm, bits: u64) -> PyResult<()> {
    vm.reserve(u128::from(bits) / 4 + 64)
}

/// The product of `lo..=hi` (`lo <= hi`), split in halves so the multiplications are of
/// balanced sizes.
fn range_product(lo: &BigUint, hi: &BigUint) -> BigUint {
    let count = hi - lo + 1u32;
    if count <= BigUint::from(16u32) {
        let mut p = BigUint::one();
        let mut i = lo.clone();
        while &i <= hi {
            p *= &i;
            i += 1u32;
        }
        return p;
    }
    let mid: BigUint = lo + (&count >> 1);
    range_product(lo, &(&mid - 1u32)) * range_product(&mid, hi)
}

/// `n!` for `n <= LONG_MAX`, after the memory check.
fn factorial_of(vm: &Vm, n: u64) -> PyResult<BigUint> {
    // log2(n!) <= n * log2(n).
    let bits = n.saturating_mul(64 - u64::from(n.leading_zeros()));
    before_result(vm, bits)?;
    if n < 2 {
        return Ok(BigUint::one());
    }
    Ok(range_product(&BigUint::from(2u32), &BigUint::from(n)))
}

/// `math_factorial`'s check of its argument (`PyLong_AsLongAndOverflow`).
fn factorial_arg(vm: &mut Vm, v: &Value) -> PyResult<u64> {
    let n = to_index(vm, v)?;
    match n.to_i64() {
        Some(i) if i >= 0 => Ok(i as u64),
        None if n.sign() == Sign::Plus => Err(vm.err(
            "OverflowError",
            format!("factorial() argument should not exceed {}", i64::MAX),
        )),
        _ => Err(vm.value_error("factorial() not defined for negative values")),
    }
}

pub fn factorial(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "factorial")?;
    let n = factorial_arg(vm, &v)?;
    Ok(Value::int(BigInt::from(factorial_of(vm, n)?)))
}

/// `n` and `k` as `math_comb_impl` and `math_perm_impl` check them: both indices, both
/// non-negative.
fn n_and_k(vm: &mut Vm, n: &Value, k: &Value) -> PyResult<(BigInt, BigInt)> {
    let n = to_index(vm, n)?;
    let k = to_index(vm, k)?;
    if n.sign() == Sign::Minus {
        return Err(vm.value_error("n must be a non-negative integer"));
    }
    if k.sign() == Sign::Minus {
        return Err(vm.value_error("k must be a non-negative integer"));
    }
    Ok((n, k))
}

/// `n * (n-1) * … * (n-k+1)` for `0 <= k <= n`, `k` at most `LLONG_MAX`.
fn falling(vm: &Vm, n: &BigUint, k: u64) -> PyResult<BigUint> {
    before_result(vm, k.saturating_mul(n.bits()))?;
    if k == 0 {
        return Ok(BigUint::one());
    }
    Ok(range_product(&(n - k + 1u32), n))
}

/// `math.perm(n, k=None, /)`.
pub fn perm(vm: &mut Vm, args: Args) -> PyResult<Value> {
    spec("perm", Style::Positional, &["n", "k"], 1).parse(vm, &args, 0)?;
    let k = args.pos.get(1).cloned().unwrap_or(Value::None);
    if k.is_none() {
        let n = factorial_arg(vm, &args.pos[0])?;
        return Ok(Value::int(BigInt::from(factorial_of(vm, n)?)));
    }
    let (n, k) = n_and_k(vm, &args.pos[0], &k)?;
    if n < k {
        return Ok(Value::Int(0));
    }
    let Some(k) = k.to_i64() else {
        return Err(vm.err("OverflowError", format!("k must not exceed {}", i64::MAX)));
    };
    let n = n.magnitude();
    Ok(Value::int(BigInt::from(falling(vm, n, k as u64)?)))
}

/// `math.comb(n, k, /)`.
pub fn comb(vm: &mut Vm, args: Args) -> PyResult<Value> {
    spec("comb", Style::Positional, &["n", "k"], 2).parse(vm, &args, 0)?;
    let (n, k) = n_and_k(vm, &args.pos[0], &args.pos[1])?;
    if n < k {
        return Ok(Value::Int(0));
    }
    let rest = &n - &k;
    let k = if rest < k { rest } else { k };
    let Some(k) = k.to_i64() else {
        return Err(vm.err(
            "OverflowError",
            format!("min(n - k, k) must not exceed {}", i64::MAX),
        ));
    };
    let k = k as u64;
    let top = falling(vm, n.magnitude(), k)?;
    let bottom = factorial_of(vm, k)?;
    Ok(Value::int(BigInt::from(top / bottom)))
}
