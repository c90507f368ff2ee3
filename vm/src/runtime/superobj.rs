//! The built-in `super` type (CPython Objects/typeobject.c: `superobject`, `super_init`,
//! `super_vectorcall`, `super_getattro`, `do_super_lookup`, `super_descr_get`,
//! `super_repr`, `supercheck`, `super_init_without_args`).
//!
//! A super object is `Value::Native(Native::Super)`, or the payload of an instance of a
//! class deriving from `super` (see `subclass`): three fields which `__init__` may set
//! again, so each is a cell. Its attribute lookup (`getattro`) searches the MRO of
//! `__self_class__` from the class after `__thisclass__`, and binds what it finds through
//! the descriptor's `__get__` with the instance, or with none when the instance is that
//! class itself; `__class__` and whatever the search does not find are the super object's
//! own attributes. LOAD_SUPER_ATTR (`ops::attrs`) calls `super` as CPython does and then
//! looks up through here, so `super().name` and `super(C, x).name` share one lookup.
//!
//! The zero-argument form reads the calling frame: its first argument (through its cell
//! when it is one) and its `__class__` free variable, with CPython's RuntimeErrors when
//! either is missing.

use std::cell::RefCell;
use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Native, NativeFn, Value};
use super::reach;
use super::types::Type;
use super::{PyResult, Throw};
use crate::code::kinds::{CO_FAST_CELL, CO_FAST_FREE};

/// `superobject`: `type`, `obj` and `obj_type`, NULL (`None`) until `__init__` sets them.
#[derive(Debug, Default)]
pub struct Super {
    /// `__thisclass__`: the class whose successor in the MRO the lookup starts at.
    pub this: RefCell<Option<Rc<Type>>>,
    /// `__self__`: the instance or class the found attributes bind to (None: unbound).
    pub obj: RefCell<Option<Value>>,
    /// `__self_class__`: the class whose MRO is searched (`supercheck`'s answer).
    pub obj_type: RefCell<Option<Rc<Type>>>,
}

/// The super object `v` is or carries (an instance of a subclass of super).
pub fn as_super(v: &Value) -> Option<&Super> {
    let n = match v {
        Value::Native(n) => n,
        Value::Object(o) => match o.payload.as_ref()? {
            Value::Native(n) => n,
            _ => return None,
        },
        _ => return None,
    };
    match &**n {
        Native::Super(s) => Some(s),
        _ => None,
    }
}

impl Super {
    fn new(this: Rc<Type>, obj: Option<Value>, obj_type: Option<Rc<Type>>) -> Super {
        Super {
            this: RefCell::new(Some(this)),
            obj: RefCell::new(obj),
            obj_type: RefCell::new(obj_type),
        }
    }

    fn into_value(self) -> Value {
        Value::Native(Rc::new(Native::Super(self)))
    }
}

/// `super(...)`, the call of the exact type (`super_vectorcall`): no keywords, at most
/// two arguments, the first a type, then `super_init_impl`.
pub fn call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("super() takes no keyword arguments"));
    }
    let n = args.pos.len();
    if n > 2 {
        return Err(vm.type_error(format!("super() expected at most 2 arguments, got {n}")));
    }
    let this = match args.pos.first() {
        None => None,
        Some(Value::Type(t)) => Some(t.clone()),
        Some(other) => {
            let name = vm.type_of(other).name();
            return Err(vm.type_error(format!("super() argument 1 must be a type, not {name}")));
        }
    };
    Ok(init_fields(vm, this, args.pos.get(1).cloned())?.into_value())
}

/// `super_init_impl`: the zero-argument form's class and first argument, then
/// `supercheck` for an object other than None.
fn init_fields(vm: &mut Vm, this: Option<Rc<Type>>, obj: Option<Value>) -> PyResult<Super> {
    let (this, obj) = match this {
        Some(t) => (t, obj),
        None => {
            let (t, first) = without_args(vm)?;
            (t, Some(first))
        }
    };
    let obj = obj.filter(|o| !o.is_none());
    let obj_type = match &obj {
        Some(o) => Some(supercheck(vm, &this, o)?),
        None => None,
    };
    Ok(Super::new(this, obj, obj_type))
}

