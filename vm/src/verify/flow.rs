//! The flow check: an abstract interpretation of the code from offset 0 with an empty
//! stack, over every path (branches, jumps, and the exception table's handlers, entered
//! with the entry's depth, then `lasti` if the entry has the flag, then the exception).
//! Each instruction start gets one abstract state; where paths meet, the depths must be
//! equal (CPython's `stackdepth` in `flowgraph.c` assumes it, and the frame has room for
//! `co_stacksize` values only) and the facts are joined.
//!
//! The facts are what `bytecodes.c`'s instructions take for granted of their inputs and
//! the evaluator relies on: which stack slots may be NULL (PUSH_NULL, the NULL|self of
//! LOAD_GLOBAL and LOAD_ATTR, LOAD_FAST_AND_CLEAR's possibly unbound local) — only the
//! slots that CALL, CALL_FUNCTION_EX and STORE_FAST accept NULL in may hold one —, what a
//! handful of instructions read as a given type (the list of LIST_APPEND, the code object
//! of MAKE_FUNCTION, the key tuple of BUILD_CONST_KEY_MAP, the lasti of RERAISE), which
//! cell and free slots hold cells (MAKE_CELL, COPY_FREE_VARS), and, in a generator's code,
//! whether RETURN_GENERATOR has run.

use super::operands::{self, slot_use, SlotUse};
use super::Problem;
use crate::code::{flags, kinds, CodeObject, Constant, Instruction};
use crate::oparg::{make_function, Intrinsic1};
use crate::opcode::Opcode;

/// An abstract stack value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    /// NULL.
    Null,
    /// NULL on some paths, a value on others.
    MaybeNull,
    /// Some value.
    Any,
    /// An int constant of 64 bits (IMPORT_NAME's level).
    Int,
    /// The lasti an exception handler with the flag pushes (RERAISE's operand).
    Lasti,
    /// A cell (LOAD_CLOSURE).
    Cell,
    /// The code object `co_consts[i]`.
    Code(u32),
    List,
    Set,
    Dict,
    /// A tuple: its length when known, whether its items are all str, all cells.
    Tuple {
        len: Option<u32>,
        strs: bool,
        cells: bool,
    },
}

impl Ty {
    fn join(self, other: Ty) -> Ty {
        use Ty::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Null | MaybeNull, _) | (_, Null | MaybeNull) => MaybeNull,
            (
                Tuple { len, strs, cells },
                Tuple {
                    len: len2,
                    strs: strs2,
                    cells: cells2,
                },
            ) => Tuple {
                len: if len == len2 { len } else { None },
                strs: strs && strs2,
                cells: cells && cells2,
            },
            _ => Any,
        }
    }

    fn nullable(self) -> bool {
        matches!(self, Ty::Null | Ty::MaybeNull)
    }

    fn of_constant(index: u32, c: &Constant) -> Ty {
        match c {
            // What the evaluator reads as IMPORT_NAME's level: an int of 64 bits.
            Constant::Int(_) => Ty::Int,
            Constant::Code(_) => Ty::Code(index),
            Constant::Tuple(items) => Ty::Tuple {
                len: u32::try_from(items.len()).ok(),
                strs: items.iter().all(|i| matches!(i, Constant::Str(_))),
                cells: items.is_empty(),
            },
            _ => Ty::Any,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Ty::Null => "NULL",
            Ty::MaybeNull => "a value that may be NULL",
            Ty::Any => "a value",
            Ty::Int => "an int",
            Ty::Lasti => "a lasti",
            Ty::Cell => "a cell",
            Ty::Code(_) => "a code object",
            Ty::List => "a list",
            Ty::Set => "a set",
            Ty::Dict => "a dict",
            Ty::Tuple { .. } => "a tuple",
        }
    }
}

/// A check that the value `depth` below the top is what a predicate accepts (`what`
/// names it in the message).
type Need<'a> = dyn Fn(usize, &str, &dyn Fn(Ty) -> bool) -> Result<(), String> + 'a;

/// The abstract state before an instruction.
#[derive(Clone, Debug, PartialEq)]
struct State {
    stack: Vec<Ty>,
    /// Per local slot: it holds a cell (made by MAKE_CELL or copied by COPY_FREE_VARS).
    cells: Vec<bool>,
    /// In a generator's code: RETURN_GENERATOR has run.
    started: bool,
}

