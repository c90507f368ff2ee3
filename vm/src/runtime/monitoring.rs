//! `sys.monitoring` (PEP 669; Python/instrumentation.c): tool ids, callbacks, global and
//! per-code-object event sets, `DISABLE` and `restart_events`, and the delivery of events
//! to the tools' callbacks. spec: tracing.monitoring
//!
//! CPython instruments the bytecode; the VM asks, at each place an event arises (the same
//! places `trace` produces the legacy `sys.settrace` events from), whether some tool wants
//! it for this code object and this instruction. Tools are called highest id first, after
//! the legacy trace function (CPython's tool 7); while any callback runs no event is
//! delivered (`tstate->tracing`).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::code::CodeObject;

use super::argspec::{required, Spec, Style};
use super::interp::Vm;
use super::object::{Args, Value};
use super::trace::What;
use super::PyResult;

/// The tool ids a program may use (`check_valid_tool`: 0 to 5; 6 and 7 are
/// `sys.setprofile`'s and `sys.settrace`'s).
pub const TOOLS: usize = 6;
/// PY_START … C_RAISE.
pub const EVENTS: usize = 17;
/// Events 0 to 9 are instrumented per instruction: they can be set per code object and
/// disabled per location (`PY_MONITORING_INSTRUMENTED_EVENTS`).
const INSTRUMENTED_EVENTS: usize = 10;
/// The events `set_events` stores; C_RETURN and C_RAISE go with CALL
/// (`PY_MONITORING_UNGROUPED_EVENTS`).
const UNGROUPED_EVENTS: usize = 15;
const CALL: u32 = 1 << 4;
const C_RETURN_EVENTS: u32 = (1 << 15) | (1 << 16);
const C_CALL_EVENTS: u32 = C_RETURN_EVENTS | CALL;

/// The events' names, by number (`event_names`).
pub const EVENT_NAMES: [&str; EVENTS] = [
    "PY_START",
    "PY_RESUME",
    "PY_RETURN",
    "PY_YIELD",
    "CALL",
    "LINE",
    "INSTRUCTION",
    "JUMP",
    "BRANCH",
    "STOP_ITERATION",
    "RAISE",
    "EXCEPTION_HANDLED",
    "PY_UNWIND",
    "PY_THROW",
    "RERAISE",
    "C_RETURN",
    "C_RAISE",
];

/// A PEP 669 event, by number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Event(pub u8);

impl Event {
    pub const PY_START: Event = Event(0);
    pub const PY_RESUME: Event = Event(1);
    pub const PY_RETURN: Event = Event(2);
    pub const PY_YIELD: Event = Event(3);
    pub const LINE: Event = Event(5);
    pub const INSTRUCTION: Event = Event(6);
    pub const JUMP: Event = Event(7);
    pub const BRANCH: Event = Event(8);
    pub const STOP_ITERATION: Event = Event(9);
    pub const RAISE: Event = Event(10);
    pub const EXCEPTION_HANDLED: Event = Event(11);
    pub const PY_UNWIND: Event = Event(12);
    pub const PY_THROW: Event = Event(13);
    pub const RERAISE: Event = Event(14);
    pub const CALL: Event = Event(4);
    pub const C_RETURN: Event = Event(15);
    pub const C_RAISE: Event = Event(16);

    fn bit(self) -> u32 {
        1 << self.0
    }

    /// The event `tstate->what_event` holds while this one's callbacks run.
    fn what(self) -> What {
        match self.0 {
            0 => What::PyStart,
            1 => What::PyResume,
            2 => What::PyReturn,
            3 => What::PyYield,
            4 => What::Call,
            5 => What::Line,
            6 => What::Instruction,
            7 => What::Jump,
            8 => What::Branch,
            9 => What::StopIteration,
            10 => What::Raise,
            11 => What::ExceptionHandled,
            12 => What::PyUnwind,
            13 => What::PyThrow,
            14 => What::Reraise,
            15 => What::CReturn,
            _ => What::CRaise,
        }
    }
}

/// The interpreter's monitoring state (`interp->monitors`, `monitoring_tool_names`,
/// `monitoring_callables`, and each code object's `_co_monitoring`).
#[derive(Debug, Default)]
pub struct Monitors {
    names: [Option<Value>; TOOLS],
    callbacks: [[Option<Value>; EVENTS]; TOOLS],
    /// Each tool's global event set (C_RETURN and C_RAISE never stored).
    global: [u32; TOOLS],
    /// Per code object (by address, kept alive here): each tool's local event set.
    local: HashMap<usize, (Rc<CodeObject>, [u32; TOOLS])>,
    /// (tool, code address, code unit, event) a callback returned DISABLE for.
    disabled: HashSet<(usize, usize, usize, u8)>,
    /// The code objects `disabled` names, kept alive so their addresses stay theirs.
    disabled_codes: Vec<Rc<CodeObject>>,
    /// The union of every tool's global and local event sets (`refresh`), so that an
    /// event no tool set anywhere costs one test per instruction, not a look-up per tool.
    union: u32,
    /// The `DISABLE` and `MISSING` sentinels of the `sys.monitoring` module, once made.
    pub disable: Option<Value>,
    pub missing: Option<Value>,
}

