//! The hash table behind `set` and `frozenset`, laid out and probed exactly as CPython
//! 3.12's Objects/setobject.c does, so that iteration order (the order of the table's
//! slots), `pop()` and every operation that copies or rebuilds a table give CPython's
//! answers.
//!
//! The table (CPython `PySetObject`'s `table`, `mask`, `fill`, `used`, `finger`) has a
//! power-of-two number of slots, at least [`MINSIZE`]. A slot is unused, a dummy left by a
//! deletion, or active with the element's hash and object. An element with hash `h` is
//! looked for from slot `h & mask`: up to [`LINEAR_PROBES`] following slots when they do
//! not wrap around, then a jump `i = (5 * i + 1 + perturb) & mask` with `perturb`, the
//! unsigned hash, shifted right by [`PERTURB_SHIFT`] per jump; an unused slot ends the
//! search. `fill` counts active and dummy slots, `used` the active ones.
//!
//! Equality of elements is their [`Key`]'s (Python `==` for the hashable builtins, identity
//! otherwise); comparing two keys never runs Python code, so unlike CPython no lookup has to
//! restart because a comparison mutated the table.
//!
//! Naming block: `t` a table, `e` an entry, `h` a hash, `i` a slot index.

use std::cell::RefCell;
use std::rc::Rc;

use super::dict::{Key, Unhashable};
use super::gc;
use super::object::{Set, Value};

/// `PySet_MINSIZE`: slots of a new or cleared table.
pub const MINSIZE: usize = 8;
/// `LINEAR_PROBES`: slots checked after the first before jumping.
const LINEAR_PROBES: usize = 9;
/// `PERTURB_SHIFT`.
const PERTURB_SHIFT: u32 = 5;

/// An active slot (CPython `setentry` whose key is neither NULL nor the dummy).
#[derive(Clone, Debug)]
pub struct Entry {
    pub hash: i64,
    pub key: Key,
    /// The element: the first of equal objects added (`{1, 1.0}` keeps `1`).
    pub value: Value,
}

#[derive(Debug, Default)]
enum Slot {
    #[default]
    Unused,
    Dummy,
    Active(Entry),
}

#[derive(Debug)]
struct Table {
    slots: Vec<Slot>,
    fill: usize,
    used: usize,
    /// Where `pop()` starts looking (CPython `finger`).
    finger: usize,
}

impl Default for Table {
    fn default() -> Table {
        Table {
            slots: empty_slots(MINSIZE),
            fill: 0,
            used: 0,
            finger: 0,
        }
    }
}

fn empty_slots(n: usize) -> Vec<Slot> {
    std::iter::repeat_with(Slot::default).take(n).collect()
}

/// The slots probed for hash `h`, in order, forever (the caller stops at an unused slot;
/// there always is one, since `fill` stays below the table size).
fn probe_sequence(h: i64, mask: usize) -> impl Iterator<Item = usize> {
    let mut perturb = h as u64;
    let mut i = (h as u64 as usize) & mask;
    let mut run = 0..0;
    std::iter::from_fn(move || {
        if let Some(j) = run.next() {
            return Some(j);
        }
        let start = i;
        let probes = if start + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        run = start + 1..start + 1 + probes;
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
        Some(start)
    })
}

impl Table {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The elements on `h`'s probe chain whose hash is `h` (user keys only, or all).
    fn same_hash(&self, h: i64, users_only: bool) -> Vec<(Key, Value)> {
        let mut out = Vec::new();
        for i in probe_sequence(h, self.mask()) {
            match &self.slots[i] {
                Slot::Unused => break,
                Slot::Active(e)
                    if e.hash == h && (!users_only || matches!(e.key, Key::User { .. })) =>
                {
                    out.push((e.key.clone(), e.value.clone()));
                }
                _ => {}
            }
        }
        out
    }

