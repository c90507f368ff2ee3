//! The methods `bytes` and `bytearray` share (CPython `Objects/bytes_methods.c` and the
//! `stringlib` templates both types instantiate): one implementation, installed on both
//! types; a method of a bytearray answers bytearrays where CPython's does. This file has
//! the searching, splitting, stripping, joining and replacing; `bytes_more` the decoding,
//! hex forms, case mappings, predicates, padding and translation.
//!
//! The buffer protocol is read as CPython's `PyObject_GetBuffer` would for the buffers the
//! VM has: bytes, bytearray and memoryview ([`buffer_of`]).

use std::rc::Rc;

use crate::runtime::argspec::{adjust_indices, index, required, slice_index, Spec, Style};
use crate::runtime::bytearray::{as_bytearray, new_value};
use crate::runtime::heap;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, Native, NativeFn, Value};
use crate::runtime::{PyResult, Throw};

/// Installs `f` as method `name` of both types.
macro_rules! both {
    ($($name:literal => $f:ident),* $(,)?) => {
        &[$(("bytes", $name, $f as NativeFn), ("bytearray", $name, $f as NativeFn)),*]
    };
}

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = both![
    "count" => count,
    "find" => find,
    "rfind" => rfind,
    "index" => index_m,
    "rindex" => rindex,
    "startswith" => startswith,
    "endswith" => endswith,
    "join" => join,
    "split" => split,
    "rsplit" => rsplit,
    "splitlines" => splitlines,
    "partition" => partition,
    "rpartition" => rpartition,
    "strip" => strip,
    "lstrip" => lstrip,
    "rstrip" => rstrip,
    "replace" => replace,
    "removeprefix" => removeprefix,
    "removesuffix" => removesuffix,
];

/// Which of the two types a receiver is: what results are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bytes,
    ByteArray,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bytes => "bytes",
            Kind::ByteArray => "bytearray",
        }
    }

    /// A result of the receiver's type.
    pub fn make(self, data: Vec<u8>) -> Value {
        match self {
            Kind::Bytes => Value::Bytes(Rc::from(data)),
            Kind::ByteArray => new_value(data),
        }
    }
}

/// The bytes of a buffer the VM has (bytes, bytearray, a memoryview of bytes), a
/// subclass instance's included; `None` for anything else.
pub fn buffer_of(v: &Value) -> Option<Vec<u8>> {
    match v.builtin_value() {
        Value::Bytes(b) => Some(b.to_vec()),
        Value::Native(n) => match &**n {
            Native::ByteArray(b) => Some(b.data.borrow().clone()),
            Native::MemoryView(m) => m.contents(),
            _ => None,
        },
        _ => None,
    }
}

/// [`buffer_of`], else `a bytes-like object is required, not 'T'`.
pub fn need_buffer(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Value::Native(n) = v {
        if matches!(&**n, Native::MemoryView(m) if m.released()) {
            return Err(vm.value_error("operation forbidden on released memoryview object"));
        }
    }
    buffer_of(v).ok_or_else(|| {
        vm.type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_of(v).name()
        ))
    })
}

/// A byte given as an int (CPython `_getbytevalue`): its `__index__`, in range(0, 256).
pub fn byte_value(vm: &mut Vm, v: &Value) -> PyResult<u8> {
    match v.builtin_value() {
        x @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => {
            match crate::runtime::int::as_i64_exact(x) {
                Some(i @ 0..=255) => Ok(i as u8),
                _ => Err(vm.value_error("byte must be in range(0, 256)")),
            }
        }
        // `PyLong_AsLongAndOverflow`: `_PyNumber_Index`.
        Value::Object(_) | Value::Native(_) if vm.has_index(v) => {
            let i = vm.number_index(v)?;
            byte_value(vm, &i)
        }
        _ => Err(vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_of(v).name()
        ))),
    }
}

/// The receiver's bytes and type.
pub fn recv(vm: &Vm, args: &Args) -> PyResult<(Vec<u8>, Kind)> {
    match args.pos.first() {
        Some(Value::Bytes(b)) => Ok((b.to_vec(), Kind::Bytes)),
        Some(v) => match as_bytearray(v) {
            Some(b) => Ok((b.data.borrow().clone(), Kind::ByteArray)),
            None => Err(vm.bug("a bytes method without bytes")),
        },
        None => Err(vm.bug("a bytes method without a receiver")),
    }
}

