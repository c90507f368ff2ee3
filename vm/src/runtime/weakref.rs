//! Weak references (CPython `Objects/weakrefobject.c`): `weakref.ReferenceType`, which
//! `_weakref.ref` is, and the callbacks that run when a referent dies.
//!
//! Objects are `Rc`s, so a weak reference is a `Weak` to its referent and dies with the
//! referent's last strong reference, as CPython's does with the last `Py_DECREF`. Every
//! weak reference is listed by its referent's address ([`REFS`], CPython's
//! `tp_weaklistoffset` list): `getweakrefcount`, the reuse of a plain `ref(o)`, and the
//! callbacks come from there. When an instance dies (`Drop for Instance`), its weak
//! references with a callback are queued ([`instance_dropped`]) and the evaluator calls
//! the callbacks before the next instruction ([`run_pending`]) — CPython calls them
//! inside the `Py_DECREF` that freed the object, which is within the instruction that
//! dropped it; nothing else runs in between here.
//!
//! Callbacks are supported on instances of classes and on async generators, whose drops
//! the VM sees; a callback on another kind of referent (a function, a class, a module) is
//! unsupported.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use super::argspec::{Spec, Style};
use super::interp::Vm;
use super::object::{
    Args, Builtin, Function, Generator, Instance, Method, Module, Native, NativeFn, Set, Value,
};
use super::types::Type;
use super::PyResult;
use crate::code::CodeObject;

/// A weak reference: its referent, callback and cached hash (CPython
/// `PyWeakReference`).
#[derive(Debug)]
pub struct WeakRef {
    target: Target,
    /// Cleared once called (CPython sets `wr_callback` to NULL before calling it).
    callback: RefCell<Value>,
    hash: Cell<Option<i64>>,
    /// For an instance of a subclass of `ReferenceType`, that instance: the object the
    /// callback receives.
    pub outer: RefCell<Option<Weak<Instance>>>,
    /// Cleared by `gc.collect()` before the referent, still alive, is finalised and freed
    /// (CPython's `handle_weakrefs` clears them first).
    cleared: Cell<bool>,
    /// A reference (`weakref.ref`) or a proxy (`weakref.proxy`, see `weakproxy`): both
    /// are `PyWeakReference`s in CPython, listed together by their referent.
    pub kind: Kind,
}

/// Which type a weak reference object has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `weakref.ReferenceType`.
    Ref,
    /// `weakref.ProxyType`: a proxy of a referent that is not callable.
    Proxy,
    /// `weakref.CallableProxyType`: a proxy of a callable referent.
    CallableProxy,
}

impl Kind {
    /// The key of its type in the registry.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Ref => "ReferenceType",
            Kind::Proxy => "ProxyType",
            Kind::CallableProxy => "CallableProxyType",
        }
    }
}

/// A referent, by kind.
#[derive(Debug)]
enum Target {
    Object(Weak<Instance>),
    Function(Weak<Function>),
    Type(Weak<Type>),
    Module(Weak<Module>),
    Generator(Weak<Generator>),
    Set(Weak<Set>),
    Code(Weak<CodeObject>),
    Method(Weak<Method>),
    Builtin(Weak<Builtin>),
    Native(Weak<Native>),
}

/// The built-in types implemented natively whose instances have a weak reference list
/// (CPython: a non-zero `tp_weaklistoffset`); iterators, descriptors, `re.Match`, the
/// operator and json helpers, pickle's objects and `_random.Random` have none.
fn native_weakrefable(n: &Native) -> bool {
    match n {
        Native::Lock(_)
        | Native::RLock(_)
        | Native::File(_)
        | Native::MemoryView(_)
        | Native::GenericAlias(_)
        | Native::Partial(_)
        | Native::LruCache(_)
        | Native::SrePattern(_)
        | Native::Deque(_)
        | Native::StringIO(_)
        | Native::BytesIO(_)
        | Native::TextIO(_)
        | Native::Struct(_) => true,
        Native::Itertool(t) => t.kind == "_tee",
        _ => false,
    }
}

