//! Virtual child processes: a program that starts `sys.executable` (python3.12, which the
//! VM stands for) gets another run of the VM as its child, in this process
//! (`_posixsubprocess.fork_exec` records it, [`start`]). Any other program stays
//! unsupported: the sandbox starts no process.
//!
//! The child runs when the parent first waits on it — a read of one of its output pipes
//! (`pipes`), `select.poll` or `select.select` on them, `os.waitpid` — and runs to its end
//! then: one of the schedules CPython may take, the parent blocked meanwhile. It runs on
//! a thread of its own (the VM keeps its state per thread, so the thread is a fresh
//! interpreter), and what crosses is plain data: its command line and environment, the
//! bytes of its stdin, a copy of the scratch file system in, and out its output, its exit
//! status and the scratch files as it left them (`Scratch::restore`). What the child
//! cannot do as CPython does makes the parent's run unsupported, with the child's reason.
//!
//! Output a schedule could order otherwise is unsupported: the child writing where the
//! parent has output its buffer still holds, the child's stdout and stderr sharing one
//! pipe in an order the VM does not know, more than a pipe holds in a pipe the parent is
//! not reading while it waits.

use std::cell::RefCell;
use std::rc::Rc;

use super::cmdline::{self, CommandLine, Program};
use super::interp::Vm;
use super::object::Value;
use super::pipes::{Pipe, PipeEnd, CAPACITY};
use super::scratch::Snapshot;
use super::{PyResult, Throw};
use crate::{End, RunOptions, RunResult};

/// The children a run started, by pid.
#[derive(Debug, Default)]
pub struct Children {
    list: RefCell<Vec<Child>>,
}

#[derive(Debug)]
struct Child {
    pid: i64,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Started, not yet run.
    Pending(Box<Start>),
    /// Ended with this wait status (waitpid's), not yet waited for.
    Exited(i64),
    /// Waited for: its pid is no longer the parent's child.
    Reaped,
}

/// Where a child's stdin comes from.
#[derive(Debug)]
pub enum Source {
    /// The parent's own stdin.
    Inherit,
    Pipe(PipeEnd),
}

/// Where a child's stdout or stderr goes.
#[derive(Debug)]
pub enum Sink {
    /// The parent's stdout (descriptor 1).
    Stdout,
    /// The parent's stderr (descriptor 2).
    Stderr,
    Pipe(PipeEnd),
}

/// What `fork_exec` hands over: the child's command line, environment and streams.
#[derive(Debug)]
pub struct Start {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Source,
    pub stdout: Sink,
    pub stderr: Sink,
}

/// Records a child that will run `start` (`None`: one whose exec failed, which exits
/// with 255) and gives its pid: after the VM's own, as a fresh process's would be.
pub fn start(vm: &Vm, start: Option<Start>) -> i64 {
    let mut list = vm.children.list.borrow_mut();
    let pid = i64::from(std::process::id()) + 1 + list.len() as i64;
    let state = match start {
        Some(s) => State::Pending(Box::new(s)),
        None => State::Exited(255 << 8),
    };
    list.push(Child { pid, state });
    pid
}

/// `waitpid(pid, options)` of a child: its pid and wait status once it has ended (it runs
/// now if it has not), `(0, 0)` with WNOHANG for one that has not run (the parent did not
/// wait: it has not been scheduled), `None` for a pid that is not a child (ECHILD).
/// `pid` -1 is any child.
pub fn wait(vm: &mut Vm, pid: i64, nohang: bool) -> PyResult<Option<(i64, i64)>> {
    let found = vm
        .children
        .list
        .borrow()
        .iter()
        .position(|c| (c.pid == pid || pid == -1) && !matches!(c.state, State::Reaped));
    let Some(i) = found else {
        return Ok(None);
    };
    if nohang && matches!(vm.children.list.borrow()[i].state, State::Pending(_)) {
        return Ok(Some((0, 0)));
    }
    run(vm, i, &[])?;
    let mut list = vm.children.list.borrow_mut();
    let child = &mut list[i];
    match std::mem::replace(&mut child.state, State::Reaped) {
        State::Exited(status) => Ok(Some((child.pid, status))),
        _ => Err(vm.bug("a child that ran has no exit status")),
    }
}

