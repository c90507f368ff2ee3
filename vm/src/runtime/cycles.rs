//! `gc.collect()`: finding and freeing reference cycles nothing else reaches, as CPython's
//! collector does (`Modules/gcmodule.c`: `update_refs`, `subtract_refs`,
//! `move_unreachable`, then `delete_garbage`).
//!
//! The VM's objects are `Rc`s, so an object's strong count is its reference count. The
//! collector takes the objects `gc` registered (the containers that can close a cycle)
//! and every container reachable from them whose references it can enumerate exactly
//! (lists, dicts, sets, tuples, bound methods, instances, functions, cells, generators,
//! frames, tracebacks, iterators); each is a node. A node's count less the references
//! from other nodes is what something outside holds (a frame's variable, a module, a
//! class, the collector's own handle aside): a node with any is reachable, and so is
//! every node it reaches. The rest is garbage, emptied as teardown empties objects, so
//! their counts fall to zero and they are freed — weak references die and their
//! callbacks run, as in CPython.
//!
//! Soundness rests on one rule: a reference the collector enumerates is one the node
//! really holds. A reference it does not enumerate (a key's extra `Rc`, a type's or a
//! module's contents, a native object's state) only makes its target look held from
//! outside, so the collector may leave garbage alive but never frees a live object.
//! Unreachable instances with `__del__` are finalised first (`finalize`); a suspended
//! generator among the garbage (CPython's finalizer runs its `close()`) makes the
//! collection unsupported.

use std::collections::HashMap;
use std::rc::Rc;

use super::dict::Dict;
use super::frame::{Frame, FrameObject};
use super::gc::Clear;
use super::interp::Vm;
use super::object::{Function, IterState, Value};
use super::PyResult;

