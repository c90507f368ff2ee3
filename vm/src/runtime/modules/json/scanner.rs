//! `_json.Scanner` (`make_scanner(context)`): the C scanner. It reads `strict`,
//! `object_hook`, `object_pairs_hook`, `parse_float`, `parse_int` and `parse_constant`
//! from the context once (`scanner_new`); a call `scanner(string, idx)` scans one JSON
//! value at `idx` and returns `(value, end)` (`scan_once_unicode`), with a fresh memo of
//! object keys per call, so equal keys are one str object. Nested objects and arrays take
//! the C recursion budget as `_Py_EnterRecursiveCall` does.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::PyResult;
use super::{errmsg, need_str, ssize_arg, stop_iteration};

/// `PyScannerObject`.
#[derive(Debug)]
pub struct Scanner {
    strict: bool,
    object_hook: Value,
    object_pairs_hook: Value,
    parse_float: Value,
    parse_int: Value,
    parse_constant: Value,
}

/// `scanner_new`: `make_scanner(context)`.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ctx] = Spec::function("make_scanner", Style::Keywords, &["context"], 1)
        .keywords(0, 1)
        .bind(vm, &args, 0)?;
    let ctx = ctx.unwrap_or_default();
    let strict = vm.getattr(&ctx, "strict")?;
    let strict = vm.truthy(&strict)?;
    let object_hook = vm.getattr(&ctx, "object_hook")?;
    let object_pairs_hook = vm.getattr(&ctx, "object_pairs_hook")?;
    let parse_float = vm.getattr(&ctx, "parse_float")?;
    let parse_int = vm.getattr(&ctx, "parse_int")?;
    let parse_constant = vm.getattr(&ctx, "parse_constant")?;
    Ok(Value::Native(Rc::new(Native::JsonScanner(Scanner {
        strict,
        object_hook,
        object_pairs_hook,
        parse_float,
        parse_int,
        parse_constant,
    }))))
}

/// The members (`scanner_members`, all read-only).
pub fn attr(s: &Scanner, name: &str) -> Option<Value> {
    Some(match name {
        "strict" => Value::Bool(s.strict),
        "object_hook" => s.object_hook.clone(),
        "object_pairs_hook" => s.object_pairs_hook.clone(),
        "parse_float" => s.parse_float.clone(),
        "parse_int" => s.parse_int.clone(),
        "parse_constant" => s.parse_constant.clone(),
        _ => return None,
    })
}

/// `scanner_call`: `scan_once(string, idx)`.
pub fn call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = args.pos.first().cloned().unwrap_or_default();
    let Value::Native(n) = &me else {
        return Err(vm.bug("Scanner.__call__ without a scanner"));
    };
    let Native::JsonScanner(s) = &**n else {
        return Err(vm.bug("Scanner.__call__ without a scanner"));
    };
    let [string, idx] = Spec::function("scan_once", Style::Keywords, &["string", "idx"], 2)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let string = string.unwrap_or_default();
    let idx = ssize_arg(vm, &idx.unwrap_or_default())?;
    let text = need_str(vm, &string)?;
    let chars: Vec<char> = text.chars().collect();
    let mut run = Run {
        s,
        pystr: &string,
        chars: &chars,
        memo: HashMap::new(),
    };
    let (v, next) = run.scan_once(vm, idx)?;
    Ok(Value::tuple(vec![v, Value::Int(next as i64)]))
}

/// `IS_WHITESPACE`.
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The value of four hex digits, or `None` at a character that is not one.
fn hex4(digits: &[char]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |acc, c| c.to_digit(16).map(|d| (acc << 4) | d))
}

