//! framespec's compiler against CPython 3.12, instruction for instruction: every program
//! in `tests/programs/` and the `source:` of every conformance case in `cases/` must compile,
//! on both, to the same code objects (instructions, positions, exception table, stack size,
//! names, constants, recursively).
//!
//! `FRAMESPEC_PROGRAM=part` narrows a trial to the programs or cases whose name contains
//! `part` (a trial left with none fails, so name the trial too:
//! `FRAMESPEC_PROGRAM=f_back cargo test -p framespec-vm --test compile_vs_cpython -- case_sources`).

mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::Failed;
use serde_json::Value;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("corpus_matches_cpython", |python| {
            matches_cpython(python, "tests/programs", support::programs())
        }),
        cpython::trial("case_sources_match_cpython", |python| {
            let root = cases_dir();
            let sources = case_sources(&root)?;
            matches_cpython(python, &root.display().to_string(), sources)
        }),
    ])
}

/// Where a program's compilation by framespec differs from CPython's, or why it cannot be
/// compared; empty when they are identical.
fn differences(source: &str, theirs: &Value) -> Vec<String> {
    let ours = framespec_vm::compile(source, "main.py");
    match (ours, theirs.get("ok").and_then(Value::as_bool)) {
        (Ok(code), Some(true)) => {
            let mut diffs = Vec::new();
            support::diff(
                "<module>",
                &support::describe(&code),
                theirs.get("code").unwrap_or(&Value::Null),
                &mut diffs,
            );
            diffs
        }
        (Err(e), Some(true)) => vec![format!("framespec rejects it: {e}")],
        (_, Some(false)) => vec![format!(
            "CPython 3.12 rejects it: {}",
            theirs.get("error").unwrap_or(&Value::Null)
        )],
        (_, None) => vec![format!("CPython's answer has no \"ok\": {theirs}")],
    }
}

/// Every program compiles on framespec and on CPython 3.12 to identical code objects.
fn matches_cpython(
    python: &Path,
    origin: &str,
    programs: Vec<(String, String)>,
) -> Result<(), Failed> {
    let filter = std::env::var("FRAMESPEC_PROGRAM").ok();
    let programs: Vec<_> = programs
        .into_iter()
        .filter(|(n, _)| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    if programs.is_empty() {
        return Err(match filter {
            Some(part) => format!("no program in {origin} matches FRAMESPEC_PROGRAM={part}"),
            None => format!("no program in {origin}"),
        }
        .into());
    }
    let answers = support::cpython_describe(python, &programs)?;
    let mut report = String::new();
    let mut failed = 0;
    for (name, source, theirs) in &answers {
        let diffs = differences(source, theirs);
        if !diffs.is_empty() {
            failed += 1;
            report.push_str(&format!("--- {name}\n"));
            for d in diffs.iter().take(12) {
                report.push_str(&format!("    {d}\n"));
            }
        }
    }
    if failed > 0 {
        return Err(format!(
            "{report}{failed} of {} programs in {origin} compile differently from CPython 3.12",
            programs.len()
        )
        .into());
    }
    Ok(())
}

/// The workspace's `cases/` (this crate's manifest directory is `vm/`).
fn cases_dir() -> PathBuf {
    support::manifest_dir().join("../cases")
}

/// `(case id, source)` of every case, read as the harness reads them.
fn case_sources(root: &Path) -> Result<Vec<(String, String)>, String> {
    let files = framespec_spec::discover(root).map_err(|e| e.to_string())?;
    files
        .iter()
        .map(|(id, path)| {
            framespec_spec::load(id, path)
                .map(|case| (id.clone(), case.source))
                .map_err(|e| e.to_string())
        })
        .collect()
}
