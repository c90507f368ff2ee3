"""The `internals` channel on CPython 3.12: each frame's _PyInterpreterFrame, read with ctypes.

spec/INTERNALS.md is the definition; this module is its CPython side.  At a snapshot the
observer calls `read_chain` (before it touches any frame object: `f_back` and `f_locals`
would materialise frame objects and so change `frame_obj` of the frames it reports).  We
start from this function's own interpreter frame and follow `previous` pointers outwards,
the way the interpreter itself links frames, never `f_back`.

Every address we read is either a field of an interpreter frame that is on the current
thread's frame chain at this moment (alive while we run: we hold the GIL and run inside
that chain), a field of a code object such a frame holds a strong reference to, or the
frame of a generator or frame object the program holds.  Before trusting the layout at
all, `_check_layout` reads back this module's own frames, a generator and a detached
frame object and compares every field with what Python shows for them; any mismatch (a
different CPython build) makes the channel unavailable rather than a crash.  A pointer is
only turned into an object after its type pointer has been compared with the type we
expect there (code, frame, generator).

Only CPython 3.12 has this layout: everywhere else `available()` is false and the adapter
does not offer the channel.  This module is imported by the adapter only (the reference
VM runs framespec_observe.py, which receives the reader as a parameter).
"""

import sys

# Field offsets in bytes, x86-64 / any LP64 build of CPython 3.12 (checked against
# Include/internal/pycore_frame.h, Include/cpython/code.h and
# Include/cpython/genobject.h of 3.12.1 with offsetof(), and at run time by
# _check_layout).  The table in spec/INTERNALS.md section 2 is the same.
IFRAME_F_CODE = 0          # PyCodeObject *, strong
IFRAME_PREVIOUS = 8        # _PyInterpreterFrame *
IFRAME_FRAME_OBJ = 48      # PyFrameObject *, strong, may be NULL
IFRAME_PREV_INSTR = 56     # _Py_CODEUNIT *
IFRAME_STACKTOP = 64       # int, index into localsplus; -1 while the frame's C loop runs it
IFRAME_RETURN_OFFSET = 68  # uint16_t, in code units
IFRAME_OWNER = 70          # char, enum _frameowner
IFRAME_LOCALSPLUS = 72     # PyObject *[co_nlocalsplus + co_stacksize]

FRAMEOBJ_F_FRAME = 24      # PyFrameObject.f_frame -> _PyInterpreterFrame
FRAMEOBJ_F_FRAME_DATA = 48  # PyFrameObject._f_frame_data: the frame it owns, if any

CODE_CO_STACKSIZE = 64     # int
CODE_CO_NLOCALSPLUS = 72   # int
CODE_CO_LOCALSPLUSNAMES = 96  # tuple of str
CODE_CO_LOCALSPLUSKINDS = 104  # bytes, one _PyLocals_Kind per slot
CODE_CO_CODE_ADAPTIVE = 192  # the instructions the frame executes (prev_instr points here)

GEN_FRAME_STATE = 67       # int8_t gi_frame_state / cr_frame_state / ag_frame_state
GEN_IFRAME = 72            # the generator's own _PyInterpreterFrame, embedded

OB_TYPE = 8                # PyObject.ob_type
CODE_UNIT = 2              # sizeof(_Py_CODEUNIT): offsets are reported in bytes, as f_lasti

# enum _frameowner (pycore_frame.h)
OWNERS = {0: "thread", 1: "generator", 2: "frame_object", 3: "cstack"}
OWNED_BY_CSTACK = 3
OWNED_BY_GENERATOR = 1
# enum _framestate (pycore_frame.h of 3.12.1; later versions add a state)
GEN_STATES = {-2: "created", -1: "suspended", 0: "executing", 1: "completed", 4: "cleared"}
GEN_SUSPENDED = -1
# _PyLocals_Kind bits (Include/internal/pycore_code.h)
CO_FAST_HIDDEN = 0x10
CO_FAST_LOCAL = 0x20
CO_FAST_CELL = 0x40
CO_FAST_FREE = 0x80

_APPLIES = (sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 12)
            and sys.maxsize == 2 ** 63 - 1)

