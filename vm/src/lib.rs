//! framespec's reference VM.
//!
//! Python source is parsed by ruff's parser, compiled ([`compile`]) to genuine CPython 3.12
//! bytecode ([`code::CodeObject`], [`opcode::Opcode`]) and evaluated by [`run`] on a
//! contiguous stack of interpreter frames, with frame objects materialised only when Python
//! code asks for them. [`dis`] prints code objects in the layout of CPython 3.12's `dis`.
//!
//! Failures stay apart: a Python exception is a value inside the VM (and an
//! [`End::Exception`] when uncaught); running out of fuel or of heap is [`End::OutOfFuel`]
//! or [`End::OutOfMemory`]; something framespec does not implement is [`End::Unsupported`];
//! a broken VM invariant is [`End::Bug`].
//!
//! The crate installs the process's global allocator: the system allocator, counting the
//! bytes each thread holds, which is how a run's heap budget is measured
//! ([`RunOptions::heap_limit_bytes`]).

pub mod arith;
pub mod asm;
pub mod code;
pub mod compile;
pub mod dis;
pub mod marshal;
pub mod oparg;
pub mod opcode;
pub mod reprs;
mod runtime;
pub mod surrogate_str;
mod unicode_printable;
pub mod verify;

pub use compile::{
    compile, compile_with_warnings, CompileError, CompileWarning, Origin, SyntaxClass,
};
pub use runtime::internals::{FrameRecord, FrameStep, InternalsBlock, SlotRecord, MAX_FRAME_STEPS};
pub use runtime::{natives, run_code, run_code_with_source, run_listing, run_pyc, PycError};
pub use verify::{verify, verify_module, VerifyError};

#[global_allocator]
static ALLOCATOR: runtime::heap::Counting = runtime::heap::Counting;

/// How to run a program.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `co_filename` of the module code (framespec cases use `main.py`).
    pub filename: String,
    /// Instruction budget; when it runs out the run ends with [`End::OutOfFuel`]. Native
    /// work without bound spends it too (a native loop's steps, big-int arithmetic by its
    /// size: spec/INTERPRETING.md §2), so that it bounds time.
    pub fuel: u64,
    /// Heap budget in bytes: what the run may allocate beyond what its thread held when it
    /// started. Beyond it the run ends with [`End::OutOfMemory`].
    pub heap_limit_bytes: u64,
    /// Record the `trace` channel (spec/INTERPRETING.md §3).
    pub trace: bool,
    /// Record the `snapshots` channel at these source lines.
    pub snapshot_lines: Vec<u32>,
    /// Record the `internals` channel at those snapshots (spec/INTERNALS.md).
    pub internals: bool,
    /// Record a [`FrameStep`] before each instruction of the program's frames
    /// (`framespec exec --trace-frames`).
    pub trace_frames: bool,
    /// The module was loaded from a `.pyc` file, as `python FILE.pyc` runs it: its
    /// `__loader__` is a `SourcelessFileLoader` rather than a `SourceFileLoader`.
    pub sourceless: bool,
    /// The program is a command, as `python -c CODE` runs it: the module has no
    /// `__file__`, its `__loader__` is `BuiltinImporter`, and tracebacks show no source
    /// lines (there is no file to read them from).
    pub command: bool,
    /// `sys.argv`; empty means `[filename]`.
    pub argv: Vec<String>,
    /// CPython 3.12's `Lib/` directory, read in place (today: the character-map codecs
    /// that decode source bytes given to `compile()`, `exec()` and `eval()`).
    pub stdlib: Option<std::path::PathBuf>,
    /// The program is a module of the standard library run as `python -m MODULE` runs it:
    /// `runpy._run_module_as_main(MODULE)` is called with `__main__` set up as for a
    /// command, and the program's source is ignored. Needs [`RunOptions::stdlib`].
    pub module: Option<String>,
    /// The program runs where `python` would, as `framespec exec` runs it: `os.stat` and
    /// the like answer for any path of the host (relative to the process's working
    /// directory), though reading a file is still limited to the standard library. Off
    /// for cases, whose CPython runs in a directory of its own.
    pub host_metadata: bool,
    /// The program's source is in `linecache` under its file name once `linecache` is
    /// imported, and no file of that name exists, as the CPython adapter runs a case
    /// (spec/INTERPRETING.md §2: the program is compiled from memory as `main.py`; the
    /// adapter's `_register_source`). On for cases; off for `python main.py`-like runs,
    /// where linecache would read the file (which the sandbox does not).
    pub source_in_linecache: bool,
    /// The program's other files (spec/INTERPRETING.md §1 `modules`): path relative to
    /// the program's directory → source. With any, the directory (`main.py` and these) is
    /// `sys.path[0]`, held in memory (`runtime::program`).
    pub modules: std::collections::BTreeMap<String, String>,
    /// Observe [`RunOptions::trace`] and [`RunOptions::snapshot_lines`] with the harness's
    /// Python observer running inside the VM (on its `sys.settrace` or `sys.monitoring`)
    /// instead of the VM's native recorder; `None`: natively.
    pub observer: Option<PythonObserver>,
}

