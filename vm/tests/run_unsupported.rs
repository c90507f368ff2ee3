//! What the reference VM does not implement as CPython 3.12 does ends the run as
//! `End::Unsupported`, naming the feature and where the program reached it: never a
//! different answer, never an exception the program could catch.

#[path = "cpython_code/mod.rs"]
mod support;

use framespec_vm::{run, End, RunOptions};

/// Runs `source` and returns the unsupported feature and `line:column`, failing the test
/// on any other ending.
fn unsupported(source: &str) -> (String, String) {
    let r = run(source, &RunOptions::default());
    match r.end {
        End::Unsupported(u) => {
            assert_eq!(u.filename, "main.py");
            (u.feature, format!("{}:{}", u.line, u.column))
        }
        other => panic!("expected unsupported, got {other:?}\nstdout: {}", r.stdout),
    }
}

#[test]
fn metaclass_protocols_are_unsupported_at_the_class_statement() {
    // `C + 1` would not reach a metaclass's `__add__`: refused where it is defined.
    let (what, at) =
        unsupported("class Meta(type):\n    def __add__(cls, o):\n        return 0\nprint(1)\n");
    assert_eq!(what, "the special name __add__ in a metaclass");
    assert_eq!(at, "1:1");
}

#[test]
fn descriptors_and_slots_behave_as_in_cpython() {
    // Expected outputs observed from CPython 3.12.
    let src = "class D:\n    def __get__(self, o, t):\n        return 42\nclass C:\n    d = D()\nprint(C().d, C.d)\n";
    assert_eq!(stdout(src), "42 42\n");
    let src = "class P:\n    __slots__ = ('a',)\np = P()\np.a = 1\ntry:\n    p.b = 2\nexcept AttributeError as e:\n    print(p.a, e)\n";
    assert_eq!(stdout(src), "1 'P' object has no attribute 'b'\n");
}

#[test]
fn subclassing_builtin_types_the_vm_does_not_model_is_unsupported() {
    let (what, _) = unsupported("class Z(zip):\n    pass\n");
    assert_eq!(what, "subclassing the built-in type 'zip'");
}

#[test]
fn user_hash_keys_behave_as_in_cpython() {
    // Expected output observed from CPython 3.12.
    let src = "class P:\n    def __hash__(s):\n        return 1\n    def __eq__(s, o):\n        return isinstance(o, P)\nd = {P(): 'x'}\nprint(d[P()], len({P(), P()}))\n";
    assert_eq!(stdout(src), "x 1\n");
    // `__eq__` alone makes instances unhashable (CPython 3.12's message).
    let src = "class P:\n    def __eq__(s, o):\n        return True\n{P()}\n";
    assert_eq!(exception(src), "TypeError: unhashable type: 'P'");
}

#[test]
fn ranges_beyond_64_bits_compute() {
    // Expected output observed from CPython 3.12.
    let src = "x = 2 ** 62 * 4\nr = range(x, x + 7, 3)\nprint(r, len(r), r[-1], type(iter(r)).__name__)\n";
    assert_eq!(
        stdout(src),
        "range(18446744073709551616, 18446744073709551623, 3) 3 18446744073709551622 longrange_iterator\n"
    );
}

/// INTRINSIC_SUBSCRIPT_GENERIC calls Lib/typing.py, which this run without a standard
/// library cannot import; the type parameters themselves are made before it.
#[test]
fn a_generic_class_is_unsupported_by_name() {
    let (what, _) = unsupported("def f[T](): pass\nprint(f.__type_params__)\nclass C[T]: pass\n");
    assert_eq!(what, "the standard library module typing");
}

#[test]
fn compile_time_unsupported_is_not_a_syntax_error() {
    let (what, at) = unsupported("x = 1\nprint(x in {'\\U0010f800', 'a'})\n");
    assert_eq!(
        what,
        "a NaN, or a character of U+10F800-U+10FFFF, in a frozenset constant"
    );
    assert_eq!(at, "2:12");
}

#[test]
fn strs_with_the_stand_ins_code_points_compile_and_are_unsupported_where_used() {
    // U+10F800-U+10FFFF hold the VM's lone surrogates (`standins`), so a str with one of
    // those characters themselves cannot be held.
    let lone = "a character in U+10F800-U+10FFFF (where the VM keeps lone surrogates)";
    // The module compiles (as CPython compiles it); the run stops at the constant.
    let (what, at) = unsupported("def f():\n    return 'a' '\\U0010f800'\nprint(1)\nf()\n");
    assert_eq!((what.as_str(), at.as_str()), (lone, "2:12"));
    let (what, at) = unsupported("x = ('\\U0010ffff', 1)\n");
    assert_eq!((what.as_str(), at.as_str()), (lone, "1:5"));
    // A function whose docstring holds one cannot be made.
    let (what, at) = unsupported("def f():\n    '\\U0010fabc'\n");
    assert_eq!((what.as_str(), at.as_str()), (lone, "1:1"));
}

