//! `_asyncio.Future` (`FutureObj` and its methods in `_asynciomodule.c`) and its
//! iterator `_asyncio.FutureIter` (`futureiterobject`), which `await` drives.
//!
//! Every Future, Task, or instance of a subclass is an instance carrying a
//! `Native::Future` as its payload (see `subclass`); the methods take the instance itself,
//! since they pass it to callbacks and reprs. `loop_` is `None` until `__init__` ran
//! (CPython's `fut_loop == NULL`, "not initialized").

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::types::Type;
use super::super::super::{PyResult, Throw};
use super::{cached, call_soon};

/// `fut_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutState {
    Pending,
    Cancelled,
    Finished,
}

/// `FutureObj_HEAD`: the fields every Future has; `task` the ones a Task adds.
#[derive(Debug)]
pub struct FutureObj {
    pub loop_: RefCell<Option<Value>>,
    pub callback0: RefCell<Option<(Value, Value)>>,
    /// `fut_callbacks`: a list of (callback, context) tuples, or None.
    pub callbacks: RefCell<Option<Value>>,
    pub exception: RefCell<Option<Value>>,
    pub exception_tb: RefCell<Option<Value>>,
    pub result: RefCell<Option<Value>>,
    pub source_tb: RefCell<Option<Value>>,
    pub cancel_msg: RefCell<Option<Value>>,
    pub cancelled_exc: RefCell<Option<Value>>,
    pub state: Cell<FutState>,
    pub log_tb: Cell<bool>,
    pub blocking: Cell<bool>,
    pub task: Option<super::task::TaskFields>,
}

impl FutureObj {
    fn new(is_task: bool) -> FutureObj {
        FutureObj {
            loop_: RefCell::new(None),
            callback0: RefCell::new(None),
            callbacks: RefCell::new(None),
            exception: RefCell::new(None),
            exception_tb: RefCell::new(None),
            result: RefCell::new(None),
            source_tb: RefCell::new(None),
            cancel_msg: RefCell::new(None),
            cancelled_exc: RefCell::new(None),
            state: Cell::new(FutState::Pending),
            log_tb: Cell::new(false),
            blocking: Cell::new(false),
            task: is_task.then(super::task::TaskFields::default),
        }
    }

    pub fn alive(&self) -> bool {
        self.loop_.borrow().is_some()
    }

    pub fn get_loop(&self) -> Value {
        self.loop_.borrow().clone().unwrap_or(Value::None)
    }

    /// Whether the finalizer (`FutureObj_finalize`, `TaskObj_finalize`) would do
    /// anything: an exception never retrieved, or a Task destroyed while pending.
    pub fn finalizer_acts(&self) -> bool {
        self.log_tb.get()
            || self.task.as_ref().is_some_and(|t| {
                self.state.get() == FutState::Pending && t.log_destroy_pending.get()
            })
    }
}

/// The Future state `v` (a Future, a Task, or an instance of a subclass) carries.
pub fn of(v: &Value) -> Option<Rc<FutureObj>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Future(f) => Some(f.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The receiver of a method and its state.
pub fn me(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<FutureObj>)> {
    let v = args.pos.first().cloned().unwrap_or_default();
    let f = of(&v).ok_or_else(|| vm.bug("a Future method without a Future"))?;
    Ok((v, f))
}

/// `Future_CheckExact(obj) || Task_CheckExact(obj)`.
pub fn is_exact(vm: &Vm, v: &Value) -> bool {
    let t = vm.type_of(v);
    Rc::ptr_eq(&t, &vm.ty("Future")) || Rc::ptr_eq(&t, &vm.ty("Task"))
}

/// `PyType_GenericNew` for `cls`: an uninitialized Future (or Task).
pub fn new_for(cls: &Rc<Type>) -> Value {
    let is_task = cls
        .mro()
        .iter()
        .any(|c| c.is_builtin() && &*c.name() == "_asyncio.Task");
    super::super::super::finalize::class_has_del();
    let n = Value::Native(super::super::super::gc::alloc(Native::Future(Rc::new(
        FutureObj::new(is_task),
    ))));
    super::super::super::subclass::with_payload(cls, n)
}

fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::super::subclass::tp_new_wrapper(vm, &args, "Future", "_asyncio.Future", new_for)
}

