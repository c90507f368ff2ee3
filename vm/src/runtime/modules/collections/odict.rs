//! `collections.OrderedDict` (CPython `Objects/odictobject.c`): a dict subclass that
//! keeps its own order (a linked list of nodes in CPython) and moves keys with
//! `move_to_end`. An instance carries its dict as the payload (see `subclass`); the VM
//! keeps the payload's insertion order equal to the OrderedDict's order, so every path
//! that reads the instance as a mapping (its keys, `dict(od)`, `{**od}`) sees CPython's
//! order. CPython's own dict order differs from the OrderedDict's after a
//! `move_to_end`, which only `dict`'s own methods called on the instance could show:
//! those end as unsupported (`dict_method_reaches`).
//!
//! Two hidden slots hold CPython's `od_state` (bumped when a node is added or removed,
//! what "OrderedDict mutated during iteration" compares) and whether `move_to_end` has
//! moved a key. The views `odict_keys`, `odict_values`, `odict_items` are instances
//! carrying a dict view as their payload (so the set operations and `len` of dict views
//! apply) and the OrderedDict in their slot; iteration is `odict_iterator`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::gc;
use super::super::super::interp::Vm;
use super::super::super::object::{
    Args, DictView, Instance, Native, NativeFn, Property, PropertyKind, Value, ViewKind,
};
use super::super::super::subclass::with_payload;
use super::super::super::types::Type;
use super::super::super::{PyResult, Throw};
use crate::oparg::CompareOp;

/// The hidden slot holding `od_state`.
const STATE_SLOT: usize = 0;
/// The hidden slot set once `move_to_end` moved a key.
const MOVED_SLOT: usize = 1;
/// How many slots an OrderedDict's instances hold.
pub const NSLOTS: usize = 2;

/// The method names OrderedDict defines over dict's: `dict`'s own versions of them,
/// called on an OrderedDict, would work on CPython's dict order.
const OWN: &[&str] = &[
    "__setitem__",
    "__delitem__",
    "__iter__",
    "__reversed__",
    "__repr__",
    "__eq__",
    "__ne__",
    "__or__",
    "__ror__",
    "__ior__",
    "__init__",
    "clear",
    "copy",
    "items",
    "keys",
    "values",
    "pop",
    "popitem",
    "setdefault",
    "update",
];

fn instance(v: &Value) -> Option<&Rc<Instance>> {
    match v {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

fn is_odict(vm: &Vm, v: &Value) -> bool {
    vm.type_of(v).is_subtype(&vm.ty("OrderedDict"))
}

/// Whether `dict.name` called on the instance `o` would answer differently from CPython:
/// `o` is an OrderedDict whose keys `move_to_end` has moved (CPython's dict order is then
/// not the OrderedDict's) and `name` is one OrderedDict redefines.
pub fn dict_method_reaches(o: &Instance, name: &str) -> bool {
    let moved = matches!(
        o.slots.borrow().get(MOVED_SLOT),
        Some(Some(Value::Bool(true)))
    );
    moved && OWN.contains(&name)
}

fn state(v: &Value) -> u64 {
    match instance(v).and_then(|o| o.slots.borrow().get(STATE_SLOT).cloned().flatten()) {
        Some(Value::Int(i)) => i as u64,
        _ => 0,
    }
}

/// `od->od_state++`.
fn bump(v: &Value) {
    let next = state(v).wrapping_add(1);
    if let Some(o) = instance(v) {
        if let Some(slot) = o.slots.borrow_mut().get_mut(STATE_SLOT) {
            *slot = Some(Value::Int(next as i64));
        }
    }
}

fn payload(vm: &Vm, v: &Value) -> PyResult<Rc<Dict>> {
    match v.builtin_value() {
        Value::Dict(d) => Ok(d.clone()),
        _ => Err(vm.bug("an OrderedDict without its dict")),
    }
}

fn me(args: &Args) -> Value {
    args.pos.first().cloned().unwrap_or_default()
}

fn exact(vm: &Vm, v: &Value) -> bool {
    Rc::ptr_eq(&vm.type_of(v), &vm.ty("OrderedDict"))
}

/// `OrderedDict()`: `dict_new` for the type, then `odict_init`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let od = with_payload(&vm.ty("OrderedDict"), Value::Dict(Dict::new_rc()));
    let mut a = args;
    a.pos.insert(0, od.clone());
    init(vm, a)?;
    Ok(od)
}

/// `odict_init`: at most one positional argument, then `mutablemapping_update`.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = args.pos.len().saturating_sub(1);
    if n > 1 {
        return Err(vm.type_error(format!("expected at most 1 arguments, got {n}")));
    }
    update_common(vm, args)
}

