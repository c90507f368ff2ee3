//! Printing an uncaught exception exactly as CPython 3.12's default excepthook does
//! (Python/traceback.c, Lib/traceback.py): chained exceptions first, `File` lines, the
//! source line, PEP 657 carets where 3.12 prints them, then `TYPE: message`.
//! spec: exceptions.uncaught, exceptions.traceback.chain

use crate::{CompileError, CompileWarning};

use super::argspec::{required, Spec, Style};
use super::interp::Vm;
use super::object::{Args, Traceback, Value};
use super::PyResult;

pub fn format_exception(vm: &mut Vm, exc: &Value) -> PyResult<String> {
    if exc.exc().is_none() {
        // `print_exception_invalid_type`: the value's `tp_name`.
        let n = vm.type_of(exc).name().clone();
        return Ok(format!(
            "TypeError: print_exception(): Exception expected for value, {n} found\n"
        ));
    }
    super::tbgroup::format(vm, exc)
}

/// `PyTraceBack_LIMIT`: the entries printed when sys.tracebacklimit is not an int.
const TRACEBACK_LIMIT: i64 = 1000;

/// `_PyTraceBack_Print_Indented`'s limit: the last sys.tracebacklimit entries (an int,
/// bool included; a big one is no limit), 1000 when it is unset or no int; `None` when it
/// is 0 or less, which prints neither the header nor any entry.
pub(super) fn entry_limit(vm: &Vm) -> Option<usize> {
    let v = super::sysmod::sys_attr(vm, "tracebacklimit");
    let limit = super::int::clamped_index(v.builtin_value()).unwrap_or(TRACEBACK_LIMIT);
    usize::try_from(limit).ok().filter(|&n| n > 0)
}

/// The `File` lines of `exc`'s traceback (`tb_printinternal`), without the header: at
/// most the last `limit` entries.
pub(super) fn stack(vm: &mut Vm, exc: &Value, limit: usize) -> Vec<Piece> {
    let tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    stack_pieces(vm, tb, limit)
}

/// The `File` lines of the traceback `tb` and those after it, as one text.
pub(super) fn stack_from(vm: &mut Vm, tb: Value) -> String {
    let limit = TRACEBACK_LIMIT as usize;
    stack_pieces(vm, tb, limit)
        .into_iter()
        .map(|p| match p {
            Piece::Margined(s) | Piece::Raw(s) => s,
        })
        .collect()
}

/// `PyTraceBack_Print(tb, file)`'s text: the header and the entries as an uncaught
/// exception's report shows them (sys.tracebacklimit included), without a margin.
pub fn print_tb_text(vm: &mut Vm, tb: Value) -> String {
    let Some(limit) = entry_limit(vm) else {
        return String::new();
    };
    let mut text = String::from("Traceback (most recent call last):\n");
    for p in stack_pieces(vm, tb, limit) {
        match p {
            Piece::Margined(s) | Piece::Raw(s) => text.push_str(&s),
        }
    }
    text
}

/// A piece of a report, for the margin of a group's sub-exceptions.
pub(super) enum Piece {
    /// Text after the margin (`_Py_WriteIndentedMargin` then the text).
    Margined(String),
    /// Text written as it is (`[Previous line repeated ...]`, a note's newline).
    Raw(String),
}

