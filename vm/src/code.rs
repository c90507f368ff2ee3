//! Code objects: the static half of execution (spec chapter `code`). The compiler produces
//! them, the evaluator runs them, `dis` prints them. Field names follow CPython 3.12's
//! `PyCodeObject` so the two can be compared attribute for attribute.
//!
//! The byte layouts here (`co_code`, `co_linetable`, `co_exceptiontable`) are CPython 3.12's
//! exactly; the decoders below are the only readers of them.

use std::rc::Rc;

use crate::opcode::{ArgKind, Opcode};

/// `co_flags` bits (CPython `Include/cpython/code.h`).
pub mod flags {
    pub const CO_OPTIMIZED: u32 = 0x0001;
    pub const CO_NEWLOCALS: u32 = 0x0002;
    pub const CO_VARARGS: u32 = 0x0004;
    pub const CO_VARKEYWORDS: u32 = 0x0008;
    pub const CO_NESTED: u32 = 0x0010;
    pub const CO_GENERATOR: u32 = 0x0020;
    pub const CO_NOFREE: u32 = 0x0040;
    pub const CO_COROUTINE: u32 = 0x0080;
    pub const CO_ITERABLE_COROUTINE: u32 = 0x0100;
    pub const CO_ASYNC_GENERATOR: u32 = 0x0200;
}

/// `co_localspluskinds` bits (CPython `Include/internal/pycore_code.h`).
pub mod kinds {
    pub const CO_FAST_HIDDEN: u8 = 0x10;
    pub const CO_FAST_LOCAL: u8 = 0x20;
    pub const CO_FAST_CELL: u8 = 0x40;
    pub const CO_FAST_FREE: u8 = 0x80;
}

/// A compile-time constant, as found in `co_consts`.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    Ellipsis,
    Bool(bool),
    Int(i64),
    /// An int beyond 64 bits (never one that fits: folding normalises).
    BigInt(Rc<num_bigint::BigInt>),
    Float(f64),
    /// A complex number, real then imaginary part (an imaginary literal, or what
    /// `ast_opt.c` folds from one).
    Complex(f64, f64),
    Str(Rc<str>),
    /// A str holding lone surrogates, in [`crate::surrogate_str`]'s extended UTF-8
    /// (never valid UTF-8: a str without them is `Str`).
    StrSurrogates(Rc<[u8]>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Constant]>),
    /// A frozenset (a constant set display, or one CPython's AST optimiser made of `x in
    /// {…}` or `for x in {…}`): its elements in the order they were added to the frozenset
    /// object the code holds, so adding them in this order rebuilds CPython's table (see
    /// `compile::expr` for how that order arises).
    FrozenSet(Rc<[Constant]>),
    Code(Rc<CodeObject>),
}

/// An immutable code object (CPython `PyCodeObject`).
#[derive(Debug, PartialEq)]
pub struct CodeObject {
    pub co_name: Rc<str>,
    pub co_qualname: Rc<str>,
    pub co_filename: Rc<str>,
    pub co_firstlineno: u32,
    pub co_argcount: u32,
    pub co_posonlyargcount: u32,
    pub co_kwonlyargcount: u32,
    pub co_flags: u32,
    /// Maximum depth of the value stack.
    pub co_stacksize: u32,
    /// Two bytes per code unit: opcode, oparg; inline caches are CACHE units with oparg 0.
    pub co_code: Vec<u8>,
    pub co_consts: Vec<Constant>,
    pub co_names: Vec<Rc<str>>,
    /// Names of locals, then cells that are not arguments, then free variables.
    pub co_localsplusnames: Vec<Rc<str>>,
    /// One byte per `co_localsplusnames` entry, from [`kinds`].
    pub co_localspluskinds: Vec<u8>,
    /// The location table (CPython `Objects/locations.md`, 3.12 format).
    pub co_linetable: Vec<u8>,
    /// The exception table (CPython `Objects/exception_handling_notes.txt`, 3.12 format).
    pub co_exceptiontable: Vec<u8>,
}

