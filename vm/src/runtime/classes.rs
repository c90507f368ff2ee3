//! Class creation (CPython `builtins.__build_class__` and `type.__new__`,
//! Objects/typeobject.c): run the class body, compute the MRO, make the type.
//!
//! The object model covers plain classes and exception classes whose metaclass is `type`,
//! with the class-creation protocol of `type.__new__`: bases replaced by their
//! `__mro_entries__` (and `__orig_bases__` kept), `__set_name__` on the namespace's values,
//! `__init_subclass__` given the class keywords, `__init_subclass__` and
//! `__class_getitem__` made class methods. Everything else in class creation that CPython
//! 3.12 gives meaning to (metaclasses, subclassing other built-in types, `__slots__`,
//! special methods the evaluator does not dispatch) ends the run as *unsupported* here, at
//! the class statement, rather than creating a class that behaves differently later.

use std::cell::RefCell;
use std::rc::Rc;

use super::dict::Dict;
use super::eval;
use super::interp::Vm;
use super::object::{Args, Property, PropertyKind, Value};
use super::types::{c3, Type};
use super::{PyResult, Throw};

/// Special method names CPython's type machinery or evaluator calls that this VM never
/// calls: a class defining one would silently behave differently, so it is unsupported.
/// (Names the VM does dispatch, such as `__eq__`, `__iter__` or `__add__`, are absent.)
const UNDISPATCHED: &[&str] = &["__buffer__", "__release_buffer__", "__weakref__"];