fn update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = args.pos.len().saturating_sub(1);
    if n > 1 {
        return Err(vm.type_error(format!(
            "update() takes at most 1 positional argument ({n} given)"
        )));
    }
    update_common(vm, args)
}

/// `mutablemapping_update`: the argument, then the keywords, each through
/// `self[key] = value`.
fn update_common(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = me(&args);
    if let Some(arg) = args.pos.get(1) {
        update_arg(vm, &me, arg)?;
    }
    if !args.kw.is_empty() {
        let pairs: Vec<Value> = args
            .kw
            .iter()
            .map(|(k, v)| Value::tuple(vec![Value::Str(k.clone()), v.clone()]))
            .collect();
        add_pairs(vm, &me, &Value::list(pairs))?;
    }
    Ok(Value::None)
}

/// `mutablemapping_update_arg`: an exact dict's items; else `keys()` and `arg[key]`;
/// else `items()`; else the argument as pairs.
fn update_arg(vm: &mut Vm, me: &Value, arg: &Value) -> PyResult<()> {
    if let Value::Dict(d) = arg {
        let items: Vec<Value> = d
            .items()
            .into_iter()
            .map(|(k, v)| Value::tuple(vec![k, v]))
            .collect();
        return add_pairs(vm, me, &Value::list(items));
    }
    if let Some(keys) = lookup_attr(vm, arg, "keys")? {
        let keys = vm.call(&keys, Args::default())?;
        let it = vm.iter(&keys)?;
        while let Some(k) = vm.next(&it)? {
            let v = vm.getitem(arg, &k)?;
            vm.setitem(me, &k, v)?;
        }
        return Ok(());
    }
    if let Some(items) = lookup_attr(vm, arg, "items")? {
        let items = vm.call(&items, Args::default())?;
        return add_pairs(vm, me, &items);
    }
    add_pairs(vm, me, arg)
}

/// `_PyObject_LookupAttr`: the attribute, or None when it raises AttributeError.
fn lookup_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    match vm.getattr(v, name) {
        Ok(x) => Ok(Some(x)),
        Err(Throw::Exc(e)) if vm.type_of(&e).is_subtype(&vm.ty("AttributeError")) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `mutablemapping_add_pairs`.
fn add_pairs(vm: &mut Vm, me: &Value, pairs: &Value) -> PyResult<()> {
    let it = vm.iter(pairs)?;
    while let Some(pair) = vm.next(&it)? {
        let pit = vm.iter(&pair)?;
        let Some(k) = vm.next(&pit)? else {
            return Err(vm.value_error("need more than 0 values to unpack"));
        };
        let Some(v) = vm.next(&pit)? else {
            return Err(vm.value_error("need more than 1 value to unpack"));
        };
        if vm.next(&pit)?.is_some() {
            return Err(vm.value_error("too many values to unpack (expected 2)"));
        }
        vm.setitem(me, &k, v)?;
    }
    Ok(())
}

/// `PyODict_SetItem`: the dict's item, then a node for a new key.
fn set_item(vm: &mut Vm, me: &Value, k: Value, v: Value) -> PyResult<()> {
    let d = payload(vm, me)?;
    let existed = vm.dict_contains(&d, &k)?;
    vm.dict_set(&d, k, v)?;
    if !existed {
        bump(me);
    }
    Ok(())
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k, v] = Spec::method(
        "OrderedDict",
        "__setitem__",
        Style::Wrapper,
        &["key", "value"],
        2,
    )
    .bind(vm, &args, 1)?;
    set_item(vm, &me(&args), argspec::required(k), argspec::required(v))?;
    Ok(Value::None)
}

