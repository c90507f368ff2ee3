//! `re.Pattern` (CPython `PatternObject` in `Modules/_sre/sre.c`): what `_sre.compile`
//! makes from the code `re._compiler` emits, and its methods — `match`, `fullmatch`,
//! `search` (`_sre_SRE_Pattern_*_impl`), `findall`, `split`, `finditer` and `scanner`,
//! `sub` and `subn` (`pattern_subx`), the members, `pattern_repr`, `pattern_hash` and
//! `pattern_richcompare`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::gc;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Iter, IterState, Native, Value};
use super::super::super::{PyResult, Throw};
use super::matchobj::{self, Match};
use super::scanner::Scanner;
use super::subject::{Found, Run, Subject, Text};
use super::template::{self, Template};

/// `PatternObject`.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern string (str, bytes or None) as given.
    pub pattern: Value,
    pub flags: i64,
    pub code: Vec<u32>,
    pub groups: usize,
    /// `self->groupindex`: `None` when the dict given was empty.
    pub groupindex: Option<Rc<Dict>>,
    /// `self->indexgroup`: `None` when groupindex or it was empty.
    pub indexgroup: Option<Rc<[Value]>>,
    /// `self->isbytes`: `None` for a pattern compiled from `None` (-1 in CPython).
    pub isbytes: Option<bool>,
    /// Whether the code has a `\B` (AT_NON_BOUNDARY and its LOC and UNI forms): the
    /// engine answers 3.14's way for it on an empty string.
    pub non_boundary: bool,
}

