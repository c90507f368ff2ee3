//! What `await` drives (CPython 3.12 `Objects/genobject.c`): `_PyCoro_GetAwaitableIter`,
//! the `coroutine_wrapper` of `coro.__await__()`, and the `async_generator_asend` /
//! `async_generator_athrow` objects through which an async generator runs: `asend`,
//! `__anext__`, `athrow` and `aclose` return one; awaiting it resumes the generator, and a
//! value the generator yields (wrapped by INTRINSIC_ASYNC_GEN_WRAP) comes back as the
//! StopIteration that ends the await, while a value an `await` inside it passes up goes on
//! to whoever drives the outermost coroutine (`async_gen_unwrap_value`).
//!
//! Async generator hooks (`sys.set_asyncgen_hooks`): the first-iteration hook is called
//! at a generator's first `__anext__`/`asend`/`athrow`/`aclose`
//! (`ops::generators::asyncgen_init_hooks`); the finalizer hook is recorded, and freeing a
//! suspended generator that has one is unsupported.

use std::rc::Rc;

use super::interp::Vm;
use super::object::{AsyncOp, AsyncOpKind, AwaitState, GenKind, Generator, Value};
use super::ops::generators::GenResult;
use super::{PyResult, Throw};

/// "cannot reuse already awaited …" of the two async generator awaitables.
const ASEND_REUSED: &str = "cannot reuse already awaited __anext__()/asend()";
const ATHROW_REUSED: &str = "cannot reuse already awaited aclose()/athrow()";
const IGNORED_EXIT: &str = "async generator ignored GeneratorExit";

/// Why an object cannot be awaited.
pub enum NotAwaitable {
    /// Its type has no `__await__` (`am_await`).
    NoAwait,
    /// It has one, and this is the error (a bad result, or what `__await__` raised).
    Failed(Throw),
}

/// A coroutine, or a generator whose code has CO_ITERABLE_COROUTINE (`types.coroutine`):
/// what `_PyCoro_GetAwaitableIter` awaits as itself (`PyCoro_CheckExact`,
/// `gen_is_coroutine`).
pub fn is_coroutine(g: &Generator) -> bool {
    g.kind == GenKind::Coroutine
        || (g.kind == GenKind::Generator
            && g.code.co_flags & crate::code::flags::CO_ITERABLE_COROUTINE != 0)
}

impl Vm {
    /// A new awaitable driving `gen` (`async_gen_asend_new` / `async_gen_athrow_new`),
    /// or the wrapper `coro.__await__()` returns.
    pub fn async_op(&self, gen: &Rc<Generator>, kind: AsyncOpKind) -> Value {
        Value::AsyncOp(Rc::new(AsyncOp {
            gen: gen.clone(),
            kind,
            state: std::cell::Cell::new(AwaitState::Init),
        }))
    }

    /// `_PyCoro_GetAwaitableIter`: a coroutine awaits as itself; anything else through
    /// its type's `__await__`, which must return an iterator that is not a coroutine.
    pub fn awaitable_iter(&mut self, v: &Value) -> Result<Value, NotAwaitable> {
        let getter = match v {
            Value::Generator(g) if is_coroutine(g) => return Ok(v.clone()),
            Value::AsyncOp(o)
                if matches!(o.kind, AsyncOpKind::ASend(_) | AsyncOpKind::AThrow(_)) =>
            {
                return Ok(v.clone())
            }
            // A built-in class's `am_await` slot (`_testcapi.awaitType`) is its dict's
            // `__await__`, which `special` leaves to the evaluator for built-in classes.
            Value::Object(o) => self.special(v, "__await__").or_else(|| {
                let t = o.class.borrow().clone();
                t.is_builtin().then(|| t.lookup("__await__")).flatten()
            }),
            _ => None,
        };
        let Some(getter) = getter else {
            return Err(NotAwaitable::NoAwait);
        };
        let bound = self.bind(&getter, v);
        let res = self.call0(&bound).map_err(NotAwaitable::Failed)?;
        if matches!(&res, Value::Generator(g) if is_coroutine(g)) {
            return Err(NotAwaitable::Failed(
                self.type_error("__await__() returned a coroutine"),
            ));
        }
        if !self.is_iterator(&res) {
            let n = self.type_of(&res).name().clone();
            return Err(NotAwaitable::Failed(self.type_error(format!(
                "__await__() returned non-iterator of type '{n}'"
            ))));
        }
        Ok(res)
    }

    /// The error `awaitable_iter` leaves for an `await` of `v`.
    pub fn not_awaitable(&mut self, v: &Value, why: NotAwaitable) -> Throw {
        match why {
            NotAwaitable::NoAwait => {
                let n = self.type_of(v).name().clone();
                self.type_error(format!("object {n} can't be used in 'await' expression"))
            }
            NotAwaitable::Failed(e) => e,
        }
    }

