//! Lone surrogates in string literals. CPython's `str` can hold `'\ud800'`; ruff's parser
//! builds Rust strings, which cannot, and puts U+FFFD in its place. So a string literal
//! whose source escapes a surrogate with `\u`/`\U` is read again here from its source
//! text, the way CPython's tokenizer decodes it (`decode_unicode_with_escapes`), and the
//! compiler takes its value from [`Literals`] as a `Constant::StrSurrogates`.
//!
//! Every other character of the re-read value must equal ruff's (a `\N{…}` escape is
//! taken from ruff, which resolved the name), so the two readings cannot drift apart
//! silently: a literal where they would is unsupported. An f-string with such an escape
//! is unsupported too.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::{unsupported, CompileError, LineIndex};
use crate::surrogate_str;

/// The string-literal expressions (by range) whose value holds lone surrogates, as
/// `surrogate_str` bytes.
pub type Literals = HashMap<TextRange, Rc<[u8]>>;

/// Reads again every string literal of `module` that escapes a surrogate.
pub fn collect(
    module: &ast::ModModule,
    source: &str,
    lines: &LineIndex,
) -> Result<Literals, CompileError> {
    let mut find = Find {
        source,
        found: Literals::new(),
        failed: None,
    };
    for s in &module.body {
        find.visit_stmt(s);
    }
    match find.failed {
        Some((what, range)) => Err(unsupported(what, lines.loc(range))),
        None => Ok(find.found),
    }
}

struct Find<'s> {
    source: &'s str,
    found: Literals,
    failed: Option<(&'static str, TextRange)>,
}

impl Find<'_> {
    fn text(&self, range: TextRange) -> &str {
        self.source
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("")
    }

    fn fail(&mut self, what: &'static str, range: TextRange) {
        self.failed.get_or_insert((what, range));
    }

    fn string(&mut self, s: &ast::ExprStringLiteral) {
        let escapes = |p: &ast::StringLiteral| {
            !p.flags.prefix().is_raw() && escapes_surrogate(self.text(p.range()))
        };
        if !s.value.iter().any(escapes) {
            return;
        }
        let mut cps = Vec::new();
        for part in s.value.iter() {
            let ruff: Vec<char> = part.value.chars().collect();
            let read = if part.flags.prefix().is_raw() {
                Some(ruff.iter().map(|&c| u32::from(c)).collect())
            } else {
                body(self.text(part.range())).and_then(|b| reconcile(&decode(b), &ruff))
            };
            match read {
                Some(mut r) => cps.append(&mut r),
                None => return self.fail("a string literal framespec cannot read again", s.range),
            }
        }
        match surrogate_str::encode(&cps) {
            Some(bytes) => {
                self.found.insert(s.range, bytes.into());
            }
            None => self.fail("a string literal framespec cannot read again", s.range),
        }
    }

    fn elements(&mut self, elements: &ast::InterpolatedStringElements) {
        for el in elements.iter() {
            match el {
                ast::InterpolatedStringElement::Literal(l) => {
                    if escapes_surrogate(self.text(l.range)) {
                        self.fail("a lone surrogate in an f-string", l.range);
                    }
                }
                ast::InterpolatedStringElement::Interpolation(i) => {
                    if let Some(spec) = &i.format_spec {
                        self.elements(&spec.elements);
                    }
                }
            }
        }
    }
}

impl<'a> Visitor<'a> for Find<'_> {
    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::StringLiteral(s) => self.string(s),
            Expr::FString(f) => {
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l)
                            if !l.flags.prefix().is_raw()
                                && escapes_surrogate(self.text(l.range())) =>
                        {
                            self.fail("a lone surrogate in an f-string", l.range())
                        }
                        ast::FStringPart::FString(fs) if !fs.flags.prefix().is_raw() => {
                            self.elements(&fs.elements)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        walk_expr(self, e);
    }
}

/// The text between the quotes of one literal's source (prefix and quotes dropped).
fn body(text: &str) -> Option<&str> {
    let start = text.find(['\'', '"'])?;
    let rest = &text[start..];
    let quote = if rest.starts_with("'''") || rest.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    rest.get(quote..rest.len().checked_sub(quote)?)
}

/// One decoded character: a code point, or a `\N{…}` escape whose character ruff knows.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Char {
    Is(u32),
    Named,
}

