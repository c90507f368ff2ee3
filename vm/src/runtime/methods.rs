//! Methods of the builtin types (`str.join`, `list.append`, `dict.get`, generator
//! `send`, `frame.clear`, `code.co_lines`, …), installed as method descriptors in each
//! type's dict so lookup and binding work like CPython's.

use std::rc::Rc;

use super::builtins::{arity, sort_values};
use super::dict::Dict;
use super::interp::{Vm, MAX_ALLOC};
use super::object::{Args, Builtin, DictView, NativeFn, Value, ViewKind};
use super::ops::generators::GenResult;
use super::PyResult;

fn add(vm: &Vm, owner: &'static str, name: &'static str, func: NativeFn) {
    let t = vm.ty(owner);
    t.dict.set_str(
        name,
        Value::Builtin(Rc::new(Builtin {
            name,
            owner: Some(owner),
            func,
            module: None,
        })),
    );
}

pub fn install(vm: &mut Vm) {
    let table: &[(&'static str, &'static str, NativeFn)] = &[
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
        ("list", "append", list_append),
        ("list", "extend", list_extend),
        ("list", "pop", list_pop),
        ("list", "insert", list_insert),
        ("list", "index", list_index),
        ("list", "count", list_count),
        ("list", "remove", list_remove),
        ("list", "reverse", list_reverse),
        ("list", "sort", list_sort),
        ("list", "copy", list_copy),
        ("list", "clear", list_clear),
        ("tuple", "index", list_index),
        ("tuple", "count", list_count),
        ("dict", "get", dict_get),
        ("dict", "keys", dict_keys),
        ("dict", "values", dict_values),
        ("dict", "items", dict_items),
        ("dict", "pop", dict_pop),
        ("dict", "popitem", dict_popitem),
        ("dict", "setdefault", dict_setdefault),
        ("dict", "update", dict_update),
        ("dict", "copy", dict_copy),
        ("dict", "clear", dict_clear),
        ("set", "add", set_add),
        ("set", "remove", set_remove),
        ("set", "discard", set_discard),
        ("set", "pop", set_pop),
        ("set", "update", set_update),
        ("set", "copy", set_copy),
        ("set", "union", set_union),
        ("set", "intersection", set_intersection),
        ("set", "issubset", set_issubset),
        ("frozenset", "copy", frozenset_copy),
        ("frozenset", "union", set_union),
        ("frozenset", "intersection", set_intersection),
        ("frozenset", "issubset", set_issubset),
        ("int", "bit_length", int_bit_length),
        ("float", "is_integer", float_is_integer),
        ("generator", "send", gen_send),
        ("generator", "throw", gen_throw),
        ("generator", "close", gen_close),
        ("generator", "__next__", gen_next),
        ("generator", "__iter__", identity),
        ("BaseException", "with_traceback", exc_with_traceback),
        ("BaseException", "add_note", exc_add_note),
        ("frame", "clear", frame_clear),
        ("code", "co_lines", code_co_lines),
        ("code", "co_positions", code_co_positions),
        ("object", "__init__", object_init),
        ("object", "__new__", object_new),
        ("TextIOWrapper", "write", stream_write),
        ("TextIOWrapper", "flush", stream_flush),
    ];
    for &(owner, name, f) in table {
        add(vm, owner, name, f);
    }
}

fn recv_str(vm: &Vm, args: &Args) -> PyResult<Rc<str>> {
    match args.pos.first() {
        Some(Value::Str(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'str' object")),
    }
}

fn arg_str(vm: &Vm, v: Option<&Value>, what: &str) -> PyResult<Option<Rc<str>>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(other) => Err(vm.type_error(format!(
            "{what} must be str or None, not {}",
            vm.type_of(other).name
        ))),
    }
}

fn str_join(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "join", 2, 2)?;
    let sep = recv_str(vm, &args)?;
    let items = vm.collect(&args.pos[1])?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match v {
            Value::Str(s) => parts.push(s.to_string()),
            other => {
                return Err(vm.type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    vm.type_of(other).name
                )))
            }
        }
    }
    Ok(Value::str(&parts.join(&sep)))
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

