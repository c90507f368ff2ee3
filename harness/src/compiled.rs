//! The `reference-cpython-compiled` target: the reference VM running each case's program
//! as CPython 3.12 compiled it, so an evaluator bug cannot hide behind a matching compiler
//! bug. CPython writes the `.pyc` (`compile(source, "main.py", "exec")` behind
//! `py_compile`'s header, `_code_to_timestamp_pyc`); the VM reads and runs it
//! (`framespec_vm::run_pyc`) as `python main.py` would run the source.
//!
//! One python3.12 process serves every case of a run (JSON lines: a source in, the `.pyc`
//! out), started with the target and restarted if it dies; each source's `.pyc` is kept, so
//! a case's variants and repeated runs compile once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use framespec_spec::Case;
use framespec_vm::marshal::{read_pyc, ErrorKind};
use framespec_vm::PycError;

use crate::observe::RunEnd;
use crate::target::{observation, Reference, Target};

/// The target's name and `--target` selector.
pub const NAME: &str = "reference-cpython-compiled";

/// The worker: reads one JSON string (a program) per line, answers one JSON object per
/// line, `{"pyc": HEX}` or `{"error": "SyntaxError: …"}`. `PYTHONHASHSEED=0` is set, as
/// for every CPython run of the harness: a frozenset constant of strings is laid out by
/// their hashes.
const WORKER: &str = r#"
import importlib._bootstrap_external as bootstrap, json, sys, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    source = json.loads(line)
    try:
        code = compile(source, "main.py", "exec", dont_inherit=True)
        pyc = bootstrap._code_to_timestamp_pyc(code, 0, len(source.encode()))
        answer = {"pyc": bytes(pyc).hex()}
    except Exception as e:
        answer = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"#;

/// A source's `.pyc` as CPython wrote it, or why CPython did not compile the source.
type Compiled = Result<Arc<Vec<u8>>, String>;

/// The reference VM on CPython 3.12's bytecode.
pub struct CpythonCompiled {
    vm: Reference,
    python: PathBuf,
    worker: Mutex<Option<Worker>>,
    /// Each source's `.pyc`, or why CPython did not compile it.
    compiled: Mutex<HashMap<String, Compiled>>,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn start(python: &Path) -> Result<Worker, String> {
        let mut child = Command::new(python)
            .arg("-c")
            .arg(WORKER)
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the compiling worker has no pipes".to_owned());
        };
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    /// CPython's `.pyc` of `source`: `Ok(Err(why))` when CPython does not compile it,
    /// `Err` when the worker failed.
    fn compile(&mut self, source: &str) -> Result<Result<Vec<u8>, String>, String> {
        let request = serde_json::to_string(source).map_err(|e| e.to_string())?;
        writeln!(self.stdin, "{request}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("the compiling worker is gone: {e}"))?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| format!("the compiling worker is gone: {e}"))?;
        let answer: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the compiling worker answered {line:?}: {e}"))?;
        if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
            return Ok(Err(error.to_owned()));
        }
        let hex = answer
            .get("pyc")
            .and_then(|p| p.as_str())
            .ok_or_else(|| format!("the compiling worker answered {line:?}"))?;
        Ok(Ok(
            unhex(hex).ok_or("the compiling worker's .pyc is not hex")?
        ))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unhex(hex: &str) -> Option<Vec<u8>> {
    let digits = hex.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

impl CpythonCompiled {
    /// The target, with its worker started and checked on an empty program.
    pub fn new(python: &Path, vm: Reference) -> Result<CpythonCompiled, String> {
        let target = CpythonCompiled {
            vm,
            python: python.to_path_buf(),
            worker: Mutex::new(None),
            compiled: Mutex::new(HashMap::new()),
        };
        let pyc = target.pyc("")??;
        read_pyc(&pyc).map_err(|e| format!("{}: {e}", python.display()))?;
        Ok(target)
    }

    /// CPython's `.pyc` of `source`, compiled once: `Ok(Err(why))` when CPython does not
    /// compile it, `Err` when the worker failed.
    fn pyc(&self, source: &str) -> Result<Compiled, String> {
        if let Some(known) = self.lock_compiled()?.get(source) {
            return Ok(known.clone());
        }
        let made = self.compile(source)?.map(Arc::new);
        self.lock_compiled()?
            .insert(source.to_owned(), made.clone());
        Ok(made)
    }

    fn lock_compiled(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, Compiled>>, String> {
        self.compiled
            .lock()
            .map_err(|_| "the .pyc cache is poisoned".to_owned())
    }

    /// Asks the worker, starting it (again) when there is none: a worker that fails is
    /// dropped and one new worker gets one more try.
    fn compile(&self, source: &str) -> Result<Result<Vec<u8>, String>, String> {
        let mut slot = self
            .worker
            .lock()
            .map_err(|_| "the compiling worker is poisoned".to_owned())?;
        let mut last = String::new();
        for _ in 0..2 {
            if slot.is_none() {
                *slot = Some(Worker::start(&self.python)?);
            }
            if let Some(worker) = slot.as_mut() {
                match worker.compile(source) {
                    Ok(answer) => return Ok(answer),
                    Err(why) => {
                        last = why;
                        *slot = None;
                    }
                }
            }
        }
        Err(last)
    }
}

impl Target for CpythonCompiled {
    fn name(&self) -> String {
        NAME.to_owned()
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn selector(&self) -> String {
        NAME.to_owned()
    }

    fn run(&self, case: &Case) -> RunEnd {
        if case.bytecode.is_some() {
            return RunEnd::NotApplicable(
                "a bytecode case has no source for CPython to compile".to_owned(),
            );
        }
        let pyc = match self.pyc(&case.source) {
            Ok(Ok(pyc)) => pyc,
            Ok(Err(why)) => {
                return RunEnd::Unsupported {
                    feature: format!("a program CPython 3.12 does not compile ({why})"),
                    location: "main.py".to_owned(),
                }
            }
            Err(why) => return RunEnd::Crash(why),
        };
        // With the source, as `python main.py` shows its lines in tracebacks.
        let options = self.vm.options(case);
        match framespec_vm::run_pyc(&pyc, Some(&case.source), &options) {
            Ok(result) => observation(result),
            Err(PycError::Read(e)) if e.kind == ErrorKind::Unsupported => RunEnd::Unsupported {
                feature: e.message,
                location: format!("main.pyc:byte {}", e.offset),
            },
            Err(PycError::Read(e)) => {
                RunEnd::Crash(format!("CPython 3.12's .pyc does not read: {e}"))
            }
            // CPython's own bytecode: the verifier is wrong.
            Err(PycError::Invalid(e)) => {
                RunEnd::Crash(format!("CPython 3.12's .pyc does not verify: {e}"))
            }
        }
    }
}
