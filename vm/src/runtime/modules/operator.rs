//! `_operator` (CPython `Modules/_operator.c`): the functions of the operators, which
//! the standard library's `operator.py` re-exports (`from _operator import *`), and the
//! types `itemgetter`, `attrgetter` and `methodcaller`. Every operator goes through the
//! VM's own protocol (`Vm::binary`, `Vm::compare`, `Vm::getitem`, …), as CPython's go
//! through `PyNumber_*`, `PyObject_RichCompare` and `PySequence_*`, so a class's special
//! methods are honoured.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::{PyResult, Throw};
use crate::arith::UnaryOp;
use crate::oparg::{BinaryOp, CompareOp};

/// `operator.__doc__`, which `operator.py` imports from here (`_operator.c`'s
/// `operator_doc`).
const DOC: &str = "Operator interface.\n\nThis module exports a set of functions implemented in C corresponding\nto the intrinsic operators of Python.  For example, operator.add(x, y)\nis equivalent to the expression x+y.  The function names are those\nused for special methods; variants without leading and trailing\n'__' are also provided for convenience.";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_operator", FUNCTIONS);
    d.set_str("__doc__", Value::str(DOC));
    for name in ["itemgetter", "attrgetter", "methodcaller"] {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("length_hint", length_hint),
    ("lt", lt),
    ("le", le),
    ("eq", eq),
    ("ne", ne),
    ("ge", ge),
    ("gt", gt),
    ("not_", not_),
    ("truth", truth),
    ("is_", is_),
    ("is_not", is_not),
    ("abs", abs),
    ("add", add),
    ("and_", and_),
    ("floordiv", floordiv),
    ("index", index),
    ("inv", inv),
    ("invert", invert),
    ("lshift", lshift),
    ("mod", mod_),
    ("mul", mul),
    ("matmul", matmul),
    ("neg", neg),
    ("or_", or_),
    ("pos", pos),
    ("pow", pow),
    ("rshift", rshift),
    ("sub", sub),
    ("truediv", truediv),
    ("xor", xor),
    ("concat", concat),
    ("contains", contains),
    ("countOf", count_of),
    ("delitem", delitem),
    ("getitem", getitem),
    ("indexOf", index_of),
    ("setitem", setitem),
    ("call", call),
    ("iadd", iadd),
    ("iand", iand),
    ("iconcat", iconcat),
    ("ifloordiv", ifloordiv),
    ("ilshift", ilshift),
    ("imod", imod),
    ("imul", imul),
    ("imatmul", imatmul),
    ("ior", ior),
    ("ipow", ipow),
    ("irshift", irshift),
    ("isub", isub),
    ("itruediv", itruediv),
    ("ixor", ixor),
    ("_compare_digest", compare_digest),
];

/// The arguments of an Argument Clinic function with `n` positional-only parameters
/// (`_PyArg_CheckPositional`: `add expected 2 arguments, got 1`), or of a `METH_O` one
/// (`_operator.neg() takes exactly one argument (0 given)`).
fn operands<const N: usize>(vm: &Vm, name: &str, args: &Args) -> PyResult<[Value; N]> {
    const PARAMS: &[&str] = &["a", "b", "c"];
    let params = PARAMS.get(..N).unwrap_or(PARAMS);
    let style = if N == 1 { Style::O } else { Style::Positional };
    let bound = Spec::method("_operator", name, style, params, N).bind::<N>(vm, args, 0)?;
    let mut out: [Value; N] = std::array::from_fn(|_| Value::None);
    for (slot, v) in out.iter_mut().zip(bound) {
        *slot = v.ok_or_else(|| vm.bug("_operator: a missing required argument"))?;
    }
    Ok(out)
}

macro_rules! comparisons {
    ($(($f:ident, $op:ident)),* $(,)?) => {
        $(
            /// `PyObject_RichCompare`.
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                let [a, b] = operands::<2>(vm, stringify!($f), &args)?;
                vm.compare(CompareOp::$op, &a, &b)
            }
        )*
    };
}

