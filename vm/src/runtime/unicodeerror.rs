//! `UnicodeEncodeError`, `UnicodeDecodeError` and `UnicodeTranslateError` (CPython
//! `PyUnicodeErrorObject`, Objects/exceptions.c): the members `encoding`, `object`,
//! `start`, `end` and `reason`, slots of the object rather than entries of its
//! `__dict__`; the `__init__`s (`UnicodeEncodeError_init` parses `"UUnnU"`,
//! `UnicodeDecodeError_init` `"UOnnU"` with the object made bytes,
//! `UnicodeTranslateError_init` `"UnnU"`); and the `__str__`s.

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Value};
use super::types::Type;
use super::PyResult;

/// The members, in `ExcData::members` order.
pub const MEMBERS: [&str; 5] = ["encoding", "object", "start", "end", "reason"];

/// The three kinds, by the class they are or derive from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Encode,
    Decode,
    Translate,
}

impl Kind {
    pub fn class_name(self) -> &'static str {
        match self {
            Kind::Encode => "UnicodeEncodeError",
            Kind::Decode => "UnicodeDecodeError",
            Kind::Translate => "UnicodeTranslateError",
        }
    }
}

/// The kind of `v`, when it is one of the three.
pub fn kind_of(vm: &Vm, v: &Value) -> Option<Kind> {
    let Value::Object(o) = v else { return None };
    o.exc.as_ref()?;
    let class = o.class.borrow().clone();
    kind_of_type(vm, &class)
}

/// The kind of the class `t`, when it is or derives from one of the three.
pub fn kind_of_type(vm: &Vm, t: &Rc<Type>) -> Option<Kind> {
    if !t.is_exception() || !t.is_subtype(&vm.ty("UnicodeError")) {
        return None;
    }
    [Kind::Encode, Kind::Decode, Kind::Translate]
        .into_iter()
        .find(|k| t.is_subtype(&vm.ty(k.class_name())))
}

/// Whether `init` is the `__init__` of one of the three, which a subclass without its own
/// runs when called (the other built-in exceptions' are applied where they are made).
pub fn is_init(init: &Value) -> bool {
    matches!(init, Value::Builtin(b) if matches!(b.owner,
        Some("UnicodeEncodeError" | "UnicodeDecodeError" | "UnicodeTranslateError")))
}

/// The member `name` of a UnicodeError of the three kinds; `None` when `name` is not one.
/// Unset object members are None, unset `start` and `end` 0 (`Py_ssize_t` members).
pub fn get(vm: &Vm, v: &Value, name: &str) -> Option<Value> {
    let i = MEMBERS.iter().position(|m| *m == name)?;
    kind_of(vm, v)?;
    let m = v.exc()?.member(i);
    Some(match (i, m) {
        (2 | 3, Value::None) => Value::Int(0),
        (_, m) => m,
    })
}

/// Sets the member `name` (`PyMember_SetOne`: `start` and `end` take an int); `Ok(false)`
/// when `name` is not one.
pub fn set(vm: &Vm, v: &Value, name: &str, x: Value) -> PyResult<bool> {
    let Some(i) = MEMBERS.iter().position(|m| *m == name) else {
        return Ok(false);
    };
    if kind_of(vm, v).is_none() {
        return Ok(false);
    }
    let (x, err) = match i {
        // `PyMember_SetOne` stores the converted value before it checks for an error, so
        // a failed assignment leaves -1.
        2 | 3 => match ssize(vm, &x) {
            Ok(n) => (Value::Int(n), None),
            Err(e) => (Value::Int(-1), Some(e)),
        },
        _ => (x, None),
    };
    if let Some(data) = v.exc() {
        data.set_member(i, MEMBERS.len(), x);
    }
    match err {
        Some(e) => Err(e),
        None => Ok(true),
    }
}

/// `PyLong_AsSsize_t` as a member setter uses it.
fn ssize(vm: &Vm, x: &Value) -> PyResult<i64> {
    match super::int::int_num(x.builtin_value()) {
        Some(crate::arith::Num::Int(n)) => Ok(n),
        Some(_) => Err(vm.err(
            "OverflowError",
            "Python int too large to convert to C ssize_t",
        )),
        None => Err(vm.type_error("an integer is required")),
    }
}

/// A new exception of `kind` with its arguments and members set, as the codecs make
/// them (`PyUnicodeEncodeError_Create` and its kin).
pub fn new(
    vm: &Vm,
    kind: Kind,
    encoding: &str,
    object: Value,
    start: usize,
    end: usize,
    reason: &str,
) -> Value {
    let mut args = Vec::with_capacity(5);
    if kind != Kind::Translate {
        args.push(Value::str(encoding));
    }
    args.extend([
        object.clone(),
        Value::Int(start as i64),
        Value::Int(end as i64),
        Value::str(reason),
    ]);
    let exc = vm.new_exception(&vm.ty(kind.class_name()), args);
    if let Some(data) = exc.exc() {
        let encoding = match kind {
            Kind::Translate => Value::None,
            _ => Value::str(encoding),
        };
        let values = [
            encoding,
            object,
            Value::Int(start as i64),
            Value::Int(end as i64),
            Value::str(reason),
        ];
        for (i, x) in values.into_iter().enumerate() {
            data.set_member(i, MEMBERS.len(), x);
        }
    }
    exc
}