    /// `set_lookkey`: the slot holding an element equal to `key`, if any.
    fn lookkey(&self, key: &Key, h: i64) -> Option<usize> {
        for i in probe_sequence(h, self.mask()) {
            match &self.slots[i] {
                Slot::Unused => return None,
                Slot::Active(e) if e.hash == h && e.key == *key => return Some(i),
                _ => {}
            }
        }
        None
    }

    /// `set_add_entry`: adds `e` unless an equal element is present (which stays). A new
    /// element goes into the last dummy slot passed on the way to an unused slot, or into
    /// that unused slot, after which the table grows when it is 60% full.
    fn add_entry(&mut self, e: Entry) -> bool {
        let mask = self.mask();
        let mut freeslot = None;
        let mut unused = 0;
        for i in probe_sequence(e.hash, mask) {
            match &self.slots[i] {
                Slot::Unused => {
                    unused = i;
                    break;
                }
                Slot::Active(x) if x.hash == e.hash && x.key == e.key => return false,
                Slot::Dummy => freeslot = Some(i),
                Slot::Active(_) => {}
            }
        }
        self.used += 1;
        if let Some(i) = freeslot {
            self.slots[i] = Slot::Active(e);
            return true;
        }
        self.slots[unused] = Slot::Active(e);
        self.fill += 1;
        if self.fill * 5 >= mask * 3 {
            self.resize(grown(self.used));
        }
        true
    }

    /// `set_insert_clean`: places an element known to be absent into a table without
    /// dummies; the first unused slot of its probe sequence takes it.
    fn insert_clean(slots: &mut [Slot], e: Entry) {
        let mask = slots.len() - 1;
        for i in probe_sequence(e.hash, mask) {
            if matches!(slots[i], Slot::Unused) {
                slots[i] = Slot::Active(e);
                return;
            }
        }
    }

    /// `set_table_resize`: a new table of the smallest power of two above `minused` (at
    /// least [`MINSIZE`]), the active entries re-placed in the old table's slot order and
    /// the dummies dropped. A minimum-size table without dummies is left as it is.
    fn resize(&mut self, minused: usize) {
        let mut size = MINSIZE;
        while size <= minused {
            size <<= 1;
        }
        if size == MINSIZE && self.slots.len() == MINSIZE && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, empty_slots(size));
        self.fill = self.used;
        for slot in old {
            if let Slot::Active(e) = slot {
                Table::insert_clean(&mut self.slots, e);
            }
        }
    }

    /// `set_discard_entry`: turns the element's slot into a dummy.
    fn discard(&mut self, key: &Key, h: i64) -> Option<Value> {
        let i = self.lookkey(key, h)?;
        match std::mem::replace(&mut self.slots[i], Slot::Dummy) {
            Slot::Active(e) => {
                self.used -= 1;
                Some(e.value)
            }
            other => {
                self.slots[i] = other;
                None
            }
        }
    }

    /// `set_next`: the first active slot at or after `pos`.
    fn next_active(&self, pos: usize) -> Option<(usize, &Entry)> {
        self.slots
            .iter()
            .enumerate()
            .skip(pos)
            .find_map(|(i, s)| match s {
                Slot::Active(e) => Some((i, e)),
                _ => None,
            })
    }

    fn active(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().filter_map(|s| match s {
            Slot::Active(e) => Some(e),
            _ => None,
        })
    }

    /// Empties the table to the minimum size (`set_clear_internal`; `finger` stays).
    fn take_entries(&mut self) -> Vec<Entry> {
        let old = std::mem::replace(&mut self.slots, empty_slots(MINSIZE));
        self.fill = 0;
        self.used = 0;
        old.into_iter()
            .filter_map(|s| match s {
                Slot::Active(e) => Some(e),
                _ => None,
            })
            .collect()
    }
}

/// The size a growing table is rebuilt for (`set_add_entry`,
/// `set_difference_update_internal`): four times the elements, twice beyond 50,000.
fn grown(used: usize) -> usize {
    if used > 50_000 {
        used * 2
    } else {
        used * 4
    }
}

