//! The uncaught-exception report with exception groups (PEP 654), as CPython 3.12's
//! default excepthook prints it (`Python/pythonrun.c` `print_exception_recursive` and
//! `print_exception_group`, which `Lib/traceback.py`'s `TracebackException.format` and
//! `_ExceptionPrintContext` mirror): chains first, then each exception; a group's
//! sub-exceptions are boxed (`+-+---- 1 ----`), each line inside prefixed by its depth's
//! indent and margin (`| `), at most 15 per group ("and N more exceptions") and 10 levels
//! deep ("... (max_group_depth is 10)"). Without groups it is the plain report of
//! [`super::traceback`]. spec: exceptions.uncaught, exceptions.traceback.chain

use super::interp::Vm;
use super::object::Value;
use super::traceback::{entry_limit, exception_only, stack, Piece};
use super::PyResult;

/// `traceback.py`'s `max_group_width` and `max_group_depth` (pythonrun.c's
/// `MAX_GROUP_WIDTH`, `MAX_GROUP_DEPTH`).
const MAX_GROUP_WIDTH: usize = 15;
const MAX_GROUP_DEPTH: usize = 10;

const CAUSE: &str = "\nThe above exception was the direct cause of the following exception:\n\n";
const CONTEXT: &str = "\nDuring handling of the above exception, another exception occurred:\n\n";

/// `_ExceptionPrintContext`.
struct Ctx {
    /// Exceptions already printed (a chain loop, or one exception reached twice).
    seen: Vec<usize>,
    depth: usize,
    need_close: bool,
    out: String,
}

impl Ctx {
    fn indent(&self) -> String {
        " ".repeat(2 * self.depth)
    }

    /// `emit`: every line (empty ones too) gets the indent and, inside a group, the margin.
    fn emit(&mut self, text: &str, margin: char) {
        let mut prefix = self.indent();
        if self.depth > 0 {
            prefix.push(margin);
            prefix.push(' ');
        }
        for line in text.split_inclusive('\n') {
            self.out.push_str(&prefix);
            self.out.push_str(line);
        }
    }

    /// `text` after one margin (`write_indented_margin`), its later lines without.
    fn emit_once(&mut self, text: &str, margin: char) {
        self.out.push_str(&self.indent());
        if self.depth > 0 {
            self.out.push(margin);
            self.out.push(' ');
        }
        self.out.push_str(text);
    }

    /// What follows the traceback: a SyntaxError's location, the `TYPE: message` line,
    /// the notes.
    fn last_lines(&mut self, vm: &mut Vm, exc: &Value) -> PyResult<()> {
        let last = exception_only(vm, exc)?;
        // `print_exception_file_and_line`: the margin before the `File` line only, none
        // before the text and carets (`print_error_text`).
        let (file_line, text) = last
            .head
            .split_at(last.head.find('\n').map_or(0, |i| i + 1));
        self.emit(file_line, '|');
        self.out.push_str(text);
        self.emit_once(&last.line, '|');
        for piece in last.notes {
            self.piece(piece);
        }
        Ok(())
    }

    fn piece(&mut self, piece: Piece) {
        match piece {
            Piece::Margined(text) => self.emit_once(&text, '|'),
            Piece::Raw(text) => self.out.push_str(&text),
        }
    }

    /// `_PyTraceBack_Print_Indented`: the header then the entries, nothing at all when
    /// sys.tracebacklimit is 0 or less.
    fn traceback(&mut self, vm: &mut Vm, exc: &Value, header: &str, margin: char) {
        let Some(limit) = entry_limit(vm) else { return };
        self.emit(header, margin);
        for piece in stack(vm, exc, limit) {
            self.piece(piece);
        }
    }
}

/// The whole report for an uncaught `exc`.
pub fn format(vm: &mut Vm, exc: &Value) -> PyResult<String> {
    let mut ctx = Ctx {
        seen: Vec::new(),
        depth: 0,
        need_close: false,
        out: String::new(),
    };
    one_chain(vm, exc, &mut ctx)?;
    Ok(ctx.out)
}

