//! The evaluation loop (CPython `_PyEval_EvalFrameDefault`): decode, trace, dispatch,
//! return, unwind. Python→Python calls push a frame and continue in the same loop; only a
//! builtin calling back into Python re-enters [`run_loop`] (bounded by the native depth).
//!
//! Naming block: `vm` the interpreter, `f` the current frame, `ins` the instruction.

use std::rc::Rc;

use crate::arith::UnaryOp;
use crate::code::{CodeObject, Instruction};
use crate::opcode::Opcode;
use crate::{End, RunOptions, RunResult, UncaughtException};

use super::dict::Dict;
use super::frame::{Frame, InlineReturn};
use super::interp::{Vm, EVAL_C_UNITS};
use super::object::{Module, Traceback, Value};
use super::ops;
use super::trace::{self, TraceState};
use super::{PyResult, Throw};

/// What an instruction asks the loop to do next.
pub enum Step {
    Continue,
    /// Push a callee frame and run it (Python→Python call, generator resume).
    Push(Frame),
    /// The current frame returns this value.
    Return(Value),
    /// The current (generator) frame yields this value.
    Yield(Value),
    /// The current frame already left the stack (RETURN_GENERATOR); hand `value` to the
    /// caller, or to the native caller when the frame was an entry frame.
    Detached {
        value: Value,
        entry: bool,
    },
    /// The instruction is done, and it consumed this StopIteration from an iterator it
    /// drove (SEND, FOR_ITER): 3.12 reports it as a RAISE event (`monitor_raise`), so a
    /// tracer sees an `exception` event although nothing propagates.
    /// spec: generators.tracing
    Stopped(Value),
}

/// Runs `code` as the `__main__` module and turns the outcome into a [`RunResult`].
pub fn run_module(
    code: Rc<CodeObject>,
    source: Option<&str>,
    options: &RunOptions,
    native_limit: usize,
) -> RunResult {
    // Declared before the VM so it is dropped after it: its drop breaks every cycle among
    // the run's objects, whatever way the run ended (see `gc`).
    let _objects = super::gc::Session::begin();
    ops::generators::begin_run();
    super::weakref::reset();
    super::finalize::reset();
    super::modules::imp::reset();
    super::modules::warnings::reset();
    super::modules::abc::reset();
    super::modules::thread::reset();
    // Counted from here, so the VM's own setup is part of the run's heap.
    let heap = super::heap::Budget::starting_now(options.heap_limit_bytes);
    let mut vm = Vm::new(&options.filename, options.fuel);
    vm.heap = heap;
    vm.native_limit = native_limit;
    vm.source_lines = source
        .filter(|_| !options.command)
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    vm.main_source = source
        .filter(|_| !options.command && options.source_in_linecache)
        .map(Rc::from);
    if let (false, Some(Value::Module(sys))) = (options.argv.is_empty(), vm.modules.get_str("sys"))
    {
        let argv = options.argv.iter().map(|a| Value::str(a)).collect();
        sys.dict.set_str("argv", Value::list(argv));
    }
    // The `sys.monitoring` module made with `sys` keeps its DISABLE and MISSING.
    let monitors = std::mem::take(&mut vm.trace.monitors);
    vm.trace = TraceState::new(options);
    vm.trace.monitors = monitors;
    vm.stdlib = options.stdlib.clone();
    vm.host_metadata = options.host_metadata;
    vm.program = super::program::ProgramDir::new(&options.filename, source, &options.modules);
    super::sysmod::import_state(&mut vm);
    super::syshooks::set_orig_argv(&mut vm, options, source);
    super::process::at_start(&mut vm);
    let globals = Dict::new_rc();
    globals.set_str("__name__", Value::str("__main__"));
    globals.set_str("__doc__", Value::None);
    globals.set_str("__package__", Value::None);
    // With a standard library, importlib is set up first, as CPython's start-up does.
    let booted = if vm.stdlib.is_some() {
        match super::import::boot_at_start(&mut vm) {
            Ok(()) => true,
            Err(end) => {
                return RunResult {
                    stdout: std::mem::take(&mut vm.stdout),
                    stderr: super::textcodec::stderr_escaped(std::mem::take(&mut vm.stderr)),
                    end,
                    trace: vm.trace.events.take(),
                    snapshots: vm.trace.snapshots.take(),
                    internals: vm.trace.internals.take(),
                    frame_steps: vm.trace.frame_steps.take(),
                }
            }
        }
    } else {
        false
    };
    let loader = match (booted, options.command) {
        (true, _) => match super::import::main_loader(&mut vm, options) {
            Ok(l) => l,
            Err(e) => {
                return RunResult {
                    stdout: String::new(),
                    stderr: String::new(),
                    end: End::Bug(format!("the __main__ loader: {e:?}")),
                    trace: None,
                    snapshots: None,
                    internals: None,
                    frame_steps: None,
                }
            }
        },
        (false, true) => builtin_importer(&vm),
        (false, false) => file_loader(&mut vm, &options.filename, options.sourceless),
    };
    globals.set_str("__loader__", loader);
    globals.set_str("__spec__", Value::None);
    globals.set_str("__annotations__", Value::Dict(Dict::new_rc()));
    if let Some(b) = vm.modules.get_str("builtins") {
        globals.set_str("__builtins__", b);
    }
    if !options.command {
        globals.set_str("__file__", Value::str(&options.filename));
        globals.set_str("__cached__", Value::None);
    }
    let main = Module {
        name: Rc::from("__main__"),
        dict: globals.clone(),
        file: Some(Rc::from(options.filename.as_str())),
    };
    vm.modules.set_str("__main__", Value::Module(Rc::new(main)));

    // The harness's Python observer, when it is the one observing the channels.
    let observed = options.trace || !options.snapshot_lines.is_empty();
    let python_observer = options.observer.as_ref().filter(|_| observed);
    let mut observer = None;
    let mut outcome = match (&options.module, python_observer) {
        (Some(name), _) if booted => run_module_as_main(&mut vm, name),
        (Some(_), _) => Err(vm.unsupported("-m without a standard library")),
        (None, Some(spec)) => match super::pyobserver::install(&mut vm, spec, options, &code) {
            Ok(installed) => {
                observer = Some(installed);
                run_main(&mut vm, &code, globals)
            }
            Err(e) => Err(observer_failure(&mut vm, "installing", e)),
        },
        (None, None) => run_main(&mut vm, &code, globals),
    };
    if matches!(outcome, Ok(_) | Err(Throw::Exc(_) | Throw::Reraise(_))) {
        // What the module's last instruction freed is finalised before the end, as
        // CPython does inside that instruction.
        if EVAL_BREAKER.with(|b| b.get()) {
            if let Err(e) = handle_eval_breaker(&mut vm) {
                outcome = Err(e);
            }
        }
    }
    let end = match outcome {
        Ok(_) => End::Completed,
        Err(Throw::Exc(e) | Throw::Reraise(e)) => uncaught(&mut vm, e),
        Err(Throw::OutOfFuel) => End::OutOfFuel(vm.fuel_used),
        Err(Throw::OutOfMemory) => End::OutOfMemory {
            limit_bytes: vm.heap.limit,
        },
        Err(Throw::Unsupported(what)) => End::Unsupported(what),
        Err(Throw::Bug(what)) => End::Bug(what),
    };
    // `Py_FinalizeEx`: the atexit callbacks; then the Python observer is undone, as the
    // adapter does before it finalises `__main__`; then what shutdown would finalise.
    let end = match end {
        End::Completed | End::Exception(_) => super::modules::atexit::run_at_exit(&mut vm)
            .or_else(|| finish_observer(&mut vm, observer.take(), options))
            .or_else(|| at_shutdown(&mut vm))
            .or_else(|| super::modules::gcmodule::at_exit(&vm))
            .unwrap_or(end),
        other => other,
    };
    super::process::at_end(&vm);
    RunResult {
        stdout: std::mem::take(&mut vm.stdout),
        stderr: super::textcodec::stderr_escaped(std::mem::take(&mut vm.stderr)),
        end,
        trace: vm.trace.events.take(),
        snapshots: vm.trace.snapshots.take(),
        internals: vm.trace.internals.take(),
        frame_steps: vm.trace.frame_steps.take(),
    }
}

