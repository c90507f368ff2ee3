//! `_pickle` (CPython 3.12 `Modules/_pickle.c`; `Lib/pickle.py` runs from CPython's Lib/
//! and re-exports it): `dump`, `dumps`, `load`, `loads`, the `Pickler` and `Unpickler`
//! types, `PickleError`, `PicklingError`, `UnpicklingError`, and `PickleBuffer` (a name
//! only: making one is unsupported).
//!
//! `pickler` writes what CPython's C pickler writes, byte for byte (protocols 0 to 5,
//! frames from 4); `unpickler` reads every opcode but the out-of-band buffers';
//! `opcodes` is the table. Every Pickler and Unpickler, of the type itself or of a
//! subclass, is an instance carrying its state as a payload (see `subclass`).
//!
//! Unsupported (where a subclass or an instance defines them): `persistent_id`,
//! `persistent_load`, `reducer_override`, `dispatch_table`; and the `memo`, `fast`,
//! `bin` attributes, out-of-band buffers, `__newobj_ex__` below protocol 4, Python 2
//! strings in other encodings than ASCII, latin-1 and bytes, and a file's own
//! `readinto` or `peek` (an `io.BytesIO`'s readinto reads as its `read`).

pub mod opcodes;
pub mod pickler;
pub mod reduce;
pub mod unpickler;

use std::cell::RefCell;
use std::rc::Rc;

use self::opcodes::{DEFAULT_PROTOCOL, HIGHEST_PROTOCOL};
use self::pickler::{lookup_attr, Pickler};
use self::unpickler::Unpickler;
use super::super::argspec::{self, Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::{PyResult, Throw};

/// The types, by registry key.
pub const TYPES: &[&str] = &["Pickler", "Unpickler", "PickleBuffer"];

/// python3.12's `_pickle.__doc__`.
const DOC: &str = "Optimized C implementation for the Python pickle module.";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_pickle", FUNCTIONS);
    for name in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
    let exc = super::super::classes::exception_class;
    let base = exc("PickleError", "_pickle", vec![vm.ty("Exception")]);
    let pickling = exc("PicklingError", "_pickle", vec![base.clone()]);
    let unpickling = exc("UnpicklingError", "_pickle", vec![base.clone()]);
    d.set_str("PickleError", Value::Type(base));
    d.set_str("PicklingError", Value::Type(pickling));
    d.set_str("UnpicklingError", Value::Type(unpickling));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("dump", dump),
    ("dumps", dumps),
    ("load", load),
    ("loads", loads),
];

