//! The adapter (harness/adapter/framespec_adapter.py), seen from both sides.
//!
//! * `adapter_tests::*`: its own test-suite (harness/adapter/test_adapter.py) under CPython
//!   3.12, and under every other CPython 3.8–3.13, PyPy (`pypy3`) and RustPython
//!   (`rustpython`) that is installed, since the adapter promises to work unchanged on all
//!   of them: one trial per interpreter (`adapter_tests::cpython-3.11`,
//!   `adapter_tests::pypy3`).
//! * `protocol::*`: the worker as the harness drives it (INTERPRETING.md §6) under CPython
//!   3.12: the handshake comes first, and a hermetic worker answers every request from a
//!   fresh state, whatever the previous request did or however its process died.
//!
//! The 3.12 trials follow the shared rule for a missing CPython 3.12 (`common/cpython.rs`);
//! the other interpreters get a trial only when they are installed.

#[path = "common/cpython.rs"]
mod cpython;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use cpython::python;
use framespec_spec::KNOWN_VERSIONS;
use libtest_mimic::{Failed, Trial};
use serde_json::{json, Value};

fn main() -> ExitCode {
    let mut trials = vec![cpython::trial(
        format!("adapter_tests::cpython-{}", python::REFERENCE_VERSION),
        adapter_tests_pass,
    )];
    for version in KNOWN_VERSIONS
        .iter()
        .filter(|v| **v != python::REFERENCE_VERSION)
    {
        if let Some(found) = python::find(version) {
            trials.push(Trial::test(
                format!("adapter_tests::cpython-{version}"),
                move || adapter_tests_pass(&found),
            ));
        }
    }
    for other in ["pypy3", "rustpython"] {
        if let Some(found) = on_path(other) {
            trials.push(Trial::test(format!("adapter_tests::{other}"), move || {
                adapter_tests_pass(&found)
            }));
        }
    }
    trials.push(cpython::trial("protocol::handshake_first", handshake_first));
    trials.push(cpython::trial(
        "protocol::hermetic_requests_start_fresh",
        hermetic_requests_start_fresh,
    ));
    trials.push(cpython::trial(
        "protocol::dead_case_process_is_an_error_for_its_id",
        dead_case_process_is_an_error_for_its_id,
    ));
    cpython::run(trials)
}

fn adapter_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("adapter")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn adapter_tests_pass(python: &Path) -> Result<(), Failed> {
    let out = Command::new(python)
        .arg(adapter_dir().join("test_adapter.py"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "adapter tests failed on {}:\n{}\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .into())
}

/// A worker started as the harness starts it; killed when dropped.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    fn start(python: &Path) -> Result<Worker, Failed> {
        let mut child = Command::new(python)
            .args(["-X", "utf8"])
            .arg(adapter_dir().join("framespec_adapter.py"))
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the worker's pipes were not set up".into());
        };
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// The next line the worker writes, as JSON.
    fn read(&self) -> Result<Value, Failed> {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(60))
            .map_err(|e| format!("no line from the worker: {e}"))?;
        serde_json::from_str(&line).map_err(|e| format!("not JSON ({e}): {line}").into())
    }

    /// Sends one request and returns its answer, checking it carries the request's id.
    fn run(&mut self, id: &str, source: &str) -> Result<Value, Failed> {
        let request = json!({"id": id, "source": source, "filename": "main.py",
                             "trace": false, "snapshot_lines": []});
        writeln!(self.stdin, "{request}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("cannot send a request: {e}"))?;
        let answer = self.read()?;
        if answer["id"] != id {
            return Err(format!("answer for another id: {answer}").into());
        }
        Ok(answer)
    }

    /// Sends one request and returns the stdout of its `ok` answer.
    fn stdout(&mut self, id: &str, source: &str) -> Result<String, Failed> {
        let answer = self.run(id, source)?;
        if answer["status"] != "ok" {
            return Err(format!("{id}: not ok: {answer}").into());
        }
        Ok(answer["stdout"].as_str().unwrap_or_default().to_owned())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(
    what: &str,
    actual: T,
    expected: T,
) -> Result<(), Failed> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected:?}, got {actual:?}").into())
    }
}

fn handshake_first(python: &Path) -> Result<(), Failed> {
    let worker = Worker::start(python)?;
    let handshake = worker.read()?;
    let implementation_version = Command::new(python)
        .args([
            "-c",
            "import sys; print('%d.%d.%d' % tuple(sys.implementation.version[:3]))",
        ])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    expect_eq(
        "handshake",
        handshake,
        json!({"protocol": "0.5.0", "implementation": "cpython",
               "implementation_version": implementation_version,
               "language": python::REFERENCE_VERSION,
               // The adapter here sits beside framespec_internals.py, and this is
               // CPython 3.12: the internals channel is offered (spec/INTERNALS.md).
               "channels": ["stdout", "exception", "trace", "snapshots", "internals", "stderr"],
               "hermetic": true}),
    )
}

/// What a program leaves behind (sys.monitoring and sys.settrace state, a patched
/// module, instrumented code) never reaches the next request in the same worker.
fn hermetic_requests_start_fresh(python: &Path) -> Result<(), Failed> {
    let mut worker = Worker::start(python)?;
    worker.read()?; // the handshake
    let messy = "import sys, json\n\
                 sys.monitoring.use_tool_id(2, 'program')\n\
                 sys.monitoring.set_events(2, sys.monitoring.events.LINE)\n\
                 sys.monitoring.register_callback(2, sys.monitoring.events.LINE, print)\n\
                 sys.settrace(lambda *a: None)\n\
                 json.PATCHED = True\n\
                 print('set')\n";
    worker.stdout("messy", messy)?;
    let probe = "import sys, json\n\
                 print(sys.monitoring.get_tool(2), sys.gettrace(), hasattr(json, 'PATCHED'))\n";
    expect_eq(
        "the state after a messy program",
        worker.stdout("probe", probe)?,
        "None None False\n".to_owned(),
    )?;
    // cases/tracing/f_trace/opcodes-on: turning f_trace_opcodes on under settrace left
    // 3.12's instrumentation in a state that changed the same program's second run.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases/tracing/f_trace/opcodes-on.yaml");
    let source = framespec_spec::load("tracing/f_trace/opcodes-on", &path)
        .map_err(|e| format!("cannot load the opcodes-on case: {e}"))?
        .source;
    let first = worker.stdout("opcodes-on-1", &source)?;
    expect_eq(
        "the same program run again",
        worker.stdout("opcodes-on-2", &source)?,
        first,
    )
}

/// A case whose process dies (a signal, os._exit) is an error answer for its own id,
/// and the worker goes on serving.
fn dead_case_process_is_an_error_for_its_id(python: &Path) -> Result<(), Failed> {
    let mut worker = Worker::start(python)?;
    worker.read()?; // the handshake
    let killed = worker.run(
        "killed",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    )?;
    expect_eq(
        "answer",
        killed,
        json!({"id": "killed", "status": "error",
               "detail": "the case's process died (signal 9, SIGKILL) without an answer"}),
    )?;
    let exited = worker.run("exited", "import os\nos._exit(3)\n")?;
    expect_eq(
        "answer",
        exited,
        json!({"id": "exited", "status": "error",
               "detail": "the case's process died (exit 3) without an answer"}),
    )?;
    expect_eq(
        "the next case",
        worker.stdout("next", "print('alive')\n")?,
        "alive\n".to_owned(),
    )
}
