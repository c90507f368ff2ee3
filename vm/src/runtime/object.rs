//! The object model: every Python value the VM can hold (spec chapter `objects`).
//!
//! A [`Value`] is a small enum: immediates (`None`, `bool`, `int`, `float`) are stored
//! inline; everything else is an `Rc` to a heap object, so `is` is pointer identity
//! (CPython's `Py_Is`) and `id()` is the pointer's address. Mutable objects use `RefCell`;
//! the evaluator never holds a borrow across a call back into Python, so borrow failures are
//! VM bugs, reported as such and never panics.
//!
//! Naming block: `v` a value, `o` an instance, `t` a type, `f` an interpreter frame.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crate::code::CodeObject;

use super::dict::Dict;
use super::frame::{Frame, FrameObject};
use super::interp::Vm;
pub use super::range::Range;
use super::set::SetTable;
use super::types::Type;
use super::PyResult;

/// A Python value (CPython `PyObject *`).
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    None,
    NotImplemented,
    Ellipsis,
    Bool(bool),
    /// An `int` that fits in 64 bits: the fast path.
    Int(i64),
    /// An `int` beyond 64 bits, never one that fits ([`Value::int`] normalises), so equal
    /// ints have one representation.
    BigInt(Rc<num_bigint::BigInt>),
    Float(f64),
    /// A `complex`: (real, imaginary). Boxed, so values stay two words and each complex is
    /// an object with an identity, as in CPython.
    Complex(Rc<(f64, f64)>),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Value]>),
    List(Rc<List>),
    Dict(Rc<Dict>),
    Set(Rc<Set>),
    Range(Rc<Range>),
    Slice(Rc<Slice>),
    Iter(Rc<Iter>),
    DictView(Rc<DictView>),
    Function(Rc<Function>),
    Builtin(Rc<Builtin>),
    Method(Rc<Method>),
    Code(Rc<CodeObject>),
    Frame(Rc<FrameObject>),
    Traceback(Rc<Traceback>),
    Module(Rc<Module>),
    Type(Rc<Type>),
    Object(Rc<Instance>),
    Cell(Rc<CellObj>),
    Generator(Rc<Generator>),
    Property(Rc<Property>),
    AsyncOp(Rc<AsyncOp>),
    /// `typing.TypeVar`, `ParamSpec`, `TypeVarTuple`, `TypeAliasType` (PEP 695).
    TypeParam(Rc<super::typevars::TypeParam>),
    /// An object of a type a native module defines (`weakref.ReferenceType`,
    /// `_thread.lock`, `_io.FileIO`, …): its state, by kind.
    Native(Rc<Native>),
}

