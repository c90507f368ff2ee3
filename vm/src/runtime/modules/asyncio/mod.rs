//! `_asyncio` (CPython 3.12 `Modules/_asynciomodule.c`): the C Future and Task types and
//! the running-loop and task-registry functions that `asyncio.futures`, `asyncio.tasks`
//! and `asyncio.events` take in place of their pure-Python versions.
//!
//! As in CPython, everything here is native: a Task's step sends into its coroutine from
//! Rust (`task::step`), so the coroutine's frame has the Python frame that called the
//! step (`events.Handle._run`, through `Context.run`) as its `f_back`, and no frame or
//! trace event of asyncio's Python code appears for the step itself. What CPython
//! delegates to Python is called here the same way: the reprs (`base_futures._future_repr`,
//! `base_tasks._task_repr`), `traceback.extract_stack` in debug mode, the loop's methods
//! (`call_soon`, `get_debug`, `call_exception_handler`), `WeakSet.add`/`discard` of the
//! task registry.
//!
//! `future` has the Future type and its iterator (FutureIter), `task` the Task type and
//! TaskStepMethWrapper; this file the module's functions and its state (`State`, per VM:
//! the running loop of each thread, the task-name counter, and the objects `module_init`
//! takes from asyncio's Python modules).

pub mod future;
pub mod task;

use std::collections::HashMap;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

/// The types `_asyncio` defines, by the VM's names for them, with their bases.
pub const TYPES: &[(&str, &str)] = &[
    ("Future", "object"),
    ("Task", "Future"),
    ("FutureIter", "object"),
    ("TaskStepMethWrapper", "object"),
];

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str("Accelerator module for asyncio"));
    super::add_functions(d, "_asyncio", FUNCTIONS);
}

/// What `module_init` keeps from asyncio's Python modules (CPython's `asyncio_state`).
#[derive(Debug)]
pub struct Cached {
    pub extract_stack: Value,
    pub get_event_loop_policy: Value,
    pub future_repr: Value,
    pub task_repr: Value,
    pub iscoroutine: Value,
    pub task_get_stack: Value,
    pub task_print_stack: Value,
    pub invalid_state_error: Value,
    pub cancelled_error: Value,
    pub scheduled_tasks: Value,
    pub eager_tasks: Value,
    pub current_tasks: Rc<Dict>,
}

/// The module's state on the VM.
#[derive(Debug, Default)]
pub struct State {
    pub cached: Option<Rc<Cached>>,
    /// The running loop of each thread (`tstate->asyncio_running_loop`), by identity.
    pub running: HashMap<i64, Value>,
    /// `task_name_counter`: the number in the next default task name.
    pub task_name_counter: u64,
    /// `iscoroutine_typecache`: types `asyncio.iscoroutine` accepted.
    pub coroutine_types: Vec<Rc<super::super::types::Type>>,
}

/// `module_exec` after the functions and `__file__`: the two types first (asyncio's
/// modules, which `module_init` imports, import them from this module), then
/// `module_init`'s objects, then `_scheduled_tasks` (a WeakSet), `_eager_tasks` and
/// `_current_tasks`.
pub fn exec(vm: &mut Vm, d: &Rc<Dict>) -> PyResult<()> {
    // A module executed once already (PyModule_ExecDef runs the slots once).
    if d.get_str("Future").is_some() {
        return Ok(());
    }
    d.set_str("Future", Value::Type(vm.ty("Future")));
    d.set_str("Task", Value::Type(vm.ty("Task")));
    let get = |vm: &mut Vm, module: &str, name: &str| -> PyResult<Value> {
        let m = super::pickle::py_import(vm, module)?;
        vm.getattr(&m, name)
    };
    let get_event_loop_policy = get(vm, "asyncio.events", "get_event_loop_policy")?;
    let future_repr = get(vm, "asyncio.base_futures", "_future_repr")?;
    let invalid_state_error = get(vm, "asyncio.exceptions", "InvalidStateError")?;
    let cancelled_error = get(vm, "asyncio.exceptions", "CancelledError")?;
    let task_repr = get(vm, "asyncio.base_tasks", "_task_repr")?;
    let task_get_stack = get(vm, "asyncio.base_tasks", "_task_get_stack")?;
    let task_print_stack = get(vm, "asyncio.base_tasks", "_task_print_stack")?;
    let iscoroutine = get(vm, "asyncio.coroutines", "iscoroutine")?;
    let extract_stack = get(vm, "traceback", "extract_stack")?;
    let weak_set = get(vm, "weakref", "WeakSet")?;
    let scheduled = vm.call0(&weak_set)?;
    let eager = Value::Set(Rc::new(Default::default()));
    let current = Dict::new_rc();
    d.set_str("_scheduled_tasks", scheduled.clone());
    d.set_str("_eager_tasks", eager.clone());
    d.set_str("_current_tasks", Value::Dict(current.clone()));
    vm.asyncio.cached = Some(Rc::new(Cached {
        extract_stack,
        get_event_loop_policy,
        future_repr,
        task_repr,
        iscoroutine,
        task_get_stack,
        task_print_stack,
        invalid_state_error,
        cancelled_error,
        scheduled_tasks: scheduled,
        eager_tasks: eager,
        current_tasks: current,
    }));
    Ok(())
}

