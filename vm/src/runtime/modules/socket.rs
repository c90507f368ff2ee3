//! `_socket` (CPython `Modules/socketmodule.c`): the socket type `socket.py` derives from,
//! the module's int constants (CPython's on this machine, `cpython_names::SOCKET_INTS`),
//! its exception types and its functions. The VM is a sandbox without a network: a socket
//! object is a `socketpair`'s, in memory (`sockobj`); resolving names, reading the system's
//! service and protocol tables, the host name and the interfaces are present and
//! unsupported when called (`SANDBOXED`); what is pure computation is CPython's: the
//! byte-order functions,
//! `inet_aton`/`inet_ntoa`/`inet_pton`/`inet_ntop` as glibc parses and prints addresses,
//! `CMSG_LEN`/`CMSG_SPACE`, and the default timeout.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::cpython_names;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::types::Type;
use super::super::PyResult;

/// CPython's `_socket.__doc__`.
const DOC: &str = "Implementation module for socket operations.

See the socket module for documentation.";

/// The types `_socket` defines, by the VM's names for them (`_socket.socket`).
pub const TYPES: &[&str] = &["socket"];

/// `AF_INET` and `AF_INET6` on Linux: the families `inet_pton` and `inet_ntop` know.
const AF_INET: i64 = 2;
const AF_INET6: i64 = 10;

/// `EAFNOSUPPORT`: glibc's `inet_pton` for another family.
const EAFNOSUPPORT: i64 = 97;

/// `SOCKLEN_T_LIMIT` (socklen_t's range as socketmodule.c bounds it: INT_MAX) and
/// `CMSG_LEN(0)`, `CMSG_SPACE(1)` with glibc's 16-byte `struct cmsghdr`, 8-byte aligned.
const SOCKLEN_T_LIMIT: i64 = i32::MAX as i64;
const CMSGHDR: i64 = 16;
const CMSG_ALIGN: i64 = 8;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_socket", FUNCTIONS);
    // socket_exec's order: the exceptions, the type, has_ipv6, the capsule, the constants.
    d.set_str("herror", Value::Type(error_type(vm, "herror")));
    d.set_str("gaierror", Value::Type(error_type(vm, "gaierror")));
    d.set_str("error", Value::Type(vm.ty("OSError")));
    d.set_str("timeout", Value::Type(vm.ty("TimeoutError")));
    d.set_str("SocketType", Value::Type(vm.ty("socket")));
    d.set_str("socket", Value::Type(vm.ty("socket")));
    d.set_str("has_ipv6", Value::Bool(true));
    d.set_str(
        "CAPI",
        super::super::subclass::plain_instance(&vm.ty("PyCapsule")),
    );
    for &(name, v) in cpython_names::SOCKET_INTS {
        d.set_str(name, Value::Int(v));
    }
}

/// `socket.herror` and `socket.gaierror`: `PyErr_NewException("socket.NAME", OSError)`.
fn error_type(vm: &Vm, name: &str) -> Rc<Type> {
    super::super::classes::exception_class(name, "socket", vec![vm.ty("OSError")])
}

/// The module's functions, in CPython's order.
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("gethostbyname", gethostbyname),
    ("gethostbyname_ex", gethostbyname_ex),
    ("gethostbyaddr", gethostbyaddr),
    ("gethostname", gethostname),
    ("sethostname", sethostname),
    ("getservbyname", getservbyname),
    ("getservbyport", getservbyport),
    ("getprotobyname", getprotobyname),
    ("close", close),
    ("dup", dup),
    ("socketpair", super::sockobj::socketpair),
    ("ntohs", ntohs),
    ("ntohl", ntohl),
    ("htons", htons),
    ("htonl", htonl),
    ("inet_aton", inet_aton),
    ("inet_ntoa", inet_ntoa),
    ("inet_pton", inet_pton),
    ("inet_ntop", inet_ntop),
    ("getaddrinfo", getaddrinfo),
    ("getnameinfo", getnameinfo),
    ("getdefaulttimeout", getdefaulttimeout),
    ("setdefaulttimeout", setdefaulttimeout),
    ("if_nameindex", if_nameindex),
    ("if_nametoindex", if_nametoindex),
    ("if_indextoname", if_indextoname),
    ("CMSG_LEN", cmsg_len),
    ("CMSG_SPACE", cmsg_space),
];

/// The functions that reach the system (the network, the resolver, the host's tables and
/// descriptors): placeholders the differential table of natives leaves out.
pub const SANDBOXED: &[&str] = &[
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "gethostname",
    "sethostname",
    "getservbyname",
    "getservbyport",
    "getprotobyname",
    "close",
    "dup",
    "socketpair",
    "getaddrinfo",
    "getnameinfo",
    "if_nameindex",
    "if_nametoindex",
    "if_indextoname",
];

