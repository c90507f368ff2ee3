//! The SyntaxWarnings CPython 3.12 issues while compiling a module, in its order: first
//! the parser's (invalid escape sequences, `warn_invalid_escape_sequence` in
//! `Parser/string_parser.c`, in source order), then the compiler's (`compiler_warn` in
//! `Python/compile.c`: `check_compare`, `check_caller`, `check_subscripter`,
//! `check_index`, `compiler_assert`), in code-generation order.
//!
//! The runtime prints them as `warnings.showwarning` does before running the program.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, CmpOp, Expr, ExprContext, InterpolatedStringElement, Number, Stmt, StringFlags,
    UnaryOp,
};
use ruff_text_size::Ranged;

use super::LineIndex;

/// One compile-time warning: its 1-based line and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileWarning {
    pub line: u32,
    pub message: String,
    /// A SyntaxWarning (warned at the file and line, `PyErr_WarnExplicitObject`), or the
    /// DeprecationWarning of folding `~` on a bool, which `fold_unaryop` warns with
    /// `PyErr_WarnEx(..., 1)`: at the Python frame that called the compiler.
    pub deprecation: bool,
    /// The SyntaxError CPython raises instead when the warnings filters turn this
    /// warning into an error (`compiler_warn` calls `compiler_error` at the construct);
    /// `None` where the VM does not locate it (the parser's warnings).
    pub error: Option<super::CompileError>,
}

/// The warnings compiling `module` gives, parser's first.
pub(super) fn collect(
    module: &ast::ModModule,
    tokens: &ruff_python_ast::token::Tokens,
    source: &str,
    lines: &LineIndex,
) -> Vec<CompileWarning> {
    let mut out = parser_warnings(module, tokens, source, lines);
    let mut inversions = BoolInversions {
        lines,
        found: Vec::new(),
    };
    inversions.visit_body(&module.body);
    out.extend(inversions.found);
    let mut checks = Checks {
        lines,
        found: Vec::new(),
    };
    checks.visit_body(&module.body);
    out.extend(checks.found);
    out
}

/// The parser's warnings alone (what an AST-only compile issues), in source order.
pub(super) fn parser_warnings(
    module: &ast::ModModule,
    tokens: &ruff_python_ast::token::Tokens,
    source: &str,
    lines: &LineIndex,
) -> Vec<CompileWarning> {
    let mut escapes = Escapes {
        source,
        lines,
        raw: Vec::new(),
        found: Vec::new(),
    };
    escapes.visit_body(&module.body);
    escapes.found.extend(number_warnings(source, tokens, lines));
    escapes.found.sort_by_key(|(offset, _)| *offset);
    escapes.found.into_iter().map(|(_, w)| w).collect()
}

/// `verify_end_of_number`'s warnings: a number glued to a keyword (`1if x else 2`).
fn number_warnings(
    source: &str,
    tokens: &ruff_python_ast::token::Tokens,
    lines: &LineIndex,
) -> Vec<(usize, CompileWarning)> {
    super::syntax_errors::number_starts(source, tokens)
        .into_iter()
        .filter_map(|start| match super::number_tokens::check(source, start)? {
            super::number_tokens::NumberIssue::Warning { message } => {
                let line = lines.line_col(start).0;
                Some((
                    start,
                    CompileWarning {
                        line: u32::try_from(line).unwrap_or(1),
                        message,
                        deprecation: false,
                        error: None,
                    },
                ))
            }
            super::number_tokens::NumberIssue::Error { .. } => None,
        })
        .collect()
}