/// The pattern of a `re.Pattern` value.
pub fn of(v: &Value) -> Option<&Pattern> {
    match v {
        Value::Native(n) => match &**n {
            Native::SrePattern(p) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

fn receiver(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<Native>)> {
    match args.pos.first() {
        Some(v @ Value::Native(n)) if matches!(**n, Native::SrePattern(_)) => {
            Ok((v.clone(), n.clone()))
        }
        _ => Err(vm.bug("a re.Pattern method without its pattern")),
    }
}

fn pat<'a>(vm: &Vm, n: &'a Native) -> PyResult<&'a Pattern> {
    match n {
        Native::SrePattern(p) => Ok(p),
        _ => Err(vm.bug("a re.Pattern method on another object")),
    }
}

/// A `Py_ssize_t` argument (clinic's `ssize_t` converter, `PyNumber_AsSsize_t`).
pub fn ssize(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    argspec::index(vm, v)
}

/// `state_init`'s clipping of `pos` and `endpos` to the subject.
pub fn clip(pos: i64, endpos: i64, len: usize) -> (usize, usize) {
    let fix = |v: i64| usize::try_from(v.max(0)).unwrap_or(usize::MAX).min(len);
    (fix(pos), fix(endpos))
}

/// `string, pos=0, endpos=sys.maxsize` of match, search, findall, finditer, scanner.
fn string_pos_endpos(vm: &mut Vm, name: &str, args: &Args) -> PyResult<(Value, i64, i64)> {
    let [string, pos, endpos] = Spec::method(
        "Pattern",
        name,
        Style::Keywords,
        &["string", "pos", "endpos"],
        1,
    )
    .keywords(0, 3)
    .bind(vm, args, 1)?;
    let string = argspec::required(string);
    let pos = match pos {
        Some(p) => ssize(vm, &p)?,
        None => 0,
    };
    let endpos = match endpos {
        Some(e) => ssize(vm, &e)?,
        None => i64::MAX,
    };
    Ok((string, pos, endpos))
}

impl Pattern {
    /// One run over `subject` from `start` to `end`, refusing what the engine would
    /// answer otherwise than CPython 3.12.
    pub fn run(
        &self,
        vm: &mut Vm,
        subject: &Subject,
        range: (usize, usize),
        kind: Run,
        must_advance: bool,
    ) -> PyResult<Option<Found>> {
        // sre_lib.h's SRE(at): `\B` fails when the string (up to endpos) is empty; the
        // engine has 3.14's answer, where it matches.
        if self.non_boundary && range.1 == 0 {
            return Err(
                vm.unsupported("\\B on an empty string (the engine answers as Python 3.14)")
            );
        }
        subject.run(vm, &self.code, self.groups, range, kind, must_advance)
    }
}

/// `pattern_new_match`.
fn new_match(
    me: &Value,
    subject: &Rc<Subject>,
    (pos, endpos): (usize, usize),
    found: Found,
) -> Value {
    matchobj::make(Match {
        pattern: me.clone(),
        subject: subject.clone(),
        found,
        pos,
        endpos,
        regs: RefCell::new(None),
    })
}

fn match_kind(vm: &mut Vm, args: Args, name: &str, kind: Run) -> PyResult<Value> {
    let (me, n) = receiver(vm, &args)?;
    let p = pat(vm, &n)?;
    let (string, pos, endpos) = string_pos_endpos(vm, name, &args)?;
    let subject = Rc::new(Subject::new(vm, &string, p.isbytes)?);
    let range = clip(pos, endpos, subject.len);
    match p.run(vm, &subject, range, kind, false)? {
        Some(found) => Ok(new_match(&me, &subject, range, found)),
        None => Ok(Value::None),
    }
}

fn pattern_match(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match_kind(vm, args, "match", Run::Match)
}

fn pattern_fullmatch(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match_kind(vm, args, "fullmatch", Run::FullMatch)
}

fn pattern_search(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match_kind(vm, args, "search", Run::Search)
}

/// `state_getslice` for group `g` (from 1) of a run: the empty string (`empty`) or None
/// for a group that did not take part.
fn group_slice(subject: &Subject, found: &Found, g: usize, empty: bool) -> Value {
    let (a, b) = (found.marks[2 * (g - 1)], found.marks[2 * (g - 1) + 1]);
    if a < 0 || b < 0 {
        if empty {
            subject.slice(0, 0)
        } else {
            Value::None
        }
    } else {
        subject.slice(a as usize, b as usize)
    }
}

/// `_sre_SRE_Pattern_findall_impl`.
fn pattern_findall(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, n) = receiver(vm, &args)?;
    let p = pat(vm, &n)?;
    let (string, pos, endpos) = string_pos_endpos(vm, "findall", &args)?;
    let subject = Subject::new(vm, &string, p.isbytes)?;
    let (mut start, end) = clip(pos, endpos, subject.len);
    let mut out = Vec::new();
    let mut must_advance = false;
    while start <= end {
        let Some(found) = p.run(vm, &subject, (start, end), Run::Search, must_advance)? else {
            break;
        };
        let item = match p.groups {
            0 => subject.slice(found.start, found.end),
            1 => group_slice(&subject, &found, 1, true),
            g => Value::tuple(
                (1..=g)
                    .map(|i| group_slice(&subject, &found, i, true))
                    .collect(),
            ),
        };
        out.push(item);
        must_advance = found.end == found.start;
        start = found.end;
    }
    Ok(Value::list(out))
}

/// `pattern_scanner`.
fn scanner_of(
    vm: &mut Vm,
    me: &Value,
    p: &Pattern,
    string: &Value,
    pos: i64,
    endpos: i64,
) -> PyResult<Value> {
    let subject = Rc::new(Subject::new(vm, string, p.isbytes)?);
    let (start, end) = clip(pos, endpos, subject.len);
    Ok(Value::Native(Rc::new(Native::SreScanner(Scanner {
        pattern: me.clone(),
        subject,
        start: Cell::new(Some(start)),
        end,
        pos: start,
        must_advance: Cell::new(false),
        executing: Cell::new(false),
    }))))
}

fn pattern_scanner(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, n) = receiver(vm, &args)?;
    let (string, pos, endpos) = string_pos_endpos(vm, "scanner", &args)?;
    scanner_of(vm, &me, pat(vm, &n)?, &string, pos, endpos)
}

/// `_sre_SRE_Pattern_finditer_impl`: `iter(scanner.search, None)`.
fn pattern_finditer(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, n) = receiver(vm, &args)?;
    let (string, pos, endpos) = string_pos_endpos(vm, "finditer", &args)?;
    let scanner = scanner_of(vm, &me, pat(vm, &n)?, &string, pos, endpos)?;
    let search = vm.getattr(&scanner, "search")?;
    Ok(Value::Iter(gc::alloc(Iter {
        state: RefCell::new(IterState::Callable {
            func: search,
            sentinel: Value::None,
        }),
    })))
}

