//! Tracing (spec chapter `tracing`): the events `sys.settrace` delivers in CPython 3.12
//! (Python/legacy_tracing.c over Python/instrumentation.c), produced once and delivered to
//! two independent observers: the program's trace function, and the harness's `trace` and
//! `snapshots` channels (spec/INTERPRETING.md §3).
//!
//! The evaluator calls [`before_instruction`] only when `TraceState::active` is set.

use crate::code::Instruction;
use crate::opcode::Opcode;
use crate::RunOptions;

use std::rc::Rc;

use super::interp::{Vm, C_RECURSION_LIMIT};
use super::monitoring::{self, Event as Mon};
use super::object::{Args, Value};
use super::profile;
use super::{PyResult, Throw};

/// At most this many snapshot blocks per run (INTERPRETING.md §3).
const MAX_SNAPSHOTS: usize = 50;

#[derive(Debug, Default)]
pub struct TraceState {
    /// Any observer is on: the evaluator calls the tracing wrapper.
    pub active: bool,
    /// The harness's trace channel, when asked for.
    pub events: Option<Vec<String>>,
    pub snapshot_lines: Vec<u32>,
    pub snapshots: Option<String>,
    pub snapshot_count: usize,
    /// The `internals` channel: one block per snapshot (spec/INTERNALS.md).
    pub internals: Option<Vec<super::internals::InternalsBlock>>,
    /// The program's global trace function (CPython `c_traceobj`), None when unset.
    pub sys_trace: Value,
    /// A C trace function `_testcapi` installed (`c_tracefunc` other than
    /// `trace_trampoline`); `sys_trace` is then its object, a list.
    pub c_trace: Option<CTrace>,
    /// The program's profile function (CPython `c_profileobj`), None when unset; see
    /// `profile`.
    pub sys_profile: Value,
    /// Non-zero while a trace function runs (CPython `tstate->tracing`): no events then.
    pub tracing: u32,
    /// Some frame ever had `f_trace_opcodes` set (CPython `interp->f_opcode_trace_set`).
    pub opcode_trace_set: bool,
    /// `opcode` events are on: decided when `sys.settrace` is called, from
    /// `opcode_trace_set` (3.12 `_PyEval_SetTrace` enables INSTRUCTION events only then).
    pub opcode_events: bool,
    /// The monitoring event whose callback is running (CPython `tstate->what_event`), which
    /// decides whether `f_lineno` may be set; `None` outside any.
    pub what_event: Option<What>,
    /// The serial of the frame that event belongs to.
    pub event_frame: Option<u64>,
    /// Set by a jump (`f_lineno` assigned): the frame goes on at its new `next_instr`.
    pub jumped: bool,
    /// `sys.monitoring`'s tools and event sets.
    pub monitors: super::monitoring::Monitors,
    /// Some tool has some event set (`Monitors::any`), so the evaluator must look.
    pub monitoring: bool,
    /// The harness's monitoring observer (`pyobserver`): its tool id and the program's
    /// files. Its callbacks do nothing visible for other code (they return DISABLE or
    /// return at once), so an event there that only it wants is invisible.
    pub observer_tool: Option<(usize, Vec<Rc<str>>)>,
}

impl TraceState {
    pub fn new(options: &RunOptions) -> TraceState {
        // With a Python observer (`pyobserver`) the native recorder stays off.
        let native = options.observer.is_none();
        let mut t = TraceState {
            events: (native && options.trace).then(Vec::new),
            snapshot_lines: if native {
                options.snapshot_lines.clone()
            } else {
                Vec::new()
            },
            snapshots: (native && !options.snapshot_lines.is_empty()).then(String::new),
            internals: (native && options.internals && !options.snapshot_lines.is_empty())
                .then(Vec::new),
            ..TraceState::default()
        };
        t.update();
        t
    }

    fn harness(&self) -> bool {
        self.events.is_some() || self.snapshots.is_some()
    }

    fn update(&mut self) {
        let program = !self.sys_trace.is_none() || !self.sys_profile.is_none() || self.monitoring;
        self.active = self.harness() || program;
        let watched = self.events.is_some() || program;
        let _ = super::ops::generators::TRACED.try_with(|t| t.set(watched));
    }

    /// After a change of `sys.monitoring`'s event sets.
    pub fn monitoring_changed(&mut self) {
        self.monitors.refresh();
        self.monitoring = self.monitors.any();
        self.update();
    }

    /// `PyEval_SetTrace(func, list)` with one of `_testcapi`'s C trace functions.
    pub fn set_c_trace(&mut self, kind: CTrace, list: Value) {
        self.set_sys_trace(list);
        self.c_trace = Some(kind);
    }

