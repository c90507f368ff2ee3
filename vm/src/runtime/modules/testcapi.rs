//! `_testcapi` (CPython `Modules/_testcapimodule.c`, a C extension of CPython's test
//! suite): the two C trace functions CPython's tracing tests install with
//! `PyEval_SetTrace`, `settrace_to_record` and `settrace_to_error`, `exception_print`
//! (PyErr_Display, the VM's report of an uncaught exception), `traceback_print`
//! (PyTraceBack_Print), `raise_SIGINT_then_send_None`, the `frame_*` wrappers of the
//! PyFrame_* C API (test_frame's), `awaitType` (a type whose `__await__` returns the
//! object it was made with), and the C limits the module exports (x86-64 Linux values).
//! The VM has neither pymalloc nor the limited C API,
//! so `WITH_PYMALLOC` and `LIMITED_API_AVAILABLE` are False (tests needing them skip).
//! Any other name of CPython's module is unsupported (`reach`, from `cpython_names`), so a test using
//! one of the module's other functions stops rather than failing as if the VM were wrong.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::frame::{Frame, FrameObject};
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
    ("traceback_print", traceback_print),
    ("raise_SIGINT_then_send_None", raise_sigint_then_send_none),
    ("frame_getlocals", frame_getlocals),
    ("frame_getglobals", frame_getglobals),
    ("frame_getgenerator", frame_getgenerator),
    ("frame_getbuiltins", frame_getbuiltins),
    ("frame_getlasti", frame_getlasti),
    ("frame_new", frame_new),
    ("frame_getvar", frame_getvar),
    ("frame_getvarstring", frame_getvarstring),
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

/// `raise_SIGINT_then_send_None(gen)`: SIGINT raised in the process, then `gen.send(None)`
/// called from C, so the handler runs at the first eval-breaker check inside the
/// generator (bpo-30039's test).
fn raise_sigint_then_send_none(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // METH_VARARGS with PyArg_ParseTuple's "O!" (no function name in the format).
    let [gen] = tuple_args::<1>(vm, &args, "raise_SIGINT_then_send_None")?;
    if !matches!(&gen, Value::Generator(g) if g.kind == super::super::object::GenKind::Generator) {
        let n = vm.type_of(&gen).name().clone();
        return Err(vm.type_error(format!("argument 1 must be generator, not {n}")));
    }
    super::signal::deliver(vm, 2)?;
    let send = vm.getattr(&gen, "send")?;
    vm.call(&send, Args::new(vec![Value::None]))
}

// ----- the PyFrame_* C API (test_frame's TestCAPI) --------------------------------------

/// The frame argument of the `frame_*` functions (`PyFrame_Check`).
fn frame_arg(vm: &mut Vm, v: &Value) -> PyResult<Rc<FrameObject>> {
    match v {
        Value::Frame(fo) => Ok(fo.clone()),
        _ => Err(vm.type_error("argument must be a frame")),
    }
}

/// METH_VARARGS with PyArg_ParseTuple and no name in the format: exactly `N` objects.
fn tuple_args<const N: usize>(vm: &mut Vm, args: &Args, name: &str) -> PyResult<[Value; N]> {
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    match <[Value; N]>::try_from(args.pos.clone()) {
        Ok(a) => Ok(a),
        Err(v) => Err(vm.type_error(format!(
            "function takes exactly {N} argument{} ({} given)",
            if N == 1 { "" } else { "s" },
            v.len()
        ))),
    }
}

/// A frame attribute read through the C API, which answers as the attribute does.
fn frame_attr(vm: &mut Vm, args: Args, name: &str, attr: &str) -> PyResult<Value> {
    let [v] = Spec::method("_testcapi", name, Style::O, &["frame"], 1).bind::<1>(vm, &args, 0)?;
    let v = v.unwrap_or_default();
    frame_arg(vm, &v)?;
    vm.getattr(&v, attr)
}

fn frame_getlocals(vm: &mut Vm, args: Args) -> PyResult<Value> {
    frame_attr(vm, args, "frame_getlocals", "f_locals")
}

fn frame_getglobals(vm: &mut Vm, args: Args) -> PyResult<Value> {
    frame_attr(vm, args, "frame_getglobals", "f_globals")
}

