//! The interpreter state (CPython's `PyThreadState` + `PyInterpreterState`, merged: the VM
//! runs one thread) and the helpers every opcode family uses: raising exceptions,
//! materialising frame objects, looking up code tables.

use std::collections::HashMap;
use std::rc::Rc;

use crate::code::CodeObject;

use super::codeinfo::CodeInfo;
use super::dict::Dict;
use super::frame::{Frame, FrameObject};
use super::heap::{self, Budget};
use super::object::{ExcData, Instance, Value};
use super::trace::TraceState;
use super::types::{Type, Types};
use super::{PyResult, Throw};

/// Native re-entries of the evaluator (a builtin calling back into Python) allowed at once;
/// CPython bounds the C stack the same way (`Py_C_RECURSION_LIMIT`).
pub const NATIVE_DEPTH_LIMIT: usize = 750;

/// CPython 3.12's C recursion budget (`C_RECURSION_LIMIT`, Include/cpython/pystate.h):
/// native recursion over user data (comparison, repr, ...) and native calls count here,
/// separately from the Python frame limit (`sys.setrecursionlimit` does not change it).
pub const C_RECURSION_LIMIT: usize = 1500;

/// Units one evaluator entry from native code takes (CPython `PY_EVAL_C_STACK_UNITS`).
pub const EVAL_C_UNITS: usize = 2;

#[derive(Debug)]
pub struct Vm {
    /// The frame stack (CPython's datastack of `_PyInterpreterFrame`s); last is current.
    pub frames: Vec<Frame>,
    pub types: Types,
    pub builtins: Rc<Dict>,
    /// `sys.modules`.
    pub modules: Rc<Dict>,
    /// The exception being handled (CPython `tstate->exc_info->exc_value`), None if none.
    pub exc_info: Value,
    /// The handled exceptions of the resumers of the generators running now, innermost
    /// last, each with the serial of the generator frame that saved it (CPython's chain
    /// of `_PyErr_StackItem`s below `tstate->exc_info`).
    pub exc_chain: Vec<(u64, Value)>,
    pub stdout: String,
    /// How much of [`Vm::stdout`] the program has flushed (`sys.stdout.flush()`,
    /// `print(flush=True)`): CPython's stdout to a pipe holds the rest in its buffer,
    /// which a child process writing to the same stdout would overtake (`process`).
    pub stdout_flushed: usize,
    pub stderr: String,
    pub fuel_left: u64,
    pub fuel_used: u64,
    /// The run's heap budget (see `heap`); polled by [`Vm::check_heap`].
    pub heap: Budget,
    pub recursion_limit: usize,
    pub native_depth: usize,
    /// Bound on `native_depth` (depends on the thread's stack).
    pub native_limit: usize,
    /// C recursion units in use (CPython `C_RECURSION_LIMIT - c_recursion_remaining`);
    /// the module's own evaluator entry is the first [`EVAL_C_UNITS`].
    pub c_depth: usize,
    /// Where each running thread other than the main one starts on [`Vm::frames`], innermost
    /// last: a thread runs on top of the frames of the thread that started it, which wait
    /// beneath it (`modules::thread`), and its bottom frame has no `f_back`.
    pub thread_bases: Vec<usize>,
    /// The running thread's identity (`_thread.get_ident()`).
    pub thread_ident: i64,
    /// The locks `_thread._set_sentinel` gave running threads, by thread: released when
    /// the thread ends.
    pub thread_sentinels: Vec<(i64, Value)>,
    pub trace: TraceState,
    pub code_infos: HashMap<usize, Rc<CodeInfo>>,
    /// Constants as values, one value per constant object.
    pub const_values: super::codeinfo::ConstValues,
    pub next_serial: u64,
    pub filename: Rc<str>,
    /// Addresses of containers whose repr is being computed (recursion guard).
    pub repr_active: Vec<usize>,
    /// The program's source lines, for tracebacks.
    pub source_lines: Vec<String>,
    /// The program's whole source text (not for `-c`), which `linecache` is given when it
    /// is imported (see `builtins::exec::register_main_source`).
    pub main_source: Option<Rc<str>>,
    /// `sys.get_int_max_str_digits()`: the most decimal digits an int/str conversion may
    /// have (0: no limit).
    pub int_max_str_digits: usize,
    /// CPython's `Lib/` directory (`RunOptions::stdlib`).
    pub stdlib: Option<std::path::PathBuf>,
    /// `_frozen_importlib` once set up (CPython `interp->importlib`; see `import`).
    pub importlib: Option<Value>,
    /// The codec registry (`_codecs`; CPython's `interp->codec_search_path` and kin).
    pub codecs: super::modules::codecs::Registry,
    /// `atexit`'s callbacks in registration order (`None` where one was unregistered).
    pub atexit: Vec<Option<(Value, super::object::Args)>>,
    /// `_signal`'s handlers set by the program, by signal number.
    pub signal_handlers: HashMap<i64, Value>,
    /// The signals raised and not yet handled, one bit per number (`_signal::check`).
    pub signals_tripped: u128,
    /// `_socket`'s default timeout in nanoseconds, -1 for none (`getdefaulttimeout`).
    pub socket_timeout: i64,
    /// `RunOptions::host_metadata`.
    pub host_metadata: bool,
    /// The program's directory with the case's modules (`RunOptions::modules`).
    pub program: Option<Rc<super::program::ProgramDir>>,
    /// The files and directories the program made (`scratch`).
    pub scratch: super::scratch::Scratch,
    /// `gc`'s settings.
    pub gc_state: super::modules::gcmodule::State,
    /// `_ast`'s node classes and shared nodes, made on first use (`modules::ast::state`).
    pub ast: std::cell::RefCell<Option<Rc<super::modules::ast::State>>>,
    /// The settings `sys` stores for the program to read back (`syshooks`).
    pub sys_state: super::syshooks::State,
    /// `_asyncio`'s state: running loops, task names, cached objects.
    pub asyncio: super::modules::asyncio::State,
    /// `_contextvars`' state: each thread's current context.
    pub contexts: super::modules::contextvars::State,
    /// The virtual child processes the program started (`process`).
    pub children: super::process::Children,
}