/// `__build_class__(func, name, *bases, metaclass=None, **kwds)`: runs the class body
/// with a fresh namespace, then creates the type (C3 MRO) and fills `__classcell__`.
pub fn build_class(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let explicit = args.take_kw("metaclass");
    // The class keywords, for `__init_subclass__` (type.__new__ takes them).
    let kwds = std::mem::take(&mut args.kw);
    if args.pos.len() < 2 {
        return Err(vm.type_error("__build_class__: not enough arguments"));
    }
    let Value::Function(body) = args.pos[0].clone() else {
        return Err(vm.type_error("__build_class__: func must be a function"));
    };
    let Value::Str(name) = args.pos[1].clone() else {
        return Err(vm.type_error("__build_class__: name is not a string"));
    };
    let orig_bases = args.pos[2..].to_vec();
    let (entries, replaced) = mro_entries(vm, &orig_bases)?;
    // builtin___build_class__: the explicit metaclass, else the first base's type, else
    // `type`; when that is a class, the most derived of it and the bases' types
    // (`_PyType_CalculateMetaclass`). A base need not be a type here: whatever the
    // metaclass makes of it decides.
    let chosen = match (explicit, entries.first()) {
        (Some(m), _) => m,
        (None, Some(b)) => Value::Type(vm.type_of(b)),
        (None, None) => Value::Type(vm.ty("type")),
    };
    let meta = match &chosen {
        Value::Type(m) => Value::Type(super::metaclass::calculate(vm, m.clone(), &entries)?),
        _ => chosen,
    };
    let all_types: Option<Vec<Rc<Type>>> = entries
        .iter()
        .map(|b| match b {
            Value::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let is_type = matches!(&meta, Value::Type(m) if Rc::ptr_eq(m, &vm.ty("type")));
    if is_type {
        // type_new's `best_base` refuses what is not a type; the conflict check above
        // already has, since no such value's type derives from `type`.
        let Some(bases) = &all_types else {
            return Err(vm.type_error("bases must be types"));
        };
        check_bases(vm, bases)?;
    }
    let (ns, mapping) = super::metaclass::prepare(vm, &meta, &name, &entries, &kwds)?;
    let mut frame = vm.function_frame(&body, Args::default())?;
    frame.locals = Some(ns.clone());
    frame.locals_mapping = mapping.clone();
    let cell = eval::run_entry_frame(vm, frame)?;
    if replaced {
        let orig = Value::tuple(orig_bases);
        match &mapping {
            Some(m) => vm.setitem(m, &Value::str("__orig_bases__"), orig)?,
            None => ns.set_str("__orig_bases__", orig),
        }
    }
    let made = match (&meta, all_types) {
        (Value::Type(m), Some(bases)) if is_type => {
            Value::Type(make_class(vm, &name, bases, ns, kwds, m)?)
        }
        _ => {
            // `meta(name, bases, ns, **kwds)`: its `__new__` and `__init__` (or its
            // metaclass's `__call__`), or whatever callable the metaclass is.
            let mut margs = Args::new(vec![
                Value::Str(name.clone()),
                Value::tuple(entries),
                mapping.unwrap_or(Value::Dict(ns)),
            ]);
            margs.kw = kwds;
            vm.call(&meta, margs)?
        }
    };
    // builtin___build_class__: type.__new__ filled the cell the body returned (through
    // `__classcell__`); a class result with the cell empty or holding another class
    // means the metaclass did not pass the namespace on. Anything else is not checked.
    if let (Value::Cell(c), Value::Type(t)) = (&cell, &made) {
        let held = c.value.borrow().clone();
        match held {
            Some(Value::Type(h)) if Rc::ptr_eq(&h, t) => {}
            None => {
                let (n, r) = (vm.repr(&Value::Str(name.clone()))?, vm.repr(&made)?);
                return Err(vm.err(
                    "RuntimeError",
                    format!(
                        "__class__ not set defining {n} as {r}. Was __classcell__ propagated to type.__new__?"
                    ),
                ));
            }
            Some(other) => {
                let held = vm.repr(&other)?;
                let (n, r) = (vm.repr(&Value::Str(name.clone()))?, vm.repr(&made)?);
                return Err(vm.type_error(format!("__class__ set to {held} defining {n} as {r}")));
            }
        }
    }
    Ok(made)
}

/// `update_bases` (bltinmodule.c): a base that is not a type and has `__mro_entries__`
/// is replaced by the tuple that method returns, given the original bases. The bases
/// after, and whether any was replaced.
fn mro_entries(vm: &mut Vm, orig: &[Value]) -> PyResult<(Vec<Value>, bool)> {
    let mut out = Vec::new();
    let mut replaced = false;
    for b in orig {
        if matches!(b, Value::Type(_)) {
            out.push(b.clone());
            continue;
        }
        let meth = match vm.getattr(b, "__mro_entries__") {
            Ok(m) => m,
            Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                out.push(b.clone());
                continue;
            }
            Err(e) => return Err(e),
        };
        match vm.call(&meth, Args::new(vec![Value::tuple(orig.to_vec())]))? {
            Value::Tuple(items) => out.extend(items.iter().cloned()),
            _ => return Err(vm.type_error("__mro_entries__ must return a tuple")),
        }
        replaced = true;
    }
    Ok((out, replaced))
}

/// Bases the object model cannot extend: typing's final types (all of
/// `Objects/typevarobject.c`'s but Generic, checked first, as `best_base` does), then
/// `subclass::check_bases`.
fn check_bases(vm: &Vm, bases: &[Rc<Type>]) -> PyResult<()> {
    if let Some(b) = bases
        .iter()
        .find(|b| b.is_builtin() && &*b.module == "typing" && &*b.name() != "typing.Generic")
    {
        return Err(vm.type_error(format!(
            "type '{}' is not an acceptable base type",
            b.name()
        )));
    }
    super::subclass::check_bases(vm, bases)
}

/// `type(name, bases, ns)` once the namespace is complete (CPython `type_new`).
pub fn make_class(
    vm: &mut Vm,
    name: &str,
    bases: Vec<Rc<Type>>,
    ns: Rc<Dict>,
    kwds: Vec<(Rc<str>, Value)>,
    meta: &Rc<Type>,
) -> PyResult<Rc<Type>> {
    check_bases(vm, &bases)?;
    // `type_new` copies the namespace: the class body's own mapping keeps only what the
    // body bound.
    let ns = super::gc::alloc(ns.copy());
    let metaclass = bases.iter().any(|b| super::metaclass::is_metaclass(vm, b));
    if metaclass {
        super::metaclass::check_namespace(vm, &ns)?;
    }
    // A value whose class defines `__set_name__` cannot occur: that class is unsupported.
    for k in ns.keys() {
        if let Value::Str(k) = &k {
            // An abstract buffer method under an ABC metaclass (`collections.abc.Buffer`)
            // is never called: no instance exists until a subclass overrides it, and that
            // subclass's own body is checked here.
            let abstract_buffer = matches!(&**k, "__buffer__" | "__release_buffer__")
                && !Rc::ptr_eq(meta, &vm.ty("type"))
                && matches!(ns.get_str(k), Some(Value::Function(f))
                    if matches!(f.dict().get_str("__isabstractmethod__"), Some(Value::Bool(true))));
            if &**k == "__del__" {
                super::finalize::class_has_del();
            }
            if UNDISPATCHED.contains(&&**k) && !abstract_buffer {
                return Err(vm.unsupported(format!("the special name {k} in a class body")));
            }
        }
    }
    let bases = if bases.is_empty() {
        vec![vm.types.object.clone()]
    } else {
        bases
    };
    // CPython `type_new` / `mro_implementation` checks, with their messages.
    for (i, b) in bases.iter().enumerate() {
        if bases[..i].iter().any(|x| Rc::ptr_eq(x, b)) {
            return Err(vm.type_error(format!("duplicate base class {}", b.name())));
        }
    }
    let mro_rest = match c3(&bases) {
        Ok(mro) => mro,
        Err(heads) => {
            let names: Vec<Rc<str>> = heads.iter().map(|h| h.name()).collect();
            return Err(vm.type_error(format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            )));
        }
    };
    let layout = if bases.iter().any(|b| b.is_exception()) {
        "BaseException"
    } else {
        "object"
    };
    let qualname = match ns.get_str("__qualname__") {
        Some(Value::Str(q)) => q,
        _ => Rc::from(name),
    };
    let module = match ns.get_str("__module__") {
        Some(Value::Str(m)) => m,
        _ => Rc::from("__main__"),
    };
    let _ = ns.remove(&Value::str("__qualname__"));
    // type_new_set_classcell: the cell the class body made for `__class__` (and zero-
    // argument super()) must be a cell; it leaves the dict and holds the new class.
    let classcell = match ns.get_str("__classcell__") {
        None => None,
        Some(Value::Cell(c)) => Some(c),
        Some(other) => {
            let t = vm.repr(&Value::Type(vm.type_of(&other)))?;
            return Err(vm.type_error(format!("__classcell__ must be a nonlocal cell, not {t}")));
        }
    };
    let _ = ns.remove(&Value::str("__classcell__"));
    // type_new_set_classdictcell: the annotation scopes' `__classdict__` cell holds the
    // class's own dict (here the namespace itself), and the key leaves the dict.
    if let Some(cell) = ns.get_str("__classdictcell__") {
        let Value::Cell(c) = &cell else {
            let t = vm.repr(&Value::Type(vm.type_of(&cell)))?;
            return Err(vm.type_error(format!(
                "__classdictcell__ must be a nonlocal cell, not {t}"
            )));
        };
        *c.value.borrow_mut() = Some(Value::Dict(ns.clone()));
        let _ = ns.remove(&Value::str("__classdictcell__"));
    }
    // type_new_set_classmethod: these two are class methods even when written as plain
    // functions.
    for special in ["__init_subclass__", "__class_getitem__"] {
        if let Some(f @ Value::Function(_)) = ns.get_str(special) {
            let m = Property::new(PropertyKind::ClassMethod, f);
            ns.set_str(special, Value::Property(Rc::new(m)));
        }
    }
    // type_new_set_attrs: `__new__` written as a plain function is a static method.
    if let Some(f @ Value::Function(_)) = ns.get_str("__new__") {
        let m = Property::new(PropertyKind::StaticMethod, f);
        ns.set_str("__new__", Value::Property(Rc::new(m)));
    }
    let (nslots, has_dict) = super::slotted::layout(vm, name, &bases, &ns)?;
    let t = Rc::new(Type {
        name_cell: RefCell::new(Rc::from(name)),
        qualname: RefCell::new(qualname),
        module,
        bases,
        mro_rest,
        dict: ns,
        base_layout: layout,
        builtin: false,
        nslots,
        has_dict,
        meta: (!Rc::ptr_eq(meta, &vm.ty("type"))).then(|| meta.clone()),
        hook_cache: std::cell::Cell::new((0, 0)),
        collection: std::cell::Cell::new(0),
        subclasses: RefCell::new(Vec::new()),
    });
    // `inherit_special`: the collection flags of the base whose layout it extends
    // (`best_base`: a built-in solid base if there is one, else the first base).
    let layout_base = t
        .bases
        .iter()
        .find(|b| super::subclass::payload_type(b).is_some())
        .or(t.bases.first());
    if let Some(b) = layout_base {
        t.collection.set(b.collection.get());
    }
    if let Some(c) = classcell {
        *c.value.borrow_mut() = Some(Value::Type(t.clone()));
    }
    super::mappingproxy::add_class_entries(&t);
    for b in &t.bases {
        b.subclasses.borrow_mut().push(Rc::downgrade(&t));
    }
    set_names(vm, &t)?;
    init_subclass(vm, &t, kwds)?;
    Ok(t)
}

