//! Attribute access and class creation (lookup rules are in `attr`).

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::reach;
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

/// LOAD_SUPER_ATTR `(global_super, class, self -- res2 if (oparg & 1), res)`: the
/// zero-argument `super().name` fast path.
pub fn load_super_attr(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let arg = SuperAttrArg::decode(arg);
    // INSTRUMENTED_LOAD_SUPER_ATTR reports the super() call (CALL, C_RETURN, C_RAISE).
    if vm.trace.monitoring
        && super::super::monitoring::wanted(vm, super::super::monitoring::Event::CALL)
    {
        return Err(vm.unsupported("sys.monitoring's CALL event of super().attr"));
    }
    let attr = name(vm, arg.name)?;
    let f = vm.top()?;
    let receiver = f.pop()?;
    let class = f.pop()?;
    let global_super = f.pop()?;
    // CPython calls whatever `super` names when it is not the built-in type.
    if !matches!(&global_super, Value::Type(t) if &*t.name() == "super" && t.is_builtin()) {
        return Err(vm.unsupported("super().attr where the name super is not the built-in super"));
    }
    let Value::Type(start) = &class else {
        return Err(vm.type_error("super() argument 1 must be a type"));
    };
    // `supercheck`: a class receiver that derives from the class super() starts from
    // stands for itself (a classmethod); any other receiver, a class made by a
    // metaclass included, for its type.
    let t = match &receiver {
        Value::Type(t) if t.is_subtype(start) => t.clone(),
        other => vm.type_of(other),
    };
    let mro = t.mro();
    let pos = mro
        .iter()
        .position(|x| std::rc::Rc::ptr_eq(x, start))
        .map(|p| p + 1)
        .unwrap_or(mro.len());
    let found = mro[pos..].iter().find_map(|x| x.dict.get_str(&attr));
    let Some(found) = found else {
        // A built-in class further along (at least `object`) has it in CPython.
        if let Some(owner) = mro[pos..]
            .iter()
            .find(|c| c.is_builtin() && reach::type_has(&c.name(), &attr))
        {
            let owner = owner.name().clone();
            return Err(vm.unsupported(format!("the attribute {owner}.{attr} through super()")));
        }
        return Err(vm.err(
            "AttributeError",
            format!("'super' object has no attribute '{attr}'"),
        ));
    };
    // `super_getattro`: the descriptor's `__get__` with the receiver, or with None when
    // the receiver is the class super() starts from.
    let v = match &found {
        Value::Property(_) | Value::Object(_) => {
            let obj = match &receiver {
                Value::Type(r) if std::rc::Rc::ptr_eq(r, &t) => None,
                other => Some(other),
            };
            vm.descr_get(&found, obj, &t)?
        }
        // A function reached from the class super() starts from (a classmethod's
        // `super()`) is returned unbound, as `func.__get__(None, cls)` is.
        Value::Function(_) if matches!(&receiver, Value::Type(r) if std::rc::Rc::ptr_eq(r, &t)) => {
            found.clone()
        }
        _ => vm.bind(&found, &receiver),
    };
    let f = vm.top()?;
    if arg.method {
        f.push_opt(None);
    }
    f.push(v);
    Ok(Step::Continue)
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
