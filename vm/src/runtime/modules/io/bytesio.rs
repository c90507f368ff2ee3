//! `_io.BytesIO` (CPython `Modules/_io/bytesio.c`): a byte buffer with reads, lines,
//! writes (an overseek's gap filled with NUL bytes), seeks and truncation. As for
//! StringIO, every BytesIO is an instance carrying its state as its payload.
//! `getbuffer` (a memoryview exporting the buffer), `__getstate__`, `__setstate__` and
//! `__sizeof__` are left out: `reach` reports them unsupported.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::bytearray::as_bytearray;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::types::Type;
use super::super::super::PyResult;
use super::{int_arg, opt_ssize, ssize};

/// `bytesio`: the bytes (`string_size` is their length), the position (past the end
/// after an overseek) and whether it is closed (CPython: `buf == NULL`).
#[derive(Debug, Default)]
pub struct BytesIO {
    buf: RefCell<Vec<u8>>,
    pos: Cell<usize>,
    closed: Cell<bool>,
}

pub fn of(v: &Value) -> Option<Rc<BytesIO>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::BytesIO(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args) -> PyResult<Rc<BytesIO>> {
    args.pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("a BytesIO method without a BytesIO"))
}

/// `CHECK_CLOSED`.
fn check(vm: &Vm, b: &BytesIO) -> PyResult<()> {
    if b.closed.get() {
        return Err(vm.value_error("I/O operation on closed file."));
    }
    Ok(())
}

pub fn new_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::BytesIO(Rc::new(BytesIO::default()))));
    super::super::super::subclass::with_payload(cls, n)
}

/// `BytesIO(initial_bytes=b'')`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init(vm, args)?;
    Ok(me)
}

fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::iobase::new_method(vm, &args, "BytesIO", new_for)
}

/// The bytes of a bytes-like argument; a TypeError for anything else.
fn bytes_like(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    match super::super::super::methods::bytes::buffer_of(v) {
        Some(b) => Ok(b),
        None => {
            let n = vm.type_of(v).name().clone();
            Err(vm.type_error(format!("a bytes-like object is required, not '{n}'")))
        }
    }
}

/// `_io_BytesIO___init___impl`: emptied, then the initial bytes (exact bytes reopen a
/// closed BytesIO; anything else is written, which a closed one refuses).
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [value] = Spec::function("BytesIO", Style::Keywords, &["initial_bytes"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    b.pos.set(0);
    b.buf.borrow_mut().clear();
    match value {
        None => {}
        Some(v) if v.is_none() => {}
        Some(Value::Bytes(data)) => {
            b.closed.set(false);
            *b.buf.borrow_mut() = data.to_vec();
        }
        Some(v) => {
            write_value(vm, &b, &v)?;
            b.pos.set(0);
        }
    }
    Ok(Value::None)
}

/// `_io_BytesIO_write`: checked closed, then the bytes written at the position.
fn write_value(vm: &Vm, b: &BytesIO, v: &Value) -> PyResult<usize> {
    check(vm, b)?;
    let data = bytes_like(vm, v)?;
    if data.is_empty() {
        return Ok(0);
    }
    let mut buf = b.buf.borrow_mut();
    let pos = b.pos.get();
    let end = pos + data.len();
    if end > buf.len() {
        buf.resize(end, 0);
    }
    buf[pos..end].copy_from_slice(&data);
    b.pos.set(end);
    Ok(data.len())
}

fn write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [v] = Spec::method("BytesIO", "write", Style::O, &["b"], 1).bind(vm, &args, 1)?;
    let n = write_value(vm, &b, &argspec::required(v))?;
    Ok(Value::Int(n as i64))
}

/// `writelines(lines, /)`: each item written as by `write`.
fn writelines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [lines] =
        Spec::method("BytesIO", "writelines", Style::O, &["lines"], 1).bind(vm, &args, 1)?;
    check(vm, &b)?;
    let it = vm.iter(&argspec::required(lines))?;
    while let Some(item) = vm.next(&it)? {
        write_value(vm, &b, &item)?;
    }
    Ok(Value::None)
}

