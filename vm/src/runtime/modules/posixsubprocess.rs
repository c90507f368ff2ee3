//! `_posixsubprocess` (CPython `Modules/_posixsubprocess.c`): `fork_exec`, which
//! `subprocess` calls to start a child process. The one program the VM can start is
//! python3.12 itself (`sys.executable`): a virtual child process (`runtime::process`)
//! whose streams are the pipes the parent made. A program that does not exist fails as
//! its exec would (the error goes through the error pipe); any other is unsupported.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::process;
use super::super::{PyResult, Throw};

/// CPython's `_posixsubprocess.__doc__`.
const DOC: &str = "A POSIX helper for the subprocess module.";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_posixsubprocess", FUNCTIONS);
}

/// The module's one function; the differential table of natives leaves it out
/// (`super::sandboxed`).
pub const FUNCTIONS: &[(&str, NativeFn)] = &[("fork_exec", fork_exec)];

/// `fork_exec(args, executable_list, close_fds, pass_fds, cwd, env, p2cread, p2cwrite,
/// c2pread, c2pwrite, errread, errwrite, errpipe_read, errpipe_write, restore_signals,
/// call_setsid, pgid_to_set, gid, extra_groups, uid, child_umask, preexec_fn,
/// allow_vfork, /)`.
fn fork_exec(vm: &mut Vm, args: Args) -> PyResult<Value> {
    const PARAMS: &[&str] = &[
        "args",
        "executable_list",
        "close_fds",
        "pass_fds",
        "cwd",
        "env",
        "p2cread",
        "p2cwrite",
        "c2pread",
        "c2pwrite",
        "errread",
        "errwrite",
        "errpipe_read",
        "errpipe_write",
        "restore_signals",
        "call_setsid",
        "pgid_to_set",
        "gid",
        "extra_groups",
        "uid",
        "child_umask",
        "preexec_fn",
        "allow_vfork",
    ];
    let a = Spec::method(
        "_posixsubprocess",
        "fork_exec",
        Style::Positional,
        PARAMS,
        23,
    )
    .parse(vm, &args, 0)?;
    let arg = |i: usize| a.get(i).cloned().flatten().unwrap_or_default();
    let int = |vm: &mut Vm, i: usize| -> PyResult<i64> { Ok(i64::from(vm.c_int(&arg(i))?)) };
    let fds: Vec<i64> = (6..14).map(|i| int(vm, i)).collect::<PyResult<_>>()?;
    let [p2cread, _, _, c2pwrite, _, errwrite, _, errpipe_write] = fds[..] else {
        return Err(vm.bug("fork_exec's descriptors"));
    };
    // What the VM's child cannot do as CPython's would.
    if !vm.truthy(&arg(2))? {
        return Err(unsupported(
            vm,
            "close_fds=False (the child would inherit every descriptor)",
        ));
    }
    for fd in vm.collect(&arg(3))? {
        if i64::from(vm.c_int(&fd)?) != errpipe_write {
            return Err(unsupported(vm, "pass_fds"));
        }
    }
    for (i, what) in [
        (17, "gid"),
        (18, "extra_groups"),
        (19, "uid"),
        (21, "preexec_fn"),
    ] {
        if !arg(i).is_none() {
            return Err(unsupported(vm, what));
        }
    }
    if int(vm, 16)? != -1 {
        return Err(unsupported(vm, "process_group"));
    }
    if int(vm, 20)? >= 0 {
        return Err(unsupported(vm, "umask"));
    }
    let argv = vm
        .collect(&arg(0))?
        .iter()
        .map(|v| text(vm, v, "an argument"))
        .collect::<PyResult<Vec<String>>>()?;
    let candidates = vm
        .collect(&arg(1))?
        .iter()
        .map(|v| text(vm, v, "the executable"))
        .collect::<PyResult<Vec<String>>>()?;
    let env = match arg(5) {
        Value::None => process::environ(),
        list => vm
            .collect(&list)?
            .iter()
            .map(|v| {
                let kv = text(vm, v, "an environment variable")?;
                let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
                Ok((k.to_owned(), v.to_owned()))
            })
            .collect::<PyResult<_>>()?,
    };
    let cwd = arg(4);
    if !cwd.is_none() {
        let cwd = text(vm, &cwd, "the working directory")?;
        let here = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok());
        // A directory the program made is not the host's: the child cannot run there.
        if let Some(found) = super::posix::scratchfs::lookup(vm, &cwd) {
            use super::super::scratch::{Found, Node};
            return match found {
                Found::Node(Node::Dir(_)) => {
                    Err(unsupported(vm, "a working directory the program made"))
                }
                Found::Node(_) | Found::NotDir => {
                    Ok(exec_failed(vm, errpipe_write, Some(20), true))
                }
                Found::Missing => Ok(exec_failed(vm, errpipe_write, Some(2), true)),
            };
        }
        match std::path::Path::new(&cwd).canonicalize() {
            Ok(c) if Some(&c) == here.as_ref() => {}
            Ok(_) => return Err(unsupported(vm, "a working directory of its own")),
            // `chdir` fails in the child, before any exec.
            Err(e) => return Ok(exec_failed(vm, errpipe_write, e.raw_os_error(), true)),
        }
    }
    let python = match super::super::sysmod::sys_attr(vm, "executable") {
        Value::Str(s) if !s.is_empty() => s.to_string(),
        _ => String::new(),
    };
    // `_execvpe`'s walk: the first candidate that exists is the program.
    let Some(program) = candidates
        .iter()
        .find(|c| std::fs::metadata(c).is_ok() || **c == python)
    else {
        return Ok(exec_failed(vm, errpipe_write, Some(2), false));
    };
    if *program != python {
        return Err(vm.unsupported(format!(
            "starting the program {program:?} (the VM is a sandbox: the only program it runs \
             as a child is itself, sys.executable)"
        )));
    }
    let stdin = match p2cread {
        -1 | 0 => process::Source::Inherit,
        fd => match end_of(vm, fd, false) {
            Some(end) => process::Source::Pipe(end),
            None => return Err(unsupported(vm, "a stdin that is not a pipe")),
        },
    };
    let sink = |vm: &mut Vm, fd: i64, default: process::Sink| match fd {
        -1 => Ok(default),
        1 => Ok(process::Sink::Stdout),
        2 => Ok(process::Sink::Stderr),
        fd => match end_of(vm, fd, true) {
            Some(end) => Ok(process::Sink::Pipe(end)),
            None => Err(unsupported(vm, "an output that is not a pipe")),
        },
    };
    let stdout = sink(vm, c2pwrite, process::Sink::Stdout)?;
    let stderr = sink(vm, errwrite, process::Sink::Stderr)?;
    let start = process::Start {
        argv,
        env,
        stdin,
        stdout,
        stderr,
    };
    Ok(Value::Int(process::start(vm, Some(start))))
}