/// `PyODict_DelItem`: the node, then the dict's item (KeyError when absent).
fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k] = Spec::method("OrderedDict", "__delitem__", Style::Wrapper, &["key"], 1)
        .bind(vm, &args, 1)?;
    let k = argspec::required(k);
    let me = me(&args);
    let d = payload(vm, &me)?;
    match vm.dict_remove(&d, &k)? {
        Some(old) => {
            bump(&me);
            drop(old);
            Ok(Value::None)
        }
        None => Err(vm.err_args("KeyError", vec![k])),
    }
}

/// `_odict_popkey_hash`: the exact type works on its dict; a subclass goes through
/// `key in self`, `self[key]` and `del self[key]`.
fn pop_key(vm: &mut Vm, me: &Value, k: &Value, default: Option<Value>) -> PyResult<Value> {
    let value = if exact(vm, me) {
        let d = payload(vm, me)?;
        let v = vm.dict_remove(&d, k)?;
        if v.is_some() {
            bump(me);
        }
        v
    } else if vm.contains(me, k)? {
        let v = vm.getitem(me, k)?;
        vm.delitem(me, k)?;
        Some(v)
    } else {
        None
    };
    match (value, default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(vm.err_args("KeyError", vec![k.clone()])),
    }
}

fn pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k, default] = Spec::method(
        "OrderedDict",
        "pop",
        Style::Keywords,
        &["key", "default"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let me = me(&args);
    let k = argspec::required(k);
    vm.hash(&k)?;
    pop_key(vm, &me, &k, default)
}

/// `OrderedDict.popitem(last=True)`.
fn popitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [last] = Spec::method("OrderedDict", "popitem", Style::Keywords, &["last"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let last = match last {
        Some(v) => vm.truthy(&v)?,
        None => true,
    };
    let me = me(&args);
    let d = payload(vm, &me)?;
    let keys = d.keys();
    let key = if last { keys.last() } else { keys.first() };
    let Some(key) = key.cloned() else {
        return Err(vm.err_args("KeyError", vec![Value::str("dictionary is empty")]));
    };
    let v = pop_key(vm, &me, &key, None)?;
    Ok(Value::tuple(vec![key, v]))
}

/// `OrderedDict.setdefault(key, default=None)`.
fn setdefault(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k, default] = Spec::method(
        "OrderedDict",
        "setdefault",
        Style::Keywords,
        &["key", "default"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let me = me(&args);
    let k = argspec::required(k);
    let default = default.unwrap_or_default();
    if exact(vm, &me) {
        let d = payload(vm, &me)?;
        if let Some(v) = vm.dict_get(&d, &k)? {
            return Ok(v);
        }
        set_item(vm, &me, k, default.clone())?;
        return Ok(default);
    }
    if vm.contains(&me, &k)? {
        return vm.getitem(&me, &k);
    }
    vm.setitem(&me, &k, default.clone())?;
    Ok(default)
}

/// `OrderedDict.move_to_end(key, last=True)`: the payload is reordered with the nodes.
fn move_to_end(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [k, last] = Spec::method(
        "OrderedDict",
        "move_to_end",
        Style::Keywords,
        &["key", "last"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let me = me(&args);
    let k = argspec::required(k);
    let last = match last {
        Some(v) => vm.truthy(&v)?,
        None => true,
    };
    let d = payload(vm, &me)?;
    let keys = d.keys();
    let end = if last { keys.last() } else { keys.first() };
    let Some(end) = end.cloned() else {
        return Err(vm.err_args("KeyError", vec![k]));
    };
    // `key != _odictnode_KEY(node)`: identity, then the lookup.
    if end.is(&k) {
        return Ok(Value::None);
    }
    let Some(v) = vm.dict_get(&d, &k)? else {
        return Err(vm.err_args("KeyError", vec![k]));
    };
    let stored = keys.iter().position(|x| x.is(&k)).map(|i| keys[i].clone());
    let key = match stored {
        Some(s) => s,
        None => {
            // The stored key equal to `k` (the node keeps the first key inserted).
            let mut found = None;
            for x in &keys {
                if vm.eq(x, &k)? {
                    found = Some(x.clone());
                    break;
                }
            }
            found.ok_or_else(|| vm.bug("move_to_end: a key the dict has is not listed"))?
        }
    };
    let at_end = keys.iter().position(|x| x.is(&key)).is_some_and(|i| {
        if last {
            i + 1 == keys.len()
        } else {
            i == 0
        }
    });
    if at_end {
        return Ok(Value::None);
    }
    if last {
        vm.dict_remove(&d, &key)?;
        vm.dict_set(&d, key, v)?;
    } else {
        let items = d.items();
        d.clear();
        vm.dict_set(&d, key.clone(), v)?;
        for (k2, v2) in items {
            if !k2.is(&key) {
                vm.dict_set(&d, k2, v2)?;
            }
        }
    }
    bump(&me);
    bump(&me);
    if let Some(o) = instance(&me) {
        if let Some(slot) = o.slots.borrow_mut().get_mut(MOVED_SLOT) {
            *slot = Some(Value::Bool(true));
        }
    }
    Ok(Value::None)
}

/// `odict_clear`: `PyDict_Clear`, then the nodes (no `od_state` change: iterators see
/// the change of size).
fn clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "clear")?;
    payload(vm, &me(&args))?.clear();
    Ok(Value::None)
}

/// `odict_copy`: a new OrderedDict (`type(od)()` for a subclass) filled key by key.
fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "copy")?;
    let me = me(&args);
    let d = payload(vm, &me)?;
    if exact(vm, &me) {
        let new = with_payload(&vm.ty("OrderedDict"), Value::Dict(Dict::new_rc()));
        for (k, v) in d.items() {
            set_item(vm, &new, k, v)?;
        }
        return Ok(new);
    }
    let t = Value::Type(vm.type_of(&me));
    let new = vm.call(&t, Args::default())?;
    for k in d.keys() {
        let v = vm.getitem(&me, &k)?;
        vm.setitem(&new, &k, v)?;
    }
    Ok(new)
}

/// `OrderedDict.fromkeys(iterable, value=None)` (`_PyDict_FromKeys`).
pub fn fromkeys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [seq, value] = Spec::method(
        "OrderedDict",
        "fromkeys",
        Style::Keywords,
        &["iterable", "value"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let cls = me(&args);
    let value = value.unwrap_or_default();
    let new = vm.call(&cls, Args::default())?;
    let it = vm.iter(&argspec::required(seq))?;
    while let Some(k) = vm.next(&it)? {
        vm.setitem(&new, &k, value.clone())?;
    }
    Ok(new)
}

/// `odict_repr`: `Name()` when empty, else `Name({...})` of the items in order.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("OrderedDict", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let me = me(&args);
    let name = vm.type_of(&me).name().clone();
    let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
    let d = payload(vm, &me)?;
    if d.is_empty() {
        return Ok(Value::str(&format!("{name}()")));
    }
    let copy = Value::Dict(Rc::new(d.copy()));
    let r = vm.repr(&copy)?;
    Ok(Value::str(&format!("{name}({r})")))
}

/// `odict_reduce`: `(type, (), __dict__ or None, None, iter(self.items()))`.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "__reduce__")?;
    let me = me(&args);
    let dict = vm.getattr(&me, "__dict__")?;
    let state = if vm.len(&dict)? == 0 {
        Value::None
    } else {
        dict
    };
    let items = vm.getattr(&me, "items")?;
    let items = vm.call(&items, Args::default())?;
    let it = vm.iter(&items)?;
    let t = Value::Type(vm.type_of(&me));
    Ok(Value::tuple(vec![
        t,
        Value::tuple(vec![]),
        state,
        Value::None,
        it,
    ]))
}

