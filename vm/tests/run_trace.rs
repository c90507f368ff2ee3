//! The `trace` and `snapshots` channels compared with CPython 3.12's (observed there with
//! `sys.settrace`, tests/cpython_code/observe.py).

#[path = "cpython_code/mod.rs"]
mod support;

use std::process::ExitCode;

use libtest_mimic::{Failed, Trial};
use support::cpython;

fn main() -> ExitCode {
    cpython::run(traces())
}

/// `traces! { fn group; name => (source, snapshot lines); … }` defines `group()`: one trial
/// per program, named `name`, that needs CPython 3.12.
macro_rules! traces {
    (fn $group:ident; $($name:ident => ($src:expr, $lines:expr);)*) => {
        fn $group() -> Vec<Trial> {
            vec![$(cpython::trial(stringify!($name), |_| {
                support::differential_trace($src, &$lines).map_err(Failed::from)
            }),)*]
        }
    };
}

traces! {
    fn traces;
    calls_and_returns => ("def f(x):\n    y = x + 1\n    return y\nf(1)\nf(2)\n", []);
    for_loop_lines => ("total = 0\nfor i in range(3):\n    total += i\nprint(total)\n", []);
    while_loop_same_line => ("i = 0\nwhile i < 3: i += 1\nprint(i)\n", []);
    exception_events => ("def f():\n    return 1 / 0\ndef g():\n    try:\n        f()\n    except ZeroDivisionError:\n        pass\ng()\n", []);
    uncaught_unwind => ("def f():\n    raise ValueError('x')\nf()\n", []);
    if_else_branches => ("def f(x):\n    if x:\n        a = 1\n    else:\n        a = 2\n    return a\nf(0)\nf(1)\n", []);
    generator_events => ("def gen():\n    yield 1\n    yield 2\nfor v in gen():\n    pass\n", []);
    comprehension => ("xs = [x * 2 for x in range(3)]\nprint(xs)\n", []);
    class_body => ("class A:\n    x = 1\n    def m(self):\n        return self.x\nA().m()\n", []);
    with_finally => ("try:\n    x = 1\nfinally:\n    y = 2\n", []);
    snapshots_nested => ("def h(x):\n    y = x * 2\n    return y\ndef g(a):\n    return h(a + 1)\ng(1)\ng(5)\n", [2, 3]);
    snapshots_containers => ("def f():\n    a = [1, (2,), {'k': None}]\n    b = f\n    return a\nf()\n", [3]);
}