/// Whether `name` is one of the task registries `module_exec` has not yet added to the
/// module `v` (while `module_init` imports asyncio, whose `tasks` then falls back to its
/// Python registries, as on CPython).
pub fn registry_pending(v: &Value, name: &str) -> bool {
    match v {
        Value::Module(m) => {
            &*m.name == "_asyncio"
                && matches!(name, "_scheduled_tasks" | "_eager_tasks" | "_current_tasks")
                && m.dict.get_str(name).is_none()
        }
        _ => false,
    }
}

/// The module's cached objects (the module is imported before any Future exists).
pub fn cached(vm: &Vm) -> PyResult<Rc<Cached>> {
    vm.asyncio.cached.clone().ok_or_else(|| {
        vm.unsupported(
            "_asyncio without asyncio (its module was built without the standard library)",
        )
    })
}

/// The module's functions, in CPython's order.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("current_task", current_task),
    ("get_event_loop", get_event_loop_fn),
    ("get_running_loop", get_running_loop),
    ("_get_running_loop", get_running_loop_or_none),
    ("_set_running_loop", set_running_loop),
    ("_register_task", register_task_fn),
    ("_register_eager_task", register_eager_task_fn),
    ("_unregister_task", unregister_task_fn),
    ("_unregister_eager_task", unregister_eager_task_fn),
    ("_enter_task", enter_task_fn),
    ("_leave_task", leave_task_fn),
    ("_swap_current_task", swap_current_task_fn),
];

/// The running loop of this thread, if any (`get_running_loop` in C).
pub fn running_loop(vm: &Vm) -> Option<Value> {
    vm.asyncio.running.get(&vm.thread_ident).cloned()
}

/// `get_event_loop`: the running loop, else the policy's `get_event_loop()`.
pub fn get_event_loop(vm: &mut Vm) -> PyResult<Value> {
    if let Some(l) = running_loop(vm) {
        return Ok(l);
    }
    let c = cached(vm)?;
    let policy = vm.call0(&c.get_event_loop_policy)?;
    let m = vm.getattr(&policy, "get_event_loop")?;
    vm.call0(&m)
}

fn no_args(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    Spec::function(name, Style::NoArgs, &[], 0)
        .parse(vm, args, 0)
        .map(|_| ())
}

fn get_event_loop_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "_asyncio.get_event_loop")?;
    get_event_loop(vm)
}

fn get_running_loop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "_asyncio.get_running_loop")?;
    running_loop(vm).ok_or_else(|| vm.err("RuntimeError", "no running event loop"))
}

fn get_running_loop_or_none(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "_asyncio._get_running_loop")?;
    Ok(running_loop(vm).unwrap_or(Value::None))
}

fn one_arg(vm: &Vm, args: &Args, name: &str, param: &'static str) -> PyResult<Value> {
    let [a] = Spec::function(name, Style::Keywords, &[param], 1)
        .keywords(0, 1)
        .bind(vm, args, 0)?;
    Ok(a.unwrap_or_default())
}

fn two_args(vm: &Vm, args: &Args, name: &str) -> PyResult<(Value, Value)> {
    let [a, b] = Spec::function(name, Style::Keywords, &["loop", "task"], 2)
        .keywords(0, 2)
        .bind(vm, args, 0)?;
    Ok((a.unwrap_or_default(), b.unwrap_or_default()))
}

fn set_running_loop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [l] =
        Spec::function("_asyncio._set_running_loop", Style::O, &["loop"], 1).bind(vm, &args, 0)?;
    let ident = vm.thread_ident;
    match l {
        None | Some(Value::None) => {
            vm.asyncio.running.remove(&ident);
        }
        Some(l) => {
            vm.asyncio.running.insert(ident, l);
        }
    }
    Ok(Value::None)
}

/// `current_task(loop=None)`.
fn current_task(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [l] = Spec::function("current_task", Style::Keywords, &["loop"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 0)?;
    let l = match l {
        None | Some(Value::None) => {
            running_loop(vm).ok_or_else(|| vm.err("RuntimeError", "no running event loop"))?
        }
        Some(l) => l,
    };
    let c = cached(vm)?;
    Ok(vm.dict_get(&c.current_tasks, &l)?.unwrap_or(Value::None))
}

/// `register_task`: `_scheduled_tasks.add(task)` (a WeakSet's Python method).
pub fn register_task(vm: &mut Vm, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    let add = vm.getattr(&c.scheduled_tasks, "add")?;
    vm.call1(&add, task.clone()).map(|_| ())
}

pub fn unregister_task(vm: &mut Vm, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    let discard = vm.getattr(&c.scheduled_tasks, "discard")?;
    vm.call1(&discard, task.clone()).map(|_| ())
}

pub fn register_eager_task(vm: &mut Vm, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    let add = vm.getattr(&c.eager_tasks, "add")?;
    vm.call1(&add, task.clone()).map(|_| ())
}

pub fn unregister_eager_task(vm: &mut Vm, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    let discard = vm.getattr(&c.eager_tasks, "discard")?;
    vm.call1(&discard, task.clone()).map(|_| ())
}

fn register_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = one_arg(vm, &args, "_register_task", "task")?;
    register_task(vm, &t)?;
    Ok(Value::None)
}

