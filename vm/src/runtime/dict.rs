//! `dict`: an insertion-ordered hash map keyed by Python equality (spec: namespaces are
//! dicts, `f_globals is globals()`).
//!
//! Keys are reduced to a [`Key`] that encodes Python's `==` for the hashable builtin types
//! (`1 == 1.0 == True` share a key); other objects compare by identity, as CPython's
//! default `object.__eq__` does. [`Key::hash`] is CPython's `hash()` of the value (see
//! `hash`); the dict's own index hashes keys its own way, since only iteration order, not
//! the table layout, is visible for dicts. Deleted entries leave a tombstone so iteration
//! order is kept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::gc;
use super::hash;
use super::object::{Set, Value, ViewKind};
use crate::code::{CodeObject, Constant};

/// The hashable essence of a value.
#[derive(Clone, Debug)]
pub enum Key {
    None,
    Ellipsis,
    NotImplemented,
    /// `bool`, `int` and integral `float`s.
    Int(i64),
    /// Ints (and integral floats) beyond 64 bits.
    BigInt(Rc<num_bigint::BigInt>),
    /// Non-integral floats and infinities, by bit pattern.
    Float(u64),
    /// A NaN float. CPython hashes a NaN by its address and finds it again only as the same
    /// object; the VM's floats have no identity beyond their bits, so containers refuse
    /// NaN keys (see [`Key::has_nan`]) and a lookup finds none.
    NaN(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Box<[Key]>),
    /// A complex with a non-zero imaginary part and no NaN: the parts' bits, a zero real
    /// part always +0.0.
    Complex((u64, u64)),
    /// A range, compared by `range_equals` and hashed by `range_hash`.
    Range(Rc<super::object::Range>),
    /// A slice (hashable since 3.12): equal when start, stop and step are.
    Slice(Box<[Key; 3]>),
    /// A frozenset (or a set looked up in a set, standing for the equal frozenset): equal
    /// to another with the same elements.
    FrozenSet(Rc<Set>),
    /// A bound method: its `__self__` by identity, its function by equality
    /// (`method_richcompare`, `meth_richcompare`).
    Method(usize, Box<Key>),
    /// A code object: compared by identity (two distinct code objects from one compile
    /// never have equal contents, which is what `code_richcompare` compares), hashed by
    /// contents (`code_hash`).
    Code(Rc<CodeObject>),
    /// Identity (the object's address; the dict holds the object alive).
    Id(usize),
    /// An object whose class defines `__hash__` (or a tuple holding one): its hash, from
    /// Python, and its identity. Equal objects find one key only through `keys`, which
    /// asks their `__eq__` before a dict or set sees the key.
    User {
        hash: i64,
        id: usize,
    },
}