/// `odict_richcompare`: dict's equality, then (both OrderedDicts) the keys in order.
fn richcompare(vm: &mut Vm, args: Args, op: CompareOp, name: &str) -> PyResult<Value> {
    let [w] =
        Spec::method("OrderedDict", name, Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let w = argspec::required(w);
    let v = me(&args);
    let Value::Dict(wd) = w.builtin_value().clone() else {
        return Ok(Value::NotImplemented);
    };
    let vd = payload(vm, &v)?;
    let r = vm.compare(op, &Value::Dict(vd.clone()), &Value::Dict(wd.clone()))?;
    if !is_odict(vm, &w) {
        return Ok(r);
    }
    let wanted = matches!(r, Value::Bool(b) if b == (op == CompareOp::Eq));
    if !wanted {
        return Ok(r);
    }
    // `_odict_keys_equal`: pairwise, in order.
    let (ka, kb) = (vd.keys(), wd.keys());
    let mut eq = ka.len() == kb.len();
    if eq {
        for (a, b) in ka.iter().zip(kb.iter()) {
            if !vm.eq(a, b)? {
                eq = false;
                break;
            }
        }
    }
    Ok(Value::Bool(if op == CompareOp::Eq { eq } else { !eq }))
}

fn eq(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Eq, "__eq__")
}

