//! The object protocols the opcodes and builtins share: type, truth, equality, ordering,
//! iteration, length, subscripting, hashing, binding.

use std::rc::Rc;

use super::dict::Unhashable;
use super::heap;
use super::interp::Vm;
use super::object::{
    Args, AsyncOpKind, GenKind, Iter, IterState, Method, PropertyKind, Slice, Value, ViewKind,
};
use super::ops::generators::GenResult;
use super::reach;
use super::types::Type;
use super::{PyResult, Throw};
use crate::oparg::CompareOp;

/// RecursionError suffix of rich comparison (CPython `PyObject_RichCompare`).
const IN_COMPARISON: &str = " in comparison";

/// What one step of an iterator gave.
pub enum IterStep {
    Item(Value),
    /// Exhausted; with the StopIteration that said so, when there was one.
    Done(Option<Value>),
}

pub use super::int::{as_i64, from_num, num};
use crate::arith::Num;

impl Vm {
    /// `type(v)`.
    pub fn type_of(&self, v: &Value) -> Rc<Type> {
        let name = match v {
            Value::None => "NoneType",
            Value::NotImplemented => "NotImplementedType",
            Value::Ellipsis => "ellipsis",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Complex(_) => "complex",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Set(s) if s.frozen => "frozenset",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Slice(_) => "slice",
            Value::Iter(it) => iter_type_name(&it.state.borrow()),
            Value::DictView(d) => match d.kind {
                ViewKind::Keys => "dict_keys",
                ViewKind::Values => "dict_values",
                ViewKind::Items => "dict_items",
            },
            Value::Function(_) => "function",
            Value::Builtin(b) => match b.owner {
                None => "builtin_function_or_method",
                // `tp_new` is exposed as a built-in function (`tp_new_wrapper`).
                Some(_) if b.name == "__new__" => "builtin_function_or_method",
                Some(o) if reach::is_wrapper_descriptor(o, b.name) => "wrapper_descriptor",
                Some(o) if super::methods::is_class_method(o, b.name) => "classmethod_descriptor",
                Some(_) => "method_descriptor",
            },
            Value::Method(m) => match &m.func {
                Value::Builtin(b)
                    if b.name != "__new__"
                        && b.owner
                            .is_some_and(|o| reach::is_wrapper_descriptor(o, b.name)) =>
                {
                    "method-wrapper"
                }
                Value::Builtin(_) => "builtin_function_or_method",
                _ => "method",
            },
            Value::Code(_) => "code",
            Value::Frame(_) => "frame",
            Value::Traceback(_) => "traceback",
            Value::Module(_) => "module",
            Value::Type(t) => match &t.meta {
                Some(m) => return m.clone(),
                None => "type",
            },
            Value::Object(o) => return o.class.borrow().clone(),
            Value::Cell(_) => "cell",
            Value::Generator(g) => g.kind.type_name(),
            Value::AsyncOp(o) => o.type_name(),
            Value::TypeParam(t) => t.kind.type_name(),
            Value::Native(n) => n.type_name(),
            Value::Property(p) => match p.kind {
                PropertyKind::Property => "property",
                PropertyKind::StaticMethod => "staticmethod",
                PropertyKind::ClassMethod => "classmethod",
                PropertyKind::Member => "member_descriptor",
            },
        };
        self.ty(name)
    }

    pub fn unhashable(&self, e: Unhashable) -> Throw {
        match e {
            Unhashable::Type(name) => self.type_error(format!("unhashable type: '{name}'")),
            // CPython does not guard tuple hashing (it overflows the C stack); the VM
            // raises rather than crash.
            Unhashable::TooDeep => self.err("RecursionError", "maximum recursion depth exceeded"),
            Unhashable::Class(name) => self.type_error(format!("unhashable type: '{name}'")),
            Unhashable::UserDefined => {
                self.unsupported("hashing an instance of a class that defines __hash__ or __eq__")
            }
            Unhashable::NaN => self.unsupported(
                "a NaN as a dict key or set element (CPython tells NaNs apart by identity)",
            ),
        }
    }

