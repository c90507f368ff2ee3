//! Per-code-object data the evaluator derives once (spec chapter `lineno`): constants as
//! values, the line of every code unit, which instructions start a line for tracing, and
//! the decoded exception table.

use std::rc::Rc;

use crate::code::{flags, kinds, CodeObject, Constant, ExceptionEntry};
use crate::opcode::Opcode;

use super::object::{Set, Value};

#[derive(Debug)]
pub struct CodeInfo {
    pub code: Rc<CodeObject>,
    pub consts: Vec<Value>,
    /// Line of each code unit (`None`: no line; CPython's -1).
    pub lines: Vec<Option<u32>>,
    /// Code units instrumented for `LINE` events (CPython `initialize_lines` in
    /// Python/instrumentation.c): the first instruction of each line in code order, every
    /// jump target and every exception handler that has a line — never RESUME, END_FOR,
    /// END_SEND, END_ASYNC_FOR, nor anything before the first RESUME.
    pub line_start: Vec<bool>,
    pub exc_table: Vec<ExceptionEntry>,
    /// Index of the first RESUME (CPython `_co_firsttraceable`).
    pub first_traceable: usize,
}

pub fn constant(c: &Constant) -> Value {
    match c {
        Constant::None => Value::None,
        Constant::Ellipsis => Value::Ellipsis,
        Constant::Bool(b) => Value::Bool(*b),
        Constant::Int(i) => Value::Int(*i),
        Constant::Float(f) => Value::Float(*f),
        Constant::Str(s) => Value::Str(s.clone()),
        Constant::Bytes(b) => Value::Bytes(b.clone()),
        Constant::Tuple(items) => Value::Tuple(items.iter().map(constant).collect()),
        // Immutable, so it can close no cycle: not registered with `gc`.
        Constant::FrozenSet(items) => {
            let s = Set::new(true);
            for item in items.iter() {
                let _ = s.items.add(constant(item));
            }
            Value::Set(Rc::new(s))
        }
        Constant::Code(code) => Value::Code(code.clone()),
    }
}

impl CodeInfo {
    pub fn new(code: Rc<CodeObject>) -> CodeInfo {
        let consts = code.co_consts.iter().map(constant).collect();
        let lines = code.lines();
        let exc_table = code.exception_entries();
        let n = code.len_units();
        let instructions = code.instructions();
        let first_traceable = instructions
            .iter()
            .find(|i| i.opcode == Opcode::RESUME)
            .map(|i| i.index)
            .unwrap_or(0);
        let mut line_start = vec![false; n];
        let line_of = |i: usize| lines.get(i).copied().flatten();
        // Pass 1: instructions whose line differs from the previous instruction's. Each
        // EXTENDED_ARG prefix counts as an instruction of its own, as in CPython.
        let mut current: Option<u32> = None;
        let mut unit = first_traceable;
        while unit < n {
            let (op, _) = code.unit(unit);
            let opcode = Opcode::from_u8(op);
            let length = opcode.map(|o| 1 + o.cache_entries()).unwrap_or(1);
            let line = line_of(unit);
            match opcode {
                Some(
                    Opcode::END_ASYNC_FOR | Opcode::END_FOR | Opcode::END_SEND | Opcode::RESUME,
                ) => {}
                _ => {
                    if line != current && line.is_some() {
                        line_start[unit] = true;
                    }
                    current = line;
                }
            }
            unit += length;
        }
        // Pass 2: jump targets that have a line.
        for ins in &instructions {
            if ins.start < first_traceable {
                continue;
            }
            let next = ins.next_index();
            let arg = ins.arg as usize;
            let target = match ins.opcode {
                Opcode::POP_JUMP_IF_FALSE
                | Opcode::POP_JUMP_IF_TRUE
                | Opcode::POP_JUMP_IF_NONE
                | Opcode::POP_JUMP_IF_NOT_NONE
                | Opcode::JUMP_FORWARD => Some(next + arg),
                // Skip over END_FOR / END_SEND.
                Opcode::FOR_ITER | Opcode::SEND => Some(next + arg + 1),
                Opcode::JUMP_BACKWARD | Opcode::JUMP_BACKWARD_NO_INTERRUPT => next.checked_sub(arg),
                _ => None,
            };
            if let Some(t) = target {
                if t < n && line_of(t).is_some() {
                    line_start[t] = true;
                }
            }
        }
        // Pass 3: exception handlers that have a line.
        for e in &exc_table {
            if e.target < n && line_of(e.target).is_some() {
                line_start[e.target] = true;
            }
        }
        CodeInfo {
            code,
            consts,
            lines,
            line_start,
            exc_table,
            first_traceable,
        }
    }

    pub fn line(&self, unit: usize) -> Option<u32> {
        self.lines.get(unit).copied().flatten()
    }

    pub fn nlocalsplus(&self) -> usize {
        self.code.co_localsplusnames.len()
    }

    pub fn is_optimized(&self) -> bool {
        self.code.co_flags & flags::CO_OPTIMIZED != 0
    }

    pub fn kind(&self, i: usize) -> u8 {
        self.code
            .co_localspluskinds
            .get(i)
            .copied()
            .unwrap_or(kinds::CO_FAST_LOCAL)
    }

    pub fn name(&self, i: usize) -> Option<&Rc<str>> {
        self.code.co_names.get(i)
    }

    pub fn local_name(&self, i: usize) -> Option<&Rc<str>> {
        self.code.co_localsplusnames.get(i)
    }
}
