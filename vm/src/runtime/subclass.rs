//! Classes derived from the built-in types `int`, `float`, `complex`, `str`, `bytes`,
//! `tuple`, `list`, `dict`, `set` and `frozenset` (CPython: any type with
//! `Py_TPFLAGS_BASETYPE`; spec clause frames.builtin-subclass).
//!
//! CPython lays the built-in type's struct out at the start of such an instance, so every
//! C function of that type works on it unchanged. The VM's instance instead carries a value
//! of the built-in type, its payload ([`Instance::payload`]), and the built-in type's
//! functions work on that: method descriptors receive the payload as `self` (see
//! `Vm::call`), the special methods installed in the built-in types' dicts (`slots`)
//! unwrap it, and the protocols fall back to it once the class's own special methods
//! have not answered (as CPython's slots inherited from the built-in type do).
//!
//! What is built here: which bases a class may have (`check_bases`, with CPython's
//! layout-conflict rule), the built-in types' `__new__` (which makes the payload, from
//! the arguments for the immutable types, empty for the mutable ones) and the
//! `__init__` of `list`, `dict` and `set` (which fill it).

use std::rc::Rc;

use super::builtins::construct;
use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Instance, NativeFn, Value};
use super::types::Type;
use super::PyResult;

/// The built-in types a class can derive from here: their instances carry a payload.
pub const SUBCLASSABLE: &[&str] = &[
    "int",
    "float",
    "complex",
    "str",
    "bytes",
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "property",
    "staticmethod",
    "classmethod",
    // `super`: its slot wrappers take the instance (see `superobj`).
    "super",
    // `_weakref.ref`: its `tp_name` (which classes compare) and its registry key (which
    // method descriptors name as their owner).
    "weakref.ReferenceType",
    "ReferenceType",
    // `functools.partial`: tp_name and registry key, as for `ReferenceType`.
    "functools.partial",
    "partial",
    // `_collections.deque`, by tp_name only: its methods take the instance itself (they
    // read the deque through `builtin_value`, and `copy` and `__reduce__` need the class).
    "collections.deque",
    // `types.GenericAlias`: a class may derive from it (collections.abc's
    // `_CallableGenericAlias`); making such an instance is unsupported (see `genericalias`).
    "types.GenericAlias",
    "GenericAlias",
    // `_io.StringIO` and `_io.BytesIO`, by tp_name only: their methods take the instance
    // (the bases' methods, which they inherit, work through its attributes).
    "_io.StringIO",
    "_io.BytesIO",
    // `_io.IncrementalNewlineDecoder`, by tp_name only, as `_io.StringIO`.
    "_io.IncrementalNewlineDecoder",
    // `_random.Random`, by tp_name only: its methods take the instance (they read the
    // generator through `builtin_value`).
    "_random.Random",
    // `_struct.Struct`, by tp_name only, as `_random.Random`.
    "_struct.Struct",
    // `_pickle.Pickler` and `_pickle.Unpickler`, by tp_name only, as `_random.Random`.
    "_pickle.Pickler",
    "_pickle.Unpickler",
    // `_asyncio.Future` and `_asyncio.Task`, by tp_name only: their methods take the
    // instance (callbacks and reprs get it), reading the state through `builtin_value`.
    "_asyncio.Future",
    "_asyncio.Task",
    // `_socket.socket`, by tp_name only, as `_random.Random` (socket.py's `socket`).
    "_socket.socket",
];

/// Built-in types CPython lets a class derive from (`Py_TPFLAGS_BASETYPE`) whose
/// subclasses the VM does not model yet.
const UNSUPPORTED_BASES: &[&str] = &[
    "enumerate",
    "zip",
    "map",
    "filter",
    "reversed",
    "TextIOWrapper",
    "bytearray",
];

/// The built-in type whose value `t`'s instances carry (`None` for plain classes and
/// exceptions): the nearest one in the MRO, which `check_bases` made unique.
pub fn payload_type(t: &Rc<Type>) -> Option<Rc<Type>> {
    t.mro()
        .into_iter()
        .find(|c| c.is_builtin() && SUBCLASSABLE.contains(&&*c.name()))
}

/// The solid base a base contributes (CPython `solid_base`): its payload type, or
/// BaseException for the exceptions; `None` for `object` and plain classes.
fn layout_of(vm: &Vm, b: &Rc<Type>) -> Option<Rc<Type>> {
    if b.is_exception() {
        return Some(vm.ty("BaseException"));
    }
    if super::metaclass::is_metaclass(vm, b) {
        return Some(vm.ty("type"));
    }
    // The native types above whose instances have their own layout
    // (localobject, TaskObj, FutureObj).
    for own in ["_local", "Task", "Future"] {
        let t = vm.ty(own);
        if b.is_subtype(&t) {
            return Some(t);
        }
    }
    payload_type(b)
}