/// The verdict for what needs the network or the host: the VM is a sandbox.
fn sandboxed(vm: &Vm, what: &str) -> super::super::Throw {
    vm.unsupported(format!(
        "_socket.{what} (the VM is a sandbox: it has no network and no host to ask)"
    ))
}

macro_rules! sandboxed_functions {
    ($($f:ident),*) => {
        $(fn $f(vm: &mut Vm, _args: Args) -> PyResult<Value> {
            Err(sandboxed(vm, stringify!($f)))
        })*
    };
}

sandboxed_functions!(
    gethostbyname,
    gethostbyname_ex,
    gethostbyaddr,
    gethostname,
    sethostname,
    getservbyname,
    getservbyport,
    getprotobyname,
    close,
    dup,
    getaddrinfo,
    getnameinfo,
    if_nameindex,
    if_nametoindex,
    if_indextoname
);

/// The argument of `ntohs`/`htons`: the `i` format (`PyLong_AsLong` after `__index__`,
/// then C int's range), then the 16-bit range with messages naming the function.
fn uint16(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<u16> {
    let Value::Int(i) = vm.number_index(v)? else {
        return Err(vm.err("OverflowError", "Python int too large to convert to C long"));
    };
    // getargs.c's `i` format.
    if i > i64::from(i32::MAX) {
        return Err(vm.err("OverflowError", "signed integer is greater than maximum"));
    }
    if i < i64::from(i32::MIN) {
        return Err(vm.err("OverflowError", "signed integer is less than minimum"));
    }
    if i < 0 {
        return Err(vm.err(
            "OverflowError",
            format!("{fname}: can't convert negative Python int to C 16-bit unsigned integer"),
        ));
    }
    u16::try_from(i).map_err(|_| {
        vm.err(
            "OverflowError",
            format!("{fname}: Python int too large to convert to C 16-bit unsigned integer"),
        )
    })
}

/// The uint32 converter of `ntohl`/`htonl` (`_PyLong_UInt32_Converter`): an int only (no
/// `__index__`), through `PyLong_AsUnsignedLong`, then 32 bits.
fn uint32(vm: &Vm, v: &Value) -> PyResult<u32> {
    use num_traits::{Signed, ToPrimitive};
    let big = match v.builtin_value() {
        Value::Int(i) => num_bigint::BigInt::from(*i),
        Value::Bool(b) => num_bigint::BigInt::from(u8::from(*b)),
        Value::BigInt(b) => (**b).clone(),
        _ => {
            let n = vm.type_of(v).name().clone();
            return Err(vm.type_error(format!("expected int, {n} found")));
        }
    };
    if big.is_negative() {
        return Err(vm.err(
            "OverflowError",
            "can't convert negative value to unsigned int",
        ));
    }
    let Some(u) = big.to_u64() else {
        return Err(vm.err(
            "OverflowError",
            "Python int too large to convert to C unsigned long",
        ));
    };
    u32::try_from(u).map_err(|_| vm.err("OverflowError", "int larger than 32 bits"))
}

/// `ntohs(x, /)`: on this little-endian machine, the bytes swapped.
fn ntohs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = Spec::function("ntohs", Style::ParseTuple, &["x"], 1).bind::<1>(vm, &args, 0)?;
    let x = uint16(vm, &x.unwrap_or_default(), "ntohs")?;
    Ok(Value::Int(i64::from(u16::from_be(x))))
}

fn htons(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = Spec::function("htons", Style::ParseTuple, &["x"], 1).bind::<1>(vm, &args, 0)?;
    let x = uint16(vm, &x.unwrap_or_default(), "htons")?;
    Ok(Value::Int(i64::from(x.to_be())))
}

fn ntohl(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = Spec::method("_socket", "ntohl", Style::O, &["x"], 1).bind::<1>(vm, &args, 0)?;
    let x = uint32(vm, &x.unwrap_or_default())?;
    Ok(Value::Int(i64::from(u32::from_be(x))))
}

fn htonl(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = Spec::method("_socket", "htonl", Style::O, &["x"], 1).bind::<1>(vm, &args, 0)?;
    let x = uint32(vm, &x.unwrap_or_default())?;
    Ok(Value::Int(i64::from(x.to_be())))
}

