//! Out-of-process targets: any program that speaks the observation protocol
//! (INTERPRETING.md §6) — the adapter under an interpreter (`python:PATH`) or any command
//! (`cmd:'PROGRAM ARGS'`). The first process answers a handshake that names the target
//! (`pypy-3.9`) and says which channels it observes and whether its runs are hermetic.
//!
//! Processes are pooled: start-up is paid once per worker. A hermetic target (the adapter
//! forks a child per case) keeps its workers; any other gets a fresh process per case.
//! Each worker is its own process group under an address-space limit (`ulimit -v`); a
//! worker that hangs, dies, closes its stdin or breaks the protocol is a verdict for the
//! case at hand (§6.3), is killed with its whole group, and the next case starts afresh.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use framespec_spec::{Case, RUNNER_CONTRACT_VERSION};
use serde::Deserialize;

use crate::observe::{Observation, RunEnd};
use crate::target::{Channel, Target};

/// The adapter, compiled into the binary so `framespec` works from any directory.
pub const ADAPTER: &str = include_str!("../adapter/framespec_adapter.py");
/// The trace and snapshot observers the adapter imports (and the reference VM runs for its
/// `reference-settrace` and `reference-monitoring` targets).
pub const OBSERVE: &str = include_str!("../adapter/framespec_observe.py");
/// The internals channel's reader on CPython 3.12 (spec/INTERNALS.md), which the adapter
/// imports when it is beside it.
pub const INTERNALS: &str = include_str!("../adapter/framespec_internals.py");

/// The longest line a target may write (§6): a longer one is a crash, not a hang.
pub const MAX_LINE: usize = 64 << 20;

/// The default address-space limit of a worker (§6.3).
pub const DEFAULT_ADDRESS_SPACE: u64 = 4 << 30;

/// How a worker process is started and bounded.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Wall-clock limit per case.
    pub timeout: Duration,
    /// `ulimit -v` of each worker, in bytes; `None` for no limit.
    pub address_space: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(10),
            address_space: Some(DEFAULT_ADDRESS_SPACE),
        }
    }
}

/// What a target says of itself before the first request (§6.1).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handshake {
    pub protocol: String,
    pub implementation: String,
    pub implementation_version: String,
    pub language: String,
    pub channels: Vec<String>,
    pub hermetic: bool,
}

impl Handshake {
    /// Parses and checks a handshake line.
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let shake: Handshake = serde_json::from_str(line)
            .map_err(|e| format!("the handshake is not valid ({e}): {}", clip(line)))?;
        let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
        if major_minor(&shake.protocol) != major_minor(RUNNER_CONTRACT_VERSION) {
            return Err(format!(
                "the target speaks protocol {}, this runner {RUNNER_CONTRACT_VERSION}",
                shake.protocol
            ));
        }
        let name_ok = !shake.implementation.is_empty()
            && shake
                .implementation
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(format!(
                "the implementation name {:?} is not lowercase letters, digits, `_` and `-`",
                shake.implementation
            ));
        }
        let language_ok = shake.language.split_once('.').is_some_and(|(a, b)| {
            a == "3" && !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit())
        });
        if !language_ok {
            return Err(format!(
                "the language version {:?} is not `3.N`",
                shake.language
            ));
        }
        for required in ["stdout", "exception"] {
            if !shake.channels.iter().any(|c| c == required) {
                return Err(format!("the target does not observe `{required}`"));
            }
        }
        Ok(shake)
    }
}

/// An out-of-process target.
pub struct External {
    /// The program and its arguments.
    command: Vec<OsString>,
    /// Extra environment for the program.
    env: Vec<(&'static str, &'static str)>,
    /// The command as a user would type it, for messages.
    shown: String,
    /// The `--target` value that selects this target.
    selector: String,
    limits: Limits,
    identity: Handshake,
    idle: Mutex<Vec<Worker>>,
}

impl External {
    /// The adapter under the interpreter at `python` (`--target python:PATH`).
    pub fn python(python: &Path, limits: Limits) -> Result<External, String> {
        let script = write_adapter()?;
        let command = vec![python.as_os_str().to_owned(), script.into_os_string()];
        // PYTHONUTF8 rather than `-X utf8`: an interpreter without the option ignores it.
        let env = vec![
            ("PYTHONHASHSEED", "0"),
            ("PYTHONIOENCODING", "utf-8"),
            ("PYTHONUTF8", "1"),
            // The reference VM's fixed environment has local time in UTC.
            ("TZ", "UTC"),
        ];
        let shown = python.display().to_string();
        let selector = format!("python:{}", quote(&shown));
        External::start(command, env, shown, selector, limits)
    }

