//! Differential tests: each program runs on CPython 3.12 (`python3.12 main.py`) and on the
//! evaluator (with CPython's own bytecode); stdout and stderr must be identical after the
//! INTERPRETING.md §4 normalisation. The expectations are CPython's output, never the VM's.

#[path = "cpython_code/mod.rs"]
mod support;

use std::process::ExitCode;

use libtest_mimic::{Failed, Trial};
use support::cpython;

fn main() -> ExitCode {
    let mut trials = Vec::new();
    trials.extend(articles_and_language());
    trials.extend(tracing_frames_and_errors());
    trials.extend(recursion_budget());
    trials.extend(natives());
    cpython::run(trials)
}

fn check(source: &str) -> Result<(), Failed> {
    // FRAMESPEC_OWN_COMPILER=1 compiles with framespec's compiler instead of CPython's.
    let outcome = if std::env::var_os("FRAMESPEC_OWN_COMPILER").is_some() {
        support::differential_own_compiler(source)
    } else {
        support::differential(source)
    };
    outcome.map_err(Failed::from)
}

/// `programs! { fn group; name => source; … }` defines `group()`: one trial per program,
/// named `name`, that needs CPython 3.12.
macro_rules! programs {
    (fn $group:ident; $($name:ident => $src:expr;)*) => {
        fn $group() -> Vec<Trial> {
            vec![$(cpython::trial(stringify!($name), |_| check($src)),)*]
        }
    };
}