/// Every dict index entry holds a key: no variant may make keys larger than a str key.
const _: () = assert!(std::mem::size_of::<Key>() <= 24);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::None, Key::None)
            | (Key::Ellipsis, Key::Ellipsis)
            | (Key::NotImplemented, Key::NotImplemented) => true,
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::BigInt(a), Key::BigInt(b)) => a == b,
            (Key::Float(a), Key::Float(b)) | (Key::NaN(a), Key::NaN(b)) => a == b,
            (Key::Complex(a), Key::Complex(b)) => a == b,
            (Key::Str(a), Key::Str(b)) => a == b,
            (Key::Bytes(a), Key::Bytes(b)) => a == b,
            (Key::Tuple(a), Key::Tuple(b)) => a == b,
            (Key::Slice(a), Key::Slice(b)) => a == b,
            (Key::Range(a), Key::Range(b)) => a.equals(b),
            (Key::FrozenSet(a), Key::FrozenSet(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.items.len() == b.items.len() && a.items.is_subset_of(&b.items))
            }
            (Key::Method(s, f), Key::Method(t, g)) => s == t && f == g,
            (Key::Code(a), Key::Code(b)) => Rc::ptr_eq(a, b),
            (Key::Id(a), Key::Id(b)) => a == b,
            (Key::User { id: a, .. }, Key::User { id: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for Key {}

/// The dict index's hash: consistent with `==` (a frozenset feeds its CPython hash, which
/// does not depend on its elements' order). Only the contents are hashed, not the variant:
/// keys of different variants that collide are still told apart by `==`.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Key::None => state.write_u8(0),
            Key::Ellipsis => state.write_u8(1),
            Key::NotImplemented => state.write_u8(2),
            Key::Int(i) => i.hash(state),
            Key::BigInt(b) => b.hash(state),
            Key::Float(b) | Key::NaN(b) => b.hash(state),
            Key::Complex(c) => c.hash(state),
            Key::Str(s) => s.hash(state),
            Key::Bytes(b) => b.hash(state),
            Key::Tuple(items) => items.hash(state),
            Key::Slice(parts) => parts.hash(state),
            Key::Range(r) => r.hash().hash(state),
            Key::FrozenSet(s) => s.frozenset_hash().hash(state),
            Key::Method(s, f) => {
                s.hash(state);
                f.hash(state);
            }
            Key::Code(c) => (Rc::as_ptr(c) as usize).hash(state),
            Key::Id(a) => a.hash(state),
            Key::User { hash, .. } => hash.hash(state),
        }
    }
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
    /// A NaN as a dict key or set element (see [`Key::NaN`]).
    NaN,
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
            Value::BigInt(b) => Key::BigInt(b.clone()),
            Value::Float(f) => Key::of_float(*f),
            Value::Complex(c) => Key::of_complex(c.0, c.1, v.address()),
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
            Value::Range(r) => Key::Range(r.clone()),
            // Elements compared through `__eq__` make the frozenset a user key too.
            Value::Set(s) if s.frozen && s.items.has_user_keys() => {
                return Err(Unhashable::UserDefined)
            }
            Value::Set(s) if s.frozen => Key::FrozenSet(s.clone()),
            Value::Set(_) => return Err(Unhashable::Type("set")),
            Value::List(_) => return Err(Unhashable::Type("list")),
            Value::Dict(_) => return Err(Unhashable::Type("dict")),
            Value::Slice(s) => Key::Slice(Box::new([
                Key::of_at(&s.start, depth + 1)?,
                Key::of_at(&s.stop, depth + 1)?,
                Key::of_at(&s.step, depth + 1)?,
            ])),
            Value::Cell(_) => return Err(Unhashable::Type("cell")),
            Value::DictView(d) => match d.kind {
                ViewKind::Keys => return Err(Unhashable::Type("dict_keys")),
                ViewKind::Items => return Err(Unhashable::Type("dict_items")),
                ViewKind::Values => Key::Id(v.address()),
            },
            Value::Method(m) => Key::Method(m.receiver.address(), Box::new(Key::of(&m.func)?)),
            Value::Code(c) => Key::Code(c.clone()),
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                for c in t.mro().iter().take_while(|c| !c.is_builtin()) {
                    match c.dict.get_str("__hash__") {
                        Some(Value::None) => return Err(Unhashable::Class(t.name().clone())),
                        Some(_) => return Err(Unhashable::UserDefined),
                        None if c.dict.get_str("__eq__").is_some() => {
                            return Err(Unhashable::Class(t.name().clone()))
                        }
                        None => {}
                    }
                }
                // A subclass of a built-in type hashes and compares as its built-in
                // value (it inherits that type's `__hash__` and `__eq__`).
                if let Some(p) = &o.payload {
                    return Key::of_at(p, depth).map_err(|e| match e {
                        Unhashable::Type(_) => Unhashable::Class(t.name().clone()),
                        other => other,
                    });
                }
                Key::Id(v.address())
            }
            // `pattern_hash`, through the type's `__hash__`.
            Value::Native(n) if matches!(**n, super::object::Native::SrePattern(_)) => {
                return Err(Unhashable::UserDefined)
            }
            Value::Native(n) if matches!(**n, super::object::Native::ByteArray(_)) => {
                return Err(Unhashable::Type("bytearray"))
            }
            // `weakref_hash`: the referent's; `memory_hash`: its bytes' (an error while
            // writable); `ga_hash` and `union_hash`: their arguments' — all through the
            // type's `__hash__`, and equal by its `__eq__`; `mappingproxy_hash`: the
            // mapping's.
            Value::Native(n)
                if matches!(
                    **n,
                    super::object::Native::MappingProxy(_)
                        | super::object::Native::WeakRef(_)
                        | super::object::Native::MemoryView(_)
                        | super::object::Native::GenericAlias(_)
                        | super::object::Native::Union(_)
                ) =>
            {
                return Err(Unhashable::UserDefined)
            }
            // `keyobject_type`'s `tp_hash` is `PyObject_HashNotImplemented`.
            Value::Native(n) if matches!(**n, super::object::Native::KeyWrapper(_)) => {
                return Err(Unhashable::Type("functools.KeyWrapper"))
            }
            // `PyContext_Type`'s `tp_hash` is `PyObject_HashNotImplemented`.
            Value::Native(n) if matches!(**n, super::object::Native::Context(_)) => {
                return Err(Unhashable::Type("_contextvars.Context"))
            }
            // `deque`'s `tp_hash` is `PyObject_HashNotImplemented`.
            Value::Native(n) if matches!(**n, super::object::Native::Deque(_)) => {
                return Err(Unhashable::Type("collections.deque"))
            }
            other => Key::Id(other.address()),
        })
    }

    /// A float's key: integral values share the equal int's key.
    fn of_float(f: f64) -> Key {
        if f.is_nan() {
            Key::NaN(f.to_bits())
        } else if f.is_finite() && f.fract() == 0.0 {
            match crate::arith::f64_to_int(f) {
                Ok(crate::arith::Num::Int(i)) => Key::Int(i),
                Ok(crate::arith::Num::Big(b)) => Key::BigInt(b),
                _ => Key::Float(f.to_bits()),
            }
        } else {
            Key::Float(f.to_bits())
        }
    }

    /// A complex's key: with a zero imaginary part, the equal float's (so `1+0j` finds the
    /// key 1); with a NaN part, the object's identity (equal to nothing else, as CPython's
    /// identity-first lookup sees it).
    fn of_complex(re: f64, im: f64, address: usize) -> Key {
        if re.is_nan() || im.is_nan() {
            return Key::Id(address);
        }
        if im == 0.0 {
            return Key::of_float(re);
        }
        // `0j` and `-0j` parts are equal: one key.
        Key::Complex(((re + 0.0).to_bits(), im.to_bits()))
    }

    /// Whether this key is or contains a NaN, which no dict or set accepts.
    #[inline]
    pub fn has_nan(&self) -> bool {
        match self {
            Key::NaN(_) => true,
            Key::Tuple(items) => items.iter().any(Key::has_nan),
            Key::Slice(parts) => parts.iter().any(Key::has_nan),
            _ => false,
        }
    }

    /// CPython 3.12's `hash()` of the value this key came from (`PyObject_Hash`).
    pub fn hash(&self) -> i64 {
        match self {
            Key::None => hash::NONE,
            Key::Ellipsis => hash::pointer(Value::Ellipsis.address()),
            Key::NotImplemented => hash::pointer(Value::NotImplemented.address()),
            Key::Int(i) => hash::int(*i),
            Key::BigInt(b) => hash::big_int(b),
            Key::Float(bits) => hash::float(f64::from_bits(*bits)).unwrap_or(0),
            Key::NaN(bits) => hash::pointer(Value::Float(f64::from_bits(*bits)).address()),
            Key::Complex((re, im)) => hash::complex(f64::from_bits(*re), f64::from_bits(*im), 0),
            Key::Str(s) => hash::str(s),
            Key::Bytes(b) => hash::bytes(b),
            Key::Tuple(items) => hash::tuple(items.iter().map(Key::hash)),
            Key::Slice(parts) => hash::slice([parts[0].hash(), parts[1].hash(), parts[2].hash()]),
            // `range_hash`: the hash of `(len, start, step)` with None for what equality
            // ignores.
            Key::Range(r) => r.hash(),
            Key::FrozenSet(s) => s.frozenset_hash(),
            // `method_hash`: the receiver's address hash xor the function's hash.
            Key::Method(receiver, func) => {
                let h = hash::pointer(*receiver) ^ Key::hash(func);
                if h == -1 {
                    -2
                } else {
                    h
                }
            }
            Key::Code(c) => code_hash(c),
            Key::Id(address) => hash::pointer(*address),
            Key::User { hash, .. } => *hash,
        }
    }
}