/// The harness's Python observer of the trace and snapshots channels, run inside the VM
/// (`harness/adapter/framespec_observe.py`, which the CPython adapter observes with).
#[derive(Clone, Debug)]
pub struct PythonObserver {
    pub kind: ObserverKind,
    /// The observer module's source.
    pub source: String,
}

/// Which of the module's observers: how it hooks the interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObserverKind {
    /// A `sys.settrace` function, installed before the module frame starts.
    Settrace,
    /// A `sys.monitoring` tool (id 4) reproducing 3.12's settrace rules.
    Monitoring,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            filename: "main.py".to_owned(),
            fuel: 20_000_000,
            heap_limit_bytes: DEFAULT_HEAP_LIMIT_BYTES,
            trace: false,
            snapshot_lines: Vec::new(),
            internals: false,
            trace_frames: false,
            sourceless: false,
            command: false,
            argv: Vec::new(),
            stdlib: None,
            module: None,
            host_metadata: false,
            source_in_linecache: false,
            modules: std::collections::BTreeMap::new(),
            observer: None,
        }
    }
}

/// The default heap budget, 512 MiB: every case and benchmark program runs in a few MiB,
/// and a program that CPython runs in a few hundred MiB still fits (the VM's objects are
/// larger: a list item takes 24 bytes here, 8 in CPython), while the harness's parallel
/// runs, one per core, stay within a CI machine's memory.
pub const DEFAULT_HEAP_LIMIT_BYTES: u64 = 512 << 20;

/// What a run produced: the observation channels of spec/INTERPRETING.md.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunResult {
    /// Everything written to `sys.stdout`.
    pub stdout: String,
    /// Everything written to `sys.stderr`, including the uncaught-exception traceback
    /// exactly as CPython 3.12 prints it.
    pub stderr: String,
    /// How the run ended.
    pub end: End,
    /// `EVENT NAME:LINE` entries when [`RunOptions::trace`] was set.
    pub trace: Option<Vec<String>>,
    /// The rendered snapshots text when [`RunOptions::snapshot_lines`] was non-empty.
    pub snapshots: Option<String>,
    /// One block per snapshot when [`RunOptions::internals`] was set.
    pub internals: Option<Vec<InternalsBlock>>,
    /// One step per instruction when [`RunOptions::trace_frames`] was set.
    pub frame_steps: Option<Vec<FrameStep>>,
}

/// How a run ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum End {
    /// The module code returned.
    #[default]
    Completed,
    /// An exception escaped the module (including `SyntaxError` from compiling it, and
    /// `SystemExit`, which CPython's adapter reports the same way).
    Exception(UncaughtException),
    /// The fuel budget ran out after this many instructions.
    OutOfFuel(u64),
    /// The run allocated more than its heap budget ([`RunOptions::heap_limit_bytes`]).
    /// Not a `MemoryError`, which the program could catch: the VM raises that only where
    /// CPython 3.12 raises it on every machine, and ends the run here where CPython would
    /// simply have allocated more.
    OutOfMemory {
        /// The budget, in bytes.
        limit_bytes: u64,
    },
    /// The program reached a construct, builtin or method that framespec does not
    /// implement as CPython 3.12 does. The run stops there instead of giving an answer
    /// CPython would not give; nothing the program can catch.
    Unsupported(Unsupported),
    /// A VM invariant broke: a bug in framespec, never the program's fault.
    Bug(String),
}

/// Where and what a program needed that framespec does not implement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// What is missing, e.g. `metaclass other than type` or `str.casefold`.
    pub feature: String,
    /// `co_filename` of the code that reached it.
    pub filename: String,
    /// 1-based line; 0 when no line is known (code without a location).
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// The Python frames that led there, outermost first, as `File "f", line n, in name`
    /// (empty when it was reached outside any frame, e.g. while compiling).
    pub stack: Vec<String>,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} is not supported by framespec",
            self.filename, self.line, self.column, self.feature
        )
    }
}

/// An exception that escaped the module, as the `exception` channel records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncaughtException {
    /// `type(exc).__name__`
    pub type_name: String,
    /// `str(exc)`
    pub message: String,
    /// `co_name:tb_lineno` for each traceback entry in the program's file, outermost first.
    pub traceback: Vec<String>,
    /// The exit status `python main.py` would end with: 1, or the code of a `SystemExit`.
    pub exit_code: i32,
}

/// Compiles and runs `source` as the `__main__` module.
pub fn run(source: &str, options: &RunOptions) -> RunResult {
    runtime::run(source, options)
}