fn split_args(vm: &mut Vm, mut args: Args) -> PyResult<SplitArgs> {
    let maxsplit = args.take_kw("maxsplit");
    let sep_kw = args.take_kw("sep");
    let s = recv_str(vm, &args)?;
    let sep = arg_str(vm, sep_kw.as_ref().or(args.pos.get(1)), "sep")?;
    let max = match maxsplit.or_else(|| args.pos.get(2).cloned()) {
        None => None,
        Some(Value::Int(n)) => usize::try_from(n).ok(),
        Some(Value::Bool(b)) => Some(usize::from(b)),
        Some(other) => {
            let n = vm.type_of(&other).name.clone();
            return Err(vm.type_error(format!("'{n}' object cannot be interpreted as an integer")));
        }
    };
    if sep.as_deref() == Some("") {
        return Err(vm.value_error("empty separator"));
    }
    Ok(SplitArgs { s, sep, max })
}

fn str_split(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let SplitArgs { s, sep, max } = split_args(vm, args)?;
    let parts: Vec<Value> = match sep {
        Some(sep) => match max {
            Some(n) => s
                .splitn(n.saturating_add(1), &*sep)
                .map(Value::str)
                .collect(),
            None => s.split(&*sep).map(Value::str).collect(),
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
    let SplitArgs { s, sep, max } = split_args(vm, args)?;
    let mut parts: Vec<Value> = match sep {
        Some(sep) => match max {
            Some(n) => s
                .rsplitn(n.saturating_add(1), &*sep)
                .map(Value::str)
                .collect(),
            None => s.rsplit(&*sep).map(Value::str).collect(),
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
fn str_splitlines(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let keep_kw = args.take_kw("keepends");
    let s = recv_str(vm, &args)?;
    let keepends = match keep_kw.or_else(|| args.pos.get(1).cloned()) {
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
        out.push(Value::str(&s[start..if keepends { end } else { i }]));
        start = end;
    }
    if start < s.len() {
        out.push(Value::str(&s[start..]));
    }
    Ok(Value::list(out))
}

fn str_map(vm: &mut Vm, args: Args, f: fn(&str) -> String) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    Ok(Value::str(&f(&s)))
}

fn str_upper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, |s| s.to_uppercase())
}

fn str_lower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, |s| s.to_lowercase())
}

fn str_title(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, |s| {
        let mut out = String::new();
        let mut prev_cased = false;
        for c in s.chars() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_cased = c.is_alphabetic();
        }
        out
    })
}

fn str_capitalize(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_map(vm, args, |s| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f
                .to_uppercase()
                .chain(c.flat_map(|x| x.to_lowercase()))
                .collect(),
            None => String::new(),
        }
    })
}

fn strip_with(vm: &mut Vm, args: Args, left: bool, right: bool) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let chars = arg_str(vm, args.pos.get(1), "strip arg")?;
    let pred = |c: char| match &chars {
        Some(set) => set.contains(c),
        None => c.is_whitespace(),
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
    strip_with(vm, args, true, true)
}

fn str_lstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, true, false)
}

fn str_rstrip(vm: &mut Vm, args: Args) -> PyResult<Value> {
    strip_with(vm, args, false, true)
}

fn str_replace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "replace", 3, 4)?;
    let s = recv_str(vm, &args)?;
    let (Value::Str(old), Value::Str(new)) = (&args.pos[1], &args.pos[2]) else {
        return Err(vm.type_error("replace() argument must be str"));
    };
    // Refuse results beyond the allocation bound before building them.
    let hits = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(&**old).count()
    };
    if s.len().saturating_add(hits.saturating_mul(new.len())) > MAX_ALLOC {
        return Err(vm.err("MemoryError", ""));
    }
    let r = match args.pos.get(3) {
        Some(Value::Int(n)) if *n >= 0 => s.replacen(&**old, new, *n as usize),
        _ => s.replace(&**old, new),
    };
    if r.len() > MAX_ALLOC {
        return Err(vm.err("MemoryError", ""));
    }
    Ok(Value::str(&r))
}

