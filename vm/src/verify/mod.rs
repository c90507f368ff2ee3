//! The bytecode verifier: whether a code object is one the evaluator may run (issue 10:
//! "bad bytecode is an error, not a crash"). CPython 3.12 trusts its bytecode — its
//! compiler is the only producer it expects, and a wrong operand or stack shape makes it
//! read past an array or dereference NULL. The VM runs code objects it did not compile
//! (a `.pyc` file, `marshal.loads`, assembled bytecode cases), so it checks them first,
//! against the rules 3.12's `Python/bytecodes.c` assumes of each instruction:
//!
//! - the layout (`structure`): `co_code` non-empty and of even length, one kind byte per
//!   local name, argument counts and flags within the local slots, free variables last;
//! - every instruction reached (`operands`): a known base opcode whose inline caches fit,
//!   operands in range (constants, names, locals of the right kind, the coded opargs of
//!   `crate::oparg`), jumps landing on instruction starts in their direction;
//! - the flow (`flow`): an abstract interpretation from offset 0 with an empty stack over
//!   every path, exception handlers included, giving each instruction one stack depth,
//!   never negative, never above `co_stacksize`, no path falling off the end, and the
//!   few facts about stack values the evaluator relies on (where NULL may be, the list a
//!   LIST_APPEND appends to, the code object MAKE_FUNCTION makes a function of, the cells
//!   LOAD_DEREF reads);
//! - the exception table (`flow`): it decodes, its entries cover instruction starts inside
//!   the code, their targets are instruction starts and their depths fit the stack.
//!
//! The decoders are `crate::code`'s (`Units`, `CodeObject::decode_at`,
//! `CodeObject::checked_exception_entries`); the stack effects `crate::opcode`'s.

mod flow;
mod operands;
mod structure;

use std::fmt;

use crate::code::{flags, CodeObject, Constant};

/// Why a code object may not run: the code object (by its qualified name, file and first
/// line), the instruction (byte offset and opcode name) when the problem is one
/// instruction's, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub qualname: String,
    pub filename: String,
    pub firstlineno: u32,
    /// Byte offset in `co_code` of the instruction (`None` for a property of the whole
    /// code object).
    pub offset: Option<usize>,
    /// The instruction's opcode name, when it decodes.
    pub opname: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: code object '{}'",
            self.filename, self.firstlineno, self.qualname
        )?;
        match (self.offset, self.opname) {
            (Some(offset), Some(name)) => write!(f, ", offset {offset} ({name})")?,
            (Some(offset), None) => write!(f, ", offset {offset}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for VerifyError {}

/// What the checks of one code object report before it is located: the code unit and
/// opcode, when one instruction is at fault.
#[derive(Debug)]
pub(crate) struct Problem {
    pub unit: Option<usize>,
    pub opname: Option<&'static str>,
    pub message: String,
}

impl Problem {
    pub(crate) fn whole(message: impl Into<String>) -> Problem {
        Problem {
            unit: None,
            opname: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(
        unit: usize,
        opname: Option<&'static str>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            unit: Some(unit),
            opname,
            message: message.into(),
        }
    }

    fn locate(self, code: &CodeObject) -> VerifyError {
        VerifyError {
            qualname: code.co_qualname.to_string(),
            filename: code.co_filename.to_string(),
            firstlineno: code.co_firstlineno,
            offset: self.unit.map(|u| 2 * u),
            opname: self.opname,
            message: self.message,
        }
    }
}

/// Checks `code` and every code object among its constants (in tuples too), outermost
/// first; the first problem found is the error.
pub fn verify(code: &CodeObject) -> Result<(), VerifyError> {
    let mut work = vec![code];
    while let Some(code) = work.pop() {
        verify_code(code)?;
        let mut nested = Vec::new();
        for c in &code.co_consts {
            nested_code(c, &mut nested);
        }
        // Depth first, in constant order.
        work.extend(nested.into_iter().rev());
    }
    Ok(())
}

/// [`verify`] of `code` alone, not of the code objects among its constants.
pub fn verify_code(code: &CodeObject) -> Result<(), VerifyError> {
    verify_one(code).map_err(|p| p.locate(code))
}

/// The `co_stacksize` `code` needs: the deepest its value stack gets on any path (the
/// constants' code objects are not looked at). An error is what [`verify_code`] would
/// report, but for `co_stacksize` itself.
pub fn stack_depth(code: &CodeObject) -> Result<u32, VerifyError> {
    structure::check(code).map_err(|p| p.locate(code))?;
    let deepest = flow::deepest(code).map_err(|p| p.locate(code))?;
    u32::try_from(deepest).map_err(|_| {
        Problem::whole(format!(
            "a stack depth of {deepest} does not fit co_stacksize"
        ))
        .locate(code)
    })
}

/// [`verify`], for a code object run as a module (`run_pyc`, a bytecode case): it also
/// may have no free variables (nothing could fill them: CPython's `exec` refuses such code,
/// and its COPY_FREE_VARS would read a closure the module's function does not have) and may
/// not be a generator or coroutine (its RETURN_GENERATOR needs a function to make the
/// generator of).
pub fn verify_module(code: &CodeObject) -> Result<(), VerifyError> {
    let frees = code.nfree();
    if frees > 0 {
        return Err(
            Problem::whole(format!("module code has {frees} free variable(s)")).locate(code),
        );
    }
    const GENERATORS: u32 = flags::CO_GENERATOR | flags::CO_COROUTINE | flags::CO_ASYNC_GENERATOR;
    if code.co_flags & GENERATORS != 0 {
        return Err(Problem::whole("module code is a generator or coroutine").locate(code));
    }
    verify(code)
}

fn nested_code<'a>(c: &'a Constant, out: &mut Vec<&'a CodeObject>) {
    match c {
        Constant::Code(inner) => out.push(inner),
        Constant::Tuple(items) | Constant::FrozenSet(items) => {
            for item in items.iter() {
                nested_code(item, out);
            }
        }
        _ => {}
    }
}

fn verify_one(code: &CodeObject) -> Result<(), Problem> {
    structure::check(code)?;
    flow::check(code)
}