fn register_eager_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = one_arg(vm, &args, "_register_eager_task", "task")?;
    register_eager_task(vm, &t)?;
    Ok(Value::None)
}

fn unregister_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = one_arg(vm, &args, "_unregister_task", "task")?;
    unregister_task(vm, &t)?;
    Ok(Value::None)
}

fn unregister_eager_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = one_arg(vm, &args, "_unregister_eager_task", "task")?;
    unregister_eager_task(vm, &t)?;
    Ok(Value::None)
}

/// `enter_task`: `task` becomes the loop's current task, unless one already is.
pub fn enter_task(vm: &mut Vm, l: &Value, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    if let Some(item) = vm.dict_get(&c.current_tasks, l)? {
        let (t, i) = (vm.repr(task)?, vm.repr(&item)?);
        return Err(vm.err(
            "RuntimeError",
            format!("Cannot enter into task {t} while another task {i} is being executed."),
        ));
    }
    vm.dict_set(&c.current_tasks, l.clone(), task.clone())
}

/// `leave_task`: the loop's current task must be `task`; it no longer is.
pub fn leave_task(vm: &mut Vm, l: &Value, task: &Value) -> PyResult<()> {
    let c = cached(vm)?;
    let item = vm.dict_get(&c.current_tasks, l)?;
    match item {
        Some(i) if i.is(task) => vm.dict_remove(&c.current_tasks, l).map(|_| ()),
        other => {
            let i = other.unwrap_or(Value::None);
            let (t, i) = (vm.repr(task)?, vm.repr(&i)?);
            Err(vm.err(
                "RuntimeError",
                format!("Leaving task {t} does not match the current task {i}."),
            ))
        }
    }
}

/// `swap_current_task`: the loop's current task becomes `task` (None: none); returns the
/// previous one (None when none).
pub fn swap_current_task(vm: &mut Vm, l: &Value, task: &Value) -> PyResult<Value> {
    let c = cached(vm)?;
    let prev = vm.dict_get(&c.current_tasks, l)?.unwrap_or(Value::None);
    if task.is_none() {
        // `_PyDict_DelItem_KnownHash`: KeyError(loop) when it has no current task.
        if vm.dict_remove(&c.current_tasks, l)?.is_none() {
            return Err(vm.err_args("KeyError", vec![l.clone()]));
        }
    } else {
        vm.dict_set(&c.current_tasks, l.clone(), task.clone())?;
    }
    Ok(prev)
}

fn enter_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (l, t) = two_args(vm, &args, "_enter_task")?;
    enter_task(vm, &l, &t)?;
    Ok(Value::None)
}

fn leave_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (l, t) = two_args(vm, &args, "_leave_task")?;
    leave_task(vm, &l, &t)?;
    Ok(Value::None)
}

fn swap_current_task_fn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (l, t) = two_args(vm, &args, "_swap_current_task")?;
    swap_current_task(vm, &l, &t)
}

/// `call_soon`: `loop.call_soon(func, arg)`, with `context=ctx` when given.
pub fn call_soon(
    vm: &mut Vm,
    l: &Value,
    func: Value,
    arg: Option<Value>,
    ctx: Option<Value>,
) -> PyResult<()> {
    let callable = vm.getattr(l, "call_soon")?;
    let mut pos = vec![func];
    pos.extend(arg);
    let mut a = Args::new(pos);
    if let Some(ctx) = ctx {
        a.kw.push((Rc::from("context"), ctx));
    }
    vm.call(&callable, a).map(|_| ())
}

/// Assigning (`Some`) or deleting (`None`) one of the Future and Task getsets on an
/// instance carrying a Future (unless its class defines the name itself); `None` for
/// any other object or name.
pub fn instance_setattr(
    vm: &mut Vm,
    v: &Value,
    name: &str,
    x: Option<&Value>,
) -> Option<PyResult<()>> {
    let Value::Object(o) = v else { return None };
    let f = future::of(v)?;
    let cls = o.class.borrow().clone();
    if cls.overrides(name) {
        return None;
    }
    let owner = if f.task.is_some() {
        "_asyncio.Task"
    } else {
        "_asyncio.Future"
    };
    future::setattr(vm, owner, &f, name, x.cloned())
}
