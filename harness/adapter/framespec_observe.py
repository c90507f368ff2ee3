"""framespec's trace and snapshot observers, shared by the adapter and the reference VM.

The trace and snapshots channels (spec/INTERPRETING.md section 3) are observed from
Python, by one of two observers:

* SettraceObserver: a sys.settrace function, the channel's definition.
* MonitoringObserver: a sys.monitoring (PEP 669) tool, id 4, reproducing how CPython
  3.12 builds sys.settrace on sys.monitoring, so a program's own settrace stays free.

framespec_adapter.py uses them on every Python it runs on.  The reference VM runs this
very module inside itself for its `reference-settrace` and `reference-monitoring`
targets (harness/src/target.rs), so the VM's sys.settrace and sys.monitoring are checked
against the same cases its built-in observer passes, by the code CPython's adapter runs.

It imports nothing beyond sys and _functools at import time (the reference VM loads it
for every observed case), and works unchanged on CPython 3.8 to 3.13, PyPy and RustPython.
"""

import sys

try:
    from _functools import partial
except ImportError:  # an interpreter without the C accelerator
    from functools import partial

MAX_SNAPSHOTS = 50  # INTERPRETING.md section 3: at most 50 blocks per run
MAX_TRACE_EVENTS = 2000000  # a memory guard; a runaway program hits the harness timeout first
MONITORING_TOOL_ID = 4  # INTERPRETING.md section 3
CO_OPTIMIZED = 0x0001  # inspect.CO_OPTIMIZED: a function's code (fast locals)


class AdapterError(Exception):
    """A failure of the observer or adapter itself (not of the program): answered as
    status error."""


def _format_exc():
    # Imported only on failure: the reference VM would otherwise load traceback (and
    # what it imports) from the standard library for every case.
    import traceback
    return traceback.format_exc()


# ---------------------------------------------------------------------------
# Snapshot rendering (INTERPRETING.md section 3, "snapshot repr")
# ---------------------------------------------------------------------------

_SCALAR_TYPES = (type(None), bool, int, float, str)
# repr() shows a container that contains itself with these markers.
_CYCLE_MARKERS = {list: "[...]", tuple: "(...)", dict: "{...}", set: "{...}"}


def snapshot_repr(value, _active=None):
    """repr() for None/bool/int/float/str and containers of them, else <TYPE>.

    Exact type checks on purpose: a subclass (an IntEnum, a str subclass, a
    namedtuple) has an implementation-specific repr, so it is shown as <TYPE>.
    """
    kind = type(value)
    if kind in _SCALAR_TYPES:
        try:
            return repr(value)
        except Exception:  # e.g. an int beyond sys.get_int_max_str_digits()
            return "<%s>" % kind.__name__
    if kind not in _CYCLE_MARKERS:
        return "<%s>" % kind.__name__
    if _active is None:
        _active = set()
    if id(value) in _active:
        return _CYCLE_MARKERS[kind]
    _active.add(id(value))
    try:
        if kind is list:
            return "[" + ", ".join(snapshot_repr(v, _active) for v in value) + "]"
        if kind is tuple:
            inner = ", ".join(snapshot_repr(v, _active) for v in value)
            return "(" + inner + ("," if len(value) == 1 else "") + ")"
        if kind is dict:
            return "{" + ", ".join(
                snapshot_repr(k, _active) + ": " + snapshot_repr(v, _active)
                for k, v in value.items()) + "}"
        # set
        if not value:
            return "set()"
        return "{" + ", ".join(snapshot_repr(v, _active) for v in value) + "}"
    finally:
        _active.discard(id(value))


def _is_dunder(name):
    return isinstance(name, str) and len(name) > 4 and name.startswith("__") and name.endswith("__")


