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
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

/// The settings `gc` keeps for a run.
#[derive(Debug, Clone)]
pub struct State {
    pub enabled: bool,
    pub debug: i64,
    pub threshold: (i64, i64, i64),
}

impl Default for State {
    /// `_PyGC_InitState`: enabled, thresholds 700, 10, 10, no debug flags.
    fn default() -> State {
        State {
            enabled: true,
            debug: 0,
            threshold: (700, 10, 10),
        }
    }
}

const DOC: &str = "This module provides access to the garbage collector for reference cycles.\n\nenable() -- Enable automatic garbage collection.\ndisable() -- Disable automatic garbage collection.\nisenabled() -- Returns true if automatic collection is enabled.\ncollect() -- Do a full collection right now.\nget_count() -- Return the current collection counts.\nget_stats() -- Return list of dictionaries containing per-generation stats.\nset_debug() -- Set debugging flags.\nget_debug() -- Get debugging flags.\nset_threshold() -- Set the collection thresholds.\nget_threshold() -- Return the current the collection thresholds.\nget_objects() -- Return a list of all objects tracked by the collector.\nis_tracked() -- Returns true if a given object is tracked.\nis_finalized() -- Returns true if a given object has been already finalized.\nget_referrers() -- Return the list of objects that refer to an object.\nget_referents() -- Return the list of objects that an object refers to.\nfreeze() -- Freeze all tracked objects and ignore them for future collections.\nunfreeze() -- Unfreeze all objects in the permanent generation.\nget_freeze_count() -- Return the number of objects in the permanent generation.\n";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
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
    d.set_str("callbacks", Value::list(Vec::new()));
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
    Ok(Value::None)
}

fn disable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "disable")?;
    vm.gc_state.enabled = false;
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
    if let Some(g) = generation {
        let g = vm.c_int(&g)?;
        if !(0..=2).contains(&g) {
            return Err(vm.value_error("invalid generation"));
        }
    }
    let n = crate::runtime::cycles::collect(vm)?;
    Ok(Value::Int(n as i64))
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
