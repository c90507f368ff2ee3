//! Per-code-object data the evaluator derives once (spec chapter `lineno`): constants as
//! values, the line of every code unit, which instructions start a line for tracing, and
//! the decoded exception table.

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::{flags, kinds, CodeObject, Constant, ExceptionEntry};
use crate::opcode::Opcode;

use super::object::{Set, Value};

#[derive(Debug)]
pub struct CodeInfo {
    pub code: Rc<CodeObject>,
    /// `co_consts` as values; `None` for a constant the VM cannot represent (a str with a
    /// character of the lone surrogates' stand-ins, or a tuple holding one), whose use is
    /// unsupported.
    pub consts: Vec<Option<Value>>,
    /// Line of each code unit (`None`: no line; CPython's -1).
    pub lines: Vec<Option<u32>>,
    /// Code units instrumented for `LINE` events (CPython `initialize_lines` in
    /// Python/instrumentation.c): the first instruction of each line in code order, every
    /// jump target and every exception handler that has a line — never RESUME, END_FOR,
    /// END_SEND, END_ASYNC_FOR, nor anything before the first RESUME.
    pub line_start: Vec<bool>,
    /// The code units of the CALL instructions that have called `str` with one argument:
    /// CPython specializes such a CALL from its second run, which changes its C recursion
    /// budget (`ops::calls::specialized_str_1`).
    pub str_calls: std::cell::RefCell<Vec<usize>>,
    pub exc_table: Vec<ExceptionEntry>,
    /// Index of the first RESUME (CPython `_co_firsttraceable`).
    pub first_traceable: usize,
}

/// What the VM cannot represent among constants, for the unsupported verdict.
pub const UNREPRESENTABLE: &str = super::standins::UNREPRESENTABLE;

/// The value of a constant; `None` when the VM cannot represent it ([`UNREPRESENTABLE`]).
pub fn constant(c: &Constant) -> Option<Value> {
    Some(match c {
        Constant::None => Value::None,
        Constant::Ellipsis => Value::Ellipsis,
        Constant::Bool(b) => Value::Bool(*b),
        Constant::Int(i) => Value::Int(*i),
        Constant::BigInt(b) => Value::BigInt(b.clone()),
        Constant::Float(f) => Value::Float(*f),
        Constant::Complex(re, im) => Value::Complex(Rc::new((*re, *im))),
        // A genuine character of the stand-ins' range cannot be held (`standins`).
        Constant::Str(s) if super::standins::has(s) => return None,
        Constant::Str(s) => Value::Str(s.clone()),
        // Lone surrogates become their stand-ins.
        Constant::StrSurrogates(b) => Value::str(&super::standins::from_code_points(
            crate::surrogate_str::decode(b)?,
        )?),
        Constant::Bytes(b) => Value::Bytes(b.clone()),
        Constant::Tuple(items) => Value::Tuple(items.iter().map(constant).collect::<Option<_>>()?),
        // Immutable, so it can close no cycle: not registered with `gc`.
        Constant::FrozenSet(items) => {
            let s = Set::new(true);
            for item in items.iter() {
                let _ = s.items.add(constant(item)?);
            }
            Value::Set(Rc::new(s))
        }
        Constant::Code(code) => Value::Code(code.clone()),
    })
}

/// The values of the constants the VM has converted, by the identity of the constant's
/// object (the compiler and marshal share one object between equal constants, as CPython's
/// constant cache and marshal references do), so one constant object is one value: a
/// tuple constant two functions return is the same tuple (`f() is g()`).
#[derive(Debug, Default)]
pub struct ConstValues {
    by_object: HashMap<usize, (Constant, Value)>,
    complex: HashMap<(u64, u64), Option<Value>>,
}

impl ConstValues {
    /// The value of `c`, the same one each time for the same tuple or frozenset object.
    pub fn value(&mut self, c: &Constant) -> Option<Value> {
        let key = match c {
            Constant::Tuple(items) | Constant::FrozenSet(items) => {
                Rc::as_ptr(items) as *const Constant as usize
            }
            // A complex constant has no object of its own to name it: the compiler merged
            // equal ones (by their bits; never a NaN, which equals nothing), so equal bits
            // are one value.
            Constant::Complex(re, im) if !re.is_nan() && !im.is_nan() => {
                let bits = (re.to_bits(), im.to_bits());
                let v = self.complex.entry(bits).or_insert_with(|| constant(c));
                return v.clone();
            }
            // `intern_string_constants`: a code object's identifier-like strings are the
            // interned ones, so equal constants and dict keys are one object.
            Constant::Str(s)
                if crate::compile::interning::is_name_like(s) && !super::standins::has(s) =>
            {
                return Some(Value::Str(super::dict::intern(s)));
            }
            _ => return constant(c),
        };
        if let Some((_, v)) = self.by_object.get(&key) {
            return Some(v.clone());
        }
        let v = match c {
            Constant::Tuple(items) => {
                Value::Tuple(items.iter().map(|i| self.value(i)).collect::<Option<_>>()?)
            }
            _ => constant(c)?,
        };
        // The constant is kept alongside, so its address names it for the whole run.
        self.by_object.insert(key, (c.clone(), v.clone()));
        Some(v)
    }

    /// `code.co_consts`: one tuple per code object, as CPython's attribute returns.
    pub fn co_consts(&mut self, code: &Rc<CodeObject>) -> Option<Value> {
        let key = Rc::as_ptr(code) as usize;
        if let Some((_, v)) = self.by_object.get(&key) {
            return Some(v.clone());
        }
        let items: Vec<Value> = code
            .co_consts
            .iter()
            .map(|c| self.value(c))
            .collect::<Option<_>>()?;
        let v = Value::tuple(items);
        self.by_object
            .insert(key, (Constant::Code(code.clone()), v.clone()));
        Some(v)
    }
}

impl CodeInfo {
    pub fn new(code: Rc<CodeObject>, values: &mut ConstValues) -> CodeInfo {
        let consts = code.co_consts.iter().map(|c| values.value(c)).collect();
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
        for unit in code.units_from(first_traceable) {
            let line = line_of(unit.index);
            match unit.opcode {
                Some(
                    Opcode::END_ASYNC_FOR | Opcode::END_FOR | Opcode::END_SEND | Opcode::RESUME,
                ) => {}
                _ => {
                    if line != current && line.is_some() {
                        line_start[unit.index] = true;
                    }
                    current = line;
                }
            }
        }
        // Pass 2: jump targets that have a line; for FOR_ITER and SEND the unit after the
        // END_FOR / END_SEND they name ("Skip over END_FOR/END_SEND").
        for ins in &instructions {
            if ins.start < first_traceable {
                continue;
            }
            let skip = usize::from(matches!(ins.opcode, Opcode::FOR_ITER | Opcode::SEND));
            if let Some(t) = ins.jump_target().map(|t| t + skip) {
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
            str_calls: std::cell::RefCell::default(),
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
