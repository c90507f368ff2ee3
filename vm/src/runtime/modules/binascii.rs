//! `binascii` (CPython `Modules/binascii.c`), which `zipfile` imports: `Error` (a
//! ValueError) and `Incomplete`, and the conversions the standard library's import-time
//! code and its common paths use — `crc32`, `crc_hqx`, `hexlify`/`b2a_hex` without a
//! separator, `unhexlify`/`a2b_hex`, `b2a_base64` and `a2b_base64` outside strict mode —
//! computed as binascii.c does. The uu and quoted-printable codecs, a hex separator and
//! strict base64 are not implemented yet: unsupported when called.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::methods::bytes::need_buffer;
use super::super::object::{Args, NativeFn, Value};
use super::super::{PyResult, Throw};
use super::fcntl::c_int;

/// CPython's `binascii.__doc__`.
const DOC: &str = "Conversion between binary data and ASCII";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "binascii", FUNCTIONS);
    let classes = super::super::classes::exception_class;
    let error = classes("Error", "binascii", vec![vm.ty("ValueError")]);
    d.set_str("Error", Value::Type(error));
    let incomplete = classes("Incomplete", "binascii", vec![vm.ty("Exception")]);
    d.set_str("Incomplete", Value::Type(incomplete));
}

/// The module's functions, in CPython's order.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("a2b_uu", not_yet),
    ("b2a_uu", not_yet),
    ("a2b_base64", a2b_base64),
    ("b2a_base64", b2a_base64),
    ("a2b_hex", a2b_hex),
    ("b2a_hex", b2a_hex),
    ("hexlify", hexlify),
    ("unhexlify", unhexlify),
    ("crc_hqx", crc_hqx),
    ("crc32", crc32),
    ("a2b_qp", not_yet),
    ("b2a_qp", not_yet),
];

fn not_yet(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("binascii's uu and quoted-printable codecs (not implemented yet)"))
}

/// `binascii.Error(msg)`, the class from the module's namespace (its state in CPython).
fn error(vm: &Vm, msg: &str) -> Throw {
    match vm.modules.get_str("binascii") {
        Some(Value::Module(m)) => match m.dict.get_str("Error") {
            Some(Value::Type(t)) => {
                let exc = vm.new_exception(&t, vec![Value::str(msg)]);
                vm.raise(exc)
            }
            _ => vm.unsupported("binascii.Error once it has left the module"),
        },
        _ => vm.unsupported("binascii.Error once binascii has left sys.modules"),
    }
}

/// `ascii_buffer_converter`: an ASCII str or a bytes-like object.
fn ascii_data(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Value::Str(s) = v.builtin_value() {
        if !s.is_ascii() {
            return Err(vm.value_error("string argument should contain only ASCII characters"));
        }
        return Ok(s.as_bytes().to_vec());
    }
    need_buffer(vm, v).map_err(|_| {
        vm.type_error(format!(
            "argument should be bytes, buffer or ASCII string, not '{}'",
            vm.type_of(v).name()
        ))
    })
}

/// `PyLong_AsUnsignedLongMask` truncated to 32 bits (`unsigned_int(bitwise=True)`).
fn unsigned_mask(vm: &mut Vm, v: &Value) -> PyResult<u32> {
    match v.builtin_value() {
        Value::Int(i) => Ok(*i as u32),
        Value::Bool(b) => Ok(u32::from(*b)),
        Value::BigInt(b) => {
            let m = &**b & num_bigint::BigInt::from(u32::MAX);
            Ok(u32::try_from(m).unwrap_or(0))
        }
        Value::Object(_) | Value::Native(_) if vm.has_index(v) => {
            let i = vm.number_index(v)?;
            unsigned_mask(vm, &i)
        }
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("'{n}' object cannot be interpreted as an integer")))
        }
    }
}

/// `crc32(data, crc=0, /)`: zlib's CRC-32.
fn crc32(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, crc] = Spec::method("binascii", "crc32", Style::Positional, &["data", "crc"], 1)
        .bind::<2>(vm, &args, 0)?;
    let data = need_buffer(vm, &data.unwrap_or_default())?;
    let crc = match crc {
        Some(c) => unsigned_mask(vm, &c)?,
        None => 0,
    };
    let mut c = !crc;
    for &b in &data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    Ok(Value::Int(i64::from(!c)))
}