/// A reference one node holds.
pub enum Edge<'a> {
    Value(&'a Value),
    Dict(&'a Rc<Dict>),
    Function(&'a Rc<Function>),
    Frame(&'a Rc<FrameObject>),
    Tuple(&'a Rc<[Value]>),
}

/// The collector's handle on a node: one strong reference, counted out of its count.
enum Handle {
    Registered(Rc<dyn Clear>),
    Value(Value),
    Dict(Rc<Dict>),
}

/// The address identifying the object a value is, when it is a node kind.
fn value_address(v: &Value) -> Option<usize> {
    Some(match v {
        Value::List(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Dict(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Set(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Tuple(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Method(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Object(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Function(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Cell(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Generator(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Frame(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Traceback(x) => Rc::as_ptr(x) as *const () as usize,
        Value::Iter(x) => Rc::as_ptr(x) as *const () as usize,
        _ => return None,
    })
}

fn edge_address(e: &Edge) -> Option<usize> {
    match e {
        Edge::Value(v) => value_address(v),
        Edge::Dict(d) => Some(Rc::as_ptr(d) as *const () as usize),
        Edge::Function(f) => Some(Rc::as_ptr(f) as *const () as usize),
        Edge::Frame(f) => Some(Rc::as_ptr(f) as *const () as usize),
        Edge::Tuple(t) => Some(Rc::as_ptr(t) as *const () as usize),
    }
}

/// A handle on the object an edge points at.
fn edge_handle(e: &Edge) -> Option<Handle> {
    Some(match e {
        Edge::Value(v) => {
            value_address(v)?;
            Handle::Value((*v).clone())
        }
        Edge::Dict(d) => Handle::Dict((*d).clone()),
        Edge::Function(f) => Handle::Value(Value::Function((*f).clone())),
        Edge::Frame(f) => Handle::Value(Value::Frame((*f).clone())),
        Edge::Tuple(t) => Handle::Value(Value::Tuple((*t).clone())),
    })
}

impl Handle {
    fn strong_count(&self) -> usize {
        match self {
            Handle::Registered(rc) => Rc::strong_count(rc),
            Handle::Dict(d) => Rc::strong_count(d),
            Handle::Value(v) => match v {
                Value::List(x) => Rc::strong_count(x),
                Value::Dict(x) => Rc::strong_count(x),
                Value::Set(x) => Rc::strong_count(x),
                Value::Tuple(x) => Rc::strong_count(x),
                Value::Method(x) => Rc::strong_count(x),
                Value::Object(x) => Rc::strong_count(x),
                Value::Function(x) => Rc::strong_count(x),
                Value::Cell(x) => Rc::strong_count(x),
                Value::Generator(x) => Rc::strong_count(x),
                Value::Frame(x) => Rc::strong_count(x),
                Value::Traceback(x) => Rc::strong_count(x),
                Value::Iter(x) => Rc::strong_count(x),
                _ => usize::MAX,
            },
        }
    }

    /// Calls `f` with each reference the node holds; false when some could not be read
    /// (a container borrowed for writing), so the node must count as held from outside.
    fn visit(&self, f: &mut dyn FnMut(Edge)) -> bool {
        match self {
            Handle::Registered(rc) => rc.visit(f),
            Handle::Dict(d) => d.visit(f),
            Handle::Value(v) => visit_value(v, f),
        }
    }

    fn clear_into(&self, out: &mut Vec<Value>) {
        match self {
            Handle::Registered(rc) => rc.clear_into(out),
            Handle::Dict(d) => d.clear_into(out),
            Handle::Value(v) => match v {
                Value::List(x) => x.clear_into(out),
                Value::Dict(x) => x.clear_into(out),
                Value::Set(x) => x.clear_into(out),
                Value::Object(x) => x.clear_into(out),
                Value::Function(x) => x.clear_into(out),
                Value::Cell(x) => x.clear_into(out),
                Value::Generator(x) => x.clear_into(out),
                Value::Frame(x) => x.clear_into(out),
                Value::Traceback(x) => x.clear_into(out),
                Value::Iter(x) => x.clear_into(out),
                // Immutable: freed when the containers holding them are emptied.
                _ => {}
            },
        }
    }

    /// A suspended generator, whose collection CPython would run `close()` for.
    fn is_suspended_generator(&self) -> bool {
        matches!(self, Handle::Value(Value::Generator(g))
            if g.started.get() && !g.finished.get())
    }
}

fn visit_value(v: &Value, f: &mut dyn FnMut(Edge)) -> bool {
    match v {
        Value::List(x) => x.visit(f),
        Value::Dict(x) => x.visit(f),
        Value::Set(x) => x.visit(f),
        Value::Tuple(items) => {
            items.iter().for_each(|i| f(Edge::Value(i)));
            true
        }
        Value::Method(m) => {
            f(Edge::Value(&m.func));
            f(Edge::Value(&m.receiver));
            true
        }
        Value::Object(x) => x.visit(f),
        Value::Function(x) => x.visit(f),
        Value::Cell(x) => x.visit(f),
        Value::Generator(x) => x.visit(f),
        Value::Frame(x) => x.visit(f),
        Value::Traceback(x) => x.visit(f),
        Value::Iter(x) => x.visit(f),
        _ => true,
    }
}

/// The references an interpreter frame holds.
pub fn visit_frame(frame: &Frame, f: &mut dyn FnMut(Edge)) {
    frame
        .localsplus
        .iter()
        .flatten()
        .for_each(|v| f(Edge::Value(v)));
    if let Some(func) = &frame.func {
        f(Edge::Function(func));
    }
    f(Edge::Dict(&frame.globals));
    f(Edge::Dict(&frame.builtins));
    if let Some(locals) = &frame.locals {
        f(Edge::Dict(locals));
    }
    if let Some(mapping) = &frame.locals_mapping {
        f(Edge::Value(mapping));
    }
    if let Some(fo) = &frame.frame_obj {
        f(Edge::Frame(fo));
    }
    if let Some(kw) = &frame.kwnames {
        f(Edge::Tuple(kw));
    }
}

/// The references an iterator's state holds.
pub fn visit_iter_state(state: &IterState, f: &mut dyn FnMut(Edge)) {
    match state {
        IterState::List { list, .. } => f(Edge::Value(&Value::List(list.clone()))),
        IterState::Tuple { items, .. } => f(Edge::Tuple(items)),
        IterState::Keys { items, .. } => items.iter().for_each(|i| f(Edge::Value(i))),
        IterState::Dict { dict, .. } => f(Edge::Dict(dict)),
        IterState::DictReversed { dict, keys, .. } => {
            f(Edge::Dict(dict));
            keys.iter().for_each(|k| f(Edge::Value(k)));
        }
        IterState::Reversed { seq, .. } | IterState::Seq { seq, .. } => f(Edge::Value(seq)),
        IterState::Set { set, .. } => f(Edge::Value(&Value::Set(set.clone()))),
        IterState::Enumerate { inner, .. } => f(Edge::Value(inner)),
        IterState::Zip { inners, .. } => inners.iter().for_each(|i| f(Edge::Value(i))),
        IterState::Map { func, inners } => {
            f(Edge::Value(func));
            inners.iter().for_each(|i| f(Edge::Value(i)));
        }
        IterState::Filter { func, inner } => {
            f(Edge::Value(func));
            f(Edge::Value(inner));
        }
        IterState::Callable { func, sentinel } => {
            f(Edge::Value(func));
            f(Edge::Value(sentinel));
        }
        IterState::Range { .. }
        | IterState::LongRange(_)
        | IterState::Str { .. }
        | IterState::Done(_) => {}
    }
}

/// `gc.collect()`: frees the unreachable cycles and returns how many objects they held.
/// As CPython's, it first calls the `__del__` of unreachable instances that have one
/// (`finalize_garbage`), then looks again, since a finalizer may have made some of them
/// reachable (`handle_resurrected_objects`).
pub fn collect(vm: &mut Vm) -> PyResult<usize> {
    loop {
        let (nodes, garbage) = unreachable();
        // In the order they were made (a plain instance by its dict's registration), as
        // CPython's lists of tracked objects keep them.
        let position: HashMap<usize, usize> = order_of(&nodes)
            .into_iter()
            .enumerate()
            .map(|(i, a)| (a, i))
            .collect();
        let mut instances: Vec<(usize, Value)> = garbage
            .iter()
            .filter_map(|a| match &nodes[a] {
                Handle::Value(v @ Value::Object(o)) => {
                    let dict = Rc::as_ptr(&o.dict) as *const () as usize;
                    let at = position.get(&dict).or(position.get(a)).copied();
                    Some((at.unwrap_or(usize::MAX), v.clone()))
                }
                _ => None,
            })
            .collect();
        instances.sort_by_key(|(at, _)| *at);
        let instances: Vec<Value> = instances.into_iter().map(|(_, v)| v).collect();
        // `handle_weakrefs`: weak references to the garbage are cleared and their
        // callbacks called before any finalizer runs.
        for v in &instances {
            if let Value::Object(o) = v {
                super::weakref::clear_referent(Rc::as_ptr(o) as usize);
            }
        }
        super::weakref::run_pending(vm)?;
        // Coroutines that never started: their finaliser warns (`unawaited`). CPython
        // finalises the garbage in the collector's order, which the VM keeps among the
        // coroutines but not between them and instances with `__del__`.
        let mut coroutines: Vec<(usize, Rc<super::object::Generator>)> = garbage
            .iter()
            .filter_map(|a| {
                let g = match &nodes[a] {
                    Handle::Value(Value::Generator(g)) => g.clone(),
                    Handle::Registered(rc) => rc.generator()?,
                    _ => return None,
                };
                super::ops::generators::unfinalized_unawaited(&g)
                    .then(|| (position.get(a).copied().unwrap_or(usize::MAX), g))
            })
            .collect();
        if !coroutines.is_empty() {
            let with_del = instances
                .iter()
                .any(|v| matches!(v, Value::Object(o) if super::finalize::has_finalizer(o)));
            if with_del {
                return Err(vm.unsupported(
                    "gc.collect of a cycle holding both a coroutine never awaited and an \
                     instance with __del__ (CPython finalises them in its collector's order)",
                ));
            }
            coroutines.sort_by_key(|(at, _)| *at);
            for (_, g) in &coroutines {
                super::ops::generators::mark_finalized(g);
                super::unawaited::warn_unawaited(vm, g)?;
            }
            continue;
        }
        if super::finalize::finalize_garbage(vm, &instances)? {
            continue;
        }
        drop(instances);
        if garbage.iter().any(|a| nodes[a].is_suspended_generator()) {
            return Err(vm.unsupported(
                "gc.collect of a suspended generator in a cycle (CPython closes it first)",
            ));
        }
        // `delete_garbage`: empty each unreachable container; dropping the handles and
        // the emptied values then frees them.
        let mut out = Vec::new();
        for a in &garbage {
            nodes[a].clear_into(&mut out);
        }
        drop(nodes);
        super::gc::release(out);
        return Ok(garbage.len());
    }
}

/// The addresses of the registered objects, oldest first.
fn order_of(nodes: &HashMap<usize, Handle>) -> Vec<usize> {
    super::gc::registered()
        .iter()
        .map(|rc| Rc::as_ptr(rc) as *const () as usize)
        .filter(|a| nodes.contains_key(a))
        .collect()
}

/// The nodes, and the addresses of the unreachable ones.
fn unreachable() -> (HashMap<usize, Handle>, Vec<usize>) {
    // Every node, with the collector's one handle on it.
    let mut nodes: HashMap<usize, Handle> = HashMap::new();
    let mut order: Vec<usize> = Vec::new();
    for rc in super::gc::registered() {
        let addr = Rc::as_ptr(&rc) as *const () as usize;
        if let std::collections::hash_map::Entry::Vacant(e) = nodes.entry(addr) {
            e.insert(Handle::Registered(rc));
            order.push(addr);
        }
    }
    let mut i = 0;
    while i < order.len() {
        let mut found = Vec::new();
        nodes[&order[i]].visit(&mut |e| {
            if let Some(addr) = edge_address(&e) {
                if !nodes.contains_key(&addr) {
                    if let Some(h) = edge_handle(&e) {
                        found.push((addr, h));
                    }
                }
            }
        });
        for (addr, h) in found {
            if let std::collections::hash_map::Entry::Vacant(e) = nodes.entry(addr) {
                e.insert(h);
                order.push(addr);
            }
        }
        // A registered instance is better held as a value (finalizers need one): the
        // same single handle either way.
        let mut upgrade = Vec::new();
        nodes[&order[i]].visit(&mut |e| {
            if let (Edge::Value(v @ Value::Object(_)), Some(addr)) = (&e, edge_address(&e)) {
                upgrade.push((addr, (*v).clone()));
            }
        });
        for (addr, v) in upgrade {
            if let Some(h @ Handle::Registered(_)) = nodes.get_mut(&addr) {
                *h = Handle::Value(v);
            }
        }
        i += 1;
    }
    // `update_refs` and `subtract_refs`: what is held from outside the nodes.
    let mut outside: HashMap<usize, isize> = nodes
        .iter()
        .map(|(a, h)| (*a, h.strong_count() as isize - 1))
        .collect();
    let mut edges: HashMap<usize, Vec<usize>> = HashMap::new();
    for addr in &order {
        let mut targets = Vec::new();
        let complete = nodes[addr].visit(&mut |e| {
            if let Some(t) = edge_address(&e).filter(|t| nodes.contains_key(t)) {
                targets.push(t);
            }
        });
        for t in &targets {
            if let Some(n) = outside.get_mut(t) {
                *n -= 1;
            }
        }
        if !complete {
            outside.insert(*addr, isize::MAX);
        }
        edges.insert(*addr, targets);
    }
    // `move_unreachable`: everything reachable from a node held from outside.
    let mut reachable: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut work: Vec<usize> = order.iter().copied().filter(|a| outside[a] > 0).collect();
    while let Some(a) = work.pop() {
        if !reachable.insert(a) {
            continue;
        }
        work.extend(edges[&a].iter().copied().filter(|t| !reachable.contains(t)));
    }
    let garbage: Vec<usize> = order
        .iter()
        .copied()
        .filter(|a| !reachable.contains(a))
        .collect();
    (nodes, garbage)
}
