//! Calls, function creation and returns (spec: frames.creation.per-call).

use std::cell::RefCell;
use std::rc::Rc;

use super::super::dict::Dict;
use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::monitoring::{self, Event};
use super::super::object::{Args, Function, Value};
use super::super::profile;
use super::super::reach;
use super::super::trace::What;
use super::super::typevars::{self, TypeParamKind};
use super::super::{PyResult, Throw};
use crate::arith::UnaryOp;
use crate::code::Constant;
use crate::oparg::{make_function, Intrinsic1, Intrinsic2};
use crate::opcode::Opcode;

/// KW_NAMES `( -- )`: remembers the keyword names tuple for the next CALL.
pub fn kw_names(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    match f.info.consts.get(arg as usize) {
        Some(Some(Value::Tuple(t))) => {
            f.kwnames = Some(t.clone());
            Ok(Step::Continue)
        }
        _ => Err(Throw::Bug(
            "KW_NAMES operand is not a tuple constant".into(),
        )),
    }
}

/// CALL `(method, callable, args[oparg] -- res)`: `method` is NULL for plain calls; else
/// it is the function and `callable` is `self`. A Python callee gets a new frame pushed
/// on the frame stack. spec: frames.creation.per-call
pub fn call(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let kwnames = f.kwnames.take();
    let mut pos = f.pop_n(arg as usize)?;
    let callable = f.pop_opt()?;
    let method = f.pop_opt()?;
    let is_meth = method.is_some();
    let func = match (method, callable) {
        (Some(m), Some(receiver)) => {
            pos.insert(0, receiver);
            m
        }
        (None, Some(c)) => c,
        _ => return Err(Throw::Bug("CALL on a NULL callable".into())),
    };
    // INSTRUMENTED_CALL's second argument: the first of all the arguments, self included
    // (keyword values too); the monitoring tools and the profile function both see it.
    let first =
        (vm.trace.monitoring || !vm.trace.sys_profile.is_none()).then(|| pos.first().cloned());
    let mut args = Args::new(pos);
    if let Some(names) = kwnames {
        let n = names.len();
        if n > args.pos.len() {
            return Err(Throw::Bug("more keyword names than arguments".into()));
        }
        let values = args.pos.split_off(args.pos.len() - n);
        for (name, v) in names.iter().zip(values) {
            let Value::Str(s) = name else {
                return Err(Throw::Bug("keyword name is not a str".into()));
            };
            args.kw.push((s.clone(), v));
        }
    }
    if let Some(first) = first {
        if !vm.trace.sys_profile.is_none() || monitoring::wanted(vm, Event::CALL) {
            let step = monitored_call(vm, func, args, first, false, is_meth)?;
            return check_eval_breaker(vm, step);
        }
    }
    if specialized_str_1(vm, &func, &args) {
        let str_type = vm.ty("str");
        let v = vm.call_type(&str_type, args)?;
        vm.top()?.push(v);
        return check_eval_breaker(vm, Step::Continue);
    }
    let inlined = inlined_by_call(&func, is_meth);
    let mut step = vm.call_step(&func, args)?;
    if inlined {
        after_inlined_call(vm, &mut step)?;
    }
    check_eval_breaker(vm, step)
}

/// CALL_NO_KW_STR_1: from its second run, a CALL site that calls `str` with one
/// positional argument is specialized to call `PyObject_Str` directly, without the unit
/// of the C recursion budget `_PyObject_MakeTpCall` takes on the first run (`str` has no
/// `tp_vectorcall`): the only specialization that changes what a type call costs. The VM
/// counts a site's runs that call `str` (CPython counts every run: a site that called
/// something else first differs, in this budget only).
fn specialized_str_1(vm: &Vm, func: &Value, args: &Args) -> bool {
    let Value::Type(t) = func else {
        return false;
    };
    if args.pos.len() != 1 || !args.kw.is_empty() || !Rc::ptr_eq(t, &vm.ty("str")) {
        return false;
    }
    let Some((f, unit)) = vm.frames.last().and_then(|f| Some((f, f.instr?))) else {
        return false;
    };
    let mut seen = f.info.str_calls.borrow_mut();
    if seen.contains(&unit) {
        return true;
    }
    seen.push(unit);
    false
}

/// The CALL family's CHECK_EVAL_BREAKER once a callee that ran to its end has given its
/// result: a signal tripped during the call has its handler run here. A callee whose
/// frame was pushed checks at its own RESUME instead.
fn check_eval_breaker(vm: &mut Vm, step: Step) -> PyResult<Step> {
    if vm.signals_tripped != 0 && matches!(step, Step::Continue) {
        crate::runtime::modules::signal::check(vm)?;
    }
    Ok(step)
}

