//! "Did you mean" hints of the uncaught-exception report, as CPython 3.12's C printer
//! appends them after the message (Python/pythonrun.c `print_exception_suggestions`,
//! Python/suggestions.c `_Py_Offer_Suggestions`). Only an exception whose type is exactly
//! AttributeError, NameError or ImportError gets one (a subclass, UnboundLocalError or
//! ModuleNotFoundError included, gets none):
//! - AttributeError: the closest of `dir(obj)` to `name`;
//! - NameError: `self.NAME` when the innermost frame has a `self` with that attribute,
//!   else the closest of the frame's code's `co_varnames`, else of its globals' keys, else
//!   of its builtins' keys; then "Or did you forget to import" when the name is a
//!   standard-library module (3.12's own list, whatever `sys.stdlib_module_names` holds);
//! - ImportError of `from M import NAME`: the closest of `dir(sys.modules[M])`.
//!
//! A Python exception while looking (a `dir` that fails, a candidate that is no str or
//! has a lone surrogate, a `self` that is unbound) means no hint at all: CPython clears it.
//! spec: exceptions.uncaught

use std::rc::Rc;

use super::interp::Vm;
use super::object::Value;
use super::{PyResult, Throw};

/// suggestions.c's costs and limits: a move (insert, delete, substitute) costs 2, a case
/// flip 1; names over 40 bytes (after trimming common ends) never match; a namespace of
/// 750 names or more is not searched.
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;
const MAX_STRING_SIZE: usize = 40;
const MAX_CANDIDATE_ITEMS: usize = 750;

/// What failed while looking for a hint: a Python exception (no hint, as CPython clears
/// it) or anything else (unsupported, out of fuel), which ends the report.
enum Miss {
    Cleared,
    Throw(Throw),
}

impl From<Throw> for Miss {
    fn from(t: Throw) -> Self {
        match t {
            Throw::Exc(_) | Throw::Reraise(_) => Miss::Cleared,
            other => Miss::Throw(other),
        }
    }
}

/// The text 3.12 appends to the last line of `exc`'s report (empty for none).
pub fn offer(vm: &mut Vm, exc: &Value) -> PyResult<String> {
    let t = vm.type_of(exc);
    let exact = |vm: &Vm, name: &str| Rc::ptr_eq(&t, &vm.ty(name));
    let r = if exact(vm, "AttributeError") {
        for_attribute_error(vm, exc)
    } else if exact(vm, "NameError") {
        for_name_error(vm, exc)
    } else if exact(vm, "ImportError") {
        for_import_error(vm, exc)
    } else {
        Ok(None)
    };
    match r {
        Ok(s) => Ok(s.unwrap_or_default()),
        Err(Miss::Cleared) => Ok(String::new()),
        Err(Miss::Throw(t)) => Err(t),
    }
}

