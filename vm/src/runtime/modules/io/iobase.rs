//! `_io._IOBase`, `_io._RawIOBase`, `_io._BufferedIOBase` and `_io._TextIOBase` (CPython
//! `Modules/_io/iobase.c`, `bufferedio.c`'s `_BufferedIOBase`, `textio.c`'s
//! `_TextIOBase`): the bases `io.IOBase` and its kin derive from. Their instances are
//! plain instances (CPython keeps an _IOBase's state in its dict: closing sets
//! `__IOBase_closed`), so every method here works through the instance's attributes, as
//! the C code does, and applies to Python subclasses unchanged.
//!
//! CPython's `iobase_finalize` calls `close()` when such an object is freed; the VM
//! runs no finalizers, so making an instance of a class whose own code defines `close`,
//! `flush` or `closed` (what that call would run) is unsupported (`check_instance`).

use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::bytearray::{as_bytearray, new_value as new_bytearray};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, NativeFn, Value};
use super::super::super::types::Type;
use super::super::super::{PyResult, Throw};
use super::{lookup_attr, opt_ssize, unsupported_operation};

/// The tp_names of the four bases.
pub const BASES: &[&str] = &[
    "_io._IOBase",
    "_io._RawIOBase",
    "_io._BufferedIOBase",
    "_io._TextIOBase",
];

/// `iobase_is_closed`: whether `__IOBase_closed` exists.
fn is_closed(vm: &mut Vm, me: &Value) -> PyResult<bool> {
    Ok(lookup_attr(vm, me, "__IOBase_closed")?.is_some())
}

/// `iobase_check_closed`: the derived `closed` attribute, true → ValueError.
fn check_closed(vm: &mut Vm, me: &Value) -> PyResult<()> {
    if let Some(c) = lookup_attr(vm, me, "closed")? {
        if vm.truthy(&c)? {
            return Err(vm.value_error("I/O operation on closed file."));
        }
    }
    Ok(())
}

fn this(args: &Args) -> Value {
    args.pos.first().cloned().unwrap_or_default()
}

fn call_method(vm: &mut Vm, me: &Value, name: &str, args: Vec<Value>) -> PyResult<Value> {
    let f = vm.getattr(me, name)?;
    vm.call(&f, Args::new(args))
}

/// `_PyIO_trap_eintr`: an OSError with errno EINTR is retried by CPython; the VM cannot
/// tell its errno apart here, so such an error is unsupported.
fn trap_eintr(vm: &Vm, e: Throw) -> Throw {
    if let Throw::Exc(x) = &e {
        if vm.is_instance_of(x, "OSError") {
            if let Some(d) = x.exc() {
                if let Value::Tuple(t) = &*d.args.borrow() {
                    if t.len() >= 2 && matches!(t[0], Value::Int(4)) {
                        return vm.unsupported("an OSError with errno EINTR from an I/O method");
                    }
                }
            }
        }
    }
    e
}

/// The getsets of the bases for an instance of a class deriving from them: `closed`
/// (`iobase_closed_get`) and `_TextIOBase`'s `encoding`, `errors`, `newlines` (None),
/// unless a class before the base in the MRO defines the name.
pub fn getset(vm: &mut Vm, me: &Value, cls: &Rc<Type>, name: &str) -> PyResult<Option<Value>> {
    for c in cls.mro() {
        if c.dict.get_str(name).is_some() {
            return Ok(None);
        }
        if !c.is_builtin() {
            continue;
        }
        match (&*c.name(), name) {
            ("_io.StringIO" | "_io.BytesIO", _) => return Ok(None),
            ("_io._TextIOBase", "encoding" | "errors" | "newlines") => {
                return Ok(Some(Value::None))
            }
            ("_io._IOBase", "closed") => return Ok(Some(Value::Bool(is_closed(vm, me)?))),
            _ => {}
        }
    }
    Ok(None)
}

/// Whether instances of `cls` are `_io._IOBase` objects.
pub fn is_io_instance(cls: &Rc<Type>) -> bool {
    // Checked on every instance creation: no copy of the MRO.
    std::iter::once(cls)
        .chain(cls.mro_rest.iter())
        .any(|c| c.is_builtin() && &*c.name() == "_io._IOBase")
}