/// `_asyncio.Future(*, loop=None)`: the new object, then `__init__`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    if Rc::ptr_eq(cls, &vm.ty("Task")) {
        super::task::init(vm, args)?;
    } else {
        init(vm, args)?;
    }
    Ok(me)
}

/// `Future.__init__(self, *, loop=None)`.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, f) = me(vm, &args)?;
    let [l] = Spec {
        name: "Future",
        owner: None,
        style: Style::Keywords,
        params: &["loop"],
        posonly: 0,
        maxpos: 0,
        required: 0,
    }
    .bind(vm, &args, 1)?;
    future_init(vm, &me, &f, l.unwrap_or(Value::None))?;
    Ok(Value::None)
}

/// `future_init`: every field cleared, the loop (the event loop when None), and in debug
/// mode the creation stack (`traceback.extract_stack()`).
pub fn future_init(vm: &mut Vm, _me: &Value, f: &FutureObj, l: Value) -> PyResult<()> {
    for cell in [
        &f.loop_,
        &f.callbacks,
        &f.result,
        &f.exception,
        &f.exception_tb,
        &f.source_tb,
        &f.cancel_msg,
        &f.cancelled_exc,
    ] {
        cell.replace(None);
    }
    f.callback0.replace(None);
    f.state.set(FutState::Pending);
    f.log_tb.set(false);
    f.blocking.set(false);
    let l = if l.is_none() {
        super::get_event_loop(vm)?
    } else {
        l
    };
    *f.loop_.borrow_mut() = Some(l.clone());
    let get_debug = vm.getattr(&l, "get_debug")?;
    let debug = vm.call0(&get_debug)?;
    if vm.truthy(&debug)? {
        let c = cached(vm)?;
        let tb = vm.call0(&c.extract_stack)?;
        *f.source_tb.borrow_mut() = Some(tb);
    }
    Ok(())
}

fn not_initialized(vm: &Vm) -> Throw {
    vm.err("RuntimeError", "Future object is not initialized.")
}

/// `ENSURE_FUTURE_ALIVE`.
fn ensure_alive(vm: &Vm, f: &FutureObj) -> PyResult<()> {
    if f.alive() {
        Ok(())
    } else {
        Err(not_initialized(vm))
    }
}

fn invalid_state(vm: &mut Vm, msg: &str) -> PyResult<Throw> {
    let c = cached(vm)?;
    let exc = vm.call1(&c.invalid_state_error, Value::str(msg))?;
    Ok(vm.raise(exc))
}

/// `future_schedule_callbacks`: each callback, first `callback0`, handed to
/// `loop.call_soon(cb, fut, context=ctx)`; the list is cleared either way.
pub fn schedule_callbacks(vm: &mut Vm, me: &Value, f: &FutureObj) -> PyResult<()> {
    let l = f.get_loop();
    if let Some((cb, ctx)) = f.callback0.take() {
        if let Err(e) = call_soon(vm, &l, cb, Some(me.clone()), Some(ctx)) {
            f.callbacks.replace(None);
            return Err(e);
        }
    }
    let Some(list) = f.callbacks.borrow().clone() else {
        return Ok(());
    };
    let items = match &list {
        Value::List(l) => l.items.borrow().clone(),
        _ => Vec::new(),
    };
    for item in items {
        let (cb, ctx) = match &item {
            Value::Tuple(t) if t.len() == 2 => (t[0].clone(), t[1].clone()),
            _ => continue,
        };
        if let Err(e) = call_soon(vm, &l, cb, Some(me.clone()), Some(ctx)) {
            f.callbacks.replace(None);
            return Err(e);
        }
    }
    f.callbacks.replace(None);
    Ok(())
}

/// `future_set_result`.
pub fn set_result(vm: &mut Vm, me: &Value, f: &FutureObj, res: Value) -> PyResult<()> {
    ensure_alive(vm, f)?;
    if f.state.get() != FutState::Pending {
        return Err(invalid_state(vm, "invalid state")?);
    }
    *f.result.borrow_mut() = Some(res);
    f.state.set(FutState::Finished);
    schedule_callbacks(vm, me, f)
}

