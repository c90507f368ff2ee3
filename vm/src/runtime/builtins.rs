//! The `builtins` module (spec: namespaces.builtins): functions, constructors of the
//! builtin types, and `__build_class__`.

use std::cell::RefCell;
use std::rc::Rc;

use super::dict::Dict;
use super::interp::{Vm, MAX_ALLOC};
use super::object::{
    Args, Builtin, Iter, IterState, Module, NativeFn, Property, PropertyKind, Range, Set, Slice,
    Value,
};
use super::protocol::{as_i64, from_num, num, IterStep};
use super::types::{Type, Types};
use super::{PyResult, Throw};
use crate::oparg::{BinaryOp, CompareOp};

pub fn builtin(name: &'static str, func: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name,
        owner: None,
        func,
        module: Some("builtins"),
    }))
}

pub fn install(vm: &mut Vm) {
    let b = vm.builtins.clone();
    let fns: &[(&'static str, NativeFn)] = &[
        ("print", print),
        ("repr", repr),
        ("len", len),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("globals", globals),
        ("locals", locals),
        ("vars", vars),
        ("id", id),
        ("hash", hash),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("sorted", sorted),
        ("min", min),
        ("max", max),
        ("sum", sum),
        ("abs", abs),
        ("iter", iter),
        ("next", next),
        ("any", any),
        ("all", all),
        ("chr", chr),
        ("ord", ord),
        ("divmod", divmod),
        ("pow", pow),
        ("round", round),
        ("callable", callable),
        ("hex", hex),
        ("oct", oct),
        ("bin", bin),
        ("format", format),
        ("ascii", repr),
        ("dir", dir),
        ("input", input),
        ("open", open),
        ("__build_class__", super::classes::build_class),
        ("__import__", import),
    ];
    for &(name, f) in fns {
        b.set_str(name, builtin(name, f));
    }
    for name in [
        "int",
        "float",
        "str",
        "bool",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "range",
        "slice",
        "type",
        "object",
        "enumerate",
        "zip",
        "map",
        "filter",
        "reversed",
        "property",
        "staticmethod",
        "classmethod",
        "bytes",
        "super",
    ] {
        b.set_str(name, Value::Type(vm.ty(name)));
    }
    for name in Types::exception_names() {
        b.set_str(name, Value::Type(vm.ty(name)));
    }
    b.set_str("None", Value::None);
    b.set_str("True", Value::Bool(true));
    b.set_str("False", Value::Bool(false));
    b.set_str("NotImplemented", Value::NotImplemented);
    b.set_str("Ellipsis", Value::Ellipsis);
    b.set_str("__name__", Value::str("builtins"));
    b.set_str("__doc__", Value::None);
    let module = Module {
        name: Rc::from("builtins"),
        dict: b.clone(),
        file: None,
    };
    vm.modules
        .set_str("builtins", Value::Module(Rc::new(module)));
}

/// Checks the positional argument count (`NAME() takes exactly one argument (N given)`
/// style messages of CPython's METH_O / argument clinic functions).
pub fn arity(vm: &Vm, args: &Args, name: &str, min: usize, max: usize) -> PyResult<()> {
    let n = args.pos.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let msg = if min == max && min == 1 {
        format!("{name}() takes exactly one argument ({n} given)")
    } else if min == max {
        format!(
            "{name} expected {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    };
    Err(vm.type_error(msg))
}

fn int_arg(vm: &Vm, v: &Value, what: &str) -> PyResult<i64> {
    match v {
        Value::Int(_) | Value::Bool(_) => Ok(as_i64(v)),
        other => Err(vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer{what}",
            vm.type_of(other).name
        ))),
    }
}

/// Writes to sys.stdout / sys.stderr, or calls `file.write`.
pub fn write_to(vm: &mut Vm, file: &Value, text: &str) -> PyResult<()> {
    if let Value::Object(o) = file {
        if let Some(Value::Int(stream)) = o.dict.get_str("_framespec_stream") {
            if stream == 2 {
                vm.stderr.push_str(text);
            } else {
                vm.stdout.push_str(text);
            }
            return Ok(());
        }
    }
    let write = vm.getattr(file, "write")?;
    vm.call1(&write, Value::str(text))?;
    Ok(())
}

fn print(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let sep = args.take_kw("sep").unwrap_or(Value::None);
    let end = args.take_kw("end").unwrap_or(Value::None);
    let file = args.take_kw("file").unwrap_or(Value::None);
    let _ = args.take_kw("flush");
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for print()")));
    }
    let sep = match sep {
        Value::None => " ".to_owned(),
        Value::Str(s) => s.to_string(),
        other => {
            return Err(vm.type_error(format!(
                "sep must be None or a string, not {}",
                vm.type_of(&other).name
            )))
        }
    };
    let end = match end {
        Value::None => "\n".to_owned(),
        Value::Str(s) => s.to_string(),
        other => {
            return Err(vm.type_error(format!(
                "end must be None or a string, not {}",
                vm.type_of(&other).name
            )))
        }
    };
    let mut out = String::new();
    for (i, v) in args.pos.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&vm.str_of(v)?);
    }
    out.push_str(&end);
    let file = match file {
        Value::None => super::sysmod::sys_attr(vm, "stdout"),
        f => f,
    };
    write_to(vm, &file, &out)?;
    Ok(Value::None)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "repr", 1, 1)?;
    Ok(Value::str(&vm.repr(&args.pos[0])?))
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "len", 1, 1)?;
    Ok(Value::Int(vm.len(&args.pos[0])? as i64))
}

