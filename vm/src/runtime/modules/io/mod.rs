//! `_io` (CPython `Modules/_io/`): every name CPython 3.12's `_io` has. `open_code(path)`
//! and `FileIO(path)` read a file of the standard library whole (the VM is a sandbox: the
//! standard library is the only place a program may read, see `posix::readable`, and
//! nothing can be written); `iobase` has the four bases `io`'s ABCs derive from,
//! `stringio` and `bytesio` the in-memory streams. `UnsupportedOperation` is CPython's
//! `type('UnsupportedOperation', (OSError, ValueError), {})`. `open` reads (see
//! `textio`); `nldecoder` is IncrementalNewlineDecoder; the buffered writers and
//! `_BytesIOBuffer` are present but unsupported when called.

pub mod bytesio;
pub mod iobase;
pub mod nldecoder;
pub mod pipefile;
pub mod stringio;
pub mod textio;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::{PyResult, Throw};

/// `DEFAULT_BUFFER_SIZE`.
pub const DEFAULT_BUFFER_SIZE: i64 = 8192;

/// The types `_io` defines beyond FileIO, BufferedReader and TextIOWrapper, with their
/// bases (registry keys), whether their instances have a `__dict__`, and their tp_names
/// are `_io.NAME`.
pub const TYPES: &[(&str, &str, bool)] = &[
    ("_IOBase", "object", true),
    ("_RawIOBase", "_IOBase", true),
    ("_BufferedIOBase", "_IOBase", true),
    ("_TextIOBase", "_IOBase", true),
    ("StringIO", "_TextIOBase", true),
    ("BytesIO", "_BufferedIOBase", true),
    ("BufferedWriter", "_BufferedIOBase", true),
    ("BufferedRWPair", "_BufferedIOBase", true),
    ("BufferedRandom", "_BufferedIOBase", true),
    ("IncrementalNewlineDecoder", "object", false),
    ("_BytesIOBuffer", "object", false),
];

/// Whether `name` (a registry key) is one of [`TYPES`].
pub fn is_io_type(name: &str) -> bool {
    TYPES.iter().any(|(n, _, _)| *n == name)
}

/// `UnsupportedOperation` (CPython `_io` module init): a class deriving from OSError and
/// ValueError, whose `__module__` `io.py` sets to 'io'.
fn unsupported_operation_type(vm: &Vm) -> Rc<Type> {
    let bases = vec![vm.ty("OSError"), vm.ty("ValueError")];
    super::super::classes::exception_class("UnsupportedOperation", "io", bases)
}

/// Raises `_io.UnsupportedOperation(msg)`.
pub fn unsupported_operation(vm: &mut Vm, msg: &str) -> Throw {
    let cls = match vm.modules.get_str("_io") {
        Some(Value::Module(m)) => m.dict.get_str("UnsupportedOperation"),
        _ => None,
    };
    match cls {
        Some(Value::Type(t)) => {
            let exc = vm.new_exception(&t, vec![Value::str(msg)]);
            vm.raise(exc)
        }
        _ => vm.unsupported(format!(
            "io.UnsupportedOperation({msg:?}) without the _io module"
        )),
    }
}

