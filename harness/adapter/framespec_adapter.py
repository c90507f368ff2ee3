#!/usr/bin/env python3
"""framespec adapter: runs case programs and reports observations.

This script speaks the observation protocol of spec/INTERPRETING.md section 6, with
framespec_observe.py beside it (the trace and snapshot observers, which the reference VM
runs too).  It uses the standard library only and runs unchanged on CPython 3.8 to 3.13, PyPy 7.3
(language 3.9) and RustPython 0.6 (language 3.14).  It probes what the interpreter has
at start-up and says in the handshake what it can observe; the two rules that follow
from a name or a version say why where they are (MONITORING_OBSERVER, _script_globals).

Worker mode (what the Rust harness starts):

    python3.12 framespec_adapter.py

first writes the handshake line (section 6.1: protocol, implementation, language,
channels, hermetic), then reads one JSON request per line on stdin and writes one JSON
answer per line on stdout; end of input ends the worker with status 0.

One-shot mode (for humans):

    python3.12 framespec_adapter.py --run FILE.py [--trace] [--snapshot-lines 3,5]
                                    [--module helper.py=PATH ...]

prints the JSON answer for FILE.py (run under the name "main.py"), in this process, with
the files given as --module in its directory.

Hermetic runs (handshake "hermetic": true)
------------------------------------------
Where os.fork works, the worker imports everything once and then forks one child per
request (answer_in_child): the child runs the case, writes its answer line into a pipe
and leaves with os._exit; the worker forwards the line.  Every case therefore starts
from the same state, whatever the previous one did (CPython 3.12 keeps sys.monitoring
instrumentation in code objects; a program can patch a module or leave a thread
running).  A child that dies without answering (a signal, os._exit in the program)
gives {"status": "error", "detail": "the case's process died (signal 9, SIGKILL) ..."}.
Children stay in the worker's process group, which the harness kills on timeout.
Without fork the worker runs cases in its own process, restoring what programs
commonly change (_SavedState), and says "hermetic": false.

How a program runs
------------------
Like `python main.py`: as module __main__ (in sys.modules during the run) with a
script's globals, sys.argv == ["main.py"], source in linecache, stdin empty, stdout
and stderr captured; the uncaught exception printed as Python prints it, then atexit
callbacks, then the module namespace cleared (so __del__ output is seen).  A request
with "modules" runs in a directory of its own, as the program's directory (see
_make_program_dir): sys.path[0] and the working directory.  The module
frame is the bottom of its stack (f_back is None), as in a real script: the program
runs in a fresh thread with no adapter frame beneath it (see _run_program).  On CPython
and RustPython that thread runs C (Rust) code only (_frameless_weakref and
_frameless_finalizer, which rely on reference counting); on PyPy the adapter's driver
function is hidden from frames and tracebacks as PyPy hides its own pure-Python
builtins; an interpreter with neither shows the driver's frame below the module frame.
Known differences from a real script, all from that thread: the program does not run
on the main thread (threading.current_thread() is a dummy thread, signal.signal()
refuses), and on CPython a program that replaces sys.unraisablehook without restoring
it makes its uncaught exception unobservable (answered as status error).  Before 3.12
the C calls that start the program count towards the recursion limit.

Adapter-specific extensions (not part of the runner contract), for test_adapter.py: a
request may carry "observer": "settrace" (CLI: --observer settrace) to force the
sys.settrace observer on CPython >= 3.12, to compare the two; FRAMESPEC_ADAPTER_FORK=0
in the environment makes a worker run cases in its own process ("hermetic": false) as
it does where fork is missing.

How the trace is observed
-------------------------
* On CPython >= 3.12: through sys.monitoring, with tool id 4, so the program's
  own sys.settrace stays untouched.  Since 3.12, sys.settrace is itself a PEP 669 tool
  (Python/legacy_tracing.c, tool id 7) that turns monitoring events into settrace
  events; MonitoringObserver (framespec_observe.py) reproduces that translation rule by
  rule.
* Otherwise (CPython < 3.12, PyPy, RustPython): through sys.settrace, which *is* the
  definition of the channel.  A program that installs its own trace or profile function would
  replace the observer: such a request is answered "not_applicable".
* With neither (no working sys.settrace), the handshake lists no trace or snapshots
  channel and a request for them is answered "not_applicable".
"""

import io
import json
import linecache
import marshal
import os
import sys
import traceback

# Everything this script imports is imported here, at start-up, so that no import
# happens while a case runs (and so sys.modules as the program sees it is stable).
import _thread
import atexit
import builtins
import collections
import functools
import gc
import operator
import warnings
import weakref
from importlib.machinery import SourceFileLoader

# The observers of the trace and snapshots channels, in a module of their own that the
# reference VM also runs (framespec_observe.py, beside this script).
from framespec_observe import (AdapterError, MonitoringObserver, SettraceObserver,
                               free_monitoring_tool)
# The internals channel (spec/INTERNALS.md): CPython 3.12 only, read with ctypes, which
# that module imports there (and only there).  A copy of this script without the module
# beside it simply does not offer the channel.
try:
    import framespec_internals
except ImportError:
    framespec_internals = None

try:
    import signal
except ImportError:  # only used to name the signal that killed a case's process
    signal = None
try:
    import __pypy__
except ImportError:
    __pypy__ = None

# Bound at start-up: a program may replace json.dumps (the answer is encoded after it ran).
_json_dumps = json.dumps
PROTOCOL_VERSION = "0.5.0"  # INTERPRETING.md, the runner contract this script speaks
DEFAULT_FILENAME = "main.py"


# ---------------------------------------------------------------------------
# What this interpreter has, probed once at start-up (never by its name or version)
# ---------------------------------------------------------------------------