/// The objects of the types native modules define, each kind's state in the module that
/// implements it. [`Native::type_name`] is the key of its type in the registry.
#[derive(Debug)]
pub enum Native {
    WeakRef(super::weakref::WeakRef),
    Lock(super::modules::thread::Lock),
    RLock(super::modules::thread::RLock),
    File(super::modules::io::File),
    MemoryView(super::memoryview::MemoryView),
    MemoryIter(super::memoryview::MemoryIter),
    MappingProxy(super::mappingproxy::MappingProxy),
    GetSet(super::mappingproxy::GetSet),
    GenericAlias(super::genericalias::GenericAlias),
    Union(super::genericalias::Union),
    AbcData(Rc<super::modules::abc::AbcData>),
    /// The iterators of `itertools` (`count`, `chain`, `groupby`, …).
    Itertool(super::modules::itertools::Itertool),
    ItemGetter(super::modules::operator_types::ItemGetter),
    AttrGetter(super::modules::operator_types::AttrGetter),
    MethodCaller(super::modules::operator_types::MethodCaller),
    Partial(super::modules::functools::Partial),
    KeyWrapper(super::modules::functools::KeyWrapper),
    LruCache(super::modules::functools::LruCache),
    /// `_sre`'s objects: `re.Pattern`, `re.Match`, `_sre.SRE_Scanner`, `_sre.SRE_Template`.
    SrePattern(super::modules::sre::pattern::Pattern),
    SreMatch(super::modules::sre::matchobj::Match),
    SreScanner(super::modules::sre::scanner::Scanner),
    SreTemplate(super::modules::sre::template::Template),
    /// `collections.deque` (shared with its iterators and a subclass instance's payload).
    Deque(Rc<super::modules::collections::deque::Deque>),
    DequeIter(super::modules::collections::deque::DequeIter),
    TupleGetter(super::modules::collections::tuplegetter::TupleGetter),
    OdictIter(super::modules::collections::odict::OdictIter),
    /// `bytearray`: a Native rather than a `Value` variant, its slots in its type's dict.
    ByteArray(super::bytearray::ByteArray),
    ByteArrayIter(super::bytearray::ByteArrayIter),
    /// The state an `_io.StringIO` or `_io.BytesIO` instance carries (its payload).
    StringIO(Rc<super::modules::io::stringio::StringIO>),
    BytesIO(Rc<super::modules::io::bytesio::BytesIO>),
    /// The state an `_io.IncrementalNewlineDecoder` instance carries (its payload).
    NlDecoder(Rc<super::modules::io::nldecoder::NlDecoder>),
    /// The state an `_io.TextIOWrapper` over a buffer carries (its payload).
    TextIO(Rc<super::modules::io::textio::TextIO>),
    /// The generator an `_random.Random` instance carries (its payload).
    Random(Rc<super::modules::random::Random>),
    /// `_sha2`'s hash objects (`SHA256Type`, …).
    Sha2(super::modules::sha2::Sha2),
    /// `_json`'s scanner and encoder (`make_scanner`, `make_encoder`).
    JsonScanner(super::modules::json::scanner::Scanner),
    JsonEncoder(super::modules::json::encoder::Encoder),
    /// The state a `_struct.Struct` instance carries (its payload), and the iterator
    /// `iter_unpack` returns.
    Struct(Rc<super::modules::structmod::StructObj>),
    /// The state a `_pickle.Pickler` or `_pickle.Unpickler` instance carries (its payload).
    Pickler(Rc<super::modules::pickle::PicklerObj>),
    Unpickler(Rc<super::modules::pickle::UnpicklerObj>),
    StructIter(super::modules::structmod::StructIter),
    Tokenizer(super::modules::tokenize::Tokenizer),
    /// `select.epoll`: an epoll object the sandbox models without a descriptor.
    Epoll(super::modules::select::Epoll),
    /// The state an `_socket.socket` instance carries (its payload).
    Socket(Rc<super::modules::sockobj::Socket>),
    /// `select.poll()`'s object (`modules::pollobj`).
    Poll(super::modules::pollobj::Poll),
    /// `os.scandir`'s iterator and entries (`posix::scratchfs`).
    Scandir(super::modules::posix::scratchfs::Scandir),
    /// `super` (a subclass instance's payload too; see `superobj`).
    Super(super::superobj::Super),
    /// `_contextvars`' objects, and `Token.MISSING`.
    Context(Rc<super::modules::contextvars::Context>),
    ContextVar(super::modules::contextvars::ContextVar),
    Token(super::modules::contextvars::Token),
    TokenMissing,
    /// The state a Future or Task (or a subclass instance) carries as its payload.
    Future(Rc<super::modules::asyncio::future::FutureObj>),
    FutureIter(super::modules::asyncio::future::FutureIter),
    TaskStep(super::modules::asyncio::task::TaskStep),
}

