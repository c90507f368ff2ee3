//! The control-flow graph and its optimisations, after CPython 3.12's `Python/flowgraph.c`
//! (and the parts of `compile.c`'s `optimize_and_assemble_code_unit` that run on it).
//! Blocks live in a vector and are chained by `next` (CPython's `b_next` list); jump
//! targets are block indices.

use std::rc::Rc;

use super::assemble;
use super::codegen::{NameList, Unit};
use super::fold::{const_key, is_true};
use super::{CompileError, Instr, Loc, Op};
use crate::code::{kinds, CodeObject, Constant};
use crate::oparg::NameArg;
use crate::opcode::Opcode;

#[derive(Clone, Debug, Default)]
pub(crate) struct Block {
    pub instrs: Vec<Instr>,
    pub next: Option<usize>,
    pub visited: bool,
    pub predecessors: u32,
    pub except_handler: bool,
    pub preserve_lasti: bool,
    pub cold: bool,
    pub warm: bool,
    pub startdepth: i64,
    /// The block starts at a label of the instruction sequence (`IS_LABEL(b->b_label)`):
    /// a jump target or handler, so the instruction before it need not run before it.
    label: bool,
    unsafe_mask: u64,
    except_stack: Option<Vec<usize>>,
}

impl Block {
    fn last(&self) -> Option<&Instr> {
        self.instrs.last()
    }

    /// `BB_HAS_FALLTHROUGH`.
    fn has_fallthrough(&self) -> bool {
        self.last()
            .is_none_or(|i| !(i.op.is_scope_exit() || i.op.is_unconditional_jump()))
    }

    fn exits_scope(&self) -> bool {
        self.last().is_some_and(|i| i.op.is_scope_exit())
    }
}

pub(crate) struct Cfg {
    pub blocks: Vec<Block>,
    pub entry: usize,
}

impl Cfg {
    /// Block indices in `next` order.
    pub fn order(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut b = Some(self.entry);
        while let Some(i) = b {
            if out.len() > self.blocks.len() {
                break;
            }
            out.push(i);
            b = self.blocks[i].next;
        }
        out
    }

    fn new_block(&mut self) -> usize {
        self.blocks.push(Block::default());
        self.blocks.len() - 1
    }

    /// `instr_sequence_to_cfg`: a new block at every label and after every terminator.
    fn from_sequence(instrs: &[Instr], labels: &[Option<usize>]) -> Cfg {
        let mut offset2lbl: Vec<Option<usize>> = vec![None; instrs.len() + 1];
        for (lbl, off) in labels.iter().enumerate() {
            if let Some(off) = off {
                if let Some(slot) = offset2lbl.get_mut(*off) {
                    *slot = Some(lbl);
                }
            }
        }
        let mut cfg = Cfg {
            blocks: vec![Block::default()],
            entry: 0,
        };
        let mut label_block: Vec<Option<usize>> = vec![None; labels.len()];
        let mut cur = 0usize;
        let mut cur_labelled = false;
        for (i, ins) in instrs.iter().enumerate() {
            let lbl = offset2lbl.get(i).copied().flatten();
            let terminated = cfg.blocks[cur].last().is_some_and(|l| l.op.is_terminator());
            let need_new = terminated
                || (lbl.is_some() && (!cfg.blocks[cur].instrs.is_empty() || cur_labelled));
            if need_new {
                let b = cfg.new_block();
                cfg.blocks[cur].next = Some(b);
                cur = b;
                cur_labelled = false;
            }
            if let Some(l) = lbl {
                cur_labelled = true;
                cfg.blocks[cur].label = true;
                // Every label at this offset names this block.
                for (k, off) in labels.iter().enumerate() {
                    if *off == Some(i) {
                        label_block[k] = Some(cur);
                    }
                }
                let _ = l;
            }
            cfg.blocks[cur].instrs.push(*ins);
        }
        // translate_jump_labels_to_targets
        for b in &mut cfg.blocks {
            for ins in &mut b.instrs {
                if ins.op.has_target() {
                    ins.target = label_block.get(ins.target).copied().flatten().unwrap_or(0);
                }
            }
        }
        cfg
    }

    fn reset_visited(&mut self) {
        for b in &mut self.blocks {
            b.visited = false;
        }
    }

    /// `label_exception_targets`: the handler of every instruction; YIELD_VALUE's oparg
    /// becomes the depth of the exception stack.
    fn label_exception_targets(&mut self) {
        self.reset_visited();
        let mut todo = vec![self.entry];
        self.blocks[self.entry].visited = true;
        self.blocks[self.entry].except_stack = Some(vec![usize::MAX]);
        while let Some(b) = todo.pop() {
            let mut stack = self.blocks[b]
                .except_stack
                .take()
                .unwrap_or_else(|| vec![usize::MAX]);
            let top = |s: &Vec<usize>| s.last().copied().filter(|&h| h != usize::MAX);
            let mut handler = top(&stack);
            let n = self.blocks[b].instrs.len();
            let mut stack_given_away = false;
            for i in 0..n {
                let ins = self.blocks[b].instrs[i];
                if ins.op.is_block_push() {
                    let t = ins.target;
                    if !self.blocks[t].visited {
                        self.blocks[t].except_stack = Some(stack.clone());
                        self.blocks[t].visited = true;
                        todo.push(t);
                    }
                    if matches!(ins.op, Op::SetupWith | Op::SetupCleanup) {
                        self.blocks[t].preserve_lasti = true;
                    }
                    stack.push(t);
                    handler = Some(t);
                } else if ins.op == Op::PopBlock {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                    handler = top(&stack);
                } else if ins.op.is_jump() {
                    self.blocks[b].instrs[i].except = handler;
                    let t = ins.target;
                    if !self.blocks[t].visited {
                        self.blocks[t].except_stack = Some(stack.clone());
                        self.blocks[t].visited = true;
                        todo.push(t);
                        if !self.blocks[b].has_fallthrough() {
                            stack_given_away = true;
                            break;
                        }
                    }
                } else {
                    if ins.op == Op::Real(Opcode::YIELD_VALUE) {
                        self.blocks[b].instrs[i].arg = u32::try_from(stack.len() - 1).unwrap_or(0);
                    }
                    self.blocks[b].instrs[i].except = handler;
                }
            }
            if stack_given_away {
                continue;
            }
            if self.blocks[b].has_fallthrough() {
                if let Some(nx) = self.blocks[b].next {
                    if !self.blocks[nx].visited {
                        self.blocks[nx].except_stack = Some(stack);
                        self.blocks[nx].visited = true;
                        todo.push(nx);
                    }
                }
            }
        }
    }

