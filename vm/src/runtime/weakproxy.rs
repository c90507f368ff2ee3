//! Weak reference proxies (CPython `Objects/weakrefobject.c`, the `proxy_*` slots):
//! `weakref.ProxyType` and `weakref.CallableProxyType`, which `_weakref.proxy` makes.
//!
//! A proxy is a weak reference (`weakref::WeakRef` of kind `Proxy` or `CallableProxy`,
//! listed with its referent's other references, its callback called with the proxy) that
//! forwards every operation to its referent: each slot replaces an operand that is a
//! proxy by its referent (CPython's `UNWRAP`, a `ReferenceError` once the referent has
//! died) and runs the generic operation on the result (`PyNumber_Add`,
//! `PyObject_GetItem`, …), so every error message names the referent's type. The slots
//! are the type dicts' special methods, which the evaluator's protocols call as for any
//! native type; attribute access and `str()` are forwarded where the evaluator reads
//! them (`attr`, `repr`).
//!
//! Naming block: `p` a proxy, `w` its `WeakRef`, `r` its referent.

use std::rc::Rc;

use super::argspec::{required, Spec, Style};
use super::interp::Vm;
use super::object::{Args, Native, NativeFn, Value};
use super::weakref::{Kind, WeakRef};
use super::PyResult;
use crate::oparg::{BinaryOp, CompareOp};

/// The proxy `v` is, if it is one (`PyWeakref_CheckProxy`).
pub fn as_proxy(v: &Value) -> Option<&WeakRef> {
    match v {
        Value::Native(n) => match &**n {
            Native::WeakRef(w) if w.kind != Kind::Ref => Some(w),
            _ => None,
        },
        _ => None,
    }
}

/// `proxy_check_ref`: the referent of a proxy, or ReferenceError once it has died.
fn live(vm: &Vm, w: &WeakRef) -> PyResult<Value> {
    let r = w.get();
    if r.is_none() {
        return Err(vm.err(
            "ReferenceError",
            "weakly-referenced object no longer exists",
        ));
    }
    Ok(r)
}

/// CPython's `UNWRAP`: a proxy's live referent; any other value as it is.
pub fn unwrap(vm: &Vm, v: &Value) -> PyResult<Value> {
    match as_proxy(v) {
        Some(w) => live(vm, w),
        None => Ok(v.clone()),
    }
}

/// `_weakref.proxy(object, callback=None, /)` (`PyWeakref_NewProxy`): a callable referent
/// gets a `CallableProxyType` proxy; without a callback the referent's basic proxy is
/// shared.
pub fn new_proxy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ob, callback] = Spec::method(
        "_weakref",
        "proxy",
        Style::Positional,
        &["object", "callback"],
        1,
    )
    .bind::<2>(vm, &args, 0)?;
    let ob = required(ob);
    let callback = callback.unwrap_or(Value::None);
    let kind = if super::builtins::is_callable(vm, &ob) {
        Kind::CallableProxy
    } else {
        Kind::Proxy
    };
    let n = super::weakref::new_weak(vm, &ob, callback, kind, true)?;
    Ok(Value::Native(n))
}

/// `proxy_repr`: `<weakproxy at 0x… to C at 0x…>`, with the referent type's `tp_name`;
/// a dead proxy's referent reads as None.
pub fn repr(vm: &Vm, p: &Value, w: &WeakRef) -> String {
    let r = w.get();
    format!(
        "<weakproxy at {:#x} to {} at {:#x}>",
        p.address(),
        vm.type_of(&r).name(),
        r.address()
    )
}

/// `proxy_getattr`: the referent's attribute (the name is a str here already).
pub fn getattr(vm: &mut Vm, w: &WeakRef, name: &str) -> PyResult<Value> {
    let r = live(vm, w)?;
    vm.getattr(&r, name)
}

/// `proxy_setattr`: assigns (`Some`) or deletes (`None`) the referent's attribute.
pub fn setattr(vm: &mut Vm, w: &WeakRef, name: &str, x: Option<Value>) -> PyResult<()> {
    let r = live(vm, w)?;
    match x {
        Some(x) => vm.setattr(&r, name, x),
        None => vm.delattr(&r, name),
    }
}

/// `proxy_str`: the str of the referent.
pub fn str_of(vm: &mut Vm, w: &WeakRef) -> PyResult<String> {
    let r = live(vm, w)?;
    vm.str_of(&r)
}

