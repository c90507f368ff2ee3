//! `str.format` (CPython 3.12 Objects/stringlib/unicode_format.h): literal text with
//! `{{`/`}}` escapes, replacement fields `{name[key].attr!conv:spec}` with auto or manual
//! numbering, and specs that hold fields of their own, read exactly as CPython reads them
//! so a malformed string fails at the same place with the same error.
//!
//! Naming: `c` the string's characters, `i` the index of the next one (`SubString`s are
//! index ranges into `c`).

use std::ops::Range;
use std::rc::Rc;

use super::interp::Vm;
use super::object::Value;
use super::{PyResult, Throw};

/// Where named fields are looked up: `str.format`'s keyword arguments.
pub type Kwargs<'a> = &'a [(Rc<str>, Value)];

/// `AutoNumber`: whether fields so far were numbered automatically or by hand.
#[derive(Default)]
struct AutoNumber {
    state: Option<bool>,
    next: i64,
}

/// One replacement field as parsed (`parse_field`).
struct Field {
    name: Range<usize>,
    conversion: Option<char>,
    spec: Range<usize>,
    spec_has_fields: bool,
}

impl Vm {
    /// `fmt.format(*args, **kwargs)` (`build_string` with recursion depth 2).
    pub fn str_format(&mut self, fmt: &str, args: &[Value], kwargs: Kwargs) -> PyResult<String> {
        let c: Vec<char> = fmt.chars().collect();
        let mut auto = AutoNumber::default();
        self.build_string(&c, 0..c.len(), args, kwargs, 2, &mut auto)
    }

    fn build_string(
        &mut self,
        c: &[char],
        range: Range<usize>,
        args: &[Value],
        kwargs: Kwargs,
        depth: u32,
        auto: &mut AutoNumber,
    ) -> PyResult<String> {
        if depth == 0 {
            return Err(self.value_error("Max string recursion exceeded"));
        }
        let (mut i, end) = (range.start, range.end);
        let mut out = String::new();
        while i < end {
            // MarkupIterator_next: literal text up to the first `{` or `}`.
            let start = i;
            let mut brace = None;
            while i < end {
                let ch = c[i];
                i += 1;
                if ch == '{' || ch == '}' {
                    brace = Some(ch);
                    break;
                }
            }
            let at_end = i >= end;
            let mut lit_end = i;
            let mut field = brace.is_some();
            if brace == Some('}') && (at_end || c[i] != '}') {
                return Err(self.value_error("Single '}' encountered in format string"));
            }
            if at_end && brace == Some('{') {
                return Err(self.value_error("Single '{' encountered in format string"));
            }
            if !at_end {
                if brace.is_some() && Some(c[i]) == brace {
                    i += 1;
                    field = false;
                } else if brace.is_some() {
                    lit_end -= 1;
                }
            }
            out.extend(&c[start..lit_end]);
            if !field {
                continue;
            }
            let f = self.parse_field(c, &mut i, end)?;
            let v = self.field_object(c, f.name.clone(), args, kwargs, auto)?;
            let v = match f.conversion {
                None => v,
                Some('r') => Value::str(&self.repr(&v)?),
                Some('s') => Value::str(&self.str_of(&v)?),
                Some('a') => Value::str(&self.ascii(&v)?),
                Some(x) => {
                    let shown = match u32::from(x) {
                        33..=126 => x.to_string(),
                        n => format!("\\x{n:x}"),
                    };
                    return Err(self.value_error(format!("Unknown conversion specifier {shown}")));
                }
            };
            let spec = if f.spec_has_fields {
                self.build_string(c, f.spec, args, kwargs, depth - 1, auto)?
            } else {
                c[f.spec].iter().collect()
            };
            out.push_str(&self.format(&v, &spec)?);
            // A short format can repeat a long argument many times.
            self.check_heap()?;
        }
        Ok(out)
    }

