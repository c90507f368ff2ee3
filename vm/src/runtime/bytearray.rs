//! `bytearray` (CPython `Objects/bytearrayobject.c`): a mutable buffer of bytes.
//!
//! Its objects are `Value::Native(Native::ByteArray)`, a `RefCell<Vec<u8>>`: like the
//! native modules' types, its behaviour is reached through the special methods in its
//! type's dict (CPython's slot wrappers `__len__`, `__getitem__`, `__eq__`, …), which the
//! protocols already ask of native objects, so the evaluator needs no arm of its own for it
//! and the `Value` enum stays as it is. The methods it shares with `bytes` are
//! `methods::bytes` (one implementation for both, as CPython's `bytes_methods.c`); the
//! mutating ones (append, extend, insert, pop, remove, clear, copy, reverse) are here.
//! Its iterator (`bytearray_iterator`) reads the live buffer, as CPython's does.
//!
//! While a memoryview's managed buffer holds it (`exports`), its length cannot change
//! (`PyByteArray_Resize`'s BufferError). Not modelled: classes deriving from bytearray, `__alloc__` (its value is the C allocation's size),
//! pickling (`__reduce__`), and `%`-formatting.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::argspec::{index, required, Spec, Style};
use super::interp::Vm;
use super::methods::bytes::{buffer_of, byte_value, need_buffer};
use super::object::{Args, Native, NativeFn, Value};
use super::{heap, PyResult};
use crate::oparg::CompareOp;

/// A bytearray's storage (CPython `PyByteArrayObject`'s `ob_start`, `ob_size`).
#[derive(Debug, Default)]
pub struct ByteArray {
    pub data: RefCell<Vec<u8>>,
    /// CPython's `ob_exports`: the memoryviews' managed buffers holding it, while which it
    /// cannot be resized.
    pub exports: Cell<usize>,
}

impl ByteArray {
    /// `PyByteArray_Resize`'s `_canresize`: a change of length is a BufferError while a
    /// buffer is exported (keeping the length is not).
    fn resize(&self, vm: &Vm, new_len: usize) -> PyResult<()> {
        if self.exports.get() > 0 && new_len != self.data.borrow().len() {
            return Err(vm.err(
                "BufferError",
                "Existing exports of data: object cannot be re-sized",
            ));
        }
        Ok(())
    }
}

/// `bytearray_iterator` (CPython `bytesiterobject`): the array and the next position,
/// `None` once exhausted (CPython drops its reference then).
#[derive(Debug)]
pub struct ByteArrayIter {
    seq: RefCell<Option<Value>>,
    index: Cell<usize>,
}

/// A new bytearray holding `data`.
pub fn new_value(data: Vec<u8>) -> Value {
    Value::Native(Rc::new(Native::ByteArray(ByteArray {
        data: RefCell::new(data),
        exports: Cell::new(0),
    })))
}

