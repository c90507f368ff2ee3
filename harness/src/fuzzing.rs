//! The fuzzing oracle shared by the cargo-fuzz target (fuzz/) and the corpus replay test
//! (tests/fuzz_corpus.rs): whatever the input, compiling and running it must neither panic
//! nor end in a VM-bug verdict, and must stop within its fuel (or its heap budget).

use framespec_vm::{End, RunOptions};

/// Fuel small enough that a fuzzing iteration stays fast.
pub const FUZZ_FUEL: u64 = 20_000;

/// A heap budget small enough that a fuzzing iteration stays fast and far below
/// libFuzzer's memory limit (2 GiB by default).
pub const FUZZ_HEAP_BYTES: u64 = 64 << 20;

/// Checks one input; `Err` describes the violation. Panics propagate to the caller, which
/// is what the fuzzer wants; the replay test catches them.
pub fn check(data: &[u8]) -> Result<(), String> {
    let source = String::from_utf8_lossy(data);
    let options = RunOptions {
        fuel: FUZZ_FUEL,
        heap_limit_bytes: FUZZ_HEAP_BYTES,
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

/// Checks that compiling one input, and disassembling what compiles, neither panics nor
/// produces a code object whose instructions do not decode.
pub fn check_compile(data: &[u8]) -> Result<(), String> {
    let source = String::from_utf8_lossy(data);
    let Ok(code) = framespec_vm::compile(&source, "main.py") else {
        return Ok(());
    };
    let _ = framespec_vm::dis::dis(&code);
    check_decodes(&code)
}

fn check_decodes(code: &framespec_vm::code::CodeObject) -> Result<(), String> {
    let decoded: usize = code
        .instructions()
        .iter()
        .map(|i| i.next_index() - i.start)
        .sum();
    if decoded != code.len_units() {
        return Err(format!(
            "{}: {} of {} code units decode",
            code.co_name,
            decoded,
            code.len_units()
        ));
    }
    for constant in &code.co_consts {
        if let framespec_vm::code::Constant::Code(inner) = constant {
            check_decodes(inner)?;
        }
    }
    Ok(())
}
