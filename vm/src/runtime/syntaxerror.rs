//! `SyntaxError` (CPython `PySyntaxErrorObject`, Objects/exceptions.c): its members, which
//! are slots of the object rather than entries of its `__dict__`; `SyntaxError_init`;
//! `SyntaxError_str`; the exception made from a compile error (`compile()`, `exec()`,
//! `eval()`); and the report the default excepthook prints for one (pythonrun.c's
//! `print_exception_file_and_line`, `parse_syntax_error`, `print_error_text`).
//! spec: exceptions.uncaught

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Value};
use super::PyResult;
use crate::{CompileError, Origin};

/// The members, in `ExcData::members` order.
pub const MEMBERS: [&str; 8] = [
    "msg",
    "filename",
    "lineno",
    "offset",
    "text",
    "end_lineno",
    "end_offset",
    "print_file_and_line",
];

/// Whether `t` is SyntaxError or a subclass, without a lookup by name (every exception
/// made asks).
pub fn is_syntax_error_type(t: &Rc<super::types::Type>) -> bool {
    std::iter::once(t)
        .chain(t.mro_rest.iter())
        .any(|c| c.is_builtin() && &*c.name() == "SyntaxError")
}

/// Whether `v` is an instance of SyntaxError or a subclass.
pub fn is_syntax_error(vm: &Vm, v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.exc.is_some()
        && o.class.borrow().is_subtype(&vm.ty("SyntaxError")))
}

/// The member `name` of a SyntaxError, `None` when `name` is not one (unset members are
/// Python's None).
pub fn get(vm: &Vm, v: &Value, name: &str) -> Option<Value> {
    let i = MEMBERS.iter().position(|m| *m == name)?;
    if !is_syntax_error(vm, v) {
        return None;
    }
    Some(v.exc()?.member(i))
}

/// Sets the member `name` of a SyntaxError; false when `name` is not one.
pub fn set(vm: &Vm, v: &Value, name: &str, x: Value) -> bool {
    let Some(i) = MEMBERS.iter().position(|m| *m == name) else {
        return false;
    };
    let Some(data) = v.exc().filter(|_| is_syntax_error(vm, v)) else {
        return false;
    };
    data.set_member(i, MEMBERS.len(), x);
    true
}

/// `SyntaxError_init` after `BaseException_init`: the first argument is `msg`; with two,
/// the second is a sequence of `(filename, lineno, offset, text[, end_lineno,
/// end_offset])`.
pub fn init(vm: &mut Vm, exc: &Value, args: &[Value]) -> PyResult<()> {
    if let Some(msg) = args.first() {
        set(vm, exc, "msg", msg.clone());
    }
    if let [_, info] = args {
        let info = vm.collect(info)?;
        let n = info.len();
        // PyArg_ParseTuple(info, "OOOO|OO") names no function.
        if n < 4 {
            return Err(vm.type_error(format!("function takes at least 4 arguments ({n} given)")));
        }
        if n > 6 {
            return Err(vm.type_error(format!("function takes at most 6 arguments ({n} given)")));
        }
        for (name, v) in MEMBERS[1..].iter().zip(info.iter()) {
            set(vm, exc, name, v.clone());
        }
        if n == 4 {
            set(vm, exc, "end_lineno", Value::None);
            set(vm, exc, "end_offset", Value::None);
        }
        if n == 5 {
            return Err(vm.type_error("end_offset must be provided when end_lineno is provided"));
        }
    }
    Ok(())
}

/// The SyntaxError (or IndentationError, TabError) CPython raises for `e`, found
/// compiling `source` as `filename`. The parser gives it the source line as `text`; the
/// compiler reads the line from the file named, which only the main program's is here.
pub fn from_compile_error(vm: &mut Vm, e: &CompileError, filename: &str, source: &str) -> Value {
    from_compile_error_in(vm, e, filename, source, true)
}

/// [`from_compile_error`] for source read as a module (`exec_input`, which the tokenizer
/// ends with a line end) or not (`'eval'` and `'single'` input, whose last line is the
/// text as it is: `_PyPegen_run_parser_from_string`).
pub fn from_compile_error_in(
    vm: &mut Vm,
    e: &CompileError,
    filename: &str,
    source: &str,
    exec_input: bool,
) -> Value {
    let line_of = |text: &str| {
        text.split_inclusive('\n')
            .nth((e.line as usize).saturating_sub(1))
            .map(|l| {
                if !exec_input && !l.ends_with('\n') {
                    return Value::str(l);
                }
                let l = l.strip_suffix('\n').unwrap_or(l);
                let l = l.strip_suffix('\r').unwrap_or(l);
                Value::str(&format!("{l}\n"))
            })
            .unwrap_or(Value::None)
    };
    let text = if e.line == 0 {
        Value::None
    } else if e.origin == Origin::Parser {
        line_of(source)
    } else if *filename == *vm.filename {
        let main = vm.source_lines.join("\n");
        line_of(&main)
    } else {
        Value::None
    };
    let end_offset = match e.end_column {
        Some(c) => Value::Int(i64::from(c)),
        None => Value::Int(0),
    };
    let t = vm.ty(e.class_name());
    let details = Value::tuple(vec![
        Value::str(filename),
        Value::Int(i64::from(e.line)),
        Value::Int(i64::from(e.column)),
        text,
        Value::Int(i64::from(e.end_line)),
        end_offset,
    ]);
    let args = vec![Value::str(&e.message), details];
    if e.origin == Origin::Located {
        // The message alone, then the location in the members.
        let exc = vm.new_exception(&t, args[..1].to_vec());
        let _ = init(vm, &exc, &args);
        return exc;
    }
    let exc = vm.new_exception(&t, args.clone());
    // Four or six details and a str message: init cannot fail.
    let _ = init(vm, &exc, &args);
    exc
}

