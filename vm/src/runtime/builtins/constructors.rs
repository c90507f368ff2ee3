//! Calls of the built-in types (`int(x)`, `str(x)`, `list(it)`, `range(a, b)`, `type(x)`,
//! exception types, …) and the string parsing `int()` and `float()` do.

use std::cell::RefCell;
use std::rc::Rc;

use super::int_value;
use crate::arith::text::ParseError;
use crate::arith::Num;
use crate::runtime::argspec::{Spec, Style};
use crate::runtime::builtins::arity;
use crate::runtime::dict::Dict;
use crate::runtime::heap;
use crate::runtime::int::{from_num, int_num, num};
use crate::runtime::interp::Vm;
use crate::runtime::object::{
    Args, Iter, IterState, Property, PropertyKind, Range, Slice, Value, ViewKind,
};
use crate::runtime::types::Type;
use crate::runtime::PyResult;

/// The text of a str or bytes literal `int()` and `float()` parse, and how their error
/// messages show it (CPython: the repr of the str, or of at most 200 of the bytes).
/// Bytes that are not ASCII cannot be a number: their text is `None`.
fn literal(v: &Value, max_shown: usize) -> Option<(Option<String>, String)> {
    match v {
        // `%.200R`: at most that many characters of the repr.
        Value::Str(s) => {
            let shown = crate::runtime::standins::repr(s)
                .chars()
                .take(max_shown)
                .collect();
            Some((Some(s.to_string()), shown))
        }
        Value::Bytes(b) => {
            let shown = crate::reprs::bytes_repr(&b[..b.len().min(max_shown)]);
            let text = std::str::from_utf8(b).ok().filter(|t| t.is_ascii());
            Some((text.map(str::to_owned), shown))
        }
        // `PyFloat_FromString` shows the bytearray itself.
        v => {
            let b = crate::runtime::bytearray::as_bytearray(v)?;
            let data = b.data.borrow();
            let text = std::str::from_utf8(&data).ok().filter(|t| t.is_ascii());
            Some((text.map(str::to_owned), crate::runtime::bytearray::repr(b)))
        }
    }
}

/// `int(s, base)` (CPython `PyLong_FromString`) of a str or bytes: `arith::text` parses
/// it under the digit limit.
fn parse_int(vm: &Vm, text: Option<&str>, shown: &str, base: u32) -> PyResult<Value> {
    let invalid = || {
        vm.value_error(format!(
            "invalid literal for int() with base {base}: {shown}"
        ))
    };
    let Some(s) = text else {
        return Err(invalid());
    };
    // CPython first maps non-ASCII digits and spaces to ASCII ones; this does not.
    if s.chars().any(|c| {
        ('\x1c'..='\x1f').contains(&c) || (!c.is_ascii() && (c.is_whitespace() || c.is_numeric()))
    }) {
        return Err(vm.unsupported("int() of a string with non-ASCII digits or spaces"));
    }
    match crate::arith::text::parse_int(s, base, vm.int_max_str_digits) {
        Ok(n) => Ok(from_num(n)),
        Err(ParseError::Invalid) => Err(invalid()),
        Err(ParseError::Limit(message)) => Err(vm.value_error(message)),
    }
}

