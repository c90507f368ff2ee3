//! `select` (CPython `Modules/selectmodule.c`): waiting for I/O on file descriptors. Its
//! int constants are CPython's on this machine (`cpython_names`), `error` is `OSError`,
//! and `epoll` is a type. What only checks arguments answers as CPython does — the
//! argument counts, `select`'s timeout and descriptor lists, `epoll`'s sizehint and
//! flags. `select` and `poll()`'s object wait on the VM's own descriptors (`pollobj`);
//! an epoll object is made without a descriptor and can only be closed ([`Epoll`]).

use std::cell::Cell;
use std::rc::Rc;

use super::super::argspec::{no_args, Spec, Style};
use super::super::cpython_names;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::PyResult;
use super::fcntl::{c_int, file_descriptor};

/// CPython's `select.__doc__`.
const DOC: &str = "This module supports asynchronous I/O on multiple file descriptors.

*** IMPORTANT NOTICE ***
On Windows, only sockets are supported; on Unix, all file descriptors.";

/// The types `select` defines, by the VM's names for them (`select.epoll`).
pub const TYPES: &[&str] = &["epoll", "poll"];

/// glibc's `FD_SETSIZE`: `select` refuses a descriptor at or above it.
const FD_SETSIZE: i64 = 1024;

/// `EPOLL_CLOEXEC`, the one flag `epoll()` accepts.
const EPOLL_CLOEXEC: i64 = 0o2000000;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "select", FUNCTIONS);
    d.set_str("error", Value::Type(vm.ty("OSError")));
    let ints = cpython_names::SELECT_INTS;
    // CPython's order: PIPE_BUF and the POLL constants, the epoll type, the EPOLL ones.
    for &(name, v) in ints.iter().filter(|(n, _)| !n.starts_with("EPOLL")) {
        d.set_str(name, Value::Int(v));
    }
    d.set_str("epoll", Value::Type(vm.ty("epoll")));
    for &(name, v) in ints.iter().filter(|(n, _)| n.starts_with("EPOLL")) {
        d.set_str(name, Value::Int(v));
    }
}

/// The module's functions, in CPython's order; both reach the system, so the differential
/// table of natives leaves them out (`super::sandboxed`).
pub const FUNCTIONS: &[(&str, NativeFn)] = &[("select", select), ("poll", poll)];

/// `select(rlist, wlist, xlist, timeout=None, /)`: the timeout is read first, then each
/// list as `seq2set` does; waiting is unsupported, even on three empty lists (CPython
/// sleeps for the timeout).
fn select(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["rlist", "wlist", "xlist", "timeout"];
    let [r, w, x, timeout] =
        Spec::method("select", "select", Style::Positional, params, 3).bind::<4>(vm, &args, 0)?;
    // `_PyTime_FromSecondsObject`: NaN first, then the range of `_PyTime_t` (whose
    // messages depend on the path; a timeout near it is unsupported), then the sign.
    let beyond = |s: f64| s.is_nan() || s.abs() >= 9.0e9;
    let block = match timeout.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => true,
        Some(Value::Bool(b)) => *b,
        Some(Value::Float(f)) if *f == 0.0 => false,
        Some(Value::Int(0)) => false,
        _ => true,
    };
    match timeout.as_ref().map(Value::builtin_value) {
        None | Some(Value::None | Value::Bool(_)) => {}
        Some(Value::Float(f)) if f.is_nan() => {
            return Err(vm.value_error("Invalid value NaN (not a number)"))
        }
        Some(Value::Float(f)) if beyond(*f) => {
            return Err(vm.unsupported("select.select with a timeout beyond _PyTime_t's range"))
        }
        Some(Value::Int(i)) if beyond(*i as f64) => {
            return Err(vm.unsupported("select.select with a timeout beyond _PyTime_t's range"))
        }
        Some(Value::BigInt(_)) => {
            return Err(vm.unsupported("select.select with a timeout beyond _PyTime_t's range"))
        }
        Some(Value::Float(f)) if *f < 0.0 => {
            return Err(vm.value_error("timeout must be non-negative"))
        }
        Some(Value::Int(i)) if *i < 0 => return Err(vm.value_error("timeout must be non-negative")),
        Some(Value::Float(_) | Value::Int(_)) => {}
        Some(Value::Object(_)) => {
            return Err(vm.unsupported("select.select with a timeout of a class of its own"))
        }
        Some(_) => return Err(vm.type_error("timeout must be a float or None")),
    }
    let mut lists: [Vec<Value>; 3] = Default::default();
    for (list, items) in [r, w, x].into_iter().zip(lists.iter_mut()) {
        let list = list.unwrap_or_default();
        if !vm.is_iterable(&list) {
            return Err(vm.type_error("arguments 1-3 must be sequences"));
        }
        for item in vm.collect(&list)? {
            if file_descriptor(vm, &item)? >= FD_SETSIZE {
                return Err(vm.value_error("filedescriptor out of range in select()"));
            }
            items.push(item);
        }
    }
    // Over the VM's own descriptors (`pollobj`): pipes and scratch files.
    super::pollobj::select_ready(vm, lists, block)
}