def _probe_settrace():
    """Whether sys.settrace delivers 'call', 'line' and 'return' events with frames."""
    settrace = getattr(sys, "settrace", None)
    if settrace is None:
        return False
    seen = []

    def tracer(frame, event, arg):
        seen.append((event, frame.f_code.co_name, frame.f_lineno))
        return tracer

    def probe():
        x = 1
        return x
    try:
        settrace(tracer)
        try:
            probe()
        finally:
            settrace(None)
    except Exception:
        return False
    events = set(event for event, name, _ in seen if name == "probe")
    return {"call", "line", "return"} <= events


def _probe_immediate_weakref_callbacks():
    """Whether dropping the last reference to an object runs its weakref callbacks at
    once (reference counting: CPython), which _frameless() relies on."""
    fired = []
    try:
        referent = set()
        ref = weakref.ref(referent, fired.append)
        holder = [referent]
        del referent
        holder.clear()
        del ref
    except Exception:
        return False
    return bool(fired)


HAVE_MONITORING = hasattr(sys, "monitoring")  # PEP 669: CPython >= 3.12, RustPython
# The trace channel is what sys.settrace delivers.  MonitoringObserver reproduces how
# CPython >= 3.12 builds sys.settrace on sys.monitoring (Python/legacy_tracing.c), so it
# observes the trace there only; another implementation's sys.settrace need not follow
# CPython's rules (RustPython's does not), so sys.settrace itself observes it there.
MONITORING_OBSERVER = HAVE_MONITORING and sys.implementation.name == "cpython"
# There, sys.settrace is one of sys.monitoring's tools; probing it would instrument every
# code object loaded so far, state CPython 3.12 keeps, so it is taken as working.
HAVE_SETTRACE = hasattr(sys, "settrace") if MONITORING_OBSERVER else _probe_settrace()
HAVE_UNRAISABLEHOOK = hasattr(sys, "unraisablehook")
# Reference counting: an object dies (and its weakref callbacks and __del__ run) the
# moment its last reference goes.  Such an interpreter (CPython) also clears __main__
# and finalizes what it held at exit; one with only a tracing GC (PyPy) does not.
REFCOUNTING = _probe_immediate_weakref_callbacks()
_HIDE_FRAME = getattr(__pypy__, "hidden_applevel", None)


HAVE_INTERNALS = (MONITORING_OBSERVER and framespec_internals is not None
                  and framespec_internals.available())


def channels():
    """The INTERPRETING.md section 3 channels this interpreter can observe, and stderr."""
    found = ["stdout", "exception"]
    if MONITORING_OBSERVER or HAVE_SETTRACE:
        found += ["trace", "snapshots"]
    if HAVE_INTERNALS:
        found.append("internals")
    return found + ["stderr"]


def _fork_works():
    """Whether this process can fork a child per case (INTERPRETING.md 6.1 `hermetic`)."""
    if not all(hasattr(os, name) for name in ("fork", "pipe", "waitpid", "_exit")):
        return False
    _flush_std_streams()
    try:
        pid = os.fork()
    except Exception:
        return False
    if pid == 0:
        os._exit(0)
    try:
        _, status = os.waitpid(pid, 0)
    except Exception:
        return False
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def handshake(hermetic):
    """The first line a worker writes (INTERPRETING.md section 6.1)."""
    impl = sys.implementation
    version = tuple(getattr(impl, "version", ()))[:3]
    return {
        "protocol": PROTOCOL_VERSION,
        "implementation": impl.name.lower(),
        "implementation_version": ".".join(str(part) for part in version),
        "language": "%d.%d" % tuple(sys.version_info[:2]),
        "channels": channels(),
        "hermetic": bool(hermetic),
    }


class NotApplicable(Exception):
    """This interpreter cannot observe a channel the request asks for on this program."""


# ---------------------------------------------------------------------------
# Output capture
# ---------------------------------------------------------------------------

class _KeptBytesIO(io.BytesIO):
    """A BytesIO whose content survives close(): a program may close sys.stdout."""

    def close(self):
        pass

    # A real stdout (a pipe or a terminal) is neither seekable nor readable. TextIOWrapper
    # asks once, when it is made; over a seekable, readable buffer it would keep a
    # Python-level codec object and call its reset() on writes, and a program's own trace
    # function would see those calls.
    def seekable(self):
        return False

    def readable(self):
        return False


def _capture_stream(errors):
    # Like a real stdout/stderr on a pipe under a UTF-8 locale: text over a byte
    # buffer (so sys.stdout.buffer works), '\n' kept as is.
    return io.TextIOWrapper(_KeptBytesIO(), encoding="utf-8", errors=errors,
                            newline="\n", line_buffering=False, write_through=True)


def _captured_text(stream):
    try:
        if not stream.closed:
            stream.flush()
    except Exception:
        pass
    return stream.buffer.getvalue().decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Interpreter state: saved before a case, restored after it
# ---------------------------------------------------------------------------

_SYS_ATTRS = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__",
              "argv", "excepthook", "displayhook", "breakpointhook", "unraisablehook",
              "path_hooks", "meta_path", "dont_write_bytecode")
_SYS_VOLATILE = ("tracebacklimit", "last_type", "last_value", "last_traceback",
                 "last_exc", "ps1", "ps2")


