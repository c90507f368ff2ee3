//! The set operations and comparisons of the set-like dict views (`dict_keys`,
//! `dict_items`), after CPython 3.12's Objects/dictobject.c: `dictview_richcompare` with
//! `all_contained_in`, `dictitems_contains`, `dictviews_to_set`, `dictviews_sub`,
//! `_PyDictView_Intersect`, `dictviews_or`, `dictviews_xor` and `dictitems_xor`. Their
//! results are sets; the operand that is not a view may be any iterable (the slots are
//! `nb_subtract` and the like, called with the view on either side).

use std::rc::Rc;

use super::gc;
use super::interp::Vm;
use super::object::{DictView, Set, Value, ViewKind};
use super::PyResult;
use crate::oparg::{BinaryOp, CompareOp};

/// The set-like view `v` is (`PyDictViewSet_Check`): a keys or items view.
pub fn setlike_view(v: &Value) -> Option<&Rc<DictView>> {
    match v {
        Value::DictView(d) if d.kind != ViewKind::Values => Some(d),
        _ => None,
    }
}

/// Whether `v` is a set, a frozenset (or a subclass instance of one) or a set-like view.
fn any_set_or_view(v: &Value) -> bool {
    matches!(v.builtin_value(), Value::Set(_)) || setlike_view(v).is_some()
}

impl Vm {
    /// `dictitems_contains`: a pair `(key, value)` is in an items view when the dict has
    /// `key` (looked up, so an unhashable key is a TypeError) with a value equal to
    /// `value`; anything but a 2-tuple is not.
    pub fn dict_items_contains(&mut self, view: &DictView, item: &Value) -> PyResult<bool> {
        let Value::Tuple(pair) = item.builtin_value() else {
            return Ok(false);
        };
        let [key, value] = &pair[..] else {
            return Ok(false);
        };
        match self.dict_get(&view.dict, key)? {
            Some(found) => Ok(found.is(value) || self.eq(&found, value)?),
            None => Ok(false),
        }
    }

    /// `dictview_richcompare(view, other, op)`: NotImplemented (`None`) unless `other`
    /// is a set or a set-like view; else the sizes, then `all_contained_in` (each item
    /// of one tested with `in` on the other).
    pub fn view_richcompare(
        &mut self,
        view: &Value,
        other: &Value,
        op: CompareOp,
    ) -> PyResult<Option<bool>> {
        if !any_set_or_view(other) {
            return Ok(None);
        }
        let (len_self, len_other) = (self.len(view)?, self.len(other)?);
        let ok = match op {
            CompareOp::Eq | CompareOp::Ne => {
                let equal = len_self == len_other && self.all_contained_in(view, other)?;
                equal == (op == CompareOp::Eq)
            }
            CompareOp::Lt => len_self < len_other && self.all_contained_in(view, other)?,
            CompareOp::Le => len_self <= len_other && self.all_contained_in(view, other)?,
            CompareOp::Gt => len_self > len_other && self.all_contained_in(other, view)?,
            CompareOp::Ge => len_self >= len_other && self.all_contained_in(other, view)?,
        };
        Ok(Some(ok))
    }

    /// `all_contained_in`: every item `a` iterates to is `in` `b`.
    fn all_contained_in(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        let it = self.iter(a)?;
        while let Some(x) = self.next(&it)? {
            if !self.contains(b, &x)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `dictviews_to_set`: a new set of what `v` iterates to (a keys view's dict directly,
    /// `PySet_New`'s fast path, which gives the same order).
    fn view_to_set(&mut self, v: &Value) -> PyResult<Rc<Set>> {
        match setlike_view(v) {
            Some(d) if d.kind == ViewKind::Keys => {
                self.new_set(false, Some(&Value::Dict(d.dict.clone())))
            }
            _ => self.new_set(false, Some(v)),
        }
    }

    /// The view operator `op` (`|`, `&`, `-`, `^`) with `a` the left operand, one of
    /// the two a set-like view (`dictviews_or(a, b)` and its kin, which the interpreter
    /// calls with the operands in their places whichever is the view). `None` for
    /// another operator or when neither operand is a set-like view.
    pub fn view_binary(&mut self, op: BinaryOp, a: &Value, b: &Value) -> PyResult<Option<Value>> {
        if setlike_view(a).is_none() && setlike_view(b).is_none() {
            return Ok(None);
        }
        let result = match op {
            BinaryOp::Or => {
                let result = self.view_to_set(a)?;
                self.set_update_internal(&result, b)?;
                result
            }
            BinaryOp::Subtract => {
                let result = self.view_to_set(a)?;
                self.set_difference_update_internal(&result, b)?;
                result
            }
            BinaryOp::Xor => match (setlike_view(a), setlike_view(b)) {
                (Some(x), Some(y)) if x.kind == ViewKind::Items && y.kind == ViewKind::Items => {
                    let (x, y) = (x.clone(), y.clone());
                    self.dict_items_xor(&x, &y)?
                }
                _ => {
                    let result = self.view_to_set(a)?;
                    self.set_symmetric_difference_update(&result, b)?;
                    result
                }
            },
            BinaryOp::And => self.view_intersect(a, b)?,
            _ => return Ok(None),
        };
        Ok(Some(Value::Set(result)))
    }

    /// `_PyDictView_Intersect`: the view's `set.intersection` with an exact set at least
    /// as large; else the items of the other operand (the smaller view, when both are
    /// views) that the view contains, in the other's order.
    fn view_intersect(&mut self, a: &Value, b: &Value) -> PyResult<Rc<Set>> {
        let (mut view, mut other) = if setlike_view(a).is_some() {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let len_self = self.len(&view)?;
        if let Value::Set(s) = &other {
            if !s.frozen && len_self <= s.items.len() {
                let s = s.clone();
                return self.set_intersection(&s, &view);
            }
        }
        if setlike_view(&other).is_some() && self.len(&other)? > len_self {
            std::mem::swap(&mut view, &mut other);
        }
        let Some(d) = setlike_view(&view).cloned() else {
            return Err(self.bug("_PyDictView_Intersect without a view"));
        };
        let result = gc::alloc(Set::new(false));
        let it = self.iter(&other)?;
        while let Some(key) = self.next(&it)? {
            let found = match d.kind {
                ViewKind::Keys => self.dict_contains(&d.dict, &key)?,
                _ => self.dict_items_contains(&d, &key)?,
            };
            if found {
                self.set_add(&result.items, key)?;
            }
        }
        Ok(result)
    }

    /// `dictitems_xor`: the pairs of either dict whose key the other lacks or holds with
    /// an unequal value: `y`'s in its order, then the rest of a copy of `x`'s.
    fn dict_items_xor(&mut self, x: &DictView, y: &DictView) -> PyResult<Rc<Set>> {
        let temp = Rc::new(x.dict.copy());
        let result = gc::alloc(Set::new(false));
        for (key, val2) in y.dict.items() {
            let to_delete = match self.dict_get(&temp, &key)? {
                Some(val1) => val1.is(&val2) || self.eq(&val1, &val2)?,
                None => false,
            };
            if to_delete {
                self.dict_remove(&temp, &key)?;
            } else {
                self.set_add(&result.items, Value::tuple(vec![key, val2]))?;
            }
        }
        let rest = Value::DictView(Rc::new(DictView {
            dict: temp,
            kind: ViewKind::Items,
        }));
        self.set_update_internal(&result, &rest)?;
        Ok(result)
    }
}
