//! `collections.deque` and its iterators (CPython `Modules/_collectionsmodule.c`:
//! `dequeobject`, `dequeiterobject`). CPython keeps the items in a list of 64-slot
//! blocks; nothing a program sees depends on the blocks but `__sizeof__`, which is left
//! out, so the items live in a `VecDeque` here. `state` is CPython's `deque->state`,
//! bumped exactly where its C code bumps it (every append and pop, `clear`, `rotate`),
//! which is what "deque mutated during iteration" compares.
//!
//! A subclass instance carries a deque as its payload (see `subclass`), so every method
//! reads its receiver through `builtin_value`.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::gc;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::subclass::with_payload;
use super::super::super::{PyResult, Throw};
use super::super::itertools::{spend, ssize};
use crate::oparg::CompareOp;

/// `dequeobject`: the items, `maxlen` (`None` for -1, unbounded) and `state`.
#[derive(Debug, Default)]
pub struct Deque {
    pub items: RefCell<VecDeque<Value>>,
    pub maxlen: Cell<Option<usize>>,
    pub state: Cell<u64>,
}

/// `dequeiterobject` (both directions): the deque as the program gave it (a subclass
/// instance stays one for `__reduce__`), the position of the next item from its end,
/// the `state` it was made at and `counter`, the items left.
#[derive(Debug)]
pub struct DequeIter {
    pub deque: Value,
    pub reversed: bool,
    pub index: Cell<usize>,
    pub state: u64,
    pub counter: Cell<usize>,
}

impl Deque {
    fn bump(&self) {
        self.state.set(self.state.get().wrapping_add(1));
    }

    fn len(&self) -> usize {
        self.items.borrow().len()
    }

    /// `deque_append_internal`: a full deque drops its leftmost item (`deque_popleft`
    /// bumps `state` then, else the append does).
    fn push_right(&self, v: Value) {
        let old = {
            let mut items = self.items.borrow_mut();
            items.push_back(v);
            match self.maxlen.get() {
                Some(m) if items.len() > m => items.pop_front(),
                _ => None,
            }
        };
        self.bump();
        drop(old);
    }

    /// `deque_appendleft_internal`.
    fn push_left(&self, v: Value) {
        let old = {
            let mut items = self.items.borrow_mut();
            items.push_front(v);
            match self.maxlen.get() {
                Some(m) if items.len() > m => items.pop_back(),
                _ => None,
            }
        };
        self.bump();
        drop(old);
    }

    fn pop_right(&self) -> Option<Value> {
        let v = self.items.borrow_mut().pop_back();
        if v.is_some() {
            self.bump();
        }
        v
    }

    fn pop_left(&self) -> Option<Value> {
        let v = self.items.borrow_mut().pop_front();
        if v.is_some() {
            self.bump();
        }
        v
    }

    /// `_deque_rotate`: `n` steps to the right; bumps `state` when there are two items
    /// or more.
    fn rotate(&self, n: i64) {
        let mut items = self.items.borrow_mut();
        let len = items.len();
        if len <= 1 {
            return;
        }
        let k = n.rem_euclid(len as i64) as usize;
        items.rotate_right(k);
        drop(items);
        self.bump();
    }

    /// `deque_clear`: the items leave the deque before any is dropped.
    fn clear(&self) {
        if self.len() == 0 {
            return;
        }
        let old = std::mem::take(&mut *self.items.borrow_mut());
        self.bump();
        gc::release_all(old.into_iter().collect());
    }

    fn get(&self, i: usize) -> Option<Value> {
        self.items.borrow().get(i).cloned()
    }

    /// The values held, for teardown (see `gc`).
    pub fn take_all(&self) -> Vec<Value> {
        self.items
            .try_borrow_mut()
            .map(|mut i| std::mem::take(&mut *i).into_iter().collect())
            .unwrap_or_default()
    }
}

