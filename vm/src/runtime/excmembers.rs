//! The members of `AttributeError` (`name`, `obj`), `NameError` (`name`) and `ImportError`
//! (`msg`, `name`, `path`, `name_from`): CPython's `PyAttributeErrorObject`,
//! `PyNameErrorObject` and `PyImportErrorObject` (Objects/exceptions.c) keep them as
//! `T_OBJECT` members of the object, not entries of its `__dict__`; unset (NULL) they read
//! as None, and the `__reduce__`s tell NULL from None. `AttributeError_init`,
//! `NameError_init` and `ImportError_init` set them from the keywords (and `msg` from a
//! lone argument); `ImportError_str`; `AttributeError_getstate`, `AttributeError_reduce`
//! and `ImportError_reduce`.

use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Value};
use super::types::Type;
use super::PyResult;

/// The three families and their members, in `ExcData::members` order.
const FAMILIES: [(&str, &[&str]); 3] = [
    ("AttributeError", &["name", "obj"]),
    ("NameError", &["name"]),
    ("ImportError", &["msg", "name", "path", "name_from"]),
];

/// The family (`AttributeError`, `NameError` or `ImportError`) of the class `t` with its
/// members, when it is one.
pub fn family_of_type(vm: &Vm, t: &Rc<Type>) -> Option<(&'static str, &'static [&'static str])> {
    if !t.is_exception() {
        return None;
    }
    FAMILIES
        .iter()
        .find(|(f, _)| t.is_subtype(&vm.ty(f)))
        .copied()
}

fn family_of(vm: &Vm, v: &Value) -> Option<(&'static str, &'static [&'static str])> {
    let Value::Object(o) = v else { return None };
    o.exc.as_ref()?;
    let class = o.class.borrow().clone();
    family_of_type(vm, &class)
}

/// The keywords the family's `__init__` accepts (`kwlist`): every member but `msg`.
pub fn keywords(members: &'static [&'static str]) -> &'static [&'static str] {
    match members.first() {
        Some(&"msg") => &members[1..],
        _ => members,
    }
}

/// Whether `init` is one of the three `__init__`s, which a subclass without its own runs
/// when called (CPython's `tp_init`).
pub fn is_init(init: &Value) -> bool {
    matches!(init, Value::Builtin(b) if matches!(b.owner,
        Some("AttributeError" | "NameError" | "ImportError")))
}

/// The member `name` of `v` (None while unset), `None` when `v` has no such member.
pub fn get(vm: &Vm, v: &Value, name: &str) -> Option<Value> {
    let (_, members) = family_of(vm, v)?;
    let i = members.iter().position(|m| *m == name)?;
    Some(v.exc()?.member(i))
}

/// Whether member `name` of `v` is set (not NULL).
pub fn is_set(vm: &Vm, v: &Value, name: &str) -> bool {
    let Some((_, members)) = family_of(vm, v) else {
        return false;
    };
    let (Some(i), Some(data)) = (members.iter().position(|m| *m == name), v.exc()) else {
        return false;
    };
    data.present.get() & (1 << i) != 0
}

/// Sets (`Some`) or clears (`None`, `del e.name`: NULL again) the member `name` of `v`;
/// false when `v` has no such member.
pub fn set(vm: &Vm, v: &Value, name: &str, x: Option<Value>) -> bool {
    let Some((_, members)) = family_of(vm, v) else {
        return false;
    };
    let (Some(i), Some(data)) = (members.iter().position(|m| *m == name), v.exc()) else {
        return false;
    };
    let bit = 1 << i;
    match x {
        Some(x) => {
            data.present.set(data.present.get() | bit);
            data.set_member(i, members.len(), x);
        }
        None => {
            data.present.set(data.present.get() & !bit);
            data.set_member(i, members.len(), Value::None);
        }
    }
    true
}