/// `super_init_without_args`: the current frame's `__class__` cell and first argument.
fn without_args(vm: &mut Vm) -> PyResult<(Rc<Type>, Value)> {
    let runtime = |vm: &Vm, msg: &str| vm.err("RuntimeError", msg);
    let Some(f) = vm.frames.last() else {
        return Err(runtime(vm, "super(): no current frame"));
    };
    let code = f.info.code.clone();
    if code.co_argcount == 0 {
        return Err(runtime(vm, "super(): no arguments"));
    }
    let kind = |i: usize| code.co_localspluskinds.get(i).copied().unwrap_or(0);
    // The first argument may live in a cell (MAKE_CELL has run: the frame is running).
    let first = match f.localsplus.first().cloned().flatten() {
        Some(Value::Cell(c)) if kind(0) & CO_FAST_CELL != 0 => c.value.borrow().clone(),
        other => other,
    };
    let Some(first) = first else {
        return Err(runtime(vm, "super(): arg[0] deleted"));
    };
    let slot = (0..code.co_localsplusnames.len())
        .find(|&i| kind(i) & CO_FAST_FREE != 0 && &*code.co_localsplusnames[i] == "__class__");
    let Some(i) = slot else {
        return Err(runtime(vm, "super(): __class__ cell not found"));
    };
    let Some(Value::Cell(cell)) = f.localsplus.get(i).cloned().flatten() else {
        return Err(runtime(vm, "super(): bad __class__ cell"));
    };
    let class = cell.value.borrow().clone();
    match class {
        None => Err(runtime(vm, "super(): empty __class__ cell")),
        Some(Value::Type(t)) => Ok((t, first)),
        Some(other) => {
            let name = vm.type_of(&other).name();
            Err(vm.err(
                "RuntimeError",
                format!("super(): __class__ is not a type ({name})"),
            ))
        }
    }
}

/// `supercheck`: the class whose MRO a super object bound to `obj` searches — `obj`
/// itself when it is a subclass of `this` (a classmethod's super()), else its type, or
/// else its `__class__` when that differs from its type and derives from `this` (a proxy).
fn supercheck(vm: &mut Vm, this: &Rc<Type>, obj: &Value) -> PyResult<Rc<Type>> {
    if let Value::Type(t) = obj {
        if t.is_subtype(this) {
            return Ok(t.clone());
        }
    }
    let t = vm.type_of(obj);
    if t.is_subtype(this) {
        return Ok(t);
    }
    // `_PyObject_LookupAttr`: an AttributeError means no `__class__`.
    let class = match vm.getattr(obj, "__class__") {
        Ok(c) => Some(c),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => None,
        Err(e) => return Err(e),
    };
    if let Some(Value::Type(c)) = class {
        if !Rc::ptr_eq(&c, &t) && c.is_subtype(this) {
            return Ok(c);
        }
    }
    Err(vm.type_error("super(type, obj): obj must be an instance or subtype of type"))
}

/// `do_super_lookup`'s search: `name` in the dicts of `obj_type`'s MRO after `this`,
/// bound by its descriptor's `__get__`. `None` where CPython goes on to the super
/// object's own attributes: an unbound super, `__class__`, `this` last in or absent from
/// the MRO, or nothing found.
pub fn lookup(
    vm: &mut Vm,
    this: &Rc<Type>,
    obj: Option<&Value>,
    obj_type: Option<&Rc<Type>>,
    name: &str,
) -> PyResult<Option<Value>> {
    let Some(start) = obj_type else {
        return Ok(None);
    };
    if name == "__class__" {
        return Ok(None);
    }
    let mro = start.mro();
    let n = mro.len();
    // The last entry needs no test: it would be skipped anyway.
    let mut i = (0..n.saturating_sub(1))
        .find(|&i| Rc::ptr_eq(&mro[i], this))
        .unwrap_or(n.saturating_sub(1));
    i += 1;
    while i < n {
        let c = &mro[i];
        if let Some(found) = c.dict.get_str(name) {
            // Only pass the instance for an instance-mode super (CPython: SF #743627).
            let instance = match obj {
                Some(Value::Type(o)) if Rc::ptr_eq(o, start) => None,
                other => other,
            };
            return descr_get(vm, &found, instance, start).map(Some);
        }
        // The VM's dict of a built-in class may lack an entry CPython's has.
        if c.is_builtin() {
            let tn = c.name();
            let own = tn.rsplit('.').next().unwrap_or_default();
            if reach::own_dict_has(own, name) {
                // A member or getset of the built-in base, read from the state the
                // instance carries (`super().family` in socket.py).
                if let Some(Value::Object(o)) = obj {
                    if let Some(p) = o.payload.clone() {
                        if let Some(v) = vm.special_attr(&p, name)? {
                            return Ok(Some(v));
                        }
                    }
                }
                return Err(vm.unsupported(format!("the attribute {tn}.{name} through super()")));
            }
        }
        i += 1;
    }
    Ok(None)
}