/// `type_new_set_names`: each value of the new class's namespace whose type has
/// `__set_name__` is told its class and name, in namespace order; an error gets a note
/// saying which.
fn set_names(vm: &mut Vm, t: &Rc<Type>) -> PyResult<()> {
    for (k, v) in t.dict.items() {
        // `property.__set_name__`: the name its errors quote.
        if let Value::Property(p) = &v {
            if p.kind == PropertyKind::Property {
                *p.name.borrow_mut() = k.clone();
            }
            continue;
        }
        if !matches!(v, Value::Object(_)) {
            continue;
        }
        let Some(f) = vm.special(&v, "__set_name__") else {
            continue;
        };
        let args = Args::new(vec![v.clone(), Value::Type(t.clone()), k.clone()]);
        if let Err(e) = vm.call(&f, args) {
            if let Throw::Exc(exc) | Throw::Reraise(exc) = &e {
                let note = format!(
                    "Error calling __set_name__ on '{}' instance {} in '{}'",
                    vm.type_of(&v).name(),
                    vm.repr(&k)?,
                    t.name()
                );
                let add = vm.getattr(exc, "add_note")?;
                vm.call(&add, Args::new(vec![Value::str(&note)]))?;
            }
            return Err(e);
        }
    }
    Ok(())
}

