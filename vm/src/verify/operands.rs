//! The operand of one instruction, checked against what 3.12's `bytecodes.c` indexes or
//! decodes with it: `co_consts`, `co_names` and the local slots by index, and the opargs
//! that are codes (`crate::oparg`'s tables). Checks that need the stack or the flow (the
//! cells made so far, the value COPY reaches) are `flow`'s.

use crate::code::{kinds, CodeObject, Constant, Instruction};
use crate::oparg::{
    format_value, make_function, resume, BinaryOp, CompareOp, Intrinsic1, Intrinsic2, NameArg,
    SuperAttrArg,
};
use crate::opcode::{ArgKind, Opcode};

/// What a local-slot operand must name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SlotUse {
    /// LOAD_FAST and its kin: a slot that holds a value (a local, or a cell variable's
    /// slot, which the inlined comprehensions of PEP 709 save and restore).
    Fast,
    /// LOAD_DEREF and its kin: a cell or free variable.
    Deref,
    /// MAKE_CELL: a cell variable, or a free variable that an inlined comprehension
    /// binds in a cell of its own (3.12 emits that for a comprehension inside a PEP 695
    /// scope rebinding the outer name: test_type_params's test_comprehension_02).
    MakeCell,
}

/// The slot use of an instruction with a local-slot operand.
pub(super) fn slot_use(op: Opcode) -> Option<SlotUse> {
    use Opcode as O;
    match op {
        O::LOAD_FAST
        | O::LOAD_FAST_CHECK
        | O::LOAD_FAST_AND_CLEAR
        | O::STORE_FAST
        | O::DELETE_FAST => Some(SlotUse::Fast),
        O::LOAD_DEREF
        | O::STORE_DEREF
        | O::DELETE_DEREF
        | O::LOAD_CLOSURE
        | O::LOAD_FROM_DICT_OR_DEREF => Some(SlotUse::Deref),
        O::MAKE_CELL => Some(SlotUse::MakeCell),
        _ => None,
    }
}