/// `kill(pid, sig)` of a child: one not yet run is killed before it starts (its status
/// says the signal); one that has ended is left alone. `false`: `pid` is no child.
pub fn kill(vm: &Vm, pid: i64, sig: i64) -> bool {
    let mut list = vm.children.list.borrow_mut();
    let Some(child) = list
        .iter_mut()
        .find(|c| c.pid == pid && !matches!(c.state, State::Reaped))
    else {
        return false;
    };
    if sig != 0 && matches!(child.state, State::Pending(_)) {
        // Its pipe ends close with it.
        child.state = State::Exited(sig & 0x7f);
    }
    true
}

/// Runs every child not yet run (the parent sleeps: `time.sleep`).
pub fn run_all(vm: &mut Vm) -> PyResult<()> {
    loop {
        let pending = vm
            .children
            .list
            .borrow()
            .iter()
            .position(|c| matches!(c.state, State::Pending(_)));
        match pending {
            Some(i) => run(vm, i, &[])?,
            None => return Ok(()),
        }
    }
}

/// The first child not yet run that holds a writing end of one of `pipes`.
fn pending_writer(vm: &Vm, pipes: &[Rc<Pipe>]) -> Option<usize> {
    vm.children
        .list
        .borrow()
        .iter()
        .position(|c| match &c.state {
            State::Pending(s) => pipes.iter().any(|p| holds(s, p)),
            _ => false,
        })
}

/// Runs the children that hold a writing end of `pipe`, until it has bytes or none is
/// left: a reader of it would wait for them.
pub fn feed(vm: &mut Vm, pipe: &Rc<Pipe>, watched: &[Rc<Pipe>]) -> PyResult<()> {
    while pipe.available() == 0 && !pipe.writers_closed() {
        let holder = pending_writer(vm, std::slice::from_ref(pipe));
        match holder {
            Some(i) => run(vm, i, watched)?,
            None => break,
        }
    }
    Ok(())
}

/// Runs every child not yet run that writes to one of `pipes` (what a poll of them
/// waits for).
pub fn feed_all(vm: &mut Vm, pipes: &[Rc<Pipe>]) -> PyResult<bool> {
    let mut ran = false;
    loop {
        let holder = pending_writer(vm, pipes);
        match holder {
            Some(i) => {
                run(vm, i, pipes)?;
                ran = true;
            }
            None => return Ok(ran),
        }
    }
}

/// Whether a child not yet run holds the reading end of `pipe` (a write to it does not
/// block: the child reads it all when it runs).
pub fn reads(vm: &Vm, pipe: &Rc<Pipe>) -> bool {
    vm.children.list.borrow().iter().any(|c| match &c.state {
        State::Pending(s) => matches!(&s.stdin, Source::Pipe(e) if Rc::ptr_eq(&e.pipe, pipe)),
        _ => false,
    })
}

fn holds(s: &Start, pipe: &Rc<Pipe>) -> bool {
    [&s.stdout, &s.stderr]
        .iter()
        .any(|k| matches!(k, Sink::Pipe(e) if Rc::ptr_eq(&e.pipe, pipe)))
}

/// What the child's thread takes: plain data only.
struct Setup {
    cmd: CommandLine,
    env: Vec<(String, String)>,
    scratch: Snapshot,
    /// A piped stdin: the bytes it holds, and whether its writers have all closed.
    stdin: Option<(Vec<u8>, bool)>,
}

/// What comes back from the child's thread besides its [`RunResult`].
#[derive(Default)]
struct Exported {
    scratch: Option<Snapshot>,
    fuel_used: u64,
    stdout_flushed: bool,
}

thread_local! {
    /// The child's setup, from its thread's start to [`at_start`].
    static SETUP: RefCell<Option<Setup>> = const { RefCell::new(None) };
    /// The environment of the run on this thread when it is a child (`posix.environ`).
    static ENVIRON: RefCell<Option<Vec<(String, String)>>> = const { RefCell::new(None) };
    /// What [`at_end`] leaves for the parent.
    static EXPORTED: RefCell<Option<Exported>> = const { RefCell::new(None) };
    /// The writing end of a child's stdin pipe that its parent still held open: reading
    /// past the bytes would wait for the parent, which waits for the child.
    static STDIN_WRITER: RefCell<Option<PipeEnd>> = const { RefCell::new(None) };
}

