//! `_opcode` (CPython `Modules/_opcode.c`): `stack_effect`, answered from the one opcode
//! table (`crate::opcode`) as `compile.c`'s `stack_effect` answers from
//! `opcode_metadata.h`, and `get_specialization_stats`, which is None in a build without
//! specialisation statistics.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::PyResult;
use crate::opcode::{Opcode, HAVE_ARGUMENT};

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_opcode",
        &[
            ("stack_effect", stack_effect),
            ("get_specialization_stats", get_specialization_stats),
        ],
    );
}

/// CPython 3.12's pseudo-instructions (`opcode.py`'s `pseudo_op`), by number: whether
/// they take an oparg (`HAS_ARG`) and their effect without and with the jump.
const PSEUDO: &[(i64, bool, i64, i64)] = &[
    (256, false, 0, 1),  // SETUP_FINALLY: the handler starts with the exception pushed
    (257, false, 0, 2),  // SETUP_CLEANUP: lasti as well
    (258, false, 0, 1),  // SETUP_WITH
    (259, false, 0, 0),  // POP_BLOCK
    (260, true, 0, 0),   // JUMP
    (261, true, 0, 0),   // JUMP_NO_INTERRUPT
    (262, true, 1, 1),   // LOAD_METHOD
    (263, true, -1, -1), // LOAD_SUPER_METHOD
    (264, true, -1, -1), // LOAD_ZERO_SUPER_METHOD
    (265, true, -1, -1), // LOAD_ZERO_SUPER_ATTR
    (266, true, -1, -1), // STORE_FAST_MAYBE_NULL
];

/// 3.12's instrumented opcodes (`MIN_INSTRUMENTED_OPCODE` up): `opcode_metadata.h` gives
/// them effects the VM's table does not hold.
const INSTRUMENTED: std::ops::RangeInclusive<i64> = 237..=254;

/// `stack_effect(opcode, oparg=None, /, *, jump=None)`.
fn stack_effect(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [opcode, oparg, jump] = Spec::function(
        "stack_effect",
        Style::Keywords,
        &["opcode", "oparg", "jump"],
        1,
    )
    .keywords(2, 2)
    .bind(vm, &args, 0)?;
    let opcode = c_int(vm, &opcode.unwrap_or(Value::None))?;
    let oparg = oparg.unwrap_or(Value::None);
    let pseudo = PSEUDO.iter().find(|p| p.0 == opcode);
    let has_arg = match pseudo {
        Some(p) => p.1,
        None => opcode >= i64::from(HAVE_ARGUMENT),
    };
    let oparg = if has_arg {
        if oparg.is_none() {
            return Err(
                vm.value_error("stack_effect: opcode requires oparg but oparg was not specified")
            );
        }
        // `PyLong_AsLong`, then kept in a C int (its low 32 bits).
        let long = match oparg.builtin_value() {
            Value::BigInt(_) => {
                return Err(vm.err("OverflowError", "Python int too large to convert to C long"))
            }
            _ => super::super::argspec::index(vm, &oparg)?,
        };
        i64::from(long as i32)
    } else if !oparg.is_none() {
        return Err(
            vm.value_error("stack_effect: opcode does not permit oparg but oparg was specified")
        );
    } else {
        0
    };
    // None: the larger of the two effects.
    let jump = match jump.unwrap_or(Value::None) {
        Value::None => None,
        Value::Bool(b) => Some(b),
        _ => return Err(vm.value_error("stack_effect: jump must be False, True or None")),
    };
    let invalid = || "invalid opcode or oparg";
    if let Some(&(_, _, plain, jumped)) = pseudo {
        // compile.c tests `jump ? …`: None (-1 there) counts as a jump.
        return Ok(Value::Int(if jump == Some(false) { plain } else { jumped }));
    }
    if INSTRUMENTED.contains(&opcode) {
        return Err(vm.unsupported("_opcode.stack_effect of an instrumented opcode"));
    }
    // RESERVED (17): defined, never emitted, with no stack effect.
    if opcode == 17 {
        return Ok(Value::Int(0));
    }
    // Numbers that are no base opcode are specialised forms or undefined: both invalid.
    let Some(op) = u8::try_from(opcode).ok().and_then(Opcode::from_u8) else {
        return Err(vm.value_error(invalid()));
    };
    // The table's effects are functions of an unsigned oparg; an effect that does not
    // depend on it is the same for any.
    let fixed = [0, 1, 2, 3].map(|a| op.stack_effect(a));
    let (popped, pushed) = match u32::try_from(oparg) {
        Ok(a) if a <= 0xffff => op.stack_effect(a),
        _ if fixed.iter().all(|e| *e == fixed[0]) => fixed[0],
        _ => return Err(vm.unsupported("_opcode.stack_effect with a negative or very large oparg")),
    };
    Ok(Value::Int(i64::from(pushed) - i64::from(popped)))
}

/// `_PyLong_AsInt`: an int (or `__index__`) that fits in a C int.
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    vm.c_int(v).map(i64::from)
}

fn get_specialization_stats(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_opcode", "get_specialization_stats", Style::NoArgs, &[], 0)
        .parse(vm, &args, 0)?;
    Ok(Value::None)
}