/// The receiver's type (for the `Spec` that names it) without copying its bytes.
pub fn kind_of(args: &Args) -> Kind {
    match args.pos.first() {
        Some(Value::Bytes(_)) | None => Kind::Bytes,
        Some(_) => Kind::ByteArray,
    }
}

/// A method's [`Spec`], named by the receiver's type.
pub fn spec(
    args: &Args,
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method(kind_of(args).name(), name, style, params, req)
}

/// `(sub[, start[, end]])` of count, find, index and their reversed forms
/// (`stringlib_parse_args_finds_byte`): the needle is a byte given as an int or a
/// bytes-like object.
struct Finds {
    data: Vec<u8>,
    sub: Vec<u8>,
    start: usize,
    end: usize,
}

fn finds(vm: &mut Vm, args: &Args, name: &'static str) -> PyResult<Finds> {
    let [sub, start, end] =
        spec(args, name, Style::ParseTuple, &["sub", "start", "end"], 1).bind(vm, args, 1)?;
    let sub = required(sub);
    let sub = match sub.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => vec![byte_value(vm, &sub)?],
        _ => match buffer_of(&sub) {
            Some(b) => b,
            None => {
                return Err(vm.type_error(format!(
                    "argument should be integer or bytes-like object, not '{}'",
                    vm.type_of(&sub).name()
                )))
            }
        },
    };
    let start = slice_index(vm, start.as_ref())?;
    let end = slice_index(vm, end.as_ref())?;
    let (data, _) = recv(vm, args)?;
    let (start, end) = adjust_indices(start, end, data.len());
    Ok(Finds {
        data,
        sub,
        start,
        end,
    })
}

/// The first (or last) position of `sub` in `data[start..end]`, as an index of `data`.
fn search(f: &Finds, last: bool) -> Option<usize> {
    if f.start > f.data.len() || f.start > f.end || f.end - f.start < f.sub.len() {
        return None;
    }
    let hay = &f.data[f.start..f.end];
    let n = f.sub.len();
    let mut hits = (0..=hay.len() - n).filter(|&i| hay[i..i + n] == f.sub[..]);
    let at = if last { hits.next_back() } else { hits.next() };
    at.map(|i| i + f.start)
}

fn found(r: Option<usize>) -> Value {
    Value::Int(r.map_or(-1, |i| i as i64))
}

fn count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = finds(vm, &args, "count")?;
    if f.start > f.data.len() || f.start > f.end {
        return Ok(Value::Int(0));
    }
    if f.sub.is_empty() {
        return Ok(Value::Int((f.end - f.start + 1) as i64));
    }
    let hay = &f.data[f.start..f.end];
    let (mut i, mut n) = (0, 0i64);
    while i + f.sub.len() <= hay.len() {
        if hay[i..i + f.sub.len()] == f.sub[..] {
            n += 1;
            i += f.sub.len();
        } else {
            i += 1;
        }
    }
    Ok(Value::Int(n))
}

fn find(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = finds(vm, &args, "find")?;
    Ok(found(search(&f, false)))
}

fn rfind(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = finds(vm, &args, "rfind")?;
    Ok(found(search(&f, true)))
}

fn index_m(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = finds(vm, &args, "index")?;
    match search(&f, false) {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("subsection not found")),
    }
}

fn rindex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = finds(vm, &args, "rindex")?;
    match search(&f, true) {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.value_error("subsection not found")),
    }
}

/// `_Py_bytes_tailmatch` for one needle.
fn tailmatch(data: &[u8], sub: &[u8], start: Option<i64>, end: Option<i64>, tail: bool) -> bool {
    let (s, e) = adjust_indices(start, end, data.len());
    let (s, e, len, slen) = (s as i128, e as i128, data.len() as i128, sub.len() as i128);
    let mut s = s;
    if !tail {
        if s > len - slen {
            return false;
        }
    } else {
        if e - s < slen || s > len {
            return false;
        }
        if e - slen > s {
            s = e - slen;
        }
    }
    if e - s < slen {
        return false;
    }
    let s = s as usize;
    data[s..s + sub.len()] == *sub
}