/// The bytearray `v` is (not a subclass instance: the VM has none).
pub fn as_bytearray(v: &Value) -> Option<&ByteArray> {
    match v {
        Value::Native(n) => match &**n {
            Native::ByteArray(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

/// The receiver of a bytearray method or slot.
fn this<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a ByteArray> {
    args.pos
        .first()
        .and_then(as_bytearray)
        .ok_or_else(|| vm.bug("a bytearray method without a bytearray"))
}

/// `repr()`: `bytearray(b'...')` (CPython `bytearray_repr`): the quotes are chosen as
/// bytes' are, but a single quote is escaped whichever they are, and a double quote never.
pub fn repr(b: &ByteArray) -> String {
    let data = b.data.borrow();
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("bytearray(b{quote}");
    for &x in data.iter() {
        match x {
            b'\'' | b'\\' => {
                out.push('\\');
                out.push(char::from(x));
            }
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(char::from(x)),
            _ => out.push_str(&format!("\\x{x:02x}")),
        }
    }
    out.push(quote);
    out.push(')');
    out
}

/// `bytearray(source=…, encoding=…, errors=…)` (CPython `bytearray___init___impl`).
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [source, encoding, errors] = Spec::function(
        "bytearray",
        Style::Keywords,
        &["source", "encoding", "errors"],
        0,
    )
    .keywords(0, 3)
    .bind(vm, &args, 0)?;
    for (v, what) in [(&encoding, "encoding"), (&errors, "errors")] {
        if let Some(v) = v {
            if !matches!(v.builtin_value(), Value::Str(_)) {
                return Err(vm.type_error(format!(
                    "bytearray() argument '{what}' must be str, not {}",
                    super::builtins::type_name_of_arg(vm, v)
                )));
            }
        }
    }
    let coded = |e: &Option<Value>| {
        if e.is_some() {
            "encoding without a string argument"
        } else {
            "errors without a string argument"
        }
    };
    let Some(source) = source else {
        if encoding.is_some() || errors.is_some() {
            return Err(vm.type_error(coded(&encoding)));
        }
        return Ok(new_value(Vec::new()));
    };
    if let Value::Str(_) = source.builtin_value() {
        let Some(encoding) = encoding else {
            return Err(vm.type_error("string argument without an encoding"));
        };
        // `PyUnicode_AsEncodedString`: what `str.encode` computes.
        let encode = vm.ty("str").lookup("encode").unwrap_or_default();
        let mut a = vec![source.clone(), encoding];
        a.extend(errors);
        let encoded = vm.call(&encode, Args::new(a))?;
        return Ok(new_value(buffer_of(&encoded).unwrap_or_default()));
    }
    if encoding.is_some() || errors.is_some() {
        return Err(vm.type_error(coded(&encoding)));
    }
    Ok(new_value(from_object(vm, &source, "bytearray")?))
}

/// The bytes `bytes(x)` / `bytearray(x)` make of a non-str `x` (CPython: an index is a
/// count of zeros, then the buffer protocol, then iteration of ints), `what` naming the
/// type in the messages.
pub fn from_object(vm: &mut Vm, source: &Value, what: &str) -> PyResult<Vec<u8>> {
    // `PyIndex_Check`: a count through `PyNumber_AsSsize_t(x, PyExc_OverflowError)`; a
    // TypeError from it falls through to the buffer and iteration.
    let index = if vm.has_index(source) {
        match vm.try_index(source) {
            Ok(Some(Value::BigInt(_))) => {
                let t = vm.type_of(source).name().clone();
                return Err(vm.err(
                    "OverflowError",
                    format!("cannot fit '{t}' into an index-sized integer"),
                ));
            }
            Ok(i) => i,
            Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let exact = index.as_ref().unwrap_or(source.builtin_value());
    match exact {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
            let n = match super::int::as_i64_exact(exact) {
                Some(n) => n,
                None => return Err(vm.err("OverflowError", super::int::CANNOT_FIT)),
            };
            if n < 0 {
                return Err(vm.value_error("negative count"));
            }
            vm.before_alloc(heap::bytes_block(n as u128), n as u128)?;
            return Ok(vec![0u8; n as usize]);
        }
        _ => {}
    }
    if let Some(b) = buffer_of(source) {
        return Ok(b);
    }
    let it = match vm.iter(source) {
        Ok(it) => it,
        Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
            let n = vm.type_of(source).name().clone();
            return Err(vm.type_error(format!("cannot convert '{n}' object to {what}")));
        }
        Err(e) => return Err(e),
    };
    // `_PyBytes_FromIterator` sizes its buffer by the source's length hint (a Python
    // class's `__len__` or `__length_hint__` runs); `bytearray___init__` does not ask.
    if what == "bytes" && vm.sized_by_class(source) {
        vm.length_hint(source, 64)?;
    }
    let mut out = Vec::new();
    while let Some(x) = vm.next(&it)? {
        out.push(if what == "bytes" {
            // `_PyBytes_FromIterator`: its own message for a value out of range.
            match byte_value(vm, &x) {
                Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "ValueError") => {
                    return Err(vm.value_error("bytes must be in range(0, 256)"))
                }
                other => other?,
            }
        } else {
            byte_value(vm, &x)?
        });
    }
    Ok(out)
}

/// The methods and slots this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("bytearray", "__len__", len),
    ("bytearray", "__getitem__", getitem),
    ("bytearray", "__setitem__", setitem),
    ("bytearray", "__delitem__", delitem),
    ("bytearray", "__contains__", contains),
    ("bytearray", "__iter__", iter),
    ("bytearray", "__eq__", eq),
    ("bytearray", "__ne__", ne),
    ("bytearray", "__lt__", lt),
    ("bytearray", "__le__", le),
    ("bytearray", "__gt__", gt),
    ("bytearray", "__ge__", ge),
    ("bytearray", "__add__", add),
    ("bytearray", "__iadd__", iadd),
    ("bytearray", "__mul__", mul),
    ("bytearray", "__rmul__", rmul),
    ("bytearray", "__imul__", imul),
    ("bytearray", "__mod__", mod_slot),
    ("bytearray", "__repr__", repr_slot),
    ("bytearray", "__str__", str_slot),
    ("bytearray", "append", append),
    ("bytearray", "extend", extend),
    ("bytearray", "insert", insert),
    ("bytearray", "pop", pop),
    ("bytearray", "remove", remove),
    ("bytearray", "clear", clear),
    ("bytearray", "copy", copy),
    ("bytearray", "reverse", reverse),
    ("bytearray", "__reduce__", reduce),
    ("bytearray", "__reduce_ex__", reduce_ex),
    ("bytearray_iterator", "__next__", iter_next),
    ("bytearray_iterator", "__iter__", iter_self),
    ("bytearray_iterator", "__reduce__", iter_reduce),
    ("bytearray_iterator", "__setstate__", iter_setstate),
    ("bytearray_iterator", "__length_hint__", iter_length_hint),
];

/// A slot wrapper's operands: the receiver and exactly `n` more, no keywords
/// (`check_num_args`, `wrap_binaryfunc`).
fn operands(vm: &Vm, args: &Args, name: &str, n: usize) -> PyResult<()> {
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let given = args.pos.len().saturating_sub(1);
    if given != n {
        let s = if n == 1 { "" } else { "s" };
        // `PyArg_UnpackTuple(args, "", …)`'s message starts with a space.
        let unpack = matches!(name, "__setitem__" | "__mul__" | "__rmul__" | "__imul__");
        let space = if unpack { " " } else { "" };
        return Err(vm.type_error(format!("{space}expected {n} argument{s}, got {given}")));
    }
    Ok(())
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__len__", 0)?;
    Ok(Value::Int(this(vm, &args)?.data.borrow().len() as i64))
}

fn repr_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__repr__", 0)?;
    Ok(Value::str(&repr(this(vm, &args)?)))
}

