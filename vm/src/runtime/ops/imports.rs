//! `import` and `from … import`: IMPORT_NAME hands over to `runtime::import`
//! (CPython's `import.c`); IMPORT_FROM is `import_from` of ceval.c.

use super::super::eval::Step;
use super::super::import;
use super::super::interp::Vm;
use super::super::modules;
use super::super::object::Value;
use super::super::{PyResult, Throw};

/// IMPORT_NAME `(level, fromlist -- res)`: `import_name` with the frame's globals.
/// spec: namespaces.import
pub fn import_name(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let name = f
        .info
        .name(arg as usize)
        .cloned()
        .ok_or_else(|| Throw::Bug("IMPORT_NAME operand".into()))?;
    let fromlist = f.pop()?;
    let level = f.pop()?;
    let globals = Value::Dict(f.globals.clone());
    let level = match level {
        Value::Int(l) => l,
        _ => return Err(vm.bug("IMPORT_NAME with a level that is not an int")),
    };
    let m = import::import_name(vm, &name, Some(&globals), &fromlist, level)?;
    vm.top()?.push(m);
    Ok(Step::Continue)
}

/// IMPORT_FROM `(from -- from, res)` (ceval.c `import_from`): the attribute, else the
/// submodule `sys.modules` holds under `module.name`, else ImportError.
pub fn import_from(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let name = f
        .info
        .name(arg as usize)
        .cloned()
        .ok_or_else(|| Throw::Bug("IMPORT_FROM operand".into()))?;
    let module = f.peek(0)?;
    let x = import_from_value(vm, &module, &name)?;
    vm.top()?.push(x);
    Ok(Step::Continue)
}

fn import_from_value(vm: &mut Vm, module: &Value, name: &str) -> PyResult<Value> {
    match vm.getattr(module, name) {
        Ok(v) => return Ok(v),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {}
        Err(e) => return Err(e),
    }
    let pkgname = match vm.getattr(module, "__name__") {
        Ok(n) => match n.builtin_value() {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        },
        Err(Throw::Exc(_)) => None,
        Err(e) => return Err(e),
    };
    if let Some(p) = &pkgname {
        if let Some(m) = vm.modules.get_str(&format!("{p}.{name}")) {
            return Ok(m);
        }
    }
    let shown = match &pkgname {
        Some(p) => crate::runtime::standins::repr(p),
        None => "'<unknown module name>'".to_owned(),
    };
    let wanted = crate::runtime::standins::repr(name);
    let path = match module {
        Value::Module(m) => m
            .dict
            .get_str("__file__")
            .filter(|f| matches!(f, Value::Str(_))),
        _ => None,
    };
    if path.is_none() && modules::from_file(pkgname.as_deref().unwrap_or_default()) {
        // CPython's message names the shared library the module came from.
        return Err(vm.unsupported(format!(
            "the ImportError of a from-import of {} (CPython names its file)",
            pkgname.as_deref().unwrap_or_default()
        )));
    }
    let initializing = match module {
        Value::Module(m) => match m.dict.get_str("__spec__").filter(|s| !s.is_none()) {
            Some(spec) => match vm.getattr(&spec, "_initializing") {
                Ok(v) => vm.truthy(&v)?,
                Err(Throw::Exc(_)) => false,
                Err(e) => return Err(e),
            },
            None => false,
        },
        _ => false,
    };
    let message = match (&path, initializing) {
        (None, true) => format!(
            "cannot import name {wanted} from partially initialized module {shown} (most likely due to a circular import)"
        ),
        (None, false) => format!("cannot import name {wanted} from {shown} (unknown location)"),
        (Some(p), true) => format!(
            "cannot import name {wanted} from partially initialized module {shown} (most likely due to a circular import) ({})",
            vm.str_of(p)?
        ),
        (Some(p), false) => format!("cannot import name {wanted} from {shown} ({})", vm.str_of(p)?),
    };
    let exc = vm.new_exception(&vm.ty("ImportError"), vec![Value::str(&message)]);
    // `_PyErr_SetImportErrorWithNameFrom`: name, path and name_from.
    let set = |k, x| crate::runtime::excmembers::set(vm, &exc, k, Some(x));
    set("name", pkgname.map(Value::Str).unwrap_or(Value::None));
    set("path", path.unwrap_or(Value::None));
    set("name_from", Value::str(name));
    Err(vm.raise(exc))
}
