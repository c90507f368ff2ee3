//! `mappingproxy` (CPython `Objects/descrobject.c`'s `PyDictProxy`): the read-only view a
//! class's `__dict__` gives of its namespace, and the `getset_descriptor`s CPython's
//! `type_new` adds there for `__dict__` and `__weakref__`.
//!
//! A proxy holds its class and reads the class's dict at each use, so it is live as
//! CPython's is. For a class statement's class it shows what CPython's type dict holds:
//! the namespace in the order the body bound it, then `__dict__` and `__weakref__` when
//! the class is the first of its line to give its instances those, then `__doc__` when
//! the body set none. A built-in type's dict in the VM holds what the VM implements, not
//! all CPython has: looking a name up there works (a name only CPython has is
//! unsupported), listing it is unsupported.

use std::rc::{Rc, Weak};

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Native, NativeFn, Value};
use super::types::Type;
use super::PyResult;

/// A proxy of the class `of`'s dict.
#[derive(Debug)]
pub struct MappingProxy {
    pub of: Rc<Type>,
    /// A proxy of a plain dict (`PyDictProxy_New(dict)`, as `re.Pattern.groupindex`
    /// gives): that dict, live; `of` is then `dict`.
    pub dict: Option<Rc<Dict>>,
    /// A proxy of an exact `collections.OrderedDict` (Lib/inspect.py's
    /// `Signature.parameters`): the OrderedDict, whose payload `dict` is, in its order;
    /// its repr, str and `copy()` are the OrderedDict's. With no `dict`, a proxy of any
    /// other mapping (a dict subclass, a `ChainMap`), every operation passed on to it
    /// through its protocols and methods, as `descrobject.c`'s `mappingproxy_*` do.
    pub mapping: Option<Value>,
}

/// `<attribute '__dict__' of 'C' objects>`: a class's `__dict__` or `__weakref__`
/// descriptor, as its dict shows it.
#[derive(Debug)]
pub struct GetSet {
    pub name: &'static str,
    pub owner: Weak<Type>,
    /// A `member_descriptor` (a C struct member) rather than a `getset_descriptor`.
    pub member: bool,
}

pub fn proxy(t: &Rc<Type>) -> Value {
    Value::Native(Rc::new(Native::MappingProxy(MappingProxy {
        of: t.clone(),
        dict: None,
        mapping: None,
    })))
}

/// A read-only proxy of the dict `d` (`PyDictProxy_New`).
pub fn of_dict(vm: &Vm, d: &Rc<Dict>) -> Value {
    Value::Native(Rc::new(Native::MappingProxy(MappingProxy {
        of: vm.ty("dict"),
        dict: Some(d.clone()),
        mapping: None,
    })))
}

/// `types.MappingProxyType(mapping)` (`mappingproxy_new`): a live read-only view of any
/// mapping (`mappingproxy_check_mapping`: a type with `__getitem__`, not a list or tuple).
pub fn new(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let given = args.pos.len() + args.kw.len();
    if given > 1 {
        return Err(vm.type_error(format!(
            "mappingproxy() takes at most 1 argument ({given} given)"
        )));
    }
    let mapping = match (args.pos.first(), args.kw.first()) {
        (Some(m), _) => m.clone(),
        (None, Some((k, m))) if &**k == "mapping" => m.clone(),
        _ => {
            return Err(vm.type_error("mappingproxy() missing required argument 'mapping' (pos 1)"))
        }
    };
    match &mapping {
        Value::Dict(d) => Ok(of_dict(vm, d)),
        Value::Object(o) if &*o.class.borrow().name() == "collections.OrderedDict" => {
            let Some(Value::Dict(d)) = &o.payload else {
                return Err(vm.bug("an OrderedDict without its dict"));
            };
            Ok(Value::Native(Rc::new(Native::MappingProxy(MappingProxy {
                of: vm.ty("dict"),
                dict: Some(d.clone()),
                mapping: Some(mapping.clone()),
            }))))
        }
        Value::List(_) | Value::Tuple(_) => Err(vm.type_error(format!(
            "mappingproxy() argument must be a mapping, not {}",
            vm.type_of(&mapping).name()
        ))),
        other if vm.type_of(other).lookup("__getitem__").is_some() => {
            Ok(Value::Native(Rc::new(Native::MappingProxy(MappingProxy {
                of: vm.ty("dict"),
                dict: None,
                mapping: Some(other.clone()),
            }))))
        }
        other => Err(vm.type_error(format!(
            "mappingproxy() argument must be a mapping, not {}",
            vm.type_of(other).name()
        ))),
    }
}

