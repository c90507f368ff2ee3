//! `_thread` (CPython `Modules/_threadmodule.c`). The VM runs one thread at a time, and a
//! thread it starts runs to its end before `start_new_thread` returns: one of the
//! schedules CPython's may take (the new thread runs once the starting one waits, as
//! `threading.Thread.start` does, and a short thread ends within its first switch
//! interval). Any other schedule would need the thread to wait, and waiting is what the
//! VM cannot do: acquiring a held lock (a wait for a thread that is not running, or that
//! waits beneath the running one) is unsupported, as is a thread-local object shared by
//! threads (`_local`, one dict here). Each thread has its own frames (on top of the
//! frames of the thread that started it, its bottom frame with no `f_back`), handled
//! exception, trace and profile functions, C recursion budget and identity.

use std::cell::Cell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// The one thread's identity (`get_ident`; CPython's is an address, different per run).
pub const IDENT: i64 = 1;

/// `_thread.lock`.
#[derive(Debug, Default)]
pub struct Lock {
    pub locked: Cell<bool>,
}

/// `_thread.RLock`: its owner's identity (0: none) and how many times it holds it.
#[derive(Debug, Default)]
pub struct RLock {
    pub owner: Cell<i64>,
    pub count: Cell<u64>,
}

pub fn build_all(vm: &Vm, d: &Rc<Dict>) {
    build(d);
    add_types(vm, d);
}

fn build(d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_thread",
        &[
            ("allocate_lock", allocate_lock),
            ("allocate", allocate_lock),
            ("get_ident", get_ident),
            ("get_native_id", get_ident),
            ("_count", count),
            ("daemon_threads_allowed", daemon_threads_allowed),
            ("start_new_thread", start_new_thread),
            ("start_new", start_new),
            ("exit", exit),
            ("exit_thread", exit_thread),
            ("interrupt_main", interrupt_main),
            ("stack_size", stack_size),
            ("_set_sentinel", set_sentinel),
            ("_is_main_interpreter", is_main_interpreter),
            ("_excepthook", excepthook),
        ],
    );
    d.set_str("TIMEOUT_MAX", Value::Float(9223372036.0));
}

/// The module's types and exception, which need the VM's type registry.
fn add_types(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("LockType", Value::Type(vm.ty("lock")));
    d.set_str("RLock", Value::Type(vm.ty("RLock")));
    d.set_str("error", Value::Type(vm.ty("RuntimeError")));
    d.set_str("_local", Value::Type(vm.ty("_local")));
    d.set_str("_ExceptHookArgs", Value::Type(vm.ty("_ExceptHookArgs")));
}

thread_local! {
    /// A `_thread._local` object exists (its one dict would be every thread's).
    static LOCALS_MADE: Cell<bool> = const { Cell::new(false) };
}

/// Forgets the previous run's `_local` objects.
pub fn reset() {
    LOCALS_MADE.with(|m| m.set(false));
}

/// `start_new_thread(function, args, kwargs={})` (`thread_PyThread_start_new_thread`,
/// `thread_run`): the new thread runs `function(*args, **kwargs)` to its end now (see the
/// module's doc); an exception other than SystemExit escaping it is reported through
/// `sys.unraisablehook` ("Exception ignored in thread started by"). Returns its identity.
fn start_new_thread(vm: &mut Vm, args: Args) -> PyResult<Value> {
    start(vm, "start_new_thread", args)
}

/// `start_new`, the same function under its old name (METH_VARARGS names it in the
/// keyword error; PyArg_UnpackTuple's messages name `start_new_thread`).
fn start_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    start(vm, "start_new", args)
}