/// `_PyObject_LookupAttr`: the attribute, `None` when it raises AttributeError.
pub fn lookup_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    match vm.getattr(v, name) {
        Ok(x) => Ok(Some(x)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `_Py_convert_optional_to_ssize_t`: `None` for None or no argument.
pub fn opt_ssize(vm: &mut Vm, v: Option<Value>) -> PyResult<Option<i64>> {
    match v {
        None => Ok(None),
        Some(v) => match v.builtin_value() {
            Value::None => Ok(None),
            b @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => {
                super::super::argspec::index(vm, b).map(Some)
            }
            b @ (Value::Object(_) | Value::Native(_)) if vm.has_index(b) => {
                super::super::argspec::index(vm, b).map(Some)
            }
            _ => {
                let n = vm.type_of(&v).name().clone();
                Err(vm.type_error(format!("argument should be integer or None, not '{n}'")))
            }
        },
    }
}

/// A `Py_ssize_t` argument.
pub fn ssize(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    super::itertools::ssize(vm, v)
}

/// A C `int` argument (`whence`).
pub fn int_arg(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let i = ssize(vm, v)?;
    if i32::try_from(i).is_err() {
        return Err(vm.unsupported("an I/O int argument beyond a C int"));
    }
    Ok(i)
}

/// The calls of the types defined here (`tp_name` `_io.NAME`).
pub fn construct(vm: &mut Vm, t: &Rc<Type>, args: Args) -> Option<PyResult<Value>> {
    let made = match &*t.name() {
        "_io.FileIO" => new_file_io(vm, args),
        "_io.StringIO" => stringio::construct(vm, t, args),
        "TextIOWrapper" => textio::construct(vm, t, args),
        "_io.BytesIO" => bytesio::construct(vm, t, args),
        "_io.IncrementalNewlineDecoder" => nldecoder::construct(vm, t, args),
        "_io._IOBase" | "_io._RawIOBase" | "_io._BufferedIOBase" | "_io._TextIOBase" => {
            if !args.pos.is_empty() || !args.kw.is_empty() {
                Err(vm.unsupported(format!("{}() with arguments", t.name())))
            } else {
                Ok(super::super::subclass::plain_instance(t))
            }
        }
        "_io.BufferedWriter" | "_io.BufferedRWPair" | "_io.BufferedRandom"
        | "_io._BytesIOBuffer" => Err(vm.unsupported(format!("making an {} object", t.name()))),
        _ => return None,
    };
    Some(made)
}

/// `open(file, mode='r', ...)`: for reading (see `textio::open`).
pub fn open_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    textio::open(vm, args)
}

/// `text_encoding(encoding, stacklevel=2, /)`: the encoding when given; for None, what
/// the UTF-8 mode of CPython's environment decides, which the VM does not know.
fn text_encoding(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("_io.text_encoding() takes no keyword arguments"));
    }
    let [encoding, stacklevel] = Spec::function(
        "text_encoding",
        Style::Positional,
        &["encoding", "stacklevel"],
        1,
    )
    .bind(vm, &args, 0)?;
    if let Some(s) = stacklevel {
        int_arg(vm, &s)?;
    }
    let encoding = encoding.unwrap_or(Value::None);
    // `_io_text_encoding_impl`: 'locale' without the UTF-8 mode (the sandbox's
    // environment is CPython's under LANG=C.UTF-8: `sys.flags.utf8_mode` 0, no
    // `warn_default_encoding`).
    if encoding.is_none() {
        return Ok(Value::str("locale"));
    }
    Ok(encoding)
}

/// An open file: a host file's whole content, read when it was opened, or the bytes of
/// a scratch file (`runtime::scratch`), shared with every other file open on it.
#[derive(Debug)]
pub struct File {
    /// `FileIO` (raw) or a buffered file over one (`open_code`, `open`).
    buffered: bool,
    name: Value,
    data: Rc<RefCell<Vec<u8>>>,
    pos: Cell<usize>,
    closed: Cell<bool>,
    readable: bool,
    writable: bool,
    /// O_APPEND: every write goes to the end.
    append: bool,
    /// FileIO's `mode` (`mode_string`: 'rb', 'wb', 'ab', 'xb', with '+' to read and write).
    mode: &'static str,
    /// The scratch file written, and whether this (buffered) file holds writes CPython
    /// would not have passed on yet (see `ScratchFile::unflushed`).
    scratch: Option<Rc<crate::runtime::scratch::ScratchFile>>,
    dirty: Cell<bool>,
    /// A file over a pipe's descriptor (`pipefile`): the descriptor, and whether closing
    /// the file closes it (`closefd`). `data` then holds the bytes taken from the pipe
    /// and not yet read, or, for a buffered writer, those not yet passed on.
    pipe_fd: Option<(i64, bool)>,
}

