//! `posix` (CPython `Modules/posixmodule.c`), read-only and sandboxed, with every name
//! CPython 3.12's has: `stat` and `listdir` of paths inside the standard library,
//! `fspath`, the pure functions (`pure`: `strerror`, `_path_normpath`,
//! `register_at_fork`), CPython's int constants, `_have_functions` and the
//! `*conf_names` tables (generated, `cpython_names`), a fixed empty environment, the
//! struct sequence types (`structseq`) and `DirEntry`. Every other function is present
//! and unsupported when called (`sandboxed`). The standard library is the only part of
//! the file system a program sees; a path elsewhere, the working directory and anything
//! that writes are unsupported.

use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

pub mod children;
mod pure;
mod sandboxed;
pub mod scratchfs;

pub use sandboxed::is_sandboxed;

use super::super::argspec::{Spec, Style};
use super::super::cpython_names;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::program::{self, Entry};
use super::super::scratch::{Found, Node};
use super::super::{PyResult, Throw};

/// CPython's `posix.__doc__`.
const DOC: &str = "This module provides access to operating system functionality that is
standardized by the C Standard and the POSIX standard (a thinly
disguised Unix interface).  Refer to the library manual and
corresponding Unix manual entries for more information on calls.";

/// Fills the namespace in CPython's order (`cpython_names::POSIX_ORDER`), which
/// `vars(posix)` and `from posix import *` show.
pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    let staging = Dict::new_rc();
    fill(vm, &staging);
    for name in cpython_names::POSIX_ORDER {
        if let Some(v) = staging.get_str(name) {
            d.set_str(name, v);
        }
    }
}

/// Every name of the module, in no particular order.
fn fill(vm: &Vm, d: &Rc<Dict>) {
    for &(name, value) in cpython_names::POSIX_INTS {
        d.set_str(name, Value::Int(value));
    }
    super::add_functions(
        d,
        "posix",
        &[
            ("stat", stat),
            ("lstat", lstat),
            ("listdir", listdir),
            ("fspath", fspath),
        ],
    );
    super::add_functions(d, "posix", pure::FUNCTIONS);
    super::add_functions(d, "posix", sandboxed::FUNCTIONS);
    super::add_functions(d, "posix", scratchfs::FUNCTIONS);
    super::add_functions(d, "posix", children::FUNCTIONS);
    super::add_functions(d, "posix", children::PURE);
    // A fixed environment (posix.environ maps bytes to bytes): the same for every run,
    // whatever the host's, and consistent with the rest of the sandbox — the C.UTF-8
    // locale of `_locale`, the UTC local time of `time`, and a home directory that does
    // not exist (as Debian's `nobody` has), so `os.path.expanduser` needs no `pwd`.
    let environ = Dict::new_rc();
    for (k, v) in &crate::runtime::process::environ() {
        let key = Value::Bytes(Rc::from(k.as_bytes()));
        let value = Value::Bytes(Rc::from(v.as_bytes()));
        // Bytes are hashable: `set` cannot fail.
        let _ = environ.set(key, value);
    }
    d.set_str("environ", Value::Dict(environ));
    d.set_str("error", Value::Type(vm.ty("OSError")));
    let have = cpython_names::POSIX_HAVE_FUNCTIONS
        .iter()
        .map(|n| Value::str(n))
        .collect();
    d.set_str("_have_functions", Value::list(have));
    for (name, table) in [
        ("confstr_names", cpython_names::POSIX_CONFSTR_NAMES),
        ("pathconf_names", cpython_names::POSIX_PATHCONF_NAMES),
        ("sysconf_names", cpython_names::POSIX_SYSCONF_NAMES),
    ] {
        let names = Dict::new_rc();
        for &(k, v) in table {
            names.set_str(k, Value::Int(v));
        }
        d.set_str(name, Value::Dict(names));
    }
    for t in TYPES {
        d.set_str(t, Value::Type(vm.ty(t)));
    }
}

/// The sandbox's fixed environment, `os.environ` for every program.
pub const ENVIRON: &[(&str, &str)] = &[
    ("HOME", "/nonexistent"),
    ("LANG", "C.UTF-8"),
    ("PATH", "/usr/bin:/bin"),
    ("TZ", "UTC"),
];