impl CodeObject {
    /// The fields CPython's `code_richcompare` compares, but for `co_consts`, are equal:
    /// only when one of them differs can the VM say two code objects differ
    /// (`co_qualname`, `co_filename` and `co_stacksize` are not compared by CPython either).
    pub fn fields_equal_but_consts(&self, y: &CodeObject) -> bool {
        self.co_name == y.co_name
            && self.co_argcount == y.co_argcount
            && self.co_posonlyargcount == y.co_posonlyargcount
            && self.co_kwonlyargcount == y.co_kwonlyargcount
            && self.co_flags == y.co_flags
            && self.co_firstlineno == y.co_firstlineno
            && self.co_code == y.co_code
            && self.co_names == y.co_names
            && self.co_localsplusnames == y.co_localsplusnames
            && self.co_linetable == y.co_linetable
            && self.co_exceptiontable == y.co_exceptiontable
    }
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Offset in code units of the instruction itself (after any EXTENDED_ARG prefixes).
    pub index: usize,
    /// Offset in code units of the first EXTENDED_ARG prefix, or `index` when there is none.
    pub start: usize,
    pub opcode: Opcode,
    /// The full oparg, EXTENDED_ARG prefixes folded in.
    pub arg: u32,
}

impl Instruction {
    /// Index of the code unit after this instruction and its caches.
    #[inline]
    pub fn next_index(&self) -> usize {
        self.index + 1 + self.opcode.cache_entries()
    }

    /// The code unit this jump instruction names; see [`jump_target`].
    #[inline(always)]
    pub fn jump_target(&self) -> Option<usize> {
        jump_target(self.opcode, self.index, self.arg)
    }
}

/// CPython 3.12's jump rule: the code unit a jump instruction at unit `index` with oparg
/// `arg` names, counted from the unit after its inline caches, forward by `arg` units, or
/// backward for JUMP_BACKWARD and JUMP_BACKWARD_NO_INTERRUPT (`IS_BACKWARDS_JUMP_OPCODE`
/// in `pycore_opcode_utils.h`; `dis` checks for "JUMP_BACKWARD" in the name). `dis` prints
/// twice it as "to N" and marks it `>>`. FOR_ITER names its loop's END_FOR (when the
/// iterator is exhausted, `bytecodes.c` jumps there plus one, skipping it) and SEND names
/// its END_SEND (which it jumps to). `None` for an instruction that is not a jump
/// ([`ArgKind::Jump`]) and for a backward jump before the start of the code.
#[inline(always)]
pub fn jump_target(opcode: Opcode, index: usize, arg: u32) -> Option<usize> {
    if opcode.arg_kind() != ArgKind::Jump {
        return None;
    }
    let next = index + 1 + opcode.cache_entries();
    if opcode.is_backward_jump() {
        next.checked_sub(arg as usize)
    } else {
        next.checked_add(arg as usize)
    }
}

/// The inverse of [`jump_target`], for the assembler (`resolve_jump_offsets` in
/// `flowgraph.c`): the oparg that makes the jump instruction `opcode` at unit `index` land
/// on `target`. `None` when `target` lies the other way from the opcode's direction (a
/// forward jump cannot go back, nor a backward one forward).
pub fn jump_oparg(opcode: Opcode, index: usize, target: usize) -> Option<u32> {
    let next = index + 1 + opcode.cache_entries();
    let distance = if opcode.is_backward_jump() {
        next.checked_sub(target)?
    } else {
        target.checked_sub(next)?
    };
    u32::try_from(distance).ok()
}

/// One code unit as the decoder walks `co_code`, inline CACHE units skipped (CPython 3.12
/// `dis._unpack_opargs`): each EXTENDED_ARG prefix is a unit of its own, and a byte that is
/// not a 3.12 base opcode is a unit with no opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Offset in code units.
    pub index: usize,
    /// The opcode byte as stored.
    pub byte: u8,
    /// `None` for a byte 3.12 does not define as a base opcode.
    pub opcode: Option<Opcode>,
    /// The oparg with the preceding EXTENDED_ARG prefixes folded in: for an EXTENDED_ARG
    /// unit the value accumulated so far, as `dis` prints it. Meaningful only for opcodes
    /// that take an argument ([`Opcode::has_arg`]).
    pub arg: u32,
}

impl Unit {
    /// Reads code unit `index` of `code`, with `extended` the oparg bits the EXTENDED_ARG
    /// prefixes before it carry: the one reader of the `co_code` layout (two bytes per
    /// unit, opcode then oparg; each EXTENDED_ARG shifts its accumulated oparg left by
    /// eight into the next unit). `None` past the end.
    #[inline(always)]
    fn read(code: &[u8], index: usize, extended: u32) -> Option<Unit> {
        let byte = *code.get(2 * index)?;
        let oparg = *code.get(2 * index + 1)?;
        Some(Unit {
            index,
            byte,
            opcode: Opcode::from_u8(byte),
            arg: u32::from(oparg) | extended,
        })
    }

