//! `__del__` (CPython's `tp_finalize` of classes, PEP 442): called once per object, when
//! its last reference goes (`subtype_dealloc` → `PyObject_CallFinalizerFromDealloc`), or
//! by `gc.collect()` before it frees a cycle; an exception it raises is reported as
//! unraisable (`unraisable`: sys.unraisablehook, "Exception ignored in: …") and the
//! program goes on.
//!
//! The VM's objects are `Rc`s, and `Drop` cannot call Python. So the instance being
//! dropped is moved into a new one — the same class, dict, slots and exception state —
//! that waits for the evaluator to call `__del__` on it before the next instruction, as
//! weak-reference callbacks do (`weakref`); CPython calls it inside the `Py_DECREF`, which
//! is within the instruction that dropped the object, and nothing else runs between.
//! The moved object is marked finalized, so its own drop frees it for good (unless
//! `__del__` stored it somewhere: resurrection, as in CPython). What differs from
//! CPython: inside `__del__` the object has a new `id()`, and weak references to it are
//! already dead. An instance of a class with `__del__` still alive when the program
//! ends is unsupported: CPython finalises it during shutdown, in an order the VM does not
//! reproduce.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::mem;
use std::rc::{Rc, Weak};

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Instance, Value};
use super::types::Type;
use super::{PyResult, Throw};

thread_local! {
    /// Whether any class of this run defines `__del__`: drops look no further when not.
    static ANY: Cell<bool> = const { Cell::new(false) };
    /// The addresses of instances whose `__del__` ran (`_PyGC_FINALIZED`).
    static FINALIZED: RefCell<HashSet<usize>> = RefCell::new(HashSet::new());
    /// Instances whose `__del__` is due.
    static PENDING: RefCell<Vec<Rc<Instance>>> = const { RefCell::new(Vec::new()) };
    /// The instances of classes with `__del__` made in this run (for the check at exit).
    static LIVE: RefCell<Vec<Weak<Instance>>> = const { RefCell::new(Vec::new()) };
}

/// Forgets every finalizer: at the start of a run.
pub fn reset() {
    // The waiting objects first: they are marked finalized, so they are simply freed.
    let pending = PENDING.with(|p| mem::take(&mut *p.borrow_mut()));
    drop(pending);
    ANY.with(|a| a.set(false));
    FINALIZED.with(|f| f.borrow_mut().clear());
    LIVE.with(|l| l.borrow_mut().clear());
}

/// Whether a class of this run defines `__del__` (then containers free their items in
/// CPython's order, which the finalizers' order shows).
pub fn active() -> bool {
    ANY.try_with(Cell::get).unwrap_or(false)
}

/// A class defining `__del__` was made, or given one.
pub fn class_has_del() {
    ANY.with(|a| a.set(true));
}

/// Whether `o`'s class has a `__del__` (one thread-local read while no class has).
pub fn has_finalizer(o: &Instance) -> bool {
    ANY.try_with(Cell::get).unwrap_or(false) && has_del(&o.class.borrow())
}

/// Classes, and the built-in types whose finalizers the VM models (`_socket.socket`'s
/// `sock_finalize`, which closes the descriptor: the number is free again).
fn has_del(t: &Rc<Type>) -> bool {
    if t.is_builtin() {
        // `_socket.socket`'s `sock_finalize`; `_asyncio.Future` and `Task`'s
        // `tp_finalize` (see `quiet`).
        return match &*t.name() {
            "_socket.socket" => t.lookup("__del__").is_some(),
            "_asyncio.Future" | "_asyncio.Task" => true,
            _ => false,
        };
    }
    t.lookup("__del__").is_some()
}

/// An instance whose finalizer is the native one of `_asyncio.Future` or `Task` and has
/// nothing to report (no exception left unretrieved, no task pending): finalising it
/// shows nothing, so it is freed as an object without `__del__` is.
fn quiet(o: &Instance) -> bool {
    let native_del = matches!(o.class.borrow().lookup("__del__"), Some(Value::Builtin(_)));
    native_del
        && o.payload
            .as_ref()
            .and_then(super::modules::asyncio::future::of)
            .is_some_and(|f| !f.finalizer_acts())
}

/// Notes a new instance, so one alive at exit is found (one thread-local read while no
/// class has `__del__`).
pub fn note(v: &Value) {
    if !ANY.with(Cell::get) {
        return;
    }
    if let Value::Object(o) = v {
        if has_del(&o.class.borrow()) {
            LIVE.with(|l| {
                if let Ok(mut l) = l.try_borrow_mut() {
                    if l.len() > 64 && l.len().is_power_of_two() {
                        l.retain(|w| w.strong_count() > 0);
                    }
                    l.push(Rc::downgrade(o));
                }
            });
        }
    }
}

