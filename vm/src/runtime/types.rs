//! Type objects (CPython `PyTypeObject`): the builtin types, the exception hierarchy and
//! user classes, with a C3 method resolution order.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::dict::Dict;
use super::object::Value;

/// A type. Builtin types have `builtin` set; their behaviour lives in Rust code
/// keyed by `name`, their methods are builtins in `dict`.
#[derive(Debug)]
pub struct Type {
    /// `tp_name`: a class's `__name__` (type_set_name renames a class; see [`Type::name`]).
    pub name_cell: RefCell<Rc<str>>,
    pub qualname: RefCell<Rc<str>>,
    pub module: Rc<str>,
    pub bases: Vec<Rc<Type>>,
    /// The MRO after the type itself.
    pub mro_rest: Vec<Rc<Type>>,
    pub dict: Rc<Dict>,
    /// Which builtin type's layout instances use (`"object"` for plain user classes,
    /// `"BaseException"` for exceptions, the type's own name for builtin types).
    pub base_layout: &'static str,
    /// A type implemented in Rust (CPython: in C), whatever its `__module__` says.
    pub builtin: bool,
    /// How many `__slots__` members its instances hold (its own and its bases').
    pub nslots: usize,
    /// Whether its instances have a `__dict__` (no `__slots__`, or `__dict__` among them,
    /// or a base whose instances have one).
    pub has_dict: bool,
    /// Its metaclass when that is not `type` (see `metaclass`).
    pub meta: Option<Rc<Type>>,
    /// Which attribute hooks it overrides ([`Type::hooks`]), with the epoch that was
    /// computed at (0: not yet).
    pub hook_cache: Cell<(u64, u8)>,
    /// `Py_TPFLAGS_SEQUENCE` / `Py_TPFLAGS_MAPPING` of a class ([`SEQUENCE`], [`MAPPING`]):
    /// what `match` treats it as. Inherited from the base whose layout it extends, and set
    /// by `_abc` from `__abc_tpflags__` and `register`.
    pub collection: Cell<u8>,
    /// Its direct subclasses (`type.__subclasses__()`), oldest first.
    pub subclasses: RefCell<Vec<std::rc::Weak<Type>>>,
}

/// `Py_TPFLAGS_SEQUENCE`, as [`Type::collection`] holds it.
pub const SEQUENCE: u8 = 1;
/// `Py_TPFLAGS_MAPPING`.
pub const MAPPING: u8 = 2;

/// A class's own `__getattribute__` (not object's).
pub const HOOK_GETATTRIBUTE: u8 = 1;
/// A class's own `__setattr__`.
pub const HOOK_SETATTR: u8 = 2;
/// A class's own `__delattr__`.
pub const HOOK_DELATTR: u8 = 4;

thread_local! {
    /// Counts changes to classes' dicts after their creation: a class's cached hooks are
    /// valid while it has not moved (CPython invalidates its type caches on such writes).
    static EPOCH: Cell<u64> = const { Cell::new(1) };
}

/// A class's dict changed after the class was made (see [`Type::hooks`]).
pub fn types_changed() {
    EPOCH.with(|e| e.set(e.get() + 1));
}

impl Type {
    /// The type's name (`tp_name`; a class's `__name__`, which assignment changes).
    pub fn name(&self) -> Rc<str> {
        self.name_cell.borrow().clone()
    }

    /// `type.__name__` (`type_name`): a static type's `tp_name` after its last dot
    /// (`_io.StringIO` is `StringIO`), a class's name as it is.
    pub fn dunder_name(&self) -> Rc<str> {
        let name = self.name();
        match name.rsplit_once('.') {
            Some((_, last)) if self.builtin => Rc::from(last),
            _ => name,
        }
    }

    /// `type_module` as the reprs read it: a class's `__module__` is its dict's entry,
    /// which assignment changes (None when that is not a str); a built-in type's is
    /// fixed. A class the VM made without the entry has the module it was made in.
    pub fn module_str(&self) -> Option<Rc<str>> {
        if self.builtin {
            return Some(self.module.clone());
        }
        match self.dict.get_str("__module__") {
            Some(Value::Str(m)) => Some(m),
            Some(_) => None,
            None => Some(self.module.clone()),
        }
    }

    /// A class with no body deriving from `object` alone (the importlib classes the VM
    /// names without modelling them).
    pub fn plain_class(name: &str, module: &str, object: &Rc<Type>) -> Rc<Type> {
        Type::heap(
            name,
            module,
            vec![object.clone()],
            super::dict::Dict::new_rc(),
            "object",
        )
    }

