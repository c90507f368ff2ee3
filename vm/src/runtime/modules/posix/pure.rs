//! The functions of `posix` that answer without the system: `strerror` (glibc's messages,
//! generated into `cpython_names::STRERROR`), `_path_normpath` (posixpath.normpath's C
//! half, `_Py_normpath_and_size`) and `register_at_fork`, which checks its callbacks and
//! keeps none: the VM never forks, so they could never run; `getpid`, and `getcwd` and
//! `getcwdb`, `uname`, `isatty`, `get_terminal_size`, `confstr` of the C library's
//! version and `sysconf` of glibc's constant `SC_IOV_MAX`, which answer as CPython on this machine, with its standard streams captured,
//! would.

use super::super::super::argspec::{required, Spec, Style};
use super::super::super::builtins::is_callable;
use super::super::super::cpython_names;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, NativeFn, Value};
use super::super::super::PyResult;

pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("strerror", strerror),
    ("_path_normpath", path_normpath),
    ("register_at_fork", register_at_fork),
    ("getpid", getpid),
    ("getcwd", getcwd),
    ("getcwdb", getcwdb),
    ("uname", uname),
    ("isatty", isatty),
    ("get_terminal_size", get_terminal_size),
    ("confstr", confstr),
    ("sysconf", sysconf),
];

/// `isatty(fd, /)`: no descriptor of the VM is a terminal — its standard streams are
/// captured — and CPython answers False for a descriptor that is not open.
fn isatty(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::method("posix", "isatty", Style::O, &["fd"], 1).bind::<1>(vm, &args, 0)?;
    c_int(vm, &required(fd))?;
    Ok(Value::Bool(false))
}

/// `get_terminal_size(fd=1, /)`: the standard streams are not terminals, which `ioctl`
/// reports as ENOTTY; other descriptors are unsupported.
fn get_terminal_size(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd] = Spec::method("posix", "get_terminal_size", Style::Positional, &["fd"], 0)
        .bind::<1>(vm, &args, 0)?;
    let fd = match fd {
        Some(fd) => c_int(vm, &fd)?,
        None => 1,
    };
    if !(0..=2).contains(&fd) {
        return Err(vm.unsupported("posix.get_terminal_size of a descriptor other than 0, 1, 2"));
    }
    let exc = crate::runtime::oserror::from_errno(vm, 25, None);
    Err(vm.raise(exc))
}

/// `uname()`: the host, kernel and machine the VM runs on, as CPython on this machine
/// reports them.
fn uname(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("posix", "uname", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let kernel = |name: &str| {
        std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
            .map(|s| s.trim_end().to_string())
    };
    let (Ok(host), Ok(release), Ok(version)) =
        (kernel("hostname"), kernel("osrelease"), kernel("version"))
    else {
        return Err(vm.unsupported("posix.uname without /proc/sys/kernel"));
    };
    let fields = vec![
        Value::str("Linux"),
        Value::str(&host),
        Value::str(&release),
        Value::str(&version),
        Value::str(std::env::consts::ARCH),
    ];
    Ok(super::super::super::structseq::make(
        vm,
        "uname_result",
        fields,
    ))
}

/// The working directory of the VM's process, where `python` run in its place would be;
/// for a program with a directory of its own (a case with modules), that directory.
fn cwd(vm: &Vm) -> PyResult<String> {
    if vm.program.is_some() {
        return Ok(crate::runtime::program::PROGRAM_DIR.to_owned());
    }
    match std::env::current_dir() {
        Ok(dir) => Ok(dir.to_string_lossy().into_owned()),
        Err(e) => Err(vm.unsupported(format!("posix.getcwd where the VM has none ({e})"))),
    }
}

/// `getcwd()`: the process's working directory (reading under it is not allowed; see
/// `readable`).
fn getcwd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("posix", "getcwd", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::str(&cwd(vm)?))
}

/// `getcwdb()`: `getcwd()` as bytes.
fn getcwdb(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("posix", "getcwdb", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Bytes(std::rc::Rc::from(cwd(vm)?.as_bytes())))
}

/// `getpid()`: the VM's own process id (logging records it; like CPython's, it differs
/// between runs).
fn getpid(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("posix", "getpid", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(i64::from(std::process::id())))
}

