//! framespec's compiler against CPython 3.12, instruction for instruction: every program
//! in `tests/programs/` must compile to the same code objects (instructions, positions,
//! exception table, stack size, names, constants, recursively). Also prints a match rate
//! over the `source:` of the conformance cases in `cases/` (informational).

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn compare(python: &Path, programs: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let theirs = support::cpython_describe(python, programs);
    let mut results = Vec::new();
    for ((name, source), t) in programs.iter().zip(theirs.iter()) {
        let mut diffs = Vec::new();
        let ours = framespec_vm::compile(source, "main.py");
        match (ours, t.get("ok").and_then(Value::as_bool).unwrap_or(false)) {
            (Ok(code), true) => {
                let empty = Value::Null;
                support::diff(
                    "<module>",
                    &support::describe(&code),
                    t.get("code").unwrap_or(&empty),
                    &mut diffs,
                )
            }
            (Err(e), true) => diffs.push(format!("framespec: {e}")),
            (Ok(_), false) => diffs.push(format!(
                "CPython rejects it: {}",
                t.get("error").unwrap_or(&Value::Null)
            )),
            (Err(_), false) => {}
        }
        results.push((name.clone(), diffs));
    }
    results
}

#[test]
fn corpus_matches_cpython() {
    let Some(python) = support::python_or_skip() else {
        return;
    };
    let programs = support::programs();
    let filter = std::env::var("FRAMESPEC_PROGRAM").ok();
    let programs: Vec<_> = programs
        .into_iter()
        .filter(|(n, _)| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    let results = compare(&python, &programs);
    let failures: Vec<_> = results.iter().filter(|(_, d)| !d.is_empty()).collect();
    for (name, diffs) in &failures {
        eprintln!("--- {name}");
        for d in diffs.iter().take(12) {
            eprintln!("    {d}");
        }
    }
    eprintln!(
        "corpus: {}/{} programs match CPython 3.12",
        results.len() - failures.len(),
        results.len()
    );
    assert!(
        failures.is_empty(),
        "{} programs differ from CPython 3.12",
        failures.len()
    );
}

/// `source:` blocks of the YAML cases (a literal block scalar after `source: |`).
fn case_sources(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if let Some(src) = block_scalar(&text, "source") {
            out.push((f.display().to_string(), src));
        }
    }
    out
}

fn block_scalar(text: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{key}:")) && l.trim_end().ends_with(['|', '-']))?;
    let mut body = Vec::new();
    let mut indent: Option<usize> = None;
    for l in &lines[start + 1..] {
        if l.trim().is_empty() {
            body.push(String::new());
            continue;
        }
        let ind = l.len() - l.trim_start().len();
        let base = *indent.get_or_insert(ind);
        if ind < base || base == 0 {
            break;
        }
        body.push(l[base..].to_owned());
    }
    while body.last().is_some_and(|l| l.is_empty()) {
        body.pop();
    }
    Some(body.join("\n") + "\n")
}

#[test]
fn case_sources_match_rate() {
    let Some(python) = support::python_or_skip() else {
        return;
    };
    let root = std::env::var("FRAMESPEC_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| support::manifest_dir().join("../cases"));
    let mut sources = case_sources(&root);
    if sources.is_empty() {
        sources = case_sources(Path::new("/work/main/cases"));
    }
    if sources.is_empty() {
        eprintln!("no case sources found under {}", root.display());
        return;
    }
    let results = compare(&python, &sources);
    let ok = results.iter().filter(|(_, d)| d.is_empty()).count();
    for (name, diffs) in results.iter().filter(|(_, d)| !d.is_empty()) {
        eprintln!("--- {name}: {}", diffs.first().cloned().unwrap_or_default());
    }
    eprintln!(
        "cases: {ok}/{} sources compile exactly as CPython 3.12 does",
        results.len()
    );
}
