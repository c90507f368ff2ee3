//! The native modules, one file per module as CPython's `Modules/` has them: what CPython
//! 3.12 implements in C is Rust here, so calling it pushes no Python frame and produces no
//! trace event. [`NATIVE`] is the table of them. With a standard library, importlib
//! creates them (`_imp.create_builtin`, `_imp.create_dynamic` for those CPython builds
//! as shared libraries); without one, [`import`] builds a module on its first import and
//! keeps it in `sys.modules`, so later imports give the same object.
//!
//! `sys` is installed at start-up by `sysmod`, and so is a stand-in for `inspect`, which
//! serves only runs without a standard library (with one, Lib/inspect.py runs).

pub mod abc;
pub mod array;
pub mod ast;
pub mod asyncio;
pub mod atexit;
pub mod binascii;
pub mod bisect;
pub mod codecs;
pub mod collections;
pub mod contextvars;
pub mod errno;
pub mod fcntl;
pub mod functools;
pub mod gcmodule;
pub mod heapq;
pub mod imp;
pub mod io;
pub mod itertools;
pub mod json;
pub mod locale;
pub mod marshal;
pub mod math;
pub mod opcode;
pub mod operator;
pub mod operator_types;
pub mod pickle;
pub mod pollobj;
pub mod posix;
pub mod posixsubprocess;
pub mod random;
pub mod select;
pub mod sha2;
pub mod signal;
pub mod socket;
pub mod sockobj;
pub mod sre;
pub mod stat;
pub mod string;
pub mod structmod;
pub mod testcapi;
pub mod testinternalcapi;
pub mod thread;
pub mod time;
pub mod tokenize;
pub mod typing;
pub mod unicodedata;
pub mod warnings;
pub mod weakref;

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Builtin, Module, Native, NativeFn, Value};
use super::types::Type;
use super::PyResult;

/// One native module: its name, whether CPython 3.12 loads it from a shared library in
/// `lib-dynload/` (so its repr names a file the VM does not have), and the function that
/// fills its namespace.
pub struct NativeModule {
    pub name: &'static str,
    pub from_file: bool,
    pub build: fn(&Vm, &Rc<Dict>),
}

