//! `atexit` (CPython `Modules/atexitmodule.c`): callbacks the run calls at its end, last
//! registered first, after the main module's uncaught exception (if any) is shown, as
//! `Py_FinalizeEx` does. An exception in one is reported as unraisable ("Exception ignored
//! in atexit callback: …") and the rest still run. `unregister` blanks the entries (so
//! `_ncallbacks` keeps counting them, as 3.12's does).

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::{PyResult, Throw};
use crate::End;

const DOC: &str = "allow programmer to define multiple exit functions to be executed\nupon normal program termination.\n\nTwo public functions, register and unregister, are defined.\n";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "atexit", FUNCTIONS);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("register", register),
    ("unregister", unregister),
    ("_clear", clear),
    ("_ncallbacks", ncallbacks),
    ("_run_exitfuncs", run_exitfuncs),
];

/// `register(func, *args, **kwargs) -> func`.
fn register(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("register() takes at least 1 argument (0 given)"));
    }
    let func = args.pos.remove(0);
    if !super::super::builtins::is_callable(vm, &func) {
        return Err(vm.type_error("the first argument must be callable"));
    }
    vm.atexit.push(Some((func.clone(), args)));
    Ok(func)
}

/// `unregister(func)`: every registration of a callable equal to `func` is dropped.
fn unregister(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [func] =
        Spec::method("atexit", "unregister", Style::O, &["func"], 1).bind::<1>(vm, &args, 0)?;
    let func = func.unwrap_or_default();
    for i in 0..vm.atexit.len() {
        let Some((f, _)) = vm.atexit[i].clone() else {
            continue;
        };
        if f.is(&func) || vm.eq(&f, &func)? {
            vm.atexit[i] = None;
        }
    }
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("atexit", "_clear", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    vm.atexit.clear();
    Ok(Value::None)
}

fn ncallbacks(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("atexit", "_ncallbacks", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(vm.atexit.len() as i64))
}

/// `_run_exitfuncs()`: the callbacks now, then none are left.
fn run_exitfuncs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("atexit", "_run_exitfuncs", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    call_all(vm)?;
    Ok(Value::None)
}

/// `atexit_callfuncs`: each callback, last first; an exception is reported and the next
/// one runs. What ends the run (unsupported, out of fuel) ends it here too.
fn call_all(vm: &mut Vm) -> PyResult<()> {
    let callbacks = std::mem::take(&mut vm.atexit);
    for (f, args) in callbacks.into_iter().rev().flatten() {
        match vm.call(&f, args) {
            Ok(_) => {}
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                // `_PyErr_WriteUnraisableMsg("in atexit callback", func)`.
                super::super::unraisable::write_unraisable(vm, &e, Some("in atexit callback"), f)?;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// The callbacks at the end of a run; `Some` when one ended it another way (unsupported,
/// out of fuel, out of memory).
pub fn run_at_exit(vm: &mut Vm) -> Option<End> {
    match call_all(vm) {
        Ok(()) => None,
        Err(Throw::Unsupported(what)) => Some(End::Unsupported(what)),
        Err(Throw::OutOfFuel) => Some(End::OutOfFuel(vm.fuel_used)),
        Err(Throw::OutOfMemory) => Some(End::OutOfMemory {
            limit_bytes: vm.heap.limit,
        }),
        Err(Throw::Bug(what)) => Some(End::Bug(what)),
        Err(Throw::Exc(_) | Throw::Reraise(_)) => None,
    }
}