/// The run's environment: the sandbox's fixed one, or a child's own.
pub fn environ() -> Vec<(String, String)> {
    ENVIRON.with(|e| e.borrow().clone()).unwrap_or_else(|| {
        super::modules::posix::ENVIRON
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    })
}

/// Called by `eval::run_module` once `sys` is set up: for a child, its scratch files and
/// what its command line sets in `sys`.
pub fn at_start(vm: &mut Vm) {
    let Some(setup) = SETUP.with(|s| s.borrow_mut().take()) else {
        return;
    };
    vm.scratch.restore(setup.scratch);
    ENVIRON.with(|e| *e.borrow_mut() = Some(setup.env));
    EXPORTED.with(|e| *e.borrow_mut() = Some(Exported::default()));
    let stdin = match setup.stdin {
        Some((bytes, eof)) => {
            let (r, w) = Pipe::open(vm.scratch.ino());
            w.pipe.put(&bytes);
            if !eof {
                STDIN_WRITER.with(|s| *s.borrow_mut() = Some(w));
            }
            vm.scratch.fds.borrow_mut().insert(
                0,
                super::scratch::Fd {
                    file: None,
                    dir: None,
                    pos: 0,
                    readable: true,
                    writable: false,
                    append: false,
                    pipe: Some(r),
                    ..Default::default()
                },
            );
            super::modules::io::pipefile::stdin(vm).ok()
        }
        None => None,
    };
    // `sys.set_int_max_str_digits`'s state, from -X int_max_str_digits or the environment.
    vm.int_max_str_digits =
        usize::try_from(setup.cmd.flags[cmdline::INT_MAX_STR_DIGITS]).unwrap_or(4300);
    let Some(Value::Module(sys)) = vm.modules.get_str("sys") else {
        return;
    };
    let flags = setup
        .cmd
        .flags
        .iter()
        .enumerate()
        .map(|(i, &f)| match cmdline::BOOL_FLAGS.contains(&i) {
            true => Value::Bool(f != 0),
            false => Value::Int(f),
        })
        .collect();
    sys.dict
        .set_str("flags", super::structseq::make(vm, "flags", flags));
    let xoptions = super::dict::Dict::new_rc();
    for (k, v) in &setup.cmd.xoptions {
        xoptions.set_str(k, v.as_deref().map_or(Value::Bool(true), Value::str));
    }
    sys.dict.set_str("_xoptions", Value::Dict(xoptions));
    let orig = setup.cmd.orig_argv.iter().map(|a| Value::str(a)).collect();
    sys.dict.set_str("orig_argv", Value::list(orig));
    if let Some(stdin) = stdin {
        sys.dict.set_str("stdin", stdin.clone());
        sys.dict.set_str("__stdin__", stdin);
    }
    // `pymain_run_python`'s sys.path[0] (unless -P or -I): the script's directory, the
    // working directory for -m, '' for -c.
    if setup.cmd.flags[cmdline::SAFE_PATH] == 0 {
        let first = match &setup.cmd.program {
            Program::Command(_) => Some(String::new()),
            Program::Module(_) => std::env::current_dir()
                .ok()
                .map(|d| d.display().to_string()),
            Program::Script(_) => std::path::Path::new(&*vm.filename)
                .parent()
                .map(|d| d.display().to_string()),
            Program::Version | Program::Usage(_) | Program::Fatal(..) => None,
        };
        if let (Some(first), Some(Value::List(path))) = (first, sys.dict.get_str("path")) {
            path.items.borrow_mut().insert(0, Value::str(&first));
        }
    }
}

/// Called by `eval::run_module` at the end of a run: a child leaves its scratch files and
/// the fuel it used for its parent.
pub fn at_end(vm: &Vm) {
    EXPORTED.with(|e| {
        if let Some(x) = e.borrow_mut().as_mut() {
            x.scratch = Some(vm.scratch.snapshot());
            x.fuel_used = vm.fuel_used;
            x.stdout_flushed = vm.stdout_flushed > 0;
        }
    });
    STDIN_WRITER.with(|s| s.borrow_mut().take());
    crate::compile::set_no_debug_ranges(false);
}

