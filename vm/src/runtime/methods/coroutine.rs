//! Methods of coroutines (`send`, `throw`, `close`, `__await__`), async generators
//! (`asend`, `athrow`, `aclose`, `__anext__`, `__aiter__`) and the awaitables they hand
//! out (`coroutine_wrapper`, `async_generator_asend`, `async_generator_athrow`), after
//! CPython 3.12's `Objects/genobject.c`. What they do is in `awaitables` and
//! `ops::generators`.

use std::rc::Rc;

use crate::runtime::argspec::{no_args, required, Spec, Style};
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, AsyncOp, AsyncOpKind, GenKind, Generator, NativeFn, Value};
use crate::runtime::ops::generators::GenResult;
use crate::runtime::PyResult;

/// 3.12's `gen_throw`, `async_gen_athrow` and the awaitables' `throw` warn when given the
/// exception's value or traceback separately (`PyErr_WarnEx(PyExc_DeprecationWarning,
/// ..., 1)`); `method` is the name the message gives.
pub fn warn_throw_signature(vm: &mut Vm, args: &Args, method: &str) -> PyResult<()> {
    if args.pos.len() > 2 {
        let message = format!(
            "the (type, exc, tb) signature of {method}() is deprecated, use the single-arg \
             signature instead."
        );
        crate::runtime::modules::warnings::warn_native(vm, "DeprecationWarning", message)?;
    }
    Ok(())
}

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("coroutine", "send", coro_send),
    ("coroutine", "throw", coro_throw),
    ("coroutine", "close", coro_close),
    ("coroutine", "__await__", coro_await),
    ("async_generator", "asend", agen_asend),
    ("async_generator", "athrow", agen_athrow),
    ("async_generator", "aclose", agen_aclose),
    ("async_generator", "__anext__", agen_anext),
    ("async_generator", "__aiter__", agen_aiter),
    ("coroutine_wrapper", "send", op_send),
    ("coroutine_wrapper", "throw", op_throw),
    ("coroutine_wrapper", "close", op_close),
    ("coroutine_wrapper", "__next__", op_next),
    ("coroutine_wrapper", "__iter__", op_self),
    ("async_generator_asend", "send", op_send),
    ("async_generator_asend", "throw", op_throw),
    ("async_generator_asend", "close", op_close),
    ("async_generator_asend", "__next__", op_next),
    ("async_generator_asend", "__iter__", op_self),
    ("async_generator_asend", "__await__", op_self),
    ("async_generator_athrow", "send", op_send),
    ("async_generator_athrow", "throw", op_throw),
    ("async_generator_athrow", "close", op_close),
    ("async_generator_athrow", "__next__", op_next),
    ("async_generator_athrow", "__iter__", op_self),
    ("async_generator_athrow", "__await__", op_self),
];

fn recv(vm: &Vm, args: &Args, kind: GenKind) -> PyResult<Rc<Generator>> {
    match args.pos.first() {
        Some(Value::Generator(g)) if g.kind == kind => Ok(g.clone()),
        _ => Err(vm.type_error(format!(
            "descriptor requires a '{}' object",
            kind.type_name()
        ))),
    }
}

fn recv_op(vm: &Vm, args: &Args) -> PyResult<Rc<AsyncOp>> {
    match args.pos.first() {
        Some(Value::AsyncOp(o)) if !matches!(o.kind, AsyncOpKind::Wrapped(_)) => Ok(o.clone()),
        _ => Err(vm.type_error("descriptor requires an awaitable object")),
    }
}

/// The owner's name in argument errors.
fn owner_of(args: &Args, fallback: &'static str) -> &'static str {
    match args.pos.first() {
        Some(Value::AsyncOp(o)) => o.type_name(),
        _ => fallback,
    }
}

/// `gen_send_ex`'s result for a Python caller: a return is StopIteration(value).
fn finish(vm: &mut Vm, r: GenResult) -> PyResult<Value> {
    match r {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => Err(vm.stop_iteration(v)),
    }
}

/// `coroutine.send(value)`.
fn coro_send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] = Spec::method("coroutine", "send", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::Coroutine)?;
    let r = vm.gen_resume(&g, required(value), None)?;
    finish(vm, r)
}

