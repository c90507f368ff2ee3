//! Instance layouts (CPython's `tp_base`, `solid_base`, `tp_basicsize` and kin) and what
//! depends on them: a class's `__base__` (`best_base`) and assigning an instance's
//! `__class__` (`object_set_class`, `compatible_for_assignment` in Objects/typeobject.c),
//! where the instance keeps its memory, so the new class must lay it out as the old one.
//!
//! A built-in type's numbers are CPython's (`cpython_names::TYPE_LAYOUTS`, generated from
//! python3.12). A class's are computed as 3.12's `type_new` sets them (checked against
//! CPython's `__basicsize__`, `__dictoffset__`, `__weakrefoffset__`, `__flags__`): its
//! `tp_base`'s size plus 8 bytes per slot of its own `__slots__`, a managed dict (offset
//! -1) and managed weak references (offset -32) where it adds them, otherwise the first
//! nonzero offset up its MRO (`inherit_slots`' COPYVAL), and the GC flag.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use super::cpython_names::{TYPE_FLAGS, TYPE_LAYOUTS};
use super::interp::Vm;
use super::object::{Instance, Value};
use super::types::Type;
use super::PyResult;

/// `MANAGED_WEAKREF_OFFSET`.
const MANAGED_WEAKREF: i64 = -32;
/// `Py_TPFLAGS_HAVE_GC`.
const HAVE_GC: i64 = 1 << 14;

/// The fields `compatible_for_assignment` compares.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Layout {
    basicsize: i64,
    itemsize: i64,
    dictoffset: i64,
    weakrefoffset: i64,
    gc: bool,
}

/// The VM's short name for a built-in type (`socket` for `_socket.socket`), which the
/// generated tables use.
fn short(t: &Rc<Type>) -> Rc<str> {
    let n = t.name();
    Rc::from(n.rsplit('.').next().unwrap_or(&n))
}

fn builtin_row(t: &Rc<Type>) -> Option<&'static (&'static str, i64, i64, i64, i64, &'static str)> {
    let n = short(t);
    TYPE_LAYOUTS
        .binary_search_by(|row| row.0.cmp(&n))
        .ok()
        .map(|i| &TYPE_LAYOUTS[i])
}

/// A per-class table: by address, with a weak reference that tells a freed class apart.
type Memo<V> = RefCell<HashMap<usize, (Weak<Type>, V)>>;

thread_local! {
    /// Each class's layout and `tp_base` once computed (they are fixed when the class is
    /// made), by address, with a weak reference that tells a freed class's entry apart:
    /// computing them anew each time walks the bases once per path, exponential in the
    /// depth of a hierarchy.
    static LAYOUTS: Memo<Option<Layout>> = RefCell::new(HashMap::new());
    static TP_BASES: Memo<Option<Rc<Type>>> = RefCell::new(HashMap::new());
}

/// The entry of `t` in `memo`, computed by `f` the first time.
fn memoized<V: Clone>(
    memo: &'static std::thread::LocalKey<Memo<V>>,
    t: &Rc<Type>,
    f: impl FnOnce() -> V,
) -> V {
    let key = Rc::as_ptr(t) as usize;
    let known = memo.with(|m| {
        m.borrow()
            .get(&key)
            .filter(|(w, _)| w.upgrade().is_some_and(|x| Rc::ptr_eq(&x, t)))
            .map(|(_, v)| v.clone())
    });
    if let Some(v) = known {
        return v;
    }
    let v = f();
    memo.with(|m| {
        let mut m = m.borrow_mut();
        // Freed classes' entries go as the table doubles (amortised O(1) per entry).
        if m.len() >= 64 && m.len().is_power_of_two() {
            m.retain(|_, (w, _)| w.strong_count() > 0);
        }
        m.insert(key, (Rc::downgrade(t), v.clone()));
    });
    v
}

fn layout(vm: &Vm, t: &Rc<Type>) -> Option<Layout> {
    if t.is_builtin() {
        return builtin_layout(t);
    }
    memoized(&LAYOUTS, t, || class_layout(vm, t))
}

fn builtin_layout(t: &Rc<Type>) -> Option<Layout> {
    let row = builtin_row(t)?;
    let n = short(t);
    let flags = TYPE_FLAGS
        .binary_search_by(|(k, _)| k.cmp(&&*n))
        .ok()
        .map_or(0, |i| TYPE_FLAGS[i].1);
    Some(Layout {
        basicsize: row.1,
        itemsize: row.2,
        dictoffset: row.3,
        weakrefoffset: row.4,
        gc: flags & HAVE_GC != 0,
    })
}

