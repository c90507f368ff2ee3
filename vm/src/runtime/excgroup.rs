//! `BaseExceptionGroup` and `ExceptionGroup` (CPython `Objects/exceptions.c`, PEP 654):
//! construction (`BaseExceptionGroup_new`), the split machinery behind `split`,
//! `subgroup` and `except*` (`exceptiongroup_split_recursive`), what CHECK_EG_MATCH does
//! (`_PyEval_ExceptionGroupMatch`) and what `INTRINSIC_PREP_RERAISE_STAR` re-raises
//! (`_PyExc_PrepReraiseStar`). spec: exceptions.handler
//!
//! A group keeps `(message, exceptions)` as a 2-tuple in its exception data's `value`
//! slot (the slot `StopIteration.value` uses; a group is never a StopIteration).

use std::collections::HashSet;
use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Value};
use super::types::Type;
use super::PyResult;

/// Whether `t` is `BaseExceptionGroup` or derives from it.
pub fn is_group_type(vm: &Vm, t: &Rc<Type>) -> bool {
    t.is_subtype(&vm.ty("BaseExceptionGroup"))
}

/// Whether `v` is an exception group (`_PyBaseExceptionGroup_Check`).
pub fn is_group(vm: &Vm, v: &Value) -> bool {
    v.exc().is_some() && is_group_type(vm, &vm.type_of(v))
}

