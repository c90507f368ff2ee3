//! `set` methods.

use std::rc::Rc;

use crate::runtime::argspec::{no_args, required, Spec, Style};
use crate::runtime::interp::Vm;
use crate::runtime::object::Set;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("set", "add", set_add),
    ("set", "remove", set_remove),
    ("set", "discard", set_discard),
    ("set", "pop", set_pop),
    ("set", "update", set_update),
    ("set", "copy", set_copy),
    ("set", "union", set_union),
    ("set", "intersection", set_intersection),
    ("set", "issubset", set_issubset),
    ("frozenset", "copy", frozenset_copy),
    ("frozenset", "union", set_union),
    ("frozenset", "intersection", set_intersection),
    ("frozenset", "issubset", set_issubset),
];

fn recv_set(vm: &Vm, args: &Args) -> PyResult<Rc<Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'set' object")),
    }
}

/// The receiver of a method only `set` has (a frozenset is refused as CPython's method
/// descriptors refuse an object of another type).
fn recv_mut_set(vm: &Vm, args: &Args, name: &str) -> PyResult<Rc<Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) if s.frozen => Err(vm.type_error(format!(
            "descriptor '{name}' for 'set' objects doesn't apply to a 'frozenset' object"
        ))),
        _ => recv_set(vm, args),
    }
}

/// The type a method shared by `set` and `frozenset` reports in its argument errors.
fn owner(args: &Args) -> &'static str {
    match args.pos.first() {
        Some(Value::Set(s)) if s.frozen => "frozenset",
        _ => "set",
    }
}

/// A `set` method's [`Spec`] with positional-only parameters.
const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("set", name, style, params, req)
}

/// The one argument of a `METH_O` method.
fn one(vm: &Vm, args: &Args, name: &'static str) -> PyResult<Value> {
    let [v] = m(name, Style::O, &["object"], 1).bind(vm, args, 1)?;
    Ok(required(v))
}

fn set_add(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "add")?;
    let s = recv_mut_set(vm, &args, "add")?;
    vm.set_add(&s.items, v)?;
    Ok(Value::None)
}

fn set_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "remove")?;
    let s = recv_mut_set(vm, &args, "remove")?;
    match vm.set_discard(&s.items, &v)? {
        Some(_) => Ok(Value::None),
        None => Err(vm.err_args("KeyError", vec![v])),
    }
}

fn set_discard(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "discard")?;
    let s = recv_mut_set(vm, &args, "discard")?;
    vm.set_discard(&s.items, &v)?;
    Ok(Value::None)
}

/// `set_pop`: from the table's search finger (see `set`).
fn set_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "set", "pop")?;
    match recv_mut_set(vm, &args, "pop")?.items.pop() {
        Some(k) => Ok(k),
        None => Err(vm.err_args("KeyError", vec![Value::str("pop from an empty set")])),
    }
}

fn set_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("update", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_mut_set(vm, &args, "update")?;
    for other in &args.pos[1..] {
        vm.set_update_internal(&s, other)?;
    }
    Ok(Value::None)
}

fn set_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "set", "copy")?;
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_copy(&s)?))
}

/// `frozenset_copy`: a frozenset is its own copy.
fn frozenset_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "frozenset", "copy")?;
    let s = recv_set(vm, &args)?;
    if s.frozen {
        return Ok(Value::Set(s));
    }
    Ok(Value::Set(vm.set_copy(&s)?))
}

fn set_union(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(owner(&args), "union", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_union(&s, &args.pos[1..])?))
}

fn set_intersection(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(owner(&args), "intersection", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_intersection_multi(&s, &args.pos[1..])?))
}

fn set_issubset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method(owner(&args), "issubset", Style::O, &["object"], 1).bind(vm, &args, 1)?;
    let other = required(other);
    let s = recv_set(vm, &args)?;
    let other = match other {
        Value::Set(o) => o,
        o => vm.new_set(false, Some(&o))?,
    };
    for k in s.items.keys() {
        if !vm.set_contains(&other.items, &k)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}
