//! posix's pipes and child processes over the VM's own (`runtime::pipes`,
//! `runtime::process`): `pipe`/`pipe2` give descriptors of an in-memory pipe, which
//! `read`, `write`, `close` and `fstat` (`scratchfs`) serve through [`read_pipe`] and
//! [`write_pipe`]; `waitpid` and `kill` act on the virtual children `fork_exec` started;
//! the wait-status macros (`WIFEXITED`, …) and `waitstatus_to_exitcode` read a status as
//! Linux's <sys/wait.h> does.

use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, NativeFn, Value};
use super::super::super::oserror;
use super::super::super::pipes::{Pipe, CAPACITY};
use super::super::super::process;
use super::super::super::scratch::Fd;
use super::super::super::PyResult;

/// The functions that reach the pipes and children.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("pipe", pipe),
    ("pipe2", pipe2),
    ("waitpid", waitpid),
    ("kill", kill),
];

/// The wait-status functions: pure, so the differential table of natives calls them.
pub const PURE: &[(&str, NativeFn)] = &[
    ("WCOREDUMP", wcoredump),
    ("WEXITSTATUS", wexitstatus),
    ("WIFCONTINUED", wifcontinued),
    ("WIFEXITED", wifexited),
    ("WIFSIGNALED", wifsignaled),
    ("WIFSTOPPED", wifstopped),
    ("WSTOPSIG", wstopsig),
    ("WTERMSIG", wtermsig),
    ("waitstatus_to_exitcode", waitstatus_to_exitcode),
];

const EPIPE: i64 = 32;
const EBADF: i64 = 9;
const ECHILD: i64 = 10;
/// pipe2's flags that change nothing the sandbox shows: O_NONBLOCK is refused below
/// (a read would raise BlockingIOError where the VM runs the writer), O_CLOEXEC (no exec
/// but the VM's own, which keeps only the standard streams).
const O_CLOEXEC: i64 = 0o2000000;
const O_NONBLOCK: i64 = 0o4000;
const O_DIRECT: i64 = 0o40000;

/// A new pipe's two descriptors, reading end first.
fn new_pipe(vm: &mut Vm) -> Value {
    let (r, w) = Pipe::open(vm.scratch.ino());
    let fd = |end| Fd {
        file: None,
        dir: None,
        pos: 0,
        readable: false,
        writable: false,
        append: false,
        pipe: Some(end),
        ..Fd::default()
    };
    let rfd = vm.scratch.open_fd(Fd {
        readable: true,
        ..fd(r)
    });
    let wfd = vm.scratch.open_fd(Fd {
        writable: true,
        ..fd(w)
    });
    Value::tuple(vec![Value::Int(rfd), Value::Int(wfd)])
}

