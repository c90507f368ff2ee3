//! `object`'s own special methods and pickling support (Objects/typeobject.c,
//! `PyBaseObject_Type`): the rich comparisons (`object_richcompare`), `__hash__`
//! (`_Py_HashPointer`), `__repr__`, `__format__`, `__dir__`, `__sizeof__`, and the reduce
//! protocol `copy` and `pickle` call (`object___reduce_ex__`, `reduce_newobj`,
//! `object_getstate`).
//!
//! They sit in `object`'s dict, where subclasses inherit them and `super()` and
//! `object.__ne__` find them. The evaluator does not call them for its own operators:
//! `special` passes over methods owned by `object`, whose behaviour the protocols apply
//! directly.

use std::rc::Rc;

use super::argspec::{self, Spec, Style};
use super::interp::Vm;
use super::object::{Args, NativeFn, Value};
use super::PyResult;
use crate::oparg::CompareOp;

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("object", "__repr__", repr),
    ("object", "__hash__", hash),
    ("object", "__eq__", eq),
    ("object", "__ne__", ne),
    ("object", "__lt__", lt),
    ("object", "__le__", le),
    ("object", "__gt__", gt),
    ("object", "__ge__", ge),
    ("object", "__format__", format),
    ("object", "__dir__", dir),
    ("object", "__sizeof__", sizeof),
    ("object", "__reduce__", reduce),
    ("object", "__reduce_ex__", reduce_ex),
    ("object", "__getstate__", getstate),
    // NoneType's own `tp_richcompare` compares as `object_richcompare` does; its
    // entries are NoneType's, so `object.__ne__(None, x)` finds `NoneType.__eq__`.
    ("NoneType", "__eq__", eq),
    ("NoneType", "__ne__", ne),
    ("NoneType", "__lt__", lt),
    ("NoneType", "__le__", le),
    ("NoneType", "__gt__", gt),
    ("NoneType", "__ge__", ge),
    ("set", "__reduce__", set_reduce),
    ("frozenset", "__reduce__", frozenset_reduce),
];

/// `set.__reduce__()` (`set_reduce`): `(type(self), (list(self),), state)`, the state
/// as `__getstate__` gives it (None for a set without an instance dict).
fn set_reduce_of(vm: &mut Vm, args: &Args, owner: &str) -> PyResult<Value> {
    argspec::no_args(vm, args, owner, "__reduce__")?;
    let me = args.pos[0].clone();
    let keys = vm.collect(&me)?;
    let state = object_getstate(vm, &me, false)?;
    let t = Value::Type(vm.type_of(&me));
    Ok(Value::tuple(vec![
        t,
        Value::tuple(vec![Value::list(keys)]),
        state,
    ]))
}

fn set_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    set_reduce_of(vm, &args, "set")
}

fn frozenset_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    set_reduce_of(vm, &args, "frozenset")
}

/// A slot wrapper's receiver and its `N` operands (`check_num_args`).
fn wrapper_args<const N: usize>(vm: &Vm, args: &Args, name: &str) -> PyResult<(Value, [Value; N])> {
    const PARAMS: [&str; 2] = ["value", "other"];
    let bound = Spec::method("object", name, Style::Wrapper, &PARAMS[..N], N).parse(vm, args, 1)?;
    let ops: Vec<Value> = bound.into_iter().map(argspec::required).collect();
    let ops = ops
        .try_into()
        .map_err(|_| vm.bug("a slot wrapper's operands"))?;
    Ok((args.pos[0].clone(), ops))
}

/// `object_richcompare` for `==`: identity, else NotImplemented.
fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, [other]) = wrapper_args::<1>(vm, &args, "__eq__")?;
    Ok(if me.is(&other) {
        Value::Bool(true)
    } else {
        Value::NotImplemented
    })
}

/// `object_richcompare` for `!=`: the receiver's type's own `==`, inverted unless it
/// answered NotImplemented.
fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, [other]) = wrapper_args::<1>(vm, &args, "__ne__")?;
    match type_eq(vm, &me, &other)? {
        Value::NotImplemented => Ok(Value::NotImplemented),
        r => Ok(Value::Bool(!vm.truthy(&r)?)),
    }
}