/// `_Py_string_to_number_with_underscores`: each `_` stands between two digits.
fn underscores_between_digits(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

fn parse_float(vm: &Vm, text: Option<&str>, shown: &str) -> PyResult<f64> {
    let invalid = || vm.value_error(format!("could not convert string to float: {shown}"));
    let Some(s) = text else {
        return Err(invalid());
    };
    // CPython first maps non-ASCII digits and spaces to ASCII ones
    // (`_PyUnicode_TransformDecimalAndSpaceToASCII`); this does not.
    if s.chars().any(|c| {
        ('\x1c'..='\x1f').contains(&c) || (!c.is_ascii() && (c.is_whitespace() || c.is_numeric()))
    }) {
        return Err(vm.unsupported("float() of a string with non-ASCII digits or spaces"));
    }
    let t = s.trim().to_ascii_lowercase();
    if !underscores_between_digits(&t) {
        return Err(invalid());
    }
    let t = t.replace('_', "");
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(&t);
    let v = match unsigned {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => t.parse::<f64>().ok(),
    };
    match v {
        Some(v) => Ok(if t.starts_with('-') && !v.is_sign_negative() {
            -v
        } else {
            v
        }),
        None => Err(invalid()),
    }
}

/// Calls of builtin types: `int(x)`, `list(it)`, `type(x)`, exception types, ….
pub fn construct(vm: &mut Vm, t: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    if t.is_exception() {
        return exception(vm, t, args);
    }
    let name: &str = &t.name();
    check_args(vm, name, &args)?;
    let a = args.pos.clone();
    let first = a.first().cloned();
    match name {
        "super" => crate::runtime::superobj::call(vm, args),
        "int" => {
            // `_PyLong_FromBytes` reads a bytearray's bytes as bytes (and shows them so).
            let first = first.map(|v| match crate::runtime::bytearray::as_bytearray(&v) {
                Some(b) => Value::Bytes(Rc::from(b.data.borrow().as_slice())),
                None => v,
            });
            let base = args.take_kw("base").or_else(|| a.get(1).cloned());
            match (first, base) {
                (None, _) => Ok(Value::Int(0)),
                (Some(v @ (Value::Str(_) | Value::Bytes(_))), b) => {
                    let base = match b {
                        // `PyNumber_AsSsize_t(obase, NULL)`: a big base is clipped.
                        Some(b) => match int_value(vm, &b, "")? {
                            Num::Int(b @ (0 | 2..=36)) => b as u32,
                            _ => {
                                return Err(
                                    vm.value_error("int() base must be >= 2 and <= 36, or 0")
                                )
                            }
                        },
                        None => 10,
                    };
                    let Some((text, shown)) = literal(&v, 200) else {
                        return Err(vm.bug("int(): a str or bytes without its text"));
                    };
                    parse_int(vm, text.as_deref(), &shown, base)
                }
                (Some(v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))), None) => {
                    Ok(from_num(int_num(&v).unwrap_or(Num::Int(0))))
                }
                (Some(Value::Float(f)), None) => crate::arith::f64_to_int(f)
                    .map(from_num)
                    .map_err(|e| vm.arith_error(e)),
                (Some(v), None) => {
                    // `PyNumber_Long`: `nb_int`'s result must be an int.
                    if let Some(r) = vm.call_special(&v, "__int__", vec![])? {
                        return checked_result(vm, r, "__int__", "int", "int");
                    }
                    // `PyNumber_Long`: `nb_index` after `nb_int`.
                    if let Some(r) = vm.try_index(&v)? {
                        return Ok(r);
                    }
                    // `PyNumber_Long`'s deprecated fallback warns before it calls it.
                    if vm.special(&v, "__trunc__").is_some() {
                        return Err(vm.unsupported(
                            "int() through __trunc__ (a DeprecationWarning in CPython 3.12)",
                        ));
                    }
                    Err(vm.type_error(format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        vm.type_of(&v).name()
                    )))
                }
                (Some(_), Some(_)) => {
                    Err(vm.type_error("int() can't convert non-string with explicit base"))
                }
            }
        }
        "complex" => super::super::methods::complex::new(vm, &args),
        "float" => match first {
            None => Ok(Value::Float(0.0)),
            Some(v)
                if matches!(v, Value::Str(_) | Value::Bytes(_))
                    || crate::runtime::bytearray::as_bytearray(&v).is_some() =>
            {
                let Some((text, shown)) = literal(&v, usize::MAX) else {
                    return Err(vm.bug("float(): a str or bytes without its text"));
                };
                Ok(Value::Float(parse_float(vm, text.as_deref(), &shown)?))
            }
            Some(v) => match num(&v) {
                Some(n) => n.to_f64().map(Value::Float).map_err(|e| vm.arith_error(e)),
                None => {
                    // `PyNumber_Float`: `nb_float`'s result must be a float.
                    if let Some(r) = vm.call_special(&v, "__float__", vec![])? {
                        let t = vm.type_of(&v).name().clone();
                        return checked_result(vm, r, &format!("{t}.__float__"), "float", "float");
                    }
                    // `PyNumber_Float`: `nb_index` when there is no `nb_float`.
                    if let Some(i) = vm.try_index(&v)? {
                        let n = num(&i).unwrap_or(Num::Int(0));
                        return n.to_f64().map(Value::Float).map_err(|e| vm.arith_error(e));
                    }
                    Err(vm.type_error(format!(
                        "float() argument must be a string or a real number, not '{}'",
                        vm.type_of(&v).name()
                    )))
                }
            },
        },
        "str" if with_codec(&args) => decode(vm, &args),
        "str" => match first.or_else(|| args.take_kw("object")) {
            None => Ok(Value::str("")),
            Some(v) => Ok(Value::str(&vm.str_of(&v)?)),
        },
        "bool" => match first {
            None => Ok(Value::Bool(false)),
            Some(v) => Ok(Value::Bool(vm.truthy(&v)?)),
        },
        "list" => match first {
            None => Ok(Value::list(Vec::new())),
            Some(v) => Ok(Value::list(vm.collect_hinted(&v)?)),
        },
        "tuple" => match first {
            None => Ok(Value::tuple(Vec::new())),
            Some(Value::Tuple(t)) => Ok(Value::Tuple(t)),
            Some(v) => Ok(Value::tuple(vm.collect_hinted(&v)?)),
        },
        // `set_vectorcall`, `frozenset_vectorcall` (arguments checked above).
        "frozenset" => vm.new_frozenset(first.as_ref()),
        "set" => Ok(Value::Set(vm.new_set(false, first.as_ref())?)),
        "dict" => {
            let d = Dict::new();
            if let Some(src) = first {
                crate::runtime::methods::update_from(vm, &d, &src)?;
            }
            for (k, v) in args.kw {
                d.set_str(&k, v);
            }
            Ok(Value::Dict(crate::runtime::gc::alloc(d)))
        }
        "range" => {
            let mut ints = Vec::with_capacity(a.len());
            for v in &a {
                ints.push(int_value(vm, v, "")?);
            }
            let (start, stop, step) = match ints.as_slice() {
                [stop] => (Num::Int(0), stop.clone(), Num::Int(1)),
                [start, stop] => (start.clone(), stop.clone(), Num::Int(1)),
                [start, stop, step] => (start.clone(), stop.clone(), step.clone()),
                _ => {
                    return Err(vm.type_error(format!(
                        "range expected at most 3 arguments, got {}",
                        ints.len()
                    )))
                }
            };
            if step == Num::Int(0) {
                return Err(vm.value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Rc::new(Range::new(&start, &stop, &step))))
        }
        // `ga_new`: an origin and its arguments (one argument stands for a 1-tuple).
        "types.GenericAlias" => {
            if !args.kw.is_empty() {
                return Err(vm.type_error("GenericAlias() takes no keyword arguments"));
            }
            let [origin, sub] = a.as_slice() else {
                return Err(vm.type_error(format!(
                    "GenericAlias expected 2 arguments, got {}",
                    a.len()
                )));
            };
            Ok(crate::runtime::genericalias::alias(origin.clone(), sub))
        }
        "slice" => {
            let (start, stop, step) = match a.as_slice() {
                [stop] => (Value::None, stop.clone(), Value::None),
                [start, stop] => (start.clone(), stop.clone(), Value::None),
                [start, stop, step] => (start.clone(), stop.clone(), step.clone()),
                _ => return Err(vm.type_error("slice expected at least 1 argument, got 0")),
            };
            Ok(Value::Slice(Rc::new(Slice { start, stop, step })))
        }
        "type" => match a.len() {
            1 if !args.kw.is_empty() => Err(vm.type_error("type() takes no keyword arguments")),
            1 => Ok(Value::Type(vm.type_of(&a[0]))),
            3 => {
                let t = vm.ty("type");
                crate::runtime::metaclass::type_new(vm, &t, args)
            }
            _ => Err(vm.type_error("type() takes 1 or 3 arguments")),
        },
        "object" => {
            if !a.is_empty() {
                return Err(vm.type_error("object() takes no arguments"));
            }
            Ok(vm.new_instance(t, &args))
        }
        "enumerate" => enumerate(vm, &args),
        "zip" => zip(vm, args),
        "map" => {
            if a.len() < 2 {
                return Err(vm.type_error("map() must have at least two arguments."));
            }
            let mut inners = Vec::new();
            for v in &a[1..] {
                inners.push(vm.iter(v)?);
            }
            Ok(iter_value(IterState::Map {
                func: a[0].clone(),
                inners,
            }))
        }
        "filter" => {
            arity(vm, &args, "filter", 2, 2)?;
            let inner = vm.iter(&a[1])?;
            Ok(iter_value(IterState::Filter {
                func: a[0].clone(),
                inner,
            }))
        }
        "reversed" => {
            arity(vm, &args, "reversed", 1, 1)?;
            reversed(vm, &a[0])
        }
        "property" => crate::runtime::descr::new_property(vm, &args),
        "staticmethod" | "classmethod" => {
            let kind = match name {
                "property" => PropertyKind::Property,
                "staticmethod" => PropertyKind::StaticMethod,
                _ => PropertyKind::ClassMethod,
            };
            Ok(Value::Property(Rc::new(Property::new(
                kind,
                first.unwrap_or(Value::None),
            ))))
        }
        "bytes" if with_codec(&args) => encode(vm, &args),
        "bytes" => match first.map(|v| match v {
            Value::Bool(b) => Value::Int(i64::from(b)),
            other => other,
        }) {
            None => Ok(Value::Bytes(Rc::from(Vec::new()))),
            // `PyNumber_AsSsize_t(x, PyExc_OverflowError)`.
            Some(Value::BigInt(_)) => Err(vm.err("OverflowError", crate::runtime::int::CANNOT_FIT)),
            Some(Value::Str(_)) => Err(vm.type_error("string argument without an encoding")),
            Some(Value::Int(n)) if n < 0 => Err(vm.value_error("negative count")),
            // `_PyBytes_FromSize(n, 1)`.
            Some(Value::Int(n)) if n > i64::MAX - 33 => {
                Err(vm.err("OverflowError", "byte string is too large"))
            }
            Some(Value::Int(n)) => {
                vm.before_alloc(heap::bytes_block(n as u128), n as u128)?;
                Ok(Value::Bytes(Rc::from(vec![0u8; n as usize])))
            }
            // `bytes_new_impl`: `__bytes__` first, then what bytearray() reads too.
            Some(v) => {
                if let Some(f) = vm.special(&v, "__bytes__") {
                    let r = vm.call(&f, Args::new(vec![v.clone()]))?;
                    return match r.builtin_value() {
                        Value::Bytes(_) if matches!(r, Value::Bytes(_)) => Ok(r),
                        Value::Bytes(_) => {
                            Err(vm
                                .unsupported("__bytes__ returning an instance of a bytes subclass"))
                        }
                        _ => Err(vm.type_error(format!(
                            "__bytes__ returned non-bytes (type {})",
                            vm.type_of(&r).name()
                        ))),
                    };
                }
                let out = crate::runtime::bytearray::from_object(vm, &v, "bytes")?;
                Ok(Value::Bytes(Rc::from(out)))
            }
        },
        // typevar_new, paramspec_new, typevartuple_new, typealias_new, … (`_typing`).
        "typing.TypeVar"
        | "typing.ParamSpec"
        | "typing.TypeVarTuple"
        | "typing.TypeAliasType"
        | "typing.ParamSpecArgs"
        | "typing.ParamSpecKwargs"
        | "typing.Generic" => crate::runtime::modules::typing::construct(vm, t, args),
        // `method_new`: no keywords, exactly (function, instance), a callable and an
        // instance that is not None.
        "method" => {
            if !args.kw.is_empty() {
                return Err(vm.type_error("method() takes no keyword arguments"));
            }
            if args.pos.len() != 2 {
                return Err(vm.type_error(format!(
                    "method expected 2 arguments, got {}",
                    args.pos.len()
                )));
            }
            let (func, receiver) = (args.pos[0].clone(), args.pos[1].clone());
            if !super::is_callable(vm, &func) {
                return Err(vm.type_error("first argument must be callable"));
            }
            if receiver.is_none() {
                return Err(vm.type_error("instance must not be None"));
            }
            Ok(Value::Method(Rc::new(crate::runtime::object::Method {
                func,
                receiver,
            })))
        }
        "mappingproxy" => crate::runtime::mappingproxy::new(vm, &args),
        "function" => crate::runtime::ops::calls::func_new(vm, &args),
        // cell_new: `cell()` is empty, `cell(x)` holds x.
        "cell" => {
            let [contents] = Spec::function("cell", Style::Positional, &["contents"], 0)
                .bind::<1>(vm, &args, 0)?;
            let cell = crate::runtime::object::CellObj {
                value: RefCell::new(contents),
            };
            Ok(Value::Cell(crate::runtime::gc::alloc(cell)))
        }
        "traceback" => crate::runtime::traceback::new(vm, &args),
        // none_new, notimplemented_new, ellipsis_new: the singleton.
        "NoneType" | "NotImplementedType" | "ellipsis" => singleton(vm, name, &args),
        _ => match crate::runtime::modules::construct(vm, t, args) {
            Some(made) => made,
            // `Py_TPFLAGS_DISALLOW_INSTANTIATION` (type_call's message); a type CPython
            // can make that the VM cannot is unsupported.
            None if disallows_instantiation(name) => {
                Err(vm.type_error(format!("cannot create '{name}' instances")))
            }
            None => Err(vm.unsupported(format!("calling the built-in type {name}"))),
        },
    }
}

