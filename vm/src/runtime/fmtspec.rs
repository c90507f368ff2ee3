//! `format(value, spec)`: CPython 3.12's `PyObject_Format` and the format-spec
//! mini-language of the built-in types (Python/formatter_unicode.c), and the float to
//! text conversion both it and `%`-formatting use (`PyOS_double_to_string`,
//! Python/pystrtod.c).
//!
//! Naming: `s` a parsed spec, `ty` its presentation type (`'\0'` when omitted), `digits`
//! the digit run of a number, `rest` what follows its decimal point (fraction, exponent,
//! `%`), as `calc_number_widths` names the parts of a number.

use super::heap;
use super::interp::Vm;
use super::object::Value;
use super::{PyResult, Throw};
use crate::arith::Num;

impl Vm {
    /// `format(v, spec)` (CPython `PyObject_Format`): a user class's `__format__`, the
    /// built-in formatters of `int`, `bool`, `float` and `str`, else `object.__format__`,
    /// which takes only the empty spec.
    pub fn format(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if let Some(r) = self.call_special(v, "__format__", vec![Value::str(spec)])? {
            return match r {
                Value::Str(s) => Ok(s.to_string()),
                other => {
                    let n = self.type_of(&other).name().clone();
                    Err(self.type_error(format!("__format__ must return a str, not {n}")))
                }
            };
        }
        // PyObject_Format's fast path: an exact str or int with the empty spec is its str.
        if spec.is_empty() && matches!(v, Value::Str(_) | Value::Int(_) | Value::BigInt(_)) {
            return self.str_of(v);
        }
        // Otherwise it calls the built-in `__format__` as a bound method, which takes a
        // unit of the C recursion budget.
        self.guarded(" while calling a Python object", |vm| {
            vm.builtin_format(v, spec)
        })
    }

