//! One step of a built-in iterator (CPython's `tp_iternext` of `listiterobject`,
//! `seqiterobject`, `calliterobject`, `enumobject`, `zipobject`, `mapobject`, …).
//!
//! Steps that run no Python code take the state out while they work. Steps that call back
//! into Python (`__getitem__`, the inner iterators' `__next__`, the function of `map`,
//! `filter`, `iter(f, sentinel)`) leave the state in place and hold no borrow across the
//! call, so a reentrant `next()` from inside sees the live iterator and a change it makes
//! is seen afterwards, as in CPython; and only the iterators CPython clears when they end
//! (`it_seq = NULL`, `it_callable = NULL`, `ro->seq = NULL`) stay exhausted: `map`, `filter`,
//! `zip` and `enumerate` ask their inner iterators again each time.

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Iter, IterState, Value, ViewKind};
use super::{PyResult, Throw};
use crate::arith::Num;

/// What a step that calls Python needs from the state, copied out before the call.
enum Callback {
    Seq(Value, i64),
    Reversed(Value, i64),
    Enumerate(Value),
    Zip(Vec<Value>, bool),
    Map(Value, Vec<Value>),
    Filter(Value, Value),
    Callable(Value, Value),
}

impl Vm {
    /// The check a dict iterator makes before each step: a change of size is CPython's
    /// RuntimeError (and stays one: `len` becomes `None`); other keys at the same size are
    /// unsupported, since CPython walks its compacting entry table and positions here need
    /// not match it.
    pub(super) fn dict_unchanged(
        &self,
        dict: &super::dict::Dict,
        len: &mut Option<usize>,
        keys_version: u64,
    ) -> PyResult<()> {
        if *len != Some(dict.len()) {
            *len = None;
            return Err(self.err("RuntimeError", "dictionary changed size during iteration"));
        }
        if dict.keys_version() != keys_version {
            return Err(self.unsupported("a dict whose keys change during iteration"));
        }
        Ok(())
    }

    pub(super) fn iter_next(&mut self, it: &Rc<Iter>) -> PyResult<Option<Value>> {
        let callback = match &*it.state.borrow() {
            IterState::Seq { seq, index } => Some(Callback::Seq(seq.clone(), *index)),
            IterState::Reversed { seq, index } => Some(Callback::Reversed(seq.clone(), *index)),
            IterState::Enumerate { inner, .. } => Some(Callback::Enumerate(inner.clone())),
            IterState::Zip { inners, strict } => Some(Callback::Zip(inners.clone(), *strict)),
            IterState::Map { func, inners } => Some(Callback::Map(func.clone(), inners.clone())),
            IterState::Filter { func, inner } => {
                Some(Callback::Filter(func.clone(), inner.clone()))
            }
            IterState::Callable { func, sentinel } => {
                Some(Callback::Callable(func.clone(), sentinel.clone()))
            }
            _ => None,
        };
        if let Some(step) = callback {
            return self.callback_step(it, step);
        }
        let name = super::protocol::iter_type_name(&it.state.borrow());
        let mut state = std::mem::replace(&mut *it.state.borrow_mut(), IterState::Done(name));
        let result = self.advance(&mut state);
        // A range iterator keeps its (empty) range when it ends: `rangeiter_reduce` still
        // gives it; every other iterator here drops what it walked (CPython's `it_seq = NULL`).
        let keeps = matches!(state, IterState::Range { .. } | IterState::LongRange(_));
        let exhausted = matches!(result, Ok(None)) && !keeps;
        *it.state.borrow_mut() = if exhausted {
            IterState::Done(name)
        } else {
            state
        };
        result
    }

    /// The iterator ends for good (CPython clears its sequence or callable).
    fn exhaust(it: &Iter) {
        let name = super::protocol::iter_type_name(&it.state.borrow());
        *it.state.borrow_mut() = IterState::Done(name);
    }