/// A built-in exception type's call: `BaseException_new` and the type's own `__init__`,
/// whose keywords (`AttributeError(name=, obj=)`, `NameError(name=)`,
/// `ImportError(name=, path=, name_from=)`) are kept as the attributes they set. What
/// the object model does not hold is unsupported: OSError's errno form (which picks an
/// errno subclass and sets `errno`, `strerror`, `filename`).
fn exception(vm: &mut Vm, t: &Rc<Type>, args: Args) -> PyResult<Value> {
    if crate::runtime::excgroup::is_group_type(vm, t) {
        return crate::runtime::excgroup::construct(vm, t, args);
    }
    let family = [
        "AttributeError",
        "NameError",
        "ImportError",
        "OSError",
        "SyntaxError",
    ]
    .into_iter()
    .find(|f| t.is_subtype(&vm.ty(f)));
    let keywords: &[&str] = match family {
        Some("AttributeError") => &["name", "obj"],
        Some("NameError") => &["name"],
        Some("ImportError") => &["name", "path", "name_from"],
        _ => &[],
    };
    // `PyArg_ParseTupleAndKeywords(…, "|$OO:AttributeError", …)` and the like.
    if let (Some(f), false) = (family, keywords.is_empty()) {
        let (n, max) = (args.kw.len(), keywords.len());
        if n > max {
            let s = if max == 1 { "" } else { "s" };
            return Err(vm.type_error(format!(
                "{f}() takes at most {max} keyword argument{s} ({n} given)"
            )));
        }
        if let Some((k, _)) = args.kw.iter().find(|(k, _)| !keywords.contains(&&**k)) {
            return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for {f}()")));
        }
    } else if !args.kw.is_empty() {
        return Err(vm.type_error(format!("{}() takes no keyword arguments", t.name())));
    }
    // `SyntaxError_init`: the members from the arguments (OSError's are parsed where
    // every exception is made, `new_exception`).
    if family == Some("SyntaxError") {
        let pos = args.pos.clone();
        let exc = vm.new_exception(t, pos.clone());
        crate::runtime::syntaxerror::init(vm, &exc, &pos)?;
        return Ok(exc);
    }
    // `UnicodeEncodeError_init` and its kin parse the arguments into the members.
    if let Some(kind) = crate::runtime::unicodeerror::kind_of_type(vm, t) {
        let exc = vm.new_exception(t, args.pos.clone());
        let mut pos = args.pos;
        pos.insert(0, exc.clone());
        crate::runtime::unicodeerror::init(vm, &Args::new(pos), kind)?;
        return Ok(exc);
    }
    // `AttributeError_init`, `NameError_init`, `ImportError_init`: the members.
    let exc = vm.new_exception(t, args.pos.clone());
    crate::runtime::excmembers::init(vm, &exc, &args.pos, &args.kw);
    Ok(exc)
}