/// `strerror(code, /)`: the C library's message for an errno value.
fn strerror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [code] =
        Spec::method("posix", "strerror", Style::O, &["code"], 1).bind::<1>(vm, &args, 0)?;
    let code = c_int(vm, &required(code))?;
    let text = match cpython_names::STRERROR.iter().find(|(c, _)| *c == code) {
        Some((_, m)) => (*m).to_owned(),
        None => format!("Unknown error {code}"),
    };
    Ok(Value::str(&text))
}

/// `_PyLong_AsInt`: an int (or `__index__`) that fits in a C int.
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    vm.c_int(v).map(i64::from)
}

/// `register_at_fork(*, before=None, after_in_child=None, after_in_parent=None)`.
fn register_at_fork(vm: &mut Vm, args: Args) -> PyResult<Value> {
    const NAMES: [&str; 3] = ["before", "after_in_child", "after_in_parent"];
    let given = Spec::function("register_at_fork", Style::Keywords, &NAMES, 0)
        .keywords(0, 0)
        .bind::<3>(vm, &args, 0)?;
    if given.iter().all(Option::is_none) {
        return Err(vm.type_error("At least one argument is required."));
    }
    for (name, v) in NAMES.iter().zip(&given) {
        if let Some(v) = v {
            if !is_callable(vm, v) {
                let t = vm.type_of(v).name().clone();
                return Err(vm.type_error(format!("'{name}' must be callable, not {t}")));
            }
        }
    }
    Ok(Value::None)
}

/// `_path_normpath(path)`: a str normalised as posixpath.normpath does (an empty result
/// for `.`, which posixpath turns into `"."`).
fn path_normpath(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::function("_path_normpath", Style::Keywords, &["path"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let path = required(path);
    match path.builtin_value() {
        Value::Str(s) => Ok(Value::str(&normpath(s))),
        _ => {
            let t = vm.type_of(&path).name().clone();
            Err(vm.type_error(format!("expected 'str', not '{t}'")))
        }
    }
}

/// `_Py_normpath_and_size` (Python/fileutils.c) on POSIX, step by step over a buffer of
/// code points that it rewrites in place, as the C does.
fn normpath(s: &str) -> String {
    const SEP: char = '/';
    let mut b: Vec<char> = s.chars().collect();
    let end = b.len();
    if end == 0 {
        return String::new();
    }
    // The C string's terminator, and room to read one past it.
    b.extend(['\0', '\0', '\0']);
    let sep_or_end = |b: &[char], i: usize| b[i] == SEP || i == end;
    let mut start = 0;
    let (mut p1, mut p2, mut min_p2) = (0, 0, 0);
    let mut last = '\0';
    if b[0] == '.' && b[1] == SEP {
        // Skip a leading `./`.
        start = 2;
        while b[start] == SEP && start != end {
            start += 1;
        }
        (p1, p2, min_p2) = (start, start, start);
        last = SEP;
    } else if b[0] == SEP && b[1] == SEP && b[2] != SEP {
        // Keep exactly two leading separators.
        (p1, p2) = (2, 2);
        min_p2 = 1;
        last = SEP;
    }
    while p1 != end {
        let c = b[p1];
        if last == SEP {
            if c == '.' {
                let sep_at_1 = sep_or_end(&b, p1 + 1);
                let sep_at_2 = !sep_at_1 && sep_or_end(&b, p1 + 2);
                if sep_at_2 && b[p1 + 1] == '.' {
                    let mut p3 = p2;
                    while p3 != min_p2 {
                        p3 -= 1;
                        if b[p3] != SEP {
                            break;
                        }
                    }
                    while p3 != min_p2 && b[p3 - 1] != SEP {
                        p3 -= 1;
                    }
                    if p2 == min_p2 || (b[p3] == '.' && b[p3 + 1] == '.' && b[p3 + 2] == SEP) {
                        // The previous segment is `..` too (or there is none): keep it.
                        b[p2] = '.';
                        b[p2 + 1] = '.';
                        p2 += 2;
                        last = '.';
                    } else if b[p3] == SEP {
                        p2 = p3 + 1;
                    } else {
                        p2 = p3;
                    }
                    p1 += 1;
                } else if !sep_at_1 {
                    b[p2] = c;
                    p2 += 1;
                    last = c;
                }
            } else if c != SEP {
                b[p2] = c;
                p2 += 1;
                last = c;
            }
        } else {
            b[p2] = c;
            p2 += 1;
            last = c;
        }
        p1 += 1;
    }
    b[p2] = '\0';
    // Trailing separators go; the result ends after `p2`.
    let stop = if p2 != min_p2 {
        loop {
            p2 -= 1;
            if p2 == min_p2 || b[p2] != SEP {
                break;
            }
            b[p2] = '\0';
        }
        p2 + 1
    } else {
        min_p2
    };
    b[start..stop.max(start)].iter().collect()
}

/// `conv_confname`: a configuration name given as a string (looked up in `table`) or an
/// int.
fn conf_name(vm: &mut Vm, name: &Value, table: &[(&str, i64)]) -> PyResult<i64> {
    match name.builtin_value() {
        Value::Str(s) => match table.iter().find(|(n, _)| **n == **s) {
            Some(&(_, c)) => Ok(c),
            None => Err(vm.value_error("unrecognized configuration name")),
        },
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => c_int(vm, name),
        _ => Err(vm.type_error("configuration names must be strings or integers")),
    }
}

/// `confstr(name, /)`: the name as CPython converts it (`conv_confstr_confname`); only
/// `CS_GNU_LIBC_VERSION` is answered — by the glibc this process runs on, the one CPython
/// on this machine loads, read from the release string in the library file that
/// `/proc/self/maps` shows mapped (`subprocess` asks at import). Other names are
/// unsupported.
fn confstr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] =
        Spec::method("posix", "confstr", Style::O, &["name"], 1).bind::<1>(vm, &args, 0)?;
    let name = required(name);
    let code = conf_name(vm, &name, cpython_names::POSIX_CONFSTR_NAMES)?;
    let libc_version = cpython_names::POSIX_CONFSTR_NAMES
        .iter()
        .find(|(n, _)| *n == "CS_GNU_LIBC_VERSION")
        .map(|&(_, c)| c);
    if Some(code) != libc_version {
        return Err(vm.unsupported(format!("posix.confstr({code}) (only CS_GNU_LIBC_VERSION)")));
    }
    match glibc_version() {
        Some(v) => Ok(Value::str(&format!("glibc {v}"))),
        None => {
            Err(vm.unsupported("posix.confstr(CS_GNU_LIBC_VERSION) without glibc's release string"))
        }
    }
}