fn stack_pieces(vm: &mut Vm, tb: Value, limit: usize) -> Vec<Piece> {
    let mut entries = Vec::new();
    let mut tb = tb;
    while let Value::Traceback(t) = tb {
        tb = t.tb_next.borrow().clone();
        entries.push(t);
    }
    let skip = entries.len().saturating_sub(limit);
    let mut out = Vec::new();
    // Runs of entries with the same file name, line and function name beyond three are
    // folded (`TB_RECURSIVE_CUTOFF`); an entry without a line starts a new run.
    let mut last: Option<(std::rc::Rc<str>, u32, std::rc::Rc<str>)> = None;
    let mut repeats = 0usize;
    for t in entries.into_iter().skip(skip) {
        let info = vm.with_frame(&t.tb_frame, |f| f.info.clone());
        let Some(info) = info else { continue };
        let code = &info.code;
        let key = t
            .tb_lineno
            .map(|l| (code.co_filename.clone(), l, code.co_name.clone()));
        if key.is_some() && last == key {
            repeats += 1;
        } else {
            flush_repeats(&mut out, repeats);
            last = key;
            repeats = 1;
        }
        if repeats > 3 {
            continue;
        }
        let mut text = String::new();
        let out_text = &mut text;
        let line = t
            .tb_lineno
            .map(|l| l.to_string())
            .unwrap_or_else(|| "None".into());
        out_text.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            code.co_filename, line, code.co_name
        ));
        if let Some(l) = t.tb_lineno {
            let program_lines =
                crate::runtime::modules::posix::scratchfs::lines(vm, &code.co_filename)
                    .or_else(|| vm.program.as_ref().and_then(|p| p.lines(&code.co_filename)));
            let source = if *code.co_filename == *vm.filename {
                vm.source_lines.get(l as usize - 1).cloned()
            } else if let Some(lines) = program_lines {
                // A module of the program's directory (`runtime::program`).
                (l as usize)
                    .checked_sub(1)
                    .and_then(|i| lines.get(i))
                    .cloned()
            } else {
                file_line(&code.co_filename, l)
            };
            // `_Py_DisplaySourceLine`: the line without its indentation (a blank
            // line too), its trailing blanks kept.
            if let Some(src) = source {
                let shown = super::carets::strip_indent(&src);
                out_text.push_str(&format!("    {shown}\n"));
                let pos = match usize::try_from(t.tb_lasti).map(|b| b / 2) {
                    Ok(unit) => code.positions().get(unit).copied().unwrap_or_default(),
                    // `PyCode_Addr2Location` of a negative offset: the first line,
                    // columns 0 to 0.
                    Err(_) => crate::code::Position {
                        line: Some(code.co_firstlineno),
                        end_line: Some(code.co_firstlineno),
                        col: Some(0),
                        end_col: Some(0),
                    },
                };
                // `tb_displayline` takes the columns of `tb_lasti`'s instruction
                // whatever its line; only a traceback made by TracebackType(...) can
                // have a line of its own.
                let pos = match pos.line {
                    Some(_) if t.made => crate::code::Position {
                        line: Some(l),
                        // Still one line, or still several.
                        end_line: pos.end_line.map(|e| {
                            if Some(e) == pos.line {
                                l
                            } else {
                                l.saturating_add(1)
                            }
                        }),
                        ..pos
                    },
                    _ => pos,
                };
                if let Some(carets) = super::carets::caret_line(&src, l, pos) {
                    out_text.push_str(&carets);
                }
            }
        }
        for line in text.split_inclusive('\n') {
            out.push(Piece::Margined(line.to_owned()));
        }
    }
    flush_repeats(&mut out, repeats);
    out
}

thread_local! {
    /// The lines of the files tracebacks have shown, read once per thread.
    static FILE_LINES: std::cell::RefCell<std::collections::HashMap<String, Option<std::rc::Rc<Vec<String>>>>> =
        Default::default();
}

/// Line `lineno` (from 1) of file `filename` as `_Py_DisplaySourceLine` reads it: the
/// file opened by its name (an absolute path: the standard library, a module imported
/// from a file), nothing when it cannot be read (`<string>`). Reading is the access the
/// sandbox allows. A file that is not UTF-8 (a coding cookie) shows no line here.
fn file_line(filename: &str, lineno: u32) -> Option<String> {
    if !filename.starts_with('/') {
        return None;
    }
    let lines = FILE_LINES.with(|c| {
        c.borrow_mut()
            .entry(filename.to_owned())
            .or_insert_with(|| {
                std::fs::read_to_string(filename)
                    .ok()
                    .map(|t| std::rc::Rc::new(t.lines().map(str::to_owned).collect()))
            })
            .clone()
    })?;
    lines
        .get(usize::try_from(lineno).ok()?.checked_sub(1)?)
        .cloned()
}

fn flush_repeats(out: &mut Vec<Piece>, repeats: usize) {
    if repeats > 3 {
        let n = repeats - 3;
        out.push(Piece::Raw(format!(
            "  [Previous line repeated {} more time{}]\n",
            n,
            if n == 1 { "" } else { "s" }
        )));
    }
}

