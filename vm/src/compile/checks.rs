//! The SyntaxErrors CPython 3.12 finds in a tree ruff accepts:
//! - at parse time, `invalid_except_stmt`'s "multiple exception types must be
//!   parenthesized" (ruff follows Python 3.14, where `except A, B:` is valid) and
//!   `invalid_comprehension`'s starred element;
//! - at compile time, `forbidden_name` (assigning or deleting `__debug__`, through
//!   `compiler_nameop`, attribute stores, `compiler_check_debug_args` and keyword
//!   arguments) and `validate_keywords` ("keyword argument repeated").

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::Ranged;

use super::{syntax_error, CompileError, LineIndex};

/// `invalid_except_stmt`: an unparenthesized tuple of exception types. A parser error, so
/// located by characters as `syntax_errors` locates ruff's.
pub(super) fn parser_checks(module: &ast::ModModule, source: &str) -> Result<(), CompileError> {
    let mut v = ExceptTypes {
        source,
        error: None,
    };
    v.visit_body(&module.body);
    match v.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct ExceptTypes<'s> {
    source: &'s str,
    error: Option<CompileError>,
}

impl ExceptTypes<'_> {
    fn fail(&mut self, message: &str, range: ruff_text_size::TextRange) {
        if self.error.is_some() {
            return;
        }
        let (line, column) =
            super::syntax_errors::char_position(self.source, range.start().to_usize());
        let (end_line, end_column) =
            super::syntax_errors::char_position(self.source, range.end().to_usize());
        self.error = Some(CompileError {
            message: message.to_owned(),
            line,
            column,
            end_line,
            end_column: i32::try_from(end_column).ok(),
            unsupported: false,
            class: super::SyntaxClass::SyntaxError,
            origin: super::Origin::Compiler,
        });
    }
}

impl<'a> Visitor<'a> for ExceptTypes<'_> {
    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(Expr::Tuple(t)) = h.type_.as_deref() {
            let start = t.range.start().to_usize();
            let parenthesized = self.source.get(start..).is_some_and(|s| s.starts_with('('));
            if !parenthesized {
                self.fail("multiple exception types must be parenthesized", t.range);
            }
        }
        visitor::walk_except_handler(self, handler);
    }

    /// `invalid_comprehension`: a starred element before `for`.
    fn visit_expr(&mut self, e: &'a Expr) {
        let elt = match e {
            Expr::ListComp(c) => Some(&*c.elt),
            Expr::SetComp(c) => Some(&*c.elt),
            Expr::Generator(c) => Some(&*c.elt),
            _ => None,
        };
        if let Some(Expr::Starred(s)) = elt {
            self.fail(
                "iterable unpacking cannot be used in comprehension",
                s.range,
            );
        }
        // `invalid_kwarg`: a parenthesized name before `=` (`f((x)=2)`), which ruff takes
        // for a keyword argument.
        if let Expr::Call(c) = e {
            for k in c.arguments.keywords.iter() {
                let Some(arg) = &k.arg else { continue };
                let at = k.range.start().to_usize();
                if self.source.get(at..).is_some_and(|t| t.starts_with('(')) {
                    let rest = self.source.get(arg.range.end().to_usize()..).unwrap_or("");
                    let eq = rest.find('=').map_or(0, |i| i + 1);
                    let end = arg.range.end()
                        + ruff_text_size::TextSize::try_from(eq).unwrap_or_default();
                    self.fail(
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                        ruff_text_size::TextRange::new(arg.range.start(), end),
                    );
                }
            }
        }
        visitor::walk_expr(self, e);
    }
}

/// The compiler's checks, in source order.
pub(super) fn compiler_checks(
    module: &ast::ModModule,
    lines: &LineIndex,
) -> Result<(), CompileError> {
    let mut v = Forbidden { lines, error: None };
    v.visit_body(&module.body);
    match v.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Forbidden<'s> {
    lines: &'s LineIndex,
    error: Option<CompileError>,
}

impl Forbidden<'_> {
    fn fail(&mut self, message: &str, node: &impl Ranged) {
        if self.error.is_none() {
            self.error = Some(syntax_error(message, self.lines.of(node)));
        }
    }

    /// `forbidden_name`: `__debug__` may be neither bound nor deleted.
    fn name(&mut self, name: &str, ctx: ExprContext, node: &impl Ranged) {
        if name != "__debug__" {
            return;
        }
        match ctx {
            ExprContext::Store => self.fail("cannot assign to __debug__", node),
            ExprContext::Del => self.fail("cannot delete __debug__", node),
            _ => {}
        }
    }

    /// `compiler_check_debug_args`.
    fn parameters(&mut self, p: &ast::Parameters) {
        for param in p
            .posonlyargs
            .iter()
            .chain(&p.args)
            .chain(&p.kwonlyargs)
            .map(|p| &p.parameter)
            .chain(p.vararg.as_deref())
            .chain(p.kwarg.as_deref())
        {
            // CPython's `arg` node starts at the name, after any `*` or `**`.
            let range = ruff_text_size::TextRange::new(param.name.start(), param.end());
            self.name(param.name.as_str(), ExprContext::Store, &range);
        }
    }

    /// `validate_keywords`, then `forbidden_name` on each keyword.
    fn keywords(&mut self, keywords: &[ast::Keyword]) {
        for (i, k) in keywords.iter().enumerate() {
            let Some(arg) = &k.arg else { continue };
            if arg.as_str() == "__debug__" {
                self.fail("cannot assign to __debug__", k);
            }
            if let Some(other) = keywords[i + 1..]
                .iter()
                .find(|o| o.arg.as_ref().is_some_and(|a| a.as_str() == arg.as_str()))
            {
                self.fail(
                    &format!("keyword argument repeated: {}", arg.as_str()),
                    other,
                );
            }
        }
    }
}

impl<'a> Visitor<'a> for Forbidden<'_> {
    fn visit_stmt(&mut self, s: &'a Stmt) {
        match s {
            Stmt::FunctionDef(f) => self.parameters(&f.parameters),
            // `compiler_annassign` checks a simple target with the statement's location.
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    self.name(n.id.as_str(), ExprContext::Store, s);
                }
            }
            Stmt::ClassDef(c) => {
                if let Some(args) = &c.arguments {
                    self.keywords(&args.keywords);
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.as_str().split('.').next().unwrap_or(""),
                        |a| a.as_str(),
                    );
                    self.name(bound, ExprContext::Store, alias);
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.name(bound.as_str(), ExprContext::Store, alias);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, s);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => self.name(n.id.as_str(), n.ctx, e),
            Expr::Attribute(a) => self.name(a.attr.as_str(), a.ctx, e),
            Expr::Lambda(l) => {
                if let Some(p) = &l.parameters {
                    self.parameters(p);
                }
            }
            Expr::Call(c) => self.keywords(&c.arguments.keywords),
            _ => {}
        }
        visitor::walk_expr(self, e);
    }
}
