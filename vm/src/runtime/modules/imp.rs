//! `_imp` (CPython `Python/import.c`'s module): what importlib asks the interpreter —
//! which modules are built in or frozen, creating them, the extension-module suffixes,
//! the import lock (the VM has one thread, so it is a counter).

use std::cell::Cell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::import;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::PyResult;

/// The suffixes of extension modules on CPython 3.12 for x86-64 Linux.
const EXTENSION_SUFFIXES: &[&str] = &[".cpython-312-x86_64-linux-gnu.so", ".abi3.so", ".so"];

thread_local! {
    /// How many times the import lock is held (`_imp.acquire_lock`).
    static LOCK: Cell<u64> = const { Cell::new(0) };
}

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_imp",
        &[
            ("is_builtin", is_builtin),
            ("create_builtin", create_builtin),
            ("exec_builtin", exec_module),
            ("is_frozen", is_frozen),
            ("is_frozen_package", is_frozen_package),
            ("find_frozen", find_frozen),
            ("get_frozen_object", get_frozen_object),
            ("_frozen_module_names", frozen_module_names),
            ("extension_suffixes", extension_suffixes),
            ("create_dynamic", create_dynamic),
            ("exec_dynamic", exec_dynamic),
            ("acquire_lock", acquire_lock),
            ("release_lock", release_lock),
            ("lock_held", lock_held),
            ("_fix_co_filename", fix_co_filename),
        ],
    );
    d.set_str("check_hash_based_pycs", Value::str("default"));
}

fn name_arg(vm: &mut Vm, args: &Args, fname: &str) -> PyResult<String> {
    let [name] = Spec::method("_imp", fname, Style::O, &["name"], 1).bind::<1>(vm, args, 0)?;
    match name.as_ref().map(Value::builtin_value) {
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(other) => {
            let n = super::super::builtins::type_name_of_arg(vm, other);
            Err(vm.type_error(format!("{fname}() argument must be str, not {n}")))
        }
        None => Err(vm.bug("a missing required argument")),
    }
}

/// `is_builtin(name)`: 1 for a module CPython builds in, -1 for one that cannot be
/// initialised again (`sys`, `builtins`), 0 otherwise. The answer is CPython's, whether
/// or not the VM has the module, so importing one it lacks is unsupported
/// (`create_builtin`) rather than not found.
fn is_builtin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let name = name_arg(vm, &args, "is_builtin")?;
    Ok(Value::Int(match name.as_str() {
        "sys" | "builtins" => -1,
        n if super::super::cpython_names::BUILTIN_MODULES.contains(&n) => 1,
        _ => 0,
    }))
}

/// `create_builtin(spec)`: the built-in module `spec.name` (the existing one for `sys`
/// and `builtins`).
fn create_builtin(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [spec] =
        Spec::method("_imp", "create_builtin", Style::O, &["spec"], 1).bind::<1>(vm, &args, 0)?;
    let spec = spec.unwrap_or(Value::None);
    let name = vm.getattr(&spec, "name")?;
    let Value::Str(name) = name.builtin_value().clone() else {
        let n = vm.type_of(&name).name().clone();
        return Err(vm.type_error(format!("name must be string, not {n}")));
    };
    if matches!(&*name, "sys" | "builtins") {
        if let Some(m) = vm.modules.get_str(&name) {
            return Ok(m);
        }
    }
    match super::create_by_name(vm, &name) {
        Some(m) if super::is_builtin(&name) => Ok(m),
        _ if super::super::cpython_names::BUILTIN_MODULES.contains(&&*name) => {
            Err(vm.unsupported(format!("the built-in module {name}")))
        }
        _ => Ok(Value::None),
    }
}

/// `exec_builtin(mod)`, `exec_dynamic(mod)`: most of the VM's native modules are whole once
/// made; those whose exec slot calls Python finish here (`super::exec`).
fn exec_module(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [m] = Spec::method("_imp", "exec_builtin", Style::O, &["mod"], 1).bind(vm, &args, 0)?;
    super::exec(vm, &m.unwrap_or_default())?;
    Ok(Value::Int(0))
}