fn affix(vm: &mut Vm, args: Args, name: &str, start: bool) -> PyResult<Value> {
    arity(vm, &args, name, 2, 2)?;
    let s = recv_str(vm, &args)?;
    let options: Vec<Value> = match &args.pos[1] {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    for o in options {
        let Value::Str(p) = &o else {
            return Err(vm.type_error(format!(
                "{name} first arg must be str or a tuple of str, not {}",
                vm.type_of(&o).name
            )));
        };
        if (start && s.starts_with(&**p)) || (!start && s.ends_with(&**p)) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
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

fn str_find(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let Some(Value::Str(sub)) = args.pos.get(1) else {
        return Err(vm.type_error("must be str"));
    };
    Ok(Value::Int(
        s.find(&**sub).map(|b| char_index(&s, b)).unwrap_or(-1),
    ))
}

fn str_rfind(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let Some(Value::Str(sub)) = args.pos.get(1) else {
        return Err(vm.type_error("must be str"));
    };
    Ok(Value::Int(
        s.rfind(&**sub).map(|b| char_index(&s, b)).unwrap_or(-1),
    ))
}

fn str_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match str_find(vm, args)? {
        Value::Int(-1) => Err(vm.value_error("substring not found")),
        v => Ok(v),
    }
}

fn str_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let Some(Value::Str(sub)) = args.pos.get(1) else {
        return Err(vm.type_error("must be str"));
    };
    if sub.is_empty() {
        return Ok(Value::Int(s.chars().count() as i64 + 1));
    }
    Ok(Value::Int(s.matches(&**sub).count() as i64))
}

/// `str.format` with `{}`, `{0}`, `{name}`, `{!r}` and format specs.
fn str_format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let pos = &args.pos[1..];
    let mut out = String::new();
    let mut auto = 0;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        if c == '}' && chars.get(i + 1) == Some(&'}') {
            out.push('}');
            i += 2;
            continue;
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(end) = chars[i..].iter().position(|&x| x == '}') else {
            return Err(vm.value_error("Single '{' encountered in format string"));
        };
        let field: String = chars[i + 1..i + end].iter().collect();
        i += end + 1;
        let (field, spec) = field
            .split_once(':')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .unwrap_or((field, String::new()));
        let (field, conv) = field
            .split_once('!')
            .map(|(a, b)| (a.to_owned(), Some(b.to_owned())))
            .unwrap_or((field, None));
        let v = if field.is_empty() {
            let v = pos.get(auto).cloned();
            auto += 1;
            v.ok_or_else(|| {
                vm.err(
                    "IndexError",
                    format!(
                        "Replacement index {} out of range for positional args tuple",
                        auto - 1
                    ),
                )
            })?
        } else if let Ok(n) = field.parse::<usize>() {
            pos.get(n).cloned().ok_or_else(|| {
                vm.err(
                    "IndexError",
                    format!("Replacement index {n} out of range for positional args tuple"),
                )
            })?
        } else {
            let (base, attr) = field
                .split_once('.')
                .map(|(a, b)| (a.to_owned(), Some(b.to_owned())))
                .unwrap_or((field.clone(), None));
            let v = args
                .kw
                .iter()
                .find(|(k, _)| **k == *base)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| vm.err_args("KeyError", vec![Value::str(&base)]))?;
            match attr {
                Some(a) => vm.getattr(&v, &a)?,
                None => v,
            }
        };
        let v = match conv.as_deref() {
            Some("r") | Some("a") => Value::str(&vm.repr(&v)?),
            Some("s") => Value::str(&vm.str_of(&v)?),
            _ => v,
        };
        out.push_str(&vm.format(&v, &spec)?);
    }
    Ok(Value::str(&out))
}

fn str_pred(vm: &mut Vm, args: Args, f: fn(&str) -> bool) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    Ok(Value::Bool(!s.is_empty() && f(&s)))
}

fn str_isdigit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| s.chars().all(|c| c.is_ascii_digit()))
}

fn str_isalpha(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| s.chars().all(char::is_alphabetic))
}

