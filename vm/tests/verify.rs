//! The bytecode verifier (`framespec_vm::verify`):
//! - every code object the compiler makes, for every case of `cases/` (and its modules)
//!   and every program of `tests/language/*.txt`, verifies: the compiler is CPython's,
//!   and CPython's bytecode is what the verifier's rules describe;
//! - hand-made bad code objects, each compiled code with one thing broken, give their
//!   located message.

use std::path::PathBuf;
use std::rc::Rc;

use framespec_vm::code::{CodeObject, Constant};
use framespec_vm::opcode::Opcode;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(label, source)` of every case's program and modules.
fn case_sources() -> Vec<(String, String)> {
    let root = manifest_dir().join("../cases");
    let files = framespec_spec::discover(&root).expect("the cases are discovered");
    let mut out = Vec::new();
    for (id, path) in &files {
        let case = framespec_spec::load(id, path).expect("the case loads");
        out.push((id.clone(), case.source.clone()));
        for (name, source) in &case.modules {
            out.push((format!("{id}/{name}"), source.clone()));
        }
    }
    out
}

/// `(label, source)` of every program of the language tests.
fn language_sources() -> Vec<(String, String)> {
    let dir = manifest_dir().join("tests/language");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/language reads")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a language test file reads");
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        for (i, program) in text.split("\n#---\n").enumerate() {
            out.push((
                format!("{}#{i}", name.clone().unwrap_or_default()),
                program.to_owned(),
            ));
        }
    }
    out
}

fn all_compiled_code_verifies(sources: Vec<(String, String)>) {
    let mut compiled = 0;
    let mut failures = Vec::new();
    for (label, source) in &sources {
        // Programs the compiler refuses (syntax errors are tests too) have no code.
        let Ok(code) = framespec_vm::compile(source, "main.py") else {
            continue;
        };
        compiled += 1;
        if let Err(e) = framespec_vm::verify_module(&code) {
            failures.push(format!("{label}: {e}"));
        }
    }
    assert!(compiled > 100, "only {compiled} programs compiled");
    assert!(
        failures.is_empty(),
        "{} of {compiled} compiled programs do not verify:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_compiles_to_code_that_verifies() {
    all_compiled_code_verifies(case_sources());
}

#[test]
fn every_language_test_program_compiles_to_code_that_verifies() {
    all_compiled_code_verifies(language_sources());
}

// ---- hand-made bad code objects ----

/// `code` and its nested code objects, with `change` applied to the one named `qualname`.
fn changed(code: &CodeObject, qualname: &str, change: &dyn Fn(&mut CodeObject)) -> CodeObject {
    let mut copy = code.with_filename(&code.co_filename);
    copy.co_consts = copy
        .co_consts
        .iter()
        .map(|c| match c {
            Constant::Code(inner) => Constant::Code(Rc::new(changed(inner, qualname, change))),
            other => other.clone(),
        })
        .collect();
    if &*copy.co_qualname == qualname {
        change(&mut copy);
    }
    copy
}

/// The unit index of the `nth` instruction `op` of `code`.
fn find(code: &CodeObject, op: Opcode, nth: usize) -> usize {
    code.instructions()
        .iter()
        .filter(|i| i.opcode == op)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {op:?} #{nth} in {}", code.co_qualname))
        .index
}

fn set(code: &mut CodeObject, op: Opcode, nth: usize, new_op: Opcode, arg: u8) {
    let at = find(code, op, nth);
    code.co_code[2 * at] = new_op as u8;
    code.co_code[2 * at + 1] = arg;
}

fn set_arg(code: &mut CodeObject, op: Opcode, nth: usize, arg: u8) {
    set(code, op, nth, op, arg);
}

/// One exception-table entry in 3.12's encoding.
fn entry(fields: [usize; 4]) -> Vec<u8> {
    let mut out = Vec::new();
    framespec_vm::code::write_exception_entry(&mut out, fields);
    out
}

type Change = Box<dyn Fn(&mut CodeObject)>;

fn set_byte(code: &mut CodeObject, op: Opcode, nth: usize, byte: u8) {
    let at = find(code, op, nth);
    code.co_code[2 * at] = byte;
}

/// `(source, code object to break, how, the expected message)`.
fn bad_cases() -> Vec<(&'static str, &'static str, Change, &'static str)> {
    use Opcode as O;
    const ASSIGN: &str = "x = 1\n";
    const FUNC: &str = "def f(a):\n    b = a\n    return b\n";
    const CLOSURE: &str = "def f():\n    x = 1\n    def g():\n        return x\n    return g\n";
    const TRY: &str = "try:\n    a\nexcept:\n    pass\n";
    const IF: &str = "if a:\n    b = 1\n";
    const JOIN: &str = "if a:\n    b = 1\nc = 2\n";
    const WHILE: &str = "while a:\n    pass\n";
    const FOR: &str = "for i in a:\n    pass\n";
    const CALLKW: &str = "f(a=1)\n";
    const CMP: &str = "a < b\n";
    const ATTR: &str = "if a:\n    b.c = 1\n";
    const COMP: &str = "def f(a):\n    return [i for i in a]\n";
    vec![
        (ASSIGN, "<module>", Box::new(|c| set_arg(c, O::LOAD_CONST, 0, 7)),
         "main.py:1: code object '<module>', offset 2 (LOAD_CONST): constant index 7 out of range (co_consts has 2)"),
        (ASSIGN, "<module>", Box::new(|c| set_arg(c, O::STORE_NAME, 0, 3)),
         "main.py:1: code object '<module>', offset 4 (STORE_NAME): name index 3 out of range (co_names has 1)"),
        (FUNC, "f", Box::new(|c| set_arg(c, O::STORE_FAST, 0, 9)),
         "main.py:1: code object 'f', offset 4 (STORE_FAST): local index 9 out of range (2 local slot(s))"),
        (ASSIGN, "<module>", Box::new(|c| set_byte(c, O::STORE_NAME, 0, 200)),
         "main.py:1: code object '<module>', offset 4: byte 200 is not a CPython 3.12 base opcode (undefined, specialised or instrumented)"),
        (ASSIGN, "<module>", Box::new(|c| set(c, O::RESUME, 0, O::CACHE, 0)),
         "main.py:1: code object '<module>', offset 0 (CACHE): a CACHE unit is executed"),
        (ASSIGN, "<module>", Box::new(|c| { c.co_code.pop(); }),
         "main.py:1: code object '<module>': co_code has an odd length (7 bytes)"),
        (ASSIGN, "<module>", Box::new(|c| c.co_code.clear()),
         "main.py:1: code object '<module>': co_code is empty"),
        (ASSIGN, "<module>", Box::new(|c| set(c, O::LOAD_CONST, 0, O::NOP, 0)),
         "main.py:1: code object '<module>', offset 4 (STORE_NAME): pops 1 value(s), the stack holds 0"),
        (ASSIGN, "<module>", Box::new(|c| c.co_stacksize = 0),
         "main.py:1: code object '<module>', offset 2 (LOAD_CONST): stack depth 1 above co_stacksize 0"),
        (ASSIGN, "<module>", Box::new(|c| { let n = c.co_code.len(); c.co_code.truncate(n - 2); }),
         "main.py:1: code object '<module>', offset 4 (STORE_NAME): falls off the end of co_code"),
        (JOIN, "<module>", Box::new(|c| set(c, O::STORE_NAME, 0, O::NOP, 0)),
         "main.py:1: code object '<module>', offset 8 (NOP): at offset 10: stack depth 0 on one path, 1 on another"),
        (IF, "<module>", Box::new(|c| set_arg(c, O::POP_JUMP_IF_FALSE, 0, 200)),
         "main.py:1: code object '<module>', offset 4 (POP_JUMP_IF_FALSE): jump to offset 406 past the end of the code"),
        (ATTR, "<module>", Box::new(|c| {
            let jump = find(c, O::POP_JUMP_IF_FALSE, 0);
            let store = find(c, O::STORE_ATTR, 0);
            c.co_code[2 * jump + 1] = (store - jump) as u8;
        }),
         "main.py:1: code object '<module>', offset 4 (POP_JUMP_IF_FALSE): jump to offset 12, not an instruction start"),
        (WHILE, "<module>", Box::new(|c| set_arg(c, O::JUMP_BACKWARD, 0, 100)),
         "main.py:1: code object '<module>', offset 12 (JUMP_BACKWARD): jump back by 100 units before the start of the code"),
        (FOR, "<module>", Box::new(|c| set(c, O::END_FOR, 0, O::NOP, 0)),
         "main.py:1: code object '<module>', offset 6 (FOR_ITER): its target is not an END_FOR"),
        (TRY, "<module>", Box::new(|c| c.co_exceptiontable = vec![0x00]),
         "main.py:1: code object '<module>': exception table byte 0: an entry does not start with a marked byte"),
        (TRY, "<module>", Box::new(|c| { let n = c.co_exceptiontable.len(); c.co_exceptiontable.truncate(n - 1); }),
         "main.py:1: code object '<module>': exception table byte 7: the table ends inside an entry"),
        (TRY, "<module>", Box::new(|c| {
            let mut entries = c.checked_exception_entries().expect("the table reads");
            entries[0].depth = 5;
            c.co_exceptiontable = entries.iter().flat_map(|e| entry([e.start, e.end - e.start, e.target, e.depth << 1 | usize::from(e.lasti)])).collect();
        }),
         "main.py:1: code object '<module>', offset 4 (LOAD_NAME): exception table entry 4..8 has depth 5, the stack holds 0 under this instruction's operands"),
        (TRY, "<module>", Box::new(|c| {
            let mut entries = c.checked_exception_entries().expect("the table reads");
            entries[0].target = 200;
            c.co_exceptiontable = entries.iter().flat_map(|e| entry([e.start, e.end - e.start, e.target, e.depth << 1 | usize::from(e.lasti)])).collect();
        }),
         "main.py:1: code object '<module>': exception table entry 4..8 has target 400, not an instruction start"),
        (FUNC, "f", Box::new(|c| c.co_localspluskinds.push(0x20)),
         "main.py:1: code object 'f': co_localspluskinds has 3 bytes for 2 names"),
        (FUNC, "f", Box::new(|c| c.co_argcount = 3),
         "main.py:1: code object 'f': 3 argument slot(s) but 2 local slot(s)"),
        (CMP, "<module>", Box::new(|c| set_arg(c, O::COMPARE_OP, 0, 0x0F)),
         "main.py:1: code object '<module>', offset 6 (COMPARE_OP): comparison < with mask 0xf (the compiler's is 0x2)"),
        (CMP, "<module>", Box::new(|c| set(c, O::COMPARE_OP, 0, O::BINARY_OP, 30)),
         "main.py:1: code object '<module>', offset 6 (BINARY_OP): binary operator 30 out of range (0..=25)"),
        (CLOSURE, "f", Box::new(|c| set(c, O::MAKE_CELL, 0, O::NOP, 0)),
         "main.py:1: code object 'f', offset 6 (STORE_DEREF): slot 1 (x) may not hold a cell yet (no MAKE_CELL on every path)"),
        (CLOSURE, "f", Box::new(|c| set_arg(c, O::LOAD_CLOSURE, 0, 2)),
         "main.py:1: code object 'f', offset 8 (LOAD_CLOSURE): local index 2 out of range (2 local slot(s))"),
        (CLOSURE, "f.<locals>.g", Box::new(|c| set_arg(c, O::COPY_FREE_VARS, 0, 2)),
         "main.py:3: code object 'f.<locals>.g', offset 0 (COPY_FREE_VARS): copies 2 free variable(s), the code has 1"),
        (CLOSURE, "<module>", Box::new(|c| {
            c.co_localsplusnames.push("x".into());
            c.co_localspluskinds.push(0x80);
        }),
         "main.py:1: code object '<module>': module code has 1 free variable(s)"),
        (CLOSURE, "f", Box::new(|c| set(c, O::LOAD_CONST, 1, O::LOAD_CONST, 0)),
         "main.py:1: code object 'f', offset 14 (MAKE_FUNCTION): needs a code object at stack depth 0, finds a value"),
        (CALLKW, "<module>", Box::new(|c| set_arg(c, O::KW_NAMES, 0, 0)),
         "main.py:1: code object '<module>', offset 8 (KW_NAMES): constant 0 is not a tuple of str"),
        (CALLKW, "<module>", Box::new(|c| set_arg(c, O::CALL, 0, 0)),
         "main.py:1: code object '<module>', offset 8 (KW_NAMES): 1 keyword name(s) for a CALL of 0 argument(s)"),
        (ASSIGN, "<module>", Box::new(|c| set(c, O::LOAD_CONST, 0, O::RAISE_VARARGS, 3)),
         "main.py:1: code object '<module>', offset 2 (RAISE_VARARGS): RAISE_VARARGS form 3 out of range (0..=2)"),
        (CMP, "<module>", Box::new(|c| set(c, O::LOAD_NAME, 0, O::PUSH_NULL, 0)),
         "main.py:1: code object '<module>', offset 6 (COMPARE_OP): needs a value at stack depth 1, finds NULL"),
        (COMP, "f", Box::new(|c| set(c, O::BUILD_LIST, 0, O::BUILD_TUPLE, 0)),
         "main.py:1: code object 'f', offset 22 (LIST_APPEND): needs a list at stack depth 2, finds a tuple"),
        (ASSIGN, "<module>", Box::new(|c| set(c, O::LOAD_CONST, 0, O::RETURN_GENERATOR, 0)),
         "main.py:1: code object '<module>', offset 2 (RETURN_GENERATOR): RETURN_GENERATOR in code that is not a generator's"),
        (ASSIGN, "<module>", Box::new(|c| set_arg(c, O::RESUME, 0, 9)),
         "main.py:1: code object '<module>', offset 0 (RESUME): RESUME kind 9 out of range (0..=3)"),
    ]
}

#[test]
fn bad_code_objects_give_located_errors() {
    let mut wrong = Vec::new();
    for (i, (source, qualname, change, expected)) in bad_cases().into_iter().enumerate() {
        let code = framespec_vm::compile(source, "main.py").expect("the program compiles");
        let bad = changed(&code, qualname, &*change);
        let got = match framespec_vm::verify_module(&bad) {
            Ok(()) => "verifies".to_owned(),
            Err(e) => e.to_string(),
        };
        if got != expected {
            wrong.push(format!(
                "case {i}:\n  expected: {expected}\n       got: {got}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
