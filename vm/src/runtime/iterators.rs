//! The built-in iterators' `__length_hint__`, `__reduce__` and `__setstate__`, as
//! CPython 3.12's C code has them: listobject.c (`listiter_len`, `listreviter_len`,
//! `listiter_reduce_general`, `listiter_setstate`, `listreviter_setstate`), tupleobject.c
//! (`tupleiter_reduce`, `tupleiter_setstate`), rangeobject.c (`rangeiter_reduce`,
//! `rangeiter_setstate`, `longrangeiter_reduce`, `longrangeiter_setstate`),
//! unicodeobject.c (`unicodeiter_reduce`, `unicodeiter_setstate`), bytesobject.c
//! (`striter_reduce`, `striter_setstate`), dictobject.c (`dictiter_reduce`), setobject.c
//! (`setiter_reduce`), iterobject.c (`iter_reduce`, `iter_setstate`, `calliter_reduce`),
//! enumobject.c (`enum_reduce`, `reversed_reduce`, `reversed_setstate`) and bltinmodule.c
//! (`zip_reduce`, `zip_setstate`, `map_reduce`, `filter_reduce`).
//!
//! An exhausted iterator (state `Done`) has dropped what it walked, so it reduces to a
//! call of `iter` on an empty sequence, as CPython's do once `it_seq` is NULL.

use std::rc::Rc;

use super::argspec::{self, Spec, Style};
use super::interp::Vm;
use super::object::{Args, Iter, IterState, NativeFn, Value};
use super::PyResult;

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("list_iterator", "__length_hint__", length_hint),
    ("list_reverseiterator", "__length_hint__", length_hint),
    ("tuple_iterator", "__length_hint__", length_hint),
    ("str_iterator", "__length_hint__", length_hint),
    ("str_ascii_iterator", "__length_hint__", length_hint),
    ("bytes_iterator", "__length_hint__", length_hint),
    ("list_iterator", "__reduce__", reduce),
    ("list_reverseiterator", "__reduce__", reduce),
    ("tuple_iterator", "__reduce__", reduce),
    ("range_iterator", "__reduce__", reduce),
    ("longrange_iterator", "__reduce__", reduce),
    ("str_iterator", "__reduce__", reduce),
    ("str_ascii_iterator", "__reduce__", reduce),
    ("bytes_iterator", "__reduce__", reduce),
    ("dict_keyiterator", "__reduce__", reduce),
    ("dict_valueiterator", "__reduce__", reduce),
    ("dict_itemiterator", "__reduce__", reduce),
    ("dict_reversekeyiterator", "__reduce__", reduce),
    ("dict_reversevalueiterator", "__reduce__", reduce),
    ("dict_reverseitemiterator", "__reduce__", reduce),
    ("set_iterator", "__reduce__", reduce),
    ("iterator", "__reduce__", reduce),
    ("callable_iterator", "__reduce__", reduce),
    ("reversed", "__reduce__", reduce),
    ("enumerate", "__reduce__", reduce),
    ("zip", "__reduce__", reduce),
    ("map", "__reduce__", reduce),
    ("filter", "__reduce__", reduce),
    ("list_iterator", "__setstate__", setstate),
    ("list_reverseiterator", "__setstate__", setstate),
    ("tuple_iterator", "__setstate__", setstate),
    ("range_iterator", "__setstate__", setstate),
    ("longrange_iterator", "__setstate__", setstate),
    ("str_iterator", "__setstate__", setstate),
    ("str_ascii_iterator", "__setstate__", setstate),
    ("bytes_iterator", "__setstate__", setstate),
    ("iterator", "__setstate__", setstate),
    ("reversed", "__setstate__", setstate),
    ("zip", "__setstate__", setstate),
];

/// The iterator a method was called on.
fn this(vm: &Vm, args: &Args, what: &str) -> PyResult<Rc<Iter>> {
    match args.pos.first() {
        Some(Value::Iter(it)) => Ok(it.clone()),
        _ => Err(vm.bug(format!("an iterator's {what} without one"))),
    }
}

