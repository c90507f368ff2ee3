//! `repr()`, `str()` and `format()` with CPython 3.12's exact output.

use super::interp::Vm;
use super::object::{IterState, PropertyKind, Value, ViewKind};
use super::PyResult;
use crate::reprs::{bytes_repr, float_repr, str_repr};

fn addr(v: &Value) -> String {
    format!("{:#x}", v.address())
}

impl Vm {
    /// `repr(v)` (CPython `PyObject_Repr`): one unit of the C recursion budget per call,
    /// so deep nesting raises RecursionError instead of exhausting the Rust stack; a
    /// container already being repr'd shows as `[...]` / `{...}` (`Py_ReprEnter`).
    pub fn repr(&mut self, v: &Value) -> PyResult<String> {
        self.guarded(" while getting the repr of an object", |vm| {
            let key = v.address();
            let container = matches!(
                v,
                Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Object(_)
            );
            if container {
                if vm.repr_active.contains(&key) {
                    return Ok(match v {
                        Value::List(_) => "[...]".into(),
                        Value::Dict(_) => "{...}".into(),
                        // `set_repr`: "%s(...)" with the type's name.
                        Value::Set(s) if s.frozen => "frozenset(...)".into(),
                        Value::Set(_) => "set(...)".into(),
                        _ => "...".into(),
                    });
                }
                vm.repr_active.push(key);
            }
            let r = vm.repr_inner(v);
            if container {
                vm.repr_active.pop();
            }
            r
        })
    }

    fn join_reprs(&mut self, items: &[Value]) -> PyResult<String> {
        let mut parts = Vec::with_capacity(items.len());
        for i in items {
            parts.push(self.repr(i)?);
        }
        Ok(parts.join(", "))
    }

