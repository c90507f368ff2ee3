//! More `str` methods (`str.rs` holds the first ones): `partition`, `rpartition`,
//! `removeprefix`, `removesuffix`, `rindex`, `expandtabs`, `swapcase`, `casefold` and the
//! predicates `isascii`, `isprintable`, `istitle`, `isdecimal`, `isnumeric`,
//! `isidentifier` (with `isdigit`'s character rule). `str_mapping.rs` has the methods
//! that take a mapping (`translate`, `maketrans`, `format_map`).
//!
//! The predicates CPython answers from Unicode 15.0 tables the VM does not have (numeric
//! types, XID_Start/XID_Continue) are answered exactly for Latin-1 characters, and for
//! any string one of whose Latin-1 characters already decides the answer; another string
//! is unsupported.

use crate::runtime::argspec::{required, Style};
use crate::runtime::heap;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::PyResult;

use super::str::{find_with, m, recv_str};
use super::str_case;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("str", "partition", str_partition),
    ("str", "rpartition", str_rpartition),
    ("str", "removeprefix", str_removeprefix),
    ("str", "removesuffix", str_removesuffix),
    ("str", "rindex", str_rindex),
    ("str", "expandtabs", str_expandtabs),
    ("str", "swapcase", str_swapcase),
    ("str", "casefold", str_casefold),
    ("str", "isascii", str_isascii),
    ("str", "isprintable", str_isprintable),
    ("str", "istitle", str_istitle),
    ("str", "isdecimal", str_isdecimal),
    ("str", "isnumeric", str_isnumeric),
    ("str", "isidentifier", str_isidentifier),
];

