//! `str` methods.

use std::rc::Rc;

use crate::runtime::argspec::{adjust_indices, index, no_args, required, slice_index, Spec, Style};
use crate::runtime::builtins::type_name_of_arg;
use crate::runtime::heap;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::textcodec::{self, Codec};
use crate::runtime::{PyResult, Throw};

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("str", "join", str_join),
    ("str", "split", str_split),
    ("str", "rsplit", str_rsplit),
    ("str", "splitlines", str_splitlines),
    ("str", "upper", str_upper),
    ("str", "lower", str_lower),
    ("str", "title", str_title),
    ("str", "capitalize", str_capitalize),
    ("str", "strip", str_strip),
    ("str", "lstrip", str_lstrip),
    ("str", "rstrip", str_rstrip),
    ("str", "replace", str_replace),
    ("str", "startswith", str_startswith),
    ("str", "endswith", str_endswith),
    ("str", "find", str_find),
    ("str", "rfind", str_rfind),
    ("str", "index", str_index),
    ("str", "count", str_count),
    ("str", "format", str_format),
    ("str", "isdigit", str_isdigit),
    ("str", "isalpha", str_isalpha),
    ("str", "isspace", str_isspace),
    ("str", "isalnum", str_isalnum),
    ("str", "isupper", str_isupper),
    ("str", "islower", str_islower),
    ("str", "ljust", str_ljust),
    ("str", "rjust", str_rjust),
    ("str", "center", str_center),
    ("str", "zfill", str_zfill),
    ("str", "encode", str_encode),
];

pub(super) fn recv_str(vm: &Vm, args: &Args) -> PyResult<Rc<str>> {
    match args.pos.first() {
        Some(Value::Str(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'str' object")),
    }
}

/// A `str` method's [`Spec`] with positional-only parameters.
pub(super) const fn m(
    name: &'static str,
    style: Style,
    params: &'static [&'static str],
    req: usize,
) -> Spec<'static> {
    Spec::method("str", name, style, params, req)
}

/// `replace() argument 1 must be str, not int`.
pub(super) fn str_param(vm: &Vm, v: &Value, name: &str, pos: usize) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        other => Err(vm.type_error(format!(
            "{name}() argument {pos} must be str, not {}",
            type_name_of_arg(vm, other)
        ))),
    }
}

/// A TypeError raised by `r` reads `msg` instead (CPython's `PySequence_Fast`).
fn retype<T>(vm: &Vm, r: PyResult<T>, msg: &str) -> PyResult<T> {
    match r {
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => Err(vm.type_error(msg)),
        other => other,
    }
}

fn str_join(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] = m("join", Style::O, &["iterable"], 1).bind(vm, &args, 1)?;
    let sep = recv_str(vm, &args)?;
    let it = vm.iter(&required(iterable));
    let it = retype(vm, it, "can only join an iterable")?;
    let items = vm.collect_hinted(&it)?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match v.builtin_value() {
            Value::Str(s) => parts.push(s.clone()),
            other => {
                return Err(vm.type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    vm.type_of(other).name()
                )))
            }
        }
    }
    // `_PyUnicode_JoinArray` sizes the result first; the separator can make it far larger
    // than the parts.
    let seps = parts.len().saturating_sub(1) as u128;
    let mut chars = seps * sep.chars().count() as u128;
    let mut bytes = seps * sep.len() as u128;
    let mut maxchar = if seps > 0 { heap::max_char(&sep) } else { '\0' };
    for part in &parts {
        chars += part.chars().count() as u128;
        bytes += part.len() as u128;
        maxchar = maxchar.max(heap::max_char(part));
    }
    if chars > i64::MAX as u128 {
        return Err(vm.err(
            "OverflowError",
            "join() result is too long for a Python string",
        ));
    }
    vm.before_alloc(heap::str_block(chars, maxchar), bytes)?;
    Ok(Value::str(&parts.join(&*sep)))
}

