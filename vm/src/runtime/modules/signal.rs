//! `_signal` (CPython `Modules/signalmodule.c`): Linux's signal numbers, the handler
//! table (`signal`, `getsignal`; the handler a process inherited for a signal Python does
//! not set itself is unsupported), `default_int_handler`, `strsignal`, `valid_signals`,
//! `siginterrupt` and `set_wakeup_fd(-1)`. No signal from outside ever reaches a program
//! in the VM; the program's own `raise_signal` (and `_thread.interrupt_main`,
//! `_testcapi.raise_SIGINT_then_send_None`) trips a signal whose handler is a Python
//! callable, and [`check`] runs the handler where CPython's eval breaker would. Everything
//! else that sends, waits for or blocks signals, or arms a timer (`alarm`, `pause`,
//! `setitimer`, `pthread_kill`, `pthread_sigmask`, `sigwait`, …) is present and
//! unsupported when called, as is a signal whose default action ends the process.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

const DOC: &str = "This module provides mechanisms to use signal handlers in Python.\n\nFunctions:\n\nalarm() -- cause SIGALRM after a specified time [Unix only]\nsetitimer() -- cause a signal (described below) after a specified\n               float time and the timer may restart then [Unix only]\ngetitimer() -- get current value of timer [Unix only]\nsignal() -- set the action for a given signal\ngetsignal() -- get the signal action for a given signal\npause() -- wait until a signal arrives [Unix only]\ndefault_int_handler() -- default SIGINT handler\n\nsignal constants:\nSIG_DFL -- used to refer to the system default handler\nSIG_IGN -- used to ignore the signal\nNSIG -- number of defined signals\nSIGINT, SIGTERM, etc. -- signal numbers\n\nitimer constants:\nITIMER_REAL -- decrements in real time, and delivers SIGALRM upon\n               expiration\nITIMER_VIRTUAL -- decrements only when the process is executing,\n               and delivers SIGVTALRM upon expiration\nITIMER_PROF -- decrements both when the process is executing and\n               when the system is executing on behalf of the process.\n               Coupled with ITIMER_VIRTUAL, this timer is usually\n               used to profile the time spent by the application\n               in user and kernel space. SIGPROF is delivered upon\n               expiration.\n\n\n*** IMPORTANT NOTICE ***\nA signal handler function is called with two arguments:\nthe first is the signal number, the second is the interrupted stack frame.";

/// The module's int constants on Linux x86-64.
const CONSTANTS: &[(&str, i64)] = &[
    ("ITIMER_PROF", 2),
    ("ITIMER_REAL", 0),
    ("ITIMER_VIRTUAL", 1),
    ("NSIG", 65),
    ("SIGABRT", 6),
    ("SIGALRM", 14),
    ("SIGBUS", 7),
    ("SIGCHLD", 17),
    ("SIGCLD", 17),
    ("SIGCONT", 18),
    ("SIGFPE", 8),
    ("SIGHUP", 1),
    ("SIGILL", 4),
    ("SIGINT", 2),
    ("SIGIO", 29),
    ("SIGIOT", 6),
    ("SIGKILL", 9),
    ("SIGPIPE", 13),
    ("SIGPOLL", 29),
    ("SIGPROF", 27),
    ("SIGPWR", 30),
    ("SIGQUIT", 3),
    ("SIGRTMAX", 64),
    ("SIGRTMIN", 34),
    ("SIGSEGV", 11),
    ("SIGSTKFLT", 16),
    ("SIGSTOP", 19),
    ("SIGSYS", 31),
    ("SIGTERM", 15),
    ("SIGTRAP", 5),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGUSR1", 10),
    ("SIGUSR2", 12),
    ("SIGVTALRM", 26),
    ("SIGWINCH", 28),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIG_BLOCK", 0),
    ("SIG_DFL", 0),
    ("SIG_IGN", 1),
    ("SIG_SETMASK", 2),
    ("SIG_UNBLOCK", 1),
];

