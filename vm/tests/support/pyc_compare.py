"""Compare framespec's .pyc files with CPython 3.12's own compile(), field by field.

Reads a JSON list of {"name", "pyc", "source" | "path", "filename"} on stdin: `pyc` is the
.pyc file framespec wrote (null when framespec wrote none), `source` the program (compiled
as "main.py") or `path` a file to read in place and compile as `filename`. Writes one JSON
object per entry: {"name", "status", "diffs"} where status is "identical", "different",
"rejected" (CPython raises SyntaxError or another compile error; "error" holds it),
"accepted" (CPython compiles it and there is no .pyc to compare) or "unloadable" (the
.pyc does not load: "error" holds why).

A code object is compared recursively through the nested code objects of co_consts:
co_code, co_consts (by type and value: floats by their bits, frozensets as sets, and each
frozenset's iteration order once loaded), co_names,
co_varnames, co_cellvars, co_freevars, co_nlocals, the raw co_localsplusnames (through
_varname_from_oparg) and co_localspluskinds (read from the marshal data itself: Python
does not expose them), co_linetable, co_exceptiontable, co_flags, co_stacksize, the three
argument counts, co_firstlineno, co_name, co_qualname and co_filename.
"""
import importlib._bootstrap_external as bootstrap
import importlib.util
import json
import marshal
import struct
import sys
import types
import warnings

FIELDS = (
    "co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_stacksize", "co_flags",
    "co_code", "co_names", "co_varnames", "co_cellvars", "co_freevars", "co_nlocals",
    "co_filename", "co_name", "co_qualname", "co_firstlineno", "co_linetable",
    "co_exceptiontable",
)


def const_key(c):
    """A value that is equal for two constants exactly when they are the same constant."""
    if isinstance(c, types.CodeType):
        return ("code", c.co_qualname)
    if isinstance(c, float):
        return ("float", struct.pack("<d", c))
    if isinstance(c, complex):
        return ("complex", struct.pack("<dd", c.real, c.imag))
    if isinstance(c, tuple):
        return ("tuple", tuple(const_key(x) for x in c))
    if isinstance(c, frozenset):
        return ("frozenset", tuple(sorted(repr(const_key(x)) for x in c)))
    return (type(c).__name__, c)


def localsplusnames(co):
    n = len(co.co_varnames) + len(co.co_cellvars) + len(co.co_freevars)
    names = []
    for i in range(n):
        try:
            names.append(co._varname_from_oparg(i))
        except (IndexError, ValueError):
            break
    return names


def compare(ours, theirs, path, diffs):
    for field in FIELDS:
        a, b = getattr(ours, field), getattr(theirs, field)
        if a != b:
            diffs.append("%s.%s: %s != %s" % (path, field, short(a), short(b)))
    if localsplusnames(ours) != localsplusnames(theirs):
        diffs.append("%s.co_localsplusnames: %s != %s"
                     % (path, localsplusnames(ours), localsplusnames(theirs)))
    a, b = ours.co_consts, theirs.co_consts
    if [const_key(c) for c in a] != [const_key(c) for c in b]:
        diffs.append("%s.co_consts: %s != %s" % (path, short(a), short(b)))
    inner_a = [c for c in a if isinstance(c, types.CodeType)]
    inner_b = [c for c in b if isinstance(c, types.CodeType)]
    for x, y in zip(inner_a, inner_b):
        compare(x, y, path + "/" + y.co_name, diffs)


def frozenset_orders(co):
    """The iteration order of every frozenset constant, recursively: CPython writes a
    frozenset's items sorted by their own marshal data (bpo-37596) and loading inserts
    them in that order, so where hashes collide the order depends on how it was written."""
    found = []
    for c in co.co_consts:
        if isinstance(c, frozenset):
            found.append([repr(const_key(x)) for x in c])
        elif isinstance(c, types.CodeType):
            found.extend(frozenset_orders(c))
    return found


def short(v):
    text = repr(v)
    return text if len(text) < 300 else text[:300] + "..."


