//! Code generation for the asynchronous constructs, after CPython 3.12's `Python/compile.c`:
//! `await` (the `Await_kind` case of `compiler_visit_expr1`), `compiler_async_for`,
//! `compiler_async_with`, `compiler_async_comprehension_generator`, and `addop_yield`
//! (a `yield` in an async generator wraps its value). The symbol table marks coroutines
//! (`ste_coroutine`); `compute_code_flags` turns that into `CO_COROUTINE` or
//! `CO_ASYNC_GENERATOR`. CPython's top-level-await mode (`PyCF_ALLOW_TOP_LEVEL_AWAIT`) is
//! not a mode of `compile()` here, so its branches are absent.

use ruff_python_ast::{self as ast, Expr};

use super::codegen::{FBlock, FbKind, ScopeKind, R};
use super::expr::CompKind;
use super::{syntax_error, Loc, Op};
use crate::code::Constant;
use crate::oparg::{awaitable, resume, Intrinsic1};
use crate::opcode::Opcode;

impl<'a> super::codegen::Compiler<'a> {
    /// `addop_yield`: YIELD_VALUE and its RESUME; an async generator yields its value
    /// wrapped (`INTRINSIC_ASYNC_GEN_WRAP`), which tells it apart from what an `await`
    /// inside it passes through to the event loop.
    pub fn addop_yield(&mut self, loc: Loc) {
        let ste = self.ste();
        if ste.generator && ste.coroutine {
            self.emit(
                Opcode::CALL_INTRINSIC_1,
                Intrinsic1::AsyncGenWrap as u32,
                loc,
            );
        }
        self.emit(Opcode::YIELD_VALUE, 0, loc);
        self.emit(Opcode::RESUME, resume::AFTER_YIELD, loc);
    }

    /// `GET_AWAITABLE kind; LOAD_CONST None; ADD_YIELD_FROM(c, loc, 1)`: awaits the value
    /// on the stack; `kind` says where it came from ([`awaitable`]).
    pub fn await_result(&mut self, kind: u32, loc: Loc) {
        self.emit(Opcode::GET_AWAITABLE, kind, loc);
        self.load_const(Constant::None, loc);
        self.yield_from(loc, true);
    }

    /// `await value`. Only an `async def` body or a comprehension (whose code then is a
    /// coroutine, see `symtable`) may await.
    pub fn await_expr(&mut self, a: &'a ast::ExprAwait, loc: Loc) -> R {
        if !self.ste().is_function_like() {
            return Err(syntax_error("'await' outside function", loc));
        }
        if !matches!(
            self.ur().kind,
            ScopeKind::AsyncFunction | ScopeKind::Comprehension
        ) {
            return Err(syntax_error("'await' outside async function", loc));
        }
        self.expr(&a.value)?;
        self.await_result(awaitable::AWAIT, loc);
        Ok(())
    }

    /// The check `compiler_comprehension` makes for a list, set or dict comprehension
    /// that is asynchronous (`async for` or `await` in it): it must be in an `async def`
    /// or in another comprehension. `scope` is the enclosing unit's.
    pub fn check_async_comprehension(&mut self, scope: ScopeKind, loc: Loc) -> R {
        if matches!(scope, ScopeKind::AsyncFunction | ScopeKind::Comprehension) {
            return Ok(());
        }
        Err(syntax_error(
            "asynchronous comprehension outside of an asynchronous function",
            loc,
        ))
    }

    /// `compiler_async_for`: `__anext__()` awaited under a handler whose END_ASYNC_FOR
    /// ends the loop on StopAsyncIteration (located at the iterable: the loop ends there,
    /// not in the body).
    pub fn async_for(&mut self, f: &'a ast::StmtFor, loc: Loc) -> R {
        if self.ur().kind != ScopeKind::AsyncFunction {
            return Err(syntax_error("'async for' outside async function", loc));
        }
        let start = self.new_label();
        let except = self.new_label();
        let end = self.new_label();
        // Unlike `for`, ast_opt.c does not fold a list display here into a tuple.
        self.expr(&f.iter)?;
        self.emit(Opcode::GET_AITER, 0, loc);
        self.use_label(start);
        self.push_fblock(FbKind::ForLoop, start, end);
        self.emit_jump(Op::SetupFinally, except, loc);
        self.emit(Opcode::GET_ANEXT, 0, loc);
        self.load_const(Constant::None, loc);
        self.yield_from(loc, true);
        self.emit_op(Op::PopBlock, 0, loc);
        self.expr(&f.target)?;
        self.stmts(&f.body)?;
        self.emit_jump(Op::Jump, start, Loc::NONE);
        self.pop_fblock();
        self.use_label(except);
        let iter_loc = self.loc(f.iter.as_ref());
        self.emit(Opcode::END_ASYNC_FOR, 0, iter_loc);
        self.stmts(&f.orelse)?;
        self.use_label(end);
        Ok(())
    }

