//! `_operator`'s types (CPython `Modules/_operator.c`): `itemgetter`, `attrgetter` and
//! `methodcaller` — construction (`itemgetter_new`, …), calling (`*_vectorcall`, `*_call`)
//! and repr (`*_repr`). Their state is fixed at construction, so they cannot close a
//! reference cycle and are not registered with `gc`. `__reduce__` is left out (`reach`
//! reports it unsupported).

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// `itemgetterobject`: the items, one or more.
#[derive(Debug)]
pub struct ItemGetter {
    pub items: Vec<Value>,
}

/// `attrgetterobject`: each attribute name as given, and split at its dots (CPython
/// keeps a tuple of the parts for a dotted name).
#[derive(Debug)]
pub struct AttrGetter {
    pub attrs: Vec<Rc<str>>,
}

/// `methodcallerobject`: the method's name and the arguments it is called with.
#[derive(Debug)]
pub struct MethodCaller {
    pub name: Rc<str>,
    pub args: Vec<Value>,
    pub kwargs: Vec<(Rc<str>, Value)>,
}

fn no_keywords(vm: &Vm, name: &str, args: &Args) -> PyResult<()> {
    if args.kw.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(format!("{name}() takes no keyword arguments")))
    }
}

/// `PyArg_UnpackTuple(args, name, 1, 1, …)` for a call with fewer than two arguments.
fn at_least_one(vm: &Vm, name: &str, args: &Args) -> PyResult<()> {
    if args.pos.is_empty() {
        Err(vm.type_error(format!("{name} expected 1 argument, got 0")))
    } else {
        Ok(())
    }
}

/// `itemgetter_new`.
pub fn itemgetter_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_keywords(vm, "itemgetter", &args)?;
    at_least_one(vm, "itemgetter", &args)?;
    let g = ItemGetter { items: args.pos };
    Ok(Value::Native(Rc::new(Native::ItemGetter(g))))
}

/// `attrgetter_new`: every name must be a str (its dots split it when called).
pub fn attrgetter_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_keywords(vm, "attrgetter", &args)?;
    at_least_one(vm, "attrgetter", &args)?;
    let mut attrs = Vec::with_capacity(args.pos.len());
    for a in &args.pos {
        match a {
            Value::Str(s) => attrs.push(s.clone()),
            Value::Object(o) if matches!(o.payload, Some(Value::Str(_))) => {
                // A str subclass: CPython interns a copy of its characters.
                return Err(vm.unsupported("operator.attrgetter with a str subclass name"));
            }
            _ => return Err(vm.type_error("attribute name must be a string")),
        }
    }
    Ok(Value::Native(Rc::new(Native::AttrGetter(AttrGetter {
        attrs,
    }))))
}

/// `methodcaller_new`.
pub fn methodcaller_new(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("methodcaller needs at least one argument, the method name"));
    }
    let name = match args.pos.remove(0) {
        Value::Str(s) => s,
        Value::Object(o) if matches!(o.payload, Some(Value::Str(_))) => {
            return Err(vm.unsupported("operator.methodcaller with a str subclass name"));
        }
        _ => return Err(vm.type_error("method name must be a string")),
    };
    let m = MethodCaller {
        name,
        args: args.pos,
        kwargs: args.kw,
    };
    Ok(Value::Native(Rc::new(Native::MethodCaller(m))))
}

/// The receiver of a method of these types, and the one object a call passes
/// (`_PyArg_NoKwnames`, then `_PyArg_CheckPositional(name, nargs, 1, 1)`).
fn receiver_and_obj(vm: &Vm, name: &str, args: &Args) -> PyResult<(Rc<Native>, Value)> {
    let [obj] = Spec::function(name, Style::Positional, &["obj"], 1).bind::<1>(vm, args, 1)?;
    let Some(Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug(format!("{name}.__call__ without a receiver")));
    };
    let obj = obj.ok_or_else(|| vm.bug(format!("{name}: a missing argument")))?;
    Ok((n.clone(), obj))
}

