//! Constants and names as a listing writes them: Python's literal syntax for the values a
//! code object's `co_consts` holds (the reprs of `None`, `True`, `...`, ints, floats,
//! complex numbers, str, bytes, tuples, `frozenset({…})`) and `code ID` for a nested code
//! object. Printing then reading a constant gives the same constant, bits included: a
//! float or complex whose repr would not (a NaN with a sign or payload) is not listable.

use std::rc::Rc;

use num_bigint::BigInt;

use crate::code::Constant;
use crate::reprs::{bytes_repr, code_points_repr, complex_repr, float_repr, str_repr};

/// A constant as read, before the code objects it names are known.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Lit {
    Plain(Constant),
    /// `code ID`: the code object of section `ID`.
    Code(String),
    Tuple(Vec<Lit>),
    FrozenSet(Vec<Lit>),
}

/// A constant as the listing writes it; `code_id` names a nested code object's section.
/// `None` when the text would not read back as the same constant.
pub(super) fn print(c: &Constant, code_id: &dyn Fn(&Constant) -> String) -> Option<String> {
    Some(match c {
        Constant::None => "None".to_owned(),
        Constant::Ellipsis => "...".to_owned(),
        Constant::Bool(true) => "True".to_owned(),
        Constant::Bool(false) => "False".to_owned(),
        Constant::Int(i) => i.to_string(),
        Constant::BigInt(b) => b.to_string(),
        Constant::Float(f) => float(*f)?,
        Constant::Complex(re, im) => {
            let text = complex_repr(*re, *im);
            match read_all(&text) {
                Ok(Lit::Plain(Constant::Complex(r2, i2)))
                    if r2.to_bits() == re.to_bits() && i2.to_bits() == im.to_bits() =>
                {
                    text
                }
                // A part whose repr loses its sign (a NaN): each part as a float.
                _ => format!("complex({}, {})", float(*re)?, float(*im)?),
            }
        }
        Constant::Str(s) => str_repr(s),
        Constant::StrSurrogates(b) => code_points_repr(&crate::surrogate_str::decode(b)?),
        Constant::Bytes(b) => bytes_repr(b),
        Constant::Tuple(items) => {
            let parts = items
                .iter()
                .map(|i| print(i, code_id))
                .collect::<Option<Vec<_>>>()?;
            match parts.len() {
                1 => format!("({},)", parts[0]),
                _ => format!("({})", parts.join(", ")),
            }
        }
        // In the order the elements were added (which decides the set's layout), not
        // the order it iterates in.
        Constant::FrozenSet(items) if items.is_empty() => "frozenset()".to_owned(),
        Constant::FrozenSet(items) => {
            let parts = items
                .iter()
                .map(|i| print(i, code_id))
                .collect::<Option<Vec<_>>>()?;
            format!("frozenset({{{}}})", parts.join(", "))
        }
        Constant::Code(_) => format!("code {}", code_id(c)),
    })
}

/// A float's repr, or `-nan` for the NaN with the sign bit (what x86 makes of `inf - inf`,
/// which constant folding keeps); `None` for a NaN with another payload.
fn float(f: f64) -> Option<String> {
    [float_repr(f), "-nan".to_owned()].into_iter().find(|text| {
        matches!(read_all(text), Ok(Lit::Plain(Constant::Float(back))) if back.to_bits() == f.to_bits())
    })
}

/// Reads `text` as exactly one constant.
fn read_all(text: &str) -> Result<Lit, (usize, String)> {
    let mut r = Reader::new(text);
    let lit = r.literal()?;
    r.skip_ws();
    if !r.at_end() {
        return Err((r.pos, "unexpected text after the constant".into()));
    }
    Ok(lit)
}