/// `code_hash` (Objects/codeobject.c, 3.12): the hashes of the name, constants, names,
/// local names and the two tables, the argument counts, flags, first line and size, then
/// each instruction's opcode and oparg (inline caches skipped), scrambled in one by one.
fn code_hash(co: &CodeObject) -> i64 {
    let strs = |names: &[Rc<str>]| hash::tuple(names.iter().map(|n| hash::str(n)));
    let mut scramble = hash::Scrambler::new(20_221_211);
    scramble.add(hash::str(&co.co_name));
    scramble.add(hash::tuple(co.co_consts.iter().map(constant_hash)));
    scramble.add(strs(&co.co_names));
    scramble.add(strs(&co.co_localsplusnames));
    scramble.add(hash::bytes(&co.co_linetable));
    scramble.add(hash::bytes(&co.co_exceptiontable));
    for n in [
        co.co_argcount,
        co.co_posonlyargcount,
        co.co_kwonlyargcount,
        co.co_flags,
        co.co_firstlineno,
    ] {
        scramble.add(i64::from(n));
    }
    scramble.add(co.len_units() as i64);
    // Each unit's opcode byte and its own oparg byte (not the EXTENDED_ARG-folded value).
    for unit in co.units() {
        scramble.add(i64::from(unit.byte));
        scramble.add(i64::from(unit.arg & 0xff));
    }
    scramble.finish()
}