/// `scanstring_unicode`: the JSON string whose opening quote is before `end`, and the
/// index after its closing quote.
pub fn scan_string(
    vm: &mut Vm,
    pystr: &Value,
    chars: &[char],
    end: i64,
    strict: bool,
) -> PyResult<(Value, usize)> {
    let len = chars.len();
    let begin = end - 1;
    if end < 0 || end > len as i64 {
        return Err(vm.value_error("end is out of bounds"));
    }
    let mut end = end as usize;
    let mut out = String::new();
    let mut lone = false;
    loop {
        let mut next = end;
        let mut stop = None;
        while next < len {
            let d = chars[next];
            if d == '"' || d == '\\' {
                stop = Some(d);
                break;
            }
            if u32::from(d) <= 0x1f && strict {
                return Err(errmsg(
                    vm,
                    "Invalid control character at",
                    pystr,
                    next as i64,
                ));
            }
            next += 1;
        }
        let Some(c) = stop else {
            return Err(errmsg(vm, "Unterminated string starting at", pystr, begin));
        };
        out.extend(&chars[end..next]);
        next += 1;
        if c == '"' {
            end = next;
            break;
        }
        if next == len {
            return Err(errmsg(vm, "Unterminated string starting at", pystr, begin));
        }
        let c = chars[next];
        if c != 'u' {
            end = next + 1;
            let decoded = match c {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => {
                    return Err(errmsg(vm, "Invalid \\escape", pystr, end as i64 - 2));
                }
            };
            out.push(decoded);
            continue;
        }
        next += 1;
        end = next + 4;
        if end >= len {
            return Err(errmsg(vm, "Invalid \\uXXXX escape", pystr, next as i64 - 1));
        }
        let Some(mut cp) = hex4(&chars[next..end]) else {
            return Err(errmsg(vm, "Invalid \\uXXXX escape", pystr, end as i64 - 5));
        };
        if (0xd800..=0xdbff).contains(&cp)
            && end + 6 < len
            && chars[end] == '\\'
            && chars[end + 1] == 'u'
        {
            end += 6;
            let Some(c2) = hex4(&chars[end - 4..end]) else {
                return Err(errmsg(vm, "Invalid \\uXXXX escape", pystr, end as i64 - 5));
            };
            if (0xdc00..=0xdfff).contains(&c2) {
                cp = 0x10000 + (((cp - 0xd800) << 10) | (c2 - 0xdc00));
            } else {
                end -= 6;
            }
        }
        match crate::runtime::standins::char_of(cp) {
            Some(ch) => out.push(ch),
            // Known only once the string has been read without an error: CPython would
            // go on reading it, and its later errors come first.
            None => lone = true,
        }
    }
    if lone {
        return Err(vm.unsupported(crate::runtime::standins::UNREPRESENTABLE));
    }
    Ok((Value::str(&out), end))
}

/// One call of the scanner: the string, as code points, and the memo of keys.
struct Run<'a> {
    s: &'a Scanner,
    pystr: &'a Value,
    chars: &'a [char],
    memo: HashMap<Rc<str>, Value>,
}