programs! {
    fn articles_and_language;
    article_namespaces => "name = \"Koishi Komeiji\"\ndef some_func():\n    name = \"Eirin Yagokoro\"\n    print(name)\nsome_func()\nprint(name)\n";
    article_currentframe => "import inspect\ndef foo():\n    return inspect.currentframe()\nframe = foo()\nprint(frame)\nprint(type(frame))\nprint(frame.f_back)\nprint(frame.f_back.f_back)\nprint(frame.f_lineno)\n";
    article_call_chain => "import inspect\ndef e():\n    f()\ndef f():\n    g()\ndef g():\n    h()\ndef h():\n    frame = inspect.currentframe()\n    func_names = []\n    while frame is not None:\n        func_names.append(frame.f_code.co_name)\n        frame = frame.f_back\n    print(f\"Function call chain: {' -> '.join(func_names[::-1])}\")\nf()\n";
    article_globals => "globals()[\"name\"] = \"Koishi Komeiji\"\nprint(globals()[\"name\"])\ndef foo():\n    import inspect\n    return inspect.currentframe()\nframe = foo()\nprint(frame.f_globals is globals())\nframe.f_globals[\"age\"] = 18\nprint(age)\nprint(frame.f_builtins[\"list\"](\"abcd\"))\n";
    article_exc_info => "def foo():\n    try:\n        1 / 0\n    except ZeroDivisionError:\n        import sys\n        exc_type, exc_value, exc_tb = sys.exc_info()\n        print(exc_type)\n        print(exc_value)\n        print(exc_tb)\n        print(exc_tb.tb_frame.f_code.co_name)\n        print(exc_tb.tb_frame.f_back.f_code.co_name)\n        print(exc_tb.tb_frame.f_back.f_back)\nfoo()\n";
    article_settrace => "import sys\ndef trace_lines(frame, event, arg):\n    print(f\"Line number: {frame.f_lineno}, File name: {frame.f_code.co_filename}, {event}\")\n    return trace_lines\ndef f(x):\n    y = x + 1\n    return y\nsys.settrace(trace_lines)\nf(1)\nsys.settrace(None)\nprint('done')\n";
    uncaught_zero_division => "def f(a):\n    return a / 0\ndef g():\n    x = f(1)\n    return x\ng()\n";
    uncaught_chained => "try:\n    {}['k']\nexcept KeyError:\n    raise ValueError('bad')\n";
    uncaught_cause => "try:\n    [][1]\nexcept IndexError as e:\n    raise RuntimeError('x') from e\n";
    name_error_suggestion => "def f():\n    prnt('x')\nf()\n";
    unbound_local => "def f():\n    print(x)\n    x = 1\nf()\n";
    attribute_error => "x = 1\nx.foo\n";
    frame_locals => "import sys\ndef f(a, b):\n    c = a + b\n    fr = sys._getframe()\n    print(fr.f_locals)\n    print(locals() is fr.f_locals)\n    return fr\nfr = f(1, 2)\nprint(fr.f_lineno, fr.f_locals, fr.f_back)\nprint(sys._getframe().f_locals is globals())\n";
    f_back_after_return => "import sys\ndef f():\n    return sys._getframe()\ndef g():\n    return f()\nfr = g()\nprint(fr.f_back.f_code.co_name, fr.f_back.f_lineno)\nprint(fr.f_back is fr.f_back)\n";
    getframe_depth => "import sys\ndef f():\n    print(sys._getframe(1).f_code.co_name)\n    try:\n        sys._getframe(10)\n    except ValueError as e:\n        print(e)\nf()\n";
    closures => "def outer():\n    x = 1\n    def inner():\n        nonlocal x\n        x += 1\n        return x\n    return inner\ni = outer()\nprint(i(), i(), i.__closure__[0].cell_contents)\nprint(i)\nprint(outer.__code__)\n";
    classes => "class A:\n    def __init__(self, x):\n        self.x = x\n    def __repr__(self):\n        return f'A({self.x!r})'\n    def double(self):\n        return A(self.x * 2)\nclass B(A):\n    def double(self):\n        return super().double()\na = B(3)\nprint(a, a.double(), isinstance(a, A), type(a).__name__, B.__mro__)\n";
    generators => "def gen(n):\n    for i in range(n):\n        yield i * i\n    return 'done'\ng = gen(3)\nprint(g.gi_frame.f_back, list(g), g.gi_frame)\nprint(sum(x for x in range(5)))\nprint([x for x in gen(4) if x % 2 == 0])\n";
    exceptions_handled => "class MyError(Exception):\n    pass\ndef f():\n    raise MyError('boom', 2)\ntry:\n    f()\nexcept MyError as e:\n    print(repr(e), e.args, str(e))\n    print(e.__traceback__.tb_lineno, e.__traceback__.tb_next.tb_lineno)\ntry:\n    try:\n        1/0\n    finally:\n        print('finally')\nexcept ZeroDivisionError as e:\n    print('caught', repr(e))\nprint(sys_exc := None)\n";
    containers => "d = {'a': 1, 'b': [1, 2.5, None], (1, 2): {3}}\nprint(d, len(d), d.get('z', 0), list(d.items()))\nl = [3, 1, 2]\nl.sort()\nprint(l, l[::-1], l[1:], sorted('hello'), tuple(l), set())\nprint(0.1 + 0.2, 1e16, 1.5e-5, 2/3, 10/2, -0.0, float('inf'))\nprint('%s-%d' % ('a', 3), 'x'.join(['1', '2']), 'a b  c'.split(), f'{3.14159:.2f}|{42:>5}|{7:03d}')\n";
    recursion_limit => "import sys\nprint(sys.getrecursionlimit())\ndef f(n):\n    try:\n        return f(n + 1)\n    except RecursionError as e:\n        return (n, str(e))\nprint(f(1))\n";
    uncaught_recursion => "def f():\n    f()\nf()\n";
    with_statement => "class CM:\n    def __enter__(self):\n        print('enter')\n        return 1\n    def __exit__(self, *a):\n        print('exit', a[0])\n        return True\nwith CM() as x:\n    print(x)\n    raise ValueError\nprint('after')\n";
    import_missing => "import numpy\n";
    arithmetic_edges => "def t(f):\n    try:\n        print(repr(f()))\n    except Exception as e:\n        print(type(e).__name__, e, e.args)\nt(lambda: 10.0 ** 400)\nt(lambda: divmod(1.0, 0))\nt(lambda: divmod(7, -2))\nt(lambda: divmod(-7.5, 2))\nt(lambda: 0.0 ** float('-inf'))\na = 2**62+1\nt(lambda: a / 3)\nt(lambda: -1 << 63)\nt(lambda: (-9223372036854775807-1) % -1)\nt(lambda: 1 ** 5000000000)\nx = 1.5\ndef g():\n    global x\n    x <<= 1\nt(g)\nt(lambda: 1 @ 2)\nt(lambda: 2 ** -1)\nt(lambda: -(5))\nt(lambda: ~True)\nt(lambda: +True)\nt(lambda: ~1.5)\nprint(2.98023223876953125e-08, 900719925474099.25)\nprint(a/3, 1e16+2)\n";
    tracebacks_in_loop => "for i in range(3):\n    try:\n        [1][i]\n    except IndexError as e:\n        print(i, e, e.__traceback__.tb_lineno)\n";
}

