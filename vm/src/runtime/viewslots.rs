//! The entries of the dict views' type dicts (`dict_keys`, `dict_values`, `dict_items`,
//! Objects/dictobject.c's `PyDictKeys_Type` and its kin): their slot wrappers
//! (`__len__`, `__iter__`, `__contains__`, `__repr__`, the rich comparisons, the set
//! operators), `__hash__ = None` of the set-like views, and the methods `__reversed__`
//! and `isdisjoint`. Lib/_collections_abc.py's `_check_methods` finds a type's methods by
//! looking in each class's `__dict__` along the MRO, so these must be there by name.
//!
//! The views cannot be subclassed, so each wrapper's receiver is the view itself (the
//! call machinery checked its type), or an OrderedDict's view around one. The comparisons and set operators are `viewops`'.

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Builtin, NativeFn, Value, ViewKind};
use super::PyResult;
use crate::oparg::{BinaryOp, CompareOp};

/// The slot wrappers and methods, by owner.
const ENTRIES: &[(&str, &[(&str, NativeFn)])] = &[
    ("dict_keys", SETLIKE),
    ("dict_items", SETLIKE),
    ("dict_values", COMMON),
];

/// What all three views have (`dictview_len`, the view's `tp_iter`, `dictview_repr`,
/// `__reversed__`).
const COMMON: &[(&str, NativeFn)] = &[
    ("__iter__", iter),
    ("__len__", len),
    ("__repr__", repr),
    ("__reversed__", reversed),
];

/// The set-like views' (`dictviews_as_number`, `dictview_richcompare`, `tp_as_sequence`'s
/// contains, `isdisjoint`) and [`COMMON`].
const SETLIKE: &[(&str, NativeFn)] = &[
    ("__iter__", iter),
    ("__len__", len),
    ("__repr__", repr),
    ("__reversed__", reversed),
    ("__contains__", contains),
    ("__eq__", eq),
    ("__ne__", ne),
    ("__lt__", lt),
    ("__le__", le),
    ("__gt__", gt),
    ("__ge__", ge),
    ("__and__", and),
    ("__rand__", rand),
    ("__or__", or),
    ("__ror__", ror),
    ("__sub__", sub),
    ("__rsub__", rsub),
    ("__xor__", xor),
    ("__rxor__", rxor),
    ("isdisjoint", isdisjoint),
];

/// Puts the entries in the views' type dicts; the set-like views define a comparison
/// without a hash, so their `__hash__` is None (`PyObject_HashNotImplemented`).
pub fn install(vm: &Vm) {
    for &(owner, entries) in ENTRIES {
        let t = vm.ty(owner);
        for &(name, func) in entries {
            let b = Builtin {
                name,
                owner: Some(owner),
                func,
                module: None,
            };
            t.dict.set_str(name, Value::Builtin(Rc::new(b)));
        }
        if owner != "dict_values" {
            t.dict.set_str("__hash__", Value::None);
        }
    }
    // The views and their forward iterators name `PyObject_GenericGetAttr` as their
    // `tp_getattro`, so their dicts list `object.__getattribute__`'s wrapper.
    for owner in [
        "dict_keys",
        "dict_values",
        "dict_items",
        "dict_keyiterator",
        "dict_valueiterator",
        "dict_itemiterator",
    ] {
        let b = Builtin {
            name: "__getattribute__",
            owner: Some(owner),
            func: super::attr::object_getattribute,
            module: None,
        };
        vm.ty(owner)
            .dict
            .set_str("__getattribute__", Value::Builtin(Rc::new(b)));
    }
}

/// The receiver and exactly `n` more positional arguments, with `check_num_args`'s
/// messages (a slot wrapper's).
fn operands(vm: &Vm, args: Args, name: &str, n: usize) -> PyResult<Vec<Value>> {
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let given = args.pos.len().saturating_sub(1);
    if given != n {
        let s = if n == 1 { "" } else { "s" };
        return Err(vm.type_error(format!("expected {n} argument{s}, got {given}")));
    }
    // An OrderedDict's views (`odict_keys`, …) subclass these and carry a dict view as
    // their payload: the set operations and comparisons see that view.
    // (`PyDictViewSet_Check` takes such a view as the other operand too.)
    let pos: Vec<Value> = args
        .pos
        .into_iter()
        .map(|v| match v.builtin_value() {
            view @ Value::DictView(_) => view.clone(),
            _ => v,
        })
        .collect();
    match pos.first() {
        Some(Value::DictView(_)) => Ok(pos),
        _ => Err(vm.bug("a dict view's slot wrapper without a view")),
    }
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__iter__", 0)?;
    vm.iter(&v[0])
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__len__", 0)?;
    Ok(Value::Int(vm.len(&v[0])? as i64))
}

fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__repr__", 0)?;
    let text = vm.repr(&v[0])?;
    Ok(Value::str(&text))
}

fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__contains__", 1)?;
    Ok(Value::Bool(vm.contains(&v[0], &v[1])?))
}

/// `dict_keys.__reversed__()` (`dictkeys_reversed`, `dictvalues_reversed`,
/// `dictitems_reversed`), a `METH_NOARGS` method.
fn reversed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::DictView(view)) = args.pos.first() else {
        return Err(vm.bug("a dict view's __reversed__ without a view"));
    };
    let view = view.clone();
    let owner = vm.type_of(&args.pos[0]).name().clone();
    super::argspec::no_args(vm, &args, &owner, "__reversed__")?;
    Ok(super::builtins::constructors::view_reversed(&view))
}

/// `dictview_richcompare`: NotImplemented unless the other operand is a set, a
/// frozenset or a set-like view (an instance of a subclass of set counts), else the
/// comparison of the two as sets.
fn compare(vm: &mut Vm, args: Args, op: CompareOp) -> PyResult<Value> {
    let v = operands(vm, args, op.method(), 1)?;
    match vm.view_richcompare(&v[0], &v[1], op)? {
        Some(r) => Ok(Value::Bool(r)),
        None => Ok(Value::NotImplemented),
    }
}

macro_rules! compare_wrappers {
    ($(($op:ident, $f:ident)),* $(,)?) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                compare(vm, args, CompareOp::$op)
            }
        )*
    };
}

compare_wrappers!((Lt, lt), (Le, le), (Eq, eq), (Ne, ne), (Gt, gt), (Ge, ge));

/// `dictviews_and`, `dictviews_or`, `dictviews_sub`, `dictviews_xor` through their slot
/// wrappers (`wrap_binaryfunc_l`, and `wrap_binaryfunc_r` with the operands swapped).
fn set_operator(vm: &mut Vm, args: Args, op: BinaryOp, reflected: bool) -> PyResult<Value> {
    let (name, rname, _) = op.methods();
    let v = operands(vm, args, if reflected { rname } else { name }, 1)?;
    let (a, b) = if reflected {
        (&v[1], &v[0])
    } else {
        (&v[0], &v[1])
    };
    match vm.view_binary(op, a, b)? {
        Some(r) => Ok(r),
        None => Err(vm.bug("a dict view's set operator without a view")),
    }
}

macro_rules! operator_wrappers {
    ($(($op:ident, $f:ident, $r:ident)),* $(,)?) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                set_operator(vm, args, BinaryOp::$op, false)
            }
            fn $r(vm: &mut Vm, args: Args) -> PyResult<Value> {
                set_operator(vm, args, BinaryOp::$op, true)
            }
        )*
    };
}

operator_wrappers!(
    (And, and, rand),
    (Or, or, ror),
    (Subtract, sub, rsub),
    (Xor, xor, rxor),
);

/// `dict_keys.isdisjoint(other)` (`dictviews_isdisjoint`): True when no item of the
/// one iterated is in the other; a set or set-like view longer than the view is the one
/// tested, so the shorter is iterated.
fn isdisjoint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let owner = args
        .pos
        .first()
        .map(|v| vm.type_of(v).name().clone())
        .unwrap_or_else(|| Rc::from("dict_keys"));
    let [other] = super::argspec::Spec::method(
        &owner,
        "isdisjoint",
        super::argspec::Style::O,
        &["other"],
        1,
    )
    .bind::<1>(vm, &args, 1)?;
    let other = super::argspec::required(other);
    let me = args.pos[0].clone();
    if me.is(&other) {
        return Ok(Value::Bool(vm.len(&me)? == 0));
    }
    let (mut container, mut iterated) = (me, other);
    let setlike = match iterated.builtin_value() {
        Value::Set(_) => true,
        Value::DictView(d) => d.kind != ViewKind::Values,
        _ => false,
    };
    if setlike && vm.len(&iterated)? > vm.len(&container)? {
        std::mem::swap(&mut container, &mut iterated);
    }
    let it = vm.iter(&iterated)?;
    while let Some(item) = vm.next(&it)? {
        if vm.contains(&container, &item)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}
