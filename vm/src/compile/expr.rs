//! Code generation for expressions, after CPython 3.12's `compiler_visit_expr1` and its
//! helpers in `Python/compile.c` (`compiler_jump_if`, `compiler_call_helper`,
//! `starunpack_helper`, `compiler_comprehension`, …).

use std::rc::Rc;

use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext, Operator, UnaryOp};

use super::codegen::{two_element_slice, Compiler, ScopeKind, R};
use super::fold::{const_key, effective_compare, fold, fold_tuple};
use super::symtable::{self, Scope};
use super::{syntax_error, unsupported, Loc, Op};
use crate::code::Constant;
use crate::oparg::{resume, BinaryOp, CompareOp, Intrinsic1, NameArg, SuperAttrArg, UnpackExArg};
use crate::opcode::Opcode;

/// `STACK_USE_GUIDELINE`.
pub(super) const STACK_USE_GUIDELINE: usize = 30;

/// The BINARY_OP operator of an AST operator.
pub fn binary_op(op: Operator) -> BinaryOp {
    match op {
        Operator::Add => BinaryOp::Add,
        Operator::BitAnd => BinaryOp::And,
        Operator::FloorDiv => BinaryOp::FloorDivide,
        Operator::LShift => BinaryOp::Lshift,
        Operator::MatMult => BinaryOp::MatrixMultiply,
        Operator::Mult => BinaryOp::Multiply,
        Operator::Mod => BinaryOp::Remainder,
        Operator::BitOr => BinaryOp::Or,
        Operator::Pow => BinaryOp::Power,
        Operator::RShift => BinaryOp::Rshift,
        Operator::Sub => BinaryOp::Subtract,
        Operator::Div => BinaryOp::TrueDivide,
        Operator::BitXor => BinaryOp::Xor,
    }
}

pub(super) fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CompKind {
    Gen,
    List,
    Set,
    Dict,
}

