//! The asynchronous opcodes (CPython 3.12 `Python/bytecodes.c`): GET_AWAITABLE,
//! GET_AITER, GET_ANEXT, END_ASYNC_FOR, BEFORE_ASYNC_WITH, and CALL_INTRINSIC_1's
//! INTRINSIC_ASYNC_GEN_WRAP. The `await` itself is the SEND / YIELD_VALUE loop of
//! `ops::generators`; what it drives is in `awaitables`.
//! spec: generators.coroutines

use super::super::awaitables::NotAwaitable;
use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::{AsyncOpKind, GenKind, Value};
use super::super::{PyResult, Throw};
use crate::oparg::awaitable;

/// GET_AWAITABLE `(iterable -- iter)`: the iterator an `await` drives. `kind` names the
/// source of the object in the TypeError when it has no `__await__`
/// (`format_awaitable_error`). A coroutine that is itself suspended in an `await` is being
/// awaited elsewhere already.
pub fn get_awaitable(vm: &mut Vm, kind: u32) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let iter = match vm.awaitable_iter(&v) {
        Ok(it) => it,
        Err(NotAwaitable::NoAwait) if kind != awaitable::AWAIT => {
            let n = vm.type_of(&v).name().clone();
            let method = if kind == awaitable::AENTER {
                "__aenter__"
            } else {
                "__aexit__"
            };
            return Err(vm.type_error(format!(
                "'async with' received an object from {method} that does not implement \
                 __await__: {n}"
            )));
        }
        Err(why) => return Err(vm.not_awaitable(&v, why)),
    };
    if let Value::Generator(g) = &iter {
        if g.kind == GenKind::Coroutine && vm.gen_yieldfrom(g)?.is_some() {
            return Err(vm.err("RuntimeError", "coroutine is being awaited already"));
        }
    }
    vm.top()?.push(iter);
    Ok(Step::Continue)
}

/// GET_AITER `(obj -- iter)`: `obj.__aiter__()`, which must have `__anext__`.
pub fn get_aiter(vm: &mut Vm) -> PyResult<Step> {
    let obj = vm.top()?.pop()?;
    let aiter = match &obj {
        Value::Generator(g) if g.kind == GenKind::AsyncGenerator => obj.clone(),
        Value::Object(_) if vm.special(&obj, "__aiter__").is_some() => {
            match vm.call_special(&obj, "__aiter__", vec![])? {
                Some(it) => it,
                None => return Err(Throw::Bug("__aiter__ vanished".into())),
            }
        }
        _ => {
            let n = vm.type_of(&obj).name().clone();
            return Err(vm.type_error(format!(
                "'async for' requires an object with __aiter__ method, got {n}"
            )));
        }
    };
    if !has_anext(vm, &aiter) {
        let n = vm.type_of(&aiter).name().clone();
        return Err(vm.type_error(format!(
            "'async for' received an object from __aiter__ that does not implement __anext__: \
             {n}"
        )));
    }
    vm.top()?.push(aiter);
    Ok(Step::Continue)
}

fn has_anext(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Generator(g) => g.kind == GenKind::AsyncGenerator,
        Value::Object(_) => vm.special(v, "__anext__").is_some(),
        _ => false,
    }
}

/// GET_ANEXT `(aiter -- aiter, awaitable)`: the awaitable of `aiter.__anext__()`; an
/// async generator's is its `asend(None)` object.
pub fn get_anext(vm: &mut Vm) -> PyResult<Step> {
    let aiter = vm.top()?.peek(0)?;
    let awaitable = match &aiter {
        Value::Generator(g) if g.kind == GenKind::AsyncGenerator => {
            super::generators::asyncgen_init_hooks(vm, g)?;
            vm.async_op(g, AsyncOpKind::ASend(Value::None))
        }
        Value::Object(_) if vm.special(&aiter, "__anext__").is_some() => {
            let next = match vm.call_special(&aiter, "__anext__", vec![])? {
                Some(n) => n,
                None => return Err(Throw::Bug("__anext__ vanished".into())),
            };
            match vm.awaitable_iter(&next) {
                Ok(a) => a,
                Err(why) => {
                    // _PyErr_FormatFromCause: the error says what __anext__ returned and
                    // chains the reason as its cause.
                    let cause = match vm.not_awaitable(&next, why) {
                        Throw::Exc(e) | Throw::Reraise(e) => e,
                        fatal => return Err(fatal),
                    };
                    let n = vm.type_of(&next).name().clone();
                    let err = vm.new_exception(
                        &vm.ty("TypeError"),
                        vec![Value::str(&format!(
                            "'async for' received an invalid object from __anext__: {n}"
                        ))],
                    );
                    if let Some(d) = err.exc() {
                        *d.cause.borrow_mut() = cause.clone();
                        *d.context.borrow_mut() = cause;
                        d.suppress_context.set(true);
                    }
                    return Err(Throw::Exc(err));
                }
            }
        }
        _ => {
            let n = vm.type_of(&aiter).name().clone();
            return Err(vm.type_error(format!(
                "'async for' requires an iterator with __anext__ method, got {n}"
            )));
        }
    };
    vm.top()?.push(awaitable);
    Ok(Step::Continue)
}

/// END_ASYNC_FOR `(awaitable, exc -- )`: StopAsyncIteration ends the loop; any other
/// exception is re-raised.
pub fn end_async_for(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let exc = f.pop()?;
    if vm.is_instance_of(&exc, "StopAsyncIteration") {
        vm.top()?.pop()?;
        return Ok(Step::Continue);
    }
    Err(Throw::Reraise(exc))
}

/// BEFORE_ASYNC_WITH `(mgr -- exit, res)`: the bound `__aexit__`, and the result of
/// calling `__aenter__` (awaited next).
pub fn before_async_with(vm: &mut Vm) -> PyResult<Step> {
    let mgr = vm.top()?.pop()?;
    let t = vm.type_of(&mgr);
    let Some(enter) = t.lookup("__aenter__") else {
        return Err(vm.type_error(format!(
            "'{}' object does not support the asynchronous context manager protocol",
            t.name()
        )));
    };
    let Some(exit) = t.lookup("__aexit__") else {
        return Err(vm.type_error(format!(
            "'{}' object does not support the asynchronous context manager protocol \
             (missed __aexit__ method)",
            t.name()
        )));
    };
    super::exceptions::enter_context(vm, &mgr, &enter, &exit)
}

/// INTRINSIC_ASYNC_GEN_WRAP: wraps the value an async generator yields.
pub fn async_gen_wrap(vm: &mut Vm, v: Value) -> PyResult<Value> {
    let Some(gen) = vm
        .top()?
        .generator
        .as_ref()
        .and_then(std::rc::Weak::upgrade)
    else {
        return Err(Throw::Bug(
            "async generator yield outside its generator".into(),
        ));
    };
    Ok(vm.async_op(&gen, AsyncOpKind::Wrapped(v)))
}