fn str_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__str__", 0)?;
    Ok(Value::str(&repr(this(vm, &args)?)))
}

/// What an index operand of `bytearray_subscript` is: a position, a slice, or neither.
enum Sub {
    At(i64),
    Slice(Rc<super::object::Slice>),
}

/// `PyNumber_AsSsize_t(index, PyExc_IndexError)` or a slice, else the TypeError.
fn subscript(vm: &mut Vm, key: &Value) -> PyResult<Sub> {
    match key.builtin_value() {
        Value::Slice(s) => Ok(Sub::Slice(s.clone())),
        v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => {
            match super::int::as_i64_exact(v) {
                Some(i) => Ok(Sub::At(i)),
                None => Err(vm.err("IndexError", super::int::CANNOT_FIT)),
            }
        }
        Value::Object(_) | Value::Native(_) if vm.has_index(key) => match vm.number_index(key)? {
            Value::Int(i) => Ok(Sub::At(i)),
            _ => {
                let t = vm.type_of(key).name().clone();
                Err(vm.err(
                    "IndexError",
                    format!("cannot fit '{t}' into an index-sized integer"),
                ))
            }
        },
        _ => Err(vm.type_error(format!(
            "bytearray indices must be integers or slices, not {}",
            vm.type_of(key).name()
        ))),
    }
}