/// Drops the keys (which may share a frozenset with their element) and hands the elements
/// to `gc::release_all`, so deep nesting does not recurse.
fn release_entries(entries: Vec<Entry>) {
    let values: Vec<Value> = entries.into_iter().map(|e| e.value).collect();
    gc::release_all(values);
}

/// Whether dropping `e` would drop a container holding containers: its element is the
/// last reference but for the key's own (a frozenset is both element and key).
fn entry_is_deep(e: &Entry) -> bool {
    match (&e.key, &e.value) {
        (Key::FrozenSet(k), Value::Set(v)) if Rc::ptr_eq(k, v) => Rc::strong_count(v) == 2,
        _ => gc::is_deep(&e.value),
    }
}

/// The order a frozenset built by adding `items` one by one iterates in: the indices of the
/// items it keeps (the first of equal ones), in table order. `None` when an item is a NaN
/// (CPython's order would depend on its address) or unhashable.
pub fn insertion_layout(items: &[Value]) -> Option<Vec<usize>> {
    let t = SetTable::default();
    for (i, v) in items.iter().enumerate() {
        let key = Key::of(v).ok()?;
        if key.has_nan() {
            return None;
        }
        let hash = key.hash();
        t.add_entry(Entry {
            hash,
            key,
            value: Value::Int(i64::try_from(i).ok()?),
        });
    }
    let order = t.keys().into_iter().filter_map(|v| match v {
        Value::Int(i) => usize::try_from(i).ok(),
        _ => None,
    });
    Some(order.collect())
}

/// A set's table behind a `RefCell`. The `set`/`remove`/`contains`/`keys` methods keep the
/// shape of [`super::dict::Dict`]'s, which sets used before they had their own table.
#[derive(Debug, Default)]
pub struct SetTable {
    inner: RefCell<Table>,
    /// Set once a [`Key::User`] element is added: native lookups then check for one
    /// with their hash.
    users: std::cell::Cell<bool>,
}

