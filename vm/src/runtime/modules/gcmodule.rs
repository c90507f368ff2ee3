//! `gc` (CPython `Modules/gcmodule.c`): the collector's switches and settings — enabled,
//! thresholds, debug flags, `garbage`, `callbacks` — which the VM keeps and reports as
//! CPython would. The VM frees an object at its last reference, as CPython's reference
//! counting does, and `collect()` frees unreachable cycles (`cycles`); the functions that
//! look at the collector's object lists (`get_objects`, `get_referrers`, `get_count`,
//! `is_tracked`, `freeze`, …) are unsupported rather than answer what CPython's would not.

use std::rc::Rc;

use super::super::argspec::{required, Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, List, NativeFn, Value};
use super::super::PyResult;

/// The settings `gc` keeps for a run.
#[derive(Debug, Clone)]
pub struct State {
    pub enabled: bool,
    pub debug: i64,
    pub threshold: (i64, i64, i64),
    /// `gcstate->callbacks`: the list `gc.callbacks` was made with (rebinding the module
    /// attribute does not change which list the collector calls).
    pub callbacks: std::cell::OnceCell<Rc<List>>,
    /// `gcstate->collecting`: a collection (its callbacks included) is running, so no
    /// automatic one starts.
    pub collecting: bool,
}

impl Default for State {
    /// `_PyGC_InitState`: enabled, thresholds 700, 10, 10, no debug flags.
    fn default() -> State {
        State {
            enabled: true,
            debug: 0,
            threshold: (700, 10, 10),
            callbacks: std::cell::OnceCell::new(),
            collecting: false,
        }
    }
}

const DOC: &str = "This module provides access to the garbage collector for reference cycles.\n\nenable() -- Enable automatic garbage collection.\ndisable() -- Disable automatic garbage collection.\nisenabled() -- Returns true if automatic collection is enabled.\ncollect() -- Do a full collection right now.\nget_count() -- Return the current collection counts.\nget_stats() -- Return list of dictionaries containing per-generation stats.\nset_debug() -- Set debugging flags.\nget_debug() -- Get debugging flags.\nset_threshold() -- Set the collection thresholds.\nget_threshold() -- Return the current the collection thresholds.\nget_objects() -- Return a list of all objects tracked by the collector.\nis_tracked() -- Returns true if a given object is tracked.\nis_finalized() -- Returns true if a given object has been already finalized.\nget_referrers() -- Return the list of objects that refer to an object.\nget_referents() -- Return the list of objects that an object refers to.\nfreeze() -- Freeze all tracked objects and ignore them for future collections.\nunfreeze() -- Unfreeze all objects in the permanent generation.\nget_freeze_count() -- Return the number of objects in the permanent generation.\n";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "gc", FUNCTIONS);
    for (name, flag) in [
        ("DEBUG_STATS", 1),
        ("DEBUG_COLLECTABLE", 2),
        ("DEBUG_UNCOLLECTABLE", 4),
        ("DEBUG_SAVEALL", 32),
        ("DEBUG_LEAK", 38),
    ] {
        d.set_str(name, Value::Int(flag));
    }
    d.set_str("garbage", Value::list(Vec::new()));
    let callbacks = vm.gc_state.callbacks.get_or_init(|| {
        crate::runtime::gc::alloc(List {
            items: std::cell::RefCell::new(Vec::new()),
        })
    });
    d.set_str("callbacks", Value::List(callbacks.clone()));
    arm(vm);
}

/// When CPython would next collect on its own: after threshold0 more containers, while
/// enabled and threshold0 is not 0 (`_PyObject_GC_Link`'s test).
fn arm(vm: &Vm) {
    let t0 = vm.gc_state.threshold.0;
    let at = (vm.gc_state.enabled && t0 > 0).then(|| t0.unsigned_abs());
    crate::runtime::gc::set_collect_at(at);
}

