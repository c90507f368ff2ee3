//! Joined strings: f-strings (`compiler_joined_str`, `compiler_formatted_value`), the
//! debug specifier `f"{x=}"` as CPython 3.12's parser expands it, and the rewrite of
//! `'…%s…' % (a, b)` into a joined string that `optimize_format` in `Python/ast_opt.c`
//! performs before code generation.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Operator};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::codegen::{Compiler, R};
use super::expr::{n32, STACK_USE_GUIDELINE};
use super::fold::fold;
use super::{unsupported, Loc};
use crate::code::Constant;
use crate::oparg::{format_value, NameArg};
use crate::opcode::Opcode;

/// One piece of a joined string: literal text (adjacent pieces merged, as CPython's parser
/// does), a replacement field, or a `%` unit rewritten by `optimize_format`.
pub(super) enum FPart<'a> {
    /// Literal text and its source range; `None` for the constants `optimize_format`
    /// creates, which have no location (lineno -1) and so take the previous instruction's.
    Text(String, Option<TextRange>),
    Value(&'a ast::InterpolatedElement),
    /// `%s`, `%r` or `%a` of one tuple item: a FormattedValue at the item's location, with
    /// the conversion and, when the unit had a width or precision, a format spec.
    Percent {
        arg: &'a Expr,
        conversion: u32,
        spec: Option<String>,
    },
}

/// The parts of an f-string as CPython's parser joins them: implicitly concatenated
/// literals and f-strings merged into one sequence.
pub(super) fn fstring_parts(f: &ast::ExprFString) -> Vec<FPart<'_>> {
    let mut parts = Vec::new();
    for part in f.value.iter() {
        match part {
            ast::FStringPart::Literal(l) => push_literal(&mut parts, &l.value, Some(l.range)),
            ast::FStringPart::FString(fs) => collect_elements(&mut parts, &fs.elements),
        }
    }
    parts
}

/// The parts of a replacement field's format spec.
pub(super) fn spec_parts(spec: &ast::InterpolatedStringFormatSpec) -> Vec<FPart<'_>> {
    let mut parts = Vec::new();
    collect_elements(&mut parts, &spec.elements);
    parts
}

impl<'a> Compiler<'a> {
    /// An f-string, its implicitly concatenated parts joined.
    pub(super) fn fstring(&mut self, f: &'a ast::ExprFString, loc: Loc) -> R {
        self.joined(fstring_parts(f), loc)
    }

    /// `compiler_joined_str`.
    fn joined(&mut self, parts: Vec<FPart<'a>>, loc: Loc) -> R {
        let count = parts.len();
        if count > STACK_USE_GUIDELINE {
            self.load_const(Constant::Str(Rc::from("")), loc);
            let idx = self.add_name("join");
            let arg = NameArg {
                name: idx,
                flag: true,
            };
            self.emit(Opcode::LOAD_ATTR, arg.encode(), loc);
            self.emit(Opcode::BUILD_LIST, 0, loc);
            for p in parts {
                self.fpart(p)?;
                self.emit(Opcode::LIST_APPEND, 1, loc);
            }
            self.emit(Opcode::CALL, 1, loc);
        } else {
            for p in parts {
                self.fpart(p)?;
            }
            if count != 1 {
                self.emit(Opcode::BUILD_STRING, n32(count), loc);
            }
        }
        Ok(())
    }

