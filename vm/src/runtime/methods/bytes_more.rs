//! The rest of the methods `bytes` and `bytearray` share (see `bytes`): decode, the hex
//! forms (`hex`, the class method `fromhex`), the ASCII case mappings and predicates of
//! `bytes_methods.c`, padding (`center`, `ljust`, `rjust`, `zfill`), `expandtabs`,
//! `translate` and the static method `maketrans`; and bytes' own `__bytes__` and
//! `__getnewargs__`.
//!
//! Decoding knows the codecs CPython decodes without its codec registry (`PyUnicode_Decode`'s
//! fast path: UTF-8, ASCII, Latin-1; see `textcodec`); other codecs are unsupported.

use std::rc::Rc;

use super::bytes::{buffer_of, is_space, kind_of, need_buffer, recv, spec, Kind};
use crate::runtime::argspec::{index, no_args, required, Spec, Style};
use crate::runtime::builtins::type_name_of_arg;
use crate::runtime::bytearray::as_bytearray;
use crate::runtime::heap;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::textcodec::{self, Codec};
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("bytes", "decode", decode),
    ("bytearray", "decode", decode),
    ("bytes", "hex", hex),
    ("bytearray", "hex", hex),
    ("bytes", "upper", upper),
    ("bytearray", "upper", upper),
    ("bytes", "lower", lower),
    ("bytearray", "lower", lower),
    ("bytes", "capitalize", capitalize),
    ("bytearray", "capitalize", capitalize),
    ("bytes", "title", title),
    ("bytearray", "title", title),
    ("bytes", "swapcase", swapcase),
    ("bytearray", "swapcase", swapcase),
    ("bytes", "isalnum", isalnum),
    ("bytearray", "isalnum", isalnum),
    ("bytes", "isalpha", isalpha),
    ("bytearray", "isalpha", isalpha),
    ("bytes", "isascii", isascii),
    ("bytearray", "isascii", isascii),
    ("bytes", "isdigit", isdigit),
    ("bytearray", "isdigit", isdigit),
    ("bytes", "islower", islower),
    ("bytearray", "islower", islower),
    ("bytes", "isspace", isspace),
    ("bytearray", "isspace", isspace),
    ("bytes", "istitle", istitle),
    ("bytearray", "istitle", istitle),
    ("bytes", "isupper", isupper),
    ("bytearray", "isupper", isupper),
    ("bytes", "center", center),
    ("bytearray", "center", center),
    ("bytes", "ljust", ljust),
    ("bytearray", "ljust", ljust),
    ("bytes", "rjust", rjust),
    ("bytearray", "rjust", rjust),
    ("bytes", "zfill", zfill),
    ("bytearray", "zfill", zfill),
    ("bytes", "expandtabs", expandtabs),
    ("bytearray", "expandtabs", expandtabs),
    ("bytes", "translate", translate),
    ("bytearray", "translate", translate),
    ("bytes", "__bytes__", dunder_bytes),
    ("bytes", "__getnewargs__", getnewargs),
];

/// `METH_CLASS` methods: (type, name, function).
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("bytes", "fromhex", fromhex),
    ("bytearray", "fromhex", fromhex),
];

/// `METH_STATIC` methods: (type, name, function).
pub const STATIC_METHODS: &[(&str, &str, NativeFn)] = &[
    ("bytes", "maketrans", maketrans),
    ("bytearray", "maketrans", maketrans),
];