/// `_sre_SRE_Pattern_split_impl`.
fn pattern_split(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (_, n) = receiver(vm, &args)?;
    let p = pat(vm, &n)?;
    let [string, maxsplit] = Spec::method(
        "Pattern",
        "split",
        Style::Keywords,
        &["string", "maxsplit"],
        1,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    let string = argspec::required(string);
    let maxsplit = match maxsplit {
        Some(m) => ssize(vm, &m)?,
        None => 0,
    };
    let subject = Subject::new(vm, &string, p.isbytes)?;
    let end = subject.len;
    let (mut start, mut last) = (0, 0);
    let mut out = Vec::new();
    let mut n = 0i64;
    let mut must_advance = false;
    while maxsplit == 0 || n < maxsplit {
        if start > end {
            break;
        }
        let Some(found) = p.run(vm, &subject, (start, end), Run::Search, must_advance)? else {
            break;
        };
        out.push(subject.slice(last, found.start));
        for g in 1..=p.groups {
            out.push(group_slice(&subject, &found, g, false));
        }
        n += 1;
        must_advance = found.end == found.start;
        start = found.end;
        last = found.end;
    }
    out.push(subject.slice(last, end));
    Ok(Value::list(out))
}

/// What `sub` puts for each match (`pattern_subx`'s filter types).
enum Filter {
    Literal(Value),
    Template(Rc<Native>),
    Callable(Value),
}

/// The backslash test of `pattern_subx` on a str or bytes replacement.
fn is_literal(v: &Value) -> Option<bool> {
    match v.builtin_value() {
        Value::Str(s) => Some(!s.contains('\\')),
        Value::Bytes(b) => Some(!b.contains(&b'\\')),
        _ => None,
    }
}

/// `compile_template`: `re._compile_template(pattern, repl)`, which must give an
/// `_sre.SRE_Template`.
pub fn compile_template(vm: &mut Vm, me: &Value, repl: &Value) -> PyResult<Rc<Native>> {
    let re = super::super::super::import::import_name(vm, "re", None, &Value::None, 0)?;
    let func = vm.getattr(&re, "_compile_template")?;
    let result = match vm.call(&func, Args::new(vec![me.clone(), repl.clone()])) {
        Ok(r) => r,
        // CPython retries with an exact str or bytes copy of a subclass instance or
        // buffer whose hash failed (`compile_template`'s TypeError path).
        Err(Throw::Exc(e))
            if matches!(repl, Value::Object(_)) && vm.is_instance_of(&e, "TypeError") =>
        {
            return Err(vm.unsupported(
                "re.sub with a template of a str or bytes subclass that is unhashable",
            ));
        }
        Err(e) => return Err(e),
    };
    match &result {
        Value::Native(n) if matches!(**n, Native::SreTemplate(_)) => Ok(n.clone()),
        other => {
            let t = vm.type_of(other).name().clone();
            Err(vm.err(
                "RuntimeError",
                format!("the result of compiling a replacement string is {t}"),
            ))
        }
    }
}

/// `pattern_subx`.
fn subx(vm: &mut Vm, args: Args, name: &str, subn: bool) -> PyResult<Value> {
    let (me, n) = receiver(vm, &args)?;
    let p = pat(vm, &n)?;
    let [repl, string, count] = Spec::method(
        "Pattern",
        name,
        Style::Keywords,
        &["repl", "string", "count"],
        2,
    )
    .keywords(0, 3)
    .bind(vm, &args, 1)?;
    let (repl, string) = (argspec::required(repl), argspec::required(string));
    let count = match count {
        Some(c) => ssize(vm, &c)?,
        None => 0,
    };
    let filter = if super::super::super::builtins::is_callable(vm, &repl) {
        Filter::Callable(repl.clone())
    } else if is_literal(&repl) == Some(true) {
        Filter::Literal(repl.clone())
    } else {
        let t = compile_template(vm, &me, &repl)?;
        match &*t {
            Native::SreTemplate(Template { literal, items }) if items.is_empty() => {
                Filter::Literal(literal.clone())
            }
            _ => Filter::Template(t.clone()),
        }
    };
    let subject = Rc::new(Subject::new(vm, &string, p.isbytes)?);
    let end = subject.len;
    let mut pieces = Vec::new();
    let (mut i, mut start, mut n) = (0usize, 0usize, 0i64);
    let mut must_advance = false;
    while count == 0 || n < count {
        if start > end {
            break;
        }
        let Some(found) = p.run(vm, &subject, (start, end), Run::Search, must_advance)? else {
            break;
        };
        let (b, e) = (found.start, found.end);
        if i < b {
            pieces.push(subject.slice(i, b));
        }
        let item = match &filter {
            Filter::Literal(v) => v.clone(),
            Filter::Template(t) => {
                let m = new_match(&me, &subject, (0, end), found.clone());
                template::expand(vm, t, &m)?
            }
            Filter::Callable(f) => {
                let m = new_match(&me, &subject, (0, end), found.clone());
                vm.call1(f, m)?
            }
        };
        if !matches!(item, Value::None) {
            pieces.push(item);
        }
        i = e;
        n += 1;
        must_advance = found.end == found.start;
        start = found.end;
    }
    if i < end {
        pieces.push(subject.slice(i, end));
    }
    let joined = if pieces.is_empty() {
        subject.empty()
    } else {
        join(vm, &subject.text, &pieces)?
    };
    if subn {
        Ok(Value::tuple(vec![joined, Value::Int(n)]))
    } else {
        Ok(joined)
    }
}

/// `PyUnicode_Join` / `PyBytes_Join` of the pieces with the empty joiner, with their
/// TypeErrors for an item of another kind.
pub fn join(vm: &mut Vm, kind: &Text, pieces: &[Value]) -> PyResult<Value> {
    match kind {
        Text::Str(_) => {
            if let [only @ Value::Str(_)] = pieces {
                return Ok(only.clone());
            }
            let mut out = String::new();
            for (k, piece) in pieces.iter().enumerate() {
                match piece.builtin_value() {
                    Value::Str(s) => out.push_str(s),
                    other => {
                        let t = vm.type_of(other).name().clone();
                        return Err(vm.type_error(format!(
                            "sequence item {k}: expected str instance, {t} found"
                        )));
                    }
                }
            }
            Ok(Value::str(&out))
        }
        Text::Bytes(_) => {
            let mut out = Vec::new();
            for (k, piece) in pieces.iter().enumerate() {
                match piece.builtin_value() {
                    Value::Bytes(b) => out.extend_from_slice(b),
                    other => {
                        let t = vm.type_of(other).name().clone();
                        if matches!(&*t, "bytearray" | "memoryview" | "array.array") {
                            return Err(vm.unsupported(format!("re.sub joining a {t}")));
                        }
                        return Err(vm.type_error(format!(
                            "sequence item {k}: expected a bytes-like object, {t} found"
                        )));
                    }
                }
            }
            Ok(Value::Bytes(Rc::from(out)))
        }
    }
}

fn pattern_sub(vm: &mut Vm, args: Args) -> PyResult<Value> {
    subx(vm, args, "sub", false)
}

fn pattern_subn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    subx(vm, args, "subn", true)
}