/// `enumerate(iterable, start=0)` with the argument checks of CPython's
/// `enum_vectorcall` (which names the parameters itself) and `enum_new_impl` (`start`
/// is converted before `iterable` is iterated).
fn enumerate(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let invalid = |vm: &Vm, k: &str| {
        vm.type_error(format!(
            "'{k}' is an invalid keyword argument for enumerate()"
        ))
    };
    let kw = |i: usize| -> (&str, Value) {
        let (k, v) = &args.kw[i];
        (k, v.clone())
    };
    let n = args.pos.len() + args.kw.len();
    let (iterable, start) = match (n, args.kw.len()) {
        (2, 0) => (args.pos[0].clone(), Some(args.pos[1].clone())),
        (2, 1) => match kw(0) {
            ("start", start) => (args.pos[0].clone(), Some(start)),
            (k, _) => return Err(invalid(vm, k)),
        },
        (2, _) => match (kw(0), kw(1)) {
            (("start", start), ("iterable", iterable))
            | (("iterable", iterable), ("start", start)) => (iterable, Some(start)),
            (("start", _), (k, _)) | (("iterable", _), (k, _)) | ((k, _), _) => {
                return Err(invalid(vm, k))
            }
        },
        (1, 0) => (args.pos[0].clone(), None),
        (1, _) => match kw(0) {
            ("iterable", iterable) => (iterable, None),
            (k, _) => return Err(invalid(vm, k)),
        },
        _ if args.pos.is_empty() => {
            return Err(vm.type_error("enumerate() missing required argument 'iterable'"))
        }
        _ => {
            return Err(vm.type_error(format!("enumerate() takes at most 2 arguments ({n} given)")))
        }
    };
    let count = match start {
        Some(s) => int_value(vm, &s, "")?,
        None => Num::Int(0),
    };
    let inner = vm.iter(&iterable)?;
    Ok(iter_value(IterState::Enumerate { inner, count }))
}