class _SavedState(object):
    """Everything a case program commonly changes that would leak into the next case.

    Only needed when cases share a process (a worker that cannot fork, the one-shot
    CLI): a forked child per case starts from the parent's state and is thrown away.
    Every piece is optional, as interpreters differ in what they have (PyPy has no
    gc.get_threshold, for one).
    """

    def __init__(self):
        self.sys_attrs = {name: getattr(sys, name) for name in _SYS_ATTRS if hasattr(sys, name)}
        self.path = list(sys.path)
        self.path_obj = sys.path
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.modules = dict(sys.modules)
        self.recursion_limit = sys.getrecursionlimit()
        self.switch_interval = _call_optional(sys, "getswitchinterval")
        self.int_max_str_digits = _call_optional(sys, "get_int_max_str_digits")
        self.asyncgen_hooks = _call_optional(sys, "get_asyncgen_hooks")
        self.builtins = dict(builtins.__dict__)
        self.environ = dict(os.environ)
        try:
            self.cwd = os.getcwd()
        except OSError:
            self.cwd = None
        self.warning_filters = list(warnings.filters)
        self.onceregistry = dict(warnings.onceregistry)
        self.showwarning = warnings.showwarning
        self.gc_enabled = _call_optional(gc, "isenabled")
        self.gc_threshold = _call_optional(gc, "get_threshold")
        self.tools = self._tools_in_use()
        threading = sys.modules.get("threading")
        self.thread_idents = set(getattr(threading, "_active", ()))

    @staticmethod
    def _tools_in_use():
        if not HAVE_MONITORING:
            return {}
        # Ids 0-5 are for tools; 6 and 7 belong to sys.setprofile / sys.settrace.
        return {t: sys.monitoring.get_tool(t) for t in range(6)}

    def restore(self):
        _call_optional(sys, "settrace", None)
        _call_optional(sys, "setprofile", None)
        threading = sys.modules.get("threading")
        if threading is not None:
            try:
                threading.settrace(None)
                threading.setprofile(None)
                # threading.current_thread() in the program's thread registered a
                # _DummyThread under that (now finished) thread's id.
                for ident, thread in list(threading._active.items()):
                    if ident not in self.thread_idents and \
                            isinstance(thread, threading._DummyThread):
                        del threading._active[ident]
            except Exception:
                pass
        if HAVE_MONITORING:
            for tool, name in self._tools_in_use().items():
                if name is not None and self.tools.get(tool) is None:
                    free_monitoring_tool(tool)
        for name, value in self.sys_attrs.items():
            setattr(sys, name, value)
        for name in _SYS_VOLATILE:
            if hasattr(sys, name):
                try:
                    delattr(sys, name)
                except AttributeError:
                    pass
        sys.path = self.path_obj
        sys.path[:] = self.path
        sys.meta_path[:] = self.meta_path
        sys.path_hooks[:] = self.path_hooks
        self._restore_modules()
        sys.setrecursionlimit(self.recursion_limit)
        if self.switch_interval is not None:
            sys.setswitchinterval(self.switch_interval)
        if self.int_max_str_digits is not None:
            sys.set_int_max_str_digits(self.int_max_str_digits)
        if self.asyncgen_hooks is not None:
            sys.set_asyncgen_hooks(*self.asyncgen_hooks)
        _restore_dict(builtins.__dict__, self.builtins)
        if dict(os.environ) != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        if self.cwd is not None:
            try:
                if os.getcwd() != self.cwd:
                    os.chdir(self.cwd)
            except OSError:
                os.chdir(self.cwd)
        warnings.filters[:] = self.warning_filters
        if hasattr(warnings, "_filters_mutated"):
            warnings._filters_mutated()
        _restore_dict(warnings.onceregistry, self.onceregistry)
        warnings.showwarning = self.showwarning
        if self.gc_threshold is not None:
            gc.set_threshold(*self.gc_threshold)
        if self.gc_enabled is not None:
            (gc.enable if self.gc_enabled else gc.disable)()

    def _restore_modules(self):
        # Entries the program replaced or removed come back.  Modules it imported
        # from the standard library stay (importing them again per case would be slow
        # and some extension modules do not survive being re-initialised); anything
        # else it added by hand (a synthetic module, a non-module) is removed.
        modules = sys.modules
        for name in list(modules):
            if name in self.modules:
                continue
            value = modules[name]
            if getattr(value, "__spec__", None) is None or not hasattr(value, "__file__") and \
                    getattr(value.__spec__, "origin", None) not in ("built-in", "frozen"):
                del modules[name]
        for name, value in self.modules.items():
            if modules.get(name) is not value:
                modules[name] = value


def _call_optional(module, name, *args):
    """module.name(*args), or None where this interpreter lacks it."""
    function = getattr(module, name, None)
    return None if function is None else function(*args)


def _restore_dict(target, saved):
    for key in list(target):
        if key not in saved:
            del target[key]
    for key, value in saved.items():
        if key not in target or target[key] is not value:
            target[key] = value


# ---------------------------------------------------------------------------
# Running one case
# ---------------------------------------------------------------------------

def _script_globals(filename):
    """The globals `python main.py` gives its __main__ module, in the same order.

    A module starts with an empty __annotations__ until Python 3.14, where annotations
    are evaluated lazily (PEP 649) and a module without any has no such name.
    """
    names = [
        ("__name__", "__main__"),
        ("__doc__", None),
        ("__package__", None),
        ("__loader__", SourceFileLoader("__main__", filename)),
        ("__spec__", None),
        ("__annotations__", {}),
        ("__builtins__", builtins),
        ("__file__", filename),
        ("__cached__", None),
    ]
    if sys.version_info >= (3, 14):
        names.remove(("__annotations__", {}))
    return dict(names)


