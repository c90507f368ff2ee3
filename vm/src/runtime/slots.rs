//! The special methods of the built-in types that classes derive from (`int.__add__`,
//! `list.__len__`, `dict.__getitem__`, …): CPython's slot wrappers (`wrap_binaryfunc_l`,
//! `wrap_lenfunc`, `wrap_objobjargproc`, … in Objects/typeobject.c), each calling the
//! type's own C function (spec clause frames.builtin-subclass).
//!
//! They are what a subclass inherits: `super().__getitem__(k)`, `int.__add__(self, o)`,
//! and the protocols on an instance of a subclass that does not override the method,
//! which find these along its MRO. Each works on the receiver's built-in value (its
//! payload, see `subclass`) and answers only for operands of the kinds its C function
//! accepts: `int.__add__(1, 2.0)` is NotImplemented, as `long_add` returns, so the
//! operator goes on to the other operand. The sequence concatenation and repetition
//! wrappers raise instead, as `list_concat` and `sq_repeat`'s index conversion do.
//!
//! `object`'s own special methods are not installed: a plain class's instances keep the
//! evaluator's direct paths.

use std::rc::Rc;

use super::builtins;
use super::interp::Vm;
use super::object::{Args, Builtin, NativeFn, Value};
use super::PyResult;
use crate::arith::UnaryOp;
use crate::oparg::{BinaryOp, CompareOp};

/// What a built-in value is, as the slot functions check their operands
/// (`PyLong_Check`, `PyFloat_Check`, `PyAnySet_Check`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Complex,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Set,
}

fn kind(v: &Value) -> Option<Kind> {
    Some(match v.builtin_value() {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Complex(_) => Kind::Complex,
        Value::Str(_) => Kind::Str,
        Value::Bytes(_) => Kind::Bytes,
        Value::Tuple(_) => Kind::Tuple,
        Value::List(_) => Kind::List,
        Value::Dict(_) => Kind::Dict,
        Value::Set(_) => Kind::Set,
        _ => return None,
    })
}

/// Whether a numeric slot of `me`'s type accepts `other` (`long_add`'s `CHECK_BINOP`,
/// `float_add`'s `CONVERT_TO_DOUBLE`, complex's `TO_COMPLEX`).
fn numeric_accepts(me: Kind, other: Option<Kind>) -> bool {
    matches!(
        (me, other),
        (Kind::Int, Some(Kind::Int))
            | (Kind::Float, Some(Kind::Int | Kind::Float))
            | (Kind::Complex, Some(Kind::Int | Kind::Float | Kind::Complex))
    )
}

/// The six rich comparisons every one of these types defines.
const COMPARISONS: &[&str] = &["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"];

/// What the sequences share (`sq_concat`, `sq_repeat`, `sq_item`, …).
const SEQUENCE: &[&str] = &[
    "__add__",
    "__contains__",
    "__getitem__",
    "__iter__",
    "__len__",
    "__mul__",
    "__rmul__",
    "__repr__",
];

/// What the three number types share.
const NUMBER: &[&str] = &[
    "__abs__",
    "__add__",
    "__bool__",
    "__hash__",
    "__mul__",
    "__neg__",
    "__pos__",
    "__pow__",
    "__radd__",
    "__repr__",
    "__rmul__",
    "__rpow__",
    "__rsub__",
    "__rtruediv__",
    "__sub__",
    "__truediv__",
];

/// What `int` and `float` add to [`NUMBER`].
const REAL: &[&str] = &[
    "__divmod__",
    "__float__",
    "__floordiv__",
    "__int__",
    "__mod__",
    "__rdivmod__",
    "__rfloordiv__",
    "__rmod__",
];

/// The set operators of `set` and `frozenset`.
const SET: &[&str] = &[
    "__and__",
    "__contains__",
    "__iter__",
    "__len__",
    "__or__",
    "__rand__",
    "__repr__",
    "__ror__",
    "__rsub__",
    "__rxor__",
    "__sub__",
    "__xor__",
];