    /// A user-class special method, if the value's class defines one.
    pub fn special(&self, v: &Value, name: &str) -> Option<Value> {
        match v {
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                // Instances of built-in classes have their behaviour in Rust, except
                // struct sequences, which are tuples by their payload.
                // `_io._IOBase()` and its kin, and `types.SimpleNamespace`: plain
                // instances, methods in their dicts.
                if t.is_builtin()
                    && o.payload.is_none()
                    && !super::modules::io::iobase::BASES.contains(&&*t.name())
                    && &*t.name() != "types.SimpleNamespace"
                {
                    return None;
                }
                // `object`'s own slots are the VM's default behaviour, which the callers
                // apply themselves when no class defines the method.
                t.lookup(name)
                    .filter(|f| !matches!(f, Value::Builtin(b) if b.owner == Some("object")))
            }
            // A class's metaclass, where it is a class statement's: its own special
            // methods (`type`'s are the evaluator's behaviour).
            Value::Type(t) => {
                let m = t.meta.as_ref()?;
                std::iter::once(m)
                    .chain(m.mro_rest.iter())
                    .take_while(|c| !c.is_builtin())
                    .find_map(|c| c.dict.get_str(name))
            }
            // The native modules' types keep their special methods in their dicts;
            // `object`'s are the default behaviour here too.
            Value::Native(n) => self
                .ty(n.type_name())
                .lookup(name)
                .filter(|f| !matches!(f, Value::Builtin(b) if b.owner == Some("object"))),
            _ => None,
        }
    }

    /// Calls special method `name` of `v` with `args` if defined.
    pub fn call_special(
        &mut self,
        v: &Value,
        name: &str,
        args: Vec<Value>,
    ) -> PyResult<Option<Value>> {
        match self.special(v, name) {
            Some(f) => match self.bind_special(&f, v)? {
                Some(bound) => Ok(Some(self.call(&bound, Args::new(args))?)),
                None => {
                    let mut all = vec![v.clone()];
                    all.extend(args);
                    Ok(Some(self.call(&f, Args::new(all))?))
                }
            },
            None => Ok(None),
        }
    }

    /// Whether `v`'s type can be iterated (CPython: `tp_iter` or `PySequence_Check`), a
    /// type test that calls nothing.
    pub fn is_iterable(&self, v: &Value) -> bool {
        match v {
            Value::Str(_)
            | Value::Bytes(_)
            | Value::Tuple(_)
            | Value::List(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Range(_)
            | Value::Iter(_)
            | Value::DictView(_) => true,
            Value::Generator(_) | Value::AsyncOp(_) => self.is_iterator(v),
            Value::TypeParam(t) => t.kind == super::typevars::TypeParamKind::TypeVarTuple,
            Value::Object(_) | Value::Native(_) | Value::Type(_) => {
                self.special(v, "__iter__").is_some() || self.special(v, "__getitem__").is_some()
            }
            _ => false,
        }
    }

    /// Whether `v`'s type has `tp_iternext` (CPython `PyIter_Check`), a type test that
    /// calls nothing. Coroutines and async generators are not iterators; the objects that
    /// drive them from `await` are.
    pub fn is_iterator(&self, v: &Value) -> bool {
        match v {
            Value::Iter(_) => true,
            Value::Generator(g) => g.kind == GenKind::Generator,
            Value::AsyncOp(o) => !matches!(o.kind, AsyncOpKind::Wrapped(_)),
            Value::Object(_) | Value::Native(_) => self.special(v, "__next__").is_some(),
            _ => false,
        }
    }

    /// The `(key, value)` pairs of a mapping, as CPython's `dict_merge` reads them: a dict's
    /// items, or `keys()` then `m[key]` for each key. A missing `keys` is the
    /// AttributeError callers turn into their own TypeError.
    pub fn mapping_items(&mut self, m: &Value) -> PyResult<Vec<(Value, Value)>> {
        if let Some(d) = self.plain_dict(m) {
            return Ok(d.items());
        }
        let keys = self.getattr(m, "keys")?;
        self.mapping_items_by(m, &keys)
    }

    /// The dict whose entries `dict_merge` copies directly: a dict, or a subclass
    /// instance's payload when the class does not override `__iter__` (CPython tests
    /// `tp_iter == dict_iter`, so an overridden `keys` or `__getitem__` is not asked).
    pub fn plain_dict(&self, m: &Value) -> Option<Rc<super::dict::Dict>> {
        match (m, m.builtin_value()) {
            (Value::Dict(d), _) => Some(d.clone()),
            (Value::Object(o), Value::Dict(d)) if !o.class.borrow().overrides("__iter__") => {
                Some(d.clone())
            }
            _ => None,
        }
    }

    /// `keys()` (the bound method given), then `m[key]` for each key.
    pub fn mapping_items_by(&mut self, m: &Value, keys: &Value) -> PyResult<Vec<(Value, Value)>> {
        let keys = self.call(keys, Args::new(Vec::new()))?;
        let keys = self.collect(&keys)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let v = self.getitem(m, &k)?;
            out.push((k, v));
        }
        Ok(out)
    }

    /// How a call names its callable in argument errors (CPython `_PyObject_FunctionStr`):
    /// `module.qualname()`, or `qualname()` for builtins, or `str(func)` without a
    /// `__qualname__`.
    pub fn function_str(&mut self, func: &Value) -> PyResult<String> {
        let qualname = match self.getattr(func, "__qualname__") {
            Ok(q) => self.str_of(&q)?,
            Err(Throw::Exc(_)) => return self.str_of(func),
            Err(fatal) => return Err(fatal),
        };
        let module = match self.getattr(func, "__module__") {
            Ok(m) => m,
            Err(Throw::Exc(_)) => Value::None,
            Err(fatal) => return Err(fatal),
        };
        Ok(match module {
            Value::None => format!("{qualname}()"),
            Value::Str(m) if &*m == "builtins" => format!("{qualname}()"),
            other => format!("{}.{qualname}()", self.str_of(&other)?),
        })
    }

    /// `bool(v)`.
    pub fn truthy(&mut self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::None => false,
            // 3.12 emits a DeprecationWarning here; the VM has no warnings machinery.
            Value::NotImplemented => {
                return Err(
                    self.unsupported("NotImplemented in a boolean context (a DeprecationWarning)")
                )
            }
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Complex(z) => z.0 != 0.0 || z.1 != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::List(l) => !l.items.borrow().is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) => !s.items.is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::DictView(d) => !d.dict.is_empty(),
            Value::Object(_) | Value::Native(_) | Value::Type(_) => {
                if let Some(r) = self.call_special(v, "__bool__", vec![])? {
                    return match r {
                        Value::Bool(b) => Ok(b),
                        other => {
                            let n = self.type_of(&other).name().clone();
                            Err(self
                                .type_error(format!("__bool__ should return bool, returned {n}")))
                        }
                    };
                }
                // `PyObject_IsTrue` falls back on `mp_length` (`slot_mp_length`): the
                // result checked as `len()` checks it.
                if let Some(r) = self.call_special(v, "__len__", vec![])? {
                    return Ok(self.len_result(&r)? != 0);
                }
                true
            }
            _ => true,
        })
    }

    /// `PyObject_RichCompareBool(a, b, Py_EQ)`: the same object is equal to itself
    /// without asking `__eq__` (how containers search and compare their items).
    pub fn eq_bool(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if a.is(b) {
            return Ok(true);
        }
        self.eq(a, b)
    }

    /// `a == b` (CPython `PyObject_RichCompare`): one unit of the C recursion budget, so
    /// comparing deeply nested containers raises RecursionError "... in comparison".
    pub fn eq(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        self.guarded(IN_COMPARISON, |vm| vm.eq_inner(a, b))
    }

    fn eq_inner(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(x.exact_cmp(&y) == Some(std::cmp::Ordering::Equal));
        }
        // `complex_richcompare`, either way round.
        match (a, b) {
            (Value::Complex(z), other) | (other, Value::Complex(z)) => {
                if let Some(n) = super::int::number(other) {
                    return Ok(crate::arith::complex::equal(**z, &n));
                }
            }
            _ => {}
        }
        Ok(match (a, b) {
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_eq(x, y)?,
            // `slice_richcompare`: as the tuples (start, stop, step).
            (Value::Slice(x), Value::Slice(y)) => {
                let parts = |s: &Slice| [s.start.clone(), s.stop.clone(), s.step.clone()];
                self.seq_eq(&parts(x), &parts(y))?
            }
            (Value::List(x), Value::List(y)) => {
                let (x, y) = (x.items.borrow().clone(), y.items.borrow().clone());
                self.seq_eq(&x, &y)?
            }
            (Value::Dict(x), Value::Dict(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (k, v) in x.items() {
                    match self.dict_get(y, &k)? {
                        Some(w) => {
                            // PyObject_RichCompareBool: identity first, no unit taken.
                            if !v.is(&w) && !self.eq(&v, &w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                true
            }
            (Value::Set(_) | Value::DictView(_), Value::Set(_) | Value::DictView(_)) => {
                match self.setlike_compare(CompareOp::Eq, a, b)? {
                    Some(r) => r,
                    None => a.is(b),
                }
            }
            (Value::Range(x), Value::Range(y)) => x.equals(y),
            (Value::Code(x), Value::Code(y)) if !Rc::ptr_eq(x, y) => {
                // code_richcompare compares contents (co_consts by _PyCode_ConstantKey,
                // where a float's sign and a shared NaN count); the VM answers only when
                // a field other than the constants already differs.
                if x.fields_equal_but_consts(y) {
                    return Err(self.unsupported(
                        "== of two code objects whose contents may be equal (code_richcompare)",
                    ));
                }
                false
            }
            // method_richcompare: equal functions bound to the same object.
            (Value::Method(x), Value::Method(y))
                if matches!((&x.func, &y.func), (Value::Function(_), Value::Function(_))) =>
            {
                x.func.is(&y.func) && x.receiver.is(&y.receiver)
            }
            (Value::Object(_) | Value::Native(_), _) | (_, Value::Object(_) | Value::Native(_)) => {
                match self.user_compare(CompareOp::Eq, a, b)? {
                    Some(r) => return self.truthy(&r),
                    None => self.builtin_fallback_eq(a, b)?,
                }
            }
            _ => a.is(b),
        })
    }

    fn seq_eq(&mut self, x: &[Value], y: &[Value]) -> PyResult<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (a, b) in x.iter().zip(y) {
            if !a.is(b) && !self.eq(a, b)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `==` once no special method answered for an instance: identity (`object`'s
    /// default), except where the other operand is a built-in value, whose own
    /// `tp_richcompare` the special methods did not ask: it reads a subclass instance
    /// as that instance's built-in value.
    fn builtin_fallback_eq(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        match builtin_operands(a, b) {
            Some((x, y)) => self.eq_inner(&x, &y),
            None => Ok(a.is(b)),
        }
    }

    /// Rich comparison `a OP b` for `<`, `<=`, `==`, `!=`, `>`, `>=`
    /// (`PyObject_RichCompare`, one unit of the C recursion budget).
    pub fn compare(&mut self, op: CompareOp, a: &Value, b: &Value) -> PyResult<Value> {
        self.guarded(IN_COMPARISON, |vm| vm.compare_unguarded(op, a, b))
    }

    /// [`Vm::compare`] without taking a unit: for callers that, like CPython's
    /// `unsafe_object_compare` in `list.sort`, call the type's comparison directly.
    pub fn compare_unguarded(&mut self, op: CompareOp, a: &Value, b: &Value) -> PyResult<Value> {
        // Machine ints: `long_richcompare` at once.
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(Value::Bool(op.holds(x.cmp(y))));
        }
        // `cell_richcompare`: by contents; an empty cell comes before any other.
        if let (Value::Cell(x), Value::Cell(y)) = (a, b) {
            let (x, y) = (x.value.borrow().clone(), y.value.borrow().clone());
            return match (x, y) {
                (Some(x), Some(y)) => self.compare(op, &x, &y),
                (x, y) => Ok(Value::Bool(op.holds(y.is_none().cmp(&x.is_none())))),
            };
        }
        if let CompareOp::Eq | CompareOp::Ne = op {
            if let Some(r) = self.user_compare(op, a, b)? {
                return Ok(r);
            }
            // No method answered: identity for instances (`do_richcompare`'s default),
            // without asking their methods again.
            let object = |v: &Value| matches!(v, Value::Object(_) | Value::Native(_));
            let objects = object(a) || object(b);
            let e = if objects {
                self.builtin_fallback_eq(a, b)?
            } else {
                self.eq_inner(a, b)?
            };
            return Ok(Value::Bool(if op == CompareOp::Eq { e } else { !e }));
        }
        if let Some(r) = self.user_compare(op, a, b)? {
            return Ok(r);
        }
        // No special method answered: the built-in types' own comparisons, on the
        // built-in values of subclass instances.
        let (orig_a, orig_b) = (a, b);
        let builtins = builtin_operands(a, b);
        let (a, b) = match &builtins {
            Some((x, y)) => (x, y),
            None => (a, b),
        };
        let setlike = |v: &Value| matches!(v, Value::Set(_) | Value::DictView(_));
        if setlike(a) && setlike(b) {
            if let Some(r) = self.setlike_compare(op, a, b)? {
                return Ok(Value::Bool(r));
            }
        }
        // `list_richcompare`, `tuplerichcompare`: the first items that differ decide,
        // compared with the operator itself.
        let items = |v: &Value| -> Option<Rc<[Value]>> {
            match v {
                Value::List(l) => Some(Rc::from(l.items.borrow().as_slice())),
                Value::Tuple(t) => Some(t.clone()),
                _ => None,
            }
        };
        if std::mem::discriminant(a) == std::mem::discriminant(b) {
            if let (Some(x), Some(y)) = (items(a), items(b)) {
                for (p, q) in x.iter().zip(y.iter()) {
                    if !p.is(q) && !self.eq(p, q)? {
                        return self.compare(op, p, q);
                    }
                }
                return Ok(Value::Bool(op.holds(x.len().cmp(&y.len()))));
            }
        }
        let ord = if matches!(a, Value::Object(_)) || matches!(b, Value::Object(_)) {
            None
        } else {
            self.order_inner(a, b)?
        };
        match ord {
            Some(o) => Ok(Value::Bool(op.holds(o))),
            None => {
                // NaN comparisons are all false.
                if num(a).is_some() && num(b).is_some() {
                    return Ok(Value::Bool(false));
                }
                let (ta, tb) = (
                    self.type_of(orig_a).name().clone(),
                    self.type_of(orig_b).name().clone(),
                );
                Err(self.type_error(format!(
                    "'{}' not supported between instances of '{ta}' and '{tb}'",
                    op.symbol()
                )))
            }
        }
    }

    /// `do_richcompare` for instances of user classes: `a.OP(b)`, then `b`'s reflected
    /// method, which comes first when `b`'s type is a proper subclass of `a`'s.
    fn user_compare(&mut self, op: CompareOp, a: &Value, b: &Value) -> PyResult<Option<Value>> {
        // Built-in values alone: their comparisons are the VM's own (the wrappers would
        // come back here).
        let object = |v: &Value| matches!(v, Value::Object(_) | Value::Native(_));
        if !object(a) && !object(b) {
            return Ok(None);
        }
        let (name, reflected) = (op.method(), op.swapped().method());
        let (ta, tb) = (self.type_of(a), self.type_of(b));
        let reverse_first = !Rc::ptr_eq(&ta, &tb) && tb.is_subtype(&ta);
        if reverse_first {
            if let Some(r) = self.call_slot(b, reflected, a)? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(Some(r));
                }
            }
        }
        if let Some(r) = self.call_slot(a, name, b)? {
            if !matches!(r, Value::NotImplemented) {
                return Ok(Some(r));
            }
        }
        if !reverse_first {
            if let Some(r) = self.call_slot(b, reflected, a)? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(Some(r));
                }
            }
        }
        if op == CompareOp::Ne && (matches!(a, Value::Object(_)) || matches!(b, Value::Object(_))) {
            let e = self.eq(a, b)?;
            return Ok(Some(Value::Bool(!e)));
        }
        Ok(None)
    }

    /// Calls `v`'s comparison method `name` with `other` ([`Vm::slot_method`]).
    fn call_slot(&mut self, v: &Value, name: &str, other: &Value) -> PyResult<Option<Value>> {
        let Some(f) = self.slot_method(v, name) else {
            return Ok(None);
        };
        // slot_tp_richcompare: an error binding the method (a property whose getter
        // raises) is cleared, and the comparison is NotImplemented.
        match self.bind_special(&f, v) {
            Ok(None) => Ok(Some(
                self.call(&f, Args::new(vec![v.clone(), other.clone()]))?,
            )),
            Ok(Some(bound)) => Ok(Some(self.call(&bound, Args::new(vec![other.clone()]))?)),
            Err(Throw::Exc(_) | Throw::Reraise(_)) => Ok(Some(Value::NotImplemented)),
            Err(e) => Err(e),
        }
    }

    /// Total order where Python defines one; `None` when the types do not compare.
    /// One unit of the C recursion budget, as a rich comparison.
    pub fn order(&mut self, a: &Value, b: &Value) -> PyResult<Option<std::cmp::Ordering>> {
        self.guarded(IN_COMPARISON, |vm| vm.order_inner(a, b))
    }

    fn order_inner(&mut self, a: &Value, b: &Value) -> PyResult<Option<std::cmp::Ordering>> {
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(x.exact_cmp(&y));
        }
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(Some(super::standins::compare(x, y))),
            (Value::Bytes(x), Value::Bytes(y)) => Ok(Some(x.cmp(y))),
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_order(x, y),
            (Value::Slice(x), Value::Slice(y)) => {
                let parts = |s: &Slice| [s.start.clone(), s.stop.clone(), s.step.clone()];
                self.seq_order(&parts(x), &parts(y))
            }
            (Value::List(x), Value::List(y)) => {
                let (x, y) = (x.items.borrow().clone(), y.items.borrow().clone());
                self.seq_order(&x, &y)
            }
            _ => Ok(None),
        }
    }

    fn seq_order(&mut self, x: &[Value], y: &[Value]) -> PyResult<Option<std::cmp::Ordering>> {
        for (a, b) in x.iter().zip(y) {
            if a.is(b) || self.eq(a, b)? {
                continue;
            }
            if let Some(r) = self.user_compare(CompareOp::Lt, a, b)? {
                return Ok(Some(if self.truthy(&r)? {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }));
            }
            return match self.order(a, b)? {
                Some(o) => Ok(Some(o)),
                None => {
                    let (ta, tb) = (
                        self.type_of(a).name().clone(),
                        self.type_of(b).name().clone(),
                    );
                    Err(self.type_error(format!(
                        "'<' not supported between instances of '{ta}' and '{tb}'"
                    )))
                }
            };
        }
        Ok(Some(x.len().cmp(&y.len())))
    }

    /// `iter(v)`.
    pub fn iter(&mut self, v: &Value) -> PyResult<Value> {
        let state = match v {
            Value::List(l) => IterState::List {
                list: l.clone(),
                index: 0,
                reversed: false,
            },
            Value::Tuple(t) => IterState::Tuple {
                items: t.clone(),
                index: 0,
            },
            Value::Str(s) => IterState::Str {
                text: s.clone(),
                chars: s.chars().collect(),
                index: 0,
                type_name: if s.is_ascii() {
                    "str_ascii_iterator"
                } else {
                    "str_iterator"
                },
            },
            Value::Range(r) => r.iter(),
            Value::Dict(d) => dict_iter(d, ViewKind::Keys),
            Value::Set(s) => IterState::Set {
                set: s.clone(),
                pos: 0,
                used: Some(s.items.len()),
            },
            Value::Bytes(b) => IterState::Keys {
                source: v.clone(),
                items: b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
                index: 0,
                type_name: "bytes_iterator",
            },
            Value::DictView(d) => dict_iter(&d.dict, d.kind),
            Value::Iter(_) | Value::Generator(_) | Value::AsyncOp(_) if self.is_iterator(v) => {
                return Ok(v.clone())
            }
            // `ga_iter`: iterating `tuple[int]` gives its unpacked form `*tuple[int]`.
            Value::Native(n) if matches!(&**n, super::object::Native::GenericAlias(_)) => {
                return Err(self.unsupported("iter() of a types.GenericAlias (ga_iter)"));
            }
            Value::Object(_) | Value::Native(_) | Value::Type(_) => {
                // `slot_tp_iter`: a class that sets `__iter__ = None` is not iterable.
                if matches!(self.special(v, "__iter__"), Some(Value::None)) {
                    let n = self.type_of(v).name().clone();
                    return Err(self.type_error(format!("'{n}' object is not iterable")));
                }
                if let Some(it) = self.call_special(v, "__iter__", vec![])? {
                    // CPython `PyObject_GetIter` checks what `__iter__` gave.
                    if !self.is_iterator(&it) {
                        let n = self.type_of(&it).name().clone();
                        return Err(
                            self.type_error(format!("iter() returned non-iterator of type '{n}'"))
                        );
                    }
                    return Ok(it);
                }
                if self.special(v, "__getitem__").is_some() {
                    IterState::Seq {
                        seq: v.clone(),
                        index: 0,
                    }
                } else {
                    let n = self.type_of(v).name().clone();
                    return Err(self.type_error(format!("'{n}' object is not iterable")));
                }
            }
            // typevartuple_iter: `*Ts` is `typing.Unpack[Ts]`.
            Value::TypeParam(t) if t.kind == super::typevars::TypeParamKind::TypeVarTuple => {
                let unpacked = super::typevars::unpack(self, v)?;
                IterState::Tuple {
                    items: Rc::from(vec![unpacked]),
                    index: 0,
                }
            }
            other => {
                let n = self.type_of(other).name().clone();
                return Err(self.type_error(format!("'{n}' object is not iterable")));
            }
        };
        Ok(Value::Iter(crate::runtime::gc::alloc(Iter {
            state: std::cell::RefCell::new(state),
        })))
    }

    /// `next(it)`: `None` when exhausted (C callers such as `list()` that swallow the
    /// StopIteration).
    pub fn next(&mut self, it: &Value) -> PyResult<Option<Value>> {
        // Native code driving an iterator (`list(it)`, `sorted`, `min`, `set(it)`, …) can
        // grow the heap and run for long without executing an instruction: each step is a
        // unit of fuel and a heap poll. (FOR_ITER and SEND call `next_step` from an
        // instruction, which the evaluator has counted and polled.)
        self.spend_fuel(1)?;
        self.check_heap()?;
        Ok(match self.next_step(it)? {
            IterStep::Item(v) => Some(v),
            IterStep::Done(_) => None,
        })
    }

    /// One step of `it` (CPython `tp_iternext`), keeping the StopIteration that ended it:
    /// the one `__next__` raised, or for a generator that returned a value other than
    /// None, `StopIteration(value)` (`gen_iternext` → `_PyGen_SetStopIterationValue`).
    /// Callers need it for the value (`next()`, `yield from`) and for the `exception`
    /// event of SEND / FOR_ITER. spec: generators.tracing
    pub fn next_step(&mut self, it: &Value) -> PyResult<IterStep> {
        match it {
            // A StopIteration out of a built-in iterator's step (`map`'s function raised
            // it) ends the iteration, as `tp_iternext` returning NULL with it set does.
            Value::Iter(i) => match self.iter_next(i) {
                Ok(Some(v)) => Ok(IterStep::Item(v)),
                Ok(None) => Ok(IterStep::Done(None)),
                Err(Throw::Exc(e)) if self.is_instance_of(&e, "StopIteration") => {
                    Ok(IterStep::Done(Some(e)))
                }
                Err(e) => Err(e),
            },
            Value::Generator(g) if g.kind == GenKind::Generator => {
                match self.gen_resume(g, Value::None, None) {
                    Ok(GenResult::Yield(v)) => Ok(IterStep::Item(v)),
                    Ok(GenResult::Return(v)) if v.is_none() => Ok(IterStep::Done(None)),
                    Ok(GenResult::Return(v)) => {
                        let exc = self.new_exception(&self.ty("StopIteration"), vec![v]);
                        Ok(IterStep::Done(Some(exc)))
                    }
                    // A StopIteration the frame raised (only a generator lambda can: the
                    // others turn it into RuntimeError) ends the iteration for a C caller,
                    // as `tp_iternext` returning NULL with it set does.
                    Err(Throw::Exc(e)) if self.is_instance_of(&e, "StopIteration") => {
                        Ok(IterStep::Done(Some(e)))
                    }
                    Err(e) => Err(e),
                }
            }
            Value::AsyncOp(o) if self.is_iterator(it) => {
                match self.async_op_send(&o.clone(), None) {
                    Ok(v) => Ok(IterStep::Item(v)),
                    Err(Throw::Exc(e)) if self.is_instance_of(&e, "StopIteration") => {
                        Ok(IterStep::Done(Some(e)))
                    }
                    Err(e) => Err(e),
                }
            }
            Value::Object(_) | Value::Native(_) => {
                match self.call_special(it, "__next__", vec![]) {
                    Ok(Some(v)) => Ok(IterStep::Item(v)),
                    Ok(None) => {
                        let n = self.type_of(it).name().clone();
                        Err(self.type_error(format!("'{n}' object is not an iterator")))
                    }
                    Err(Throw::Exc(e)) if self.is_instance_of(&e, "StopIteration") => {
                        Ok(IterStep::Done(Some(e)))
                    }
                    Err(e) => Err(e),
                }
            }
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!("'{n}' object is not an iterator")))
            }
        }
    }

    /// `StopIteration.value` of `exc` (None for anything else).
    pub fn stop_value(exc: &Value) -> Value {
        exc.exc()
            .map(|d| d.value.borrow().clone())
            .unwrap_or(Value::None)
    }

    /// All items of an iterable, as CPython's `PySequence_List` / `PySequence_Tuple` /
    /// `list_extend` gather them (`list()`, `tuple()`, `[*x]`, `f(*x)`, `str.join`, …).
    pub fn collect(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.items.borrow().clone()),
            Value::Tuple(t) => return Ok(t.to_vec()),
            _ => {}
        }
        // CPython allocates the result up front from the iterable's length hint: for a
        // range that can be far beyond memory.
        if let Some(n) = self.range_length_hint(v)? {
            self.before_alloc(heap::list_block(n), heap::values_bytes(n))?;
        }
        let it = self.iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// `PyObject_LengthHint` of a range or a range iterator; `None` for any other value
    /// (whose items are already in memory, or come one at a time and are polled by
    /// [`Vm::next`]). OverflowError for a length beyond `sys.maxsize`, as CPython's
    /// `PyObject_Length` / `PyLong_AsSsize_t` give it.
    fn range_length_hint(&self, v: &Value) -> PyResult<Option<u128>> {
        let len = match v {
            Value::Range(r) => r.len_ssize(),
            Value::Iter(i) => match &*i.state.borrow() {
                IterState::Range { len, .. } => Some(*len),
                IterState::LongRange(l) => match l.len() {
                    Num::Int(n) => Some(n),
                    _ => None,
                },
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        match len {
            Some(n) => Ok(Some(n as u128)),
            None => Err(self.err(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )),
        }
    }

    /// What a class's `__len__` returned, as a length (`slot_sq_length`): `_PyNumber_Index`
    /// of it (a bool or an object with `__index__` will do), not negative, then
    /// `PyNumber_AsSsize_t` with OverflowError.
    fn len_result(&mut self, r: &Value) -> PyResult<usize> {
        match self.number_index(r)? {
            Value::Int(n) if n >= 0 => Ok(n as usize),
            Value::BigInt(b) if b.sign() != num_bigint::Sign::Minus => {
                Err(self.err("OverflowError", super::int::CANNOT_FIT))
            }
            _ => Err(self.value_error("__len__() should return >= 0")),
        }
    }

    /// `len(v)`.
    pub fn len(&mut self, v: &Value) -> PyResult<usize> {
        Ok(match v {
            Value::Str(s) => s.chars().count(),
            Value::Bytes(b) => b.len(),
            Value::Tuple(t) => t.len(),
            Value::List(l) => l.items.borrow().len(),
            Value::Dict(d) => d.len(),
            Value::Set(s) => s.items.len(),
            // CPython's `range_length`: a length beyond `sys.maxsize` cannot be returned.
            Value::Range(r) => match r.len_ssize() {
                Some(n) => n as usize,
                None => {
                    return Err(self.err(
                        "OverflowError",
                        "Python int too large to convert to C ssize_t",
                    ))
                }
            },
            Value::DictView(d) => d.dict.len(),
            Value::Object(_) | Value::Native(_) | Value::Type(_) => {
                match self.call_special(v, "__len__", vec![])? {
                    Some(r) => self.len_result(&r)?,
                    None => {
                        let n = self.type_of(v).name().clone();
                        return Err(self.type_error(format!("object of type '{n}' has no len()")));
                    }
                }
            }
            other => {
                let n = self.type_of(other).name().clone();
                return Err(self.type_error(format!("object of type '{n}' has no len()")));
            }
        })
    }

    /// `hash(v)`.
    pub fn hash(&mut self, v: &Value) -> PyResult<i64> {
        self.hash_value(v)
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(x) => Ok(s.contains(&**x)),
                other => {
                    let n = self.type_of(other).name().clone();
                    Err(self.type_error(format!(
                        "'in <string>' requires string as left operand, not {n}"
                    )))
                }
            },
            Value::Bytes(b) => self.bytes_contains(b, item),
            Value::Dict(d) => self.dict_contains(d, item),
            Value::Set(s) => self.set_contains(&s.items, item),
            Value::DictView(d) if d.kind == ViewKind::Keys => self.dict_contains(&d.dict, item),
            Value::DictView(d) if d.kind == ViewKind::Items => {
                let d = d.clone();
                self.dict_items_contains(&d, item)
            }
            // CPython `range_contains`: ints and bools by arithmetic, anything else by
            // iterating and comparing with `==` (for a float that is arithmetic too).
            Value::Range(r) => match item {
                Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                    Ok(super::int::int_num(item).is_some_and(|x| r.contains(&x)))
                }
                // Equal to an item only when integral; CPython iterates and compares.
                Value::Float(f) if f.is_finite() && f.fract() == 0.0 => {
                    let x = Num::from_big(
                        <num_bigint::BigInt as num_traits::FromPrimitive>::from_f64(*f)
                            .unwrap_or_default(),
                    );
                    Ok(r.contains(&x))
                }
                Value::Float(_) => Ok(false),
                _ => self.contains_by_iteration(container, item),
            },
            Value::Object(_) | Value::Native(_) | Value::Type(_) => {
                if let Some(r) = self.call_special(container, "__contains__", vec![item.clone()])? {
                    return self.truthy(&r);
                }
                self.contains_by_iteration(container, item)
            }
            Value::List(_)
            | Value::Tuple(_)
            | Value::Iter(_)
            | Value::Generator(_)
            | Value::DictView(_) => self.contains_by_iteration(container, item),
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!("argument of type '{n}' is not iterable")))
            }
        }
    }

    /// `bytes_contains` (`_Py_bytes_contains`): an int is a byte value, anything else
    /// must be bytes (a bytes-like object, which the VM has only as bytes).
    fn bytes_contains(&mut self, b: &[u8], item: &Value) -> PyResult<bool> {
        match item.builtin_value() {
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                match super::int::as_i64_exact(item.builtin_value()) {
                    Some(i @ 0..=255) => Ok(b.contains(&(i as u8))),
                    _ => Err(self.value_error("byte must be in range(0, 256)")),
                }
            }
            _ if super::methods::bytes::buffer_of(item).is_some() => {
                let sub = super::methods::bytes::buffer_of(item).unwrap_or_default();
                Ok(sub.is_empty() || b.windows(sub.len()).any(|w| w == &sub[..]))
            }
            _ => {
                let n = self.type_of(item).name().clone();
                Err(self.type_error(format!("a bytes-like object is required, not '{n}'")))
            }
        }
    }

    fn contains_by_iteration(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        // `_PySequence_IterSearch`: a TypeError from getting the iterator becomes its own.
        let it = match self.iter(container) {
            Err(Throw::Exc(e)) if self.is_instance_of(&e, "TypeError") => {
                let n = self.type_of(container).name().clone();
                return Err(self.type_error(format!("argument of type '{n}' is not iterable")));
            }
            r => r?,
        };
        while let Some(x) = self.next(&it)? {
            if x.is(item) || self.eq(&x, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `container[sub]`.
    pub fn getitem(&mut self, container: &Value, sub: &Value) -> PyResult<Value> {
        let sub = &self.index_operand(container, sub, true)?;
        match container {
            Value::List(l) => {
                let items = l.items.borrow().clone();
                self.seq_getitem(&items, sub, "list").map(|r| match r {
                    SeqItem::One(v) => v,
                    SeqItem::Many(v) => Value::list(v),
                })
            }
            Value::Tuple(t) => self.seq_getitem(t, sub, "tuple").map(|r| match r {
                SeqItem::One(v) => v,
                SeqItem::Many(v) => Value::tuple(v),
            }),
            Value::Str(s) => {
                let chars: Vec<Value> = s.chars().map(|c| Value::str(&c.to_string())).collect();
                self.seq_getitem(&chars, sub, "string").map(|r| match r {
                    SeqItem::One(v) => v,
                    SeqItem::Many(v) => {
                        let mut out = String::new();
                        for c in v {
                            if let Value::Str(c) = c {
                                out.push_str(&c);
                            }
                        }
                        Value::str(&out)
                    }
                })
            }
            // CPython `compute_slice`: a slice of a range is a range.
            Value::Range(r) if matches!(sub, Value::Slice(_)) => {
                let Value::Slice(s) = sub else {
                    return Err(Throw::Bug("range slice".into()));
                };
                Ok(Value::Range(Rc::new(r.slice(self, s)?)))
            }
            Value::Bytes(b) => {
                let items: Vec<Value> = b.iter().map(|x| Value::Int(i64::from(*x))).collect();
                match self.seq_getitem(&items, sub, "byte") {
                    Ok(SeqItem::One(v)) => Ok(v),
                    Ok(SeqItem::Many(v)) => {
                        Ok(Value::Bytes(v.iter().map(|x| as_i64(x) as u8).collect()))
                    }
                    // `bytes_subscript`'s IndexError names no type.
                    Err(Throw::Exc(e))
                        if self.is_instance_of(&e, "IndexError")
                            && !matches!(sub, Value::BigInt(_)) =>
                    {
                        Err(self.err("IndexError", "index out of range"))
                    }
                    Err(e) => Err(e),
                }
            }
            // `range_subscript` / `compute_range_item`.
            Value::Range(r) => {
                let Some(i) = super::int::int_num(sub) else {
                    return Err(self.type_error(
                        "range indices must be integers or slices, not ".to_string()
                            + &self.type_of(sub).name(),
                    ));
                };
                match r.item(&i) {
                    Some(v) => Ok(Value::from_num(v)),
                    None => Err(self.err("IndexError", "range object index out of range")),
                }
            }
            Value::Dict(d) => match self.dict_get(d, sub)? {
                Some(v) => Ok(v),
                None => Err(self.err_args("KeyError", vec![sub.clone()])),
            },
            // A metaclass's `__getitem__` (mp_subscript) comes before `__class_getitem__`.
            Value::Type(_) if self.special(container, "__getitem__").is_some() => {
                let r = self.call_special(container, "__getitem__", vec![sub.clone()])?;
                Ok(r.unwrap_or(Value::None))
            }
            Value::Object(_) | Value::Native(_) => {
                match self.call_special(container, "__getitem__", vec![sub.clone()])? {
                    Some(v) => Ok(v),
                    None => {
                        let n = self.type_of(container).name().clone();
                        Err(self.type_error(format!("'{n}' object is not subscriptable")))
                    }
                }
            }
            // `PyObject_GetItem`'s special case: `type[int]` is a `types.GenericAlias`
            // though `type` has no `__class_getitem__` (so `str[int]` still fails).
            Value::Type(t) if Rc::ptr_eq(t, &self.ty("type")) => {
                Ok(super::genericalias::alias(container.clone(), sub))
            }
            // `list[int]` is a `types.GenericAlias`.
            // (The table is keyed by registry name: `deque` for `collections.deque`.)
            Value::Type(t)
                if t.is_builtin()
                    && reach::type_has(
                        t.name().rsplit('.').next().unwrap_or(&t.name()),
                        "__class_getitem__",
                    ) =>
            {
                Ok(super::genericalias::alias(container.clone(), sub))
            }
            // PyObject_GetItem's special case: `type[int]` (and no other type's).
            Value::Type(t) if Rc::ptr_eq(t, &self.ty("type")) => {
                Ok(super::genericalias::alias(container.clone(), sub))
            }
            // PyObject_GetItem on a class: its `__class_getitem__`, if it has one.
            Value::Type(t) if t.lookup("__class_getitem__").is_some() => {
                let f = self.getattr(container, "__class_getitem__")?;
                self.call(&f, Args::new(vec![sub.clone()]))
            }
            Value::Type(t) => {
                let n = t.name().clone();
                Err(self.type_error(format!("type '{n}' is not subscriptable")))
            }
            // typealias_subscript: a generic alias subscripted is a `types.GenericAlias`.
            Value::TypeParam(t) if t.kind == super::typevars::TypeParamKind::TypeAlias => {
                super::modules::typing::alias_subscript(self, container, sub)
            }
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!("'{n}' object is not subscriptable")))
            }
        }
    }

    fn seq_getitem(&mut self, items: &[Value], sub: &Value, what: &str) -> PyResult<SeqItem> {
        match sub {
            Value::Int(_) | Value::Bool(_) => {
                let Some(j) = wrap_index(as_i64(sub), items.len()) else {
                    return Err(self.err("IndexError", format!("{what} index out of range")));
                };
                Ok(SeqItem::One(items[j].clone()))
            }
            Value::BigInt(_) => Err(self.err("IndexError", super::int::CANNOT_FIT)),
            Value::Slice(s) => {
                let idx = self.slice_indices(s, items.len())?;
                Ok(SeqItem::Many(
                    idx.into_iter().map(|i| items[i].clone()).collect(),
                ))
            }
            other => {
                let n = self.type_of(other).name().clone();
                // `unicode_subscript` words it apart.
                if what == "string" {
                    return Err(
                        self.type_error(format!("string indices must be integers, not '{n}'"))
                    );
                }
                Err(self.type_error(format!(
                    "{what} indices must be integers or slices, not {n}"
                )))
            }
        }
    }

    /// The indices a slice selects from a sequence of length `len`.
    pub fn slice_indices(&mut self, s: &Slice, len: usize) -> PyResult<Vec<usize>> {
        let (start, stop, step) = self.slice_bounds(s, len as i64)?;
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        Ok(out)
    }

    /// `(start, stop, step)` of a slice over a sequence of length `n`, clamped as CPython's
    /// `PySlice_Unpack` + `PySlice_AdjustIndices` do.
    pub fn slice_bounds(&mut self, s: &Slice, n: i64) -> PyResult<(i64, i64, i64)> {
        let get = |vm: &mut Vm, v: &Value| -> PyResult<Option<i64>> {
            match v {
                Value::None => Ok(None),
                // `_PyEval_SliceIndex`: `__index__`, then clipped to `Py_ssize_t`.
                _ => match vm.try_index(v)? {
                    Some(i) => Ok(super::int::clamped_index(&i)),
                    None => Err(vm.type_error(
                        "slice indices must be integers or None or have an __index__ method",
                    )),
                },
            }
        };
        let step = get(self, &s.step)?.unwrap_or(1);
        if step == 0 {
            return Err(self.value_error("slice step cannot be zero"));
        }
        let clamp = |v: Option<i64>, default: i64, lo: i64, hi: i64| -> i64 {
            match v {
                None => default,
                Some(x) => {
                    let x = if x < 0 { x + n } else { x };
                    x.clamp(lo, hi)
                }
            }
        };
        let (start, stop) = if step > 0 {
            (
                clamp(get(self, &s.start)?, 0, 0, n),
                clamp(get(self, &s.stop)?, n, 0, n),
            )
        } else {
            (
                clamp(get(self, &s.start)?, n - 1, -1, n - 1),
                clamp(get(self, &s.stop)?, -1, -1, n - 1),
            )
        };
        Ok((start, stop, step))
    }

    /// `container[sub] = v`.
    pub fn setitem(&mut self, container: &Value, sub: &Value, v: Value) -> PyResult<()> {
        let sub = &self.index_operand(container, sub, false)?;
        match container {
            Value::List(l) => match sub {
                Value::Int(_) | Value::Bool(_) => {
                    let mut items = l.items.borrow_mut();
                    let Some(j) = wrap_index(as_i64(sub), items.len()) else {
                        drop(items);
                        return Err(self.err("IndexError", "list assignment index out of range"));
                    };
                    items[j] = v;
                    Ok(())
                }
                Value::BigInt(_) => Err(self.err("IndexError", super::int::CANNOT_FIT)),
                Value::Slice(s) => {
                    // `list_ass_subscript`: the slice's indices (`PySlice_Unpack`, which
                    // may call `__index__`), then the new items.
                    let len = l.items.borrow().len();
                    let (start, stop, step) = self.slice_bounds(s, len as i64)?;
                    let idx = self.slice_indices(s, len)?;
                    let new = self.collect(&v)?;
                    let mut items = l.items.borrow_mut();
                    if step == 1 {
                        // `list_ass_slice` clips against the list as it is now.
                        let n = items.len();
                        let start = usize::try_from(start).unwrap_or(0).min(n);
                        let stop = usize::try_from(stop).unwrap_or(0).clamp(start, n);
                        items.splice(start..stop, new);
                        return Ok(());
                    }
                    if idx.len() != new.len() {
                        drop(items);
                        return Err(self.value_error(format!(
                            "attempt to assign sequence of size {} to extended slice of size {}",
                            new.len(),
                            idx.len()
                        )));
                    }
                    // (The iterable may have shortened the list meanwhile.)
                    for (i, x) in idx.into_iter().zip(new) {
                        if let Some(slot) = items.get_mut(i) {
                            *slot = x;
                        }
                    }
                    Ok(())
                }
                other => {
                    let n = self.type_of(other).name().clone();
                    Err(self
                        .type_error(format!("list indices must be integers or slices, not {n}")))
                }
            },
            Value::Dict(d) => self.dict_set(d, sub.clone(), v),
            Value::Object(_) | Value::Native(_) => {
                match self.call_special(container, "__setitem__", vec![sub.clone(), v])? {
                    Some(_) => Ok(()),
                    None => {
                        let n = self.type_of(container).name().clone();
                        Err(self
                            .type_error(format!("'{n}' object does not support item assignment")))
                    }
                }
            }
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!("'{n}' object does not support item assignment")))
            }
        }
    }

    /// `del container[sub]`.
    pub fn delitem(&mut self, container: &Value, sub: &Value) -> PyResult<()> {
        let sub = &self.index_operand(container, sub, false)?;
        match container {
            Value::List(l) => match sub {
                Value::Int(_) | Value::Bool(_) => {
                    let mut items = l.items.borrow_mut();
                    let Some(j) = wrap_index(as_i64(sub), items.len()) else {
                        drop(items);
                        return Err(self.err("IndexError", "list assignment index out of range"));
                    };
                    items.remove(j);
                    Ok(())
                }
                Value::BigInt(_) => Err(self.err("IndexError", super::int::CANNOT_FIT)),
                Value::Slice(s) => {
                    let len = l.items.borrow().len();
                    let mut idx = self.slice_indices(s, len)?;
                    idx.sort_unstable();
                    let mut items = l.items.borrow_mut();
                    for i in idx.into_iter().rev() {
                        items.remove(i);
                    }
                    Ok(())
                }
                other => {
                    let n = self.type_of(other).name().clone();
                    Err(self
                        .type_error(format!("list indices must be integers or slices, not {n}")))
                }
            },
            Value::Dict(d) => match self.dict_remove(d, sub)? {
                Some(_) => Ok(()),
                None => Err(self.err_args("KeyError", vec![sub.clone()])),
            },
            Value::Object(_) | Value::Native(_) => {
                match self.call_special(container, "__delitem__", vec![sub.clone()])? {
                    Some(_) => Ok(()),
                    None => Err(self.no_item_deletion(container, sub)),
                }
            }
            other => Err(self.no_item_deletion(other, sub)),
        }
    }

    /// `PyObject_DelItem`'s refusal: a type with `tp_as_sequence` (a class's instances
    /// included) and an index key reach `PySequence_DelItem`, whose wording differs.
    fn no_item_deletion(&self, container: &Value, sub: &Value) -> Throw {
        let n = self.type_of(container).name().clone();
        let has_sequence = matches!(
            container,
            Value::Str(_)
                | Value::Bytes(_)
                | Value::Tuple(_)
                | Value::Range(_)
                | Value::Set(_)
                | Value::Object(_)
        );
        let index = matches!(sub, Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
            || matches!(sub, Value::Object(_)) && self.special(sub, "__index__").is_some()
            || super::int::int_num(sub.builtin_value()).is_some();
        if has_sequence && index {
            self.type_error(format!("'{n}' object doesn't support item deletion"))
        } else {
            self.type_error(format!("'{n}' object does not support item deletion"))
        }
    }

    /// Binds a class attribute to `obj` the way its descriptor would.
    pub fn bind(&self, attr: &Value, obj: &Value) -> Value {
        match attr {
            // A built-in type's `__new__` (`tp_new_wrapper`) is bound to its type, not
            // to what it is looked up on: it takes the class to make an instance of.
            Value::Builtin(b) if b.name == "__new__" => attr.clone(),
            // A module's function (builtin_function_or_method) is no descriptor: a class
            // attribute holding one gives it back unbound.
            Value::Builtin(b) if b.owner.is_none() => attr.clone(),
            Value::Function(_) | Value::Builtin(_) => Value::Method(Rc::new(Method {
                func: attr.clone(),
                receiver: obj.clone(),
            })),
            Value::Property(p) => match p.kind {
                PropertyKind::StaticMethod => p.func.clone(),
                PropertyKind::ClassMethod => {
                    let cls = match obj {
                        Value::Type(_) => obj.clone(),
                        other => Value::Type(self.type_of(other)),
                    };
                    Value::Method(Rc::new(Method {
                        func: p.func.clone(),
                        receiver: cls,
                    }))
                }
                PropertyKind::Property | PropertyKind::Member => attr.clone(),
            },
            // `_lru_cache_wrapper` is a method descriptor (`lru_cache_descr_get`).
            Value::Native(n) if matches!(**n, super::object::Native::LruCache(_)) => {
                Value::Method(Rc::new(Method {
                    func: attr.clone(),
                    receiver: obj.clone(),
                }))
            }
            other => other.clone(),
        }
    }

    /// LOAD_ATTR's method form: the plain function when `owner.name` is a method found on
    /// the type and not shadowed by the instance.
    pub fn method_for_call(&self, owner: &Value, name: &str) -> Option<Value> {
        // `_PyObject_GetMethod` takes the generic path for `super_getattro` too, and
        // for a weakref proxy's `proxy_getattr`.
        if super::superobj::as_super(owner).is_some() || super::weakproxy::as_proxy(owner).is_some()
        {
            return None;
        }
        match owner {
            Value::Type(_) | Value::Module(_) => return None,
            Value::Object(o) if o.dict.get_str(name).is_some() => return None,
            // `_PyObject_GetMethod` takes the generic path only for the generic lookup.
            Value::Object(o) if o.class.borrow().hooks() & super::types::HOOK_GETATTRIBUTE != 0 => {
                return None
            }
            _ => {}
        }
        let t = self.type_of(owner);
        // `_PyType_Lookup` within the VM's reach, as `type_lookup`: a built-in type on
        // the way whose CPython dict has `name` but the VM's lacks it means the entry
        // found further on (`object.__reduce__` for `iter("")`) is not CPython's answer;
        // the generic path then reports it unsupported.
        let mut found = None;
        for c in std::iter::once(&t).chain(t.mro_rest.iter()) {
            if let Some(x) = c.dict.get_str(name) {
                found = Some(x);
                break;
            }
            if c.is_builtin()
                && reach::own_dict_has(c.name().rsplit('.').next().unwrap_or_default(), name)
            {
                return None;
            }
        }
        match found? {
            f @ Value::Function(_) => Some(f),
            Value::Builtin(b) if b.owner.is_some() && b.name != "__new__" => {
                Some(Value::Builtin(b))
            }
            _ => None,
        }
    }
}