/// The receiver of a slot wrapper of the proxy types.
fn me(vm: &Vm, args: &Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(p) if as_proxy(p).is_some() => unwrap(vm, p),
        _ => Err(vm.bug("a weakref proxy method without a proxy")),
    }
}

/// A slot wrapper's arguments after the receiver, checked as `wrap_*` checks them.
fn operands<const N: usize>(
    vm: &mut Vm,
    args: &Args,
    name: &'static str,
    params: &'static [&'static str],
) -> PyResult<[Value; N]> {
    let got = Spec::method("ProxyType", name, Style::Wrapper, params, N).bind::<N>(vm, args, 1)?;
    Ok(got.map(required))
}

/// A binary operator's wrapper: `__add__` is `proxy_add(self, other)`, `__radd__` is
/// `proxy_add(other, self)`, `__iadd__` is `proxy_iadd(self, other)` (the referent's
/// in-place operation, whose result is what the assignment binds).
fn binary(
    vm: &mut Vm,
    args: Args,
    op: BinaryOp,
    form: Form,
    name: &'static str,
) -> PyResult<Value> {
    let [other] = operands::<1>(vm, &args, name, &["value"])?;
    let r = me(vm, &args)?;
    let other = unwrap(vm, &other)?;
    match form {
        Form::Plain => vm.binary(op, &r, &other, false),
        Form::Reflected => vm.binary(op, &other, &r, false),
        Form::InPlace => vm.binary(op, &r, &other, true),
    }
}

#[derive(Clone, Copy)]
enum Form {
    Plain,
    Reflected,
    InPlace,
}

macro_rules! binary_slots {
    ($($f:ident $rf:ident $if:ident: $op:ident, $name:literal $rname:literal $iname:literal;)*) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                binary(vm, args, BinaryOp::$op, Form::Plain, $name)
            }
            fn $rf(vm: &mut Vm, args: Args) -> PyResult<Value> {
                binary(vm, args, BinaryOp::$op, Form::Reflected, $rname)
            }
            fn $if(vm: &mut Vm, args: Args) -> PyResult<Value> {
                binary(vm, args, BinaryOp::$op, Form::InPlace, $iname)
            }
        )*
    };
}

binary_slots! {
    add radd iadd: Add, "__add__" "__radd__" "__iadd__";
    sub rsub isub: Subtract, "__sub__" "__rsub__" "__isub__";
    mul rmul imul: Multiply, "__mul__" "__rmul__" "__imul__";
    matmul rmatmul imatmul: MatrixMultiply, "__matmul__" "__rmatmul__" "__imatmul__";
    truediv rtruediv itruediv: TrueDivide, "__truediv__" "__rtruediv__" "__itruediv__";
    floordiv rfloordiv ifloordiv: FloorDivide, "__floordiv__" "__rfloordiv__" "__ifloordiv__";
    modulo rmodulo imodulo: Remainder, "__mod__" "__rmod__" "__imod__";
    lshift rlshift ilshift: Lshift, "__lshift__" "__rlshift__" "__ilshift__";
    rshift rrshift irshift: Rshift, "__rshift__" "__rrshift__" "__irshift__";
    and rand iand: And, "__and__" "__rand__" "__iand__";
    xor rxor ixor: Xor, "__xor__" "__rxor__" "__ixor__";
    or ror ior: Or, "__or__" "__ror__" "__ior__";
}

/// `__pow__`, `__rpow__`, `__ipow__` without a modulus; with one (`pow(p, e, m)`) the
/// VM has no three-operand dispatch to forward to.
fn power(vm: &mut Vm, args: Args, form: Form, name: &'static str) -> PyResult<Value> {
    if args.pos.len() > 2 && !matches!(args.pos.get(2), Some(Value::None)) {
        return Err(vm.unsupported("pow() of a weakref proxy with a modulus"));
    }
    let mut args = args;
    args.pos.truncate(2);
    binary(vm, args, BinaryOp::Power, form, name)
}

fn pow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    power(vm, args, Form::Plain, "__pow__")
}
fn rpow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    power(vm, args, Form::Reflected, "__rpow__")
}
fn ipow(vm: &mut Vm, args: Args) -> PyResult<Value> {
    power(vm, args, Form::InPlace, "__ipow__")
}

/// `proxy_divmod`: `divmod()` of the referents.
fn divmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] = operands::<1>(vm, &args, "__divmod__", &["value"])?;
    let (r, other) = (me(vm, &args)?, unwrap(vm, &other)?);
    super::builtins::numeric::divmod(vm, Args::new(vec![r, other]))
}
fn rdivmod(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [other] = operands::<1>(vm, &args, "__rdivmod__", &["value"])?;
    let (r, other) = (me(vm, &args)?, unwrap(vm, &other)?);
    super::builtins::numeric::divmod(vm, Args::new(vec![other, r]))
}

