//! `_collections._tuplegetter` (CPython `_tuplegetterobject`): the data descriptor
//! `namedtuple` puts on its classes for the fields — `__get__` returns `obj[index]` of a
//! tuple, `__set__` and `__delete__` refuse. Its `doc` is a member the program may
//! assign, so it sits in a `RefCell`.

use std::cell::RefCell;
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::gc;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::PyResult;
use super::super::itertools::ssize;

#[derive(Debug)]
pub struct TupleGetter {
    pub index: i64,
    pub doc: RefCell<Value>,
}

/// `tuplegetter_new`: `(index, doc, /)`, index a `Py_ssize_t`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("_tuplegetter() takes no keyword arguments"));
    }
    let [index, doc] = Spec::function("_tuplegetter", Style::Positional, &["index", "doc"], 2)
        .bind(vm, &args, 0)?;
    let index = ssize(vm, &argspec::required(index))?;
    Ok(Value::Native(gc::alloc(Native::TupleGetter(TupleGetter {
        index,
        doc: RefCell::new(argspec::required(doc)),
    }))))
}

fn receiver(vm: &Vm, args: &Args) -> PyResult<Rc<Native>> {
    match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::TupleGetter(_)) => Ok(n.clone()),
        _ => Err(vm.bug("a _tuplegetter method without its descriptor")),
    }
}

fn getter(n: &Native) -> Option<&TupleGetter> {
    match n {
        Native::TupleGetter(t) => Some(t),
        _ => None,
    }
}

/// `tuplegetter_descr_get` through the `__get__` wrapper (`wrap_descr_get`: None for both
/// is invalid).
fn get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, owner] = Spec::method(
        "_tuplegetter",
        "__get__",
        Style::Positional,
        &["instance", "owner"],
        1,
    )
    .bind(vm, &args, 1)?;
    let n = receiver(vm, &args)?;
    let t = getter(&n).ok_or_else(|| vm.bug("_tuplegetter"))?;
    let obj = argspec::required(obj);
    if obj.is_none() && owner.as_ref().is_none_or(Value::is_none) {
        return Err(vm.type_error("__get__(None, None) is invalid"));
    }
    let me = Value::Native(n.clone());
    match obj.builtin_value() {
        Value::Tuple(items) => {
            let i = usize::try_from(t.index).ok().filter(|i| *i < items.len());
            match i {
                Some(i) => Ok(items[i].clone()),
                None => Err(vm.err("IndexError", "tuple index out of range")),
            }
        }
        Value::None => Ok(me),
        _ => {
            let tn = vm.type_of(&obj).name().clone();
            Err(vm.type_error(format!(
                "descriptor for index '{}' for tuple subclasses doesn't apply to '{tn}' object",
                t.index
            )))
        }
    }
}

fn set(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "_tuplegetter",
        "__set__",
        Style::Positional,
        &["instance", "value"],
        2,
    )
    .parse(vm, &args, 1)?;
    Err(vm.err("AttributeError", "can't set attribute"))
}

fn delete(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "_tuplegetter",
        "__delete__",
        Style::Positional,
        &["instance"],
        1,
    )
    .parse(vm, &args, 1)?;
    Err(vm.err("AttributeError", "can't delete attribute"))
}

/// `tuplegetter_repr`: `_tuplegetter(index, doc)`.
pub fn repr(vm: &mut Vm, t: &TupleGetter) -> PyResult<String> {
    let doc = t.doc.borrow().clone();
    let d = vm.repr(&doc)?;
    Ok(format!("_tuplegetter({}, {d})", t.index))
}

fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_tuplegetter", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let n = receiver(vm, &args)?;
    let t = getter(&n).ok_or_else(|| vm.bug("_tuplegetter"))?;
    Ok(Value::str(&repr(vm, t)?))
}

/// `tuplegetter_reduce`: `(type, (index, doc))`.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "_tuplegetter", "__reduce__")?;
    let n = receiver(vm, &args)?;
    let t = getter(&n).ok_or_else(|| vm.bug("_tuplegetter"))?;
    let doc = t.doc.borrow().clone();
    Ok(Value::tuple(vec![
        Value::Type(vm.ty("_tuplegetter")),
        Value::tuple(vec![Value::Int(t.index), doc]),
    ]))
}

/// Assigns the `__doc__` member when `n` is a `_tuplegetter` and `name` is `__doc__`.
pub fn set_doc(n: &Native, name: &str, x: &Value) -> bool {
    match n {
        Native::TupleGetter(t) if name == "__doc__" => {
            let old = t.doc.replace(x.clone());
            drop(old);
            true
        }
        _ => false,
    }
}

/// `__doc__` (a `T_OBJECT` member): read here, assigned through `set_doc`.
pub fn doc(t: &TupleGetter) -> Value {
    t.doc.borrow().clone()
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("_tuplegetter", "__get__", get),
    ("_tuplegetter", "__set__", set),
    ("_tuplegetter", "__delete__", delete),
    ("_tuplegetter", "__repr__", repr_method),
    ("_tuplegetter", "__reduce__", reduce),
];
