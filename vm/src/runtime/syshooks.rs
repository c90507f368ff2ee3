//! The rest of CPython 3.12's public `sys` (Python/sysmodule.c): the display and
//! breakpoint hooks, `call_tracing`, the interpreter's settings a program can read back
//! (switch interval, dlopen flags, coroutine origin tracking depth, async generator
//! hooks), `copyright`, `orig_argv`, `stdin`, and `sys.monitoring`'s namespace. What the
//! VM cannot answer as CPython does (reference counts, allocator statistics, audit
//! hooks, perf trampolines, monitoring) is a function whose call is unsupported.

use std::rc::Rc;

use super::argspec::{required, Spec, Style};
use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Builtin, Module, NativeFn, Value};
use super::PyResult;

/// The settings `sys` stores for a program to read back.
#[derive(Debug, Clone)]
pub struct State {
    /// `_PyEval_SetSwitchInterval`'s microseconds (`DEFAULT_INTERVAL`, 5000).
    pub switch_interval: u64,
    /// `interp->dlopenflags` (`RTLD_NOW` on Linux).
    pub dlopenflags: i32,
    /// `tstate->coroutine_origin_tracking_depth`.
    pub origin_depth: i32,
    /// `tstate->async_gen_firstiter` and `async_gen_finalizer` (only None is accepted).
    pub asyncgen_firstiter: Value,
    pub asyncgen_finalizer: Value,
}

impl Default for State {
    fn default() -> State {
        State {
            switch_interval: 5000,
            dlopenflags: 2,
            origin_depth: 0,
            asyncgen_firstiter: Value::None,
            asyncgen_finalizer: Value::None,
        }
    }
}

/// `sys.copyright` (`Py_GetCopyright`).
const COPYRIGHT: &str = "Copyright (c) 2001-2023 Python Software Foundation.\n\
All Rights Reserved.\n\
\n\
Copyright (c) 2000 BeOpen.com.\n\
All Rights Reserved.\n\
\n\
Copyright (c) 1995-2001 Corporation for National Research Initiatives.\n\
All Rights Reserved.\n\
\n\
Copyright (c) 1991-1995 Stichting Mathematisch Centrum, Amsterdam.\n\
All Rights Reserved.";

pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("displayhook", displayhook),
    ("breakpointhook", breakpointhook),
    ("call_tracing", call_tracing),
    ("addaudithook", addaudithook),
    ("getrefcount", getrefcount),
    ("getsizeof", getsizeof),
    ("getallocatedblocks", getallocatedblocks),
    ("getunicodeinternedsize", getunicodeinternedsize),
    ("getswitchinterval", getswitchinterval),
    ("setswitchinterval", setswitchinterval),
    ("getdlopenflags", getdlopenflags),
    ("setdlopenflags", setdlopenflags),
    (
        "get_coroutine_origin_tracking_depth",
        get_coroutine_origin_tracking_depth,
    ),
    (
        "set_coroutine_origin_tracking_depth",
        set_coroutine_origin_tracking_depth,
    ),
    ("get_asyncgen_hooks", get_asyncgen_hooks),
    ("set_asyncgen_hooks", set_asyncgen_hooks),
    ("activate_stack_trampoline", activate_stack_trampoline),
    ("deactivate_stack_trampoline", deactivate_stack_trampoline),
    ("is_stack_trampoline_active", is_stack_trampoline_active),
];

/// Adds this file's names to the sys module's dict `d` (`stdin` is `stdin`, made by
/// `sysmod` as the other standard streams are).
pub fn install(vm: &mut Vm, d: &Rc<Dict>, stdin: Value) {
    for &(n, f) in FUNCTIONS {
        d.set_str(n, super::sysmod::module_function("sys", n, f));
    }
    // The hooks CPython starts with are kept as `__displayhook__` and
    // `__breakpointhook__` (`_PySys_InitCore`).
    for n in ["displayhook", "breakpointhook"] {
        if let Some(h) = d.get_str(n) {
            d.set_str(&format!("__{n}__"), h);
        }
    }
    d.set_str("copyright", Value::str(COPYRIGHT));
    d.set_str("stdin", stdin.clone());
    d.set_str("__stdin__", stdin);
    d.set_str("monitoring", monitoring(vm));
}