impl Native {
    pub fn type_name(&self) -> &'static str {
        match self {
            Native::WeakRef(w) => w.kind.type_name(),
            Native::Lock(_) => "lock",
            Native::RLock(_) => "RLock",
            Native::File(f) => f.type_name(),
            Native::MemoryView(_) => "memoryview",
            Native::MemoryIter(_) => "memory_iterator",
            Native::MappingProxy(_) => "mappingproxy",
            Native::GetSet(g) if g.member => "member_descriptor",
            Native::GetSet(_) => "getset_descriptor",
            Native::GenericAlias(_) => "GenericAlias",
            Native::Union(_) => "UnionType",
            Native::AbcData(_) => "_abc_data",
            Native::Itertool(t) => t.kind,
            Native::ItemGetter(_) => "itemgetter",
            Native::AttrGetter(_) => "attrgetter",
            Native::MethodCaller(_) => "methodcaller",
            Native::Partial(_) => "partial",
            Native::KeyWrapper(_) => "KeyWrapper",
            Native::LruCache(_) => "_lru_cache_wrapper",
            Native::SrePattern(_) => "Pattern",
            Native::SreMatch(_) => "Match",
            Native::SreScanner(_) => "SRE_Scanner",
            Native::SreTemplate(_) => "SRE_Template",
            Native::Deque(_) => "deque",
            Native::DequeIter(i) if i.reversed => "_deque_reverse_iterator",
            Native::DequeIter(_) => "_deque_iterator",
            Native::TupleGetter(_) => "_tuplegetter",
            Native::OdictIter(_) => "odict_iterator",
            Native::ByteArray(_) => "bytearray",
            Native::Super(_) => "super",
            Native::ByteArrayIter(_) => "bytearray_iterator",
            Native::StringIO(_) => "StringIO",
            Native::TextIO(_) => "TextIOWrapper",
            Native::BytesIO(_) => "BytesIO",
            Native::NlDecoder(_) => "IncrementalNewlineDecoder",
            Native::Random(_) => "Random",
            Native::Sha2(s) => s.kind.type_name(),
            Native::JsonScanner(_) => "Scanner",
            Native::JsonEncoder(_) => "Encoder",
            Native::Struct(_) => "Struct",
            Native::Pickler(_) => "Pickler",
            Native::Unpickler(_) => "Unpickler",
            Native::StructIter(_) => "unpack_iterator",
            Native::Tokenizer(_) => "TokenizerIter",
            Native::Epoll(_) => "epoll",
            Native::Socket(_) => "socket",
            Native::Poll(_) => "poll",
            Native::Scandir(s) => s.type_name(),
            Native::Context(_) => "Context",
            Native::ContextVar(_) => "ContextVar",
            Native::Token(_) => "Token",
            Native::TokenMissing => "Token.MISSING",
            Native::Future(f) if f.task.is_some() => "Task",
            Native::Future(_) => "Future",
            Native::FutureIter(_) => "FutureIter",
            Native::TaskStep(_) => "TaskStepMethWrapper",
        }
    }
}

/// `list`: a growable vector behind a `RefCell`.
#[derive(Debug, Default)]
pub struct List {
    pub items: RefCell<Vec<Value>>,
}

/// `set` and `frozenset` (CPython `PySetObject`): a hash table laid out as CPython's, so
/// iteration follows CPython's order (see `set`).
#[derive(Debug, Default)]
pub struct Set {
    pub items: SetTable,
    /// A `frozenset`: immutable and hashable.
    pub frozen: bool,
    /// A frozenset's hash once computed (CPython `so->hash`).
    pub hash: Cell<Option<i64>>,
}

/// `slice(start, stop, step)`.
#[derive(Debug)]
pub struct Slice {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
}

/// Which view `dict.keys()`, `.values()`, `.items()` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Keys,
    Values,
    Items,
}

#[derive(Debug)]
pub struct DictView {
    pub dict: Rc<Dict>,
    pub kind: ViewKind,
}

/// An iterator object; `type_name` is what `type(it).__name__` shows.
#[derive(Debug)]
pub struct Iter {
    pub state: RefCell<IterState>,
}