impl SetTable {
    pub fn len(&self) -> usize {
        self.inner.borrow().used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `set_add_key`: adds `v` unless an equal element is present; whether it was added.
    /// A NaN (compared by identity in CPython) cannot be added.
    pub fn add(&self, v: Value) -> Result<bool, Unhashable> {
        let key = Key::of(&v)?;
        if key.has_nan() {
            return Err(Unhashable::NaN);
        }
        let hash = key.hash();
        if self.user_collision(&key, hash) {
            return Err(Unhashable::UserDefined);
        }
        Ok(self.add_entry(Entry {
            hash,
            key,
            value: v,
        }))
    }

    pub fn add_entry(&self, e: Entry) -> bool {
        if matches!(e.key, Key::User { .. }) {
            self.users.set(true);
        }
        self.inner.borrow_mut().add_entry(e)
    }

    /// Whether a built-in `key` shares its hash with a user key, which only the VM can
    /// compare (see `keys`).
    fn user_collision(&self, key: &Key, h: i64) -> bool {
        self.users.get()
            && !matches!(key, Key::User { .. })
            && self
                .inner
                .try_borrow()
                .is_ok_and(|t| !t.same_hash(h, true).is_empty())
    }

    /// Whether a [`Key::User`] element was ever added (see `keys`).
    pub fn has_user_keys(&self) -> bool {
        self.users.get()
    }

    /// The elements whose hash is `h` (user keys only, or all).
    pub fn candidates(&self, h: i64, users_only: bool) -> Vec<(Key, Value)> {
        if users_only && !self.users.get() {
            return Vec::new();
        }
        self.inner
            .try_borrow()
            .map(|t| t.same_hash(h, users_only))
            .unwrap_or_default()
    }

    /// The key and hash `v` is looked up by in a set: a `set` argument stands for the
    /// equal frozenset (`set_contains`, `set_remove`, `set_discard` retry that way).
    fn lookup_key(v: &Value) -> Result<(Key, i64), Unhashable> {
        let key = match (Key::of(v), v) {
            (Ok(k), _) => k,
            (Err(Unhashable::Type(_)), Value::Set(s)) => Key::FrozenSet(s.clone()),
            (Err(e), _) => return Err(e),
        };
        let h = key.hash();
        Ok((key, h))
    }

    /// `set_contains` (`v in s`).
    pub fn contains(&self, v: &Value) -> Result<bool, Unhashable> {
        let (key, h) = SetTable::lookup_key(v)?;
        if self.user_collision(&key, h) {
            return Err(Unhashable::UserDefined);
        }
        Ok(self.contains_entry(&key, h))
    }

    pub fn contains_entry(&self, key: &Key, h: i64) -> bool {
        self.inner
            .try_borrow()
            .is_ok_and(|t| t.lookkey(key, h).is_some())
    }

    /// `set_discard`: removes the element equal to `v`, returning it.
    pub fn remove(&self, v: &Value) -> Result<Option<Value>, Unhashable> {
        let (key, h) = SetTable::lookup_key(v)?;
        if self.user_collision(&key, h) {
            return Err(Unhashable::UserDefined);
        }
        Ok(self.discard_entry(&key, h))
    }

    pub fn discard_entry(&self, key: &Key, h: i64) -> Option<Value> {
        self.inner.borrow_mut().discard(key, h)
    }

    /// `set_pop`: the first active slot from the finger on (wrapping), made a dummy; the
    /// finger moves past it.
    pub fn pop(&self) -> Option<Value> {
        let mut t = self.inner.borrow_mut();
        if t.used == 0 {
            return None;
        }
        let mask = t.mask();
        let mut i = t.finger & mask;
        while !matches!(t.slots[i], Slot::Active(_)) {
            i = if i == mask { 0 } else { i + 1 };
        }
        let Slot::Active(e) = std::mem::replace(&mut t.slots[i], Slot::Dummy) else {
            return None;
        };
        t.used -= 1;
        t.finger = i + 1;
        Some(e.value)
    }

    /// `set_clear_internal`.
    pub fn clear(&self) {
        let entries = self.inner.borrow_mut().take_entries();
        release_entries(entries);
    }

    /// The elements in table order (the order iteration gives).
    pub fn keys(&self) -> Vec<Value> {
        self.inner
            .borrow()
            .active()
            .map(|e| e.value.clone())
            .collect()
    }

    /// The active entries in table order.
    pub fn entries(&self) -> Vec<Entry> {
        self.inner.borrow().active().cloned().collect()
    }

    /// The hashes of the active entries (for `frozenset_hash`).
    pub fn hashes(&self) -> Vec<i64> {
        self.inner.borrow().active().map(|e| e.hash).collect()
    }

    /// `set_next` for iterators: the element in the first active slot at or after `pos`,
    /// and that slot.
    pub fn next_from(&self, pos: usize) -> Option<(usize, Value)> {
        let t = self.inner.try_borrow().ok()?;
        t.next_active(pos).map(|(i, e)| (i, e.value.clone()))
    }

    /// Whether every element of `self` is in `other` (pure: no Python code runs).
    pub fn is_subset_of(&self, other: &SetTable) -> bool {
        let (Ok(a), Ok(b)) = (self.inner.try_borrow(), other.inner.try_borrow()) else {
            return false;
        };
        a.used <= b.used && a.active().all(|e| b.lookkey(&e.key, e.hash).is_some())
    }

    /// The resize `set_update_internal` and `set_merge` do before adding `extra`
    /// elements: one big resize instead of several, when the table would be 60% full.
    pub fn presize(&self, extra: usize) {
        let mut t = self.inner.borrow_mut();
        if (t.fill + extra) * 5 >= t.mask() * 3 {
            let minused = (t.used + extra) * 2;
            t.resize(minused);
        }
    }

    /// `set_table_resize` after a bulk removal (`set_difference_update_internal`): when
    /// more than a quarter of the slots are dummies.
    pub fn shrink_if_sparse(&self) {
        let mut t = self.inner.borrow_mut();
        if t.fill - t.used > t.mask() / 4 {
            let minused = grown(t.used);
            t.resize(minused);
        }
    }

    /// `set_merge`: adds the elements of `other` (another table). After the presize, an
    /// empty table of the same size as a dummy-free `other` becomes a slot-by-slot copy of
    /// it; an empty table of another size gets `other`'s elements by `set_insert_clean` in
    /// `other`'s slot order; otherwise each is added normally.
    pub fn merge(&self, other: &SetTable) {
        if other.users.get() {
            self.users.set(true);
        }
        if std::ptr::eq(self, other) {
            return;
        }
        let Ok(o) = other.inner.try_borrow() else {
            return;
        };
        if o.used == 0 {
            return;
        }
        self.presize(o.used);
        let mut t = self.inner.borrow_mut();
        if t.fill == 0 && t.mask() == o.mask() && o.fill == o.used {
            for (mine, theirs) in t.slots.iter_mut().zip(&o.slots) {
                if let Slot::Active(e) = theirs {
                    *mine = Slot::Active(e.clone());
                }
            }
            t.fill = o.fill;
            t.used = o.used;
            return;
        }
        if t.fill == 0 {
            t.fill = o.used;
            t.used = o.used;
            for e in o.active() {
                Table::insert_clean(&mut t.slots, e.clone());
            }
            return;
        }
        for e in o.active() {
            t.add_entry(e.clone());
        }
    }

    /// `set_swap_bodies`: exchanges the two tables (not the fingers).
    pub fn swap(&self, other: &SetTable) {
        if std::ptr::eq(self, other) {
            return;
        }
        let (Ok(mut a), Ok(mut b)) = (self.inner.try_borrow_mut(), other.inner.try_borrow_mut())
        else {
            return;
        };
        let users = self.users.get() || other.users.get();
        self.users.set(users);
        other.users.set(users);
        std::mem::swap(&mut a.slots, &mut b.slots);
        std::mem::swap(&mut a.fill, &mut b.fill);
        std::mem::swap(&mut a.used, &mut b.used);
    }

    /// Whether some element is the last reference to a container (see `gc`).
    pub fn has_deep(&self) -> bool {
        self.inner
            .try_borrow()
            .is_ok_and(|t| t.active().any(entry_is_deep))
    }

    /// Moves every element into `out`, leaving the set empty (teardown).
    /// Calls `f` with each element, without copying them (for `gc.collect`); false when
    /// the set is being written.
    pub fn visit_values(&self, f: &mut dyn FnMut(&Value)) -> bool {
        let Ok(t) = self.inner.try_borrow() else {
            return false;
        };
        t.active().for_each(|e| f(&e.value));
        true
    }

    pub fn drain_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut t) = self.inner.try_borrow_mut() {
            out.extend(t.take_entries().into_iter().map(|e| e.value));
        }
    }
}

/// A set can hold the only reference to a deep structure of frozensets or tuples.
impl Drop for SetTable {
    fn drop(&mut self) {
        let t = self.inner.get_mut();
        if t.active().any(entry_is_deep) {
            release_entries(t.take_entries());
        }
    }
}

impl Set {
    /// An empty `set` (or `frozenset`).
    pub fn new(frozen: bool) -> Set {
        Set {
            frozen,
            ..Set::default()
        }
    }

    /// `frozenset_hash`, cached as CPython caches it in `so->hash` (a mutable set standing
    /// in for a frozenset in a lookup is hashed afresh each time).
    pub fn frozenset_hash(&self) -> i64 {
        if let Some(h) = self.hash.get() {
            return h;
        }
        let h = super::hash::frozenset(self.items.hashes().into_iter());
        if self.frozen {
            self.hash.set(Some(h));
        }
        h
    }
}
