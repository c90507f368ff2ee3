//! The `sys` module and, for runs without a standard library, a native stand-in for
//! `inspect` (with one, `import inspect` runs CPython's Lib/inspect.py) (spec:
//! frames.getframe, frames.currentframe, tracing.settrace.*, tracing.gettrace,
//! exceptions.exc_info).

use std::rc::Rc;

use super::argspec::{Spec, Style};
use super::builtins::arity;
use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Instance, Module, NativeFn, Value};
use super::PyResult;

fn module(vm: &mut Vm, name: &'static str, fns: &[(&'static str, NativeFn)]) -> Rc<Dict> {
    let d = Dict::new_rc();
    d.set_str("__name__", Value::str(name));
    d.set_str("__doc__", Value::None);
    // Set by importlib's `_setup` (see `import`).
    d.set_str("__package__", Value::None);
    d.set_str("__loader__", Value::None);
    d.set_str("__spec__", Value::None);
    for &(n, f) in fns {
        d.set_str(n, module_function(name, n, f));
    }
    let m = Module {
        name: Rc::from(name),
        dict: d.clone(),
        file: None,
    };
    vm.modules.set_str(name, Value::Module(Rc::new(m)));
    d
}

/// A function of a native module: its `__module__` and `__self__` are that module.
pub fn module_function(module: &'static str, name: &'static str, func: NativeFn) -> Value {
    Value::Builtin(Rc::new(super::object::Builtin {
        name,
        owner: None,
        func,
        module: Some(module),
    }))
}

fn stream(vm: &Vm, n: i64) -> Value {
    let o = Instance {
        class: std::cell::RefCell::new(vm.ty("TextIOWrapper")),
        dict: Dict::new_rc(),
        exc: None,
        payload: None,
        slots: std::cell::RefCell::new(Vec::new()),
    };
    o.dict.set_str("_framespec_stream", Value::Int(n));
    let name = match n {
        0 => "<stdin>",
        1 => "<stdout>",
        _ => "<stderr>",
    };
    o.dict.set_str("name", Value::str(name));
    // `create_stdio` in the sandbox's C.UTF-8 locale: UTF-8, stderr backslashreplace,
    // the others surrogateescape (what `textcodec::std_stream_text` writes).
    o.dict.set_str("encoding", Value::str("utf-8"));
    let errors = if n == 2 {
        "backslashreplace"
    } else {
        "surrogateescape"
    };
    o.dict.set_str("errors", Value::str(errors));
    Value::Object(crate::runtime::gc::alloc(o))
}

