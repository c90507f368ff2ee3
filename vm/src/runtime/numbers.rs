//! The operators behind BINARY_OP and the UNARY_* opcodes: special methods, the sequence,
//! mapping and set operators, and numbers through `arith` (shared with constant folding).
//! Ints have arbitrary precision; an operation whose result could outgrow the heap budget
//! is checked first (`Vm::before_int_result`).

use std::rc::Rc;

use super::heap;
use super::int::number;
use super::interp::Vm;
use super::object::{Args, Value};
use super::protocol::from_num;
use super::{PyResult, Throw};
use crate::arith::{self, ArithError, Num, UnaryOp};
use crate::oparg::BinaryOp;

impl Vm {
    /// `binary_op1` where an operand is an instance of a user class (whose number slots
    /// are `slot_nb_*`, SLOT1BINFULL in typeobject.c): `a.NAME(b)`, then `b.RNAME(a)`.
    /// The reflected method comes first when `b`'s type is a proper subclass of `a`'s that
    /// overrides it (`method_is_overloaded`), and never when both have the same type.
    /// `None` when no method answered (absent, or NotImplemented).
    pub fn user_binary(
        &mut self,
        a: &Value,
        b: &Value,
        name: &str,
        rname: &str,
    ) -> PyResult<Option<Value>> {
        let (ta, tb) = (self.type_of(a), self.type_of(b));
        let same = Rc::ptr_eq(&ta, &tb);
        // A built-in sequence's `__add__` / `__mul__` / `__rmul__` wrap `sq_concat` /
        // `sq_repeat`, which `PyNumber_Add` / `PyNumber_Multiply` try only after both
        // operands' number slots (`binary_op1`): `[1] + x` asks `x.__radd__` first.
        let (mut reflected, right_sequence) = match self.slot_method(b, rname) {
            _ if same => (None, None),
            Some(m) if sequence_slot(b, rname, &m) => (None, Some(m)),
            other => (other, None),
        };
        let (own, left_sequence) = match self.slot_method(a, name) {
            Some(m) if sequence_slot(a, name, &m) => (None, Some(m)),
            other => (other, None),
        };
        let answered = |r: &Value| !matches!(r, Value::NotImplemented);
        if let Some(f) = own {
            if let Some(rf) = reflected.clone() {
                let overloaded = match ta.lookup(rname) {
                    Some(own) => !own.is(&rf),
                    None => true,
                };
                if tb.is_subtype(&ta) && overloaded {
                    let r = self.call(&rf, Args::new(vec![b.clone(), a.clone()]))?;
                    if answered(&r) {
                        return Ok(Some(r));
                    }
                    reflected = None;
                }
            }
            let r = self.call(&f, Args::new(vec![a.clone(), b.clone()]))?;
            if answered(&r) {
                return Ok(Some(r));
            }
        }
        // Then the right operand's method, then the sequence slots, left before right.
        let rest = [
            (reflected, b, a),
            (left_sequence, a, b),
            (right_sequence, b, a),
        ];
        for (method, x, y) in rest {
            if let Some(f) = method {
                let r = self.call(&f, Args::new(vec![x.clone(), y.clone()]))?;
                if answered(&r) {
                    return Ok(Some(r));
                }
            }
        }
        Ok(None)
    }

    /// The special method `name` a binary operator or comparison asks of `v`: a user
    /// class's (see [`Vm::special`]), or the slot wrapper of a built-in type (`slots`),
    /// whose C slot CPython's `binary_op1` and `do_richcompare` call as well.
    pub fn slot_method(&self, v: &Value, name: &str) -> Option<Value> {
        match v {
            Value::Object(_) => self.special(v, name),
            _ => match self.type_of(v).lookup(name) {
                Some(m @ Value::Builtin(_)) => Some(m),
                _ => None,
            },
        }
    }