/// `proxy_richcompare`: the comparison of the referents (either operand unwrapped).
fn compare(vm: &mut Vm, args: Args, op: CompareOp) -> PyResult<Value> {
    let [other] = operands::<1>(vm, &args, op.method(), &["value"])?;
    let (r, other) = (me(vm, &args)?, unwrap(vm, &other)?);
    vm.compare(op, &r, &other)
}

fn lt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Lt)
}
fn le(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Le)
}
fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Eq)
}
fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ne)
}
fn gt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Gt)
}
fn ge(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, CompareOp::Ge)
}

/// The unary slots (`proxy_neg`, `proxy_pos`, `proxy_invert`, `proxy_abs`, `proxy_int`,
/// `proxy_float`, `proxy_index`, `proxy_bool`, `proxy_length`, `proxy_iter`,
/// `proxy_iternext`, `proxy_str`): the generic operation on the referent.
fn unary(vm: &mut Vm, args: Args, name: &'static str) -> PyResult<Value> {
    operands::<0>(vm, &args, name, &[])?;
    let r = me(vm, &args)?;
    use crate::arith::UnaryOp as U;
    match name {
        "__neg__" => vm.unary(U::Negative, &r),
        "__pos__" => vm.unary(U::Positive, &r),
        "__invert__" => vm.unary(U::Invert, &r),
        "__abs__" => super::builtins::numeric::abs(vm, Args::new(vec![r])),
        // `PyNumber_Long` and `PyNumber_Float` are what `int(x)` and `float(x)` do.
        "__int__" => {
            let t = Value::Type(vm.ty("int"));
            vm.call(&t, Args::new(vec![r]))
        }
        "__float__" => {
            let t = Value::Type(vm.ty("float"));
            vm.call(&t, Args::new(vec![r]))
        }
        "__index__" => vm.number_index(&r),
        "__bool__" => Ok(Value::Bool(vm.truthy(&r)?)),
        "__len__" => Ok(Value::Int(vm.len(&r)? as i64)),
        "__iter__" => vm.iter(&r),
        "__next__" => {
            // `proxy_iternext`: only an iterator's next item.
            if !vm.is_iterator(&r) {
                let n = vm.type_of(&r).name().clone();
                return Err(vm.type_error(format!(
                    "Weakref proxy referenced a non-iterator '{n}' object"
                )));
            }
            match vm.next(&r)? {
                Some(x) => Ok(x),
                None => Err(vm.err_args("StopIteration", Vec::new())),
            }
        }
        "__str__" => Ok(Value::str(&vm.str_of(&r)?)),
        // `WRAP_METHOD`: the referent's own method of that name, called.
        "__bytes__" | "__reversed__" => {
            let f = vm.getattr(&r, name)?;
            vm.call0(&f)
        }
        _ => Err(vm.bug("an unknown unary proxy slot")),
    }
}

macro_rules! unary_slots {
    ($($f:ident $name:literal;)*) => {
        $(
            fn $f(vm: &mut Vm, args: Args) -> PyResult<Value> {
                unary(vm, args, $name)
            }
        )*
    };
}

unary_slots! {
    neg "__neg__";
    pos "__pos__";
    invert "__invert__";
    abs "__abs__";
    int "__int__";
    float "__float__";
    index "__index__";
    bool_slot "__bool__";
    len "__len__";
    iter "__iter__";
    next "__next__";
    str_slot "__str__";
    bytes "__bytes__";
    reversed "__reversed__";
}

/// `proxy_contains`: `PySequence_Contains` on the referent.
fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [x] = operands::<1>(vm, &args, "__contains__", &["key"])?;
    let r = me(vm, &args)?;
    Ok(Value::Bool(vm.contains(&r, &x)?))
}

/// `proxy_getitem` (the key unwrapped too), `proxy_setitem` (neither key nor value is).
fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key] = operands::<1>(vm, &args, "__getitem__", &["key"])?;
    let r = me(vm, &args)?;
    let key = unwrap(vm, &key)?;
    vm.getitem(&r, &key)
}
fn setitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key, x] = operands::<2>(vm, &args, "__setitem__", &["key", "value"])?;
    let r = me(vm, &args)?;
    vm.setitem(&r, &key, x)?;
    Ok(Value::None)
}
fn delitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [key] = operands::<1>(vm, &args, "__delitem__", &["key"])?;
    let r = me(vm, &args)?;
    vm.delitem(&r, &key)?;
    Ok(Value::None)
}