fn itemgetter_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (n, obj) = receiver_and_obj(vm, "itemgetter", &args)?;
    let Native::ItemGetter(g) = &*n else {
        return Err(vm.bug("itemgetter.__call__ of another type"));
    };
    if let [item] = g.items.as_slice() {
        return vm.getitem(&obj, item);
    }
    let mut out = Vec::with_capacity(g.items.len());
    for item in &g.items {
        out.push(vm.getitem(&obj, item)?);
    }
    Ok(Value::tuple(out))
}

/// `dotted_getattr`: `getattr` once per part of the name.
fn dotted_getattr(vm: &mut Vm, obj: &Value, attr: &str) -> PyResult<Value> {
    let mut v = obj.clone();
    for part in attr.split('.') {
        v = vm.getattr(&v, part)?;
    }
    Ok(v)
}

fn attrgetter_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (n, obj) = receiver_and_obj(vm, "attrgetter", &args)?;
    let Native::AttrGetter(g) = &*n else {
        return Err(vm.bug("attrgetter.__call__ of another type"));
    };
    if let [attr] = g.attrs.as_slice() {
        return dotted_getattr(vm, &obj, attr);
    }
    let mut out = Vec::with_capacity(g.attrs.len());
    for attr in &g.attrs {
        out.push(dotted_getattr(vm, &obj, attr)?);
    }
    Ok(Value::tuple(out))
}

fn methodcaller_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (n, obj) = receiver_and_obj(vm, "methodcaller", &args)?;
    let Native::MethodCaller(m) = &*n else {
        return Err(vm.bug("methodcaller.__call__ of another type"));
    };
    let method = vm.getattr(&obj, &m.name)?;
    let call = Args {
        pos: m.args.clone(),
        kw: m.kwargs.clone(),
    };
    vm.call(&method, call)
}

/// `itemgetter_repr`, `attrgetter_repr`, `methodcaller_repr`: the type's `tp_name` and
/// the arguments it was made with; `Py_ReprEnter` shows a getter inside its own
/// arguments as `operator.itemgetter(...)`.
pub fn repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    let tp_name = vm.type_of(v).name().clone();
    let key = v.address();
    if vm.repr_active.contains(&key) {
        return Ok(format!("{tp_name}(...)"));
    }
    vm.repr_active.push(key);
    let parts = arguments(vm, n);
    vm.repr_active.retain(|k| *k != key);
    Ok(format!("{tp_name}({})", parts?.join(", ")))
}

fn arguments(vm: &mut Vm, n: &Native) -> PyResult<Vec<String>> {
    let mut parts = Vec::new();
    match n {
        Native::ItemGetter(g) => {
            for item in &g.items {
                parts.push(vm.repr(item)?);
            }
        }
        Native::AttrGetter(g) => {
            for attr in &g.attrs {
                parts.push(vm.repr(&Value::Str(attr.clone()))?);
            }
        }
        Native::MethodCaller(m) => {
            parts.push(vm.repr(&Value::Str(m.name.clone()))?);
            for a in &m.args {
                parts.push(vm.repr(a)?);
            }
            for (k, a) in &m.kwargs {
                parts.push(format!("{k}={}", vm.repr(a)?));
            }
        }
        _ => return Err(vm.bug("operator repr of another type")),
    }
    Ok(parts)
}

/// `__repr__` (CPython's slot wrapper of `tp_repr`).
fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("object", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let Some(v @ Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug("operator __repr__ without a receiver"));
    };
    let n = n.clone();
    Ok(Value::str(&repr(vm, v, &n)?))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("itemgetter", "__repr__", repr_method),
    ("attrgetter", "__repr__", repr_method),
    ("methodcaller", "__repr__", repr_method),
    ("itemgetter", "__call__", itemgetter_call),
    ("attrgetter", "__call__", attrgetter_call),
    ("methodcaller", "__call__", methodcaller_call),
];
