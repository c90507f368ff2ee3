//! How closely the reference VM's compiler matches CPython 3.12 on the cases' own sources:
//! for every case, the opcode names of every code unit that is not an inline CACHE, in
//! every code object (depth first through co_consts), from the VM and from CPython 3.12.
//! Prints the match rate and fails if it drops below the recorded floor. It also compares
//! the whole `framespec dis` text with CPython's `dis.dis` output (addresses normalised).

#[path = "common/cpython.rs"]
mod cpython;

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use framespec::observe::normalise;
use framespec::runner::{collect, default_cases_dir};
use framespec_vm::code::{CodeObject, Constant};
use libtest_mimic::Failed;

/// The share of cases whose bytecode matched when this floor was last raised; raise it as
/// the compiler improves, never lower it silently.
const FLOOR: f64 = 1.0;

const CPYTHON_SIDE: &str = r#"
import json, sys
def walk(code, out):
    ops = code.co_code[::2]
    import opcode
    out.append([opcode.opname[op] for op in ops if op != 0])
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            walk(const, out)
    return out
import dis, io
result = []
for source in json.load(sys.stdin):
    try:
        code = compile(source, "main.py", "exec")
        text = io.StringIO()
        dis.dis(code, file=text)
        result.append([walk(code, []), text.getvalue()])
    except SyntaxError as e:
        result.append(None)
json.dump(result, sys.stdout)
"#;

fn walk(code: &CodeObject, out: &mut Vec<Vec<String>>) {
    let names = code
        .units()
        .map(|u| {
            u.opcode
                .map_or_else(|| format!("<{}>", u.byte), |op| op.name().to_owned())
        })
        .collect();
    out.push(names);
    for constant in &code.co_consts {
        if let Constant::Code(inner) = constant {
            walk(inner, out);
        }
    }
}

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial(
        "dis_match_rate_over_the_cases",
        dis_match_rate_over_the_cases,
    )])
}

fn dis_match_rate_over_the_cases(python: &Path) -> Result<(), Failed> {
    let files = collect(&[default_cases_dir()]).expect("cases list");
    let mut sources = Vec::new();
    for file in &files {
        // Malformed cases are reported by the conformance trials, not here.
        if let Ok(case) = framespec_spec::load(&file.id, &file.path) {
            sources.push((file.id.clone(), case.source));
        }
    }
    if sources.is_empty() {
        return Err(format!("no loadable case under {}", default_cases_dir().display()).into());
    }
    // A frozenset constant of strings shows in `dis` in its iteration order, which
    // depends on the hash seed: 0, as for every CPython run of the harness.
    let mut child = Command::new(python)
        .args(["-c", CPYTHON_SIDE])
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3.12 starts");
    let input =
        serde_json::to_string(&sources.iter().map(|(_, s)| s).collect::<Vec<_>>()).expect("json");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("python3.12 runs");
    type Dump = Option<(Vec<Vec<String>>, String)>;
    let expected: Vec<Dump> = serde_json::from_slice(&output.stdout).expect("python3.12 answers");
    if expected.len() != sources.len() {
        return Err(format!(
            "python3.12 answered for {} of the {} case sources",
            expected.len(),
            sources.len()
        )
        .into());
    }

    let mut matched = 0;
    let mut text_matched = 0;
    let mut mismatched = Vec::new();
    let mut text_mismatched = Vec::new();
    for ((id, source), expected) in sources.iter().zip(&expected) {
        let actual = framespec_vm::compile(source, "main.py").ok().map(|code| {
            let mut out = Vec::new();
            walk(&code, &mut out);
            (out, framespec_vm::dis::dis(&code))
        });
        let names = |d: &Dump| d.as_ref().map(|(names, _)| names.clone());
        let text = |d: &Dump| d.as_ref().map(|(_, text)| normalise(text));
        if names(&actual) == names(expected) {
            matched += 1;
        } else {
            mismatched.push(id.as_str());
        }
        if text(&actual) == text(expected) {
            text_matched += 1;
        } else {
            text_mismatched.push(id.as_str());
        }
    }
    let rate = matched as f64 / sources.len() as f64;
    println!(
        "dis match: {matched}/{} cases ({:.1}%)",
        sources.len(),
        rate * 100.0
    );
    println!("dis text match: {text_matched}/{} cases", sources.len());
    for id in &mismatched {
        println!("  instructions differ: {id}");
    }
    for id in &text_mismatched {
        println!("  dis text differs: {id}");
    }
    assert!(
        rate >= FLOOR,
        "dis match rate {rate:.3} fell below the floor {FLOOR}"
    );
    let text_rate = text_matched as f64 / sources.len() as f64;
    assert!(
        text_rate >= FLOOR,
        "dis text match rate {text_rate:.3} fell below the floor {FLOOR}"
    );
    Ok(())
}
