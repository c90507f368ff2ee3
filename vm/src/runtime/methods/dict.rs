//! `dict` methods.

use std::rc::Rc;

use crate::runtime::builtins::arity;
use crate::runtime::dict::Dict;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, DictView, NativeFn, Value, ViewKind};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("dict", "get", dict_get),
    ("dict", "keys", dict_keys),
    ("dict", "values", dict_values),
    ("dict", "items", dict_items),
    ("dict", "pop", dict_pop),
    ("dict", "popitem", dict_popitem),
    ("dict", "setdefault", dict_setdefault),
    ("dict", "update", dict_update),
    ("dict", "copy", dict_copy),
    ("dict", "clear", dict_clear),
];

fn recv_dict(vm: &Vm, args: &Args) -> PyResult<Rc<Dict>> {
    match args.pos.first() {
        Some(Value::Dict(d)) => Ok(d.clone()),
        _ => Err(vm.type_error("descriptor requires a 'dict' object")),
    }
}

fn dict_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "get", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    Ok(d.get(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?
        .unwrap_or_else(|| args.pos.get(2).cloned().unwrap_or(Value::None)))
}

fn view(vm: &mut Vm, args: Args, kind: ViewKind) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    Ok(Value::DictView(Rc::new(DictView { dict: d, kind })))
}

fn dict_keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Keys)
}

fn dict_values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Values)
}

fn dict_items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Items)
}

fn dict_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "pop", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    match d.remove(&args.pos[1]).map_err(|e| vm.unhashable(e))? {
        Some(v) => Ok(v),
        None => match args.pos.get(2) {
            Some(dflt) => Ok(dflt.clone()),
            None => Err(vm.err_args("KeyError", vec![args.pos[1].clone()])),
        },
    }
}

fn dict_popitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    match d.pop_last() {
        Some((k, v)) => Ok(Value::tuple(vec![k, v])),
        None => Err(vm.err_args(
            "KeyError",
            vec![Value::str("popitem(): dictionary is empty")],
        )),
    }
}

fn dict_setdefault(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "setdefault", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    if let Some(v) = d.get(&args.pos[1]).map_err(|e| vm.unhashable(e))? {
        return Ok(v);
    }
    let v = args.pos.get(2).cloned().unwrap_or(Value::None);
    d.set(args.pos[1].clone(), v.clone())
        .map_err(|e| vm.unhashable(e))?;
    Ok(v)
}

fn dict_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    if let Some(src) = args.pos.get(1) {
        match src {
            Value::Dict(s) => {
                for (k, v) in s.items() {
                    d.set(k, v).map_err(|e| vm.unhashable(e))?;
                }
            }
            other => {
                for item in vm.collect(other)? {
                    let pair = vm.collect(&item)?;
                    if pair.len() != 2 {
                        return Err(
                            vm.value_error("dictionary update sequence element has wrong length")
                        );
                    }
                    d.set(pair[0].clone(), pair[1].clone())
                        .map_err(|e| vm.unhashable(e))?;
                }
            }
        }
    }
    for (k, v) in args.kw {
        d.set_str(&k, v);
    }
    Ok(Value::None)
}

fn dict_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Dict(crate::runtime::gc::alloc(
        recv_dict(vm, &args)?.copy(),
    )))
}

fn dict_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_dict(vm, &args)?.clear();
    Ok(Value::None)
}