/// The pieces of a split as a list's items, polling the heap budget as they are made: a
/// split of a long string can allocate many times the string's size.
fn pieces<'a>(vm: &Vm, parts: impl Iterator<Item = &'a str>) -> PyResult<Vec<Value>> {
    let mut out = Vec::new();
    for part in parts {
        poll_pieces(vm, &out)?;
        out.push(Value::str(part));
    }
    Ok(out)
}

/// Polls the heap budget every 1024 pieces of a split.
fn poll_pieces(vm: &Vm, out: &[Value]) -> PyResult<()> {
    if out.len() % 1024 == 1023 {
        vm.check_heap()?;
    }
    Ok(())
}

/// `str.isspace` for one character (CPython `Py_UNICODE_ISSPACE`): Unicode White_Space
/// plus the information separators U+001C..U+001F, which Python counts and Rust does not.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `str.split` / `str.rsplit` arguments `(sep=None, maxsplit=-1)`, checked.
struct SplitArgs {
    s: Rc<str>,
    sep: Option<Rc<str>>,
    /// `None` for "no limit" (a negative `maxsplit`).
    max: Option<usize>,
}

fn split_args(vm: &mut Vm, args: Args, name: &'static str) -> PyResult<SplitArgs> {
    let [sep, maxsplit] = m(name, Style::Keywords, &["sep", "maxsplit"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let sep = match sep.map(|v| v.builtin_value().clone()) {
        None | Some(Value::None) => None,
        Some(Value::Str(s)) => Some(s),
        Some(other) => {
            return Err(vm.type_error(format!(
                "must be str or None, not {}",
                vm.type_of(&other).name()
            )))
        }
    };
    let max = match maxsplit {
        None => None,
        Some(v) => usize::try_from(index(vm, &v)?).ok(),
    };
    if sep.as_deref() == Some("") {
        return Err(vm.value_error("empty separator"));
    }
    Ok(SplitArgs { s, sep, max })
}

fn str_split(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let SplitArgs { s, sep, max } = split_args(vm, args, "split")?;
    let parts: Vec<Value> = match sep {
        Some(sep) => match max {
            Some(n) => pieces(vm, s.splitn(n.saturating_add(1), &*sep))?,
            None => pieces(vm, s.split(&*sep))?,
        },
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_start_matches(is_py_space);
            while !rest.is_empty() {
                if max.is_some_and(|m| out.len() >= m) {
                    // The remainder keeps its trailing whitespace, as in CPython.
                    out.push(Value::str(rest));
                    break;
                }
                let end = rest.find(is_py_space).unwrap_or(rest.len());
                poll_pieces(vm, &out)?;
                out.push(Value::str(&rest[..end]));
                rest = rest[end..].trim_start_matches(is_py_space);
            }
            out
        }
    };
    Ok(Value::list(parts))
}

/// `str.rsplit`: as `split`, but the `maxsplit` splits are taken from the right.
fn str_rsplit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let SplitArgs { s, sep, max } = split_args(vm, args, "rsplit")?;
    let mut parts: Vec<Value> = match sep {
        Some(sep) => match max {
            Some(n) => pieces(vm, s.rsplitn(n.saturating_add(1), &*sep))?,
            None => pieces(vm, s.rsplit(&*sep))?,
        },
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_end_matches(is_py_space);
            while !rest.is_empty() {
                if max.is_some_and(|m| out.len() >= m) {
                    out.push(Value::str(rest));
                    break;
                }
                let start = rest
                    .char_indices()
                    .rev()
                    .find(|(_, c)| is_py_space(*c))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                poll_pieces(vm, &out)?;
                out.push(Value::str(&rest[start..]));
                rest = rest[..start].trim_end_matches(is_py_space);
            }
            out
        }
    };
    parts.reverse();
    Ok(Value::list(parts))
}