enum SeqItem {
    One(Value),
    Many(Vec<Value>),
}

/// A sequence index as Python reads it: negative counts from the end; `None` when out of
/// range (the caller raises IndexError with its own message).
/// A subscript as a built-in sequence reads it: an int subclass instance as its int
/// (`_PyNumber_Index` returns any `PyLong_Check` value as it is). Mappings and instances
/// get the subscript itself.
fn int_operand<'v>(container: &Value, sub: &'v Value) -> &'v Value {
    let int = matches!(
        sub.builtin_value(),
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_)
    );
    if int && !matches!(container, Value::Dict(_) | Value::Object(_)) {
        sub.builtin_value()
    } else {
        sub
    }
}

impl Vm {
    /// The subscript a built-in sequence (list, tuple, str, bytes, range) works with: an
    /// object with `__index__` is converted first, as `list_subscript` and kin (and
    /// `PyObject_SetItem`'s `PyNumber_AsSsize_t(key, PyExc_IndexError)`) do; an index
    /// beyond `Py_ssize_t` is that IndexError, naming the key's type (a range's item is
    /// computed from the whole int: `compute_range_item`).
    fn index_operand(&mut self, container: &Value, sub: &Value, get: bool) -> PyResult<Value> {
        let seq = matches!(
            container,
            Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) | Value::Range(_)
        );
        if !(seq && self.has_index(sub)) {
            return Ok(int_operand(container, sub).clone());
        }
        let i = self.number_index(sub)?;
        if matches!(i, Value::BigInt(_)) && !(get && matches!(container, Value::Range(_))) {
            let t = self.type_of(sub).name().clone();
            return Err(self.err(
                "IndexError",
                format!("cannot fit '{t}' into an index-sized integer"),
            ));
        }
        Ok(i)
    }
}