    /// The built-in types' `__format__`: `object.__format__` (the empty spec only: the
    /// str), and those of int, bool, float, str and complex.
    fn builtin_format(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if spec.is_empty() {
            return self.str_of(v);
        }
        // A subclass without `__format__` of its own inherits its built-in base's, which
        // formats the built-in value (messages name the subclass).
        match v.builtin_value() {
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                let s = self.parse_spec(spec, v, 'd', '>')?;
                let i = super::int::num(v.builtin_value()).unwrap_or(Num::Int(0));
                match s.ty {
                    'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => self.format_int(&i, &s),
                    'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
                        let x = i.to_f64().map_err(|e| self.arith_error(e))?;
                        self.format_float(x, &s)
                    }
                    t => Err(self.unknown_code(t, v)),
                }
            }
            Value::Float(x) => {
                let s = self.parse_spec(spec, v, '\0', '>')?;
                match s.ty {
                    '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => {
                        self.format_float(*x, &s)
                    }
                    t => Err(self.unknown_code(t, v)),
                }
            }
            Value::Str(text) => {
                let s = self.parse_spec(spec, v, 's', '<')?;
                if s.ty != 's' {
                    return Err(self.unknown_code(s.ty, v));
                }
                self.format_str(text, &s)
            }
            Value::Complex(z) => {
                let s = self.parse_spec(spec, v, '\0', '>')?;
                match s.ty {
                    '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' => self.format_complex(**z, &s),
                    t => Err(self.unknown_code(t, v)),
                }
            }
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!(
                    "unsupported format string passed to {n}.__format__"
                )))
            }
        }
    }

    /// `unknown_presentation_type`.
    fn unknown_code(&self, t: char, v: &Value) -> Throw {
        let n = self.type_of(v).name().clone();
        let code = match u32::from(t) {
            33..=127 => t.to_string(),
            c => format!("\\x{c:x}"),
        };
        self.value_error(format!(
            "Unknown format code '{code}' for object of type '{n}'"
        ))
    }

    /// `parse_internal_render_format_spec`:
    /// `[[fill]align][sign][z][#][0][width][,|_][.precision][type]`.
    fn parse_spec(
        &self,
        spec: &str,
        v: &Value,
        default_ty: char,
        default_align: char,
    ) -> PyResult<Spec> {
        let c: Vec<char> = spec.chars().collect();
        let mut s = Spec {
            fill: ' ',
            align: default_align,
            sign: None,
            no_neg_0: false,
            alternate: false,
            width: None,
            sep: Sep::None,
            precision: None,
            ty: default_ty,
        };
        let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
        let mut i = 0;
        let (mut fill_given, mut align_given) = (false, false);
        if c.len() >= 2 && is_align(c[1]) {
            (s.fill, s.align) = (c[0], c[1]);
            (fill_given, align_given) = (true, true);
            i = 2;
        } else if !c.is_empty() && is_align(c[0]) {
            s.align = c[0];
            align_given = true;
            i = 1;
        }
        if i < c.len() && matches!(c[i], ' ' | '+' | '-') {
            s.sign = Some(c[i]);
            i += 1;
        }
        if i < c.len() && c[i] == 'z' {
            s.no_neg_0 = true;
            i += 1;
        }
        if i < c.len() && c[i] == '#' {
            s.alternate = true;
            i += 1;
        }
        if !fill_given && i < c.len() && c[i] == '0' {
            s.fill = '0';
            if !align_given && default_align == '>' {
                s.align = '=';
            }
            i += 1;
        }
        s.width = self.spec_integer(&c, &mut i)?;
        if i < c.len() && c[i] == ',' {
            s.sep = Sep::Comma;
            i += 1;
        }
        if i < c.len() && c[i] == '_' {
            if s.sep != Sep::None {
                return Err(self.value_error("Cannot specify both ',' and '_'."));
            }
            s.sep = Sep::Underscore;
            i += 1;
        }
        if i < c.len() && c[i] == ',' && s.sep == Sep::Underscore {
            return Err(self.value_error("Cannot specify both ',' and '_'."));
        }
        if i < c.len() && c[i] == '.' {
            i += 1;
            s.precision = self.spec_integer(&c, &mut i)?;
            if s.precision.is_none() {
                return Err(self.value_error("Format specifier missing precision"));
            }
        }
        if c.len() - i > 1 {
            let n = self.type_of(v).name().clone();
            return Err(self.value_error(format!(
                "Invalid format specifier '{spec}' for object of type '{n}'"
            )));
        }
        if i < c.len() {
            s.ty = c[i];
        }
        if s.sep != Sep::None {
            match s.ty {
                'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
                'b' | 'o' | 'x' | 'X' if s.sep == Sep::Underscore => s.sep = Sep::UnderscoreFour,
                t => {
                    let shown = match u32::from(t) {
                        33..=127 => t.to_string(),
                        n => format!("\\x{n:x}"),
                    };
                    let sep = if s.sep == Sep::Comma { ',' } else { '_' };
                    return Err(self.value_error(format!("Cannot specify '{sep}' with '{shown}'.")));
                }
            }
        }
        Ok(s)
    }

    /// `get_integer`: a run of decimal digits, `None` when there is none.
    fn spec_integer(&self, c: &[char], i: &mut usize) -> PyResult<Option<usize>> {
        let start = *i;
        let mut acc: i64 = 0;
        while *i < c.len() {
            let ch = c[*i];
            let Some(d) = ch.to_digit(10) else {
                if ch.is_numeric() {
                    // Py_UNICODE_TODECIMAL takes every Unicode decimal digit.
                    return Err(self.unsupported("non-ASCII digits in a format spec"));
                }
                break;
            };
            acc = match acc
                .checked_mul(10)
                .and_then(|a| a.checked_add(i64::from(d)))
            {
                Some(a) => a,
                None => return Err(self.value_error("Too many decimal digits in format string")),
            };
            *i += 1;
        }
        Ok((*i > start).then_some(usize::try_from(acc).unwrap_or(usize::MAX)))
    }

    /// `format_long_internal`.
    fn format_int(&self, i: &Num, s: &Spec) -> PyResult<String> {
        if s.precision.is_some() {
            return Err(self.value_error("Precision not allowed in integer format specifier"));
        }
        if s.no_neg_0 {
            return Err(self.value_error(
                "Negative zero coercion (z) not allowed in integer format specifier",
            ));
        }
        if s.ty == 'c' {
            if s.sign.is_some() {
                return Err(self.value_error("Sign not allowed with integer format specifier 'c'"));
            }
            if s.alternate {
                return Err(self.value_error(
                    "Alternate form (#) not allowed with integer format specifier 'c'",
                ));
            }
            let Num::Int(i) = *i else {
                return Err(self.err("OverflowError", "Python int too large to convert to C long"));
            };
            if !(0..=0x10ffff).contains(&i) {
                return Err(self.err("OverflowError", "%c arg not in range(0x110000)"));
            }
            let ch = super::standins::char_for(self, i as u32)?;
            return self.layout(s, false, "", "", false, &ch.to_string(), Sep::None);
        }
        let digits = |radix| crate::arith::text::magnitude_digits(i, radix);
        let (digits, prefix) = match s.ty {
            'b' => (digits(2), "0b"),
            'o' => (digits(8), "0o"),
            'x' => (digits(16), "0x"),
            'X' => (digits(16).to_ascii_uppercase(), "0X"),
            // Decimal digits obey the int/str digit limit.
            _ => (self.int_text(i)?.trim_start_matches('-').to_owned(), ""),
        };
        let prefix = if s.alternate { prefix } else { "" };
        let sep = if s.ty == 'n' { Sep::None } else { s.sep };
        let negative = i.exact_cmp(&Num::Int(0)) == Some(std::cmp::Ordering::Less);
        self.layout(s, negative, prefix, &digits, false, "", sep)
    }

    /// `format_float_internal`.
    fn format_float(&self, x: f64, s: &Spec) -> PyResult<String> {
        let precision = match s.precision {
            Some(p) if p > i32::MAX as usize => {
                return Err(self.value_error("precision too big"));
            }
            // `e`, `f`, `%` and the alternate form write the digits out to the precision
            // (at most `INT_MAX`: never beyond what CPython can allocate); `g` drops
            // trailing zeros, so its text stays short.
            Some(p) => {
                if s.alternate || matches!(s.ty, 'e' | 'E' | 'f' | 'F' | '%') {
                    self.reserve(p as u128)?;
                }
                Some(p)
            }
            p => p,
        };
        let (mut code, mut x, mut add_dot_0, mut default_precision) = (s.ty, x, false, 6);
        if code == '\0' {
            (code, add_dot_0, default_precision) = ('r', true, 0);
        }
        if code == 'n' {
            code = 'g';
        }
        let pct = code == '%';
        if pct {
            code = 'f';
            x *= 100.0;
        }
        let precision = match precision {
            None => default_precision,
            Some(p) => {
                if code == 'r' {
                    code = 'g';
                }
                p
            }
        };
        let flags = Flags {
            alt: s.alternate,
            add_dot_0,
            no_neg_0: s.no_neg_0,
        };
        let mut buf = double_to_string(x, code, precision, flags);
        if pct {
            buf.push('%');
        }
        let (negative, digits, has_decimal, rest) = number_parts(&buf);
        let sep = if s.ty == 'n' { Sep::None } else { s.sep };
        self.layout(s, negative, "", digits, has_decimal, rest, sep)
    }

    /// `format_complex_internal`: each part formatted as a float would be, unpadded (the
    /// imaginary part always signed unless the real part is left out), then the whole
    /// padded. With no presentation type it reads like `str()`: no real part when it is
    /// +0.0, parentheses otherwise.
    fn format_complex(&self, (re, im): (f64, f64), s: &Spec) -> PyResult<String> {
        if s.precision.is_some_and(|p| p > i32::MAX as usize) {
            return Err(self.value_error("precision too big"));
        }
        if s.fill == '0' {
            return Err(self.value_error("Zero padding is not allowed in complex format specifier"));
        }
        if s.align == '=' {
            return Err(
                self.value_error("'=' alignment flag is not allowed in complex format specifier")
            );
        }
        let (mut code, mut default_precision) = (s.ty, 6);
        let (mut skip_re, mut parens) = (false, false);
        if code == '\0' {
            (code, default_precision) = ('r', 0);
            if re == 0.0 && re.is_sign_positive() {
                skip_re = true;
            } else {
                parens = true;
            }
        }
        if code == 'n' {
            code = 'g';
        }
        let precision = match s.precision {
            None => default_precision,
            Some(p) => {
                if s.alternate || matches!(code, 'e' | 'E' | 'f' | 'F') {
                    self.reserve(2 * p as u128)?;
                }
                if code == 'r' {
                    code = 'g';
                }
                p
            }
        };
        let flags = Flags {
            alt: s.alternate,
            add_dot_0: false,
            no_neg_0: s.no_neg_0,
        };
        let sep = if s.ty == 'n' { Sep::None } else { s.sep };
        let part = |x: f64, sign: Option<char>| {
            let buf = double_to_string(x, code, precision, flags);
            let (negative, digits, has_decimal, rest) = number_parts(&buf);
            let unpadded = Spec {
                fill: ' ',
                align: '<',
                sign,
                no_neg_0: s.no_neg_0,
                alternate: s.alternate,
                width: None,
                sep,
                precision: s.precision,
                ty: s.ty,
            };
            self.layout(&unpadded, negative, "", digits, has_decimal, rest, sep)
        };
        let real = if skip_re {
            String::new()
        } else {
            part(re, s.sign)?
        };
        let imag = part(im, if skip_re { s.sign } else { Some('+') })?;
        let (open, close) = if parens { ("(", ")") } else { ("", "") };
        let body = format!("{open}{real}{imag}j{close}");
        self.check_width(s, &body)?;
        // `calc_padding`.
        let padding = s.width.unwrap_or(0).saturating_sub(body.chars().count());
        let (l, r) = match s.align {
            '<' => (0, padding),
            '^' => (padding / 2, padding - padding / 2),
            _ => (padding, 0),
        };
        Ok(format!("{}{body}{}", repeat(s.fill, l), repeat(s.fill, r)))
    }

    /// `format_string_internal`.
    fn format_str(&self, text: &str, s: &Spec) -> PyResult<String> {
        match s.sign {
            Some(' ') => {
                return Err(self.value_error("Space not allowed in string format specifier"))
            }
            Some(_) => return Err(self.value_error("Sign not allowed in string format specifier")),
            None => {}
        }
        if s.no_neg_0 {
            return Err(self
                .value_error("Negative zero coercion (z) not allowed in string format specifier"));
        }
        if s.alternate {
            return Err(
                self.value_error("Alternate form (#) not allowed in string format specifier")
            );
        }
        if s.align == '=' {
            return Err(self.value_error("'=' alignment not allowed in string format specifier"));
        }
        let body: String = match s.precision {
            Some(p) => text.chars().take(p).collect(),
            None => text.to_owned(),
        };
        self.check_width(s, &body)?;
        let n = body.chars().count();
        let total = s.width.unwrap_or(0).max(n);
        let (left, right) = match s.align {
            '>' => (total - n, 0),
            '^' => ((total - n) / 2, total - n - (total - n) / 2),
            _ => (0, total - n),
        };
        Ok(format!(
            "{}{body}{}",
            repeat(s.fill, left),
            repeat(s.fill, right)
        ))
    }

    /// Before padding `body` to the spec's width: the result is `PyUnicode_New(width,
    /// max(maxchar, fill))` in CPython, refused as CPython does (see `heap`).
    fn check_width(&self, s: &Spec, body: &str) -> PyResult<()> {
        match s.width {
            Some(width) if width > body.len() => {
                let block = heap::str_block(width as u128, heap::max_char(body).max(s.fill));
                let own = width as u128 * s.fill.len_utf8() as u128 + body.len() as u128;
                self.before_alloc(block, own)
            }
            _ => Ok(()),
        }
    }

    /// `calc_number_widths` + `fill_number`: the number laid out as
    /// `<lpad><sign><prefix><spad><grouped digits><.><rest><rpad>`.
    #[allow(clippy::too_many_arguments)]
    fn layout(
        &self,
        s: &Spec,
        negative: bool,
        prefix: &str,
        digits: &str,
        has_decimal: bool,
        rest: &str,
        sep: Sep,
    ) -> PyResult<String> {
        self.check_width(s, digits)?;
        let sign = match (negative, s.sign) {
            (true, _) => "-",
            (false, Some('+')) => "+",
            (false, Some(' ')) => " ",
            _ => "",
        };
        let width = s.width.map_or(-1, |w| w as i64);
        let non_digit =
            (sign.len() + prefix.len() + usize::from(has_decimal) + rest.chars().count()) as i64;
        let min_width = if s.fill == '0' && s.align == '=' {
            width - non_digit
        } else {
            0
        };
        let grouped = if digits.is_empty() {
            String::new()
        } else {
            group(digits, min_width, sep)
        };
        let padding = (width - non_digit - grouped.chars().count() as i64).max(0) as usize;
        let (l, m, r) = match s.align {
            '<' => (0, 0, padding),
            '^' => (padding / 2, 0, padding - padding / 2),
            '=' => (0, padding, 0),
            _ => (padding, 0, 0),
        };
        let point = if has_decimal { "." } else { "" };
        Ok(format!(
            "{}{sign}{prefix}{}{grouped}{point}{rest}{}",
            repeat(s.fill, l),
            repeat(s.fill, m),
            repeat(s.fill, r)
        ))
    }
}