/// glibc's `strsignal` for 1..=31; 34..=64 are the real-time signals.
const DESCRIPTIONS: [&str; 31] = [
    "Hangup",
    "Interrupt",
    "Quit",
    "Illegal instruction",
    "Trace/breakpoint trap",
    "Aborted",
    "Bus error",
    "Floating point exception",
    "Killed",
    "User defined signal 1",
    "Segmentation fault",
    "User defined signal 2",
    "Broken pipe",
    "Alarm clock",
    "Terminated",
    "Stack fault",
    "Child exited",
    "Continued",
    "Stopped (signal)",
    "Stopped",
    "Stopped (tty input)",
    "Stopped (tty output)",
    "Urgent I/O condition",
    "CPU time limit exceeded",
    "File size limit exceeded",
    "Virtual timer expired",
    "Profiling timer expired",
    "Window changed",
    "I/O possible",
    "Power failure",
    "Bad system call",
];

/// `signal.NSIG`.
const NSIG: i64 = 65;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "_signal", FUNCTIONS);
    for &(name, v) in CONSTANTS {
        d.set_str(name, Value::Int(v));
    }
    let error =
        super::super::classes::exception_class("itimer_error", "signal", vec![vm.ty("OSError")]);
    d.set_str("ItimerError", Value::Type(error));
    d.set_str("struct_siginfo", Value::Type(vm.ty("struct_siginfo")));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("signal", signal),
    ("getsignal", getsignal),
    ("default_int_handler", default_int_handler),
    ("strsignal", strsignal),
    ("valid_signals", valid_signals),
    ("siginterrupt", siginterrupt),
    ("set_wakeup_fd", set_wakeup_fd),
    ("raise_signal", raise_signal),
    ("alarm", unsupported),
    ("pause", unsupported),
    ("setitimer", unsupported),
    ("getitimer", unsupported),
    ("pthread_kill", unsupported),
    ("pthread_sigmask", unsupported),
    ("sigpending", unsupported),
    ("sigwait", unsupported),
    ("sigwaitinfo", unsupported),
    ("sigtimedwait", unsupported),
    ("pidfd_send_signal", unsupported),
];

fn unsupported(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported(
        "sending, awaiting or blocking a signal, or a timer (no signal reaches the VM)",
    ))
}

/// A signal number argument (a C int), checked against `1..NSIG`.
fn signal_number(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let n = i64::from(vm.c_int(v)?);
    if !(1..NSIG).contains(&n) {
        return Err(vm.value_error("signal number out of range"));
    }
    Ok(n)
}

/// The handler table as a process starts (`signal_get_set_handlers`, then
/// `signal_install_handlers`): SIGPIPE and SIGXFSZ are ignored, glibc's own 32 and 33 are
/// unknown (None); any other signal keeps the disposition the process inherited —
/// ignored is SIG_IGN, default is SIG_DFL, except SIGINT, whose default Python replaces
/// with `default_int_handler`. The inherited disposition is the process's own (the VM
/// runs where `python` would), read from /proc/self/status; a signal with a handler
/// there may be the VM's own runtime's (Rust catches SIGSEGV and SIGBUS), so what the
/// process inherited for it is unknown: unsupported.
fn initial(vm: &mut Vm, n: i64) -> PyResult<Value> {
    if matches!(n, 13 | 25) {
        return Ok(Value::Int(1));
    }
    if matches!(n, 32 | 33) {
        return Ok(Value::None);
    }
    match inherited(n) {
        Some(Inherited::Ignored) => Ok(Value::Int(1)),
        Some(Inherited::Default) if n == 2 => {
            // CPython imports _signal at start-up to install it.
            Ok(super::import(vm, "_signal")
                .and_then(|m| match m {
                    Value::Module(m) => m.dict.get_str("default_int_handler"),
                    _ => None,
                })
                .unwrap_or(Value::None))
        }
        Some(Inherited::Default) => Ok(Value::Int(0)),
        Some(Inherited::Caught) | None => Err(vm.unsupported(format!(
            "the handler of signal {n} before the program sets one (inherited from the parent process)"
        ))),
    }
}

