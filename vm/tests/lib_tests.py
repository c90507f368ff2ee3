"""CPython 3.12's own test modules on the reference VM, against CPython 3.12.

Runs `python3.12 -m unittest -v test.MODULE` and `framespec exec -m unittest -v
test.MODULE` for each module, reads each test's verdict from unittest's verbose report,
and prints a Markdown table: per module, the tests CPython runs and how many of them
pass on CPython and on the VM, and how the VM's others end (failed, error, skipped,
unsupported: the run stopped in that test at something framespec does not support).

A VM run that stops is resumed: the test it stopped in counts as unsupported (with the
reason framespec gave), and the VM runs again on the tests not yet reported, named one by
one in CPython's order, until every test has a verdict. A stop outside any test (a class's
setUpClass) blames that class's tests when the run made no progress.

    python3.12 vm/tests/lib_tests.py [--framespec target/release/framespec] [MODULE…]

A test "passes" when unittest reports `ok` or `expected failure`; a skip counts apart.
Nothing here changes or copies a test: the modules are read from the Lib/test beside the
interpreter running this script.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

MODULES = [
    "test_scope", "test_frame", "test_with", "test_raise", "test_funcattrs",
    "test_keywordonlyarg", "test_class", "test_grammar", "test_contextlib",
    "test_exceptions", "test_dictviews", "test_iter", "test_types",
    # Tracing, profiling, monitoring and what they observe (issue 9's measure).
    "test_sys_settrace", "test_sys_setprofile", "test_monitoring", "test_generators",
    "test_coroutines", "test_traceback",
    # The built-in super type.
    "test_super",
]

# `testName (test.module.Class.testName) ... ok`, possibly with the test's docstring on
# the next line before the verdict, and output of the test in between.
TEST_LINE = re.compile(r"^(\w+) \(([\w.]+)\)(?:\n.*?)?? \.\.\. ", re.M)
VERDICTS = [
    ("ok", "passed"),
    ("expected failure", "passed"),
    ("skipped", "skipped"),
    ("FAIL", "failed"),
    ("ERROR", "error"),
    ("unexpected success", "failed"),
]


def verdicts(report):
    """Each test's verdict in a verbose unittest report: {test id: verdict}."""
    out = {}
    starts = list(TEST_LINE.finditer(report))
    for i, m in enumerate(starts):
        test = f"{m.group(2)}"
        if test.endswith(".__test__"):
            # A doctest (`name (module.__test__)` then `Doctest: module.__test__.name`).
            test = f"{test}.{m.group(1)}"
        end = starts[i + 1].start() if i + 1 < len(starts) else len(report)
        rest = report[m.end():end]
        verdict = "stopped"
        for prefix, name in VERDICTS:
            if rest.startswith(prefix) or re.search(r"\.\.\. " + re.escape(prefix), rest):
                verdict = name
                break
        # A verdict can follow output the test printed; the first one seen counts.
        out[test] = verdict
    return out


def run(command, timeout):
    """`command`'s combined report and exit status, from a clean directory."""
    with tempfile.TemporaryDirectory() as cwd:
        env = dict(os.environ, PYTHONHASHSEED="0", PYTHONUTF8="1", TZ="UTC")
        try:
            p = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                               timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            text = (e.stdout or "") + (e.stderr or "")
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            return text, "timeout"
    return p.stdout + p.stderr, p.returncode


def stop_reason(report):
    """The line framespec printed when the run stopped, if it did."""
    for line in report.splitlines():
        at = line.find("framespec: ")
        if at >= 0 and "reached from" not in line:
            return line[at + len("framespec: "):]
    return None