/// `partition` / `rpartition` (METH_O, `PyUnicode_Partition`): the separator must be a
/// str (`ensure_unicode`) and not empty; the tuple holds the separator object itself.
/// Without a match CPython's tuple holds the receiver itself, which for a str subclass
/// instance this method cannot give: it receives the instance's str value (a known
/// divergence, in tests/language/pending.txt).
fn partition(vm: &mut Vm, args: Args, name: &'static str, from_right: bool) -> PyResult<Value> {
    let [sep] = m(name, Style::O, &["sep"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let sep_obj = required(sep);
    let Value::Str(sep) = sep_obj.builtin_value().clone() else {
        return Err(vm.type_error(format!("must be str, not {}", vm.type_of(&sep_obj).name())));
    };
    if sep.is_empty() {
        return Err(vm.value_error("empty separator"));
    }
    let found = if from_right {
        s.rfind(&*sep)
    } else {
        s.find(&*sep)
    };
    let empty = || Value::str("");
    Ok(Value::tuple(match found {
        Some(at) => vec![
            Value::str(&s[..at]),
            sep_obj,
            Value::str(&s[at + sep.len()..]),
        ],
        None if from_right => vec![empty(), empty(), Value::Str(s)],
        None => vec![Value::Str(s), empty(), empty()],
    }))
}

fn str_partition(vm: &mut Vm, args: Args) -> PyResult<Value> {
    partition(vm, args, "partition", false)
}

fn str_rpartition(vm: &mut Vm, args: Args) -> PyResult<Value> {
    partition(vm, args, "rpartition", true)
}

/// `removeprefix` / `removesuffix` (METH_O, Argument Clinic's `unicode` converter).
fn remove_affix(vm: &mut Vm, args: Args, name: &'static str, prefix: bool) -> PyResult<Value> {
    let param: &'static [&str] = if prefix { &["prefix"] } else { &["suffix"] };
    let [affix] = m(name, Style::O, param, 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let affix = required(affix);
    let Value::Str(affix) = affix.builtin_value().clone() else {
        return Err(vm.type_error(format!(
            "{name}() argument must be str, not {}",
            crate::runtime::builtins::type_name_of_arg(vm, &affix)
        )));
    };
    let rest = if prefix {
        s.strip_prefix(&*affix)
    } else {
        s.strip_suffix(&*affix)
    };
    Ok(match rest {
        Some(rest) if !affix.is_empty() => Value::str(rest),
        _ => Value::Str(s),
    })
}

fn str_removeprefix(vm: &mut Vm, args: Args) -> PyResult<Value> {
    remove_affix(vm, args, "removeprefix", true)
}

fn str_removesuffix(vm: &mut Vm, args: Args) -> PyResult<Value> {
    remove_affix(vm, args, "removesuffix", false)
}

/// `rindex(sub[, start[, end]])`: `rfind`, with a ValueError for -1.
fn str_rindex(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match find_with(vm, args, "rindex", true)? {
        -1 => Err(vm.value_error("substring not found")),
        i => Ok(Value::Int(i)),
    }
}

/// A C `int` argument (`PyLong_AsInt`): an int (a subclass read as its value) or an
/// object's `__index__`; OverflowError beyond 32 bits.
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let v = match v.builtin_value() {
        n @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => n.clone(),
        _ => v.clone(),
    };
    let n = super::super::modules::math::to_index(vm, &v)?;
    i32::try_from(&n)
        .map(i64::from)
        .map_err(|_| vm.err("OverflowError", "Python int too large to convert to C int"))
}

/// `expandtabs(tabsize=8)` (`unicode_expandtabs_impl`): each tab becomes the spaces up to
/// the next multiple of `tabsize` since the last `\n` or `\r`; none for a `tabsize` of 0
/// or less. The result's length is counted first, as CPython sizes it.
fn str_expandtabs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [tabsize] = m("expandtabs", Style::Keywords, &["tabsize"], 0)
        .keywords(0, 1)
        .bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let tabsize = match tabsize {
        Some(v) => c_int(vm, &v)?,
        None => 8,
    };
    let tab = u128::try_from(tabsize).unwrap_or(0);
    let (mut len, mut line_pos, mut found) = (0u128, 0u128, false);
    for ch in s.chars() {
        if ch == '\t' {
            found = true;
            if tab > 0 {
                let incr = tab - line_pos % tab;
                line_pos += incr;
                len += incr;
            }
        } else {
            line_pos += 1;
            len += 1;
            if ch == '\n' || ch == '\r' {
                line_pos = 0;
            }
        }
    }
    if len > i64::MAX as u128 {
        return Err(vm.err("OverflowError", "new string is too long"));
    }
    if !found {
        return Ok(Value::Str(s));
    }
    let own = len + (s.len() - s.chars().count()) as u128;
    vm.before_alloc(heap::str_block(len, heap::max_char(&s)), own)?;
    let mut out = String::with_capacity(usize::try_from(own).unwrap_or(0));
    let mut line_pos = 0u128;
    for ch in s.chars() {
        if ch == '\t' {
            if tab > 0 {
                let incr = tab - line_pos % tab;
                line_pos += incr;
                out.extend(std::iter::repeat_n(' ', incr as usize));
            }
        } else {
            line_pos += 1;
            out.push(ch);
            if ch == '\n' || ch == '\r' {
                line_pos = 0;
            }
        }
    }
    Ok(Value::str(&out))
}

/// A case operation of the receiver, unsupported where CPython 3.12's case data and
/// Rust's differ (`sigma`: also where a capital sigma's Final_Sigma context does).
fn case_op(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    sigma: bool,
    f: fn(&str) -> String,
) -> PyResult<Value> {
    no_args(vm, &args, name)?;
    let s = recv_str(vm, &args)?;
    if str_case::has_newer_case_data(&s) || (sigma && str_case::has_newer_sigma_context(&s)) {
        return Err(vm.unsupported(format!(
            "str.{name}() of a character whose case data changed after Unicode 15.0"
        )));
    }
    Ok(Value::str(&f(&s)))
}

fn no_args(vm: &Vm, args: &Args, name: &str) -> PyResult<()> {
    crate::runtime::argspec::no_args(vm, args, "str", name)
}

fn str_swapcase(vm: &mut Vm, args: Args) -> PyResult<Value> {
    case_op(vm, args, "swapcase", true, str_case::swapcase)
}

fn str_casefold(vm: &mut Vm, args: Args) -> PyResult<Value> {
    case_op(vm, args, "casefold", false, str_case::casefold)
}

fn str_isascii(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "isascii")?;
    Ok(Value::Bool(recv_str(vm, &args)?.is_ascii()))
}

/// `isprintable()`: true for the empty string; `repr`'s table of what it escapes.
fn str_isprintable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "isprintable")?;
    let s = recv_str(vm, &args)?;
    Ok(Value::Bool(s.chars().all(crate::reprs::is_printable)))
}

/// `istitle()` (`unicode_istitle_impl`): uppercase and titlecase characters only after
/// uncased ones, lowercase ones only after cased ones, and at least one cased.
fn str_istitle(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "istitle")?;
    let s = recv_str(vm, &args)?;
    if str_case::has_newer_case_data(&s) {
        return Err(vm.unsupported(
            "str.istitle() of a character whose case data changed after Unicode 15.0",
        ));
    }
    let (mut cased, mut previous_is_cased) = (false, false);
    for c in s.chars() {
        if c.is_uppercase() || str_case::is_titlecase(c) {
            if previous_is_cased {
                return Ok(Value::Bool(false));
            }
            (previous_is_cased, cased) = (true, true);
        } else if c.is_lowercase() {
            if !previous_is_cased {
                return Ok(Value::Bool(false));
            }
            (previous_is_cased, cased) = (true, true);
        } else {
            previous_is_cased = false;
        }
    }
    Ok(Value::Bool(cased))
}

