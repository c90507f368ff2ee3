//! `int` and `float` methods (`Objects/longobject.c`'s `long_methods`, `float_methods`),
//! on ints of any size.

use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, Zero};

use crate::arith::Num;
use crate::runtime::argspec::{no_args, required, Spec, Style};
use crate::runtime::heap;
use crate::runtime::int::{from_num, int_num};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("int", "bit_length", int_bit_length),
    ("int", "bit_count", int_bit_count),
    ("int", "to_bytes", int_to_bytes),
    ("int", "as_integer_ratio", int_as_integer_ratio),
    ("int", "conjugate", int_conjugate),
    ("int", "is_integer", int_is_integer),
    ("float", "is_integer", float_is_integer),
];

/// The class methods this file installs (`METH_CLASS`): the receiver is the class.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("int", "from_bytes", int_from_bytes),
    ("float", "__getformat__", float_getformat),
];

/// `float.__getformat__(typestr, /)`: how C's `double` or `float` is stored — IEEE 754,
/// little-endian, on every platform the VM runs on (x86-64 and AArch64 Linux).
fn float_getformat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [typestr] = Spec::method("float", "__getformat__", Style::O, &["typestr"], 1)
        .bind::<1>(vm, &args, 1)?;
    match required(typestr).builtin_value() {
        Value::Str(s) if matches!(&**s, "double" | "float") => {
            Ok(Value::str("IEEE, little-endian"))
        }
        Value::Str(_) => {
            Err(vm.value_error("__getformat__() argument 1 must be 'double' or 'float'"))
        }
        other => Err(vm.type_error(format!(
            "__getformat__() argument must be str, not {}",
            vm.type_of(other).name()
        ))),
    }
}

/// The receiver of an int method (a bool is an int).
fn receiver(args: &Args) -> Num {
    args.pos.first().and_then(int_num).unwrap_or(Num::Int(0))
}

fn big(n: &Num) -> BigInt {
    match n {
        Num::Int(i) => BigInt::from(*i),
        Num::Big(b) => (**b).clone(),
        Num::Float(_) | Num::Complex(..) => BigInt::zero(),
    }
}

fn int_bit_length(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "bit_length")?;
    Ok(Value::Int(crate::arith::int_bits(&receiver(&args)) as i64))
}

/// `int.bit_count()`: the ones in the binary form of `abs(self)`.
fn int_bit_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "bit_count")?;
    let ones = match receiver(&args) {
        Num::Int(i) => u64::from(i.unsigned_abs().count_ones()),
        n => big(&n).magnitude().count_ones(),
    };
    Ok(Value::Int(ones as i64))
}

fn int_as_integer_ratio(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "as_integer_ratio")?;
    Ok(Value::tuple(vec![from_num(receiver(&args)), Value::Int(1)]))
}

fn int_conjugate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "conjugate")?;
    Ok(from_num(receiver(&args)))
}

fn int_is_integer(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "is_integer")?;
    Ok(Value::Bool(true))
}

/// `byteorder` of `to_bytes` / `from_bytes` as argument clinic takes it: a str or absent.
fn byteorder_arg(vm: &Vm, v: Option<Value>, method: &str) -> PyResult<Option<Rc<str>>> {
    match v {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(other) => Err(vm.type_error(format!(
            "{method}() argument 'byteorder' must be str, not {}",
            crate::runtime::builtins::type_name_of_arg(vm, &other)
        ))),
    }
}

/// Whether the byte order is `'little'` (the method's first check of its arguments).
fn little_endian(vm: &Vm, byteorder: Option<Rc<str>>) -> PyResult<bool> {
    match byteorder.as_deref() {
        None | Some("big") => Ok(false),
        Some("little") => Ok(true),
        Some(_) => Err(vm.value_error("byteorder must be either 'little' or 'big'")),
    }
}