/// Refuses to make an instance of a class deriving from `_IOBase` whose own code
/// defines what CPython's finalizer would run when the instance is freed.
pub fn check_instance(vm: &Vm, t: &Rc<Type>) -> PyResult<()> {
    if t.is_builtin() || !is_io_instance(t) {
        return Ok(());
    }
    for name in ["close", "flush", "closed"] {
        if t.mro()
            .iter()
            .any(|c| !c.is_builtin() && c.dict.get_str(name).is_some())
        {
            return Err(vm.unsupported(format!(
                "an instance of a class deriving from _io._IOBase that defines {name} \
                 (CPython calls close() when it is freed; the VM runs no finalizers)"
            )));
        }
    }
    Ok(())
}

/// `seek(offset, whence=0, /)`: UnsupportedOperation.
fn seek(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [offset, whence] =
        Spec::method("_IOBase", "seek", Style::Keywords, &["offset", "whence"], 1)
            .bind(vm, &args, 1)?;
    argspec::index(vm, &argspec::required(offset).builtin_value().clone())?;
    if let Some(w) = whence {
        argspec::index(vm, &w.builtin_value().clone())?;
    }
    Err(unsupported_operation(vm, "seek"))
}

/// `tell()`: `self.seek(0, 1)`.
fn tell(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "tell")?;
    call_method(vm, &this(&args), "seek", vec![Value::Int(0), Value::Int(1)])
}

/// `truncate(size=None, /)`: UnsupportedOperation.
fn truncate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_IOBase", "truncate", Style::Keywords, &["size"], 0).parse(vm, &args, 1)?;
    Err(unsupported_operation(vm, "truncate"))
}

/// `flush()`: None while open, ValueError once closed.
fn flush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "flush")?;
    if is_closed(vm, &this(&args))? {
        return Err(vm.value_error("I/O operation on closed file."));
    }
    Ok(Value::None)
}

/// `close()`: `flush()`, then `__IOBase_closed` set (even when flush raised).
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "close")?;
    let me = this(&args);
    if is_closed(vm, &me)? {
        return Ok(Value::None);
    }
    let flushed = call_method(vm, &me, "flush", Vec::new());
    let set = vm.setattr(&me, "__IOBase_closed", Value::Bool(true));
    match (flushed, set) {
        (Err(e), Ok(())) => Err(e),
        (Ok(_), Ok(())) => Ok(Value::None),
        (Ok(_), Err(e)) => Err(e),
        (Err(_), Err(_)) => Err(vm.unsupported("close() whose flush and closing both failed")),
    }
}

fn answer_false(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    argspec::no_args(vm, args, "_IOBase", name)?;
    Ok(Value::Bool(false))
}

fn seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer_false(vm, &args, "seekable")
}
fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer_false(vm, &args, "readable")
}
fn writable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer_false(vm, &args, "writable")
}

/// `isatty()`: checked open, False.
fn isatty(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "isatty")?;
    check_closed(vm, &this(&args))?;
    Ok(Value::Bool(false))
}

fn fileno(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args_defining(vm, &args, "fileno")?;
    Err(unsupported_operation(vm, "fileno"))
}

fn check_closed_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "_checkClosed")?;
    check_closed(vm, &this(&args))?;
    Ok(Value::None)
}

/// `_PyIOBase_check_seekable` and its kin: the method's answer when it is True.
fn check_able(vm: &mut Vm, args: &Args, name: &str, what: &str) -> PyResult<Value> {
    argspec::no_args(vm, args, "_IOBase", name)?;
    let res = call_method(vm, &this(args), what, Vec::new())?;
    if !matches!(res, Value::Bool(true)) {
        return Err(unsupported_operation(
            vm,
            &format!("File or stream is not {what}."),
        ));
    }
    Ok(res)
}

fn check_seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_able(vm, &args, "_checkSeekable", "seekable")
}
fn check_readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_able(vm, &args, "_checkReadable", "readable")
}
fn check_writable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_able(vm, &args, "_checkWritable", "writable")
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_IOBase", "__enter__")?;
    let me = this(&args);
    check_closed(vm, &me)?;
    Ok(me)
}