    /// The oparg bits this unit carries into the next: its oparg for an EXTENDED_ARG.
    #[inline(always)]
    fn carried(&self) -> u32 {
        match self.opcode {
            Some(Opcode::EXTENDED_ARG) => self.arg << 8,
            _ => 0,
        }
    }

    /// The code unit this unit names if it is a jump; see [`jump_target`].
    pub fn jump_target(&self) -> Option<usize> {
        jump_target(self.opcode?, self.index, self.arg)
    }
}

/// The walk over `co_code`: the [`Unit`]s from a starting unit to the end, each read by
/// `Unit::read` (as [`CodeObject::decode_at`] reads the evaluator's instructions), so
/// `dis`, the line-start pass and the tests see the bytes exactly as the evaluator does.
#[derive(Clone, Debug)]
pub struct Units<'a> {
    code: &'a [u8],
    next: usize,
    /// The oparg bits carried by EXTENDED_ARG prefixes into the next unit.
    extended: u32,
}

impl Iterator for Units<'_> {
    type Item = Unit;

    #[inline]
    fn next(&mut self) -> Option<Unit> {
        let unit = Unit::read(self.code, self.next, self.extended)?;
        self.extended = unit.carried();
        self.next = unit.index + 1 + unit.opcode.map_or(0, Opcode::cache_entries);
        Some(unit)
    }
}

/// A source range; 0-based columns in UTF-8 bytes, as CPython's `co_positions()` gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub line: Option<u32>,
    pub end_line: Option<u32>,
    pub col: Option<u32>,
    pub end_col: Option<u32>,
}

/// Writes one exception-table entry from its four fields (start, size, target,
/// `depth << 1 | lasti`, in code units) in 3.12's encoding: the compiler's writer
/// (`assemble_emit_exception_table_entry`), for the assembler, the fuzzer and the tests.
pub fn write_exception_entry(out: &mut Vec<u8>, fields: [usize; 4]) {
    let [start, size, target, depth_lasti] = fields;
    crate::compile::assemble::write_except_item(out, start, 1 << 7);
    for value in [size, target, depth_lasti] {
        crate::compile::assemble::write_except_item(out, value, 0);
    }
}

/// One entry of the exception table, in code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionEntry {
    pub start: usize,
    /// Exclusive end.
    pub end: usize,
    pub target: usize,
    pub depth: usize,
    pub lasti: bool,
}

impl CodeObject {
    /// This code object and every one nested in its constants with `co_filename` set to
    /// `filename`, as `update_code_filenames` in CPython's `Python/import.c` rewrites them.
    pub fn with_filename(&self, filename: &Rc<str>) -> CodeObject {
        let consts = self
            .co_consts
            .iter()
            .map(|c| match c {
                Constant::Code(inner) => Constant::Code(Rc::new(inner.with_filename(filename))),
                other => other.clone(),
            })
            .collect();
        CodeObject {
            co_name: self.co_name.clone(),
            co_qualname: self.co_qualname.clone(),
            co_filename: filename.clone(),
            co_firstlineno: self.co_firstlineno,
            co_argcount: self.co_argcount,
            co_posonlyargcount: self.co_posonlyargcount,
            co_kwonlyargcount: self.co_kwonlyargcount,
            co_flags: self.co_flags,
            co_stacksize: self.co_stacksize,
            co_code: self.co_code.clone(),
            co_consts: consts,
            co_names: self.co_names.clone(),
            co_localsplusnames: self.co_localsplusnames.clone(),
            co_localspluskinds: self.co_localspluskinds.clone(),
            co_linetable: self.co_linetable.clone(),
            co_exceptiontable: self.co_exceptiontable.clone(),
        }
    }

    /// The number of free variables (CPython `co_nfreevars`).
    pub fn nfree(&self) -> usize {
        self.co_localspluskinds
            .iter()
            .filter(|k| **k & kinds::CO_FAST_FREE != 0)
            .count()
    }

    /// Number of code units.
    pub fn len_units(&self) -> usize {
        self.co_code.len() / 2
    }

