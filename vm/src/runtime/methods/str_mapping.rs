//! The `str` methods that read a mapping: `translate`, the static method `maketrans`
//! that makes its tables, and `format_map`.

use std::rc::Rc;

use crate::runtime::argspec::{required, Spec, Style};
use crate::runtime::dict::Dict;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::{PyResult, Throw};

use super::str::{m, recv_str, str_param};

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("str", "translate", str_translate),
    ("str", "format_map", str_format_map),
];

/// The static methods (`METH_STATIC`) this file installs.
pub const STATIC_METHODS: &[(&str, &str, NativeFn)] = &[("str", "maketrans", str_maketrans)];

/// What a translation table gives for one character.
enum Mapped {
    /// A `LookupError`: the character stays.
    Keep,
    /// `None`: the character goes.
    Delete,
    Char(char),
    Text(Rc<str>),
}

/// `charmaptranslate_lookup`: `table[ord(c)]`, checked.
fn lookup(vm: &mut Vm, table: &Value, c: char) -> PyResult<Mapped> {
    let cp = crate::runtime::standins::code_point(c);
    let item = match vm.getitem(table, &Value::Int(i64::from(cp))) {
        Ok(item) => item,
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "LookupError") => return Ok(Mapped::Keep),
        Err(e) => return Err(e),
    };
    if item.is_none() {
        return Ok(Mapped::Delete);
    }
    let out_of_range = || vm.value_error("character mapping must be in range(0x110000)");
    match item.builtin_value() {
        Value::Int(n) => {
            let n = u32::try_from(*n)
                .ok()
                .filter(|&n| n <= 0x10ffff)
                .ok_or_else(out_of_range)?;
            Ok(Mapped::Char(crate::runtime::standins::char_for(vm, n)?))
        }
        Value::Bool(b) => Ok(Mapped::Char(if *b { '\u{1}' } else { '\0' })),
        Value::BigInt(_) => Err(out_of_range()),
        Value::Str(t) => Ok(Mapped::Text(t.clone())),
        _ => Err(vm.type_error("character mapping must return integer, None or str")),
    }
}

/// `str.translate(table)` (`_PyUnicode_TranslateCharmap` with errors="ignore"), with
/// CPython's order and number of `table` lookups: an ASCII string first takes the fast
/// path, which looks each distinct character up once until one maps outside ASCII or to
/// more than one character; the rest is translated character by character, and a run of
/// deleted characters is found by looking ahead (the character ending it is looked up
/// again).
fn str_translate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [table] = m("translate", Style::O, &["table"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let table = required(table);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    if s.is_ascii() {
        // `unicode_fast_translate`: 0xff not looked up yet, 0xfe deleted.
        let mut cache = [0xffu8; 128];
        while i < chars.len() {
            let ch = s.as_bytes()[i];
            let slot = usize::from(ch);
            if cache[slot] == 0xff {
                cache[slot] = match lookup(vm, &table, char::from(ch))? {
                    Mapped::Keep => ch,
                    Mapped::Delete => 0xfe,
                    Mapped::Char(c) if c.is_ascii() => c as u8,
                    Mapped::Text(t) if t.len() == 1 && t.is_ascii() => t.as_bytes()[0],
                    _ => break,
                };
            }
            if cache[slot] != 0xfe {
                out.push(char::from(cache[slot]));
            }
            i += 1;
            if i % 1024 == 0 {
                vm.check_heap()?;
            }
        }
    }
    while i < chars.len() {
        match lookup(vm, &table, chars[i])? {
            Mapped::Keep => out.push(chars[i]),
            Mapped::Char(c) => out.push(c),
            Mapped::Text(t) => out.push_str(&t),
            Mapped::Delete => {
                let mut end = i + 1;
                while end < chars.len() && matches!(lookup(vm, &table, chars[end])?, Mapped::Delete)
                {
                    end += 1;
                }
                i = end;
                continue;
            }
        }
        i += 1;
        vm.check_heap()?;
    }
    Ok(Value::str(&out))
}

/// `str.maketrans(x[, y[, z]])` (`unicode_maketrans_impl`): one dict with int or
/// one-character keys, re-keyed by ordinal; or two strings of equal length mapped
/// character to character, and a third whose characters map to None. Installed as a
/// staticmethod of a builtin bound to `str`, so `args.pos[0]` is the type.
fn str_maketrans(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x, y, z] = Spec::method("str", "maketrans", Style::Positional, &["x", "y", "z"], 1)
        .bind(vm, &args, 1)?;
    let x = required(x);
    let y = y.map(|y| str_param(vm, &y, "maketrans", 2)).transpose()?;
    let z = z.map(|z| str_param(vm, &z, "maketrans", 3)).transpose()?;
    let new = Dict::new_rc();
    let ord = |c: char| Value::Int(i64::from(crate::runtime::standins::code_point(c)));
    if let Some(y) = y {
        let Value::Str(x) = x.builtin_value().clone() else {
            return Err(vm.type_error(
                "first maketrans argument must be a string if there is a second argument",
            ));
        };
        if x.chars().count() != y.chars().count() {
            return Err(vm.value_error("the first two maketrans arguments must have equal length"));
        }
        for (a, b) in x.chars().zip(y.chars()) {
            vm.dict_set(&new, ord(a), ord(b))?;
        }
        for c in z.iter().flat_map(|z| z.chars()) {
            vm.dict_set(&new, ord(c), Value::None)?;
        }
        return Ok(Value::Dict(new));
    }
    let Value::Dict(d) = &x else {
        return Err(vm.type_error("if you give only one argument to maketrans it must be a dict"));
    };
    let start = vm.fuel_used;
    for (key, value) in d.items() {
        match key.builtin_value() {
            Value::Str(k) => {
                let mut cs = k.chars();
                let (Some(c), None) = (cs.next(), cs.next()) else {
                    return Err(
                        vm.value_error("string keys in translate table must be of length 1")
                    );
                };
                vm.dict_set(&new, ord(c), value)?;
            }
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => vm.dict_set(&new, key, value)?,
            _ => return Err(vm.type_error("keys in translate table must be strings or integers")),
        }
    }
    // An int subclass's `__hash__` or `__eq__` may change the dict CPython walks.
    if vm.fuel_used != start {
        return Err(vm.unsupported("str.maketrans of a dict changed while it is read"));
    }
    Ok(Value::Dict(new))
}