/// A cursor over one line of a listing; positions are byte offsets into it.
pub(super) struct Reader<'a> {
    text: &'a str,
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader { text, pos: 0 }
    }

    pub fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Consumes `s` if the text goes on with it.
    pub fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), (usize, String)> {
        self.skip_ws();
        if self.eat(s) {
            Ok(())
        } else {
            Err((self.pos, format!("expected '{s}'")))
        }
    }

    /// A bare word: everything up to white space, a comma, a closing parenthesis or a
    /// comment.
    pub fn word(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, ',' | ')' | ';') {
                break;
            }
            self.bump();
        }
        &self.text[start..self.pos]
    }

    /// A name: a bare word, or a str literal for one a bare word cannot spell.
    pub fn name(&mut self) -> Result<String, (usize, String)> {
        self.skip_ws();
        let start = self.pos;
        if matches!(self.peek(), Some('\'' | '"')) {
            return match self.string(false)? {
                Constant::Str(s) => Ok(s.to_string()),
                _ => Err((start, "a name cannot hold a lone surrogate".into())),
            };
        }
        let w = self.word();
        if w.is_empty() {
            return Err((start, "expected a name".into()));
        }
        Ok(w.to_owned())
    }

    /// One constant.
    pub fn literal(&mut self) -> Result<Lit, (usize, String)> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            None => Err((start, "expected a constant".into())),
            Some('(') => self.paren(),
            Some('\'' | '"') => Ok(Lit::Plain(self.string(false)?)),
            Some('b') if matches!(self.rest().as_bytes().get(1), Some(b'\'' | b'"')) => {
                self.bump();
                Ok(Lit::Plain(self.string(true)?))
            }
            Some('.') if self.eat("...") => Ok(Lit::Plain(Constant::Ellipsis)),
            Some(c) if c.is_ascii_digit() || c == '-' || c == '.' => Ok(Lit::Plain(self.number()?)),
            Some(_) => {
                for (word, value) in [
                    ("None", Constant::None),
                    ("True", Constant::Bool(true)),
                    ("False", Constant::Bool(false)),
                    ("Ellipsis", Constant::Ellipsis),
                ] {
                    if self.keyword(word) {
                        return Ok(Lit::Plain(value));
                    }
                }
                if self.keyword("code") {
                    return Ok(Lit::Code(self.name()?));
                }
                if self.eat("frozenset(") {
                    return self.frozenset();
                }
                if self.eat("complex(") {
                    let re = self.float_part()?;
                    self.expect(",")?;
                    let im = self.float_part()?;
                    self.expect(")")?;
                    return Ok(Lit::Plain(Constant::Complex(re, im)));
                }
                if self.rest().starts_with("inf") || self.rest().starts_with("nan") {
                    return Ok(Lit::Plain(self.number()?));
                }
                Err((start, format!("not a constant: {}", self.word())))
            }
        }
    }

    /// `word` as a whole word.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let after = rest[word.len().min(rest.len())..].chars().next();
        if rest.starts_with(word) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// A part of `complex(re, im)`: a float (or an int, as a float).
    fn float_part(&mut self) -> Result<f64, (usize, String)> {
        self.skip_ws();
        let at = self.pos;
        match self.number()? {
            Constant::Float(f) => Ok(f),
            Constant::Int(i) => Ok(i as f64),
            _ => Err((at, "expected a float".into())),
        }
    }

    /// `(…)`: a tuple, or a complex number `(re±imj)`.
    fn paren(&mut self) -> Result<Lit, (usize, String)> {
        let open = self.pos;
        self.bump();
        self.skip_ws();
        if self.eat(")") {
            return Ok(Lit::Plain(Constant::Tuple(Rc::from(Vec::new()))));
        }
        let first_at = self.pos;
        let first = self.literal()?;
        let first_text = self.text[first_at..self.pos].trim_end();
        self.skip_ws();
        if let (Lit::Plain(Constant::Int(_) | Constant::Float(_)), Some('+' | '-')) =
            (&first, self.peek())
        {
            // The real part as a float, its sign included (`(-0-0j)`).
            let re: f64 = first_text
                .parse()
                .map_err(|_| (first_at, format!("not a number: {first_text}")))?;
            let at = self.pos;
            let Constant::Complex(_, im) = self.number()? else {
                return Err((at, "expected the imaginary part of a complex number".into()));
            };
            self.expect(")")?;
            return Ok(Lit::Plain(Constant::Complex(re, im)));
        }
        let mut items = vec![first];
        loop {
            self.skip_ws();
            if self.eat(")") {
                if items.len() == 1 {
                    return Err((open, "a one-item tuple is written (x,)".into()));
                }
                break;
            }
            self.expect(",")?;
            self.skip_ws();
            if self.eat(")") {
                break;
            }
            items.push(self.literal()?);
        }
        Ok(tuple(items))
    }

    /// `frozenset()` or `frozenset({a, b})`, the `frozenset(` already read.
    fn frozenset(&mut self) -> Result<Lit, (usize, String)> {
        self.skip_ws();
        if self.eat(")") {
            return Ok(Lit::Plain(Constant::FrozenSet(Rc::from(Vec::new()))));
        }
        self.expect("{")?;
        let mut items = Vec::new();
        loop {
            items.push(self.literal()?);
            self.skip_ws();
            if self.eat("}") {
                break;
            }
            self.expect(",")?;
        }
        self.expect(")")?;
        Ok(match tuple(items) {
            Lit::Plain(Constant::Tuple(plain)) => Lit::Plain(Constant::FrozenSet(plain)),
            Lit::Tuple(items) => Lit::FrozenSet(items),
            other => other,
        })
    }

    /// An int, a float (`1.5`, `1e+16`, `inf`, `nan`, signed) or an imaginary number
    /// (`2j`, `-infj`: a complex with real part +0.0, as its repr shows).
    fn number(&mut self) -> Result<Constant, (usize, String)> {
        let start = self.pos;
        let negative = if self.eat("-") {
            true
        } else {
            self.eat("+");
            false
        };
        let body = self.pos;
        let mut float = false;
        if self.eat("inf") || self.eat("nan") {
            float = true;
        } else {
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
            if self.eat(".") {
                float = true;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            }
            if matches!(self.peek(), Some('e' | 'E')) {
                float = true;
                self.bump();
                if !self.eat("+") {
                    self.eat("-");
                }
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
            }
        }
        let digits = &self.text[body..self.pos];
        if digits.is_empty() || digits == "." {
            return Err((start, "expected a number".into()));
        }
        let imaginary = self.eat("j");
        if float || imaginary {
            let value: f64 = digits
                .parse()
                .map_err(|_| (start, format!("not a number: {digits}")))?;
            let value = if negative { -value } else { value };
            return Ok(if imaginary {
                Constant::Complex(0.0, value)
            } else {
                Constant::Float(value)
            });
        }
        let value: BigInt = digits
            .parse()
            .map_err(|_| (start, format!("not an int: {digits}")))?;
        let value = if negative { -value } else { value };
        Ok(match i64::try_from(&value) {
            Ok(small) => Constant::Int(small),
            Err(_) => Constant::BigInt(Rc::new(value)),
        })
    }

    /// A str or bytes literal in either quote, with Python's escapes.
    fn string(&mut self, bytes: bool) -> Result<Constant, (usize, String)> {
        let start = self.pos;
        let Some(quote) = self.bump() else {
            return Err((start, "expected a string".into()));
        };
        let mut cps: Vec<u32> = Vec::new();
        loop {
            let at = self.pos;
            let Some(c) = self.bump() else {
                return Err((start, "unterminated string".into()));
            };
            if c == quote {
                break;
            }
            if c != '\\' {
                if bytes && !c.is_ascii() {
                    return Err((at, "bytes can only contain ASCII characters".into()));
                }
                cps.push(u32::from(c));
                continue;
            }
            let Some(e) = self.bump() else {
                return Err((start, "unterminated string".into()));
            };
            let simple = match e {
                '\\' => Some('\\'),
                '\'' => Some('\''),
                '"' => Some('"'),
                'n' => Some('\n'),
                'r' => Some('\r'),
                't' => Some('\t'),
                'a' => Some('\x07'),
                'b' => Some('\x08'),
                'f' => Some('\x0c'),
                'v' => Some('\x0b'),
                _ => None,
            };
            if let Some(s) = simple {
                cps.push(u32::from(s));
                continue;
            }
            let hex = |r: &mut Reader, n: usize| -> Result<u32, (usize, String)> {
                let digits = r.rest().get(..n).unwrap_or("");
                let value = u32::from_str_radix(digits, 16)
                    .ok()
                    .filter(|_| digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit()))
                    .ok_or((at, format!("a \\{e} escape needs {n} hex digits")))?;
                r.pos += n;
                Ok(value)
            };
            let cp = match e {
                'x' => hex(self, 2)?,
                'u' if !bytes => hex(self, 4)?,
                'U' if !bytes => hex(self, 8)?,
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek().and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                self.bump();
                            }
                            None => break,
                        }
                    }
                    v
                }
                _ => return Err((at, format!("unknown escape \\{e}"))),
            };
            if cp > 0x10FFFF || (bytes && cp > 0xFF) {
                return Err((at, "escape out of range".into()));
            }
            cps.push(cp);
        }
        if bytes {
            let b: Vec<u8> = cps.iter().map(|&c| c as u8).collect();
            return Ok(Constant::Bytes(Rc::from(b)));
        }
        crate::surrogate_str::constant(&cps).ok_or((start, "not a valid str".into()))
    }
}