/// A position within `len` items, or CPython's IndexError.
fn position(vm: &Vm, i: i64, len: usize) -> PyResult<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(vm.err("IndexError", "bytearray index out of range"));
    }
    Ok(j as usize)
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__getitem__", 1)?;
    let sub = subscript(vm, &args.pos[1])?;
    let data = this(vm, &args)?.data.borrow().clone();
    match sub {
        Sub::At(i) => Ok(Value::Int(i64::from(data[position(vm, i, data.len())?]))),
        Sub::Slice(s) => {
            let picked = vm.slice_indices(&s, data.len())?;
            Ok(new_value(picked.into_iter().map(|i| data[i]).collect()))
        }
    }
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__setitem__", 2)?;
    assign(vm, &args, Some(args.pos[2].clone()))
}

fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__delitem__", 1)?;
    assign(vm, &args, None)
}

/// `bytearray_ass_subscript`: `b[key] = value`, or `del b[key]` when `value` is `None`.
fn assign(vm: &mut Vm, args: &Args, value: Option<Value>) -> PyResult<Value> {
    let sub = subscript(vm, &args.pos[1])?;
    let s = match sub {
        Sub::At(i) => {
            // The byte is checked before the position (GH-91153).
            let byte = value.as_ref().map(|v| byte_value(vm, v)).transpose()?;
            let me = this(vm, args)?;
            let len = me.data.borrow().len();
            let at = position(vm, i, len)?;
            if byte.is_none() {
                me.resize(vm, len - 1)?;
            }
            let mut data = me.data.borrow_mut();
            match byte {
                Some(b) => data[at] = b,
                None => {
                    data.remove(at);
                }
            }
            return Ok(Value::None);
        }
        Sub::Slice(s) => s,
    };
    let bytes = match &value {
        None => Vec::new(),
        Some(v) => match buffer_of(v) {
            Some(b) => b,
            None => {
                let numeric = matches!(
                    v.builtin_value(),
                    Value::Int(_)
                        | Value::Bool(_)
                        | Value::BigInt(_)
                        | Value::Float(_)
                        | Value::Complex(_)
                        | Value::Str(_)
                );
                if numeric {
                    return Err(vm.type_error(
                        "can assign only bytes, buffers, or iterables of ints in range(0, 256)",
                    ));
                }
                if matches!(v, Value::Object(_)) {
                    return Err(vm.unsupported("assigning an instance to a bytearray slice"));
                }
                from_object(vm, v, "bytearray")?
            }
        },
    };
    let me = this(vm, args)?;
    let len = me.data.borrow().len();
    let (start, stop, step) = vm.slice_bounds(&s, len as i64)?;
    if step == 1 {
        let (lo, hi) = (start as usize, (stop.max(start)) as usize);
        me.resize(vm, len - (hi - lo) + bytes.len())?;
        me.data.borrow_mut().splice(lo..hi, bytes);
        return Ok(Value::None);
    }
    let picked = vm.slice_indices(&s, len)?;
    let mut data = me.data.borrow_mut();
    if value.is_none() || bytes.is_empty() {
        drop(data);
        me.resize(vm, len - picked.len())?;
        let mut data = me.data.borrow_mut();
        let mut drop_at = vec![false; len];
        for &i in &picked {
            drop_at[i] = true;
        }
        let mut k = 0;
        data.retain(|_| {
            k += 1;
            !drop_at[k - 1]
        });
        return Ok(Value::None);
    }
    if bytes.len() != picked.len() {
        return Err(vm.value_error(format!(
            "attempt to assign bytes of size {} to extended slice of size {}",
            bytes.len(),
            picked.len()
        )));
    }
    for (i, b) in picked.into_iter().zip(bytes) {
        data[i] = b;
    }
    Ok(Value::None)
}

