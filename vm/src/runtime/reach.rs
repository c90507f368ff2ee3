//! Where the VM's reach ends: what CPython 3.12 has that framespec does not, by name
//! (the generated tables in `cpython_names`). A lookup that fails in the VM for a name
//! CPython has is *unsupported*; one CPython would fail too is the program's own error.

use super::cpython_names::{BUILTINS, MODULES, STDLIB_MODULES, TYPES};
use super::interp::Vm;

pub fn sorted_contains(names: &[&str], name: &str) -> bool {
    names.binary_search(&name).is_ok()
}

/// Whether instances of the CPython built-in type `type_name` have attribute `attr`
/// through their type (the type's `__dict__` or a base's: what `dir()` lists).
pub fn type_has(type_name: &str, attr: &str) -> bool {
    defining_type(type_name, attr).is_some()
}

/// The CPython built-in type, `type_name` or one of its bases, whose own `__dict__`
/// defines `attr` (the owner CPython's descriptor messages name: `int` for `True.real`).
pub fn defining_type(type_name: &str, attr: &str) -> Option<&'static str> {
    let mut current = type_name;
    // The chain of bases is short; the bound only guards against a malformed table.
    for _ in 0..TYPES.len() {
        let i = TYPES.binary_search_by(|(t, _, _)| t.cmp(&current)).ok()?;
        let (owner, base, names) = TYPES[i];
        if sorted_contains(names, attr) {
            return Some(owner);
        }
        if base.is_empty() {
            return None;
        }
        current = base;
    }
    None
}

/// Whether the `__dict__` of CPython's built-in type `type_name` itself (not a base's)
/// holds `attr`.
pub fn own_dict_has(type_name: &str, attr: &str) -> bool {
    TYPES
        .binary_search_by(|(t, _, _)| t.cmp(&type_name))
        .is_ok_and(|i| sorted_contains(TYPES[i].2, attr))
}

/// Whether `owner.name` is a slot wrapper in CPython (`type(int.__add__)` is
/// `wrapper_descriptor`; `type(int.__format__)` is `method_descriptor`).
pub fn is_wrapper_descriptor(owner: &str, name: &str) -> bool {
    super::cpython_names::WRAPPERS
        .binary_search_by(|(t, _)| t.cmp(&owner))
        .is_ok_and(|i| sorted_contains(super::cpython_names::WRAPPERS[i].1, name))
}

/// Whether `owner.name` is a `getset_descriptor` (`Some(true)`) or a
/// `member_descriptor` (`Some(false)`) in CPython's `owner.__dict__`.
pub fn data_descriptor_kind(owner: &str, name: &str) -> Option<bool> {
    let has = |table: &[(&str, &[&str])]| {
        table
            .binary_search_by(|(t, _)| t.cmp(&owner))
            .is_ok_and(|i| sorted_contains(table[i].1, name))
    };
    if has(super::cpython_names::GETSETS) {
        Some(true)
    } else if has(super::cpython_names::MEMBERS) {
        Some(false)
    } else {
        None
    }
}

/// Whether `name` is in CPython's `builtins` module.
pub fn is_builtin(name: &str) -> bool {
    sorted_contains(BUILTINS, name)
}

/// Whether CPython's module `module` (one the VM also provides) has attribute `attr`.
#[cfg(test)]
fn module_has(module: &str, attr: &str) -> bool {
    MODULES
        .iter()
        .find(|(m, _)| *m == module)
        .is_some_and(|(_, names)| sorted_contains(names, attr))
}

/// CPython's `dir(module)` for a module the VM also provides, sorted.
pub fn module_names(module: &str) -> Option<&'static [&'static str]> {
    MODULES
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, names)| *names)
}

/// CPython's `dir(module)` for a module the VM provides in this run: as [`module_names`],
/// except `inspect` when there is a standard library, which then is CPython's own
/// Lib/inspect.py rather than the VM's stand-in (`sysmod`).
pub fn provided_module_names(vm: &Vm, module: &str) -> Option<&'static [&'static str]> {
    if module == "inspect" && vm.stdlib.is_some() {
        return None;
    }
    module_names(module)
}

/// Whether `name` is a top-level module of CPython's standard library.
pub fn is_stdlib_module(name: &str) -> bool {
    sorted_contains(STDLIB_MODULES, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(TYPES.windows(2).all(|w| w[0].0 < w[1].0));
        for (t, _, names) in TYPES {
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{t}");
        }
        assert!(BUILTINS.windows(2).all(|w| w[0] < w[1]));
        assert!(STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
        for (m, names) in MODULES {
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{m}");
        }
    }

    #[test]
    fn lookups_follow_bases() {
        assert!(type_has("str", "casefold"));
        assert!(type_has("bool", "bit_length"), "bool inherits from int");
        assert!(type_has("KeyError", "with_traceback"), "via BaseException");
        assert!(type_has("list", "__class__"), "via object");
        assert!(!type_has("list", "casefold"));
        assert!(is_builtin("aiter") && !is_builtin("nonesuch"));
        assert!(module_has("sys", "setprofile") && !module_has("sys", "nonesuch"));
        assert!(is_stdlib_module("os") && !is_stdlib_module("numpy"));
    }
}
