//! `_json` (CPython 3.12 `Modules/_json.c`): every name CPython's has. `scanstring`,
//! `encode_basestring_ascii` and `encode_basestring` are here; `scanner` has the
//! `_json.Scanner` type (`make_scanner`, the C scanner `json.decoder` builds from a
//! JSONDecoder) and `encoder` the `_json.Encoder` type (`make_encoder`, which
//! `json.encoder` uses when `indent` is None). Positions are code-point indexes into
//! the str, as CPython's. Errors are `json.decoder.JSONDecodeError`, imported from
//! `json.decoder` when raised, as `raise_errmsg` does, or `StopIteration(idx)` where the
//! C scanner raises it (`JSONDecoder.raw_decode` turns it into "Expecting value").
//!
//! A `\uXXXX` escape of a lone surrogate decodes to the VM's stand-in for it
//! (`standins`), and a lone surrogate is written as its own escape.

pub mod encoder;
pub mod scanner;

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::{PyResult, Throw};

/// `module_doc`.
const DOC: &str = "json speedups\n";

/// The two types, by registry key (`make_scanner` and `make_encoder` in the module).
pub const TYPES: &[&str] = &["Scanner", "Encoder"];

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_json", FUNCTIONS);
    d.set_str("__doc__", Value::str(DOC));
    d.set_str("make_scanner", Value::Type(vm.ty("Scanner")));
    d.set_str("make_encoder", Value::Type(vm.ty("Encoder")));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("encode_basestring_ascii", encode_basestring_ascii),
    ("encode_basestring", encode_basestring),
    ("scanstring", scanstring),
];

/// `raise_errmsg`: `json.decoder.JSONDecodeError(msg, s, end)`, raised.
pub fn errmsg(vm: &mut Vm, msg: &str, s: &Value, end: i64) -> Throw {
    let made = (|| -> PyResult<Value> {
        if vm.modules.get_str("json.decoder").is_none() {
            super::super::import::import_name(vm, "json.decoder", None, &Value::None, 0)?;
        }
        let module = vm
            .modules
            .get_str("json.decoder")
            .ok_or_else(|| vm.bug("json.decoder imported but not in sys.modules"))?;
        let cls = vm.getattr(&module, "JSONDecodeError")?;
        vm.call(
            &cls,
            Args::new(vec![Value::str(msg), s.clone(), Value::Int(end)]),
        )
    })();
    match made {
        Ok(exc) => vm.raise(exc),
        Err(e) => e,
    }
}

/// `raise_stop_iteration`.
pub fn stop_iteration(vm: &Vm, idx: i64) -> Throw {
    vm.err_args("StopIteration", vec![Value::Int(idx)])
}

/// "first argument must be a string, not T" unless `v` is a str (or a subclass).
fn need_str(vm: &Vm, v: &Value) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(vm.type_error(format!(
            "first argument must be a string, not {}",
            vm.type_of(v).name()
        ))),
    }
}

/// `S_CHAR`: printable ASCII other than `\` and `"`.
fn s_char(c: char) -> bool {
    (' '..='~').contains(&c) && c != '\\' && c != '"'
}

fn push_u(out: &mut String, u: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[((u >> shift) & 0xf) as usize]));
    }
}

/// The two-character escapes both encoders use (`\\`, `\"`, `\b`, `\f`, `\n`, `\r`,
/// `\t`); false for any other character.
fn push_short_escape(out: &mut String, c: char) -> bool {
    let e = match c {
        '\\' => "\\\\",
        '"' => "\\\"",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => return false,
    };
    out.push_str(e);
    true
}

/// `ascii_escape_unicode`: the JSON string, ASCII only (non-BMP characters as a
/// surrogate pair of escapes).
pub fn ascii_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if s_char(c) {
            out.push(c);
            continue;
        }
        if !push_short_escape(&mut out, c) {
            // A lone surrogate is one escape of its own.
            let cp = crate::runtime::standins::code_point(c);
            if crate::runtime::standins::is_surrogate(cp) {
                push_u(&mut out, cp);
                continue;
            }
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                push_u(&mut out, u32::from(*u));
            }
        }
    }
    out.push('"');
    out
}

/// `escape_unicode`: the JSON string, escaping only `\`, `"` and the control characters.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if push_short_escape(&mut out, c) {
            continue;
        }
        if u32::from(c) <= 0x1f {
            push_u(&mut out, u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `encode_basestring_ascii(string) -> string`.
fn encode_basestring_ascii(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [s] = Spec::method("_json", "encode_basestring_ascii", Style::O, &["string"], 1)
        .bind(vm, &args, 0)?;
    let s = need_str(vm, &s.unwrap_or_default())?;
    Ok(Value::str(&ascii_escape(&s)))
}

/// `encode_basestring(string) -> string`.
fn encode_basestring(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [s] =
        Spec::method("_json", "encode_basestring", Style::O, &["string"], 1).bind(vm, &args, 0)?;
    let s = need_str(vm, &s.unwrap_or_default())?;
    Ok(Value::str(&escape(&s)))
}

/// A `Py_ssize_t` argument (`n`): `__index__`, then the 64-bit range.
pub fn ssize_arg(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let big = super::math::to_index(vm, v)?;
    i64::try_from(&big).map_err(|_| vm.err("OverflowError", super::super::int::TOO_LARGE_SSIZE_T))
}

/// `scanstring(string, end, strict=True) -> (string, end)`.
fn scanstring(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [s, end, strict] = Spec::function(
        "scanstring",
        Style::ParseTuple,
        &["string", "end", "strict"],
        2,
    )
    .bind(vm, &args, 0)?;
    let s = s.unwrap_or_default();
    let end = ssize_arg(vm, &end.unwrap_or_default())?;
    let strict = match &strict {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    let text = need_str(vm, &s)?;
    let chars: Vec<char> = text.chars().collect();
    let (out, next) = scanner::scan_string(vm, &s, &chars, end, strict)?;
    Ok(Value::tuple(vec![out, Value::Int(next as i64)]))
}

/// `Scanner.__new__(cls, ...)` and `Encoder.__new__(cls, ...)`: `tp_new_wrapper`'s
/// checks of `cls` (which can only be the type itself: neither is a base type), then the
/// type's `tp_new` on the other arguments.
fn new_method(
    vm: &mut Vm,
    mut args: Args,
    key: &str,
    make: fn(&mut Vm, Args) -> PyResult<Value>,
) -> PyResult<Value> {
    let tp_name = format!("_json.{key}");
    if args.pos.is_empty() {
        return Err(vm.type_error(format!("{tp_name}.__new__(): not enough arguments")));
    }
    let cls = args.pos.remove(0);
    match &cls {
        Value::Type(t) if t.is_subtype(&vm.ty(key)) => make(vm, args),
        Value::Type(t) => {
            let n = t.name().clone();
            Err(vm.type_error(format!(
                "{tp_name}.__new__({n}): {n} is not a subtype of {tp_name}"
            )))
        }
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!(
                "{tp_name}.__new__(X): X is not a type object ({n})"
            )))
        }
    }
}

fn scanner_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_method(vm, args, "Scanner", scanner::construct)
}

fn encoder_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_method(vm, args, "Encoder", encoder::construct)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Scanner", "__new__", scanner_new),
    ("Scanner", "__call__", scanner::call),
    ("Encoder", "__new__", encoder_new),
    ("Encoder", "__call__", encoder::call),
];