fn class_layout(vm: &Vm, t: &Rc<Type>) -> Option<Layout> {
    let base = layout(vm, &tp_base(vm, t)?)?;
    let own = own_slots(t).map_or(0, |s| s.len() as i64);
    let inherited = |f: fn(&Layout) -> i64| -> Option<i64> {
        for c in &t.mro_rest {
            let v = f(&layout(vm, c)?);
            if v != 0 {
                return Some(v);
            }
        }
        Some(0)
    };
    Some(Layout {
        basicsize: base.basicsize + 8 * own,
        itemsize: base.itemsize,
        // `inherit_slots`' COPYVAL: the first nonzero offset up the MRO; else the
        // managed dict and weak references `type_new` adds.
        dictoffset: match inherited(|l| l.dictoffset)? {
            0 if t.has_dict => -1,
            d => d,
        },
        weakrefoffset: match inherited(|l| l.weakrefoffset)? {
            0 if super::mappingproxy::has_weakrefs(t) => MANAGED_WEAKREF,
            w => w,
        },
        gc: true,
    })
}

/// `type.__basicsize__`, `__itemsize__`, `__dictoffset__` and `__weakrefoffset__` of `t`
/// (`None` where the VM lacks a built-in type's numbers).
pub fn type_attr(vm: &Vm, t: &Rc<Type>, name: &str) -> Option<i64> {
    let l = layout(vm, t)?;
    Some(match name {
        "__basicsize__" => l.basicsize,
        "__itemsize__" => l.itemsize,
        "__dictoffset__" => l.dictoffset,
        _ => l.weakrefoffset,
    })
}

/// A type's `tp_base`: a built-in type's from CPython's table, a class's `best_base`
/// (the base whose solid base is the most derived; class creation has refused bases whose
/// solid bases conflict). `None` for `object`, and where the VM lacks a built-in type's
/// numbers.
pub fn tp_base(vm: &Vm, t: &Rc<Type>) -> Option<Rc<Type>> {
    if t.is_builtin() {
        let row = builtin_row(t)?;
        if row.5.is_empty() {
            return None;
        }
        return vm.types.by_name.get(row.5).cloned();
    }
    memoized(&TP_BASES, t, || best_base(vm, t))
}

fn best_base(vm: &Vm, t: &Rc<Type>) -> Option<Rc<Type>> {
    let mut winner: Option<(Rc<Type>, Rc<Type>)> = None;
    for b in &t.bases {
        let s = solid_base(vm, b)?;
        winner = match winner {
            None => Some((s, b.clone())),
            Some((w, _)) if !w.is_subtype(&s) && s.is_subtype(&w) => Some((s, b.clone())),
            keep => keep,
        };
    }
    winner.map(|(_, b)| b)
}

/// `solid_base`: the nearest type up the `tp_base` line whose instances differ in shape
/// (size or item size) from its base's.
fn solid_base(vm: &Vm, t: &Rc<Type>) -> Option<Rc<Type>> {
    let Some(b) = tp_base(vm, t) else {
        return Some(vm.types.object.clone());
    };
    let base = solid_base(vm, &b)?;
    let (a, c) = (layout(vm, t)?, layout(vm, &base)?);
    Some(if a.basicsize != c.basicsize || a.itemsize != c.itemsize {
        t.clone()
    } else {
        base
    })
}

/// `compatible_with_tp_base`: `t` adds nothing to its base's layout, and frees its
/// instances alike (a class's `subtype_dealloc`, or the same function).
fn same_as_base(vm: &Vm, t: &Rc<Type>) -> Option<Option<Rc<Type>>> {
    let Some(base) = tp_base(vm, t) else {
        return Some(None);
    };
    if t.is_builtin() {
        // Two built-in types' deallocators are not in the table.
        return (layout(vm, t)? != layout(vm, &base)?).then_some(None);
    }
    Some((layout(vm, t)? == layout(vm, &base)?).then_some(base))
}

