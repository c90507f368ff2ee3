//! The `internals` channel (spec/INTERNALS.md, INTERPRETING.md §3): at each snapshot, the
//! fields CPython 3.12 keeps in `_PyInterpreterFrame` for every frame the snapshot lists,
//! read from the VM's own frames.
//!
//! The VM's frames already hold what CPython's hold (`Frame` is the interpreter frame:
//! `prev_instr`, the value stack in `localsplus`, `frame_obj`, the owning generator). What
//! differs is *how a callee was entered*: CPython's loop pushes some callees itself
//! ("inline": CALL of a Python function, CALL_FUNCTION_EX of a plain function, SEND to a
//! generator) and reaches the others through C, and the caller's `prev_instr`, saved stack
//! and `return_offset` depend on which (INTERNALS.md §3.2–3.4). The VM inlines more
//! (FOR_ITER over a generator, a bound method through CALL_FUNCTION_EX), so each frame
//! records whether CPython would have entered it inline (`Frame::cpython_inline`, set by
//! the instructions that inline in 3.12) and the caller's record follows that.
//!
//! What CPython decides by specialisation (LOAD_ATTR of a property or on a class with its
//! own `__getattribute__`, BINARY_SUBSCR with a Python `__getitem__`: through C on the
//! first run, inline from the second, except where line instrumentation keeps the
//! instruction unspecialised) the VM does not model: a snapshot whose chain holds such a
//! call is unsupported.

use std::rc::Rc;

use crate::code::kinds;
use crate::opcode::Opcode;

use super::frame::Frame;
use super::interp::Vm;
use super::object::Value;
use super::PyResult;

/// One snapshot's internals: the frames of its `@LINE` block, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalsBlock {
    pub line: u32,
    pub frames: Vec<FrameRecord>,
}

/// One interpreter frame (INTERNALS.md §5.2). A finished generator's held record has only
/// `gen_state` (`cleared`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameRecord {
    pub name: Option<String>,
    /// `thread`, `generator` or `frame_object`.
    pub owner: Option<String>,
    /// Only for frames owned by a generator.
    pub gen_state: Option<String>,
    /// Byte offset (`f_lasti`).
    pub prev_instr: Option<i64>,
    pub opname: Option<String>,
    /// Bytes; `None` where undefined (and always for held frames).
    pub return_offset: Option<i64>,
    pub frame_obj: Option<bool>,
    pub localsplus: Vec<SlotRecord>,
    /// Snapshot reprs bottom first (`None` for NULL), or `None` when undefined.
    pub stack: Option<Vec<Option<String>>>,
}

/// One local, cell or free slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotRecord {
    pub name: String,
    /// `local`, `cell`, `free`, `local+cell`.
    pub kind: String,
    pub hidden: bool,
    pub value: Option<String>,
    /// For a slot holding a cell: its contents (`None` for an empty cell).
    pub cell: Option<Option<String>>,
    /// The frame a not-running generator or a finished frame's frame object holds.
    pub frame: Option<Box<FrameRecord>>,
}

/// How the frame at some index stopped, by what it is doing for the frame inside it.
enum Stop {
    /// The frame the line event fired in: at the instruction about to run.
    Innermost,
    /// Its callee was entered inline at `instr`: `prev_instr` on the last cache unit,
    /// the stack saved, `return_offset` defined.
    Inline { instr: usize },
    /// Its callee runs through native code from `instr`: no saved stack.
    ThroughNative { instr: usize },
}

/// Reads the chain for the snapshot at `line` (INTERNALS.md §3), then makes the frame
/// objects the `snapshots` rendering makes in CPython's adapter (it walks `f_back` from
/// the innermost frame out to the module frame), so a later snapshot sees them.
pub fn read_chain(vm: &mut Vm, line: u32) -> PyResult<InternalsBlock> {
    let (frames, outermost) = chain(vm)?;
    for i in outermost..vm.frames.len() {
        vm.frame_object(i);
    }
    Ok(InternalsBlock { line, frames })
}

