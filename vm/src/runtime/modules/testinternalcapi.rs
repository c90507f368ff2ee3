//! `_testinternalcapi` (CPython `Modules/_testinternalcapi.c`), the test module Lib/test
//! reaches for the interpreter's internals: `test.support.has_no_debug_ranges` reads
//! `get_config()['code_debug_ranges']` and `test.support.get_recursion_depth` calls
//! `get_recursion_depth()`. Only those two functions are here; every other name CPython's
//! module has is absent, so `reach` reports it unsupported.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_testinternalcapi", FUNCTIONS);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("get_config", get_config),
    ("get_recursion_depth", get_recursion_depth),
];

/// `get_config()` (`_PyConfig_AsDict`): the members of the run's `PyConfig` the VM has,
/// as `python3.12 main.py` under the harness's environment has them — the ones `sys.flags`
/// mirrors (read back from the VM's `sys.flags`, so both agree), the hash seed
/// (PYTHONHASHSEED=0: `use_hash_seed` 1, `hash_seed` 0) and `code_debug_ranges` (code
/// objects keep their column positions, as without `-X no_debug_ranges`). Members
/// describing the host process (paths, argv, executable, stdio) are left out.
fn get_config(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_testinternalcapi", "get_config", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let flags = super::super::sysmod::sys_attr(vm, "flags");
    let flag = |vm: &mut Vm, name: &str| -> PyResult<i64> {
        let v = vm.getattr(&flags, name)?;
        Ok(i64::from(vm.truthy(&v)?))
    };
    let mut items: Vec<(&str, Value)> = Vec::new();
    // sys.flags members that are PyConfig members under the same name.
    for name in [
        "isolated",
        "dev_mode",
        "bytes_warning",
        "inspect",
        "interactive",
        "verbose",
        "quiet",
        "safe_path",
        "warn_default_encoding",
    ] {
        // Config members are C ints where sys.flags has bools (dev_mode, safe_path).
        let v = match vm.getattr(&flags, name)? {
            Value::Bool(b) => Value::Int(i64::from(b)),
            other => other,
        };
        items.push((name, v));
    }
    // Those sys.flags reports negated (`config_init_flags`' inverse).
    for (config, flag_name) in [
        ("use_environment", "ignore_environment"),
        ("write_bytecode", "dont_write_bytecode"),
        ("site_import", "no_site"),
        ("user_site_directory", "no_user_site"),
    ] {
        let v = 1 - flag(vm, flag_name)?;
        items.push((config, Value::Int(v)));
    }
    let optimize = vm.getattr(&flags, "optimize")?;
    items.push(("optimization_level", optimize));
    let digits = vm.getattr(&flags, "int_max_str_digits")?;
    items.push(("int_max_str_digits", digits));
    items.push(("use_hash_seed", Value::Int(1)));
    items.push(("hash_seed", Value::Int(0)));
    let ranges = !crate::compile::no_debug_ranges();
    items.push(("code_debug_ranges", Value::Int(i64::from(ranges))));
    let d = Dict::new_rc();
    for (k, v) in items {
        d.set_str(k, v);
    }
    Ok(Value::Dict(d))
}

/// `get_recursion_depth()`: `py_recursion_limit - py_recursion_remaining`, the Python
/// frames on the stack, this call's caller included (1 at a module's top level run as
/// a script).
fn get_recursion_depth(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "_testinternalcapi",
        "get_recursion_depth",
        Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 0)?;
    Ok(Value::Int(vm.thread_depth() as i64))
}