/// `Py_TYPE(a)->tp_richcompare(a, b, Py_EQ)`: `a`'s type's `__eq__` alone, never `b`'s
/// reflected one.
fn type_eq(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<Value> {
    let t = vm.type_of(a);
    let identity = || {
        if a.is(b) {
            Value::Bool(true)
        } else {
            Value::NotImplemented
        }
    };
    match vm.type_lookup(&t, "__eq__")? {
        Some(Value::Builtin(f)) if f.owner == Some("object") => {
            // A built-in value whose type compares in the evaluator rather than
            // through an entry of its dict.
            let tn = t.name();
            let own = tn.rsplit('.').next().unwrap_or_default();
            let cpython = super::reach::defining_type(own, "__eq__");
            if t.is_builtin() && cpython.is_some_and(|o| o != "object") {
                if !Rc::ptr_eq(&t, &vm.type_of(b)) {
                    return Err(vm.unsupported(format!(
                        "object.__ne__ of a {} and a value of another type",
                        t.name()
                    )));
                }
                return Ok(Value::Bool(vm.eq(a, b)?));
            }
            Ok(identity())
        }
        Some(f) => vm.call(&f, Args::new(vec![a.clone(), b.clone()])),
        None => Ok(identity()),
    }
}

/// `object_richcompare` for the orderings: NotImplemented.
fn ordering(vm: &Vm, args: &Args, op: CompareOp) -> PyResult<Value> {
    wrapper_args::<1>(vm, args, op.method())?;
    Ok(Value::NotImplemented)
}

fn lt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    ordering(vm, &args, CompareOp::Lt)
}

fn le(vm: &mut Vm, args: Args) -> PyResult<Value> {
    ordering(vm, &args, CompareOp::Le)
}

fn gt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    ordering(vm, &args, CompareOp::Gt)
}

fn ge(vm: &mut Vm, args: Args) -> PyResult<Value> {
    ordering(vm, &args, CompareOp::Ge)
}

/// `_Py_HashPointer`: the hash of the object's address, as `hash()` of an instance
/// without `__hash__`.
fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, []) = wrapper_args::<0>(vm, &args, "__hash__")?;
    Ok(Value::Int(super::hash::pointer(me.address())))
}

/// `object_repr`: `<module.Qualname object at 0x…>`, whatever `__repr__` the class has.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, []) = wrapper_args::<0>(vm, &args, "__repr__")?;
    Ok(Value::str(&vm.default_repr(&me)))
}

/// `object.__format__(format_spec)`: `str(self)` for an empty spec, else a TypeError.
fn format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [spec] = Spec::method("object", "__format__", Style::O, &["format_spec"], 1)
        .bind::<1>(vm, &args, 1)?;
    let me = args.pos[0].clone();
    match argspec::required(spec).builtin_value() {
        Value::Str(s) if s.is_empty() => Ok(Value::str(&vm.str_of(&me)?)),
        Value::Str(_) => Err(vm.type_error(format!(
            "unsupported format string passed to {}.__format__",
            vm.type_of(&me).name()
        ))),
        other => Err(vm.type_error(format!(
            "__format__() argument must be str, not {}",
            super::builtins::type_name_of_arg(vm, other)
        ))),
    }
}

/// `object.__dir__()`: the instance dict's keys and its class's names, unsorted.
fn dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "object", "__dir__")?;
    let names = super::builtins::dir_names(vm, &args.pos[0])?;
    Ok(Value::list(names))
}

/// `object.__sizeof__()`: the type's basic size plus its items. Known for instances of
/// classes without a built-in base other than `object`: the object header and a pointer
/// per `__slots__` member (3.12 keeps `__dict__` and weak references before the header).
fn sizeof(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "object", "__sizeof__")?;
    match &args.pos[0] {
        Value::Object(o) if o.payload.is_none() && o.exc.is_none() => {
            let t = o.class.borrow().clone();
            if t.base_layout == "object" {
                return Ok(Value::Int(16 + 8 * t.nslots as i64));
            }
            Err(vm.unsupported(format!("object.__sizeof__ of a {} instance", t.name())))
        }
        other => {
            let t = vm.type_of(other);
            Err(vm.unsupported(format!("object.__sizeof__ of a {} object", t.name())))
        }
    }
}

/// `object.__reduce__()`: `_common_reduce(self, 0)`.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "object", "__reduce__")?;
    common_reduce(vm, &args.pos[0], 0)
}