    /// `eliminate_empty_basic_blocks`.
    fn eliminate_empty_blocks(&mut self) {
        for b in self.order() {
            let mut next = self.blocks[b].next;
            while let Some(n) = next {
                if !self.blocks[n].instrs.is_empty() {
                    break;
                }
                next = self.blocks[n].next;
            }
            self.blocks[b].next = next;
        }
        while self.blocks[self.entry].instrs.is_empty() {
            match self.blocks[self.entry].next {
                Some(n) => self.entry = n,
                None => break,
            }
        }
        for b in self.order() {
            for i in 0..self.blocks[b].instrs.len() {
                let ins = self.blocks[b].instrs[i];
                if ins.op.has_target() {
                    let mut t = ins.target;
                    let mut guard = 0;
                    while self.blocks[t].instrs.is_empty() && guard <= self.blocks.len() {
                        guard += 1;
                        match self.blocks[t].next {
                            Some(n) => t = n,
                            None => break,
                        }
                    }
                    self.blocks[b].instrs[i].target = t;
                }
            }
        }
    }

    /// `inline_small_exit_blocks`: an unconditional jump to a short block that exits the
    /// scope is replaced by a copy of that block.
    fn inline_small_exit_blocks(&mut self, b: usize) {
        let Some(last) = self.blocks[b].last().copied() else {
            return;
        };
        if !last.op.is_unconditional_jump() {
            return;
        }
        let t = last.target;
        if self.blocks[t].exits_scope() && self.blocks[t].instrs.len() <= 4 {
            let copy = self.blocks[t].instrs.clone();
            if let Some(l) = self.blocks[b].instrs.last_mut() {
                l.op = Op::Real(Opcode::NOP);
                l.arg = 0;
            }
            self.blocks[b].instrs.extend(copy);
        }
    }

    /// `mark_reachable`: counts predecessors (a block pushed twice is scanned twice, as
    /// in CPython).
    fn mark_reachable(&mut self) {
        self.reset_visited();
        for b in &mut self.blocks {
            b.predecessors = 0;
        }
        self.blocks[self.entry].predecessors = 1;
        let mut stack = vec![self.entry];
        while let Some(b) = stack.pop() {
            self.blocks[b].visited = true;
            if self.blocks[b].has_fallthrough() {
                if let Some(n) = self.blocks[b].next {
                    if !self.blocks[n].visited {
                        stack.push(n);
                    }
                    self.blocks[n].predecessors += 1;
                }
            }
            for i in 0..self.blocks[b].instrs.len() {
                let ins = self.blocks[b].instrs[i];
                if ins.op.has_target() {
                    let t = ins.target;
                    if !self.blocks[t].visited {
                        stack.push(t);
                    }
                    self.blocks[t].predecessors += 1;
                }
            }
        }
    }

    /// `remove_redundant_jumps`.
    fn remove_redundant_jumps(&mut self) {
        for b in self.order() {
            let next = self.blocks[b].next;
            if let Some(last) = self.blocks[b].instrs.last_mut() {
                if last.op.is_unconditional_jump() && Some(last.target) == next {
                    last.op = Op::Real(Opcode::NOP);
                    last.arg = 0;
                }
            }
        }
    }

    /// `optimize_cfg`.
    fn optimize(&mut self, consts: &mut Vec<Constant>) {
        self.eliminate_empty_blocks();
        for b in self.order() {
            self.inline_small_exit_blocks(b);
        }
        for b in self.order() {
            self.optimize_basic_block(b, consts);
        }
        self.remove_redundant_nops_and_pairs();
        for b in self.order() {
            self.inline_small_exit_blocks(b);
        }
        self.mark_reachable();
        for b in self.order() {
            if self.blocks[b].predecessors == 0 {
                self.blocks[b].instrs.clear();
            }
        }
        for b in self.order() {
            self.remove_redundant_nops(b);
        }
        self.eliminate_empty_blocks();
        self.remove_redundant_jumps();
    }

    /// `remove_redundant_nops`: drop NOPs whose line is carried by a neighbour.
    fn remove_redundant_nops(&mut self, b: usize) {
        let mut next_first_line = None;
        let mut nb = self.blocks[b].next;
        while let Some(n) = nb {
            if let Some(first) = self.blocks[n].instrs.first() {
                next_first_line = Some(first.loc.line);
                break;
            }
            nb = self.blocks[n].next;
        }
        let instrs = &mut self.blocks[b].instrs;
        let mut out: Vec<Instr> = Vec::with_capacity(instrs.len());
        let mut prev_line = -1;
        let n = instrs.len();
        for src in 0..n {
            let ins = instrs[src];
            let line = ins.loc.line;
            if ins.op == Op::Real(Opcode::NOP) {
                if line < 0 || prev_line == line {
                    continue;
                }
                if src + 1 < n {
                    let next_line = instrs[src + 1].loc.line;
                    if next_line == line {
                        continue;
                    }
                    if next_line < 0 {
                        instrs[src + 1].loc = ins.loc;
                        continue;
                    }
                } else if next_first_line == Some(line) {
                    continue;
                }
            }
            out.push(ins);
            prev_line = line;
        }
        *instrs = out;
    }