/// `startswith` / `endswith` (`_Py_bytes_tailmatch`): a bytes-like object or a tuple of
/// them, within `start`..`end`.
fn affix(vm: &mut Vm, args: Args, name: &'static str, tail: bool) -> PyResult<Value> {
    let [sub, start, end] = spec(
        &args,
        name,
        Style::ParseTuple,
        &["prefix", "start", "end"],
        1,
    )
    .bind(vm, &args, 1)?;
    let start = slice_index(vm, start.as_ref())?;
    let end = slice_index(vm, end.as_ref())?;
    let (data, _) = recv(vm, &args)?;
    let sub = required(sub);
    if let Value::Tuple(items) = sub.builtin_value() {
        for item in items.iter() {
            let b = need_buffer(vm, item)?;
            if tailmatch(&data, &b, start, end, tail) {
                return Ok(Value::Bool(true));
            }
        }
        return Ok(Value::Bool(false));
    }
    match buffer_of(&sub) {
        Some(b) => Ok(Value::Bool(tailmatch(&data, &b, start, end, tail))),
        None => Err(vm.type_error(format!(
            "{name} first arg must be bytes or a tuple of bytes, not {}",
            vm.type_of(&sub).name()
        ))),
    }
}

fn startswith(vm: &mut Vm, args: Args) -> PyResult<Value> {
    affix(vm, args, "startswith", false)
}

fn endswith(vm: &mut Vm, args: Args) -> PyResult<Value> {
    affix(vm, args, "endswith", true)
}

/// `bytes_join` (`stringlib/join.h`): the items must be bytes-like.
fn join(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [items] = spec(&args, "join", Style::O, &["iterable_of_bytes"], 1).bind(vm, &args, 1)?;
    let (sep, kind) = recv(vm, &args)?;
    let items = required(items);
    // `PySequence_Fast(iterable, "can only join an iterable")`.
    let it = match vm.iter(&items) {
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
            return Err(vm.type_error("can only join an iterable"))
        }
        other => other?,
    };
    let items = vm.collect_hinted(&it)?;
    let mut parts = Vec::with_capacity(items.len());
    let mut total = sep.len() as u128 * items.len().saturating_sub(1) as u128;
    for (i, v) in items.iter().enumerate() {
        // `PyObject_GetBuffer(item, PyBUF_SIMPLE)`: a stepped view has no simple buffer.
        let simple = !crate::runtime::memoryview::noncontiguous(v);
        match buffer_of(v).filter(|_| simple) {
            Some(b) => {
                total += b.len() as u128;
                parts.push(b);
            }
            None => {
                return Err(vm.type_error(format!(
                    "sequence item {i}: expected a bytes-like object, {} found",
                    vm.type_of(v).name()
                )))
            }
        }
    }
    vm.before_alloc(heap::bytes_block(total), total)?;
    Ok(kind.make(parts.join(&sep[..])))
}

/// `Py_ISSPACE`: the ASCII whitespace bytes.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The receiver and `(sep=None, maxsplit=-1)` of split and rsplit (`None`: whitespace,
/// no limit).
type SplitArgs = (Vec<u8>, Kind, Option<Vec<u8>>, Option<usize>);

/// `(sep=None, maxsplit=-1)` of split and rsplit.
fn split_args(vm: &mut Vm, args: &Args, name: &'static str) -> PyResult<SplitArgs> {
    let [sep, maxsplit] = spec(args, name, Style::Keywords, &["sep", "maxsplit"], 0)
        .keywords(0, 2)
        .bind(vm, args, 1)?;
    // Argument Clinic converts `maxsplit` before the implementation reads `sep`.
    let max = match maxsplit {
        None => None,
        Some(v) => usize::try_from(index(vm, &v)?).ok(),
    };
    let sep = match sep {
        None | Some(Value::None) => None,
        Some(v) => Some(need_buffer(vm, &v)?),
    };
    if sep.as_deref() == Some(&[][..]) {
        return Err(vm.value_error("empty separator"));
    }
    let (data, kind) = recv(vm, args)?;
    Ok((data, kind, sep, max))
}