/// The bases a class statement or `type(name, bases, ns)` may use (CPython `best_base`):
/// a built-in type without `Py_TPFLAGS_BASETYPE` is a TypeError, and so are two bases
/// whose instances need different built-in layouts.
pub fn check_bases(vm: &Vm, bases: &[Rc<Type>]) -> PyResult<()> {
    for b in bases {
        if !b.is_builtin() || Rc::ptr_eq(b, &vm.types.object) || b.is_exception() {
            continue;
        }
        // `type`: a metaclass, whose instances are classes (see `metaclass`).
        if SUBCLASSABLE.contains(&&*b.name())
            || super::modules::io::iobase::BASES.contains(&&*b.name())
            || &*b.name() == "ast.AST"
            // `_thread._local` (threading.local; asyncio's `_Local`): with one thread an
            // instance is an object with a dict, a subclass's as well (`local_new`).
            || &*b.name() == "_thread._local"
            // `typing.Generic` (Py_TPFLAGS_BASETYPE, the layout of object).
            || &*b.name() == "typing.Generic"
            || &*b.name() == "type"
            // A subclass of module can be defined (importlib.util's `_LazyModule`,
            // which runpy imports); making one of its instances is unsupported (see
            // `Vm::call_type_default`).
            || &*b.name() == "module"
            || super::modules::collections::DICT_TYPES.contains(&&*b.name())
        {
            continue;
        }
        // CPython refuses the types without Py_TPFLAGS_BASETYPE; the others it allows,
        // and the VM cannot yet.
        let tn = b.name();
        let own = tn.rsplit('.').next().unwrap_or_default();
        let final_type = super::cpython_names::FINAL_TYPES.contains(&&*b.name())
            || super::cpython_names::FINAL_TYPES.contains(&own);
        if UNSUPPORTED_BASES.contains(&&*b.name()) || !final_type {
            return Err(vm.unsupported(format!("subclassing the built-in type '{}'", b.name())));
        }
        return Err(vm.type_error(format!(
            "type '{}' is not an acceptable base type",
            b.name()
        )));
    }
    let mut solid: Option<Rc<Type>> = None;
    for b in bases {
        let Some(l) = layout_of(vm, b) else { continue };
        solid = match solid {
            None => Some(l),
            Some(s) if l.is_subtype(&s) => Some(l),
            Some(s) if s.is_subtype(&l) => Some(s),
            Some(_) => {
                return Err(vm.type_error("multiple bases have instance lay-out conflict"));
            }
        };
    }
    Ok(())
}

/// `T.__new__(cls, *args, **kwargs)` for a native type whose `tp_new` ignores its
/// arguments (`tp_new_wrapper`'s checks, then `new_for(cls)`); `shown` is the type's
/// `tp_name` (`_random.Random`).
pub fn tp_new_wrapper(
    vm: &mut Vm,
    args: &Args,
    type_name: &str,
    shown: &str,
    new_for: fn(&Rc<Type>) -> Value,
) -> PyResult<Value> {
    let base = vm.ty(type_name);
    match args.pos.first() {
        Some(Value::Type(t)) if t.is_subtype(&base) => Ok(new_for(t)),
        Some(Value::Type(t)) => Err(vm.type_error(format!(
            "{shown}.__new__({}): {} is not a subtype of {shown}",
            t.name(),
            t.name()
        ))),
        Some(other) => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("{shown}.__new__(X): X is not a type object ({n})")))
        }
        None => Err(vm.type_error(format!("{shown}.__new__(): not enough arguments"))),
    }
}

/// An instance of `cls` carrying `payload`.
pub fn with_payload(cls: &Rc<Type>, payload: Value) -> Value {
    let obj = Value::Object(super::gc::alloc(Instance {
        class: std::cell::RefCell::new(cls.clone()),
        dict: Dict::new_rc(),
        exc: None,
        payload: Some(payload),
        slots: std::cell::RefCell::new(vec![None; cls.nslots]),
    }));
    super::finalize::note(&obj);
    obj
}

/// An instance of the built-in type `cls` carrying no payload (`_io._IOBase()`: a
/// built-in type whose instances are plain objects with a dict).
pub fn plain_instance(cls: &Rc<Type>) -> Value {
    Value::Object(super::gc::alloc(Instance {
        class: std::cell::RefCell::new(cls.clone()),
        dict: Dict::new_rc(),
        exc: None,
        payload: None,
        slots: std::cell::RefCell::new(vec![None; cls.nslots]),
    }))
}

