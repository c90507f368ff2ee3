//! `_collections` (CPython `Modules/_collectionsmodule.c`, with `Objects/odictobject.c`
//! for OrderedDict): the C half of `collections` — `deque` and its iterators (`deque`),
//! `defaultdict` (`defaultdict`), `OrderedDict` with its views and iterator (`odict`),
//! namedtuple's field descriptor (`tuplegetter`) and Counter's `_count_elements`.
//! `__sizeof__` is left out (`reach` reports it unsupported): its numbers are CPython's
//! allocation sizes.

pub mod defaultdict;
pub mod deque;
pub mod odict;
pub mod tuplegetter;

use std::rc::Rc;

use super::super::argspec::{self, Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// The native types deriving from `object`, by registry key.
pub const TYPES: &[&str] = &[
    "deque",
    "_deque_iterator",
    "_deque_reverse_iterator",
    "_tuplegetter",
    "odict_iterator",
];

/// The types deriving from a built-in type whose value their instances carry (see
/// `subclass`): (registry key, base, slots, whether instances have a `__dict__`).
pub const DERIVED: &[(&str, &str, usize, bool)] = &[
    ("defaultdict", "dict", 1, false),
    ("OrderedDict", "dict", odict::NSLOTS, true),
    ("odict_keys", "dict_keys", 1, false),
    ("odict_values", "dict_values", 1, false),
    ("odict_items", "dict_items", 1, false),
];

/// The dict subclasses among them, by `tp_name`: classes may derive from them (CPython's
/// `Py_TPFLAGS_BASETYPE`), and their own methods override dict's.
pub const DICT_TYPES: &[&str] = &["collections.defaultdict", "collections.OrderedDict"];

/// The `__module__` of the types defined here.
pub fn module_of(name: &str) -> Option<&'static str> {
    match name {
        "deque"
        | "defaultdict"
        | "OrderedDict"
        | "_deque_iterator"
        | "_deque_reverse_iterator"
        | "_tuplegetter" => Some("collections"),
        _ => None,
    }
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str(
        "__doc__",
        Value::str(
            "High performance data structures.\n\
             - deque:        ordered collection accessible from endpoints only\n\
             - defaultdict:  dict subclass with a default value factory\n",
        ),
    );
    for name in [
        "deque",
        "_deque_iterator",
        "_deque_reverse_iterator",
        "defaultdict",
        "OrderedDict",
        "_tuplegetter",
    ] {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
    super::add_functions(d, "_collections", &[("_count_elements", count_elements)]);
}

/// Calling one of the types; `name` is its tp_name.
pub fn construct(vm: &mut Vm, name: &str, args: Args) -> Option<PyResult<Value>> {
    Some(match name {
        "collections.deque" => deque::construct(vm, args),
        "collections._deque_iterator" => deque::iter_construct(vm, args, false),
        "collections._deque_reverse_iterator" => deque::iter_construct(vm, args, true),
        "collections._tuplegetter" => tuplegetter::construct(vm, args),
        "collections.defaultdict" => defaultdict::construct(vm, args),
        "collections.OrderedDict" => odict::construct(vm, args),
        "odict_iterator" | "odict_keys" | "odict_values" | "odict_items" => {
            Err(vm.type_error(format!("cannot create '{name}' instances")))
        }
        _ => return None,
    })
}

/// `repr()` of the native objects defined here.
pub fn repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    match n {
        Native::Deque(d) => deque::repr(vm, v, d),
        Native::TupleGetter(t) => tuplegetter::repr(vm, t),
        _ => {
            let name = vm.type_of(v).name().clone();
            Ok(format!("<{name} object at {:#x}>", v.address()))
        }
    }
}

/// The fields of the native objects defined here: a deque's `maxlen`, a
/// `_tuplegetter`'s `__doc__`.
pub fn attr(n: &Native, name: &str) -> Option<Value> {
    match (n, name) {
        (Native::Deque(d), "maxlen") => Some(deque::maxlen(d)),
        (Native::TupleGetter(t), "__doc__") => Some(tuplegetter::doc(t)),
        _ => None,
    }
}

/// The values a native object defined here holds in a mutable field, moved out at
/// teardown (see `gc`).
pub fn clear_into(n: &Native, out: &mut Vec<Value>) {
    match n {
        Native::Deque(d) => out.extend(d.take_all()),
        Native::TupleGetter(t) => {
            if let Ok(mut doc) = t.doc.try_borrow_mut() {
                out.push(std::mem::take(&mut *doc));
            }
        }
        _ => {}
    }
}

/// Whether a native object defined here has a mutable field holding values.
pub fn can_close_cycle(n: &Native) -> bool {
    matches!(n, Native::Deque(_) | Native::TupleGetter(_))
}

/// `_count_elements(mapping, iterable, /)`: with a dict whose `get` and `__setitem__`
/// are dict's, the counts go straight into it; otherwise through `mapping.get(key, 0)`
/// and `mapping[key] = …`.
fn count_elements(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // `METH_FASTCALL` without keywords: the call refuses them by the qualified name.
    if !args.kw.is_empty() {
        return Err(vm.type_error("_collections._count_elements() takes no keyword arguments"));
    }
    let [mapping, iterable] = Spec::function(
        "_count_elements",
        Style::Positional,
        &["mapping", "iterable"],
        2,
    )
    .bind(vm, &args, 0)?;
    let mapping = argspec::required(mapping);
    let it = vm.iter(&argspec::required(iterable))?;
    let t = vm.type_of(&mapping);
    let dict_t = vm.ty("dict");
    let same = |name: &str| match (t.lookup(name), dict_t.lookup(name)) {
        (Some(a), Some(b)) => a.is(&b),
        _ => false,
    };
    let one = Value::Int(1);
    if let (true, true, Value::Dict(d)) = (
        same("get"),
        same("__setitem__"),
        mapping.builtin_value().clone(),
    ) {
        while let Some(key) = vm.next(&it)? {
            let new = match vm.dict_get(&d, &key)? {
                None => one.clone(),
                Some(old) => vm.binary(crate::oparg::BinaryOp::Add, &old, &one, false)?,
            };
            vm.dict_set(&d, key, new)?;
        }
        return Ok(Value::None);
    }
    let get = vm.getattr(&mapping, "get")?;
    while let Some(key) = vm.next(&it)? {
        let old = vm.call(&get, Args::new(vec![key.clone(), Value::Int(0)]))?;
        let new = vm.binary(crate::oparg::BinaryOp::Add, &old, &one, false)?;
        vm.setitem(&mapping, &key, new)?;
    }
    Ok(Value::None)
}

/// What the method tables cannot hold: defaultdict's `default_factory` member and the
/// views' `mapping`.
pub fn install(vm: &Vm) {
    defaultdict::install(vm);
    odict::install(vm);
}

/// The class methods: `__class_getitem__` of deque and defaultdict, OrderedDict's
/// `fromkeys`.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("deque", "__class_getitem__", deque::class_getitem),
    (
        "defaultdict",
        "__class_getitem__",
        defaultdict::class_getitem,
    ),
    ("OrderedDict", "fromkeys", odict::fromkeys),
];