def render_snapshot(frame, line, prefixes, module_code):
    """One '@LINE' block: the program's frames from `frame` out to the module frame.

    Frames whose code is not from main.py or one of the case's modules (the files in
    `prefixes`; library code between two of the program's frames) are left out, as for
    the trace and traceback channels.  A module's frames are named "PATH:NAME"; the
    module frame of a module being imported shows no locals, like main.py's.

    Reading f_locals: before 3.13 the only way to see a function's fast locals from
    Python is frame.f_locals, which calls PyFrame_FastToLocalsWithError(): it
    refreshes the frame's locals dict (the very dict locals() returns) from the fast
    locals.  Any observer does the same (sys.settrace's own trampoline does it before
    every trace call), and it never changes a variable the program can read by
    name.  We deliberately never write back (no PyFrame_LocalsToFast, which the
    settrace trampoline does after each call on 3.12), so the program's variables are
    never altered; the only visible effect is on a dict the program obtained earlier
    from locals(), which now holds fresher values.  On 3.13 (PEP 667) f_locals is a
    write-through proxy and reading it has no side effect at all.  The module frame
    is never read (its locals are its globals and the spec shows none).
    """
    out = ["@%d" % line]
    f = frame
    while f is not None:
        code = f.f_code
        prefix = prefixes.get(code.co_filename)
        if prefix is not None:
            lineno = line if f is frame else f.f_lineno
            if code is module_code:
                out.append("  %s:%s" % (code.co_name, lineno))
                break
            if prefix and not code.co_flags & CO_OPTIMIZED and f.f_locals is f.f_globals:
                out.append("  %s%s:%s" % (prefix, code.co_name, lineno))
                f = f.f_back
                continue
            parts = ["%s%s:%s" % (prefix, code.co_name, lineno)]
            for name, value in list(f.f_locals.items()):
                if _is_dunder(name):
                    continue
                parts.append("%s=%s" % (name, snapshot_repr(value)))
            out.append("  " + " ".join(parts))
        f = f.f_back
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Observers: turn interpreter events into the trace / snapshots channels
# ---------------------------------------------------------------------------

class Observer(object):
    """Collects the trace and snapshots for one run; subclasses hook the interpreter."""

    def __init__(self, prefixes, module_code, want_trace, snapshot_lines, internals=None):
        # co_filename -> how the channels name its frames: "" for main.py, "PATH:" for
        # a module of the case (INTERPRETING.md section 3); other code is not observed.
        self.prefixes = prefixes
        self.module_code = module_code
        self.want_trace = want_trace
        self.snapshot_lines = frozenset(snapshot_lines or ())
        self.events = []
        self.snapshots = []
        # The internals channel (spec/INTERNALS.md): `internals` is a reader,
        # reader(prefixes, module_code, render) -> the chain's frame records (the
        # adapter's is framespec_internals.read_chain); one {"line", "frames"} per
        # snapshot.  Only MonitoringObserver supports it: it must read the frames before
        # anything makes their frame objects.
        self.internals_reader = internals
        self.internals = []
        self.error = None  # first internal failure; the answer becomes status error

    def _snapshot_due(self, code, line):
        """Whether a 'line' event of `code` at `line` takes a snapshot."""
        return (not self.prefixes[code.co_filename] and line in self.snapshot_lines
                and len(self.snapshots) < MAX_SNAPSHOTS)

    def _read_internals(self, line):
        """Record the internals of the chain for the snapshot about to be taken at `line`.
        Called from the event callback before any frame object of the program is asked
        for (sys._getframe, f_back and f_locals would create them)."""
        frames = self.internals_reader(self.prefixes, self.module_code, snapshot_repr)
        self.internals.append({"line": line, "frames": frames})

    def _fail(self, where):
        if self.error is None:
            self.error = "%s: %s" % (where, _format_exc())

    def _record(self, text):
        if len(self.events) >= MAX_TRACE_EVENTS:
            if self.error is None:
                self.error = "trace longer than %d events" % MAX_TRACE_EVENTS
            return
        self.events.append(text)

    # The four settrace events, already filtered to the program's frames.
    def call(self, frame):
        if self.want_trace:
            code = frame.f_code
            self._record("call %s%s:%s" % (self.prefixes[code.co_filename], code.co_name,
                                           frame.f_lineno))

    def ret(self, frame):
        if self.want_trace:
            code = frame.f_code
            self._record("return %s%s:%s" % (self.prefixes[code.co_filename], code.co_name,
                                             frame.f_lineno))

    def exception(self, frame, exc_type):
        if self.want_trace:
            code = frame.f_code
            self._record("exception %s%s:%s %s" % (self.prefixes[code.co_filename],
                                                   code.co_name, frame.f_lineno,
                                                   exc_type.__name__))

    def line(self, frame, line):
        prefix = self.prefixes[frame.f_code.co_filename]
        if self.want_trace:
            self._record("line %s%s:%s" % (prefix, frame.f_code.co_name, line))
        # Snapshot lines are lines of main.py.
        if not prefix and line in self.snapshot_lines and len(self.snapshots) < MAX_SNAPSHOTS:
            self.snapshots.append(render_snapshot(frame, line, self.prefixes, self.module_code))


