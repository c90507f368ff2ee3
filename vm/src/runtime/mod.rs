//! The evaluator: runs CPython 3.12 code objects on a frame stack.
//!
//! Spec chapters map onto modules: `frames` → [`frame`] (+ frame attributes in [`attr`]),
//! `lineno` → [`codeinfo`], `namespaces` → `ops::names`, `tracing` → [`trace`],
//! `exceptions` → [`eval`] (unwinding) and [`traceback`] (printing). Opcode semantics live
//! in `ops::*`, one family per file; [`eval`] is the loop that decodes and dispatches.
//!
//! Failure kinds stay apart ([`Throw`]): a Python exception is a value; running out of fuel
//! or of heap is exhaustion; a broken invariant is a bug. Nothing here panics on program input.

mod argspec;
mod attr;
mod awaitables;
mod baseobject;
mod builtins;
mod bytearray;
mod call;
mod carets;
mod classes;
mod cmdline;
mod codeinfo;
// Generated from CPython 3.12 (see its header); kept exactly as the generator prints it.
#[rustfmt::skip]
pub(crate) mod cpython_names;
mod cycles;
mod descr;
mod dict;
mod eval;
mod excgroup;
mod excmembers;
mod finalize;
mod fmtspec;
mod frame;
mod gc;
mod genericalias;
mod hash;
pub(crate) mod heap;
mod import;
mod index;
mod int;
pub(crate) mod internals;
mod interp;
mod iterators;
mod iterstep;
mod jump;
mod keys;
mod layout;
mod lengthhint;
mod mappingproxy;
mod memoryview;
mod metaclass;
mod methods;
mod modules;
mod monitoring;
mod numbers;
mod object;
mod ops;
mod oserror;
mod percent;
mod pipes;
mod process;
mod profile;
mod program;
mod protocol;
mod pyobserver;
mod range;
mod reach;
mod repr;
mod scratch;
mod set;
mod setops;
mod slots;
mod slotted;
mod standins;
mod streams;
mod strformat;
mod structseq;
mod subclass;
mod suggestions;
pub(crate) mod superobj;
mod syntaxerror;
mod syshooks;
mod sysmod;
mod tbgroup;
mod textcodec;
mod trace;
mod traceback;
mod typeattrs;
mod types;
mod typevars;
mod unawaited;
mod unicodeerror;
mod unraisable;
mod viewops;
mod viewslots;
pub(crate) mod weakproxy;
mod weakref;

use std::rc::Rc;

use crate::code::CodeObject;
use crate::{End, RunOptions, RunResult};

use object::Value;

/// Why evaluation stopped early.
#[derive(Debug)]
pub enum Throw {
    /// A Python exception was raised (the value is the exception instance).
    Exc(Value),
    /// A re-raise (RERAISE, bare `raise`): unwinding continues without adding a traceback
    /// entry or an `exception` trace event (CPython's `goto exception_unwind`).
    Reraise(Value),
    /// The fuel budget ran out.
    OutOfFuel,
    /// The run allocated more than its heap budget. Never catchable by Python.
    OutOfMemory,
    /// The program reached something framespec does not implement as CPython 3.12 does;
    /// the run ends here rather than give a different answer. Never catchable by Python.
    Unsupported(crate::Unsupported),
    /// A VM invariant broke.
    Bug(String),
}

pub type PyResult<T> = Result<T, Throw>;

/// Stack size for the evaluation thread: native re-entry (builtins calling Python) uses
/// the Rust stack, bounded by `interp::NATIVE_DEPTH_LIMIT`.
const EVAL_STACK_BYTES: usize = 256 << 20;

/// Compiles and runs `source` as `__main__`, on a thread with a large stack.
pub(crate) fn run(source: &str, options: &RunOptions) -> RunResult {
    let source = source.to_owned();
    let options = options.clone();
    on_eval_thread(move || compile_and_run(&source, &options, interp::NATIVE_DEPTH_LIMIT))
        .unwrap_or_else(bug)
}

/// Why a `.pyc` file was not run: it does not read, or its code does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PycError {
    /// The file is not a 3.12 `.pyc` the VM can read (`marshal::read_pyc`).
    Read(crate::marshal::Error),
    /// Its code is not bytecode the VM may run (`verify::verify_module`): CPython 3.12
    /// would run it unchecked, to an undefined end.
    Invalid(crate::verify::VerifyError),
}

impl std::fmt::Display for PycError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PycError::Read(e) => e.fmt(f),
            PycError::Invalid(e) => write!(f, "invalid bytecode: {e}"),
        }
    }
}

impl std::error::Error for PycError {}

/// Reads a `.pyc` file (`marshal::read_pyc`), verifies its code (`verify::verify_module`)
/// and runs it as `__main__` on a thread with a large stack, as [`run`] runs source;
/// `source`, when known, gives tracebacks their lines. A file that does not read, or whose
/// code does not verify, is the located error, and nothing runs.
pub fn run_pyc(
    data: &[u8],
    source: Option<&str>,
    options: &RunOptions,
) -> Result<RunResult, PycError> {
    let (data, source, options) = (data.to_vec(), source.map(str::to_owned), options.clone());
    on_eval_thread(move || {
        let code = crate::marshal::read_pyc(&data).map_err(PycError::Read)?;
        crate::verify::verify_module(&code).map_err(PycError::Invalid)?;
        let native_limit = interp::NATIVE_DEPTH_LIMIT;
        Ok(eval::run_module(
            code,
            source.as_deref(),
            &options,
            native_limit,
        ))
    })
    .unwrap_or_else(|detail| Ok(bug(detail)))
}

