//! The descriptor protocol (spec clause frames.descriptors): what attribute lookup does
//! with the attribute it finds on a type (CPython `_PyObject_GenericGetAttrWithDict`,
//! `_PyObject_GenericSetAttrWithDict`, `type_getattro`), and `property`
//! (Objects/descrobject.c), the data descriptor built in.
//!
//! A descriptor is an object whose type defines `__get__`; with `__set__` or `__delete__`
//! as well it is a data descriptor, which takes precedence over the instance's dict. The
//! built-in ones are functions and method descriptors (bind to the instance), staticmethod
//! and classmethod (non-data) and property (data); a user class defining `__get__` makes
//! its instances descriptors, whose methods run in frames of their own whose `f_back` is
//! the frame doing the attribute access.

use std::cell::RefCell;
use std::rc::Rc;

use super::argspec::{Spec, Style};
use super::interp::Vm;
use super::object::{Args, NativeFn, Property, PropertyKind, Value};
use super::types::Type;
use super::PyResult;

/// How an attribute found on a type behaves when looked up through an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Descr {
    /// `__get__` with `__set__` or `__delete__`: wins over the instance dict.
    Data,
    /// `__get__` only: the instance dict wins.
    NonData,
    /// Not a descriptor: the attribute itself.
    Plain,
}