/// A member of `exc` that is set and exactly a str (`PyUnicode_CheckExact`).
fn str_member(vm: &Vm, exc: &Value, name: &str) -> Option<Rc<str>> {
    if !super::excmembers::is_set(vm, exc, name) {
        return None;
    }
    match super::excmembers::get(vm, exc, name)? {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn did_you_mean(vm: &mut Vm, s: &Value) -> Result<String, Miss> {
    Ok(format!(". Did you mean: {}?", vm.repr(s)?))
}

/// `offer_suggestions_for_attribute_error`.
fn for_attribute_error(vm: &mut Vm, exc: &Value) -> Result<Option<String>, Miss> {
    let Some(name) = str_member(vm, exc, "name") else {
        return Ok(None);
    };
    if !super::excmembers::is_set(vm, exc, "obj") {
        return Ok(None);
    }
    let obj = super::excmembers::get(vm, exc, "obj").unwrap_or_default();
    let dir = super::builtins::dir_of(vm, &obj)?;
    match closest(&dir, &name)? {
        Some(s) => Ok(Some(did_you_mean(vm, &s)?)),
        None => Ok(None),
    }
}

/// `offer_suggestions_for_import_error`: `from M import NAME` with M in `sys.modules`.
fn for_import_error(vm: &mut Vm, exc: &Value) -> Result<Option<String>, Miss> {
    let (Some(module), Some(name)) = (
        str_member(vm, exc, "name"),
        str_member(vm, exc, "name_from"),
    ) else {
        return Ok(None);
    };
    let Some(m) = vm.modules.get_str(&module) else {
        return Ok(None);
    };
    let dir = super::builtins::dir_of(vm, &m)?;
    match closest(&dir, &name)? {
        Some(s) => Ok(Some(did_you_mean(vm, &s)?)),
        None => Ok(None),
    }
}

/// `offer_suggestions_for_name_error`: the innermost frame of the exception's traceback.
fn for_name_error(vm: &mut Vm, exc: &Value) -> Result<Option<String>, Miss> {
    let Some(name) = str_member(vm, exc, "name") else {
        return Ok(None);
    };
    let mut tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    let mut last = None;
    while let Value::Traceback(t) = tb {
        last = Some(t.tb_frame.clone());
        tb = t.tb_next.borrow().clone();
    }
    let Some(fo) = last else { return Ok(None) };
    let spaces = vm.with_frame(&fo, |f| {
        // `_PyCode_GetVarnames`: the code's local variables (arguments included, free
        // variables not), bound or not, in their order.
        let code = &f.info.code;
        let varnames: Vec<Value> = code
            .co_localsplusnames
            .iter()
            .zip(&code.co_localspluskinds)
            .filter(|(_, k)| **k & crate::code::kinds::CO_FAST_LOCAL != 0)
            .map(|(n, _)| Value::Str(n.clone()))
            .collect();
        let has_self = varnames
            .iter()
            .any(|v| matches!(v, Value::Str(s) if &**s == "self"));
        let self_value = has_self.then(|| f.fast_to_locals().get_str("self"));
        (varnames, self_value, f.globals.clone(), f.builtins.clone())
    });
    let Some((varnames, self_value, globals, builtins)) = spaces else {
        return Ok(None);
    };
    // Inside a method: `self.NAME` when the instance has the attribute (looking it up
    // may run Python code; any error there only means "no").
    if let Some(self_value) = self_value {
        let Some(me) = self_value else {
            // `self` is a local but unbound: CPython gives up on every hint.
            return Ok(None);
        };
        match vm.getattr(&me, &name) {
            Ok(_) => return Ok(Some(format!(". Did you mean: 'self.{name}'?"))),
            Err(t) => {
                if let Miss::Throw(t) = Miss::from(t) {
                    return Err(Miss::Throw(t));
                }
            }
        }
    }
    let mut found = closest(&varnames, &name)?;
    if found.is_none() {
        found = closest(&globals.keys(), &name)?;
    }
    if found.is_none() {
        found = closest(&builtins.keys(), &name)?;
    }
    let mut text = match found {
        Some(s) => did_you_mean(vm, &s)?,
        None => String::new(),
    };
    if super::reach::is_stdlib_module(&name) {
        let r = vm.repr(&Value::Str(name.clone()))?;
        if text.is_empty() {
            text = format!(". Did you forget to import {r}?");
        } else {
            text.push_str(&format!(" Or did you forget to import {r}?"));
        }
    }
    Ok((!text.is_empty()).then_some(text))
}

/// `calculate_suggestions`: the first candidate nearest to `name`, within a third of the
/// bytes involved. Every candidate must be a str that encodes to UTF-8 (else a
/// TypeError or UnicodeEncodeError, which means no hint).
fn closest(candidates: &[Value], name: &str) -> Result<Option<Value>, Miss> {
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return Ok(None);
    }
    let name_bytes = utf8(name)?;
    let mut best: Option<(usize, &Value)> = None;
    for item in candidates {
        let Value::Str(s) = item.builtin_value() else {
            return Err(Miss::Cleared);
        };
        let s: &str = s;
        if s == name {
            continue;
        }
        let item_bytes = utf8(s)?;
        let mut max = (name_bytes.len() + item_bytes.len() + 3) * MOVE_COST / 6;
        if let Some((d, _)) = best {
            // A later candidate must do strictly better.
            max = max.min(d.saturating_sub(1));
        }
        let d = levenshtein(name_bytes, item_bytes, max);
        if d > max {
            continue;
        }
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, item));
        }
    }
    Ok(best.map(|(_, v)| v.clone()))
}

/// The UTF-8 of a VM str; a lone surrogate (the VM's stand-in) cannot be encoded.
fn utf8(s: &str) -> Result<&[u8], Miss> {
    if s.chars()
        .any(|c| (0xD800..=0xDFFF).contains(&super::standins::code_point(c)))
    {
        return Err(Miss::Cleared);
    }
    Ok(s.as_bytes())
}

/// suggestions.c's `substitution_cost`: free for the same byte, `CASE_COST` for an ASCII
/// case flip, else `MOVE_COST`.
fn substitution_cost(a: u8, b: u8) -> usize {
    if a & 31 != b & 31 {
        return MOVE_COST;
    }
    if a == b {
        return 0;
    }
    if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// suggestions.c's `levenshtein_distance` over bytes: common prefix and suffix trimmed,
/// more than `max_cost` reported as `max_cost + 1` as soon as it is certain.
fn levenshtein(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    let (mut a, mut b) = (a, b);
    while let (Some(x), Some(y)) = (a.first(), b.first()) {
        if x != y {
            break;
        }
        a = &a[1..];
        b = &b[1..];
    }
    while let (Some(x), Some(y)) = (a.last(), b.last()) {
        if x != y {
            break;
        }
        a = &a[..a.len() - 1];
        b = &b[..b.len() - 1];
    }
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    // The shorter string is the row.
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut row: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (cell, &ac) in row.iter_mut().zip(a) {
            let substitute = distance + substitution_cost(code, ac);
            distance = *cell;
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            *cell = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}