/// `ProxyType.__getattribute__(p, name)`, `__setattr__`, `__delattr__`: the slots
/// `proxy_getattr` and `proxy_setattr` as methods.
fn attr_name(vm: &Vm, v: &Value) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("attribute name must be string, not '{n}'")))
        }
    }
}
fn getattribute(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] = operands::<1>(vm, &args, "__getattribute__", &["name"])?;
    let r = me(vm, &args)?;
    let name = attr_name(vm, &name)?;
    vm.getattr(&r, &name)
}
fn setattr_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, x] = operands::<2>(vm, &args, "__setattr__", &["name", "value"])?;
    let r = me(vm, &args)?;
    let name = attr_name(vm, &name)?;
    vm.setattr(&r, &name, x)?;
    Ok(Value::None)
}
fn delattr_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name] = operands::<1>(vm, &args, "__delattr__", &["name"])?;
    let r = me(vm, &args)?;
    let name = attr_name(vm, &name)?;
    vm.delattr(&r, &name)?;
    Ok(Value::None)
}

/// `proxy_repr` as the types' `__repr__`.
fn repr_slot(vm: &mut Vm, args: Args) -> PyResult<Value> {
    operands::<0>(vm, &args, "__repr__", &[])?;
    let p = args.pos.first().cloned().unwrap_or_default();
    match as_proxy(&p) {
        Some(w) => Ok(Value::str(&repr(vm, &p, w))),
        None => Err(vm.bug("a weakref proxy method without a proxy")),
    }
}

/// `proxy_call` (CallableProxyType only): the referent called with the same arguments.
fn call(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    args.pos.remove(0);
    vm.call(&r, args)
}

/// The entries of both proxy types' dicts, each slot once per type.
macro_rules! proxy_methods {
    ($($name:literal $f:ident,)*) => {
        /// What the types' dicts hold besides `__hash__ = None` (set by `_weakref`):
        /// 3.12's `CallableProxyType` has `__call__` and, unlike `ProxyType`, no
        /// `__bytes__` or `__reversed__` methods.
        pub const METHODS: &[(&str, &str, NativeFn)] = &[
            $(("ProxyType", $name, $f), ("CallableProxyType", $name, $f),)*
            ("ProxyType", "__bytes__", bytes),
            ("ProxyType", "__reversed__", reversed),
            ("CallableProxyType", "__call__", call),
        ];
    };
}

proxy_methods! {
    "__getattribute__" getattribute,
    "__setattr__" setattr_slot,
    "__delattr__" delattr_slot,
    "__repr__" repr_slot,
    "__str__" str_slot,
    "__lt__" lt,
    "__le__" le,
    "__eq__" eq,
    "__ne__" ne,
    "__gt__" gt,
    "__ge__" ge,
    "__iter__" iter,
    "__next__" next,
    "__add__" add, "__radd__" radd, "__iadd__" iadd,
    "__sub__" sub, "__rsub__" rsub, "__isub__" isub,
    "__mul__" mul, "__rmul__" rmul, "__imul__" imul,
    "__matmul__" matmul, "__rmatmul__" rmatmul, "__imatmul__" imatmul,
    "__truediv__" truediv, "__rtruediv__" rtruediv, "__itruediv__" itruediv,
    "__floordiv__" floordiv, "__rfloordiv__" rfloordiv, "__ifloordiv__" ifloordiv,
    "__mod__" modulo, "__rmod__" rmodulo, "__imod__" imodulo,
    "__lshift__" lshift, "__rlshift__" rlshift, "__ilshift__" ilshift,
    "__rshift__" rshift, "__rrshift__" rrshift, "__irshift__" irshift,
    "__and__" and, "__rand__" rand, "__iand__" iand,
    "__xor__" xor, "__rxor__" rxor, "__ixor__" ixor,
    "__or__" or, "__ror__" ror, "__ior__" ior,
    "__pow__" pow, "__rpow__" rpow, "__ipow__" ipow,
    "__divmod__" divmod, "__rdivmod__" rdivmod,
    "__neg__" neg,
    "__pos__" pos,
    "__abs__" abs,
    "__bool__" bool_slot,
    "__invert__" invert,
    "__int__" int,
    "__float__" float,
    "__index__" index,
    "__len__" len,
    "__getitem__" getitem,
    "__setitem__" setitem,
    "__delitem__" delitem,
    "__contains__" contains,
}
