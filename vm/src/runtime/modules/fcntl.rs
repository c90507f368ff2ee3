//! `fcntl` (CPython `Modules/fcntlmodule.c`): file control and I/O control on file
//! descriptors. Its int constants are CPython's on this machine (`cpython_names`); its four
//! functions check their arguments as CPython's do (the count, the descriptor as
//! `PyObject_AsFileDescriptor` reads it, the C int command) and are then unsupported: each
//! acts on a descriptor of the process, which the sandbox does not have.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::cpython_names;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::{PyResult, Throw};

/// CPython's `fcntl.__doc__`.
const DOC: &str = "This module performs file control and I/O control on file
descriptors.  It is an interface to the fcntl() and ioctl() Unix
routines.  File descriptors can be obtained with the fileno() method of
a file or socket object.";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "fcntl", FUNCTIONS);
    for &(name, v) in cpython_names::FCNTL_INTS {
        d.set_str(name, Value::Int(v));
    }
}

/// The module's functions, in CPython's order; every one reaches the system, so the
/// differential table of natives leaves them all out (`super::sandboxed`).
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("fcntl", fcntl),
    ("ioctl", ioctl),
    ("flock", flock),
    ("lockf", lockf),
];

/// The end of every call whose arguments are valid.
fn system(vm: &Vm, name: &str) -> Throw {
    vm.unsupported(format!(
        "fcntl.{name} (the VM is a sandbox: it has no file descriptors to control)"
    ))
}

/// `fcntl(fd, cmd, arg=0, /)`.
fn fcntl(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, cmd, _] = Spec::method(
        "fcntl",
        "fcntl",
        Style::Positional,
        &["fd", "cmd", "arg"],
        2,
    )
    .bind::<3>(vm, &args, 0)?;
    file_descriptor(vm, &fd.unwrap_or_default())?;
    c_int(vm, &cmd.unwrap_or_default())?;
    Err(system(vm, "fcntl"))
}

/// `ioctl(fd, request, arg=0, mutate_flag=True, /)`.
fn ioctl(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["fd", "request", "arg", "mutate_flag"];
    let [fd, _, _, _] =
        Spec::method("fcntl", "ioctl", Style::Positional, params, 2).bind::<4>(vm, &args, 0)?;
    file_descriptor(vm, &fd.unwrap_or_default())?;
    Err(system(vm, "ioctl"))
}

/// `flock(fd, operation, /)`.
fn flock(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, op] = Spec::method("fcntl", "flock", Style::Positional, &["fd", "operation"], 2)
        .bind::<2>(vm, &args, 0)?;
    file_descriptor(vm, &fd.unwrap_or_default())?;
    c_int(vm, &op.unwrap_or_default())?;
    Err(system(vm, "flock"))
}

/// `lockf(fd, cmd, len=0, start=0, whence=0, /)`.
fn lockf(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["fd", "cmd", "len", "start", "whence"];
    let [fd, cmd, _, _, _] =
        Spec::method("fcntl", "lockf", Style::Positional, params, 2).bind::<5>(vm, &args, 0)?;
    file_descriptor(vm, &fd.unwrap_or_default())?;
    c_int(vm, &cmd.unwrap_or_default())?;
    Err(system(vm, "lockf"))
}

/// `PyObject_AsFileDescriptor` (Objects/fileobject.c): an int, or what the object's
/// `fileno()` returns, as a C int that must not be negative.
pub fn file_descriptor(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let fd = match v.builtin_value() {
        n @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => c_int(vm, n)?,
        _ => match super::io::lookup_attr(vm, v, "fileno")? {
            Some(meth) => {
                let r = vm.call0(&meth)?;
                match r.builtin_value() {
                    n @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => c_int(vm, n)?,
                    _ => return Err(vm.type_error("fileno() returned a non-integer")),
                }
            }
            None => {
                return Err(vm.type_error("argument must be an int, or have a fileno() method."))
            }
        },
    };
    if fd < 0 {
        return Err(vm.value_error(format!(
            "file descriptor cannot be a negative integer ({fd})"
        )));
    }
    Ok(fd)
}

/// `_PyLong_AsInt` of an argument (Argument Clinic's `int` converter).
pub fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    vm.c_int(v).map(i64::from)
}