    /// Any program speaking the protocol (`--target cmd:'PROGRAM ARGS'`), split as a POSIX
    /// shell splits words.
    pub fn command(line: &str, limits: Limits) -> Result<External, String> {
        let words =
            shlex::split(line).ok_or_else(|| format!("cannot split {line:?} into words"))?;
        if words.is_empty() {
            return Err("cmd: needs a program".to_owned());
        }
        let command = words.into_iter().map(OsString::from).collect();
        let selector = quote(&format!("cmd:{line}"));
        External::start(command, Vec::new(), line.to_owned(), selector, limits)
    }

    /// Starts a first worker to learn who the target is; it is kept for the first case.
    fn start(
        command: Vec<OsString>,
        env: Vec<(&'static str, &'static str)>,
        shown: String,
        selector: String,
        limits: Limits,
    ) -> Result<External, String> {
        let (worker, identity) = Worker::spawn(&command, &env, &limits)
            .map_err(|why| format!("target `{shown}`: {why}"))?;
        Ok(External {
            command,
            env,
            shown,
            selector,
            limits,
            identity,
            idle: Mutex::new(vec![worker]),
        })
    }

    /// What the target said of itself.
    pub fn identity(&self) -> &Handshake {
        &self.identity
    }

    /// The command as given.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// An idle worker that is still alive, or a new one whose handshake matches the first.
    /// A worker that died while idle is dropped here, so the next case is not blamed.
    fn take_worker(&self) -> Result<Worker, String> {
        loop {
            let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match pooled {
                Some(mut worker) => {
                    if matches!(worker.child.try_wait(), Ok(None)) {
                        return Ok(worker);
                    }
                }
                None => return self.new_worker(),
            }
        }
    }

    fn new_worker(&self) -> Result<Worker, String> {
        let (worker, identity) = Worker::spawn(&self.command, &self.env, &self.limits)?;
        if identity != self.identity {
            return Err(format!(
                "a new process of `{}` introduced itself differently: {identity:?}",
                self.shown
            ));
        }
        Ok(worker)
    }

    fn give_back(&self, worker: Worker) {
        if !self.identity.hermetic {
            return; // a fresh process per case: this one is dropped (killed)
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(worker);
        }
    }

    /// Sends `case` to a worker and turns the answer into a run's end.
    fn exchange(&self, case: &Case) -> RunEnd {
        let mut worker = match self.take_worker() {
            Ok(worker) => worker,
            Err(detail) => return RunEnd::Crash(detail),
        };
        let bytecode = match crate::bytecode::marshal_hex(case) {
            Ok(hex) => hex,
            Err(e) => return RunEnd::Crash(e.to_string()),
        };
        let mut request = serde_json::json!({
            "id": case.id,
            "source": case.source,
            "filename": "main.py",
            "trace": case.trace,
            "snapshot_lines": case.snapshot_lines,
            "modules": case.modules,
        });
        // Asked only when wanted: a target that predates the channel never sees the key.
        if case.internals {
            request["internals"] = serde_json::Value::Bool(true);
        }
        if let Some(hex) = bytecode {
            request["bytecode"] = serde_json::Value::String(hex);
        }
        let started = Instant::now();
        let mut sent = writeln!(worker.stdin, "{request}").and_then(|()| worker.stdin.flush());
        if sent.is_err() {
            // A pooled worker that stopped reading after its last case (closed its stdin):
            // that case is over, so this one gets a fresh worker rather than the blame.
            worker = match self.new_worker() {
                Ok(worker) => worker,
                Err(detail) => return RunEnd::Crash(detail),
            };
            sent = writeln!(worker.stdin, "{request}").and_then(|()| worker.stdin.flush());
        }
        if let Err(e) = sent {
            return RunEnd::Crash(format!(
                "cannot send the case to `{}` (it closed its stdin: {e}){}",
                self.shown,
                worker.stderr_tail()
            ));
        }
        let line = match worker.lines.recv_timeout(self.limits.timeout) {
            Ok(Ok(line)) => line,
            Ok(Err(why)) => return RunEnd::Crash(why),
            // Dropping the worker kills its process group; the next case starts afresh.
            Err(RecvTimeoutError::Timeout) => {
                return RunEnd::Timeout {
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker.exit_status();
                return RunEnd::Crash(format!(
                    "`{}` exited ({status}) while running the case{}",
                    self.shown,
                    worker.stderr_tail()
                ));
            }
        };
        let answer: Answer = match serde_json::from_str(&line) {
            Ok(answer) => answer,
            Err(e) => {
                return RunEnd::Crash(format!(
                    "the target broke the protocol ({e}): {}",
                    clip(&line)
                ))
            }
        };
        if answer.id.as_deref() != Some(case.id.as_str()) {
            return RunEnd::Crash(format!(
                "the target answered for id {:?} while running {:?}",
                answer.id, case.id
            ));
        }
        self.give_back(worker);
        match answer.status.as_str() {
            "ok" => RunEnd::Finished(answer.observation),
            "unsupported" => RunEnd::Unsupported {
                feature: answer.detail.unwrap_or_default(),
                location: answer.location.unwrap_or_default(),
            },
            "not_applicable" => RunEnd::NotApplicable(answer.detail.unwrap_or_default()),
            "error" => RunEnd::Crash(format!(
                "the target's runner failed: {}",
                answer.detail.unwrap_or_default()
            )),
            other => RunEnd::Crash(format!("the target answered an unknown status {other:?}")),
        }
    }
}

/// Writes the adapter and the observers it imports to a per-content directory in the temp
/// directory (made under another name and renamed, so parallel harnesses never see half
/// of it) and returns the adapter's path.
fn write_adapter() -> Result<PathBuf, String> {
    let files = [
        ("framespec_adapter.py", ADAPTER),
        ("framespec_observe.py", OBSERVE),
        ("framespec_internals.py", INTERNALS),
    ];
    let hash = files
        .iter()
        .flat_map(|(name, text)| name.bytes().chain(text.bytes()))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let dir = std::env::temp_dir().join(format!("framespec-adapter-{hash:016x}"));
    let script = dir.join(files[0].0);
    if script.is_file() {
        return Ok(script);
    }
    let tmp = dir.with_extension(format!("{}.tmp", std::process::id()));
    let made = std::fs::create_dir_all(&tmp).and_then(|()| {
        files
            .iter()
            .try_for_each(|(name, text)| std::fs::write(tmp.join(name), text))
    });
    made.map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        // Another harness may have put the same files there first.
        let _ = std::fs::remove_dir_all(&tmp);
        if !script.is_file() {
            return Err(format!("cannot write {}: {e}", dir.display()));
        }
    }
    Ok(script)
}

