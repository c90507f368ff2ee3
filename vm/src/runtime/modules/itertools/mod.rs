//! `itertools` (CPython `Modules/itertoolsmodule.c`): its iterator types, each an object
//! whose `__iter__` is itself and whose `__next__` makes CPython's items in CPython's
//! order. Every call back into Python (a key function, a predicate, a user iterator) goes
//! through `Vm::call` and `Vm::next`, so user classes and generators work and their
//! exceptions propagate. `simple` holds the filtering and mapping iterators,
//! `combinatoric` product, permutations and the combinations, `tee` tee and `_tee`.
//! Pickling (`__reduce__`, `__setstate__`) and `__copy__` are left out (`reach` reports
//! them unsupported).

mod combinatoric;
mod simple;
mod tee;

use std::cell::RefCell;
use std::rc::Rc;

use super::super::argspec::{self, Spec, Style};
use super::super::dict::Dict;
use super::super::gc::{self, Clear};
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// The iterator types, by their registry key (`itertools.X` is their tp_name).
pub const TYPES: &[&str] = &[
    "accumulate",
    "batched",
    "chain",
    "combinations",
    "combinations_with_replacement",
    "compress",
    "count",
    "cycle",
    "dropwhile",
    "filterfalse",
    "groupby",
    "_grouper",
    "islice",
    "pairwise",
    "permutations",
    "product",
    "repeat",
    "starmap",
    "takewhile",
    "_tee",
    "_tee_dataobject",
    "zip_longest",
];

/// One itertools iterator: its type's registry key and its state.
#[derive(Debug)]
pub struct Itertool {
    pub kind: &'static str,
    pub state: RefCell<State>,
}

/// The state of each kind of iterator (the fields of CPython's structs).
#[derive(Debug)]
pub enum State {
    /// `countobject`: the next value and the step (`cnt`/`long_cnt`, `long_step`).
    Count {
        cnt: Value,
        step: Value,
    },
    /// `cycleobject`: the source until it ends, then the saved items by index.
    Cycle {
        it: Option<Value>,
        saved: Vec<Value>,
        index: usize,
    },
    /// `repeatobject`: `cnt` is `None` for an endless repeat.
    Repeat {
        element: Value,
        cnt: Option<i64>,
    },
    Accumulate {
        it: Value,
        func: Value,
        total: Option<Value>,
        initial: Option<Value>,
    },
    /// `chainobject`: the iterable of iterables and the one being read.
    Chain {
        source: Option<Value>,
        active: Option<Value>,
    },
    Compress {
        data: Value,
        selectors: Value,
    },
    /// dropwhile, takewhile (`stop` once the predicate failed: `dropwhileobject.start`,
    /// `takewhileobject.stop`) and filterfalse (`stop` unused).
    Predicate {
        func: Value,
        it: Value,
        stop: bool,
    },
    Starmap {
        func: Value,
        it: Value,
    },
    /// `groupbyobject`; `grouper` numbers the current `_grouper` (CPython compares its
    /// address, `currgrouper`).
    GroupBy {
        it: Value,
        keyfunc: Value,
        tgtkey: Option<Value>,
        currkey: Option<Value>,
        currvalue: Option<Value>,
        grouper: u64,
    },
    Grouper {
        parent: Value,
        tgtkey: Value,
        id: u64,
    },
    /// `isliceobject`: `it` is `None` once exhausted; `stop` `None` for no stop.
    Islice {
        it: Option<Value>,
        next: i64,
        stop: Option<i64>,
        step: i64,
        cnt: i64,
    },
    Pairwise {
        it: Option<Value>,
        old: Option<Value>,
    },
    ZipLongest {
        its: Vec<Option<Value>>,
        active: usize,
        fill: Value,
    },
    Batched {
        it: Option<Value>,
        n: usize,
    },
    Tee(tee::Tee),
    Product(combinatoric::Product),
    Permutations(combinatoric::Permutations),
    Combinations(combinatoric::Combinations),
    /// While `__next__` runs with the state taken out (see [`next_of`]).
    Busy,
}