/// What a proxy shows: its dict, or what CPython's dict of its class holds.
pub fn shown(vm: &Vm, p: &MappingProxy) -> PyResult<Rc<Dict>> {
    match &p.dict {
        Some(d) => Ok(d.clone()),
        None => contents(vm, &p.of),
    }
}

/// Built-in types whose instances have a `__dict__` (`tp_dictoffset`), among those a class
/// may derive from.
const DICT_BASES: &[&str] = &[
    "BaseException",
    "staticmethod",
    "classmethod",
    "type",
    "_IOBase",
    "StringIO",
    "BytesIO",
    "Future",
];
/// Built-in types whose instances take weak references (`tp_weaklistoffset`).
/// (CPython: a non-zero `__weakrefoffset__`.)
const WEAKREF_BASES: &[&str] = &[
    "set",
    "frozenset",
    "type",
    "_IOBase",
    // The VM's TextIOWrapper does not derive from _IOBase.
    "TextIOWrapper",
    "OrderedDict",
    "deque",
    "partial",
    "_local",
    "Pattern",
    "Struct",
    "memoryview",
    "lock",
    "RLock",
    "Future",
];
/// Built-in types of variable size (`tp_itemsize`), whose subclasses cannot add a weak
/// reference list.
const VARIABLE_SIZE: &[&str] = &["int", "bool", "bytes", "tuple", "type"];

fn builtin_is(t: &Rc<Type>, names: &[&str]) -> bool {
    t.mro()
        .iter()
        .any(|c| c.is_builtin() && names.iter().any(|n| c.name().rsplit('.').next() == Some(n)))
}

