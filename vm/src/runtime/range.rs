//! `range` (Objects/rangeobject.c): the object, its length, items, slices, membership,
//! equality, hash and repr, its two iterator types and its `count` and `index` methods.
//!
//! CPython keeps start, stop, step and the length as ints of any size. The VM keeps the
//! bounds as `i64` when all three fit ([`Range::Small`], what nearly every program makes)
//! and as big ints otherwise ([`Range::Big`]). A small range's length can still exceed
//! `sys.maxsize` (up to 2**64 - 1, e.g. `range(-2**63, 2**63 - 1)`), so it is computed in
//! `i128`. Iteration follows `range_iter` / `range_reverse`: a `range_iterator` over C longs
//! when start, stop, step and the length allow it, a `longrange_iterator` over big ints
//! otherwise, and `type(iter(r))` tells which.

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::argspec::{no_args, required, Spec, Style};
use super::hash;
use super::interp::Vm;
use super::object::{Args, IterState, NativeFn, Slice, Value};
use super::PyResult;
use crate::arith::Num;

/// A `range` object's bounds.
#[derive(Debug)]
pub enum Range {
    /// Start, stop and step all fit in an `i64`.
    Small { start: i64, stop: i64, step: i64 },
    /// Some bound is beyond 64 bits (never all three within it).
    Big(Box<BigRange>),
}

/// The bounds of a [`Range::Big`] and its length (`rangeobject.length`).
#[derive(Debug)]
pub struct BigRange {
    start: BigInt,
    stop: BigInt,
    step: BigInt,
    len: BigInt,
}

/// The state of a `longrange_iterator` (`longrangeiterobject`): the next item, the
/// step, and how many items remain.
#[derive(Debug)]
pub struct LongRangeIter {
    start: BigInt,
    step: BigInt,
    len: BigInt,
}

/// An int as a [`Num`] of the int kind.
fn big(b: &Num) -> BigInt {
    match b {
        Num::Int(i) => BigInt::from(*i),
        Num::Big(b) => (**b).clone(),
        // Callers pass ints only.
        Num::Float(_) | Num::Complex(..) => BigInt::zero(),
    }
}

fn wide(v: i128) -> Num {
    match i64::try_from(v) {
        Ok(i) => Num::Int(i),
        Err(_) => Num::Big(Rc::new(BigInt::from(v))),
    }
}

/// An int [`Num`] as an `i128`, `None` beyond it.
fn as_i128(n: &Num) -> Option<i128> {
    match n {
        Num::Int(i) => Some(i128::from(*i)),
        Num::Big(b) => b.to_i128(),
        Num::Float(_) | Num::Complex(..) => None,
    }
}

/// `get_len_of_range`: at most 2**64 - 1.
fn small_len(start: i64, stop: i64, step: i64) -> i128 {
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    }
}

/// `compute_range_length`.
fn big_len(start: &BigInt, stop: &BigInt, step: &BigInt) -> BigInt {
    let (lo, hi, step) = if step.is_positive() {
        (start, stop, step.clone())
    } else {
        (stop, start, -step)
    };
    if lo >= hi {
        return BigInt::zero();
    }
    (hi - lo - 1u8).div_floor(&step) + 1u8
}

impl Range {
    /// `range(start, stop, step)` for a non-zero step.
    pub fn new(start: &Num, stop: &Num, step: &Num) -> Range {
        if let (Num::Int(start), Num::Int(stop), Num::Int(step)) = (start, stop, step) {
            return Range::Small {
                start: *start,
                stop: *stop,
                step: *step,
            };
        }
        let (start, stop, step) = (big(start), big(stop), big(step));
        Range::Big(Box::new(BigRange {
            len: big_len(&start, &stop, &step),
            start,
            stop,
            step,
        }))
    }

    fn from_bigs(start: BigInt, stop: BigInt, step: BigInt) -> Range {
        Range::new(
            &Num::from_big(start),
            &Num::from_big(stop),
            &Num::from_big(step),
        )
    }

    pub fn start(&self) -> Num {
        match self {
            Range::Small { start, .. } => Num::Int(*start),
            Range::Big(b) => Num::from_big(b.start.clone()),
        }
    }

    pub fn stop(&self) -> Num {
        match self {
            Range::Small { stop, .. } => Num::Int(*stop),
            Range::Big(b) => Num::from_big(b.stop.clone()),
        }
    }

    pub fn step(&self) -> Num {
        match self {
            Range::Small { step, .. } => Num::Int(*step),
            Range::Big(b) => Num::from_big(b.step.clone()),
        }
    }

