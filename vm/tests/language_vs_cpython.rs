//! Small programs over the whole language (operators, reprs, tracebacks, classes,
//! frames, formatting) run as `python3.12 main.py` and on the reference VM (its own
//! compiler and evaluator, as `framespec exec` runs them). Each must print exactly what
//! CPython prints — stdout and stderr, after INTERPRETING.md §4's normalisation — or end
//! as *unsupported*; a different answer fails the test. This is the check behind "no
//! silent wrong answers" for constructs; `natives_vs_cpython` does the same for every
//! builtin function and method.
//!
//! The programs live in `tests/language/*.txt`, separated by lines `#---`. Programs the VM
//! still gets wrong go in `tests/language/pending.txt`: each of those must still differ
//! (one that agrees fails the test, so the file only shrinks).

#[path = "cpython_code/mod.rs"]
mod support;

use std::path::Path;
use std::process::ExitCode;

use framespec_vm::{End, RunOptions};
use libtest_mimic::Failed;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial("language_vs_cpython", |_| check())])
}

/// How one program fared.
enum Verdict {
    Agree,
    Unsupported(String),
    Diverge(String),
}

fn programs(file: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(text
        .split("\n#---\n")
        .map(|p| format!("{}\n", p.trim_end()))
        .filter(|p| !p.trim().is_empty())
        .collect())
}

fn judge(source: &str) -> Verdict {
    let (py_out, py_err) = support::cpython_run(source);
    let options = RunOptions {
        stdlib: support::stdlib(),
        ..RunOptions::default()
    };
    let r = framespec_vm::run(source, &options);
    if let End::Unsupported(u) = &r.end {
        return Verdict::Unsupported(u.to_string());
    }
    let (vm_out, vm_err) = (support::normalise(&r.stdout), support::normalise(&r.stderr));
    let exhausted = matches!(r.end, End::OutOfFuel(_) | End::OutOfMemory { .. });
    if exhausted || matches!(r.end, End::Bug(_)) || py_out != vm_out || py_err != vm_err {
        return Verdict::Diverge(format!(
            "{source}--- CPython stdout\n{py_out}--- VM stdout ({:?})\n{vm_out}--- CPython stderr\n{py_err}--- VM stderr\n{vm_err}",
            r.end
        ));
    }
    Verdict::Agree
}

fn check() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/language");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let (mut agree, mut unsupported, mut problems) = (0, Vec::new(), Vec::new());
    let mut total = 0;
    for file in &files {
        let pending = file.file_name().is_some_and(|n| n == "pending.txt");
        for source in programs(file)? {
            total += 1;
            match (judge(&source), pending) {
                (Verdict::Agree, false) => agree += 1,
                (Verdict::Unsupported(what), _) => unsupported.push(what),
                (Verdict::Diverge(_), true) => {}
                (Verdict::Diverge(diff), false) => problems.push(diff),
                (Verdict::Agree, true) => problems.push(format!(
                    "{source}now agrees with CPython: move it out of pending.txt"
                )),
            }
        }
    }
    eprintln!(
        "language vs CPython 3.12: {total} programs: {agree} agree, {} unsupported, {} problems",
        unsupported.len(),
        problems.len()
    );
    for what in &unsupported {
        eprintln!("  unsupported: {what}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n=====\n").into())
    }
}