/// `poll()`: a poll object over the VM's own descriptors (`pollobj`).
fn poll(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("select", "poll", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(super::pollobj::new_poll())
}

/// An epoll object. CPython's holds the descriptor `epoll_create1` returned; the
/// sandbox has none, so the object only knows whether it is closed: `close`, `closed`
/// and the context manager work as CPython's (what `selectors` does at import, to see
/// that epoll works), and everything that would use the descriptor — `fileno`,
/// `register`, `modify`, `unregister`, `poll`, `fromfd` — is absent here and so
/// unsupported (CPython's epoll type has them: `reach`).
#[derive(Debug, Default)]
pub struct Epoll {
    closed: Cell<bool>,
}

/// `select.epoll(sizehint=-1, flags=0)`: CPython's checks of its arguments, then a new
/// epoll object (the type is final, so it is never a subclass's).
pub fn epoll_new(vm: &mut Vm, _t: &Rc<Type>, args: Args) -> PyResult<Value> {
    let [sizehint, flags] = Spec::function("epoll", Style::Keywords, &["sizehint", "flags"], 0)
        .keywords(0, 2)
        .bind::<2>(vm, &args, 0)?;
    let sizehint = match sizehint {
        Some(s) => c_int(vm, &s)?,
        None => -1,
    };
    let flags = match flags {
        Some(f) => c_int(vm, &f)?,
        None => 0,
    };
    if sizehint != -1 && sizehint <= 0 {
        return Err(vm.value_error("negative sizehint"));
    }
    if flags != 0 && flags != EPOLL_CLOEXEC {
        return Err(vm.err("OSError", "invalid flags"));
    }
    Ok(Value::Native(Rc::new(Native::Epoll(Epoll::default()))))
}

/// The epoll object's getset `closed`.
pub fn attr(e: &Epoll, name: &str) -> Option<Value> {
    (name == "closed").then(|| Value::Bool(e.closed.get()))
}

fn me<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a Epoll> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::Epoll(e) => Ok(e),
            _ => Err(vm.bug("an epoll method without an epoll object")),
        },
        _ => Err(vm.bug("an epoll method without an epoll object")),
    }
}

/// `epoll.close()`: closing twice is allowed.
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "epoll", "close")?;
    me(vm, &args)?.closed.set(true);
    Ok(Value::None)
}

/// `epoll.__enter__()`: the object itself, unless it is closed.
fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "epoll", "__enter__")?;
    if me(vm, &args)?.closed.get() {
        return Err(vm.value_error("I/O operation on closed epoll object"));
    }
    Ok(args.pos[0].clone())
}

/// `epoll.__exit__(exc_type=None, exc_value=None, exc_tb=None)`: `self.close()`, looked
/// up on the object as CPython's `PyObject_CallMethodObjArgs` does.
fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["exc_type", "exc_value", "exc_tb"];
    Spec::method("epoll", "__exit__", Style::Positional, params, 0).parse(vm, &args, 1)?;
    let close = vm.getattr(&args.pos[0], "close")?;
    vm.call0(&close)?;
    Ok(Value::None)
}

/// The epoll type's methods.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("epoll", "close", close),
    ("epoll", "__enter__", enter),
    ("epoll", "__exit__", exit),
];