impl Monitors {
    /// Some tool has some event set, globally or on a code object.
    pub fn any(&self) -> bool {
        self.union != 0
    }

    /// Recomputes [`Monitors::union`] after an event set changed.
    pub fn refresh(&mut self) {
        let global = self.global.iter().fold(0, |u, &e| u | e);
        self.union = self
            .local
            .values()
            .flat_map(|(_, t)| t.iter())
            .fold(global, |u, &e| u | e);
    }

    /// Whether any tool set `event` anywhere (C_RETURN and C_RAISE go with CALL).
    fn may_want(&self, event: Event) -> bool {
        let set_as = if usize::from(event.0) >= UNGROUPED_EVENTS {
            Event::CALL
        } else {
            event
        };
        self.union & set_as.bit() != 0
    }

    /// The tools that get `event` at code unit `unit` of `code`.
    /// C_RETURN and C_RAISE go to the tools that have CALL there
    /// (`get_tools_for_instruction`), disabled where CALL is. A bit set of tool ids.
    fn tools_for(&self, code: &Rc<CodeObject>, unit: usize, event: Event) -> u8 {
        if !self.may_want(event) {
            return 0;
        }
        let set_as = if usize::from(event.0) >= UNGROUPED_EVENTS {
            Event::CALL
        } else {
            event
        };
        let address = Rc::as_ptr(code) as usize;
        let mut tools = 0u8;
        for t in 0..TOOLS {
            if self.global[t] & set_as.bit() != 0 && self.callbacks[t][event.0 as usize].is_some() {
                tools |= 1 << t;
            }
        }
        if !self.local.is_empty() {
            if let Some((_, l)) = self.local.get(&address) {
                for (t, set) in l.iter().enumerate() {
                    if set & set_as.bit() != 0 && self.callbacks[t][event.0 as usize].is_some() {
                        tools |= 1 << t;
                    }
                }
            }
        }
        if tools != 0 && !self.disabled.is_empty() && usize::from(set_as.0) < INSTRUMENTED_EVENTS {
            for t in 0..TOOLS {
                if self.disabled.contains(&(t, address, unit, set_as.0)) {
                    tools &= !(1 << t);
                }
            }
        }
        tools
    }

    /// `MISSING`, the argument of a call without arguments.
    pub fn missing(&self) -> Value {
        self.missing.clone().unwrap_or(Value::None)
    }

    /// Whether code unit `unit` of `code` is instrumented for `event` (a local event):
    /// some tool has the event set, globally or on the code, and has not disabled it
    /// there. Callbacks play no part: CPython instruments by event sets.
    pub fn instruments(&self, code: &Rc<CodeObject>, unit: usize, event: Event) -> bool {
        if !self.may_want(event) {
            return false;
        }
        let address = Rc::as_ptr(code) as usize;
        let local = self.local.get(&address).map(|(_, t)| t);
        (0..TOOLS).any(|t| {
            (self.global[t] & event.bit() != 0 || local.is_some_and(|l| l[t] & event.bit() != 0))
                && !self.disabled.contains(&(t, address, unit, event.0))
        })
    }

    /// Whether a tool wants `event` anywhere in `code` (before looking per instruction).
    /// Whether a tool other than `tool` wants `event` in `code`.
    pub fn wants_besides(&self, code: &Rc<CodeObject>, event: Event, tool: usize) -> bool {
        if !self.may_want(event) {
            return false;
        }
        let address = Rc::as_ptr(code) as usize;
        let local = self.local.get(&address).map(|(_, t)| t);
        (0..TOOLS).filter(|&t| t != tool).any(|t| {
            self.global[t] & event.bit() != 0 || local.is_some_and(|l| l[t] & event.bit() != 0)
        })
    }

    pub fn wants(&self, code: &Rc<CodeObject>, event: Event) -> bool {
        if !self.may_want(event) {
            return false;
        }
        let address = Rc::as_ptr(code) as usize;
        let local = self.local.get(&address).map(|(_, t)| t);
        (0..TOOLS).any(|t| {
            self.global[t] & event.bit() != 0 || local.is_some_and(|l| l[t] & event.bit() != 0)
        })
    }
}

