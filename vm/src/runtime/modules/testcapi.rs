//! `_testcapi` (CPython `Modules/_testcapimodule.c`, a C extension of CPython's test
//! suite): the two C trace functions CPython's tracing tests install with
//! `PyEval_SetTrace`, `settrace_to_record` and `settrace_to_error`, `exception_print`
//! (PyErr_Display, the VM's report of an uncaught exception), `traceback_print`
//! (PyTraceBack_Print), and the C limits the
//! module exports (x86-64 Linux values). The VM has neither pymalloc nor the limited C API,
//! so `WITH_PYMALLOC` and `LIMITED_API_AVAILABLE` are False (tests needing them skip).
//! Any other name of CPython's module is unsupported (`reach`, from `cpython_names`), so a test using
//! one of the module's other functions stops rather than failing as if the VM were wrong.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::trace::CTrace;
use super::super::PyResult;

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_testcapi", FUNCTIONS);
    const INTS: &[(&str, i128)] = &[
        ("CHAR_MAX", 127),
        ("CHAR_MIN", -128),
        ("UCHAR_MAX", 255),
        ("SHRT_MAX", 32767),
        ("SHRT_MIN", -32768),
        ("USHRT_MAX", 65535),
        ("INT_MAX", i32::MAX as i128),
        ("INT_MIN", i32::MIN as i128),
        ("UINT_MAX", u32::MAX as i128),
        ("LONG_MAX", i64::MAX as i128),
        ("LONG_MIN", i64::MIN as i128),
        ("ULONG_MAX", u64::MAX as i128),
        ("LLONG_MAX", i64::MAX as i128),
        ("LLONG_MIN", i64::MIN as i128),
        ("ULLONG_MAX", u64::MAX as i128),
        ("PY_SSIZE_T_MAX", i64::MAX as i128),
        ("PY_SSIZE_T_MIN", i64::MIN as i128),
        ("SIZEOF_VOID_P", 8),
        ("SIZEOF_TIME_T", 8),
        ("SIZEOF_WCHAR_T", 4),
    ];
    for &(name, v) in INTS {
        let value = match i64::try_from(v) {
            Ok(small) => Value::Int(small),
            Err(_) => super::super::int::from_num(crate::arith::Num::from_big(
                num_bigint::BigInt::from(v),
            )),
        };
        d.set_str(name, value);
    }
    d.set_str("FLT_MAX", Value::Float(f64::from(f32::MAX)));
    d.set_str("FLT_MIN", Value::Float(f64::from(f32::MIN_POSITIVE)));
    d.set_str("DBL_MAX", Value::Float(f64::MAX));
    d.set_str("DBL_MIN", Value::Float(f64::MIN_POSITIVE));
    d.set_str("WITH_PYMALLOC", Value::Bool(false));
    d.set_str("LIMITED_API_AVAILABLE", Value::Bool(false));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("settrace_to_record", settrace_to_record),
    ("settrace_to_error", settrace_to_error),
    ("exception_print", exception_print),
    ("traceback_print", traceback_print),
    ("raise_SIGINT_then_send_None", raise_sigint_then_send_none),
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

/// `exception_print(exc, legacy=0)`: `PyErr_DisplayException(exc)`, or with `legacy`
/// `PyErr_Display(type(exc), exc, exc.__traceback__)` — in 3.12 both the C printer of an
/// uncaught exception (`_PyErr_Display`), which the VM's own report is, written to
/// `sys.stderr` (for a value that is no exception, a line saying so).
fn exception_print(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [exc, legacy] = super::super::argspec::Spec::function(
        "exception_print",
        super::super::argspec::Style::ParseTuple,
        &["exc", "legacy"],
        1,
    )
    .bind(vm, &args, 0)?;
    let exc = exc.unwrap_or_default();
    if let Some(l) = legacy {
        super::super::argspec::index(vm, &l)?;
    }
    let text = super::super::traceback::format_exception(vm, &exc)?;
    let stderr = super::super::sysmod::sys_attr(vm, "stderr");
    let write = vm.getattr(&stderr, "write")?;
    vm.call1(&write, Value::str(&text))?;
    Ok(Value::None)
}

/// `raise_SIGINT_then_send_None(gen)`: present, so test modules that look for it
/// (`hasattr`) load; calling it is unsupported, as no signal reaches the VM.
fn raise_sigint_then_send_none(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("_testcapi.raise_SIGINT_then_send_None (no signal reaches the VM)"))
}

/// `traceback_print(traceback, file)`: `PyTraceBack_Print`, the traceback part of the
/// uncaught-exception report written to `file` (one `write` for the whole text).
fn traceback_print(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [tb, file] = super::super::argspec::Spec::function(
        "traceback_print",
        super::super::argspec::Style::ParseTuple,
        &["traceback", "file"],
        2,
    )
    .bind(vm, &args, 0)?;
    let (tb, file) = (tb.unwrap_or_default(), file.unwrap_or_default());
    if !matches!(tb, Value::Traceback(_)) {
        // PyErr_BadInternalCall's SystemError names a C file and line.
        return Err(vm.unsupported("_testcapi.traceback_print of a value that is no traceback"));
    }
    let text = super::super::traceback::print_tb_text(vm, tb);
    if !text.is_empty() {
        let write = vm.getattr(&file, "write")?;
        vm.call1(&write, Value::str(&text))?;
    }
    Ok(Value::None)
}