fn tuple(items: Vec<Lit>) -> Lit {
    if items.iter().all(|i| matches!(i, Lit::Plain(_))) {
        let plain: Vec<Constant> = items
            .into_iter()
            .filter_map(|i| match i {
                Lit::Plain(c) => Some(c),
                _ => None,
            })
            .collect();
        return Lit::Plain(Constant::Tuple(Rc::from(plain)));
    }
    Lit::Tuple(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(c: Constant) {
        let text = print(&c, &|_| "x".into()).expect("listable");
        let back = read_all(&text).expect("reads");
        let Lit::Plain(back) = back else {
            panic!("{text}")
        };
        assert_eq!(format!("{back:?}"), format!("{c:?}"), "{text}");
    }

    #[test]
    fn constants_read_back() {
        for c in [
            Constant::None,
            Constant::Ellipsis,
            Constant::Bool(true),
            Constant::Int(-7),
            Constant::Int(i64::MIN),
            Constant::Float(-0.0),
            Constant::Float(1e16),
            Constant::Float(f64::INFINITY),
            Constant::Float(1.5e-7),
            Constant::Complex(0.0, -1.0),
            Constant::Complex(-0.0, -0.0),
            Constant::Complex(1.0, f64::NEG_INFINITY),
            Constant::Complex(1.0, 1.0),
            Constant::Complex(0.0, 2.0),
            Constant::Complex(0.0, 0.0),
            Constant::Float(-f64::NAN),
            Constant::Complex(-f64::NAN, -f64::NAN),
            Constant::Str(Rc::from("it's \"x\"\n\u{1F600}\u{7f}")),
            Constant::Bytes(Rc::from(&b"\x00'\"\xff"[..])),
            Constant::Tuple(Rc::from(vec![Constant::Int(1)])),
            Constant::Tuple(Rc::from(vec![])),
            Constant::FrozenSet(Rc::from(vec![Constant::Int(2), Constant::Int(1)])),
        ] {
            round(c);
        }
        round(crate::surrogate_str::constant(&[0x61, 0xD800]).expect("str"));
    }
}