/// `object.__reduce_ex__(protocol)`: the class's own `__reduce__` when it overrides
/// object's, else `_common_reduce`.
fn reduce_ex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [protocol] = Spec::method("object", "__reduce_ex__", Style::O, &["protocol"], 1)
        .bind::<1>(vm, &args, 1)?;
    let protocol = argspec::index(vm, &argspec::required(protocol))?;
    let me = args.pos[0].clone();
    let reduce = match vm.getattr(&me, "__reduce__") {
        Ok(r) => Some(r),
        Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => None,
        Err(e) => return Err(e),
    };
    if let Some(reduce) = reduce {
        let t = vm.type_of(&me);
        let own = vm.getattr(&Value::Type(t), "__reduce__")?;
        let inherited = matches!(&own, Value::Builtin(b)
            if b.owner == Some("object") && b.name == "__reduce__");
        if !inherited {
            return vm.call(&reduce, Args::new(vec![]));
        }
    }
    common_reduce(vm, &me, protocol)
}

/// `_common_reduce`: `reduce_newobj` from protocol 2, else `copyreg._reduce_ex`.
fn common_reduce(vm: &mut Vm, me: &Value, protocol: i64) -> PyResult<Value> {
    if protocol >= 2 {
        return reduce_newobj(vm, me);
    }
    let copyreg = import_copyreg(vm)?;
    let f = vm.getattr(&copyreg, "_reduce_ex")?;
    vm.call(&f, Args::new(vec![me.clone(), Value::Int(protocol)]))
}

fn import_copyreg(vm: &mut Vm) -> PyResult<Value> {
    super::import::import_name(vm, "copyreg", None, &Value::None, 0)
}

/// `reduce_newobj`: `(copyreg.__newobj__, (cls, *args), state, listitems, dictitems)`,
/// or `copyreg.__newobj_ex__` with `(cls, args, kwargs)` when there are keyword
/// arguments.
fn reduce_newobj(vm: &mut Vm, me: &Value) -> PyResult<Value> {
    let t = vm.type_of(me);
    if matches!(
        me,
        Value::DictView(_) | Value::Generator(_) | Value::AsyncOp(_)
    ) {
        // Types without `tp_new`.
        return Err(vm.type_error(format!("cannot pickle '{}' object", t.name())));
    }
    if !matches!(me, Value::Object(_) | Value::List(_) | Value::Dict(_)) {
        // A built-in value's type may lack `tp_new` or reduce itself in C in ways the
        // VM's dicts do not say yet.
        return Err(vm.unsupported(format!("object.__reduce_ex__ of a {} object", t.name())));
    }
    let (args, kwargs) = new_arguments(vm, me)?;
    let copyreg = import_copyreg(vm)?;
    let cls = Value::Type(t.clone());
    let has_args = args.is_some();
    let (newobj, newargs) = match kwargs {
        Some(kw) if !kw.is_empty() => {
            let args = args.unwrap_or_else(|| Value::tuple(vec![]));
            (
                vm.getattr(&copyreg, "__newobj_ex__")?,
                Value::tuple(vec![cls, args, Value::Dict(kw)]),
            )
        }
        _ => {
            let mut items = vec![cls];
            if let Some(Value::Tuple(a)) = args {
                items.extend(a.iter().cloned());
            }
            (vm.getattr(&copyreg, "__newobj__")?, Value::tuple(items))
        }
    };
    let list = matches!(me.builtin_value(), Value::List(_));
    let dict = matches!(me.builtin_value(), Value::Dict(_));
    let state = object_getstate(vm, me, !(has_args || list || dict))?;
    let listitems = if list { vm.iter(me)? } else { Value::None };
    let dictitems = if dict {
        let items = vm.getattr(me, "items")?;
        let items = vm.call(&items, Args::new(vec![]))?;
        vm.iter(&items)?
    } else {
        Value::None
    };
    Ok(Value::tuple(vec![
        newobj, newargs, state, listitems, dictitems,
    ]))
}

