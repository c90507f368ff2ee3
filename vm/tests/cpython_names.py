# Prints vm/src/runtime/cpython_names.rs: what CPython 3.12 has, by name. Run by
# vm/tests/cpython_names.rs, which checks the committed file is what this prints.

import builtins, sys, types, inspect, typing, _thread, _weakref, _io, posix, itertools, _operator
import _functools, _heapq, _bisect
import builtins, sys, types, inspect, typing, _thread, _weakref, _io, posix, itertools, _operator, re, _sre
import _collections
import _json, _pickle, _random, _sha2, _struct
import fcntl, select, _posixsubprocess, binascii
import _socket, _asyncio, array, _contextvars

def gen():
    yield 1

def f():
    pass

class Seq:
    def __getitem__(self, i):
        raise IndexError

async def coro():
    pass

async def agen():
    yield 1

def unraisable_hook_args_type():
    got = []
    old, sys.unraisablehook = sys.unraisablehook, got.append
    class Finalized:
        def __del__(self):
            raise ValueError
    Finalized()
    sys.unraisablehook = old
    return type(got[0])

def async_samples():
    """The coroutine and async generator types and their awaitables' (the wrapped value's
    type is only seen by a tracer, at the async generator's yield)."""
    c, g = coro(), agen()
    wrapped = []
    def tracer(frame, event, arg):
        if event == "return" and frame.f_code is agen.__code__:
            wrapped.append(type(arg))
        return tracer
    sys.settrace(tracer)
    try:
        g.asend(None).send(None)
    except StopIteration:
        pass
    sys.settrace(None)
    out = {
        "coroutine": type(c), "coroutine_wrapper": type(c.__await__()),
        "async_generator": type(g), "async_generator_asend": type(g.asend(None)),
        "async_generator_athrow": type(g.aclose()),
        "async_generator_wrapped_value": wrapped[0],
    }
    c.close()
    return out

