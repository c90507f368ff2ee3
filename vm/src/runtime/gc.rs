//! Freeing a run's objects: cycle breaking at teardown and drops that do not recurse.
//!
//! Objects are `Rc`s, so reference cycles (a module's globals → a function → its
//! `__globals__`; a class ↔ its methods' globals; frame ↔ frame object; exception ↔
//! traceback ↔ frame; `l.append(l)` …) would outlive the run. CPython frees them with its
//! cycle collector at shutdown; the VM does the equivalent once, when a run ends.
//!
//! Design: every object that has a *mutable* slot holding a value (dict, list, set,
//! iterator, function, cell, generator, frame object, traceback, exception instance) is
//! registered here, as a `Weak`, when it is allocated ([`alloc`]). Objects without such
//! slots (tuples, bound methods, properties, types, modules, ranges, slices, views, plain
//! instances — whose dict is registered —, range and str iterators) are not:
//! an immutable object can only point at objects that existed before it, so every cycle
//! must contain at least one edge that was stored after allocation, i.e. one of the
//! mutable slots above. At teardown ([`Session`]'s drop) each registered object still
//! alive is emptied — the values whose drop would free a container moved into one list,
//! the others dropped at once — which breaks every cycle; then that list is dropped with
//! [`release`], so nothing survives the run.
//!
//! Why not a tracing collector, or a registry of everything: the VM never needs memory
//! back *during* a run (fuel and the heap budget bound it; cycles the program drops stay
//! allocated until the run ends and count against the budget), only after; emptying at
//! the end needs no knowledge of which objects are reachable and costs one `Weak` per
//! mutable object on the hot path. The registry is pruned of dead entries as it grows (see [`Registry`]), so
//! a loop that allocates and frees objects keeps it proportional to the live ones.
//!
//! Why a thread-local rather than a `Vm` field: constructors like `Dict::new_rc` and
//! `Value::list` are called from code that has no `Vm` at hand; the VM runs one program per
//! thread at a time, and a [`Session`] scopes the registry to exactly one run (objects
//! allocated outside a run, e.g. by unit tests, are not tracked).
//!
//! Deep structures (a list nested a million deep, a long chain of instances, frames or
//! tracebacks) would overflow the Rust stack if dropped by recursive drop glue. The
//! containers that can nest (`List`, `Dict`, `CellObj`, `Frame`, `Traceback`, `Instance`)
//! therefore drop their contents through [`release`], which empties uniquely owned
//! containers onto an explicit work list instead of recursing.

use std::cell::Cell;
use std::cell::RefCell;
use std::mem;
use std::rc::{Rc, Weak};

use super::cycles::{visit_frame, visit_iter_state, Edge};
use super::dict::Dict;
use super::frame::{Frame, FrameObject};
use super::object::{
    CellObj, Function, Generator, Instance, Iter, IterState, List, Set, Traceback, Value,
};

/// An object whose mutable slots can be emptied at teardown.
pub trait Clear {
    /// Moves every value held in a mutable slot into `out` (nothing is dropped here, so no
    /// other object can die while the registry is walked).
    fn clear_into(&self, out: &mut Vec<Value>);

    /// False when this object has no mutable slot that can hold a value, so it can close
    /// no cycle and need not be registered.
    fn can_close_cycle(&self) -> bool {
        true
    }

    /// Calls `f` with references this object holds (for `gc.collect`, see `cycles`): only
    /// references it really holds, though it may leave some out. False when it could
    /// not read them all (a container borrowed for writing).
    fn visit(&self, _f: &mut dyn FnMut(Edge)) -> bool {
        true
    }

    /// The object as a generator, when it is one (the collector finalises coroutines
    /// that never started, see `cycles`).
    fn generator(&self) -> Option<Rc<Generator>> {
        None
    }
}

/// [`Clear::visit`] over value cells: false when one is being written.
fn visit_cells(cells: &[&RefCell<Value>], f: &mut dyn FnMut(Edge)) -> bool {
    for cell in cells {
        let Ok(v) = cell.try_borrow() else {
            return false;
        };
        f(Edge::Value(&v));
    }
    true
}