impl Clear for Native {
    fn clear_into(&self, out: &mut Vec<Value>) {
        super::collections::clear_into(self, out);
        if let Native::Itertool(t) = self {
            if let Ok(mut s) = t.state.try_borrow_mut() {
                out.extend(values_of(std::mem::replace(&mut *s, State::Busy)));
            }
        }
        super::functools::clear_into(self, out);
        super::asyncio::future::clear_into(self, out);
        super::contextvars::clear_into(self, out);
    }

    fn can_close_cycle(&self) -> bool {
        matches!(
            self,
            Native::Itertool(_) | Native::Future(_) | Native::FutureIter(_) | Native::Context(_)
        ) || super::functools::can_close_cycle(self)
            || super::collections::can_close_cycle(self)
    }
}

/// The values a state holds (moved out at teardown, see `gc`).
fn values_of(s: State) -> Vec<Value> {
    let o = |v: Option<Value>| v.into_iter();
    match s {
        State::Count { cnt, step } => vec![cnt, step],
        State::Cycle { it, saved, .. } => o(it).chain(saved).collect(),
        State::Repeat { element, .. } => vec![element],
        State::Accumulate {
            it,
            func,
            total,
            initial,
        } => [it, func]
            .into_iter()
            .chain(o(total))
            .chain(o(initial))
            .collect(),
        State::Chain { source, active } => o(source).chain(o(active)).collect(),
        State::Compress { data, selectors } => vec![data, selectors],
        State::Predicate { func, it, .. } | State::Starmap { func, it } => vec![func, it],
        State::GroupBy {
            it,
            keyfunc,
            tgtkey,
            currkey,
            currvalue,
            ..
        } => [it, keyfunc]
            .into_iter()
            .chain(o(tgtkey))
            .chain(o(currkey))
            .chain(o(currvalue))
            .collect(),
        State::Grouper { parent, tgtkey, .. } => vec![parent, tgtkey],
        State::Islice { it, .. } | State::Batched { it, .. } => o(it).collect(),
        State::Pairwise { it, old } => o(it).chain(o(old)).collect(),
        State::ZipLongest { its, fill, .. } => its.into_iter().flatten().chain([fill]).collect(),
        State::Tee(t) => t.values(),
        State::Product(p) => p.values(),
        State::Permutations(p) => p.values(),
        State::Combinations(c) => c.values(),
        State::Busy => Vec::new(),
    }
}

/// A new iterator object of `kind`.
pub fn make(kind: &'static str, state: State) -> Value {
    Value::Native(gc::alloc(Native::Itertool(Itertool {
        kind,
        state: RefCell::new(state),
    })))
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    for &name in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
    super::add_functions(d, "itertools", &[("tee", tee::tee)]);
}

/// Calling one of the types (`itertools.chain(a, b)`); `name` is its tp_name.
pub fn construct(vm: &mut Vm, name: &str, args: Args) -> PyResult<Value> {
    match name.strip_prefix("itertools.").unwrap_or(name) {
        "count" => count_new(vm, args),
        "cycle" => cycle_new(vm, args),
        "repeat" => repeat_new(vm, args),
        "chain" => chain_new(vm, args),
        "islice" => islice_new(vm, args),
        "zip_longest" => zip_longest_new(vm, args),
        "batched" => batched_new(vm, args),
        "pairwise" => pairwise_new(vm, args),
        "_tee" => tee::tee_new(vm, args),
        "product" => combinatoric::product_new(vm, args),
        "permutations" => combinatoric::permutations_new(vm, args),
        "combinations" => combinatoric::combinations_new(vm, args, false),
        "combinations_with_replacement" => combinatoric::combinations_new(vm, args, true),
        "_grouper" | "_tee_dataobject" => {
            Err(vm.unsupported(format!("calling {name} (CPython's internal type) directly")))
        }
        other => simple::construct(vm, other, args),
    }
}