/// What CPython's shutdown would finalise and the VM does not: generators still suspended
/// (closed when `__main__` is cleared) and objects with `__del__` still alive, when that
/// would run code or show in a trace.
fn at_shutdown(vm: &mut Vm) -> Option<End> {
    let checked = ops::generators::check_suspended_at_exit(vm)
        .and_then(|()| super::finalize::check_alive_at_exit(vm));
    match checked {
        Ok(()) => None,
        Err(Throw::Unsupported(what)) => Some(End::Unsupported(what)),
        Err(Throw::Bug(what)) => Some(End::Bug(what)),
        Err(_) => Some(End::Bug("a shutdown check raised".to_owned())),
    }
}

/// Runs the program's module code in `__main__`'s namespace, as the bottom frame.
fn run_main(vm: &mut Vm, code: &Rc<CodeObject>, globals: Rc<Dict>) -> PyResult<Value> {
    let info = vm.code_info(code);
    let serial = vm.serial();
    let mut frame = Frame::new(info, globals.clone(), vm.builtins.clone(), serial);
    frame.locals = Some(globals);
    frame.entry = true;
    vm.frames.push(frame);
    run_loop(vm)
}

/// A Python exception from installing or undoing the observer is the harness's failure,
/// not the program's: a `Bug` with its text.
fn observer_failure(vm: &mut Vm, doing: &str, e: Throw) -> Throw {
    match e {
        Throw::Exc(exc) | Throw::Reraise(exc) => {
            let text = vm.repr(&exc).unwrap_or_default();
            Throw::Bug(format!("{doing} the Python observer failed: {text}"))
        }
        other => other,
    }
}

/// Undoes the Python observer and puts what it recorded where the native recorder's
/// channels go; `Some(end)` when that fails.
fn finish_observer(
    vm: &mut Vm,
    observer: Option<super::pyobserver::Installed>,
    options: &RunOptions,
) -> Option<End> {
    let installed = observer?;
    match super::pyobserver::finish(vm, installed) {
        Ok(recorded) => {
            vm.trace.events = options.trace.then_some(recorded.events);
            vm.trace.snapshots = (!options.snapshot_lines.is_empty()).then_some(recorded.snapshots);
            None
        }
        Err(e) => Some(match observer_failure(vm, "undoing", e) {
            Throw::OutOfFuel => End::OutOfFuel(vm.fuel_used),
            Throw::OutOfMemory => End::OutOfMemory {
                limit_bytes: vm.heap.limit,
            },
            Throw::Unsupported(what) => End::Unsupported(what),
            Throw::Bug(what) => End::Bug(what),
            Throw::Exc(_) | Throw::Reraise(_) => End::Bug("the Python observer failed".to_owned()),
        }),
    }
}