/// Checks the operand of `ins`; `Err` says what is wrong.
pub(super) fn check(code: &CodeObject, ins: &Instruction) -> Result<(), String> {
    use Opcode as O;
    let arg = ins.arg;
    let nconsts = code.co_consts.len();
    let nnames = code.co_names.len();
    let name = |index: u32| -> Result<(), String> {
        if (index as usize) < nnames {
            Ok(())
        } else {
            Err(format!(
                "name index {index} out of range (co_names has {nnames})"
            ))
        }
    };
    match ins.opcode.arg_kind() {
        ArgKind::Const if arg as usize >= nconsts => {
            return Err(format!(
                "constant index {arg} out of range (co_consts has {nconsts})"
            ));
        }
        ArgKind::Name => match ins.opcode {
            O::LOAD_GLOBAL | O::LOAD_ATTR => name(NameArg::decode(arg).name)?,
            O::LOAD_SUPER_ATTR => name(SuperAttrArg::decode(arg).name)?,
            _ => name(arg)?,
        },
        ArgKind::Local | ArgKind::Free => {
            if let Some(usage) = slot_use(ins.opcode) {
                check_slot(code, arg, usage)?;
            }
        }
        _ => {}
    }
    let at_most = |max: u32, what: &str| -> Result<(), String> {
        if arg <= max {
            Ok(())
        } else {
            Err(format!("{what} {arg} out of range (0..={max})"))
        }
    };
    match ins.opcode {
        O::CACHE => return Err("a CACHE unit is executed".to_owned()),
        O::INTERPRETER_EXIT => {
            return Err("INTERPRETER_EXIT belongs to CPython's entry frame, not to code".into())
        }
        // The base instruction reads `oparg >> 4`; the specialised forms read the mask in
        // the low bits (COMPARE_OP_INT: `oparg & 0xf`), so only the compiler's pairing runs
        // alike under both.
        O::COMPARE_OP => match CompareOp::from_oparg(arg) {
            Some(op) if arg & 0xF == op.mask() && arg >> 4 < 6 => {}
            Some(op) => {
                return Err(format!(
                    "comparison {} with mask {:#x} (the compiler's is {:#x})",
                    op.symbol(),
                    arg & 0xF,
                    op.mask()
                ))
            }
            None => return Err(format!("comparison {} out of range (0..=5)", arg >> 4)),
        },
        O::BINARY_OP if BinaryOp::from_oparg(arg).is_none() => {
            return Err(format!("binary operator {arg} out of range (0..=25)"))
        }
        O::CALL_INTRINSIC_1 => match Intrinsic1::from_oparg(arg) {
            Some(Intrinsic1::Invalid) | None => {
                return Err(format!("no one-argument intrinsic function {arg}"))
            }
            Some(_) => {}
        },
        O::CALL_INTRINSIC_2 => match Intrinsic2::from_oparg(arg) {
            Some(Intrinsic2::Invalid) | None => {
                return Err(format!("no two-argument intrinsic function {arg}"))
            }
            Some(_) => {}
        },
        O::FORMAT_VALUE => at_most(
            format_value::FVC_MASK | format_value::FVS_HAVE_SPEC,
            "FORMAT_VALUE flags",
        )?,
        O::MAKE_FUNCTION => at_most(
            make_function::DEFAULTS
                | make_function::KWDEFAULTS
                | make_function::ANNOTATIONS
                | make_function::CLOSURE,
            "MAKE_FUNCTION flags",
        )?,
        O::RAISE_VARARGS => at_most(2, "RAISE_VARARGS form")?,
        O::RESUME => at_most(resume::AFTER_AWAIT, "RESUME kind")?,
        O::IS_OP | O::CONTAINS_OP => at_most(1, "inversion flag")?,
        O::CALL_FUNCTION_EX => at_most(1, "keyword-dict flag")?,
        O::GET_AWAITABLE => at_most(2, "awaitable source")?,
        O::BUILD_SLICE if arg != 2 && arg != 3 => {
            return Err(format!("slice of {arg} values (2 or 3)"))
        }
        // (list, unused[oparg-1], v -- list, unused[oparg-1]) and the like: the container
        // is below the operand.
        O::LIST_APPEND
        | O::SET_ADD
        | O::MAP_ADD
        | O::LIST_EXTEND
        | O::SET_UPDATE
        | O::DICT_MERGE
        | O::DICT_UPDATE
        | O::COPY
            if arg == 0 =>
        {
            return Err("depth 0 (the operand itself)".to_owned())
        }
        O::SWAP if arg < 2 => return Err(format!("SWAP {arg} (at least 2)")),
        O::COPY_FREE_VARS => {
            let n = code.nfree();
            if arg as usize != n {
                return Err(format!("copies {arg} free variable(s), the code has {n}"));
            }
        }
        O::KW_NAMES => match code.co_consts.get(arg as usize) {
            Some(Constant::Tuple(items)) if items.iter().all(|i| matches!(i, Constant::Str(_))) => {
            }
            _ => return Err(format!("constant {arg} is not a tuple of str")),
        },
        _ => {}
    }
    Ok(())
}

fn check_slot(code: &CodeObject, arg: u32, usage: SlotUse) -> Result<(), String> {
    let n = code.co_localspluskinds.len();
    let Some(&kind) = code.co_localspluskinds.get(arg as usize) else {
        return Err(format!(
            "local index {arg} out of range ({n} local slot(s))"
        ));
    };
    let name = &code.co_localsplusnames[arg as usize];
    let ok = match usage {
        SlotUse::Fast => kind & (kinds::CO_FAST_LOCAL | kinds::CO_FAST_CELL) != 0,
        SlotUse::Deref => kind & (kinds::CO_FAST_CELL | kinds::CO_FAST_FREE) != 0,
        SlotUse::MakeCell => kind & (kinds::CO_FAST_CELL | kinds::CO_FAST_FREE) != 0,
    };
    if ok {
        return Ok(());
    }
    let wanted = match usage {
        SlotUse::Fast => "a local",
        SlotUse::Deref => "a cell or free variable",
        SlotUse::MakeCell => "a cell or free variable",
    };
    Err(format!(
        "slot {arg} ({name}) is not {wanted} (kind {kind:#04x})"
    ))
}
