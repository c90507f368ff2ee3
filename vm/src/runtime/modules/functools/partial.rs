//! `functools.partial` (CPython 3.12 `partialobject` in `Modules/_functoolsmodule.c`):
//! construction with nested partials flattened (`partial_new`), calling (`partial_call`,
//! `partial_vectorcall`), repr, pickling (`partial_reduce`, `partial_setstate`) and the
//! lazily made `__dict__` (`partial_get_dict`, CPython's `tp_dictoffset`: NULL until read
//! or written, which decides whether a nested partial is flattened).
//!
//! A subclass instance carries a partial as its payload (see `subclass`); its `__dict__`
//! is the instance's, which the VM always allocates, so where CPython's behaviour depends
//! on that dict being NULL and the VM cannot tell (an empty one), it is unsupported. A
//! partial is not a method descriptor: it has no `__get__`, so a class attribute holding
//! one is not bound.

use std::cell::RefCell;
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::gc;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::types::Type;
use super::super::super::PyResult;

/// `partial_doc`.
pub const DOC: &str = "partial(func, *args, **keywords) - new function with partial application\n    of the given arguments and keywords.\n";

/// `partialobject`: `fn`, `args` (a tuple), `kw` (a dict the program can mutate through
/// `keywords`), and `dict`, `None` while CPython's is NULL.
#[derive(Debug)]
pub struct Partial {
    pub func: RefCell<Value>,
    pub args: RefCell<Rc<[Value]>>,
    pub kw: RefCell<Rc<Dict>>,
    pub dict: RefCell<Option<Rc<Dict>>>,
}

impl Partial {
    /// The members `func`, `args`, `keywords` (READONLY `T_OBJECT`s) and the `__dict__`
    /// getset (which makes the dict), then the instance dict's entries.
    pub fn attr(&self, name: &str) -> Option<Value> {
        match name {
            "func" => Some(self.func.borrow().clone()),
            "args" => Some(Value::Tuple(self.args.borrow().clone())),
            "keywords" => Some(Value::Dict(self.kw.borrow().clone())),
            "__dict__" => Some(Value::Dict(self.dict_made())),
            _ => self.dict.borrow().as_ref().and_then(|d| d.get_str(name)),
        }
    }

    /// The instance dict, made now if it was NULL (`PyObject_GenericGetDict`).
    fn dict_made(&self) -> Rc<Dict> {
        self.dict
            .borrow_mut()
            .get_or_insert_with(Dict::new_rc)
            .clone()
    }

    /// `PyObject_GenericSetAttr` on a partial (`x` is `None` for a deletion).
    pub fn setattr(&self, vm: &mut Vm, name: &str, x: Option<Value>) -> PyResult<()> {
        match (name, x) {
            ("func" | "args" | "keywords", _) => {
                Err(vm.err("AttributeError", "readonly attribute"))
            }
            ("__dict__", None) => Err(vm.type_error("cannot delete __dict__")),
            ("__dict__", Some(Value::Dict(d))) => {
                *self.dict.borrow_mut() = Some(d);
                Ok(())
            }
            ("__dict__", Some(o @ Value::Object(_)))
                if matches!(o.builtin_value(), Value::Dict(_)) =>
            {
                Err(vm.unsupported("a dict subclass as a partial's __dict__"))
            }
            ("__dict__", Some(other)) => {
                let t = vm.type_of(&other).name().clone();
                Err(vm.type_error(format!("__dict__ must be set to a dictionary, not a '{t}'")))
            }
            (_, Some(x)) => {
                let d = self.dict_made();
                d.set_str(name, x);
                Ok(())
            }
            (_, None) => {
                let removed = self.dict.borrow().as_ref().and_then(|d| {
                    d.remove_key(&super::super::super::dict::Key::Str(Rc::from(name)))
                });
                match removed {
                    Some(_) => Ok(()),
                    None => Err(vm.err(
                        "AttributeError",
                        format!("'functools.partial' object has no attribute '{name}'"),
                    )),
                }
            }
        }
    }