impl Target {
    /// `None`: CPython's `TypeError: cannot create weak reference to 'int' object`.
    fn of(v: &Value) -> Option<Target> {
        Some(match v {
            Value::Object(o) => Target::Object(Rc::downgrade(o)),
            Value::Function(f) => Target::Function(Rc::downgrade(f)),
            Value::Type(t) => Target::Type(Rc::downgrade(t)),
            Value::Module(m) => Target::Module(Rc::downgrade(m)),
            Value::Generator(g) => Target::Generator(Rc::downgrade(g)),
            Value::Set(s) => Target::Set(Rc::downgrade(s)),
            Value::Code(c) => Target::Code(Rc::downgrade(c)),
            Value::Method(m) => Target::Method(Rc::downgrade(m)),
            // (Which of these CPython refuses, `new_ref` asks of their type.)
            Value::Builtin(b) => Target::Builtin(Rc::downgrade(b)),
            Value::Native(n) if native_weakrefable(n) => Target::Native(Rc::downgrade(n)),
            _ => return None,
        })
    }

    fn get(&self) -> Value {
        let v = match self {
            Target::Object(w) => w.upgrade().map(Value::Object),
            Target::Function(w) => w.upgrade().map(Value::Function),
            Target::Type(w) => w.upgrade().map(Value::Type),
            Target::Module(w) => w.upgrade().map(Value::Module),
            Target::Generator(w) => w.upgrade().map(Value::Generator),
            Target::Set(w) => w.upgrade().map(Value::Set),
            Target::Code(w) => w.upgrade().map(Value::Code),
            Target::Method(w) => w.upgrade().map(Value::Method),
            Target::Builtin(w) => w.upgrade().map(Value::Builtin),
            Target::Native(w) => w.upgrade().map(Value::Native),
        };
        v.unwrap_or(Value::None)
    }
}

impl WeakRef {
    /// The referent, or None once it has died.
    pub fn get(&self) -> Value {
        if self.cleared.get() {
            return Value::None;
        }
        self.target.get()
    }

    /// `r.__callback__`.
    pub fn callback(&self) -> Value {
        self.callback.borrow().clone()
    }

    /// The value a callback receives and `getweakrefs` lists: the subclass instance
    /// around this reference when there is one.
    fn object(me: &Rc<Native>) -> Option<Value> {
        let Native::WeakRef(w) = &**me else {
            return None;
        };
        match &*w.outer.borrow() {
            Some(outer) => outer.upgrade().map(Value::Object),
            None => Some(Value::Native(me.clone())),
        }
    }
}

thread_local! {
    /// Every live referent's weak references, by its address (oldest first).
    static REFS: RefCell<HashMap<usize, Vec<Weak<Native>>>> = RefCell::new(HashMap::new());
    /// Weak references whose referent died, waiting for their callbacks.
    static PENDING: RefCell<Vec<Rc<Native>>> = const { RefCell::new(Vec::new()) };
    static ANY_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Forgets every weak reference: at the start and end of a run.
pub fn reset() {
    REFS.with(|r| std::mem::take(&mut *r.borrow_mut()));
    PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    ANY_PENDING.with(|a| a.set(false));
}

/// The weak references of the referent at `address` that are still alive and still
/// refer to it (an address is reused once its object is gone).
fn refs_of(address: usize) -> Vec<Rc<Native>> {
    REFS.with(|r| {
        let Ok(mut r) = r.try_borrow_mut() else {
            return Vec::new();
        };
        let Some(list) = r.get_mut(&address) else {
            return Vec::new();
        };
        let live: Vec<Rc<Native>> = list
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|n| matches!(&**n, Native::WeakRef(w) if !w.get().is_none()))
            .collect();
        list.retain(|w| live.iter().any(|n| std::ptr::eq(w.as_ptr(), Rc::as_ptr(n))));
        if list.is_empty() {
            r.remove(&address);
        }
        live
    })
}

/// An instance at `address` is being freed: its weak references with a callback wait
/// for [`run_pending`]. Called from `Drop for Instance`.
pub fn instance_dropped(address: usize) {
    let list = REFS.try_with(|r| {
        r.try_borrow_mut().ok().and_then(|mut r| {
            if r.is_empty() {
                None
            } else {
                r.remove(&address)
            }
        })
    });
    let list = list.ok().flatten();
    let Some(list) = list else {
        return;
    };
    // In the list's order (`PyObject_ClearWeakRefs`): references with a callback come
    // after the basic ones, newest first.
    let due: Vec<Rc<Native>> = list
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|n| matches!(&**n, Native::WeakRef(w) if !w.callback.borrow().is_none()))
        .collect();
    if due.is_empty() {
        return;
    }
    let _ = PENDING.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            p.extend(due);
            ANY_PENDING.with(|a| a.set(true));
            crate::runtime::eval::set_eval_breaker();
        }
    });
}