/// `crc_hqx(data, crc, /)`: the CRC-CCITT of binhex4 (polynomial 0x1021, MSB first).
fn crc_hqx(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, crc] = Spec::method(
        "binascii",
        "crc_hqx",
        Style::Positional,
        &["data", "crc"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let data = need_buffer(vm, &data.unwrap_or_default())?;
    let mut c = unsigned_mask(vm, &crc.unwrap_or_default())? & 0xffff;
    for &b in &data {
        c ^= u32::from(b) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            } & 0xffff;
        }
    }
    Ok(Value::Int(i64::from(c)))
}

/// `hexlify(data, sep=<unrepresentable>, bytes_per_sep=1)`.
fn hexlify(vm: &mut Vm, args: Args) -> PyResult<Value> {
    to_hex(vm, args, "hexlify")
}

/// `b2a_hex(data, sep=<unrepresentable>, bytes_per_sep=1)`.
fn b2a_hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    to_hex(vm, args, "b2a_hex")
}

fn to_hex(vm: &mut Vm, args: Args, name: &str) -> PyResult<Value> {
    let params = &["data", "sep", "bytes_per_sep"];
    let [data, sep, per] = Spec::function(name, Style::Keywords, params, 1)
        .keywords(0, 3)
        .bind::<3>(vm, &args, 0)?;
    let data = need_buffer(vm, &data.unwrap_or_default())?;
    if let Some(p) = per {
        c_int(vm, &p)?;
    }
    if sep.is_some() {
        return Err(vm.unsupported(format!("binascii.{name} with a separator")));
    }
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Value::Bytes(Rc::from(hex.as_bytes())))
}

/// `unhexlify(hexstr, /)`.
fn unhexlify(vm: &mut Vm, args: Args) -> PyResult<Value> {
    from_hex(vm, args, "unhexlify")
}

/// `a2b_hex(hexstr, /)`.
fn a2b_hex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    from_hex(vm, args, "a2b_hex")
}

fn from_hex(vm: &mut Vm, args: Args, name: &str) -> PyResult<Value> {
    let [hexstr] =
        Spec::method("binascii", name, Style::O, &["hexstr"], 1).bind::<1>(vm, &args, 0)?;
    let text = ascii_data(vm, &hexstr.unwrap_or_default())?;
    if text.len() % 2 == 1 {
        return Err(error(vm, "Odd-length string"));
    }
    let digit = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(text.len() / 2);
    for pair in text.chunks(2) {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            _ => return Err(error(vm, "Non-hexadecimal digit found")),
        }
    }
    Ok(Value::Bytes(Rc::from(out)))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `b2a_base64(data, /, *, newline=True)`.
fn b2a_base64(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data, newline] = Spec::function("b2a_base64", Style::Keywords, &["data", "newline"], 1)
        .keywords(1, 1)
        .bind::<2>(vm, &args, 0)?;
    let data = need_buffer(vm, &data.unwrap_or_default())?;
    let newline = match newline {
        Some(n) => vm.truthy(&n)?,
        None => true,
    };
    let mut out = Vec::with_capacity(data.len() / 3 * 4 + 5);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    if newline {
        out.push(b'\n');
    }
    Ok(Value::Bytes(Rc::from(out)))
}

/// `a2b_base64(data, /, *, strict_mode=False)`: binascii.c's loop, which skips what is
/// not in the alphabet and stops at a complete pad.
fn a2b_base64(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["data", "strict_mode"];
    let [data, strict] = Spec::function("a2b_base64", Style::Keywords, params, 1)
        .keywords(1, 1)
        .bind::<2>(vm, &args, 0)?;
    let data = ascii_data(vm, &data.unwrap_or_default())?;
    if let Some(s) = strict {
        if vm.truthy(&s)? {
            return Err(vm.unsupported("binascii.a2b_base64 in strict mode"));
        }
    }
    let value = |c: u8| BASE64.iter().position(|&x| x == c).map(|p| p as u8);
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let (mut quad_pos, mut pads, mut left) = (0u8, 0u8, 0u8);
    for &ch in &data {
        if ch == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Ok(Value::Bytes(Rc::from(out)));
                }
            }
            continue;
        }
        let Some(v) = value(ch) else { continue };
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push((left << 6) | v);
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(Value::Bytes(Rc::from(out))),
        1 => Err(error(
            vm,
            &format!(
                "Invalid base64-encoded string: number of data characters ({}) cannot be 1 \
                 more than a multiple of 4",
                out.len() / 3 * 4 + 1
            ),
        )),
        _ => Err(error(vm, "Incorrect padding")),
    }
}