#[test]
fn an_unsupported_run_keeps_the_output_before_it() {
    let r = run(
        "print('before')\nclass D(map):\n    pass\n",
        &RunOptions::default(),
    );
    assert!(matches!(r.end, End::Unsupported(_)), "{:?}", r.end);
    assert_eq!(r.stdout, "before\n");
}

/// The uncaught exception's `type: message`, failing on any other ending.
fn exception(source: &str) -> String {
    let r = run(source, &RunOptions::default());
    match r.end {
        End::Exception(e) => format!("{}: {}", e.type_name, e.message),
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[test]
fn names_cpython_has_are_unsupported_and_others_are_the_programs_errors() {
    // Messages observed from CPython 3.12 for the names it lacks too.
    let (what, at) = unsupported("x = 1.5\nprint(x.hex())\n");
    assert_eq!(
        (what.as_str(), at.as_str()),
        ("the attribute float.hex", "2:7")
    );
    assert_eq!(
        exception("(1).nonesuch\n"),
        "AttributeError: 'int' object has no attribute 'nonesuch'"
    );
    let (what, _) = unsupported("m = memoryview(b'')\nm.__release_buffer__\n");
    assert_eq!(what, "the attribute memoryview.__release_buffer__");
    let (what, _) = unsupported("import sys\nsys._current_frames()\n");
    assert_eq!(what, "the attribute sys._current_frames");
    // Caught and re-raised: an uncaught AttributeError's report would look for a
    // suggestion in dir(sys), which the VM cannot give exactly (unsupported).
    assert_eq!(
        exception(
            "import sys\ntry:\n    sys.nonesuch\nexcept AttributeError as e:\n    \
             raise RuntimeError(e) from None\n"
        ),
        "RuntimeError: module 'sys' has no attribute 'nonesuch'"
    );
    let (what, _) = unsupported("x = aiter([])\n");
    assert_eq!(what, "the builtins aiter, anext and breakpoint");
    assert_eq!(
        exception("x = nonesuch\n"),
        "NameError: name 'nonesuch' is not defined"
    );
    let (what, _) = unsupported("import os\n");
    assert_eq!(what, "the standard library module os");
    assert_eq!(
        exception("import numpy\n"),
        "ModuleNotFoundError: No module named 'numpy'"
    );
    assert_eq!(
        exception("from . import x\n"),
        "ImportError: attempted relative import with no known parent package"
    );
    assert_eq!(
        exception("import sys.x\n"),
        "ModuleNotFoundError: No module named 'sys.x'; 'sys' is not a package"
    );
}

/// `import os` runs (posix has every name CPython's has); a function that would reach the
/// process is unsupported when called, naming itself.
#[test]
fn posix_functions_beyond_the_sandbox_are_unsupported_by_name() {
    let Some(stdlib) = support::stdlib() else {
        return;
    };
    let options = RunOptions {
        stdlib: Some(stdlib),
        ..RunOptions::default()
    };
    let r = run(
        "import os\nprint(os.sep, os.strerror(2))\nos.getppid()\n",
        &options,
    );
    assert_eq!(r.stdout, "/ No such file or directory\n");
    match r.end {
        End::Unsupported(u) => {
            assert_eq!(
                u.feature,
                "posix.getppid (the VM is a sandbox: no processes, no writes, a fixed environment)"
            );
            assert_eq!((u.filename.as_str(), u.line), ("main.py", 3));
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

/// Runs `source` to completion and returns its stdout.
fn stdout(source: &str) -> String {
    let r = run(source, &RunOptions::default());
    assert!(matches!(r.end, End::Completed), "{:?}", r.end);
    r.stdout
}

#[test]
fn protocols_behave_as_in_cpython() {
    // Expected outputs observed from CPython 3.12.
    let src = "d = {1: 'a', 2: 'b'}\ntry:\n    for k in d:\n        d[k + 10] = 1\nexcept RuntimeError as e:\n    print(e)\n";
    assert_eq!(stdout(src), "dictionary changed size during iteration\n");
    let src = "class S:\n    def __getitem__(self, i):\n        print('get', i)\n        if i == 2:\n            raise IndexError\n        return i\nfor x in S():\n    print('got', x)\n";
    assert_eq!(stdout(src), "get 0\ngot 0\nget 1\ngot 1\nget 2\n");
    let src = "class N:\n    def __iter__(self):\n        return [1]\ntry:\n    iter(N())\nexcept TypeError as e:\n    print(e)\n";
    assert_eq!(stdout(src), "iter() returned non-iterator of type 'list'\n");
    assert_eq!(
        stdout("print(True in range(3), 1.0 in range(3), 2.5 in range(3), 'a' in range(3))\n"),
        "True True False False\n"
    );
    let src = "class C:\n    @property\n    def x(self):\n        return 1\nc = C()\ntry:\n    c.x = 2\nexcept AttributeError as e:\n    print(e)\n";
    assert_eq!(stdout(src), "property 'x' of 'C' object has no setter\n");
    // `types.GenericAlias` and `types.UnionType`, as python3.12 prints them.
    assert_eq!(
        stdout("print(list[int], int | None, dict[str, list[int]])\n"),
        "list[int] int | None dict[str, list[int]]\n"
    );
    let src = "p = property(len, print)\nprint(p.fget is len, p.fset is print)\n";
    assert_eq!(stdout(src), "True True\n");
}

#[test]
fn finalising_a_suspended_generator_runs_its_cleanup_or_is_unsupported() {
    // CPython 3.12 prints "cleanup" when the generator's last reference goes, or at exit.
    let body = "def gen():\n    try:\n        yield 1\n    finally:\n        print('cleanup')\n";
    let closed = format!("{body}g = gen()\nnext(g)\ndel g\nprint('after')\n");
    assert_eq!(stdout(&closed), "cleanup\nafter\n");
    assert_eq!(
        stdout(&format!(
            "{body}for x in gen():\n    break\nprint('after')\n"
        )),
        "cleanup\nafter\n"
    );
    // A close that raises is reported as unraisable (tests/language/unraisable.txt has
    // the report) and the program goes on.
    let raising = "def gen():\n    try:\n        yield 1\n    finally:\n        yield 2\ng = gen()\nnext(g)\ndel g\nprint('after')\n";
    assert_eq!(stdout(raising), "after\n");
    let (what, _) = unsupported(&format!("{body}g = gen()\nnext(g)\nprint('end')\n"));
    assert!(
        what.starts_with("a generator still suspended at exit"),
        "{what}"
    );
    // Nothing of the program's runs when a plain generator is closed: CPython's output is
    // the VM's.
    let plain =
        "def gen():\n    yield 1\n    yield 2\ng = gen()\nprint(next(g))\ndel g\nprint('after')\n";
    assert_eq!(stdout(plain), "1\nafter\n");
    let silent = "def gen():\n    try:\n        yield 1\n    except GeneratorExit as e:\n        yield 2\ns = gen()\nnext(s)\ntry:\n    s.close()\nexcept RuntimeError as e:\n    print(e)\n";
    assert_eq!(stdout(silent), "generator ignored GeneratorExit\n");
}

#[test]
fn base_exception_init_sets_args() {
    // Expected output observed from CPython 3.12: `BaseException.__init__` sets `args`.
    let src = "class E(Exception):\n def __init__(self, a, b):\n  super().__init__(a)\ne = E(1, 2)\nprint(e.args, str(e), repr(e))\n";
    assert_eq!(stdout(src), "(1,) 1 E(1)\n");
}

#[test]
fn natives_the_object_model_cannot_follow_are_unsupported() {
    // The collector's object lists are not the VM's.
    let (what, _) = unsupported("import gc\ngc.get_objects()\n");
    assert!(what.starts_with("gc.get_objects"), "{what}");
    let src = "class S:\n    def __len__(self):\n        return 2\n    def __getitem__(self, i):\n        return i\nr = reversed(S())\n";
    let (what, _) = unsupported(src);
    assert!(
        what.starts_with("reversed() of a user-defined sequence"),
        "{what}"
    );
    let (what, _) = unsupported("x = 'a\\u019b'.title()\n");
    assert!(what.contains("after Unicode 15.0"), "{what}");
}

#[test]
fn nan_keys_are_unsupported_where_they_are_stored() {
    // CPython hashes a NaN by its address and finds it again only as the same object.
    let src = "x = float('nan')\ns = {1.0}\nprint(x in s, hash(1.5))\ns.add(x)\n";
    let (what, at) = unsupported(src);
    assert!(what.contains("NaN"), "{what}");
    assert_eq!(at, "4:1");
    let (what, at) = unsupported("d = {}\nd[(1, float('nan'))] = 2\n");
    assert!(what.contains("NaN"), "{what}");
    assert_eq!(at, "2:1");
}

/// A module code object with `co_code` (no names, `None` as its only constant).
fn module(co_code: Vec<u8>) -> std::rc::Rc<framespec_vm::code::CodeObject> {
    use framespec_vm::code::{CodeObject, Constant};
    use std::rc::Rc;
    Rc::new(CodeObject {
        co_name: Rc::from("<module>"),
        co_qualname: Rc::from("<module>"),
        co_filename: Rc::from("main.py"),
        co_firstlineno: 1,
        co_argcount: 0,
        co_posonlyargcount: 0,
        co_kwonlyargcount: 0,
        co_flags: 0,
        co_stacksize: 4,
        co_code,
        co_consts: vec![Constant::None],
        co_names: vec![],
        co_localsplusnames: vec![],
        co_localspluskinds: vec![],
        co_linetable: vec![],
        co_exceptiontable: vec![],
    })
}

/// An intrinsic the VM has no function for ends the run as unsupported, naming it: a
/// module `RESUME 0; LOAD_CONST 0; LOAD_CONST 0; CALL_INTRINSIC_2 N; RETURN_CONST 0`.
/// (Every opcode and every 3.12 intrinsic is implemented.)
#[test]
fn unimplemented_intrinsics_are_unsupported_by_name() {
    use framespec_vm::oparg::Intrinsic2;
    use framespec_vm::opcode::Opcode;

    let intrinsic = Intrinsic2::Invalid;
    {
        let co_code = vec![
            Opcode::RESUME as u8,
            0,
            Opcode::LOAD_CONST as u8,
            0,
            Opcode::LOAD_CONST as u8,
            0,
            Opcode::CALL_INTRINSIC_2 as u8,
            intrinsic as u8,
            Opcode::RETURN_CONST as u8,
            0,
        ];
        let r = framespec_vm::run_code(module(co_code), &RunOptions::default());
        match r.end {
            End::Unsupported(u) => {
                assert_eq!(u.feature, format!("the intrinsic {}", intrinsic.name()))
            }
            other => panic!("{}: expected unsupported, got {other:?}", intrinsic.name()),
        }
    }
}

/// Beside the unsupported: a jump out of the code is a malformed code object, which ends
/// the run as a VM bug, never a panic.
#[test]
fn jumps_out_of_the_code_are_vm_bugs() {
    use framespec_vm::opcode::Opcode;

    for op in [
        Opcode::JUMP_BACKWARD,
        Opcode::JUMP_FORWARD,
        Opcode::JUMP_BACKWARD_NO_INTERRUPT,
    ] {
        let co_code = vec![
            Opcode::RESUME as u8,
            0,
            op as u8,
            9,
            Opcode::RETURN_CONST as u8,
            0,
        ];
        let r = framespec_vm::run_code(module(co_code), &RunOptions::default());
        assert!(matches!(r.end, End::Bug(_)), "{}: {:?}", op.name(), r.end);
    }
}

#[test]
fn gc_callbacks_where_cpython_would_collect_on_its_own_are_unsupported() {
    // CPython collects after threshold0 new containers, calling gc.callbacks; the VM
    // collects only at gc.collect().
    let src = "import gc\ngc.set_threshold(5)\ngc.callbacks.append(print)\nx = [[] for i in range(100)]\n";
    let (what, at) = unsupported(src);
    assert!(
        what.starts_with("an automatic collection while gc.callbacks"),
        "{what}"
    );
    assert_eq!(at, "4:6", "the inner list's BUILD_LIST");
    // Still registered at exit: CPython's shutdown collection calls them.
    let (what, _) =
        unsupported("import gc\ngc.disable()\ngc.callbacks.append(print)\ngc.enable()\n");
    assert!(
        what.starts_with("gc.callbacks still registered at exit"),
        "{what}"
    );
    // Disabled, nothing is collected on its own.
    let r = run(
        "import gc\ngc.disable()\ngc.set_threshold(1)\ngc.callbacks.append(print)\nx = [[] for i in range(100)]\ngc.callbacks.clear()\nprint('ok')\n",
        &RunOptions::default(),
    );
    assert_eq!(r.end, End::Completed);
    assert_eq!(r.stdout, "ok\n");
}

#[test]
fn syntax_errors_inside_literals_without_cpythons_message_are_unsupported() {
    // CPython: "f-string: expecting '}'" and "(unicode error) 'unicodeescape' codec can't
    // decode bytes ...: truncated \xXX escape"; the VM has only "invalid syntax" there.
    for src in [
        "compile(\"f'{'\", 's', 'exec')\n",
        "compile(\"'\\\\x1'\", 's', 'exec')\n",
    ] {
        let r = run(src, &RunOptions::default());
        let End::Unsupported(u) = r.end else {
            panic!("expected unsupported, got {:?}", r.end);
        };
        assert!(
            u.feature
                .starts_with("this syntax error inside a string literal"),
            "{}",
            u.feature
        );
        assert_eq!(u.filename, "s", "located in the source compiled");
    }
}
