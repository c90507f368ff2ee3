//! Imports (CPython `Python/import.c`): what `import`, `from … import` and `__import__`
//! do before and after importlib.
//!
//! As in CPython, the machinery is importlib's own Python code: `importlib/_bootstrap.py`
//! and `_bootstrap_external.py` from CPython 3.12's standard library, read in place and
//! run as the frozen modules `_frozen_importlib` and `_frozen_importlib_external`
//! ([`boot`]). What `import.c` does in C is here: the `sys.modules` fast path, relative
//! names ([`resolve_name`]), the `fromlist`, the call of `_find_and_load`, and the
//! removal of importlib's frames from a failed import's traceback
//! ([`remove_importlib_frames`]).
//!
//! CPython sets importlib up before running anything; the VM does it at the first import
//! that `sys.modules` cannot answer, with tracing suspended, so a program that imports
//! nothing pays nothing. Without a standard library (`RunOptions::stdlib`), only the
//! native modules can be imported.

pub mod frozen;

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Module, Value};
use super::{modules, reach};
use super::{PyResult, Throw};

/// `PyImport_ImportModuleLevelObject(name, globals, locals, fromlist, level)`.
pub fn import_name(
    vm: &mut Vm,
    name: &str,
    globals: Option<&Value>,
    fromlist: &Value,
    level: i64,
) -> PyResult<Value> {
    if level < 0 {
        return Err(vm.value_error("level must be >= 0"));
    }
    let abs_name = if level > 0 {
        resolve_name(vm, name, globals, level)?
    } else {
        if name.is_empty() {
            return Err(vm.value_error("Empty module name"));
        }
        name.to_owned()
    };
    if vm.stdlib.is_none() {
        return import_without_stdlib(vm, &abs_name, name, level);
    }
    let module = match find_and_load(vm, &abs_name) {
        Ok(m) => m,
        Err(e) => return Err(remove_importlib_frames(vm, e)),
    };
    let has_from = !fromlist.is_none() && vm.truthy(fromlist)?;
    let result = if !has_from {
        let Some(dot) = name.find('.') else {
            return Ok(module);
        };
        if level == 0 {
            import_name(vm, &name[..dot], None, &Value::None, 0)
        } else {
            let cut_off = name.len() - dot;
            let to_return = &abs_name[..abs_name.len() - cut_off];
            match vm.modules.get_str(to_return) {
                Some(m) => Ok(m),
                None => Err(vm.err(
                    "KeyError",
                    format!(
                        "{} not in sys.modules as expected",
                        crate::runtime::standins::repr(to_return)
                    ),
                )),
            }
        }
    } else if vm.getattr(&module, "__path__").is_ok() {
        let importlib = boot(vm)?;
        let handle = vm.getattr(&importlib, "_handle_fromlist")?;
        let import_func = vm.builtins.get_str("__import__").unwrap_or(Value::None);
        vm.call(
            &handle,
            Args::new(vec![module, fromlist.clone(), import_func]),
        )
    } else {
        Ok(module)
    };
    result.map_err(|e| remove_importlib_frames(vm, e))
}

/// The module `abs_name` from `sys.modules` once it is initialised, else importlib's
/// `_find_and_load` (`import_get_module`, `import_ensure_initialized`,
/// `import_find_and_load`).
fn find_and_load(vm: &mut Vm, abs_name: &str) -> PyResult<Value> {
    let found = vm.modules.get_str(abs_name);
    if let Some(m) = found.filter(|m| !m.is_none()) {
        if initializing(vm, &m)? {
            let importlib = boot(vm)?;
            let f = vm.getattr(&importlib, "_lock_unlock_module")?;
            vm.call1(&f, Value::str(abs_name))?;
        }
        return Ok(m);
    }
    // CPython's start-up has imported os, and with it posixpath and genericpath: a
    // program's import of genericpath finds it made. The VM imports them when first
    // asked, os first, so genericpath's `import os` never meets a half-made genericpath
    // (posixpath reads `genericpath._splitext` as it runs).
    if matches!(abs_name, "genericpath" | "posixpath") && vm.modules.get_str("os").is_none() {
        find_and_load(vm, "os")?;
        if let Some(m) = vm.modules.get_str(abs_name) {
            return Ok(m);
        }
    }
    let importlib = boot(vm)?;
    let f = vm.getattr(&importlib, "_find_and_load")?;
    let import_func = vm.builtins.get_str("__import__").unwrap_or(Value::None);
    vm.call(&f, Args::new(vec![Value::str(abs_name), import_func]))
}