/// One of the module's exception classes (its state in CPython).
fn error_class(vm: &Vm, name: &str) -> Option<Rc<Type>> {
    match vm.modules.get_str("_pickle") {
        Some(Value::Module(m)) => match m.dict.get_str(name) {
            Some(Value::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn raise(vm: &Vm, name: &str, msg: String) -> Throw {
    match error_class(vm, name) {
        Some(t) => {
            let exc = vm.new_exception(&t, vec![Value::str(&msg)]);
            vm.raise(exc)
        }
        None => vm.unsupported(format!("_pickle.{name} once _pickle has left sys.modules")),
    }
}

pub fn pickling_error(vm: &Vm, msg: impl Into<String>) -> Throw {
    raise(vm, "PicklingError", msg.into())
}

pub fn unpickling_error(vm: &Vm, msg: impl Into<String>) -> Throw {
    raise(vm, "UnpicklingError", msg.into())
}

pub fn is_unpickling_error(vm: &Vm, e: &Value) -> bool {
    error_class(vm, "UnpicklingError").is_some_and(|t| vm.type_of(e).is_subtype(&t))
}

/// A module from `sys.modules`, imported if needed (the modules `_pickle` holds on to).
pub fn import_module(vm: &mut Vm, name: &str) -> PyResult<Value> {
    super::super::import::import_name(vm, name, None, &Value::None, 0)
}

/// `PyImport_Import`: `builtins.__import__(name, None, None, [], 0)`, then
/// `sys.modules[name]`.
pub fn py_import(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let builtins = import_module(vm, "builtins")?;
    let import = vm.getattr(&builtins, "__import__")?;
    let args = vec![
        Value::str(name),
        Value::None,
        Value::None,
        Value::list(vec![]),
        Value::Int(0),
    ];
    vm.call(&import, Args::new(args))?;
    match vm.modules.get_str(name) {
        Some(m) => Ok(m),
        None => {
            let exc = vm.new_exception(&vm.ty("KeyError"), vec![Value::str(name)]);
            Err(vm.raise(exc))
        }
    }
}

/// Whether the object or a class of it written in Python defines `name` (the hooks a
/// Pickler or Unpickler subclass may add, which the VM does not call).
pub fn overrides(vm: &Vm, me: &Value, name: &str) -> bool {
    if let Value::Object(o) = me {
        if o.dict.get_str(name).is_some() {
            return true;
        }
    }
    vm.type_of(me)
        .mro()
        .iter()
        .any(|c| !c.is_builtin() && c.dict.get_str(name).is_some())
}

/// `_Pickler_SetProtocol`: None is the default, a negative number the highest.
fn protocol_of(vm: &mut Vm, v: Option<&Value>) -> PyResult<u8> {
    let p = match v {
        None | Some(Value::None) => DEFAULT_PROTOCOL,
        Some(v) => argspec::index(vm, v)?,
    };
    if p < 0 {
        return Ok(HIGHEST_PROTOCOL as u8);
    }
    if p > HIGHEST_PROTOCOL {
        return Err(vm.value_error(format!("pickle protocol must be <= {HIGHEST_PROTOCOL}")));
    }
    Ok(p as u8)
}

fn truth(vm: &mut Vm, v: Option<Value>) -> PyResult<bool> {
    match v {
        None => Ok(true),
        Some(v) => vm.truthy(&v),
    }
}

/// A new pickler for `file` (its `write`) or none: the protocol, the file, the buffer
/// callback checked in CPython's order.
fn new_pickler(
    vm: &mut Vm,
    file: Option<&Value>,
    protocol: Option<Value>,
    fix_imports: Option<Value>,
    buffer_callback: Option<Value>,
) -> PyResult<Pickler> {
    let proto = protocol_of(vm, protocol.as_ref())?;
    let fix = truth(vm, fix_imports)?;
    let write = match file {
        Some(f) => match lookup_attr(vm, f, "write")? {
            Some(w) => Some(w),
            None => return Err(vm.type_error("file must have a 'write' attribute")),
        },
        None => None,
    };
    if buffer_callback.is_some_and(|b| !b.is_none()) && proto < 5 {
        return Err(vm.value_error("buffer_callback needs protocol >= 5"));
    }
    Ok(Pickler::new(proto, fix, write))
}

const DUMP_PARAMS: &[&str] = &["obj", "file", "protocol", "fix_imports", "buffer_callback"];
const DUMPS_PARAMS: &[&str] = &["obj", "protocol", "fix_imports", "buffer_callback"];
const LOAD_PARAMS: &[&str] = &["file", "fix_imports", "encoding", "errors", "buffers"];
const LOADS_PARAMS: &[&str] = &["data", "fix_imports", "encoding", "errors", "buffers"];

/// `dump(obj, file, protocol=None, *, fix_imports=True, buffer_callback=None)`.
fn dump(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, file, protocol, fix, cb] =
        Spec::method("_pickle", "dump", Style::Keywords, DUMP_PARAMS, 2)
            .keywords(0, 3)
            .bind(vm, &args, 0)?;
    let file = argspec::required(file);
    let mut p = new_pickler(vm, Some(&file), protocol, fix, cb)?;
    p.dump(vm, &argspec::required(obj))?;
    p.flush_to_file(vm)?;
    Ok(Value::None)
}

/// `dumps(obj, protocol=None, *, fix_imports=True, buffer_callback=None)`.
fn dumps(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, protocol, fix, cb] =
        Spec::method("_pickle", "dumps", Style::Keywords, DUMPS_PARAMS, 1)
            .keywords(0, 2)
            .bind(vm, &args, 0)?;
    let mut p = new_pickler(vm, None, protocol, fix, cb)?;
    p.dump(vm, &argspec::required(obj))?;
    Ok(Value::Bytes(Rc::from(p.take_output())))
}

/// The keyword arguments of load, loads and Unpickler: fix_imports, encoding, errors,
/// buffers.
fn unpickler_options(
    vm: &mut Vm,
    u: &mut Unpickler,
    fname: &str,
    fix: Option<Value>,
    encoding: Option<Value>,
    errors: Option<Value>,
    buffers: Option<Value>,
) -> PyResult<()> {
    u.fix_imports = truth(vm, fix)?;
    for (v, name, slot) in [
        (encoding, "encoding", &mut u.encoding),
        (errors, "errors", &mut u.errors),
    ] {
        match v {
            None => {}
            Some(Value::Str(s)) => *slot = s.to_string(),
            Some(other) => {
                return Err(vm.type_error(format!(
                    "{fname}() argument '{name}' must be str, not {}",
                    vm.type_of(&other).name()
                )))
            }
        }
    }
    if let Some(b) = buffers {
        if !b.is_none() {
            vm.iter(&b)?;
            return Err(vm.unsupported("Unpickler buffers (out-of-band data)"));
        }
    }
    Ok(())
}

/// `_Unpickler_SetInputStream`: the file's read, readline, readinto (peek unsupported).
fn set_input(vm: &mut Vm, u: &mut Unpickler, file: &Value) -> PyResult<()> {
    let peek = lookup_attr(vm, file, "peek")?;
    let readinto = lookup_attr(vm, file, "readinto")?;
    let read = lookup_attr(vm, file, "read")?;
    let readline = lookup_attr(vm, file, "readline")?;
    let (Some(read), Some(readline)) = (read, readline) else {
        return Err(vm.type_error("file must have 'read' and 'readline' attributes"));
    };
    if peek.is_some() {
        return Err(vm.unsupported("unpickling from a file with peek()"));
    }
    u.bytesio = &*vm.type_of(file).name() == "_io.BytesIO";
    u.read = Some(read);
    u.readline = Some(readline);
    u.readinto = readinto;
    Ok(())
}

/// `load(file, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=())`.
fn load(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [file, fix, encoding, errors, buffers] =
        Spec::method("_pickle", "load", Style::Keywords, LOAD_PARAMS, 1)
            .keywords(0, 1)
            .bind(vm, &args, 0)?;
    let mut u = Unpickler::from_bytes(Vec::new());
    set_input(vm, &mut u, &argspec::required(file))?;
    unpickler_options(vm, &mut u, "load", fix, encoding, errors, buffers)?;
    u.load(vm)
}

/// `loads(data, /, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=())`.
fn loads(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, fix, encoding, errors, buffers] =
        Spec::method("_pickle", "loads", Style::Keywords, LOADS_PARAMS, 1)
            .keywords(1, 1)
            .bind(vm, &args, 0)?;
    let data = super::super::methods::bytes::need_buffer(vm, &argspec::required(data))?;
    let mut u = Unpickler::from_bytes(data);
    unpickler_options(vm, &mut u, "loads", fix, encoding, errors, buffers)?;
    u.load(vm)
}

/// The state a `_pickle.Pickler` instance carries: `None` until `__init__`, and while
/// a `dump` runs.
#[derive(Debug, Default)]
pub struct PicklerObj {
    state: RefCell<Option<Pickler>>,
    initialised: std::cell::Cell<bool>,
}

/// The state a `_pickle.Unpickler` instance carries.
#[derive(Debug, Default)]
pub struct UnpicklerObj {
    state: RefCell<Option<Unpickler>>,
    initialised: std::cell::Cell<bool>,
    /// The protocol of the pickle being read and fix_imports, for `find_class`.
    pub proto: std::cell::Cell<u8>,
    pub fix_imports: std::cell::Cell<bool>,
}

fn pickler_of(vm: &Vm, v: Option<&Value>) -> PyResult<Rc<PicklerObj>> {
    match v.map(Value::builtin_value) {
        Some(Value::Native(n)) => match &**n {
            Native::Pickler(p) => Ok(p.clone()),
            _ => Err(vm.bug("a Pickler method without a Pickler")),
        },
        _ => Err(vm.bug("a Pickler method without a Pickler")),
    }
}

fn unpickler_of(vm: &Vm, v: Option<&Value>) -> PyResult<Rc<UnpicklerObj>> {
    match v.map(Value::builtin_value) {
        Some(Value::Native(n)) => match &**n {
            Native::Unpickler(u) => Ok(u.clone()),
            _ => Err(vm.bug("an Unpickler method without an Unpickler")),
        },
        _ => Err(vm.bug("an Unpickler method without an Unpickler")),
    }
}

pub fn new_pickler_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::Pickler(Rc::default())));
    super::super::subclass::with_payload(cls, n)
}

