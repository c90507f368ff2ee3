//! `_socket.socket` objects (CPython `Modules/socketmodule.c`'s PySocketSockObject) and
//! `_socket.socketpair`. The sandbox has no network: the one way to get a socket is a
//! connected AF_UNIX stream pair, held in memory (`runtime::streams`), which is what
//! asyncio's event loop makes for its self-pipe. Its descriptors are numbered among the
//! scratch file system's, as the kernel numbers them. Making a socket any other way
//! (`socket(AF_INET)`, a host descriptor) and the methods that need an address or the
//! network stay unsupported.
//!
//! Waiting is the one thing a single-threaded run cannot do: a blocking read of an empty
//! socket would never return, so it is unsupported; with a timeout the VM waits it out
//! (nothing else can write meanwhile) and raises CPython's TimeoutError.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::super::argspec::{Spec, Style};
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::oserror;
use super::super::scratch::Fd;
use super::super::streams::{Blocked, End, WAKE_ALL, WAKE_READ, WAKE_WRITE};
use super::super::types::Type;
use super::super::PyResult;

const AF_UNIX: i64 = 1;
const AF_INET: i64 = 2;
const AF_INET6: i64 = 10;
const SOCK_STREAM: i64 = 1;
const SOCK_NONBLOCK: i64 = 0o4000;
const SOCK_CLOEXEC: i64 = 0o2000000;

const EBADF: i64 = 9;
const EAGAIN: i64 = 11;
const EINVAL: i64 = 22;
const EPIPE: i64 = 32;
const ENOTSOCK: i64 = 88;
const EPROTONOSUPPORT: i64 = 93;
const EOPNOTSUPP: i64 = 95;

/// A socket object's state: `sock_fd`, `sock_family`, `sock_type`, `sock_proto` and
/// `sock_timeout` (nanoseconds; -1 blocking without a timeout, 0 non-blocking).
#[derive(Debug)]
pub struct Socket {
    fd: Cell<i64>,
    family: Cell<i64>,
    kind: Cell<i64>,
    proto: Cell<i64>,
    timeout: Cell<i64>,
}

impl Default for Socket {
    /// `sock_new`: no descriptor yet, blocking.
    fn default() -> Self {
        Socket {
            fd: Cell::new(-1),
            family: Cell::new(AF_INET),
            kind: Cell::new(SOCK_STREAM),
            proto: Cell::new(0),
            timeout: Cell::new(-1),
        }
    }
}

thread_local! {
    /// Every socket object of the run, for the check at exit.
    static ALL: RefCell<Vec<Weak<Socket>>> = const { RefCell::new(Vec::new()) };
}

/// A new socket object of class `cls` (the type itself or socket.py's subclass).
pub fn new_for(cls: &Rc<Type>) -> Value {
    let s = Rc::new(Socket::default());
    ALL.with(|a| {
        let mut a = a.borrow_mut();
        a.retain(|w| w.strong_count() > 0);
        a.push(Rc::downgrade(&s));
    });
    super::super::finalize::class_has_del();
    super::super::subclass::with_payload(cls, Value::Native(Rc::new(Native::Socket(s))))
}

/// At the end of a run: a socket still open would be finalised by CPython's shutdown,
/// with a ResourceWarning that the filters of that moment show or not.
pub fn open_at_exit() -> bool {
    ALL.with(|a| {
        a.borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .any(|s| s.fd.get() != -1)
    })
}

fn of(v: &Value) -> Option<Rc<Socket>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Socket(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args) -> PyResult<Rc<Socket>> {
    args.pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("a socket method without a socket"))
}

fn os_error(vm: &Vm, errno: i64) -> super::super::Throw {
    let exc = oserror::from_errno(vm, errno, None);
    vm.raise(exc)
}

/// `init_sockobject`: the type without its flags, and the timeout SOCK_NONBLOCK or the
/// default timeout gives.
fn init(vm: &Vm, s: &Socket, fd: i64, family: i64, kind: i64, proto: i64) {
    s.fd.set(fd);
    s.family.set(family);
    s.kind.set(kind & !(SOCK_NONBLOCK | SOCK_CLOEXEC));
    s.proto.set(proto);
    s.timeout.set(if kind & SOCK_NONBLOCK != 0 {
        0
    } else {
        vm.socket_timeout
    });
}

/// A socket's side of its connection; EBADF once closed or detached.
fn end_of(vm: &Vm, s: &Socket) -> PyResult<(i64, End)> {
    let fd = s.fd.get();
    match vm.scratch.stream(fd) {
        Some(e) => Ok((fd, e)),
        None if fd == -1 => Err(os_error(vm, EBADF)),
        None => Err(vm.bug("a socket whose descriptor is not a socket's")),
    }
}

