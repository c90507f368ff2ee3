//! The `match` statement, after CPython 3.12's `Python/compile.c` (`compiler_match`,
//! `compiler_pattern_*`, `pattern_helper_*`, `jump_to_fail_pop`,
//! `emit_and_reset_fail_pop`).
//!
//! A pattern is compiled with the subject on top of the stack and consumes it. Captured
//! values are not stored as they are found: each is rotated underneath whatever the
//! pattern still needs (`on_top`) and the earlier captures, and the names are stored
//! together once the whole pattern has matched. A failing check jumps to the
//! `fail_pop[n]` label that pops the `n` values then on the stack; the labels are laid
//! out after the case body as a chain of POP_TOPs.

use ruff_python_ast::{self as ast, Expr, Pattern};

use super::codegen::{Compiler, R};
use super::fold::fold;
use super::{syntax_error, unsupported, Loc, Op};
use crate::code::Constant;
use crate::oparg::{BinaryOp, CompareOp};
use crate::opcode::Opcode;

/// `pattern_context`.
#[derive(Default)]
struct PatternContext {
    /// The names captured so far, in the order their values sit on the stack.
    stores: Vec<String>,
    /// Whether an irrefutable pattern is allowed here.
    allow_irrefutable: bool,
    /// `fail_pop[n]` pops `n` values and then fails.
    fail_pop: Vec<usize>,
    /// Values on top of the stack the pattern still needs, above the captures.
    on_top: usize,
}

/// `WILDCARD_CHECK`: `_` alone.
fn is_wildcard(p: &Pattern) -> bool {
    matches!(p, Pattern::MatchAs(a) if a.pattern.is_none() && a.name.is_none())
}