/// Assembles a bytecode listing (`asm::assemble_verified`, spec/BYTECODE.md) and runs its
/// module code object as `__main__` on a thread with a large stack, as [`run`] runs source.
/// A listing that does not assemble or verify is the located error, and nothing runs.
pub fn run_listing(text: &str, options: &RunOptions) -> Result<RunResult, crate::asm::AsmError> {
    let (text, options) = (text.to_owned(), options.clone());
    on_eval_thread(move || {
        let code = crate::asm::assemble_verified(&text)?;
        Ok(eval::run_module(
            code,
            None,
            &options,
            interp::NATIVE_DEPTH_LIMIT,
        ))
    })
    .unwrap_or_else(|detail| Ok(bug(detail)))
}

/// A run that ended in a VM bug.
fn bug(detail: String) -> RunResult {
    RunResult {
        end: End::Bug(detail),
        ..RunResult::default()
    }
}

/// Runs `f` on a thread with [`EVAL_STACK_BYTES`] of stack; `Err` says why it did not
/// finish (a panic, or a thread that could not start: VM bugs).
fn on_eval_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    match std::thread::Builder::new()
        .stack_size(EVAL_STACK_BYTES)
        .spawn(f)
    {
        Ok(handle) => handle
            .join()
            .map_err(|_| "the evaluator thread panicked".to_owned()),
        Err(e) => Err(format!("cannot start evaluator thread: {e}")),
    }
}

fn compile_and_run(source: &str, options: &RunOptions, native_limit: usize) -> RunResult {
    match crate::compile_with_warnings(source, &options.filename) {
        Ok((code, warnings)) => {
            // The SyntaxWarnings are written while compiling, before the program runs.
            let mut result = eval::run_module(code, Some(source), options, native_limit);
            let text = traceback::syntax_warnings_text(&options.filename, source, &warnings);
            result.stderr.insert_str(0, &text);
            result
        }
        Err(e) if e.unsupported => RunResult {
            end: End::Unsupported(crate::Unsupported {
                feature: e.message,
                filename: options.filename.clone(),
                line: e.line,
                column: e.column,
                stack: Vec::new(),
            }),
            trace: options.trace.then(Vec::new),
            snapshots: (!options.snapshot_lines.is_empty()).then(String::new),
            internals: None,
            frame_steps: None,
            ..RunResult::default()
        },
        Err(e) => {
            // The parser's warnings up to the error are written before the error.
            let warnings = crate::compile::warnings_before_error(source, &e);
            let mut stderr = traceback::syntax_warnings_text(&options.filename, source, &warnings);
            // The compiler reads the error's line from the file; a command has none.
            let text = match (options.command, e.origin) {
                (true, crate::Origin::Located | crate::Origin::Compiler) => "",
                _ => source,
            };
            stderr.push_str(&traceback::syntax_error_text(&options.filename, text, &e));
            RunResult {
                stderr,
                end: End::Exception(crate::UncaughtException {
                    type_name: e.class_name().into(),
                    message: format!("{} ({}, line {})", e.message, options.filename, e.line),
                    traceback: Vec::new(),
                    exit_code: 1,
                }),
                trace: options.trace.then(Vec::new),
                snapshots: (!options.snapshot_lines.is_empty()).then(String::new),
                internals: None,
                frame_steps: None,
                ..RunResult::default()
            }
        }
    }
}

/// Runs an already compiled module code object as `__main__` (e.g. one CPython compiled)
/// on the calling thread.
pub fn run_code(code: Rc<CodeObject>, options: &RunOptions) -> RunResult {
    run_code_with_source(code, None, options)
}

/// [`run_code`] with the program's source, so tracebacks can show source lines.
pub fn run_code_with_source(
    code: Rc<CodeObject>,
    source: Option<&str>,
    options: &RunOptions,
) -> RunResult {
    // The caller's stack size is unknown (test threads get 2 MiB): allow less native
    // re-entry than on the evaluator thread.
    eval::run_module(code, source, options, SMALL_STACK_NATIVE_DEPTH)
}

/// Every native callable the VM has, as `(owner, name)`, sorted: `("builtins", name)` for
/// each builtin function and each type the `builtins` module holds (a call of the type is
/// its constructor), `(module, name)` for each function of a native module (`math`), and
/// `(type, name)` for each method descriptor installed on a built-in type. Read from a freshly
/// made VM, so it lists whatever `install` puts there (and the native modules build).
pub fn natives() -> Vec<(String, String)> {
    let _objects = gc::Session::begin();
    let vm = interp::Vm::new("main.py", 0);
    let mut out = Vec::new();
    for (k, v) in vm.builtins.items() {
        if let (Value::Str(name), Value::Builtin(_) | Value::Type(_)) = (&k, &v) {
            out.push(("builtins".to_owned(), name.to_string()));
        }
    }
    out.extend(modules::functions());
    for (owner, t) in &vm.types.by_name {
        for (k, v) in t.dict.items() {
            if let (Value::Str(name), Value::Builtin(_)) = (&k, &v) {
                out.push(((*owner).to_owned(), name.to_string()));
            }
        }
    }
    out.sort();
    out
}

/// The iteration order of a frozenset built by adding the constants `items` in order:
/// the indices of the items it keeps. `None` when CPython's order would depend on an
/// address (a NaN) or an item is a str the VM cannot hold (`standins`). The compiler and
/// `dis` lay out frozenset constants with it.
pub fn frozenset_layout(items: &[crate::code::Constant]) -> Option<Vec<usize>> {
    let values: Vec<Value> = items
        .iter()
        .map(codeinfo::constant)
        .collect::<Option<_>>()?;
    set::insertion_layout(&values)
}

/// Native re-entry bound when running on the caller's thread.
const SMALL_STACK_NATIVE_DEPTH: usize = 24;
