//! `re.Match` (CPython `MatchObject` in `Modules/_sre/sre.c`): the spans of one match
//! and its groups, read by `group`, `__getitem__`, `groups`, `groupdict`, `start`,
//! `end`, `span`, `expand` and the members (`match_getslice`, `match_getindex`,
//! `match_regs`, `match_repr`).

use std::cell::RefCell;
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::PyResult;
use super::pattern::{self, Pattern};
use super::subject::{Found, Subject};

/// `MatchObject`.
#[derive(Debug)]
pub struct Match {
    /// The `re.Pattern` that matched.
    pub pattern: Value,
    pub subject: Rc<Subject>,
    pub found: Found,
    pub pos: usize,
    pub endpos: usize,
    /// `self->regs`, made on first use.
    pub regs: RefCell<Option<Value>>,
}

pub fn make(m: Match) -> Value {
    Value::Native(Rc::new(Native::SreMatch(m)))
}

impl Match {
    /// `self->groups`: the pattern's groups and group 0.
    fn groups(&self) -> usize {
        self.found.marks.len() / 2 + 1
    }

    /// `self->mark[2*g]`, `self->mark[2*g+1]`: -1 for a group that did not take part.
    pub fn span_of(&self, g: usize) -> (isize, isize) {
        if g == 0 {
            return (self.found.start as isize, self.found.end as isize);
        }
        let m = &self.found.marks;
        (
            m.get(2 * (g - 1)).copied().unwrap_or(-1),
            m.get(2 * (g - 1) + 1).copied().unwrap_or(-1),
        )
    }

    /// `match_getslice_by_index`.
    pub fn slice(&self, g: usize, default: &Value) -> Value {
        match self.span_of(g) {
            (a, b) if a >= 0 && b >= 0 => self.subject.slice(a as usize, b as usize),
            _ => default.clone(),
        }
    }
}

fn pattern_of<'a>(vm: &Vm, m: &'a Match) -> PyResult<&'a Pattern> {
    pattern::of(&m.pattern).ok_or_else(|| vm.bug("a re.Match without its pattern"))
}

fn receiver(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<Native>)> {
    match args.pos.first() {
        Some(v @ Value::Native(n)) if matches!(**n, Native::SreMatch(_)) => {
            Ok((v.clone(), n.clone()))
        }
        _ => Err(vm.bug("a re.Match method without its match")),
    }
}

fn mat<'a>(vm: &Vm, n: &'a Native) -> PyResult<&'a Match> {
    match n {
        Native::SreMatch(m) => Ok(m),
        _ => Err(vm.bug("a re.Match method on another object")),
    }
}

/// `match_getindex`: a group number, or a name looked up in the pattern's groupindex;
/// IndexError for anything else.
pub fn getindex(vm: &mut Vm, m: &Match, index: Option<&Value>) -> PyResult<usize> {
    let Some(index) = index else {
        return Ok(0);
    };
    let b = index.builtin_value();
    let i: i64 = match b {
        // PyNumber_AsSsize_t(index, NULL) clips a huge int, which then is no group.
        Value::Int(i) => *i,
        Value::Bool(x) => i64::from(*x),
        Value::BigInt(_) => -1,
        // `PyIndex_Check`: the index is `PyNumber_AsSsize_t(index, NULL)`.
        Value::Object(_) | Value::Native(_) if vm.has_index(b) => match vm.number_index(b)? {
            Value::Int(i) => i,
            _ => -1,
        },
        _ => {
            let p = pattern_of(vm, m)?;
            match p.groupindex.clone() {
                Some(d) => match vm.dict_get(&d, index)? {
                    Some(Value::Int(i)) => i,
                    Some(Value::Bool(x)) => i64::from(x),
                    _ => -1,
                },
                None => -1,
            }
        }
    };
    match usize::try_from(i) {
        Ok(i) if i < m.groups() => Ok(i),
        _ => Err(vm.err("IndexError", "no such group")),
    }
}

/// `match_group`.
fn group(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Match", "group", Style::VarArgs, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    let wanted = &args.pos[1..];
    match wanted {
        [] => Ok(m.slice(0, &Value::None)),
        [one] => {
            let i = getindex(vm, m, Some(one))?;
            Ok(m.slice(i, &Value::None))
        }
        many => {
            let mut out = Vec::with_capacity(many.len());
            for g in many {
                let i = getindex(vm, m, Some(g))?;
                out.push(m.slice(i, &Value::None));
            }
            Ok(Value::tuple(out))
        }
    }
}

/// `match_getitem` (`mp_subscript`).
fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [g] =
        Spec::method("Match", "__getitem__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    let g = argspec::required(g);
    let i = getindex(vm, m, Some(&g))?;
    Ok(m.slice(i, &Value::None))
}

