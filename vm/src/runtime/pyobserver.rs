//! The trace and snapshots channels observed from Python (`RunOptions::observer`): the
//! harness's own observers (`harness/adapter/framespec_observe.py`, the module the CPython
//! adapter observes every case with) run inside the VM, on its `sys.settrace` or as a
//! `sys.monitoring` tool, instead of the native recorder in `trace`. The channels they
//! record must be the ones the native recorder records — the same cases, the same
//! expectations — which checks the VM's `sys.settrace` and `sys.monitoring` against
//! CPython's on every trace case (spec/INTERPRETING.md §3).
//!
//! The observer is installed as the adapter installs it, with no Python frame of its own
//! beneath the program: for settrace its `thread_steps()` callables (`partial(sys.settrace,
//! tracer)`, a native call here) run before the module frame starts; for monitoring
//! `start()` registers tool 4's callbacks. The steps that undo it run after the `atexit`
//! callbacks, where the adapter runs them.

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Value};
use super::{PyResult, Throw};
use crate::code::CodeObject;
use crate::{ObserverKind, PythonObserver, RunOptions};

/// `co_filename` of the observer module's code: never one of the program's files, so the
/// observers leave their own frames out of the channels; in angle brackets, so `linecache`
/// does not look for it on disk (the sandbox would refuse) when a traceback passes through
/// the observer.
const FILENAME: &str = "<framespec_observe>";

/// An installed observer.
pub struct Installed {
    observer: Value,
    /// What undoes the installation: settrace's `after` steps, or monitoring's `stop`.
    undo: Vec<Value>,
}

/// Loads the observer module, makes an observer for `code` (the program's module code)
/// and installs it. Runs before the program's module frame exists.
pub fn install(
    vm: &mut Vm,
    spec: &PythonObserver,
    options: &RunOptions,
    code: &Rc<CodeObject>,
) -> PyResult<Installed> {
    let module = crate::compile(&spec.source, FILENAME)
        .map_err(|e| Throw::Bug(format!("the observer module does not compile: {e:?}")))?;
    let globals = Dict::new_rc();
    globals.set_str("__name__", Value::str("framespec_observe"));
    globals.set_str("__file__", Value::str(FILENAME));
    super::builtins::exec::run_module_code(vm, module, globals.clone())?;
    let make = globals
        .get_str("make")
        .ok_or_else(|| Throw::Bug("the observer module has no make()".to_owned()))?;
    // The program's files, with the prefix the channels give their frames' names.
    let mut files = vec![(options.filename.clone(), String::new())];
    if vm.program.is_some() {
        for rel in options.modules.keys() {
            let filename = format!("{}/{rel}", super::program::PROGRAM_DIR);
            files.push((filename, format!("{rel}:")));
        }
    }
    let prefixes = Dict::new_rc();
    for (filename, prefix) in &files {
        prefixes.set_str(filename, Value::str(prefix));
    }
    let kind = match spec.kind {
        ObserverKind::Settrace => "settrace",
        ObserverKind::Monitoring => "monitoring",
    };
    let lines = options
        .snapshot_lines
        .iter()
        .map(|&l| Value::Int(i64::from(l)))
        .collect();
    let args = vec![
        Value::str(kind),
        Value::Dict(prefixes),
        Value::Code(code.clone()),
        Value::Bool(options.trace),
        Value::list(lines),
    ];
    let observer = vm.call(&make, Args::new(args))?;
    let undo = match spec.kind {
        ObserverKind::Settrace => {
            let steps = vm.getattr(&observer, "thread_steps")?;
            let steps = vm.call0(&steps)?;
            let [before, after] = <[Value; 2]>::try_from(vm.collect(&steps)?)
                .map_err(|_| Throw::Bug("thread_steps() is not a pair".to_owned()))?;
            for step in vm.collect(&before)? {
                vm.call0(&step)?;
            }
            vm.collect(&after)?
        }
        ObserverKind::Monitoring => {
            // framespec_observe.py's MONITORING_TOOL_ID.
            let files = files.into_iter().map(|(f, _)| Rc::from(f)).collect();
            vm.trace.observer_tool = Some((4, files));
            let start = vm.getattr(&observer, "start")?;
            vm.call0(&start)?;
            vec![vm.getattr(&observer, "stop")?]
        }
    };
    Ok(Installed { observer, undo })
}

/// What an observer recorded: the trace events and the snapshots text.
pub struct Recorded {
    pub events: Vec<String>,
    pub snapshots: String,
}

/// Undoes the installation and reads what the observer recorded; an observer's own
/// failure (its `error`) is a `Bug` with its text.
pub fn finish(vm: &mut Vm, installed: Installed) -> PyResult<Recorded> {
    for step in &installed.undo {
        vm.call0(step)?;
    }
    vm.trace.observer_tool = None;
    let error = vm.getattr(&installed.observer, "error")?;
    if !error.is_none() {
        let text = vm.str_of(&error)?;
        return Err(Throw::Bug(format!("the Python observer failed: {text}")));
    }
    let events = vm.getattr(&installed.observer, "events")?;
    let events = vm
        .collect(&events)?
        .iter()
        .map(|e| vm.str_of(e))
        .collect::<PyResult<Vec<_>>>()?;
    let snapshots = vm.getattr(&installed.observer, "snapshots")?;
    let snapshots = vm
        .collect(&snapshots)?
        .iter()
        .map(|s| vm.str_of(s))
        .collect::<PyResult<String>>()?;
    Ok(Recorded { events, snapshots })
}
