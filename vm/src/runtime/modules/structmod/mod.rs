//! `_struct` (CPython 3.12 `Modules/_struct.c`; `Lib/struct.py` runs from CPython's Lib/
//! and re-exports it): `pack`, `pack_into`, `unpack`, `unpack_from`, `iter_unpack`,
//! `calcsize`, `_clearcache`, the `Struct` type, its `unpack_iterator` and `error`.
//!
//! The format language and the codes' bytes are in `format`. Every `Struct`, of the type
//! itself or of a subclass, is an instance carrying a [`StructObj`] as its payload (see
//! `subclass`): `__new__` (`s_new`) makes one with no format, `__init__` compiles one. The
//! module functions compile their format each call (CPython's cache of 100 Structs is not
//! observable but through memory, so `_clearcache` has nothing to clear). Buffers are read
//! whole; `pack_into` writes into a bytearray or a writable C-contiguous memoryview of one.
//! An `unpack_iterator` over a bytearray holds an export of it until it is exhausted, as
//! CPython's `Py_buffer` does, so the bytearray cannot be resized meanwhile.
//!
//! Unsupported: a str format with non-ASCII characters (CPython's UnicodeEncodeError), a
//! format that is an instance of a class (the cache compares it by `__eq__`), buffers
//! exported through `__buffer__`, non-contiguous memoryviews, `iter_unpack` over a
//! memoryview, `pack_into` of a zero-length `p` code, `__sizeof__` of a subclass
//! instance, and using a Struct whose `__init__` never ran.

pub mod format;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use num_bigint::BigInt;

use self::format::{FormatError, Layout};
use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::{PyResult, Throw};

/// The types, by registry key.
pub const TYPES: &[&str] = &["Struct", "unpack_iterator"];

/// `module_doc`, python3.12's `_struct.__doc__`.
const DOC: &str = "Functions to convert between Python values and C structs.
Python bytes objects are used to hold the data representing the C struct
and also as format strings (explained below) to describe the layout of data
in the C struct.

The optional first format char indicates byte order, size and alignment:
  @: native order, size & alignment (default)
  =: native order, std. size & alignment
  <: little-endian, std. size & alignment
  >: big-endian, std. size & alignment
  !: same as >

The remaining chars indicate types of args and must match exactly;
these can be preceded by a decimal repeat count:
  x: pad byte (no data); c:char; b:signed byte; B:unsigned byte;
  ?: _Bool (requires C99; if not available, char is used instead)
  h:short; H:unsigned short; i:int; I:unsigned int;
  l:long; L:unsigned long; f:float; d:double; e:half-float.
Special cases (preceding decimal count indicates length):
  s:string (array of char); p: pascal string (with count byte).
Special cases (only available in native format):
  n:ssize_t; N:size_t;
  P:an integer type that is wide enough to hold a pointer.
Special case (not in native mode unless 'long long' in platform C):
  q:long long; Q:unsigned long long
Whitespace between formats is ignored.

The variable struct.error is an exception raised on errors.
";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_struct", FUNCTIONS);
    d.set_str("Struct", Value::Type(vm.ty("Struct")));
    let error = super::super::classes::exception_class("error", "struct", vec![vm.ty("Exception")]);
    d.set_str("error", Value::Type(error));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("_clearcache", clearcache),
    ("calcsize", calcsize),
    ("iter_unpack", iter_unpack),
    ("pack", pack),
    ("pack_into", pack_into),
    ("unpack", unpack),
    ("unpack_from", unpack_from),
];

/// `struct.error(msg)`, the class from the module's namespace (its state in CPython).
fn error(vm: &Vm, msg: impl Into<String>) -> Throw {
    let cls = match vm.modules.get_str("_struct") {
        Some(Value::Module(m)) => m.dict.get_str("error"),
        _ => None,
    };
    match cls {
        Some(Value::Type(t)) => {
            let exc = vm.new_exception(&t, vec![Value::str(&msg.into())]);
            vm.raise(exc)
        }
        _ => vm.unsupported("_struct.error once _struct has left sys.modules"),
    }
}