/// The slot names a class's `__slots__` declares, if it declares any.
fn declared_slots(t: &Rc<Type>) -> Option<Vec<String>> {
    let slots = t.dict.get_str("__slots__")?;
    let names = match &slots {
        Value::Str(s) => vec![s.to_string()],
        Value::Tuple(items) => items.iter().filter_map(str_of).collect(),
        Value::List(l) => l.items.borrow().iter().filter_map(str_of).collect(),
        _ => Vec::new(),
    };
    Some(names)
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Whether instances of `t` have a `__dict__`.
fn has_instance_dict(t: &Rc<Type>) -> bool {
    if t.is_builtin() {
        return builtin_is(t, DICT_BASES);
    }
    t.has_dict
}

/// Whether instances of `t` take weak references.
pub fn has_weakrefs(t: &Rc<Type>) -> bool {
    if t.is_builtin() {
        return builtin_is(t, WEAKREF_BASES);
    }
    // The bases once (asking them again through `adds_weakref` doubled the work per
    // level: exponential in a hierarchy's depth).
    t.bases.iter().any(has_weakrefs) || adds_weakref_over(t, false)
}

/// `type_new`'s `add_dict`: the class gives its instances a dict its bases do not.
fn adds_dict(t: &Rc<Type>) -> bool {
    !t.is_builtin() && t.has_dict && !t.bases.iter().any(has_instance_dict)
}

/// `type_new`'s `add_weak`.
fn adds_weakref(t: &Rc<Type>) -> bool {
    !t.is_builtin() && adds_weakref_over(t, t.bases.iter().any(has_weakrefs))
}

/// [`adds_weakref`] for a class whose bases' instances take weak references or not.
fn adds_weakref_over(t: &Rc<Type>, bases_have: bool) -> bool {
    if bases_have {
        return false;
    }
    if t.bases.iter().any(|b| builtin_is(b, VARIABLE_SIZE)) {
        return false;
    }
    match declared_slots(t) {
        Some(names) => names.iter().any(|n| n == "__weakref__"),
        None => true,
    }
}

/// `Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_READY | Py_TPFLAGS_HAVE_GC`:
/// what every class a class statement makes has.
const CLASS_FLAGS: i64 = 1 << 9 | 1 << 10 | 1 << 12 | 1 << 14;
/// The flags a class takes from its built-in base (`inherit_special`, `type_ready`):
/// `SEQUENCE`, `MAPPING`, `HAVE_VECTORCALL`, `MATCH_SELF`, `ITEMS_AT_END` and the
/// fast-subclass bits 24–31.
const INHERITED_FLAGS: i64 = 1 << 5 | 1 << 6 | 1 << 11 | 1 << 22 | 1 << 23 | 0xff << 24;
const MANAGED_WEAKREF: i64 = 1 << 3;
const MANAGED_DICT: i64 = 1 << 4;
const HAVE_VECTORCALL: i64 = 1 << 11;
const IS_ABSTRACT: i64 = 1 << 20;

/// `type.__flags__`: CPython's recorded value for a built-in type; for a class, what
/// `type_new` and `type_ready` give it. `Py_TPFLAGS_VALID_VERSION_TAG` (bit 19), which
/// CPython's attribute cache sets on a class's first lookup, is never set on a class.
pub fn type_flags(vm: &Vm, t: &Rc<Type>) -> PyResult<i64> {
    if t.is_builtin() {
        let tn = t.name();
        let own = tn.rsplit('.').next().unwrap_or_default();
        return match super::cpython_names::TYPE_FLAGS.binary_search_by(|(n, _)| n.cmp(&own)) {
            Ok(i) => Ok(super::cpython_names::TYPE_FLAGS[i].1),
            Err(_) => Err(vm.unsupported(format!("{}.__flags__", t.name()))),
        };
    }
    let mut flags = CLASS_FLAGS;
    if let Some(base) = t.mro_rest.iter().find(|c| c.is_builtin()) {
        flags |= type_flags(vm, base)? & INHERITED_FLAGS;
    }
    if t.dict.get_str("__call__").is_some() {
        flags &= !HAVE_VECTORCALL;
    }
    flags &= !(i64::from(super::types::SEQUENCE | super::types::MAPPING) << 5);
    flags |= i64::from(t.collection.get()) << 5;
    if has_instance_dict(t)
        && !t
            .mro_rest
            .iter()
            .any(|c| c.is_builtin() && builtin_is(c, DICT_BASES))
    {
        flags |= MANAGED_DICT;
    }
    if has_weakrefs(t)
        && !t
            .mro_rest
            .iter()
            .any(|c| c.is_builtin() && builtin_is(c, WEAKREF_BASES))
    {
        flags |= MANAGED_WEAKREF;
    }
    let abstract_ = match t.dict.get_str("__abstractmethods__") {
        Some(Value::Set(s)) => !s.items.is_empty(),
        Some(Value::None | Value::Bool(false)) | None => false,
        Some(_) => {
            return Err(
                vm.unsupported("__flags__ of a class whose __abstractmethods__ is not a set")
            )
        }
    };
    if abstract_ {
        flags |= IS_ABSTRACT;
    }
    Ok(flags)
}

/// What `type_new` and `type_ready` add to a new class's dict after its namespace, in
/// their order: the `__dict__` and `__weakref__` descriptors when the class is the first
/// of its line to give its instances those, `__doc__` when the body set none, and
/// `__hash__ = None` when the class defines `__eq__` but not `__hash__`
/// (`type_ready_set_hash`: its instances are unhashable).
pub fn add_class_entries(t: &Rc<Type>) {
    add_layout_entries(t, &t.dict);
    if t.dict.get_str("__eq__").is_some() && t.dict.get_str("__hash__").is_none() {
        t.dict.set_str("__hash__", Value::None);
    }
}

/// Puts into `d` what `t`'s dict gets after its namespace unless the namespace has it:
/// the `__dict__` and `__weakref__` descriptors its layout adds, then `__doc__ = None`.
fn add_layout_entries(t: &Rc<Type>, d: &Dict) {
    for (name, added) in [("__dict__", adds_dict(t)), ("__weakref__", adds_weakref(t))] {
        if added && d.get_str(name).is_none() {
            let g = GetSet {
                name,
                owner: Rc::downgrade(t),
                member: false,
            };
            d.set_str(name, Value::Native(Rc::new(Native::GetSet(g))));
        }
    }
    if d.get_str("__doc__").is_none() {
        d.set_str("__doc__", Value::None);
    }
}

/// The methods of `getset_descriptor` (descrobject.c's `getset_get`, `getset_set`),
/// for the descriptors of a class's `__dict__` and `__weakref__` and a built-in type's
/// getsets.
pub const GETSET_METHODS: &[(&str, &str, NativeFn)] = &[
    ("getset_descriptor", "__get__", getset_get),
    ("getset_descriptor", "__set__", getset_set),
    ("getset_descriptor", "__delete__", getset_delete),
];

/// The descriptor and its owner, and the object it applies to (`descr_check`'s
/// TypeError when the object is not an instance of the owner).
fn getset_args(
    vm: &Vm,
    args: &Args,
    n: usize,
    method: &str,
) -> PyResult<(&'static str, Rc<Type>, Value)> {
    let bound = super::argspec::Spec::method(
        "getset_descriptor",
        method,
        super::argspec::Style::Wrapper,
        &["instance", "value"][..n],
        n,
    )
    .parse(vm, args, 1)?;
    let obj = bound.into_iter().next().flatten().unwrap_or(Value::None);
    let Some(Value::Native(me)) = args.pos.first() else {
        return Err(vm.bug("a getset_descriptor method without one"));
    };
    let Native::GetSet(g) = &**me else {
        return Err(vm.bug("a getset_descriptor method without one"));
    };
    let Some(owner) = g.owner.upgrade() else {
        return Err(vm.bug("a getset_descriptor whose class is gone"));
    };
    let t = vm.type_of(&obj);
    if !t.is_subtype(&owner) {
        return Err(vm.type_error(format!(
            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
            g.name,
            owner.name(),
            t.name()
        )));
    }
    Ok((g.name, owner, obj))
}

/// `descriptor.__get__(obj, type=None)`: the descriptor itself for a lookup on the
/// class, else the object's `__dict__`, its first weak reference (or None), or a
/// built-in type's computed attribute.
fn getset_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let obj = args.pos.get(1).cloned().unwrap_or(Value::None);
    let ty = args.pos.get(2).cloned().unwrap_or(Value::None);
    if args.pos.len() < 2 || args.pos.len() > 3 {
        let n = args.pos.len().saturating_sub(1);
        return Err(vm.type_error(format!("expected 1 or 2 arguments, got {n}")));
    }
    if obj.is_none() {
        if ty.is_none() {
            return Err(vm.type_error("__get__(None, None) is invalid"));
        }
        return Ok(args.pos[0].clone());
    }
    let (name, _, obj) = getset_args(vm, &Args::new(args.pos[..2].to_vec()), 1, "__get__")?;
    if name == "__weakref__" {
        return Ok(super::weakref::all_refs(&obj)
            .first()
            .cloned()
            .unwrap_or(Value::None));
    }
    match vm.special_attr(&obj, name)? {
        Some(v) => Ok(v),
        None => Err(vm.unsupported(format!(
            "the descriptor {name} of a {}",
            vm.type_of(&obj).name()
        ))),
    }
}