    pub fn set_sys_trace(&mut self, f: Value) {
        self.c_trace = None;
        self.opcode_events = !f.is_none() && self.opcode_trace_set;
        self.sys_trace = f;
        self.update();
    }

    /// Sets the profile function (`profile::set_profile`); returns the previous one.
    pub fn set_sys_profile(&mut self, f: Value) -> Value {
        let old = std::mem::replace(&mut self.sys_profile, f);
        self.update();
        old
    }
}

/// What of the tracing state is a thread's own (CPython keeps it in the thread state): its
/// trace and profile functions, whether one of them is running, the event being delivered.
/// `sys.monitoring` is the interpreter's, shared by every thread.
#[derive(Debug, Default)]
pub struct ThreadTrace {
    sys_trace: Value,
    c_trace: Option<CTrace>,
    sys_profile: Value,
    opcode_events: bool,
    tracing: u32,
    what_event: Option<What>,
    event_frame: Option<u64>,
    jumped: bool,
}

impl TraceState {
    /// Puts `other` in place as the running thread's tracing state and returns the one it
    /// replaces (a new thread starts with `ThreadTrace::default()`: no trace function).
    pub fn swap_thread(&mut self, mut other: ThreadTrace) -> ThreadTrace {
        std::mem::swap(&mut self.sys_trace, &mut other.sys_trace);
        std::mem::swap(&mut self.c_trace, &mut other.c_trace);
        std::mem::swap(&mut self.sys_profile, &mut other.sys_profile);
        std::mem::swap(&mut self.opcode_events, &mut other.opcode_events);
        std::mem::swap(&mut self.tracing, &mut other.tracing);
        std::mem::swap(&mut self.what_event, &mut other.what_event);
        std::mem::swap(&mut self.event_frame, &mut other.event_frame);
        std::mem::swap(&mut self.jumped, &mut other.jumped);
        self.update();
        other
    }
}

/// `_testcapi`'s C trace functions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CTrace {
    /// `record_func`: appends `(what, line, arg)` to its list.
    Record,
    /// `error_func`: raises once, marking its list.
    Error,
}

/// The PEP 669 event a legacy trace event comes from (Python/legacy_tracing.c maps them:
/// PY_START, PY_RESUME and PY_THROW are `call`; LINE and JUMP `line`; PY_RETURN, PY_YIELD
/// and PY_UNWIND `return`; RAISE and STOP_ITERATION `exception`; INSTRUCTION `opcode`).
/// `CALL`, `C_RETURN` and `C_RAISE` are the profiler's native-call events.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum What {
    PyStart,
    PyResume,
    PyReturn,
    PyYield,
    Call,
    Line,
    Instruction,
    Jump,
    Branch,
    StopIteration,
    Raise,
    ExceptionHandled,
    PyUnwind,
    PyThrow,
    Reraise,
    CReturn,
    CRaise,
}

