//! Feeds arbitrary bytes, as a `.pyc` file, to the marshal reader (and what it reads to the
//! writer and back). The oracle is `framespec::fuzzing::check_pyc`; the corpus is replayed
//! by `harness/tests/fuzz_corpus.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = framespec::fuzzing::check_pyc(data) {
        panic!("{problem}");
    }
});
