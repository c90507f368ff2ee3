//! `_tokenize` (CPython `Python/Python-tokenize.c`): `TokenizerIter`, the C tokenizer as
//! `tokenize.py` drives it (`extra_tokens=True`: every operator an OP token). The VM
//! tokenizes the simple lines `inspect` hands it — the text signatures of built-in
//! functions — exactly: names, decimal numbers, one-line strings without escapes,
//! operators, spaces between tokens, and each line ending a logical line. Anything else
//! (indentation, comments, brackets across lines, blank lines, continuation lines,
//! f-strings, other number forms, non-ASCII text) and `extra_tokens=False` are
//! unsupported. Lines are read from `readline` one at a time, when the tokens read so far
//! are used up.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::{PyResult, Throw};

/// The types `_tokenize` defines, by the VM's names for them.
pub const TYPES: &[&str] = &["TokenizerIter"];

/// Token types (Lib/token.py).
const ENDMARKER: i64 = 0;
const NAME: i64 = 1;
const NUMBER: i64 = 2;
const STRING: i64 = 3;
const NEWLINE: i64 = 4;
const OP: i64 = 55;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("TokenizerIter", Value::Type(vm.ty("TokenizerIter")));
}

/// A tokenizer's state: the `readline` callable, whether it yields bytes to decode, the
/// tokens of the lines read so far, and where it is.
#[derive(Debug)]
pub struct Tokenizer {
    readline: Value,
    bytes: bool,
    state: RefCell<State>,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Value>,
    row: i64,
    /// The last line had no newline: the input ended there.
    ended: bool,
    done: bool,
}

/// `TokenizerIter(readline, *, extra_tokens, encoding=None)` (tokenizeriter_new_impl).
pub fn construct(vm: &mut Vm, _t: &Rc<Type>, args: Args) -> PyResult<Value> {
    let params = &["readline", "extra_tokens", "encoding"];
    let mut spec = Spec::function("tokenizeriter", Style::Keywords, params, 2).keywords(1, 1);
    spec.required = 2;
    let [readline, extra, encoding] = spec.bind::<3>(vm, &args, 0)?;
    let extra = extra.unwrap_or_default();
    if !vm.truthy(&extra)? {
        return Err(vm.unsupported("_tokenize.TokenizerIter with extra_tokens=False"));
    }
    let bytes = match encoding.map(|e| e.builtin_value().clone()) {
        None | Some(Value::None) => false,
        Some(Value::Str(e)) if &*e == "utf-8" => true,
        Some(_) => return Err(vm.unsupported("_tokenize.TokenizerIter with this encoding")),
    };
    Ok(Value::Native(Rc::new(Native::Tokenizer(Tokenizer {
        readline: readline.unwrap_or_default(),
        bytes,
        state: RefCell::new(State::default()),
    }))))
}

fn me<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a Tokenizer> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::Tokenizer(t) => Ok(t),
            _ => Err(vm.bug("a TokenizerIter method without one")),
        },
        _ => Err(vm.bug("a TokenizerIter method without one")),
    }
}

fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("TokenizerIter", "__iter__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    Ok(args.pos[0].clone())
}

fn iter_next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("TokenizerIter", "__next__", Style::Wrapper, &[], 0).parse(vm, &args, 1)?;
    let t = me(vm, &args)?;
    loop {
        if let Some(tok) = t.state.borrow_mut().queue.pop_front() {
            return Ok(tok);
        }
        if t.state.borrow().done {
            return Err(vm.err_args("StopIteration", vec![]));
        }
        let line = read_line(vm, t)?;
        let mut st = t.state.borrow_mut();
        match line {
            None => {
                if st.row == 0 {
                    return Err(vm.unsupported("_tokenize.TokenizerIter of empty input"));
                }
                let end = Value::tuple(vec![Value::Int(st.row + 1), Value::Int(0)]);
                st.queue.push_back(Value::tuple(vec![
                    Value::Int(ENDMARKER),
                    Value::str(""),
                    end.clone(),
                    end,
                    Value::str(""),
                ]));
                st.done = true;
            }
            Some(_) if st.ended => {
                return Err(vm.bug("readline gave a line after one without a newline"));
            }
            Some(line) => {
                st.row += 1;
                let row = st.row;
                let tokens = tokenize_line(&line)
                    .ok_or_else(|| vm.unsupported("_tokenize.TokenizerIter of this text"))?;
                let shown = Value::str(&line);
                for (kind, start, end) in tokens {
                    st.queue
                        .push_back(token(kind, &line[start..end], row, start, end, &shown));
                }
                let body = line.strip_suffix('\n');
                let n = body.unwrap_or(&line).len();
                let text = if body.is_some() { "\n" } else { "" };
                st.queue
                    .push_back(token(NEWLINE, text, row, n, n + 1, &shown));
                st.ended = body.is_none();
            }
        }
    }
}