pub fn new_unpickler_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::Unpickler(Rc::default())));
    super::super::subclass::with_payload(cls, n)
}

/// `_pickle.Pickler(...)`, `_pickle.Unpickler(...)`: the new object, then `__init__`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let unpickler = cls.is_subtype(&vm.ty("Unpickler"));
    let me = if unpickler {
        new_unpickler_for(cls)
    } else {
        new_pickler_for(cls)
    };
    args.pos.insert(0, me.clone());
    if unpickler {
        unpickler_init(vm, args)?;
    } else {
        pickler_init(vm, args)?;
    }
    Ok(me)
}

fn pickler_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::subclass::tp_new_wrapper(vm, &args, "Pickler", "_pickle.Pickler", new_pickler_for)
}

fn unpickler_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::subclass::tp_new_wrapper(
        vm,
        &args,
        "Unpickler",
        "_pickle.Unpickler",
        new_unpickler_for,
    )
}

/// `Pickler.__init__(file, protocol=None, fix_imports=True, buffer_callback=None)`.
fn pickler_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = pickler_of(vm, args.pos.first())?;
    let params = &["file", "protocol", "fix_imports", "buffer_callback"];
    let [file, protocol, fix, cb] = Spec::method("_pickle", "Pickler", Style::Keywords, params, 1)
        .keywords(0, 4)
        .bind(vm, &args, 1)?;
    let p = new_pickler(vm, Some(&argspec::required(file)), protocol, fix, cb)?;
    *me.state.borrow_mut() = Some(p);
    me.initialised.set(true);
    Ok(Value::None)
}