impl Run<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn skip_ws(&self, mut idx: usize) -> usize {
        while self.at(idx).is_some_and(is_ws) {
            idx += 1;
        }
        idx
    }

    /// Whether `word` follows the character at `idx`.
    fn follows(&self, idx: usize, word: &str) -> bool {
        let n = word.chars().count();
        idx + n < self.chars.len()
            && word
                .chars()
                .enumerate()
                .all(|(k, c)| self.chars[idx + 1 + k] == c)
    }

    /// `scan_once_unicode`.
    fn scan_once(&mut self, vm: &mut Vm, idx: i64) -> PyResult<(Value, usize)> {
        if idx < 0 {
            return Err(vm.value_error("idx cannot be negative"));
        }
        if idx as u64 >= self.chars.len() as u64 {
            return Err(stop_iteration(vm, idx));
        }
        let i = idx as usize;
        match self.chars[i] {
            '"' => return scan_string(vm, self.pystr, self.chars, idx + 1, self.s.strict),
            '{' => {
                vm.enter_c(1, " while decoding a JSON object from a unicode string")?;
                let r = self.parse_object(vm, i + 1);
                vm.leave_c(1);
                return r;
            }
            '[' => {
                vm.enter_c(1, " while decoding a JSON array from a unicode string")?;
                let r = self.parse_array(vm, i + 1);
                vm.leave_c(1);
                return r;
            }
            'n' if self.follows(i, "ull") => return Ok((Value::None, i + 4)),
            't' if self.follows(i, "rue") => return Ok((Value::Bool(true), i + 4)),
            'f' if self.follows(i, "alse") => return Ok((Value::Bool(false), i + 5)),
            'N' if self.follows(i, "aN") => return self.constant(vm, "NaN", i),
            'I' if self.follows(i, "nfinity") => return self.constant(vm, "Infinity", i),
            '-' if self.follows(i, "Infinity") => return self.constant(vm, "-Infinity", i),
            _ => {}
        }
        self.match_number(vm, i)
    }

    /// `_parse_constant`: `parse_constant(name)`.
    fn constant(&mut self, vm: &mut Vm, name: &str, idx: usize) -> PyResult<(Value, usize)> {
        let v = vm.call1(&self.s.parse_constant, Value::str(name))?;
        Ok((v, idx + name.len()))
    }

    /// `_parse_object_unicode`: `idx` is just after the `{`.
    fn parse_object(&mut self, vm: &mut Vm, idx: usize) -> PyResult<(Value, usize)> {
        let pairs_hook = !self.s.object_pairs_hook.is_none();
        let mut pairs: Vec<Value> = Vec::new();
        let dict = super::super::super::dict::Dict::new_rc();
        let mut idx = self.skip_ws(idx);
        if self.at(idx) != Some('}') {
            loop {
                if self.at(idx) != Some('"') {
                    return Err(errmsg(
                        vm,
                        "Expecting property name enclosed in double quotes",
                        self.pystr,
                        idx as i64,
                    ));
                }
                let (key, next) =
                    scan_string(vm, self.pystr, self.chars, idx as i64 + 1, self.s.strict)?;
                let key = match &key {
                    Value::Str(k) => self.memo.entry(k.clone()).or_insert(key.clone()).clone(),
                    _ => key,
                };
                idx = self.skip_ws(next);
                if self.at(idx) != Some(':') {
                    return Err(errmsg(
                        vm,
                        "Expecting ':' delimiter",
                        self.pystr,
                        idx as i64,
                    ));
                }
                idx = self.skip_ws(idx + 1);
                let (val, next) = self.scan_once(vm, idx as i64)?;
                if pairs_hook {
                    pairs.push(Value::tuple(vec![key, val]));
                } else {
                    dict.set(key, val)
                        .map_err(|_| vm.bug("a JSON object key that is not a str"))?;
                }
                match self.after_item(vm, next, '}')? {
                    Ok(close) => {
                        idx = close;
                        break;
                    }
                    Err(item) => idx = item,
                }
            }
        }
        let next = idx + 1;
        if pairs_hook {
            let v = vm.call1(&self.s.object_pairs_hook, Value::list(pairs))?;
            return Ok((v, next));
        }
        if !self.s.object_hook.is_none() {
            let v = vm.call1(&self.s.object_hook, Value::Dict(dict))?;
            return Ok((v, next));
        }
        Ok((Value::Dict(dict), next))
    }

    /// After an item of an object or array ending at `next`: `Ok` with the position of
    /// the closing `close`, `Err` with the start of the next item after a `,`, or the
    /// "Expecting ',' delimiter" error.
    fn after_item(&self, vm: &mut Vm, next: usize, close: char) -> PyResult<Result<usize, usize>> {
        let idx = self.skip_ws(next);
        match self.at(idx) {
            Some(c) if c == close => Ok(Ok(idx)),
            Some(',') => Ok(Err(self.skip_ws(idx + 1))),
            _ => Err(errmsg(
                vm,
                "Expecting ',' delimiter",
                self.pystr,
                idx as i64,
            )),
        }
    }

    /// `_parse_array_unicode`: `idx` is just after the `[`.
    fn parse_array(&mut self, vm: &mut Vm, idx: usize) -> PyResult<(Value, usize)> {
        let mut items = Vec::new();
        let mut idx = self.skip_ws(idx);
        if self.at(idx) != Some(']') {
            loop {
                let (val, next) = self.scan_once(vm, idx as i64)?;
                items.push(val);
                match self.after_item(vm, next, ']')? {
                    Ok(close) => {
                        idx = close;
                        break;
                    }
                    Err(item) => idx = item,
                }
            }
        }
        Ok((Value::list(items), idx + 1))
    }

    /// `_match_number_unicode`: a JSON number at `start`, or StopIteration(start).
    fn match_number(&mut self, vm: &mut Vm, start: usize) -> PyResult<(Value, usize)> {
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let len = self.chars.len();
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
            if idx >= len {
                return Err(stop_iteration(vm, start as i64));
            }
        }
        match self.at(idx) {
            Some('1'..='9') => {
                idx += 1;
                while digit(self.at(idx)) {
                    idx += 1;
                }
            }
            Some('0') => idx += 1,
            _ => return Err(stop_iteration(vm, start as i64)),
        }
        let mut is_float = false;
        if idx + 1 < len && self.chars[idx] == '.' && digit(self.at(idx + 1)) {
            is_float = true;
            idx += 2;
            while digit(self.at(idx)) {
                idx += 1;
            }
        }
        if idx + 1 < len && matches!(self.chars[idx], 'e' | 'E') {
            let e_start = idx;
            idx += 1;
            if idx + 1 < len && matches!(self.chars[idx], '-' | '+') {
                idx += 1;
            }
            while digit(self.at(idx)) {
                idx += 1;
            }
            if digit(self.at(idx - 1)) {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        let text: String = self.chars[start..idx].iter().collect();
        let is_type = |v: &Value, name: &str| match v {
            Value::Type(t) => Rc::ptr_eq(t, &vm.ty(name)),
            _ => false,
        };
        let custom = if is_float && !is_type(&self.s.parse_float, "float") {
            Some(self.s.parse_float.clone())
        } else if !is_float && !is_type(&self.s.parse_int, "int") {
            Some(self.s.parse_int.clone())
        } else {
            None
        };
        let v = match custom {
            Some(f) => vm.call1(&f, Value::str(&text))?,
            None if is_float => match text.parse::<f64>() {
                Ok(x) => Value::Float(x),
                Err(_) => return Err(vm.bug(format!("a JSON number Rust cannot read: {text}"))),
            },
            None => match crate::arith::text::parse_int(&text, 10, vm.int_max_str_digits) {
                Ok(n) => Value::from_num(n),
                Err(crate::arith::text::ParseError::Limit(m)) => return Err(vm.value_error(m)),
                Err(crate::arith::text::ParseError::Invalid) => {
                    return Err(vm.bug(format!("a JSON integer int() refuses: {text}")))
                }
            },
        };
        Ok((v, idx))
    }
}