/// `repr()`: count and repeat show their state (`count_repr`, `repeat_repr`), the others
/// are `<itertools.chain object at 0x…>`.
pub fn repr(vm: &mut Vm, v: &Value, t: &Itertool) -> PyResult<String> {
    let shown = match &*t.state.borrow() {
        State::Count { cnt, step } => Some((cnt.clone(), Some(step.clone()), true)),
        State::Repeat { element, cnt } => Some((element.clone(), cnt.map(Value::Int), false)),
        _ => None,
    };
    match shown {
        Some((first, second, is_count)) => {
            let a = vm.repr(&first)?;
            // count_repr leaves out a step that is an int equal to 1.
            let one = |s: &Value| matches!(s.builtin_value(), Value::Int(1) | Value::Bool(true));
            match second {
                Some(s) if !(is_count && one(&s)) => {
                    let b = vm.repr(&s)?;
                    Ok(format!("{}({a}, {b})", t.kind))
                }
                _ => Ok(format!("{}({a})", t.kind)),
            }
        }
        None => Ok(format!(
            "<itertools.{} object at {:#x}>",
            t.kind,
            v.address()
        )),
    }
}

/// The receiver of an itertools method (`check_receiver` has checked its type).
fn receiver(vm: &Vm, args: &Args) -> PyResult<Rc<Native>> {
    match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::Itertool(_)) => Ok(n.clone()),
        _ => Err(vm.bug("an itertools method without its iterator")),
    }
}

/// `__iter__`: the iterator itself (`PyObject_SelfIter`).
fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("itertools", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}

/// `__next__`: the next item, or StopIteration.
fn next_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("itertools", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let n = receiver(vm, &args)?;
    match next_of(vm, &n)? {
        Some(v) => Ok(v),
        None => Err(vm.err_args("StopIteration", Vec::new())),
    }
}

/// One step of an itertools iterator. The state is taken out while the step runs, so a
/// callback may run any Python code; a callback that steps the same iterator again finds
/// it busy, which is unsupported (CPython's answers there depend on each type's C code).
pub fn next_of(vm: &mut Vm, n: &Rc<Native>) -> PyResult<Option<Value>> {
    let Native::Itertool(t) = &**n else {
        return Err(vm.bug("itertools __next__ on another object"));
    };
    let mut state = std::mem::replace(&mut *t.state.borrow_mut(), State::Busy);
    if matches!(state, State::Busy) {
        return Err(vm.unsupported(format!(
            "itertools.{} stepped again from inside its own __next__",
            t.kind
        )));
    }
    let me = Value::Native(n.clone());
    let result = step(vm, &me, t.kind, &mut state);
    *t.state.borrow_mut() = state;
    result
}

