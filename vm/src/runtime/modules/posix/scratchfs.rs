//! posix's functions over the scratch file system (`runtime::scratch`): what a program
//! makes (`open` with O_CREAT, `mkdir`), writes and reads through file descriptors
//! (`write`, `read`, `close`), and takes away or moves (`unlink`, `remove`, `rmdir`,
//! `rename`, `replace`), with the OSErrors CPython 3.12 raises on Linux; `fstat`, the
//! `dir_fd` of a scratch directory's descriptor and `scandir` (`Scandir`: its iterator
//! and `DirEntry`) are what `shutil.rmtree` walks a tree with. `stat` and `listdir`
//! consult it through [`stat_of`] and [`list`]. A path the VM cannot answer for (a host
//! file the program did not make) stays unsupported.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, NativeFn, Value};
use super::super::super::oserror;
use super::super::super::program::{self, Entry, PROGRAM_DIR};
use super::super::super::scratch::{self, Fd, Found, Node, Place, ScratchFile};
use super::super::super::{PyResult, Throw};
use super::path_arg;

/// The functions defined here, by name.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("open", open),
    ("fstat", fstat),
    ("scandir", scandir),
    ("write", write),
    ("read", read),
    ("close", close),
    ("mkdir", mkdir),
    ("rmdir", rmdir),
    ("unlink", unlink),
    ("remove", remove),
    ("rename", rename),
    ("replace", replace),
];

// Linux's open(2) flags, as CPython's posix exports them.
const O_ACCMODE: i64 = 0o3;
const O_CREAT: i64 = 0o100;
const O_EXCL: i64 = 0o200;
const O_TRUNC: i64 = 0o1000;
const O_APPEND: i64 = 0o2000;
/// Flags that change nothing a program of the sandbox sees: O_NOCTTY, O_NONBLOCK,
/// O_NOFOLLOW (the scratch file system has no links), O_CLOEXEC (no exec).
const O_HARMLESS: i64 = 0o400 | 0o4000 | 0o400000 | 0o2000000;

/// The absolute, normalised path of `path`: a relative one is in the working directory
/// (the program's directory for a case, the host's for `framespec exec`); `None` where
/// the VM does not know the working directory.
pub fn absolute(vm: &Vm, path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else if vm.program.is_some() {
        Path::new(PROGRAM_DIR).join(p)
    } else if vm.host_metadata {
        std::env::current_dir().ok()?.join(p)
    } else {
        return None;
    };
    Some(program::normal(&abs))
}

/// What the scratch file system has at `path`, when it answers for it.
pub fn lookup(vm: &Vm, path: &str) -> Option<Found> {
    if path.is_empty() {
        return None;
    }
    vm.scratch.lookup(&absolute(vm, path)?)
}

/// Where a new entry at `abs` may go: inside a scratch directory, the program's
/// directory, or a host directory the program may write at a name the host lacks.
fn placement(vm: &Vm, abs: &Path) -> Place {
    let Some(parent) = abs.parent() else {
        return Place::Host;
    };
    match vm.scratch.lookup(parent) {
        Some(Found::Node(Node::Dir(_))) => return Place::Free,
        Some(Found::Node(Node::File(_)) | Found::NotDir) => return Place::NoParent(Found::NotDir),
        Some(Found::Missing) => return Place::NoParent(Found::Missing),
        None => {}
    }
    if let (Some(prog), true) = (&vm.program, parent.starts_with(PROGRAM_DIR)) {
        return match prog.lookup(parent) {
            Some(Entry::Dir(_)) => match prog.lookup(abs) {
                Some(Entry::Missing) => Place::Free,
                _ => Place::Host,
            },
            Some(Entry::File(_) | Entry::NotDir) => Place::NoParent(Found::NotDir),
            _ => Place::NoParent(Found::Missing),
        };
    }
    if std::fs::symlink_metadata(abs).is_ok() {
        return Place::Host;
    }
    if scratch::host_dir_writable(parent) {
        Place::Free
    } else {
        Place::Host
    }
}

/// The OSError of `errno` on `path`, as posix raises it.
fn error(vm: &Vm, errno: i64, path: &str) -> Throw {
    let exc = oserror::from_errno(vm, errno, Some(path));
    vm.raise(exc)
}

