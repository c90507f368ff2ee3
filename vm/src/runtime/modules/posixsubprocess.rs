//! `_posixsubprocess` (CPython `Modules/_posixsubprocess.c`): `fork_exec`, which
//! `subprocess` calls to start a child process. It checks its argument count as CPython
//! does and is then unsupported: the sandbox starts no process.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

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
    Spec::method(
        "_posixsubprocess",
        "fork_exec",
        Style::Positional,
        PARAMS,
        23,
    )
    .parse(vm, &args, 0)?;
    Err(vm.unsupported("_posixsubprocess.fork_exec (the VM is a sandbox: it starts no process)"))
}