/// `s` as one shell word (for re-run commands a user can paste).
fn quote(s: &str) -> String {
    shlex::try_quote(s).map_or_else(|_| s.to_owned(), |q| q.into_owned())
}

/// A line shortened for a message.
fn clip(line: &str) -> String {
    const SHOWN: usize = 300;
    match line.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}… ({} bytes)", &line[..cut], line.len()),
        None => line.to_owned(),
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    id: Option<String>,
    status: String,
    #[serde(default)]
    detail: Option<String>,
    /// With status `unsupported`: where the program reached the missing feature.
    #[serde(default)]
    location: Option<String>,
    #[serde(flatten)]
    observation: Observation,
}

impl Target for External {
    fn name(&self) -> String {
        format!(
            "{}-{}",
            self.identity.implementation, self.identity.language
        )
    }

    fn version(&self) -> Option<String> {
        Some(self.identity.language.clone())
    }

    fn selector(&self) -> String {
        self.selector.clone()
    }

    fn observes(&self, channel: Channel) -> bool {
        self.identity.channels.iter().any(|c| c == channel.name())
    }

    fn run(&self, case: &Case) -> RunEnd {
        self.exchange(case)
    }
}

/// One process speaking the protocol.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// Lines from its stdout, read by a thread so a hung worker can be timed out; an `Err`
    /// says why reading stopped (a line over [`MAX_LINE`]).
    lines: Receiver<Result<String, String>>,
    /// The last few KiB the process wrote to stderr, for crash reports.
    stderr: Arc<Mutex<String>>,
}

