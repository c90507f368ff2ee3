//! The bytecode verifier (`framespec_vm::verify`):
//! - every code object the compiler makes, for every case of `cases/` (and its modules)
//!   and every program of `tests/language/*.txt`, verifies: the compiler is CPython's,
//!   and CPython's bytecode is what the verifier's rules describe;
//! - hand-made bad code objects, each compiled code with one thing broken, give their
//!   located message.

use std::path::PathBuf;
use std::rc::Rc;

use framespec_vm::code::{CodeObject, Constant};
use framespec_vm::opcode::Opcode;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(label, source)` of every case's program and modules.
fn case_sources() -> Vec<(String, String)> {
    let root = manifest_dir().join("../cases");
    let files = framespec_spec::discover(&root).expect("the cases are discovered");
    let mut out = Vec::new();
    for (id, path) in &files {
        let case = framespec_spec::load(id, path).expect("the case loads");
        out.push((id.clone(), case.source.clone()));
        for (name, source) in &case.modules {
            out.push((format!("{id}/{name}"), source.clone()));
        }
    }
    out
}

/// `(label, source)` of every program of the language tests.
fn language_sources() -> Vec<(String, String)> {
    let dir = manifest_dir().join("tests/language");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/language reads")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a language test file reads");
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        for (i, program) in text.split("\n#---\n").enumerate() {
            out.push((
                format!("{}#{i}", name.clone().unwrap_or_default()),
                program.to_owned(),
            ));
        }
    }
    out
}

fn all_compiled_code_verifies(sources: Vec<(String, String)>) {
    let mut compiled = 0;
    let mut failures = Vec::new();
    for (label, source) in &sources {
        // Programs the compiler refuses (syntax errors are tests too) have no code.
        let Ok(code) = framespec_vm::compile(source, "main.py") else {
            continue;
        };
        compiled += 1;
        if let Err(e) = framespec_vm::verify_module(&code) {
            failures.push(format!("{label}: {e}"));
        }
    }
    assert!(compiled > 100, "only {compiled} programs compiled");
    assert!(
        failures.is_empty(),
        "{} of {compiled} compiled programs do not verify:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_compiles_to_code_that_verifies() {
    all_compiled_code_verifies(case_sources());
}

#[test]
fn every_language_test_program_compiles_to_code_that_verifies() {
    all_compiled_code_verifies(language_sources());
}