/// `__copy__` and `__deepcopy__(memo)`: the pattern itself (it is immutable).
fn pattern_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "Pattern", "__copy__")?;
    Ok(receiver(vm, &args)?.0)
}

fn pattern_deepcopy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Pattern", "__deepcopy__", Style::O, &["memo"], 1).parse(vm, &args, 1)?;
    Ok(receiver(vm, &args)?.0)
}

/// `pattern_repr`: `re.compile(%.200R, FLAGS)`, the flags by their names in the re
/// module, re.UNICODE left out of a str pattern where it is implied.
pub fn repr(vm: &mut Vm, p: &Pattern) -> PyResult<String> {
    const NAMES: &[(&str, i64)] = &[
        ("re.IGNORECASE", 2),
        ("re.LOCALE", 4),
        ("re.MULTILINE", 8),
        ("re.DOTALL", 16),
        ("re.UNICODE", 32),
        ("re.VERBOSE", 64),
        ("re.DEBUG", 128),
        ("re.ASCII", 256),
    ];
    let mut flags = p.flags;
    if p.isbytes == Some(false) && flags & (4 | 32 | 256) == 32 {
        flags &= !32;
    }
    let mut items = Vec::new();
    for &(name, value) in NAMES {
        if flags & value != 0 {
            items.push(name.to_owned());
            flags &= !value;
        }
    }
    if flags != 0 {
        // `%x` of a C int: a negative one prints as its unsigned 32-bit form.
        items.push(format!("0x{:x}", flags as i32 as u32));
    }
    let r = vm.repr(&p.pattern)?;
    let r: String = r.chars().take(200).collect();
    if items.is_empty() {
        Ok(format!("re.compile({r})"))
    } else {
        Ok(format!("re.compile({r}, {})", items.join("|")))
    }
}