/// `future_set_exception`: a class is instantiated; StopIteration is refused.
pub fn set_exception(vm: &mut Vm, me: &Value, f: &FutureObj, exc: Value) -> PyResult<()> {
    if f.state.get() != FutState::Pending {
        return Err(invalid_state(vm, "invalid state")?);
    }
    let exc_val = match &exc {
        Value::Type(t) if t.is_exception() => {
            let v = vm.call0(&exc)?;
            if f.state.get() != FutState::Pending {
                return Err(invalid_state(vm, "invalid state")?);
            }
            v
        }
        _ => exc,
    };
    if exc_val.exc().is_none() {
        return Err(vm.type_error("invalid exception object"));
    }
    if Rc::ptr_eq(&vm.type_of(&exc_val), &vm.ty("StopIteration")) {
        return Err(vm.type_error(
            "StopIteration interacts badly with generators and cannot be raised into a Future",
        ));
    }
    let tb = exc_val
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .filter(|t| !t.is_none());
    *f.exception.borrow_mut() = Some(exc_val);
    *f.exception_tb.borrow_mut() = tb;
    f.state.set(FutState::Finished);
    schedule_callbacks(vm, me, f)?;
    f.log_tb.set(true);
    Ok(())
}

/// `create_cancelled_error`: the CancelledError the coroutine raised (kept by a Task's
/// step), else a new one with the cancel message.
pub fn make_cancelled_error(vm: &mut Vm, f: &FutureObj) -> PyResult<Value> {
    if let Some(e) = f.cancelled_exc.take() {
        return Ok(e);
    }
    let c = cached(vm)?;
    let msg = f.cancel_msg.borrow().clone();
    match msg {
        None | Some(Value::None) => vm.call0(&c.cancelled_error),
        Some(m) => vm.call1(&c.cancelled_error, m),
    }
}

/// `future_get_result`: `Ok(Ok(result))`, or `Ok(Err(exception))` with its traceback
/// restored; a cancelled or unfinished future raises.
pub fn get_result(vm: &mut Vm, f: &FutureObj) -> PyResult<Result<Value, Value>> {
    if f.state.get() == FutState::Cancelled {
        let e = make_cancelled_error(vm, f)?;
        return Err(vm.raise(e));
    }
    if f.state.get() != FutState::Finished {
        return Err(invalid_state(vm, "Result is not set.")?);
    }
    f.log_tb.set(false);
    let exc = f.exception.borrow().clone();
    if let Some(e) = exc {
        let tb = f.exception_tb.take().unwrap_or(Value::None);
        if let Some(d) = e.exc() {
            *d.traceback.borrow_mut() = tb;
        }
        return Ok(Err(e));
    }
    Ok(Ok(f.result.borrow().clone().unwrap_or(Value::None)))
}

/// `Future.result()`.
pub fn result_impl(vm: &mut Vm, f: &FutureObj) -> PyResult<Value> {
    if !f.alive() {
        return Err(invalid_state(vm, "Future object is not initialized.")?);
    }
    match get_result(vm, f)? {
        Ok(v) => Ok(v),
        Err(e) => Err(vm.raise(e)),
    }
}

fn no_args(vm: &Vm, args: &Args, owner: &str, name: &str) -> PyResult<()> {
    super::super::super::argspec::no_args(vm, args, owner, name)
}

pub(super) fn result(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "result")?;
    let (_, f) = me(vm, &args)?;
    result_impl(vm, &f)
}

pub(super) fn exception(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "exception")?;
    let (_, f) = me(vm, &args)?;
    if !f.alive() {
        return Err(invalid_state(vm, "Future object is not initialized.")?);
    }
    if f.state.get() == FutState::Cancelled {
        let e = make_cancelled_error(vm, &f)?;
        return Err(vm.raise(e));
    }
    if f.state.get() != FutState::Finished {
        return Err(invalid_state(vm, "Exception is not set.")?);
    }
    let exc = f.exception.borrow().clone();
    match exc {
        Some(e) => {
            f.log_tb.set(false);
            Ok(e)
        }
        None => Ok(Value::None),
    }
}

fn one(vm: &Vm, args: &Args, name: &str, param: &'static str) -> PyResult<Value> {
    let [v] = Spec::method("Future", name, Style::O, &[param], 1).bind(vm, args, 1)?;
    Ok(v.unwrap_or_default())
}