/// The deque `v` is or carries (a subclass instance's payload).
pub fn of(v: &Value) -> Option<Rc<Deque>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Deque(d) => Some(d.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn receiver(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<Deque>)> {
    let me = args.pos.first().cloned().unwrap_or_default();
    match of(&me) {
        Some(n) => Ok((me, n)),
        None => Err(vm.bug("a deque method without its deque")),
    }
}

fn new_native() -> Rc<Native> {
    gc::alloc(Native::Deque(Rc::new(Deque::default())))
}

/// `deque_new` for the class `cls`: an empty deque, carried by an instance for a subclass.
fn new_for(vm: &Vm, cls: &Rc<super::super::super::types::Type>) -> Value {
    let n = Value::Native(new_native());
    if Rc::ptr_eq(cls, &vm.ty("deque")) {
        n
    } else {
        with_payload(cls, n)
    }
}

/// `deque(iterable=(), maxlen=None)`: `deque_new`, then `deque_init`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = Value::Native(new_native());
    let mut a = args;
    a.pos.insert(0, me.clone());
    init(vm, a)?;
    Ok(me)
}

/// `deque.__new__(cls, *args, **kwargs)`: the arguments are `__init__`'s.
fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(Value::Type(t)) if t.is_subtype(&vm.ty("deque")) => Ok(new_for(vm, t)),
        Some(Value::Type(t)) => Err(vm.type_error(format!(
            "deque.__new__({}): {} is not a subtype of collections.deque",
            t.name(),
            t.name()
        ))),
        Some(other) => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("deque.__new__(X): X is not a type object ({n})")))
        }
        None => Err(vm.type_error("deque.__new__(): not enough arguments")),
    }
}

/// `deque_init`: `maxlen` through `PyLong_AsSsize_t`, the deque emptied, then extended.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, n) = receiver(vm, &args)?;
    let [iterable, maxlen] = Spec::function("deque", Style::Keywords, &["iterable", "maxlen"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let d = &n;
    let m = match maxlen {
        None | Some(Value::None) => None,
        Some(v) => {
            let i = match v.builtin_value() {
                // `PyLong_AsSsize_t`: ints only, `__index__` is not asked.
                Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => argspec::index(vm, &v)?,
                _ => return Err(vm.type_error("an integer is required")),
            };
            if i < 0 {
                return Err(vm.value_error("maxlen must be non-negative"));
            }
            Some(i as usize)
        }
    };
    d.maxlen.set(m);
    d.clear();
    if let Some(it) = iterable {
        extend_right(vm, &me, &n, &it)?;
    }
    Ok(Value::None)
}

/// `deque_extend`: the items of `iterable` appended (a list of the deque itself first
/// when it is the iterable); with `maxlen == 0` the iterable is only consumed.
fn extend_right(vm: &mut Vm, me: &Value, n: &Rc<Deque>, iterable: &Value) -> PyResult<()> {
    extend(vm, me, n, iterable, false)
}

fn extend(vm: &mut Vm, me: &Value, n: &Rc<Deque>, iterable: &Value, left: bool) -> PyResult<()> {
    let d = &n;
    if iterable.is(me) {
        let items: Vec<Value> = d.items.borrow().iter().cloned().collect();
        return extend(vm, me, n, &Value::list(items), left);
    }
    let it = vm.iter(iterable)?;
    while let Some(v) = vm.next(&it)? {
        spend(vm)?;
        if d.maxlen.get() == Some(0) {
            continue;
        }
        if left {
            d.push_left(v);
        } else {
            d.push_right(v);
        }
    }
    Ok(())
}

fn append(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "append", Style::O, &["x"], 1).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    n.push_right(argspec::required(v));
    Ok(Value::None)
}

fn appendleft(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "appendleft", Style::O, &["x"], 1).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    n.push_left(argspec::required(v));
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "pop")?;
    let (_, n) = receiver(vm, &args)?;
    n.pop_right()
        .ok_or_else(|| vm.err("IndexError", "pop from an empty deque"))
}

fn popleft(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "popleft")?;
    let (_, n) = receiver(vm, &args)?;
    n.pop_left()
        .ok_or_else(|| vm.err("IndexError", "pop from an empty deque"))
}

