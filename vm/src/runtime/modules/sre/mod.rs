//! `_sre` (CPython `Modules/_sre/sre.c`): the regular expression engine under `re`.
//! `re._parser` and `re._compiler` (CPython's own Python, run from its Lib/) turn a
//! pattern into SRE code and call `_sre.compile`; the code runs on
//! `rustpython_sre_engine`, CPython's engine (`sre_lib.h`) on the same opcodes.
//!
//! `pattern` holds `re.Pattern`, `matchobj` `re.Match`, `scanner` `_sre.SRE_Scanner`,
//! `template` `_sre.SRE_Template` (replacement strings), `subject` the strings the
//! engine runs on and `validate` `_sre.compile`'s check of the code.
//!
//! Left out, so unsupported: bytes-like subjects other than `bytes` (bytearray,
//! memoryview: the VM cannot hand their buffers to the engine), `\B` on an empty
//! string (the engine answers as Python 3.14 does), a str or bytes subclass template
//! whose hash fails in `re._compile_template`, and the module's and types' docstrings.

pub mod matchobj;
pub mod pattern;
pub mod scanner;
pub mod subject;
pub mod template;
mod validate;

use std::rc::Rc;

use rustpython_sre_engine::string::{lower_ascii, lower_unicode, upper_unicode};

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, Value};
use super::super::PyResult;

/// `SRE_MAGIC` of CPython 3.12 (`re._constants.MAGIC`, which `re._constants` asserts).
const MAGIC: i64 = 20221023;

const COPYRIGHT: &str = " SRE 2.2.2 Copyright (c) 1997-2002 by Secret Labs AB ";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("MAGIC", Value::Int(MAGIC));
    d.set_str("CODESIZE", Value::Int(4));
    d.set_str("MAXREPEAT", Value::Int(validate::MAXREPEAT as i64));
    d.set_str("MAXGROUPS", Value::Int(validate::MAXGROUPS as i64));
    d.set_str("copyright", Value::str(COPYRIGHT));
    super::add_functions(
        d,
        "_sre",
        &[
            ("compile", compile),
            ("template", template::template),
            ("getcodesize", getcodesize),
            ("ascii_iscased", ascii_iscased),
            ("unicode_iscased", unicode_iscased),
            ("ascii_tolower", ascii_tolower),
            ("unicode_tolower", unicode_tolower),
        ],
    );
}

/// A C `int` argument (`_PyLong_AsInt`).
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    vm.c_int(v)
}

/// The one `int` argument of the character functions (METH_O).
fn character(vm: &mut Vm, args: &Args, name: &str) -> PyResult<u32> {
    let [c] = Spec::function(name, Style::O, &["character"], 1).bind(vm, args, 0)?;
    let c = c.ok_or_else(|| vm.bug("a character function without its argument"))?;
    // CPython passes the C int on as an unsigned int.
    Ok(c_int(vm, &c)? as u32)
}

fn getcodesize(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function("_sre.getcodesize", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(4))
}

/// `ch < 128 && Py_ISALPHA(ch)`.
fn ascii_iscased(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let ch = character(vm, &args, "_sre.ascii_iscased")?;
    Ok(Value::Bool(ch < 128 && (ch as u8).is_ascii_alphabetic()))
}

/// A character whose simple lower or upper case differs from it (the engine's case
/// tables, so the flags `re._compiler` computes agree with what the engine matches).
fn unicode_iscased(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let ch = character(vm, &args, "_sre.unicode_iscased")?;
    Ok(Value::Bool(
        ch != lower_unicode(ch) || ch != upper_unicode(ch),
    ))
}

fn ascii_tolower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let ch = character(vm, &args, "_sre.ascii_tolower")?;
    Ok(Value::Int(i64::from(lower_ascii(ch) as i32)))
}

fn unicode_tolower(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let ch = character(vm, &args, "_sre.unicode_tolower")?;
    Ok(Value::Int(i64::from(lower_unicode(ch) as i32)))
}