#[derive(Debug)]
pub enum IterState {
    /// Walks a snapshot-free sequence by index (list: re-reads the list each step, like CPython).
    List {
        list: Rc<List>,
        index: usize,
        reversed: bool,
    },
    Tuple {
        items: Rc<[Value]>,
        index: usize,
    },
    /// A `range_iterator` (`_PyRangeIterObject`): the next item, the step, the items left.
    Range {
        next: i64,
        step: i64,
        len: i64,
    },
    /// A `longrange_iterator`, for ranges whose items need big ints.
    LongRange(Box<super::range::LongRangeIter>),
    /// `str_ascii_iterator` over an ASCII str, `str_iterator` over any other.
    Str {
        /// The str iterated (what `__reduce__` gives back).
        text: Rc<str>,
        chars: Vec<char>,
        index: usize,
        type_name: &'static str,
    },
    /// Iteration over a dict or one of its views (CPython `dictiterobject`): walks the
    /// live entries by position, checking the dict did not change size (or keys).
    Dict {
        dict: Rc<Dict>,
        /// The next entry position to look at.
        pos: usize,
        /// `len(dict)` when iteration started; `None` once a size change was reported
        /// (CPython makes that state sticky).
        len: Option<usize>,
        keys_version: u64,
        kind: ViewKind,
        type_name: &'static str,
    },
    /// `iter(obj)` for an object with `__getitem__` and no `__iter__` (CPython
    /// `seqiterobject`): calls `obj[index]` for 0, 1, 2, …
    Seq {
        seq: Value,
        index: i64,
    },
    /// `reversed(d)` and `reversed` of a dict view (CPython `dictreviter`): the keys as
    /// they were when iteration started, last first, with the same checks as `Dict`
    /// (`keys` is popped; while the size and keys version hold, they are the dict's).
    DictReversed {
        dict: Rc<Dict>,
        keys: Vec<Value>,
        len: Option<usize>,
        keys_version: u64,
        kind: ViewKind,
    },
    /// A `reversed` object (CPython `reversedobject`): `seq[index]` for index from
    /// `len(seq) - 1` down to 0; -1 once exhausted or after an error.
    Reversed {
        seq: Value,
        index: i64,
    },
    /// A set's live table (CPython `setiterobject`): the next slot to look at, and the
    /// size the set had when iteration began, `None` once a change of size was reported.
    Set {
        set: Rc<Set>,
        pos: usize,
        used: Option<usize>,
    },
    /// Iteration over a snapshot of keys.
    Keys {
        /// The object iterated (a bytes for `bytes_iterator`; what `__reduce__` gives).
        source: Value,
        items: Vec<Value>,
        index: usize,
        type_name: &'static str,
    },
    Enumerate {
        inner: Value,
        count: crate::arith::Num,
    },
    /// `zip(*inners, strict=…)`: with `strict`, iterables of unequal lengths are a
    /// ValueError (CPython `zip_next`).
    Zip {
        inners: Vec<Value>,
        strict: bool,
    },
    Map {
        func: Value,
        inners: Vec<Value>,
    },
    Filter {
        func: Value,
        inner: Value,
    },
    /// `iter(callable, sentinel)`.
    Callable {
        func: Value,
        sentinel: Value,
    },
    /// Exhausted (or stepping, while its state is out): its type's name, which stays
    /// what it was.
    Done(&'static str),
}

/// A Python function (CPython `PyFunctionObject`).
#[derive(Debug)]
pub struct Function {
    /// `__code__` (func_set_code replaces it; see [`Function::code`]).
    pub code_cell: RefCell<Rc<CodeObject>>,
    pub globals: Rc<Dict>,
    pub builtins: Rc<Dict>,
    pub name: RefCell<Rc<str>>,
    pub qualname: RefCell<Rc<str>>,
    pub defaults: RefCell<Option<Rc<[Value]>>>,
    pub kwdefaults: RefCell<Option<Rc<Dict>>>,
    /// Cells for the code's free variables, in `co_freevars` order.
    pub closure: Option<Rc<[Value]>>,
    pub annotations: RefCell<Value>,
    /// `__doc__`: the code's first constant when it is a str, else None
    /// (`PyFunction_New`); the program may assign any value.
    pub doc: RefCell<Value>,
    /// `__dict__` (assignable; see [`Function::dict`]).
    pub dict_cell: RefCell<Rc<Dict>>,
    pub module: RefCell<Value>,
    /// `__type_params__` (`func_typeparams`): a tuple, set by
    /// INTRINSIC_SET_FUNCTION_TYPE_PARAMS for a generic function.
    pub type_params: RefCell<Value>,
}

impl Function {
    /// The function's code object, `__code__`.
    pub fn code(&self) -> Rc<CodeObject> {
        self.code_cell.borrow().clone()
    }

    /// The function's attribute dict, `__dict__`.
    pub fn dict(&self) -> Rc<Dict> {
        self.dict_cell.borrow().clone()
    }
}

/// Native implementation of a builtin: receives positional and keyword arguments.
pub type NativeFn = fn(&mut Vm, Args) -> PyResult<Value>;

/// Arguments of a call.
#[derive(Debug, Default, Clone)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(Rc<str>, Value)>,
}

impl Args {
    pub fn new(pos: Vec<Value>) -> Args {
        Args {
            pos,
            kw: Vec::new(),
        }
    }

    /// Removes and returns keyword argument `name`.
    pub fn take_kw(&mut self, name: &str) -> Option<Value> {
        let at = self.kw.iter().position(|(k, _)| &**k == name)?;
        Some(self.kw.remove(at).1)
    }
}

/// A builtin function or method descriptor (CPython `PyCFunctionObject` / `PyMethodDescr`).
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    /// For method descriptors, the owning type's name (`list` for `list.append`).
    pub owner: Option<&'static str>,
    pub func: NativeFn,
    /// Module builtins report it in repr: `<built-in function getrecursionlimit>`.
    pub module: Option<&'static str>,
}