/// `Py_TYPE(res)->tp_descr_get(res, obj, starttype)`, `obj` NULL (`None`) for a class
/// super(): a function or method descriptor then stays unbound, a class method binds
/// to the class, and any other object without `__get__` is itself.
fn descr_get(vm: &mut Vm, found: &Value, obj: Option<&Value>, start: &Rc<Type>) -> PyResult<Value> {
    match found {
        Value::Function(_) | Value::Builtin(_) => Ok(match obj {
            Some(o) => vm.bind(found, o),
            None => match found {
                Value::Builtin(b)
                    if b.owner
                        .is_some_and(|o| super::methods::is_class_method(o, b.name)) =>
                {
                    vm.bind(found, &Value::Type(start.clone()))
                }
                _ => found.clone(),
            },
        }),
        Value::Property(_) | Value::Object(_) | Value::Native(_) => vm.descr_get(found, obj, start),
        _ => Ok(found.clone()),
    }
}

/// `super_getattro`: the search, else the super object's own attributes
/// (`PyObject_GenericGetAttr`).
pub fn getattro(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Value> {
    let Some(s) = as_super(v) else {
        return Err(vm.bug("super_getattro without a super object"));
    };
    let this = s.this.borrow().clone();
    let obj = s.obj.borrow().clone();
    let obj_type = s.obj_type.borrow().clone();
    if let Some(this) = &this {
        if let Some(found) = lookup(vm, this, obj.as_ref(), obj_type.as_ref(), name)? {
            return Ok(found);
        }
    }
    own_attr(vm, v, name)
}

/// The super object's own attribute: a member (`__thisclass__`, `__self__`,
/// `__self_class__`) unless a class before `super` in its type's MRO names it, else
/// the generic lookup.
fn own_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Value> {
    if let (Some(s), Value::Object(o)) = (as_super(v), v) {
        if MEMBERS.contains(&name) {
            let t = o.class.borrow().clone();
            let base = vm.ty("super");
            let shadowed = t
                .mro()
                .iter()
                .take_while(|c| !Rc::ptr_eq(c, &base))
                .any(|c| c.dict.get_str(name).is_some());
            if !shadowed {
                return Ok(member(s, name).unwrap_or(Value::None));
            }
        }
    }
    vm.generic_getattr(v, name)
}

const MEMBERS: &[&str] = &["__thisclass__", "__self__", "__self_class__"];

/// `super_members`: read-only `T_OBJECT` members, None for NULL.
pub fn member(s: &Super, name: &str) -> Option<Value> {
    let ty = |t: &Option<Rc<Type>>| t.clone().map(Value::Type).unwrap_or(Value::None);
    match name {
        "__thisclass__" => Some(ty(&s.this.borrow())),
        "__self__" => Some(s.obj.borrow().clone().unwrap_or(Value::None)),
        "__self_class__" => Some(ty(&s.obj_type.borrow())),
        _ => None,
    }
}

/// `super_repr`: the class names (tp_name), NULL for an uninitialised super.
pub fn repr(s: &Super) -> String {
    let this = match &*s.this.borrow() {
        Some(t) => t.name().to_string(),
        None => "NULL".to_owned(),
    };
    match &*s.obj_type.borrow() {
        Some(t) => format!("<super: <class '{this}'>, <{} object>>", t.name()),
        None => format!("<super: <class '{this}'>, NULL>"),
    }
}

/// The methods and slot wrappers in super's dict: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("super", "__new__", super_new),
    ("super", "__init__", super_init),
    ("super", "__get__", super_get),
    ("super", "__getattribute__", super_getattribute),
    ("super", "__repr__", super_repr),
];

/// The receiver of one of super's slot wrappers (the call machinery checked its type).
fn receiver<'a>(vm: &Vm, args: &'a Args) -> PyResult<(&'a Value, &'a Super)> {
    let v = args
        .pos
        .first()
        .ok_or_else(|| vm.bug("a super slot wrapper without its receiver"))?;
    let s = as_super(v).ok_or_else(|| vm.bug("a super slot wrapper on another object"))?;
    Ok((v, s))
}