/// The pieces as a list of the receiver's type, polling the heap budget as they are made.
fn pieces(vm: &Vm, kind: Kind, parts: Vec<&[u8]>) -> PyResult<Value> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        if out.len() % 1024 == 1023 {
            vm.check_heap()?;
        }
        out.push(kind.make(p.to_vec()));
    }
    Ok(Value::list(out))
}

/// The positions of the non-overlapping occurrences of `sep` in `data`, from the left.
fn occurrences(data: &[u8], sep: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + sep.len() <= data.len() {
        if data[i..i + sep.len()] == *sep {
            out.push(i);
            i += sep.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The same, from the right (what rsplit and rpartition find).
fn occurrences_rev(data: &[u8], sep: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut end = data.len();
    while end >= sep.len() {
        let i = end - sep.len();
        if data[i..end] == *sep {
            out.push(i);
            end = i;
        } else {
            end -= 1;
        }
    }
    out
}

fn split(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (data, kind, sep, max) = split_args(vm, &args, "split")?;
    let max = max.unwrap_or(usize::MAX);
    let mut parts: Vec<&[u8]> = Vec::new();
    match sep {
        Some(sep) => {
            let mut start = 0;
            for i in occurrences(&data, &sep).into_iter().take(max) {
                parts.push(&data[start..i]);
                start = i + sep.len();
            }
            parts.push(&data[start..]);
        }
        None => {
            let mut i = 0;
            while i < data.len() {
                while i < data.len() && is_space(data[i]) {
                    i += 1;
                }
                if i == data.len() {
                    break;
                }
                if parts.len() == max {
                    // The remainder keeps its trailing whitespace.
                    parts.push(&data[i..]);
                    break;
                }
                let j = (i..data.len())
                    .find(|&k| is_space(data[k]))
                    .unwrap_or(data.len());
                parts.push(&data[i..j]);
                i = j;
            }
        }
    }
    pieces(vm, kind, parts)
}

fn rsplit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (data, kind, sep, max) = split_args(vm, &args, "rsplit")?;
    let max = max.unwrap_or(usize::MAX);
    let mut parts: Vec<&[u8]> = Vec::new();
    match sep {
        Some(sep) => {
            let mut end = data.len();
            for i in occurrences_rev(&data, &sep).into_iter().take(max) {
                parts.push(&data[i + sep.len()..end]);
                end = i;
            }
            parts.push(&data[..end]);
        }
        None => {
            let mut j = data.len();
            while j > 0 {
                while j > 0 && is_space(data[j - 1]) {
                    j -= 1;
                }
                if j == 0 {
                    break;
                }
                if parts.len() == max {
                    parts.push(&data[..j]);
                    break;
                }
                let i = (0..j)
                    .rev()
                    .find(|&k| is_space(data[k]))
                    .map_or(0, |k| k + 1);
                parts.push(&data[i..j]);
                j = i;
            }
        }
    }
    parts.reverse();
    pieces(vm, kind, parts)
}

/// `splitlines(keepends=False)`: at `\n`, `\r` and `\r\n` only.
fn splitlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [keepends] = spec(&args, "splitlines", Style::Keywords, &["keepends"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let keepends = match keepends {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    let (data, kind) = recv(vm, &args)?;
    let mut parts: Vec<&[u8]> = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < data.len() {
        let c = data[i];
        if c != b'\n' && c != b'\r' {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        if c == b'\r' && data.get(i + 1) == Some(&b'\n') {
            end += 1;
        }
        parts.push(&data[start..if keepends { end } else { i }]);
        start = end;
        i = end;
    }
    if start < data.len() {
        parts.push(&data[start..]);
    }
    pieces(vm, kind, parts)
}

/// `partition` / `rpartition` (`stringlib/partition.h`).
fn partition_with(vm: &mut Vm, args: Args, name: &'static str, last: bool) -> PyResult<Value> {
    let [sep] = spec(&args, name, Style::O, &["sep"], 1).bind(vm, &args, 1)?;
    let sep = need_buffer(vm, &required(sep))?;
    if sep.is_empty() {
        return Err(vm.value_error("empty separator"));
    }
    let (data, kind) = recv(vm, &args)?;
    let at = if last {
        occurrences_rev(&data, &sep).first().copied()
    } else {
        occurrences(&data, &sep).first().copied()
    };
    let parts = match at {
        Some(i) => [
            data[..i].to_vec(),
            sep.clone(),
            data[i + sep.len()..].to_vec(),
        ],
        None if last => [Vec::new(), Vec::new(), data],
        None => [data, Vec::new(), Vec::new()],
    };
    Ok(Value::tuple(
        parts.into_iter().map(|p| kind.make(p)).collect(),
    ))
}

fn partition(vm: &mut Vm, args: Args) -> PyResult<Value> {
    partition_with(vm, args, "partition", false)
}

fn rpartition(vm: &mut Vm, args: Args) -> PyResult<Value> {
    partition_with(vm, args, "rpartition", true)
}

/// `strip([bytes])` and its one-sided forms: whitespace, or the bytes given.
fn strip_with(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    left: bool,
    right: bool,
) -> PyResult<Value> {
    let [chars] = spec(&args, name, Style::Positional, &["bytes"], 0).bind(vm, &args, 1)?;
    let chars = match chars {
        None | Some(Value::None) => None,
        Some(v) => Some(need_buffer(vm, &v)?),
    };
    let (data, kind) = recv(vm, &args)?;
    let strip = |b: &u8| match &chars {
        Some(set) => set.contains(b),
        None => is_space(*b),
    };
    let mut s = 0;
    let mut e = data.len();
    if left {
        while s < e && strip(&data[s]) {
            s += 1;
        }
    }
    if right {
        while e > s && strip(&data[e - 1]) {
            e -= 1;
        }
    }
    Ok(kind.make(data[s..e].to_vec()))
}

fn strip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "strip", true, true)
}

fn lstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "lstrip", true, false)
}

fn rstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "rstrip", false, true)
}

