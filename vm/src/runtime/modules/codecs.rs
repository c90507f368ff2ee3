//! `_codecs` (Modules/_codecsmodule.c over Python/codecs.c): the codec registry —
//! search functions, the lookup cache, error handlers — and the codec functions the
//! `encodings` package's modules call (`utf_8_decode`, `latin_1_encode`,
//! `charmap_decode`, …).
//!
//! CPython fills the registry at start-up by importing `encodings`; the VM imports it
//! on the first lookup that finds the registry empty (unsupported under a trace
//! function, which would see that import's frames where CPython's showed none).
//! The codecs are implemented for what they give on valid input; input a codec rejects
//! needs UnicodeError objects the VM does not model, and is unsupported, as is every
//! codec function not written yet.

use std::collections::HashMap;
use std::rc::Rc;

use super::super::argspec::{self, Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::textcodec::{self, Codec, Handler};
use super::super::{PyResult, Throw};

/// `interp->codec_search_path`, `codec_search_cache` and `codec_error_registry`.
#[derive(Debug, Default)]
pub struct Registry {
    search_path: Vec<Value>,
    cache: HashMap<String, Value>,
    errors: HashMap<String, Value>,
}

impl Registry {
    /// The handler registered under `name`, if any.
    pub fn error_handler(&self, name: &str) -> Option<Value> {
        self.errors.get(name).cloned()
    }
}

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_codecs", FUNCTIONS);
    super::add_functions(d, "_codecs", UNIMPLEMENTED);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("register", register),
    ("unregister", unregister),
    ("lookup", lookup),
    ("encode", encode),
    ("decode", decode),
    ("lookup_error", lookup_error),
    ("register_error", register_error),
    ("utf_8_encode", utf_8_encode),
    ("utf_8_decode", utf_8_decode),
    ("latin_1_encode", latin_1_encode),
    ("latin_1_decode", latin_1_decode),
    ("ascii_encode", ascii_encode),
    ("ascii_decode", ascii_decode),
    ("charmap_decode", charmap_decode),
    ("charmap_build", charmap_build),
];

macro_rules! unimplemented_codecs {
    ($($name:ident),* $(,)?) => {
        $(
            fn $name(vm: &mut Vm, _args: Args) -> PyResult<Value> {
                Err(vm.unsupported(concat!("_codecs.", stringify!($name))))
            }
        )*
        const UNIMPLEMENTED: &[(&str, NativeFn)] = &[$((stringify!($name), $name)),*];
    };
}

unimplemented_codecs!(
    charmap_encode,
    escape_decode,
    escape_encode,
    raw_unicode_escape_decode,
    raw_unicode_escape_encode,
    readbuffer_encode,
    unicode_escape_decode,
    unicode_escape_encode,
    utf_16_be_decode,
    utf_16_be_encode,
    utf_16_decode,
    utf_16_encode,
    utf_16_ex_decode,
    utf_16_le_decode,
    utf_16_le_encode,
    utf_32_be_decode,
    utf_32_be_encode,
    utf_32_decode,
    utf_32_encode,
    utf_32_ex_decode,
    utf_32_le_decode,
    utf_32_le_encode,
    utf_7_decode,
    utf_7_encode,
);

/// `codecs.register(search_function)`.
fn register(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [f] = Spec::method("_codecs", "register", Style::O, &["search_function"], 1)
        .bind::<1>(vm, &args, 0)?;
    let f = argspec::required(f);
    if !super::super::builtins::is_callable(vm, &f) {
        return Err(vm.type_error("argument must be callable"));
    }
    vm.codecs.search_path.push(f);
    Ok(Value::None)
}

/// `codecs.unregister(search_function)`: the first registration of it goes, and the
/// cache with it.
fn unregister(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [f] = Spec::method("_codecs", "unregister", Style::O, &["search_function"], 1)
        .bind::<1>(vm, &args, 0)?;
    let f = argspec::required(f);
    if let Some(i) = vm.codecs.search_path.iter().position(|g| g.is(&f)) {
        vm.codecs.search_path.remove(i);
        vm.codecs.cache.clear();
    }
    Ok(Value::None)
}

/// `_Py_normalize_encoding`: ASCII letters lowered, digits and `.` kept, every other run
/// of bytes one `_` between two kept characters.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut punct = false;
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            punct = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            punct = true;
        }
    }
    out
}

/// A str argument (`_PyArg_BadArgument`'s message: `which` is "" for a function of one
/// argument, `1` or `'encoding'` otherwise).
fn str_arg(vm: &Vm, v: &Value, func: &str, which: &str) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        _ => {
            let sep = if which.is_empty() { "" } else { " " };
            Err(vm.type_error(format!(
                "{func}() argument{sep}{which} must be str, not {}",
                super::super::builtins::type_name_of_arg(vm, v)
            )))
        }
    }
}

