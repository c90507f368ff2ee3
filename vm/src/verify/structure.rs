//! The checks of a code object's layout that do not depend on its instructions: what
//! CPython's `code.__new__` (`_PyCode_Validate`) and the frame set-up of
//! `_PyEvalFramePushAndInit` / `initialize_locals` take for granted.

use super::Problem;
use crate::code::{flags, kinds, CodeObject};

/// The kind bits 3.12 defines (`CO_FAST_HIDDEN`, `CO_FAST_LOCAL`, `CO_FAST_CELL`,
/// `CO_FAST_FREE`).
const KNOWN_KINDS: u8 =
    kinds::CO_FAST_HIDDEN | kinds::CO_FAST_LOCAL | kinds::CO_FAST_CELL | kinds::CO_FAST_FREE;

pub(super) fn check(code: &CodeObject) -> Result<(), Problem> {
    if code.co_code.is_empty() {
        return Err(Problem::whole("co_code is empty"));
    }
    if code.co_code.len() % 2 != 0 {
        return Err(Problem::whole(format!(
            "co_code has an odd length ({} bytes)",
            code.co_code.len()
        )));
    }
    let names = code.co_localsplusnames.len();
    if code.co_localspluskinds.len() != names {
        return Err(Problem::whole(format!(
            "co_localspluskinds has {} bytes for {} names",
            code.co_localspluskinds.len(),
            names
        )));
    }
    let mut seen_free = false;
    for (i, &kind) in code.co_localspluskinds.iter().enumerate() {
        let name = &code.co_localsplusnames[i];
        if kind & !KNOWN_KINDS != 0 {
            return Err(Problem::whole(format!(
                "slot {i} ({name}) has unknown kind bits {kind:#04x}"
            )));
        }
        let free = kind & kinds::CO_FAST_FREE != 0;
        if free && kind & (kinds::CO_FAST_LOCAL | kinds::CO_FAST_CELL) != 0 {
            return Err(Problem::whole(format!(
                "slot {i} ({name}) is free and also a local or cell ({kind:#04x})"
            )));
        }
        if !free && kind & (kinds::CO_FAST_LOCAL | kinds::CO_FAST_CELL) == 0 {
            return Err(Problem::whole(format!(
                "slot {i} ({name}) is neither a local, a cell nor a free variable ({kind:#04x})"
            )));
        }
        // COPY_FREE_VARS fills the last co_nfreevars slots (`offset = co_nlocalsplus -
        // oparg` in bytecodes.c), so the free variables come last.
        if seen_free && !free {
            return Err(Problem::whole(format!(
                "slot {i} ({name}) follows a free variable but is not one"
            )));
        }
        seen_free |= free;
    }
    // The arguments are the first slots (initialize_locals binds them in order).
    let varargs = u64::from(code.co_flags & flags::CO_VARARGS != 0);
    let varkw = u64::from(code.co_flags & flags::CO_VARKEYWORDS != 0);
    let args = u64::from(code.co_argcount) + u64::from(code.co_kwonlyargcount) + varargs + varkw;
    if args > names as u64 {
        return Err(Problem::whole(format!(
            "{args} argument slot(s) but {names} local slot(s)"
        )));
    }
    if code.co_posonlyargcount > code.co_argcount {
        return Err(Problem::whole(format!(
            "co_posonlyargcount {} above co_argcount {}",
            code.co_posonlyargcount, code.co_argcount
        )));
    }
    for (i, &kind) in code
        .co_localspluskinds
        .iter()
        .enumerate()
        .take(args as usize)
    {
        if kind & kinds::CO_FAST_LOCAL == 0 {
            return Err(Problem::whole(format!(
                "argument slot {i} ({}) is not a local ({kind:#04x})",
                code.co_localsplusnames[i]
            )));
        }
    }
    Ok(())
}
