//! `_bisect` (CPython 3.12 `Modules/_bisectmodule.c`): `bisect_left`, `bisect_right`,
//! `insort_left` and `insort_right` over any sequence, with `lo`, `hi` and `key`. The
//! search is `internal_bisect_left`/`internal_bisect_right`: the sequence's length when
//! `hi` is None (`PySequence_Size`), one item per step (`PySequence_GetItem`), the key
//! function on that item, and one `<` (`PyObject_RichCompareBool`) with CPython's
//! operands. `insort` inserts into an exact list itself and calls `insert` on anything
//! else (a list subclass included), as CPython does. `Lib/bisect.py` imports all four.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;
use crate::oparg::CompareOp;

/// `_bisect.c`'s `module_doc`.
const DOC: &str = "Bisection algorithms.\n\nThis module provides support for maintaining a list in sorted order without\nhaving to sort the list after each insertion. For long lists of items with\nexpensive comparison operations, this can be an improvement over the more\ncommon approach.\n";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_bisect", FUNCTIONS);
    d.set_str("__doc__", Value::str(DOC));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("bisect_right", bisect_right),
    ("insort_right", insort_right),
    ("bisect_left", bisect_left),
    ("insort_left", insort_left),
];

/// Which side of equal items the search ends on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// The parsed arguments: `(a, x, lo=0, hi=None, *, key=None)`.
struct Call {
    a: Value,
    x: Value,
    lo: i64,
    /// `None` for the sequence's length (CPython's -1: an explicit -1 means it too).
    hi: Option<i64>,
    key: Value,
}

fn parse(vm: &mut Vm, name: &str, args: &Args) -> PyResult<Call> {
    let [a, x, lo, hi, key] =
        Spec::function(name, Style::Keywords, &["a", "x", "lo", "hi", "key"], 2)
            .keywords(0, 4)
            .bind::<5>(vm, args, 0)?;
    let (Some(a), Some(x)) = (a, x) else {
        return Err(vm.bug(format!("{name}: a missing required argument")));
    };
    // `lo: Py_ssize_t` (`_PyNumber_Index`, then `PyLong_AsSsize_t`).
    let lo = match lo {
        None => 0,
        Some(v) => {
            let big = super::math::to_index(vm, &v)?;
            i64::try_from(&big)
                .map_err(|_| vm.err("OverflowError", super::super::int::TOO_LARGE_SSIZE_T))?
        }
    };
    // `hi: Py_ssize_t(accept={int, NoneType})`: `PyNumber_AsSsize_t(v, OverflowError)`.
    let hi = match hi {
        None | Some(Value::None) => None,
        // `_Py_convert_optional_to_ssize_t`: not an index at all is its own TypeError.
        Some(v)
            if !matches!(
                v.builtin_value(),
                Value::Int(_) | Value::BigInt(_) | Value::Bool(_)
            ) && !vm.has_index(&v) =>
        {
            let n = vm.type_of(&v).name();
            return Err(vm.type_error(format!("argument should be integer or None, not '{n}'")));
        }
        Some(v) => {
            let big = super::math::to_index(vm, &v)?;
            let hi = i64::try_from(&big).map_err(|_| {
                vm.err(
                    "OverflowError",
                    "cannot fit 'int' into an index-sized integer",
                )
            })?;
            (hi != -1).then_some(hi)
        }
    };
    Ok(Call {
        a,
        x,
        lo,
        hi,
        key: key.unwrap_or(Value::None),
    })
}

/// `PySequence_Size`: a dict is not a sequence; the native objects of other modules
/// are not modelled here.
fn size(vm: &mut Vm, a: &Value) -> PyResult<i64> {
    match a {
        Value::Dict(_) => Err(vm.type_error("dict is not a sequence")),
        Value::Object(o) if matches!(o.payload, Some(Value::Dict(_))) => {
            Err(vm.unsupported("bisect on a dict subclass"))
        }
        Value::Native(_) => Err(vm.unsupported("bisect on a native module's object")),
        _ => Ok(vm.len(a)? as i64),
    }
}