fn ne(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, CompareOp::Ne, "__ne__")
}

/// `odict_or` (both ways): `type(od)(left)` updated from `right`.
fn or_impl(vm: &mut Vm, args: &Args, name: &str, reflected: bool) -> PyResult<Value> {
    let [other] =
        Spec::method("OrderedDict", name, Style::Wrapper, &["value"], 1).bind(vm, args, 1)?;
    let other = argspec::required(other);
    let me = me(args);
    let (left, right) = if reflected {
        (other.clone(), me.clone())
    } else {
        (me.clone(), other.clone())
    };
    let (t, o) = if is_odict(vm, &left) {
        (vm.type_of(&left), right.clone())
    } else {
        (vm.type_of(&right), left.clone())
    };
    if !matches!(o.builtin_value(), Value::Dict(_)) {
        return Ok(Value::NotImplemented);
    }
    let new = vm.call(&Value::Type(t), Args::new(vec![left]))?;
    update_arg(vm, &new, &right)?;
    Ok(new)
}

fn or(vm: &mut Vm, args: Args) -> PyResult<Value> {
    or_impl(vm, &args, "__or__", false)
}

fn ror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    or_impl(vm, &args, "__ror__", true)
}

fn ior(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] =
        Spec::method("OrderedDict", "__ior__", Style::Wrapper, &["value"], 1).bind(vm, &args, 1)?;
    let me = me(&args);
    update_arg(vm, &me, &argspec::required(other))?;
    Ok(me)
}

// Iteration and the views.

/// `odictiterobject`: the OrderedDict, the keys still to give (last first), `di_size`
/// (`None` once a change of size was reported) and `di_state`.
#[derive(Debug)]
pub struct OdictIter {
    pub od: Value,
    pub kind: ViewKind,
    pub keys: RefCell<Vec<Value>>,
    pub size: Cell<Option<usize>>,
    pub state: u64,
}

fn make_iter(vm: &Vm, od: &Value, kind: ViewKind, reversed: bool) -> PyResult<Value> {
    let d = payload(vm, od)?;
    let mut keys = d.keys();
    if !reversed {
        keys.reverse();
    }
    Ok(Value::Native(gc::alloc(Native::OdictIter(OdictIter {
        od: od.clone(),
        kind,
        keys: RefCell::new(keys),
        size: Cell::new(Some(d.len())),
        state: state(od),
    }))))
}

/// `odictiter_nextkey` and `odictiter_iternext`: the state first (a change ends the
/// iteration), then the size (sticky), then the next key and its value.
pub fn iter_next(vm: &mut Vm, it: &OdictIter) -> PyResult<Option<Value>> {
    if it.keys.borrow().is_empty() {
        return Ok(None);
    }
    if state(&it.od) != it.state {
        it.keys.borrow_mut().clear();
        return Err(vm.err("RuntimeError", "OrderedDict mutated during iteration"));
    }
    let d = payload(vm, &it.od)?;
    if it.size.get() != Some(d.len()) {
        it.size.set(None);
        return Err(vm.err("RuntimeError", "OrderedDict changed size during iteration"));
    }
    let Some(key) = it.keys.borrow_mut().pop() else {
        return Ok(None);
    };
    if it.kind == ViewKind::Keys {
        return Ok(Some(key));
    }
    let Some(value) = vm.dict_get(&d, &key)? else {
        it.keys.borrow_mut().clear();
        return Err(vm.err_args("KeyError", vec![key]));
    };
    Ok(Some(match it.kind {
        ViewKind::Values => value,
        _ => Value::tuple(vec![key, value]),
    }))
}

