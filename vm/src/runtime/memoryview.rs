//! `memoryview` (CPython `Objects/memoryobject.c`): one-dimensional views of the buffers
//! the VM has — `bytes` (read-only) and `bytearray` (writable, live) — in any native
//! single-character format (`struct`'s `@` mode: `cbB?hHiIlLqQnNfdeP`), sliced with any
//! step without copying, cast between a byte format and another.
//!
//! As in CPython, the views made from one exporter share a managed buffer
//! (`_PyManagedBufferObject`, here [`Managed`]) that holds the exporter's one buffer
//! export: a bytearray cannot be resized while any of them is unreleased, and releasing
//! or dropping the last one gives the export back. Views of more than one dimension
//! (`cast` with a shape of two or more), of zero dimensions, and of other exporters
//! (`array.array`, ctypes) are not provided (`reach` reports them).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use num_bigint::BigInt;

use super::argspec::{Spec, Style};
use super::bytearray::as_bytearray;
use super::interp::Vm;
use super::modules::math::{to_double, to_index};
use super::object::{Args, Native, NativeFn, Value};
use super::PyResult;

/// A one-dimensional view: `len` items of `fmt`, the first at byte `offset` of the
/// managed buffer, each `stride` bytes after the one before.
#[derive(Debug)]
pub struct MemoryView {
    /// The managed buffer; `None` once the view is released.
    mbuf: RefCell<Option<Rc<Managed>>>,
    offset: usize,
    len: usize,
    stride: isize,
    fmt: Format,
    readonly: bool,
    /// The format as `cast` was given it when that is not how `fmt` shows itself
    /// (`'@H'`): CPython keeps the string (`view->format`).
    format_text: Option<Rc<str>>,
    /// `memory_hash`'s cache: once computed, the hash survives `release()`.
    hash: Cell<Option<i64>>,
}

/// CPython's `_PyManagedBufferObject`: the exporter and its one export, shared by every
/// view made from it and given back when the last of them goes.
#[derive(Debug)]
pub struct Managed {
    /// The exporter (`memoryview.obj`).
    obj: Value,
}

impl Managed {
    fn new(obj: Value) -> Rc<Managed> {
        if let Some(b) = as_bytearray(&obj) {
            b.exports.set(b.exports.get() + 1);
        }
        Rc::new(Managed { obj })
    }

    /// `f(bytes)` on the exporter's current bytes.
    fn with<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match &self.obj {
            Value::Bytes(b) => f(b),
            other => match as_bytearray(other) {
                Some(b) => f(&b.data.borrow()),
                None => f(&[]),
            },
        }
    }
}

impl Drop for Managed {
    /// `mbuf_release`: the exporter's buffer is given back.
    fn drop(&mut self) {
        if let Some(b) = as_bytearray(&self.obj) {
            b.exports.set(b.exports.get().saturating_sub(1));
        }
    }
}

/// A native single-character format (`get_native_fmtchar`), by its character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Format(u8);

impl Format {
    const BYTES: Format = Format(b'B');

    /// `'X'` or `'@X'` for a native format character `X`.
    fn parse(s: &str) -> Option<Format> {
        let c = match s.as_bytes() {
            [b'@', c] | [c] => *c,
            _ => return None,
        };
        b"cbB?hHiIlLqQnNfdeP".contains(&c).then_some(Format(c))
    }

    /// Its item size on CPython's 64-bit Linux builds.
    fn size(self) -> usize {
        match self.0 {
            b'c' | b'b' | b'B' | b'?' => 1,
            b'h' | b'H' | b'e' => 2,
            b'i' | b'I' | b'f' => 4,
            _ => 8,
        }
    }

    fn is_byte(self) -> bool {
        matches!(self.0, b'B' | b'b' | b'c')
    }

    fn text(self) -> String {
        char::from(self.0).to_string()
    }
}

/// An unpacked item, compared as Python compares the objects it becomes (`unpack_cmp`).
#[derive(Debug, Clone, Copy)]
enum Item {
    Int(i128),
    Float(f64),
    Char(u8),
}

impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        match (*self, *other) {
            (Item::Int(a), Item::Int(b)) => a == b,
            (Item::Float(a), Item::Float(b)) => a == b,
            (Item::Int(i), Item::Float(f)) | (Item::Float(f), Item::Int(i)) => {
                f.fract() == 0.0 && f.abs() < 2f64.powi(100) && f as i128 == i
            }
            (Item::Char(a), Item::Char(b)) => a == b,
            _ => false,
        }
    }
}

/// The item `fmt` reads from `b` (`unpack_single`), in native (little-endian) order.
fn item(fmt: Format, b: &[u8]) -> Item {
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    let u = u64::from_le_bytes(w);
    match fmt.0 {
        b'c' => Item::Char(b[0]),
        b'b' => Item::Int(i128::from(b[0] as i8)),
        b'h' => Item::Int(i128::from(u as u16 as i16)),
        b'i' => Item::Int(i128::from(u as u32 as i32)),
        b'l' | b'q' | b'n' => Item::Int(i128::from(u as i64)),
        b'?' => Item::Int(i128::from(b[0] != 0)),
        b'f' => Item::Float(f64::from(f32::from_bits(u as u32))),
        b'd' => Item::Float(f64::from_bits(u)),
        b'e' => Item::Float(half_to_f64(u as u16)),
        _ => Item::Int(i128::from(u)),
    }
}

/// The object an item becomes.
fn item_value(fmt: Format, b: &[u8]) -> Value {
    match item(fmt, b) {
        Item::Char(c) => Value::Bytes(Rc::from(&[c][..])),
        Item::Int(i) if fmt.0 == b'?' => Value::Bool(i != 0),
        Item::Int(i) => match i64::try_from(i) {
            Ok(v) => Value::Int(v),
            Err(_) => Value::BigInt(Rc::new(BigInt::from(i))),
        },
        Item::Float(f) => Value::Float(f),
    }
}

/// `PyFloat_Unpack2`: an IEEE 754 half-precision float.
fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = i32::from((h >> 10) & 0x1f);
    let m = f64::from(h & 0x3ff);
    sign * match e {
        0 => m * 2f64.powi(-24),
        0x1f if m == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + m / 1024.0) * 2f64.powi(e - 15),
    }
}

/// `PyFloat_Pack2`: `x` as a half-precision float, rounded half to even; `None` when it
/// is too large.
fn f64_to_half(x: f64) -> Option<u16> {
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    if x.is_nan() {
        return Some(sign | 0x7e00);
    }
    let a = x.abs();
    if a.is_infinite() {
        return Some(sign | 0x7c00);
    }
    if a == 0.0 {
        return Some(sign);
    }
    // In units of the smallest subnormal (2**-24) below 2**-14, of the exponent's ulp above.
    let (e, f) = {
        let mut e = a.log2().floor() as i32;
        if 2f64.powi(e) > a {
            e -= 1;
        } else if 2f64.powi(e + 1) <= a {
            e += 1;
        }
        (e, a)
    };
    let (exp_bits, units) = if e < -14 {
        (0i32, f * 2f64.powi(24))
    } else {
        (e + 15, (f / 2f64.powi(e) - 1.0) * 1024.0)
    };
    let mut m = units.round_ties_even();
    let mut exp_bits = exp_bits;
    if exp_bits == 0 && m >= 1024.0 {
        exp_bits = 1;
        m -= 1024.0;
    } else if exp_bits > 0 && m >= 1024.0 {
        exp_bits += 1;
        m = 0.0;
    }
    if exp_bits >= 0x1f {
        return None;
    }
    Some(sign | ((exp_bits as u16) << 10) | m as u16)
}

/// `memoryview(object)`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [object] = Spec::function("memoryview", Style::Keywords, &["object"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let object = object.unwrap_or(Value::None);
    if let Value::Native(n) = &object {
        if let Native::MemoryView(m) = &**n {
            let mbuf = managed(vm, m)?;
            return Ok(new(
                mbuf,
                m.offset,
                m.len,
                m.stride,
                (m.fmt, m.format_text.clone()),
                m.readonly,
            ));
        }
    }
    let (len, readonly) = match &object {
        Value::Bytes(b) => (b.len(), true),
        other => match as_bytearray(other) {
            Some(b) => (b.data.borrow().len(), false),
            None if buffer_type(vm, other) => {
                return Err(vm.unsupported(format!(
                    "memoryview of a '{}' object",
                    vm.type_of(other).name()
                )))
            }
            None => {
                let n = vm.type_of(other).name().clone();
                return Err(vm.type_error(format!(
                    "memoryview: a bytes-like object is required, not '{n}'"
                )));
            }
        },
    };
    Ok(new(
        Managed::new(object),
        0,
        len,
        1,
        (Format::BYTES, None),
        readonly,
    ))
}

