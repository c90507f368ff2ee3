//! Building, unpacking and subscripting containers; f-string pieces.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::{Set, Slice, Value};
use super::super::{PyResult, Throw};
use crate::oparg::UnpackExArg;

/// BUILD_TUPLE `(values[oparg] -- tup)`
pub fn build_tuple(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let items = f.pop_n(arg as usize)?;
    f.push(Value::tuple(items));
    Ok(Step::Continue)
}

/// BUILD_LIST `(values[oparg] -- list)`
pub fn build_list(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let items = f.pop_n(arg as usize)?;
    f.push(Value::list(items));
    Ok(Step::Continue)
}

/// BUILD_SET `(values[oparg] -- set)`
pub fn build_set(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let items = vm.top()?.pop_n(arg as usize)?;
    let set = Set::default();
    for v in items {
        vm.set_add(&set.items, v)?;
    }
    vm.top()?.push(Value::Set(crate::runtime::gc::alloc(set)));
    Ok(Step::Continue)
}

/// BUILD_MAP `(values[oparg*2] -- map)`
pub fn build_map(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let items = vm.top()?.pop_n(2 * arg as usize)?;
    let d = Dict::new();
    for pair in items.chunks(2) {
        vm.dict_set(&d, pair[0].clone(), pair[1].clone())?;
    }
    vm.top()?.push(Value::Dict(crate::runtime::gc::alloc(d)));
    Ok(Step::Continue)
}

/// BUILD_CONST_KEY_MAP `(values[oparg], keys -- map)`
pub fn build_const_key_map(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let Value::Tuple(keys) = f.pop()? else {
        return Err(Throw::Bug("BUILD_CONST_KEY_MAP keys".into()));
    };
    let values = f.pop_n(arg as usize)?;
    let d = Dict::new();
    for (k, v) in keys.iter().zip(values) {
        vm.dict_set(&d, k.clone(), v)?;
    }
    vm.top()?.push(Value::Dict(crate::runtime::gc::alloc(d)));
    Ok(Step::Continue)
}

/// BUILD_STRING `(pieces[oparg] -- str)`
pub fn build_string(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let pieces = f.pop_n(arg as usize)?;
    let len: usize = pieces
        .iter()
        .map(|p| if let Value::Str(x) = p { x.len() } else { 0 })
        .sum();
    vm.reserve(len as u128)?;
    let f = vm.top()?;
    let mut s = String::with_capacity(len);
    for p in pieces {
        if let Value::Str(x) = p {
            s.push_str(&x);
        }
    }
    f.push(Value::str(&s));
    Ok(Step::Continue)
}

/// BUILD_SLICE `(start, stop, step if (oparg == 3) -- slice)`
pub fn build_slice(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let step = if arg == 3 { f.pop()? } else { Value::None };
    let stop = f.pop()?;
    let start = f.pop()?;
    f.push(Value::Slice(Rc::new(Slice { start, stop, step })));
    Ok(Step::Continue)
}

/// LIST_APPEND `(list, unused[oparg-1], v -- list, unused[oparg-1])`
pub fn list_append(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    match f.peek(arg as usize - 1)? {
        Value::List(l) => l.items.borrow_mut().push(v),
        _ => return Err(Throw::Bug("LIST_APPEND target is not a list".into())),
    }
    Ok(Step::Continue)
}

/// SET_ADD `(set, unused[oparg-1], v -- set, unused[oparg-1])`
pub fn set_add(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    let Value::Set(s) = f.peek(arg as usize - 1)? else {
        return Err(Throw::Bug("SET_ADD target".into()));
    };
    vm.set_add(&s.items, v)?;
    Ok(Step::Continue)
}

/// MAP_ADD `(key, value -- )` into the dict `oparg` below.
pub fn map_add(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    let k = f.pop()?;
    let Value::Dict(d) = f.peek(arg as usize - 1)? else {
        return Err(Throw::Bug("MAP_ADD target".into()));
    };
    vm.dict_set(&d, k, v)?;
    Ok(Step::Continue)
}

/// LIST_EXTEND `(list, unused[oparg-1], iterable -- list, unused[oparg-1])`
pub fn list_extend(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let iterable = vm.top()?.pop()?;
    let Value::List(l) = vm.top()?.peek(arg as usize - 1)? else {
        return Err(Throw::Bug("LIST_EXTEND target".into()));
    };
    let items = match vm.collect_hinted(&iterable) {
        Ok(items) => items,
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") && !vm.is_iterable(&iterable) => {
            let name = vm.type_of(&iterable).name().clone();
            return Err(vm.type_error(format!("Value after * must be an iterable, not {name}")));
        }
        Err(e) => return Err(e),
    };
    l.items.borrow_mut().extend(items);
    Ok(Step::Continue)
}