/// `hash()` of a constant, as [`Key::hash`] of the equal value.
fn constant_hash(c: &Constant) -> i64 {
    match c {
        Constant::None => hash::NONE,
        Constant::Ellipsis => Key::Ellipsis.hash(),
        Constant::Bool(b) => i64::from(*b),
        Constant::Int(i) => hash::int(*i),
        Constant::BigInt(b) => hash::big_int(b),
        Constant::Float(f) => Key::of_float(*f).hash(),
        // A NaN part's hash is the address of an object this constant has no one of.
        Constant::Complex(re, im) => Key::of_complex(*re, *im, 0).hash(),
        Constant::Str(s) => hash::str(s),
        Constant::StrSurrogates(b) => hash::code_points(
            crate::surrogate_str::decode(b)
                .unwrap_or_default()
                .into_iter(),
        ),
        Constant::Bytes(b) => hash::bytes(b),
        Constant::Tuple(items) => hash::tuple(items.iter().map(constant_hash)),
        Constant::FrozenSet(items) => hash::frozenset(items.iter().map(constant_hash)),
        Constant::Code(co) => code_hash(co),
    }
}

/// The index of a dict's keys: see the `hashbrown` and `rustc-hash` entries of Cargo.toml.
type Index = hashbrown::HashMap<Key, usize, rustc_hash::FxBuildHasher>;

/// A `str` key looked up without building a [`Key`]: it hashes as `Key::Str` does.
#[derive(Hash)]
struct StrKey<'a>(&'a str);

impl hashbrown::Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        matches!(key, Key::Str(k) if **k == *self.0)
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<Option<(Value, Value)>>,
    index: Index,
    /// Counts changes to the set of keys (not to values), so an iterator can tell a
    /// dict whose keys changed while it ran.
    keys_version: u64,
    /// How many keys are [`Key::User`]: while there are any, a lookup by a built-in key
    /// whose hash one of them shares must ask its `__eq__` (see `keys`).
    user_keys: usize,
    /// The keys by CPython hash, for the lookups that compare through `__eq__` (CPython
    /// probes its table by hash): every user key, and every other key too once a user key
    /// was looked up (`natives_indexed`), since it may equal one of them.
    /// (Made on the first user key: most dicts never need it.)
    by_hash: Option<HashMap<i64, Vec<Key>>>,
    natives_indexed: bool,
}

impl Inner {
    /// The value of the entry at `at`.
    fn value_at(&self, at: usize) -> Option<Value> {
        self.entries
            .get(at)
            .and_then(|e| e.as_ref())
            .map(|(_, v)| v.clone())
    }

