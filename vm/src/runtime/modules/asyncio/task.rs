//! `_asyncio.Task` (`TaskObj` in `_asynciomodule.c`) and `TaskStepMethWrapper`, the
//! callable a Task hands to `loop.call_soon` for its next step.
//!
//! `step` is `task_step`: the task is entered as its loop's current task, `step_impl`
//! sends into the coroutine (or throws into it) from native code, then the task is left.
//! `handle_result` is `task_step_handle_result_impl`: a yielded Future with
//! `_asyncio_future_blocking` set gets the task's wakeup as a done callback; a bare
//! `yield` asks for another step soon; anything else becomes a RuntimeError thrown into
//! the coroutine at its next step. `wakeup` is `task_wakeup`, the done callback.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{no_args, Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Builtin, Method, Native, NativeFn, Value};
use super::super::super::ops::generators::GenResult;
use super::super::super::protocol::IterStep;
use super::super::super::{PyResult, Throw};
use super::future::{self, FutState, FutureObj};
use super::{cached, call_soon};

/// The fields `TaskObj` adds to a Future.
#[derive(Debug, Default)]
pub struct TaskFields {
    pub fut_waiter: RefCell<Option<Value>>,
    pub coro: RefCell<Option<Value>>,
    /// `task_name`: a str, or the counter value (an int) until `get_name` formats it.
    pub name: RefCell<Option<Value>>,
    pub context: RefCell<Option<Value>>,
    pub must_cancel: Cell<bool>,
    pub log_destroy_pending: Cell<bool>,
    pub num_cancels_requested: Cell<i64>,
}

/// The receiver of a Task method, its Future state and its Task fields.
fn me(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<FutureObj>)> {
    let (v, f) = future::me(vm, args)?;
    if f.task.is_none() {
        return Err(vm.bug("a Task method on a Future"));
    }
    Ok((v, f))
}

fn fields<'a>(vm: &Vm, f: &'a FutureObj) -> PyResult<&'a TaskFields> {
    f.task
        .as_ref()
        .ok_or_else(|| vm.bug("a Task without its fields"))
}

fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::super::subclass::tp_new_wrapper(
        vm,
        &args,
        "Task",
        "_asyncio.Task",
        future::new_for,
    )
}

/// `is_coroutine`: a coroutine, or an object `asyncio.iscoroutine` accepts (whose type
/// is remembered, up to 100 types, as `iscoroutine_typecache`).
fn is_coroutine(vm: &mut Vm, coro: &Value) -> PyResult<bool> {
    if let Value::Generator(g) = coro {
        if super::super::super::awaitables::is_coroutine(g) {
            return Ok(true);
        }
    }
    let t = vm.type_of(coro);
    if vm.asyncio.coroutine_types.iter().any(|c| Rc::ptr_eq(c, &t)) {
        return Ok(true);
    }
    let c = cached(vm)?;
    let r = vm.call1(&c.iscoroutine, coro.clone())?;
    if !vm.truthy(&r)? {
        return Ok(false);
    }
    if vm.asyncio.coroutine_types.len() < 100 {
        vm.asyncio.coroutine_types.push(t);
    }
    Ok(true)
}

