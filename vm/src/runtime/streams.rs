//! In-memory stream connections and epoll's ready lists: what `socket.socketpair` and
//! `select.epoll` work on in the sandbox (spec/INTERPRETING.md §2: no host descriptors).
//!
//! A connection is the pair of AF_UNIX stream sockets `socketpair(2)` makes, as Linux's
//! af_unix.c behaves: each side's bytes queue at the other side, shutting one side's
//! receiving shuts the other's sending (`unix_shutdown`), and closing a side shuts both
//! directions of the other (`unix_release_sock`). Readiness is `unix_poll`'s mask.
//!
//! An epoll set is fs/eventpoll.c's model, since the order of `epoll.poll`'s answer is
//! observable: an interest list, and a ready list that a descriptor joins at its tail when
//! it is woken with an event the set asks for (`ep_poll_callback`) or is registered while
//! ready (`ep_insert`); `epoll_wait` polls the list's items in order, drops those with no
//! event, and puts the level-triggered ones it reported back at the tail
//! (`ep_send_events`).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::{Rc, Weak};

/// The poll bits of `<sys/epoll.h>` (CPython's `select.EPOLL*`).
pub const EPOLLIN: u32 = 0x1;
pub const EPOLLPRI: u32 = 0x2;
pub const EPOLLOUT: u32 = 0x4;
pub const EPOLLERR: u32 = 0x8;
pub const EPOLLHUP: u32 = 0x10;
pub const EPOLLRDNORM: u32 = 0x40;
pub const EPOLLRDBAND: u32 = 0x80;
pub const EPOLLWRNORM: u32 = 0x100;
pub const EPOLLWRBAND: u32 = 0x200;
pub const EPOLLRDHUP: u32 = 0x2000;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;

/// `EP_PRIVATE_BITS`: what a one-shot item keeps once it has fired.
const EP_PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;

/// The wake-up keys: data arrived (`sock_def_readable`), room to write
/// (`unix_write_space`); a change of state (`sock_def_wakeup`) has no key and wakes all.
pub const WAKE_READ: u32 = EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND;
pub const WAKE_WRITE: u32 = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
pub const WAKE_ALL: u32 = 0;

/// `sk_shutdown`'s bits.
const RCV_SHUTDOWN: u8 = 1;
const SEND_SHUTDOWN: u8 = 2;

/// The bytes a side may have queued at its peer before the VM stops answering: how much
/// more a real socket takes depends on the host's buffer sizes and their accounting.
pub const QUEUE_LIMIT: usize = 64 * 1024;

/// Both sides of one connection.
#[derive(Debug, Default)]
pub struct Conn {
    /// The bytes queued for side `i` to read.
    inbox: [RefCell<VecDeque<u8>>; 2],
    /// Side `i`'s `sk_shutdown`.
    shut: [Cell<u8>; 2],
}

/// One side of a connection: what a socket descriptor refers to.
#[derive(Debug, Clone)]
pub struct End {
    pub conn: Rc<Conn>,
    pub side: usize,
}

/// Why a send or receive could not go on.
#[derive(Debug, PartialEq, Eq)]
pub enum Blocked {
    /// Nothing to read yet, and the peer may still write: the caller would wait.
    Empty,
    /// The sending direction is shut (EPIPE).
    Pipe,
    /// The bytes queued at the peer would pass [`QUEUE_LIMIT`].
    Full,
}

impl End {
    /// A new connection's two sides.
    pub fn pair() -> (End, End) {
        let conn = Rc::new(Conn::default());
        (
            End {
                conn: conn.clone(),
                side: 0,
            },
            End { conn, side: 1 },
        )
    }

    fn peer(&self) -> usize {
        1 - self.side
    }

    /// Whether two ends are the same side of the same connection.
    pub fn same(&self, other: &End) -> bool {
        Rc::ptr_eq(&self.conn, &other.conn) && self.side == other.side
    }

    /// The peer's end.
    pub fn other(&self) -> End {
        End {
            conn: self.conn.clone(),
            side: self.peer(),
        }
    }

    /// Queues `data` at the peer (`unix_stream_sendmsg`).
    pub fn send(&self, data: &[u8]) -> Result<usize, Blocked> {
        if self.conn.shut[self.side].get() & SEND_SHUTDOWN != 0 {
            return Err(Blocked::Pipe);
        }
        let mut q = self.conn.inbox[self.peer()].borrow_mut();
        if q.len() + data.len() > QUEUE_LIMIT {
            return Err(Blocked::Full);
        }
        q.extend(data);
        Ok(data.len())
    }

    /// Takes up to `n` queued bytes; at the end of the stream an empty read.
    pub fn recv(&self, n: usize) -> Result<Vec<u8>, Blocked> {
        let mut q = self.conn.inbox[self.side].borrow_mut();
        if q.is_empty() {
            if self.conn.shut[self.side].get() & RCV_SHUTDOWN != 0 || n == 0 {
                return Ok(Vec::new());
            }
            return Err(Blocked::Empty);
        }
        let k = n.min(q.len());
        Ok(q.drain(..k).collect())
    }

    /// `shutdown(how)` with SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 (checked by the caller).
    pub fn shutdown(&self, how: i64) {
        let mode = match how {
            0 => RCV_SHUTDOWN,
            1 => SEND_SHUTDOWN,
            _ => RCV_SHUTDOWN | SEND_SHUTDOWN,
        };
        // The peer's directions are the mirror of this side's.
        let mirror = ((mode & RCV_SHUTDOWN) << 1) | ((mode & SEND_SHUTDOWN) >> 1);
        let s = &self.conn.shut;
        s[self.side].set(s[self.side].get() | mode);
        s[self.peer()].set(s[self.peer()].get() | mirror);
    }