fn str_isspace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| s.chars().all(char::is_whitespace))
}

fn str_isalnum(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| s.chars().all(char::is_alphanumeric))
}

fn str_isupper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| {
        s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)
    })
}

fn str_islower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    str_pred(vm, args, |s| {
        s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)
    })
}

fn justify(vm: &mut Vm, args: Args, align: char) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let width = match args.pos.get(1) {
        Some(Value::Int(n)) => (*n).max(0) as usize,
        _ => return Err(vm.type_error("width must be an integer")),
    };
    if width > MAX_ALLOC {
        return Err(vm.err("MemoryError", ""));
    }
    let fill = match args.pos.get(2) {
        Some(Value::Str(f)) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
        None => ' ',
        _ => return Err(vm.type_error("The fill character must be exactly one character long")),
    };
    let n = s.chars().count();
    if n >= width {
        return Ok(Value::Str(s));
    }
    let pad = width - n;
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
    justify(vm, args, '<')
}

fn str_rjust(vm: &mut Vm, args: Args) -> PyResult<Value> {
    justify(vm, args, '>')
}

fn str_center(vm: &mut Vm, args: Args) -> PyResult<Value> {
    justify(vm, args, '^')
}

fn str_zfill(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    let width = match args.pos.get(1) {
        Some(Value::Int(n)) => (*n).max(0) as usize,
        _ => return Err(vm.type_error("zfill() argument must be an integer")),
    };
    let n = s.chars().count();
    if n >= width || width > MAX_ALLOC {
        return Ok(Value::Str(s));
    }
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('-' | '+')) => (c.to_string(), &s[1..]),
        _ => (String::new(), &s[..]),
    };
    Ok(Value::str(&format!(
        "{sign}{}{rest}",
        "0".repeat(width - n)
    )))
}

fn str_encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_str(vm, &args)?;
    Ok(Value::Bytes(Rc::from(s.as_bytes())))
}

fn recv_list(vm: &Vm, args: &Args) -> PyResult<Rc<super::object::List>> {
    match args.pos.first() {
        Some(Value::List(l)) => Ok(l.clone()),
        _ => Err(vm.type_error("descriptor requires a 'list' object")),
    }
}

fn list_append(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.len() != 2 {
        return Err(vm.type_error(format!(
            "list.append() takes exactly one argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    let l = recv_list(vm, &args)?;
    l.items.borrow_mut().push(args.pos[1].clone());
    Ok(Value::None)
}

fn list_extend(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "extend", 2, 2)?;
    let l = recv_list(vm, &args)?;
    let items = vm.collect(&args.pos[1])?;
    l.items.borrow_mut().extend(items);
    Ok(Value::None)
}

fn list_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let l = recv_list(vm, &args)?;
    let mut items = l.items.borrow_mut();
    if items.is_empty() {
        drop(items);
        return Err(vm.err("IndexError", "pop from empty list"));
    }
    let n = items.len() as i64;
    let i = match args.pos.get(1) {
        Some(Value::Int(i)) => *i,
        _ => n - 1,
    };
    let Some(j) = super::protocol::wrap_index(i, items.len()) else {
        drop(items);
        return Err(vm.err("IndexError", "pop index out of range"));
    };
    Ok(items.remove(j))
}

fn list_insert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "insert", 3, 3)?;
    let l = recv_list(vm, &args)?;
    let Value::Int(i) = args.pos[1] else {
        return Err(vm.type_error("'str' object cannot be interpreted as an integer"));
    };
    let mut items = l.items.borrow_mut();
    let n = items.len() as i64;
    let j = if i < 0 { (i + n).max(0) } else { i.min(n) };
    items.insert(j as usize, args.pos[2].clone());
    Ok(Value::None)
}