fn start(vm: &mut Vm, name: &str, args: Args) -> PyResult<Value> {
    // PyArg_UnpackTuple(fargs, "start_new_thread", 2, 3, ...), METH_VARARGS.
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let n = args.pos.len();
    if n < 2 {
        return Err(vm.type_error(format!(
            "start_new_thread expected at least 2 arguments, got {n}"
        )));
    }
    if n > 3 {
        return Err(vm.type_error(format!(
            "start_new_thread expected at most 3 arguments, got {n}"
        )));
    }
    let func = args.pos[0].clone();
    if !super::super::builtins::is_callable(vm, &func) {
        return Err(vm.type_error("first arg must be callable"));
    }
    let Value::Tuple(pos) = args.pos[1].builtin_value() else {
        return Err(vm.type_error("2nd arg must be a tuple"));
    };
    let kw = match args.pos.get(2).map(Value::builtin_value) {
        None => Vec::new(),
        Some(Value::Dict(d)) => d
            .items()
            .into_iter()
            .map(|(k, v)| match k {
                Value::Str(name) => Ok((name, v)),
                _ => Err(vm.type_error("keywords must be strings")),
            })
            .collect::<PyResult<_>>()?,
        Some(_) => return Err(vm.type_error("optional 3rd arg must be a dictionary")),
    };
    if LOCALS_MADE.with(Cell::get) {
        return Err(vm.unsupported(
            "starting a thread while a _thread._local object exists (the VM keeps one dict \
             per local object, not one per thread)",
        ));
    }
    // CPython's identities are the threads' pthread_t, which glibc reuses for the next
    // thread once one has ended: a thread's identity here is how deep it runs.
    let ident = IDENT + 1 + vm.thread_bases.len() as i64;
    let waiting = Switch::enter(vm, ident);
    let call = Args {
        pos: pos.to_vec(),
        kw,
    };
    let ran = match vm.call(&func, call) {
        Ok(_) => Ok(()),
        Err(super::super::Throw::Exc(e) | super::super::Throw::Reraise(e)) => {
            if vm.is_instance_of(&e, "SystemExit") {
                Ok(())
            } else {
                super::super::unraisable::write_unraisable(
                    vm,
                    &e,
                    Some("in thread started by"),
                    func.clone(),
                )
            }
        }
        Err(other) => Err(other),
    };
    // The thread state is deleted: the locks `_set_sentinel` gave it are released.
    vm.thread_sentinels.retain(|(owner, lock)| {
        if *owner == ident {
            if let Value::Native(n) = lock {
                if let Native::Lock(l) = &**n {
                    l.locked.set(false);
                }
            }
            false
        } else {
            true
        }
    });
    waiting.leave(vm);
    ran?;
    Ok(Value::Int(ident))
}

/// What the thread that starts another keeps of its own while the new one runs.
struct Switch {
    ident: i64,
    exc_info: Value,
    exc_chain: Vec<(u64, Value)>,
    c_depth: usize,
    trace: super::super::trace::ThreadTrace,
}

impl Switch {
    /// Makes the thread `ident` the running one, with no frames, no handled exception, no
    /// trace function and a fresh C recursion budget.
    fn enter(vm: &mut Vm, ident: i64) -> Switch {
        vm.thread_bases.push(vm.frames.len());
        Switch {
            ident: std::mem::replace(&mut vm.thread_ident, ident),
            exc_info: std::mem::replace(&mut vm.exc_info, Value::None),
            exc_chain: std::mem::take(&mut vm.exc_chain),
            c_depth: std::mem::replace(&mut vm.c_depth, 0),
            trace: vm.trace.swap_thread(Default::default()),
        }
    }

    /// Makes the starting thread the running one again.
    fn leave(self, vm: &mut Vm) {
        // The ended thread's current context and running loop go with its state
        // (`PyThreadState_Clear`): a later thread with the same identity starts afresh.
        let ended = vm.thread_ident;
        super::contextvars::forget_thread(vm, ended);
        vm.asyncio.running.remove(&ended);
        vm.thread_bases.pop();
        vm.thread_ident = self.ident;
        vm.exc_info = self.exc_info;
        vm.exc_chain = self.exc_chain;
        vm.c_depth = self.c_depth;
        vm.trace.swap_thread(self.trace);
    }
}

