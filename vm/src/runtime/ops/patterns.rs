//! Structural pattern matching: MATCH_CLASS, MATCH_MAPPING, MATCH_SEQUENCE, MATCH_KEYS
//! (CPython 3.12's `Python/bytecodes.c`, with `match_class` and `match_keys` of
//! `Python/ceval.c`). GET_LEN, which patterns share with nothing else, is in
//! `containers`.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::types::Type;
use super::super::{PyResult, Throw};

/// The built-in types with `_Py_TPFLAGS_MATCH_SELF`: one positional sub-pattern matches
/// the subject itself (`case int(x)`).
const MATCH_SELF: &[&str] = &[
    "bool",
    "bytearray",
    "bytes",
    "dict",
    "float",
    "frozenset",
    "int",
    "list",
    "set",
    "str",
    "tuple",
];

/// MATCH_SEQUENCE `(subject -- subject, res)`: whether the subject's type has
/// `Py_TPFLAGS_SEQUENCE`. Of the VM's types that is list, tuple and range; str, bytes
/// and bytearray are deliberately not sequences here. The VM has no class that can
/// acquire the flag (no `collections.abc` registration, no subclassing of built-ins).
/// spec: namespaces.match
pub fn match_sequence(vm: &mut Vm) -> PyResult<Step> {
    let subject = vm.top()?.peek(0)?;
    let res = vm.type_of(&subject).collection.get() & super::super::types::SEQUENCE != 0;
    vm.top()?.push(Value::Bool(res));
    Ok(Step::Continue)
}

/// MATCH_MAPPING `(subject -- subject, res)`: whether the subject's type has
/// `Py_TPFLAGS_MAPPING` (of the VM's types, only dict).
/// spec: namespaces.match
pub fn match_mapping(vm: &mut Vm) -> PyResult<Step> {
    let subject = vm.top()?.peek(0)?;
    let res = vm.type_of(&subject).collection.get() & super::super::types::MAPPING != 0;
    vm.top()?.push(Value::Bool(res));
    Ok(Step::Continue)
}

/// MATCH_KEYS `(subject, keys -- subject, keys, values_or_none)` (`match_keys`): the
/// values of `keys` in the subject as a tuple, or None when one is missing. CPython
/// calls `subject.get(key, dummy)`; the only mapping the VM has is dict, whose `get`
/// this is. A key repeated at run time (two attributes with equal values) is a
/// ValueError.
/// spec: namespaces.match, exceptions.match
pub fn match_keys(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let keys = f.peek(0)?;
    let subject = f.peek(1)?;
    let Value::Tuple(keys) = keys else {
        return Err(Throw::Bug("MATCH_KEYS without a tuple of keys".into()));
    };
    let Value::Dict(map) = subject else {
        // CPython calls the mapping's own `get`, and the sequence of those calls is
        // observable.
        return Err(vm.unsupported("a mapping pattern on a mapping that is not a dict"));
    };
    let result = lookup_keys(vm, &map, &keys)?;
    vm.top()?.push(result);
    Ok(Step::Continue)
}

fn lookup_keys(vm: &mut Vm, map: &Dict, keys: &[Value]) -> PyResult<Value> {
    let seen = Dict::new();
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        if seen.contains(key).map_err(|e| vm.unhashable(e))? {
            let r = vm.repr(key)?;
            return Err(vm.value_error(format!("mapping pattern checks duplicate key ({r})")));
        }
        seen.set(key.clone(), Value::None)
            .map_err(|e| vm.unhashable(e))?;
        match map.get(key).map_err(|e| vm.unhashable(e))? {
            Some(v) => values.push(v),
            None => return Ok(Value::None),
        }
    }
    Ok(Value::tuple(values))
}