def _exception_info(exc, prefixes):
    entries = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        prefix = prefixes.get(code.co_filename)
        if prefix is not None:
            # %s: tb_lineno is None for an instruction with no line (bytecode cases)
            entries.append("%s%s:%s" % (prefix, code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    try:
        message = str(exc)
    except BaseException:
        message = "<exception str() failed>"
    return {"type": type(exc).__name__, "message": message, "traceback": entries}


def _report_uncaught(exc, filename):
    """Write to the program's sys.stderr what `python main.py` would write."""
    if isinstance(exc, SystemExit):
        # Python/pythonrun.c handle_system_exit: None and ints only set the exit
        # status; anything else is printed (str) followed by a newline.
        code = exc.code
        if code is not None and not isinstance(code, int):
            try:
                sys.stderr.write(str(code) + "\n")
                sys.stderr.flush()
            except Exception:
                pass
        return
    # Drop the adapter's own leading frames (the exec call) from the traceback.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    hook = sys.excepthook
    try:
        if hook is sys.__excepthook__:
            # CPython's C printer reads source lines from disk, which would miss our
            # in-memory main.py; the traceback module prints the same text and reads
            # linecache, where the source is registered.
            traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        else:
            hook(type(exc), exc, tb)  # the program installed its own sys.excepthook
    except BaseException:
        # As CPython does when the hook fails: report that, then the original.
        try:
            sys.stderr.write("Error in sys.excepthook:\n")
            traceback.print_exc(file=sys.stderr)
            sys.stderr.write("\nOriginal exception was:\n")
            traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        except BaseException:
            pass
    try:
        sys.stderr.flush()
    except BaseException:
        pass


def _print_unraisable(u):
    """What CPython's default sys.unraisablehook prints, with source lines from linecache."""
    try:
        err = sys.stderr
        if u.object is not None:
            try:
                obj = repr(u.object)
            except BaseException:
                obj = "<object repr() failed>"
            err.write("%s: %s\n" % (u.err_msg or "Exception ignored in", obj))
        elif u.err_msg:
            err.write("%s\n" % u.err_msg)
        if u.exc_traceback is not None:
            err.write("Traceback (most recent call last):\n")
            if sys.version_info >= (3, 13):
                # 3.13's C traceback printer (used for unraisables) shows no carets.
                for summary in traceback.extract_tb(u.exc_traceback):
                    err.write('  File "%s", line %s, in %s\n' % (
                        summary.filename, summary.lineno, summary.name))
                    if summary.line:
                        err.write("    %s\n" % summary.line.strip())
            else:
                traceback.print_tb(u.exc_traceback, file=err)
        err.write("".join(traceback.format_exception_only(u.exc_type, u.exc_value)))
        err.flush()
    except BaseException:
        pass


def _register_source(filename, source):
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # mtime None: linecache.checkcache() keeps the entry (it is not a disk file).
    linecache.cache[filename] = (len(source), None, lines, filename)


def _finalize_main(module_dict):
    """What interpreter shutdown does to __main__, so __del__ output is observed.

    Python's _PyModule_ClearDict: names starting with one underscore are set to None
    first, then every other name except __builtins__.  Only where there is reference
    counting: PyPy neither clears __main__ nor runs the finalizers of live objects at
    exit, so `pypy main.py` shows no such output.
    """
    for key in list(module_dict):
        if isinstance(key, str) and key.startswith("_") and not key.startswith("__"):
            module_dict[key] = None
    for key in list(module_dict):
        if key != "__builtins__":
            module_dict[key] = None
    gc.collect()


class _CallbackRef(weakref.ref):
    """A weak reference that can carry the callable its callback should run."""


def _frameless_weakref(func):
    """Arrange for func() to be called from C with no Python frame below it.

    `python main.py` runs the module with no frame under it: the module frame's
    f_back is None, and tracebacks, inspect.stack() or a walk along f_back end there.
    A Python function that calls exec() would sit under it.  So the call is made by
    C code only: trigger() (list.clear, a C method) drops the last reference to an
    object; its weak reference's callback (operator.methodcaller, also C) looks up
    ref.go and calls it.  CPython reports an exception escaping a weakref callback,
    SystemExit included, to sys.unraisablehook with the exception and its traceback,
    and never lets it escape, which is how the program's uncaught exception is caught.

    Returns (trigger, callback, keepalive): the unraisable hook recognises this
    call by `callback`; `keepalive` must stay referenced until trigger() has run
    (a weak reference that died first would never call back).
    """
    referent = set()
    callback = operator.methodcaller("go")
    ref = _CallbackRef(referent, callback)
    ref.go = func
    holder = [referent]
    del referent
    return holder.clear, callback, (ref, holder)


def _frameless_finalizer(func):
    """The same through a finalizer, for RustPython, which drops an exception escaping a
    weakref callback but reports one escaping __del__ (SystemExit included).

    trigger() drops the only instance of a one-off class whose __del__ is a C callable:
    a static method wrapping a map iterator's __next__, which calls func once.  The
    unraisable report names the static method; its repr shows nothing of the program.
    """
    callback = staticmethod(map(operator.methodcaller("__call__"), [func]).__next__)
    kind = type("_FramelessCall", (object,), {"__del__": callback})
    holder = [kind()]
    return holder.clear, callback, (kind, holder)


def _probe_c_calls():
    """The first way of calling from C (see _run_program) that works here: an exception
    (SystemExit included) escaping the callable reaches sys.unraisablehook at once,
    naming the callback; None if neither does."""
    if not (HAVE_UNRAISABLEHOOK and REFCOUNTING):
        return None

    def fail():
        raise SystemExit(7)
    for frameless in (_frameless_weakref, _frameless_finalizer):
        seen = []
        previous = sys.unraisablehook
        sys.unraisablehook = lambda unraisable: seen.append(
            (unraisable.object, unraisable.exc_type))
        try:
            trigger, callback, keep = frameless(fail)
            trigger()
            del keep
        except Exception:
            continue
        finally:
            sys.unraisablehook = previous
        if any(obj is callback and kind is SystemExit for obj, kind in seen):
            return frameless
    return None


_frameless = _probe_c_calls()
# How the program gets a thread whose whole Python stack is its own (see _run_program):
# CPython calls it from C code only (_frameless); PyPy hides the adapter's driver
# function from frames and tracebacks (__pypy__.hidden_applevel, what PyPy's own
# pure-Python builtins use).  Anywhere else the module frame's f_back is the driver's.
FRAMELESS = "hidden" if _HIDE_FRAME is not None else \
    "c-calls" if _frameless is not None else "none"

_THREAD_STACK_SIZE = 32 * 1024 * 1024  # deep recursion must hit RecursionError, not the C stack
# While the program runs, the adapter's main thread blocks on a lock; it wakes up only
# to check that its parent is alive (an orphan is never waited for: see _wait_for).
# The first check comes late, so that no adapter code runs during an ordinary case (a
# program's own sys.monitoring tool would see it).
_FIRST_ORPHAN_CHECK_SECONDS = 30.0
_ORPHAN_CHECK_SECONDS = 1.0


def _driver(before, code, module_dict, after, outcome, done):
    """The program's thread where C-only calls are not possible (FRAMELESS != "c-calls"):
    the observer's set-up, the program, then `after` (report, atexit, tear-down).

    On PyPy this function is hidden from frames and tracebacks (below), so the module
    frame is the bottom of the program's stack there too; elsewhere it is one frame
    below the module frame (the difference is documented at the top).  It calls exec()
    itself: PyPy's exec() needs a Python caller, and functools.partial is Python code
    there (it would show up as a frame).
    """
    try:
        for step in before:
            step()
        try:
            exec(code, module_dict)
        except BaseException as exc:
            outcome["exception"] = exc
            del exc
        else:
            outcome["completed"] = True
        for step in after:
            try:
                step()
            except BaseException:
                pass
    finally:
        done.release()


if _HIDE_FRAME is not None:
    _driver = _HIDE_FRAME(_driver)


def _start_thread(function, args):
    """Start a thread with a stack deep enough for the recursion limit, where settable.

    Returns a handle to join where the interpreter has joinable threads (CPython 3.13,
    RustPython), else None: joining also notices a thread the interpreter itself lost
    (RustPython ends a thread whose VM panicked) instead of waiting for ever.
    """
    stack_size = getattr(_thread, "stack_size", None)
    old_size = None
    if stack_size is not None:
        try:
            old_size = stack_size()
            stack_size(_THREAD_STACK_SIZE)
        except Exception:  # ValueError, RuntimeError, or no such support
            old_size = None
    try:
        if _JOINABLE:
            return _thread.start_joinable_thread(functools.partial(function, *args))
        _thread.start_new_thread(function, args)
        return None
    finally:
        if old_size is not None:
            stack_size(old_size)


_JOINABLE = hasattr(_thread, "start_joinable_thread") and \
    hasattr(getattr(_thread, "_ThreadHandle", None), "is_done")


def _wait_for(done, handle):
    """Block until the program's thread releases `done` (or, joinable, ends); exit if
    orphaned meanwhile.

    A worker (or a case's child) whose parent died has nobody to answer: a harness that
    killed only the worker, not its process group, would otherwise leave a runaway
    program running for ever.
    """
    parent = os.getppid() if hasattr(os, "getppid") else None
    timeout = _FIRST_ORPHAN_CHECK_SECONDS
    while True:
        if handle is not None:
            handle.join(timeout)
            if handle.is_done():
                break
        elif done.acquire(True, timeout):
            return
        if parent is not None and os.getppid() != parent:
            os._exit(1)
        timeout = _ORPHAN_CHECK_SECONDS
    if not done.acquire(False):
        raise AdapterError("the program's thread ended without finishing its steps (the "
                           "interpreter lost it; its stderr may say why)")


def _run_program(code, module_dict, filename, source, observer, prefixes):
    """Run the compiled program as a script does; return the exception channel value.

    The program runs in a fresh thread whose whole Python stack is the program's.  On
    CPython the thread is started on a C function (collections.deque consuming
    map(call, steps)) and every step is a C callable, so no adapter frame is active
    while program code runs; the steps: the observer's set-up (sys.settrace before
    3.12, which is per thread), the program, the report of its uncaught exception
    (what Python prints at exit), atexit callbacks (what Python runs at exit), the
    observer's tear-down, and finally releasing the lock this thread waits on.
    Elsewhere _driver does the same steps from Python.
    """
    outcome = {}

    def report():
        exc = outcome.get("exception")
        if exc is not None:
            _register_source(filename, source)  # in case the program cleared linecache
            _report_uncaught(exc, filename)

    before, after = observer.thread_steps() if observer is not None else ([], [])
    done = _thread.allocate_lock()
    done.acquire()
    # The unraisable reports that are the adapter's own (see _frameless).
    program_callback, own_callbacks, keep = object(), (), None
    if FRAMELESS == "c-calls":
        run_program, program_callback, keep1 = _frameless(
            functools.partial(exec, code, module_dict))
        run_report, report_callback, keep2 = _frameless(report)
        # atexit failures are printed by atexit itself (3.8 also re-raises the last one).
        run_atexit, atexit_callback, keep3 = _frameless(atexit._run_exitfuncs)
        own_callbacks = (report_callback, atexit_callback)
        keep = (keep1, keep2, keep3)

        def program_completed():
            outcome["completed"] = True

        steps = before + [run_program, program_completed, run_report, run_atexit] + after + \
            [done.release]
        start = (functools.partial(collections.deque,
                                   map(operator.methodcaller("__call__"), steps), 0), ())
    else:
        start = (_driver, (before, code, module_dict,
                           [report, atexit._run_exitfuncs] + after, outcome, done))

    if HAVE_UNRAISABLEHOOK:
        previous_hook = sys.unraisablehook

        def unraisable_hook(unraisable):
            if unraisable.object is program_callback:
                outcome["exception"] = unraisable.exc_value
            elif any(unraisable.object is own for own in own_callbacks):
                pass
            elif previous_hook is sys.__unraisablehook__:
                # Something the program did, e.g. an exception in __del__.  The default
                # hook reads source lines from disk, so print its text ourselves.
                _print_unraisable(unraisable)
            else:
                previous_hook(unraisable)
        sys.unraisablehook = unraisable_hook

    _wait_for(done, _start_thread(*start))
    del keep
    exc = outcome.get("exception")
    if exc is None:
        if not outcome.get("completed"):
            raise AdapterError("the program's uncaught exception was not observed "
                               "(did it replace sys.unraisablehook?)")
        return None
    info = _exception_info(exc, prefixes)
    outcome.clear()  # drop the traceback (and its frames) before finalizing
    return info


def _installs_tracer(code):
    """Whether the program names sys.settrace or sys.setprofile anywhere in its code."""
    if {"settrace", "setprofile"} & set(code.co_names):
        return True
    return any(_installs_tracer(c) for c in code.co_consts if hasattr(c, "co_names"))


_ADAPTER_DIR = os.path.dirname(os.path.abspath(__file__))
_program_dirs_made = [0]


def module_path_problem(path):
    """Why `path` cannot name a module file of the program's directory (INTERPRETING.md
    section 1 `modules`), or None."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        return "must be a relative path of plain names separated by '/'"
    if len(parts[-1]) <= 3 or not path.endswith(".py") or path == DEFAULT_FILENAME:
        return "must name a .py file other than main.py"
    return None


def _make_program_dir(filename, source, modules):
    """The program's directory (INTERPRETING.md section 2): a fresh directory holding
    main.py and the case's modules, as `python main.py` finds them in sys.path[0]; it is
    the working directory while the program runs.
    Returns (its path, co_filename -> channel prefix of each module file)."""
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        _program_dirs_made[0] += 1
        path = os.path.join(base, "framespec-%d-%d" % (os.getpid(), _program_dirs_made[0]))
        try:
            os.mkdir(path, 0o700)
            break
        except FileExistsError:
            continue
    prefixes = {}
    for rel, text in sorted(modules.items()) + [(filename, source)]:
        full = os.path.join(path, *rel.split("/"))
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        with open(full, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if rel != filename:
            prefixes[full] = rel + ":"
    return path, prefixes


def _remove_program_dir(path):
    """Remove the directory, the modules imported from it and its path finders (only a
    worker that runs every case in its own process needs the last two)."""
    inside = path + os.sep
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(inside):
            del sys.modules[name]
    for entry in list(sys.path_importer_cache):
        if isinstance(entry, str) and (entry == path or entry.startswith(inside)):
            del sys.path_importer_cache[entry]
    for root, dirs, files in os.walk(path, topdown=False):
        for name in files:
            os.unlink(os.path.join(root, name))
        for name in dirs:
            os.rmdir(os.path.join(root, name))
    os.rmdir(path)


def _module_installs_tracer(path, source):
    try:
        return _installs_tracer(compile(source, path, "exec", dont_inherit=True))
    except Exception:  # a module that does not compile installs nothing
        return False


def run_case(source, filename=DEFAULT_FILENAME, trace=False, snapshot_lines=None,
             observer_kind="auto", modules=None, internals=False, bytecode=None):
    """Run one program; return the answer fields (without id).

    With `bytecode` (the marshal data of a CPython 3.12 module code object, from a case's
    bytecode listing: spec/BYTECODE.md), that code object runs in place of compiling
    `source` (which is then empty); anything but CPython 3.12 answers not_applicable.

    With `internals`, each snapshot also records the chain's interpreter frames
    (spec/INTERNALS.md): the answer's "internals" is a list of {"line", "frames"}, or
    null where the channel does not apply (not CPython 3.12).

    With `modules` (relative path -> source), main.py and they are written into a fresh
    directory that is sys.path[0] while the program runs (see _make_program_dir).

    The interpreter state is restored afterwards even in a forked child that exits
    after answering: the adapter's own code that builds the answer needs its builtins.
    """
    observed = bool(trace or snapshot_lines)
    if bytecode is not None and not (sys.implementation.name == "cpython"
                                     and sys.version_info[:2] == (3, 12)):
        return {"status": "not_applicable",
                "detail": "a bytecode case is a CPython 3.12 code object; this is %s %s"
                          % (sys.implementation.name, sys.version.split()[0])}
    if observer_kind == "auto":
        observer_kind = "monitoring" if MONITORING_OBSERVER else "settrace"
    if observer_kind == "monitoring" and not HAVE_MONITORING:
        raise AdapterError("sys.monitoring needs CPython 3.12 or later")
    if observer_kind not in ("monitoring", "settrace"):
        raise AdapterError("unknown observer %r" % (observer_kind,))
    if observed and observer_kind == "settrace" and not HAVE_SETTRACE:
        return {"status": "not_applicable",
                "detail": "%s cannot observe the trace and snapshot channels: it has neither "
                          "sys.monitoring nor a working sys.settrace" % sys.implementation.name}

    saved = _SavedState()
    out = _capture_stream("strict")
    err = _capture_stream("backslashreplace")
    stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    main_module = type(sys)("__main__")
    module_dict = main_module.__dict__
    module_dict.clear()
    module_dict.update(_script_globals(filename))

    exception = None
    observer = None
    internal = None
    not_applicable = None
    program_dir = None
    prefixes = {filename: ""}
    try:
        if modules:
            program_dir, module_prefixes = _make_program_dir(filename, source, modules)
            prefixes.update(module_prefixes)
            # `python main.py`: the script's directory is sys.path[0] (here in place of
            # the adapter's own), and no __pycache__ is left behind.
            if sys.path and sys.path[0] == _ADAPTER_DIR:
                sys.path[0] = program_dir
            else:
                sys.path.insert(0, program_dir)
            sys.dont_write_bytecode = True
            os.chdir(program_dir)  # and the working directory, as for `cd DIR; python main.py`
        _register_source(filename, source)
        sys.stdin = sys.__stdin__ = stdin
        sys.stdout = sys.__stdout__ = out
        sys.stderr = sys.__stderr__ = err
        sys.argv = [filename]
        sys.modules["__main__"] = main_module
        try:
            if bytecode is not None:
                code = marshal.loads(bytecode)
            else:
                code = compile(source, filename, "exec", dont_inherit=True)
        except BaseException as exc:  # SyntaxError (or ValueError for NUL bytes before 3.12)
            exception = _exception_info(exc, prefixes)
            exception["traceback"] = []
            traceback.print_exception(type(exc), exc, None, file=sys.stderr)
            code = None
        if code is not None:
            if observed:
                if observer_kind == "settrace" and (
                        _installs_tracer(code) or
                        any(_module_installs_tracer(m, t) for m, t in (modules or {}).items())):
                    # The settrace observer shares the one trace hook with the program,
                    # which would silently replace it: refuse rather than record a
                    # half-observed trace.
                    raise NotApplicable(
                        "the trace and snapshot channels are observed through sys.settrace "
                        "here, and this program installs its own trace or profile function "
                        "(observing it needs sys.monitoring, CPython 3.12+)")
                reader = None
                if internals and HAVE_INTERNALS:
                    if observer_kind != "monitoring":
                        # A settrace tracer is handed a frame object for every call, so
                        # every frame_obj would read as set.
                        raise NotApplicable("the internals channel is observed through "
                                            "sys.monitoring only")
                    reader = framespec_internals.read_chain
                cls = MonitoringObserver if observer_kind == "monitoring" else SettraceObserver
                observer = cls(prefixes, code, trace, snapshot_lines, reader)
                observer.start()
            try:
                exception = _run_program(code, module_dict, filename, source, observer,
                                         prefixes)
            finally:
                if observer is not None:
                    observer.stop()
            if REFCOUNTING:
                _finalize_main(module_dict)
    except NotApplicable as exc:
        not_applicable = str(exc)
    except AdapterError as exc:
        internal = str(exc)
    except BaseException:
        internal = "adapter failure: " + traceback.format_exc()
    finally:
        try:
            saved.restore()
        except BaseException:
            if internal is None:
                internal = "restoring interpreter state failed: " + traceback.format_exc()
        linecache.cache.pop(filename, None)
        if program_dir is not None:
            try:
                _remove_program_dir(program_dir)
            except BaseException:
                if internal is None:
                    internal = "removing the program's directory failed: " + \
                        traceback.format_exc()
        if observer is not None and isinstance(observer, MonitoringObserver):
            try:
                observer.stop()
            except BaseException:
                pass

    if internal is None and observer is not None and observer.error is not None:
        internal = observer.error
    if internal is not None:
        return {"status": "error", "detail": internal}
    if not_applicable is not None:
        return {"status": "not_applicable", "detail": not_applicable}
    answer = {
        "status": "ok",
        "stdout": _captured_text(out),
        "stderr": _captured_text(err),
        "exception": exception,
        "trace": observer.events if (observer is not None and trace) else None,
        "snapshots": "".join(observer.snapshots) if (observer is not None and snapshot_lines)
        else None,
    }
    if internals:  # the key is only present when asked for: older runners never see it
        if not HAVE_INTERNALS:
            answer["internals"] = None
        elif observer is None:  # no snapshot lines: no snapshot, no record
            answer["internals"] = []
        else:
            answer["internals"] = observer.internals
    return answer


# ---------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------

def parse_request(line):
    """A request line -> (id, run_case arguments, None), or (id, None, error answer)."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        return None, None, {"id": None, "status": "error", "detail": "malformed request: %s" % exc}
    if not isinstance(request, dict):
        return None, None, {"id": None, "status": "error",
                            "detail": "a request must be a JSON object"}
    request_id = request.get("id")
    source = request.get("source")
    filename = request.get("filename") or DEFAULT_FILENAME
    trace = request.get("trace") or False
    snapshot_lines = request.get("snapshot_lines") or []
    observer = request.get("observer") or "auto"
    modules = request.get("modules") or {}
    internals = request.get("internals") or False
    bytecode = request.get("bytecode")
    problems = []
    if bytecode is not None:
        try:
            bytecode = bytes.fromhex(bytecode)
        except (TypeError, ValueError):
            problems.append("'bytecode' must be hex digits (marshal data)")
    if not isinstance(source, str):
        problems.append("'source' must be a string")
    if not isinstance(filename, str):
        problems.append("'filename' must be a string")
    if not isinstance(trace, bool):
        problems.append("'trace' must be a boolean")
    if not isinstance(internals, bool):
        problems.append("'internals' must be a boolean")
    elif internals and trace:
        # Tracing hands every frame's frame object to the observer (spec/INTERNALS.md
        # section 5), which would make frame_obj true everywhere.
        problems.append("'internals' cannot be combined with 'trace'")
    if not isinstance(snapshot_lines, list) or not all(type(n) is int for n in snapshot_lines):
        problems.append("'snapshot_lines' must be a list of integers")
    if not isinstance(modules, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in modules.items()):
        problems.append("'modules' must map paths to sources (strings)")
    else:
        for path in sorted(modules):
            why = module_path_problem(path)
            if why is not None:
                problems.append("module path %r %s" % (path, why))
    if problems:
        return request_id, None, {"id": request_id, "status": "error",
                                  "detail": "; ".join(problems)}
    return request_id, (source, filename, trace, snapshot_lines, observer, modules,
                        internals, bytecode), None


def answer_request(request_id, arguments):
    """Run a parsed request -> its answer object.  Never raises."""
    try:
        answer = {"id": request_id}
        answer.update(run_case(*arguments))
        return answer
    except BaseException:
        return {"id": request_id, "status": "error",
                "detail": "adapter failure: " + traceback.format_exc()}


def handle_request(line):
    """One request line -> one answer object, run in this process.  Never raises."""
    request_id = None
    try:
        request_id, arguments, error = parse_request(line)
        if error is not None:
            return error
        return answer_request(request_id, arguments)
    except BaseException:
        return {"id": request_id, "status": "error",
                "detail": "adapter failure: " + traceback.format_exc()}


def _clean(value):
    """Make every string valid UTF-8 (a lone surrogate would break a strict JSON reader)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def encode_answer(answer):
    """An answer object -> its protocol line, as bytes."""
    try:
        return (_json_dumps(_clean(answer)) + "\n").encode("utf-8")
    except BaseException:
        request_id = answer.get("id") if isinstance(answer, dict) else None
        return (_json_dumps({"id": _clean(request_id) if isinstance(request_id, str) else None,
                            "status": "error",
                            "detail": "unencodable answer: " + traceback.format_exc()})
                + "\n").encode("utf-8")


def _flush_std_streams():
    """Flush Python-level buffers, so a forked child does not write them a second time."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _claim_protocol_streams():
    """Take fds 0 and 1 for the protocol and point the originals at /dev/null.

    Whatever a program does (print to sys.__stdout__, os.write(1, ...), input(),
    os.read(0, ...)) can then neither corrupt an answer nor swallow a request.
    """
    _flush_std_streams()
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    return proto_in, proto_out


# ---------------------------------------------------------------------------
# Hermetic runs: one forked child per request
# ---------------------------------------------------------------------------

def answer_in_child(request_id, arguments, protocol_fds):
    """Run a parsed request in a forked child; return its answer line (bytes).

    The child starts from this process's state (everything imported, nothing run), so
    what a program leaves behind (sys.monitoring instrumentation, a patched module, a
    thread) dies with it.  The child writes its answer line into a pipe and leaves with
    os._exit (no atexit, no flushing of buffers it inherited).  A child that dies
    without a complete line gets an error answer naming how it died.  The child stays
    in this process's group: the harness kills the group on timeout.
    """
    _flush_std_streams()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except BaseException as exc:  # OSError (EAGAIN, ENOMEM), or a refusing runtime
        os.close(read_fd)
        os.close(write_fd)
        return encode_answer({"id": request_id, "status": "error",
                              "detail": "cannot fork a process for the case: %r" % (exc,)})
    if pid == 0:
        _child(request_id, arguments, read_fd, write_fd, protocol_fds)  # never returns
    os.close(write_fd)
    try:
        line = _read_line(read_fd)
    finally:
        os.close(read_fd)
    status = _reap(pid)
    if line.endswith(b"\n"):
        return line
    return encode_answer({"id": request_id, "status": "error",
                          "detail": "the case's process died (%s) without an answer"
                                    % _describe_status(status)})


def _child(request_id, arguments, read_fd, write_fd, protocol_fds):
    code = 70  # EX_SOFTWARE: the adapter failed in the child (traceback on stderr)
    try:
        me = os.getpid()
        os.close(read_fd)
        for fd in protocol_fds:
            os.close(fd)
        line = encode_answer(answer_request(request_id, arguments))
        # A process the program forked returns here too: only this child answers.
        if os.getpid() == me:
            while line:
                line = line[os.write(write_fd, line):]
            code = 0
    except BaseException:
        try:
            traceback.print_exc(file=sys.__stderr__)
        except BaseException:
            pass
    finally:
        os._exit(code)


def _read_line(fd):
    """Bytes from fd up to the first newline (included) or end of file."""
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        if b"\n" in chunk:
            break
    data = b"".join(chunks)
    end = data.find(b"\n")
    return data if end < 0 else data[:end + 1]


def _reap(pid):
    """Wait for the child; its wait status, or None if it cannot be had."""
    try:
        return os.waitpid(pid, 0)[1]
    except OSError:
        return None


def _describe_status(status):
    if status is None:
        return "status unknown"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return "signal %d, %s" % (number, signal.Signals(number).name)
        except Exception:
            return "signal %d" % number
    if os.WIFEXITED(status):
        return "exit %d" % os.WEXITSTATUS(status)
    return "wait status %d" % status


def serve():
    """Worker mode: the handshake, then one answer per request until end of input."""
    proto_in, proto_out = _claim_protocol_streams()
    hermetic = os.environ.get("FRAMESPEC_ADAPTER_FORK") != "0" and _fork_works()
    protocol_fds = (proto_in.fileno(), proto_out.fileno())
    proto_out.write(encode_answer(handshake(hermetic)))
    proto_out.flush()
    while True:
        raw = proto_in.readline()
        if not raw:
            return 0  # EOF: the harness is done with us
        request_id = None
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                answer = encode_answer({"id": None, "status": "error",
                                        "detail": "request is not UTF-8: %s" % exc})
            else:
                if not line.strip():
                    continue  # a blank line is not a request
                request_id, arguments, error = parse_request(line)
                if error is not None:
                    answer = encode_answer(error)
                elif hermetic:
                    answer = answer_in_child(request_id, arguments, protocol_fds)
                else:
                    answer = encode_answer(answer_request(request_id, arguments))
        except BaseException:
            answer = encode_answer({"id": request_id, "status": "error",
                                    "detail": "adapter failure: " + traceback.format_exc()})
        proto_out.write(answer)
        proto_out.flush()


def _usage():
    return ("usage: framespec_adapter.py                      (worker: JSON lines on stdin)\n"
            "       framespec_adapter.py --run FILE.py [--trace] [--snapshot-lines 3,5]"
            " [--observer monitoring|settrace] [--module REL.py=FILE ...]\n")


def main(argv):
    if not argv:
        return serve()
    path, trace, snapshot_lines, observer, modules = None, False, [], "auto", {}
    args = list(argv)
    try:
        while args:
            arg = args.pop(0)
            if arg == "--run":
                path = args.pop(0)
            elif arg == "--trace":
                trace = True
            elif arg == "--snapshot-lines":
                snapshot_lines = [int(n) for n in args.pop(0).split(",") if n.strip()]
            elif arg == "--observer":
                observer = args.pop(0)
            elif arg == "--module":
                rel, equals, module_file = args.pop(0).partition("=")
                if not equals:
                    raise ValueError("--module needs REL.py=FILE")
                with open(module_file, encoding="utf-8") as f:
                    modules[rel] = f.read()
            elif arg in ("-h", "--help"):
                sys.stdout.write(_usage())
                return 0
            else:
                raise ValueError("unknown argument %r" % arg)
        if path is None:
            raise ValueError("--run FILE.py is required")
    except (IndexError, ValueError) as exc:
        sys.stderr.write("%s\n%s" % (exc, _usage()))
        return 2
    with open(path, encoding="utf-8") as f:
        source = f.read()
    _, proto_out = _claim_protocol_streams()
    request = {"id": path, "source": source, "filename": DEFAULT_FILENAME,
               "trace": trace, "snapshot_lines": snapshot_lines, "observer": observer,
               "modules": modules}
    answer = handle_request(json.dumps(request))
    proto_out.write(json.dumps(_clean(answer), indent=2).encode("utf-8") + b"\n")
    proto_out.flush()
    return 0 if answer.get("status") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