/// posix's types: `DirEntry` (which a program cannot instantiate) and the struct
/// sequences (`structseq`).
const TYPES: &[&str] = &[
    "DirEntry",
    "sched_param",
    "stat_result",
    "statvfs_result",
    "terminal_size",
    "times_result",
    "uname_result",
    "waitid_result",
];

/// `path` as the sandbox allows reading it: inside the standard library, `.` and `..`
/// resolved by name. Anything else is unsupported, as is a relative path (the working
/// directory is where `python` would run, which for a case is not where the VM runs).
pub fn readable(vm: &Vm, path: &str) -> PyResult<PathBuf> {
    inside(vm, path, false)
}

/// [`readable`] for `stat`, which may also look at the directories that lead to the
/// standard library (`os.path.realpath` of a module's path walks them) and at the rest
/// of the CPython installation it belongs to (sysconfig probes it, e.g. for the
/// `Modules/Setup` of a source build beside `sys.executable`) — or at any path of the
/// host when the program runs where `python` would (`Vm::host_metadata`).
fn statable(vm: &Vm, path: &str) -> PyResult<PathBuf> {
    if vm.host_metadata {
        return Ok(PathBuf::from(path));
    }
    match around_program(vm, path) {
        Some(Around::Directory(p)) => return Ok(p),
        Some(Around::Program) => {
            let e = std::io::Error::from(std::io::ErrorKind::NotFound);
            return Err(os_error(vm, &e, path));
        }
        None => {}
    }
    inside(vm, path, true)
}

/// What [`around_program`] found.
enum Around {
    /// The working directory or a directory above it: the host answers (`getcwd` already
    /// tells the program where it runs).
    Directory(PathBuf),
    /// The program's own file, `main.py` in the working directory, for a case: CPython
    /// runs a case from memory (the adapter gives its source to linecache), so there is
    /// no such file, as the VM's run gives linecache the source instead
    /// (`Vm::main_source`).
    Program,
}

/// `path` if it is what `os.path.realpath` of the program's path looks at
/// (`inspect.getmodule` maps each module's real path): the directories from the root to
/// the working directory, and the program's own file in it. Nothing under the working
/// directory is read.
fn around_program(vm: &Vm, path: &str) -> Option<Around> {
    let cwd = std::env::current_dir().ok()?;
    let p = Path::new(path);
    let has_dots = p
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir));
    let own = (vm.main_source.is_some() && !vm.filename.starts_with('/'))
        .then(|| cwd.join(&*vm.filename));
    if own.is_some() && (path == &*vm.filename || own.as_deref() == Some(p)) {
        return Some(Around::Program);
    }
    (p.is_absolute() && !has_dots && cwd.starts_with(p)).then(|| Around::Directory(p.to_path_buf()))
}

fn inside(vm: &Vm, path: &str, metadata: bool) -> PyResult<PathBuf> {
    let joined;
    let p = match std::env::current_dir() {
        Ok(cwd) if vm.host_metadata => {
            joined = cwd.join(path);
            joined.as_path()
        }
        _ => Path::new(path),
    };
    if !p.is_absolute() {
        return Err(vm.unsupported(format!(
            "the relative path {path:?} (relative to the working directory, which the \
             sandbox does not read)"
        )));
    }
    let normal = crate::runtime::program::normal(p);
    let Some(root) = &vm.stdlib else {
        return Err(vm.unsupported(format!("reading {path:?} without a standard library")));
    };
    let prefix = crate::runtime::sysmod::installation_prefix(root);
    let visible = normal.starts_with(root)
        || (metadata && root.starts_with(&normal))
        || (metadata && prefix.is_some_and(|p| normal.starts_with(p)));
    if visible {
        return Ok(normal);
    }
    // Where the program runs as `python` would, the host already answers `stat` for any
    // path, so a file that is not there is the FileNotFoundError CPython raises (pdb, for
    // one, tries ~/.pdbrc and ./.pdbrc). A file that is there stays unread.
    if vm.host_metadata {
        if let Err(e) = std::fs::metadata(p) {
            if e.kind() == std::io::ErrorKind::NotFound {
                return Err(os_error(vm, &e, path));
            }
        }
    }
    Err(vm.unsupported(format!(
        "reading {path:?} (a program may read only the standard library)"
    )))
}