/// `str.splitlines(keepends=False)`: splits at every line boundary CPython's
/// `Py_UNICODE_ISLINEBREAK` knows (`\n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028
/// \u2029`), not only `\n`.
fn str_splitlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [keepends] = m("splitlines", Style::Keywords, &["keepends"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let keepends = match keepends {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = chars.peek() {
                end = j + 1;
                chars.next();
            }
        }
        poll_pieces(vm, &out)?;
        out.push(Value::str(&s[start..if keepends { end } else { i }]));
        start = end;
    }
    if start < s.len() {
        out.push(Value::str(&s[start..]));
    }
    Ok(Value::list(out))
}

/// A case mapping of the receiver; unsupported for characters whose case data CPython
/// 3.12's Unicode (15.0) and Rust's disagree on, and, for the mappings that lowercase, for
/// a capital sigma beside a character whose case-ignorability they disagree on.
fn str_map(vm: &mut Vm, args: Args, name: &'static str, f: fn(&str) -> String) -> PyResult<Value> {
    no_args(vm, &args, "str", name)?;
    let s = recv_str(vm, &args)?;
    let sigma = name != "upper" && super::str_case::has_newer_sigma_context(&s);
    if super::str_case::has_newer_case_data(&s) || sigma {
        return Err(vm.unsupported(format!(
            "str.{name}() of a character whose case mapping changed after Unicode 15.0"
        )));
    }
    Ok(Value::str(&f(&s)))
}

fn str_upper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, "upper", |s| s.to_uppercase())
}

fn str_lower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, "lower", |s| s.to_lowercase())
}

fn str_title(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, "title", super::str_case::title)
}

fn str_capitalize(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, "capitalize", super::str_case::capitalize)
}

fn strip_with(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    left: bool,
    right: bool,
) -> PyResult<Value> {
    let [chars] = m(name, Style::Positional, &["chars"], 0).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let chars = match chars.map(|v| v.builtin_value().clone()) {
        None | Some(Value::None) => None,
        Some(Value::Str(c)) => Some(c),
        Some(_) => return Err(vm.type_error(format!("{name} arg must be None or str"))),
    };
    let pred = |c: char| match &chars {
        Some(set) => set.contains(c),
        None => is_py_space(c),
    };
    let mut t: &str = &s;
    if left {
        t = t.trim_start_matches(pred);
    }
    if right {
        t = t.trim_end_matches(pred);
    }
    Ok(Value::str(t))
}

fn str_strip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "strip", true, true)
}

fn str_lstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "lstrip", true, false)
}

fn str_rstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, "rstrip", false, true)
}

fn str_replace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [old, new, count] =
        m("replace", Style::Positional, &["old", "new", "count"], 2).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let old = str_param(vm, &required(old), "replace", 1)?;
    let new = str_param(vm, &required(new), "replace", 2)?;
    let count = match count {
        Some(c) => index(vm, &c)?,
        None => -1,
    };
    // CPython's `replace` sizes the result first (in characters, of the widest kind
    // involved): refuse it as CPython does before building it.
    let slen = s.chars().count() as u128;
    let hits = if old.is_empty() {
        slen + 1
    } else {
        s.matches(&*old).count() as u128
    };
    let hits = u128::try_from(count).map_or(hits, |c| hits.min(c));
    let (len1, len2) = (old.chars().count() as u128, new.chars().count() as u128);
    if hits > 0 && len1 != len2 {
        let max = i64::MAX as u128;
        if len2 > len1 && len2 - len1 > (max - slen) / hits {
            return Err(vm.err("OverflowError", "replace string is too long"));
        }
        let new_size = slen + hits * len2 - hits * len1;
        let maxchar = heap::max_char(&s).max(heap::max_char(&new));
        let own = s.len() as u128 + hits * new.len() as u128;
        vm.before_alloc(heap::str_block(new_size, maxchar), own)?;
    }
    let r = match usize::try_from(count) {
        Ok(n) => s.replacen(&*old, &new, n),
        Err(_) => s.replace(&*old, &new),
    };
    Ok(Value::str(&r))
}