/// A `str` argument converted to a C string (the `s` format and Argument Clinic's `str`):
/// `fname() argument N must be str, not T`, and no NUL inside.
fn c_string(vm: &Vm, v: &Value, fname: &str, n: usize) -> PyResult<Rc<str>> {
    let Value::Str(s) = v.builtin_value() else {
        let t = super::super::builtins::type_name_of_arg(vm, v);
        return Err(vm.type_error(format!("{fname}() argument {n} must be str, not {t}")));
    };
    if s.contains('\0') {
        return Err(vm.value_error("embedded null character"));
    }
    Ok(s.clone())
}

/// The bytes of a bytes-like argument (`Py_buffer`, the `y*` format).
fn buffer(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    super::super::methods::bytes::buffer_of(v).ok_or_else(|| {
        let n = vm.type_of(v).name().clone();
        vm.type_error(format!("a bytes-like object is required, not '{n}'"))
    })
}

/// `inet_aton(ip_addr, /)`: glibc's `inet_aton`.
fn inet_aton(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ip] =
        Spec::function("inet_aton", Style::ParseTuple, &["ip_addr"], 1).bind::<1>(vm, &args, 0)?;
    let ip = c_string(vm, &ip.unwrap_or_default(), "inet_aton", 1)?;
    match glibc_inet_aton(ip.as_bytes()) {
        Some(addr) => Ok(Value::Bytes(Rc::from(&addr[..]))),
        None => Err(vm.err("OSError", "illegal IP address string passed to inet_aton")),
    }
}

/// glibc's `inet_aton_end` (resolv/inet_addr.c): one to four parts, each a C number
/// (`strtoul` with base 0: 0x hex, 0 octal, else decimal), separated by dots; the last part
/// fills the bytes the others left; trailing whitespace and whatever follows it allowed.
fn glibc_inet_aton(s: &[u8]) -> Option<[u8; 4]> {
    const MAX: [u64; 4] = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff];
    let mut parts: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut val;
    loop {
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (v, end) = strtoul(s, i);
        val = v?;
        i = end;
        if s.get(i) == Some(&b'.') {
            if parts.len() > 2 || val > 0xff {
                return None;
            }
            parts.push(val as u8);
            i += 1;
        } else {
            break;
        }
    }
    if let Some(&c) = s.get(i) {
        // `isspace` in the C locale.
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
            return None;
        }
    }
    if val > MAX[parts.len()] {
        return None;
    }
    let word = val as u32;
    let mut out = word.to_be_bytes();
    for (k, p) in parts.iter().enumerate() {
        out[k] |= p;
    }
    Some(out)
}

/// `strtoul(s + i, &end, 0)` for a string starting with a digit: the value (`None` beyond
/// 32 bits, which `inet_aton` refuses either way) and where it stopped.
fn strtoul(s: &[u8], mut i: usize) -> (Option<u64>, usize) {
    let hex = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    let base = if hex {
        i += 2;
        16
    } else if s.get(i) == Some(&b'0') {
        8
    } else {
        10
    };
    let mut v: Option<u64> = Some(0);
    while let Some(d) = s.get(i).and_then(|c| (*c as char).to_digit(base)) {
        v = v
            .and_then(|v| v.checked_mul(u64::from(base)))
            .and_then(|v| v.checked_add(u64::from(d)))
            .filter(|v| *v <= 0xffff_ffff);
        i += 1;
    }
    (v, i)
}

/// `inet_ntoa(packed_ip, /)`.
fn inet_ntoa(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ip] = Spec::function("inet_ntoa", Style::ParseTuple, &["packed_ip"], 1)
        .bind::<1>(vm, &args, 0)?;
    let b = buffer(vm, &ip.unwrap_or_default())?;
    if b.len() != 4 {
        return Err(vm.err("OSError", "packed IP wrong length for inet_ntoa"));
    }
    Ok(Value::str(&format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])))
}

/// `inet_pton(af, ip, /)`: glibc's `inet_pton4` and `inet_pton6`.
fn inet_pton(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [af, ip] =
        Spec::function("inet_pton", Style::ParseTuple, &["af", "ip"], 2).bind::<2>(vm, &args, 0)?;
    let af = i64::from(vm.c_int(&af.unwrap_or_default())?);
    let ip = c_string(vm, &ip.unwrap_or_default(), "inet_pton", 2)?;
    let packed = match af {
        AF_INET => pton4(ip.as_bytes()).map(|a| a.to_vec()),
        AF_INET6 => pton6(ip.as_bytes()).map(|a| a.to_vec()),
        _ => {
            let exc = crate::runtime::oserror::from_errno(vm, EAFNOSUPPORT, None);
            return Err(vm.raise(exc));
        }
    };
    match packed {
        Some(p) => Ok(Value::Bytes(Rc::from(p))),
        None => Err(vm.err("OSError", "illegal IP address string passed to inet_pton")),
    }
}