pub fn install(vm: &mut Vm) {
    let sys = module(
        vm,
        "sys",
        &[
            ("_getframe", getframe),
            ("_getframemodulename", getframemodulename),
            ("settrace", settrace),
            ("gettrace", gettrace),
            ("setprofile", setprofile),
            ("getprofile", getprofile),
            ("_setprofileallthreads", setprofileallthreads),
            ("exc_info", exc_info),
            ("exception", exception),
            ("getrecursionlimit", getrecursionlimit),
            ("setrecursionlimit", setrecursionlimit),
            ("exit", exit),
            ("excepthook", excepthook),
            ("unraisablehook", super::unraisable::unraisablehook),
            ("intern", intern),
            ("get_int_max_str_digits", get_int_max_str_digits),
            ("set_int_max_str_digits", set_int_max_str_digits),
            ("getfilesystemencoding", getfilesystemencoding),
            ("getfilesystemencodeerrors", getfilesystemencodeerrors),
            ("getdefaultencoding", getdefaultencoding),
            ("is_finalizing", is_finalizing),
            ("audit", audit),
        ],
    );
    let out = stream(vm, 1);
    let err = stream(vm, 2);
    sys.set_str("stdout", out.clone());
    sys.set_str("stderr", err.clone());
    sys.set_str("__stdout__", out);
    sys.set_str("__stderr__", err);
    let stdin = stream(vm, 0);
    super::syshooks::install(vm, &sys, stdin);
    // The hook CPython starts with is kept as `__excepthook__`.
    if let Some(hook) = sys.get_str("excepthook") {
        sys.set_str("__excepthook__", hook);
    }
    if let Some(hook) = sys.get_str("unraisablehook") {
        sys.set_str("__unraisablehook__", hook);
    }
    sys.set_str("hexversion", Value::Int(0x030c01f0));
    sys.set_str("modules", Value::Dict(vm.modules.clone()));
    sys.set_str("argv", Value::list(vec![Value::Str(vm.filename.clone())]));
    sys.set_str("platform", Value::str("linux"));
    sys.set_str("byteorder", Value::str("little"));
    sys.set_str("maxsize", Value::Int(i64::MAX));
    sys.set_str("maxunicode", Value::Int(0x10FFFF));
    // The build's identity as CPython 3.12 on x86-64 Linux reports it; without a
    // standard library the VM stands for no installation, and has no executable (which
    // CPython reports as "").
    sys.set_str("executable", Value::str(""));
    sys.set_str("_base_executable", Value::str(""));
    sys.set_str("abiflags", Value::str(""));
    sys.set_str("api_version", Value::Int(1013));
    sys.set_str("platlibdir", Value::str("lib"));
    sys.set_str("float_repr_style", Value::str("short"));
    sys.set_str("_home", Value::None);
    sys.set_str("_framework", Value::str(""));
    sys.set_str(
        "_git",
        Value::tuple(vec![Value::str("CPython"), Value::str(""), Value::str("")]),
    );
    let stdlib = super::object::Set::new(true);
    for name in super::cpython_names::STDLIB_MODULES {
        let _ = stdlib.items.add(Value::str(name));
    }
    sys.set_str("stdlib_module_names", Value::Set(Rc::new(stdlib)));
    // `version_info` (a struct sequence with named fields, which the VM lacks),
    // `version`, `path`, `executable`, `builtin_module_names` and the rest of CPython's
    // `sys` are left out: a program reading them reaches `reach`'s unsupported rule
    // rather than a value CPython would never show.
    module(
        vm,
        "inspect",
        &[
            ("currentframe", currentframe),
            ("isfunction", isfunction),
            ("isframe", isframe),
        ],
    );
}

