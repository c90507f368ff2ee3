//! `sys.setprofile` (spec chapter `tracing`): the profile function of CPython 3.12, which
//! Python/legacy_tracing.c builds on PEP 669 as tool 6 (`PY_MONITORING_SYS_PROFILE_ID`),
//! and `profile_trampoline` / `call_trampoline` of Python/sysmodule.c call.
//!
//! A profile function gets five events, never `line`, `exception` or `opcode`:
//! - `call` when a Python frame starts or resumes (PY_START, PY_RESUME: arg None) or is
//!   resumed by `throw()` / `close()` (PY_THROW: arg the exception thrown in);
//! - `return` when it returns or yields (PY_RETURN, PY_YIELD: the value) or is left by an
//!   exception (PY_UNWIND: None);
//! - `c_call`, then `c_return` or `c_exception`, around a call that a CALL or
//!   CALL_FUNCTION_EX instruction makes of a built-in function (CALL, C_RETURN, C_RAISE).
//!   The arg is the callable when it is a `builtin_function_or_method`; a
//!   `method_descriptor` is first bound to the call's first argument (a bound built-in
//!   method, `sys_profile_call_or_return`'s backwards compatibility), and gives no event
//!   without one; any other callable (a Python function, a class, an instance with
//!   `__call__`) gives none.
//!
//! The `call` and `return` events come from `trace::deliver`, right after the trace
//! function has had the same event (3.12 calls the tools from the highest id down, so
//! `sys.settrace`'s tool 7 before this one, and the `sys.monitoring` tools after); the
//! `c_*` events from [`c_event`], which the CALL and CALL_FUNCTION_EX handlers call (before
//! the monitoring tools' CALL, C_RETURN and C_RAISE) only while a profile function or a
//! monitoring tool's CALL events are set.
//!
//! Like a trace function, the profile function runs with events off (`tstate->tracing`)
//! and `what_event` set; what it returns is ignored; an exception from it unsets it and
//! propagates from where the event arose (at `c_exception`, in place of the call's).

use super::interp::Vm;
use super::object::Value;
use super::trace::What;
use super::{PyResult, Throw};

/// `sys.setprofile(fn)` and `sys._setprofileallthreads(fn)` (the VM runs one thread):
/// `_PyEval_SetProfile`. Any object is accepted; None unsets. The previous function is
/// dropped only after the new one is in place, so a `__del__` it runs sees the new one
/// (and may replace it).
pub fn set_profile(vm: &mut Vm, f: Value) {
    let old = vm.trace.set_sys_profile(f);
    drop(old);
}

/// The `call` and `return` events of Python frames (PY_START, PY_RESUME, PY_THROW,
/// PY_RETURN, PY_YIELD, PY_UNWIND); the others a trace function gets are not the
/// profiler's. `arg` is the legacy event's argument (`sys_profile_func2`/`func3`).
pub fn py_event(vm: &mut Vm, what: What, arg: &Value) -> PyResult<()> {
    let event = match what {
        What::PyStart | What::PyResume | What::PyThrow => "call",
        What::PyReturn | What::PyYield | What::PyUnwind => "return",
        _ => return Ok(()),
    };
    if vm.trace.sys_profile.is_none() || vm.trace.tracing > 0 {
        return Ok(());
    }
    call_profile_function(vm, what, event, arg.clone())
}

/// The profile function's `c_call` (`What::Call`), `c_return` (`What::CReturn`) or
/// `c_exception` (`What::CRaise`) event for a call of `func` by CALL or CALL_FUNCTION_EX,
/// whose first argument is `first` (None: a CALL without arguments, MISSING). Nothing
/// when no profile function is set, while one runs, or when `func` is not a built-in
/// function (`sys_profile_call_or_return`).
pub fn c_event(vm: &mut Vm, what: What, func: &Value, first: Option<&Value>) -> PyResult<()> {
    if vm.trace.sys_profile.is_none() || vm.trace.tracing > 0 {
        return Ok(());
    }
    let event = match what {
        What::Call => "c_call",
        What::CReturn => "c_return",
        What::CRaise => "c_exception",
        _ => return Err(vm.bug("a c_* profile event for another monitoring event")),
    };
    // The argument is made anew for each event, as CPython does.
    match event_arg(vm, func, first)? {
        Some(arg) => call_profile_function(vm, what, event, arg),
        None => Ok(()),
    }
}

/// The `arg` of a `c_*` event for calling `func` (`sys_profile_call_or_return`): a
/// built-in function itself, a method descriptor bound to the first argument (whose
/// `descr_check` may raise TypeError, before the call), else no event.
fn event_arg(vm: &mut Vm, func: &Value, first: Option<&Value>) -> PyResult<Option<Value>> {
    let ty = vm.type_of(func);
    let name = ty.name();
    match &*name {
        // PyCFunction_Check.
        "builtin_function_or_method" => Ok(Some(func.clone())),
        // Exactly PyMethodDescr_Type (not classmethod or wrapper descriptors).
        "method_descriptor" => match first {
            None => Ok(None),
            Some(obj) => super::methods::method_get(vm, func, obj).map(Some),
        },
        _ => Ok(None),
    }
}

/// `profile_trampoline` and `call_trampoline`: calls the profile function with the
/// current frame's frame object, the event's name and `arg`, with `f_locals` synced
/// around the call. An exception from it unsets the profile function and propagates.
fn call_profile_function(vm: &mut Vm, what: What, event: &str, arg: Value) -> PyResult<()> {
    let profile = vm.trace.sys_profile.clone();
    if profile.is_none() {
        return Ok(());
    }
    let index = vm.frames.len().saturating_sub(1);
    let Some(fo) = vm.frame_object(index) else {
        return Err(vm.bug("a profile event without a frame"));
    };
    if fo.fast_as_locals.get() {
        vm.top()?.fast_to_locals();
    }
    let args = vec![Value::Frame(fo.clone()), Value::str(event), arg];
    let result = super::trace::call_callback(vm, what, fo.serial, &profile, args);
    if fo.fast_as_locals.get() {
        if let Some(i) = vm.stack_index(&fo) {
            vm.frames[i].locals_to_fast();
        }
    }
    match result {
        Ok(_) => Ok(()),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            set_profile(vm, Value::None);
            Err(Throw::Exc(e))
        }
        Err(fatal) => Err(fatal),
    }
}