/// glibc's `inet_pton4`: exactly four decimal octets, none over 255, no leading zero.
fn pton4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut octets = 0;
    let mut saw_digit = false;
    let mut cur: u32 = 0;
    for &c in s {
        if c.is_ascii_digit() {
            if saw_digit && cur == 0 {
                return None;
            }
            cur = cur * 10 + u32::from(c - b'0');
            if cur > 255 {
                return None;
            }
            if !saw_digit {
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
            out[octets - 1] = cur as u8;
        } else if c == b'.' && saw_digit {
            if octets == 4 {
                return None;
            }
            cur = 0;
            saw_digit = false;
        } else {
            return None;
        }
    }
    (octets == 4).then_some(out)
}

/// glibc's `inet_pton6`: up to eight groups of at most four hex digits, one `::` standing
/// for the zero groups it replaces (at least one), an IPv4 address as the last 32 bits.
fn pton6(s: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut colonp: Option<usize> = None;
    let mut i = 0;
    if s.is_empty() {
        return None;
    }
    if s[0] == b':' {
        i = 1;
        if s.get(1) != Some(&b':') {
            return None;
        }
    }
    let mut curtok = i;
    let mut seen = 0;
    let mut val: u32 = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if let Some(d) = (c as char).to_digit(16) {
            if seen == 4 {
                return None;
            }
            val = (val << 4) | d;
            seen += 1;
            continue;
        }
        if c == b':' {
            curtok = i;
            if seen == 0 {
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == s.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp] = (val >> 8) as u8;
            tmp[tp + 1] = val as u8;
            tp += 2;
            seen = 0;
            val = 0;
            continue;
        }
        if c == b'.' && tp + 4 <= 16 {
            if let Some(v4) = pton4(&s[curtok..]) {
                tmp[tp..tp + 4].copy_from_slice(&v4);
                tp += 4;
                seen = 0;
                break;
            }
        }
        return None;
    }
    if seen > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp] = (val >> 8) as u8;
        tmp[tp + 1] = val as u8;
        tp += 2;
    }
    if let Some(cp) = colonp {
        if tp == 16 {
            return None;
        }
        let n = tp - cp;
        tmp.copy_within(cp..tp, 16 - n);
        tmp[cp..16 - n].fill(0);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// `inet_ntop(af, packed_ip, /)`: glibc's `inet_ntop4` and `inet_ntop6`.
fn inet_ntop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [af, ip] = Spec::function("inet_ntop", Style::ParseTuple, &["af", "packed_ip"], 2)
        .bind::<2>(vm, &args, 0)?;
    let af = i64::from(vm.c_int(&af.unwrap_or_default())?);
    let b = buffer(vm, &ip.unwrap_or_default())?;
    let want = match af {
        AF_INET => 4,
        AF_INET6 => 16,
        _ => return Err(vm.value_error(format!("unknown address family {af}"))),
    };
    if b.len() != want {
        return Err(vm.value_error("invalid length of packed IP address string"));
    }
    Ok(Value::str(&if af == AF_INET {
        format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
    } else {
        ntop6(&b)
    }))
}