/// The OSError subclass CPython raises for `e` on `path`, with its `errno`,
/// `strerror` and `filename`.
pub fn os_error(vm: &Vm, e: &std::io::Error, path: &str) -> Throw {
    use std::io::ErrorKind as K;
    let (class, errno, text) = match e.kind() {
        K::NotFound => ("FileNotFoundError", 2, "No such file or directory"),
        K::PermissionDenied => ("PermissionError", 13, "Permission denied"),
        K::NotADirectory => ("NotADirectoryError", 20, "Not a directory"),
        K::IsADirectory => ("IsADirectoryError", 21, "Is a directory"),
        _ => return vm.unsupported(format!("the OSError of reading {path:?}: {e}")),
    };
    let args = vec![Value::Int(errno), Value::str(text), Value::str(path)];
    let exc = vm.new_exception(&vm.ty(class), args);
    vm.raise(exc)
}

/// The path argument of `stat` and `listdir`: a str (bytes and file descriptors are
/// unsupported).
pub(super) fn path_arg(vm: &mut Vm, v: Option<Value>, fname: &str) -> PyResult<Rc<str>> {
    // `path_converter`: an os.PathLike object is its `__fspath__()`.
    let v = match v {
        Some(p @ Value::Object(_)) => Some(fspath_of(vm, &p)?.unwrap_or(p)),
        other => other,
    };
    match v.as_ref().map(Value::builtin_value) {
        // CPython encodes it with surrogateescape, to bytes the VM's host paths cannot be.
        Some(Value::Str(s)) => {
            crate::runtime::standins::reject(vm, s, "a path")?;
            Ok(s.clone())
        }
        Some(Value::Bytes(_) | Value::Int(_)) => {
            Err(vm.unsupported(format!("posix.{fname} of bytes or a file descriptor")))
        }
        Some(other) => {
            let n = vm.type_of(other).name().clone();
            // `path_converter`'s list follows what the function accepts.
            let kinds = match fname {
                "stat" => "string, bytes, os.PathLike or integer",
                "listdir" => "string, bytes, os.PathLike, integer or None",
                _ => "string, bytes or os.PathLike",
            };
            Err(vm.type_error(format!("{fname}: path should be {kinds}, not {n}")))
        }
        None => Err(vm.bug("a missing path")),
    }
}

/// `stat(path, *, dir_fd=None, follow_symlinks=True)`.
fn stat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path, dir_fd, follow] = Spec::function(
        "stat",
        Style::Keywords,
        &["path", "dir_fd", "follow_symlinks"],
        1,
    )
    .keywords(0, 1)
    .bind::<3>(vm, &args, 0)?;
    let follow = match follow {
        Some(f) => vm.truthy(&f)?,
        None => true,
    };
    stat_of(vm, path, dir_fd, follow, "stat")
}

/// `lstat(path, *, dir_fd=None)`: `stat` of a symbolic link itself.
fn lstat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path, dir_fd] = Spec::function("lstat", Style::Keywords, &["path", "dir_fd"], 1)
        .keywords(0, 1)
        .bind::<2>(vm, &args, 0)?;
    stat_of(vm, path, dir_fd, false, "lstat")
}

fn stat_of(
    vm: &mut Vm,
    path: Option<Value>,
    dir_fd: Option<Value>,
    follow: bool,
    fname: &str,
) -> PyResult<Value> {
    let path = path_arg(vm, path, fname)?;
    if dir_fd.is_some_and(|d| !d.is_none()) {
        return Err(vm.unsupported(format!("posix.{fname} with dir_fd")));
    }
    match scratchfs::lookup(vm, &path) {
        Some(Found::Node(n)) => return scratchfs::stat_of(vm, &n, &path),
        Some(Found::NotDir) => return Err(program_error(vm, &Entry::NotDir, &path)),
        Some(Found::Missing) => return Err(program_error(vm, &Entry::Missing, &path)),
        None => {}
    }
    if let Some(entry) = in_program(vm, &path) {
        return match entry {
            Entry::File(data) => Ok(program_stat(vm, false, data.len())),
            Entry::Dir(_) => Ok(program_stat(vm, true, 0)),
            missing => Err(program_error(vm, &missing, &path)),
        };
    }
    let file = statable(vm, &path)?;
    let meta = if follow {
        std::fs::metadata(&file)
    } else {
        std::fs::symlink_metadata(&file)
    };
    match meta {
        Ok(m) => Ok(stat_result(vm, &m)),
        Err(e) => Err(os_error(vm, &e, &path)),
    }
}