fn extend_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "extend", Style::O, &["iterable"], 1).bind(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    extend(vm, &me, &n, &argspec::required(v), false)?;
    Ok(Value::None)
}

fn extendleft(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "extendleft", Style::O, &["iterable"], 1).bind(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    extend(vm, &me, &n, &argspec::required(v), true)?;
    Ok(Value::None)
}

/// `deque_rotate`: `"|n:rotate"`.
fn rotate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k] = Spec::method("deque", "rotate", Style::ParseTuple, &["n"], 0).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let k = match k {
        Some(v) => ssize(vm, &v)?,
        None => 1,
    };
    n.rotate(k);
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "clear")?;
    let (_, n) = receiver(vm, &args)?;
    n.clear();
    Ok(Value::None)
}

/// `deque_reverse`: in place, `state` unchanged.
fn reverse(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "reverse")?;
    let (_, n) = receiver(vm, &args)?;
    let mut items = n.items.borrow_mut();
    let v: VecDeque<Value> = std::mem::take(&mut *items).into_iter().rev().collect();
    *items = v;
    Ok(Value::None)
}

fn mutated(vm: &Vm) -> Throw {
    vm.err("RuntimeError", "deque mutated during iteration")
}

/// `deque_count`: every item compared, `state` checked after each comparison.
fn count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "count", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let v = argspec::required(v);
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let start = d.state.get();
    let mut total = 0i64;
    for i in 0..d.len() {
        let Some(item) = d.get(i) else { break };
        if vm.eq_bool(&item, &v)? {
            total += 1;
        }
        if d.state.get() != start {
            return Err(mutated(vm));
        }
    }
    Ok(Value::Int(total))
}

/// `deque_contains`.
fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] =
        Spec::method("deque", "__contains__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let v = argspec::required(v);
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let start = d.state.get();
    for i in 0..d.len() {
        let Some(item) = d.get(i) else { break };
        if vm.eq_bool(&item, &v)? {
            return Ok(Value::Bool(true));
        }
        if d.state.get() != start {
            return Err(mutated(vm));
        }
    }
    Ok(Value::Bool(false))
}

/// `deque_index`: `"O|O&O&:index"` with `_PyEval_SliceIndexNotNone`.
fn index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v, start, stop] = Spec::method(
        "deque",
        "index",
        Style::ParseTuple,
        &["value", "start", "stop"],
        1,
    )
    .bind(vm, &args, 1)?;
    let v = argspec::required(v);
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let bound = |vm: &mut Vm, x: Option<Value>| -> PyResult<Option<i64>> {
        match x {
            None => Ok(None),
            Some(Value::None) => {
                Err(vm.type_error("slice indices must be integers or have an __index__ method"))
            }
            Some(x) => argspec::slice_index(vm, Some(&x)),
        }
    };
    let start = bound(vm, start)?;
    let stop = bound(vm, stop)?;
    let (start, stop) = argspec::adjust_indices(start, stop, d.len());
    let state = d.state.get();
    let mut i = start;
    while i < stop {
        let Some(item) = d.get(i) else { break };
        if vm.eq_bool(&item, &v)? {
            return Ok(Value::Int(i as i64));
        }
        if d.state.get() != state {
            return Err(mutated(vm));
        }
        i += 1;
    }
    let r = vm.repr(&v)?;
    Err(vm.value_error(format!("{r} is not in deque")))
}

/// `deque_insert`: `"nO:insert"`.
fn insert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [i, v] = Spec::method(
        "deque",
        "insert",
        Style::ParseTuple,
        &["index", "object"],
        2,
    )
    .bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let i = ssize(vm, &argspec::required(i))?;
    let v = argspec::required(v);
    let d = &n;
    let len = d.len() as i64;
    if d.maxlen.get() == Some(d.len()) {
        return Err(vm.err("IndexError", "deque already at its maximum size"));
    }
    if i >= len {
        d.push_right(v);
    } else if i <= -len || i == 0 {
        d.push_left(v);
    } else {
        // `_deque_rotate(-index)`, an append, `_deque_rotate(index)`: three bumps.
        d.rotate(-i);
        if i < 0 {
            d.push_right(v);
        } else {
            d.push_left(v);
        }
        d.rotate(i);
    }
    Ok(Value::None)
}