/// `replace(old, new, count=-1)` (`stringlib_replace`).
fn replace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [old, new, count] = spec(
        &args,
        "replace",
        Style::Positional,
        &["old", "new", "count"],
        2,
    )
    .bind(vm, &args, 1)?;
    let old = need_buffer(vm, &required(old))?;
    let new = need_buffer(vm, &required(new))?;
    let count = match count {
        Some(c) => usize::try_from(index(vm, &c)?).ok(),
        None => None,
    };
    let (data, kind) = recv(vm, &args)?;
    let hits: Vec<usize> = if old.is_empty() {
        (0..=data.len()).collect()
    } else {
        occurrences(&data, &old)
    };
    let hits = &hits[..count.map_or(hits.len(), |c| c.min(hits.len()))];
    let n = hits.len() as u128;
    let size = data.len() as u128 + n * new.len() as u128 - n * old.len() as u128;
    if size > i64::MAX as u128 {
        return Err(vm.err("OverflowError", "replace bytes is too long"));
    }
    vm.before_alloc(heap::bytes_block(size), size)?;
    let mut out = Vec::with_capacity(size as usize);
    let mut at = 0;
    for &i in hits {
        out.extend_from_slice(&data[at..i]);
        out.extend_from_slice(&new);
        at = i + old.len();
        if old.is_empty() && i < data.len() {
            out.push(data[i]);
            at = i + 1;
        }
    }
    out.extend_from_slice(&data[at.min(data.len())..]);
    Ok(kind.make(out))
}

fn remove_affix(vm: &mut Vm, args: Args, name: &'static str, prefix: bool) -> PyResult<Value> {
    let params: &'static [&'static str] = if prefix { &["prefix"] } else { &["suffix"] };
    let [affix] = spec(&args, name, Style::O, params, 1).bind(vm, &args, 1)?;
    let affix = need_buffer(vm, &required(affix))?;
    let (data, kind) = recv(vm, &args)?;
    let out = if prefix && data.starts_with(&affix) {
        &data[affix.len()..]
    } else if !prefix && data.ends_with(&affix) {
        &data[..data.len() - affix.len()]
    } else {
        &data[..]
    };
    Ok(kind.make(out.to_vec()))
}

fn removeprefix(vm: &mut Vm, args: Args) -> PyResult<Value> {
    remove_affix(vm, args, "removeprefix", true)
}

fn removesuffix(vm: &mut Vm, args: Args) -> PyResult<Value> {
    remove_affix(vm, args, "removesuffix", false)
}