impl State {
    /// Joins `other` into `self`; whether `self` changed. `Err` when the depths differ
    /// or one path has started the generator and the other not.
    fn join(&mut self, other: &State) -> Result<bool, String> {
        if self.stack.len() != other.stack.len() {
            return Err(format!(
                "stack depth {} on one path, {} on another",
                self.stack.len(),
                other.stack.len()
            ));
        }
        if self.started != other.started {
            return Err("reached both before and after RETURN_GENERATOR".to_owned());
        }
        let mut changed = false;
        for (a, b) in self.stack.iter_mut().zip(&other.stack) {
            let j = a.join(*b);
            changed |= j != *a;
            *a = j;
        }
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            if *a && !*b {
                *a = false;
                changed = true;
            }
        }
        Ok(changed)
    }

    /// The value `depth` below the top (0 = top).
    fn peek(&self, depth: usize) -> Option<Ty> {
        self.stack
            .len()
            .checked_sub(depth + 1)
            .map(|i| self.stack[i])
    }
}

/// The abstract interpretation of one code object.
struct Flow<'a> {
    code: &'a CodeObject,
    /// Code units where an instruction (or an EXTENDED_ARG prefix) starts, in the linear
    /// walk `dis` makes (`Units`); inline CACHE units are not starts.
    starts: Vec<bool>,
    states: Vec<Option<State>>,
    work: Vec<usize>,
    generator: bool,
    /// The deepest stack allowed (`co_stacksize`, or none when [`deepest`] works it out).
    limit: usize,
    /// The deepest stack seen so far.
    deepest: usize,
    /// Stack slots held by the stored states ([`MAX_CELLS`]).
    cells: usize,
}

const GENERATOR_FLAGS: u32 = flags::CO_GENERATOR | flags::CO_COROUTINE | flags::CO_ASYNC_GENERATOR;

/// The deepest stack the analysis follows, whatever `co_stacksize` allows: one abstract
/// state per instruction holds a value per stack slot, so a claimed `co_stacksize` of
/// 2^31 and an `UNPACK_SEQUENCE 16777216` would otherwise cost gigabytes. CPython's
/// compiler keeps stacks shallow (it builds calls and displays of more than 30 items
/// incrementally), so compiled code stays far below.
const MAX_DEPTH: usize = 1 << 16;

/// The most stack slots the stored states may hold together (the sum of the depths of the
/// code's instructions), for the same reason.
const MAX_CELLS: usize = 1 << 22;

/// An oparg beyond this cannot describe a stack any frame has; checked before the stack
/// effect is computed, so its arithmetic (`2 * oparg`, `oparg + 2`) stays in range.
const MAX_STACK_OPARG: u32 = 1 << 24;

pub(super) fn check(code: &CodeObject) -> Result<(), Problem> {
    analyse(code, code.co_stacksize as usize).map(|_| ())
}

/// The deepest the value stack gets on any path, whatever `co_stacksize` says: the
/// `co_stacksize` the code needs (what CPython's `calculate_stackdepth` computes for
/// the compiler's code).
pub(super) fn deepest(code: &CodeObject) -> Result<usize, Problem> {
    analyse(code, usize::MAX)
}

fn analyse(code: &CodeObject, limit: usize) -> Result<usize, Problem> {
    let len = code.len_units();
    let mut starts = vec![false; len];
    for unit in code.units() {
        starts[unit.index] = true;
    }
    let entries = code
        .checked_exception_entries()
        .map_err(|(byte, what)| Problem::whole(format!("exception table byte {byte}: {what}")))?;
    // Entries may overlap or come out of order: which one covers an instruction is what
    // CPython's get_exception_handler finds (`code::find_handler`, which the evaluator's
    // unwinding uses too), checked below instruction by instruction.
    for e in &entries {
        let ok = |u: usize| u < len && starts[u];
        if e.start >= e.end || e.end > len {
            return Err(Problem::whole(format!(
                "exception table entry {}..{} is empty or runs past the code ({} units)",
                2 * e.start,
                2 * e.end,
                len
            )));
        }
        if !ok(e.start) || !(e.end == len || ok(e.end)) {
            return Err(Problem::whole(format!(
                "exception table entry {}..{} does not cover whole instructions",
                2 * e.start,
                2 * e.end
            )));
        }
        if !ok(e.target) {
            return Err(Problem::whole(format!(
                "exception table entry {}..{} has target {}, not an instruction start",
                2 * e.start,
                2 * e.end,
                2 * e.target
            )));
        }
    }
    let mut flow = Flow {
        code,
        starts,
        states: vec![None; len],
        work: Vec::new(),
        generator: code.co_flags & GENERATOR_FLAGS != 0,
        limit,
        deepest: 0,
        cells: 0,
    };
    let entry = State {
        stack: Vec::new(),
        cells: vec![false; code.co_localspluskinds.len()],
        started: false,
    };
    flow.arrive(0, &entry).map_err(Problem::whole)?;
    while let Some(start) = flow.work.pop() {
        flow.step(start)?;
    }
    Ok(flow.deepest)
}