/// `exc` and the exceptions chained to it, oldest first.
fn one_chain(vm: &mut Vm, exc: &Value, ctx: &mut Ctx) -> PyResult<()> {
    let mut chain: Vec<(Option<&str>, Value)> = Vec::new();
    let mut e = exc.clone();
    ctx.seen.push(e.address());
    loop {
        let Some(d) = e.exc() else {
            chain.push((None, e));
            break;
        };
        let cause = d.cause.borrow().clone();
        let context = d.context.borrow().clone();
        let next = if !cause.is_none() && !ctx.seen.contains(&cause.address()) {
            Some((CAUSE, cause))
        } else if !context.is_none()
            && !d.suppress_context.get()
            && !ctx.seen.contains(&context.address())
        {
            Some((CONTEXT, context))
        } else {
            None
        };
        match next {
            Some((msg, next)) => {
                ctx.seen.push(next.address());
                chain.push((Some(msg), e));
                e = next;
            }
            None => {
                chain.push((None, e));
                break;
            }
        }
    }
    // `chain` runs newest to oldest, each with the message leading to the next-older one.
    for i in (0..chain.len()).rev() {
        let e = chain[i].1.clone();
        single(vm, &e, ctx)?;
        if i > 0 {
            if let Some(msg) = chain[i - 1].0 {
                ctx.emit(msg, '|');
            }
        }
    }
    Ok(())
}

/// One exception of a chain: its traceback and last line, and a group's boxes.
fn single(vm: &mut Vm, exc: &Value, ctx: &mut Ctx) -> PyResult<()> {
    let has_tb = exc
        .exc()
        .is_some_and(|d| matches!(*d.traceback.borrow(), Value::Traceback(_)));
    let group = super::excgroup::parts(exc).filter(|_| super::excgroup::is_group(vm, exc));
    let Some((_, excs)) = group else {
        if has_tb {
            ctx.traceback(vm, exc, "Traceback (most recent call last):\n", '|');
        }
        return ctx.last_lines(vm, exc);
    };
    if ctx.depth > MAX_GROUP_DEPTH {
        ctx.emit(
            &format!("... (max_group_depth is {MAX_GROUP_DEPTH})\n"),
            '|',
        );
        return Ok(());
    }
    let toplevel = ctx.depth == 0;
    if toplevel {
        ctx.depth += 1;
    }
    if has_tb {
        let margin = if toplevel { '+' } else { '|' };
        ctx.traceback(
            vm,
            exc,
            "Exception Group Traceback (most recent call last):\n",
            margin,
        );
    }
    ctx.last_lines(vm, exc)?;
    let n = excs.len().min(MAX_GROUP_WIDTH + 1);
    ctx.need_close = false;
    for i in 0..n {
        let last = i + 1 == n;
        if last {
            // The closing line may come from a nested group's own boxes.
            ctx.need_close = true;
        }
        let truncated = i >= MAX_GROUP_WIDTH;
        let title = if truncated {
            "...".to_owned()
        } else {
            (i + 1).to_string()
        };
        let corner = if i == 0 { "+-" } else { "  " };
        let line = format!(
            "{}{corner}+---------------- {title} ----------------\n",
            ctx.indent()
        );
        ctx.out.push_str(&line);
        ctx.depth += 1;
        if truncated {
            let remaining = excs.len() - MAX_GROUP_WIDTH;
            let s = if remaining > 1 { "s" } else { "" };
            ctx.emit(&format!("and {remaining} more exception{s}\n"), '|');
        } else {
            one_chain(vm, &excs[i], ctx)?;
        }
        if last && ctx.need_close {
            let line = format!("{}+------------------------------------\n", ctx.indent());
            ctx.out.push_str(&line);
            ctx.need_close = false;
        }
        ctx.depth -= 1;
    }
    if toplevel {
        ctx.depth = 0;
    }
    Ok(())
}