/// The `sys` attributes of the import system and of the interpreter's identity, set once
/// the run's standard library is known: with one, `sys.path` is its directory and
/// `lib-dynload` beside the modules (the script's own directory is not readable in the
/// sandbox), and importlib's hooks fill `meta_path` and `path_hooks` when it is set up.
pub fn import_state(vm: &mut Vm) {
    let Some(Value::Module(sys)) = vm.modules.get_str("sys") else {
        return;
    };
    let d = &sys.dict;
    let names = super::cpython_names::BUILTIN_MODULES
        .iter()
        .map(|n| Value::str(n))
        .collect();
    d.set_str("builtin_module_names", Value::tuple(names));
    let mut path = match &vm.stdlib {
        Some(lib) => vec![
            Value::str(&lib.to_string_lossy()),
            Value::str(&lib.join("lib-dynload").to_string_lossy()),
        ],
        None => Vec::new(),
    };
    // The script's directory comes first (`PySys_SetArgvEx` / `pymain_run_python`'s
    // sys.path[0]) when the program has one: a case with modules.
    if vm.program.is_some() {
        path.insert(0, Value::str(super::program::PROGRAM_DIR));
    }
    d.set_str("path", Value::list(path));
    d.set_str("meta_path", Value::list(Vec::new()));
    d.set_str("path_hooks", Value::list(Vec::new()));
    d.set_str("path_importer_cache", Value::Dict(Dict::new_rc()));
    d.set_str("dont_write_bytecode", Value::Bool(true));
    d.set_str("pycache_prefix", Value::None);
    let prefix = vm.stdlib.as_deref().and_then(installation_prefix);
    if let Some(prefix) = prefix {
        let prefix = prefix.to_string_lossy();
        for name in ["prefix", "base_prefix", "exec_prefix", "base_exec_prefix"] {
            d.set_str(name, Value::str(&prefix));
        }
        // The VM runs in the place of that installation's python3.12 (it has no
        // executable of its own a program could start).
        let python = format!("{prefix}/bin/python3.12");
        d.set_str("executable", Value::str(&python));
        d.set_str("_base_executable", Value::str(&python));
    }
    // No -W or -X options (`warnings` reads them when it is imported).
    d.set_str("warnoptions", Value::list(Vec::new()));
    // With a standard library, `import inspect` runs CPython's Lib/inspect.py; the native
    // stand-in `install` made serves the runs without one.
    if vm.stdlib.is_some() {
        let _ = vm.modules.remove(&Value::str("inspect"));
    }
    d.set_str("_xoptions", Value::Dict(Dict::new_rc()));
    d.set_str(
        "_stdlib_dir",
        vm.stdlib
            .as_ref()
            .map_or(Value::None, |l| Value::str(&l.to_string_lossy())),
    );
    let version = super::structseq::make(
        vm,
        "version_info",
        vec![
            Value::Int(3),
            Value::Int(12),
            Value::Int(1),
            Value::str("final"),
            Value::Int(0),
        ],
    );
    d.set_str("version_info", version.clone());
    // `sys.version`: CPython's starts with the version (sysconfig and platform parse it),
    // then the build and the compiler in the shape `platform._sys_version` reads; a VM
    // built by rustc says so there rather than borrow one CPython build's date.
    d.set_str("version", Value::str("3.12.1 (main, framespec) [rustc]"));
    // `sys.float_info`: IEEE 754 binary64, as `PyFloat_GetInfo` reports it.
    let float_info = vec![
        Value::Float(f64::MAX),
        Value::Int(f64::MAX_EXP.into()),
        Value::Int(f64::MAX_10_EXP.into()),
        Value::Float(f64::MIN_POSITIVE),
        Value::Int(f64::MIN_EXP.into()),
        Value::Int(f64::MIN_10_EXP.into()),
        Value::Int(f64::DIGITS.into()),
        Value::Int(f64::MANTISSA_DIGITS.into()),
        Value::Float(f64::EPSILON),
        Value::Int(f64::RADIX.into()),
        Value::Int(1),
    ];
    d.set_str(
        "float_info",
        super::structseq::make(vm, "float_info", float_info),
    );
    // `sys.hash_info`: `Py_HashSecret`'s parameters — 64-bit hashes modulo the Mersenne
    // prime 2**61 - 1 (`_PyHASH_MODULUS`), SipHash-1-3 for str and bytes, no small-string
    // cutoff (`Python/pyhash.c`).
    let hash_info = vec![
        Value::Int(64),
        Value::Int((1 << 61) - 1),
        Value::Int(314159),
        Value::Int(0),
        Value::Int(1000003),
        Value::str("siphash13"),
        Value::Int(64),
        Value::Int(128),
        Value::Int(0),
    ];
    d.set_str(
        "hash_info",
        super::structseq::make(vm, "hash_info", hash_info),
    );
    // `sys.int_info`: CPython's 30-bit digits (the VM's ints are not stored so, but their
    // str-conversion limits are CPython's).
    let int_info = vec![
        Value::Int(30),
        Value::Int(4),
        Value::Int(4300),
        Value::Int(640),
    ];
    d.set_str("int_info", super::structseq::make(vm, "int_info", int_info));
    // `sys.thread_info` names the thread library; the VM has one thread and no library,
    // which CPython reports as a version of None.
    let thread_info = vec![Value::str("pthread"), Value::str("semaphore"), Value::None];
    d.set_str(
        "thread_info",
        super::structseq::make(vm, "thread_info", thread_info),
    );
    // `sys.flags` of `python3.12 main.py` under the harness's environment
    // (PYTHONHASHSEED=0, PYTHONUTF8=1), never writing bytecode.
    let mut flags: Vec<Value> = vec![Value::Int(0); 18];
    flags[4] = Value::Int(1);
    flags[13] = Value::Bool(false);
    flags[14] = Value::Int(1);
    flags[16] = Value::Bool(false);
    flags[17] = Value::Int(vm.int_max_str_digits as i64);
    d.set_str("flags", super::structseq::make(vm, "flags", flags));
    let implementation = vm.new_instance(&vm.ty("SimpleNamespace"), &Args::default());
    if let Value::Object(o) = &implementation {
        o.dict.set_str("name", Value::str("cpython"));
        o.dict.set_str("cache_tag", Value::str("cpython-312"));
        o.dict.set_str("version", version);
        o.dict.set_str("hexversion", Value::Int(0x030c01f0));
        o.dict.set_str("_multiarch", Value::str("x86_64-linux-gnu"));
    }
    d.set_str("implementation", implementation);
}