fn seq_items(args: &Args) -> Vec<Value> {
    match args.pos.first() {
        Some(Value::List(l)) => l.items.borrow().clone(),
        Some(Value::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

fn list_index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "index", 2, 4)?;
    let items = seq_items(&args);
    for (i, v) in items.iter().enumerate() {
        if v.is(&args.pos[1]) || vm.eq(v, &args.pos[1])? {
            return Ok(Value::Int(i as i64));
        }
    }
    let what = if matches!(args.pos[0], Value::Tuple(_)) {
        "tuple.index(x): x not in tuple".to_owned()
    } else {
        format!("{} is not in list", vm.repr(&args.pos[1])?)
    };
    Err(vm.value_error(what))
}

fn list_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "count", 2, 2)?;
    let mut n = 0;
    for v in seq_items(&args) {
        if v.is(&args.pos[1]) || vm.eq(&v, &args.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn list_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "remove", 2, 2)?;
    let l = recv_list(vm, &args)?;
    let items = l.items.borrow().clone();
    for (i, v) in items.iter().enumerate() {
        if v.is(&args.pos[1]) || vm.eq(v, &args.pos[1])? {
            l.items.borrow_mut().remove(i);
            return Ok(Value::None);
        }
    }
    Err(vm.value_error("list.remove(x): x not in list"))
}

fn list_reverse(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_list(vm, &args)?.items.borrow_mut().reverse();
    Ok(Value::None)
}

fn list_sort(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let reverse = args.take_kw("reverse").unwrap_or(Value::Bool(false));
    let l = recv_list(vm, &args)?;
    let items = std::mem::take(&mut *l.items.borrow_mut());
    let reverse = vm.truthy(&reverse)?;
    let sorted = sort_values(vm, items.clone(), &key, reverse);
    match sorted {
        Ok(s) => {
            *l.items.borrow_mut() = s;
            Ok(Value::None)
        }
        Err(e) => {
            *l.items.borrow_mut() = items;
            Err(e)
        }
    }
}

fn list_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::list(recv_list(vm, &args)?.items.borrow().clone()))
}

fn list_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_list(vm, &args)?.items.borrow_mut().clear();
    Ok(Value::None)
}

fn recv_dict(vm: &Vm, args: &Args) -> PyResult<Rc<Dict>> {
    match args.pos.first() {
        Some(Value::Dict(d)) => Ok(d.clone()),
        _ => Err(vm.type_error("descriptor requires a 'dict' object")),
    }
}

fn dict_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "get", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    Ok(d.get(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?
        .unwrap_or_else(|| args.pos.get(2).cloned().unwrap_or(Value::None)))
}

fn view(vm: &mut Vm, args: Args, kind: ViewKind) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    Ok(Value::DictView(Rc::new(DictView { dict: d, kind })))
}

fn dict_keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Keys)
}

fn dict_values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Values)
}

fn dict_items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    view(vm, args, ViewKind::Items)
}

fn dict_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "pop", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    match d.remove(&args.pos[1]).map_err(|e| vm.unhashable(e))? {
        Some(v) => Ok(v),
        None => match args.pos.get(2) {
            Some(dflt) => Ok(dflt.clone()),
            None => Err(vm.err_args("KeyError", vec![args.pos[1].clone()])),
        },
    }
}

fn dict_popitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    match d.pop_last() {
        Some((k, v)) => Ok(Value::tuple(vec![k, v])),
        None => Err(vm.err_args(
            "KeyError",
            vec![Value::str("popitem(): dictionary is empty")],
        )),
    }
}

fn dict_setdefault(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "setdefault", 2, 3)?;
    let d = recv_dict(vm, &args)?;
    if let Some(v) = d.get(&args.pos[1]).map_err(|e| vm.unhashable(e))? {
        return Ok(v);
    }
    let v = args.pos.get(2).cloned().unwrap_or(Value::None);
    d.set(args.pos[1].clone(), v.clone())
        .map_err(|e| vm.unhashable(e))?;
    Ok(v)
}

fn dict_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = recv_dict(vm, &args)?;
    if let Some(src) = args.pos.get(1) {
        match src {
            Value::Dict(s) => {
                for (k, v) in s.items() {
                    d.set(k, v).map_err(|e| vm.unhashable(e))?;
                }
            }
            other => {
                for item in vm.collect(other)? {
                    let pair = vm.collect(&item)?;
                    if pair.len() != 2 {
                        return Err(
                            vm.value_error("dictionary update sequence element has wrong length")
                        );
                    }
                    d.set(pair[0].clone(), pair[1].clone())
                        .map_err(|e| vm.unhashable(e))?;
                }
            }
        }
    }
    for (k, v) in args.kw {
        d.set_str(&k, v);
    }
    Ok(Value::None)
}