    /// `remove_redundant_nops_and_pairs`: `LOAD_CONST; POP_TOP` and `COPY 1; POP_TOP`
    /// become NOPs, also across a block boundary the code falls through without a label,
    /// until nothing changes.
    fn remove_redundant_nops_and_pairs(&mut self) {
        let mut done = false;
        while !done {
            done = true;
            let mut instr: Option<(usize, usize)> = None;
            for b in self.order() {
                self.remove_redundant_nops(b);
                if self.blocks[b].label {
                    instr = None;
                }
                for i in 0..self.blocks[b].instrs.len() {
                    let prev = instr.replace((b, i));
                    if self.blocks[b].instrs[i].op != Op::Real(Opcode::POP_TOP) {
                        continue;
                    }
                    let Some((pb, pi)) = prev else { continue };
                    let p = self.blocks[pb].instrs[pi];
                    let pair = p.op == Op::Real(Opcode::LOAD_CONST)
                        || (p.op == Op::Real(Opcode::COPY) && p.arg == 1);
                    if pair {
                        set_nop(&mut self.blocks[pb].instrs[pi]);
                        set_nop(&mut self.blocks[b].instrs[i]);
                        done = false;
                    }
                }
                let last_jumps =
                    instr.is_some_and(|(ib, ii)| self.blocks[ib].instrs[ii].op.is_jump());
                if last_jumps || !self.blocks[b].has_fallthrough() {
                    instr = None;
                }
            }
        }
    }

