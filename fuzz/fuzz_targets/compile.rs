//! Feeds arbitrary bytes, as source text, to the compiler and the disassembler only: a
//! faster loop than `compile_and_run` for the parser/compiler/assembler. The oracle is
//! `framespec::fuzzing::check_compile`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = framespec::fuzzing::check_compile(data) {
        panic!("{problem}");
    }
});