/// The operands as a built-in type's slot function sees them when one operand is an
/// instance and the other a built-in value: the instance's payload in its place (see
/// `subclass`). `None` when neither or both are instances (then every slot that could
/// answer was asked through the special methods), or the instance has no payload.
pub fn builtin_operands(a: &Value, b: &Value) -> Option<(Value, Value)> {
    let (x, y) = (a.builtin_value(), b.builtin_value());
    let objects =
        usize::from(matches!(a, Value::Object(_))) + usize::from(matches!(b, Value::Object(_)));
    if objects != 1 || matches!(x, Value::Object(_)) || matches!(y, Value::Object(_)) {
        return None;
    }
    Some((x.clone(), y.clone()))
}

pub fn wrap_index(i: i64, len: usize) -> Option<usize> {
    let n = len as i64;
    let j = if i < 0 { i + n } else { i };
    (0..n).contains(&j).then_some(j as usize)
}

pub(crate) fn iter_type_name(state: &IterState) -> &'static str {
    match state {
        IterState::List {
            reversed: false, ..
        } => "list_iterator",
        IterState::List { reversed: true, .. } => "list_reverseiterator",
        IterState::Tuple { .. } => "tuple_iterator",
        IterState::Range { .. } => "range_iterator",
        IterState::LongRange(_) => "longrange_iterator",
        IterState::Keys { type_name, .. }
        | IterState::Dict { type_name, .. }
        | IterState::Str { type_name, .. } => type_name,
        IterState::DictReversed { kind, .. } => match kind {
            ViewKind::Keys => "dict_reversekeyiterator",
            ViewKind::Values => "dict_reversevalueiterator",
            ViewKind::Items => "dict_reverseitemiterator",
        },
        IterState::Reversed { .. } => "reversed",
        IterState::Seq { .. } => "iterator",
        IterState::Set { .. } => "set_iterator",
        IterState::Enumerate { .. } => "enumerate",
        IterState::Zip { .. } => "zip",
        IterState::Map { .. } => "map",
        IterState::Filter { .. } => "filter",
        IterState::Callable { .. } => "callable_iterator",
        IterState::Done(name) => name,
    }
}

/// A new iterator over dict `d` (or its view of `kind`).
fn dict_iter(d: &Rc<super::dict::Dict>, kind: ViewKind) -> IterState {
    IterState::Dict {
        dict: d.clone(),
        pos: 0,
        len: Some(d.len()),
        keys_version: d.keys_version(),
        kind,
        type_name: match kind {
            ViewKind::Keys => "dict_keyiterator",
            ViewKind::Values => "dict_valueiterator",
            ViewKind::Items => "dict_itemiterator",
        },
    }
}
