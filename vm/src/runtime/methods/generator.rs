//! Generator methods (`send`, `throw`, `close`, `__next__`, `__iter__`).

use std::rc::Rc;

use crate::runtime::argspec::{no_args, required, Spec, Style};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::ops::generators::GenResult;
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("generator", "send", gen_send),
    ("generator", "throw", gen_throw),
    ("generator", "close", gen_close),
    ("generator", "__next__", gen_next),
    ("generator", "__iter__", identity),
];

fn recv_gen(vm: &Vm, args: &Args) -> PyResult<Rc<crate::runtime::object::Generator>> {
    match args.pos.first() {
        Some(Value::Generator(g)) => Ok(g.clone()),
        _ => Err(vm.type_error("descriptor requires a 'generator' object")),
    }
}

fn finish(vm: &mut Vm, r: GenResult) -> PyResult<Value> {
    match r {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => {
            let args = if v.is_none() { vec![] } else { vec![v] };
            Err(vm.err_args("StopIteration", args))
        }
    }
}

fn gen_send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = m("send", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let g = recv_gen(vm, &args)?;
    let r = vm.gen_resume(&g, required(value), None)?;
    finish(vm, r)
}

/// A generator method's [`Spec`] with positional-only parameters.
const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("generator", name, style, params, req)
}

fn gen_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let g = recv_gen(vm, &args)?;
    let r = vm.gen_resume(&g, Value::None, None)?;
    finish(vm, r)
}

fn gen_throw(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("throw", Style::Positional, &["typ", "val", "tb"], 1).parse(vm, &args, 1)?;
    let g = recv_gen(vm, &args)?;
    super::coroutine::warn_throw_signature(vm, &args, "throw")?;
    let r = vm.gen_throw(&g, &args.pos[1..])?;
    finish(vm, r)
}

fn gen_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "generator", "close")?;
    let g = recv_gen(vm, &args)?;
    vm.gen_close(&g)?;
    Ok(Value::None)
}

/// `generator.__iter__()`: the generator itself.
fn identity(vm: &mut Vm, args: Args) -> PyResult<Value> {
    m("__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}