/// Whether CPython's type of `v` may export a buffer the VM cannot view (a subclass of
/// bytes or bytearray, `array.array`, an object with `__buffer__`).
fn buffer_type(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Object(_) | Value::Native(_) => true,
        _ => vm.type_of(v).name().as_ref() == "bytes",
    }
}

fn new(
    mbuf: Rc<Managed>,
    offset: usize,
    len: usize,
    stride: isize,
    (fmt, format_text): (Format, Option<Rc<str>>),
    readonly: bool,
) -> Value {
    Value::Native(Rc::new(Native::MemoryView(MemoryView {
        mbuf: RefCell::new(Some(mbuf)),
        offset,
        len,
        stride,
        fmt,
        readonly,
        format_text,
        hash: Cell::new(None),
    })))
}

/// Whether `v` is a memoryview that is not C-contiguous (a stepped slice), whose buffer
/// a `PyBUF_SIMPLE` request (`bytes.join`'s) refuses.
pub fn noncontiguous(v: &Value) -> bool {
    matches!(v.builtin_value(), Value::Native(n)
        if matches!(&**n, Native::MemoryView(m) if !m.c_contiguous()))
}

/// The view's managed buffer, or CPython's error for a released view.
fn managed(vm: &Vm, m: &MemoryView) -> PyResult<Rc<Managed>> {
    m.mbuf
        .borrow()
        .clone()
        .ok_or_else(|| vm.value_error("operation forbidden on released memoryview object"))
}

impl MemoryView {
    /// Whether `release()` has been called.
    pub fn released(&self) -> bool {
        self.mbuf.borrow().is_none()
    }

    /// The bytes of item `i`'s start.
    fn at(&self, i: usize) -> usize {
        (self.offset as isize + i as isize * self.stride) as usize
    }

    /// The view's bytes in order (`tobytes()`); `None` once released.
    pub fn contents(&self) -> Option<Vec<u8>> {
        let mbuf = self.mbuf.borrow().clone()?;
        let size = self.fmt.size();
        Some(mbuf.with(|data| {
            let mut out = Vec::with_capacity(self.len * size);
            for i in 0..self.len {
                let at = self.at(i);
                out.extend_from_slice(data.get(at..at + size).unwrap_or(&[]));
            }
            out
        }))
    }

    /// The items, unpacked.
    fn items(&self, mbuf: &Managed) -> Vec<Item> {
        let size = self.fmt.size();
        mbuf.with(|data| {
            (0..self.len)
                .filter_map(|i| data.get(self.at(i)..self.at(i) + size))
                .map(|b| item(self.fmt, b))
                .collect()
        })
    }

    fn c_contiguous(&self) -> bool {
        self.len <= 1 || self.stride == self.fmt.size() as isize
    }

    /// Whether the view's items are adjacent (`PyBuffer_IsContiguous(view, 'C')`).
    pub fn is_c_contiguous(&self) -> bool {
        self.c_contiguous()
    }

    /// Whether the view refuses writes.
    pub fn readonly_view(&self) -> bool {
        self.readonly
    }

    /// The view's length in bytes (`nbytes`).
    pub fn nbytes(&self) -> usize {
        self.len * self.fmt.size()
    }

    /// For a writer of raw bytes (`_struct.pack_into`): `bytes` at byte `at` of a
    /// writable C-contiguous view, into the bytearray it views. Does nothing on a
    /// released view or past its end.
    pub fn write_bytes(&self, at: usize, bytes: &[u8]) {
        let Some(mbuf) = self.mbuf.borrow().clone() else {
            return;
        };
        if self.readonly || at + bytes.len() > self.nbytes() {
            return;
        }
        if let Some(b) = as_bytearray(&mbuf.obj) {
            let start = self.offset + at;
            if let Some(dst) = b.data.borrow_mut().get_mut(start..start + bytes.len()) {
                dst.copy_from_slice(bytes);
            }
        }
    }
}