/// `bytes.decode(encoding='utf-8', errors='strict')`.
fn decode(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [encoding, errors] = spec(&args, "decode", Style::Keywords, &["encoding", "errors"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let text = |v: Option<Value>, what: &str| -> PyResult<Option<Rc<str>>> {
        match v.as_ref().map(Value::builtin_value) {
            None => Ok(None),
            Some(Value::Str(t)) => Ok(Some(t.clone())),
            Some(other) => Err(vm.type_error(format!(
                "decode() argument '{what}' must be str, not {}",
                type_name_of_arg(vm, other)
            ))),
        }
    };
    let encoding = text(encoding, "encoding")?;
    let errors = text(errors, "errors")?;
    let (data, _) = recv(vm, &args)?;
    let s = decode_bytes(vm, &data, encoding.as_deref(), errors.as_deref())?;
    Ok(Value::str(&s))
}

/// `data` decoded as CPython's `PyUnicode_Decode(data, encoding, errors)` decodes it, for
/// the codecs the VM has without the registry (`textcodec`; others are unsupported).
pub fn decode_bytes(
    vm: &mut Vm,
    data: &[u8],
    encoding: Option<&str>,
    errors: Option<&str>,
) -> PyResult<String> {
    let codec = match encoding {
        None => Codec::Utf8,
        Some(e) => Codec::named(e).ok_or_else(|| {
            vm.unsupported(format!(
                "decoding with encoding {}",
                crate::runtime::standins::repr(e)
            ))
        })?,
    };
    let (s, _) = textcodec::decode(vm, data, codec, errors.unwrap_or("strict"), true)?;
    Ok(s)
}

/// `hex([sep[, bytes_per_sep]])` (CPython `_Py_strhex_impl`).
fn hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [sep, per] = spec(&args, "hex", Style::Keywords, &["sep", "bytes_per_sep"], 0)
        .keywords(0, 2)
        .bind(vm, &args, 1)?;
    let (data, _) = recv(vm, &args)?;
    strhex(vm, &data, sep, per)
}

/// `_Py_strhex_with_sep`: `data` in hex digits, `sep` between groups of `per` bytes
/// (`bytes.hex`, `bytearray.hex` and `memoryview.hex` share it).
pub fn strhex(vm: &mut Vm, data: &[u8], sep: Option<Value>, per: Option<Value>) -> PyResult<Value> {
    let per = match per {
        None => 1,
        Some(v) => c_int(vm, &v)?,
    };
    let sep = match sep {
        None => None,
        Some(v) => Some(hex_sep(vm, &v)?),
    };
    let digits = |b: &u8| format!("{b:02x}");
    let group = per.unsigned_abs() as usize;
    let Some(sep) = sep.filter(|_| group != 0 && data.len() > group) else {
        return Ok(Value::str(&data.iter().map(digits).collect::<String>()));
    };
    // A positive count groups from the right, a negative one from the left.
    let chunks: Vec<&[u8]> = if per > 0 {
        let head = data.len() % group;
        let mut v: Vec<&[u8]> = Vec::new();
        if head > 0 {
            v.push(&data[..head]);
        }
        v.extend(data[head..].chunks(group));
        v
    } else {
        data.chunks(group).collect()
    };
    let parts: Vec<String> = chunks
        .iter()
        .map(|c| c.iter().map(digits).collect())
        .collect();
    Ok(Value::str(&parts.join(&sep.to_string())))
}

/// An argument of Argument Clinic's `int` converter (`_PyLong_AsInt`).
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let i = match vm.number_index(v)? {
        Value::Int(i) => i,
        _ => i64::MAX,
    };
    i32::try_from(i)
        .map_err(|_| vm.err("OverflowError", "Python int too large to convert to C int"))
}

/// `hex`'s separator: one ASCII character, as a str or bytes.
fn hex_sep(vm: &mut Vm, v: &Value) -> PyResult<char> {
    let n = vm.len(v)?;
    if n != 1 {
        return Err(vm.value_error("sep must be length 1."));
    }
    match v.builtin_value() {
        Value::Str(s) => match s.chars().next() {
            Some(c) if c.is_ascii() => Ok(c),
            _ => Err(vm.value_error("sep must be ASCII.")),
        },
        Value::Bytes(b) if b[0].is_ascii() => Ok(char::from(b[0])),
        // CPython reads the byte as a C `char`, whatever it holds.
        Value::Bytes(_) => Err(vm.unsupported("a bytes separator beyond ASCII in hex()")),
        _ => Err(vm.type_error("sep must be str or bytes.")),
    }
}