/// `socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0, /)`.
pub fn socketpair(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [family, kind, proto] = Spec::function(
        "socketpair",
        Style::ParseTuple,
        &["family", "type", "proto"],
        0,
    )
    .bind::<3>(vm, &args, 0)?;
    let mut int = |v: Option<Value>, d: i64| -> PyResult<i64> {
        match v {
            Some(v) => super::fcntl::c_int(vm, &v),
            None => Ok(d),
        }
    };
    let family = int(family, AF_UNIX)?;
    let kind = int(kind, SOCK_STREAM)?;
    let proto = int(proto, 0)?;
    if family == AF_INET || family == AF_INET6 {
        return Err(os_error(vm, EOPNOTSUPP));
    }
    if family != AF_UNIX || kind & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != SOCK_STREAM {
        return Err(vm.unsupported(format!(
            "_socket.socketpair({family}, {kind}): only AF_UNIX stream pairs are modelled"
        )));
    }
    if proto != 0 && proto != AF_UNIX {
        return Err(os_error(vm, EPROTONOSUPPORT));
    }
    let (a, b) = End::pair();
    let mut out = Vec::new();
    for end in [a, b] {
        let fd = vm.scratch.open_fd(Fd {
            readable: true,
            writable: true,
            stream: Some(end),
            ..Fd::default()
        });
        let obj = new_for(&vm.ty("socket"));
        if let Some(s) = of(&obj) {
            init(vm, &s, fd, family, kind, proto);
        }
        out.push(obj);
    }
    Ok(Value::Tuple(Rc::from(out)))
}

/// `_socket.socket(...)` called: `sock_new`, then `sock_initobj`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init_method(vm, args)?;
    Ok(me)
}

fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::subclass::tp_new_wrapper(vm, &args, "socket", "socket", new_for)
}

/// `socket.__init__(family=-1, type=-1, proto=-1, fileno=None)`: only an existing
/// socket descriptor can be wrapped (socket.py's `socketpair` and `fromfd` paths).
fn init_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [family, kind, proto, fileno] = Spec::function(
        "socket",
        Style::ParseTuple,
        &["family", "type", "proto", "fileno"],
        0,
    )
    .keywords(0, 4)
    .bind::<4>(vm, &args, 1)?;
    let mut int = |v: Option<Value>| -> PyResult<i64> {
        match v {
            Some(v) => super::fcntl::c_int(vm, &v),
            None => Ok(-1),
        }
    };
    let family = int(family)?;
    let kind = int(kind)?;
    let proto = int(proto)?;
    let fd = match fileno {
        None | Some(Value::None) => return Err(vm.unsupported(
            "making a socket (the VM is a sandbox: it has no network; socketpair() is modelled)",
        )),
        Some(v) => match v.builtin_value() {
            Value::Int(i) => *i,
            Value::Bool(b) => i64::from(*b),
            _ => {
                let n = vm.type_of(&v).name().clone();
                return Err(
                    vm.type_error(format!("'{n}' object cannot be interpreted as an integer"))
                );
            }
        },
    };
    if fd < 0 {
        return Err(vm.value_error("negative file descriptor"));
    }
    let known = vm.scratch.fds.borrow().contains_key(&fd);
    if !known {
        return Err(vm.unsupported(format!(
            "a socket of the descriptor {fd} (not one the VM gave out)"
        )));
    }
    if vm.scratch.stream(fd).is_none() {
        // getsockname(2) on a descriptor that is not a socket.
        return Err(os_error(vm, ENOTSOCK));
    }
    let family = if family == -1 { AF_UNIX } else { family };
    let kind = if kind == -1 { SOCK_STREAM } else { kind };
    let proto = if proto == -1 { 0 } else { proto };
    init(vm, &s, fd, family, kind, proto);
    Ok(Value::None)
}

/// `sock_finalize`: an open socket is reported (a ResourceWarning, "unclosed %R") and
/// closed.
fn del(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    if s.fd.get() == -1 {
        return Ok(Value::None);
    }
    let this = args.pos[0].clone();
    let warned = vm.repr(&this).and_then(|shown| {
        let msg = format!("unclosed {shown}");
        super::warnings::warn_native_source(vm, "ResourceWarning", msg, this.clone())
    });
    match warned {
        Ok(()) => {}
        // Only a warning turned error is reported ("spurious errors can appear at
        // shutdown"); any other error is dropped.
        Err(super::super::Throw::Exc(e) | super::super::Throw::Reraise(e)) => {
            if vm.type_of(&e).is_subtype(&vm.ty("Warning")) {
                super::super::unraisable::write_unraisable(vm, &e, None, this)?;
            }
        }
        Err(other) => return Err(other),
    }
    close_fd(vm, &s);
    Ok(Value::None)
}