comparisons!((lt, Lt), (le, Le), (eq, Eq), (ne, Ne), (ge, Ge), (gt, Gt),);

macro_rules! binaries {
    ($(($f:ident, $name:literal, $op:ident, $inplace:literal)),* $(,)?) => {
        $(
            /// `PyNumber_*` / `PyNumber_InPlace*`.
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                let [a, b] = operands::<2>(vm, $name, &args)?;
                vm.binary(BinaryOp::$op, &a, &b, $inplace)
            }
        )*
    };
}

binaries!(
    (add, "add", Add, false),
    (and_, "and_", And, false),
    (floordiv, "floordiv", FloorDivide, false),
    (lshift, "lshift", Lshift, false),
    (mod_, "mod", Remainder, false),
    (mul, "mul", Multiply, false),
    (matmul, "matmul", MatrixMultiply, false),
    (or_, "or_", Or, false),
    (pow, "pow", Power, false),
    (rshift, "rshift", Rshift, false),
    (sub, "sub", Subtract, false),
    (truediv, "truediv", TrueDivide, false),
    (xor, "xor", Xor, false),
    (iadd, "iadd", Add, true),
    (iand, "iand", And, true),
    (ifloordiv, "ifloordiv", FloorDivide, true),
    (ilshift, "ilshift", Lshift, true),
    (imod, "imod", Remainder, true),
    (imul, "imul", Multiply, true),
    (imatmul, "imatmul", MatrixMultiply, true),
    (ior, "ior", Or, true),
    (ipow, "ipow", Power, true),
    (irshift, "irshift", Rshift, true),
    (isub, "isub", Subtract, true),
    (itruediv, "itruediv", TrueDivide, true),
    (ixor, "ixor", Xor, true),
);

macro_rules! unaries {
    ($(($f:ident, $op:ident)),* $(,)?) => {
        $(
            /// `PyNumber_Negative`, `PyNumber_Positive`, `PyNumber_Invert` (`METH_O`).
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                let [a] = operands::<1>(vm, stringify!($f), &args)?;
                vm.unary(UnaryOp::$op, &a)
            }
        )*
    };
}

unaries!(
    (neg, Negative),
    (pos, Positive),
    (inv, Invert),
    (invert, Invert)
);

fn not_(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a] = operands::<1>(vm, "not_", &args)?;
    Ok(Value::Bool(!vm.truthy(&a)?))
}

fn truth(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a] = operands::<1>(vm, "truth", &args)?;
    Ok(Value::Bool(vm.truthy(&a)?))
}

fn is_(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "is_", &args)?;
    Ok(Value::Bool(a.is(&b)))
}

fn is_not(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "is_not", &args)?;
    Ok(Value::Bool(!a.is(&b)))
}

/// `PyNumber_Absolute`: the builtin `abs` once the argument is checked.
fn abs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a] = operands::<1>(vm, "abs", &args)?;
    super::super::builtins::numeric::abs(vm, Args::new(vec![a]))
}

/// `PyNumber_Index`: an int (never a subclass: `_PyLong_Copy`), from `__index__` for
/// other objects.
fn index(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a] = operands::<1>(vm, "index", &args)?;
    // An int subclass is read as its int (`PyLong_Check`), whatever its `__index__`.
    if let Some(n) = super::super::int::int_num(a.builtin_value()) {
        return Ok(super::super::int::from_num(n));
    }
    Ok(Value::int(super::math::to_index(vm, &a)?))
}

/// `PySequence_Check`: a type with `sq_item` (a class defining `__getitem__`), never a
/// dict.
fn is_sequence(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_) | Value::Range(_) => {
            true
        }
        Value::Object(o) if o.payload.is_none() => vm.special(v, "__getitem__").is_some(),
        _ => false,
    }
}