/// `get_sq_item`, checked once before the search: only types with `sq_item` can be
/// searched (`PySequence_GetItem`'s errors otherwise).
fn check_sq_item(vm: &mut Vm, a: &Value) -> PyResult<()> {
    match a {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) | Value::Range(_) => {
            Ok(())
        }
        Value::Dict(_) => Err(vm.type_error("dict is not a sequence")),
        Value::Object(o) if matches!(o.payload, Some(Value::Dict(_))) => {
            Err(vm.unsupported("bisect on a dict subclass"))
        }
        Value::Object(_) if vm.special(a, "__getitem__").is_some() => Ok(()),
        Value::Native(_) | Value::Type(_) => {
            Err(vm.unsupported("bisect on a native module's object or a class"))
        }
        _ => {
            let t = vm.type_of(a).name().clone();
            Err(vm.type_error(format!("'{t}' object does not support indexing")))
        }
    }
}

/// `internal_bisect_left` / `internal_bisect_right`.
fn search(vm: &mut Vm, c: &Call, x: &Value, side: Side) -> PyResult<i64> {
    if c.lo < 0 {
        return Err(vm.value_error("lo must be non-negative"));
    }
    let (mut lo, mut hi) = (
        c.lo,
        match c.hi {
            Some(hi) => hi,
            None => size(vm, &c.a)?,
        },
    );
    check_sq_item(vm, &c.a)?;
    while lo < hi {
        // `((size_t)lo + hi) / 2`: both are non-negative here.
        let mid = ((lo as u64 + hi as u64) / 2) as i64;
        let mut litem = vm.getitem(&c.a, &Value::Int(mid))?;
        if !c.key.is_none() {
            litem = vm.call(&c.key, Args::new(vec![litem]))?;
        }
        // Right: `x < a[mid]` keeps the upper half out; left: `a[mid] < x` the lower.
        let below = match side {
            Side::Right => {
                let r = vm.compare(CompareOp::Lt, x, &litem)?;
                !vm.truthy(&r)?
            }
            Side::Left => {
                let r = vm.compare(CompareOp::Lt, &litem, x)?;
                vm.truthy(&r)?
            }
        };
        if below {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

fn bisect(vm: &mut Vm, name: &str, args: &Args, side: Side) -> PyResult<Value> {
    let c = parse(vm, name, args)?;
    let x = c.x.clone();
    Ok(Value::Int(search(vm, &c, &x, side)?))
}

/// `insort_left` / `insort_right`: the key of `x` (once), the search, then
/// `PyList_Insert` on an exact list or the sequence's own `insert` method.
fn insort(vm: &mut Vm, name: &str, args: &Args, side: Side) -> PyResult<Value> {
    let c = parse(vm, name, args)?;
    let x = if c.key.is_none() {
        c.x.clone()
    } else {
        vm.call(&c.key, Args::new(vec![c.x.clone()]))?
    };
    let index = search(vm, &c, &x, side)?;
    match &c.a {
        Value::List(l) => {
            let mut items = l.items.borrow_mut();
            let at = usize::try_from(index).unwrap_or(0).min(items.len());
            items.insert(at, c.x.clone());
        }
        a => {
            let insert = vm.getattr(a, "insert")?;
            vm.call(&insert, Args::new(vec![Value::Int(index), c.x.clone()]))?;
        }
    }
    Ok(Value::None)
}

fn bisect_right(vm: &mut Vm, args: Args) -> PyResult<Value> {
    bisect(vm, "bisect_right", &args, Side::Right)
}

fn bisect_left(vm: &mut Vm, args: Args) -> PyResult<Value> {
    bisect(vm, "bisect_left", &args, Side::Left)
}

fn insort_right(vm: &mut Vm, args: Args) -> PyResult<Value> {
    insort(vm, "insort_right", &args, Side::Right)
}

fn insort_left(vm: &mut Vm, args: Args) -> PyResult<Value> {
    insort(vm, "insort_left", &args, Side::Left)
}