fn set_result_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "set_result", "result")?;
    let (me, f) = me(vm, &args)?;
    set_result(vm, &me, &f, v)?;
    Ok(Value::None)
}

fn set_exception_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = one(vm, &args, "set_exception", "exception")?;
    let (me, f) = me(vm, &args)?;
    ensure_alive(vm, &f)?;
    set_exception(vm, &me, &f, v)?;
    Ok(Value::None)
}

/// `future_add_done_callback`: scheduled now when the future is done, else kept.
pub fn add_done_callback(
    vm: &mut Vm,
    me: &Value,
    f: &FutureObj,
    cb: Value,
    ctx: Value,
) -> PyResult<()> {
    if !f.alive() {
        return Err(vm.err("RuntimeError", "uninitialized Future object"));
    }
    if f.state.get() != FutState::Pending {
        return call_soon(vm, &f.get_loop(), cb, Some(me.clone()), Some(ctx));
    }
    if f.callbacks.borrow().is_none() && f.callback0.borrow().is_none() {
        *f.callback0.borrow_mut() = Some((cb, ctx));
        return Ok(());
    }
    let tup = Value::tuple(vec![cb, ctx]);
    let existing = f.callbacks.borrow().clone();
    match existing {
        Some(Value::List(l)) => l.items.borrow_mut().push(tup),
        _ => *f.callbacks.borrow_mut() = Some(Value::list(vec![tup])),
    }
    Ok(())
}

/// `Future.add_done_callback(fn, /, *, context=None)`: the current context copied when
/// none is given.
pub(super) fn add_done_callback_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [cb, ctx] = Spec::method(
        "Future",
        "add_done_callback",
        Style::Keywords,
        &["fn", "context"],
        1,
    )
    .keywords(1, 1)
    .bind(vm, &args, 1)?;
    let (me, f) = me(vm, &args)?;
    let ctx = match ctx {
        Some(c) => c,
        None => super::super::contextvars::copy_current(vm),
    };
    add_done_callback(vm, &me, &f, cb.unwrap_or_default(), ctx)?;
    Ok(Value::None)
}

/// `Future.remove_done_callback(fn)`: removes every entry whose callback equals `fn`;
/// the number removed.
pub(super) fn remove_done_callback(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let func = one(vm, &args, "remove_done_callback", "fn")?;
    let (_, f) = me(vm, &args)?;
    ensure_alive(vm, &f)?;
    let mut removed = 0i64;
    let first = f.callback0.borrow().clone();
    if let Some((cb, _)) = first {
        if vm.eq(&cb, &func)? {
            f.callback0.replace(None);
            removed = 1;
        }
    }
    let Some(Value::List(list)) = f.callbacks.borrow().clone() else {
        return Ok(Value::Int(removed));
    };
    let items = list.items.borrow().clone();
    let mut kept = Vec::with_capacity(items.len());
    for item in &items {
        let cb = match item {
            Value::Tuple(t) if !t.is_empty() => t[0].clone(),
            _ => Value::None,
        };
        if !vm.eq(&cb, &func)? {
            kept.push(item.clone());
        }
    }
    let n = i64::try_from(items.len() - kept.len()).unwrap_or(i64::MAX);
    if kept.is_empty() {
        f.callbacks.replace(None);
    } else if kept.len() != items.len() {
        *list.items.borrow_mut() = kept;
    }
    Ok(Value::Int(n + removed))
}

/// `future_cancel`: a pending future becomes cancelled, with the message, and its
/// callbacks are scheduled.
pub fn cancel_impl(vm: &mut Vm, me: &Value, f: &FutureObj, msg: Option<Value>) -> PyResult<bool> {
    f.log_tb.set(false);
    if f.state.get() != FutState::Pending {
        return Ok(false);
    }
    f.state.set(FutState::Cancelled);
    *f.cancel_msg.borrow_mut() = msg;
    schedule_callbacks(vm, me, f)?;
    Ok(true)
}