impl Vm {
    /// How the observation channels name a frame running code from `co_filename`
    /// (INTERPRETING.md §3): `Some("")` for the program's own file (`main.py`),
    /// `Some("pkg/sub.py:")` for one of the case's modules, `None` for any other code,
    /// which the channels leave out.
    pub fn channel_prefix(&self, co_filename: &str) -> Option<String> {
        if *co_filename == *self.filename {
            return Some(String::new());
        }
        let path = self.program.as_ref()?.module_path(co_filename)?;
        Some(format!("{path}:"))
    }

    pub fn new(filename: &str, fuel: u64) -> Vm {
        let mut vm = Vm {
            frames: Vec::new(),
            types: Types::new(),
            builtins: Dict::new_rc(),
            modules: Dict::new_rc(),
            exc_info: Value::None,
            exc_chain: Vec::new(),
            stdout: String::new(),
            stdout_flushed: 0,
            stderr: String::new(),
            fuel_left: fuel,
            fuel_used: 0,
            heap: Budget::starting_now(u64::MAX),
            recursion_limit: 1000,
            native_depth: 0,
            native_limit: NATIVE_DEPTH_LIMIT,
            c_depth: EVAL_C_UNITS,
            thread_bases: Vec::new(),
            thread_ident: super::modules::thread::IDENT,
            thread_sentinels: Vec::new(),
            trace: TraceState::default(),
            code_infos: HashMap::new(),
            const_values: super::codeinfo::ConstValues::default(),
            next_serial: 1,
            filename: Rc::from(filename),
            repr_active: Vec::new(),
            source_lines: Vec::new(),
            main_source: None,
            int_max_str_digits: crate::arith::text::DEFAULT_MAX_STR_DIGITS,
            stdlib: None,
            importlib: None,
            codecs: Default::default(),
            atexit: Vec::new(),
            signal_handlers: HashMap::new(),
            signals_tripped: 0,
            socket_timeout: -1,
            gc_state: Default::default(),
            host_metadata: false,
            program: None,
            scratch: Default::default(),
            ast: std::cell::RefCell::new(None),
            sys_state: Default::default(),
            asyncio: Default::default(),
            contexts: Default::default(),
            children: Default::default(),
        };
        super::builtins::install(&mut vm);
        super::methods::install(&mut vm);
        super::structseq::install(&vm);
        super::slots::install(&mut vm);
        super::viewslots::install(&vm);
        super::sysmod::install(&mut vm);
        vm
    }