/// The `__init__` of the three kinds: `BaseException_init`, then the arguments parsed
/// into the members.
pub fn init(vm: &mut Vm, args: &Args, kind: Kind) -> PyResult<()> {
    let recv = &args.pos[0];
    let given = &args.pos[1..];
    let n = if kind == Kind::Translate { 4 } else { 5 };
    if given.len() != n {
        return Err(vm.type_error(format!(
            "function takes exactly {n} arguments ({} given)",
            given.len()
        )));
    }
    let text = |vm: &Vm, v: &Value, i: usize| -> PyResult<Value> {
        match v.builtin_value() {
            Value::Str(_) => Ok(v.clone()),
            _ => Err(vm.type_error(format!(
                "argument {i} must be str, not {}",
                super::builtins::type_name_of_arg(vm, v)
            ))),
        }
    };
    let mut i = 0;
    let encoding = if kind == Kind::Translate {
        Value::None
    } else {
        i += 1;
        text(vm, &given[0], 1)?
    };
    // The format units in order ("UOnnU"); the decode object is made bytes after.
    let object = match kind {
        Kind::Encode | Kind::Translate => text(vm, &given[i], i + 1)?,
        Kind::Decode => given[i].clone(),
    };
    let start = index(vm, &given[i + 1])?;
    let end = index(vm, &given[i + 2])?;
    let reason = text(vm, &given[i + 3], i + 4)?;
    let object = match (kind, super::methods::bytes::buffer_of(&object)) {
        (Kind::Decode, _) if matches!(object, Value::Bytes(_)) => object,
        // Another buffer is copied into bytes.
        (Kind::Decode, Some(b)) => Value::Bytes(Rc::from(b)),
        (Kind::Decode, None) => {
            return Err(vm.type_error(format!(
                "a bytes-like object is required, not '{}'",
                vm.type_of(&object).name()
            )))
        }
        _ => object,
    };
    if let Some(data) = recv.exc() {
        let values = [encoding, object, Value::Int(start), Value::Int(end), reason];
        for (k, x) in values.into_iter().enumerate() {
            data.set_member(k, MEMBERS.len(), x);
        }
    }
    Ok(())
}

/// The `n` format unit: `PyNumber_Index`, then `PyLong_AsSsize_t`.
fn index(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    super::argspec::index(vm, v)
}

/// `UnicodeEncodeError_str` and its kin; `None` when `v` is none of the three.
pub fn str_of(vm: &mut Vm, v: &Value) -> PyResult<Option<String>> {
    let Some(kind) = kind_of(vm, v) else {
        return Ok(None);
    };
    let member = |name| get(vm, v, name).unwrap_or(Value::None);
    let object = member("object");
    if object.is_none() {
        return Ok(Some(String::new()));
    }
    let (encoding, reason) = (member("encoding"), member("reason"));
    let (start, end) = match (member("start"), member("end")) {
        (Value::Int(s), Value::Int(e)) => (s, e),
        _ => return Err(vm.bug("UnicodeError start/end")),
    };
    let reason = vm.str_of(&reason)?;
    let prefix = match kind {
        Kind::Translate => String::new(),
        _ => format!("'{}' codec ", vm.str_of(&encoding)?),
    };
    let verb = match kind {
        Kind::Encode => "encode",
        Kind::Decode => "decode",
        Kind::Translate => "translate",
    };
    // One item: the character (escaped by its width) or the byte.
    let single = match (kind, object.builtin_value()) {
        (Kind::Decode, Value::Bytes(b)) if end == start + 1 && start >= 0 => b
            .get(start as usize)
            .map(|b| format!("can't decode byte 0x{b:02x}")),
        (Kind::Encode | Kind::Translate, Value::Str(s)) if end == start + 1 && start >= 0 => {
            s.chars().nth(start as usize).map(|c| {
                let what = if kind == Kind::Encode {
                    "can't encode"
                } else {
                    "can't translate"
                };
                match super::standins::code_point(c) {
                    cp @ 0..=0xff => format!("{what} character '\\x{cp:02x}'"),
                    cp @ 0x100..=0xffff => format!("{what} character '\\u{cp:04x}'"),
                    cp => format!("{what} character '\\U{cp:08x}'"),
                }
            })
        }
        (_, Value::Str(_) | Value::Bytes(_)) => None,
        // A member reassigned to another type: CPython's reads of it would differ.
        _ => return Err(vm.unsupported("str() of a UnicodeError whose object is not str/bytes")),
    };
    Ok(Some(match single {
        Some(what) => format!("{prefix}{what} in position {start}: {reason}"),
        None => {
            let items = if kind == Kind::Decode {
                "bytes"
            } else {
                "characters"
            };
            format!(
                "{prefix}can't {verb} {items} in position {start}-{}: {reason}",
                end - 1
            )
        }
    }))
}