fn affix(vm: &mut Vm, args: Args, name: &'static str, start: bool) -> PyResult<Value> {
    let [prefix, from, to] =
        m(name, Style::ParseTuple, &["prefix", "start", "end"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let (from, to) = (
        slice_index(vm, from.as_ref())?,
        slice_index(vm, to.as_ref())?,
    );
    let chars: Vec<char> = s.chars().collect();
    let (lo, hi) = adjust_indices(from, to, chars.len());
    let matches = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        if hi < lo || hi - lo < p.len() {
            return false;
        }
        if start {
            chars[lo..lo + p.len()] == p[..]
        } else {
            chars[hi - p.len()..hi] == p[..]
        }
    };
    match required(prefix).builtin_value().clone() {
        Value::Str(p) => Ok(Value::Bool(matches(&p))),
        Value::Tuple(options) => {
            for o in options.iter() {
                let Value::Str(p) = o.builtin_value() else {
                    return Err(vm.type_error(format!(
                        "tuple for {name} must only contain str, not {}",
                        vm.type_of(o).name()
                    )));
                };
                if matches(p) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        other => Err(vm.type_error(format!(
            "{name} first arg must be str or a tuple of str, not {}",
            vm.type_of(&other).name()
        ))),
    }
}

fn str_startswith(vm: &mut Vm, args: Args) -> PyResult<Value> {
    affix(vm, args, "startswith", true)
}

fn str_endswith(vm: &mut Vm, args: Args) -> PyResult<Value> {
    affix(vm, args, "endswith", false)
}

fn char_index(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

/// The byte offset of character `i` of `s` (its length past the end).
fn byte_at(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

/// What `find` and friends search: the receiver, `sub`, and the `[start:end]` window as
/// character offsets (`None` when `sub` cannot fit in it).
type Finds = (Rc<str>, Rc<str>, Option<(usize, usize)>);

/// `find`, `rfind`, `index`, `count`: `(sub[, start[, end]])` checked as CPython's
/// `stringlib_parse_args_finds` does (the indices first), and the part of the receiver
/// `[start:end]` selects, with the character offset of its start; `None` when `sub` cannot
/// fit in it.
fn finds_args(vm: &mut Vm, args: &Args, name: &'static str) -> PyResult<Finds> {
    let [sub, from, to] =
        m(name, Style::ParseTuple, &["sub", "start", "end"], 1).bind(vm, args, 1)?;
    let s = recv_str(vm, args)?;
    let (from, to) = (
        slice_index(vm, from.as_ref())?,
        slice_index(vm, to.as_ref())?,
    );
    let sub = match required(sub).builtin_value().clone() {
        Value::Str(sub) => sub,
        other => {
            return Err(vm.type_error(format!("must be str, not {}", vm.type_of(&other).name())))
        }
    };
    let (lo, hi) = adjust_indices(from, to, s.chars().count());
    let window = (hi >= lo && hi - lo >= sub.chars().count()).then_some((lo, hi));
    Ok((s, sub, window))
}

pub(super) fn find_with(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    from_right: bool,
) -> PyResult<i64> {
    let (s, sub, window) = finds_args(vm, &args, name)?;
    let Some((lo, hi)) = window else {
        return Ok(-1);
    };
    let part = &s[byte_at(&s, lo)..byte_at(&s, hi)];
    let found = if from_right {
        part.rfind(&*sub)
    } else {
        part.find(&*sub)
    };
    Ok(found.map_or(-1, |b| char_index(part, b) + lo as i64))
}

fn str_find(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(find_with(vm, args, "find", false)?))
}

fn str_rfind(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Int(find_with(vm, args, "rfind", true)?))
}

fn str_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match find_with(vm, args, "index", false)? {
        -1 => Err(vm.value_error("substring not found")),
        i => Ok(Value::Int(i)),
    }
}

fn str_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (s, sub, window) = finds_args(vm, &args, "count")?;
    let Some((lo, hi)) = window else {
        return Ok(Value::Int(0));
    };
    if sub.is_empty() {
        return Ok(Value::Int((hi - lo) as i64 + 1));
    }
    let part = &s[byte_at(&s, lo)..byte_at(&s, hi)];
    Ok(Value::Int(part.matches(&*sub).count() as i64))
}

/// `str.format(*args, **kwargs)`.
fn str_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    Ok(Value::str(&vm.str_format(&s, &args.pos[1..], &args.kw)?))
}