/// The members the `__init__` of the family sets: each keyword's value, absent ones back
/// to NULL (`Py_XSETREF`), and ImportError's `msg` the lone positional argument if there
/// is exactly one. The keywords were checked by the caller.
pub fn init(vm: &Vm, exc: &Value, pos: &[Value], kw: &[(Rc<str>, Value)]) {
    let Some((family, members)) = family_of(vm, exc) else {
        return;
    };
    for k in keywords(members) {
        let x = kw.iter().find(|(n, _)| &**n == *k).map(|(_, v)| v.clone());
        set(vm, exc, k, x);
    }
    if family == "ImportError" {
        let msg = match pos {
            [m] => Some(m.clone()),
            _ => None,
        };
        set(vm, exc, "msg", msg);
    }
}

/// `ImportError_str`: `msg` when it is exactly a str, else `None` (`BaseException_str`).
pub fn str_of(vm: &Vm, v: &Value) -> Option<String> {
    match family_of(vm, v)? {
        ("ImportError", _) => match get(vm, v, "msg")? {
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The instance dict copied, with the set members among `names` added.
fn state_with(vm: &Vm, v: &Value, names: &[&str]) -> Rc<Dict> {
    let d = match v {
        Value::Object(o) => Rc::new(o.dict.copy()),
        _ => Dict::new_rc(),
    };
    for n in names {
        if is_set(vm, v, n) {
            d.set_str(n, get(vm, v, n).unwrap_or(Value::None));
        }
    }
    d
}

fn receiver(vm: &Vm, args: &Args, owner: &str, method: &str) -> PyResult<Value> {
    match args.pos.first() {
        Some(v) if family_of(vm, v).is_some_and(|(f, _)| f == owner) => Ok(v.clone()),
        Some(v) => Err(vm.type_error(format!(
            "descriptor '{method}' for '{owner}' objects doesn't apply to a '{}' object",
            vm.type_of(v).name()
        ))),
        None => Err(vm.type_error(format!(
            "unbound method {owner}.{method}() needs an argument"
        ))),
    }
}

/// `AttributeError_getstate`: the dict with `name` (when set) and `args` (never `obj`,
/// GH-103352). `args` is always set, so the state is always a dict.
fn attribute_error_state(vm: &Vm, v: &Value) -> Value {
    let d = state_with(vm, v, &["name"]);
    if let Some(data) = v.exc() {
        d.set_str("args", data.args.borrow().clone());
    }
    Value::Dict(d)
}

/// `AttributeError.__getstate__()`.
pub fn attribute_error_getstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "AttributeError", "__getstate__")?;
    let me = receiver(vm, &args, "AttributeError", "__getstate__")?;
    Ok(attribute_error_state(vm, &me))
}

/// `AttributeError.__reduce__()`: `(type, args, state)`.
pub fn attribute_error_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "AttributeError", "__reduce__")?;
    let me = receiver(vm, &args, "AttributeError", "__reduce__")?;
    let state = attribute_error_state(vm, &me);
    let a = me.exc().map_or(Value::None, |d| d.args.borrow().clone());
    Ok(Value::tuple(vec![Value::Type(vm.type_of(&me)), a, state]))
}

/// `ImportError.__reduce__()` (`ImportError_getstate`): `(type, args)`, with the dict
/// and the set members among `name`, `path` and `name_from` third when there are any.
/// CPython makes the dict on first use; the VM's instance always has one, so an empty
/// one counts as none (as `BaseException.__reduce__` here).
pub fn import_error_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::argspec::no_args(vm, &args, "ImportError", "__reduce__")?;
    let me = receiver(vm, &args, "ImportError", "__reduce__")?;
    let state = state_with(vm, &me, &["name", "path", "name_from"]);
    let t = Value::Type(vm.type_of(&me));
    let a = me.exc().map_or(Value::None, |d| d.args.borrow().clone());
    if state.is_empty() {
        Ok(Value::tuple(vec![t, a]))
    } else {
        Ok(Value::tuple(vec![t, a, Value::Dict(state)]))
    }
}
