//! `_contextvars` (CPython `Modules/_contextvarsmodule.c`, the types of
//! `Python/context.c`): the names `contextvars` re-exports, so that it (and `asyncio`,
//! which imports it) import as on CPython. Context variables are not implemented yet: the
//! types Context, ContextVar and Token are in place (final, as CPython's) with their
//! methods in their dicts for lookups on the class, and making one, calling one of their
//! methods or `copy_context()` is unsupported.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

/// The types `_contextvars` holds, by the VM's names for them.
pub const TYPES: &[&str] = &["Context", "ContextVar", "Token"];

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str("Context Variables"));
    super::add_functions(d, "_contextvars", FUNCTIONS);
}

/// `_contextvars_exec`, after importlib set `__file__`: the three types.
pub fn exec(vm: &Vm, d: &Rc<Dict>) {
    if d.get_str("Context").is_some() {
        return;
    }
    for &name in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
}

pub const FUNCTIONS: &[(&str, NativeFn)] = &[("copy_context", not_yet)];

fn not_yet(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("context variables (_contextvars)"))
}

/// The methods of CPython's three types (all unsupported, see the module's doc).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Context", "__new__", not_yet),
    ("Context", "__contains__", not_yet),
    ("Context", "__eq__", not_yet),
    ("Context", "__ne__", not_yet),
    ("Context", "__lt__", not_yet),
    ("Context", "__le__", not_yet),
    ("Context", "__gt__", not_yet),
    ("Context", "__ge__", not_yet),
    ("Context", "__getitem__", not_yet),
    ("Context", "__iter__", not_yet),
    ("Context", "__len__", not_yet),
    ("Context", "copy", not_yet),
    ("Context", "get", not_yet),
    ("Context", "items", not_yet),
    ("Context", "keys", not_yet),
    ("Context", "run", not_yet),
    ("Context", "values", not_yet),
    ("ContextVar", "__new__", not_yet),
    ("ContextVar", "__repr__", not_yet),
    ("ContextVar", "get", not_yet),
    ("ContextVar", "reset", not_yet),
    ("ContextVar", "set", not_yet),
    ("Token", "__new__", not_yet),
    ("Token", "__repr__", not_yet),
];
