//! Dict keys and set elements whose class defines `__hash__` (CPython `slot_tp_hash`,
//! and `dict`'s and `set`'s lookups, which compare entries of equal hash with `==`).
//!
//! `Key::of` reduces built-in values to keys that compare without Python code. An instance
//! whose class defines `__hash__` (or a tuple holding one) cannot be reduced that way: its
//! hash comes from calling `__hash__`, and equal keys are found by calling `__eq__` on the
//! entries that share the hash — in frames of their own, as in CPython. This module does
//! both before the dict or set sees the key, then hands it the key of the equal entry, or a
//! new `Key::User` holding the hash and the object's identity. A built-in key looked up
//! where user keys share its hash goes through the same comparison.

use super::dict::{Dict, Key, Unhashable};
use super::interp::Vm;
use super::object::{Args, Value};
use super::set::{Entry, SetTable};
use super::PyResult;

impl Vm {
    /// `hash(v)` (`PyObject_Hash`), a class's `__hash__` included.
    pub fn hash_value(&mut self, v: &Value) -> PyResult<i64> {
        match Key::of(v) {
            Ok(k) => Ok(k.hash()),
            Err(Unhashable::UserDefined) => match v {
                Value::Set(s) if s.frozen => Ok(s.frozenset_hash()),
                Value::Tuple(items) => {
                    let mut hashes = Vec::with_capacity(items.len());
                    for x in items.iter() {
                        hashes.push(self.hash_value(x)?);
                    }
                    Ok(super::hash::tuple(hashes.into_iter()))
                }
                _ => self.user_hash(v),
            },
            Err(e) => Err(self.unhashable(e)),
        }
    }

    /// `slot_tp_hash`: the class's `__hash__`, whose int result is the hash (-1 made -2,
    /// an int beyond 64 bits hashed as an int).
    fn user_hash(&mut self, v: &Value) -> PyResult<i64> {
        let t = self.type_of(v);
        let f = match t.lookup("__hash__") {
            Some(Value::None) | None => {
                return Err(self.type_error(format!("unhashable type: '{}'", t.name())))
            }
            Some(f) => f,
        };
        match self.call(&f, Args::new(vec![v.clone()]))?.builtin_value() {
            Value::Int(-1) => Ok(-2),
            Value::Int(h) => Ok(*h),
            Value::Bool(b) => Ok(i64::from(*b)),
            Value::BigInt(b) => Ok(super::hash::big_int(b)),
            _ => Err(self.type_error("__hash__ method should return an integer")),
        }
    }

    /// The key `v` is stored or found under, given the entries that share a hash.
    fn resolve_key(
        &mut self,
        v: &Value,
        candidates: impl Fn(i64, bool) -> Vec<(Key, Value)>,
    ) -> PyResult<(Key, i64)> {
        match Key::of(v) {
            Ok(k) => {
                if k.has_nan() {
                    return Err(self.unhashable(Unhashable::NaN));
                }
                let h = k.hash();
                for (ck, obj) in candidates(h, true) {
                    if self.eq(&obj, v)? {
                        return Ok((ck, h));
                    }
                }
                Ok((k, h))
            }
            Err(Unhashable::UserDefined) => {
                let h = self.hash_value(v)?;
                for (ck, obj) in candidates(h, false) {
                    if obj.is(v) || self.eq(&obj, v)? {
                        return Ok((ck, h));
                    }
                }
                Ok((
                    Key::User {
                        hash: h,
                        id: v.address(),
                    },
                    h,
                ))
            }
            Err(e) => Err(self.unhashable(e)),
        }
    }

    /// The key `k` is stored or found under in `d`: its own when no user key can equal
    /// it, else the one `resolve_key` finds. Only a store refuses a NaN (a lookup simply
    /// finds none).
    fn dict_key(&mut self, d: &Dict, k: &Value, storing: bool) -> PyResult<Key> {
        let key = match Key::of(k) {
            Ok(key) if !d.has_user_keys() => key,
            Err(e @ (Unhashable::Type(_) | Unhashable::Class(_) | Unhashable::TooDeep)) => {
                return Err(self.unhashable(e))
            }
            _ => return Ok(self.resolve_key(k, |h, users| d.candidates(h, users))?.0),
        };
        if storing && key.has_nan() {
            return Err(self.unhashable(Unhashable::NaN));
        }
        Ok(key)
    }

    /// `d[k]` without `__missing__` (`PyDict_GetItem`'s lookup).
    pub fn dict_get(&mut self, d: &Dict, k: &Value) -> PyResult<Option<Value>> {
        let key = self.dict_key(d, k, false)?;
        Ok(d.get_key(&key))
    }

    /// `d[k] = v`.
    pub fn dict_set(&mut self, d: &Dict, k: Value, v: Value) -> PyResult<()> {
        let key = self.dict_key(d, &k, true)?;
        d.insert_key(key, k, v);
        Ok(())
    }

    /// `k in d`.
    pub fn dict_contains(&mut self, d: &Dict, k: &Value) -> PyResult<bool> {
        let key = self.dict_key(d, k, false)?;
        Ok(d.get_key(&key).is_some())
    }

    /// `del d[k]`'s removal: the value, or None when absent.
    pub fn dict_remove(&mut self, d: &Dict, k: &Value) -> PyResult<Option<Value>> {
        let key = self.dict_key(d, k, false)?;
        Ok(d.remove_key(&key))
    }

    /// `s.add(v)`: whether it was added.
    pub fn set_add(&mut self, s: &SetTable, v: Value) -> PyResult<bool> {
        match s.add(v.clone()) {
            Ok(added) => Ok(added),
            Err(Unhashable::UserDefined) => {
                let (key, hash) = self.resolve_key(&v, |h, users| s.candidates(h, users))?;
                Ok(s.add_entry(Entry {
                    hash,
                    key,
                    value: v,
                }))
            }
            Err(e) => Err(self.unhashable(e)),
        }
    }

    /// `v in s`.
    pub fn set_contains(&mut self, s: &SetTable, v: &Value) -> PyResult<bool> {
        match s.contains(v) {
            Ok(found) => Ok(found),
            Err(Unhashable::UserDefined) => {
                let (key, hash) = self.resolve_key(v, |h, users| s.candidates(h, users))?;
                Ok(s.contains_entry(&key, hash))
            }
            Err(e) => Err(self.unhashable(e)),
        }
    }

    /// `s.discard(v)`: the element removed, if any.
    pub fn set_discard(&mut self, s: &SetTable, v: &Value) -> PyResult<Option<Value>> {
        match s.remove(v) {
            Ok(found) => Ok(found),
            Err(Unhashable::UserDefined) => {
                let (key, hash) = self.resolve_key(v, |h, users| s.candidates(h, users))?;
                Ok(s.discard_entry(&key, hash))
            }
            Err(e) => Err(self.unhashable(e)),
        }
    }
}