/// The installation a standard library belongs to (`<prefix>/lib/python3.12`), as
/// getpath.py computes it for a python outside a virtual environment.
pub fn installation_prefix(lib: &std::path::Path) -> Option<&std::path::Path> {
    let parent = lib.parent()?;
    let ok = lib.file_name().is_some_and(|n| n == "python3.12")
        && parent.file_name().is_some_and(|n| n == "lib");
    ok.then(|| parent.parent()).flatten()
}

/// `types.SimpleNamespace(**kwargs)` (3.12 takes no positional argument).
pub fn new_namespace(vm: &mut Vm, t: &Rc<super::types::Type>, args: Args) -> PyResult<Value> {
    if !args.pos.is_empty() {
        return Err(vm.type_error("no positional arguments expected"));
    }
    let ns = vm.new_instance(t, &Args::default());
    if let Value::Object(o) = &ns {
        for (k, v) in args.kw {
            o.dict.set_str(&k, v);
        }
    }
    Ok(ns)
}

/// `types.SimpleNamespace.__repr__`: `namespace(a=1, b=2)`, in insertion order.
fn namespace_repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Object(o)) = args.pos.first().cloned() else {
        return Err(vm.bug("SimpleNamespace.__repr__ without a namespace"));
    };
    let t = o.class.borrow().clone();
    let name = if t.is_builtin() {
        "namespace".to_owned()
    } else {
        t.name().to_string()
    };
    // Py_ReprEnter: a namespace inside itself shows as `namespace(...)`.
    // Keyed by the namespace's dict: `repr` has already marked the object itself.
    let key = Rc::as_ptr(&o.dict) as *const u8 as usize;
    if vm.repr_active.contains(&key) {
        return Ok(Value::str(&format!("{name}(...)")));
    }
    vm.repr_active.push(key);
    let r = (|| {
        let mut parts = Vec::new();
        for (k, v) in o.dict.items() {
            if let Value::Str(k) = &k {
                parts.push(format!("{k}={}", vm.repr(&v)?));
            }
        }
        Ok(parts)
    })();
    vm.repr_active.retain(|k| *k != key);
    Ok(Value::str(&format!("{name}({})", r?.join(", "))))
}

/// `namespace_richcompare`: two namespaces compare by their dicts for `==` and `!=`;
/// anything else is NotImplemented.
fn namespace_compare(vm: &mut Vm, args: &Args, op: crate::oparg::CompareOp) -> PyResult<Value> {
    let (Some(a), Some(b)) = (args.pos.first(), args.pos.get(1)) else {
        return Err(vm.type_error("expected 1 argument, got 0"));
    };
    let t = vm.ty("SimpleNamespace");
    match (a, b) {
        (Value::Object(x), Value::Object(y))
            if vm.type_of(a).is_subtype(&t) && vm.type_of(b).is_subtype(&t) =>
        {
            let (x, y) = (Value::Dict(x.dict.clone()), Value::Dict(y.dict.clone()));
            vm.compare(op, &x, &y)
        }
        _ => Ok(Value::NotImplemented),
    }
}

fn namespace_eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    namespace_compare(vm, &args, crate::oparg::CompareOp::Eq)
}

fn namespace_ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    namespace_compare(vm, &args, crate::oparg::CompareOp::Ne)
}