fn format_error(vm: &Vm, e: FormatError) -> Throw {
    error(vm, e.message())
}

/// A `PyStructObject`: the format as given (a str) and its layout, `None` until
/// `__init__` has compiled one.
#[derive(Debug, Default)]
pub struct StructObj {
    format: RefCell<String>,
    layout: RefCell<Option<Rc<Layout>>>,
}

/// The Struct state `v` carries.
fn of(v: &Value) -> Option<Rc<StructObj>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Struct(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args) -> PyResult<Rc<StructObj>> {
    args.pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("a Struct method without a Struct"))
}

/// The layout of a Struct, or unsupported when `__init__` never compiled one.
fn layout(vm: &Vm, s: &StructObj) -> PyResult<Rc<Layout>> {
    s.layout
        .borrow()
        .clone()
        .ok_or_else(|| vm.unsupported("a _struct.Struct whose __init__ never ran"))
}

/// The bytes of a format given to `Struct()`: str (ASCII) or bytes, subclasses included.
fn format_bytes(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    match v.builtin_value() {
        Value::Str(s) => {
            if s.is_ascii() {
                Ok(s.as_bytes().to_vec())
            } else {
                Err(vm.unsupported("a _struct format str with non-ASCII characters"))
            }
        }
        Value::Bytes(b) => Ok(b.to_vec()),
        other => Err(vm.type_error(format!(
            "Struct() argument 1 must be a str or bytes object, not {}",
            vm.type_of(other).name()
        ))),
    }
}

/// `cache_struct_converter`: the layout of a module function's format. The cache is a
/// dict, so the format is hashed first (an unhashable one fails there).
fn cached(vm: &mut Vm, v: &Value) -> PyResult<Rc<Layout>> {
    if let Value::Object(_) = v {
        return Err(vm.unsupported("a _struct format that is an instance of a class"));
    }
    vm.hash(v)?;
    let fmt = format_bytes(vm, v)?;
    format::compile(&fmt)
        .map(Rc::new)
        .map_err(|e| format_error(vm, e))
}

/// The bytes of a buffer argument (`y*`): bytes, bytearray, a C-contiguous memoryview.
fn read_buffer(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Value::Native(n) = v {
        if let Native::MemoryView(m) = &**n {
            if !m.released() && !m.is_c_contiguous() {
                return Err(vm.err(
                    "BufferError",
                    "memoryview: underlying buffer is not C-contiguous",
                ));
            }
        }
    }
    if let Value::Object(_) = v {
        if super::super::methods::bytes::buffer_of(v).is_none()
            && vm.special(v, "__buffer__").is_some()
        {
            return Err(vm.unsupported("a _struct buffer exported through __buffer__"));
        }
    }
    super::super::methods::bytes::need_buffer(vm, v)
}

/// `PyNumber_AsSsize_t` of an offset, an int beyond 64 bits raising `overflow`.
fn ssize(vm: &mut Vm, v: &Value, index_error: bool) -> PyResult<i64> {
    let big = match v {
        Value::Int(i) => return Ok(*i),
        Value::Bool(b) => return Ok(i64::from(*b)),
        Value::BigInt(b) => (**b).clone(),
        Value::Object(_) if vm.special(v, "__index__").is_some() => super::math::to_index(vm, v)?,
        Value::Native(_) if vm.has_index(v) => super::math::to_index(vm, v)?,
        other => {
            return Err(vm.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_of(other).name()
            )))
        }
    };
    i64::try_from(&big).map_err(|_| {
        if index_error {
            vm.err("IndexError", super::super::int::CANNOT_FIT)
        } else {
            vm.err("OverflowError", super::super::int::TOO_LARGE_SSIZE_T)
        }
    })
}

