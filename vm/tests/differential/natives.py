"""CPython 3.12's side of vm/tests/natives_vs_cpython.rs.

`natives.py signatures FILE`: FILE holds a JSON list of [owner, name] pairs (the VM's
natives: builtins, the methods of types, the functions of modules such as `math`); prints
a JSON list with, for each, whether its owner is a module, whether it is a type (an
exception type) and its parameters from `inspect.signature`, else from
`__text_signature__` (whose `<unrepresentable>` defaults inspect cannot read), else null.

`natives.py run FILE`: FILE holds a JSON list of program sources; runs each as
`python main.py` would (a fresh `__main__` namespace, compiled as main.py) and prints a
JSON list of what each wrote to stdout, followed by `uncaught TYPE: MESSAGE` when an
exception escaped it.
"""

import ast
import builtins
import contextlib
import importlib
import inspect
import io
import json
import sys

KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "posonly",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "normal",
    inspect.Parameter.VAR_POSITIONAL: "varargs",
    inspect.Parameter.KEYWORD_ONLY: "kwonly",
    inspect.Parameter.VAR_KEYWORD: "varkw",
}


async def _coro():
    pass


async def _agen():
    yield


def _async_types():
    """The types of coroutines, async generators and their awaitables."""
    c, g = _coro(), _agen()
    out = {
        "coroutine": type(c), "coroutine_wrapper": type(c.__await__()),
        "async_generator": type(g), "async_generator_asend": type(g.asend(None)),
        "async_generator_athrow": type(g.aclose()),
    }
    c.close()
    return out


def is_module(owner):
    """Whether `owner` names a module of the standard library (`math`), not a type."""
    return owner != "builtins" and (
        owner in sys.stdlib_module_names or owner in ("_testcapi", "_testinternalcapi"))


def lookup(owner, name):
    if owner == "builtins":
        return getattr(builtins, name)
    if is_module(owner):
        return getattr(importlib.import_module(owner), name)
    if owner == "generator":
        owner_type = type(x for x in ())
    elif owner in ASYNC_TYPES:
        owner_type = ASYNC_TYPES[owner]
    elif owner in NATIVE_TYPES:
        owner_type = NATIVE_TYPES[owner]
    else:
        owner_type = getattr(builtins, owner)
    if name == "__new__" and name not in owner_type.__dict__:
        # A type whose tp_new is inherited (IncrementalNewlineDecoder's, PyType_GenericNew)
        # and that the VM gives its own.
        return getattr(owner_type, name)
    return owner_type.__dict__[name]


ASYNC_TYPES = _async_types()


ITERTOOLS_TYPES = (
    "accumulate", "batched", "chain", "combinations", "combinations_with_replacement",
    "compress", "count", "cycle", "dropwhile", "filterfalse", "groupby", "islice", "pairwise",
    "permutations", "product", "repeat", "starmap", "takewhile", "zip_longest", "_grouper",
    "_tee", "_tee_dataobject",
)


def _collections_types():
    """`_collections`' types by the VM's names (`modules::collections::TYPES`, `DERIVED`)."""
    import _collections
    od = _collections.OrderedDict()
    return {
        **{n: getattr(_collections, n) for n in (
            "deque", "_deque_iterator", "_deque_reverse_iterator", "_tuplegetter",
            "defaultdict", "OrderedDict")},
        "odict_iterator": type(iter(od)), "odict_keys": type(od.keys()),
        "odict_values": type(od.values()), "odict_items": type(od.items()),
    }