/// Runs the child at `i` if it has not run, to its end; `watched` are the pipes the
/// parent is reading meanwhile.
fn run(vm: &mut Vm, i: usize, watched: &[Rc<Pipe>]) -> PyResult<()> {
    let start = {
        let mut list = vm.children.list.borrow_mut();
        let child = &mut list[i];
        if !matches!(child.state, State::Pending(_)) {
            return Ok(());
        }
        match std::mem::replace(&mut child.state, State::Exited(0)) {
            State::Pending(s) => *s,
            _ => return Err(vm.bug("a pending child that is not")),
        }
    };
    let shown = format!("{:?}", start.argv);
    let cmd = cmdline::parse(&start.argv, &start.env)
        .map_err(|what| vm.unsupported(format!("a child python3.12 with {what}: {shown}")))?;
    if vm.scratch.any_unflushed() {
        return Err(vm.unsupported(format!(
            "starting the child {shown} while a buffered writer of a file has not flushed \
             it (what the child reads depends on the buffer's size)"
        )));
    }
    let (result, exported) = match &cmd.program {
        Program::Usage(message) => (
            exited(
                cmdline::usage_text(start.argv.first().map_or("", String::as_str), message),
                2,
            ),
            Exported::default(),
        ),
        Program::Fatal(func, message) => (
            exited(cmdline::fatal_text(func, message), 1),
            Exported::default(),
        ),
        Program::Version => (
            RunResult {
                stdout: "Python 3.12.1\n".to_owned(),
                ..RunResult::default()
            },
            Exported::default(),
        ),
        program => {
            let (source, options) = match child_options(vm, &cmd, program, &shown)? {
                Ok(run) => run,
                Err(done) => {
                    let left = (done, Exported::default());
                    return finish(vm, i, (&start, &cmd), left, watched, &shown);
                }
            };
            let stdin = match &start.stdin {
                Source::Pipe(end) => Some((end.pipe.take(usize::MAX), end.pipe.writers_closed())),
                Source::Inherit => None,
            };
            let setup = Setup {
                cmd: cmd.clone(),
                env: start.env.clone(),
                scratch: vm.scratch.snapshot(),
                stdin,
            };
            let no_ranges = cmd.no_debug_ranges;
            let ran = super::on_eval_thread(move || {
                SETUP.with(|s| *s.borrow_mut() = Some(setup));
                crate::compile::set_no_debug_ranges(no_ranges);
                let r =
                    super::compile_and_run(&source, &options, super::interp::NATIVE_DEPTH_LIMIT);
                SETUP.with(|s| s.borrow_mut().take());
                ENVIRON.with(|e| e.borrow_mut().take());
                let x = EXPORTED.with(|e| e.borrow_mut().take()).unwrap_or_default();
                (r, x.scratch, x.fuel_used, x.stdout_flushed)
            });
            let (r, scratch, fuel_used, stdout_flushed) = ran.map_err(|e| vm.bug(e))?;
            (
                r,
                Exported {
                    scratch,
                    fuel_used,
                    stdout_flushed,
                },
            )
        }
    };
    finish(vm, i, (&start, &cmd), (result, exported), watched, &shown)
}