/// The `__new__` and `__init__` methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("int", "__new__", int_new),
    ("float", "__new__", float_new),
    ("complex", "__new__", complex_new),
    ("str", "__new__", str_new),
    ("bytes", "__new__", bytes_new),
    ("tuple", "__new__", tuple_new),
    ("list", "__new__", list_new),
    ("dict", "__new__", dict_new),
    ("set", "__new__", set_new),
    ("frozenset", "__new__", frozenset_new),
    ("bool", "__new__", bool_new),
    ("property", "__new__", property_new),
    ("staticmethod", "__new__", staticmethod_new),
    ("classmethod", "__new__", classmethod_new),
    ("list", "__init__", list_init),
    ("dict", "__init__", dict_init),
    ("set", "__init__", set_init),
    ("property", "__init__", descriptor_init),
    ("staticmethod", "__init__", descriptor_init),
    ("classmethod", "__init__", descriptor_init),
    ("int", "__getnewargs__", getnewargs),
    ("float", "__getnewargs__", getnewargs),
    ("complex", "__getnewargs__", getnewargs),
    ("str", "__getnewargs__", getnewargs),
    ("bytes", "__getnewargs__", getnewargs),
    ("tuple", "__getnewargs__", getnewargs),
    ("int", "__format__", int_format),
    ("float", "__format__", float_format),
    ("complex", "__format__", complex_format),
    ("str", "__format__", str_format),
];

/// `int.__format__(format_spec)` and its kin: the type's own formatting of the built-in
/// value, whatever `__format__` a subclass has.
fn format_method(vm: &mut Vm, owner: &str, args: &Args) -> PyResult<Value> {
    let spec = super::argspec::Spec::method(
        owner,
        "__format__",
        super::argspec::Style::O,
        &["format_spec"],
        1,
    )
    .bind::<1>(vm, args, 1)?;
    let [spec] = spec;
    let spec = super::argspec::required(spec);
    let Value::Str(spec) = spec.builtin_value().clone() else {
        let n = super::builtins::type_name_of_arg(vm, &spec);
        return Err(vm.type_error(format!("__format__() argument must be str, not {n}")));
    };
    let me = args.pos[0].builtin_value().clone();
    Ok(Value::str(&vm.format(&me, &spec)?))
}

fn int_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    format_method(vm, "int", &args)
}

fn float_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    format_method(vm, "float", &args)
}

fn complex_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    format_method(vm, "complex", &args)
}

fn str_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    format_method(vm, "str", &args)
}

/// `int.__getnewargs__()` and its kin (`int___getnewargs___impl`, `float___getnewargs__`,
/// `unicode_getnewargs`, …): the arguments that make the value again, as an exact
/// built-in value (a complex's real and imaginary parts).
fn getnewargs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = args.pos.first().cloned().unwrap_or(Value::None);
    let owner = match me.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => "int",
        Value::Float(_) => "float",
        Value::Complex(_) => "complex",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        _ => "tuple",
    };
    super::argspec::no_args(vm, &args, owner, "__getnewargs__")?;
    let items = match me.builtin_value() {
        Value::Bool(b) => vec![Value::Int(i64::from(*b))],
        Value::Complex(z) => vec![Value::Float(z.0), Value::Float(z.1)],
        // A str or tuple subclass's value copied into the exact type.
        Value::Str(s) => vec![Value::Str(Rc::from(&**s))],
        Value::Tuple(t) => vec![Value::Tuple(Rc::from(&**t))],
        v => vec![v.clone()],
    };
    Ok(Value::tuple(items))
}

fn int_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "int", args)
}
fn float_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "float", args)
}
fn complex_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "complex", args)
}
fn str_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "str", args)
}
fn bytes_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "bytes", args)
}
fn tuple_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "tuple", args)
}
fn list_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "list", args)
}
fn dict_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "dict", args)
}
fn set_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "set", args)
}
fn frozenset_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "frozenset", args)
}
fn bool_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "bool", args)
}
fn property_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "property", args)
}
fn staticmethod_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "staticmethod", args)
}
fn classmethod_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new(vm, "classmethod", args)
}

