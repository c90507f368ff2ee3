//! `_abc` (CPython `Modules/_abc.c`): the C half of `abc.ABCMeta` — each ABC's registry
//! and caches (`_abc_data`), `__abstractmethods__`, the collection flags that
//! `__abc_tpflags__` and `register` give classes (what `match` treats as sequences and
//! mappings), and the instance and subclass checks in CPython's order, so the Python
//! hooks they call (`__subclasshook__`, `__subclasscheck__`) run as they do there.
//!
//! The registry and caches hold classes weakly (CPython: sets of weak references); the VM
//! keeps `Weak<Type>` lists and skips dead entries.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, Value};
use super::super::types::{Type, MAPPING, SEQUENCE};
use super::super::PyResult;

thread_local! {
    /// `abc_invalidation_counter`: bumped by every `register`.
    static INVALIDATION: Cell<i64> = const { Cell::new(0) };
}

/// Forgets the counter: at the start of a run.
pub fn reset() {
    INVALIDATION.with(|c| c.set(0));
}

/// `_abc_data`: an ABC's registry and its positive and negative caches.
#[derive(Debug, Default)]
pub struct AbcData {
    registry: RefCell<Vec<Weak<Type>>>,
    cache: RefCell<Vec<Weak<Type>>>,
    negative_cache: RefCell<Vec<Weak<Type>>>,
    negative_cache_version: Cell<i64>,
}

fn holds(list: &RefCell<Vec<Weak<Type>>>, t: &Rc<Type>) -> bool {
    list.borrow()
        .iter()
        .any(|w| w.upgrade().is_some_and(|x| Rc::ptr_eq(&x, t)))
}

fn add(list: &RefCell<Vec<Weak<Type>>>, t: &Rc<Type>) {
    let mut l = list.borrow_mut();
    l.retain(|w| w.strong_count() > 0);
    if !l.iter().any(|w| std::ptr::eq(w.as_ptr(), Rc::as_ptr(t))) {
        l.push(Rc::downgrade(t));
    }
}

fn live(list: &RefCell<Vec<Weak<Type>>>) -> Vec<Rc<Type>> {
    list.borrow().iter().filter_map(Weak::upgrade).collect()
}

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_abc",
        &[
            ("get_cache_token", get_cache_token),
            ("_abc_init", abc_init),
            ("_abc_register", abc_register),
            ("_abc_instancecheck", abc_instancecheck),
            ("_abc_subclasscheck", abc_subclasscheck),
            ("_reset_registry", reset_registry),
            ("_reset_caches", reset_caches),
            ("_get_dump", get_dump),
        ],
    );
}

fn get_cache_token(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_abc", "get_cache_token", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(INVALIDATION.with(|c| c.get())))
}

/// The class argument of the functions below.
fn class_arg(vm: &Vm, v: &Value) -> PyResult<Rc<Type>> {
    match v {
        Value::Type(t) => Ok(t.clone()),
        _ => Err(vm.type_error("Can only register classes")),
    }
}

/// `_get_impl`: the class's `_abc_impl`.
fn data(vm: &mut Vm, cls: &Value) -> PyResult<Rc<AbcData>> {
    let imp = vm.getattr(cls, "_abc_impl")?;
    if let Value::Native(n) = &imp {
        if let Native::AbcData(d) = &**n {
            return Ok(d.clone());
        }
    }
    Err(vm.type_error("_abc_impl is set to a wrong type"))
}