/// The receiver of a memoryview method, its managed buffer checked unless `released_ok`.
fn this<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a MemoryView> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::MemoryView(m) => Ok(m),
            _ => Err(vm.bug("a memoryview method without one")),
        },
        _ => Err(vm.bug("a memoryview method without one")),
    }
}

/// The receiver and its managed buffer (an error once released).
fn live<'a>(vm: &Vm, args: &'a Args) -> PyResult<(&'a MemoryView, Rc<Managed>)> {
    let m = this(vm, args)?;
    Ok((m, managed(vm, m)?))
}

/// An index along the one dimension (`memory_item`'s checks).
fn position(vm: &Vm, m: &MemoryView, i: i64) -> PyResult<usize> {
    let len = m.len as i64;
    let i = if i < 0 { i + len } else { i };
    if i < 0 || i >= len {
        return Err(vm.err("IndexError", "index out of bounds on dimension 1"));
    }
    Ok(i as usize)
}

/// What a key selects (`memory_subscript`'s cases for one dimension).
enum Key {
    At(i64),
    Slice(Rc<super::object::Slice>),
}

fn key(vm: &mut Vm, key: &Value) -> PyResult<Key> {
    match key.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
            match super::int::as_i64_exact(key.builtin_value()) {
                Some(i) => Ok(Key::At(i)),
                None => Err(vm.err("IndexError", "cannot fit 'int' into an index-sized integer")),
            }
        }
        Value::Slice(s) => Ok(Key::Slice(s.clone())),
        Value::Tuple(t) if t.len() == 1 && matches!(t[0], Value::Int(_) | Value::Bool(_)) => {
            Ok(Key::At(super::int::as_i64(&t[0])))
        }
        Value::Tuple(t) if t.is_empty() => {
            Err(vm.err("NotImplementedError", "sub-views are not implemented"))
        }
        Value::Tuple(t)
            if t.iter()
                .all(|x| matches!(x, Value::Int(_) | Value::Bool(_))) =>
        {
            Err(vm.type_error(format!(
                "cannot index 1-dimension view with {}-element tuple",
                t.len()
            )))
        }
        // `PyNumber_AsSsize_t(key, PyExc_IndexError)`, naming the key's type.
        Value::Object(_) | Value::Native(_) if vm.has_index(key) => match vm.number_index(key)? {
            Value::Int(i) => Ok(Key::At(i)),
            _ => {
                let t = vm.type_of(key).name().clone();
                Err(vm.err(
                    "IndexError",
                    format!("cannot fit '{t}' into an index-sized integer"),
                ))
            }
        },
        _ => Err(vm.type_error("memoryview: invalid slice key")),
    }
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, mbuf) = live(vm, &args)?;
    let Some(k) = args.pos.get(1).cloned() else {
        return Err(vm.type_error("expected 1 argument, got 0"));
    };
    let k = key(vm, &k)?;
    let m = this(vm, &args)?;
    match k {
        Key::At(i) => {
            let at = m.at(position(vm, m, i)?);
            let size = m.fmt.size();
            Ok(mbuf.with(|d| item_value(m.fmt, d.get(at..at + size).unwrap_or(&[0; 8]))))
        }
        Key::Slice(s) => {
            let (start, stop, step) = vm.slice_bounds(&s, m.len as i64)?;
            let m = this(vm, &args)?;
            let n = slice_len(start, stop, step);
            let offset = if n == 0 {
                m.offset
            } else {
                m.at(start as usize)
            };
            Ok(new(
                mbuf,
                offset,
                n,
                m.stride * step as isize,
                (m.fmt, m.format_text.clone()),
                m.readonly,
            ))
        }
    }
}

/// The number of indices `range(start, stop, step)` has.
fn slice_len(start: i64, stop: i64, step: i64) -> usize {
    if step > 0 && stop > start {
        ((stop - start - 1) / step + 1) as usize
    } else if step < 0 && stop < start {
        ((start - stop - 1) / (-step) + 1) as usize
    } else {
        0
    }
}