/// Whether CPython's CALL runs this callee in the same evaluator loop (a Python function,
/// or a bound method object of one that CALL unpacks when no method was loaded), rather
/// than through the callee's vectorcall.
fn inlined_by_call(func: &Value, is_meth: bool) -> bool {
    match func {
        Value::Function(_) => true,
        Value::Method(m) => !is_meth && matches!(m.func, Value::Function(_)),
        _ => false,
    }
}

/// A CALL that pushed its callee's frame leaves `prev_instr` on its last inline cache
/// unit (3.12 skips the caches before `DISPATCH_INLINED`), which the caller's `f_lasti`,
/// `tb_lasti` and events show while the callee runs. spec: frames.creation.per-call
fn after_inlined_call(vm: &mut Vm, step: &mut Step) -> PyResult<()> {
    if let Step::Push(callee) = step {
        callee.cpython_inline = true;
        let f = vm.top()?;
        if let Some(i) = f.instr {
            f.prev_instr = Some(i + Opcode::CALL.cache_entries());
        }
    }
    Ok(())
}

/// A call while `sys.monitoring` has CALL events set or a profile function is set (3.12's
/// INSTRUMENTED_CALL): the CALL event with the callable and its first argument (MISSING
/// when there is none); then a Python function gets its frame as usual, and any other
/// callable runs to its end, with C_RETURN or C_RAISE after it (for a bound method
/// object, naming its function and `self`, as CALL unpacks it). For CALL_FUNCTION_EX
/// (`ex`) the first argument defaults to None and Python functions and method objects
/// give no event at all. At each event the profile function (tool 6: c_call, c_return,
/// c_exception) comes before the monitoring tools (5 down to 0).
///
/// A bound method of a built-in (a `Value::Method` over a `Value::Builtin`) is CPython's
/// builtin_function_or_method, not a method object: CALL does not unpack it. Nor does it
/// unpack a method object when a method was loaded below it (`is_meth`: the `with`
/// statement's `__exit__`), which it then calls through its vectorcall.
fn monitored_call(
    vm: &mut Vm,
    func: Value,
    args: Args,
    first: Option<Value>,
    ex: bool,
    is_meth: bool,
) -> PyResult<Step> {
    let method_object = matches!(&func, Value::Method(m) if !matches!(m.func, Value::Builtin(_)));
    let python = match &func {
        Value::Method(m) if ex => method_object || matches!(m.func, Value::Function(_)),
        _ => inlined_by_call(&func, is_meth),
    };
    if ex && python {
        let mut step = vm.call_step(&func, args)?;
        mark_ex_inline(&func, &mut step);
        return Ok(step);
    }
    let at = vm.top()?.instr.unwrap_or(0);
    let offset = Value::Int(2 * at as i64);
    profile::c_event(vm, What::Call, &func, first.as_ref())?;
    let missing = if ex {
        Value::None
    } else {
        vm.trace.monitors.missing()
    };
    let arg = first.clone().unwrap_or(missing);
    monitoring::fire(
        vm,
        Event::CALL,
        at,
        &[offset.clone(), func.clone(), arg.clone()],
    )?;
    if python {
        let mut step = vm.call_step(&func, args)?;
        if !ex {
            after_inlined_call(vm, &mut step)?;
        }
        return Ok(step);
    }
    let (callable, arg) = match &func {
        Value::Method(m) if !ex && !is_meth && method_object => {
            (m.func.clone(), m.receiver.clone())
        }
        _ => (func.clone(), arg),
    };
    let c_args = [offset, callable, arg];
    match vm.call(&func, args) {
        Ok(v) => {
            profile::c_event(vm, What::CReturn, &func, first.as_ref())?;
            monitoring::fire(vm, Event::C_RETURN, at, &c_args)?;
            vm.top()?.push(v);
            Ok(Step::Continue)
        }
        Err(err @ (Throw::Exc(_) | Throw::Reraise(_))) => {
            // `_Py_call_instrumentation_exc2`: an exception from a callback replaces the
            // call's.
            profile::c_event(vm, What::CRaise, &func, first.as_ref())?;
            monitoring::fire(vm, Event::C_RAISE, at, &c_args)?;
            Err(err)
        }
        Err(fatal) => Err(fatal),
    }
}