/// `PySequence_Concat` and `PySequence_InPlaceConcat`: a sequence's `sq_concat` (or
/// `sq_inplace_concat`) is called directly, without the other operand's `__radd__`; a
/// class's `__add__` is tried only when both operands are sequences.
fn concat_impl(vm: &mut Vm, name: &str, args: &Args, inplace: bool) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, name, args)?;
    let cant = |vm: &Vm, v: &Value| {
        let t = vm.type_of(v).name().clone();
        vm.type_error(format!("'{t}' object can't be concatenated"))
    };
    let builtin = |v: &Value| !matches!(v, Value::Object(_));
    if let Value::Object(o) = &a {
        if o.payload.is_some() {
            return Err(vm.unsupported("operator.concat of an instance of a built-in subclass"));
        }
    }
    // bytearray's `sq_concat` / `sq_inplace_concat` take any buffer.
    if super::super::bytearray::as_bytearray(&a).is_some() {
        return vm.binary(BinaryOp::Add, &a, &b, inplace);
    }
    if !is_sequence(vm, &a) {
        return Err(cant(vm, &a));
    }
    match &a {
        // str, bytes, list and tuple have `sq_concat`; with a built-in right operand
        // (which answers NotImplemented to `+` of theirs) `a + b` reaches it too.
        Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_) if builtin(&b) => {
            vm.binary(BinaryOp::Add, &a, &b, inplace)
        }
        // range has no `sq_concat` and no `nb_add`.
        Value::Range(_) if builtin(&b) => Err(cant(vm, &a)),
        // `list_inplace_concat` extends the list with any iterable.
        Value::List(_) if inplace && matches!(&b, Value::Object(o) if o.payload.is_none()) => {
            let extend = vm.getattr(&a, "extend")?;
            vm.call1(&extend, b)?;
            Ok(a)
        }
        // The `sq_concat` of list, tuple and str refuse an instance of a class without
        // asking it (no `__radd__`).
        Value::Str(_) | Value::List(_) | Value::Tuple(_) if matches!(&b, Value::Object(o) if o.payload.is_none()) =>
        {
            let (ta, tb) = (vm.type_of(&a).name().clone(), vm.type_of(&b).name().clone());
            Err(vm.type_error(format!("can only concatenate {ta} (not \"{tb}\") to {ta}")))
        }
        // A class with `__getitem__` has no `sq_concat`: `binary_op1` when both are
        // sequences (`binary_iop1` for `iconcat`).
        Value::Object(_)
            if builtin(&b) || matches!(&b, Value::Object(o) if o.payload.is_none()) =>
        {
            if !is_sequence(vm, &b) {
                return Err(cant(vm, &a));
            }
            if inplace {
                if let Some(r) = vm.call_special(&a, "__iadd__", vec![b.clone()])? {
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
            }
            match vm.user_binary(&a, &b, "__add__", "__radd__")? {
                Some(r) => Ok(r),
                None => Err(cant(vm, &a)),
            }
        }
        _ => Err(vm.unsupported("operator.concat with an instance of a built-in subclass")),
    }
}

fn concat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    concat_impl(vm, "concat", &args, false)
}

fn iconcat(vm: &mut Vm, args: Args) -> PyResult<Value> {
    concat_impl(vm, "iconcat", &args, true)
}

/// `PySequence_Contains`.
fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "contains", &args)?;
    Ok(Value::Bool(vm.contains(&a, &b)?))
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "getitem", &args)?;
    vm.getitem(&a, &b)
}

fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b, c] = operands::<3>(vm, "setitem", &args)?;
    vm.setitem(&a, &b, c)?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "delitem", &args)?;
    vm.delitem(&a, &b)?;
    Ok(Value::None)
}

fn is_type_error(vm: &Vm, t: &Throw) -> bool {
    match t {
        Throw::Exc(e) | Throw::Reraise(e) => vm.type_of(e).is_subtype(&vm.ty("TypeError")),
        _ => false,
    }
}