/// `sys.orig_argv` (`config->orig_argv`): the command line CPython was started with, the
/// interpreter (as the VM stands for it: `sys.executable`) and then `-c CODE`,
/// `-m MODULE` or the script, with the program's own arguments.
pub fn set_orig_argv(vm: &mut Vm, options: &crate::RunOptions, source: Option<&str>) {
    let Some(Value::Module(sys)) = vm.modules.get_str("sys") else {
        return;
    };
    let exe = sys.dict.get_str("executable").unwrap_or(Value::str(""));
    let mut argv = vec![exe];
    let given: Vec<String> = if options.argv.is_empty() {
        vec![options.filename.clone()]
    } else {
        options.argv.clone()
    };
    let mut rest = given.iter();
    match (options.command, &options.module) {
        (_, Some(m)) => {
            rest.next();
            argv.push(Value::str("-m"));
            argv.push(Value::str(m));
        }
        (true, None) => {
            rest.next();
            argv.push(Value::str("-c"));
            argv.push(Value::str(source.unwrap_or("")));
        }
        (false, None) => {}
    }
    argv.extend(rest.map(|a| Value::str(a)));
    sys.dict.set_str("orig_argv", Value::list(argv));
}

/// `sys.displayhook(object)` (`sys_displayhook`): None is not shown; otherwise
/// `builtins._` is cleared, the repr and a newline are written to `sys.stdout`, and
/// `builtins._` becomes the object.
fn displayhook(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "displayhook", Style::O, &["object"], 1).parse(vm, &args, 0)?;
    let o = args.pos[0].clone();
    let Some(builtins) = vm.modules.get_str("builtins") else {
        return Err(vm.err("RuntimeError", "lost builtins module"));
    };
    if o.is_none() {
        return Ok(Value::None);
    }
    vm.setattr(&builtins, "_", Value::None)?;
    let out = super::sysmod::sys_attr(vm, "stdout");
    if out.is_none() {
        return Err(vm.err("RuntimeError", "lost sys.stdout"));
    }
    // `PyFile_WriteObject(o, outf, 0)`: the file's `write` first, then the repr.
    let write = vm.getattr(&out, "write")?;
    let text = vm.repr(&o)?;
    match vm.call1(&write, Value::str(&text)) {
        Ok(_) => {}
        // `sys_displayhook_unencodable` writes the repr escaped by the stream's encoding.
        Err(super::Throw::Exc(e)) if vm.is_instance_of(&e, "UnicodeEncodeError") => {
            return Err(vm.unsupported("sys.displayhook of a repr sys.stdout cannot encode"))
        }
        Err(e) => return Err(e),
    }
    super::builtins::write_to(vm, &out, "\n")?;
    vm.setattr(&builtins, "_", o)?;
    Ok(Value::None)
}

/// `sys.call_tracing(func, args)` (`_PyEval_CallTracing`): `func(*args)` with tracing
/// re-enabled, so a trace function can have a call of its own traced.
fn call_tracing(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // METH_FASTCALL without keywords: refused before the count is checked.
    if !args.kw.is_empty() {
        return Err(vm.type_error("sys.call_tracing() takes no keyword arguments"));
    }
    let [func, fargs] = Spec::function("call_tracing", Style::Positional, &["func", "args"], 2)
        .bind::<2>(vm, &args, 0)?;
    let (func, fargs) = (required(func), required(fargs));
    let Value::Tuple(items) = fargs.builtin_value() else {
        return Err(vm.type_error(format!(
            "call_tracing() argument 2 must be tuple, not {}",
            vm.type_of(&fargs).name()
        )));
    };
    let items = items.to_vec();
    let saved = std::mem::take(&mut vm.trace.tracing);
    let result = vm.call(&func, Args::new(items));
    vm.trace.tracing = saved;
    result
}

/// `sys.breakpointhook(*args, **kws)` reads PYTHONBREAKPOINT and imports a debugger
/// (pdb by default), which the sandbox does not run.
fn breakpointhook(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.breakpointhook (it starts a debugger)"))
}

/// `sys.addaudithook(hook)`: the VM raises none of CPython's audit events, so an added
/// hook would never be called where CPython calls it.
fn addaudithook(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.addaudithook (the VM raises no audit events)"))
}

/// `sys.getrefcount(object)`: the VM does not count references as CPython does.
fn getrefcount(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.getrefcount"))
}