/// The live objects registered in this run (for `gc.collect`).
pub fn registered() -> Vec<Rc<dyn Clear>> {
    REGISTRY.with(|r| {
        r.try_borrow()
            .ok()
            .and_then(|r| {
                r.as_ref().map(|reg| {
                    reg.old
                        .iter()
                        .chain(&reg.young)
                        .filter_map(Weak::upgrade)
                        .collect()
                })
            })
            .unwrap_or_default()
    })
}

/// Entries in the young list before it is pruned.
const YOUNG: usize = 32;
/// Fewest entries before the old list is pruned.
const MIN_OLD_PRUNE: usize = 1024;

/// The `Weak`s of one run's objects. A `Weak` keeps its object's memory block (not its
/// contents) allocated until the entry is pruned, so most objects, which die young, are
/// pruned from a short list soon after they die; the survivors move to `old`, pruned
/// whenever it doubles. Both keep the cost amortised O(1) per allocation.
struct Registry {
    young: Vec<Weak<dyn Clear>>,
    old: Vec<Weak<dyn Clear>>,
    old_prune_at: usize,
}

impl Registry {
    fn new() -> Registry {
        Registry {
            young: Vec::with_capacity(YOUNG),
            old: Vec::new(),
            old_prune_at: MIN_OLD_PRUNE,
        }
    }

    fn push(&mut self, weak: Weak<dyn Clear>) {
        self.young.push(weak);
        if self.young.len() < YOUNG {
            return;
        }
        let old = &mut self.old;
        old.extend(self.young.drain(..).filter(|w| w.strong_count() > 0));
        if old.len() >= self.old_prune_at {
            old.retain(|w| w.strong_count() > 0);
            self.old_prune_at = (old.len() * 2).max(MIN_OLD_PRUNE);
        }
    }
}

thread_local! {
    static REGISTRY: RefCell<Option<Registry>> = const { RefCell::new(None) };
}

/// `Rc::new(value)`, registered for teardown when a run is active on this thread.
pub fn alloc<T: Clear + 'static>(value: T) -> Rc<T> {
    let track_it = value.can_close_cycle();
    let rc = Rc::new(value);
    if track_it {
        track(&rc);
        count_container();
    }
    rc
}

thread_local! {
    /// Containers allocated since the last collection (CPython's
    /// `generations[0].count`, without its decrements), and the count at which CPython
    /// would have started an automatic collection (`u64::MAX`: never), set by `gc`.
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
    static COLLECT_AT: Cell<u64> = const { Cell::new(u64::MAX) };
    static COLLECTION_DUE: Cell<bool> = const { Cell::new(false) };
}

/// One more container: past the threshold, the evaluator is asked to look
/// (`_PyObject_GC_Link` → `_Py_ScheduleGC`).
fn count_container() {
    let _ = ALLOCATED.try_with(|a| {
        let n = a.get() + 1;
        a.set(n);
        if n >= COLLECT_AT.with(Cell::get) {
            COLLECTION_DUE.with(|d| d.set(true));
            super::eval::set_eval_breaker();
        }
    });
}

/// Sets the count of allocations at which CPython would collect (`None`: never).
pub fn set_collect_at(at: Option<u64>) {
    COLLECT_AT.with(|c| c.set(at.unwrap_or(u64::MAX)));
    if let Some(at) = at {
        if ALLOCATED.with(Cell::get) >= at {
            COLLECTION_DUE.with(|d| d.set(true));
            super::eval::set_eval_breaker();
        }
    }
}

/// Whether an automatic collection came due since the last call (clears it).
pub fn take_collection_due() -> bool {
    COLLECTION_DUE.with(|d| d.replace(false))
}

/// A collection ran: the count starts again.
pub fn reset_allocated() {
    ALLOCATED.with(|a| a.set(0));
}

/// Registers `rc` for teardown (no-op outside a run).
pub fn track<T: Clear + 'static>(rc: &Rc<T>) {
    let _ = REGISTRY.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if let Some(reg) = r.as_mut() {
                reg.push(Rc::downgrade(rc) as Weak<dyn Clear>);
            }
        }
    });
}

