//! Test support: compile programs with CPython 3.12 itself (tests/cpython_code/dump_code.py)
//! and load the code objects, so the evaluator can be tested on genuine 3.12 bytecode
//! independently of framespec's own compiler.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::rc::Rc;

use framespec_vm::code::{CodeObject, Constant};
use framespec_vm::{RunOptions, RunResult};
use serde_json::Value as Json;

#[path = "../../../harness/tests/common/cpython.rs"]
pub mod cpython;

/// The CPython 3.12 interpreter. The tests that use these helpers are `cpython::trial`s,
/// which run only when it was found (and are ignored with the reason otherwise).
pub fn python() -> &'static std::path::Path {
    match cpython::interpreter() {
        Ok(path) => path,
        Err(reason) => panic!("{reason} (this test should be a `cpython::trial`)"),
    }
}

/// CPython 3.12's `Lib/`, found as the harness finds it (`$FRAMESPEC_STDLIB`, else beside
/// python3.12): the VM imports the standard library from it.
pub fn stdlib() -> Option<std::path::PathBuf> {
    cpython::python::stdlib()
}

/// Runs `python3.12 SCRIPT ARG` with `stdin` as its input and returns its stdout.
fn run_script(script: &str, arg: &str, stdin: &str) -> Vec<u8> {
    let mut child = Command::new(python())
        .arg(script)
        .arg(arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("CPython 3.12 is needed to run {script}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write the program");
    let out = child.wait_with_output().expect("the script's output");
    assert!(
        out.status.success(),
        "{script} failed on CPython 3.12 ({}); its error is above",
        out.status
    );
    out.stdout
}

/// `python3.12 -c SCRIPT` with `stdin` as its input: its stdout, or what went wrong.
/// `PYTHONHASHSEED=0` as the harness runs CPython (frozenset constants are laid out by
/// their items' hashes).
pub fn run_python(python: &std::path::Path, script: &str, stdin: &str) -> Result<String, String> {
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .env("PYTHONHASHSEED", "0")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "python3.12 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// `compile(source, "main.py", "exec")` by CPython, loaded as a `CodeObject`.
pub fn cpython_compile(source: &str) -> Rc<CodeObject> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cpython_code/dump_code.py"
    );
    let out = run_script(script, "main.py", source);
    let json: Json = serde_json::from_slice(&out).expect("dump_code.py JSON");
    Rc::new(code(&json))
}

fn s(j: &Json) -> Rc<str> {
    Rc::from(j.as_str().expect("string"))
}

fn bytes(j: &Json) -> Vec<u8> {
    j.as_array()
        .expect("array")
        .iter()
        .map(|b| b.as_u64().expect("byte") as u8)
        .collect()
}

fn code(j: &Json) -> CodeObject {
    let u = |k: &str| j[k].as_u64().expect(k) as u32;
    CodeObject {
        co_name: s(&j["co_name"]),
        co_qualname: s(&j["co_qualname"]),
        co_filename: s(&j["co_filename"]),
        co_firstlineno: u("co_firstlineno"),
        co_argcount: u("co_argcount"),
        co_posonlyargcount: u("co_posonlyargcount"),
        co_kwonlyargcount: u("co_kwonlyargcount"),
        co_flags: u("co_flags"),
        co_stacksize: u("co_stacksize"),
        co_code: bytes(&j["co_code"]),
        co_consts: j["co_consts"]
            .as_array()
            .expect("consts")
            .iter()
            .map(constant)
            .collect(),
        co_names: j["co_names"]
            .as_array()
            .expect("names")
            .iter()
            .map(s)
            .collect(),
        co_localsplusnames: j["co_localsplusnames"]
            .as_array()
            .expect("names")
            .iter()
            .map(s)
            .collect(),
        co_localspluskinds: bytes(&j["co_localspluskinds"]),
        co_linetable: bytes(&j["co_linetable"]),
        co_exceptiontable: bytes(&j["co_exceptiontable"]),
    }
}

fn constant(j: &Json) -> Constant {
    let v = &j["v"];
    match j["t"].as_str().expect("tag") {
        "none" => Constant::None,
        "ellipsis" => Constant::Ellipsis,
        "bool" => Constant::Bool(v.as_bool().expect("bool")),
        "int" => Constant::Int(v.as_i64().expect("int fits i64")),
        "float" => Constant::Float(v.as_str().expect("float").parse().expect("float repr")),
        "str" => Constant::Str(s(v)),
        "bytes" => Constant::Bytes(Rc::from(bytes(v))),
        "tuple" => Constant::Tuple(v.as_array().expect("tuple").iter().map(constant).collect()),
        "code" => Constant::Code(Rc::new(code(v))),
        other => panic!("unknown constant tag {other}"),
    }
}

/// Runs `source` compiled by CPython on framespec's evaluator.
pub fn run(source: &str) -> RunResult {
    run_with(source, &RunOptions::default())
}

pub fn run_with(source: &str, options: &RunOptions) -> RunResult {
    framespec_vm::run_code_with_source(cpython_compile(source), Some(source), options)
}

/// Runs `source` and returns stdout, failing the test on anything but completion.
pub fn stdout(source: &str) -> String {
    let r = run(source);
    assert_eq!(r.end, framespec_vm::End::Completed, "stderr:\n{}", r.stderr);
    r.stdout
}