/// `WILDCARD_STAR_CHECK`: `*_`.
fn is_wildcard_star(p: &Pattern) -> bool {
    matches!(p, Pattern::MatchStar(s) if s.name.is_none())
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn int_const(n: usize) -> Constant {
    Constant::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Python equality of two literal keys as a set would see it (`1 == 1.0 == True == 1+0j`).
fn keys_equal(a: &Constant, b: &Constant) -> bool {
    fn num(c: &Constant) -> Option<(f64, f64)> {
        #[allow(clippy::cast_precision_loss)] // only equal-valued small literals matter
        match c {
            Constant::Bool(b) => Some((f64::from(u8::from(*b)), 0.0)),
            Constant::Int(i) => Some((*i as f64, 0.0)),
            Constant::Float(f) => Some((*f, 0.0)),
            Constant::Complex(re, im) => Some((*re, *im)),
            _ => None,
        }
    }
    match (a, b) {
        (Constant::Int(x), Constant::Int(y)) => x == y,
        (Constant::Str(x), Constant::Str(y)) => x == y,
        (Constant::Bytes(x), Constant::Bytes(y)) => x == y,
        (Constant::None, Constant::None) => true,
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

impl<'a> Compiler<'a> {
    /// `compiler_match` / `compiler_match_inner`.
    pub fn match_stmt(&mut self, m: &'a ast::StmtMatch) -> R {
        self.expr(&m.subject)?;
        let end = self.new_label();
        let cases = m.cases.len();
        let has_default = cases > 1 && m.cases.last().is_some_and(|c| is_wildcard(&c.pattern));
        let n = cases - usize::from(has_default);
        for (i, case) in m.cases.iter().take(n).enumerate() {
            let ploc = self.loc(&case.pattern);
            // Only copy the subject if this is not the last case to test.
            if i + 1 != n {
                self.emit(Opcode::COPY, 1, ploc);
            }
            let mut pc = PatternContext {
                // Irrefutable cases must be either guarded, last, or both.
                allow_irrefutable: case.guard.is_some() || i + 1 == cases,
                ..PatternContext::default()
            };
            self.pattern(&case.pattern, &mut pc)?;
            debug_assert_eq!(pc.on_top, 0);
            // It's a match: store the captured names (their values are on the stack).
            for name in std::mem::take(&mut pc.stores) {
                self.nameop(&name, ast::ExprContext::Store, ploc)?;
            }
            if let Some(g) = &case.guard {
                self.ensure_fail_pop(&mut pc, 0);
                let fail = pc.fail_pop[0];
                self.jump_if(g, fail, false)?;
            }
            // Done with the subject.
            if i + 1 != n {
                self.emit(Opcode::POP_TOP, 0, ploc);
            }
            self.stmts(&case.body)?;
            self.emit_jump(Op::Jump, end, Loc::NONE);
            // A failed pattern's cleanup belongs to the pattern's line, not the body's.
            self.emit_and_reset_fail_pop(&mut pc, ploc);
        }
        if has_default {
            if let Some(case) = m.cases.last() {
                let ploc = self.loc(&case.pattern);
                // A trailing `case _:` needs no copy of the subject; the NOP gives the
                // line its event.
                self.emit(Opcode::NOP, 0, ploc);
                if let Some(g) = &case.guard {
                    self.jump_if(g, end, false)?;
                }
                self.stmts(&case.body)?;
            }
        }
        self.use_label(end);
        Ok(())
    }

    /// `compiler_pattern`.
    fn pattern(&mut self, p: &'a Pattern, pc: &mut PatternContext) -> R {
        let loc = self.loc(p);
        match p {
            Pattern::MatchValue(v) => self.pattern_value(&v.value, loc, pc),
            Pattern::MatchSingleton(s) => {
                let c = match s.value {
                    ast::Singleton::None => Constant::None,
                    ast::Singleton::True => Constant::Bool(true),
                    ast::Singleton::False => Constant::Bool(false),
                };
                self.load_const(c, loc);
                self.emit(Opcode::IS_OP, 0, loc);
                self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
                Ok(())
            }
            Pattern::MatchSequence(s) => self.pattern_sequence(&s.patterns, loc, pc),
            Pattern::MatchMapping(m) => self.pattern_mapping(m, loc, pc),
            Pattern::MatchClass(c) => self.pattern_class(c, loc, pc),
            Pattern::MatchStar(s) => {
                self.store_capture(s.name.as_ref().map(|n| n.as_str()), loc, pc)
            }
            Pattern::MatchAs(a) => self.pattern_as(a, loc, pc),
            Pattern::MatchOr(o) => self.pattern_or(&o.patterns, loc, pc),
        }
    }

    /// `compiler_pattern_subpattern`: a sub-pattern may always be irrefutable.
    fn subpattern(&mut self, p: &'a Pattern, pc: &mut PatternContext) -> R {
        let saved = pc.allow_irrefutable;
        pc.allow_irrefutable = true;
        self.pattern(p, pc)?;
        pc.allow_irrefutable = saved;
        Ok(())
    }

    /// `ensure_fail_pop`.
    fn ensure_fail_pop(&mut self, pc: &mut PatternContext, n: usize) {
        while pc.fail_pop.len() <= n {
            let l = self.new_label();
            pc.fail_pop.push(l);
        }
    }

    /// `jump_to_fail_pop`: pop what is on top and the captures so far, then fail.
    fn jump_to_fail_pop(&mut self, pc: &mut PatternContext, op: Opcode, loc: Loc) {
        self.jump_to_fail_pop_op(pc, Op::Real(op), loc);
    }

    fn jump_to_fail_pop_op(&mut self, pc: &mut PatternContext, op: Op, loc: Loc) {
        let pops = pc.on_top + pc.stores.len();
        self.ensure_fail_pop(pc, pops);
        let target = pc.fail_pop[pops];
        self.emit_jump(op, target, loc);
    }

    /// `emit_and_reset_fail_pop`.
    fn emit_and_reset_fail_pop(&mut self, pc: &mut PatternContext, loc: Loc) {
        let labels = std::mem::take(&mut pc.fail_pop);
        let Some((first, rest)) = labels.split_first() else {
            return;
        };
        for &l in rest.iter().rev() {
            self.use_label(l);
            self.emit(Opcode::POP_TOP, 0, loc);
        }
        self.use_label(*first);
    }

    /// `pattern_helper_rotate`: 3.10's ROT_N as SWAPs.
    fn rotate(&mut self, mut count: usize, loc: Loc) {
        while count > 1 {
            self.emit(Opcode::SWAP, u32_of(count), loc);
            count -= 1;
        }
    }

    /// `pattern_helper_store_name`: `None` (a wildcard) pops the value.
    fn store_capture(&mut self, name: Option<&str>, loc: Loc, pc: &mut PatternContext) -> R {
        let Some(name) = name else {
            self.emit(Opcode::POP_TOP, 0, loc);
            return Ok(());
        };
        if name == "__debug__" {
            return Err(syntax_error("cannot assign to __debug__", loc));
        }
        if pc.stores.iter().any(|s| s == name) {
            return Err(duplicate_store(name, loc));
        }
        // Rotate the value underneath what must be preserved.
        let rotations = pc.on_top + pc.stores.len() + 1;
        self.rotate(rotations, loc);
        pc.stores.push(name.to_owned());
        Ok(())
    }

    /// `compiler_pattern_value`.
    fn pattern_value(&mut self, value: &'a Expr, loc: Loc, pc: &mut PatternContext) -> R {
        let literal = matches!(value, Expr::Attribute(_)) || fold(value, self.lines)?.is_some();
        if !literal {
            if matches!(
                value,
                Expr::NumberLiteral(_) | Expr::UnaryOp(_) | Expr::BinOp(_)
            ) {
                // `real + imagj` always folds; anything else numeric is unexpected.
                return Err(unsupported("a numeric pattern that does not fold", loc));
            }
            return Err(syntax_error(
                "patterns may only match literals and attribute lookups",
                loc,
            ));
        }
        self.expr(value)?;
        self.emit(Opcode::COMPARE_OP, CompareOp::Eq.oparg(), loc);
        self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        Ok(())
    }

    /// `compiler_pattern_as`.
    fn pattern_as(&mut self, a: &'a ast::PatternMatchAs, loc: Loc, pc: &mut PatternContext) -> R {
        let name = a.name.as_ref().map(|n| n.as_str());
        let Some(inner) = &a.pattern else {
            if !pc.allow_irrefutable {
                let msg = match name {
                    Some(n) => format!("name capture '{n}' makes remaining patterns unreachable"),
                    None => "wildcard makes remaining patterns unreachable".to_owned(),
                };
                return Err(syntax_error(&msg, loc));
            }
            return self.store_capture(name, loc, pc);
        };
        // A copy of the subject to store if the inner pattern matches.
        pc.on_top += 1;
        self.emit(Opcode::COPY, 1, loc);
        self.pattern(inner, pc)?;
        pc.on_top -= 1;
        self.store_capture(name, loc, pc)
    }

    /// `compiler_pattern_sequence`.
    fn pattern_sequence(&mut self, pats: &'a [Pattern], loc: Loc, pc: &mut PatternContext) -> R {
        let size = pats.len();
        let mut star = None;
        let mut only_wildcard = true;
        let mut star_wildcard = false;
        for (i, p) in pats.iter().enumerate() {
            if matches!(p, Pattern::MatchStar(_)) {
                if star.is_some() {
                    return Err(syntax_error(
                        "multiple starred names in sequence pattern",
                        loc,
                    ));
                }
                star_wildcard = is_wildcard_star(p);
                only_wildcard &= star_wildcard;
                star = Some(i);
                continue;
            }
            only_wildcard &= is_wildcard(p);
        }
        // The subject stays on top through the type and length checks.
        pc.on_top += 1;
        self.emit(Opcode::MATCH_SEQUENCE, 0, loc);
        self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        let len_check = match star {
            None => Some((size, CompareOp::Eq)),
            Some(_) if size > 1 => Some((size - 1, CompareOp::Ge)),
            Some(_) => None,
        };
        if let Some((n, op)) = len_check {
            self.emit(Opcode::GET_LEN, 0, loc);
            self.load_const(int_const(n), loc);
            self.emit(Opcode::COMPARE_OP, op.oparg(), loc);
            self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        }
        pc.on_top -= 1;
        match star {
            _ if only_wildcard => {
                // [] / [_] / [_, *_] / …
                self.emit(Opcode::POP_TOP, 0, loc);
                Ok(())
            }
            Some(star) if star_wildcard => self.sequence_subscr(pats, star, loc, pc),
            _ => self.sequence_unpack(pats, loc, pc),
        }
    }

    /// `pattern_helper_sequence_unpack` (with `pattern_unpack_helper`).
    fn sequence_unpack(&mut self, pats: &'a [Pattern], loc: Loc, pc: &mut PatternContext) -> R {
        let n = pats.len();
        match pats.iter().position(|p| matches!(p, Pattern::MatchStar(_))) {
            Some(i) => {
                if i >= 1 << 8 || n - i > (i32::MAX >> 8) as usize {
                    return Err(syntax_error(
                        "too many expressions in star-unpacking sequence pattern",
                        loc,
                    ));
                }
                self.emit(Opcode::UNPACK_EX, u32_of(i + ((n - i - 1) << 8)), loc);
            }
            None => self.emit(Opcode::UNPACK_SEQUENCE, u32_of(n), loc),
        }
        // The unpacked items are new subjects, each consumed in turn.
        pc.on_top += n;
        for p in pats {
            pc.on_top -= 1;
            self.subpattern(p, pc)?;
        }
        Ok(())
    }

    /// `pattern_helper_sequence_subscr`: with a `*_`, index the items instead of unpacking.
    fn sequence_subscr(
        &mut self,
        pats: &'a [Pattern],
        star: usize,
        loc: Loc,
        pc: &mut PatternContext,
    ) -> R {
        let size = pats.len();
        pc.on_top += 1;
        for (i, p) in pats.iter().enumerate() {
            if is_wildcard(p) || i == star {
                continue;
            }
            self.emit(Opcode::COPY, 1, loc);
            if i < star {
                self.load_const(int_const(i), loc);
            } else {
                // The subject may not support negative indexes: len(subject) - k.
                self.emit(Opcode::GET_LEN, 0, loc);
                self.load_const(int_const(size - i), loc);
                self.emit(Opcode::BINARY_OP, BinaryOp::Subtract.oparg(false), loc);
            }
            self.emit(Opcode::BINARY_SUBSCR, 0, loc);
            self.subpattern(p, pc)?;
        }
        pc.on_top -= 1;
        self.emit(Opcode::POP_TOP, 0, loc);
        Ok(())
    }

    /// `compiler_pattern_mapping`.
    fn pattern_mapping(
        &mut self,
        m: &'a ast::PatternMatchMapping,
        loc: Loc,
        pc: &mut PatternContext,
    ) -> R {
        let size = m.keys.len();
        let rest = m.rest.as_ref().map(|n| n.as_str());
        pc.on_top += 1;
        self.emit(Opcode::MATCH_MAPPING, 0, loc);
        self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        if size == 0 && rest.is_none() {
            // `{}`: done, pop the subject.
            pc.on_top -= 1;
            self.emit(Opcode::POP_TOP, 0, loc);
            return Ok(());
        }
        if size > 0 {
            self.emit(Opcode::GET_LEN, 0, loc);
            self.load_const(int_const(size), loc);
            self.emit(Opcode::COMPARE_OP, CompareOp::Ge.oparg(), loc);
            self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        }
        // Literal keys must be distinct; the rest are attribute lookups.
        let mut seen: Vec<Constant> = Vec::new();
        for key in &m.keys {
            if let Some(c) = fold(key, self.lines)? {
                if seen.iter().any(|s| keys_equal(s, &c)) {
                    let msg = format!(
                        "mapping pattern checks duplicate key ({})",
                        crate::dis::const_repr(&c)
                    );
                    return Err(syntax_error(&msg, loc));
                }
                seen.push(c);
            } else if matches!(
                key,
                Expr::NumberLiteral(_) | Expr::UnaryOp(_) | Expr::BinOp(_)
            ) {
                return Err(unsupported(
                    "a numeric mapping key that does not fold",
                    self.loc(key),
                ));
            } else if !matches!(key, Expr::Attribute(_)) {
                return Err(syntax_error(
                    "mapping pattern keys may only match literals and attribute lookups",
                    loc,
                ));
            }
            self.expr(key)?;
        }
        self.emit(Opcode::BUILD_TUPLE, u32_of(size), loc);
        self.emit(Opcode::MATCH_KEYS, 0, loc);
        // The keys tuple and the values tuple (or None) are now on top of the subject.
        pc.on_top += 2;
        self.emit(Opcode::COPY, 1, loc);
        self.load_const(Constant::None, loc);
        self.emit(Opcode::IS_OP, 1, loc);
        self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        self.emit(Opcode::UNPACK_SEQUENCE, u32_of(size), loc);
        pc.on_top += size;
        pc.on_top -= 1;
        for p in &m.patterns {
            pc.on_top -= 1;
            self.subpattern(p, pc)?;
        }
        // Whatever follows consumes the keys tuple and the subject.
        pc.on_top -= 2;
        match rest {
            Some(name) => {
                // rest = dict(subject); del rest[k] for each key.
                self.emit(Opcode::BUILD_MAP, 0, loc);
                self.emit(Opcode::SWAP, 3, loc);
                self.emit(Opcode::DICT_UPDATE, 2, loc);
                self.emit(Opcode::UNPACK_SEQUENCE, u32_of(size), loc);
                let mut k = size;
                while k > 0 {
                    self.emit(Opcode::COPY, u32_of(1 + k), loc);
                    k -= 1;
                    self.emit(Opcode::SWAP, 2, loc);
                    self.emit(Opcode::DELETE_SUBSCR, 0, loc);
                }
                self.store_capture(Some(name), loc, pc)
            }
            None => {
                self.emit(Opcode::POP_TOP, 0, loc);
                self.emit(Opcode::POP_TOP, 0, loc);
                Ok(())
            }
        }
    }

    /// `compiler_pattern_class` (with `validate_kwd_attrs`).
    fn pattern_class(
        &mut self,
        c: &'a ast::PatternMatchClass,
        loc: Loc,
        pc: &mut PatternContext,
    ) -> R {
        let args = &c.arguments;
        let nargs = args.patterns.len();
        let nattrs = args.keywords.len();
        for (i, k) in args.keywords.iter().enumerate() {
            let kloc = self.loc(&k.pattern);
            if k.attr.as_str() == "__debug__" {
                return Err(syntax_error("cannot assign to __debug__", kloc));
            }
            if let Some(dup) = args.keywords[i + 1..]
                .iter()
                .find(|o| o.attr.as_str() == k.attr.as_str())
            {
                return Err(syntax_error(
                    &format!(
                        "attribute name repeated in class pattern: {}",
                        k.attr.as_str()
                    ),
                    self.loc(&dup.pattern),
                ));
            }
        }
        self.expr(&c.cls)?;
        let names: Vec<Constant> = args
            .keywords
            .iter()
            .map(|k| Constant::Str(k.attr.as_str().into()))
            .collect();
        self.load_const(Constant::Tuple(names.into()), loc);
        self.emit(Opcode::MATCH_CLASS, u32_of(nargs), loc);
        self.emit(Opcode::COPY, 1, loc);
        self.load_const(Constant::None, loc);
        self.emit(Opcode::IS_OP, 1, loc);
        // On top: a tuple of the nargs + nattrs attributes, or None.
        pc.on_top += 1;
        self.jump_to_fail_pop(pc, Opcode::POP_JUMP_IF_FALSE, loc);
        self.emit(Opcode::UNPACK_SEQUENCE, u32_of(nargs + nattrs), loc);
        pc.on_top += nargs + nattrs;
        pc.on_top -= 1;
        let subs = args
            .patterns
            .iter()
            .chain(args.keywords.iter().map(|k| &k.pattern));
        for p in subs {
            pc.on_top -= 1;
            if is_wildcard(p) {
                self.emit(Opcode::POP_TOP, 0, loc);
                continue;
            }
            self.subpattern(p, pc)?;
        }
        Ok(())
    }

    /// `compiler_pattern_or`: each alternative runs on its own copy of the subject with
    /// its own fail_pop; the names the first binds are the control every other must
    /// bind, reordered on the stack to the control's order.
    fn pattern_or(&mut self, alts: &'a [Pattern], loc: Loc, pc: &mut PatternContext) -> R {
        let end = self.new_label();
        let size = alts.len();
        let old_stores = std::mem::take(&mut pc.stores);
        let old_allow = pc.allow_irrefutable;
        let old_fail_pop = std::mem::take(&mut pc.fail_pop);
        let old_on_top = pc.on_top;
        let mut control: Option<Vec<String>> = None;
        for (i, alt) in alts.iter().enumerate() {
            let aloc = self.loc(alt);
            let mut sub = PatternContext {
                stores: Vec::new(),
                // An irrefutable alternative must be last, if allowed at all.
                allow_irrefutable: i + 1 == size && old_allow,
                fail_pop: Vec::new(),
                on_top: 0,
            };
            self.emit(Opcode::COPY, 1, aloc);
            self.pattern(alt, &mut sub)?;
            match &control {
                None => control = Some(sub.stores.clone()),
                Some(ctl) if ctl.len() != sub.stores.len() => return Err(different_names(loc)),
                Some(ctl) => {
                    let n = sub.stores.len();
                    for icontrol in (0..n).rev() {
                        let name = &ctl[icontrol];
                        let Some(istores) = sub.stores.iter().position(|s| s == name) else {
                            return Err(different_names(loc));
                        };
                        if icontrol != istores {
                            // Move the first istores+1 names (and values) up to
                            // icontrol, as CPython does with repeated rotations.
                            let rotations = istores + 1;
                            let rotated: Vec<String> = sub.stores.drain(..rotations).collect();
                            let at = icontrol - istores;
                            sub.stores.splice(at..at, rotated);
                            for _ in 0..rotations {
                                self.rotate(icontrol + 1, aloc);
                            }
                        }
                    }
                }
            }
            self.emit_jump(Op::Jump, end, aloc);
            self.emit_and_reset_fail_pop(&mut sub, aloc);
        }
        pc.stores = old_stores;
        pc.allow_irrefutable = old_allow;
        pc.fail_pop = old_fail_pop;
        pc.on_top = old_on_top;
        // No alternative matched: pop the remaining copy of the subject and fail.
        self.emit(Opcode::POP_TOP, 0, loc);
        self.jump_to_fail_pop_op(pc, Op::Jump, loc);
        self.use_label(end);
        let control = control.unwrap_or_default();
        // Between the new captures and their place: the other new captures, the copy of
        // the subject, what is on top, and the earlier captures.
        let nrots = control.len() + 1 + pc.on_top + pc.stores.len();
        for name in control {
            self.rotate(nrots, loc);
            if pc.stores.contains(&name) {
                return Err(duplicate_store(&name, loc));
            }
            pc.stores.push(name);
        }
        // Pop the copy of the subject.
        self.emit(Opcode::POP_TOP, 0, loc);
        Ok(())
    }
}

/// `compiler_error_duplicate_store`.
fn duplicate_store(name: &str, loc: Loc) -> super::CompileError {
    syntax_error(
        &format!("multiple assignments to name '{name}' in pattern"),
        loc,
    )
}

fn different_names(loc: Loc) -> super::CompileError {
    syntax_error("alternative patterns bind different names", loc)
}