/// `sys.getsizeof(object[, default])`: the object's `__sizeof__` plus the GC header of a
/// tracked object, in CPython 3.12's 64-bit layouts. The VM knows them for the fixed-size
/// and immutable built-in values whose size depends on nothing but the value: None, the
/// singletons, bool, int (24 bytes and 4 per 30-bit digit, at least one), float, complex,
/// bytes, ASCII str (a compact ASCII object and its NUL), tuple (with the 16-byte GC
/// header), range and a plain `object()`. Others (a list's or dict's size depends on its
/// growth, a non-ASCII str's on whether its UTF-8 form was cached) are unsupported.
fn getsizeof(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [obj, _default] = Spec::function("getsizeof", Style::Keywords, &["object", "default"], 1)
        .keywords(0, 2)
        .bind::<2>(vm, &args, 0)?;
    let obj = required(obj);
    let size: Option<u64> = match &obj {
        Value::None | Value::Ellipsis | Value::NotImplemented => Some(16),
        Value::Bool(_) => Some(28),
        Value::Int(_) | Value::BigInt(_) => super::int::num(&obj).map(|n| {
            let bits = match n {
                crate::arith::Num::Int(i) => u64::from(64 - i.unsigned_abs().leading_zeros()),
                crate::arith::Num::Big(b) => b.bits(),
                _ => 0,
            };
            24 + 4 * bits.div_ceil(30).max(1)
        }),
        Value::Float(_) => Some(24),
        Value::Complex(_) => Some(32),
        Value::Bytes(b) => Some(33 + b.len() as u64),
        Value::Str(t) if t.is_ascii() => Some(41 + t.len() as u64),
        Value::Tuple(t) => Some(40 + 8 * t.len() as u64),
        Value::Range(_) => Some(48),
        Value::Object(o) if Rc::ptr_eq(&o.class.borrow(), &vm.ty("object")) => Some(16),
        _ => None,
    };
    match size {
        Some(n) => Ok(Value::Int(n as i64)),
        None => Err(vm.unsupported(format!(
            "sys.getsizeof of a '{}' object (CPython's size of it depends on its layout and history)",
            vm.type_of(&obj).name()
        ))),
    }
}

/// `sys.getallocatedblocks()`: CPython's allocator statistics.
fn getallocatedblocks(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.getallocatedblocks"))
}

/// `sys.getunicodeinternedsize()`: the size of CPython's interned-string table.
fn getunicodeinternedsize(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.getunicodeinternedsize"))
}

/// `sys.getswitchinterval()`: the stored microseconds times 1e-6.
fn getswitchinterval(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "getswitchinterval", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Float(1e-6 * vm.sys_state.switch_interval as f64))
}

/// `sys.setswitchinterval(interval)` (`sys_setswitchinterval_impl`): a strictly positive
/// float, stored as `(unsigned long)(1e6 * interval)` microseconds.
fn setswitchinterval(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [interval] = Spec::method("sys", "setswitchinterval", Style::O, &["interval"], 1)
        .bind::<1>(vm, &args, 0)?;
    let interval = super::modules::math::to_double(vm, &required(interval))?;
    if interval <= 0.0 {
        return Err(vm.value_error("switch interval must be strictly positive"));
    }
    let micros = 1e6 * interval;
    // C's conversion of a NaN or of a value beyond the integer type is undefined; what
    // the compiled CPython stores then is not modelled.
    if micros.is_nan() || micros >= 9.223_372_036_854_776e18 {
        return Err(vm.unsupported("sys.setswitchinterval beyond a C unsigned long"));
    }
    vm.sys_state.switch_interval = micros as u64;
    Ok(Value::None)
}

fn getdlopenflags(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "getdlopenflags", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(vm.sys_state.dlopenflags.into()))
}

/// `sys.setdlopenflags(flags)`: stored for the extension modules loaded later (the VM
/// loads none) and read back by `getdlopenflags`.
fn setdlopenflags(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [flags] =
        Spec::method("sys", "setdlopenflags", Style::O, &["flags"], 1).bind::<1>(vm, &args, 0)?;
    vm.sys_state.dlopenflags = vm.c_int(&required(flags))?;
    Ok(Value::None)
}

fn get_coroutine_origin_tracking_depth(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method(
        "sys",
        "get_coroutine_origin_tracking_depth",
        Style::NoArgs,
        &[],
        0,
    )
    .parse(vm, &args, 0)?;
    Ok(Value::Int(vm.sys_state.origin_depth.into()))
}

/// `sys.set_coroutine_origin_tracking_depth(depth)`: stored; while it is above zero a
/// coroutine's creation is unsupported (the VM does not record `cr_origin`), see
/// `ops::generators::return_generator`.
fn set_coroutine_origin_tracking_depth(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [depth] = Spec::function(
        "set_coroutine_origin_tracking_depth",
        Style::Keywords,
        &["depth"],
        1,
    )
    .keywords(0, 1)
    .bind::<1>(vm, &args, 0)?;
    let depth = vm.c_int(&required(depth))?;
    if depth < 0 {
        return Err(vm.value_error("depth must be >= 0"));
    }
    vm.sys_state.origin_depth = depth;
    Ok(Value::None)
}

/// `sys.get_asyncgen_hooks()`: the `asyncgen_hooks(firstiter, finalizer)` struct sequence.
fn get_asyncgen_hooks(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "get_asyncgen_hooks", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let s = &vm.sys_state;
    let values = vec![s.asyncgen_firstiter.clone(), s.asyncgen_finalizer.clone()];
    Ok(super::structseq::make(vm, "asyncgen_hooks", values))
}