/// A number as `PyOS_double_to_string` wrote it, cut as `parse_number` and
/// `calc_number_widths` see it: its sign, its digits, whether a decimal point follows,
/// and what follows that (fraction, exponent, `%`).
fn number_parts(buf: &str) -> (bool, &str, bool, &str) {
    let (negative, body) = match buf.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, buf),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, after) = body.split_at(n);
    match after.strip_prefix('.') {
        Some(r) => (negative, digits, true, r),
        None => (negative, digits, false, after),
    }
}

fn repeat(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}

/// Thousands separators of a spec (`get_locale_info`); `n` uses the C locale's, none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    None,
    Comma,
    Underscore,
    UnderscoreFour,
}

/// A parsed spec (`InternalFormatSpec`); `ty` is `'\0'` when omitted.
struct Spec {
    fill: char,
    align: char,
    sign: Option<char>,
    no_neg_0: bool,
    alternate: bool,
    width: Option<usize>,
    sep: Sep,
    precision: Option<usize>,
    ty: char,
}

/// `_PyUnicode_InsertThousandsGrouping`: `digits` with separators, padded on the left
/// with zeros (and separators between them) to at least `min_width` characters.
fn group(digits: &str, min_width: i64, sep: Sep) -> String {
    let (sep, size) = match sep {
        Sep::None => {
            let pad = (min_width - digits.len() as i64).max(0) as usize;
            return format!("{}{digits}", repeat('0', pad));
        }
        Sep::Comma => (',', 3),
        Sep::Underscore => ('_', 3),
        Sep::UnderscoreFour => ('_', 4),
    };
    let (mut remaining, mut min_width) = (digits.len() as i64, min_width);
    let mut end = digits.len();
    let mut pieces = Vec::new();
    loop {
        let l = size.min(remaining.max(min_width).max(1));
        let zeros = (l - remaining).max(0) as usize;
        let chars = remaining.min(l).max(0) as usize;
        pieces.push(format!(
            "{}{}",
            repeat('0', zeros),
            &digits[end - chars..end]
        ));
        end -= chars;
        remaining -= chars as i64;
        min_width -= l;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
    pieces.reverse();
    pieces.join(&sep.to_string())
}

/// The `Py_DTSF_*` flags of `PyOS_double_to_string`.
#[derive(Clone, Copy, Default)]
pub struct Flags {
    /// `Py_DTSF_ALT`: keep the decimal point and trailing zeros.
    pub alt: bool,
    /// `Py_DTSF_ADD_DOT_0`: an integral value ends in `.0`.
    pub add_dot_0: bool,
    /// `Py_DTSF_NO_NEG_0`: a value that rounds to zero has no `-`.
    pub no_neg_0: bool,
}

/// `PyOS_double_to_string(x, code, precision, flags)` for `code` in `eEfFgGr`.
pub fn double_to_string(x: f64, code: char, precision: usize, flags: Flags) -> String {
    let upper = code.is_ascii_uppercase();
    let (code, mode, precision) = match code.to_ascii_lowercase() {
        'e' => ('e', Mode::Significant(precision + 1), precision + 1),
        'f' => ('f', Mode::Fixed(precision), precision),
        'g' => ('g', Mode::Significant(precision.max(1)), precision.max(1)),
        _ => ('r', Mode::Shortest, 0),
    };
    if !x.is_finite() {
        let word = if x.is_nan() { "nan" } else { "inf" };
        let sign = if x.is_infinite() && x < 0.0 { "-" } else { "" };
        let word = if upper {
            word.to_uppercase()
        } else {
            word.to_owned()
        };
        return format!("{sign}{word}");
    }
    let (digits, mut decpt) = dtoa(x.abs(), mode);
    let negative = x.is_sign_negative() && !(flags.no_neg_0 && digits == "0");
    let (precision, n) = (precision as i64, digits.len() as i64);
    let mut end = n;
    let mut use_exp = false;
    match code {
        'e' => {
            use_exp = true;
            end = precision;
        }
        'f' => end = decpt + precision,
        'g' => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            use_exp = decpt <= -4 || decpt > limit;
            if flags.alt {
                end = precision;
            }
        }
        _ => use_exp = decpt <= -4 || decpt > 16,
    }
    let exp = decpt - 1;
    if use_exp {
        decpt = 1;
    }
    let start = if decpt <= 0 { decpt - 1 } else { 0 };
    end = if !use_exp && flags.add_dot_0 {
        end.max(decpt + 1)
    } else {
        end.max(decpt)
    };
    let zeros = |k: i64| repeat('0', k.max(0) as usize);
    let mut out = String::from(if negative { "-" } else { "" });
    if decpt <= 0 {
        out.push_str(&zeros(decpt - start));
        out.push('.');
        out.push_str(&zeros(-decpt));
    } else {
        out.push_str(&zeros(-start));
    }
    if 0 < decpt && decpt <= n {
        let (a, b) = digits.split_at(decpt as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else {
        out.push_str(&digits);
    }
    if n < decpt {
        out.push_str(&zeros(decpt - n));
        out.push('.');
        out.push_str(&zeros(end - decpt));
    } else {
        out.push_str(&zeros(end - n));
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

/// The digit modes of `_Py_dg_dtoa`.
#[derive(Clone, Copy)]
enum Mode {
    /// Mode 0: the shortest digits that read back as the same float.
    Shortest,
    /// Mode 2: this many significant digits, correctly rounded.
    Significant(usize),
    /// Mode 3: this many digits after the decimal point, correctly rounded.
    Fixed(usize),
}

/// `_Py_dg_dtoa` for a finite `a >= 0`: the digits without leading or trailing zeros
/// (`"0"` for zero) and the position of the decimal point relative to them.
fn dtoa(a: f64, mode: Mode) -> (String, i64) {
    let sci = |text: String| -> (String, i64) {
        let (m, e) = text.split_once('e').unwrap_or((&text, "0"));
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        (digits, e.parse::<i64>().unwrap_or(0) + 1)
    };
    // A double's exact decimal expansion has at most 767 significant digits and 1074
    // after the point: asking for more gives the same digits (then trimmed), and Rust's
    // formatter refuses a precision beyond 65535.
    let (digits, decpt) = match mode {
        Mode::Shortest => sci(format!("{a:e}")),
        Mode::Significant(n) => sci(format!("{:.*e}", n.min(800) - 1, a)),
        Mode::Fixed(p) => {
            let p = p.min(1100);
            let text = format!("{a:.p$}");
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            (format!("{int}{frac}"), int.len() as i64)
        }
    };
    let lead = digits.bytes().take_while(|&b| b == b'0').count();
    let trimmed = digits[lead..].trim_end_matches('0');
    if trimmed.is_empty() {
        return ("0".to_owned(), 1);
    }
    (trimmed.to_owned(), decpt - lead as i64)
}