/// `type_new_init_subclass`: `super(t, t).__init_subclass__(**kwds)`, the first
/// `__init_subclass__` along the MRO after the class itself; `object`'s takes no keywords.
fn init_subclass(vm: &mut Vm, t: &Rc<Type>, kwds: Vec<(Rc<str>, Value)>) -> PyResult<()> {
    let found = t
        .mro_rest
        .iter()
        .find_map(|c| c.dict.get_str("__init_subclass__"));
    match found {
        Some(Value::Property(p)) if p.kind == PropertyKind::ClassMethod => {
            let mut args = Args::new(vec![Value::Type(t.clone())]);
            args.kw = kwds;
            vm.call(&p.func, args)?;
            Ok(())
        }
        None | Some(Value::Builtin(_)) => {
            if kwds.is_empty() {
                Ok(())
            } else {
                Err(vm.type_error(format!(
                    "{}.__init_subclass__() takes no keyword arguments",
                    t.name()
                )))
            }
        }
        Some(_) => Err(vm.unsupported("an __init_subclass__ that is not a class method")),
    }
}

/// An exception class a native module makes at its start (`PyErr_NewException`):
/// `name` in `module`, deriving from `bases`, a class like one a class statement makes.
pub fn exception_class(name: &str, module: &str, bases: Vec<Rc<Type>>) -> Rc<Type> {
    let ns = Dict::new_rc();
    ns.set_str("__module__", Value::str(module));
    let t = Type::heap(name, module, bases.clone(), ns, "BaseException");
    super::mappingproxy::add_class_entries(&t);
    for b in &bases {
        b.subclasses.borrow_mut().push(Rc::downgrade(&t));
    }
    t
}
