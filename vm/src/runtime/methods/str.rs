//! `str` methods.

use std::rc::Rc;

use crate::runtime::builtins::arity;
use crate::runtime::interp::{Vm, MAX_ALLOC};
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

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