    /// The derived tables of `code`, computed once per code object.
    pub fn code_info(&mut self, code: &Rc<CodeObject>) -> Rc<CodeInfo> {
        let key = Rc::as_ptr(code) as usize;
        if let Some(info) = self.code_infos.get(&key) {
            return info.clone();
        }
        let info = Rc::new(CodeInfo::new(code.clone(), &mut self.const_values));
        self.code_infos.insert(key, info.clone());
        info
    }

    pub fn serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    pub fn ty(&self, name: &str) -> Rc<Type> {
        self.types.get(name)
    }

    pub fn bug(&self, what: impl Into<String>) -> Throw {
        Throw::Bug(what.into())
    }

    /// Ends the run: the program needs `feature`, which framespec does not implement as
    /// CPython 3.12 does. Located at the current instruction of the innermost frame (the
    /// Python code that reached it, also when a builtin called from there is the
    /// unsupported part).
    pub fn unsupported(&self, feature: impl Into<String>) -> Throw {
        let (filename, line, column) = match self.frames.last() {
            Some(f) => {
                let code = &f.info.code;
                // Between instructions (a frame resumed, not yet stepped): where it was.
                let pos = f
                    .instr
                    .or(f.prev_instr)
                    .and_then(|unit| code.positions().get(unit).copied())
                    .unwrap_or_default();
                (
                    code.co_filename.to_string(),
                    pos.line.unwrap_or(code.co_firstlineno),
                    pos.col.map_or(0, |c| c + 1),
                )
            }
            None => (self.filename.to_string(), 0, 0),
        };
        let stack = self
            .frames
            .iter()
            .map(|f| {
                let code = &f.info.code;
                let line = f
                    .instr
                    .or(f.prev_instr)
                    .and_then(|unit| code.positions().get(unit).copied())
                    .and_then(|p| p.line)
                    .unwrap_or(0);
                format!(
                    "File \"{}\", line {line}, in {}",
                    code.co_filename, code.co_name
                )
            })
            .collect();
        Throw::Unsupported(crate::Unsupported {
            feature: feature.into(),
            filename,
            line,
            column,
            stack,
        })
    }

    pub fn top(&mut self) -> PyResult<&mut Frame> {
        match self.frames.last_mut() {
            Some(f) => Ok(f),
            None => Err(Throw::Bug("no current frame".into())),
        }
    }

    // ----- fuel ---------------------------------------------------------------------------

    /// Spends `units` of fuel on work beyond one instruction (a step of an iterator native
    /// code drives, a big int's arithmetic); out of fuel when fewer are left, with all of
    /// them spent.
    pub fn spend_fuel(&mut self, units: u64) -> PyResult<()> {
        if self.fuel_left < units {
            self.fuel_used += self.fuel_left;
            self.fuel_left = 0;
            return Err(Throw::OutOfFuel);
        }
        self.fuel_left -= units;
        self.fuel_used += units;
        Ok(())
    }

    // ----- the heap budget (see `heap`) -------------------------------------------------

    /// Ends the run as out of memory when it has allocated more than its budget.
    #[inline]
    pub fn check_heap(&self) -> PyResult<()> {
        if self.heap.exceeded() {
            return Err(Throw::OutOfMemory);
        }
        Ok(())
    }

    /// Before allocating `own` more bytes: ends the run as out of memory when the budget
    /// cannot hold them.
    pub fn reserve(&self, own: u128) -> PyResult<()> {
        if self.heap.fits(own) {
            Ok(())
        } else {
            Err(Throw::OutOfMemory)
        }
    }

    /// Before building an object whose size the program chose: `cpython` is the block
    /// CPython 3.12 would request for it (`heap::str_block`, …), `own` what the VM is about
    /// to allocate. `MemoryError` where CPython raises it on every machine, out of memory
    /// where only the budget forbids it.
    pub fn before_alloc(&self, cpython: u128, own: u128) -> PyResult<()> {
        if cpython >= heap::UNMAPPABLE {
            return Err(self.memory_error());
        }
        self.reserve(own)
    }