    /// `parse_field`, from just after the field's `{` to just after its `}`.
    fn parse_field(&self, c: &[char], i: &mut usize, end: usize) -> PyResult<Field> {
        let name_start = *i;
        let mut last = '\0';
        while *i < end {
            last = c[*i];
            *i += 1;
            match last {
                '{' => return Err(self.value_error("unexpected '{' in field name")),
                '[' => {
                    while *i < end && c[*i] != ']' {
                        *i += 1;
                    }
                    continue;
                }
                '}' | ':' | '!' => break,
                _ => continue,
            }
        }
        let mut f = Field {
            name: name_start..*i - 1,
            conversion: None,
            spec: *i..*i,
            spec_has_fields: false,
        };
        if last != '!' && last != ':' {
            if last != '}' {
                return Err(self.value_error("expected '}' before end of string"));
            }
            return Ok(f);
        }
        if last == '!' {
            if *i >= end {
                return Err(
                    self.value_error("end of string while looking for conversion specifier")
                );
            }
            f.conversion = Some(c[*i]);
            *i += 1;
            if *i < end {
                let next = c[*i];
                *i += 1;
                if next == '}' {
                    f.spec = *i..*i;
                    return Ok(f);
                }
                if next != ':' {
                    return Err(self.value_error("expected ':' after conversion specifier"));
                }
            }
        }
        let spec_start = *i;
        let mut count = 1;
        while *i < end {
            let ch = c[*i];
            *i += 1;
            match ch {
                '{' => {
                    f.spec_has_fields = true;
                    count += 1;
                }
                '}' => {
                    count -= 1;
                    if count == 0 {
                        f.spec = spec_start..*i - 1;
                        return Ok(f);
                    }
                }
                _ => {}
            }
        }
        Err(self.value_error("unmatched '{' in format spec"))
    }

    /// `get_field_object`: the argument a field name names, then its `.attr` and `[key]`s.
    fn field_object(
        &mut self,
        c: &[char],
        name: Range<usize>,
        args: &[Value],
        kwargs: Kwargs,
        auto: &mut AutoNumber,
    ) -> PyResult<Value> {
        // field_name_split: the first part runs to the first `.` or `[`.
        let first_end = c[name.clone()]
            .iter()
            .position(|&ch| ch == '.' || ch == '[')
            .map_or(name.end, |p| name.start + p);
        let first = &c[name.start..first_end];
        let mut index = self.field_integer(first)?;
        let empty = first.is_empty();
        if empty || index.is_some() {
            let state = *auto.state.get_or_insert(empty);
            if state && !empty {
                return Err(self.value_error(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            if !state && empty {
                return Err(self.value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            if empty {
                index = Some(auto.next);
                auto.next += 1;
            }
        }
        let mut obj = match index {
            None => {
                let key: String = first.iter().collect();
                match kwargs.iter().find(|(k, _)| **k == *key) {
                    Some((_, v)) => v.clone(),
                    None => return Err(self.err_args("KeyError", vec![Value::str(&key)])),
                }
            }
            Some(n) => match usize::try_from(n).ok().and_then(|n| args.get(n)) {
                Some(v) => v.clone(),
                None => {
                    return Err(self.err(
                        "IndexError",
                        format!("Replacement index {n} out of range for positional args tuple"),
                    ))
                }
            },
        };
        // FieldNameIterator_next over the rest.
        let mut i = first_end;
        while i < name.end {
            let kind = c[i];
            i += 1;
            let start = i;
            let part = match kind {
                '.' => {
                    while i < name.end && c[i] != '.' && c[i] != '[' {
                        i += 1;
                    }
                    start..i
                }
                '[' => {
                    while i < name.end && c[i] != ']' {
                        i += 1;
                    }
                    if i >= name.end {
                        return Err(self.value_error("Missing ']' in format string"));
                    }
                    i += 1;
                    start..i - 1
                }
                _ => {
                    return Err(self
                        .value_error("Only '.' or '[' may follow ']' in format field specifier"))
                }
            };
            let key = &c[part];
            let number = if kind == '[' {
                self.field_integer(key)?
            } else {
                None
            };
            if key.is_empty() {
                return Err(self.value_error("Empty attribute in format string"));
            }
            let text: String = key.iter().collect();
            obj = match (kind, number) {
                ('.', _) => self.getattr(&obj, &text)?,
                (_, Some(n)) => self.getitem(&obj, &Value::Int(n))?,
                (_, None) => self.getitem(&obj, &Value::str(&text))?,
            };
        }
        Ok(obj)
    }

    /// `get_integer`: a field name part of decimal digits only, as a number.
    fn field_integer(&self, part: &[char]) -> PyResult<Option<i64>> {
        if part.is_empty() {
            return Ok(None);
        }
        let mut acc: i64 = 0;
        for &ch in part {
            let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) else {
                if ch.is_numeric() {
                    return Err(self.unsupported("non-ASCII digits in a format field"));
                }
                return Ok(None);
            };
            acc = acc
                .checked_mul(10)
                .and_then(|a| a.checked_add(i64::from(d)))
                .ok_or_else(|| self.too_many_digits())?;
        }
        Ok(Some(acc))
    }

    fn too_many_digits(&self) -> Throw {
        self.value_error("Too many decimal digits in format string")
    }
}
