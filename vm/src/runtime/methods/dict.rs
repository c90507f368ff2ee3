//! `dict` methods.

use std::rc::Rc;

use crate::runtime::argspec::{no_args, required, Spec, Style};
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

/// A `dict` method's [`Spec`] with positional-only parameters.
const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("dict", name, style, params, req)
}

fn dict_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key, default] = m("get", Style::Positional, &["key", "default"], 1).bind(vm, &args, 1)?;
    let d = recv_dict(vm, &args)?;
    Ok(vm
        .dict_get(&d, &required(key))?
        .unwrap_or_else(|| default.unwrap_or(Value::None)))
}

fn view(vm: &mut Vm, args: Args, name: &'static str, kind: ViewKind) -> PyResult<Value> {
    no_args(vm, &args, "dict", name)?;
    let d = recv_dict(vm, &args)?;
    Ok(Value::DictView(Rc::new(DictView { dict: d, kind })))
}

fn dict_keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, "keys", ViewKind::Keys)
}

fn dict_values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, "values", ViewKind::Values)
}

fn dict_items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, "items", ViewKind::Items)
}

fn dict_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key, default] = m("pop", Style::Positional, &["key", "default"], 1).bind(vm, &args, 1)?;
    let key = required(key);
    let d = recv_dict(vm, &args)?;
    match vm.dict_remove(&d, &key)? {
        Some(v) => Ok(v),
        None => match default {
            Some(dflt) => Ok(dflt),
            None => Err(vm.err_args("KeyError", vec![key])),
        },
    }
}

fn dict_popitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "dict", "popitem")?;
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
    let [key, default] =
        m("setdefault", Style::Positional, &["key", "default"], 1).bind(vm, &args, 1)?;
    let key = required(key);
    let d = recv_dict(vm, &args)?;
    if let Some(v) = vm.dict_get(&d, &key)? {
        return Ok(v);
    }
    let v = default.unwrap_or(Value::None);
    vm.dict_set(&d, key, v.clone())?;
    Ok(v)
}

/// `dict.update([other], **kwargs)`.
fn dict_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let positional = Args::new(args.pos.clone());
    let [other] = m("update", Style::Positional, &["other"], 0).bind(vm, &positional, 1)?;
    let d = recv_dict(vm, &args)?;
    if let Some(src) = other {
        update_from(vm, &d, &src)?;
    }
    for (k, v) in args.kw {
        d.set_str(&k, v);
    }
    Ok(Value::None)
}

/// Adds a mapping's items, or an iterable's key/value pairs, to `d` (CPython
/// `dict_update_arg`, `PyDict_MergeFromSeq2`), with CPython's errors for bad elements.
pub fn update_from(vm: &mut Vm, d: &Dict, src: &Value) -> PyResult<()> {
    // `dict_update_arg`: a dict, else anything with `keys` is a mapping, else an
    // iterable of pairs.
    // (`dict_merge` and `PyDict_MergeFromSeq2` set each item as they read it, so an
    // error partway leaves the items already read.)
    if let Some(s) = vm.plain_dict(src) {
        for (k, v) in s.items() {
            vm.dict_set(d, k, v)?;
        }
        return Ok(());
    }
    match vm.getattr(src, "keys") {
        Ok(keys) => {
            // `PyMapping_Keys`: the keys in a list first, then one `b[key]` per key.
            let keys = vm.call(&keys, Args::new(Vec::new()))?;
            for k in vm.collect(&keys)? {
                let v = vm.getitem(src, &k)?;
                vm.dict_set(d, k, v)?;
            }
            return Ok(());
        }
        Err(crate::runtime::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {}
        Err(e) => return Err(e),
    }
    let it = vm.iter(src)?;
    let mut i = 0usize;
    while let Some(item) = vm.next(&it)? {
        let pair = match vm.iter(&item) {
            Ok(it) => vm.collect(&it)?,
            Err(crate::runtime::Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
                return Err(vm.type_error(format!(
                    "cannot convert dictionary update sequence element #{i} to a sequence"
                )))
            }
            Err(e) => return Err(e),
        };
        if pair.len() != 2 {
            return Err(vm.value_error(format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                pair.len()
            )));
        }
        vm.dict_set(d, pair[0].clone(), pair[1].clone())?;
        i += 1;
    }
    Ok(())
}

fn dict_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "dict", "copy")?;
    Ok(Value::Dict(crate::runtime::gc::alloc(
        recv_dict(vm, &args)?.copy(),
    )))
}

fn dict_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "dict", "clear")?;
    recv_dict(vm, &args)?.clear();
    Ok(Value::None)
}

/// The class methods (`METH_CLASS`) this file installs.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[("dict", "fromkeys", dict_fromkeys)];

/// `dict.fromkeys(iterable, value=None)` (`_PyDict_FromKeys`): `cls()`, then each key set
/// to `value` — through a subclass's own `__setitem__` when `cls()` is not a dict.
fn dict_fromkeys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, value] = Spec::method(
        "dict",
        "fromkeys",
        Style::Positional,
        &["iterable", "value"],
        1,
    )
    .bind(vm, &args, 1)?;
    let cls = args.pos.first().cloned().unwrap_or_default();
    let d = vm.call(&cls, Args::default())?;
    let value = value.unwrap_or(Value::None);
    let keys = vm.collect(&required(iterable))?;
    for k in keys {
        match &d {
            Value::Dict(x) => vm.dict_set(x, k, value.clone())?,
            other => vm.setitem(other, &k, value.clone())?,
        }
    }
    Ok(d)
}