/// The wrappers each built-in type gets, by name: CPython 3.12's slot wrappers of that
/// type (and its `__getitem__`/`__contains__` methods) that the VM implements, as
/// families and the type's own.
const INSTALLED: &[(&str, &[&[&str]])] = &[
    (
        "int",
        &[
            COMPARISONS,
            NUMBER,
            REAL,
            &[
                "__and__",
                "__index__",
                "__invert__",
                "__lshift__",
                "__or__",
                "__rand__",
                "__rlshift__",
                "__ror__",
                "__rrshift__",
                "__rshift__",
                "__rxor__",
                "__xor__",
            ],
        ],
    ),
    // `bool_as_number` (and, or, xor, invert) and `bool_repr`: the rest is int's.
    (
        "bool",
        &[&[
            "__and__",
            "__invert__",
            "__or__",
            "__rand__",
            "__repr__",
            "__ror__",
            "__rxor__",
            "__xor__",
        ]],
    ),
    ("float", &[COMPARISONS, NUMBER, REAL]),
    ("complex", &[COMPARISONS, NUMBER]),
    (
        "str",
        &[
            COMPARISONS,
            SEQUENCE,
            &["__hash__", "__mod__", "__rmod__", "__str__"],
        ],
    ),
    ("bytes", &[COMPARISONS, SEQUENCE, &["__hash__", "__str__"]]),
    ("tuple", &[COMPARISONS, SEQUENCE, &["__hash__"]]),
    (
        "list",
        &[
            COMPARISONS,
            SEQUENCE,
            &["__delitem__", "__iadd__", "__imul__", "__setitem__"],
        ],
    ),
    (
        "dict",
        &[
            COMPARISONS,
            &[
                "__contains__",
                "__delitem__",
                "__getitem__",
                "__ior__",
                "__iter__",
                "__len__",
                "__or__",
                "__repr__",
                "__ror__",
                "__setitem__",
            ],
        ],
    ),
    (
        "set",
        &[
            COMPARISONS,
            SET,
            &["__iand__", "__ior__", "__isub__", "__ixor__"],
        ],
    ),
    ("frozenset", &[COMPARISONS, SET, &["__hash__"]]),
];

/// The mutable types' `__hash__ = None` (`PyObject_HashNotImplemented`).
const UNHASHABLE: &[&str] = &["list", "dict", "set"];

/// Puts the wrappers in the built-in types' dicts; a name the type's dict already has (a
/// method installed by `methods`) is left alone.
pub fn install(vm: &mut Vm) {
    for &(owner, families) in INSTALLED {
        let t = vm.ty(owner);
        for &name in families.iter().flat_map(|f| f.iter()) {
            let Some(func) = wrapper(name) else { continue };
            if t.dict.get_str(name).is_some() {
                continue;
            }
            let b = Builtin {
                name,
                owner: Some(owner),
                func,
                module: None,
            };
            t.dict.set_str(name, Value::Builtin(Rc::new(b)));
        }
    }
    for owner in UNHASHABLE {
        vm.ty(owner).dict.set_str("__hash__", Value::None);
    }
    // The iterators' `tp_iter` (`PyObject_SelfIter`) and `tp_iternext`.
    for &owner in ITERATORS {
        let t = vm.ty(owner);
        for (name, func) in [("__iter__", iter_self as NativeFn), ("__next__", next_item)] {
            if t.dict.get_str(name).is_none() {
                let b = Builtin {
                    name,
                    owner: Some(owner),
                    func,
                    module: None,
                };
                t.dict.set_str(name, Value::Builtin(Rc::new(b)));
            }
        }
    }
}

/// The built-in iterator types whose objects are `Value::Iter`.
const ITERATORS: &[&str] = &[
    "list_iterator",
    "list_reverseiterator",
    "tuple_iterator",
    "range_iterator",
    "longrange_iterator",
    "str_ascii_iterator",
    "str_iterator",
    "dict_keyiterator",
    "dict_valueiterator",
    "dict_itemiterator",
    "dict_reversekeyiterator",
    "dict_reversevalueiterator",
    "dict_reverseitemiterator",
    "set_iterator",
    "bytes_iterator",
    "enumerate",
    "zip",
    "map",
    "filter",
    "reversed",
    "callable_iterator",
    "iterator",
];

