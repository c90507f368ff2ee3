//! `frame.f_lineno = N` from a trace function: the jump (CPython 3.12 `frame_setlineno`
//! in Objects/frameobject.c). spec: tracing.f_lineno.jump
//!
//! A jump is allowed only while a trace function handles a `line` event (or the `call`
//! of a resumed generator, or the `return` of a yield) of the frame being set. The target
//! is the first line at or after `N` that starts somewhere in the code; of the places it
//! starts, the one whose value stack is compatible with the current one and deepest wins.
//! Stacks are modelled as CPython models them (`mark_stacks`): each entry a [`Kind`], three
//! bits per entry packed into an `i64`, so the stack limits and the error messages are
//! CPython's own. The values above the target's depth are popped (an exception of an
//! `except` block being left becomes the handled exception again), unbound locals become
//! None with a RuntimeWarning, and the frame goes on at the target.

use std::rc::Rc;

use crate::code::CodeObject;
use crate::opcode::Opcode;

use super::frame::FrameObject;
use super::interp::Vm;
use super::object::Value;
use super::trace::What;
use super::PyResult;

/// What a value-stack entry is, as far as jumps care (`Kind` in frameobject.c).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(i64)]
enum Kind {
    Iterator = 1,
    Except = 2,
    Object = 3,
    Null = 4,
    Lasti = 5,
}

const BITS_PER_BLOCK: u32 = 3;
const MASK: i64 = (1 << BITS_PER_BLOCK) - 1;
const UNINITIALIZED: i64 = -2;
const OVERFLOWED: i64 = -1;
const EMPTY_STACK: i64 = 0;
const MAX_STACK_ENTRIES: u32 = 63 / BITS_PER_BLOCK;
const WILL_OVERFLOW: u64 = 1 << ((MAX_STACK_ENTRIES - 1) * BITS_PER_BLOCK);

fn push_value(stack: i64, kind: Kind) -> i64 {
    if stack as u64 >= WILL_OVERFLOW {
        OVERFLOWED
    } else {
        (stack << BITS_PER_BLOCK) | kind as i64
    }
}

/// An arithmetic shift, as `Py_ARITHMETIC_RIGHT_SHIFT`: the markers stay negative.
fn pop_value(stack: i64) -> i64 {
    stack >> BITS_PER_BLOCK
}

fn top_of_stack(stack: i64) -> i64 {
    stack & MASK
}

fn peek(stack: i64, n: u32) -> i64 {
    (stack >> (BITS_PER_BLOCK * n.saturating_sub(1)).min(63)) & MASK
}

/// SWAP's model. CPython declares `stack_swap` to return a `Kind`, an enum the C compiler
/// makes a 32-bit unsigned int, so a stack of more than ten entries loses its deeper
/// entries here; the same truncation keeps the verdicts CPython's.
fn stack_swap(stack: i64, n: u32) -> i64 {
    let to_swap = peek(stack, n);
    let top = top_of_stack(stack);
    let shift = (BITS_PER_BLOCK * n.saturating_sub(1)).min(63);
    let replaced_low = (stack & !(MASK << shift)) | (top << shift);
    let replaced_top = (replaced_low & !MASK) | to_swap;
    i64::from(replaced_top as u32)
}

fn pop_to_level(mut stack: i64, level: usize) -> i64 {
    if level == 0 {
        return EMPTY_STACK;
    }
    let shift = ((level - 1) as u32 * BITS_PER_BLOCK).min(63);
    let level_max_stack = MASK.checked_shl(shift).unwrap_or(i64::MAX);
    while stack > level_max_stack {
        stack = pop_value(stack);
    }
    stack
}

fn kind_of(bits: i64) -> Option<Kind> {
    Some(match bits {
        1 => Kind::Iterator,
        2 => Kind::Except,
        3 => Kind::Object,
        4 => Kind::Null,
        5 => Kind::Lasti,
        _ => return None,
    })
}

fn compatible_kind(from: i64, to: i64) -> bool {
    match kind_of(to) {
        None => false,
        Some(Kind::Object) => kind_of(from) != Some(Kind::Null),
        Some(Kind::Null) => true,
        Some(_) => from == to,
    }
}

fn compatible_stack(mut from: i64, mut to: i64) -> bool {
    if from < 0 || to < 0 {
        return false;
    }
    while from > to {
        from = pop_value(from);
    }
    while from != 0 {
        if !compatible_kind(top_of_stack(from), top_of_stack(to)) {
            return false;
        }
        from = pop_value(from);
        to = pop_value(to);
    }
    to == 0
}

