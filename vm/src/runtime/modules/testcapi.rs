//! `_testcapi` (CPython `Modules/_testcapimodule.c`, a C extension of CPython's test
//! suite): only the two C trace functions CPython's tracing tests install with
//! `PyEval_SetTrace`, `settrace_to_record` and `settrace_to_error`. Every other name of
//! the module is unsupported (its module `__getattr__` says so) rather than missing, so
//! a test that would use one stops instead of being skipped or failing falsely.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::trace::CTrace;
use super::super::PyResult;

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_testcapi", FUNCTIONS);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("settrace_to_record", settrace_to_record),
    ("settrace_to_error", settrace_to_error),
    ("__getattr__", getattr),
];

fn list_arg(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    if args.pos.len() != 1 || !args.kw.is_empty() {
        return Err(vm.type_error(format!(
            "_testcapi.{name}() takes exactly one argument ({} given)",
            args.pos.len() + args.kw.len()
        )));
    }
    match &args.pos[0] {
        list @ Value::List(_) => Ok(list.clone()),
        _ => Err(vm.type_error("argument must be a list")),
    }
}

/// `settrace_to_record(list)`: `PyEval_SetTrace(record_func, list)`; every trace event
/// appends `(what, frame line, arg)` to the list.
fn settrace_to_record(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let list = list_arg(vm, &args, "settrace_to_record")?;
    vm.trace.set_c_trace(CTrace::Record, list);
    Ok(Value::None)
}

/// `settrace_to_error(list)`: `PyEval_SetTrace(error_func, list)`; the first event
/// appends None and raises `Exception("an exception")`, later ones do nothing.
fn settrace_to_error(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let list = list_arg(vm, &args, "settrace_to_error")?;
    vm.trace.set_c_trace(CTrace::Error, list);
    Ok(Value::None)
}

/// The module's `__getattr__`: any other `_testcapi` function is unsupported.
fn getattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let name = match args.pos.first() {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::from("?"),
    };
    // The import system's and other introspection's dunder lookups find nothing, as in
    // any module.
    if name.starts_with("__") {
        return Err(vm.err(
            "AttributeError",
            format!("module '_testcapi' has no attribute '{name}'"),
        ));
    }
    Err(vm.unsupported(format!("_testcapi.{name}")))
}