/// `SyntaxError_str`: `msg (file, line N)`, with the file's base name, each part only when
/// the member is a str / an exact int.
pub fn str_of(vm: &mut Vm, exc: &Value) -> PyResult<String> {
    let msg = get(vm, exc, "msg").unwrap_or(Value::None);
    let msg = vm.str_of(&msg)?;
    let filename = match get(vm, exc, "filename") {
        Some(Value::Str(f)) => Some(f.rsplit('/').next().unwrap_or(&f).to_owned()),
        _ => None,
    };
    let lineno = match get(vm, exc, "lineno") {
        Some(Value::Int(n)) => Some(n),
        _ => None,
    };
    Ok(match (filename, lineno) {
        (Some(f), Some(n)) => format!("{msg} ({f}, line {n})"),
        (Some(f), None) => format!("{msg} ({f})"),
        (None, Some(n)) => format!("{msg} (line {n})"),
        (None, None) => msg,
    })
}

/// What the default excepthook prints for a SyntaxError before `TYPE: msg`
/// (`print_exception_file_and_line`): the `File` line, the text and the carets, and the
/// message to print in place of `str(exc)`. `None` when the members do not parse
/// (`parse_syntax_error` fails: then the exception prints as any other).
pub fn report(vm: &mut Vm, exc: &Value) -> PyResult<Option<(String, Value)>> {
    let member = |vm: &Vm, name| get(vm, exc, name).unwrap_or(Value::None);
    let as_int = |v: &Value| match v {
        Value::Int(n) => Some(*n),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    };
    let message = member(vm, "msg");
    let filename = match member(vm, "filename") {
        Value::None => Value::str("<string>"),
        f => f,
    };
    let Some(lineno) = as_int(&member(vm, "lineno")) else {
        return Ok(None);
    };
    let offset = match member(vm, "offset") {
        Value::None => -1,
        v => match as_int(&v) {
            Some(n) => n,
            None => return Ok(None),
        },
    };
    // Only SyntaxError itself reads the end members; its subclasses print one caret.
    let exact = Rc::ptr_eq(&vm.type_of(exc), &vm.ty("SyntaxError"));
    let (end_lineno, mut end_offset) = if exact {
        let end_lineno = match member(vm, "end_lineno") {
            Value::None => lineno,
            v => match as_int(&v) {
                Some(n) => n,
                None => return Ok(None),
            },
        };
        let end_offset = match member(vm, "end_offset") {
            Value::None => -1,
            v => match as_int(&v) {
                Some(n) => n,
                None => return Ok(None),
            },
        };
        (end_lineno, end_offset)
    } else {
        (lineno, -1)
    };
    let text = member(vm, "text");
    let filename = vm.str_of(&filename)?;
    let mut out = format!("  File \"{filename}\", line {lineno}\n");
    match text {
        Value::None => {}
        Value::Str(text) => {
            let size = text.len() as i64;
            // A location over several lines is highlighted to the end of its first.
            if end_lineno > lineno {
                end_offset = size;
            }
            end_offset = end_offset.min(size + 1);
            out.push_str(&error_text(offset, end_offset, &text));
        }
        // PyUnicode_AsUTF8 of a non-str fails: the report stops after the File line.
        _ => return Ok(Some((out, message))),
    }
    Ok(Some((out, message)))
}

/// `print_error_text`: the text without its indentation, then carets from `offset` to
/// `end_offset` (1-based) when they do not point left of the text.
fn error_text(offset: i64, end_offset: i64, text: &str) -> String {
    let carets = if end_offset > 0 && end_offset > offset {
        end_offset - offset
    } else {
        1
    };
    let mut offset = offset - 1;
    let mut text = text.as_bytes();
    while let [b' ' | b'\t' | b'\x0c', rest @ ..] = text {
        text = rest;
        offset -= 1;
    }
    let mut len = text.len() as i64;
    if text.last() == Some(&b'\n') {
        len -= 1;
    }
    offset = offset.min(len);
    // Past the newlines the text holds before the offset.
    while let Some(nl) = text.iter().position(|&b| b == b'\n') {
        let inl = nl as i64;
        if inl >= offset {
            break;
        }
        text = &text[nl + 1..];
        len -= inl + 1;
        offset -= inl + 1;
    }
    let mut out = format!("    {}", String::from_utf8_lossy(text));
    if usize::try_from(len).ok().and_then(|l| text.get(l)) != Some(&b'\n') {
        out.push('\n');
    }
    if offset < 0 {
        return out;
    }
    out.push_str("    ");
    out.push_str(&" ".repeat(offset as usize));
    out.push_str(&"^".repeat(carets.max(0) as usize));
    out.push('\n');
    out
}

/// `SyntaxError.__init__` called on an instance (a subclass's `super().__init__`).
pub fn init_method(vm: &mut Vm, args: &Args) -> PyResult<()> {
    if let Some(exc) = args.pos.first() {
        init(vm, exc, &args.pos[1..])?;
    }
    Ok(())
}