/// `exit()`: `SystemExit`, which ends the (main) thread.
fn exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "exit", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Err(vm.err_args("SystemExit", Vec::new()))
}

fn exit_thread(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "exit_thread", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Err(vm.err_args("SystemExit", Vec::new()))
}

fn interrupt_main(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // `PyErr_SetInterruptEx`: the signal is simulated, never sent, so a handler that is
    // SIG_IGN or SIG_DFL makes it do nothing; a Python handler runs at the CALL's
    // eval-breaker check.
    // METH_VARARGS parsed by PyArg_ParseTuple with "|i:signum", which names the parameter.
    if !args.kw.is_empty() {
        return Err(vm.type_error("interrupt_main() takes no keyword arguments"));
    }
    let [n] =
        Spec::function("signum", Style::ParseTuple, &["signum"], 0).bind::<1>(vm, &args, 0)?;
    let n = match n {
        Some(v) => i64::from(vm.parse_tuple_int(&v)?),
        None => 2,
    };
    if !(1..65).contains(&n) {
        return Err(vm.value_error("signal number out of range"));
    }
    let h = super::signal::handler(vm, n)?;
    if !matches!(h.builtin_value(), Value::Int(0 | 1) | Value::Bool(_)) {
        super::signal::trip(vm, n);
    }
    Ok(Value::None)
}

/// `stack_size([size])`: 0, the platform's default; setting another is unsupported.
fn stack_size(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [size] =
        Spec::function("stack_size", Style::ParseTuple, &["size"], 0).bind::<1>(vm, &args, 0)?;
    let size = match size {
        None => 0,
        Some(v) => super::super::argspec::index(vm, &v)?,
    };
    match size {
        0 => Ok(Value::Int(0)),
        s if s < 0 => Err(vm.value_error("size must be 0 or a positive value")),
        _ => Err(vm.unsupported("setting the thread stack size")),
    }
}

/// `_set_sentinel()`: a lock released when the running thread's state is deleted (for
/// the main thread, never).
fn set_sentinel(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "_set_sentinel", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let lock = new_lock();
    if vm.thread_ident != IDENT {
        vm.thread_sentinels.push((vm.thread_ident, lock.clone()));
    }
    Ok(lock)
}

fn is_main_interpreter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "_is_main_interpreter", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Bool(true))
}

/// `_excepthook(args)` (`thread_excepthook`, threading's default `excepthook`): the
/// report of an exception escaping `Thread.run` — "Exception in thread NAME:" and the
/// exception as the uncaught-exception report shows it, on `sys.stderr` (or, with that
/// None, the thread's `_stderr`), then a flush; SystemExit silently.
fn excepthook(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "_excepthook", Style::O, &["args"], 1).parse(vm, &args, 0)?;
    let fields = match &args.pos[0] {
        Value::Object(o) if Rc::ptr_eq(&o.class.borrow(), &vm.ty("_ExceptHookArgs")) => {
            o.slots.borrow().clone()
        }
        _ => return Err(vm.type_error("_thread.excepthook argument type must be ExceptHookArgs")),
    };
    let field = |i: usize| fields.get(i).cloned().flatten().unwrap_or(Value::None);
    let (exc_type, exc_value, exc_tb, thread) = (field(0), field(1), field(2), field(3));
    if matches!(&exc_type, Value::Type(t) if Rc::ptr_eq(t, &vm.ty("SystemExit"))) {
        return Ok(Value::None);
    }
    if !exc_value
        .exc()
        .is_some_and(|data| data.traceback.borrow().is(&exc_tb))
    {
        return Err(vm.unsupported(
            "_thread._excepthook with a value that is no exception or a traceback other \
             than its __traceback__",
        ));
    }
    let stderr = match vm.modules.get_str("sys") {
        Some(Value::Module(m)) => m.dict.get_str("stderr").unwrap_or(Value::None),
        _ => Value::None,
    };
    let file = if !stderr.is_none() {
        stderr
    } else if thread.is_none() {
        return Ok(Value::None);
    } else {
        let own = vm.getattr(&thread, "_stderr")?;
        if own.is_none() {
            return Ok(Value::None);
        }
        own
    };
    let name = if thread.is_none() {
        None
    } else {
        match vm.getattr(&thread, "name") {
            Ok(n) => Some(n),
            Err(super::super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => None,
            Err(e) => return Err(e),
        }
    };
    let name = match name {
        Some(n) => vm.str_of(&n)?,
        None => vm.thread_ident.to_string(),
    };
    let write = vm.getattr(&file, "write")?;
    vm.call1(&write, Value::str("Exception in thread "))?;
    vm.call1(&write, Value::str(&name))?;
    vm.call1(&write, Value::str(":\n"))?;
    let text = super::super::traceback::format_exception(vm, &exc_value)?;
    vm.call1(&write, Value::str(&text))?;
    let flush = vm.getattr(&file, "flush")?;
    vm.call0(&flush)?;
    Ok(Value::None)
}

