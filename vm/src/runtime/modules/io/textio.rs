//! `io.open` for reading (CPython `_io_open_impl`, Modules/_io/_iomodule.c) and
//! `_io.TextIOWrapper` over a buffer, for reading (Modules/_io/textio.c).
//!
//! The sandbox reads files whole (`File`), so a TextIOWrapper decodes everything its
//! buffer has left at its first read, with the codecs of `textcodec` (UTF-8, ASCII,
//! Latin-1), then translates newlines as its `newline` asks. Where CPython's chunked
//! decoding would show (a decoding error, `tell()` inside the text) the VM says
//! unsupported. Writing modes stay unsupported: the sandbox writes no files.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::textcodec::{self, Codec};
use super::super::super::types::Type;
use super::super::super::PyResult;
use super::{opt_ssize, ssize};

/// `textio`: the buffer, the codec, the newline settings and the decoded text.
#[derive(Debug)]
pub struct TextIO {
    pub buffer: Value,
    encoding: Rc<str>,
    errors: Rc<str>,
    codec: Codec,
    /// `None`: universal newlines translated to `\n`; `''`: universal, kept; else the
    /// line ending reads split at.
    newline: Option<Rc<str>>,
    line_buffering: bool,
    write_through: bool,
    /// The decoded (and translated) text, once read.
    text: RefCell<Option<Vec<char>>>,
    pos: Cell<usize>,
    /// The kinds of newline seen (`newlines`): 1 `\n`, 2 `\r`, 4 `\r\n`.
    seen: Cell<u8>,
    /// More bytes than one of CPython's chunks (`_CHUNK_SIZE`, 8192): its `newlines`
    /// then tells only what the chunks read so far had.
    chunked: Cell<bool>,
    detached: Cell<bool>,
}

/// The TextIO state `v` carries.
pub fn of(v: &Value) -> Option<Rc<TextIO>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::TextIO(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args, method: &str) -> PyResult<Rc<TextIO>> {
    match args.pos.first().and_then(of) {
        Some(t) if t.detached.get() => Err(vm.value_error("underlying buffer has been detached")),
        Some(t) => Ok(t),
        // The standard streams are TextIOWrapper instances without this state.
        None => Err(vm.unsupported(format!("TextIOWrapper.{method} of a standard stream"))),
    }
}

/// `CHECK_CLOSED`: the buffer's `closed`.
fn check_closed(vm: &mut Vm, t: &TextIO) -> PyResult<()> {
    let closed = vm.getattr(&t.buffer, "closed")?;
    if vm.truthy(&closed)? {
        return Err(vm.value_error("I/O operation on closed file."));
    }
    Ok(())
}

/// A str argument that may be None (`encoding`, `errors`, `newline`).
fn opt_str(vm: &mut Vm, v: Option<Value>, func: &str, name: &str) -> PyResult<Option<Rc<str>>> {
    match v.as_ref().map(Value::builtin_value) {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(_) => {
            let n = vm.type_of(&v.unwrap_or_default()).name().clone();
            Err(vm.type_error(format!(
                "{func}() argument '{name}' must be str or None, not {n}"
            )))
        }
    }
}

/// The codec of `encoding` (`_PyCodec_LookupTextEncoding`): the registry's name for it,
/// one of `textcodec`'s or unsupported; an unknown encoding is the registry's LookupError.
fn codec_of(vm: &mut Vm, encoding: &str) -> PyResult<Codec> {
    if let Some(c) = Codec::named(&encoding.to_ascii_lowercase()) {
        return Ok(c);
    }
    let codecs = super::super::pickle::import_module(vm, "codecs")?;
    let lookup = vm.getattr(&codecs, "lookup")?;
    let info = vm.call(&lookup, Args::new(vec![Value::str(encoding)]))?;
    let name = vm.getattr(&info, "name")?;
    match name.builtin_value() {
        Value::Str(n) => match Codec::named(n) {
            Some(c) => Ok(c),
            None => Err(vm.unsupported(format!("a text file in the encoding {n}"))),
        },
        _ => Err(vm.unsupported("a codec whose name is not a str")),
    }
}