/// The table of native modules.
pub const NATIVE: &[NativeModule] = &[
    NativeModule {
        name: "_abc",
        from_file: false,
        build: abc::build,
    },
    NativeModule {
        name: "_ast",
        from_file: false,
        build: ast::build,
    },
    NativeModule {
        name: "_asyncio",
        from_file: true,
        build: asyncio::build,
    },
    NativeModule {
        name: "_bisect",
        from_file: true,
        build: bisect::build,
    },
    NativeModule {
        name: "_contextvars",
        from_file: true,
        build: contextvars::build,
    },
    NativeModule {
        name: "_functools",
        from_file: false,
        build: functools::build,
    },
    NativeModule {
        name: "_heapq",
        from_file: true,
        build: heapq::build,
    },
    NativeModule {
        name: "_codecs",
        from_file: false,
        build: codecs::build,
    },
    NativeModule {
        name: "_collections",
        from_file: false,
        build: collections::build,
    },
    NativeModule {
        name: "_imp",
        from_file: false,
        build: imp::build,
    },
    NativeModule {
        name: "_io",
        from_file: false,
        build: io::build,
    },
    NativeModule {
        name: "_json",
        from_file: true,
        build: json::build,
    },
    NativeModule {
        name: "_locale",
        from_file: false,
        build: locale::build,
    },
    NativeModule {
        name: "_opcode",
        from_file: true,
        build: opcode::build,
    },
    NativeModule {
        name: "_posixsubprocess",
        from_file: true,
        build: posixsubprocess::build,
    },
    NativeModule {
        name: "_operator",
        from_file: false,
        build: operator::build,
    },
    NativeModule {
        name: "_pickle",
        from_file: true,
        build: pickle::build,
    },
    NativeModule {
        name: "_random",
        from_file: true,
        build: random::build,
    },
    NativeModule {
        name: "_sha2",
        from_file: true,
        build: sha2::build,
    },
    NativeModule {
        name: "_signal",
        from_file: false,
        build: signal::build,
    },
    NativeModule {
        name: "_socket",
        from_file: true,
        build: socket::build,
    },
    NativeModule {
        name: "_sre",
        from_file: false,
        build: sre::build,
    },
    NativeModule {
        name: "_stat",
        from_file: false,
        build: stat::build,
    },
    NativeModule {
        name: "_struct",
        from_file: true,
        build: structmod::build,
    },
    NativeModule {
        name: "_string",
        from_file: false,
        build: string::build,
    },
    NativeModule {
        name: "_testinternalcapi",
        from_file: true,
        build: testinternalcapi::build,
    },
    NativeModule {
        name: "unicodedata",
        from_file: true,
        build: unicodedata::build,
    },
    NativeModule {
        name: "_thread",
        from_file: false,
        build: thread::build_all,
    },
    NativeModule {
        name: "_tokenize",
        from_file: false,
        build: tokenize::build,
    },
    NativeModule {
        name: "_typing",
        from_file: false,
        build: typing::build,
    },
    NativeModule {
        name: "_warnings",
        from_file: false,
        build: warnings::build,
    },
    NativeModule {
        name: "_weakref",
        from_file: false,
        build: weakref::build,
    },
    NativeModule {
        name: "gc",
        from_file: false,
        build: gcmodule::build,
    },
    NativeModule {
        name: "array",
        from_file: true,
        build: array::build,
    },
    NativeModule {
        name: "atexit",
        from_file: false,
        build: atexit::build,
    },
    NativeModule {
        name: "_testcapi",
        from_file: true,
        build: testcapi::build,
    },
    NativeModule {
        name: "binascii",
        from_file: true,
        build: binascii::build,
    },
    NativeModule {
        name: "errno",
        from_file: false,
        build: errno::build,
    },
    NativeModule {
        name: "fcntl",
        from_file: true,
        build: fcntl::build,
    },
    NativeModule {
        name: "itertools",
        from_file: false,
        build: itertools::build,
    },
    NativeModule {
        name: "marshal",
        from_file: false,
        build: marshal::build,
    },
    NativeModule {
        name: "math",
        from_file: true,
        build: math::build,
    },
    NativeModule {
        name: "posix",
        from_file: false,
        build: posix::build,
    },
    NativeModule {
        name: "select",
        from_file: true,
        build: select::build,
    },
    NativeModule {
        name: "time",
        from_file: false,
        build: time::build,
    },
];

fn find(name: &str) -> Option<&'static NativeModule> {
    NATIVE.iter().find(|m| m.name == name)
}

/// Whether CPython's `name` module is a shared library (its repr names its file).
pub fn from_file(name: &str) -> bool {
    find(name).is_some_and(|m| m.from_file)
}

/// Whether `name` is a module the VM has and CPython builds in (`sys.builtin_module_names`
/// lists CPython's, [`super::cpython_names::BUILTIN_MODULES`]).
pub fn is_builtin(name: &str) -> bool {
    find(name).is_some_and(|m| !m.from_file) || matches!(name, "sys" | "builtins")
}

/// A fresh native module `name`, registered nowhere; `None` when the VM has none.
pub fn create_by_name(vm: &Vm, name: &str) -> Option<Value> {
    find(name).map(|native| create(vm, native))
}

/// The module `name` from `sys.modules`, or a native module created now and put there;
/// `None` when neither has it.
pub fn import(vm: &mut Vm, name: &str) -> Option<Value> {
    if let Some(m) = vm.modules.get_str(name) {
        return Some(m);
    }
    let native = find(name)?;
    let m = create(vm, native);
    vm.modules.set_str(name, m.clone());
    Some(m)
}