/// `pack_single`: the bytes `fmt` stores for `v`, CPython's error if it cannot.
fn pack(vm: &mut Vm, fmt: Format, v: &Value) -> PyResult<Vec<u8>> {
    let f = char::from(fmt.0);
    let bad_type = |vm: &Vm| vm.type_error(format!("memoryview: invalid type for format '{f}'"));
    let bad_value = |vm: &Vm| vm.value_error(format!("memoryview: invalid value for format '{f}'"));
    match fmt.0 {
        b'c' => match v.builtin_value() {
            Value::Bytes(b) if b.len() == 1 => Ok(b.to_vec()),
            Value::Bytes(_) => Err(bad_value(vm)),
            _ => Err(bad_type(vm)),
        },
        b'?' => Ok(vec![u8::from(vm.truthy(v)?)]),
        b'f' | b'd' | b'e' => {
            let x = match v.builtin_value() {
                Value::Float(_) | Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                    to_double(vm, v.builtin_value()).map_err(|_| bad_value(vm))?
                }
                Value::Object(_) => {
                    return Err(vm.unsupported("storing an instance in a float memoryview"))
                }
                _ => return Err(bad_type(vm)),
            };
            match fmt.0 {
                b'd' => Ok(x.to_le_bytes().to_vec()),
                // `PyFloat_Pack4` on this platform: the C cast, infinite beyond the range.
                b'f' => Ok((x as f32).to_le_bytes().to_vec()),
                _ => match f64_to_half(x) {
                    Some(h) => Ok(h.to_le_bytes().to_vec()),
                    None => Err(bad_value(vm)),
                },
            }
        }
        _ => {
            let i = match v.builtin_value() {
                Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                    to_index(vm, v.builtin_value())?
                }
                // `pylong_as_ld`: `_PyNumber_Index`; its TypeError becomes
                // `fix_error_int`'s.
                Value::Object(_) | Value::Native(_) if vm.has_index(v) => {
                    match vm.number_index(v) {
                        Ok(i) => to_index(vm, &i)?,
                        Err(super::Throw::Exc(e))
                            if vm.is_instance_of(&e, "TypeError")
                                || vm.is_instance_of(&e, "ValueError") =>
                        {
                            return Err(bad_type(vm))
                        }
                        Err(e) => return Err(e),
                    }
                }
                _ => return Err(bad_type(vm)),
            };
            let size = fmt.size();
            let signed = matches!(fmt.0, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
            let fits = if signed {
                i64::try_from(&i)
                    .ok()
                    .filter(|x| {
                        size == 8
                            || (*x >= -(1i64 << (size * 8 - 1)) && *x < 1i64 << (size * 8 - 1))
                    })
                    .map(|x| x as u64)
            } else if fmt.0 == b'P' {
                // `PyLong_AsVoidPtr`: a negative int as a signed long long, wrapped.
                u64::try_from(&i)
                    .ok()
                    .or_else(|| i64::try_from(&i).ok().map(|x| x as u64))
            } else {
                u64::try_from(&i)
                    .ok()
                    .filter(|x| size == 8 || *x < 1u64 << (size * 8))
            };
            match fits {
                Some(u) => Ok(u.to_le_bytes()[..size].to_vec()),
                None => Err(bad_value(vm)),
            }
        }
    }
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (m, mbuf) = live(vm, &args)?;
    if m.readonly {
        return Err(vm.type_error("cannot modify read-only memory"));
    }
    let (Some(k), Some(v)) = (args.pos.get(1).cloned(), args.pos.get(2).cloned()) else {
        return Err(vm.bug("memoryview.__setitem__ without its operands"));
    };
    let k = key(vm, &k)?;
    let m = this(vm, &args)?;
    let (fmt, size) = (m.fmt, m.fmt.size());
    let writes: Vec<(usize, Vec<u8>)> = match k {
        Key::At(i) => {
            let at = m.at(position(vm, m, i)?);
            vec![(at, pack(vm, fmt, &v)?)]
        }
        Key::Slice(s) => {
            let (start, stop, step) = vm.slice_bounds(&s, m.len as i64)?;
            let m = this(vm, &args)?;
            let n = slice_len(start, stop, step);
            // `memory_ass_sub`: the source is any buffer of the same format and length.
            let (src, src_fmt) = match source_buffer(vm, &v)? {
                Some(x) => x,
                None => {
                    let t = vm.type_of(&v).name().clone();
                    return Err(
                        vm.type_error(format!("a bytes-like object is required, not '{t}'"))
                    );
                }
            };
            if src_fmt != fmt || src.len() != n * size {
                return Err(vm.value_error(
                    "memoryview assignment: lvalue and rvalue have different structures",
                ));
            }
            (0..n)
                .map(|j| {
                    let at = m.at((start + j as i64 * step) as usize);
                    (at, src[j * size..(j + 1) * size].to_vec())
                })
                .collect()
        }
    };
    if let Some(b) = as_bytearray(&mbuf.obj) {
        let mut data = b.data.borrow_mut();
        for (at, bytes) in writes {
            if let Some(dst) = data.get_mut(at..at + bytes.len()) {
                dst.copy_from_slice(&bytes);
            }
        }
    }
    Ok(Value::None)
}