def _native_types():
    """The VM's names of the types of native modules (`runtime::types`)."""
    import _io, _operator, _sre, _thread, _weakref, itertools, posix, re, types
    return {
        "ReferenceType": _weakref.ReferenceType, "ProxyType": _weakref.ProxyType,
        "CallableProxyType": _weakref.CallableProxyType, "lock": _thread.LockType,
        "RLock": _thread.RLock, "FileIO": _io.FileIO, "BufferedReader": _io.BufferedReader,
        **{n: getattr(_io, n) for n in (
            "_IOBase", "_RawIOBase", "_BufferedIOBase", "_TextIOBase", "StringIO",
            "BytesIO", "IncrementalNewlineDecoder")},
        "SimpleNamespace": types.SimpleNamespace, "flags": type(sys.flags),
        "version_info": type(sys.version_info), "float_info": type(sys.float_info),
        "hash_info": type(sys.hash_info), "int_info": type(sys.int_info),
        "thread_info": type(sys.thread_info),
        "asyncgen_hooks": type(sys.get_asyncgen_hooks()),
        "stat_result": posix.stat_result, "AST": __import__("_ast").AST,
        "function": types.FunctionType,
        "method": types.MethodType, "method-wrapper": types.MethodWrapperType,
        "builtin_function_or_method": types.BuiltinFunctionType,
        "GenericAlias": types.GenericAlias, "UnionType": types.UnionType,
        "mappingproxy": types.MappingProxyType,
        "memory_iterator": type(iter(memoryview(b""))),
        "struct_time": __import__("time").struct_time,
        "_ExceptHookArgs": _thread._ExceptHookArgs, "_local": _thread._local,
        "struct_siginfo": __import__("_signal").struct_siginfo,
        "getset_descriptor": types.GetSetDescriptorType,
        "member_descriptor": types.MemberDescriptorType,
        "NoneType": types.NoneType, "NotImplementedType": types.NotImplementedType,
        "ellipsis": types.EllipsisType, "object": object, "type": type,
        **{n: getattr(itertools, n) for n in ITERTOOLS_TYPES},
        "itemgetter": _operator.itemgetter, "attrgetter": _operator.attrgetter,
        "methodcaller": _operator.methodcaller,
        "Pattern": re.Pattern, "Match": re.Match,
        "SRE_Scanner": type(re.compile("").scanner("")),
        "SRE_Template": type(_sre.template(re.compile(""), [""])),
        **_collections_types(),
        **_functools_types(),
        **_json_random_sha2_types(),
        "UnraisableHookArgs": _unraisable_hook_args_type(),
        "method_descriptor": types.MethodDescriptorType,
        "wrapper_descriptor": types.WrapperDescriptorType,
        **_socket_asyncio_types(),
        # `_testcapi`'s type whose `__await__` returns what it was made with.
        "awaitType": __import__("_testcapi").awaitType,
    }


def _socket_asyncio_types():
    """`_socket`'s, `_asyncio`'s, `array`'s, `_contextvars`' and `_tokenize`'s types."""
    import _asyncio, _contextvars, _socket, _tokenize, array
    return {
        "socket": _socket.socket, "PyCapsule": type(_socket.CAPI),
        "Future": _asyncio.Future, "Task": _asyncio.Task, "array": array.array,
        "Context": _contextvars.Context, "ContextVar": _contextvars.ContextVar,
        "Token": _contextvars.Token, "TokenizerIter": _tokenize.TokenizerIter,
        "Token.MISSING": type(_contextvars.Token.MISSING),
        **_asyncio_helper_types(),
    }


def _asyncio_helper_types():
    """FutureIter and TaskStepMethWrapper, which only a Future and a Task show."""
    import _asyncio
    scheduled = []

    class Loop:
        def get_debug(self):
            return False

        def call_soon(self, callback, *args, context=None):
            scheduled.append(callback)

    async def coro():
        pass

    fut = _asyncio.Future(loop=Loop())
    c = coro()
    _asyncio.Task(c, loop=Loop())
    c.close()
    return {"FutureIter": type(iter(fut)), "TaskStepMethWrapper": type(scheduled[0])}


def _unraisable_hook_args_type():
    """sys.unraisablehook's argument type, which only a call of the hook shows."""
    got = []
    old, sys.unraisablehook = sys.unraisablehook, got.append

    class Finalized:
        def __del__(self):
            raise ValueError

    Finalized()
    sys.unraisablehook = old
    return type(got[0])