/// `bytes.fromhex(string)` / `bytearray.fromhex(string)` (CPython `_PyBytes_FromHex`).
fn fromhex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let cls = match args.pos.first() {
        Some(Value::Type(t)) => t.clone(),
        _ => return Err(vm.bug("fromhex without its class")),
    };
    let owner: &'static str = if cls.is_subtype(&vm.ty("bytearray")) {
        "bytearray"
    } else {
        "bytes"
    };
    let [string] = Spec::method(owner, "fromhex", Style::O, &["string"], 1).bind(vm, &args, 1)?;
    let string = required(string);
    let Value::Str(s) = string.builtin_value() else {
        return Err(vm.type_error(format!(
            "fromhex() argument must be str, not {}",
            vm.type_of(&string).name()
        )));
    };
    let bad = |at: usize| {
        vm.value_error(format!(
            "non-hexadecimal number found in fromhex() arg at position {at}"
        ))
    };
    if let Some(at) = s.chars().position(|c| !c.is_ascii()) {
        return Err(bad(at));
    }
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).and_then(|c| char::from(*c).to_digit(16));
    let mut out = Vec::with_capacity(b.len() / 2);
    let mut i = 0;
    while i < b.len() {
        if is_space(b[i]) {
            i += 1;
            continue;
        }
        let top = digit(i).ok_or_else(|| bad(i))?;
        let bot = digit(i + 1).ok_or_else(|| bad(i + 1))?;
        out.push((top * 16 + bot) as u8);
        i += 2;
    }
    let made = if owner == "bytes" {
        Kind::Bytes.make(out)
    } else {
        Kind::ByteArray.make(out)
    };
    if Rc::ptr_eq(&cls, &vm.ty(owner)) {
        return Ok(made);
    }
    // A subclass: `type(result)`, as CPython calls it.
    vm.call(&Value::Type(cls), Args::new(vec![made]))
}

/// A method taking no arguments that maps each byte.
fn map(vm: &mut Vm, args: Args, name: &str, f: fn(&[u8]) -> Vec<u8>) -> PyResult<Value> {
    no_args(vm, &args, kind_of(&args).name(), name)?;
    let (data, kind) = recv(vm, &args)?;
    Ok(kind.make(f(&data)))
}

fn upper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    map(vm, args, "upper", |d| d.to_ascii_uppercase())
}

fn lower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    map(vm, args, "lower", |d| d.to_ascii_lowercase())
}

fn swapcase(vm: &mut Vm, args: Args) -> PyResult<Value> {
    map(vm, args, "swapcase", |d| {
        d.iter()
            .map(|&c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

/// `_Py_bytes_capitalize`: the first byte upper-cased, the rest lower-cased.
fn capitalize(vm: &mut Vm, args: Args) -> PyResult<Value> {
    map(vm, args, "capitalize", |d| {
        d.iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

/// `_Py_bytes_title`: each run of cased bytes starts upper case.
fn title(vm: &mut Vm, args: Args) -> PyResult<Value> {
    map(vm, args, "title", |d| {
        let mut previous_cased = false;
        d.iter()
            .map(|&c| {
                if c.is_ascii_lowercase() {
                    let r = if previous_cased {
                        c
                    } else {
                        c.to_ascii_uppercase()
                    };
                    previous_cased = true;
                    r
                } else if c.is_ascii_uppercase() {
                    let r = if previous_cased {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    };
                    previous_cased = true;
                    r
                } else {
                    previous_cased = false;
                    c
                }
            })
            .collect()
    })
}

/// A predicate taking no arguments.
fn test(vm: &mut Vm, args: Args, name: &str, f: fn(&[u8]) -> bool) -> PyResult<Value> {
    no_args(vm, &args, kind_of(&args).name(), name)?;
    let (data, _) = recv(vm, &args)?;
    Ok(Value::Bool(f(&data)))
}

fn isalnum(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isalnum", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_alphanumeric)
    })
}

fn isalpha(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isalpha", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_alphabetic)
    })
}

fn isascii(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isascii", |d| d.is_ascii())
}

fn isdigit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isdigit", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_digit)
    })
}

fn isspace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isspace", |d| {
        !d.is_empty() && d.iter().all(|&c| is_space(c))
    })
}