/// `_thread._local()`: an object with one dict, which is right while one thread uses it
/// (`local_new` refuses arguments unless a subclass defines `__init__`); see
/// `start_new_thread`.
pub fn local_new(vm: &mut Vm, t: &Rc<super::super::types::Type>, args: Args) -> PyResult<Value> {
    if vm.thread_ident != IDENT {
        return Err(vm.unsupported(
            "a _thread._local object made in a thread other than the main one (the VM \
             keeps one dict per local object, not one per thread)",
        ));
    }
    LOCALS_MADE.with(|m| m.set(true));
    let own_init = t
        .lookup("__init__")
        .is_some_and(|i| !matches!(&i, Value::Builtin(b) if b.owner == Some("object")));
    if !own_init && (!args.pos.is_empty() || !args.kw.is_empty()) {
        return Err(vm.type_error("Initialization arguments are not supported"));
    }
    Ok(vm.new_instance(t, &Args::default()))
}

/// `_thread._local.__new__(cls, *args, **kwargs)`, which a subclass's instances are made
/// by (`local_new` for `cls`).
fn local_new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let mut rest = args.clone();
    let cls = if rest.pos.is_empty() {
        None
    } else {
        Some(rest.pos.remove(0))
    };
    let base = vm.ty("_local");
    match cls {
        Some(Value::Type(t)) if t.is_subtype(&base) => local_new(vm, &t, rest),
        Some(Value::Type(t)) => Err(vm.type_error(format!(
            "_thread._local.__new__({}): {} is not a subtype of _thread._local",
            t.name(),
            t.name()
        ))),
        Some(other) => {
            let n = vm.type_of(&other).name().clone();
            Err(vm.type_error(format!(
                "_thread._local.__new__(X): X is not a type object ({n})"
            )))
        }
        None => Err(vm.type_error("_thread._local.__new__(): not enough arguments")),
    }
}

pub fn new_lock() -> Value {
    Value::Native(Rc::new(Native::Lock(Lock::default())))
}

/// `_thread.RLock(*args, **kwargs)`: `rlock_new` ignores its arguments.
pub fn new_rlock(_vm: &Vm, _args: &Args) -> PyResult<Value> {
    Ok(Value::Native(Rc::new(Native::RLock(RLock::default()))))
}

fn allocate_lock(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "allocate_lock", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(new_lock())
}

fn get_ident(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "get_ident", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(vm.thread_ident))
}

/// `_count()`: the threads `start_new_thread` started that are running (here, the ones
/// waiting beneath the running thread, and it).
fn count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "_count", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Int(vm.thread_bases.len() as i64))
}

fn daemon_threads_allowed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_thread", "daemon_threads_allowed", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Bool(true))
}