/// `Task.__init__(coro, *, loop=None, name=None, context=None, eager_start=False)`.
pub fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, f) = me(vm, &args)?;
    let [coro, l, name, context, eager] = Spec {
        name: "Task",
        owner: None,
        style: Style::Keywords,
        params: &["coro", "loop", "name", "context", "eager_start"],
        posonly: 0,
        maxpos: 1,
        required: 1,
    }
    .bind(vm, &args, 1)?;
    let coro = coro.unwrap_or_default();
    let eager = match eager {
        Some(e) => vm.truthy(&e)?,
        None => false,
    };
    future::future_init(vm, &me, &f, l.unwrap_or(Value::None))?;
    let t = fields(vm, &f)?;
    if !is_coroutine(vm, &coro)? {
        t.log_destroy_pending.set(false);
        let r = vm.repr(&coro)?;
        return Err(vm.type_error(format!("a coroutine was expected, got {r}")));
    }
    let context = match context {
        None | Some(Value::None) => super::super::contextvars::copy_current(vm),
        Some(c) => c,
    };
    *t.context.borrow_mut() = Some(context);
    t.fut_waiter.replace(None);
    t.must_cancel.set(false);
    t.log_destroy_pending.set(true);
    t.num_cancels_requested.set(0);
    *t.coro.borrow_mut() = Some(coro);
    let name = match name {
        None | Some(Value::None) => {
            vm.asyncio.task_name_counter += 1;
            let n = vm.asyncio.task_name_counter;
            Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
        }
        Some(s @ Value::Str(_)) => s,
        Some(other) => Value::str(&vm.str_of(&other)?),
    };
    *t.name.borrow_mut() = Some(name);
    if eager {
        let l = f.get_loop();
        let is_running = vm.getattr(&l, "is_running")?;
        let r = vm.call0(&is_running)?;
        if matches!(r, Value::Bool(true)) {
            eager_start(vm, &me, &f)?;
            return Ok(Value::None);
        }
    }
    call_step_soon(vm, &me, &f, None)?;
    super::register_task(vm, &me)?;
    Ok(Value::None)
}