/// `_PySequence_IterSearch`: the position of the first item that is `obj` or equals
/// it (`PyObject_RichCompareBool`), or how many do; a TypeError from `iter()` becomes
/// `argument of type 'T' is not iterable`.
fn search(vm: &mut Vm, seq: &Value, obj: &Value, count: bool) -> PyResult<Option<i64>> {
    let it = match vm.iter(seq) {
        Ok(it) => it,
        Err(e) if is_type_error(vm, &e) => {
            let t = vm.type_of(seq).name().clone();
            return Err(vm.type_error(format!("argument of type '{t}' is not iterable")));
        }
        Err(e) => return Err(e),
    };
    let mut n: i64 = 0;
    while let Some(item) = vm.next(&it)? {
        if item.is(obj) || vm.eq(&item, obj)? {
            if !count {
                return Ok(Some(n));
            }
            n += 1;
        } else if !count {
            n += 1;
        }
    }
    Ok(if count { Some(n) } else { None })
}

fn count_of(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "countOf", &args)?;
    Ok(Value::Int(search(vm, &a, &b, true)?.unwrap_or(0)))
}

fn index_of(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "indexOf", &args)?;
    match search(vm, &a, &b, false)? {
        Some(i) => Ok(Value::Int(i)),
        None => Err(vm.value_error("sequence.index(x): x not in sequence")),
    }
}

/// `call(obj, /, *args, **kwargs)` (`METH_FASTCALL | METH_KEYWORDS`, checked by
/// `_PyArg_CheckPositional`).
fn call(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("call expected at least 1 argument, got 0"));
    }
    let f = args.pos.remove(0);
    vm.call(&f, args)
}

/// `_compare_digest(a, b, /)`: two ASCII strings, or two bytes-like objects; the VM's
/// only bytes-like object with a buffer it can read is `bytes`.
fn compare_digest(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [a, b] = operands::<2>(vm, "_compare_digest", &args)?;
    let (x, y) = (a.builtin_value(), b.builtin_value());
    if let (Value::Str(s), Value::Str(t)) = (x, y) {
        if !s.is_ascii() || !t.is_ascii() {
            return Err(
                vm.type_error("comparing strings with non-ASCII characters is not supported")
            );
        }
        return Ok(Value::Bool(s == t));
    }
    let buffer = |v: &Value| match v {
        Value::Bytes(_) => Some(true),
        // memoryview, bytearray: buffers the VM does not read here.
        Value::Native(_) => None,
        _ => Some(false),
    };
    match (buffer(x), buffer(y)) {
        (None, _) | (_, None) => Err(vm.unsupported("_operator._compare_digest of a memoryview")),
        (Some(false), Some(false)) => {
            let (ta, tb) = (vm.type_of(&a).name().clone(), vm.type_of(&b).name().clone());
            Err(vm.type_error(format!(
                "unsupported operand types(s) or combination of types: '{ta}' and '{tb}'"
            )))
        }
        (Some(false), _) | (_, Some(false)) => {
            let other = if matches!(x, Value::Bytes(_)) { &b } else { &a };
            let t = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("a bytes-like object is required, not '{t}'")))
        }
        (Some(true), Some(true)) => match (x, y) {
            (Value::Bytes(s), Value::Bytes(t)) => Ok(Value::Bool(s == t)),
            _ => Err(vm.bug("_compare_digest: bytes expected")),
        },
    }
}

pub use super::operator_types::{attrgetter_new, itemgetter_new, methodcaller_new};

/// `operator.length_hint(obj, default=0)` (`PyObject_LengthHint`): `len(obj)` when it has
/// one (a TypeError from it ignored), else its type's `__length_hint__()` (NotImplemented
/// gives the default), else the default.
fn length_hint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, default] = super::super::argspec::Spec::method(
        "_operator",
        "length_hint",
        super::super::argspec::Style::Positional,
        &["obj", "default"],
        1,
    )
    .bind::<2>(vm, &args, 0)?;
    let obj = super::super::argspec::required(obj);
    let default = match default {
        Some(d) => super::super::argspec::index(vm, &d)?,
        None => 0,
    };
    Ok(Value::Int(vm.length_hint(&obj, default)?))
}