samples = {
    "type": type, "NoneType": type(None), "NotImplementedType": type(NotImplemented),
    "ellipsis": type(...), "int": int, "bool": bool, "float": float, "complex": complex, "str": str,
    "bytes": bytes, "tuple": tuple, "list": list, "dict": dict, "set": set,
    "frozenset": frozenset, "range": range, "slice": slice,
    "function": types.FunctionType, "builtin_function_or_method": types.BuiltinFunctionType,
    "method": types.MethodType, "method_descriptor": types.MethodDescriptorType,
    "wrapper_descriptor": types.WrapperDescriptorType, "method-wrapper": types.MethodWrapperType,
    "classmethod_descriptor": types.ClassMethodDescriptorType,
    "getset_descriptor": types.GetSetDescriptorType, "mappingproxy": types.MappingProxyType,
    "GenericAlias": types.GenericAlias, "UnionType": types.UnionType,
    "_abc_data": type(__import__("abc").ABC._abc_impl),
    "code": types.CodeType, "frame": types.FrameType, "traceback": types.TracebackType,
    "module": types.ModuleType, "cell": types.CellType, "generator": types.GeneratorType,
    "property": property, "staticmethod": staticmethod, "classmethod": classmethod,
    "list_iterator": type(iter([])), "list_reverseiterator": type(reversed([])),
    "tuple_iterator": type(iter(())), "range_iterator": type(iter(range(1))),
    "str_ascii_iterator": type(iter("a")), "str_iterator": type(iter("\xe9")), "dict_keyiterator": type(iter({})),
    "set_iterator": type(iter(set())), "enumerate": enumerate, "zip": zip, "map": map,
    "filter": filter, "reversed": reversed, "callable_iterator": type(iter(f, 1)),
    "dict_keys": type({}.keys()), "dict_values": type({}.values()),
    "dict_items": type({}.items()), "bytes_iterator": type(iter(b"")),
    "dict_valueiterator": type(iter({}.values())),
    "dict_itemiterator": type(iter({}.items())),
    "dict_reversekeyiterator": type(reversed({})),
    "dict_reversevalueiterator": type(reversed({}.values())),
    "dict_reverseitemiterator": type(reversed({}.items())), "iterator": type(iter(Seq())),
    "TextIOWrapper": type(sys.stdout), "super": super, "object": object,
    # PEP 695's objects (typing's C types, from Objects/typevarobject.c).
    "TypeVar": typing.TypeVar, "ParamSpec": typing.ParamSpec,
    "TypeVarTuple": typing.TypeVarTuple, "TypeAliasType": typing.TypeAliasType,
    **async_samples(),
    # Types of the native modules the VM provides.
    "ReferenceType": _weakref.ReferenceType, "lock": _thread.LockType, "RLock": _thread.RLock,
    "FileIO": _io.FileIO, "BufferedReader": _io.BufferedReader,
    **{n: getattr(_io, n) for n in (
        "_IOBase", "_RawIOBase", "_BufferedIOBase", "_TextIOBase", "StringIO", "BytesIO",
        "BufferedWriter", "BufferedRWPair", "BufferedRandom", "IncrementalNewlineDecoder",
        "_BytesIOBuffer")},
    "SimpleNamespace": types.SimpleNamespace, "memoryview": memoryview, "flags": type(sys.flags),
    "version_info": type(sys.version_info), "float_info": type(sys.float_info),
    "hash_info": type(sys.hash_info), "int_info": type(sys.int_info),
    "thread_info": type(sys.thread_info),
    "AST": __import__("_ast").AST,
    "stat_result": posix.stat_result,
    # itertools' iterator types (Modules/itertoolsmodule.c).
    **{n: getattr(itertools, n) for n in (
        "accumulate", "batched", "chain", "combinations", "combinations_with_replacement",
        "compress", "count", "cycle", "dropwhile", "filterfalse", "groupby", "islice",
        "pairwise", "permutations", "product", "repeat", "starmap", "takewhile",
        "zip_longest", "_grouper", "_tee", "_tee_dataobject")},
    "itemgetter": _operator.itemgetter, "attrgetter": _operator.attrgetter,
    "methodcaller": _operator.methodcaller,
    "ProxyType": _weakref.ProxyType, "CallableProxyType": _weakref.CallableProxyType,
    # _functools' types (Modules/_functoolsmodule.c).
    "partial": _functools.partial, "KeyWrapper": type(_functools.cmp_to_key(len)),
    "_lru_cache_wrapper": _functools._lru_cache_wrapper,
    "Pattern": re.Pattern, "Match": re.Match, "SRE_Scanner": type(re.compile("").scanner("")),
    "SRE_Template": type(_sre.template(re.compile(""), [""])),
    # `_collections`' types (Modules/_collectionsmodule.c, Objects/odictobject.c).
    **{n: getattr(_collections, n) for n in (
        "deque", "_deque_iterator", "_deque_reverse_iterator", "_tuplegetter", "defaultdict",
        "OrderedDict")},
    "odict_iterator": type(iter(_collections.OrderedDict())),
    "odict_keys": type(_collections.OrderedDict().keys()),
    "odict_values": type(_collections.OrderedDict().values()),
    "odict_items": type(_collections.OrderedDict().items()),
    "bytearray": bytearray, "bytearray_iterator": type(iter(bytearray())),
    # `_json`'s, `_random`'s and `_sha2`'s types.
    "Scanner": _json.make_scanner, "Encoder": _json.make_encoder, "Random": _random.Random,
    **{n: getattr(_sha2, n) for n in ("SHA224Type", "SHA256Type", "SHA384Type", "SHA512Type")},
    # `_struct`'s types.
    "Struct": _struct.Struct, "unpack_iterator": type(_struct.iter_unpack("b", b"")),
    # `_pickle`'s types.
    "Pickler": _pickle.Pickler, "Unpickler": _pickle.Unpickler,
    "PickleBuffer": _pickle.PickleBuffer,
    # posix's other types (Modules/posixmodule.c).
    **{n: getattr(posix, n) for n in (
        "DirEntry", "sched_param", "statvfs_result", "terminal_size", "times_result",
        "uname_result", "waitid_result")},
    "memory_iterator": type(iter(memoryview(b""))),
    "struct_time": __import__("time").struct_time,
    "_local": _thread._local, "_ExceptHookArgs": _thread._ExceptHookArgs,
    "struct_siginfo": __import__("_signal").struct_siginfo,
    # sys.unraisablehook's argument type (Python/errors.c), seen only by a hook.
    "UnraisableHookArgs": unraisable_hook_args_type(),
    # `select`'s epoll type (Modules/selectmodule.c).
    "epoll": select.epoll,
    # `select.poll()`'s object type, which the module does not name.
    "poll": type(select.poll()),
    # `_socket`'s socket type and the capsule `_socket.CAPI` is (Modules/socketmodule.c,
    # Objects/capsule.c).
    "socket": _socket.socket, "PyCapsule": type(_socket.CAPI),
    # `_asyncio`'s types (Modules/_asynciomodule.c).
    "Future": _asyncio.Future, "Task": _asyncio.Task,
    # `array`'s type (Modules/arraymodule.c).
    "array": array.array,
    # `_testcapi`'s type with only an `__await__` (Modules/_testcapimodule.c).
    "awaitType": __import__("_testcapi").awaitType,
    # `_tokenize`'s tokenizer type (Python/Python-tokenize.c).
    "TokenizerIter": __import__("_tokenize").TokenizerIter,
    # `_contextvars`' types (Python/context.c).
    **{n: getattr(_contextvars, n) for n in ("Context", "ContextVar", "Token")},
}
for name in dir(builtins):
    v = getattr(builtins, name)
    if isinstance(v, type) and issubclass(v, BaseException):
        samples[name] = v