    /// What a built-in function that reads a built-in value sees of `v`: a subclass
    /// instance's payload when its class does not override `name` (the special method
    /// the function would call), else `v` itself.
    pub fn inherited<'v>(&self, v: &'v Value, name: &str) -> &'v Value {
        match v {
            Value::Object(o) if o.payload.is_some() && !o.class.borrow().overrides(name) => {
                v.builtin_value()
            }
            _ => v,
        }
    }

    /// `a OP b` (and `a OP= b` when `inplace`).
    pub fn binary(&mut self, op: BinaryOp, a: &Value, b: &Value, inplace: bool) -> PyResult<Value> {
        // Machine ints whose result fits in 64 bits: no special methods to look for, no
        // operand to convert (the common case, kept short).
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            match arith::small_binary(op, *x, *y) {
                Some(Ok(n)) => return Ok(from_num(n)),
                Some(Err(ArithError::NotNumeric)) => {
                    return self.unsupported_operands(op, a, b, inplace)
                }
                Some(Err(e)) => return Err(self.arith_error(e)),
                None => {}
            }
        }
        // `str % x` and `bytes % x` format whatever `x` is (unicode_mod, bytes_mod).
        let formats = op == BinaryOp::Remainder && matches!(a, Value::Str(_) | Value::Bytes(_));
        // A deque (`_collections`), a mappingproxy and a weakref proxy have their
        // operators as methods, as instances do.
        let deque = |v: &Value| {
            matches!(v, Value::Native(n) if matches!(
                **n,
                super::object::Native::Deque(_) | super::object::Native::MappingProxy(_)
            )) || super::weakproxy::as_proxy(v).is_some()
        };
        let with_methods = |v: &Value| matches!(v, Value::Object(_)) || deque(v);
        if !formats && (with_methods(a) || with_methods(b)) {
            let (name, rname, iname) = op.methods();
            if inplace {
                if let Some(r) = self.call_special(a, iname, vec![b.clone()])? {
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
            }
            if let Some(r) = self.user_binary(a, b, name, rname)? {
                return Ok(r);
            }
        }
        if let Some(r) = super::bytearray::binary(self, op, a, b, inplace)? {
            return Ok(r);
        }
        // No special method answered: the slot of the operand that is a built-in value,
        // which reads a subclass instance as its built-in value (messages still name
        // the operands' own types).
        let (shown_a, shown_b) = (a, b);
        let builtins = super::protocol::builtin_operands(a, b);
        let (a, b) = match &builtins {
            Some((x, y)) => (x, y),
            None => (a, b),
        };
        let setlike = |v: &Value| matches!(v, Value::Set(_) | Value::DictView(_));
        if setlike(a) || setlike(b) {
            if let Some(r) = self.set_binary(op, a, b, inplace)? {
                return Ok(r);
            }
        }
        if let (Some(x), Some(y)) = (number(a), number(b)) {
            if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
                if let Some(r) = arith::bool_binary(op, *p, *q) {
                    return Ok(Value::Bool(r));
                }
            }
            return self.arith(op, (&x, &y), (a, b), inplace);
        }
        match (op, a, b) {
            (BinaryOp::Add, Value::Str(x), Value::Str(y)) => {
                self.reserve((x.len() + y.len()) as u128)?;
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                Ok(Value::str(&s))
            }
            (BinaryOp::Add, Value::List(x), Value::List(y)) => {
                let (nx, ny) = (x.items.borrow().len(), y.items.borrow().len());
                self.reserve(heap::values_bytes((nx + ny) as u128))?;
                if inplace {
                    let extra = y.items.borrow().clone();
                    x.items.borrow_mut().extend(extra);
                    return Ok(a.clone());
                }
                let mut v = x.items.borrow().clone();
                v.extend(y.items.borrow().iter().cloned());
                Ok(Value::list(v))
            }
            (BinaryOp::Add, Value::List(x), other) if inplace => {
                self.extend_list(x, other)?;
                Ok(a.clone())
            }
            (BinaryOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                self.reserve(heap::values_bytes((x.len() + y.len()) as u128))?;
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                Ok(Value::tuple(v))
            }
            (BinaryOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
                self.reserve((x.len() + y.len()) as u128)?;
                let mut v = x.to_vec();
                v.extend(y.iter());
                Ok(Value::Bytes(Rc::from(v)))
            }
            (
                BinaryOp::Multiply,
                Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_),
                Value::Int(_) | Value::Bool(_),
            ) => self.repeat(a, super::protocol::as_i64(b), inplace),
            (
                BinaryOp::Multiply,
                Value::Int(_) | Value::Bool(_),
                Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_),
            ) => self.repeat(b, super::protocol::as_i64(a), false),
            // `sequence_repeat`: `PyNumber_AsSsize_t(n, PyExc_OverflowError)`.
            (
                BinaryOp::Multiply,
                Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_),
                Value::BigInt(_),
            )
            | (
                BinaryOp::Multiply,
                Value::BigInt(_),
                Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_),
            ) => Err(self.err("OverflowError", super::int::CANNOT_FIT)),
            (BinaryOp::Remainder, Value::Str(fmt), _) => {
                Ok(Value::str(&self.percent_format(fmt, b)?))
            }
            (BinaryOp::Remainder, Value::Bytes(_), _) => {
                Err(self.unsupported("bytes %-formatting"))
            }
            (BinaryOp::Or, Value::Dict(x), Value::Dict(y)) => {
                let d = if inplace {
                    x.clone()
                } else {
                    crate::runtime::gc::alloc(x.copy())
                };
                for (k, v) in y.items() {
                    self.dict_set(&d, k, v)?;
                }
                Ok(Value::Dict(d))
            }
            // `dict_ior`: `dict_update_arg`, so any mapping or iterable of pairs (and
            // its errors: `'int' object is not iterable`), never NotImplemented.
            (BinaryOp::Or, Value::Dict(_), _) if inplace && !matches!(b, Value::Object(_)) => {
                let update = self.getattr(a, "update")?;
                self.call1(&update, b.clone())?;
                Ok(a.clone())
            }
            _ => {
                if let Some(r) = super::typevars::union(self, op, a, b) {
                    return r;
                }
                // `type.__or__`: classes and None make a `types.UnionType`.
                if op == BinaryOp::Or && super::genericalias::or_operand(a, b) {
                    if let Some(u) = super::genericalias::union_or(self, a, b)? {
                        return Ok(u);
                    }
                }
                let (ta, tb) = (
                    self.type_of(shown_a).name().clone(),
                    self.type_of(shown_b).name().clone(),
                );
                let shown = shown(op, inplace);
                match (op, a) {
                    (BinaryOp::Add, Value::Str(_)) => {
                        Err(self
                            .type_error(format!("can only concatenate str (not \"{tb}\") to str")))
                    }
                    (BinaryOp::Add, Value::List(_)) => Err(self
                        .type_error(format!("can only concatenate list (not \"{tb}\") to list"))),
                    (BinaryOp::Add, Value::Tuple(_)) => Err(self.type_error(format!(
                        "can only concatenate tuple (not \"{tb}\") to tuple"
                    ))),
                    // `bytes_concat`: the right operand has no buffer.
                    (BinaryOp::Add, Value::Bytes(_)) => {
                        Err(self.type_error(format!("can't concat {tb} to bytes")))
                    }
                    // `sequence_repeat`: the left operand's repeat first, then the right's.
                    (BinaryOp::Multiply, _) if is_sequence(a) || is_sequence(b) => {
                        let n = if is_sequence(a) { b } else { a };
                        // `sequence_repeat`: `PyNumber_AsSsize_t(n, PyExc_OverflowError)`.
                        if self.has_index(n) {
                            let seq = if is_sequence(a) { a } else { b };
                            let Value::Int(count) = self.number_index(n)? else {
                                let t = self.type_of(n).name().clone();
                                return Err(self.err(
                                    "OverflowError",
                                    format!("cannot fit '{t}' into an index-sized integer"),
                                ));
                            };
                            return self.repeat(seq, count, inplace && is_sequence(a));
                        }
                        let tn = if is_sequence(a) { tb } else { ta };
                        Err(self.type_error(format!(
                            "can't multiply sequence by non-int of type '{tn}'"
                        )))
                    }
                    _ => Err(self.type_error(format!(
                        "unsupported operand type(s) for {shown}: '{ta}' and '{tb}'"
                    ))),
                }
            }
        }
    }

    /// `seq * n`: `unicode_repeat`, `list_repeat` / `list_inplace_repeat`, `tuplerepeat`,
    /// `bytes_repeat`, each refusing a result CPython cannot allocate as CPython does (see
    /// `heap`).
    fn repeat(&mut self, seq: &Value, n: i64, inplace: bool) -> PyResult<Value> {
        let n = n.max(0) as usize;
        let times = n as u128;
        match seq {
            Value::Bytes(b) => {
                let len = b.len() as u128;
                if n > 0 && len > i64::MAX as u128 / times {
                    return Err(self.err("OverflowError", "repeated bytes are too long"));
                }
                if n == 1 || b.is_empty() {
                    return Ok(seq.clone());
                }
                self.before_alloc(heap::bytes_block(len * times), len * times)?;
                return Ok(Value::Bytes(Rc::from(b.repeat(n))));
            }
            Value::Str(s) if n > 1 && !s.is_empty() => {
                let chars = s.chars().count() as u128;
                if chars > i64::MAX as u128 / times {
                    return Err(self.err("OverflowError", "repeated string is too long"));
                }
                let block = heap::str_block(chars * times, heap::max_char(s));
                self.before_alloc(block, s.len() as u128 * times)?;
            }
            Value::List(l) => {
                let len = l.items.borrow().len() as u128;
                self.before_alloc(
                    heap::list_block(len * times),
                    heap::values_bytes(len * times),
                )?;
            }
            Value::Tuple(t) => {
                let len = t.len() as u128;
                self.before_alloc(
                    heap::tuple_block(len * times),
                    heap::values_bytes(len * times),
                )?;
            }
            _ => {}
        }
        Ok(match seq {
            Value::Str(s) => Value::str(&s.repeat(n)),
            Value::List(l) => {
                let items = l.items.borrow().clone();
                let mut out = Vec::with_capacity(items.len() * n);
                for _ in 0..n {
                    out.extend(items.iter().cloned());
                }
                if inplace {
                    *l.items.borrow_mut() = out;
                    return Ok(seq.clone());
                }
                Value::list(out)
            }
            Value::Tuple(t) => {
                let mut out = Vec::with_capacity(t.len() * n);
                for _ in 0..n {
                    out.extend(t.iter().cloned());
                }
                Value::tuple(out)
            }
            other => other.clone(),
        })
    }

    /// Maps what `arith` could not compute to the Python exception.
    pub fn arith_error(&self, e: ArithError) -> Throw {
        match e {
            ArithError::ZeroDivision(msg) => self.err("ZeroDivisionError", msg),
            ArithError::Value(msg) => self.value_error(msg),
            ArithError::FloatOverflow => {
                let (errno, msg) = arith::ERANGE;
                self.err_args("OverflowError", vec![Value::Int(errno), Value::str(msg)])
            }
            ArithError::Overflow(msg) => self.err("OverflowError", msg),
            // `before_int_result` refuses such results first.
            ArithError::TooBig => self.memory_error(),
            // Callers turn it into their TypeError before coming here; `arith::binary`
            // computes complex results itself.
            ArithError::NotNumeric | ArithError::Complex => {
                Throw::Bug(format!("arith_error({e:?})"))
            }
        }
    }

    /// `a OP b` for two numbers (`a`, `b` as values, `x`, `y` as numbers).
    fn arith(
        &mut self,
        op: BinaryOp,
        (x, y): (&Num, &Num),
        (a, b): (&Value, &Value),
        inplace: bool,
    ) -> PyResult<Value> {
        if !matches!((x, y), (Num::Int(_), Num::Int(_)))
            || matches!(op, BinaryOp::Power | BinaryOp::Lshift)
        {
            self.before_int_result(op, x, y)?;
        }
        match arith::binary(op, x, y) {
            Ok(n) => Ok(from_num(n)),
            Err(ArithError::NotNumeric) => self.unsupported_operands(op, a, b, inplace),
            Err(e) => Err(self.arith_error(e)),
        }
    }

    fn unsupported_operands(
        &mut self,
        op: BinaryOp,
        a: &Value,
        b: &Value,
        inplace: bool,
    ) -> PyResult<Value> {
        if let Some(r) = super::typevars::union(self, op, a, b) {
            return r;
        }
        if op == BinaryOp::Or && super::genericalias::or_operand(a, b) {
            if let Some(u) = super::genericalias::union_or(self, a, b)? {
                return Ok(u);
            }
        }
        let (ta, tb) = (
            self.type_of(a).name().clone(),
            self.type_of(b).name().clone(),
        );
        let shown = shown(op, inplace);
        Err(self.type_error(format!(
            "unsupported operand type(s) for {shown}: '{ta}' and '{tb}'"
        )))
    }

    /// `-v`, `+v`, `~v`.
    pub fn unary(&mut self, op: UnaryOp, v: &Value) -> PyResult<Value> {
        if op == UnaryOp::Invert && matches!(v, Value::Bool(_)) {
            // `bool_invert` (3.12): deprecated, then int's inversion.
            let message = crate::compile::BOOL_INVERT_DEPRECATED.to_owned();
            super::modules::warnings::warn_native(self, "DeprecationWarning", message)?;
        }
        if let Some(r) = self.call_special(v, op.method(), vec![])? {
            return Ok(r);
        }
        match number(v).map(|n| arith::unary(op, &n)) {
            Some(Ok(n)) => Ok(from_num(n)),
            Some(Err(ArithError::NotNumeric)) | None => {
                let t = self.type_of(v).name().clone();
                Err(self.type_error(format!("bad operand type for unary {}: '{t}'", op.symbol())))
            }
            Some(Err(e)) => Err(self.arith_error(e)),
        }
    }
}

/// How a TypeError names the operator: `**` is "** or pow()" (CPython's `ternary_op`
/// serves both), its in-place form `**=`.
fn shown(op: BinaryOp, inplace: bool) -> &'static str {
    match (op, inplace) {
        (_, true) => op.inplace_symbol(),
        (BinaryOp::Power, false) => "** or pow()",
        (_, false) => op.symbol(),
    }
}

/// A built-in type with CPython's `sq_repeat` slot.
/// Whether `method`, found as `name` of `v`, is a built-in sequence slot's wrapper rather
/// than a number slot's: concatenation and repetition of str, list, tuple, bytes,
/// bytearray and deque, and of their subclasses that do not override them.
fn sequence_slot(v: &Value, name: &str, method: &Value) -> bool {
    let v = v.builtin_value();
    let sequence = matches!(method, Value::Builtin(_)) && is_sequence(v)
        || super::bytearray::as_bytearray(v).is_some()
        || matches!(v, Value::Native(n) if matches!(**n, super::object::Native::Deque(_)));
    sequence && matches!(name, "__add__" | "__mul__" | "__rmul__")
}

fn is_sequence(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)
    )
}