/// The receiver of a lock method.
fn receiver<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a Native> {
    match args.pos.first() {
        Some(Value::Native(n)) => Ok(n),
        _ => Err(vm.bug("a lock method without a lock")),
    }
}

/// `acquire(blocking=True, timeout=-1)`: whether the call would wait, and for how long
/// (`None`: forever).
fn acquire_args(vm: &mut Vm, owner: &str, args: &Args) -> PyResult<(bool, f64)> {
    let got = Spec::method(
        owner,
        "acquire",
        Style::Keywords,
        &["blocking", "timeout"],
        0,
    )
    .keywords(0, 2)
    .parse(vm, args, 1)?;
    let blocking = match &got[0] {
        Some(b) => vm.truthy(b)?,
        None => true,
    };
    let timeout = match &got[1] {
        None => -1.0,
        Some(v) => match v.builtin_value() {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            _ => return Err(vm.unsupported("a lock timeout that is not an int or a float")),
        },
    };
    if !blocking && timeout != -1.0 {
        return Err(vm.value_error("can't specify a timeout for a non-blocking call"));
    }
    if timeout < 0.0 && timeout != -1.0 {
        return Err(vm.value_error("timeout value must be a non-negative number"));
    }
    Ok((blocking, timeout))
}

/// A blocking acquire of a held lock. With no thread waiting beneath the running one, no
/// other thread can release it (CPython waits for ever, or for the timeout); otherwise
/// the holder may be one that waits, which the VM cannot run until this thread ends.
fn would_wait(vm: &Vm, timeout: f64) -> super::super::Throw {
    if !vm.thread_bases.is_empty() {
        vm.unsupported(
            "acquiring a held lock in a thread (the VM runs a thread to its end before the \
             thread that started it goes on, so it cannot wait for another)",
        )
    } else if timeout < 0.0 {
        vm.unsupported("acquiring a held lock without a timeout (CPython waits forever)")
    } else {
        vm.unsupported("acquiring a held lock with a timeout (CPython waits that long)")
    }
}

fn lock_acquire(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (blocking, timeout) = acquire_args(vm, "lock", &args)?;
    let Native::Lock(l) = receiver(vm, &args)? else {
        return Err(vm.bug("lock.acquire without a lock"));
    };
    if !l.locked.get() {
        l.locked.set(true);
        return Ok(Value::Bool(true));
    }
    if blocking {
        return Err(would_wait(vm, timeout));
    }
    Ok(Value::Bool(false))
}

fn lock_release(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("lock", "release", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let Native::Lock(l) = receiver(vm, &args)? else {
        return Err(vm.bug("lock.release without a lock"));
    };
    if !l.locked.get() {
        return Err(vm.err("RuntimeError", "release unlocked lock"));
    }
    l.locked.set(false);
    Ok(Value::None)
}

fn lock_exit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Native::Lock(l) = receiver(vm, &args)? else {
        return Err(vm.bug("lock.__exit__ without a lock"));
    };
    if !l.locked.get() {
        return Err(vm.err("RuntimeError", "release unlocked lock"));
    }
    l.locked.set(false);
    Ok(Value::None)
}

fn lock_locked(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("lock", "locked", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let Native::Lock(l) = receiver(vm, &args)? else {
        return Err(vm.bug("lock.locked without a lock"));
    };
    Ok(Value::Bool(l.locked.get()))
}

fn rlock(vm: &Vm, args: &Args) -> PyResult<Rc<Native>> {
    match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::RLock(_)) => Ok(n.clone()),
        _ => Err(vm.bug("an RLock method without an RLock")),
    }
}

fn rlock_acquire(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (blocking, timeout) = acquire_args(vm, "RLock", &args)?;
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock.acquire without an RLock"));
    };
    if l.count.get() == 0 || l.owner.get() == vm.thread_ident {
        l.owner.set(vm.thread_ident);
        l.count.set(l.count.get() + 1);
        return Ok(Value::Bool(true));
    }
    if blocking {
        return Err(would_wait(vm, timeout));
    }
    Ok(Value::Bool(false))
}

