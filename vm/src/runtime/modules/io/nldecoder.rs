//! `_io.IncrementalNewlineDecoder` (CPython `Modules/_io/textio.c`, `nldecoder_object`):
//! wraps an incremental decoder (or None, for str input) and translates `\r\n` and `\r`
//! to `\n` when asked, recording the kinds of newline it saw. A `\r` ending a chunk is
//! held back (`pendingcr`) until the next one shows whether `\n` follows.
//! importlib's `decode_source` runs every source file it reads through one.
//!
//! Every decoder, of the type itself or of a subclass, is an instance carrying its state
//! as its payload (see `subclass`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::types::Type;
use super::super::super::PyResult;
use super::stringio::newlines_value;

const SEEN_LF: u8 = 1;
const SEEN_CR: u8 = 2;
const SEEN_CRLF: u8 = 4;

/// `nldecoder_object`: `decoder` is None until `__init__` ran (C's NULL).
#[derive(Debug, Default)]
pub struct NlDecoder {
    decoder: RefCell<Option<Value>>,
    pendingcr: Cell<bool>,
    translate: Cell<bool>,
    seennl: Cell<u8>,
}

/// The decoder state `v` carries.
pub fn of(v: &Value) -> Option<Rc<NlDecoder>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::NlDecoder(d) => Some(d.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The receiver's state and its wrapped decoder (`CHECK_INITIALIZED_DECODER`).
fn me(vm: &Vm, args: &Args) -> PyResult<(Rc<NlDecoder>, Value)> {
    let d = args
        .pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("an IncrementalNewlineDecoder method without its state"))?;
    let inner = d.decoder.borrow().clone();
    match inner {
        Some(inner) => Ok((d, inner)),
        None => Err(vm.value_error("IncrementalNewlineDecoder.__init__() not called")),
    }
}

/// `tp_alloc` for `cls`: a decoder whose `__init__` has not run.
pub fn new_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::NlDecoder(Rc::new(NlDecoder::default()))));
    super::super::super::subclass::with_payload(cls, n)
}

/// `IncrementalNewlineDecoder(decoder, translate, errors='strict')`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init(vm, args)?;
    Ok(me)
}

fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::iobase::new_method(vm, &args, "IncrementalNewlineDecoder", new_for)
}

/// `_io_IncrementalNewlineDecoder___init___impl`: `translate` is read by truth value;
/// `errors` is kept by CPython but never used, so it is not stored.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = args
        .pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("IncrementalNewlineDecoder.__init__ without its state"))?;
    let [decoder, translate, _errors] = Spec::function(
        "IncrementalNewlineDecoder",
        Style::Keywords,
        &["decoder", "translate", "errors"],
        2,
    )
    .keywords(0, 3)
    .bind(vm, &args, 1)?;
    let translate = vm.truthy(&translate.unwrap_or_default())?;
    *d.decoder.borrow_mut() = Some(decoder.unwrap_or_default());
    d.translate.set(translate);
    d.seennl.set(0);
    d.pendingcr.set(false);
    Ok(Value::None)
}

/// `decode(input, final=False)` (`_PyIncrementalNewlineDecoder_decode`).
fn decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [input, fin] = Spec::method(
        "IncrementalNewlineDecoder",
        "decode",
        Style::Keywords,
        &["input", "final"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let (d, inner) = me(vm, &args)?;
    let input = input.unwrap_or_default();
    let fin = match fin {
        Some(f) => vm.truthy(&f)?,
        None => false,
    };
    let output = if inner.is_none() {
        input
    } else {
        let m = vm.getattr(&inner, "decode")?;
        vm.call(&m, Args::new(vec![input, Value::Bool(fin)]))?
    };
    let Value::Str(text) = output.builtin_value() else {
        let n = vm.type_of(&output).name().clone();
        return Err(vm.type_error(format!("decoder should return a string result, not '{n}'")));
    };
    let mut text = text.to_string();
    if d.pendingcr.get() && (fin || !text.is_empty()) {
        text.insert(0, '\r');
        d.pendingcr.set(false);
    }
    // The last `\r` is kept back even without translation, so that readline() sees a
    // `\r\n` in one piece.
    if !fin && text.ends_with('\r') {
        text.pop();
        d.pendingcr.set(true);
    }
    let translate = d.translate.get();
    let mut seennl = d.seennl.get();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                seennl |= SEEN_LF;
                out.push('\n');
            }
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                seennl |= SEEN_CRLF;
                out.push_str(if translate { "\n" } else { "\r\n" });
            }
            '\r' => {
                seennl |= SEEN_CR;
                out.push(if translate { '\n' } else { '\r' });
            }
            c => out.push(c),
        }
    }
    d.seennl.set(seennl);
    // An unchanged str comes back as the very object (CPython returns its `output`).
    match &output {
        Value::Str(s) if **s == *out => Ok(output.clone()),
        _ => Ok(Value::str(&out)),
    }
}

