//! Assigning an instance's `__class__` (CPython `object_set_class` and
//! `compatible_for_assignment` in Objects/typeobject.c): the instance keeps its memory, so
//! the new class must lay its instances out as the old one does.
//!
//! CPython decides that from each class's `tp_basicsize`, `tp_dictoffset`,
//! `tp_weaklistoffset`, GC flag and `ht_slots`. For classes whose only built-in ancestor is
//! `object`, [`Layout`] computes those numbers as 3.12's `type_new` sets them (checked
//! against CPython's `__basicsize__`, `__dictoffset__`, `__weakrefoffset__`, `__flags__`):
//! 16 bytes for `object`, 8 more per slot of the class's own `__slots__`, a managed dict
//! (offset -1) and managed weak references (offset -32) once a class in the MRO has them,
//! and the GC flag on every class. Classes deriving from another built-in type carry that
//! type's layout, whose numbers the VM does not have: between two such classes the answer
//! is given only where it cannot depend on them (the same built-in base, no slots, the
//! same dict and weak-reference support), and is unsupported otherwise.

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Instance, Value};
use super::types::Type;
use super::PyResult;

/// `object`'s `tp_basicsize`.
const OBJECT_SIZE: i64 = 16;
/// `MANAGED_WEAKREF_OFFSET`.
const MANAGED_WEAKREF: i64 = -32;

/// The fields `compatible_for_assignment` compares, for a class of `object`'s layout.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Layout {
    basicsize: i64,
    dictoffset: i64,
    weakrefoffset: i64,
    gc: bool,
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

/// Whether `t` is `object` or a class whose only built-in ancestor is `object`.
fn plain(vm: &Vm, t: &Rc<Type>) -> bool {
    std::iter::once(t)
        .chain(t.mro_rest.iter())
        .all(|c| !c.is_builtin() || Rc::ptr_eq(c, &vm.types.object))
}

fn layout(vm: &Vm, t: &Rc<Type>) -> Layout {
    if Rc::ptr_eq(t, &vm.types.object) {
        return Layout {
            basicsize: OBJECT_SIZE,
            dictoffset: 0,
            weakrefoffset: 0,
            gc: false,
        };
    }
    let base = tp_base(vm, t);
    let own = own_slots(t).map_or(0, |s| s.len() as i64);
    Layout {
        basicsize: layout(vm, &base).basicsize + 8 * own,
        dictoffset: if t.has_dict { -1 } else { 0 },
        weakrefoffset: if super::mappingproxy::has_weakrefs(t) {
            MANAGED_WEAKREF
        } else {
            0
        },
        gc: true,
    }
}

/// `solid_base`: the nearest class up the `tp_base` line whose instances are bigger than
/// its base's.
fn solid_base(vm: &Vm, t: &Rc<Type>) -> Rc<Type> {
    if Rc::ptr_eq(t, &vm.types.object) {
        return t.clone();
    }
    let base = solid_base(vm, &tp_base(vm, t));
    if layout(vm, t).basicsize != layout(vm, &base).basicsize {
        t.clone()
    } else {
        base
    }
}

/// `best_base`: the base whose solid base is the most derived (class creation has
/// refused bases whose solid bases conflict).
fn tp_base(vm: &Vm, t: &Rc<Type>) -> Rc<Type> {
    let mut winner: Option<(Rc<Type>, Rc<Type>)> = None;
    for b in &t.bases {
        let s = solid_base(vm, b);
        winner = match winner {
            None => Some((s, b.clone())),
            Some((w, wb)) if !w.is_subtype(&s) && s.is_subtype(&w) => {
                let _ = wb;
                Some((s, b.clone()))
            }
            keep => keep,
        };
    }
    winner.map_or_else(|| vm.types.object.clone(), |(_, b)| b)
}

/// `compatible_with_tp_base`: `t` adds nothing to its base's layout.
fn same_as_base(vm: &Vm, t: &Rc<Type>) -> Option<Rc<Type>> {
    if Rc::ptr_eq(t, &vm.types.object) {
        return None;
    }
    let base = tp_base(vm, t);
    (layout(vm, t) == layout(vm, &base)).then_some(base)
}

/// `same_slots_added`, for two classes with the same `tp_base`.
fn same_slots_added(vm: &Vm, a: &Rc<Type>, b: &Rc<Type>) -> bool {
    let base = tp_base(vm, a);
    let mut size = layout(vm, &base).basicsize;
    if let (Some(sa), Some(sb)) = (own_slots(a), own_slots(b)) {
        if sa != sb {
            return false;
        }
        size += 8 * sa.len() as i64;
    }
    size == layout(vm, a).basicsize && size == layout(vm, b).basicsize
}

/// `compatible_for_assignment` for two classes of `object`'s layout.
fn compatible(vm: &Vm, old: &Rc<Type>, new: &Rc<Type>) -> bool {
    let mut newbase = new.clone();
    while let Some(b) = same_as_base(vm, &newbase) {
        newbase = b;
    }
    let mut oldbase = old.clone();
    while let Some(b) = same_as_base(vm, &oldbase) {
        oldbase = b;
    }
    if !Rc::ptr_eq(&newbase, &oldbase)
        && (!Rc::ptr_eq(&tp_base(vm, &newbase), &tp_base(vm, &oldbase))
            || !same_slots_added(vm, &newbase, &oldbase))
    {
        return false;
    }
    // The pre-header: a managed dict and managed weak references.
    let (a, b) = (layout(vm, old), layout(vm, new));
    a.dictoffset == b.dictoffset && a.weakrefoffset == b.weakrefoffset
}

/// `obj.__class__ = x` (`x` None: `del obj.__class__`) for an instance of a class.
pub fn assign(vm: &mut Vm, o: &Rc<Instance>, x: Option<&Value>) -> PyResult<()> {
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
    let ok = if plain(vm, &old) && plain(vm, new) {
        compatible(vm, &old, new)
    } else if plain(vm, &old) != plain(vm, new) {
        // The other class's `tp_base` line runs through its built-in base, which the
        // plain class's never meets: the stripped bases' `tp_base`s differ, or one of
        // them is that built-in type (not a heap type: `same_slots_added` is false).
        false
    } else {
        // Another built-in layout: only where its numbers cannot matter.
        let builtin_base = |t: &Rc<Type>| {
            t.mro_rest
                .iter()
                .find(|c| c.is_builtin() && !Rc::ptr_eq(c, &vm.types.object))
                .cloned()
        };
        let same_base = match (builtin_base(&old), builtin_base(new)) {
            (Some(a), Some(b)) => Rc::ptr_eq(&a, &b),
            _ => false,
        };
        let no_slots = |t: &Rc<Type>| {
            std::iter::once(t)
                .chain(t.mro_rest.iter())
                .filter(|c| !c.is_builtin())
                .all(|c| own_slots(c).is_none_or(|s| s.is_empty()))
        };
        let same_support = old.has_dict == new.has_dict
            && super::mappingproxy::has_weakrefs(&old) == super::mappingproxy::has_weakrefs(new);
        if !(same_base && no_slots(&old) && no_slots(new) && same_support) {
            return Err(vm.unsupported(format!(
                "assigning __class__ from {} to {} (their built-in base's layout)",
                old.name(),
                new.name()
            )));
        }
        true
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