/// `TextIOWrapper(buffer, encoding=None, errors=None, newline=None, line_buffering=False,
/// write_through=False)` (`_io_TextIOWrapper___init___impl`).
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, args: Args) -> PyResult<Value> {
    let [buffer, encoding, errors, newline, line_buffering, write_through] = Spec::function(
        "TextIOWrapper",
        Style::Keywords,
        &[
            "buffer",
            "encoding",
            "errors",
            "newline",
            "line_buffering",
            "write_through",
        ],
        1,
    )
    .keywords(0, 6)
    .bind::<6>(vm, &args, 0)?;
    let buffer = buffer.unwrap_or_default();
    let encoding = opt_str(vm, encoding, "TextIOWrapper", "encoding")?;
    let errors = opt_str(vm, errors, "TextIOWrapper", "errors")?;
    let newline = opt_str(vm, newline, "TextIOWrapper", "newline")?;
    if let Some(n) = &newline {
        if n.contains('\0') {
            return Err(vm.value_error("embedded null character"));
        }
        if !matches!(&**n, "" | "\n" | "\r" | "\r\n") {
            return Err(vm.value_error(format!("illegal newline value: {n}")));
        }
    }
    let line_buffering = match line_buffering {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    let write_through = match write_through {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    // encoding=None is the locale's (`_Py_GetLocaleEncoding`): the sandbox's environment
    // is CPython's under LANG=C.UTF-8 without the UTF-8 mode, so 'UTF-8'
    // (`locale.getencoding()`); "locale" names the same.
    let encoding: Rc<str> = match encoding.as_deref() {
        None | Some("locale") => Rc::from("UTF-8"),
        Some(e) => Rc::from(e),
    };
    let codec = codec_of(vm, &encoding)?;
    let errors = errors.unwrap_or_else(|| Rc::from("strict"));
    let state = TextIO {
        buffer,
        encoding,
        errors,
        codec,
        newline,
        line_buffering,
        write_through,
        text: RefCell::new(None),
        pos: Cell::new(0),
        seen: Cell::new(0),
        chunked: Cell::new(false),
        detached: Cell::new(false),
    };
    let n = Value::Native(Rc::new(Native::TextIO(Rc::new(state))));
    Ok(super::super::super::subclass::with_payload(cls, n))
}

/// The text, decoded from everything the buffer has left at the first read.
fn load(vm: &mut Vm, t: &TextIO) -> PyResult<()> {
    if t.text.borrow().is_some() {
        return Ok(());
    }
    let data: Rc<[u8]> = match &t.buffer {
        Value::Native(n) => match &**n {
            Native::File(f) if !f.readable => {
                return Err(vm.unsupported("TextIOWrapper.read() of a file not open for reading"))
            }
            Native::File(f) => {
                super::pipefile::fill(vm, f, super::pipefile::Need::All)?;
                super::take_rest(f)
            }
            _ => return Err(vm.unsupported("a TextIOWrapper over this buffer")),
        },
        other => {
            let read = vm.getattr(other, "read")?;
            match vm.call(&read, Args::new(vec![]))? {
                Value::Bytes(b) => b,
                v => {
                    let n = vm.type_of(&v).name().clone();
                    return Err(vm.unsupported(format!("a buffer whose read() gives {n}")));
                }
            }
        }
    };
    // CPython decodes chunk by chunk: where an error falls in a chunk shows in its
    // message, which the VM's whole-file decoding would not reproduce.
    let text = match textcodec::decode(vm, &data, t.codec, &t.errors, true) {
        Ok((s, _)) => s,
        Err(_) => return Err(vm.unsupported("a decoding error reading a text file")),
    };
    let mut out = Vec::with_capacity(text.len());
    let mut seen = 0u8;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                seen |= 4;
                if t.newline.is_none() {
                    out.push('\n');
                } else {
                    out.extend(['\r', '\n']);
                }
            }
            '\r' => {
                seen |= 2;
                out.push(if t.newline.is_none() { '\n' } else { '\r' });
            }
            '\n' => {
                seen |= 1;
                out.push('\n');
            }
            c => out.push(c),
        }
    }
    // `newlines` reports what the decoder saw only with universal newlines.
    if t.newline.as_deref().is_none_or(str::is_empty) {
        t.seen.set(seen);
    }
    t.chunked.set(data.len() > 8192);
    *t.text.borrow_mut() = Some(out);
    Ok(())
}