fn class_check(vm: &mut Vm, t: &Rc<Type>, spec: &Value, fname: &str) -> PyResult<bool> {
    match spec {
        Value::Type(c) => Ok(t.is_subtype(c)),
        Value::Tuple(items) => {
            for i in items.iter() {
                if class_check(vm, t, i, fname)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(vm.type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "isinstance", 2, 2)?;
    let t = vm.type_of(&args.pos[0]);
    Ok(Value::Bool(class_check(
        vm,
        &t,
        &args.pos[1],
        "isinstance",
    )?))
}

fn issubclass(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "issubclass", 2, 2)?;
    let Value::Type(t) = &args.pos[0] else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    Ok(Value::Bool(class_check(vm, t, &args.pos[1], "issubclass")?))
}

/// spec: namespaces.globals.identity
fn globals(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::Dict(vm.top()?.globals.clone()))
}

/// spec: namespaces.locals.function, namespaces.locals.module
fn locals(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::Dict(vm.top()?.fast_to_locals()))
}

fn vars(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return locals(vm, args);
    }
    vm.getattr(&args.pos[0], "__dict__")
        .map_err(|_| vm.type_error("vars() argument must have __dict__ attribute"))
}

fn id(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "id", 1, 1)?;
    Ok(Value::Int(args.pos[0].address() as i64))
}

fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "hash", 1, 1)?;
    if let Some(r) = vm.call_special(&args.pos[0], "__hash__", vec![])? {
        return Ok(r);
    }
    Ok(Value::Int(vm.hash(&args.pos[0])?))
}

fn attr_name(vm: &Vm, v: &Value) -> PyResult<Rc<str>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => Err(vm.type_error(format!(
            "attribute name must be string, not '{}'",
            vm.type_of(other).name
        ))),
    }
}

fn getattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "getattr", 2, 3)?;
    let name = attr_name(vm, &args.pos[1])?;
    match vm.getattr(&args.pos[0], &name) {
        Err(Throw::Exc(e)) if args.pos.len() == 3 && vm.is_instance_of(&e, "AttributeError") => {
            Ok(args.pos[2].clone())
        }
        other => other,
    }
}

fn setattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "setattr", 3, 3)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.setattr(&args.pos[0], &name, args.pos[2].clone())?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "hasattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    match vm.getattr(&args.pos[0], &name) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "delattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.delattr(&args.pos[0], &name)?;
    Ok(Value::None)
}