/// `namespace_reduce`: `(type(self), (), self.__dict__)`.
fn namespace_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(me @ Value::Object(o)) = args.pos.first() else {
        return Err(vm.bug("SimpleNamespace.__reduce__ without a namespace"));
    };
    Ok(Value::tuple(vec![
        Value::Type(vm.type_of(me)),
        Value::tuple(vec![]),
        Value::Dict(o.dict.clone()),
    ]))
}

pub const NAMESPACE_METHODS: &[(&str, &str, NativeFn)] = &[
    ("SimpleNamespace", "__repr__", namespace_repr),
    ("SimpleNamespace", "__eq__", namespace_eq),
    ("SimpleNamespace", "__ne__", namespace_ne),
    ("SimpleNamespace", "__reduce__", namespace_reduce),
];

/// An attribute of the `sys` module (programs may replace `sys.stdout`).
pub fn sys_attr(vm: &Vm, name: &str) -> Value {
    match vm.modules.get_str("sys") {
        Some(Value::Module(m)) => m.dict.get_str(name).unwrap_or(Value::None),
        _ => Value::None,
    }
}

/// `sys._getframe(depth=0)`: the caller's frame, `depth` frames out. spec: frames.getframe
fn getframe(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let depth = args
        .take_kw("depth")
        .or_else(|| args.pos.first().cloned())
        .unwrap_or(Value::Int(0));
    // Argument Clinic's `int` converter (`_PyLong_AsInt`).
    let depth = i64::from(vm.c_int(&depth)?);
    let n = vm.frames.len() as i64;
    let index = n - 1 - depth.max(0);
    if index < vm.stack_base() as i64 {
        return Err(vm.value_error("call stack is not deep enough"));
    }
    match vm.frame_object(index as usize) {
        Some(fo) => Ok(Value::Frame(fo)),
        None => Err(vm.value_error("call stack is not deep enough")),
    }
}

/// `sys._getframemodulename(depth=0)`: the `__module__` of the function whose frame is
/// `depth` calls down the stack (a module's or an exec'd code's frame: its globals'
/// `__name__`, which CPython's function for that code took), or None past the bottom.
fn getframemodulename(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [depth] = super::argspec::Spec::function(
        "_getframemodulename",
        super::argspec::Style::Keywords,
        &["depth"],
        0,
    )
    .keywords(0, 1)
    .bind::<1>(vm, &args, 0)?;
    let depth = match depth {
        Some(d) => super::argspec::index(vm, &d)?,
        None => 0,
    };
    let n = vm.frames.len() as i64;
    let index = n - 1 - depth.max(0);
    if index < vm.stack_base() as i64 {
        return Ok(Value::None);
    }
    let frame = &vm.frames[index as usize];
    Ok(match &frame.func {
        Some(f) => f.module.borrow().clone(),
        None => frame.globals.get_str("__name__").unwrap_or(Value::None),
    })
}

/// CPython's `inspect` is Python code (Lib/inspect.py): under a program's trace function
/// its frames produce events that this native stand-in cannot, so that is unsupported.
fn pure_python_stand_in(vm: &Vm, name: &str) -> PyResult<()> {
    if vm.trace.sys_trace.is_none() {
        Ok(())
    } else {
        Err(vm.unsupported(format!(
            "inspect.{name} while a trace function is set (CPython traces its Python frame)"
        )))
    }
}

/// The Python functions `inspect.isfunction(object)` and friends bind arguments as Python
/// does; only the plain one-positional call is implemented.
fn one_positional(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    if args.pos.len() == 1 && args.kw.is_empty() {
        Ok(())
    } else {
        Err(vm.unsupported(format!(
            "inspect.{name} called other than with one positional argument"
        )))
    }
}

