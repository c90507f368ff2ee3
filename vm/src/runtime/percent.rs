//! `fmt % args` for `str` (CPython 3.12 `PyUnicode_Format`, Objects/unicodeobject.c):
//! `%[(key)][flags][width][.precision][hlL]conversion`, read exactly as CPython reads it,
//! so a malformed format fails at the same place with the same error.
//!
//! Naming: `c` the format's characters, `pos` the index of the next one to read, `left`
//! how many remain (CPython's `fmtcnt`, which goes to -1 when a read runs off the end),
//! `ch` the last character read.

use super::fmtspec::{double_to_string, Flags};
use super::heap;
use super::int::TOO_LARGE_SSIZE_T;
use super::interp::Vm;
use super::object::Value;
use super::{PyResult, Throw};
use crate::arith::{self, Num};

/// The arguments being consumed (`struct unicode_formatter_t`): a tuple is taken item by
/// item (`arglen` its length); any other value is the one argument (`arglen` -1,
/// `argidx` -2 until it is taken).
struct Args {
    args: Value,
    arglen: i64,
    argidx: i64,
    dict: Option<Value>,
}

/// One conversion as parsed (`struct unicode_format_arg_t`).
#[derive(Default)]
struct Conv {
    ch: char,
    ljust: bool,
    plus: bool,
    blank: bool,
    alt: bool,
    zero: bool,
    width: Option<i64>,
    prec: Option<i64>,
    /// A numeric conversion, whose sign the padding treats apart.
    sign: bool,
}

/// The cursor over the format (`fmtpos`, `fmtcnt`).
struct Cursor<'a> {
    c: &'a [char],
    pos: usize,
    left: i64,
}

impl Cursor<'_> {
    /// `if (--fmtcnt >= 0) { ch = READ(fmtpos); fmtpos++; }`
    fn next(&mut self, ch: &mut char) -> bool {
        self.left -= 1;
        if self.left < 0 {
            return false;
        }
        *ch = self.c[self.pos];
        self.pos += 1;
        true
    }
}

impl Vm {
    /// `fmt % args`.
    pub fn percent_format(&mut self, fmt: &str, args: &Value) -> PyResult<String> {
        let (arglen, argidx) = match args {
            Value::Tuple(t) => (t.len() as i64, 0),
            _ => (-1, -2),
        };
        let dict = (self.is_mapping(args) && !matches!(args, Value::Tuple(_) | Value::Str(_)))
            .then(|| args.clone());
        let mut a = Args {
            args: args.clone(),
            arglen,
            argidx,
            dict,
        };
        let c: Vec<char> = fmt.chars().collect();
        let mut out = String::new();
        let mut pos = 0;
        while pos < c.len() {
            if c[pos] != '%' {
                out.push(c[pos]);
                pos += 1;
                continue;
            }
            pos += 1;
            if c.get(pos) == Some(&'%') {
                out.push('%');
                pos += 1;
                continue;
            }
            let mut cur = Cursor {
                c: &c,
                pos,
                left: (c.len() - pos) as i64,
            };
            let mut conv = self.parse_conversion(&mut cur, &mut a)?;
            pos = cur.pos;
            let v = self.next_arg(&mut a)?;
            let body = self.convert(&mut conv, &v, pos - 1)?;
            self.pad_conversion(&mut out, &conv, &body)?;
            // A short format can repeat a long argument many times.
            self.check_heap()?;
            if a.dict.is_some() && a.argidx < a.arglen {
                return Err(self.not_all_converted());
            }
        }
        if a.argidx < a.arglen && a.dict.is_none() {
            return Err(self.not_all_converted());
        }
        Ok(out)
    }

    fn not_all_converted(&self) -> Throw {
        self.type_error("not all arguments converted during string formatting")
    }

    /// `PyMapping_Check`: the type has a `__getitem__` slot.
    pub fn is_mapping(&self, v: &Value) -> bool {
        match v {
            Value::Dict(_)
            | Value::List(_)
            | Value::Tuple(_)
            | Value::Str(_)
            | Value::Bytes(_)
            | Value::Range(_) => true,
            Value::Object(_) => self.special(v, "__getitem__").is_some(),
            _ => false,
        }
    }