fn length_hint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let it = this(vm, &args, "__length_hint__")?;
    let owner = super::protocol::iter_type_name(&it.state.borrow());
    argspec::no_args(vm, &args, owner, "__length_hint__")?;
    let left = match &*it.state.borrow() {
        IterState::List {
            list,
            index,
            reversed: false,
        } => list.items.borrow().len().saturating_sub(*index),
        IterState::List {
            list,
            index,
            reversed: true,
        } => {
            if *index <= list.items.borrow().len() {
                *index
            } else {
                0
            }
        }
        IterState::Tuple { items, index } => items.len().saturating_sub(*index),
        IterState::Keys { items, index, .. } => items.len().saturating_sub(*index),
        IterState::Str { chars, index, .. } => chars.len().saturating_sub(*index),
        IterState::Done(_) => 0,
        _ => return Err(vm.unsupported(format!("{owner}.__length_hint__"))),
    };
    Ok(Value::Int(left as i64))
}

/// `_PyEval_GetBuiltin(name)`: the current frame's builtins' `name` (a lookup that may run
/// a user key's `__eq__`), AttributeError when missing.
pub fn get_builtin(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let builtins = match vm.frames.last() {
        Some(f) => f.builtins.clone(),
        None => vm.builtins.clone(),
    };
    match vm.dict_get(&builtins, &Value::str(name))? {
        Some(v) => Ok(v),
        None => Err(vm.err("AttributeError", name)),
    }
}

/// `(callable, (arg,), state)` or, without a state, `(callable, (arg,))`.
fn reduced(callable: Value, arg: Value, state: Option<Value>) -> Value {
    let mut out = vec![callable, Value::tuple(vec![arg])];
    out.extend(state);
    Value::tuple(out)
}

/// The type of `args.pos[0]` as a value (`Py_TYPE(self)` in the reduce functions of
/// `reversed`, `enumerate`, `zip`, `map`, `filter`).
fn own_type(vm: &Vm, args: &Args) -> Value {
    Value::Type(vm.type_of(&args.pos[0]))
}

fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let it = this(vm, &args, "__reduce__")?;
    let owner = super::protocol::iter_type_name(&it.state.borrow());
    argspec::no_args(vm, &args, owner, "__reduce__")?;
    // Which builtin CPython looks up before it reads the state (issue #101765: the lookup
    // can run code that exhausts the iterator); dict and set iterators and ranges build
    // their argument first.
    let first = match &*it.state.borrow() {
        IterState::List { reversed: true, .. } => Some("reversed"),
        IterState::Reversed { .. }
        | IterState::Enumerate { .. }
        | IterState::Zip { .. }
        | IterState::Map { .. }
        | IterState::Filter { .. }
        | IterState::Dict { .. }
        | IterState::DictReversed { .. }
        | IterState::Set { .. }
        | IterState::Range { .. }
        | IterState::LongRange(_) => None,
        _ => Some("iter"),
    };
    let looked_up = match first {
        Some(name) => Some(get_builtin(vm, name)?),
        None => None,
    };
    let iter_fn = |vm: &mut Vm, looked: Option<Value>| match looked {
        Some(v) => Ok(v),
        None => get_builtin(vm, "iter"),
    };
    // What the state gives, read after the lookup.
    enum Parts {
        Seq(Value, i64),
        Empty(Value),
        Built(Value),
        Remaining(Vec<Value>),
        Range(super::range::Range),
    }
    let parts = {
        let state = it.state.borrow();
        match &*state {
            IterState::List {
                list,
                index,
                reversed,
            } => Parts::Seq(
                Value::List(list.clone()),
                if *reversed {
                    i64::try_from(*index).unwrap_or(i64::MAX) - 1
                } else {
                    i64::try_from(*index).unwrap_or(i64::MAX)
                },
            ),
            IterState::Tuple { items, index } => Parts::Seq(
                Value::Tuple(items.clone()),
                i64::try_from(*index).unwrap_or(i64::MAX),
            ),
            IterState::Str { text, index, .. } => Parts::Seq(
                Value::Str(text.clone()),
                i64::try_from(*index).unwrap_or(i64::MAX),
            ),
            IterState::Keys { source, index, .. } => {
                Parts::Seq(source.clone(), i64::try_from(*index).unwrap_or(i64::MAX))
            }
            IterState::Seq { seq, index } => Parts::Seq(seq.clone(), *index),
            IterState::Reversed { seq, index } => Parts::Seq(seq.clone(), *index),
            IterState::Callable { func, sentinel } => {
                Parts::Built(Value::tuple(vec![func.clone(), sentinel.clone()]))
            }
            IterState::Range { next, step, len } => {
                let (next, step, len) = (i128::from(*next), i128::from(*step), i128::from(*len));
                let num = |v: i128| match i64::try_from(v) {
                    Ok(i) => crate::arith::Num::Int(i),
                    Err(_) => crate::arith::Num::from_big(num_bigint::BigInt::from(v)),
                };
                Parts::Range(super::range::Range::new(
                    &num(next),
                    &num(next + len * step),
                    &num(step),
                ))
            }
            IterState::LongRange(l) => Parts::Range(l.remaining()),
            IterState::Enumerate { inner, count } => Parts::Built(Value::tuple(vec![
                inner.clone(),
                super::protocol::from_num(count.clone()),
            ])),
            IterState::Zip { inners, strict } => {
                let t = Value::tuple(vec![own_type(vm, &args), Value::tuple(inners.clone())]);
                if !*strict {
                    return Ok(t);
                }
                let Value::Tuple(items) = t else {
                    return Err(vm.bug("zip reduce"));
                };
                let mut items = items.to_vec();
                items.push(Value::Bool(true));
                return Ok(Value::tuple(items));
            }
            IterState::Map { func, inners } => {
                let mut a = vec![func.clone()];
                a.extend(inners.iter().cloned());
                Parts::Built(Value::tuple(a))
            }
            IterState::Filter { func, inner } => {
                Parts::Built(Value::tuple(vec![func.clone(), inner.clone()]))
            }
            IterState::Dict { .. } | IterState::DictReversed { .. } | IterState::Set { .. } => {
                drop(state);
                Parts::Remaining(remaining(vm, &it)?)
            }
            IterState::Done(name) => Parts::Empty(match *name {
                "list_iterator"
                | "list_reverseiterator"
                | "set_iterator"
                | "dict_keyiterator"
                | "dict_valueiterator"
                | "dict_itemiterator"
                | "dict_reversekeyiterator"
                | "dict_reversevalueiterator"
                | "dict_reverseitemiterator" => Value::list(Vec::new()),
                "str_iterator" | "str_ascii_iterator" => Value::str(""),
                "tuple_iterator" | "bytes_iterator" | "iterator" | "callable_iterator"
                | "reversed" => Value::tuple(Vec::new()),
                other => return Err(vm.unsupported(format!("{other}.__reduce__ once exhausted"))),
            }),
        }
    };
    let by_type = matches!(owner, "reversed" | "enumerate" | "map" | "filter");
    Ok(match parts {
        // `reversed_reduce` and the exhausted `reversed`: `(type, ((),))`.
        Parts::Empty(e) if owner == "reversed" => reduced(own_type(vm, &args), e, None),
        Parts::Empty(e) => {
            // `listiter_reduce_general` looks `iter` up again for the empty list.
            let f = if owner == "list_reverseiterator" {
                get_builtin(vm, "iter")?
            } else {
                iter_fn(vm, looked_up)?
            };
            reduced(f, e, None)
        }
        Parts::Seq(seq, index) => {
            let f = if owner == "reversed" {
                own_type(vm, &args)
            } else {
                iter_fn(vm, looked_up)?
            };
            reduced(f, seq, Some(Value::Int(index)))
        }
        Parts::Built(a) => {
            let f = if by_type {
                own_type(vm, &args)
            } else {
                iter_fn(vm, looked_up)?
            };
            Value::tuple(vec![f, a])
        }
        Parts::Remaining(items) => reduced(iter_fn(vm, None)?, Value::list(items), None),
        Parts::Range(r) => {
            let f = iter_fn(vm, None)?;
            reduced(f, Value::Range(Rc::new(r)), Some(Value::None))
        }
    })
}

/// `dictiter_reduce` and `setiter_reduce`: `list()` of a copy of the iterator, which makes
/// the same checks (a changed size is the copy's RuntimeError; the original is untouched).
fn remaining(vm: &mut Vm, it: &Iter) -> PyResult<Vec<Value>> {
    let mut copy = match &*it.state.borrow() {
        IterState::Dict {
            dict,
            pos,
            len,
            keys_version,
            kind,
            type_name,
        } => IterState::Dict {
            dict: dict.clone(),
            pos: *pos,
            len: *len,
            keys_version: *keys_version,
            kind: *kind,
            type_name,
        },
        IterState::DictReversed {
            dict,
            keys,
            len,
            keys_version,
            kind,
        } => IterState::DictReversed {
            dict: dict.clone(),
            keys: keys.clone(),
            len: *len,
            keys_version: *keys_version,
            kind: *kind,
        },
        IterState::Set { set, pos, used } => IterState::Set {
            set: set.clone(),
            pos: *pos,
            used: *used,
        },
        _ => return Err(vm.bug("remaining() of another iterator")),
    };
    // The copy steps as the iterator itself would (`iterstep`), with its checks.
    let mut out = Vec::new();
    while let Some(v) = vm.advance(&mut copy)? {
        out.push(v);
    }
    Ok(out)
}