/// SET_UPDATE `(set, unused[oparg-1], iterable -- set, unused[oparg-1])`: `_PySet_Update`,
/// which merges another set's table as `set.update` does.
pub fn set_update(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let iterable = vm.top()?.pop()?;
    let Value::Set(s) = vm.top()?.peek(arg as usize - 1)? else {
        return Err(Throw::Bug("SET_UPDATE target".into()));
    };
    vm.set_update_internal(&s, &iterable)?;
    Ok(Step::Continue)
}

/// The dict at depth `arg` under TOS (after TOS was popped): the target of LIST_APPEND-style
/// opcodes, here DICT_UPDATE and DICT_MERGE.
fn dict_at(vm: &mut Vm, arg: u32) -> PyResult<Rc<Dict>> {
    let depth = (arg as usize).checked_sub(1);
    match depth.map(|d| vm.top().and_then(|f| f.peek(d))) {
        Some(Ok(Value::Dict(d))) => Ok(d),
        _ => Err(Throw::Bug(
            "DICT_UPDATE/DICT_MERGE without a dict at depth oparg".into(),
        )),
    }
}

/// DICT_UPDATE `(dict, unused[oparg-1], update -- dict, unused[oparg-1])`: `{**update}`
/// (CPython `PyDict_Update`; an AttributeError from a missing `keys` becomes "not a
/// mapping").
pub fn dict_update(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let update = vm.top()?.pop()?;
    let d = dict_at(vm, arg)?;
    match vm.mapping_items(&update) {
        Ok(items) => {
            for (k, v) in items {
                vm.dict_set(&d, k, v)?;
            }
            Ok(Step::Continue)
        }
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
            let name = vm.type_of(&update).name().clone();
            Err(vm.type_error(format!("'{name}' object is not a mapping")))
        }
        Err(other) => Err(other),
    }
}

/// DICT_MERGE `(dict, unused[oparg-1], update -- dict, unused[oparg-1])`: `f(**update)`
/// merges into the call's keyword dict, rejecting a key given twice (CPython
/// `_PyDict_MergeEx(dict, update, 2)` with `format_kwargs_error`). The callable sits
/// `oparg + 2` below the popped `update`.
pub fn dict_merge(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let update = vm.top()?.pop()?;
    let d = dict_at(vm, arg)?;
    let func = vm.top()?.peek(arg as usize + 1)?;
    merge_kwargs(vm, &d, &update, &func)?;
    Ok(Step::Continue)
}

/// Merges the mapping `update` into the keyword dict `d` of a call to `func`; a duplicate
/// key or a non-mapping is the TypeError CPython's `format_kwargs_error` words.
pub fn merge_kwargs(vm: &mut Vm, d: &Dict, update: &Value, func: &Value) -> PyResult<()> {
    let merged = vm.mapping_items(update).and_then(|items| {
        for (k, v) in items {
            if vm.dict_contains(d, &k)? {
                return Err(vm.err_args("KeyError", vec![k]));
            }
            vm.dict_set(d, k, v)?;
        }
        Ok(())
    });
    let Err(Throw::Exc(e)) = merged else {
        return merged;
    };
    let args = e.exc().map(|x| x.args.borrow().clone());
    let single = match args {
        Some(Value::Tuple(t)) if t.len() == 1 => Some(t[0].clone()),
        _ => None,
    };
    let Some(arg0) = single else {
        return Err(Throw::Exc(e));
    };
    if vm.is_instance_of(&e, "AttributeError") {
        let name = vm.type_of(update).name().clone();
        let what = vm.function_str(func)?;
        return Err(vm.type_error(format!(
            "{what} argument after ** must be a mapping, not {name}"
        )));
    }
    if vm.is_instance_of(&e, "KeyError") {
        let what = vm.function_str(func)?;
        return Err(match &arg0 {
            Value::Str(key) => vm.type_error(format!(
                "{what} got multiple values for keyword argument '{key}'"
            )),
            _ => vm.type_error(format!("{what} keywords must be strings")),
        });
    }
    Err(Throw::Exc(e))
}

/// UNPACK_SEQUENCE `(seq -- values[oparg])`: the first item ends on top.
pub fn unpack_sequence(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let seq = vm.top()?.pop()?;
    let n = arg as usize;
    let items = unpack_items(vm, &seq, n, None)?;
    let f = vm.top()?;
    for v in items.into_iter().rev() {
        f.push(v);
    }
    Ok(Step::Continue)
}

