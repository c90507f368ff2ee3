//! Unraisable exceptions (CPython Python/errors.c): an exception raised where nothing can
//! receive it — a `__del__`, a weak-reference callback, a generator closed as it is
//! freed, an atexit callback — is handed to `sys.unraisablehook` as an
//! UnraisableHookArgs struct sequence (`_PyErr_WriteUnraisableMsg`), and the program goes
//! on. The default hook (`sys.__unraisablehook__`, `_PyErr_WriteUnraisableDefaultHook`)
//! writes "Exception ignored in: <object>", the traceback and the exception's last line to
//! `sys.stderr`; a hook that raises is reported by the default one in its turn.

use std::rc::Rc;

use super::argspec::{Spec, Style};
use super::interp::Vm;
use super::object::{Args, Value};
use super::{PyResult, Throw};

/// `_PyErr_WriteUnraisableMsg(err_msg, obj)`: reports `exc` through `sys.unraisablehook`
/// (`err_msg` None for `PyErr_WriteUnraisable(obj)`, else the hook sees
/// "Exception ignored {err_msg}"). Only what ends the run (unsupported, out of fuel)
/// comes back as an error.
pub fn write_unraisable(
    vm: &mut Vm,
    exc: &Value,
    err_msg: Option<&str>,
    obj: Value,
) -> PyResult<()> {
    let Some(data) = exc.exc() else {
        return Err(vm.bug("an unraisable exception that is not an exception"));
    };
    // An exception without a traceback gets one for the frame running now
    // (`_PyTraceBack_FromFrame`), which is also stored as its `__traceback__`.
    if data.traceback.borrow().is_none() {
        super::eval::add_traceback(vm, exc)?;
    }
    let tb = data.traceback.borrow().clone();
    let err_msg = err_msg.map_or(Value::None, |m| {
        Value::str(&format!("Exception ignored {m}"))
    });
    let exc_type = Value::Type(vm.type_of(exc));
    let args = hook_args(vm, exc_type, exc.clone(), tb, err_msg, obj);
    let hook = match vm.modules.get_str("sys") {
        Some(Value::Module(m)) => m.dict.get_str("unraisablehook"),
        _ => None,
    };
    let hook = match hook {
        Some(h) if !h.is_none() => h,
        // No hook (deleted, or None): the default one, its failure ignored.
        _ => return ignore_exceptions(default_hook(vm, &args)),
    };
    match vm.call1(&hook, args) {
        Ok(_) => Ok(()),
        // The hook's own exception, reported by the default hook instead.
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            let tb = e
                .exc()
                .map_or(Value::None, |d| d.traceback.borrow().clone());
            let exc_type = Value::Type(vm.type_of(&e));
            let err_msg = Value::str("Exception ignored in sys.unraisablehook");
            let args = hook_args(vm, exc_type, e, tb, err_msg, hook);
            ignore_exceptions(default_hook(vm, &args))
        }
        Err(fatal) => Err(fatal),
    }
}

fn hook_args(vm: &Vm, exc_type: Value, exc: Value, tb: Value, err_msg: Value, obj: Value) -> Value {
    super::structseq::make(
        vm,
        "UnraisableHookArgs",
        vec![exc_type, exc, tb, err_msg, obj],
    )
}

fn ignore_exceptions(r: PyResult<()>) -> PyResult<()> {
    match r {
        Err(Throw::Exc(_) | Throw::Reraise(_)) => Ok(()),
        other => other,
    }
}

/// `sys.unraisablehook(unraisable)` as CPython starts with it (also
/// `sys.__unraisablehook__`).
pub fn unraisablehook(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "unraisablehook", Style::O, &["unraisable"], 1).parse(vm, &args, 0)?;
    default_hook(vm, &args.pos[0])?;
    Ok(Value::None)
}