/// `__iter__` of an iterator: the iterator itself.
fn iter_self(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__iter__", 0)?;
    Ok(v[0].clone())
}

/// `__next__` of an iterator (`wrap_next`): the next item, or StopIteration.
fn next_item(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__next__", 0)?;
    match vm.next(&v[0])? {
        Some(item) => Ok(item),
        None => Err(vm.err_args("StopIteration", Vec::new())),
    }
}

/// Whether `name` is one of the wrappers, which unwrap their receiver themselves (the
/// in-place ones return it, and `dict.__getitem__` asks its class for `__missing__`).
pub fn is_wrapper(name: &str) -> bool {
    wrapper(name).is_some()
}

/// The special methods CPython defines as ordinary methods (`METH_O | METH_COEXIST`),
/// not slot wrappers: their argument errors read as a method's.
const METHOD_STYLE: &[(&str, &str)] = &[
    ("list", "__getitem__"),
    ("dict", "__getitem__"),
    ("dict", "__contains__"),
    ("set", "__contains__"),
    ("frozenset", "__contains__"),
    // Method descriptors with special names (`METH_NOARGS`, Argument Clinic).
    ("bytes", "__bytes__"),
    ("bytes", "__getnewargs__"),
    ("bytearray", "__reduce__"),
    ("bytearray", "__reduce_ex__"),
];

/// Whether `owner.name`'s argument errors read as a slot wrapper's (`descriptor
/// '__len__' requires a 'list' object …`) rather than a method's.
pub fn wrapper_style(owner: &str, name: &str) -> bool {
    // CPython's own dict says, for the types the generated tables know.
    let own = owner.rsplit('.').next().unwrap_or(owner);
    if super::reach::own_dict_has(own, name) {
        return super::reach::is_wrapper_descriptor(own, name);
    }
    name.starts_with("__") && name.ends_with("__") && !METHOD_STYLE.contains(&(owner, name))
}

macro_rules! binary_wrappers {
    ($(($op:ident, $f:ident, $rf:ident)),* $(,)?) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                binary(vm, args, BinaryOp::$op, false)
            }
            fn $rf(vm: &mut Vm, args: Args) -> PyResult<Value> {
                binary(vm, args, BinaryOp::$op, true)
            }
        )*
    };
}

binary_wrappers!(
    (Add, add, radd),
    (And, and, rand),
    (FloorDivide, floordiv, rfloordiv),
    (Lshift, lshift, rlshift),
    (Multiply, mul, rmul),
    (Remainder, rem, rrem),
    (Or, or, ror),
    (Rshift, rshift, rrshift),
    (Subtract, sub, rsub),
    (TrueDivide, truediv, rtruediv),
    (Xor, xor, rxor),
);

macro_rules! compare_wrappers {
    ($(($op:ident, $f:ident)),* $(,)?) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                compare(vm, args, CompareOp::$op)
            }
        )*
    };
}

compare_wrappers!((Lt, lt), (Le, le), (Eq, eq), (Ne, ne), (Gt, gt), (Ge, ge));

