//! Methods of the builtin types (`str.join`, `list.append`, `dict.get`, generator
//! `send`, `frame.clear`, `code.co_lines`, …), installed as method descriptors in each
//! type's dict so lookup and binding work like CPython's.
//!
//! One file per type (or family) so they can change independently: `str`, `list` (with
//! `tuple`'s methods, which share its helpers), `dict`, `set`, `numbers` (`int`, `float`), `complex`,
//! `generator`, `coroutine` (coroutines, async generators and their awaitables), `excgroup`
//! (`BaseExceptionGroup`), and `misc` (exceptions, `frame`, `code`, `object`, the standard streams).
//! Each file's `METHODS` table lists what it installs.

pub mod bytes;
pub mod bytes_more;
pub mod complex;
mod coroutine;
mod dict;
mod excgroup;
mod generator;
mod list;
mod misc;
mod numbers;
mod set;
mod str;
mod str_case;
mod str_mapping;
mod str_more;

use std::rc::Rc;

pub use self::dict::update_from;
pub use self::misc::method_get;

use super::interp::Vm;
use super::object::{Builtin, Method, NativeFn, Property, PropertyKind, Value};

/// Every file's table, in installation order.
const TABLES: &[&[(&str, &str, NativeFn)]] = &[
    str::METHODS,
    str_more::METHODS,
    str_mapping::METHODS,
    bytes::METHODS,
    bytes_more::METHODS,
    list::METHODS,
    dict::METHODS,
    set::METHODS,
    numbers::METHODS,
    complex::METHODS,
    generator::METHODS,
    coroutine::METHODS,
    misc::METHODS,
    excgroup::METHODS,
    super::subclass::METHODS,
    super::descr::METHODS,
    super::attr::OBJECT_METHODS,
    super::baseobject::METHODS,
    super::iterators::METHODS,
    super::builtins::constructors::SINGLETON_METHODS,
    super::mappingproxy::GETSET_METHODS,
    super::metaclass::METHODS,
    super::range::METHODS,
];

fn add(vm: &Vm, owner: &'static str, name: &'static str, func: NativeFn) {
    let t = vm.ty(owner);
    t.dict.set_str(
        name,
        Value::Builtin(Rc::new(Builtin {
            name,
            owner: Some(owner),
            func,
            module: None,
        })),
    );
}

/// Whether `owner.name` is one of the class methods installed here (or a static method,
/// whose builtin is bound to its type): its receiver may be a class.
pub fn is_class_method(owner: &str, name: &str) -> bool {
    numbers::CLASS_METHODS
        .iter()
        .chain(misc::CLASS_METHODS)
        .chain(super::metaclass::CLASS_METHODS)
        .chain(dict::CLASS_METHODS)
        .chain(super::modules::itertools::CLASS_METHODS)
        .chain(super::modules::functools::CLASS_METHODS)
        .chain(super::modules::collections::CLASS_METHODS)
        .chain(super::modules::typing::CLASS_METHODS)
        .chain(super::modules::asyncio::future::CLASS_METHODS)
        .chain(super::modules::contextvars::CLASS_METHODS)
        .chain(str_mapping::STATIC_METHODS)
        .chain(bytes_more::CLASS_METHODS)
        .chain(bytes_more::STATIC_METHODS)
        .any(|&(o, n, _)| o == owner && n == name)
}

/// Whether `owner.name` is one of the static methods (`METH_STATIC`) installed here, whose
/// `__self__` is None though the builtin is bound to its type (`PyCFunction_GET_SELF`).
pub fn is_static_method(owner: &str, name: &str) -> bool {
    str_mapping::STATIC_METHODS
        .iter()
        .chain(bytes_more::STATIC_METHODS)
        .any(|&(o, n, _)| o == owner && n == name)
}