/// The bytes and format of a buffer the VM has, for a slice assignment's right side.
fn source_buffer(vm: &Vm, v: &Value) -> PyResult<Option<(Vec<u8>, Format)>> {
    if let Value::Native(n) = v {
        if let Native::MemoryView(m) = &**n {
            managed(vm, m)?;
            return Ok(m.contents().map(|c| (c, m.fmt)));
        }
    }
    Ok(super::methods::bytes::buffer_of(v).map(|b| (b, Format::BYTES)))
}

fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    live(vm, &args)?;
    Err(vm.type_error("cannot delete memory"))
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (m, _) = live(vm, &args)?;
    Ok(Value::Int(m.len as i64))
}

fn tobytes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [order] = Spec::method("memoryview", "tobytes", Style::Keywords, &["order"], 0)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 1)?;
    let (m, _) = live(vm, &args)?;
    match order {
        None | Some(Value::None) => {}
        Some(Value::Str(s)) if matches!(&*s, "C" | "F" | "A") => {}
        Some(Value::Str(_)) => return Err(vm.value_error("order must be 'C', 'F' or 'A'")),
        Some(o) => {
            let t = vm.type_of(&o).name().clone();
            return Err(vm.type_error(format!(
                "tobytes() argument 'order' must be str or None, not {t}"
            )));
        }
    }
    Ok(Value::Bytes(Rc::from(m.contents().unwrap_or_default())))
}

fn tolist(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("memoryview", "tolist", Style::NoArgs, &[], 0).bind::<0>(vm, &args, 1)?;
    let (m, mbuf) = live(vm, &args)?;
    let size = m.fmt.size();
    let items = mbuf.with(|data| {
        (0..m.len)
            .map(|i| item_value(m.fmt, data.get(m.at(i)..m.at(i) + size).unwrap_or(&[0; 8])))
            .collect()
    });
    Ok(Value::list(items))
}

fn hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [sep, per] = Spec::method(
        "memoryview",
        "hex",
        Style::Keywords,
        &["sep", "bytes_per_sep"],
        0,
    )
    .keywords(0, 2)
    .bind::<2>(vm, &args, 1)?;
    let (m, _) = live(vm, &args)?;
    let data = m.contents().unwrap_or_default();
    super::methods::bytes_more::strhex(vm, &data, sep, per)
}

fn toreadonly(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("memoryview", "toreadonly", Style::NoArgs, &[], 0).bind::<0>(vm, &args, 1)?;
    let (m, mbuf) = live(vm, &args)?;
    Ok(new(
        mbuf,
        m.offset,
        m.len,
        m.stride,
        (m.fmt, m.format_text.clone()),
        true,
    ))
}