    /// `unicode_format_getnextarg`.
    fn next_arg(&self, a: &mut Args) -> PyResult<Value> {
        if a.argidx < a.arglen {
            let i = a.argidx;
            a.argidx += 1;
            if a.arglen < 0 {
                return Ok(a.args.clone());
            }
            if let Value::Tuple(t) = &a.args {
                if let Some(v) = t.get(i as usize) {
                    return Ok(v.clone());
                }
            }
        }
        Err(self.type_error("not enough arguments for format string"))
    }

    /// A `*` width or precision: an int (`PyLong_Check`).
    fn star_arg(&self, a: &mut Args) -> PyResult<i64> {
        match self.next_arg(a)? {
            Value::Int(i) => Ok(i),
            Value::Bool(b) => Ok(i64::from(b)),
            Value::BigInt(_) => Err(self.err("OverflowError", TOO_LARGE_SSIZE_T)),
            _ => Err(self.type_error("* wants int")),
        }
    }

    /// `unicode_format_arg_parse`: everything between `%` and the conversion character.
    fn parse_conversion(&mut self, cur: &mut Cursor, a: &mut Args) -> PyResult<Conv> {
        let mut conv = Conv::default();
        if cur.c.get(cur.pos) == Some(&'(') {
            let Some(dict) = a.dict.clone() else {
                return Err(self.type_error("format requires a mapping"));
            };
            cur.pos += 1;
            cur.left -= 1;
            let start = cur.pos;
            let mut depth = 1;
            while depth > 0 && cur.left > 0 {
                match cur.c[cur.pos] {
                    ')' => depth -= 1,
                    '(' => depth += 1,
                    _ => {}
                }
                cur.pos += 1;
                cur.left -= 1;
            }
            if cur.left < 0 || depth > 0 {
                return Err(self.value_error("incomplete format key"));
            }
            let key: String = cur.c[start..cur.pos - 1].iter().collect();
            a.args = self.getitem(&dict, &Value::str(&key))?;
            a.arglen = -1;
            a.argidx = -2;
        }
        let mut ch = '\0';
        while cur.next(&mut ch) {
            match ch {
                '-' => conv.ljust = true,
                '+' => conv.plus = true,
                ' ' => conv.blank = true,
                '#' => conv.alt = true,
                '0' => conv.zero = true,
                _ => break,
            }
        }
        if ch == '*' {
            let mut w = self.star_arg(a)?;
            if w < 0 {
                conv.ljust = true;
                // CPython negates -2**63 with undefined behaviour.
                w = w
                    .checked_neg()
                    .ok_or_else(|| self.unsupported("a %-format width of -2**63"))?;
            }
            conv.width = Some(w);
            cur.next(&mut ch);
        } else if let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) {
            let mut w = i64::from(d);
            while cur.next(&mut ch) {
                let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) else {
                    break;
                };
                w = w
                    .checked_mul(10)
                    .and_then(|w| w.checked_add(i64::from(d)))
                    .ok_or_else(|| self.value_error("width too big"))?;
            }
            conv.width = Some(w);
        }
        if ch == '.' {
            conv.prec = Some(0);
            cur.next(&mut ch);
            if ch == '*' {
                let p = self.star_arg(a)?;
                if i32::try_from(p).is_err() {
                    return Err(
                        self.err("OverflowError", "Python int too large to convert to C int")
                    );
                }
                conv.prec = Some(p.max(0));
                cur.next(&mut ch);
            } else if let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) {
                let mut p = i64::from(d);
                while cur.next(&mut ch) {
                    let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) else {
                        break;
                    };
                    p = p * 10 + i64::from(d);
                    if p > i64::from(i32::MAX) {
                        return Err(self.value_error("precision too big"));
                    }
                }
                conv.prec = Some(p);
            }
        }
        if cur.left >= 0 && matches!(ch, 'h' | 'l' | 'L') {
            cur.next(&mut ch);
        }
        if cur.left < 0 {
            return Err(self.value_error("incomplete format"));
        }
        conv.ch = ch;
        Ok(conv)
    }

    /// `unicode_format_arg_format`: the converted text of `v`, before padding. `at` is
    /// the conversion character's index, for the error naming it.
    fn convert(&mut self, conv: &mut Conv, v: &Value, at: usize) -> PyResult<String> {
        let zero_extends = matches!(conv.ch, 'd' | 'i' | 'u' | 'o' | 'x' | 'X')
            || matches!(conv.ch, 'e' | 'E' | 'f' | 'F')
            || (conv.alt && matches!(conv.ch, 'g' | 'G'));
        if zero_extends {
            // Digits written out to the precision (at most `INT_MAX`: never beyond what
            // CPython can allocate); `g` drops trailing zeros, so its text stays short.
            self.reserve(conv.prec.unwrap_or(0).max(0) as u128)?;
        }
        // A weakref proxy's number slots (`nb_int`, `nb_index`, `nb_float`) are its
        // referent's, which the numeric conversions below do not ask of a native object.
        if !matches!(conv.ch, 's' | 'r' | 'a') && super::weakproxy::as_proxy(v).is_some() {
            return Err(self.unsupported("%-formatting a weakref proxy as a number"));
        }
        match conv.ch {
            's' => self.str_of(v),
            'r' => self.repr(v),
            'a' => self.ascii(v),
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                conv.sign = true;
                let i = self.percent_int(conv.ch, v)?;
                self.format_long(&i, conv)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                conv.sign = true;
                let x = match v {
                    Value::Float(x) => *x,
                    Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                        let n = super::int::num(v).unwrap_or(Num::Int(0));
                        n.to_f64().map_err(|e| self.arith_error(e))?
                    }
                    Value::Object(_) if self.special(v, "__float__").is_some() => {
                        return Err(self.unsupported("%-formatting an object with __float__"));
                    }
                    // `PyFloat_AsDouble`: `nb_index` when there is no `nb_float`.
                    Value::Object(_) if self.has_index(v) => {
                        let i = self.number_index(v)?;
                        let n = super::int::num(&i).unwrap_or(Num::Int(0));
                        n.to_f64().map_err(|e| self.arith_error(e))?
                    }
                    _ => {
                        let n = self.type_of(v).name().clone();
                        return Err(self.type_error(format!("must be real number, not {n}")));
                    }
                };
                let flags = Flags {
                    alt: conv.alt,
                    ..Flags::default()
                };
                let prec = conv.prec.unwrap_or(6) as usize;
                Ok(double_to_string(x, conv.ch, prec, flags))
            }
            'c' => {
                let code = match v {
                    Value::Str(s) if s.chars().count() == 1 => return Ok(s.to_string()),
                    Value::Int(_) | Value::Bool(_) => super::protocol::as_i64(v),
                    Value::BigInt(_) => -1,
                    // `PyLong_AsLongAndOverflow`: `__index__`; its TypeError is the
                    // conversion's.
                    _ if self.has_index(v) => match self.try_index(v) {
                        Ok(Some(Value::Int(i))) => i,
                        Ok(_) => -1,
                        Err(Throw::Exc(e)) if self.is_instance_of(&e, "TypeError") => {
                            return Err(self.type_error("%c requires int or char"))
                        }
                        Err(e) => return Err(e),
                    },
                    _ => return Err(self.type_error("%c requires int or char")),
                };
                if !(0..=0x10ffff).contains(&code) {
                    return Err(self.err("OverflowError", "%c arg not in range(0x110000)"));
                }
                Ok(super::standins::char_for(self, code as u32)?.to_string())
            }
            ch => {
                let shown = if (' '..='~').contains(&ch) || ch == '\x1f' {
                    ch
                } else {
                    '?'
                };
                Err(self.value_error(format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {at}",
                    u32::from(ch)
                )))
            }
        }
    }

    /// `mainformatlong`'s conversion of `v` to an int.
    fn percent_int(&mut self, ty: char, v: &Value) -> PyResult<Num> {
        let wrong = |vm: &Vm| {
            let n = vm.type_of(v).name().clone();
            let what = if matches!(ty, 'o' | 'x' | 'X') {
                "an integer"
            } else {
                "a real number"
            };
            vm.type_error(format!("%{ty} format: {what} is required, not {n}"))
        };
        // `_PyNumber_Index` for o, x, X; `PyNumber_Long` (`nb_int`, then `nb_index`) for
        // the others. A TypeError from either is the format's own.
        let by_index = matches!(ty, 'o' | 'x' | 'X') || self.special(v, "__int__").is_none();
        if by_index && self.has_index(v) {
            return match self.try_index(v) {
                Ok(i) => Ok(i.as_ref().and_then(super::int::num).unwrap_or(Num::Int(0))),
                Err(Throw::Exc(e)) if self.is_instance_of(&e, "TypeError") => Err(wrong(self)),
                Err(e) => Err(e),
            };
        }
        match v {
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                Ok(super::int::num(v).unwrap_or(Num::Int(0)))
            }
            Value::Float(_) if matches!(ty, 'o' | 'x' | 'X') => Err(wrong(self)),
            Value::Float(x) => arith::f64_to_int(*x).map_err(|e| self.arith_error(e)),
            Value::Object(_)
                if self.special(v, "__int__").is_some()
                    || self.special(v, "__float__").is_some() =>
            {
                Err(self.unsupported("%-formatting an object with __int__ or __float__"))
            }
            _ => Err(wrong(self)),
        }
    }

    /// `unicode_format_arg_output`: `body` padded to the width, with the sign and the
    /// `0x` of a numeric conversion kept in front of zero padding.
    fn pad_conversion(&self, out: &mut String, conv: &Conv, body: &str) -> PyResult<()> {
        let fill = if conv.sign && conv.zero { '0' } else { ' ' };
        if let Some(width) = conv.width.filter(|&w| w > body.len() as i64) {
            // `_PyUnicodeWriter_Prepare(writer, width, maxchar)`.
            let block = heap::str_block(width as u128, heap::max_char(body).max(fill));
            self.before_alloc(block, width as u128 + body.len() as u128)?;
        }
        let chars: Vec<char> = body.chars().collect();
        let mut len = chars.len() as i64;
        if matches!(conv.ch, 's' | 'r' | 'a') {
            if let Some(p) = conv.prec {
                len = len.min(p);
            }
        }
        let mut at = 0usize;
        let mut sign = None;
        let mut has_sign = conv.sign;
        if has_sign {
            match chars.first() {
                Some(&c @ ('-' | '+')) => {
                    sign = Some(c);
                    len -= 1;
                    at = 1;
                }
                _ if conv.plus => sign = Some('+'),
                _ if conv.blank => sign = Some(' '),
                _ => has_sign = false,
            }
        }
        let mut width = conv.width.unwrap_or(-1).max(len);
        if has_sign {
            if fill != ' ' {
                out.extend(sign);
            }
            if width > len {
                width -= 1;
            }
        }
        let prefixed = conv.alt && matches!(conv.ch, 'x' | 'X' | 'o');
        if prefixed {
            if fill != ' ' {
                out.push('0');
                out.push(conv.ch);
            }
            width -= 2;
            len -= 2;
            at += 2;
        }
        if width > len && !conv.ljust {
            out.extend(std::iter::repeat_n(fill, (width - len) as usize));
            width = len;
        }
        if fill == ' ' {
            if has_sign {
                out.extend(sign);
            }
            if prefixed {
                out.push('0');
                out.push(conv.ch);
            }
        }
        let len = len.max(0) as usize;
        out.extend(chars.iter().skip(at).take(len));
        if width > len as i64 {
            out.extend(std::iter::repeat_n(' ', (width - len as i64) as usize));
        }
        Ok(())
    }
}

impl Vm {
    /// `_PyUnicode_FormatLong`: `[-][0x]digits`, the digits zero-extended to the precision,
    /// the `0x` only with `#`; decimal digits under the int/str digit limit.
    fn format_long(&self, n: &Num, conv: &Conv) -> PyResult<String> {
        let (digits, prefix) = match conv.ch {
            'o' => (arith::text::magnitude_digits(n, 8), "0o"),
            'x' => (arith::text::magnitude_digits(n, 16), "0x"),
            'X' => (
                arith::text::magnitude_digits(n, 16).to_ascii_uppercase(),
                "0X",
            ),
            _ => {
                let text = self.int_text(n)?;
                (text.trim_start_matches('-').to_owned(), "")
            }
        };
        let negative = n.exact_cmp(&Num::Int(0)) == Some(std::cmp::Ordering::Less);
        let prefix = if conv.alt { prefix } else { "" };
        let zeros = (conv.prec.unwrap_or(0) - digits.len() as i64).max(0) as usize;
        Ok(format!(
            "{}{prefix}{}{digits}",
            if negative { "-" } else { "" },
            "0".repeat(zeros)
        ))
    }
}
