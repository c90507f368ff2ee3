//! `complex`: construction (`complex_new_impl`, `complex_subtype_from_string`) and the
//! methods of `Objects/complexobject.c`'s `complex_methods` (`conjugate`; `__getnewargs__`
//! is not implemented, so `reach` reports it). The arithmetic is `arith::complex`'s,
//! formatting `fmtspec`'s; `.real` and `.imag` are members, read in `attr`.

use std::rc::Rc;

use crate::arith::complex::{self as c, C};
use crate::runtime::argspec::{no_args, Spec, Style};
use crate::runtime::int;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[("complex", "conjugate", complex_conjugate)];

/// A complex value.
pub fn value(z: C) -> Value {
    Value::Complex(Rc::new(z))
}

/// The receiver of a complex method.
fn receiver(args: &Args) -> C {
    match args.pos.first() {
        Some(Value::Complex(z)) => **z,
        _ => (0.0, 0.0),
    }
}

/// `complex.conjugate()` (`complex_conjugate_impl`).
fn complex_conjugate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "complex", "conjugate")?;
    let (re, im) = receiver(&args);
    Ok(value((re, -im)))
}

/// One argument of `complex(real, imag)` as `complex_new_impl` reads it, once its type
/// is known to be a number: a complex as it is (and whether it was one), a real number
/// through `PyNumber_Float` (an int can overflow).
fn operand(vm: &mut Vm, v: &Value) -> PyResult<(C, bool)> {
    match v {
        Value::Complex(z) => Ok((**z, true)),
        Value::Object(_) => Ok(((object_float(vm, v)?, 0.0), false)),
        // A weakref proxy's `nb_float` is its referent's `PyNumber_Float`.
        Value::Native(_) if crate::runtime::weakproxy::as_proxy(v).is_some() => {
            Ok(((object_float(vm, v)?, 0.0), false))
        }
        other => match int::num(other).map(|n| n.to_f64()) {
            Some(Ok(x)) => Ok(((x, 0.0), false)),
            Some(Err(e)) => Err(vm.arith_error(e)),
            None => Err(vm.bug("complex(): an operand that is no number")),
        },
    }
}

/// `complex(real=0, imag=0)` (`complex_new_impl`).
pub fn new(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let bound = Spec::function("complex", Style::Keywords, &["real", "imag"], 0)
        .keywords(0, 2)
        .parse(vm, args, 0)?;
    let r = bound.first().cloned().flatten();
    let i = bound.get(1).cloned().flatten();
    let Some(r) = r else {
        // `real` defaults to the int 0.
        return match i {
            None => Ok(value((0.0, 0.0))),
            Some(i) => new_from_parts(vm, &Value::Int(0), Some(&i)),
        };
    };
    if let Value::Str(s) = &r {
        if i.is_some() {
            return Err(vm.type_error("complex() can't take second arg if first is a string"));
        }
        return from_string(vm, s).map(value);
    }
    // An exact complex alone is returned as it is.
    if i.is_none() && matches!(r, Value::Complex(_)) {
        return Ok(r);
    }
    new_from_parts(vm, &r, i.as_ref())
}

fn new_from_parts(vm: &mut Vm, r: &Value, i: Option<&Value>) -> PyResult<Value> {
    if matches!(i, Some(Value::Str(_))) {
        return Err(vm.type_error("complex() second arg can't be a string"));
    }
    // `try_complex_special_method`: the first argument's `__complex__`, which must give a
    // complex.
    let mut r = r.clone();
    if vm.special(&r, "__complex__").is_some() {
        let got = vm
            .call_special(&r, "__complex__", vec![])?
            .unwrap_or_default();
        if !matches!(got, Value::Complex(_)) {
            let n = vm.type_of(&got).name().clone();
            return Err(vm.type_error(format!("__complex__ returned non-complex (type {n})")));
        }
        r = got;
    }
    let r = &r;
    // Both arguments' types are checked before either is converted: a number, or an
    // object with `nb_float` or `nb_index`.
    let is_number = |v: &Value| {
        matches!(v, Value::Complex(_))
            || int::num(v).is_some()
            || vm.special(v, "__float__").is_some()
            || vm.special(v, "__index__").is_some()
    };
    if !is_number(r) {
        let n = vm.type_of(r).name().clone();
        return Err(vm.type_error(format!(
            "complex() first argument must be a string or a number, not '{n}'"
        )));
    }
    if let Some(i) = i.filter(|i| !is_number(i)) {
        let n = vm.type_of(i).name().clone();
        return Err(vm.type_error(format!(
            "complex() second argument must be a number, not '{n}'"
        )));
    }
    let (cr, cr_is_complex) = operand(vm, r)?;
    let (mut ci, ci_is_complex) = match i {
        None => ((cr.1, 0.0), false),
        Some(i) => operand(vm, i)?,
    };
    // Parts that are themselves complex contribute their imaginary parts crosswise.
    let mut real = cr.0;
    if ci_is_complex {
        real -= ci.1;
    }
    if cr_is_complex && i.is_some() {
        ci.0 += cr.1;
    }
    Ok(value((real, ci.0)))
}

/// `PyNumber_Float` of an instance: its `__float__`, which must give a float, else its
/// `__index__`, which must give an int.
pub(crate) fn object_float(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    let t = vm.type_of(v).name().clone();
    if vm.special(v, "__float__").is_some() {
        return match vm.call_special(v, "__float__", vec![])?.unwrap_or_default() {
            Value::Float(x) => Ok(x),
            other => {
                let n = vm.type_of(&other).name().clone();
                Err(vm.type_error(format!("{t}.__float__ returned non-float (type {n})")))
            }
        };
    }
    let n = vm.number_index(v)?;
    match int::num(&n).map(|n| n.to_f64()) {
        Some(Ok(x)) => Ok(x),
        Some(Err(e)) => Err(vm.arith_error(e)),
        None => Err(vm.bug("complex(): __index__ gave an int that is no number")),
    }
}

/// `complex_subtype_from_string`: non-ASCII spaces and digits mapped to ASCII
/// (`_PyUnicode_TransformDecimalAndSpaceToASCII`), underscores between digits removed
/// (`_Py_string_to_number_with_underscores`), then `complex_from_string_inner`.
fn from_string(vm: &Vm, s: &str) -> PyResult<C> {
    let malformed = || vm.value_error("complex() arg is a malformed string");
    if s.chars()
        .any(|ch| !ch.is_ascii() && (ch.is_whitespace() || ch.is_numeric()))
    {
        return Err(vm.unsupported("complex() of a string with non-ASCII digits or spaces"));
    }
    if !s.is_ascii() {
        return Err(malformed());
    }
    let text = if s.contains('_') {
        match without_underscores(s) {
            Some(t) => t,
            None => {
                return Err(vm.value_error(format!(
                    "could not convert string to complex: {}",
                    crate::runtime::standins::repr(s)
                )))
            }
        }
    } else {
        s.to_owned()
    };
    c::parse(&text).ok_or_else(malformed)
}

/// The text without its underscores, each of which must sit between two digits.
fn without_underscores(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for ch in s.chars() {
        if ch == '_' {
            if !prev.is_ascii_digit() {
                return None;
            }
        } else {
            if prev == '_' && !ch.is_ascii_digit() {
                return None;
            }
            out.push(ch);
        }
        prev = ch;
    }
    (prev != '_' && !s.contains('\0')).then_some(out)
}
