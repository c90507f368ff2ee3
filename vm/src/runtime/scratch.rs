//! The scratch file system: the files and directories a program makes, held in memory
//! for the run (spec/INTERPRETING.md §2's sandbox: the host is never written).
//!
//! `posix` (stat, listdir, open, mkdir, unlink, rmdir, rename) and `_io.open` consult it
//! first, as they consult the program's directory (`runtime::program`), so a program
//! that writes a file and reads it back, or imports a module it wrote, sees what CPython
//! shows. A new entry may go only where CPython could make it without touching anything
//! the program did not make: inside a scratch directory, inside the program's directory,
//! or in a host directory the program may write (its working directory, a shared
//! temporary directory such as `/tmp`) at a name the host does not have. A path that
//! exists on the host and was not made by the program keeps the sandbox's rules
//! (`posix::readable`): reading outside the standard library, and replacing it, are
//! unsupported.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

thread_local! {
    /// Descriptors whose objects were freed open (an epoll object's `pyepoll_dealloc`
    /// closes it): closed before the next number is given out.
    static ORPHANS: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

/// The descriptor `n`'s object was freed while open: [`Scratch::open_fd`] closes it.
pub fn orphan_fd(n: i64) {
    let _ = ORPHANS.try_with(|o| o.borrow_mut().push(n));
}

/// A file the program made: its bytes, shared by every open file object on it.
#[derive(Debug)]
pub struct ScratchFile {
    pub data: Rc<RefCell<Vec<u8>>>,
    /// `st_ino`, unique in the run (`os.path.samestat` compares it).
    pub ino: u64,
    /// The permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// How many open buffered writers hold bytes CPython would not have written yet
    /// (`BufferedWriter` keeps them until a flush): while any does, what another reader
    /// would see depends on the buffer's size, which the VM does not model.
    pub unflushed: Cell<u32>,
    /// When its bytes last changed (`st_mtime_ns`), by the host's clock as CPython's
    /// file system would stamp it: a program compares it (linecache's `checkcache`).
    pub mtime_ns: Cell<i64>,
}

impl ScratchFile {
    /// Stamps a change of the bytes.
    pub fn touch(&self) {
        self.mtime_ns.set(now_ns());
    }
}

/// The host's clock in nanoseconds since the epoch.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A directory the program made.
#[derive(Debug)]
pub struct ScratchDir {
    pub ino: u64,
    pub mode: u32,
    /// When an entry was last made, taken away or renamed in it.
    pub mtime_ns: Cell<i64>,
}

/// One entry of the scratch file system.
#[derive(Debug, Clone)]
pub enum Node {
    File(Rc<ScratchFile>),
    Dir(Rc<ScratchDir>),
}

/// The scratch file system of a run, by absolute normalised path.
#[derive(Debug, Default)]
pub struct Scratch {
    nodes: RefCell<BTreeMap<PathBuf, Node>>,
    next_ino: Cell<u64>,
    /// The file descriptors `posix.open` gave out, by number.
    pub fds: RefCell<BTreeMap<i64, Fd>>,
    /// Entries the program made outside any scratch directory and took away again: the
    /// host did not have them when they were made, and the VM never wrote them there.
    gone: RefCell<std::collections::BTreeSet<PathBuf>>,
    /// The epoll sets, which a socket's events wake.
    pub watchers: super::streams::Watchers,
}

/// An open file descriptor of a scratch file (`posix.open`), of a socket
/// (`socket.socketpair`) or of an epoll instance (`select.epoll`).
#[derive(Debug, Default)]
pub struct Fd {
    /// The file, or `None` for a directory (opened to scan it, `scandir(fd)`).
    pub file: Option<Rc<ScratchFile>>,
    /// The directory's path, for a directory.
    pub dir: Option<PathBuf>,
    pub pos: usize,
    pub readable: bool,
    pub writable: bool,
    pub append: bool,
    /// A socket's side of its connection.
    pub stream: Option<super::streams::End>,
    /// An epoll instance's lists.
    pub epoll: Option<Rc<super::streams::EpollSet>>,
    /// The end of an in-memory pipe (`os.pipe()`), in place of a file.
    pub pipe: Option<super::pipes::PipeEnd>,
}

/// What a path is, as the scratch file system answers.
pub enum Found {
    Node(Node),
    /// A path through a scratch file (`f.txt/x`): ENOTDIR.
    NotDir,
    /// Nothing there, inside a scratch directory: ENOENT.
    Missing,
}

/// Where a new entry at a path may go (`Scratch::placement`).
pub enum Place {
    /// Inside a directory the VM answers for: the entry can be made.
    Free,
    /// The parent is not there (ENOENT) or is a file (ENOTDIR).
    NoParent(Found),
    /// Somewhere the VM cannot answer for: the host has the path, or the parent is a
    /// host directory the program may not write.
    Host,
}

impl Scratch {
    /// The entry at `path` (absolute, normalised), if the scratch file system answers
    /// for it: it is one of its entries, or goes through one.
    pub fn lookup(&self, path: &Path) -> Option<Found> {
        let nodes = self.nodes.borrow();
        if let Some(n) = nodes.get(path) {
            return Some(Found::Node(n.clone()));
        }
        if self.gone.borrow().contains(path) {
            return Some(Found::Missing);
        }
        for a in path.ancestors().skip(1) {
            if self.gone.borrow().contains(a) {
                return Some(Found::Missing);
            }
            match nodes.get(a) {
                Some(Node::File(_)) => return Some(Found::NotDir),
                // A scratch directory answers for all below it: its parts are all known.
                Some(Node::Dir(_)) => return Some(Found::Missing),
                None => {}
            }
        }
        None
    }

    /// The names directly inside the scratch directory `dir` or made by the program in
    /// another directory `dir`, in the order they were made.
    pub fn children(&self, dir: &Path) -> Vec<String> {
        let nodes = self.nodes.borrow();
        let mut found: Vec<(u64, String)> = nodes
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .filter_map(|(p, n)| {
                let ino = match n {
                    Node::File(f) => f.ino,
                    Node::Dir(d) => d.ino,
                };
                Some((ino, p.file_name()?.to_string_lossy().into_owned()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, n)| n).collect()
    }

    /// Numbers `fd` with the lowest number free past the standard streams, as open(2).
    pub fn open_fd(&self, fd: Fd) -> i64 {
        // The descriptors of objects freed open are closed by then.
        for n in ORPHANS.with(|o| std::mem::take(&mut *o.borrow_mut())) {
            if self.fds.borrow().contains_key(&n) {
                self.close_fd(n);
            }
        }
        let mut fds = self.fds.borrow_mut();
        let mut n = 3;
        while fds.contains_key(&n) {
            n += 1;
        }
        fds.insert(n, fd);
        n
    }

    /// Closes the descriptor `n` (open, checked by the caller): a socket's peer sees
    /// the end of the stream, and every epoll set forgets `n`.
    pub fn close_fd(&self, n: i64) {
        let fd = self.fds.borrow_mut().remove(&n);
        self.watchers.forget(n);
        if let Some(end) = fd.and_then(|f| f.stream) {
            end.close();
            self.wake_end(&end.other(), super::streams::WAKE_ALL);
        }
    }

    /// Wakes, in every epoll set, the descriptors of the socket side `end`.
    pub fn wake_end(&self, end: &super::streams::End, key: u32) {
        let fds: Vec<i64> = self
            .fds
            .borrow()
            .iter()
            .filter(|(_, f)| f.stream.as_ref().is_some_and(|e| e.same(end)))
            .map(|(n, _)| *n)
            .collect();
        for n in fds {
            self.watchers.wake(n, key);
        }
    }

    /// The socket side the descriptor `n` refers to.
    pub fn stream(&self, n: i64) -> Option<super::streams::End> {
        self.fds.borrow().get(&n).and_then(|f| f.stream.clone())
    }

    pub fn ino(&self) -> u64 {
        let n = self.next_ino.get() + 1;
        self.next_ino.set(n);
        // Far from the host's inode numbers of the standard library's files.
        (1 << 40) + n
    }

    /// A new empty file at `path` (its place checked by the caller).
    pub fn make_file(&self, path: &Path, mode: u32) -> Rc<ScratchFile> {
        let f = Rc::new(ScratchFile {
            data: Rc::new(RefCell::new(Vec::new())),
            ino: self.ino(),
            mode,
            unflushed: Cell::new(0),
            mtime_ns: Cell::new(now_ns()),
        });
        self.touch_parent(path);
        self.insert(path, Node::File(f.clone()));
        f
    }

    /// A new empty directory at `path` (its place checked by the caller).
    pub fn make_dir(&self, path: &Path, mode: u32) {
        let d = Rc::new(ScratchDir {
            ino: self.ino(),
            mode,
            mtime_ns: Cell::new(now_ns()),
        });
        self.touch_parent(path);
        self.insert(path, Node::Dir(d));
    }

    /// Takes the entry at `path` away (a directory must be empty: the caller checks).
    pub fn remove(&self, path: &Path) {
        if self.nodes.borrow_mut().remove(path).is_some() {
            self.touch_parent(path);
            self.forget(path);
        }
    }

    /// Records that `path`, made by the program, is gone (when no scratch directory
    /// answers for it).
    fn forget(&self, path: &Path) {
        let under_dir = path
            .ancestors()
            .skip(1)
            .any(|a| matches!(self.nodes.borrow().get(a), Some(Node::Dir(_))));
        if !under_dir {
            self.gone.borrow_mut().insert(path.to_path_buf());
        }
    }

    /// Inserts a node, the path no longer gone.
    fn insert(&self, path: &Path, node: Node) {
        self.gone.borrow_mut().remove(path);
        self.nodes.borrow_mut().insert(path.to_path_buf(), node);
    }

    /// Stamps a change of the entries of the scratch directory holding `path`.
    fn touch_parent(&self, path: &Path) {
        if let Some(Node::Dir(d)) = path
            .parent()
            .and_then(|p| self.nodes.borrow().get(p).cloned())
        {
            d.mtime_ns.set(now_ns());
        }
    }

    /// Moves the entry at `from`, and everything below it, to `to`.
    pub fn rename(&self, from: &Path, to: &Path) {
        self.touch_parent(from);
        self.touch_parent(to);
        self.gone.borrow_mut().remove(to);
        self.forget(from);
        let mut nodes = self.nodes.borrow_mut();
        let moved: Vec<PathBuf> = nodes
            .keys()
            .filter(|p| p.starts_with(from))
            .cloned()
            .collect();
        for p in moved {
            if let Some(n) = nodes.remove(&p) {
                let rest = p
                    .strip_prefix(from)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let target = if rest.as_os_str().is_empty() {
                    to.to_path_buf()
                } else {
                    to.join(rest)
                };
                nodes.insert(target, n);
            }
        }
    }
}

/// The scratch file system as plain data, to hand to a virtual child process, which runs
/// on a thread of its own (`runtime::process`), and back.
#[derive(Debug, Default)]
pub struct Snapshot {
    entries: Vec<(PathBuf, SnapEntry)>,
    gone: Vec<PathBuf>,
    next_ino: u64,
}

#[derive(Debug)]
enum SnapEntry {
    File {
        data: Vec<u8>,
        ino: u64,
        mode: u32,
        mtime_ns: i64,
    },
    Dir {
        ino: u64,
        mode: u32,
        mtime_ns: i64,
    },
}

impl Scratch {
    /// Whether a buffered writer holds bytes of some file it has not written yet (what
    /// another process would read then depends on the buffer's size).
    pub fn any_unflushed(&self) -> bool {
        self.nodes
            .borrow()
            .values()
            .any(|n| matches!(n, Node::File(f) if f.unflushed.get() > 0))
    }

    /// Every entry as plain data.
    pub fn snapshot(&self) -> Snapshot {
        let entries = self
            .nodes
            .borrow()
            .iter()
            .map(|(p, n)| {
                let e = match n {
                    Node::File(f) => SnapEntry::File {
                        data: f.data.borrow().clone(),
                        ino: f.ino,
                        mode: f.mode,
                        mtime_ns: f.mtime_ns.get(),
                    },
                    Node::Dir(d) => SnapEntry::Dir {
                        ino: d.ino,
                        mode: d.mode,
                        mtime_ns: d.mtime_ns.get(),
                    },
                };
                (p.clone(), e)
            })
            .collect();
        Snapshot {
            entries,
            gone: self.gone.borrow().iter().cloned().collect(),
            next_ino: self.next_ino.get(),
        }
    }

    /// Makes the entries those of `snap`: an entry with the inode of one already here
    /// keeps its object (the files open on it see the new bytes), the others are made
    /// and those `snap` lacks are gone.
    pub fn restore(&self, snap: Snapshot) {
        let mut files = std::collections::HashMap::new();
        let mut dirs = std::collections::HashMap::new();
        for n in std::mem::take(&mut *self.nodes.borrow_mut()).into_values() {
            match n {
                Node::File(f) => {
                    files.insert(f.ino, f);
                }
                Node::Dir(d) => {
                    dirs.insert(d.ino, d);
                }
            }
        }
        let mut nodes = self.nodes.borrow_mut();
        for (path, e) in snap.entries {
            let node = match e {
                SnapEntry::File {
                    data,
                    ino,
                    mode,
                    mtime_ns,
                } => match files.remove(&ino) {
                    Some(f) => {
                        if *f.data.borrow() != data {
                            *f.data.borrow_mut() = data;
                        }
                        f.mtime_ns.set(mtime_ns);
                        Node::File(f)
                    }
                    None => Node::File(Rc::new(ScratchFile {
                        data: Rc::new(RefCell::new(data)),
                        ino,
                        mode,
                        unflushed: Cell::new(0),
                        mtime_ns: Cell::new(mtime_ns),
                    })),
                },
                SnapEntry::Dir {
                    ino,
                    mode,
                    mtime_ns,
                } => match dirs.remove(&ino) {
                    Some(d) => {
                        d.mtime_ns.set(mtime_ns);
                        Node::Dir(d)
                    }
                    None => Node::Dir(Rc::new(ScratchDir {
                        ino,
                        mode,
                        mtime_ns: Cell::new(mtime_ns),
                    })),
                },
            };
            nodes.insert(path, node);
        }
        *self.gone.borrow_mut() = snap.gone.into_iter().collect();
        self.next_ino.set(self.next_ino.get().max(snap.next_ino));
    }
}

/// Whether the host directory `dir` is one a program may make entries in: the working
/// directory (or below it), where the program runs as its user, or a directory anyone
/// may write with the sticky bit (`/tmp`, `/var/tmp`: each user's own files only).
pub fn host_dir_writable(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    if std::env::current_dir().is_ok_and(|cwd| dir.starts_with(cwd)) {
        return std::fs::metadata(dir).is_ok_and(|m| m.is_dir());
    }
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o1002 == 0o1002)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_and_listed_in_order() {
        let s = Scratch::default();
        s.make_dir(Path::new("/tmp/d"), 0o700);
        s.make_file(Path::new("/tmp/d/b"), 0o644);
        s.make_file(Path::new("/tmp/d/a"), 0o644);
        assert_eq!(s.children(Path::new("/tmp/d")), ["b", "a"]);
        assert!(matches!(
            s.lookup(Path::new("/tmp/d/c")),
            Some(Found::Missing)
        ));
        assert!(matches!(
            s.lookup(Path::new("/tmp/d/b/x")),
            Some(Found::NotDir)
        ));
        assert!(s.lookup(Path::new("/tmp/e")).is_none());
        s.rename(Path::new("/tmp/d"), Path::new("/tmp/e"));
        assert_eq!(s.children(Path::new("/tmp/e")), ["b", "a"]);
        assert!(matches!(
            s.lookup(Path::new("/tmp/d")),
            Some(Found::Missing)
        ));
        s.remove(Path::new("/tmp/e/b"));
        assert_eq!(s.children(Path::new("/tmp/e")), ["a"]);
    }
}
