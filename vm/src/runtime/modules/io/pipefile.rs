//! `_io` files over a pipe's descriptor (`open(fd)`, `FileIO(fd)`; what `subprocess`
//! makes of the pipes to its child: Modules/_io/fileio.c and bufferedio.c over a pipe).
//!
//! A reader takes the pipe's bytes into the file's own buffer when a read needs more
//! than it holds: all of them, a line, or a count — waiting, as CPython's blocking read
//! does, for the children that write to the pipe (`posix::children::wait_readable`). A
//! buffered writer keeps its bytes until it is flushed or closed (or holds a buffer's
//! worth, 8192 bytes), as BufferedWriter does, so a reader that has gone shows as
//! BrokenPipeError there; a raw FileIO writes at once.

use std::rc::Rc;

use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::PyResult;
use super::super::posix::children::{pipe_of, wait_readable, write_pipe};
use super::File;

/// How much a read needs in the file's buffer before it can answer.
pub enum Need {
    /// Everything up to the end of the data.
    All,
    /// At least this many bytes (fewer only at the end).
    Bytes(usize),
    /// A whole line (or the end).
    Line,
}

/// Opens descriptor `fd`, a pipe's end, as a file in the raw `mode` (`r` for the reading
/// end, `w` or `a` for the writing end); `buffered`: a BufferedReader or BufferedWriter
/// rather than a FileIO.
pub fn open(vm: &mut Vm, fd: i64, mode: &str, buffered: bool, closefd: bool) -> PyResult<Value> {
    let Some((_, write_end)) = pipe_of(vm, fd) else {
        return Err(vm.unsupported(format!(
            "opening the file descriptor {fd} (the VM opens only its pipes' descriptors)"
        )));
    };
    let kind = mode.chars().next().unwrap_or('r');
    if mode.contains('+') || kind == 'x' || (kind == 'r') == write_end {
        return Err(vm.unsupported(format!(
            "opening a pipe's descriptor in the mode {mode:?} (the other end's direction)"
        )));
    }
    Ok(Value::Native(Rc::new(Native::File(File {
        buffered,
        name: Value::Int(fd),
        data: Rc::default(),
        pos: Default::default(),
        closed: Default::default(),
        readable: !write_end,
        writable: write_end,
        append: kind == 'a',
        mode: if write_end {
            if kind == 'a' {
                "ab"
            } else {
                "wb"
            }
        } else {
            "rb"
        },
        scratch: None,
        dirty: Default::default(),
        pipe_fd: Some((fd, closefd)),
    }))))
}

/// Takes bytes from the pipe into `f`'s buffer until a read can answer `need`.
pub fn fill(vm: &mut Vm, f: &File, need: Need) -> PyResult<()> {
    let Some((fd, _)) = f.pipe_fd else {
        return Ok(());
    };
    loop {
        let enough = {
            let data = f.data.borrow();
            let rest = &data[f.pos.get().min(data.len())..];
            match need {
                Need::All => false,
                Need::Bytes(n) => rest.len() >= n,
                Need::Line => rest.contains(&b'\n'),
            }
        };
        if enough {
            return Ok(());
        }
        let Some((pipe, _)) = pipe_of(vm, fd) else {
            return Err(vm.unsupported("reading a file whose descriptor was closed"));
        };
        if pipe.available() == 0 {
            if pipe.writers_closed() {
                return Ok(());
            }
            wait_readable(vm, &pipe, std::slice::from_ref(&pipe))?;
        }
        let taken = pipe.take(usize::MAX);
        f.data.borrow_mut().extend(taken);
    }
}

/// `write(b)` of a file over a pipe: a raw file writes at once, a buffered one keeps the
/// bytes until a flush, or until it holds a buffer's worth.
pub fn write(vm: &mut Vm, f: &File, b: &[u8]) -> PyResult<Value> {
    if !f.buffered {
        return push(vm, f, b);
    }
    f.data.borrow_mut().extend_from_slice(b);
    if f.data.borrow().len() >= super::DEFAULT_BUFFER_SIZE as usize {
        flush(vm, f)?;
    }
    Ok(Value::Int(b.len() as i64))
}

fn push(vm: &mut Vm, f: &File, b: &[u8]) -> PyResult<Value> {
    let Some((fd, _)) = f.pipe_fd else {
        return Err(vm.bug("a pipe file without its descriptor"));
    };
    match pipe_of(vm, fd) {
        Some((pipe, w)) => write_pipe(vm, &pipe, w, b),
        None => Err(vm.unsupported("writing a file whose descriptor was closed")),
    }
}

/// `flush()` of a buffered writer over a pipe: its bytes go into the pipe.
pub fn flush(vm: &mut Vm, f: &File) -> PyResult<()> {
    if f.pipe_fd.is_none() || !f.writable || f.data.borrow().is_empty() {
        return Ok(());
    }
    let pending = std::mem::take(&mut *f.data.borrow_mut());
    push(vm, f, &pending)?;
    Ok(())
}

/// `close()`: a writer flushes first (its error is raised after the descriptor is
/// closed, as `_io__Buffered_close_impl` does), then the descriptor closes (closefd).
pub fn close(vm: &mut Vm, f: &File) -> PyResult<()> {
    let Some((fd, closefd)) = f.pipe_fd else {
        return Ok(());
    };
    if f.closed.get() {
        return Ok(());
    }
    let flushed = flush(vm, f);
    if closefd {
        vm.scratch.fds.borrow_mut().remove(&fd);
    }
    f.closed.set(true);
    flushed
}

/// `fileno()`: the descriptor of a file over one.
pub fn fileno(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let f = match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::File(f) => f,
            _ => return Err(vm.bug("fileno without a file")),
        },
        _ => return Err(vm.bug("fileno without a file")),
    };
    if f.closed.get() {
        return Err(vm.value_error("I/O operation on closed file"));
    }
    match f.pipe_fd {
        Some((fd, _)) => Ok(Value::Int(fd)),
        None => Err(vm.unsupported("fileno() of a file the VM holds in memory")),
    }
}

/// A child process's `sys.stdin` over its stdin pipe, descriptor 0: a TextIOWrapper over
/// a BufferedReader named `<stdin>`, as `create_stdio` makes it (UTF-8 with
/// surrogateescape, as CPython's in the sandbox's C.UTF-8 locale).
pub fn stdin(vm: &mut Vm) -> PyResult<Value> {
    let raw = open(vm, 0, "r", true, false)?;
    if let Value::Native(n) = &raw {
        if let Native::File(f) = &**n {
            // `name` is fixed when the file is made; rebuild it with the stream's name.
            let named = File {
                name: Value::str("<stdin>"),
                data: f.data.clone(),
                pos: Default::default(),
                closed: Default::default(),
                scratch: None,
                dirty: Default::default(),
                ..*f
            };
            let raw = Value::Native(Rc::new(Native::File(named)));
            let cls = vm.ty("TextIOWrapper");
            let args = Args::new(vec![
                raw,
                Value::str("utf-8"),
                Value::str("surrogateescape"),
            ]);
            let wrapper = super::textio::construct(vm, &cls, args)?;
            vm.setattr(&wrapper, "mode", Value::str("r"))?;
            return Ok(wrapper);
        }
    }
    Err(vm.bug("stdin's file is not a file"))
}