/// A stable merge sort whose comparisons may raise.
pub fn sort_values(
    vm: &mut Vm,
    items: Vec<Value>,
    key: &Value,
    reverse: bool,
) -> PyResult<Vec<Value>> {
    let mut keyed = Vec::with_capacity(items.len());
    for v in items {
        let k = if key.is_none() {
            v.clone()
        } else {
            vm.call1(key, v.clone())?
        };
        keyed.push((k, v));
    }
    // CPython's pre-sort check: keys all of one (non-tuple) type are compared through the
    // type's own comparison (`unsafe_object_compare`), which takes no C recursion unit;
    // otherwise each comparison is a full rich comparison.
    let first_type = keyed.first().map(|(k, _)| vm.type_of(k));
    let direct = match &first_type {
        Some(t) => {
            !matches!(keyed[0].0, Value::Tuple(_))
                && keyed.iter().all(|(k, _)| Rc::ptr_eq(&vm.type_of(k), t))
        }
        None => false,
    };
    let less = move |vm: &mut Vm, a: &Value, b: &Value| -> PyResult<bool> {
        let r = if direct {
            vm.compare_unguarded(CompareOp::Lt, a, b)?
        } else {
            vm.compare(CompareOp::Lt, a, b)?
        };
        vm.truthy(&r)
    };
    // Bottom-up merge sort; `reverse` keeps stability like CPython (reverse, sort, reverse).
    if reverse {
        keyed.reverse();
    }
    let mut width = 1;
    let n = keyed.len();
    while width < n {
        let mut out = Vec::with_capacity(n);
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut a, mut b) = (i, mid);
            while a < mid && b < end {
                if less(vm, &keyed[b].0, &keyed[a].0)? {
                    out.push(keyed[b].clone());
                    b += 1;
                } else {
                    out.push(keyed[a].clone());
                    a += 1;
                }
            }
            out.extend_from_slice(&keyed[a..mid]);
            out.extend_from_slice(&keyed[b..end]);
            i = end;
        }
        keyed = out;
        width *= 2;
    }
    if reverse {
        keyed.reverse();
    }
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}

fn sorted(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let reverse = args.take_kw("reverse").unwrap_or(Value::Bool(false));
    if args.pos.len() != 1 {
        return Err(vm.type_error(format!(
            "sorted expected 1 argument, got {}",
            args.pos.len()
        )));
    }
    let items = vm.collect(&args.pos[0])?;
    let reverse = vm.truthy(&reverse)?;
    Ok(Value::list(sort_values(vm, items, &key, reverse)?))
}

fn min_max(vm: &mut Vm, mut args: Args, name: &str, want: CompareOp) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let default = args.take_kw("default");
    let items = match args.pos.len() {
        0 => return Err(vm.type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => vm.collect(&args.pos[0])?,
        _ => args.pos.clone(),
    };
    let mut best: Option<(Value, Value)> = None;
    for v in items {
        let k = if key.is_none() {
            v.clone()
        } else {
            vm.call1(&key, v.clone())?
        };
        best = match best {
            None => Some((k, v)),
            Some((bk, bv)) => {
                let r = vm.compare(want, &k, &bk)?;
                if vm.truthy(&r)? {
                    Some((k, v))
                } else {
                    Some((bk, bv))
                }
            }
        };
    }
    match (best, default) {
        (Some((_, v)), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(vm.value_error(format!("{name}() iterable argument is empty"))),
    }
}

fn min(vm: &mut Vm, args: Args) -> PyResult<Value> {
    min_max(vm, args, "min", CompareOp::Lt)
}

fn max(vm: &mut Vm, args: Args) -> PyResult<Value> {
    min_max(vm, args, "max", CompareOp::Gt)
}

fn sum(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let start = args.take_kw("start");
    arity(vm, &args, "sum", 1, 2)?;
    let mut acc = start
        .or_else(|| args.pos.get(1).cloned())
        .unwrap_or(Value::Int(0));
    if let Value::Str(_) = acc {
        return Err(vm.type_error("sum() can't sum strings [use ''.join(seq) instead]"));
    }
    for v in vm.collect(&args.pos[0])? {
        acc = vm.binary(BinaryOp::Add, &acc, &v, false)?;
    }
    Ok(acc)
}

fn abs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "abs", 1, 1)?;
    match &args.pos[0] {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| vm.unsupported(super::numbers::BIG_INT)),
        Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        other => {
            if let Some(r) = vm.call_special(other, "__abs__", vec![])? {
                return Ok(r);
            }
            Err(vm.type_error(format!(
                "bad operand type for abs(): '{}'",
                vm.type_of(other).name
            )))
        }
    }
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "iter", 1, 2)?;
    if args.pos.len() == 2 {
        let state = IterState::Callable {
            func: args.pos[0].clone(),
            sentinel: args.pos[1].clone(),
        };
        return Ok(Value::Iter(crate::runtime::gc::alloc(Iter {
            state: RefCell::new(state),
        })));
    }
    vm.iter(&args.pos[0])
}

fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "next", 1, 2)?;
    // The StopIteration that ended the iterator propagates as it is (so a generator's
    // return value reaches the caller as `StopIteration(value)`), unless a default is
    // given (CPython `builtin_next`). spec: generators.frame.kept
    match vm.next_step(&args.pos[0])? {
        IterStep::Item(v) => Ok(v),
        IterStep::Done(stop) => match (args.pos.get(1), stop) {
            (Some(d), _) => Ok(d.clone()),
            (None, Some(exc)) => Err(vm.raise(exc)),
            (None, None) => Err(vm.err_args("StopIteration", vec![])),
        },
    }
}

fn any(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "any", 1, 1)?;
    let it = vm.iter(&args.pos[0])?;
    while let Some(v) = vm.next(&it)? {
        if vm.truthy(&v)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "all", 1, 1)?;
    let it = vm.iter(&args.pos[0])?;
    while let Some(v) = vm.next(&it)? {
        if !vm.truthy(&v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn chr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "chr", 1, 1)?;
    let i = int_arg(vm, &args.pos[0], "")?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::str(&c.to_string())),
        None => Err(vm.value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "ord", 1, 1)?;
    match &args.pos[0] {
        Value::Str(s) => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Value::Int(i64::from(c as u32))),
                _ => Err(vm.type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.chars().count()
                ))),
            }
        }
        other => Err(vm.type_error(format!(
            "ord() expected string of length 1, but {} found",
            vm.type_of(other).name
        ))),
    }
}

fn divmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "divmod", 2, 2)?;
    if let (Some(a), Some(b)) = (num(&args.pos[0]), num(&args.pos[1])) {
        return match crate::arith::divmod(a, b) {
            Ok((q, r)) => Ok(Value::tuple(vec![from_num(q), from_num(r)])),
            Err(e) => Err(vm.arith_error(e)),
        };
    }
    let q = vm.binary(BinaryOp::FloorDivide, &args.pos[0], &args.pos[1], false)?;
    let r = vm.binary(BinaryOp::Remainder, &args.pos[0], &args.pos[1], false)?;
    Ok(Value::tuple(vec![q, r]))
}

fn pow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "pow", 2, 3)?;
    if let Some(m) = args.pos.get(2) {
        let (b, e, m) = (
            int_arg(vm, &args.pos[0], "")?,
            int_arg(vm, &args.pos[1], "")?,
            int_arg(vm, m, "")?,
        );
        if m == 0 {
            return Err(vm.value_error("pow() 3rd argument cannot be 0"));
        }
        let (mut result, mut base, mut exp) = (1i128, i128::from(b).rem_euclid(i128::from(m)), e);
        while exp > 0 {
            if exp & 1 == 1 {
                result = result * base % i128::from(m);
            }
            base = base * base % i128::from(m);
            exp >>= 1;
        }
        return Ok(Value::Int(result.rem_euclid(i128::from(m)) as i64));
    }
    vm.binary(BinaryOp::Power, &args.pos[0], &args.pos[1], false)
}