    /// The number of items (`rangeobject.length`).
    pub fn len(&self) -> Num {
        match self {
            Range::Small { start, stop, step } => wide(small_len(*start, *stop, *step)),
            Range::Big(b) => Num::from_big(b.len.clone()),
        }
    }

    /// `range_length`: the length as a `Py_ssize_t`, `None` beyond `sys.maxsize` (which
    /// CPython reports as an OverflowError).
    pub fn len_ssize(&self) -> Option<i64> {
        match self {
            Range::Small { start, stop, step } => {
                i64::try_from(small_len(*start, *stop, *step)).ok()
            }
            Range::Big(b) => b.len.to_i64(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Range::Small { start, stop, step } => small_len(*start, *stop, *step) == 0,
            Range::Big(b) => b.len.is_zero(),
        }
    }

    /// `compute_range_item`: the item at `i` (from the end when negative), `None` outside.
    pub fn item(&self, i: &Num) -> Option<Num> {
        match self {
            Range::Small { start, stop, step } => {
                let n = small_len(*start, *stop, *step);
                let i = as_i128(i)?;
                let j = if i < 0 { i + n } else { i };
                // In range, `start + j*step` lies between start and stop.
                (0..n)
                    .contains(&j)
                    .then(|| wide(i128::from(*start) + j * i128::from(*step)))
            }
            Range::Big(b) => {
                let i = big(i);
                let j = if i.is_negative() { &b.len + i } else { i };
                (!j.is_negative() && j < b.len).then(|| Num::from_big(&b.start + j * &b.step))
            }
        }
    }

    /// `range_contains_long`: whether the int `x` is an item.
    pub fn contains(&self, x: &Num) -> bool {
        self.position(x).is_some()
    }

    /// The index of the int `x` among the items (`range_index`), `None` when absent.
    pub fn position(&self, x: &Num) -> Option<Num> {
        if let (Range::Small { start, stop, step }, Some(x)) = (self, as_i128(x)) {
            let (start, stop, step) = (i128::from(*start), i128::from(*stop), i128::from(*step));
            let inside = if step > 0 {
                start <= x && x < stop
            } else {
                stop < x && x <= start
            };
            return (inside && (x - start) % step == 0).then(|| wide((x - start) / step));
        }
        let (start, stop, step) = (big(&self.start()), big(&self.stop()), big(&self.step()));
        let x = big(x);
        let inside = if step.is_positive() {
            start <= x && x < stop
        } else {
            stop < x && x <= start
        };
        let offset = x - start;
        (inside && offset.mod_floor(&step).is_zero()).then(|| Num::from_big(offset / step))
    }

    /// `range_equals`: equal lengths, and equal starts unless empty, and equal steps
    /// unless shorter than 2.
    pub fn equals(&self, other: &Range) -> bool {
        let len = self.len();
        len == other.len()
            && (len == Num::Int(0)
                || (self.start() == other.start()
                    && (len == Num::Int(1) || self.step() == other.step())))
    }

    /// `range_hash`: the hash of `(len, start, step)` with None for what equality ignores.
    pub fn hash(&self) -> i64 {
        let int = |n: &Num| match n {
            Num::Big(b) => hash::big_int(b),
            Num::Int(i) => hash::int(*i),
            Num::Float(_) | Num::Complex(..) => 0,
        };
        let len = self.len();
        let start = if len == Num::Int(0) {
            hash::NONE
        } else {
            int(&self.start())
        };
        let step = if len == Num::Int(0) || len == Num::Int(1) {
            hash::NONE
        } else {
            int(&self.step())
        };
        hash::tuple([int(&len), start, step].into_iter())
    }

    /// `range_repr`.
    pub fn repr(&self) -> String {
        let (start, stop, step) = (big(&self.start()), big(&self.stop()), big(&self.step()));
        if step.is_one() {
            format!("range({start}, {stop})")
        } else {
            format!("range({start}, {stop}, {step})")
        }
    }

    /// `range_iter`: a `range_iterator` when start, stop and step are C longs, the length
    /// is at most `LONG_MAX` and `start + len*step` cannot overflow; else a
    /// `longrange_iterator`.
    pub fn iter(&self) -> IterState {
        if let Range::Small { start, stop, step } = *self {
            let len = small_len(start, stop, step);
            let overflows = len > 0
                && if step > 0 {
                    stop > i64::MAX - (step - 1)
                } else {
                    stop < i64::MIN + (-1 - step)
                };
            if let (Ok(len), false) = (i64::try_from(len), overflows) {
                return IterState::Range {
                    next: start,
                    step,
                    len,
                };
            }
        }
        let (start, step, len) = (big(&self.start()), big(&self.step()), big(&self.len()));
        IterState::LongRange(Box::new(LongRangeIter { start, step, len }))
    }

    /// `range_reverse`: `range(start + (len-1)*step, start - step, -step)`, as a
    /// `range_iterator` when each of start, stop, step, -step, start - step and the length
    /// is a C long.
    pub fn reversed(&self) -> IterState {
        if let Range::Small { start, stop, step } = *self {
            let start_minus_step_fits = step != i64::MIN
                && if step > 0 {
                    (start as u64).wrapping_sub(i64::MIN as u64) >= step as u64
                } else {
                    (i64::MAX as u64).wrapping_sub(start as u64) >= 0u64.wrapping_sub(step as u64)
                };
            let len = small_len(start, stop, step);
            if let (Ok(len), true) = (i64::try_from(len), start_minus_step_fits) {
                let new_stop = start - step;
                // `new_stop + len*step` is the last item, which fits; the wrapping
                // arithmetic is CPython's unsigned long arithmetic.
                let new_start =
                    (new_stop as u64).wrapping_add((len as u64).wrapping_mul(step as u64));
                return IterState::Range {
                    next: new_start as i64,
                    step: -step,
                    len,
                };
            }
        }
        let (start, step, len) = (big(&self.start()), big(&self.step()), big(&self.len()));
        IterState::LongRange(Box::new(LongRangeIter {
            start: start + (&len - 1u8) * &step,
            step: -step,
            len,
        }))
    }

    /// `compute_slice`: the items at the slice's indices, as a range.
    pub fn slice(&self, vm: &mut Vm, s: &Slice) -> PyResult<Range> {
        let len = big(&self.len());
        let (first, last, by) = long_indices(vm, s, &len)?;
        let (start, step) = (big(&self.start()), big(&self.step()));
        let at = |k: BigInt| &start + k * &step;
        Ok(Range::from_bigs(at(first), at(last), &step * by))
    }
}

/// `_PySlice_GetLongIndices`: a slice's start, stop and step over `len` items, clamped
/// as for a sequence of that length, with ints of any size.
fn long_indices(vm: &mut Vm, s: &Slice, len: &BigInt) -> PyResult<(BigInt, BigInt, BigInt)> {
    // `evaluate_slice_index`: `PyNumber_Index` of an object with `__index__`.
    let index = |vm: &mut Vm, v: &Value| -> PyResult<Option<BigInt>> {
        if v.is_none() {
            return Ok(None);
        }
        match vm.try_index(v)? {
            Some(i) => Ok(super::int::int_num(&i).map(|n| big(&n))),
            None => Err(
                vm.type_error("slice indices must be integers or None or have an __index__ method")
            ),
        }
    };
    let step = index(vm, &s.step)?.unwrap_or_else(BigInt::one);
    if step.is_zero() {
        return Err(vm.value_error("slice step cannot be zero"));
    }
    let (lower, upper) = if step.is_negative() {
        (BigInt::from(-1), len - 1u8)
    } else {
        (BigInt::zero(), len.clone())
    };
    let clamp = |i: BigInt| {
        if i.is_negative() {
            (i + len).max(lower.clone())
        } else {
            i.min(upper.clone())
        }
    };
    let start = match index(vm, &s.start)? {
        Some(i) => clamp(i),
        None if step.is_negative() => upper.clone(),
        None => lower.clone(),
    };
    let stop = match index(vm, &s.stop)? {
        Some(i) => clamp(i),
        None if step.is_negative() => lower.clone(),
        None => upper.clone(),
    };
    Ok((start, stop, step))
}

impl LongRangeIter {
    /// `longrangeiter_next`.
    pub fn next(&mut self) -> Option<Num> {
        if !self.len.is_positive() {
            return None;
        }
        let next = &self.start + &self.step;
        self.len -= 1u8;
        Some(Num::from_big(std::mem::replace(&mut self.start, next)))
    }