/// One run's registry: created before the run's first allocation, dropped after the VM
/// (so also on unwinding), when it breaks every cycle among the run's objects.
pub struct Session {
    /// The registry of an enclosing session on this thread, restored at the end (runs do
    /// not nest today; this keeps an accidental nesting sound).
    outer: Option<Registry>,
}

impl Session {
    pub fn begin() -> Session {
        let fresh = Registry::new();
        let outer = REGISTRY.with(|r| r.try_borrow_mut().ok().and_then(|mut r| r.replace(fresh)));
        Session { outer }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let outer = self.outer.take();
        let Some(reg) = REGISTRY.with(|r| {
            r.try_borrow_mut()
                .ok()
                .and_then(|mut r| mem::replace(&mut *r, outer))
        }) else {
            return;
        };
        // Only the values whose drop would free a container wait in `garbage`; the others
        // (ints, strings, references held elsewhere too) are dropped as they come, which
        // frees nothing another object still needs, so teardown takes little memory
        // beyond the run's own even when it ended for lack of it.
        let mut garbage = Vec::new();
        let mut emptied = Vec::new();
        for weak in reg.old.iter().chain(&reg.young) {
            if let Some(obj) = weak.upgrade() {
                obj.clear_into(&mut emptied);
                garbage.extend(emptied.drain(..).filter(is_deep));
            }
        }
        release(garbage);
        super::dict::clear_interned();
        #[cfg(test)]
        SURVIVORS.with(|s| {
            let alive = reg.old.iter().chain(&reg.young);
            s.set(alive.filter(|w| w.strong_count() > 0).count());
        });
    }
}