/// `groups(default=None)`.
fn groups(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [default] = Spec::method("Match", "groups", Style::Keywords, &["default"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let default = default.unwrap_or(Value::None);
    let (_, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    Ok(Value::tuple(
        (1..m.groups()).map(|g| m.slice(g, &default)).collect(),
    ))
}

/// `groupdict(default=None)`: each name of the pattern's groupindex, in its order.
fn groupdict(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [default] = Spec::method("Match", "groupdict", Style::Keywords, &["default"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let default = default.unwrap_or(Value::None);
    let (_, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    let out = Dict::new_rc();
    if let Some(d) = pattern_of(vm, m)?.groupindex.clone() {
        for key in d.keys() {
            let i = getindex(vm, m, Some(&key))?;
            let v = m.slice(i, &default);
            vm.dict_set(&out, key, v)?;
        }
    }
    Ok(Value::Dict(out))
}

/// `start`, `end` and `span` take `group=0` by position only.
fn span_arg(vm: &mut Vm, args: &Args, name: &str) -> PyResult<(isize, isize)> {
    let [g] = Spec::method("Match", name, Style::Positional, &["group"], 0).bind(vm, args, 1)?;
    let (_, n) = receiver(vm, args)?;
    let m = mat(vm, &n)?;
    let i = getindex(vm, m, g.as_ref())?;
    Ok(m.span_of(i))
}

fn start(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(span_arg(vm, &args, "start")?.0 as i64))
}

fn end(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(span_arg(vm, &args, "end")?.1 as i64))
}

fn span(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, b) = span_arg(vm, &args, "span")?;
    Ok(Value::tuple(vec![
        Value::Int(a as i64),
        Value::Int(b as i64),
    ]))
}

/// `expand(template)`: the template compiled by `re._compile_template`, then expanded.
fn expand(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [template] = Spec::method("Match", "expand", Style::Keywords, &["template"], 1)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let (me, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    let t = pattern::compile_template(vm, &m.pattern, &argspec::required(template))?;
    super::template::expand(vm, &t, &me)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "Match", "__copy__")?;
    Ok(receiver(vm, &args)?.0)
}

fn deepcopy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Match", "__deepcopy__", Style::O, &["memo"], 1).parse(vm, &args, 1)?;
    Ok(receiver(vm, &args)?.0)
}

/// `match_repr`: `<re.Match object; span=(0, 1), match='a'>`, the match's repr cut to
/// 50 characters (`%.50R`).
pub fn repr(vm: &mut Vm, m: &Match) -> PyResult<String> {
    let g0 = m.slice(0, &Value::None);
    let r = vm.repr(&g0)?;
    let r: String = r.chars().take(50).collect();
    Ok(format!(
        "<re.Match object; span=({}, {}), match={r}>",
        m.found.start, m.found.end
    ))
}

fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Match", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let m = mat(vm, &n)?;
    Ok(Value::str(&repr(vm, m)?))
}

/// The members and getsets: `string`, `re`, `pos`, `endpos`, `lastindex`,
/// `lastgroup`, `regs`.
pub fn attr(vm: &Vm, m: &Match, name: &str) -> PyResult<Option<Value>> {
    Ok(Some(match name {
        "string" => m.subject.original.clone(),
        "re" => m.pattern.clone(),
        "pos" => Value::Int(m.pos as i64),
        "endpos" => Value::Int(m.endpos as i64),
        "lastindex" if m.found.lastindex >= 0 => Value::Int(m.found.lastindex as i64),
        "lastindex" => Value::None,
        "lastgroup" => {
            let p = pattern_of(vm, m)?;
            match (&p.indexgroup, usize::try_from(m.found.lastindex)) {
                (Some(ig), Ok(i)) if i < ig.len() => ig[i].clone(),
                _ => Value::None,
            }
        }
        "regs" => {
            if let Some(r) = m.regs.borrow().clone() {
                return Ok(Some(r));
            }
            let regs = Value::tuple(
                (0..m.groups())
                    .map(|g| {
                        let (a, b) = m.span_of(g);
                        Value::tuple(vec![Value::Int(a as i64), Value::Int(b as i64)])
                    })
                    .collect(),
            );
            *m.regs.borrow_mut() = Some(regs.clone());
            regs
        }
        _ => return Ok(None),
    }))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Match", "group", group),
    ("Match", "__getitem__", getitem),
    ("Match", "groups", groups),
    ("Match", "groupdict", groupdict),
    ("Match", "start", start),
    ("Match", "end", end),
    ("Match", "span", span),
    ("Match", "expand", expand),
    ("Match", "__copy__", copy),
    ("Match", "__deepcopy__", deepcopy),
    ("Match", "__repr__", repr_method),
];