    /// CPython's `PyErr_NoMemory()`: a `MemoryError` without arguments.
    pub fn memory_error(&self) -> Throw {
        self.err_args("MemoryError", Vec::new())
    }

    // ----- exceptions -------------------------------------------------------------------

    /// A new instance of exception type `t` with `args` (not raised).
    pub fn new_exception(&self, t: &Rc<Type>, args: Vec<Value>) -> Value {
        let data = ExcData::default();
        if t.is_subtype(&self.ty("StopIteration")) {
            *data.value.borrow_mut() = args.first().cloned().unwrap_or(Value::None);
        } else if t.is_subtype(&self.ty("SystemExit")) {
            *data.value.borrow_mut() = match args.len() {
                0 => Value::None,
                1 => args[0].clone(),
                _ => Value::tuple(args.clone()),
            };
        }
        let msg = args.first().cloned();
        let lone = (args.len() == 1).then(|| args[0].clone());
        // `OSError_new`: the errno subclass, and the members from the arguments unless
        // the class parses them in its own `__init__` (then `args` starts empty).
        let os_error = super::oserror::is_os_error_type(self, t);
        let (t, args, parse) = match os_error {
            true if super::oserror::use_init(t) => (t.clone(), Vec::new(), None),
            true => (
                super::oserror::class_for(self, t, &args),
                Vec::new(),
                Some(args),
            ),
            false => (t.clone(), args, None),
        };
        let t = &t;
        *data.args.borrow_mut() = Value::tuple(args);
        let exc = Value::Object(crate::runtime::gc::alloc(Instance {
            class: std::cell::RefCell::new(t.clone()),
            dict: Dict::new_rc(),
            exc: Some(data),
            payload: None,
            slots: std::cell::RefCell::new(vec![None; t.nslots]),
        }));
        if let Some(args) = parse {
            let args = super::oserror::init(self, &exc, t, args);
            if let Some(data) = exc.exc() {
                *data.args.borrow_mut() = Value::tuple(args);
            }
        }
        super::finalize::note(&exc);
        // `ImportError_init`'s `msg`, for the exceptions the VM raises (a class with its
        // own `__init__` sets it there, or not).
        if let Some(lone) = lone.filter(|_| !t.overrides("__init__")) {
            if super::excmembers::family_of_type(self, t).is_some_and(|(f, _)| f == "ImportError") {
                super::excmembers::set(self, &exc, "msg", Some(lone));
            }
        }
        // `SyntaxError_init`'s `msg` (its details are read by the constructor's call).
        if let Some(msg) = msg.filter(|_| super::syntaxerror::is_syntax_error_type(t)) {
            super::syntaxerror::set(self, &exc, "msg", msg);
        }
        exc
    }

    /// Takes `units` of the C recursion budget (CPython `_Py_EnterRecursiveCallTstate`);
    /// RecursionError "maximum recursion depth exceeded{place}" when it is spent, as
    /// CPython's `_Py_CheckRecursiveCall`. Pair with [`Vm::leave_c`].
    pub fn enter_c(&mut self, units: usize, place: &str) -> PyResult<()> {
        if self.c_depth + units > C_RECURSION_LIMIT {
            return Err(self.err(
                "RecursionError",
                format!("maximum recursion depth exceeded{place}"),
            ));
        }
        self.c_depth += units;
        Ok(())
    }

    pub fn leave_c(&mut self, units: usize) {
        self.c_depth = self.c_depth.saturating_sub(units);
    }

    /// Runs `body` inside one unit of the C recursion budget.
    pub fn guarded<T>(
        &mut self,
        place: &str,
        body: impl FnOnce(&mut Vm) -> PyResult<T>,
    ) -> PyResult<T> {
        self.enter_c(1, place)?;
        let r = body(self);
        self.leave_c(1);
        r
    }