/// A bound method: a function (Python or builtin) with its `__self__`.
#[derive(Debug)]
pub struct Method {
    pub func: Value,
    pub receiver: Value,
}

/// `property(fget, fset, fdel, doc)`, `staticmethod(f)` and `classmethod(f)`: the
/// built-in descriptors (see `descr`).
#[derive(Debug)]
pub struct Property {
    pub kind: PropertyKind,
    /// The wrapped function: a property's `fget`.
    pub func: Value,
    /// A property's `fset` and `fdel` (None when absent).
    pub fset: Value,
    pub fdel: Value,
    /// A property's `__doc__`: `doc`, else `fget.__doc__`.
    pub doc: RefCell<Value>,
    /// A property's name, set by `__set_name__` when a class body binds it (3.12's
    /// `prop_name`, which its error messages quote).
    pub name: RefCell<Value>,
    /// A member that cannot be assigned (CPython `READONLY`: a struct sequence's fields).
    pub readonly: bool,
}

impl Property {
    /// A staticmethod, classmethod, or a property with only a getter.
    pub fn new(kind: PropertyKind, func: Value) -> Property {
        Property {
            kind,
            func,
            fset: Value::None,
            fdel: Value::None,
            doc: RefCell::new(Value::None),
            name: RefCell::new(Value::None),
            readonly: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    Property,
    StaticMethod,
    ClassMethod,
    /// A `__slots__` member (`member_descriptor`, see `slotted`): `func` is its index in
    /// the instance's slots, `name` its name, `doc` the name of the class defining it.
    Member,
}

/// A traceback entry (CPython `PyTracebackObject`).
#[derive(Debug)]
pub struct Traceback {
    pub tb_next: RefCell<Value>,
    pub tb_frame: Rc<FrameObject>,
    /// In bytes, like CPython's `tb_lasti`.
    pub tb_lasti: i64,
    pub tb_lineno: Option<u32>,
    /// Made by `types.TracebackType(...)`, whose `tb_lineno` need not be the line of
    /// `tb_lasti`'s instruction.
    pub made: bool,
}

/// A module (CPython `PyModuleObject`).
#[derive(Debug)]
pub struct Module {
    pub name: Rc<str>,
    pub dict: Rc<Dict>,
    /// `None` for built-in modules, the file for `__main__`.
    pub file: Option<Rc<str>>,
}

/// An instance of a user class or of an exception type.
#[derive(Debug)]
pub struct Instance {
    pub class: RefCell<Rc<Type>>,
    pub dict: Rc<Dict>,
    /// Present iff the class derives from `BaseException`.
    pub exc: Option<ExcData>,
    /// For a class derived from a built-in type such as `int`, `str` or `dict` (see
    /// `subclass`): the value of that type which holds the instance's built-in state.
    /// CPython lays the built-in type's struct out at the start of the instance, so that
    /// type's C functions work on it; here they work on this value.
    pub payload: Option<Value>,
    /// The values of the class's `__slots__` members, by index (see `slotted`).
    pub slots: RefCell<Vec<Option<Value>>>,
}

impl ExcData {
    /// Member `i` of `n` (`syntaxerror::MEMBERS`, `oserror::MEMBERS`): None while unset.
    pub fn member(&self, i: usize) -> Value {
        self.members.borrow().get(i).cloned().unwrap_or(Value::None)
    }

    /// Sets member `i` of `n`.
    pub fn set_member(&self, i: usize, n: usize, x: Value) {
        let mut members = self.members.borrow_mut();
        if members.len() < n {
            members.resize(n, Value::None);
        }
        members[i] = x;
    }
}

/// The fields of `PyBaseExceptionObject`.
#[derive(Debug, Default)]
pub struct ExcData {
    pub args: RefCell<Value>,
    pub traceback: RefCell<Value>,
    pub context: RefCell<Value>,
    pub cause: RefCell<Value>,
    pub suppress_context: Cell<bool>,
    /// `StopIteration.value` or `SystemExit.code`: set from the arguments when the
    /// exception is made (CPython `StopIteration_init`, `SystemExit_init`).
    pub value: RefCell<Value>,
    /// A SyntaxError's members (`syntaxerror::MEMBERS`) or an OSError's
    /// (`oserror::MEMBERS`), empty while all are None.
    pub members: RefCell<Vec<Value>>,
    /// Which of `members` are set (CPython's non-NULL) for the members whose `__reduce__`
    /// tells NULL from None (`excmembers`), bit `i` for member `i`.
    pub present: Cell<u8>,
}

/// A cell (CPython `PyCellObject`): a closure variable's box.
#[derive(Debug, Default)]
pub struct CellObj {
    pub value: RefCell<Option<Value>>,
}

/// Which of CPython's three generator-like types a [`Generator`] is: they share
/// `_PyGenObject_HEAD` and the machinery that keeps the frame (`Objects/genobject.c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    /// `generator`: a function with `yield`.
    Generator,
    /// `coroutine`: an `async def` without `yield`.
    Coroutine,
    /// `async_generator`: an `async def` with `yield`.
    AsyncGenerator,
}

impl GenKind {
    /// The kind a code object's frame becomes at RETURN_GENERATOR (`make_gen` by flags).
    pub fn of_flags(flags: u32) -> GenKind {
        use crate::code::flags::{CO_ASYNC_GENERATOR, CO_COROUTINE};
        if flags & CO_COROUTINE != 0 {
            GenKind::Coroutine
        } else if flags & CO_ASYNC_GENERATOR != 0 {
            GenKind::AsyncGenerator
        } else {
            GenKind::Generator
        }
    }

