//! `dict`: an insertion-ordered hash map keyed by Python equality (spec: namespaces are
//! dicts, `f_globals is globals()`).
//!
//! Keys are reduced to a [`Key`] that encodes Python's `==` for the hashable builtin types
//! (`1 == 1.0 == True` share a key); other objects hash by identity, as CPython's default
//! `object.__hash__` does. Deleted entries leave a tombstone so iteration order is kept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::gc;
use super::object::Value;

/// The hashable essence of a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    None,
    Ellipsis,
    NotImplemented,
    /// `bool`, `int` and integral `float`s.
    Int(i64),
    /// Non-integral floats, by bit pattern.
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Box<[Key]>),
    /// Identity (the object's address; the dict holds the object alive).
    Id(usize),
}

/// Why a value has no key.
#[derive(Debug)]
pub enum Unhashable {
    /// The type name (`TypeError: unhashable type: 'list'`).
    Type(&'static str),
    /// Tuples nested deeper than [`MAX_KEY_DEPTH`].
    TooDeep,
    /// An instance of a class whose `__hash__` is None, set or implied by defining `__eq__`
    /// alone (CPython `type_new` sets `__hash__ = None` then); the class name.
    Class(Rc<str>),
    /// An instance of a class with a `__hash__` of its own: CPython would call it and
    /// `__eq__`; keys here compare by identity.
    UserDefined,
}

/// Deepest tuple nesting a key may have. CPython 3.12 hashes nested tuples without a
/// recursion guard (deep enough, it overflows the C stack); the VM refuses well before its
/// own stack is at risk, and well beyond depths CPython handles.
pub const MAX_KEY_DEPTH: usize = 100_000;

impl Key {
    pub fn of(v: &Value) -> Result<Key, Unhashable> {
        Key::of_at(v, 0)
    }

    fn of_at(v: &Value, depth: usize) -> Result<Key, Unhashable> {
        Ok(match v {
            Value::None => Key::None,
            Value::Ellipsis => Key::Ellipsis,
            Value::NotImplemented => Key::NotImplemented,
            Value::Bool(b) => Key::Int(i64::from(*b)),
            Value::Int(i) => Key::Int(*i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    Key::Int(*f as i64)
                } else {
                    Key::Float(f.to_bits())
                }
            }
            Value::Str(s) => Key::Str(s.clone()),
            Value::Bytes(b) => Key::Bytes(b.clone()),
            Value::Tuple(items) => {
                if depth >= MAX_KEY_DEPTH {
                    return Err(Unhashable::TooDeep);
                }
                let keys: Result<Vec<Key>, Unhashable> =
                    items.iter().map(|i| Key::of_at(i, depth + 1)).collect();
                Key::Tuple(keys?.into_boxed_slice())
            }
            Value::List(_) => return Err(Unhashable::Type("list")),
            Value::Dict(_) => return Err(Unhashable::Type("dict")),
            Value::Set(_) => return Err(Unhashable::Type("set")),
            Value::Slice(_) => return Err(Unhashable::Type("slice")),
            Value::DictView(_) => return Err(Unhashable::Type("dict_keys")),
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                for c in t.mro().iter().take_while(|c| !c.is_builtin()) {
                    match c.dict.get_str("__hash__") {
                        Some(Value::None) => return Err(Unhashable::Class(t.name.clone())),
                        Some(_) => return Err(Unhashable::UserDefined),
                        None if c.dict.get_str("__eq__").is_some() => {
                            return Err(Unhashable::Class(t.name.clone()))
                        }
                        None => {}
                    }
                }
                Key::Id(v.address())
            }
            other => Key::Id(other.address()),
        })
    }

    /// `hash()` of the value this key came from (deterministic; CPython's for ints).
    pub fn hash(&self) -> i64 {
        use std::hash::{Hash, Hasher};
        match self {
            Key::Int(i) => {
                if *i == -1 {
                    -2
                } else {
                    *i
                }
            }
            other => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                Hash::hash(other, &mut h);
                (h.finish() >> 1) as i64
            }
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<Option<(Value, Value)>>,
    index: HashMap<Key, usize>,
    /// Counts changes to the set of keys (not to values), so an iterator can tell a
    /// dict whose keys changed while it ran.
    keys_version: u64,
}

