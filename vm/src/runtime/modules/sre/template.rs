//! `_sre.SRE_Template` (CPython `TemplateObject` in `Modules/_sre/sre.c`): a replacement
//! string as `re._compile_template` compiles it through `_sre.template` — a literal,
//! then (group, literal) pairs — and its expansion for a match (`expand_template`).

use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::PyResult;
use super::matchobj::Match;
use super::subject::Text;

/// `TemplateObject`: the first literal, then each group index with the literal that
/// follows it (`None` for an empty one, which CPython skips).
#[derive(Debug)]
pub struct Template {
    pub literal: Value,
    pub items: Vec<(usize, Option<Value>)>,
}

/// `_sre.template(pattern, template, /)` (`_sre_template_impl`): `template` is
/// `[literal, group, literal, …, group, literal]`.
pub fn template(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [_, list] = Spec::function("template", Style::Positional, &["pattern", "template"], 2)
        .bind(vm, &args, 0)?;
    let list = match list {
        Some(Value::List(l)) => l.items.borrow().clone(),
        Some(other) => {
            if let Value::List(l) = other.builtin_value() {
                l.items.borrow().clone()
            } else {
                let t = vm.type_of(&other).name().clone();
                return Err(vm.type_error(format!("template() argument 2 must be list, not {t}")));
            }
        }
        None => return Err(vm.bug("_sre.template without its template")),
    };
    let invalid = |vm: &Vm| vm.type_error("invalid template");
    if list.len() % 2 == 0 {
        return Err(invalid(vm));
    }
    let mut items = Vec::with_capacity(list.len() / 2);
    for pair in list[1..].chunks(2) {
        let index = match pair[0].builtin_value() {
            Value::Int(i) => *i,
            Value::Bool(b) => i64::from(*b),
            Value::BigInt(_) => {
                return Err(vm.err(
                    "OverflowError",
                    "Python int too large to convert to C ssize_t",
                ))
            }
            _ => return Err(vm.type_error("an integer is required")),
        };
        let Ok(index) = usize::try_from(index) else {
            return Err(invalid(vm));
        };
        let literal = match pair[1].builtin_value() {
            Value::Str(s) if s.is_empty() => None,
            Value::Bytes(b) if b.is_empty() => None,
            _ => Some(pair[1].clone()),
        };
        items.push((index, literal));
    }
    Ok(Value::Native(Rc::new(Native::SreTemplate(Template {
        literal: list[0].clone(),
        items,
    }))))
}

/// `expand_template`: the literals and the groups' strings (a group that did not take
/// part adds nothing), joined as str when the first literal is a str, else as bytes.
pub fn expand(vm: &mut Vm, t: &Native, m: &Value) -> PyResult<Value> {
    let (Native::SreTemplate(t), Value::Native(mn)) = (t, m) else {
        return Err(vm.bug("expand_template without a template and a match"));
    };
    let Native::SreMatch(mo) = &**mn else {
        return Err(vm.bug("expand_template without a match"));
    };
    if t.items.is_empty() {
        return Ok(t.literal.clone());
    }
    let mut pieces = vec![t.literal.clone()];
    for (index, literal) in &t.items {
        let groups = mo.found.marks.len() / 2 + 1;
        if *index >= groups {
            return Err(vm.err("IndexError", "no such group"));
        }
        let item = Match::slice(mo, *index, &Value::None);
        if !matches!(item, Value::None) {
            pieces.push(item);
        }
        if let Some(l) = literal {
            pieces.push(l.clone());
        }
    }
    let kind = match t.literal.builtin_value() {
        Value::Str(s) => Text::Str(s.clone()),
        _ => Text::Bytes(Rc::from(&[][..])),
    };
    super::pattern::join(vm, &kind, &pieces)
}
