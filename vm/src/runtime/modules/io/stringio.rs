//! `_io.StringIO` (CPython `Modules/_io/stringio.c`): a text buffer of code points with
//! its newline translation (`newline`: None translates `\r` and `\r\n` to `\n` on write
//! and records what it saw, `''` records without translating, `'\r'` and `'\r\n'`
//! write `\n` as themselves), reads, lines, seeks in code points and truncation.
//!
//! Every StringIO, of the type itself or of a subclass, is an instance carrying its
//! state as its payload (see `subclass`), so its dict, its repr and attribute
//! assignment are an instance's; the methods read the state through `builtin_value`.
//! `__getstate__`/`__setstate__` are left out (`reach` reports them unsupported).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::types::Type;
use super::super::super::PyResult;
use super::{int_arg, opt_ssize, ssize};

/// `stringio`: the code points, the position (past the end after an overseek), the
/// newline settings and the newline decoder's record (`seennl`, when it has one).
#[derive(Debug, Default)]
pub struct StringIO {
    buf: RefCell<Vec<char>>,
    pos: Cell<usize>,
    ok: Cell<bool>,
    closed: Cell<bool>,
    readnl: RefCell<Option<Rc<str>>>,
    writenl: RefCell<Option<Rc<str>>>,
    readuniversal: Cell<bool>,
    readtranslate: Cell<bool>,
    /// The IncrementalNewlineDecoder's `seennl` (`None`: no decoder).
    decoder: Cell<Option<u8>>,
}

const SEEN_LF: u8 = 1;
const SEEN_CR: u8 = 2;
const SEEN_CRLF: u8 = 4;

/// The StringIO state `v` carries.
pub fn of(v: &Value) -> Option<Rc<StringIO>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::StringIO(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args) -> PyResult<Rc<StringIO>> {
    args.pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("a StringIO method without a StringIO"))
}

/// `CHECK_INITIALIZED`, then `CHECK_CLOSED` when `closed` is asked.
fn check(vm: &Vm, s: &StringIO, closed: bool) -> PyResult<()> {
    if !s.ok.get() {
        return Err(vm.value_error("I/O operation on uninitialized object"));
    }
    if closed && s.closed.get() {
        return Err(vm.value_error("I/O operation on closed file"));
    }
    Ok(())
}

/// `stringio_new` for `cls`: an uninitialised StringIO (its `__init__` makes it usable).
pub fn new_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::StringIO(Rc::new(StringIO::default()))));
    super::super::super::subclass::with_payload(cls, n)
}

/// `StringIO(initial_value='', newline='\n')`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init(vm, args)?;
    Ok(me)
}

/// `StringIO.__new__(cls, *args, **kwargs)`.
fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::iobase::new_method(vm, &args, "StringIO", new_for)
}

/// `_io_StringIO___init___impl`.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [value, newline] = Spec::function(
        "StringIO",
        Style::Keywords,
        &["initial_value", "newline"],
        0,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    // The newline as the C string CPython reads: up to its first NUL.
    let nl: Option<String> = match &newline {
        None => Some("\n".to_owned()),
        Some(v) => match v.builtin_value() {
            Value::None => None,
            Value::Str(t) => Some(t.split('\0').next().unwrap_or_default().to_owned()),
            _ => {
                let n = vm.type_of(v).name().clone();
                return Err(vm.type_error(format!("newline must be str or None, not {n}")));
            }
        },
    };
    if let Some(n) = &nl {
        if !matches!(n.as_str(), "" | "\n" | "\r" | "\r\n") {
            let r = vm.repr(&newline.clone().unwrap_or_default())?;
            return Err(vm.value_error(format!("illegal newline value: {r}")));
        }
    }
    let value = match value.as_ref().map(|v| (v, v.builtin_value())) {
        None | Some((_, Value::None)) => None,
        Some((_, Value::Str(t))) => Some(t.clone()),
        Some((v, _)) => {
            let n = vm.type_of(v).name().clone();
            return Err(vm.type_error(format!("initial_value must be str or None, not {n}")));
        }
    };
    s.ok.set(false);
    let universal = nl.as_deref().is_none_or(str::is_empty);
    *s.readnl.borrow_mut() = nl.as_deref().map(Rc::from);
    s.readuniversal.set(universal);
    s.readtranslate.set(nl.is_none());
    *s.writenl.borrow_mut() = match nl.as_deref() {
        Some(n) if n.starts_with('\r') => Some(Rc::from(n)),
        _ => None,
    };
    s.decoder.set(universal.then_some(0));
    s.buf.borrow_mut().clear();
    s.pos.set(0);
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        write_str(&s, &v);
    }
    s.pos.set(0);
    s.closed.set(false);
    s.ok.set(true);
    Ok(Value::None)
}

