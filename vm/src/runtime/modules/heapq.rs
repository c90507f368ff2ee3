//! `_heapq` (CPython 3.12 `Modules/_heapqmodule.c`): the heap operations on a list (or
//! a list subclass's list), sifting as CPython's `siftdown` and `siftup` do. Every
//! comparison is `PyObject_RichCompareBool(a, b, Py_LT)` through the VM's `<`, with the
//! same operands in the same order, so a class's `__lt__` runs as often as in CPython;
//! after each one the list's size is checked again ("list changed size during
//! iteration") and the items re-read, since the comparison may have changed the list.
//! `Lib/heapq.py` imports all of this (`from _heapq import *` and the `_max` helpers);
//! its `merge`, `nlargest` and `nsmallest` are Python code run from the library.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, List, NativeFn, Value};
use super::super::PyResult;
use crate::oparg::CompareOp;

/// `_heapq.c`'s `module_doc`.
const DOC: &str = "Heap queue algorithm (a.k.a. priority queue).\n\nHeaps are arrays for which a[k] <= a[2*k+1] and a[k] <= a[2*k+2] for\nall k, counting elements from 0.  For the sake of comparison,\nnon-existing elements are considered to be infinite.  The interesting\nproperty of a heap is that a[0] is always its smallest element.\n\nUsage:\n\nheap = []            # creates an empty heap\nheappush(heap, item) # pushes a new item on the heap\nitem = heappop(heap) # pops the smallest item from the heap\nitem = heap[0]       # smallest item on the heap without popping it\nheapify(x)           # transforms list into a heap, in-place, in linear time\nitem = heapreplace(heap, item) # pops and returns smallest item, and adds\n                               # new item; the heap size is unchanged\n\nOur API differs from textbook heap algorithms as follows:\n\n- We use 0-based indexing.  This makes the relationship between the\n  index for a node and the indexes for its children slightly less\n  obvious, but is more suitable since Python uses 0-based indexing.\n\n- Our heappop() method returns the smallest item, not the largest.\n\nThese two make it possible to view the heap as a regular Python list\nwithout surprises: heap[0] is the smallest item, and heap.sort()\nmaintains the heap invariant!\n";

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_heapq", FUNCTIONS);
    d.set_str("__doc__", Value::str(DOC));
}

const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("heappush", heappush),
    ("heappop", heappop),
    ("heapify", heapify),
    ("heapreplace", heapreplace),
    ("heappushpop", heappushpop),
    ("_heappop_max", heappop_max),
    ("_heapify_max", heapify_max),
    ("_heapreplace_max", heapreplace_max),
];

/// Which order the heap keeps: the sift functions of the min-heap, or the `_max` ones,
/// which compare the other way round.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Min,
    Max,
}

/// The heap argument (`object(subclass_of='&PyList_Type')`): a list or a list
/// subclass's list, else `_PyArg_BadArgument`'s `heappush() argument 1 must be list,
/// not int` (`argument must be` for a function of one argument; None by name).
fn heap_arg(vm: &Vm, name: &str, v: &Value, only: bool) -> PyResult<Rc<List>> {
    match v.builtin_value() {
        Value::List(l) => Ok(l.clone()),
        _ => {
            let t = match v {
                Value::None => "None".into(),
                _ => vm.type_of(v).name().clone(),
            };
            let which = if only { "argument" } else { "argument 1" };
            Err(vm.type_error(format!("{name}() {which} must be list, not {t}")))
        }
    }
}

/// The heap and the item of a two-argument function (`_PyArg_CheckPositional`).
fn heap_and_item(vm: &Vm, name: &str, args: &Args) -> PyResult<(Rc<List>, Value)> {
    let [heap, item] = Spec::method("_heapq", name, Style::Positional, &["heap", "item"], 2)
        .bind::<2>(vm, args, 0)?;
    let (Some(heap), Some(item)) = (heap, item) else {
        return Err(vm.bug(format!("{name}: a missing argument")));
    };
    Ok((heap_arg(vm, name, &heap, false)?, item))
}

/// The heap of a one-argument function (`METH_O`).
fn heap_only(vm: &Vm, name: &str, args: &Args) -> PyResult<Rc<List>> {
    let [heap] = Spec::method("_heapq", name, Style::O, &["heap"], 1).bind::<1>(vm, args, 0)?;
    let heap = heap.ok_or_else(|| vm.bug(format!("{name}: a missing argument")))?;
    heap_arg(vm, name, &heap, true)
}

fn item(vm: &Vm, heap: &List, i: usize) -> PyResult<Value> {
    heap.items
        .borrow()
        .get(i)
        .cloned()
        .ok_or_else(|| vm.bug("a heap position beyond the list"))
}

/// `PyObject_RichCompareBool(a, b, Py_LT)`.
fn less(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let r = vm.compare(CompareOp::Lt, a, b)?;
    vm.truthy(&r)
}

fn changed_size(vm: &Vm) -> super::super::Throw {
    vm.err("RuntimeError", "list changed size during iteration")
}

/// `siftdown` / `siftdown_max`: the item at `pos` moves up towards `startpos` while it
/// is less than its parent (greater, for the max-heap).
fn siftdown(
    vm: &mut Vm,
    heap: &List,
    startpos: usize,
    mut pos: usize,
    order: Order,
) -> PyResult<()> {
    let size = heap.items.borrow().len();
    if pos >= size {
        return Err(vm.err("IndexError", "list index out of range"));
    }
    while pos > startpos {
        let parentpos = (pos - 1) >> 1;
        let newitem = item(vm, heap, pos)?;
        let parent = item(vm, heap, parentpos)?;
        let lt = match order {
            Order::Min => less(vm, &newitem, &parent)?,
            Order::Max => less(vm, &parent, &newitem)?,
        };
        if size != heap.items.borrow().len() {
            return Err(changed_size(vm));
        }
        if !lt {
            break;
        }
        heap.items.borrow_mut().swap(parentpos, pos);
        pos = parentpos;
    }
    Ok(())
}

