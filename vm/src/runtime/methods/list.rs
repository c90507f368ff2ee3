//! `list` methods, and `tuple`'s (`index`, `count`), which share `seq_items`,
//! `list_index` and `list_count` with the list's.

use std::rc::Rc;

use crate::runtime::builtins::{arity, sort_values};
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

fn list_append(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.len() != 2 {
        return Err(vm.type_error(format!(
            "list.append() takes exactly one argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    let l = recv_list(vm, &args)?;
    l.items.borrow_mut().push(args.pos[1].clone());
    Ok(Value::None)
}

fn list_extend(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "extend", 2, 2)?;
    let l = recv_list(vm, &args)?;
    let items = vm.collect(&args.pos[1])?;
    l.items.borrow_mut().extend(items);
    Ok(Value::None)
}

fn list_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let l = recv_list(vm, &args)?;
    let mut items = l.items.borrow_mut();
    if items.is_empty() {
        drop(items);
        return Err(vm.err("IndexError", "pop from empty list"));
    }
    let n = items.len() as i64;
    let i = match args.pos.get(1) {
        Some(Value::Int(i)) => *i,
        _ => n - 1,
    };
    let Some(j) = crate::runtime::protocol::wrap_index(i, items.len()) else {
        drop(items);
        return Err(vm.err("IndexError", "pop index out of range"));
    };
    Ok(items.remove(j))
}

fn list_insert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "insert", 3, 3)?;
    let l = recv_list(vm, &args)?;
    let Value::Int(i) = args.pos[1] else {
        return Err(vm.type_error("'str' object cannot be interpreted as an integer"));
    };
    let mut items = l.items.borrow_mut();
    let n = items.len() as i64;
    let j = if i < 0 { (i + n).max(0) } else { i.min(n) };
    items.insert(j as usize, args.pos[2].clone());
    Ok(Value::None)
}

fn seq_items(args: &Args) -> Vec<Value> {
    match args.pos.first() {
        Some(Value::List(l)) => l.items.borrow().clone(),
        Some(Value::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

fn list_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "index", 2, 4)?;
    let items = seq_items(&args);
    for (i, v) in items.iter().enumerate() {
        if v.is(&args.pos[1]) || vm.eq(v, &args.pos[1])? {
            return Ok(Value::Int(i as i64));
        }
    }
    let what = if matches!(args.pos[0], Value::Tuple(_)) {
        "tuple.index(x): x not in tuple".to_owned()
    } else {
        format!("{} is not in list", vm.repr(&args.pos[1])?)
    };
    Err(vm.value_error(what))
}

fn list_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "count", 2, 2)?;
    let mut n = 0;
    for v in seq_items(&args) {
        if v.is(&args.pos[1]) || vm.eq(&v, &args.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn list_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "remove", 2, 2)?;
    let l = recv_list(vm, &args)?;
    let items = l.items.borrow().clone();
    for (i, v) in items.iter().enumerate() {
        if v.is(&args.pos[1]) || vm.eq(v, &args.pos[1])? {
            l.items.borrow_mut().remove(i);
            return Ok(Value::None);
        }
    }
    Err(vm.value_error("list.remove(x): x not in list"))
}

fn list_reverse(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_list(vm, &args)?.items.borrow_mut().reverse();
    Ok(Value::None)
}

fn list_sort(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let reverse = args.take_kw("reverse").unwrap_or(Value::Bool(false));
    let l = recv_list(vm, &args)?;
    let items = std::mem::take(&mut *l.items.borrow_mut());
    let reverse = vm.truthy(&reverse)?;
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
    Ok(Value::list(recv_list(vm, &args)?.items.borrow().clone()))
}

fn list_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_list(vm, &args)?.items.borrow_mut().clear();
    Ok(Value::None)
}