fn exec_dynamic(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [m] = Spec::method("_imp", "exec_dynamic", Style::O, &["mod"], 1).bind(vm, &args, 0)?;
    super::exec(vm, &m.unwrap_or_default())?;
    Ok(Value::Int(0))
}

fn is_frozen(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let name = name_arg(vm, &args, "is_frozen")?;
    Ok(Value::Bool(import::frozen::find(&name).is_some()))
}

fn is_frozen_package(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let name = name_arg(vm, &args, "is_frozen_package")?;
    match import::frozen::find(&name) {
        Some((_, package)) => Ok(Value::Bool(package)),
        None => Err(no_frozen(vm, &name)),
    }
}

fn no_frozen(vm: &Vm, name: &str) -> super::super::Throw {
    let exc = vm.new_exception(
        &vm.ty("ImportError"),
        vec![Value::str(&format!("No such frozen object named '{name}'"))],
    );
    crate::runtime::excmembers::set(vm, &exc, "name", Some(Value::str(name)));
    vm.raise(exc)
}

/// `find_frozen(name, *, withdata=False)`: `(None, ispkg, origname)` or None.
fn find_frozen(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, withdata] = Spec::method(
        "_imp",
        "find_frozen",
        Style::Keywords,
        &["name", "withdata"],
        1,
    )
    .keywords(1, 1)
    .bind::<2>(vm, &args, 0)?;
    if let Some(w) = withdata {
        if vm.truthy(&w)? {
            return Err(vm.unsupported("_imp.find_frozen(withdata=True) (marshalled data)"));
        }
    }
    let name = match name.as_ref().map(Value::builtin_value) {
        Some(Value::Str(s)) => s.to_string(),
        Some(other) => {
            let n = super::super::builtins::type_name_of_arg(vm, other);
            return Err(vm.type_error(format!("find_frozen() argument 1 must be str, not {n}")));
        }
        None => return Err(vm.bug("a missing required argument")),
    };
    Ok(match import::frozen::find(&name) {
        Some((orig, package)) => {
            Value::tuple(vec![Value::None, Value::Bool(package), Value::str(orig)])
        }
        None => Value::None,
    })
}

/// `get_frozen_object(name, data=None)`: the module's code object.
fn get_frozen_object(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, data] = Spec::method(
        "_imp",
        "get_frozen_object",
        Style::Positional,
        &["name", "data"],
        1,
    )
    .bind::<2>(vm, &args, 0)?;
    if data.is_some_and(|d| !d.is_none()) {
        return Err(vm.unsupported("_imp.get_frozen_object with marshalled data"));
    }
    let name = match name.as_ref().map(Value::builtin_value) {
        Some(Value::Str(s)) => s.to_string(),
        _ => return Err(vm.type_error("get_frozen_object() argument 1 must be str")),
    };
    match import::frozen_code(vm, &name)? {
        Some(code) => Ok(Value::Code(code)),
        None => Err(no_frozen(vm, &name)),
    }
}

fn frozen_module_names(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_imp", "_frozen_module_names", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let names = import::frozen::FROZEN
        .iter()
        .map(|(n, _, _)| Value::str(n))
        .collect();
    Ok(Value::tuple(names))
}

fn extension_suffixes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_imp", "extension_suffixes", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::list(
        EXTENSION_SUFFIXES.iter().map(|s| Value::str(s)).collect(),
    ))
}

