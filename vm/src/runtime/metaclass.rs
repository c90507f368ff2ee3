//! Metaclasses (spec clause frames.class-creation; CPython `__build_class__`'s metaclass
//! steps, `_PyType_CalculateMetaclass`, `type_new`, `type_call`): a class deriving from
//! `type` makes classes. Its `__prepare__` gives the namespace the class body runs in,
//! its `__new__` and `__init__` make the class from the finished namespace, its `__call__`
//! runs when the class is called, and its other methods and properties are attributes of
//! the classes it made.
//!
//! What a metaclass may define here is limited to what the evaluator asks of a class
//! (`ALLOWED`): the protocols on a class value (`len(C)`, `C[k]`, iteration, `==`,
//! `isinstance` hooks, …) dispatch to built-in behaviour only, so a metaclass defining one
//! of those is unsupported at its class statement rather than ignored later.

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, NativeFn, Value};
use super::types::Type;
use super::PyResult;

/// The special names a metaclass body may define.
const ALLOWED: &[&str] = &[
    "__new__",
    "__init__",
    "__call__",
    "__prepare__",
    "__repr__",
    "__module__",
    "__qualname__",
    "__doc__",
    "__classcell__",
    "__classdictcell__",
    "__init_subclass__",
    "__orig_bases__",
    "__annotations__",
    "__slots__",
    "__static_attributes__",
    "__firstlineno__",
    "__type_params__",
    // isinstance() and issubclass() ask the metaclass (`builtins::class_check`).
    "__instancecheck__",
    "__subclasscheck__",
    // The protocols ask a class's metaclass for these (`special` of a type).
    "__bool__",
    "__len__",
    "__iter__",
    "__contains__",
    "__getitem__",
    "__reversed__",
    "__setattr__",
    "__delattr__",
    "__dir__",
    // A class's attributes: the metaclass's hooks (`Vm::getattr`).
    "__getattribute__",
    "__getattr__",
    // A name, not a special method: enum's `__members__` property.
    "__members__",
];

/// Whether `t` makes classes: it is `type` or derives from it.
pub fn is_metaclass(vm: &Vm, t: &Rc<Type>) -> bool {
    t.is_subtype(&vm.ty("type"))
}

/// A new metaclass's namespace may only define the special names the evaluator honours
/// for the classes it makes.
pub fn check_namespace(vm: &Vm, ns: &Dict) -> PyResult<()> {
    for k in ns.keys() {
        if let Value::Str(k) = &k {
            if k.starts_with("__") && k.ends_with("__") && !ALLOWED.contains(&&**k) {
                return Err(vm.unsupported(format!("the special name {k} in a metaclass")));
            }
            // `mro_internal` calls a metaclass's own `mro()`; the VM computes C3 itself.
            if &**k == "mro" {
                return Err(vm.unsupported("a metaclass defining mro()"));
            }
        }
    }
    Ok(())
}

/// `_PyType_CalculateMetaclass`: the most derived of `meta` and the bases' metaclasses.
pub fn calculate(vm: &Vm, meta: Rc<Type>, bases: &[Value]) -> PyResult<Rc<Type>> {
    let mut winner = meta;
    for b in bases {
        let tmp = vm.type_of(b);
        if winner.is_subtype(&tmp) {
            continue;
        }
        if tmp.is_subtype(&winner) {
            winner = tmp;
            continue;
        }
        return Err(vm.type_error(
            "metaclass conflict: the metaclass of a derived class must be a (non-strict) \
             subclass of the metaclasses of all its bases",
        ));
    }
    Ok(winner)
}