fn round(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let nd = args.take_kw("ndigits");
    arity(vm, &args, "round", 1, 2)?;
    let ndigits = nd
        .or_else(|| args.pos.get(1).cloned())
        .unwrap_or(Value::None);
    match (&args.pos[0], &ndigits) {
        (Value::Int(_) | Value::Bool(_), Value::None) => Ok(Value::Int(as_i64(&args.pos[0]))),
        (Value::Int(i), Value::Int(n)) => {
            if *n >= 0 {
                return Ok(Value::Int(*i));
            }
            let p = 10i64
                .checked_pow(n.unsigned_abs() as u32)
                .unwrap_or(i64::MAX);
            let q = crate::arith::floor_div(*i, p).unwrap_or(0);
            let r = i - q * p;
            let q = if 2 * r > p || (2 * r == p && q % 2 != 0) {
                q + 1
            } else {
                q
            };
            Ok(Value::Int(q * p))
        }
        (Value::Float(f), Value::None) => {
            if !f.is_finite() {
                return Err(if f.is_nan() {
                    vm.value_error("cannot convert float NaN to integer")
                } else {
                    vm.err("OverflowError", "cannot convert float infinity to integer")
                });
            }
            let r = f.round_ties_even();
            if r.abs() >= 9.2e18 {
                return Err(vm.unsupported(super::numbers::BIG_INT));
            }
            Ok(Value::Int(r as i64))
        }
        (Value::Float(f), Value::Int(n)) => {
            if *n >= 0 && *n < 300 {
                let s = format!("{:.*}", *n as usize, f);
                Ok(Value::Float(s.parse().unwrap_or(*f)))
            } else if *n < 0 {
                let p = 10f64.powi(n.unsigned_abs() as i32);
                Ok(Value::Float((f / p).round_ties_even() * p))
            } else {
                Ok(Value::Float(*f))
            }
        }
        (other, _) => Err(vm.type_error(format!(
            "type {} doesn't define __round__ method",
            vm.type_of(other).name
        ))),
    }
}

fn callable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "callable", 1, 1)?;
    let v = &args.pos[0];
    let c = match v {
        Value::Function(_) | Value::Builtin(_) | Value::Method(_) | Value::Type(_) => true,
        Value::Object(_) => vm.special(v, "__call__").is_some(),
        _ => false,
    };
    Ok(Value::Bool(c))
}

fn radix(
    vm: &mut Vm,
    args: Args,
    name: &str,
    prefix: &str,
    f: fn(u64) -> String,
) -> PyResult<Value> {
    arity(vm, &args, name, 1, 1)?;
    let i = int_arg(vm, &args.pos[0], "")?;
    let sign = if i < 0 { "-" } else { "" };
    Ok(Value::str(&format!(
        "{sign}{prefix}{}",
        f(i.unsigned_abs())
    )))
}

fn hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "hex", "0x", |u| format!("{u:x}"))
}

fn oct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "oct", "0o", |u| format!("{u:o}"))
}

fn bin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    radix(vm, args, "bin", "0b", |u| format!("{u:b}"))
}

fn format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "format", 1, 2)?;
    let spec = match args.pos.get(1) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    Ok(Value::str(&vm.format(&args.pos[0], &spec)?))
}

fn dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let mut names: Vec<Value> = match args.pos.first() {
        None => vm.top()?.fast_to_locals().keys(),
        Some(v) => {
            let mut keys = Vec::new();
            if let Ok(Value::Dict(d)) = vm.getattr(v, "__dict__") {
                keys.extend(d.keys());
            }
            for t in vm.type_of(v).mro() {
                keys.extend(t.dict.keys());
            }
            keys
        }
    };
    names.dedup_by(|a, b| a.is(b));
    let sorted = sort_values(vm, names, &Value::None, false)?;
    let mut out: Vec<Value> = Vec::new();
    for v in sorted {
        if !out
            .last()
            .is_some_and(|l| matches!((l, &v), (Value::Str(a), Value::Str(b)) if a == b))
        {
            out.push(v);
        }
    }
    Ok(Value::list(out))
}