/// An insertion-ordered dict with interior mutability.
#[derive(Debug, Default)]
pub struct Dict {
    inner: RefCell<Inner>,
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }

    /// A new dict, registered for teardown (see `gc`).
    pub fn new_rc() -> Rc<Dict> {
        gc::alloc(Dict::default())
    }

    pub fn len(&self) -> usize {
        self.inner.borrow().index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, k: &Value) -> Result<Option<Value>, Unhashable> {
        let key = Key::of(k)?;
        Ok(self.get_key(&key))
    }

    pub fn get_key(&self, key: &Key) -> Option<Value> {
        let inner = self.inner.borrow();
        let at = *inner.index.get(key)?;
        inner
            .entries
            .get(at)
            .and_then(|e| e.as_ref())
            .map(|(_, v)| v.clone())
    }

    pub fn get_str(&self, name: &str) -> Option<Value> {
        self.get_key(&Key::Str(Rc::from(name)))
    }

    pub fn contains(&self, k: &Value) -> Result<bool, Unhashable> {
        let key = Key::of(k)?;
        Ok(self.inner.borrow().index.contains_key(&key))
    }

    pub fn set(&self, k: Value, v: Value) -> Result<(), Unhashable> {
        let key = Key::of(&k)?;
        self.insert(key, k, v);
        Ok(())
    }

    pub fn set_str(&self, name: &str, v: Value) {
        let name: Rc<str> = Rc::from(name);
        self.insert(Key::Str(name.clone()), Value::Str(name), v);
    }

    /// Stores `v` under `key` (whose object is `k`). An existing entry keeps its original
    /// key object, as in CPython; the value it loses is freed outside the borrow.
    fn insert(&self, key: Key, k: Value, v: Value) {
        let mut inner = self.inner.borrow_mut();
        if let Some(&at) = inner.index.get(&key) {
            if let Some(Some(entry)) = inner.entries.get_mut(at) {
                let old = std::mem::replace(&mut entry.1, v);
                drop(inner);
                gc::release_one(old);
                return;
            }
        }
        let at = inner.entries.len();
        inner.entries.push(Some((k, v)));
        inner.index.insert(key, at);
        inner.keys_version += 1;
    }

    /// See [`Inner::keys_version`].
    pub fn keys_version(&self) -> u64 {
        self.inner.borrow().keys_version
    }

    /// The first live entry at or after position `pos` in insertion order, with the
    /// position after it (the walk of CPython's `dictiter_iternext*`).
    pub fn entry_from(&self, pos: usize) -> Option<(usize, Value, Value)> {
        let inner = self.inner.borrow();
        inner
            .entries
            .iter()
            .enumerate()
            .skip(pos)
            .find_map(|(i, e)| e.as_ref().map(|(k, v)| (i + 1, k.clone(), v.clone())))
    }

    /// Removes `k`, returning its value.
    pub fn remove(&self, k: &Value) -> Result<Option<Value>, Unhashable> {
        let key = Key::of(k)?;
        let mut inner = self.inner.borrow_mut();
        let Some(at) = inner.index.remove(&key) else {
            return Ok(None);
        };
        inner.keys_version += 1;
        let old = inner
            .entries
            .get_mut(at)
            .and_then(|e| e.take())
            .map(|(_, v)| v);
        if inner.index.is_empty() {
            inner.entries.clear();
        }
        Ok(old)
    }

    pub fn clear(&self) {
        let mut out = Vec::new();
        self.drain_into(&mut out);
        gc::release_all(out);
    }

    /// A snapshot of the entries in insertion order.
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.inner
            .borrow()
            .entries
            .iter()
            .flatten()
            .cloned()
            .collect()
    }

    pub fn keys(&self) -> Vec<Value> {
        self.inner
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn values(&self) -> Vec<Value> {
        self.inner
            .borrow()
            .entries
            .iter()
            .flatten()
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Removes and returns the last inserted entry (`dict.popitem`).
    pub fn pop_last(&self) -> Option<(Value, Value)> {
        let last = self
            .inner
            .borrow()
            .entries
            .iter()
            .flatten()
            .last()
            .cloned()?;
        let _ = self.remove(&last.0);
        Some(last)
    }

    /// Whether some key or value is the last reference to a container (see `gc`).
    pub fn has_deep(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|inner| {
            inner
                .entries
                .iter()
                .flatten()
                .any(|(k, v)| gc::is_deep(k) || gc::is_deep(v))
        })
    }

    /// Moves every key and value into `out`, leaving the dict empty (teardown).
    pub fn drain_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            // Clearing (not replacing) the index avoids a new hasher per dict.
            inner.index.clear();
            inner.keys_version += 1;
            for (k, v) in std::mem::take(&mut inner.entries).into_iter().flatten() {
                out.push(k);
                out.push(v);
            }
        }
    }

    pub fn copy(&self) -> Dict {
        let d = Dict::new();
        for (k, v) in self.items() {
            let _ = d.set(k, v);
        }
        d
    }
}

/// A namespace can hold the only reference to a deep structure: drop it without recursion.
impl Drop for Dict {
    fn drop(&mut self) {
        // Runs for every dict: a read-only scan, then a plain drop unless an entry is the
        // last reference to a container.
        if self.has_deep() {
            for (k, v) in std::mem::take(&mut self.inner.get_mut().entries)
                .into_iter()
                .flatten()
            {
                gc::release_one(k);
                gc::release_one(v);
            }
        }
    }
}
