//! Ending a run frees deep structures without overflowing the Rust stack.
//!
//! `run_code` evaluates on the caller's thread; these programs run on a thread with a
//! deliberately small stack, so a drop that recursed once per nesting level (a list nested
//! 200,000 deep, a chain of instances, frames, closures, generators, tracebacks) would
//! overflow it. Leak freedom itself is checked inside the crate (`runtime::gc` tests) and
//! by the fuzz target under LeakSanitizer.

use framespec_vm::{compile, run_code, End, RunOptions};

const SMALL_STACK: usize = 2 << 20;

fn run_small_stack(source: &'static str) -> End {
    let worker = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let code = compile(source, "<deep>").expect("test program compiles");
            let options = RunOptions {
                fuel: 50_000_000,
                ..RunOptions::default()
            };
            run_code(code, &options).end
        })
        .expect("spawn test thread");
    worker.join().expect("evaluation thread did not crash")
}

#[test]
fn deep_structures_are_dropped_without_recursion() {
    let programs: &[(&str, &'static str)] = &[
        (
            "list kept to the end",
            "x = []\nfor i in range(200000):\n    x = [x]\n",
        ),
        (
            "tuple kept to the end",
            "x = ()\nfor i in range(200000):\n    x = (x,)\n",
        ),
        (
            "tuple overwritten mid-run",
            "x = ()\nfor i in range(200000):\n    x = (x,)\nx = None\n",
        ),
        (
            "dicts and tuples alternating",
            "x = {}\nfor i in range(200000):\n    x = {'n': (x,)}\nx = 0\n",
        ),
        (
            "instance chain",
            "class N:\n    pass\nx = None\nfor i in range(200000):\n    n = N()\n    \
             n.next = x\n    x = n\nn = None\nx = None\n",
        ),
        (
            "frame chain",
            "import sys\ndef f(prev):\n    return sys._getframe()\nx = None\n\
             for i in range(100000):\n    x = f(x)\nx = None\n",
        ),
        (
            "closure chain",
            "def mk(prev):\n    return lambda: prev\nx = None\nfor i in range(200000):\n    \
             x = mk(x)\nx = None\n",
        ),
        (
            "suspended generator chain",
            "def g(prev):\n    yield prev\nx = None\nfor i in range(100000):\n    x = g(x)\n",
        ),
        (
            "long traceback kept in globals",
            "import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    if n == 0:\n        \
             raise ValueError\n    f(n - 1)\ntry:\n    f(50000)\nexcept ValueError as e:\n    \
             keep = e\n",
        ),
    ];
    for (what, source) in programs {
        let end = run_small_stack(source);
        assert!(matches!(end, End::Completed), "{what}: {end:?}");
    }
}