    pub fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut f) = self.func.try_borrow_mut() {
            out.push(std::mem::take(&mut *f));
        }
        if let Ok(mut a) = self.args.try_borrow_mut() {
            let items = std::mem::replace(&mut *a, Rc::from(Vec::new()));
            out.push(Value::Tuple(items));
        }
        if let Ok(mut k) = self.kw.try_borrow_mut() {
            out.push(Value::Dict(std::mem::replace(
                &mut *k,
                Rc::new(Dict::new()),
            )));
        }
        if let Ok(mut d) = self.dict.try_borrow_mut() {
            out.extend(d.take().map(Value::Dict));
        }
    }
}

/// The partial a value is or carries (a subclass instance's payload).
pub fn partial_of(v: &Value) -> Option<&Partial> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Partial(p) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

/// A partial's `fn`, `args` and `kw`.
type Fields = (Value, Rc<[Value]>, Rc<Dict>);

/// Whether `partial_new` takes `func` apart (`Py_TYPE(func)->tp_call == partial_call`
/// and its dict is NULL): its fields when it does.
fn flattened(vm: &Vm, func: &Value) -> PyResult<Option<Fields>> {
    let Some(p) = partial_of(func) else {
        return Ok(None);
    };
    let t = vm.type_of(func);
    if t.overrides("__call__") {
        return Ok(None);
    }
    let dict_null = match func {
        Value::Object(o) if o.dict.is_empty() => {
            return Err(vm.unsupported(
                "a partial of a partial subclass instance with an empty __dict__ \
                 (CPython flattens it only while its dict was never made)",
            ))
        }
        Value::Object(_) => false,
        _ => p.dict.borrow().is_none(),
    };
    if !dict_null {
        return Ok(None);
    }
    Ok(Some((
        p.func.borrow().clone(),
        p.args.borrow().clone(),
        p.kw.borrow().clone(),
    )))
}

/// `partial(func, /, *args, **keywords)`.
pub fn new(vm: &mut Vm, cls: &Rc<Type>, args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("type 'partial' takes at least one argument"));
    }
    let mut func = args.pos[0].clone();
    let mut new_args: Vec<Value> = args.pos[1..].to_vec();
    let mut base_kw: Option<Rc<Dict>> = None;
    if let Some((f, pargs, pkw)) = flattened(vm, &func)? {
        func = f;
        let mut all = pargs.to_vec();
        all.append(&mut new_args);
        new_args = all;
        base_kw = Some(pkw);
    }
    if !crate::runtime::builtins::is_callable(vm, &func) {
        return Err(vm.type_error("the first argument must be callable"));
    }
    // `PyDict_Copy(pkw)` then `PyDict_Merge(kw, 1)` when the inner partial had keywords.
    let kw = match base_kw {
        Some(pkw) if !pkw.is_empty() => gc::alloc(pkw.copy()),
        _ => Dict::new_rc(),
    };
    for (k, v) in args.kw {
        vm.dict_set(&kw, Value::Str(k), v)?;
    }
    let p = Partial {
        func: RefCell::new(func),
        args: RefCell::new(Rc::from(new_args)),
        kw: RefCell::new(kw),
        dict: RefCell::new(None),
    };
    let n = Value::Native(gc::alloc(Native::Partial(p)));
    if Rc::ptr_eq(cls, &vm.ty("partial")) {
        return Ok(n);
    }
    Ok(crate::runtime::subclass::with_payload(cls, n))
}

/// `partial.__new__(cls, func, /, *args, **keywords)` (`tp_new_wrapper`'s checks first).
pub fn new_method(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("functools.partial.__new__(): not enough arguments"));
    }
    let cls = args.pos.remove(0);
    let Value::Type(cls) = cls else {
        let n = vm.type_of(&cls).name().clone();
        return Err(vm.type_error(format!(
            "functools.partial.__new__(X): X is not a type object ({n})"
        )));
    };
    let base = vm.ty("partial");
    if !cls.is_subtype(&base) {
        let n = cls.name().clone();
        return Err(vm.type_error(format!(
            "functools.partial.__new__({n}): {n} is not a subtype of functools.partial"
        )));
    }
    new(vm, &cls, args)
}