const ENOENT: i64 = 2;
const EBADF: i64 = 9;
const EEXIST: i64 = 17;
const ENOTDIR: i64 = 20;
const EISDIR: i64 = 21;
const EINVAL: i64 = 22;
const ENOTEMPTY: i64 = 39;

/// The error of a path whose parent is not there (`NoParent`).
fn no_parent(vm: &Vm, found: &Found, path: &str) -> Throw {
    let errno = if matches!(found, Found::NotDir) {
        ENOTDIR
    } else {
        ENOENT
    };
    error(vm, errno, path)
}

fn unsupported_host(vm: &Vm, what: &str, path: &str) -> Throw {
    vm.unsupported(format!(
        "posix.{what} of {path:?} (a host path the program did not make: the sandbox never \
         writes the host)"
    ))
}

/// The process's file mode creation mask (the host's, as CPython's process inherits it).
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// An int argument (`flags`, `mode`, `fd`).
fn int(vm: &mut Vm, v: Option<Value>, default: i64) -> PyResult<i64> {
    match v {
        None => Ok(default),
        Some(v) => super::super::super::argspec::index(vm, &v),
    }
}

fn no_dir_fd(vm: &Vm, dir_fd: Option<&Value>, fname: &str) -> PyResult<()> {
    if dir_fd.is_some_and(|d| !d.is_none()) {
        return Err(vm.unsupported(format!("posix.{fname} with dir_fd")));
    }
    Ok(())
}

/// Opens (making it with O_CREAT) the scratch file at `path` for `io.open` or
/// `posix.open`: the file and whether the path was the VM's to answer (`None`: not the
/// scratch file system's; the caller goes on to the program's directory or the host).
pub fn open_file(vm: &Vm, path: &str, flags: i64, mode: u32) -> PyResult<Option<Rc<ScratchFile>>> {
    let Some(abs) = absolute(vm, path).filter(|_| !path.is_empty()) else {
        return Ok(None);
    };
    let create = flags & O_CREAT != 0;
    let writes = flags & O_ACCMODE != 0;
    let file = match vm.scratch.lookup(&abs) {
        Some(Found::Node(Node::File(f))) => {
            if create && flags & O_EXCL != 0 {
                return Err(error(vm, EEXIST, path));
            }
            f
        }
        Some(Found::Node(Node::Dir(_))) => {
            if create && flags & O_EXCL != 0 {
                return Err(error(vm, EEXIST, path));
            }
            // open(2) of a directory for reading succeeds; `io.open`'s FileIO then
            // finds it a directory (posix.open checks for this before).
            return Err(error(vm, EISDIR, path));
        }
        Some(Found::NotDir) => return Err(error(vm, ENOTDIR, path)),
        Some(Found::Missing) if !create => return Err(error(vm, ENOENT, path)),
        _ if !create => return Ok(None),
        _ => match placement(vm, &abs) {
            Place::Free => vm.scratch.make_file(&abs, mode & !umask() & 0o7777),
            Place::NoParent(f) => return Err(no_parent(vm, &f, path)),
            Place::Host if !writes && flags & O_EXCL == 0 => return Ok(None),
            Place::Host => return Err(unsupported_host(vm, "open", path)),
        },
    };
    if flags & O_TRUNC != 0 && writes {
        file.data.borrow_mut().clear();
        file.touch();
    }
    Ok(Some(file))
}

/// `open(path, flags, mode=0o777, *, dir_fd=None)`: a file descriptor of a scratch file.
fn open(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path, flags, mode, dir_fd] = Spec::function(
        "open",
        Style::Keywords,
        &["path", "flags", "mode", "dir_fd"],
        2,
    )
    .keywords(0, 3)
    .bind::<4>(vm, &args, 0)?;
    let path = path_arg(vm, path, "open")?;
    let flags = int(vm, flags, 0)?;
    let mode = int(vm, mode, 0o777)?;
    let known = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_HARMLESS;
    if flags & !known != 0 || flags & O_ACCMODE == O_ACCMODE {
        return Err(vm.unsupported(format!("posix.open with the flags {flags:#o}")));
    }
    let mode = u32::try_from(mode & 0o7777).unwrap_or(0o777);
    let path = at_dir_fd(vm, &path, dir_fd.as_ref(), "open")?;
    if path == "/dev/null" {
        let access = flags & O_ACCMODE;
        return Ok(super::children::open_null(vm, access != 1, access != 0));
    }
    if flags & (O_ACCMODE | O_CREAT) == 0 {
        if let Some(Found::Node(Node::Dir(_))) = lookup(vm, &path) {
            // A directory opened to read it (`shutil.rmtree` scans it by descriptor).
            let fd = Fd {
                file: None,
                dir: absolute(vm, &path),
                pos: 0,
                readable: true,
                writable: false,
                append: false,
                ..Fd::default()
            };
            return Ok(Value::Int(vm.scratch.open_fd(fd)));
        }
    }
    let Some(file) = open_file(vm, &path, flags, mode)? else {
        return Err(unsupported_host(vm, "open", &path));
    };
    let access = flags & O_ACCMODE;
    let fd = Fd {
        file: Some(file),
        dir: None,
        pos: 0,
        readable: access != 1,
        writable: access != 0,
        append: flags & O_APPEND != 0,
        ..Fd::default()
    };
    Ok(Value::Int(vm.scratch.open_fd(fd)))
}

