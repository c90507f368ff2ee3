//! `memoryview` (CPython `Objects/memoryobject.c`) over `bytes`: a read-only,
//! one-dimensional view of unsigned bytes (format `'B'`), sliced without copying, as
//! importlib uses it on a .pyc file's data. Views of other buffers, other formats,
//! casts and the rest of the type are not provided (`reach` reports them).

use std::cell::Cell;
use std::rc::Rc;

use super::argspec::{Spec, Style};
use super::interp::Vm;
use super::object::{Args, Native, NativeFn, Value};
use super::PyResult;

/// A view of `data[start..end]`.
#[derive(Debug)]
pub struct MemoryView {
    /// The object viewed (`obj`).
    pub obj: Value,
    data: Rc<[u8]>,
    start: usize,
    end: usize,
    released: Cell<bool>,
}

impl MemoryView {
    /// The bytes seen.
    pub fn bytes(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }
}

/// `memoryview(object)`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [object] = Spec::function("memoryview", Style::Keywords, &["object"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let object = object.unwrap_or(Value::None);
    match object.builtin_value() {
        Value::Bytes(b) => Ok(view(object.clone(), b.clone(), 0, b.len())),
        Value::Native(n) if matches!(**n, Native::MemoryView(_)) => {
            let Native::MemoryView(m) = &**n else {
                return Err(vm.bug("memoryview"));
            };
            Ok(view(m.obj.clone(), m.data.clone(), m.start, m.end))
        }
        Value::Str(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::None
        | Value::List(_)
        | Value::Tuple(_)
        | Value::Dict(_) => {
            let n = vm.type_of(&object).name.clone();
            Err(vm.type_error(format!(
                "memoryview: a bytes-like object is required, not '{n}'"
            )))
        }
        _ => Err(vm.unsupported(format!(
            "memoryview of a '{}' object",
            vm.type_of(&object).name
        ))),
    }
}

fn view(obj: Value, data: Rc<[u8]>, start: usize, end: usize) -> Value {
    Value::Native(Rc::new(Native::MemoryView(MemoryView {
        obj,
        data,
        start,
        end,
        released: Cell::new(false),
    })))
}

fn this<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a MemoryView> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::MemoryView(m) if m.released.get() => {
                Err(vm.value_error("operation forbidden on released memoryview object"))
            }
            Native::MemoryView(m) => Ok(m),
            _ => Err(vm.bug("a memoryview method without one")),
        },
        _ => Err(vm.bug("a memoryview method without one")),
    }
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = this(vm, &args)?;
    let Some(key) = args.pos.get(1).cloned() else {
        return Err(vm.type_error("expected 1 argument, got 0"));
    };
    let len = m.end - m.start;
    match key.builtin_value() {
        Value::Slice(s) => {
            let s = s.clone();
            let (start, stop, step) = vm.slice_bounds(&s, len as i64)?;
            if step != 1 {
                return Err(vm.unsupported("a memoryview slice with a step"));
            }
            let m = this(vm, &args)?;
            let (a, b) = (start.max(0) as usize, stop.max(start).max(0) as usize);
            Ok(view(
                m.obj.clone(),
                m.data.clone(),
                m.start + a,
                m.start + b.min(len),
            ))
        }
        Value::Int(i) => {
            let i = if *i < 0 { *i + len as i64 } else { *i };
            if i < 0 || i >= len as i64 {
                return Err(vm.err("IndexError", "index out of bounds on dimension 1"));
            }
            let m = this(vm, &args)?;
            Ok(Value::Int(i64::from(m.bytes()[i as usize])))
        }
        _ => Err(vm.unsupported("a memoryview index that is not an int or a slice")),
    }
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = this(vm, &args)?;
    Ok(Value::Int((m.end - m.start) as i64))
}

fn tobytes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = this(vm, &args)?;
    Ok(Value::Bytes(Rc::from(m.bytes())))
}

fn release(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if let Some(Value::Native(n)) = args.pos.first() {
        if let Native::MemoryView(m) = &**n {
            m.released.set(true);
        }
    }
    let _ = vm;
    Ok(Value::None)
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    this(vm, &args)?;
    Ok(args.pos[0].clone())
}

/// `memory_richcompare` for views and bytes of unsigned bytes: equal contents.
fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = this(vm, &args)?;
    let other = args.pos.get(1).cloned().unwrap_or(Value::None);
    Ok(match other.builtin_value() {
        Value::Bytes(b) => Value::Bool(m.bytes() == &b[..]),
        Value::Native(n) => match &**n {
            Native::MemoryView(o) => Value::Bool(m.bytes() == o.bytes()),
            _ => Value::NotImplemented,
        },
        _ => Value::NotImplemented,
    })
}

fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(match eq(vm, args)? {
        Value::Bool(b) => Value::Bool(!b),
        other => other,
    })
}

/// Attributes that are fields.
pub fn attr(m: &MemoryView, name: &str) -> Option<Value> {
    Some(match name {
        "obj" => m.obj.clone(),
        "nbytes" => Value::Int((m.end - m.start) as i64),
        "readonly" => Value::Bool(true),
        "itemsize" => Value::Int(1),
        "format" => Value::str("B"),
        "ndim" => Value::Int(1),
        "released" => Value::Bool(m.released.get()),
        _ => return None,
    })
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("memoryview", "__getitem__", getitem),
    ("memoryview", "__len__", len),
    ("memoryview", "tobytes", tobytes),
    ("memoryview", "release", release),
    ("memoryview", "__enter__", enter),
    ("memoryview", "__exit__", release),
    ("memoryview", "__eq__", eq),
    ("memoryview", "__ne__", ne),
];
