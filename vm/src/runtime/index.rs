//! `PyNumber_Index` (Objects/abstract.c): the one conversion of an "integer-like" object
//! to an int that sequence indexing, slicing, `Py_ssize_t` and C `int` arguments,
//! `operator.index`, `bin`/`oct`/`hex`, `%x` and their kin share. An int (or an instance
//! of an int subclass) is itself; an instance whose class defines `__index__` is the
//! method's result, which must be an int.

use super::interp::Vm;
use super::object::Value;
use super::PyResult;

impl Vm {
    /// `_PyNumber_Index` followed by `PyNumber_Index`'s copy to an exact int: `None` for
    /// an object with no `__index__` (each caller words that TypeError its own way).
    pub fn try_index(&mut self, v: &Value) -> PyResult<Option<Value>> {
        match v {
            Value::Int(_) | Value::BigInt(_) => return Ok(Some(v.clone())),
            Value::Bool(b) => return Ok(Some(Value::Int(i64::from(*b)))),
            Value::Object(_) => {}
            // A weakref proxy's `nb_index` is its referent's `PyNumber_Index`.
            Value::Native(_) if super::weakproxy::as_proxy(v).is_some() => {}
            _ => return Ok(None),
        }
        // `PyLong_Check`: an int subclass instance is its int, its own `__index__` unasked.
        if let Some(i) = exact_int(v.builtin_value()) {
            return Ok(Some(i));
        }
        let Some(r) = self.call_special(v, "__index__", vec![])? else {
            return Ok(None);
        };
        match &r {
            Value::Int(_) | Value::BigInt(_) => Ok(Some(r)),
            _ => match exact_int(r.builtin_value()) {
                // A strict int subclass (a bool included): deprecated, but still taken.
                Some(i) => {
                    let n = self.type_of(&r).name().clone();
                    super::modules::warnings::warn_native(
                        self,
                        "DeprecationWarning",
                        format!(
                            "__index__ returned non-int (type {n}).  The ability to return an \
                             instance of a strict subclass of int is deprecated, and may be \
                             removed in a future version of Python."
                        ),
                    )?;
                    Ok(Some(i))
                }
                None => {
                    let n = self.type_of(&r).name().clone();
                    Err(self.type_error(format!("__index__ returned non-int (type {n})")))
                }
            },
        }
    }

    /// `PyNumber_Index`: an exact int (`Value::Int` or `Value::BigInt`), else TypeError
    /// "'X' object cannot be interpreted as an integer".
    pub fn number_index(&mut self, v: &Value) -> PyResult<Value> {
        match self.try_index(v)? {
            Some(i) => Ok(i),
            None => Err(self.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_of(v).name()
            ))),
        }
    }

    /// Whether `v` is an instance whose class defines `__index__` (`_PyIndex_Check`) and
    /// is not an int: an operand a built-in sequence takes as an index.
    pub fn has_index(&self, v: &Value) -> bool {
        super::weakproxy::as_proxy(v).is_some()
            || matches!(v, Value::Object(_))
                && exact_int(v.builtin_value()).is_none()
                && self.special(v, "__index__").is_some()
    }
}

/// An int or bool as an exact int value; `None` for anything else.
fn exact_int(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Some(v.clone()),
        Value::Bool(b) => Some(Value::Int(i64::from(*b))),
        _ => None,
    }
}
