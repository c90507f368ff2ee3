//! The functions of CPython's `posix` that reach the process, the file system beyond
//! reading the standard library, the terminal, the clock or the random source: present,
//! so `from posix import *`, `import os` and `dir(posix)` see CPython's names, and
//! unsupported when called (the VM never answers for a system it does not have).

use super::super::super::interp::Vm;
use super::super::super::object::Value;
use super::super::super::object::{Args, NativeFn};
use super::super::super::PyResult;

/// One builtin per name, each ending the run as unsupported, naming itself.
macro_rules! sandboxed {
    ($($name:ident),* $(,)?) => {
        /// The sandboxed functions, by name.
        pub const FUNCTIONS: &[(&str, NativeFn)] = &[
            $((stringify!($name), {
                fn call(vm: &mut Vm, _args: Args) -> PyResult<Value> {
                    Err(vm.unsupported(concat!(
                        "posix.",
                        stringify!($name),
                        " (the VM is a sandbox: no processes, no writes, a fixed environment)"
                    )))
                }
                call
            }),)*
        ];
    };
}

sandboxed!(
    _exit,
    abort,
    access,
    chdir,
    chmod,
    chown,
    chroot,
    closerange,
    copy_file_range,
    cpu_count,
    ctermid,
    device_encoding,
    dup,
    dup2,
    eventfd,
    eventfd_read,
    eventfd_write,
    execv,
    execve,
    fchdir,
    fchmod,
    fchown,
    fdatasync,
    fork,
    forkpty,
    fpathconf,
    fstatvfs,
    fsync,
    ftruncate,
    get_blocking,
    get_inheritable,
    getegid,
    geteuid,
    getgid,
    getgrouplist,
    getgroups,
    getloadavg,
    getlogin,
    getpgid,
    getpgrp,
    getppid,
    getpriority,
    getrandom,
    getresgid,
    getresuid,
    getsid,
    getuid,
    getxattr,
    initgroups,
    killpg,
    lchown,
    link,
    listxattr,
    lockf,
    login_tty,
    lseek,
    major,
    makedev,
    memfd_create,
    minor,
    mkfifo,
    mknod,
    nice,
    openpty,
    pathconf,
    pidfd_open,
    posix_fadvise,
    posix_fallocate,
    posix_spawn,
    posix_spawnp,
    pread,
    preadv,
    putenv,
    pwrite,
    pwritev,
    readlink,
    readv,
    removexattr,
    sched_get_priority_max,
    sched_get_priority_min,
    sched_getaffinity,
    sched_getparam,
    sched_getscheduler,
    sched_rr_get_interval,
    sched_setaffinity,
    sched_setparam,
    sched_setscheduler,
    sched_yield,
    sendfile,
    set_blocking,
    set_inheritable,
    setegid,
    seteuid,
    setgid,
    setgroups,
    setns,
    setpgid,
    setpgrp,
    setpriority,
    setregid,
    setresgid,
    setresuid,
    setreuid,
    setsid,
    setuid,
    setxattr,
    splice,
    statvfs,
    symlink,
    sync,
    system,
    tcgetpgrp,
    tcsetpgrp,
    times,
    truncate,
    ttyname,
    umask,
    unsetenv,
    unshare,
    urandom,
    utime,
    wait,
    wait3,
    wait4,
    waitid,
    writev,
);

/// Whether `posix.name` is one of the sandboxed functions, or one that writes the scratch
/// file system (`scratchfs`): the differential table of natives leaves them out, since
/// calling them on CPython would act on its process and the host's files.
pub fn is_sandboxed(name: &str) -> bool {
    FUNCTIONS
        .iter()
        .chain(super::scratchfs::FUNCTIONS)
        .chain(super::children::FUNCTIONS)
        .any(|(n, _)| *n == name)
}