fn wrapper(name: &str) -> Option<NativeFn> {
    Some(match name {
        "__add__" => add,
        "__radd__" => radd,
        "__and__" => and,
        "__rand__" => rand,
        "__floordiv__" => floordiv,
        "__rfloordiv__" => rfloordiv,
        "__lshift__" => lshift,
        "__rlshift__" => rlshift,
        "__mul__" => mul,
        "__rmul__" => rmul,
        "__mod__" => rem,
        "__rmod__" => rrem,
        "__or__" => or,
        "__ror__" => ror,
        "__rshift__" => rshift,
        "__rrshift__" => rrshift,
        "__sub__" => sub,
        "__rsub__" => rsub,
        "__truediv__" => truediv,
        "__rtruediv__" => rtruediv,
        "__xor__" => xor,
        "__rxor__" => rxor,
        "__pow__" => pow,
        "__rpow__" => rpow,
        "__divmod__" => divmod,
        "__rdivmod__" => rdivmod,
        "__lt__" => lt,
        "__le__" => le,
        "__eq__" => eq,
        "__ne__" => ne,
        "__gt__" => gt,
        "__ge__" => ge,
        "__neg__" => neg,
        "__pos__" => pos,
        "__invert__" => invert,
        "__abs__" => abs,
        "__bool__" => bool_,
        "__int__" => int,
        "__float__" => float,
        "__index__" => index,
        "__repr__" => repr,
        "__str__" => str_,
        "__hash__" => hash,
        "__len__" => len,
        "__iter__" => iter,
        "__contains__" => contains,
        "__getitem__" => getitem,
        "__setitem__" => setitem,
        "__delitem__" => delitem,
        "__iadd__" => iadd,
        "__imul__" => imul,
        "__ior__" => ior,
        "__iand__" => iand,
        "__isub__" => isub,
        "__ixor__" => ixor,
        _ => return None,
    })
}

/// The receiver and exactly `n` more positional arguments, no keywords; the receiver
/// is the one the call machinery checked against the type. The messages are
/// `check_num_args`'s, `PyArg_UnpackTuple(args, "", …)`'s (which starts with a space:
/// `__setitem__`, the sequences' repetition) or a method's (see `METHOD_STYLE`).
fn operands(vm: &Vm, args: Args, name: &str, n: usize) -> PyResult<Vec<Value>> {
    let owner = args
        .pos
        .first()
        .map(|v| vm.type_of(v.builtin_value()).name().clone())
        .unwrap_or_else(|| Rc::from(""));
    let method = METHOD_STYLE.contains(&(&*owner, name));
    let seq = matches!(&*owner, "str" | "bytes" | "tuple" | "list");
    let unpack =
        name == "__setitem__" || (seq && matches!(name, "__mul__" | "__rmul__" | "__imul__"));
    if !args.kw.is_empty() {
        return Err(vm.type_error(if method {
            format!("{owner}.{name}() takes no keyword arguments")
        } else {
            format!("wrapper {name}() takes no keyword arguments")
        }));
    }
    let given = args.pos.len().saturating_sub(1);
    if given != n {
        let s = if n == 1 { "" } else { "s" };
        let space = if unpack { " " } else { "" };
        return Err(vm.type_error(if method {
            format!("{owner}.{name}() takes exactly one argument ({given} given)")
        } else {
            format!("{space}expected {n} argument{s}, got {given}")
        }));
    }
    Ok(args.pos)
}

/// The receiver's built-in value, and its kind.
fn me(vm: &Vm, v: &Value) -> PyResult<(Value, Kind)> {
    let exact = v.builtin_value().clone();
    match kind(&exact) {
        Some(k) => Ok((exact, k)),
        None => Err(vm.bug("a slot wrapper's receiver is not of a built-in type")),
    }
}

