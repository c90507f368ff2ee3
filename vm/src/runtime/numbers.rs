//! Arithmetic and the sequence operators behind BINARY_OP and the UNARY_* opcodes.
//! `int` is a 64-bit integer here: a result that does not fit ends the run as
//! *unsupported* (CPython would give the exact big integer), never wraps or raises.

use std::rc::Rc;

use super::interp::{Vm, MAX_ALLOC};
use super::object::{Set, Value};
use super::protocol::{num, Num};
use super::{PyResult, Throw};
use crate::oparg::BinaryOp;

/// The feature named when an integer leaves the 64-bit range.
pub const BIG_INT: &str = "integers beyond 64 bits";

impl Vm {
    fn overflow(&self) -> Throw {
        self.unsupported(BIG_INT)
    }

    fn int_result(&self, r: Option<i64>) -> PyResult<Value> {
        r.map(Value::Int).ok_or_else(|| self.overflow())
    }

    /// `a OP b` (and `a OP= b` when `inplace`).
    pub fn binary(&mut self, op: BinaryOp, a: &Value, b: &Value, inplace: bool) -> PyResult<Value> {
        if matches!(a, Value::Object(_)) || matches!(b, Value::Object(_)) {
            let (name, rname, iname) = op.methods();
            if inplace {
                if let Some(r) = self.call_special(a, iname, vec![b.clone()])? {
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
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
                match op {
                    BinaryOp::And => return Ok(Value::Bool(*p & *q)),
                    BinaryOp::Or => return Ok(Value::Bool(*p | *q)),
                    BinaryOp::Xor => return Ok(Value::Bool(*p ^ *q)),
                    _ => {}
                }
            }
            return self.arith(op, x, y, a, b);
        }
        match (op, a, b) {
            (BinaryOp::Add, Value::Str(x), Value::Str(y)) => {
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                Ok(Value::str(&s))
            }
            (BinaryOp::Add, Value::List(x), Value::List(y)) => {
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
                let extra = self.collect(other)?;
                x.items.borrow_mut().extend(extra);
                Ok(a.clone())
            }
            (BinaryOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                Ok(Value::tuple(v))
            }
            (BinaryOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter());
                Ok(Value::Bytes(Rc::from(v)))
            }
            (
                BinaryOp::Multiply,
                Value::Str(_) | Value::List(_) | Value::Tuple(_),
                Value::Int(_) | Value::Bool(_),
            ) => self.repeat(a, super::protocol::as_i64(b), inplace),
            (
                BinaryOp::Multiply,
                Value::Int(_) | Value::Bool(_),
                Value::Str(_) | Value::List(_) | Value::Tuple(_),
            ) => self.repeat(b, super::protocol::as_i64(a), false),
            (BinaryOp::Remainder, Value::Str(fmt), _) => {
                Ok(Value::str(&self.percent_format(fmt, b)?))
            }
            (BinaryOp::Or, Value::Dict(x), Value::Dict(y)) => {
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
            (
                BinaryOp::Or | BinaryOp::And | BinaryOp::Subtract | BinaryOp::Xor,
                Value::Set(x),
                Value::Set(y),
            ) => {
                let out = Set::default();
                let (xs, ys) = (x.items.keys(), y.items.keys());
                let in_y = |k: &Value| y.items.contains(k).unwrap_or(false);
                let in_x = |k: &Value| x.items.contains(k).unwrap_or(false);
                let keep: Vec<Value> = match op {
                    BinaryOp::Or => xs.into_iter().chain(ys).collect(),
                    BinaryOp::And => xs.into_iter().filter(in_y).collect(),
                    BinaryOp::Subtract => xs.into_iter().filter(|k| !in_y(k)).collect(),
                    _ => xs
                        .into_iter()
                        .filter(|k| !in_y(k))
                        .chain(ys.into_iter().filter(|k| !in_x(k)))
                        .collect(),
                };
                for k in keep {
                    let _ = out.items.set(k, Value::None);
                }
                Ok(Value::Set(crate::runtime::gc::alloc(out)))
            }
            _ => {
                let (ta, tb) = (self.type_of(a).name.clone(), self.type_of(b).name.clone());
                let shown = if inplace {
                    op.inplace_symbol()
                } else {
                    op.symbol()
                };
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
                    (BinaryOp::Multiply, Value::Str(_) | Value::List(_) | Value::Tuple(_))
                        if num(b).is_some() =>
                    {
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

    fn arith(&mut self, op: BinaryOp, x: Num, y: Num, a: &Value, b: &Value) -> PyResult<Value> {
        if let (Num::I(x), Num::I(y)) = (x, y) {
            return match op {
                BinaryOp::Add => self.int_result(x.checked_add(y)),
                BinaryOp::Subtract => self.int_result(x.checked_sub(y)),
                BinaryOp::Multiply => self.int_result(x.checked_mul(y)),
                BinaryOp::TrueDivide => {
                    if y == 0 {
                        return Err(self.err("ZeroDivisionError", "division by zero"));
                    }
                    Ok(Value::Float(x as f64 / y as f64))
                }
                BinaryOp::FloorDivide => {
                    if y == 0 {
                        return Err(
                            self.err("ZeroDivisionError", "integer division or modulo by zero")
                        );
                    }
                    self.int_result(floor_div(x, y))
                }
                BinaryOp::Remainder => {
                    if y == 0 {
                        return Err(self.err("ZeroDivisionError", "integer modulo by zero"));
                    }
                    self.int_result(floor_mod(x, y))
                }
                BinaryOp::Power => {
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
                BinaryOp::Lshift => {
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
                BinaryOp::Rshift => {
                    if y < 0 {
                        return Err(self.value_error("negative shift count"));
                    }
                    Ok(Value::Int(x >> y.min(63)))
                }
                BinaryOp::And => Ok(Value::Int(x & y)),
                BinaryOp::Or => Ok(Value::Int(x | y)),
                BinaryOp::Xor => Ok(Value::Int(x ^ y)),
                _ => self.unsupported_operands(op, a, b),
            };
        }
        let (x, y) = (x.f(), y.f());
        match op {
            BinaryOp::Add => Ok(Value::Float(x + y)),
            BinaryOp::Subtract => Ok(Value::Float(x - y)),
            BinaryOp::Multiply => Ok(Value::Float(x * y)),
            BinaryOp::TrueDivide => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float division by zero"));
                }
                Ok(Value::Float(x / y))
            }
            BinaryOp::FloorDivide => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float floor division by zero"));
                }
                Ok(Value::Float(float_divmod(x, y).0))
            }
            BinaryOp::Remainder => {
                if y == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float modulo"));
                }
                Ok(Value::Float(float_divmod(x, y).1))
            }
            BinaryOp::Power => {
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

    fn unsupported_operands(&mut self, op: BinaryOp, a: &Value, b: &Value) -> PyResult<Value> {
        let (ta, tb) = (self.type_of(a).name.clone(), self.type_of(b).name.clone());
        Err(self.type_error(format!(
            "unsupported operand type(s) for {}: '{ta}' and '{tb}'",
            op.symbol()
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

    /// `fmt % args` for the common conversions (%s %r %d %i %f %x %%).
    fn percent_format(&mut self, fmt: &str, args: &Value) -> PyResult<String> {
        let args: Vec<Value> = match args {
            Value::Tuple(t) => t.to_vec(),
            other => vec![other.clone()],
        };
        let mut out = String::new();
        let mut it = args.into_iter();
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut spec = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' || d == ' ' || d == '0' {
                    spec.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let Some(conv) = chars.next() else {
                return Err(self.value_error("incomplete format"));
            };
            if conv == '%' {
                out.push('%');
                continue;
            }
            let Some(arg) = it.next() else {
                return Err(self.type_error("not enough arguments for format string"));
            };
            let piece = match conv {
                's' => self.str_of(&arg)?,
                'r' | 'a' => self.repr(&arg)?,
                'd' | 'i' | 'f' | 'x' | 'X' | 'o' | 'e' | 'g' => {
                    let spec2 = format!("{spec}{}", if conv == 'i' { 'd' } else { conv });
                    let arg = if matches!(conv, 'd' | 'i' | 'x' | 'X' | 'o') {
                        match arg {
                            Value::Float(f) => Value::Int(f.trunc() as i64),
                            other => other,
                        }
                    } else {
                        arg
                    };
                    self.format(&arg, &spec2)?
                }
                other => {
                    return Err(self.value_error(format!("unsupported format character '{other}'")))
                }
            };
            out.push_str(&piece);
        }
        if it.next().is_some() {
            return Err(self.type_error("not all arguments converted during string formatting"));
        }
        Ok(out)
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