/// Takes in what the child at `i` left: its fuel, its end, its scratch files, its output.
fn finish(
    vm: &mut Vm,
    i: usize,
    (start, cmd): (&Start, &CommandLine),
    (result, exported): (RunResult, Exported),
    watched: &[Rc<Pipe>],
    shown: &str,
) -> PyResult<()> {
    vm.fuel_used += exported.fuel_used;
    vm.fuel_left = vm.fuel_left.saturating_sub(exported.fuel_used);
    let status = match result.end {
        End::Completed => 0,
        // `_Py_HandleSystemExit`'s other side: an uncaught KeyboardInterrupt ends the
        // process by SIGINT (`exit_sigint`), as the shell expects of an interrupted program.
        End::Exception(e) if e.type_name == "KeyboardInterrupt" => 2,
        End::Exception(e) => (i64::from(e.exit_code) & 0xff) << 8,
        End::OutOfFuel(_) => return Err(Throw::OutOfFuel),
        End::OutOfMemory { .. } => return Err(Throw::OutOfMemory),
        End::Unsupported(u) => {
            return Err(vm.unsupported(format!(
                "{} (in the child process {shown}, at {}:{})",
                u.feature, u.filename, u.line
            )))
        }
        End::Bug(b) => return Err(vm.bug(format!("in a child process: {b}"))),
    };
    if let Some(s) = exported.scratch {
        vm.scratch.restore(s);
    }
    deliver(
        vm,
        start,
        result.stdout,
        result.stderr,
        // stdout kept in its buffer to the end: not flushed, not unbuffered (-u), and the
        // host's PYTHONUNBUFFERED ignored (-E).
        !exported.stdout_flushed && !cmd.unbuffered && cmd.flags[7] != 0,
        watched,
        shown,
    )?;
    let mut list = vm.children.list.borrow_mut();
    list[i].state = State::Exited(status);
    // `start` (and with it the child's pipe ends) is dropped here: its pipes see the end.
    Ok(())
}

/// The child's program and options, as `framespec exec` sets them up for the parent, or
/// how the child ended without running anything.
fn child_options(
    vm: &mut Vm,
    cmd: &CommandLine,
    program: &Program,
    shown: &str,
) -> PyResult<Result<(String, RunOptions), RunResult>> {
    let base = RunOptions {
        fuel: vm.fuel_left,
        heap_limit_bytes: vm.heap.limit,
        stdlib: vm.stdlib.clone(),
        argv: cmd.argv.clone(),
        host_metadata: vm.host_metadata,
        ..RunOptions::default()
    };
    Ok(Ok(match program {
        Program::Command(code) => (
            code.clone(),
            RunOptions {
                filename: "<string>".to_owned(),
                command: true,
                ..base
            },
        ),
        Program::Module(m) => (
            String::new(),
            RunOptions {
                filename: "<string>".to_owned(),
                command: true,
                module: Some(m.clone()),
                ..base
            },
        ),
        Program::Script(path) => {
            let Some(abs) = super::modules::posix::scratchfs::absolute(vm, path) else {
                return Err(vm.unsupported(format!(
                    "the child {shown} runs the relative path {path:?} (the sandbox does not \
                     know the working directory)"
                )));
            };
            // `python FILE` shows the path made absolute, not normalised.
            let filename = match std::path::Path::new(path).is_absolute() {
                true => path.clone(),
                false => std::env::current_dir()
                    .map(|d| d.join(path).display().to_string())
                    .unwrap_or_else(|_| abs.display().to_string()),
            };
            let bytes = script_bytes(vm, path, &abs, shown)?;
            let Some(bytes) = bytes else {
                // pymain_run_file's message, exit status 2.
                let exe = cmd.orig_argv.first().cloned().unwrap_or_default();
                return Ok(Err(exited(
                    format!(
                        "{exe}: can't open file '{}': [Errno 2] No such file or directory\n",
                        abs.display()
                    ),
                    2,
                )));
            };
            if bytes.contains(&0) {
                return Err(vm.unsupported(format!(
                    "the child {shown} runs a script with a null byte (the tokenizer's error)"
                )));
            }
            let text = match crate::compile::decode_source_in(&bytes, vm.stdlib.as_deref()) {
                Ok(t) => t.into_owned(),
                Err(_) => {
                    return Err(vm.unsupported(format!(
                        "the child {shown} runs a script whose source does not decode"
                    )))
                }
            };
            (text, RunOptions { filename, ..base })
        }
        Program::Version | Program::Usage(_) | Program::Fatal(..) => {
            return Err(vm.bug("no program to run"))
        }
    }))
}