/// `super.__new__(cls, *args, **kwargs)` (`PyType_GenericNew`): an uninitialised super
/// object, whatever the arguments; a payload-carrying instance for a subclass.
fn super_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(first) = args.pos.first() else {
        return Err(vm.type_error("super.__new__(): not enough arguments"));
    };
    let Value::Type(cls) = first else {
        let n = vm.type_of(first).name();
        return Err(vm.type_error(format!("super.__new__(X): X is not a type object ({n})")));
    };
    let base = vm.ty("super");
    if !cls.is_subtype(&base) {
        let n = cls.name();
        return Err(vm.type_error(format!("super.__new__({n}): {n} is not a subtype of super")));
    }
    let empty = Value::Native(Rc::new(Native::Super(Super::default())));
    if Rc::ptr_eq(cls, &base) {
        return Ok(empty);
    }
    Ok(super::subclass::with_payload(cls, empty))
}

/// `super.__init__(self, type=NULL, obj=NULL)` (`super_init`, tp_init): parsed with
/// `"|O!O:super"`, whose wording differs from the call's.
fn super_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, s) = receiver(vm, &args)?;
    if !args.kw.is_empty() {
        return Err(vm.type_error("super() takes no keyword arguments"));
    }
    let rest = &args.pos[1..];
    if rest.len() > 2 {
        return Err(vm.type_error(format!(
            "super() takes at most 2 arguments ({} given)",
            rest.len()
        )));
    }
    let this = match rest.first() {
        None => None,
        Some(Value::Type(t)) => Some(t.clone()),
        Some(other) => {
            let name = vm.type_of(other).name();
            return Err(vm.type_error(format!("super() argument 1 must be type, not {name}")));
        }
    };
    let new = init_fields(vm, this, rest.get(1).cloned())?;
    s.this.replace(new.this.into_inner());
    s.obj.replace(new.obj.into_inner());
    s.obj_type.replace(new.obj_type.into_inner());
    Ok(Value::None)
}

/// `super.__get__(instance, owner=None)` (`wrap_descr_get` around `super_descr_get`):
/// itself when unbound to an instance or already bound; a new super bound to
/// `instance`, made by the subclass for a subclass instance.
fn super_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, s) = receiver(vm, &args)?;
    if !args.kw.is_empty() {
        return Err(vm.type_error("wrapper __get__() takes no keyword arguments"));
    }
    let n = args.pos.len() - 1;
    if n == 0 {
        return Err(vm.type_error(" expected at least 1 argument, got 0"));
    }
    if n > 2 {
        return Err(vm.type_error(format!(" expected at most 2 arguments, got {n}")));
    }
    let obj = args.pos[1].clone();
    let owner = args.pos.get(2).cloned().unwrap_or(Value::None);
    if obj.is_none() && owner.is_none() {
        return Err(vm.type_error("__get__(None, None) is invalid"));
    }
    if obj.is_none() || s.obj.borrow().is_some() {
        return Ok(me.clone());
    }
    let this = s.this.borrow().clone();
    if let Value::Object(o) = me {
        // A strict subclass of super: its type makes the bound one.
        let cls = o.class.borrow().clone();
        let this = this.map(Value::Type).unwrap_or(Value::None);
        return vm.call(&Value::Type(cls), Args::new(vec![this, obj]));
    }
    let Some(this) = this else {
        return Err(vm.unsupported("binding an uninitialised super object"));
    };
    let obj_type = supercheck(vm, &this, &obj)?;
    Ok(Super::new(this, Some(obj), Some(obj_type)).into_value())
}

/// `super.__getattribute__(name)` (`wrap_binaryfunc` around `super_getattro`).
fn super_getattribute(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, _) = receiver(vm, &args)?;
    let me = me.clone();
    if !args.kw.is_empty() {
        return Err(vm.type_error("wrapper __getattribute__() takes no keyword arguments"));
    }
    if args.pos.len() != 2 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("expected 1 argument, got {n}")));
    }
    let Value::Str(name) = &args.pos[1] else {
        let n = vm.type_of(&args.pos[1]).name();
        return Err(vm.type_error(format!("attribute name must be string, not '{n}'")));
    };
    getattro(vm, &me, name)
}

/// `super.__repr__()` (`wrap_unaryfunc` around `super_repr`).
fn super_repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, s) = receiver(vm, &args)?;
    if !args.kw.is_empty() {
        return Err(vm.type_error("wrapper __repr__() takes no keyword arguments"));
    }
    if args.pos.len() != 1 {
        let n = args.pos.len() - 1;
        return Err(vm.type_error(format!("expected 0 arguments, got {n}")));
    }
    Ok(Value::str(&repr(s)))
}