/// The end of the line starting at `start` in `text` (after its line ending).
fn line_end(t: &TextIO, text: &[char], start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let end = match t.newline.as_deref() {
        None | Some("\n") => rest.iter().position(|&c| c == '\n').map(|i| i + 1),
        Some("") => rest.iter().position(|&c| c == '\n' || c == '\r').map(|i| {
            if rest[i] == '\r' && rest.get(i + 1) == Some(&'\n') {
                i + 2
            } else {
                i + 1
            }
        }),
        Some("\r") => rest.iter().position(|&c| c == '\r').map(|i| i + 1),
        Some(_) => rest
            .windows(2)
            .position(|w| w == ['\r', '\n'])
            .map(|i| i + 2),
    };
    start + end.unwrap_or(rest.len())
}

fn text_value(chars: &[char]) -> Value {
    Value::str(&chars.iter().collect::<String>())
}

/// `read(size=-1)`.
fn read(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "read")?;
    let [size] = Spec::method("TextIOWrapper", "read", Style::Positional, &["size"], 0)
        .bind::<1>(vm, &args, 1)?;
    let size = opt_ssize(vm, size)?;
    check_closed(vm, &t)?;
    load(vm, &t)?;
    let text = t.text.borrow();
    let text = text.as_deref().unwrap_or_default();
    let start = t.pos.get().min(text.len());
    let end = match size {
        Some(n) if n >= 0 => start.saturating_add(n as usize).min(text.len()),
        _ => text.len(),
    };
    t.pos.set(end);
    Ok(text_value(&text[start..end]))
}

/// The next line, at most `limit` characters.
fn line(vm: &mut Vm, t: &TextIO, limit: Option<i64>) -> PyResult<Value> {
    check_closed(vm, t)?;
    load(vm, t)?;
    let text = t.text.borrow();
    let text = text.as_deref().unwrap_or_default();
    let start = t.pos.get().min(text.len());
    let mut end = line_end(t, text, start);
    if let Some(n) = limit.filter(|&n| n >= 0) {
        end = end.min(start.saturating_add(n as usize));
    }
    t.pos.set(end);
    Ok(text_value(&text[start..end]))
}

/// `readline(size=-1)`.
fn readline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "readline")?;
    let [size] = Spec::method("TextIOWrapper", "readline", Style::Positional, &["size"], 0)
        .bind::<1>(vm, &args, 1)?;
    let limit = match size {
        Some(v) => Some(ssize(vm, &v)?),
        None => None,
    };
    line(vm, &t, limit)
}

/// `readlines(hint=-1)` (`_io__IOBase_readlines_impl`).
fn readlines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "readlines")?;
    let [hint] = Spec::method("_IOBase", "readlines", Style::Positional, &["hint"], 0)
        .bind::<1>(vm, &args, 1)?;
    let hint = opt_ssize(vm, hint)?.filter(|&n| n > 0);
    let mut lines = Vec::new();
    let mut total = 0i64;
    loop {
        let l = line(vm, &t, None)?;
        let n = match &l {
            Value::Str(s) => s.chars().count() as i64,
            _ => 0,
        };
        if n == 0 {
            break;
        }
        lines.push(l);
        total += n;
        if hint.is_some_and(|h| total >= h) {
            break;
        }
    }
    Ok(Value::list(lines))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "__iter__")?;
    check_closed(vm, &t)?;
    Ok(args.pos[0].clone())
}

/// `__next__` (`textiowrapper_iternext`).
fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "__next__")?;
    match line(vm, &t, None)? {
        Value::Str(s) if s.is_empty() => Err(vm.err_args("StopIteration", Vec::new())),
        l => Ok(l),
    }
}

fn enter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "__enter__")?;
    check_closed(vm, &t)?;
    Ok(args.pos[0].clone())
}