/// `memoryview.cast(format, shape=...)` for one dimension (`memory_cast`'s checks, in its
/// order).
fn cast(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [format, shape] = Spec::method(
        "memoryview",
        "cast",
        Style::Keywords,
        &["format", "shape"],
        1,
    )
    .keywords(0, 2)
    .bind::<2>(vm, &args, 1)?;
    let (m, mbuf) = live(vm, &args)?;
    let format = format.unwrap_or_default();
    let Value::Str(f) = format.builtin_value() else {
        let t = vm.type_of(&format).name().clone();
        return Err(vm.type_error(format!("cast() argument 'format' must be str, not {t}")));
    };
    if !m.c_contiguous() {
        return Err(vm.type_error("memoryview: casts are restricted to C-contiguous views"));
    }
    // A shape of one dimension is the length the cast gives anyway, checked below.
    let wanted = match &shape {
        None => None,
        Some(s) => match s.builtin_value() {
            Value::List(_) | Value::Tuple(_) => {
                let dims = vm.collect(s)?;
                match dims.as_slice() {
                    [Value::Int(n)] if *n > 0 => Some(*n as usize),
                    [Value::Int(_)] => {
                        return Err(vm.value_error(
                            "memoryview.cast(): elements of shape must be integers > 0",
                        ))
                    }
                    _ => {
                        let shape = vm.repr(s)?;
                        return Err(
                            vm.unsupported(format!("memoryview.cast with the shape {shape}"))
                        );
                    }
                }
            }
            _ => return Err(vm.type_error("shape must be a list or a tuple")),
        },
    };
    let m = this(vm, &args)?;
    let Some(to) = Format::parse(f) else {
        return Err(vm.value_error(
            "memoryview: destination format must be a native single character format prefixed with an optional '@'",
        ));
    };
    if !m.fmt.is_byte() && !to.is_byte() {
        return Err(vm.type_error("memoryview: cannot cast between two non-byte formats"));
    }
    let nbytes = m.len * m.fmt.size();
    if nbytes % to.size() != 0 {
        return Err(vm.type_error("memoryview: length is not a multiple of itemsize"));
    }
    if wanted.is_some_and(|n| n != nbytes / to.size()) {
        return Err(vm.type_error("memoryview: product(shape) * itemsize != buffer size"));
    }
    let text = (f.as_ref() != to.text().as_str()).then(|| f.clone());
    Ok(new(
        mbuf,
        m.offset,
        nbytes / to.size(),
        to.size() as isize,
        (to, text),
        m.readonly,
    ))
}

/// `memoryview.release()`: this view lets go of its managed buffer.
fn release(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = this(vm, &args)?;
    m.mbuf.borrow_mut().take();
    Ok(Value::None)
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    live(vm, &args)?;
    Ok(args.pos[0].clone())
}

/// `memory_richcompare`: equal shapes and equal items (compared as the objects they
/// unpack to), whatever the two formats; a released view equals only itself.
fn equal(vm: &mut Vm, args: &Args) -> PyResult<Option<bool>> {
    let m = this(vm, args)?;
    let other = args.pos.get(1).cloned().unwrap_or_default();
    let same =
        matches!((&args.pos[0], &other), (Value::Native(a), Value::Native(b)) if Rc::ptr_eq(a, b));
    let Some(mine) = m.mbuf.borrow().clone() else {
        return Ok(Some(same));
    };
    if same {
        return Ok(Some(true));
    }
    let left = m.items(&mine);
    let right: Vec<Item> = match &other {
        Value::Native(n) if matches!(**n, Native::MemoryView(_)) => {
            let Native::MemoryView(o) = &**n else {
                return Ok(None);
            };
            match o.mbuf.borrow().clone() {
                Some(theirs) => o.items(&theirs),
                None => return Ok(Some(false)),
            }
        }
        Value::Bytes(_) => super::methods::bytes::buffer_of(&other)
            .unwrap_or_default()
            .iter()
            .map(|b| Item::Int(i128::from(*b)))
            .collect(),
        v if as_bytearray(v).is_some() => super::methods::bytes::buffer_of(&other)
            .unwrap_or_default()
            .iter()
            .map(|b| Item::Int(i128::from(*b)))
            .collect(),
        Value::Object(_) if super::methods::bytes::buffer_of(&other).is_some() => {
            return Err(vm.unsupported("comparing a memoryview with a bytes subclass instance"))
        }
        _ => return Ok(None),
    };
    Ok(Some(left == right))
}

fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(match equal(vm, &args)? {
        Some(b) => Value::Bool(b),
        None => Value::NotImplemented,
    })
}

fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(match equal(vm, &args)? {
        Some(b) => Value::Bool(!b),
        None => Value::NotImplemented,
    })
}

/// The orderings: memoryviews are not ordered.
fn unordered(_vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::NotImplemented)
}

/// `memory_hash`: read-only views of the byte formats hash as their bytes.
fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if let Some(h) = this(vm, &args)?.hash.get() {
        return Ok(Value::Int(h));
    }
    let (m, _) = live(vm, &args)?;
    if !m.readonly {
        return Err(vm.value_error("cannot hash writable memoryview object"));
    }
    if !m.fmt.is_byte() {
        return Err(vm.value_error("memoryview: hashing is restricted to formats 'B', 'b' or 'c'"));
    }
    let data = m.contents().unwrap_or_default();
    let h = super::hash::bytes(&data);
    m.hash.set(Some(h));
    Ok(Value::Int(h))
}