def names(items, indent):
    """Rust string literals, several to a line."""
    out, line = [], indent
    for n in items:
        lit = '"%s", ' % n
        if len(line) + len(lit) > 99:
            out.append(line.rstrip())
            line = indent
        line += lit
    if line.strip():
        out.append(line.rstrip())
    return "\n".join(out)


print("//! What CPython 3.12 has, by name: the attributes of the built-in types the VM models,")
print("//! the `builtins` names, the attributes of the modules the VM provides, and the standard")
print("//! library's module names. Generated by `vm/tests/cpython_names.rs` from python3.12")
print("//! (it fails when this file is stale and says how to regenerate it); do not edit.")
print("//!")
print("//! The VM uses it to tell \"CPython has this and framespec does not\" (unsupported) from")
print("//! \"CPython has no such thing either\" (the program's AttributeError, NameError or")
print("//! ModuleNotFoundError).")
print()
print("/// `(type name, base type name, names in the type's own __dict__)`, sorted by type name.")
print("pub const TYPES: &[(&str, &str, &[&str])] = &[")
for k in sorted(samples):
    t = samples[k]
    base = t.__mro__[1].__name__ if len(t.__mro__) > 1 else ""
    own = vars(t)
    if base and base not in samples:
        # A base the VM does not model (`_io._RawIOBase`): what it gives, flattened in.
        own, base = dir(t), ""
    print('    ("%s", "%s", &[' % (k, base))
    print(names(sorted(own), "        "))
    print("    ]),")
print("];")
print()
print("/// The names in each built-in type's own `__dict__` that are slot wrappers")
print("/// (`wrapper_descriptor`) rather than method descriptors, sorted by type name.")
print("pub const WRAPPERS: &[(&str, &[&str])] = &[")
for k in sorted(samples):
    t = samples[k]
    wrappers = sorted(n for n, v in vars(t).items() if type(v).__name__ == "wrapper_descriptor")
    if wrappers:
        print('    ("%s", &[' % k)
        print(names(wrappers, "        "))
        print("    ]),")
print("];")
print()
for table, kind in (("GETSETS", "getset_descriptor"), ("MEMBERS", "member_descriptor")):
    print("/// The names in each built-in type's own `__dict__` that are `%s`s, sorted by" % kind)
    print("/// type name.")
    print("pub const %s: &[(&str, &[&str])] = &[" % table)
    for k in sorted(samples):
        t = samples[k]
        found = sorted(n for n, v in vars(t).items() if type(v).__name__ == kind)
        if found:
            print('    ("%s", &[' % k)
            print(names(found, "        "))
            print("    ]),")
    print("];")
    print()
print("/// `__text_signature__` of the methods in each built-in type's own `__dict__` (method,")
print("/// wrapper, class-method and static-method descriptors), by type and name, sorted.")
print("pub const METHOD_SIGNATURES: &[(&str, &str, Option<&str>)] = &[")
for k in sorted(samples):
    t = samples[k]
    for n, v in sorted(vars(t).items()):
        if isinstance(v, (staticmethod, classmethod)):
            v = getattr(t, n)
        if type(v).__name__ not in ("method_descriptor", "wrapper_descriptor",
                                    "classmethod_descriptor", "builtin_function_or_method"):
            continue
        s = v.__text_signature__
        assert s is None or '"##' not in s
        print('    ("%s", "%s", %s),' % (k, n, "None" if s is None else 'Some(r##"%s"##)' % s))