def _json_random_sha2_types():
    import _json, _random, _sha2
    return {
        "Random": _random.Random, "Scanner": _json.make_scanner, "Encoder": _json.make_encoder,
        **{n: getattr(_sha2, n) for n in ("SHA224Type", "SHA256Type", "SHA384Type", "SHA512Type")},
        **_struct_types(),
        **_pickle_types(),
        **_typing_types(),
        **_view_types(),
    }


def _view_types():
    d = {}
    return {
        "dict_keys": type(d.keys()), "dict_values": type(d.values()),
        "dict_items": type(d.items()), "dict_keyiterator": type(iter(d)),
        "dict_valueiterator": type(iter(d.values())),
        "dict_itemiterator": type(iter(d.items())),
    }


def _typing_types():
    import _typing
    return {n: getattr(_typing, n) for n in (
        "TypeVar", "ParamSpec", "TypeVarTuple", "TypeAliasType", "Generic")}


def _pickle_types():
    import _pickle
    return {n: getattr(_pickle, n) for n in ("Pickler", "Unpickler", "PickleBuffer")}


def _struct_types():
    import _struct
    return {"Struct": _struct.Struct, "unpack_iterator": type(_struct.iter_unpack("b", b""))}


def _functools_types():
    import _functools
    return {
        "partial": _functools.partial, "KeyWrapper": type(_functools.cmp_to_key(len)),
        "_lru_cache_wrapper": _functools._lru_cache_wrapper,
    }


NATIVE_TYPES = _native_types()


def from_text_signature(text):
    """Parameters from a `__text_signature__` such as `($self, key, default=<unrepresentable>, /)`."""
    text = text.replace("<unrepresentable>", "None").replace("$", "")
    tree = ast.parse("def f" + text + ": pass")
    a = tree.body[0].args
    positional = [(p.arg, "posonly") for p in a.posonlyargs] + [(p.arg, "normal") for p in a.args]
    n_defaults = len(a.defaults)
    out = [
        {"name": n, "kind": k, "default": i >= len(positional) - n_defaults}
        for i, (n, k) in enumerate(positional)
    ]
    if a.vararg:
        out.append({"name": a.vararg.arg, "kind": "varargs", "default": False})
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append({"name": p.arg, "kind": "kwonly", "default": d is not None})
    if a.kwarg:
        out.append({"name": a.kwarg.arg, "kind": "varkw", "default": False})
    return out


def parameters(obj, is_method):
    try:
        params = [
            {"name": p.name, "kind": KINDS[p.kind], "default": p.default is not p.empty}
            for p in inspect.signature(obj).parameters.values()
        ]
    except ValueError:
        text = getattr(obj, "__text_signature__", None)
        if not text:
            return None
        params = from_text_signature(text)
        # `$module` / `$type` are not parameters of a call; `$self` is the receiver.
        if params and params[0]["name"] in ("module", "type"):
            params = params[1:]
    if is_method and params and params[0]["name"] in ("self", "type"):
        params = params[1:]
    return params


def signatures(pairs):
    out = []
    for owner, name in pairs:
        obj = lookup(owner, name)
        out.append(
            {
                "owner": owner,
                "name": name,
                "is_type": isinstance(obj, type),
                "is_exception": isinstance(obj, type) and issubclass(obj, BaseException),
                "is_module": is_module(owner),
                "params": parameters(obj, owner != "builtins" and not is_module(owner)),
            }
        )
    return out


def run(sources):
    out = []
    for source in sources:
        buffer = io.StringIO()
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        with contextlib.redirect_stdout(buffer):
            try:
                exec(compile(source, "main.py", "exec"), namespace)
            except BaseException as e:  # noqa: BLE001 - reported like an uncaught exception
                print(f"uncaught {type(e).__name__}: {e}")
        out.append(buffer.getvalue())
    return out


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    result = signatures(data) if mode == "signatures" else run(data)
    json.dump(result, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
