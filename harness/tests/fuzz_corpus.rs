//! Replays the checked-in fuzz corpora on stable Rust with each fuzz target's own oracle, so
//! every input the fuzzers ever kept stays checked: fuzz/corpus/compile_and_run as source
//! text (`framespec::fuzzing::check`), fuzz/corpus/read_pyc as `.pyc` files
//! (`framespec::fuzzing::check_pyc`), fuzz/corpus/verify_and_run as code objects for the
//! verifier and evaluator (`framespec::fuzzing::check_bytecode`).

use std::path::Path;

fn replay(corpus: &str, oracle: fn(&[u8]) -> Result<(), String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(corpus);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus directory exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "the corpus {corpus} is empty");
    let mut problems = Vec::new();
    for path in &entries {
        let data = std::fs::read(path).expect("corpus file reads");
        match std::panic::catch_unwind(|| oracle(&data)) {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => problems.push(format!("{}: {problem}", path.display())),
            Err(_) => problems.push(format!("{}: panicked", path.display())),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} inputs failed:\n{}",
        problems.len(),
        entries.len(),
        problems.join("\n")
    );
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    replay("compile_and_run", framespec::fuzzing::check);
}

#[test]
fn the_pyc_fuzz_corpus_replays_cleanly() {
    replay("read_pyc", framespec::fuzzing::check_pyc);
}

#[test]
fn the_bytecode_fuzz_corpus_replays_cleanly() {
    replay("verify_and_run", framespec::fuzzing::check_bytecode);
}
