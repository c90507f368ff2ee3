//! The operations of `set` and `frozenset` that build, combine and compare tables, after
//! CPython 3.12's Objects/setobject.c. Which table a result starts from (a copy, a fresh
//! one, the smaller operand's) and in which order elements go in decides the result's
//! iteration order, so each function follows its CPython namesake step by step.
//!
//! A result has the base type of the left operand (`make_new_set_basetype`): an operation
//! on a frozenset gives a frozenset.
//!
//! Naming block: `so` the set operated on, `other` the other operand, `result` a new set.

use std::rc::Rc;

use super::dict::Key;
use super::gc;
use super::interp::Vm;
use super::object::{Set, Value};
use super::set::Entry;
use super::PyResult;
use crate::oparg::{BinaryOp, CompareOp};

/// Whether either set holds an element whose class defines `__hash__`, so that the
/// operation must compare elements through `__eq__` (see `keys`).
fn user_keys(so: &Rc<Set>, other: &Value) -> bool {
    so.items.has_user_keys() || matches!(other, Value::Set(o) if o.items.has_user_keys())
}

/// Whether `v` is this very set (`(PyObject *)so == other`).
fn is_same(so: &Rc<Set>, v: &Value) -> bool {
    matches!(v, Value::Set(o) if Rc::ptr_eq(so, o))
}

impl Vm {
    /// `make_new_set`: a new set (or frozenset) holding the elements of `iterable`.
    pub fn new_set(&mut self, frozen: bool, iterable: Option<&Value>) -> PyResult<Rc<Set>> {
        let so = gc::alloc(Set::new(frozen));
        if let Some(other) = iterable {
            self.set_update_internal(&so, other)?;
        }
        Ok(so)
    }

    /// `frozenset(iterable)` (`make_new_frozenset`): a frozenset argument is returned as is.
    pub fn new_frozenset(&mut self, iterable: Option<&Value>) -> PyResult<Value> {
        if let Some(v @ Value::Set(s)) = iterable {
            if s.frozen {
                return Ok(v.clone());
            }
        }
        Ok(Value::Set(self.new_set(true, iterable)?))
    }