fn getset_set(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (name, owner, _) = getset_args(vm, &args, 2, "__set__")?;
    getset_write(vm, name, &owner)
}

fn getset_delete(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (name, owner, _) = getset_args(vm, &args, 1, "__delete__")?;
    getset_write(vm, name, &owner)
}

/// A class's `__weakref__` is read-only; replacing or deleting an instance's `__dict__`
/// is beyond the VM, whose instances keep the dict they were made with.
fn getset_write(vm: &Vm, name: &str, owner: &Rc<Type>) -> PyResult<Value> {
    if name == "__weakref__" || owner.is_builtin() {
        return Err(vm.err(
            "AttributeError",
            format!(
                "attribute '{name}' of '{}' objects is not writable",
                owner.name()
            ),
        ));
    }
    Err(vm.unsupported(format!("assigning or deleting an instance's {name}")))
}

/// What CPython's dict of the class `t` holds, in its order.
pub fn contents(vm: &Vm, t: &Rc<Type>) -> PyResult<Rc<Dict>> {
    if t.is_builtin() {
        return Err(vm.unsupported(format!(
            "listing the __dict__ of the built-in type {}",
            t.name()
        )));
    }
    let d = Dict::new_rc();
    for (k, v) in t.dict.items() {
        if d.set(k, v).is_err() {
            return Err(vm.unsupported("a class namespace with a key that is not a str"));
        }
    }
    // A class type_new made has these already; the importlib classes the VM names
    // without a class statement (`Type::plain_class`) get them only here.
    add_layout_entries(t, &d);
    Ok(d)
}