    fn repr_inner(&mut self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::NotImplemented => "NotImplemented".into(),
            Value::Ellipsis => "Ellipsis".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => float_repr(*f),
            Value::Str(s) => str_repr(s),
            Value::Bytes(b) => bytes_repr(b),
            Value::Tuple(t) => {
                if t.len() == 1 {
                    format!("({},)", self.repr(&t[0])?)
                } else {
                    format!("({})", self.join_reprs(t)?)
                }
            }
            Value::List(l) => {
                let items = l.items.borrow().clone();
                format!("[{}]", self.join_reprs(&items)?)
            }
            Value::Dict(d) => {
                let mut parts = Vec::new();
                for (k, val) in d.items() {
                    parts.push(format!("{}: {}", self.repr(&k)?, self.repr(&val)?));
                }
                format!("{{{}}}", parts.join(", "))
            }
            // `set_repr`: `set()`, `{1, 2}`, `frozenset()`, `frozenset({1, 2})`.
            Value::Set(s) => {
                let keys = s.items.keys();
                let name = if s.frozen { "frozenset" } else { "set" };
                if keys.is_empty() {
                    format!("{name}()")
                } else if s.frozen {
                    format!("{name}({{{}}})", self.join_reprs(&keys)?)
                } else {
                    format!("{{{}}}", self.join_reprs(&keys)?)
                }
            }
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Slice(s) => {
                let (a, b, c) = (s.start.clone(), s.stop.clone(), s.step.clone());
                format!(
                    "slice({}, {}, {})",
                    self.repr(&a)?,
                    self.repr(&b)?,
                    self.repr(&c)?
                )
            }
            Value::DictView(d) => {
                let (name, items) = match d.kind {
                    ViewKind::Keys => ("dict_keys", d.dict.keys()),
                    ViewKind::Values => ("dict_values", d.dict.values()),
                    ViewKind::Items => (
                        "dict_items",
                        d.dict
                            .items()
                            .into_iter()
                            .map(|(k, v)| Value::tuple(vec![k, v]))
                            .collect(),
                    ),
                };
                format!("{name}([{}])", self.join_reprs(&items)?)
            }
            Value::Iter(it) => {
                let name = match &*it.state.borrow() {
                    IterState::Done => self.type_of(v).name.to_string(),
                    _ => self.type_of(v).name.to_string(),
                };
                format!("<{name} object at {}>", addr(v))
            }
            Value::Function(f) => format!("<function {} at {}>", f.qualname.borrow(), addr(v)),
            Value::Builtin(b) => match b.owner {
                Some(owner) => format!("<method '{}' of '{}' objects>", b.name, owner),
                None => format!("<built-in function {}>", b.name),
            },
            Value::Method(m) => match &m.func {
                Value::Builtin(b) => {
                    let recv = m.receiver.clone();
                    match &recv {
                        Value::Module(md) => format!("<built-in function {}>", {
                            let _ = md;
                            b.name
                        }),
                        _ => {
                            let tname = self.type_of(&recv).name.clone();
                            format!(
                                "<built-in method {} of {} object at {}>",
                                b.name,
                                tname,
                                addr(&recv)
                            )
                        }
                    }
                }
                Value::Function(f) => {
                    let qual = f.qualname.borrow().clone();
                    let recv = m.receiver.clone();
                    format!("<bound method {} of {}>", qual, self.repr(&recv)?)
                }
                other => {
                    let other = other.clone();
                    self.repr(&other)?
                }
            },
            Value::Code(c) => format!(
                "<code object {} at {}, file \"{}\", line {}>",
                c.co_name,
                addr(v),
                c.co_filename,
                c.co_firstlineno
            ),
            Value::Frame(fo) => {
                let line = self
                    .frame_lineno(fo)
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "None".into());
                let (file, name) = self
                    .with_frame(fo, |f| {
                        (f.info.code.co_filename.clone(), f.info.code.co_name.clone())
                    })
                    .unwrap_or_else(|| ("?".into(), "?".into()));
                format!(
                    "<frame at {}, file {}, line {}, code {}>",
                    addr(v),
                    str_repr(&file),
                    line,
                    name
                )
            }
            Value::Traceback(_) => format!("<traceback object at {}>", addr(v)),
            Value::Module(m) => match &m.file {
                Some(f) => format!("<module '{}' from '{}'>", m.name, f),
                None => format!("<module '{}' (built-in)>", m.name),
            },
            Value::Type(t) => {
                if t.is_builtin() {
                    format!("<class '{}'>", t.qualname.borrow())
                } else {
                    format!("<class '{}.{}'>", t.module, t.qualname.borrow())
                }
            }
            Value::Cell(c) => match &*c.value.borrow() {
                Some(x) => format!(
                    "<cell at {}: {} object at {}>",
                    addr(v),
                    self.type_of(x).name,
                    addr(x)
                ),
                None => format!("<cell at {}: empty>", addr(v)),
            },
            Value::Generator(g) => format!("<generator object {} at {}>", g.qualname, addr(v)),
            Value::Property(p) => match p.kind {
                PropertyKind::Property => format!("<property object at {}>", addr(v)),
                PropertyKind::StaticMethod => {
                    let f = p.func.clone();
                    format!("<staticmethod({})>", self.repr(&f)?)
                }
                PropertyKind::ClassMethod => {
                    let f = p.func.clone();
                    format!("<classmethod({})>", self.repr(&f)?)
                }
            },
            Value::Object(o) => {
                if let Some(r) = self.call_special(v, "__repr__", vec![])? {
                    return match r {
                        Value::Str(s) => Ok(s.to_string()),
                        other => {
                            let n = self.type_of(&other).name.clone();
                            Err(self.type_error(format!("__repr__ returned non-string (type {n})")))
                        }
                    };
                }
                let t = o.class.borrow().clone();
                if let Some(data) = &o.exc {
                    let args = data.args.borrow().clone();
                    let inner = match &args {
                        Value::Tuple(items) if items.len() == 1 => {
                            format!("({})", self.repr(&items[0])?)
                        }
                        Value::Tuple(items) => format!("({})", self.join_reprs(items)?),
                        other => format!("({})", self.repr(other)?),
                    };
                    format!("{}{}", t.name, inner)
                } else {
                    let qual = t.qualname.borrow().clone();
                    if t.is_builtin() {
                        format!("<{} object at {}>", qual, addr(v))
                    } else {
                        format!("<{}.{} object at {}>", t.module, qual, addr(v))
                    }
                }
            }
        })
    }

    /// `str(v)`.
    pub fn str_of(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            Value::Object(o) => {
                if let Some(r) = self.call_special(v, "__str__", vec![])? {
                    return match r {
                        Value::Str(s) => Ok(s.to_string()),
                        other => {
                            let n = self.type_of(&other).name.clone();
                            Err(self.type_error(format!("__str__ returned non-string (type {n})")))
                        }
                    };
                }
                if let Some(data) = &o.exc {
                    let args = data.args.borrow().clone();
                    let is_key_error = o.class.borrow().is_subtype(&self.ty("KeyError"));
                    return match &args {
                        Value::Tuple(items) if items.is_empty() => Ok(String::new()),
                        Value::Tuple(items) if items.len() == 1 => {
                            if is_key_error {
                                self.repr(&items[0])
                            } else {
                                self.str_of(&items[0])
                            }
                        }
                        other => self.repr(other),
                    };
                }
                self.repr(v)
            }
            other => self.repr(other),
        }
    }

    /// `format(v, spec)` for the format-spec mini-language subset programs use.
    pub fn format(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if spec.is_empty() {
            return self.str_of(v);
        }
        if let Some(Value::Str(s)) = self.call_special(v, "__format__", vec![Value::str(spec)])? {
            return Ok(s.to_string());
        }
        let Some(s) = Spec::parse(spec) else {
            return Err(self.value_error(format!(
                "Invalid format specifier '{spec}' for object of type '{}'",
                self.type_of(v).name
            )));
        };
        let body = match v {
            Value::Int(_) | Value::Bool(_)
                if !matches!(s.ty, Some('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%')) =>
            {
                let i = super::protocol::as_i64(v);
                if s.ty == Some('c') {
                    char::from_u32(i as u32)
                        .map(|c| c.to_string())
                        .unwrap_or_default()
                } else {
                    let digits = match s.ty {
                        Some('x') => format!("{:x}", i.unsigned_abs()),
                        Some('X') => format!("{:X}", i.unsigned_abs()),
                        Some('o') => format!("{:o}", i.unsigned_abs()),
                        Some('b') => format!("{:b}", i.unsigned_abs()),
                        Some('d') | None | Some('n') => i.unsigned_abs().to_string(),
                        Some(t) => {
                            return Err(self.value_error(format!(
                                "Unknown format code '{t}' for object of type 'int'"
                            )));
                        }
                    };
                    let digits = group(&digits, s.grouping);
                    let prefix = if s.alternate {
                        match s.ty {
                            Some('x') => "0x",
                            Some('X') => "0X",
                            Some('o') => "0o",
                            Some('b') => "0b",
                            _ => "",
                        }
                    } else {
                        ""
                    };
                    return Ok(s.pad_number(i < 0, &format!("{prefix}{digits}")));
                }
            }
            Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
                let x = match v {
                    Value::Float(f) => *f,
                    other => super::protocol::as_i64(other) as f64,
                };
                let neg = x.is_sign_negative() && !x.is_nan() && x != 0.0
                    || (x == 0.0 && x.is_sign_negative());
                let a = x.abs();
                let p = s.precision;
                let digits = match s.ty {
                    Some('f') | Some('F') => format!("{:.*}", p.unwrap_or(6), a),
                    Some('e') | Some('E') => {
                        let e = sci(a, p.unwrap_or(6));
                        if s.ty == Some('E') {
                            e.to_uppercase()
                        } else {
                            e
                        }
                    }
                    Some('%') => format!("{:.*}%", p.unwrap_or(6), a * 100.0),
                    Some('g') | Some('G') => general(a, p.unwrap_or(6), false),
                    None => match p {
                        Some(p) => general(a, p, true),
                        None => float_repr(a),
                    },
                    Some(t) => {
                        return Err(self.value_error(format!(
                            "Unknown format code '{t}' for object of type 'float'"
                        )));
                    }
                };
                let digits = if s.grouping.is_some() {
                    let (int_part, rest) = match digits.find(|c: char| !c.is_ascii_digit()) {
                        Some(i) => digits.split_at(i),
                        None => (digits.as_str(), ""),
                    };
                    format!("{}{}", group(int_part, s.grouping), rest)
                } else {
                    digits
                };
                return Ok(s.pad_number(neg, &digits));
            }
            Value::Str(text) => {
                if let Some(t) = s.ty {
                    if t != 's' {
                        return Err(self.value_error(format!(
                            "Unknown format code '{t}' for object of type 'str'"
                        )));
                    }
                }
                match s.precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text.to_string(),
                }
            }
            other => {
                if s.ty.is_some() || s.precision.is_some() {
                    let n = self.type_of(other).name.clone();
                    return Err(self.type_error(format!(
                        "unsupported format string passed to {n}.__format__"
                    )));
                }
                self.str_of(other)?
            }
        };
        Ok(s.pad(&body, '<'))
    }
}

