//! The codecs CPython runs without its codec registry (`PyUnicode_Decode` /
//! `PyUnicode_AsEncodedString` fast paths and `_codecs.utf_8_encode` and its kin):
//! UTF-8, ASCII and Latin-1, each with CPython's error ranges and reasons
//! (`unicode_encode_ucs1`, `unicode_encode_utf8`, `unicode_decode_utf8`, `ascii_decode`)
//! and the error-handler protocol of Python/codecs.c: the built-in handlers by name
//! (`_Py_GetErrorHandler`'s fast paths, which a registered handler of the same name does
//! not replace), any other name through `codecs.register_error`, called with the
//! UnicodeError and answering `(replacement, position)`.
//!
//! Lone surrogates are the VM's stand-ins (`standins`): encoders read code points through
//! them and decoders make them.

use std::rc::Rc;

use super::interp::Vm;
use super::object::Value;
use super::standins::{self, code_point};
use super::unicodeerror::{self, Kind};
use super::PyResult;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Codec {
    Utf8,
    Ascii,
    Latin1,
}

impl Codec {
    /// The codec `name` names on the fast path (`_Py_normalize_encoding`: case and `_`
    /// for `-` do not matter), if one of the three.
    pub fn named(name: &str) -> Option<Codec> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Codec::Utf8),
            "ascii" | "us-ascii" => Some(Codec::Ascii),
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => Some(Codec::Latin1),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
        }
    }

    /// Whether the encoder writes `cp` itself.
    fn encodes(self, cp: u32) -> bool {
        match self {
            Codec::Utf8 => !standins::is_surrogate(cp),
            Codec::Ascii => cp < 0x80,
            Codec::Latin1 => cp < 0x100,
        }
    }

    /// The encoder's reason for a character it cannot write.
    fn encode_reason(self) -> &'static str {
        match self {
            Codec::Utf8 => "surrogates not allowed",
            Codec::Ascii => "ordinal not in range(128)",
            Codec::Latin1 => "ordinal not in range(256)",
        }
    }
}

/// An error handler by name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Handler {
    Strict,
    Ignore,
    Replace,
    BackslashReplace,
    XmlCharRefReplace,
    NameReplace,
    SurrogateEscape,
    SurrogatePass,
    /// A handler looked up in the registry when an error needs it.
    Registered(String),
}

impl Handler {
    pub fn named(name: &str) -> Handler {
        match name {
            "strict" => Handler::Strict,
            "ignore" => Handler::Ignore,
            "replace" => Handler::Replace,
            "backslashreplace" => Handler::BackslashReplace,
            "xmlcharrefreplace" => Handler::XmlCharRefReplace,
            "namereplace" => Handler::NameReplace,
            "surrogateescape" => Handler::SurrogateEscape,
            "surrogatepass" => Handler::SurrogatePass,
            other => Handler::Registered(other.to_owned()),
        }
    }
}

/// `s` (a str value) encoded by `codec` with the handler `errors`.
pub fn encode(vm: &mut Vm, s: &Value, codec: Codec, errors: &str) -> PyResult<Vec<u8>> {
    let Value::Str(text) = s.builtin_value() else {
        return Err(vm.bug("encode: not a str"));
    };
    // The common case: nothing to handle.
    match codec {
        Codec::Utf8 if !standins::has(text) => return Ok(text.as_bytes().to_vec()),
        Codec::Ascii if text.is_ascii() => return Ok(text.as_bytes().to_vec()),
        _ => {}
    }
    let cps: Vec<u32> = standins::code_points(text).collect();
    let handler = Handler::named(errors);
    let mut out = Vec::with_capacity(cps.len());
    let mut i = 0;
    while i < cps.len() {
        let cp = cps[i];
        if codec.encodes(cp) {
            push_encoded(&mut out, codec, cp);
            i += 1;
            continue;
        }
        let end = i + cps[i..].iter().take_while(|&&c| !codec.encodes(c)).count();
        i = encode_error(vm, s, &cps, codec, &handler, i, end, &mut out)?;
    }
    Ok(out)
}