    /// `set_update_internal`: another set is merged table to table (`set_merge`); a dict's
    /// keys are added in its order after one presize; anything else is iterated.
    pub fn set_update_internal(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<()> {
        if user_keys(so, other) {
            for v in self.elements(other)? {
                self.set_add(&so.items, v)?;
            }
            return Ok(());
        }
        match other {
            Value::Set(o) => so.items.merge(&o.items),
            Value::Dict(d) => {
                so.items.presize(d.len());
                for k in d.keys() {
                    match Key::of(&k) {
                        Ok(key) => {
                            let hash = key.hash();
                            so.items.add_entry(Entry {
                                hash,
                                key,
                                value: k,
                            });
                        }
                        Err(_) => {
                            self.set_add(&so.items, k)?;
                        }
                    }
                }
            }
            _ => {
                let it = self.iter(other)?;
                while let Some(v) = self.next(&it)? {
                    self.set_add(&so.items, v)?;
                }
            }
        }
        Ok(())
    }

    /// `set_copy`: a new set of `so`'s base type, merged from it.
    pub fn set_copy(&mut self, so: &Rc<Set>) -> PyResult<Rc<Set>> {
        self.new_set(so.frozen, Some(&Value::Set(so.clone())))
    }

    /// `set_union` (`s.union(*others)`): a copy updated from each other operand but `so`.
    pub fn set_union(&mut self, so: &Rc<Set>, others: &[Value]) -> PyResult<Rc<Set>> {
        let result = self.set_copy(so)?;
        for other in others {
            if !is_same(so, other) {
                self.set_update_internal(&result, other)?;
            }
        }
        Ok(result)
    }

    /// `set_intersection`: with another set, the smaller one's elements (in its slot
    /// order) that the larger one has; with an iterable, its elements that `so` has,
    /// stopping once the result is as large as `so`.
    pub fn set_intersection(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<Rc<Set>> {
        if is_same(so, other) {
            return self.set_copy(so);
        }
        let result = gc::alloc(Set::new(so.frozen));
        if let Value::Set(o) = other {
            let (large, small) = if o.items.len() > so.items.len() {
                (o, so)
            } else {
                (so, o)
            };
            if user_keys(so, other) {
                for v in small.items.keys() {
                    if self.set_contains(&large.items, &v)? {
                        self.set_add(&result.items, v)?;
                    }
                }
                return Ok(result);
            }
            for e in small.items.entries() {
                if large.items.contains_entry(&e.key, e.hash) {
                    result.items.add_entry(e);
                }
            }
            return Ok(result);
        }
        let it = self.iter(other)?;
        while let Some(v) = self.next(&it)? {
            if self.set_contains(&so.items, &v)? {
                self.set_add(&result.items, v)?;
                if result.items.len() >= so.items.len() {
                    break;
                }
            }
        }
        Ok(result)
    }

    /// `set_intersection_multi` (`s.intersection(*others)`).
    pub fn set_intersection_multi(&mut self, so: &Rc<Set>, others: &[Value]) -> PyResult<Rc<Set>> {
        if others.is_empty() {
            return self.set_copy(so);
        }
        let mut result = so.clone();
        for other in others {
            result = self.set_intersection(&result, other)?;
        }
        Ok(result)
    }

    /// `set_intersection_update` (`s &= t`): the intersection's table replaces `so`'s.
    pub fn set_intersection_update(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<()> {
        let tmp = self.set_intersection(so, other)?;
        so.items.swap(&tmp.items);
        tmp.items.clear();
        Ok(())
    }

    /// `set_difference_update_internal` (`s -= t`): removes `other`'s elements (those of
    /// `so & other` when `other` is a set more than 8 times larger), then rebuilds the
    /// table if more than a quarter of it is dummies.
    pub fn set_difference_update_internal(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<()> {
        if is_same(so, other) {
            so.items.clear();
            return Ok(());
        }
        if user_keys(so, other) {
            for v in self.elements(other)? {
                self.set_discard(&so.items, &v)?;
            }
            so.items.shrink_if_sparse();
            return Ok(());
        }
        if let Value::Set(o) = other {
            let source = if (o.items.len() >> 3) > so.items.len() {
                self.set_intersection(so, other)?
            } else {
                o.clone()
            };
            for e in source.items.entries() {
                so.items.discard_entry(&e.key, e.hash);
            }
        } else {
            let it = self.iter(other)?;
            while let Some(v) = self.next(&it)? {
                self.set_discard(&so.items, &v)?;
            }
        }
        so.items.shrink_if_sparse();
        Ok(())
    }

    /// `set_copy_and_difference`.
    fn set_copy_and_difference(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<Rc<Set>> {
        let result = self.set_copy(so)?;
        self.set_difference_update_internal(&result, other)?;
        Ok(result)
    }

    /// `set_difference` (`s - t`): `so`'s elements, in its slot order, that `other` lacks,
    /// added to a fresh set; a copy of `so` with `other`'s removed when `other` is not a
    /// set or dict, or is less than a quarter of `so`'s size.
    pub fn set_difference(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<Rc<Set>> {
        if user_keys(so, other) {
            return self.set_copy_and_difference(so, other);
        }
        let other_size = match other {
            Value::Set(o) => o.items.len(),
            Value::Dict(d) => d.len(),
            _ => return self.set_copy_and_difference(so, other),
        };
        if (so.items.len() >> 2) > other_size {
            return self.set_copy_and_difference(so, other);
        }
        let result = gc::alloc(Set::new(so.frozen));
        for e in so.items.entries() {
            let present = match other {
                Value::Dict(d) => d.get_key(&e.key).is_some(),
                Value::Set(o) => o.items.contains_entry(&e.key, e.hash),
                _ => false,
            };
            if !present {
                result.items.add_entry(e);
            }
        }
        Ok(result)
    }

    /// `set_symmetric_difference_update` (`s ^= t`): each element of `other` (a dict's
    /// keys, a set's slots, or a new set built from an iterable) is removed from `so` if
    /// there, else added.
    pub fn set_symmetric_difference_update(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<()> {
        if is_same(so, other) {
            so.items.clear();
            return Ok(());
        }
        if user_keys(so, other) || matches!(other, Value::Dict(d) if d.has_user_keys()) {
            let source = match other {
                Value::Set(o) => o.clone(),
                _ => self.new_set(so.frozen, Some(other))?,
            };
            for v in source.items.keys() {
                if self.set_discard(&so.items, &v)?.is_none() {
                    self.set_add(&so.items, v)?;
                }
            }
            return Ok(());
        }
        let entries = match other {
            Value::Dict(d) => {
                let mut entries = Vec::with_capacity(d.len());
                for k in d.keys() {
                    let key = Key::of(&k).map_err(|e| self.unhashable(e))?;
                    let hash = key.hash();
                    entries.push(Entry {
                        hash,
                        key,
                        value: k,
                    });
                }
                entries
            }
            Value::Set(o) => o.items.entries(),
            _ => self.new_set(so.frozen, Some(other))?.items.entries(),
        };
        for e in entries {
            if so.items.discard_entry(&e.key, e.hash).is_none() {
                so.items.add_entry(e);
            }
        }
        Ok(())
    }

    /// `set_symmetric_difference` (`s ^ t`): a new set built from `other`, updated with
    /// `so` symmetrically.
    pub fn set_symmetric_difference(&mut self, so: &Rc<Set>, other: &Value) -> PyResult<Rc<Set>> {
        let result = self.new_set(so.frozen, Some(other))?;
        self.set_symmetric_difference_update(&result, &Value::Set(so.clone()))?;
        Ok(result)
    }

    /// `set_richcompare` between two sets: `==` is equal size and subset, the orderings are
    /// subset and superset tests. `None` for an operator that is not a comparison.
    pub fn set_richcompare(op: CompareOp, v: &Set, w: &Set) -> bool {
        let (lv, lw) = (v.items.len(), w.items.len());
        let subset = |a: &Set, b: &Set| a.items.is_subset_of(&b.items);
        match op {
            CompareOp::Eq => lv == lw && subset(v, w),
            CompareOp::Ne => !(lv == lw && subset(v, w)),
            CompareOp::Le => subset(v, w),
            CompareOp::Ge => subset(w, v),
            CompareOp::Lt => lv < lw && subset(v, w),
            CompareOp::Gt => lv > lw && subset(w, v),
        }
    }

    /// Rich comparison when an operand is a set or a set-like dict view
    /// (`set_richcompare`; with a view, `dictview_richcompare` of the view, reflected when
    /// the view is on the right, as `set_richcompare` answers NotImplemented to a view).
    /// `None` when neither rule applies (NotImplemented).
    pub fn setlike_compare(
        &mut self,
        op: CompareOp,
        a: &Value,
        b: &Value,
    ) -> PyResult<Option<bool>> {
        if let (Value::Set(x), Value::Set(y)) = (a, b) {
            if x.items.has_user_keys() || y.items.has_user_keys() {
                return self.user_set_richcompare(op, x, y).map(Some);
            }
            return Ok(Some(Vm::set_richcompare(op, x, y)));
        }
        if super::viewops::setlike_view(a).is_some() {
            return self.view_richcompare(a, b, op);
        }
        if super::viewops::setlike_view(b).is_some() {
            return self.view_richcompare(b, a, op.swapped());
        }
        Ok(None)
    }

    /// [`Vm::set_richcompare`] where elements compare through `__eq__`.
    fn user_set_richcompare(&mut self, op: CompareOp, v: &Set, w: &Set) -> PyResult<bool> {
        let (lv, lw) = (v.items.len(), w.items.len());
        let subset = |vm: &mut Vm, a: &Set, b: &Set| -> PyResult<bool> {
            for x in a.items.keys() {
                if !vm.set_contains(&b.items, &x)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        Ok(match op {
            CompareOp::Eq => lv == lw && subset(self, v, w)?,
            CompareOp::Ne => !(lv == lw && subset(self, v, w)?),
            CompareOp::Le => subset(self, v, w)?,
            CompareOp::Ge => subset(self, w, v)?,
            CompareOp::Lt => lv < lw && subset(self, v, w)?,
            CompareOp::Gt => lv > lw && subset(self, w, v)?,
        })
    }

    /// The elements `other` contributes to a set operation: a set's or a dict's keys, or
    /// what iterating it gives.
    fn elements(&mut self, other: &Value) -> PyResult<Vec<Value>> {
        match other {
            Value::Set(o) => Ok(o.items.keys()),
            Value::Dict(d) => Ok(d.keys()),
            _ => self.collect(other),
        }
    }

    /// The set operators `|`, `&`, `-`, `^` and their in-place forms (`set_or`,
    /// `set_and`, `set_sub`, `set_xor`, `set_ior`, …) when both operands are sets; a
    /// frozenset has no in-place forms, so `f |= t` rebinds `f` to `f | t`. `None` when the
    /// operands are not both sets. With a dict keys or items view, the view's
    /// operators (`viewops`).
    pub fn set_binary(
        &mut self,
        op: BinaryOp,
        a: &Value,
        b: &Value,
        inplace: bool,
    ) -> PyResult<Option<Value>> {
        if !matches!(
            op,
            BinaryOp::Or | BinaryOp::And | BinaryOp::Subtract | BinaryOp::Xor
        ) {
            return Ok(None);
        }
        // A set's operators answer NotImplemented to a view (`set_or` and its kin check
        // `PyAnySet_Check`), a view's never: the view's, in place or not.
        if let Some(r) = self.view_binary(op, a, b)? {
            return Ok(Some(r));
        }
        let (Value::Set(so), Value::Set(_)) = (a, b) else {
            return Ok(None);
        };
        if inplace && !so.frozen {
            match op {
                BinaryOp::Or => self.set_update_internal(so, b)?,
                BinaryOp::And => self.set_intersection_update(so, b)?,
                BinaryOp::Subtract => self.set_difference_update_internal(so, b)?,
                _ => self.set_symmetric_difference_update(so, b)?,
            }
            return Ok(Some(a.clone()));
        }
        let result = match op {
            BinaryOp::Or => {
                let result = self.set_copy(so)?;
                if !is_same(so, b) {
                    self.set_update_internal(&result, b)?;
                }
                result
            }
            BinaryOp::And => self.set_intersection(so, b)?,
            BinaryOp::Subtract => self.set_difference(so, b)?,
            _ => self.set_symmetric_difference(so, b)?,
        };
        Ok(Some(Value::Set(result)))
    }
}
