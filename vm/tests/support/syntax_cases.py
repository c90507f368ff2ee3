"""Collects, from CPython's own Lib/ read in place, the programs CPython 3.12 rejects,
and what its compile() raises for each; prints them as one JSON list.

Sources (nothing is copied into framespec's repository):
- the doctest examples of test/test_syntax.py's docstring;
- the string arguments of the calls in test_syntax.py, test_exceptions.py and
  test_grammar.py that the tests use to provoke syntax errors (check_syntax_error,
  _check_error, check, compile, exec, eval, ...), when they are literals;
- the .py files of Lib/ (site-packages left out) whose UTF-8 text CPython rejects.

The programs python3.12's compile(src, 'main.py', 'exec') rejects with a SyntaxError
(or its subclasses) are kept with the error (its text too: no file main.py is read, the
tests run in framespec's vm/ directory) (SyntaxWarnings ignored while compiling);
those it compiles with SyntaxWarnings, with the warnings (key prefixed "warn:").
"""

import ast
import doctest
import json
import os
import sys
import sysconfig
import warnings

LIB = sysconfig.get_paths()["stdlib"]
TESTS = os.path.join(LIB, "test")

# The helpers the three test files call with a program that must not compile.
CALLEES = {
    "check_syntax_error",
    "_check_error",
    "check",
    "compile",
    "exec",
    "eval",
    "_check_in_scopes",
    "check_syntax_warning",
    "check_error_location",
    "assertRaises",
    "assertRaisesRegex",
}


def cpython_error(source):
    """What compile() raises, or None when it accepts the program."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "main.py", "exec")
        except SyntaxError as e:
            return {
                "type": type(e).__name__,
                "msg": e.msg,
                "lineno": e.lineno,
                "offset": e.offset,
                "end_lineno": e.end_lineno,
                "end_offset": e.end_offset,
                "text": e.text,
            }
        except (ValueError, RecursionError, MemoryError, OverflowError):
            return None
    return None


def cpython_warnings(source):
    """The SyntaxWarnings compile() issues for a program it accepts, as [line, message]."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(source, "main.py", "exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            return []
    return [[w.lineno, str(w.message)] for w in caught if w.category is SyntaxWarning]


def doctest_programs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    doc = ast.get_docstring(tree, clean=False) or ""
    # The docstring starts on the file's first line: an example's lineno is relative.
    for ex in doctest.DocTestParser().get_examples(doc):
        if ex.exc_msg is None:
            continue
        if not ex.exc_msg.split(":")[0].strip().endswith(("Error", "Exception")):
            continue
        yield ex.lineno + 1, ex.source


def call_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def call_programs(path):
    with open(path, encoding="utf-8") as f:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or call_name(node.func) not in CALLEES:
            continue
        for arg in node.args:
            try:
                value = ast.literal_eval(arg)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            if isinstance(value, str):
                yield node.lineno, value
                break


def lib_files():
    for root, dirs, files in os.walk(LIB):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                yield os.path.relpath(path, LIB), text


def main():
    seen = set()
    used = {}
    out = []

    def add(key, source):
        if source in seen:
            return
        error = cpython_error(source)
        if error is None:
            # A program CPython compiles with SyntaxWarnings is kept for them.
            found = cpython_warnings(source)
            if not found:
                return
            key = "warn:" + key
        seen.add(source)
        n = used[key] = used.get(key, 0) + 1
        unique = key if n == 1 else f"{key}#{n}"
        if error is None:
            out.append({"key": unique, "source": source, "warnings": found})
        else:
            out.append({"key": unique, "source": source, "cpython": error})

    for line, src in doctest_programs(os.path.join(TESTS, "test_syntax.py")):
        add(f"test_syntax.py:{line}", src)
    for name in ("test_syntax.py", "test_exceptions.py", "test_grammar.py"):
        for line, src in call_programs(os.path.join(TESTS, name)):
            add(f"{name}:{line}", src)
    for rel, text in lib_files():
        add(f"Lib/{rel}", text)
    json.dump(out, sys.stdout)


sys.setrecursionlimit(10000)
main()