/// `handle_weakrefs` for an unreachable instance `gc.collect()` is about to free: its
/// weak references are cleared now, and those with a callback wait for
/// [`run_pending`].
pub fn clear_referent(address: usize) {
    let list = REFS.with(|r| r.try_borrow_mut().ok().and_then(|mut r| r.remove(&address)));
    for n in list.iter().flatten().filter_map(Weak::upgrade) {
        if let Native::WeakRef(w) = &*n {
            w.cleared.set(true);
        }
    }
    // Put back for `instance_dropped`, which queues the callbacks newest first.
    if let Some(list) = list {
        REFS.with(|r| {
            if let Ok(mut r) = r.try_borrow_mut() {
                r.insert(address, list);
            }
        });
        instance_dropped(address);
    }
}

/// Whether callbacks are waiting (read when the eval breaker is set).
pub fn pending() -> bool {
    ANY_PENDING.with(|a| a.get())
}

/// Calls the callbacks of the weak references whose referents died.
pub fn run_pending(vm: &mut Vm) -> PyResult<()> {
    loop {
        let due = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        ANY_PENDING.with(|a| a.set(false));
        if due.is_empty() {
            return Ok(());
        }
        for n in due {
            let Native::WeakRef(w) = &*n else {
                continue;
            };
            let callback = std::mem::take(&mut *w.callback.borrow_mut());
            let Some(wr) = WeakRef::object(&n) else {
                continue;
            };
            if callback.is_none() {
                continue;
            }
            match vm.call1(&callback, wr) {
                Ok(_) => {}
                // `handle_callback`: `PyErr_WriteUnraisable(callback)`.
                Err(super::Throw::Exc(e) | super::Throw::Reraise(e)) => {
                    super::unraisable::write_unraisable(vm, &e, None, callback)?;
                }
                Err(fatal) => return Err(fatal),
            }
        }
    }
}

/// `ReferenceType(ob, callback=None)` (CPython `weakref___new__`): a plain reference to
/// `ob` is shared by every such call; one with a callback is always new.
pub fn new_ref(vm: &mut Vm, ob: &Value, callback: Value, exact: bool) -> PyResult<Rc<Native>> {
    new_weak(vm, ob, callback, Kind::Ref, exact)
}

/// A reference or proxy of `kind` to `ob` (CPython `get_or_create_weakref`): the basic
/// one (`exact` type, no callback) is shared by every such request; another is always
/// new. The referent's list keeps CPython's order: its basic reference first, then its
/// basic proxy, then the others, newest first.
pub fn new_weak(
    vm: &mut Vm,
    ob: &Value,
    callback: Value,
    kind: Kind,
    exact: bool,
) -> PyResult<Rc<Native>> {
    // A built-in function, bound or not (`PyCFunctionObject`'s `m_weakreflist`), and a
    // bound Python method have weak reference lists; the descriptors and method-wrappers
    // a type's slots make have none.
    let callable_kind = matches!(ob, Value::Builtin(_) | Value::Method(_));
    let n = vm.type_of(ob).name();
    let refused = callable_kind && !matches!(&*n, "builtin_function_or_method" | "method");
    let (Some(target), false) = (Target::of(ob), refused) else {
        return Err(vm.type_error(format!("cannot create weak reference to '{n}' object")));
    };
    if let Value::Object(o) = ob {
        let t = o.class.borrow().clone();
        // `__slots__` without `__weakref__`, a variable-size base such as int, or a
        // built-in type without a weak reference list (`object()`, an exception).
        if !super::mappingproxy::has_weakrefs(&t) {
            let n = vm.type_of(ob).name().clone();
            return Err(vm.type_error(format!("cannot create weak reference to '{n}' object")));
        }
    }
    // An async generator's drop is seen too (`Drop for Generator`: one freed while
    // suspended is unsupported there), as asyncio's WeakSet of them needs.
    let async_gen =
        matches!(ob, Value::Generator(g) if g.kind == super::object::GenKind::AsyncGenerator);
    if !callback.is_none() && !matches!(ob, Value::Object(_)) && !async_gen {
        return Err(vm.unsupported(format!(
            "a weakref callback on a '{}' object",
            vm.type_of(ob).name()
        )));
    }
    let address = ob.address();
    let basic = callback.is_none() && exact;
    let live = refs_of(address);
    if basic {
        let shared = live.iter().find(|n| is_basic(n, kind != Kind::Ref));
        if let Some(n) = shared {
            return Ok(n.clone());
        }
    }
    let n = Rc::new(Native::WeakRef(WeakRef {
        target,
        callback: RefCell::new(callback),
        hash: Cell::new(None),
        outer: RefCell::new(None),
        cleared: Cell::new(false),
        kind,
    }));
    // `get_prev`: a basic reference goes first, a basic proxy after it, anything else
    // after both.
    let basic_ref = live.first().is_some_and(|n| is_basic(n, false));
    let at = match (basic, kind) {
        (true, Kind::Ref) => 0,
        (true, _) => usize::from(basic_ref),
        (false, _) => live
            .iter()
            .take_while(|n| is_basic(n, false) || is_basic(n, true))
            .count(),
    };
    REFS.with(|r| {
        let mut r = r.borrow_mut();
        let list = r.entry(address).or_default();
        // `refs_of` left only the live references, in order.
        let at = at.min(list.len());
        list.insert(at, Rc::downgrade(&n));
    });
    Ok(n)
}

