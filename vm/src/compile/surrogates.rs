//! Lone surrogates in string literals. CPython's `str` can hold `'\ud800'`; ruff's parser
//! builds Rust strings, which cannot, and puts U+FFFD in its place. Compiling that would
//! be a different constant, so a literal that spells a surrogate with `\u`/`\U` is
//! unsupported instead.

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::{unsupported, CompileError, LineIndex};

/// The first non-raw string literal (or f-string text) in `module` that escapes a
/// surrogate code point, as an unsupported error.
pub fn check(module: &ast::ModModule, source: &str, lines: &LineIndex) -> Result<(), CompileError> {
    let mut find = Find {
        source,
        found: None,
    };
    for s in &module.body {
        ruff_python_ast::visitor::Visitor::visit_stmt(&mut find, s);
    }
    match find.found {
        Some(range) => Err(unsupported(
            "a lone surrogate in a string literal",
            lines.loc(range),
        )),
        None => Ok(()),
    }
}

struct Find<'s> {
    source: &'s str,
    found: Option<TextRange>,
}

impl Find<'_> {
    fn text(&mut self, range: TextRange) {
        if self.found.is_none()
            && escapes_surrogate(
                self.source
                    .get(range.start().to_usize()..range.end().to_usize())
                    .unwrap_or(""),
            )
        {
            self.found = Some(range);
        }
    }

    fn elements(&mut self, elements: &ast::InterpolatedStringElements) {
        for el in elements.iter() {
            match el {
                ast::InterpolatedStringElement::Literal(l) => self.text(l.range),
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
            Expr::StringLiteral(s) => {
                for part in s.value.iter() {
                    if !part.flags.prefix().is_raw() {
                        self.text(part.range());
                    }
                }
            }
            Expr::FString(f) => {
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) if !l.flags.prefix().is_raw() => {
                            self.text(l.range())
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
            if (0xD800..=0xDFFF).contains(&cp) {
                return true;
            }
        }
        i += 2;
    }
    false
}