/// `__exit__(*args)`: what `close()` returns.
fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("_IOBase.__exit__() takes no keyword arguments"));
    }
    call_method(vm, &this(&args), "close", Vec::new())
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_IOBase", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let me = this(&args);
    check_closed(vm, &me)?;
    Ok(me)
}

/// `iobase_iternext`: `readline()`, StopIteration when it is empty.
fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_IOBase", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let line = call_method(vm, &this(&args), "readline", Vec::new())?;
    if vm.len(&line)? == 0 {
        return Err(vm.err_args("StopIteration", Vec::new()));
    }
    Ok(line)
}

/// `readline(size=-1, /)`: bytes through `peek(1)` (when there is one) and `read(n)`,
/// up to a newline.
fn readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [size] =
        Spec::method("_IOBase", "readline", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let limit = opt_ssize(vm, size)?.unwrap_or(-1);
    let me = this(&args);
    let peek = lookup_attr(vm, &me, "peek")?;
    let mut buffer: Vec<u8> = Vec::new();
    while limit < 0 || (buffer.len() as i64) < limit {
        let mut nreadahead = 1i64;
        if let Some(p) = &peek {
            let ahead = vm
                .call(p, Args::new(vec![Value::Int(1)]))
                .map_err(|e| trap_eintr(vm, e))?;
            let Value::Bytes(ahead) = ahead.builtin_value().clone() else {
                let n = vm.type_of(&ahead).name().clone();
                return Err(vm.err(
                    "OSError",
                    format!("peek() should have returned a bytes object, not '{n}'"),
                ));
            };
            if !ahead.is_empty() {
                let mut n = 0usize;
                while n < ahead.len() && (limit < 0 || (n as i64) < limit) {
                    n += 1;
                    if ahead[n - 1] == b'\n' {
                        break;
                    }
                }
                nreadahead = n as i64;
            }
        }
        let b = call_method(vm, &me, "read", vec![Value::Int(nreadahead)])
            .map_err(|e| trap_eintr(vm, e))?;
        let Value::Bytes(b) = b.builtin_value().clone() else {
            let n = vm.type_of(&b).name().clone();
            return Err(vm.err(
                "OSError",
                format!("read() should have returned a bytes object, not '{n}'"),
            ));
        };
        if b.is_empty() {
            break;
        }
        buffer.extend_from_slice(&b);
        if buffer.last() == Some(&b'\n') {
            break;
        }
    }
    Ok(Value::Bytes(Rc::from(buffer)))
}

/// `readlines(hint=-1, /)`: the lines of iterating over the object, until their total
/// length passes the hint.
fn readlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [hint] =
        Spec::method("_IOBase", "readlines", Style::Positional, &["hint"], 0).bind(vm, &args, 1)?;
    let hint = opt_ssize(vm, hint)?.unwrap_or(-1);
    let me = this(&args);
    let mut out = Vec::new();
    let it = vm.iter(&me)?;
    let mut length = 0i64;
    while let Some(line) = vm.next(&it)? {
        out.push(line.clone());
        if hint > 0 {
            let n = vm.len(&line)? as i64;
            if n > hint - length {
                break;
            }
            length += n;
        }
    }
    Ok(Value::list(out))
}

/// `writelines(lines, /)`: checked open, then `write(line)` for each.
fn writelines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [lines] =
        Spec::method("_IOBase", "writelines", Style::O, &["lines"], 1).bind(vm, &args, 1)?;
    let me = this(&args);
    check_closed(vm, &me)?;
    let it = vm.iter(&argspec::required(lines))?;
    while let Some(line) = vm.next(&it)? {
        call_method(vm, &me, "write", vec![line]).map_err(|e| trap_eintr(vm, e))?;
    }
    Ok(Value::None)
}