    /// A class such as a class statement makes (not a built-in type), which native
    /// modules create at their start: `name` in `module`, deriving from `bases` (C3 order),
    /// with `dict`, its instances laid out as `base_layout`'s. It is not yet among its
    /// bases' subclasses and its dict lacks what type_new adds (see
    /// `mappingproxy::add_class_entries`).
    pub fn heap(
        name: &str,
        module: &str,
        bases: Vec<Rc<Type>>,
        dict: Rc<super::dict::Dict>,
        base_layout: &'static str,
    ) -> Rc<Type> {
        let mro_rest = c3(&bases).unwrap_or_default();
        Rc::new(Type {
            name_cell: RefCell::new(Rc::from(name)),
            qualname: RefCell::new(Rc::from(name)),
            module: Rc::from(module),
            bases,
            mro_rest,
            dict,
            base_layout,
            builtin: false,
            nslots: 0,
            has_dict: true,
            meta: None,
            hook_cache: Cell::new((0, 0)),
            collection: Cell::new(0),
            subclasses: RefCell::new(Vec::new()),
        })
    }

    /// The MRO: the type, then `mro_rest`.
    pub fn mro(self: &Rc<Type>) -> Vec<Rc<Type>> {
        let mut out = vec![self.clone()];
        out.extend(self.mro_rest.iter().cloned());
        out
    }

    /// Looks `name` up along the MRO (CPython `_PyType_Lookup`).
    pub fn lookup(self: &Rc<Type>, name: &str) -> Option<Value> {
        if let Some(v) = self.dict.get_str(name) {
            return Some(v);
        }
        self.mro_rest.iter().find_map(|t| t.dict.get_str(name))
    }

    /// Whether the type or a base that is not built in defines `name`: what a class
    /// overrides of the built-in type it derives from.
    pub fn overrides(self: &Rc<Type>, name: &str) -> bool {
        std::iter::once(self)
            .chain(self.mro_rest.iter())
            .take_while(|c| {
                !c.is_builtin() || super::modules::collections::DICT_TYPES.contains(&&*c.name())
            })
            .any(|c| c.dict.get_str(name).is_some())
    }

    /// The attribute hooks (`HOOK_*`) the class or a base that is not built in defines,
    /// cached until some class's dict changes.
    pub fn hooks(self: &Rc<Type>) -> u8 {
        let now = EPOCH.with(Cell::get);
        let (at, flags) = self.hook_cache.get();
        if at == now {
            return flags;
        }
        let mut flags = 0;
        for (name, bit) in [
            ("__getattribute__", HOOK_GETATTRIBUTE),
            ("__setattr__", HOOK_SETATTR),
            ("__delattr__", HOOK_DELATTR),
        ] {
            if self.overrides(name) {
                flags |= bit;
            }
        }
        self.hook_cache.set((now, flags));
        flags
    }

    pub fn is_subtype(self: &Rc<Type>, other: &Rc<Type>) -> bool {
        Rc::ptr_eq(self, other) || self.mro_rest.iter().any(|t| Rc::ptr_eq(t, other))
    }

    pub fn is_exception(self: &Rc<Type>) -> bool {
        self.base_layout == "BaseException"
    }

    pub fn is_builtin(&self) -> bool {
        self.builtin
    }
}

/// C3 linearisation of `bases` (CPython `mro_implementation`). When it is inconsistent,
/// `Err` holds the heads of the sequences left to merge, in order and without repeats:
/// the classes CPython's `set_mro_error` names.
pub fn c3(bases: &[Rc<Type>]) -> Result<Vec<Rc<Type>>, Vec<Rc<Type>>> {
    let mut seqs: Vec<Vec<Rc<Type>>> = bases.iter().map(|b| b.mro()).collect();
    seqs.push(bases.to_vec());
    let mut out: Vec<Rc<Type>> = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let candidate = seqs.iter().find_map(|s| {
            let head = &s[0];
            let in_tail = seqs
                .iter()
                .any(|t| t[1..].iter().any(|x| Rc::ptr_eq(x, head)));
            (!in_tail).then(|| head.clone())
        });
        let Some(candidate) = candidate else {
            let mut heads: Vec<Rc<Type>> = Vec::new();
            for s in &seqs {
                if !heads.iter().any(|h| Rc::ptr_eq(h, &s[0])) {
                    heads.push(s[0].clone());
                }
            }
            return Err(heads);
        };
        for s in seqs.iter_mut() {
            if Rc::ptr_eq(&s[0], &candidate) {
                s.remove(0);
            }
        }
        out.push(candidate);
    }
}