/// One step of `framespec exec --trace-frames`: before an instruction of the program runs,
/// the program's frames as the `internals` channel reports them (with no frame object
/// made, unlike a snapshot), and where the program's output had got to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameStep {
    /// `FILE:LINE`, the line `-` when the instruction has none.
    pub location: String,
    /// `CODE_NAME OFFSET OPNAME ARG (ARGREPR)`, as `dis` shows the instruction.
    pub instruction: String,
    pub frames: Vec<FrameRecord>,
    /// Bytes of stdout written before it.
    pub stdout_at: usize,
}

/// At most this many steps are recorded for `--trace-frames` (a teaching view of small
/// programs); the run goes on unrecorded after them.
pub const MAX_FRAME_STEPS: usize = 20_000;

/// Records the step about to run `ins` in the top frame, when it is a frame of the
/// program's own files.
pub fn record_step(vm: &mut Vm, ins: &crate::code::Instruction) -> PyResult<()> {
    // Past the limit nothing is recorded, so nothing is read.
    if vm
        .trace
        .frame_steps
        .as_ref()
        .is_none_or(|s| s.len() >= MAX_FRAME_STEPS)
    {
        return Ok(());
    }
    let Some(f) = vm.frames.last() else {
        return Ok(());
    };
    let Some(prefix) = vm.channel_prefix(&f.info.code.co_filename) else {
        return Ok(());
    };
    let line = f
        .info
        .line(ins.index)
        .map_or_else(|| "-".to_owned(), |l| l.to_string());
    let location = format!("{prefix}{}:{line}", short_name(&f.info.code.co_filename));
    let instruction = format!(
        "{} {}",
        f.info.code.co_name,
        crate::dis::instruction_text(&f.info.code, ins.start)
    );
    let stdout_at = vm.stdout.len();
    let (frames, _) = chain(vm)?;
    if let Some(steps) = vm.trace.frame_steps.as_mut() {
        steps.push(FrameStep {
            location,
            instruction,
            frames,
            stdout_at,
        });
    }
    Ok(())
}

/// The file name a location shows: the last path component.
fn short_name(filename: &str) -> &str {
    filename.rsplit('/').next().unwrap_or(filename)
}

/// The program's frames of the chain, innermost first, and the index of the outermost.
fn chain(vm: &mut Vm) -> PyResult<(Vec<FrameRecord>, usize)> {
    let top = vm.frames.len();
    let base = vm.stack_base();
    let mut frames = Vec::new();
    let mut outermost = base;
    for i in (base..top).rev() {
        let Some(prefix) = vm.channel_prefix(&vm.frames[i].info.code.co_filename) else {
            continue;
        };
        let stop = if i + 1 == top {
            Stop::Innermost
        } else {
            stop_for(vm, i)?
        };
        let mut record = chain_record(vm, i, &stop)?;
        record.name = Some(format!("{prefix}{}", vm.frames[i].info.code.co_name));
        frames.push(record);
        if prefix.is_empty() && is_module_frame(&vm.frames[i]) {
            outermost = i;
            break;
        }
    }
    Ok((frames, outermost))
}

fn is_module_frame(f: &Frame) -> bool {
    f.func.is_none() && f.locals.as_ref().is_some_and(|l| Rc::ptr_eq(l, &f.globals))
}