/// `int.to_bytes(length=1, byteorder='big', *, signed=False)` (`int_to_bytes_impl`,
/// `_PyLong_AsByteArray`).
fn int_to_bytes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [length, byteorder, signed] = Spec::method(
        "int",
        "to_bytes",
        Style::Keywords,
        &["length", "byteorder", "signed"],
        0,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let length = match length {
        None => 1,
        Some(v) => crate::runtime::argspec::index(vm, &v)?,
    };
    let byteorder = byteorder_arg(vm, byteorder, "to_bytes")?;
    let signed = match signed {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let little = little_endian(vm, byteorder)?;
    if length < 0 {
        return Err(vm.value_error("length argument must be non-negative"));
    }
    let n = big(&receiver(&args));
    if n.is_negative() && !signed {
        return Err(vm.err("OverflowError", "can't convert negative int to unsigned"));
    }
    // Two's complement, shortest form, then checked against the length.
    let mut bytes = if signed {
        n.to_signed_bytes_le()
    } else {
        n.to_bytes_le().1
    };
    if n.is_zero() {
        bytes.clear();
    }
    let length = length as u64;
    if bytes.len() as u64 > length {
        return Err(vm.err("OverflowError", "int too big to convert"));
    }
    vm.before_alloc(heap::bytes_block(u128::from(length)), u128::from(length))?;
    let fill = if n.is_negative() { 0xff } else { 0 };
    bytes.resize(length as usize, fill);
    if !little {
        bytes.reverse();
    }
    Ok(Value::Bytes(Rc::from(bytes)))
}

/// `int.from_bytes(bytes, byteorder='big', *, signed=False)` (`int_from_bytes_impl`): the
/// bytes through `PyObject_Bytes`, and for a subclass (`bool`) the class called on the int.
fn int_from_bytes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, byteorder, signed] = Spec::method(
        "int",
        "from_bytes",
        Style::Keywords,
        &["bytes", "byteorder", "signed"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let byteorder = byteorder_arg(vm, byteorder, "from_bytes")?;
    let signed = match signed {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let little = little_endian(vm, byteorder)?;
    let mut data = object_bytes(vm, &required(data))?;
    if little {
        data.reverse();
    }
    let n = if signed {
        BigInt::from_signed_bytes_be(&data)
    } else {
        BigInt::from_bytes_be(Sign::Plus, &data)
    };
    let value = Value::int(n);
    match args.pos.first() {
        Some(Value::Type(t)) if &*t.name() == "bool" => Ok(Value::Bool(vm.truthy(&value)?)),
        Some(Value::Type(t)) if &*t.name() == "int" => Ok(value),
        _ => Err(vm.unsupported("int.from_bytes on a subclass of int")),
    }
}

/// `PyObject_Bytes` for what `from_bytes` accepts: bytes, or an iterable of ints in
/// `range(0, 256)` (not a str).
fn object_bytes(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    match v {
        Value::Bytes(b) => return Ok(b.to_vec()),
        Value::Object(_) if vm.special(v, "__bytes__").is_some() => {
            return Err(vm.unsupported("int.from_bytes of an object with __bytes__"));
        }
        Value::Str(_) => {}
        _ if vm.is_iterable(v) => {
            let mut out = Vec::new();
            for item in vm.collect(v)? {
                let i = crate::runtime::argspec::index(vm, &item);
                match i {
                    Ok(i) if (0..256).contains(&i) => out.push(i as u8),
                    Err(e) if !matches!(item, Value::BigInt(_)) => return Err(e),
                    _ => return Err(vm.value_error("bytes must be in range(0, 256)")),
                }
            }
            return Ok(out);
        }
        _ => {}
    }
    Err(vm.type_error(format!(
        "cannot convert '{}' object to bytes",
        vm.type_of(v).name()
    )))
}

fn float_is_integer(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "float", "is_integer")?;
    Ok(Value::Bool(
        matches!(args.pos.first(), Some(Value::Float(f)) if f.fract() == 0.0),
    ))
}