fn step(vm: &mut Vm, me: &Value, kind: &'static str, state: &mut State) -> PyResult<Option<Value>> {
    match state {
        State::Count { cnt, step } => {
            let r = cnt.clone();
            let stepped = vm.binary(crate::oparg::BinaryOp::Add, &r, &step.clone(), false)?;
            *cnt = stepped;
            Ok(Some(r))
        }
        State::Cycle { it, saved, index } => {
            if let Some(i) = it.clone() {
                if let Some(v) = vm.next(&i)? {
                    saved.push(v.clone());
                    return Ok(Some(v));
                }
                *it = None;
            }
            if saved.is_empty() {
                return Ok(None);
            }
            let v = saved.get(*index).cloned();
            *index = (*index + 1) % saved.len();
            Ok(v)
        }
        State::Repeat { element, cnt } => match cnt {
            None => Ok(Some(element.clone())),
            Some(0) => Ok(None),
            Some(c) => {
                *c -= 1;
                Ok(Some(element.clone()))
            }
        },
        State::Chain { source, active } => loop {
            spend(vm)?;
            if let Some(a) = active.clone() {
                if let Some(v) = vm.next(&a)? {
                    return Ok(Some(v));
                }
                *active = None;
            }
            let Some(s) = source.clone() else {
                return Ok(None);
            };
            match vm.next(&s)? {
                Some(iterable) => *active = Some(vm.iter(&iterable)?),
                None => {
                    *source = None;
                    return Ok(None);
                }
            }
        },
        State::Islice {
            it,
            next,
            stop,
            step,
            cnt,
        } => {
            let Some(i) = it.clone() else {
                return Ok(None);
            };
            // islice_next: skip to `next`, then return one item unless past `stop`.
            let stop_at = stop.unwrap_or(i64::MAX);
            while *cnt < *next {
                spend(vm)?;
                if vm.next(&i)?.is_none() {
                    *it = None;
                    return Ok(None);
                }
                *cnt += 1;
            }
            if stop.is_some() && *cnt >= stop_at {
                *it = None;
                return Ok(None);
            }
            let Some(item) = vm.next(&i)? else {
                *it = None;
                return Ok(None);
            };
            *cnt += 1;
            let old = *next;
            *next = next.saturating_add(*step);
            if *next < old || (stop.is_some() && *next > stop_at) {
                *next = stop_at;
            }
            Ok(Some(item))
        }
        State::Pairwise { it, old } => {
            let Some(i) = it.clone() else {
                return Ok(None);
            };
            let first = match old.take() {
                Some(o) => o,
                None => match vm.next(&i)? {
                    Some(v) => v,
                    None => {
                        *it = None;
                        return Ok(None);
                    }
                },
            };
            match vm.next(&i)? {
                Some(new) => {
                    *old = Some(new.clone());
                    Ok(Some(Value::tuple(vec![first, new])))
                }
                None => {
                    *it = None;
                    Ok(None)
                }
            }
        }
        State::ZipLongest { its, active, fill } => {
            if its.is_empty() || *active == 0 {
                return Ok(None);
            }
            let mut out = Vec::with_capacity(its.len());
            for slot in its.iter_mut() {
                let item = match slot.clone() {
                    None => fill.clone(),
                    // zip_longest_next: an error from a source ends the iterator.
                    Some(i) => match vm.next(&i).inspect_err(|_| *active = 0)? {
                        Some(v) => v,
                        None => {
                            *slot = None;
                            *active -= 1;
                            if *active == 0 {
                                return Ok(None);
                            }
                            fill.clone()
                        }
                    },
                };
                out.push(item);
            }
            Ok(Some(Value::tuple(out)))
        }
        State::Batched { it, n } => {
            let Some(i) = it.clone() else {
                return Ok(None);
            };
            let mut out = Vec::new();
            while out.len() < *n {
                match vm.next(&i)? {
                    Some(v) => out.push(v),
                    None => {
                        *it = None;
                        break;
                    }
                }
            }
            Ok(if out.is_empty() {
                None
            } else {
                Some(Value::tuple(out))
            })
        }
        State::Tee(t) => t.next(vm),
        State::Product(p) => p.next(vm),
        State::Permutations(p) => p.next(vm),
        State::Combinations(c) => c.next(vm),
        State::Busy => Err(vm.bug("an itertools state left busy")),
        other => simple::step(vm, me, kind, other),
    }
}

/// One unit of fuel for a native loop that may not end (`dropwhile(bool, repeat(1))`
/// runs forever in CPython): it ends as out of fuel, as the same loop in Python would,
/// and polls the heap as the evaluator does per instruction.
pub fn spend(vm: &mut Vm) -> PyResult<()> {
    vm.spend_fuel(1)?;
    vm.check_heap()
}

/// A `Py_ssize_t` argument (`PyNumber_AsSsize_t` / clinic's `ssize_t` converter).
pub fn ssize(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    argspec::index(vm, v)
}

/// `count(start=0, step=1)` (clinic `itertools_count_impl`).
fn count_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [start, step] = Spec::function("count", Style::Keywords, &["start", "step"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    // PyNumber_Check: ints, floats, complex numbers and objects with __index__, __int__
    // or __float__.
    let number = |vm: &Vm, v: &Value| match v.builtin_value() {
        Value::Int(_)
        | Value::Bool(_)
        | Value::BigInt(_)
        | Value::Float(_)
        | Value::Complex(..) => true,
        o @ Value::Object(_) => ["__index__", "__int__", "__float__", "__complex__"]
            .iter()
            .any(|m| vm.special(o, m).is_some()),
        _ => false,
    };
    if start.as_ref().is_some_and(|v| !number(vm, v))
        || step.as_ref().is_some_and(|v| !number(vm, v))
    {
        return Err(vm.type_error("a number is required"));
    }
    let is_int = |v: &Value| matches!(v, Value::Int(_) | Value::Bool(_) | Value::BigInt(_));
    let step_one = match &step {
        None => true,
        Some(s) => matches!(s, Value::Int(1) | Value::Bool(true)),
    };
    let mut cnt = start.unwrap_or(Value::Int(0));
    let mut step = step.unwrap_or(Value::Int(1));
    // Fast mode (an int start and a step of int 1) counts in a C integer: a bool start or
    // step becomes an int.
    if step_one && is_int(&cnt) {
        if let Value::Bool(b) = cnt {
            cnt = Value::Int(i64::from(b));
        }
        step = Value::Int(1);
    }
    Ok(make("count", State::Count { cnt, step }))
}

/// `cycle(iterable, /)`.
fn cycle_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] =
        Spec::function("cycle", Style::Positional, &["iterable"], 1).bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "cycle",
        State::Cycle {
            it: Some(it),
            saved: Vec::new(),
            index: 0,
        },
    ))
}

