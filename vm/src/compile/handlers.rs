//! The statements that set up exception handlers: `with` (`compiler_with`), `try` /
//! `finally` and `try` / `except` (`compiler_try_finally`, `compiler_try_except`), with
//! the cleanup blocks CPython 3.12 emits for them. `try` / `except*` is `trystar`.

use ruff_python_ast as ast;

use super::codegen::{FBlock, FbKind, R};
use super::{syntax_error, Loc, Op};
use crate::code::Constant;
use crate::opcode::Opcode;

impl<'a> super::codegen::Compiler<'a> {
    /// `compiler_with` (one item per nesting level).
    pub(super) fn with_stmt(&mut self, w: &'a ast::StmtWith, pos: usize, loc: Loc) -> R {
        let Some(item) = w.items.get(pos) else {
            return Ok(());
        };
        let block = self.new_label();
        let fin = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.expr(&item.context_expr)?;
        self.emit(Opcode::BEFORE_WITH, 0, loc);
        self.emit_jump(Op::SetupWith, fin, loc);
        self.use_label(block);
        self.u().fblocks.push(FBlock {
            kind: FbKind::With,
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
            self.with_stmt(w, pos + 1, loc)?;
        }
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.pop_fblock();
        self.call_exit_with_nones(loc);
        self.emit(Opcode::POP_TOP, 0, loc);
        self.emit_jump(Op::Jump, exit, loc);
        self.use_label(fin);
        self.emit_jump(Op::SetupCleanup, cleanup, loc);
        self.emit(Opcode::PUSH_EXC_INFO, 0, loc);
        self.emit(Opcode::WITH_EXCEPT_START, 0, loc);
        self.with_except_finish(cleanup);
        self.use_label(exit);
        Ok(())
    }

    /// `compiler_with_except_finish`: after `__exit__` ran on an exception, re-raise it
    /// unless the result is true.
    pub fn with_except_finish(&mut self, cleanup: usize) {
        let suppress = self.new_label();
        self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_TRUE), suppress, Loc::NONE);
        self.emit(Opcode::RERAISE, 2, Loc::NONE);
        self.use_label(suppress);
        self.emit(Opcode::POP_TOP, 0, Loc::NONE);
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
        self.emit(Opcode::POP_TOP, 0, Loc::NONE);
        self.emit(Opcode::POP_TOP, 0, Loc::NONE);
        let exit = self.new_label();
        self.emit_jump(Op::Jump, exit, Loc::NONE);
        self.use_label(cleanup);
        self.pop_except_and_reraise(Loc::NONE);
        self.use_label(exit);
    }

    pub(super) fn pop_except_and_reraise(&mut self, loc: Loc) {
        self.emit(Opcode::COPY, 3, loc);
        self.emit(Opcode::POP_EXCEPT, 0, loc);
        self.emit(Opcode::RERAISE, 1, loc);
    }

    /// `compiler_try_finally`.
    pub(super) fn try_finally(&mut self, t: &'a ast::StmtTry, loc: Loc) -> R {
        let body = self.new_label();
        let end = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.emit_jump(Op::SetupFinally, end, loc);
        self.use_label(body);
        self.u().fblocks.push(FBlock {
            kind: FbKind::FinallyTry,
            block: body,
            exit: end,
            finalbody: Some(&t.finalbody),
            with_loc: Loc::NONE,
            name: None,
        });
        if t.handlers.is_empty() {
            self.stmts(&t.body)?;
        } else {
            self.try_except_any(t, loc)?;
        }
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.pop_fblock();
        self.stmts(&t.finalbody)?;
        self.emit_jump(Op::Jump, exit, Loc::NONE);
        self.use_label(end);
        self.emit_jump(Op::SetupCleanup, cleanup, Loc::NONE);
        self.emit(Opcode::PUSH_EXC_INFO, 0, Loc::NONE);
        self.push_fblock(FbKind::FinallyEnd, end, usize::MAX);
        self.stmts(&t.finalbody)?;
        self.pop_fblock();
        self.emit(Opcode::RERAISE, 0, Loc::NONE);
        self.use_label(cleanup);
        self.pop_except_and_reraise(Loc::NONE);
        self.use_label(exit);
        Ok(())
    }

    /// `compiler_try_except` or, for `except*`, `compiler_try_star_except`.
    pub(super) fn try_except_any(&mut self, t: &'a ast::StmtTry, loc: Loc) -> R {
        if t.is_star {
            self.try_star_except(t, loc)
        } else {
            self.try_except(t, loc)
        }
    }

    /// `compiler_try_except`.
    pub(super) fn try_except(&mut self, t: &'a ast::StmtTry, loc: Loc) -> R {
        let body = self.new_label();
        let mut except = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        self.emit_jump(Op::SetupFinally, except, loc);
        self.use_label(body);
        self.push_fblock(FbKind::TryExcept, body, usize::MAX);
        self.stmts(&t.body)?;
        self.pop_fblock();
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.stmts(&t.orelse)?;
        self.emit_jump(Op::Jump, end, Loc::NONE);
        self.use_label(except);
        self.emit_jump(Op::SetupCleanup, cleanup, Loc::NONE);
        self.emit(Opcode::PUSH_EXC_INFO, 0, Loc::NONE);
        self.push_fblock(FbKind::ExceptionHandler, usize::MAX, usize::MAX);
        let n = t.handlers.len();
        for (i, h) in t.handlers.iter().enumerate() {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let hloc = self.loc(h);
            if h.type_.is_none() && i + 1 < n {
                return Err(syntax_error("default 'except:' must be last", hloc));
            }
            except = self.new_label();
            if let Some(ty) = &h.type_ {
                self.expr(ty)?;
                self.emit(Opcode::CHECK_EXC_MATCH, 0, hloc);
                self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_FALSE), except, hloc);
            }
            if let Some(name) = &h.name {
                let name = name.id.to_string();
                let cleanup_end = self.new_label();
                let cleanup_body = self.new_label();
                self.nameop(&name, ast::ExprContext::Store, hloc)?;
                self.emit_jump(Op::SetupCleanup, cleanup_end, hloc);
                self.use_label(cleanup_body);
                self.u().fblocks.push(FBlock {
                    kind: FbKind::HandlerCleanup,
                    block: cleanup_body,
                    exit: usize::MAX,
                    finalbody: None,
                    with_loc: Loc::NONE,
                    name: Some(name.clone()),
                });
                self.stmts(&h.body)?;
                self.pop_fblock();
                self.emit_op(Op::PopBlock, 0, Loc::NONE);
                self.emit_op(Op::PopBlock, 0, Loc::NONE);
                self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
                self.load_const(Constant::None, Loc::NONE);
                self.nameop(&name, ast::ExprContext::Store, Loc::NONE)?;
                self.nameop(&name, ast::ExprContext::Del, Loc::NONE)?;
                self.emit_jump(Op::Jump, end, Loc::NONE);
                self.use_label(cleanup_end);
                self.load_const(Constant::None, Loc::NONE);
                self.nameop(&name, ast::ExprContext::Store, Loc::NONE)?;
                self.nameop(&name, ast::ExprContext::Del, Loc::NONE)?;
                self.emit(Opcode::RERAISE, 1, Loc::NONE);
            } else {
                let cleanup_body = self.new_label();
                self.emit(Opcode::POP_TOP, 0, hloc);
                self.use_label(cleanup_body);
                self.push_fblock(FbKind::HandlerCleanup, cleanup_body, usize::MAX);
                self.stmts(&h.body)?;
                self.pop_fblock();
                self.emit_op(Op::PopBlock, 0, Loc::NONE);
                self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
                self.emit_jump(Op::Jump, end, Loc::NONE);
            }
            self.use_label(except);
        }
        self.pop_fblock();
        self.emit(Opcode::RERAISE, 0, Loc::NONE);
        self.use_label(cleanup);
        self.pop_except_and_reraise(Loc::NONE);
        self.use_label(end);
        Ok(())
    }
}