/// `_RawIOBase.read(size=-1, /)`: `readall()`, or `readinto` a bytearray of that size.
fn raw_read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [size] =
        Spec::method("_RawIOBase", "read", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let n = match size {
        Some(v) => super::ssize(vm, &v)?,
        None => -1,
    };
    let me = this(&args);
    if n < 0 {
        return call_method(vm, &me, "readall", Vec::new());
    }
    vm.before_alloc(n as u128, n as u128)?;
    let b = new_bytearray(vec![0; n as usize]);
    let res = call_method(vm, &me, "readinto", vec![b.clone()])?;
    if res.is_none() {
        return Ok(res);
    }
    let got = match res.builtin_value() {
        Value::Int(i) => *i,
        Value::Bool(x) => i64::from(*x),
        _ => return Err(vm.unsupported("readinto() returning something other than an int")),
    };
    // CPython 3.12 copies `got` bytes whatever the buffer's size: past its end, memory
    // the VM does not have; below zero, a SystemError from PyBytes_FromStringAndSize.
    if got < 0 || got > n {
        return Err(vm.unsupported(format!(
            "readinto() returning {got} for a buffer of {n} bytes"
        )));
    }
    let data = as_bytearray(&b).map(|ba| ba.data.borrow()[..got as usize].to_vec());
    Ok(Value::Bytes(Rc::from(data.unwrap_or_default())))
}

/// `_RawIOBase.readall()`: `read(DEFAULT_BUFFER_SIZE)` until empty.
fn raw_readall(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_RawIOBase", "readall")?;
    let me = this(&args);
    let mut chunks: Vec<u8> = Vec::new();
    let mut any = false;
    loop {
        let data = call_method(
            vm,
            &me,
            "read",
            vec![Value::Int(super::DEFAULT_BUFFER_SIZE)],
        )
        .map_err(|e| trap_eintr(vm, e))?;
        if data.is_none() {
            if !any {
                return Ok(data);
            }
            break;
        }
        let Value::Bytes(d) = data.builtin_value().clone() else {
            return Err(vm.type_error("read() should return bytes"));
        };
        if d.is_empty() {
            break;
        }
        any = true;
        chunks.extend_from_slice(&d);
    }
    Ok(Value::Bytes(Rc::from(chunks)))
}

fn not_implemented(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.err_args("NotImplementedError", Vec::new()))
}

/// A method CPython defines with `defining_class` and no parameters: any argument is a
/// TypeError without a count.
fn no_args_defining(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    if args.pos.len() > 1 || !args.kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no arguments")));
    }
    Ok(())
}

/// `read(size=-1, /)` and its kin of the bases (clinic `int(unused=True)`): the size
/// converted, then UnsupportedOperation.
fn unsupported_sized(vm: &mut Vm, args: &Args, owner: &str, name: &str) -> PyResult<Value> {
    let [size] = Spec::method(owner, name, Style::Keywords, &["size"], 0).bind(vm, args, 1)?;
    if let Some(v) = size {
        super::int_arg(vm, &v)?;
    }
    Err(unsupported_operation(vm, name))
}

/// `write(b, /)` of the bases: UnsupportedOperation.
fn unsupported_write(vm: &mut Vm, args: &Args, owner: &str) -> PyResult<Value> {
    Spec::method(owner, "write", Style::Keywords, &["b"], 1).parse(vm, args, 1)?;
    Err(unsupported_operation(vm, "write"))
}

fn buffered_read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_sized(vm, &args, "_BufferedIOBase", "read")
}
fn buffered_read1(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_sized(vm, &args, "_BufferedIOBase", "read1")
}
fn buffered_write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_write(vm, &args, "_BufferedIOBase")
}
fn text_write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_write(vm, &args, "_TextIOBase")
}
fn any_detach(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args_defining(vm, &args, "detach")?;
    Err(unsupported_operation(vm, "detach"))
}
fn text_read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_sized(vm, &args, "_TextIOBase", "read")
}
fn text_readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unsupported_sized(vm, &args, "_TextIOBase", "readline")
}