/// CPython would collect automatically now. The VM does not (an object goes at its last
/// reference, a cycle at `gc.collect()`), which a program sees through `gc.callbacks`:
/// with a callback registered, when it runs and what it is told cannot be CPython's.
pub fn collection_due(vm: &mut Vm) -> PyResult<()> {
    if vm.gc_state.collecting {
        return Ok(());
    }
    crate::runtime::gc::reset_allocated();
    let armed = vm
        .gc_state
        .callbacks
        .get()
        .is_some_and(|l| !l.items.borrow().is_empty());
    if vm.gc_state.enabled && armed {
        return Err(vm.unsupported(
            "an automatic collection while gc.callbacks is not empty (the VM collects \
             cycles only at gc.collect())",
        ));
    }
    Ok(())
}

/// `Py_FinalizeEx`'s `PyGC_Collect()` after the atexit callbacks: a full collection
/// with callbacks when enabled, whose count of garbage at shutdown the VM does not
/// reproduce; so callbacks still registered then are unsupported.
pub fn at_exit(vm: &Vm) -> Option<crate::End> {
    let armed = vm
        .gc_state
        .callbacks
        .get()
        .is_some_and(|l| !l.items.borrow().is_empty());
    if !(vm.gc_state.enabled && armed) {
        return None;
    }
    match vm.unsupported(
        "gc.callbacks still registered at exit (CPython's shutdown collection calls them)",
    ) {
        crate::runtime::Throw::Unsupported(u) => Some(crate::End::Unsupported(u)),
        _ => None,
    }
}

/// `invoke_gc_callback`: each callback of `gc.callbacks` (the list as it is at each step)
/// is called with the phase and a dict of the generation and counts; an error is
/// unraisable.
fn invoke_callbacks(vm: &mut Vm, phase: &str, generation: i64, collected: i64) -> PyResult<()> {
    let Some(list) = vm.gc_state.callbacks.get().cloned() else {
        return Ok(());
    };
    if list.items.borrow().is_empty() {
        return Ok(());
    }
    let info = Dict::new_rc();
    info.set_str("generation", Value::Int(generation));
    info.set_str("collected", Value::Int(collected));
    info.set_str("uncollectable", Value::Int(0));
    let info = Value::Dict(info);
    let phase = Value::str(phase);
    let mut i = 0;
    loop {
        let Some(cb) = list.items.borrow().get(i).cloned() else {
            break;
        };
        if let Err(e) = vm.call(&cb, Args::new(vec![phase.clone(), info.clone()])) {
            match e {
                super::super::Throw::Exc(exc) => {
                    super::super::unraisable::write_unraisable(vm, &exc, None, cb)?;
                }
                fatal => return Err(fatal),
            }
        }
        i += 1;
    }
    Ok(())
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("enable", enable),
    ("disable", disable),
    ("isenabled", isenabled),
    ("get_debug", get_debug),
    ("set_debug", set_debug),
    ("get_threshold", get_threshold),
    ("set_threshold", set_threshold),
    ("collect", collect),
    ("get_count", get_count),
    ("get_stats", get_stats),
    ("get_objects", get_objects),
    ("get_referrers", get_referrers),
    ("get_referents", get_referents),
    ("is_tracked", is_tracked),
    ("is_finalized", is_finalized),
    ("freeze", freeze),
    ("unfreeze", unfreeze),
    ("get_freeze_count", get_freeze_count),
];

fn no_args(vm: &mut Vm, args: &Args, name: &str) -> PyResult<()> {
    Spec::method("gc", name, Style::NoArgs, &[], 0).parse(vm, args, 0)?;
    Ok(())
}

fn enable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "enable")?;
    vm.gc_state.enabled = true;
    arm(vm);
    Ok(Value::None)
}

fn disable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "disable")?;
    vm.gc_state.enabled = false;
    arm(vm);
    Ok(Value::None)
}

fn isenabled(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "isenabled")?;
    Ok(Value::Bool(vm.gc_state.enabled))
}

fn get_debug(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "get_debug")?;
    Ok(Value::Int(vm.gc_state.debug))
}