fn close_fd(vm: &Vm, s: &Socket) {
    let fd = s.fd.replace(-1);
    if fd != -1 && vm.scratch.fds.borrow().contains_key(&fd) {
        vm.scratch.close_fd(fd);
    }
}

/// `close()`: the descriptor goes; closing twice is allowed.
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("socket", "close", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let s = me(vm, &args)?;
    close_fd(vm, &s);
    Ok(Value::None)
}

/// `detach()`: the descriptor, which stays open, and the object forgets it.
fn detach(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("socket", "detach", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    Ok(Value::Int(me(vm, &args)?.fd.replace(-1)))
}

fn fileno(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("socket", "fileno", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    Ok(Value::Int(me(vm, &args)?.fd.get()))
}

/// `getblocking()`: False only for a non-blocking socket (timeout 0).
fn getblocking(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("socket", "getblocking", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    Ok(Value::Bool(me(vm, &args)?.timeout.get() != 0))
}

fn gettimeout(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("socket", "gettimeout", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    Ok(super::socket::timeout_value(me(vm, &args)?.timeout.get()))
}

/// `setblocking(flag)`: `internal_setblocking` fails on a closed socket.
fn setblocking(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [flag] =
        Spec::method("socket", "setblocking", Style::O, &["flag"], 1).bind::<1>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let blocking = vm.truthy(&flag.unwrap_or_default())?;
    s.timeout.set(if blocking { -1 } else { 0 });
    end_of(vm, &s)?;
    Ok(Value::None)
}

/// `settimeout(value)`.
fn settimeout(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [t] =
        Spec::method("socket", "settimeout", Style::O, &["value"], 1).bind::<1>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let t = super::socket::parse_timeout(vm, &t.unwrap_or_default())?;
    s.timeout.set(t);
    end_of(vm, &s)?;
    Ok(Value::None)
}

/// The `flags` argument of `recv` and `send`: 0 is modelled; MSG_OOB is EINVAL on a
/// Unix socket; the others change what is read or whether it waits.
fn flags(vm: &mut Vm, v: Option<Value>, what: &str) -> PyResult<()> {
    let f = match v {
        Some(v) => super::fcntl::c_int(vm, &v)?,
        None => 0,
    };
    match f {
        0 => Ok(()),
        1 => Err(os_error(vm, EINVAL)),
        _ => Err(vm.unsupported(format!("socket.{what} with the flags {f:#x}"))),
    }
}

/// What waiting for `end` to become ready would end in: with a timeout, the VM waits
/// it out and raises CPython's TimeoutError; without one it would never return.
fn wait(vm: &Vm, s: &Socket, what: &str) -> super::super::Throw {
    match s.timeout.get() {
        0 => os_error(vm, EAGAIN),
        t if t > 0 => {
            std::thread::sleep(std::time::Duration::from_nanos(t.unsigned_abs()));
            vm.err("TimeoutError", "timed out")
        }
        _ => vm.unsupported(format!(
            "socket.{what} that waits for ever (nothing else runs while it waits)"
        )),
    }
}

/// `recv(bufsize[, flags])`.
fn recv(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n, fl] = Spec::method(
        "socket",
        "recv",
        Style::ParseTuple,
        &["bufsize", "flags"],
        1,
    )
    .bind::<2>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let n = super::socket::ssize_t(vm, &n.unwrap_or_default())?;
    if n < 0 {
        return Err(vm.value_error("negative buffersize in recv"));
    }
    flags(vm, fl, "recv")?;
    let (_, end) = end_of(vm, &s)?;
    match end.recv(usize::try_from(n).unwrap_or(usize::MAX)) {
        Ok(data) => {
            if !data.is_empty() {
                vm.scratch.wake_end(&end.other(), WAKE_WRITE);
            }
            Ok(Value::Bytes(Rc::from(data)))
        }
        Err(_) => Err(wait(vm, &s, "recv")),
    }
}

/// Queues `data`, as `send` does for one call.
fn send_bytes(vm: &mut Vm, s: &Socket, data: &[u8], what: &str) -> PyResult<usize> {
    let (_, end) = end_of(vm, s)?;
    match end.send(data) {
        Ok(k) => {
            if k > 0 {
                vm.scratch.wake_end(&end.other(), WAKE_READ);
            }
            Ok(k)
        }
        Err(Blocked::Pipe) => Err(os_error(vm, EPIPE)),
        Err(_) => Err(vm.unsupported(format!(
            "socket.{what} of more than {} bytes waiting to be read (how much a socket \
             takes depends on the host)",
            super::super::streams::QUEUE_LIMIT
        ))),
    }
}

/// `send(data[, flags])`.
fn send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, fl] = Spec::method("socket", "send", Style::ParseTuple, &["data", "flags"], 1)
        .bind::<2>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let data = super::super::methods::bytes::need_buffer(vm, &data.unwrap_or_default())?;
    flags(vm, fl, "send")?;
    let k = send_bytes(vm, &s, &data, "send")?;
    Ok(Value::Int(k as i64))
}

/// `sendall(data[, flags])`.
fn sendall(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, fl] = Spec::method(
        "socket",
        "sendall",
        Style::ParseTuple,
        &["data", "flags"],
        1,
    )
    .bind::<2>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let data = super::super::methods::bytes::need_buffer(vm, &data.unwrap_or_default())?;
    flags(vm, fl, "sendall")?;
    send_bytes(vm, &s, &data, "sendall")?;
    Ok(Value::None)
}