/// `wrap_binaryfunc_l` / `wrap_binaryfunc_r` around the type's number or sequence slot.
fn binary(vm: &mut Vm, args: Args, op: BinaryOp, reflected: bool) -> PyResult<Value> {
    let (name, rname, _) = op.methods();
    let v = operands(vm, args, if reflected { rname } else { name }, 1)?;
    let (me, k) = me(vm, &v[0])?;
    // `bytes_concat` takes any buffer (a bytearray, a memoryview) as its right operand.
    let buffer = (k == Kind::Bytes && op == BinaryOp::Add && !reflected)
        .then(|| super::methods::bytes::buffer_of(&v[1]))
        .flatten()
        .map(|b| Value::Bytes(Rc::from(b)));
    let other = buffer.as_ref().unwrap_or(&v[1]);
    let ok = kind(other);
    let seq = matches!(k, Kind::Str | Kind::Bytes | Kind::Tuple | Kind::List);
    let exact_other = other.builtin_value().clone();
    match op {
        // `sq_concat`: the same sequence type, else its own TypeError (never reflected).
        BinaryOp::Add if seq => {
            if ok != Some(k) {
                let tn = vm.type_of(other).name().clone();
                let own = vm.type_of(&me).name().clone();
                return Err(vm.type_error(match k {
                    Kind::Bytes => format!("can't concat {tn} to bytes"),
                    _ => format!("can only concatenate {own} (not \"{tn}\") to {own}"),
                }));
            }
            vm.binary(op, &me, &exact_other, false)
        }
        // `sq_repeat` through `wrap_indexargfunc`: the count is an index.
        BinaryOp::Multiply if seq => {
            if vm.has_index(other) {
                let n = index_count(vm, other)?;
                return vm.binary(op, &me, &n, false);
            }
            if ok != Some(Kind::Int) {
                let tn = vm.type_of(other).name().clone();
                return Err(
                    vm.type_error(format!("'{tn}' object cannot be interpreted as an integer"))
                );
            }
            vm.binary(op, &me, &exact_other, false)
        }
        // `unicode_mod`: a str on the left formats whatever is on the right.
        BinaryOp::Remainder if k == Kind::Str => {
            if reflected {
                if ok != Some(Kind::Str) {
                    return Ok(Value::NotImplemented);
                }
                return vm.binary(op, &exact_other, &v[0], false);
            }
            vm.binary(op, &me, other, false)
        }
        _ => {
            let accepts = match k {
                Kind::Set => {
                    matches!(
                        op,
                        BinaryOp::Or | BinaryOp::And | BinaryOp::Xor | BinaryOp::Subtract
                    ) && ok == Some(Kind::Set)
                }
                Kind::Dict => op == BinaryOp::Or && ok == Some(Kind::Dict),
                _ => numeric_accepts(k, ok),
            };
            if !accepts {
                return Ok(Value::NotImplemented);
            }
            if reflected {
                vm.binary(op, &exact_other, &me, false)
            } else {
                vm.binary(op, &me, &exact_other, false)
            }
        }
    }
}

/// `__pow__(self, value, mod=None, /)` and `__rpow__` (`wrap_ternaryfunc`, then
/// `long_pow`, `float_pow` or `complex_pow`, each with its own order of checks).
fn pow_impl(vm: &mut Vm, mut args: Args, reflected: bool) -> PyResult<Value> {
    let name = if reflected { "__rpow__" } else { "__pow__" };
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let given = args.pos.len().saturating_sub(1);
    if given == 0 {
        return Err(vm.type_error(" expected at least 1 argument, got 0"));
    }
    if given > 2 {
        return Err(vm.type_error(format!(" expected at most 2 arguments, got {given}")));
    }
    let modulus = if given == 2 {
        args.pos.pop().filter(|m| !m.is_none())
    } else {
        None
    };
    let (me, k) = me(vm, &args.pos[0])?;
    let other = args.pos[1].builtin_value().clone();
    let ok = kind(&other);
    match k {
        // `float_pow` refuses a modulus before it looks at the operands.
        Kind::Float if modulus.is_some() => {
            return Err(
                vm.type_error("pow() 3rd argument not allowed unless all arguments are integers")
            )
        }
        _ if !numeric_accepts(k, ok) => return Ok(Value::NotImplemented),
        // `complex_pow`: the operands convert, then a modulus is refused.
        Kind::Complex if modulus.is_some() => return Err(vm.value_error("complex modulo")),
        // `long_pow`: a modulus that is not an int declines.
        Kind::Int if modulus.as_ref().is_some_and(|m| kind(m) != Some(Kind::Int)) => {
            return Ok(Value::NotImplemented)
        }
        _ => {}
    }
    let (a, b) = if reflected { (other, me) } else { (me, other) };
    let mut pos = vec![a, b];
    pos.extend(modulus.map(|m| m.builtin_value().clone()));
    builtins::numeric::pow(vm, Args::new(pos))
}