/// The escapes of a non-raw str literal's body, as CPython decodes them
/// (`_PyUnicode_DecodeUnicodeEscapeInternal`); an unknown escape keeps its backslash.
fn decode(body: &str) -> Vec<Char> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    let hex = |from: usize, n: usize| -> Option<u32> {
        let digits: String = chars.get(from..from + n)?.iter().collect();
        if digits.chars().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(&digits, 16).ok()
        } else {
            None
        }
    };
    while i < chars.len() {
        let c = chars[i];
        // The tokenizer has turned every line ending into "\n" before decoding.
        if c == '\r' {
            out.push(Char::Is(0x0A));
            i += if chars.get(i + 1) == Some(&'\n') {
                2
            } else {
                1
            };
            continue;
        }
        if c != '\\' {
            out.push(Char::Is(u32::from(c)));
            i += 1;
            continue;
        }
        let Some(&e) = chars.get(i + 1) else {
            out.push(Char::Is(u32::from('\\')));
            break;
        };
        i += 2;
        let simple = match e {
            '\n' => None,
            '\r' => {
                if chars.get(i) == Some(&'\n') {
                    i += 1;
                }
                None
            }
            '\\' | '\'' | '"' => Some(u32::from(e)),
            'a' => Some(7),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(10),
            'r' => Some(13),
            't' => Some(9),
            'v' => Some(11),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.get(i).and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                Some(v)
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let v = hex(i, n);
                i += n;
                // A malformed escape is a SyntaxError ruff reported already; keep a
                // value that cannot match ruff's, so the literal is refused.
                Some(v.unwrap_or(u32::MAX))
            }
            'N' => {
                while i < chars.len() && chars[i] != '}' {
                    i += 1;
                }
                i += 1;
                out.push(Char::Named);
                continue;
            }
            other => {
                out.push(Char::Is(u32::from('\\')));
                Some(u32::from(other))
            }
        };
        if let Some(v) = simple {
            out.push(Char::Is(v));
        }
    }
    out
}

/// The re-read characters checked against ruff's reading: equal everywhere, except that
/// ruff has U+FFFD where a surrogate is, and knows what a `\N{…}` names.
fn reconcile(read: &[Char], ruff: &[char]) -> Option<Vec<u32>> {
    if read.len() != ruff.len() {
        return None;
    }
    read.iter()
        .zip(ruff)
        .map(|(&r, &c)| match r {
            Char::Named => Some(u32::from(c)),
            Char::Is(v) if v == u32::from(c) => Some(v),
            Char::Is(v) if surrogate_str::is_surrogate(v) && c == '\u{FFFD}' => Some(v),
            Char::Is(_) => None,
        })
        .collect()
}

/// Whether `text` (a literal's source) has `\uXXXX` or `\UXXXXXXXX` naming U+D800–U+DFFF.
fn escapes_surrogate(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let width = match b.get(i + 1) {
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => {
                // Any other escape, `\\` included, is two characters.
                i += 2;
                continue;
            }
        };
        let hex = text.get(i + 2..i + 2 + width).unwrap_or("");
        if let Ok(cp) = u32::from_str_radix(hex, 16) {
            if surrogate_str::is_surrogate(cp) {
                return true;
            }
        }
        i += 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str, ruff: &str) -> Option<Vec<u32>> {
        reconcile(&decode(body), &ruff.chars().collect::<Vec<_>>())
    }

    #[test]
    fn escapes_decode_as_cpython_does() {
        assert_eq!(
            read(r"a\ud800\x41\101\n\q", "a\u{FFFD}AA\n\\q"),
            Some(vec![0x61, 0xD800, 0x41, 0x41, 0x0A, 0x5C, 0x71])
        );
        // A pair of escaped surrogates stays two code points.
        assert_eq!(
            read(r"\ud83d\ude00", "\u{FFFD}\u{FFFD}"),
            Some(vec![0xD83D, 0xDE00])
        );
        assert_eq!(read("x\\\ny", "xy"), Some(vec![0x78, 0x79]));
        assert_eq!(
            read(r"\N{BULLET}\udfff", "\u{2022}\u{FFFD}"),
            Some(vec![0x2022, 0xDFFF])
        );
    }

    #[test]
    fn readings_that_disagree_are_refused() {
        assert_eq!(read(r"\ud800", "x"), None);
        assert_eq!(read(r"\ud800a", "\u{FFFD}"), None);
    }

    #[test]
    fn bodies_lose_prefix_and_quotes() {
        assert_eq!(body("u'''a'b'''"), Some("a'b"));
        assert_eq!(body("\"x\""), Some("x"));
    }
}