/// The second phase of a native module's creation, for the modules whose CPython exec
/// slot calls Python (imports, instances of Python classes): run by `_imp.exec_dynamic`
/// and `_imp.exec_builtin` after importlib set `__file__`, as CPython's multi-phase
/// initialisation does.
pub fn exec(vm: &mut Vm, m: &Value) -> PyResult<()> {
    let Value::Module(m) = m else {
        return Ok(());
    };
    match &*m.name {
        "_asyncio" => asyncio::exec(vm, &m.dict),
        "_contextvars" => {
            contextvars::exec(vm, &m.dict);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A fresh module object for `native` (not registered anywhere).
fn create(vm: &Vm, native: &NativeModule) -> Value {
    let d = Dict::new_rc();
    d.set_str("__name__", Value::str(native.name));
    d.set_str("__doc__", Value::None);
    d.set_str("__package__", Value::str(""));
    d.set_str("__loader__", Value::None);
    d.set_str("__spec__", Value::None);
    (native.build)(vm, &d);
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

/// Whether `module.name` is a function that reaches the system, present and unsupported
/// when called: posix's sandboxed functions, fcntl's, `select.select` and `select.poll`,
/// `_posixsubprocess.fork_exec`. A differential call of one would act on CPython's process
/// (lock a descriptor, wait, start a child), so `functions` leaves them out.
pub fn is_sandboxed(module: &str, name: &str) -> bool {
    let listed = |fns: &[(&str, NativeFn)]| fns.iter().any(|(n, _)| *n == name);
    match module {
        "posix" => posix::is_sandboxed(name),
        "fcntl" => listed(fcntl::FUNCTIONS),
        "select" => listed(select::FUNCTIONS),
        "_posixsubprocess" => listed(posixsubprocess::FUNCTIONS),
        "_socket" => socket::SANDBOXED.contains(&name),
        _ => false,
    }
}

/// Every function of every native module, as `(module, name)`: for `natives()`. The
/// sandboxed functions ([`is_sandboxed`]) are left out: they are placeholders that end
/// the run as unsupported, and a differential call of them would act on CPython's process.
pub fn functions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let vm = Vm::new("<natives>", 0);
    for native in NATIVE {
        let Value::Module(m) = create(&vm, native) else {
            continue;
        };
        for (k, v) in m.dict.items() {
            if let (Value::Str(name), Value::Builtin(_)) = (&k, &v) {
                // `_asyncio`'s functions read and change the process's running loop
                // and task registries, which one CPython process running every call of
                // the differential table shares between calls: tested by programs.
                if is_sandboxed(native.name, name) || native.name == "_asyncio" {
                    continue;
                }
                out.push((native.name.to_owned(), name.to_string()));
            }
        }
    }
    out
}

/// Attributes of native objects that are fields rather than methods.
pub fn native_attr(vm: &mut Vm, n: &Rc<Native>, name: &str) -> PyResult<Option<Value>> {
    Ok(match &**n {
        Native::WeakRef(w) if name == "__callback__" => Some(w.callback()),
        // A getset or member descriptor's `__name__`, `__objclass__` and `__qualname__`
        // (descrobject.c's `descr_members` and `descr_getset`).
        Native::GetSet(g) if matches!(name, "__name__" | "__objclass__" | "__qualname__") => {
            let Some(owner) = g.owner.upgrade() else {
                return Err(vm.bug("a descriptor whose class is gone"));
            };
            Some(match name {
                "__name__" => Value::str(g.name),
                "__objclass__" => Value::Type(owner),
                _ => Value::str(&format!("{}.{}", owner.qualname.borrow(), g.name)),
            })
        }
        Native::GetSet(g) if name == "__doc__" => {
            let Some(owner) = g.owner.upgrade() else {
                return Err(vm.bug("a descriptor whose class is gone"));
            };
            let key = owner.qualname.borrow().clone();
            match super::attr::generator_doc(&key, g.name) {
                Some(doc) if owner.is_builtin() => Some(doc),
                _ => None,
            }
        }
        Native::File(f) => io::attr(vm, f, name),
        Native::StringIO(s) => io::stringio::attr(vm, s, name)?,
        Native::NlDecoder(d) => io::nldecoder::attr(vm, d, name)?,
        Native::TextIO(t) => io::textio::attr(vm, &t.clone(), name)?,
        Native::BytesIO(b) => io::bytesio::attr(b, name),
        Native::MemoryView(m) => super::memoryview::attr(vm, m, name)?,
        Native::GenericAlias(_) | Native::Union(_) => super::genericalias::attr(vm, n, name)?,
        Native::Partial(_) | Native::KeyWrapper(_) | Native::LruCache(_) => {
            functools::attr(vm, n, name)?
        }
        Native::SrePattern(_) | Native::SreMatch(_) | Native::SreScanner(_) => {
            sre::attr(vm, n, name)?
        }
        Native::Deque(_) | Native::TupleGetter(_) => collections::attr(n, name),
        Native::Sha2(s) => sha2::attr(s, name),
        Native::JsonScanner(s) => json::scanner::attr(s, name),
        Native::JsonEncoder(e) => json::encoder::attr(e, name),
        Native::Struct(s) => structmod::attr(s, name),
        Native::Epoll(e) => select::attr(e, name),
        Native::Socket(so) => sockobj::attr(so, name),
        Native::Poll(_) => None,
        Native::Scandir(s) => posix::scratchfs::attr(s, name),
        Native::Super(s) => super::superobj::member(s, name),
        Native::ContextVar(_) | Native::Token(_) => contextvars::attr(vm, n, name),
        Native::Future(f) => asyncio::future::attr(vm, f, name)?,
        Native::TaskStep(s) => asyncio::task::step_attr(s, name),
        _ => None,
    })
}

/// Assigning (`Some`) or deleting (`None`) an attribute of a native object that has a
/// say in it (one with a `__dict__`, or a writable member): `None` for the others.
pub fn native_setattr(
    vm: &mut Vm,
    n: &Rc<Native>,
    name: &str,
    x: Option<Value>,
) -> Option<PyResult<()>> {
    match &**n {
        Native::Partial(_) | Native::KeyWrapper(_) | Native::LruCache(_) => {
            functools::setattr(vm, n, name, x)
        }
        // `_json`'s READONLY members: `PyMember_SetOne`'s wording.
        Native::JsonScanner(s) if json::scanner::attr(s, name).is_some() => {
            Some(Err(vm.err("AttributeError", "readonly attribute")))
        }
        Native::JsonEncoder(e) if json::encoder::attr(e, name).is_some() => {
            Some(Err(vm.err("AttributeError", "readonly attribute")))
        }
        _ => None,
    }
}

/// `repr()` of native objects.
pub fn native_repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    match n {
        Native::WeakRef(w) => super::weakref::repr(vm, v, w),
        Native::Lock(_) | Native::RLock(_) => Ok(thread::repr(v, n)),
        Native::File(f) => io::repr(vm, f),
        Native::MemoryView(m) => Ok(super::memoryview::repr(v, m)),
        Native::MemoryIter(_) => Ok(format!("<memory_iterator object at {:#x}>", v.address())),
        Native::MappingProxy(_) => {
            let f = vm.ty("mappingproxy").lookup("__repr__").unwrap_or_default();
            let r = vm.call1(&f, v.clone())?;
            vm.str_of(&r)
        }
        Native::GetSet(g) => Ok(super::mappingproxy::getset_repr(g)),
        Native::GenericAlias(g) => super::genericalias::alias_repr(vm, g),
        Native::Union(u) => super::genericalias::union_repr(vm, u),
        Native::AbcData(_) => Ok(format!("<_abc._abc_data object at {:#x}>", v.address())),
        Native::Itertool(t) => itertools::repr(vm, v, t),
        Native::ItemGetter(_) | Native::AttrGetter(_) | Native::MethodCaller(_) => {
            operator_types::repr(vm, v, n)
        }
        Native::Partial(_) | Native::KeyWrapper(_) | Native::LruCache(_) => {
            functools::repr(vm, v, n)
        }
        Native::SrePattern(_)
        | Native::SreMatch(_)
        | Native::SreScanner(_)
        | Native::SreTemplate(_) => sre::repr(vm, v, n),
        Native::Deque(_) | Native::DequeIter(_) | Native::TupleGetter(_) | Native::OdictIter(_) => {
            collections::repr(vm, v, n)
        }
        Native::ByteArray(b) => Ok(super::bytearray::repr(b)),
        Native::ByteArrayIter(_) => {
            Ok(format!("<bytearray_iterator object at {:#x}>", v.address()))
        }
        Native::StringIO(_) | Native::BytesIO(_) | Native::TextIO(_) | Native::NlDecoder(_) => {
            Err(vm.bug("the repr of an I/O payload"))
        }
        Native::Random(_) => Err(vm.bug("the repr of a Random payload")),
        Native::Sha2(s) => Ok(format!(
            "<_sha2.{} object at {:#x}>",
            s.kind.type_name(),
            v.address()
        )),
        Native::JsonScanner(_) => Ok(format!("<_json.Scanner object at {:#x}>", v.address())),
        Native::JsonEncoder(_) => Ok(format!("<_json.Encoder object at {:#x}>", v.address())),
        Native::Struct(_) => Err(vm.bug("the repr of a Struct payload")),
        Native::Pickler(_) | Native::Unpickler(_) => Err(vm.bug("the repr of a pickler payload")),
        Native::StructIter(_) => Ok(format!(
            "<_struct.unpack_iterator object at {:#x}>",
            v.address()
        )),
        Native::Epoll(_) => Ok(format!("<select.epoll object at {:#x}>", v.address())),
        Native::Socket(_) => Err(vm.bug("the repr of a socket payload")),
        Native::Poll(_) => Ok(format!("<select.poll object at {:#x}>", v.address())),
        Native::Scandir(s) => posix::scratchfs::repr(vm, v, s),
        Native::Super(s) => Ok(super::superobj::repr(s)),
        Native::Tokenizer(_) => Ok(format!(
            "<_tokenize.TokenizerIter object at {:#x}>",
            v.address()
        )),
        Native::Context(_) | Native::ContextVar(_) | Native::Token(_) => {
            contextvars::repr(vm, v, n)
        }
        Native::TokenMissing => Ok("<Token.MISSING>".to_owned()),
        Native::Future(_) => Err(vm.bug("the repr of a Future payload")),
        Native::FutureIter(_) => Ok(format!(
            "<_asyncio.FutureIter object at {:#x}>",
            v.address()
        )),
        Native::TaskStep(_) => Ok(format!(
            "<TaskStepMethWrapper object at {:#x}>",
            v.address()
        )),
    }
}

/// The calls of native modules' types (`_thread.RLock()`, `_weakref.ref(o)`,
/// `_io.FileIO(path)`): `None` for a type that is not one of them.
pub fn construct(vm: &mut Vm, t: &Rc<Type>, args: Args) -> Option<PyResult<Value>> {
    if let Some(made) = io::construct(vm, t, args.clone()) {
        return Some(made);
    }
    let made = match &*t.name() {
        "_thread.RLock" => thread::new_rlock(vm, &args),
        "awaitType" => testcapi::await_new(vm, t, args),
        "_random.Random" => random::construct(vm, t, args),
        "_struct.Struct" => structmod::construct(vm, t, args),
        "_pickle.Pickler" | "_pickle.Unpickler" => pickle::construct(vm, t, args),
        "pickle.PickleBuffer" => Err(vm.unsupported("pickle.PickleBuffer")),
        "_json.Scanner" => json::scanner::construct(vm, args),
        "_json.Encoder" => json::encoder::construct(vm, args),
        "select.epoll" => select::epoll_new(vm, t, args),
        "_tokenize.TokenizerIter" => tokenize::construct(vm, t, args),
        "_contextvars.Context" | "_contextvars.ContextVar" | "_contextvars.Token" => {
            let key = t.name().rsplit('.').next().unwrap_or_default().to_owned();
            let new = vm.ty(&key).dict.get_str("__new__").unwrap_or_default();
            let mut a = args;
            a.pos.insert(0, Value::Type(t.clone()));
            vm.call(&new, a)
        }
        "_asyncio.Future" | "_asyncio.Task" => asyncio::future::construct(vm, t, args),
        "_asyncio.FutureIter" | "TaskStepMethWrapper" | "Token.MISSING" => {
            Err(vm.type_error(format!("cannot create '{}' instances", t.name())))
        }
        "_socket.socket" => sockobj::construct(vm, t, args),
        "array.array" => Err(vm.unsupported(format!("making a {} object", t.name()))),
        "weakref.ReferenceType" => {
            let mut a = args;
            a.pos.insert(0, Value::Type(t.clone()));
            super::weakref::new_from_call(vm, a)
        }
        "operator.itemgetter" => operator::itemgetter_new(vm, args),
        "operator.attrgetter" => operator::attrgetter_new(vm, args),
        "operator.methodcaller" => operator::methodcaller_new(vm, args),
        "module" => super::import::new_module(vm, args),
        "ast.AST" => ast::construct(vm, t, args),
        "memoryview" => super::memoryview::construct(vm, args),
        "bytearray" => super::bytearray::construct(vm, args),
        "types.SimpleNamespace" => super::sysmod::new_namespace(vm, t, args),
        "_thread._local" => thread::local_new(vm, t, args),
        name if name.starts_with("itertools.") => itertools::construct(vm, name, args),
        name if name.starts_with("functools.") => functools::construct(vm, t, args),
        "os.terminal_size"
        | "os.statvfs_result"
        | "os.stat_result"
        | "posix.times_result"
        | "posix.uname_result"
        | "posix.waitid_result"
        | "posix.sched_param"
        | "time.struct_time"
        | "_thread._ExceptHookArgs"
        | "signal.struct_siginfo"
        | "UnraisableHookArgs"
        | "asyncgen_hooks" => return super::structseq::construct(vm, t, args),
        "re.Pattern"
        | "re.Match"
        | "_sre.SRE_Scanner"
        | "_sre.SRE_Template"
        | "_struct.unpack_iterator"
        | "_sha2.SHA224Type"
        | "_sha2.SHA256Type"
        | "_sha2.SHA384Type"
        | "_sha2.SHA512Type" => {
            Err(vm.type_error(format!("cannot create '{}' instances", t.name())))
        }
        name => return collections::construct(vm, name, args),
    };
    Some(made)
}

/// The methods of the native modules' types: (type, name, function).
pub const TYPE_METHODS: &[&[(&str, &str, NativeFn)]] = &[
    thread::METHODS,
    io::METHODS,
    io::iobase::METHODS,
    io::stringio::METHODS,
    io::nldecoder::METHODS,
    io::textio::METHODS,
    io::bytesio::METHODS,
    super::weakref::METHODS,
    super::weakproxy::METHODS,
    super::structseq::METHODS,
    super::sysmod::NAMESPACE_METHODS,
    super::memoryview::METHODS,
    super::mappingproxy::METHODS,
    super::genericalias::METHODS,
    typing::METHODS,
    itertools::METHODS,
    operator_types::METHODS,
    functools::METHODS,
    sre::pattern::METHODS,
    sre::matchobj::METHODS,
    sre::scanner::METHODS,
    collections::deque::METHODS,
    collections::defaultdict::METHODS,
    collections::odict::METHODS,
    collections::tuplegetter::METHODS,
    super::bytearray::METHODS,
    super::superobj::METHODS,
    random::METHODS,
    sha2::METHODS,
    json::METHODS,
    ast::METHODS,
    structmod::METHODS,
    select::METHODS,
    pollobj::METHODS,
    posix::scratchfs::METHODS,
    pickle::METHODS,
    socket::METHODS,
    sockobj::METHODS,
    array::METHODS,
    contextvars::METHODS,
    asyncio::future::METHODS,
    asyncio::task::METHODS,
    testcapi::METHODS,
    tokenize::METHODS,
];
