//! Frames (spec chapter `frames`): light interpreter frames on one contiguous stack, and
//! frame objects materialised only when Python asks for one.
//!
//! This mirrors CPython 3.12's split between `_PyInterpreterFrame`
//! (Include/internal/pycore_frame.h) and `PyFrameObject` (Objects/frameobject.c):
//!
//! * [`Frame`] is the interpreter frame. The VM keeps them in one `Vec<Frame>`
//!   (`Vm::frames`, CPython's per-thread data stack); index `i - 1` is frame `i`'s
//!   `previous`. A generator's frame lives inside the generator while suspended and is
//!   moved onto the stack while it runs.
//! * [`FrameObject`] is the Python-visible `frame`. It is created at most once per frame
//!   (`Frame::frame_obj`, CPython's `frame_obj`) and finds its interpreter frame by
//!   `serial` while the frame runs. When the frame ends while the object is still
//!   referenced elsewhere, the object takes ownership of the frame's data (CPython
//!   `take_ownership`): `owned` then holds the final `Frame`, `f_back` is fixed to the
//!   caller's frame object, and `f_lineno`, `f_locals`, `f_lasti` keep answering from it.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crate::code::kinds;

use super::codeinfo::CodeInfo;
use super::dict::Dict;
use super::object::{Function, Generator, Value};

/// An interpreter frame (CPython `_PyInterpreterFrame`).
#[derive(Debug)]
pub struct Frame {
    /// `f_code`: the code being run, with its derived tables. Owned (strong) reference.
    pub info: Rc<CodeInfo>,
    /// `f_funcobj`: the function called, `None` for module and class bodies run directly.
    pub func: Option<Rc<Function>>,
    /// `f_globals`: borrowed from the function in CPython; a strong reference here.
    pub globals: Rc<Dict>,
    /// `f_builtins`: as `f_globals`.
    pub builtins: Rc<Dict>,
    /// `f_locals`: the namespace dict of module and class frames (LOAD_NAME/STORE_NAME use
    /// it). For optimized (function) frames it is `None` until `locals()` / `f_locals`
    /// asks, then it is the snapshot dict refreshed from the fast locals on each request
    /// (CPython 3.12 `PyFrame_FastToLocalsWithError`).
    pub locals: Option<Rc<Dict>>,
    /// A class body's namespace when `__prepare__` made it an instance of a dict
    /// subclass (enum's `_EnumDict`): `locals` is its dict, and the name opcodes,
    /// `locals()` and LOAD_LOCALS go through the instance, so its `__setitem__` and
    /// `__getitem__` run (CPython's `PyObject_SetItem` on a non-exact dict).
    pub locals_mapping: Option<Value>,
    /// `localsplus`: fast locals, then cells, then free variables (`co_localsplusnames`
    /// order), then the value stack. `None` is CPython's NULL: an unbound local, or a NULL
    /// pushed by PUSH_NULL / LOAD_GLOBAL. The stack top is `localsplus.len()`
    /// (CPython's `stacktop`); the stack base is `info.nlocalsplus()`.
    pub localsplus: Vec<Option<Value>>,
    /// `prev_instr`: code unit index of the instruction executing or last executed; `None`
    /// before the first instruction. Valid whenever the frame is not the one currently
    /// decoding (it then designates the CALL that is waiting for a callee).
    pub prev_instr: Option<usize>,
    /// Code unit index of the instruction being executed (CPython's `next_instr - 1`).
    /// Exception-table lookups use it; it differs from `prev_instr` after RERAISE, which
    /// restores `prev_instr` (hence `f_lasti` / `f_lineno`) but not the position.
    pub instr: Option<usize>,
    /// Code unit index of the next instruction to decode (CPython's `next_instr` local).
    pub next_instr: usize,
    /// `frame_obj`: the materialised frame object, if any was asked for.
    pub frame_obj: Option<Rc<FrameObject>>,
    /// Unique id linking a frame object to this frame.
    pub serial: u64,
    /// Keyword names set by KW_NAMES for the next CALL (CPython's `kwnames` local).
    pub kwnames: Option<Rc<[Value]>>,
    /// True when a native caller waits for this frame's result (CPython's entry frame
    /// boundary): returning from it leaves the evaluation loop.
    pub entry: bool,
    /// The generator owning this frame (CPython `owner == FRAME_OWNED_BY_GENERATOR`).
    pub generator: Option<Weak<Generator>>,
    /// Set while a generator this frame resumed in the same loop (SEND, FOR_ITER) runs:
    /// where this frame continues if that generator *returns* rather than yields
    /// (CPython 3.12's `return_offset`). Cleared when the generator leaves the stack.
    /// spec: generators.frame.f_back
    pub inline_return: Option<InlineReturn>,
    /// Whether CPython 3.12 would have entered this frame inline from its caller (CALL of
    /// a Python function, CALL_FUNCTION_EX of a plain function, SEND to a generator)
    /// rather than through C; the `internals` channel reports the caller by it.
    /// spec: internals.inline-caller
    pub cpython_inline: bool,
}

