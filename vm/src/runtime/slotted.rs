//! `__slots__` (spec clause frames.descriptors; CPython `type_new_slots`,
//! `Objects/descrobject.c`'s member descriptors): a class that lists its attributes in
//! `__slots__` gets one member descriptor per name and instances without a `__dict__`
//! (unless a base gives them one, or `__dict__` is itself a slot).
//!
//! The values live in the instance's `slots` vector, at the member's index: a class's own
//! members come after its base's, so a subclass's instances keep the base's indices.

use std::cell::RefCell;
use std::rc::Rc;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Property, PropertyKind, Value};
use super::types::Type;
use super::PyResult;

/// The types whose instances vary in size (`tp_itemsize`), which refuse nonempty
/// `__slots__` in a subclass.
const VARIABLE_SIZE: &[&str] = &["int", "tuple", "bytes"];

/// The nearest class in `t`'s line of bases that added slot members (CPython
/// `solid_base`, for the members this VM models); `None` when `t`'s instances have none.
fn solid_base(t: &Rc<Type>) -> Option<Rc<Type>> {
    if t.nslots == 0 {
        return None;
    }
    match t.bases.iter().find(|b| b.nslots == t.nslots) {
        Some(b) => solid_base(b),
        None => Some(t.clone()),
    }
}

/// What a class statement's namespace makes of the bases' layout: the number of slot
/// members its instances hold and whether they have a `__dict__`. Adds the member
/// descriptors to `ns` (in sorted order, as `type_new_slots` sorts the names).
pub fn layout(
    vm: &mut Vm,
    name: &str,
    bases: &[Rc<Type>],
    ns: &Rc<Dict>,
) -> PyResult<(usize, bool)> {
    // The solid base's members, and whether any base's instances have a dict.
    let mut base_slots = 0;
    let mut slotted_base: Option<Rc<Type>> = None;
    for b in bases {
        // `best_base` compares the bases' `solid_base`s: a class whose `__slots__` add
        // no members shares its base's layout.
        let Some(solid) = solid_base(b) else {
            continue;
        };
        match &slotted_base {
            Some(s) if solid.is_subtype(s) => slotted_base = Some(solid),
            Some(s) if s.is_subtype(&solid) => {}
            Some(_) => {
                return Err(vm.type_error("multiple bases have instance lay-out conflict"));
            }
            None => slotted_base = Some(solid),
        }
        base_slots = base_slots.max(b.nslots);
    }
    let base_dict = bases.iter().any(|b| b.has_dict);
    let Some(spec) = ns.get_str("__slots__") else {
        return Ok((base_slots, true));
    };
    let items = match spec.builtin_value() {
        Value::Str(_) => vec![spec.clone()],
        _ => vm.collect(&spec)?,
    };
    let mut names: Vec<Rc<str>> = Vec::new();
    let mut has_dict = base_dict;
    let mut dict_slot = false;
    for item in &items {
        let Value::Str(s) = item.builtin_value() else {
            return Err(vm.type_error(format!(
                "__slots__ items must be strings, not '{}'",
                vm.type_of(item).name()
            )));
        };
        if !is_identifier(s) {
            return Err(vm.type_error("__slots__ must be identifiers"));
        }
        match &**s {
            "__dict__" => {
                if has_dict || dict_slot {
                    return Err(vm.type_error("__dict__ slot disallowed: we already got one"));
                }
                dict_slot = true;
            }
            // Weak references are not modelled; the slot only records that they may be.
            "__weakref__" => {}
            _ => names.push(mangle(name, s)),
        }
    }
    has_dict |= dict_slot;
    if !names.is_empty() {
        if let Some(t) = bases
            .iter()
            .filter_map(super::subclass::payload_type)
            .find(|t| VARIABLE_SIZE.contains(&&*t.name()))
        {
            return Err(vm.type_error(format!(
                "nonempty __slots__ not supported for subtype of '{}'",
                t.name()
            )));
        }
    }
    for n in &names {
        if ns.get_str(n).is_some() {
            return Err(vm.value_error(format!("'{n}' in __slots__ conflicts with class variable")));
        }
    }
    names.sort();
    names.dedup();
    for (i, n) in names.iter().enumerate() {
        let member = Property {
            kind: PropertyKind::Member,
            func: Value::Int((base_slots + i) as i64),
            fset: Value::None,
            fdel: Value::None,
            doc: RefCell::new(Value::str(name)),
            name: RefCell::new(Value::Str(n.clone())),
            readonly: false,
        };
        ns.set_str(n, Value::Property(Rc::new(member)));
    }
    Ok((base_slots + names.len(), has_dict))
}

/// `_Py_Mangle`: `__x` in class `C` is `_C__x`.
fn mangle(class: &str, name: &Rc<str>) -> Rc<str> {
    let stripped = class.trim_start_matches('_');
    if !name.starts_with("__") || name.ends_with("__") || stripped.is_empty() {
        return name.clone();
    }
    Rc::from(format!("_{stripped}{name}"))
}

/// `PyUnicode_IsIdentifier` for the names the VM meets (ASCII rules, and any other
/// letter as XID).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// The member's index and name.
fn parts(p: &Property) -> (usize, Value) {
    let i = match p.func {
        Value::Int(i) => i as usize,
        _ => usize::MAX,
    };
    (i, p.name.borrow().clone())
}

impl Vm {
    /// `member_get`: the slot's value, or AttributeError while it is empty.
    pub fn member_get(&mut self, p: &Property, obj: &Value) -> PyResult<Value> {
        let (i, name) = parts(p);
        let value = self.member_slot(p, obj, i)?;
        match value {
            Some(v) => Ok(v),
            None => {
                let t = self.type_of(obj).name().clone();
                let n = self.str_of(&name)?;
                Err(self.err(
                    "AttributeError",
                    format!("'{t}' object has no attribute '{n}'"),
                ))
            }
        }
    }

    /// `member_set` (`x` None: deletion, AttributeError naming the member when empty).
    pub fn member_set(&mut self, p: &Property, obj: &Value, x: Option<Value>) -> PyResult<()> {
        let (i, name) = parts(p);
        if p.readonly {
            return Err(self.err("AttributeError", "readonly attribute"));
        }
        let old = self.member_slot(p, obj, i)?;
        if x.is_none() && old.is_none() {
            let n = self.str_of(&name)?;
            return Err(self.err("AttributeError", n));
        }
        if let Value::Object(o) = obj {
            if let Some(slot) = o.slots.borrow_mut().get_mut(i) {
                *slot = x;
            }
        }
        Ok(())
    }

    /// The slot a member reads, after `descr_check`: the object must be an instance of
    /// the class that defines the member.
    fn member_slot(&mut self, p: &Property, obj: &Value, i: usize) -> PyResult<Option<Value>> {
        let slot = match obj {
            Value::Object(o) => o.slots.borrow().get(i).cloned(),
            _ => None,
        };
        match slot {
            Some(v) => Ok(v),
            None => {
                let name = self.str_of(&p.name.borrow().clone())?;
                let owner = self.str_of(&p.doc.borrow().clone())?;
                let t = self.type_of(obj).name().clone();
                Err(self.type_error(format!(
                    "descriptor '{name}' for '{owner}' objects doesn't apply to a '{t}' object"
                )))
            }
        }
    }
}
