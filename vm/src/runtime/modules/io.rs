//! `_io` (CPython `Modules/_io/`), as much as importlib needs: `open_code(path)` and
//! `FileIO(path)` reading a file of the standard library whole. The VM is a sandbox: the
//! standard library is the only place a program may read (see `posix::readable`), and
//! nothing can be written.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// An open file: its whole content, read when it was opened.
#[derive(Debug)]
pub struct File {
    /// `FileIO` (raw) or `BufferedReader` (what `open_code` returns).
    buffered: bool,
    name: Value,
    data: Rc<[u8]>,
    pos: Cell<usize>,
    closed: Cell<bool>,
    /// Kept so a later read of a closed file has CPython's message.
    _mode: RefCell<&'static str>,
}

impl File {
    pub fn type_name(&self) -> &'static str {
        if self.buffered {
            "BufferedReader"
        } else {
            "FileIO"
        }
    }
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_io", &[("open_code", open_code)]);
    d.set_str("FileIO", Value::Type(vm.ty("FileIO")));
    d.set_str("BufferedReader", Value::Type(vm.ty("BufferedReader")));
    d.set_str("TextIOWrapper", Value::Type(vm.ty("TextIOWrapper")));
    d.set_str("DEFAULT_BUFFER_SIZE", Value::Int(8192));
}

/// Reads the file at `path` (a str) if the sandbox allows it.
fn open(vm: &mut Vm, path: &Value, buffered: bool) -> PyResult<Value> {
    let Value::Str(p) = path.builtin_value().clone() else {
        let n = vm.type_of(path).name.clone();
        return Err(vm.unsupported(format!("opening a file named by a {n}")));
    };
    let file = super::posix::readable(vm, &p)?;
    let data = match std::fs::read(&file) {
        Ok(d) => d,
        Err(e) => return Err(super::posix::os_error(vm, &e, &p)),
    };
    Ok(Value::Native(Rc::new(Native::File(File {
        buffered,
        name: Value::Str(p),
        data: Rc::from(data),
        pos: Cell::new(0),
        closed: Cell::new(false),
        _mode: RefCell::new("rb"),
    }))))
}

/// `open_code(path)`: the file opened for reading bytes (`io.open(path, 'rb')`).
fn open_code(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [path] = Spec::method("_io", "open_code", Style::Keywords, &["path"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let path = path.unwrap_or(Value::None);
    if !matches!(path.builtin_value(), Value::Str(_)) {
        let n = vm.type_of(&path).name.clone();
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
    if f.closed.get() {
        let what = if f.buffered {
            "read of closed file"
        } else {
            "I/O operation on closed file"
        };
        return Err(vm.value_error(what));
    }
    Ok(())
}

/// `read(size=-1)`.
fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = this(vm, &args)?.type_name();
    let [size] =
        Spec::method(owner, "read", Style::Positional, &["size"], 0).bind::<1>(vm, &args, 1)?;
    let f = this(vm, &args)?;
    check_open(vm, f)?;
    let start = f.pos.get().min(f.data.len());
    let end = match size.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => f.data.len(),
        Some(Value::Int(n)) if *n < 0 => f.data.len(),
        Some(Value::Int(n)) => start.saturating_add(*n as usize).min(f.data.len()),
        Some(_) => return Err(vm.unsupported("read() with a size that is not an int")),
    };
    f.pos.set(end);
    Ok(Value::Bytes(Rc::from(&f.data[start..end])))
}

fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    this(vm, &args)?.closed.set(true);
    Ok(Value::None)
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_open(vm, this(vm, &args)?)?;
    Ok(args.pos[0].clone())
}

fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    this(vm, &args)?.closed.set(true);
    Ok(Value::None)
}

fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    check_open(vm, this(vm, &args)?)?;
    Ok(Value::Bool(true))
}

/// Attributes that are fields: `name`, `closed`, `mode`.
pub fn attr(vm: &Vm, f: &File, name: &str) -> Option<Value> {
    let _ = vm;
    match name {
        "name" => Some(f.name.clone()),
        "closed" => Some(Value::Bool(f.closed.get())),
        "mode" => Some(Value::str("rb")),
        _ => None,
    }
}

/// `<_io.BufferedReader name='…'>`, `<_io.FileIO name='…' mode='rb' closefd=True>`.
pub fn repr(vm: &mut Vm, f: &File) -> PyResult<String> {
    let name = vm.repr(&f.name.clone())?;
    Ok(if f.buffered {
        format!("<_io.BufferedReader name={name}>")
    } else if f.closed.get() {
        "<_io.FileIO [closed]>".to_owned()
    } else {
        format!("<_io.FileIO name={name} mode='rb' closefd=True>")
    })
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
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
];