    /// `compiler_async_with` (one item per nesting level): `__aenter__()` and
    /// `__aexit__(...)` are awaited; otherwise as `compiler_with`.
    pub fn async_with(&mut self, w: &'a ast::StmtWith, pos: usize, loc: Loc) -> R {
        if self.ur().kind != ScopeKind::AsyncFunction {
            return Err(syntax_error("'async with' outside async function", loc));
        }
        let Some(item) = w.items.get(pos) else {
            return Ok(());
        };
        let block = self.new_label();
        let fin = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.expr(&item.context_expr)?;
        self.emit(Opcode::BEFORE_ASYNC_WITH, 0, loc);
        self.await_result(awaitable::AENTER, loc);
        self.emit_jump(Op::SetupWith, fin, loc);
        self.use_label(block);
        self.u().fblocks.push(FBlock {
            kind: FbKind::AsyncWith,
            block,
            exit: fin,
            finalbody: None,
            with_loc: loc,
            name: None,
        });
        match &item.optional_vars {
            Some(v) => self.expr(v)?,
            None => self.emit(Opcode::POP_TOP, 0, loc),
        }
        if pos + 1 == w.items.len() {
            self.stmts(&w.body)?;
        } else {
            self.async_with(w, pos + 1, loc)?;
        }
        self.pop_fblock();
        // Unlike `compiler_with`, this POP_BLOCK carries the statement's location.
        self.emit_op(Op::PopBlock, 0, loc);
        self.call_exit_with_nones(loc);
        self.await_result(awaitable::AEXIT, loc);
        self.emit(Opcode::POP_TOP, 0, loc);
        self.emit_jump(Op::Jump, exit, loc);
        self.use_label(fin);
        self.emit_jump(Op::SetupCleanup, cleanup, loc);
        self.emit(Opcode::PUSH_EXC_INFO, 0, loc);
        self.emit(Opcode::WITH_EXCEPT_START, 0, loc);
        self.await_result(awaitable::AEXIT, loc);
        self.with_except_finish(cleanup);
        self.use_label(exit);
        Ok(())
    }

    /// `compiler_async_comprehension_generator`: one `async for` clause of a
    /// comprehension. CPython also pushes an ASYNC_COMPREHENSION_GENERATOR frame block
    /// here; it unwinds to nothing and no `break`, `continue` or `return` can reach it, so
    /// it is left out.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn async_comp_generator(
        &mut self,
        loc: Loc,
        generators: &'a [ast::Comprehension],
        index: usize,
        depth: u32,
        elt: &'a Expr,
        val: Option<&'a Expr>,
        kind: CompKind,
        iter_on_stack: bool,
    ) -> R {
        let Some(gen) = generators.get(index) else {
            return Ok(());
        };
        let start = self.new_label();
        let except = self.new_label();
        let if_cleanup = self.new_label();
        if !iter_on_stack {
            if index == 0 {
                // The outermost iterator arrives as the implicit argument `.0`.
                self.u().argcount = 1;
                self.emit(Opcode::LOAD_FAST, 0, loc);
            } else {
                self.iter_expr(&gen.iter)?;
                self.emit(Opcode::GET_AITER, 0, loc);
            }
        }
        self.use_label(start);
        self.emit_jump(Op::SetupFinally, except, loc);
        self.emit(Opcode::GET_ANEXT, 0, loc);
        self.load_const(Constant::None, loc);
        self.yield_from(loc, true);
        self.emit_op(Op::PopBlock, 0, loc);
        self.expr(&gen.target)?;
        for cond in &gen.ifs {
            self.jump_if(cond, if_cleanup, false)?;
        }
        let depth = depth + 1;
        let elt_loc = if index + 1 < generators.len() {
            self.comp_generator(loc, generators, index + 1, depth, elt, val, kind, false)?;
            self.loc(elt)
        } else {
            self.comp_element(elt, val, kind, depth)?
        };
        self.use_label(if_cleanup);
        self.emit_jump(Op::Jump, start, elt_loc);
        self.use_label(except);
        self.emit(Opcode::END_ASYNC_FOR, 0, loc);
        Ok(())
    }
}