print("];")
print()
print("/// The built-in types CPython does not let a class derive from (no")
print("/// `Py_TPFLAGS_BASETYPE`), by the VM's name for them, sorted.")
print("pub const FINAL_TYPES: &[&str] = &[")
print(names(sorted(k for k in samples if not samples[k].__flags__ & (1 << 10)), "    "))
print("];")
print()
print("/// `__doc__` of each built-in type whose `__doc__` is a str or None, sorted by the VM's")
print("/// name for it, and whether its dict holds that value itself (rather than a descriptor")
print("/// through which its instances answer with their own).")
print("pub const TYPE_DOCS: &[(&str, Option<&str>, bool)] = &[")
for k in sorted(samples):
    t = samples[k]
    d = t.__doc__
    if d is not None and not isinstance(d, str):
        continue
    plain = not hasattr(type(t.__dict__.get("__doc__")), "__get__")
    assert d is None or '"##' not in d
    text = "None" if d is None else 'Some(r##"%s"##)' % d
    print('    ("%s", %s, %s),' % (k, text, "true" if plain else "false"))
print("];")
print()
print("/// `__flags__` of each built-in type, sorted by the VM's name for it. Bit 19")
print("/// (`Py_TPFLAGS_VALID_VERSION_TAG`), which CPython's attribute cache sets on a type's")
print("/// first lookup, is kept only for the static built-in types (bit 1), which always have it.")
print("pub const TYPE_FLAGS: &[(&str, i64)] = &[")
for k in sorted(samples):
    f = samples[k].__flags__
    if not f & (1 << 1):
        f &= ~(1 << 19)
    print('    ("%s", %#x),' % (k, f))
print("];")
print()
print("/// The instance layout of each built-in type, sorted by the VM's name for it:")
print("/// `__basicsize__`, `__itemsize__`, `__dictoffset__`, `__weakrefoffset__` and the VM's")
print("/// name for `__base__` (empty when it has none or the VM does not name it).")
print("pub const TYPE_LAYOUTS: &[(&str, i64, i64, i64, i64, &str)] = &[")
import collections, functools, io, pickle, random, struct, typing, weakref, _io, _thread
# The other built-in types a class can derive from in the VM, by its names for them.
layout_types = {**samples, "Generic": typing.Generic, "_local": _thread._local,
    "deque": collections.deque, "defaultdict": collections.defaultdict,
    "OrderedDict": collections.OrderedDict, "partial": functools.partial,
    "ReferenceType": weakref.ReferenceType, "GenericAlias": types.GenericAlias,
    "StringIO": io.StringIO, "BytesIO": io.BytesIO, "_IOBase": _io._IOBase,
    "_RawIOBase": _io._RawIOBase, "_BufferedIOBase": _io._BufferedIOBase,
    "_TextIOBase": _io._TextIOBase, "IncrementalNewlineDecoder": io.IncrementalNewlineDecoder,
    "Random": random.Random.__mro__[1], "Struct": struct.Struct,
    "Pickler": pickle.Pickler, "Unpickler": pickle.Unpickler, "module": types.ModuleType,
    "property": property, "staticmethod": staticmethod, "classmethod": classmethod,
    "super": super}
_vm_name = {id(t): k for k, t in layout_types.items()}
for k in sorted(layout_types):
    t = layout_types[k]
    b = _vm_name.get(id(t.__base__), "") if t.__base__ is not None else ""
    print('    ("%s", %d, %d, %d, %d, "%s"),' % (k, t.__basicsize__, t.__itemsize__, t.__dictoffset__, t.__weakrefoffset__, b))
print("];")
print()
import errno
print("/// `errno`'s constants in the order `errnomodule.c` adds them (its namespace's order;")
print("/// `errorcode` is filled in the same order, a later name for a number replacing an")
print("/// earlier one).")
print("pub const ERRNO: &[(&str, i64)] = &[")
for k, v in errno.__dict__.items():
    if k.startswith("E"):
        print('    ("%s", %d),' % (k, v))
print("];")
print()
print("/// `posix`'s int constants on the machine that generated this file, sorted by name.")
print("pub const POSIX_INTS: &[(&str, i64)] = &[")
for k in dir(posix):
    if type(getattr(posix, k)) is int:
        print('    ("%s", %d),' % (k, getattr(posix, k)))