/// `codecs.lookup(encoding)` (`_PyCodec_Lookup`): the cached CodecInfo, else the first
/// search function's answer that is not None.
fn lookup(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] =
        Spec::method("_codecs", "lookup", Style::O, &["encoding"], 1).bind::<1>(vm, &args, 0)?;
    let name = str_arg(vm, &argspec::required(name), "lookup", "")?;
    codec_lookup(vm, &name)
}

pub fn codec_lookup(vm: &mut Vm, name: &str) -> PyResult<Value> {
    ensure_registry(vm)?;
    let key = normalize(name);
    if let Some(v) = vm.codecs.cache.get(&key) {
        return Ok(v.clone());
    }
    let path = vm.codecs.search_path.clone();
    for f in path {
        let r = vm.call(&f, Args::new(vec![Value::str(&key)]))?;
        if r.is_none() {
            continue;
        }
        if !matches!(r.builtin_value(), Value::Tuple(t) if t.len() == 4) {
            return Err(vm.type_error("codec search functions must return 4-tuples"));
        }
        vm.codecs.cache.insert(key, r.clone());
        return Ok(r);
    }
    Err(vm.err("LookupError", format!("unknown encoding: {name}")))
}

/// CPython imports `encodings` at start-up, which registers its search function.
fn ensure_registry(vm: &mut Vm) -> PyResult<()> {
    if !vm.codecs.search_path.is_empty() || vm.modules.get_str("encodings").is_some() {
        return Ok(());
    }
    if !vm.trace.sys_trace.is_none() {
        return Err(vm.unsupported(
            "the first codec lookup under a trace function (CPython imported encodings at start-up)",
        ));
    }
    super::super::import::import_name(vm, "encodings", None, &Value::None, 0)?;
    Ok(())
}

/// `codecs.encode(obj, encoding='utf-8', errors='strict')` and `decode`: the codec's
/// function, whose result must be a 2-tuple.
fn coder(vm: &mut Vm, args: &Args, func: &str, index: usize) -> PyResult<Value> {
    let [obj, encoding, errors] =
        Spec::function(func, Style::Keywords, &["obj", "encoding", "errors"], 1)
            .keywords(0, 3)
            .bind::<3>(vm, args, 0)?;
    let encoding = match encoding {
        Some(e) => str_arg(vm, &e, func, "'encoding'")?,
        None => Rc::from("utf-8"),
    };
    let info = codec_lookup(vm, &encoding)?;
    let f = match info.builtin_value() {
        Value::Tuple(t) => t[index].clone(),
        _ => return Err(vm.bug("a CodecInfo that is not a tuple")),
    };
    let mut call = vec![argspec::required(obj)];
    if let Some(e) = errors {
        str_arg(vm, &e, func, "'errors'")?;
        call.push(e);
    }
    let r = vm.call(&f, Args::new(call))?;
    match r.builtin_value() {
        Value::Tuple(t) if t.len() == 2 => Ok(t[0].clone()),
        _ => Err(vm.type_error(if index == 0 {
            "encoder must return a tuple (object, integer)"
        } else {
            "decoder must return a tuple (object,integer)"
        })),
    }
}

fn encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    coder(vm, &args, "encode", 0)
}

fn decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    coder(vm, &args, "decode", 1)
}

/// The built-in error handlers, by the names `codecs.lookup_error` knows them under.
const HANDLERS: &[(&str, &str, NativeFn)] = &[
    ("strict", "strict_errors", strict_errors),
    ("ignore", "ignore_errors", ignore_errors),
    ("replace", "replace_errors", replace_errors),
    (
        "xmlcharrefreplace",
        "xmlcharrefreplace_errors",
        xmlcharrefreplace_errors,
    ),
    (
        "backslashreplace",
        "backslashreplace_errors",
        backslashreplace_errors,
    ),
    ("namereplace", "namereplace_errors", namereplace_errors),
    ("surrogateescape", "surrogateescape", surrogateescape),
    ("surrogatepass", "surrogatepass", surrogatepass),
];

/// `codecs.strict_errors(exc)`: raises the exception it is given.
fn strict_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [exc] = Spec::function("strict_errors", Style::O, &["exc"], 1).bind::<1>(vm, &args, 0)?;
    let exc = argspec::required(exc);
    if vm.is_instance_of(&exc, "BaseException") {
        return Err(vm.raise(exc));
    }
    Err(vm.type_error("codec must pass exception instance"))
}

/// One built-in handler called on the exception it is given.
fn handler_call(vm: &mut Vm, args: &Args, name: &'static str) -> PyResult<Value> {
    let [exc] = Spec::function(name, Style::O, &["exc"], 1).bind::<1>(vm, args, 0)?;
    let handler = Handler::named(name.trim_end_matches("_errors"));
    textcodec::call_builtin(vm, &handler, &argspec::required(exc))
}