    pub fn type_name(self) -> &'static str {
        match self {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async_generator",
        }
    }

    /// How messages name it (`generator already executing`, `coroutine …`, `async
    /// generator …`).
    pub fn noun(self) -> &'static str {
        match self {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async generator",
        }
    }
}

/// A generator, coroutine or async generator (CPython `PyGenObject`, `PyCoroObject`,
/// `PyAsyncGenObject`): owns its interpreter frame while suspended.
#[derive(Debug)]
pub struct Generator {
    pub kind: GenKind,
    /// Async generators: an `asend`/`athrow` is driving it (`ag_running_async`, which is
    /// what `ag_running` shows).
    pub running_async: Cell<bool>,
    /// Async generators: `aclose()` ran or it finished by StopAsyncIteration/GeneratorExit
    /// (`ag_closed`).
    pub closed: Cell<bool>,
    /// The suspended frame; `None` while it runs (it is on the frame stack then) and after
    /// it finished.
    pub frame: RefCell<Option<Frame>>,
    pub running: Cell<bool>,
    pub finished: Cell<bool>,
    pub started: Cell<bool>,
    /// `gi_name` and `gi_qualname`: the function's at creation, assignable (`gen_set_name`,
    /// `gen_set_qualname`).
    pub name: RefCell<Rc<str>>,
    pub qualname: RefCell<Rc<str>>,
    pub code: Rc<CodeObject>,
    /// `gi_frame.f_back` of a suspended generator is None; the frame serial lets frame
    /// objects find the generator's frame while it is suspended.
    pub serial: u64,
    pub me: RefCell<Weak<Generator>>,
    /// `gi_exc_state.exc_value` while suspended: the exception its frame is handling
    /// (`sys.exception()` inside it once resumed). While it runs, that value is
    /// `Vm::exc_info` and the resumer's is kept in `Vm::exc_chain`.
    pub exc_state: RefCell<Value>,
    /// `cr_origin`: the creators' `(filename, lineno, funcname)` tuples, most recent first,
    /// when origin tracking was on at the coroutine's creation (`_Py_MakeCoro`); else None.
    pub origin: Value,
    /// The allocation of the object this one was moved out of when its last reference
    /// went (see `ops::generators`' finalisation): kept allocated, its address is this
    /// object's `id()`, as CPython's finaliser runs on the same object.
    pub alias: Option<Weak<Generator>>,
}

/// The objects through which `await` drives coroutines and async generators (CPython
/// `coroutine_wrapper`, `async_generator_asend`, `async_generator_athrow`), and the box an
/// async generator's `yield` puts its value in (`async_generator_wrapped_value`), which
/// tells a yield apart from a value an `await` inside it passes through. Its fields are set
/// once, so it closes no reference cycle (see `gc`).
#[derive(Debug)]
pub struct AsyncOp {
    pub gen: Rc<Generator>,
    pub kind: AsyncOpKind,
    pub state: Cell<AwaitState>,
}

#[derive(Debug)]
pub enum AsyncOpKind {
    /// `coro.__await__()`.
    CoroWrapper,
    /// `agen.asend(value)`, or `__anext__()` with None.
    ASend(Value),
    /// `agen.athrow(*args)`, or `aclose()` when `None`.
    AThrow(Option<Vec<Value>>),
    /// A value an async generator yielded.
    Wrapped(Value),
}