/// From `Drop for Instance`: when the instance's class has `__del__` and it has not run,
/// moves the instance into a new one that waits for it, and says so (the caller then
/// leaves the moved-out shell alone).
pub fn on_drop(inst: &mut Instance) -> bool {
    // `try_with`: objects are also freed while the thread's locals are destroyed.
    if !ANY.try_with(Cell::get).unwrap_or(false) {
        return false;
    }
    let address = inst as *const Instance as usize;
    let finalized = FINALIZED
        .try_with(|f| f.try_borrow_mut().is_ok_and(|mut f| f.remove(&address)))
        .unwrap_or(true);
    if finalized {
        return false;
    }
    let class = inst.class.borrow().clone();
    if !has_del(&class) || quiet(inst) {
        return false;
    }
    let moved = Instance {
        class: RefCell::new(class),
        dict: mem::replace(&mut inst.dict, Rc::new(Dict::new())),
        exc: inst.exc.take(),
        payload: inst.payload.take(),
        slots: RefCell::new(mem::take(inst.slots.get_mut())),
    };
    let moved = super::gc::alloc(moved);
    mark_finalized(&moved);
    let _ = PENDING.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            p.push(moved);
            super::eval::set_eval_breaker();
        }
    });
    true
}

fn mark_finalized(o: &Rc<Instance>) {
    let address = Rc::as_ptr(o) as usize;
    let _ = FINALIZED.try_with(|f| {
        if let Ok(mut f) = f.try_borrow_mut() {
            f.insert(address);
        }
    });
}

/// Whether finalizers are waiting (read when the eval breaker is set).
pub fn pending() -> bool {
    PENDING.with(|p| p.try_borrow().is_ok_and(|p| !p.is_empty()))
}

/// Calls the `__del__` of the instances dropped since the last instruction.
pub fn run_pending(vm: &mut Vm) -> PyResult<()> {
    loop {
        let due = PENDING.with(|p| mem::take(&mut *p.borrow_mut()));
        if due.is_empty() {
            return Ok(());
        }
        for o in due {
            call_del(vm, &Value::Object(o))?;
        }
    }
}

/// `gc.collect()`'s `finalize_garbage`: the `__del__` of each unreachable instance that
/// has one and has not run it, before the cycle is freed. True when any ran.
pub fn finalize_garbage(vm: &mut Vm, garbage: &[Value]) -> PyResult<bool> {
    let mut ran = false;
    for v in garbage {
        let Value::Object(o) = v else { continue };
        let address = Rc::as_ptr(o) as usize;
        if FINALIZED.with(|f| f.borrow().contains(&address)) || !has_del(&o.class.borrow()) {
            continue;
        }
        mark_finalized(o);
        call_del(vm, v)?;
        ran = true;
    }
    Ok(ran)
}

/// `PyObject_CallFinalizer`: `type(o).__del__(o)`, an exception reported as unraisable.
fn call_del(vm: &mut Vm, obj: &Value) -> PyResult<()> {
    let Some(del) = vm.type_of(obj).lookup("__del__") else {
        return Ok(());
    };
    let args = super::object::Args {
        pos: vec![obj.clone()],
        ..Default::default()
    };
    match vm.call(&del, args) {
        Ok(_) => Ok(()),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            if vm.type_of(&e).is_subtype(&vm.ty("SystemExit")) {
                return Err(vm.unsupported("a SystemExit raised by __del__"));
            }
            // `PyErr_WriteUnraisable(del)`: the hook's `object` is the `__del__` function.
            super::unraisable::write_unraisable(vm, &e, None, del)
        }
        Err(other) => Err(other),
    }
}

/// At the end of a run: an instance with `__del__` still alive would be finalised by
/// CPython's shutdown.
pub fn check_alive_at_exit(vm: &mut Vm) -> PyResult<()> {
    if !ANY.with(Cell::get) {
        return Ok(());
    }
    // A socket's finalizer is `open_at_exit`'s question.
    let alive = LIVE.with(|l| {
        l.borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .any(|o| !quiet(&o) && !super::modules::sockobj::socket_finalizer(vm, &o))
    });
    if super::modules::sockobj::open_at_exit()
        && super::modules::warnings::ignored_at_exit(vm, "ResourceWarning")? != Some(true)
    {
        return Err(vm.unsupported(
            "a socket open at exit (CPython's shutdown closes it, with a ResourceWarning the \
             filters of that moment may show)",
        ));
    }
    let due = pending();
    if alive || due {
        return Err(vm.unsupported(
            "an object with __del__ alive at exit (CPython finalises it during shutdown)",
        ));
    }
    Ok(())
}
