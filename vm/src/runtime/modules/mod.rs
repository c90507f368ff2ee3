//! The native modules, one file per module as CPython's `Modules/` has them: what CPython
//! 3.12 implements in C is Rust here, so calling it pushes no Python frame and produces no
//! trace event. [`NATIVE`] is the table of them; a module is built on its first import
//! ([`import`]) and kept in `sys.modules`, so later imports give the same object.
//!
//! `sys` and `inspect` are still installed at start-up by `sysmod`.

pub mod math;

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Builtin, Module, NativeFn, Value};

/// One native module: its name, whether CPython 3.12 loads it from a shared library in
/// `lib-dynload/` (so its repr names a file the VM does not have), and the function that
/// fills its namespace.
pub struct NativeModule {
    pub name: &'static str,
    pub from_file: bool,
    pub build: fn(&Rc<Dict>),
}

/// The table of native modules.
pub const NATIVE: &[NativeModule] = &[NativeModule {
    name: "math",
    from_file: true,
    build: math::build,
}];

fn find(name: &str) -> Option<&'static NativeModule> {
    NATIVE.iter().find(|m| m.name == name)
}

/// Whether CPython's `name` module is a shared library (its repr names its file).
pub fn from_file(name: &str) -> bool {
    find(name).is_some_and(|m| m.from_file)
}

/// The module `name` from `sys.modules`, or a native module created now and put there;
/// `None` when neither has it.
pub fn import(vm: &mut Vm, name: &str) -> Option<Value> {
    if let Some(m) = vm.modules.get_str(name) {
        return Some(m);
    }
    let native = find(name)?;
    let m = create(native);
    vm.modules.set_str(name, m.clone());
    Some(m)
}

/// A fresh module object for `native` (not registered anywhere).
fn create(native: &NativeModule) -> Value {
    let d = Dict::new_rc();
    d.set_str("__name__", Value::str(native.name));
    (native.build)(&d);
    Value::Module(Rc::new(Module {
        name: Rc::from(native.name),
        dict: d,
        file: None,
    }))
}

/// Puts the module's functions into its namespace as built-in functions whose
/// `__module__` is the module.
pub fn add_functions(d: &Dict, module: &'static str, fns: &[(&'static str, NativeFn)]) {
    for &(name, func) in fns {
        let f = Value::Builtin(Rc::new(Builtin {
            name,
            owner: None,
            func,
            module: Some(module),
        }));
        d.set_str(name, f);
    }
}

/// Every function of every native module, as `(module, name)`: for `natives()`.
pub fn functions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for native in NATIVE {
        let Value::Module(m) = create(native) else {
            continue;
        };
        for (k, v) in m.dict.items() {
            if let (Value::Str(name), Value::Builtin(_)) = (&k, &v) {
                out.push((native.name.to_owned(), name.to_string()));
            }
        }
    }
    out
}
