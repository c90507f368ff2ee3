//! `int` and `float` methods.

use crate::runtime::argspec::no_args;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("int", "bit_length", int_bit_length),
    ("float", "is_integer", float_is_integer),
];

fn int_bit_length(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "int", "bit_length")?;
    let i = crate::runtime::protocol::as_i64(args.pos.first().unwrap_or(&Value::Int(0)));
    Ok(Value::Int(i64::from(64 - i.unsigned_abs().leading_zeros())))
}

fn float_is_integer(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "float", "is_integer")?;
    Ok(Value::Bool(
        matches!(args.pos.first(), Some(Value::Float(f)) if f.fract() == 0.0),
    ))
}