print("];")
print()
for mod in (fcntl, select, _socket):
    print("/// `%s`'s int constants on the machine that generated this file, in its namespace's" % mod.__name__)
    print("/// order.")
    print("pub const %s_INTS: &[(&str, i64)] = &[" % mod.__name__.strip("_").upper())
    for k, v in vars(mod).items():
        if type(v) is int:
            print('    ("%s", %d),' % (k, v))
    print("];")
    print()
print("/// The names of `posix.__dict__` after its five module attributes, in its order")
print("/// (`from posix import *` binds them in this order).")
print("pub const POSIX_ORDER: &[&str] = &[")
print(names(list(vars(posix))[5:], "    "))
print("];")
print()
print("/// `posix._have_functions`, in its order.")
print("pub const POSIX_HAVE_FUNCTIONS: &[&str] = &[")
print(names(posix._have_functions, "    "))
print("];")
print()
for table in ("confstr_names", "pathconf_names", "sysconf_names"):
    print("/// `posix.%s`, in its order." % table)
    print("pub const POSIX_%s: &[(&str, i64)] = &[" % table.upper())
    for k, v in getattr(posix, table).items():
        print('    ("%s", %d),' % (k, v))
    print("];")
    print()
print("/// `posix.strerror(code)` for the codes whose message is not `Unknown error <code>`.")
print("pub const STRERROR: &[(i64, &str)] = &[")
for code in range(-1000, 10000):
    m = posix.strerror(code)
    if m != "Unknown error %d" % code:
        print('    (%d, "%s"),' % (code, m.replace("\\", "\\\\").replace('"', '\\"')))
print("];")
print()
print("/// `dir(builtins)`.")
print("pub const BUILTINS: &[&str] = &[")
print(names(sorted(dir(builtins)), "    "))
print("];")
print()
print("/// `dir(module)` for the modules the VM provides.")
print("pub const MODULES: &[(&str, &[&str])] = &[")
DOC_MODULES = (
    "_abc",
    "_bisect",
    "_codecs",
    "_collections",
    "_functools",
    "_heapq",
    "_imp",
    "_io",
    "_json",
    "_opcode",
    "_operator",
    "_pickle",
    "_random",
    "_sha2",
    "_sre",
    "_stat",
    "_string",
    "_struct",
    "_thread",
    "_tokenize",
    "_warnings",
    "_weakref",
    "builtins",
    "errno",
    "inspect",
    "itertools",
    "marshal",
    "math",
    "posix",
    "sys",
    "time",
    "_locale",
    "atexit",
    "_signal",
    "fcntl",
    "select",
    "_posixsubprocess",
    "binascii",
    "_socket",
    "_asyncio",
    "array",
    "_contextvars",
    "_testinternalcapi",
    "_testcapi",
    "unicodedata",
)
for m in DOC_MODULES:
    print('    ("%s", &[' % m)
    print(names(sorted(dir(sys.modules.get(m) or __import__(m))), "        "))
    print("    ]),")
print("];")
print()
print("/// `__doc__` and `__text_signature__` of the module-level built-in functions of the")
print("/// native modules the VM provides, by module and name.")
print("pub const FUNCTION_DOCS: &[(&str, &str, Option<&str>, Option<&str>)] = &[")
for m in sorted(DOC_MODULES):
    mod = sys.modules.get(m) or __import__(m)
    for k in sorted(dir(mod)):
        v = getattr(mod, k)
        if type(v).__name__ != "builtin_function_or_method" or v.__self__ is not mod:
            continue
        d, s = v.__doc__, v.__text_signature__
        assert d is None or '"##' not in d
        print('    ("%s", "%s", %s, %s),' % (
            m, k, "None" if d is None else 'Some(r##"%s"##)' % d,
            "None" if s is None else 'Some(r##"%s"##)' % s))
print("];")
print()
print("/// `__doc__` of the methods, slot wrappers and getset and member descriptors in the own")
print("/// `__dict__` of the generator, coroutine and async generator types and of the objects")
print("/// through which they are awaited, by type and name, sorted.")
print("pub const GENERATOR_DOCS: &[(&str, &str, Option<&str>)] = &[")
for k in ("async_generator", "async_generator_asend", "async_generator_athrow", "coroutine",
          "coroutine_wrapper", "generator"):
    for n, v in sorted(vars(samples[k]).items()):
        if type(v).__name__ not in ("method_descriptor", "wrapper_descriptor",
                                    "getset_descriptor", "member_descriptor"):
            continue
        d = v.__doc__
        assert d is None or '"##' not in d
        print('    ("%s", "%s", %s),' % (k, n, "None" if d is None else 'Some(r##"%s"##)' % d))