def vm_verdicts(framespec, name, order, timeout):
    """The VM's verdict for each test of `order` (CPython's test ids, in CPython's order),
    resuming after each stop; also the stops, as (blamed tests, reason), and the run count."""
    done, stops, runs = {}, [], 0
    doctests_tried = False
    args = [name]
    while True:
        report, status = run([framespec, "exec", "-m", "unittest", "-v", *args], timeout)
        runs += 1
        got = verdicts(report)
        before = len(done)
        done.update({t: v for t, v in got.items() if v != "stopped"})
        if status not in (0, 1):
            reason = ("timed out" if status == "timeout"
                      else (stop_reason(report) or f"exit {status}"))
            started = [t for t, v in got.items() if v == "stopped"]
            rest = [t for t in order if t not in done]
            if started:
                blamed = started[-1:]
            elif len(done) > before:
                # Stopped between tests (a class's tearDownClass): resume without blame.
                blamed = []
            elif rest:
                cls = rest[0].rsplit(".", 1)[0]
                blamed = [t for t in rest if t.rsplit(".", 1)[0] == cls]
            else:
                break
            for test in blamed:
                done[test] = "unsupported"
            stops.append((blamed, reason))
        elif args == [name] or doctests_tried:
            break
        # Doctests come from the module's load_tests and cannot be named on the command
        # line; `-k __test__` keeps no TestCase method, so the module runs only its
        # doctests, once: those a stop there leaves behind stay "not reached".
        args = [t for t in order if t not in done and ".__test__." not in t]
        if not args:
            if doctests_tried or all(t in done for t in order):
                break
            doctests_tried = True
            args = [name, "-k", "__test__"]
    return done, stops, runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framespec", default="target/release/framespec")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds for one run of a module (default 300)")
    parser.add_argument("--stops", action="store_true",
                        help="after the table, each unsupported stop and the tests it blames")
    parser.add_argument("modules", nargs="*", default=MODULES)
    args = parser.parse_args()
    framespec = os.path.abspath(args.framespec)
    kinds = ["passed", "failed", "error", "skipped", "unsupported", "not reached"]
    rows, all_stops, wrong = [], [], []
    total = {k: 0 for k in ["cpython", "cpython_passed", "vm_passed", "runs"]}
    for module in args.modules:
        name = f"test.{module}"
        cpy_report, _ = run([sys.executable, "-m", "unittest", "-v", name], args.timeout)
        cpy = verdicts(cpy_report)
        vm, stops, runs = vm_verdicts(framespec, name, list(cpy), args.timeout)
        counts = {k: 0 for k in kinds}
        for test in cpy:
            counts[vm.get(test, "not reached")] += 1
        cpy_passed = sum(1 for v in cpy.values() if v == "passed")
        # The VM's passes among the tests CPython passes (a VM pass where CPython fails
        # is no credit).
        vm_passed = sum(1 for t, v in cpy.items() if v == "passed" and vm.get(t) == "passed")
        rows.append((module, len(cpy), cpy_passed, vm_passed, counts))
        total["cpython"] += len(cpy)
        total["cpython_passed"] += cpy_passed
        total["vm_passed"] += vm_passed
        total["runs"] += runs
        all_stops.extend((module, blamed, reason) for blamed, reason in stops)
        wrong.extend(f"{t} ({vm[t]})" for t, v in cpy.items()
                     if v == "passed" and vm.get(t) in ("failed", "error"))
    print("| module | tests (CPython) | pass on CPython | pass on the VM "
          "| VM failed | VM errors | VM skipped | unsupported | not reached |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    sums = {k: 0 for k in kinds}
    for module, n, cpy_passed, vm_passed, c in rows:
        for k in kinds:
            sums[k] += c[k]
        print(f"| {module} | {n} | {cpy_passed} | {vm_passed} | {c['failed']} "
              f"| {c['error']} | {c['skipped']} | {c['unsupported']} | {c['not reached']} |")
    share = 100.0 * total["vm_passed"] / max(total["cpython_passed"], 1)
    print(f"| **all {len(rows)}** | {total['cpython']} | {total['cpython_passed']} "
          f"| {total['vm_passed']} ({share:.1f}%) | {sums['failed']} | {sums['error']} "
          f"| {sums['skipped']} | {sums['unsupported']} | {sums['not reached']} |")
    if args.stops:
        print(f"\n{total['runs']} VM runs; each stop, the tests it blames, and why:\n")
        for module, blamed, reason in all_stops:
            who = ", ".join(t.split(".", 2)[-1] for t in blamed) or "(between tests)"
            print(f"- {module}: {who}: {reason}")
        if wrong:
            print("\nTests CPython passes and the VM fails or errors in (each one a VM bug):\n")
            for test in wrong:
                print(f"- {test}")


if __name__ == "__main__":
    main()