/// `deque_remove` (3.12): the first equal item found by position, then
/// `deque_del_item`; a change of `state` during the comparisons is an IndexError.
fn remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("deque", "remove", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let v = argspec::required(v);
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let start = d.state.get();
    let len = d.len();
    for i in 0..len {
        let Some(item) = d.get(i) else { break };
        let found = vm.eq_bool(&item, &v)?;
        if d.state.get() != start {
            return Err(vm.err("IndexError", "deque mutated during iteration"));
        }
        if found {
            d.rotate(-(i as i64));
            let gone = d.pop_left();
            d.rotate(i as i64);
            drop(gone);
            return Ok(Value::None);
        }
    }
    let r = vm.repr(&v)?;
    Err(vm.value_error(format!("{r} is not in deque")))
}

/// The index of `deque[i]` (`sq_item` through `PySequence_GetItem`): an int, negative
/// ones counted from the end.
fn item_index(vm: &mut Vm, d: &Deque, key: &Value) -> PyResult<Option<usize>> {
    let i = match key.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => ssize(vm, key)?,
        // `PyNumber_AsSsize_t(key, PyExc_IndexError)`, naming the key's own type.
        b @ (Value::Object(_) | Value::Native(_)) if vm.has_index(b) => match vm.number_index(b)? {
            Value::Int(i) => i,
            _ => {
                let t = vm.type_of(key).name().clone();
                return Err(vm.err(
                    "IndexError",
                    format!("cannot fit '{t}' into an index-sized integer"),
                ));
            }
        },
        _ => {
            let t = vm.type_of(key).name().clone();
            return Err(vm.type_error(format!("sequence index must be integer, not '{t}'")));
        }
    };
    let len = d.len() as i64;
    let i = if i < 0 { i + len } else { i };
    Ok((0..len).contains(&i).then_some(i as usize))
}

fn out_of_range(vm: &Vm) -> Throw {
    vm.err("IndexError", "deque index out of range")
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k] =
        Spec::method("deque", "__getitem__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    match item_index(vm, d, &argspec::required(k))? {
        Some(i) => d.get(i).ok_or_else(|| out_of_range(vm)),
        None => Err(out_of_range(vm)),
    }
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k, v] = Spec::method("deque", "__setitem__", Style::Wrapper, &["key", "value"], 2)
        .bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let Some(i) = item_index(vm, d, &argspec::required(k))? else {
        return Err(out_of_range(vm));
    };
    let old = d
        .items
        .borrow_mut()
        .get_mut(i)
        .map(|slot| std::mem::replace(slot, argspec::required(v)));
    drop(old);
    Ok(Value::None)
}

/// `deque_del_item`: rotate, popleft, rotate back.
fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k] =
        Spec::method("deque", "__delitem__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let d = &n;
    let Some(i) = item_index(vm, d, &argspec::required(k))? else {
        return Err(out_of_range(vm));
    };
    d.rotate(-(i as i64));
    let gone = d.pop_left();
    d.rotate(i as i64);
    drop(gone);
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("deque", "__len__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    Ok(Value::Int(n.len() as i64))
}

fn bool_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("deque", "__bool__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    Ok(Value::Bool(n.len() != 0))
}

fn make_iter(me: &Value, n: &Rc<Deque>, reversed: bool) -> Value {
    let d = &n;
    Value::Native(gc::alloc(Native::DequeIter(DequeIter {
        deque: me.clone(),
        reversed,
        index: Cell::new(0),
        state: d.state.get(),
        counter: Cell::new(d.len()),
    })))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("deque", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    Ok(make_iter(&me, &n, false))
}

fn reversed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "__reversed__")?;
    let (me, n) = receiver(vm, &args)?;
    Ok(make_iter(&me, &n, true))
}

