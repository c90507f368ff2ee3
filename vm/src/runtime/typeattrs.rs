//! The writable getsets and read-only members of `type` (Objects/typeobject.c
//! type_getsets, type_members): what `C.__name__ = ...` and its kin do to a class,
//! with `check_set_special_type_attr`'s refusals, before a class's dict is written.

use std::rc::Rc;

use super::interp::Vm;
use super::object::Value;
use super::types::Type;
use super::PyResult;

/// `type_setattro` for the names `type` itself defines: `Some` when `name` is one of
/// its getsets or members (set, or deleted for `None`), else `None` (the class's dict).
pub fn set(vm: &mut Vm, t: &Rc<Type>, name: &str, x: Option<&Value>) -> Option<PyResult<()>> {
    let special = matches!(
        name,
        "__name__" | "__qualname__" | "__module__" | "__doc__" | "__bases__"
    );
    // A built-in type the VM lets a program write to (ast.AST, a heap type in CPython):
    // its name keys its Rust behaviour.
    if special && t.is_builtin() {
        return Some(Err(
            vm.unsupported(format!("assigning {name} of a built-in type"))
        ));
    }
    let r = match name {
        "__name__" => set_name(vm, t, x),
        "__qualname__" => set_qualname(vm, t, x),
        // type_set_module and type_set_doc: the class's dict, after the check.
        "__module__" | "__doc__" => special_check(vm, t, name, x).map(|()| {
            if let Some(x) = x {
                t.dict.set_str(name, x.clone());
            }
            super::types::types_changed();
        }),
        // type_set_bases recomputes the MRO of the class and its subclasses, which the
        // VM's classes hold fixed.
        "__bases__" => special_check(vm, t, name, x)
            .and_then(|()| Err(vm.unsupported("assigning a class's __bases__"))),
        // Getsets without a setter.
        "__mro__" | "__dict__" | "__text_signature__" => Err(vm.err(
            "AttributeError",
            format!("attribute '{name}' of 'type' objects is not writable"),
        )),
        // type_members, all READONLY.
        "__base__" | "__basicsize__" | "__itemsize__" | "__flags__" | "__weakrefoffset__"
        | "__dictoffset__" => Err(vm.err("AttributeError", "readonly attribute")),
        _ => return None,
    };
    Some(r)
}

/// `check_set_special_type_attr`: an immutable type refuses, and deleting is refused
/// (with the immutable type's message, as CPython words it).
fn special_check(vm: &Vm, t: &Type, name: &str, x: Option<&Value>) -> PyResult<()> {
    if t.is_builtin() {
        return Err(vm.type_error(format!(
            "cannot set '{name}' attribute of immutable type '{}'",
            t.name()
        )));
    }
    if x.is_none() {
        return Err(vm.type_error(format!(
            "cannot delete '{name}' attribute of immutable type '{}'",
            t.name()
        )));
    }
    Ok(())
}

/// CPython keeps the object itself (`ht_name`, `ht_qualname`): a str subclass instance
/// stays one, which the VM's `Rc<str>` cannot; and `PyUnicode_AsUTF8AndSize` refuses a
/// lone surrogate. Both are unsupported.
fn keeps_exact_str(vm: &Vm, x: Option<&Value>, name: &str) -> PyResult<()> {
    match x {
        Some(Value::Object(_)) if matches!(x.map(Value::builtin_value), Some(Value::Str(_))) => {
            Err(vm.unsupported(format!("a str subclass instance as a class's {name}")))
        }
        Some(Value::Str(s)) if super::standins::has(s) => {
            Err(vm.unsupported(format!("a class {name} with a lone surrogate")))
        }
        _ => Ok(()),
    }
}

/// `type_set_name`: a str without NUL characters becomes the class's `tp_name`, which
/// its repr, its instances' reprs and the error messages naming it read.
fn set_name(vm: &mut Vm, t: &Rc<Type>, x: Option<&Value>) -> PyResult<()> {
    special_check(vm, t, "__name__", x)?;
    keeps_exact_str(vm, x, "__name__")?;
    let Some(Value::Str(s)) = x.map(Value::builtin_value) else {
        let shown = x.map_or(Rc::from("NULL"), |v| vm.type_of(v).name());
        return Err(vm.type_error(format!(
            "can only assign string to {}.__name__, not '{shown}'",
            t.name()
        )));
    };
    if s.contains('\0') {
        return Err(vm.err("ValueError", "type name must not contain null characters"));
    }
    *t.name_cell.borrow_mut() = s.clone();
    super::types::types_changed();
    Ok(())
}

/// `type_set_qualname`: a str becomes the class's `__qualname__` (never its dict's).
fn set_qualname(vm: &mut Vm, t: &Rc<Type>, x: Option<&Value>) -> PyResult<()> {
    special_check(vm, t, "__qualname__", x)?;
    keeps_exact_str(vm, x, "__qualname__")?;
    let Some(Value::Str(s)) = x.map(Value::builtin_value) else {
        let shown = x.map_or(Rc::from("NULL"), |v| vm.type_of(v).name());
        return Err(vm.type_error(format!(
            "can only assign string to {}.__qualname__, not '{shown}'",
            t.name()
        )));
    };
    *t.qualname.borrow_mut() = s.clone();
    Ok(())
}