fn frame_getbuiltins(vm: &mut Vm, args: Args) -> PyResult<Value> {
    frame_attr(vm, args, "frame_getbuiltins", "f_builtins")
}

/// `PyFrame_GetLasti`, None for a frame that has not started (-1).
fn frame_getlasti(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match frame_attr(vm, args, "frame_getlasti", "f_lasti")? {
        Value::Int(n) if n < 0 => Ok(Value::None),
        other => Ok(other),
    }
}

/// `PyFrame_GetGenerator`: the generator, coroutine or async generator owning the frame.
fn frame_getgenerator(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("_testcapi", "frame_getgenerator", Style::O, &["frame"], 1)
        .bind::<1>(vm, &args, 0)?;
    let v = v.unwrap_or_default();
    let fo = frame_arg(vm, &v)?;
    let gen = fo.generator.borrow().upgrade();
    match gen {
        Some(g) => Ok(Value::Generator(g)),
        // 3.12's PyFrame_GetGenerator returns NULL without an exception for a frame no
        // generator owns, which the call machinery turns into this SystemError.
        None => Err(vm.err(
            "SystemError",
            "<built-in function frame_getgenerator> returned NULL without setting an exception",
        )),
    }
}

/// `PyFrame_New(tstate, code, globals, locals)`: a frame object for `code` that never
/// runs and is on no stack (f_back None).
fn frame_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [code, globals, locals] = tuple_args::<3>(vm, &args, "frame_new")?;
    let Value::Code(code) = code else {
        return Err(vm.type_error("argument must be a code object"));
    };
    let Value::Dict(globals) = globals else {
        return Err(vm.unsupported("_testcapi.frame_new with globals that are not a dict"));
    };
    // `_PyEval_BuiltinsFromGlobals`: the globals' __builtins__ (a module's dict), else
    // the builtins of the running code.
    let builtins = match globals.get_str("__builtins__") {
        Some(Value::Module(m)) => m.dict.clone(),
        Some(Value::Dict(d)) => d,
        Some(_) => return Err(vm.unsupported("_testcapi.frame_new with an unusual __builtins__")),
        None => vm.top()?.builtins.clone(),
    };
    let info = vm.code_info(&code);
    let serial = vm.serial();
    let mut frame = Frame::new(info, globals, builtins, serial);
    // 3.12's _PyFrame_Initialize leaves prev_instr on the first code unit: f_lasti 0.
    frame.prev_instr = Some(0);
    match locals {
        Value::None => {}
        Value::Dict(d) => frame.locals = Some(d),
        _ => return Err(vm.unsupported("_testcapi.frame_new with locals that are not a dict")),
    }
    let fo = crate::runtime::gc::alloc(FrameObject::new(serial));
    *fo.owned.borrow_mut() = Some(frame);
    Ok(Value::Frame(fo))
}

/// `PyFrame_GetVar(frame, name)`.
fn frame_getvar(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [frame, name] = tuple_args::<2>(vm, &args, "frame_getvar")?;
    let fo = frame_arg(vm, &frame)?;
    let Value::Str(name) = name.builtin_value().clone() else {
        let t = vm.type_of(&name).name().clone();
        return Err(vm.type_error(format!("name must be str, not {t}")));
    };
    get_var(vm, &fo, &name)
}

/// `PyFrame_GetVarString(frame, name)`, the name as UTF-8 bytes ("y").
fn frame_getvarstring(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [frame, name] = tuple_args::<2>(vm, &args, "frame_getvarstring")?;
    let Value::Bytes(bytes) = name.builtin_value().clone() else {
        return Err(vm.unsupported("_testcapi.frame_getvarstring with a name that is not bytes"));
    };
    let fo = frame_arg(vm, &frame)?;
    let Ok(name) = std::str::from_utf8(&bytes) else {
        return Err(vm.unsupported("_testcapi.frame_getvarstring with a name that is not UTF-8"));
    };
    get_var(vm, &fo, name)
}

fn get_var(vm: &mut Vm, fo: &FrameObject, name: &str) -> PyResult<Value> {
    match vm.with_frame(fo, |f| f.get_var(name)).flatten() {
        Some(v) => Ok(v),
        None => {
            let r = crate::reprs::str_repr(name);
            Err(vm.err("NameError", format!("variable {r} does not exist")))
        }
    }
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
