//! The iterators that filter, map or group another one: accumulate, compress, dropwhile,
//! takewhile, filterfalse, starmap, groupby and its `_grouper`.

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::PyResult;
use super::{make, spend, State};

/// The constructors not in `super::construct`; `name` is the registry key.
pub fn construct(vm: &mut Vm, name: &str, args: Args) -> PyResult<Value> {
    match name {
        "accumulate" => accumulate_new(vm, args),
        "compress" => compress_new(vm, args),
        "dropwhile" => predicate_new(vm, args, "dropwhile"),
        "takewhile" => predicate_new(vm, args, "takewhile"),
        "filterfalse" => predicate_new(vm, args, "filterfalse"),
        "starmap" => starmap_new(vm, args),
        "groupby" => groupby_new(vm, args),
        other => Err(vm.bug(format!("itertools has no type {other}"))),
    }
}

/// `accumulate(iterable, func=None, *, initial=None)`.
fn accumulate_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, func, initial] = Spec::function(
        "accumulate",
        Style::Keywords,
        &["iterable", "func", "initial"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "accumulate",
        State::Accumulate {
            it,
            func: func.unwrap_or(Value::None),
            total: None,
            initial: initial.filter(|v| !v.is_none()),
        },
    ))
}

/// `compress(data, selectors)`.
fn compress_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, selectors] = Spec::function("compress", Style::Keywords, &["data", "selectors"], 2)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let data = vm.iter(&argspec::required(data))?;
    let selectors = vm.iter(&argspec::required(selectors))?;
    Ok(make("compress", State::Compress { data, selectors }))
}

/// `dropwhile(predicate, iterable, /)`, `takewhile` and `filterfalse` (`function_or_None`
/// for filterfalse: None keeps the false items).
fn predicate_new(vm: &mut Vm, args: Args, kind: &'static str) -> PyResult<Value> {
    let [func, iterable] = Spec::function(kind, Style::Positional, &["predicate", "iterable"], 2)
        .bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        kind,
        State::Predicate {
            func: argspec::required(func),
            it,
            stop: false,
        },
    ))
}

/// `starmap(function, iterable, /)`.
fn starmap_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [func, iterable] =
        Spec::function("starmap", Style::Positional, &["function", "iterable"], 2)
            .bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "starmap",
        State::Starmap {
            func: argspec::required(func),
            it,
        },
    ))
}

/// `groupby(iterable, key=None)`.
fn groupby_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, key] = Spec::function("groupby", Style::Keywords, &["iterable", "key"], 1)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "groupby",
        State::GroupBy {
            it,
            keyfunc: key.unwrap_or(Value::None),
            tgtkey: None,
            currkey: None,
            currvalue: None,
            grouper: 0,
        },
    ))
}

/// The steps of the types of this file; `me` is the iterator, `kind` its type.
pub fn step(
    vm: &mut Vm,
    me: &Value,
    kind: &'static str,
    state: &mut State,
) -> PyResult<Option<Value>> {
    match state {
        State::Accumulate {
            it,
            func,
            total,
            initial,
        } => {
            // accumulate_next: the initial value first, then running totals.
            if let Some(init) = initial.take() {
                *total = Some(init.clone());
                return Ok(Some(init));
            }
            let Some(v) = vm.next(&it.clone())? else {
                return Ok(None);
            };
            let new = match total.clone() {
                None => v,
                Some(t) if func.is_none() => {
                    vm.binary(crate::oparg::BinaryOp::Add, &t, &v, false)?
                }
                Some(t) => vm.call(&func.clone(), Args::new(vec![t, v]))?,
            };
            *total = Some(new.clone());
            Ok(Some(new))
        }
        State::Compress { data, selectors } => loop {
            spend(vm)?;
            // compress_next: a datum, then its selector; either ending ends it.
            let Some(d) = vm.next(&data.clone())? else {
                return Ok(None);
            };
            let Some(s) = vm.next(&selectors.clone())? else {
                return Ok(None);
            };
            if vm.truthy(&s)? {
                return Ok(Some(d));
            }
        },
        State::Predicate { func, it, stop } => {
            let (func, it) = (func.clone(), it.clone());
            predicate_step(vm, kind, &func, &it, stop)
        }
        State::Starmap { func, it } => {
            let Some(args) = vm.next(&it.clone())? else {
                return Ok(None);
            };
            // starmap_next: the item as a tuple of arguments (`PySequence_Tuple`).
            let args = match args {
                Value::Tuple(t) => t.to_vec(),
                other => vm.collect(&other)?,
            };
            Ok(Some(vm.call(&func.clone(), Args::new(args))?))
        }
        State::GroupBy { .. } => groupby_next(vm, me, state),
        State::Grouper { parent, tgtkey, id } => {
            let (parent, tgtkey, id) = (parent.clone(), tgtkey.clone(), *id);
            grouper_next(vm, &parent, &tgtkey, id)
        }
        _ => Err(vm.bug("an itertools state without a step")),
    }
}