/// Delivers `event` at code unit `unit` of the current frame's code to every tool that
/// wants it, with `args` after the code object. spec: tracing.monitoring.events
pub fn fire(vm: &mut Vm, event: Event, unit: usize, args: &[Value]) -> PyResult<()> {
    if vm.trace.tracing > 0 || !vm.trace.monitoring {
        return Ok(());
    }
    let tools = match vm.frames.last() {
        Some(f) => vm.trace.monitors.tools_for(&f.info.code, unit, event),
        None => 0,
    };
    if tools == 0 {
        return Ok(());
    }
    let (info, serial) = {
        let f = vm.top()?;
        (f.info.clone(), f.serial)
    };
    let code = &info.code;
    // Highest id first: the order of `call_instrumentation_vector`, which takes the most
    // significant bit.
    for tool in (0..TOOLS).rev().filter(|t| tools & (1 << t) != 0) {
        let Some(callback) = vm.trace.monitors.callbacks[tool][event.0 as usize].clone() else {
            continue;
        };
        let mut call_args = Vec::with_capacity(1 + args.len());
        call_args.push(Value::Code(code.clone()));
        call_args.extend_from_slice(args);
        let result = super::trace::call_callback(vm, event.what(), serial, &callback, call_args)?;
        if vm
            .trace
            .monitors
            .disable
            .as_ref()
            .is_some_and(|d| result.is(d))
        {
            if usize::from(event.0) < INSTRUMENTED_EVENTS {
                let m = &mut vm.trace.monitors;
                let address = Rc::as_ptr(code) as usize;
                if m.disabled.insert((tool, address, unit, event.0)) {
                    m.disabled_codes.push(code.clone());
                }
            } else {
                // The callback goes, so the event cannot fail again and again.
                vm.trace.monitors.callbacks[tool][event.0 as usize] = None;
                return Err(vm.value_error(format!(
                    "Cannot disable {} events. Callback removed.",
                    EVENT_NAMES[event.0 as usize]
                )));
            }
        }
    }
    Ok(())
}

/// Whether some tool may want `event` in the current frame's code.
pub fn wanted(vm: &Vm, event: Event) -> bool {
    vm.trace.monitoring
        && vm
            .frames
            .last()
            .is_some_and(|f| vm.trace.monitors.wants(&f.info.code, event))
}

/// The functions of the `sys.monitoring` namespace.
pub const FUNCTIONS: &[(&str, super::object::NativeFn)] = &[
    ("use_tool_id", use_tool_id),
    ("free_tool_id", free_tool_id),
    ("get_tool", get_tool),
    ("register_callback", register_callback),
    ("get_events", get_events),
    ("set_events", set_events),
    ("get_local_events", get_local_events),
    ("set_local_events", set_local_events),
    ("restart_events", restart_events),
    ("_all_events", all_events),
];

fn positional<const N: usize>(
    vm: &mut Vm,
    args: &Args,
    name: &str,
    params: &[&str],
) -> PyResult<[Value; N]> {
    let bound = Spec::function(name, Style::Positional, params, N).bind::<N>(vm, args, 0)?;
    Ok(bound.map(required))
}

/// `check_valid_tool`.
fn tool_id(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    let id = vm.c_int(v)?;
    match usize::try_from(id) {
        Ok(t) if t < TOOLS => Ok(t),
        _ => Err(vm.value_error(format!("invalid tool {id} (must be between 0 and 5)"))),
    }
}

/// `check_tool`: the tool must have been taken with `use_tool_id`.
fn tool_in_use(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    let t = tool_id(vm, v)?;
    if vm.trace.monitors.names[t].is_none() {
        return Err(vm.value_error(format!("tool {t} is not in use")));
    }
    Ok(t)
}

/// An event set as `set_events` and `set_local_events` take it.
/// For a local set, only the local check (after C_RETURN and C_RAISE go) bounds it, so a
/// set beyond the events is an "invalid local event set" there.
fn event_set(vm: &mut Vm, set: i32, local: bool) -> PyResult<u32> {
    if !local && !(0..1 << EVENTS).contains(&set) {
        return Err(vm.value_error(format!("invalid event set 0x{:x}", set as u32)));
    }
    let set = set as u32;
    if set & C_RETURN_EVENTS != 0 && set & C_CALL_EVENTS != C_CALL_EVENTS {
        return Err(vm.value_error("cannot set C_RETURN or C_RAISE events independently"));
    }
    let set = set & !C_RETURN_EVENTS;
    if local && set >= 1 << INSTRUMENTED_EVENTS {
        return Err(vm.value_error(format!("invalid local event set 0x{set:x}")));
    }
    Ok(set)
}

fn use_tool_id(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id, name] = positional::<2>(vm, &args, "use_tool_id", &["tool_id", "name"])?;
    let t = tool_id(vm, &id)?;
    if !matches!(name, Value::Str(_)) && !vm.is_instance_of(&name, "str") {
        return Err(vm.value_error("tool name must be a str"));
    }
    if vm.trace.monitors.names[t].is_some() {
        return Err(vm.value_error(format!("tool {t} is already in use")));
    }
    vm.trace.monitors.names[t] = Some(name);
    Ok(Value::None)
}

