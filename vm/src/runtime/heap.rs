//! The heap budget (`RunOptions::heap_limit_bytes`): how much a run may allocate, how it is
//! counted, and the sizes CPython 3.12 would ask for, which decide between its
//! `MemoryError` and the *out of memory* verdict.
//!
//! Counting. [`Counting`] is the process's global allocator: it forwards to the system
//! allocator and keeps, per thread, the bytes allocated minus the bytes freed
//! ([`net_bytes`]). A run is single-threaded, so a [`Budget`] taken when the run starts
//! bounds that thread's growth from then on; the harness's parallel runs, each on its own
//! thread, do not see each other. Every allocation counts, with no site to forget: the
//! interpreter's objects, dict and set tables, frames, captured output, the teardown
//! registry. Frees of blocks another thread allocated make a thread's count drift (even
//! below zero), which is why a budget compares differences.
//!
//! Checking. The count is polled where a program can grow the heap without bound: before
//! each instruction (`eval::run_loop`, next to the fuel check), at each step of an
//! iterator driven by native code (`Vm::next`: `list(it)`, `sorted`, `set(it)`, …), at
//! each element of a container's repr, each argument of `print`, each field of a format.
//! Between two polls the heap can grow by at most a few times what is already live, except
//! in an operation whose result the program sizes with a number (`s * n`, `s.ljust(n)`,
//! `bytes(n)`, a format width, `list(range(n))`) or that multiplies its operands
//! (`sep.join`, `s.replace`, concatenation): those ask before building ([`Vm::before_alloc`],
//! [`Vm::reserve`]), so a run stops close to its budget and the process survives it.
//!
//! `MemoryError` or *out of memory*. CPython 3.12 raises `MemoryError` when malloc refuses a
//! block; whether it refuses depends on the machine (RAM, swap, overcommit), except for a
//! block of [`UNMAPPABLE`] bytes or more, which no 64-bit system can map. So the VM raises
//! `MemoryError` exactly when the block CPython would request is that large (CPython's own
//! `PY_SSIZE_T_MAX` checks lie beyond it), and otherwise, when the budget cannot hold the
//! result, ends the run as *out of memory*: an answer the VM cannot give, never a
//! different one. The block is modelled as the object CPython builds ([`str_block`],
//! [`list_block`], …); CPython's string writers over-allocate by up to a quarter, which is
//! not modelled, so near the bound the VM says *out of memory* where CPython may already
//! raise, never the reverse.

// An allocator is `unsafe` to implement; this one only forwards to `System` and counts.
// Counting here rather than at the VM's allocation sites (the alternative) covers every
// allocation with no site to forget; its measured cost is in the commit that added it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The smallest block no 64-bit system can map: x86-64 with 5-level paging gives a
/// process 2^56 bytes of address space, the most any current 64-bit platform does, so
/// malloc fails and CPython raises `MemoryError` on every machine.
pub const UNMAPPABLE: u128 = 1 << 56;

thread_local! {
    /// Bytes this thread allocated minus bytes it freed. A `const`-initialised `Cell` with
    /// no destructor: reading it never allocates, so the allocator can use it.
    static NET: Cell<i64> = const { Cell::new(0) };
}

/// The calling thread's allocated-minus-freed byte count.
#[inline]
pub fn net_bytes() -> i64 {
    NET.try_with(Cell::get).unwrap_or(0)
}

#[inline]
fn count(delta: i64) {
    // `try_with` cannot fail for this key (no destructor), but an allocator must not panic.
    let _ = NET.try_with(|n| n.set(n.get().wrapping_add(delta)));
}

/// The global allocator: the system allocator, counting per thread (see the module
/// documentation).
pub struct Counting;

// SAFETY: every method forwards its arguments unchanged to `System`, whose implementation
// meets `GlobalAlloc`'s contract, and returns its result unchanged; the only addition is an
// update of a thread-local counter, which neither allocates, unwinds nor touches the block.
unsafe impl GlobalAlloc for Counting {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller meets `alloc`'s contract (non-zero size), passed on as is.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            count(layout.size() as i64);
        }
        block
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            count(layout.size() as i64);
        }
        block
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `block` came from this allocator (that is, from
        // `System`) with this `layout`.
        unsafe { System.dealloc(block, layout) };
        count(-(layout.size() as i64));
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `block` came from `System` with `layout` and that
        // `new_size` is valid for it; on failure the old block stays allocated.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            count((new_size as i64).wrapping_sub(layout.size() as i64));
        }
        moved
    }
}

/// One run's heap budget: the thread's [`net_bytes`] may grow by `limit` bytes from the
/// moment the budget was taken.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// `net_bytes()` at the start plus the limit: beyond it the run is out of memory.
    ceiling: i64,
    /// The limit, in bytes, as the run's options gave it.
    pub limit: u64,
}

impl Budget {
    /// A budget of `limit` bytes counted from now, on the calling thread.
    pub fn starting_now(limit: u64) -> Budget {
        let limit_i = i64::try_from(limit).unwrap_or(i64::MAX);
        Budget {
            ceiling: net_bytes().saturating_add(limit_i),
            limit,
        }
    }

    /// The run has allocated more than its limit.
    #[inline]
    pub fn exceeded(&self) -> bool {
        net_bytes() > self.ceiling
    }

    /// `more` bytes allocated now would still fit.
    pub fn fits(&self, more: u128) -> bool {
        i128::from(net_bytes()).saturating_add(i128::try_from(more).unwrap_or(i128::MAX))
            <= i128::from(self.ceiling)
    }
}

// ----- the blocks CPython 3.12 asks malloc for ---------------------------------------------

/// `PyUnicode_New(len, maxchar)`: the compact object with its characters in the narrowest
/// PEP 393 kind that holds `maxchar`, plus the terminating NUL.
pub fn str_block(len: u128, maxchar: char) -> u128 {
    let maxchar = u32::from(maxchar);
    let header = if maxchar < 0x80 { 40 } else { 56 };
    let kind = match maxchar {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        _ => 4,
    };
    header + len.saturating_add(1).saturating_mul(kind)
}

/// The largest character of `s` (`PyUnicode_MAX_CHAR_VALUE`, which is the kind's bound in
/// CPython; the character itself decides the same kind).
pub fn max_char(s: &str) -> char {
    // A stand-in counts as the surrogate it stands for (a two-byte kind).
    super::standins::code_points(s)
        .max()
        .and_then(char::from_u32)
        .unwrap_or(if s.is_empty() { '\0' } else { '\u{FFFF}' })
}

/// A list's item array of `n` pointers (`list_new_prealloc`, `list_resize`).
pub fn list_block(n: u128) -> u128 {
    n.saturating_mul(8)
}

/// A tuple of `n` items (`tuple_alloc`: GC header, object header, `n` pointers).
pub fn tuple_block(n: u128) -> u128 {
    n.saturating_mul(8).saturating_add(16 + 24)
}

/// A bytes object of `n` bytes (`_PyBytes_FromSize`: header and terminating NUL).
pub fn bytes_block(n: u128) -> u128 {
    n.saturating_add(33)
}

/// What the VM itself allocates for `n` values in a `Vec<Value>`.
pub fn values_bytes(n: u128) -> u128 {
    n.saturating_mul(std::mem::size_of::<super::object::Value>() as u128)
}