    /// The side's descriptor is closed: the peer can neither read more than is queued
    /// nor write.
    pub fn close(&self) {
        let s = &self.conn.shut;
        s[self.peer()].set(RCV_SHUTDOWN | SEND_SHUTDOWN);
        s[self.side].set(RCV_SHUTDOWN | SEND_SHUTDOWN);
        self.conn.inbox[self.side].borrow_mut().clear();
    }

    /// `unix_poll`'s mask for this side: always writable (the queue limit is the
    /// VM's, not a state the program sees), readable with bytes queued or the
    /// receiving direction shut, hung up with both directions shut.
    pub fn poll_mask(&self) -> u32 {
        let shut = self.conn.shut[self.side].get();
        let mut m = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
        if shut == RCV_SHUTDOWN | SEND_SHUTDOWN {
            m |= EPOLLHUP;
        }
        if shut & RCV_SHUTDOWN != 0 {
            m |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
        }
        if !self.conn.inbox[self.side].borrow().is_empty() {
            m |= EPOLLIN | EPOLLRDNORM;
        }
        m
    }
}

/// One registration of an epoll set.
#[derive(Debug, Clone, Copy)]
struct Interest {
    events: u32,
}

/// An epoll instance's interest and ready lists.
#[derive(Debug, Default)]
pub struct EpollSet {
    interest: RefCell<BTreeMap<i64, Interest>>,
    ready: RefCell<VecDeque<i64>>,
}

/// Why `epoll_ctl` refused.
#[derive(Debug, PartialEq, Eq)]
pub enum CtlError {
    /// EEXIST: registered already.
    Exists,
    /// ENOENT: not registered.
    Missing,
}

impl EpollSet {
    /// EPOLL_CTL_ADD: EPOLLERR and EPOLLHUP are always asked for; a descriptor ready
    /// now joins the ready list.
    pub fn add(&self, fd: i64, events: u32, mask_now: u32) -> Result<(), CtlError> {
        let mut interest = self.interest.borrow_mut();
        if interest.contains_key(&fd) {
            return Err(CtlError::Exists);
        }
        let events = events | EPOLLERR | EPOLLHUP;
        interest.insert(fd, Interest { events });
        drop(interest);
        if mask_now & events != 0 {
            self.enqueue(fd);
        }
        Ok(())
    }

    /// EPOLL_CTL_MOD.
    pub fn modify(&self, fd: i64, events: u32, mask_now: u32) -> Result<(), CtlError> {
        let mut interest = self.interest.borrow_mut();
        let Some(i) = interest.get_mut(&fd) else {
            return Err(CtlError::Missing);
        };
        i.events = events | EPOLLERR | EPOLLHUP;
        let events = i.events;
        drop(interest);
        if mask_now & events != 0 {
            self.enqueue(fd);
        }
        Ok(())
    }

    /// EPOLL_CTL_DEL, and what closing a registered descriptor does.
    pub fn remove(&self, fd: i64) -> Result<(), CtlError> {
        if self.interest.borrow_mut().remove(&fd).is_none() {
            return Err(CtlError::Missing);
        }
        self.ready.borrow_mut().retain(|x| *x != fd);
        Ok(())
    }

    /// `ep_poll_callback`: `fd` was woken with `key` (0: any event).
    pub fn wake(&self, fd: i64, key: u32) {
        let Some(i) = self.interest.borrow().get(&fd).copied() else {
            return;
        };
        if i.events & !EP_PRIVATE_BITS == 0 || (key != 0 && key & i.events == 0) {
            return;
        }
        self.enqueue(fd);
    }

    fn enqueue(&self, fd: i64) {
        let mut ready = self.ready.borrow_mut();
        if !ready.contains(&fd) {
            ready.push_back(fd);
        }
    }

    /// `ep_send_events`: up to `max` events, each descriptor's current mask (`mask`)
    /// as its registration filters it.
    pub fn collect(&self, max: usize, mask: impl Fn(i64) -> u32) -> Vec<(i64, u32)> {
        let tx: Vec<i64> = self.ready.borrow_mut().drain(..).collect();
        let mut out = Vec::new();
        let mut again = Vec::new();
        let mut rest = Vec::new();
        for (k, fd) in tx.iter().enumerate() {
            if out.len() >= max {
                rest.extend_from_slice(&tx[k..]);
                break;
            }
            let mut interest = self.interest.borrow_mut();
            let Some(i) = interest.get_mut(fd) else {
                continue;
            };
            let revents = mask(*fd) & i.events;
            if revents == 0 {
                continue;
            }
            out.push((*fd, revents));
            if i.events & EPOLLONESHOT != 0 {
                i.events &= EP_PRIVATE_BITS;
            } else if i.events & EPOLLET == 0 {
                again.push(*fd);
            }
        }
        let mut ready = self.ready.borrow_mut();
        ready.extend(rest);
        ready.extend(again);
        out
    }
}

/// The epoll sets of a run, to wake (weakly held: a set goes with its object).
#[derive(Debug, Default)]
pub struct Watchers {
    sets: RefCell<Vec<Weak<EpollSet>>>,
}

impl Watchers {
    pub fn add(&self, set: &Rc<EpollSet>) {
        self.sets.borrow_mut().push(Rc::downgrade(set));
    }

    /// Every live set: wakes `fd` in each.
    pub fn wake(&self, fd: i64, key: u32) {
        self.sets.borrow_mut().retain(|w| w.strong_count() > 0);
        let sets: Vec<Rc<EpollSet>> = self
            .sets
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for s in sets {
            s.wake(fd, key);
        }
    }

    /// `fd` is closed: it leaves every set.
    pub fn forget(&self, fd: i64) {
        let sets: Vec<Rc<EpollSet>> = self
            .sets
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for s in sets {
            let _ = s.remove(fd);
        }
    }
}