pub fn install(vm: &mut Vm) {
    for table in TABLES.iter().chain(super::modules::TYPE_METHODS) {
        for &(owner, name, f) in table.iter() {
            add(vm, owner, name, f);
        }
    }
    // `METH_CLASS` methods: bound to the class they are looked up on.
    for &(owner, name, func) in numbers::CLASS_METHODS
        .iter()
        .chain(misc::CLASS_METHODS)
        .chain(super::metaclass::CLASS_METHODS)
        .chain(dict::CLASS_METHODS)
        .chain(super::modules::itertools::CLASS_METHODS)
        .chain(super::modules::functools::CLASS_METHODS)
        .chain(super::modules::collections::CLASS_METHODS)
        .chain(super::modules::typing::CLASS_METHODS)
        .chain(super::modules::asyncio::future::CLASS_METHODS)
        .chain(super::modules::contextvars::CLASS_METHODS)
        .chain(bytes_more::CLASS_METHODS)
    {
        let builtin = Value::Builtin(Rc::new(Builtin {
            name,
            owner: Some(owner),
            func,
            module: None,
        }));
        vm.ty(owner).dict.set_str(
            name,
            Value::Property(Rc::new(Property::new(PropertyKind::ClassMethod, builtin))),
        );
    }
    // `METH_STATIC` methods: a staticmethod of the builtin bound to its type, as
    // `type_add_method` makes it (`<built-in method maketrans of type object at …>`).
    for &(owner, name, func) in str_mapping::STATIC_METHODS
        .iter()
        .chain(bytes_more::STATIC_METHODS)
    {
        let builtin = Value::Builtin(Rc::new(Builtin {
            name,
            owner: Some(owner),
            func,
            module: None,
        }));
        let bound = Value::Method(Rc::new(Method {
            func: builtin,
            receiver: Value::Type(vm.ty(owner)),
        }));
        vm.ty(owner).dict.set_str(
            name,
            Value::Property(Rc::new(Property::new(PropertyKind::StaticMethod, bound))),
        );
    }
    super::modules::collections::install(vm);
    // Exceptions.c gives each exception type its own `__init__` slot wrapper and
    // `__new__`, over the functions of the nearest base with its own fields
    // (`SimpleExtendsException`, `MiddlingExtendsException`): the VM's nearest base's,
    // under the type's own name.
    for name in super::types::Types::exception_names() {
        let t = vm.ty(name);
        for slot in ["__init__", "__new__"] {
            if t.dict.get_str(slot).is_some() || !super::reach::own_dict_has(name, slot) {
                continue;
            }
            let inherited = t.mro_rest.iter().find_map(|b| match b.dict.get_str(slot) {
                Some(Value::Builtin(f)) => Some(f.func),
                _ => None,
            });
            if let Some(func) = inherited {
                let own = Builtin {
                    name: slot,
                    owner: Some(name),
                    func,
                    module: None,
                };
                t.dict.set_str(slot, Value::Builtin(Rc::new(own)));
            }
        }
    }
    // Each built-in type's docstring, CPython's text, where its dict holds the str (or
    // None) itself.
    for &(name, doc, plain) in super::cpython_names::TYPE_DOCS {
        let Some(t) = vm.types.by_name.get(name).cloned() else {
            continue;
        };
        if plain && t.dict.get_str("__doc__").is_none() {
            t.dict
                .set_str("__doc__", doc.map(Value::str).unwrap_or(Value::None));
        }
    }
}

/// CPython's docstring of the built-in type `t` (`type_get_doc`), `None` when the VM
/// does not know it; a type without one has `Some(Value::None)`.
pub fn builtin_type_doc(t: &super::types::Type) -> Option<Value> {
    let tn = t.name();
    let own = tn.rsplit('.').next().unwrap_or_default();
    let table = super::cpython_names::TYPE_DOCS;
    let i = table.binary_search_by(|(n, _, _)| n.cmp(&own)).ok()?;
    Some(table[i].1.map(Value::str).unwrap_or(Value::None))
}
