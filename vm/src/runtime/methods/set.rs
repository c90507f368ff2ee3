//! `set` methods.

use std::rc::Rc;

use crate::runtime::argspec::{required, Spec, Style};
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
];

fn recv_set(vm: &Vm, args: &Args) -> PyResult<Rc<Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'set' object")),
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
    recv_set(vm, &args)?
        .items
        .set(v, Value::None)
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

fn set_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "remove")?;
    match recv_set(vm, &args)?
        .items
        .remove(&v)
        .map_err(|e| vm.unhashable(e))?
    {
        Some(_) => Ok(Value::None),
        None => Err(vm.err_args("KeyError", vec![v])),
    }
}

fn set_discard(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "discard")?;
    recv_set(vm, &args)?
        .items
        .remove(&v)
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

fn set_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("pop", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    let first = s.items.keys().into_iter().next();
    match first {
        Some(k) => {
            let _ = s.items.remove(&k);
            Ok(k)
        }
        None => Err(vm.err_args("KeyError", vec![Value::str("pop from an empty set")])),
    }
}

fn set_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("update", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    add_all(vm, &s, &args.pos[1..])?;
    Ok(Value::None)
}

/// Adds the items of each of `others` to `s`.
fn add_all(vm: &mut Vm, s: &Set, others: &[Value]) -> PyResult<()> {
    for other in others {
        for v in vm.collect(other)? {
            s.items.set(v, Value::None).map_err(|e| vm.unhashable(e))?;
        }
    }
    Ok(())
}

fn copy_of(s: &Set) -> Set {
    let out = Set::default();
    for k in s.items.keys() {
        let _ = out.items.set(k, Value::None);
    }
    out
}

fn set_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("copy", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(crate::runtime::gc::alloc(copy_of(&s))))
}

fn set_union(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("union", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let out = copy_of(&*recv_set(vm, &args)?);
    add_all(vm, &out, &args.pos[1..])?;
    Ok(Value::Set(crate::runtime::gc::alloc(out)))
}

fn set_intersection(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("intersection", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let mut out = copy_of(&*recv_set(vm, &args)?);
    for other in &args.pos[1..] {
        let next = Set::default();
        for v in vm.collect(other)? {
            if out.items.contains(&v).map_err(|e| vm.unhashable(e))? {
                let _ = next.items.set(v, Value::None);
            }
        }
        out = next;
    }
    Ok(Value::Set(crate::runtime::gc::alloc(out)))
}

fn set_issubset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let other = one(vm, &args, "issubset")?;
    let s = recv_set(vm, &args)?;
    let other = match other {
        Value::Set(o) => o,
        o => {
            let tmp = Rc::new(Set::default());
            add_all(vm, &tmp, &[o])?;
            tmp
        }
    };
    for k in s.items.keys() {
        if !other.items.contains(&k).map_err(|e| vm.unhashable(e))? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}
