//! Unsupported constructs and syntax errors are `CompileError`s with a location, never
//! panics; arbitrary input never panics the compiler.

use framespec_vm::compile;

#[test]
fn unsupported_constructs_are_named() {
    for (src, what) in [
        ("async def f():\n    pass\n", "async def"),
        ("match x:\n    case 1:\n        pass\n", "match statement"),
        ("x: int = 1\n", "annotated assignment"),
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