/// The `Fd` numbered by the argument `v`, or the error of a number that is not open
/// (one the VM never gave out may be the host's: unsupported).
fn fd_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<i64> {
    let n = int(vm, v, -1)?;
    if n < 0 {
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    }
    if !vm.scratch.fds.borrow().contains_key(&n) {
        return Err(vm.unsupported(format!(
            "the file descriptor {n} (not one of a scratch file)"
        )));
    }
    Ok(n)
}

/// `write(fd, data, /)`: all of `data`, at the position (at the end with O_APPEND).
fn write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, data] =
        Spec::function("write", Style::Positional, &["fd", "data"], 2).bind::<2>(vm, &args, 0)?;
    let n = fd_arg(vm, fd)?;
    let data = super::super::super::methods::bytes::need_buffer(vm, &data.unwrap_or_default())?;
    if let Some((pipe, w)) = super::children::pipe_of(vm, n) {
        return super::children::write_pipe(vm, &pipe, w, &data);
    }
    let mut fds = vm.scratch.fds.borrow_mut();
    let Some(f) = fds.get_mut(&n) else {
        drop(fds);
        return Err(vm.bug("an open fd that is not there"));
    };
    if !f.writable {
        drop(fds);
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    }
    if f.stream.is_some() || f.epoll.is_some() {
        drop(fds);
        return Err(vm.unsupported("reading or writing a socket or an epoll descriptor with os"));
    }
    let Some(file) = f.file.clone() else {
        drop(fds);
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    };
    let mut buf = file.data.borrow_mut();
    if f.append {
        f.pos = buf.len();
    }
    put(&mut buf, f.pos, &data);
    f.pos += data.len();
    file.touch();
    Ok(Value::Int(data.len() as i64))
}

/// Writes `data` into `buf` at `pos`, filling a gap past the end with zeros.
pub fn put(buf: &mut Vec<u8>, pos: usize, data: &[u8]) {
    if buf.len() < pos {
        buf.resize(pos, 0);
    }
    let end = pos + data.len();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[pos..end].copy_from_slice(data);
}

/// `read(fd, length, /)`.
fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, length] =
        Spec::function("read", Style::Positional, &["fd", "length"], 2).bind::<2>(vm, &args, 0)?;
    let n = fd_arg(vm, fd)?;
    let length = int(vm, length, 0)?;
    if length < 0 {
        let exc = oserror::from_errno(vm, EINVAL, None);
        return Err(vm.raise(exc));
    }
    if let Some((pipe, w)) = super::children::pipe_of(vm, n) {
        return super::children::read_pipe(vm, &pipe, w, length as usize);
    }
    let mut fds = vm.scratch.fds.borrow_mut();
    let Some(f) = fds.get_mut(&n) else {
        drop(fds);
        return Err(vm.bug("an open fd that is not there"));
    };
    if !f.readable {
        drop(fds);
        let exc = oserror::from_errno(vm, EBADF, None);
        return Err(vm.raise(exc));
    }
    if f.stream.is_some() || f.epoll.is_some() {
        drop(fds);
        return Err(vm.unsupported("reading or writing a socket or an epoll descriptor with os"));
    }
    let Some(file) = f.file.clone() else {
        drop(fds);
        let exc = oserror::from_errno(vm, EISDIR, None);
        return Err(vm.raise(exc));
    };
    let buf = file.data.borrow();
    let start = f.pos.min(buf.len());
    let end = start.saturating_add(length as usize).min(buf.len());
    let out = Value::Bytes(Rc::from(&buf[start..end]));
    drop(buf);
    f.pos = end;
    Ok(out)
}

