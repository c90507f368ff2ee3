//! `OSError` (CPython `PyOSErrorObject`, Objects/exceptions.c): its members `errno`,
//! `strerror`, `filename` and `filename2`, which are slots of the object rather than
//! entries of its `__dict__`; `OSError_new` and `OSError_init` (`oserror_parse_args`,
//! `oserror_init`), with the errno → subclass map that makes `OSError(2, …)` a
//! FileNotFoundError; and `OSError_str`.

use std::rc::Rc;

use super::cpython_names::ERRNO;
use super::interp::Vm;
use super::object::Value;
use super::types::Type;
use super::PyResult;

/// The members, in `ExcData::members` order.
pub const MEMBERS: [&str; 4] = ["errno", "strerror", "filename", "filename2"];

/// `errnomap` (`_PyExc_InitState`): the subclass `OSError(errno, …)` makes, by errno name.
const SUBCLASSES: &[(&str, &str)] = &[
    ("EAGAIN", "BlockingIOError"),
    ("EALREADY", "BlockingIOError"),
    ("EINPROGRESS", "BlockingIOError"),
    ("EWOULDBLOCK", "BlockingIOError"),
    ("EPIPE", "BrokenPipeError"),
    ("ESHUTDOWN", "BrokenPipeError"),
    ("ECHILD", "ChildProcessError"),
    ("ECONNABORTED", "ConnectionAbortedError"),
    ("ECONNREFUSED", "ConnectionRefusedError"),
    ("ECONNRESET", "ConnectionResetError"),
    ("EEXIST", "FileExistsError"),
    ("ENOENT", "FileNotFoundError"),
    ("EISDIR", "IsADirectoryError"),
    ("ENOTDIR", "NotADirectoryError"),
    ("EINTR", "InterruptedError"),
    ("EACCES", "PermissionError"),
    ("EPERM", "PermissionError"),
    ("ESRCH", "ProcessLookupError"),
    ("ETIMEDOUT", "TimeoutError"),
];

/// Whether `t` is OSError or a subclass.
pub fn is_os_error_type(vm: &Vm, t: &Rc<Type>) -> bool {
    t.is_exception() && t.is_subtype(&vm.ty("OSError"))
}

fn is_os_error(vm: &Vm, v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.exc.is_some() && is_os_error_type(vm, &o.class.borrow()))
}

/// `oserror_use_init`: a class with its own `__init__` and OSError's `__new__` parses its
/// arguments in `__init__`, not in `__new__`.
pub fn use_init(t: &Rc<Type>) -> bool {
    t.overrides("__init__") && !t.overrides("__new__")
}

/// The member `name` of an OSError, `None` when `name` is not one (unset members are
/// Python's None).
pub fn get(vm: &Vm, v: &Value, name: &str) -> Option<Value> {
    let i = MEMBERS.iter().position(|m| *m == name)?;
    if !is_os_error(vm, v) {
        return None;
    }
    Some(v.exc()?.member(i))
}

/// Sets the member `name` of an OSError; false when `name` is not one.
pub fn set(vm: &Vm, v: &Value, name: &str, x: Value) -> bool {
    set_or_clear(vm, v, name, Some(x))
}

/// Sets (`Some`) or clears (`None`: NULL again, `del e.filename`) the member `name` of an
/// OSError; false when `name` is not one. `ExcData::present` tells set from NULL, which
/// `OSError_reduce` does.
pub fn set_or_clear(vm: &Vm, v: &Value, name: &str, x: Option<Value>) -> bool {
    let Some(i) = MEMBERS.iter().position(|m| *m == name) else {
        return false;
    };
    let Some(data) = v.exc().filter(|_| is_os_error(vm, v)) else {
        return false;
    };
    let bit = 1 << i;
    let present = data.present.get();
    data.present.set(if x.is_some() {
        present | bit
    } else {
        present & !bit
    });
    data.set_member(i, MEMBERS.len(), x.unwrap_or(Value::None));
    true
}

/// `OSError_reduce`'s arguments: `args`, but with a filename set and `args` the two kept
/// by `oserror_init`, errno, strerror and the filename (then None for winerror and the
/// second filename when that is set).
pub fn reduce_args(vm: &Vm, v: &Value) -> Option<Value> {
    let data = v.exc().filter(|_| is_os_error(vm, v))?;
    let args = data.args.borrow().clone();
    let Value::Tuple(items) = &args else {
        return Some(args);
    };
    let present = |i: usize| data.present.get() & (1 << i) != 0;
    if items.len() != 2 || !present(2) {
        return Some(args);
    }
    let mut out = items.to_vec();
    out.push(data.member(2));
    if present(3) {
        out.push(Value::None);
        out.push(data.member(3));
    }
    Some(Value::tuple(out))
}