print("];")
print()
print("/// `sys.builtin_module_names`.")
print("pub const BUILTIN_MODULES: &[&str] = &[")
print(names(sys.builtin_module_names, "    "))
print("];")
print()
print("/// `sys.stdlib_module_names` and `sys.builtin_module_names`.")
print("pub const STDLIB_MODULES: &[&str] = &[")
print(names(sorted(set(sys.stdlib_module_names) | set(sys.builtin_module_names)), "    "))
print("];")
print()
print("/// The text encodings `codecs.lookup` finds (`encodings.search_function`): each alias")
print("/// and module name as `encodings.normalize_encoding` leaves it, the codec's module, and")
print("/// whether it decodes the 128 ASCII bytes as ASCII.")
print("pub const TEXT_ENCODINGS: &[(&str, &str, bool)] = &[")
import codecs, encodings, encodings.aliases, pkgutil, warnings
found = {}
ascii = bytes(range(128))
for name in set(encodings.aliases.aliases) | {m.name for m in pkgutil.iter_modules(encodings.__path__)}:
    try:
        info = codecs.lookup(name)
    except LookupError:
        continue
    if not getattr(info, "_is_text_encoding", True):
        continue
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compatible = ascii.decode(name) == ascii.decode("ascii")
    except Exception:
        compatible = False
    found[name] = (encodings.aliases.aliases.get(name, name), compatible)
for name in sorted(found):
    module, compatible = found[name]
    print('    ("%s", "%s", %s),' % (name, module, "true" if compatible else "false"))
print("];")
print()


def startup_interned():
    """The identifier-like strings (two characters or more: one-character strings are
    singletons, never swapped by interning) a fresh `python3.12 -I` has interned before it
    compiles anything. Candidates: the interpreter's static identifiers
    (pycore_global_strings.h), every name reachable from the modules loaded at startup and
    every word of the standard library's sources; a fresh process then tells which are
    interned (sys.intern returns another object)."""
    import os, re, subprocess, sysconfig
    def fresh(code, data=""):
        return subprocess.run([sys.executable, "-I", "-c", code], input=data, text=True,
                              capture_output=True, check=True).stdout.split()
    cands = set()
    header = os.path.join(sysconfig.get_path("include"), "internal", "pycore_global_strings.h")
    with open(header) as f:
        cands.update(re.findall(r"STRUCT_FOR_ID\((\w+)\)", f.read()))
    seen = set()
    def code_names(co):
        if id(co) in seen:
            return
        seen.add(id(co))
        cands.update(co.co_names + co.co_varnames + co.co_cellvars + co.co_freevars)
        cands.add(co.co_name)
        for c in co.co_consts:
            if isinstance(c, str):
                cands.add(c)
            elif isinstance(c, types.CodeType):
                code_names(c)
    def walk(v, depth):
        if id(v) in seen or depth > 3:
            return
        seen.add(id(v))
        if isinstance(v, types.CodeType):
            code_names(v)
            return
        code = getattr(v, "__code__", None)
        if isinstance(code, types.CodeType):
            code_names(code)
        if isinstance(v, (type, types.ModuleType)):
            try:
                items = list(vars(v).items())
            except TypeError:
                return
            for k, x in items:
                cands.add(k)
                walk(x, depth + 1)
    for name in fresh("import sys; print(*sys.modules)"):
        walk(sys.modules.get(name) or __import__(name), 0)
    for t in samples.values():
        walk(t, 0)
    # What only the interpreter's own frozen code names (getpath's environment variables,
    # say) is found among the words of the standard library's sources.
    stdlib = sysconfig.get_path("stdlib")
    for top, dirs, files in os.walk(stdlib):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "__pycache__")]
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(top, f), "rb") as src:
                    cands.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", src.read().decode("latin-1")))
    name_like = sorted(c for c in cands if isinstance(c, str) and len(c) > 1 and c.isascii()
                       and all(ch.isalnum() or ch == "_" for ch in c))
    checker = "import sys\nfor w in sys.stdin.read().split():\n    if sys.intern(w) is not w: print(w)"
    return fresh(checker, "\n".join(name_like))


print("/// The identifier-like strings a fresh `python3.12 -I` has interned before compiling")
print("/// anything (see `compile::interning`), sorted.")
print("pub const STARTUP_INTERNED: &[&str] = &[")
print(names(startup_interned(), "    "))
print("];")