/// `close(fd)`.
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::function("close", Style::Keywords, &["fd"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let n = fd_arg(vm, fd)?;
    vm.scratch.close_fd(n);
    Ok(Value::None)
}

/// `mkdir(path, mode=0o777, *, dir_fd=None)`.
fn mkdir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path, mode, dir_fd] =
        Spec::function("mkdir", Style::Keywords, &["path", "mode", "dir_fd"], 1)
            .keywords(0, 2)
            .bind::<3>(vm, &args, 0)?;
    let path = path_arg(vm, path, "mkdir")?;
    let mode = int(vm, mode, 0o777)?;
    no_dir_fd(vm, dir_fd.as_ref(), "mkdir")?;
    let Some(abs) = absolute(vm, &path).filter(|_| !path.is_empty()) else {
        return Err(vm.unsupported(format!(
            "posix.mkdir of {path:?} (a relative path: the sandbox does not know the working \
             directory)"
        )));
    };
    match vm.scratch.lookup(&abs) {
        Some(Found::Node(_)) => return Err(error(vm, EEXIST, &path)),
        Some(Found::NotDir) => return Err(error(vm, ENOTDIR, &path)),
        _ => {}
    }
    match placement(vm, &abs) {
        Place::Free => {
            let mode = u32::try_from(mode & 0o7777).unwrap_or(0o777);
            vm.scratch.make_dir(&abs, mode & !umask());
            Ok(Value::None)
        }
        Place::NoParent(f) => Err(no_parent(vm, &f, &path)),
        // mkdir(2) checks that the name is free before the permission to write:
        // EEXIST where the host (or the program's directory) has it.
        Place::Host if exists_elsewhere(vm, &abs) => Err(error(vm, EEXIST, &path)),
        Place::Host => Err(unsupported_host(vm, "mkdir", &path)),
    }
}

/// Whether the host lacks `abs`, where the VM may look at the host: anywhere when it runs
/// as `python` would (`Vm::host_metadata`), else in the standard library.
fn host_missing(vm: &Vm, abs: &Path) -> bool {
    let visible = vm.host_metadata || vm.stdlib.as_ref().is_some_and(|l| abs.starts_with(l));
    visible
        && std::fs::symlink_metadata(abs).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Whether the program's directory or the host has `abs` (for EEXIST).
fn exists_elsewhere(vm: &Vm, abs: &Path) -> bool {
    if let Some(prog) = &vm.program {
        if matches!(prog.lookup(abs), Some(Entry::File(_) | Entry::Dir(_))) {
            return true;
        }
    }
    vm.host_metadata && std::fs::symlink_metadata(abs).is_ok()
}

/// The scratch entry at the path argument of `fname`, or the error CPython gives.
fn existing(vm: &mut Vm, path: &str, fname: &str) -> PyResult<(PathBuf, Node)> {
    let abs = absolute(vm, path).filter(|_| !path.is_empty());
    match abs.as_ref().and_then(|a| vm.scratch.lookup(a)) {
        Some(Found::Node(n)) => Ok((abs.unwrap_or_default(), n)),
        Some(Found::NotDir) => Err(error(vm, ENOTDIR, path)),
        Some(Found::Missing) => Err(error(vm, ENOENT, path)),
        None if path.is_empty() => Err(error(vm, ENOENT, path)),
        None => match abs.as_ref().map(|a| placement(vm, a)) {
            // Nothing at a place the VM answers for.
            Some(Place::Free) => Err(error(vm, ENOENT, path)),
            Some(Place::NoParent(f)) => Err(no_parent(vm, &f, path)),
            // A host path that is not there, where the VM may look at the host
            // (`posix::stat`'s rule): ENOENT, as the lookup fails before any write.
            Some(Place::Host) if abs.as_ref().is_some_and(|a| host_missing(vm, a)) => {
                Err(error(vm, ENOENT, path))
            }
            _ => Err(unsupported_host(vm, fname, path)),
        },
    }
}

/// `unlink(path, *, dir_fd=None)` and `remove`: a scratch file.
fn unlink_as(vm: &mut Vm, args: Args, fname: &'static str) -> PyResult<Value> {
    let [path, dir_fd] = Spec::function(fname, Style::Keywords, &["path", "dir_fd"], 1)
        .keywords(0, 1)
        .bind::<2>(vm, &args, 0)?;
    let path = path_arg(vm, path, fname)?;
    let path = at_dir_fd(vm, &path, dir_fd.as_ref(), fname)?;
    match existing(vm, &path, fname)? {
        (_, Node::Dir(_)) => Err(error(vm, EISDIR, &path)),
        (abs, Node::File(_)) => {
            vm.scratch.remove(&abs);
            Ok(Value::None)
        }
    }
}

fn unlink(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unlink_as(vm, args, "unlink")
}

fn remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unlink_as(vm, args, "remove")
}

