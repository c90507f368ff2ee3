//! `collections.defaultdict` (CPython `defdictobject`): a dict subclass whose
//! `__missing__` calls `default_factory`. An instance is an `Instance` of the built-in
//! type carrying its dict as the payload (as a class derived from dict does, see
//! `subclass`), so it is a dict everywhere a dict is read; `default_factory` is its one
//! slot (CPython's struct member after the `PyDictObject`), read through a member
//! descriptor. `defaultdict.__new__` is `dict.__new__`, as in CPython.

use std::cell::RefCell;
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, NativeFn, Property, PropertyKind, Value};
use super::super::super::subclass::with_payload;
use super::super::super::PyResult;

/// The index of `default_factory` among the instance's slots.
pub const FACTORY_SLOT: usize = 0;

/// `default_factory`, None while unset (CPython's NULL reads as None through `T_OBJECT`).
fn factory(v: &Value) -> Value {
    match v {
        Value::Object(o) => o
            .slots
            .borrow()
            .get(FACTORY_SLOT)
            .cloned()
            .flatten()
            .unwrap_or_default(),
        _ => Value::None,
    }
}

fn set_factory(v: &Value, f: Value) {
    if let Value::Object(o) = v {
        if let Some(slot) = o.slots.borrow_mut().get_mut(FACTORY_SLOT) {
            *slot = Some(f);
        }
    }
}

fn payload(vm: &Vm, v: &Value) -> PyResult<Rc<Dict>> {
    match v.builtin_value() {
        Value::Dict(d) => Ok(d.clone()),
        _ => Err(vm.bug("a defaultdict without its dict")),
    }
}

/// `PyCallable_Check`, for the natives' objects too.
fn callable(vm: &Vm, v: &Value) -> bool {
    super::super::super::builtins::is_callable(vm, v)
        || matches!(v, Value::Native(_) | Value::Property(_)) && vm.special(v, "__call__").is_some()
}

/// `defaultdict(...)`: `dict_new` for the type, then `defdict_init`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = with_payload(&vm.ty("defaultdict"), Value::Dict(Dict::new_rc()));
    let mut a = args;
    a.pos.insert(0, me.clone());
    init(vm, a)?;
    Ok(me)
}

/// `defdict_init`: the first positional argument is the factory (callable or None), the
/// others go to `dict.__init__`.
fn init(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error(
            "descriptor '__init__' of 'collections.defaultdict' object needs an argument",
        ));
    }
    let me = args.pos.remove(0);
    let newdefault = if args.pos.is_empty() {
        Value::None
    } else {
        let f = args.pos.remove(0);
        if !f.is_none() && !callable(vm, &f) {
            return Err(vm.type_error("first argument must be callable or None"));
        }
        f
    };
    set_factory(&me, newdefault);
    let init = vm.ty("dict").lookup("__init__").unwrap_or_default();
    args.pos.insert(0, me);
    vm.call(&init, args)?;
    Ok(Value::None)
}

/// `defdict_missing`: KeyError((key,)) without a factory, else `self[key] = factory()`.
fn missing(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key] =
        Spec::method("defaultdict", "__missing__", Style::O, &["key"], 1).bind(vm, &args, 1)?;
    let key = argspec::required(key);
    let me = args.pos.first().cloned().unwrap_or_default();
    let f = factory(&me);
    if f.is_none() {
        return Err(vm.err_args("KeyError", vec![key]));
    }
    let value = vm.call(&f, Args::default())?;
    vm.setitem(&me, &key, value.clone())?;
    Ok(value)
}

/// `new_defdict`: `type(dd)(dd.default_factory, arg)`.
fn new_like(vm: &mut Vm, me: &Value, arg: Value) -> PyResult<Value> {
    let t = Value::Type(vm.type_of(me));
    vm.call(&t, Args::new(vec![factory(me), arg]))
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "defaultdict", "copy")?;
    let me = args.pos.first().cloned().unwrap_or_default();
    new_like(vm, &me, me.clone())
}

fn copy_dunder(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "defaultdict", "__copy__")?;
    let me = args.pos.first().cloned().unwrap_or_default();
    new_like(vm, &me, me.clone())
}