    fn callback_step(&mut self, it: &Rc<Iter>, step: Callback) -> PyResult<Option<Value>> {
        let ends = |vm: &Vm, e: &Value| {
            vm.is_instance_of(e, "IndexError") || vm.is_instance_of(e, "StopIteration")
        };
        match step {
            // `iter_iternext`: `seq[index]`, then the index (as it is now) goes up;
            // IndexError or StopIteration clears the sequence.
            Callback::Seq(seq, index) => {
                if index == i64::MAX {
                    return Err(self.err("OverflowError", "iter index too large"));
                }
                match self.getitem(&seq, &Value::Int(index)) {
                    Ok(x) => {
                        if let IterState::Seq { index, .. } = &mut *it.state.borrow_mut() {
                            *index += 1;
                        }
                        Ok(Some(x))
                    }
                    Err(Throw::Exc(e)) if ends(self, &e) => {
                        Self::exhaust(it);
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            // `reversed_next`: `seq[index]` and the index goes down; any other outcome
            // clears the sequence (IndexError and StopIteration end quietly).
            Callback::Reversed(seq, index) => {
                let r = if index >= 0 {
                    self.getitem(&seq, &Value::Int(index))
                } else {
                    Ok(Value::None)
                };
                match r {
                    Ok(x) if index >= 0 => {
                        if let IterState::Reversed { index, .. } = &mut *it.state.borrow_mut() {
                            *index -= 1;
                        }
                        Ok(Some(x))
                    }
                    Ok(_) => {
                        Self::exhaust(it);
                        Ok(None)
                    }
                    Err(Throw::Exc(e)) if ends(self, &e) => {
                        Self::exhaust(it);
                        Ok(None)
                    }
                    Err(e) => {
                        Self::exhaust(it);
                        Err(e)
                    }
                }
            }
            // `enum_next`: the inner item first, then the count as it is now.
            Callback::Enumerate(inner) => {
                let Some(v) = self.next(&inner)? else {
                    return Ok(None);
                };
                let mut state = it.state.borrow_mut();
                let IterState::Enumerate { count, .. } = &mut *state else {
                    return Err(self.bug("an enumerate changed kind"));
                };
                let next = match &*count {
                    Num::Int(c) if *c < i64::MAX => Num::Int(c + 1),
                    c => crate::arith::binary(crate::oparg::BinaryOp::Add, c, &Num::Int(1))
                        .map_err(|e| self.arith_error(e))?,
                };
                let c = std::mem::replace(count, next);
                drop(state);
                Ok(Some(Value::tuple(vec![super::protocol::from_num(c), v])))
            }
            Callback::Zip(inners, strict) => {
                if inners.is_empty() {
                    return Ok(None);
                }
                let mut out = Vec::with_capacity(inners.len());
                for (i, inner) in inners.iter().enumerate() {
                    match self.next(inner)? {
                        Some(v) => out.push(v),
                        None if strict => return self.zip_strict_end(&inners, i),
                        None => return Ok(None),
                    }
                }
                Ok(Some(Value::tuple(out)))
            }
            Callback::Map(func, inners) => {
                let mut args = Vec::with_capacity(inners.len());
                for inner in &inners {
                    match self.next(inner)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                Ok(Some(self.call(&func, super::object::Args::new(args))?))
            }
            Callback::Filter(func, inner) => loop {
                let Some(v) = self.next(&inner)? else {
                    return Ok(None);
                };
                let keep = if func.is_none() {
                    self.truthy(&v)?
                } else {
                    let r = self.call1(&func, v.clone())?;
                    self.truthy(&r)?
                };
                if keep {
                    return Ok(Some(v));
                }
            },
            // `calliter_iternext`: the call; `sentinel == result` (sentinel first) or a
            // StopIteration clears the iterator; so does a reentrant call that met the
            // sentinel, after which this call's result is dropped.
            Callback::Callable(func, sentinel) => match self.call0(&func) {
                Ok(v) => {
                    if !matches!(&*it.state.borrow(), IterState::Callable { .. }) {
                        return Ok(None);
                    }
                    if sentinel.is(&v) || self.eq(&sentinel, &v)? {
                        Self::exhaust(it);
                        return Ok(None);
                    }
                    Ok(Some(v))
                }
                Err(Throw::Exc(e)) if self.is_instance_of(&e, "StopIteration") => {
                    Self::exhaust(it);
                    Ok(None)
                }
                Err(e) => Err(e),
            },
        }
    }

    /// One step of an iterator whose step calls no Python code.
    pub(super) fn advance(&mut self, state: &mut IterState) -> PyResult<Option<Value>> {
        match state {
            IterState::List {
                list,
                index,
                reversed,
            } => {
                let items = list.items.borrow();
                if *reversed {
                    if *index == 0 || *index > items.len() {
                        return Ok(None);
                    }
                    *index -= 1;
                    Ok(items.get(*index).cloned())
                } else {
                    let v = items.get(*index).cloned();
                    *index += 1;
                    Ok(v)
                }
            }
            IterState::Tuple { items, index } => {
                let v = items.get(*index).cloned();
                *index += 1;
                Ok(v)
            }
            IterState::Str { chars, index, .. } => {
                let v = chars.get(*index).map(|c| Value::str(&c.to_string()));
                *index += 1;
                Ok(v)
            }
            IterState::Keys { items, index, .. } => {
                let v = items.get(*index).cloned();
                *index += 1;
                Ok(v)
            }
            IterState::Dict {
                dict,
                pos,
                len,
                keys_version,
                kind,
                ..
            } => {
                // CPython `dictiter_iternextkey` and friends.
                self.dict_unchanged(dict, len, *keys_version)?;
                let Some((after, k, v)) = dict.entry_from(*pos) else {
                    return Ok(None);
                };
                *pos = after;
                Ok(Some(match kind {
                    ViewKind::Keys => k,
                    ViewKind::Values => v,
                    ViewKind::Items => Value::tuple(vec![k, v]),
                }))
            }
            IterState::DictReversed {
                dict,
                keys,
                len,
                keys_version,
                kind,
            } => {
                // CPython `dictreviter_iternext`: the size check, then the previous entry.
                self.dict_unchanged(dict, len, *keys_version)?;
                let Some(k) = keys.pop() else {
                    return Ok(None);
                };
                let value = |vm: &Vm| {
                    dict.get(&k)
                        .ok()
                        .flatten()
                        .ok_or_else(|| vm.bug("a reversed dict iterator lost a key"))
                };
                Ok(Some(match kind {
                    ViewKind::Keys => k,
                    ViewKind::Values => value(self)?,
                    ViewKind::Items => Value::tuple(vec![k.clone(), value(self)?]),
                }))
            }
            // `setiter_iternext`: a change of size since iteration began is an error, and
            // stays one.
            IterState::Set { set, pos, used } => {
                if *used != Some(set.items.len()) {
                    *used = None;
                    return Err(self.err("RuntimeError", "Set changed size during iteration"));
                }
                Ok(set.items.next_from(*pos).map(|(i, v)| {
                    *pos = i + 1;
                    v
                }))
            }
            // `rangeiter_next`: `range_iter` chose this iterator only when the item after
            // the last still fits.
            IterState::Range { next, step, len } => {
                if *len > 0 {
                    let v = *next;
                    *next = next.wrapping_add(*step);
                    *len -= 1;
                    Ok(Some(Value::Int(v)))
                } else {
                    Ok(None)
                }
            }
            IterState::LongRange(l) => Ok(l.next().map(Value::from_num)),
            IterState::Done(_) => Ok(None),
            // Stepped by `callback_step`, never taken out.
            IterState::Seq { .. }
            | IterState::Reversed { .. }
            | IterState::Enumerate { .. }
            | IterState::Zip { .. }
            | IterState::Map { .. }
            | IterState::Filter { .. }
            | IterState::Callable { .. } => Err(self.bug("a callback iterator in advance")),
        }
    }

    /// `zip(…, strict=True)` after argument `i` (from 0) ran out: a ValueError unless
    /// every argument ran out together (CPython `zip_next`'s `check`).
    fn zip_strict_end(&mut self, inners: &[Value], i: usize) -> PyResult<Option<Value>> {
        let plural = |i: usize| {
            if i == 1 {
                " ".to_owned()
            } else {
                "s 1-".to_owned()
            }
        };
        if i > 0 {
            return Err(self.value_error(format!(
                "zip() argument {} is shorter than argument{}{i}",
                i + 1,
                plural(i)
            )));
        }
        for (i, it) in inners.iter().enumerate().skip(1) {
            if self.next(it)?.is_some() {
                return Err(self.value_error(format!(
                    "zip() argument {} is longer than argument{}{i}",
                    i + 1,
                    plural(i)
                )));
            }
        }
        Ok(None)
    }
}