/// `read_bytes`: `n` bytes from the position on.
fn take(b: &BytesIO, n: usize) -> Value {
    let buf = b.buf.borrow();
    let pos = b.pos.get().min(buf.len());
    let end = (pos + n).min(buf.len());
    b.pos.set(b.pos.get() + (end - pos));
    Value::Bytes(Rc::from(&buf[pos..end]))
}

fn left(b: &BytesIO) -> usize {
    b.buf.borrow().len().saturating_sub(b.pos.get())
}

fn read_common(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    let b = me(vm, args)?;
    let [size] =
        Spec::method("BytesIO", name, Style::Positional, &["size"], 0).bind(vm, args, 1)?;
    let size = opt_ssize(vm, size)?.unwrap_or(-1);
    check(vm, &b)?;
    let n = left(&b);
    let size = if size < 0 { n } else { (size as usize).min(n) };
    Ok(take(&b, size))
}

fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    read_common(vm, &args, "read")
}

fn read1(vm: &mut Vm, args: Args) -> PyResult<Value> {
    read_common(vm, &args, "read1")
}

/// `scan_eol`: the length of the next line, at most `limit` bytes (negative: no limit).
fn scan_eol(b: &BytesIO, limit: i64) -> usize {
    let buf = b.buf.borrow();
    let pos = b.pos.get();
    if pos >= buf.len() {
        return 0;
    }
    let max = buf.len() - pos;
    let len = if limit < 0 || limit as usize > max {
        max
    } else {
        limit as usize
    };
    match buf[pos..pos + len].iter().position(|&c| c == b'\n') {
        Some(i) => i + 1,
        None => len,
    }
}

fn readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [size] =
        Spec::method("BytesIO", "readline", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?.unwrap_or(-1);
    check(vm, &b)?;
    let n = scan_eol(&b, size);
    Ok(take(&b, n))
}

/// `readlines(size=None, /)`: lines until their total reaches `size`.
fn readlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [arg] =
        Spec::method("BytesIO", "readlines", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    check(vm, &b)?;
    let max = match arg.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => -1,
        Some(v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))) => argspec::index(vm, v)?,
        Some(_) => {
            let n = vm
                .type_of(arg.as_ref().unwrap_or(&Value::None))
                .name()
                .clone();
            return Err(vm.type_error(format!("integer argument expected, got '{n}'")));
        }
    };
    let mut out = Vec::new();
    let mut size = 0i64;
    loop {
        let n = scan_eol(&b, -1);
        if n == 0 {
            break;
        }
        out.push(take(&b, n));
        size += n as i64;
        if max > 0 && size >= max {
            break;
        }
    }
    Ok(Value::list(out))
}

/// `readinto(buffer, /)`: into a bytearray (another writable buffer is unsupported).
fn readinto(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [target] =
        Spec::method("BytesIO", "readinto", Style::O, &["buffer"], 1).bind(vm, &args, 1)?;
    let target = argspec::required(target);
    let Some(ba) = as_bytearray(target.builtin_value()) else {
        if matches!(target.builtin_value(), Value::Bytes(_)) {
            return Err(vm.type_error(
                "readinto() argument must be read-write bytes-like object, not bytes",
            ));
        }
        return Err(vm.unsupported("BytesIO.readinto() into anything but a bytearray"));
    };
    check(vm, &b)?;
    let want = ba.data.borrow().len();
    let n = want.min(left(&b));
    let Value::Bytes(data) = take(&b, n) else {
        return Err(vm.bug("BytesIO read without bytes"));
    };
    ba.data.borrow_mut()[..n].copy_from_slice(&data);
    Ok(Value::Int(n as i64))
}

fn getvalue(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "BytesIO", "getvalue")?;
    let b = me(vm, &args)?;
    check(vm, &b)?;
    let v = Value::Bytes(Rc::from(&b.buf.borrow()[..]));
    Ok(v)
}

fn getbuffer(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("BytesIO.getbuffer() (a writable view of the buffer)"))
}

fn tell(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "BytesIO", "tell")?;
    let b = me(vm, &args)?;
    check(vm, &b)?;
    Ok(Value::Int(b.pos.get() as i64))
}