impl File {
    pub fn type_name(&self) -> &'static str {
        match (self.buffered, self.readable, self.writable) {
            (false, _, _) => "FileIO",
            (true, true, true) => "BufferedRandom",
            (true, false, true) => "BufferedWriter",
            _ => "BufferedReader",
        }
    }

    /// [`File::flushed`], for the text layer's line buffering.
    pub fn flushed_now(&self) {
        self.flushed();
    }

    /// Ends this file's unflushed writes (`flush`).
    fn flushed(&self) {
        if self.dirty.replace(false) {
            if let Some(s) = &self.scratch {
                s.unflushed.set(s.unflushed.get().saturating_sub(1));
            }
        }
    }
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_io",
        &[
            ("open", open_fn),
            ("open_code", open_code),
            ("text_encoding", text_encoding),
        ],
    );
    d.set_str("DEFAULT_BUFFER_SIZE", Value::Int(DEFAULT_BUFFER_SIZE));
    d.set_str("BlockingIOError", Value::Type(vm.ty("BlockingIOError")));
    d.set_str(
        "UnsupportedOperation",
        Value::Type(unsupported_operation_type(vm)),
    );
    for name in ["FileIO", "BufferedReader", "TextIOWrapper"] {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
    for (name, _, _) in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
}

/// Reads the file at `path` (a str) if the sandbox allows it.
fn open(vm: &mut Vm, path: &Value, buffered: bool) -> PyResult<Value> {
    open_as(vm, path, buffered, "r")
}

/// Opens the file at `path` (a str) in the raw `mode` (`r`, `w`, `a` or `x`, with `+` to
/// read and write): for reading, if the sandbox allows it; for writing, a scratch file
/// (`posix::scratchfs::open_file`).
pub fn open_as(vm: &mut Vm, path: &Value, buffered: bool, mode: &str) -> PyResult<Value> {
    // `_io_FileIO___init___impl`: an os.PathLike object is read through
    // `PyUnicode_FSConverter` (`PyOS_FSPath`); the file's name stays the object.
    let named = match path {
        Value::Object(_) => super::posix::fspath_of(vm, path)?.unwrap_or_else(|| path.clone()),
        _ => path.clone(),
    };
    let Value::Str(p) = named.builtin_value().clone() else {
        let n = vm.type_of(path).name().clone();
        return Err(vm.unsupported(format!("opening a file named by a {n}")));
    };
    crate::runtime::standins::reject(vm, &p, "a path")?;
    let plus = mode.contains('+');
    let kind = mode.chars().next().unwrap_or('r');
    // `_io_FileIO___init___impl`'s open(2) flags.
    let flags = match kind {
        'w' => 0o1000 | 0o100,
        'a' => 0o2000 | 0o100,
        'x' => 0o200 | 0o100,
        _ => 0,
    } | if plus {
        2
    } else if kind == 'r' {
        0
    } else {
        1
    };
    let scratch = super::posix::scratchfs::open_file(vm, &p, flags, 0o666)?;
    let data = match &scratch {
        Some(f) => {
            if f.unflushed.get() > 0 {
                return Err(vm.unsupported(format!(
                    "opening {p:?} while a buffered writer has not flushed it"
                )));
            }
            f.data.clone()
        }
        None if (kind != 'r' || plus) && super::posix::scratchfs::absolute(vm, &p).is_none() => {
            return Err(vm.unsupported(format!(
                "opening the relative path {p:?} for writing (the sandbox does not know the \
                 working directory)"
            )))
        }
        None if kind != 'r' || plus => {
            return Err(vm.unsupported(format!(
                "opening the host file {p:?} for writing (the sandbox never writes the host)"
            )))
        }
        None => match super::posix::in_program(vm, &p) {
            Some(crate::runtime::program::Entry::File(data)) => {
                Rc::new(RefCell::new(data.to_vec()))
            }
            Some(other) => return Err(super::posix::program_error(vm, &other, &p)),
            None => {
                let file = super::posix::readable(vm, &p)?;
                match std::fs::read(&file) {
                    Ok(d) => Rc::new(RefCell::new(d)),
                    Err(e) => return Err(super::posix::os_error(vm, &e, &p)),
                }
            }
        },
    };
    let fmode = match (kind, plus) {
        ('r', false) => "rb",
        ('r', true) => "rb+",
        ('w', false) => "wb",
        ('w', true) => "rb+",
        ('a', false) => "ab",
        ('a', true) => "ab+",
        ('x', false) => "xb",
        _ => "xb+",
    };
    let append = kind == 'a';
    let pos = if append { data.borrow().len() } else { 0 };
    Ok(Value::Native(Rc::new(Native::File(File {
        buffered,
        name: if matches!(path, Value::Object(_)) {
            path.clone()
        } else {
            Value::Str(p)
        },
        data,
        pos: Cell::new(pos),
        closed: Cell::new(false),
        readable: kind == 'r' || plus,
        writable: kind != 'r' || plus,
        append,
        mode: fmode,
        scratch,
        dirty: Cell::new(false),
        pipe_fd: None,
    }))))
}