/// CALL_FUNCTION_EX `(unused, func, callargs, kwargs if (oparg & 1) -- result)`
pub fn call_function_ex(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let kwargs = if arg & 1 == 1 { f.pop_opt()? } else { None };
    let callargs = f.pop()?;
    let func = f.pop()?;
    f.pop_opt()?;
    let pos = match callargs {
        Value::Tuple(t) => t.to_vec(),
        other => {
            // CPython's `check_args_iterable`: the call, not the iterable, is named.
            if !vm.is_iterable(&other) {
                let what = vm.function_str(&func)?;
                let name = vm.type_of(&other).name().clone();
                return Err(vm.type_error(format!(
                    "{what} argument after * must be an iterable, not {name}"
                )));
            }
            vm.collect_hinted(&other)?
        }
    };
    let mut args = Args::new(pos);
    // CPython 3.12's CALL_FUNCTION_EX reads its keywords as an exact dict without checking
    // (the compiler always builds one with DICT_MERGE); anything else is a listing
    // CPython runs on garbage. spec: bytecode.calls
    if let Some(m) = &kwargs {
        if !matches!(m, Value::Dict(_)) {
            return Err(vm.unsupported("CALL_FUNCTION_EX with keywords that are not a dict"));
        }
    }
    if let Some(Value::Dict(d)) = kwargs {
        for (k, v) in d.items() {
            match k {
                Value::Str(s) => args.kw.push((s, v)),
                _ => return Err(vm.type_error("keywords must be strings")),
            }
        }
    }
    if !vm.trace.sys_profile.is_none()
        || (vm.trace.monitoring && monitoring::wanted(vm, Event::CALL))
    {
        let first = Some(args.pos.first().cloned().unwrap_or(Value::None));
        let step = monitored_call(vm, func, args, first, true, false)?;
        return check_eval_breaker(vm, step);
    }
    let mut step = vm.call_step(&func, args)?;
    mark_ex_inline(&func, &mut step);
    check_eval_breaker(vm, step)
}

/// CALL_FUNCTION_EX runs a plain Python function in the same loop; anything else, a
/// bound method included, through `PyObject_Call` (3.12's CALL_FUNCTION_EX), which the
/// `internals` channel shows in the caller. spec: internals.inline-caller
fn mark_ex_inline(func: &Value, step: &mut Step) {
    if let (Value::Function(_), Step::Push(callee)) = (func, step) {
        callee.cpython_inline = true;
    }
}

/// MAKE_FUNCTION `(defaults?, kwdefaults?, annotations?, closure?, codeobj -- func)`: the
/// oparg's `oparg::make_function` flags say which are there.
pub fn make_function(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let Value::Code(code) = f.pop()? else {
        return Err(Throw::Bug("MAKE_FUNCTION without a code object".into()));
    };
    let closure = if arg & make_function::CLOSURE != 0 {
        // The verifier lets through a value it cannot see (a function's `__closure__`);
        // CPython takes it unchecked and would crash on anything but a tuple of one cell
        // per free variable.
        let nfree = code.nfree();
        match f.pop()? {
            Value::Tuple(t)
                if t.len() == nfree && t.iter().all(|c| matches!(c, Value::Cell(_))) =>
            {
                Some(t)
            }
            _ => {
                return Err(vm.unsupported(format!(
                    "MAKE_FUNCTION with a closure that is not a tuple of {nfree} cells \
                     (CPython 3.12 does not check it, and crashes)"
                )))
            }
        }
    } else {
        None
    };
    let annotations = if arg & make_function::ANNOTATIONS != 0 {
        f.pop()?
    } else {
        Value::None
    };
    let kwdefaults = if arg & make_function::KWDEFAULTS != 0 {
        match f.pop()? {
            Value::Dict(d) => Some(d),
            // Bytecode that is not the compiler's can pass anything (the verifier knows
            // the type only of the compiler's own displays): CPython stores it unchecked
            // in a function Python code could not make.
            _ => {
                return Err(
                    vm.unsupported("MAKE_FUNCTION with keyword defaults that are not a dict")
                )
            }
        }
    } else {
        None
    };
    let defaults = if arg & make_function::DEFAULTS != 0 {
        match f.pop()? {
            Value::Tuple(t) => Some(t),
            _ => return Err(vm.unsupported("MAKE_FUNCTION with defaults that are not a tuple")),
        }
    } else {
        None
    };
    let globals = f.globals.clone();
    let module = globals.get_str("__name__").unwrap_or(Value::None);
    // The compiler puts a function's docstring, or None, first in co_consts.
    let doc = match code.co_consts.first() {
        Some(c @ (Constant::Str(_) | Constant::StrSurrogates(_))) => {
            super::super::codeinfo::constant(c)
        }
        _ => Some(Value::None),
    };
    let Some(doc) = doc else {
        return Err(vm.unsupported(super::super::codeinfo::UNREPRESENTABLE));
    };
    let func = Function {
        name: RefCell::new(code.co_name.clone()),
        qualname: RefCell::new(code.co_qualname.clone()),
        code_cell: RefCell::new(code),
        globals,
        builtins: f.builtins.clone(),
        defaults: RefCell::new(defaults),
        kwdefaults: RefCell::new(kwdefaults),
        closure,
        annotations: RefCell::new(annotations),
        doc: RefCell::new(doc),
        dict_cell: RefCell::new(Dict::new_rc()),
        module: RefCell::new(module),
        type_params: RefCell::new(Value::tuple(Vec::new())),
    };
    f.push(Value::Function(crate::runtime::gc::alloc(func)));
    Ok(Step::Continue)
}

