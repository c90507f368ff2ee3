//! Loads and stores: fast locals, cells, the module/class namespace, globals and builtins
//! (spec chapter `namespaces`).

use std::rc::Rc;

use crate::code::kinds;
use crate::oparg::NameArg;

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::{CellObj, Value};
use super::super::reach;
use super::super::{PyResult, Throw};

fn co_name(vm: &mut Vm, i: u32) -> PyResult<Rc<str>> {
    let f = vm.top()?;
    match f.info.name(i as usize) {
        Some(n) => Ok(n.clone()),
        None => Err(Throw::Bug(format!("co_names index {i} out of range"))),
    }
}

fn local_name(vm: &mut Vm, i: u32) -> PyResult<Rc<str>> {
    let f = vm.top()?;
    match f.info.local_name(i as usize) {
        Some(n) => Ok(n.clone()),
        None => Err(Throw::Bug(format!("localsplus index {i} out of range"))),
    }
}

pub fn unbound_local(vm: &Vm, name: &str) -> Throw {
    vm.err(
        "UnboundLocalError",
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

pub fn name_error(vm: &Vm, name: &str) -> Throw {
    let exc = vm.new_exception(
        &vm.ty("NameError"),
        vec![Value::str(&format!("name '{name}' is not defined"))],
    );
    crate::runtime::excmembers::set(vm, &exc, "name", Some(Value::str(name)));
    vm.raise(exc)
}

/// A name found nowhere when loading it: a builtin CPython 3.12 has and the VM lacks is
/// unsupported; anything else is the program's NameError.
fn missing_name(vm: &Vm, name: &str) -> Throw {
    if reach::is_builtin(name) && vm.builtins.get_str(name).is_none() {
        return vm.unsupported(format!("the builtin {name}"));
    }
    name_error(vm, name)
}

/// LOAD_CONST `( -- value)`
pub fn load_const(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    match f.info.consts.get(arg as usize) {
        Some(Some(v)) => {
            let v = v.clone();
            f.push(v);
            Ok(Step::Continue)
        }
        Some(None) => Err(vm.unsupported(super::super::codeinfo::UNREPRESENTABLE)),
        None => Err(Throw::Bug(format!("co_consts index {arg} out of range"))),
    }
}

/// LOAD_FAST / LOAD_FAST_CHECK / LOAD_CLOSURE `( -- value)`; an unbound local raises
/// UnboundLocalError. spec: namespaces.scopes
pub fn load_fast(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    match f.local_mut(arg as usize)?.clone() {
        Some(v) => {
            f.push(v);
            Ok(Step::Continue)
        }
        None => {
            let name = local_name(vm, arg)?;
            Err(unbound_local(vm, &name))
        }
    }
}

/// LOAD_FAST_AND_CLEAR `( -- value)`: NULL allowed (inlined comprehensions, PEP 709).
pub fn load_fast_and_clear(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.local_mut(arg as usize)?.take();
    f.push_opt(v);
    Ok(Step::Continue)
}

/// STORE_FAST `(value -- )`; NULL allowed (restoring after an inlined comprehension).
pub fn store_fast(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop_opt()?;
    *f.local_mut(arg as usize)? = v;
    Ok(Step::Continue)
}

/// DELETE_FAST `( -- )`
pub fn delete_fast(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    if f.local_mut(arg as usize)?.take().is_none() {
        let name = local_name(vm, arg)?;
        return Err(unbound_local(vm, &name));
    }
    Ok(Step::Continue)
}

/// LOAD_NAME `( -- value)`: locals, then globals, then builtins. spec: namespaces.scopes,
/// namespaces.builtins
pub fn load_name(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let name = co_name(vm, arg)?;
    let f = vm.top()?;
    if let Some(m) = f.locals_mapping.clone() {
        if let Some(v) = mapping_get(vm, &m, &name)? {
            vm.top()?.push(v);
            return Ok(Step::Continue);
        }
    }
    let f = vm.top()?;
    let Some(locals) = f.locals.clone() else {
        return Err(vm.err("SystemError", format!("no locals when loading '{name}'")));
    };
    let key = Value::Str(name.clone());
    let found = match locals.get_key(&super::super::dict::Key::Str(name.clone())) {
        Some(v) => Some(v),
        None => f
            .globals
            .get_str(&name)
            .or_else(|| f.builtins.get_str(&name)),
    };
    drop(key);
    match found {
        Some(v) => {
            vm.top()?.push(v);
            Ok(Step::Continue)
        }
        None => Err(missing_name(vm, &name)),
    }
}

/// STORE_NAME `(value -- )` into the frame's namespace. spec: namespaces.locals.module
pub fn store_name(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let name = co_name(vm, arg)?;
    let f = vm.top()?;
    let v = f.pop()?;
    if let Some(m) = f.locals_mapping.clone() {
        vm.setitem(&m, &Value::Str(name), v)?;
        return Ok(Step::Continue);
    }
    let Some(locals) = f.locals.clone() else {
        return Err(vm.err(
            "SystemError",
            format!("no locals found when storing '{name}'"),
        ));
    };
    locals.set_str(&name, v);
    Ok(Step::Continue)
}

/// DELETE_NAME `( -- )`
pub fn delete_name(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let name = co_name(vm, arg)?;
    let f = vm.top()?;
    if let Some(m) = f.locals_mapping.clone() {
        return match vm.delitem(&m, &Value::Str(name.clone())) {
            Ok(()) => Ok(Step::Continue),
            Err(Throw::Exc(e)) if vm.is_instance_of(&e, "KeyError") => Err(name_error(vm, &name)),
            Err(e) => Err(e),
        };
    }
    let Some(locals) = f.locals.clone() else {
        return Err(vm.err("SystemError", format!("no locals when deleting '{name}'")));
    };
    match locals.remove(&Value::Str(name.clone())) {
        Ok(Some(_)) => Ok(Step::Continue),
        _ => Err(name_error(vm, &name)),
    }
}

/// LOAD_GLOBAL `( -- NULL if (oparg & 1), value)`: globals, then builtins.
/// spec: namespaces.globals.identity, namespaces.builtins
pub fn load_global(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let arg = NameArg::decode(arg);
    let name = co_name(vm, arg.name)?;
    let f = vm.top()?;
    let mut found = f
        .globals
        .get_str(&name)
        .or_else(|| f.builtins.get_str(&name));
    if found.is_none() && (f.globals.has_user_keys() || f.builtins.has_user_keys()) {
        // A key of a user type may equal the name (`PyDict_GetItem` runs its `__eq__`
        // on a hash match): the full lookup, globals then builtins.
        let (globals, builtins) = (f.globals.clone(), f.builtins.clone());
        let key = Value::Str(name.clone());
        found = match vm.dict_get(&globals, &key)? {
            Some(v) => Some(v),
            None => vm.dict_get(&builtins, &key)?,
        };
    }
    match found {
        Some(v) => {
            let f = vm.top()?;
            if arg.flag {
                f.push_opt(None);
            }
            f.push(v);
            Ok(Step::Continue)
        }
        None => Err(missing_name(vm, &name)),
    }
}

/// STORE_GLOBAL `(value -- )`. spec: namespaces.globals.write
pub fn store_global(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let name = co_name(vm, arg)?;
    let f = vm.top()?;
    let v = f.pop()?;
    f.globals.set_str(&name, v);
    Ok(Step::Continue)
}

/// DELETE_GLOBAL `( -- )`
pub fn delete_global(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let name = co_name(vm, arg)?;
    let f = vm.top()?;
    match f.globals.remove(&Value::Str(name.clone())) {
        Ok(Some(_)) => Ok(Step::Continue),
        _ => Err(name_error(vm, &name)),
    }
}

/// MAKE_CELL `( -- )`: wraps the slot's current value (or nothing) in a new cell.
/// spec: namespaces.closures
pub fn make_cell(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let slot = f.local_mut(arg as usize)?;
    let initial = slot.take();
    *slot = Some(Value::Cell(crate::runtime::gc::alloc(CellObj {
        value: std::cell::RefCell::new(initial),
    })));
    Ok(Step::Continue)
}

fn cell_at(vm: &mut Vm, arg: u32) -> PyResult<Rc<CellObj>> {
    let f = vm.top()?;
    match f.local_mut(arg as usize)? {
        Some(Value::Cell(c)) => Ok(c.clone()),
        _ => Err(Throw::Bug(format!("localsplus slot {arg} is not a cell"))),
    }
}

/// The error for reading an empty cell (CPython `format_exc_unbound`).
fn unbound_deref(vm: &mut Vm, arg: u32) -> PyResult<Throw> {
    let name = local_name(vm, arg)?;
    let kind = vm.top()?.info.kind(arg as usize);
    if kind & kinds::CO_FAST_FREE != 0 {
        Ok(vm.err(
            "NameError",
            format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
        ))
    } else {
        Ok(unbound_local(vm, &name))
    }
}

/// LOAD_DEREF `( -- value)`. spec: namespaces.closures
pub fn load_deref(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let cell = cell_at(vm, arg)?;
    let v = cell.value.borrow().clone();
    match v {
        Some(v) => {
            vm.top()?.push(v);
            Ok(Step::Continue)
        }
        None => Err(unbound_deref(vm, arg)?),
    }
}

/// STORE_DEREF `(value -- )`
pub fn store_deref(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let cell = cell_at(vm, arg)?;
    *cell.value.borrow_mut() = Some(v);
    Ok(Step::Continue)
}

/// DELETE_DEREF `( -- )`
pub fn delete_deref(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let cell = cell_at(vm, arg)?;
    let old = cell.value.borrow_mut().take();
    if old.is_none() {
        return Err(unbound_deref(vm, arg)?);
    }
    Ok(Step::Continue)
}

/// COPY_FREE_VARS `( -- )`: copies the function's closure cells into the last `oparg`
/// localsplus slots.
pub fn copy_free_vars(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let Some(closure) = f.func.as_ref().and_then(|func| func.closure.clone()) else {
        return Err(Throw::Bug("COPY_FREE_VARS without a closure".into()));
    };
    let n = arg as usize;
    let base = f
        .info
        .nlocalsplus()
        .checked_sub(n)
        .ok_or_else(|| Throw::Bug("COPY_FREE_VARS count".into()))?;
    for (i, cell) in closure.iter().take(n).enumerate() {
        *f.local_mut(base + i)? = Some(cell.clone());
    }
    Ok(Step::Continue)
}

/// LOAD_FROM_DICT_OR_DEREF `(mapping -- value)`: class bodies reading a free variable.
pub fn load_from_dict_or_deref(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let mapping = vm.top()?.pop()?;
    let name = local_name(vm, arg)?;
    if let Some(v) = mapping_get(vm, &mapping, &name)? {
        vm.top()?.push(v);
        return Ok(Step::Continue);
    }
    load_deref(vm, arg)
}

/// LOAD_FROM_DICT_OR_GLOBALS `(mapping -- value)`
pub fn load_from_dict_or_globals(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let mapping = vm.top()?.pop()?;
    let name = co_name(vm, arg)?;
    if let Some(v) = mapping_get(vm, &mapping, &name)? {
        vm.top()?.push(v);
        return Ok(Step::Continue);
    }
    let f = vm.top()?;
    match f
        .globals
        .get_str(&name)
        .or_else(|| f.builtins.get_str(&name))
    {
        Some(v) => {
            f.push(v);
            Ok(Step::Continue)
        }
        None => Err(missing_name(vm, &name)),
    }
}

/// `mapping[name]`, `None` for a KeyError (`PyMapping_GetOptionalItem`): a dict's
/// entry directly, any other mapping through its `__getitem__`.
fn mapping_get(vm: &mut Vm, mapping: &Value, name: &Rc<str>) -> PyResult<Option<Value>> {
    if let Value::Dict(d) = mapping {
        return Ok(d.get_str(name));
    }
    match vm.getitem(mapping, &Value::Str(name.clone())) {
        Ok(v) => Ok(Some(v)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "KeyError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// LOAD_LOCALS `( -- locals)`
pub fn load_locals(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    if let Some(m) = f.locals_mapping.clone() {
        f.push(m);
        return Ok(Step::Continue);
    }
    match f.locals.clone() {
        Some(d) => {
            f.push(Value::Dict(d));
            Ok(Step::Continue)
        }
        None => Err(vm.err("SystemError", "no locals found")),
    }
}

/// SETUP_ANNOTATIONS `( -- )`
pub fn setup_annotations(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    if let Some(m) = f.locals_mapping.clone() {
        let key: Rc<str> = Rc::from("__annotations__");
        if mapping_get(vm, &m, &key)?.is_none() {
            let d = Value::Dict(super::super::dict::Dict::new_rc());
            vm.setitem(&m, &Value::Str(key), d)?;
        }
        return Ok(Step::Continue);
    }
    if let Some(locals) = f.locals.clone() {
        if locals.get_str("__annotations__").is_none() {
            locals.set_str(
                "__annotations__",
                Value::Dict(super::super::dict::Dict::new_rc()),
            );
        }
    }
    Ok(Step::Continue)
}