/// `same_slots_added`, for two types with the same `tp_base`: both classes, adding the
/// same slots and nothing else.
fn same_slots_added(vm: &Vm, a: &Rc<Type>, b: &Rc<Type>) -> Option<bool> {
    if a.is_builtin() || b.is_builtin() {
        return Some(false);
    }
    let base = tp_base(vm, a)?;
    let mut size = layout(vm, &base)?.basicsize;
    if let (Some(sa), Some(sb)) = (own_slots(a), own_slots(b)) {
        if sa != sb {
            return Some(false);
        }
        size += 8 * sa.len() as i64;
    }
    Some(size == layout(vm, a)?.basicsize && size == layout(vm, b)?.basicsize)
}

/// `compatible_for_assignment` (`None`: a built-in type's numbers are missing).
fn compatible(vm: &Vm, old: &Rc<Type>, new: &Rc<Type>) -> Option<bool> {
    let strip = |t: &Rc<Type>| -> Option<Rc<Type>> {
        let mut t = t.clone();
        while let Some(b) = same_as_base(vm, &t)? {
            t = b;
        }
        Some(t)
    };
    let (newbase, oldbase) = (strip(new)?, strip(old)?);
    if !Rc::ptr_eq(&newbase, &oldbase) {
        let same_base = match (tp_base(vm, &newbase), tp_base(vm, &oldbase)) {
            (Some(a), Some(b)) => Rc::ptr_eq(&a, &b),
            (None, None) => true,
            _ => false,
        };
        if !same_base || !same_slots_added(vm, &newbase, &oldbase)? {
            return Some(false);
        }
    }
    // The pre-header: a managed dict and managed weak references.
    let (a, b) = (layout(vm, old)?, layout(vm, new)?);
    Some(
        (a.dictoffset == -1) == (b.dictoffset == -1)
            && (a.weakrefoffset == MANAGED_WEAKREF) == (b.weakrefoffset == MANAGED_WEAKREF),
    )
}

/// The class's own slot names as `ht_slots` holds them: sorted, without `__dict__` and
/// `__weakref__` (`None` without `__slots__`); the VM sorted them the same way when it
/// made the member descriptors.
fn own_slots(t: &Rc<Type>) -> Option<Vec<String>> {
    let slots = t.dict.get_str("__slots__")?;
    let mut names: Vec<String> = match &slots {
        Value::Str(s) => vec![s.to_string()],
        Value::Tuple(items) => items.iter().filter_map(name_of).collect(),
        Value::List(l) => l.items.borrow().iter().filter_map(name_of).collect(),
        _ => return None,
    };
    names.retain(|n| n != "__dict__" && n != "__weakref__");
    // Private names are mangled (`_C__x`) before they are sorted.
    let cls = t.name();
    let stripped = cls.trim_start_matches('_');
    for n in &mut names {
        if n.starts_with("__") && !n.ends_with("__") && !stripped.is_empty() {
            *n = format!("_{stripped}{n}");
        }
    }
    names.sort();
    Some(names)
}

fn name_of(v: &Value) -> Option<String> {
    match v.builtin_value() {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// `obj.__class__ = x` (`x` None: `del obj.__class__`) for an instance of a class.
pub fn assign_class(vm: &mut Vm, o: &Rc<Instance>, x: Option<&Value>) -> PyResult<()> {
    let Some(x) = x else {
        return Err(vm.type_error("can't delete __class__ attribute"));
    };
    let Value::Type(new) = x else {
        let tn = vm.type_of(x).name().clone();
        return Err(vm.type_error(format!(
            "__class__ must be set to a class, not '{tn}' object"
        )));
    };
    let old = o.class.borrow().clone();
    if new.is_builtin() || old.is_builtin() {
        return Err(vm.type_error(
            "__class__ assignment only supported for mutable types or ModuleType subclasses",
        ));
    }
    let Some(ok) = compatible(vm, &old, new) else {
        return Err(vm.unsupported(format!(
            "assigning __class__ from {} to {} (a built-in base's layout)",
            old.name(),
            new.name()
        )));
    };
    if !ok {
        return Err(vm.type_error(format!(
            "__class__ assignment: '{}' object layout differs from '{}'",
            new.name(),
            old.name()
        )));
    }
    if super::finalize::has_finalizer(o) != has_del(new) {
        return Err(vm.unsupported("assigning __class__ that adds or removes a __del__"));
    }
    *o.class.borrow_mut() = new.clone();
    Ok(())
}

fn has_del(t: &Rc<Type>) -> bool {
    t.lookup("__del__").is_some()
}