/// `task_eager_start`: the first step runs now, inside the task's context, as the loop's
/// current task; the task is registered as scheduled only if it did not finish.
fn eager_start(vm: &mut Vm, me: &Value, f: &Rc<FutureObj>) -> PyResult<()> {
    let l = f.get_loop();
    let t = fields(vm, f)?;
    let prev = super::swap_current_task(vm, &l, me)?;
    super::register_eager_task(vm, me)?;
    let ctx = t.context.borrow().clone().unwrap_or_default();
    super::super::contextvars::enter(vm, &ctx)?;
    let mut first_err = step_impl(vm, me, f, None).err();
    let mut keep = |r: PyResult<()>| {
        if let Err(e) = r {
            first_err.get_or_insert(e);
        }
    };
    keep(super::swap_current_task(vm, &l, &prev).map(|_| ()));
    keep(super::unregister_eager_task(vm, me));
    keep(super::super::contextvars::exit(vm, &ctx));
    if f.state.get() == FutState::Pending {
        keep(super::register_task(vm, me));
    } else {
        t.coro.replace(None);
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `task_call_step_soon`: `loop.call_soon(TaskStepMethWrapper(task, arg),
/// context=task._context)`.
fn call_step_soon(vm: &mut Vm, me: &Value, f: &FutureObj, arg: Option<Value>) -> PyResult<()> {
    let t = fields(vm, f)?;
    let cb = Value::Native(Rc::new(Native::TaskStep(TaskStep {
        task: me.clone(),
        arg,
    })));
    let ctx = t.context.borrow().clone();
    call_soon(vm, &f.get_loop(), cb, None, ctx)
}

/// `task_set_error_soon`: `exc_type(msg)` thrown into the coroutine at the next step.
fn set_error_soon(vm: &mut Vm, me: &Value, f: &FutureObj, msg: String) -> PyResult<Value> {
    let t = Value::Type(vm.ty("RuntimeError"));
    let e = vm.call1(&t, Value::str(&msg))?;
    call_step_soon(vm, me, f, Some(e))?;
    Ok(Value::None)
}

/// `task_step`: `step_impl` between `enter_task` and `leave_task`; an error leaving
/// the task is chained to the step's own.
pub fn step(vm: &mut Vm, me: &Value, f: &Rc<FutureObj>, exc: Option<Value>) -> PyResult<Value> {
    let l = f.get_loop();
    super::enter_task(vm, &l, me)?;
    match step_impl(vm, me, f, exc) {
        Ok(v) => {
            super::leave_task(vm, &l, me)?;
            Ok(v)
        }
        Err(e) => match super::leave_task(vm, &l, me) {
            Ok(()) => Err(e),
            Err(Throw::Exc(e2)) => {
                // `_PyErr_ChainExceptions1`: the step's error is the context of the new one.
                if let (Throw::Exc(first) | Throw::Reraise(first), Some(d)) = (&e, e2.exc()) {
                    *d.context.borrow_mut() = first.clone();
                }
                Err(Throw::Exc(e2))
            }
            Err(other) => Err(other),
        },
    }
}

/// What sending into (or throwing into) the coroutine gave (`PySendResult`).
enum Sent {
    Next(Value),
    Return(Value),
    Error(Value),
}

/// `PyIter_Send(coro, None)`: a generator or coroutine is resumed directly; anything else
/// through `__next__` or `send(None)`.
fn send_none(vm: &mut Vm, coro: &Value) -> PyResult<Sent> {
    let r = match coro {
        Value::Generator(g) => match vm.gen_resume(g, Value::None, None) {
            Ok(GenResult::Yield(v)) => Ok(Sent::Next(v)),
            Ok(GenResult::Return(v)) => Ok(Sent::Return(v)),
            Err(e) => Err(e),
        },
        other if vm.is_iterator(other) => match vm.next_step(other) {
            Ok(IterStep::Item(v)) => Ok(Sent::Next(v)),
            Ok(IterStep::Done(None)) => Ok(Sent::Return(Value::None)),
            Ok(IterStep::Done(Some(e))) => Ok(Sent::Return(Vm::stop_value(&e))),
            Err(e) => Err(e),
        },
        other => {
            let send = vm.getattr(other, "send");
            match send.and_then(|s| vm.call1(&s, Value::None)) {
                Ok(v) => Ok(Sent::Next(v)),
                Err(e) => Err(e),
            }
        }
    };
    into_sent(vm, r)
}

/// `gen_status_from_result`: StopIteration is a return with its value; any other
/// exception an error.
fn into_sent(vm: &mut Vm, r: PyResult<Sent>) -> PyResult<Sent> {
    match r {
        Ok(s) => Ok(s),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            if vm.is_instance_of(&e, "StopIteration") {
                Ok(Sent::Return(Vm::stop_value(&e)))
            } else {
                Ok(Sent::Error(e))
            }
        }
        Err(other) => Err(other),
    }
}

/// `task_step_impl`.
fn step_impl(vm: &mut Vm, me: &Value, f: &Rc<FutureObj>, exc: Option<Value>) -> PyResult<Value> {
    let t = fields(vm, f)?;
    if f.state.get() != FutState::Pending {
        let tr = vm.repr(me)?;
        let er = vm.repr(&exc.clone().unwrap_or(Value::None))?;
        let c = cached(vm)?;
        let e = vm.call1(
            &c.invalid_state_error,
            Value::str(&format!("_step(): already done: {tr} {er}")),
        )?;
        return Err(vm.raise(e));
    }
    let mut exc = exc;
    if t.must_cancel.get() {
        if exc.is_none() {
            exc = Some(future::make_cancelled_error(vm, f)?);
        }
        t.must_cancel.set(false);
    }
    t.fut_waiter.replace(None);
    let Some(coro) = t.coro.borrow().clone() else {
        return Err(vm.err("RuntimeError", "uninitialized Task object"));
    };
    let sent = match exc {
        None => send_none(vm, &coro)?,
        Some(e) => {
            let r = vm
                .getattr(&coro, "throw")
                .and_then(|th| vm.call1(&th, e))
                .map(Sent::Next);
            into_sent(vm, r)?
        }
    };
    match sent {
        Sent::Return(result) => {
            if t.must_cancel.get() {
                // The task was cancelled right before its coroutine returned.
                t.must_cancel.set(false);
                let msg = f.cancel_msg.borrow().clone();
                return Ok(Value::Bool(future::cancel_impl(vm, me, f, msg)?));
            }
            future::set_result(vm, me, f, result)?;
            Ok(Value::None)
        }
        Sent::Error(e) => {
            let c = cached(vm)?;
            let cancelled = match &c.cancelled_error {
                Value::Type(ct) => vm.type_of(&e).is_subtype(ct),
                _ => false,
            };
            if cancelled {
                *f.cancelled_exc.borrow_mut() = Some(e);
                return Ok(Value::Bool(future::cancel_impl(vm, me, f, None)?));
            }
            future::set_exception(vm, me, f, e.clone())?;
            if vm.is_instance_of(&e, "KeyboardInterrupt") || vm.is_instance_of(&e, "SystemExit") {
                return Err(Throw::Exc(e));
            }
            Ok(Value::None)
        }
        Sent::Next(result) => handle_result(vm, me, f, result),
    }
}

/// The task's `task_wakeup` bound to it (`PyCFunction_New(&TaskWakeupDef, task)`).
fn wakeup_callable(me: &Value) -> Value {
    let func = Value::Builtin(Rc::new(Builtin {
        name: "task_wakeup",
        owner: Some("Task"),
        func: wakeup,
        module: None,
    }));
    Value::Method(Rc::new(Method {
        func,
        receiver: me.clone(),
    }))
}

/// `get_future_loop`: a Future's loop, else `get_loop()`, else `_loop`.
fn future_loop(vm: &mut Vm, fut: &Value) -> PyResult<Value> {
    if future::is_exact(vm, fut) {
        if let Some(f) = future::of(fut) {
            return Ok(f.get_loop());
        }
    }
    match vm.getattr(fut, "get_loop") {
        Ok(g) => vm.call0(&g),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => vm.getattr(fut, "_loop"),
        Err(e) => Err(e),
    }
}

/// After waiting is arranged: a pending cancellation goes to the awaited future.
fn cancel_waiter_if_asked(vm: &mut Vm, f: &FutureObj, result: &Value) -> PyResult<Value> {
    let t = fields(vm, f)?;
    if t.must_cancel.get() {
        let cancel = vm.getattr(result, "cancel")?;
        let msg = f.cancel_msg.borrow().clone().unwrap_or(Value::None);
        let r = vm.call1(&cancel, msg)?;
        if vm.truthy(&r)? {
            t.must_cancel.set(false);
        }
    }
    Ok(Value::None)
}

/// `task_step_handle_result_impl`.
fn handle_result(vm: &mut Vm, me: &Value, f: &Rc<FutureObj>, result: Value) -> PyResult<Value> {
    let t = fields(vm, f)?;
    let task_loop = f.get_loop();
    if result.is(me) {
        let r = vm.repr(me)?;
        return set_error_soon(vm, me, f, format!("Task cannot await on itself: {r}"));
    }
    if future::is_exact(vm, &result) {
        let Some(rf) = future::of(&result) else {
            return Err(vm.bug("a Future without its state"));
        };
        if !rf.get_loop().is(&task_loop) {
            return different_loop(vm, me, f, &result);
        }
        if !rf.blocking.get() {
            return yield_instead_of_yield_from(vm, me, f, &result);
        }
        rf.blocking.set(false);
        let ctx = t.context.borrow().clone().unwrap_or_default();
        future::add_done_callback(vm, &result, &rf, wakeup_callable(me), ctx)?;
        *t.fut_waiter.borrow_mut() = Some(result.clone());
        return cancel_waiter_if_asked(vm, f, &result);
    }
    if result.is_none() {
        // A bare yield gives the loop one iteration.
        call_step_soon(vm, me, f, None)?;
        return Ok(Value::None);
    }
    let blocking = match vm.getattr(&result, "_asyncio_future_blocking") {
        Ok(o) => Some(o),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => None,
        Err(e) => return Err(e),
    };
    if let Some(o) = blocking.filter(|o| !o.is_none()) {
        let blocking = vm.truthy(&o)?;
        let oloop = future_loop(vm, &result)?;
        if !oloop.is(&task_loop) {
            return different_loop(vm, me, f, &result);
        }
        if !blocking {
            return yield_instead_of_yield_from(vm, me, f, &result);
        }
        vm.setattr(&result, "_asyncio_future_blocking", Value::Bool(false))?;
        let add = vm.getattr(&result, "add_done_callback")?;
        let mut a = Args::new(vec![wakeup_callable(me)]);
        let ctx = t.context.borrow().clone().unwrap_or_default();
        a.kw.push((Rc::from("context"), ctx));
        vm.call(&add, a)?;
        *t.fut_waiter.borrow_mut() = Some(result.clone());
        return cancel_waiter_if_asked(vm, f, &result);
    }
    let (tr, rr) = (vm.repr(me)?, vm.repr(&result)?);
    if vm.is_instance_of(&result, "generator") {
        return set_error_soon(
            vm,
            me,
            f,
            format!("yield was used instead of yield from for generator in task {tr} with {rr}"),
        );
    }
    set_error_soon(vm, me, f, format!("Task got bad yield: {rr}"))
}

fn different_loop(vm: &mut Vm, me: &Value, f: &FutureObj, result: &Value) -> PyResult<Value> {
    let (tr, rr) = (vm.repr(me)?, vm.repr(result)?);
    set_error_soon(
        vm,
        me,
        f,
        format!("Task {tr} got Future {rr} attached to a different loop"),
    )
}

fn yield_instead_of_yield_from(
    vm: &mut Vm,
    me: &Value,
    f: &FutureObj,
    result: &Value,
) -> PyResult<Value> {
    let (tr, rr) = (vm.repr(me)?, vm.repr(result)?);
    set_error_soon(
        vm,
        me,
        f,
        format!("yield was used instead of yield from in task {tr} with {rr}"),
    )
}

/// `task_wakeup(task, fut)`: the next step, with the awaited future's exception (or the
/// error getting its result) thrown in.
fn wakeup(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [o] = Spec::method("Task", "task_wakeup", Style::O, &["o"], 1).bind(vm, &args, 1)?;
    let o = o.unwrap_or_default();
    let (me, f) = me(vm, &args)?;
    if future::is_exact(vm, &o) {
        let Some(of) = future::of(&o) else {
            return Err(vm.bug("a Future without its state"));
        };
        return match future::get_result(vm, &of) {
            Ok(Ok(_)) => step(vm, &me, &f, None),
            Ok(Err(e)) => step(vm, &me, &f, Some(e)),
            Err(Throw::Exc(e) | Throw::Reraise(e)) => step(vm, &me, &f, Some(e)),
            Err(other) => Err(other),
        };
    }
    let r = vm.getattr(&o, "result").and_then(|m| vm.call0(&m));
    match r {
        Ok(_) => step(vm, &me, &f, None),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => step(vm, &me, &f, Some(e)),
        Err(other) => Err(other),
    }
}

/// `TaskObj_finalize`: a task destroyed while pending is reported through
/// `loop.call_exception_handler`, then the Future's finalizer runs.
pub fn finalize(vm: &mut Vm, me: &Value, f: &FutureObj) -> PyResult<()> {
    let t = fields(vm, f)?;
    if f.state.get() == FutState::Pending && t.log_destroy_pending.get() {
        let context = super::super::super::dict::Dict::new_rc();
        context.set_str(
            "message",
            Value::str("Task was destroyed but it is pending!"),
        );
        context.set_str("task", me.clone());
        if let Some(tb) = f.source_tb.borrow().clone() {
            context.set_str("source_traceback", tb);
        }
        future::call_exception_handler(vm, &f.get_loop(), Value::Dict(context))?;
    }
    future::finalize(vm, me, f)
}

/// `Task.cancel(msg=None)`: the awaited future is cancelled if there is one and it
/// agrees; otherwise the cancellation is thrown into the coroutine at its next step.
fn cancel(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [msg] = Spec::method("Task", "cancel", Style::Keywords, &["msg"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let msg = msg.unwrap_or(Value::None);
    let (_, f) = me(vm, &args)?;
    let t = fields(vm, &f)?;
    f.log_tb.set(false);
    if f.state.get() != FutState::Pending {
        return Ok(Value::Bool(false));
    }
    t.num_cancels_requested
        .set(t.num_cancels_requested.get() + 1);
    let waiter = t.fut_waiter.borrow().clone();
    if let Some(w) = waiter {
        let c = vm.getattr(&w, "cancel")?;
        let r = vm.call1(&c, msg.clone())?;
        if vm.truthy(&r)? {
            return Ok(Value::Bool(true));
        }
    }
    t.must_cancel.set(true);
    *f.cancel_msg.borrow_mut() = Some(msg);
    Ok(Value::Bool(true))
}

fn cancelling(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Task", "cancelling")?;
    let (_, f) = me(vm, &args)?;
    Ok(Value::Int(fields(vm, &f)?.num_cancels_requested.get()))
}

fn uncancel(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Task", "uncancel")?;
    let (_, f) = me(vm, &args)?;
    let t = fields(vm, &f)?;
    if t.num_cancels_requested.get() > 0 {
        t.num_cancels_requested
            .set(t.num_cancels_requested.get() - 1);
    }
    Ok(Value::Int(t.num_cancels_requested.get()))
}

fn get_coro(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Task", "get_coro")?;
    let (_, f) = me(vm, &args)?;
    let coro = fields(vm, &f)?.coro.borrow().clone();
    // 3.12.1's `_asyncio_Task_get_coro_impl` returns the field unchecked: after an eager
    // start that finished the task (which clears it), CPython crashes.
    coro.ok_or_else(|| vm.unsupported("Task.get_coro() of a task whose eager start finished it"))
}

fn get_context(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Task", "get_context")?;
    let (_, f) = me(vm, &args)?;
    let ctx = fields(vm, &f)?.context.borrow().clone();
    Ok(ctx.unwrap_or(Value::None))
}

/// `Task.get_name()`: the default name `Task-<n>` is formatted on first request.
fn get_name(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Task", "get_name")?;
    let (_, f) = me(vm, &args)?;
    let t = fields(vm, &f)?;
    let name = t.name.borrow().clone();
    Ok(match name {
        Some(Value::Int(n)) => {
            let s = Value::str(&format!("Task-{n}"));
            *t.name.borrow_mut() = Some(s.clone());
            s
        }
        Some(s) => s,
        None => Value::None,
    })
}

fn set_name(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [v] = Spec::method("Task", "set_name", Style::O, &["value"], 1).bind(vm, &args, 1)?;
    let (_, f) = me(vm, &args)?;
    let v = match v.unwrap_or_default() {
        s @ Value::Str(_) => s,
        other => Value::str(&vm.str_of(&other)?),
    };
    *fields(vm, &f)?.name.borrow_mut() = Some(v);
    Ok(Value::None)
}

fn get_stack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [limit] = Spec::method("Task", "get_stack", Style::Keywords, &["limit"], 0)
        .keywords(0, 0)
        .bind(vm, &args, 1)?;
    let (me, _) = me(vm, &args)?;
    let c = cached(vm)?;
    vm.call(
        &c.task_get_stack,
        Args::new(vec![me, limit.unwrap_or(Value::None)]),
    )
}

fn print_stack(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [limit, file] = Spec::method(
        "Task",
        "print_stack",
        Style::Keywords,
        &["limit", "file"],
        0,
    )
    .keywords(0, 0)
    .bind(vm, &args, 1)?;
    let (me, _) = me(vm, &args)?;
    let c = cached(vm)?;
    vm.call(
        &c.task_print_stack,
        Args::new(vec![
            me,
            limit.unwrap_or(Value::None),
            file.unwrap_or(Value::None),
        ]),
    )
}

fn set_result(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Task", "set_result", Style::O, &["result"], 1).parse(vm, &args, 1)?;
    Err(vm.err("RuntimeError", "Task does not support set_result operation"))
}

fn set_exception(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Task", "set_exception", Style::O, &["exception"], 1).parse(vm, &args, 1)?;
    Err(vm.err(
        "RuntimeError",
        "Task does not support set_exception operation",
    ))
}

/// `TaskObj_repr`: `base_tasks._task_repr(task)`.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Task", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (me, _) = me(vm, &args)?;
    let c = cached(vm)?;
    vm.call1(&c.task_repr, me)
}

/// The Task getsets (`TaskType_getsetlist` beyond the Future's).
pub fn attr(vm: &mut Vm, f: &FutureObj, name: &str) -> PyResult<Option<Value>> {
    let Some(t) = &f.task else {
        return Ok(None);
    };
    let _ = vm;
    let opt = |c: &RefCell<Option<Value>>| c.borrow().clone().unwrap_or(Value::None);
    Ok(Some(match name {
        "_log_destroy_pending" => Value::Bool(t.log_destroy_pending.get()),
        "_must_cancel" => Value::Bool(t.must_cancel.get()),
        "_coro" => opt(&t.coro),
        "_fut_waiter" => opt(&t.fut_waiter),
        _ => return Ok(None),
    }))
}

pub fn setattr(
    vm: &mut Vm,
    owner: &str,
    f: &FutureObj,
    name: &str,
    x: Option<Value>,
) -> Option<PyResult<()>> {
    let t = f.task.as_ref()?;
    Some(match (name, x) {
        ("_log_destroy_pending", None) => Err(vm.err("AttributeError", "cannot delete attribute")),
        ("_log_destroy_pending", Some(x)) => vm.truthy(&x).map(|b| t.log_destroy_pending.set(b)),
        ("_must_cancel" | "_coro" | "_fut_waiter", _) => Err(vm.err(
            "AttributeError",
            format!("attribute '{name}' of '{owner}' objects is not writable"),
        )),
        _ => return None,
    })
}

/// `TaskStepMethWrapper`: the task and the exception its next step throws in.
#[derive(Debug)]
pub struct TaskStep {
    pub task: Value,
    pub arg: Option<Value>,
}

/// `TaskStepMethWrapper_call`: no arguments; the task's step.
fn step_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("function takes no keyword arguments"));
    }
    if args.pos.len() > 1 {
        return Err(vm.type_error("function takes no positional arguments"));
    }
    let Some(Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug("a TaskStepMethWrapper call without one"));
    };
    let Native::TaskStep(s) = &**n else {
        return Err(vm.bug("a TaskStepMethWrapper call without one"));
    };
    let task = s.task.clone();
    let arg = s.arg.clone();
    let Some(f) = future::of(&task) else {
        return Err(vm.bug("a TaskStepMethWrapper without its task"));
    };
    step(vm, &task, &f, arg)
}