/// `python -m MODULE` (`pymain_run_module`): `runpy._run_module_as_main(MODULE, True)`,
/// which finds the module, sets `sys.argv[0]` to its file and runs its code in
/// `__main__`'s namespace — so the outermost frames are runpy's, as in CPython.
fn run_module_as_main(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let runpy = super::import::import_name(vm, "runpy", None, &Value::None, 0)?;
    let run = vm.getattr(&runpy, "_run_module_as_main")?;
    let args = super::object::Args {
        pos: vec![Value::str(name), Value::Bool(true)],
        ..Default::default()
    };
    vm.call(&run, args)
}

/// `__main__.__loader__` as `python -c` sets it: the class
/// `_frozen_importlib.BuiltinImporter`, of which nothing but its name exists here (any
/// attribute is unsupported, see `Vm::cpython_owner_of`).
fn builtin_importer(vm: &Vm) -> Value {
    Value::Type(super::types::Type::plain_class(
        "BuiltinImporter",
        "_frozen_importlib",
        &vm.types.object,
    ))
}

/// `__main__.__loader__` as `python main.py` sets it: an
/// `importlib.machinery.SourceFileLoader` with its `name` and `path` (for `python
/// FILE.pyc`, a `SourcelessFileLoader`). Only those two attributes exist here; any other is
/// unsupported (see `Vm::cpython_owner_of`).
fn file_loader(vm: &mut Vm, filename: &str, sourceless: bool) -> Value {
    let name = if sourceless {
        "SourcelessFileLoader"
    } else {
        "SourceFileLoader"
    };
    let t = super::types::Type::plain_class(name, super::attr::IMPORTLIB_MODULE, &vm.types.object);
    let loader = vm.new_instance(&t, &super::object::Args::default());
    if let Value::Object(o) = &loader {
        o.dict.set_str("name", Value::str("__main__"));
        o.dict.set_str("path", Value::str(filename));
    }
    loader
}

/// An exception escaped the module: print it like CPython's default excepthook and record
/// the `exception` channel. spec: exceptions.uncaught
fn uncaught(vm: &mut Vm, exc: Value) -> End {
    let type_name = vm.type_of(&exc).name().to_string();
    // A lone surrogate in the message is written as the adapter writes it (its `_clean`:
    // backslashreplace), since the answer travels as UTF-8.
    let message = super::textcodec::stderr_escaped(vm.str_of(&exc).unwrap_or_default());
    let exit_code = if type_name == "SystemExit" {
        exit_status(vm, &exc)
    } else {
        match print_uncaught(vm, &exc) {
            Ok(code) => code,
            Err(Throw::Exc(_) | Throw::Reraise(_)) => 1,
            Err(Throw::OutOfFuel) => return End::OutOfFuel(vm.fuel_used),
            Err(Throw::OutOfMemory) => {
                return End::OutOfMemory {
                    limit_bytes: vm.heap.limit,
                }
            }
            Err(Throw::Unsupported(what)) => return End::Unsupported(what),
            Err(Throw::Bug(what)) => return End::Bug(what),
        }
    };
    let mut traceback = Vec::new();
    let mut tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    while let Value::Traceback(t) = tb {
        let code = vm.with_frame(&t.tb_frame, |f| f.info.code.clone());
        if let Some(prefix) = code.and_then(|code| {
            let prefix = vm.channel_prefix(&code.co_filename)?;
            Some(format!("{prefix}{}", code.co_name))
        }) {
            let line = t
                .tb_lineno
                .map(|l| l.to_string())
                .unwrap_or_else(|| "None".into());
            traceback.push(format!("{prefix}:{line}"));
        }
        tb = t.tb_next.borrow().clone();
    }
    End::Exception(UncaughtException {
        type_name,
        message,
        traceback,
        exit_code,
    })
}