/// The class `OSError_new` makes for `t` called with `args`: a subclass by errno when `t`
/// is OSError itself and the errno an int the map knows.
pub fn class_for(vm: &Vm, t: &Rc<Type>, args: &[Value]) -> Rc<Type> {
    let base = vm.ty("OSError");
    if !Rc::ptr_eq(t, &base) || !(2..=5).contains(&args.len()) {
        return t.clone();
    }
    let errno = match args[0].builtin_value() {
        Value::Int(n) => *n,
        Value::Bool(b) => i64::from(*b),
        _ => return t.clone(),
    };
    SUBCLASSES
        .iter()
        .find(|(name, _)| ERRNO.iter().any(|&(n, v)| n == *name && v == errno))
        .map_or_else(|| t.clone(), |(_, class)| vm.ty(class))
}

/// `oserror_parse_args` then `oserror_init` on the exception `exc` (of class `t`): with 2
/// to 5 arguments they are errno, strerror, filename, winerror (ignored off Windows) and
/// filename2; with a filename the arguments kept are the first two. BlockingIOError's
/// third argument, when a number, is the count of characters written instead (which
/// the VM does not keep: `characters_written` is unsupported). Returns the arguments
/// `args` becomes.
pub fn init(vm: &Vm, exc: &Value, t: &Rc<Type>, args: Vec<Value>) -> Vec<Value> {
    if !(2..=5).contains(&args.len()) {
        return args;
    }
    set(vm, exc, "errno", args[0].clone());
    set(vm, exc, "strerror", args[1].clone());
    let filename = args.get(2).filter(|f| !f.is_none());
    let Some(filename) = filename else {
        return args;
    };
    if t.is_subtype(&vm.ty("BlockingIOError"))
        && matches!(
            filename.builtin_value(),
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_) | Value::Complex(_)
        )
    {
        return args;
    }
    set(vm, exc, "filename", filename.clone());
    if let Some(f2) = args.get(4).filter(|f| !f.is_none()) {
        set(vm, exc, "filename2", f2.clone());
    }
    args[..2].to_vec()
}

/// `OSError_str`: `[Errno 2] No such file or directory: 'p'`, with ` -> 'q'` for a second
/// filename; `None` where `BaseException_str` answers.
pub fn str_of(vm: &mut Vm, v: &Value) -> PyResult<Option<String>> {
    if !is_os_error(vm, v) {
        return Ok(None);
    }
    let member = |name| get(vm, v, name).unwrap_or(Value::None);
    let (errno, strerror) = (member("errno"), member("strerror"));
    let (filename, filename2) = (member("filename"), member("filename2"));
    if !filename.is_none() {
        let (e, s, f) = (
            vm.str_of(&errno)?,
            vm.str_of(&strerror)?,
            vm.repr(&filename)?,
        );
        return Ok(Some(if filename2.is_none() {
            format!("[Errno {e}] {s}: {f}")
        } else {
            format!("[Errno {e}] {s}: {f} -> {}", vm.repr(&filename2)?)
        }));
    }
    if !errno.is_none() && !strerror.is_none() {
        let (e, s) = (vm.str_of(&errno)?, vm.str_of(&strerror)?);
        return Ok(Some(format!("[Errno {e}] {s}")));
    }
    Ok(None)
}

/// The OSError a native function raises for `errno`: the subclass the errno maps to,
/// `strerror` the C library's message, and `filename` when a path is involved.
pub fn from_errno(vm: &Vm, errno: i64, filename: Option<&str>) -> Value {
    let text = super::cpython_names::STRERROR
        .iter()
        .find(|(c, _)| *c == errno)
        .map_or_else(
            || format!("Unknown error {errno}"),
            |(_, m)| (*m).to_owned(),
        );
    let mut args = vec![Value::Int(errno), Value::str(&text)];
    if let Some(f) = filename {
        args.push(Value::str(f));
    }
    let t = class_for(vm, &vm.ty("OSError"), &args);
    vm.new_exception(&t, args)
}