/// `_PyIncrementalNewlineDecoder_decode` with `final` set: `\r\n` and `\r` become `\n`
/// when translating; the kinds of newline seen are recorded either way.
fn decode(s: &StringIO, text: &str, seen: u8) -> (String, u8) {
    let translate = s.readtranslate.get();
    let mut seennl = seen;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                seennl |= SEEN_LF;
                out.push('\n');
            }
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                seennl |= SEEN_CRLF;
                out.push_str(if translate { "\n" } else { "\r\n" });
            }
            '\r' => {
                seennl |= SEEN_CR;
                out.push(if translate { '\n' } else { '\r' });
            }
            c => out.push(c),
        }
    }
    (out, seennl)
}

/// `write_str`: the text decoded and translated, written at the position (the gap of an
/// overseek filled with NULs).
fn write_str(s: &StringIO, text: &str) {
    let mut decoded = match s.decoder.get() {
        Some(seen) => {
            let (out, seennl) = decode(s, text, seen);
            s.decoder.set(Some(seennl));
            out
        }
        None => text.to_owned(),
    };
    if let Some(nl) = &*s.writenl.borrow() {
        decoded = decoded.replace('\n', nl);
    }
    let chars: Vec<char> = decoded.chars().collect();
    if chars.is_empty() {
        return;
    }
    let mut buf = s.buf.borrow_mut();
    let pos = s.pos.get();
    if pos > buf.len() {
        buf.resize(pos, '\0');
    }
    let end = pos + chars.len();
    if end > buf.len() {
        buf.resize(end, '\0');
    }
    buf[pos..end].copy_from_slice(&chars);
    s.pos.set(end);
}

/// `write(s, /)`: the length of the text given (before translation).
fn write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [obj] = Spec::method("StringIO", "write", Style::O, &["s"], 1).bind(vm, &args, 1)?;
    let obj = argspec::required(obj);
    check(vm, &s, false)?;
    let Value::Str(text) = obj.builtin_value().clone() else {
        let n = vm.type_of(&obj).name().clone();
        return Err(vm.type_error(format!("string argument expected, got '{n}'")));
    };
    check(vm, &s, true)?;
    let size = text.chars().count();
    if size > 0 {
        write_str(&s, &text);
    }
    Ok(Value::Int(size as i64))
}

fn text_of(chars: &[char]) -> Value {
    Value::str(&chars.iter().collect::<String>())
}

/// `read(size=-1, /)`.
fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [size] =
        Spec::method("StringIO", "read", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?.unwrap_or(-1);
    check(vm, &s, true)?;
    let buf = s.buf.borrow();
    let pos = s.pos.get();
    let left = buf.len().saturating_sub(pos);
    let n = if size < 0 {
        left
    } else {
        (size as usize).min(left)
    };
    if n == 0 {
        return Ok(Value::str(""));
    }
    let v = text_of(&buf[pos..pos + n]);
    s.pos.set(pos + n);
    Ok(v)
}

/// `_PyIO_find_line_ending` over `line`: the length of the first line, ending included;
/// `None` when no line ending is found.
fn find_line_ending(s: &StringIO, line: &[char]) -> Option<usize> {
    if s.readtranslate.get() {
        return line.iter().position(|&c| c == '\n').map(|i| i + 1);
    }
    if s.readuniversal.get() {
        let i = line.iter().position(|&c| c == '\n' || c == '\r')?;
        if line[i] == '\r' && line.get(i + 1) == Some(&'\n') {
            return Some(i + 2);
        }
        return Some(i + 1);
    }
    let nl: Vec<char> = s
        .readnl
        .borrow()
        .as_deref()
        .unwrap_or("\n")
        .chars()
        .collect();
    if nl.is_empty() {
        return None;
    }
    line.windows(nl.len())
        .position(|w| w == nl.as_slice())
        .map(|i| i + nl.len())
}

/// `_stringio_readline(self, limit)`.
fn readline_limit(s: &StringIO, limit: i64) -> Value {
    let buf = s.buf.borrow();
    let pos = s.pos.get();
    if pos >= buf.len() {
        return Value::str("");
    }
    let left = buf.len() - pos;
    let limit = if limit < 0 || limit as usize > left {
        left
    } else {
        limit as usize
    };
    let part = &buf[pos..pos + limit];
    let n = find_line_ending(s, part).unwrap_or(limit);
    s.pos.set(pos + n);
    text_of(&part[..n])
}

/// `readline(size=-1, /)`.
fn readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [size] =
        Spec::method("StringIO", "readline", Style::Positional, &["size"], 0).bind(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?.unwrap_or(-1);
    check(vm, &s, true)?;
    Ok(readline_limit(&s, size))
}

/// `stringio_iternext`: the next line (a subclass's own `readline` is called), StopIteration
/// at the end.
fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("StringIO", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let s = me(vm, &args)?;
    check(vm, &s, true)?;
    let this = args.pos[0].clone();
    let exact = Rc::ptr_eq(&vm.type_of(&this), &vm.ty("StringIO"));
    let line = if exact {
        readline_limit(&s, -1)
    } else {
        let f = vm.getattr(&this, "readline")?;
        let line = vm.call(&f, Args::default())?;
        if !matches!(line.builtin_value(), Value::Str(_)) {
            let n = vm.type_of(&line).name().clone();
            return Err(vm.err(
                "OSError",
                format!("readline() should have returned a str object, not '{n}'"),
            ));
        }
        line
    };
    match line.builtin_value() {
        Value::Str(t) if t.is_empty() => Err(vm.err_args("StopIteration", Vec::new())),
        _ => Ok(line),
    }
}

