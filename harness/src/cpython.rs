//! The out-of-process target: a pool of persistent interpreter processes, each running the
//! adapter script (harness/adapter/framespec_adapter.py) and fed cases as JSON lines
//! (INTERPRETING.md §6). Start-up is paid once per worker, not per case. A worker that
//! hangs past the wall-clock limit is killed and replaced; one that dies is reported as a
//! crash and replaced; the run goes on either way.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use framespec_spec::Case;
use serde::Deserialize;

use crate::observe::{Observation, RunEnd};
use crate::python::probe_version;
use crate::target::Target;

/// The adapter, compiled into the binary so `framespec` works from any directory.
pub const ADAPTER: &str = include_str!("../adapter/framespec_adapter.py");

/// A CPython (or protocol-compatible) interpreter as a target.
pub struct Cpython {
    python: PathBuf,
    version: String,
    timeout: Duration,
    script: PathBuf,
    idle: Mutex<Vec<Worker>>,
}

impl Cpython {
    /// Prepares a target for `python`; no worker starts until the first case runs.
    pub fn new(python: &Path, timeout: Duration) -> Result<Cpython, String> {
        let version = probe_version(python)?;
        let script = write_adapter()?;
        Ok(Cpython {
            python: python.to_path_buf(),
            version,
            timeout,
            script,
            idle: Mutex::new(Vec::new()),
        })
    }

    pub fn python(&self) -> &Path {
        &self.python
    }

    /// An idle worker that is still alive, or a new one. A worker that died while idle
    /// (killed from outside, say) is dropped here, so the next case is not blamed for it.
    fn take_worker(&self) -> Result<Worker, String> {
        loop {
            let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match pooled {
                Some(mut worker) => {
                    if matches!(worker.child.try_wait(), Ok(None)) {
                        return Ok(worker);
                    }
                }
                None => return Worker::spawn(&self.python, &self.script),
            }
        }
    }

    fn give_back(&self, worker: Worker) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(worker);
        }
    }
}

/// Writes the adapter to a per-content file in the temp directory (atomically, so parallel
/// harnesses never see half a script) and returns its path.
fn write_adapter() -> Result<PathBuf, String> {
    let hash = ADAPTER.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = std::env::temp_dir().join(format!("framespec-adapter-{hash:016x}.py"));
    if path.is_file() {
        return Ok(path);
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, ADAPTER).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    detail: Option<String>,
    /// With status `unsupported`: where the program reached the missing feature.
    #[serde(default)]
    location: Option<String>,
    #[serde(flatten)]
    observation: Observation,
}

impl Target for Cpython {
    fn name(&self) -> String {
        format!("cpython-{}", self.version)
    }

    fn version(&self) -> Option<String> {
        Some(self.version.clone())
    }

    fn run(&self, case: &Case) -> RunEnd {
        let mut worker = match self.take_worker() {
            Ok(worker) => worker,
            Err(detail) => return RunEnd::Crash(detail),
        };
        let request = serde_json::json!({
            "id": case.id,
            "source": case.source,
            "filename": "main.py",
            "trace": case.trace,
            "snapshot_lines": case.snapshot_lines,
        });
        let started = Instant::now();
        let sent = writeln!(worker.stdin, "{request}").and_then(|()| worker.stdin.flush());
        if let Err(e) = sent {
            return RunEnd::Crash(format!(
                "cannot send the case to {}: {e}{}",
                self.python.display(),
                worker.stderr_tail()
            ));
        }
        match worker.lines.recv_timeout(self.timeout) {
            Ok(line) => {
                let answer: Answer = match serde_json::from_str(&line) {
                    Ok(answer) => answer,
                    Err(e) => {
                        return RunEnd::Crash(format!(
                            "the adapter broke the protocol ({e}): {line}"
                        ))
                    }
                };
                self.give_back(worker);
                if answer.status == "ok" {
                    RunEnd::Finished(answer.observation)
                } else if answer.status == "unsupported" {
                    RunEnd::Unsupported {
                        feature: answer.detail.unwrap_or_default(),
                        location: answer.location.unwrap_or_default(),
                    }
                } else {
                    RunEnd::Crash(format!(
                        "adapter error: {}",
                        answer.detail.unwrap_or(answer.status)
                    ))
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                // Dropping the worker kills the process; the next case starts a fresh one.
                RunEnd::Timeout {
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker
                    .child
                    .wait()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| e.to_string());
                RunEnd::Crash(format!(
                    "the interpreter exited ({status}) while running the case{}",
                    worker.stderr_tail()
                ))
            }
        }
    }
}

/// One interpreter process running the adapter.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// Answer lines, read by a thread so a hung worker can be timed out.
    lines: Receiver<String>,
    /// The last few KiB the process wrote to stderr, for crash reports.
    stderr: Arc<Mutex<String>>,
}

impl Worker {
    fn spawn(python: &Path, script: &Path) -> Result<Worker, String> {
        let mut child = Command::new(python)
            .arg("-X")
            .arg("utf8")
            .arg(script)
            .env("PYTHONHASHSEED", "0")
            .env("PYTHONIOENCODING", "utf-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("the interpreter's pipes were not set up".to_owned());
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
        let tail = Arc::new(Mutex::new(String::new()));
        let writer = Arc::clone(&tail);
        std::thread::spawn(move || {
            let mut stderr = stderr;
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                if let Ok(mut tail) = writer.lock() {
                    tail.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if tail.len() > 8192 {
                        let cut = tail.len() - 4096;
                        let cut = (cut..tail.len())
                            .find(|&i| tail.is_char_boundary(i))
                            .unwrap_or(0);
                        tail.drain(..cut);
                    }
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
            stderr: tail,
        })
    }

    fn stderr_tail(&self) -> String {
        // Give the stderr thread a moment to collect what a dying process wrote last.
        std::thread::sleep(Duration::from_millis(50));
        match self.stderr.lock() {
            Ok(tail) if !tail.trim().is_empty() => {
                format!("\nits stderr ended with:\n{}", tail.trim_end())
            }
            _ => String::new(),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