/// `inspect.currentframe()`. spec: frames.currentframe
fn currentframe(vm: &mut Vm, args: Args) -> PyResult<Value> {
    pure_python_stand_in(vm, "currentframe")?;
    // As the Python function `def currentframe():` rejects arguments.
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!(
            "currentframe() got an unexpected keyword argument '{k}'"
        )));
    }
    match args.pos.len() {
        0 => {}
        1 => {
            return Err(vm.type_error("currentframe() takes 0 positional arguments but 1 was given"))
        }
        n => {
            return Err(vm.type_error(format!(
                "currentframe() takes 0 positional arguments but {n} were given"
            )))
        }
    }
    match vm
        .frames
        .len()
        .checked_sub(1)
        .and_then(|i| vm.frame_object(i))
    {
        Some(fo) => Ok(Value::Frame(fo)),
        None => Ok(Value::None),
    }
}

fn isfunction(vm: &mut Vm, args: Args) -> PyResult<Value> {
    pure_python_stand_in(vm, "isfunction")?;
    one_positional(vm, &args, "isfunction")?;
    Ok(Value::Bool(matches!(args.pos[0], Value::Function(_))))
}

fn isframe(vm: &mut Vm, args: Args) -> PyResult<Value> {
    pure_python_stand_in(vm, "isframe")?;
    one_positional(vm, &args, "isframe")?;
    Ok(Value::Bool(matches!(args.pos[0], Value::Frame(_))))
}

/// `sys.settrace(fn)`. spec: tracing.settrace.call
fn settrace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "sys.settrace", 1, 1)?;
    vm.trace.set_sys_trace(args.pos[0].clone());
    Ok(Value::None)
}

/// A `METH_NOARGS` function's check: `sys.gettrace() takes no arguments (1 given)`.
fn no_args(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    use super::argspec::{Spec, Style};
    Spec::function(name, Style::NoArgs, &[], 0)
        .parse(vm, args, 0)
        .map(|_| ())
}

/// `sys.gettrace()`. spec: tracing.gettrace
fn gettrace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "sys.gettrace")?;
    Ok(vm.trace.sys_trace.clone())
}

/// `sys.getprofile()` (`sys_getprofile_impl`).
fn getprofile(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "sys.getprofile")?;
    Ok(vm.trace.sys_profile.clone())
}

/// `sys.setprofile(fn)` (`sys_setprofile`, METH_O): any object; None unsets. spec:
/// tracing.setprofile
fn setprofile(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "sys.setprofile", 1, 1)?;
    super::profile::set_profile(vm, args.pos[0].clone());
    Ok(Value::None)
}

/// `sys._setprofileallthreads(fn)`, what `threading.setprofile_all_threads` calls: the
/// VM runs one thread, so it is `sys.setprofile`.
fn setprofileallthreads(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "sys._setprofileallthreads", 1, 1)?;
    super::profile::set_profile(vm, args.pos[0].clone());
    Ok(Value::None)
}

/// `sys.exc_info()`. spec: exceptions.exc_info
fn exc_info(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    let e = vm.handled_exception();
    if e.is_none() {
        return Ok(Value::tuple(vec![Value::None, Value::None, Value::None]));
    }
    let tb = e
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    Ok(Value::tuple(vec![Value::Type(vm.type_of(&e)), e, tb]))
}

/// `sys.exception()`. spec: exceptions.exc_info
fn exception(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(vm.handled_exception())
}

/// `sys.getfilesystemencoding()`: UTF-8, as in the UTF-8 mode the VM models
/// (`sys.flags.utf8_mode`).
fn getfilesystemencoding(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "getfilesystemencoding", Style::NoArgs, &[], 0).bind::<0>(vm, &args, 0)?;
    Ok(Value::str("utf-8"))
}

/// `sys.getfilesystemencodeerrors()`: the UTF-8 mode's `surrogateescape`.
fn getfilesystemencodeerrors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "getfilesystemencodeerrors", Style::NoArgs, &[], 0)
        .bind::<0>(vm, &args, 0)?;
    Ok(Value::str("surrogateescape"))
}

/// `sys.getdefaultencoding()`: always `utf-8` in Python 3.
fn getdefaultencoding(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "getdefaultencoding", Style::NoArgs, &[], 0).bind::<0>(vm, &args, 0)?;
    Ok(Value::str("utf-8"))
}

