//! Feeds arbitrary code objects (fully random, or valid by construction: the first byte
//! chooses) to the bytecode verifier and, when they verify, to the evaluator under a small
//! fuel budget. The oracle (no panic, no VM-bug verdict on verified code, fuel respected,
//! valid-by-construction code verifies) is `framespec::fuzzing::check_bytecode`, so
//! `harness/tests/fuzz_corpus.rs` replays the checked-in corpus with `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = framespec::fuzzing::check_bytecode(data) {
        panic!("{problem}");
    }
});