fn iter_receiver(vm: &Vm, args: &Args) -> PyResult<Rc<Native>> {
    match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::OdictIter(_)) => Ok(n.clone()),
        _ => Err(vm.bug("an odict_iterator method without its iterator")),
    }
}

fn iter_next_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("odict_iterator", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let n = iter_receiver(vm, &args)?;
    let Native::OdictIter(it) = &*n else {
        return Err(vm.bug("odict_iterator"));
    };
    match iter_next(vm, it)? {
        Some(v) => Ok(v),
        None => Err(vm.err_args("StopIteration", Vec::new())),
    }
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("odict_iterator", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(me(&args))
}

/// `odictiter_reduce`: `(iter, (list of what a copy of the iterator gives,))`.
fn iter_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "odict_iterator", "__reduce__")?;
    let n = iter_receiver(vm, &args)?;
    let Native::OdictIter(it) = &*n else {
        return Err(vm.bug("odict_iterator"));
    };
    let copy = OdictIter {
        od: it.od.clone(),
        kind: it.kind,
        keys: RefCell::new(it.keys.borrow().clone()),
        size: Cell::new(it.size.get()),
        state: it.state,
    };
    let mut out = Vec::new();
    while let Some(v) = iter_next(vm, &copy)? {
        out.push(v);
    }
    let iter = vm.builtins.get_str("iter").unwrap_or_default();
    Ok(Value::tuple(vec![
        iter,
        Value::tuple(vec![Value::list(out)]),
    ]))
}

fn od_iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("OrderedDict", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    make_iter(vm, &me(&args), ViewKind::Keys, false)
}

fn od_reversed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "__reversed__")?;
    make_iter(vm, &me(&args), ViewKind::Keys, true)
}

const VIEW_TYPES: [(&str, ViewKind); 3] = [
    ("odict_keys", ViewKind::Keys),
    ("odict_values", ViewKind::Values),
    ("odict_items", ViewKind::Items),
];

fn view_type(vm: &Vm, kind: ViewKind) -> Rc<Type> {
    let name = VIEW_TYPES
        .iter()
        .find(|(_, k)| *k == kind)
        .map_or("odict_keys", |(n, _)| n);
    vm.ty(name)
}

/// `odictkeys_new` and the others: a view carrying the dict's view as its payload and
/// the OrderedDict in its slot.
fn make_view(vm: &Vm, od: &Value, kind: ViewKind) -> PyResult<Value> {
    let d = payload(vm, od)?;
    let view = Value::DictView(Rc::new(DictView { dict: d, kind }));
    let v = with_payload(&view_type(vm, kind), view);
    if let Value::Object(o) = &v {
        if let Some(slot) = o.slots.borrow_mut().get_mut(0) {
            *slot = Some(od.clone());
        }
    }
    Ok(v)
}

fn keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "keys")?;
    make_view(vm, &me(&args), ViewKind::Keys)
}

fn values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "values")?;
    make_view(vm, &me(&args), ViewKind::Values)
}

fn items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "OrderedDict", "items")?;
    make_view(vm, &me(&args), ViewKind::Items)
}

/// The OrderedDict and kind of an odict view.
fn view_parts(vm: &Vm, v: &Value) -> PyResult<(Value, ViewKind)> {
    let od = instance(v).and_then(|o| o.slots.borrow().first().cloned().flatten());
    let kind = match v.builtin_value() {
        Value::DictView(dv) => Some(dv.kind),
        _ => None,
    };
    match (od, kind) {
        (Some(od), Some(kind)) => Ok((od, kind)),
        _ => Err(vm.bug("an odict view without its OrderedDict")),
    }
}