    /// `longrangeiter_reduce`'s range: `range(start, start + len*step, step)`.
    pub fn remaining(&self) -> Range {
        let stop = &self.start + &self.len * &self.step;
        Range::new(
            &Num::from_big(self.start.clone()),
            &Num::from_big(stop),
            &Num::from_big(self.step.clone()),
        )
    }

    /// `longrangeiter_setstate`: skips `index` items, clipped to 0 and the items left.
    pub fn skip(&mut self, index: BigInt) {
        let index = if index.is_negative() {
            BigInt::zero()
        } else if index > self.len {
            self.len.clone()
        } else {
            index
        };
        self.start += &index * &self.step;
        self.len -= index;
    }

    /// `longrangeiter_len`: the items left, as an int of any size.
    pub fn len(&self) -> Num {
        Num::from_big(self.len.clone())
    }
}

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("range", "count", range_count),
    ("range", "index", range_index),
    ("range", "__reduce__", range_reduce),
    ("slice", "indices", slice_indices),
    ("range_iterator", "__length_hint__", iter_length_hint),
    ("longrange_iterator", "__length_hint__", iter_length_hint),
];

/// `slice.indices(length)` (`slice_indices`): `PyNumber_Index(length)`, not negative,
/// then `_PySlice_GetLongIndices`.
fn slice_indices(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [len] = Spec::method("slice", "indices", Style::O, &["length"], 1).bind(vm, &args, 1)?;
    let Some(Value::Slice(s)) = args.pos.first() else {
        return Err(vm.type_error("descriptor 'indices' requires a 'slice' object"));
    };
    let s = s.clone();
    let len = super::modules::math::to_index(vm, &required(len))?;
    if len.is_negative() {
        return Err(vm.value_error("length should not be negative"));
    }
    let (start, stop, step) = long_indices(vm, &s, &len)?;
    let int = |b: BigInt| Value::from_num(Num::from_big(b));
    Ok(Value::tuple(vec![int(start), int(stop), int(step)]))
}