/// glibc's `inet_ntop6`: the longest run of two or more zero groups (the first of equal
/// runs) as `::`, groups in lower-case hex, and an IPv4-compatible or IPv4-mapped address's
/// last 32 bits in dotted form.
fn ntop6(b: &[u8]) -> String {
    let words: Vec<u16> = b
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    let (mut best, mut best_len): (Option<usize>, usize) = (None, 0);
    let (mut cur, mut cur_len): (Option<usize>, usize) = (None, 0);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            if cur.is_none() {
                cur = Some(i);
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if cur.is_some() {
            if best.is_none() || cur_len > best_len {
                best = cur;
                best_len = cur_len;
            }
            cur = None;
        }
    }
    if cur.is_some() && (best.is_none() || cur_len > best_len) {
        best = cur;
        best_len = cur_len;
    }
    if best_len < 2 {
        best = None;
    }
    let mut out = String::new();
    for (i, &w) in words.iter().enumerate() {
        if let Some(base) = best {
            if i >= base && i < base + best_len {
                if i == base {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best == Some(0) && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            out.push_str(&format!("{}.{}.{}.{}", b[12], b[13], b[14], b[15]));
            return out;
        }
        out.push_str(&format!("{w:x}"));
    }
    if best.is_some_and(|base| base + best_len == 8) {
        out.push(':');
    }
    out
}

/// `getdefaulttimeout()`: `None`, or the seconds as `_PyTime_AsSecondsDouble` gives them.
fn getdefaulttimeout(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_socket", "getdefaulttimeout", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(timeout_value(vm.socket_timeout))
}

/// `_PyTime_AsSecondsDouble` of a timeout in nanoseconds; `None` for -1 (no timeout).
pub(super) fn timeout_value(ns: i64) -> Value {
    if ns < 0 {
        return Value::None;
    }
    let secs = if ns % 1_000_000_000 == 0 {
        (ns / 1_000_000_000) as f64
    } else {
        ns as f64 / 1e9
    };
    Value::Float(secs)
}

/// `setdefaulttimeout(timeout, /)`.
fn setdefaulttimeout(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [t] = Spec::method("_socket", "setdefaulttimeout", Style::O, &["timeout"], 1)
        .bind::<1>(vm, &args, 0)?;
    vm.socket_timeout = parse_timeout(vm, &t.unwrap_or_default())?;
    Ok(Value::None)
}

/// `socket_parse_timeout`: `None` is -1; anything else `_PyTime_FromSecondsObject` with
/// `_PyTime_ROUND_TIMEOUT` (away from zero) in nanoseconds, which must not be negative.
pub(super) fn parse_timeout(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    const TOO_LARGE: &str = "timestamp too large to convert to C _PyTime_t";
    let ns = match v.builtin_value() {
        Value::None => return Ok(-1),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(vm.value_error("Invalid value NaN (not a number)"));
            }
            let d = f * 1e9;
            let d = if d >= 0.0 { d.ceil() } else { d.floor() };
            // `_Py_InIntegralTypeRange(_PyTime_t, d)` compares in double, where
            // 2**63 itself passes and its conversion is undefined.
            if d == 9.223_372_036_854_776e18 {
                return Err(vm.unsupported("a timeout of exactly 2**63 nanoseconds"));
            }
            if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&d) {
                return Err(vm.err(
                    "OverflowError",
                    "timestamp out of range for platform time_t",
                ));
            }
            d as i64
        }
        _ => match vm.number_index(v)? {
            Value::Int(i) => i
                .checked_mul(1_000_000_000)
                .ok_or_else(|| vm.err("OverflowError", TOO_LARGE))?,
            _ => return Err(vm.err("OverflowError", TOO_LARGE)),
        },
    };
    if ns < 0 {
        return Err(vm.value_error("Timeout value out of range"));
    }
    Ok(ns)
}

/// A `Py_ssize_t` argument (the `n` format).
pub(super) fn ssize_t(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    super::super::argspec::index(vm, v)
}

/// `CMSG_LEN(length, /)`: the header and `length` bytes, within socklen_t's limit.
fn cmsg_len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n] =
        Spec::function("CMSG_LEN", Style::ParseTuple, &["length"], 1).bind::<1>(vm, &args, 0)?;
    let n = ssize_t(vm, &n.unwrap_or_default())?;
    if !(0..=SOCKLEN_T_LIMIT - CMSGHDR).contains(&n) {
        return Err(vm.err("OverflowError", "CMSG_LEN() argument out of range"));
    }
    Ok(Value::Int(CMSGHDR + n))
}

/// `CMSG_SPACE(length, /)`: the header and `length` bytes padded to the alignment.
fn cmsg_space(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n] =
        Spec::function("CMSG_SPACE", Style::ParseTuple, &["length"], 1).bind::<1>(vm, &args, 0)?;
    let n = ssize_t(vm, &n.unwrap_or_default())?;
    if !(0..=SOCKLEN_T_LIMIT - (CMSGHDR + CMSG_ALIGN)).contains(&n) {
        return Err(vm.err("OverflowError", "CMSG_SPACE() argument out of range"));
    }
    Ok(Value::Int(
        CMSGHDR + (n + CMSG_ALIGN - 1) / CMSG_ALIGN * CMSG_ALIGN,
    ))
}

/// The `repr` of the capsule `_socket.CAPI` (the one capsule the VM has; capsule_repr).
fn capsule_repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(me) => Ok(Value::str(&format!(
            "<capsule object \"_socket.CAPI\" at {:#x}>",
            me.address()
        ))),
        None => Err(vm.type_error("descriptor '__repr__' of 'PyCapsule' object needs an argument")),
    }
}

/// The capsule's repr (the socket type's methods are `sockobj`'s).
pub const METHODS: &[(&str, &str, NativeFn)] = &[("PyCapsule", "__repr__", capsule_repr)];