/// `open_code(path)`: the file opened for reading bytes (`io.open(path, 'rb')`).
fn open_code(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::method("_io", "open_code", Style::Keywords, &["path"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let path = path.unwrap_or(Value::None);
    if !matches!(path.builtin_value(), Value::Str(_)) {
        let n = vm.type_of(&path).name().clone();
        return Err(vm.type_error(format!("open_code() argument 'path' must be str, not {n}")));
    }
    open(vm, &path, true)
}

/// `FileIO(file, mode='r', closefd=True, opener=None)`, for reading only.
pub fn new_file_io(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [file, mode, _, _] = Spec::function(
        "FileIO",
        Style::Keywords,
        &["file", "mode", "closefd", "opener"],
        1,
    )
    .keywords(0, 4)
    .bind::<4>(vm, &args, 0)?;
    if let Some(m) = mode {
        if !matches!(m.builtin_value(), Value::Str(s) if &**s == "r" || &**s == "rb") {
            return Err(vm.unsupported("opening a file for writing (the VM is a sandbox)"));
        }
    }
    open(vm, &file.unwrap_or(Value::None), false)
}

fn this<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a File> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::File(f) => Ok(f),
            _ => Err(vm.bug("a file method without a file")),
        },
        _ => Err(vm.bug("a file method without a file")),
    }
}

fn check_open(vm: &Vm, f: &File) -> PyResult<()> {
    check_open_as(vm, f, "read")
}

/// CPython's closed-file messages: `BufferedReader`'s `CHECK_CLOSED(self, "read of
/// closed file")` names the operation, FileIO's `err_closed` does not.
fn check_open_as(vm: &Vm, f: &File, op: &str) -> PyResult<()> {
    if f.closed.get() {
        let what = if f.buffered && !op.is_empty() {
            format!("{op} of closed file")
        } else if op.is_empty() {
            "I/O operation on closed file.".to_owned()
        } else {
            "I/O operation on closed file".to_owned()
        };
        return Err(vm.value_error(what));
    }
    Ok(())
}

/// The bytes of `f` from its position through its next `\n` (at most `limit` of them):
/// `_bufferedreader_read_generic`'s line, FileIO's `_io__IOBase_readline_impl`.
fn next_line(f: &File, limit: Option<usize>) -> Value {
    let data = f.data.borrow();
    let start = f.pos.get().min(data.len());
    let rest = &data[start..];
    let mut end = rest
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |i| i + 1);
    if let Some(l) = limit {
        end = end.min(l);
    }
    f.pos.set(start + end);
    Value::Bytes(Rc::from(&rest[..end]))
}