/// `_PyErr_WriteUnraisableDefaultHook` and `write_unraisable_exc_file`: the report on
/// `sys.stderr` (nothing when it is None or missing), written piece by piece as CPython
/// writes it, then flushed.
fn default_hook(vm: &mut Vm, args: &Value) -> PyResult<()> {
    let fields = match args {
        Value::Object(o) if Rc::ptr_eq(&o.class.borrow(), &vm.ty("UnraisableHookArgs")) => {
            o.slots.borrow().clone()
        }
        _ => {
            return Err(vm.type_error("sys.unraisablehook argument type must be UnraisableHookArgs"))
        }
    };
    let field = |i: usize| fields.get(i).cloned().flatten().unwrap_or(Value::None);
    let (exc_type, exc_value, exc_tb, err_msg, obj) =
        (field(0), field(1), field(2), field(3), field(4));
    let Value::Type(exc_type) = exc_type else {
        // CPython writes the message and traceback, then fails without an exception set
        // (None) or reads a non-type as one.
        return Err(vm.unsupported(
            "sys.__unraisablehook__ with an exc_type that is not a type (CPython raises \
             SystemError or reads it as a type)",
        ));
    };
    let stderr = match vm.modules.get_str("sys") {
        Some(Value::Module(m)) => m.dict.get_str("stderr"),
        _ => None,
    };
    let Some(file) = stderr.filter(|f| !f.is_none()) else {
        return Ok(());
    };
    let write = vm.getattr(&file, "write")?;
    let put = |vm: &mut Vm, s: &str| vm.call1(&write, Value::str(s)).map(|_| ());
    if !obj.is_none() {
        if err_msg.is_none() {
            put(vm, "Exception ignored in: ")?;
        } else {
            let m = vm.str_of(&err_msg)?;
            put(vm, &m)?;
            put(vm, ": ")?;
        }
        let shown = match vm.repr(&obj) {
            Ok(s) => s,
            Err(Throw::Exc(_) | Throw::Reraise(_)) => "<object repr() failed>".into(),
            Err(fatal) => return Err(fatal),
        };
        put(vm, &shown)?;
        put(vm, "\n")?;
    } else if !err_msg.is_none() {
        let m = vm.str_of(&err_msg)?;
        put(vm, &m)?;
        put(vm, ":\n")?;
    }
    // `_PyTraceBack_Print_Indented`: only the exception's own traceback (no chained
    // exceptions, no notes); a value that is not a traceback prints nothing.
    if let Value::Traceback(_) = &exc_tb {
        if matches!(vm.modules.get_str("sys"), Some(Value::Module(m)) if m.dict.get_str("tracebacklimit").is_some())
        {
            return Err(vm.unsupported("sys.tracebacklimit in an unraisable exception's report"));
        }
        let text = super::traceback::stack_from(vm, exc_tb);
        put(vm, "Traceback (most recent call last):\n")?;
        for piece in tb_pieces(&text) {
            put(vm, &piece)?;
        }
    }
    // The type as `module.qualname`, the module left out for builtins and __main__ and
    // shown as <unknown> when it is not a str.
    match vm.getattr(&Value::Type(exc_type.clone()), "__module__") {
        Ok(Value::Str(m)) => {
            if &*m != "builtins" && &*m != "__main__" {
                put(vm, &m)?;
                put(vm, ".")?;
            }
        }
        Ok(_) | Err(Throw::Exc(_) | Throw::Reraise(_)) => put(vm, "<unknown>")?,
        Err(fatal) => return Err(fatal),
    }
    let qualname = exc_type.qualname.borrow().to_string();
    put(vm, &qualname)?;
    if !exc_value.is_none() {
        put(vm, ": ")?;
        let shown = match vm.str_of(&exc_value) {
            Ok(s) => s,
            Err(Throw::Exc(_) | Throw::Reraise(_)) => "<exception str() failed>".into(),
            Err(fatal) => return Err(fatal),
        };
        put(vm, &shown)?;
    }
    put(vm, "\n")?;
    let flush = vm.getattr(&file, "flush")?;
    vm.call0(&flush)?;
    Ok(())
}

/// The traceback's text cut where `tb_displayline` and `display_source_line_with_margin`
/// write: a `File` line whole, the source line as its indent, its text and the newline,
/// the caret line character by character.
fn tb_pieces(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut after_source = false;
    for line in text.lines() {
        if let Some(source) = line.strip_prefix("    ").filter(|_| !after_source) {
            if !line.starts_with("  File ") {
                pieces.push("    ".to_owned());
                pieces.push(source.to_owned());
                pieces.push("\n".to_owned());
                after_source = true;
                continue;
            }
        }
        if after_source && line.chars().all(|c| matches!(c, ' ' | '^' | '~')) {
            pieces.extend(line.chars().map(String::from));
            pieces.push("\n".to_owned());
        } else {
            pieces.push(format!("{line}\n"));
        }
        after_source = false;
    }
    pieces
}
