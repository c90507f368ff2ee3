//! Raising and handling exceptions (spec chapter `exceptions`). Unwinding through the
//! exception table is in `eval::unwind`.

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::{PyResult, Throw};

/// Turns `raise X` operands into an exception instance: classes are instantiated.
fn make_exception(vm: &mut Vm, v: Value, what: &str) -> PyResult<Value> {
    match &v {
        Value::Type(t) if t.is_exception() => {
            let inst = vm.call(&v, Args::default())?;
            if inst.exc().is_none() {
                // `_PyErr_SetObject`'s "calling %R should have returned an instance of
                // BaseException, not %R" (the class, and the result's type).
                let shown = vm.repr(&v)?;
                let got = Value::Type(vm.type_of(&inst));
                let got = vm.repr(&got)?;
                return Err(vm.type_error(format!(
                    "calling {shown} should have returned an instance of BaseException, not {got}"
                )));
            }
            Ok(inst)
        }
        _ if v.exc().is_some() => Ok(v),
        _ => Err(vm.type_error(format!("{what} must derive from BaseException"))),
    }
}

/// RAISE_VARARGS `(args[oparg] -- )`: 0 re-raises the handled exception, 1 raises, 2
/// raises with a cause. spec: exceptions.handler
pub fn raise_varargs(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let mut args = vm.top()?.pop_n(arg as usize)?;
    match arg {
        0 => {
            let exc = vm.handled_exception();
            if exc.is_none() {
                return Err(vm.err("RuntimeError", "No active exception to reraise"));
            }
            Err(Throw::Reraise(exc))
        }
        1 | 2 => {
            let cause = if arg == 2 { args.pop() } else { None };
            let exc = args
                .pop()
                .ok_or_else(|| Throw::Bug("RAISE_VARARGS operand".into()))?;
            let exc = make_exception(vm, exc, "exceptions")?;
            if let Some(cause) = cause {
                let cause = match cause {
                    Value::None => Value::None,
                    other => make_exception(vm, other, "exception causes")?,
                };
                if let Some(d) = exc.exc() {
                    *d.cause.borrow_mut() = cause;
                    d.suppress_context.set(true);
                }
            }
            Err(vm.raise(exc))
        }
        _ => Err(vm.err("SystemError", "bad RAISE_VARARGS oparg")),
    }
}

/// RERAISE `(values[oparg], exc -- values[oparg])`: with oparg set, restores `f_lasti`
/// from the saved value so the traceback points at the original instruction.
///
/// CPython's RERAISE takes any int as the index (spec: bytecode.reraise); a value that is
/// not an int is the SystemError "lasti is not an int", raised as a new error with the
/// stack left as it was. An index outside the code (other than -1, before the first
/// instruction) is unsupported: CPython would point the frame outside its code.
pub fn reraise(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let exc = f.pop()?;
    if arg > 0 {
        let units = f.info.lines.len();
        // PyLong_Check: ints, bools and instances of int subclasses.
        let lasti = match f.peek(arg as usize - 1)?.builtin_value() {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::BigInt(_) => None,
            _ => {
                vm.top()?.push(exc);
                return Err(vm.err("SystemError", "lasti is not an int"));
            }
        };
        match lasti {
            // -1: the frame before its first instruction (the VM's `None`).
            Some(-1) => vm.top()?.prev_instr = None,
            Some(i) if usize::try_from(i).is_ok_and(|i| i < units) => {
                vm.top()?.prev_instr = usize::try_from(i).ok();
            }
            _ => return Err(vm.unsupported("RERAISE restoring an f_lasti outside the code")),
        }
    }
    Err(Throw::Reraise(exc))
}

/// PUSH_EXC_INFO `(new_exc -- prev_exc, new_exc)`: the handler's exception becomes the
/// one `sys.exc_info()` reports. spec: exceptions.exc_info
pub fn push_exc_info(vm: &mut Vm) -> PyResult<Step> {
    let new = vm.top()?.pop()?;
    let prev = std::mem::replace(&mut vm.exc_info, new.clone());
    let f = vm.top()?;
    f.push(prev);
    f.push(new);
    Ok(Step::Continue)
}