fn str_pred(vm: &mut Vm, args: Args, name: &'static str, f: fn(&str) -> bool) -> PyResult<Value> {
    no_args(vm, &args, "str", name)?;
    let s = recv_str(vm, &args)?;
    Ok(Value::Bool(!s.is_empty() && f(&s)))
}

/// `isdigit()`: Numeric_Type Decimal or Digit, known for Latin-1 (see `str_more`).
fn str_isdigit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "str", "isdigit")?;
    let s = recv_str(vm, &args)?;
    let digits = super::str_more::all_chars(
        vm,
        &s,
        "isdigit",
        "numeric types",
        super::str_more::is_digit,
    )?;
    Ok(Value::Bool(digits))
}

/// `isalpha` and `isalnum` beyond Latin-1: Rust's Alphabetic and Numeric properties
/// hold for every character CPython's letters and numbers hold for, and for more
/// (combining marks, letter numbers), so a character Rust rejects decides False and a
/// string Rust accepts is unsupported when it leaves Latin-1.
fn letters_pred(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    rust: fn(char) -> bool,
) -> PyResult<Value> {
    no_args(vm, &args, "str", name)?;
    let s = recv_str(vm, &args)?;
    let r = !s.is_empty() && s.chars().all(rust);
    if r && s.chars().any(|c| u32::from(c) > 0xff) {
        return Err(vm.unsupported(format!(
            "str.{name} of characters beyond Latin-1 (Rust's Unicode properties are not \
             CPython's categories)"
        )));
    }
    Ok(Value::Bool(r))
}

fn str_isalpha(vm: &mut Vm, args: Args) -> PyResult<Value> {
    letters_pred(vm, args, "isalpha", char::is_alphabetic)
}

fn str_isspace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, "isspace", |s| s.chars().all(is_py_space))
}

fn str_isalnum(vm: &mut Vm, args: Args) -> PyResult<Value> {
    letters_pred(vm, args, "isalnum", char::is_alphanumeric)
}

/// `isupper` / `islower`: unsupported for characters whose case data CPython 3.12's
/// Unicode (15.0) and Rust's disagree on.
fn case_pred(vm: &mut Vm, args: Args, name: &'static str, f: fn(&str) -> bool) -> PyResult<Value> {
    no_args(vm, &args, "str", name)?;
    let s = recv_str(vm, &args)?;
    if super::str_case::has_newer_case_data(&s) {
        return Err(vm.unsupported(format!(
            "str.{name}() of a character whose case data changed after Unicode 15.0"
        )));
    }
    Ok(Value::Bool(f(&s)))
}

/// `unicode_isupper_impl`: some uppercase character, and no lowercase or titlecase one.
fn str_isupper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    case_pred(vm, args, "isupper", |s| {
        s.chars().any(char::is_uppercase)
            && !s
                .chars()
                .any(|c| c.is_lowercase() || super::str_case::is_titlecase(c))
    })
}

/// `unicode_islower_impl`: some lowercase character, and no uppercase or titlecase one.
fn str_islower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    case_pred(vm, args, "islower", |s| {
        s.chars().any(char::is_lowercase)
            && !s
                .chars()
                .any(|c| c.is_uppercase() || super::str_case::is_titlecase(c))
    })
}