class Walker:
    """The co_localspluskinds of every code object in marshal data, in the order their
    TYPE_CODE ends (nested code first), as (co_qualname, kinds) pairs."""

    def __init__(self, data):
        self.data, self.pos, self.refs, self.found = data, 0, [], []

    def int32(self):
        (n,) = struct.unpack_from("<i", self.data, self.pos)
        self.pos += 4
        return n

    def take(self, n):
        chunk = self.data[self.pos:self.pos + n]
        if len(chunk) != n:
            raise ValueError("truncated marshal data")
        self.pos += n
        return chunk

    def obj(self):
        t = self.data[self.pos]
        self.pos += 1
        flag, c = t & 0x80, chr(t & 0x7F)
        if c in "NTF.S0":
            return c
        if c == "r":
            return self.refs[self.int32()]
        idx = None
        if flag:
            idx = len(self.refs)
            self.refs.append(None)
        if c == "i":
            v = self.int32()
        elif c == "I":
            v = self.take(8)
        elif c == "l":
            v = self.take(2 * abs(self.int32()))
        elif c == "g":
            v = self.take(8)
        elif c == "y":
            v = self.take(16)
        elif c in "zZ":
            v = self.take(self.take(1)[0]).decode("latin-1")
        elif c in "aA":
            v = self.take(self.int32()).decode("latin-1")
        elif c in "ut":
            v = self.take(self.int32()).decode("utf-8", "surrogatepass")
        elif c == "s":
            v = self.take(self.int32())
        elif c == ")":
            v = tuple(self.obj() for _ in range(self.take(1)[0]))
        elif c in "(<>[":
            v = tuple(self.obj() for _ in range(self.int32()))
        elif c == "c":
            self.take(20)
            for _ in range(4):  # co_code, co_consts, co_names, co_localsplusnames
                self.obj()
            kinds = self.obj()
            self.obj(), self.obj()  # co_filename, co_name
            qualname = self.obj()
            self.take(4)
            self.obj(), self.obj()  # co_linetable, co_exceptiontable
            self.found.append((qualname, kinds.hex()))
            v = ("code", qualname)
        else:
            raise ValueError("type code %r at %d" % (c, self.pos - 1))
        if idx is not None:
            self.refs[idx] = v
        return v


def kinds(data):
    walker = Walker(data)
    walker.obj()
    return walker.found


def check(entry):
    name = entry["name"]
    if "source" in entry:
        source, filename = entry["source"], "main.py"
    else:
        with open(entry["path"], "rb") as f:
            source = f.read()
        filename = entry["filename"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        return {"name": name, "status": "rejected", "error": "%s: %s" % (type(e).__name__, e),
                "line": getattr(e, "lineno", None)}
    if entry.get("pyc") is None:
        return {"name": name, "status": "accepted"}
    with open(entry["pyc"], "rb") as f:
        data = f.read()
    try:
        flags = bootstrap._classify_pyc(data, name, {})
        if flags != 0:
            raise ImportError("flags %d, not a timestamp-based .pyc" % flags)
        ours = marshal.loads(data[16:])
        our_kinds = kinds(data[16:])
    except Exception as e:  # noqa: BLE001 - reported, never a crash of the comparison
        return {"name": name, "status": "unloadable", "error": "%s: %s" % (type(e).__name__, e)}
    diffs = []
    compare(ours, theirs, "<module>", diffs)
    their_data = marshal.dumps(theirs)
    mine, cpythons = frozenset_orders(ours), frozenset_orders(marshal.loads(their_data))
    for a, b in zip(mine, cpythons):
        if a != b:
            diffs.append("a loaded frozenset iterates as %s, CPython's .pyc as %s" % (a, b))
            break
    their_kinds = kinds(their_data)
    if our_kinds != their_kinds:
        pairs = [(a, b) for a, b in zip(our_kinds, their_kinds) if a != b]
        first = pairs[0] if pairs else ("%d code objects" % len(our_kinds),
                                        "%d code objects" % len(their_kinds))
        diffs.append("co_localspluskinds (qualname, kinds hex): %s != %s" % first)
    return {"name": name, "status": "different" if diffs else "identical", "diffs": diffs}


def main():
    assert importlib.util.MAGIC_NUMBER == bootstrap.MAGIC_NUMBER
    entries = json.load(sys.stdin)
    json.dump([check(e) for e in entries], sys.stdout)


if __name__ == "__main__":
    main()
