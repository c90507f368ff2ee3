//! `import`: only the built-in modules exist; the VM has no file system.

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::{PyResult, Throw};

/// IMPORT_NAME `(level, fromlist -- res)`
pub fn import_name(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let name = f
        .info
        .name(arg as usize)
        .cloned()
        .ok_or_else(|| Throw::Bug("IMPORT_NAME operand".into()))?;
    f.pop()?;
    f.pop()?;
    let first = name.split('.').next().unwrap_or(&name).to_owned();
    match vm.modules.get_str(&first) {
        Some(m) if first.len() == name.len() => {
            vm.top()?.push(m);
            Ok(Step::Continue)
        }
        Some(_) => {
            let exc = vm.new_exception(
                &vm.ty("ModuleNotFoundError"),
                vec![Value::str(&format!("No module named '{name}'"))],
            );
            Err(vm.raise(exc))
        }
        None => {
            let exc = vm.new_exception(
                &vm.ty("ModuleNotFoundError"),
                vec![Value::str(&format!("No module named '{first}'"))],
            );
            if let Value::Object(o) = &exc {
                o.dict.set_str("name", Value::str(&first));
            }
            Err(vm.raise(exc))
        }
    }
}

/// IMPORT_FROM `(from -- from, res)`
pub fn import_from(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let name = f
        .info
        .name(arg as usize)
        .cloned()
        .ok_or_else(|| Throw::Bug("IMPORT_FROM operand".into()))?;
    let module = f.peek(0)?;
    match vm.getattr(&module, &name) {
        Ok(v) => {
            vm.top()?.push(v);
            Ok(Step::Continue)
        }
        Err(Throw::Exc(_)) => {
            let mname = match &module {
                Value::Module(m) => m.name.to_string(),
                _ => "?".into(),
            };
            Err(vm.err(
                "ImportError",
                format!("cannot import name '{name}' from '{mname}' (unknown location)"),
            ))
        }
        Err(e) => Err(e),
    }
}
