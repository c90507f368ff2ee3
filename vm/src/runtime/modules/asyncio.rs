//! `_asyncio` (CPython `Modules/_asynciomodule.c`): the C Future and Task types and the
//! running-loop and task-registry functions that `asyncio.futures`, `asyncio.tasks` and
//! `asyncio.events` take in place of their pure-Python versions. The VM has the module
//! whole, so `asyncio` uses what CPython's does (`asyncio.Future` is `_asyncio.Future`), but
//! not yet the C implementations: the types are in place with CPython's methods in their
//! dicts, and making a Future or a Task, calling one of their methods, or calling one of the
//! module's functions is unsupported. The module's exec (`exec`) imports what CPython's
//! `module_init` imports and makes its task registries (a `weakref.WeakSet`, a set, a dict).

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

/// The types `_asyncio` defines, by the VM's names for them, with their bases.
pub const TYPES: &[(&str, &str)] = &[("Future", "object"), ("Task", "Future")];

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str("Accelerator module for asyncio"));
    super::add_functions(d, "_asyncio", FUNCTIONS);
}

/// `module_exec` after the functions and `__file__`: the modules `module_init` imports,
/// the two types, then `_scheduled_tasks` (a WeakSet), `_eager_tasks` and `_current_tasks`.
pub fn exec(vm: &mut Vm, d: &Rc<Dict>) -> PyResult<()> {
    // A module executed once already (PyModule_ExecDef runs the slots once).
    if d.get_str("Future").is_some() {
        return Ok(());
    }
    for name in [
        "asyncio",
        "asyncio.events",
        "asyncio.base_futures",
        "asyncio.exceptions",
        "asyncio.base_tasks",
        "asyncio.coroutines",
        "traceback",
    ] {
        super::pickle::import_module(vm, name)?;
    }
    let weakref = super::pickle::import_module(vm, "weakref")?;
    d.set_str("Future", Value::Type(vm.ty("Future")));
    d.set_str("Task", Value::Type(vm.ty("Task")));
    let weak_set = vm.getattr(&weakref, "WeakSet")?;
    let scheduled = vm.call0(&weak_set)?;
    d.set_str("_scheduled_tasks", scheduled);
    d.set_str("_eager_tasks", Value::Set(Rc::new(Default::default())));
    d.set_str("_current_tasks", Value::Dict(Dict::new_rc()));
    Ok(())
}

/// The module's functions, in CPython's order.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("current_task", current_task),
    ("get_event_loop", get_event_loop),
    ("get_running_loop", get_running_loop),
    ("_get_running_loop", get_running_loop_or_none),
    ("_set_running_loop", set_running_loop),
    ("_register_task", register_task),
    ("_register_eager_task", register_eager_task),
    ("_unregister_task", unregister_task),
    ("_unregister_eager_task", unregister_eager_task),
    ("_enter_task", enter_task),
    ("_leave_task", leave_task),
    ("_swap_current_task", swap_current_task),
];

macro_rules! not_yet {
    ($($f:ident => $name:literal),*) => {
        $(fn $f(vm: &mut Vm, _args: Args) -> PyResult<Value> {
            Err(vm.unsupported(concat!("_asyncio.", $name, " (the C asyncio accelerator)")))
        })*
    };
}

not_yet!(
    current_task => "current_task",
    get_event_loop => "get_event_loop",
    get_running_loop => "get_running_loop",
    get_running_loop_or_none => "_get_running_loop",
    set_running_loop => "_set_running_loop",
    register_task => "_register_task",
    register_eager_task => "_register_eager_task",
    unregister_task => "_unregister_task",
    unregister_eager_task => "_unregister_eager_task",
    enter_task => "_enter_task",
    leave_task => "_leave_task",
    swap_current_task => "_swap_current_task",
    future_method => "Future",
    task_method => "Task"
);

/// The methods of CPython's Future and Task types (their getsets are absent, and so
/// unsupported when read): present for lookups on the class, unsupported when called.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Future", "__new__", future_method),
    ("Future", "__init__", future_method),
    ("Future", "__del__", future_method),
    ("Future", "__repr__", future_method),
    ("Future", "__await__", future_method),
    ("Future", "__iter__", future_method),
    ("Future", "_make_cancelled_error", future_method),
    ("Future", "add_done_callback", future_method),
    ("Future", "cancel", future_method),
    ("Future", "cancelled", future_method),
    ("Future", "done", future_method),
    ("Future", "exception", future_method),
    ("Future", "get_loop", future_method),
    ("Future", "remove_done_callback", future_method),
    ("Future", "result", future_method),
    ("Future", "set_exception", future_method),
    ("Future", "set_result", future_method),
    ("Task", "__new__", task_method),
    ("Task", "__init__", task_method),
    ("Task", "__del__", task_method),
    ("Task", "__repr__", task_method),
    ("Task", "__await__", task_method),
    ("Task", "__iter__", task_method),
    ("Task", "add_done_callback", task_method),
    ("Task", "cancelled", task_method),
    ("Task", "done", task_method),
    ("Task", "exception", task_method),
    ("Task", "remove_done_callback", task_method),
    ("Task", "result", task_method),
    ("Task", "_make_cancelled_error", task_method),
    ("Task", "cancel", task_method),
    ("Task", "cancelling", task_method),
    ("Task", "get_context", task_method),
    ("Task", "get_coro", task_method),
    ("Task", "get_name", task_method),
    ("Task", "get_stack", task_method),
    ("Task", "print_stack", task_method),
    ("Task", "set_exception", task_method),
    ("Task", "set_name", task_method),
    ("Task", "set_result", task_method),
    ("Task", "uncancel", task_method),
];
