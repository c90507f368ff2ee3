//! `def` and `class` statements, after CPython 3.12's `Python/compile.c`
//! (`compiler_function`, `compiler_function_body`, `compiler_class`,
//! `compiler_class_body`). A generic definition (PEP 695) is wrapped in its
//! `<generic parameters of NAME>` scope, built by [`super::typeparams`].

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr};

use super::codegen::{Compiler, ScopeKind, R};
use super::typeparams::TYPE_PARAMS;
use super::{unsupported, Loc};
use crate::code::Constant;
use crate::oparg::make_function;
use crate::opcode::Opcode;

impl<'a> Compiler<'a> {
    /// `compiler_function`.
    pub fn function_def(&mut self, f: &'a ast::StmtFunctionDef, loc: Loc) -> R {
        for d in &f.decorator_list {
            self.expr(&d.expression)?;
        }
        let firstlineno = match f.decorator_list.first() {
            Some(d) => self.loc(d).line,
            None => loc.line,
        };
        let generic = f.type_params.as_deref().filter(|t| !t.is_empty());
        if generic.is_some() {
            // The NULL for the call of the type-parameter scope.
            self.emit(Opcode::PUSH_NULL, 0, loc);
        }
        let mut flags = self.default_arguments(&f.parameters, loc)?;
        let mut nargs = 0;
        if let Some(tp) = generic {
            // The defaults become the type-parameter scope's arguments (`.defaults`,
            // `.kwdefaults`), so names in them are evaluated outside it.
            nargs = u32::from(flags & make_function::DEFAULTS != 0)
                + u32::from(flags & make_function::KWDEFAULTS != 0);
            if nargs == 2 {
                self.emit(Opcode::SWAP, 2, loc);
            }
            self.enter_type_params_scope(&f.name.id, tp, firstlineno)?;
            self.type_params(tp)?;
            for i in 0..nargs {
                self.emit(Opcode::LOAD_FAST, i, loc);
            }
        }
        if self.visit_annotations(&f.parameters, f.returns.as_deref(), loc)? {
            flags |= make_function::ANNOTATIONS;
        }
        self.function_body(f, flags, firstlineno, loc)?;
        if generic.is_some() {
            self.finish_generic_function(nargs, loc)?;
        }
        for d in f.decorator_list.iter().rev() {
            let dloc = self.loc(&d.expression);
            self.emit(Opcode::CALL, 0, dloc);
        }
        self.nameop(&f.name.id, ast::ExprContext::Store, loc)
    }

    /// `compiler_function_body`: the function's own code object and the function made
    /// from it.
    fn function_body(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        flags: u32,
        firstlineno: i32,
        loc: Loc,
    ) -> R {
        let Some(ste) = self.table.lookup(f) else {
            return Err(unsupported("function without a symbol table entry", loc));
        };
        let kind = if f.is_async {
            ScopeKind::AsyncFunction
        } else {
            ScopeKind::Function
        };
        self.enter_scope(&f.name.id, kind, ste, firstlineno)?;
        let doc = f
            .body
            .first()
            .and_then(|s| super::codegen::docstring_const(s, self.lines));
        let skip = usize::from(doc.is_some());
        self.add_const(doc.unwrap_or(Constant::None));
        self.set_arg_counts(&f.parameters);
        for s in f.body.iter().skip(skip) {
            self.stmt(s)?;
        }
        if self.ste().generator || self.ste().coroutine {
            self.wrap_in_stopiteration_handler();
        }
        let code = self.finish_unit(true)?;
        self.make_closure(code, flags, loc)
    }

