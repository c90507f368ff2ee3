//! Smoke tests: programs compiled by CPython 3.12, run on the evaluator; expected output
//! observed from CPython 3.12.

#[path = "cpython_code/mod.rs"]
mod support;

use std::process::ExitCode;

use libtest_mimic::{Failed, Trial};
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("arithmetic_and_calls", |_| arithmetic_and_calls()),
        Trial::test(
            "deep_nesting_compare_raises_recursion_error",
            deep_nesting_compare_raises_recursion_error,
        ),
    ])
}

fn arithmetic_and_calls() -> Result<(), Failed> {
    let out = support::stdout(
        "def f(a, b=2):\n    x = a + b\n    return x\nfor i in range(2):\n    print(f(i))\n",
    );
    assert_eq!(out, "2\n3\n");
    Ok(())
}

/// Comparing two lists nested millions deep raises CPython's RecursionError (the C
/// recursion budget) instead of overflowing the Rust stack; output observed from
/// CPython 3.12.
fn deep_nesting_compare_raises_recursion_error() -> Result<(), Failed> {
    let source = "x = []; y = []\nfor _ in range(1000000):\n    x = [x]; y = [y]\ntry:\n    print(x == y)\nexcept RecursionError as e:\n    print(e)\nprint('end')\n";
    let options = framespec_vm::RunOptions {
        fuel: 100_000_000,
        ..framespec_vm::RunOptions::default()
    };
    let r = framespec_vm::run(source, &options);
    assert!(matches!(r.end, framespec_vm::End::Completed), "{:?}", r.end);
    assert_eq!(
        r.stdout,
        "maximum recursion depth exceeded in comparison\nend\n"
    );
    Ok(())
}