/// `deque_copy`: a deque of the same items and maxlen; a subclass is called as
/// `type(d)(d)` or `type(d)(d, maxlen)`.
fn copy_of(vm: &mut Vm, me: &Value, n: &Rc<Deque>) -> PyResult<Value> {
    let d = &n;
    if matches!(me, Value::Native(_)) {
        let new = new_native();
        let Native::Deque(nd) = &*new else {
            return Err(vm.bug("a new deque of another kind"));
        };
        nd.maxlen.set(d.maxlen.get());
        let items: Vec<Value> = d.items.borrow().iter().cloned().collect();
        for v in items {
            nd.push_right(v);
        }
        return Ok(Value::Native(new));
    }
    let t = vm.type_of(me);
    let mut a = vec![me.clone()];
    if let Some(m) = d.maxlen.get() {
        a.push(Value::Int(m as i64));
    }
    let r = vm.call(&Value::Type(t.clone()), Args::new(a))?;
    if of(&r).is_none() {
        let rt = vm.type_of(&r).name().clone();
        return Err(vm.type_error(format!("{}() must return a deque, not {rt}", t.name())));
    }
    Ok(r)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "copy")?;
    let (me, n) = receiver(vm, &args)?;
    copy_of(vm, &me, &n)
}

fn copy_dunder(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "__copy__")?;
    let (me, n) = receiver(vm, &args)?;
    copy_of(vm, &me, &n)
}

/// `deque_concat` (`sq_concat`): only another deque.
fn add(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method("deque", "__add__", Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let other = argspec::required(other);
    let (me, n) = receiver(vm, &args)?;
    if of(&other).is_none() {
        if matches!(other, Value::Object(_)) {
            // A class of the program may answer with `__radd__` before `sq_concat`.
            return Err(vm.unsupported("deque + an instance of a class of the program"));
        }
        let t = vm.type_of(&other).name().clone();
        return Err(vm.type_error(format!("can only concatenate deque (not \"{t}\") to deque")));
    }
    let new = copy_of(vm, &me, &n)?;
    let nn = of(&new).ok_or_else(|| vm.bug("deque copy without a deque"))?;
    extend(vm, &new, &nn, &other, false)?;
    Ok(new)
}

fn iadd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method("deque", "__iadd__", Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    extend(vm, &me, &n, &argspec::required(other), false)?;
    Ok(me)
}

/// The count of `d * n` (`sequence_repeat`: an int, else CPython's TypeError).
fn repeat_count(vm: &mut Vm, other: &Value) -> PyResult<i64> {
    match other.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
            match argspec::index(vm, other.builtin_value()) {
                Ok(i) => Ok(i),
                Err(_) => {
                    let t = vm.type_of(other).name().clone();
                    Err(vm.err(
                        "OverflowError",
                        format!("cannot fit '{t}' into an index-sized integer"),
                    ))
                }
            }
        }
        Value::Object(_) | Value::Native(_) => {
            Err(vm.unsupported("deque * an object that may answer with __rmul__ or __index__"))
        }
        _ => {
            let t = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("can't multiply sequence by non-int of type '{t}'")))
        }
    }
}

/// `deque_inplace_repeat`.
fn repeat_in_place(vm: &mut Vm, me: &Value, n: &Rc<Deque>, times: i64) -> PyResult<()> {
    let d = &n;
    let size = d.len();
    if size == 0 || times == 1 {
        return Ok(());
    }
    if times <= 0 {
        d.clear();
        return Ok(());
    }
    let mut times = times as u128;
    if let Some(m) = d.maxlen.get() {
        let m = m as u128;
        if size == 1 {
            times = times.min(m);
        } else if times * size as u128 > m {
            times = m.div_ceil(size as u128);
        }
    }
    if size as u128 * times > i64::MAX as u128 {
        return Err(vm.memory_error());
    }
    vm.before_alloc(size as u128 * times * 8, size as u128 * times * 16)?;
    if size == 1 {
        // The single-item path bumps `state` once.
        let item = d.get(0).unwrap_or_default();
        let mut items = d.items.borrow_mut();
        for _ in 1..times {
            items.push_back(item.clone());
        }
        drop(items);
        d.bump();
        return Ok(());
    }
    let seq: Vec<Value> = d.items.borrow().iter().cloned().collect();
    let seq = Value::list(seq);
    for _ in 1..times {
        spend(vm)?;
        extend(vm, me, n, &seq, false)?;
    }
    Ok(())
}