/// `rmdir(path, *, dir_fd=None)`: an empty scratch directory.
fn rmdir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path, dir_fd] = Spec::function("rmdir", Style::Keywords, &["path", "dir_fd"], 1)
        .keywords(0, 1)
        .bind::<2>(vm, &args, 0)?;
    let path = path_arg(vm, path, "rmdir")?;
    let path = at_dir_fd(vm, &path, dir_fd.as_ref(), "rmdir")?;
    match existing(vm, &path, "rmdir")? {
        (_, Node::File(_)) => Err(error(vm, ENOTDIR, &path)),
        (abs, Node::Dir(_)) => {
            if !vm.scratch.children(&abs).is_empty() {
                return Err(error(vm, ENOTEMPTY, &path));
            }
            vm.scratch.remove(&abs);
            Ok(Value::None)
        }
    }
}

/// The OSError of rename(2), naming both paths.
fn error2(vm: &Vm, errno: i64, src: &str, dst: &str) -> Throw {
    let plain = oserror::from_errno(vm, errno, None);
    let text = oserror::get(vm, &plain, "strerror").unwrap_or_default();
    let args = vec![
        Value::Int(errno),
        text,
        Value::str(src),
        Value::None,
        Value::str(dst),
    ];
    let t = oserror::class_for(vm, &vm.ty("OSError"), &args);
    let exc = vm.new_exception(&t, args);
    vm.raise(exc)
}

/// `rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None)` and `replace`: rename(2) of a
/// scratch entry, over a scratch file (a file) or an empty scratch directory (a
/// directory).
fn rename_as(vm: &mut Vm, args: Args, fname: &'static str) -> PyResult<Value> {
    let [src, dst, sfd, dfd] = Spec::function(
        fname,
        Style::Keywords,
        &["src", "dst", "src_dir_fd", "dst_dir_fd"],
        2,
    )
    .keywords(0, 2)
    .bind::<4>(vm, &args, 0)?;
    let src = path_arg(vm, src, fname)?;
    let dst = path_arg(vm, dst, fname)?;
    no_dir_fd(vm, sfd.as_ref(), fname)?;
    no_dir_fd(vm, dfd.as_ref(), fname)?;
    let from = absolute(vm, &src).filter(|_| !src.is_empty());
    let node = match from.as_ref().and_then(|a| vm.scratch.lookup(a)) {
        Some(Found::Node(n)) => n,
        Some(Found::NotDir) => return Err(error2(vm, ENOTDIR, &src, &dst)),
        Some(Found::Missing) => return Err(error2(vm, ENOENT, &src, &dst)),
        None => match from.as_ref().map(|a| placement(vm, a)) {
            Some(Place::Free) => return Err(error2(vm, ENOENT, &src, &dst)),
            _ => return Err(unsupported_host(vm, fname, &src)),
        },
    };
    let from = from.unwrap_or_default();
    let Some(to) = absolute(vm, &dst).filter(|_| !dst.is_empty()) else {
        return Err(error2(vm, ENOENT, &src, &dst));
    };
    if to == from {
        return Ok(Value::None);
    }
    match (vm.scratch.lookup(&to), &node) {
        (Some(Found::Node(Node::File(_))), Node::File(_)) => {}
        (Some(Found::Node(Node::Dir(_))), Node::File(_)) => {
            return Err(error2(vm, EISDIR, &src, &dst))
        }
        (Some(Found::Node(Node::File(_))), Node::Dir(_)) => {
            return Err(error2(vm, ENOTDIR, &src, &dst))
        }
        (Some(Found::Node(Node::Dir(_))), Node::Dir(_)) => {
            if !vm.scratch.children(&to).is_empty() {
                return Err(error2(vm, ENOTEMPTY, &src, &dst));
            }
        }
        (Some(Found::NotDir), _) => return Err(error2(vm, ENOTDIR, &src, &dst)),
        (Some(Found::Missing), _) | (None, _) => match placement(vm, &to) {
            Place::Free => {}
            Place::NoParent(f) => {
                let errno = if matches!(f, Found::NotDir) {
                    ENOTDIR
                } else {
                    ENOENT
                };
                return Err(error2(vm, errno, &src, &dst));
            }
            Place::Host => return Err(unsupported_host(vm, fname, &dst)),
        },
    }
    if matches!(node, Node::Dir(_)) && to.starts_with(&from) {
        return Err(error2(vm, EINVAL, &src, &dst));
    }
    vm.scratch.remove(&to);
    vm.scratch.rename(&from, &to);
    Ok(Value::None)
}