/// `close()`: closes the buffer (once).
fn close(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "close")?;
    let closed = vm.getattr(&t.buffer, "closed")?;
    if !vm.truthy(&closed)? {
        let close = vm.getattr(&t.buffer, "close")?;
        vm.call(&close, Args::new(vec![]))?;
    }
    Ok(Value::None)
}

fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    close(vm, Args::new(vec![args.pos[0].clone()]))
}

/// `seek(cookie, whence=0)`: to the start only (a cookie elsewhere encodes the decoder's
/// state, which the VM's whole-file decoding does not model).
fn seek(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "seek")?;
    let [cookie, whence] = Spec::method(
        "TextIOWrapper",
        "seek",
        Style::Positional,
        &["cookie", "whence"],
        1,
    )
    .bind::<2>(vm, &args, 1)?;
    let cookie = ssize(vm, &cookie.unwrap_or_default())?;
    let whence = match whence {
        Some(w) => super::int_arg(vm, &w)?,
        None => 0,
    };
    check_closed(vm, &t)?;
    if cookie != 0 || whence != 0 {
        return Err(vm.unsupported("TextIOWrapper.seek() elsewhere than to the start"));
    }
    // Back to the buffer's start: the text is decoded again on the next read.
    let seek = vm.getattr(&t.buffer, "seek")?;
    vm.call(&seek, Args::new(vec![Value::Int(0)]))?;
    *t.text.borrow_mut() = None;
    t.pos.set(0);
    Ok(Value::Int(0))
}

/// `tell()`: at the start only (see `seek`).
fn tell(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "tell")?;
    check_closed(vm, &t)?;
    if t.text.borrow().is_some() {
        return Err(vm.unsupported("TextIOWrapper.tell() after a read"));
    }
    let tell = vm.getattr(&t.buffer, "tell")?;
    vm.call(&tell, Args::new(vec![]))
}

/// `write(text)` (`_io_TextIOWrapper_write_impl`): the text with each `\n` translated to
/// the `newline` asked for (os.linesep, `\n`, for None), encoded, passed to the buffer;
/// the number of characters. The VM's wrapper keeps no pending text of its own (its
/// buffer's unflushed state stands for both).
/// (The standard streams' `write` in `methods::misc` passes a file's wrapper here.)
pub fn write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "write")?;
    let [text] = Spec::method("TextIOWrapper", "write", Style::Positional, &["text"], 1)
        .bind::<1>(vm, &args, 1)?;
    let text = text.unwrap_or_default();
    let Value::Str(s) = text.builtin_value().clone() else {
        let n = vm.type_of(&text).name().clone();
        return Err(vm.type_error(format!("write() argument must be str, not {n}")));
    };
    check_closed(vm, &t)?;
    if t.text.borrow().is_some() {
        return Err(vm.unsupported("TextIOWrapper.write() after a read"));
    }
    let translated = match t.newline.as_deref() {
        Some("\r") => s.replace('\n', "\r"),
        Some("\r\n") => s.replace('\n', "\r\n"),
        _ => s.to_string(),
    };
    let bytes = textcodec::encode(vm, &Value::str(&translated), t.codec, &t.errors)?;
    let Some(f) = raw_file(&t.buffer) else {
        return Err(vm.unsupported("TextIOWrapper.write() over this buffer"));
    };
    if !f.writable {
        return Err(vm.unsupported("TextIOWrapper.write() of a file not open for writing"));
    }
    super::write_bytes(f, &bytes);
    // Line buffering (and write_through) pass a write with a newline on at once.
    if t.line_buffering && (translated.contains('\n') || translated.contains('\r')) {
        f.flushed_now();
    }
    Ok(Value::Int(s.chars().count() as i64))
}

/// The VM's file under a wrapper.
fn raw_file(buffer: &Value) -> Option<&super::File> {
    match buffer {
        Value::Native(n) => match &**n {
            Native::File(f) => Some(f),
            _ => None,
        },
        _ => None,
    }
}

/// `flush()`: the buffer's (reached as `write` is).
pub fn flush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "flush")?;
    check_closed(vm, &t)?;
    let flush = vm.getattr(&t.buffer, "flush")?;
    vm.call(&flush, Args::new(vec![]))
}