    fn fpart(&mut self, p: FPart<'a>) -> R {
        match p {
            FPart::Text(s, range) => {
                let tloc = range.map_or(Loc::NONE, |r| self.lines.loc(r));
                self.load_const(Constant::Str(Rc::from(s.as_str())), tloc);
            }
            FPart::Percent {
                arg,
                conversion,
                spec,
            } => {
                self.expr(arg)?;
                let mut oparg = conversion;
                if let Some(spec) = spec {
                    self.load_const(Constant::Str(Rc::from(spec.as_str())), Loc::NONE);
                    oparg |= format_value::FVS_HAVE_SPEC;
                }
                let loc = self.loc(arg);
                self.emit(Opcode::FORMAT_VALUE, oparg, loc);
            }
            FPart::Value(i) => {
                self.expr(&i.expression)?;
                let vloc = self.loc(i);
                let mut oparg = match i.conversion {
                    // The parser gives `f"{x=}"` the `!r` conversion unless it has a spec.
                    ast::ConversionFlag::None => {
                        if i.debug_text.is_some() && i.format_spec.is_none() {
                            format_value::FVC_REPR
                        } else {
                            format_value::FVC_NONE
                        }
                    }
                    ast::ConversionFlag::Str => format_value::FVC_STR,
                    ast::ConversionFlag::Repr => format_value::FVC_REPR,
                    ast::ConversionFlag::Ascii => format_value::FVC_ASCII,
                };
                if let Some(spec) = &i.format_spec {
                    let mut inner = spec_parts(spec);
                    // CPython 3.12's parser ends a format spec that ends with a replacement
                    // field with an empty Constant, located just after that field.
                    if let Some(ast::InterpolatedStringElement::Interpolation(last)) =
                        spec.elements.iter().last()
                    {
                        let end = last.range().end();
                        inner.push(FPart::Text(String::new(), Some(TextRange::empty(end))));
                    }
                    // CPython's format-spec node starts at the ':'.
                    let mut sloc = self.loc(spec.as_ref());
                    let start = spec.range().start().to_usize();
                    if start > 0 && self.source.as_bytes().get(start - 1) == Some(&b':') {
                        sloc.col -= 1;
                    }
                    self.joined(inner, sloc)?;
                    oparg |= format_value::FVS_HAVE_SPEC;
                }
                self.emit(Opcode::FORMAT_VALUE, oparg, vloc);
            }
        }
        Ok(())
    }

    /// `'…' % (a, b)` that `optimize_format` turns into a joined string: compiled as one
    /// (located at the whole expression), if it qualifies. Returns whether it did.
    pub(super) fn percent_format(&mut self, b: &'a ast::ExprBinOp, loc: Loc) -> R<bool> {
        let Some(parts) = self.percent_parts(b)? else {
            return Ok(false);
        };
        self.joined(parts, loc)?;
        Ok(true)
    }

    /// The parts `optimize_format` makes of `b`, or `None` where it leaves the `%` alone:
    /// the left operand must fold to a `str`, the right be a tuple display with no starred
    /// item that does not itself fold to a constant (`fold_tuple` runs first), and every
    /// unit be a simple `%s`, `%r` or `%a`, one per item.
    pub(super) fn percent_parts(&self, b: &'a ast::ExprBinOp) -> R<Option<Vec<FPart<'a>>>> {
        if b.op != Operator::Mod {
            return Ok(None);
        }
        let Expr::Tuple(t) = b.right.as_ref() else {
            return Ok(None);
        };
        if t.elts.iter().any(Expr::is_starred_expr) {
            return Ok(None);
        }
        let fmt = match fold(&b.left, self.lines)? {
            Some(Constant::Str(fmt)) => fmt,
            Some(Constant::StrSurrogates(_)) => {
                return Err(unsupported(
                    "'%' formatting a str with lone surrogates",
                    self.lines.of(b),
                ))
            }
            _ => return Ok(None),
        };
        if fold(&b.right, self.lines)?.is_some() {
            return Ok(None);
        }
        Ok(split_format(&fmt, &t.elts))
    }
}

/// `optimize_format`'s scan of the format string.
fn split_format<'a>(fmt: &str, items: &'a [Expr]) -> Option<Vec<FPart<'a>>> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut pos = 0;
    let mut items = items.iter();
    let mut parts = Vec::new();
    loop {
        // parse_literal: text up to a lone '%', with "%%" meaning '%'.
        let mut text = String::new();
        while let Some(&c) = chars.get(pos) {
            if c != '%' {
                text.push(c);
                pos += 1;
            } else if chars.get(pos + 1) == Some(&'%') {
                text.push('%');
                pos += 2;
            } else {
                break;
            }
        }
        if !text.is_empty() {
            parts.push(FPart::Text(text, None));
        }
        if pos >= chars.len() {
            break;
        }
        // More format units than items leaves the expression alone.
        let arg = items.next()?;
        pos += 1;
        let (conversion, spec) = simple_unit(&chars, &mut pos)?;
        parts.push(FPart::Percent {
            arg,
            conversion,
            spec,
        });
    }
    // So do more items than units.
    if items.next().is_some() {
        return None;
    }
    Some(parts)
}

