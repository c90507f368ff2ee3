//! Coroutines that were never awaited (CPython's `_PyGen_Finalize` for a coroutine whose
//! frame never started) and the origin tracking that makes their warning say where they
//! were created (`sys.set_coroutine_origin_tracking_depth`, `cr_origin`).
//!
//! CPython warns inside the `Py_DECREF` that frees the coroutine, through
//! `_PyErr_WarnUnawaitedCoroutine`: `warnings._warn_unawaited_coroutine(coro)`, whose
//! `warn(..., stacklevel=2)` names the Python frame running at that moment. `Drop` cannot
//! run Python, so `ops::generators` moves the coroutine being freed into a new object
//! (same frame, name and origin; the old allocation kept for its `id()`) and the warning
//! is given before the next instruction, when that frame and its last instruction are
//! still the ones running, as weak-reference callbacks and `__del__` are (`weakref`,
//! `finalize`).

use std::cell::RefCell;
use std::rc::Rc;

use super::interp::Vm;
use super::object::{Generator, Value};
use super::{PyResult, Throw};

thread_local! {
    /// Coroutines freed before they started, waiting for their warning.
    static TO_WARN: RefCell<Vec<Rc<Generator>>> = const { RefCell::new(Vec::new()) };
}

/// A coroutine freed without having started: warned about before the next instruction.
pub fn push(coro: Rc<Generator>) {
    let _ = TO_WARN.try_with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            t.push(coro);
        }
    });
}

/// Whether warnings are due (read when the eval breaker is set).
pub fn pending() -> bool {
    TO_WARN.with(|t| t.try_borrow().is_ok_and(|t| !t.is_empty()))
}

/// At the start of a run: coroutines left from a previous run are freed silently (they
/// are marked finalised).
pub fn begin_run() {
    let waiting = TO_WARN.with(|t| std::mem::take(&mut *t.borrow_mut()));
    drop(waiting);
}

/// The warnings for the coroutines freed since the last instruction, in the order freed.
pub fn run_pending(vm: &mut Vm) -> PyResult<()> {
    loop {
        let due = TO_WARN.with(|t| std::mem::take(&mut *t.borrow_mut()));
        if due.is_empty() {
            return Ok(());
        }
        for coro in due {
            warn_unawaited(vm, &coro)?;
        }
    }
}

/// `_PyErr_WarnUnawaitedCoroutine`: `warnings._warn_unawaited_coroutine(coro)` (importing
/// `warnings`); an exception it raises is reported as unraisable, and unless that
/// exception is a RuntimeWarning (the warning itself, turned into an error by a filter)
/// the warning is given again by `_warnings` directly ("coroutine '<qualname>' was never
/// awaited", stack level 1). It never raises a Python exception itself.
pub fn warn_unawaited(vm: &mut Vm, coro: &Rc<Generator>) -> PyResult<()> {
    let obj = Value::Generator(coro.clone());
    let mut warned = false;
    let mut error = None;
    // `get_warnings_attr(interp, "_warn_unawaited_coroutine", 1)`: an ImportError of
    // `warnings` and a missing attribute are silent.
    let function = match super::modules::pickle::py_import(vm, "warnings") {
        Ok(module) => match vm.getattr(&module, "_warn_unawaited_coroutine") {
            Ok(f) => Some(f),
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                if !vm.is_instance_of(&e, "AttributeError") {
                    error = Some(e);
                }
                None
            }
            Err(other) => return Err(other),
        },
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            if !vm.is_instance_of(&e, "ImportError") {
                error = Some(e);
            }
            None
        }
        Err(other) => return Err(other),
    };
    if let Some(function) = function {
        match vm.call1(&function, obj.clone()) {
            Ok(_) => warned = true,
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                warned = vm.is_instance_of(&e, "RuntimeWarning");
                error = Some(e);
            }
            Err(other) => return Err(other),
        }
    }
    if let Some(e) = error {
        super::unraisable::write_unraisable(vm, &e, None, obj.clone())?;
    }
    if !warned {
        let qualname = coro.qualname.borrow().clone();
        let message = format!("coroutine '{qualname}' was never awaited");
        let warn = super::modules::warnings::warn_native_source;
        match warn(vm, "RuntimeWarning", message, obj.clone()) {
            Ok(()) => {}
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                super::unraisable::write_unraisable(vm, &e, None, obj)?;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// `compute_cr_origin`: for the `depth` frames below the new coroutine's own (fewer when
/// the stack is shallower), most recent first, `(co_filename, line, co_name)` with the
/// line of the instruction each frame is running (-1 where it has none).
pub fn compute_origin(vm: &Vm, depth: i32) -> Value {
    let depth = usize::try_from(depth).unwrap_or(0);
    let entries = vm
        .frames
        .iter()
        .rev()
        .take(depth)
        .map(|frame| {
            let code = &frame.info.code;
            let line = frame.current_line().map_or(-1, i64::from);
            Value::tuple(vec![
                Value::Str(code.co_filename.clone()),
                Value::Int(line),
                Value::Str(code.co_name.clone()),
            ])
        })
        .collect();
    Value::tuple(entries)
}