/// A signal's disposition in this process.
enum Inherited {
    Default,
    Ignored,
    Caught,
}

/// The disposition of signal `n` in this process: the SigIgn and SigCgt masks of
/// /proc/self/status (bit n-1).
fn inherited(n: i64) -> Option<Inherited> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let mask = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
    };
    let bit = 1u64.checked_shl(u32::try_from(n - 1).ok()?)?;
    if mask("SigIgn:")? & bit != 0 {
        Some(Inherited::Ignored)
    } else if mask("SigCgt:")? & bit != 0 {
        Some(Inherited::Caught)
    } else {
        Some(Inherited::Default)
    }
}

/// The handler of signal `n` now (`getsignal`).
pub fn handler(vm: &mut Vm, n: i64) -> PyResult<Value> {
    match vm.signal_handlers.get(&n) {
        Some(h) => Ok(h.clone()),
        None => initial(vm, n),
    }
}

/// `signal(signalnum, handler)`: the previous handler; the new one is only recorded.
fn signal(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n, h] = Spec::method(
        "_signal",
        "signal",
        Style::Positional,
        &["signalnum", "handler"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let n = signal_number(vm, &n.unwrap_or_default())?;
    let h = h.unwrap_or_default();
    let ok = match h.builtin_value() {
        Value::Int(0 | 1) => true,
        Value::Bool(_) => true,
        other => super::super::builtins::is_callable(vm, other),
    };
    if !ok {
        return Err(vm.type_error(
            "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object",
        ));
    }
    if matches!(n, 9 | 19 | 32 | 33) {
        let exc = vm.new_exception(
            &vm.ty("OSError"),
            vec![Value::Int(22), Value::str("Invalid argument")],
        );
        return Err(vm.raise(exc));
    }
    let old = handler(vm, n)?;
    vm.signal_handlers.insert(n, h);
    Ok(old)
}

fn getsignal(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n] = Spec::method("_signal", "getsignal", Style::O, &["signalnum"], 1)
        .bind::<1>(vm, &args, 0)?;
    let n = signal_number(vm, &n.unwrap_or_default())?;
    handler(vm, n)
}

/// `default_int_handler(signalnum, frame)`: raises KeyboardInterrupt.
fn default_int_handler(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function(
        "default_int_handler",
        Style::Positional,
        &["signalnum", "frame"],
        2,
    )
    .parse(vm, &args, 0)?;
    Err(vm.err_args("KeyboardInterrupt", Vec::new()))
}

fn strsignal(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n] = Spec::method("_signal", "strsignal", Style::O, &["signalnum"], 1)
        .bind::<1>(vm, &args, 0)?;
    let n = signal_number(vm, &n.unwrap_or_default())?;
    Ok(match n {
        1..=31 => Value::str(DESCRIPTIONS[n as usize - 1]),
        34..=64 => Value::str(&format!("Real-time signal {}", n - 34)),
        _ => Value::None,
    })
}

/// `valid_signals()`: every signal number but glibc's own 32 and 33.
fn valid_signals(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_signal", "valid_signals", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let items: Vec<Value> = (1..NSIG)
        .filter(|n| !matches!(n, 32 | 33))
        .map(Value::Int)
        .collect();
    let list = Value::list(items);
    Ok(Value::Set(vm.new_set(false, Some(&list))?))
}