/// `readline(size=-1)`.
fn readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = this(vm, &args)?.type_name();
    let [size] =
        Spec::method(owner, "readline", Style::Positional, &["size"], 0).bind::<1>(vm, &args, 1)?;
    let limit = opt_ssize(vm, size)?.and_then(|n| usize::try_from(n).ok());
    let f = this(vm, &args)?;
    check_open_as(vm, f, "readline")?;
    check_can(vm, f, f.readable, "reading")?;
    pipefile::fill(vm, f, pipefile::Need::Line)?;
    Ok(next_line(f, limit))
}

/// `readlines(hint=-1)` (`_io__IOBase_readlines_impl`): lines until the total reaches
/// the hint.
fn readlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = this(vm, &args)?.type_name();
    let [hint] = Spec::method(owner, "readlines", Style::Positional, &["hint"], 0)
        .bind::<1>(vm, &args, 1)?;
    let hint = opt_ssize(vm, hint)?.filter(|&n| n > 0);
    let f = this(vm, &args)?;
    check_open_as(vm, f, "")?;
    check_can(vm, f, f.readable, "reading")?;
    pipefile::fill(vm, f, pipefile::Need::All)?;
    let mut lines = Vec::new();
    let mut total = 0usize;
    loop {
        let line = next_line(f, None);
        let n = match &line {
            Value::Bytes(b) => b.len(),
            _ => 0,
        };
        if n == 0 {
            break;
        }
        lines.push(line);
        total += n;
        if hint.is_some_and(|h| total as i64 >= h) {
            break;
        }
    }
    Ok(Value::list(lines))
}

/// `__iter__` (`iobase_iter`): the file itself while open.
fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_open_as(vm, this(vm, &args)?, "")?;
    Ok(args.pos[0].clone())
}

/// `__next__` (`iobase_iternext` / `buffered_iternext`): the next line, StopIteration at
/// the end.
fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    let op = if f.buffered { "readline" } else { "next" };
    check_open_as(vm, f, op)?;
    check_can(vm, f, f.readable, "reading")?;
    pipefile::fill(vm, f, pipefile::Need::Line)?;
    match next_line(f, None) {
        Value::Bytes(b) if b.is_empty() => Err(vm.err("StopIteration", "")),
        line => Ok(line),
    }
}

/// `seek(pos, whence=0)`: the new absolute position (past the end is allowed, as lseek).
fn seek(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if this(vm, &args)?.pipe_fd.is_some() {
        return Err(vm.unsupported("seek() of a file over a pipe"));
    }
    let owner = this(vm, &args)?.type_name();
    let [pos, whence] = Spec::method(owner, "seek", Style::Positional, &["pos", "whence"], 1)
        .bind::<2>(vm, &args, 1)?;
    let pos = ssize(vm, &pos.unwrap_or_default())?;
    let whence = match whence {
        Some(w) => int_arg(vm, &w)?,
        None => 0,
    };
    let f = this(vm, &args)?;
    check_open_as(vm, f, "seek")?;
    let base = match whence {
        0 => 0,
        1 => f.pos.get() as i64,
        2 => f.data.borrow().len() as i64,
        _ => return Err(vm.unsupported("seek() with a whence other than 0, 1 or 2")),
    };
    let at = base + pos;
    if at < 0 {
        return Err(vm.unsupported("seek() to a negative position"));
    }
    f.pos.set(at as usize);
    Ok(Value::Int(at))
}

fn tell(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    if f.pipe_fd.is_some() {
        return Err(vm.unsupported("tell() of a file over a pipe"));
    }
    if f.closed.get() {
        return Err(vm.value_error("I/O operation on closed file"));
    }
    Ok(Value::Int(f.pos.get() as i64))
}

fn seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if this(vm, &args)?.pipe_fd.is_some() {
        check_open_as(vm, this(vm, &args)?, "")?;
        return Ok(Value::Bool(false));
    }
    readable(vm, args)
}