/// `zip(*iterables, strict=False)` (CPython `zip_new`: `strict` is its only keyword,
/// parsed as `|$p`).
fn zip(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let strict = match args.kw.len() {
        0 => false,
        1 => {
            let Some(strict) = args.take_kw("strict") else {
                return Err(vm.type_error(format!(
                    "'{}' is an invalid keyword argument for zip()",
                    args.kw[0].0
                )));
            };
            vm.truthy(&strict)?
        }
        n => {
            return Err(vm.type_error(format!(
                "zip() takes at most 1 keyword argument ({n} given)"
            )))
        }
    };
    let mut inners = Vec::new();
    for v in &args.pos {
        inners.push(vm.iter(v)?);
    }
    Ok(iter_value(IterState::Zip { inners, strict }))
}

/// `reversed(seq)` (CPython `reversed_new_impl`): the object's `__reversed__` when its
/// type has one (`list`, `range`, `dict` and its views), else a `reversed` object that
/// indexes a sequence (`__len__` and `__getitem__`) from its end, lazily.
fn reversed(vm: &mut Vm, v: &Value) -> PyResult<Value> {
    let not_reversible = |vm: &Vm, v: &Value| {
        vm.type_error(format!(
            "'{}' object is not reversible",
            vm.type_of(v).name()
        ))
    };
    // A subclass of a built-in sequence that overrides none of the methods reversed()
    // reads reverses its built-in value, as the inherited ones do.
    if let Value::Object(o) = v {
        let t = o.class.borrow().clone();
        // A deque payload (`_collections`) has its own `__reversed__`, found below.
        if let Some(p) = o
            .payload
            .as_ref()
            .filter(|p| !matches!(p, Value::Native(_)))
        {
            if !["__reversed__", "__len__", "__getitem__"]
                .iter()
                .any(|n| t.overrides(n))
            {
                return reversed(vm, &p.clone());
            }
        }
    }
    let state = match v {
        Value::List(l) => IterState::List {
            list: l.clone(),
            index: l.items.borrow().len(),
            reversed: true,
        },
        // `range.__reversed__` (`range_reverse`).
        Value::Range(r) => r.reversed(),
        Value::Dict(d) => dict_reversed(d, ViewKind::Keys),
        Value::DictView(view) => dict_reversed(&view.dict, view.kind),
        Value::Str(_) | Value::Tuple(_) | Value::Bytes(_) => IterState::Reversed {
            index: vm.len(v)? as i64 - 1,
            seq: v.clone(),
        },
        // A bytearray is reversed through its sequence slots, as a tuple is.
        Value::Native(n) if matches!(**n, crate::runtime::object::Native::ByteArray(_)) => {
            IterState::Reversed {
                index: vm.len(v)? as i64 - 1,
                seq: v.clone(),
            }
        }
        Value::Object(_) | Value::Native(_) | Value::Type(_) => match vm.special(v, "__reversed__")
        {
            Some(Value::None) => return Err(not_reversible(vm, v)),
            Some(_) => {
                return vm
                    .call_special(v, "__reversed__", vec![])?
                    .ok_or_else(|| not_reversible(vm, v))
            }
            // A weakref proxy is no sequence (its type has no `sq_item`).
            None if crate::runtime::weakproxy::as_proxy(v).is_some() => {
                return Err(not_reversible(vm, v))
            }
            // A `reversed` object's `__length_hint__` calls the sequence's `__len__`
            // again, wherever CPython sizes an iterable first (`list()`, `tuple()`, …).
            None if vm.special(v, "__getitem__").is_some() => {
                if vm.special(v, "__len__").is_none() {
                    vm.len(v)?;
                }
                return Err(vm.unsupported(
                    "reversed() of a user-defined sequence (its __length_hint__ calls __len__)",
                ));
            }
            None => return Err(not_reversible(vm, v)),
        },
        _ => return Err(not_reversible(vm, v)),
    };
    Ok(iter_value(state))
}