/// The version in glibc's "stable release version 2.36." string, from the libc.so.6 this
/// process has mapped.
fn glibc_version() -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let path = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| {
            p.rsplit('/')
                .next()
                .is_some_and(|f| f.starts_with("libc.so"))
        })?;
    let bytes = std::fs::read(path).ok()?;
    let marker = b"release version ";
    let at = bytes.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let rest = &bytes[at..];
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))?;
    let v = std::str::from_utf8(&rest[..end])
        .ok()?
        .trim_end_matches('.');
    (!v.is_empty()).then(|| v.to_owned())
}

/// glibc's `IOV_MAX` (`UIO_MAXIOV`): what its `sysconf(_SC_IOV_MAX)` returns, a constant of
/// the C library rather than of the machine.
const IOV_MAX: i64 = 1024;

/// `sysconf(name, /)`: the name as CPython converts it (`conv_sysconf_confname`); only
/// `SC_IOV_MAX`, a constant of glibc's (asyncio's selector_events asks at import), is
/// answered. The other names describe the machine and are unsupported.
fn sysconf(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] =
        Spec::method("posix", "sysconf", Style::O, &["name"], 1).bind::<1>(vm, &args, 0)?;
    let name = required(name);
    let code = conf_name(vm, &name, cpython_names::POSIX_SYSCONF_NAMES)?;
    let iov_max = cpython_names::POSIX_SYSCONF_NAMES
        .iter()
        .find(|(n, _)| *n == "SC_IOV_MAX")
        .map(|&(_, c)| c);
    if Some(code) != iov_max {
        return Err(vm.unsupported(format!("posix.sysconf({code}) (only SC_IOV_MAX)")));
    }
    Ok(Value::Int(IOV_MAX))
}
