//! Printing an uncaught exception exactly as CPython 3.12's default excepthook does
//! (Python/traceback.c, Lib/traceback.py): chained exceptions first, `File` lines, the
//! source line, PEP 657 carets where 3.12 prints them, then `TYPE: message`.
//! spec: exceptions.uncaught, exceptions.traceback.chain

use crate::{CompileError, CompileWarning};

use super::interp::Vm;
use super::object::Value;

pub fn format_exception(vm: &mut Vm, exc: &Value) -> String {
    super::tbgroup::format(vm, exc)
}

/// The `File` lines of `exc`'s traceback (CPython `StackSummary.format`), without the
/// header.
pub(super) fn stack(vm: &mut Vm, exc: &Value) -> String {
    let tb = exc
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    stack_from(vm, tb)
}

/// The `File` lines of the traceback `tb` and those after it.
pub(super) fn stack_from(vm: &mut Vm, tb: Value) -> String {
    let mut out = String::new();
    let out = &mut out;
    let mut tb = tb;
    // Runs of identical entries beyond three are folded (CPython `TB_RECURSIVE_CUTOFF`).
    let mut last: Option<(usize, Option<u32>)> = None;
    let mut repeats = 0usize;
    while let Value::Traceback(t) = tb {
        let info = vm.with_frame(&t.tb_frame, |f| f.info.clone());
        if let Some(info) = info {
            let code = &info.code;
            let key = (std::rc::Rc::as_ptr(code) as usize, t.tb_lineno);
            if last == Some(key) {
                repeats += 1;
            } else {
                flush_repeats(out, repeats);
                last = Some(key);
                repeats = 1;
            }
            if repeats > 3 {
                tb = t.tb_next.borrow().clone();
                continue;
            }
            let line = t
                .tb_lineno
                .map(|l| l.to_string())
                .unwrap_or_else(|| "None".into());
            out.push_str(&format!(
                "  File \"{}\", line {}, in {}\n",
                code.co_filename, line, code.co_name
            ));
            if let Some(l) = t.tb_lineno {
                let source = if *code.co_filename == *vm.filename {
                    vm.source_lines.get(l as usize - 1).cloned()
                } else {
                    None
                };
                if let Some(src) = source.filter(|s| !s.trim().is_empty()) {
                    out.push_str(&format!("    {}\n", src.trim()));
                    let unit = usize::try_from(t.tb_lasti / 2).unwrap_or(0);
                    let pos = code.positions().get(unit).copied().unwrap_or_default();
                    if let Some(carets) = super::carets::caret_line(&src, l, pos) {
                        out.push_str(&carets);
                    }
                }
            }
        }
        tb = t.tb_next.borrow().clone();
    }
    flush_repeats(out, repeats);
    std::mem::take(out)
}

fn flush_repeats(out: &mut String, repeats: usize) {
    if repeats > 3 {
        let n = repeats - 3;
        out.push_str(&format!(
            "  [Previous line repeated {} more time{}]\n",
            n,
            if n == 1 { "" } else { "s" }
        ));
    }
}

/// The last line: `TYPE: message`, or `TYPE` alone for an empty message.
pub(super) fn exception_only(vm: &mut Vm, exc: &Value) -> String {
    let t = vm.type_of(exc);
    let name = if t.is_builtin() || &*t.module == "__main__" {
        t.qualname.borrow().to_string()
    } else {
        format!("{}.{}", t.module, t.qualname.borrow())
    };
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
    let suggestion = super::carets::suggestion(vm, exc);
    let mut line = if msg.is_empty() {
        format!("{head}{name}\n")
    } else {
        format!("{head}{name}: {msg}{suggestion}\n")
    };
    if let Value::Object(o) = exc {
        if let Some(Value::List(notes)) = o.dict.get_str("__notes__") {
            for n in notes.items.borrow().iter() {
                if let Value::Str(s) = n {
                    line.push_str(s);
                    line.push('\n');
                }
            }
        }
    }
    line
}

/// The SyntaxWarnings of compiling the main module as `warnings.showwarning` writes
/// them (`formatwarning`: `file:line: category: message`, then the stripped source line).
pub fn syntax_warnings_text(filename: &str, source: &str, warnings: &[CompileWarning]) -> String {
    let mut out = String::new();
    for w in warnings {
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