/// The parser's warnings CPython gives before it stops at `error`: those of the string
/// literals that start before the error's position (on ruff's recovered tree).
pub fn before_error(source: &str, error: &super::CompileError) -> Vec<CompileWarning> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, ast::PySourceType::Python);
    let lines = LineIndex::new(source);
    let mut escapes = Escapes {
        source,
        lines: &lines,
        raw: Vec::new(),
        found: Vec::new(),
    };
    escapes.visit_body(&parsed.syntax().body);
    escapes.found.sort_by_key(|(offset, _)| *offset);
    escapes
        .found
        .into_iter()
        .filter(|(offset, w)| {
            let (line, col) = lines.line_col(*offset);
            let line_start = offset - usize::try_from(col).unwrap_or(0);
            let chars = source
                .get(line_start..*offset)
                .map_or(0, |t| t.chars().count());
            w.line < error.line
                || (i64::from(line) == i64::from(error.line) && chars + 1 < error.column as usize)
        })
        .map(|(_, w)| w)
        .collect()
}

/// Invalid escape sequences in the literal parts of strings, bytes and f-strings.
struct Escapes<'s> {
    source: &'s str,
    lines: &'s LineIndex,
    /// Whether each enclosing f-string is raw.
    raw: Vec<bool>,
    found: Vec<(usize, CompileWarning)>,
}

impl Escapes<'_> {
    /// `_PyUnicode_DecodeUnicodeEscapeInternal` / `_PyBytes_DecodeEscape` remember the
    /// first invalid escape of a token; `warn_invalid_escape_sequence` reports it.
    fn scan(&mut self, start: usize, body: &str, bytes: bool) {
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'\\' {
                i += 1;
                continue;
            }
            let Some(&c) = b.get(i + 1) else { break };
            let message = match c {
                b'\n' | b'\r' | b'\\' | b'\'' | b'"' | b'a' | b'b' | b'f' | b'n' | b'r' | b't'
                | b'v' | b'x' => None,
                b'N' | b'u' | b'U' if !bytes => None,
                b'0'..=b'7' => {
                    let digits: String = body[i + 1..]
                        .chars()
                        .take(3)
                        .take_while(|d| ('0'..='7').contains(d))
                        .collect();
                    let value = u32::from_str_radix(&digits, 8).unwrap_or(0);
                    i += digits.len();
                    (value > 0o377).then(|| format!("invalid octal escape sequence '\\{digits}'"))
                }
                _ => {
                    let ch = body[i + 1..].chars().next().unwrap_or('\\');
                    Some(format!("invalid escape sequence '\\{ch}'"))
                }
            };
            if let Some(message) = message {
                let line = self.lines.line_col(start).0;
                self.found.push((
                    start,
                    CompileWarning {
                        line: u32::try_from(line).unwrap_or(1),
                        message,
                        deprecation: false,
                        error: None,
                    },
                ));
                return;
            }
            i += 2;
        }
    }

    fn literal(
        &mut self,
        range: ruff_text_size::TextRange,
        flags: ast::AnyStringFlags,
        bytes: bool,
    ) {
        if flags.prefix().is_raw() {
            return;
        }
        let start = (range.start() + flags.opener_len()).to_usize();
        let end = (range.end() - flags.closer_len()).to_usize();
        if let Some(body) = self.source.get(start..end) {
            self.scan(range.start().to_usize(), body, bytes);
        }
    }
}

impl<'a> Visitor<'a> for Escapes<'_> {
    fn visit_string_literal(&mut self, s: &'a ast::StringLiteral) {
        self.literal(s.range, s.flags.into(), false);
    }

    fn visit_bytes_literal(&mut self, s: &'a ast::BytesLiteral) {
        self.literal(s.range, s.flags.into(), true);
    }

    fn visit_f_string(&mut self, f: &'a ast::FString) {
        self.raw.push(f.flags.prefix().is_raw());
        visitor::walk_f_string(self, f);
        self.raw.pop();
    }

    fn visit_interpolated_string_element(&mut self, e: &'a InterpolatedStringElement) {
        if let InterpolatedStringElement::Literal(lit) = e {
            if !self.raw.last().copied().unwrap_or(false) {
                let start = lit.range.start().to_usize();
                if let Some(body) = self.source.get(start..lit.range.end().to_usize()) {
                    self.scan(start, body, false);
                }
            }
        }
        visitor::walk_interpolated_string_element(self, e);
    }
}