/// `get_pylong`: an int, through `__index__` for other objects that have one.
fn integer(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    // An int subclass is read as the int it is, its own `__index__` not called.
    match v.builtin_value() {
        Value::Int(i) => Ok(BigInt::from(*i)),
        Value::Bool(b) => Ok(BigInt::from(u8::from(*b))),
        Value::BigInt(b) => Ok((**b).clone()),
        Value::Object(_) if vm.special(v, "__index__").is_some() => super::math::to_index(vm, v),
        Value::Native(_) if vm.has_index(v) => super::math::to_index(vm, v),
        _ => Err(error(vm, "required argument is not an integer")),
    }
}

/// `PyFloat_AsDouble`, any exception it raises becoming `required argument is not a
/// float`.
fn double(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    // A float subclass is read as the float it is (`PyFloat_Check`), its `__float__`
    // not called.
    if let Value::Float(x) = v.builtin_value() {
        return Ok(*x);
    }
    match super::math::to_double(vm, v) {
        Ok(x) => Ok(x),
        Err(Throw::Exc(_)) => Err(error(vm, "required argument is not a float")),
        Err(other) => Err(other),
    }
}

/// Packs one value of `run`'s code at `at` of `out` (`s_pack_internal`'s loop body).
fn pack_item(
    vm: &mut Vm,
    l: &Layout,
    code: u8,
    size: usize,
    v: &Value,
    out: &mut [u8],
    at: usize,
) -> PyResult<()> {
    let big = l.big_endian;
    let bytes: Vec<u8> = match code {
        b'?' => vec![u8::from(vm.truthy(v)?)],
        b'c' => match v.builtin_value() {
            Value::Bytes(b) if b.len() == 1 => b.to_vec(),
            _ => return Err(error(vm, "char format requires a bytes object of length 1")),
        },
        b's' | b'p' => {
            let data: Vec<u8> = match v.builtin_value() {
                Value::Bytes(b) => b.to_vec(),
                Value::Native(n) if matches!(&**n, Native::ByteArray(_)) => {
                    super::super::methods::bytes::buffer_of(v).unwrap_or_default()
                }
                _ => {
                    return Err(error(
                        vm,
                        format!("argument for '{}' must be a bytes object", code as char),
                    ))
                }
            };
            let mut field = vec![0u8; size];
            if code == b's' {
                let n = data.len().min(size);
                field[..n].copy_from_slice(&data[..n]);
            } else if size == 0 {
                // `*res = -1` one byte past the empty field, inside `out` only if a later
                // item or padding follows (which overwrites or keeps it).
                if let Some(b) = out.get_mut(at) {
                    *b = 0xff;
                }
                return Ok(());
            } else {
                let n = data.len().min(size - 1);
                field[1..=n].copy_from_slice(&data[..n]);
                field[0] = n.min(255) as u8;
            }
            field
        }
        b'e' => {
            let x = double(vm, v)?;
            let h = format::to_f16(x)
                .ok_or_else(|| vm.err("OverflowError", "float too large to pack with e format"))?;
            if big {
                h.to_be_bytes().to_vec()
            } else {
                h.to_le_bytes().to_vec()
            }
        }
        b'f' => {
            let x = double(vm, v)?;
            let y = format::to_f32(x);
            if !l.native && y.is_infinite() && !x.is_infinite() {
                return Err(vm.err("OverflowError", "float too large to pack with f format"));
            }
            if big {
                y.to_be_bytes().to_vec()
            } else {
                y.to_le_bytes().to_vec()
            }
        }
        b'd' => {
            let x = double(vm, v)?;
            if big {
                x.to_be_bytes().to_vec()
            } else {
                x.to_le_bytes().to_vec()
            }
        }
        b'P' => {
            let n = integer(vm, v)?;
            let lo = -(BigInt::from(1) << 63u32);
            let hi = BigInt::from(1) << 64u32;
            if n < lo || n >= hi {
                return Err(error(vm, "int too large to convert"));
            }
            format::int_bytes(&n, size, big)
        }
        _ => {
            let n = integer(vm, v)?;
            let (lo, hi) = format::int_range(code, size);
            if n < lo || n > hi {
                return Err(error(vm, format::range_message(code, size)));
            }
            format::int_bytes(&n, size, big)
        }
    };
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(&bytes);
    }
    Ok(())
}

