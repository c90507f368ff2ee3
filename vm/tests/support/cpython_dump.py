"""Dump CPython 3.12's compilation of Python sources for framespec's compiler tests.

Reads a JSON list of {"name", "source"} on stdin; writes one JSON object per program:
{"name", "ok", "code" | "error"}. A code object is described by
`describe()`: exactly the fields tests/compile_vs_cpython.rs compares.
"""
import dis
import json
import sys


def const_repr(c):
    if hasattr(c, "co_code"):
        return "<code %s>" % c.co_name
    return repr(c)


def describe(co):
    instrs = []
    for ins in dis.get_instructions(co):
        target = ins.argval if ins.opcode in dis.hasjrel else None
        instrs.append([ins.opname, ins.arg, target])
    return {
        "name": co.co_name,
        "qualname": co.co_qualname,
        "firstlineno": co.co_firstlineno,
        "flags": co.co_flags,
        "argcount": co.co_argcount,
        "posonlyargcount": co.co_posonlyargcount,
        "kwonlyargcount": co.co_kwonlyargcount,
        "stacksize": co.co_stacksize,
        "instrs": instrs,
        "positions": [list(p) for p in co.co_positions()],
        "exceptiontable": co.co_exceptiontable.hex(),
        "linetable": co.co_linetable.hex(),
        "consts": [const_repr(c) for c in co.co_consts],
        "names": list(co.co_names),
        "varnames": list(co.co_varnames),
        "cellvars": list(co.co_cellvars),
        "freevars": list(co.co_freevars),
        "children": [describe(c) for c in co.co_consts if hasattr(c, "co_code")],
    }


def main():
    programs = json.load(sys.stdin)
    out = []
    for p in programs:
        try:
            co = compile(p["source"], p.get("filename", "main.py"), "exec", dont_inherit=True)
            out.append({"name": p["name"], "ok": True, "code": describe(co)})
        except SyntaxError as e:
            out.append({"name": p["name"], "ok": False,
                        "error": {"msg": e.msg, "line": e.lineno, "offset": e.offset}})
        except Exception as e:  # noqa: BLE001 - report, never crash the test
            out.append({"name": p["name"], "ok": False,
                        "error": {"msg": "%s: %s" % (type(e).__name__, e), "line": 0, "offset": 0}})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