/// `_sre.compile(pattern, flags, code, groups, groupindex, indexgroup)`
/// (`_sre_compile_impl`): the arguments converted in Argument Clinic's order, the code
/// checked by `_validate`.
fn compile(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [pattern, flags, code, groups, groupindex, indexgroup] = Spec::function(
        "compile",
        Style::Keywords,
        &[
            "pattern",
            "flags",
            "code",
            "groups",
            "groupindex",
            "indexgroup",
        ],
        6,
    )
    .keywords(0, 6)
    .bind(vm, &args, 0)?;
    let missing = |vm: &Vm| vm.bug("_sre.compile without an argument");
    let pattern = pattern.ok_or_else(|| missing(vm))?;
    let flags = c_int(vm, &flags.ok_or_else(|| missing(vm))?)?;
    let must_be = |vm: &Vm, name: &str, ty: &str, v: &Value| {
        let t = vm.type_of(v).name().clone();
        vm.type_error(format!("compile() argument '{name}' must be {ty}, not {t}"))
    };
    let code = code.ok_or_else(|| missing(vm))?;
    let Value::List(code) = code.builtin_value().clone() else {
        return Err(must_be(vm, "code", "list", &code));
    };
    let groups = pattern::ssize(vm, &groups.ok_or_else(|| missing(vm))?)?;
    let groupindex_v = groupindex.ok_or_else(|| missing(vm))?;
    let Value::Dict(groupindex) = groupindex_v.builtin_value().clone() else {
        return Err(must_be(vm, "groupindex", "dict", &groupindex_v));
    };
    let indexgroup_v = indexgroup.ok_or_else(|| missing(vm))?;
    let Value::Tuple(indexgroup) = indexgroup_v.builtin_value().clone() else {
        return Err(must_be(vm, "indexgroup", "tuple", &indexgroup_v));
    };
    // PyLong_AsUnsignedLong per item, then the 32-bit SRE_CODE.
    let items = code.items.borrow().clone();
    let mut words = Vec::with_capacity(items.len());
    for item in &items {
        let word = match item.builtin_value() {
            Value::Int(i) if *i < 0 => None,
            Value::Int(i) => Some(*i as u64),
            Value::Bool(b) => Some(u64::from(*b)),
            Value::BigInt(b) if b.sign() == num_bigint::Sign::Minus => None,
            Value::BigInt(b) => match u64::try_from(&**b) {
                Ok(w) => Some(w),
                Err(_) => {
                    return Err(vm.err(
                        "OverflowError",
                        "Python int too large to convert to C unsigned long",
                    ))
                }
            },
            _ => return Err(vm.type_error("an integer is required")),
        };
        let Some(word) = word else {
            return Err(vm.err(
                "OverflowError",
                "can't convert negative value to unsigned int",
            ));
        };
        let Ok(word) = u32::try_from(word) else {
            return Err(vm.err(
                "OverflowError",
                "regular expression code size limit exceeded",
            ));
        };
        words.push(word);
    }
    let isbytes = match pattern.builtin_value() {
        Value::None => None,
        _ => Some(matches!(
            subject::text_of(vm, &pattern)?,
            subject::Text::Bytes(_)
        )),
    };
    let Some(non_boundary) = validate::validate(&words, groups) else {
        return Err(vm.err("RuntimeError", "invalid SRE code"));
    };
    let (groupindex, indexgroup) = if groupindex.is_empty() {
        (None, None)
    } else {
        (
            Some(groupindex),
            (!indexgroup.is_empty()).then_some(indexgroup),
        )
    };
    let p = pattern::Pattern {
        pattern,
        flags: i64::from(flags),
        code: words,
        groups: usize::try_from(groups).unwrap_or(0),
        groupindex,
        indexgroup,
        isbytes,
        non_boundary,
    };
    Ok(Value::Native(Rc::new(Native::SrePattern(p))))
}

/// The fields of the module's objects (`native_attr`).
pub fn attr(vm: &mut Vm, n: &Native, name: &str) -> PyResult<Option<Value>> {
    match n {
        Native::SrePattern(p) => pattern::attr(vm, p, name),
        Native::SreMatch(m) => matchobj::attr(vm, m, name),
        Native::SreScanner(s) if name == "pattern" => Ok(Some(s.pattern.clone())),
        _ => Ok(None),
    }
}

/// `repr()` of the module's objects; the scanner and template have object's.
pub fn repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    match n {
        Native::SrePattern(p) => pattern::repr(vm, p),
        Native::SreMatch(m) => matchobj::repr(vm, m),
        Native::SreScanner(_) => Ok(format!("<_sre.SRE_Scanner object at {:#x}>", v.address())),
        _ => Ok(format!("<_sre.SRE_Template object at {:#x}>", v.address())),
    }
}