    /// The exception being handled as `sys.exception()` reports it
    /// (`_PyErr_GetTopmostException`): the innermost item of the chain that holds one.
    pub fn handled_exception(&self) -> Value {
        if !self.exc_info.is_none() {
            return self.exc_info.clone();
        }
        self.exc_chain
            .iter()
            .rev()
            .map(|(_, v)| v)
            .find(|v| !v.is_none())
            .cloned()
            .unwrap_or(Value::None)
    }

    /// A generator frame leaves the stack: its resumer's handled exception is current
    /// again. Returns the generator's own, when `serial` had linked one.
    pub fn unlink_exc_state(&mut self, serial: u64) -> Option<Value> {
        match self.exc_chain.last() {
            Some((s, _)) if *s == serial => {
                let (_, resumer) = self.exc_chain.pop()?;
                Some(std::mem::replace(&mut self.exc_info, resumer))
            }
            _ => None,
        }
    }

    /// Raises `exc` (CPython `_PyErr_SetObject`): links the exception being handled as its
    /// `__context__`, breaking cycles the way CPython does.
    pub fn raise(&self, exc: Value) -> Throw {
        let handled = self.handled_exception();
        if !handled.is_none() && !handled.is(&exc) {
            // Cut the chain where `exc` already appears, so no cycle is created; a cycle
            // already in the chain ends the walk (Floyd's tortoise and hare, as
            // `_PyErr_SetObject` has it).
            let context = |v: &Value| {
                v.exc()
                    .map(|d| d.context.borrow().clone())
                    .filter(|c| !c.is_none())
            };
            let mut o = handled.clone();
            let mut slow = handled.clone();
            let mut toggle = false;
            while let Some(next) = context(&o) {
                if next.is(&exc) {
                    if let Some(d) = o.exc() {
                        *d.context.borrow_mut() = Value::None;
                    }
                    break;
                }
                o = next;
                if o.is(&slow) {
                    break;
                }
                if toggle {
                    slow = context(&slow).unwrap_or(Value::None);
                }
                toggle = !toggle;
            }
            if let Some(d) = exc.exc() {
                *d.context.borrow_mut() = handled;
            }
        }
        Throw::Exc(exc)
    }

    /// Raises a new exception of builtin type `name` with message `msg`.
    pub fn err(&self, name: &str, msg: impl Into<String>) -> Throw {
        let exc = self.new_exception(&self.ty(name), vec![Value::str(&msg.into())]);
        self.raise(exc)
    }

    pub fn type_error(&self, msg: impl Into<String>) -> Throw {
        self.err("TypeError", msg)
    }

    pub fn value_error(&self, msg: impl Into<String>) -> Throw {
        self.err("ValueError", msg)
    }

    /// Raises a builtin exception type with explicit args (KeyError's key, StopIteration).
    pub fn err_args(&self, name: &str, args: Vec<Value>) -> Throw {
        let exc = self.new_exception(&self.ty(name), args);
        self.raise(exc)
    }

    pub fn is_instance_of(&self, v: &Value, type_name: &str) -> bool {
        self.type_of(v).is_subtype(&self.ty(type_name))
    }

    // ----- frame objects ----------------------------------------------------------------

    /// The frame object of stack frame `index`, created on first request (CPython
    /// `_PyFrame_GetFrameObject`). spec: frames.identity
    pub fn frame_object(&mut self, index: usize) -> Option<Rc<FrameObject>> {
        let f = self.frames.get_mut(index)?;
        if let Some(fo) = &f.frame_obj {
            return Some(fo.clone());
        }
        let fo = crate::runtime::gc::alloc(FrameObject::new(f.serial));
        if let Some(g) = &f.generator {
            *fo.generator.borrow_mut() = g.clone();
        }
        f.frame_obj = Some(fo.clone());
        Some(fo)
    }

    /// The index on [`Vm::frames`] of the running thread's bottom frame (0: the main
    /// thread's).
    pub fn stack_base(&self) -> usize {
        self.thread_bases.last().copied().unwrap_or(0)
    }

    /// The running thread's frames: its Python recursion depth.
    pub fn thread_depth(&self) -> usize {
        self.frames.len().saturating_sub(self.stack_base())
    }