fn dict_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Dict(crate::runtime::gc::alloc(
        recv_dict(vm, &args)?.copy(),
    )))
}

fn dict_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    recv_dict(vm, &args)?.clear();
    Ok(Value::None)
}

fn recv_set(vm: &Vm, args: &Args) -> PyResult<Rc<super::object::Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s.clone()),
        _ => Err(vm.type_error("descriptor requires a 'set' object")),
    }
}

/// The receiver of a method only `set` has (a frozenset is refused as CPython's method
/// descriptors refuse an object of another type).
fn recv_mut_set(vm: &Vm, args: &Args, name: &str) -> PyResult<Rc<super::object::Set>> {
    match args.pos.first() {
        Some(Value::Set(s)) if s.frozen => Err(vm.type_error(format!(
            "descriptor '{name}' for 'set' objects doesn't apply to a 'frozenset' object"
        ))),
        _ => recv_set(vm, args),
    }
}

fn set_add(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "add", 2, 2)?;
    recv_mut_set(vm, &args, "add")?
        .items
        .set(args.pos[1].clone(), Value::None)
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

fn set_remove(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "remove", 2, 2)?;
    match recv_mut_set(vm, &args, "remove")?
        .items
        .remove(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?
    {
        Some(_) => Ok(Value::None),
        None => Err(vm.err_args("KeyError", vec![args.pos[1].clone()])),
    }
}

fn set_discard(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "discard", 2, 2)?;
    recv_mut_set(vm, &args, "discard")?
        .items
        .remove(&args.pos[1])
        .map_err(|e| vm.unhashable(e))?;
    Ok(Value::None)
}

/// `set_pop`: from the table's search finger (see `set`).
fn set_pop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match recv_mut_set(vm, &args, "pop")?.items.pop() {
        Some(k) => Ok(k),
        None => Err(vm.err_args("KeyError", vec![Value::str("pop from an empty set")])),
    }
}

fn set_update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_mut_set(vm, &args, "update")?;
    for other in &args.pos[1..] {
        vm.set_update_internal(&s, other)?;
    }
    Ok(Value::None)
}

fn set_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_copy(&s)?))
}

/// `frozenset_copy`: a frozenset is its own copy.
fn frozenset_copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_set(vm, &args)?;
    if s.frozen {
        return Ok(Value::Set(s));
    }
    Ok(Value::Set(vm.set_copy(&s)?))
}

fn set_union(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_union(&s, &args.pos[1..])?))
}

fn set_intersection(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = recv_set(vm, &args)?;
    Ok(Value::Set(vm.set_intersection_multi(&s, &args.pos[1..])?))
}

fn set_issubset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "issubset", 2, 2)?;
    let s = recv_set(vm, &args)?;
    for k in s.items.keys() {
        if !vm.contains(&args.pos[1], &k)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn int_bit_length(_vm: &mut Vm, args: Args) -> PyResult<Value> {
    let i = super::protocol::as_i64(args.pos.first().unwrap_or(&Value::Int(0)));
    Ok(Value::Int(i64::from(64 - i.unsigned_abs().leading_zeros())))
}

fn float_is_integer(_vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(Value::Bool(
        matches!(args.pos.first(), Some(Value::Float(f)) if f.fract() == 0.0),
    ))
}

fn recv_gen(vm: &Vm, args: &Args) -> PyResult<Rc<super::object::Generator>> {
    match args.pos.first() {
        Some(Value::Generator(g)) => Ok(g.clone()),
        _ => Err(vm.type_error("descriptor requires a 'generator' object")),
    }
}

fn finish(vm: &mut Vm, r: GenResult) -> PyResult<Value> {
    match r {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => {
            let args = if v.is_none() { vec![] } else { vec![v] };
            Err(vm.err_args("StopIteration", args))
        }
    }
}

fn gen_send(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "send", 2, 2)?;
    let g = recv_gen(vm, &args)?;
    let r = vm.gen_resume(&g, args.pos[1].clone(), None)?;
    finish(vm, r)
}