#[cfg(test)]
thread_local! {
    /// Registered objects still alive after the last teardown on this thread (leaks).
    static SURVIVORS: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Drops `values` without recursing on the Rust stack: a container whose last reference
/// is being dropped is first emptied onto the work list, so its own drop is shallow.
pub fn release(mut values: Vec<Value>) {
    while let Some(mut v) = values.pop() {
        detach(&mut v, &mut values);
    }
}

/// Whether dropping `v` would drop a container's contents (so could recurse).
pub fn is_deep(v: &Value) -> bool {
    fn last<T: ?Sized>(rc: &Rc<T>) -> bool {
        Rc::strong_count(rc) == 1
    }
    match v {
        Value::Tuple(t) => last(t) && !t.is_empty(),
        Value::List(x) => last(x),
        Value::Dict(x) => last(x),
        Value::Set(x) => last(x),
        Value::Iter(x) => last(x),
        Value::DictView(x) => last(x),
        Value::Function(x) => last(x),
        Value::Method(x) => last(x),
        Value::Frame(x) => last(x),
        Value::Traceback(x) => last(x),
        Value::Module(x) => last(x),
        Value::Type(x) => last(x),
        Value::Object(x) => last(x),
        Value::Cell(x) => last(x),
        Value::Generator(x) => last(x),
        Value::Property(x) => last(x),
        Value::TypeParam(x) => last(x),
        _ => false,
    }
}

/// Drops the values a container held, each like [`release_one`]. The scan first keeps
/// the common case (no value is the last reference to a container) a plain drop.
pub fn release_all(values: Vec<Value>) {
    if values.iter().any(is_deep) {
        values.into_iter().for_each(release_one);
    }
}

/// Drops one value without recursion. The common cases cost no allocation: a value that is
/// not the last reference to a container is dropped directly, and so is a container none
/// of whose contents is itself the last reference to a container (its drop is shallow).
pub fn release_one(mut v: Value) {
    if !is_deep(&v) {
        return;
    }
    let mut work = Vec::new();
    detach(&mut v, &mut work);
    drop(v);
    if !work.is_empty() {
        release(work);
    }
}

/// Whether the dict behind `d` would be dropped with `d` and holds a container that
/// would be dropped with it.
fn dict_is_deep(d: &Rc<Dict>) -> bool {
    Rc::strong_count(d) == 1 && d.has_deep()
}

/// If `v` is the last reference to a container holding the last reference to another
/// container, moves the container's contents into `out`; fields that cannot be moved out
/// are pushed as extra references, which become the last ones once `v` drops. The caller
/// then drops `v`, shallowly.
fn detach(v: &mut Value, out: &mut Vec<Value>) {
    if !is_deep(v) {
        return;
    }
    match v {
        Value::Tuple(t) => {
            if let Some(items) = Rc::get_mut(t) {
                if items.iter().any(is_deep) {
                    out.extend(items.iter_mut().map(mem::take));
                }
            }
        }
        Value::List(x) => {
            if let Ok(mut items) = x.items.try_borrow_mut() {
                if items.iter().any(is_deep) {
                    out.append(&mut items);
                }
            }
        }
        Value::Dict(x) if x.has_deep() => x.drain_into(out),
        Value::Set(x) if x.items.has_deep() => x.items.drain_into(out),
        Value::Iter(x) => x.clear_into(out),
        Value::DictView(x) if dict_is_deep(&x.dict) => out.push(Value::Dict(x.dict.clone())),
        Value::Function(x) => {
            x.clear_into(out);
            for d in [&x.globals, &x.dict()] {
                if dict_is_deep(d) {
                    out.push(Value::Dict(d.clone()));
                }
            }
            if let Some(closure) = &x.closure {
                if Rc::strong_count(closure) == 1 {
                    out.push(Value::Tuple(closure.clone()));
                }
            }
        }
        Value::Method(x) => {
            if let Some(m) = Rc::get_mut(x) {
                out.push(mem::take(&mut m.func));
                out.push(mem::take(&mut m.receiver));
            }
        }
        Value::Property(x) => {
            if let Some(p) = Rc::get_mut(x) {
                out.push(mem::take(&mut p.func));
            }
        }
        Value::Frame(x) => x.clear_into(out),
        Value::Traceback(x) => {
            x.clear_into(out);
            if Rc::strong_count(&x.tb_frame) == 1 {
                out.push(Value::Frame(x.tb_frame.clone()));
            }
        }
        Value::Module(x) if dict_is_deep(&x.dict) => out.push(Value::Dict(x.dict.clone())),
        Value::Type(x) if dict_is_deep(&x.dict) => out.push(Value::Dict(x.dict.clone())),
        // An instance with `__del__` is finalised whole (see `finalize`).
        Value::Object(x) if super::finalize::has_finalizer(x) => {}
        Value::Object(x) => {
            x.clear_into(out);
            if dict_is_deep(&x.dict) {
                out.push(Value::Dict(x.dict.clone()));
            }
            // The payload cannot be moved out: an extra reference makes it the last one.
            if let Some(p) = x.payload.as_ref().filter(|p| is_deep(p)) {
                out.push(p.clone());
            }
        }
        Value::Cell(x) => x.clear_into(out),
        // A suspended generator is closed when freed (see `ops::generators`): its frame
        // stays for that.
        // Its drop finalises it with its frame: a suspended generator (closed) or a
        // coroutine that never started (warned about, `unawaited`).
        Value::Generator(x)
            if !x.finished.get()
                && (x.started.get() || x.kind == super::object::GenKind::Coroutine) => {}
        Value::Generator(x) => x.clear_into(out),
        _ => {}
    }
}

/// Moves an interpreter frame's values into `out`.
pub fn frame_into(frame: &mut Frame, out: &mut Vec<Value>) {
    out.extend(mem::take(&mut frame.localsplus).into_iter().flatten());
    if let Some(locals) = frame.locals.take() {
        out.push(Value::Dict(locals));
    }
    if let Some(mapping) = frame.locals_mapping.take() {
        out.push(mapping);
    }
    if let Some(func) = frame.func.take() {
        out.push(Value::Function(func));
    }
    if let Some(fo) = frame.frame_obj.take() {
        out.push(Value::Frame(fo));
    }
    if let Some(kw) = frame.kwnames.take() {
        out.push(Value::Tuple(kw));
    }
}

impl Clear for Dict {
    fn clear_into(&self, out: &mut Vec<Value>) {
        self.drain_into(out);
    }

    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        self.visit_entries(&mut |v| f(Edge::Value(v)))
    }
}

impl Clear for List {
    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut items) = self.items.try_borrow_mut() {
            out.append(&mut items);
        }
    }

    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        let Ok(items) = self.items.try_borrow() else {
            return false;
        };
        items.iter().for_each(|v| f(Edge::Value(v)));
        true
    }
}

