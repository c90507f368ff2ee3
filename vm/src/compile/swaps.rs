//! `swaptimize` of CPython 3.12's `Python/flowgraph.c`: a run of SWAPs (and NOPs) is
//! replaced by the fewest SWAPs with the same effect. Pattern matching is its main
//! producer: captures are rotated under the stack with chains of SWAPs that often
//! cancel out.

use super::{Instr, Op};
use crate::opcode::Opcode;

/// Rewrites the run of SWAPs and NOPs starting at `instrs[0]` (a SWAP) in place and
/// returns how far the caller should advance (`*ix += len - 1` in CPython), so that it
/// continues at the run's last instruction.
pub(crate) fn swaptimize(instrs: &mut [Instr]) -> usize {
    let swap = Op::Real(Opcode::SWAP);
    let nop = Op::Real(Opcode::NOP);
    let Some(first) = instrs.first() else {
        return 0;
    };
    let mut depth = first.arg as usize;
    let mut len = 1;
    let mut more = false;
    while let Some(ins) = instrs.get(len) {
        if ins.op == swap {
            depth = depth.max(ins.arg as usize);
            more = true;
        } else if ins.op != nop {
            break;
        }
        len += 1;
    }
    // Already optimal with one SWAP.
    if !more {
        return 0;
    }
    // Simulate the run on the stack [0, 1, …, depth-1] (index 0 is the top).
    let mut stack: Vec<Option<usize>> = (0..depth).map(Some).collect();
    for ins in &instrs[..len] {
        if ins.op == swap {
            let k = (ins.arg as usize).saturating_sub(1);
            if k < depth {
                stack.swap(0, k);
            }
        }
    }
    // Un-shuffle cycle by cycle, writing the SWAPs from the end of the run backwards
    // (each rewritten instruction keeps its location); what is left becomes NOPs.
    let mut current = len;
    for i in 0..depth {
        if stack[i].is_none() || stack[i] == Some(i) {
            continue;
        }
        let mut j = i;
        loop {
            // Swapping the top with itself would be pointless.
            if j != 0 {
                current -= 1;
                instrs[current].op = swap;
                instrs[current].arg = u32::try_from(j + 1).unwrap_or(u32::MAX);
            }
            match stack[j].take() {
                None => break,
                Some(next) => j = next,
            }
        }
    }
    for ins in &mut instrs[..current] {
        ins.op = nop;
        ins.arg = 0;
    }
    len - 1
}
