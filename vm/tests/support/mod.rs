//! Shared helpers for the compiler tests: asking CPython 3.12 to describe its compilation
//! of a set of sources, and describing framespec's code objects the same way. A test that
//! needs CPython is a trial made by `cpython::trial` (the rule shared with the harness's
//! tests: ignored with the reason when CPython 3.12 is missing).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "../../../harness/tests/common/cpython.rs"]
pub mod cpython;

use framespec_vm::code::{kinds, CodeObject, Constant};
use serde_json::{json, Value};

pub fn run_python(python: &Path, script: &str, stdin: &str) -> String {
    // Frozenset constants of strings are laid out by their hashes: fix them as the harness
    // does when it runs CPython.
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("python output");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(name, source)` for every `tests/programs/*.py`, sorted.
pub fn programs() -> Vec<(String, String)> {
    let dir = manifest_dir().join("tests/programs");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/programs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .map(|p| {
            let name = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&p).expect("read program"))
        })
        .collect();
    out.sort();
    out
}

/// Pairs `answers` (one JSON object with a `"name"` per program, in order) with `programs`,
/// or says how they do not line up: a missing, extra or misplaced answer is an error, never
/// a shorter comparison.
pub fn pair_answers(
    programs: &[(String, String)],
    answers: Vec<Value>,
) -> Result<Vec<(&str, &str, Value)>, String> {
    if answers.len() != programs.len() {
        return Err(format!(
            "CPython answered for {} of the {} programs",
            answers.len(),
            programs.len()
        ));
    }
    programs
        .iter()
        .zip(answers)
        .map(|((name, source), answer)| match answer.get("name") {
            Some(Value::String(n)) if n == name => Ok((name.as_str(), source.as_str(), answer)),
            other => Err(format!("CPython's answer for {name} is named {other:?}")),
        })
        .collect()
}

/// CPython's description of each source (see `support/cpython_dump.py`), paired with
/// `programs` by [`pair_answers`].
pub fn cpython_describe<'a>(
    python: &Path,
    programs: &'a [(String, String)],
) -> Result<Vec<(&'a str, &'a str, Value)>, String> {
    let script = std::fs::read_to_string(manifest_dir().join("tests/support/cpython_dump.py"))
        .expect("dump script");
    let input: Vec<Value> = programs
        .iter()
        .map(|(n, s)| json!({"name": n, "source": s}))
        .collect();
    let out = run_python(
        python,
        &script,
        &serde_json::to_string(&input).expect("json"),
    );
    pair_answers(programs, serde_json::from_str(&out).expect("dump output"))
}

/// `dis.get_instructions`' view (EXTENDED_ARG included, args accumulated), through the
/// VM's own decoder, so comparing it with CPython's checks the decoder too.
fn instrs(code: &CodeObject) -> Vec<Value> {
    code.units()
        .map(|u| match u.opcode {
            None => json!([format!("<{}>", u.byte), null, null]),
            Some(op) => json!([
                op.name(),
                op.has_arg().then_some(u.arg),
                u.jump_target().map(|t| 2 * t)
            ]),
        })
        .collect()
}

fn const_repr(c: &Constant) -> String {
    match c {
        Constant::Code(code) => format!("<code {}>", code.co_name),
        other => framespec_vm::dis::const_repr(other),
    }
}

fn names_with(code: &CodeObject, kind: u8) -> Vec<String> {
    code.co_localsplusnames
        .iter()
        .zip(&code.co_localspluskinds)
        .filter(|(_, &k)| k & kind != 0)
        .map(|(n, _)| n.to_string())
        .collect()
}

/// framespec's description of a code object, shaped like `cpython_dump.describe`.
pub fn describe(code: &CodeObject) -> Value {
    let positions: Vec<Value> = code
        .positions()
        .into_iter()
        .map(|p| json!([p.line, p.end_line, p.col, p.end_col]))
        .collect();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    json!({
        "name": code.co_name.as_ref(),
        "qualname": code.co_qualname.as_ref(),
        "firstlineno": code.co_firstlineno,
        "flags": code.co_flags,
        "argcount": code.co_argcount,
        "posonlyargcount": code.co_posonlyargcount,
        "kwonlyargcount": code.co_kwonlyargcount,
        "stacksize": code.co_stacksize,
        "instrs": instrs(code),
        "positions": positions,
        "exceptiontable": hex(&code.co_exceptiontable),
        "linetable": hex(&code.co_linetable),
        "consts": code.co_consts.iter().map(const_repr).collect::<Vec<_>>(),
        "names": code.co_names.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        "varnames": names_with(code, kinds::CO_FAST_LOCAL),
        "cellvars": names_with(code, kinds::CO_FAST_CELL),
        "freevars": names_with(code, kinds::CO_FAST_FREE),
        "children": code.co_consts.iter().filter_map(|c| match c {
            Constant::Code(inner) => Some(describe(inner)),
            _ => None,
        }).collect::<Vec<_>>(),
    })
}

/// Field-by-field differences between two descriptions, recursively (`path.field: a != b`).
pub fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    let (Some(a), Some(b)) = (ours.as_object(), theirs.as_object()) else {
        if ours != theirs {
            out.push(format!("{path}: {ours} != {theirs}"));
        }
        return;
    };
    for (k, bv) in b {
        let av = a.get(k).unwrap_or(&Value::Null);
        if k == "children" {
            let (ac, bc) = (
                av.as_array().cloned().unwrap_or_default(),
                bv.as_array().cloned().unwrap_or_default(),
            );
            if ac.len() != bc.len() {
                out.push(format!(
                    "{path}.children: {} code objects != {}",
                    ac.len(),
                    bc.len()
                ));
            }
            for (x, y) in ac.iter().zip(bc.iter()) {
                let name = y.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                diff(&format!("{path}/{name}"), x, y, out);
            }
        } else if k == "instrs" || k == "positions" {
            let (ai, bi) = (
                av.as_array().cloned().unwrap_or_default(),
                bv.as_array().cloned().unwrap_or_default(),
            );
            if ai != bi {
                let first = ai
                    .iter()
                    .zip(bi.iter())
                    .position(|(x, y)| x != y)
                    .unwrap_or(ai.len().min(bi.len()));
                out.push(format!(
                    "{path}.{k}[{first}]: {} != {} (lengths {} / {})",
                    ai.get(first).map(|v| v.to_string()).unwrap_or_default(),
                    bi.get(first).map(|v| v.to_string()).unwrap_or_default(),
                    ai.len(),
                    bi.len()
                ));
            }
        } else if av != bv {
            out.push(format!("{path}.{k}: {av} != {bv}"));
        }
    }
}