/// `str.format_map(mapping)`: `str.format` with the fields looked up as
/// `mapping[name]` and no positional arguments. The formatter takes its named arguments
/// as a list, so the mapping's entries are put there: all of an exact dict's str keys at
/// once, another mapping's keys one at a time as the formatter asks for them (each try
/// running the format again). That gives CPython's answer as long as no Python code runs
/// while formatting (which could change the mapping between two lookups, or see a key
/// looked up fewer times than CPython does): a run that calls Python code is
/// unsupported, except a first lookup that raises.
fn str_format_map(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [mapping] = m("format_map", Style::O, &["mapping"], 1).bind(vm, &args, 1)?;
    let s = recv_str(vm, &args)?;
    let mapping = required(mapping);
    let start = vm.fuel_used;
    let mut names: Vec<(Rc<str>, Value)> = Vec::new();
    // Every key an exact dict could match a field name with is in `names`.
    let mut whole = false;
    if let Value::Dict(d) = &mapping {
        whole = true;
        for (k, v) in d.items() {
            match k {
                Value::Str(k) => names.push((k, v)),
                // An instance (a str subclass, a user `__eq__`) may equal a str.
                Value::Object(_) => whole = false,
                _ => {}
            }
        }
    }
    loop {
        let result = vm.str_format(&s, &[], &names);
        let ran = vm.fuel_used != start;
        let e = match result {
            Ok(out) if !ran => return Ok(Value::str(&out)),
            Err(Throw::Exc(e)) if !ran => e,
            Err(
                t @ (Throw::OutOfFuel | Throw::OutOfMemory | Throw::Unsupported(_) | Throw::Bug(_)),
            ) => return Err(t),
            _ => return Err(runs_python(vm)),
        };
        // `get_field_object` with no positional arguments.
        if is_replacement_index_error(vm, &e) {
            return Err(vm.value_error("Format string contains positional fields"));
        }
        let missing = match exact_key_error(vm, &e) {
            Some(key) if !whole && !names.iter().any(|(k, _)| *k == key) => key,
            _ => return Err(Throw::Exc(e)),
        };
        let first = names.is_empty();
        let got = vm.getitem(&mapping, &Value::Str(missing.clone()));
        let ran = vm.fuel_used != start;
        match got {
            Ok(v) if !ran => names.push((missing, v)),
            // The formatter's KeyError may also have been a field's `[key]` of a value:
            // the mapping's own KeyError for the key reads the same.
            Err(Throw::Exc(e))
                if first || (!ran && exact_key_error(vm, &e).is_some_and(|k| k == missing)) =>
            {
                return Err(Throw::Exc(e))
            }
            Err(
                t @ (Throw::OutOfFuel | Throw::OutOfMemory | Throw::Unsupported(_) | Throw::Bug(_)),
            ) => return Err(t),
            _ => return Err(runs_python(vm)),
        }
    }
}

fn runs_python(vm: &Vm) -> Throw {
    vm.unsupported("str.format_map where formatting runs Python code")
}

/// The key of a `KeyError` (the exact type) raised with one str argument.
fn exact_key_error(vm: &Vm, e: &Value) -> Option<Rc<str>> {
    if !Rc::ptr_eq(&vm.type_of(e), &vm.ty("KeyError")) {
        return None;
    }
    match &*e.exc()?.args.borrow() {
        Value::Tuple(a) => match &a[..] {
            [Value::Str(k)] => Some(k.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The formatter's IndexError for a positional field it has no argument for (no
/// native code raises another with that message).
fn is_replacement_index_error(vm: &Vm, e: &Value) -> bool {
    if !Rc::ptr_eq(&vm.type_of(e), &vm.ty("IndexError")) {
        return false;
    }
    let Some(exc) = e.exc() else { return false };
    let args = exc.args.borrow();
    matches!(&*args, Value::Tuple(a) if matches!(&a[..], [Value::Str(m)]
        if m.starts_with("Replacement index ")
            && m.ends_with(" out of range for positional args tuple")))
}
