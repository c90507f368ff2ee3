//! ruff's tree → CPython 3.12's `_ast` nodes (Python-ast.c's `ast2obj_*`), for
//! `compile(..., PyCF_ONLY_AST)`: the module and the statements here, the expressions,
//! arguments and patterns in `expr`, joined strings in `fstring`. Locations are CPython's:
//! 1-based lines, UTF-8 byte columns, from the parser's tokens. Where ruff's range is not
//! the one CPython's parser gives, the token CPython starts from is found in the source;
//! a shape the VM cannot build exactly is unsupported.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::super::super::interp::Vm;
use super::super::super::object::Value;
use super::super::super::PyResult;
use super::{state, unsupported, State};
use crate::compile::{LineIndex, Loc, Mode};

/// One conversion: the state's classes, the source and its line index.
pub(super) struct Conv<'a> {
    pub vm: &'a Vm,
    pub st: Rc<State>,
    pub lines: &'a LineIndex,
    pub source: &'a str,
}

/// The tree of `source` in `mode` as `compile(source, filename, mode, PyCF_ONLY_AST)`
/// returns it.
pub fn tree(vm: &mut Vm, source: &str, filename: &str, mode: Mode, future: u32) -> PyResult<Value> {
    let (parsed, lines) = match crate::compile::parse_for_ast(source, filename, mode, future) {
        Ok(p) => p,
        Err(e) => {
            return Err(super::super::super::builtins::exec::compile_error(
                vm, e, filename, source, mode,
            ))
        }
    };
    let c = Conv {
        vm,
        st: state(vm),
        lines: &lines,
        source,
    };
    let body = &parsed.syntax().body;
    match mode {
        Mode::Exec => {
            let stmts = c.stmts(body)?;
            c.node("Module", vec![stmts, Value::list(Vec::new())], None)
        }
        Mode::Single => {
            let stmts = c.stmts(body)?;
            c.node("Interactive", vec![stmts], None)
        }
        Mode::Eval => match body.as_slice() {
            [Stmt::Expr(e)] => {
                let body = c.expr(&e.value)?;
                c.node("Expression", vec![body], None)
            }
            _ => Err(c.vm.bug("an eval-mode tree that is not one expression")),
        },
    }
}