/// The compiler's checks, on the AST as `ast_opt.c` folded it (a negated number or a
/// tuple of constants is a constant).
struct Checks<'s> {
    lines: &'s LineIndex,
    found: Vec<CompileWarning>,
}

impl Checks<'_> {
    fn warn(&mut self, node: &impl Ranged, message: String) {
        let line = self.lines.line_col(node.start().to_usize()).0;
        let error = Some(super::syntax_error(&message, self.lines.of(node)));
        self.found.push(CompileWarning {
            line: u32::try_from(line).unwrap_or(1),
            message,
            deprecation: false,
            error,
        });
    }
}

/// The type of a constant after folding, or `None` when the expression is not one.
fn constant_type(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::NumberLiteral(n) => Some(match n.value {
            Number::Int(_) => "int",
            Number::Float(_) => "float",
            Number::Complex { .. } => "complex",
        }),
        Expr::StringLiteral(_) => Some("str"),
        Expr::BytesLiteral(_) => Some("bytes"),
        Expr::NoneLiteral(_) => Some("NoneType"),
        Expr::BooleanLiteral(_) => Some("bool"),
        Expr::EllipsisLiteral(_) => Some("ellipsis"),
        Expr::FString(f)
            if f.value
                .iter()
                .all(|p| matches!(p, ast::FStringPart::Literal(_))) =>
        {
            Some("str")
        }
        Expr::UnaryOp(u) if matches!(u.op, UnaryOp::USub | UnaryOp::UAdd | UnaryOp::Invert) => {
            match constant_type(&u.operand)? {
                t @ ("int" | "float" | "complex") => Some(t),
                "bool" if u.op != UnaryOp::UAdd => Some("int"),
                _ => None,
            }
        }
        Expr::Tuple(t)
            if t.ctx == ExprContext::Load && t.elts.iter().all(|x| constant_type(x).is_some()) =>
        {
            Some("tuple")
        }
        _ => None,
    }
}

/// `infer_type`: the type an expression certainly has, if the AST tells.
fn infer_type(e: &Expr) -> Option<&'static str> {
    if let Some(t) = constant_type(e) {
        return Some(t);
    }
    Some(match e {
        Expr::Tuple(_) => "tuple",
        Expr::List(_) | Expr::ListComp(_) => "list",
        Expr::Dict(_) | Expr::DictComp(_) => "dict",
        Expr::Set(_) | Expr::SetComp(_) => "set",
        Expr::Generator(_) => "generator",
        Expr::Lambda(_) => "function",
        Expr::FString(_) => "str",
        Expr::Slice(_) => "slice",
        _ => return None,
    })
}

/// `check_is_arg`: true unless the expression is a constant other than None, True,
/// False and Ellipsis.
fn is_arg(e: &Expr) -> bool {
    !matches!(constant_type(e), Some(t) if !matches!(t, "NoneType" | "bool" | "ellipsis"))
}

