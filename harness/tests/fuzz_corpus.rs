//! Replays the checked-in fuzz corpus (fuzz/corpus/compile_and_run) on stable Rust with the
//! fuzz target's own oracle, so every input the fuzzer ever kept stays checked.

use std::path::Path;

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/compile_and_run");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus directory exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "the corpus is empty");
    let mut problems = Vec::new();
    for path in &entries {
        let data = std::fs::read(path).expect("corpus file reads");
        match std::panic::catch_unwind(|| framespec::fuzzing::check(&data)) {
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
