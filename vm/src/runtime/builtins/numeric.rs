//! The numeric builtins: `abs`, `divmod`, `pow` (with a modulus, `long_pow`), `round`
//! (`long_round`, `float___round___impl`) and `hex`/`oct`/`bin` (`PyNumber_ToBase`), on ints
//! of any size and floats.

use super::{arity, int_value};
use crate::arith::{self, Num};
use crate::oparg::BinaryOp;
use crate::runtime::argspec::{required, Spec, Style};
use crate::runtime::int::{from_num, int_num, is_int, num};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, Value};
use crate::runtime::{PyResult, Throw};

pub fn abs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "abs", 1, 1)?;
    match &args.pos[0] {
        Value::Float(f) => Ok(Value::Float(f.abs())),
        Value::Complex(z) => crate::arith::complex::abs(**z)
            .map(Value::Float)
            .map_err(|e| vm.arith_error(e)),
        v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => {
            let n = int_num(v).unwrap_or(Num::Int(0));
            let negative = n.exact_cmp(&Num::Int(0)) == Some(std::cmp::Ordering::Less);
            if !negative {
                return Ok(from_num(n));
            }
            match arith::unary(arith::UnaryOp::Negative, &n) {
                Ok(r) => Ok(from_num(r)),
                Err(e) => Err(vm.arith_error(e)),
            }
        }
        other => {
            if let Some(r) = vm.call_special(other, "__abs__", vec![])? {
                return Ok(r);
            }
            Err(vm.type_error(format!(
                "bad operand type for abs(): '{}'",
                vm.type_of(other).name()
            )))
        }
    }
}

pub fn divmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "divmod", 2, 2)?;
    let (a, b) = (&args.pos[0], &args.pos[1]);
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return match arith::divmod(&x, &y) {
            Ok((q, r)) => Ok(Value::tuple(vec![from_num(q), from_num(r)])),
            Err(e) => Err(vm.arith_error(e)),
        };
    }
    // `nb_divmod`: a user class's `__divmod__` / `__rdivmod__` (never `//` and `%`), and
    // a weakref proxy's.
    let with_methods = |v: &Value| {
        matches!(v, Value::Object(_)) || crate::runtime::weakproxy::as_proxy(v).is_some()
    };
    if with_methods(a) || with_methods(b) {
        if let Some(r) = vm.user_binary(a, b, "__divmod__", "__rdivmod__")? {
            return Ok(r);
        }
    }
    Err(vm.type_error(format!(
        "unsupported operand type(s) for divmod(): '{}' and '{}'",
        vm.type_of(a).name(),
        vm.type_of(b).name()
    )))
}

/// `pow(a, b, m)` of built-in values that are not all ints: `ternary_op` asks the
/// `nb_power` of `a`'s type, `b`'s, then `m`'s (each slot once). `long_pow` declines
/// unless all three are ints; `float_pow` refuses any modulus first thing; `complex_pow`
/// refuses it once `a` and `b` are numbers. No slot answering is the operand TypeError.
fn pow_mod_refusal(vm: &Vm, args: &[Value]) -> Throw {
    let is_number = |v: &Value| is_int(v) || matches!(v, Value::Float(_) | Value::Complex(_));
    let mut tried: Vec<std::mem::Discriminant<Value>> = Vec::new();
    for v in args {
        let kind = if is_int(v) {
            std::mem::discriminant(&Value::Int(0))
        } else {
            std::mem::discriminant(v)
        };
        if tried.contains(&kind) {
            continue;
        }
        tried.push(kind);
        match v {
            Value::Float(_) => {
                return vm
                    .type_error("pow() 3rd argument not allowed unless all arguments are integers")
            }
            Value::Complex(_) if is_number(&args[0]) && is_number(&args[1]) => {
                return vm.value_error("complex modulo")
            }
            _ => {}
        }
    }
    vm.type_error(format!(
        "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
        vm.type_of(&args[0]).name(),
        vm.type_of(&args[1]).name(),
        vm.type_of(&args[2]).name()
    ))
}

pub fn pow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let bound = Spec::function("pow", Style::Keywords, &["base", "exp", "mod"], 2)
        .keywords(0, 3)
        .parse(vm, &args, 0)?;
    // The given arguments, in order (only `mod` is optional).
    let args = Args::new(bound.into_iter().flatten().collect());
    // `mod=None` is no modulus (`builtin_pow_impl` passes it on; every `nb_power` reads
    // None as "no modulus").
    // A subclass of int that does not override them computes as its int (`long_pow`).
    let pos: Vec<Value> = args
        .pos
        .iter()
        .map(|v| {
            let v = vm.inherited(v, "__pow__");
            vm.inherited(v, "__rpow__").clone()
        })
        .collect();
    let args = Args::new(pos);
    if let Some(m) = args.pos.get(2).filter(|m| !m.is_none()) {
        // `proxy_pow` would unwrap all three operands into a `ternary_op` of their own.
        if args
            .pos
            .iter()
            .any(|v| crate::runtime::weakproxy::as_proxy(v).is_some())
        {
            return Err(vm.unsupported("pow() with a modulus of a weakref proxy"));
        }
        // Only a class defining `__pow__` or `__rpow__` has an `nb_power` slot that
        // `ternary_op` could try (`__index__` gives none).
        let slot = |vm: &Vm, v: &Value| {
            matches!(v, Value::Object(_))
                && (vm.special(v, "__pow__").is_some() || vm.special(v, "__rpow__").is_some())
        };
        if !args.pos.iter().all(is_int) && !args.pos.iter().any(|v| slot(vm, v)) {
            return Err(pow_mod_refusal(vm, &args.pos));
        }
        // `long_pow` takes ints (an int subclass as its int), never `__index__`.
        let int =
            |vm: &Vm, v: &Value| int_num(v.builtin_value()).ok_or_else(|| not_an_index(vm, v));
        let (b, e, m) = (int(vm, &args.pos[0])?, int(vm, &args.pos[1])?, int(vm, m)?);
        return arith::pow_mod(&b, &e, &m)
            .map(from_num)
            .map_err(|e| vm.arith_error(e));
    }
    vm.binary(BinaryOp::Power, &args.pos[0], &args.pos[1], false)
}