/// A view's `__reversed__` (`dict_keys.__reversed__`, CPython `dictkeys_reversed`): the
/// same iterator `reversed()` makes of it.
pub fn view_reversed(view: &crate::runtime::object::DictView) -> Value {
    iter_value(dict_reversed(&view.dict, view.kind))
}

/// `reversed(d)` / `reversed(d.keys())` and the other views (CPython `dictreviter`).
fn dict_reversed(d: &Rc<Dict>, kind: ViewKind) -> IterState {
    IterState::DictReversed {
        dict: d.clone(),
        keys: d.keys(),
        len: Some(d.len()),
        keys_version: d.keys_version(),
        kind,
    }
}

fn iter_value(state: IterState) -> Value {
    Value::Iter(crate::runtime::gc::alloc(Iter {
        state: RefCell::new(state),
    }))
}

/// The argument checks CPython makes before a built-in type's constructor runs: counts
/// and keywords, with each type's own wording.
/// Whether CPython's type `name` has `Py_TPFLAGS_DISALLOW_INSTANTIATION`.
fn disallows_instantiation(name: &str) -> bool {
    let own = name.rsplit('.').next().unwrap_or(name);
    let table = crate::runtime::cpython_names::TYPE_FLAGS;
    table
        .binary_search_by(|(n, _)| n.cmp(&own))
        .is_ok_and(|i| table[i].1 & (1 << 7) != 0)
}