fn group(digits: &str, sep: Option<char>) -> String {
    let Some(sep) = sep else {
        return digits.to_owned();
    };
    let mut out = String::new();
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `%e` with Python's two-digit signed exponent.
fn sci(a: f64, p: usize) -> String {
    let s = format!("{:.*e}", p, a);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

/// `%g` (and the no-type form with a precision, which keeps at least one digit).
fn general(a: f64, p: usize, keep_point: bool) -> String {
    let p = p.max(1);
    if a == 0.0 {
        return if keep_point { "0.0".into() } else { "0".into() };
    }
    let exp = a.abs().log10().floor() as i32;
    let s = if exp >= -4 && exp < p as i32 {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{:.*}", decimals, a);
        if s.contains('.') {
            let t = s.trim_end_matches('0').trim_end_matches('.').to_owned();
            if keep_point && !t.contains('.') {
                format!("{t}.0")
            } else {
                t
            }
        } else {
            s
        }
    } else {
        let s = sci(a, p - 1);
        let (m, e) = s.split_once('e').unwrap_or((&s, ""));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        format!("{m}e{e}")
    };
    s
}

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alternate: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

impl Spec {
    fn parse(spec: &str) -> Option<Spec> {
        let chars: Vec<char> = spec.chars().collect();
        let mut i = 0;
        let mut s = Spec {
            fill: ' ',
            align: None,
            sign: '-',
            alternate: false,
            zero: false,
            width: 0,
            grouping: None,
            precision: None,
            ty: None,
        };
        let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
        if chars.len() >= 2 && is_align(chars[1]) {
            s.fill = chars[0];
            s.align = Some(chars[1]);
            i = 2;
        } else if !chars.is_empty() && is_align(chars[0]) {
            s.align = Some(chars[0]);
            i = 1;
        }
        if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
            s.sign = chars[i];
            i += 1;
        }
        if i < chars.len() && chars[i] == '#' {
            s.alternate = true;
            i += 1;
        }
        if i < chars.len() && chars[i] == '0' {
            s.zero = true;
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i > start {
            s.width = chars[start..i].iter().collect::<String>().parse().ok()?;
        }
        if i < chars.len() && matches!(chars[i], ',' | '_') {
            s.grouping = Some(chars[i]);
            i += 1;
        }
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            s.precision = Some(chars[start..i].iter().collect::<String>().parse().ok()?);
        }
        if i < chars.len() {
            s.ty = Some(chars[i]);
            i += 1;
        }
        (i == chars.len()).then_some(s)
    }

    fn pad(&self, body: &str, default_align: char) -> String {
        let n = body.chars().count();
        if n >= self.width {
            return body.to_owned();
        }
        let fill_n = self.width - n;
        let fill = |k: usize| std::iter::repeat_n(self.fill, k).collect::<String>();
        match self.align.unwrap_or(default_align) {
            '<' => format!("{body}{}", fill(fill_n)),
            '^' => format!("{}{body}{}", fill(fill_n / 2), fill(fill_n - fill_n / 2)),
            _ => format!("{}{body}", fill(fill_n)),
        }
    }

    fn pad_number(&self, negative: bool, digits: &str) -> String {
        let sign = if negative {
            "-"
        } else {
            match self.sign {
                '+' => "+",
                ' ' => " ",
                _ => "",
            }
        };
        if self.zero && self.align.is_none() || self.align == Some('=') {
            let fill = if self.zero && self.align.is_none() {
                '0'
            } else {
                self.fill
            };
            let n = sign.len() + digits.chars().count();
            let pad: String = std::iter::repeat_n(fill, self.width.saturating_sub(n)).collect();
            return format!("{sign}{pad}{digits}");
        }
        self.pad(&format!("{sign}{digits}"), '>')
    }
}
