//! Feeds arbitrary bytes, as source text, to the reference VM's compiler and evaluator under
//! a small fuel budget. The oracle (no panic, no VM bug verdict) lives in
//! `framespec::fuzzing` so `cargo test` replays the checked-in corpus with the same checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = framespec::fuzzing::check(data) {
        panic!("{problem}");
    }
});