    /// Whether `key` shares its hash with a user key (which only the VM can compare).
    fn user_collision(&self, key: &Key) -> bool {
        if self.user_keys == 0 || matches!(key, Key::User { .. }) {
            return false;
        }
        self.by_hash
            .as_ref()
            .and_then(|b| b.get(&key.hash()))
            .is_some_and(|ks| ks.iter().any(|k| matches!(k, Key::User { .. })))
    }

    /// Records a new key in `by_hash` when it is kept there.
    fn hash_index_add(&mut self, key: &Key) {
        let user = matches!(key, Key::User { .. });
        if user {
            self.user_keys += 1;
        }
        if user || self.natives_indexed {
            let by_hash = self.by_hash.get_or_insert_with(HashMap::new);
            by_hash.entry(key.hash()).or_default().push(key.clone());
        }
    }

    /// Forgets a removed key in `by_hash`.
    fn hash_index_remove(&mut self, key: &Key) {
        let user = matches!(key, Key::User { .. });
        if user {
            self.user_keys -= 1;
        }
        if let (true, Some(by_hash)) = (user || self.natives_indexed, &mut self.by_hash) {
            let h = key.hash();
            if let Some(ks) = by_hash.get_mut(&h) {
                ks.retain(|k| k != key);
                if ks.is_empty() {
                    by_hash.remove(&h);
                }
            }
        }
    }