if _APPLIES:
    import ctypes
    import opcode as _opcode
    import types as _types

    _ptr_at = ctypes.c_void_p.from_address
    _int_at = ctypes.c_int.from_address
    _u16_at = ctypes.c_uint16.from_address
    _i8_at = ctypes.c_int8.from_address
    _CODE_TYPE = _types.CodeType
    _FRAME_TYPE = _types.FrameType
    _GEN_TYPES = (_types.GeneratorType, _types.CoroutineType, _types.AsyncGeneratorType)
    _CELL_TYPE = _types.CellType

_layout_problem = "not checked yet"


def _ptr(address):
    return _ptr_at(address).value or 0


def _object(address, expected_type):
    """The object at `address` if its ob_type is `expected_type`, else None."""
    if not address or _ptr(address + OB_TYPE) != id(expected_type):
        return None
    return ctypes.cast(address, ctypes.py_object).value


def _any_object(address):
    """The object a live strong reference points to (a frame slot), or None for NULL."""
    if not address:
        return None
    return ctypes.cast(address, ctypes.py_object).value


def _code_info(code):
    """(co_nlocalsplus, names, kinds, co_stacksize) read from the code object itself."""
    base = id(code)
    count = _int_at(base + CODE_CO_NLOCALSPLUS).value
    names = _object(_ptr(base + CODE_CO_LOCALSPLUSNAMES), tuple)
    kinds = _object(_ptr(base + CODE_CO_LOCALSPLUSKINDS), bytes)
    stacksize = _int_at(base + CODE_CO_STACKSIZE).value
    if names is None or kinds is None or len(names) != count or len(kinds) != count \
            or stacksize != code.co_stacksize:
        raise _LayoutError("code object %s: localsplus tables do not match" % code.co_name)
    return count, names, kinds, stacksize


class _LayoutError(Exception):
    pass


# ---------------------------------------------------------------------------
# The layout check: read back frames whose every field Python also shows
# ---------------------------------------------------------------------------

def _probe_function():
    outer_cell = 10

    def inner(arg):
        local = arg + outer_cell
        return sys._getframe(), local
    return inner


def _probe_generator(a):
    b = a + 1
    yield b


def _check_frame(frame, expected_code, expected_owner, expected_frame_obj):
    iframe = _ptr(id(frame) + FRAMEOBJ_F_FRAME)
    if _ptr(iframe + IFRAME_F_CODE) != id(expected_code):
        raise _LayoutError("f_code of %s" % expected_code.co_name)
    if _i8_at(iframe + IFRAME_OWNER).value != expected_owner:
        raise _LayoutError("owner of %s" % expected_code.co_name)
    if _ptr(iframe + IFRAME_FRAME_OBJ) != expected_frame_obj:
        raise _LayoutError("frame_obj of %s" % expected_code.co_name)
    lasti = (_ptr(iframe + IFRAME_PREV_INSTR) - id(expected_code) - CODE_CO_CODE_ADAPTIVE)
    if lasti != frame.f_lasti:
        raise _LayoutError("prev_instr of %s: %d, f_lasti %d"
                           % (expected_code.co_name, lasti, frame.f_lasti))
    count, names, kinds, _ = _code_info(expected_code)
    values = frame.f_locals
    for index in range(count):
        value = _any_object(_ptr(iframe + IFRAME_LOCALSPLUS + 8 * index))
        if kinds[index] & (CO_FAST_CELL | CO_FAST_FREE) and isinstance(value, _CELL_TYPE):
            value = value.cell_contents
        if names[index] in values and values[names[index]] is not value:
            raise _LayoutError("localsplus[%d] of %s" % (index, expected_code.co_name))
    return iframe


def _check_layout():
    """None if this interpreter's layout is the one above, else what differed."""
    try:
        # A running frame owned by the thread, with an argument, a local and a free
        # variable; its caller (this function) is linked by `previous`.
        frame, _ = _probe_function()(5)
        # The frame returned while its frame object lived: now owned by the object,
        # which copied it into itself (take_ownership() in Objects/frameobject.c)
        # after clearing the frame's own frame_obj pointer.
        _check_frame(frame, frame.f_code, 2, 0)
        if _ptr(id(frame) + FRAMEOBJ_F_FRAME) != id(frame) + FRAMEOBJ_F_FRAME_DATA:
            raise _LayoutError("_f_frame_data")
        here = sys._getframe()
        _check_frame(here, _check_layout.__code__, 0, id(here))
        gen = _probe_generator(1)
        next(gen)
        gen_iframe = id(gen) + GEN_IFRAME
        if _ptr(gen_iframe + IFRAME_F_CODE) != id(gen.gi_code):
            raise _LayoutError("gi_iframe")
        if _i8_at(id(gen) + GEN_FRAME_STATE).value != GEN_SUSPENDED:
            raise _LayoutError("gi_frame_state")
        if _i8_at(gen_iframe + IFRAME_OWNER).value != OWNED_BY_GENERATOR:
            raise _LayoutError("owner of a generator's frame")
        gen_frame = gen.gi_frame
        _check_frame(gen_frame, gen.gi_code, OWNED_BY_GENERATOR, id(gen_frame))
        # YIELD_VALUE saves the stack pointer without the value it yields.
        if _int_at(gen_iframe + IFRAME_STACKTOP).value != 2:
            raise _LayoutError("stacktop of a suspended generator")
    except _LayoutError as exc:
        return "CPython 3.12 layout check failed: %s" % exc
    except Exception as exc:  # e.g. a missing attribute on an unusual build
        return "CPython 3.12 layout check failed: %r" % (exc,)
    return None


