//! Joined strings as CPython 3.12's parser shapes them (`_PyPegen_concatenate_strings`,
//! `_PyPegen_joined_str`, `_PyPegen_formatted_value`, `_PyPegen_setup_full_format_spec`):
//! every part of an implicit concatenation flattened into one list, runs of constants
//! merged (the first one's start and kind, the last one's end), empty constants dropped; a
//! literal part of an f-string located at its text, a plain string at its whole token; a
//! replacement field `{…}` a `FormattedValue` over its braces, preceded for `{x=}` by its
//! debug text; a format spec a `JoinedStr` from its colon, its parts as they come, with an
//! empty constant after a final replacement field (3.12's parser leaves one there).

use ruff_python_ast::{self as ast, ConversionFlag, InterpolatedStringElement};
use ruff_text_size::{TextRange, TextSize};

use super::super::super::object::Value;
use super::super::super::PyResult;
use super::convert::Conv;
use super::unsupported;

/// A flattened item: a constant (value, kind, range) or a node already built.
enum Item {
    Const(String, Value, TextRange),
    Node(Value),
}

impl Conv<'_> {
    pub fn fstring(&self, f: &ast::ExprFString) -> PyResult<Value> {
        let mut items = Vec::new();
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(s) => {
                    let value = self.string_part(s)?;
                    let kind = if s.flags.prefix().is_unicode() {
                        Value::str("u")
                    } else {
                        Value::None
                    };
                    items.push(Item::Const(value, kind, s.range));
                }
                ast::FStringPart::FString(fs) => self.elements(&fs.elements, &mut items)?,
            }
        }
        let mut values = Vec::new();
        let mut run: Option<(String, Value, TextRange)> = None;
        for item in items {
            match item {
                Item::Const(s, kind, r) => {
                    run = Some(match run.take() {
                        Some((acc, k, first)) => (acc + &s, k, first.cover(r)),
                        None => (s, kind, r),
                    });
                }
                Item::Node(n) => {
                    if let Some(c) = run.take() {
                        self.push_const(&mut values, c)?;
                    }
                    values.push(n);
                }
            }
        }
        if let Some(c) = run.take() {
            self.push_const(&mut values, c)?;
        }
        self.located("JoinedStr", vec![Value::list(values)], f.range)
    }

    fn push_const(
        &self,
        values: &mut Vec<Value>,
        (s, kind, r): (String, Value, TextRange),
    ) -> PyResult<()> {
        if !s.is_empty() {
            values.push(self.located("Constant", vec![Value::str(&s), kind], r)?);
        }
        Ok(())
    }

    /// A plain string part's value (unsupported when it escapes a lone surrogate).
    fn string_part(&self, s: &ast::StringLiteral) -> PyResult<String> {
        if self.lines.surrogate_literals.contains_key(&s.range) {
            return Err(unsupported(self.vm, "a string with lone surrogates"));
        }
        Ok(s.value.to_string())
    }

    fn literal_text(&self, text: &str) -> PyResult<String> {
        if text.contains('\u{FFFD}') {
            return Err(unsupported(
                self.vm,
                "an f-string part with U+FFFD (it may stand for a lone surrogate)",
            ));
        }
        Ok(text.to_owned())
    }

    /// The items of one f-string's elements, debug texts included.
    fn elements(
        &self,
        elements: &ast::InterpolatedStringElements,
        items: &mut Vec<Item>,
    ) -> PyResult<()> {
        for e in elements.iter() {
            match e {
                InterpolatedStringElement::Literal(l) => {
                    items.push(Item::Const(
                        self.literal_text(&l.value)?,
                        Value::None,
                        l.range,
                    ));
                }
                InterpolatedStringElement::Interpolation(i) => {
                    if let Some(debug) = &i.debug_text {
                        let text = debug.as_str();
                        // CPython's debug text leaves comments out and decodes escapes.
                        if text.contains(['\\', '#']) {
                            return Err(unsupported(
                                self.vm,
                                "an f-string's {x=} with a backslash or a comment",
                            ));
                        }
                        let start = i.range.start() + TextSize::from(1);
                        let len = TextSize::try_from(text.len()).unwrap_or_default();
                        let r = TextRange::new(start, start + len);
                        items.push(Item::Const(text.to_owned(), Value::None, r));
                    }
                    items.push(Item::Node(self.formatted_value(i)?));
                }
            }
        }
        Ok(())
    }

    fn formatted_value(&self, i: &ast::InterpolatedElement) -> PyResult<Value> {
        let conversion = match i.conversion {
            ConversionFlag::None if i.debug_text.is_some() && i.format_spec.is_none() => 'r' as i64,
            ConversionFlag::None => -1,
            ConversionFlag::Str => 's' as i64,
            ConversionFlag::Ascii => 'a' as i64,
            ConversionFlag::Repr => 'r' as i64,
        };
        let spec = match &i.format_spec {
            Some(spec) => self.format_spec(spec)?,
            None => Value::None,
        };
        let fields = vec![self.expr(&i.expression)?, Value::Int(conversion), spec];
        self.located("FormattedValue", fields, i.range)
    }

    fn format_spec(&self, spec: &ast::InterpolatedStringFormatSpec) -> PyResult<Value> {
        let mut values = Vec::new();
        let mut last_field = false;
        for e in spec.elements.iter() {
            match e {
                InterpolatedStringElement::Literal(l) => {
                    let text = self.literal_text(&l.value)?;
                    values.push(self.located(
                        "Constant",
                        vec![Value::str(&text), Value::None],
                        l.range,
                    )?);
                    last_field = false;
                }
                InterpolatedStringElement::Interpolation(i) => {
                    if i.debug_text.is_some() {
                        return Err(unsupported(self.vm, "{x=} in an f-string's format spec"));
                    }
                    values.push(self.formatted_value(i)?);
                    last_field = true;
                }
            }
        }
        let end = spec.range.end();
        if last_field {
            let r = TextRange::empty(end);
            values.push(self.located("Constant", vec![Value::str(""), Value::None], r)?);
        }
        // From the colon before the spec.
        let start = spec
            .range
            .start()
            .checked_sub(TextSize::from(1))
            .unwrap_or_default();
        self.located(
            "JoinedStr",
            vec![Value::list(values)],
            TextRange::new(start, end),
        )
    }
}
