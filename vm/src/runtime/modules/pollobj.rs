//! What `select.poll()` and `select.select()` wait on (CPython `Modules/selectmodule.c`),
//! over the VM's own descriptors: the ends of in-memory pipes (`runtime::pipes`) and
//! scratch files. A descriptor is ready as Linux's pipe_poll says: a reading end with
//! bytes (POLLIN), or whose writers have all closed (POLLHUP); a writing end with room
//! (POLLOUT), or whose readers have all closed (POLLERR); a regular file always.
//!
//! When nothing is ready, the virtual children that write to the pipes waited on run
//! (`runtime::process`), as the wait would let them; if still nothing is ready, a poll
//! with a timeout of zero answers nothing, and any other wait is unsupported (nothing
//! the VM runs would end it but the clock).

use std::cell::RefCell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::pipes::{Pipe, CAPACITY};
use super::super::PyResult;
use super::fcntl::file_descriptor;
use super::posix::children::pipe_of;

const POLLIN: u16 = 1;
const POLLPRI: u16 = 2;
const POLLOUT: u16 = 4;
const POLLERR: u16 = 8;
const POLLHUP: u16 = 16;
const POLLNVAL: u16 = 32;
const POLLRDNORM: u16 = 64;
const POLLWRNORM: u16 = 256;

/// A poll object: the registered descriptors and their event masks, in registration
/// order (CPython keeps them in a dict, and polls them in its order).
#[derive(Debug, Default)]
pub struct Poll {
    fds: RefCell<Vec<(i64, u16)>>,
}

/// `select.poll()`'s object.
pub fn new_poll() -> Value {
    Value::Native(Rc::new(Native::Poll(Poll::default())))
}

/// The events descriptor `fd` has now (before masking with what is asked), and its pipe
/// when it reads one.
fn events_of(vm: &Vm, fd: i64) -> PyResult<(u16, Option<Rc<Pipe>>)> {
    if let Some((pipe, write)) = pipe_of(vm, fd) {
        let mut ev = 0;
        if write {
            if pipe.available() < CAPACITY {
                ev |= POLLOUT | POLLWRNORM;
            }
            if pipe.readers_closed() {
                ev |= POLLERR;
            }
            return Ok((ev, None));
        }
        if pipe.available() > 0 {
            ev |= POLLIN | POLLRDNORM;
        }
        if pipe.writers_closed() {
            ev |= POLLHUP;
        }
        return Ok((ev, Some(pipe)));
    }
    // A socket: `unix_poll`'s mask (poll's bits are epoll's, on Linux).
    if let Some(end) = vm.scratch.stream(fd) {
        return Ok(((end.poll_mask() & 0xffff) as u16, None));
    }
    let epoll = vm.scratch.fds.borrow().get(&fd).map(|f| f.epoll.is_some());
    match epoll {
        Some(true) => return Err(vm.unsupported("polling an epoll object's descriptor")),
        Some(false) => return Ok((POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, None)),
        None => {}
    }
    if fd <= 2 {
        return Err(vm.unsupported(format!(
            "waiting on the standard stream {fd} (the VM's are not descriptors it polls)"
        )));
    }
    // No descriptor of the VM's world: not open.
    Ok((POLLNVAL, None))
}

/// Each of `wanted` (descriptor, events asked) with the events it has, after running the
/// children that would make a pipe ready, if none is; `block`: whether the caller waits.
/// `always`: the events reported whether asked or not (poll's POLLERR and POLLHUP).
fn ready(vm: &mut Vm, wanted: &[(i64, u16)], always: u16, block: bool) -> PyResult<Vec<u16>> {
    let check = |vm: &mut Vm| -> PyResult<(Vec<u16>, Vec<Rc<Pipe>>)> {
        let mut got = Vec::new();
        let mut pipes = Vec::new();
        for &(fd, asked) in wanted {
            let (ev, pipe) = events_of(vm, fd)?;
            got.push(ev & (asked | always));
            pipes.extend(pipe);
        }
        Ok((got, pipes))
    };
    let (got, pipes) = check(vm)?;
    if got.iter().any(|&e| e != 0) {
        return Ok(got);
    }
    if super::super::process::feed_all(vm, &pipes)? {
        let (got, _) = check(vm)?;
        if got.iter().any(|&e| e != 0) {
            return Ok(got);
        }
    }
    if block {
        return Err(vm.unsupported(
            "waiting on descriptors nothing the VM runs will make ready (only the clock \
             would end the wait)",
        ));
    }
    Ok(got)
}

fn me<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a Poll> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::Poll(p) => Ok(p),
            _ => Err(vm.bug("a poll method without a poll object")),
        },
        _ => Err(vm.bug("a poll method without a poll object")),
    }
}

/// The `unsigned short` event mask (`bitwise=True`: any int, its low 16 bits).
fn mask(vm: &mut Vm, v: Option<Value>, default: u16) -> PyResult<u16> {
    match v {
        None => Ok(default),
        Some(v) => match vm.try_index(&v)? {
            Some(Value::Int(i)) => Ok(i as u16),
            Some(_) => Err(vm.unsupported("a poll event mask beyond a C long")),
            None => {
                let n = vm.type_of(&v).name().clone();
                Err(vm.type_error(format!("'{n}' object cannot be interpreted as an integer")))
            }
        },
    }
}