/// What the program's directory (`runtime::program`) holds at `path`, when it is inside.
/// It is also the working directory (as for `cd DIR; python main.py`), so a relative
/// path is looked up there.
pub fn in_program(vm: &Vm, path: &str) -> Option<Entry> {
    let program = vm.program.as_ref()?;
    if path.is_empty() {
        // ENOENT, as the system answers for "".
        return Some(Entry::Missing);
    }
    let p = Path::new(program::PROGRAM_DIR).join(path);
    program.lookup(&program::normal(&p))
}

/// The OSError of a path of the program's directory that is not there (or goes through
/// a file), as the system's would be.
pub fn program_error(vm: &Vm, entry: &Entry, path: &str) -> Throw {
    use std::io::{Error, ErrorKind};
    let kind = match entry {
        Entry::NotDir => ErrorKind::NotADirectory,
        Entry::Dir(_) => ErrorKind::IsADirectory,
        _ => ErrorKind::NotFound,
    };
    os_error(vm, &Error::from(kind), path)
}

/// The `stat_result` of a file (`size` bytes) or directory of the program's directory:
/// owned by root, read-only, with every time 0 (they are in memory, made for the run).
fn program_stat(vm: &Vm, dir: bool, size: usize) -> Value {
    let mode = if dir { 0o040_755 } else { 0o100_644 };
    entry_stat(vm, mode, size, 0, if dir { 2 } else { 1 }, 0)
}

/// The `stat_result` of an entry the VM holds in memory (`mode` with its type bits):
/// owned by root, on device 0, with every time `time_ns` (0 for the program's files,
/// made for the run; a scratch entry's last change).
fn entry_stat(vm: &Vm, mode: u32, size: usize, ino: u64, nlink: i64, time_ns: i64) -> Value {
    let zero = || Value::Int(0);
    let secs = time_ns.div_euclid(1_000_000_000);
    let float = time_ns as f64 * 1e-9;
    let fields = vec![
        Value::Int(i64::from(mode)),
        Value::Int(i64::try_from(ino).unwrap_or(i64::MAX)),
        zero(),
        Value::Int(nlink),
        zero(),
        zero(),
        Value::Int(i64::try_from(size).unwrap_or(i64::MAX)),
        Value::Int(secs),
        Value::Int(secs),
        Value::Int(secs),
        Value::Float(float),
        Value::Float(float),
        Value::Float(float),
        Value::Int(time_ns),
        Value::Int(time_ns),
        Value::Int(time_ns),
        Value::Int(4096),
        Value::Int(i64::try_from(size.div_ceil(512)).unwrap_or(i64::MAX)),
        zero(),
    ];
    super::super::structseq::make(vm, "stat_result", fields)
}

/// An `os.stat_result`: ten fields by index, nineteen by name.
fn stat_result(vm: &Vm, m: &std::fs::Metadata) -> Value {
    use std::os::unix::fs::MetadataExt;
    let secs = |s: i64, ns: i64| s as f64 + ns as f64 * 1e-9;
    let total_ns = |s: i64, ns: i64| {
        Value::from_num(crate::arith::Num::from_big(
            num_bigint::BigInt::from(s) * 1_000_000_000 + ns,
        ))
    };
    let int = |x: u64| Value::Int(x as i64);
    let fields = vec![
        int(u64::from(m.mode())),
        int(m.ino()),
        int(m.dev()),
        int(m.nlink()),
        int(u64::from(m.uid())),
        int(u64::from(m.gid())),
        int(m.size()),
        Value::Int(m.atime()),
        Value::Int(m.mtime()),
        Value::Int(m.ctime()),
        Value::Float(secs(m.atime(), m.atime_nsec())),
        Value::Float(secs(m.mtime(), m.mtime_nsec())),
        Value::Float(secs(m.ctime(), m.ctime_nsec())),
        total_ns(m.atime(), m.atime_nsec()),
        total_ns(m.mtime(), m.mtime_nsec()),
        total_ns(m.ctime(), m.ctime_nsec()),
        int(m.blksize()),
        int(m.blocks()),
        int(m.rdev()),
    ];
    super::super::structseq::make(vm, "stat_result", fields)
}