/// How a frame that resumed a generator inline continues when the generator returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlineReturn {
    /// SEND: push the return value and jump to END_SEND.
    Send { target: usize },
    /// FOR_ITER: pop the iterator and jump past END_FOR (the loop's exit), as FOR_ITER's
    /// own exhaustion path does.
    ForIter { exit: usize },
}

/// The most value-stack slots a new frame reserves (see [`Frame::new`]); deeper stacks grow
/// the vector as they are pushed.
const STACK_RESERVED: usize = 256;

impl Frame {
    pub fn new(info: Rc<CodeInfo>, globals: Rc<Dict>, builtins: Rc<Dict>, serial: u64) -> Frame {
        let n = info.nlocalsplus();
        // Room for the value stack up front, but not for more than any compiled code needs:
        // `co_stacksize` is only an upper bound (the verifier checks the stack never goes
        // above it), and a code object may claim 2^32 - 1. CPython reserves the frame as
        // address space it touches only as the stack grows, so such code runs there; a
        // reservation here would be that many bytes at once (an abort, or out of memory).
        let stack = (info.code.co_stacksize as usize).min(STACK_RESERVED);
        let mut localsplus = Vec::with_capacity(n + stack);
        localsplus.resize(n, None);
        Frame {
            info,
            func: None,
            globals,
            builtins,
            locals: None,
            locals_mapping: None,
            localsplus,
            prev_instr: None,
            instr: None,
            next_instr: 0,
            frame_obj: None,
            serial,
            kwnames: None,
            entry: false,
            generator: None,
            inline_return: None,
            cpython_inline: false,
        }
    }

    /// Stack depth (CPython `STACK_LEVEL()`).
    pub fn stack_level(&self) -> usize {
        self.localsplus
            .len()
            .saturating_sub(self.info.nlocalsplus())
    }

    /// The line of the current instruction (CPython `PyUnstable_InterpreterFrame_GetLine`):
    /// `co_firstlineno` before the first instruction.
    pub fn current_line(&self) -> Option<u32> {
        match self.prev_instr {
            None => Some(self.info.code.co_firstlineno),
            Some(i) => self.info.line(i),
        }
    }

    /// `f_lasti` in bytes; -1 before the first instruction.
    pub fn lasti_bytes(&self) -> i64 {
        self.prev_instr.map(|i| 2 * i as i64).unwrap_or(-1)
    }

    /// Refreshes and returns the locals dict (CPython `PyFrame_FastToLocalsWithError` +
    /// `frame->f_locals`): for module and class frames the namespace itself; for function
    /// frames a dict snapshot of bound fast locals, cell contents and free variables.
    pub fn fast_to_locals(&mut self) -> Rc<Dict> {
        let dict = self.locals.get_or_insert_with(Dict::new_rc).clone();
        if !self.info.is_optimized() {
            return dict;
        }
        let n = self.info.nlocalsplus();
        for i in 0..n {
            let kind = self.info.kind(i);
            if kind & kinds::CO_FAST_HIDDEN != 0 {
                continue;
            }
            let Some(name) = self.info.local_name(i).cloned() else {
                continue;
            };
            let mut value = self.localsplus.get(i).cloned().flatten();
            if kind & (kinds::CO_FAST_FREE | kinds::CO_FAST_CELL) != 0 {
                // A cell slot holds the cell once MAKE_CELL / COPY_FREE_VARS ran; before
                // that an argument that is also a cell holds its plain value.
                if let Some(Value::Cell(cell)) = value.clone() {
                    value = cell.value.borrow().clone();
                }
            }
            match value {
                Some(v) => dict.set_str(&name, v),
                None => {
                    let _ = dict.remove(&Value::Str(name));
                }
            }
        }
        dict
    }

    /// The value of the local, cell or free variable `name` (CPython 3.12's
    /// `PyFrame_GetVar` over `frame_get_var`): the first slot of that name in
    /// `co_localsplusnames`, hidden ones included, a cell read through; `None` when it is
    /// unbound or the code has no such slot (an unoptimized frame's free variables do not
    /// count, nor do the names of its namespace).
    pub fn get_var(&self, name: &str) -> Option<Value> {
        let i = (0..self.info.nlocalsplus())
            .find(|&i| self.info.local_name(i).is_some_and(|n| &**n == name))?;
        let kind = self.info.kind(i);
        if kind & kinds::CO_FAST_FREE != 0 && !self.info.is_optimized() {
            return None;
        }
        let value = self.localsplus.get(i).cloned().flatten();
        match value {
            Some(Value::Cell(cell)) if kind & (kinds::CO_FAST_FREE | kinds::CO_FAST_CELL) != 0 => {
                cell.value.borrow().clone()
            }
            other => other,
        }
    }

    /// Writes the locals dict back into fast locals (CPython `PyFrame_LocalsToFast`, run
    /// after a trace function returns when `f_locals` was materialised).
    pub fn locals_to_fast(&mut self) {
        if !self.info.is_optimized() {
            return;
        }
        let Some(dict) = self.locals.clone() else {
            return;
        };
        let n = self.info.nlocalsplus().min(self.localsplus.len());
        for i in 0..n {
            let kind = self.info.kind(i);
            if kind & kinds::CO_FAST_HIDDEN != 0 {
                continue;
            }
            let Some(name) = self.info.local_name(i) else {
                continue;
            };
            let value = dict.get_str(name);
            let slot = &mut self.localsplus[i];
            if let Some(Value::Cell(cell)) = slot {
                if kind & (kinds::CO_FAST_CELL | kinds::CO_FAST_FREE) != 0 {
                    *cell.value.borrow_mut() = value;
                    continue;
                }
            }
            *slot = value;
        }
    }
}