fn mul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    repeated(vm, args, "__mul__")
}

fn rmul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    repeated(vm, args, "__rmul__")
}

/// `deque_repeat`: a copy repeated in place, for `d * n` and `n * d`.
fn repeated(vm: &mut Vm, args: Args, name: &str) -> PyResult<Value> {
    let [other] = Spec::method("deque", name, Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let times = repeat_count(vm, &argspec::required(other))?;
    let (me, n) = receiver(vm, &args)?;
    let new = copy_of(vm, &me, &n)?;
    let nn = of(&new).ok_or_else(|| vm.bug("deque copy without a deque"))?;
    repeat_in_place(vm, &new, &nn, times)?;
    Ok(new)
}

fn imul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method("deque", "__imul__", Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let times = repeat_count(vm, &argspec::required(other))?;
    let (me, n) = receiver(vm, &args)?;
    repeat_in_place(vm, &me, &n, times)?;
    Ok(me)
}

/// `deque_richcompare`: NotImplemented unless both are deques; the first unequal pair
/// decides, else the lengths.
fn richcompare(vm: &mut Vm, args: Args, op: CompareOp, name: &str) -> PyResult<Value> {
    let [other] = Spec::method("deque", name, Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let other = argspec::required(other);
    let (me, n) = receiver(vm, &args)?;
    let Some(m) = of(&other) else {
        return Ok(Value::NotImplemented);
    };
    let (vs, ws) = (n.len(), m.len());
    match op {
        CompareOp::Eq if me.is(&other) => return Ok(Value::Bool(true)),
        CompareOp::Eq if vs != ws => return Ok(Value::Bool(false)),
        CompareOp::Ne if me.is(&other) => return Ok(Value::Bool(false)),
        CompareOp::Ne if vs != ws => return Ok(Value::Bool(true)),
        _ => {}
    }
    let it1 = vm.iter(&me)?;
    let it2 = vm.iter(&other)?;
    loop {
        let x = vm.next(&it1)?;
        let y = vm.next(&it2)?;
        match (x, y) {
            (Some(x), Some(y)) => {
                if !vm.eq_bool(&x, &y)? {
                    let r = vm.compare(op, &x, &y)?;
                    return Ok(Value::Bool(vm.truthy(&r)?));
                }
            }
            (x, y) => {
                let b = match op {
                    CompareOp::Lt => y.is_some(),
                    CompareOp::Le => x.is_none(),
                    CompareOp::Eq => x.is_none() && y.is_none(),
                    CompareOp::Ne => x.is_some() || y.is_some(),
                    CompareOp::Gt => x.is_some(),
                    CompareOp::Ge => y.is_none(),
                };
                return Ok(Value::Bool(b));
            }
        }
    }
}

fn lt(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Lt, "__lt__")
}
fn le(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Le, "__le__")
}
fn eq(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Eq, "__eq__")
}
fn ne(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Ne, "__ne__")
}
fn gt(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Gt, "__gt__")
}
fn ge(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Ge, "__ge__")
}

