//! The fuzzing oracles shared by the cargo-fuzz targets (fuzz/) and the corpus replay test
//! (tests/fuzz_corpus.rs): whatever the input, compiling and running it must neither panic
//! nor end in a VM-bug verdict, and must stop within its fuel (or its heap budget); read as
//! a `.pyc` file, it must be a located error or a code object that writes and reads back.

use framespec_vm::{End, RunOptions};

mod bytecode;

pub use bytecode::check_bytecode;

/// Fuel small enough that a fuzzing iteration stays fast.
pub const FUZZ_FUEL: u64 = 20_000;

/// A heap budget small enough that a fuzzing iteration stays fast and far below
/// libFuzzer's memory limit (2 GiB by default); the VM's own start-up stays well inside
/// it. (Fuel, not this budget, is what bounds big-int arithmetic: a squaring loop under a
/// 64 MiB budget once spent 20 s per input multiplying.)
pub const FUZZ_HEAP_BYTES: u64 = 4 << 20;

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

/// Checks that reading one input as a `.pyc` file neither panics nor reports an error
/// beyond the input's end, and that a code object it reads survives being written and read
/// again: the same bytes the second time (compared as bytes, so a NaN constant counts as
/// itself). Frozensets are written in their iteration order, which can differ from the order
/// they were read in, so code holding one is only required to read back.
pub fn check_pyc(data: &[u8]) -> Result<(), String> {
    use framespec_vm::marshal::{read_pyc, write_pyc};
    let code = match read_pyc(data) {
        Ok(code) => code,
        Err(e) if e.offset > data.len() => {
            return Err(format!(
                "error located past the end ({} bytes): {e}",
                data.len()
            ))
        }
        Err(_) => return Ok(()),
    };
    let written = write_pyc(&code, 0, 0);
    let again = read_pyc(&written).map_err(|e| format!("what was read does not read back: {e}"))?;
    if !holds_frozenset(&code) && write_pyc(&again, 0, 0) != written {
        return Err("what was read reads back as another code object".to_owned());
    }
    Ok(())
}

fn holds_frozenset(code: &framespec_vm::code::CodeObject) -> bool {
    fn constant(c: &framespec_vm::code::Constant) -> bool {
        use framespec_vm::code::Constant;
        match c {
            Constant::FrozenSet(_) => true,
            Constant::Tuple(items) => items.iter().any(constant),
            Constant::Code(inner) => holds_frozenset(inner),
            _ => false,
        }
    }
    code.co_consts.iter().any(constant)
}
