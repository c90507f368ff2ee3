//! `select` (CPython `Modules/selectmodule.c`): waiting for I/O on file descriptors. Its
//! int constants are CPython's on this machine (`cpython_names`), `error` is `OSError`,
//! and `epoll` is a type. What only checks arguments answers as CPython does — the
//! argument counts, `select`'s timeout and descriptor lists, `epoll`'s sizehint and
//! flags. `select` and `poll()`'s object wait on the VM's own descriptors (`pollobj`). An
//! epoll object ([`Epoll`]) has a descriptor of its own and watches the VM's sockets (a
//! `socketpair`'s) with the kernel's ready-list order (`runtime::streams`): what asyncio's
//! event loop needs.

use std::cell::Cell;
use std::rc::Rc;

use super::super::argspec::{no_args, Spec, Style};
use super::super::cpython_names;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::scratch::Fd;
use super::super::streams::{CtlError, EpollSet, EPOLLIN, EPOLLOUT, EPOLLPRI};
use super::super::types::Type;
use super::super::PyResult;
use super::fcntl::{c_int, file_descriptor};

const EPERM: i64 = 1;
const ENOENT: i64 = 2;
const EBADF: i64 = 9;
const EEXIST: i64 = 17;
const EINVAL: i64 = 22;

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

/// An epoll object: its descriptor, numbered among the scratch file system's as the
/// kernel numbers `epoll_create1`'s, and its lists (`streams::EpollSet`), which only the
/// VM's own descriptors can join (a socketpair's sockets).
#[derive(Debug)]
pub struct Epoll {
    fd: Cell<i64>,
    set: Rc<EpollSet>,
}

impl Drop for Epoll {
    /// `pyepoll_dealloc` closes the descriptor of an object freed open.
    fn drop(&mut self) {
        let fd = self.fd.get();
        if fd >= 0 {
            super::super::scratch::orphan_fd(fd);
        }
    }
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
    let set = Rc::new(EpollSet::default());
    vm.scratch.watchers.add(&set);
    let fd = vm.scratch.open_fd(Fd {
        epoll: Some(set.clone()),
        ..Fd::default()
    });
    Ok(Value::Native(Rc::new(Native::Epoll(Epoll {
        fd: Cell::new(fd),
        set,
    }))))
}

/// The epoll object's getset `closed`.
pub fn attr(e: &Epoll, name: &str) -> Option<Value> {
    (name == "closed").then(|| Value::Bool(e.fd.get() < 0))
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
    let fd = me(vm, &args)?.fd.replace(-1);
    if fd >= 0 && vm.scratch.fds.borrow().contains_key(&fd) {
        vm.scratch.close_fd(fd);
    }
    Ok(Value::None)
}

/// The object's descriptor; a closed object's ValueError.
fn open_fd(vm: &Vm, e: &Epoll) -> PyResult<i64> {
    match e.fd.get() {
        fd if fd >= 0 => Ok(fd),
        _ => Err(vm.value_error("I/O operation on closed epoll object")),
    }
}

/// `epoll.fileno()`.
fn fileno(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "epoll", "fileno")?;
    Ok(Value::Int(open_fd(vm, me(vm, &args)?)?))
}

fn os_error(vm: &Vm, errno: i64) -> super::super::Throw {
    let exc = super::super::oserror::from_errno(vm, errno, None);
    vm.raise(exc)
}

/// The registration's target: `fd` (an int or an object with `fileno()`) and what
/// epoll_ctl(2) says of it before looking at the set: EBADF for a descriptor not open,
/// EPERM for a regular file or a directory, EINVAL for the set itself.
fn target(vm: &mut Vm, epfd: i64, fd: &Value) -> PyResult<i64> {
    let fd = file_descriptor(vm, fd)?;
    let kind = vm
        .scratch
        .fds
        .borrow()
        .get(&fd)
        .map(|f| (f.stream.is_some(), f.epoll.is_some(), f.pipe.is_some()));
    match kind {
        Some((true, _, _)) => Ok(fd),
        Some((_, _, true)) => Err(vm.unsupported("epoll on a pipe's descriptor")),
        Some((_, true, _)) if fd == epfd => Err(os_error(vm, EINVAL)),
        Some((_, true, _)) => Err(vm.unsupported("an epoll object watching another")),
        Some(_) => Err(os_error(vm, EPERM)),
        None if fd < 0 => Err(os_error(vm, EBADF)),
        None => Err(vm.unsupported(format!(
            "epoll on the descriptor {fd} (not one the VM gave out)"
        ))),
    }
}

/// The poll mask of one of the VM's descriptors now.
fn mask_of(vm: &Vm, fd: i64) -> u32 {
    vm.scratch.stream(fd).map_or(0, |e| e.poll_mask())
}

/// The unsigned `eventmask` argument (`I` format: any int, wrapped to 32 bits).
fn eventmask(vm: &mut Vm, v: Option<Value>, default: u32) -> PyResult<u32> {
    let Some(v) = v else {
        return Ok(default);
    };
    match vm.number_index(&v)? {
        Value::Int(i) => Ok(i as u32),
        Value::Bool(b) => Ok(u32::from(b)),
        _ => Err(vm.unsupported("an epoll event mask beyond 64 bits")),
    }
}

fn ctl_result(vm: &Vm, r: Result<(), CtlError>) -> PyResult<Value> {
    match r {
        Ok(()) => Ok(Value::None),
        Err(CtlError::Exists) => Err(os_error(vm, EEXIST)),
        Err(CtlError::Missing) => Err(os_error(vm, ENOENT)),
    }
}