impl Vm {
    /// What kind of descriptor `a` is (CPython tests its type's `tp_descr_get` and
    /// `tp_descr_set`).
    pub fn descr_kind(&self, a: &Value) -> Descr {
        if let Some(p) = inherited_descriptor(a) {
            return self.descr_kind(&p);
        }
        match a {
            Value::Property(p)
                if matches!(p.kind, PropertyKind::Property | PropertyKind::Member) =>
            {
                Descr::Data
            }
            Value::Builtin(b) if b.owner.is_none() => Descr::Plain,
            Value::Property(_) | Value::Function(_) | Value::Builtin(_) => Descr::NonData,
            // `super_descr_get`, and no `tp_descr_set`.
            Value::Native(n) if matches!(**n, super::object::Native::Super(_)) => Descr::NonData,
            // `_collections._tuplegetter`: `tp_descr_get` and `tp_descr_set`.
            Value::Native(n) if matches!(**n, super::object::Native::TupleGetter(_)) => Descr::Data,
            // A class's `__dict__` and `__weakref__`, a built-in type's getsets.
            Value::Native(n) if matches!(&**n, super::object::Native::GetSet(g) if !g.member) => {
                Descr::Data
            }
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                if t.is_builtin() {
                    return Descr::Plain;
                }
                if t.lookup("__get__").is_none() {
                    // `__set__` alone makes a data descriptor whose get is the object.
                    if t.lookup("__set__").is_some() || t.lookup("__delete__").is_some() {
                        return Descr::Data;
                    }
                    return Descr::Plain;
                }
                if t.lookup("__set__").is_some() || t.lookup("__delete__").is_some() {
                    Descr::Data
                } else {
                    Descr::NonData
                }
            }
            _ => Descr::Plain,
        }
    }

    /// `lookup_maybe_method` (typeobject.c) after the type lookup found `f`: a function or
    /// method descriptor is called unbound (`None`: the caller prepends `obj`); another
    /// descriptor is bound through its `tp_descr_get`, and any other object is called as
    /// it is, without `obj`.
    pub fn bind_special(&mut self, f: &Value, obj: &Value) -> PyResult<Option<Value>> {
        match f {
            Value::Function(_) | Value::Builtin(_) => Ok(None),
            Value::Property(_) => {
                let owner = self.type_of(obj);
                Ok(Some(self.descr_get(f, Some(obj), &owner)?))
            }
            Value::Object(_) if !matches!(self.descr_kind(f), Descr::Plain) => {
                let owner = self.type_of(obj);
                Ok(Some(self.descr_get(f, Some(obj), &owner)?))
            }
            Value::Object(_) => Ok(Some(f.clone())),
            // The VM's other callables in class dicts keep the receiver.
            _ => Ok(None),
        }
    }

    /// `type(a).__get__(a, obj, owner)`: `obj` is None for a lookup on the class itself.
    pub fn descr_get(
        &mut self,
        a: &Value,
        obj: Option<&Value>,
        owner: &Rc<Type>,
    ) -> PyResult<Value> {
        if let Some(p) = inherited_descriptor(a) {
            return self.descr_get(&p, obj, owner);
        }
        match a {
            Value::Property(p) if p.kind == PropertyKind::Property => match obj {
                None => Ok(a.clone()),
                Some(o) => {
                    if p.func.is_none() {
                        return Err(self.property_error(p, o, "getter"));
                    }
                    let f = p.func.clone();
                    self.call1(&f, o.clone())
                }
            },
            Value::Property(p) if p.kind == PropertyKind::Member => match obj {
                None => Ok(a.clone()),
                Some(o) => self.member_get(p, o),
            },
            Value::Property(p) if p.kind == PropertyKind::ClassMethod => {
                Ok(self.bind(a, &Value::Type(owner.clone())))
            }
            Value::Property(p) => Ok(p.func.clone()),
            Value::Function(_) | Value::Builtin(_) => Ok(match obj {
                Some(o) => self.bind(a, o),
                None => a.clone(),
            }),
            Value::Object(_) | Value::Native(_) => match self.special(a, "__get__") {
                Some(get) => {
                    let args = vec![
                        a.clone(),
                        obj.cloned().unwrap_or(Value::None),
                        Value::Type(owner.clone()),
                    ];
                    self.call(&get, Args::new(args))
                }
                None => Ok(a.clone()),
            },
            _ => Ok(a.clone()),
        }
    }

    /// Assignment through a data descriptor found on the type: `Ok(false)` when `a` is
    /// not one (the instance dict takes the value).
    pub fn descr_set(&mut self, a: &Value, obj: &Value, x: Value) -> PyResult<bool> {
        if let Some(p) = inherited_descriptor(a) {
            return self.descr_set(&p, obj, x);
        }
        match a {
            Value::Property(p) if p.kind == PropertyKind::Member => {
                self.member_set(p, obj, Some(x))?;
                Ok(true)
            }
            Value::Property(p) if p.kind == PropertyKind::Property => {
                if p.fset.is_none() {
                    return Err(self.property_error(p, obj, "setter"));
                }
                let f = p.fset.clone();
                self.call(&f, Args::new(vec![obj.clone(), x]))?;
                Ok(true)
            }
            Value::Object(_) | Value::Native(_) if self.descr_kind(a) == Descr::Data => {
                match self.special(a, "__set__") {
                    Some(set) => {
                        self.call(&set, Args::new(vec![a.clone(), obj.clone(), x]))?;
                        Ok(true)
                    }
                    None => Err(self.err("AttributeError", "__set__")),
                }
            }
            _ => Ok(false),
        }
    }

    /// Deletion through a data descriptor found on the type: `Ok(false)` when `a` is not
    /// one.
    pub fn descr_delete(&mut self, a: &Value, obj: &Value) -> PyResult<bool> {
        if let Some(p) = inherited_descriptor(a) {
            return self.descr_delete(&p, obj);
        }
        match a {
            // `default_factory` is a `T_OBJECT` member: deleted, it reads as None, which the
            // VM's members (`T_OBJECT_EX`, an AttributeError) do not model.
            Value::Property(p)
                if p.kind == PropertyKind::Member
                    && super::modules::collections::defaultdict::is_factory_member(p) =>
            {
                Err(self.unsupported("deleting a defaultdict's default_factory"))
            }
            Value::Property(p) if p.kind == PropertyKind::Member => {
                self.member_set(p, obj, None)?;
                Ok(true)
            }
            Value::Property(p) if p.kind == PropertyKind::Property => {
                if p.fdel.is_none() {
                    return Err(self.property_error(p, obj, "deleter"));
                }
                let f = p.fdel.clone();
                self.call1(&f, obj.clone())?;
                Ok(true)
            }
            Value::Object(_) | Value::Native(_) if self.descr_kind(a) == Descr::Data => {
                match self.special(a, "__delete__") {
                    Some(del) => {
                        self.call(&del, Args::new(vec![a.clone(), obj.clone()]))?;
                        Ok(true)
                    }
                    None => Err(self.err("AttributeError", "__delete__")),
                }
            }
            _ => Ok(false),
        }
    }

    /// `property 'x' of 'C' object has no setter` (3.12 `property_descr_set`); without a
    /// name, `property of 'C' object …`.
    fn property_error(&mut self, p: &Property, obj: &Value, what: &str) -> super::Throw {
        let t = self.type_of(obj).qualname.borrow().clone();
        let name = p.name.borrow().clone();
        let msg = match self.repr(&name) {
            Ok(r) if !name.is_none() => format!("property {r} of '{t}' object has no {what}"),
            _ => format!("property of '{t}' object has no {what}"),
        };
        self.err("AttributeError", msg)
    }
}

/// An instance of a subclass of property, staticmethod or classmethod that overrides none
/// of the descriptor methods behaves as the built-in descriptor it carries.
fn inherited_descriptor(a: &Value) -> Option<Value> {
    let Value::Object(o) = a else { return None };
    let p @ Value::Property(_) = o.payload.as_ref()? else {
        return None;
    };
    let t = o.class.borrow().clone();
    let own = ["__get__", "__set__", "__delete__"]
        .iter()
        .any(|n| t.overrides(n));
    (!own).then(|| p.clone())
}