/// `bytearray_contains` (`_Py_bytes_contains`): an int is a byte value, anything else a
/// bytes-like object.
fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__contains__", 1)?;
    let data = this(vm, &args)?.data.borrow().clone();
    let item = &args.pos[1];
    if let Value::Int(_) | Value::Bool(_) | Value::BigInt(_) = item.builtin_value() {
        let b = byte_value(vm, item)?;
        return Ok(Value::Bool(data.contains(&b)));
    }
    let sub = need_buffer(vm, item)?;
    Ok(Value::Bool(
        sub.is_empty() || data.windows(sub.len()).any(|w| w == &sub[..]),
    ))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__iter__", 0)?;
    this(vm, &args)?;
    Ok(Value::Native(Rc::new(Native::ByteArrayIter(
        ByteArrayIter {
            seq: RefCell::new(Some(args.pos[0].clone())),
            index: Cell::new(0),
        },
    ))))
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__iter__", 0)?;
    Ok(args.pos[0].clone())
}

/// `bytearrayiter_next`: the byte at the position while it is within the live array.
fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__next__", 0)?;
    let Some(Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug("bytearray_iterator.__next__ without one"));
    };
    let Native::ByteArrayIter(it) = &**n else {
        return Err(vm.bug("bytearray_iterator.__next__ without one"));
    };
    let seq = it.seq.borrow().clone();
    if let Some(b) = seq.as_ref().and_then(as_bytearray) {
        let i = it.index.get();
        if let Some(&x) = b.data.borrow().get(i) {
            it.index.set(i + 1);
            return Ok(Value::Int(i64::from(x)));
        }
    }
    *it.seq.borrow_mut() = None;
    Err(vm.err_args("StopIteration", Vec::new()))
}

fn this_iter<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a ByteArrayIter> {
    if let Some(Value::Native(n)) = args.pos.first() {
        if let Native::ByteArrayIter(it) = &**n {
            return Ok(it);
        }
    }
    Err(vm.bug("a bytearray_iterator method without one"))
}

/// `bytearrayiter_reduce`: `iter` is looked up first (it may run code), then
/// `(iter, (array,), index)`, or `(iter, ((),))` once exhausted.
fn iter_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray_iterator", "__reduce__")?;
    let f = super::iterators::get_builtin(vm, "iter")?;
    let it = this_iter(vm, &args)?;
    let seq = it.seq.borrow().clone();
    Ok(match seq {
        Some(seq) => Value::tuple(vec![
            f,
            Value::tuple(vec![seq]),
            Value::Int(i64::try_from(it.index.get()).unwrap_or(i64::MAX)),
        ]),
        None => Value::tuple(vec![f, Value::tuple(vec![Value::tuple(Vec::new())])]),
    })
}

/// `bytearrayiter_setstate`: an int (`PyLong_AsSsize_t`), clipped to the array's length.
fn iter_setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [state] = Spec::method(
        "bytearray_iterator",
        "__setstate__",
        Style::O,
        &["state"],
        1,
    )
    .bind(vm, &args, 1)?;
    let index = super::iterators::ssize_state(vm, &required(state))?;
    let it = this_iter(vm, &args)?;
    let seq = it.seq.borrow().clone();
    if let Some(b) = seq.as_ref().and_then(as_bytearray) {
        let n = b.data.borrow().len();
        it.index
            .set(usize::try_from(index.max(0)).unwrap_or(0).min(n));
    }
    Ok(Value::None)
}

/// `bytearrayiter_length_hint`: the bytes left, 0 once exhausted.
fn iter_length_hint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray_iterator", "__length_hint__")?;
    let it = this_iter(vm, &args)?;
    let seq = it.seq.borrow().clone();
    let left = match seq.as_ref().and_then(as_bytearray) {
        Some(b) => b.data.borrow().len().saturating_sub(it.index.get()),
        None => 0,
    };
    Ok(Value::Int(i64::try_from(left).unwrap_or(i64::MAX)))
}