/// `siftup` / `siftup_max`: the smaller child (larger, for the max-heap) moves up until
/// `pos` is a leaf, then `siftdown` puts the item in place.
fn siftup(vm: &mut Vm, heap: &List, mut pos: usize, order: Order) -> PyResult<()> {
    let endpos = heap.items.borrow().len();
    let startpos = pos;
    if pos >= endpos {
        return Err(vm.err("IndexError", "list index out of range"));
    }
    let limit = endpos >> 1;
    while pos < limit {
        let mut childpos = 2 * pos + 1;
        if childpos + 1 < endpos {
            let a = item(vm, heap, childpos)?;
            let b = item(vm, heap, childpos + 1)?;
            let lt = match order {
                Order::Min => less(vm, &a, &b)?,
                Order::Max => less(vm, &b, &a)?,
            };
            if !lt {
                childpos += 1;
            }
            if endpos != heap.items.borrow().len() {
                return Err(changed_size(vm));
            }
        }
        heap.items.borrow_mut().swap(childpos, pos);
        pos = childpos;
    }
    siftdown(vm, heap, startpos, pos, order)
}

/// `_heapq_heappush_impl`: append, then sift the new item up.
fn heappush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (heap, x) = heap_and_item(vm, "heappush", &args)?;
    let last = {
        let mut items = heap.items.borrow_mut();
        items.push(x);
        items.len() - 1
    };
    siftdown(vm, &heap, 0, last, Order::Min)?;
    Ok(Value::None)
}

/// `heappop_internal`: the last item replaces the first, which is returned.
fn heappop_internal(vm: &mut Vm, heap: &List, order: Order) -> PyResult<Value> {
    let lastelt = heap.items.borrow_mut().pop();
    let Some(lastelt) = lastelt else {
        return Err(vm.err("IndexError", "index out of range"));
    };
    if heap.items.borrow().is_empty() {
        return Ok(lastelt);
    }
    let returnitem = std::mem::replace(&mut heap.items.borrow_mut()[0], lastelt);
    siftup(vm, heap, 0, order)?;
    Ok(returnitem)
}

fn heappop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let heap = heap_only(vm, "heappop", &args)?;
    heappop_internal(vm, &heap, Order::Min)
}

fn heappop_max(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let heap = heap_only(vm, "_heappop_max", &args)?;
    heappop_internal(vm, &heap, Order::Max)
}

/// `heapreplace_internal`: the first item is returned and `item` sifted from the top.
fn heapreplace_internal(vm: &mut Vm, heap: &List, x: Value, order: Order) -> PyResult<Value> {
    if heap.items.borrow().is_empty() {
        return Err(vm.err("IndexError", "index out of range"));
    }
    let returnitem = std::mem::replace(&mut heap.items.borrow_mut()[0], x);
    siftup(vm, heap, 0, order)?;
    Ok(returnitem)
}

fn heapreplace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (heap, x) = heap_and_item(vm, "heapreplace", &args)?;
    heapreplace_internal(vm, &heap, x, Order::Min)
}

fn heapreplace_max(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (heap, x) = heap_and_item(vm, "_heapreplace_max", &args)?;
    heapreplace_internal(vm, &heap, x, Order::Max)
}

/// `_heapq_heappushpop_impl`: `item` itself unless the top is less than it; the
/// comparison may empty the list, which is then an IndexError.
fn heappushpop(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (heap, x) = heap_and_item(vm, "heappushpop", &args)?;
    let top = heap.items.borrow().first().cloned();
    let Some(top) = top else {
        return Ok(x);
    };
    if !less(vm, &top, &x)? {
        return Ok(x);
    }
    heapreplace_internal(vm, &heap, x, Order::Min)
}

/// `keep_top_bit`: `n` with only its highest set bit.
fn keep_top_bit(mut n: usize) -> usize {
    let mut i = 0;
    while n > 1 {
        n >>= 1;
        i += 1;
    }
    n << i
}

/// `heapify_internal`: bottom-up sifts; beyond 2500 items, `cache_friendly_heapify`'s
/// order of the same sifts.
fn heapify_internal(vm: &mut Vm, heap: &List, order: Order) -> PyResult<Value> {
    let n = heap.items.borrow().len();
    if n > 2500 {
        let m = n >> 1;
        let leftmost = keep_top_bit(m + 1) - 1;
        let mhalf = m >> 1;
        for range in [(mhalf, leftmost), (leftmost, m)] {
            for i in (range.0..range.1).rev() {
                let mut j = i;
                loop {
                    siftup(vm, heap, j, order)?;
                    if j & 1 == 0 {
                        break;
                    }
                    j >>= 1;
                }
            }
        }
        return Ok(Value::None);
    }
    for i in (0..n >> 1).rev() {
        siftup(vm, heap, i, order)?;
    }
    Ok(Value::None)
}

fn heapify(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let heap = heap_only(vm, "heapify", &args)?;
    heapify_internal(vm, &heap, Order::Min)
}

fn heapify_max(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let heap = heap_only(vm, "_heapify_max", &args)?;
    heapify_internal(vm, &heap, Order::Max)
}