class SettraceObserver(Observer):
    """sys.settrace: the channel's definition, used before 3.12 (or when forced).

    A program that calls sys.settrace itself replaces this tracer; before 3.12 there
    is no other hook, so such cases need a version override there.
    """

    def start(self):
        pass  # see thread_steps(): before 3.12 sys.settrace only affects its own thread

    def thread_steps(self):
        """C callables run in the program's thread before and after it."""
        prefixes = self.prefixes

        def local_tracer(frame, event, arg):
            try:
                if event == "line":
                    self.line(frame, frame.f_lineno)
                elif event == "call":
                    self.call(frame)
                elif event == "return":
                    self.ret(frame)
                elif event == "exception":
                    self.exception(frame, arg[0])
            except RecursionError:
                # Out of stack under the program's own recursion: let it surface in the
                # program, as any settrace tracer's would (CPython then turns tracing
                # off).  Swallowing it breaks CPython < 3.12's overflow recovery
                # ("Fatal Python error: Cannot recover from stack overflow").
                raise
            except Exception:
                self._fail("settrace observer")
            return local_tracer

        def global_tracer(frame, event, arg):
            # Called for the 'call' event of every new frame; only the program's frames
            # get a local tracer (and so 'line', 'return' and 'exception' events).
            if frame.f_code.co_filename not in prefixes:
                return None
            return local_tracer(frame, event, arg)

        return [partial(sys.settrace, global_tracer)], \
            [partial(sys.settrace, None)]

    def stop(self):
        pass