/// One token tuple: (type, string, (row, start), (row, end), line). The columns are byte
/// offsets, which are the character offsets of the ASCII lines tokenized here.
fn token(kind: i64, text: &str, row: i64, start: usize, end: usize, line: &Value) -> Value {
    Value::tuple(vec![
        Value::Int(kind),
        Value::str(text),
        Value::tuple(vec![Value::Int(row), Value::Int(start as i64)]),
        Value::tuple(vec![Value::Int(row), Value::Int(end as i64)]),
        line.clone(),
    ])
}

/// The next line from `readline`: `None` at the end (an empty line, or StopIteration).
fn read_line(vm: &mut Vm, t: &Tokenizer) -> PyResult<Option<String>> {
    let got = match vm.call0(&t.readline) {
        Ok(v) => v,
        Err(Throw::Exc(e) | Throw::Reraise(e)) if vm.is_instance_of(&e, "StopIteration") => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let text = match (got.builtin_value(), t.bytes) {
        (Value::Bytes(b), true) if b.is_ascii() => {
            String::from_utf8(b.to_vec()).map_err(|_| vm.bug("ASCII bytes not UTF-8"))?
        }
        (Value::Str(s), false) if s.is_ascii() => s.to_string(),
        _ => return Err(vm.unsupported("_tokenize.TokenizerIter of this input")),
    };
    Ok((!text.is_empty()).then_some(text))
}

/// The operators of the grammar, longest first (Grammar/Tokens).
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "(", ")", "[", "]", "{", "}", ":", ",",
    ";", "+", "-", "*", "/", "|", "&", "<", ">", "=", ".", "%", "~", "^", "@",
];

/// The tokens of one line of the subset this tokenizer covers, as (type, start, end)
/// byte offsets; `None` for anything outside it. The line must stand alone: no leading
/// space, brackets closed on it, no comment or backslash.
fn tokenize_line(line: &str) -> Option<Vec<(i64, usize, usize)>> {
    let b = line.strip_suffix('\n').unwrap_or(line).as_bytes();
    if b.is_empty() || b[0] == b' ' || b[0] == b'\t' {
        return None;
    }
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            // A string prefix followed by a quote: only the plain prefixes of bytes and
            // raw strings; f-strings are outside the subset.
            if i < b.len() && (b[i] == b'\'' || b[i] == b'"') {
                let prefix = line[start..i].to_ascii_lowercase();
                if !matches!(prefix.as_str(), "b" | "r" | "u" | "br" | "rb") {
                    return None;
                }
                i = string_end(b, i)?;
                out.push((STRING, start, i));
            } else {
                out.push((NAME, start, i));
            }
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i = number_end(b, i)?;
            out.push((NUMBER, start, i));
            continue;
        }
        if c == b'\'' || c == b'"' {
            i = string_end(b, i)?;
            out.push((STRING, start, i));
            continue;
        }
        // `$` (the text signatures' `$self`) is an error token, an OP in this mode.
        if c == b'$' {
            i += 1;
            out.push((OP, start, i));
            continue;
        }
        let op = OPERATORS
            .iter()
            .find(|op| b[i..].starts_with(op.as_bytes()))?;
        match *op {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
        i += op.len();
        out.push((OP, start, i));
    }
    (depth == 0).then_some(out)
}

/// The end of a one-line string without escapes or triple quotes starting at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let q = b[i];
    if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\\' {
            return None;
        }
        if b[j] == q {
            return Some(j + 1);
        }
        j += 1;
    }
    None
}

/// The end of a decimal number (digits, a fraction, an exponent) starting at `i`; other
/// forms (hex, octal, binary, underscores, imaginary) are outside the subset.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    if b[i] == b'0'
        && b.get(i + 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        // 0x…, 0o…, 0b…, 00…: outside the subset (a plain 0 is fine).
        if !matches!(b.get(i + 1), Some(b'.' | b'e' | b'E')) {
            return None;
        }
    }
    i = digits(b, i);
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if !b.get(j).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        i = digits(b, j);
    }
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
    {
        return None;
    }
    Some(i)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("TokenizerIter", "__iter__", iter_self),
    ("TokenizerIter", "__next__", iter_next),
];