/// `tell()`: the position in code points.
fn tell(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "StringIO", "tell")?;
    let s = me(vm, &args)?;
    check(vm, &s, true)?;
    Ok(Value::Int(s.pos.get() as i64))
}

/// `seek(pos, whence=0, /)`.
fn seek(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [pos, whence] = Spec::method("StringIO", "seek", Style::Positional, &["pos", "whence"], 1)
        .bind(vm, &args, 1)?;
    let pos = ssize(vm, &argspec::required(pos))?;
    let whence = match whence {
        Some(w) => int_arg(vm, &w)?,
        None => 0,
    };
    check(vm, &s, true)?;
    if !(0..=2).contains(&whence) {
        return Err(vm.value_error(format!("Invalid whence ({whence}, should be 0, 1 or 2)")));
    }
    if pos < 0 && whence == 0 {
        return Err(vm.value_error(format!("Negative seek position {pos}")));
    }
    if whence != 0 && pos != 0 {
        return Err(vm.err("OSError", "Can't do nonzero cur-relative seeks"));
    }
    let new = match whence {
        1 => s.pos.get(),
        2 => s.buf.borrow().len(),
        _ => pos as usize,
    };
    s.pos.set(new);
    Ok(Value::Int(new as i64))
}

/// `truncate(pos=None, /)`: the size kept (the position does not move).
fn truncate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [size] =
        Spec::method("StringIO", "truncate", Style::Positional, &["pos"], 0).bind(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?;
    check(vm, &s, true)?;
    let size = size.unwrap_or(s.pos.get() as i64);
    if size < 0 {
        return Err(vm.value_error(format!("Negative size value {size}")));
    }
    let mut buf = s.buf.borrow_mut();
    if (size as usize) < buf.len() {
        buf.truncate(size as usize);
    }
    Ok(Value::Int(size))
}

fn getvalue(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "StringIO", "getvalue")?;
    let s = me(vm, &args)?;
    check(vm, &s, true)?;
    let v = text_of(&s.buf.borrow());
    Ok(v)
}

/// `close()`: the buffer freed; a second close does nothing.
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    argspec::no_args(vm, &args, "StringIO", "close")?;
    let s = me(vm, &args)?;
    s.closed.set(true);
    s.buf.borrow_mut().clear();
    *s.readnl.borrow_mut() = None;
    *s.writenl.borrow_mut() = None;
    s.decoder.set(None);
    Ok(Value::None)
}

fn true_if_open(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    argspec::no_args(vm, args, "StringIO", name)?;
    let s = me(vm, args)?;
    check(vm, &s, true)?;
    Ok(Value::Bool(true))
}

fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    true_if_open(vm, &args, "readable")
}

fn writable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    true_if_open(vm, &args, "writable")
}

fn seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    true_if_open(vm, &args, "seekable")
}

/// The getsets: `closed`, `line_buffering`, `newlines` (and `_TextIOBase`'s `encoding`
/// and `errors`, None).
pub fn attr(vm: &Vm, s: &StringIO, name: &str) -> PyResult<Option<Value>> {
    Ok(match name {
        "closed" => {
            check(vm, s, false)?;
            Some(Value::Bool(s.closed.get()))
        }
        "line_buffering" => {
            check(vm, s, true)?;
            Some(Value::Bool(false))
        }
        "newlines" => {
            check(vm, s, true)?;
            Some(match s.decoder.get() {
                None => Value::None,
                Some(seen) => newlines_value(seen),
            })
        }
        "encoding" | "errors" => Some(Value::None),
        _ => None,
    })
}

/// The decoder's `newlines`: the kinds seen, as one str or a tuple in CPython's order.
pub fn newlines_value(seen: u8) -> Value {
    let kinds: Vec<Value> = [(SEEN_CR, "\r"), (SEEN_LF, "\n"), (SEEN_CRLF, "\r\n")]
        .iter()
        .filter(|(bit, _)| seen & bit != 0)
        .map(|(_, s)| Value::str(s))
        .collect();
    match kinds.len() {
        0 => Value::None,
        1 => kinds[0].clone(),
        _ => Value::tuple(kinds),
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("StringIO", "__new__", new_method),
    ("StringIO", "__init__", init),
    ("StringIO", "__next__", next),
    ("StringIO", "close", close),
    ("StringIO", "getvalue", getvalue),
    ("StringIO", "read", read),
    ("StringIO", "readable", readable),
    ("StringIO", "readline", readline),
    ("StringIO", "seek", seek),
    ("StringIO", "seekable", seekable),
    ("StringIO", "tell", tell),
    ("StringIO", "truncate", truncate),
    ("StringIO", "writable", writable),
    ("StringIO", "write", write),
];