/// `poll.register(fd, eventmask=POLLIN|POLLPRI|POLLOUT, /)`.
fn register(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, events] = Spec::method(
        "poll",
        "register",
        Style::Positional,
        &["fd", "eventmask"],
        1,
    )
    .bind::<2>(vm, &args, 1)?;
    let fd = file_descriptor(vm, &fd.unwrap_or_default())?;
    let events = mask(vm, events, POLLIN | POLLPRI | POLLOUT)?;
    let p = me(vm, &args)?;
    let mut fds = p.fds.borrow_mut();
    match fds.iter_mut().find(|(f, _)| *f == fd) {
        Some(entry) => entry.1 = events,
        None => fds.push((fd, events)),
    }
    Ok(Value::None)
}

/// `poll.modify(fd, eventmask, /)`: ENOENT for a descriptor not registered.
fn modify(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, events] = Spec::method("poll", "modify", Style::Positional, &["fd", "eventmask"], 2)
        .bind::<2>(vm, &args, 1)?;
    let fd = file_descriptor(vm, &fd.unwrap_or_default())?;
    let events = mask(vm, events, 0)?;
    let p = me(vm, &args)?;
    let mut fds = p.fds.borrow_mut();
    match fds.iter_mut().find(|(f, _)| *f == fd) {
        Some(entry) => entry.1 = events,
        None => {
            drop(fds);
            let exc = super::super::oserror::from_errno(vm, 2, None);
            return Err(vm.raise(exc));
        }
    }
    Ok(Value::None)
}

/// `poll.unregister(fd, /)`: KeyError for a descriptor not registered.
fn unregister(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::method("poll", "unregister", Style::O, &["fd"], 1).bind::<1>(vm, &args, 1)?;
    let fd = file_descriptor(vm, &fd.unwrap_or_default())?;
    let p = me(vm, &args)?;
    let mut fds = p.fds.borrow_mut();
    match fds.iter().position(|(f, _)| *f == fd) {
        Some(i) => {
            fds.remove(i);
            Ok(Value::None)
        }
        None => {
            drop(fds);
            let exc = vm.new_exception(&vm.ty("KeyError"), vec![Value::Int(fd)]);
            Err(vm.raise(exc))
        }
    }
}

/// `poll.poll(timeout=None, /)`: `(fd, events)` for each ready descriptor, in
/// registration order; the timeout in milliseconds (None or negative: no limit).
fn poll(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [timeout] =
        Spec::method("poll", "poll", Style::Positional, &["timeout"], 0).bind::<1>(vm, &args, 1)?;
    let block = match timeout.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => true,
        Some(Value::Int(i)) => *i != 0,
        Some(Value::Float(f)) => *f != 0.0,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            let t = timeout.unwrap_or_default();
            let n = vm.type_of(&t).name().clone();
            return Err(vm.type_error(format!("'{n}' object cannot be interpreted as an integer")));
        }
    };
    let wanted = me(vm, &args)?.fds.borrow().clone();
    let got = ready(vm, &wanted, POLLERR | POLLHUP | POLLNVAL, block)?;
    let out = wanted
        .iter()
        .zip(got)
        .filter(|(_, e)| *e != 0)
        .map(|(&(fd, _), e)| Value::tuple(vec![Value::Int(fd), Value::Int(i64::from(e))]))
        .collect();
    Ok(Value::list(out))
}

/// `select.select`'s wait once its arguments are checked: the items of each list whose
/// descriptor is ready to read, to write, or has an exceptional condition (none for
/// pipes and files); `block`: the timeout is not zero.
pub fn select_ready(vm: &mut Vm, lists: [Vec<Value>; 3], block: bool) -> PyResult<Value> {
    const READ: u16 = POLLIN | POLLRDNORM | POLLHUP | POLLERR;
    const WRITE: u16 = POLLOUT | POLLWRNORM | POLLERR;
    let [r, w, x] = lists;
    let mut wanted = Vec::new();
    for (items, events) in [(&r, READ), (&w, WRITE), (&x, POLLPRI)] {
        for item in items {
            wanted.push((file_descriptor(vm, item)?, events));
        }
    }
    let got = ready(vm, &wanted, POLLNVAL, block)?;
    if got.iter().any(|&e| e & POLLNVAL != 0) {
        // `select` on a descriptor that is not open: EBADF.
        let exc = super::super::oserror::from_errno(vm, 9, None);
        return Err(vm.raise(exc));
    }
    let mut got = got.into_iter();
    let mut pick = |items: Vec<Value>| -> Value {
        let kept = items
            .into_iter()
            .filter(|_| got.next().is_some_and(|e| e != 0))
            .collect();
        Value::list(kept)
    };
    let (r, w, x) = (pick(r), pick(w), pick(x));
    Ok(Value::tuple(vec![r, w, x]))
}

/// The poll type's methods.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("poll", "register", register),
    ("poll", "modify", modify),
    ("poll", "unregister", unregister),
    ("poll", "poll", poll),
];