fn explain_incompatible_stack(to: i64) -> &'static str {
    if to == OVERFLOWED {
        return "stack is too deep to analyze";
    }
    if to == UNINITIALIZED {
        return "can't jump into an exception handler, or code may be unreachable";
    }
    match kind_of(top_of_stack(to)) {
        Some(Kind::Except) => "can't jump into an 'except' block as there's no exception",
        Some(Kind::Lasti) => "can't jump into a re-raising block as there's no location",
        Some(Kind::Iterator) => "can't jump into the body of a for loop",
        _ => "incompatible stacks",
    }
}

/// The stack before each code unit (`mark_stacks`): the instructions in order, again while
/// a backward jump or an exception handler reached a unit not seen yet. `None` for code
/// the VM cannot decode.
fn mark_stacks(code: &CodeObject) -> Option<Vec<i64>> {
    let len = code.len_units();
    let mut stacks = vec![UNINITIALIZED; len + 1];
    stacks[0] = EMPTY_STACK;
    // CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR: a generator is sent None to start.
    if code.co_flags & (0x20 | 0x80 | 0x200) != 0 {
        stacks[0] = push_value(stacks[0], Kind::Object);
    }
    let bytes = &code.co_code;
    let unit = |i: usize| -> Option<(Opcode, u32)> {
        let op = Opcode::from_u8(*bytes.get(2 * i)?)?;
        Some((op, u32::from(*bytes.get(2 * i + 1)?)))
    };
    let set = |stacks: &mut Vec<i64>, j: usize, v: i64| {
        if let Some(s) = stacks.get_mut(j) {
            *s = v;
        }
    };
    let mut todo = true;
    while todo {
        todo = false;
        let mut i = 0;
        while i < len {
            let mut next_stack = stacks[i];
            let (mut opcode, mut arg) = unit(i)?;
            let mut oparg = 0u32;
            while opcode == Opcode::EXTENDED_ARG {
                oparg = (oparg << 8) | arg;
                i += 1;
                (opcode, arg) = unit(i)?;
                set(&mut stacks, i, next_stack);
            }
            let next_i = i + opcode.cache_entries() + 1;
            if next_stack == UNINITIALIZED {
                i = next_i;
                continue;
            }
            let oparg = (oparg << 8) | arg;
            let target = crate::code::jump_target(opcode, i, oparg);
            use Opcode as O;
            match opcode {
                O::POP_JUMP_IF_FALSE
                | O::POP_JUMP_IF_TRUE
                | O::POP_JUMP_IF_NONE
                | O::POP_JUMP_IF_NOT_NONE => {
                    next_stack = pop_value(next_stack);
                    if let Some(j) = target {
                        set(&mut stacks, j, next_stack);
                    }
                    set(&mut stacks, next_i, next_stack);
                }
                O::SEND => {
                    if let Some(j) = target {
                        set(&mut stacks, j, next_stack);
                    }
                    set(&mut stacks, next_i, next_stack);
                }
                O::JUMP_FORWARD => {
                    if let Some(j) = target {
                        set(&mut stacks, j, next_stack);
                    }
                }
                O::JUMP_BACKWARD | O::JUMP_BACKWARD_NO_INTERRUPT => {
                    if let Some(j) = target {
                        if stacks.get(j) == Some(&UNINITIALIZED) && j < i {
                            todo = true;
                        }
                        set(&mut stacks, j, next_stack);
                    }
                }
                O::GET_ITER | O::GET_AITER => {
                    next_stack = push_value(pop_value(next_stack), Kind::Iterator);
                    set(&mut stacks, next_i, next_stack);
                }
                O::FOR_ITER => {
                    // The exhausted iterator's jump lands on END_FOR with the stack of the
                    // loop body's start (END_FOR pops both).
                    let target_stack = push_value(next_stack, Kind::Object);
                    set(&mut stacks, next_i, target_stack);
                    if let Some(j) = target {
                        set(&mut stacks, j, target_stack);
                    }
                }
                O::END_ASYNC_FOR => {
                    next_stack = pop_value(pop_value(next_stack));
                    set(&mut stacks, next_i, next_stack);
                }
                O::PUSH_EXC_INFO => {
                    next_stack = push_value(next_stack, Kind::Except);
                    set(&mut stacks, next_i, next_stack);
                }
                O::POP_EXCEPT => {
                    next_stack = pop_value(next_stack);
                    set(&mut stacks, next_i, next_stack);
                }
                O::RETURN_VALUE | O::RETURN_CONST | O::RAISE_VARARGS | O::RERAISE => {}
                O::PUSH_NULL => {
                    next_stack = push_value(next_stack, Kind::Null);
                    set(&mut stacks, next_i, next_stack);
                }
                O::LOAD_GLOBAL => {
                    if oparg & 1 == 1 {
                        next_stack = push_value(next_stack, Kind::Null);
                    }
                    next_stack = push_value(next_stack, Kind::Object);
                    set(&mut stacks, next_i, next_stack);
                }
                O::LOAD_ATTR => {
                    if oparg & 1 == 1 {
                        next_stack = pop_value(next_stack);
                        next_stack = push_value(next_stack, Kind::Null);
                        next_stack = push_value(next_stack, Kind::Object);
                    }
                    set(&mut stacks, next_i, next_stack);
                }
                O::CALL => {
                    for _ in 0..u64::from(oparg) + 2 {
                        next_stack = pop_value(next_stack);
                    }
                    next_stack = push_value(next_stack, Kind::Object);
                    set(&mut stacks, next_i, next_stack);
                }
                O::SWAP => {
                    next_stack = stack_swap(next_stack, oparg);
                    set(&mut stacks, next_i, next_stack);
                }
                O::COPY => {
                    let kind = kind_of(peek(next_stack, oparg)).unwrap_or(Kind::Object);
                    next_stack = push_value(next_stack, kind);
                    set(&mut stacks, next_i, next_stack);
                }
                _ => {
                    let (popped, pushed) = opcode.stack_effect(oparg);
                    let delta = i64::from(pushed) - i64::from(popped);
                    for _ in delta..0 {
                        next_stack = pop_value(next_stack);
                    }
                    for _ in 0..delta {
                        next_stack = push_value(next_stack, Kind::Object);
                    }
                    set(&mut stacks, next_i, next_stack);
                }
            }
            i = next_i;
        }
        for e in code.exception_entries() {
            let Some(&at_start) = stacks.get(e.start) else {
                continue;
            };
            if at_start != UNINITIALIZED && stacks.get(e.target) == Some(&UNINITIALIZED) {
                todo = true;
                let mut target_stack = pop_to_level(at_start, e.depth);
                if e.lasti {
                    target_stack = push_value(target_stack, Kind::Lasti);
                }
                target_stack = push_value(target_stack, Kind::Except);
                set(&mut stacks, e.target, target_stack);
            }
        }
    }
    Some(stacks)
}