/// `s_pack_internal`: the values packed into a zeroed buffer of the layout's size. On an
/// error the items packed so far stay in `out`, as CPython's do in its buffer.
fn pack_values(vm: &mut Vm, l: &Layout, values: &[Value], out: &mut [u8]) -> PyResult<()> {
    let mut i = 0;
    for run in &l.runs {
        let count = if matches!(run.code, b's' | b'p') {
            1
        } else {
            run.repeat
        };
        for k in 0..count {
            let v = values.get(i).cloned().unwrap_or_default();
            i += 1;
            let at = run.offset + k * run.size;
            match pack_item(vm, l, run.code, run.size, &v, out, at) {
                // An int's OverflowError, whichever code raised it.
                Err(Throw::Exc(e))
                    if vm.is_instance_of(&e, "OverflowError")
                        && matches!(
                            v.builtin_value(),
                            Value::Int(_) | Value::Bool(_) | Value::BigInt(_)
                        ) =>
                {
                    return Err(error(vm, "int too large to convert"));
                }
                r => r?,
            }
        }
    }
    Ok(())
}

/// The checked item count: `pack expected N items for packing (got M)`.
fn check_count(vm: &Vm, what: &str, l: &Layout, got: usize) -> PyResult<()> {
    if got != l.len {
        return Err(error(
            vm,
            format!("{what} expected {} items for packing (got {got})", l.len),
        ));
    }
    Ok(())
}

fn pack_bytes(vm: &mut Vm, l: &Layout, values: &[Value]) -> PyResult<Value> {
    check_count(vm, "pack", l, values.len())?;
    vm.before_alloc(l.size as u128, l.size as u128)?;
    let mut out = vec![0u8; l.size];
    pack_values(vm, l, values, &mut out)?;
    Ok(Value::Bytes(Rc::from(out)))
}

/// Unpacks one item.
fn unpack_item(vm: &Vm, l: &Layout, code: u8, b: &[u8]) -> PyResult<Value> {
    let big = l.big_endian;
    Ok(match code {
        b'?' => Value::Bool(b.iter().any(|&x| x != 0)),
        b'c' => Value::Bytes(Rc::from(b.to_vec())),
        b's' => Value::Bytes(Rc::from(b.to_vec())),
        b'p' => {
            let Some(&first) = b.first() else {
                return Err(vm.err(
                    "SystemError",
                    "Negative size passed to PyBytes_FromStringAndSize",
                ));
            };
            let n = usize::from(first).min(b.len() - 1);
            Value::Bytes(Rc::from(b[1..=n].to_vec()))
        }
        b'e' => {
            let h = [
                b.first().copied().unwrap_or(0),
                b.get(1).copied().unwrap_or(0),
            ];
            let h = if big {
                u16::from_be_bytes(h)
            } else {
                u16::from_le_bytes(h)
            };
            Value::Float(format::from_f16(h))
        }
        b'f' => {
            let mut w = [0u8; 4];
            w.copy_from_slice(b.get(..4).unwrap_or(&[0; 4]));
            let y = if big {
                f32::from_be_bytes(w)
            } else {
                f32::from_le_bytes(w)
            };
            Value::Float(format::from_f32(y))
        }
        b'd' => {
            let mut w = [0u8; 8];
            w.copy_from_slice(b.get(..8).unwrap_or(&[0; 8]));
            Value::Float(if big {
                f64::from_be_bytes(w)
            } else {
                f64::from_le_bytes(w)
            })
        }
        c => Value::int(format::int_of(b, c.is_ascii_lowercase(), big)),
    })
}

