"""Dumps `compile(src, filename, "exec")` as JSON for framespec's VM tests.

Usage: python3.12 dump_code.py FILENAME < source.py > code.json

Every field the VM's `CodeObject` has is written; nested code objects in co_consts are
dumped recursively. Constants are tagged: {"t": "int", "v": 3}.
"""
import json
import sys


def const(value):
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, float):
        return {"t": "float", "v": repr(value)}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, bytes):
        return {"t": "bytes", "v": list(value)}
    if isinstance(value, (tuple, frozenset)):
        return {"t": "tuple", "v": [const(v) for v in value]}
    if hasattr(value, "co_code"):
        return {"t": "code", "v": code(value)}
    raise TypeError(f"unsupported constant {value!r}")


def code(co):
    return {
        "co_name": co.co_name,
        "co_qualname": co.co_qualname,
        "co_filename": co.co_filename,
        "co_firstlineno": co.co_firstlineno,
        "co_argcount": co.co_argcount,
        "co_posonlyargcount": co.co_posonlyargcount,
        "co_kwonlyargcount": co.co_kwonlyargcount,
        "co_flags": co.co_flags,
        "co_stacksize": co.co_stacksize,
        "co_code": list(co.co_code),
        "co_consts": [const(c) for c in co.co_consts],
        "co_names": list(co.co_names),
        "co_localsplusnames": localsplusnames(co),
        "co_localspluskinds": localspluskinds(co),
        "co_linetable": list(co.co_linetable),
        "co_exceptiontable": list(co.co_exceptiontable),
    }


def localsplusnames(co):
    names = list(co.co_varnames)
    names += [n for n in co.co_cellvars if n not in co.co_varnames]
    names += list(co.co_freevars)
    return names


def localspluskinds(co):
    # CO_FAST_LOCAL 0x20, CO_FAST_CELL 0x40, CO_FAST_FREE 0x80 (pycore_code.h); a cell that
    # is also an argument is LOCAL|CELL and appears once, among the varnames.
    cells = set(co.co_cellvars)
    kinds = []
    for name in co.co_varnames:
        kinds.append(0x20 | (0x40 if name in cells else 0))
    for name in co.co_cellvars:
        if name not in co.co_varnames:
            kinds.append(0x40)
    for _ in co.co_freevars:
        kinds.append(0x80)
    return kinds


if __name__ == "__main__":
    filename = sys.argv[1] if len(sys.argv) > 1 else "main.py"
    source = sys.stdin.read()
    try:
        top = compile(source, filename, "exec")
    except SyntaxError as e:
        json.dump({"syntax_error": {"msg": e.msg, "lineno": e.lineno, "offset": e.offset}}, sys.stdout)
    else:
        json.dump(code(top), sys.stdout)