/// What `python3.12 main.py` prints: (stdout, stderr), paths ending in `/main.py` shown as
/// `main.py` (INTERPRETING.md §4).
pub fn cpython_run(source: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!(
        "framespec-vm-test-{}-{}",
        std::process::id(),
        unique()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("main.py");
    std::fs::write(&file, source).expect("write main.py");
    // As the harness runs CPython: str hashes, and so set order, are reproducible.
    let out = Command::new(python())
        .arg("main.py")
        .env("PYTHONHASHSEED", "0")
        .env("TZ", "UTC")
        .current_dir(&dir)
        .output()
        .expect("run CPython");
    let _ = std::fs::remove_dir_all(&dir);
    let norm = |b: &[u8]| normalise(&String::from_utf8_lossy(b));
    (norm(&out.stdout), norm(&out.stderr))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// INTERPRETING.md §4: addresses become `0x…`, `…/main.py` becomes `main.py`.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '0'
            && chars.get(i + 1) == Some(&'x')
            && chars.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            out.push_str("0x…");
            i += 2;
            while chars.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    // Paths: any run of non-space, non-quote characters ending in `/main.py`.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("/main.py") {
        let before = &rest[..at];
        let cut = before
            .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '(')
            .map(|i| i + 1)
            .unwrap_or(0);
        result.push_str(&before[..cut]);
        result.push_str("main.py");
        rest = &rest[at + "/main.py".len()..];
    }
    result.push_str(rest);
    result
}

/// Runs `source` on CPython and on the VM (CPython-compiled) and compares stdout and stderr.
pub fn differential(source: &str) -> Result<(), String> {
    let (py_out, py_err) = cpython_run(source);
    let r = run(source);
    let vm_out = normalise(&r.stdout);
    let vm_err = normalise(&r.stderr);
    if let framespec_vm::End::Bug(b)
    | framespec_vm::End::Exception(framespec_vm::UncaughtException { type_name: b, .. }) = &r.end
    {
        if b == "SystemError" || matches!(r.end, framespec_vm::End::Bug(_)) {
            return Err(format!("VM ended with {:?}\nstderr:\n{vm_err}", r.end));
        }
    }
    if py_out != vm_out || py_err != vm_err {
        return Err(format!(
            "--- CPython stdout\n{py_out}--- VM stdout\n{vm_out}--- CPython stderr\n{py_err}--- VM stderr\n{vm_err}"
        ));
    }
    Ok(())
}

/// The `trace` and `snapshots` channels as CPython 3.12 produces them.
pub fn cpython_observe(source: &str, snapshot_lines: &[u32]) -> (Vec<String>, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cpython_code/observe.py");
    let lines: Vec<String> = snapshot_lines.iter().map(|l| l.to_string()).collect();
    let out = run_script(script, &lines.join(","), source);
    let json: Json = serde_json::from_slice(&out).expect("observe.py JSON");
    let trace = json["trace"]
        .as_array()
        .expect("trace")
        .iter()
        .map(|e| e.as_str().expect("trace events are strings").to_owned())
        .collect();
    let snapshots = json["snapshots"].as_str().expect("snapshots text");
    (trace, snapshots.to_owned())
}

/// Compares the VM's trace and snapshots channels with CPython's.
pub fn differential_trace(source: &str, snapshot_lines: &[u32]) -> Result<(), String> {
    let (py_trace, py_snaps) = cpython_observe(source, snapshot_lines);
    let options = RunOptions {
        trace: true,
        snapshot_lines: snapshot_lines.to_vec(),
        ..RunOptions::default()
    };
    let r = if std::env::var_os("FRAMESPEC_OWN_COMPILER").is_some() {
        framespec_vm::run(source, &options)
    } else {
        run_with(source, &options)
    };
    let vm_trace = r.trace.unwrap_or_default();
    let vm_snaps = normalise(&r.snapshots.unwrap_or_default());
    let py_snaps = normalise(&py_snaps);
    if py_trace != vm_trace || (!snapshot_lines.is_empty() && py_snaps != vm_snaps) {
        return Err(format!(
            "--- CPython trace\n{}\n--- VM trace\n{}\n--- CPython snapshots\n{py_snaps}--- VM snapshots\n{vm_snaps}--- VM end {:?}",
            py_trace.join("\n"),
            vm_trace.join("\n"),
            r.end
        ));
    }
    Ok(())
}

/// Like [`differential`], but the VM compiles the program with framespec's own compiler.
pub fn differential_own_compiler(source: &str) -> Result<(), String> {
    let (py_out, py_err) = cpython_run(source);
    let r = framespec_vm::run(source, &RunOptions::default());
    let vm_out = normalise(&r.stdout);
    let vm_err = normalise(&r.stderr);
    if py_out != vm_out || py_err != vm_err {
        return Err(format!(
            "--- CPython stdout\n{py_out}--- VM stdout\n{vm_out}--- CPython stderr\n{py_err}--- VM stderr\n{vm_err}--- end {:?}",
            r.end
        ));
    }
    Ok(())
}

/// The `framespec-vm` crate's directory.
pub fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The entries of a checked-in ratchet file under `vm/tests/` (one per line, `#` comments).
pub fn listed(name: &str) -> Result<std::collections::BTreeSet<String>, String> {
    let path = manifest_dir().join("tests").join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}
