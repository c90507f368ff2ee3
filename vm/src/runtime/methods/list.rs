//! `list` methods, and `tuple`'s (`index`, `count`), which share `seq_items`,
//! `list_index` and `list_count` with the list's.

use std::rc::Rc;

use crate::runtime::argspec::{index, no_args, required, Spec, Style};
use crate::runtime::builtins::sort_values;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("list", "append", list_append),
    ("list", "extend", list_extend),
    ("list", "pop", list_pop),
    ("list", "insert", list_insert),
    ("list", "index", list_index),
    ("list", "count", list_count),
    ("list", "remove", list_remove),
    ("list", "reverse", list_reverse),
    ("list", "sort", list_sort),
    ("list", "copy", list_copy),
    ("list", "clear", list_clear),
    ("tuple", "index", list_index),
    ("tuple", "count", list_count),
];

fn recv_list(vm: &Vm, args: &Args) -> PyResult<Rc<crate::runtime::object::List>> {
    match args.pos.first() {
        Some(Value::List(l)) => Ok(l.clone()),
        _ => Err(vm.type_error("descriptor requires a 'list' object")),
    }
}

/// A `list` method's [`Spec`] with positional-only parameters.
const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("list", name, style, params, req)
}

/// `list` or `tuple`: the type of the receiver of the methods they share.
fn seq_owner(args: &Args) -> &'static str {
    match args.pos.first() {
        Some(Value::Tuple(_)) => "tuple",
        _ => "list",
    }
}

fn list_append(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [object] = m("append", Style::O, &["object"], 1).bind(vm, &args, 1)?;
    let l = recv_list(vm, &args)?;
    l.items.borrow_mut().push(required(object));
    Ok(Value::None)
}

fn list_extend(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] = m("extend", Style::O, &["iterable"], 1).bind(vm, &args, 1)?;
    let l = recv_list(vm, &args)?;
    vm.extend_list(&l, &required(iterable))?;
    Ok(Value::None)
}

fn list_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [i] = m("pop", Style::Positional, &["index"], 0).bind(vm, &args, 1)?;
    let i = i.map(|i| index(vm, &i)).transpose()?;
    let l = recv_list(vm, &args)?;
    let mut items = l.items.borrow_mut();
    if items.is_empty() {
        drop(items);
        return Err(vm.err("IndexError", "pop from empty list"));
    }
    let i = i.unwrap_or(-1);
    let Some(j) = crate::runtime::protocol::wrap_index(i, items.len()) else {
        drop(items);
        return Err(vm.err("IndexError", "pop index out of range"));
    };
    Ok(items.remove(j))
}

fn list_insert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [i, object] = m("insert", Style::Positional, &["index", "object"], 2).bind(vm, &args, 1)?;
    let i = index(vm, &required(i))?;
    let l = recv_list(vm, &args)?;
    let mut items = l.items.borrow_mut();
    let n = items.len() as i64;
    let j = if i < 0 {
        i.saturating_add(n).max(0)
    } else {
        i.min(n)
    };
    items.insert(j as usize, required(object));
    Ok(Value::None)
}

fn seq_items(args: &Args) -> Vec<Value> {
    match args.pos.first() {
        Some(Value::List(l)) => l.items.borrow().clone(),
        Some(Value::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

/// `list.index` / `tuple.index(value, start=0, stop=sys.maxsize)`.
fn list_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = seq_owner(&args);
    let spec = Spec::method(
        owner,
        "index",
        Style::Positional,
        &["value", "start", "stop"],
        1,
    );
    let [value, start, stop] = spec.bind(vm, &args, 1)?;
    let value = required(value);
    // `_PyEval_SliceIndexNotNone`.
    let bound = |vm: &mut Vm, v: Option<Value>| -> PyResult<Option<i64>> {
        let Some(v) = v else {
            return Ok(None);
        };
        match vm.try_index(&v)? {
            Some(i) => Ok(crate::runtime::int::clamped_index(&i)),
            None => {
                Err(vm.type_error("slice indices must be integers or have an __index__ method"))
            }
        }
    };
    let (start, stop) = (bound(vm, start)?, bound(vm, stop)?);
    let items = seq_items(&args);
    let n = items.len() as i64;
    let start = match start.unwrap_or(0) {
        s if s < 0 => s.saturating_add(n).max(0),
        s => s,
    };
    let stop = match stop.unwrap_or(i64::MAX) {
        s if s < 0 => s.saturating_add(n),
        s => s,
    };
    let mut i = start;
    while i < stop && i < n {
        let v = &items[i as usize];
        if v.is(&value) || vm.eq(v, &value)? {
            return Ok(Value::Int(i));
        }
        i += 1;
    }
    let what = if owner == "tuple" {
        "tuple.index(x): x not in tuple".to_owned()
    } else {
        format!("{} is not in list", vm.repr(&value)?)
    };
    Err(vm.value_error(what))
}

fn list_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let spec = Spec::method(seq_owner(&args), "count", Style::O, &["value"], 1);
    let [value] = spec.bind(vm, &args, 1)?;
    let value = required(value);
    let mut n = 0;
    for v in seq_items(&args) {
        if v.is(&value) || vm.eq(&v, &value)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn list_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = m("remove", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let value = required(value);
    let l = recv_list(vm, &args)?;
    let items = l.items.borrow().clone();
    for (i, v) in items.iter().enumerate() {
        if v.is(&value) || vm.eq(v, &value)? {
            l.items.borrow_mut().remove(i);
            return Ok(Value::None);
        }
    }
    Err(vm.value_error("list.remove(x): x not in list"))
}

fn list_reverse(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "list", "reverse")?;
    recv_list(vm, &args)?.items.borrow_mut().reverse();
    Ok(Value::None)
}

/// `list.sort(*, key=None, reverse=False)`; `reverse` is converted as an int, as
/// CPython's `bool(accept={int})` does.
fn list_sort(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key, reverse] = m("sort", Style::Keywords, &["key", "reverse"], 0)
        .keywords(0, 0)
        .bind(vm, &args, 1)?;
    let key = key.unwrap_or(Value::None);
    let reverse = match reverse {
        // `_PyLong_AsInt`: the flag must fit a C int.
        Some(r @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))) => {
            match crate::runtime::int::as_i64_exact(&r).and_then(|i| i32::try_from(i).ok()) {
                Some(i) => i != 0,
                None => {
                    return Err(vm.err("OverflowError", "Python int too large to convert to C int"))
                }
            }
        }
        Some(r) => index(vm, &r)? != 0,
        None => false,
    };
    let l = recv_list(vm, &args)?;
    let items = std::mem::take(&mut *l.items.borrow_mut());
    let sorted = sort_values(vm, items.clone(), &key, reverse);
    match sorted {
        Ok(s) => {
            *l.items.borrow_mut() = s;
            Ok(Value::None)
        }
        Err(e) => {
            *l.items.borrow_mut() = items;
            Err(e)
        }
    }
}

fn list_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "list", "copy")?;
    Ok(Value::list(recv_list(vm, &args)?.items.borrow().clone()))
}

fn list_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "list", "clear")?;
    // `_list_clear`: emptied first, then the items released, last first.
    let mut items = std::mem::take(&mut *recv_list(vm, &args)?.items.borrow_mut());
    items.reverse();
    crate::runtime::gc::release_all(items);
    Ok(Value::None)
}