fn ignore_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "ignore_errors")
}

fn replace_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "replace_errors")
}

fn xmlcharrefreplace_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "xmlcharrefreplace_errors")
}

fn backslashreplace_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "backslashreplace_errors")
}

fn namereplace_errors(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "namereplace_errors")
}

fn surrogateescape(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "surrogateescape")
}

fn surrogatepass(vm: &mut Vm, args: Args) -> PyResult<Value> {
    handler_call(vm, &args, "surrogatepass")
}

/// `codecs.lookup_error(name)`.
fn lookup_error(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] =
        Spec::method("_codecs", "lookup_error", Style::O, &["name"], 1).bind::<1>(vm, &args, 0)?;
    let name = str_arg(vm, &argspec::required(name), "lookup_error", "")?;
    if let Some(h) = vm.codecs.errors.get(&*name) {
        return Ok(h.clone());
    }
    if let Some(&(_, fname, func)) = HANDLERS.iter().find(|(n, _, _)| **n == *name) {
        let h = Value::Builtin(Rc::new(super::super::object::Builtin {
            name: fname,
            owner: None,
            func,
            module: Some("_codecs"),
        }));
        vm.codecs.errors.insert(name.to_string(), h.clone());
        return Ok(h);
    }
    Err(vm.err(
        "LookupError",
        format!("unknown error handler name '{name}'"),
    ))
}

/// `codecs.register_error(name, handler)`.
fn register_error(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, handler] = Spec::method(
        "_codecs",
        "register_error",
        Style::Positional,
        &["errors", "handler"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let name = str_arg(vm, &argspec::required(name), "register_error", "1")?;
    let handler = argspec::required(handler);
    if !super::super::builtins::is_callable(vm, &handler) {
        return Err(vm.type_error("handler must be callable"));
    }
    vm.codecs.errors.insert(name.to_string(), handler);
    Ok(Value::None)
}

/// The text argument of an encoder.
fn text(vm: &Vm, v: &Value, func: &str) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(vm.type_error(format!(
            "{func}() argument 1 must be str, not {}",
            super::super::builtins::type_name_of_arg(vm, v)
        ))),
    }
}

/// The bytes-like argument of a decoder.
fn data(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    match v.builtin_value() {
        Value::Bytes(b) => Ok(b.to_vec()),
        other => match super::super::bytearray::as_bytearray(other) {
            Some(b) => Ok(b.data.borrow().clone()),
            None => Err(vm.type_error(format!(
                "a bytes-like object is required, not '{}'",
                vm.type_of(v).name()
            ))),
        },
    }
}

/// An encoder's `(str, errors=None)` arguments: the str and the handler's name.
fn encoder_args(vm: &mut Vm, args: &Args, func: &str) -> PyResult<(Value, String)> {
    let [s, errors] = Spec::method("_codecs", func, Style::Positional, &["str", "errors"], 1)
        .bind::<2>(vm, args, 0)?;
    let s = argspec::required(s);
    text(vm, &s, func)?;
    let errors = check_errors(vm, errors.as_ref(), func)?;
    Ok((s, errors))
}

/// A decoder's `(data, errors=None, final=False)` arguments (`final` only where the
/// codec takes it).
fn decoder_args(
    vm: &mut Vm,
    args: &Args,
    func: &str,
    with_final: bool,
) -> PyResult<(Vec<u8>, String, bool)> {
    let params: &[&str] = if with_final {
        &["data", "errors", "final"]
    } else {
        &["data", "errors"]
    };
    let bound = Spec::method("_codecs", func, Style::Positional, params, 1).parse(vm, args, 0)?;
    let bytes = data(vm, &argspec::required(bound[0].clone()))?;
    let errors = check_errors(vm, bound[1].as_ref(), func)?;
    let final_ = match bound.get(2).cloned().flatten() {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    Ok((bytes, errors, final_))
}

/// The errors argument: a str or None, which is "strict" (the handler is looked up only
/// when needed).
fn check_errors(vm: &Vm, errors: Option<&Value>, func: &str) -> PyResult<String> {
    match errors.map(Value::builtin_value) {
        None | Some(Value::None) => Ok("strict".to_owned()),
        Some(Value::Str(e)) => Ok(e.to_string()),
        Some(v) => Err(vm.type_error(format!(
            "{func}() argument 2 must be str or None, not {}",
            vm.type_of(v).name()
        ))),
    }
}

fn result(v: Value, n: usize) -> Value {
    Value::tuple(vec![v, Value::Int(n as i64)])
}

fn invalid(vm: &Vm, codec: &str, what: &str) -> Throw {
    vm.unsupported(format!(
        "a {what} error of the '{codec}' codec (UnicodeError objects)"
    ))
}

/// `utf_8_encode`, `latin_1_encode`, `ascii_encode`: `(bytes, characters consumed)`.
fn encode_with(vm: &mut Vm, args: &Args, func: &str, codec: Codec) -> PyResult<Value> {
    let (s, errors) = encoder_args(vm, args, func)?;
    let out = textcodec::encode(vm, &s, codec, &errors)?;
    let n = vm.len(&s)?;
    Ok(result(Value::Bytes(Rc::from(out)), n))
}

/// `utf_8_decode` (with `final`), `latin_1_decode`, `ascii_decode`: `(str, bytes
/// consumed)`.
fn decode_with(vm: &mut Vm, args: &Args, func: &str, codec: Codec) -> PyResult<Value> {
    let with_final = codec == Codec::Utf8;
    let (b, errors, final_) = decoder_args(vm, args, func, with_final)?;
    let (s, n) = textcodec::decode(vm, &b, codec, &errors, final_ || !with_final)?;
    Ok(result(Value::str(&s), n))
}

fn utf_8_encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    encode_with(vm, &args, "utf_8_encode", Codec::Utf8)
}