impl What {
    fn event(self) -> Event {
        match self {
            What::PyStart | What::PyResume | What::PyThrow => Event::Call,
            What::Line | What::Jump => Event::Line,
            What::PyReturn | What::PyYield | What::PyUnwind => Event::Return,
            What::Raise | What::StopIteration => Event::Exception,
            What::Instruction => Event::Opcode,
            // Events legacy tracing does not map (and the profiler's); never delivered
            // to a trace function.
            What::Call
            | What::CReturn
            | What::CRaise
            | What::Branch
            | What::ExceptionHandled
            | What::Reraise => Event::Call,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Call,
    Line,
    Return,
    Exception,
    Opcode,
}

impl Event {
    /// `PyTrace_CALL` … `PyTrace_OPCODE`, what a C trace function receives.
    fn number(self) -> i64 {
        match self {
            Event::Call => 0,
            Event::Exception => 1,
            Event::Line => 2,
            Event::Return => 3,
            Event::Opcode => 7,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Event::Call => "call",
            Event::Line => "line",
            Event::Return => "return",
            Event::Exception => "exception",
            Event::Opcode => "opcode",
        }
    }
}

/// Runs before each instruction while tracing: `call` at RESUME (PY_START / PY_RESUME),
/// `line` where an instrumented line starts and the previous instruction was on another
/// line (or was RESUME), `opcode` when the frame asks, and the `line` event of a backward
/// jump that stays on its line. spec: tracing.settrace.call, tracing.settrace.line
///
/// Returns true when a trace function jumped (`f_lineno` set): the frame then goes on at
/// its new `next_instr` and this instruction does not run.
pub fn before_instruction(vm: &mut Vm, ins: &Instruction) -> PyResult<bool> {
    if vm.trace.tracing > 0 {
        return Ok(false);
    }
    let f = vm.top()?;
    let info = f.info.clone();
    let prev = f.prev_instr;
    let starts_line =
        (ins.start..=ins.index).any(|u| info.line_start.get(u).copied().unwrap_or(false));
    let mut line = None;
    if starts_line {
        let this = info.line(ins.index);
        let prev_line = prev.and_then(|p| info.line(p));
        let prev_is_resume = prev
            .and_then(|p| info.code.decode_at(p))
            .is_some_and(|i| i.opcode == Opcode::RESUME);
        if this.is_some() && (this != prev_line || prev_is_resume) {
            line = this;
        }
    }
    f.prev_instr = Some(ins.index);
    // An exception from a trace function is raised at this instruction, inside its
    // handlers (INSTRUMENTED_LINE's error exit is at `here`).
    f.instr = Some(ins.index);
    let at = ins.index;
    let offset = Value::Int(2 * at as i64);
    // Each event goes to the legacy trace function (tool 7) and then to the monitoring
    // tools, highest id first (`call_instrumentation_vector`); a jump a callback made
    // takes effect once all had it.
    if ins.opcode == Opcode::RESUME {
        let (what, event) = if ins.arg == 0 {
            (What::PyStart, Mon::PY_START)
        } else {
            (What::PyResume, Mon::PY_RESUME)
        };
        deliver(vm, what, None, Value::None)?;
        monitoring::fire(vm, event, at, std::slice::from_ref(&offset))?;
        if take_jump(vm) {
            return Ok(true);
        }
    }
    if let Some(l) = line {
        deliver(vm, What::Line, Some(l), Value::None)?;
        monitoring::fire(vm, Mon::LINE, at, &[Value::Int(i64::from(l))])?;
        if take_jump(vm) {
            return Ok(true);
        }
    }
    // INSTRUCTION events skip RESUME and what precedes it (MAKE_CELL, COPY_FREE_VARS),
    // and END_FOR (3.12 instruments neither).
    let traceable = ins.opcode != Opcode::RESUME
        && ins.opcode != Opcode::END_FOR
        && ins.index > info.first_traceable;
    let wants_opcodes = vm.trace.opcode_events
        && traceable
        && vm
            .top()?
            .frame_obj
            .as_ref()
            .is_some_and(|fo| fo.trace_opcodes.get());
    if wants_opcodes {
        deliver(vm, What::Instruction, None, Value::None)?;
    }
    if traceable {
        monitoring::fire(vm, Mon::INSTRUCTION, at, std::slice::from_ref(&offset))?;
    }
    if take_jump(vm) {
        return Ok(true);
    }
    if ins.opcode == Opcode::END_SEND {
        stop_iteration_event(vm, ins)?;
    }
    if matches!(ins.opcode, Opcode::JUMP_BACKWARD | Opcode::JUMP_FORWARD) {
        let Some(target) = ins.jump_target() else {
            return Ok(false);
        };
        // The event comes after the jump (`_Py_call_instrumentation_jump`): the frame is at
        // the target while the callbacks run, and back at the jump for the line event.
        vm.top()?.prev_instr = Some(target);
        // CPython's JUMP event (legacy `sys_trace_jump_func`): a backward jump to the same
        // line re-announces the line; other jumps are left to the target's line event.
        let from = info.line(ins.index);
        let to = info.line(target);
        if ins.opcode == Opcode::JUMP_BACKWARD && to.is_some() && to == from {
            deliver(vm, What::Jump, to, Value::None)?;
        }
        monitoring::fire(vm, Mon::JUMP, at, &[offset, Value::Int(2 * target as i64)])?;
        if take_jump(vm) {
            return Ok(true);
        }
        vm.top()?.prev_instr = Some(at);
    }
    Ok(false)
}

/// A BRANCH event from code unit `at` to `dest`, with the frame at `dest` while the
/// callbacks run (`_Py_call_instrumentation_jump`). True when a callback jumped.
fn branch(vm: &mut Vm, at: usize, dest: usize) -> PyResult<bool> {
    vm.top()?.prev_instr = Some(dest);
    monitoring::fire(vm, Mon::BRANCH, at, &[offset(at), offset(dest)])?;
    if take_jump(vm) {
        return Ok(true);
    }
    vm.top()?.prev_instr = Some(at);
    Ok(false)
}

/// The BRANCH event of a FOR_ITER that resumed a generator inline, once the generator
/// yielded or returned into it: from the FOR_ITER (the frame's last instruction) to where
/// the loop goes on (INSTRUMENTED_FOR_ITER runs the generator to its next yield first).
pub fn for_iter_branch(vm: &mut Vm) -> PyResult<()> {
    if vm.trace.tracing > 0 || !monitoring::wanted(vm, Mon::BRANCH) {
        return Ok(());
    }
    let f = vm.top()?;
    let (Some(at), dest) = (f.instr, f.next_instr) else {
        return Ok(());
    };
    if f.info.code.decode_at(at).map(|i| i.opcode) != Some(Opcode::FOR_ITER) {
        return Ok(());
    }
    branch(vm, at, dest).map(|_| ())
}

/// A generator that a `for` loop resumed inline returned `value` into it. CPython 3.12
/// reports that according to how FOR_ITER is specialized there: instrumented for BRANCH
/// (a tool's BRANCH or `sys.settrace`), a RAISE of the StopIteration at FOR_ITER when the
/// value is not None; plain, the same on its first run; specialized for generators
/// (from its second run, `FOR_ITER_GEN`), a STOP_ITERATION at END_FOR whatever the
/// value. A FOR_ITER instrumented for LINE never specializes (INSTRUMENTED_LINE bumps the
/// underlying instruction's adaptive counter so it cannot overwrite the instrumentation),
/// nor does one under a LINE-instrumented `for` line. The VM does not model
/// specialization, so where a tool would tell the others apart it stops as unsupported.
pub fn for_iter_generator_ended(vm: &mut Vm, value: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    let line_instrumented = match vm.frames.last() {
        Some(f) => f.instr.is_some_and(|at| {
            f.info.line_start.get(at).copied().unwrap_or(false)
                && vm.trace.monitors.instruments(&f.info.code, at, Mon::LINE)
        }),
        None => false,
    };
    let instrumented =
        !vm.trace.sys_trace.is_none() || monitoring::wanted(vm, Mon::BRANCH) || line_instrumented;
    let wanted = |ev| match (vm.frames.last(), &vm.trace.observer_tool) {
        (Some(f), Some((tool, files)))
            if !files.iter().any(|n| **n == *f.info.code.co_filename) =>
        {
            vm.trace.monitoring && vm.trace.monitors.wants_besides(&f.info.code, ev, *tool)
        }
        _ => monitoring::wanted(vm, ev),
    };
    let told_apart = wanted(Mon::STOP_ITERATION) || (!value.is_none() && wanted(Mon::RAISE));
    if !instrumented && told_apart {
        return Err(vm.unsupported(
            "sys.monitoring's events for a for loop over a generator that returns (CPython \
             3.12 reports them according to its specialization of FOR_ITER)",
        ));
    }
    Ok(())
}

/// Whether a callback jumped (set `f_lineno`) since this was last asked.
fn take_jump(vm: &mut Vm) -> bool {
    std::mem::take(&mut vm.trace.jumped)
}

/// After an instruction ran: the BRANCH event of a conditional jump or a `for` loop's
/// FOR_ITER, with where it went (3.12's INSTRUMENTED_POP_JUMP_IF_* and
/// INSTRUMENTED_FOR_ITER). Returns true when a callback jumped.
pub fn after_instruction(vm: &mut Vm, ins: &Instruction, serial: u64) -> PyResult<bool> {
    use Opcode as O;
    if !matches!(
        ins.opcode,
        O::POP_JUMP_IF_FALSE
            | O::POP_JUMP_IF_TRUE
            | O::POP_JUMP_IF_NONE
            | O::POP_JUMP_IF_NOT_NONE
            | O::FOR_ITER
    ) || vm.trace.tracing > 0
        || !monitoring::wanted(vm, Mon::BRANCH)
    {
        return Ok(false);
    }
    let f = vm.top()?;
    if f.serial != serial {
        // FOR_ITER resumed a generator inline: its BRANCH comes when the generator
        // yields or returns into it (`for_iter_branch`).
        return Ok(false);
    }
    let dest = f.next_instr;
    branch(vm, ins.index, dest)
}

/// `call` when a generator is resumed by `throw()` / `close()` (3.12 PY_THROW, mapped to
/// `call` by legacy tracing), at the line where it is suspended. spec: generators.tracing
pub fn throw_event(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    deliver(vm, What::PyThrow, None, Value::None)?;
    let at = current_unit(vm)?;
    // The profile function's `call` (tool 6, after the trace function's 7) carries the
    // exception, which `deliver` does not have.
    profile::py_event(vm, What::PyThrow, exc)?;
    monitoring::fire(vm, Mon::PY_THROW, at, &[offset(at), exc.clone()])
}

/// The code unit an event of the current frame names (CPython's `next_instr - 1`): the
/// instruction running, except in a frame a Python callee's exception came back to, where
/// `prev_instr` is the CALL's last cache unit, and after RERAISE, which restored
/// `prev_instr` to an earlier instruction: the later of the two is the one.
fn current_unit(vm: &mut Vm) -> PyResult<usize> {
    let f = vm.top()?;
    Ok(f.instr.max(f.prev_instr).unwrap_or(0))
}

fn offset(unit: usize) -> Value {
    Value::Int(2 * unit as i64)
}

/// END_SEND whose receiver is a generator: the sub-generator returned into the
/// delegating frame, which 3.12 reports as STOP_ITERATION (INSTRUMENTED_END_SEND), an
/// `exception` event with a fresh `StopIteration(value)`. Other receivers give none here
/// (their StopIteration, if any, was SEND's). spec: generators.tracing
fn stop_iteration_event(vm: &mut Vm, ins: &Instruction) -> PyResult<()> {
    let f = vm.top()?;
    if !matches!(f.peek(1)?, Value::Generator(_)) {
        return Ok(());
    }
    let value = f.peek(0)?;
    let line = f.info.line(ins.index);
    let exc = vm.new_exception(&vm.ty("StopIteration"), vec![value]);
    let arg = Value::tuple(vec![
        Value::Type(vm.type_of(&exc)),
        exc.clone(),
        Value::None,
    ]);
    deliver(vm, What::StopIteration, line, arg)?;
    monitoring::fire(
        vm,
        Mon::STOP_ITERATION,
        ins.index,
        &[offset(ins.index), exc],
    )
}

/// `return` with the returned or yielded value. spec: tracing.settrace.return
pub fn return_event(vm: &mut Vm, v: &Value, is_yield: bool) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    let (what, event) = if is_yield {
        (What::PyYield, Mon::PY_YIELD)
    } else {
        (What::PyReturn, Mon::PY_RETURN)
    };
    deliver(vm, what, None, v.clone())?;
    let at = current_unit(vm)?;
    monitoring::fire(vm, event, at, &[offset(at), v.clone()])?;
    // A jump at a yield has moved the suspended frame already; nothing else to do here.
    take_jump(vm);
    Ok(())
}

/// `return` with None when the frame exits by an exception (PY_UNWIND).
pub fn unwind_event(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    deliver(vm, What::PyUnwind, None, Value::None)?;
    let at = current_unit(vm)?;
    monitoring::fire(vm, Mon::PY_UNWIND, at, &[offset(at), exc.clone()])
}

/// `exception` with `(type, value, traceback)` (RAISE). spec: tracing.settrace.exception
pub fn exception_event(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    let tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    let arg = Value::tuple(vec![Value::Type(vm.type_of(exc)), exc.clone(), tb]);
    deliver(vm, What::Raise, None, arg)?;
    let at = current_unit(vm)?;
    monitoring::fire(vm, Mon::RAISE, at, &[offset(at), exc.clone()])
}

/// RERAISE (and the other instructions that re-raise: END_ASYNC_FOR, CLEANUP_THROW): a
/// `sys.monitoring` event only, which legacy tracing does not map.
pub fn reraise_event(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    let at = current_unit(vm)?;
    monitoring::fire(vm, Mon::RERAISE, at, &[offset(at), exc.clone()])
}

/// EXCEPTION_HANDLED: the unwinder found a handler at code unit `handler`
/// (`monitor_handled`); `sys.monitoring` only.
pub fn handled_event(vm: &mut Vm, handler: usize, exc: &Value) -> PyResult<()> {
    if vm.trace.tracing > 0 {
        return Ok(());
    }
    monitoring::fire(
        vm,
        Mon::EXCEPTION_HANDLED,
        handler,
        &[offset(handler), exc.clone()],
    )
}

/// Delivers one event to the harness's channels and the program's trace function (a jump
/// it makes is seen by `take_jump`).
fn deliver(vm: &mut Vm, what: What, line: Option<u32>, arg: Value) -> PyResult<()> {
    let event = what.event();
    if vm.trace.events.is_some() || vm.trace.snapshots.is_some() {
        record(vm, event, line, &arg)?;
    }
    if !vm.trace.sys_trace.is_none() {
        call_trace_function(vm, what, line, arg.clone())?;
    }
    // The profile function's `call` and `return`: tool 6, after the trace function's 7.
    if !vm.trace.sys_profile.is_none() && what != What::PyThrow {
        profile::py_event(vm, what, &arg)?;
    }
    Ok(())
}

/// The harness's observation: `EVENT NAME:LINE` for frames of the program's file.
fn record(vm: &mut Vm, event: Event, line: Option<u32>, arg: &Value) -> PyResult<()> {
    if event == Event::Opcode {
        return Ok(());
    }
    let filename = vm.top()?.info.code.co_filename.clone();
    let Some(prefix) = vm.channel_prefix(&filename) else {
        return Ok(());
    };
    let f = vm.top()?;
    let is_program = prefix.is_empty();
    let name = f.info.code.co_name.clone();
    let at = line.or_else(|| f.current_line());
    let at_text = at.map(|l| l.to_string()).unwrap_or_else(|| "None".into());
    let mut entry = format!("{} {}{}:{}", event.name(), prefix, name, at_text);
    if event == Event::Exception {
        if let Value::Tuple(t) = arg {
            if let Some(Value::Type(ty)) = t.first() {
                entry.push(' ');
                entry.push_str(&ty.name());
            }
        }
    }
    if let Some(events) = vm.trace.events.as_mut() {
        events.push(entry);
    }
    // Snapshot lines are lines of the program's own file.
    if event == Event::Line && is_program {
        if let Some(l) = at {
            if vm.trace.snapshot_lines.contains(&l) && vm.trace.snapshot_count < MAX_SNAPSHOTS {
                // The internals are read before the rendering, which makes the listed
                // frames' frame objects (CPython's adapter reads f_back and f_locals).
                if vm.trace.internals.is_some() {
                    let block = super::internals::read_chain(vm, l)?;
                    if let Some(blocks) = vm.trace.internals.as_mut() {
                        blocks.push(block);
                    }
                }
                // A block that fails to render (RecursionError) is not counted.
                let text = snapshot(vm, l)?;
                vm.trace.snapshot_count += 1;
                if let Some(s) = vm.trace.snapshots.as_mut() {
                    s.push_str(&text);
                }
            }
        }
    }
    Ok(())
}

/// One `@LINE` block: the frame chain from the current frame out to the module frame.
fn snapshot(vm: &mut Vm, line: u32) -> PyResult<String> {
    let mut out = format!("@{line}\n");
    let top = vm.frames.len();
    // The running thread's frames (its bottom frame has no f_back).
    let base = vm.stack_base();
    let budget = ReprBudget {
        c_base: vm.c_depth + ADAPTER_C_UNITS,
        frames_base: top - base + ADAPTER_FRAMES,
    };
    for i in (base..top).rev() {
        let Some(prefix) = vm.channel_prefix(&vm.frames[i].info.code.co_filename) else {
            continue;
        };
        let f = &mut vm.frames[i];
        let name = f.info.code.co_name.clone();
        let lineno = if i + 1 == top {
            Some(line)
        } else {
            f.current_line()
        };
        let is_module = f.func.is_none()
            && f.locals
                .as_ref()
                .is_some_and(|l| std::rc::Rc::ptr_eq(l, &f.globals));
        out.push_str(&format!(
            "  {}{}:{}",
            prefix,
            name,
            lineno
                .map(|l| l.to_string())
                .unwrap_or_else(|| "None".into())
        ));
        if !is_module {
            let locals = f.fast_to_locals();
            for (k, v) in locals.items() {
                let Value::Str(k) = k else { continue };
                if k.starts_with("__") && k.ends_with("__") {
                    continue;
                }
                let text = snapshot_repr(vm, &v, 1, &budget, &mut Vec::new())?;
                out.push_str(&format!(" {k}={text}"));
            }
        }
        out.push('\n');
        // The chain ends at the program's module frame; a module of the case being
        // imported has its own module frame further in.
        if is_module && prefix.is_empty() {
            break;
        }
    }
    Ok(out)
}

/// The snapshot repr of one value of the `internals` channel (read by the adapter with
/// the same `snapshot_repr`, from the monitoring callback).
pub(super) fn render_value(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let budget = ReprBudget {
        c_base: vm.c_depth + ADAPTER_C_UNITS,
        frames_base: vm.thread_depth() + ADAPTER_FRAMES,
    };
    snapshot_repr(vm, v, 1, &budget, &mut Vec::new())
}

/// C recursion units in use when CPython's adapter starts rendering a snapshot, beyond
/// those of the program (the monitoring callback's evaluator entry and the calls down to
/// `snapshot_repr`); calibrated against the cpython target (3.12.1).
const ADAPTER_C_UNITS: usize = 10;
/// Python frames the adapter has on the stack above the program's when it calls
/// `snapshot_repr` for a local (`on_line` → `line` → `render_snapshot`).
const ADAPTER_FRAMES: usize = 3;
/// C units one nesting level of the adapter's `snapshot_repr` holds: `str.join` (1) and
/// the evaluator entry of the generator expression it iterates (2).
const LEVEL_C_UNITS: usize = 3;

/// Where the snapshot repr's recursion starts, in CPython's two recursion budgets.
struct ReprBudget {
    c_base: usize,
    frames_base: usize,
}

/// INTERPRETING.md §3 "snapshot repr": `repr()` for scalars and containers of them,
/// `<TYPE>` for anything else, a container inside itself as `repr()` shows it (`[...]`).
///
/// The harness's CPython adapter renders by Python recursion: each nesting level costs
/// two Python frames (`snapshot_repr` and a generator expression) and [`LEVEL_C_UNITS`]
/// C units, so a deep enough value raises RecursionError out of the line event into
/// the program (the block is not recorded). This follows the same budgets, checked where
/// CPython checks them, so the depth is bounded (and the Rust recursion with it) and a
/// deep value fails at the depth and with the message CPython's target shows.
/// `depth` is 1 for a local's own value.
fn snapshot_repr(
    vm: &mut Vm,
    v: &Value,
    depth: usize,
    budget: &ReprBudget,
    active: &mut Vec<usize>,
) -> PyResult<String> {
    // A container's rendering can be far larger than the container (shared items).
    vm.check_heap()?;
    let units = budget.c_base + LEVEL_C_UNITS * (depth - 1);
    // Entering the adapter's `snapshot_repr` frame for this level.
    if budget.frames_base + 2 * depth - 1 > vm.recursion_limit {
        return Err(vm.err("RecursionError", "maximum recursion depth exceeded"));
    }
    // Its first act, `type(value) in _SCALAR_TYPES`, is a rich comparison.
    if units + 1 > C_RECURSION_LIMIT {
        return Err(vm.err(
            "RecursionError",
            "maximum recursion depth exceeded in comparison",
        ));
    }
    let (marker, addr) = match v {
        Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::BigInt(_)
        | Value::Float(_)
        | Value::Str(_) => {
            return vm.repr(v);
        }
        Value::List(l) => ("[...]", Rc::as_ptr(l) as *const () as usize),
        Value::Tuple(t) => ("(...)", t.as_ptr() as *const () as usize),
        Value::Dict(d) => ("{...}", Rc::as_ptr(d) as *const () as usize),
        // The adapter's snapshot repr knows `set` only: a frozenset is `<frozenset>`.
        Value::Set(s) if !s.frozen => ("{...}", Rc::as_ptr(s) as *const () as usize),
        // `type(v).__name__` (INTERPRETING.md §3): `StringIO`, not `_io.StringIO`.
        other => return Ok(format!("<{}>", vm.type_of(other).dunder_name())),
    };
    if active.contains(&addr) {
        return Ok(marker.into());
    }
    if let Value::Set(s) = v {
        if s.items.keys().is_empty() {
            return Ok("set()".into());
        }
    }
    // `", ".join(<genexpr>)`: the generator expression's evaluator entry and frame.
    if units + LEVEL_C_UNITS > C_RECURSION_LIMIT
        || budget.frames_base + 2 * depth > vm.recursion_limit
    {
        return Err(vm.err("RecursionError", "maximum recursion depth exceeded"));
    }
    active.push(addr);
    let rendered = render_container(vm, v, depth + 1, budget, active);
    active.pop();
    rendered
}

fn render_container(
    vm: &mut Vm,
    v: &Value,
    depth: usize,
    budget: &ReprBudget,
    active: &mut Vec<usize>,
) -> PyResult<String> {
    let mut join = |vm: &mut Vm, items: &[Value]| -> PyResult<String> {
        let mut parts = Vec::with_capacity(items.len());
        for i in items {
            parts.push(snapshot_repr(vm, i, depth, budget, active)?);
        }
        Ok(parts.join(", "))
    };
    Ok(match v {
        Value::List(l) => {
            let items = l.items.borrow().clone();
            format!("[{}]", join(vm, &items)?)
        }
        Value::Tuple(t) if t.len() == 1 => format!("({},)", join(vm, t)?),
        Value::Tuple(t) => format!("({})", join(vm, t)?),
        Value::Dict(d) => {
            let mut parts = Vec::new();
            for (k, x) in d.items() {
                let k = snapshot_repr(vm, &k, depth, budget, active)?;
                let x = snapshot_repr(vm, &x, depth, budget, active)?;
                parts.push(format!("{k}: {x}"));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Set(s) => format!("{{{}}}", join(vm, &s.items.keys())?),
        other => format!("<{}>", vm.type_of(other).name()),
    })
}

/// Delivers an event to the program's trace functions (CPython `trace_trampoline` +
/// `call_trampoline`): `call` goes to the global function and its result becomes
/// `f_trace`; other events go to `f_trace`, whose non-None result replaces it. An
/// exception in a trace function unsets tracing and propagates. spec: tracing.f_trace
fn call_trace_function(vm: &mut Vm, what: What, line: Option<u32>, arg: Value) -> PyResult<()> {
    let event = what.event();
    let index = vm.frames.len().saturating_sub(1);
    if let Some(kind) = vm.trace.c_trace {
        return call_c_trace_function(vm, kind, index, event, line, arg);
    }
    let callback = if event == Event::Call {
        vm.trace.sys_trace.clone()
    } else {
        match &vm.top()?.frame_obj {
            Some(fo) => {
                if event == Event::Line && !fo.trace_lines.get() {
                    return Ok(());
                }
                if event == Event::Opcode && !fo.trace_opcodes.get() {
                    return Ok(());
                }
                fo.trace.borrow().clone()
            }
            None => return Ok(()),
        }
    };
    if callback.is_none() {
        return Ok(());
    }
    let Some(fo) = vm.frame_object(index) else {
        return Ok(());
    };
    if fo.fast_as_locals.get() {
        vm.top()?.fast_to_locals();
    }
    if let Some(l) = line {
        fo.lineno.set(l);
    }
    let args = vec![Value::Frame(fo.clone()), Value::str(event.name()), arg];
    let result = call_callback(vm, what, fo.serial, &callback, args);
    fo.lineno.set(0);
    if fo.fast_as_locals.get() {
        if let Some(i) = vm.stack_index(&fo) {
            vm.frames[i].locals_to_fast();
        }
    }
    match result {
        Ok(r) => {
            if !r.is_none() {
                *fo.trace.borrow_mut() = r;
            }
            Ok(())
        }
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            vm.trace.set_sys_trace(Value::None);
            *fo.trace.borrow_mut() = Value::None;
            Err(Throw::Exc(e))
        }
        Err(fatal) => Err(fatal),
    }
}

/// A C trace function gets every event of every frame (no `f_trace` to choose), except
/// the `line` events of a frame with `f_trace_lines` off and the `opcode` events of one
/// without `f_trace_opcodes` (legacy_tracing.c checks both before `c_tracefunc`). Its
/// error is raised in the frame; tracing stays on (only `trace_trampoline` unsets it).
fn call_c_trace_function(
    vm: &mut Vm,
    kind: CTrace,
    index: usize,
    event: Event,
    line: Option<u32>,
    arg: Value,
) -> PyResult<()> {
    let Some(fo) = vm.frame_object(index) else {
        return Ok(());
    };
    if event == Event::Line && !fo.trace_lines.get() {
        return Ok(());
    }
    if event == Event::Opcode && !fo.trace_opcodes.get() {
        return Ok(());
    }
    let Value::List(list) = vm.trace.sys_trace.clone() else {
        return Ok(());
    };
    match kind {
        CTrace::Record => {
            // PyFrame_GetLineNumber: the line being announced for a line event.
            let lineno = match line {
                Some(l) => Some(l),
                None => vm.frame_lineno(&fo),
            };
            let lineno = lineno.map_or(Value::None, |l| Value::Int(i64::from(l)));
            let entry = Value::tuple(vec![Value::Int(event.number()), lineno, arg]);
            list.items.borrow_mut().push(entry);
            Ok(())
        }
        CTrace::Error => {
            if !list.items.borrow().is_empty() {
                return Ok(());
            }
            list.items.borrow_mut().push(Value::None);
            Err(vm.err("Exception", "an exception"))
        }
    }
}

/// Calls a trace, profile or monitoring callback for event `what` of frame `serial`:
/// with no events delivered meanwhile (`tstate->tracing`) and the event recorded for
/// `f_lineno` assignments (`tstate->what_event`), both restored after.
pub fn call_callback(
    vm: &mut Vm,
    what: What,
    serial: u64,
    callback: &Value,
    args: Vec<Value>,
) -> PyResult<Value> {
    vm.trace.tracing += 1;
    let outer = (vm.trace.what_event, vm.trace.event_frame);
    vm.trace.what_event = Some(what);
    vm.trace.event_frame = Some(serial);
    let result = vm.call(callback, Args::new(args));
    (vm.trace.what_event, vm.trace.event_frame) = outer;
    vm.trace.tracing -= 1;
    result
}
