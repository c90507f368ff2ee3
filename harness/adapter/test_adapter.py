"""Tests for framespec_adapter.py (standard library only; CPython 3.8 - 3.13).

    python3.12 harness/adapter/test_adapter.py        (or any of 3.8 ... 3.13)

Three groups:
  * ProtocolTests: the JSON-lines protocol through a real worker subprocess.
  * ScriptFidelityTests: stdout/stderr of the adapter equal those of `python main.py`.
  * TraceSelfCheck: the adapter's trace equals what a real sys.settrace tracer records
    for the same program (on 3.12+ this checks the sys.monitoring translation).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTER = os.path.join(HERE, "framespec_adapter.py")
PY = sys.executable
HAVE_MONITORING = hasattr(sys, "monitoring")
# The adapter observes the trace through sys.monitoring on CPython >= 3.12 only (its
# translation is CPython's own); elsewhere through sys.settrace.
MONITORING_OBSERVER = HAVE_MONITORING and sys.implementation.name == "cpython"


class Worker(object):
    """A persistent adapter worker, as the harness runs it."""

    def __init__(self, fork=True):
        env = dict(os.environ)
        if not fork:
            env["FRAMESPEC_ADAPTER_FORK"] = "0"  # cases share the worker's process
        self.proc = subprocess.Popen([PY, ADAPTER], stdin=subprocess.PIPE, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("no handshake: %s" % self.proc.stderr.read().decode())
        self.handshake = json.loads(line.decode("utf-8"))

    def send_line(self, line):
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise AssertionError("worker died: %s" % self.proc.stderr.read().decode())
        return json.loads(answer.decode("utf-8"))

    def run(self, source, case_id="t", **fields):
        request = {"id": case_id, "source": textwrap.dedent(source), "filename": "main.py",
                   "trace": False, "snapshot_lines": []}
        request.update(fields)
        return self.send_line(json.dumps(request))

    def close(self):
        self.proc.stdin.close()
        code = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


_shared = []


def shared_worker():
    if not _shared:
        _shared.append(Worker())
    return _shared[0]


def tearDownModule():
    for worker in _shared:
        worker.close()


# ---------------------------------------------------------------------------
# Corpus for the trace self-check: (name, source).  Every program must be valid
# Python on the interpreter running the test; version-specific ones are filtered.
# ---------------------------------------------------------------------------

CORPUS = [
    ("nested_calls", """
        def a(x):
            return b(x) + 1
        def b(x):
            y = c(x)
            return y * 2
        def c(x):
            return x - 1
        print(a(5))
    """),
    ("for_loop_break_continue_else", """
        total = 0
        for i in range(6):
            if i == 1:
                continue
            if i == 4:
                break
            total += i
        else:
            total = -1
        for j in range(2):
            pass
        else:
            total += 100
        print(total)
    """),
    ("while_loops", """
        n = 0
        while n < 3:
            n += 1
        while True:
            n -= 1
            if n == 1:
                break
        k = 5
        while k:
            k -= 1
            if k == 3:
                continue
            if k == 1: break
        print(n, k)
    """),
    ("one_line_loops", """
        i = 0
        while i < 3: i += 1
        for j in range(3): i += j
        print(i)
    """),
    ("if_elif_else", """
        def classify(n):
            if n < 0:
                return "neg"
            elif n == 0:
                return "zero"
            else:
                return "pos"
        for v in (-1, 0, 1):
            print(classify(v))
        x = 1 if v else 2
    """),
    ("try_except_finally", """
        def f(d):
            try:
                r = 10 // d
            except ZeroDivisionError:
                r = None
            else:
                r += 1
            finally:
                print("finally", d)
            return r
        print(f(2), f(0))
    """),
    ("return_in_finally", """
        def f():
            try:
                return 1
            finally:
                print("cleanup")
        def g():
            try:
                raise KeyError("k")
            finally:
                return 2
        print(f(), g())
    """),
    ("exception_caught_in_caller", """
        def inner():
            raise ValueError("bad")
        def middle():
            inner()
        def outer():
            try:
                middle()
            except ValueError as e:
                return str(e)
        print(outer())
    """),
    ("exception_uncaught_across_frames", """
        def inner(x):
            return 1 / x
        def outer():
            return inner(0)
        outer()
    """),
    ("reraise", """
        def f():
            try:
                {}["missing"]
            except KeyError:
                raise
        def g():
            try:
                f()
            except KeyError as e:
                raise RuntimeError("wrapped") from e
        try:
            g()
        except RuntimeError as e:
            print(type(e.__cause__).__name__)
        def h():
            try:
                1 / 0
            except ZeroDivisionError as e:
                raise e
        try:
            h()
        except ZeroDivisionError:
            pass
    """),
    ("nested_try", """
        def f():
            try:
                try:
                    raise TypeError("t")
                except ValueError:
                    print("no")
                finally:
                    print("inner finally")
            except TypeError:
                print("outer caught")
        f()
    """),
    ("generators", """
        def gen(n):
            for i in range(n):
                got = yield i
                if got:
                    print("got", got)
            return "done"
        g = gen(3)
        print(next(g))
        print(g.send("hello"))
        for v in g:
            print(v)
        def counter():
            yield 1
            yield 2
        print(list(counter()))
        print(sum(x * x for x in range(3)))
    """),
    ("generator_throw_close", """
        def gen():
            try:
                yield 1
                yield 2
            except ValueError:
                yield "caught"
            finally:
                print("closing")
        g = gen()
        next(g)
        print(g.throw(ValueError))
        g.close()
        h = gen()
        next(h)
        h.close()
    """),
    ("yield_from", """
        def inner():
            x = yield 1
            yield x
            return 3
        def outer():
            r = yield from inner()
            yield r
        g = outer()
        print(next(g), g.send(7), next(g))
        try:
            next(g)
        except StopIteration:
            print("stop")
    """),
    ("comprehensions", """
        def sq(x):
            return x * x
        a = [sq(i) for i in range(3) if i != 1]
        b = {i: sq(i) for i in range(2)}
        c = {sq(i) for i in range(2)}
        d = [[j for j in range(i)] for i in range(3)]
        def in_func():
            return [k + 1 for k in range(2)]
        print(a, b, c, d, in_func())
    """),
    ("comprehension_exception", """
        def f():
            try:
                return [1 // (i - 1) for i in range(3)]
            except ZeroDivisionError:
                return "caught"
        print(f())
    """),
    ("lambdas_and_callbacks", """
        add = lambda a, b: a + b
        print(add(1, 2))
        print(sorted([3, 1, 2], key=lambda v: -v))
        print(list(map(lambda s: s.upper(), ["a", "b"])))
    """),
    ("multiline_statements", """
        def f(a,
              b,
              c=3):
            return (a +
                    b +
                    c)
        x = f(
            1,
            2,
        )
        y = [
            x,
            f(1, 1),
        ]
        z = {"k":
             x}
        if (x and
                y):
            print(x, y, z)
    """),
    ("recursion", """
        def fib(n):
            if n < 2:
                return n
            return fib(n - 1) + fib(n - 2)
        print(fib(5))
        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)
        print(fact(4))
    """),
    ("classes_decorators_with", """
        import functools
        def deco(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return fn(*args) + 1
            return wrapper
        class Ctx:
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                print("exit", exc[0])
                return True
        class C:
            attr = 1
            @deco
            def m(self, x):
                return x
            @property
            def p(self):
                return self.attr
        c = C()
        print(c.m(1), c.p)
        with Ctx() as ctx:
            raise ValueError("suppressed")
        print("after")
    """),
    ("closures", """
        def make():
            count = 0
            def inc():
                nonlocal count
                count += 1
                return count
            return inc
        f = make()
        f(); f()
        print(f())
    """),
    ("program_calls_settrace", """
        import sys
        seen = []
        def tracer(frame, event, arg):
            seen.append(event)
            helper()
            return tracer
        def helper():
            x = 1
            return x
        def work(n):
            s = 0
            for i in range(n):
                s += i
            return s
        sys.settrace(tracer)
        work(3)
        sys.settrace(None)
        print(work(2), len(seen) > 0)
    """),
    ("assert_and_uncaught_in_generator", """
        def gen():
            yield 1
            assert False, "boom"
        for v in gen():
            print(v)
    """),
    ("stop_iteration_manual", """
        it = iter([1])
        print(next(it))
        try:
            next(it)
        except StopIteration:
            print("done")
        def g():
            return 5
            yield
        try:
            next(g())
        except StopIteration as e:
            print(e.value)
    """),
    ("coroutine_driven_by_hand", """
        import types
        @types.coroutine
        def suspend():
            v = yield "suspended"
            return v
        async def work():
            r = await suspend()
            return r * 2
        co = work()
        print(co.send(None))
        try:
            co.send(21)
        except StopIteration as e:
            print(e.value)
    """),
    ("exception_in_loop_body", """
        out = []
        for i in range(4):
            try:
                if i % 2:
                    raise IndexError(i)
                out.append(i)
            except IndexError:
                continue
            finally:
                out.append(-i)
        print(out)
    """),
    ("system_exit", """
        import sys
        def quit():
            sys.exit("bye")
        quit()
    """),
    ("async_for_and_with", """
        class AIter:
            def __init__(self):
                self.n = 0
            def __aiter__(self):
                return self
            async def __anext__(self):
                if self.n >= 2:
                    raise StopAsyncIteration
                self.n += 1
                return self.n
        async def main():
            total = 0
            async for v in AIter():
                total += v
            return total
        co = main()
        try:
            co.send(None)
        except StopIteration as e:
            print(e.value)
    """),
]

if sys.version_info >= (3, 10):
    CORPUS.append(("match_statement", """
        def kind(v):
            match v:
                case 0:
                    return "zero"
                case [x, y]:
                    return "pair"
                case {"k": val}:
                    return val
                case _:
                    return "other"
        for v in (0, [1, 2], {"k": "dict"}, 5):
            print(kind(v))
    """))

if sys.version_info >= (3, 11):
    CORPUS.append(("exception_groups", """
        def f():
            raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
        try:
            f()
        except* ValueError:
            print("value")
        except* TypeError:
            print("type")
    """))


# A real sys.settrace tracer, independent of the adapter, run in a fresh subprocess.
# It records what sys.settrace delivers for main.py frames.  A program's own
# sys.settrace calls are neutralised (the program's tracer would replace this one);
# since code running inside a trace function is never traced, the events of main.py
# frames are the same with or without the program's tracer.
REFERENCE_TRACER = r"""
import builtins, json, sys, io
request = json.loads(sys.stdin.read())
source, filename = request["source"], request["filename"]
events = []
def local(frame, event, arg):
    name, line = frame.f_code.co_name, frame.f_lineno
    if event == "exception":
        events.append("exception %s:%s %s" % (name, line, arg[0].__name__))
    elif event in ("call", "line", "return"):
        events.append("%s %s:%s" % (event, name, line))
    return local
def global_(frame, event, arg):
    if frame.f_code.co_filename != filename:
        return None
    return local(frame, event, arg)
code = compile(source, filename, "exec", dont_inherit=True)
g = {"__name__": "__main__", "__builtins__": builtins}
real_settrace, real_stdout = sys.settrace, sys.stdout
sys.stdout = io.StringIO()
real_settrace(global_)
sys.settrace = lambda fn: None
try:
    exec(code, g)
except BaseException:
    pass
real_settrace(None)
sys.settrace, sys.stdout = real_settrace, real_stdout
print(json.dumps(events))
"""


def reference_trace(source):
    proc = subprocess.run([PY, "-c", REFERENCE_TRACER], input=json.dumps(
        {"source": source, "filename": "main.py"}).encode(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr.decode())
    return json.loads(proc.stdout.decode())


class TraceSelfCheck(unittest.TestCase):
    """The adapter's trace == a real sys.settrace tracer's, program by program."""

    def check(self, name, source, observer):
        source = textwrap.dedent(source)
        expected = reference_trace(source)
        answer = shared_worker().run(source, case_id=name, trace=True, observer=observer)
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        if answer["trace"] != expected:
            import difflib
            diff = "\n".join(difflib.unified_diff(expected, answer["trace"], "settrace",
                                                  observer, lineterm=""))
            self.fail("%s: trace differs\n%s" % (name, diff))

    def test_auto_observer_matches_settrace(self):
        # On 3.12+ "auto" is sys.monitoring: this is the real self-check.  Before 3.12 it
        # is the adapter's own settrace observer, checked against the reference tracer.
        for name, source in CORPUS:
            if name == "program_calls_settrace" and not MONITORING_OBSERVER:
                continue  # before 3.12 the program's own sys.settrace replaces the observer
            with self.subTest(program=name):
                self.check(name, source, "auto")

    @unittest.skipUnless(MONITORING_OBSERVER, "the settrace observer is forced only on 3.12+")
    def test_forced_settrace_observer_matches_settrace(self):
        for name, source in CORPUS:
            if name == "program_calls_settrace":
                continue  # the program's own tracer replaces a settrace observer
            with self.subTest(program=name):
                self.check(name, source, "settrace")

    @unittest.skipUnless(MONITORING_OBSERVER, "sys.monitoring needs 3.12+")
    def test_program_tracer_undisturbed(self):
        # The program's own sys.settrace sees exactly what it sees with no observer.
        source = textwrap.dedent(dict(CORPUS)["program_calls_settrace"]).replace(
            "print(work(2), len(seen) > 0)", "print(work(2), seen)")
        worker = shared_worker()
        plain = worker.run(source)
        observed = worker.run(source, trace=True, snapshot_lines=[13])
        self.assertEqual(plain["stdout"], observed["stdout"])
        self.assertIn("'call', 'line'", plain["stdout"])

    @unittest.skipUnless(sys.version_info[:2] == (3, 12), "golden trace is CPython 3.12's")
    def test_golden_312_trace(self):
        answer = shared_worker().run("""\
            def f(x):
                while x < 2:
                    x += 1
                return x
            f(0)
        """, trace=True)
        self.assertEqual(answer["trace"], [
            "call <module>:0", "line <module>:1", "line <module>:5",
            "call f:1", "line f:2", "line f:3", "line f:2", "line f:3", "line f:2",
            "line f:4", "return f:4", "return <module>:5"])


# ---------------------------------------------------------------------------
# The adapter's stdout/stderr/exit equal those of a real `python main.py`.
# ---------------------------------------------------------------------------

FIDELITY = [
    "print('hi')\nimport sys\nprint('err', file=sys.stderr)\n",
    "def f():\n    return 1 / 0\nf()\n",
    "import inspect\ndef f(): g()\ndef g(): h()\ndef h():\n    frame, names = inspect.currentframe(), []\n"
    "    while frame is not None:\n        names.append(frame.f_code.co_name)\n"
    "        frame = frame.f_back\n    print(' -> '.join(reversed(names)))\nf()\n",
    "import traceback\ndef f():\n    traceback.print_stack()\nf()\n",
    "def f():\n    raise ValueError('in f')\nclass A:\n    def __del__(self):\n        f()\na = A()\ndel a\n"
    "print('after')\n",
    "import sys\nsys.exit('bye')\n",
    "import sys\nsys.exit(3)\n",
    "print(sorted(k for k in globals()))\nprint(__name__, __doc__, __package__, __spec__)\n",
    "import sys\nprint(sys.argv)\n",
    "class A:\n    def __del__(self):\n        print('del A')\na = A()\nprint('end')\n",
    "import atexit\natexit.register(print, 'at exit')\nprint('body')\n",
    "def g():\n    raise KeyError('k')\ntry:\n    g()\nexcept KeyError as e:\n    raise ValueError('v') from e\n",
    "import traceback\ntry:\n    [][1]\nexcept IndexError:\n    traceback.print_exc()\n",
    "import sys\ndef hook(t, v, tb):\n    print('hooked', t.__name__, file=sys.stderr)\nsys.excepthook = hook\nraise OSError('x')\n",
    "import warnings\nwarnings.warn('careful')\n",
    "import dataclasses\n@dataclasses.dataclass\nclass P:\n    x: int\nprint(P(1))\n",
    "import inspect\ndef f():\n    pass\nprint(inspect.getsource(f))\n",
    "def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print(type(e).__name__)\n",
    # A program's own tracer must see only the program's calls, never the capture's.
    "import sys\ncalls = []\ndef t(frame, event, arg):\n    calls.append((event, frame.f_code.co_name))\n"
    "sys.settrace(t)\nprint('x')\nprint('y', file=sys.stderr)\nsys.settrace(None)\nprint(calls)\n",
]
if sys.version_info >= (3, 12):
    # The exact depth at which RecursionError strikes.  Before 3.12 the C calls that
    # start the program (see framespec_adapter._run_program) count towards the limit,
    # so the program gets about 8 levels fewer than `python main.py`.
    FIDELITY.append("import sys\ndef depth(n):\n    try:\n        return depth(n + 1)\n"
                    "    except RecursionError:\n        return n\nprint(depth(1))\n")
if sys.version_info >= (3, 10):
    # Before 3.10 compile() of a string and the parser reading a file report an
    # unexpected EOF on different lines; the adapter can only do the former.
    FIDELITY.append("x = (\n")


def normalise(text):
    text = re.sub(r"0x[0-9a-fA-F]+", "0x...", text)
    return re.sub(r"[^\s\"']*/main\.py", "main.py", text)



# The internals channel (spec/INTERNALS.md) exists on CPython 3.12 only.
INTERNALS = sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 12)


def _slots(frame):
    """A frame record's localsplus as {name: (kind, hidden, value, cell)}."""
    return {s["name"]: (s["kind"], s["hidden"], s["value"], s.get("cell", "-"))
            for s in frame["localsplus"]}


@unittest.skipUnless(INTERNALS, "the internals channel is CPython 3.12's")
class InternalsTests(unittest.TestCase):
    """What the internals channel reports, checked against CPython 3.12.1's behaviour
    (each test names the rule of spec/INTERNALS.md it pins down)."""

    def run_internals(self, source, lines):
        answer = shared_worker().run(source, snapshot_lines=lines, internals=True)
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        return answer["internals"]

    def test_inline_call_in_progress(self):
        # A caller whose callee CALL pushed inline: prev_instr is CALL's last cache unit
        # (the CALL offset + 6), return_offset 0, and its stack no longer holds the
        # callable and arguments; a pending outer call's operands are still below.
        snaps = self.run_internals("""\
            def g(b):
                return b

            def f(a):
                return max(a, g(a))

            f(1)
        """, [2])
        self.assertEqual(len(snaps), 1)
        g, f, module = snaps[0]["frames"]
        self.assertEqual([g["name"], f["name"], module["name"]], ["g", "f", "<module>"])
        self.assertEqual((g["prev_instr"], g["opname"], g["return_offset"], g["stack"]),
                         (2, "LOAD_FAST", None, []))
        import dis
        ns = {}
        exec(compile("def f(a):\n    return max(a, g(a))\n", "x", "exec"), ns)
        calls = [i.offset for i in dis.get_instructions(ns["f"]) if i.opname == "CALL"]
        self.assertEqual((f["prev_instr"], f["opname"], f["return_offset"]),
                         (calls[0] + 6, "CACHE", 0))
        self.assertEqual(f["stack"], [None, "<builtin_function_or_method>", "1"])
        self.assertEqual(_slots(f), {"a": ("local", False, "1", "-")})
        self.assertEqual((module["opname"], module["return_offset"], module["stack"]),
                         ("CACHE", 0, []))
        self.assertTrue(all(fr["owner"] == "thread" for fr in (g, f, module)))

    def test_call_through_c_code(self):
        # A frame that called C code (map, sorted, a first LOAD_ATTR of a property)
        # which called the program back: prev_instr is the instruction itself, its
        # stack pointer is held by the C loop (stack null), return_offset undefined.
        snaps = self.run_internals("""\
            def key(v):
                return -v

            def f(xs):
                return sorted(xs, key=key)

            f([1])
        """, [2])
        key, f, module = snaps[0]["frames"]
        self.assertEqual((f["opname"], f["stack"], f["return_offset"]),
                         ("CALL", None, None))
        self.assertEqual(module["return_offset"], 0)

    def test_property_call_inlined_once_specialised(self):
        # LOAD_ATTR of a property goes through C the first time and is inlined from
        # the second execution on (LOAD_ATTR_PROPERTY, as it specialises).
        snaps = self.run_internals("""\
            class C:
                @property
                def p(self):
                    return 1

            def f(c):
                for i in range(3):
                    q = c.p

            f(C())
        """, [4])
        callers = [(s["frames"][1]["opname"], s["frames"][1]["return_offset"],
                    s["frames"][1]["stack"]) for s in snaps]
        self.assertEqual(callers, [("LOAD_ATTR", None, None), ("CACHE", 0, ["<range_iterator>"]),
                                   ("CACHE", 0, ["<range_iterator>"])])

    def test_generator_running_and_suspended(self):
        # A running generator's frame is owned by it (gen_state executing); a suspended
        # one, held in a local, is reported under that slot: prev_instr at its
        # YIELD_VALUE, its stack as YIELD_VALUE saved it (without the yielded value); a
        # generator not started yet sits at RETURN_GENERATOR with an empty stack.
        snaps = self.run_internals("""\
            def gen(n):
                for k in range(n):
                    yield k

            def use():
                g = gen(3)
                h = gen(1)
                first = next(g)
                return first

            use()
        """, [3, 9])
        running, suspended = snaps
        gen, use, _ = running["frames"]
        self.assertEqual((gen["owner"], gen["gen_state"], gen["stack"]),
                         ("generator", "executing", ["<range_iterator>"]))
        self.assertEqual((use["opname"], use["stack"]), ("CALL", None))  # next() is C
        use = suspended["frames"][0]
        slots = {s["name"]: s for s in use["localsplus"]}
        g = slots["g"]["frame"]
        self.assertEqual((g["name"], g["owner"], g["gen_state"], g["opname"], g["stack"]),
                         ("gen", "generator", "suspended", "YIELD_VALUE",
                          ["<range_iterator>"]))
        self.assertEqual(_slots(g)["k"], ("local", False, "0", "-"))
        h = slots["h"]["frame"]
        self.assertEqual((h["gen_state"], h["prev_instr"], h["opname"], h["stack"],
                          h["frame_obj"]), ("created", 0, "RETURN_GENERATOR", [], False))

    def test_yield_from_and_await_use_send(self):
        # SEND pushes the delegate's frame inline: the delegating frame sits at SEND's
        # cache unit with return_offset = SEND's oparg in bytes, and the sub-iterator
        # on its stack.
        snaps = self.run_internals("""\
            def sub():
                yield 1

            def deleg():
                yield from sub()

            async def leaf():
                return 2

            async def mid():
                return await leaf()

            next(deleg())
            try:
                mid().send(None)
            except StopIteration:
                pass
        """, [2, 8])
        for snap, outer, held in zip(snaps, ("deleg", "mid"), ("<generator>", "<coroutine>")):
            inner, delegating, module = snap["frames"]
            self.assertEqual(inner["owner"], "generator")
            self.assertEqual((delegating["name"], delegating["gen_state"],
                              delegating["opname"], delegating["return_offset"],
                              delegating["stack"]),
                             (outer, "executing", "CACHE", 6, [held]))
            self.assertEqual((module["opname"], module["stack"]), ("CALL", None))

    def test_frame_object_materialised_or_not(self):
        # frame_obj: false until something asks for the frame object: the program
        # (sys._getframe), an exception passing through (its traceback), a frame that
        # returns while its frame object lives on (its caller's is made to link
        # f_back), or an earlier snapshot of this run (which reads f_locals).
        snaps = self.run_internals("""\
            import sys

            def keep():
                f = sys._getframe()
                return f

            def holder():
                fr = keep()
                return fr

            def boom():
                raise ValueError

            def catcher():
                try:
                    boom()
                except ValueError:
                    pass
                return 1

            def plain():
                return 2

            holder()
            catcher()
            plain()
            plain()
        """, [5, 9, 19, 22])
        at = [[(fr["name"], fr["frame_obj"]) for fr in s["frames"]] for s in snaps]
        self.assertEqual(at[0], [("keep", True), ("holder", False), ("<module>", False)])
        self.assertEqual(at[1], [("holder", True), ("<module>", True)])
        self.assertEqual(at[2], [("catcher", True), ("<module>", True)])
        self.assertEqual(at[3], [("plain", False), ("<module>", True)])
        self.assertEqual(at[4], [("plain", False), ("<module>", True)])
        kept = _slots(snaps[1]["frames"][0])["fr"]
        self.assertEqual(kept[2], "<frame>")
        detached = snaps[1]["frames"][0]["localsplus"][0]["frame"]
        # The frame copied into its frame object on return: owned by it, stopped at
        # RETURN_VALUE, its own frame_obj pointer cleared.
        self.assertEqual((detached["owner"], detached["opname"], detached["frame_obj"],
                          detached["stack"]), ("frame_object", "RETURN_VALUE", False, []))

    def test_cells_and_free_variables(self):
        # A cell argument is a local+cell slot holding the cell MAKE_CELL made; a cell
        # not yet assigned is an empty cell (cell null); free slots hold the cells
        # COPY_FREE_VARS copied from the closure, after the function's own slots.
        snaps = self.run_internals("""\
            def outer(a, b):
                c = 3
                def inner(d):
                    return a + c + d
                return inner(4)

            outer(1, 2)
        """, [2, 4])
        outer = snaps[0]["frames"][0]
        self.assertEqual([(s["name"], s["kind"]) for s in outer["localsplus"]],
                         [("a", "local+cell"), ("b", "local"), ("inner", "local"),
                          ("c", "cell")])
        self.assertEqual(_slots(outer)["a"], ("local+cell", False, "<cell>", "1"))
        self.assertEqual(_slots(outer)["c"], ("cell", False, "<cell>", None))
        inner = snaps[1]["frames"][0]
        self.assertEqual(_slots(inner), {"d": ("local", False, "4", "-"),
                                         "a": ("free", False, "<cell>", "1"),
                                         "c": ("free", False, "<cell>", "3")})

    def test_inlined_comprehensions(self):
        # PEP 709: a comprehension runs in its enclosing frame.  Its variable is a
        # hidden local of a module or class body, an ordinary local of a function;
        # while it runs, the stack holds the variable's saved outer value (null: it
        # was unbound), the list being built, the iterator and the item FOR_ITER got.
        snaps = self.run_internals("""\
            def comp(xs):
                return [x
                        for x in xs]

            mod = [m
                   for m in "ab"]
            comp([10])
        """, [3, 6])
        # Line 6 fires as the iterable is evaluated, then once per item (at the
        # STORE_FAST after FOR_ITER); line 3 likewise in comp().
        self.assertEqual([s["line"] for s in snaps], [6, 6, 6, 3, 3])
        # The iterable is evaluated (GET_ITER) before m's outer value is saved.
        self.assertEqual(snaps[0]["frames"][0]["stack"], [])
        module = snaps[2]["frames"][0]
        self.assertEqual(_slots(module), {"m": ("local", True, "'a'", "-")})
        self.assertEqual(module["stack"], [None, "['a']", "<str_ascii_iterator>", "'b'"])
        self.assertEqual(module["opname"], "STORE_FAST")
        comp = snaps[4]["frames"][0]
        self.assertEqual(_slots(comp), {"xs": ("local", False, "[10]", "-"),
                                        "x": ("local", False, None, "-")})
        self.assertEqual(comp["stack"], [None, "[]", "<list_iterator>", "10"])

    def test_with_and_except_keep_values_on_the_stack(self):
        # A `with` block keeps the bound __exit__ below its body; an except handler
        # keeps the exception that was being handled before (None here).
        snaps = self.run_internals("""\
            class CM:
                def __enter__(self):
                    return 7
                def __exit__(self, *a):
                    return False

            def f():
                with CM() as w:
                    z = w
                try:
                    1 / 0
                except ZeroDivisionError:
                    z = 2

            f()
        """, [9, 13])
        self.assertEqual(snaps[0]["frames"][0]["stack"], ["<method>"])
        # PUSH_EXC_INFO saved the previously handled exception: none, so Py_None (a
        # NULL slot would be null).
        self.assertEqual(snaps[1]["frames"][0]["stack"], ["None"])

    def test_backward_jump_within_a_line(self):
        # A snapshot taken for a backward jump that stays on its line (the JUMP event):
        # prev_instr is the jump's target, not the JUMP_BACKWARD.
        snaps = self.run_internals("""\
            def spin(n):
                while n: n -= 1
                return n

            spin(2)
        """, [2])
        self.assertEqual([(s["frames"][0]["prev_instr"], s["frames"][0]["opname"])
                          for s in snaps], [(2, "LOAD_FAST"), (6, "LOAD_FAST")])

    def test_call_function_ex_and_class_body(self):
        # CALL_FUNCTION_EX inlines a Python function (no caches: prev_instr is the
        # instruction); a class body runs through C (__build_class__), and the
        # variable of a comprehension inlined into it is a hidden slot.
        snaps = self.run_internals("""\
            def star(*a):
                return a

            class K:
                ys = [y
                      for y in range(1)]

            star(*[1])
        """, [2, 6])
        body, module = snaps[0]["frames"]
        self.assertEqual(body["name"], "K")
        self.assertEqual(_slots(body)["y"], ("local", True, None, "-"))
        self.assertEqual((module["opname"], module["stack"], module["return_offset"]),
                         ("CALL", None, None))
        star, module = snaps[-1]["frames"]
        self.assertEqual((module["opname"], module["stack"], module["return_offset"]),
                         ("CALL_FUNCTION_EX", [], 0))

    def test_held_frames_after_exit(self):
        # Frames that outlived their execution in a frame object, and what locals()
        # leaves alone: it makes no frame object.
        snaps = self.run_internals("""\
            import sys

            def raiser():
                global kept
                kept = sys._getframe()
                raise KeyError

            def g():
                yield 1

            def f():
                try:
                    raiser()
                except KeyError:
                    pass
                fr = kept
                gen = g(); next(gen); gfr = gen.gi_frame; del gen
                done = g(); list(done)
                return locals()

            f()
        """, [19])
        f = snaps[0]["frames"][0]
        held = {s["name"]: s.get("frame") for s in f["localsplus"]}
        self.assertEqual((held["fr"]["owner"], held["fr"]["opname"]),
                         ("frame_object", "RAISE_VARARGS"))
        self.assertEqual((held["gfr"]["owner"], held["gfr"]["opname"], held["gfr"]["name"]),
                         ("frame_object", "YIELD_VALUE", "g"))
        self.assertEqual(held["done"], {"gen_state": "cleared"})
        self.assertTrue(f["frame_obj"])  # the KeyError passed through f
        snaps = self.run_internals("def f():\n    locals()\n    return 1\nf()\n", [3])
        self.assertFalse(snaps[0]["frames"][0]["frame_obj"])

    def test_record_shape_with_a_module(self):
        # The whole answer for a callback from a module of the case: keys in the order
        # of spec/INTERNALS.md 5.2, module frames named like the snapshot's.
        answer = shared_worker().run("""\
            import helper

            def cb(v):
                w = v + 1
                return w

            helper.call(cb)
        """, snapshot_lines=[4], internals=True,
            modules={"helper.py": "def call(f):\n    y = 2\n    return f(y)\n"})
        self.assertEqual(answer["snapshots"],
                         "@4\n  cb:4 v=2\n  helper.py:call:3 f=<function> y=2\n  <module>:7\n")

        def slot(name, value):
            return {"name": name, "kind": "local", "hidden": False, "value": value}
        frames = answer["internals"][0]["frames"]
        self.assertEqual(answer["internals"][0]["line"], 4)
        self.assertEqual(frames, [
            {"name": "cb", "owner": "thread", "prev_instr": 2, "opname": "LOAD_FAST",
             "return_offset": None, "frame_obj": False,
             "localsplus": [slot("v", "2"), slot("w", None)], "stack": []},
            {"name": "helper.py:call", "owner": "thread", "prev_instr": 18,
             "opname": "CACHE", "return_offset": 0, "frame_obj": False,
             "localsplus": [slot("f", "<function>"), slot("y", "2")], "stack": []},
            {"name": "<module>", "owner": "thread", "prev_instr": 48, "opname": "CACHE",
             "return_offset": 0, "frame_obj": False, "localsplus": [], "stack": []}])
        self.assertEqual([list(f) for f in frames], [
            ["name", "owner", "prev_instr", "opname", "return_offset", "frame_obj",
             "localsplus", "stack"]] * 3)

    def test_request_checks_and_other_channels_unchanged(self):
        worker = shared_worker()
        source = "def f(x):\n    return x\nf(1)\n"
        plain = worker.run(source, snapshot_lines=[2])
        self.assertNotIn("internals", plain)
        both = worker.run(source, snapshot_lines=[2], internals=True)
        self.assertEqual(both["snapshots"], plain["snapshots"])
        refused = worker.run(source, snapshot_lines=[2], internals=True, trace=True)
        self.assertEqual(refused["status"], "error")
        self.assertIn("'internals' cannot be combined with 'trace'", refused["detail"])
        self.assertEqual(worker.run(source, internals=1)["status"], "error")
        forced = worker.run(source, snapshot_lines=[2], internals=True, observer="settrace")
        self.assertEqual(forced["status"], "not_applicable")
        self.assertEqual(worker.run(source, internals=True)["internals"], [])


class ScriptFidelityTests(unittest.TestCase):
    def test_matches_python_main_py(self):
        worker = shared_worker()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "main.py")
            for source in FIDELITY:
                with self.subTest(source=source):
                    with open(path, "w") as f:
                        f.write(source)
                    real = subprocess.run([PY, "main.py"], cwd=tmp, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, timeout=60,
                                          stdin=subprocess.DEVNULL)
                    answer = worker.run(source)
                    self.assertEqual(answer["status"], "ok", answer.get("detail"))
                    self.assertEqual(normalise(answer["stdout"]),
                                     normalise(real.stdout.decode()))
                    self.assertEqual(normalise(answer["stderr"]),
                                     normalise(real.stderr.decode()))
                    self.assertEqual(answer["exception"] is not None, real.returncode != 0)