    /// The units from the start of the code (see [`Units`]).
    pub fn units(&self) -> Units<'_> {
        self.units_from(0)
    }

    /// The units from code unit `start` on, which should be where an instruction or its
    /// first EXTENDED_ARG prefix starts.
    pub fn units_from(&self, start: usize) -> Units<'_> {
        Units {
            code: &self.co_code,
            next: start,
            extended: 0,
        }
    }

    /// Decodes the instruction that starts at code unit `start` (which may be an
    /// EXTENDED_ARG prefix). `None` if the bytes are not a valid 3.12 base instruction.
    #[inline]
    pub fn decode_at(&self, start: usize) -> Option<Instruction> {
        let mut unit = Unit::read(&self.co_code, start, 0)?;
        loop {
            match unit.opcode? {
                Opcode::EXTENDED_ARG => {
                    unit = Unit::read(&self.co_code, unit.index + 1, unit.carried())?;
                }
                opcode => {
                    return Some(Instruction {
                        index: unit.index,
                        start,
                        opcode,
                        arg: unit.arg,
                    })
                }
            }
        }
    }

    /// Every instruction in order (CACHE units skipped). Stops at the first undecodable unit.
    pub fn instructions(&self) -> Vec<Instruction> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.len_units() {
            match self.decode_at(i) {
                Some(ins) => {
                    i = ins.next_index();
                    out.push(ins);
                }
                None => break,
            }
        }
        out
    }

    /// The position of every code unit (CPython `co_positions()`), decoded from `co_linetable`.
    pub fn positions(&self) -> Vec<Position> {
        let mut out = Vec::with_capacity(self.len_units());
        let mut line = i64::from(self.co_firstlineno);
        let table = &self.co_linetable;
        let mut i = 0;
        while i < table.len() {
            let first = table[i];
            i += 1;
            let code = (first >> 3) & 15;
            let length = usize::from(first & 7) + 1;
            let pos = match code {
                15 => Position::default(),
                14 => {
                    line += read_svarint(table, &mut i);
                    let end_line = line + read_varint(table, &mut i) as i64;
                    let col = read_varint(table, &mut i);
                    let end_col = read_varint(table, &mut i);
                    Position {
                        line: to_line(line),
                        end_line: to_line(end_line),
                        col: col.checked_sub(1),
                        end_col: end_col.checked_sub(1),
                    }
                }
                13 => {
                    line += read_svarint(table, &mut i);
                    Position {
                        line: to_line(line),
                        end_line: to_line(line),
                        col: None,
                        end_col: None,
                    }
                }
                10..=12 => {
                    line += i64::from(code) - 10;
                    let col = table.get(i).copied().map(u32::from);
                    let end_col = table.get(i + 1).copied().map(u32::from);
                    i += 2;
                    Position {
                        line: to_line(line),
                        end_line: to_line(line),
                        col,
                        end_col,
                    }
                }
                _ => {
                    let second = u32::from(table.get(i).copied().unwrap_or(0));
                    i += 1;
                    let col = u32::from(code) * 8 + ((second >> 4) & 7);
                    Position {
                        line: to_line(line),
                        end_line: to_line(line),
                        col: Some(col),
                        end_col: Some(col + (second & 15)),
                    }
                }
            };
            for _ in 0..length {
                out.push(pos);
            }
        }
        out.resize(self.len_units(), Position::default());
        out
    }

    /// The line of each code unit (CPython `PyCode_Addr2Line`), `None` where there is none.
    pub fn lines(&self) -> Vec<Option<u32>> {
        self.positions().into_iter().map(|p| p.line).collect()
    }

    /// The decoded exception table.
    pub fn exception_entries(&self) -> Vec<ExceptionEntry> {
        let table = &self.co_exceptiontable;
        let mut out = Vec::new();
        let mut i = 0;
        while i < table.len() {
            let start = read_except_varint(table, &mut i);
            let size = read_except_varint(table, &mut i);
            let target = read_except_varint(table, &mut i);
            let depth_lasti = read_except_varint(table, &mut i);
            out.push(ExceptionEntry {
                start,
                end: start.saturating_add(size),
                target,
                depth: depth_lasti >> 1,
                lasti: depth_lasti & 1 == 1,
            });
        }
        out
    }

    /// The exception table read strictly, as CPython's `_PyCode_Validate` has no checks
    /// for and its unwinding (`get_exception_handler`) assumes: every entry four varints,
    /// the first byte of each entry marked with 0x80 and no other, no value wider than
    /// 30 bits, the table not ending inside an entry (where the entries point is the
    /// verifier's to check). `Err` has the byte offset of the fault
    /// in `co_exceptiontable` and what it is.
    pub fn checked_exception_entries(&self) -> Result<Vec<ExceptionEntry>, (usize, String)> {
        let table = &self.co_exceptiontable;
        let mut out = Vec::new();
        let mut i = 0;
        while i < table.len() {
            if table[i] & 0x80 == 0 {
                return Err((i, "an entry does not start with a marked byte".to_owned()));
            }
            let mut fields = [0usize; 4];
            for (n, field) in fields.iter_mut().enumerate() {
                let at = i;
                *field = read_except_varint(table, &mut i);
                let bytes = &table[at..i];
                let last = bytes.last().copied().unwrap_or(0x40);
                if last & 0x40 != 0 {
                    return Err((at, "the table ends inside an entry".to_owned()));
                }
                if bytes
                    .iter()
                    .skip(usize::from(n == 0))
                    .any(|b| b & 0x80 != 0)
                {
                    return Err((at, "a marked byte inside an entry".to_owned()));
                }
                // Six bits a byte: more than five bytes cannot be an offset into co_code.
                if bytes.len() > 5 {
                    return Err((at, "a value too large for an offset".to_owned()));
                }
            }
            let [start, size, target, depth_lasti] = fields;
            out.push(ExceptionEntry {
                start,
                end: start + size,
                target,
                depth: depth_lasti >> 1,
                lasti: depth_lasti & 1 == 1,
            });
        }
        Ok(out)
    }

    /// The handler covering code unit `index`, if any (see [`find_handler`]).
    pub fn handler_for(&self, index: usize) -> Option<ExceptionEntry> {
        find_handler(&self.co_exceptiontable, index)
    }
}