/// What follows an exception's traceback (`print_exception` after
/// `print_exception_traceback`), in the pieces the margin of a group's report goes with.
pub(super) struct LastLines {
    /// A SyntaxError's location, text and carets: the `File` line gets the margin.
    pub head: String,
    /// `TYPE: message` and the suggestion, with its newline: the margin once, before it
    /// (a message's own later lines get none).
    pub line: String,
    /// The notes.
    pub notes: Vec<Piece>,
}

/// The last line: `TYPE: message`, or `TYPE` alone for an empty message, then the
/// "Did you mean" hint (after an empty message too), then the notes.
pub(super) fn exception_only(vm: &mut Vm, exc: &Value) -> PyResult<LastLines> {
    let t = vm.type_of(exc);
    // print_exception: `__module__` and `__qualname__`, the module left out for
    // __main__ and builtins, `<unknown>` when it is not a str.
    let name = match t.module_str() {
        _ if t.is_builtin() => t.qualname.borrow().to_string(),
        Some(m) if &*m == "__main__" || &*m == "builtins" => t.qualname.borrow().to_string(),
        Some(m) => format!("{m}.{}", t.qualname.borrow()),
        None => format!("<unknown>.{}", t.qualname.borrow()),
    };
    // The notes are looked up before the message is formatted.
    let notes = notes_of(vm, exc)?;
    // A SyntaxError prints its location, text and carets, then its `msg` alone.
    let (head, shown) = match super::syntaxerror::is_syntax_error(vm, exc) {
        true => match super::syntaxerror::report(vm, exc) {
            Ok(Some((head, msg))) => (head, msg),
            _ => (String::new(), exc.clone()),
        },
        false => (String::new(), exc.clone()),
    };
    let msg = vm
        .str_of(&shown)
        .unwrap_or_else(|_| "<exception str() failed>".into());
    let suggestion = super::suggestions::offer(vm, exc)?;
    let line = if msg.is_empty() {
        format!("{name}{suggestion}\n")
    } else {
        format!("{name}: {msg}{suggestion}\n")
    };
    Ok(LastLines { head, line, notes })
}

/// `print_exception_notes` of the `__notes__` attribute: a sequence (but no str or
/// bytes) gives each item's str() a line at a time, any other value its repr().
fn notes_of(vm: &mut Vm, exc: &Value) -> PyResult<Vec<Piece>> {
    let notes = match vm.getattr(exc, "__notes__") {
        Ok(n) => n,
        Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
            return Ok(Vec::new())
        }
        Err(super::Throw::Exc(_) | super::Throw::Reraise(_)) => {
            return Err(vm.unsupported("printing an exception whose __notes__ lookup raises"))
        }
        Err(other) => return Err(other),
    };
    let mut out = Vec::new();
    let sequence = match &notes {
        Value::Str(_) | Value::Bytes(_) => None,
        Value::List(l) => Some(l.items.borrow().clone()),
        Value::Tuple(t) => Some(t.to_vec()),
        _ if vm.type_of(&notes).is_subtype(&vm.ty("str"))
            || vm.type_of(&notes).is_subtype(&vm.ty("bytes")) =>
        {
            None
        }
        // `PySequence_Check`: a class with `__getitem__` that is no dict.
        _ if vm.special(&notes, "__getitem__").is_some()
            && !vm.type_of(&notes).is_subtype(&vm.ty("dict")) =>
        {
            return Err(vm.unsupported("printing __notes__ that are a sequence of another type"));
        }
        _ => None,
    };
    let Some(items) = sequence else {
        let text = match vm.repr(&notes) {
            Ok(r) => r,
            Err(super::Throw::Exc(_) | super::Throw::Reraise(_)) => {
                "<__notes__ repr() failed>".into()
            }
            Err(other) => return Err(other),
        };
        out.push(Piece::Margined(text));
        out.push(Piece::Raw("\n".into()));
        return Ok(out);
    };
    for note in items {
        match vm.str_of(&note) {
            Ok(text) => {
                // `PyUnicode_Splitlines(note, keepends=1)`, str.splitlines itself.
                let split = vm.getattr(&Value::str(&text), "splitlines")?;
                let lines = vm.call1(&split, Value::Bool(true))?;
                for line in vm.collect(&lines)? {
                    if let Value::Str(l) = line {
                        out.push(Piece::Margined(l.to_string()));
                    }
                }
            }
            Err(super::Throw::Exc(_) | super::Throw::Reraise(_)) => {
                out.push(Piece::Margined("<note str() failed>".into()))
            }
            Err(other) => return Err(other),
        }
        out.push(Piece::Raw("\n".into()));
    }
    Ok(out)
}