/// `sys.is_finalizing()`: a running program is never in interpreter shutdown (the VM
/// runs `atexit` callbacks before it, as `Py_FinalizeEx` does).
fn is_finalizing(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "is_finalizing", Style::NoArgs, &[], 0).bind::<0>(vm, &args, 0)?;
    Ok(Value::Bool(false))
}

/// `sys.audit(event, *args)`: with no audit hook installed (`addaudithook` is
/// unsupported) `sys_audit` returns before it looks at the event at all.
fn audit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("sys.audit() takes no keyword arguments"));
    }
    if args.pos.is_empty() {
        return Err(vm.type_error("audit() missing 1 required positional argument: 'event'"));
    }
    Ok(Value::None)
}

fn getrecursionlimit(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::Int(vm.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "setrecursionlimit", 1, 1)?;
    let n = i64::from(vm.c_int(&args.pos[0])?);
    if n < 1 {
        return Err(vm.value_error("recursion limit must be greater or equal than 1"));
    }
    let depth = vm.thread_depth() as i64;
    if n <= depth {
        return Err(vm.err(
            "RecursionError",
            format!("cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low"),
        ));
    }
    // A very high limit would let Python recursion exhaust memory; frames are small, so
    // a generous cap keeps the VM in bounds.
    vm.recursion_limit = n.min(200_000) as usize;
    Ok(Value::None)
}

/// `sys.get_int_max_str_digits()`.
fn get_int_max_str_digits(vm: &mut Vm, args: Args) -> PyResult<Value> {
    crate::runtime::argspec::Spec::function(
        "get_int_max_str_digits",
        crate::runtime::argspec::Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 0)?;
    Ok(Value::Int(vm.int_max_str_digits as i64))
}

/// `sys.set_int_max_str_digits(maxdigits)` (`sys_set_int_max_str_digits_impl`): 0 lifts
/// the limit; below `sys.int_info.str_digits_check_threshold` it is refused.
fn set_int_max_str_digits(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [maxdigits] = crate::runtime::argspec::Spec::function(
        "set_int_max_str_digits",
        crate::runtime::argspec::Style::Keywords,
        &["maxdigits"],
        1,
    )
    .keywords(0, 1)
    .bind(vm, &args, 0)?;
    let n = vm.c_int(&crate::runtime::argspec::required(maxdigits))?;
    let threshold = crate::arith::text::STR_DIGITS_CHECK_THRESHOLD as i32;
    if n != 0 && n < threshold {
        return Err(vm.value_error(format!("maxdigits must be 0 or larger than {threshold}")));
    }
    vm.int_max_str_digits = n as usize;
    Ok(Value::None)
}

fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Err(vm.err_args("SystemExit", args.pos))
}

/// `sys.excepthook(type, value, traceback)` (`PyErr_Display`): the report of an uncaught
/// exception, as the VM prints one, written to `sys.stderr`.
fn excepthook(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::Spec::function(
        "excepthook",
        super::argspec::Style::Positional,
        &["exctype", "value", "traceback"],
        3,
    )
    .parse(vm, &args, 0)?;
    let value = args.pos[1].clone();
    // A value that is no exception is reported as such by the printer (its traceback
    // unused).
    if value
        .exc()
        .is_some_and(|data| !data.traceback.borrow().is(&args.pos[2]))
    {
        return Err(vm.unsupported(
            "sys.excepthook with a traceback other than the exception's __traceback__",
        ));
    }
    let text = super::traceback::format_exception(vm, &value)?;
    let stderr = sys_attr(vm, "stderr");
    let stderr = vm.getattr(&stderr, "write")?;
    vm.call1(&stderr, Value::str(&text))?;
    Ok(Value::None)
}

fn intern(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "intern", 1, 1)?;
    match &args.pos[0] {
        s @ Value::Str(_) => Ok(s.clone()),
        other => Err(vm.type_error(format!(
            "intern() argument must be str, not {}",
            vm.type_of(other).name()
        ))),
    }
}
