//! `_testcapi` (CPython `Modules/_testcapimodule.c`, a C extension of CPython's test
//! suite): the two C trace functions CPython's tracing tests install with
//! `PyEval_SetTrace`, `settrace_to_record` and `settrace_to_error`, `exception_print`
//! (PyErr_Display, the VM's report of an uncaught exception), and the C limits the
//! module exports (x86-64 Linux values), and `awaitType`, a type whose `__await__` returns
//! the object it was made with. The VM has neither pymalloc nor the limited C API,
//! so `WITH_PYMALLOC` and `LIMITED_API_AVAILABLE` are False (tests needing them skip).
//! Any other name of CPython's module is unsupported (`reach`, from `cpython_names`), so a test using
//! one of the module's other functions stops rather than failing as if the VM were wrong.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::trace::CTrace;
use super::super::types::Type;
use super::super::PyResult;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_testcapi", FUNCTIONS);
    d.set_str("awaitType", Value::Type(vm.ty("awaitType")));
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
/// `sys.stderr`. A value that is no exception is left out (CPython prints a notice).
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
    if exc.exc().is_none() {
        return Err(vm.unsupported("_testcapi.exception_print of a value that is no exception"));
    }
    let text = super::super::traceback::format_exception(vm, &exc);
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

/// The methods of `awaitType` (Modules/_testcapimodule.c): its `am_await` slot's wrapper.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("awaitType", "__new__", await_new_method),
    ("awaitType", "__await__", await_await),
];

/// `awaitType.__new__(cls, iterator)` (`tp_new_wrapper`'s checks of `cls`).
fn await_new_method(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("awaitType.__new__(): not enough arguments"));
    }
    let cls = args.pos.remove(0);
    match &cls {
        Value::Type(t) if t.is_subtype(&vm.ty("awaitType")) => await_new(vm, t, args),
        Value::Type(t) => {
            let n = t.name().clone();
            Err(vm.type_error(format!(
                "awaitType.__new__({n}): {n} is not a subtype of awaitType"
            )))
        }
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!(
                "awaitType.__new__(X): X is not a type object ({n})"
            )))
        }
    }
}

/// `awaitObject_new`: `awaitType(iterator)` keeps its one argument (keywords are ignored,
/// as the C function never looks at them).
pub fn await_new(vm: &mut Vm, t: &Rc<Type>, args: Args) -> PyResult<Value> {
    let [iterator] = args.pos.as_slice() else {
        let n = args.pos.len();
        return Err(vm.type_error(format!("awaitObject expected 1 argument, got {n}")));
    };
    let made = vm.new_instance(t, &Args::default());
    if let Value::Object(o) = &made {
        if let Some(slot) = o.slots.borrow_mut().first_mut() {
            *slot = Some(iterator.clone());
        }
    }
    Ok(made)
}

/// `awaitObject_await`: the object given at creation, whatever it is (the caller of
/// `am_await`, `_PyCoro_GetAwaitableIter`, checks that it is an iterator).
fn await_await(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("awaitType", "__await__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let stored = match args.pos.first() {
        Some(Value::Object(o)) if o.class.borrow().name().as_ref() == "awaitType" => {
            o.slots.borrow().first().cloned().flatten()
        }
        _ => None,
    };
    stored.ok_or_else(|| vm.bug("awaitType.__await__ without its iterator"))
}