fn rlock_release(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock.release without an RLock"));
    };
    if l.count.get() == 0 || l.owner.get() != vm.thread_ident {
        return Err(vm.err("RuntimeError", "cannot release un-acquired lock"));
    }
    l.count.set(l.count.get() - 1);
    if l.count.get() == 0 {
        l.owner.set(0);
    }
    Ok(Value::None)
}

fn rlock_is_owned(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock._is_owned without an RLock"));
    };
    Ok(Value::Bool(
        l.count.get() > 0 && l.owner.get() == vm.thread_ident,
    ))
}

fn rlock_recursion_count(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock._recursion_count without an RLock"));
    };
    let mine = l.owner.get() == vm.thread_ident;
    Ok(Value::Int(if mine { l.count.get() as i64 } else { 0 }))
}

/// `RLock._release_save()` (`rlock_release_save`, for `threading.Condition.wait`): lets
/// go of the lock however deep it is held, returning `(count, owner)`.
fn rlock_release_save(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock._release_save without an RLock"));
    };
    if l.count.get() == 0 {
        return Err(vm.err("RuntimeError", "cannot release un-acquired lock"));
    }
    let state = Value::tuple(vec![
        Value::Int(l.count.get() as i64),
        Value::Int(l.owner.get()),
    ]);
    l.count.set(0);
    l.owner.set(0);
    Ok(state)
}

/// `RLock._acquire_restore((count, owner))` (`rlock_acquire_restore`): takes the lock
/// again as `_release_save` left it; held by someone, it would wait (forever here).
fn rlock_acquire_restore(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let n = rlock(vm, &args)?;
    let Native::RLock(l) = &*n else {
        return Err(vm.bug("RLock._acquire_restore without an RLock"));
    };
    let state = match args.pos.get(1) {
        Some(Value::Tuple(t)) if args.pos.len() == 2 && args.kw.is_empty() => match &t[..] {
            [Value::Int(c), Value::Int(o)] if *c >= 0 && *o >= 0 => Some((*c, *o)),
            _ => None,
        },
        _ => None,
    };
    let Some((count, owner)) = state else {
        return Err(vm.unsupported("RLock._acquire_restore with a state other than (count, owner)"));
    };
    if l.count.get() > 0 {
        return Err(would_wait(vm, -1.0));
    }
    l.count.set(count as u64);
    l.owner.set(owner);
    Ok(Value::None)
}

/// `repr` of the two lock types.
pub fn repr(v: &Value, n: &Native) -> String {
    let state = |held: bool| if held { "locked" } else { "unlocked" };
    match n {
        Native::Lock(l) => format!(
            "<{} _thread.lock object at {:#x}>",
            state(l.locked.get()),
            v.address()
        ),
        Native::RLock(l) => format!(
            "<{} _thread.RLock object owner={} count={} at {:#x}>",
            state(l.count.get() > 0),
            l.owner.get(),
            l.count.get(),
            v.address()
        ),
        _ => String::new(),
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("lock", "acquire", lock_acquire),
    ("lock", "acquire_lock", lock_acquire),
    ("lock", "__enter__", lock_acquire),
    ("lock", "release", lock_release),
    ("lock", "release_lock", lock_release),
    ("lock", "__exit__", lock_exit),
    ("lock", "locked", lock_locked),
    ("lock", "locked_lock", lock_locked),
    ("RLock", "acquire", rlock_acquire),
    ("RLock", "__enter__", rlock_acquire),
    ("RLock", "release", rlock_release),
    ("RLock", "__exit__", rlock_release),
    ("RLock", "_is_owned", rlock_is_owned),
    ("RLock", "_recursion_count", rlock_recursion_count),
    ("RLock", "_release_save", rlock_release_save),
    ("RLock", "_acquire_restore", rlock_acquire_restore),
    ("_local", "__new__", local_new_method),
];