/// How the frame at `index` entered the frame just inside it (index + 1).
fn stop_for(vm: &Vm, index: usize) -> PyResult<Stop> {
    let f = &vm.frames[index];
    let callee = &vm.frames[index + 1];
    let instr = f.instr.or(f.prev_instr).unwrap_or(0);
    if callee.cpython_inline {
        return Ok(Stop::Inline { instr });
    }
    let op = f.info.code.decode_at(instr).map(|i| i.opcode);
    if callee.entry && matches!(op, Some(Opcode::LOAD_ATTR | Opcode::BINARY_SUBSCR)) {
        // Line instrumentation keeps a line's first instruction unspecialised, so it
        // always goes through C; elsewhere the call inlines once specialised.
        let starts_line = f.info.line_start.get(instr).copied().unwrap_or(false);
        if !starts_line {
            return Err(vm.unsupported(format!(
                "the internals of a frame whose {} calls Python code: CPython 3.12 \
                 enters it inline once the instruction is specialised, which the VM \
                 does not model",
                op.map_or("instruction", Opcode::name)
            )));
        }
    }
    Ok(Stop::ThroughNative { instr })
}

/// The record of the frame at `index` on the chain.
fn chain_record(vm: &mut Vm, index: usize, stop: &Stop) -> PyResult<FrameRecord> {
    let f = &vm.frames[index];
    let (unit, return_offset, stack_defined) = match *stop {
        Stop::Innermost => (f.prev_instr.unwrap_or(0), None, true),
        Stop::Inline { instr } => {
            let ins = f.info.code.decode_at(instr);
            let caches = ins.map_or(0, |i| i.opcode.cache_entries());
            // SEND's return_offset is its oparg (the delegate's return goes to
            // END_SEND); every other inlining instruction continues after its caches.
            let ret = match ins {
                Some(i) if i.opcode == Opcode::SEND => 2 * i64::from(i.arg),
                _ => 0,
            };
            (instr + caches, Some(ret), true)
        }
        Stop::ThroughNative { instr } => (instr, None, false),
    };
    let owner_generator = f.generator.as_ref().and_then(std::rc::Weak::upgrade);
    let stack: Option<Vec<Option<Value>>> = stack_defined.then(|| {
        f.localsplus
            .get(f.info.nlocalsplus()..)
            .unwrap_or_default()
            .to_vec()
    });
    let mut record = FrameRecord {
        owner: Some(
            if owner_generator.is_some() {
                "generator"
            } else {
                "thread"
            }
            .into(),
        ),
        gen_state: owner_generator.map(|_| "executing".into()),
        prev_instr: Some(2 * unit as i64),
        opname: Some(opname_at(f, 2 * unit)),
        return_offset,
        frame_obj: Some(f.frame_obj.is_some()),
        ..FrameRecord::default()
    };
    let slots = slot_values(f);
    let info = f.info.clone();
    record.localsplus = render_slots(vm, &info, &slots, true)?;
    record.stack = match stack {
        Some(values) => Some(render_all(vm, &values)?),
        None => None,
    };
    Ok(record)
}

fn slot_values(f: &Frame) -> Vec<Option<Value>> {
    let n = f.info.nlocalsplus();
    (0..n)
        .map(|i| f.localsplus.get(i).cloned().flatten())
        .collect()
}

/// The `co_code` instruction at byte `offset`: CACHE inside an instruction's caches.
fn opname_at(f: &Frame, offset: usize) -> String {
    f.info
        .code
        .co_code
        .get(offset)
        .and_then(|&b| Opcode::from_u8(b))
        .map_or("<unknown>", Opcode::name)
        .to_owned()
}

fn render(vm: &mut Vm, v: &Value) -> PyResult<String> {
    super::trace::render_value(vm, v)
}

fn render_all(vm: &mut Vm, values: &[Option<Value>]) -> PyResult<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        out.push(match v {
            Some(v) => Some(render(vm, v)?),
            None => None,
        });
    }
    Ok(out)
}

fn kind_name(kind: u8) -> String {
    let mut parts = Vec::new();
    if kind & kinds::CO_FAST_LOCAL != 0 {
        parts.push("local");
    }
    if kind & kinds::CO_FAST_CELL != 0 {
        parts.push("cell");
    }
    if kind & kinds::CO_FAST_FREE != 0 {
        parts.push("free");
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("+")
    }
}