/// The exception hierarchy: (name, base).
const EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseException", "object"),
    ("SystemExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("Exception", "BaseException"),
    ("BaseExceptionGroup", "BaseException"),
    // Also derives from Exception (see `Types::new`).
    ("ExceptionGroup", "BaseExceptionGroup"),
    ("StopIteration", "Exception"),
    ("StopAsyncIteration", "Exception"),
    ("ArithmeticError", "Exception"),
    ("FloatingPointError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("RuntimeError", "Exception"),
    ("RecursionError", "RuntimeError"),
    ("NotImplementedError", "RuntimeError"),
    ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeTranslateError", "UnicodeError"),
    ("Warning", "Exception"),
    ("UserWarning", "Warning"),
    ("DeprecationWarning", "Warning"),
    ("RuntimeWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"),
    ("SyntaxWarning", "Warning"),
    ("FutureWarning", "Warning"),
    ("ImportWarning", "Warning"),
    ("UnicodeWarning", "Warning"),
    ("BytesWarning", "Warning"),
    ("ResourceWarning", "Warning"),
    ("EncodingWarning", "Warning"),
    ("ReferenceError", "Exception"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
];

/// Builtin non-exception types, all deriving from `object`.
const BUILTIN_TYPES: &[&str] = &[
    "type",
    "NoneType",
    "NotImplementedType",
    "ellipsis",
    "int",
    "bool",
    "float",
    "complex",
    "str",
    "bytes",
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "range",
    "slice",
    "function",
    "builtin_function_or_method",
    "method",
    "method_descriptor",
    "wrapper_descriptor",
    "method-wrapper",
    "classmethod_descriptor",
    "getset_descriptor",
    "mappingproxy",
    "GenericAlias",
    "UnionType",
    "_abc_data",
    "code",
    "frame",
    "traceback",
    "module",
    "cell",
    "generator",
    "coroutine",
    "async_generator",
    "coroutine_wrapper",
    "async_generator_asend",
    "async_generator_athrow",
    "async_generator_wrapped_value",
    "property",
    "staticmethod",
    "classmethod",
    "member_descriptor",
    "list_iterator",
    "list_reverseiterator",
    "tuple_iterator",
    "range_iterator",
    "longrange_iterator",
    "str_ascii_iterator",
    "str_iterator",
    "dict_keyiterator",
    "set_iterator",
    "enumerate",
    "zip",
    "map",
    "filter",
    "reversed",
    "callable_iterator",
    "dict_keys",
    "dict_values",
    "dict_items",
    "bytes_iterator",
    "dict_valueiterator",
    "dict_itemiterator",
    "dict_reversekeyiterator",
    "dict_reversevalueiterator",
    "dict_reverseitemiterator",
    "iterator",
    "TextIOWrapper",
    "super",
    "TypeVar",
    "ParamSpec",
    "TypeVarTuple",
    "TypeAliasType",
    "ParamSpecArgs",
    "ParamSpecKwargs",
    "Generic",
    // Types of native modules (their `__module__` in `module_of`).
    "ReferenceType",
    "lock",
    "RLock",
    "FileIO",
    "BufferedReader",
    "SimpleNamespace",
    "_local",
    "memoryview",
    "memory_iterator",
    "itemgetter",
    "attrgetter",
    "methodcaller",
    "ProxyType",
    "CallableProxyType",
    "Pattern",
    "Match",
    "SRE_Scanner",
    "SRE_Template",
    "bytearray",
    "bytearray_iterator",
    "DirEntry",
    "ScandirIterator",
    "AST",
];

/// Struct sequences (CPython `PyStructSequence`): tuple subclasses with named fields,
/// whose instances `structseq` makes.
pub const STRUCT_SEQUENCES: &[&str] = &[
    "flags",
    "version_info",
    "float_info",
    "hash_info",
    "int_info",
    "thread_info",
    "asyncgen_hooks",
    "stat_result",
    "statvfs_result",
    "terminal_size",
    "times_result",
    "uname_result",
    "waitid_result",
    "sched_param",
    "struct_time",
    "_ExceptHookArgs",
    "UnraisableHookArgs",
    "struct_siginfo",
];

/// The registry of builtin types, by name.
#[derive(Debug)]
pub struct Types {
    /// By name: `Vm::ty` is asked on hot paths (instance creation, exception checks), so
    /// the short names are hashed with FxHash rather than SipHash.
    pub by_name: rustc_hash::FxHashMap<&'static str, Rc<Type>>,
    pub object: Rc<Type>,
}

fn builtin(name: &'static str, bases: Vec<Rc<Type>>, layout: &'static str) -> Rc<Type> {
    let mut mro_rest = Vec::new();
    for b in &bases {
        mro_rest.extend(b.mro());
    }
    Rc::new(Type {
        name_cell: RefCell::new(Rc::from(tp_name(name).as_str())),
        qualname: RefCell::new(Rc::from(name)),
        module: Rc::from(module_of(name)),
        bases,
        mro_rest,
        dict: Dict::new_rc(),
        base_layout: layout,
        builtin: true,
        nslots: 0,
        has_dict: layout == "BaseException",
        meta: None,
        hook_cache: Cell::new((0, 0)),
        collection: Cell::new(match name {
            "list" | "tuple" | "range" | "memoryview" => SEQUENCE,
            "dict" | "mappingproxy" => MAPPING,
            _ => 0,
        }),
        subclasses: RefCell::new(Vec::new()),
    })
}

/// CPython's `tp_name`, which its messages quote: `typing.TypeVar` for the types of
/// `Objects/typevarobject.c` (whose `__name__` is the part after the dot), the bare name
/// for the others.
fn tp_name(name: &str) -> String {
    match module_of(name) {
        "builtins" | "_io"
            if !matches!(name, "FileIO" | "BufferedReader")
                && !super::modules::io::is_io_type(name) =>
        {
            name.to_owned()
        }
        module => format!("{module}.{name}"),
    }
}

/// The `__module__` of a built-in type: `builtins`, except the few CPython defines in
/// other C modules.
fn module_of(name: &str) -> &'static str {
    match name {
        "TextIOWrapper" => "_io",
        "TypeVar" | "ParamSpec" | "TypeVarTuple" | "TypeAliasType" | "ParamSpecArgs"
        | "ParamSpecKwargs" | "Generic" => "typing",
        "ReferenceType" | "ProxyType" | "CallableProxyType" => "weakref",
        "lock" | "RLock" => "_thread",
        "FileIO" | "BufferedReader" => "_io",
        n if super::modules::io::is_io_type(n) => "_io",
        "SimpleNamespace" | "GenericAlias" | "UnionType" => "types",
        "_abc_data" => "_abc",
        "flags" | "version_info" | "float_info" | "hash_info" | "int_info" | "thread_info" => "sys",
        "stat_result" | "statvfs_result" | "terminal_size" => "os",
        "times_result" | "uname_result" | "waitid_result" | "sched_param" | "DirEntry"
        | "ScandirIterator" => "posix",
        "struct_time" => "time",
        "_ExceptHookArgs" | "_local" => "_thread",
        "struct_siginfo" => "signal",
        n if super::modules::itertools::TYPES.contains(&n) => "itertools",
        "itemgetter" | "attrgetter" | "methodcaller" => "operator",
        n if super::modules::functools::TYPES.contains(&n) => "functools",
        "Pattern" | "Match" => "re",
        "SRE_Scanner" | "SRE_Template" => "_sre",
        n if super::modules::random::TYPES.contains(&n) => "_random",
        "Scanner" | "Encoder" => "_json",
        n if super::modules::structmod::TYPES.contains(&n) => "_struct",
        "Pickler" | "Unpickler" => "_pickle",
        "PickleBuffer" => "pickle",
        n if super::modules::sha2::TYPES.contains(&n) => "_sha2",
        n if super::modules::select::TYPES.contains(&n) => "select",
        n if super::modules::socket::TYPES.contains(&n) => "_socket",
        "Future" | "Task" | "FutureIter" => "_asyncio",
        "array" => "array",
        "TokenizerIter" => "_tokenize",
        "Context" | "ContextVar" | "Token" => "_contextvars",
        "AST" => "ast",
        n if super::modules::collections::module_of(n).is_some() => {
            super::modules::collections::module_of(n).unwrap_or("builtins")
        }
        _ => "builtins",
    }
}

impl Types {
    pub fn new() -> Types {
        let object = builtin("object", Vec::new(), "object");
        let mut by_name: rustc_hash::FxHashMap<&'static str, Rc<Type>> =
            rustc_hash::FxHashMap::default();
        by_name.insert("object", object.clone());
        // itertools' iterator types are listed by their module.
        for &name in BUILTIN_TYPES
            .iter()
            .chain(super::modules::itertools::TYPES)
            .chain(super::modules::functools::TYPES)
            .chain(super::modules::collections::TYPES)
            .chain(super::modules::sha2::TYPES)
            .chain(super::modules::json::TYPES)
            .chain(super::modules::random::TYPES)
            .chain(super::modules::structmod::TYPES)
            .chain(super::modules::select::TYPES)
            .chain(super::modules::pickle::TYPES)
            .chain(super::modules::socket::TYPES)
            .chain(super::modules::array::TYPES)
            .chain(super::modules::tokenize::TYPES)
            .chain(super::modules::contextvars::TYPES)
            // The type of `_socket.CAPI` (Objects/capsule.c's PyCapsule_Type).
            .chain(&["PyCapsule"])
            // The type of `_contextvars.Token.MISSING` (context.c's
            // `_PyContextTokenMissing_Type`).
            .chain(&["Token.MISSING"])
        {
            let bases = if name == "bool" {
                vec![by_name
                    .get("int")
                    .cloned()
                    .unwrap_or_else(|| object.clone())]
            } else {
                vec![object.clone()]
            };
            by_name.insert(name, builtin(name, bases, name));
        }
        let tuple = by_name
            .get("tuple")
            .cloned()
            .unwrap_or_else(|| object.clone());
        // `_collections`' types deriving from dict and the dict views.
        for &(name, base, nslots, has_dict) in super::modules::collections::DERIVED {
            let base_t = by_name.get(base).cloned().unwrap_or_else(|| object.clone());
            let mut t = builtin(name, vec![base_t.clone()], base_t.base_layout);
            if let Some(tm) = Rc::get_mut(&mut t) {
                tm.nslots = nslots;
                tm.has_dict = has_dict;
            }
            t.collection.set(base_t.collection.get());
            by_name.insert(name, t);
        }
        // `_io`'s types, each after its base.
        for &(name, base, has_dict) in super::modules::io::TYPES {
            let base_t = by_name.get(base).cloned().unwrap_or_else(|| object.clone());
            let mut t = builtin(name, vec![base_t], name);
            if let Some(tm) = Rc::get_mut(&mut t) {
                tm.has_dict = has_dict;
            }
            by_name.insert(name, t);
        }
        // `_io.TextIOWrapper` has a `__dict__` (`io.open` sets its `mode` there).
        if let Some(t) = by_name.get_mut("TextIOWrapper").and_then(Rc::get_mut) {
            t.has_dict = true;
        }
        // `types.SimpleNamespace`: its instances have a dict (`ns_new`'s `ns_dict`).
        if let Some(t) = by_name.get_mut("SimpleNamespace").and_then(Rc::get_mut) {
            t.has_dict = true;
        }
        // `_ast.AST`: its instances (and its subclasses', the node classes) have a dict.
        if let Some(t) = by_name.get_mut("AST").and_then(Rc::get_mut) {
            t.has_dict = true;
        }
        // `_asyncio`'s types, each after its base.
        for &(name, base) in super::modules::asyncio::TYPES {
            let base_t = by_name.get(base).cloned().unwrap_or_else(|| object.clone());
            let mut t = builtin(name, vec![base_t], name);
            // FutureObj has a `__dict__` (`dict` in `FutureObj_HEAD`).
            if let Some(tm) = Rc::get_mut(&mut t) {
                tm.has_dict = matches!(name, "Future" | "Task");
            }
            by_name.insert(name, t);
        }
        // `_testcapi.awaitType`: one slot, the iterator its `__await__` returns.
        let mut await_type = builtin("awaitType", vec![object.clone()], "awaitType");
        if let Some(t) = Rc::get_mut(&mut await_type) {
            t.nslots = 1;
        }
        by_name.insert("awaitType", await_type);
        for &name in STRUCT_SEQUENCES {
            by_name.insert(name, builtin(name, vec![tuple.clone()], "tuple"));
        }
        for &(name, base) in EXCEPTIONS {
            let base_t = by_name.get(base).cloned().unwrap_or_else(|| object.clone());
            let t = if name == "ExceptionGroup" {
                // `class ExceptionGroup(BaseExceptionGroup, Exception)`: C3, not a chain.
                let exception = by_name
                    .get("Exception")
                    .cloned()
                    .unwrap_or_else(|| object.clone());
                let bases = vec![base_t, exception];
                let mut t = builtin(name, Vec::new(), "BaseException");
                if let (Some(tm), Ok(mro)) = (Rc::get_mut(&mut t), c3(&bases)) {
                    tm.mro_rest = mro;
                    tm.bases = bases;
                }
                t
            } else {
                builtin(name, vec![base_t], "BaseException")
            };
            by_name.insert(name, t);
        }
        Types { by_name, object }
    }

    /// A builtin type by name. Unknown names are a VM bug; `object` stands in.
    pub fn get(&self, name: &str) -> Rc<Type> {
        self.by_name
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.object.clone())
    }

    pub fn exception_names() -> impl Iterator<Item = &'static str> {
        EXCEPTIONS.iter().map(|(n, _)| *n)
    }
}