impl<'a> Visitor<'a> for Checks<'_> {
    fn visit_stmt(&mut self, s: &'a Stmt) {
        // `compiler_assert`: a non-empty tuple as the test is always true.
        if let Stmt::Assert(a) = s {
            let tuple = match &*a.test {
                Expr::Tuple(t) => !t.elts.is_empty(),
                _ => false,
            };
            if tuple {
                self.warn(
                    s,
                    "assertion is always true, perhaps remove parentheses?".to_owned(),
                );
            }
        }
        visitor::walk_stmt(self, s);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            // `check_compare`: `is` / `is not` with a literal operand, the first only.
            Expr::Compare(c) => {
                let mut left = is_arg(&c.left);
                let mut left_expr: &Expr = &c.left;
                for (op, right_expr) in c.ops.iter().zip(c.comparators.iter()) {
                    let right = is_arg(right_expr);
                    if matches!(op, CmpOp::Is | CmpOp::IsNot) && (!right || !left) {
                        let literal = if left { right_expr } else { left_expr };
                        let ty = constant_type(literal).unwrap_or("object");
                        let message = if *op == CmpOp::Is {
                            format!("\"is\" with '{ty}' literal. Did you mean \"==\"?")
                        } else {
                            format!("\"is not\" with '{ty}' literal. Did you mean \"!=\"?")
                        };
                        self.warn(e, message);
                        break;
                    }
                    left = right;
                    left_expr = right_expr;
                }
            }
            // `check_caller`.
            Expr::Call(call) => {
                let f = &*call.func;
                let warns = constant_type(f).is_some()
                    || matches!(
                        f,
                        Expr::Tuple(_)
                            | Expr::List(_)
                            | Expr::ListComp(_)
                            | Expr::Dict(_)
                            | Expr::DictComp(_)
                            | Expr::Set(_)
                            | Expr::SetComp(_)
                            | Expr::Generator(_)
                            | Expr::FString(_)
                    );
                if warns {
                    let ty = infer_type(f).unwrap_or("object");
                    self.warn(
                        f,
                        format!("'{ty}' object is not callable; perhaps you missed a comma?"),
                    );
                }
            }
            // `check_subscripter` and `check_index`, for loads only.
            Expr::Subscript(sub) if sub.ctx == ExprContext::Load => {
                self.check_subscript(&sub.value, &sub.slice);
            }
            _ => {}
        }
        visitor::walk_expr(self, e);
    }
}

impl Checks<'_> {
    fn check_subscript(&mut self, value: &Expr, slice: &Expr) {
        let constant = constant_type(value);
        let not_subscriptable = match constant {
            // `PyLong_Check` admits bool.
            Some(t) => matches!(
                t,
                "NoneType" | "ellipsis" | "int" | "bool" | "float" | "complex"
            ),
            None => matches!(
                value,
                Expr::Set(_) | Expr::SetComp(_) | Expr::Generator(_) | Expr::Lambda(_)
            ),
        };
        if not_subscriptable {
            let ty = infer_type(value).unwrap_or("object");
            self.warn(
                value,
                format!("'{ty}' object is not subscriptable; perhaps you missed a comma?"),
            );
            return;
        }
        let Some(index) = infer_type(slice) else {
            return;
        };
        if matches!(index, "int" | "bool" | "slice") {
            return;
        }
        let sequence = match constant {
            Some(t) => matches!(t, "str" | "bytes" | "tuple"),
            None => matches!(
                value,
                Expr::Tuple(_) | Expr::List(_) | Expr::ListComp(_) | Expr::FString(_)
            ),
        };
        if sequence {
            let ty = infer_type(value).unwrap_or("object");
            self.warn(
                value,
                format!(
                    "{ty} indices must be integers or slices, not {index}; perhaps you missed a comma?"
                ),
            );
        }
    }
}

/// `fold_unaryop`'s DeprecationWarning for `~` on a constant that folds to a bool
/// (`~True`, `~(not 0)`), found as `astfold_expr` visits: operands before their operator.
struct BoolInversions<'s> {
    lines: &'s LineIndex,
    found: Vec<CompileWarning>,
}

/// The message of `bool_invert` (Objects/boolobject.c), which the folding calls.
pub const BOOL_INVERT_DEPRECATED: &str = "Bitwise inversion '~' on bool is deprecated. This \
    returns the bitwise inversion of the underlying int object and is usually not what you \
    expect from negating a bool. Use the 'not' operator for boolean negation or ~int(x) if \
    you really want the bitwise inversion of the underlying int.";

impl<'a> Visitor<'a> for BoolInversions<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        visitor::walk_expr(self, expr);
        if let Expr::UnaryOp(u) = expr {
            if u.op == UnaryOp::Invert
                && matches!(
                    super::fold::fold(&u.operand, self.lines),
                    Ok(Some(crate::code::Constant::Bool(_)))
                )
            {
                let line = self.lines.line_col(expr.start().to_usize()).0;
                self.found.push(CompileWarning {
                    line: u32::try_from(line).unwrap_or(1),
                    message: BOOL_INVERT_DEPRECATED.to_owned(),
                    deprecation: true,
                    error: None,
                });
            }
        }
    }
}