/// The file's bytes from its position to the end, the position moved there (what a
/// TextIOWrapper over it reads).
pub fn take_rest(f: &File) -> Rc<[u8]> {
    let data = f.data.borrow();
    let start = f.pos.get().min(data.len());
    f.pos.set(data.len().max(f.pos.get()));
    Rc::from(&data[start..])
}

/// `read(size=-1)`.
fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = this(vm, &args)?.type_name();
    let [size] =
        Spec::method(owner, "read", Style::Positional, &["size"], 0).bind::<1>(vm, &args, 1)?;
    let f = this(vm, &args)?;
    check_open(vm, f)?;
    check_can(vm, f, f.readable, "reading")?;
    let need = match size.as_ref().map(Value::builtin_value) {
        Some(Value::Int(n)) if *n >= 0 => pipefile::Need::Bytes(*n as usize),
        _ => pipefile::Need::All,
    };
    pipefile::fill(vm, f, need)?;
    let data = f.data.borrow();
    let start = f.pos.get().min(data.len());
    let end = match size.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => data.len(),
        Some(Value::Int(n)) if *n < 0 => data.len(),
        Some(Value::Int(n)) => start.saturating_add(*n as usize).min(data.len()),
        Some(_) => return Err(vm.unsupported("read() with a size that is not an int")),
    };
    f.pos.set(end);
    Ok(Value::Bytes(Rc::from(&data[start..end])))
}

/// A read of a file not open for reading, or a write of one not open for writing: each
/// class words its UnsupportedOperation its own way, which the VM does not model.
fn check_can(vm: &Vm, f: &File, can: bool, what: &str) -> PyResult<()> {
    if can {
        return Ok(());
    }
    Err(vm.unsupported(format!("{what} a {} not open for it", f.type_name())))
}

/// `write(b)`: all of `b` at the position (at the end in append mode), into the scratch
/// file's shared bytes; a buffered file counts as unflushed until `flush` or `close`.
fn write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = this(vm, &args)?.type_name();
    let [b] = Spec::method(owner, "write", Style::Positional, &["b"], 1).bind::<1>(vm, &args, 1)?;
    let b = super::super::methods::bytes::need_buffer(vm, &b.unwrap_or_default())?;
    let f = this(vm, &args)?;
    check_open_as(vm, f, "write")?;
    check_can(vm, f, f.writable, "writing")?;
    if f.pipe_fd.is_some() {
        return pipefile::write(vm, f, &b);
    }
    write_bytes(f, &b);
    Ok(Value::Int(b.len() as i64))
}

/// Puts `b` into `f` at its position (at the end in append mode).
pub fn write_bytes(f: &File, b: &[u8]) {
    let mut data = f.data.borrow_mut();
    if f.append {
        f.pos.set(data.len());
    }
    super::posix::scratchfs::put(&mut data, f.pos.get(), b);
    f.pos.set(f.pos.get() + b.len());
    if let Some(s) = &f.scratch {
        s.touch();
    }
    if f.buffered && !b.is_empty() && !f.dirty.replace(true) {
        if let Some(s) = &f.scratch {
            s.unflushed.set(s.unflushed.get() + 1);
        }
    }
}

/// `flush()`.
fn flush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    check_open_as(vm, f, "flush")?;
    f.flushed();
    pipefile::flush(vm, f)?;
    Ok(Value::None)
}

/// `writable()`.
fn writable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    if f.closed.get() {
        return Err(vm.value_error("I/O operation on closed file"));
    }
    Ok(Value::Bool(f.writable))
}

fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    f.flushed();
    pipefile::close(vm, f)?;
    f.closed.set(true);
    Ok(Value::None)
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_open_as(vm, this(vm, &args)?, "")?;
    Ok(args.pos[0].clone())
}

fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    f.flushed();
    pipefile::close(vm, f)?;
    f.closed.set(true);
    Ok(Value::None)
}

fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = this(vm, &args)?;
    if f.closed.get() {
        return Err(vm.value_error("I/O operation on closed file"));
    }
    Ok(Value::Bool(f.readable))
}

/// Attributes that are fields: `name`, `closed`, `mode`.
pub fn attr(vm: &Vm, f: &File, name: &str) -> Option<Value> {
    let _ = vm;
    match name {
        "name" => Some(f.name.clone()),
        "closed" => Some(Value::Bool(f.closed.get())),
        "mode" => Some(Value::str(f.mode)),
        _ => None,
    }
}

/// `<_io.BufferedReader name='…'>`, `<_io.FileIO name='…' mode='rb' closefd=True>`.
pub fn repr(vm: &mut Vm, f: &File) -> PyResult<String> {
    let name = vm.repr(&f.name.clone())?;
    Ok(if f.buffered {
        format!("<_io.{} name={name}>", f.type_name())
    } else if f.closed.get() {
        "<_io.FileIO [closed]>".to_owned()
    } else {
        format!("<_io.FileIO name={name} mode='{}' closefd=True>", f.mode)
    })
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("FileIO", "fileno", pipefile::fileno),
    ("BufferedReader", "fileno", pipefile::fileno),
    ("BufferedWriter", "fileno", pipefile::fileno),
    ("BufferedRandom", "fileno", pipefile::fileno),
    ("FileIO", "write", write),
    ("FileIO", "flush", flush),
    ("FileIO", "writable", writable),
    ("BufferedReader", "writable", writable),
    ("BufferedReader", "flush", flush),
    ("FileIO", "read", read),
    ("FileIO", "readall", read),
    ("FileIO", "close", close),
    ("FileIO", "__enter__", enter),
    ("FileIO", "__exit__", exit),
    ("FileIO", "readable", readable),
    ("BufferedReader", "read", read),
    ("BufferedReader", "close", close),
    ("BufferedReader", "__enter__", enter),
    ("BufferedReader", "__exit__", exit),
    ("BufferedReader", "readable", readable),
    ("FileIO", "readline", readline),
    ("FileIO", "readlines", readlines),
    ("FileIO", "__iter__", iter),
    ("FileIO", "__next__", next),
    ("FileIO", "seek", seek),
    ("FileIO", "tell", tell),
    ("FileIO", "seekable", seekable),
    ("BufferedReader", "readline", readline),
    ("BufferedReader", "readlines", readlines),
    ("BufferedReader", "__iter__", iter),
    ("BufferedReader", "__next__", next),
    ("BufferedReader", "seek", seek),
    ("BufferedReader", "tell", tell),
    ("BufferedReader", "seekable", seekable),
    ("BufferedWriter", "write", write),
    ("BufferedWriter", "flush", flush),
    ("BufferedWriter", "writable", writable),
    ("BufferedWriter", "readable", readable),
    ("BufferedWriter", "seekable", seekable),
    ("BufferedWriter", "seek", seek),
    ("BufferedWriter", "tell", tell),
    ("BufferedWriter", "close", close),
    ("BufferedWriter", "__enter__", enter),
    ("BufferedWriter", "__exit__", exit),
    ("BufferedRandom", "write", write),
    ("BufferedRandom", "flush", flush),
    ("BufferedRandom", "writable", writable),
    ("BufferedRandom", "readable", readable),
    ("BufferedRandom", "seekable", seekable),
    ("BufferedRandom", "seek", seek),
    ("BufferedRandom", "tell", tell),
    ("BufferedRandom", "close", close),
    ("BufferedRandom", "__enter__", enter),
    ("BufferedRandom", "__exit__", exit),
    ("BufferedRandom", "read", read),
    ("BufferedRandom", "readline", readline),
    ("BufferedRandom", "readlines", readlines),
    ("BufferedRandom", "__iter__", iter),
    ("BufferedRandom", "__next__", next),
];