/// `repeat(object, times=…)` (`PyArg_ParseTupleAndKeywords` "O|n:repeat"): a negative
/// count is 0.
fn repeat_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [element, times] = Spec::function("repeat", Style::Keywords, &["object", "times"], 1)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let cnt = match times {
        Some(t) => Some(ssize(vm, &t)?.max(0)),
        None => None,
    };
    Ok(make(
        "repeat",
        State::Repeat {
            element: argspec::required(element),
            cnt,
        },
    ))
}

/// `chain(*iterables)`: no keywords (`_PyArg_NoKeywords`).
fn chain_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function("chain", Style::VarArgs, &[], 0).parse(vm, &args, 0)?;
    let source = vm.iter(&Value::tuple(args.pos))?;
    Ok(make(
        "chain",
        State::Chain {
            source: Some(source),
            active: None,
        },
    ))
}

/// `chain.from_iterable(iterable)`, a class method (METH_O | METH_CLASS).
fn chain_from_iterable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] =
        Spec::method("chain", "from_iterable", Style::O, &["iterable"], 1).bind(vm, &args, 1)?;
    if !matches!(args.pos.first(), Some(Value::Type(t)) if *t.name() == *"itertools.chain") {
        return Err(vm.unsupported("chain.from_iterable of a subclass of chain"));
    }
    let source = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "chain",
        State::Chain {
            source: Some(source),
            active: None,
        },
    ))
}

/// `islice(iterable, stop)` / `islice(iterable, start, stop[, step])` (`islice_new`).
fn islice_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function(
        "islice",
        Style::Positional,
        &["iterable", "start", "stop", "step"],
        2,
    )
    .parse(vm, &args, 0)?;
    let a = &args.pos;
    // `PyNumber_AsSsize_t(v, PyExc_OverflowError)`: an error (not an int, an int beyond
    // the ssize_t range, `__index__` failed) is cleared and reads as -1.
    let ssize = |vm: &mut Vm, v: &Value| -> i64 {
        let index = match v.builtin_value() {
            Value::Bool(b) => return i64::from(*b),
            Value::Int(i) => return *i,
            o @ (Value::Object(_) | Value::Native(_)) if vm.has_index(o) => vm.try_index(o),
            _ => return -1,
        };
        match index {
            Ok(Some(Value::Int(i))) => i,
            _ => -1,
        }
    };
    // (`islice_new`: None is "no bound"; a stop of -1, an error included, is its own
    // message, any other negative the general one.)
    let stop_error =
        "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let stop_arg = |vm: &mut Vm, v: &Value| -> PyResult<Option<i64>> {
        if v.is_none() {
            return Ok(None);
        }
        match ssize(vm, v) {
            -1 => Err(vm.value_error(stop_error)),
            n => Ok(Some(n)),
        }
    };
    let (start, stop) = if a.len() == 2 {
        (0, stop_arg(vm, &a[1])?)
    } else {
        let start = if a[1].is_none() { 0 } else { ssize(vm, &a[1]) };
        (start, stop_arg(vm, &a[2])?)
    };
    if start < 0 || stop.is_some_and(|n| n < -1) {
        return Err(vm.value_error(
            "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
        ));
    }
    let (start, stop) = (Some(start), stop);
    // The step: None, or an int 1 <= x <= sys.maxsize.
    let arg = |vm: &mut Vm, v: &Value| -> PyResult<Option<Option<i64>>> {
        if v.is_none() {
            return Ok(Some(None));
        }
        Ok(match ssize(vm, v) {
            n if n >= 0 => Some(Some(n)),
            _ => None,
        })
    };
    let (start, stop, step) = if a.len() == 2 {
        (start, stop, None)
    } else {
        let step = match a.get(3) {
            None => None,
            Some(s) => match arg(vm, s)? {
                Some(Some(0)) | None => {
                    return Err(
                        vm.value_error("Step for islice() must be a positive integer or None.")
                    )
                }
                Some(s) => s,
            },
        };
        (start, stop, step)
    };
    let it = vm.iter(&a[0])?;
    Ok(make(
        "islice",
        State::Islice {
            it: Some(it),
            next: start.unwrap_or(0),
            stop,
            step: step.unwrap_or(1),
            cnt: 0,
        },
    ))
}