/// The slots of a frame (INTERNALS.md §5.2); `held` adds the frames that not-running
/// generators and finished frames' frame objects in them hold (§5.3), one level deep.
fn render_slots(
    vm: &mut Vm,
    info: &Rc<super::codeinfo::CodeInfo>,
    values: &[Option<Value>],
    held: bool,
) -> PyResult<Vec<SlotRecord>> {
    let mut out = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let kind = info.kind(i);
        let name = info
            .local_name(i)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let rendered = match value {
            Some(v) => Some(render(vm, v)?),
            None => None,
        };
        let cell = match value {
            Some(Value::Cell(c)) if kind & (kinds::CO_FAST_CELL | kinds::CO_FAST_FREE) != 0 => {
                let contents = c.value.borrow().clone();
                Some(match contents {
                    Some(v) => Some(render(vm, &v)?),
                    None => None,
                })
            }
            _ => None,
        };
        let frame = match (held, value) {
            (true, Some(v)) => held_frame(vm, v)?.map(Box::new),
            _ => None,
        };
        out.push(SlotRecord {
            name,
            kind: kind_name(kind),
            hidden: kind & kinds::CO_FAST_HIDDEN != 0,
            value: rendered,
            cell,
            frame,
        });
    }
    Ok(out)
}

/// The frame `v` holds when it is a generator of the program that is not running, or a
/// frame object of the program whose frame finished (INTERNALS.md §5.3).
fn held_frame(vm: &mut Vm, v: &Value) -> PyResult<Option<FrameRecord>> {
    match v {
        Value::Generator(g) => {
            let Some(prefix) = vm.channel_prefix(&g.code.co_filename) else {
                return Ok(None);
            };
            if g.running.get() {
                return Ok(None);
            }
            let state = if g.finished.get() {
                None
            } else if g.started.get() {
                Some("suspended")
            } else {
                Some("created")
            };
            let frame = g.frame.borrow();
            let (Some(state), Some(f)) = (state, frame.as_ref()) else {
                return Ok(Some(FrameRecord {
                    gen_state: Some("cleared".into()),
                    ..FrameRecord::default()
                }));
            };
            let info = f.info.clone();
            let unit = f.prev_instr.unwrap_or(0);
            let slots = slot_values(f);
            let stack = f
                .localsplus
                .get(info.nlocalsplus()..)
                .unwrap_or_default()
                .to_vec();
            let mut record = FrameRecord {
                name: Some(format!("{prefix}{}", info.code.co_name)),
                owner: Some("generator".into()),
                gen_state: Some(state.into()),
                prev_instr: Some(2 * unit as i64),
                opname: Some(opname_at(f, 2 * unit)),
                return_offset: None,
                frame_obj: Some(f.frame_obj.is_some()),
                ..FrameRecord::default()
            };
            drop(frame);
            record.localsplus = render_slots(vm, &info, &slots, false)?;
            record.stack = Some(render_all(vm, &stack)?);
            Ok(Some(record))
        }
        Value::Frame(fo) => {
            let owned = fo.owned.borrow();
            let Some(f) = owned.as_ref() else {
                return Ok(None);
            };
            let Some(prefix) = vm.channel_prefix(&f.info.code.co_filename) else {
                return Ok(None);
            };
            let info = f.info.clone();
            let unit = f.prev_instr.unwrap_or(0);
            let slots = slot_values(f);
            let mut record = FrameRecord {
                name: Some(format!("{prefix}{}", info.code.co_name)),
                owner: Some("frame_object".into()),
                gen_state: None,
                prev_instr: Some(2 * unit as i64),
                opname: Some(opname_at(f, 2 * unit)),
                return_offset: None,
                frame_obj: Some(false),
                ..FrameRecord::default()
            };
            drop(owned);
            record.localsplus = render_slots(vm, &info, &slots, false)?;
            // take_ownership keeps the stack as the return left it: empty.
            record.stack = Some(Vec::new());
            Ok(Some(record))
        }
        _ => Ok(None),
    }
}