class MonitoringObserver(Observer):
    """sys.monitoring (PEP 669), reproducing CPython 3.12's sys.settrace on top of it.

    The rules, from Python/legacy_tracing.c (the callbacks sys.settrace registers for
    its tool id 7):
      PY_START, PY_RESUME          -> 'call'      (sys_trace_start)
      PY_THROW                     -> 'call'      (sys_trace_throw)
      PY_RETURN, PY_YIELD          -> 'return'    (sys_trace_return / sys_trace_yield)
      PY_UNWIND                    -> 'return'    (sys_trace_unwind)
      RAISE, STOP_ITERATION        -> 'exception' (sys_trace_exception_func)
      LINE                         -> 'line' at the event's line (trace_line), if >= 0
      JUMP                         -> 'line' only for a backward jump whose source and
                                      target are on the same line (sys_trace_jump_func):
                                      sys.settrace reports every backward edge, and a
                                      jump to a different line is already reported by
                                      the target's LINE event.
      RERAISE, EXCEPTION_HANDLED, BRANCH, CALL, C_* -> nothing (not registered).
    LINE events themselves are computed by Python/instrumentation.c identically for
    every tool (line starts, jump targets, handlers; suppressed when the previous
    instruction was on the same line), so we get exactly the ones tool 7 gets.

    Frame line numbers: trace_line sets frame->f_lineno to the event's line while the
    tracer runs, so a 'line' event (and its snapshot) uses the event's line; every other
    event leaves f_lineno to be computed from the current instruction, which is what
    frame.f_lineno gives us here too, because our callback sees the same frame state.

    Re-entrancy: CPython runs every monitoring callback (ours and tool 7's, i.e. the
    program's own settrace function) with tstate->tracing raised, so no event fires for
    code running inside a callback.  That matches sys.settrace, which does not trace
    code running inside the trace function, so nothing needs handling here.
    """

    def __init__(self, *args):
        Observer.__init__(self, *args)
        self._lines = {}  # code object -> {instruction byte offset: line or -1}

    def _line_of(self, code, offset):
        """_Py_Instrumentation_GetLine: the line of the instruction at `offset`."""
        table = self._lines.get(code)
        if table is None:
            table = {}
            for start, end, line in code.co_lines():
                for off in range(start, end, 2):
                    table[off] = -1 if line is None else line
            self._lines[code] = table
        return table.get(offset, -1)

    def start(self):
        mon = sys.monitoring
        ev = mon.events
        disable = mon.DISABLE
        tool = MONITORING_TOOL_ID
        prefixes = self.prefixes
        getframe = sys._getframe
        trace = self.want_trace

        if mon.get_tool(tool) is not None:
            raise AdapterError("sys.monitoring tool id %d is already in use by %r"
                               % (tool, mon.get_tool(tool)))
        mon.use_tool_id(tool, "framespec")
        self._installed = True

        # Library code is switched off per location with DISABLE (allowed for "local"
        # events only); RAISE, PY_UNWIND and PY_THROW cannot be disabled and are
        # filtered on every call.
        def frame_event(label, local, kind):
            """A callback that reports a `call`, `return` or `exception` event of main.py's
            code; `local` events return DISABLE for other code. It calls the recorder
            directly (no helper frame in between), so the program's recursion depth under
            tracing is the same as with a settrace tracer."""
            skip = disable if local else None

            def callback(code, offset, *args):
                if code.co_filename not in prefixes:
                    return skip
                try:
                    if kind == "call":
                        self.call(getframe(1))
                    elif kind == "return":
                        self.ret(getframe(1))
                    else:
                        self.exception(getframe(1), type(args[0]))
                except RecursionError:
                    raise  # as under a settrace tracer: the program sees it; not our failure
                except Exception:
                    self._fail(label)
                return None
            return callback

        on_start = frame_event("PY_START/PY_RESUME", True, "call")
        on_throw = frame_event("PY_THROW", False, "call")
        on_return = frame_event("PY_RETURN/PY_YIELD", True, "return")
        on_unwind = frame_event("PY_UNWIND", False, "return")
        on_raise = frame_event("RAISE", False, "exception")
        on_stop_iteration = frame_event("STOP_ITERATION", True, "exception")

        # With the internals channel, a line that neither traces nor snapshots asks for
        # no frame object: sys._getframe(1) would create one for every frame of the
        # program, and `frame_obj` is one of the fields reported.
        lean = self.internals_reader is not None and not trace

        def on_line(code, line):  # LINE
            if code.co_filename not in prefixes:
                return disable
            if line is None or line < 0:
                return None
            try:
                if lean:
                    if not self._snapshot_due(code, line):
                        return None
                    self._read_internals(line)
                self.line(getframe(1), line)
            except RecursionError:
                raise  # as under a settrace tracer: the program sees it; not our failure
            except Exception:
                self._fail("LINE")

        def on_jump(code, src, dest):  # JUMP
            if code.co_filename not in prefixes:
                return disable
            if dest > src:
                # A forward jump never makes a settrace event; legacy_tracing.c disables
                # the location for its tool too.
                return disable
            try:
                to_line = self._line_of(code, dest)
                if to_line != self._line_of(code, src):
                    return disable  # the target's LINE event reports it
                if to_line < 0:
                    return None
                if lean:
                    if not self._snapshot_due(code, to_line):
                        return None
                    self._read_internals(to_line)
                self.line(getframe(1), to_line)
            except RecursionError:
                raise  # as under a settrace tracer: the program sees it; not our failure
            except Exception:
                self._fail("JUMP")
            return None

        # Only LINE and JUMP are needed for snapshots alone.
        callbacks = [(ev.LINE, on_line), (ev.JUMP, on_jump)]
        if trace:
            callbacks += [
                (ev.PY_START, on_start), (ev.PY_RESUME, on_start),
                (ev.PY_THROW, on_throw),
                (ev.PY_RETURN, on_return), (ev.PY_YIELD, on_return),
                (ev.PY_UNWIND, on_unwind),
                (ev.RAISE, on_raise), (ev.STOP_ITERATION, on_stop_iteration),
            ]
        mask = 0
        for event, callback in callbacks:
            mon.register_callback(tool, event, callback)
            mask |= event
        mon.set_events(tool, mask)

    def thread_steps(self):
        return [], []  # sys.monitoring is process-wide: start() and stop() suffice

    def stop(self):
        if getattr(self, "_installed", False):
            free_monitoring_tool(MONITORING_TOOL_ID)
            self._installed = False


def free_monitoring_tool(tool):
    """Switch a sys.monitoring tool off completely and release its id."""
    mon = sys.monitoring
    mon.set_events(tool, 0)
    for name in dir(mon.events):
        if not name.isupper():
            continue
        event = getattr(mon.events, name)
        if isinstance(event, int) and event and not event & (event - 1):
            mon.register_callback(tool, event, None)
    mon.free_tool_id(tool)


def make(kind, prefixes, module_code, want_trace, snapshot_lines):
    """An observer of `kind` ("settrace" or "monitoring") for one run of `module_code`."""
    cls = {"settrace": SettraceObserver, "monitoring": MonitoringObserver}[kind]
    return cls(prefixes, module_code, want_trace, snapshot_lines)