/// `deque_repr`: `Py_ReprEnter` on the deque (`[...]` inside itself), the type's name,
/// the items as a list, then the maxlen.
pub fn repr(vm: &mut Vm, me: &Value, n: &Rc<Deque>) -> PyResult<String> {
    let key = Rc::as_ptr(n) as *const u8 as usize;
    if vm.repr_active.contains(&key) {
        return Ok("[...]".into());
    }
    vm.repr_active.push(key);
    let r = (|| {
        let items: Vec<Value> = vm.collect(me)?;
        vm.repr(&Value::list(items))
    })();
    vm.repr_active.retain(|k| *k != key);
    let list = r?;
    let name = vm.type_of(me).name().clone();
    let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
    Ok(match n.maxlen.get() {
        Some(m) => format!("{name}({list}, maxlen={m})"),
        None => format!("{name}({list})"),
    })
}

fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("deque", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    Ok(Value::str(&repr(vm, &me, &n)?))
}

/// `deque_reduce`: `(type(d), (), state, iter(d))`, or `(type(d), ((), maxlen), …)`;
/// the state is the instance's `__dict__` when it has one, else None.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "deque", "__reduce__")?;
    let (me, n) = receiver(vm, &args)?;
    let state = match &me {
        Value::Object(o) => {
            if o.slots.borrow().iter().any(Option::is_some) {
                return Err(vm.unsupported("deque.__reduce__ of an instance with __slots__"));
            }
            if o.class.borrow().has_dict && !o.dict.is_empty() {
                Value::Dict(o.dict.clone())
            } else {
                Value::None
            }
        }
        _ => Value::None,
    };
    let t = Value::Type(vm.type_of(&me));
    let it = make_iter(&me, &n, false);
    let ctor_args = match n.maxlen.get() {
        Some(m) => Value::tuple(vec![Value::tuple(vec![]), Value::Int(m as i64)]),
        None => Value::tuple(vec![]),
    };
    Ok(Value::tuple(vec![t, ctor_args, state, it]))
}

/// `maxlen` (`deque_get_maxlen`).
pub fn maxlen(n: &Deque) -> Value {
    match n.maxlen.get() {
        Some(m) => Value::Int(m as i64),
        None => Value::None,
    }
}

/// `__class_getitem__` (`Py_GenericAlias`).
pub fn class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [sub] =
        Spec::method("deque", "__class_getitem__", Style::O, &["item"], 1).bind(vm, &args, 1)?;
    let cls = args.pos.first().cloned().unwrap_or_default();
    Ok(super::super::super::genericalias::alias(
        cls,
        &argspec::required(sub),
    ))
}

// The iterators.

fn iter_receiver(vm: &Vm, args: &Args) -> PyResult<Rc<Native>> {
    match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::DequeIter(_)) => Ok(n.clone()),
        _ => Err(vm.bug("a deque iterator method without its iterator")),
    }
}

fn di(n: &Native) -> Option<&DequeIter> {
    match n {
        Native::DequeIter(i) => Some(i),
        _ => None,
    }
}

/// `dequeiter_next` and `dequereviter_next` (which checks the counter first).
pub fn iter_next(vm: &mut Vm, it: &DequeIter) -> PyResult<Option<Value>> {
    let Some(n) = of(&it.deque) else {
        return Err(vm.bug("a deque iterator without its deque"));
    };
    let d = &n;
    if it.reversed && it.counter.get() == 0 {
        return Ok(None);
    }
    if d.state.get() != it.state {
        it.counter.set(0);
        return Err(mutated(vm));
    }
    if it.counter.get() == 0 {
        return Ok(None);
    }
    let i = it.index.get();
    let pos = if it.reversed { d.len() - 1 - i } else { i };
    let v = d.get(pos);
    it.index.set(i + 1);
    it.counter.set(it.counter.get() - 1);
    Ok(v)
}

fn iter_next_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_deque_iterator", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let n = iter_receiver(vm, &args)?;
    let it = di(&n).ok_or_else(|| vm.bug("deque iterator"))?;
    match iter_next(vm, it)? {
        Some(v) => Ok(v),
        None => Err(vm.err_args("StopIteration", Vec::new())),
    }
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_deque_iterator", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos.first().cloned().unwrap_or_default())
}

fn iter_len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_deque_iterator", "__length_hint__")?;
    let n = iter_receiver(vm, &args)?;
    let it = di(&n).ok_or_else(|| vm.bug("deque iterator"))?;
    Ok(Value::Int(it.counter.get() as i64))
}