/// MATCH_CLASS `(subject, type, names -- attrs)` (`match_class`): an isinstance check,
/// then the attributes named by `__match_args__` for the `oparg` positional
/// sub-patterns and by `names` for the keyword ones, as a tuple; None when the subject
/// is not an instance or lacks one of them.
/// spec: namespaces.match, exceptions.match
pub fn match_class(vm: &mut Vm, nargs: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let names = f.pop()?;
    let cls = f.pop()?;
    let subject = f.pop()?;
    let Value::Tuple(names) = names else {
        return Err(Throw::Bug("MATCH_CLASS without a tuple of names".into()));
    };
    let Value::Type(cls) = cls else {
        return Err(vm.type_error("called match pattern must be a class"));
    };
    let attrs = class_attrs(vm, &subject, &cls, nargs as usize, &names)?;
    vm.top()?.push(attrs.map_or(Value::None, Value::tuple));
    Ok(Step::Continue)
}

fn class_attrs(
    vm: &mut Vm,
    subject: &Value,
    cls: &Rc<Type>,
    nargs: usize,
    names: &[Value],
) -> PyResult<Option<Vec<Value>>> {
    let t = vm.type_of(subject);
    // `object_isinstance` falls back on a `__class__` the class overrides; the VM's
    // isinstance does not, so such a subject is unsupported rather than misjudged.
    if t.mro()
        .iter()
        .any(|c| !c.is_builtin() && c.dict.get_str("__class__").is_some())
    {
        return Err(vm.unsupported("a class pattern on an object overriding __class__"));
    }
    if !t.is_subtype(cls) {
        return Ok(None);
    }
    let seen = Dict::new();
    let mut attrs = Vec::with_capacity(nargs + names.len());
    if nargs > 0 {
        let (match_args, match_self) = match vm.getattr(&Value::Type(cls.clone()), "__match_args__")
        {
            Ok(Value::Tuple(t)) => (t, false),
            Ok(other) => {
                let got = vm.type_of(&other).name().clone();
                return Err(vm.type_error(format!(
                    "{}.__match_args__ must be a tuple (got {got})",
                    cls.name()
                )));
            }
            // The flag counts only where __match_args__ is absent, so a subclass that
            // defines it loses the self-matching.
            Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                let own = cls
                    .mro()
                    .iter()
                    .any(|t| t.is_builtin() && MATCH_SELF.contains(&&*t.name()));
                (Rc::from(Vec::new()), own)
            }
            Err(e) => return Err(e),
        };
        let allowed = if match_self { 1 } else { match_args.len() };
        if allowed < nargs {
            let plural = if allowed == 1 { "" } else { "s" };
            return Err(vm.type_error(format!(
                "{}() accepts {allowed} positional sub-pattern{plural} ({nargs} given)",
                cls.name()
            )));
        }
        if match_self {
            attrs.push(subject.clone());
        } else {
            for name in match_args.iter().take(nargs) {
                if !matches!(name, Value::Str(_)) {
                    let got = vm.type_of(name).name().clone();
                    return Err(vm.type_error(format!(
                        "__match_args__ elements must be strings (got {got})"
                    )));
                }
                match class_attr(vm, subject, cls, name, &seen)? {
                    Some(v) => attrs.push(v),
                    None => return Ok(None),
                }
            }
        }
    }
    for name in names {
        match class_attr(vm, subject, cls, name, &seen)? {
            Some(v) => attrs.push(v),
            None => return Ok(None),
        }
    }
    Ok(Some(attrs))
}

/// `match_class_attr`: one attribute, None when the subject lacks it.
fn class_attr(
    vm: &mut Vm,
    subject: &Value,
    cls: &Rc<Type>,
    name: &Value,
    seen: &Dict,
) -> PyResult<Option<Value>> {
    let Value::Str(s) = name else {
        return Err(Throw::Bug("MATCH_CLASS attribute name is not a str".into()));
    };
    if seen.contains(name).map_err(|e| vm.unhashable(e))? {
        let r = vm.repr(name)?;
        return Err(vm.type_error(format!(
            "{}() got multiple sub-patterns for attribute {r}",
            cls.name()
        )));
    }
    seen.set(name.clone(), Value::None)
        .map_err(|e| vm.unhashable(e))?;
    match vm.getattr(subject, s) {
        Ok(v) => Ok(Some(v)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(None),
        Err(e) => Err(e),
    }
}