/// `pipe()`.
fn pipe(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("posix", "pipe", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(new_pipe(vm))
}

/// `pipe2(flags, /)`.
fn pipe2(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [flags] =
        Spec::function("pipe2", Style::Positional, &["flags"], 1).bind::<1>(vm, &args, 0)?;
    let flags = i64::from(vm.c_int(&flags.unwrap_or_default())?);
    if flags & (O_NONBLOCK | O_DIRECT) != 0 {
        return Err(vm.unsupported("posix.pipe2 with O_NONBLOCK or O_DIRECT"));
    }
    if flags & !O_CLOEXEC != 0 {
        let exc = oserror::from_errno(vm, 22, None);
        return Err(vm.raise(exc));
    }
    Ok(new_pipe(vm))
}

/// The pipe behind descriptor `fd` and whether it is the writing end, if `fd` is a
/// pipe's.
pub fn pipe_of(vm: &Vm, fd: i64) -> Option<(Rc<Pipe>, bool)> {
    let fds = vm.scratch.fds.borrow();
    let end = fds.get(&fd)?.pipe.as_ref()?;
    Some((end.pipe.clone(), end.write))
}

/// `read(fd, length)` of a pipe: what it holds, up to `length`; b"" once it is empty and
/// every writer has closed. An empty pipe is first given to the children that write to
/// it; one nothing will write to would block CPython forever.
pub fn read_pipe(vm: &mut Vm, pipe: &Rc<Pipe>, write_end: bool, length: usize) -> PyResult<Value> {
    if write_end && !pipe.null {
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    }
    wait_readable(vm, pipe, std::slice::from_ref(pipe))?;
    Ok(Value::Bytes(Rc::from(pipe.take(length))))
}

/// Makes a read of `pipe` possible without blocking: runs the children that write to it
/// (`watched`: the pipes the reader takes from meanwhile); unsupported when it would
/// still block.
pub fn wait_readable(vm: &mut Vm, pipe: &Rc<Pipe>, watched: &[Rc<Pipe>]) -> PyResult<()> {
    process::feed(vm, pipe, watched)?;
    if pipe.available() == 0 && !pipe.writers_closed() {
        return Err(vm.unsupported(
            "reading an empty pipe whose writer is still open and that nothing the VM runs \
             will write to (CPython would wait forever)",
        ));
    }
    Ok(())
}

/// `write(fd, data)` of a pipe: all of it (EPIPE once every reader has closed). More than
/// a pipe holds, with no child to read it, would block CPython forever.
pub fn write_pipe(vm: &mut Vm, pipe: &Rc<Pipe>, write_end: bool, data: &[u8]) -> PyResult<Value> {
    if !write_end && !pipe.null {
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    }
    if pipe.readers_closed() {
        let exc = oserror::from_errno(vm, EPIPE, None);
        return Err(vm.raise(exc));
    }
    if pipe.available() + data.len() > CAPACITY && !process::reads(vm, pipe) {
        return Err(vm.unsupported(
            "writing more than a pipe holds with no reader running (CPython would wait)",
        ));
    }
    pipe.put(data);
    Ok(Value::Int(data.len() as i64))
}

/// The `stat_result` of a pipe's descriptor: a FIFO (S_IFIFO, mode 0o600) of one link.
pub fn pipe_stat(vm: &Vm, pipe: &Pipe) -> PyResult<Value> {
    if pipe.null {
        return Err(vm.unsupported("posix.fstat of /dev/null (a device of the host)"));
    }
    Ok(super::entry_stat(vm, 0o010_600, 0, pipe.ino, 1, 0))
}

/// `open("/dev/null", flags)`: a descriptor of the null device (what
/// `subprocess.DEVNULL` opens), readable and writable as `flags` say.
pub fn open_null(vm: &Vm, readable: bool, writable: bool) -> Value {
    let fd = Fd {
        file: None,
        dir: None,
        pos: 0,
        readable,
        writable,
        append: false,
        pipe: Some(Pipe::null()),
        ..Fd::default()
    };
    Value::Int(vm.scratch.open_fd(fd))
}

/// `waitpid(pid, options, /)`: a virtual child's pid and wait status, once it has ended
/// (it runs now if it has not). A pid that is not a child: ECHILD (ChildProcessError).
fn waitpid(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [pid, options] = Spec::function("waitpid", Style::Positional, &["pid", "options"], 2)
        .bind::<2>(vm, &args, 0)?;
    let pid = i64::from(vm.c_int(&pid.unwrap_or_default())?);
    let options = vm.c_int(&options.unwrap_or_default())?;
    if pid < -1 || pid == 0 {
        return Err(vm.unsupported("posix.waitpid of a process group"));
    }
    const WNOHANG: i32 = 1;
    if options & !WNOHANG != 0 {
        return Err(vm.unsupported("posix.waitpid with options other than WNOHANG"));
    }
    match process::wait(vm, pid, options & WNOHANG != 0)? {
        Some((pid, status)) => Ok(Value::tuple(vec![Value::Int(pid), Value::Int(status)])),
        None => {
            let exc = oserror::from_errno(vm, ECHILD, None);
            Err(vm.raise(exc))
        }
    }
}

/// `kill(pid, signal, /)` of a virtual child; any other process is beyond the sandbox.
fn kill(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [pid, sig] =
        Spec::function("kill", Style::Positional, &["pid", "signal"], 2).bind::<2>(vm, &args, 0)?;
    let pid = i64::from(vm.c_int(&pid.unwrap_or_default())?);
    let sig = i64::from(vm.c_int(&sig.unwrap_or_default())?);
    if !process::kill(vm, pid, sig) {
        return Err(vm.unsupported(
            "posix.kill of a process other than the VM's children (the VM is a sandbox)",
        ));
    }
    Ok(Value::None)
}

/// The C int `status` argument of the wait-status functions.
fn status(vm: &mut Vm, args: &Args, name: &str) -> PyResult<i32> {
    // WCOREDUMP alone takes its status positionally (`status, /`).
    let spec = match name {
        "WCOREDUMP" => Spec::method("posix", name, Style::O, &["status"], 1),
        _ => Spec::function(name, Style::Keywords, &["status"], 1).keywords(0, 1),
    };
    let [s] = spec.bind::<1>(vm, args, 0)?;
    vm.c_int(&s.unwrap_or_default())
}

macro_rules! wait_macro {
    ($($fname:ident, $name:literal, $f:expr;)*) => {
        $(
            #[doc = concat!("`", $name, "(status)` as <sys/wait.h> defines it on Linux.")]
            fn $fname(vm: &mut Vm, args: Args) -> PyResult<Value> {
                let s = status(vm, &args, $name)?;
                let f: fn(i32) -> Value = $f;
                Ok(f(s))
            }
        )*
    };
}

wait_macro! {
    wcoredump, "WCOREDUMP", |s| Value::Bool(s & 0x80 != 0);
    wexitstatus, "WEXITSTATUS", |s| Value::Int(i64::from((s >> 8) & 0xff));
    wifcontinued, "WIFCONTINUED", |s| Value::Bool(s == 0xffff);
    wifexited, "WIFEXITED", |s| Value::Bool(s & 0x7f == 0);
    wifsignaled, "WIFSIGNALED", |s| Value::Bool(signaled(s));
    wifstopped, "WIFSTOPPED", |s| Value::Bool(s & 0xff == 0x7f);
    wstopsig, "WSTOPSIG", |s| Value::Int(i64::from((s >> 8) & 0xff));
    wtermsig, "WTERMSIG", |s| Value::Int(i64::from(s & 0x7f));
}

/// `WIFSIGNALED`: `((signed char) ((status & 0x7f) + 1) >> 1) > 0`.
fn signaled(s: i32) -> bool {
    (((s & 0x7f) + 1) as i8 >> 1) > 0
}

/// `waitstatus_to_exitcode(status)`: the exit code, or minus the signal that ended the
/// process; a stopped process or another status is a ValueError.
fn waitstatus_to_exitcode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = status(vm, &args, "waitstatus_to_exitcode")?;
    if s & 0x7f == 0 {
        return Ok(Value::Int(i64::from((s >> 8) & 0xff)));
    }
    if signaled(s) {
        return Ok(Value::Int(-i64::from(s & 0x7f)));
    }
    if s & 0xff == 0x7f {
        let sig = (s >> 8) & 0xff;
        return Err(vm.value_error(format!("process stopped by delivery of signal {sig}")));
    }
    Err(vm.value_error(format!("invalid wait status: {s}")))
}