fn input(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.err("EOFError", "EOF when reading a line"))
}

fn open(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.err("OSError", "framespec's VM has no file system"))
}

fn import(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Str(name)) = args.pos.first() else {
        return Err(vm.type_error("__import__() argument 1 must be str"));
    };
    vm.modules
        .get_str(name)
        .ok_or_else(|| vm.err("ModuleNotFoundError", format!("No module named '{name}'")))
}

fn parse_int(vm: &Vm, s: &str, base: u32) -> PyResult<i64> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut base = base;
    let mut digits = digits.to_owned();
    let lower = digits.to_ascii_lowercase();
    for (p, b) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if (base == 0 || base == b) && lower.starts_with(p) {
            digits = digits[2..].to_owned();
            base = b;
        }
    }
    if base == 0 {
        base = 10;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let valid = !clean.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__");
    match (valid, i64::from_str_radix(&clean, base)) {
        (true, Ok(v)) => Ok(if neg { -v } else { v }),
        (true, Err(e)) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => {
            Err(vm.unsupported(super::numbers::BIG_INT))
        }
        _ => Err(vm.value_error(format!(
            "invalid literal for int() with base {base}: {}",
            crate::reprs::str_repr(s)
        ))),
    }
}

fn parse_float(vm: &Vm, s: &str) -> PyResult<f64> {
    let t = s.trim().to_ascii_lowercase().replace('_', "");
    let v = match t.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => t.parse::<f64>().ok(),
    };
    match v {
        Some(v) => Ok(if t.starts_with('-') && !v.is_sign_negative() {
            -v
        } else {
            v
        }),
        None => Err(vm.value_error(format!(
            "could not convert string to float: {}",
            crate::reprs::str_repr(s)
        ))),
    }
}