impl Flow<'_> {
    /// Brings `state` to the instruction starting at `unit`.
    fn arrive(&mut self, unit: usize, state: &State) -> Result<(), String> {
        self.deepest = self.deepest.max(state.stack.len());
        if state.stack.len() > self.limit {
            return Err(format!(
                "stack depth {} above co_stacksize {}",
                state.stack.len(),
                self.code.co_stacksize
            ));
        }
        let changed = match &mut self.states[unit] {
            slot @ None => {
                self.cells += state.stack.len();
                if self.cells > MAX_CELLS {
                    return Err(format!(
                        "the stack depths of the instructions add up to more than the \
                         {MAX_CELLS} slots the verifier follows"
                    ));
                }
                *slot = Some(state.clone());
                true
            }
            Some(known) => known
                .join(state)
                .map_err(|m| format!("at offset {}: {m}", 2 * unit))?,
        };
        if changed {
            self.work.push(unit);
        }
        Ok(())
    }

    /// Brings `state` to jump target `target` of the instruction at `ins`.
    fn jump(
        &mut self,
        ins: &Instruction,
        target: Option<usize>,
        state: &State,
    ) -> Result<(), String> {
        let len = self.code.len_units();
        match target {
            Some(t) if t < len && self.starts[t] => self.arrive(t, state),
            Some(t) if t >= len => {
                Err(format!("jump to offset {} past the end of the code", 2 * t))
            }
            Some(t) => Err(format!(
                "jump to offset {}, not an instruction start",
                2 * t
            )),
            None => Err(format!(
                "jump back by {} units before the start of the code",
                ins.arg
            )),
        }
    }

    fn step(&mut self, start: usize) -> Result<(), Problem> {
        let Some(state) = self.states[start].clone() else {
            return Ok(());
        };
        let ins = self.decode(start)?;
        let fail = |m: String| Problem::at(ins.index, Some(ins.opcode.name()), m);
        operands::check(self.code, &ins).map_err(fail)?;
        self.check_kw_names(&ins).map_err(fail)?;
        let (after, handler_base) = self.transfer(&ins, &state).map_err(fail)?;
        // An instruction that raises unwinds to the handler covering it, with its stack cut
        // to the entry's depth: what lies below it must not have been consumed (CPython's
        // exception_unwind asserts `STACK_LEVEL() >= level`).
        let covering = crate::code::find_handler(&self.code.co_exceptiontable, ins.index);
        if let Some(e) = covering.filter(|_| can_raise(ins.opcode)) {
            if e.depth > handler_base.stack.len() {
                return Err(fail(format!(
                    "exception table entry {}..{} has depth {}, the stack holds {} under this instruction's operands",
                    2 * e.start,
                    2 * e.end,
                    e.depth,
                    handler_base.stack.len()
                )));
            }
            let mut h = handler_base.clone();
            h.stack.truncate(e.depth);
            if e.lasti {
                h.stack.push(Ty::Lasti);
            }
            h.stack.push(Ty::Any);
            self.arrive(e.target, &h)
                .map_err(|m| fail(format!("entering handler at offset {}: {m}", 2 * e.target)))?;
        }
        self.successors(&ins, &state, after).map_err(fail)
    }

    /// Decodes the instruction starting at `start`, saying why it does not decode.
    fn decode(&self, start: usize) -> Result<Instruction, Problem> {
        if let Some(ins) = self.code.decode_at(start) {
            if ins.next_index() > self.code.len_units() {
                return Err(Problem::at(
                    ins.index,
                    Some(ins.opcode.name()),
                    format!(
                        "its {} inline cache unit(s) run past the end of co_code",
                        ins.opcode.cache_entries()
                    ),
                ));
            }
            return Ok(ins);
        }
        // Find the unit at fault: an undefined byte, or EXTENDED_ARG prefixes that run off
        // the end.
        let mut last = start;
        for unit in self.code.units_from(start) {
            last = unit.index;
            match unit.opcode {
                None => {
                    return Err(Problem::at(
                        unit.index,
                        None,
                        format!(
                            "byte {} is not a CPython 3.12 base opcode (undefined, specialised or instrumented)",
                            unit.byte
                        ),
                    ))
                }
                Some(Opcode::EXTENDED_ARG) => continue,
                Some(_) => break,
            }
        }
        Err(Problem::at(
            last,
            Some("EXTENDED_ARG"),
            "EXTENDED_ARG at the end of co_code",
        ))
    }

    /// KW_NAMES names the keyword arguments of the CALL that follows it.
    fn check_kw_names(&self, ins: &Instruction) -> Result<(), String> {
        if ins.opcode != Opcode::KW_NAMES {
            return Ok(());
        }
        let n = match self.code.co_consts.get(ins.arg as usize) {
            Some(Constant::Tuple(items)) => items.len(),
            _ => 0,
        };
        match self.code.decode_at(ins.next_index()) {
            Some(call) if call.opcode == Opcode::CALL && call.arg as usize >= n => Ok(()),
            Some(call) if call.opcode == Opcode::CALL => Err(format!(
                "{n} keyword name(s) for a CALL of {} argument(s)",
                call.arg
            )),
            _ => Err("not followed by CALL".to_owned()),
        }
    }

    /// The state after `ins` on its fall-through path, and the state an exception raised
    /// by it unwinds from (its stack without the operands it consumes).
    fn transfer(&self, ins: &Instruction, state: &State) -> Result<(State, State), String> {
        use Opcode as O;
        let arg = ins.arg;
        // Whether the effect depends on the oparg, asked with opargs that cannot overflow.
        if arg > MAX_STACK_OPARG && ins.opcode.stack_effect(0) != ins.opcode.stack_effect(1) {
            return Err(format!("oparg {arg} is beyond any stack"));
        }
        let (pops, pushes) = ins.opcode.stack_effect(arg);
        let (pops, pushes) = (pops as usize, pushes as usize);
        let depth = state.stack.len();
        if pops > depth {
            return Err(format!("pops {pops} value(s), the stack holds {depth}"));
        }
        // Refused before the state is built (see MAX_DEPTH).
        let new_depth = depth - pops + pushes;
        if new_depth > MAX_DEPTH.min(self.limit) {
            return Err(if new_depth > self.limit {
                format!("stack depth {new_depth} above co_stacksize {}", self.limit)
            } else {
                format!("stack depth {new_depth} beyond the {MAX_DEPTH} the verifier follows")
            });
        }
        self.check_inputs(ins, state)?;
        let mut after = state.clone();
        let base_len = depth - pops;
        let mut base = state.clone();
        base.stack
            .truncate(base_len + kept(ins.opcode, arg as usize).min(pops));
        if ins.opcode == O::YIELD_VALUE {
            // Thrown into while suspended: the frame resumes with the sent value (None)
            // pushed (`gen_send_ex2`), and raises there.
            base.stack.push(Ty::Any);
        }
        let s = &mut after.stack;
        match ins.opcode {
            // The stack shuffles keep what they move.
            O::COPY => s.push(s[depth - arg as usize]),
            O::SWAP => s.swap(depth - 1, depth - arg as usize),
            // (container, unused[oparg-1], v -- container, unused[oparg-1]) and the like.
            O::LIST_APPEND
            | O::SET_ADD
            | O::LIST_EXTEND
            | O::SET_UPDATE
            | O::DICT_MERGE
            | O::DICT_UPDATE => {
                s.pop();
            }
            O::MAP_ADD => {
                s.truncate(depth - 2);
            }
            O::RERAISE => {
                s.pop();
            }
            _ => {
                s.truncate(base_len);
                let pushed = self.pushed(ins, state, after.cells.as_slice())?;
                debug_assert_eq!(pushed.len(), pushes);
                s.extend(pushed);
            }
        }
        // The slot facts.
        let slot = arg as usize;
        match ins.opcode {
            O::MAKE_CELL => after.cells[slot] = true,
            O::COPY_FREE_VARS => {
                let n = after.cells.len();
                for c in &mut after.cells[n - slot..] {
                    *c = true;
                }
            }
            O::LOAD_FAST_AND_CLEAR | O::DELETE_FAST => after.cells[slot] = false,
            O::STORE_FAST => after.cells[slot] = state.peek(0) == Some(Ty::Cell),
            O::RETURN_GENERATOR => after.started = true,
            _ => {}
        }
        Ok((after, base))
    }

    /// What the instruction pushes, for the instructions that are not stack shuffles.
    fn pushed(&self, ins: &Instruction, state: &State, cells: &[bool]) -> Result<Vec<Ty>, String> {
        use Opcode as O;
        let arg = ins.arg;
        let (pops, pushes) = ins.opcode.stack_effect(arg);
        let inputs = &state.stack[state.stack.len() - pops as usize..];
        let mut out = vec![Ty::Any; pushes as usize];
        match ins.opcode {
            O::PUSH_NULL => out[0] = Ty::Null,
            O::LOAD_CONST => {
                if let Some(c) = self.code.co_consts.get(arg as usize) {
                    out[0] = Ty::of_constant(arg, c);
                }
            }
            O::LOAD_FAST_AND_CLEAR => {
                out[0] = if cells[arg as usize] {
                    Ty::Cell
                } else {
                    Ty::MaybeNull
                };
            }
            O::LOAD_FAST | O::LOAD_FAST_CHECK if cells[arg as usize] => out[0] = Ty::Cell,
            O::LOAD_CLOSURE => out[0] = Ty::Cell,
            O::LOAD_GLOBAL if arg & 1 == 1 => out[0] = Ty::Null,
            O::LOAD_ATTR | O::LOAD_SUPER_ATTR if arg & 1 == 1 => out[0] = Ty::MaybeNull,
            O::BUILD_LIST => out[0] = Ty::List,
            O::BUILD_SET => out[0] = Ty::Set,
            O::BUILD_MAP | O::BUILD_CONST_KEY_MAP => out[0] = Ty::Dict,
            O::BUILD_TUPLE => {
                out[0] = Ty::Tuple {
                    len: Some(arg),
                    strs: false,
                    cells: inputs.iter().all(|t| *t == Ty::Cell),
                }
            }
            O::CALL_INTRINSIC_1 if Intrinsic1::from_oparg(arg) == Some(Intrinsic1::ListToTuple) => {
                out[0] = Ty::Tuple {
                    len: None,
                    strs: false,
                    cells: false,
                }
            }
            _ => {}
        }
        // The inputs it leaves in place keep their facts.
        let k = kept(ins.opcode, arg as usize)
            .min(inputs.len())
            .min(out.len());
        out[..k].copy_from_slice(&inputs[..k]);
        Ok(out)
    }

    /// The inputs' facts: no NULL where a value is needed, the types the evaluator reads,
    /// the cells LOAD_DEREF and its kin read.
    fn check_inputs(&self, ins: &Instruction, state: &State) -> Result<(), String> {
        use Opcode as O;
        let arg = ins.arg as usize;
        let (pops, _) = ins.opcode.stack_effect(ins.arg);
        let pops = pops as usize;
        let need = |depth: usize, what: &str, ok: &dyn Fn(Ty) -> bool| -> Result<(), String> {
            match state.peek(depth) {
                Some(t) if ok(t) => Ok(()),
                Some(t) => Err(format!(
                    "needs {what} at stack depth {depth}, finds {}",
                    t.describe()
                )),
                None => Err(format!(
                    "needs {what} at stack depth {depth}, the stack holds {}",
                    state.stack.len()
                )),
            }
        };
        // The inputs that may be NULL; all others must not.
        let nullable_at = |depth: usize| -> bool {
            match ins.opcode {
                O::STORE_FAST | O::SWAP => true,
                O::CALL => depth == arg + 1,
                O::CALL_FUNCTION_EX => depth == 2 + (arg & 1),
                _ => false,
            }
        };
        let checked: usize = match ins.opcode {
            // What the shuffles and container updates move but do not read.
            O::COPY => {
                need(arg - 1, "a value", &|t| !t.nullable())?;
                0
            }
            O::LIST_APPEND
            | O::SET_ADD
            | O::LIST_EXTEND
            | O::SET_UPDATE
            | O::DICT_MERGE
            | O::DICT_UPDATE
            | O::RERAISE => 1,
            O::MAP_ADD => 2,
            _ => pops,
        };
        for depth in 0..checked {
            if !nullable_at(depth) {
                need(depth, "a value", &|t| !t.nullable())?;
            }
        }
        let tuple = |strs: bool, len: Option<u32>| {
            move |t: Ty| match t {
                Ty::Tuple {
                    len: l, strs: s, ..
                } => (!strs || s) && (len.is_none() || len == l),
                _ => false,
            }
        };
        match ins.opcode {
            O::LIST_APPEND | O::LIST_EXTEND => need(arg, "a list", &|t| t == Ty::List)?,
            O::SET_ADD | O::SET_UPDATE => need(arg, "a set", &|t| t == Ty::Set)?,
            O::MAP_ADD => need(arg + 1, "a dict", &|t| t == Ty::Dict)?,
            O::DICT_MERGE | O::DICT_UPDATE => need(arg, "a dict", &|t| t == Ty::Dict)?,
            // RERAISE n takes any value as the lasti: CPython makes an int of it
            // (SystemError for a value that is not one), and so does the evaluator.
            O::RERAISE if arg > 0 => {
                need(arg, "a value", &|t| !matches!(t, Ty::Null | Ty::MaybeNull))?
            }
            O::BUILD_CONST_KEY_MAP => need(
                0,
                &format!("a tuple of {arg} keys"),
                &tuple(false, u32::try_from(arg).ok()),
            )?,
            O::MATCH_CLASS => need(0, "a tuple of str", &tuple(true, None))?,
            O::MATCH_KEYS => need(0, "a tuple", &tuple(false, None))?,
            O::IMPORT_NAME => need(1, "an int", &|t| t == Ty::Int)?,
            O::CALL_INTRINSIC_1
                if Intrinsic1::from_oparg(ins.arg) == Some(Intrinsic1::ListToTuple) =>
            {
                need(0, "a list", &|t| t == Ty::List)?
            }
            O::MAKE_FUNCTION => self.check_make_function(ins, state, &need)?,
            _ => {}
        }
        // Cells.
        if slot_use(ins.opcode) == Some(SlotUse::Deref) && !state.cells[arg] {
            let kind = self.code.co_localspluskinds[arg];
            let how = if kind & kinds::CO_FAST_FREE != 0 {
                "COPY_FREE_VARS"
            } else {
                "MAKE_CELL"
            };
            return Err(format!(
                "slot {arg} ({}) may not hold a cell yet (no {how} on every path)",
                self.code.co_localsplusnames[arg]
            ));
        }
        // Generators: the frame is a generator's only after RETURN_GENERATOR.
        match ins.opcode {
            O::RETURN_GENERATOR if !self.generator => {
                return Err("RETURN_GENERATOR in code that is not a generator's".into())
            }
            O::RETURN_GENERATOR if state.started => {
                return Err("RETURN_GENERATOR runs a second time".into())
            }
            O::YIELD_VALUE if !self.generator || !state.started => {
                return Err("yields outside a generator's frame".into())
            }
            // The value an async generator yields is wrapped by its own frame.
            O::CALL_INTRINSIC_1
                if Intrinsic1::from_oparg(ins.arg) == Some(Intrinsic1::AsyncGenWrap)
                    && (self.code.co_flags & flags::CO_ASYNC_GENERATOR == 0 || !state.started) =>
            {
                return Err("wraps an async generator's value outside its frame".into())
            }
            _ => {}
        }
        Ok(())
    }

    /// MAKE_FUNCTION `(defaults?, kwdefaults?, annotations?, closure?, code -- func)`.
    fn check_make_function(
        &self,
        ins: &Instruction,
        state: &State,
        need: &Need,
    ) -> Result<(), String> {
        need(0, "a code object", &|t| matches!(t, Ty::Code(_)))?;
        let Some(Ty::Code(index)) = state.peek(0) else {
            return Ok(());
        };
        let Some(Constant::Code(inner)) = self.code.co_consts.get(index as usize) else {
            return Ok(());
        };
        if ins.arg & make_function::CLOSURE != 0 {
            let n = u32::try_from(inner.nfree()).ok();
            // A value not known here (a function's __closure__ read at run time) is
            // checked by the evaluator, which refuses anything but a tuple of that many
            // cells.
            need(1, &format!("a tuple of {} cells", inner.nfree()), &|t| {
                t == Ty::Any || matches!(t, Ty::Tuple { len, cells: true, .. } if len == n)
            })?;
        } else if inner.nfree() > 0 {
            return Err(format!(
                "makes a function of code with {} free variable(s) without a closure",
                inner.nfree()
            ));
        }
        // The annotations, keyword defaults and defaults below may be any value: the
        // function of a PEP 695 scope receives its defaults as arguments.
        Ok(())
    }

    /// Sends the state after `ins` where control goes next.
    fn successors(
        &mut self,
        ins: &Instruction,
        before: &State,
        after: State,
    ) -> Result<(), String> {
        use Opcode as O;
        let next = ins.next_index();
        let len = self.code.len_units();
        let falls = |flow: &mut Flow, state: &State| -> Result<(), String> {
            if next >= len {
                return Err("falls off the end of co_code".to_owned());
            }
            flow.arrive(next, state)
        };
        let target = ins.jump_target();
        match ins.opcode {
            O::RETURN_VALUE | O::RETURN_CONST | O::RAISE_VARARGS | O::RERAISE => Ok(()),
            O::JUMP_FORWARD | O::JUMP_BACKWARD | O::JUMP_BACKWARD_NO_INTERRUPT => {
                self.jump(ins, target, &after)
            }
            O::FOR_ITER => {
                // Exhausted: the iterator is popped and control goes past the END_FOR the
                // jump names (`JUMPBY(oparg + 1)`).
                let end_for = target.filter(|t| {
                    *t < len
                        && self.starts[*t]
                        && self.code.decode_at(*t).map(|i| (i.index, i.opcode))
                            == Some((*t, O::END_FOR))
                });
                let Some(end_for) = end_for else {
                    return Err("its target is not an END_FOR".to_owned());
                };
                let mut exhausted = before.clone();
                exhausted.stack.pop();
                if end_for + 1 >= len {
                    return Err("the loop's exit falls off the end of co_code".to_owned());
                }
                self.arrive(end_for + 1, &exhausted)?;
                falls(self, &after)
            }
            O::RETURN_GENERATOR => {
                // The generator's first send pushes its value (None) when it resumes here.
                let mut resumed = after;
                resumed.stack.push(Ty::Any);
                falls(self, &resumed)
            }
            _ if target.is_some() || ins.opcode.arg_kind() == crate::opcode::ArgKind::Jump => {
                self.jump(ins, target, &after)?;
                falls(self, &after)
            }
            _ => falls(self, &after),
        }
    }
}

