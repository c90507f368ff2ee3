//! Unsupported constructs and syntax errors are `CompileError`s with a location, never
//! panics; arbitrary input never panics the compiler.

use framespec_vm::compile;

#[test]
fn unsupported_constructs_are_named() {
    for (src, what) in [
        (
            "x in {'\\U0010f800', 'a'}\n",
            "a NaN, or a character of U+10F800-U+10FFFF, in a frozenset constant",
        ),
        // PEP 696 (3.13); CPython 3.12's parser rejects it.
        ("def f[T=int](x: T): pass\n", "type parameter default"),
    ] {
        let err = compile(src, "main.py").expect_err(src);
        assert!(err.unsupported, "{src}: {err}");
        assert!(err.message.contains(what), "{src}: {}", err.message);
        assert!(err.to_string().contains("not supported by framespec"));
        assert_eq!(err.line, 1);
    }
}

#[test]
fn syntax_errors_have_cpython_locations() {
    let err = compile("x = (1,\n", "main.py").expect_err("unclosed");
    assert!(!err.unsupported);
    assert!(err.line >= 1);
    let err = compile("def f():\n    pass\nreturn 1\n", "main.py").expect_err("return");
    assert_eq!(err.message, "'return' outside function");
    assert_eq!((err.line, err.column), (3, 1));
    let err = compile("for x in y:\n    pass\nbreak\n", "main.py").expect_err("break");
    assert_eq!(err.message, "'break' outside loop");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!("x = {}1{}\n", "(".repeat(150), ")".repeat(150));
    let _ = compile(&src, "main.py");
    let src = format!("x = {}1{}\n", "[".repeat(500), "]".repeat(500));
    assert!(compile(&src, "main.py").is_err());
}

#[test]
fn odd_inputs_do_not_panic() {
    for src in [
        "",
        "\n",
        "\u{feff}x=1",
        "x = 1\r\ny = 2\r",
        "def f(:",
        "'''",
        "1 +",
        "lambda: (yield)",
        "f(**)",
        "x = 99999999999999999999999",
        "x = 1j",
        "print(f'{x=}')",
        "{1, 2, 3}",
        "del f()",
        "a, *b, *c = d",
        "class C:\n    def f(self):\n        return __class__\n",
        "nonlocal x",
        "global x\nx = 1\n",
    ] {
        let _ = compile(src, "main.py");
    }
}

/// The SyntaxErrors CPython 3.12's compiler gives for misplaced asynchronous constructs,
/// with its messages and locations (`compile()` under python3.12 gave each expectation).
#[test]
fn async_misuse_is_cpythons_syntax_error() {
    for (src, message, line, column) in [
        ("await x\n", "'await' outside function", 1, 1),
        (
            "def f():\n    await x\n",
            "'await' outside async function",
            2,
            5,
        ),
        ("lambda: await x\n", "'await' outside async function", 1, 9),
        ("class C:\n    await x\n", "'await' outside function", 2, 5),
        (
            "async def f():\n    def g():\n        await x\n",
            "'await' outside async function",
            3,
            9,
        ),
        (
            "def f():\n    async for x in y: pass\n",
            "'async for' outside async function",
            2,
            5,
        ),
        (
            "async for x in y: pass\n",
            "'async for' outside async function",
            1,
            1,
        ),
        (
            "def f():\n    async with x: pass\n",
            "'async with' outside async function",
            2,
            5,
        ),
        (
            "async def f():\n    yield from x\n",
            "'yield from' inside async function",
            2,
            5,
        ),
        (
            "async def f():\n    yield 1\n    return 2\n",
            "'return' with value in async generator",
            3,
            5,
        ),
        (
            "[x async for x in y]\n",
            "asynchronous comprehension outside of an asynchronous function",
            1,
            1,
        ),
        (
            "def f():\n    return [await x for x in y]\n",
            "asynchronous comprehension outside of an asynchronous function",
            2,
            12,
        ),
        (
            "def f():\n    x = [i for i in (await y)]\n",
            "'await' outside async function",
            2,
            22,
        ),
    ] {
        let err = compile(src, "main.py").expect_err(src);
        assert!(!err.unsupported, "{src}: {err}");
        assert_eq!(err.message, message, "{src}");
        assert_eq!((err.line, err.column), (line, column), "{src}");
    }
    for ok in [
        "def f():\n    return (await x for x in y)\n",
        "async def f():\n    yield 1\n    return\n",
        "async def f():\n    return [x async for x in y if await z]\n",
    ] {
        assert!(compile(ok, "main.py").is_ok(), "{ok}");
    }
}