fn utf_8_decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    decode_with(vm, &args, "utf_8_decode", Codec::Utf8)
}

fn latin_1_encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    encode_with(vm, &args, "latin_1_encode", Codec::Latin1)
}

fn latin_1_decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    decode_with(vm, &args, "latin_1_decode", Codec::Latin1)
}

fn ascii_encode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    encode_with(vm, &args, "ascii_encode", Codec::Ascii)
}

fn ascii_decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    decode_with(vm, &args, "ascii_decode", Codec::Ascii)
}

/// `charmap_build(decoding_table)` (`PyUnicode_BuildEncodingMap`): a dict from code point
/// to byte when the table is one the two-level EncodingMap cannot hold (its first
/// character is not U+0000, a character is U+0000 or beyond the BMP, or the levels
/// overflow); an EncodingMap itself is unsupported.
fn charmap_build(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [map] =
        Spec::method("_codecs", "charmap_build", Style::O, &["map"], 1).bind::<1>(vm, &args, 0)?;
    let table: Vec<u32> = match argspec::required(map).builtin_value() {
        // The first 256 characters of a non-empty str.
        Value::Str(s) if !s.is_empty() => s.chars().take(256).map(u32::from).collect(),
        Value::Str(_) => return Err(vm.type_error("bad argument type for built-in operation")),
        other => {
            return Err(vm.type_error(format!(
                "charmap_build() argument must be str, not {}",
                super::super::builtins::type_name_of_arg(vm, other)
            )))
        }
    };
    let mut need_dict = table[0] != 0;
    let (mut level1, mut level2) = (
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    for &ch in &table[1..] {
        if need_dict || ch == 0 || ch > 0xFFFF {
            need_dict = true;
            break;
        }
        if ch == 0xFFFE {
            continue;
        }
        level1.insert(ch >> 11);
        level2.insert(ch >> 7);
    }
    if level1.len() >= 255 || level2.len() >= 255 {
        need_dict = true;
    }
    if !need_dict {
        return Err(vm.unsupported("_codecs.charmap_build of a table an EncodingMap holds"));
    }
    let d = Dict::new_rc();
    for (i, &ch) in table.iter().enumerate() {
        d.set(Value::Int(i64::from(ch)), Value::Int(i as i64))
            .map_err(|e| vm.unhashable(e))?;
    }
    Ok(Value::Dict(d))
}

/// `charmap_decode(data, errors=None, mapping=None)` with a decoding table of 256
/// characters, as the `encodings.cp*` modules pass; a dict mapping, or a byte the table
/// leaves undefined (U+FFFE), is unsupported.
fn charmap_decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let bound = Spec::method(
        "_codecs",
        "charmap_decode",
        Style::Positional,
        &["data", "errors", "mapping"],
        1,
    )
    .parse(vm, &args, 0)?;
    let b = data(vm, &argspec::required(bound[0].clone()))?;
    check_errors(vm, bound[1].as_ref(), "charmap_decode")?;
    let table: Vec<char> = match bound[2].clone().map(|v| v.builtin_value().clone()) {
        None | Some(Value::None) => (0..=255u8).map(char::from).collect(),
        Some(Value::Str(s)) => s.chars().collect(),
        Some(_) => return Err(vm.unsupported("charmap_decode with a mapping that is not a str")),
    };
    let mut out = String::with_capacity(b.len());
    for &x in &b {
        match table.get(usize::from(x)) {
            Some(&c) if c != '\u{fffe}' => out.push(c),
            _ => return Err(invalid(vm, "charmap", "decoding")),
        }
    }
    Ok(result(Value::str(&out), b.len()))
}
