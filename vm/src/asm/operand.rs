//! The words a listing uses for numbers that are codes: BINARY_OP's operators,
//! COMPARE_OP's comparisons, the intrinsics, `co_flags` bits and localsplus kinds — each
//! table read both ways, so what [`super::print`] writes [`super::parse`] reads.

use crate::code::{flags, kinds};
use crate::oparg::{BinaryOp, CompareOp, Intrinsic1, Intrinsic2};
use crate::opcode::Opcode;

/// The symbol of a numeric oparg that is a code, when there is one that reads back as it.
pub(super) fn symbol(op: Opcode, arg: u32) -> Option<String> {
    match op {
        Opcode::BINARY_OP => BinaryOp::dis(arg).map(str::to_owned),
        Opcode::COMPARE_OP => CompareOp::from_oparg(arg)
            .filter(|c| c.oparg() == arg)
            .map(|c| c.symbol().to_owned()),
        Opcode::CALL_INTRINSIC_1 => Intrinsic1::from_oparg(arg).map(|i| i.name().to_owned()),
        Opcode::CALL_INTRINSIC_2 => Intrinsic2::from_oparg(arg).map(|i| i.name().to_owned()),
        _ => None,
    }
}

/// The oparg a symbol stands for at `op`.
pub(super) fn from_symbol(op: Opcode, word: &str) -> Option<u32> {
    match op {
        Opcode::BINARY_OP => (0..26).find(|&a| BinaryOp::dis(a) == Some(word)),
        Opcode::COMPARE_OP => CompareOp::ALL
            .iter()
            .find(|c| c.symbol() == word)
            .map(|c| c.oparg()),
        Opcode::CALL_INTRINSIC_1 => Intrinsic1::ALL
            .iter()
            .find(|i| i.name() == word)
            .map(|&i| i as u32),
        Opcode::CALL_INTRINSIC_2 => Intrinsic2::ALL
            .iter()
            .find(|i| i.name() == word)
            .map(|&i| i as u32),
        _ => None,
    }
}

/// `co_flags` bits by name (`CO_*` without the prefix), as `dis.COMPILER_FLAG_NAMES`.
const FLAG_NAMES: [(u32, &str); 10] = [
    (flags::CO_OPTIMIZED, "OPTIMIZED"),
    (flags::CO_NEWLOCALS, "NEWLOCALS"),
    (flags::CO_VARARGS, "VARARGS"),
    (flags::CO_VARKEYWORDS, "VARKEYWORDS"),
    (flags::CO_NESTED, "NESTED"),
    (flags::CO_GENERATOR, "GENERATOR"),
    (flags::CO_NOFREE, "NOFREE"),
    (flags::CO_COROUTINE, "COROUTINE"),
    (flags::CO_ITERABLE_COROUTINE, "ITERABLE_COROUTINE"),
    (flags::CO_ASYNC_GENERATOR, "ASYNC_GENERATOR"),
];

/// `OPTIMIZED|NEWLOCALS`, other bits (future features) as one hex number, `0` for none.
pub(super) fn show_flags(value: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = value;
    for (bit, name) in FLAG_NAMES {
        if value & bit != 0 {
            parts.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        "0".to_owned()
    } else {
        parts.join("|")
    }
}

/// The inverse of [`show_flags`] (names and numbers joined by `|`).
pub(super) fn read_flags(text: &str) -> Result<u32, String> {
    let mut value = 0;
    for part in text.split('|').map(str::trim) {
        value |= match FLAG_NAMES.iter().find(|(_, n)| *n == part) {
            Some((bit, _)) => *bit,
            None => number(part).ok_or_else(|| format!("not a code flag: {part}"))?,
        };
    }
    Ok(value)
}

const KIND_NAMES: [(u8, &str); 4] = [
    (kinds::CO_FAST_LOCAL, "local"),
    (kinds::CO_FAST_CELL, "cell"),
    (kinds::CO_FAST_FREE, "free"),
    (kinds::CO_FAST_HIDDEN, "hidden"),
];

/// A localsplus kind: `local`, `cell`, `free`, `hidden`, joined by `+` (`local+cell` is
/// an argument that is a cell); any other bits in hex.
pub(super) fn show_kind(kind: u8) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = kind;
    for (bit, name) in KIND_NAMES {
        if kind & bit != 0 {
            parts.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 || parts.is_empty() {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("+")
}

/// The inverse of [`show_kind`].
pub(super) fn read_kind(text: &str) -> Result<u8, String> {
    let mut value = 0u8;
    for part in text.split('+') {
        value |= match KIND_NAMES.iter().find(|(_, n)| *n == part) {
            Some((bit, _)) => *bit,
            None => number(part)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| format!("not a localsplus kind: {part}"))?,
        };
    }
    Ok(value)
}

/// A decimal or `0x` number.
pub(super) fn number(text: &str) -> Option<u32> {
    match text.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