/// `seek(pos, whence=0, /)`: relative seeks allowed; a position before the start is 0.
fn seek(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [pos, whence] = Spec::method("BytesIO", "seek", Style::Positional, &["pos", "whence"], 1)
        .bind(vm, &args, 1)?;
    let pos = ssize(vm, &argspec::required(pos))?;
    let whence = match whence {
        Some(w) => int_arg(vm, &w)?,
        None => 0,
    };
    check(vm, &b)?;
    if pos < 0 && whence == 0 {
        return Err(vm.value_error(format!("negative seek value {pos}")));
    }
    let base = match whence {
        0 => 0,
        1 => b.pos.get() as i64,
        2 => b.buf.borrow().len() as i64,
        _ => return Err(vm.value_error(format!("invalid whence ({whence}, should be 0, 1 or 2)"))),
    };
    let Some(new) = base.checked_add(pos) else {
        return Err(vm.err("OverflowError", "new position too large"));
    };
    let new = new.max(0);
    b.pos.set(new as usize);
    Ok(Value::Int(new))
}

/// `truncate(size=None, /)`.
fn truncate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let b = me(vm, &args)?;
    let [size] =
        Spec::method("BytesIO", "truncate", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?;
    check(vm, &b)?;
    let size = size.unwrap_or(b.pos.get() as i64);
    if size < 0 {
        return Err(vm.value_error(format!("negative size value {size}")));
    }
    let mut buf = b.buf.borrow_mut();
    if (size as usize) < buf.len() {
        buf.truncate(size as usize);
    }
    Ok(Value::Int(size))
}

fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "BytesIO", "close")?;
    let b = me(vm, &args)?;
    b.closed.set(true);
    b.buf.borrow_mut().clear();
    Ok(Value::None)
}

fn answer(vm: &mut Vm, args: &Args, name: &str, v: Value) -> PyResult<Value> {
    argspec::no_args(vm, args, "BytesIO", name)?;
    let b = me(vm, args)?;
    check(vm, &b)?;
    Ok(v)
}

fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer(vm, &args, "readable", Value::Bool(true))
}
fn writable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer(vm, &args, "writable", Value::Bool(true))
}
fn seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer(vm, &args, "seekable", Value::Bool(true))
}
fn flush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer(vm, &args, "flush", Value::None)
}
fn isatty(vm: &mut Vm, args: Args) -> PyResult<Value> {
    answer(vm, &args, "isatty", Value::Bool(false))
}

/// `__iter__` (`PyObject_SelfIter`: no check).
fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("BytesIO", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos[0].clone())
}

fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("BytesIO", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let b = me(vm, &args)?;
    check(vm, &b)?;
    let n = scan_eol(&b, -1);
    if n == 0 {
        return Err(vm.err_args("StopIteration", Vec::new()));
    }
    Ok(take(&b, n))
}

/// The getset `closed`.
pub fn attr(b: &BytesIO, name: &str) -> Option<Value> {
    (name == "closed").then(|| Value::Bool(b.closed.get()))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("BytesIO", "__new__", new_method),
    ("BytesIO", "__init__", init),
    ("BytesIO", "__iter__", iter),
    ("BytesIO", "__next__", next),
    ("BytesIO", "close", close),
    ("BytesIO", "flush", flush),
    ("BytesIO", "getbuffer", getbuffer),
    ("BytesIO", "getvalue", getvalue),
    ("BytesIO", "isatty", isatty),
    ("BytesIO", "read", read),
    ("BytesIO", "read1", read1),
    ("BytesIO", "readable", readable),
    ("BytesIO", "readinto", readinto),
    ("BytesIO", "readline", readline),
    ("BytesIO", "readlines", readlines),
    ("BytesIO", "seek", seek),
    ("BytesIO", "seekable", seekable),
    ("BytesIO", "tell", tell),
    ("BytesIO", "truncate", truncate),
    ("BytesIO", "writable", writable),
    ("BytesIO", "write", write),
    ("BytesIO", "writelines", writelines),
];