impl Worker {
    /// Starts `command` in its own process group under the address-space limit and reads
    /// its handshake.
    fn spawn(
        command: &[OsString],
        env: &[(&str, &str)],
        limits: &Limits,
    ) -> Result<(Worker, Handshake), String> {
        let Some(program) = command.first() else {
            return Err("no program to run".to_owned());
        };
        // `sh` sets the limit and then becomes the program, so the program is the group
        // leader and `kill -- -PID` reaches everything it forked.
        let limit = limits
            .address_space
            .map_or_else(|| "unlimited".to_owned(), |b| (b / 1024).to_string());
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -v \"$1\" && shift && exec \"$@\"")
            .arg("framespec-worker")
            .arg(limit)
            .args(command)
            .envs(env.iter().copied())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", Path::new(program).display()))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("the process's pipes were not set up".to_owned());
        };
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || read_lines(stdout, &send));
        let tail = Arc::new(Mutex::new(String::new()));
        let writer = Arc::clone(&tail);
        std::thread::spawn(move || keep_tail(stderr, &writer));
        let mut worker = Worker {
            child,
            stdin,
            lines,
            stderr: tail,
        };
        // Start-up may be slow (a cold interpreter, a JIT warming up): the case's limit
        // plus a grace period.
        let wait = limits.timeout + Duration::from_secs(20);
        let line = match worker.lines.recv_timeout(wait) {
            Ok(Ok(line)) => line,
            Ok(Err(why)) => return Err(why),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "no handshake within {:.0} s{}",
                    wait.as_secs_f64(),
                    worker.stderr_tail()
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker.exit_status();
                return Err(format!(
                    "exited ({status}) before its handshake{}",
                    worker.stderr_tail()
                ));
            }
        };
        let identity = Handshake::parse(&line)?;
        Ok((worker, identity))
    }

    fn exit_status(&mut self) -> String {
        // The pipe closed; give the process a moment to be reaped.
        for _ in 0..20 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.to_string();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        "still running, stdout closed".to_owned()
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

/// Sends each line of `stdout` (without its newline) until EOF, or an error for a line
/// longer than [`MAX_LINE`] (then stops: the worker is replaced).
fn read_lines(stdout: impl Read, send: &mpsc::Sender<Result<String, String>>) {
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut limited = (&mut reader).take(MAX_LINE as u64 + 1);
        match limited.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let message = if line.last() == Some(&b'\n') {
            line.pop();
            Ok(String::from_utf8_lossy(&line).into_owned())
        } else if line.len() > MAX_LINE {
            Err(format!(
                "the target wrote a line longer than {} MiB",
                MAX_LINE >> 20
            ))
        } else {
            // The last line, without its newline, then EOF.
            Ok(String::from_utf8_lossy(&line).into_owned())
        };
        let stop = message.is_err();
        if send.send(message).is_err() || stop {
            return;
        }
    }
}

/// Keeps the last few KiB of `stderr` in `tail`.
fn keep_tail(mut stderr: impl Read, tail: &Mutex<String>) {
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stderr.read(&mut buf) {
        if let Ok(mut tail) = tail.lock() {
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
}

impl Drop for Worker {
    fn drop(&mut self) {
        // The whole group: an adapter's forked child running a case goes with its parent.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("sh")
            .args(["-c", "kill -KILL -- \"$0\" 2>/dev/null", &group])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shake(fields: &str) -> Result<Handshake, String> {
        Handshake::parse(&format!(
            "{{\"protocol\": \"0.5.0\", \"implementation_version\": \"1\", {fields}}}"
        ))
    }

    #[test]
    fn a_handshake_names_the_target_and_its_channels() {
        let ok = shake(r#""implementation": "pypy", "language": "3.9", "channels": ["stdout", "exception"], "hermetic": false"#)
            .expect("valid");
        assert_eq!(
            (ok.implementation.as_str(), ok.language.as_str()),
            ("pypy", "3.9")
        );
        assert!(!ok.hermetic);
    }

    #[test]
    fn bad_handshakes_say_what_is_wrong() {
        let err = |fields: &str| shake(fields).expect_err("refused");
        assert_eq!(
            err(
                r#""implementation": "PyPy", "language": "3.9", "channels": ["stdout", "exception"], "hermetic": true"#
            ),
            "the implementation name \"PyPy\" is not lowercase letters, digits, `_` and `-`"
        );
        assert_eq!(
            err(
                r#""implementation": "pypy", "language": "3", "channels": ["stdout", "exception"], "hermetic": true"#
            ),
            "the language version \"3\" is not `3.N`"
        );
        assert_eq!(
            err(
                r#""implementation": "pypy", "language": "3.9", "channels": ["stdout"], "hermetic": true"#
            ),
            "the target does not observe `exception`"
        );
        assert!(err(r#""implementation": "pypy""#).starts_with("the handshake is not valid"));
    }

    #[test]
    fn long_lines_are_an_error_not_a_hang() {
        let (send, receive) = mpsc::channel();
        let mut input = b"{\"short\": 1}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        read_lines(&input[..], &send);
        assert_eq!(receive.recv(), Ok(Ok("{\"short\": 1}".to_owned())));
        assert_eq!(
            receive.recv(),
            Ok(Err("the target wrote a line longer than 64 MiB".to_owned()))
        );
    }
}