fn rename(vm: &mut Vm, args: Args) -> PyResult<Value> {
    rename_as(vm, args, "rename")
}

fn replace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    rename_as(vm, args, "replace")
}

/// The `stat_result` of a scratch entry: its size and mode, its own inode number, the
/// process's owner, every time 0 (the run's clock is not the host's).
pub fn stat_of(vm: &Vm, node: &Node, path: &str) -> PyResult<Value> {
    let (mode, size, ino, nlink, time) = match node {
        Node::File(f) => {
            if f.unflushed.get() > 0 {
                return Err(vm.unsupported(format!(
                    "the size of {path:?} while a buffered writer has not flushed it"
                )));
            }
            let size = f.data.borrow().len();
            (0o100_000 | f.mode, size, f.ino, 1, f.mtime_ns.get())
        }
        Node::Dir(d) => (0o040_000 | d.mode, 4096, d.ino, 2, d.mtime_ns.get()),
    };
    Ok(super::entry_stat(vm, mode, size, ino, nlink, time))
}

/// The names of a scratch directory for `listdir`: the file system's order, which the VM
/// knows only when there is at most one.
pub fn list(vm: &Vm, abs: &Path, path: &str) -> PyResult<Vec<String>> {
    let names = vm.scratch.children(abs);
    if names.len() > 1 {
        return Err(vm.unsupported(format!(
            "listing {path:?}, a directory of several entries the program made (their order \
             is the host file system's)"
        )));
    }
    Ok(names)
}