fn gen_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = recv_gen(vm, &args)?;
    let r = vm.gen_resume(&g, Value::None, None)?;
    finish(vm, r)
}

fn gen_throw(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "throw", 2, 4)?;
    let g = recv_gen(vm, &args)?;
    let r = vm.gen_throw(&g, &args.pos[1..])?;
    finish(vm, r)
}

fn gen_close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let g = recv_gen(vm, &args)?;
    vm.gen_close(&g)?;
    Ok(Value::None)
}

fn identity(_vm: &mut Vm, args: Args) -> PyResult<Value> {
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}

fn exc_with_traceback(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "with_traceback", 2, 2)?;
    vm.setattr(&args.pos[0], "__traceback__", args.pos[1].clone())?;
    Ok(args.pos[0].clone())
}

fn exc_add_note(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "add_note", 2, 2)?;
    if let Value::Object(o) = &args.pos[0] {
        let notes = match o.dict.get_str("__notes__") {
            Some(n) => n,
            None => {
                let l = Value::list(Vec::new());
                o.dict.set_str("__notes__", l.clone());
                l
            }
        };
        if let Value::List(l) = notes {
            l.items.borrow_mut().push(args.pos[1].clone());
        }
    }
    Ok(Value::None)
}

/// `frame.clear()`: RuntimeError on a running frame; otherwise drops the locals.
fn frame_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Frame(fo)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'frame' object"));
    };
    if vm.stack_index(fo).is_some() {
        return Err(vm.err("RuntimeError", "cannot clear an executing frame"));
    }
    if fo.generator.borrow().upgrade().is_some() {
        return Err(vm.err("RuntimeError", "cannot clear a suspended frame"));
    }
    if let Some(f) = fo.owned.borrow_mut().as_mut() {
        for slot in f.localsplus.iter_mut() {
            *slot = None;
        }
        if f.info.is_optimized() {
            f.locals = None;
        }
    }
    Ok(Value::None)
}

/// `code.co_lines()`: `(start, end, line)` byte ranges, consecutive units with the same
/// line merged (CPython `lineiter_next`).
fn code_co_lines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'code' object"));
    };
    let lines = c.lines();
    let mut out: Vec<Value> = Vec::new();
    let mut start = 0usize;
    for i in 1..=lines.len() {
        if i == lines.len() || lines[i] != lines[start] {
            let line = lines[start]
                .map(|l| Value::Int(i64::from(l)))
                .unwrap_or(Value::None);
            out.push(Value::tuple(vec![
                Value::Int(2 * start as i64),
                Value::Int(2 * i as i64),
                line,
            ]));
            start = i;
        }
    }
    vm.iter(&Value::list(out))
}

fn code_co_positions(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'code' object"));
    };
    let opt = |x: Option<u32>| x.map(|v| Value::Int(i64::from(v))).unwrap_or(Value::None);
    let out: Vec<Value> = c
        .positions()
        .into_iter()
        .map(|p| {
            Value::tuple(vec![
                opt(p.line),
                opt(p.end_line),
                opt(p.col),
                opt(p.end_col),
            ])
        })
        .collect();
    vm.iter(&Value::list(out))
}

fn object_init(_vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::None)
}

fn object_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(Value::Type(t)) => Ok(vm.new_instance(t, &Args::default())),
        _ => Err(vm.type_error("object.__new__(X): X is not a type object")),
    }
}

fn stream_write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "write", 2, 2)?;
    let Value::Str(s) = &args.pos[1] else {
        return Err(vm.type_error(format!(
            "write() argument must be str, not {}",
            vm.type_of(&args.pos[1]).name
        )));
    };
    super::builtins::write_to(vm, &args.pos[0], s)?;
    Ok(Value::Int(s.chars().count() as i64))
}

fn stream_flush(_vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::None)
}