/// `getstate()`: the wrapped decoder's `(buffer, flag)` with the pending `\r` as the
/// flag's low bit; `(b'', 0|1)` without one.
fn getstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "IncrementalNewlineDecoder",
        "getstate",
        Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 1)?;
    let (d, inner) = me(vm, &args)?;
    let (buffer, flag) = if inner.is_none() {
        (Value::Bytes(Rc::from(&b""[..])), 0u64)
    } else {
        let m = vm.getattr(&inner, "getstate")?;
        let state = vm.call(&m, Args::default())?;
        let Value::Tuple(items) = state.builtin_value() else {
            return Err(vm.type_error("illegal decoder state"));
        };
        state_pair(vm, items, "illegal decoder state")?
    };
    let flag = (flag << 1) | u64::from(d.pendingcr.get());
    Ok(Value::tuple(vec![
        buffer,
        Value::int(num_bigint::BigInt::from(flag)),
    ]))
}

/// `PyArg_ParseTuple(state, "OK;MESSAGE", ...)`: an object and an int taken modulo
/// 2**64; any other shape is a TypeError with `message`.
fn state_pair(vm: &mut Vm, items: &[Value], message: &str) -> PyResult<(Value, u64)> {
    let [buffer, flag] = items else {
        return Err(vm.type_error(message));
    };
    let flag = match flag.builtin_value() {
        Value::Int(i) => *i as u64,
        Value::Bool(b) => u64::from(*b),
        Value::BigInt(b) => {
            let m = &**b % num_bigint::BigInt::from(1u128 << 64);
            let m = if m < num_bigint::BigInt::from(0) {
                m + num_bigint::BigInt::from(1u128 << 64)
            } else {
                m
            };
            u64::try_from(m).unwrap_or_default()
        }
        _ => return Err(vm.type_error(message)),
    };
    Ok((buffer.clone(), flag))
}

/// `setstate(state)`: the pending `\r` from the flag's low bit, the rest handed to the
/// wrapped decoder.
fn setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [state] = Spec::method(
        "IncrementalNewlineDecoder",
        "setstate",
        Style::O,
        &["state"],
        1,
    )
    .bind(vm, &args, 1)?;
    let (d, inner) = me(vm, &args)?;
    let state = state.unwrap_or_default();
    let Value::Tuple(items) = state.builtin_value() else {
        return Err(vm.type_error("state argument must be a tuple"));
    };
    let (buffer, flag) = state_pair(vm, items, "setstate(): illegal state argument")?;
    d.pendingcr.set(flag & 1 == 1);
    if inner.is_none() {
        return Ok(Value::None);
    }
    let m = vm.getattr(&inner, "setstate")?;
    let pair = Value::tuple(vec![
        buffer,
        Value::int(num_bigint::BigInt::from(flag >> 1)),
    ]);
    vm.call(&m, Args::new(vec![pair]))
}

/// `reset()`: nothing seen, nothing pending, and the wrapped decoder reset.
fn reset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("IncrementalNewlineDecoder", "reset", Style::NoArgs, &[], 0)
        .parse(vm, &args, 1)?;
    let (d, inner) = me(vm, &args)?;
    d.seennl.set(0);
    d.pendingcr.set(false);
    if inner.is_none() {
        return Ok(Value::None);
    }
    let m = vm.getattr(&inner, "reset")?;
    vm.call(&m, Args::default())
}

/// The `newlines` getset: the kinds seen so far (`incrementalnewlinedecoder_newlines_get`).
pub fn attr(vm: &Vm, d: &NlDecoder, name: &str) -> PyResult<Option<Value>> {
    Ok(match name {
        "newlines" => {
            if d.decoder.borrow().is_none() {
                return Err(vm.value_error("IncrementalNewlineDecoder.__init__() not called"));
            }
            Some(newlines_value(d.seennl.get()))
        }
        _ => None,
    })
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("IncrementalNewlineDecoder", "__new__", new_method),
    ("IncrementalNewlineDecoder", "__init__", init),
    ("IncrementalNewlineDecoder", "decode", decode),
    ("IncrementalNewlineDecoder", "getstate", getstate),
    ("IncrementalNewlineDecoder", "setstate", setstate),
    ("IncrementalNewlineDecoder", "reset", reset),
];