fn siginterrupt(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n, flag] = Spec::method(
        "_signal",
        "siginterrupt",
        Style::Positional,
        &["signalnum", "flag"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    signal_number(vm, &n.unwrap_or_default())?;
    vm.truthy(&flag.unwrap_or_default())?;
    Ok(Value::None)
}

/// `set_wakeup_fd(fd, /, *, warn_on_full_buffer=True)`: -1 (none) is all the sandbox has.
fn set_wakeup_fd(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [fd, _] = Spec::function(
        "set_wakeup_fd",
        Style::Keywords,
        &["fd", "warn_on_full_buffer"],
        1,
    )
    .keywords(1, 1)
    .bind::<2>(vm, &args, 0)?;
    match fd.unwrap_or_default() {
        Value::Int(-1) => Ok(Value::Int(-1)),
        _ => Err(vm.unsupported("a signal wakeup file descriptor")),
    }
}

/// Signals whose default action (SIG_DFL) is to do nothing (signal(7): Ign, and SIGCONT's
/// Cont for a running process).
const DEFAULT_IGNORED: &[i64] = &[17, 18, 23, 28];

/// What `raise(n)` does in the process: a Python handler is tripped (CPython's
/// `trip_signal`) for [`check`] to run; an ignored signal does nothing; a default action
/// that ends or stops the process is unsupported.
pub fn deliver(vm: &mut Vm, n: i64) -> PyResult<()> {
    let h = handler(vm, n)?;
    match h.builtin_value() {
        Value::Int(1) | Value::Bool(true) => Ok(()),
        Value::Int(0) | Value::Bool(false) if DEFAULT_IGNORED.contains(&n) => Ok(()),
        Value::Int(0) | Value::Bool(false) => Err(vm.unsupported(format!(
            "the default action of signal {n} (the process would end or stop)"
        ))),
        _ => {
            trip(vm, n);
            Ok(())
        }
    }
}

/// Marks signal `n` as arrived (CPython's `Handlers[n].tripped` and `is_tripped`).
pub fn trip(vm: &mut Vm, n: i64) {
    vm.signals_tripped |= 1u128 << n;
}

/// `_PyErr_CheckSignalsTstate`: calls the handler of each tripped signal, lowest number
/// first, with the signal number and the current frame. A handler's exception stops the
/// loop, the signals after it staying tripped for the next check.
pub fn check(vm: &mut Vm) -> PyResult<()> {
    // Only the main thread runs Python signal handlers (`_Py_ThreadCanHandleSignals`);
    // the signals stay tripped until it checks.
    if vm.thread_ident != super::thread::IDENT {
        return Ok(());
    }
    let mut tripped = std::mem::take(&mut vm.signals_tripped);
    for n in 1..NSIG {
        let bit = 1u128 << n;
        if tripped & bit == 0 {
            continue;
        }
        tripped &= !bit;
        let func = handler(vm, n)?;
        // A handler changed to SIG_IGN or SIG_DFL since the signal was tripped.
        if matches!(
            func.builtin_value(),
            Value::Int(0 | 1) | Value::Bool(_) | Value::None
        ) {
            let msg = format!("Signal {n} ignored due to race condition");
            let exc = vm.new_exception(&vm.ty("OSError"), vec![Value::str(&msg)]);
            super::super::unraisable::write_unraisable(vm, &exc, None, Value::None)?;
            continue;
        }
        let frame = match vm.frames.len().checked_sub(1) {
            Some(top) => vm.frame_object(top).map_or(Value::None, Value::Frame),
            None => Value::None,
        };
        if let Err(e) = vm.call(&func, Args::new(vec![Value::Int(n), frame])) {
            vm.signals_tripped |= tripped;
            return Err(e);
        }
    }
    Ok(())
}

/// `raise_signal(signalnum, /)`: the signal sent to the process itself, whose handler
/// runs before the call returns.
fn raise_signal(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [n] = Spec::method(
        "_signal",
        "raise_signal",
        Style::Positional,
        &["signalnum"],
        1,
    )
    .bind::<1>(vm, &args, 0)?;
    let n = i64::from(vm.c_int(&n.unwrap_or_default())?);
    if n == 0 {
        return Ok(Value::None);
    }
    if !(1..NSIG).contains(&n) {
        let exc = vm.new_exception(
            &vm.ty("OSError"),
            vec![Value::Int(22), Value::str("Invalid argument")],
        );
        return Err(vm.raise(exc));
    }
    deliver(vm, n)?;
    check(vm)?;
    Ok(Value::None)
}