/// The line each code unit starts, where a line starts (`marklines`): the first unit of
/// each run of a line in the line table, -1 elsewhere.
fn marklines(lines: &[Option<u32>]) -> Vec<i64> {
    let mut last = -1;
    lines
        .iter()
        .map(|l| match l {
            Some(l) if i64::from(*l) != last => {
                last = i64::from(*l);
                last
            }
            _ => -1,
        })
        .collect()
}

/// Where a resumed generator goes on after its `f_lineno` was set at its yield event:
/// CPython 3.12 resumes one code unit past the target (`prev_instr + 1`), into the middle
/// of an instruction, and crashes; the VM stops there as unsupported instead.
pub const AFTER_JUMP_AT_YIELD: usize = usize::MAX;

/// `frame.f_lineno = value` (`frame_setlineno`).
pub fn set_lineno(vm: &mut Vm, fo: &Rc<FrameObject>, value: &Value) -> PyResult<()> {
    // PyLong_CheckExact: a bool or an int subclass is refused.
    if !matches!(value, Value::Int(_) | Value::BigInt(_)) {
        return Err(vm.value_error("lineno must be an integer"));
    }
    let Some(what) = vm.trace.what_event else {
        return Err(vm.value_error("f_lineno can only be set in a trace function"));
    };
    match what {
        What::PyResume | What::Jump | What::Branch | What::Line | What::PyYield => {}
        What::PyStart => {
            return Err(vm.value_error("can't jump from the 'call' trace event of a new frame"))
        }
        What::Call | What::CReturn => return Err(vm.value_error("can't jump during a call")),
        What::PyReturn
        | What::PyUnwind
        | What::PyThrow
        | What::Raise
        | What::CRaise
        | What::Instruction
        | What::ExceptionHandled => {
            return Err(vm.value_error("can only jump from a 'line' trace event"));
        }
        What::StopIteration | What::Reraise => {
            return Err(vm.err("SystemError", "unexpected event type"));
        }
    }
    // PyLong_AsLongAndOverflow, then the C int range.
    let requested = match super::int::as_i64_exact(value).and_then(|n| i32::try_from(n).ok()) {
        Some(n) => i64::from(n),
        None => return Err(vm.value_error("lineno out of range")),
    };
    let Some(index) = vm.stack_index(fo) else {
        return Err(vm.unsupported("setting f_lineno of a frame that is not running"));
    };
    if vm.trace.event_frame != Some(fo.serial) {
        return Err(vm.unsupported(
            "setting f_lineno of a frame other than the one whose event is being traced",
        ));
    }
    let f = &vm.frames[index];
    let info = f.info.clone();
    let code = &info.code;
    if requested < i64::from(code.co_firstlineno) {
        return Err(vm.value_error(format!(
            "line {requested} comes before the current code block"
        )));
    }
    let lines = marklines(&info.lines);
    let Some(new_lineno) = lines.iter().copied().filter(|&l| l >= requested).min() else {
        return Err(vm.value_error(format!(
            "line {requested} comes after the current code block"
        )));
    };
    let Some(stacks) = mark_stacks(code) else {
        return Err(vm.unsupported("setting f_lineno in code with an undecodable instruction"));
    };
    let lasti = f.prev_instr;
    let mut start_stack = lasti
        .and_then(|i| stacks.get(i).copied())
        .unwrap_or(UNINITIALIZED);
    let mut best_stack = OVERFLOWED;
    let mut best_addr = None;
    // -1: no candidate yet; 0: found; 1: an incompatible stack explained.
    let mut err = -1;
    let mut msg = "cannot find bytecode for specified line";
    for (i, &line) in lines.iter().enumerate() {
        if line != new_lineno {
            continue;
        }
        let target_stack = stacks[i];
        if compatible_stack(start_stack, target_stack) {
            err = 0;
            if target_stack > best_stack {
                best_stack = target_stack;
                best_addr = Some(i);
            }
        } else if err < 0 {
            if start_stack == OVERFLOWED {
                msg = "stack to deep to analyze";
            } else if start_stack == UNINITIALIZED {
                msg = "can't jump from unreachable code";
            } else {
                msg = explain_incompatible_stack(target_stack);
                err = 1;
            }
        }
    }
    let (0, Some(best_addr)) = (err, best_addr) else {
        return Err(vm.value_error(msg));
    };
    // Locals the compiler proved bound at the target may not be: they become None.
    let nlocalsplus = info.nlocalsplus();
    let unbound = vm.frames[index].localsplus[..nlocalsplus]
        .iter()
        .filter(|v| v.is_none())
        .count();
    if unbound > 0 {
        let s = if unbound == 1 { "" } else { "s" };
        super::modules::warnings::warn_native(
            vm,
            "RuntimeWarning",
            format!("assigning None to {unbound} unbound local{s}"),
        )?;
        let Some(index) = vm.stack_index(fo) else {
            return Err(vm.unsupported("setting f_lineno of a frame that is not running"));
        };
        for slot in vm.frames[index].localsplus[..nlocalsplus].iter_mut() {
            if slot.is_none() {
                *slot = Some(Value::None);
            }
        }
    }
    let Some(index) = vm.stack_index(fo) else {
        return Err(vm.unsupported("setting f_lineno of a frame that is not running"));
    };
    if what == What::PyYield {
        // The yielded value has left the stack already.
        start_stack = pop_value(start_stack);
    }
    while start_stack > best_stack {
        let popped = vm.frames[index].pop_opt()?;
        if top_of_stack(start_stack) == Kind::Except as i64 {
            // Leaving an `except` block: the exception it saved is handled again.
            vm.exc_info = popped.unwrap_or(Value::None);
        }
        start_stack = pop_value(start_stack);
    }
    fo.lineno.set(0);
    let f = &mut vm.frames[index];
    f.prev_instr = Some(best_addr);
    f.next_instr = if what == What::PyYield {
        AFTER_JUMP_AT_YIELD
    } else {
        best_addr
    };
    vm.trace.jumped = true;
    Ok(())
}
