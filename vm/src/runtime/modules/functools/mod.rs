//! `_functools` (CPython `Modules/_functoolsmodule.c`): `reduce`, `cmp_to_key` and its
//! `functools.KeyWrapper` objects (here), `partial` (`partial`) and the C LRU cache,
//! `_lru_cache_wrapper` (`lru`). `Lib/functools.py` imports each of them from here;
//! the pure-Python fallbacks there are never used. Every call back into Python (the
//! reducing function, the cmp function, a cached function) goes through `Vm::call`.

pub mod lru;
pub mod partial;

use std::cell::RefCell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::gc;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::{PyResult, Throw};
use crate::oparg::CompareOp;

pub use lru::LruCache;
pub use partial::Partial;

/// The types, by their registry key (`functools.X` is their tp_name).
pub const TYPES: &[&str] = &["partial", "KeyWrapper", "_lru_cache_wrapper"];

/// `_functools.c`'s `_functools_doc`.
const DOC: &str = "Tools that operate on functions.";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_functools", FUNCTIONS);
    d.set_str("__doc__", Value::str(DOC));
    for name in TYPES {
        vm.ty(name)
            .dict
            .set_str("__module__", Value::str("functools"));
    }
    let docs = [
        ("partial", Value::str(partial::DOC)),
        ("_lru_cache_wrapper", Value::str(lru::DOC)),
        ("KeyWrapper", Value::None),
    ];
    for (name, doc) in docs {
        vm.ty(name).dict.set_str("__doc__", doc);
    }
    d.set_str("partial", Value::Type(vm.ty("partial")));
    d.set_str(
        "_lru_cache_wrapper",
        Value::Type(vm.ty("_lru_cache_wrapper")),
    );
    // `keyobject_type` has `tp_hash = PyObject_HashNotImplemented`, which its dict shows
    // as `__hash__ = None` (the VM refuses to hash it in `Key::of`).
    vm.ty("KeyWrapper").dict.set_str("__hash__", Value::None);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[("reduce", reduce), ("cmp_to_key", cmp_to_key)];

/// `functools_reduce`: `PyArg_UnpackTuple(args, "reduce", 2, 3, …)`, then the items of
/// the iterable folded from the left; an iterable that cannot be iterated is reported as
/// such (CPython replaces `iter()`'s TypeError).
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("reduce() takes no keyword arguments"));
    }
    Spec::function(
        "reduce",
        Style::Positional,
        &["function", "iterable", "initial"],
        2,
    )
    .parse(vm, &args, 0)?;
    let func = args.pos[0].clone();
    let mut result = args.pos.get(2).cloned();
    let it = match vm.iter(&args.pos[1]) {
        Ok(it) => it,
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
            return Err(vm.type_error("reduce() arg 2 must support iteration"));
        }
        Err(e) => return Err(e),
    };
    while let Some(item) = vm.next(&it)? {
        result = Some(match result {
            None => item,
            Some(acc) => vm.call(&func, Args::new(vec![acc, item]))?,
        });
    }
    result.ok_or_else(|| vm.type_error("reduce() of empty iterable with no initial value"))
}

/// `keyobject`: the cmp function and the wrapped object (`None` once deleted: a
/// `T_OBJECT` member may be emptied).
#[derive(Debug)]
pub struct KeyWrapper {
    pub cmp: RefCell<Value>,
    pub obj: RefCell<Option<Value>>,
}

fn key_wrapper(cmp: Value, obj: Option<Value>) -> Value {
    Value::Native(gc::alloc(Native::KeyWrapper(KeyWrapper {
        cmp: RefCell::new(cmp),
        obj: RefCell::new(obj),
    })))
}

/// `functools_cmp_to_key_impl`: a KeyWrapper without an object, which calling wraps one.
fn cmp_to_key(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [mycmp] = Spec::function("cmp_to_key", Style::Keywords, &["mycmp"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    let mycmp = mycmp.ok_or_else(|| vm.bug("cmp_to_key without its argument"))?;
    Ok(key_wrapper(mycmp, None))
}

fn key_of<'a>(vm: &Vm, v: &'a Value) -> PyResult<&'a KeyWrapper> {
    match v {
        Value::Native(n) => match &**n {
            Native::KeyWrapper(k) => Ok(k),
            _ => Err(vm.bug("a KeyWrapper method on another object")),
        },
        _ => Err(vm.bug("a KeyWrapper method on another object")),
    }
}

/// `keyobject_call`: `PyArg_ParseTupleAndKeywords(args, kwds, "O:K", ["obj"])`.
fn key_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(me) = args.pos.first() else {
        return Err(vm.bug("KeyWrapper.__call__ without a receiver"));
    };
    let cmp = key_of(vm, me)?.cmp.borrow().clone();
    let rest = Args {
        pos: args.pos[1..].to_vec(),
        kw: args.kw.clone(),
    };
    let [obj] = Spec::function("K", Style::ParseTuple, &["obj"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &rest, 0)?;
    Ok(key_wrapper(cmp, obj))
}