/// RETURN_VALUE `(retval -- )`. spec: frames.f_back.after-return
pub fn return_value(vm: &mut Vm) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    Ok(Step::Return(v))
}

/// RETURN_CONST `( -- )`
pub fn return_const(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    match f.info.consts.get(arg as usize) {
        Some(Some(v)) => Ok(Step::Return(v.clone())),
        Some(None) => Err(vm.unsupported(super::super::codeinfo::UNREPRESENTABLE)),
        None => Err(Throw::Bug(format!("co_consts index {arg} out of range"))),
    }
}

/// `from m import *` (ceval.c's `import_all_from`): the names of `m.__all__`, else those
/// of `m.__dict__` that do not start with an underscore, each read with getattr and
/// stored in the frame's namespace.
fn import_star(vm: &mut Vm, m: &Value) -> PyResult<()> {
    let (names, from_all) = match vm.getattr(m, "__all__") {
        Ok(all) => (vm.collect(&all)?, true),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
            match vm.getattr(m, "__dict__") {
                Ok(d) => {
                    let keys = vm.getattr(&d, "keys")?;
                    let keys = vm.call(&keys, Args::new(vec![]))?;
                    (vm.collect(&keys)?, false)
                }
                Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
                    return Err(vm.err(
                        "ImportError",
                        "from-import-* object has no __dict__ and no __all__",
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    // A native module holding part of CPython's names would bind fewer names.
    if let Value::Module(module) = m {
        if let Some(cpython) = reach::provided_module_names(vm, &module.name) {
            if !from_all
                && cpython
                    .iter()
                    .any(|n| !n.starts_with('_') && module.dict.get_str(n).is_none())
            {
                return Err(vm.unsupported(format!("from {} import *", module.name)));
            }
        }
    }
    for name in names {
        let Value::Str(s) = name.builtin_value().clone() else {
            let modname = vm.getattr(m, "__name__")?;
            let (what, holder) = if from_all {
                ("Item", "__all__")
            } else {
                ("Key", "__dict__")
            };
            let modname = vm.str_of(&modname)?;
            let t = vm.type_of(&name).name().clone();
            return Err(vm.type_error(format!("{what} in {modname}.{holder} must be str, not {t}")));
        };
        if !from_all && s.starts_with('_') {
            continue;
        }
        let value = vm.getattr(m, &s)?;
        let f = vm.top()?;
        match (f.locals_mapping.clone(), f.locals.clone()) {
            (Some(mapping), _) => vm.setitem(&mapping, &Value::Str(s), value)?,
            (None, Some(locals)) => locals.set_str(&s, value),
            // A function's frame (bytecode the compiler would refuse to write): CPython's
            // import_star binds the names in the frame's locals snapshot and copies them
            // back to the fast locals (_PyFrame_LocalsToFast), which the VM does not do.
            (None, None) => return Err(vm.unsupported("import * in a function's frame")),
        }
    }
    Ok(())
}

/// CALL_INTRINSIC_1 `(value -- res)`: the [`Intrinsic1`] the oparg names; a generic
/// class's `Generic[...]` is unsupported.
pub fn call_intrinsic_1(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let Some(intrinsic) = Intrinsic1::from_oparg(arg) else {
        return Err(vm.bug(format!("CALL_INTRINSIC_1 oparg {arg}")));
    };
    let v = vm.top()?.pop()?;
    let res = match intrinsic {
        // `print_expr` (intrinsics.c): the value goes to whatever `sys.displayhook` is now
        // (a Python hook runs in a frame whose f_back is this one); a sys without one is a
        // RuntimeError. The default hook is `sys_displayhook` (syshooks.rs).
        Intrinsic1::Print => {
            let hook = match vm.modules.get_str("sys") {
                Some(Value::Module(m)) => m.dict.get_str("displayhook"),
                _ => None,
            };
            let Some(hook) = hook else {
                return Err(vm.err("RuntimeError", "lost sys.displayhook"));
            };
            vm.call1(&hook, v)?;
            Value::None
        }
        Intrinsic1::ImportStar => {
            import_star(vm, &v)?;
            Value::None
        }
        Intrinsic1::StopIterationError => {
            // PEP 479: a StopIteration escaping a generator becomes RuntimeError (and a
            // StopAsyncIteration escaping an async generator); the RERAISE that follows
            // raises the result (`stopiteration_error`).
            use crate::code::flags::{CO_ASYNC_GENERATOR, CO_COROUTINE};
            let flags = vm.top()?.info.code.co_flags;
            let message = if vm.is_instance_of(&v, "StopIteration") {
                Some(if flags & CO_ASYNC_GENERATOR != 0 {
                    "async generator raised StopIteration"
                } else if flags & CO_COROUTINE != 0 {
                    "coroutine raised StopIteration"
                } else {
                    "generator raised StopIteration"
                })
            } else if flags & CO_ASYNC_GENERATOR != 0 && vm.is_instance_of(&v, "StopAsyncIteration")
            {
                Some("async generator raised StopAsyncIteration")
            } else {
                None
            };
            if let Some(message) = message {
                let new = vm.new_exception(&vm.ty("RuntimeError"), vec![Value::str(message)]);
                if let Some(d) = new.exc() {
                    *d.cause.borrow_mut() = v.clone();
                    *d.context.borrow_mut() = v.clone();
                    d.suppress_context.set(true);
                }
                new
            } else {
                v
            }
        }
        Intrinsic1::UnaryPositive => vm.unary(UnaryOp::Positive, &v)?,
        Intrinsic1::ListToTuple => match &v {
            Value::List(l) => Value::tuple(l.items.borrow().clone()),
            other => other.clone(),
        },
        Intrinsic1::AsyncGenWrap => super::coroutines::async_gen_wrap(vm, v)?,
        Intrinsic1::TypeVar => typevars::make(vm, TypeParamKind::TypeVar, &v)?,
        Intrinsic1::ParamSpec => typevars::make(vm, TypeParamKind::ParamSpec, &v)?,
        Intrinsic1::TypeVarTuple => typevars::make(vm, TypeParamKind::TypeVarTuple, &v)?,
        Intrinsic1::TypeAlias => typevars::make_alias(vm, &v)?,
        // `_Py_subscript_generic`: `typing._GenericAlias(Generic, params)`, each
        // TypeVarTuple unpacked.
        Intrinsic1::SubscriptGeneric => {
            let params = typevars::unpack_typevartuples(vm, &v)?;
            let generic = Value::Type(vm.ty("Generic"));
            typevars::call_typing(vm, "_GenericAlias", vec![generic, params])?
        }
        Intrinsic1::Invalid => {
            return Err(vm.unsupported(format!("the intrinsic {}", intrinsic.name())))
        }
    };
    vm.top()?.push(res);
    Ok(Step::Continue)
}

/// CALL_INTRINSIC_2 `(value2, value1 -- res)`: the [`Intrinsic2`] the oparg names;
/// `value2` is the first argument.
pub fn call_intrinsic_2(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let Some(intrinsic) = Intrinsic2::from_oparg(arg) else {
        return Err(vm.bug(format!("CALL_INTRINSIC_2 oparg {arg}")));
    };
    let f = vm.top()?;
    let value1 = f.pop()?;
    let value2 = f.pop()?;
    let res = match intrinsic {
        // spec: exceptions.handler
        Intrinsic2::PrepReraiseStar => {
            super::super::excgroup::prep_reraise_star(vm, &value2, &value1)?
        }
        Intrinsic2::TypeVarWithBound => typevars::make_bounded(vm, &value2, value1, false)?,
        Intrinsic2::TypeVarWithConstraints => typevars::make_bounded(vm, &value2, value1, true)?,
        Intrinsic2::SetFunctionTypeParams => {
            typevars::set_function_type_params(vm, value2, value1)?
        }
        Intrinsic2::Invalid => {
            return Err(vm.unsupported(format!("the intrinsic {}", intrinsic.name())))
        }
    };
    vm.top()?.push(res);
    Ok(Step::Continue)
}

/// `function(code, globals, name=None, argdefs=None, closure=None)`
/// (funcobject.c func_new, then PyFunction_New): the builtins are the globals'
/// `__builtins__`, else the running frame's (_PyEval_BuiltinsFromGlobals).
pub fn func_new(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    use crate::runtime::argspec::{Spec, Style};
    const PARAMS: [&str; 5] = ["code", "globals", "name", "argdefs", "closure"];
    let spec = Spec {
        name: "function",
        owner: None,
        style: Style::Keywords,
        params: &PARAMS,
        posonly: 0,
        maxpos: PARAMS.len(),
        required: 2,
    };
    let [code, globals, name, defaults, closure] = spec.bind::<5>(vm, args, 0)?;
    let code = crate::runtime::argspec::required(code);
    let globals = crate::runtime::argspec::required(globals);
    let shown = |vm: &Vm, v: &Value| crate::runtime::builtins::type_name_of_arg(vm, v);
    let Value::Code(code) = code else {
        return Err(vm.type_error(format!(
            "function() argument 'code' must be code, not {}",
            shown(vm, &code)
        )));
    };
    if matches!(globals, Value::Object(_)) && matches!(globals.builtin_value(), Value::Dict(_)) {
        // The function's globals would be the instance, not the VM's dict object.
        return Err(vm.unsupported("a dict subclass as a function's globals"));
    }
    let Value::Dict(globals) = globals else {
        return Err(vm.type_error(format!(
            "function() argument 'globals' must be dict, not {}",
            shown(vm, &globals)
        )));
    };
    let name = match name.unwrap_or(Value::None) {
        Value::None => None,
        Value::Str(s) => Some(s),
        _ => return Err(vm.type_error("arg 3 (name) must be None or string")),
    };
    let defaults = match defaults.unwrap_or(Value::None) {
        Value::None => None,
        Value::Tuple(t) => Some(t),
        _ => return Err(vm.type_error("arg 4 (defaults) must be None or tuple")),
    };
    let nfree = code.nfree();
    let closure = match closure.unwrap_or(Value::None) {
        Value::Tuple(t) => Some(t),
        Value::None if nfree > 0 => return Err(vm.type_error("arg 5 (closure) must be tuple")),
        Value::None => None,
        _ => return Err(vm.type_error("arg 5 (closure) must be None or tuple")),
    };
    let nclosure = closure.as_ref().map_or(0, |c| c.len());
    if nclosure != nfree {
        return Err(vm.err(
            "ValueError",
            format!(
                "{} requires closure of length {nfree}, not {nclosure}",
                code.co_name
            ),
        ));
    }
    for c in closure.iter().flat_map(|c| c.iter()) {
        if !matches!(c, Value::Cell(_)) {
            let n = vm.type_of(c).name();
            return Err(vm.type_error(format!("arg 5 (closure) expected cell, found {n}")));
        }
    }
    let builtins = match globals.get_str("__builtins__") {
        Some(Value::Dict(d)) => d,
        Some(Value::Module(m)) => m.dict.clone(),
        None => vm.top()?.builtins.clone(),
        Some(_) => return Err(vm.unsupported("__builtins__ that is not a dict or a module")),
    };
    let module = globals.get_str("__name__").unwrap_or(Value::None);
    let doc = match code.co_consts.first() {
        Some(c @ (Constant::Str(_) | Constant::StrSurrogates(_))) => {
            super::super::codeinfo::constant(c)
        }
        _ => Some(Value::None),
    };
    let Some(doc) = doc else {
        return Err(vm.unsupported(super::super::codeinfo::UNREPRESENTABLE));
    };
    let func = Function {
        name: RefCell::new(name.unwrap_or_else(|| code.co_name.clone())),
        qualname: RefCell::new(code.co_qualname.clone()),
        code_cell: RefCell::new(code),
        globals,
        builtins,
        defaults: RefCell::new(defaults),
        kwdefaults: RefCell::new(None),
        closure,
        annotations: RefCell::new(Value::None),
        doc: RefCell::new(doc),
        dict_cell: RefCell::new(Dict::new_rc()),
        module: RefCell::new(module),
        type_params: RefCell::new(Value::tuple(Vec::new())),
    };
    Ok(Value::Function(crate::runtime::gc::alloc(func)))
}