/// A basic reference (`proxy` false) or basic proxy: of the exact type, no callback
/// (CPython `is_basic_ref`, `is_basic_proxy`).
fn is_basic(n: &Native, proxy: bool) -> bool {
    matches!(n, Native::WeakRef(w) if w.callback.borrow().is_none()
        && w.outer.borrow().is_none()
        && (w.kind != Kind::Ref) == proxy)
}

/// How many weak references `ob` has (`_weakref.getweakrefcount`).
pub fn count(ob: &Value) -> usize {
    if Target::of(ob).is_none() {
        return 0;
    }
    refs_of(ob.address()).len()
}

/// `ob`'s weak references, oldest first (`_weakref.getweakrefs`).
pub fn all_refs(ob: &Value) -> Vec<Value> {
    if Target::of(ob).is_none() {
        return Vec::new();
    }
    refs_of(ob.address())
        .iter()
        .filter_map(WeakRef::object)
        .collect()
}

fn this<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a WeakRef> {
    // A subclass instance holds its reference as its built-in value.
    match args.pos.first().map(Value::builtin_value) {
        Some(Value::Native(n)) => match &**n {
            Native::WeakRef(w) => Ok(w),
            _ => Err(vm.bug("a weakref method without a weakref")),
        },
        _ => Err(vm.bug("a weakref method without a weakref")),
    }
}

/// `ReferenceType(ob, callback=None)`: `__new__` with the class first.
pub fn new_from_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // The VM's call of the type runs no `__init__`: its refusal of keywords is made here.
    if !args.kw.is_empty() {
        return Err(vm.type_error("ref() takes no keyword arguments"));
    }
    ref_new(vm, args)
}

/// `ReferenceType.__new__(cls, ob, callback=None, /)`.
fn ref_new(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(vm.type_error("weakref.ReferenceType.__new__(): not enough arguments"));
    }
    let cls = args.pos.remove(0);
    let Value::Type(cls) = cls else {
        let n = vm.type_of(&cls).name().clone();
        return Err(vm.type_error(format!(
            "weakref.ReferenceType.__new__(X): X is not a type object ({n})"
        )));
    };
    let base = vm.ty("ReferenceType");
    let exact = Rc::ptr_eq(&cls, &base);
    // `weakref___new__` ignores keywords, which `weakref___init__` refuses: a subclass
    // whose own `__init__` takes them may be called with them.
    match args.pos.len() {
        1 | 2 => {}
        n => {
            return Err(vm.type_error(if n == 0 {
                "__new__ expected at least 1 argument, got 0".to_owned()
            } else {
                format!("__new__ expected at most 2 arguments, got {n}")
            }))
        }
    }
    let callback = args.pos.get(1).cloned().unwrap_or(Value::None);
    let n = new_ref(vm, &args.pos[0], callback, exact)?;
    if exact {
        return Ok(Value::Native(n));
    }
    let outer = super::subclass::with_payload(&cls, Value::Native(n.clone()));
    if let (Value::Object(o), Native::WeakRef(w)) = (&outer, &*n) {
        *w.outer.borrow_mut() = Some(Rc::downgrade(o));
    }
    Ok(outer)
}