    /// Whether the frame at `index` is some thread's bottom frame (its `f_back` is None).
    fn is_thread_bottom(&self, index: usize) -> bool {
        index == 0 || self.thread_bases.contains(&index)
    }

    /// Where frame object `fo`'s interpreter frame is on the stack, if it is running.
    pub fn stack_index(&self, fo: &FrameObject) -> Option<usize> {
        self.frames.iter().rposition(|f| f.serial == fo.serial)
    }

    /// Runs `op` on the interpreter frame behind `fo`: on the stack, suspended inside its
    /// generator, or owned by the frame object after it ended.
    pub fn with_frame<R>(
        &mut self,
        fo: &FrameObject,
        op: impl FnOnce(&mut Frame) -> R,
    ) -> Option<R> {
        if let Some(i) = self.stack_index(fo) {
            return self.frames.get_mut(i).map(op);
        }
        if let Some(frame) = fo.owned.borrow_mut().as_mut() {
            return Some(op(frame));
        }
        let gen = fo.generator.borrow().upgrade();
        if let Some(g) = gen {
            if let Some(frame) = g.frame.borrow_mut().as_mut() {
                return Some(op(frame));
            }
        }
        None
    }

    /// `frame.f_back` (CPython `PyFrame_GetBack`). spec: frames.f_back.chain,
    /// frames.f_back.after-return
    pub fn frame_back(&mut self, fo: &FrameObject) -> Value {
        if let Some(back) = fo.back.borrow().as_ref() {
            return back.clone();
        }
        match self.stack_index(fo) {
            Some(i) if !self.is_thread_bottom(i) => self
                .frame_object(i - 1)
                .map(Value::Frame)
                .unwrap_or(Value::None),
            _ => Value::None,
        }
    }

    /// `frame.f_lineno` (CPython `PyFrame_GetLineNumber`). spec: lineno.f_lineno.current,
    /// lineno.f_lineno.captured
    pub fn frame_lineno(&mut self, fo: &FrameObject) -> Option<u32> {
        if fo.lineno.get() != 0 {
            return Some(fo.lineno.get());
        }
        self.with_frame(fo, |f| f.current_line()).flatten()
    }

    /// Pops the current frame. If its frame object outlives it, the object takes ownership
    /// of the frame's data and fixes `f_back` (CPython `take_ownership`).
    pub fn pop_frame(&mut self) -> PyResult<Frame> {
        let Some(mut frame) = self.frames.pop() else {
            return Err(Throw::Bug("pop of an empty frame stack".into()));
        };
        if let Some(fo) = frame.frame_obj.take() {
            if Rc::strong_count(&fo) > 1 && frame.generator.is_none() {
                if fo.back.borrow().is_none() {
                    let n = self.frames.len();
                    let back = match n {
                        0 => Value::None,
                        n if self.is_thread_bottom(n) => Value::None,
                        n => self
                            .frame_object(n - 1)
                            .map(Value::Frame)
                            .unwrap_or(Value::None),
                    };
                    *fo.back.borrow_mut() = Some(back);
                }
                take_ownership(&fo, &frame);
            } else {
                frame.frame_obj = Some(fo);
            }
        }
        Ok(frame)
    }
}

/// CPython `take_ownership`: frame object `fo` outlives its interpreter frame and keeps a
/// copy of the frame's data (without the value stack), so `f_lineno`, `f_lasti` and
/// `f_locals` still answer. The caller fixes `f_back`.
pub fn take_ownership(fo: &FrameObject, frame: &Frame) {
    let mut data = Frame {
        info: frame.info.clone(),
        func: frame.func.clone(),
        globals: frame.globals.clone(),
        builtins: frame.builtins.clone(),
        locals: frame.locals.clone(),
        locals_mapping: frame.locals_mapping.clone(),
        localsplus: frame.localsplus.clone(),
        prev_instr: frame.prev_instr,
        instr: frame.instr,
        next_instr: frame.next_instr,
        frame_obj: None,
        serial: frame.serial,
        kwnames: None,
        entry: false,
        generator: None,
        inline_return: None,
        cpython_inline: false,
    };
    let nlocals = data.info.nlocalsplus();
    data.localsplus.truncate(nlocals);
    *fo.owned.borrow_mut() = Some(data);
}