/// `TaskStepMethWrapper.__self__`.
pub fn step_attr(s: &TaskStep, name: &str) -> Option<Value> {
    (name == "__self__").then(|| s.task.clone())
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Task", "__new__", new_method),
    ("Task", "__init__", init),
    ("Task", "__del__", future::del),
    ("Task", "__repr__", repr),
    ("Task", "__await__", future::iter),
    ("Task", "__iter__", future::iter),
    (
        "Task",
        "add_done_callback",
        future::add_done_callback_method,
    ),
    ("Task", "cancelled", future::cancelled),
    ("Task", "done", future::done),
    ("Task", "exception", future::exception),
    ("Task", "remove_done_callback", future::remove_done_callback),
    ("Task", "result", future::result),
    (
        "Task",
        "_make_cancelled_error",
        future::make_cancelled_error_method,
    ),
    ("Task", "cancel", cancel),
    ("Task", "cancelling", cancelling),
    ("Task", "get_context", get_context),
    ("Task", "get_coro", get_coro),
    ("Task", "get_name", get_name),
    ("Task", "get_stack", get_stack),
    ("Task", "print_stack", print_stack),
    ("Task", "set_exception", set_exception),
    ("Task", "set_name", set_name),
    ("Task", "set_result", set_result),
    ("Task", "uncancel", uncancel),
    ("TaskStepMethWrapper", "__call__", step_call),
];