# ---------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------

class ProtocolTests(unittest.TestCase):
    def test_handshake(self):
        worker = shared_worker()
        self.assertEqual(worker.handshake, {
            "protocol": "0.5.0", "implementation": sys.implementation.name,
            "implementation_version": "%d.%d.%d" % tuple(sys.implementation.version[:3]),
            "language": "%d.%d" % sys.version_info[:2],
            "channels": ["stdout", "exception", "trace", "snapshots"]
            + (["internals"] if INTERNALS else []) + ["stderr"],
            "hermetic": hasattr(os, "fork")})

    def test_settrace_observer_refuses_a_program_with_its_own_tracer(self):
        # With settrace as the observer (the only one before 3.12) the program's own
        # sys.settrace would replace it; the answer says so instead of a partial trace.
        source = "import sys\ndef t(f, e, a):\n    return t\nsys.settrace(t)\nsys.settrace(None)\n"
        answer = shared_worker().run(source, trace=True, observer="settrace")
        self.assertEqual(answer["status"], "not_applicable", answer)
        self.assertIn("sys.monitoring", answer["detail"])
        plain = shared_worker().run(source, observer="settrace")
        self.assertEqual(plain["status"], "ok", plain)

    def test_ok_answer_shape(self):
        answer = shared_worker().run("print('hello')\n", case_id="frames/x")
        self.assertEqual(answer, {"id": "frames/x", "status": "ok", "stdout": "hello\n",
                                  "stderr": "", "exception": None, "trace": None,
                                  "snapshots": None})

    def test_uncaught_exception(self):
        answer = shared_worker().run("""\
            def foo():
                return 1 / 0
            def bar():
                foo()
            bar()
        """)
        self.assertEqual(answer["exception"], {
            "type": "ZeroDivisionError", "message": "division by zero",
            "traceback": ["<module>:5", "bar:4", "foo:2"]})
        self.assertTrue(answer["stderr"].startswith("Traceback (most recent call last):\n"
                                                    '  File "main.py", line 5, in <module>\n'
                                                    "    bar()\n"), answer["stderr"])
        self.assertNotIn("framespec_adapter", answer["stderr"])

    def test_traceback_through_library_code(self):
        answer = shared_worker().run("""\
            import json
            def hook(obj):
                raise LookupError("in hook")
            json.loads('{"a": 1}', object_hook=hook)
        """)
        self.assertEqual(answer["exception"]["traceback"], ["<module>:4", "hook:3"])
        self.assertIn("json", answer["stderr"])  # library frames are printed, as CPython does

    def test_syntax_error(self):
        answer = shared_worker().run("def f(:\n    pass\n")
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(answer["exception"]["type"], "SyntaxError")
        self.assertEqual(answer["exception"]["traceback"], [])
        self.assertIn("SyntaxError", answer["stderr"])

    def test_system_exit(self):
        answer = shared_worker().run("import sys\nprint('a')\nsys.exit(2)\n")
        self.assertEqual(answer["stdout"], "a\n")
        self.assertEqual(answer["exception"],
                         {"type": "SystemExit", "message": "2", "traceback": ["<module>:3"]})
        self.assertEqual(answer["stderr"], "")

    def test_malformed_requests_keep_worker_alive(self):
        worker = Worker()
        try:
            self.assertEqual(worker.send_line("{not json")["status"], "error")
            self.assertEqual(worker.send_line("[1, 2]")["status"], "error")
            bad = worker.send_line(json.dumps({"id": "b", "source": 3}))
            self.assertEqual((bad["id"], bad["status"]), ("b", "error"))
            bad = worker.send_line(json.dumps({"id": "c", "source": "", "snapshot_lines": "x"}))
            self.assertEqual(bad["status"], "error")
            self.assertEqual(worker.run("print(1)\n")["stdout"], "1\n")
        finally:
            self.assertEqual(worker.close(), 0)  # EOF on stdin -> exit 0

    def test_program_cannot_corrupt_protocol(self):
        worker = shared_worker()
        answer = worker.run("""\
            import os, sys
            sys.__stdout__.write("to dunder stdout\\n")
            sys.stdout = sys.__stdout__
            print("after restore")
            os.write(1, b"raw fd write\\n")
            try:
                input()
            except EOFError:
                print("eof")
            sys.stdout.close()
        """)
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        self.assertEqual(answer["stdout"], "to dunder stdout\nafter restore\neof\n")
        self.assertEqual(worker.run("print('next')\n")["stdout"], "next\n")

    def test_cases_do_not_leak(self):
        # Hermetic (a child per case) and not: then the worker restores what programs
        # commonly change (_SavedState).
        self.check_cases_do_not_leak(shared_worker())
        worker = Worker(fork=False)
        try:
            self.assertEqual(worker.handshake["hermetic"], False)
            self.check_cases_do_not_leak(worker)
        finally:
            self.assertEqual(worker.close(), 0)

    def check_cases_do_not_leak(self, worker):
        first = worker.run("""\
            import sys, builtins, os
            sys.setrecursionlimit(123)
            sys.settrace(lambda *a: None)
            builtins.leaked = 1
            sys.modules["fake_mod"] = object()
            sys.path.insert(0, "/nowhere")
            os.environ["FRAMESPEC_LEAK"] = "1"
            sys.excepthook = None
            sys.argv.append("extra")
            LEAKED_GLOBAL = 1
            if hasattr(sys, "monitoring"):
                sys.monitoring.use_tool_id(2, "program")
                sys.monitoring.set_events(2, sys.monitoring.events.LINE)
                sys.monitoring.register_callback(2, sys.monitoring.events.LINE, print)
        """)
        self.assertEqual(first["status"], "ok", first.get("detail"))
        second = worker.run("""\
            import sys, builtins, os
            print(sys.getrecursionlimit(), sys.gettrace(), hasattr(builtins, "leaked"))
            print("fake_mod" in sys.modules, "/nowhere" in sys.path)
            print("FRAMESPEC_LEAK" in os.environ, sys.excepthook is not None)
            print(sys.argv, "LEAKED_GLOBAL" in globals())
            if hasattr(sys, "monitoring"):
                print(sys.monitoring.get_tool(2), sys.monitoring.get_tool(4))
        """)
        self.assertEqual(second["status"], "ok", second.get("detail"))
        lines = second["stdout"].splitlines()
        self.assertEqual(lines[:4], ["1000 None False", "False False", "False True",
                                     "['main.py'] False"])
        if HAVE_MONITORING:
            self.assertEqual(lines[4], "None None")

    def test_trace_and_snapshots(self):
        answer = shared_worker().run("""\
            def h(x):
                y = [x, (1,), {"k": None}, {2}, h, 1.5, True]
                return y
            h(1)
        """, trace=True, snapshot_lines=[3])
        self.assertEqual(answer["trace"][-3:], ["line h:3", "return h:3", "return <module>:4"])
        self.assertIn("call h:1", answer["trace"])
        self.assertEqual(answer["snapshots"],
                         "@3\n  h:3 x=1 y=[1, (1,), {'k': None}, {2}, <function>, 1.5, True]\n"
                         "  <module>:4\n")

    def test_snapshots_without_trace_and_cap(self):
        answer = shared_worker().run("""\
            for i in range(60):
                x = i
        """, snapshot_lines=[2])
        self.assertIsNone(answer["trace"])
        blocks = answer["snapshots"].split("@2\n")[1:]
        self.assertEqual(len(blocks), 50)
        self.assertEqual(blocks[0], "  <module>:2\n")

    def test_snapshot_chain_and_dunders(self):
        # Class bodies show their namespace minus dunders (__module__, __qualname__,
        # __slots__); the chain is innermost first; containers and <TYPE> values.
        answer = shared_worker().run("""\
            class K:
                __slots__ = ()
                v = 1
                def m(self):
                    return 2
            def f(a, *args, **kw):
                return K().m()
            f(1, 2, z=3)
        """, snapshot_lines=[4, 5])
        self.assertEqual(answer["snapshots"],
                         "@4\n  K:4 v=1\n  <module>:1\n"
                         "@5\n  m:5 self=<K>\n  f:7 a=1 args=(2,) kw={'z': 3}\n  <module>:8\n")

    def test_snapshot_repr_rules(self):
        answer = shared_worker().run("""\
            import enum
            class E(enum.IntEnum):
                A = 1
            def f():
                a = []
                a.append(a)
                s = set(); t = ("x",); fs = frozenset(); e = E.A; n = -0.0
                return a
            f()
        """, snapshot_lines=[8])
        self.assertEqual(answer["snapshots"],
                         "@8\n  f:8 a=[[...]] s=set() t=('x',) fs=<frozenset> e=<E> n=-0.0\n"
                         "  <module>:9\n")

    @unittest.skipUnless(MONITORING_OBSERVER, "sys.monitoring needs 3.12+")
    def test_tool_taken_by_program_is_freed(self):
        worker = shared_worker()
        # The program takes tool 4 and keeps it only for its own run; the next traced
        # case gets it back because the adapter frees tools a program took.
        answer = worker.run("import sys\nsys.monitoring.use_tool_id(4, 'mine')\n")
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(worker.run("x = 1\n", trace=True)["trace"][0], "call <module>:0")

    def test_recursion_overflow_with_trace(self):
        # An observer callback can itself hit the recursion limit; the run still ends
        # normally and the program sees RecursionError.
        answer = shared_worker().run("""\
            def f(n):
                return f(n + 1)
            try:
                f(0)
            except RecursionError:
                print("overflow")
        """, trace=True, snapshot_lines=[2])
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        self.assertEqual(answer["stdout"], "overflow\n")
        self.assertEqual(answer["snapshots"].count("@2\n"), 50)

    @unittest.skipUnless(hasattr(os, "fork"), "hermetic runs need os.fork")
    def test_hermetic_program_state_does_not_reach_the_next_request(self):
        # Each request runs in a child forked from the untouched worker: what a program
        # leaves behind (tracing and monitoring state, a patched module, a running
        # thread) is gone for the next one, which the restore list alone cannot promise.
        worker = shared_worker()
        first = worker.run("""\
            import sys, json, threading, time
            json.dumps = None
            sys.modules["json"].PATCHED = True
            sys.setprofile(lambda *a: None)
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
            if hasattr(sys, "monitoring"):
                sys.monitoring.use_tool_id(2, "program")
                sys.monitoring.set_events(2, sys.monitoring.events.LINE)
                sys.monitoring.register_callback(2, sys.monitoring.events.LINE, print)
        """)
        self.assertEqual(first["status"], "ok", first.get("detail"))
        second = worker.run("""\
            import sys, json, threading
            print(json.dumps([1]), hasattr(json, "PATCHED"), sys.getprofile())
            print(threading.active_count())
            if hasattr(sys, "monitoring"):
                print(sys.monitoring.get_tool(2))
        """)
        self.assertEqual(second["status"], "ok", second.get("detail"))
        self.assertEqual(second["stdout"].splitlines()[:2], ["[1] False None", "1"])
        if HAVE_MONITORING:
            self.assertEqual(second["stdout"].splitlines()[2], "None")

    @unittest.skipUnless(hasattr(os, "fork"), "hermetic runs need os.fork")
    def test_hermetic_settrace_case_twice(self):
        # cases/tracing/f_trace/opcodes-on: on 3.12, a second run in the same process
        # used to see the first run's instrumentation and answer differently.
        source = """\
            import sys
            kinds = {}
            def tracer(frame, event, arg):
                if event == "call":
                    frame.f_trace_opcodes = True
                if event in ("line", "opcode"):
                    kinds.setdefault(event, set()).add(frame.f_lineno)
                return tracer
            def work(n):
                total = n * 2
                return total + 1
            sys.settrace(tracer)
            work(3)
            sys.settrace(None)
            print(sorted(kinds))
        """
        worker = shared_worker()
        answers = [worker.run(source, case_id="twice-%d" % n) for n in range(2)]
        self.assertEqual(answers[0]["stdout"], answers[1]["stdout"])
        self.assertEqual(answers[1]["id"], "twice-1")

    @unittest.skipUnless(hasattr(os, "fork"), "hermetic runs need os.fork")
    def test_dead_case_process_is_an_error_for_its_id(self):
        worker = shared_worker()
        killed = worker.run("import os, signal\nprint('x')\nos.kill(os.getpid(), signal.SIGKILL)\n",
                            case_id="killed")
        self.assertEqual(killed, {"id": "killed", "status": "error",
                                  "detail": "the case's process died (signal 9, SIGKILL) "
                                            "without an answer"})
        exited = worker.run("import os\nos._exit(7)\n", case_id="exited")
        self.assertEqual((exited["id"], exited["status"]), ("exited", "error"))
        self.assertIn("(exit 7)", exited["detail"])
        # A program that forks: only the case's own process answers.
        forked = worker.run("import os\npid = os.fork()\nif pid:\n    os.waitpid(pid, 0)\n"
                            "print('parent' if pid else 'child')\n", case_id="forks")
        self.assertEqual((forked["id"], forked["status"]), ("forks", "ok"), forked)
        self.assertEqual(worker.run("print('next')\n")["stdout"], "next\n")

    MODULES = {
        "helper.py": "import sys\n\ndef where():\n    return sys._getframe().f_globals['__name__']\n",
        "pkg/__init__.py": "from . import sub\n",
        "pkg/sub.py": "def boom(n):\n    x = n\n    return 1 // x\n",
    }

    def run_with_modules(self, worker, **fields):
        return worker.run("""\
            import sys, os, helper
            from pkg import sub
            print(helper.where(), sub.__name__, sub.__package__, sub.__spec__.name)
            print(os.path.dirname(helper.__file__) == sys.path[0], helper.__file__)
            print(sys.dont_write_bytecode, sorted(os.listdir(sys.path[0])))
            sub.boom(0)
        """, modules=self.MODULES, **fields)

    def test_modules_are_the_programs_directory(self):
        # INTERPRETING.md section 2: main.py and the modules in a fresh directory that is
        # sys.path[0]; the channels name the modules' frames with their paths (section 3).
        answer = self.run_with_modules(shared_worker(), trace=True, snapshot_lines=[2])
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        lines = answer["stdout"].splitlines()
        self.assertEqual(lines[0], "helper pkg.sub pkg pkg.sub")
        self.assertTrue(lines[1].startswith("True /") and lines[1].endswith("/helper.py"),
                        lines[1])
        self.assertEqual(lines[2], "True ['helper.py', 'main.py', 'pkg']")
        self.assertEqual(answer["exception"]["traceback"], ["<module>:6", "pkg/sub.py:boom:3"])
        # (The line of a module's first 'call' event is 0 from 3.11 on, 1 before.)
        self.assertTrue(any(e.startswith("call pkg/__init__.py:<module>:") for e in answer["trace"]),
                        answer["trace"])
        self.assertIn("exception pkg/sub.py:boom:3 ZeroDivisionError", answer["trace"])
        self.assertEqual(answer["snapshots"], "@2\n  <module>:2\n")
        self.assertFalse(os.path.exists(os.path.dirname(lines[1][5:])))

    def test_snapshots_show_module_frames(self):
        # A module's function frame shows its locals; a module frame being imported
        # shows none; importlib's frames in between are left out.
        answer = shared_worker().run("""\
            def cb():
                x = 1
                return x
            import helper
            helper.call(cb)
        """, modules={"helper.py": "import __main__\ndef call(f):\n    y = 2\n    return f()\n"
                                   "call(__main__.cb)\n"},
            snapshot_lines=[2])
        self.assertEqual(answer["status"], "ok", answer.get("detail"))
        self.assertEqual(answer["snapshots"],
                         "@2\n  cb:2\n  helper.py:call:4 f=<function> y=2\n"
                         "  helper.py:<module>:5\n  <module>:4\n"
                         "@2\n  cb:2\n  helper.py:call:4 f=<function> y=2\n  <module>:5\n")

    def test_modules_do_not_leak(self):
        worker = Worker(fork=False)
        try:
            for _ in range(2):
                answer = self.run_with_modules(worker)
                self.assertEqual(answer["stdout"].splitlines()[0], "helper pkg.sub pkg pkg.sub")
            answer = worker.run("import sys\nprint('helper' in sys.modules, sys.dont_write_bytecode)\n"
                                "import helper\n")
            self.assertEqual(answer["stdout"], "False %s\n" % bool(os.environ.get(
                "PYTHONDONTWRITEBYTECODE")))
            self.assertEqual(answer["exception"]["type"], "ModuleNotFoundError")
        finally:
            self.assertEqual(worker.close(), 0)

    def test_bad_module_paths_are_refused(self):
        for path in ["/abs.py", "../up.py", "a//b.py", "main.py", "x.txt", "a\\b.py"]:
            answer = shared_worker().run("print(1)\n", modules={path: "x = 1\n"})
            self.assertEqual(answer["status"], "error", path)
            self.assertIn("module path", answer["detail"])

    def test_cli_one_shot(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "prog.py")
            with open(path, "w") as f:
                f.write("x = 1\nprint(x)\n")
            proc = subprocess.run([PY, ADAPTER, "--run", path, "--trace",
                                   "--snapshot-lines", "2"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        answer = json.loads(proc.stdout.decode())
        self.assertEqual(answer["stdout"], "1\n")
        self.assertEqual(answer["snapshots"], "@2\n  <module>:2\n")
        self.assertEqual(answer["trace"][-1], "return <module>:2")

    def test_cli_one_shot_with_modules(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "prog.py")
            helper = os.path.join(tmp, "h.py")
            with open(path, "w") as f:
                f.write("import helper\nprint(helper.f())\n")
            with open(helper, "w") as f:
                f.write("def f():\n    return __name__\n")
            proc = subprocess.run([PY, ADAPTER, "--run", path, "--module", "helper.py=" + helper,
                                   "--trace"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        answer = json.loads(proc.stdout.decode())
        self.assertEqual(answer["stdout"], "helper\n")
        self.assertIn("call helper.py:f:1", answer["trace"])


if __name__ == "__main__":
    unittest.main()