fn readable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "readable")?;
    let f = vm.getattr(&t.buffer, "readable")?;
    vm.call(&f, Args::new(vec![]))
}

fn seekable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args, "seekable")?;
    let f = vm.getattr(&t.buffer, "seekable")?;
    vm.call(&f, Args::new(vec![]))
}

/// The getsets and members: `buffer`, `encoding`, `errors`, `line_buffering`,
/// `write_through`, `newlines`, and the buffer's `name` and `closed`.
pub fn attr(vm: &mut Vm, t: &TextIO, name: &str) -> PyResult<Option<Value>> {
    Ok(match name {
        "buffer" => Some(t.buffer.clone()),
        "encoding" => Some(Value::Str(t.encoding.clone())),
        "errors" => Some(Value::Str(t.errors.clone())),
        "line_buffering" => Some(Value::Bool(t.line_buffering)),
        "write_through" => Some(Value::Bool(t.write_through)),
        // `newlines_value` takes stringio's bits (LF 1, CR 2, CRLF 4), as `seen` has.
        "newlines" => {
            let len = t.text.borrow().as_ref().map_or(0, Vec::len);
            if t.chunked.get() && t.pos.get() < len {
                return Err(vm.unsupported("TextIOWrapper.newlines inside a large file"));
            }
            Some(super::stringio::newlines_value(t.seen.get()))
        }
        "name" | "closed" => Some(vm.getattr(&t.buffer.clone(), name)?),
        _ => None,
    })
}

/// `textiowrapper_repr`: `<_io.TextIOWrapper name='…' mode='r' encoding='UTF-8'>`.
pub fn repr(vm: &mut Vm, v: &Value, t: &TextIO) -> PyResult<String> {
    let mut out = String::from("<_io.TextIOWrapper");
    for (field, value) in [
        ("name", super::lookup_attr(vm, v, "name")?),
        ("mode", super::lookup_attr(vm, v, "mode")?),
    ] {
        if let Some(x) = value {
            out.push_str(&format!(" {field}={}", vm.repr(&x)?));
        }
    }
    let enc = vm.repr(&Value::Str(t.encoding.clone()))?;
    out.push_str(&format!(" encoding={enc}>"));
    Ok(out)
}