/// `partial_call`: the stored arguments, then the call's; the stored keywords updated
/// by the call's. A keyword that is not a str cannot be passed on: a Python function
/// refuses it (`_PyStack_UnpackDict`); what another callee does is not modelled.
pub fn call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(me) = args.pos.first() else {
        return Err(vm.bug("partial.__call__ without a receiver"));
    };
    let Some(p) = partial_of(me) else {
        return Err(vm.bug("partial.__call__ on another object"));
    };
    let func = p.func.borrow().clone();
    let mut pos = p.args.borrow().to_vec();
    pos.extend(args.pos[1..].iter().cloned());
    let pkw = p.kw.borrow().clone();
    let kw = if pkw.is_empty() {
        args.kw
    } else {
        let mut kw: Vec<(Rc<str>, Value)> = Vec::with_capacity(pkw.len() + args.kw.len());
        for (k, v) in pkw.items() {
            match k {
                Value::Str(s) => kw.push((s, v)),
                _ if matches!(
                    func,
                    Value::Function(_) | Value::Method(_) | Value::Builtin(_)
                ) && !matches!(k.builtin_value(), Value::Str(_)) =>
                {
                    return Err(vm.type_error("keywords must be strings"))
                }
                _ => return Err(vm.unsupported("a partial's keyword that is not an exact str")),
            }
        }
        for (k, v) in args.kw {
            match kw.iter_mut().find(|(name, _)| *name == k) {
                Some(slot) => slot.1 = v,
                None => kw.push((k, v)),
            }
        }
        kw
    };
    vm.call(&func, Args { pos, kw })
}

/// `partial_repr`: `tp_name(fn, args…, key=value…)`; the arguments are shown first
/// (their reprs computed before the function's), keywords by `str(key)`; a partial
/// inside its own arguments is `...` (`Py_ReprEnter`).
pub fn repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    // Keyed by the partial itself: the VM's `repr` has already entered a subclass
    // instance (the outer object) before calling its `__repr__`.
    let Some(p) = partial_of(v) else {
        return Err(vm.bug("partial repr of another object"));
    };
    let key = p as *const Partial as usize;
    if vm.repr_active.contains(&key) {
        return Ok("...".to_owned());
    }
    vm.repr_active.push(key);
    let r = repr_inner(vm, v);
    vm.repr_active.retain(|k| *k != key);
    r
}

fn repr_inner(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let Some(p) = partial_of(v) else {
        return Err(vm.bug("partial repr of another object"));
    };
    let (func, pargs, kw) = (
        p.func.borrow().clone(),
        p.args.borrow().clone(),
        p.kw.borrow().clone(),
    );
    let mut arglist = String::new();
    for a in pargs.iter() {
        arglist.push_str(", ");
        arglist.push_str(&vm.repr(a)?);
    }
    for (k, x) in kw.items() {
        let k = vm.str_of(&k)?;
        let x = vm.repr(&x)?;
        arglist.push_str(&format!(", {k}={x}"));
    }
    let f = vm.repr(&func)?;
    let tp_name = vm.type_of(v).name().clone();
    Ok(format!("{tp_name}({f}{arglist})"))
}

/// `__repr__` (the slot wrapper of `tp_repr`).
pub fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("partial", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let Some(v) = args.pos.first() else {
        return Err(vm.bug("partial.__repr__ without a receiver"));
    };
    let v = v.clone();
    Ok(Value::str(&repr(vm, &v)?))
}