/// `_PyObject_GetNewArguments`: what `__getnewargs_ex__` or `__getnewargs__` returns,
/// checked; `(None, None)` when the class defines neither.
fn new_arguments(
    vm: &mut Vm,
    me: &Value,
) -> PyResult<(Option<Value>, Option<Rc<super::dict::Dict>>)> {
    let t = vm.type_of(me);
    let tname = |vm: &Vm, v: &Value| vm.type_of(v).name().clone();
    if let Some(f) = vm.type_lookup(&t, "__getnewargs_ex__")? {
        let f = vm.bind(&f, me);
        let r = vm.call(&f, Args::new(vec![]))?;
        let Value::Tuple(pair) = &r else {
            return Err(vm.type_error(format!(
                "__getnewargs_ex__ should return a tuple, not '{}'",
                tname(vm, &r)
            )));
        };
        if pair.len() != 2 {
            return Err(vm.err(
                "ValueError",
                format!(
                    "__getnewargs_ex__ should return a tuple of length 2, not {}",
                    pair.len()
                ),
            ));
        }
        if !matches!(pair[0], Value::Tuple(_)) {
            return Err(vm.type_error(format!(
                "first item of the tuple returned by __getnewargs_ex__ must be a tuple, not '{}'",
                tname(vm, &pair[0])
            )));
        }
        let Value::Dict(kw) = &pair[1] else {
            return Err(vm.type_error(format!(
                "second item of the tuple returned by __getnewargs_ex__ must be a dict, not '{}'",
                tname(vm, &pair[1])
            )));
        };
        return Ok((Some(pair[0].clone()), Some(kw.clone())));
    }
    if let Some(f) = vm.type_lookup(&t, "__getnewargs__")? {
        let f = vm.bind(&f, me);
        let r = vm.call(&f, Args::new(vec![]))?;
        if !matches!(r, Value::Tuple(_)) {
            return Err(vm.type_error(format!(
                "__getnewargs__ should return a tuple, not '{}'",
                tname(vm, &r)
            )));
        }
        return Ok((Some(r), None));
    }
    Ok((None, None))
}

/// `object_getstate`: the object's `__getstate__()`, or object's default with
/// `required` when the class does not override it.
pub(crate) fn object_getstate(vm: &mut Vm, me: &Value, required: bool) -> PyResult<Value> {
    let f = vm.getattr(me, "__getstate__")?;
    let default = matches!(&f, Value::Method(m)
        if m.receiver.is(me)
            && matches!(&m.func, Value::Builtin(b)
                if b.owner == Some("object") && b.name == "__getstate__"));
    if default {
        getstate_default(vm, me, required)
    } else {
        vm.call(&f, Args::new(vec![]))
    }
}

/// `object.__getstate__()`.
fn getstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "object", "__getstate__")?;
    getstate_default(vm, &args.pos[0], false)
}

/// `object_getstate_default`: the instance dict (None when empty or absent), paired
/// with a dict of the `__slots__` members that hold a value when there are any.
fn getstate_default(vm: &mut Vm, me: &Value, required: bool) -> PyResult<Value> {
    let t = vm.type_of(me);
    let state = match me {
        Value::Object(o) => {
            if required && (o.payload.is_some() || o.exc.is_some()) {
                // The variable-size and extra-field checks depend on the built-in
                // base's C layout.
                return Err(vm.unsupported(format!(
                    "object.__getstate__ of a {} instance (a built-in base's layout)",
                    t.name()
                )));
            }
            if t.has_dict && !o.dict.is_empty() {
                Value::Dict(o.dict.clone())
            } else {
                Value::None
            }
        }
        // No instance dict, no slots, no extra fields to refuse.
        Value::List(_) | Value::Dict(_) | Value::Set(_) if !required => Value::None,
        _ => return Err(vm.unsupported(format!("object.__getstate__ of a {} object", t.name()))),
    };
    let names = slot_names(vm, &t)?;
    let slots = super::dict::Dict::new_rc();
    for name in names {
        let Value::Str(s) = name.builtin_value() else {
            return Err(vm.unsupported("a __slotnames__ entry that is not a str"));
        };
        match vm.getattr(me, s) {
            Ok(v) => slots.set_str(s, v),
            Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {}
            Err(e) => return Err(e),
        }
    }
    if slots.is_empty() {
        Ok(state)
    } else {
        Ok(Value::tuple(vec![state, Value::Dict(slots)]))
    }
}

/// `_PyType_GetSlotNames`: the class's cached `__slotnames__`, else what
/// `copyreg._slotnames` computes (and caches).
fn slot_names(vm: &mut Vm, t: &Rc<super::types::Type>) -> PyResult<Vec<Value>> {
    let names = match t.dict.get_str("__slotnames__") {
        Some(v) => v,
        None => {
            let copyreg = import_copyreg(vm)?;
            let f = vm.getattr(&copyreg, "_slotnames")?;
            let v = vm.call(&f, Args::new(vec![Value::Type(t.clone())]))?;
            if !matches!(v, Value::None | Value::List(_)) {
                return Err(vm.type_error("copyreg._slotnames didn't return a list or None"));
            }
            v
        }
    };
    match &names {
        Value::None => Ok(vec![]),
        Value::List(l) => Ok(l.items.borrow().clone()),
        other => Err(vm.type_error(format!(
            "{}.__slotnames__ should be a list or None, not {}",
            t.name(),
            vm.type_of(other).name()
        ))),
    }
}