/// CPython `_PyErr_PrintEx(tstate, 1)`, which `python main.py` runs for the exception
/// escaping the module: it sets `sys.last_exc` (and the legacy `last_type`, `last_value`,
/// `last_traceback`), then calls `sys.excepthook(type, value, traceback)`. The VM's own
/// hook (still `sys.__excepthook__`) is printed directly; a hook the program installed
/// runs as Python code. A hook that raises SystemExit ends the program with its status
/// (`handle_system_exit`); any other error is shown as "Error in sys.excepthook:" followed
/// by the original; a missing hook prints "sys.excepthook is missing" and the original.
/// Returns the exit status. spec: exceptions.uncaught
fn print_uncaught(vm: &mut Vm, exc: &Value) -> PyResult<i32> {
    let ty = Value::Type(vm.type_of(exc));
    let tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    let Some(Value::Module(sys)) = vm.modules.get_str("sys") else {
        let text = super::traceback::format_exception(vm, exc)?;
        vm.stderr.push_str(&text);
        return Ok(1);
    };
    sys.dict.set_str("last_exc", exc.clone());
    sys.dict.set_str("last_type", ty.clone());
    sys.dict.set_str("last_value", exc.clone());
    sys.dict.set_str("last_traceback", tb.clone());
    let hook = sys.dict.get_str("excepthook");
    let native = sys.dict.get_str("__excepthook__");
    let hook = match hook {
        None => {
            vm.stderr.push_str("sys.excepthook is missing\n");
            let text = super::traceback::format_exception(vm, exc)?;
            vm.stderr.push_str(&text);
            return Ok(1);
        }
        Some(h) if native.is_some_and(|n| n.is(&h)) => {
            let text = super::traceback::format_exception(vm, exc)?;
            vm.stderr.push_str(&text);
            return Ok(1);
        }
        Some(h) => h,
    };
    let args = super::object::Args {
        pos: vec![ty, exc.clone(), tb],
        ..Default::default()
    };
    match vm.call(&hook, args) {
        Ok(_) => Ok(1),
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            if vm.is_instance_of(&e, "SystemExit") {
                return Ok(exit_status(vm, &e));
            }
            let hook_error = super::traceback::format_exception(vm, &e)?;
            let original = super::traceback::format_exception(vm, exc)?;
            vm.stderr.push_str("Error in sys.excepthook:\n");
            vm.stderr.push_str(&hook_error);
            vm.stderr.push_str("\nOriginal exception was:\n");
            vm.stderr.push_str(&original);
            Ok(1)
        }
        Err(other) => Err(other),
    }
}

/// `SystemExit` ends the program without a traceback; its code decides the exit status
/// (CPython `handle_system_exit`): `None` is 0, an int is itself, anything else is printed
/// to stderr and gives 1.
fn exit_status(vm: &mut Vm, exc: &Value) -> i32 {
    let code = exc
        .exc()
        .map(|d| d.value.borrow().clone())
        .unwrap_or(Value::None);
    match code {
        Value::None => 0,
        Value::Bool(b) => i32::from(b),
        // The status the OS sees is the low bits of the C int CPython passes to exit().
        Value::Int(n) => n as i32,
        // `_Py_HandleSystemExit`: `PyLong_AsLong` fails, its error is printed, the status
        // is -1.
        Value::BigInt(_) => {
            vm.stderr
                .push_str("OverflowError: Python int too large to convert to C long\n");
            -1
        }
        other => {
            let text = vm.str_of(&other).unwrap_or_default();
            vm.stderr.push_str(&text);
            vm.stderr.push('\n');
            1
        }
    }
}

/// Runs frames until the entry frame on top of the stack when called returns (its value)
/// or unwinds (its exception).
pub fn run_loop(vm: &mut Vm) -> PyResult<Value> {
    loop {
        if vm.fuel_left == 0 {
            return Err(Throw::OutOfFuel);
        }
        vm.check_heap()?;
        vm.fuel_left -= 1;
        vm.fuel_used += 1;
        let outcome = step(vm);
        let escaped = match outcome {
            Ok(Step::Continue) => continue,
            Ok(Step::Push(frame)) => {
                vm.frames.push(frame);
                continue;
            }
            Ok(Step::Detached { value, entry }) => {
                if entry {
                    return Ok(value);
                }
                vm.top()?.push(value);
                continue;
            }
            Ok(Step::Stopped(exc)) => match stopped_event(vm, &exc) {
                Ok(()) => continue,
                Err(Throw::Reraise(e)) => unwind(vm, e, true)?,
                Err(fatal) => return Err(fatal),
            },
            Ok(Step::Return(v)) => match leave_frame(vm, v, false) {
                Ok(Left::Entry(v)) => return Ok(v),
                Ok(Left::Continue) => continue,
                Ok(Left::Stopped(exc)) => match stopped_event(vm, &exc) {
                    Ok(()) => continue,
                    Err(Throw::Reraise(e)) => unwind(vm, e, true)?,
                    Err(fatal) => return Err(fatal),
                },
                Err(Throw::Exc(e)) => unwind(vm, e, false)?,
                Err(Throw::Reraise(e)) => unwind(vm, e, true)?,
                Err(fatal) => return Err(fatal),
            },
            Ok(Step::Yield(v)) => match leave_frame(vm, v, true) {
                Ok(Left::Entry(v)) => return Ok(v),
                Ok(Left::Continue | Left::Stopped(_)) => continue,
                Err(Throw::Exc(e)) => unwind(vm, e, false)?,
                Err(Throw::Reraise(e)) => unwind(vm, e, true)?,
                Err(fatal) => return Err(fatal),
            },
            Err(Throw::Exc(e)) => unwind(vm, e, false)?,
            Err(Throw::Reraise(e)) => unwind(vm, e, true)?,
            Err(fatal) => return Err(fatal),
        };
        if let Some(exc) = escaped {
            return Err(Throw::Exc(exc));
        }
    }
}