fn repr_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Pattern", "__repr__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    Ok(Value::str(&repr(vm, pat(vm, &n)?)?))
}

/// `pattern_hash`: the pattern's hash mixed with the code's bytes' hash, the flags,
/// isbytes and the code size.
fn hash_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("Pattern", "__hash__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let (_, n) = receiver(vm, &args)?;
    let p = pat(vm, &n)?;
    let mut h = vm.hash(&p.pattern)?;
    let bytes: Vec<u8> = p.code.iter().flat_map(|c| c.to_ne_bytes()).collect();
    h ^= super::super::super::hash::bytes(&bytes);
    h ^= p.flags;
    h ^= match p.isbytes {
        Some(true) => 1,
        Some(false) => 0,
        None => -1,
    };
    h ^= p.code.len() as i64;
    Ok(Value::Int(if h == -1 { -2 } else { h }))
}

/// `pattern_richcompare`: equal when flags, kind, code and pattern are.
fn richcompare(vm: &mut Vm, args: &Args, name: &str, ne: bool) -> PyResult<Value> {
    Spec::method("Pattern", name, Style::Wrapper, &["other"], 1).parse(vm, args, 1)?;
    let (me, n) = receiver(vm, args)?;
    let left = pat(vm, &n)?;
    let Some(other) = args.pos.get(1) else {
        return Err(vm.bug("Pattern comparison without its operand"));
    };
    let Some(right) = of(other) else {
        return Ok(Value::NotImplemented);
    };
    if me.is(other) {
        return Ok(Value::Bool(!ne));
    }
    let mut eq =
        left.flags == right.flags && left.isbytes == right.isbytes && left.code == right.code;
    if eq {
        let (a, b) = (left.pattern.clone(), right.pattern.clone());
        eq = a.is(&b) || vm.eq(&a, &b)?;
    }
    Ok(Value::Bool(eq != ne))
}

fn eq_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    richcompare(vm, &args, "__eq__", false)
}

fn ne_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    richcompare(vm, &args, "__ne__", true)
}

/// The members and getsets: `pattern`, `flags`, `groups`, `groupindex` (a mappingproxy
/// of the dict, a fresh empty dict when the pattern has no named group).
pub fn attr(vm: &mut Vm, p: &Pattern, name: &str) -> PyResult<Option<Value>> {
    Ok(Some(match name {
        "pattern" => p.pattern.clone(),
        "flags" => Value::Int(p.flags),
        "groups" => Value::Int(p.groups as i64),
        "groupindex" => match &p.groupindex {
            None => Value::Dict(Dict::new_rc()),
            Some(d) => super::super::super::mappingproxy::of_dict(vm, d),
        },
        _ => return Ok(None),
    }))
}

pub const METHODS: &[(&str, &str, super::super::super::object::NativeFn)] = &[
    ("Pattern", "match", pattern_match),
    ("Pattern", "fullmatch", pattern_fullmatch),
    ("Pattern", "search", pattern_search),
    ("Pattern", "findall", pattern_findall),
    ("Pattern", "finditer", pattern_finditer),
    ("Pattern", "scanner", pattern_scanner),
    ("Pattern", "split", pattern_split),
    ("Pattern", "sub", pattern_sub),
    ("Pattern", "subn", pattern_subn),
    ("Pattern", "__copy__", pattern_copy),
    ("Pattern", "__deepcopy__", pattern_deepcopy),
    ("Pattern", "__repr__", repr_method),
    ("Pattern", "__hash__", hash_method),
    ("Pattern", "__eq__", eq_method),
    ("Pattern", "__ne__", ne_method),
];