/// None, NotImplemented or Ellipsis, from a call of its type with no arguments.
fn singleton(vm: &Vm, name: &str, args: &Args) -> PyResult<Value> {
    if !args.pos.is_empty() || !args.kw.is_empty() {
        let shown = if name == "ellipsis" {
            "EllipsisType"
        } else {
            name
        };
        return Err(vm.type_error(format!("{shown} takes no arguments")));
    }
    Ok(match name {
        "NoneType" => Value::None,
        "NotImplementedType" => Value::NotImplemented,
        _ => Value::Ellipsis,
    })
}

/// `NoneType.__new__(cls)` and the other singletons' (`tp_new_wrapper`'s checks, then
/// the type's own).
fn singleton_new(vm: &mut Vm, name: &str, mut args: Args) -> PyResult<Value> {
    let owner = vm.ty(name);
    let Some(first) = args.pos.first().cloned() else {
        return Err(vm.type_error(format!("{name}.__new__(): not enough arguments")));
    };
    let Value::Type(cls) = &first else {
        let n = vm.type_of(&first).name().clone();
        return Err(vm.type_error(format!("{name}.__new__(X): X is not a type object ({n})")));
    };
    if !cls.is_subtype(&owner) {
        return Err(vm.type_error(format!(
            "{name}.__new__({}): {} is not a subtype of {name}",
            cls.name(),
            cls.name()
        )));
    }
    args.pos.remove(0);
    singleton(vm, name, &args)
}

pub const SINGLETON_METHODS: &[(&str, &str, crate::runtime::object::NativeFn)] = &[
    ("NoneType", "__new__", none_new),
    ("NotImplementedType", "__new__", notimplemented_new),
    ("ellipsis", "__new__", ellipsis_new),
];

fn none_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    singleton_new(vm, "NoneType", args)
}

fn notimplemented_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    singleton_new(vm, "NotImplementedType", args)
}

fn ellipsis_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    singleton_new(vm, "ellipsis", args)
}

fn check_args(vm: &Vm, name: &str, args: &Args) -> PyResult<()> {
    const ANY: [&str; 3] = ["", "", ""];
    let positional =
        |min: usize, max: usize| Spec::function(name, Style::Positional, &ANY[..max], min);
    match name {
        "float" | "bool" | "list" | "tuple" | "set" | "frozenset" => {
            positional(0, 1).parse(vm, args, 0)?;
        }
        "range" | "slice" => {
            positional(1, 3).parse(vm, args, 0)?;
        }
        "staticmethod" | "classmethod" | "reversed" => {
            positional(1, 1).parse(vm, args, 0)?;
        }
        "dict" => {
            positional(0, 1).parse(vm, &Args::new(args.pos.clone()), 0)?;
        }
        "int" => {
            Spec::function(name, Style::Keywords, &["x", "base"], 0)
                .keywords(1, 2)
                .parse(vm, args, 0)?;
        }
        "str" => {
            Spec::function(name, Style::Keywords, &["object", "encoding", "errors"], 0)
                .keywords(0, 3)
                .parse(vm, args, 0)?;
        }
        "bytes" => {
            Spec::function(name, Style::Keywords, &["source", "encoding", "errors"], 0)
                .keywords(0, 3)
                .parse(vm, args, 0)?;
        }
        "property" => {
            Spec::function(name, Style::Keywords, &["fget", "fset", "fdel", "doc"], 0)
                .keywords(0, 4)
                .parse(vm, args, 0)?;
        }
        "map" if !args.kw.is_empty() => {
            return Err(vm.type_error("map() takes no keyword arguments"));
        }
        "object" if !args.pos.is_empty() || !args.kw.is_empty() => {
            return Err(vm.type_error("object() takes no arguments"));
        }
        _ => {}
    }
    Ok(())
}