/// `keyobject_richcompare`: the other operand must be a KeyWrapper; the cmp function's
/// result is compared with 0 by the operator.
fn key_compare(vm: &mut Vm, args: &Args, op: CompareOp) -> PyResult<Value> {
    let spec = Spec::method("KeyWrapper", op.method(), Style::Wrapper, &["value"], 1);
    let [other] = spec.bind::<1>(vm, args, 1)?;
    let other = other.ok_or_else(|| vm.bug("a KeyWrapper comparison without an operand"))?;
    let me = key_of(vm, &args.pos[0])?;
    let Value::Native(n) = &other else {
        return Err(vm.type_error("other argument must be K instance"));
    };
    let Native::KeyWrapper(them) = &**n else {
        return Err(vm.type_error("other argument must be K instance"));
    };
    let (x, y) = (me.obj.borrow().clone(), them.obj.borrow().clone());
    let (Some(x), Some(y)) = (x, y) else {
        return Err(vm.err("AttributeError", "object"));
    };
    let cmp = me.cmp.borrow().clone();
    let res = vm.call(&cmp, Args::new(vec![x, y]))?;
    vm.compare(op, &res, &Value::Int(0))
}

macro_rules! key_comparisons {
    ($(($f:ident, $op:ident)),* $(,)?) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                key_compare(vm, &args, CompareOp::$op)
            }
        )*
    };
}

key_comparisons!(
    (key_lt, Lt),
    (key_le, Le),
    (key_eq, Eq),
    (key_ne, Ne),
    (key_gt, Gt),
    (key_ge, Ge),
);

/// The `obj` member (`T_OBJECT`: an emptied member reads as None).
pub fn key_attr(k: &KeyWrapper, name: &str) -> Option<Value> {
    (name == "obj").then(|| k.obj.borrow().clone().unwrap_or(Value::None))
}

/// Attributes of the native objects of this module that are fields: `None` when `name`
/// is not one (the type's attributes are looked up next).
pub fn attr(vm: &mut Vm, n: &Native, name: &str) -> PyResult<Option<Value>> {
    Ok(match n {
        Native::Partial(p) => p.attr(name),
        Native::KeyWrapper(k) => key_attr(k, name),
        Native::LruCache(l) => l.attr(name),
        _ => return Err(vm.bug("a functools attribute of another object")),
    })
}

/// Assigning (`Some`) or deleting (`None`) attribute `name`: `None` when this module has
/// no say (the VM's generic error follows).
pub fn setattr(vm: &mut Vm, n: &Native, name: &str, x: Option<Value>) -> Option<PyResult<()>> {
    match n {
        Native::Partial(p) => Some(p.setattr(vm, name, x)),
        Native::LruCache(l) => Some(lru::setattr(vm, l, name, x)),
        Native::KeyWrapper(k) if name == "obj" => {
            *k.obj.borrow_mut() = x;
            Some(Ok(()))
        }
        _ => None,
    }
}

/// `repr()` of this module's objects: partial's own, the others' `object.__repr__`.
pub fn repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    match n {
        Native::Partial(_) => partial::repr(vm, v),
        _ => {
            let t = vm.type_of(v).name().clone();
            Ok(format!("<{t} object at {:#x}>", v.address()))
        }
    }
}

/// What a partial, a KeyWrapper or an LRU cache holds, moved out at teardown (see `gc`).
pub fn clear_into(n: &Native, out: &mut Vec<Value>) {
    match n {
        Native::Partial(p) => p.clear_into(out),
        Native::KeyWrapper(k) => {
            if let Ok(mut c) = k.cmp.try_borrow_mut() {
                out.push(std::mem::take(&mut *c));
            }
            if let Ok(mut o) = k.obj.try_borrow_mut() {
                out.extend(o.take());
            }
        }
        Native::LruCache(l) => l.clear_into(out),
        _ => {}
    }
}

/// Whether `n` is one of this module's objects, each of which can close a cycle.
pub fn can_close_cycle(n: &Native) -> bool {
    matches!(
        n,
        Native::Partial(_) | Native::KeyWrapper(_) | Native::LruCache(_)
    )
}

/// Calling one of the types: `name` is its tp_name.
pub fn construct(vm: &mut Vm, t: &Rc<super::super::types::Type>, args: Args) -> PyResult<Value> {
    match &*t.name() {
        "functools.partial" => partial::new(vm, t, args),
        "functools._lru_cache_wrapper" => lru::new(vm, args),
        _ => {
            let n = t.name().clone();
            Err(vm.type_error(format!("cannot create '{n}' instances")))
        }
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("KeyWrapper", "__call__", key_call),
    ("KeyWrapper", "__lt__", key_lt),
    ("KeyWrapper", "__le__", key_le),
    ("KeyWrapper", "__eq__", key_eq),
    ("KeyWrapper", "__ne__", key_ne),
    ("KeyWrapper", "__gt__", key_gt),
    ("KeyWrapper", "__ge__", key_ge),
    ("partial", "__new__", partial::new_method),
    ("partial", "__call__", partial::call),
    ("partial", "__repr__", partial::repr_method),
    ("partial", "__reduce__", partial::reduce),
    ("partial", "__setstate__", partial::setstate),
    ("_lru_cache_wrapper", "__call__", lru::call),
    ("_lru_cache_wrapper", "__get__", lru::get),
    ("_lru_cache_wrapper", "cache_info", lru::cache_info),
    ("_lru_cache_wrapper", "cache_clear", lru::cache_clear),
    ("_lru_cache_wrapper", "__reduce__", lru::reduce),
    ("_lru_cache_wrapper", "__copy__", lru::copy),
    ("_lru_cache_wrapper", "__deepcopy__", lru::deepcopy),
];

/// `METH_CLASS` methods: `partial.__class_getitem__`.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] =
    &[("partial", "__class_getitem__", partial::class_getitem)];