/// `shutdown(how)`: SHUT_RD, SHUT_WR or SHUT_RDWR; anything else is EINVAL.
fn shutdown(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [how] =
        Spec::method("socket", "shutdown", Style::O, &["how"], 1).bind::<1>(vm, &args, 1)?;
    let s = me(vm, &args)?;
    let how = super::fcntl::c_int(vm, &how.unwrap_or_default())?;
    let (_, end) = end_of(vm, &s)?;
    if !(0..=2).contains(&how) {
        return Err(os_error(vm, EINVAL));
    }
    end.shutdown(how);
    vm.scratch.wake_end(&end, WAKE_ALL);
    vm.scratch.wake_end(&end.other(), WAKE_ALL);
    Ok(Value::None)
}

/// `getsockname()` and `getpeername()`: a socketpair's sockets have no name, which
/// `makesockaddr` gives as the empty string.
fn sockname(vm: &mut Vm, args: Args, method: &str) -> PyResult<Value> {
    Spec::method("socket", method, Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let s = me(vm, &args)?;
    end_of(vm, &s)?;
    Ok(Value::str(""))
}

fn getsockname(vm: &mut Vm, args: Args) -> PyResult<Value> {
    sockname(vm, args, "getsockname")
}

fn getpeername(vm: &mut Vm, args: Args) -> PyResult<Value> {
    sockname(vm, args, "getpeername")
}

/// Whether `o`'s finalizer is the socket type's own `sock_finalize`: what it does at
/// exit is [`open_at_exit`]'s question.
pub fn socket_finalizer(vm: &Vm, o: &super::super::object::Instance) -> bool {
    let own = vm.ty("socket").dict.get_str("__del__");
    let del = o.class.borrow().lookup("__del__");
    matches!((own, del), (Some(a), Some(b)) if a.is(&b))
}

/// `sock_repr`.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    Ok(Value::str(&format!(
        "<socket object, fd={}, family={}, type={}, proto={}>",
        s.fd.get(),
        s.family.get(),
        s.kind.get(),
        s.proto.get()
    )))
}

/// The members `family`, `type`, `proto` and the getset `timeout`.
pub fn attr(s: &Socket, name: &str) -> Option<Value> {
    Some(match name {
        "family" => Value::Int(s.family.get()),
        "type" => Value::Int(s.kind.get()),
        "proto" => Value::Int(s.proto.get()),
        "timeout" => super::socket::timeout_value(s.timeout.get()),
        _ => return None,
    })
}

/// What the socket object does that the sandbox cannot: the methods that bind,
/// connect, listen, take options or addresses.
fn unsupported(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported(
        "this method of a socket (the VM is a sandbox: it has no network; only a \
         socketpair's reading, writing and shutting down are modelled)",
    ))
}

/// The socket type's methods, in CPython's order.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("socket", "__new__", new_method),
    ("socket", "__init__", init_method),
    ("socket", "__del__", del),
    ("socket", "__repr__", repr),
    ("socket", "_accept", unsupported),
    ("socket", "bind", unsupported),
    ("socket", "close", close),
    ("socket", "connect", unsupported),
    ("socket", "connect_ex", unsupported),
    ("socket", "detach", detach),
    ("socket", "fileno", fileno),
    ("socket", "getblocking", getblocking),
    ("socket", "getpeername", getpeername),
    ("socket", "getsockname", getsockname),
    ("socket", "getsockopt", unsupported),
    ("socket", "gettimeout", gettimeout),
    ("socket", "listen", unsupported),
    ("socket", "recv", recv),
    ("socket", "recv_into", unsupported),
    ("socket", "recvfrom", unsupported),
    ("socket", "recvfrom_into", unsupported),
    ("socket", "recvmsg", unsupported),
    ("socket", "recvmsg_into", unsupported),
    ("socket", "send", send),
    ("socket", "sendall", sendall),
    ("socket", "sendmsg", unsupported),
    ("socket", "sendmsg_afalg", unsupported),
    ("socket", "sendto", unsupported),
    ("socket", "setblocking", setblocking),
    ("socket", "setsockopt", unsupported),
    ("socket", "settimeout", settimeout),
    ("socket", "shutdown", shutdown),
];