/// The hooks of a Pickler subclass that the VM does not call.
fn check_pickler_hooks(vm: &Vm, this: &Value) -> PyResult<()> {
    for hook in ["persistent_id", "reducer_override", "dispatch_table"] {
        if overrides(vm, this, hook) {
            return Err(vm.unsupported(format!("Pickler.{hook}")));
        }
    }
    Ok(())
}

/// `Pickler.dump(obj)`.
fn pickler_dump(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = pickler_of(vm, args.pos.first())?;
    let [obj] = Spec::method("Pickler", "dump", Style::O, &["obj"], 1).bind(vm, &args, 1)?;
    let this = args.pos[0].clone();
    if !me.initialised.get() {
        let t = vm
            .type_of(&this)
            .name()
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_owned();
        let msg = format!("Pickler.__init__() was not called by {t}.__init__()");
        return Err(pickling_error(vm, msg));
    }
    check_pickler_hooks(vm, &this)?;
    let Some(mut p) = me.state.borrow_mut().take() else {
        return Err(vm.unsupported("Pickler.dump called again while it runs"));
    };
    p.take_output();
    let r = p
        .dump(vm, &argspec::required(obj))
        .and_then(|()| p.flush_to_file(vm));
    *me.state.borrow_mut() = Some(p);
    r.map(|()| Value::None)
}

/// `Pickler.clear_memo()`.
fn pickler_clear_memo(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = pickler_of(vm, args.pos.first())?;
    Spec::method("Pickler", "clear_memo", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    match me.state.borrow_mut().as_mut() {
        Some(p) => p.clear_memo(),
        None if me.initialised.get() => {
            return Err(vm.unsupported("Pickler.clear_memo while dump runs"))
        }
        None => {}
    }
    Ok(Value::None)
}

/// `Unpickler.__init__(file, *, fix_imports=True, encoding='ASCII', errors='strict',
/// buffers=())`.
fn unpickler_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unpickler_of(vm, args.pos.first())?;
    let [file, fix, encoding, errors, buffers] =
        Spec::method("_pickle", "Unpickler", Style::Keywords, LOAD_PARAMS, 1)
            .keywords(0, 1)
            .bind(vm, &args, 1)?;
    let mut u = Unpickler::from_bytes(Vec::new());
    set_input(vm, &mut u, &argspec::required(file))?;
    unpickler_options(vm, &mut u, "Unpickler", fix, encoding, errors, buffers)?;
    u.this = Some(args.pos[0].clone());
    me.fix_imports.set(u.fix_imports);
    u.shared = Some(me.clone());
    *me.state.borrow_mut() = Some(u);
    me.initialised.set(true);
    Ok(Value::None)
}

/// `Unpickler.load()`.
fn unpickler_load(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unpickler_of(vm, args.pos.first())?;
    Spec::method("Unpickler", "load", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    if !me.initialised.get() {
        let this = args.pos[0].clone();
        let t = vm
            .type_of(&this)
            .name()
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_owned();
        let msg = format!("Unpickler.__init__() was not called by {t}.__init__()");
        return Err(unpickling_error(vm, msg));
    }
    let Some(mut u) = me.state.borrow_mut().take() else {
        return Err(vm.unsupported("Unpickler.load called again while it runs"));
    };
    let r = u.load(vm);
    // The Unpickler keeps a reference to itself for find_class; dropped with the state.
    *me.state.borrow_mut() = Some(u);
    r
}

/// `Unpickler.find_class(module_name, global_name, /)`.
fn unpickler_find_class(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unpickler_of(vm, args.pos.first())?;
    let [module, name] = Spec::method(
        "Unpickler",
        "find_class",
        Style::Positional,
        &["module_name", "global_name"],
        2,
    )
    .bind(vm, &args, 1)?;
    unpickler::find_class(
        vm,
        me.proto.get(),
        me.fix_imports.get(),
        argspec::required(module),
        argspec::required(name),
    )
}

/// The methods of the module's types: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Pickler", "__new__", pickler_new),
    ("Pickler", "__init__", pickler_init),
    ("Pickler", "dump", pickler_dump),
    ("Pickler", "clear_memo", pickler_clear_memo),
    ("Unpickler", "__new__", unpickler_new),
    ("Unpickler", "__init__", unpickler_init),
    ("Unpickler", "load", unpickler_load),
    ("Unpickler", "find_class", unpickler_find_class),
];