fn push_encoded(out: &mut Vec<u8>, codec: Codec, cp: u32) {
    match codec {
        Codec::Ascii | Codec::Latin1 => out.push(cp as u8),
        Codec::Utf8 => {
            let mut buf = [0; 4];
            let c = char::from_u32(cp).unwrap_or('\u{FFFD}');
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// The handler's answer for the characters `start..end` the encoder cannot write; the
/// position to go on from.
#[allow(clippy::too_many_arguments)]
fn encode_error(
    vm: &mut Vm,
    s: &Value,
    cps: &[u32],
    codec: Codec,
    handler: &Handler,
    start: usize,
    end: usize,
    out: &mut Vec<u8>,
) -> PyResult<usize> {
    let reason = codec.encode_reason();
    let raise = |vm: &Vm, from: usize| {
        let exc = unicodeerror::new(vm, Kind::Encode, codec.name(), s.clone(), from, end, reason);
        vm.raise(exc)
    };
    let run = &cps[start..end];
    match handler {
        Handler::Strict => return Err(raise(vm, start)),
        Handler::Ignore => {}
        Handler::Replace => out.extend(std::iter::repeat_n(b'?', run.len())),
        Handler::BackslashReplace => out.extend(backslashed(run).bytes()),
        Handler::XmlCharRefReplace => {
            for cp in run {
                out.extend(format!("&#{cp};").bytes());
            }
        }
        Handler::NameReplace => {
            // Surrogates have no name: they take the backslash form. Others need the
            // Unicode name table, which the VM does not have.
            if !run.iter().all(|&c| standins::is_surrogate(c)) {
                return Err(vm.unsupported("the namereplace error handler (character names)"));
            }
            out.extend(backslashed(run).bytes());
        }
        Handler::SurrogateEscape => {
            // Written up to the first character that is not an escaped byte; the error
            // then starts there (`unicode_encode_ucs1`, `unicode_encode_utf8`).
            for (k, &cp) in run.iter().enumerate() {
                if !(0xDC80..=0xDCFF).contains(&cp) {
                    return Err(raise(vm, start + k));
                }
                out.push((cp - 0xDC00) as u8);
            }
        }
        Handler::SurrogatePass => {
            // Only the UTF codecs pass surrogates; the run is then surrogates alone.
            if codec != Codec::Utf8 {
                return Err(raise(vm, start));
            }
            for &cp in run {
                push_surrogate(out, cp);
            }
        }
        Handler::Registered(name) => {
            let f = lookup(vm, name)?;
            let exc = unicodeerror::new(
                vm,
                Kind::Encode,
                codec.name(),
                s.clone(),
                start,
                end,
                reason,
            );
            let answer = vm.call1(&f, exc)?;
            let (rep, pos) = handler_answer(
                vm,
                &answer,
                cps.len(),
                "encoding error handler must return (str/bytes, int) tuple",
                false,
            )?;
            match rep.builtin_value() {
                Value::Bytes(b) => out.extend_from_slice(b),
                Value::Str(r) => {
                    let fits = match codec {
                        Codec::Utf8 | Codec::Ascii => r.is_ascii(),
                        Codec::Latin1 => r.chars().all(|c| code_point(c) < 0x100),
                    };
                    if !fits {
                        return Err(raise(vm, start));
                    }
                    out.extend(r.chars().map(|c| code_point(c) as u8));
                }
                _ => {
                    return Err(
                        vm.type_error("encoding error handler must return (str/bytes, int) tuple")
                    )
                }
            }
            return Ok(pos);
        }
    }
    Ok(end)
}

/// `\xhh`, `\uhhhh` or `\Uhhhhhhhh` for each code point (`backslashreplace`).
fn backslashed(cps: &[u32]) -> String {
    let mut out = String::new();
    for &cp in cps {
        out.push_str(&match cp {
            0..=0xFF => format!("\\x{cp:02x}"),
            0x100..=0xFFFF => format!("\\u{cp:04x}"),
            _ => format!("\\U{cp:08x}"),
        });
    }
    out
}

/// The handler registered as `name` (`PyCodec_LookupError`).
fn lookup(vm: &Vm, name: &str) -> PyResult<Value> {
    vm.codecs.error_handler(name).ok_or_else(|| {
        vm.err(
            "LookupError",
            format!("unknown error handler name '{name}'"),
        )
    })
}

/// A handler's `(replacement, position)`, the position made absolute and checked
/// against `len` (`unicode_encode_call_errorhandler`, `unicode_decode_call_errorhandler`).
fn handler_answer(
    vm: &mut Vm,
    answer: &Value,
    len: usize,
    shape: &str,
    decoding: bool,
) -> PyResult<(Value, usize)> {
    let Value::Tuple(t) = answer.builtin_value() else {
        return Err(vm.type_error(shape));
    };
    let [rep, pos] = &t[..] else {
        return Err(vm.type_error(shape));
    };
    // `PyArg_ParseTuple(…, "Un;…")` / `"On;…"`: a decoder's replacement must be a str
    // (checked first); the position an index.
    if decoding && !matches!(rep.builtin_value(), Value::Str(_)) {
        return Err(vm.type_error(shape));
    }
    let pos = super::argspec::index(vm, pos.builtin_value())?;
    let abs = if pos < 0 { len as i64 + pos } else { pos };
    if !(0..=len as i64).contains(&abs) {
        return Err(vm.err(
            "IndexError",
            format!("position {abs} from error handler out of bounds"),
        ));
    }
    Ok((rep.clone(), abs as usize))
}

/// `data` decoded by `codec` with the handler `errors`: the text and how many bytes it
/// took (all of them when `final_`; else an incomplete UTF-8 sequence at the end is left).
pub fn decode(
    vm: &mut Vm,
    data: &[u8],
    codec: Codec,
    errors: &str,
    final_: bool,
) -> PyResult<(String, usize)> {
    if codec == Codec::Latin1 {
        return Ok((data.iter().map(|&b| char::from(b)).collect(), data.len()));
    }
    let handler = Handler::named(errors);
    let mut out = String::with_capacity(data.len());
    let mut pos = 0;
    // The exception's object: one bytes object for every error of this call.
    let mut object: Option<Value> = None;
    while pos < data.len() {
        let rest = &data[pos..];
        let (valid, bad) = match codec {
            Codec::Ascii => {
                let n = rest
                    .iter()
                    .position(|b| !b.is_ascii())
                    .unwrap_or(rest.len());
                (n, (n < rest.len()).then_some(1))
            }
            _ => match std::str::from_utf8(rest) {
                Ok(_) => (rest.len(), None),
                Err(e) => (e.valid_up_to(), Some(e.error_len().unwrap_or(0))),
            },
        };
        // Both codecs' valid prefixes are UTF-8.
        let text = std::str::from_utf8(&rest[..valid]).map_err(|_| vm.bug("valid prefix"))?;
        standins::admit(vm, text)?;
        out.push_str(text);
        pos += valid;
        let Some(bad) = bad else { break };
        let (end, reason) = match (codec, bad) {
            (Codec::Ascii, _) => (pos + 1, "ordinal not in range(128)"),
            // Incomplete at the end: left for the next call unless this is the last.
            (_, 0) if !final_ => return Ok((out, pos)),
            (_, 0) => (data.len(), "unexpected end of data"),
            _ if matches!(data[pos], 0x80..=0xC1 | 0xF5..=0xFF) => {
                (pos + bad, "invalid start byte")
            }
            _ => (pos + bad, "invalid continuation byte"),
        };
        let object = object
            .get_or_insert_with(|| Value::Bytes(Rc::from(data)))
            .clone();
        pos = decode_error(
            vm,
            data,
            &object,
            codec,
            &handler,
            (pos, end),
            reason,
            &mut out,
        )?;
    }
    Ok((out, pos))
}

/// The handler's answer for the bytes `start..end` the decoder cannot read; the position
/// to go on from.
#[allow(clippy::too_many_arguments)]
fn decode_error(
    vm: &mut Vm,
    data: &[u8],
    object: &Value,
    codec: Codec,
    handler: &Handler,
    (start, end): (usize, usize),
    reason: &str,
    out: &mut String,
) -> PyResult<usize> {
    let exc = |vm: &Vm| {
        unicodeerror::new(
            vm,
            Kind::Decode,
            codec.name(),
            object.clone(),
            start,
            end,
            reason,
        )
    };
    let bytes = &data[start..end];
    match handler {
        Handler::Strict => return Err(vm.raise(exc(vm))),
        Handler::Ignore => {}
        Handler::Replace => out.push('\u{FFFD}'),
        Handler::BackslashReplace => {
            for b in bytes {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        Handler::XmlCharRefReplace | Handler::NameReplace => {
            return Err(
                vm.type_error("don't know how to handle UnicodeDecodeError in error callback")
            )
        }
        Handler::SurrogateEscape => {
            if bytes.iter().any(|&b| b < 0x80) {
                return Err(vm.raise(exc(vm)));
            }
            for &b in bytes {
                out.extend(standins::char_of(0xDC00 + u32::from(b)));
            }
        }
        Handler::SurrogatePass => {
            // One surrogate in UTF-8's three-byte form (`PyCodec_SurrogatePassErrors`).
            let cp = match (codec, data.get(start..start + 3)) {
                (Codec::Utf8, Some(&[a, b, c]))
                    if a & 0xF0 == 0xE0 && b & 0xC0 == 0x80 && c & 0xC0 == 0x80 =>
                {
                    (u32::from(a & 0x0F) << 12) | (u32::from(b & 0x3F) << 6) | u32::from(c & 0x3F)
                }
                _ => return Err(vm.raise(exc(vm))),
            };
            if !standins::is_surrogate(cp) {
                return Err(vm.raise(exc(vm)));
            }
            out.extend(standins::char_of(cp));
            return Ok(start + 3);
        }
        Handler::Registered(name) => {
            let f = lookup(vm, name)?;
            let e = exc(vm);
            let answer = vm.call1(&f, e)?;
            let shape = "decoding error handler must return (str, int) tuple";
            let (rep, pos) = handler_answer(vm, &answer, data.len(), shape, true)?;
            match rep.builtin_value() {
                Value::Str(r) => out.push_str(r),
                _ => return Err(vm.type_error(shape)),
            }
            return Ok(pos);
        }
    }
    Ok(end)
}

/// What the standard streams write for `text`: stdout encodes with `surrogateescape`,
/// stderr with `backslashreplace` (CPython's choice under the C.UTF-8 locale). A byte
/// that is not UTF-8 cannot join the VM's text output: unsupported.
pub fn std_stream_text(vm: &mut Vm, text: &str, stderr: bool) -> PyResult<String> {
    let errors = if stderr {
        "backslashreplace"
    } else {
        "surrogateescape"
    };
    let bytes = encode(vm, &Value::str(text), Codec::Utf8, errors)?;
    String::from_utf8(bytes)
        .map_err(|_| vm.unsupported("writing an undecodable byte (surrogateescape) to stdout"))
}

/// A built-in handler called as a function on the exception `exc`, as
/// `codecs.lookup_error(name)(exc)` calls it (`PyCodec_IgnoreErrors` and its kin): the
/// `(replacement, position)` it answers, or `exc` raised.
pub fn call_builtin(vm: &mut Vm, handler: &Handler, exc: &Value) -> PyResult<Value> {
    let cant = |vm: &Vm| {
        vm.type_error(format!(
            "don't know how to handle {} in error callback",
            vm.type_of(exc).name()
        ))
    };
    let Some(kind) = unicodeerror::kind_of(vm, exc) else {
        return Err(cant(vm));
    };
    let member = |name| unicodeerror::get(vm, exc, name).unwrap_or(Value::None);
    let (object, start, end) = (member("object"), member("start"), member("end"));
    let (Value::Int(start), Value::Int(end)) = (start, end) else {
        return Err(vm.bug("UnicodeError start/end"));
    };
    // The object as code points or bytes, and `start`/`end` clamped as
    // `PyUnicodeEncodeError_GetStart`/`GetEnd` and their kin clamp them.
    let (cps, bytes): (Vec<u32>, Vec<u8>) = match (kind, object.builtin_value()) {
        (Kind::Decode, Value::Bytes(b)) => (Vec::new(), b.to_vec()),
        (Kind::Encode | Kind::Translate, Value::Str(s)) => {
            (standins::code_points(s).collect(), Vec::new())
        }
        _ => {
            return Err(
                vm.unsupported("an error handler on a UnicodeError whose object was replaced")
            )
        }
    };
    let len = if kind == Kind::Decode {
        bytes.len()
    } else {
        cps.len()
    } as i64;
    let start = if start < 0 {
        0
    } else if start >= len {
        (len - 1).max(0)
    } else {
        start
    } as usize;
    let end = end.clamp(1, len.max(1)).min(len) as usize;
    let run = cps.get(start..end.max(start)).unwrap_or_default();
    let answer = |rep: Value, pos: usize| Value::tuple(vec![rep, Value::Int(pos as i64)]);
    let text = |s: String| Value::str(&s);
    let raise = |vm: &Vm| Err(vm.raise(exc.clone()));
    Ok(match (handler, kind) {
        (Handler::Strict, _) => return raise(vm),
        (Handler::Ignore, _) => answer(Value::str(""), end),
        (Handler::Replace, Kind::Encode) => answer(text("?".repeat(run.len())), end),
        (Handler::Replace, Kind::Decode) => answer(Value::str("\u{FFFD}"), end),
        (Handler::Replace, Kind::Translate) => answer(text("\u{FFFD}".repeat(run.len())), end),
        (Handler::BackslashReplace, Kind::Decode) => {
            let b = bytes.get(start..end.max(start)).unwrap_or_default();
            answer(text(b.iter().map(|b| format!("\\x{b:02x}")).collect()), end)
        }
        (Handler::BackslashReplace, _) => answer(text(backslashed(run)), end),
        (Handler::XmlCharRefReplace, Kind::Encode) => {
            answer(text(run.iter().map(|cp| format!("&#{cp};")).collect()), end)
        }
        (Handler::NameReplace, Kind::Encode) => {
            if !run.iter().all(|&c| standins::is_surrogate(c)) {
                return Err(vm.unsupported("the namereplace error handler (character names)"));
            }
            answer(text(backslashed(run)), end)
        }
        (Handler::SurrogateEscape, Kind::Encode) => {
            let mut out = Vec::with_capacity(run.len());
            for &cp in run {
                if !(0xDC80..=0xDCFF).contains(&cp) {
                    return raise(vm);
                }
                out.push((cp - 0xDC00) as u8);
            }
            answer(Value::Bytes(Rc::from(out)), end)
        }
        (Handler::SurrogateEscape, Kind::Decode) => {
            // At most four bytes, up to the first ASCII one.
            let b = bytes.get(start..end.max(start)).unwrap_or_default();
            let taken: Vec<u8> = b
                .iter()
                .take(4)
                .take_while(|&&x| x >= 0x80)
                .copied()
                .collect();
            if taken.is_empty() {
                return raise(vm);
            }
            let s: String = taken
                .iter()
                .filter_map(|&x| standins::char_of(0xDC00 + u32::from(x)))
                .collect();
            answer(text(s), start + taken.len())
        }
        (Handler::SurrogatePass, Kind::Encode | Kind::Decode) => {
            let encoding = member("encoding");
            let utf8 = match encoding.builtin_value() {
                Value::Str(e) => Codec::named(e) == Some(Codec::Utf8),
                _ => false,
            };
            let utf_other = matches!(encoding.builtin_value(), Value::Str(e)
                if e.to_ascii_lowercase().starts_with("utf"));
            if !utf8 && utf_other {
                return Err(vm.unsupported("the surrogatepass handler of the UTF-16/32 codecs"));
            }
            if !utf8 {
                return raise(vm);
            }
            if kind == Kind::Encode {
                let mut out = Vec::new();
                for &cp in run {
                    if !standins::is_surrogate(cp) {
                        return raise(vm);
                    }
                    push_surrogate(&mut out, cp);
                }
                answer(Value::Bytes(Rc::from(out)), end)
            } else {
                match bytes.get(start..start + 3) {
                    Some(&[a, b, c])
                        if a & 0xF0 == 0xE0 && b & 0xC0 == 0x80 && c & 0xC0 == 0x80 =>
                    {
                        let cp = (u32::from(a & 0x0F) << 12)
                            | (u32::from(b & 0x3F) << 6)
                            | u32::from(c & 0x3F);
                        match standins::char_of(cp).filter(|_| standins::is_surrogate(cp)) {
                            Some(ch) => answer(text(ch.to_string()), start + 3),
                            None => return raise(vm),
                        }
                    }
                    _ => return raise(vm),
                }
            }
        }
        (Handler::Registered(_), _) => return Err(vm.bug("call_builtin: a registered handler")),
        _ => return Err(cant(vm)),
    })
}

/// A surrogate in UTF-8's three-byte form (`surrogatepass`).
fn push_surrogate(out: &mut Vec<u8>, cp: u32) {
    out.extend([
        0xE0 | (cp >> 12) as u8,
        0x80 | ((cp >> 6) & 0x3F) as u8,
        0x80 | (cp & 0x3F) as u8,
    ]);
}

/// The text the VM wrote to stderr as `backslashreplace` writes it: every lone surrogate
/// (however it got there: a traceback's message, an unraisable report) as `\udxxx`.
pub fn stderr_escaped(text: String) -> String {
    if !standins::has(&text) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match code_point(c) {
            cp if standins::is_surrogate(cp) => out.push_str(&format!("\\u{cp:04x}")),
            _ => out.push(c),
        }
    }
    out
}