/// `property(fget=None, fset=None, fdel=None, doc=None)` (`property_init_impl`): without
/// `doc`, the getter's `__doc__`.
pub fn new_property(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let [fget, fset, fdel, doc] = Spec::function(
        "property",
        Style::Keywords,
        &["fget", "fset", "fdel", "doc"],
        0,
    )
    .keywords(0, 4)
    .bind(vm, args, 0)?;
    let none = |v: Option<Value>| v.unwrap_or(Value::None);
    let (fget, fset, fdel, doc) = (none(fget), none(fset), none(fdel), none(doc));
    // A built-in getter's docstring is unknown to the VM: `__doc__` reads it when asked.
    let doc = if doc.is_none() && !fget.is_none() && !matches!(fget, Value::Builtin(_)) {
        match vm.getattr(&fget, "__doc__") {
            Ok(d) => d,
            Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Value::None,
            Err(e) => return Err(e),
        }
    } else {
        doc
    };
    Ok(Value::Property(Rc::new(Property {
        kind: PropertyKind::Property,
        func: fget,
        fset,
        fdel,
        doc: RefCell::new(doc),
        name: RefCell::new(Value::None),
        readonly: false,
    })))
}

/// The methods of `property` this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("property", "getter", property_getter),
    ("property", "setter", property_setter),
    ("property", "deleter", property_deleter),
    ("property", "__set_name__", property_set_name),
    ("property", "__get__", property_get),
    ("property", "__set__", property_set),
    ("property", "__delete__", property_delete),
];

fn recv(vm: &Vm, args: &Args) -> PyResult<Rc<Property>> {
    match args.pos.first() {
        Some(Value::Property(p)) if p.kind == PropertyKind::Property => Ok(p.clone()),
        _ => Err(vm.type_error("descriptor requires a 'property' object")),
    }
}

/// `property_copy`: the same property with one accessor replaced. A doc taken from the
/// old getter follows a new getter's doc.
fn copy_with(vm: &mut Vm, args: &Args, which: usize, what: &str) -> PyResult<Value> {
    let [f] = Spec::method("property", what, Style::O, &["func"], 1).bind(vm, args, 1)?;
    let f = f.unwrap_or(Value::None);
    let p = recv(vm, args)?;
    let mut parts = [p.func.clone(), p.fset.clone(), p.fdel.clone()];
    parts[which] = f;
    let [fget, fset, fdel] = parts;
    let new = new_property(
        vm,
        &Args::new(vec![fget, fset, fdel, p.doc.borrow().clone()]),
    )?;
    if let Value::Property(n) = &new {
        *n.name.borrow_mut() = p.name.borrow().clone();
    }
    Ok(new)
}

fn property_getter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    copy_with(vm, &args, 0, "getter")
}

fn property_setter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    copy_with(vm, &args, 1, "setter")
}

fn property_deleter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    copy_with(vm, &args, 2, "deleter")
}

/// `property.__set_name__(owner, name)`: the name its errors quote.
fn property_set_name(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [_, name] = Spec::method(
        "property",
        "__set_name__",
        Style::Positional,
        &["owner", "name"],
        2,
    )
    .bind(vm, &args, 1)?;
    let p = recv(vm, &args)?;
    *p.name.borrow_mut() = name.unwrap_or(Value::None);
    Ok(Value::None)
}

/// `property.__get__(instance, owner=None)`.
fn property_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, owner] = Spec::method(
        "property",
        "__get__",
        Style::Positional,
        &["instance", "owner"],
        1,
    )
    .bind(vm, &args, 1)?;
    let p = Value::Property(recv(vm, &args)?);
    let obj = obj.filter(|o| !o.is_none());
    let owner = match (&owner, &obj) {
        (Some(Value::Type(t)), _) => t.clone(),
        (_, Some(o)) => vm.type_of(o),
        _ => vm.types.object.clone(),
    };
    vm.descr_get(&p, obj.as_ref(), &owner)
}

/// `property.__set__(instance, value)`.
fn property_set(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, x] = Spec::method(
        "property",
        "__set__",
        Style::Positional,
        &["instance", "value"],
        2,
    )
    .bind(vm, &args, 1)?;
    let p = Value::Property(recv(vm, &args)?);
    vm.descr_set(&p, &obj.unwrap_or(Value::None), x.unwrap_or(Value::None))?;
    Ok(Value::None)
}

/// `property.__delete__(instance)`.
fn property_delete(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj] =
        Spec::method("property", "__delete__", Style::O, &["instance"], 1).bind(vm, &args, 1)?;
    let p = Value::Property(recv(vm, &args)?);
    vm.descr_delete(&p, &obj.unwrap_or(Value::None))?;
    Ok(Value::None)
}