/// One character's property as CPython 3.12 has it, where the VM knows it: `None` beyond
/// Latin-1.
type Property = fn(char) -> Option<bool>;

/// `Py_UNICODE_ISDECIMAL` (Numeric_Type=Decimal): no Latin-1 character beyond `0-9`.
fn is_decimal(c: char) -> Option<bool> {
    (u32::from(c) < 0x100).then_some(c.is_ascii_digit())
}

/// `Py_UNICODE_ISDIGIT` (Numeric_Type Decimal or Digit): `0-9` and `¹²³` in Latin-1.
pub(super) fn is_digit(c: char) -> Option<bool> {
    (u32::from(c) < 0x100).then_some(c.is_ascii_digit() || matches!(c, '²' | '³' | '¹'))
}

/// `Py_UNICODE_ISNUMERIC` (any Numeric_Type): `0-9`, `¹²³` and `¼½¾` in Latin-1.
fn is_numeric(c: char) -> Option<bool> {
    (u32::from(c) < 0x100)
        .then_some(c.is_ascii_digit() || matches!(c, '²' | '³' | '¹' | '¼' | '½' | '¾'))
}

/// `_PyUnicode_IsXidStart`: the ASCII letters, `ª µ º` and the Latin-1 letters
/// `À-Ö Ø-ö ø-ÿ`.
fn is_xid_start(c: char) -> Option<bool> {
    (u32::from(c) < 0x100).then_some(
        c.is_ascii_alphabetic() || matches!(c, 'ª' | 'µ' | 'º' | 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ'),
    )
}

/// `_PyUnicode_IsXidContinue`: XID_Start, the digits, `_` and `·`.
fn is_xid_continue(c: char) -> Option<bool> {
    is_xid_start(c).map(|start| start || c.is_ascii_digit() || matches!(c, '_' | '·'))
}

/// Whether every character of `s` has `property` (false for the empty string): false
/// as soon as a known character lacks it, unsupported when only unknown characters could
/// make it false.
pub(super) fn all_chars(
    vm: &Vm,
    s: &str,
    name: &str,
    table: &str,
    property: Property,
) -> PyResult<bool> {
    let mut unknown = false;
    for c in s.chars() {
        match property(c) {
            Some(true) => {}
            Some(false) => return Ok(false),
            None => unknown = true,
        }
    }
    if unknown {
        return Err(unknown_chars(vm, name, table));
    }
    Ok(!s.is_empty())
}

fn unknown_chars(vm: &Vm, name: &str, table: &str) -> crate::runtime::Throw {
    vm.unsupported(format!(
        "str.{name}() of a character beyond Latin-1 (Unicode 15.0's {table})"
    ))
}

fn predicate(
    vm: &mut Vm,
    args: Args,
    name: &'static str,
    table: &str,
    property: Property,
) -> PyResult<Value> {
    no_args(vm, &args, name)?;
    let s = recv_str(vm, &args)?;
    Ok(Value::Bool(all_chars(vm, &s, name, table, property)?))
}

fn str_isdecimal(vm: &mut Vm, args: Args) -> PyResult<Value> {
    predicate(vm, args, "isdecimal", "numeric types", is_decimal)
}

fn str_isnumeric(vm: &mut Vm, args: Args) -> PyResult<Value> {
    predicate(vm, args, "isnumeric", "numeric types", is_numeric)
}

/// `isidentifier()` (`_PyUnicode_ScanIdentifier`): a first character in XID_Start or
/// `_`, the others in XID_Continue; keywords included.
fn str_isidentifier(vm: &mut Vm, args: Args) -> PyResult<Value> {
    no_args(vm, &args, "isidentifier")?;
    let s = recv_str(vm, &args)?;
    let mut unknown = false;
    for (i, c) in s.chars().enumerate() {
        let ok = if i == 0 {
            if c == '_' {
                Some(true)
            } else {
                is_xid_start(c)
            }
        } else {
            is_xid_continue(c)
        };
        match ok {
            Some(true) => {}
            Some(false) => return Ok(Value::Bool(false)),
            None => unknown = true,
        }
    }
    if unknown {
        return Err(unknown_chars(
            vm,
            "isidentifier",
            "XID_Start and XID_Continue",
        ));
    }
    Ok(Value::Bool(!s.is_empty()))
}