/// `free_tool_id` (3.12): the name only; callbacks and event sets stay.
fn free_tool_id(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id] = positional::<1>(vm, &args, "free_tool_id", &["tool_id"])?;
    let t = tool_id(vm, &id)?;
    vm.trace.monitors.names[t] = None;
    Ok(Value::None)
}

fn get_tool(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id] = positional::<1>(vm, &args, "get_tool", &["tool_id"])?;
    let t = tool_id(vm, &id)?;
    Ok(vm.trace.monitors.names[t].clone().unwrap_or(Value::None))
}

/// `register_callback(tool_id, event, func)`: the previous callback, or None.
fn register_callback(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id, event, func] = positional::<3>(
        vm,
        &args,
        "register_callback",
        &["tool_id", "event", "func"],
    )?;
    let t = tool_id(vm, &id)?;
    let event = vm.c_int(&event)?;
    let bits = event as u32;
    if bits.count_ones() != 1 {
        return Err(vm.value_error("The callback can only be set for one event at a time"));
    }
    let e = bits.trailing_zeros() as usize;
    if event < 0 || e >= EVENTS {
        return Err(vm.value_error(format!("invalid event {event}")));
    }
    let func = (!func.is_none()).then_some(func);
    let previous = std::mem::replace(&mut vm.trace.monitors.callbacks[t][e], func);
    Ok(previous.unwrap_or(Value::None))
}

fn get_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id] = positional::<1>(vm, &args, "get_events", &["tool_id"])?;
    let t = tool_id(vm, &id)?;
    Ok(Value::Int(i64::from(vm.trace.monitors.global[t])))
}

fn set_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id, set] = positional::<2>(vm, &args, "set_events", &["tool_id", "event_set"])?;
    let (id, set) = (vm.c_int(&id)?, vm.c_int(&set)?);
    let t = tool_in_use(vm, &Value::Int(i64::from(id)))?;
    let set = event_set(vm, set, false)?;
    vm.trace.monitors.global[t] = set & ((1 << UNGROUPED_EVENTS) - 1);
    vm.trace.monitoring_changed();
    Ok(Value::None)
}

fn code_arg(vm: &mut Vm, v: &Value) -> PyResult<Rc<CodeObject>> {
    match v {
        Value::Code(c) => Ok(c.clone()),
        _ => Err(vm.type_error("code must be a code object")),
    }
}

fn get_local_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id, code] = positional::<2>(vm, &args, "get_local_events", &["tool_id", "code"])?;
    let code = code_arg(vm, &code)?;
    let t = tool_id(vm, &id)?;
    let address = Rc::as_ptr(&code) as usize;
    let set = vm
        .trace
        .monitors
        .local
        .get(&address)
        .map_or(0, |(_, l)| l[t]);
    Ok(Value::Int(i64::from(set)))
}

fn set_local_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [id, code, set] = positional::<3>(
        vm,
        &args,
        "set_local_events",
        &["tool_id", "code", "event_set"],
    )?;
    let (id, set) = (vm.c_int(&id)?, vm.c_int(&set)?);
    let code = code_arg(vm, &code)?;
    let t = tool_in_use(vm, &Value::Int(i64::from(id)))?;
    let set = event_set(vm, set, true)?;
    let address = Rc::as_ptr(&code) as usize;
    let entry = vm
        .trace
        .monitors
        .local
        .entry(address)
        .or_insert_with(|| (code.clone(), [0; TOOLS]));
    entry.1[t] = set;
    vm.trace.monitoring_changed();
    Ok(Value::None)
}

/// `restart_events()`: every location a callback disabled gets its events again.
fn restart_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    positional::<0>(vm, &args, "restart_events", &[])?;
    let m = &mut vm.trace.monitors;
    m.disabled.clear();
    m.disabled_codes.clear();
    Ok(Value::None)
}

/// `_all_events()`: {event name: bit set of the tools that set it globally}.
fn all_events(vm: &mut Vm, args: Args) -> PyResult<Value> {
    positional::<0>(vm, &args, "_all_events", &[])?;
    let d = super::dict::Dict::new_rc();
    for (e, name) in EVENT_NAMES.iter().enumerate().take(UNGROUPED_EVENTS) {
        let tools: i64 = (0..TOOLS)
            .filter(|&t| vm.trace.monitors.global[t] & (1 << e) != 0)
            .map(|t| 1 << t)
            .sum();
        if tools != 0 {
            d.set_str(name, Value::Int(tools));
        }
    }
    Ok(Value::Dict(d))
}