    /// `optimize_basic_block`.
    fn optimize_basic_block(&mut self, b: usize, consts: &mut Vec<Constant>) {
        let nop_target = Op::Real(Opcode::NOP);
        let mut i = 0usize;
        let mut opcode = Op::Real(Opcode::NOP);
        let mut oparg = 0u32;
        let mut target_op = nop_target;
        let mut guard = 0usize;
        while i < self.blocks[b].instrs.len() {
            guard += 1;
            if guard > 100_000 {
                break;
            }
            let inst = self.blocks[b].instrs[i];
            let is_copy_of_load_const = opcode == Op::Real(Opcode::LOAD_CONST)
                && inst.op == Op::Real(Opcode::COPY)
                && inst.arg == 1;
            if !is_copy_of_load_const {
                opcode = inst.op;
                oparg = inst.arg;
                target_op = if inst.op.has_target() {
                    self.blocks[inst.target]
                        .instrs
                        .first()
                        .map_or(nop_target, |t| t.op)
                } else {
                    nop_target
                };
            }
            let len = self.blocks[b].instrs.len();
            let nextop = self.blocks[b].instrs.get(i + 1).map(|n| n.op);
            match opcode {
                Op::Real(Opcode::LOAD_CONST) => match nextop {
                    Some(Op::Real(Opcode::POP_JUMP_IF_FALSE))
                    | Some(Op::Real(Opcode::POP_JUMP_IF_TRUE)) => {
                        let truth = consts.get(oparg as usize).is_some_and(is_true);
                        let jump_if_true = nextop == Some(Op::Real(Opcode::POP_JUMP_IF_TRUE));
                        set_nop(&mut self.blocks[b].instrs[i]);
                        if truth == jump_if_true {
                            self.blocks[b].instrs[i + 1].op = Op::Jump;
                        } else {
                            set_nop(&mut self.blocks[b].instrs[i + 1]);
                        }
                    }
                    Some(Op::Real(Opcode::IS_OP))
                        if consts.get(oparg as usize) == Some(&Constant::None) && len > i + 2 =>
                    {
                        let is_arg = self.blocks[b].instrs[i + 1].arg;
                        let jump = self.blocks[b].instrs[i + 2].op;
                        let mut invert = is_arg != 0;
                        let ok = match jump {
                            Op::Real(Opcode::POP_JUMP_IF_FALSE) => {
                                invert = !invert;
                                true
                            }
                            Op::Real(Opcode::POP_JUMP_IF_TRUE) => true,
                            _ => false,
                        };
                        if ok {
                            set_nop(&mut self.blocks[b].instrs[i]);
                            set_nop(&mut self.blocks[b].instrs[i + 1]);
                            self.blocks[b].instrs[i + 2].op = Op::Real(if invert {
                                Opcode::POP_JUMP_IF_NOT_NONE
                            } else {
                                Opcode::POP_JUMP_IF_NONE
                            });
                        }
                    }
                    Some(Op::Real(Opcode::RETURN_VALUE)) => {
                        set_nop(&mut self.blocks[b].instrs[i]);
                        i += 1;
                        let r = &mut self.blocks[b].instrs[i];
                        r.op = Op::Real(Opcode::RETURN_CONST);
                        r.arg = oparg;
                    }
                    _ => {}
                },
                Op::Real(Opcode::BUILD_TUPLE) => {
                    let next = self.blocks[b].instrs.get(i + 1).copied();
                    if let Some(nx) = next {
                        if nx.op == Op::Real(Opcode::UNPACK_SEQUENCE) && nx.arg == oparg {
                            match oparg {
                                1 => {
                                    set_nop(&mut self.blocks[b].instrs[i]);
                                    set_nop(&mut self.blocks[b].instrs[i + 1]);
                                    i += 1;
                                    continue;
                                }
                                2 | 3 => {
                                    set_nop(&mut self.blocks[b].instrs[i]);
                                    self.blocks[b].instrs[i + 1].op = Op::Real(Opcode::SWAP);
                                    i += 1;
                                    continue;
                                }
                                _ => {}
                            }
                        }
                    }
                    let n = oparg as usize;
                    if i >= n {
                        self.fold_tuple_on_constants(b, i, n, consts);
                    }
                }
                Op::Real(Opcode::POP_JUMP_IF_NOT_NONE)
                | Op::Real(Opcode::POP_JUMP_IF_NONE)
                | Op::Real(Opcode::POP_JUMP_IF_FALSE)
                | Op::Real(Opcode::POP_JUMP_IF_TRUE)
                | Op::Jump
                    if target_op == Op::Jump && self.jump_thread(b, i, opcode) =>
                {
                    continue;
                }
                Op::Real(Opcode::SWAP) => {
                    if oparg == 1 {
                        set_nop(&mut self.blocks[b].instrs[i]);
                    } else {
                        i += super::swaps::swaptimize(&mut self.blocks[b].instrs[i..]);
                        self.apply_static_swaps(b, i);
                    }
                }
                Op::Real(Opcode::PUSH_NULL) => {
                    if let Some(nx) = self.blocks[b].instrs.get(i + 1).copied() {
                        // LOAD_GLOBAL's low bit pushes the NULL itself.
                        let global = NameArg::decode(nx.arg);
                        if nx.op == Op::Real(Opcode::LOAD_GLOBAL) && !global.flag {
                            set_nop(&mut self.blocks[b].instrs[i]);
                            self.blocks[b].instrs[i + 1].arg = NameArg {
                                flag: true,
                                ..global
                            }
                            .encode();
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// `jump_thread`: a jump to an unconditional jump goes straight to its target.
    fn jump_thread(&mut self, b: usize, i: usize, opcode: Op) -> bool {
        let inst = self.blocks[b].instrs[i];
        let Some(target) = self.blocks[inst.target].instrs.first().copied() else {
            return false;
        };
        if (inst.loc.line == target.loc.line || target.loc.line == -1)
            && inst.target != target.target
        {
            let ins = &mut self.blocks[b].instrs[i];
            ins.target = target.target;
            ins.op = opcode;
            return true;
        }
        false
    }

    /// `fold_tuple_on_constants`: LOAD_CONST × n; BUILD_TUPLE n → LOAD_CONST tuple.
    fn fold_tuple_on_constants(
        &mut self,
        b: usize,
        i: usize,
        n: usize,
        consts: &mut Vec<Constant>,
    ) {
        let instrs = &mut self.blocks[b].instrs;
        let start = i - n;
        if !instrs[start..i]
            .iter()
            .all(|x| x.op == Op::Real(Opcode::LOAD_CONST))
        {
            return;
        }
        let items: Vec<Constant> = instrs[start..i]
            .iter()
            .map(|x| {
                consts
                    .get(x.arg as usize)
                    .cloned()
                    .unwrap_or(Constant::None)
            })
            .collect();
        let c = Constant::Tuple(items.into());
        let key = const_key(&c);
        let index = match consts.iter().position(|x| const_key(x) == key) {
            Some(p) => p,
            None => {
                consts.push(c);
                consts.len() - 1
            }
        };
        for x in &mut instrs[start..i] {
            set_nop(x);
        }
        instrs[i].op = Op::Real(Opcode::LOAD_CONST);
        instrs[i].arg = u32::try_from(index).unwrap_or(0);
    }

    /// `apply_static_swaps`: a SWAP followed by stores/pops that can be reordered
    /// instead.
    fn apply_static_swaps(&mut self, b: usize, start: usize) {
        let swappable = |op: Op| {
            matches!(
                op,
                Op::Real(Opcode::STORE_FAST) | Op::StoreFastMaybeNull | Op::Real(Opcode::POP_TOP)
            )
        };
        let stores_to = |ins: &Instr| -> Option<u32> {
            matches!(
                ins.op,
                Op::Real(Opcode::STORE_FAST) | Op::StoreFastMaybeNull
            )
            .then_some(ins.arg)
        };
        let instrs = &mut self.blocks[b].instrs;
        let next_swappable = |instrs: &Vec<Instr>, mut i: usize, lineno: i32| -> Option<usize> {
            loop {
                i += 1;
                let ins = instrs.get(i)?;
                if lineno >= 0 && ins.loc.line != lineno {
                    return None;
                }
                if ins.op == Op::Real(Opcode::NOP) {
                    continue;
                }
                if swappable(ins.op) {
                    return Some(i);
                }
                return None;
            }
        };
        let mut i = start as isize;
        while i >= 0 {
            let iu = i as usize;
            let swap = instrs[iu];
            if swap.op != Op::Real(Opcode::SWAP) {
                if swap.op == Op::Real(Opcode::NOP) || swappable(swap.op) {
                    i -= 1;
                    continue;
                }
                return;
            }
            let Some(j) = next_swappable(instrs, iu, -1) else {
                return;
            };
            let mut k = j;
            let lineno = instrs[j].loc.line;
            for _ in 1..swap.arg {
                match next_swappable(instrs, k, lineno) {
                    Some(x) => k = x,
                    None => return,
                }
            }
            let sj = stores_to(&instrs[j]);
            let sk = stores_to(&instrs[k]);
            if sj.is_some() || sk.is_some() {
                if sj == sk {
                    return;
                }
                for ins in &instrs[j + 1..k] {
                    if let Some(s) = stores_to(ins) {
                        if Some(s) == sj || Some(s) == sk {
                            return;
                        }
                    }
                }
            }
            set_nop(&mut instrs[iu]);
            instrs.swap(j, k);
            i -= 1;
        }
    }

    /// `add_checks_for_loads_of_uninitialized_variables`: LOAD_FAST of a local that may be
    /// unbound becomes LOAD_FAST_CHECK.
    fn add_checks_for_uninitialized(&mut self, nlocals: usize, nparams: usize) {
        if nlocals == 0 {
            return;
        }
        let mut nlocals = nlocals;
        if nlocals > 64 {
            self.fast_scan_many_locals(nlocals);
            nlocals = 64;
        }
        for b in &mut self.blocks {
            b.unsafe_mask = 0;
            b.visited = false;
        }
        let mut stack = Vec::new();
        let mut start_mask = 0u64;
        for i in nparams..nlocals {
            start_mask |= 1u64 << i;
        }
        self.maybe_push(self.entry, start_mask, &mut stack);
        for b in self.order() {
            self.scan_block_for_locals(b, &mut stack);
        }
        while let Some(b) = stack.pop() {
            self.blocks[b].visited = false;
            self.scan_block_for_locals(b, &mut stack);
        }
    }

    fn maybe_push(&mut self, b: usize, mask: u64, stack: &mut Vec<usize>) {
        let both = self.blocks[b].unsafe_mask | mask;
        if self.blocks[b].unsafe_mask != both {
            self.blocks[b].unsafe_mask = both;
            if !self.blocks[b].visited {
                stack.push(b);
                self.blocks[b].visited = true;
            }
        }
    }

    fn scan_block_for_locals(&mut self, b: usize, stack: &mut Vec<usize>) {
        let mut mask = self.blocks[b].unsafe_mask;
        for i in 0..self.blocks[b].instrs.len() {
            let ins = self.blocks[b].instrs[i];
            if let Some(h) = ins.except {
                self.maybe_push(h, mask, stack);
            }
            if ins.arg >= 64 {
                continue;
            }
            let bit = 1u64 << ins.arg;
            match ins.op {
                Op::Real(Opcode::DELETE_FAST)
                | Op::Real(Opcode::LOAD_FAST_AND_CLEAR)
                | Op::StoreFastMaybeNull => mask |= bit,
                Op::Real(Opcode::STORE_FAST) | Op::Real(Opcode::LOAD_FAST_CHECK) => mask &= !bit,
                Op::Real(Opcode::LOAD_FAST) => {
                    if mask & bit != 0 {
                        self.blocks[b].instrs[i].op = Op::Real(Opcode::LOAD_FAST_CHECK);
                    }
                    mask &= !bit;
                }
                _ => {}
            }
        }
        if self.blocks[b].has_fallthrough() {
            if let Some(n) = self.blocks[b].next {
                self.maybe_push(n, mask, stack);
            }
        }
        if let Some(last) = self.blocks[b].last().copied() {
            if last.op.is_jump() {
                self.maybe_push(last.target, mask, stack);
            }
        }
    }

    /// `fast_scan_many_locals`: locals beyond the first 64 are checked per block only.
    fn fast_scan_many_locals(&mut self, nlocals: usize) {
        let mut states = vec![0usize; nlocals - 64];
        let mut blocknum = 0usize;
        for b in self.order() {
            blocknum += 1;
            for ins in &mut self.blocks[b].instrs {
                let arg = ins.arg as usize;
                if arg < 64 {
                    continue;
                }
                let Some(state) = states.get_mut(arg - 64) else {
                    continue;
                };
                match ins.op {
                    Op::Real(Opcode::DELETE_FAST)
                    | Op::Real(Opcode::LOAD_FAST_AND_CLEAR)
                    | Op::StoreFastMaybeNull => *state = blocknum - 1,
                    Op::Real(Opcode::STORE_FAST) => *state = blocknum,
                    Op::Real(Opcode::LOAD_FAST) => {
                        if *state != blocknum {
                            ins.op = Op::Real(Opcode::LOAD_FAST_CHECK);
                        }
                        *state = blocknum;
                    }
                    _ => {}
                }
            }
        }
    }

    /// `push_cold_blocks_to_end`: exception handlers (and what only they reach) go last.
    fn push_cold_blocks_to_end(&mut self) {
        if self.blocks[self.entry].next.is_none() {
            return;
        }
        self.mark_cold();
        for b in self.order() {
            let Some(next) = self.blocks[b].next else {
                continue;
            };
            if self.blocks[b].cold && self.blocks[b].has_fallthrough() && self.blocks[next].warm {
                let j = self.new_block();
                let mut jump = Instr::new(Op::Jump, 0, Loc::NONE);
                jump.target = next;
                self.blocks[j].instrs.push(jump);
                self.blocks[j].cold = true;
                self.blocks[j].next = Some(next);
                // A new block's predecessor count stays 0 (CPython does not recount),
                // so resolve_line_numbers gives neither it nor its target a line.
                self.blocks[j].predecessors = 0;
                self.blocks[b].next = Some(j);
            }
        }
        let mut cold_head: Option<usize> = None;
        let mut cold_tail: Option<usize> = None;
        let mut b = self.entry;
        loop {
            while let Some(n) = self.blocks[b].next {
                if self.blocks[n].cold {
                    break;
                }
                b = n;
            }
            let Some(start) = self.blocks[b].next else {
                break;
            };
            let mut end = start;
            while let Some(n) = self.blocks[end].next {
                if !self.blocks[n].cold {
                    break;
                }
                end = n;
            }
            match cold_tail {
                None => cold_head = Some(start),
                Some(t) => self.blocks[t].next = Some(start),
            }
            cold_tail = Some(end);
            self.blocks[b].next = self.blocks[end].next;
            self.blocks[end].next = None;
        }
        self.blocks[b].next = cold_head;
        if cold_head.is_some() {
            self.remove_redundant_jumps();
        }
    }

    fn mark_cold(&mut self) {
        // mark_warm: everything reachable from the entry without exceptions.
        self.reset_visited();
        let mut stack = vec![self.entry];
        self.blocks[self.entry].visited = true;
        while let Some(b) = stack.pop() {
            self.blocks[b].warm = true;
            if self.blocks[b].has_fallthrough() {
                if let Some(n) = self.blocks[b].next {
                    if !self.blocks[n].visited {
                        self.blocks[n].visited = true;
                        stack.push(n);
                    }
                }
            }
            for ins in self.blocks[b].instrs.clone() {
                if ins.op.is_jump() && !self.blocks[ins.target].visited {
                    self.blocks[ins.target].visited = true;
                    stack.push(ins.target);
                }
            }
        }
        self.reset_visited();
        let mut stack = Vec::new();
        for b in self.order() {
            if self.blocks[b].except_handler {
                stack.push(b);
                self.blocks[b].visited = true;
            }
        }
        while let Some(b) = stack.pop() {
            self.blocks[b].cold = true;
            if self.blocks[b].has_fallthrough() {
                if let Some(n) = self.blocks[b].next {
                    if !self.blocks[n].warm && !self.blocks[n].visited {
                        self.blocks[n].visited = true;
                        stack.push(n);
                    }
                }
            }
            for ins in self.blocks[b].instrs.clone() {
                if ins.op.is_jump() {
                    let t = ins.target;
                    if !self.blocks[t].warm && !self.blocks[t].visited {
                        self.blocks[t].visited = true;
                        stack.push(t);
                    }
                }
            }
        }
    }

    fn is_exit_without_lineno(&self, b: usize) -> bool {
        self.blocks[b].exits_scope() && self.blocks[b].instrs.iter().all(|i| i.loc.line < 0)
    }

    /// `duplicate_exits_without_lineno`, `propagate_line_numbers`,
    /// `guarantee_lineno_for_exits`.
    fn resolve_line_numbers(&mut self, firstlineno: i32) {
        for b in self.order() {
            let Some(last) = self.blocks[b].last().copied() else {
                continue;
            };
            if last.op.is_jump() {
                let t = last.target;
                if self.is_exit_without_lineno(t) && self.blocks[t].predecessors > 1 {
                    let nb = self.new_block();
                    let mut copy = self.blocks[t].instrs.clone();
                    if let Some(first) = copy.first_mut() {
                        first.loc = last.loc;
                    }
                    self.blocks[nb].instrs = copy;
                    self.blocks[nb].predecessors = 1;
                    self.blocks[nb].next = self.blocks[t].next;
                    self.blocks[nb].cold = self.blocks[t].cold;
                    self.blocks[t].next = Some(nb);
                    self.blocks[t].predecessors -= 1;
                    if let Some(l) = self.blocks[b].instrs.last_mut() {
                        l.target = nb;
                    }
                }
            }
        }
        for b in self.order() {
            if self.blocks[b].has_fallthrough() && !self.blocks[b].instrs.is_empty() {
                if let Some(n) = self.blocks[b].next {
                    if self.is_exit_without_lineno(n) {
                        let loc = self.blocks[b].last().map_or(Loc::NONE, |l| l.loc);
                        if let Some(first) = self.blocks[n].instrs.first_mut() {
                            first.loc = loc;
                        }
                    }
                }
            }
        }
        // propagate_line_numbers
        for b in self.order() {
            let Some(last) = self.blocks[b].last().copied() else {
                continue;
            };
            let mut prev = Loc::NONE;
            for ins in &mut self.blocks[b].instrs {
                if ins.loc.line < 0 {
                    ins.loc = prev;
                } else {
                    prev = ins.loc;
                }
            }
            if self.blocks[b].has_fallthrough() {
                if let Some(n) = self.blocks[b].next {
                    if self.blocks[n].predecessors == 1 {
                        if let Some(first) = self.blocks[n].instrs.first_mut() {
                            if first.loc.line < 0 {
                                first.loc = prev;
                            }
                        }
                    }
                }
            }
            if last.op.is_jump() {
                let t = last.target;
                if self.blocks[t].predecessors == 1 {
                    if let Some(first) = self.blocks[t].instrs.first_mut() {
                        if first.loc.line < 0 {
                            first.loc = prev;
                        }
                    }
                }
            }
        }
        // guarantee_lineno_for_exits
        let mut lineno = firstlineno;
        for b in self.order() {
            let Some(last) = self.blocks[b].last().copied() else {
                continue;
            };
            if last.loc.line < 0 {
                if last.op == Op::Real(Opcode::RETURN_VALUE) {
                    for ins in &mut self.blocks[b].instrs {
                        ins.loc.line = lineno;
                    }
                }
            } else {
                lineno = last.loc.line;
            }
        }
    }

    /// `_PyCfg_Stackdepth`: also records each block's start depth for the exception table.
    fn stackdepth(&mut self, generator: bool) -> Result<u32, CompileError> {
        for b in &mut self.blocks {
            b.startdepth = i64::MIN;
        }
        let mut stack = Vec::new();
        let mut maxdepth: i64 = 0;
        let push = |blocks: &mut Vec<Block>, stack: &mut Vec<usize>, b: usize, depth: i64| {
            if blocks[b].startdepth < depth && blocks[b].startdepth < 100 {
                blocks[b].startdepth = depth;
                stack.push(b);
            }
        };
        push(
            &mut self.blocks,
            &mut stack,
            self.entry,
            i64::from(generator),
        );
        while let Some(b) = stack.pop() {
            let mut depth = self.blocks[b].startdepth;
            let mut next = self.blocks[b].next;
            for ins in self.blocks[b].instrs.clone() {
                let new_depth = depth + ins.op.stack_effect(ins.arg, false);
                if new_depth < 0 {
                    return Err(super::unsupported(
                        "code whose stack depth goes negative (compiler bug)",
                        ins.loc,
                    ));
                }
                maxdepth = maxdepth.max(new_depth);
                if ins.op.has_target() {
                    let target_depth = depth + ins.op.stack_effect(ins.arg, true);
                    maxdepth = maxdepth.max(target_depth);
                    push(&mut self.blocks, &mut stack, ins.target, target_depth);
                }
                depth = new_depth;
                if ins.op.is_unconditional_jump() || ins.op.is_scope_exit() {
                    next = None;
                    break;
                }
            }
            if let Some(n) = next {
                push(&mut self.blocks, &mut stack, n, depth);
            }
        }
        Ok(u32::try_from(maxdepth).unwrap_or(u32::MAX))
    }

    /// `normalize_jumps`: JUMP becomes JUMP_FORWARD/JUMP_BACKWARD; a backward conditional
    /// jump becomes the inverted forward jump over a JUMP_BACKWARD.
    fn normalize_jumps(&mut self) {
        self.reset_visited();
        let mut b = Some(self.entry);
        while let Some(bi) = b {
            self.blocks[bi].visited = true;
            if let Some(last) = self.blocks[bi].last().copied() {
                if last.op.is_jump() {
                    let forward = !self.blocks[last.target].visited;
                    let new_op = match last.op {
                        Op::Jump => Some(if forward {
                            Opcode::JUMP_FORWARD
                        } else {
                            Opcode::JUMP_BACKWARD
                        }),
                        Op::JumpNoInterrupt => Some(if forward {
                            Opcode::JUMP_FORWARD
                        } else {
                            Opcode::JUMP_BACKWARD_NO_INTERRUPT
                        }),
                        _ => None,
                    };
                    if let Some(op) = new_op {
                        if let Some(l) = self.blocks[bi].instrs.last_mut() {
                            l.op = Op::Real(op);
                        }
                    } else if !forward {
                        let reversed = match last.op {
                            Op::Real(Opcode::POP_JUMP_IF_NOT_NONE) => {
                                Some(Opcode::POP_JUMP_IF_NONE)
                            }
                            Op::Real(Opcode::POP_JUMP_IF_NONE) => {
                                Some(Opcode::POP_JUMP_IF_NOT_NONE)
                            }
                            Op::Real(Opcode::POP_JUMP_IF_FALSE) => Some(Opcode::POP_JUMP_IF_TRUE),
                            Op::Real(Opcode::POP_JUMP_IF_TRUE) => Some(Opcode::POP_JUMP_IF_FALSE),
                            _ => None,
                        };
                        if let (Some(rev), Some(next)) = (reversed, self.blocks[bi].next) {
                            let j = self.new_block();
                            let mut jump = Instr::new(Op::Jump, 0, last.loc);
                            jump.target = last.target;
                            self.blocks[j].instrs.push(jump);
                            self.blocks[j].cold = self.blocks[bi].cold;
                            self.blocks[j].next = Some(next);
                            self.blocks[bi].next = Some(j);
                            if let Some(l) = self.blocks[bi].instrs.last_mut() {
                                l.op = Op::Real(rev);
                                l.target = next;
                            }
                        }
                    }
                }
            }
            b = self.blocks[bi].next;
        }
    }
}

fn set_nop(i: &mut Instr) {
    i.op = Op::Real(Opcode::NOP);
    i.arg = 0;
}

/// `remove_unused_consts`: constants no instruction uses are dropped (index 0 stays: it
/// may be the docstring).
fn remove_unused_consts(cfg: &mut Cfg, consts: &mut Vec<Constant>) {
    if consts.is_empty() {
        return;
    }
    let mut used = vec![false; consts.len()];
    used[0] = true;
    for b in cfg.order() {
        for ins in &cfg.blocks[b].instrs {
            if has_const(ins.op) {
                if let Some(u) = used.get_mut(ins.arg as usize) {
                    *u = true;
                }
            }
        }
    }
    let mut map = vec![0u32; consts.len()];
    let mut out = Vec::new();
    for (i, c) in consts.iter().enumerate() {
        if used[i] {
            map[i] = u32::try_from(out.len()).unwrap_or(0);
            out.push(c.clone());
        }
    }
    *consts = out;
    for b in &mut cfg.blocks {
        for ins in &mut b.instrs {
            if has_const(ins.op) {
                ins.arg = map.get(ins.arg as usize).copied().unwrap_or(0);
            }
        }
    }
}

fn has_const(op: Op) -> bool {
    matches!(
        op,
        Op::Real(Opcode::LOAD_CONST) | Op::Real(Opcode::RETURN_CONST) | Op::Real(Opcode::KW_NAMES)
    )
}

fn is_deref(op: Op) -> bool {
    matches!(
        op,
        Op::Real(Opcode::MAKE_CELL)
            | Op::Real(Opcode::LOAD_CLOSURE)
            | Op::Real(Opcode::LOAD_DEREF)
            | Op::Real(Opcode::STORE_DEREF)
            | Op::Real(Opcode::DELETE_DEREF)
            | Op::Real(Opcode::LOAD_FROM_DICT_OR_DEREF)
    )
}

/// The localsplus layout (`compute_localsplus_info`): names, kinds, and the map from
/// cell/free index to localsplus slot (`build_cellfixedoffsets` + `fix_cell_offsets`).
fn localsplus(unit: &Unit) -> (Vec<Rc<str>>, Vec<u8>, Vec<u32>) {
    let varnames: &NameList = &unit.varnames;
    let nlocals = varnames.len();
    let mut names: Vec<Rc<str>> = varnames
        .names
        .iter()
        .map(|n| Rc::from(n.as_str()))
        .collect();
    let mut kinds_out: Vec<u8> = varnames
        .names
        .iter()
        .map(|n| {
            let mut k = kinds::CO_FAST_LOCAL;
            if unit.fasthidden.contains_key(n) {
                k |= kinds::CO_FAST_HIDDEN;
            }
            if unit.cellvars.get(n).is_some() {
                k |= kinds::CO_FAST_CELL;
            }
            k
        })
        .collect();
    let mut fixed = Vec::new();
    let mut dropped = 0usize;
    for n in &unit.cellvars.names {
        if let Some(i) = varnames.get(n) {
            fixed.push(i);
            dropped += 1;
        } else {
            fixed.push(u32::try_from(names.len()).unwrap_or(0));
            names.push(Rc::from(n.as_str()));
            kinds_out.push(kinds::CO_FAST_CELL);
        }
    }
    let _ = (nlocals, dropped);
    for n in &unit.freevars.names {
        fixed.push(u32::try_from(names.len()).unwrap_or(0));
        names.push(Rc::from(n.as_str()));
        kinds_out.push(kinds::CO_FAST_FREE);
    }
    (names, kinds_out, fixed)
}

/// `optimize_and_assemble_code_unit`.
pub(crate) fn optimize_and_assemble(
    unit: Unit,
    flags: u32,
    nparams: usize,
    filename: Rc<str>,
    cache: &mut super::fold::ConstCache,
) -> Result<Rc<CodeObject>, CompileError> {
    let mut consts = unit.consts.clone();
    let mut cfg = Cfg::from_sequence(&unit.instrs, &unit.labels);
    for b in 0..cfg.blocks.len() {
        for i in 0..cfg.blocks[b].instrs.len() {
            let ins = cfg.blocks[b].instrs[i];
            if ins.op.is_block_push() {
                cfg.blocks[ins.target].except_handler = true;
            }
        }
    }
    cfg.label_exception_targets();
    cfg.optimize(&mut consts);
    remove_unused_consts(&mut cfg, &mut consts);
    // The module's constant cache: an equal constant compiled before (in any code object
    // of the module) is that same object.
    for c in &mut consts {
        *c = cache.merge(c);
    }
    cfg.add_checks_for_uninitialized(unit.varnames.len(), nparams);
    // `_PyCfg_OptimizeCodeUnit`'s order: cold blocks move first, then line numbers are
    // resolved (the explicit jumps push_cold_blocks_to_end adds have no location).
    cfg.push_cold_blocks_to_end();
    cfg.resolve_line_numbers(unit.firstlineno);

    // prepare_localsplus: insert_prefix_instructions + fix_cell_offsets.
    let (names, kinds_out, fixed) = localsplus(&unit);
    // Generators, coroutines and async generators all start with RETURN_GENERATOR.
    let generator = flags
        & (crate::code::flags::CO_GENERATOR
            | crate::code::flags::CO_COROUTINE
            | crate::code::flags::CO_ASYNC_GENERATOR)
        != 0;
    let entry = cfg.entry;
    let mut prefix = Vec::new();
    let ncells = unit.cellvars.len();
    let nfree = unit.freevars.len();
    if nfree > 0 {
        prefix.push(Instr::new(
            Op::Real(Opcode::COPY_FREE_VARS),
            u32::try_from(nfree).unwrap_or(0),
            Loc::NONE,
        ));
    }
    // MAKE_CELL in localsplus order.
    let mut cells: Vec<(u32, u32)> = (0..ncells)
        .map(|i| (fixed[i], u32::try_from(i).unwrap_or(0)))
        .collect();
    cells.sort();
    for (_, old) in cells {
        prefix.push(Instr::new(Op::Real(Opcode::MAKE_CELL), old, Loc::NONE));
    }
    if generator {
        let l = unit.firstlineno;
        prefix.push(Instr::new(
            Op::Real(Opcode::RETURN_GENERATOR),
            0,
            Loc {
                line: l,
                end_line: l,
                col: -1,
                end_col: -1,
            },
        ));
        prefix.push(Instr::new(Op::Real(Opcode::POP_TOP), 0, Loc::NONE));
    }
    let mut body = std::mem::take(&mut cfg.blocks[entry].instrs);
    prefix.append(&mut body);
    cfg.blocks[entry].instrs = prefix;
    for b in &mut cfg.blocks {
        for ins in &mut b.instrs {
            if is_deref(ins.op) {
                ins.arg = fixed.get(ins.arg as usize).copied().unwrap_or(ins.arg);
            }
        }
    }

    let maxdepth = cfg.stackdepth(generator)?;

    // _PyCfg_ConvertPseudoOps
    for b in cfg.order() {
        for ins in &mut cfg.blocks[b].instrs {
            if ins.op.is_block_push() || ins.op == Op::PopBlock {
                set_nop(ins);
            } else if ins.op == Op::StoreFastMaybeNull {
                ins.op = Op::Real(Opcode::STORE_FAST);
            }
        }
    }
    for b in cfg.order() {
        cfg.remove_redundant_nops(b);
    }
    cfg.normalize_jumps();

    assemble::assemble(assemble::Input {
        cfg: &cfg,
        consts,
        names: unit
            .names
            .names
            .iter()
            .map(|n| Rc::from(n.as_str()))
            .collect(),
        localsplusnames: names,
        localspluskinds: kinds_out,
        name: Rc::from(unit.name.as_str()),
        qualname: Rc::from(unit.qualname.as_str()),
        filename,
        firstlineno: unit.firstlineno,
        argcount: unit.argcount + unit.posonlyargcount,
        posonlyargcount: unit.posonlyargcount,
        kwonlyargcount: unit.kwonlyargcount,
        flags,
        stacksize: maxdepth,
    })
}
