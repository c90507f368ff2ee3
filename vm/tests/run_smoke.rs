//! Smoke tests: programs compiled by CPython 3.12, run on the evaluator; expected output
//! observed from CPython 3.12.

#[path = "cpython_code/mod.rs"]
mod support;

#[test]
fn arithmetic_and_calls() {
    let out = support::stdout(
        "def f(a, b=2):\n    x = a + b\n    return x\nfor i in range(2):\n    print(f(i))\n",
    );
    assert_eq!(out, "2\n3\n");
}