/// `defdict_reduce`: `(type, (factory,) or (), None, None, iter(self.items()))`.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "defaultdict", "__reduce__")?;
    let me = args.pos.first().cloned().unwrap_or_default();
    let f = factory(&me);
    let a = if f.is_none() {
        Value::tuple(vec![])
    } else {
        Value::tuple(vec![f])
    };
    let items = vm.getattr(&me, "items")?;
    let items = vm.call(&items, Args::default())?;
    let it = vm.iter(&items)?;
    let t = Value::Type(vm.type_of(&me));
    Ok(Value::tuple(vec![t, a, Value::None, Value::None, it]))
}

/// `defdict_repr`: `%s(%U, %U)` with the type's name, the factory's repr and
/// `dict_repr(dd)`. The evaluator's `Py_ReprEnter` marked the instance; CPython marks
/// the dict (`{...}` inside itself), so the mark moves to the payload here.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("defaultdict", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let me = args.pos.first().cloned().unwrap_or_default();
    let d = Value::Dict(payload(vm, &me)?);
    let key = me.address();
    let marked = vm.repr_active.last() == Some(&key);
    if marked {
        vm.repr_active.pop();
    }
    let base = vm.repr(&d);
    let def = base.and_then(|b| Ok((b, vm.repr(&factory(&me))?)));
    if marked {
        vm.repr_active.push(key);
    }
    let (base, def) = def?;
    let name = vm.type_of(&me).name().clone();
    let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
    Ok(Value::str(&format!("{name}({def}, {base})")))
}

/// `defdict_or` (`nb_or`, both ways): `new_defdict(self, left)` updated with `right`;
/// NotImplemented when the other operand is not a dict.
fn or_impl(vm: &mut Vm, args: &Args, name: &str, reflected: bool) -> PyResult<Value> {
    let [other] =
        Spec::method("defaultdict", name, Style::Wrapper, &["value"], 1).bind(vm, args, 1)?;
    let other = argspec::required(other);
    let me = args.pos.first().cloned().unwrap_or_default();
    if !matches!(other.builtin_value(), Value::Dict(_)) {
        return Ok(Value::NotImplemented);
    }
    let is_dd = vm.type_of(&other).is_subtype(&vm.ty("defaultdict"));
    // `left | right` where both are defaultdicts: CPython's `self` is the left one.
    let (left, right) = if reflected {
        (other.clone(), me.clone())
    } else {
        (me.clone(), other.clone())
    };
    let self_ = if reflected && is_dd { &other } else { &me };
    let new = new_like(vm, self_, left)?;
    let d = payload(vm, &new)?;
    for (k, v) in vm.mapping_items(&right)? {
        vm.dict_set(&d, k, v)?;
    }
    Ok(new)
}

fn or(vm: &mut Vm, args: Args) -> PyResult<Value> {
    or_impl(vm, &args, "__or__", false)
}

fn ror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    or_impl(vm, &args, "__ror__", true)
}

/// `default_factory`: a member descriptor over the instance's slot (`defdict_members`).
pub fn install(vm: &Vm) {
    let member = Property {
        kind: PropertyKind::Member,
        func: Value::Int(FACTORY_SLOT as i64),
        fset: Value::None,
        fdel: Value::None,
        // The owner the member's messages name.
        doc: RefCell::new(Value::str("collections.defaultdict")),
        name: RefCell::new(Value::str("default_factory")),
        readonly: false,
    };
    vm.ty("defaultdict")
        .dict
        .set_str("default_factory", Value::Property(Rc::new(member)));
}

/// Whether `p` is the `default_factory` member `install` made.
pub fn is_factory_member(p: &Property) -> bool {
    matches!(&*p.doc.borrow(), Value::Str(s) if &**s == "collections.defaultdict")
        && matches!(&*p.name.borrow(), Value::Str(s) if &**s == "default_factory")
}

/// `__class_getitem__` (`Py_GenericAlias`).
pub fn class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [sub] = Spec::method("defaultdict", "__class_getitem__", Style::O, &["item"], 1)
        .bind(vm, &args, 1)?;
    let cls = args.pos.first().cloned().unwrap_or_default();
    Ok(super::super::super::genericalias::alias(
        cls,
        &argspec::required(sub),
    ))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("defaultdict", "__init__", init),
    ("defaultdict", "__missing__", missing),
    ("defaultdict", "copy", copy),
    ("defaultdict", "__copy__", copy_dunder),
    ("defaultdict", "__reduce__", reduce),
    ("defaultdict", "__repr__", repr),
    ("defaultdict", "__or__", or),
    ("defaultdict", "__ror__", ror),
];