/// The lines of the scratch file `filename` (relative to the working directory, as
/// `_Py_DisplaySourceLine` opens it), for the tracebacks the VM prints itself.
pub fn lines(vm: &Vm, filename: &str) -> Option<Vec<String>> {
    match lookup(vm, filename)? {
        Found::Node(Node::File(f)) => Some(
            String::from_utf8_lossy(&f.data.borrow())
                .lines()
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

/// `path` as seen from the directory descriptor `dir_fd` (the `*at` functions): a
/// relative path joined to the scratch directory the descriptor is open on. Only a
/// descriptor the VM gave out (`open` of a scratch directory) is known; an error then
/// names the joined path, where CPython's names the relative one, so a path that is not
/// there is unsupported.
pub fn at_dir_fd(vm: &mut Vm, path: &str, dir_fd: Option<&Value>, fname: &str) -> PyResult<String> {
    let Some(d) = dir_fd.filter(|d| !d.is_none()) else {
        return Ok(path.to_owned());
    };
    let n = int(vm, Some(d.clone()), -1)?;
    let dir = vm.scratch.fds.borrow().get(&n).and_then(|f| f.dir.clone());
    let Some(dir) = dir else {
        return Err(vm.unsupported(format!("posix.{fname} with dir_fd={n}")));
    };
    let joined = dir.join(path).to_string_lossy().into_owned();
    if Path::new(path).is_absolute() {
        return Ok(path.to_owned());
    }
    if !matches!(lookup(vm, &joined), Some(Found::Node(_))) {
        return Err(vm.unsupported(format!(
            "posix.{fname} of {path:?} with dir_fd, which is not there (its error would name \
             the relative path)"
        )));
    }
    Ok(joined)
}

/// `fstat(fd)`: the `stat_result` of a scratch file or directory the VM gave `fd` for.
fn fstat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::function("fstat", Style::Keywords, &["fd"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let n = fd_arg(vm, fd)?;
    if let Some((pipe, _)) = super::children::pipe_of(vm, n) {
        return super::children::pipe_stat(vm, &pipe);
    }
    let (file, dir) = match vm.scratch.fds.borrow().get(&n) {
        Some(f) => (f.file.clone(), f.dir.clone()),
        None => (None, None),
    };
    let shown = format!("<fd {n}>");
    match (file, dir) {
        (Some(f), _) => stat_of(vm, &Node::File(f), &shown),
        (None, Some(d)) => match vm.scratch.lookup(&d) {
            Some(Found::Node(node)) => stat_of(vm, &node, &shown),
            _ => Err(vm.unsupported("posix.fstat of a directory that has gone")),
        },
        (None, None) => Err(vm.unsupported("posix.fstat of a socket or an epoll descriptor")),
    }
}

/// `os.scandir`'s objects: the iterator (`ScandirIterator`) and its entries (`DirEntry`).
#[derive(Debug)]
pub enum Scandir {
    Iter {
        /// The entries not yet given, last first.
        left: std::cell::RefCell<Vec<Value>>,
    },
    Entry {
        name: Rc<str>,
        path: Rc<str>,
        node: Node,
    },
}

impl Scandir {
    pub fn type_name(&self) -> &'static str {
        match self {
            Scandir::Iter { .. } => "ScandirIterator",
            Scandir::Entry { .. } => "DirEntry",
        }
    }
}

/// `scandir(path=None)`: the entries of a scratch directory, by path or by the descriptor
/// `open` gave for it (the entries' `path` is then their name); like `listdir`, a
/// directory of several entries is unsupported (their order is the file system's).
fn scandir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::function("scandir", Style::Keywords, &["path"], 0)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let (abs, prefix): (PathBuf, Option<String>) = match path.filter(|p| !p.is_none()) {
        Some(v @ (Value::Int(_) | Value::Bool(_))) => {
            let n = int(vm, Some(v), -1)?;
            let dir = vm.scratch.fds.borrow().get(&n).and_then(|f| f.dir.clone());
            match dir {
                Some(d) => (d, None),
                None => return Err(vm.unsupported(format!("posix.scandir of the descriptor {n}"))),
            }
        }
        p => {
            let shown = path_arg(vm, Some(p.unwrap_or_else(|| Value::str("."))), "scandir")?;
            match lookup(vm, &shown) {
                Some(Found::Node(Node::Dir(_))) => (
                    absolute(vm, &shown).unwrap_or_default(),
                    Some(shown.to_string()),
                ),
                Some(Found::Node(Node::File(_)) | Found::NotDir) => {
                    return Err(error(vm, ENOTDIR, &shown))
                }
                Some(Found::Missing) => return Err(error(vm, ENOENT, &shown)),
                None => return Err(unsupported_host(vm, "scandir", &shown)),
            }
        }
    };
    let shown = abs.to_string_lossy().into_owned();
    let names = list(vm, &abs, &shown)?;
    let mut left = Vec::new();
    for name in names.iter().rev() {
        let Some(Found::Node(node)) = vm.scratch.lookup(&abs.join(name)) else {
            continue;
        };
        // `join_path_filename`: the directory's path and the name, with one '/'.
        let path = match &prefix {
            None => name.clone(),
            Some(p) if p.ends_with('/') => format!("{p}{name}"),
            Some(p) => format!("{p}/{name}"),
        };
        left.push(Value::Native(Rc::new(
            super::super::super::object::Native::Scandir(Scandir::Entry {
                name: Rc::from(name.as_str()),
                path: Rc::from(path.as_str()),
                node,
            }),
        )));
    }
    Ok(Value::Native(Rc::new(
        super::super::super::object::Native::Scandir(Scandir::Iter {
            left: std::cell::RefCell::new(left),
        }),
    )))
}

fn this(vm: &Vm, args: &Args) -> PyResult<Rc<super::super::super::object::Native>> {
    match args.pos.first() {
        Some(Value::Native(n))
            if matches!(&**n, super::super::super::object::Native::Scandir(_)) =>
        {
            Ok(n.clone())
        }
        _ => Err(vm.bug("a scandir method without its object")),
    }
}

fn scandir_of(n: &super::super::super::object::Native) -> Option<&Scandir> {
    match n {
        super::super::super::object::Native::Scandir(s) => Some(s),
        _ => None,
    }
}

/// `ScandirIterator.__next__`.
fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = this(vm, &args)?;
    if let Some(Scandir::Iter { left }) = scandir_of(&n) {
        if let Some(e) = left.borrow_mut().pop() {
            return Ok(e);
        }
    }
    Err(vm.err_args("StopIteration", Vec::new()))
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    this(vm, &args)?;
    Ok(args.pos[0].clone())
}

/// `close()` and `__exit__`: no more entries.
fn iter_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = this(vm, &args)?;
    if let Some(Scandir::Iter { left }) = scandir_of(&n) {
        left.borrow_mut().clear();
    }
    Ok(Value::None)
}