/// A frame object (CPython `PyFrameObject`).
#[derive(Debug)]
pub struct FrameObject {
    /// The interpreter frame this object stands for (`f_frame`).
    pub serial: u64,
    /// `f_back` once fixed by take_ownership; while the frame runs f_back is computed from
    /// the frame stack (CPython `PyFrame_GetBack`).
    pub back: RefCell<Option<Value>>,
    /// The frame's data after it ended (CPython's `_f_frame_data` after `take_ownership`).
    pub owned: RefCell<Option<Frame>>,
    /// The generator whose suspended frame this is, if any.
    pub generator: RefCell<Weak<Generator>>,
    /// `f_trace`: the local trace function (None when unset).
    pub trace: RefCell<Value>,
    pub trace_lines: Cell<bool>,
    pub trace_opcodes: Cell<bool>,
    /// `f_lineno` as set while a `line` trace event is delivered (0 = compute it).
    pub lineno: Cell<u32>,
    /// Set once `f_locals` was asked for (CPython `f_fast_as_locals`).
    pub fast_as_locals: Cell<bool>,
}

impl FrameObject {
    pub fn new(serial: u64) -> FrameObject {
        FrameObject {
            serial,
            back: RefCell::new(None),
            owned: RefCell::new(None),
            generator: RefCell::new(Weak::new()),
            trace: RefCell::new(Value::None),
            trace_lines: Cell::new(true),
            trace_opcodes: Cell::new(false),
            lineno: Cell::new(0),
            fast_as_locals: Cell::new(false),
        }
    }
}

/// Value-stack operations. Underflow or a NULL where a value is required means the
/// bytecode broke its own stack discipline: a bug, never a panic.
impl Frame {
    pub fn push(&mut self, v: Value) {
        self.localsplus.push(Some(v));
    }

    pub fn push_opt(&mut self, v: Option<Value>) {
        self.localsplus.push(v);
    }

    /// Pops a slot that may be NULL.
    pub fn pop_opt(&mut self) -> Result<Option<Value>, super::Throw> {
        if self.stack_level() == 0 {
            return Err(super::Throw::Bug(format!(
                "value stack underflow in {}",
                self.info.code.co_name
            )));
        }
        Ok(self.localsplus.pop().flatten())
    }

    pub fn pop(&mut self) -> Result<Value, super::Throw> {
        match self.pop_opt()? {
            Some(v) => Ok(v),
            None => Err(super::Throw::Bug(format!(
                "NULL popped in {}",
                self.info.code.co_name
            ))),
        }
    }

    /// Pops `n` values, returned bottom first.
    pub fn pop_n(&mut self, n: usize) -> Result<Vec<Value>, super::Throw> {
        if self.stack_level() < n {
            return Err(super::Throw::Bug(format!(
                "value stack underflow in {}",
                self.info.code.co_name
            )));
        }
        let at = self.localsplus.len() - n;
        self.localsplus
            .drain(at..)
            .map(|v| v.ok_or_else(|| super::Throw::Bug("NULL in popped values".into())))
            .collect()
    }

    /// The slot `depth` below the top (0 = top).
    pub fn peek_opt(&self, depth: usize) -> Result<Option<Value>, super::Throw> {
        if self.stack_level() <= depth {
            return Err(super::Throw::Bug(format!(
                "value stack underflow in {}",
                self.info.code.co_name
            )));
        }
        Ok(self.localsplus[self.localsplus.len() - 1 - depth].clone())
    }

    pub fn peek(&self, depth: usize) -> Result<Value, super::Throw> {
        self.peek_opt(depth)?
            .ok_or_else(|| super::Throw::Bug("NULL peeked".into()))
    }

    /// Mutable access to the slot `depth` below the top.
    pub fn slot_mut(&mut self, depth: usize) -> Result<&mut Option<Value>, super::Throw> {
        if self.stack_level() <= depth {
            return Err(super::Throw::Bug(format!(
                "value stack underflow in {}",
                self.info.code.co_name
            )));
        }
        let at = self.localsplus.len() - 1 - depth;
        Ok(&mut self.localsplus[at])
    }

    /// Truncates the value stack to `level` entries (exception unwinding).
    pub fn truncate_stack(&mut self, level: usize) {
        let n = self.info.nlocalsplus() + level;
        self.localsplus.truncate(n);
    }

    /// The fast-local slot `i` (locals, cells, frees).
    pub fn local_mut(&mut self, i: usize) -> Result<&mut Option<Value>, super::Throw> {
        if i >= self.info.nlocalsplus() {
            return Err(super::Throw::Bug(format!("local index {i} out of range")));
        }
        Ok(&mut self.localsplus[i])
    }
}