impl Clear for Set {
    fn clear_into(&self, out: &mut Vec<Value>) {
        self.items.drain_into(out);
    }

    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        self.items.visit_values(&mut |v| f(Edge::Value(v)))
    }
}

impl Clear for Iter {
    /// Iterators over ranges and strings hold no values.
    fn can_close_cycle(&self) -> bool {
        self.state.try_borrow().map_or(true, |state| {
            !matches!(
                &*state,
                IterState::Range { .. }
                    | IterState::LongRange(_)
                    | IterState::Str { .. }
                    | IterState::Done(_)
            )
        })
    }

    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        let Ok(state) = self.state.try_borrow() else {
            return false;
        };
        visit_iter_state(&state, f);
        true
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return;
        };
        let name = super::protocol::iter_type_name(&state);
        match mem::replace(&mut *state, IterState::Done(name)) {
            IterState::List { list, .. } => out.push(Value::List(list)),
            IterState::Tuple { items, .. } => out.push(Value::Tuple(items)),
            IterState::Keys { items, .. } => out.extend(items),
            IterState::Dict { dict, .. } => out.push(Value::Dict(dict)),
            IterState::DictReversed { dict, keys, .. } => {
                out.push(Value::Dict(dict));
                out.extend(keys);
            }
            IterState::Reversed { seq, .. } => out.push(seq),
            IterState::Seq { seq, .. } => out.push(seq),
            IterState::Set { set, .. } => out.push(Value::Set(set)),
            IterState::Enumerate { inner, .. } => out.push(inner),
            IterState::Zip { inners, .. } => out.extend(inners),
            IterState::Map { func, inners } => {
                out.push(func);
                out.extend(inners);
            }
            IterState::Filter { func, inner } => {
                out.push(func);
                out.push(inner);
            }
            IterState::Callable { func, sentinel } => {
                out.push(func);
                out.push(sentinel);
            }
            IterState::Range { .. }
            | IterState::LongRange(_)
            | IterState::Str { .. }
            | IterState::Done(_) => {}
        }
    }
}

impl Clear for Function {
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        f(Edge::Dict(&self.globals));
        f(Edge::Dict(&self.builtins));
        f(Edge::Dict(&self.dict()));
        if let Some(closure) = &self.closure {
            f(Edge::Tuple(closure));
        }
        let (Ok(defaults), Ok(kwdefaults)) =
            (self.defaults.try_borrow(), self.kwdefaults.try_borrow())
        else {
            return false;
        };
        if let Some(d) = &*defaults {
            f(Edge::Tuple(d));
        }
        if let Some(d) = &*kwdefaults {
            f(Edge::Dict(d));
        }
        visit_cells(
            &[
                &self.annotations,
                &self.doc,
                &self.type_params,
                &self.module,
            ],
            f,
        )
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut d) = self.defaults.try_borrow_mut() {
            if let Some(t) = d.take() {
                out.push(Value::Tuple(t));
            }
        }
        if let Ok(mut d) = self.kwdefaults.try_borrow_mut() {
            if let Some(d) = d.take() {
                out.push(Value::Dict(d));
            }
        }
        if let Ok(mut a) = self.annotations.try_borrow_mut() {
            out.push(mem::take(&mut *a));
        }
        if let Ok(mut d) = self.doc.try_borrow_mut() {
            out.push(mem::take(&mut *d));
        }
        if let Ok(mut t) = self.type_params.try_borrow_mut() {
            out.push(mem::take(&mut *t));
        }
    }
}

impl Clear for CellObj {
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        let Ok(v) = self.value.try_borrow() else {
            return false;
        };
        if let Some(v) = &*v {
            f(Edge::Value(v));
        }
        true
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut v) = self.value.try_borrow_mut() {
            out.extend(v.take());
        }
    }
}

impl Clear for Generator {
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        let Ok(frame) = self.frame.try_borrow() else {
            return false;
        };
        if let Some(frame) = &*frame {
            visit_frame(frame, f);
        }
        let Ok(exc) = self.exc_state.try_borrow() else {
            return false;
        };
        f(Edge::Value(&exc));
        true
    }

    fn generator(&self) -> Option<Rc<Generator>> {
        self.me.try_borrow().ok()?.upgrade()
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut f) = self.frame.try_borrow_mut() {
            if let Some(mut frame) = f.take() {
                frame_into(&mut frame, out);
            }
        }
        if let Ok(mut exc) = self.exc_state.try_borrow_mut() {
            out.push(std::mem::replace(&mut *exc, Value::None));
        }
    }
}