def available():
    """Whether this interpreter reports the internals channel (CPython 3.12, LP64)."""
    global _layout_problem
    if not _APPLIES:
        return False
    if _layout_problem == "not checked yet":
        _layout_problem = _check_layout()
    return _layout_problem is None


# ---------------------------------------------------------------------------
# Reading one interpreter frame
# ---------------------------------------------------------------------------

def _kind_name(kind):
    parts = []
    if kind & CO_FAST_LOCAL:
        parts.append("local")
    if kind & CO_FAST_CELL:
        parts.append("cell")
    if kind & CO_FAST_FREE:
        parts.append("free")
    return "+".join(parts) or "none"


def _opname_at(code, offset):
    """The (unspecialised) instruction at byte `offset` of `code`: co_code's opcode name;
    the code units after an instruction that belong to it are CACHE."""
    raw = code.co_code
    if not 0 <= offset < len(raw):
        return None
    return _opcode.opname[raw[offset]]


def _read_frame(iframe, code, prefixes, render, held_depth):
    """The JSON record of the interpreter frame at `iframe` running `code`."""
    count, names, kinds, stacksize = _code_info(code)
    owner = _i8_at(iframe + IFRAME_OWNER).value
    code_start = id(code) + CODE_CO_CODE_ADAPTIVE
    lasti = _ptr(iframe + IFRAME_PREV_INSTR) - code_start
    record = {
        "owner": OWNERS.get(owner, str(owner)),
        "prev_instr": lasti,
        "opname": _opname_at(code, lasti),
        "frame_obj": bool(_ptr(iframe + IFRAME_FRAME_OBJ)),
    }
    if owner == OWNED_BY_GENERATOR:
        state = _i8_at(iframe - GEN_IFRAME + GEN_FRAME_STATE).value
        record["gen_state"] = GEN_STATES.get(state, str(state))
    slots = []
    for index in range(count):
        # NULL is null; a slot holding None is "None" (ctypes gives None for both).
        address = _ptr(iframe + IFRAME_LOCALSPLUS + 8 * index)
        value = _any_object(address)
        kind = kinds[index]
        slot = {"name": names[index], "kind": _kind_name(kind),
                "hidden": bool(kind & CO_FAST_HIDDEN),
                "value": render(value) if address else None}
        if type(value) is _CELL_TYPE and kind & (CO_FAST_CELL | CO_FAST_FREE):
            try:
                slot["cell"] = render(value.cell_contents)
            except ValueError:  # an empty cell
                slot["cell"] = None
        if held_depth > 0:
            held = _held_frame(value, prefixes, render, held_depth - 1)
            if held is not None:
                slot["frame"] = held
        slots.append(slot)
    record["localsplus"] = slots
    stacktop = _int_at(iframe + IFRAME_STACKTOP).value
    if count <= stacktop <= count + stacksize:
        stack = []
        for index in range(count, stacktop):
            address = _ptr(iframe + IFRAME_LOCALSPLUS + 8 * index)
            stack.append(render(_any_object(address)) if address else None)
        record["stack"] = stack
    else:
        record["stack"] = None  # stacktop is -1: the frame's C loop holds the stack pointer
    return record