/// The namespace a class body runs in: `meta.__prepare__(name, bases, **kwds)`, a dict
/// or an instance of a dict subclass (then also that instance, through which the body's
/// names go); another mapping is unsupported.
pub fn prepare(
    vm: &mut Vm,
    meta: &Value,
    name: &Rc<str>,
    bases: &[Value],
    kwds: &[(Rc<str>, Value)],
) -> PyResult<(Rc<Dict>, Option<Value>)> {
    let prep = match meta {
        Value::Type(m) if !m.overrides("__prepare__") => return Ok((Dict::new_rc(), None)),
        Value::Type(_) => vm.getattr(meta, "__prepare__")?,
        // A metaclass that is not a class: its `__prepare__` if it has one
        // (`_PyObject_LookupAttr`), else a fresh dict.
        _ => match vm.getattr(meta, "__prepare__") {
            Ok(p) => p,
            Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                return Ok((Dict::new_rc(), None))
            }
            Err(e) => return Err(e),
        },
    };
    let mut args = Args::new(vec![Value::Str(name.clone()), Value::tuple(bases.to_vec())]);
    args.kw = kwds.to_vec();
    match vm.call(&prep, args)? {
        Value::Dict(d) => Ok((d, None)),
        m @ Value::Object(_) if matches!(m.builtin_value(), Value::Dict(_)) => {
            let Value::Dict(d) = m.builtin_value().clone() else {
                return Err(vm.bug("a dict subclass without its dict"));
            };
            Ok((d, Some(m)))
        }
        // `PyMapping_Check`: the type has `__getitem__` (asked without running it).
        other if vm.type_of(&other).lookup("__getitem__").is_some() => {
            Err(vm.unsupported("a __prepare__ that returns a mapping other than a dict"))
        }
        other => {
            let n = vm.type_of(&other).name().clone();
            let shown = match meta {
                Value::Type(m) => m.name().clone(),
                _ => Rc::from("<metaclass>"),
            };
            Err(vm.type_error(format!(
                "{shown}.__prepare__() must return a mapping, not {n}"
            )))
        }
    }
}

/// `type.__new__(meta, name, bases, ns, **kwds)` and the three-argument `type(...)`
/// (`type_new`): checks the arguments, defers to the most derived metaclass of the bases
/// when that is not `meta`, and makes the class.
pub fn type_new(vm: &mut Vm, meta: &Rc<Type>, args: Args) -> PyResult<Value> {
    let a = &args.pos;
    if a.len() != 3 {
        return Err(vm.type_error(format!(
            "type.__new__() takes exactly 3 arguments ({} given)",
            a.len()
        )));
    }
    for (i, (v, want)) in a.iter().zip(["str", "tuple", "dict"]).enumerate() {
        // `O!` for the namespace: a dict subclass's instance passes.
        let ok = if want == "dict" {
            matches!(v.builtin_value(), Value::Dict(_))
        } else {
            vm.type_of(v).name().as_ref() == want
        };
        if !ok {
            return Err(vm.type_error(format!(
                "type.__new__() argument {} must be {want}, not {}",
                i + 1,
                super::builtins::type_name_of_arg(vm, v)
            )));
        }
    }
    let (Value::Str(n), Value::Tuple(bases), Value::Dict(ns)) =
        (&a[0], &a[1], a[2].builtin_value())
    else {
        return Err(vm.type_error("type() argument types"));
    };
    // type_new_get_bases: a base with `__mro_entries__` is refused, the metaclass is
    // calculated, a more derived one's own `__new__` takes over, and `best_base` wants
    // types.
    for b in bases.iter() {
        if matches!(b, Value::Type(_)) {
            continue;
        }
        match vm.getattr(b, "__mro_entries__") {
            Ok(_) => {
                return Err(vm.type_error(
                    "type() doesn't support MRO entry resolution; use types.new_class()",
                ))
            }
            Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {}
            Err(e) => return Err(e),
        }
    }
    let winner = calculate(vm, meta.clone(), bases)?;
    if !Rc::ptr_eq(&winner, meta) && winner.overrides("__new__") {
        return vm.call(&Value::Type(winner), args);
    }
    let mut bs = Vec::new();
    for b in bases.iter() {
        match b {
            Value::Type(t) => bs.push(t.clone()),
            _ => return Err(vm.type_error("bases must be types")),
        }
    }
    let ns2 = super::gc::alloc(ns.copy());
    if ns2.get_str("__module__").is_none() {
        let m = vm
            .top()?
            .globals
            .get_str("__name__")
            .unwrap_or(Value::str("__main__"));
        ns2.set_str("__module__", m);
    }
    // `type_new` passes the keywords to `__init_subclass__`.
    let t = super::classes::make_class(vm, n, bs, ns2, args.kw.clone(), &winner)?;
    Ok(Value::Type(t))
}

/// The methods of `type` this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("type", "__new__", type_new_method),
    ("type", "__init__", type_init),
    ("type", "__call__", type_call),
    ("type", "__subclasses__", type_subclasses),
    ("type", "__setattr__", type_setattr),
    ("type", "__delattr__", type_delattr),
    ("type", "__dir__", type_dir),
];