fn unpack_items(
    vm: &mut Vm,
    seq: &Value,
    n: usize,
    star_after: Option<usize>,
) -> PyResult<Vec<Value>> {
    let items = match seq {
        Value::Tuple(t) => t.to_vec(),
        Value::List(l) => l.items.borrow().clone(),
        other if !vm.is_iterable(other) => {
            let name = vm.type_of(other).name().clone();
            return Err(vm.type_error(format!("cannot unpack non-iterable {name} object")));
        }
        // CPython `unpack_iterable`: without a starred target it takes exactly `n` items
        // and asks for one more, so an endless iterator is not drained.
        other if star_after.is_none() => {
            let it = vm.iter(other)?;
            let mut items = Vec::with_capacity(n);
            while items.len() < n {
                match vm.next(&it)? {
                    Some(v) => items.push(v),
                    None => break,
                }
            }
            if items.len() == n && vm.next(&it)?.is_some() {
                return Err(vm.value_error(format!("too many values to unpack (expected {n})")));
            }
            items
        }
        other => vm.collect(other)?,
    };
    match star_after {
        None => {
            if items.len() < n {
                return Err(vm.value_error(format!(
                    "not enough values to unpack (expected {n}, got {})",
                    items.len()
                )));
            }
            if items.len() > n {
                return Err(vm.value_error(format!("too many values to unpack (expected {n})")));
            }
            Ok(items)
        }
        Some(after) => {
            if items.len() < n + after {
                return Err(vm.value_error(format!(
                    "not enough values to unpack (expected at least {}, got {})",
                    n + after,
                    items.len()
                )));
            }
            let mut out: Vec<Value> = items[..n].to_vec();
            out.push(Value::list(items[n..items.len() - after].to_vec()));
            out.extend(items[items.len() - after..].iter().cloned());
            Ok(out)
        }
    }
}

/// UNPACK_EX `(seq -- values[oparg & 0xFF], list, values[oparg >> 8])`
pub fn unpack_ex(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let seq = vm.top()?.pop()?;
    let UnpackExArg { before, after } = UnpackExArg::decode(arg);
    let items = unpack_items(vm, &seq, before as usize, Some(after as usize))?;
    let f = vm.top()?;
    for v in items.into_iter().rev() {
        f.push(v);
    }
    Ok(Step::Continue)
}

/// BINARY_SUBSCR `(container, sub -- res)`
pub fn binary_subscr(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let sub = f.pop()?;
    let container = f.pop()?;
    let v = vm.getitem(&container, &sub)?;
    vm.top()?.push(v);
    Ok(Step::Continue)
}

/// STORE_SUBSCR `(v, container, sub -- )`
pub fn store_subscr(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let sub = f.pop()?;
    let container = f.pop()?;
    let v = f.pop()?;
    vm.setitem(&container, &sub, v)?;
    Ok(Step::Continue)
}

/// DELETE_SUBSCR `(container, sub -- )`
pub fn delete_subscr(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let sub = f.pop()?;
    let container = f.pop()?;
    vm.delitem(&container, &sub)?;
    Ok(Step::Continue)
}

/// BINARY_SLICE `(container, start, stop -- res)`
pub fn binary_slice(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let stop = f.pop()?;
    let start = f.pop()?;
    let container = f.pop()?;
    let slice = Value::Slice(Rc::new(Slice {
        start,
        stop,
        step: Value::None,
    }));
    let v = vm.getitem(&container, &slice)?;
    vm.top()?.push(v);
    Ok(Step::Continue)
}

/// STORE_SLICE `(v, container, start, stop -- )`
pub fn store_slice(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let stop = f.pop()?;
    let start = f.pop()?;
    let container = f.pop()?;
    let v = f.pop()?;
    let slice = Value::Slice(Rc::new(Slice {
        start,
        stop,
        step: Value::None,
    }));
    vm.setitem(&container, &slice, v)?;
    Ok(Step::Continue)
}

/// FORMAT_VALUE `(value, fmt_spec if (oparg & 4) -- result)`: the `oparg::format_value`
/// conversion, then `format(value, spec)`.
pub fn format_value(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    use crate::oparg::format_value::*;
    let f = vm.top()?;
    let spec = if arg & FVS_HAVE_SPEC != 0 {
        f.pop()?
    } else {
        Value::str("")
    };
    let v = f.pop()?;
    let v = match arg & FVC_MASK {
        FVC_STR => Value::str(&vm.str_of(&v)?),
        FVC_REPR => Value::str(&vm.repr(&v)?),
        FVC_ASCII => Value::str(&vm.ascii(&v)?),
        _ => v,
    };
    let spec = match spec {
        Value::Str(s) => s,
        _ => Rc::from(""),
    };
    let s = vm.format(&v, &spec)?;
    vm.top()?.push(Value::str(&s));
    Ok(Step::Continue)
}

/// GET_LEN `(obj -- obj, len)`
pub fn get_len(vm: &mut Vm) -> PyResult<Step> {
    let obj = vm.top()?.peek(0)?;
    let n = vm.len(&obj)?;
    vm.top()?.push(Value::Int(n as i64));
    Ok(Step::Continue)
}