impl Conv<'_> {
    pub fn node(&self, name: &str, fields: Vec<Value>, loc: Option<Loc>) -> PyResult<Value> {
        self.st.node(self.vm, name, fields, loc)
    }

    pub fn shared(&self, name: &str) -> PyResult<Value> {
        self.st.shared(self.vm, name)
    }

    pub fn loc(&self, r: TextRange) -> Loc {
        self.lines.loc(r)
    }

    pub fn located(&self, name: &str, fields: Vec<Value>, r: TextRange) -> PyResult<Value> {
        self.node(name, fields, Some(self.loc(r)))
    }

    pub fn ident(id: &ast::Identifier) -> Value {
        Value::str(id.id.as_str())
    }

    pub fn opt_ident(id: Option<&ast::Identifier>) -> Value {
        id.map_or(Value::None, Self::ident)
    }

    pub fn stmts(&self, body: &[Stmt]) -> PyResult<Value> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            out.push(self.stmt(s)?);
        }
        Ok(Value::list(out))
    }

    /// The offset of the first token at or after `at`: past spaces, line ends, comments and
    /// backslash continuations.
    pub fn next_token(&self, at: TextSize) -> TextSize {
        let bytes = self.source.as_bytes();
        let mut i = at.to_usize();
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' | b'\\' => i += 1,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        TextSize::new(u32::try_from(i).unwrap_or(u32::MAX))
    }

    /// A decorated definition starts at its keyword (`def`, `async`, `class`), after the
    /// decorators ruff's range includes.
    fn definition_range(&self, range: TextRange, decorators: &[ast::Decorator]) -> TextRange {
        match decorators.last() {
            Some(d) => TextRange::new(self.next_token(d.range.end()), range.end()),
            None => range,
        }
    }

    fn type_params(&self, tp: Option<&ast::TypeParams>) -> PyResult<Value> {
        let mut out = Vec::new();
        for p in tp.map(|t| t.type_params.as_slice()).unwrap_or_default() {
            out.push(self.type_param(p)?);
        }
        Ok(Value::list(out))
    }

    fn type_param(&self, p: &ast::TypeParam) -> PyResult<Value> {
        let (name, default) = match p {
            ast::TypeParam::TypeVar(t) => (&t.name, &t.default),
            ast::TypeParam::TypeVarTuple(t) => (&t.name, &t.default),
            ast::TypeParam::ParamSpec(t) => (&t.name, &t.default),
        };
        if default.is_some() {
            return Err(unsupported(self.vm, "a type parameter default (PEP 696)"));
        }
        match p {
            ast::TypeParam::TypeVar(t) => {
                let bound = self.opt_expr(t.bound.as_deref())?;
                self.located("TypeVar", vec![Self::ident(name), bound], t.range)
            }
            ast::TypeParam::TypeVarTuple(t) => {
                self.located("TypeVarTuple", vec![Self::ident(name)], t.range)
            }
            ast::TypeParam::ParamSpec(t) => {
                self.located("ParamSpec", vec![Self::ident(name)], t.range)
            }
        }
    }

    fn decorators(&self, ds: &[ast::Decorator]) -> PyResult<Value> {
        let mut out = Vec::new();
        for d in ds {
            out.push(self.expr(&d.expression)?);
        }
        Ok(Value::list(out))
    }

    fn aliases(&self, names: &[ast::Alias]) -> PyResult<Value> {
        let mut out = Vec::new();
        for a in names {
            let fields = vec![Self::ident(&a.name), Self::opt_ident(a.asname.as_ref())];
            out.push(self.located("alias", fields, a.range)?);
        }
        Ok(Value::list(out))
    }

    fn names(ids: &[ast::Identifier]) -> Value {
        Value::list(ids.iter().map(Self::ident).collect())
    }

    /// A block's end as CPython's parser gives it: the end of its last token, which is
    /// the `;` a last simple statement may have after it (ruff's range stops before it).
    fn block_end(&self, r: TextRange) -> TextRange {
        let bytes = self.source.as_bytes();
        let mut i = r.end().to_usize();
        while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\x0c')) {
            i += 1;
        }
        if bytes.get(i) == Some(&b';') {
            let end = TextSize::new(u32::try_from(i + 1).unwrap_or(u32::MAX));
            return TextRange::new(r.start(), end);
        }
        r
    }

    fn stmt(&self, s: &Stmt) -> PyResult<Value> {
        let r = if crate::compile::is_compound(s) {
            self.block_end(s.range())
        } else {
            s.range()
        };
        match s {
            Stmt::FunctionDef(f) => {
                let name = if f.is_async {
                    "AsyncFunctionDef"
                } else {
                    "FunctionDef"
                };
                let fields = vec![
                    Self::ident(&f.name),
                    self.arguments(Some(&f.parameters))?,
                    self.stmts(&f.body)?,
                    self.decorators(&f.decorator_list)?,
                    self.opt_expr(f.returns.as_deref())?,
                    Value::None,
                    self.type_params(f.type_params.as_deref())?,
                ];
                self.located(name, fields, self.definition_range(r, &f.decorator_list))
            }
            Stmt::ClassDef(c) => {
                let (bases, keywords) = match &c.arguments {
                    Some(a) => (self.exprs(&a.args)?, self.keywords(&a.keywords)?),
                    None => (Value::list(Vec::new()), Value::list(Vec::new())),
                };
                let fields = vec![
                    Self::ident(&c.name),
                    bases,
                    keywords,
                    self.stmts(&c.body)?,
                    self.decorators(&c.decorator_list)?,
                    self.type_params(c.type_params.as_deref())?,
                ];
                self.located(
                    "ClassDef",
                    fields,
                    self.definition_range(r, &c.decorator_list),
                )
            }
            Stmt::Return(x) => {
                let v = self.opt_expr(x.value.as_deref())?;
                self.located("Return", vec![v], r)
            }
            Stmt::Delete(d) => {
                let t = self.exprs(&d.targets)?;
                self.located("Delete", vec![t], r)
            }
            Stmt::TypeAlias(t) => {
                let fields = vec![
                    self.expr(&t.name)?,
                    self.type_params(t.type_params.as_deref())?,
                    self.expr(&t.value)?,
                ];
                self.located("TypeAlias", fields, r)
            }
            Stmt::Assign(a) => {
                let fields = vec![self.exprs(&a.targets)?, self.expr(&a.value)?, Value::None];
                self.located("Assign", fields, r)
            }
            Stmt::AugAssign(a) => {
                let fields = vec![
                    self.expr(&a.target)?,
                    self.operator(a.op)?,
                    self.expr(&a.value)?,
                ];
                self.located("AugAssign", fields, r)
            }
            Stmt::AnnAssign(a) => {
                let fields = vec![
                    self.expr(&a.target)?,
                    self.expr(&a.annotation)?,
                    self.opt_expr(a.value.as_deref())?,
                    Value::Int(i64::from(a.simple)),
                ];
                self.located("AnnAssign", fields, r)
            }
            Stmt::For(f) => {
                let name = if f.is_async { "AsyncFor" } else { "For" };
                let fields = vec![
                    self.expr(&f.target)?,
                    self.expr(&f.iter)?,
                    self.stmts(&f.body)?,
                    self.stmts(&f.orelse)?,
                    Value::None,
                ];
                self.located(name, fields, r)
            }
            Stmt::While(w) => {
                let fields = vec![
                    self.expr(&w.test)?,
                    self.stmts(&w.body)?,
                    self.stmts(&w.orelse)?,
                ];
                self.located("While", fields, r)
            }
            Stmt::If(i) => self.if_chain(&i.test, &i.body, &i.elif_else_clauses, r),
            Stmt::With(w) => {
                let name = if w.is_async { "AsyncWith" } else { "With" };
                let mut items = Vec::new();
                for item in &w.items {
                    let fields = vec![
                        self.expr(&item.context_expr)?,
                        self.opt_expr(item.optional_vars.as_deref())?,
                    ];
                    items.push(self.node("withitem", fields, None)?);
                }
                let fields = vec![Value::list(items), self.stmts(&w.body)?, Value::None];
                self.located(name, fields, r)
            }
            Stmt::Match(m) => {
                let mut cases = Vec::new();
                for case in &m.cases {
                    let fields = vec![
                        self.pattern(&case.pattern)?,
                        self.opt_expr(case.guard.as_deref())?,
                        self.stmts(&case.body)?,
                    ];
                    cases.push(self.node("match_case", fields, None)?);
                }
                let fields = vec![self.expr(&m.subject)?, Value::list(cases)];
                self.located("Match", fields, r)
            }
            Stmt::Raise(x) => {
                let fields = vec![
                    self.opt_expr(x.exc.as_deref())?,
                    self.opt_expr(x.cause.as_deref())?,
                ];
                self.located("Raise", fields, r)
            }
            Stmt::Try(t) => {
                let name = if t.is_star { "TryStar" } else { "Try" };
                let mut handlers = Vec::new();
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let fields = vec![
                        self.opt_expr(h.type_.as_deref())?,
                        Self::opt_ident(h.name.as_ref()),
                        self.stmts(&h.body)?,
                    ];
                    handlers.push(self.located(
                        "ExceptHandler",
                        fields,
                        self.block_end(h.range),
                    )?);
                }
                let fields = vec![
                    self.stmts(&t.body)?,
                    Value::list(handlers),
                    self.stmts(&t.orelse)?,
                    self.stmts(&t.finalbody)?,
                ];
                self.located(name, fields, r)
            }
            Stmt::Assert(a) => {
                let fields = vec![self.expr(&a.test)?, self.opt_expr(a.msg.as_deref())?];
                self.located("Assert", fields, r)
            }
            Stmt::Import(i) => {
                let names = self.aliases(&i.names)?;
                self.located("Import", vec![names], r)
            }
            Stmt::ImportFrom(i) => {
                let fields = vec![
                    Self::opt_ident(i.module.as_ref()),
                    self.aliases(&i.names)?,
                    Value::Int(i64::from(i.level)),
                ];
                self.located("ImportFrom", fields, r)
            }
            Stmt::Global(g) => self.located("Global", vec![Self::names(&g.names)], r),
            Stmt::Nonlocal(n) => self.located("Nonlocal", vec![Self::names(&n.names)], r),
            Stmt::Expr(e) => {
                let v = self.expr(&e.value)?;
                self.located("Expr", vec![v], r)
            }
            Stmt::Pass(_) => self.located("Pass", Vec::new(), r),
            Stmt::Break(_) => self.located("Break", Vec::new(), r),
            Stmt::Continue(_) => self.located("Continue", Vec::new(), r),
            Stmt::IpyEscapeCommand(_) => Err(unsupported(self.vm, "an IPython escape command")),
        }
    }

    /// `if`/`elif`/`else`: each `elif` is an `If` in the `orelse` of the one before, from
    /// its keyword to the end of the chain.
    fn if_chain(
        &self,
        test: &Expr,
        body: &[Stmt],
        rest: &[ast::ElifElseClause],
        r: TextRange,
    ) -> PyResult<Value> {
        let orelse = match rest.split_first() {
            None => Value::list(Vec::new()),
            Some((clause, more)) => match &clause.test {
                None => self.stmts(&clause.body)?,
                Some(t) => {
                    let sub = TextRange::new(clause.range.start(), r.end());
                    Value::list(vec![self.if_chain(t, &clause.body, more, sub)?])
                }
            },
        };
        let fields = vec![self.expr(test)?, self.stmts(body)?, orelse];
        self.located("If", fields, r)
    }

    pub fn exprs(&self, es: &[Expr]) -> PyResult<Value> {
        let mut out = Vec::with_capacity(es.len());
        for e in es {
            out.push(self.expr(e)?);
        }
        Ok(Value::list(out))
    }

    pub fn opt_expr(&self, e: Option<&Expr>) -> PyResult<Value> {
        match e {
            Some(e) => self.expr(e),
            None => Ok(Value::None),
        }
    }
}