    /// `StopIteration(value)` raised as `_PyGen_SetStopIterationValue` does (None gives
    /// a StopIteration without arguments).
    pub fn stop_iteration(&self, value: Value) -> Throw {
        let args = if value.is_none() { vec![] } else { vec![value] };
        self.err_args("StopIteration", args)
    }

    /// `gen_send_ex` for callers that want the exception: a return becomes StopIteration
    /// (StopAsyncIteration for an async generator).
    fn gen_send_ex(&mut self, gen: &Rc<Generator>, r: PyResult<GenResult>) -> PyResult<Value> {
        match r? {
            GenResult::Yield(v) => Ok(v),
            GenResult::Return(_) if gen.kind == GenKind::AsyncGenerator => {
                Err(self.err_args("StopAsyncIteration", vec![]))
            }
            GenResult::Return(v) => Err(self.stop_iteration(v)),
        }
    }

    /// `async_gen_unwrap_value`: a wrapped value (the generator yielded) ends the await
    /// with StopIteration(value); StopAsyncIteration or GeneratorExit leaving the
    /// generator closes it.
    fn async_gen_unwrap(&mut self, gen: &Rc<Generator>, r: PyResult<GenResult>) -> PyResult<Value> {
        match self.gen_send_ex(gen, r) {
            Ok(Value::AsyncOp(o)) if matches!(o.kind, AsyncOpKind::Wrapped(_)) => {
                gen.running_async.set(false);
                let AsyncOpKind::Wrapped(v) = &o.kind else {
                    return Err(Throw::Bug("wrapped value changed kind".into()));
                };
                Err(self.stop_iteration(v.clone()))
            }
            Ok(v) => Ok(v),
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                if self.is_instance_of(&e, "StopAsyncIteration")
                    || self.is_instance_of(&e, "GeneratorExit")
                {
                    gen.closed.set(true);
                }
                gen.running_async.set(false);
                Err(Throw::Exc(e))
            }
            Err(fatal) => Err(fatal),
        }
    }

    /// `send(arg)` of an awaitable, or `__next__` when `arg` is `None` (CPython passes
    /// NULL): `coro_wrapper_send`, `async_gen_asend_send`, `async_gen_athrow_send`.
    pub fn async_op_send(&mut self, op: &Rc<AsyncOp>, arg: Option<Value>) -> PyResult<Value> {
        let gen = op.gen.clone();
        match &op.kind {
            AsyncOpKind::CoroWrapper => {
                let r = self.gen_resume(&gen, arg.unwrap_or(Value::None), None);
                self.gen_send_ex(&gen, r)
            }
            AsyncOpKind::ASend(sendval) => {
                if op.state.get() == AwaitState::Closed {
                    return Err(self.err("RuntimeError", ASEND_REUSED));
                }
                let mut arg = arg.unwrap_or(Value::None);
                if op.state.get() == AwaitState::Init {
                    if gen.running_async.get() {
                        op.state.set(AwaitState::Closed);
                        return Err(self.err(
                            "RuntimeError",
                            "anext(): asynchronous generator is already running",
                        ));
                    }
                    if arg.is_none() {
                        arg = sendval.clone();
                    }
                    op.state.set(AwaitState::Iter);
                }
                gen.running_async.set(true);
                let r = self.gen_resume(&gen, arg, None);
                let r = self.async_gen_unwrap(&gen, r);
                if r.is_err() {
                    op.state.set(AwaitState::Closed);
                }
                r
            }
            AsyncOpKind::AThrow(args) => self.athrow_send(op, &gen, args.as_deref(), arg),
            AsyncOpKind::Wrapped(_) => {
                let n = op.type_name();
                Err(self.type_error(format!("'{n}' object is not an iterator")))
            }
        }
    }

    /// `async_gen_athrow_send`: the first send throws GeneratorExit (`aclose()`) or the
    /// given exception into the generator; later ones resume it.
    fn athrow_send(
        &mut self,
        op: &Rc<AsyncOp>,
        gen: &Rc<Generator>,
        args: Option<&[Value]>,
        arg: Option<Value>,
    ) -> PyResult<Value> {
        if op.state.get() == AwaitState::Closed {
            return Err(self.err("RuntimeError", ATHROW_REUSED));
        }
        if gen.finished.get() {
            op.state.set(AwaitState::Closed);
            return Err(self.stop_iteration(Value::None));
        }
        let arg = arg.unwrap_or(Value::None);
        if op.state.get() == AwaitState::Init {
            if gen.running_async.get() {
                op.state.set(AwaitState::Closed);
                let which = if args.is_none() { "aclose" } else { "athrow" };
                return Err(self.err(
                    "RuntimeError",
                    format!("{which}(): asynchronous generator is already running"),
                ));
            }
            if gen.closed.get() {
                op.state.set(AwaitState::Closed);
                return Err(self.err_args("StopAsyncIteration", vec![]));
            }
            if !arg.is_none() {
                return Err(self.err(
                    "RuntimeError",
                    "can't send non-None value to a just-started coroutine",
                ));
            }
            op.state.set(AwaitState::Iter);
            gen.running_async.set(true);
            return match args {
                None => {
                    gen.closed.set(true);
                    let exit = Value::Type(self.ty("GeneratorExit"));
                    let r = self.gen_throw_ex(gen, &[exit], false);
                    self.aclose_result(op, gen, r)
                }
                Some(args) => {
                    let r = self.gen_throw_ex(gen, args, false);
                    let r = self.async_gen_unwrap(gen, r);
                    self.athrow_check_error(op, gen, r, false)
                }
            };
        }
        let r = self.gen_resume(gen, arg, None);
        match args {
            Some(_) => self.async_gen_unwrap(gen, r),
            None => self.aclose_result(op, gen, r),
        }
    }

    /// What `aclose()`'s awaitable makes of the generator's response: a yield is
    /// "async generator ignored GeneratorExit"; a value passed through from an `await`
    /// goes on; an error goes through [`Vm::athrow_check_error`].
    fn aclose_result(
        &mut self,
        op: &Rc<AsyncOp>,
        gen: &Rc<Generator>,
        r: PyResult<GenResult>,
    ) -> PyResult<Value> {
        let r = self.gen_send_ex(gen, r);
        match r {
            Ok(Value::AsyncOp(o)) if matches!(o.kind, AsyncOpKind::Wrapped(_)) => {
                gen.running_async.set(false);
                op.state.set(AwaitState::Closed);
                Err(self.err("RuntimeError", IGNORED_EXIT))
            }
            Ok(v) => Ok(v),
            Err(e) => self.athrow_check_error(op, gen, Err(e), true),
        }
    }

    /// `check_error` of `async_gen_athrow_send`: the awaitable is done; for `aclose()`,
    /// StopAsyncIteration or GeneratorExit from the generator means closed, reported as
    /// StopIteration.
    fn athrow_check_error(
        &mut self,
        op: &Rc<AsyncOp>,
        gen: &Rc<Generator>,
        r: PyResult<Value>,
        aclose: bool,
    ) -> PyResult<Value> {
        let e = match r {
            Ok(v) => return Ok(v),
            Err(Throw::Exc(e) | Throw::Reraise(e)) => e,
            Err(fatal) => return Err(fatal),
        };
        gen.running_async.set(false);
        op.state.set(AwaitState::Closed);
        if aclose
            && (self.is_instance_of(&e, "StopAsyncIteration")
                || self.is_instance_of(&e, "GeneratorExit"))
        {
            return Err(self.stop_iteration(Value::None));
        }
        Err(Throw::Exc(e))
    }

    /// `throw(*args)` of an awaitable (`coro_wrapper_throw`, `async_gen_asend_throw`,
    /// `async_gen_athrow_throw`).
    pub fn async_op_throw(&mut self, op: &Rc<AsyncOp>, args: &[Value]) -> PyResult<Value> {
        let gen = op.gen.clone();
        match &op.kind {
            AsyncOpKind::CoroWrapper => {
                let r = self.gen_throw(&gen, args);
                self.gen_send_ex(&gen, r)
            }
            AsyncOpKind::ASend(_) => {
                if op.state.get() == AwaitState::Closed {
                    return Err(self.err("RuntimeError", ASEND_REUSED));
                }
                let r = self.gen_throw(&gen, args);
                let r = self.async_gen_unwrap(&gen, r);
                if r.is_err() {
                    op.state.set(AwaitState::Closed);
                }
                r
            }
            AsyncOpKind::AThrow(kind) => {
                if op.state.get() == AwaitState::Closed {
                    return Err(self.err("RuntimeError", ATHROW_REUSED));
                }
                let r = self.gen_throw(&gen, args);
                if kind.is_some() {
                    return self.async_gen_unwrap(&gen, r);
                }
                match self.gen_send_ex(&gen, r) {
                    Ok(Value::AsyncOp(o)) if matches!(o.kind, AsyncOpKind::Wrapped(_)) => {
                        gen.running_async.set(false);
                        op.state.set(AwaitState::Closed);
                        Err(self.err("RuntimeError", IGNORED_EXIT))
                    }
                    Ok(v) => Ok(v),
                    Err(Throw::Exc(e) | Throw::Reraise(e))
                        if self.is_instance_of(&e, "StopAsyncIteration")
                            || self.is_instance_of(&e, "GeneratorExit") =>
                    {
                        Err(self.stop_iteration(Value::None))
                    }
                    Err(e) => Err(e),
                }
            }
            AsyncOpKind::Wrapped(_) => Err(Throw::Bug("throw() into a wrapped value".into())),
        }
    }

    /// `close()` of an awaitable: the coroutine wrapper closes its coroutine; the async
    /// generator awaitables just become unusable.
    pub fn async_op_close(&mut self, op: &Rc<AsyncOp>) -> PyResult<()> {
        match op.kind {
            AsyncOpKind::CoroWrapper => self.gen_close(&op.gen.clone()),
            _ => {
                op.state.set(AwaitState::Closed);
                Ok(())
            }
        }
    }
}