/// `encoding` and `errors` of `str(object, encoding, errors)` / `bytes(source, …)`:
/// each must be a str; the codec is UTF-8, ASCII or Latin-1 (others are unsupported).
fn codec_args(vm: &Vm, fname: &str, args: &Args) -> PyResult<(Option<Value>, &'static str)> {
    let params: &[&str] = if fname == "str" {
        &["object", "encoding", "errors"]
    } else {
        &["source", "encoding", "errors"]
    };
    let [object, encoding, errors] = Spec::function(fname, Style::Keywords, params, 0)
        .keywords(0, 3)
        .bind(vm, args, 0)?;
    let mut codec = "utf-8";
    for (v, what) in [(&encoding, "encoding"), (&errors, "errors")] {
        match v {
            None => {}
            Some(Value::Str(s)) if what == "encoding" => {
                codec = match s.to_ascii_lowercase().replace('_', "-").as_str() {
                    "utf-8" | "utf8" => "utf-8",
                    "ascii" | "us-ascii" => "ascii",
                    "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => "latin-1",
                    _ => {
                        return Err(vm.unsupported(format!(
                            "{fname}() with encoding {}",
                            crate::runtime::standins::repr(s)
                        )))
                    }
                };
            }
            Some(Value::Str(_)) => {}
            Some(other) => {
                return Err(vm.type_error(format!(
                    "{fname}() argument '{what}' must be str, not {}",
                    super::type_name_of_arg(vm, other)
                )))
            }
        }
    }
    Ok((object, codec))
}

/// Whether a `str(…)` / `bytes(…)` call names a codec (an `encoding` or `errors`).
fn with_codec(args: &Args) -> bool {
    args.pos.len() > 1
        || args
            .kw
            .iter()
            .any(|(k, _)| matches!(&**k, "encoding" | "errors"))
}

/// `str(object, encoding[, errors])`: decodes bytes.
fn decode(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let (object, codec) = codec_args(vm, "str", args)?;
    match object {
        None => Ok(Value::str("")),
        Some(Value::Str(_)) => Err(vm.type_error("decoding str is not supported")),
        Some(v) if crate::runtime::methods::bytes::buffer_of(&v).is_some() => {
            let data = crate::runtime::methods::bytes::buffer_of(&v).unwrap_or_default();
            let text = |x: Option<&Value>| match x.map(Value::builtin_value) {
                Some(Value::Str(s)) => Some(s.to_string()),
                _ => None,
            };
            let [_, encoding, errors] =
                Spec::function("str", Style::Keywords, &["object", "encoding", "errors"], 0)
                    .keywords(0, 3)
                    .bind(vm, args, 0)?;
            let (encoding, errors) = (text(encoding.as_ref()), text(errors.as_ref()));
            let _ = codec;
            let s = crate::runtime::methods::bytes_more::decode_bytes(
                vm,
                &data,
                encoding.as_deref(),
                errors.as_deref(),
            )?;
            Ok(Value::str(&s))
        }
        Some(other) => Err(vm.type_error(format!(
            "decoding to str: need a bytes-like object, {} found",
            vm.type_of(&other).name()
        ))),
    }
}

/// `bytes(source, encoding[, errors])`: encodes a str.
fn encode(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let (source, codec) = codec_args(vm, "bytes", args)?;
    match source {
        Some(s @ Value::Str(_)) => {
            let [_, _, errors] = Spec::function(
                "bytes",
                Style::Keywords,
                &["source", "encoding", "errors"],
                0,
            )
            .keywords(0, 3)
            .bind(vm, args, 0)?;
            let errors = match errors.as_ref().map(Value::builtin_value) {
                Some(Value::Str(e)) => e.to_string(),
                _ => "strict".to_owned(),
            };
            let codec = crate::runtime::textcodec::Codec::named(codec)
                .ok_or_else(|| vm.bug("bytes(): codec"))?;
            let out = crate::runtime::textcodec::encode(vm, &s, codec, &errors)?;
            Ok(Value::Bytes(Rc::from(out)))
        }
        _ => Err(vm.type_error("encoding without a string argument")),
    }
}

/// The result of `__int__` or `__float__` as `PyNumber_Long` / `PyNumber_Float` check it:
/// an exact `want` as it is; an instance of a strict subclass (a bool for an int)
/// deprecated but taken as its value; anything else a TypeError naming `method`.
fn checked_result(vm: &mut Vm, r: Value, method: &str, want: &str, what: &str) -> PyResult<Value> {
    let exact = |v: &Value| match want {
        "int" => matches!(v, Value::Int(_) | Value::BigInt(_)),
        _ => matches!(v, Value::Float(_)),
    };
    if exact(&r) {
        return Ok(r);
    }
    let value = match r.builtin_value() {
        Value::Bool(b) if want == "int" => Value::Int(i64::from(*b)),
        v if exact(v) => v.clone(),
        _ => {
            let n = vm.type_of(&r).name().clone();
            return Err(vm.type_error(format!("{method} returned non-{what} (type {n})")));
        }
    };
    let n = vm.type_of(&r).name().clone();
    crate::runtime::modules::warnings::warn_native(
        vm,
        "DeprecationWarning",
        format!(
            "{method} returned non-{what} (type {n}).  The ability to return an instance of \
             a strict subclass of {want} is deprecated, and may be removed in a future \
             version of Python."
        ),
    )?;
    Ok(value)
}