/// A group's message and exceptions.
pub fn parts(v: &Value) -> Option<(Value, Rc<[Value]>)> {
    match &*v.exc()?.value.borrow() {
        Value::Tuple(t) => match &**t {
            [msg, Value::Tuple(excs)] => Some((msg.clone(), excs.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// `BaseExceptionGroup_new` then `BaseExceptionGroup_init`: `cls(message, exceptions)`.
/// Called as `BaseExceptionGroup`, the result is an `ExceptionGroup` when every exception
/// is an `Exception`; an `ExceptionGroup` may hold only `Exception`s.
pub fn construct(vm: &mut Vm, t: &Rc<Type>, args: Args) -> PyResult<Value> {
    let [message, exceptions] = args.pos.as_slice() else {
        return Err(vm.type_error(format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            args.pos.len()
        )));
    };
    if !matches!(message, Value::Str(_)) {
        return Err(vm.type_error(format!(
            "BaseExceptionGroup.__new__() argument 1 must be str, not {}",
            vm.type_of(message).name()
        )));
    }
    // `PySequence_Check`: the built-in sequences (a user sequence is not modelled here).
    let items = match exceptions {
        Value::List(l) => l.items.borrow().clone(),
        Value::Tuple(t) => t.to_vec(),
        Value::Str(_) | Value::Bytes(_) | Value::Range(_) => vm.collect(exceptions)?,
        Value::Object(_) if vm.special(exceptions, "__getitem__").is_some() => {
            return Err(
                vm.unsupported("a user-defined sequence of exceptions for an exception group")
            );
        }
        _ => {
            return Err(vm.type_error("second argument (exceptions) must be a sequence"));
        }
    };
    if items.is_empty() {
        return Err(vm.err(
            "ValueError",
            "second argument (exceptions) must be a non-empty sequence",
        ));
    }
    let exception = vm.ty("Exception");
    let mut nested_base_exceptions = false;
    for (i, e) in items.iter().enumerate() {
        if e.exc().is_none() {
            return Err(vm.err(
                "ValueError",
                format!("Item {i} of second argument (exceptions) is not an exception"),
            ));
        }
        if !vm.type_of(e).is_subtype(&exception) {
            nested_base_exceptions = true;
        }
    }
    let base_group = vm.ty("BaseExceptionGroup");
    let group = vm.ty("ExceptionGroup");
    let cls = if Rc::ptr_eq(t, &base_group) {
        if nested_base_exceptions {
            base_group
        } else {
            group
        }
    } else if Rc::ptr_eq(t, &group) {
        if nested_base_exceptions {
            return Err(vm.type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
        }
        group
    } else {
        return Err(vm.unsupported("a subclass of BaseExceptionGroup"));
    };
    // `BaseExceptionGroup_init` rejects keywords after `__new__` has checked the rest.
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("{}() takes no keyword arguments", cls.name())));
    }
    let exc = vm.new_exception(&cls, args.pos.clone());
    if let Some(d) = exc.exc() {
        *d.value.borrow_mut() = Value::tuple(vec![message.clone(), Value::tuple(items)]);
    }
    Ok(exc)
}

/// `_PyExc_CreateExceptionGroup`: `BaseExceptionGroup(msg, excs)`.
fn create(vm: &mut Vm, msg: &str, excs: Value) -> PyResult<Value> {
    let t = vm.ty("BaseExceptionGroup");
    construct(vm, &t, Args::new(vec![Value::str(msg), excs]))
}

fn list(items: Vec<Value>) -> super::object::List {
    super::object::List {
        items: std::cell::RefCell::new(items),
    }
}

/// What `split` and `subgroup` match leaves by (`_exceptiongroup_split_matcher_type`).
pub enum Matcher {
    /// Exception classes, as `except` matches them.
    Types(Vec<Rc<Type>>),
    /// A function called with each leaf.
    Predicate(Value),
    /// Identities of leaves (`exception_group_projection`).
    Ids(HashSet<usize>),
}

impl Matcher {
    /// `get_matcher_type`.
    pub fn from_value(vm: &Vm, v: &Value) -> PyResult<Matcher> {
        let bad =
            || vm.type_error("expected a function, exception type or tuple of exception types");
        match v {
            Value::Type(t) if t.is_exception() => Ok(Matcher::Types(vec![t.clone()])),
            Value::Type(_) => Err(bad()),
            Value::Tuple(items) => items
                .iter()
                .map(|i| match i {
                    Value::Type(t) if t.is_exception() => Ok(t.clone()),
                    _ => Err(bad()),
                })
                .collect::<PyResult<Vec<_>>>()
                .map(Matcher::Types),
            other if super::builtins::is_callable(vm, other) => {
                Ok(Matcher::Predicate(other.clone()))
            }
            _ => Err(bad()),
        }
    }

    /// `exceptiongroup_split_check_match`.
    fn matches(&self, vm: &mut Vm, exc: &Value) -> PyResult<bool> {
        match self {
            Matcher::Types(ts) => {
                let t = vm.type_of(exc);
                Ok(ts.iter().any(|m| t.is_subtype(m)))
            }
            Matcher::Predicate(f) => {
                let r = vm.call1(f, exc.clone())?;
                vm.truthy(&r)
            }
            Matcher::Ids(ids) => Ok(ids.contains(&exc.address())),
        }
    }
}

/// `exceptiongroup_split_recursive`: (match, rest), each `None` when empty; `rest` only
/// when `construct_rest`. A full match is `exc` itself, so identity is kept.
pub fn split(
    vm: &mut Vm,
    exc: &Value,
    matcher: &Matcher,
    construct_rest: bool,
) -> PyResult<(Value, Value)> {
    if matcher.matches(vm, exc)? {
        return Ok((exc.clone(), Value::None));
    }
    let Some((_, excs)) = parts(exc).filter(|_| is_group(vm, exc)) else {
        let rest = if construct_rest {
            exc.clone()
        } else {
            Value::None
        };
        return Ok((Value::None, rest));
    };
    let mut matched = Vec::new();
    let mut rest = Vec::new();
    vm.enter_c(1, " in exceptiongroup_split_recursive")?;
    for e in excs.iter() {
        let r = split(vm, e, matcher, construct_rest);
        let (m, r) = match r {
            Ok(x) => x,
            Err(e) => {
                vm.leave_c(1);
                return Err(e);
            }
        };
        if !m.is_none() {
            matched.push(m);
        }
        if !r.is_none() {
            rest.push(r);
        }
    }
    vm.leave_c(1);
    let m = subset(vm, exc, matched)?;
    let r = if construct_rest {
        subset(vm, exc, rest)?
    } else {
        Value::None
    };
    Ok((m, r))
}

/// `exceptiongroup_subset`: `orig.derive(excs)` with `orig`'s traceback, context, cause
/// (which sets `__suppress_context__`, as `PyException_SetCause` does) and a copy of its
/// notes; `None` for no exceptions.
fn subset(vm: &mut Vm, orig: &Value, excs: Vec<Value>) -> PyResult<Value> {
    if excs.is_empty() {
        return Ok(Value::None);
    }
    let derive = vm.getattr(orig, "derive")?;
    let eg = vm.call1(&derive, Value::List(Rc::new(list(excs))))?;
    if !is_group(vm, &eg) {
        return Err(vm.type_error("derive must return an instance of BaseExceptionGroup"));
    }
    if let (Some(from), Some(to)) = (orig.exc(), eg.exc()) {
        *to.traceback.borrow_mut() = from.traceback.borrow().clone();
        *to.context.borrow_mut() = from.context.borrow().clone();
        *to.cause.borrow_mut() = from.cause.borrow().clone();
        to.suppress_context.set(true);
    }
    if let Value::Object(o) = orig {
        if let Some(notes) = o.dict.get_str("__notes__") {
            if matches!(notes, Value::List(_) | Value::Tuple(_)) {
                let copy = vm.collect(&notes)?;
                vm.setattr(&eg, "__notes__", Value::List(Rc::new(list(copy))))?;
            }
        }
    }
    Ok(eg)
}

/// `derive(excs)`: `BaseExceptionGroup(self.message, excs)`.
pub fn derive(vm: &mut Vm, group: &Value, excs: Value) -> PyResult<Value> {
    let (msg, _) =
        parts(group).ok_or_else(|| vm.unsupported("an exception group without its fields"))?;
    let t = vm.ty("BaseExceptionGroup");
    construct(vm, &t, Args::new(vec![msg, excs]))
}

/// `check_except_star_type_valid`: exception classes, none of them a group.
fn check_star_type(vm: &Vm, match_type: &Value) -> PyResult<()> {
    let classes: Vec<Value> = match match_type {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let group = vm.ty("BaseExceptionGroup");
    let mut is_group = false;
    for c in &classes {
        match c {
            Value::Type(t) if t.is_exception() => is_group |= t.is_subtype(&group),
            _ => {
                return Err(vm.type_error(
                    "catching classes that do not inherit from BaseException is not allowed",
                ))
            }
        }
    }
    if is_group {
        return Err(vm.type_error(
            "catching ExceptionGroup with except* is not allowed. Use except instead.",
        ));
    }
    Ok(())
}

/// `_PyEval_ExceptionGroupMatch` after the type check: (rest, match). A naked exception
/// that matches is wrapped in a group `""` whose traceback is the current frame's.
pub fn exception_group_match(
    vm: &mut Vm,
    exc: &Value,
    match_type: &Value,
) -> PyResult<(Value, Value)> {
    check_star_type(vm, match_type)?;
    if exc.is_none() {
        return Ok((Value::None, Value::None));
    }
    let by_type = Matcher::from_value(vm, match_type)?;
    if by_type.matches(vm, exc)? {
        if is_group(vm, exc) {
            return Ok((Value::None, exc.clone()));
        }
        // CPython 3.12 means to give the wrapper the current frame's traceback, but
        // `_PyEval_GetFrame()` finds no frame object here: python3.12 shows
        // `__traceback__` None inside the handler.
        let wrapped = create(vm, "", Value::tuple(vec![exc.clone()]))?;
        return Ok((Value::None, wrapped));
    }
    if is_group(vm, exc) {
        let split = vm.getattr(exc, "split")?;
        let pair = vm.call1(&split, match_type.clone())?;
        let tname = vm.type_of(exc).name().clone();
        let Value::Tuple(items) = &pair else {
            let got = vm.type_of(&pair).name().clone();
            return Err(vm.type_error(format!("{tname}.split must return a tuple, not {got}")));
        };
        if items.len() < 2 {
            return Err(vm.type_error(format!(
                "{tname}.split must return a 2-tuple, got tuple of size {}",
                items.len()
            )));
        }
        return Ok((items[1].clone(), items[0].clone()));
    }
    Ok((exc.clone(), Value::None))
}

/// The identities of the leaves of `exc` (`collect_exception_group_leaf_ids`).
fn leaf_ids(vm: &Vm, exc: &Value, out: &mut HashSet<usize>) {
    if exc.is_none() {
        return;
    }
    match parts(exc).filter(|_| is_group(vm, exc)) {
        Some((_, excs)) => excs.iter().for_each(|e| leaf_ids(vm, e, out)),
        None => {
            out.insert(exc.address());
        }
    }
}

/// `is_same_exception_metadata`: a re-raise keeps the original's notes, traceback,
/// cause and context objects.
fn same_metadata(a: &Value, b: &Value) -> bool {
    let (Some(x), Some(y)) = (a.exc(), b.exc()) else {
        return false;
    };
    let notes = |v: &Value| match v {
        Value::Object(o) => o.dict.get_str("__notes__").unwrap_or(Value::None).address(),
        _ => 0,
    };
    notes(a) == notes(b)
        && x.traceback.borrow().address() == y.traceback.borrow().address()
        && x.cause.borrow().address() == y.cause.borrow().address()
        && x.context.borrow().address() == y.context.borrow().address()
}

/// `_PyExc_PrepReraiseStar(orig, excs)`: what leaves a `try`/`except*` — `None`, one
/// exception, or a new group `""` of what the clauses raised plus the part of `orig`
/// that was re-raised or not handled (that part keeps `orig`'s structure and, when whole,
/// its identity).
pub fn prep_reraise_star(vm: &mut Vm, orig: &Value, excs: &Value) -> PyResult<Value> {
    let Value::List(l) = excs else {
        return Err(vm.bug("PREP_RERAISE_STAR without a list"));
    };
    let excs = l.items.borrow().clone();
    if excs.is_empty() {
        return Ok(Value::None);
    }
    if !is_group(vm, orig) {
        // A naked exception was caught and wrapped: one clause ran at most.
        return Ok(excs[0].clone());
    }
    let mut raised = Vec::new();
    let mut reraised = HashSet::new();
    for e in excs.iter().filter(|e| !e.is_none()) {
        if same_metadata(e, orig) {
            leaf_ids(vm, e, &mut reraised);
        } else {
            raised.push(e.clone());
        }
    }
    // `exception_group_projection`: the re-raised leaves, in `orig`'s structure.
    let (reraised_eg, _) = split(vm, orig, &Matcher::Ids(reraised), false)?;
    if raised.is_empty() {
        return Ok(reraised_eg);
    }
    if !reraised_eg.is_none() {
        raised.push(reraised_eg);
    }
    if raised.len() > 1 {
        create(vm, "", Value::List(Rc::new(list(raised))))
    } else {
        Ok(raised.swap_remove(0))
    }
}

/// `BaseExceptionGroup_str`: "message (N sub-exception[s])".
pub fn str_of(vm: &mut Vm, group: &Value) -> PyResult<String> {
    let (msg, excs) =
        parts(group).ok_or_else(|| vm.unsupported("an exception group without its fields"))?;
    let msg = vm.str_of(&msg)?;
    let n = excs.len();
    Ok(format!(
        "{msg} ({n} sub-exception{})",
        if n > 1 { "s" } else { "" }
    ))
}