/// `PyLong_AsSsize_t(state)`: an int (no `__index__`), else "an integer is required".
pub fn ssize_state(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::BigInt(_) => Err(vm.err("OverflowError", super::int::TOO_LARGE_SSIZE_T)),
        _ if vm.is_instance_of(v, "int") => {
            Err(vm.unsupported("an int subclass as an iterator state"))
        }
        _ => Err(vm.type_error("an integer is required")),
    }
}

fn clamp(index: i64, lo: i64, hi: i64) -> i64 {
    if index < lo {
        lo
    } else if index > hi {
        hi
    } else {
        index
    }
}

fn setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let it = this(vm, &args, "__setstate__")?;
    let owner = super::protocol::iter_type_name(&it.state.borrow());
    let [state] =
        Spec::method(owner, "__setstate__", Style::O, &["state"], 1).bind(vm, &args, 1)?;
    let state = argspec::required(state);
    let as_len = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    match owner {
        // `zip_setstate`: the state's truth is `strict`.
        "zip" => {
            let strict = vm.truthy(&state)?;
            if let IterState::Zip { strict: s, .. } = &mut *it.state.borrow_mut() {
                *s = strict;
            }
        }
        // `rangeiter_setstate`: `PyLong_AsLong` (with `__index__`), clipped.
        "range_iterator" => {
            let index = match vm.number_index(&state)? {
                Value::Int(i) => i,
                Value::Bool(b) => i64::from(b),
                _ => {
                    return Err(vm.err("OverflowError", "Python int too large to convert to C long"))
                }
            };
            if let IterState::Range { next, step, len } = &mut *it.state.borrow_mut() {
                let index = clamp(index, 0, *len);
                *next = next.wrapping_add(index.wrapping_mul(*step));
                *len -= index;
            }
        }
        // `longrangeiter_setstate` compares and computes with the state as given; only
        // ints are followed here.
        "longrange_iterator" => {
            let index = match &state {
                Value::Int(i) => num_bigint::BigInt::from(*i),
                Value::Bool(b) => num_bigint::BigInt::from(i64::from(*b)),
                Value::BigInt(b) => (**b).clone(),
                _ => return Err(vm.unsupported("longrange_iterator.__setstate__ of a non-int")),
            };
            if let IterState::LongRange(l) = &mut *it.state.borrow_mut() {
                l.skip(index);
            }
        }
        _ => {
            let index = ssize_state(vm, &state)?;
            // `reversed_setstate` asks the sequence's length (which may run code) first.
            let reversed_len = match &*it.state.borrow() {
                IterState::Reversed { seq, .. } => Some(seq.clone()),
                _ => None,
            };
            let reversed_len = match reversed_len {
                Some(seq) => Some(as_len(vm.len(&seq)?)),
                None => None,
            };
            match &mut *it.state.borrow_mut() {
                IterState::List {
                    list,
                    index: i,
                    reversed: false,
                } => *i = clamp(index, 0, as_len(list.items.borrow().len())) as usize,
                // The VM's index is CPython's `it_index + 1`.
                IterState::List {
                    list,
                    index: i,
                    reversed: true,
                } => *i = (clamp(index, -1, as_len(list.items.borrow().len()) - 1) + 1) as usize,
                IterState::Tuple { items, index: i } => {
                    *i = clamp(index, 0, as_len(items.len())) as usize
                }
                IterState::Str {
                    chars, index: i, ..
                } => *i = clamp(index, 0, as_len(chars.len())) as usize,
                IterState::Keys {
                    items, index: i, ..
                } => *i = clamp(index, 0, as_len(items.len())) as usize,
                IterState::Seq { index: i, .. } => *i = index.max(0),
                IterState::Reversed { index: i, .. } => {
                    if let Some(n) = reversed_len {
                        *i = clamp(index, -1, n - 1);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(Value::None)
}