/// The class a `type` slot wrapper was called on, with its `N` operands.
fn type_receiver<const N: usize>(
    vm: &Vm,
    args: &Args,
    name: &str,
) -> PyResult<(Value, Vec<Value>)> {
    const PARAMS: [&str; 2] = ["name", "value"];
    let bound = super::argspec::Spec::method(
        "type",
        name,
        super::argspec::Style::Wrapper,
        &PARAMS[..N],
        N,
    )
    .parse(vm, args, 1)?;
    Ok((
        args.pos[0].clone(),
        bound.into_iter().map(super::argspec::required).collect(),
    ))
}

/// `type.__setattr__(cls, name, value)` (`type_setattro`): what a metaclass's own
/// `__setattr__` reaches through `super()`.
fn type_setattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, ops) = type_receiver::<2>(vm, &args, "__setattr__")?;
    let name = super::builtins::attr_name(vm, &ops[0])?;
    vm.generic_setattr(&me, &name, ops[1].clone())?;
    Ok(Value::None)
}

/// `type.__delattr__(cls, name)`.
fn type_delattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, ops) = type_receiver::<1>(vm, &args, "__delattr__")?;
    let name = super::builtins::attr_name(vm, &ops[0])?;
    vm.generic_delattr(&me, &name)?;
    Ok(Value::None)
}

/// `type.__dir__(cls)`: the names of the class's dict and its bases', unsorted.
fn type_dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "type", "__dir__")?;
    let names = super::builtins::dir_names(vm, &args.pos[0])?;
    Ok(Value::list(names))
}

/// `type.__subclasses__()`: the direct subclasses still alive, oldest first.
fn type_subclasses(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::Spec::method(
        "type",
        "__subclasses__",
        super::argspec::Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 1)?;
    let Some(Value::Type(t)) = args.pos.first() else {
        return Err(vm.bug("type.__subclasses__ without a type"));
    };
    let subs = t
        .subclasses
        .borrow()
        .iter()
        .filter_map(std::rc::Weak::upgrade)
        .map(Value::Type)
        .collect();
    Ok(Value::list(subs))
}

/// The class methods of `type`.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[("type", "__prepare__", type_prepare)];

/// `type.__new__(meta, …)` (`tp_new_wrapper` with `type`'s checks: `meta` must be a
/// subtype of type).
fn type_new_method(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("type.__new__(): not enough arguments"));
    }
    let meta = match args.pos.remove(0) {
        Value::Type(t) if is_metaclass(vm, &t) => t,
        Value::Type(t) => {
            return Err(vm.type_error(format!(
                "type.__new__({}): {} is not a subtype of type",
                t.name(),
                t.name()
            )))
        }
        other => {
            let n = vm.type_of(&other).name().clone();
            return Err(vm.type_error(format!("type.__new__(X): X is not a type object ({n})")));
        }
    };
    if args.pos.len() == 1 && Rc::ptr_eq(&meta, &vm.ty("type")) && args.kw.is_empty() {
        return Ok(Value::Type(vm.type_of(&args.pos[0])));
    }
    type_new(vm, &meta, args)
}

/// `type.__init__(cls, name, bases, ns, **kwds)` (`type_init`): checks the count only.
fn type_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = args.pos.len().saturating_sub(1);
    if n != 1 && n != 3 {
        return Err(vm.type_error("type.__init__() takes 1 or 3 arguments"));
    }
    if n == 1 && !args.kw.is_empty() {
        return Err(vm.type_error("type.__init__() takes no keyword arguments"));
    }
    Ok(Value::None)
}

/// `type.__call__(cls, *args, **kwargs)` (`type_call`): what calling a class does when
/// its metaclass does not override it — a metaclass's own `__call__` reaches it through
/// `super()`.
fn type_call(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    match args.pos.first().cloned() {
        Some(Value::Type(t)) => {
            args.pos.remove(0);
            vm.call_type_default(&t, args)
        }
        _ => Err(vm.type_error("descriptor '__call__' of 'type' object needs an argument")),
    }
}

/// `type.__prepare__(name, bases, **kwds)`: an empty dict.
fn type_prepare(_vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::Dict(Dict::new_rc()))
}