/// `_bufferediobase_readinto_generic`: `read(n)` or `read1(n)` copied into a bytearray.
fn buffered_readinto_generic(vm: &mut Vm, args: &Args, one: bool) -> PyResult<Value> {
    let name = if one { "readinto1" } else { "readinto" };
    let [buffer] =
        Spec::method("_BufferedIOBase", name, Style::O, &["buffer"], 1).bind(vm, args, 1)?;
    let buffer = argspec::required(buffer);
    let Some(ba) = as_bytearray(buffer.builtin_value()) else {
        if let Value::Bytes(_) = buffer.builtin_value() {
            return Err(vm.type_error(format!(
                "{name}() argument must be read-write bytes-like object, not bytes"
            )));
        }
        return Err(vm.unsupported(format!("{name}() into anything but a bytearray")));
    };
    let len = ba.data.borrow().len();
    let method = if one { "read1" } else { "read" };
    let data = call_method(vm, &this(args), method, vec![Value::Int(len as i64)])?;
    let Value::Bytes(d) = data.builtin_value().clone() else {
        return Err(vm.type_error("read() should return bytes"));
    };
    if d.len() > len {
        return Err(vm.value_error(format!(
            "read() returned too much data: {len} bytes requested, {} returned",
            d.len()
        )));
    }
    if let Some(ba) = as_bytearray(buffer.builtin_value()) {
        ba.data.borrow_mut()[..d.len()].copy_from_slice(&d);
    }
    Ok(Value::Int(d.len() as i64))
}

fn buffered_readinto(vm: &mut Vm, args: Args) -> PyResult<Value> {
    buffered_readinto_generic(vm, &args, false)
}
fn buffered_readinto1(vm: &mut Vm, args: Args) -> PyResult<Value> {
    buffered_readinto_generic(vm, &args, true)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("_IOBase", "seek", seek),
    ("_IOBase", "tell", tell),
    ("_IOBase", "truncate", truncate),
    ("_IOBase", "flush", flush),
    ("_IOBase", "close", close),
    ("_IOBase", "seekable", seekable),
    ("_IOBase", "readable", readable),
    ("_IOBase", "writable", writable),
    ("_IOBase", "_checkClosed", check_closed_method),
    ("_IOBase", "_checkSeekable", check_seekable),
    ("_IOBase", "_checkReadable", check_readable),
    ("_IOBase", "_checkWritable", check_writable),
    ("_IOBase", "fileno", fileno),
    ("_IOBase", "isatty", isatty),
    ("_IOBase", "__enter__", enter),
    ("_IOBase", "__exit__", exit),
    ("_IOBase", "readline", readline),
    ("_IOBase", "readlines", readlines),
    ("_IOBase", "writelines", writelines),
    ("_IOBase", "__iter__", iter),
    ("_IOBase", "__next__", next),
    ("_RawIOBase", "read", raw_read),
    ("_RawIOBase", "readall", raw_readall),
    ("_RawIOBase", "readinto", not_implemented),
    ("_RawIOBase", "write", not_implemented),
    ("_BufferedIOBase", "detach", any_detach),
    ("_BufferedIOBase", "read", buffered_read),
    ("_BufferedIOBase", "read1", buffered_read1),
    ("_BufferedIOBase", "readinto", buffered_readinto),
    ("_BufferedIOBase", "readinto1", buffered_readinto1),
    ("_BufferedIOBase", "write", buffered_write),
    ("_TextIOBase", "detach", any_detach),
    ("_TextIOBase", "read", text_read),
    ("_TextIOBase", "readline", text_readline),
    ("_TextIOBase", "write", text_write),
];

/// `StringIO.__new__(cls)` and `BytesIO.__new__(cls)` (`tp_new_wrapper`'s checks): a
/// new, uninitialised object of the subtype `cls` of `_io.<name>`.
pub fn new_method(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    new_for: fn(&Rc<Type>) -> Value,
) -> PyResult<Value> {
    let base = vm.ty(name);
    match args.pos.first() {
        Some(Value::Type(t)) if t.is_subtype(&base) => {
            check_instance(vm, t)?;
            Ok(new_for(t))
        }
        Some(Value::Type(t)) => Err(vm.type_error(format!(
            "{name}.__new__({}): {} is not a subtype of _io.{name}",
            t.name(),
            t.name()
        ))),
        Some(other) => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("{name}.__new__(X): X is not a type object ({n})")))
        }
        None => Err(vm.type_error(format!("{name}.__new__(): not enough arguments"))),
    }
}