/// The dict `__reduce__` shows and `setstate` replaces: a native partial's, or a
/// subclass instance's, which is unsupported while empty (NULL or made, unknown).
fn instance_dict(vm: &Vm, v: &Value, p: &Partial) -> PyResult<Option<Rc<Dict>>> {
    match v {
        Value::Object(o) if o.dict.is_empty() => Err(vm.unsupported(
            "pickling a partial subclass instance with an empty __dict__ (NULL or not)",
        )),
        Value::Object(o) => Ok(Some(o.dict.clone())),
        _ => Ok(p.dict.borrow().clone()),
    }
}

/// `partial_reduce`: `(type(self), (fn,), (fn, args, kw, dict or None))`.
pub fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("partial", "__reduce__", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let Some(me) = args.pos.first() else {
        return Err(vm.bug("partial.__reduce__ without a receiver"));
    };
    let Some(p) = partial_of(me) else {
        return Err(vm.bug("partial.__reduce__ on another object"));
    };
    let func = p.func.borrow().clone();
    let dict = instance_dict(vm, me, p)?.map_or(Value::None, Value::Dict);
    let state = Value::tuple(vec![
        func.clone(),
        Value::Tuple(p.args.borrow().clone()),
        Value::Dict(p.kw.borrow().clone()),
        dict,
    ]);
    Ok(Value::tuple(vec![
        Value::Type(vm.type_of(me)),
        Value::tuple(vec![func]),
        state,
    ]))
}

/// `partial_setstate`: a 4-tuple of a callable, a tuple, a dict or None, and a dict or
/// None; anything else is "invalid partial state".
pub fn setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [state] =
        Spec::method("partial", "__setstate__", Style::O, &["state"], 1).bind::<1>(vm, &args, 1)?;
    let state = state.ok_or_else(|| vm.bug("partial.__setstate__ without its argument"))?;
    let me = args.pos[0].clone();
    let Some(p) = partial_of(&me) else {
        return Err(vm.bug("partial.__setstate__ on another object"));
    };
    let invalid = || vm.type_error("invalid partial state");
    let Value::Tuple(items) = state.builtin_value() else {
        return Err(invalid());
    };
    let [func, fnargs, kw, dict] = &items[..] else {
        return Err(invalid());
    };
    if !crate::runtime::builtins::is_callable(vm, func) {
        return Err(invalid());
    }
    let fnargs: Rc<[Value]> = match (fnargs, fnargs.builtin_value()) {
        (Value::Tuple(t), _) => t.clone(),
        // A tuple subclass: `PySequence_Tuple` copies its items.
        (_, Value::Tuple(t)) => Rc::from(t.to_vec()),
        _ => return Err(invalid()),
    };
    let kw = match (kw, kw.builtin_value()) {
        (Value::None, _) => Dict::new_rc(),
        (Value::Dict(d), _) => d.clone(),
        (_, Value::Dict(_)) => {
            return Err(vm.unsupported("a dict subclass as a partial's keywords state"))
        }
        _ => return Err(invalid()),
    };
    let dict = match dict {
        Value::None => None,
        Value::Dict(d) => Some(d.clone()),
        _ => {
            return Err(vm.unsupported(
                "a partial state whose dict is not a dict (CPython stores it unchecked)",
            ))
        }
    };
    if let Value::Object(o) = &me {
        if dict.is_some() || !o.dict.is_empty() {
            return Err(vm.unsupported("replacing a partial subclass instance's __dict__"));
        }
    }
    *p.func.borrow_mut() = func.clone();
    *p.args.borrow_mut() = fnargs;
    *p.kw.borrow_mut() = kw;
    *p.dict.borrow_mut() = dict;
    Ok(Value::None)
}

/// `partial.__class_getitem__(item)`: `types.GenericAlias(cls, item)`.
pub fn class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [item] = Spec::method("partial", "__class_getitem__", Style::O, &["item"], 1)
        .bind::<1>(vm, &args, 1)?;
    let item = item.ok_or_else(|| vm.bug("__class_getitem__ without its argument"))?;
    let cls = args.pos[0].clone();
    Ok(crate::runtime::genericalias::alias(cls, &item))
}
