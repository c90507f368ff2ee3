//! Arithmetic and the sequence operators behind BINARY_OP and the UNARY_* opcodes.
//! `int` is a 64-bit integer here: a result that does not fit ends the run as
//! *unsupported* (CPython would give the exact big integer), never wraps or raises.

use std::rc::Rc;

use super::interp::{Vm, MAX_ALLOC};
use super::object::Value;
use super::protocol::{num, Num};
use super::{PyResult, Throw};

/// The feature named when an integer leaves the 64-bit range.
pub const BIG_INT: &str = "integers beyond 64 bits";

const DUNDERS: &[(&str, &str, &str)] = &[
    ("+", "__add__", "__radd__"),
    ("-", "__sub__", "__rsub__"),
    ("*", "__mul__", "__rmul__"),
    ("/", "__truediv__", "__rtruediv__"),
    ("//", "__floordiv__", "__rfloordiv__"),
    ("%", "__mod__", "__rmod__"),
    ("**", "__pow__", "__rpow__"),
    ("<<", "__lshift__", "__rlshift__"),
    (">>", "__rshift__", "__rrshift__"),
    ("&", "__and__", "__rand__"),
    ("|", "__or__", "__ror__"),
    ("^", "__xor__", "__rxor__"),
    ("@", "__matmul__", "__rmatmul__"),
];

impl Vm {
    fn overflow(&self) -> Throw {
        self.unsupported(BIG_INT)
    }

    fn int_result(&self, r: Option<i64>) -> PyResult<Value> {
        r.map(Value::Int).ok_or_else(|| self.overflow())
    }