/// `bytearray_richcompare`: both operands must be bytes-like, else NotImplemented.
fn compare(vm: &mut Vm, args: Args, op: CompareOp) -> PyResult<Value> {
    operands(vm, &args, op.method(), 1)?;
    let a = this(vm, &args)?.data.borrow().clone();
    let Some(b) = buffer_of(&args.pos[1]) else {
        return Ok(Value::NotImplemented);
    };
    Ok(Value::Bool(op.holds(a.cmp(&b))))
}

fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Eq)
}
fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ne)
}
fn lt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Lt)
}
fn le(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Le)
}
fn gt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Gt)
}
fn ge(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ge)
}

/// The other operand of `+` / `+=`: a bytes-like object, else CPython's TypeError.
fn concat_operand(vm: &Vm, other: &Value) -> PyResult<Vec<u8>> {
    buffer_of(other).ok_or_else(|| {
        vm.type_error(format!(
            "can't concat {} to bytearray",
            vm.type_of(other).name()
        ))
    })
}

/// `bytearray_concat`: a new bytearray.
fn add(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__add__", 1)?;
    let extra = concat_operand(vm, &args.pos[1])?;
    let mut data = this(vm, &args)?.data.borrow().clone();
    vm.reserve((data.len() + extra.len()) as u128)?;
    data.extend(extra);
    Ok(new_value(data))
}

/// `bytearray_iconcat`: extends the receiver.
fn iadd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__iadd__", 1)?;
    let extra = concat_operand(vm, &args.pos[1])?;
    let me = this(vm, &args)?;
    let len = me.data.borrow().len();
    vm.reserve((len + extra.len()) as u128)?;
    me.resize(vm, len + extra.len())?;
    me.data.borrow_mut().extend(extra);
    Ok(args.pos[0].clone())
}

/// The count of `b * n` (`wrap_indexargfunc`: an index, OverflowError beyond 64 bits).
fn count_operand(vm: &mut Vm, args: &Args, name: &str) -> PyResult<usize> {
    operands(vm, args, name, 1)?;
    let n = &args.pos[1];
    match n.builtin_value() {
        v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => {
            match super::int::as_i64_exact(v) {
                Some(k) => Ok(k.max(0) as usize),
                None => Err(vm.err("OverflowError", super::int::CANNOT_FIT)),
            }
        }
        // `PyNumber_AsSsize_t(o, PyExc_OverflowError)`, naming the operand's type.
        Value::Object(_) | Value::Native(_) if vm.has_index(n) => match vm.number_index(n)? {
            Value::Int(k) => Ok(k.max(0) as usize),
            _ => {
                let t = vm.type_of(n).name().clone();
                Err(vm.err(
                    "OverflowError",
                    format!("cannot fit '{t}' into an index-sized integer"),
                ))
            }
        },
        _ => Err(vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_of(n).name()
        ))),
    }
}

/// Whether `n` can be a repetition count (`_PyIndex_Check`).
fn is_count(vm: &Vm, n: &Value) -> bool {
    match n.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => true,
        Value::Object(_) => vm.special(n, "__index__").is_some(),
        _ => false,
    }
}

/// The repetition of `data` `n` times, refused as CPython refuses it.
fn repeated(vm: &Vm, data: &[u8], n: usize) -> PyResult<Vec<u8>> {
    let total = (data.len() as u128) * (n as u128);
    if total > i64::MAX as u128 {
        return Err(vm.memory_error());
    }
    vm.before_alloc(heap::bytes_block(total), total)?;
    Ok(data.repeat(n))
}

fn mul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = count_operand(vm, &args, "__mul__")?;
    let data = this(vm, &args)?.data.borrow().clone();
    Ok(new_value(repeated(vm, &data, n)?))
}

fn rmul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = count_operand(vm, &args, "__rmul__")?;
    let data = this(vm, &args)?.data.borrow().clone();
    Ok(new_value(repeated(vm, &data, n)?))
}

