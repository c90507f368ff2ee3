//! The text of an annotation under `from __future__ import annotations`: CPython 3.12's
//! limited unparser (`Python/ast_unparse.c`, `_PyAST_ExprAsUnicode`), which renders the
//! unfolded AST with its own precedence rules, spacing and constant reprs — not the
//! source text. The annotation's value is then that string.

use ruff_python_ast::{self as ast, BoolOp, CmpOp, Expr, Number, Operator, UnaryOp};

use super::fstring::{fstring_parts, spec_parts, FPart};
use crate::reprs::{bytes_repr, float_repr, str_repr};

// Priority levels (`PR_*`).
const PR_TUPLE: u8 = 0;
const PR_TEST: u8 = 1;
const PR_OR: u8 = 2;
const PR_AND: u8 = 3;
const PR_NOT: u8 = 4;
const PR_CMP: u8 = 5;
const PR_EXPR: u8 = 6;
const PR_BOR: u8 = PR_EXPR;
const PR_BXOR: u8 = 7;
const PR_BAND: u8 = 8;
const PR_SHIFT: u8 = 9;
const PR_ARITH: u8 = 10;
const PR_TERM: u8 = 11;
const PR_FACTOR: u8 = 12;
const PR_POWER: u8 = 13;
const PR_AWAIT: u8 = 14;
const PR_ATOM: u8 = 15;

/// `_PyAST_ExprAsUnicode`. `Err` names a construct framespec cannot render yet.
pub fn expr_as_str(e: &Expr) -> Result<String, &'static str> {
    let mut w = Writer(String::new());
    w.expr(e, PR_TEST)?;
    Ok(w.0)
}

struct Writer(String);

type Res = Result<(), &'static str>;

/// `repr()` of a float as an annotation shows it: infinity as `1e309` (`append_repr`).
fn float_text(f: f64) -> String {
    float_repr(f).replace("inf", "1e309")
}

impl Writer {
    fn s(&mut self, text: &str) {
        self.0.push_str(text);
    }

    fn open(&mut self, cond: bool) {
        if cond {
            self.0.push('(');
        }
    }

    fn close(&mut self, cond: bool) {
        if cond {
            self.0.push(')');
        }
    }