fn receiver(vm: &Vm, args: &Args) -> PyResult<Rc<Range>> {
    match args.pos.first() {
        Some(Value::Range(r)) => Ok(r.clone()),
        _ => Err(vm.type_error("descriptor requires a 'range' object")),
    }
}

/// An int operand for the arithmetic search: an exact int or a bool (`PyLong_CheckExact`
/// or `PyBool_Check`); an int subclass is searched by iteration as CPython does.
fn exact_int(v: &Value) -> Option<Num> {
    match v {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => super::int::int_num(v),
        _ => None,
    }
}

/// `range.count(value)`: arithmetic for an int, `_PySequence_IterSearch` for anything else.
fn range_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = Spec::method("range", "count", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let (r, value) = (receiver(vm, &args)?, required(value));
    if let Some(x) = exact_int(&value) {
        return Ok(Value::Int(i64::from(r.contains(&x))));
    }
    let it = vm.iter(&Value::Range(r))?;
    let mut n = 0i64;
    while let Some(x) = vm.next(&it)? {
        if x.is(&value) || vm.eq(&x, &value)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

/// `range.index(value)`: arithmetic for an int, `_PySequence_IterSearch` for anything else.
fn range_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = Spec::method("range", "index", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let (r, value) = (receiver(vm, &args)?, required(value));
    if let Some(x) = exact_int(&value) {
        return match r.position(&x) {
            Some(i) => Ok(Value::from_num(i)),
            None => {
                let text = vm.repr(&value)?;
                Err(vm.value_error(format!("{text} is not in range")))
            }
        };
    }
    let it = vm.iter(&Value::Range(r))?;
    let mut i = 0i64;
    while let Some(x) = vm.next(&it)? {
        if x.is(&value) || vm.eq(&x, &value)? {
            return Ok(Value::Int(i));
        }
        i += 1;
    }
    Err(vm.value_error("sequence.index(x): x not in sequence"))
}

/// `rangeiter_len` / `longrangeiter_len`.
/// `range_reduce`: `(range, (start, stop, step))`. It is `METH_VARARGS` and ignores its
/// positional arguments; only keywords are refused.
fn range_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("range.__reduce__() takes no keyword arguments"));
    }
    let Some(Value::Range(r)) = args.pos.first() else {
        return Err(vm.bug("range.__reduce__ without a range"));
    };
    let t = Value::Type(vm.type_of(&args.pos[0]));
    Ok(Value::tuple(vec![
        t,
        Value::tuple(vec![
            Value::from_num(r.start()),
            Value::from_num(r.stop()),
            Value::from_num(r.step()),
        ]),
    ]))
}

fn iter_length_hint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = match args.pos.first() {
        Some(Value::Iter(i)) if matches!(&*i.state.borrow(), IterState::LongRange(_)) => {
            "longrange_iterator"
        }
        _ => "range_iterator",
    };
    no_args(vm, &args, owner, "__length_hint__")?;
    if let Some(Value::Iter(i)) = args.pos.first() {
        match &*i.state.borrow() {
            IterState::Range { len, .. } => return Ok(Value::Int(*len)),
            IterState::LongRange(l) => return Ok(Value::from_num(l.len())),
            IterState::Done("range_iterator" | "longrange_iterator") => return Ok(Value::Int(0)),
            _ => {}
        }
    }
    Err(vm.type_error(format!(
        "descriptor '__length_hint__' requires a '{owner}' object"
    )))
}
