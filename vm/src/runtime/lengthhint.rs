//! `PyObject_LengthHint` and the collections built with it: `list()`, `tuple()`,
//! `list.extend` and `[*x]` ask the iterable for a size before iterating it (CPython's
//! `list_extend` and `PySequence_Tuple`), which runs a Python class's `__len__` or
//! `__length_hint__`, so a program can see the call.

use super::interp::Vm;
use super::object::{Args, Value};
use super::{PyResult, Throw};

impl Vm {
    /// Whether `v`'s type is a class a program made (an instance, or a class whose
    /// metaclass is one), so that its length hint may run Python code.
    pub fn sized_by_class(&self, v: &Value) -> bool {
        !self.type_of(v).builtin
    }

    /// `PyObject_LengthHint(obj, default)`: `len(obj)` when its type has one (a TypeError
    /// from it ignored), else the type's `__length_hint__()` (NotImplemented or a
    /// TypeError gives the default), else the default.
    pub fn length_hint(&mut self, obj: &Value, default: i64) -> PyResult<i64> {
        let t = self.type_of(obj);
        // `_PyObject_HasLen`: asked of the type, so no TypeError is made for the others.
        if self.type_lookup(&t, "__len__")?.is_some() {
            match self.len(obj) {
                Ok(n) => return Ok(n as i64),
                Err(Throw::Exc(e)) if self.is_instance_of(&e, "TypeError") => {}
                Err(e) => return Err(e),
            }
        }
        let Some(hint) = self.type_lookup(&t, "__length_hint__")? else {
            return Ok(default);
        };
        // A TypeError out of the hint gives the default too.
        let r = match self.call(&hint, Args::new(vec![obj.clone()])) {
            Ok(r) => r,
            Err(Throw::Exc(e)) if self.is_instance_of(&e, "TypeError") => return Ok(default),
            Err(e) => return Err(e),
        };
        // `PyLong_Check`: an int subclass's value; then `PyLong_AsSsize_t`.
        let r = match r.builtin_value() {
            v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) => v.clone(),
            _ => r,
        };
        match r {
            Value::NotImplemented => Ok(default),
            Value::BigInt(_) => Err(self.err(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )),
            Value::Int(n) if n < 0 => Err(self.value_error("__length_hint__() should return >= 0")),
            Value::Int(n) => Ok(n),
            Value::Bool(b) => Ok(i64::from(b)),
            other => Err(self.type_error(format!(
                "__length_hint__ must be an integer, not {}",
                self.type_of(&other).name()
            ))),
        }
    }

    /// The items of `v` as `list_extend` gathers them: a list or tuple is copied; for
    /// anything else the iterator is made first, then the iterable's length hint is asked
    /// for (the preallocation CPython makes with it is not observable, the calls are), then
    /// the iterator is exhausted. Built-in iterables' sizes run no Python code and are left
    /// to [`Vm::collect`], which also refuses sizes beyond memory.
    pub fn collect_hinted(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        if !self.sized_by_class(v) {
            return self.collect(v);
        }
        let it = self.iter(v)?;
        self.length_hint(v, 8)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// `list_extend(l, v)` (and `l += v`): a list, tuple or range is taken whole (a list
    /// extended by itself sees its old items; a range too large is refused up front);
    /// anything else is iterated and each item appended as it comes, so the iteration
    /// sees the list grow, and an error partway leaves the items already taken.
    pub fn extend_list(&mut self, l: &super::object::List, v: &Value) -> PyResult<()> {
        if matches!(v, Value::List(_) | Value::Tuple(_) | Value::Range(_)) {
            let items = self.collect(v)?;
            l.items.borrow_mut().extend(items);
            return Ok(());
        }
        let it = self.iter(v)?;
        if self.sized_by_class(v) {
            self.length_hint(v, 8)?;
        }
        while let Some(x) = self.next(&it)? {
            l.items.borrow_mut().push(x);
        }
        Ok(())
    }
}