/// The SyntaxWarnings of compiling the main module as `warnings.showwarning` writes
/// them (`formatwarning`: `file:line: category: message`, then the stripped source line).
pub fn syntax_warnings_text(filename: &str, source: &str, warnings: &[CompileWarning]) -> String {
    let mut out = String::new();
    // The DeprecationWarning of folding `~True` has no Python frame to blame when the main
    // module compiles: CPython warns as module `sys`, line 1, which the default filters
    // ignore (only `__main__`'s DeprecationWarnings are shown).
    for w in warnings.iter().filter(|w| !w.deprecation) {
        out.push_str(&format!(
            "{filename}:{}: SyntaxWarning: {}\n",
            w.line, w.message
        ));
        let line = source
            .lines()
            .nth(w.line.saturating_sub(1) as usize)
            .unwrap_or("");
        let line = line.trim();
        if !line.is_empty() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

/// CPython's report for a SyntaxError raised while compiling the main module.
pub fn syntax_error_text(filename: &str, source: &str, e: &CompileError) -> String {
    let mut out = format!("  File \"{}\", line {}\n", filename, e.line);
    if let Some(src) = source.lines().nth(e.line.saturating_sub(1) as usize) {
        let trimmed = src.trim_start();
        let indent = src.len() - trimmed.len();
        // print_error_text: the line without its indentation, then carets from the
        // offset to the end offset (to the end of the line when the error spans lines).
        let text = trimmed;
        if !text.trim_end().is_empty() {
            out.push_str(&format!("    {text}\n"));
            // No caret when it would point into the stripped indentation, or before
            // the line (CPython's offset 0 for a DEDENT).
            if e.column == 0 || (e.column as usize - 1) < indent {
                out.push_str(&format!("{}: {}\n", e.class_name(), e.message));
                return out;
            }
            let col = (e.column as usize).saturating_sub(1).saturating_sub(indent);
            let end = if e.end_line > e.line {
                src.len() + 1
            } else {
                // No end offset, or CPython's 0 or -1: one caret (print_error_text).
                e.end_column
                    .and_then(|c| usize::try_from(c).ok())
                    .unwrap_or(0)
            };
            let carets = end.saturating_sub(e.column as usize).max(1);
            out.push_str(&format!("    {}{}\n", " ".repeat(col), "^".repeat(carets)));
        }
    }
    out.push_str(&format!("{}: {}\n", e.class_name(), e.message));
    out
}

/// `types.TracebackType(tb_next, tb_frame, tb_lasti, tb_lineno)` (Python/traceback.c
/// `tb_new`): the frame, then the two C ints are converted first (Argument Clinic), then
/// `tb_next` is checked.
pub fn new(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let [next, frame, lasti, lineno] = Spec::function(
        "TracebackType",
        Style::Keywords,
        &["tb_next", "tb_frame", "tb_lasti", "tb_lineno"],
        4,
    )
    .keywords(0, 4)
    .bind::<4>(vm, args, 0)?;
    let (next, frame) = (required(next), required(frame));
    let Value::Frame(frame) = frame else {
        let n = vm.type_of(&frame).name().clone();
        return Err(vm.type_error(format!(
            "TracebackType() argument 'tb_frame' must be frame, not {n}"
        )));
    };
    let lasti = vm.c_int(&required(lasti))?;
    let lineno = vm.c_int(&required(lineno))?;
    if !matches!(next, Value::Traceback(_) | Value::None) {
        let n = vm.type_of(&next).name().clone();
        return Err(vm.type_error(format!("expected traceback object or None, got '{n}'")));
    }
    // CPython keeps the int as it is; -1 asks `tb_lineno` to compute the line from
    // `tb_lasti`, which the VM's traceback (a line number or None) does not model.
    let Ok(lineno) = u32::try_from(lineno) else {
        return Err(vm.unsupported("a traceback made with a negative tb_lineno"));
    };
    let tb = Traceback {
        tb_next: std::cell::RefCell::new(next),
        tb_frame: frame,
        tb_lasti: i64::from(lasti),
        tb_lineno: Some(lineno),
        made: true,
    };
    Ok(Value::Traceback(super::gc::alloc(tb)))
}