/// Whether an instruction can raise an exception (and so unwind to a handler). The ones
/// that cannot only move values or set locals; the eval breaker, which can raise (a
/// signal handler's exception), is checked by RESUME and JUMP_BACKWARD only.
fn can_raise(op: Opcode) -> bool {
    use Opcode as O;
    !matches!(
        op,
        O::NOP
            | O::POP_TOP
            | O::PUSH_NULL
            | O::SWAP
            | O::COPY
            | O::LOAD_CONST
            | O::LOAD_FAST
            | O::STORE_FAST
            | O::LOAD_FAST_AND_CLEAR
            | O::PUSH_EXC_INFO
            | O::POP_EXCEPT
            | O::JUMP_FORWARD
            | O::JUMP_BACKWARD_NO_INTERRUPT
            | O::EXTENDED_ARG
            | O::RETURN_VALUE
            | O::RETURN_CONST
            | O::END_FOR
            | O::END_SEND
            | O::COPY_FREE_VARS
            | O::MAKE_CELL
            | O::KW_NAMES
            | O::POP_JUMP_IF_NONE
            | O::POP_JUMP_IF_NOT_NONE
    )
}

/// How many of an instruction's inputs, counted from the bottom, it leaves in place (the
/// names `bytecodes.c` repeats on both sides of `--`): an exception it raises unwinds with
/// them still on the stack.
fn kept(op: Opcode, arg: usize) -> usize {
    use Opcode as O;
    match op {
        O::GET_LEN
        | O::MATCH_MAPPING
        | O::MATCH_SEQUENCE
        | O::CHECK_EXC_MATCH
        | O::GET_ANEXT
        | O::FOR_ITER
        | O::SEND
        | O::IMPORT_FROM => 1,
        O::MATCH_KEYS => 2,
        O::WITH_EXCEPT_START => 4,
        O::LIST_APPEND | O::SET_ADD | O::LIST_EXTEND | O::SET_UPDATE | O::RERAISE => arg,
        _ => 0,
    }
}