/// `repr()`: `<memory at 0x…>`, `<released memory at 0x…>` once released.
pub fn repr(v: &Value, m: &MemoryView) -> String {
    let released = if m.released() { "released " } else { "" };
    format!("<{released}memory at {:#x}>", v.address())
}

/// `memory_iterator` (CPython `memoryiterobject`): the view and the next position.
#[derive(Debug)]
pub struct MemoryIter {
    view: Value,
    index: Cell<usize>,
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    live(vm, &args)?;
    Ok(Value::Native(Rc::new(Native::MemoryIter(MemoryIter {
        view: args.pos[0].clone(),
        index: Cell::new(0),
    }))))
}

fn iter_self(_vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(args.pos[0].clone())
}

/// `memory_iter_next`: the item at the position, while the view has one.
fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug("memory_iterator.__next__ without one"));
    };
    let Native::MemoryIter(it) = &**n else {
        return Err(vm.bug("memory_iterator.__next__ without one"));
    };
    let Value::Native(v) = &it.view else {
        return Err(vm.bug("memory_iterator without its view"));
    };
    let Native::MemoryView(m) = &**v else {
        return Err(vm.bug("memory_iterator without its view"));
    };
    let mbuf = managed(vm, m)?;
    let i = it.index.get();
    if i >= m.len {
        return Err(vm.err_args("StopIteration", Vec::new()));
    }
    it.index.set(i + 1);
    let size = m.fmt.size();
    let at = m.at(i);
    Ok(mbuf.with(|d| item_value(m.fmt, d.get(at..at + size).unwrap_or(&[0; 8]))))
}

/// Attributes that are fields (`memory_getsetlist`); each is an error once released.
pub fn attr(vm: &Vm, m: &MemoryView, name: &str) -> PyResult<Option<Value>> {
    let known = matches!(
        name,
        "obj"
            | "nbytes"
            | "readonly"
            | "itemsize"
            | "format"
            | "ndim"
            | "shape"
            | "strides"
            | "suboffsets"
            | "c_contiguous"
            | "f_contiguous"
            | "contiguous"
    );
    if !known {
        return Ok(None);
    }
    let mbuf = managed(vm, m)?;
    let size = m.fmt.size();
    Ok(Some(match name {
        "obj" => mbuf.obj.clone(),
        "nbytes" => Value::Int((m.len * size) as i64),
        "readonly" => Value::Bool(m.readonly),
        "itemsize" => Value::Int(size as i64),
        "format" => match &m.format_text {
            Some(t) => Value::Str(t.clone()),
            None => Value::str(&m.fmt.text()),
        },
        "ndim" => Value::Int(1),
        "shape" => Value::tuple(vec![Value::Int(m.len as i64)]),
        "strides" => Value::tuple(vec![Value::Int(m.stride as i64)]),
        "suboffsets" => Value::tuple(Vec::new()),
        _ => Value::Bool(m.c_contiguous()),
    }))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("memoryview", "__getitem__", getitem),
    ("memoryview", "__setitem__", setitem),
    ("memoryview", "__delitem__", delitem),
    ("memoryview", "__len__", len),
    ("memoryview", "__iter__", iter),
    ("memoryview", "__hash__", hash),
    ("memoryview", "tobytes", tobytes),
    ("memoryview", "tolist", tolist),
    ("memoryview", "hex", hex),
    ("memoryview", "toreadonly", toreadonly),
    ("memoryview", "cast", cast),
    ("memoryview", "release", release),
    ("memoryview", "__enter__", enter),
    ("memoryview", "__exit__", release),
    ("memoryview", "__eq__", eq),
    ("memoryview", "__ne__", ne),
    ("memoryview", "__lt__", unordered),
    ("memoryview", "__le__", unordered),
    ("memoryview", "__gt__", unordered),
    ("memoryview", "__ge__", unordered),
    ("memory_iterator", "__iter__", iter_self),
    ("memory_iterator", "__next__", iter_next),
];
