//! `set` methods.

use std::rc::Rc;

use crate::runtime::builtins::arity;
use crate::runtime::interp::Vm;
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

fn recv_set(vm: &Vm, args: &Args) -> PyResult<Rc<crate::runtime::object::Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'set' object")),
    }
}

fn set_add(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "add", 2, 2)?;
    recv_set(vm, &args)?
        .items
        .set(args.pos[1].clone(), Value::None)
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

fn set_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "remove", 2, 2)?;
    match recv_set(vm, &args)?
        .items
        .remove(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?
    {
        Some(_) => Ok(Value::None),
        None => Err(vm.err_args("KeyError", vec![args.pos[1].clone()])),
    }
}

fn set_discard(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "discard", 2, 2)?;
    recv_set(vm, &args)?
        .items
        .remove(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

fn set_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
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
    let s = recv_set(vm, &args)?;
    for other in &args.pos[1..] {
        for v in vm.collect(other)? {
            s.items.set(v, Value::None).map_err(|e| vm.unhashable(e))?;
        }
    }
    Ok(Value::None)
}

fn set_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_set(vm, &args)?;
    let out = crate::runtime::object::Set::default();
    for k in s.items.keys() {
        let _ = out.items.set(k, Value::None);
    }
    Ok(Value::Set(crate::runtime::gc::alloc(out)))
}

fn set_union(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let receiver = Value::Set(recv_set(vm, &args)?);
    let copy = set_copy(vm, Args::new(vec![receiver]))?;
    let mut a = args;
    a.pos[0] = copy.clone();
    set_update(vm, a)?;
    Ok(copy)
}

fn set_intersection(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "intersection", 2, 2)?;
    let s = recv_set(vm, &args)?;
    let other = vm.collect(&args.pos[1])?;
    let out = crate::runtime::object::Set::default();
    for v in other {
        if s.items.contains(&v).unwrap_or(false) {
            let _ = out.items.set(v, Value::None);
        }
    }
    Ok(Value::Set(crate::runtime::gc::alloc(out)))
}

fn set_issubset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "issubset", 2, 2)?;
    let s = recv_set(vm, &args)?;
    for k in s.items.keys() {
        if !vm.contains(&args.pos[1], &k)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}
