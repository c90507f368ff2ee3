"""CPython 3.12's own test modules on the reference VM, against CPython 3.12.

Runs `python3.12 -m unittest -v test.MODULE` and `framespec exec -m unittest -v
test.MODULE` for each module, reads each test's verdict from unittest's verbose report,
and prints a Markdown table: per module, the tests CPython runs and how many of them
pass on CPython and on the VM, and how the VM's others end (failed, error, skipped,
not reached because the run stopped at something framespec does not support).

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framespec", default="target/release/framespec")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--stops", action="store_true",
                        help="after the table, where each VM run stopped")
    parser.add_argument("modules", nargs="*", default=MODULES)
    args = parser.parse_args()
    framespec = os.path.abspath(args.framespec)
    rows, stops = [], []
    total = {"cpython": 0, "cpython_passed": 0, "vm_passed": 0}
    for module in args.modules:
        name = f"test.{module}"
        cpy_report, _ = run([sys.executable, "-m", "unittest", "-v", name], args.timeout)
        vm_report, status = run([framespec, "exec", "-m", "unittest", "-v", name], args.timeout)
        cpy, vm = verdicts(cpy_report), verdicts(vm_report)
        counts = {k: 0 for k in ["passed", "failed", "error", "skipped", "stopped"]}
        for test in cpy:
            counts[vm.get(test, "stopped")] += 1
        cpy_passed = sum(1 for v in cpy.values() if v == "passed")
        # The VM's passes among the tests CPython passes (a VM pass where CPython fails
        # is no credit).
        vm_passed = sum(1 for t, v in cpy.items() if v == "passed" and vm.get(t) == "passed")
        rows.append((module, len(cpy), cpy_passed, vm_passed, counts))
        total["cpython"] += len(cpy)
        total["cpython_passed"] += cpy_passed
        total["vm_passed"] += vm_passed
        reason = stop_reason(vm_report) if status not in (0, 1) else None
        stops.append((module, status, reason))
    print("| module | tests (CPython) | pass on CPython | pass on the VM "
          "| VM failed | VM errors | VM skipped | not reached |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for module, n, cpy_passed, vm_passed, c in rows:
        print(f"| {module} | {n} | {cpy_passed} | {vm_passed} | {c['failed']} "
              f"| {c['error']} | {c['skipped']} | {c['stopped']} |")
    share = 100.0 * total["vm_passed"] / max(total["cpython_passed"], 1)
    print(f"| **all** | {total['cpython']} | {total['cpython_passed']} "
          f"| {total['vm_passed']} ({share:.1f}%) | | | | |")
    if args.stops:
        print()
        for module, status, reason in stops:
            print(f"- {module}: exit {status}" + (f": {reason}" if reason else ""))


if __name__ == "__main__":
    main()