impl Clear for FrameObject {
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        let (Ok(back), Ok(owned), Ok(trace)) = (
            self.back.try_borrow(),
            self.owned.try_borrow(),
            self.trace.try_borrow(),
        ) else {
            return false;
        };
        if let Some(b) = &*back {
            f(Edge::Value(b));
        }
        if let Some(frame) = &*owned {
            visit_frame(frame, f);
        }
        f(Edge::Value(&trace));
        true
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut back) = self.back.try_borrow_mut() {
            out.extend(back.take());
        }
        if let Ok(mut owned) = self.owned.try_borrow_mut() {
            if let Some(mut frame) = owned.take() {
                frame_into(&mut frame, out);
            }
        }
        if let Ok(mut t) = self.trace.try_borrow_mut() {
            out.push(mem::take(&mut *t));
        }
    }
}

impl Clear for Traceback {
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        f(Edge::Frame(&self.tb_frame));
        let Ok(next) = self.tb_next.try_borrow() else {
            return false;
        };
        f(Edge::Value(&next));
        true
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut next) = self.tb_next.try_borrow_mut() {
            out.push(mem::take(&mut *next));
        }
    }
}

impl Clear for Instance {
    /// A plain instance's only mutable slots are its dict (a registered `Dict`) and its
    /// class; a cycle through the class goes on through the class's dict, so only
    /// exceptions (traceback, context, cause, args, value) and instances with `__slots__`
    /// members need registering.
    fn can_close_cycle(&self) -> bool {
        self.exc.is_some() || !self.slots.borrow().is_empty()
    }

    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        f(Edge::Dict(&self.dict));
        if let Some(p) = &self.payload {
            f(Edge::Value(p));
        }
        let Ok(slots) = self.slots.try_borrow() else {
            return false;
        };
        slots.iter().flatten().for_each(|v| f(Edge::Value(v)));
        if let Some(exc) = &self.exc {
            let cells = [
                &exc.args,
                &exc.traceback,
                &exc.context,
                &exc.cause,
                &exc.value,
            ];
            if !visit_cells(&cells, f) {
                return false;
            }
            let Ok(members) = exc.members.try_borrow() else {
                return false;
            };
            members.iter().for_each(|v| f(Edge::Value(v)));
        }
        true
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut slots) = self.slots.try_borrow_mut() {
            out.extend(slots.iter_mut().filter_map(Option::take));
        }
        let Some(exc) = &self.exc else { return };
        for slot in [
            &exc.args,
            &exc.traceback,
            &exc.context,
            &exc.cause,
            &exc.value,
        ] {
            if let Ok(mut v) = slot.try_borrow_mut() {
                out.push(mem::take(&mut *v));
            }
        }
    }
}

// Drops that do not recurse: each container hands its contents to `release_all`.

impl Drop for List {
    fn drop(&mut self) {
        let mut items = mem::take(self.items.get_mut());
        // `list_dealloc` releases the last item first.
        if super::finalize::active() {
            items.reverse();
        }
        release_all(items);
    }
}

impl Drop for CellObj {
    fn drop(&mut self) {
        if let Some(v) = self.value.get_mut().take() {
            release_one(v);
        }
    }
}

impl Drop for Traceback {
    fn drop(&mut self) {
        release_one(mem::take(self.tb_next.get_mut()));
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Weak references with callbacks (see `weakref`): one thread-local read when none.
        super::weakref::instance_dropped(self as *const Instance as usize);
        // `__del__` (see `finalize`): the contents move to the object it is called on.
        if super::finalize::on_drop(self) {
            return;
        }
        release_all(
            mem::take(self.slots.get_mut())
                .into_iter()
                .flatten()
                .collect(),
        );
        // Exception context chains can be long; the instance dict is a `Dict` (own drop).
        if let Some(exc) = &mut self.exc {
            release_one(mem::take(exc.args.get_mut()));
            release_one(mem::take(exc.traceback.get_mut()));
            release_one(mem::take(exc.context.get_mut()));
            release_one(mem::take(exc.cause.get_mut()));
            release_one(mem::take(exc.value.get_mut()));
        }
    }
}