/// `coroutine.throw(typ[, val[, tb]])`.
fn coro_throw(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "coroutine",
        "throw",
        Style::Positional,
        &["typ", "val", "tb"],
        1,
    )
    .parse(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::Coroutine)?;
    warn_throw_signature(vm, &args, "throw")?;
    let r = vm.gen_throw(&g, &args.pos[1..])?;
    finish(vm, r)
}

/// `coroutine.close()`.
fn coro_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "coroutine", "close")?;
    let g = recv(vm, &args, GenKind::Coroutine)?;
    vm.gen_close(&g)?;
    Ok(Value::None)
}

/// `coroutine.__await__()`: a `coroutine_wrapper` iterating the coroutine.
fn coro_await(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("coroutine", "__await__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::Coroutine)?;
    Ok(vm.async_op(&g, AsyncOpKind::CoroWrapper))
}

/// `async_generator.asend(value)`.
fn agen_asend(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [value] =
        Spec::method("async_generator", "asend", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::AsyncGenerator)?;
    crate::runtime::ops::generators::asyncgen_init_hooks(vm, &g)?;
    Ok(vm.async_op(&g, AsyncOpKind::ASend(required(value))))
}

/// `async_generator.athrow(typ[, val[, tb]])`.
fn agen_athrow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "async_generator",
        "athrow",
        Style::Positional,
        &["typ", "val", "tb"],
        1,
    )
    .parse(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::AsyncGenerator)?;
    crate::runtime::ops::generators::asyncgen_init_hooks(vm, &g)?;
    warn_throw_signature(vm, &args, "athrow")?;
    Ok(vm.async_op(&g, AsyncOpKind::AThrow(Some(args.pos[1..].to_vec()))))
}

/// `async_generator.aclose()`.
fn agen_aclose(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "async_generator", "aclose")?;
    let g = recv(vm, &args, GenKind::AsyncGenerator)?;
    crate::runtime::ops::generators::asyncgen_init_hooks(vm, &g)?;
    Ok(vm.async_op(&g, AsyncOpKind::AThrow(None)))
}

/// `async_generator.__anext__()`: `asend(None)`.
fn agen_anext(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("async_generator", "__anext__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let g = recv(vm, &args, GenKind::AsyncGenerator)?;
    crate::runtime::ops::generators::asyncgen_init_hooks(vm, &g)?;
    Ok(vm.async_op(&g, AsyncOpKind::ASend(Value::None)))
}

/// `async_generator.__aiter__()`: the generator itself.
fn agen_aiter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("async_generator", "__aiter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    recv(vm, &args, GenKind::AsyncGenerator)?;
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}

/// `send(value)` of an awaitable.
fn op_send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = owner_of(&args, "coroutine_wrapper");
    let [value] = Spec::method(owner, "send", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let op = recv_op(vm, &args)?;
    vm.async_op_send(&op, Some(required(value)))
}

/// `throw(typ[, val[, tb]])` of an awaitable.
fn op_throw(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = owner_of(&args, "coroutine_wrapper");
    Spec::method(owner, "throw", Style::Positional, &["typ", "val", "tb"], 1)
        .parse(vm, &args, 1)?;
    let op = recv_op(vm, &args)?;
    warn_throw_signature(vm, &args, "throw")?;
    vm.async_op_throw(&op, &args.pos[1..])
}

/// `close()` of an awaitable.
fn op_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = owner_of(&args, "coroutine_wrapper");
    no_args(vm, &args, owner, "close")?;
    let op = recv_op(vm, &args)?;
    vm.async_op_close(&op)?;
    Ok(Value::None)
}

/// `__next__()` of an awaitable: `send` without a value.
fn op_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = owner_of(&args, "coroutine_wrapper");
    Spec::method(owner, "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let op = recv_op(vm, &args)?;
    vm.async_op_send(&op, None)
}

/// `__iter__()` / `__await__()` of an awaitable: the object itself.
fn op_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = owner_of(&args, "coroutine_wrapper");
    Spec::method(owner, "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    recv_op(vm, &args)?;
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}
