//! Code generation for `try`/`except*`, after CPython 3.12's `compiler_try_star_except`
//! (`compiler_try_star_finally` is `compiler_try_finally` with this as its body, so
//! [`super::codegen`] reuses its own).
//!
//! The handler region keeps, under the exception, a list of what the `except*` clauses
//! raised and a copy of the unmatched rest of the group:
//!
//! ```text
//! [orig]                          PUSH_EXC_INFO leaves the group
//! [orig, [], rest]                BUILD_LIST 0; COPY 2 (first clause only)
//! [orig, [], rest, match]         TYPE; CHECK_EG_MATCH (rest is replaced by what is left)
//! ```
//!
//! A clause that raises appends its exception to the list (`LIST_APPEND 3`); after the last
//! clause the remaining rest is appended too, and `INTRINSIC_PREP_RERAISE_STAR(orig, list)`
//! computes what propagates (None when nothing does).

use ruff_python_ast as ast;

use super::codegen::{FBlock, FbKind, R};
use super::{syntax_error, Loc, Op};
use crate::code::Constant;
use crate::oparg::Intrinsic2;
use crate::opcode::Opcode;

/// CPython's message when `break`, `continue` or `return` would leave an `except*` handler
/// (`compiler_unwind_fblock_stack` meets an `EXCEPTION_GROUP_HANDLER` block).
pub(crate) const LEAVES_EXCEPT_STAR: &str =
    "'break', 'continue' and 'return' cannot appear in an except* block";

impl<'a> super::codegen::Compiler<'a> {
    /// `compiler_try_star_except`.
    pub(crate) fn try_star_except(&mut self, t: &'a ast::StmtTry, loc: Loc) -> R {
        let body = self.new_label();
        let mut except = self.new_label();
        let orelse = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        let reraise_star = self.new_label();

        self.emit_jump(Op::SetupFinally, except, loc);
        self.use_label(body);
        self.push_fblock(FbKind::TryExcept, body, usize::MAX);
        self.stmts(&t.body)?;
        self.pop_fblock();
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.emit_jump(Op::Jump, orelse, Loc::NONE);

        self.use_label(except);
        self.emit_jump(Op::SetupCleanup, cleanup, Loc::NONE);
        self.emit(Opcode::PUSH_EXC_INFO, 0, Loc::NONE);
        // The runtime pushes a block here; `break`, `continue` and `return` may not cross it.
        self.push_fblock(FbKind::ExceptionGroupHandler, usize::MAX, usize::MAX);
        let n = t.handlers.len();
        for (i, h) in t.handlers.iter().enumerate() {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let hloc = self.loc(h);
            except = self.new_label();
            let except_with_error = self.new_label();
            let no_match = self.new_label();
            if i == 0 {
                self.emit(Opcode::BUILD_LIST, 0, hloc);
                self.emit(Opcode::COPY, 2, hloc);
            }
            match &h.type_ {
                Some(ty) => {
                    self.expr(ty)?;
                    self.emit(Opcode::CHECK_EG_MATCH, 0, hloc);
                    self.emit(Opcode::COPY, 1, hloc);
                    self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_NONE), no_match, hloc);
                }
                // The grammar requires a type after `except*`; ruff accepts the bare form.
                None => return Err(syntax_error("expected one or more exception types", hloc)),
            }
            let cleanup_end = self.new_label();
            let cleanup_body = self.new_label();
            let name = h.name.as_ref().map(|n| n.id.to_string());
            match &name {
                Some(name) => self.nameop(name, ast::ExprContext::Store, hloc)?,
                None => self.emit(Opcode::POP_TOP, 0, hloc),
            }
            self.emit_jump(Op::SetupCleanup, cleanup_end, hloc);
            self.use_label(cleanup_body);
            self.u().fblocks.push(FBlock {
                kind: FbKind::HandlerCleanup,
                block: cleanup_body,
                exit: usize::MAX,
                finalbody: None,
                with_loc: Loc::NONE,
                name: name.clone(),
            });
            self.stmts(&h.body)?;
            self.pop_fblock();
            self.emit_op(Op::PopBlock, 0, Loc::NONE);
            if let Some(name) = &name {
                self.clear_handler_name(name)?;
            }
            self.emit_jump(Op::Jump, except, Loc::NONE);

            self.use_label(cleanup_end);
            if let Some(name) = &name {
                self.clear_handler_name(name)?;
            }
            // What the clause raised joins the list; lasti goes.
            self.emit(Opcode::LIST_APPEND, 3, Loc::NONE);
            self.emit(Opcode::POP_TOP, 0, Loc::NONE);
            self.emit_jump(Op::Jump, except_with_error, Loc::NONE);

            self.use_label(except);
            self.emit(Opcode::NOP, 0, Loc::NONE);
            self.emit_jump(Op::Jump, except_with_error, Loc::NONE);

            self.use_label(no_match);
            self.emit(Opcode::POP_TOP, 0, hloc);

            self.use_label(except_with_error);
            if i + 1 == n {
                // The unmatched rest (None when everything matched) joins the list.
                self.emit(Opcode::LIST_APPEND, 1, Loc::NONE);
                self.emit_jump(Op::Jump, reraise_star, Loc::NONE);
            }
        }
        self.pop_fblock();
        let reraise = self.new_label();

        self.use_label(reraise_star);
        self.emit(
            Opcode::CALL_INTRINSIC_2,
            Intrinsic2::PrepReraiseStar as u32,
            Loc::NONE,
        );
        self.emit(Opcode::COPY, 1, Loc::NONE);
        self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_NOT_NONE), reraise, Loc::NONE);
        // Nothing to re-raise.
        self.emit(Opcode::POP_TOP, 0, Loc::NONE);
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
        self.emit_jump(Op::Jump, end, Loc::NONE);

        self.use_label(reraise);
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        self.emit(Opcode::SWAP, 2, Loc::NONE);
        self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
        self.emit(Opcode::RERAISE, 0, Loc::NONE);

        self.use_label(cleanup);
        self.emit(Opcode::COPY, 3, Loc::NONE);
        self.emit(Opcode::POP_EXCEPT, 0, Loc::NONE);
        self.emit(Opcode::RERAISE, 1, Loc::NONE);

        self.use_label(orelse);
        self.stmts(&t.orelse)?;
        self.use_label(end);
        Ok(())
    }

    /// `name = None; del name` (artificial): the handler's name does not outlive it.
    fn clear_handler_name(&mut self, name: &str) -> R {
        self.load_const(Constant::None, Loc::NONE);
        self.nameop(name, ast::ExprContext::Store, Loc::NONE)?;
        self.nameop(name, ast::ExprContext::Del, Loc::NONE)
    }
}