fn cancel(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [msg] = Spec::method("Future", "cancel", Style::Keywords, &["msg"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let (me, f) = me(vm, &args)?;
    ensure_alive(vm, &f)?;
    let msg = msg.unwrap_or(Value::None);
    Ok(Value::Bool(cancel_impl(vm, &me, &f, Some(msg))?))
}

pub(super) fn cancelled(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "cancelled")?;
    let (_, f) = me(vm, &args)?;
    Ok(Value::Bool(
        f.alive() && f.state.get() == FutState::Cancelled,
    ))
}

pub(super) fn done(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "done")?;
    let (_, f) = me(vm, &args)?;
    Ok(Value::Bool(f.alive() && f.state.get() != FutState::Pending))
}

fn get_loop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "get_loop")?;
    let (_, f) = me(vm, &args)?;
    ensure_alive(vm, &f)?;
    Ok(f.get_loop())
}

pub(super) fn make_cancelled_error_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "_make_cancelled_error")?;
    let (_, f) = me(vm, &args)?;
    make_cancelled_error(vm, &f)
}

/// `future_new_iter` (`__await__` and `__iter__`).
pub(super) fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Future", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (me, f) = me(vm, &args)?;
    ensure_alive(vm, &f)?;
    Ok(Value::Native(super::super::super::gc::alloc(
        Native::FutureIter(FutureIter {
            future: RefCell::new(Some(me)),
        }),
    )))
}

/// `FutureObj_repr`: `base_futures._future_repr(fut)` (`_task_repr` for a Task).
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Future", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (me, _) = me(vm, &args)?;
    let c = cached(vm)?;
    vm.call1(&c.future_repr, me)
}

/// `FutureObj_finalize` (`__del__`): an exception never retrieved is reported through
/// `loop.call_exception_handler(context)`.
pub fn finalize(vm: &mut Vm, me: &Value, f: &FutureObj) -> PyResult<()> {
    if !f.log_tb.get() {
        return Ok(());
    }
    f.log_tb.set(false);
    let context = super::super::super::dict::Dict::new_rc();
    let tn = vm.type_of(me).name().clone();
    let short = tn.rsplit('.').next().unwrap_or_default().to_owned();
    context.set_str(
        "message",
        Value::str(&format!("{short} exception was never retrieved")),
    );
    context.set_str(
        "exception",
        f.exception.borrow().clone().unwrap_or_default(),
    );
    context.set_str("future", me.clone());
    if let Some(tb) = f.source_tb.borrow().clone() {
        context.set_str("source_traceback", tb);
    }
    call_exception_handler(vm, &f.get_loop(), Value::Dict(context))
}

/// `loop.call_exception_handler(context)`, an error reported as unraisable.
pub fn call_exception_handler(vm: &mut Vm, l: &Value, context: Value) -> PyResult<()> {
    let saved = std::mem::replace(&mut vm.exc_info, Value::None);
    let func = match vm.getattr(l, "call_exception_handler") {
        Ok(func) => func,
        Err(Throw::Exc(_)) => {
            vm.exc_info = saved;
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let r = match vm.call1(&func, context) {
        Ok(_) => Ok(()),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            super::super::super::unraisable::write_unraisable(vm, &e, None, func)
        }
        Err(e) => Err(e),
    };
    vm.exc_info = saved;
    r
}

pub(super) fn del(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "Future", "__del__")?;
    let (me, f) = me(vm, &args)?;
    if f.task.is_some() {
        super::task::finalize(vm, &me, &f)?;
    } else {
        finalize(vm, &me, &f)?;
    }
    Ok(Value::None)
}

/// `__class_getitem__(item)` (`Py_GenericAlias`): `types.GenericAlias(cls, item)`.
pub fn class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [item] = Spec::method("Future", "__class_getitem__", Style::O, &["item"], 1)
        .bind::<1>(vm, &args, 1)?;
    let item = item.ok_or_else(|| vm.bug("__class_getitem__ without its argument"))?;
    let cls = args.pos[0].clone();
    Ok(super::super::super::genericalias::alias(cls, &item))
}

/// `METH_CLASS` methods.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] =
    &[("Future", "__class_getitem__", class_getitem)];

