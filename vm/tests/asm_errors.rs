//! A listing that does not assemble, or assembles into bytecode that does not verify, is
//! one error at the listing line and column it is about (spec/BYTECODE.md "Errors"): each
//! row is a listing and the `LINE:COLUMN: message` a user sees.

use framespec_vm::asm::assemble_verified;

/// (what is wrong, listing, the error).
const BAD: &[(&str, &str, &str)] = &[
    (
        "no code line",
        "  stacksize: 1\n",
        "1:3: a listing starts with a 'code ID' line",
    ),
    ("empty", "; nothing\n", "1:1: an empty listing (no 'code ID' line)"),
    (
        "text after the code ID",
        "code m x\n",
        "1:8: unexpected text after the code ID",
    ),
    (
        "unknown instruction",
        "code m\n  stacksize: 1\n  1 LOAD_FOO 1\n",
        "3:5: not a CPython 3.12 instruction: LOAD_FOO",
    ),
    (
        "misspelt property",
        "code m\n  stacksiz: 1\n",
        "2:13: stacksiz is not a property of a code section",
    ),
    (
        "property twice",
        "code m\n  stacksize: 1\n  stacksize: 2\n",
        "3:14: stacksize given twice",
    ),
    (
        "not a number",
        "code m\n  stacksize: many\n",
        "2:14: stacksize: expected a number, not \"many\"",
    ),
    (
        "no stacksize, and no depth to work out",
        "code m\n  1 RESUME 0\n  POP_TOP\n  - RETURN_CONST None\n",
        "1:1: code section m gives no stacksize, and its stack depth cannot be worked out: \
         main.py:1: code object 'm', offset 2 (POP_TOP): pops 1 value(s), the stack holds 0",
    ),
    (
        "missing operand",
        "code m\n  stacksize: 1\n  1 LOAD_CONST\n",
        "3:15: LOAD_CONST needs an operand",
    ),
    (
        "label defined twice",
        "code m\n  stacksize: 1\n  a:\n  a:\n  1 RESUME 0\n  - RETURN_CONST None\n",
        "4:3: label a defined twice",
    ),
    (
        "jump to no label",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  JUMP_FORWARD nowhere\n",
        "4:3: no label nowhere",
    ),
    (
        "backward jump forward",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  JUMP_BACKWARD end\n  NOP\nend:\n  - RETURN_CONST None\n",
        "4:3: JUMP_BACKWARD cannot jump forward (JUMP_BACKWARD goes back, the others forward)",
    ),
    (
        "EXTENDED_ARG at the end",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  EXTENDED_ARG\n",
        "4:3: EXTENDED_ARG without an instruction after it",
    ),
    (
        "two locations on one instruction",
        "code m\n  stacksize: 1\n  1 EXTENDED_ARG\n  2 RESUME 0\n",
        "4:3: an instruction with EXTENDED_ARG lines has one location, written on the first \
         of them",
    ),
    (
        "a nested section nobody names",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  - RETURN_CONST None\ncode f\n  stacksize: 1\n",
        "5:1: code section f is not among the constants of the code before it",
    ),
    (
        "a handler range backwards",
        "code m\n  stacksize: 1\n  exception: b to a -> a [0]\n  1 RESUME 0\na:\n  NOP\nb:\n  - RETURN_CONST None\n",
        "3:14: a does not come after b",
    ),
    // The verifier's errors: at the instruction, in the section of the code object at
    // fault, or at the section for a property of the whole code object.
    (
        "stack underflow",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  2 POP_TOP\n  - RETURN_CONST None\n",
        "4:5: the bytecode does not verify: main.py:1: code object 'm', offset 2 (POP_TOP): \
         pops 1 value(s), the stack holds 0",
    ),
    (
        "stacksize too small, in a nested code object",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  LOAD_CONST code f\n  MAKE_FUNCTION 0\n  \
         POP_TOP\n  - RETURN_CONST None\ncode f\n  flags: OPTIMIZED|NEWLOCALS\n  stacksize: 1\n  \
         1 RESUME 0\n  LOAD_CONST 1\n  LOAD_CONST 2\n  BINARY_OP +\n  RETURN_VALUE\n",
        "13:3: the bytecode does not verify: main.py:1: code object 'f', offset 4 \
         (LOAD_CONST): stack depth 2 above co_stacksize 1",
    ),
    (
        "falls off the end",
        "code m\n  stacksize: 1\n  1 RESUME 0\n  NOP\n",
        "4:3: the bytecode does not verify: main.py:1: code object 'm', offset 2 (NOP): \
         falls off the end of co_code",
    ),
    (
        "a stack deeper than the verifier follows, however large co_stacksize is",
        "code m\n  stacksize: 2000000000\n  1 RESUME 0\n  LOAD_CONST (1, 2)\n  \
         UNPACK_SEQUENCE 16777216\n  - RETURN_CONST None\n",
        "5:3: the bytecode does not verify: main.py:1: code object 'm', offset 10 \
         (UNPACK_SEQUENCE): stack depth 16777216 beyond the 65536 the verifier follows",
    ),
    (
        "a module with a free variable",
        "code m\n  stacksize: 1\n  locals: x free\n  1 RESUME 0\n  - RETURN_CONST None\n",
        "1:1: the bytecode does not verify: main.py:1: code object 'm': module code has 1 \
         free variable(s)",
    ),
];

#[test]
fn each_bad_listing_is_one_located_error() {
    let mut wrong = Vec::new();
    for (what, listing, expected) in BAD {
        let got = match assemble_verified(listing) {
            Ok(_) => "it assembles and verifies".to_owned(),
            Err(e) => e.to_string(),
        };
        if got != *expected {
            wrong.push(format!("{what}:\n  expected {expected}\n  got      {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