/// `ReferenceType.__init__(self, ob, callback=None, /)`: checks the arguments again
/// (CPython `weakref___init__`); `__new__` made the reference.
fn ref_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("ref() takes no keyword arguments"));
    }
    match args.pos.len() {
        2 | 3 => Ok(Value::None),
        n => Err(vm.type_error(format!(
            "__init__ expected at {} {} argument{}, got {}",
            if n < 2 { "least" } else { "most" },
            if n < 2 { 1 } else { 2 },
            if n < 2 { "" } else { "s" },
            n.saturating_sub(1)
        ))),
    }
}

/// `r()`: the referent, or None.
fn ref_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("ReferenceType", "__call__", Style::Keywords, &[], 0)
        .keywords(0, 0)
        .parse(vm, &args, 1)?;
    Ok(this(vm, &args)?.get())
}

/// `hash(r)`: the referent's hash, kept once computed (a dead reference that never had
/// one is a TypeError).
fn ref_hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let w = this(vm, &args)?;
    if let Some(h) = w.hash.get() {
        return Ok(Value::Int(h));
    }
    let referent = w.get();
    if referent.is_none() {
        return Err(vm.type_error("weak object has gone away"));
    }
    let h = vm.hash(&referent)?;
    let w = this(vm, &args)?;
    w.hash.set(Some(h));
    Ok(Value::Int(h))
}

/// `r == s`, `r != s` (CPython `weakref_richcompare`): the referents compared when both
/// are alive, else identity.
fn compare(vm: &mut Vm, args: Args, eq: bool) -> PyResult<Value> {
    let (Some(a), Some(b)) = (args.pos.first(), args.pos.get(1)) else {
        return Err(vm.type_error("expected 1 argument, got 0"));
    };
    let other = match b.builtin_value() {
        Value::Native(n) => match &**n {
            Native::WeakRef(w) => w.get(),
            _ => return Ok(Value::NotImplemented),
        },
        _ => return Ok(Value::NotImplemented),
    };
    let mine = this(vm, &args)?.get();
    if mine.is_none() || other.is_none() {
        let same = a.builtin_value().is(b.builtin_value());
        return Ok(Value::Bool(same == eq));
    }
    let op = if eq {
        crate::oparg::CompareOp::Eq
    } else {
        crate::oparg::CompareOp::Ne
    };
    vm.compare(op, &mine, &other)
}

fn ref_eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, true)
}

fn ref_ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    compare(vm, args, false)
}

/// `weakref_repr` as a subclass instance inherits it.
fn ref_repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let w = this(vm, &args)?;
    let me = args.pos.first().cloned().unwrap_or(Value::None);
    Ok(Value::str(&repr(vm, &me, w)?))
}

/// `<weakref at 0x…; to 'C' at 0x…>` or `<weakref at 0x…; dead>`.
pub fn repr(vm: &mut Vm, me: &Value, w: &WeakRef) -> PyResult<String> {
    if w.kind != Kind::Ref {
        return Ok(super::weakproxy::repr(vm, me, w));
    }
    let referent = w.get();
    if referent.is_none() {
        return Ok(format!("<weakref at {:#x}; dead>", me.address()));
    }
    let t = vm.type_of(&referent);
    let name = match vm.getattr(&referent, "__name__") {
        Ok(Value::Str(n)) => format!(" ({n})"),
        Ok(_) => String::new(),
        Err(super::Throw::Exc(_)) => String::new(),
        Err(e) => return Err(e),
    };
    Ok(format!(
        "<weakref at {:#x}; to '{}' at {:#x}{name}>",
        me.address(),
        t.qualname.borrow(),
        referent.address()
    ))
}

/// What the `ReferenceType` type's dict holds.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("ReferenceType", "__new__", ref_new),
    ("ReferenceType", "__init__", ref_init),
    ("ReferenceType", "__call__", ref_call),
    ("ReferenceType", "__repr__", ref_repr),
    ("ReferenceType", "__hash__", ref_hash),
    ("ReferenceType", "__eq__", ref_eq),
    ("ReferenceType", "__ne__", ref_ne),
];