/// `_PyModuleSpec_IsInitializing`: `module.__spec__._initializing` is true.
fn initializing(vm: &mut Vm, module: &Value) -> PyResult<bool> {
    let Value::Module(m) = module else {
        return Ok(false);
    };
    let Some(spec) = m.dict.get_str("__spec__").filter(|s| !s.is_none()) else {
        return Ok(false);
    };
    match vm.getattr(&spec, "_initializing") {
        Ok(v) => vm.truthy(&v),
        Err(Throw::Exc(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// `resolve_name`: the absolute name of a relative import, from the importing module's
/// `__package__`, `__spec__` or `__name__`.
fn resolve_name(vm: &mut Vm, name: &str, globals: Option<&Value>, level: i64) -> PyResult<String> {
    let Some(globals) = globals else {
        return Err(vm.err("KeyError", "'__name__' not in globals"));
    };
    let Value::Dict(g) = globals else {
        return Err(vm.type_error("globals must be a dict"));
    };
    let package = g.get_str("__package__").filter(|p| !p.is_none());
    let spec = g.get_str("__spec__").filter(|s| !s.is_none());
    let package: String = match (package, spec) {
        (Some(p), spec) => {
            let Value::Str(p) = p.builtin_value().clone() else {
                return Err(vm.type_error("package must be a string"));
            };
            if let Some(spec) = spec {
                let parent = vm.getattr(&spec, "parent")?;
                if !vm.eq(&parent, &Value::Str(p.clone()))? {
                    // An ImportWarning through the warnings machinery.
                    return Err(vm.unsupported("the ImportWarning __package__ != __spec__.parent"));
                }
            }
            p.to_string()
        }
        (None, Some(spec)) => match vm.getattr(&spec, "parent")?.builtin_value() {
            Value::Str(p) => p.to_string(),
            _ => return Err(vm.type_error("__spec__.parent must be a string")),
        },
        (None, None) => {
            // CPython warns (ImportWarning, which the default filters ignore) and falls
            // back on `__name__` and `__path__`.
            let Some(n) = g.get_str("__name__") else {
                return Err(vm.err("KeyError", "'__name__' not in globals"));
            };
            let Value::Str(n) = n.builtin_value().clone() else {
                return Err(vm.type_error("__name__ must be a string"));
            };
            if g.get_str("__path__").is_some() {
                n.to_string()
            } else {
                n.rsplit_once('.')
                    .map(|(p, _)| p.to_owned())
                    .unwrap_or_default()
            }
        }
    };
    if package.is_empty() {
        return Err(vm.err(
            "ImportError",
            "attempted relative import with no known parent package",
        ));
    }
    let mut base = package.as_str();
    for _ in 1..level {
        match base.rsplit_once('.') {
            Some((head, _)) => base = head,
            None => {
                return Err(vm.err(
                    "ImportError",
                    "attempted relative import beyond top-level package",
                ))
            }
        }
    }
    Ok(if name.is_empty() {
        base.to_owned()
    } else {
        format!("{base}.{name}")
    })
}

/// Without a standard library: the native modules alone. A module of CPython's
/// standard library is unsupported, any other name the program's ModuleNotFoundError.
fn import_without_stdlib(vm: &mut Vm, abs_name: &str, name: &str, level: i64) -> PyResult<Value> {
    if level > 0 {
        return Err(vm.unsupported("a relative import without a standard library"));
    }
    let first = abs_name.split('.').next().unwrap_or(abs_name).to_owned();
    let found = modules::import(vm, &first);
    match found {
        Some(m) if first.len() == name.len() => Ok(m),
        None if reach::is_stdlib_module(&first) => {
            Err(vm.unsupported(format!("the standard library module {first}")))
        }
        Some(_) => Err(not_found(
            vm,
            name,
            format!("No module named '{name}'; '{first}' is not a package"),
        )),
        None => Err(not_found(vm, &first, format!("No module named '{first}'"))),
    }
}

/// ModuleNotFoundError for the module `name`, with its `name` attribute.
fn not_found(vm: &Vm, name: &str, message: String) -> Throw {
    let exc = vm.new_exception(&vm.ty("ModuleNotFoundError"), vec![Value::str(&message)]);
    if let Value::Object(o) = &exc {
        o.dict.set_str("name", Value::str(name));
    }
    vm.raise(exc)
}

/// `ModuleType(name, doc=None)` (CPython `module___init___impl`): an empty module.
pub fn new_module(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, doc] = super::argspec::Spec::function(
        "module",
        super::argspec::Style::Keywords,
        &["name", "doc"],
        1,
    )
    .keywords(0, 2)
    .bind::<2>(vm, &args, 0)?;
    let name = name.unwrap_or(Value::None);
    let Value::Str(n) = name.builtin_value().clone() else {
        let t = vm.type_of(&name).name().clone();
        return Err(vm.type_error(format!(
            "module.__init__() argument 'name' must be str, not {t}"
        )));
    };
    let dict = Dict::new_rc();
    dict.set_str("__name__", name);
    dict.set_str("__doc__", doc.unwrap_or(Value::None));
    dict.set_str("__package__", Value::None);
    dict.set_str("__loader__", Value::None);
    dict.set_str("__spec__", Value::None);
    Ok(Value::Module(Rc::new(Module {
        name: n,
        dict,
        file: None,
    })))
}

/// The code object of the frozen module `name`, compiled once per thread from its source
/// in the standard library under the name `<frozen ORIGNAME>`.
pub fn frozen_code(vm: &mut Vm, name: &str) -> PyResult<Option<Rc<crate::code::CodeObject>>> {
    let Some((orig, package)) = frozen::find(name) else {
        return Ok(None);
    };
    let Some(stdlib) = vm.stdlib.clone() else {
        return Ok(None);
    };
    let path = frozen::source_path(&stdlib, orig, package);
    let filename = format!("<frozen {orig}>");
    let made = frozen::cached(&filename, || -> PyResult<_> {
        if let Some(code) = frozen::from_pyc(&path, &filename) {
            return Ok(Rc::new(code));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            vm.unsupported(format!(
                "the frozen module {name}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        let text = crate::compile::decode_source_in(&bytes, Some(&stdlib)).map_err(|e| {
            vm.unsupported(format!(
                "the frozen module {name}: its source does not decode ({e:?})"
            ))
        })?;
        match crate::compile::compile(&text, &filename) {
            Ok(code) => Ok(code),
            Err(e) => Err(Throw::Unsupported(crate::Unsupported {
                feature: format!("compiling the frozen module {name}: {}", e.message),
                filename: path.display().to_string(),
                line: e.line,
                column: e.column,
                stack: Vec::new(),
            })),
        }
    })?;
    Ok(Some(made))
}

/// Sets importlib up before the program runs, with an instruction budget of its own (it
/// is the interpreter's start-up, not the program's work). A failure is the standard
/// library's fault, reported as unsupported with what went wrong.
pub fn boot_at_start(vm: &mut Vm) -> Result<(), crate::End> {
    let (left, used) = (vm.fuel_left, vm.fuel_used);
    vm.fuel_left = BOOT_FUEL;
    let result = boot(vm).and_then(|_| {
        vm.trace.tracing += 1;
        let r = site_builtins(vm);
        vm.trace.tracing -= 1;
        r
    });
    vm.fuel_left = left;
    vm.fuel_used = used;
    match result {
        Ok(_) => Ok(()),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            let shown = vm.str_of(&e).unwrap_or_default();
            let t = vm.type_of(&e).name().clone();
            Err(crate::End::Unsupported(crate::Unsupported {
                feature: format!("setting up importlib from this standard library ({t}: {shown})"),
                filename: String::new(),
                line: 0,
                column: 0,
                stack: Vec::new(),
            }))
        }
        Err(Throw::Unsupported(u)) => Err(crate::End::Unsupported(u)),
        Err(Throw::OutOfMemory) => Err(crate::End::OutOfMemory {
            limit_bytes: vm.heap.limit,
        }),
        Err(Throw::OutOfFuel) => Err(crate::End::Bug("importlib's set-up ran out of fuel".into())),
        Err(Throw::Bug(b)) => Err(crate::End::Bug(b)),
    }
}

/// What CPython's start-up adds to builtins through `site.main()`, as its `setquit`,
/// `setcopyright` and `sethelper` make them: `quit` and `exit` (`_sitebuiltins.Quitter`),
/// `copyright`, `credits` and `license` (`_sitebuiltins._Printer`, whose constructor
/// imports `os`, as site has by then) and `help` (`_sitebuiltins._Helper`). The rest of
/// `site.main()` (the site-packages directories on sys.path, `sitecustomize`) is not run.
fn site_builtins(vm: &mut Vm) -> PyResult<()> {
    // site.py's credits text, word for word.
    const CREDITS: &str =
        "    Thanks to CWI, CNRI, BeOpen.com, Zope Corporation and a cast of thousands
    for supporting Python development.  See www.python.org for more information.";
    let sitebuiltins = import_name(vm, "os", None, &Value::None, 0)
        .and_then(|_| import_name(vm, "_sitebuiltins", None, &Value::None, 0))?;
    let sys = vm
        .modules
        .get_str("sys")
        .ok_or_else(|| vm.bug("no sys module"))?;
    let b = vm.builtins.clone();
    let quitter = vm.getattr(&sitebuiltins, "Quitter")?;
    for name in ["quit", "exit"] {
        let q = vm.call(
            &quitter,
            Args::new(vec![Value::str(name), Value::str("Ctrl-D (i.e. EOF)")]),
        )?;
        b.set_str(name, q);
    }
    let printer = vm.getattr(&sitebuiltins, "_Printer")?;
    let copyright = vm.getattr(&sys, "copyright")?;
    let c = vm.call(
        &printer,
        Args::new(vec![Value::str("copyright"), copyright]),
    )?;
    b.set_str("copyright", c);
    let c = vm.call(
        &printer,
        Args::new(vec![Value::str("credits"), Value::str(CREDITS)]),
    )?;
    b.set_str("credits", c);
    // `here = sys._stdlib_dir`; dirs are `os.path.join(here, os.pardir), here, os.curdir`.
    let here = vm.getattr(&sys, "_stdlib_dir")?;
    let (files, dirs) = match here.builtin_value() {
        Value::Str(h) if !h.is_empty() => {
            let up = if h.ends_with('/') {
                format!("{h}..")
            } else {
                format!("{h}/..")
            };
            (
                vec![Value::str("LICENSE.txt"), Value::str("LICENSE")],
                vec![Value::str(&up), here.clone(), Value::str(".")],
            )
        }
        _ => return Err(vm.unsupported("site's license without sys._stdlib_dir")),
    };
    let c = vm.call(
        &printer,
        Args::new(vec![
            Value::str("license"),
            Value::str("See https://www.python.org/psf/license/"),
            Value::list(files),
            Value::list(dirs),
        ]),
    )?;
    b.set_str("license", c);
    let helper = vm.getattr(&sitebuiltins, "_Helper")?;
    let h = vm.call0(&helper)?;
    b.set_str("help", h);
    Ok(())
}

/// Instructions importlib's set-up may take (it takes about ten thousand).
const BOOT_FUEL: u64 = 10_000_000;

/// `__main__.__loader__` as CPython sets it: `BuiltinImporter` for `-c`, else a
/// `SourceFileLoader` (`SourcelessFileLoader` for a .pyc) named `__main__`.
pub fn main_loader(vm: &mut Vm, options: &crate::RunOptions) -> PyResult<Value> {
    let importlib = boot(vm)?;
    if options.command {
        return vm.getattr(&importlib, "BuiltinImporter");
    }
    let external = vm
        .modules
        .get_str("_frozen_importlib_external")
        .ok_or_else(|| vm.bug("no _frozen_importlib_external"))?;
    let class = if options.sourceless {
        "SourcelessFileLoader"
    } else {
        "SourceFileLoader"
    };
    let class = vm.getattr(&external, class)?;
    vm.call(
        &class,
        Args::new(vec![Value::str("__main__"), Value::str(&options.filename)]),
    )
}

/// importlib's `_bootstrap` module, set up on first use as CPython's `init_importlib`
/// and `init_importlib_external` do at start-up: `_frozen_importlib` run and installed
/// (`_install(sys, _imp)`), then the path-based importers
/// (`_install_external_importers()`) and zipimport's hook. Tracing is suspended
/// meanwhile, as the interpreter's start-up is never traced.
pub fn boot(vm: &mut Vm) -> PyResult<Value> {
    if let Some(m) = &vm.importlib {
        return Ok(m.clone());
    }
    if vm.stdlib.is_none() {
        return Err(vm.unsupported("importlib without a standard library"));
    }
    vm.trace.tracing += 1;
    let result = boot_traceless(vm);
    vm.trace.tracing -= 1;
    result
}

fn boot_traceless(vm: &mut Vm) -> PyResult<Value> {
    let Some(code) = frozen_code(vm, "_frozen_importlib")? else {
        return Err(vm.bug("importlib._bootstrap is not frozen"));
    };
    let dict = Dict::new_rc();
    dict.set_str("__name__", Value::str("_frozen_importlib"));
    // `PyImport_ImportFrozenModuleObject`: FrozenImporter's `_fix_up_module` reads it.
    dict.set_str("__origname__", Value::str("importlib._bootstrap"));
    let module = Value::Module(Rc::new(Module {
        name: Rc::from("_frozen_importlib"),
        dict: dict.clone(),
        file: None,
    }));
    vm.modules.set_str("_frozen_importlib", module.clone());
    super::builtins::exec::run_module_code(vm, code, dict)?;
    let sys = vm
        .modules
        .get_str("sys")
        .ok_or_else(|| vm.bug("no sys module"))?;
    let imp = modules::import(vm, "_imp").ok_or_else(|| vm.bug("no _imp module"))?;
    let install = vm.getattr(&module, "_install")?;
    vm.call(&install, Args::new(vec![sys.clone(), imp]))?;
    vm.importlib = Some(module.clone());
    let external = vm.getattr(&module, "_install_external_importers")?;
    vm.call(&external, Args::default())?;
    // `_PyImportZip_Init`: zipimport's path hook goes first.
    let zipimport = import_name(vm, "zipimport", None, &Value::None, 0)?;
    let hook = vm.getattr(&zipimport, "zipimporter")?;
    let hooks = vm.getattr(&sys, "path_hooks")?;
    if let Value::List(l) = hooks.builtin_value() {
        l.items.borrow_mut().insert(0, hook);
    }
    Ok(module)
}

/// `remove_importlib_frames`: a failed import's traceback without importlib's frames —
/// all of them for an ImportError, else each run of them that ends in
/// `_call_with_frames_removed` (the frames of the module that failed stay).
pub fn remove_importlib_frames(vm: &mut Vm, e: Throw) -> Throw {
    let exc = match &e {
        Throw::Exc(x) | Throw::Reraise(x) => x.clone(),
        _ => return e,
    };
    let Value::Object(o) = &exc else {
        return e;
    };
    let Some(data) = &o.exc else {
        return e;
    };
    let always = vm.is_instance_of(&exc, "ImportError");
    let mut entries = Vec::new();
    let mut tb = data.traceback.borrow().clone();
    while let Value::Traceback(t) = tb {
        tb = t.tb_next.borrow().clone();
        entries.push(t);
    }
    let mut keep = vec![true; entries.len()];
    let mut chunk_start: Option<usize> = None;
    let mut in_importlib = false;
    for (i, t) in entries.iter().enumerate() {
        let code = vm.with_frame(&t.tb_frame, |f| f.info.code.clone());
        let (file, name) = match &code {
            Some(c) => (c.co_filename.to_string(), c.co_name.to_string()),
            None => (String::new(), String::new()),
        };
        let now = file == "<frozen importlib._bootstrap>"
            || file == "<frozen importlib._bootstrap_external>";
        if now && !in_importlib {
            chunk_start = Some(i);
        }
        in_importlib = now;
        if in_importlib && (always || name == "_call_with_frames_removed") {
            if let Some(s) = chunk_start {
                for k in keep.iter_mut().take(i + 1).skip(s) {
                    *k = false;
                }
            }
            chunk_start = Some(i + 1);
        }
    }
    if keep.iter().all(|k| *k) {
        return e;
    }
    let kept: Vec<_> = entries
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(t, _)| t.clone())
        .collect();
    for pair in kept.windows(2) {
        *pair[0].tb_next.borrow_mut() = Value::Traceback(pair[1].clone());
    }
    if let Some(last) = kept.last() {
        *last.tb_next.borrow_mut() = Value::None;
    }
    *data.traceback.borrow_mut() = kept
        .first()
        .map(|t| Value::Traceback(t.clone()))
        .unwrap_or(Value::None);
    e
}