def _held_frame(value, prefixes, render, held_depth):
    """For a generator, coroutine or async generator of the program that is not running,
    or a frame object whose function has returned: the record of the frame it holds."""
    kind = type(value)
    if kind in _GEN_TYPES:
        code = value.gi_code if kind is _types.GeneratorType else (
            value.cr_code if kind is _types.CoroutineType else value.ag_code)
        if code.co_filename not in prefixes:
            return None
        state = _i8_at(id(value) + GEN_FRAME_STATE).value
        name = GEN_STATES.get(state, str(state))
        if name == "executing":
            return None  # on the chain: reported there
        if name in ("completed", "cleared"):
            return {"gen_state": name}  # the frame is cleared: no field is defined
        iframe = id(value) + GEN_IFRAME
        if _ptr(iframe + IFRAME_F_CODE) != id(code):
            raise _LayoutError("generator frame of %s" % code.co_name)
        record = _read_frame(iframe, code, prefixes, render, held_depth)
        record["name"] = prefixes[code.co_filename] + code.co_name
        return _ordered(record)
    if kind is _FRAME_TYPE:
        code = value.f_code
        if code.co_filename not in prefixes:
            return None
        iframe = _ptr(id(value) + FRAMEOBJ_F_FRAME)
        if iframe != id(value) + FRAMEOBJ_F_FRAME_DATA:
            return None  # still running (on the chain) or a generator's
        if _ptr(iframe + IFRAME_F_CODE) != id(code):
            raise _LayoutError("frame object of %s" % code.co_name)
        record = _read_frame(iframe, code, prefixes, render, held_depth)
        record["name"] = prefixes[code.co_filename] + code.co_name
        return _ordered(record)
    return None


_FIELD_ORDER = ("name", "owner", "gen_state", "prev_instr", "opname", "return_offset",
                "frame_obj", "localsplus", "stack")


def _ordered(record):
    return {key: record[key] for key in _FIELD_ORDER if key in record}


# ---------------------------------------------------------------------------
# The chain
# ---------------------------------------------------------------------------

def read_chain(prefixes, module_code, render):
    """The internals of the program's frames on the current chain, innermost first.

    `prefixes` maps co_filename -> how frames are named ("" for main.py, "PATH:" for a
    module), `module_code` is main.py's module code (the outermost frame reported),
    `render` the snapshot repr.  Frames of other files (the observer's own, the
    library's) and the C-stack shim frames are left out, as the snapshots channel leaves
    them out.  Returns None where the channel does not apply.
    """
    if not available():
        return None
    out = []
    iframe = _ptr(id(sys._getframe()) + FRAMEOBJ_F_FRAME)
    inner_is_python = False  # whether the previous frame seen (inner) was pushed inline
    while iframe:
        owner = _i8_at(iframe + IFRAME_OWNER).value
        if owner == OWNED_BY_CSTACK:
            inner_is_python = False
            iframe = _ptr(iframe + IFRAME_PREVIOUS)
            continue
        code = _object(_ptr(iframe + IFRAME_F_CODE), _CODE_TYPE)
        if code is None:
            raise _LayoutError("a frame on the chain does not hold a code object")
        prefix = prefixes.get(code.co_filename)
        lasti = _ptr(iframe + IFRAME_PREV_INSTR) - id(code) - CODE_CO_CODE_ADAPTIVE
        if prefix is not None and not _incomplete(iframe, code, owner, lasti):
            record = _read_frame(iframe, code, prefixes, render, 1)
            record["name"] = prefix + code.co_name
            # return_offset is meaningful only while this frame's eval loop has pushed
            # the next-inner frame itself (CALL / SEND / FOR_ITER_GEN and the
            # specialised forms that inline a call); a callee entered through C code
            # sits behind a C-stack shim, and the field is stale.
            if inner_is_python:
                record["return_offset"] = \
                    _u16_at(iframe + IFRAME_RETURN_OFFSET).value * CODE_UNIT
            else:
                record["return_offset"] = None
            out.append(_ordered(record))
            if code is module_code:
                break
        inner_is_python = True
        iframe = _ptr(iframe + IFRAME_PREVIOUS)
    return out


def _incomplete(iframe, code, owner, lasti):
    """_PyFrame_IsIncomplete: a frame that has not reached its first traceable
    instruction (the RESUME after MAKE_CELL / COPY_FREE_VARS / RETURN_GENERATOR) is not
    yet visible to Python (sys._getframe and f_back skip it)."""
    if owner == OWNED_BY_GENERATOR:
        return False
    first = 0
    for index, unit in enumerate(code.co_code[::2]):
        if _opcode.opname[unit] == "RESUME":
            first = index * CODE_UNIT
            break
    return lasti < first