programs! {
    fn tracing_frames_and_errors;
    settrace_local_none => "import sys\ndef local(frame, event, arg):\n    print('local', event, frame.f_lineno)\n    return None\ndef glob(frame, event, arg):\n    print('global', event, frame.f_code.co_name, frame.f_lineno)\n    return local\ndef f():\n    a = 1\n    b = 2\n    return a + b\nsys.settrace(glob)\nf()\nsys.settrace(None)\nprint(sys.gettrace())\n";
    settrace_trace_lines_off => "import sys\ndef t(frame, event, arg):\n    print(event, frame.f_lineno)\n    frame.f_trace_lines = False\n    return t\ndef f():\n    x = 1\n    return x\nsys.settrace(t)\nf()\nsys.settrace(None)\n";
    settrace_exception_arg => "import sys\ndef t(frame, event, arg):\n    if event == 'exception':\n        print(event, arg[0].__name__, arg[1], type(arg[2]).__name__, frame.f_lineno)\n    elif event == 'return':\n        print(event, arg, frame.f_lineno)\n    return t\ndef f():\n    raise KeyError('k')\ndef g():\n    try:\n        f()\n    except KeyError:\n        return 5\nsys.settrace(t)\ng()\nsys.settrace(None)\n";
    settrace_set_caller_f_trace => "import sys\ndef t(frame, event, arg):\n    print(event, frame.f_code.co_name, frame.f_lineno)\n    return t\nsys._getframe().f_trace = t\nsys.settrace(t)\nx = 1\ny = 2\nsys.settrace(None)\n";
    f_lineno_captured => "import sys\ndef f():\n    fr = sys._getframe()\n    x = 1\n    return fr\nfr = f()\nprint(fr.f_lineno, fr.f_lasti > 0, fr.f_code.co_name)\nprint(fr.f_back.f_lineno)\n";
    generator_frames => "def g():\n    import sys\n    f = sys._getframe()\n    yield f.f_back is not None\n    yield f.f_lineno\ngen = g()\nprint(next(gen))\nprint(gen.gi_frame.f_back, gen.gi_frame.f_lineno, gen.gi_running)\nprint(next(gen))\nprint(list(gen), gen.gi_frame)\n";
    error_messages => "n = 5\ndef f(a, b):\n    pass\nfor call in (lambda: f(1), lambda: f(1, 2, 3), lambda: f(1, c=2), lambda: [][0], lambda: {}['x'], lambda: 'a' + 1, lambda: 1 + 'a', lambda: int('x'), lambda: None.x, lambda: len(5), lambda: (1, 2)[5], lambda: n(), lambda: [1] < 'a'):\n    try:\n        call()\n    except Exception as e:\n        print(type(e).__name__, e)\n";
    reprs => "import sys\nprint(print, len, sys, repr('it\\'s'), repr(\"a\\nb\"), 1e100, 123456789.0, 1/3, [None, True], (1,), {1: 'a'}, range(3), type(None), type(print))\nclass A: pass\nprint(A, A.__name__, A.__qualname__, repr(ZeroDivisionError('division by zero')), KeyError('k'))\ndef f():\n    def g(): pass\n    return g\nprint(f(), f.__qualname__, f().__qualname__)\n";
    exc_context_chain => "try:\n    try:\n        raise ValueError(1)\n    except ValueError:\n        raise TypeError(2)\nexcept TypeError as e:\n    print(repr(e.__context__), e.__cause__, e.__suppress_context__)\nimport sys\nprint(sys.exc_info(), sys.exception())\ndef f():\n    try:\n        raise KeyError(3)\n    except KeyError:\n        return sys.exc_info()[1]\nprint(repr(f()))\n";
    uncaught_custom => "class AppError(Exception):\n    pass\ndef load(d):\n    return d['missing']\ndef main():\n    try:\n        load({})\n    except KeyError as e:\n        raise AppError('cannot load') from e\nmain()\n";
    uncaught_carets => "def f(xs, i):\n    return xs[i] + 1\nvalues = [1, 2]\nresult = f(values, 5)\n";
    opcode_events_need_flag_before_settrace => "import sys\nkinds = {}\ndef tracer(frame, event, arg):\n    if event == 'call':\n        frame.f_trace_opcodes = True\n    if event in ('line', 'opcode'):\n        kinds.setdefault(event, []).append(frame.f_lineno)\n    return tracer\ndef work(n):\n    total = n * 2\n    return total + 1\nsys.settrace(tracer)\nwork(3)\nsys.settrace(None)\nprint(sorted(kinds.items()))\nsys._getframe().f_trace_opcodes = True\nkinds.clear()\nsys.settrace(tracer)\nwork(3)\nsys.settrace(None)\nprint(sorted(kinds.items()))\n";
}