thread_local! {
    /// CPython's `eval_breaker`: set when something must happen before the next
    /// instruction (a freed generator to check, weak-reference callbacks to call), so that
    /// the loop pays one thread-local read per instruction for all of them.
    static EVAL_BREAKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Asks the loop to look at the pending work before its next instruction.
pub fn set_eval_breaker() {
    // `try_with`: called from drops, which also run while the thread's locals go.
    let _ = EVAL_BREAKER.try_with(|b| b.set(true));
}

/// The work [`set_eval_breaker`] announced.
#[cold]
fn handle_eval_breaker(vm: &mut Vm) -> PyResult<()> {
    EVAL_BREAKER.with(|b| b.set(false));
    ops::generators::check_freed(vm)?;
    if ops::generators::closes_pending() {
        ops::generators::run_pending_closes(vm)?;
    }
    if super::unawaited::pending() {
        super::unawaited::run_pending(vm)?;
    }
    if super::finalize::pending() {
        super::finalize::run_pending(vm)?;
    }
    if super::weakref::pending() {
        super::weakref::run_pending(vm)?;
    }
    if super::gc::take_collection_due() {
        super::modules::gcmodule::collection_due(vm)?;
    }
    Ok(())
}

/// Decodes and executes one instruction of the current frame.
fn step(vm: &mut Vm) -> PyResult<Step> {
    if EVAL_BREAKER.with(|b| b.get()) {
        handle_eval_breaker(vm)?;
    }
    let f = vm.top()?;
    let at = f.next_instr;
    let Some(ins) = f.info.code.decode_at(at) else {
        if at == super::jump::AFTER_JUMP_AT_YIELD {
            return Err(vm.unsupported(
                "resuming a generator whose f_lineno was set at its yield event \
                 (CPython 3.12 resumes it one code unit past the target and crashes)",
            ));
        }
        let name = f.info.code.co_name.clone();
        return Err(Throw::Bug(format!(
            "undecodable instruction at unit {at} of {name}"
        )));
    };
    // Tracing wraps dispatch: one flag test per instruction.
    if vm.trace.active {
        return traced_step(vm, ins);
    }
    let f = vm.top()?;
    f.prev_instr = Some(ins.index);
    f.instr = Some(ins.index);
    f.next_instr = ins.next_index();
    dispatch(vm, ins)
}

/// [`step`] while an observer is on: the events before the instruction, the instruction,
/// then the events of where it went. A callback that sets `f_lineno` sends the frame on
/// from its new `next_instr` instead.
#[cold]
fn traced_step(vm: &mut Vm, ins: Instruction) -> PyResult<Step> {
    if trace::before_instruction(vm, &ins)? {
        return Ok(Step::Continue);
    }
    let f = vm.top()?;
    f.prev_instr = Some(ins.index);
    f.instr = Some(ins.index);
    f.next_instr = ins.next_index();
    let serial = f.serial;
    if vm.trace.frame_steps.is_some() {
        super::internals::record_step(vm, &ins)?;
    }
    // Without monitoring nothing follows the instruction: returning dispatch's result
    // as it is lets it be built in place (a `Step` is large: moving it through a local
    // cost two copies per traced instruction, measured with callgrind on trace.py).
    if !vm.trace.monitoring {
        return dispatch(vm, ins);
    }
    // Only an instruction that went on in the same frame has events after it; the others
    // pass through, so the common case copies no `Step`.
    match dispatch(vm, ins) {
        Ok(Step::Continue) => {
            trace::after_instruction(vm, &ins, serial)?;
            Ok(Step::Continue)
        }
        other => other,
    }
}

/// One arm per opcode of the table (`for_each_opcode!` defines [`Opcode`]); the semantics
/// live in `ops::*`, one family per file. The match has no catch-all arm, so an opcode
/// added to the table without a handler does not compile; the opcodes the VM does not
/// implement are listed in the last arm and end the run as unsupported.
///
/// Jump handlers get [`Instruction::jump_target`] as it is and report a malformed target
/// themselves: an early return (`?`) in these arms made the whole loop measurably slower
/// (loop-heavy programs by 10-25%), though it executed no more instructions.
fn dispatch(vm: &mut Vm, ins: Instruction) -> PyResult<Step> {
    use Opcode as O;
    let arg = ins.arg;
    match ins.opcode {
        O::NOP | O::CACHE | O::EXTENDED_ARG => Ok(Step::Continue),
        O::RESUME => ops::stack::resume(vm, arg),
        O::POP_TOP => ops::stack::pop_top(vm),
        O::PUSH_NULL => ops::stack::push_null(vm),
        O::END_FOR => ops::stack::end_for(vm),
        O::COPY => ops::stack::copy(vm, arg),
        O::SWAP => ops::stack::swap(vm, arg),
        O::INTERPRETER_EXIT => ops::stack::interpreter_exit(vm),

        O::LOAD_CONST => ops::names::load_const(vm, arg),
        O::LOAD_FAST | O::LOAD_FAST_CHECK => ops::names::load_fast(vm, arg),
        O::LOAD_FAST_AND_CLEAR => ops::names::load_fast_and_clear(vm, arg),
        O::STORE_FAST => ops::names::store_fast(vm, arg),
        O::DELETE_FAST => ops::names::delete_fast(vm, arg),
        O::LOAD_NAME => ops::names::load_name(vm, arg),
        O::STORE_NAME => ops::names::store_name(vm, arg),
        O::DELETE_NAME => ops::names::delete_name(vm, arg),
        O::LOAD_GLOBAL => ops::names::load_global(vm, arg),
        O::STORE_GLOBAL => ops::names::store_global(vm, arg),
        O::DELETE_GLOBAL => ops::names::delete_global(vm, arg),
        O::MAKE_CELL => ops::names::make_cell(vm, arg),
        O::LOAD_CLOSURE => ops::names::load_fast(vm, arg),
        O::LOAD_DEREF => ops::names::load_deref(vm, arg),
        O::STORE_DEREF => ops::names::store_deref(vm, arg),
        O::DELETE_DEREF => ops::names::delete_deref(vm, arg),
        O::COPY_FREE_VARS => ops::names::copy_free_vars(vm, arg),
        O::LOAD_FROM_DICT_OR_DEREF => ops::names::load_from_dict_or_deref(vm, arg),
        O::LOAD_FROM_DICT_OR_GLOBALS => ops::names::load_from_dict_or_globals(vm, arg),
        O::LOAD_LOCALS => ops::names::load_locals(vm),
        O::SETUP_ANNOTATIONS => ops::names::setup_annotations(vm),
        O::LOAD_ATTR => ops::attrs::load_attr(vm, arg),
        O::STORE_ATTR => ops::attrs::store_attr(vm, arg),
        O::DELETE_ATTR => ops::attrs::delete_attr(vm, arg),
        O::LOAD_SUPER_ATTR => ops::attrs::load_super_attr(vm, arg),
        O::LOAD_BUILD_CLASS => ops::attrs::load_build_class(vm),

        O::CALL => ops::calls::call(vm, arg),
        O::KW_NAMES => ops::calls::kw_names(vm, arg),
        O::CALL_FUNCTION_EX => ops::calls::call_function_ex(vm, arg),
        O::CALL_INTRINSIC_1 => ops::calls::call_intrinsic_1(vm, arg),
        O::MAKE_FUNCTION => ops::calls::make_function(vm, arg),
        O::RETURN_VALUE => ops::calls::return_value(vm),
        O::RETURN_CONST => ops::calls::return_const(vm, arg),
        O::RETURN_GENERATOR => ops::generators::return_generator(vm),
        O::YIELD_VALUE => ops::generators::yield_value(vm),
        O::SEND => ops::generators::send(vm, ins.jump_target()),
        O::END_SEND => ops::generators::end_send(vm),
        O::GET_YIELD_FROM_ITER => ops::generators::get_yield_from_iter(vm),
        O::CLEANUP_THROW => ops::generators::cleanup_throw(vm),
        O::GET_AWAITABLE => ops::coroutines::get_awaitable(vm, arg),
        O::GET_AITER => ops::coroutines::get_aiter(vm),
        O::GET_ANEXT => ops::coroutines::get_anext(vm),
        O::END_ASYNC_FOR => ops::coroutines::end_async_for(vm),
        O::BEFORE_ASYNC_WITH => ops::coroutines::before_async_with(vm),

        O::JUMP_FORWARD | O::JUMP_BACKWARD_NO_INTERRUPT => {
            ops::control::jump(vm, ins.jump_target())
        }
        O::JUMP_BACKWARD => ops::control::jump_backward(vm, ins.jump_target()),
        O::POP_JUMP_IF_FALSE => ops::control::pop_jump_if(vm, ins.jump_target(), false),
        O::POP_JUMP_IF_TRUE => ops::control::pop_jump_if(vm, ins.jump_target(), true),
        O::POP_JUMP_IF_NONE => ops::control::pop_jump_if_none(vm, ins.jump_target(), true),
        O::POP_JUMP_IF_NOT_NONE => ops::control::pop_jump_if_none(vm, ins.jump_target(), false),
        O::GET_ITER => ops::control::get_iter(vm),
        O::FOR_ITER => ops::control::for_iter(vm, ins.jump_target()),

        O::RAISE_VARARGS => ops::exceptions::raise_varargs(vm, arg),
        O::RERAISE => ops::exceptions::reraise(vm, arg),
        O::PUSH_EXC_INFO => ops::exceptions::push_exc_info(vm),
        O::POP_EXCEPT => ops::exceptions::pop_except(vm),
        O::CHECK_EXC_MATCH => ops::exceptions::check_exc_match(vm),
        O::LOAD_ASSERTION_ERROR => ops::exceptions::load_assertion_error(vm),
        O::BEFORE_WITH => ops::exceptions::before_with(vm),
        O::WITH_EXCEPT_START => ops::exceptions::with_except_start(vm),

        O::BUILD_TUPLE => ops::containers::build_tuple(vm, arg),
        O::BUILD_LIST => ops::containers::build_list(vm, arg),
        O::BUILD_SET => ops::containers::build_set(vm, arg),
        O::BUILD_MAP => ops::containers::build_map(vm, arg),
        O::BUILD_CONST_KEY_MAP => ops::containers::build_const_key_map(vm, arg),
        O::BUILD_STRING => ops::containers::build_string(vm, arg),
        O::BUILD_SLICE => ops::containers::build_slice(vm, arg),
        O::LIST_APPEND => ops::containers::list_append(vm, arg),
        O::SET_ADD => ops::containers::set_add(vm, arg),
        O::MAP_ADD => ops::containers::map_add(vm, arg),
        O::LIST_EXTEND => ops::containers::list_extend(vm, arg),
        O::SET_UPDATE => ops::containers::set_update(vm, arg),
        O::DICT_UPDATE => ops::containers::dict_update(vm, arg),
        O::DICT_MERGE => ops::containers::dict_merge(vm, arg),
        O::UNPACK_SEQUENCE => ops::containers::unpack_sequence(vm, arg),
        O::UNPACK_EX => ops::containers::unpack_ex(vm, arg),
        O::BINARY_SUBSCR => ops::containers::binary_subscr(vm),
        O::STORE_SUBSCR => ops::containers::store_subscr(vm),
        O::DELETE_SUBSCR => ops::containers::delete_subscr(vm),
        O::BINARY_SLICE => ops::containers::binary_slice(vm),
        O::STORE_SLICE => ops::containers::store_slice(vm),
        O::FORMAT_VALUE => ops::containers::format_value(vm, arg),
        O::GET_LEN => ops::containers::get_len(vm),

        O::UNARY_NEGATIVE => ops::operators::unary(vm, UnaryOp::Negative),
        O::UNARY_NOT => ops::operators::unary_not(vm),
        O::UNARY_INVERT => ops::operators::unary(vm, UnaryOp::Invert),
        O::BINARY_OP => ops::operators::binary_op(vm, arg),
        O::COMPARE_OP => ops::operators::compare_op(vm, arg),
        O::IS_OP => ops::operators::is_op(vm, arg),
        O::CONTAINS_OP => ops::operators::contains_op(vm, arg),

        O::IMPORT_NAME => ops::imports::import_name(vm, arg),
        O::IMPORT_FROM => ops::imports::import_from(vm, arg),

        O::MATCH_SEQUENCE => ops::patterns::match_sequence(vm),
        O::MATCH_MAPPING => ops::patterns::match_mapping(vm),
        O::MATCH_KEYS => ops::patterns::match_keys(vm),
        O::MATCH_CLASS => ops::patterns::match_class(vm, arg),
        O::CHECK_EG_MATCH => ops::exceptions::check_eg_match(vm),
        O::CALL_INTRINSIC_2 => ops::calls::call_intrinsic_2(vm, arg),
    }
}

/// Reports a StopIteration that an instruction consumed (see [`Step::Stopped`]). At
/// FOR_ITER, 3.12 clears whatever is raised once the event is delivered, so a trace
/// function's or tool's exception there is dropped, and the loop's BRANCH follows. At
/// SEND, the callback's exception replaces the StopIteration: it gets its traceback entry
/// here and comes back as `Throw::Reraise`, to be unwound without a second event.
fn stopped_event(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    if !vm.trace.active {
        return Ok(());
    }
    let for_iter = {
        let f = vm.top()?;
        f.instr
            .and_then(|i| f.info.code.decode_at(i))
            .is_some_and(|i| i.opcode == Opcode::FOR_ITER)
    };
    match trace::exception_event(vm, exc) {
        Ok(()) => {}
        Err(Throw::Exc(_) | Throw::Reraise(_)) if for_iter => {}
        Err(Throw::Exc(e) | Throw::Reraise(e)) => {
            add_traceback(vm, &e)?;
            return Err(Throw::Reraise(e));
        }
        Err(fatal) => return Err(fatal),
    }
    if for_iter && vm.trace.monitoring {
        trace::for_iter_branch(vm)?;
    }
    Ok(())
}

/// How the loop goes on after a frame returned or yielded.
enum Left {
    /// The frame was an entry frame: its native caller gets the value.
    Entry(Value),
    Continue,
    /// A generator resumed inline by FOR_ITER returned a value other than None: 3.12's
    /// FOR_ITER reports the StopIteration carrying it (`monitor_raise`). spec:
    /// generators.tracing
    Stopped(Value),
}

/// The current frame returns or yields `v`: deliver the `return` trace event, pop the
/// frame, hand `v` to the caller. A generator resumed inline (SEND, FOR_ITER) that
/// returns sends its caller on to where the resuming instruction would have gone when the
/// iterator is exhausted (CPython `frame->return_offset`).
fn leave_frame(vm: &mut Vm, v: Value, is_yield: bool) -> PyResult<Left> {
    if vm.trace.active {
        trace::return_event(vm, &v, is_yield)?;
    }
    let entry = if is_yield {
        super::ops::generators::suspend(vm)?
    } else {
        super::ops::generators::finish_if_generator(vm)?;
        vm.pop_frame()?.entry
    };
    if entry {
        return Ok(Left::Entry(v));
    }
    let f = vm.top()?;
    match f.inline_return.take() {
        Some(InlineReturn::Send { target }) if !is_yield => {
            f.push(v);
            f.next_instr = target;
        }
        Some(InlineReturn::ForIter { exit }) if !is_yield => {
            if vm.trace.monitoring {
                trace::for_iter_generator_ended(vm, &v)?;
            }
            let f = vm.top()?;
            f.pop()?;
            f.next_instr = exit;
            if !v.is_none() {
                // The BRANCH comes after the StopIteration's RAISE (`stopped_event`).
                let exc = vm.new_exception(&vm.ty("StopIteration"), vec![v]);
                return Ok(Left::Stopped(exc));
            }
            if vm.trace.monitoring {
                trace::for_iter_branch(vm)?;
            }
        }
        Some(InlineReturn::ForIter { .. }) => {
            f.push(v);
            if vm.trace.monitoring {
                trace::for_iter_branch(vm)?;
            }
        }
        _ => f.push(v),
    }
    Ok(Left::Continue)
}

/// Exception handling (CPython's `error:` / `exception_unwind:` / `exit_unwind:` labels):
/// record a traceback entry and the `exception` event unless re-raising, then jump to the
/// handler from the exception table, or pop the frame and repeat in the caller. Returns
/// the exception when it escapes the entry frame. spec: exceptions.handler,
/// exceptions.traceback.chain
fn unwind(vm: &mut Vm, exc: Value, reraise: bool) -> PyResult<Option<Value>> {
    let mut exc = exc;
    let mut reraise = reraise;
    // An error from an EXCEPTION_HANDLED callback is unwound like a re-raise but is not
    // one (no RERAISE event).
    let mut from_callback = false;
    loop {
        if reraise && !std::mem::take(&mut from_callback) && vm.trace.active {
            if let Err(e) = trace::reraise_event(vm, &exc) {
                match e {
                    Throw::Exc(e) | Throw::Reraise(e) => exc = e,
                    fatal => return Err(fatal),
                }
            }
        }
        if !reraise {
            add_traceback(vm, &exc)?;
            if vm.trace.active {
                match trace::exception_event(vm, &exc) {
                    Ok(()) => {}
                    // A callback's exception replaces this one, with only the callback's
                    // own traceback (`do_monitor_exc`): the frame adds no entry.
                    Err(Throw::Exc(e) | Throw::Reraise(e)) => exc = e,
                    Err(fatal) => return Err(fatal),
                }
            }
        }
        reraise = false;
        let f = vm.top()?;
        let handler = f
            .instr
            .and_then(|i| crate::code::find_handler(&f.info.code.co_exceptiontable, i));
        if let Some(h) = handler {
            if f.stack_level() < h.depth {
                return Err(Throw::Bug(
                    "exception handler deeper than the value stack".into(),
                ));
            }
            f.truncate_stack(h.depth);
            if h.lasti {
                let lasti = f.prev_instr.map(|i| i as i64).unwrap_or(-1);
                f.push(Value::Int(lasti));
            }
            f.push(exc.clone());
            f.next_instr = h.target;
            if vm.trace.active {
                // An error from the callback is unwound from the handler, without a
                // RAISE event or a traceback entry (`goto exception_unwind`).
                if let Err(e) = trace::handled_event(vm, h.target, &exc) {
                    match e {
                        Throw::Exc(e) | Throw::Reraise(e) => {
                            exc = e;
                            reraise = true;
                            from_callback = true;
                            vm.top()?.instr = Some(h.target);
                            continue;
                        }
                        fatal => return Err(fatal),
                    }
                }
            }
            return Ok(None);
        }
        // No handler: the frame exits with the exception.
        if vm.trace.active {
            trace::unwind_event(vm, &exc)?;
        }
        super::ops::generators::finish_if_generator(vm)?;
        let frame = vm.pop_frame()?;
        if frame.entry || vm.frames.is_empty() {
            return Ok(Some(exc));
        }
        // The caller handles the exception at its resuming instruction; a generator it
        // resumed inline will not return to it (3.12 resets `return_offset`).
        vm.top()?.inline_return = None;
    }
}

/// Prepends a traceback entry for the current frame (CPython `PyTraceBack_Here`).
pub(super) fn add_traceback(vm: &mut Vm, exc: &Value) -> PyResult<()> {
    let Some(index) = vm.frames.len().checked_sub(1) else {
        return Ok(());
    };
    let Some(fo) = vm.frame_object(index) else {
        return Ok(());
    };
    let f = vm.top()?;
    let lasti = f.lasti_bytes();
    let lineno = f.current_line();
    let Some(data) = exc.exc() else { return Ok(()) };
    let next = data.traceback.borrow().clone();
    let tb = Traceback {
        tb_next: std::cell::RefCell::new(next),
        tb_frame: fo,
        tb_lasti: lasti,
        tb_lineno: lineno,
        made: false,
    };
    *data.traceback.borrow_mut() = Value::Traceback(crate::runtime::gc::alloc(tb));
    Ok(())
}

/// Calls Python code from native code: pushes `frame` as an entry frame and runs it to
/// completion (CPython `_PyEval_Vector`). Bounded by the native depth limit.
pub fn run_entry_frame(vm: &mut Vm, mut frame: Frame) -> PyResult<Value> {
    if vm.native_depth >= vm.native_limit {
        return Err(vm.err("RecursionError", "maximum recursion depth exceeded"));
    }
    vm.enter_c(EVAL_C_UNITS, "")?;
    frame.entry = true;
    vm.frames.push(frame);
    vm.native_depth += 1;
    let result = run_loop(vm);
    vm.native_depth -= 1;
    vm.leave_c(EVAL_C_UNITS);
    result
}

/// Resumes the entry frame just pushed with `exc` raised at its current instruction
/// (generator `throw()`), then keeps running it.
pub fn resume_with_error(vm: &mut Vm, exc: Value) -> PyResult<Value> {
    let mut exc = exc;
    if vm.trace.active {
        // PY_THROW → `call` before the RAISE's `exception` event; an exception from the
        // trace function replaces the thrown one. spec: generators.tracing
        match trace::throw_event(vm, &exc) {
            Ok(()) => {}
            Err(Throw::Exc(e) | Throw::Reraise(e)) => exc = e,
            Err(fatal) => return Err(fatal),
        }
    }
    match unwind(vm, exc, false)? {
        Some(escaped) => Err(Throw::Exc(escaped)),
        None => run_loop(vm),
    }
}