    /// `compiler_class`.
    pub fn class_def(&mut self, c: &'a ast::StmtClassDef, loc: Loc) -> R {
        for d in &c.decorator_list {
            self.expr(&d.expression)?;
        }
        let firstlineno = match c.decorator_list.first() {
            Some(d) => self.loc(d).line,
            None => loc.line,
        };
        let generic = c.type_params.as_deref().filter(|t| !t.is_empty());
        if let Some(tp) = generic {
            // CPython 3.12 sets the *enclosing* unit's mangling class here, and never
            // restores it (its symbol table does the same, see `symtable`).
            self.u().private = Some(c.name.id.to_string());
            self.emit(Opcode::PUSH_NULL, 0, loc);
            self.enter_type_params_scope(&c.name.id, tp, firstlineno)?;
            self.type_params(tp)?;
            self.nameop(TYPE_PARAMS, ast::ExprContext::Store, loc)?;
        }
        self.class_body(c, generic.is_some(), firstlineno, loc)?;
        if generic.is_some() {
            self.finish_generic_class(c, loc)?;
        } else {
            let (args, keywords): (&'a [Expr], &'a [ast::Keyword]) = match &c.arguments {
                Some(a) => (&a.args, &a.keywords),
                None => (&[], &[]),
            };
            self.call_helper(loc, 2, args, keywords)?;
        }
        for d in c.decorator_list.iter().rev() {
            let dloc = self.loc(&d.expression);
            self.emit(Opcode::CALL, 0, dloc);
        }
        self.nameop(&c.name.id, ast::ExprContext::Store, loc)
    }

    /// `compiler_class_body`: the body's code object, then `__build_class__`, the
    /// function made from it and the class name on the stack.
    fn class_body(
        &mut self,
        c: &'a ast::StmtClassDef,
        generic: bool,
        firstlineno: i32,
        loc: Loc,
    ) -> R {
        let Some(ste) = self.table.lookup(c) else {
            return Err(unsupported("class without a symbol table entry", loc));
        };
        self.enter_scope(&c.name.id, ScopeKind::Class, ste, firstlineno)?;
        let ploc = Loc::line_only(firstlineno);
        self.u().private = Some(c.name.id.to_string());
        self.nameop("__name__", ast::ExprContext::Load, ploc)?;
        self.nameop("__module__", ast::ExprContext::Store, ploc)?;
        let q = self.ur().qualname.clone();
        self.load_const(Constant::Str(Rc::from(q.as_str())), ploc);
        self.nameop("__qualname__", ast::ExprContext::Store, ploc)?;
        if generic {
            // compiler_set_type_params_in_class
            self.nameop(TYPE_PARAMS, ast::ExprContext::Load, ploc)?;
            self.nameop("__type_params__", ast::ExprContext::Store, ploc)?;
        }
        if self.ste().needs_classdict {
            // The class namespace, for the annotation scopes that look names up in it.
            let i = self.ur().cellvars.get("__classdict__").unwrap_or(0);
            self.emit(Opcode::LOAD_LOCALS, 0, ploc);
            self.emit(Opcode::STORE_DEREF, i, ploc);
        }
        self.body(ploc, &c.body)?;
        if self.ste().needs_classdict {
            let i = self.ur().cellvars.get("__classdict__").unwrap_or(0);
            self.emit(Opcode::LOAD_CLOSURE, i, Loc::NONE);
            self.nameop("__classdictcell__", ast::ExprContext::Store, Loc::NONE)?;
        }
        if self.ste().needs_class_closure {
            let i = self.ur().cellvars.get("__class__").unwrap_or(0);
            self.emit(Opcode::LOAD_CLOSURE, i, Loc::NONE);
            self.emit(Opcode::COPY, 1, Loc::NONE);
            self.nameop("__classcell__", ast::ExprContext::Store, Loc::NONE)?;
        } else {
            self.load_const(Constant::None, Loc::NONE);
        }
        let code = self.finish_unit(false)?;
        self.emit(Opcode::PUSH_NULL, 0, loc);
        self.emit(Opcode::LOAD_BUILD_CLASS, 0, loc);
        self.make_closure(code, 0, loc)?;
        self.load_const(Constant::Str(Rc::from(c.name.id.as_str())), loc);
        Ok(())
    }
}