/// `listdir(path)`: the names in a directory, in the order the system gives them.
fn listdir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::method("posix", "listdir", Style::Keywords, &["path"], 0)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let path = match path.filter(|p| !p.is_none()) {
        Some(p) => p,
        // The working directory of a program with a directory of its own is that one.
        None if vm.program.is_some() => Value::str("."),
        None => return Err(vm.unsupported("posix.listdir() of the working directory")),
    };
    let path = path_arg(vm, Some(path), "listdir")?;
    match scratchfs::lookup(vm, &path) {
        Some(Found::Node(Node::Dir(_))) => {
            let abs = scratchfs::absolute(vm, &path).unwrap_or_default();
            let names = scratchfs::list(vm, &abs, &path)?;
            return Ok(Value::list(names.iter().map(|n| Value::str(n)).collect()));
        }
        Some(Found::Node(Node::File(_)) | Found::NotDir) => {
            return Err(program_error(vm, &Entry::NotDir, &path))
        }
        Some(Found::Missing) => return Err(program_error(vm, &Entry::Missing, &path)),
        None => {}
    }
    if let Some(entry) = in_program(vm, &path) {
        // The program's directory with entries the program made in it: their order
        // among the case's files is the host file system's.
        if let (Entry::Dir(_), Some(abs)) = (&entry, scratchfs::absolute(vm, &path)) {
            if !vm.scratch.children(&abs).is_empty() {
                return Err(vm.unsupported(format!(
                    "listing {path:?} with entries the program made (their order is the \
                     host file system's)"
                )));
            }
        }
        return match entry {
            Entry::Dir(names) => Ok(Value::list(names.iter().map(|n| Value::str(n)).collect())),
            Entry::File(_) => Err(program_error(vm, &Entry::NotDir, &path)),
            missing => Err(program_error(vm, &missing, &path)),
        };
    }
    let dir = readable(vm, &path)?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => return Err(os_error(vm, &e, &path)),
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => match e.file_name().into_string() {
                Ok(n) => names.push(Value::str(&n)),
                Err(_) => return Err(vm.unsupported("a file name that is not UTF-8")),
            },
            Err(e) => return Err(os_error(vm, &e, &path)),
        }
    }
    Ok(Value::list(names))
}

/// `fspath(path)`: a str or bytes as it is, else its `__fspath__()`.
fn fspath(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::method("posix", "fspath", Style::Keywords, &["path"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let path = path.unwrap_or(Value::None);
    match fspath_of(vm, &path)? {
        Some(p) => Ok(p),
        None => Err(vm.type_error(format!(
            "expected str, bytes or os.PathLike object, not {}",
            vm.type_of(&path).name()
        ))),
    }
}

/// `PyOS_FSPath`: a str or bytes as it is, else what its class's `__fspath__` returns,
/// which must be a str or bytes; `None` when the class has no `__fspath__` (each caller
/// words that TypeError its own way).
pub fn fspath_of(vm: &mut Vm, path: &Value) -> PyResult<Option<Value>> {
    if matches!(path.builtin_value(), Value::Str(_) | Value::Bytes(_)) {
        return Ok(Some(path.clone()));
    }
    let t = vm.type_of(path);
    let Some(f) = t.lookup("__fspath__") else {
        return Ok(None);
    };
    let r = vm.call1(&f, path.clone())?;
    if matches!(r.builtin_value(), Value::Str(_) | Value::Bytes(_)) {
        Ok(Some(r))
    } else {
        let rn = vm.type_of(&r).name().clone();
        Err(vm.type_error(format!(
            "expected {}.__fspath__() to return str or bytes, not {rn}",
            t.name()
        )))
    }
}