/// The getters of the Future getsets (`FutureType_getsetlist`), read through `native_attr`.
pub fn attr(vm: &mut Vm, f: &FutureObj, name: &str) -> PyResult<Option<Value>> {
    let opt = |c: &RefCell<Option<Value>>| c.borrow().clone().unwrap_or(Value::None);
    Ok(Some(match name {
        "_asyncio_future_blocking" => Value::Bool(f.alive() && f.blocking.get()),
        "_log_traceback" => {
            ensure_alive(vm, f)?;
            Value::Bool(f.log_tb.get())
        }
        "_loop" => f.get_loop(),
        "_callbacks" => {
            ensure_alive(vm, f)?;
            let first = f.callback0.borrow().clone();
            let rest = f.callbacks.borrow().clone();
            match (first, rest) {
                (None, None) => Value::None,
                (None, Some(l)) => l,
                (Some((cb, ctx)), rest) => {
                    let mut items = vec![Value::tuple(vec![cb, ctx])];
                    if let Some(Value::List(l)) = rest {
                        items.extend(l.items.borrow().iter().cloned());
                    }
                    Value::list(items)
                }
            }
        }
        "_result" => {
            ensure_alive(vm, f)?;
            opt(&f.result)
        }
        "_exception" => {
            ensure_alive(vm, f)?;
            opt(&f.exception)
        }
        "_source_traceback" => {
            if f.alive() {
                opt(&f.source_tb)
            } else {
                Value::None
            }
        }
        "_cancel_message" => opt(&f.cancel_msg),
        "_state" => {
            ensure_alive(vm, f)?;
            Value::str(match f.state.get() {
                FutState::Pending => "PENDING",
                FutState::Cancelled => "CANCELLED",
                FutState::Finished => "FINISHED",
            })
        }
        _ => return super::task::attr(vm, f, name),
    }))
}

/// The setters (`Some(x)`) and deleters (`None`) of the Future getsets; `None` for a
/// name that is not one.
pub fn setattr(
    vm: &mut Vm,
    owner: &str,
    f: &FutureObj,
    name: &str,
    x: Option<Value>,
) -> Option<PyResult<()>> {
    let cannot_delete = |vm: &Vm| Err(vm.err("AttributeError", "cannot delete attribute"));
    Some(match (name, x) {
        ("_asyncio_future_blocking", x) => (|| {
            ensure_alive(vm, f)?;
            let Some(x) = x else { return cannot_delete(vm) };
            let b = vm.truthy(&x)?;
            f.blocking.set(b);
            Ok(())
        })(),
        ("_log_traceback", x) => (|| {
            ensure_alive(vm, f)?;
            let Some(x) = x else { return cannot_delete(vm) };
            if vm.truthy(&x)? {
                return Err(vm.value_error("_log_traceback can only be set to False"));
            }
            f.log_tb.set(false);
            Ok(())
        })(),
        ("_cancel_message", None) => cannot_delete(vm),
        ("_cancel_message", Some(x)) => {
            *f.cancel_msg.borrow_mut() = Some(x);
            Ok(())
        }
        ("_loop" | "_callbacks" | "_result" | "_exception" | "_source_traceback" | "_state", _) => {
            Err(vm.err(
                "AttributeError",
                format!("attribute '{name}' of '{owner}' objects is not writable"),
            ))
        }
        (n, x) => return super::task::setattr(vm, owner, f, n, x),
    })
}

/// `futureiterobject`: the future it waits for, until it finished or was closed.
#[derive(Debug)]
pub struct FutureIter {
    future: RefCell<Option<Value>>,
}

fn iter_me<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a FutureIter> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::FutureIter(it) => Ok(it),
            _ => Err(vm.bug("a FutureIter method without one")),
        },
        _ => Err(vm.bug("a FutureIter method without one")),
    }
}

/// `FutureIter_am_send`: a pending future is yielded once (marked blocking); a second
/// time is "await wasn't used with future"; a done one returns its result.
fn iter_send_impl(vm: &mut Vm, it: &FutureIter) -> PyResult<Value> {
    let Some(fut) = it.future.borrow().clone() else {
        return Err(vm.stop_iteration(Value::None));
    };
    let Some(f) = of(&fut) else {
        return Err(vm.bug("a FutureIter without a Future"));
    };
    if f.state.get() == FutState::Pending {
        if !f.blocking.get() {
            f.blocking.set(true);
            return Ok(fut);
        }
        return Err(vm.err("RuntimeError", "await wasn't used with future"));
    }
    it.future.replace(None);
    let r = result_impl(vm, &f)?;
    Err(vm.stop_iteration(r))
}

fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("FutureIter", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let it = iter_me(vm, &args)?;
    iter_send_impl(vm, it)
}

/// `FutureIter.send(value)`: the value is ignored, as `__next__`.
fn iter_send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("FutureIter", "send", Style::O, &["unused"], 1).parse(vm, &args, 1)?;
    let it = iter_me(vm, &args)?;
    iter_send_impl(vm, it)
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("FutureIter", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos[0].clone())
}

/// `FutureIter_throw(type, value=None, tb=None)`: the iterator lets go of its future and
/// the exception is raised.
fn iter_throw(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "FutureIter",
        "throw",
        Style::Positional,
        &["type", "value", "traceback"],
        1,
    )
    .parse(vm, &args, 1)?;
    let it = iter_me(vm, &args)?;
    let rest = &args.pos[1..];
    if rest.len() > 1 {
        super::super::super::modules::warnings::warn_native(
            vm,
            "DeprecationWarning",
            "the (type, exc, tb) signature of throw() is deprecated, use the single-arg \
             signature instead."
                .to_owned(),
        )?;
    }
    let typ = rest[0].clone();
    let val = rest.get(1).cloned().unwrap_or(Value::None);
    let tb = rest.get(2).cloned().unwrap_or(Value::None);
    if !matches!(tb, Value::None | Value::Traceback(_)) {
        return Err(vm.type_error("throw() third argument must be a traceback"));
    }
    let is_class = matches!(&typ, Value::Type(t) if t.is_exception());
    if !is_class && typ.exc().is_none() {
        return Err(vm.type_error(
            "exceptions must be classes deriving BaseException or instances of such a class",
        ));
    }
    let exc = match vm.normalize_throw(&[typ, val])? {
        Ok(e) => e,
        Err(e) => e,
    };
    it.future.replace(None);
    if let (Value::Traceback(_), Some(d)) = (&tb, exc.exc()) {
        *d.traceback.borrow_mut() = tb.clone();
    }
    Err(Throw::Exc(exc))
}

fn iter_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "FutureIter", "close")?;
    let it = iter_me(vm, &args)?;
    it.future.replace(None);
    Ok(Value::None)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Future", "__new__", new_method),
    ("Future", "__init__", init),
    ("Future", "__del__", del),
    ("Future", "__repr__", repr),
    ("Future", "__await__", iter),
    ("Future", "__iter__", iter),
    (
        "Future",
        "_make_cancelled_error",
        make_cancelled_error_method,
    ),
    ("Future", "add_done_callback", add_done_callback_method),
    ("Future", "cancel", cancel),
    ("Future", "cancelled", cancelled),
    ("Future", "done", done),
    ("Future", "exception", exception),
    ("Future", "get_loop", get_loop),
    ("Future", "remove_done_callback", remove_done_callback),
    ("Future", "result", result),
    ("Future", "set_exception", set_exception_method),
    ("Future", "set_result", set_result_method),
    ("FutureIter", "__next__", iter_next),
    ("FutureIter", "__iter__", iter_self),
    ("FutureIter", "send", iter_send),
    ("FutureIter", "throw", iter_throw),
    ("FutureIter", "close", iter_close),
];

/// At teardown (see `gc`): the values a Future, a Task or a FutureIter holds, moved out.
pub fn clear_into(n: &Native, out: &mut Vec<Value>) {
    let mut take = |c: &RefCell<Option<Value>>| {
        if let Ok(mut c) = c.try_borrow_mut() {
            out.extend(c.take());
        }
    };
    match n {
        Native::Future(f) => {
            for c in [
                &f.loop_,
                &f.callbacks,
                &f.exception,
                &f.exception_tb,
                &f.result,
                &f.source_tb,
                &f.cancel_msg,
                &f.cancelled_exc,
            ] {
                take(c);
            }
            if let Some(t) = &f.task {
                for c in [&t.fut_waiter, &t.coro, &t.name, &t.context] {
                    take(c);
                }
            }
            if let Ok(mut c) = f.callback0.try_borrow_mut() {
                if let Some((a, b)) = c.take() {
                    out.push(a);
                    out.push(b);
                }
            }
        }
        Native::FutureIter(it) => take(&it.future),
        _ => {}
    }
}