/// `s_unpack_internal`: the tuple of a layout's values from `data` (its size exactly).
fn unpack_values(vm: &mut Vm, l: &Layout, data: &[u8]) -> PyResult<Value> {
    vm.before_alloc(l.len as u128 * 8, l.len as u128 * 16)?;
    let mut items = Vec::with_capacity(l.len);
    for run in &l.runs {
        let count = if matches!(run.code, b's' | b'p') {
            1
        } else {
            run.repeat
        };
        for k in 0..count {
            let at = run.offset + k * run.size;
            let b = data
                .get(at..at + run.size)
                .ok_or_else(|| vm.bug("a struct item past its buffer"))?;
            items.push(unpack_item(vm, l, run.code, b)?);
        }
    }
    Ok(Value::tuple(items))
}

fn unpack_exact(vm: &mut Vm, l: &Layout, buffer: &Value) -> PyResult<Value> {
    let data = read_buffer(vm, buffer)?;
    if data.len() != l.size {
        return Err(error(
            vm,
            format!("unpack requires a buffer of {} bytes", l.size),
        ));
    }
    unpack_values(vm, l, &data)
}

fn unpack_at(vm: &mut Vm, l: &Layout, buffer: &Value, offset: Option<&Value>) -> PyResult<Value> {
    let data = read_buffer(vm, buffer)?;
    let mut offset = match offset {
        Some(o) => ssize(vm, o, false)?,
        None => 0,
    };
    let (len, size) = (data.len() as i64, l.size as i64);
    if offset < 0 {
        if offset + size > 0 {
            return Err(error(
                vm,
                format!("not enough data to unpack {size} bytes at offset {offset}"),
            ));
        }
        if offset + len < 0 {
            return Err(error(
                vm,
                format!("offset {offset} out of range for {len}-byte buffer"),
            ));
        }
        offset += len;
    }
    if len - offset < size {
        return Err(error(
            vm,
            format!(
                "unpack_from requires a buffer of at least {} bytes for unpacking {size} bytes at offset {offset} (actual buffer size is {len})",
                size as u64 + offset as u64
            ),
        ));
    }
    let start = offset as usize;
    unpack_values(vm, l, &data[start..start + l.size])
}

/// Where `pack_into` writes: a bytearray, or a writable memoryview of one.
enum Target {
    Array(Value),
    View(Value),
}

fn write_target(vm: &mut Vm, v: &Value) -> PyResult<(Target, usize)> {
    let not_rw = |vm: &Vm, v: &Value| {
        let t = match v {
            Value::None => "None".into(),
            _ => vm.type_of(v).name().clone(),
        };
        vm.type_error(format!(
            "argument must be read-write bytes-like object, not {t}"
        ))
    };
    match v {
        Value::Native(n) => match &**n {
            Native::ByteArray(b) => Ok((Target::Array(v.clone()), b.data.borrow().len())),
            Native::MemoryView(m) => {
                if m.released() || m.readonly_view() {
                    return Err(not_rw(vm, v));
                }
                if !m.is_c_contiguous() {
                    return Err(vm.unsupported("pack_into a non-contiguous memoryview"));
                }
                Ok((Target::View(v.clone()), m.nbytes()))
            }
            _ => Err(not_rw(vm, v)),
        },
        Value::Object(_) if vm.special(v, "__buffer__").is_some() => {
            Err(vm.unsupported("a _struct buffer exported through __buffer__"))
        }
        _ => Err(not_rw(vm, v)),
    }
}

fn write_into(target: &Target, at: usize, bytes: &[u8]) {
    match target {
        Target::Array(v) => {
            if let Some(b) = super::super::bytearray::as_bytearray(v) {
                if let Some(dst) = b.data.borrow_mut().get_mut(at..at + bytes.len()) {
                    dst.copy_from_slice(bytes);
                }
            }
        }
        Target::View(v) => {
            if let Value::Native(n) = v {
                if let Native::MemoryView(m) = &**n {
                    m.write_bytes(at, bytes);
                }
            }
        }
    }
}