/// `sys.set_asyncgen_hooks([firstiter] [, finalizer])` (`sys_set_asyncgen_hooks`,
/// `PyArg_ParseTupleAndKeywords` with "|OO"): the finalizer is checked and set first,
/// then the first-iteration hook (`ops::generators::asyncgen_init_hooks` calls it; an
/// async generator freed while suspended with a finalizer recorded is unsupported, where
/// CPython would call the finalizer); None clears.
fn set_asyncgen_hooks(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let names = ["firstiter", "finalizer"];
    let given = args.pos.len() + args.kw.len();
    if given > 2 {
        return Err(vm.type_error(format!(
            "function takes at most 2 arguments ({given} given)"
        )));
    }
    let mut slots: [Option<Value>; 2] = [args.pos.first().cloned(), args.pos.get(1).cloned()];
    for (k, v) in &args.kw {
        match names.iter().position(|n| *n == &**k) {
            Some(i) if slots[i].is_some() => {
                return Err(vm.type_error(format!(
                    "argument for function given by name ('{k}') and position ({})",
                    i + 1
                )))
            }
            Some(i) => slots[i] = Some(v.clone()),
            None => {
                return Err(vm.type_error(format!(
                    "'{k}' is an invalid keyword argument for this function"
                )))
            }
        }
    }
    let [firstiter, finalizer] = slots;
    for (name, v) in [("finalizer", finalizer), ("firstiter", firstiter)] {
        match v {
            None => {}
            Some(Value::None) => {
                if name == "finalizer" {
                    vm.sys_state.asyncgen_finalizer = Value::None;
                } else {
                    vm.sys_state.asyncgen_firstiter = Value::None;
                }
            }
            Some(f) if !super::builtins::is_callable(vm, &f) => {
                return Err(vm.type_error(format!(
                    "callable {name} expected, got {}",
                    vm.type_of(&f).name()
                )))
            }
            Some(f) => {
                if name == "finalizer" {
                    vm.sys_state.asyncgen_finalizer = f;
                } else {
                    vm.sys_state.asyncgen_firstiter = f;
                }
            }
        }
    }
    Ok(Value::None)
}

/// `sys.activate_stack_trampoline(backend)`: perf's trampolines are native code the VM
/// does not generate.
fn activate_stack_trampoline(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.activate_stack_trampoline"))
}

/// `sys.deactivate_stack_trampoline()`: no trampoline is ever active, so nothing to do
/// (as `_PyPerfTrampoline_Init(0)` does then).
fn deactivate_stack_trampoline(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "deactivate_stack_trampoline", Style::NoArgs, &[], 0)
        .parse(vm, &args, 0)?;
    Ok(Value::None)
}

fn is_stack_trampoline_active(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("sys", "is_stack_trampoline_active", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Bool(false))
}

/// `sys.monitoring` (Python/instrumentation.c, `_Py_CreateMonitoringObject`): a module
/// object that is not in `sys.modules`, with the tool ids, the `events` namespace, the
/// DISABLE and MISSING sentinels (plain objects) and its functions.
fn monitoring(vm: &mut Vm) -> Value {
    let d = Dict::new_rc();
    d.set_str("__name__", Value::str("sys.monitoring"));
    for n in ["__doc__", "__package__", "__loader__", "__spec__"] {
        d.set_str(n, Value::None);
    }
    for &(n, f) in super::monitoring::FUNCTIONS {
        d.set_str(
            n,
            Value::Builtin(Rc::new(Builtin {
                name: n,
                owner: None,
                func: f,
                module: Some("sys.monitoring"),
            })),
        );
    }
    let object = vm.ty("object");
    let disable = vm.new_instance(&object, &Args::default());
    let missing = vm.new_instance(&object, &Args::default());
    vm.trace.monitors.disable = Some(disable.clone());
    vm.trace.monitors.missing = Some(missing.clone());
    d.set_str("DISABLE", disable);
    d.set_str("MISSING", missing);
    for (n, id) in [
        ("DEBUGGER_ID", 0),
        ("COVERAGE_ID", 1),
        ("PROFILER_ID", 2),
        ("OPTIMIZER_ID", 5),
    ] {
        d.set_str(n, Value::Int(id));
    }
    let events = vm.new_instance(&vm.ty("SimpleNamespace"), &Args::default());
    if let Value::Object(o) = &events {
        for (i, n) in super::monitoring::EVENT_NAMES.iter().enumerate() {
            o.dict.set_str(n, Value::Int(1 << i));
        }
        o.dict.set_str("NO_EVENTS", Value::Int(0));
    }
    d.set_str("events", events);
    Value::Module(Rc::new(Module {
        name: Rc::from("sys.monitoring"),
        dict: d,
        file: None,
    }))
}