/// `_abc_init(cls)`: `__abstractmethods__` (the namespace's abstract methods and the
/// bases' still abstract ones), `_abc_impl`, and the flags of `__abc_tpflags__`.
fn abc_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [cls] =
        Spec::method("_abc", "_abc_init", Style::O, &["self"], 1).bind::<1>(vm, &args, 0)?;
    let cls = cls.unwrap_or(Value::None);
    if !matches!(cls, Value::Type(_)) {
        // `compute_abstract_methods` reads the namespace first.
        vm.getattr(&cls, "__dict__")?;
        return Err(vm.unsupported("_abc._abc_init of an object that is not a class"));
    }
    let t = class_arg(vm, &cls)?;
    // `compute_abstract_methods`.
    let mut abstracts: Vec<Value> = Vec::new();
    for (name, value) in t.dict.items() {
        if is_abstract(vm, &value)? {
            abstracts.push(name);
        }
    }
    for base in t.bases.clone() {
        let base_abstracts = match vm.getattr(&Value::Type(base), "__abstractmethods__") {
            Ok(v) => vm.collect(&v)?,
            Err(super::super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        for name in base_abstracts {
            let Value::Str(n) = &name else {
                continue;
            };
            let value = match vm.getattr(&cls, n) {
                Ok(v) => v,
                Err(super::super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                    continue
                }
                Err(e) => return Err(e),
            };
            let known = abstracts
                .iter()
                .any(|a| matches!(a, Value::Str(x) if x == n));
            if !known && is_abstract(vm, &value)? {
                abstracts.push(name);
            }
        }
    }
    let set = vm.new_frozenset(Some(&Value::tuple(abstracts)))?;
    vm.setattr(&cls, "__abstractmethods__", set)?;
    let imp = Value::Native(Rc::new(Native::AbcData(Rc::new(AbcData::default()))));
    vm.setattr(&cls, "_abc_impl", imp)?;
    // `__abc_tpflags__`: collections.abc's Sequence and Mapping mark themselves.
    if let Some(flags) = t.dict.get_str("__abc_tpflags__") {
        let Value::Int(f) = flags else {
            return Err(vm.type_error("__abc_tpflags__ must be an int"));
        };
        const TPFLAGS_SEQUENCE: i64 = 1 << 5;
        const TPFLAGS_MAPPING: i64 = 1 << 6;
        let mut c = 0;
        if f & TPFLAGS_SEQUENCE != 0 {
            c |= SEQUENCE;
        }
        if f & TPFLAGS_MAPPING != 0 {
            c |= MAPPING;
        }
        t.collection.set(c);
        let _ = t.dict.remove(&Value::str("__abc_tpflags__"));
        super::super::types::types_changed();
    }
    Ok(Value::None)
}

/// `getattr(value, "__isabstractmethod__", False)` is true.
fn is_abstract(vm: &mut Vm, value: &Value) -> PyResult<bool> {
    match vm.getattr(value, "__isabstractmethod__") {
        Ok(v) => vm.truthy(&v),
        Err(super::super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(false),
        Err(e) => Err(e),
    }
}

fn two(vm: &Vm, args: &Args, name: &str) -> PyResult<(Value, Value)> {
    let [a, b] =
        Spec::method("_abc", name, Style::Positional, &["self", "x"], 2).bind::<2>(vm, args, 0)?;
    Ok((a.unwrap_or(Value::None), b.unwrap_or(Value::None)))
}

fn issubclass(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let f = vm.builtins.get_str("issubclass").unwrap_or(Value::None);
    let r = vm.call(&f, Args::new(vec![a.clone(), b.clone()]))?;
    vm.truthy(&r)
}

/// `_abc_register(cls, subclass)`.
fn abc_register(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (cls, subclass) = two(vm, &args, "_abc_register")?;
    let sub = class_arg(vm, &subclass)?;
    if issubclass(vm, &subclass, &cls)? {
        return Ok(subclass);
    }
    if issubclass(vm, &cls, &subclass)? {
        return Err(vm.err("RuntimeError", "Refusing to create an inheritance cycle"));
    }
    let d = data(vm, &cls)?;
    add(&d.registry, &sub);
    INVALIDATION.with(|c| c.set(c.get() + 1));
    // `set_collection_flag_recursive`: a registered class (not a built-in one) takes the
    // ABC's collection flags, as do its subclasses.
    if let Value::Type(t) = &cls {
        let flags = t.collection.get();
        if flags != 0 && !sub.is_builtin() {
            set_flags_recursive(&sub, flags);
        }
    }
    Ok(subclass)
}

fn set_flags_recursive(t: &Rc<Type>, flags: u8) {
    if t.is_builtin() || t.collection.get() & (SEQUENCE | MAPPING) != 0 {
        return;
    }
    t.collection.set(flags);
    let subs: Vec<Rc<Type>> = t
        .subclasses
        .borrow()
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for s in subs {
        set_flags_recursive(&s, flags);
    }
}

/// `_abc_instancecheck(cls, instance)`.
fn abc_instancecheck(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (cls, instance) = two(vm, &args, "_abc_instancecheck")?;
    let d = data(vm, &cls)?;
    let subclass = vm.getattr(&instance, "__class__")?;
    if let Value::Type(s) = &subclass {
        if holds(&d.cache, s) {
            return Ok(Value::Bool(true));
        }
    }
    let subtype = Value::Type(vm.type_of(&instance));
    let check = vm.getattr(&cls, "__subclasscheck__")?;
    if subtype.is(&subclass) {
        if let Value::Type(s) = &subclass {
            let version = INVALIDATION.with(|c| c.get());
            let data = &d;
            if data.negative_cache_version.get() == version && holds(&data.negative_cache, s) {
                return Ok(Value::Bool(false));
            }
        }
        return vm.call1(&check, subclass);
    }
    let r = vm.call1(&check, subclass)?;
    if vm.truthy(&r)? {
        return Ok(r);
    }
    vm.call1(&check, subtype)
}

/// `_abc_subclasscheck(cls, subclass)`.
fn abc_subclasscheck(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (cls, subclass) = two(vm, &args, "_abc_subclasscheck")?;
    let Value::Type(sub) = &subclass else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    let sub = sub.clone();
    let d = data(vm, &cls)?;
    // 1. The positive cache.
    if holds(&d.cache, &sub) {
        return Ok(Value::Bool(true));
    }
    // 2. The negative cache, emptied when the registries changed.
    let version = INVALIDATION.with(|c| c.get());
    {
        let data = &d;
        if data.negative_cache_version.get() < version {
            data.negative_cache.borrow_mut().clear();
            data.negative_cache_version.set(version);
        } else if holds(&data.negative_cache, &sub) {
            return Ok(Value::Bool(false));
        }
    }
    // 3. The subclass hook.
    let hook = vm.getattr(&cls, "__subclasshook__")?;
    let ok = vm.call1(&hook, subclass.clone())?;
    match ok {
        Value::Bool(true) => {
            add(&d.cache, &sub);
            return Ok(Value::Bool(true));
        }
        Value::Bool(false) => {
            add(&d.negative_cache, &sub);
            return Ok(Value::Bool(false));
        }
        Value::NotImplemented => {}
        _ => {
            return Err(vm.err(
                "AssertionError",
                "__subclasshook__ must return either False, True, or NotImplemented",
            ))
        }
    }
    // 4. A direct subclass.
    if let Value::Type(c) = &cls {
        if sub.mro().iter().any(|m| Rc::ptr_eq(m, c)) {
            add(&d.cache, &sub);
            return Ok(Value::Bool(true));
        }
    }
    // 5. A subclass of a registered class.
    for r in live(&d.registry) {
        if issubclass(vm, &subclass, &Value::Type(r))? {
            add(&d.cache, &sub);
            return Ok(Value::Bool(true));
        }
    }
    // 6. A subclass of a subclass.
    let subs = vm.getattr(&cls, "__subclasses__")?;
    let subs = vm.call0(&subs)?;
    for s in vm.collect(&subs)? {
        if issubclass(vm, &subclass, &s)? {
            add(&d.cache, &sub);
            return Ok(Value::Bool(true));
        }
    }
    add(&d.negative_cache, &sub);
    Ok(Value::Bool(false))
}

/// `_get_dump(cls)`: `(registry, cache, negative_cache, negative_cache_version)`, the
/// first three as sets of weak references (abc's `_dump_registry` prints them).
fn get_dump(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [cls] =
        Spec::method("_abc", "_get_dump", Style::O, &["self"], 1).bind::<1>(vm, &args, 0)?;
    let d = data(vm, &cls.unwrap_or(Value::None))?;
    let mut parts = Vec::new();
    for list in [&d.registry, &d.cache, &d.negative_cache] {
        let mut refs = Vec::new();
        for t in live(list) {
            let r = super::super::weakref::new_ref(vm, &Value::Type(t), Value::None, true)?;
            refs.push(Value::Native(r));
        }
        let set = vm.new_frozenset(Some(&Value::tuple(refs)))?;
        let set_type = vm.ty("set");
        parts.push(vm.call(&Value::Type(set_type), Args::new(vec![set]))?);
    }
    parts.push(Value::Int(d.negative_cache_version.get()));
    Ok(Value::tuple(parts))
}

fn reset_registry(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [cls] =
        Spec::method("_abc", "_reset_registry", Style::O, &["self"], 1).bind::<1>(vm, &args, 0)?;
    let d = data(vm, &cls.unwrap_or(Value::None))?;
    d.registry.borrow_mut().clear();
    Ok(Value::None)
}

fn reset_caches(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [cls] =
        Spec::method("_abc", "_reset_caches", Style::O, &["self"], 1).bind::<1>(vm, &args, 0)?;
    let d = data(vm, &cls.unwrap_or(Value::None))?;
    d.cache.borrow_mut().clear();
    d.negative_cache.borrow_mut().clear();
    Ok(Value::None)
}
