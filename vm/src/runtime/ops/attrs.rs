//! Attribute access and class creation (lookup rules are in `attr`).

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::monitoring::{self, Event};
use super::super::object::Args;
use super::super::object::Value;
use super::super::profile;
use super::super::trace::What;
use super::super::{PyResult, Throw};
use crate::oparg::{NameArg, SuperAttrArg};

fn name(vm: &mut Vm, i: u32) -> PyResult<std::rc::Rc<str>> {
    let f = vm.top()?;
    f.info
        .name(i as usize)
        .cloned()
        .ok_or_else(|| Throw::Bug(format!("co_names index {i}")))
}

/// LOAD_ATTR `(owner -- res2 if (oparg & 1), res)`: with the low bit set, pushes
/// `(method, self)` for a method found on the type, else `(NULL, attribute)`.
pub fn load_attr(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let arg = NameArg::decode(arg);
    let attr = name(vm, arg.name)?;
    let owner = vm.top()?.pop()?;
    if arg.flag {
        if let Some(meth) = vm.method_for_call(&owner, &attr) {
            let f = vm.top()?;
            f.push(meth);
            f.push(owner);
            return Ok(Step::Continue);
        }
        let v = vm.getattr(&owner, &attr)?;
        let f = vm.top()?;
        f.push_opt(None);
        f.push(v);
        return Ok(Step::Continue);
    }
    let v = vm.getattr(&owner, &attr)?;
    vm.top()?.push(v);
    Ok(Step::Continue)
}

/// STORE_ATTR `(v, owner -- )`
pub fn store_attr(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let attr = name(vm, arg)?;
    let f = vm.top()?;
    let owner = f.pop()?;
    let v = f.pop()?;
    vm.setattr(&owner, &attr, v)?;
    Ok(Step::Continue)
}

/// DELETE_ATTR `(owner -- )`
pub fn delete_attr(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let attr = name(vm, arg)?;
    let owner = vm.top()?.pop()?;
    vm.delattr(&owner, &attr)?;
    Ok(Step::Continue)
}

/// LOAD_SUPER_ATTR `(global_super, class, self -- res2 if (oparg & 1), res)`: calls
/// `global_super` — with `(class, self)` when the source gave two arguments, else with
/// none, so the zero-argument form reads the frame as a `super()` call does — then
/// `getattr(super, name)`; the method form pushes NULL below the attribute (CPython's
/// generic LOAD_SUPER_ATTR, whose specialisations find the same thing).
pub fn load_super_attr(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let arg = SuperAttrArg::decode(arg);
    let attr = name(vm, arg.name)?;
    let f = vm.top()?;
    let receiver = f.pop()?;
    let class = f.pop()?;
    let global_super = f.pop()?;
    let (args, first) = if arg.two_args {
        (Args::new(vec![class.clone(), receiver]), Some(class))
    } else {
        (Args::new(Vec::new()), None)
    };
    let made = call_super(vm, &global_super, args, first)?;
    let v = vm.getattr(&made, &attr)?;
    let f = vm.top()?;
    if arg.method {
        f.push_opt(None);
    }
    f.push(v);
    Ok(Step::Continue)
}

/// The `super` call of INSTRUMENTED_LOAD_SUPER_ATTR: CALL before it and C_RETURN or
/// C_RAISE after it, with the first argument (MISSING for the zero-argument form), the
/// profile function's c_* events first, as CALL's `monitored_call` for a C callable.
fn call_super(vm: &mut Vm, func: &Value, args: Args, first: Option<Value>) -> PyResult<Value> {
    // C_RETURN and C_RAISE are set with CALL (PY_MONITORING_UNGROUPED_EVENTS).
    if vm.trace.sys_profile.is_none() && !monitoring::wanted(vm, Event::CALL) {
        return vm.call(func, args);
    }
    let at = vm.top()?.instr.unwrap_or(0);
    let offset = Value::Int(2 * at as i64);
    let arg = first.clone().unwrap_or_else(|| vm.trace.monitors.missing());
    let event_args = [offset, func.clone(), arg];
    profile::c_event(vm, What::Call, func, first.as_ref())?;
    monitoring::fire(vm, Event::CALL, at, &event_args)?;
    match vm.call(func, args) {
        Ok(v) => {
            profile::c_event(vm, What::CReturn, func, first.as_ref())?;
            monitoring::fire(vm, Event::C_RETURN, at, &event_args)?;
            Ok(v)
        }
        Err(err @ (Throw::Exc(_) | Throw::Reraise(_))) => {
            // `_Py_call_instrumentation_exc2`: an exception from a callback replaces the
            // call's.
            profile::c_event(vm, What::CRaise, func, first.as_ref())?;
            monitoring::fire(vm, Event::C_RAISE, at, &event_args)?;
            Err(err)
        }
        Err(fatal) => Err(fatal),
    }
}

/// LOAD_BUILD_CLASS `( -- bc)`
pub fn load_build_class(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    match f.builtins.get_str("__build_class__") {
        Some(bc) => {
            f.push(bc);
            Ok(Step::Continue)
        }
        None => Err(vm.err("NameError", "__build_class__ not found")),
    }
}