/// The handler covering code unit `index` in the exception table `table`, found as
/// CPython's get_exception_handler (Python/ceval.c) finds it, since a hand-written table
/// may be unsorted or have overlapping entries (spec: bytecode.exception-table.overlap):
/// a table over 40 bytes (MAX_LINEAR_SEARCH) is first narrowed by bisection on the
/// entries' starts (which assumes them sorted), then read in order from there: the first
/// entry whose range holds `index` wins, and the scan gives up at the first entry that
/// starts after `index`.
pub fn find_handler(table: &[u8], index: usize) -> Option<ExceptionEntry> {
    const MAX_LINEAR_SEARCH: usize = 40;
    let mut start = 0;
    let mut end = table.len();
    if end > MAX_LINEAR_SEARCH {
        let mut i = 0;
        if read_except_varint(table, &mut i) > index {
            return None;
        }
        while end - start > MAX_LINEAR_SEARCH {
            // scan_back_to_entry_start: an entry's first byte has bit 7 set.
            let mut mid = start + ((end - start) >> 1);
            while mid > start && table.get(mid).is_some_and(|b| b & 128 == 0) {
                mid -= 1;
            }
            if mid == start {
                break; // an entry longer than half the range: no well-formed table has one
            }
            let mut i = mid;
            if read_except_varint(table, &mut i) > index {
                end = mid;
            } else {
                start = mid;
            }
        }
    }
    let mut scan = start;
    while scan < end {
        let entry_start = read_except_varint(table, &mut scan);
        if entry_start > index {
            break;
        }
        let size = read_except_varint(table, &mut scan);
        let target = read_except_varint(table, &mut scan);
        let depth_lasti = read_except_varint(table, &mut scan);
        if entry_start + size > index {
            return Some(ExceptionEntry {
                start: entry_start,
                end: entry_start + size,
                target,
                depth: depth_lasti >> 1,
                lasti: depth_lasti & 1 == 1,
            });
        }
    }
    None
}

fn to_line(line: i64) -> Option<u32> {
    u32::try_from(line).ok()
}

/// Location-table varint: little-endian 6-bit chunks, 0x40 marks "more follows".
fn read_varint(table: &[u8], i: &mut usize) -> u32 {
    let mut value: u32 = 0;
    let mut shift = 0;
    while let Some(&byte) = table.get(*i) {
        *i += 1;
        value |= u32::from(byte & 63).checked_shl(shift).unwrap_or(0);
        shift += 6;
        if byte & 64 == 0 {
            break;
        }
    }
    value
}

/// Location-table signed varint: the low bit carries the sign.
fn read_svarint(table: &[u8], i: &mut usize) -> i64 {
    let raw = read_varint(table, i);
    let magnitude = i64::from(raw >> 1);
    if raw & 1 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

/// Exception-table varint: big-endian 6-bit chunks, 0x40 marks "more follows", 0x80 marks
/// the first byte of an entry.
fn read_except_varint(table: &[u8], i: &mut usize) -> usize {
    let mut value: usize = 0;
    while let Some(&byte) = table.get(*i) {
        *i += 1;
        value = (value << 6) | usize::from(byte & 63);
        if byte & 64 == 0 {
            break;
        }
    }
    value
}