fn imul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = count_operand(vm, &args, "__imul__")?;
    let me = this(vm, &args)?;
    let data = me.data.borrow().clone();
    let new = repeated(vm, &data, n)?;
    me.resize(vm, new.len())?;
    *me.data.borrow_mut() = new;
    Ok(args.pos[0].clone())
}

/// A bytearray method's [`Spec`].
const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("bytearray", name, style, params, req)
}

fn append(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [item] = m("append", Style::O, &["item"], 1).bind(vm, &args, 1)?;
    let b = byte_value(vm, &required(item))?;
    let me = this(vm, &args)?;
    me.resize(vm, me.data.borrow().len() + 1)?;
    me.data.borrow_mut().push(b);
    Ok(Value::None)
}

/// `bytearray.extend`: a buffer's bytes, else the iterable's ints.
fn extend(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [items] = m("extend", Style::O, &["iterable_of_ints"], 1).bind(vm, &args, 1)?;
    let items = required(items);
    let extra = match buffer_of(&items) {
        Some(b) => b,
        None => {
            if !vm.is_iterable(&items) {
                let n = vm.type_of(&items).name().clone();
                return Err(vm.type_error(format!("can't extend bytearray with {n}")));
            }
            let it = vm.iter(&items)?;
            // `bytearray_extend`: the length hint after the iterator.
            if vm.sized_by_class(&items) {
                vm.length_hint(&items, 64)?;
            }
            let mut out = Vec::new();
            while let Some(x) = vm.next(&it)? {
                out.push(byte_value(vm, &x)?);
            }
            out
        }
    };
    let me = this(vm, &args)?;
    me.resize(vm, me.data.borrow().len() + extra.len())?;
    me.data.borrow_mut().extend(extra);
    Ok(Value::None)
}

fn insert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [at, item] = m("insert", Style::Positional, &["index", "item"], 2).bind(vm, &args, 1)?;
    let at = index(vm, &required(at))?;
    let b = byte_value(vm, &required(item))?;
    let me = this(vm, &args)?;
    me.resize(vm, me.data.borrow().len() + 1)?;
    let mut data = me.data.borrow_mut();
    let n = data.len() as i64;
    let at = if at < 0 { (at + n).max(0) } else { at.min(n) };
    data.insert(at as usize, b);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [at] = m("pop", Style::Positional, &["index"], 0).bind(vm, &args, 1)?;
    let at = match at {
        Some(v) => index(vm, &v)?,
        None => -1,
    };
    let me = this(vm, &args)?;
    let n = me.data.borrow().len();
    if n == 0 {
        return Err(vm.err("IndexError", "pop from empty bytearray"));
    }
    let j = if at < 0 { at + n as i64 } else { at };
    if j < 0 || j >= n as i64 {
        return Err(vm.err("IndexError", "pop index out of range"));
    }
    me.resize(vm, n - 1)?;
    let b = me.data.borrow_mut().remove(j as usize);
    Ok(Value::Int(i64::from(b)))
}

fn remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = m("remove", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let b = byte_value(vm, &required(value))?;
    let me = this(vm, &args)?;
    let at = me.data.borrow().iter().position(|&x| x == b);
    match at {
        Some(i) => {
            me.resize(vm, me.data.borrow().len() - 1)?;
            me.data.borrow_mut().remove(i);
            Ok(Value::None)
        }
        None => Err(vm.value_error("value not found in bytearray")),
    }
}

fn clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray", "clear")?;
    let me = this(vm, &args)?;
    me.resize(vm, 0)?;
    me.data.borrow_mut().clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray", "copy")?;
    Ok(new_value(this(vm, &args)?.data.borrow().clone()))
}

fn reverse(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray", "reverse")?;
    this(vm, &args)?.data.borrow_mut().reverse();
    Ok(Value::None)
}