/// Calls of builtin types: `int(x)`, `list(it)`, `type(x)`, exception types, ….
pub fn construct(vm: &mut Vm, t: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    if t.is_exception() {
        if !args.kw.is_empty() {
            return Err(vm.type_error(format!("{}() takes no keyword arguments", t.name)));
        }
        return Ok(vm.new_exception(t, args.pos));
    }
    let name: &str = &t.name;
    let a = args.pos.clone();
    let first = a.first().cloned();
    match name {
        "int" => {
            let base = args.take_kw("base").or_else(|| a.get(1).cloned());
            match (first, base) {
                (None, _) => Ok(Value::Int(0)),
                (Some(Value::Str(s)), b) => {
                    let base = match b {
                        Some(b) => int_arg(vm, &b, "")? as u32,
                        None => 10,
                    };
                    Ok(Value::Int(parse_int(vm, &s, base)?))
                }
                (Some(v @ (Value::Int(_) | Value::Bool(_))), None) => Ok(Value::Int(as_i64(&v))),
                (Some(Value::Float(f)), None) => {
                    if f.is_nan() {
                        return Err(vm.value_error("cannot convert float NaN to integer"));
                    }
                    if f.is_infinite() {
                        return Err(
                            vm.err("OverflowError", "cannot convert float infinity to integer")
                        );
                    }
                    if f.abs() >= 9.2e18 {
                        return Err(vm.unsupported(super::numbers::BIG_INT));
                    }
                    Ok(Value::Int(f.trunc() as i64))
                }
                (Some(v), None) => {
                    if let Some(r) = vm.call_special(&v, "__int__", vec![])? {
                        return Ok(r);
                    }
                    Err(vm.type_error(format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        vm.type_of(&v).name
                    )))
                }
                (Some(_), Some(_)) => {
                    Err(vm.type_error("int() can't convert non-string with explicit base"))
                }
            }
        }
        "float" => match first {
            None => Ok(Value::Float(0.0)),
            Some(Value::Str(s)) => Ok(Value::Float(parse_float(vm, &s)?)),
            Some(v) => match num(&v) {
                Some(n) => Ok(Value::Float(n.to_f64())),
                None => {
                    if let Some(r) = vm.call_special(&v, "__float__", vec![])? {
                        return Ok(r);
                    }
                    Err(vm.type_error(format!(
                        "float() argument must be a string or a real number, not '{}'",
                        vm.type_of(&v).name
                    )))
                }
            },
        },
        "str" => match first {
            None => Ok(Value::str("")),
            Some(v) => Ok(Value::str(&vm.str_of(&v)?)),
        },
        "bool" => match first {
            None => Ok(Value::Bool(false)),
            Some(v) => Ok(Value::Bool(vm.truthy(&v)?)),
        },
        "list" => match first {
            None => Ok(Value::list(Vec::new())),
            Some(v) => Ok(Value::list(vm.collect(&v)?)),
        },
        "tuple" => match first {
            None => Ok(Value::tuple(Vec::new())),
            Some(Value::Tuple(t)) => Ok(Value::Tuple(t)),
            Some(v) => Ok(Value::tuple(vm.collect(&v)?)),
        },
        "set" | "frozenset" => {
            let s = Set::default();
            if let Some(v) = first {
                for x in vm.collect(&v)? {
                    s.items.set(x, Value::None).map_err(|e| vm.unhashable(e))?;
                }
            }
            Ok(Value::Set(crate::runtime::gc::alloc(s)))
        }
        "dict" => {
            let d = Dict::new();
            match first {
                Some(Value::Dict(src)) => {
                    for (k, v) in src.items() {
                        d.set(k, v).map_err(|e| vm.unhashable(e))?;
                    }
                }
                Some(v) => {
                    for item in vm.collect(&v)? {
                        let pair = vm.collect(&item)?;
                        if pair.len() != 2 {
                            return Err(vm.value_error(format!(
                                "dictionary update sequence element #0 has length {}; 2 is required",
                                pair.len()
                            )));
                        }
                        d.set(pair[0].clone(), pair[1].clone())
                            .map_err(|e| vm.unhashable(e))?;
                    }
                }
                None => {}
            }
            for (k, v) in args.kw {
                d.set_str(&k, v);
            }
            Ok(Value::Dict(crate::runtime::gc::alloc(d)))
        }
        "range" => {
            let ints: PyResult<Vec<i64>> = a.iter().map(|v| int_arg(vm, v, "")).collect();
            let ints = ints?;
            let (start, stop, step) = match ints.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => {
                    return Err(vm.type_error(format!(
                        "range expected at most 3 arguments, got {}",
                        ints.len()
                    )))
                }
            };
            if step == 0 {
                return Err(vm.value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Rc::new(Range { start, stop, step })))
        }
        "slice" => {
            let (start, stop, step) = match a.as_slice() {
                [stop] => (Value::None, stop.clone(), Value::None),
                [start, stop] => (start.clone(), stop.clone(), Value::None),
                [start, stop, step] => (start.clone(), stop.clone(), step.clone()),
                _ => return Err(vm.type_error("slice expected at least 1 argument, got 0")),
            };
            Ok(Value::Slice(Rc::new(Slice { start, stop, step })))
        }
        "type" => match a.len() {
            1 => Ok(Value::Type(vm.type_of(&a[0]))),
            3 => {
                let (Value::Str(n), Value::Tuple(bases), Value::Dict(ns)) = (&a[0], &a[1], &a[2])
                else {
                    return Err(vm.type_error("type() argument types"));
                };
                let mut bs = Vec::new();
                for b in bases.iter() {
                    if let Value::Type(t) = b {
                        bs.push(t.clone());
                    }
                }
                let ns2 = crate::runtime::gc::alloc(ns.copy());
                if ns2.get_str("__module__").is_none() {
                    let m = vm
                        .top()?
                        .globals
                        .get_str("__name__")
                        .unwrap_or(Value::str("__main__"));
                    ns2.set_str("__module__", m);
                }
                Ok(Value::Type(super::classes::make_class(vm, n, bs, ns2)?))
            }
            _ => Err(vm.type_error("type() takes 1 or 3 arguments")),
        },
        "object" => {
            if !a.is_empty() {
                return Err(vm.type_error("object() takes no arguments"));
            }
            Ok(vm.new_instance(t, &args))
        }
        "enumerate" => {
            let start = args
                .take_kw("start")
                .or_else(|| a.get(1).cloned())
                .unwrap_or(Value::Int(0));
            let Some(it) = first else {
                return Err(
                    vm.type_error("enumerate() missing required argument 'iterable' (pos 1)")
                );
            };
            let inner = vm.iter(&it)?;
            let count = int_arg(vm, &start, "")?;
            Ok(iter_value(IterState::Enumerate { inner, count }))
        }
        "zip" => {
            let mut inners = Vec::new();
            for v in &a {
                inners.push(vm.iter(v)?);
            }
            Ok(iter_value(IterState::Zip { inners }))
        }
        "map" => {
            if a.len() < 2 {
                return Err(vm.type_error("map() must have at least two arguments."));
            }
            let mut inners = Vec::new();
            for v in &a[1..] {
                inners.push(vm.iter(v)?);
            }
            Ok(iter_value(IterState::Map {
                func: a[0].clone(),
                inners,
            }))
        }
        "filter" => {
            arity(vm, &args, "filter", 2, 2)?;
            let inner = vm.iter(&a[1])?;
            Ok(iter_value(IterState::Filter {
                func: a[0].clone(),
                inner,
            }))
        }
        "reversed" => {
            arity(vm, &args, "reversed", 1, 1)?;
            let v = &a[0];
            if let Value::List(l) = v {
                let n = l.items.borrow().len();
                return Ok(iter_value(IterState::List {
                    list: l.clone(),
                    index: n,
                    reversed: true,
                }));
            }
            if let Some(r) = vm.call_special(v, "__reversed__", vec![])? {
                return Ok(r);
            }
            if !matches!(
                v,
                Value::Tuple(_) | Value::Str(_) | Value::Range(_) | Value::Object(_)
            ) {
                return Err(
                    vm.type_error(format!("'{}' object is not reversible", vm.type_of(v).name))
                );
            }
            let mut items = vm.collect(v)?;
            items.reverse();
            Ok(iter_value(IterState::Tuple {
                items: Rc::from(items),
                index: 0,
            }))
        }
        "property" | "staticmethod" | "classmethod" => {
            let kind = match name {
                "property" => PropertyKind::Property,
                "staticmethod" => PropertyKind::StaticMethod,
                _ => PropertyKind::ClassMethod,
            };
            Ok(Value::Property(Rc::new(Property {
                kind,
                func: first.unwrap_or(Value::None),
            })))
        }
        "bytes" => match first {
            None => Ok(Value::Bytes(Rc::from(Vec::new()))),
            Some(Value::Int(n)) if (0..MAX_ALLOC as i64).contains(&n) => {
                Ok(Value::Bytes(Rc::from(vec![0u8; n as usize])))
            }
            Some(v) => {
                let items = vm.collect(&v)?;
                let mut out = Vec::new();
                for i in items {
                    match i {
                        Value::Int(x) if (0..256).contains(&x) => out.push(x as u8),
                        _ => return Err(vm.value_error("bytes must be in range(0, 256)")),
                    }
                }
                Ok(Value::Bytes(Rc::from(out)))
            }
        },
        _ => Err(vm.type_error(format!("cannot create '{name}' instances"))),
    }
}

fn iter_value(state: IterState) -> Value {
    Value::Iter(crate::runtime::gc::alloc(Iter {
        state: RefCell::new(state),
    }))
}