/// `create_dynamic(spec, file=None)`: CPython loads the shared library; the VM has the
/// modules it implements natively, and no others.
fn create_dynamic(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [spec, _] = Spec::method(
        "_imp",
        "create_dynamic",
        Style::Positional,
        &["spec", "file"],
        1,
    )
    .bind::<2>(vm, &args, 0)?;
    let spec = spec.unwrap_or(Value::None);
    let name = vm.getattr(&spec, "name")?;
    let Value::Str(name) = name.builtin_value().clone() else {
        return Err(vm.type_error("name must be string"));
    };
    match super::create_by_name(vm, &name) {
        Some(m) => {
            if let Value::Module(m) = &m {
                let origin = vm.getattr(&spec, "origin")?;
                m.dict.set_str("__file__", origin);
            }
            Ok(m)
        }
        None if OPTIONAL_ABSENT.contains(&&*name) => {
            let exc = vm.new_exception(
                &vm.ty("ModuleNotFoundError"),
                vec![Value::str(&format!("No module named '{name}'"))],
            );
            crate::runtime::excmembers::set(vm, &exc, "name", Some(Value::Str(name.clone())));
            Err(vm.raise(exc))
        }
        None => Err(vm.unsupported(format!("the extension module {name}"))),
    }
}

/// The extension modules CPython 3.12 builds only when the system has their library
/// (`configure`'s optional modules: compression, TLS and hashing, databases, terminals,
/// GUI, FFI) and its test modules (left out by `--disable-test-modules`): the VM is a
/// CPython built without them, so importing one is the ModuleNotFoundError such a build
/// gives, and the standard library's fallbacks run (`shutil` without zlib, bz2 and lzma
/// archives; `hashlib` on the built-in hashes; Lib/test skips what needs `_testcapi`).
pub const OPTIONAL_ABSENT: &[&str] = &[
    "_bz2",
    "_crypt",
    "_ctypes",
    "_curses",
    "_curses_panel",
    "_dbm",
    "_gdbm",
    "_hashlib",
    "_lzma",
    "_sqlite3",
    "_ssl",
    "_testbuffer",
    "_testcapi",
    "_testclinic",
    "_testimportmultiple",
    "_testmultiphase",
    "_testsinglephase",
    "_tkinter",
    "_uuid",
    "nis",
    "_ctypes_test",
    "_xxtestfuzz",
    "readline",
    "xxlimited",
    "xxlimited_35",
    "xxsubtype",
    "zlib",
];

fn acquire_lock(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_imp", "acquire_lock", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    LOCK.with(|l| l.set(l.get() + 1));
    Ok(Value::None)
}

fn release_lock(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_imp", "release_lock", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    if LOCK.with(|l| l.get()) == 0 {
        return Err(vm.err("RuntimeError", "not holding the import lock"));
    }
    LOCK.with(|l| l.set(l.get() - 1));
    Ok(Value::None)
}

fn lock_held(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_imp", "lock_held", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Bool(LOCK.with(|l| l.get()) > 0))
}

/// `_fix_co_filename(code, path)`: CPython rewrites `co_filename` through the code
/// object's constants when a .pyc moved; the VM's code objects are immutable, so only
/// the unchanged case is supported.
fn fix_co_filename(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [code, path] = Spec::method(
        "_imp",
        "_fix_co_filename",
        Style::Positional,
        &["code", "path"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let code = code.unwrap_or(Value::None);
    let Value::Code(code) = code else {
        let n = super::super::builtins::type_name_of_arg(vm, &code);
        return Err(vm.type_error(format!(
            "_fix_co_filename() argument 1 must be code, not {n}"
        )));
    };
    let path = path.unwrap_or(Value::None);
    let Value::Str(path) = path.builtin_value().clone() else {
        let n = super::super::builtins::type_name_of_arg(vm, &path);
        return Err(vm.type_error(format!(
            "_fix_co_filename() argument 2 must be str, not {n}"
        )));
    };
    if *code.co_filename != *path {
        return Err(vm.unsupported("a .pyc file whose code names another source path"));
    }
    Ok(Value::None)
}

/// Forgets the import lock's count: at the start of a run.
pub fn reset() {
    LOCK.with(|l| l.set(0));
}