fn pow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    pow_impl(vm, args, false)
}

fn rpow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    pow_impl(vm, args, true)
}

fn divmod_impl(vm: &mut Vm, args: Args, reflected: bool) -> PyResult<Value> {
    let name = if reflected {
        "__rdivmod__"
    } else {
        "__divmod__"
    };
    let v = operands(vm, args, name, 1)?;
    let (me, k) = me(vm, &v[0])?;
    let other = v[1].builtin_value().clone();
    if !numeric_accepts(k, kind(&other)) {
        return Ok(Value::NotImplemented);
    }
    let (a, b) = if reflected { (other, me) } else { (me, other) };
    builtins::numeric::divmod(vm, Args::new(vec![a, b]))
}

fn divmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    divmod_impl(vm, args, false)
}

fn rdivmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    divmod_impl(vm, args, true)
}

/// `wrap_richcmpfunc` around the type's `tp_richcompare`, which answers only for
/// operands it knows (`long_richcompare`'s `CHECK_BINOP`, `dict_richcompare`'s
/// equality-only rule, …).
fn compare(vm: &mut Vm, args: Args, op: CompareOp) -> PyResult<Value> {
    let v = operands(vm, args, op.method(), 1)?;
    let (me, k) = me(vm, &v[0])?;
    let other = v[1].builtin_value().clone();
    let ok = kind(&other);
    let equality = matches!(op, CompareOp::Eq | CompareOp::Ne);
    let accepts = match k {
        Kind::Int | Kind::Float => numeric_accepts(k, ok),
        Kind::Complex => equality && numeric_accepts(k, ok),
        Kind::Dict => equality && ok == Some(Kind::Dict),
        _ => ok == Some(k),
    };
    if !accepts {
        return Ok(Value::NotImplemented);
    }
    vm.compare(op, &me, &other)
}

fn unary(vm: &mut Vm, args: Args, name: &str) -> PyResult<Value> {
    let v = operands(vm, args, name, 0)?;
    let (me, _) = me(vm, &v[0])?;
    Ok(me)
}

fn neg(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__neg__")?;
    vm.unary(UnaryOp::Negative, &me)
}

fn pos(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__pos__")?;
    vm.unary(UnaryOp::Positive, &me)
}

fn invert(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__invert__")?;
    vm.unary(UnaryOp::Invert, &me)
}

fn abs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__abs__")?;
    builtins::numeric::abs(vm, Args::new(vec![me]))
}

fn bool_(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__bool__")?;
    Ok(Value::Bool(vm.truthy(&me)?))
}

fn int(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__int__")?;
    let t = vm.ty("int");
    builtins::construct(vm, &t, Args::new(vec![me]))
}

fn float(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__float__")?;
    let t = vm.ty("float");
    builtins::construct(vm, &t, Args::new(vec![me]))
}

/// `int.__index__`: the int itself, as an exact int (`True.__index__()` is 1).
fn index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__index__")?;
    Ok(super::int::int_num(&me).map_or(me, Value::from_num))
}

/// `__repr__`; a set's (`set_repr`) names a subclass: `S({1, 2})`, `S()`.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let receiver = args.pos.first().cloned().unwrap_or_default();
    let me = unary(vm, args, "__repr__")?;
    let text = vm.repr(&me)?;
    if let (Value::Set(s), Value::Object(_)) = (&me, &receiver) {
        let name = vm.type_of(&receiver).name().clone();
        if s.items.is_empty() {
            return Ok(Value::str(&format!("{name}()")));
        }
        let inner = text
            .strip_prefix("frozenset(")
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(&text);
        return Ok(Value::str(&format!("{name}({inner})")));
    }
    Ok(Value::str(&text))
}

fn str_(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__str__")?;
    Ok(Value::str(&vm.str_of(&me)?))
}

fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__hash__")?;
    let nan = match &me {
        Value::Float(f) => f.is_nan(),
        Value::Complex(z) => z.0.is_nan() || z.1.is_nan(),
        _ => false,
    };
    if nan {
        return Err(vm.unsupported("the hash of a NaN (CPython hashes a NaN by its address)"));
    }
    Ok(Value::Int(vm.hash(&me)?))
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__len__")?;
    let n = vm.len(&me)?;
    Ok(Value::Int(n as i64))
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = unary(vm, args, "__iter__")?;
    vm.iter(&me)
}

fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__contains__", 1)?;
    let (me, _) = me(vm, &v[0])?;
    Ok(Value::Bool(vm.contains(&me, &v[1])?))
}

/// `__getitem__`; a dict's (`dict_subscript`) asks a subclass's `__missing__` for a key
/// it lacks.
fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__getitem__", 1)?;
    let (me, _) = me(vm, &v[0])?;
    if let (Value::Dict(d), Value::Object(_)) = (&me, &v[0]) {
        if let Some(x) = vm.dict_get(d, &v[1])? {
            return Ok(x);
        }
        if let Some(missing) = vm.special(&v[0], "__missing__") {
            return vm.call(&missing, Args::new(vec![v[0].clone(), v[1].clone()]));
        }
    }
    vm.getitem(&me, &v[1])
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let mut v = operands(vm, args, "__setitem__", 2)?;
    let (me, _) = me(vm, &v[0])?;
    let x = v.pop().unwrap_or_default();
    vm.setitem(&me, &v[1], x)?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let v = operands(vm, args, "__delitem__", 1)?;
    let (me, _) = me(vm, &v[0])?;
    vm.delitem(&me, &v[1])?;
    Ok(Value::None)
}

/// The in-place wrappers: the operation on the built-in value, and the receiver itself
/// as the result (`list_inplace_concat`, `set_ior`, `dict_ior` return `self`).
fn inplace(vm: &mut Vm, args: Args, op: BinaryOp) -> PyResult<Value> {
    let (_, _, iname) = op.methods();
    let v = operands(vm, args, iname, 1)?;
    let (me, k) = me(vm, &v[0])?;
    let other = &v[1];
    match (k, op) {
        (Kind::List, BinaryOp::Add) => {
            vm.binary(op, &me, other, true)?;
        }
        (Kind::List, BinaryOp::Multiply) if vm.has_index(other) => {
            let n = index_count(vm, other)?;
            vm.binary(op, &me, &n, true)?;
        }
        (Kind::List, BinaryOp::Multiply) => {
            if kind(other) != Some(Kind::Int) {
                let tn = vm.type_of(other).name().clone();
                return Err(
                    vm.type_error(format!("'{tn}' object cannot be interpreted as an integer"))
                );
            }
            vm.binary(op, &me, other.builtin_value(), true)?;
        }
        (Kind::Dict, BinaryOp::Or) => {
            if let Value::Dict(d) = &me {
                super::methods::update_from(vm, d, other)?;
            }
        }
        (Kind::Set, _) => {
            if kind(other) != Some(Kind::Set) {
                return Ok(Value::NotImplemented);
            }
            vm.binary(op, &me, other.builtin_value(), true)?;
        }
        _ => return Err(vm.bug("an in-place wrapper on a type without it")),
    }
    Ok(v[0].clone())
}

fn iadd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::Add)
}

fn imul(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::Multiply)
}

fn ior(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::Or)
}

fn iand(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::And)
}

fn isub(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::Subtract)
}

fn ixor(vm: &mut Vm, args: Args) -> PyResult<Value> {
    inplace(vm, args, BinaryOp::Xor)
}

/// `wrap_indexargfunc`'s count from an object with `__index__`:
/// `PyNumber_AsSsize_t(o, PyExc_OverflowError)`, naming the object's type.
fn index_count(vm: &mut Vm, o: &Value) -> PyResult<Value> {
    match vm.number_index(o)? {
        n @ Value::Int(_) => Ok(n),
        _ => {
            let t = vm.type_of(o).name().clone();
            Err(vm.err(
                "OverflowError",
                format!("cannot fit '{t}' into an index-sized integer"),
            ))
        }
    }
}