/// POP_EXCEPT `(exc_value -- )`: restores the previously handled exception.
pub fn pop_except(vm: &mut Vm) -> PyResult<Step> {
    let prev = vm.top()?.pop()?;
    vm.exc_info = prev;
    Ok(Step::Continue)
}

/// CHECK_EXC_MATCH `(left, right -- left, b)`: `isinstance(left, right)` for `except`.
pub fn check_exc_match(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let right = f.pop()?;
    let left = f.peek(0)?;
    let classes: Vec<Value> = match &right {
        Value::Tuple(t) => t.to_vec(),
        other => vec![other.clone()],
    };
    let mut matched = false;
    for c in &classes {
        match c {
            Value::Type(t) if t.is_exception() => {
                if vm.type_of(&left).is_subtype(t) {
                    matched = true;
                }
            }
            _ => {
                return Err(vm.type_error(
                    "catching classes that do not inherit from BaseException is not allowed",
                ));
            }
        }
    }
    vm.top()?.push(Value::Bool(matched));
    Ok(Step::Continue)
}

/// LOAD_ASSERTION_ERROR `( -- value)`
pub fn load_assertion_error(vm: &mut Vm) -> PyResult<Step> {
    let t = vm.ty("AssertionError");
    vm.top()?.push(Value::Type(t));
    Ok(Step::Continue)
}

/// BEFORE_WITH `(mgr -- exit, res)`
pub fn before_with(vm: &mut Vm) -> PyResult<Step> {
    let mgr = vm.top()?.pop()?;
    let t = vm.type_of(&mgr);
    // CPython's BEFORE_WITH looks `__enter__` up first, then `__exit__`, and names the
    // missing `__exit__` when only that one lacks.
    let Some(enter) = t.lookup("__enter__") else {
        return Err(vm.type_error(format!(
            "'{}' object does not support the context manager protocol",
            t.name()
        )));
    };
    let Some(exit) = t.lookup("__exit__") else {
        return Err(vm.type_error(format!(
            "'{}' object does not support the context manager protocol \
             (missed __exit__ method)",
            t.name()
        )));
    };
    enter_context(vm, &mgr, &enter, &exit)
}

/// What BEFORE_WITH and BEFORE_ASYNC_WITH share once they found the two methods: push the
/// bound exit, then the result of calling the bound enter.
pub(super) fn enter_context(
    vm: &mut Vm,
    mgr: &Value,
    enter: &Value,
    exit: &Value,
) -> PyResult<Step> {
    let exit = vm.bind(exit, mgr);
    let enter = vm.bind(enter, mgr);
    let res = vm.call0(&enter)?;
    let f = vm.top()?;
    f.push(exit);
    f.push(res);
    Ok(Step::Continue)
}

/// WITH_EXCEPT_START `(exit_func, lasti, unused, val -- exit_func, lasti, unused, val, res)`
pub fn with_except_start(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let val = f.peek(0)?;
    let exit = f.peek(3)?;
    let t = Value::Type(vm.type_of(&val));
    let tb = val
        .exc()
        .map(|d| d.traceback.borrow().clone())
        .unwrap_or(Value::None);
    let res = vm.call(&exit, Args::new(vec![t, val, tb]))?;
    vm.top()?.push(res);
    Ok(Step::Continue)
}

/// CHECK_EG_MATCH `(exc_value, match_type -- rest, match)`: splits the exception being
/// handled for an `except*` clause; a match becomes the handled exception
/// (`PyErr_SetHandledException`). spec: exceptions.handler
pub fn check_eg_match(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let match_type = f.pop()?;
    let exc = f.pop()?;
    let (rest, matched) = super::super::excgroup::exception_group_match(vm, &exc, &match_type)?;
    if !matched.is_none() {
        vm.exc_info = matched.clone();
    }
    let f = vm.top()?;
    f.push(rest);
    f.push(matched);
    Ok(Step::Continue)
}
