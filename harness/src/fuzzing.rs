//! The fuzzing oracle shared by the cargo-fuzz target (fuzz/) and the corpus replay test
//! (tests/fuzz_corpus.rs): whatever the input, compiling and running it must neither panic
//! nor end in a VM-bug verdict, and must stop within its fuel.

use framespec_vm::{End, RunOptions};

/// Fuel small enough that a fuzzing iteration stays fast.
pub const FUZZ_FUEL: u64 = 20_000;

/// Checks one input; `Err` describes the violation. Panics propagate to the caller, which
/// is what the fuzzer wants; the replay test catches them.
pub fn check(data: &[u8]) -> Result<(), String> {
    let source = String::from_utf8_lossy(data);
    let options = RunOptions {
        fuel: FUZZ_FUEL,
        trace: true,
        snapshot_lines: vec![1, 2, 3],
        ..RunOptions::default()
    };
    match framespec_vm::run(&source, &options).end {
        End::Bug(detail) => Err(format!("reference VM bug: {detail}")),
        End::OutOfFuel(used) if used > FUZZ_FUEL => {
            Err(format!("ran {used} instructions on {FUZZ_FUEL} fuel"))
        }
        _ => Ok(()),
    }
}
