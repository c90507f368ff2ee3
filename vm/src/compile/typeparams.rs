//! PEP 695 in the compiler, after CPython 3.12's `Python/compile.c`: the type-parameter
//! list (`compiler_type_params`), the `<generic parameters of NAME>` annotation scope
//! that wraps a generic function, class or alias, and the `type` statement
//! (`compiler_typealias`). Bounds, constraints and alias values are compiled into code
//! objects of their own that the runtime calls lazily, on first access.
//!
//! The symbol-table side (the `TypeParams`, `TypeVarBound` and `TypeAlias` blocks,
//! `__classdict__`) is in [`super::symtable`]; [`super::definitions`] calls in here from
//! `compiler_function` and `compiler_class`.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::codegen::{skip_trivia, Compiler, ScopeKind, R};
use super::{unsupported, Loc};
use crate::code::Constant;
use crate::oparg::{Intrinsic1, Intrinsic2};
use crate::opcode::Opcode;

/// The name under which a generic class's type-parameter scope keeps
/// `Generic[*type_params]`, passed as the class's last base.
pub const GENERIC_BASE: &str = ".generic_base";
/// The tuple of a generic class's type parameters, which its body stores as
/// `__type_params__`.
pub const TYPE_PARAMS: &str = ".type_params";

/// For each generic class (by node address), its bases followed by the `.generic_base`
/// name, located at the `class` statement: `compiler_class` builds exactly this list
/// (`_PyAST_Name(.generic_base)`) and calls `compiler_call_helper` on it. Built before
/// code generation so the nodes live as long as the module's.
pub fn generic_bases(module: &ast::ModModule, source: &str) -> HashMap<usize, Vec<Expr>> {
    struct Collect<'s> {
        source: &'s str,
        found: HashMap<usize, Vec<Expr>>,
    }
    impl<'a> Visitor<'a> for Collect<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if let Stmt::ClassDef(c) = s {
                if c.type_params.as_deref().is_some_and(|t| !t.is_empty()) {
                    let start = match c.decorator_list.last() {
                        Some(d) => {
                            let pos = skip_trivia(self.source, d.range().end().to_usize());
                            TextSize::try_from(pos).unwrap_or(c.range().start())
                        }
                        None => c.range().start(),
                    };
                    let mut bases: Vec<Expr> = c
                        .arguments
                        .as_ref()
                        .map(|a| a.args.to_vec())
                        .unwrap_or_default();
                    bases.push(Expr::Name(ast::ExprName {
                        node_index: ast::AtomicNodeIndex::default(),
                        range: TextRange::new(start, c.range().end()),
                        id: ast::name::Name::new(GENERIC_BASE),
                        ctx: ast::ExprContext::Load,
                    }));
                    self.found.insert(c as *const _ as usize, bases);
                }
            }
            walk_stmt(self, s);
        }
    }
    let mut collect = Collect {
        source,
        found: HashMap::new(),
    };
    for s in &module.body {
        collect.visit_stmt(s);
    }
    collect.found
}

impl<'a> Compiler<'a> {
    /// Enters `<generic parameters of NAME>` (`COMPILER_SCOPE_TYPEPARAMS`) for the type
    /// parameters `tp`.
    pub fn enter_type_params_scope(&mut self, name: &str, tp: &'a ast::TypeParams, line: i32) -> R {
        let Some(ste) = self.table.lookup(tp) else {
            return Err(unsupported(
                "type parameters without a symbol table entry",
                Loc::NONE,
            ));
        };
        let scope_name = format!("<generic parameters of {name}>");
        self.enter_scope(&scope_name, ScopeKind::TypeParams, ste, line)
    }

    /// The `LOAD_DEREF __classdict__` with which an annotation scope inside a class
    /// starts a name lookup in the class namespace (`compiler_nameop`).
    pub fn load_classdict(&mut self, loc: Loc) -> R {
        let ncells = u32::try_from(self.ur().cellvars.len()).unwrap_or(0);
        let Some(i) = self.ur().freevars.get("__classdict__") else {
            return Err(unsupported("__classdict__ (lookup failed)", loc));
        };
        self.emit(Opcode::LOAD_DEREF, ncells + i, loc);
        Ok(())
    }