/// The mapping of a proxy of a mapping other than a dict, an OrderedDict or a class's
/// namespace: each method then passes the operation on to it.
fn general(args: &Args) -> Option<Value> {
    the_proxy(args)
        .filter(|p| p.dict.is_none())
        .and_then(|p| p.mapping.clone())
}

/// The proxy a method was called on (`args.pos[0]`).
fn the_proxy(args: &Args) -> Option<&MappingProxy> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::MappingProxy(p) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

/// `mapping.name(*rest)` (`PyObject_CallMethod…`), for a general proxy.
fn pass_on(vm: &mut Vm, m: &Value, name: &str, rest: &[Value]) -> PyResult<Value> {
    let f = vm.getattr(m, name)?;
    vm.call(&f, Args::new(rest.to_vec()))
}

fn this(vm: &Vm, args: &Args) -> PyResult<(Rc<Type>, Option<Rc<Dict>>)> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::MappingProxy(p) => {
                // The OrderedDict's payload is in its order until move_to_end moves a key.
                if let Some(Value::Object(o)) = &p.mapping {
                    if super::modules::collections::odict::dict_method_reaches(o, "__iter__") {
                        return Err(vm.unsupported(
                            "a mappingproxy of an OrderedDict whose keys move_to_end moved",
                        ));
                    }
                }
                Ok((p.of.clone(), p.dict.clone()))
            }
            _ => Err(vm.bug("a mappingproxy method without one")),
        },
        _ => Err(vm.bug("a mappingproxy method without one")),
    }
}

/// `proxy[key]` and `proxy.get(key)`: `None` when absent.
fn lookup(
    vm: &mut Vm,
    (t, dict): &(Rc<Type>, Option<Rc<Dict>>),
    key: &Value,
) -> PyResult<Option<Value>> {
    if let Some(d) = dict {
        return vm.dict_get(d, key);
    }
    if !t.is_builtin() {
        let d = contents(vm, t)?;
        return vm.dict_get(&d, key);
    }
    if let Some(v) = vm.dict_get(&t.dict, key)? {
        return Ok(Some(v));
    }
    if let Value::Str(s) = key {
        // A getset or member of the type (`type.__dict__['__mro__']`, which
        // Lib/inspect.py reads): its descriptor.
        if let Some(d) = builtin_descriptor(vm, t, s) {
            return Ok(Some(d));
        }
        let own = t.name().rsplit('.').next().unwrap_or_default().to_owned();
        if super::reach::defining_type(&own, s) == Some(own.as_str()) {
            return Err(vm.unsupported(format!("{}.__dict__[{s:?}]", t.name())));
        }
    }
    Ok(None)
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let key = args.pos.get(1).cloned().unwrap_or(Value::None);
    if let Some(m) = general(&args) {
        return vm.getitem(&m, &key);
    }
    let t = this(vm, &args)?;
    match lookup(vm, &t, &key)? {
        Some(v) => Ok(v),
        None => Err(vm.err_args("KeyError", vec![key])),
    }
}

fn get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key, default] = super::argspec::Spec::method(
        "mappingproxy",
        "get",
        super::argspec::Style::Positional,
        &["key", "default"],
        1,
    )
    .bind::<2>(vm, &args, 1)?;
    // `mappingproxy_get`: the mapping's own `get`, given the arguments as passed.
    if let Some(m) = general(&args) {
        return pass_on(vm, &m, "get", &args.pos[1..]);
    }
    let t = this(vm, &args)?;
    let key = key.unwrap_or(Value::None);
    Ok(lookup(vm, &t, &key)?.unwrap_or(default.unwrap_or(Value::None)))
}

fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let key = args.pos.get(1).cloned().unwrap_or(Value::None);
    if let Some(m) = general(&args) {
        return Ok(Value::Bool(vm.contains(&m, &key)?));
    }
    let t = this(vm, &args)?;
    Ok(Value::Bool(lookup(vm, &t, &key)?.is_some()))
}

/// The operations that read the whole dict, on a fresh copy of what CPython's holds.
fn whole(vm: &mut Vm, args: &Args) -> PyResult<Rc<Dict>> {
    match this(vm, args)? {
        (_, Some(d)) => Ok(d),
        (t, None) => contents(vm, &t),
    }
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if let Some(m) = general(&args) {
        return Ok(Value::Int(vm.len(&m)? as i64));
    }
    Ok(Value::Int(whole(vm, &args)?.len() as i64))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if let Some(m) = general(&args) {
        return vm.iter(&m);
    }
    let d = whole(vm, &args)?;
    vm.iter(&Value::Dict(d))
}

/// `keys`, `values`, `items` (`METH_NOARGS`): the mapping's own method.
fn dict_method(vm: &mut Vm, args: Args, name: &str) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "mappingproxy", name)?;
    if let Some(m) = general(&args) {
        return pass_on(vm, &m, name, &args.pos[1..]);
    }
    let d = Value::Dict(whole(vm, &args)?);
    let m = vm.getattr(&d, name)?;
    vm.call(&m, Args::new(args.pos[1..].to_vec()))
}

fn keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    dict_method(vm, args, "keys")
}

fn values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    dict_method(vm, args, "values")
}

fn items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    dict_method(vm, args, "items")
}

/// The OrderedDict a proxy shows, if it shows one.
fn mapping_of(args: &Args) -> Option<Value> {
    the_proxy(args).and_then(|p| p.mapping.clone())
}

/// `mappingproxy_reversed`: the mapping's `__reversed__()`.
fn reversed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "mappingproxy", "__reversed__")?;
    let m = match general(&args) {
        // The VM's dict keeps `__reversed__` inside `reversed()` (dict_reversed), which
        // also calls a subclass's own; another mapping's is looked up as CPython does.
        Some(m) if !vm.is_instance_of(&m, "dict") => return pass_on(vm, &m, "__reversed__", &[]),
        Some(m) => m,
        None => Value::Dict(whole(vm, &args)?),
    };
    let f = Value::Type(vm.ty("reversed"));
    vm.call1(&f, m)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "mappingproxy", "copy")?;
    if let Some(m) = mapping_of(&args) {
        let f = vm.getattr(&m, "copy")?;
        return vm.call(&f, Args::new(Vec::new()));
    }
    dict_method(vm, args, "copy")
}

fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if let Some(m) = mapping_of(&args) {
        let inner = vm.repr(&m)?;
        return Ok(Value::str(&format!("mappingproxy({inner})")));
    }
    let d = Value::Dict(whole(vm, &args)?);
    let inner = vm.repr(&d)?;
    Ok(Value::str(&format!("mappingproxy({inner})")))
}

/// `<attribute '__dict__' of 'C' objects>`.
pub fn getset_repr(g: &GetSet) -> String {
    let owner = g
        .owner
        .upgrade()
        .map(|t| t.name().to_string())
        .unwrap_or_default();
    let kind = if g.member { "member" } else { "attribute" };
    format!("<{kind} '{}' of '{owner}' objects>", g.name)
}