    /// `a OP b` (and `a OP= b` when `inplace`).
    pub fn binary(&mut self, op: &str, a: &Value, b: &Value, inplace: bool) -> PyResult<Value> {
        // `str % x` and `bytes % x` format whatever `x` is (unicode_mod, bytes_mod).
        let formats = op == "%" && matches!(a, Value::Str(_) | Value::Bytes(_));
        if !formats && (matches!(a, Value::Object(_)) || matches!(b, Value::Object(_))) {
            if let Some(&(_, name, rname)) = DUNDERS.iter().find(|d| d.0 == op) {
                if inplace {
                    let iname = format!("__i{}", &name[2..]);
                    if let Some(r) = self.call_special(a, &iname, vec![b.clone()])? {
                        if !matches!(r, Value::NotImplemented) {
                            return Ok(r);
                        }
                    }
                }
                if let Some(r) = self.call_special(a, name, vec![b.clone()])? {
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
                if let Some(r) = self.call_special(b, rname, vec![a.clone()])? {
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
            }
        }
        let setlike = |v: &Value| matches!(v, Value::Set(_) | Value::DictView(_));
        if setlike(a) || setlike(b) {
            if let Some(r) = self.set_binary(op, a, b, inplace)? {
                return Ok(r);
            }
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
                match op {
                    "&" => return Ok(Value::Bool(*p & *q)),
                    "|" => return Ok(Value::Bool(*p | *q)),
                    "^" => return Ok(Value::Bool(*p ^ *q)),
                    _ => {}
                }
            }
            return self.arith(op, x, y, a, b);
        }
        match (op, a, b) {
            ("+", Value::Str(x), Value::Str(y)) => {
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                Ok(Value::str(&s))
            }
            ("+", Value::List(x), Value::List(y)) => {
                if inplace {
                    let extra = y.items.borrow().clone();
                    x.items.borrow_mut().extend(extra);
                    return Ok(a.clone());
                }
                let mut v = x.items.borrow().clone();
                v.extend(y.items.borrow().iter().cloned());
                Ok(Value::list(v))
            }
            ("+", Value::List(x), other) if inplace => {
                let extra = self.collect(other)?;
                x.items.borrow_mut().extend(extra);
                Ok(a.clone())
            }
            ("+", Value::Tuple(x), Value::Tuple(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                Ok(Value::tuple(v))
            }
            ("+", Value::Bytes(x), Value::Bytes(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter());
                Ok(Value::Bytes(Rc::from(v)))
            }
            (
                "*",
                Value::Str(_) | Value::List(_) | Value::Tuple(_),
                Value::Int(_) | Value::Bool(_),
            ) => self.repeat(a, super::protocol::as_i64(b), inplace),
            (
                "*",
                Value::Int(_) | Value::Bool(_),
                Value::Str(_) | Value::List(_) | Value::Tuple(_),
            ) => self.repeat(b, super::protocol::as_i64(a), false),
            ("%", Value::Str(fmt), _) => Ok(Value::str(&self.percent_format(fmt, b)?)),
            ("%", Value::Bytes(_), _) => Err(self.unsupported("bytes %-formatting")),
            ("|", Value::Dict(x), Value::Dict(y)) => {
                let d = if inplace {
                    x.clone()
                } else {
                    crate::runtime::gc::alloc(x.copy())
                };
                for (k, v) in y.items() {
                    d.set(k, v).map_err(|e| self.unhashable(e))?;
                }
                Ok(Value::Dict(d))
            }
            _ => {
                let (ta, tb) = (self.type_of(a).name.clone(), self.type_of(b).name.clone());
                let shown = if inplace {
                    format!("{op}=")
                } else if op == "**" {
                    "** or pow()".to_owned()
                } else {
                    op.to_owned()
                };
                match (op, a) {
                    ("+", Value::Str(_)) => {
                        Err(self
                            .type_error(format!("can only concatenate str (not \"{tb}\") to str")))
                    }
                    ("+", Value::List(_)) => Err(self
                        .type_error(format!("can only concatenate list (not \"{tb}\") to list"))),
                    ("+", Value::Tuple(_)) => Err(self.type_error(format!(
                        "can only concatenate tuple (not \"{tb}\") to tuple"
                    ))),
                    ("*", Value::Str(_) | Value::List(_) | Value::Tuple(_)) if num(b).is_some() => {
                        Err(self.type_error(format!(
                            "can't multiply sequence by non-int of type '{tb}'"
                        )))
                    }
                    _ => Err(self.type_error(format!(
                        "unsupported operand type(s) for {shown}: '{ta}' and '{tb}'"
                    ))),
                }
            }
        }
    }

    fn repeat(&mut self, seq: &Value, n: i64, inplace: bool) -> PyResult<Value> {
        let n = n.max(0) as usize;
        let len = match seq {
            Value::Str(s) => s.len(),
            Value::List(l) => l.items.borrow().len(),
            Value::Tuple(t) => t.len(),
            _ => 0,
        };
        if len.saturating_mul(n) > MAX_ALLOC {
            return Err(self.err("MemoryError", ""));
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

    fn arith(&mut self, op: &str, x: Num, y: Num, a: &Value, b: &Value) -> PyResult<Value> {
        if let (Num::I(x), Num::I(y)) = (x, y) {
            return match op {
                "+" => self.int_result(x.checked_add(y)),
                "-" => self.int_result(x.checked_sub(y)),
                "*" => self.int_result(x.checked_mul(y)),
                "/" => {
                    if y == 0 {
                        return Err(self.err("ZeroDivisionError", "division by zero"));
                    }
                    Ok(Value::Float(x as f64 / y as f64))
                }
                "//" => {
                    if y == 0 {
                        return Err(
                            self.err("ZeroDivisionError", "integer division or modulo by zero")
                        );
                    }
                    self.int_result(floor_div(x, y))
                }
                "%" => {
                    if y == 0 {
                        return Err(self.err("ZeroDivisionError", "integer modulo by zero"));
                    }
                    self.int_result(floor_mod(x, y))
                }
                "**" => {
                    if y < 0 {
                        if x == 0 {
                            return Err(self.err(
                                "ZeroDivisionError",
                                "0.0 cannot be raised to a negative power",
                            ));
                        }
                        return Ok(Value::Float((x as f64).powf(y as f64)));
                    }
                    let exp = u32::try_from(y).map_err(|_| self.overflow())?;
                    self.int_result(x.checked_pow(exp))
                }
                "<<" => {
                    if y < 0 {
                        return Err(self.value_error("negative shift count"));
                    }
                    if x == 0 {
                        return Ok(Value::Int(0));
                    }
                    let r = if y < 63 {
                        x.checked_mul(1i64 << y)
                    } else {
                        None
                    };
                    self.int_result(r)
                }
                ">>" => {
                    if y < 0 {
                        return Err(self.value_error("negative shift count"));
                    }
                    Ok(Value::Int(x >> y.min(63)))
                }
                "&" => Ok(Value::Int(x & y)),
                "|" => Ok(Value::Int(x | y)),
                "^" => Ok(Value::Int(x ^ y)),
                _ => self.unsupported_operands(op, a, b),
            };
        }
        let (x, y) = (x.f(), y.f());
        match op {
            "+" => Ok(Value::Float(x + y)),
            "-" => Ok(Value::Float(x - y)),
            "*" => Ok(Value::Float(x * y)),
            "/" => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float division by zero"));
                }
                Ok(Value::Float(x / y))
            }
            "//" => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float floor division by zero"));
                }
                Ok(Value::Float(float_divmod(x, y).0))
            }
            "%" => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float modulo"));
                }
                Ok(Value::Float(float_divmod(x, y).1))
            }
            "**" => {
                if x == 0.0 && y < 0.0 {
                    return Err(self.err(
                        "ZeroDivisionError",
                        "0.0 cannot be raised to a negative power",
                    ));
                }
                Ok(Value::Float(x.powf(y)))
            }
            _ => self.unsupported_operands(op, a, b),
        }
    }

    fn unsupported_operands(&mut self, op: &str, a: &Value, b: &Value) -> PyResult<Value> {
        let (ta, tb) = (self.type_of(a).name.clone(), self.type_of(b).name.clone());
        let op = if op == "**" { "** or pow()" } else { op };
        Err(self.type_error(format!(
            "unsupported operand type(s) for {op}: '{ta}' and '{tb}'"
        )))
    }

    /// `-v`, `+v`, `~v`.
    pub fn unary(&mut self, op: &str, v: &Value) -> PyResult<Value> {
        let dunder = match op {
            "-" => "__neg__",
            "+" => "__pos__",
            _ => "__invert__",
        };
        if let Some(r) = self.call_special(v, dunder, vec![])? {
            return Ok(r);
        }
        match (op, v) {
            ("-", Value::Int(_) | Value::Bool(_)) => {
                self.int_result(super::protocol::as_i64(v).checked_neg())
            }
            ("-", Value::Float(f)) => Ok(Value::Float(-f)),
            ("+", Value::Int(_) | Value::Bool(_)) => Ok(Value::Int(super::protocol::as_i64(v))),
            ("+", Value::Float(f)) => Ok(Value::Float(*f)),
            ("~", Value::Int(_) | Value::Bool(_)) => Ok(Value::Int(!super::protocol::as_i64(v))),
            _ => {
                let t = self.type_of(v).name.clone();
                Err(self.type_error(format!("bad operand type for unary {op}: '{t}'")))
            }
        }
    }
}

pub fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if (x % y != 0) && ((x < 0) != (y < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

pub fn floor_mod(x: i64, y: i64) -> Option<i64> {
    let r = x.checked_rem(y)?;
    if r != 0 && ((r < 0) != (y < 0)) {
        Some(r + y)
    } else {
        Some(r)
    }
}

/// Python's float `divmod` (CPython `_float_div_mod`).
pub fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}