/// The script's bytes: a scratch file, or a file the sandbox may read; `None` when there
/// is no such file.
fn script_bytes(
    vm: &mut Vm,
    path: &str,
    abs: &std::path::Path,
    shown: &str,
) -> PyResult<Option<Vec<u8>>> {
    use super::scratch::{Found, Node};
    match vm.scratch.lookup(abs) {
        Some(Found::Node(Node::File(f))) => return Ok(Some(f.data.borrow().clone())),
        Some(Found::Missing) => return Ok(None),
        Some(_) => {
            return Err(vm.unsupported(format!(
                "the child {shown} runs {path:?}, which is not a file"
            )))
        }
        None => {}
    }
    let readable = match super::modules::posix::readable(vm, &abs.display().to_string()) {
        Ok(p) => p,
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "FileNotFoundError") => return Ok(None),
        Err(Throw::Exc(_)) => {
            return Err(vm.unsupported(format!(
                "the child {shown} runs {path:?}, which the sandbox does not read"
            )))
        }
        Err(e) => return Err(e),
    };
    match std::fs::read(&readable) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(vm.unsupported(format!("reading the child's script {path:?}: {e}"))),
    }
}

/// Puts the child's output where its streams go.
fn deliver(
    vm: &mut Vm,
    start: &Start,
    out: String,
    err: String,
    buffered_order: bool,
    watched: &[Rc<Pipe>],
    shown: &str,
) -> PyResult<()> {
    let same = match (&start.stdout, &start.stderr) {
        (Sink::Stdout, Sink::Stdout) | (Sink::Stderr, Sink::Stderr) => true,
        (Sink::Pipe(a), Sink::Pipe(b)) => Rc::ptr_eq(&a.pipe, &b.pipe),
        _ => false,
    };
    let pieces: Vec<(&Sink, String)> = if same {
        // CPython's stderr is line-buffered and its stdout, to a pipe, block-buffered:
        // unless stdout was flushed on the way or outgrew its buffer, the lines of
        // stderr come first and stdout at exit.
        if !out.is_empty() && !err.is_empty() {
            // Without -E the buffering also depends on the host's PYTHONUNBUFFERED, which
            // CPython's child would inherit and the sandbox's environment does not show.
            if !buffered_order || out.len() >= 8192 || !err.ends_with('\n') {
                return Err(vm.unsupported(format!(
                    "the child {shown} writes stdout and stderr to one place in an order \
                     the VM does not know (flushes, unbuffered output)"
                )));
            }
        }
        vec![(&start.stderr, err + &out)]
    } else {
        vec![(&start.stdout, out), (&start.stderr, err)]
    };
    for (sink, text) in pieces {
        if text.is_empty() {
            continue;
        }
        match sink {
            Sink::Stdout => {
                if vm.stdout.len() > vm.stdout_flushed {
                    return Err(vm.unsupported(format!(
                        "the child {shown} writes to the parent's stdout while the parent's \
                         own output is still in its buffer (the order depends on buffering)"
                    )));
                }
                vm.stdout.push_str(&text);
                vm.stdout_flushed = vm.stdout.len();
            }
            Sink::Stderr => {
                if !vm.stderr.is_empty() && !vm.stderr.ends_with('\n') {
                    return Err(vm.unsupported(format!(
                        "the child {shown} writes to the parent's stderr after a line the \
                         parent has not ended"
                    )));
                }
                vm.stderr.push_str(&text);
            }
            Sink::Pipe(end) => {
                if end.pipe.readers_closed() {
                    return Err(vm.unsupported(format!(
                        "the child {shown} writes to a pipe nobody reads (BrokenPipeError \
                         in the child)"
                    )));
                }
                let read_meanwhile = watched.iter().any(|p| Rc::ptr_eq(p, &end.pipe));
                if !read_meanwhile && !end.pipe.null && end.pipe.available() + text.len() > CAPACITY
                {
                    return Err(vm.unsupported(format!(
                        "the child {shown} writes more than a pipe holds while its parent \
                         waits without reading it (CPython would wait forever)"
                    )));
                }
                end.pipe.put(text.as_bytes());
            }
        }
    }
    Ok(())
}

/// The result of a child that ended before running a program: `stderr` written, then
/// `exit(code)` (a usage error, a fatal start-up error, a script that is not there).
fn exited(stderr: String, code: i32) -> RunResult {
    RunResult {
        stderr,
        end: End::Exception(crate::UncaughtException {
            type_name: "SystemExit".to_owned(),
            message: code.to_string(),
            traceback: Vec::new(),
            exit_code: code,
        }),
        ..RunResult::default()
    }
}