fn view_iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("odict_keys", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (od, kind) = view_parts(vm, &me(&args))?;
    make_iter(vm, &od, kind, false)
}

fn view_reversed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "odict_keys", "__reversed__")?;
    let (od, kind) = view_parts(vm, &me(&args))?;
    make_iter(vm, &od, kind, true)
}

/// `dictview_repr`: the type's name and the view's items as a list.
fn view_repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("odict_keys", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let v = me(&args);
    let (od, kind) = view_parts(vm, &v)?;
    let it = make_iter(vm, &od, kind, false)?;
    let items = vm.collect(&it)?;
    let r = vm.repr(&Value::list(items))?;
    let name = vm.type_of(&v).name().clone();
    Ok(Value::str(&format!("{name}({r})")))
}

/// `dictview_len`, on the payload.
fn view_len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("odict_keys", "__len__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let v = me(&args).builtin_value().clone();
    Ok(Value::Int(vm.len(&v)? as i64))
}

/// `dictkeys_contains`, `dictitems_contains`, on the payload (values have none: `in`
/// iterates them).
fn view_contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = Spec::method("odict_keys", "__contains__", Style::Wrapper, &["key"], 1)
        .bind(vm, &args, 1)?;
    let v = me(&args).builtin_value().clone();
    Ok(Value::Bool(vm.contains(&v, &argspec::required(x))?))
}

/// `mapping`: CPython's is a mappingproxy of the OrderedDict itself, which the VM's
/// mappingproxy of a dict cannot show.
fn view_mapping(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("the mapping of an OrderedDict view"))
}

/// The `mapping` property of each view type.
pub fn install(vm: &Vm) {
    for (name, _) in VIEW_TYPES {
        let getter = Value::Builtin(Rc::new(super::super::super::object::Builtin {
            name: "mapping",
            owner: Some(name),
            func: view_mapping,
            module: None,
        }));
        vm.ty(name).dict.set_str(
            "mapping",
            Value::Property(Rc::new(Property::new(PropertyKind::Property, getter))),
        );
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("OrderedDict", "__init__", init),
    ("OrderedDict", "update", update),
    ("OrderedDict", "__setitem__", setitem),
    ("OrderedDict", "__delitem__", delitem),
    ("OrderedDict", "__iter__", od_iter),
    ("OrderedDict", "__reversed__", od_reversed),
    ("OrderedDict", "__repr__", repr),
    ("OrderedDict", "__reduce__", reduce),
    ("OrderedDict", "__eq__", eq),
    ("OrderedDict", "__ne__", ne),
    ("OrderedDict", "__or__", or),
    ("OrderedDict", "__ror__", ror),
    ("OrderedDict", "__ior__", ior),
    ("OrderedDict", "clear", clear),
    ("OrderedDict", "copy", copy),
    ("OrderedDict", "keys", keys),
    ("OrderedDict", "values", values),
    ("OrderedDict", "items", items),
    ("OrderedDict", "pop", pop),
    ("OrderedDict", "popitem", popitem),
    ("OrderedDict", "setdefault", setdefault),
    ("OrderedDict", "move_to_end", move_to_end),
    ("odict_keys", "__iter__", view_iter),
    ("odict_keys", "__reversed__", view_reversed),
    ("odict_keys", "__repr__", view_repr),
    ("odict_keys", "__len__", view_len),
    ("odict_keys", "__contains__", view_contains),
    ("odict_values", "__len__", view_len),
    ("odict_items", "__len__", view_len),
    ("odict_items", "__contains__", view_contains),
    ("odict_values", "__iter__", view_iter),
    ("odict_values", "__reversed__", view_reversed),
    ("odict_values", "__repr__", view_repr),
    ("odict_items", "__iter__", view_iter),
    ("odict_items", "__reversed__", view_reversed),
    ("odict_items", "__repr__", view_repr),
    ("odict_iterator", "__next__", iter_next_method),
    ("odict_iterator", "__iter__", iter_self),
    ("odict_iterator", "__reduce__", iter_reduce),
];