/// `function.__code__` and the like: a built-in type's getset or member descriptor, as
/// its class attribute (reading or setting it through the descriptor is unsupported).
pub fn builtin_descriptor(vm: &Vm, t: &Rc<Type>, name: &str) -> Option<Value> {
    let key = super::cpython_names::GETSETS
        .iter()
        .chain(super::cpython_names::MEMBERS)
        .find(|(k, _)| vm.types.by_name.get(k).is_some_and(|x| Rc::ptr_eq(x, t)))?
        .0;
    let member = !super::reach::data_descriptor_kind(key, name)?;
    let name: &'static str = super::cpython_names::GETSETS
        .iter()
        .chain(super::cpython_names::MEMBERS)
        .filter(|(k, _)| *k == key)
        .flat_map(|(_, names)| names.iter())
        .find(|n| **n == name)?;
    Some(Value::Native(Rc::new(Native::GetSet(GetSet {
        name,
        owner: Rc::downgrade(t),
        member,
    }))))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("mappingproxy", "__getitem__", getitem),
    ("mappingproxy", "get", get),
    ("mappingproxy", "__contains__", contains),
    ("mappingproxy", "__len__", len),
    ("mappingproxy", "__iter__", iter),
    ("mappingproxy", "keys", keys),
    ("mappingproxy", "values", values),
    ("mappingproxy", "items", items),
    ("mappingproxy", "copy", copy),
    ("mappingproxy", "__reversed__", reversed),
    ("mappingproxy", "__repr__", repr),
    ("mappingproxy", "__str__", str_method),
    ("mappingproxy", "__hash__", hash),
    ("mappingproxy", "__eq__", eq),
    ("mappingproxy", "__ne__", ne),
    ("mappingproxy", "__lt__", lt),
    ("mappingproxy", "__le__", le),
    ("mappingproxy", "__gt__", gt),
    ("mappingproxy", "__ge__", ge),
    ("mappingproxy", "__or__", or),
    ("mappingproxy", "__ror__", ror),
    ("mappingproxy", "__ior__", ior),
];

/// The mapping a proxy shows (for a class's `__dict__`, its contents as a dict).
fn target(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match mapping_of(args) {
        Some(m) => Ok(m),
        None => Ok(Value::Dict(whole(vm, args)?)),
    }
}

/// `other` itself, or the mapping it shows if it is a proxy (mappingproxy_or's unwrapping).
fn unwrap(vm: &mut Vm, other: &Value) -> PyResult<Value> {
    match other {
        Value::Native(n) if matches!(&**n, Native::MappingProxy(_)) => {
            target(vm, &Args::new(vec![other.clone()]))
        }
        _ => Ok(other.clone()),
    }
}

fn other_arg(vm: &Vm, args: &Args) -> PyResult<Value> {
    match args.pos.get(1) {
        Some(v) if args.pos.len() == 2 => Ok(v.clone()),
        _ => Err(vm.type_error(format!(
            "expected 1 argument, got {}",
            args.pos.len().saturating_sub(1)
        ))),
    }
}

/// `mappingproxy_richcompare`: the mapping compared with the other operand.
fn richcompare(vm: &mut Vm, args: Args, op: crate::oparg::CompareOp) -> PyResult<Value> {
    let other = other_arg(vm, &args)?;
    let m = target(vm, &args)?;
    vm.compare(op, &m, &other)
}

fn eq(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Eq)
}
fn ne(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Ne)
}
fn lt(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Lt)
}
fn le(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Le)
}
fn gt(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Gt)
}
fn ge(vm: &mut Vm, a: Args) -> PyResult<Value> {
    richcompare(vm, a, crate::oparg::CompareOp::Ge)
}

/// `mappingproxy_hash`: the mapping's hash (a dict's is a TypeError).
fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = target(vm, &args)?;
    Ok(Value::Int(vm.hash(&m)?))
}

/// `mappingproxy_str`: `str()` of the mapping.
fn str_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let m = target(vm, &args)?;
    Ok(Value::str(&vm.str_of(&m)?))
}

/// `mappingproxy_or`: both operands unwrapped, then `|` of them.
fn or(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let other = other_arg(vm, &args)?;
    let a = target(vm, &args)?;
    let b = unwrap(vm, &other)?;
    vm.binary(crate::oparg::BinaryOp::Or, &a, &b, false)
}

fn ror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let other = other_arg(vm, &args)?;
    let a = unwrap(vm, &other)?;
    let b = target(vm, &args)?;
    vm.binary(crate::oparg::BinaryOp::Or, &a, &b, false)
}

/// `mappingproxy_ior`: refused.
fn ior(vm: &mut Vm, args: Args) -> PyResult<Value> {
    other_arg(vm, &args)?;
    Err(vm.type_error("'|=' is not supported by mappingproxy; use '|' instead"))
}