/// `NDIGITS_MAX` and `NDIGITS_MIN` of `float___round___impl`: beyond them rounding a
/// float leaves it unchanged, or gives a zero of its sign.
const NDIGITS_MAX: i64 = 323;
const NDIGITS_MIN: i64 = -308;

pub fn round(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [number, ndigits] = Spec::function("round", Style::Keywords, &["number", "ndigits"], 1)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let number = vm.inherited(&required(number), "__round__").clone();
    let ndigits = ndigits.filter(|n| !n.is_none());
    match (&number, ndigits) {
        (Value::Float(f), None) => {
            let r = f.round_ties_even();
            arith::f64_to_int(r)
                .map(from_num)
                .map_err(|e| vm.arith_error(e))
        }
        (Value::Float(f), Some(n)) => {
            // `PyNumber_AsSsize_t(o_ndigits, NULL)`: a big count is clipped.
            let n = match vm.try_index(&n)? {
                Some(i) => crate::runtime::int::clamped_index(&i).unwrap_or(0),
                None => return Err(not_an_index(vm, &n)),
            };
            Ok(Value::Float(round_float(*f, n)))
        }
        (v, ndigits) if is_int(v) => {
            let i = int_num(v).unwrap_or(Num::Int(0));
            let Some(n) = ndigits else {
                return Ok(from_num(i));
            };
            let n = int_value(vm, &n, "")?;
            round_int(vm, &i, &n)
        }
        (other, ndigits) => {
            let args = ndigits.into_iter().collect();
            if let Some(r) = vm.call_special(other, "__round__", args)? {
                return Ok(r);
            }
            Err(vm.type_error(format!(
                "type {} doesn't define __round__ method",
                vm.type_of(other).name()
            )))
        }
    }
}

fn not_an_index(vm: &Vm, v: &Value) -> crate::runtime::Throw {
    vm.type_error(format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_of(v).name()
    ))
}

/// `round(f, n)` for a float (`double_round`): correctly rounded through the decimal
/// digits for `n >= 0`.
fn round_float(f: f64, n: i64) -> f64 {
    if n > NDIGITS_MAX {
        return f;
    }
    if n < NDIGITS_MIN {
        return 0.0 * f;
    }
    if n >= 0 {
        let s = format!("{:.*}", n as usize, f);
        return s.parse().unwrap_or(f);
    }
    let p = 10f64.powi(n.unsigned_abs() as i32);
    (f / p).round_ties_even() * p
}

/// `round(i, n)` for an int (`_PyLong_Round`): `i` itself for `n >= 0`, else `i` less its
/// remainder modulo `10**-n` taken half to even (`divmod_near`).
fn round_int(vm: &mut Vm, i: &Num, n: &Num) -> PyResult<Value> {
    if n.exact_cmp(&Num::Int(0)) != Some(std::cmp::Ordering::Less) {
        return Ok(from_num(i.clone()));
    }
    let arith_err = |vm: &Vm, e| vm.arith_error(e);
    let k = arith::unary(arith::UnaryOp::Negative, n).map_err(|e| arith_err(vm, e))?;
    let ten = Num::Int(10);
    vm.before_int_result(BinaryOp::Power, &ten, &k)?;
    let p = arith::binary(BinaryOp::Power, &ten, &k).map_err(|e| arith_err(vm, e))?;
    let (q, r) = arith::divmod(i, &p).map_err(|e| arith_err(vm, e))?;
    let twice =
        arith::binary(BinaryOp::Multiply, &r, &Num::Int(2)).map_err(|e| arith_err(vm, e))?;
    let odd = arith::binary(BinaryOp::And, &q, &Num::Int(1)).map_err(|e| arith_err(vm, e))?;
    let up = match twice.exact_cmp(&p) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Equal) => odd == Num::Int(1),
        _ => false,
    };
    let r = if up {
        arith::binary(BinaryOp::Subtract, &r, &p).map_err(|e| arith_err(vm, e))?
    } else {
        r
    };
    arith::binary(BinaryOp::Subtract, i, &r)
        .map(from_num)
        .map_err(|e| arith_err(vm, e))
}

/// `hex`, `oct`, `bin` (`PyNumber_ToBase`): sign, prefix, digits.
fn radix(vm: &mut Vm, args: Args, name: &str, prefix: &str, base: u32) -> PyResult<Value> {
    arity(vm, &args, name, 1, 1)?;
    let n = int_value(vm, &args.pos[0], "")?;
    let sign = if n.exact_cmp(&Num::Int(0)) == Some(std::cmp::Ordering::Less) {
        "-"
    } else {
        ""
    };
    let digits = arith::text::magnitude_digits(&n, base);
    Ok(Value::str(&format!("{sign}{prefix}{digits}")))
}

pub fn hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "hex", "0x", 16)
}

pub fn oct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "oct", "0o", 8)
}

pub fn bin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "bin", "0b", 2)
}