impl<'a> Compiler<'a> {
    /// `compiler_visit_expr`.
    pub fn expr(&mut self, e: &'a Expr) -> R {
        let loc = self.loc(e);
        if super::codegen::is_constant_node(e) {
            if let Some(c) = fold(e, self.lines)? {
                self.load_const(c, loc);
                return Ok(());
            }
        }
        match e {
            Expr::BoolOp(b) => {
                let jump = if b.op == ast::BoolOp::And {
                    Opcode::POP_JUMP_IF_FALSE
                } else {
                    Opcode::POP_JUMP_IF_TRUE
                };
                let end = self.new_label();
                let Some((last, init)) = b.values.split_last() else {
                    return Ok(());
                };
                for v in init {
                    self.expr(v)?;
                    self.emit(Opcode::COPY, 1, loc);
                    self.emit_jump(Op::Real(jump), end, loc);
                    self.emit(Opcode::POP_TOP, 0, loc);
                }
                self.expr(last)?;
                self.use_label(end);
            }
            Expr::Named(n) => {
                self.expr(&n.value)?;
                self.emit(Opcode::COPY, 1, loc);
                self.expr(&n.target)?;
            }
            Expr::BinOp(b) => {
                if self.percent_format(b, loc)? {
                    return Ok(());
                }
                self.expr(&b.left)?;
                self.expr(&b.right)?;
                self.emit(Opcode::BINARY_OP, binary_op(b.op).oparg(false), loc);
            }
            Expr::UnaryOp(u) => {
                if u.op == UnaryOp::Not {
                    if let Some((c, op)) = effective_compare(e) {
                        // fold_unaryop: `not (a in b)` is `a not in b`, located at the comparison.
                        let cloc = self.loc(c);
                        self.expr(&c.left)?;
                        if let Some(right) = c.comparators.first() {
                            self.comparator(op, right, true)?;
                        }
                        self.compare_op(op, cloc);
                        return Ok(());
                    }
                }
                self.expr(&u.operand)?;
                match u.op {
                    UnaryOp::UAdd => self.emit(
                        Opcode::CALL_INTRINSIC_1,
                        Intrinsic1::UnaryPositive as u32,
                        loc,
                    ),
                    UnaryOp::Not => self.emit(Opcode::UNARY_NOT, 0, loc),
                    UnaryOp::USub => self.emit(Opcode::UNARY_NEGATIVE, 0, loc),
                    UnaryOp::Invert => self.emit(Opcode::UNARY_INVERT, 0, loc),
                }
            }
            Expr::Lambda(l) => self.lambda(l, loc)?,
            Expr::If(i) => {
                let end = self.new_label();
                let next = self.new_label();
                self.jump_if(&i.test, next, false)?;
                self.expr(&i.body)?;
                self.emit_jump(Op::Jump, end, Loc::NONE);
                self.use_label(next);
                self.expr(&i.orelse)?;
                self.use_label(end);
            }
            Expr::Dict(d) => self.dict(d, loc)?,
            Expr::Set(s) => self.starunpack(
                loc,
                &s.elts,
                0,
                Opcode::BUILD_SET,
                Opcode::SET_ADD,
                Opcode::SET_UPDATE,
                false,
            )?,
            Expr::ListComp(c) => {
                self.comprehension(e, CompKind::List, "<listcomp>", &c.generators, &c.elt, None)?
            }
            Expr::SetComp(c) => {
                self.comprehension(e, CompKind::Set, "<setcomp>", &c.generators, &c.elt, None)?
            }
            Expr::DictComp(c) => {
                let Some(key) = c.key.as_deref() else {
                    return Err(unsupported("dict comprehension", loc));
                };
                self.comprehension(
                    e,
                    CompKind::Dict,
                    "<dictcomp>",
                    &c.generators,
                    key,
                    Some(&c.value),
                )?
            }
            Expr::Generator(g) => {
                self.comprehension(e, CompKind::Gen, "<genexpr>", &g.generators, &g.elt, None)?
            }
            Expr::Await(a) => self.await_expr(a, loc)?,
            Expr::Yield(y) => {
                if !self.ste().is_function_like() {
                    return Err(syntax_error("'yield' outside function", loc));
                }
                match &y.value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(Constant::None, loc),
                }
                self.addop_yield(loc);
            }
            Expr::YieldFrom(y) => {
                if !self.ste().is_function_like() {
                    return Err(syntax_error("'yield' outside function", loc));
                }
                if self.ur().kind == ScopeKind::AsyncFunction {
                    return Err(syntax_error("'yield from' inside async function", loc));
                }
                self.expr(&y.value)?;
                self.emit(Opcode::GET_YIELD_FROM_ITER, 0, loc);
                self.load_const(Constant::None, loc);
                self.yield_from(loc, false);
            }
            Expr::Compare(c) => self.compare(c, loc)?,
            Expr::Call(c) => self.call(c, loc)?,
            Expr::FString(f) => self.fstring(f, loc)?,
            Expr::TString(_) => return Err(unsupported("template strings", loc)),
            Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {
                if let Some(c) = fold(e, self.lines)? {
                    self.load_const(c, loc);
                }
            }
            Expr::Attribute(a) => {
                if a.ctx == ExprContext::Load && self.can_optimize_super(a) {
                    let two = self.load_args_for_super(&a.value)?;
                    let idx = self.add_name(&a.attr.id);
                    self.emit(
                        Opcode::LOAD_SUPER_ATTR,
                        SuperAttrArg {
                            name: idx,
                            method: false,
                            two_args: two,
                        }
                        .encode(),
                        loc,
                    );
                    let aloc = self.attr_loc(loc, a);
                    self.emit(Opcode::NOP, 0, aloc);
                    return Ok(());
                }
                self.expr(&a.value)?;
                let aloc = self.attr_loc(loc, a);
                let idx = self.add_name(&a.attr.id);
                match a.ctx {
                    ExprContext::Load => {
                        let arg = NameArg {
                            name: idx,
                            flag: false,
                        };
                        self.emit(Opcode::LOAD_ATTR, arg.encode(), aloc)
                    }
                    ExprContext::Store => self.emit(Opcode::STORE_ATTR, idx, aloc),
                    _ => self.emit(Opcode::DELETE_ATTR, idx, aloc),
                }
            }
            Expr::Subscript(s) => {
                self.expr(&s.value)?;
                match (two_element_slice(&s.slice), s.ctx) {
                    (Some(sl), ExprContext::Load) => {
                        self.slice_parts(sl)?;
                        self.emit(Opcode::BINARY_SLICE, 0, loc);
                    }
                    (Some(sl), ExprContext::Store) => {
                        self.slice_parts(sl)?;
                        self.emit(Opcode::STORE_SLICE, 0, loc);
                    }
                    (_, ctx) => {
                        self.expr(&s.slice)?;
                        let op = match ctx {
                            ExprContext::Load => Opcode::BINARY_SUBSCR,
                            ExprContext::Store => Opcode::STORE_SUBSCR,
                            _ => Opcode::DELETE_SUBSCR,
                        };
                        self.emit(op, 0, loc);
                    }
                }
            }
            Expr::Starred(s) => {
                return Err(match s.ctx {
                    ExprContext::Store => {
                        syntax_error("starred assignment target must be in a list or tuple", loc)
                    }
                    _ => syntax_error("can't use starred expression here", loc),
                })
            }
            Expr::Name(n) => self.nameop(&n.id, n.ctx, loc)?,
            Expr::List(l) => match l.ctx {
                ExprContext::Store => self.assignment_helper(&l.elts, loc)?,
                ExprContext::Load => self.starunpack(
                    loc,
                    &l.elts,
                    0,
                    Opcode::BUILD_LIST,
                    Opcode::LIST_APPEND,
                    Opcode::LIST_EXTEND,
                    false,
                )?,
                _ => l.elts.iter().try_for_each(|x| self.expr(x))?,
            },
            Expr::Tuple(t) => match t.ctx {
                ExprContext::Store => self.assignment_helper(&t.elts, loc)?,
                ExprContext::Load => self.starunpack(
                    loc,
                    &t.elts,
                    0,
                    Opcode::BUILD_LIST,
                    Opcode::LIST_APPEND,
                    Opcode::LIST_EXTEND,
                    true,
                )?,
                _ => t.elts.iter().try_for_each(|x| self.expr(x))?,
            },
            Expr::Slice(s) => {
                let n = self.slice_parts(s)?;
                self.emit(Opcode::BUILD_SLICE, n, loc);
            }
            Expr::IpyEscapeCommand(_) => return Err(unsupported("IPython escape command", loc)),
        }
        Ok(())
    }

    /// The `for`/comprehension iterable after `fold_iter`: a list display becomes a tuple.
    pub fn iter_expr(&mut self, e: &'a Expr) -> R {
        let loc = self.loc(e);
        match e {
            Expr::List(l)
                if l.ctx == ExprContext::Load && !l.elts.iter().any(|x| x.is_starred_expr()) =>
            {
                if let Some(c) = fold_tuple(&l.elts, self.lines)? {
                    self.load_const(c, loc);
                    return Ok(());
                }
                self.starunpack(
                    loc,
                    &l.elts,
                    0,
                    Opcode::BUILD_LIST,
                    Opcode::LIST_APPEND,
                    Opcode::LIST_EXTEND,
                    true,
                )
            }
            Expr::Set(s) if self.all_const(&s.elts)? && !s.elts.is_empty() => {
                if let Some(Constant::Tuple(items)) = fold_tuple(&s.elts, self.lines)? {
                    let c = self.frozenset_const(&items, loc)?;
                    self.load_const(c, loc);
                }
                Ok(())
            }
            _ => self.expr(e),
        }
    }

    /// The frozenset constant a set display of the constants `items` becomes. CPython
    /// builds a frozenset by adding the items in source order (`PyFrozenSet_New`), then,
    /// merging constants (`merge_consts_recursive`), either reuses an equal frozenset
    /// compiled earlier in the module or builds the one the code keeps by adding the first
    /// one's elements in its iteration order. The constant records that second order.
    ///
    /// Making the code object (`intern_string_constants`) rebuilds it once more, in its
    /// iteration order, when one of its identifier-like strings had been interned before
    /// (`interning`): that rebuilt order is the one the code object keeps.
    fn frozenset_const(&mut self, items: &[Constant], loc: Loc) -> R<Constant> {
        let rebuilt = |items: &[Constant]| -> Option<Vec<Constant>> {
            let order = crate::runtime::frozenset_layout(items)?;
            Some(
                order
                    .iter()
                    .filter_map(|&i| items.get(i).cloned())
                    .collect(),
            )
        };
        // The first frozenset's order is the order the code's one is built in.
        let Some(mut built_in) = rebuilt(items) else {
            return Err(unsupported(
                "a NaN, or a character of U+10F800-U+10FFFF, in a frozenset constant",
                loc,
            ));
        };
        let swapped = |c: &Constant| {
            matches!(c, Constant::Str(s) if s.chars().nth(1).is_some()
                && super::interning::is_name_like(s)
                && super::interning::interned_before(s, &self.lines.parser_interned))
        };
        if built_in.iter().any(swapped) {
            if let Some(again) = rebuilt(&built_in) {
                built_in = again;
            }
        }
        let c = Constant::FrozenSet(built_in.into());
        let key = const_key(&c);
        Ok(self.frozensets.entry(key).or_insert(c).clone())
    }

    fn all_const(&self, elts: &[Expr]) -> R<bool> {
        for e in elts {
            if !super::codegen::is_constant_node(e) || fold(e, self.lines)?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `compiler_slice`: pushes start and stop (None when absent) and the step if any.
    pub fn slice_parts(&mut self, s: &'a ast::ExprSlice) -> R<u32> {
        let loc = self.loc(s);
        let mut n = 2;
        match &s.lower {
            Some(l) => self.expr(l)?,
            None => self.load_const(Constant::None, loc),
        }
        match &s.upper {
            Some(u) => self.expr(u)?,
            None => self.load_const(Constant::None, loc),
        }
        if let Some(st) = &s.step {
            n += 1;
            self.expr(st)?;
        }
        Ok(n)
    }

    /// `compiler_addcompare`.
    fn compare_op(&mut self, op: CmpOp, loc: Loc) {
        let (opcode, arg) = match op {
            CmpOp::Lt => (Opcode::COMPARE_OP, CompareOp::Lt.oparg()),
            CmpOp::LtE => (Opcode::COMPARE_OP, CompareOp::Le.oparg()),
            CmpOp::Eq => (Opcode::COMPARE_OP, CompareOp::Eq.oparg()),
            CmpOp::NotEq => (Opcode::COMPARE_OP, CompareOp::Ne.oparg()),
            CmpOp::Gt => (Opcode::COMPARE_OP, CompareOp::Gt.oparg()),
            CmpOp::GtE => (Opcode::COMPARE_OP, CompareOp::Ge.oparg()),
            CmpOp::Is => (Opcode::IS_OP, 0),
            CmpOp::IsNot => (Opcode::IS_OP, 1),
            CmpOp::In => (Opcode::CONTAINS_OP, 0),
            CmpOp::NotIn => (Opcode::CONTAINS_OP, 1),
        };
        self.emit(opcode, arg, loc);
    }

    /// The right operand of a comparison, with `fold_compare`'s list-to-tuple for `in`.
    fn comparator(&mut self, op: CmpOp, e: &'a Expr, last: bool) -> R {
        if last && matches!(op, CmpOp::In | CmpOp::NotIn) {
            self.iter_expr(e)
        } else {
            self.expr(e)
        }
    }

    /// `compiler_compare`.
    fn compare(&mut self, c: &'a ast::ExprCompare, loc: Loc) -> R {
        self.expr(&c.left)?;
        let n = c.ops.len();
        if n == 1 {
            if let (Some(&op), Some(right)) = (c.ops.first(), c.comparators.first()) {
                self.comparator(op, right, true)?;
                self.compare_op(op, loc);
            }
            return Ok(());
        }
        let cleanup = self.new_label();
        for (i, (&op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
            let last = i + 1 == n;
            self.comparator(op, right, last)?;
            if last {
                self.compare_op(op, loc);
            } else {
                self.emit(Opcode::SWAP, 2, loc);
                self.emit(Opcode::COPY, 2, loc);
                self.compare_op(op, loc);
                self.emit(Opcode::COPY, 1, loc);
                self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_FALSE), cleanup, loc);
                self.emit(Opcode::POP_TOP, 0, loc);
            }
        }
        let end = self.new_label();
        self.emit_jump(Op::Jump, end, Loc::NONE);
        self.use_label(cleanup);
        self.emit(Opcode::SWAP, 2, loc);
        self.emit(Opcode::POP_TOP, 0, loc);
        self.use_label(end);
        Ok(())
    }

    /// `compiler_jump_if`: jump to `next` if the truth of `e` equals `cond`.
    pub fn jump_if(&mut self, e: &'a Expr, next: usize, cond: bool) -> R {
        match e {
            Expr::UnaryOp(u)
                if u.op == UnaryOp::Not
                    && effective_compare(e).is_none()
                    && fold(e, self.lines)?.is_none() =>
            {
                return self.jump_if(&u.operand, next, !cond);
            }
            Expr::BoolOp(b) => {
                let cond2 = b.op == ast::BoolOp::Or;
                let next2 = if cond2 != cond {
                    self.new_label()
                } else {
                    next
                };
                let Some((last, init)) = b.values.split_last() else {
                    return Ok(());
                };
                for v in init {
                    self.jump_if(v, next2, cond2)?;
                }
                self.jump_if(last, next, cond)?;
                if next2 != next {
                    self.use_label(next2);
                }
                return Ok(());
            }
            Expr::If(i) => {
                let end = self.new_label();
                let next2 = self.new_label();
                self.jump_if(&i.test, next2, false)?;
                self.jump_if(&i.body, next, cond)?;
                self.emit_jump(Op::Jump, end, Loc::NONE);
                self.use_label(next2);
                self.jump_if(&i.orelse, next, cond)?;
                self.use_label(end);
                return Ok(());
            }
            Expr::Compare(c) if c.ops.len() > 1 => {
                let loc = self.loc(e);
                let cleanup = self.new_label();
                self.expr(&c.left)?;
                let n = c.ops.len();
                for (i, (&op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
                    let last = i + 1 == n;
                    self.comparator(op, right, last)?;
                    if !last {
                        self.emit(Opcode::SWAP, 2, loc);
                        self.emit(Opcode::COPY, 2, loc);
                        self.compare_op(op, loc);
                        self.emit_jump(Op::Real(Opcode::POP_JUMP_IF_FALSE), cleanup, loc);
                    } else {
                        self.compare_op(op, loc);
                    }
                }
                let jump = if cond {
                    Opcode::POP_JUMP_IF_TRUE
                } else {
                    Opcode::POP_JUMP_IF_FALSE
                };
                self.emit_jump(Op::Real(jump), next, loc);
                let end = self.new_label();
                self.emit_jump(Op::Jump, end, Loc::NONE);
                self.use_label(cleanup);
                self.emit(Opcode::POP_TOP, 0, loc);
                if !cond {
                    self.emit_jump(Op::Jump, next, Loc::NONE);
                }
                self.use_label(end);
                return Ok(());
            }
            _ => {}
        }
        // A `not` folded into a comparison is located at the comparison (COPY_NODE).
        let loc = match effective_compare(e) {
            Some((c, _)) if matches!(e, Expr::UnaryOp(_)) => self.loc(c),
            _ => self.loc(e),
        };
        self.expr(e)?;
        let jump = if cond {
            Opcode::POP_JUMP_IF_TRUE
        } else {
            Opcode::POP_JUMP_IF_FALSE
        };
        self.emit_jump(Op::Real(jump), next, loc);
        Ok(())
    }

    /// `starunpack_helper`.
    #[allow(clippy::too_many_arguments)]
    fn starunpack(
        &mut self,
        loc: Loc,
        elts: &'a [Expr],
        pushed: u32,
        build: Opcode,
        add: Opcode,
        extend: Opcode,
        tuple: bool,
    ) -> R {
        let n = elts.len();
        if n > 2 && self.all_const(elts)? {
            let Some(folded) = fold_tuple(elts, self.lines)? else {
                return Ok(());
            };
            if tuple && pushed == 0 {
                self.load_const(folded, loc);
            } else {
                let folded = match (&folded, add) {
                    (Constant::Tuple(items), Opcode::SET_ADD) => {
                        self.frozenset_const(items, loc)?
                    }
                    _ => folded,
                };
                self.emit(build, pushed, loc);
                self.load_const(folded, loc);
                self.emit(extend, 1, loc);
                if tuple {
                    self.emit(
                        Opcode::CALL_INTRINSIC_1,
                        Intrinsic1::ListToTuple as u32,
                        loc,
                    );
                }
            }
            return Ok(());
        }
        let big = n + pushed as usize > STACK_USE_GUIDELINE;
        let seen_star = elts.iter().any(|e| e.is_starred_expr());
        if !seen_star && !big {
            for e in elts {
                self.expr(e)?;
            }
            let op = if tuple { Opcode::BUILD_TUPLE } else { build };
            self.emit(op, n32(n) + pushed, loc);
            return Ok(());
        }
        let mut built = false;
        if big {
            self.emit(build, pushed, loc);
            built = true;
        }
        for (i, e) in elts.iter().enumerate() {
            if let Expr::Starred(s) = e {
                if !built {
                    self.emit(build, n32(i) + pushed, loc);
                    built = true;
                }
                self.expr(&s.value)?;
                self.emit(extend, 1, loc);
            } else {
                self.expr(e)?;
                if built {
                    self.emit(add, 1, loc);
                }
            }
        }
        if tuple {
            self.emit(
                Opcode::CALL_INTRINSIC_1,
                Intrinsic1::ListToTuple as u32,
                loc,
            );
        }
        Ok(())
    }

    /// `assignment_helper` / `unpack_helper`.
    fn assignment_helper(&mut self, elts: &'a [Expr], loc: Loc) -> R {
        let n = elts.len();
        let mut seen_star = false;
        for (i, e) in elts.iter().enumerate() {
            if e.is_starred_expr() {
                if seen_star {
                    return Err(syntax_error(
                        "multiple starred expressions in assignment",
                        loc,
                    ));
                }
                if i >= 256 || n - i > (i32::MAX >> 8) as usize {
                    return Err(syntax_error(
                        "too many expressions in star-unpacking assignment",
                        loc,
                    ));
                }
                let arg = UnpackExArg {
                    before: n32(i),
                    after: n32(n - i - 1),
                };
                self.emit(Opcode::UNPACK_EX, arg.encode(), loc);
                seen_star = true;
            }
        }
        if !seen_star {
            self.emit(Opcode::UNPACK_SEQUENCE, n32(n), loc);
        }
        for e in elts {
            match e {
                Expr::Starred(s) => self.expr(&s.value)?,
                _ => self.expr(e)?,
            }
        }
        Ok(())
    }

    /// `compiler_dict` / `compiler_subdict`.
    fn dict(&mut self, d: &'a ast::ExprDict, loc: Loc) -> R {
        let items = &d.items;
        let n = items.len();
        let mut have_dict = false;
        let mut elements = 0usize;
        for i in 0..n {
            let is_unpacking = items.get(i).is_some_and(|it| it.key.is_none());
            if is_unpacking {
                if elements > 0 {
                    self.subdict(items, i - elements, i, loc)?;
                    if have_dict {
                        self.emit(Opcode::DICT_UPDATE, 1, loc);
                    }
                    have_dict = true;
                    elements = 0;
                }
                if !have_dict {
                    self.emit(Opcode::BUILD_MAP, 0, loc);
                    have_dict = true;
                }
                if let Some(it) = items.get(i) {
                    self.expr(&it.value)?;
                }
                self.emit(Opcode::DICT_UPDATE, 1, loc);
            } else if elements * 2 > STACK_USE_GUIDELINE {
                self.subdict(items, i - elements, i + 1, loc)?;
                if have_dict {
                    self.emit(Opcode::DICT_UPDATE, 1, loc);
                }
                have_dict = true;
                elements = 0;
            } else {
                elements += 1;
            }
        }
        if elements > 0 {
            self.subdict(items, n - elements, n, loc)?;
            if have_dict {
                self.emit(Opcode::DICT_UPDATE, 1, loc);
            }
            have_dict = true;
        }
        if !have_dict {
            self.emit(Opcode::BUILD_MAP, 0, loc);
        }
        Ok(())
    }

    fn subdict(&mut self, items: &'a [ast::DictItem], begin: usize, end: usize, loc: Loc) -> R {
        let slice = items.get(begin..end).unwrap_or(&[]);
        let n = slice.len();
        let big = n * 2 > STACK_USE_GUIDELINE;
        let keys: Vec<&'a Expr> = slice.iter().filter_map(|it| it.key.as_ref()).collect();
        let mut const_keys = Vec::new();
        let mut all_const = keys.len() == n;
        for k in &keys {
            match (super::codegen::is_constant_node(k), fold(k, self.lines)?) {
                (true, Some(c)) => const_keys.push(c),
                _ => all_const = false,
            }
        }
        if n > 1 && !big && all_const {
            for it in slice {
                self.expr(&it.value)?;
            }
            self.load_const(Constant::Tuple(const_keys.into()), loc);
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n32(n), loc);
            return Ok(());
        }
        if big {
            self.emit(Opcode::BUILD_MAP, 0, loc);
        }
        for it in slice {
            if let Some(k) = &it.key {
                self.expr(k)?;
            }
            self.expr(&it.value)?;
            if big {
                self.emit(Opcode::MAP_ADD, 1, loc);
            }
        }
        if !big {
            self.emit(Opcode::BUILD_MAP, n32(n), loc);
        }
        Ok(())
    }

    /// `can_optimize_super_call`: `super().attr` / `super(C, obj).attr` inside a method
    /// becomes LOAD_SUPER_ATTR.
    fn can_optimize_super(&self, a: &ast::ExprAttribute) -> bool {
        let Expr::Call(c) = a.value.as_ref() else {
            return false;
        };
        let Expr::Name(n) = c.func.as_ref() else {
            return false;
        };
        if n.id.as_str() != "super"
            || a.attr.id.as_str() == "__class__"
            || !c.arguments.keywords.is_empty()
        {
            return false;
        }
        if self.scope_of("super") != Scope::GlobalImplicit
            || self.table.entries[0].scope_of("super") != Scope::Unknown
        {
            return false;
        }
        match c.arguments.args.len() {
            2 => !c.arguments.args.iter().any(|x| x.is_starred_expr()),
            0 => {
                (self.ur().argcount > 0 || self.ur().posonlyargcount > 0)
                    && self.scope_of("__class__") == Scope::Free
            }
            _ => false,
        }
    }

    /// `load_args_for_super`: super, then `__class__` and the first argument (or the two
    /// explicit arguments).
    fn load_args_for_super(&mut self, value: &'a Expr) -> R<bool> {
        let Expr::Call(c) = value else {
            return Ok(false);
        };
        let loc = self.loc(value);
        let floc = self.loc(c.func.as_ref());
        self.nameop("super", ExprContext::Load, floc)?;
        if let [a, b] = &c.arguments.args[..] {
            self.expr(a)?;
            self.expr(b)?;
            return Ok(true);
        }
        self.nameop("__class__", ExprContext::Load, loc)?;
        let first = self
            .ur()
            .varnames
            .names
            .first()
            .cloned()
            .unwrap_or_default();
        self.nameop(&first, ExprContext::Load, loc)?;
        Ok(false)
    }

    /// `compiler_call` with `maybe_optimize_method_call`.
    fn call(&mut self, c: &'a ast::ExprCall, loc: Loc) -> R {
        let args = &c.arguments.args;
        let keywords = &c.arguments.keywords;
        if let [Expr::Generator(g)] = &args[..] {
            if !g.parenthesized && keywords.is_empty() {
                self.genexpr_in_call = Some((g.range, self.loc(&c.arguments)));
            }
        }
        if let Expr::Attribute(meth) = c.func.as_ref() {
            let nk = keywords.len();
            let simple = meth.ctx == ExprContext::Load
                && !self.is_import_originated(&meth.value)
                && args.len() + nk + usize::from(nk != 0) < STACK_USE_GUIDELINE
                && !args.iter().any(|a| a.is_starred_expr())
                && keywords.iter().all(|k| k.arg.is_some());
            if simple {
                let mloc = self.loc(meth);
                let aloc = self.attr_loc(mloc, meth);
                if self.can_optimize_super(meth) {
                    let two = self.load_args_for_super(&meth.value)?;
                    let idx = self.add_name(&meth.attr.id);
                    self.emit(
                        Opcode::LOAD_SUPER_ATTR,
                        SuperAttrArg {
                            name: idx,
                            method: true,
                            two_args: two,
                        }
                        .encode(),
                        mloc,
                    );
                    self.emit(Opcode::NOP, 0, aloc);
                } else {
                    self.expr(&meth.value)?;
                    let idx = self.add_name(&meth.attr.id);
                    let arg = NameArg {
                        name: idx,
                        flag: true,
                    };
                    self.emit(Opcode::LOAD_ATTR, arg.encode(), aloc);
                }
                for a in args.iter() {
                    self.expr(a)?;
                }
                if nk > 0 {
                    for k in keywords.iter() {
                        self.expr(&k.value)?;
                    }
                    self.kw_names(keywords, aloc);
                }
                let cloc = self.attr_loc(loc, meth);
                self.emit(Opcode::CALL, n32(args.len() + nk), cloc);
                return Ok(());
            }
        }
        let floc = self.loc(c.func.as_ref());
        self.emit(Opcode::PUSH_NULL, 0, floc);
        self.expr(&c.func)?;
        self.call_helper(loc, 0, args, keywords)
    }

    fn is_import_originated(&self, e: &Expr) -> bool {
        let Expr::Name(n) = e else { return false };
        let top = &self.table.entries[0];
        top.symbols
            .get(&n.id)
            .is_some_and(|f| f & symtable::DEF_IMPORT != 0)
    }

    fn kw_names(&mut self, keywords: &[ast::Keyword], loc: Loc) {
        let names: Vec<Constant> = keywords
            .iter()
            .filter_map(|k| k.arg.as_ref())
            .map(|a| Constant::Str(Rc::from(a.id.as_str())))
            .collect();
        let i = self.add_const(Constant::Tuple(names.into()));
        self.emit(Opcode::KW_NAMES, i, loc);
    }

    /// `compiler_call_helper`.
    pub fn call_helper(
        &mut self,
        loc: Loc,
        n: u32,
        args: &'a [Expr],
        keywords: &'a [ast::Keyword],
    ) -> R {
        let nelts = args.len();
        let nkw = keywords.len();
        let ex_call = nelts + nkw * 2 > STACK_USE_GUIDELINE
            || args.iter().any(|a| a.is_starred_expr())
            || keywords.iter().any(|k| k.arg.is_none());
        if !ex_call {
            for a in args {
                self.expr(a)?;
            }
            if nkw > 0 {
                for k in keywords {
                    self.expr(&k.value)?;
                }
                self.kw_names(keywords, loc);
            }
            self.emit(Opcode::CALL, n + n32(nelts + nkw), loc);
            return Ok(());
        }
        match args {
            [Expr::Starred(s)] if n == 0 => self.expr(&s.value)?,
            _ => self.starunpack(
                loc,
                args,
                n,
                Opcode::BUILD_LIST,
                Opcode::LIST_APPEND,
                Opcode::LIST_EXTEND,
                true,
            )?,
        }
        if nkw > 0 {
            let mut have_dict = false;
            let mut nseen = 0usize;
            for (i, k) in keywords.iter().enumerate() {
                if k.arg.is_none() {
                    if nseen > 0 {
                        self.subkwargs(keywords, i - nseen, i, loc)?;
                        if have_dict {
                            self.emit(Opcode::DICT_MERGE, 1, loc);
                        }
                        have_dict = true;
                        nseen = 0;
                    }
                    if !have_dict {
                        self.emit(Opcode::BUILD_MAP, 0, loc);
                        have_dict = true;
                    }
                    self.expr(&k.value)?;
                    self.emit(Opcode::DICT_MERGE, 1, loc);
                } else {
                    nseen += 1;
                }
            }
            if nseen > 0 {
                self.subkwargs(keywords, nkw - nseen, nkw, loc)?;
                if have_dict {
                    self.emit(Opcode::DICT_MERGE, 1, loc);
                }
            }
        }
        self.emit(Opcode::CALL_FUNCTION_EX, u32::from(nkw > 0), loc);
        Ok(())
    }

    /// `compiler_subkwargs`.
    fn subkwargs(&mut self, keywords: &'a [ast::Keyword], begin: usize, end: usize, loc: Loc) -> R {
        let slice = keywords.get(begin..end).unwrap_or(&[]);
        let n = slice.len();
        let big = n * 2 > STACK_USE_GUIDELINE;
        if n > 1 && !big {
            for k in slice {
                self.expr(&k.value)?;
            }
            let keys: Vec<Constant> = slice
                .iter()
                .filter_map(|k| k.arg.as_ref())
                .map(|a| Constant::Str(Rc::from(a.id.as_str())))
                .collect();
            self.load_const(Constant::Tuple(keys.into()), loc);
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n32(n), loc);
            return Ok(());
        }
        if big {
            self.emit(Opcode::BUILD_MAP, 0, Loc::NONE);
        }
        for k in slice {
            let name = k.arg.as_ref().map_or("", |a| a.id.as_str());
            self.load_const(Constant::Str(Rc::from(name)), loc);
            self.expr(&k.value)?;
            if big {
                self.emit(Opcode::MAP_ADD, 1, Loc::NONE);
            }
        }
        if !big {
            self.emit(Opcode::BUILD_MAP, n32(n), loc);
        }
        Ok(())
    }

    /// `compiler_add_yield_from`.
    /// `compiler_add_yield_from`: the SEND / YIELD_VALUE loop of `yield from` and, with
    /// `is_await`, of `await`.
    pub(super) fn yield_from(&mut self, loc: Loc, is_await: bool) {
        let send = self.new_label();
        let fail = self.new_label();
        let exit = self.new_label();
        self.use_label(send);
        self.emit_jump(Op::Real(Opcode::SEND), exit, loc);
        self.emit_jump(Op::SetupFinally, fail, loc);
        self.emit(Opcode::YIELD_VALUE, 0, loc);
        self.emit_op(Op::PopBlock, 0, Loc::NONE);
        let kind = if is_await {
            resume::AFTER_AWAIT
        } else {
            resume::AFTER_YIELD_FROM
        };
        self.emit(Opcode::RESUME, kind, loc);
        self.emit_jump(Op::JumpNoInterrupt, send, loc);
        self.use_label(fail);
        self.emit(Opcode::CLEANUP_THROW, 0, loc);
        self.use_label(exit);
        self.emit(Opcode::END_SEND, 0, loc);
    }

    /// `compiler_lambda`.
    fn lambda(&mut self, l: &'a ast::ExprLambda, loc: Loc) -> R {
        let flags = match &l.parameters {
            Some(p) => self.default_arguments(p, loc)?,
            None => 0,
        };
        let Some(ste) = self.table.lookup(l) else {
            return Err(unsupported("lambda", loc));
        };
        self.enter_scope("<lambda>", ScopeKind::Lambda, ste, loc.line)?;
        self.add_const(Constant::None);
        if let Some(p) = &l.parameters {
            self.set_arg_counts(p);
        }
        self.expr(&l.body)?;
        // compiler_lambda: a generator lambda gets no StopIteration handler (PEP 479's
        // RuntimeError does not apply to it in 3.12), only the return of its body's value.
        let code = if self.ste().generator {
            self.finish_unit(false)?
        } else {
            self.emit(Opcode::RETURN_VALUE, 0, Loc::line_only(loc.line));
            self.finish_unit(true)?
        };
        self.make_closure(code, flags, loc)
    }

    /// `compiler_comprehension`.
    fn comprehension(
        &mut self,
        e: &'a Expr,
        kind: CompKind,
        name: &str,
        generators: &'a [ast::Comprehension],
        elt: &'a Expr,
        val: Option<&'a Expr>,
    ) -> R {
        let loc = match self.genexpr_in_call {
            Some((range, call_loc)) if range == ruff_text_size::Ranged::range(e) => {
                self.genexpr_in_call = None;
                call_loc
            }
            _ => self.loc(e),
        };
        let Some(ste) = self.table.lookup(e) else {
            return Err(unsupported("comprehension", loc));
        };
        let Some(outermost) = generators.first() else {
            return Err(unsupported("comprehension", loc));
        };
        let inlined = self.table.entries[ste].comp_inlined;
        let is_async_generator = self.table.entries[ste].coroutine;
        let scope_kind = self.ur().kind;
        let mut state = InlineState::default();
        if inlined {
            self.comprehension_iter(outermost, loc)?;
            state = self.push_inlined(ste, loc)?;
        } else {
            self.enter_scope(name, ScopeKind::Comprehension, ste, loc.line)?;
        }
        if is_async_generator && kind != CompKind::Gen {
            self.check_async_comprehension(scope_kind, loc)?;
        }
        if kind != CompKind::Gen {
            let op = match kind {
                CompKind::List => Opcode::BUILD_LIST,
                CompKind::Set => Opcode::BUILD_SET,
                _ => Opcode::BUILD_MAP,
            };
            self.emit(op, 0, loc);
            if inlined {
                self.emit(Opcode::SWAP, 2, loc);
            }
        }
        self.comp_generator(loc, generators, 0, 0, elt, val, kind, inlined)?;
        if inlined {
            return self.pop_inlined(state, loc);
        }
        if kind != CompKind::Gen {
            self.emit(Opcode::RETURN_VALUE, 0, loc);
        } else {
            self.wrap_in_stopiteration_handler();
        }
        let code = self.finish_unit(true)?;
        self.make_closure(code, 0, loc)?;
        self.comprehension_iter(outermost, loc)?;
        self.emit(Opcode::CALL, 0, loc);
        if is_async_generator && kind != CompKind::Gen {
            self.await_result(crate::oparg::awaitable::AWAIT, loc);
        }
        Ok(())
    }

    /// `compiler_comprehension_iter`: the outermost iterable, evaluated in the enclosing
    /// scope, and its (asynchronous) iterator.
    fn comprehension_iter(&mut self, outermost: &'a ast::Comprehension, loc: Loc) -> R {
        self.iter_expr(&outermost.iter)?;
        let op = if outermost.is_async {
            Opcode::GET_AITER
        } else {
            Opcode::GET_ITER
        };
        self.emit(op, 0, loc);
        Ok(())
    }

    /// `compiler_comprehension_generator` / `compiler_sync_comprehension_generator`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn comp_generator(
        &mut self,
        loc: Loc,
        generators: &'a [ast::Comprehension],
        index: usize,
        mut depth: u32,
        elt: &'a Expr,
        val: Option<&'a Expr>,
        kind: CompKind,
        iter_on_stack: bool,
    ) -> R {
        let Some(gen) = generators.get(index) else {
            return Ok(());
        };
        if gen.is_async {
            return self.async_comp_generator(
                loc,
                generators,
                index,
                depth,
                elt,
                val,
                kind,
                iter_on_stack,
            );
        }
        let mut start = Some(self.new_label());
        let if_cleanup = self.new_label();
        let anchor = self.new_label();
        if !iter_on_stack {
            if index == 0 {
                self.u().argcount = 1;
                self.emit(Opcode::LOAD_FAST, 0, loc);
            } else {
                let single = match &gen.iter {
                    Expr::List(l) if l.elts.len() == 1 => l.elts.first(),
                    Expr::Tuple(t) if t.elts.len() == 1 => t.elts.first(),
                    _ => None,
                };
                match single {
                    Some(el) if !el.is_starred_expr() => {
                        self.expr(el)?;
                        start = None;
                    }
                    _ => {
                        self.iter_expr(&gen.iter)?;
                        self.emit(Opcode::GET_ITER, 0, loc);
                    }
                }
            }
        }
        if let Some(start) = start {
            depth += 1;
            self.use_label(start);
            self.emit_jump(Op::Real(Opcode::FOR_ITER), anchor, loc);
        }
        self.expr(&gen.target)?;
        for cond in &gen.ifs {
            self.jump_if(cond, if_cleanup, false)?;
        }
        let elt_loc = if index + 1 < generators.len() {
            self.comp_generator(loc, generators, index + 1, depth, elt, val, kind, false)?;
            self.loc(elt)
        } else {
            self.comp_element(elt, val, kind, depth)?
        };
        self.use_label(if_cleanup);
        if let Some(start) = start {
            self.emit_jump(Op::Jump, start, elt_loc);
            self.use_label(anchor);
            self.emit(Opcode::END_FOR, 0, Loc::NONE);
        }
        Ok(())
    }

    /// The innermost part of a comprehension: yield, append or add the element (after
    /// the last `for`), at the element's location, which is returned.
    pub(super) fn comp_element(
        &mut self,
        elt: &'a Expr,
        val: Option<&'a Expr>,
        kind: CompKind,
        depth: u32,
    ) -> R<Loc> {
        let mut elt_loc = self.loc(elt);
        self.expr(elt)?;
        match kind {
            CompKind::Gen => {
                self.addop_yield(elt_loc);
                self.emit(Opcode::POP_TOP, 0, elt_loc);
            }
            CompKind::List => self.emit(Opcode::LIST_APPEND, depth + 1, elt_loc),
            CompKind::Set => self.emit(Opcode::SET_ADD, depth + 1, elt_loc),
            CompKind::Dict => {
                if let Some(v) = val {
                    self.expr(v)?;
                    let vl = self.loc(v);
                    elt_loc = Loc {
                        line: elt_loc.line,
                        end_line: vl.end_line,
                        col: elt_loc.col,
                        end_col: vl.end_col,
                    };
                }
                self.emit(Opcode::MAP_ADD, depth + 1, elt_loc);
            }
        }
        Ok(elt_loc)
    }

    /// `push_inlined_comprehension_state`.
    fn push_inlined(&mut self, comp: usize, loc: Loc) -> R<InlineState> {
        let mut state = InlineState::default();
        let in_class_block =
            self.ste().kind == symtable::BlockType::Class && self.ur().in_inlined_comp == 0;
        self.u().in_inlined_comp += 1;
        let table = self.table;
        let function_like = self.ste().is_function_like();
        for (k, symbol) in table.entries[comp].symbols.iter() {
            let scope = symtable::scope_of_flags(symbol);
            let outv = self.symbol_flags(k);
            let outsc = symtable::scope_of_flags(outv);
            if (scope != outsc
                && scope != Scope::Free
                && !(scope == Scope::Cell && outsc == Scope::Free))
                || in_class_block
            {
                state
                    .temp_symbols
                    .push((k.to_owned(), self.ur().overrides.get(k).copied()));
                self.u().overrides.insert(k.to_owned(), symbol);
            }
            if (symbol & symtable::DEF_LOCAL != 0 && symbol & symtable::DEF_NONLOCAL == 0)
                || in_class_block
            {
                if !function_like && self.ur().fasthidden.get(k) != Some(&true) {
                    self.u().fasthidden.insert(k.to_owned(), true);
                    state.fast_hidden.push(k.to_owned());
                }
                let i = self.u().varnames.add(k);
                self.emit(Opcode::LOAD_FAST_AND_CLEAR, i, loc);
                if scope == Scope::Cell {
                    let arg = if outsc == Scope::Free {
                        self.ur()
                            .freevars
                            .get(k)
                            .map(|f| f + n32(self.ur().cellvars.len()))
                    } else {
                        self.ur().cellvars.get(k)
                    };
                    let Some(arg) = arg else {
                        return Err(unsupported("cell in inlined comprehension", loc));
                    };
                    self.emit(Opcode::MAKE_CELL, arg, loc);
                }
                state.pushed_locals.push(k.to_owned());
            }
        }
        if !state.pushed_locals.is_empty() {
            self.emit(Opcode::SWAP, n32(state.pushed_locals.len() + 1), loc);
            let cleanup = self.new_label();
            let end = self.new_label();
            state.cleanup = cleanup;
            state.end = end;
            self.emit_jump(Op::SetupFinally, cleanup, loc);
        }
        Ok(state)
    }

    /// `pop_inlined_comprehension_state`.
    fn pop_inlined(&mut self, state: InlineState, loc: Loc) -> R {
        self.u().in_inlined_comp -= 1;
        for (k, old) in state.temp_symbols.iter().rev() {
            match old {
                Some(v) => self.u().overrides.insert(k.clone(), *v),
                None => self.u().overrides.remove(k),
            };
        }
        if !state.pushed_locals.is_empty() {
            self.emit_op(Op::PopBlock, 0, Loc::NONE);
            self.emit_jump(Op::Jump, state.end, Loc::NONE);
            self.use_label(state.cleanup);
            self.emit(Opcode::SWAP, 2, Loc::NONE);
            self.emit(Opcode::POP_TOP, 0, Loc::NONE);
            self.restore_inlined_locals(&state, loc);
            self.emit(Opcode::RERAISE, 0, Loc::NONE);
            self.use_label(state.end);
            self.restore_inlined_locals(&state, loc);
        }
        for k in state.fast_hidden {
            self.u().fasthidden.insert(k, false);
        }
        Ok(())
    }

    fn restore_inlined_locals(&mut self, state: &InlineState, loc: Loc) {
        self.emit(Opcode::SWAP, n32(state.pushed_locals.len() + 1), loc);
        for k in state.pushed_locals.iter().rev() {
            let i = self.u().varnames.add(k);
            self.emit_op(Op::StoreFastMaybeNull, i, loc);
        }
    }
}

#[derive(Default)]
struct InlineState {
    pushed_locals: Vec<String>,
    temp_symbols: Vec<(String, Option<u32>)>,
    fast_hidden: Vec<String>,
    cleanup: usize,
    end: usize,
}
