"""Records the `trace` and `snapshots` channels (spec/INTERPRETING.md §3) on CPython 3.12
with sys.settrace, for programs that do not install a trace function themselves.

Usage: python3.12 observe.py SNAPSHOT_LINES < main.py   (SNAPSHOT_LINES: "3,5" or "")
Prints JSON {"trace": [...], "snapshots": "..."}.
"""
import io
import json
import sys

FILENAME = "main.py"


def snap_repr(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return repr(v)
    if type(v) is list:
        return "[" + ", ".join(snap_repr(x) for x in v) + "]"
    if type(v) is tuple:
        if len(v) == 1:
            return "(" + snap_repr(v[0]) + ",)"
        return "(" + ", ".join(snap_repr(x) for x in v) + ")"
    if type(v) is dict:
        return "{" + ", ".join(snap_repr(k) + ": " + snap_repr(x) for k, x in v.items()) + "}"
    if type(v) is set:
        return "{" + ", ".join(snap_repr(x) for x in v) + "}" if v else "set()"
    return "<" + type(v).__name__ + ">"


def main():
    lines = {int(x) for x in sys.argv[1].split(",") if x} if len(sys.argv) > 1 else set()
    source = sys.stdin.read()
    events = []
    snaps = []

    def snapshot(frame, line):
        out = [f"@{line}"]
        f = frame
        while f is not None:
            if f.f_code.co_filename == FILENAME:
                lineno = line if f is frame else f.f_lineno
                text = f"  {f.f_code.co_name}:{lineno}"
                is_module = f.f_code.co_name == "<module>" and f.f_locals is f.f_globals
                if not is_module:
                    for k, v in f.f_locals.items():
                        if k.startswith("__") and k.endswith("__"):
                            continue
                        text += f" {k}={snap_repr(v)}"
                out.append(text)
                if is_module:
                    break
            f = f.f_back
        snaps.append("\n".join(out) + "\n")

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None
        entry = f"{event} {frame.f_code.co_name}:{frame.f_lineno}"
        if event == "exception":
            entry += " " + arg[0].__name__
        events.append(entry)
        if event == "line" and frame.f_lineno in lines and len(snaps) < 50:
            snapshot(frame, frame.f_lineno)
        return tracer

    code = compile(source, FILENAME, "exec")
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()
    sys.settrace(tracer)
    try:
        exec(code, {"__name__": "__main__"})
    except BaseException:
        pass
    finally:
        sys.settrace(None)
        sys.stdout = real_stdout
    json.dump({"trace": events, "snapshots": "".join(snaps)}, sys.stdout)


main()