fn predicate_step(
    vm: &mut Vm,
    kind: &str,
    func: &Value,
    it: &Value,
    stop: &mut bool,
) -> PyResult<Option<Value>> {
    match kind {
        "dropwhile" => loop {
            spend(vm)?;
            let Some(v) = vm.next(it)? else {
                return Ok(None);
            };
            if *stop {
                return Ok(Some(v));
            }
            let r = vm.call1(func, v.clone())?;
            if !vm.truthy(&r)? {
                *stop = true;
                return Ok(Some(v));
            }
        },
        "takewhile" => {
            if *stop {
                return Ok(None);
            }
            let Some(v) = vm.next(it)? else {
                return Ok(None);
            };
            let r = vm.call1(func, v.clone())?;
            if vm.truthy(&r)? {
                return Ok(Some(v));
            }
            *stop = true;
            Ok(None)
        }
        _ => loop {
            spend(vm)?;
            let Some(v) = vm.next(it)? else {
                return Ok(None);
            };
            let keep = if func.is_none() {
                vm.truthy(&v)?
            } else {
                let r = vm.call1(func, v.clone())?;
                vm.truthy(&r)?
            };
            if !keep {
                return Ok(Some(v));
            }
        },
    }
}

/// `groupby_step`: the next value and its key into `currvalue` / `currkey`; false at the
/// end.
fn groupby_step(vm: &mut Vm, state: &mut State) -> PyResult<bool> {
    let State::GroupBy { it, keyfunc, .. } = state else {
        return Err(vm.bug("groupby_step without a groupby"));
    };
    let (it, keyfunc) = (it.clone(), keyfunc.clone());
    let Some(v) = vm.next(&it)? else {
        return Ok(false);
    };
    let key = if keyfunc.is_none() {
        v.clone()
    } else {
        vm.call1(&keyfunc, v.clone())?
    };
    if let State::GroupBy {
        currkey, currvalue, ..
    } = state
    {
        *currvalue = Some(v);
        *currkey = Some(key);
    }
    Ok(true)
}

/// `groupby_next`: skip the rest of the current group, then `(key, _grouper)`.
fn groupby_next(vm: &mut Vm, me: &Value, state: &mut State) -> PyResult<Option<Value>> {
    if let State::GroupBy { grouper, .. } = state {
        // `currgrouper = NULL`: the previous grouper ends.
        *grouper += 1;
    }
    loop {
        spend(vm)?;
        let State::GroupBy {
            tgtkey, currkey, ..
        } = state
        else {
            return Err(vm.bug("groupby_next without a groupby"));
        };
        match (tgtkey.clone(), currkey.clone()) {
            (_, None) => {}
            (None, Some(_)) => break,
            (Some(t), Some(c)) => {
                if !vm.eq_bool(&t, &c)? {
                    break;
                }
            }
        }
        if !groupby_step(vm, state)? {
            return Ok(None);
        }
    }
    let State::GroupBy {
        tgtkey,
        currkey,
        grouper,
        ..
    } = state
    else {
        return Err(vm.bug("groupby_next without a groupby"));
    };
    let key = currkey.clone().unwrap_or(Value::None);
    *tgtkey = Some(key.clone());
    *grouper += 1;
    let g = make(
        "_grouper",
        State::Grouper {
            parent: me.clone(),
            tgtkey: key.clone(),
            id: *grouper,
        },
    );
    Ok(Some(Value::tuple(vec![key, g])))
}

/// `_grouper_next`: the parent's current value while its key equals the grouper's.
fn grouper_next(vm: &mut Vm, parent: &Value, tgtkey: &Value, id: u64) -> PyResult<Option<Value>> {
    let Value::Native(n) = parent else {
        return Err(vm.bug("a _grouper without its groupby"));
    };
    let Native::Itertool(t) = &**n else {
        return Err(vm.bug("a _grouper without its groupby"));
    };
    let mut state = std::mem::replace(&mut *t.state.borrow_mut(), State::Busy);
    if matches!(state, State::Busy) {
        return Err(vm.unsupported("a _grouper stepped from inside its groupby's key function"));
    }
    let r = grouper_step(vm, &mut state, tgtkey, id);
    *t.state.borrow_mut() = state;
    r
}

fn grouper_step(
    vm: &mut Vm,
    state: &mut State,
    tgtkey: &Value,
    id: u64,
) -> PyResult<Option<Value>> {
    let State::GroupBy {
        grouper, currvalue, ..
    } = state
    else {
        return Err(vm.bug("a _grouper's parent is not a groupby"));
    };
    // `gbo->currgrouper != igo`: a later group has started.
    if *grouper != id {
        return Ok(None);
    }
    if currvalue.is_none() && !groupby_step(vm, state)? {
        return Ok(None);
    }
    let State::GroupBy { currkey, .. } = state else {
        return Err(vm.bug("a _grouper's parent is not a groupby"));
    };
    let Some(c) = currkey.clone() else {
        return Ok(None);
    };
    if !vm.eq_bool(tgtkey, &c)? {
        return Ok(None);
    }
    let State::GroupBy { currvalue, .. } = state else {
        return Err(vm.bug("a _grouper's parent is not a groupby"));
    };
    Ok(currvalue.take())
}