fn entry(vm: &Vm, args: &Args) -> PyResult<(Rc<str>, Rc<str>, Node)> {
    let n = this(vm, args)?;
    match scandir_of(&n) {
        Some(Scandir::Entry { name, path, node }) => Ok((name.clone(), path.clone(), node.clone())),
        _ => Err(vm.bug("a DirEntry method without its entry")),
    }
}

/// `is_dir(*, follow_symlinks=True)` (the scratch file system has no links).
fn is_dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "DirEntry",
        "is_dir",
        Style::Keywords,
        &["follow_symlinks"],
        0,
    )
    .keywords(0, 0)
    .bind::<1>(vm, &args, 1)?;
    let (_, _, node) = entry(vm, &args)?;
    Ok(Value::Bool(matches!(node, Node::Dir(_))))
}

fn is_file(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "DirEntry",
        "is_file",
        Style::Keywords,
        &["follow_symlinks"],
        0,
    )
    .keywords(0, 0)
    .bind::<1>(vm, &args, 1)?;
    let (_, _, node) = entry(vm, &args)?;
    Ok(Value::Bool(matches!(node, Node::File(_))))
}

fn is_symlink(vm: &mut Vm, args: Args) -> PyResult<Value> {
    entry(vm, &args)?;
    Ok(Value::Bool(false))
}

/// `stat(*, follow_symlinks=True)`.
fn entry_stat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("DirEntry", "stat", Style::Keywords, &["follow_symlinks"], 0)
        .keywords(0, 0)
        .bind::<1>(vm, &args, 1)?;
    let (_, path, node) = entry(vm, &args)?;
    stat_of(vm, &node, &path)
}

fn inode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, _, node) = entry(vm, &args)?;
    let ino = match node {
        Node::File(f) => f.ino,
        Node::Dir(d) => d.ino,
    };
    Ok(Value::Int(i64::try_from(ino).unwrap_or(i64::MAX)))
}

fn entry_fspath(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, path, _) = entry(vm, &args)?;
    Ok(Value::Str(path))
}

/// `DirEntry`'s members `name` and `path`.
pub fn attr(s: &Scandir, name: &str) -> Option<Value> {
    match (s, name) {
        (Scandir::Entry { name: n, .. }, "name") => Some(Value::Str(n.clone())),
        (Scandir::Entry { path, .. }, "path") => Some(Value::Str(path.clone())),
        _ => None,
    }
}

/// `<DirEntry 'name'>`, `<posix.ScandirIterator object at 0x…>`.
pub fn repr(vm: &mut Vm, v: &Value, s: &Scandir) -> PyResult<String> {
    match s {
        Scandir::Entry { name, .. } => {
            let r = vm.repr(&Value::Str(name.clone()))?;
            Ok(format!("<DirEntry {r}>"))
        }
        Scandir::Iter { .. } => Ok(format!(
            "<posix.ScandirIterator object at {:#x}>",
            v.address()
        )),
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("ScandirIterator", "__next__", iter_next),
    ("ScandirIterator", "__iter__", iter_self),
    ("ScandirIterator", "__enter__", iter_self),
    ("ScandirIterator", "__exit__", iter_close),
    ("ScandirIterator", "close", iter_close),
    ("DirEntry", "is_dir", is_dir),
    ("DirEntry", "is_file", is_file),
    ("DirEntry", "is_symlink", is_symlink),
    ("DirEntry", "stat", entry_stat),
    ("DirEntry", "inode", inode),
    ("DirEntry", "__fspath__", entry_fspath),
];