// Native recursion over user data takes CPython 3.12's C recursion budget
// (`C_RECURSION_LIMIT`): deep data raises RecursionError with CPython's message instead of
// overflowing the Rust stack, at CPython's exact depths.
programs! {
    fn recursion_budget;
    deep_compare => "x = []; y = []\nfor _ in range(100000):\n    x = [x]; y = [y]\nfor op in (lambda: x == y, lambda: x != y, lambda: x < y, lambda: x in [y], lambda: [x].index(y), lambda: [x].count(y), lambda: max(x, y), lambda: sorted([x, y]), lambda: (x,) == (y,)):\n    try:\n        print(op())\n    except RecursionError as e:\n        print(type(e).__name__, e)\n";
    deep_dict_tuple_compare => "d = {}; e = {}; t = (); u = ()\nfor _ in range(100000):\n    d = {1: d}; e = {1: e}; t = (t,); u = (u,)\nfor op in (lambda: d == e, lambda: t == u, lambda: t < u):\n    try:\n        print(op())\n    except RecursionError as ex:\n        print(type(ex).__name__, ex)\n";
    deep_repr => "x = []; t = (); d = {}\nfor _ in range(100000):\n    x = [x]; t = (t,); d = {1: d}\nfor op in (lambda: repr(x), lambda: str(x), lambda: repr(t), lambda: str(d), lambda: f'{x}', lambda: print(x)):\n    try:\n        print(len(op()))\n    except RecursionError as e:\n        print(type(e).__name__, e)\n";
    recursion_budget_depths => "def nest(n, mk):\n    x = 0\n    for _ in range(n):\n        x = mk(x)\n    return x\ndef maxok(f):\n    lo, hi = 1, 3000\n    while lo < hi:\n        m = (lo + hi + 1) // 2\n        try:\n            f(m)\n            lo = m\n        except RecursionError:\n            hi = m - 1\n    return lo\nL = lambda x: [x]\nD = lambda x: {1: x}\nT = lambda x: (x,)\nprint(maxok(lambda n: nest(n, L) == nest(n, L)))\nprint(maxok(lambda n: nest(n, L) < nest(n, L)))\nprint(maxok(lambda n: nest(n, D) == nest(n, D)))\nprint(maxok(lambda n: nest(n, T) == nest(n, T)))\nprint(maxok(lambda n: repr(nest(n, L))))\nprint(maxok(lambda n: str(nest(n, L))))\nprint(maxok(lambda n: sorted([nest(n, L), nest(n, L)])))\nimport sys\nsys.setrecursionlimit(100)\nprint(maxok(lambda n: nest(n, L) == nest(n, L)))\n";
}

// Natives whose CPython behaviour has many corners: `dir()` from CPython's own names,
// `reversed()` and its iterator types, exception `__init__`, `zip(strict=)`, `enumerate`,
// bytes to `int`/`float`/`ord`, titlecase, format codes, `__import__`.
programs! {
    fn natives;
    natives_dir => include_str!("differential/natives_dir.py");
    natives_reversed => include_str!("differential/natives_reversed.py");
    natives_misc => include_str!("differential/natives_misc.py");
}