/// `dequeiter_reduce`: `(type(it), (deque, len(deque) - counter))`.
fn iter_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_deque_iterator", "__reduce__")?;
    let n = iter_receiver(vm, &args)?;
    let it = di(&n).ok_or_else(|| vm.bug("deque iterator"))?;
    let len = of(&it.deque).map_or(0, |d| d.len()) as i64;
    let t = Value::Type(vm.ty(if it.reversed {
        "_deque_reverse_iterator"
    } else {
        "_deque_iterator"
    }));
    let pair = Value::tuple(vec![
        it.deque.clone(),
        Value::Int(len - it.counter.get() as i64),
    ]);
    Ok(Value::tuple(vec![t, pair]))
}

/// `dequeiter_new`, `dequereviter_new`: `"O!|n"`, then `index` items consumed.
pub fn iter_construct(vm: &mut Vm, args: Args, reversed: bool) -> PyResult<Value> {
    let name = if reversed {
        "_deque_reverse_iterator"
    } else {
        "_deque_iterator"
    };
    let [d, index] =
        Spec::function(name, Style::ParseTuple, &["deque", "index"], 1).bind(vm, &args, 0)?;
    let d = argspec::required(d);
    let Some(n) = of(&d) else {
        let t = vm.type_of(&d).name().clone();
        return Err(vm.type_error(format!(
            "{name}() argument 1 must be collections.deque, not {t}"
        )));
    };
    let index = match index {
        Some(i) => ssize(vm, &i)?,
        None => 0,
    };
    let it = make_iter(&d, &n, reversed);
    if let Value::Native(itn) = &it {
        if let Some(i) = di(itn) {
            for _ in 0..index {
                spend(vm)?;
                if iter_next(vm, i)?.is_none() {
                    break;
                }
            }
        }
    }
    Ok(it)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("deque", "__new__", new_method),
    ("deque", "__init__", init),
    ("deque", "append", append),
    ("deque", "appendleft", appendleft),
    ("deque", "pop", pop),
    ("deque", "popleft", popleft),
    ("deque", "extend", extend_method),
    ("deque", "extendleft", extendleft),
    ("deque", "rotate", rotate),
    ("deque", "clear", clear),
    ("deque", "reverse", reverse),
    ("deque", "count", count),
    ("deque", "index", index),
    ("deque", "insert", insert),
    ("deque", "remove", remove),
    ("deque", "copy", copy),
    ("deque", "__copy__", copy_dunder),
    ("deque", "__reduce__", reduce),
    ("deque", "__reversed__", reversed),
    ("deque", "__repr__", repr_method),
    ("deque", "__len__", len),
    ("deque", "__bool__", bool_method),
    ("deque", "__iter__", iter),
    ("deque", "__contains__", contains),
    ("deque", "__getitem__", getitem),
    ("deque", "__setitem__", setitem),
    ("deque", "__delitem__", delitem),
    ("deque", "__add__", add),
    ("deque", "__iadd__", iadd),
    ("deque", "__mul__", mul),
    ("deque", "__rmul__", rmul),
    ("deque", "__imul__", imul),
    ("deque", "__lt__", lt),
    ("deque", "__le__", le),
    ("deque", "__eq__", eq),
    ("deque", "__ne__", ne),
    ("deque", "__gt__", gt),
    ("deque", "__ge__", ge),
    ("_deque_iterator", "__next__", iter_next_method),
    ("_deque_iterator", "__iter__", iter_self),
    ("_deque_iterator", "__length_hint__", iter_len),
    ("_deque_iterator", "__reduce__", iter_reduce),
    ("_deque_reverse_iterator", "__next__", iter_next_method),
    ("_deque_reverse_iterator", "__iter__", iter_self),
    ("_deque_reverse_iterator", "__length_hint__", iter_len),
    ("_deque_reverse_iterator", "__reduce__", iter_reduce),
];