fn justify(vm: &mut Vm, args: Args, name: &'static str, align: char) -> PyResult<Value> {
    let [width, fill] = m(name, Style::Positional, &["width", "fillchar"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let width = index(vm, &required(width))?;
    let fill = match fill.map(|v| v.builtin_value().clone()) {
        None => ' ',
        Some(Value::Str(f)) => {
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(
                        vm.type_error("The fill character must be exactly one character long")
                    )
                }
            }
        }
        Some(other) => {
            return Err(vm.type_error(format!(
                "The fill character must be a unicode character, not {}",
                vm.type_of(&other).name()
            )))
        }
    };
    let n = s.chars().count();
    let Ok(width) = usize::try_from(width) else {
        return Ok(Value::Str(s));
    };
    if n >= width {
        return Ok(Value::Str(s));
    }
    let pad = width - n;
    // `pad()`: `PyUnicode_New(width, max(maxchar, fill))`.
    let maxchar = heap::max_char(&s).max(fill);
    let own = s.len() as u128 + pad as u128 * fill.len_utf8() as u128;
    vm.before_alloc(heap::str_block(width as u128, maxchar), own)?;
    let rep = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    Ok(Value::str(&match align {
        '<' => format!("{s}{}", rep(pad)),
        '>' => format!("{}{s}", rep(pad)),
        _ => {
            let left = pad / 2 + (pad & width & 1);
            format!("{}{s}{}", rep(left), rep(pad - left))
        }
    }))
}

fn str_ljust(vm: &mut Vm, args: Args) -> PyResult<Value> {
    justify(vm, args, "ljust", '<')
}

fn str_rjust(vm: &mut Vm, args: Args) -> PyResult<Value> {
    justify(vm, args, "rjust", '>')
}

fn str_center(vm: &mut Vm, args: Args) -> PyResult<Value> {
    justify(vm, args, "center", '^')
}

fn str_zfill(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [width] = m("zfill", Style::O, &["width"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let width = index(vm, &required(width))?;
    let n = s.chars().count();
    let Ok(width) = usize::try_from(width) else {
        return Ok(Value::Str(s));
    };
    if n >= width {
        return Ok(Value::Str(s));
    }
    // `pad(self, width - len, 0, '0')`.
    let own = s.len() as u128 + (width - n) as u128;
    vm.before_alloc(heap::str_block(width as u128, heap::max_char(&s)), own)?;
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('-' | '+')) => (c.to_string(), &s[1..]),
        _ => (String::new(), &s[..]),
    };
    Ok(Value::str(&format!(
        "{sign}{}{rest}",
        "0".repeat(width - n)
    )))
}

/// `str.encode(encoding='utf-8', errors='strict')`: UTF-8, ASCII and Latin-1 (see
/// `textcodec`); other codecs are unsupported.
fn str_encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [encoding, errors] = m("encode", Style::Keywords, &["encoding", "errors"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let s = Value::Str(recv_str(vm, &args)?);
    let text = |v: Option<Value>, what: &str| -> PyResult<Option<Rc<str>>> {
        match v {
            None => Ok(None),
            Some(Value::Str(t)) => Ok(Some(t)),
            Some(other) => Err(vm.type_error(format!(
                "encode() argument '{what}' must be str, not {}",
                type_name_of_arg(vm, &other)
            ))),
        }
    };
    let encoding = text(encoding, "encoding")?;
    let errors = text(errors, "errors")?;
    let codec = match encoding.as_deref() {
        None => Codec::Utf8,
        Some(e) => Codec::named(e).ok_or_else(|| {
            vm.unsupported(format!(
                "str.encode with encoding {}",
                crate::runtime::standins::repr(e)
            ))
        })?,
    };
    let out = textcodec::encode(vm, &s, codec, errors.as_deref().unwrap_or("strict"))?;
    Ok(Value::Bytes(Rc::from(out)))
}
