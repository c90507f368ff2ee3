//! In-memory pipes: a byte channel with a reading end and a writing end, what `os.pipe()`
//! gives a program of the sandbox (and what a virtual child process's standard streams
//! are, `runtime::process`). One [`Pipe`] carries bytes one way; a bidirectional channel
//! (a socket pair) is two of them crossed.
//!
//! Each end is counted while it is open anywhere (a descriptor of the program, a child
//! that holds it): a read of an empty pipe whose writing ends are all closed is the end
//! of the data (pipe(7): read returns 0), and a write to a pipe whose reading ends are all
//! closed is EPIPE. A read of an empty pipe with a writer still open would block: the
//! caller decides whether something the VM runs can write (a pending child) or the wait
//! would never end.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Linux's default pipe capacity (pipe(7)): a writer blocks beyond it until the reader
/// takes bytes out.
pub const CAPACITY: usize = 65536;

/// The channel: the bytes written and not yet read, and how many ends of each kind are
/// open.
#[derive(Debug, Default)]
pub struct Pipe {
    buf: RefCell<VecDeque<u8>>,
    readers: Cell<u32>,
    writers: Cell<u32>,
    /// `st_ino` of both ends (fstat shows one inode per pipe).
    pub ino: u64,
    /// `/dev/null` in the pipe's place: nothing to read, and what is written goes.
    pub null: bool,
}

/// One end of a pipe. Cloning opens another reference to the same end (`dup`, a child
/// inheriting it); dropping the last reference closes it.
#[derive(Debug)]
pub struct PipeEnd {
    pub pipe: Rc<Pipe>,
    pub write: bool,
}

impl Pipe {
    /// A new pipe and its two ends, reading end first (pipe(2)'s order).
    pub fn open(ino: u64) -> (PipeEnd, PipeEnd) {
        let pipe = Rc::new(Pipe {
            ino,
            ..Pipe::default()
        });
        pipe.readers.set(1);
        pipe.writers.set(1);
        (
            PipeEnd {
                pipe: pipe.clone(),
                write: false,
            },
            PipeEnd { pipe, write: true },
        )
    }

    /// `/dev/null`, opened for reading and writing: one end serves both.
    pub fn null() -> PipeEnd {
        let pipe = Rc::new(Pipe {
            null: true,
            ..Pipe::default()
        });
        PipeEnd { pipe, write: true }
    }

    /// Bytes waiting to be read.
    pub fn available(&self) -> usize {
        self.buf.borrow().len()
    }

    /// Whether every writing end is closed (a read of an empty pipe ends the data).
    pub fn writers_closed(&self) -> bool {
        self.null || self.writers.get() == 0
    }

    /// Whether every reading end is closed (a write is EPIPE).
    pub fn readers_closed(&self) -> bool {
        !self.null && self.readers.get() == 0
    }

    /// Takes up to `n` bytes from the front.
    pub fn take(&self, n: usize) -> Vec<u8> {
        let mut buf = self.buf.borrow_mut();
        let n = n.min(buf.len());
        buf.drain(..n).collect()
    }

    /// Appends `data`.
    pub fn put(&self, data: &[u8]) {
        if self.null {
            return;
        }
        self.buf.borrow_mut().extend(data);
    }
}

impl Clone for PipeEnd {
    fn clone(&self) -> Self {
        let count = if self.write {
            &self.pipe.writers
        } else {
            &self.pipe.readers
        };
        count.set(count.get() + 1);
        PipeEnd {
            pipe: self.pipe.clone(),
            write: self.write,
        }
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let count = if self.write {
            &self.pipe.writers
        } else {
            &self.pipe.readers
        };
        count.set(count.get().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_flow_and_ends_count() {
        let (r, w) = Pipe::open(1);
        w.pipe.put(b"hello");
        assert_eq!(r.pipe.take(3), b"hel");
        let w2 = w.clone();
        drop(w);
        assert!(!r.pipe.writers_closed());
        drop(w2);
        assert!(r.pipe.writers_closed());
        assert_eq!(r.pipe.take(10), b"lo");
        assert!(!r.pipe.readers_closed());
    }
}