/// `AwaitableState` of `genobject.c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwaitState {
    Init,
    Iter,
    Closed,
}

impl AsyncOp {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            AsyncOpKind::CoroWrapper => "coroutine_wrapper",
            AsyncOpKind::ASend(_) => "async_generator_asend",
            AsyncOpKind::AThrow(_) => "async_generator_athrow",
            AsyncOpKind::Wrapped(_) => "async_generator_wrapped_value",
        }
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// The number `n` (an int normalised already, a float, a complex).
    pub fn from_num(n: crate::arith::Num) -> Value {
        match n {
            crate::arith::Num::Int(i) => Value::Int(i),
            crate::arith::Num::Big(b) => Value::BigInt(b),
            crate::arith::Num::Float(f) => Value::Float(f),
            crate::arith::Num::Complex(re, im) => Value::Complex(Rc::new((re, im))),
        }
    }

    /// The int `b`, normalised: [`Value::Int`] when it fits in 64 bits.
    pub fn int(b: num_bigint::BigInt) -> Value {
        Value::from_num(crate::arith::Num::from_big(b))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::from(items))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(crate::runtime::gc::alloc(List {
            items: RefCell::new(items),
        }))
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The address used by `id()` and in reprs; immediates get a value-derived number.
    pub fn address(&self) -> usize {
        fn p<T: ?Sized>(rc: &Rc<T>) -> usize {
            Rc::as_ptr(rc) as *const u8 as usize
        }
        match self {
            Value::None => 0x1000,
            Value::NotImplemented => 0x1010,
            Value::Ellipsis => 0x1020,
            Value::Bool(b) => 0x1030 + usize::from(*b) * 16,
            Value::Int(i) => 0x10_0000_0000usize.wrapping_add((*i as usize).wrapping_mul(32)),
            Value::Float(f) => 0x20_0000_0000usize.wrapping_add(f.to_bits() as usize),
            Value::BigInt(b) => p(b),
            Value::Complex(c) => p(c),
            Value::Str(s) => p(s),
            Value::Bytes(b) => p(b),
            Value::Tuple(t) => p(t),
            Value::List(l) => p(l),
            Value::Dict(d) => p(d),
            Value::Set(s) => p(s),
            Value::Range(r) => p(r),
            Value::Slice(s) => p(s),
            Value::Iter(i) => p(i),
            Value::DictView(d) => p(d),
            Value::Function(f) => p(f),
            Value::Builtin(b) => p(b),
            Value::Method(m) => p(m),
            Value::Code(c) => p(c),
            Value::Frame(f) => p(f),
            Value::Traceback(t) => p(t),
            Value::Module(m) => p(m),
            Value::Type(t) => p(t),
            Value::Object(o) => p(o),
            Value::Cell(c) => p(c),
            Value::Generator(g) => match &g.alias {
                Some(former) => Weak::as_ptr(former) as *const u8 as usize,
                None => p(g),
            },
            Value::Property(x) => p(x),
            Value::AsyncOp(x) => p(x),
            Value::TypeParam(x) => p(x),
            Value::Native(x) => p(x),
        }
    }

    /// `a is b` (CPython `Py_Is`).
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::NotImplemented, Value::NotImplemented) => true,
            (Value::Ellipsis, Value::Ellipsis) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            // Small ints are cached in CPython; all ints are immediates here.
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty()),
            (Value::Tuple(a), Value::Tuple(b)) => {
                Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty())
            }
            _ => {
                std::mem::discriminant(self) == std::mem::discriminant(other)
                    && self.address() == other.address()
            }
        }
    }

    /// The built-in value an instance of a subclass of a built-in type carries (see
    /// [`Instance::payload`]); the value itself for anything else. What CPython's C
    /// functions that accept subclasses (`PyLong_Check`, `PyUnicode_Check`, …) read.
    #[inline]
    pub fn builtin_value(&self) -> &Value {
        match self {
            Value::Object(o) => o.payload.as_ref().unwrap_or(self),
            _ => self,
        }
    }

    /// The exception data when this is an exception instance.
    pub fn exc(&self) -> Option<&ExcData> {
        match self {
            Value::Object(o) => o.exc.as_ref(),
            _ => None,
        }
    }
}