/// `set_debug(flags, /)`: the flags change what a collection prints (and SAVEALL keeps
/// the garbage), which the VM's collector does not do, so any flag but 0 is unsupported.
fn set_debug(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [flags] =
        Spec::method("gc", "set_debug", Style::O, &["flags"], 1).bind::<1>(vm, &args, 0)?;
    let flags = vm.c_int(&required(flags))?;
    if flags != 0 {
        return Err(
            vm.unsupported("gc.set_debug with flags (the VM's collector prints no statistics)")
        );
    }
    vm.gc_state.debug = i64::from(flags);
    Ok(Value::None)
}

fn get_threshold(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "get_threshold")?;
    let (a, b, c) = vm.gc_state.threshold;
    Ok(Value::tuple(vec![
        Value::Int(a),
        Value::Int(b),
        Value::Int(c),
    ]))
}

/// `set_threshold(threshold0, [threshold1, [threshold2]])`.
fn set_threshold(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("set_threshold() takes no keyword arguments"));
    }
    let n = args.pos.len();
    if !(1..=3).contains(&n) {
        let what = if n == 0 {
            "at least 1 argument"
        } else {
            "at most 3 arguments"
        };
        return Err(vm.type_error(format!("set_threshold() takes {what} ({n} given)")));
    }
    let mut t = vm.gc_state.threshold;
    let mut values = Vec::with_capacity(n);
    for v in &args.pos {
        values.push(arg_int(vm, v)?);
    }
    t.0 = values[0];
    if let Some(&b) = values.get(1) {
        t.1 = b;
    }
    if let Some(&c) = values.get(2) {
        t.2 = c;
    }
    vm.gc_state.threshold = t;
    arm(vm);
    Ok(Value::None)
}

/// `PyArg_ParseTuple`'s `i`: a C int, whose range it checks after `PyLong_AsLong`.
fn arg_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let v = &vm.try_index(v)?.unwrap_or_else(|| v.clone());
    match v.builtin_value() {
        Value::Int(i) if *i > i64::from(i32::MAX) => {
            Err(vm.err("OverflowError", "signed integer is greater than maximum"))
        }
        Value::Int(i) if *i < i64::from(i32::MIN) => {
            Err(vm.err("OverflowError", "signed integer is less than minimum"))
        }
        Value::BigInt(_) => {
            Err(vm.err("OverflowError", "Python int too large to convert to C long"))
        }
        _ => Ok(i64::from(vm.c_int(v)?)),
    }
}

/// `collect(generation=2)`: every generation is the whole heap here (the VM keeps no
/// generations), so any of 0, 1, 2 runs a full collection (`cycles::collect`).
fn collect(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [generation] = Spec::function("collect", Style::Keywords, &["generation"], 0)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let generation = match generation {
        Some(g) => {
            let g = vm.c_int(&g)?;
            if !(0..=2).contains(&g) {
                return Err(vm.value_error("invalid generation"));
            }
            i64::from(g)
        }
        None => 2,
    };
    // `gc_collect_impl`: nothing while a collection runs; the count of allocations
    // starts again inside the collection, between the two phases' callbacks.
    if vm.gc_state.collecting {
        return Ok(Value::Int(0));
    }
    vm.gc_state.collecting = true;
    let r = (|| {
        invoke_callbacks(vm, "start", generation, 0)?;
        let n = crate::runtime::cycles::collect(vm)? as i64;
        crate::runtime::gc::reset_allocated();
        invoke_callbacks(vm, "stop", generation, n)?;
        Ok(n)
    })();
    vm.gc_state.collecting = false;
    Ok(Value::Int(r?))
}

/// One builtin per name that needs the collector's object lists, each ending the run as
/// unsupported, naming itself.
macro_rules! no_collector {
    ($($name:ident),* $(,)?) => {
        $(fn $name(vm: &mut Vm, _args: Args) -> PyResult<Value> {
            Err(vm.unsupported(concat!(
                "gc.",
                stringify!($name),
                " (the VM's collector keeps no object lists)"
            )))
        })*
    };
}

no_collector!(
    get_count,
    get_stats,
    get_objects,
    get_referrers,
    get_referents,
    is_tracked,
    is_finalized,
    freeze,
    unfreeze,
    get_freeze_count
);
