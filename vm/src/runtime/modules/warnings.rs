//! `_warnings` (CPython `Python/_warnings.c`): the filters as a fresh CPython 3.12 has
//! them. Issuing a warning (`warn`, `warn_explicit`) is not provided yet: `reach`
//! reports it unsupported, since CPython would print it or raise it.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::PyResult;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    // `init_filters` without -W or -X dev.
    let filter = |action: &str, category: &str, module: Option<&str>| {
        Value::tuple(vec![
            Value::str(action),
            Value::None,
            Value::Type(vm.ty(category)),
            module.map_or(Value::None, Value::str),
            Value::Int(0),
        ])
    };
    let filters = vec![
        filter("default", "DeprecationWarning", Some("__main__")),
        filter("ignore", "DeprecationWarning", None),
        filter("ignore", "PendingDeprecationWarning", None),
        filter("ignore", "ImportWarning", None),
        filter("ignore", "ResourceWarning", None),
    ];
    d.set_str("filters", Value::list(filters));
    d.set_str("_defaultaction", Value::str("default"));
    d.set_str("_onceregistry", Value::Dict(Dict::new_rc()));
    super::add_functions(d, "_warnings", &[("_filters_mutated", filters_mutated)]);
}

/// `_filters_mutated()`: CPython bumps a version that invalidates the registries.
fn filters_mutated(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::argspec::Spec::method(
        "_warnings",
        "_filters_mutated",
        super::super::argspec::Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 0)?;
    Ok(Value::None)
}