/// The binary operators where a bytearray is an operand and no special method of an
/// instance answered (CPython's `sq_concat` and `sq_repeat` of either operand, and
/// `bytes_concat`, which takes any buffer on its right, a memoryview too): `None` for
/// the other cases.
pub fn binary(
    vm: &mut Vm,
    op: crate::oparg::BinaryOp,
    a: &Value,
    b: &Value,
    inplace: bool,
) -> PyResult<Option<Value>> {
    use crate::oparg::BinaryOp;
    let (left, right) = (as_bytearray(a).is_some(), as_bytearray(b).is_some());
    let view = matches!(b, Value::Native(n) if matches!(**n, Native::MemoryView(_)));
    if !(left || right || (view && op == BinaryOp::Add)) {
        return Ok(None);
    }
    let call = |vm: &mut Vm, f: NativeFn, x: &Value, y: &Value| {
        f(vm, Args::new(vec![x.clone(), y.clone()]))
    };
    match op {
        BinaryOp::Add if left => call(vm, if inplace { iadd } else { add }, a, b).map(Some),
        // `bytes_concat`: bytes on the left, any buffer on the right.
        BinaryOp::Add if matches!(a.builtin_value(), Value::Bytes(_)) => {
            let mut data = buffer_of(a).unwrap_or_default();
            let extra = need_buffer(vm, b)?;
            vm.reserve((data.len() + extra.len()) as u128)?;
            data.extend(extra);
            Ok(Some(Value::Bytes(Rc::from(data))))
        }
        BinaryOp::Multiply => {
            let (seq, n) = if left { (a, b) } else { (b, a) };
            if is_count(vm, n) {
                let f = if inplace && left { imul } else { mul };
                return call(vm, f, seq, n).map(Some);
            }
            // `sequence_repeat` of the left operand when it is a sequence, else of the
            // bytearray on the right: the count is the other one.
            let left_seq = matches!(
                a.builtin_value(),
                Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)
            );
            let count = if left || left_seq { b } else { a };
            Err(vm.type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                vm.type_of(count).name()
            )))
        }
        BinaryOp::Remainder if left => Err(vm.unsupported("bytearray %-formatting")),
        _ => Ok(None),
    }
}

/// `bytearray % x`: CPython formats (`bytearray_mod`), which the VM does not.
fn mod_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands(vm, &args, "__mod__", 1)?;
    Err(vm.unsupported("bytearray %-formatting"))
}

/// `_common_reduce`: `(bytearray, args, None)`, the contents as a latin-1 str before
/// protocol 3 and as bytes from it, no arguments when empty (a bytearray has no state).
fn common_reduce(vm: &Vm, args: &Args, proto: i64) -> PyResult<Value> {
    let data = this(vm, args)?.data.borrow().clone();
    let call_args = if data.is_empty() {
        Vec::new()
    } else if proto < 3 {
        let text: String = data.iter().map(|&b| char::from(b)).collect();
        vec![Value::str(&text), Value::str("latin-1")]
    } else {
        vec![Value::Bytes(Rc::from(data))]
    };
    Ok(Value::tuple(vec![
        Value::Type(vm.ty("bytearray")),
        Value::tuple(call_args),
        Value::None,
    ]))
}

fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "bytearray", "__reduce__")?;
    common_reduce(vm, &args, 0)
}

fn reduce_ex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [proto] = m("__reduce_ex__", Style::Positional, &["proto"], 0).bind(vm, &args, 1)?;
    let proto = match proto {
        Some(p) => match p.builtin_value() {
            Value::Float(_) => {
                return Err(vm.type_error("'float' object cannot be interpreted as an integer"))
            }
            Value::BigInt(_) => {
                return Err(vm.err("OverflowError", "Python int too large to convert to C int"))
            }
            v => {
                let i = index(vm, v)?;
                if i32::try_from(i).is_err() {
                    return Err(vm.err("OverflowError", "Python int too large to convert to C int"));
                }
                i
            }
        },
        None => 0,
    };
    common_reduce(vm, &args, proto)
}
