//! `import`: only the built-in modules exist; the VM has no file system. A module of
//! CPython 3.12's standard library that the VM lacks is unsupported; any other name is
//! the program's ModuleNotFoundError, as on a CPython with nothing installed.

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::{modules, reach};
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
    let level = f.pop()?;
    if !matches!(level, Value::Int(0)) {
        // Programs run as `__main__`, which has no package: CPython's
        // `resolve_name` fails before looking anything up.
        return Err(vm.err(
            "ImportError",
            "attempted relative import with no known parent package",
        ));
    }
    let first = name.split('.').next().unwrap_or(&name).to_owned();
    let found = modules::import(vm, &first);
    if found.is_none() && reach::is_stdlib_module(&first) {
        return Err(vm.unsupported(format!("the standard library module {first}")));
    }
    match found {
        Some(m) if first.len() == name.len() => {
            vm.top()?.push(m);
            Ok(Step::Continue)
        }
        Some(_) => {
            // The VM's modules (`sys`, `inspect`, `builtins`) are not packages.
            let exc = vm.new_exception(
                &vm.ty("ModuleNotFoundError"),
                vec![Value::str(&format!(
                    "No module named '{name}'; '{first}' is not a package"
                ))],
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
            if modules::from_file(&mname) {
                // CPython's message names the shared library the module came from.
                return Err(vm.unsupported(format!(
                    "the ImportError of a from-import of {mname} (CPython names its file)"
                )));
            }
            Err(vm.err(
                "ImportError",
                format!("cannot import name '{name}' from '{mname}' (unknown location)"),
            ))
        }
        Err(e) => Err(e),
    }
}