/// `s_pack_into` on `args` (buffer, offset, values...).
fn pack_into_impl(vm: &mut Vm, l: &Layout, args: &[Value]) -> PyResult<Value> {
    if args.len() != l.len + 2 {
        return Err(match args.len() {
            0 => error(vm, "pack_into expected buffer argument"),
            1 => error(vm, "pack_into expected offset argument"),
            n => error(
                vm,
                format!(
                    "pack_into expected {} items for packing (got {})",
                    l.len,
                    n - 2
                ),
            ),
        });
    }
    let (target, len) = write_target(vm, &args[0])?;
    let mut offset = ssize(vm, &args[1], true)?;
    let (len, size) = (len as i64, l.size as i64);
    if offset < 0 {
        if offset + size > 0 {
            return Err(error(
                vm,
                format!("no space to pack {size} bytes at offset {offset}"),
            ));
        }
        if offset + len < 0 {
            return Err(error(
                vm,
                format!("offset {offset} out of range for {len}-byte buffer"),
            ));
        }
        offset += len;
    }
    if len - offset < size {
        return Err(error(
            vm,
            format!(
                "pack_into requires a buffer of at least {} bytes for packing {size} bytes at offset {offset} (actual buffer size is {len})",
                size as u64 + offset as u64
            ),
        ));
    }
    if l.runs.iter().any(|r| r.code == b'p' && r.size == 0) {
        return Err(vm.unsupported("pack_into with a zero-length 'p' code"));
    }
    let mut out = vec![0u8; l.size];
    let packed = pack_values(vm, l, &args[2..], &mut out);
    write_into(&target, offset as usize, &out);
    packed?;
    Ok(Value::None)
}

/// `pack(format, /, *values)`.
fn pack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_struct", "pack", Style::VarArgs, &[], 0).parse(vm, &args, usize::MAX)?;
    let Some(fmt) = args.pos.first() else {
        return Err(vm.type_error("missing format argument"));
    };
    let l = cached(vm, fmt)?;
    pack_bytes(vm, &l, &args.pos[1..])
}

/// `pack_into(format, buffer, offset, /, *values)`.
fn pack_into(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_struct", "pack_into", Style::VarArgs, &[], 0).parse(vm, &args, usize::MAX)?;
    let Some(fmt) = args.pos.first() else {
        return Err(vm.type_error("missing format argument"));
    };
    let l = cached(vm, fmt)?;
    pack_into_impl(vm, &l, &args.pos[1..])
}

/// `unpack(format, buffer, /)`.
fn unpack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fmt, buffer] = Spec::method(
        "_struct",
        "unpack",
        Style::Positional,
        &["format", "buffer"],
        2,
    )
    .bind(vm, &args, 0)?;
    let l = cached(vm, &fmt.unwrap_or_default())?;
    unpack_exact(vm, &l, &buffer.unwrap_or_default())
}

/// `unpack_from(format, /, buffer, offset=0)`.
fn unpack_from(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fmt, buffer, offset] = Spec::function(
        "unpack_from",
        Style::Keywords,
        &["format", "buffer", "offset"],
        2,
    )
    .keywords(1, 3)
    .bind(vm, &args, 0)?;
    let l = cached(vm, &fmt.unwrap_or_default())?;
    unpack_at(vm, &l, &buffer.unwrap_or_default(), offset.as_ref())
}

/// `iter_unpack(format, buffer, /)`.
fn iter_unpack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fmt, buffer] = Spec::method(
        "_struct",
        "iter_unpack",
        Style::Positional,
        &["format", "buffer"],
        2,
    )
    .bind(vm, &args, 0)?;
    let l = cached(vm, &fmt.unwrap_or_default())?;
    new_iter(vm, l, &buffer.unwrap_or_default())
}

