//! What the reference VM does not implement as CPython 3.12 does ends the run as
//! `End::Unsupported`, naming the feature and where the program reached it: never a
//! different answer, never an exception the program could catch.

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
fn metaclass_is_unsupported_at_the_class_statement() {
    let (what, at) = unsupported("class Meta(type):\n    pass\nprint(1)\n");
    assert_eq!(what, "subclassing the built-in type 'type'");
    assert_eq!(at, "1:1");
    let (what, at) = unsupported("x = 1\nclass C(metaclass=print):\n    pass\n");
    assert_eq!(what, "a metaclass other than type");
    assert_eq!(at, "2:1");
}

#[test]
fn descriptors_and_slots_are_unsupported() {
    let (what, _) = unsupported("class D:\n    def __get__(self, o, t):\n        return 42\n");
    assert_eq!(what, "the special name __get__ in a class body");
    let (what, _) = unsupported("class P:\n    __slots__ = ('a',)\n");
    assert_eq!(what, "the special name __slots__ in a class body");
}

#[test]
fn subclassing_builtin_types_is_unsupported() {
    let (what, _) = unsupported("class D(dict):\n    pass\n");
    assert_eq!(what, "subclassing the built-in type 'dict'");
}

#[test]
fn user_hash_in_a_set_is_unsupported_where_it_is_hashed() {
    let src = "class P:\n    def __eq__(s, o):\n        return True\nx = {1}\nx.add(P())\n";
    let (what, at) = unsupported(src);
    assert!(what.contains("__hash__ or __eq__"), "{what}");
    assert_eq!(at, "5:1");
}

#[test]
fn integers_beyond_64_bits_are_unsupported_not_overflow_errors() {
    let src = "x = 2 ** 62\ntry:\n    y = x * 4\nexcept OverflowError:\n    print('caught')\n";
    let (what, at) = unsupported(src);
    assert_eq!(what, "integers beyond 64 bits");
    assert_eq!(at, "3:9");
}

#[test]
fn compile_time_unsupported_is_not_a_syntax_error() {
    let (what, at) = unsupported("x = 1\nmatch x:\n    case 1:\n        pass\n");
    assert_eq!(what, "match statement");
    assert_eq!(at, "2:1");
}

#[test]
fn an_unsupported_run_keeps_the_output_before_it() {
    let r = run(
        "print('before')\nclass D(list):\n    pass\n",
        &RunOptions::default(),
    );
    assert!(matches!(r.end, End::Unsupported(_)), "{:?}", r.end);
    assert_eq!(r.stdout, "before\n");
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

/// The opcodes the VM does not implement end the run as unsupported, naming the opcode,
/// before touching the stack: a module `RESUME 0; OP 0; RETURN_CONST 0`.
#[test]
fn unimplemented_opcodes_are_unsupported_by_name() {
    use framespec_vm::opcode::Opcode;

    let unimplemented = [
        Opcode::MATCH_MAPPING,
        Opcode::MATCH_SEQUENCE,
        Opcode::MATCH_KEYS,
        Opcode::MATCH_CLASS,
        Opcode::CHECK_EG_MATCH,
        Opcode::CALL_INTRINSIC_2,
        Opcode::GET_AITER,
        Opcode::GET_ANEXT,
        Opcode::GET_AWAITABLE,
        Opcode::BEFORE_ASYNC_WITH,
        Opcode::END_ASYNC_FOR,
    ];
    for op in unimplemented {
        let mut co_code = vec![Opcode::RESUME as u8, 0, op as u8, 0];
        co_code.extend(std::iter::repeat_n(0, 2 * op.cache_entries()));
        co_code.extend([Opcode::RETURN_CONST as u8, 0]);
        let r = framespec_vm::run_code(module(co_code), &RunOptions::default());
        match r.end {
            End::Unsupported(u) => assert_eq!(u.feature, format!("the opcode {}", op.name())),
            other => panic!("{}: expected unsupported, got {other:?}", op.name()),
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