    /// `compiler_type_params`: each parameter becomes a TypeVar, TypeVarTuple or
    /// ParamSpec stored under its name, and all of them a tuple left on the stack.
    pub fn type_params(&mut self, tp: &'a ast::TypeParams) -> R {
        for p in tp.iter() {
            let loc = self.loc(p);
            match p {
                ast::TypeParam::TypeVar(v) => {
                    self.load_const(Constant::Str(Rc::from(v.name.id.as_str())), loc);
                    if let Some(bound) = &v.bound {
                        let Some(ste) = self.table.lookup(v) else {
                            return Err(unsupported("TypeVar bound without a scope", loc));
                        };
                        let bloc = self.loc(bound.as_ref());
                        self.enter_scope(&v.name.id, ScopeKind::TypeParams, ste, bloc.line)?;
                        self.expr(bound)?;
                        self.emit(Opcode::RETURN_VALUE, 0, loc);
                        let code = self.finish_unit(true)?;
                        self.make_closure(code, 0, loc)?;
                        let intrinsic = if bound.is_tuple_expr() {
                            Intrinsic2::TypeVarWithConstraints
                        } else {
                            Intrinsic2::TypeVarWithBound
                        };
                        self.emit(Opcode::CALL_INTRINSIC_2, intrinsic as u32, loc);
                    } else {
                        self.emit(Opcode::CALL_INTRINSIC_1, Intrinsic1::TypeVar as u32, loc);
                    }
                    self.store_type_param(&v.name.id, loc)?;
                }
                ast::TypeParam::TypeVarTuple(v) => {
                    self.load_const(Constant::Str(Rc::from(v.name.id.as_str())), loc);
                    let op = Intrinsic1::TypeVarTuple as u32;
                    self.emit(Opcode::CALL_INTRINSIC_1, op, loc);
                    self.store_type_param(&v.name.id, loc)?;
                }
                ast::TypeParam::ParamSpec(v) => {
                    self.load_const(Constant::Str(Rc::from(v.name.id.as_str())), loc);
                    self.emit(Opcode::CALL_INTRINSIC_1, Intrinsic1::ParamSpec as u32, loc);
                    self.store_type_param(&v.name.id, loc)?;
                }
            }
        }
        let first = tp.first().map_or(Loc::NONE, |p| self.loc(p));
        let n = u32::try_from(tp.len()).unwrap_or(u32::MAX);
        self.emit(Opcode::BUILD_TUPLE, n, first);
        Ok(())
    }

    fn store_type_param(&mut self, name: &str, loc: Loc) -> R {
        self.emit(Opcode::COPY, 1, loc);
        self.nameop(name, ast::ExprContext::Store, loc)
    }

    /// The end of a generic function's `<generic parameters of f>` (`compiler_function`):
    /// the new function gets its `__type_params__`, the scope returns it, and the caller
    /// calls the scope with the defaults it computed (`nargs` of them).
    pub fn finish_generic_function(&mut self, nargs: u32, loc: Loc) -> R {
        self.emit(Opcode::SWAP, 2, loc);
        let op = Intrinsic2::SetFunctionTypeParams as u32;
        self.emit(Opcode::CALL_INTRINSIC_2, op, loc);
        self.u().argcount = nargs;
        let code = self.finish_unit(false)?;
        self.make_closure(code, 0, loc)?;
        if nargs > 0 {
            self.emit(Opcode::SWAP, nargs + 1, loc);
        }
        self.emit(Opcode::CALL, nargs, loc);
        Ok(())
    }

    /// The end of a generic class's `<generic parameters of C>` (`compiler_class`): the
    /// class body's function and name are on the stack; `Generic[*type_params]` becomes
    /// the last base, then `__build_class__` is called and its result returned.
    pub fn finish_generic_class(&mut self, c: &'a ast::StmtClassDef, loc: Loc) -> R {
        use ast::ExprContext::{Load, Store};
        self.nameop(TYPE_PARAMS, Load, loc)?;
        let op = Intrinsic1::SubscriptGeneric as u32;
        self.emit(Opcode::CALL_INTRINSIC_1, op, loc);
        self.nameop(GENERIC_BASE, Store, loc)?;
        let table: &'a HashMap<usize, Vec<Expr>> = self.generic_bases;
        let Some(bases) = table.get(&(c as *const _ as usize)) else {
            return Err(unsupported("generic class without its generic base", loc));
        };
        let keywords: &'a [ast::Keyword] = match &c.arguments {
            Some(a) => &a.keywords,
            None => &[],
        };
        self.call_helper(loc, 2, bases, keywords)?;
        let code = self.finish_unit(false)?;
        self.make_closure(code, 0, loc)?;
        self.emit(Opcode::CALL, 0, loc);
        Ok(())
    }

    /// `compiler_typealias`: `type NAME[params] = value` calls `INTRINSIC_TYPEALIAS` with
    /// (name, type parameters or None, the function computing the value).
    pub fn type_alias(&mut self, a: &'a ast::StmtTypeAlias, loc: Loc) -> R {
        let Expr::Name(name) = a.name.as_ref() else {
            return Err(unsupported("type alias whose name is not a name", loc));
        };
        let name_const = Constant::Str(Rc::from(name.id.as_str()));
        let generic = a.type_params.as_deref().filter(|t| !t.is_empty());
        if let Some(tp) = generic {
            self.emit(Opcode::PUSH_NULL, 0, loc);
            self.enter_type_params_scope(&name.id, tp, loc.line)?;
            self.load_const(name_const, loc);
            self.type_params(tp)?;
        } else {
            self.load_const(name_const, loc);
            self.load_const(Constant::None, loc);
        }
        // compiler_typealias_body
        let Some(ste) = self.table.lookup(a) else {
            return Err(unsupported("type alias without a symbol table entry", loc));
        };
        self.enter_scope(&name.id, ScopeKind::Function, ste, loc.line)?;
        // None first among the constants: the value's function has no docstring.
        self.add_const(Constant::None);
        self.expr(&a.value)?;
        self.emit(Opcode::RETURN_VALUE, 0, loc);
        let code = self.finish_unit(false)?;
        self.make_closure(code, 0, loc)?;
        self.emit(Opcode::BUILD_TUPLE, 3, loc);
        self.emit(Opcode::CALL_INTRINSIC_1, Intrinsic1::TypeAlias as u32, loc);
        if generic.is_some() {
            let code = self.finish_unit(false)?;
            self.make_closure(code, 0, loc)?;
            self.emit(Opcode::CALL, 0, loc);
        }
        self.nameop(&name.id, ast::ExprContext::Store, loc)
    }
}