/// `zip_longest(*iterables, fillvalue=None)` (`zip_longest_new`).
fn zip_longest_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let mut fill = Value::None;
    if !args.kw.is_empty() {
        match args.kw.as_slice() {
            [(k, v)] if &**k == "fillvalue" => fill = v.clone(),
            _ => return Err(vm.type_error("zip_longest() got an unexpected keyword argument")),
        }
    }
    let mut its = Vec::with_capacity(args.pos.len());
    for a in &args.pos {
        its.push(Some(vm.iter(a)?));
    }
    let active = its.len();
    Ok(make("zip_longest", State::ZipLongest { its, active, fill }))
}

/// `batched(iterable, n)` (clinic; `n` a Py_ssize_t at least 1).
fn batched_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, n] = Spec::function("batched", Style::Keywords, &["iterable", "n"], 2)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let n = ssize(vm, &argspec::required(n))?;
    if n < 1 {
        return Err(vm.value_error("n must be at least one"));
    }
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "batched",
        State::Batched {
            it: Some(it),
            n: usize::try_from(n).unwrap_or(usize::MAX),
        },
    ))
}

/// `pairwise(iterable, /)`.
fn pairwise_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] =
        Spec::function("pairwise", Style::Positional, &["iterable"], 1).bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    Ok(make(
        "pairwise",
        State::Pairwise {
            it: Some(it),
            old: None,
        },
    ))
}

/// Every type's `__iter__` and `__next__`.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("accumulate", "__iter__", iter_self),
    ("accumulate", "__next__", next_method),
    ("batched", "__iter__", iter_self),
    ("batched", "__next__", next_method),
    ("chain", "__iter__", iter_self),
    ("chain", "__next__", next_method),
    ("combinations", "__iter__", iter_self),
    ("combinations", "__next__", next_method),
    ("combinations_with_replacement", "__iter__", iter_self),
    ("combinations_with_replacement", "__next__", next_method),
    ("compress", "__iter__", iter_self),
    ("compress", "__next__", next_method),
    ("count", "__iter__", iter_self),
    ("count", "__next__", next_method),
    ("cycle", "__iter__", iter_self),
    ("cycle", "__next__", next_method),
    ("dropwhile", "__iter__", iter_self),
    ("dropwhile", "__next__", next_method),
    ("filterfalse", "__iter__", iter_self),
    ("filterfalse", "__next__", next_method),
    ("groupby", "__iter__", iter_self),
    ("groupby", "__next__", next_method),
    ("_grouper", "__iter__", iter_self),
    ("_grouper", "__next__", next_method),
    ("islice", "__iter__", iter_self),
    ("islice", "__next__", next_method),
    ("pairwise", "__iter__", iter_self),
    ("pairwise", "__next__", next_method),
    ("permutations", "__iter__", iter_self),
    ("permutations", "__next__", next_method),
    ("product", "__iter__", iter_self),
    ("product", "__next__", next_method),
    ("repeat", "__iter__", iter_self),
    ("repeat", "__next__", next_method),
    ("starmap", "__iter__", iter_self),
    ("starmap", "__next__", next_method),
    ("takewhile", "__iter__", iter_self),
    ("takewhile", "__next__", next_method),
    ("_tee", "__iter__", iter_self),
    ("_tee", "__next__", next_method),
    ("zip_longest", "__iter__", iter_self),
    ("zip_longest", "__next__", next_method),
];

/// `chain.from_iterable`.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] =
    &[("chain", "from_iterable", chain_from_iterable)];