/// `io.open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None,
/// closefd=True, opener=None)` (`_io_open_impl`): the mode's checks, then FileIO, a
/// BufferedReader over it unless unbuffered, and a TextIOWrapper for text.
pub fn open(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [file, mode, buffering, encoding, errors, newline, closefd, opener] = Spec::function(
        "open",
        Style::Keywords,
        &[
            "file",
            "mode",
            "buffering",
            "encoding",
            "errors",
            "newline",
            "closefd",
            "opener",
        ],
        1,
    )
    .keywords(0, 8)
    .bind::<8>(vm, &args, 0)?;
    let file = file.unwrap_or_default();
    let mode: Rc<str> = match mode.as_ref().map(Value::builtin_value) {
        None => Rc::from("r"),
        Some(Value::Str(s)) => s.clone(),
        Some(_) => {
            // `_PyArg_BadArgument` names None itself, other values by their type.
            let m = mode.unwrap_or_default();
            let n = if m.is_none() {
                "None".into()
            } else {
                vm.type_of(&m).name().clone()
            };
            return Err(vm.type_error(format!("open() argument 'mode' must be str, not {n}")));
        }
    };
    let buffering = match buffering {
        Some(b) => super::int_arg(vm, &b)?,
        None => -1,
    };
    let encoding = opt_str(vm, encoding, "open", "encoding")?;
    let errors = opt_str(vm, errors, "open", "errors")?;
    let newline = opt_str(vm, newline, "open", "newline")?;
    let closefd = match closefd {
        Some(c) => super::int_arg(vm, &c)? != 0,
        None => true,
    };
    let mut seen = String::new();
    for c in mode.chars() {
        if !"xrwa+tb".contains(c) || seen.contains(c) {
            return Err(vm.value_error(format!("invalid mode: '{mode}'")));
        }
        seen.push(c);
    }
    let has = |c: char| seen.contains(c);
    let (text, binary) = (has('t'), has('b'));
    if text && binary {
        return Err(vm.value_error("can't have text and binary mode at once"));
    }
    let kinds = ['x', 'r', 'w', 'a'].iter().filter(|&&c| has(c)).count();
    if kinds > 1 {
        return Err(vm.value_error("must have exactly one of create/read/write/append mode"));
    }
    if binary && encoding.is_some() {
        return Err(vm.value_error("binary mode doesn't take an encoding argument"));
    }
    if binary && errors.is_some() {
        return Err(vm.value_error("binary mode doesn't take an errors argument"));
    }
    if binary && newline.is_some() {
        return Err(vm.value_error("binary mode doesn't take a newline argument"));
    }
    if binary && buffering == 1 {
        super::super::warnings::warn_native(
            vm,
            "RuntimeWarning",
            "line buffering (buffering=1) isn't supported in binary mode, the default buffer \
             size will be used"
                .to_owned(),
        )?;
    }
    // `_io_FileIO___init___impl`'s checks of the raw mode.
    if kinds == 0 {
        return Err(vm.value_error(
            "Must have exactly one of create/read/write/append mode and at most one plus",
        ));
    }
    // A descriptor (`_io_FileIO___init___impl`'s `PyLong_AsInt` of an int): a pipe's.
    let fd = match file.builtin_value() {
        Value::Int(i) if *i < 0 => return Err(vm.value_error("negative file descriptor")),
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::BigInt(_) => return Err(vm.unsupported("opening a file descriptor beyond a C int")),
        _ => None,
    };
    if !closefd && fd.is_none() {
        return Err(vm.value_error("Cannot use closefd=False with file name"));
    }
    if opener.as_ref().is_some_and(|o| !o.is_none()) {
        return Err(vm.unsupported("open() with an opener (it gives a file descriptor)"));
    }
    match file.builtin_value() {
        _ if fd.is_some() => {}
        Value::Str(_) => {}
        Value::Bytes(_) => return Err(vm.unsupported("opening a file named by bytes")),
        Value::Object(_) => {}
        _ => {
            let n = vm.type_of(&file).name().clone();
            return Err(vm.type_error(format!(
                "expected str, bytes or os.PathLike object, not {n}"
            )));
        }
    }
    // The raw mode: one of r, w, a, x, and + to read and write.
    let raw_mode: String = ['r', 'w', 'a', 'x', '+']
        .iter()
        .filter(|&&c| has(c))
        .collect();
    // `buffering == 0` gives the raw FileIO: binary only.
    let open_raw = |vm: &mut Vm, buffered: bool| match fd {
        Some(fd) => super::pipefile::open(vm, fd, &raw_mode, buffered, closefd),
        None => super::open_as(vm, &file, buffered, &raw_mode),
    };
    if buffering == 0 && !binary {
        open_raw(vm, false)?;
        return Err(vm.value_error("can't have unbuffered text I/O"));
    }
    let raw = open_raw(vm, buffering != 0)?;
    if binary {
        return Ok(raw);
    }
    let mut targs = vec![raw];
    targs.push(encoding.map_or(Value::None, Value::Str));
    targs.push(errors.map_or(Value::None, Value::Str));
    targs.push(newline.map_or(Value::None, Value::Str));
    // buffering=1 is line buffering; a file is never a terminal.
    targs.push(Value::Bool(buffering == 1));
    let cls = vm.ty("TextIOWrapper");
    let wrapper = construct(vm, &cls, Args::new(targs))?;
    vm.setattr(&wrapper, "mode", Value::Str(mode))?;
    Ok(wrapper)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("TextIOWrapper", "read", read),
    ("TextIOWrapper", "readline", readline),
    ("TextIOWrapper", "readlines", readlines),
    ("TextIOWrapper", "__iter__", iter),
    ("TextIOWrapper", "__next__", next),
    ("TextIOWrapper", "__enter__", enter),
    ("TextIOWrapper", "__exit__", exit),
    ("TextIOWrapper", "close", close),
    ("TextIOWrapper", "seek", seek),
    ("TextIOWrapper", "tell", tell),
    ("TextIOWrapper", "readable", readable),
    ("TextIOWrapper", "seekable", seekable),
];