/// `calcsize(format, /)`.
fn calcsize(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fmt] = Spec::method("_struct", "calcsize", Style::O, &["format"], 1).bind(vm, &args, 0)?;
    let l = cached(vm, &fmt.unwrap_or_default())?;
    Ok(Value::Int(l.size as i64))
}

/// `_clearcache()`.
fn clearcache(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_struct", "_clearcache", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::None)
}

/// `s_new` for `cls`: a Struct with no format yet.
pub fn new_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::Struct(Rc::new(StructObj::default()))));
    super::super::subclass::with_payload(cls, n)
}

/// `_struct.Struct(...)`: the new object, then `__init__`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init(vm, args)?;
    Ok(me)
}

/// `Struct.__new__(cls, *args, **kwargs)` (`tp_new_wrapper`'s checks, then `s_new`,
/// which ignores the arguments).
fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::subclass::tp_new_wrapper(vm, &args, "Struct", "_struct.Struct", new_for)
}

/// `Struct.__init__(format)`: the format is kept even when it does not compile (the
/// layout then stays what it was).
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [fmt] = Spec::function("Struct", Style::Keywords, &["format"], 1)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let bytes = format_bytes(vm, &fmt.unwrap_or_default())?;
    *s.format.borrow_mut() = String::from_utf8_lossy(&bytes).into_owned();
    let l = format::compile(&bytes).map_err(|e| format_error(vm, e))?;
    *s.layout.borrow_mut() = Some(Rc::new(l));
    Ok(Value::None)
}

fn s_pack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    Spec::method("Struct", "pack", Style::VarArgs, &[], 0).parse(vm, &args, usize::MAX)?;
    let l = layout(vm, &s)?;
    pack_bytes(vm, &l, &args.pos[1..])
}

fn s_pack_into(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    Spec::method("Struct", "pack_into", Style::VarArgs, &[], 0).parse(vm, &args, usize::MAX)?;
    let l = layout(vm, &s)?;
    pack_into_impl(vm, &l, &args.pos[1..])
}

fn s_unpack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [buffer] = Spec::method("Struct", "unpack", Style::O, &["buffer"], 1).bind(vm, &args, 1)?;
    let l = layout(vm, &s)?;
    unpack_exact(vm, &l, &buffer.unwrap_or_default())
}

fn s_unpack_from(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [buffer, offset] = Spec::function("unpack_from", Style::Keywords, &["buffer", "offset"], 1)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let l = layout(vm, &s)?;
    unpack_at(vm, &l, &buffer.unwrap_or_default(), offset.as_ref())
}

fn s_iter_unpack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [buffer] =
        Spec::method("Struct", "iter_unpack", Style::O, &["buffer"], 1).bind(vm, &args, 1)?;
    let l = layout(vm, &s)?;
    new_iter(vm, l, &buffer.unwrap_or_default())
}