/// `epoll.register(fd, eventmask=EPOLLIN|EPOLLPRI|EPOLLOUT)`.
fn register(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, mask] = Spec::method(
        "epoll",
        "register",
        Style::Keywords,
        &["fd", "eventmask"],
        1,
    )
    .keywords(0, 2)
    .bind::<2>(vm, &args, 1)?;
    let e = me(vm, &args)?;
    let set = e.set.clone();
    let epfd = e.fd.get();
    let mask = eventmask(vm, mask, EPOLLIN | EPOLLPRI | EPOLLOUT)?;
    let epfd = open_fd_value(vm, epfd)?;
    let fd = target(vm, epfd, &fd.unwrap_or_default())?;
    let now = mask_of(vm, fd);
    ctl_result(vm, set.add(fd, mask, now))
}

/// `epoll.modify(fd, eventmask)`.
fn modify(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, mask] = Spec::method("epoll", "modify", Style::Keywords, &["fd", "eventmask"], 2)
        .keywords(0, 2)
        .bind::<2>(vm, &args, 1)?;
    let e = me(vm, &args)?;
    let set = e.set.clone();
    let epfd = open_fd_value(vm, e.fd.get())?;
    let mask = eventmask(vm, mask, 0)?;
    let fd = target(vm, epfd, &fd.unwrap_or_default())?;
    let now = mask_of(vm, fd);
    ctl_result(vm, set.modify(fd, mask, now))
}

/// `epoll.unregister(fd)`.
fn unregister(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::method("epoll", "unregister", Style::Keywords, &["fd"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 1)?;
    let e = me(vm, &args)?;
    let set = e.set.clone();
    let epfd = open_fd_value(vm, e.fd.get())?;
    let fd = target(vm, epfd, &fd.unwrap_or_default())?;
    ctl_result(vm, set.remove(fd))
}

fn open_fd_value(vm: &Vm, fd: i64) -> PyResult<i64> {
    if fd < 0 {
        return Err(vm.value_error("I/O operation on closed epoll object"));
    }
    Ok(fd)
}

/// `epoll.poll(timeout=None, maxevents=-1)`: the ready list's events now. With none,
/// a timeout is waited out (nothing else runs meanwhile, so none can come); no timeout
/// would wait for ever, which is unsupported.
fn poll_epoll(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [timeout, maxevents] = Spec::method(
        "epoll",
        "poll",
        Style::Keywords,
        &["timeout", "maxevents"],
        0,
    )
    .keywords(0, 2)
    .bind::<2>(vm, &args, 1)?;
    let e = me(vm, &args)?;
    let set = e.set.clone();
    let ms = match timeout.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => -1,
        Some(Value::Float(f)) if f.is_nan() => {
            return Err(vm.value_error("Invalid value NaN (not a number)"))
        }
        Some(Value::Float(f)) => timeout_ms(vm, *f)?,
        Some(Value::Int(i)) => timeout_ms(vm, *i as f64)?,
        Some(Value::Bool(b)) => timeout_ms(vm, f64::from(u8::from(*b)))?,
        _ => return Err(vm.type_error("timeout must be an integer or None")),
    };
    let maxevents = match maxevents {
        Some(m) => c_int(vm, &m)?,
        None => -1,
    };
    let max = match maxevents {
        -1 => FD_SETSIZE - 1,
        m if m < 1 => {
            return Err(vm.value_error(format!("maxevents must be greater than 0, got {m}")))
        }
        m => m,
    };
    open_fd_value(vm, e.fd.get())?;
    let ready = set.collect(usize::try_from(max).unwrap_or(1), |fd| mask_of(vm, fd));
    if ready.is_empty() {
        match ms {
            0 => {}
            ms if ms > 0 => std::thread::sleep(std::time::Duration::from_millis(ms.unsigned_abs())),
            _ => {
                return Err(vm.unsupported(
                    "epoll.poll that waits for ever (nothing else runs while it waits)",
                ))
            }
        }
    }
    let items = ready
        .into_iter()
        .map(|(fd, ev)| Value::Tuple(Rc::from(vec![Value::Int(fd), Value::Int(i64::from(ev))])))
        .collect();
    Ok(Value::list(items))
}

/// `_PyTime_FromSecondsObject` then `_PyTime_AsMilliseconds`, both rounding away from
/// zero (`_PyTime_ROUND_TIMEOUT`); a negative timeout waits for ever.
fn timeout_ms(vm: &Vm, secs: f64) -> PyResult<i64> {
    let ns = secs * 1e9;
    if ns.abs() >= 9.2e18 {
        return Err(vm.err(
            "OverflowError",
            "timestamp too large to convert to C _PyTime_t",
        ));
    }
    let ns = if ns >= 0.0 { ns.ceil() } else { ns.floor() } as i64;
    let ms = if ns >= 0 {
        (ns + 999_999) / 1_000_000
    } else {
        (ns - 999_999) / 1_000_000
    };
    if ms > i64::from(i32::MAX) || ms < i64::from(i32::MIN) {
        return Err(vm.err("OverflowError", "timeout is too large"));
    }
    Ok(if ms < 0 { -1 } else { ms })
}

/// `epoll.__enter__()`: the object itself, unless it is closed.
fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "epoll", "__enter__")?;
    if me(vm, &args)?.fd.get() < 0 {
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
    ("epoll", "fileno", fileno),
    ("epoll", "register", register),
    ("epoll", "modify", modify),
    ("epoll", "unregister", unregister),
    ("epoll", "poll", poll_epoll),
    ("epoll", "__enter__", enter),
    ("epoll", "__exit__", exit),
];