    /// Adds the other keys to `by_hash`, once.
    fn index_natives(&mut self) {
        if self.natives_indexed {
            return;
        }
        self.natives_indexed = true;
        let natives: Vec<Key> = self
            .index
            .keys()
            .filter(|k| !matches!(k, Key::User { .. }))
            .cloned()
            .collect();
        let by_hash = self.by_hash.get_or_insert_with(HashMap::new);
        for k in natives {
            by_hash.entry(k.hash()).or_default().push(k);
        }
    }
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
        if self.inner.borrow().user_collision(&key) {
            return Err(Unhashable::UserDefined);
        }
        Ok(self.get_key(&key))
    }

    pub fn get_key(&self, key: &Key) -> Option<Value> {
        let inner = self.inner.borrow();
        inner.value_at(*inner.index.get(key)?)
    }

    pub fn get_str(&self, name: &str) -> Option<Value> {
        let inner = self.inner.borrow();
        inner.value_at(*inner.index.get(&StrKey(name))?)
    }

    pub fn contains(&self, k: &Value) -> Result<bool, Unhashable> {
        let key = Key::of(k)?;
        let inner = self.inner.borrow();
        if inner.user_collision(&key) {
            return Err(Unhashable::UserDefined);
        }
        Ok(inner.index.contains_key(&key))
    }

    pub fn set(&self, k: Value, v: Value) -> Result<(), Unhashable> {
        let key = Key::of(&k)?;
        if key.has_nan() {
            return Err(Unhashable::NaN);
        }
        if self.inner.borrow().user_collision(&key) {
            return Err(Unhashable::UserDefined);
        }
        self.insert(key, k, v);
        Ok(())
    }

    /// Whether any key is a [`Key::User`].
    pub fn has_user_keys(&self) -> bool {
        self.inner.borrow().user_keys > 0
    }

    /// The keys (and key objects) whose hash is `h`: user keys only, or all.
    pub fn candidates(&self, h: i64, users_only: bool) -> Vec<(Key, Value)> {
        if !users_only {
            self.inner.borrow_mut().index_natives();
        }
        let inner = self.inner.borrow();
        let mut out: Vec<(usize, Key)> = inner
            .by_hash
            .iter()
            .filter_map(|b| b.get(&h))
            .flatten()
            .filter(|k| !users_only || matches!(k, Key::User { .. }))
            .filter_map(|k| Some((*inner.index.get(k)?, k.clone())))
            .collect();
        out.sort_by_key(|(at, _)| *at);
        out.into_iter()
            .filter_map(|(at, k)| {
                let obj = inner.entries.get(at)?.as_ref()?.0.clone();
                Some((k, obj))
            })
            .collect()
    }

    /// Stores `v` under a key already resolved by the VM (see `keys`).
    pub fn insert_key(&self, key: Key, k: Value, v: Value) {
        self.insert(key, k, v);
    }

    /// Removes the entry of a resolved key, returning its value.
    pub fn remove_key(&self, key: &Key) -> Option<Value> {
        let mut inner = self.inner.borrow_mut();
        let (old_key, at) = inner.index.remove_entry(key)?;
        inner.hash_index_remove(&old_key);
        inner.keys_version += 1;
        let old = inner
            .entries
            .get_mut(at)
            .and_then(|e| e.take())
            .map(|(_, v)| v);
        if inner.index.is_empty() {
            inner.entries.clear();
        }
        old
    }

    /// Stores `v` under the name, its key one object per name (CPython interns the
    /// names `PyObject_SetAttr` and `PyDict_SetItemString` store, which `pickle`'s memo
    /// can see).
    pub fn set_str(&self, name: &str, v: Value) {
        let name = intern(name);
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
        inner.hash_index_add(&key);
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
        if self.inner.borrow().user_collision(&key) {
            return Err(Unhashable::UserDefined);
        }
        Ok(self.remove_key(&key))
    }

    pub fn clear(&self) {
        let mut out = Vec::new();
        self.drain_into(&mut out);
        gc::release_all(out);
    }

    /// Calls `f` with each key and value, without copying them (for `gc.collect`); false
    /// when the dict is being written.
    pub fn visit_entries(&self, f: &mut dyn FnMut(&Value)) -> bool {
        let Ok(inner) = self.inner.try_borrow() else {
            return false;
        };
        for (k, v) in inner.entries.iter().flatten() {
            f(k);
            f(v);
        }
        true
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
        let (key, entry) = {
            let inner = self.inner.borrow();
            let at = inner.entries.iter().rposition(Option::is_some)?;
            let key = inner.index.iter().find(|(_, &i)| i == at)?.0.clone();
            (key, inner.entries[at].clone()?)
        };
        self.remove_key(&key);
        Some(entry)
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
            inner.user_keys = 0;
            inner.by_hash = None;
            inner.natives_indexed = false;
            inner.keys_version += 1;
            for (k, v) in std::mem::take(&mut inner.entries).into_iter().flatten() {
                out.push(k);
                out.push(v);
            }
        }
    }

    /// A new dict with the same entries in the same order (`dict.copy`), keys as they are.
    pub fn copy(&self) -> Dict {
        let d = Dict::new();
        let inner = self.inner.borrow();
        let mut keys: Vec<(usize, &Key)> = inner.index.iter().map(|(k, at)| (*at, k)).collect();
        keys.sort_by_key(|(at, _)| *at);
        for (at, key) in keys {
            if let Some(Some((k, v))) = inner.entries.get(at) {
                d.insert(key.clone(), k.clone(), v.clone());
            }
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

thread_local! {
    /// The interned names of this thread's run (emptied when its `gc::Session` ends).
    // FxHash: names are short and hashed on every store through `set_str`.
    static INTERNED: std::cell::RefCell<rustc_hash::FxHashMap<Rc<str>, ()>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Forgets the run's interned names (`gc::Session`'s end).
pub fn clear_interned() {
    INTERNED.with(|names| {
        if let Ok(mut names) = names.try_borrow_mut() {
            names.clear();
        }
    });
}

/// Whether `s` is the interned copy of its text (not merely equal to it).
pub fn is_interned(s: &Rc<str>) -> bool {
    INTERNED.with(|names| {
        names.try_borrow().is_ok_and(|names| {
            names
                .get_key_value(&**s)
                .is_some_and(|(k, ())| Rc::ptr_eq(k, s))
        })
    })
}

/// The one `Rc<str>` of each name stored through [`Dict::set_str`] (CPython's interned
/// strings: equal names are one object).
pub fn intern(name: &str) -> Rc<str> {
    INTERNED.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((k, ())) = names.get_key_value(name) {
            return k.clone();
        }
        let k: Rc<str> = Rc::from(name);
        names.insert(k.clone(), ());
        k
    })
}
