//! Methods of `BaseExceptionGroup` (CPython `Objects/exceptions.c`: `BaseExceptionGroup_split`,
//! `_subgroup`, `_derive`, `_str`); the machinery is in [`crate::runtime::excgroup`].

use crate::runtime::argspec::{required, Spec, Style};
use crate::runtime::excgroup::{self, Matcher};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("BaseExceptionGroup", "split", split),
    ("BaseExceptionGroup", "subgroup", subgroup),
    ("BaseExceptionGroup", "derive", derive),
    ("BaseExceptionGroup", "__str__", str_),
];

/// The receiver, which must be a group.
fn group(vm: &Vm, args: &Args, name: &str) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if excgroup::is_group(vm, v) => Ok(v.clone()),
        Some(v) => Err(vm.type_error(format!(
            "descriptor '{name}' requires a 'BaseExceptionGroup' object but received a '{}'",
            vm.type_of(v).name()
        ))),
        None => Err(vm.type_error(format!(
            "unbound method BaseExceptionGroup.{name}() needs an argument"
        ))),
    }
}

/// `split(matcher_value)`: `(match, rest)`.
fn split(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = group(vm, &args, "split")?;
    let [m] = Spec::method(
        "BaseExceptionGroup",
        "split",
        Style::O,
        &["matcher_value"],
        1,
    )
    .bind(vm, &args, 1)?;
    let matcher = Matcher::from_value(vm, &required(m))?;
    let (m, r) = excgroup::split(vm, &g, &matcher, true)?;
    Ok(Value::tuple(vec![m, r]))
}

/// `subgroup(matcher_value)`: the match of `split`, or `None`.
fn subgroup(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = group(vm, &args, "subgroup")?;
    let [m] = Spec::method(
        "BaseExceptionGroup",
        "subgroup",
        Style::O,
        &["matcher_value"],
        1,
    )
    .bind(vm, &args, 1)?;
    let matcher = Matcher::from_value(vm, &required(m))?;
    Ok(excgroup::split(vm, &g, &matcher, false)?.0)
}

/// `derive(excs)`.
fn derive(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = group(vm, &args, "derive")?;
    let [e] =
        Spec::method("BaseExceptionGroup", "derive", Style::O, &["excs"], 1).bind(vm, &args, 1)?;
    excgroup::derive(vm, &g, required(e))
}

fn str_(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = group(vm, &args, "__str__")?;
    Ok(Value::str(&excgroup::str_of(vm, &g)?))
}