/// `owner.__new__(cls, *args, **kwargs)` (CPython `tp_new_wrapper`, then the type's
/// `tp_new`): the value `owner(*args, **kwargs)` makes — an empty one for the mutable
/// types, whose `__init__` fills it — as an instance of `cls`.
fn new(vm: &mut Vm, owner: &str, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error(format!("{owner}.__new__(): not enough arguments")));
    }
    let cls = match args.pos.remove(0) {
        Value::Type(t) => t,
        other => {
            let n = vm.type_of(&other).name().clone();
            return Err(vm.type_error(format!("{owner}.__new__(X): X is not a type object ({n})")));
        }
    };
    let base = vm.ty(owner);
    if !cls.is_subtype(&base) {
        return Err(vm.type_error(format!(
            "{owner}.__new__({}): {} is not a subtype of {owner}",
            cls.name(),
            cls.name()
        )));
    }
    // `tp_new_wrapper`'s safety check: the most derived built-in base must be `owner`.
    let solid = if cls.is_builtin() {
        Some(cls.clone())
    } else {
        payload_type(&cls)
    };
    if let Some(solid) = solid.filter(|s| !Rc::ptr_eq(s, &base)) {
        // OrderedDict and defaultdict take dict's `tp_new` (`dict_new`): what it makes of
        // them is the empty one their own call makes.
        let inherits_new = owner == "dict"
            && matches!(
                &*solid.name(),
                "collections.OrderedDict" | "collections.defaultdict"
            );
        if inherits_new && Rc::ptr_eq(&solid, &cls) {
            return construct(vm, &cls, Args::default());
        }
        return Err(vm.type_error(format!(
            "{owner}.__new__({}) is not safe, use {}.__new__()",
            cls.name(),
            solid.name()
        )));
    }
    let value = match owner {
        // `list_new`, `dict_new`, `set_new` ignore their arguments: `__init__` reads them.
        "list" | "dict" | "set" => construct(vm, &base, Args::default())?,
        _ => construct(vm, &base, args)?,
    };
    if Rc::ptr_eq(&cls, &base) {
        return Ok(value);
    }
    Ok(with_payload(&cls, value))
}

/// The receiver of a built-in `__init__`, and the arguments after it.
fn split_self(vm: &Vm, owner: &str, mut args: Args) -> PyResult<(Value, Args)> {
    if args.pos.is_empty() {
        return Err(vm.type_error(format!(
            "descriptor '__init__' of '{owner}' object needs an argument"
        )));
    }
    let me = args.pos.remove(0);
    Ok((me.builtin_value().clone(), args))
}

/// `list.__init__(self, iterable=(), /)`: empties the list, then extends it.
fn list_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, rest) = split_self(vm, "list", args)?;
    let Value::List(l) = &me else {
        return Err(vm.bug("list.__init__ without a list"));
    };
    let fresh = construct(vm, &vm.ty("list"), rest)?;
    if let Value::List(f) = fresh {
        let items = std::mem::take(&mut *f.items.borrow_mut());
        let old = std::mem::replace(&mut *l.items.borrow_mut(), items);
        super::gc::release_all(old);
    }
    Ok(Value::None)
}

/// `dict.__init__(self, *args, **kwargs)`: `dict_update_common`, added to what the dict
/// holds.
fn dict_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, rest) = split_self(vm, "dict", args)?;
    let Value::Dict(d) = &me else {
        return Err(vm.bug("dict.__init__ without a dict"));
    };
    let fresh = construct(vm, &vm.ty("dict"), rest)?;
    if let Value::Dict(f) = fresh {
        for (k, v) in f.items() {
            vm.dict_set(d, k, v)?;
        }
    }
    Ok(Value::None)
}

/// `property.__init__`, `staticmethod.__init__`, `classmethod.__init__`: the VM makes
/// these descriptors whole in `__new__` (from the same arguments when the class is
/// called), so `__init__` may only repeat what `__new__` was given.
fn descriptor_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Property(p)) = args.pos.first().map(|v| v.builtin_value().clone()) else {
        return Err(vm.bug("a descriptor __init__ without a descriptor"));
    };
    let given: Vec<Value> = args.pos[1..]
        .iter()
        .cloned()
        .chain(args.kw.iter().map(|(_, v)| v.clone()))
        .collect();
    let held = [p.func.clone(), p.fset.clone(), p.fdel.clone()];
    let same = given.iter().zip(held.iter()).all(|(g, h)| g.is(h))
        && given.len() <= 3
        && args.kw.is_empty();
    if !same {
        return Err(vm.unsupported(
            "re-initialising a property, staticmethod or classmethod with other arguments",
        ));
    }
    Ok(Value::None)
}

/// `set.__init__(self, iterable=(), /)`: empties the set, then adds the items.
fn set_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, rest) = split_self(vm, "set", args)?;
    let Value::Set(s) = &me else {
        return Err(vm.bug("set.__init__ without a set"));
    };
    let fresh = construct(vm, &vm.ty("set"), rest)?;
    // `set_clear_internal` leaves a fresh table: the new set's layout is exactly what
    // `set(iterable)` makes.
    if let Value::Set(f) = fresh {
        s.items.clear();
        s.items.swap(&f.items);
    }
    Ok(Value::None)
}