fn s_sizeof(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    Spec::method("Struct", "__sizeof__", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let this = args.pos.first().cloned().unwrap_or_default();
    if !Rc::ptr_eq(&vm.type_of(&this), &vm.ty("Struct")) {
        return Err(vm.unsupported("__sizeof__ of a _struct.Struct subclass instance"));
    }
    let l = layout(vm, &s)?;
    // The object (56 bytes) and its formatcode array (32 bytes a run, and the sentinel).
    Ok(Value::Int(88 + 32 * l.runs.len() as i64))
}

/// The getters `format` and `size`.
pub fn attr(s: &StructObj, name: &str) -> Option<Value> {
    match name {
        "format" => Some(Value::str(&s.format.borrow())),
        "size" => Some(Value::Int(
            s.layout.borrow().as_ref().map_or(-1, |l| l.size as i64),
        )),
        _ => None,
    }
}

/// `unpackiterobject`: the Struct's layout, the buffer (a bytearray's export held while
/// the iterator is not exhausted) and the byte index of the next item.
#[derive(Debug)]
pub struct StructIter {
    layout: Rc<Layout>,
    source: RefCell<Option<Value>>,
    index: Cell<usize>,
    len: usize,
}

impl StructIter {
    /// `PyBuffer_Release`: a bytearray's export is given back.
    fn release(&self) {
        if let Some(v) = self.source.borrow_mut().take() {
            if let Some(b) = super::super::bytearray::as_bytearray(&v) {
                b.exports.set(b.exports.get().saturating_sub(1));
            }
        }
    }
}

impl Drop for StructIter {
    fn drop(&mut self) {
        self.release();
    }
}

fn new_iter(vm: &mut Vm, l: Rc<Layout>, buffer: &Value) -> PyResult<Value> {
    if l.size == 0 {
        return Err(error(
            vm,
            "cannot iteratively unpack with a struct of length 0",
        ));
    }
    let data = read_buffer(vm, buffer)?;
    if let Value::Native(n) = buffer {
        if let Native::MemoryView(_) = &**n {
            return Err(vm.unsupported("iter_unpack over a memoryview"));
        }
    }
    if data.len() % l.size != 0 {
        return Err(error(
            vm,
            format!(
                "iterative unpacking requires a buffer of a multiple of {} bytes",
                l.size
            ),
        ));
    }
    let source = match buffer.builtin_value() {
        Value::Bytes(b) => Value::Bytes(b.clone()),
        other => {
            if let Some(b) = super::super::bytearray::as_bytearray(other) {
                b.exports.set(b.exports.get() + 1);
            }
            other.clone()
        }
    };
    Ok(Value::Native(Rc::new(Native::StructIter(StructIter {
        layout: l,
        source: RefCell::new(Some(source)),
        index: Cell::new(0),
        len: data.len(),
    }))))
}

fn it<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a StructIter> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::StructIter(i) => Ok(i),
            _ => Err(vm.bug("an unpack_iterator method without one")),
        },
        _ => Err(vm.bug("an unpack_iterator method without one")),
    }
}

fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let i = it(vm, &args)?;
    Spec::method("unpack_iterator", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let Some(source) = i.source.borrow().clone() else {
        return Err(stop(vm));
    };
    let at = i.index.get();
    if at >= i.len {
        i.release();
        return Err(stop(vm));
    }
    let data = super::super::methods::bytes::buffer_of(&source).unwrap_or_default();
    let l = i.layout.clone();
    let chunk = data
        .get(at..at + l.size)
        .ok_or_else(|| vm.bug("an unpack_iterator past its buffer"))?;
    let v = unpack_values(vm, &l, chunk)?;
    i.index.set(at + l.size);
    Ok(v)
}

/// `StopIteration()` with no arguments.
fn stop(vm: &Vm) -> Throw {
    let exc = vm.new_exception(&vm.ty("StopIteration"), vec![]);
    vm.raise(exc)
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("unpack_iterator", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos.first().cloned().unwrap_or_default())
}

fn iter_len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let i = it(vm, &args)?;
    Spec::method("unpack_iterator", "__length_hint__", Style::NoArgs, &[], 0)
        .parse(vm, &args, 1)?;
    if i.source.borrow().is_none() {
        return Ok(Value::Int(0));
    }
    Ok(Value::Int(
        (i.len.saturating_sub(i.index.get()) / i.layout.size.max(1)) as i64,
    ))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Struct", "__new__", new_method),
    ("Struct", "__init__", init),
    ("Struct", "pack", s_pack),
    ("Struct", "pack_into", s_pack_into),
    ("Struct", "unpack", s_unpack),
    ("Struct", "unpack_from", s_unpack_from),
    ("Struct", "iter_unpack", s_iter_unpack),
    ("Struct", "__sizeof__", s_sizeof),
    ("unpack_iterator", "__next__", iter_next),
    ("unpack_iterator", "__iter__", iter_self),
    ("unpack_iterator", "__length_hint__", iter_len),
];