/// `simple_format_arg_parse` and `parse_format`: one unit after its '%' — flags, a width
/// and a precision of at most two digits each, then `s`, `r` or `a` — as a FORMAT_VALUE
/// conversion and format spec. `None` for any other unit.
fn simple_unit(chars: &[char], pos: &mut usize) -> Option<(u32, Option<String>)> {
    const MAXDIGITS: usize = 3;
    let mut p = *pos;
    let mut next = || {
        let c = chars.get(p).copied();
        p += 1;
        c
    };
    let mut ljust = false;
    let mut ch = next()?;
    // Flags; only '-' changes the result (the others mean nothing to a string).
    while matches!(ch, '-' | '+' | ' ' | '#' | '0') {
        ljust |= ch == '-';
        ch = next()?;
    }
    let mut width: Option<u32> = None;
    if ch.is_ascii_digit() {
        let mut w = 0;
        let mut digits = 0;
        while let Some(d) = ch.to_digit(10) {
            w = w * 10 + d;
            ch = next()?;
            digits += 1;
            if digits >= MAXDIGITS {
                return None;
            }
        }
        width = Some(w);
    }
    let mut prec: Option<u32> = None;
    if ch == '.' {
        ch = next()?;
        let mut v = 0;
        let mut digits = 0;
        while let Some(d) = ch.to_digit(10) {
            v = v * 10 + d;
            ch = next()?;
            digits += 1;
            if digits >= MAXDIGITS {
                return None;
            }
        }
        prec = Some(v);
    }
    let conversion = match ch {
        's' => format_value::FVC_STR,
        'r' => format_value::FVC_REPR,
        'a' => format_value::FVC_ASCII,
        _ => return None,
    };
    *pos = p;
    let mut spec = String::new();
    if let Some(w) = width {
        if !ljust && w > 0 {
            spec.push('>');
        }
        spec.push_str(&w.to_string());
    }
    if let Some(v) = prec {
        spec.push('.');
        spec.push_str(&v.to_string());
    }
    Some((conversion, (!spec.is_empty()).then_some(spec)))
}

fn push_literal(parts: &mut Vec<FPart<'_>>, s: &str, range: Option<TextRange>) {
    if s.is_empty() {
        return;
    }
    if let Some(FPart::Text(t, r)) = parts.last_mut() {
        t.push_str(s);
        *r = match (*r, range) {
            (Some(a), Some(b)) => Some(a.cover(b)),
            (a, b) => a.or(b),
        };
    } else {
        parts.push(FPart::Text(s.to_owned(), range));
    }
}

/// The parts of an f-string's elements. A replacement field with `=` is preceded by its
/// text (everything between the `{` and the conversion, spec or `}`) as a literal located
/// from just after the `{`, which merges with the literal before it, as CPython 3.12's
/// parser does.
fn collect_elements<'a>(parts: &mut Vec<FPart<'a>>, elements: &'a ast::InterpolatedStringElements) {
    for el in elements.iter() {
        match el {
            ast::InterpolatedStringElement::Literal(l) => {
                push_literal(parts, &l.value, Some(l.range))
            }
            ast::InterpolatedStringElement::Interpolation(i) => {
                if let Some(debug) = &i.debug_text {
                    let text = debug.as_str();
                    let start = i.range().start() + TextSize::from(1);
                    let len = TextSize::try_from(text.len()).unwrap_or_default();
                    let kept = without_comments(text);
                    push_literal(parts, &kept, Some(TextRange::at(start, len)));
                }
                parts.push(FPart::Value(i))
            }
        }
    }
}

/// The text of an `=` replacement field as CPython 3.12.1's tokenizer keeps it: from a
/// `#` to the end of its line is left out (the newline stays) — wherever the `#` is, a
/// string literal of the expression included (`f"{'#'=}"` prints `'` and the value).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(['\n', '\r']).map_or(rest.len(), |e| at + e);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
