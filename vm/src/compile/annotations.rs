//! Annotations (PEP 526 and PEP 3107), as CPython 3.12's `Python/compile.c` compiles them
//! without `from __future__ import annotations`: `find_ann` decides whether a module or
//! class body starts with SETUP_ANNOTATIONS, `compiler_annassign` stores a simple name's
//! annotation in `__annotations__` (and evaluates the others' where CPython does), and
//! `compiler_visit_annotations` builds the name/value tuple MAKE_FUNCTION takes.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::codegen::{Compiler, ScopeKind, R};
use super::{mangle, syntax_error, unsupported, Loc};
use crate::code::Constant;
use crate::opcode::Opcode;

/// `find_ann`: whether a body holds an annotated assignment, looking into compound
/// statements but not into function or class definitions.
pub fn find_ann(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::AnnAssign(_) => true,
        Stmt::For(f) => find_ann(&f.body) || find_ann(&f.orelse),
        Stmt::While(w) => find_ann(&w.body) || find_ann(&w.orelse),
        Stmt::If(i) => find_ann(&i.body) || i.elif_else_clauses.iter().any(|c| find_ann(&c.body)),
        Stmt::With(w) => find_ann(&w.body),
        Stmt::Try(t) => {
            t.handlers.iter().any(|h| match h {
                ast::ExceptHandler::ExceptHandler(h) => find_ann(&h.body),
            }) || find_ann(&t.body)
                || find_ann(&t.finalbody)
                || find_ann(&t.orelse)
        }
        Stmt::Match(m) => m.cases.iter().any(|c| find_ann(&c.body)),
        _ => false,
    })
}

impl<'a> Compiler<'a> {
    fn module_or_class(&mut self) -> bool {
        matches!(self.u().kind, ScopeKind::Module | ScopeKind::Class)
    }

    /// `compiler_annassign`: the assignment first, then a simple name's annotation stored
    /// in a module's or class's `__annotations__`; other targets are evaluated (and their
    /// annotation, in a module or class) only for their side effects.
    pub(super) fn ann_assign(&mut self, a: &'a ast::StmtAnnAssign, loc: Loc) -> R {
        if let Some(value) = &a.value {
            self.expr(value)?;
            self.expr(&a.target)?;
        }
        match a.target.as_ref() {
            Expr::Name(n) => {
                if n.id.as_str() == "__debug__" {
                    return Err(syntax_error("cannot assign to __debug__", loc));
                }
                if a.simple && self.module_or_class() {
                    self.annotation(&a.annotation)?;
                    self.nameop("__annotations__", ast::ExprContext::Load, loc)?;
                    let mangled = mangle(self.ur().private.as_deref(), &n.id);
                    self.load_const(Constant::Str(Rc::from(mangled.as_str())), loc);
                    self.emit(Opcode::STORE_SUBSCR, 0, loc);
                }
            }
            // A target with no value is still evaluated (`check_ann_expr`).
            Expr::Attribute(t) if a.value.is_none() => self.check_ann_expr(&t.value)?,
            Expr::Subscript(t) if a.value.is_none() => {
                self.check_ann_expr(&t.value)?;
                self.check_ann_subscr(&t.slice)?;
            }
            _ => {}
        }
        // `check_annotation`: a complex target's annotation is evaluated last (never
        // under `from __future__ import annotations`).
        if !a.simple && self.module_or_class() && !self.future.annotations() {
            self.check_ann_expr(&a.annotation)?;
        }
        Ok(())
    }

    /// An annotation's value: the expression, or under `from __future__ import
    /// annotations` its text as CPython's unparser renders it (`compiler_visit_annexpr`).
    fn annotation(&mut self, e: &'a Expr) -> R {
        if !self.future.annotations() {
            return self.expr(e);
        }
        let text = super::unparse::expr_as_str(e).map_err(|what| unsupported(what, self.loc(e)))?;
        let loc = self.loc(e);
        self.load_const(Constant::Str(Rc::from(text.as_str())), loc);
        Ok(())
    }

    /// `check_ann_expr`: evaluate and discard.
    fn check_ann_expr(&mut self, e: &'a Expr) -> R {
        self.expr(e)?;
        let loc = self.loc(e);
        self.emit(Opcode::POP_TOP, 0, loc);
        Ok(())
    }

    /// `check_ann_subscr`: a subscript's slice parts, each evaluated and discarded.
    fn check_ann_subscr(&mut self, e: &'a Expr) -> R {
        match e {
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.check_ann_expr(part)?;
                }
                Ok(())
            }
            Expr::Tuple(t) => t.elts.iter().try_for_each(|e| self.check_ann_subscr(e)),
            _ => self.check_ann_expr(e),
        }
    }

    /// `compiler_visit_annotations`: push `name, value` pairs for the annotated
    /// parameters — in CPython's order: `args` before `posonlyargs`, then `*args`,
    /// keyword-only ones, `**kwargs` and `return` — and build them into one tuple.
    /// Returns whether it pushed one (MAKE_FUNCTION's `annotations` flag).
    pub(super) fn visit_annotations(
        &mut self,
        p: &'a ast::Parameters,
        returns: Option<&'a Expr>,
        loc: Loc,
    ) -> R<bool> {
        let mut count = 0u32;
        let plain = |list: &'a [ast::ParameterWithDefault]| {
            list.iter().map(|a| {
                (
                    a.parameter.name.id.as_str(),
                    a.parameter.annotation.as_deref(),
                )
            })
        };
        let one = |a: &'a Option<Box<ast::Parameter>>| {
            a.as_deref()
                .map(|a| (a.name.id.as_str(), a.annotation.as_deref()))
        };
        let all: Vec<(&str, Option<&'a Expr>)> = plain(&p.args)
            .chain(plain(&p.posonlyargs))
            .chain(one(&p.vararg))
            .chain(plain(&p.kwonlyargs))
            .chain(one(&p.kwarg))
            .chain(std::iter::once(("return", returns)))
            .collect();
        for (name, annotation) in all {
            let Some(annotation) = annotation else {
                continue;
            };
            let mangled = mangle(self.ur().private.as_deref(), name);
            self.load_const(Constant::Str(Rc::from(mangled.as_str())), loc);
            if self.future.annotations() {
                self.annotation(annotation)?;
            } else if let Expr::Starred(s) = annotation {
                // `*args: *Ts`: `[annotation] = [*Ts]`.
                self.expr(&s.value)?;
                self.emit(Opcode::UNPACK_SEQUENCE, 1, loc);
            } else {
                self.expr(annotation)?;
            }
            count += 2;
        }
        if count > 0 {
            self.emit(Opcode::BUILD_TUPLE, count, loc);
        }
        Ok(count > 0)
    }
}