impl Drop for Frame {
    // Runs at every return: only the locals and stack are checked (no allocation unless
    // one of them is the last reference to a container). The other fields are containers
    // with their own non-recursive drops.
    fn drop(&mut self) {
        if self.localsplus.iter().flatten().any(is_deep) {
            mem::take(&mut self.localsplus)
                .into_iter()
                .flatten()
                .for_each(release_one);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SURVIVORS;
    use crate::{End, RunOptions};

    /// Runs `source` on this thread and returns how many registered objects outlived it.
    fn survivors(source: &str, fuel: u64) -> (End, usize) {
        let options = RunOptions {
            fuel,
            heap_limit_bytes: 16 << 20,
            ..RunOptions::default()
        };
        SURVIVORS.with(|s| s.set(usize::MAX));
        let result = super::super::compile_and_run(source, &options, 24);
        (result.end, SURVIVORS.with(|s| s.get()))
    }

    #[test]
    fn every_registered_object_dies_with_its_run() {
        let programs: &[(&str, &str)] = &[
            ("completed", "x = 1\n"),
            ("out of fuel", "while True: pass\n"),
            (
                "self references",
                "l = []\nl.append(l)\nd = {}\nd['d'] = d\ns = {1}\n",
            ),
            (
                "uncaught exception with traceback",
                "def f():\n    raise ValueError('x')\nf()\n",
            ),
            (
                "recursion error kept in globals",
                "def f():\n    try:\n        f()\n    except RecursionError as e:\n        \
                 global keep\n        keep = e\n        raise\nf()\n",
            ),
            (
                "memory error",
                "keep = [1]\nkeep.append(keep)\nx = [0] * (1 << 60)\n",
            ),
            (
                "out of memory",
                "keep = [1]\nkeep.append(keep)\nwhile True:\n    keep.append([keep] * 100)\n",
            ),
            (
                "closures and classes",
                "def outer():\n    x = 1\n    def inner():\n        return inner, x\n    \
                 return inner\nf = outer()\nclass A:\n    def m(self):\n        return self\n\
                 class B(A):\n    pass\nb = B()\nb.me = b\nb.meth = b.m\n",
            ),
            (
                "suspended generators and kept frames",
                "import sys\ndef g():\n    me = yield\n    yield me\nh = g()\nnext(h)\n\
                 h.send(h)\ndef keep():\n    return sys._getframe()\nkf = keep()\n\
                 fr = sys._getframe()\n",
            ),
            (
                "tracebacks and settrace left installed",
                "import sys\ntry:\n    raise ValueError\nexcept ValueError as e:\n    \
                 saved = e\n    tb = e.__traceback__\ndef t(frame, event, arg):\n    \
                 return t\nsys.settrace(t)\ndef f():\n    return 1\nf()\n",
            ),
            (
                "iterators and defaults",
                "fs = [1, 2]\nit = iter(fs)\nfs.append(it)\nm = map(lambda q: fs, fs)\n\
                 fs.append(m)\ndef d(a=[]):\n    a.append(d)\nd()\n",
            ),
        ];
        for (what, source) in programs {
            let (end, left) = survivors(source, 200_000);
            // Each program must reach its intended end, or it tests less than it says.
            let ended = format!("{end:?}");
            let expected = match *what {
                "out of fuel" => "OutOfFuel",
                "out of memory" => "OutOfMemory",
                "recursion error kept in globals" => {
                    "Exception(UncaughtException { type_name: \"RecursionError\""
                }
                "memory error" => "Exception(UncaughtException { type_name: \"MemoryError\"",
                "uncaught exception with traceback" => {
                    "Exception(UncaughtException { type_name: \"ValueError\""
                }
                _ => "Completed",
            };
            assert!(ended.starts_with(expected), "{what}: ended {ended}");
            assert_eq!(left, 0, "{what}: {left} objects outlived the run ({end:?})");
        }
    }
}
