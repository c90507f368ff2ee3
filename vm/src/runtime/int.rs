//! The `int` protocol between values and `arith`: a value as a number ([`num`]) and back
//! ([`from_num`]), an int used as an index (`PyNumber_AsSsize_t`, `_PyEval_SliceIndex`,
//! `PyLong_AsSsize_t`), an int's decimal text under `sys.set_int_max_str_digits`'s limit,
//! and the size check before an int operation that can grow its result without bound.
//!
//! Ints are `Value::Int(i64)` while they fit and `Value::BigInt` beyond (normalised by
//! [`from_num`] and `Value::int`), so a big int never stands for a value an `i64` holds.

use num_traits::Signed;

use super::interp::Vm;
use super::object::Value;
use super::PyResult;
use crate::arith::{self, Num};
use crate::oparg::BinaryOp;

/// A number operand for `arith` (a bool is the int 0 or 1).
#[inline]
pub fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Bool(b) => Some(Num::Int(i64::from(*b))),
        Value::Float(f) => Some(Num::Float(*f)),
        Value::BigInt(b) => Some(Num::Big(b.clone())),
        _ => None,
    }
}

/// An operand of the arithmetic operators: [`num`]'s, or a complex (which the
/// conversions and the ordering that take [`num`] do not accept).
pub fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Complex(z) => Some(Num::Complex(z.0, z.1)),
        other => num(other),
    }
}

/// An int operand (an int or a bool, not a float) as a number.
pub fn int_num(v: &Value) -> Option<Num> {
    match v {
        Value::Float(_) => None,
        other => num(other),
    }
}

/// The value of an `arith` result.
#[inline]
pub fn from_num(n: Num) -> Value {
    Value::from_num(n)
}

/// Whether `v` is an `int` (a bool included).
pub fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
}

/// A machine-sized int or bool as an `i64`; 0 for anything else (a big int included:
/// callers ask only of values they know fit, or use [`Vm::index_sized`]).
pub fn as_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `_PyEval_SliceIndex`'s clamping: an int as an index, a big one clipped to the `i64`
/// range (`None` for a value that is not an int).
pub fn clamped_index(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::BigInt(b) => Some(if b.is_negative() { i64::MIN } else { i64::MAX }),
        _ => None,
    }
}

/// `PyNumber_AsSsize_t`'s message for an int beyond `Py_ssize_t`.
pub const CANNOT_FIT: &str = "cannot fit 'int' into an index-sized integer";
/// `PyLong_AsSsize_t`'s message (argument clinic's `Py_ssize_t` parameters, `len()`).
pub const TOO_LARGE_SSIZE_T: &str = "Python int too large to convert to C ssize_t";

impl Vm {
    /// An argument converted to a C `int` (`_PyLong_AsInt`): a TypeError for a value that
    /// is not an int, an OverflowError beyond 32 bits.
    pub fn c_int(&mut self, v: &Value) -> PyResult<i32> {
        let v = &self.try_index(v)?.unwrap_or_else(|| v.clone());
        match as_i64_exact(v) {
            Some(i) => i32::try_from(i).map_err(|_| self.c_int_overflow()),
            None if is_int(v) => Err(self.c_int_overflow()),
            None => Err(self.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_of(v).name()
            ))),
        }
    }

    /// An argument converted by PyArg_ParseTuple's "i" format: a C long first
    /// (`PyLong_AsLong`), then range-checked into an int with its own messages.
    pub fn parse_tuple_int(&mut self, v: &Value) -> PyResult<i32> {
        let v = &self.try_index(v)?.unwrap_or_else(|| v.clone());
        match as_i64_exact(v) {
            Some(i) => i32::try_from(i).map_err(|_| {
                let which = if i < 0 {
                    "less than minimum"
                } else {
                    "greater than maximum"
                };
                self.err("OverflowError", format!("signed integer is {which}"))
            }),
            None if is_int(v) => {
                Err(self.err("OverflowError", "Python int too large to convert to C long"))
            }
            None => Err(self.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_of(v).name()
            ))),
        }
    }

    fn c_int_overflow(&self) -> super::Throw {
        self.err("OverflowError", "Python int too large to convert to C int")
    }

    /// The decimal text of an int (`long_to_decimal_string`): a `ValueError` beyond
    /// `sys.get_int_max_str_digits()` digits.
    pub fn int_text(&self, n: &Num) -> PyResult<String> {
        arith::text::to_decimal(n, self.int_max_str_digits).map_err(|m| self.value_error(m))
    }

    /// Before `x OP y` on ints whose result may be far larger than its operands (`*`,
    /// `**`, `<<` with a big operand or count): `MemoryError` where CPython's allocation of
    /// the result could not succeed on any machine, out of memory where only the budget
    /// forbids it (see `heap`), out of fuel where the work exceeds what is left of the fuel
    /// ([`int_work_fuel`]).
    pub fn before_int_result(&mut self, op: BinaryOp, x: &Num, y: &Num) -> PyResult<()> {
        let Some(bits) = arith::result_bits(op, x, y) else {
            return Ok(());
        };
        // Small results need no check: the heap poll after the instruction sees them.
        if bits < 1 << 16 {
            return Ok(());
        }
        let bits = u128::from(bits);
        // A PyLongObject: a 24-byte header, then 30-bit digits of 4 bytes.
        let cpython = bits.div_ceil(30) * 4 + 24;
        self.before_alloc(cpython, bits / 8 + 32)?;
        self.spend_fuel(int_work_fuel(op, bits))
    }
}

/// The fuel an int result of `bits` bits costs beyond its instruction, so that fuel bounds
/// a run's time as well as its instruction count: one instruction of `**` or `*` can take
/// seconds (measured on the VM: squaring a 2^24-bit int, 0.9 s; a 2^22-bit one, 0.12 s,
/// the n^1.47 of num-bigint's Toom-3), where an instruction takes tens of nanoseconds.
/// Charged for results of 2^16 bits or more: `*` and `**` at (64-bit limbs)^1.5 / 8 (about
/// the instructions the same time would run), `<<` at limbs / 8 (a copy).
fn int_work_fuel(op: BinaryOp, bits: u128) -> u64 {
    let limbs = bits.div_ceil(64);
    let units = match op {
        BinaryOp::Multiply | BinaryOp::Power => limbs.saturating_mul(limbs.isqrt()),
        _ => limbs,
    };
    u64::try_from(units / 8).unwrap_or(u64::MAX)
}

/// An int or bool as an `i64`; `None` for a big int or a value that is not an int.
pub fn as_i64_exact(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}