    fn expr(&mut self, e: &Expr, level: u8) -> Res {
        match e {
            Expr::BoolOp(b) => {
                let (op, pr) = match b.op {
                    BoolOp::And => (" and ", PR_AND),
                    BoolOp::Or => (" or ", PR_OR),
                };
                self.open(level > pr);
                for (i, v) in b.values.iter().enumerate() {
                    if i > 0 {
                        self.s(op);
                    }
                    self.expr(v, pr + 1)?;
                }
                self.close(level > pr);
            }
            Expr::BinOp(b) => {
                let (op, pr) = match b.op {
                    Operator::Add => (" + ", PR_ARITH),
                    Operator::Sub => (" - ", PR_ARITH),
                    Operator::Mult => (" * ", PR_TERM),
                    Operator::MatMult => (" @ ", PR_TERM),
                    Operator::Div => (" / ", PR_TERM),
                    Operator::Mod => (" % ", PR_TERM),
                    Operator::LShift => (" << ", PR_SHIFT),
                    Operator::RShift => (" >> ", PR_SHIFT),
                    Operator::BitOr => (" | ", PR_BOR),
                    Operator::BitXor => (" ^ ", PR_BXOR),
                    Operator::BitAnd => (" & ", PR_BAND),
                    Operator::FloorDiv => (" // ", PR_TERM),
                    Operator::Pow => (" ** ", PR_POWER),
                };
                let rassoc = u8::from(b.op == Operator::Pow);
                self.open(level > pr);
                self.expr(&b.left, pr + rassoc)?;
                self.s(op);
                self.expr(&b.right, pr + 1 - rassoc)?;
                self.close(level > pr);
            }
            Expr::UnaryOp(u) => {
                let (op, pr) = match u.op {
                    UnaryOp::Invert => ("~", PR_FACTOR),
                    UnaryOp::Not => ("not ", PR_NOT),
                    UnaryOp::UAdd => ("+", PR_FACTOR),
                    UnaryOp::USub => ("-", PR_FACTOR),
                };
                self.open(level > pr);
                self.s(op);
                self.expr(&u.operand, pr)?;
                self.close(level > pr);
            }
            Expr::Lambda(l) => {
                self.open(level > PR_TEST);
                let positional = l
                    .parameters
                    .as_ref()
                    .map_or(0, |p| p.args.len() + p.posonlyargs.len());
                self.s(if positional > 0 { "lambda " } else { "lambda" });
                if let Some(p) = &l.parameters {
                    self.params(p)?;
                }
                self.s(": ");
                self.expr(&l.body, PR_TEST)?;
                self.close(level > PR_TEST);
            }
            Expr::If(i) => {
                self.open(level > PR_TEST);
                self.expr(&i.body, PR_TEST + 1)?;
                self.s(" if ");
                self.expr(&i.test, PR_TEST + 1)?;
                self.s(" else ");
                self.expr(&i.orelse, PR_TEST)?;
                self.close(level > PR_TEST);
            }
            Expr::Dict(d) => {
                self.s("{");
                for (i, item) in d.items.iter().enumerate() {
                    if i > 0 {
                        self.s(", ");
                    }
                    match &item.key {
                        Some(k) => {
                            self.expr(k, PR_TEST)?;
                            self.s(": ");
                            self.expr(&item.value, PR_TEST)?;
                        }
                        None => {
                            self.s("**");
                            self.expr(&item.value, PR_EXPR)?;
                        }
                    }
                }
                self.s("}");
            }
            Expr::Set(s) => self.seq("{", &s.elts, "}")?,
            Expr::List(l) => self.seq("[", &l.elts, "]")?,
            Expr::Tuple(t) => {
                if t.elts.is_empty() {
                    self.s("()");
                    return Ok(());
                }
                self.open(level > PR_TUPLE);
                for (i, x) in t.elts.iter().enumerate() {
                    if i > 0 {
                        self.s(", ");
                    }
                    self.expr(x, PR_TEST)?;
                }
                if t.elts.len() == 1 {
                    self.s(",");
                }
                self.close(level > PR_TUPLE);
            }
            Expr::Generator(g) => {
                self.s("(");
                self.expr(&g.elt, PR_TEST)?;
                self.comprehensions(&g.generators)?;
                self.s(")");
            }
            Expr::ListComp(c) => {
                self.s("[");
                self.expr(&c.elt, PR_TEST)?;
                self.comprehensions(&c.generators)?;
                self.s("]");
            }
            Expr::SetComp(c) => {
                self.s("{");
                self.expr(&c.elt, PR_TEST)?;
                self.comprehensions(&c.generators)?;
                self.s("}");
            }
            Expr::DictComp(c) => {
                self.s("{");
                let key = c.key.as_deref().ok_or("dict comprehension without key")?;
                self.expr(key, PR_TEST)?;
                self.s(": ");
                self.expr(&c.value, PR_TEST)?;
                self.comprehensions(&c.generators)?;
                self.s("}");
            }
            Expr::Yield(y) => match &y.value {
                None => self.s("(yield)"),
                Some(v) => {
                    self.s("(yield ");
                    self.expr(v, PR_TEST)?;
                    self.s(")");
                }
            },
            Expr::YieldFrom(y) => {
                self.s("(yield from ");
                self.expr(&y.value, PR_TEST)?;
                self.s(")");
            }
            Expr::Await(a) => {
                self.open(level > PR_AWAIT);
                self.s("await ");
                self.expr(&a.value, PR_ATOM)?;
                self.close(level > PR_AWAIT);
            }
            Expr::Compare(c) => {
                self.open(level > PR_CMP);
                self.expr(&c.left, PR_CMP + 1)?;
                for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                    self.s(match op {
                        CmpOp::Eq => " == ",
                        CmpOp::NotEq => " != ",
                        CmpOp::Lt => " < ",
                        CmpOp::LtE => " <= ",
                        CmpOp::Gt => " > ",
                        CmpOp::GtE => " >= ",
                        CmpOp::Is => " is ",
                        CmpOp::IsNot => " is not ",
                        CmpOp::In => " in ",
                        CmpOp::NotIn => " not in ",
                    });
                    self.expr(right, PR_CMP + 1)?;
                }
                self.close(level > PR_CMP);
            }
            Expr::Call(c) => {
                self.expr(&c.func, PR_ATOM)?;
                let args = &c.arguments;
                if let ([Expr::Generator(g)], []) = (&args.args[..], &args.keywords[..]) {
                    // A lone generator expression keeps only its own parentheses.
                    return self.expr(&Expr::Generator(g.clone()), PR_TEST);
                }
                self.s("(");
                let mut first = true;
                for a in args.args.iter() {
                    if !std::mem::take(&mut first) {
                        self.s(", ");
                    }
                    self.expr(a, PR_TEST)?;
                }
                for k in args.keywords.iter() {
                    if !std::mem::take(&mut first) {
                        self.s(", ");
                    }
                    match &k.arg {
                        Some(name) => {
                            self.s(name.as_str());
                            self.s("=");
                        }
                        None => self.s("**"),
                    }
                    self.expr(&k.value, PR_TEST)?;
                }
                self.s(")");
            }
            Expr::FString(f) => self.joined(&fstring_parts(f), false)?,
            Expr::TString(_) => return Err("template strings"),
            Expr::StringLiteral(s) => {
                // ruff reads a lone surrogate as U+FFFD: the literal's real text is not
                // at hand here (compile::surrogates has it), so any U+FFFD is refused.
                if s.value.to_str().contains('\u{FFFD}') {
                    return Err("a lone surrogate (or U+FFFD) in a string annotation");
                }
                let unicode = s.value.iter().next().is_some_and(|p| {
                    p.flags.prefix() == ast::str_prefix::StringLiteralPrefix::Unicode
                });
                if unicode {
                    self.s("u");
                }
                self.s(&str_repr(s.value.to_str()));
            }
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b.value.bytes().collect();
                self.s(&bytes_repr(&bytes));
            }
            Expr::NumberLiteral(n) => match &n.value {
                // The value's repr: decimal digits whatever the literal's base.
                Number::Int(i) => match i.as_u64() {
                    Some(v) => self.s(&v.to_string()),
                    None => match crate::arith::text::literal_value(&i.to_string()) {
                        Some(n) => {
                            self.s(&crate::arith::text::to_decimal(&n, 0).unwrap_or_default())
                        }
                        None => return Err("an integer literal the parser spells unexpectedly"),
                    },
                },
                Number::Float(f) => self.s(&float_text(*f)),
                Number::Complex { real, imag } => {
                    // complex_repr: `1e309` for infinity here too; no ".0" on integral parts.
                    let part = |v: f64| {
                        let t = float_text(v);
                        t.strip_suffix(".0").map_or(t.clone(), str::to_owned)
                    };
                    if *real == 0.0 && real.is_sign_positive() {
                        self.s(&format!("{}j", part(*imag)));
                    } else {
                        return Err("a complex number with a real part in an annotation");
                    }
                }
            },
            Expr::BooleanLiteral(b) => self.s(if b.value { "True" } else { "False" }),
            Expr::NoneLiteral(_) => self.s("None"),
            Expr::EllipsisLiteral(_) => self.s("..."),
            Expr::Attribute(a) => {
                self.expr(&a.value, PR_ATOM)?;
                // An int needs a space before the period to stay unambiguous.
                let int = matches!(
                    a.value.as_ref(),
                    Expr::NumberLiteral(ast::ExprNumberLiteral {
                        value: Number::Int(_),
                        ..
                    })
                );
                self.s(if int { " ." } else { "." });
                self.s(a.attr.as_str());
            }
            Expr::Subscript(s) => {
                self.expr(&s.value, PR_ATOM)?;
                let starred = matches!(s.slice.as_ref(), Expr::Tuple(t) if t.elts.iter().any(Expr::is_starred_expr));
                self.s("[");
                self.expr(&s.slice, if starred { PR_TUPLE + 1 } else { PR_TUPLE })?;
                self.s("]");
            }
            Expr::Starred(s) => {
                self.s("*");
                self.expr(&s.value, PR_EXPR)?;
            }
            Expr::Slice(s) => {
                if let Some(l) = &s.lower {
                    self.expr(l, PR_TEST)?;
                }
                self.s(":");
                if let Some(u) = &s.upper {
                    self.expr(u, PR_TEST)?;
                }
                if let Some(st) = &s.step {
                    self.s(":");
                    self.expr(st, PR_TEST)?;
                }
            }
            Expr::Name(n) => self.s(n.id.as_str()),
            Expr::Named(n) => {
                self.open(level > PR_TUPLE);
                self.expr(&n.target, PR_ATOM)?;
                self.s(" := ");
                self.expr(&n.value, PR_ATOM)?;
                self.close(level > PR_TUPLE);
            }
            Expr::IpyEscapeCommand(_) => return Err("IPython escape command"),
        }
        Ok(())
    }

    fn seq(&mut self, open: &str, elts: &[Expr], close: &str) -> Res {
        self.s(open);
        for (i, x) in elts.iter().enumerate() {
            if i > 0 {
                self.s(", ");
            }
            self.expr(x, PR_TEST)?;
        }
        self.s(close);
        Ok(())
    }

    fn comprehensions(&mut self, gens: &[ast::Comprehension]) -> Res {
        for g in gens {
            self.s(if g.is_async { " async for " } else { " for " });
            self.expr(&g.target, PR_TUPLE)?;
            self.s(" in ");
            self.expr(&g.iter, PR_TEST + 1)?;
            for cond in &g.ifs {
                self.s(" if ");
                self.expr(cond, PR_TEST + 1)?;
            }
        }
        Ok(())
    }

    /// `append_ast_args` (a lambda's parameters, which have no annotations).
    fn params(&mut self, p: &ast::Parameters) -> Res {
        let mut first = true;
        let npos = p.posonlyargs.len();
        for (i, a) in p.posonlyargs.iter().chain(p.args.iter()).enumerate() {
            if !std::mem::take(&mut first) {
                self.s(", ");
            }
            self.s(a.parameter.name.as_str());
            if let Some(d) = &a.default {
                self.s("=");
                self.expr(d, PR_TEST)?;
            }
            if npos > 0 && i + 1 == npos {
                self.s(", /");
            }
        }
        if p.vararg.is_some() || !p.kwonlyargs.is_empty() {
            if !std::mem::take(&mut first) {
                self.s(", ");
            }
            self.s("*");
            if let Some(v) = &p.vararg {
                self.s(v.name.as_str());
            }
        }
        for a in &p.kwonlyargs {
            if !std::mem::take(&mut first) {
                self.s(", ");
            }
            self.s(a.parameter.name.as_str());
            if let Some(d) = &a.default {
                self.s("=");
                self.expr(d, PR_TEST)?;
            }
        }
        if let Some(k) = &p.kwarg {
            if !std::mem::take(&mut first) {
                self.s(", ");
            }
            self.s("**");
            self.s(k.name.as_str());
        }
        Ok(())
    }

    /// `append_joinedstr`: the body, then (outside a format spec) `f` and its repr.
    fn joined(&mut self, parts: &[FPart<'_>], is_format_spec: bool) -> Res {
        let mut body = Writer(String::new());
        for p in parts {
            match p {
                FPart::Text(t, _) => body.s(&t.replace('{', "{{").replace('}', "}}")),
                FPart::Value(i) => body.formatted_value(i)?,
                FPart::Percent { .. } => return Err("a %-format in an annotation"),
            }
        }
        if is_format_spec {
            self.s(&body.0);
        } else {
            self.s("f");
            self.s(&str_repr(&body.0));
        }
        Ok(())
    }

    /// `append_formattedvalue`.
    fn formatted_value(&mut self, i: &ast::InterpolatedElement) -> Res {
        let mut inner = Writer(String::new());
        inner.expr(&i.expression, PR_TEST + 1)?;
        // An expression that starts with a brace is set apart from the outer one.
        self.s(if inner.0.starts_with('{') { "{ " } else { "{" });
        self.s(&inner.0);
        let conversion = match i.conversion {
            ast::ConversionFlag::Str => "!s",
            ast::ConversionFlag::Repr => "!r",
            ast::ConversionFlag::Ascii => "!a",
            ast::ConversionFlag::None if i.debug_text.is_some() && i.format_spec.is_none() => "!r",
            ast::ConversionFlag::None => "",
        };
        self.s(conversion);
        if let Some(spec) = &i.format_spec {
            self.s(":");
            self.joined(&spec_parts(spec), true)?;
        }
        self.s("}");
        Ok(())
    }
}