fn islower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "islower", |d| {
        d.iter().any(u8::is_ascii_lowercase) && !d.iter().any(u8::is_ascii_uppercase)
    })
}

fn isupper(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "isupper", |d| {
        d.iter().any(u8::is_ascii_uppercase) && !d.iter().any(u8::is_ascii_lowercase)
    })
}

/// `_Py_bytes_istitle`: upper case only after an uncased byte, lower case only after a
/// cased one, and something cased.
fn istitle(vm: &mut Vm, args: Args) -> PyResult<Value> {
    test(vm, args, "istitle", |d| {
        let (mut cased, mut previous_cased) = (false, false);
        for &c in d {
            if c.is_ascii_uppercase() {
                if previous_cased {
                    return false;
                }
                previous_cased = true;
                cased = true;
            } else if c.is_ascii_lowercase() {
                if !previous_cased {
                    return false;
                }
                previous_cased = true;
                cased = true;
            } else {
                previous_cased = false;
            }
        }
        cased
    })
}

/// `width` and `fillchar` of center, ljust and rjust, and the receiver.
fn pad_args(vm: &mut Vm, args: &Args, name: &'static str) -> PyResult<(Vec<u8>, Kind, usize, u8)> {
    let [width, fill] =
        spec(args, name, Style::Positional, &["width", "fillchar"], 1).bind(vm, args, 1)?;
    let width = index(vm, &required(width))?;
    let fill = match fill {
        None => b' ',
        // Argument Clinic's `char` converter: bytes or a bytearray of length 1.
        Some(v) => match (v.builtin_value(), buffer_of(&v)) {
            (Value::Bytes(_), Some(b)) if b.len() == 1 => b[0],
            (x, Some(b)) if b.len() == 1 && as_bytearray(x).is_some() => b[0],
            _ => {
                return Err(vm.type_error(format!(
                    "{name}() argument 2 must be a byte string of length 1, not {}",
                    type_name_of_arg(vm, &v)
                )))
            }
        },
    };
    let (data, kind) = recv(vm, args)?;
    let width = usize::try_from(width).unwrap_or(0).max(data.len());
    check_size(vm, kind, width)?;
    Ok((data, kind, width, fill))
}

/// Refuses a result of `n` bytes as CPython does: `_PyBytes_FromSize`'s OverflowError
/// within 33 bytes of `PY_SSIZE_T_MAX`, else a MemoryError or the VM's heap limit.
fn check_size(vm: &Vm, kind: Kind, n: usize) -> PyResult<()> {
    if kind == Kind::Bytes && n as u128 > i64::MAX as u128 - 33 {
        return Err(vm.err("OverflowError", "byte string is too large"));
    }
    vm.before_alloc(heap::bytes_block(n as u128), n as u128)
}

/// `pad` of `stringlib/transmogrify.h`: `left` and `right` fill bytes around `data`.
fn padded(data: &[u8], left: usize, right: usize, fill: u8) -> Vec<u8> {
    let mut out = vec![fill; left];
    out.extend_from_slice(data);
    out.extend(std::iter::repeat_n(fill, right));
    out
}

fn center(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (data, kind, width, fill) = pad_args(vm, &args, "center")?;
    let marg = width - data.len();
    let left = marg / 2 + (marg & width & 1);
    Ok(kind.make(padded(&data, left, marg - left, fill)))
}

fn ljust(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (data, kind, width, fill) = pad_args(vm, &args, "ljust")?;
    Ok(kind.make(padded(&data, 0, width - data.len(), fill)))
}

fn rjust(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (data, kind, width, fill) = pad_args(vm, &args, "rjust")?;
    Ok(kind.make(padded(&data, width - data.len(), 0, fill)))
}

/// `zfill(width)`: zeros on the left, after a leading sign.
fn zfill(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [width] = spec(&args, "zfill", Style::O, &["width"], 1).bind(vm, &args, 1)?;
    let width = index(vm, &required(width))?;
    let (data, kind) = recv(vm, &args)?;
    let width = usize::try_from(width).unwrap_or(0).max(data.len());
    check_size(vm, kind, width)?;
    let fill = width - data.len();
    let mut out = padded(&data, fill, 0, b'0');
    // CPython reads the terminating NUL past an empty receiver.
    if fill > 0 && fill < out.len() && matches!(out[fill], b'+' | b'-') {
        out[0] = out[fill];
        out[fill] = b'0';
    }
    Ok(kind.make(out))
}

