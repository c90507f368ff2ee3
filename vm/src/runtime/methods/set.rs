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
    ("set", "issuperset", set_issuperset),
    ("set", "isdisjoint", set_isdisjoint),
    ("set", "difference", set_difference),
    ("set", "symmetric_difference", set_symmetric_difference),
    ("set", "clear", set_clear),
    ("set", "difference_update", set_difference_update),
    ("set", "intersection_update", set_intersection_update),
    (
        "set",
        "symmetric_difference_update",
        set_symmetric_difference_update,
    ),
    ("frozenset", "copy", frozenset_copy),
    ("frozenset", "union", set_union),
    ("frozenset", "intersection", set_intersection),
    ("frozenset", "issubset", set_issubset),
    ("frozenset", "issuperset", set_issuperset),
    ("frozenset", "isdisjoint", set_isdisjoint),
    ("frozenset", "difference", set_difference),
    (
        "frozenset",
        "symmetric_difference",
        set_symmetric_difference,
    ),
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

/// `set_issuperset`: `other <= self`, a non-set `other` made a set first.
fn set_issuperset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method(owner(&args), "issuperset", Style::O, &["object"], 1).bind(vm, &args, 1)?;
    let other = match required(other) {
        Value::Set(o) => o,
        o => vm.new_set(false, Some(&o))?,
    };
    let s = recv_set(vm, &args)?;
    for k in other.items.keys() {
        if !vm.set_contains(&s.items, &k)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

/// `set_isdisjoint`: with another set, the smaller one's elements looked up in the
/// larger; with an iterable, its elements looked up in `self`, stopping at the first.
fn set_isdisjoint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method(owner(&args), "isdisjoint", Style::O, &["object"], 1).bind(vm, &args, 1)?;
    let other = required(other);
    let s = recv_set(vm, &args)?;
    if let Value::Set(o) = &other {
        if Rc::ptr_eq(o, &s) {
            return Ok(Value::Bool(s.items.is_empty()));
        }
        let (small, large) = if o.items.len() < s.items.len() {
            (o.clone(), s.clone())
        } else {
            (s.clone(), o.clone())
        };
        for k in small.items.keys() {
            if vm.set_contains(&large.items, &k)? {
                return Ok(Value::Bool(false));
            }
        }
        return Ok(Value::Bool(true));
    }
    let it = vm.iter(&other)?;
    while let Some(k) = vm.next(&it)? {
        if vm.set_contains(&s.items, &k)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

/// `set_difference_multi`: a copy without the elements of every argument.
fn set_difference(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(owner(&args), "difference", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    let Some(first) = args.pos.get(1) else {
        return Ok(Value::Set(vm.set_copy(&s)?));
    };
    let result = vm.set_difference(&s, first)?;
    for other in &args.pos[2..] {
        vm.set_difference_update_internal(&result, other)?;
    }
    Ok(Value::Set(result))
}

fn set_symmetric_difference(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] = Spec::method(
        owner(&args),
        "symmetric_difference",
        Style::O,
        &["object"],
        1,
    )
    .bind(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(
        vm.set_symmetric_difference(&s, &required(other))?,
    ))
}

fn set_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "set", "clear")?;
    recv_mut_set(vm, &args, "clear")?.items.clear();
    Ok(Value::None)
}

fn set_difference_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("difference_update", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_mut_set(vm, &args, "difference_update")?;
    for other in &args.pos[1..] {
        vm.set_difference_update_internal(&s, other)?;
    }
    Ok(Value::None)
}

/// `set_intersection_update_multi`: the intersection with every argument replaces the
/// set's table.
fn set_intersection_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("intersection_update", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_mut_set(vm, &args, "intersection_update")?;
    let tmp = vm.set_intersection_multi(&s, &args.pos[1..])?;
    if !Rc::ptr_eq(&tmp, &s) {
        s.items.swap(&tmp.items);
        tmp.items.clear();
    }
    Ok(Value::None)
}

fn set_symmetric_difference_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let other = one(vm, &args, "symmetric_difference_update")?;
    let s = recv_mut_set(vm, &args, "symmetric_difference_update")?;
    vm.set_symmetric_difference_update(&s, &other)?;
    Ok(Value::None)
}