fn unsupported(vm: &Vm, what: &str) -> Throw {
    vm.unsupported(format!(
        "subprocess with {what} (the VM's child processes cannot)"
    ))
}

/// A str argument, or bytes that are UTF-8 (`os.fsencode`'s encoding).
fn text(vm: &mut Vm, v: &Value, what: &str) -> PyResult<String> {
    let v = match v {
        Value::Object(_) => super::posix::fspath_of(vm, v)?.unwrap_or_else(|| v.clone()),
        _ => v.clone(),
    };
    match v.builtin_value() {
        Value::Str(s) => Ok(s.to_string()),
        Value::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(vm.unsupported(format!("{what} of a child process that is not UTF-8"))),
        },
        _ => Err(vm.unsupported(format!("{what} of a child process of another type"))),
    }
}

/// A clone of the pipe end behind `fd`, if it is one of the wanted direction.
fn end_of(vm: &Vm, fd: i64, write: bool) -> Option<super::super::pipes::PipeEnd> {
    let fds = vm.scratch.fds.borrow();
    let end = fds.get(&fd)?.pipe.as_ref()?;
    (end.write == write || end.pipe.null).then(|| end.clone())
}

/// A child whose exec (or chdir, `noexec`) failed with `errno`: `child_exec` writes
/// "OSError:ERRNO:" to the error pipe and the child exits with 255.
fn exec_failed(vm: &mut Vm, errpipe_write: i64, errno: Option<i32>, chdir: bool) -> Value {
    let errno = errno.unwrap_or(2);
    let note = if chdir { "noexec" } else { "" };
    if let Some(end) = end_of(vm, errpipe_write, true) {
        end.pipe.put(format!("OSError:{errno:x}:{note}").as_bytes());
    }
    Value::Int(process::start(vm, None))
}