/// `expandtabs(tabsize=8)`: tabs to spaces up to the next multiple of the size, the
/// column reset by `\n` and `\r`.
fn expandtabs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [tabsize] = spec(&args, "expandtabs", Style::Keywords, &["tabsize"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let tabsize = match tabsize {
        Some(v) => i64::from(c_int(vm, &v)?),
        None => 8,
    };
    let (data, kind) = recv(vm, &args)?;
    // The result's size first, as CPython computes it.
    let (mut size, mut col) = (0u128, 0u128);
    for &c in &data {
        if c == b'\t' {
            if tabsize > 0 {
                let incr = tabsize as u128 - col % tabsize as u128;
                col += incr;
                size += incr;
            }
        } else {
            size += 1;
            col += 1;
            if c == b'\n' || c == b'\r' {
                col = 0;
            }
        }
    }
    if size > i64::MAX as u128 {
        return Err(vm.err("OverflowError", "result too long"));
    }
    vm.before_alloc(heap::bytes_block(size), size)?;
    let mut out = Vec::with_capacity(size as usize);
    let mut col = 0usize;
    for &c in &data {
        if c == b'\t' {
            if tabsize > 0 {
                let incr = tabsize as usize - col % tabsize as usize;
                out.extend(std::iter::repeat_n(b' ', incr));
                col += incr;
            }
        } else {
            out.push(c);
            col += 1;
            if c == b'\n' || c == b'\r' {
                col = 0;
            }
        }
    }
    Ok(kind.make(out))
}

/// `translate(table, /, delete=b'')`: bytes in `delete` dropped, the others mapped
/// through the 256-byte table (None: unchanged).
fn translate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [table, delete] = spec(&args, "translate", Style::Keywords, &["table", "delete"], 1)
        .keywords(1, 2)
        .bind(vm, &args, 1)?;
    let table = match required(table) {
        Value::None => None,
        t => {
            let t = need_buffer(vm, &t)?;
            if t.len() != 256 {
                return Err(vm.value_error("translation table must be 256 characters long"));
            }
            Some(t)
        }
    };
    let delete = match delete {
        Some(d) => need_buffer(vm, &d)?,
        None => Vec::new(),
    };
    let (data, kind) = recv(vm, &args)?;
    let out = data
        .iter()
        .filter(|c| !delete.contains(c))
        .map(|&c| table.as_ref().map_or(c, |t| t[usize::from(c)]))
        .collect();
    Ok(kind.make(out))
}

/// `bytes.maketrans(frm, to)`: the identity table with `frm`'s bytes mapped to `to`'s.
fn maketrans(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [frm, to] =
        Spec::function("maketrans", Style::Positional, &["frm", "to"], 2).bind(vm, &args, 1)?;
    let frm = need_buffer(vm, &required(frm))?;
    let to = need_buffer(vm, &required(to))?;
    if frm.len() != to.len() {
        return Err(vm.value_error("maketrans arguments must have same length"));
    }
    let mut table: Vec<u8> = (0..=255).collect();
    for (f, t) in frm.into_iter().zip(to) {
        table[usize::from(f)] = t;
    }
    Ok(Value::Bytes(Rc::from(table)))
}

/// `bytes.__bytes__()`: the exact bytes (a subclass instance's payload).
fn dunder_bytes(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "bytes", "__bytes__")?;
    let (data, _) = recv(vm, &args)?;
    Ok(Value::Bytes(Rc::from(data)))
}

/// `bytes.__getnewargs__()`: `(bytes(self),)`.
fn getnewargs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "bytes", "__getnewargs__")?;
    let (data, _) = recv(vm, &args)?;
    Ok(Value::tuple(vec![Value::Bytes(Rc::from(data))]))
}
