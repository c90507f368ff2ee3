//! Assembly, after CPython 3.12's `Python/assemble.c` and `resolve_jump_offsets` in
//! `flowgraph.c`: jump offsets (iterated until EXTENDED_ARG prefixes settle), the code
//! bytes with zeroed inline caches, the location table (`Objects/locations.md`) and the
//! exception table (`Objects/exception_handling_notes.txt`).

use std::rc::Rc;

use super::cfg::Cfg;
use super::{CompileError, Instr, Loc};
use crate::code::{jump_oparg, CodeObject, Constant};
use crate::opcode::Opcode;

pub(crate) struct Input<'a> {
    pub cfg: &'a Cfg,
    pub consts: Vec<Constant>,
    pub names: Vec<Rc<str>>,
    pub localsplusnames: Vec<Rc<str>>,
    pub localspluskinds: Vec<u8>,
    pub name: Rc<str>,
    pub qualname: Rc<str>,
    pub filename: Rc<str>,
    pub firstlineno: i32,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub flags: u32,
    pub stacksize: u32,
}

/// `instr_size`: EXTENDED_ARG prefixes + the instruction + its caches, in code units.
pub(crate) fn instr_size(op: Opcode, arg: u32) -> usize {
    let ext = if arg > 0xFF_FFFF {
        3
    } else if arg > 0xFFFF {
        2
    } else if arg > 0xFF {
        1
    } else {
        0
    };
    ext + 1 + op.cache_entries()
}

fn real(i: &Instr) -> Opcode {
    i.op.real().unwrap_or(Opcode::NOP)
}

pub(crate) fn assemble(input: Input) -> Result<Rc<CodeObject>, CompileError> {
    let cfg = input.cfg;
    let order = cfg.order();
    for &b in &order {
        for i in &cfg.blocks[b].instrs {
            if i.op.real().is_none() {
                return Err(super::unsupported(
                    "pseudo-instruction left after optimisation (compiler bug)",
                    i.loc,
                ));
            }
        }
    }
    // resolve_jump_offsets
    let mut instrs: Vec<Vec<Instr>> = order
        .iter()
        .map(|&b| cfg.blocks[b].instrs.clone())
        .collect();
    let mut block_pos = vec![usize::MAX; cfg.blocks.len()];
    for (k, &b) in order.iter().enumerate() {
        block_pos[b] = k;
    }
    let mut offsets = vec![0usize; order.len() + 1];
    for _round in 0..64 {
        let mut total = 0;
        for (k, block) in instrs.iter().enumerate() {
            offsets[k] = total;
            total += block
                .iter()
                .map(|i| instr_size(real(i), i.arg))
                .sum::<usize>();
        }
        offsets[order.len()] = total;
        let mut changed = false;
        for (k, block) in instrs.iter_mut().enumerate() {
            let mut off = offsets[k];
            for ins in block.iter_mut() {
                let op = real(ins);
                let old_size = instr_size(op, ins.arg);
                off += old_size;
                if ins.op.is_jump() {
                    let target = block_pos
                        .get(ins.target)
                        .and_then(|&p| offsets.get(p))
                        .copied()
                        .unwrap_or(0);
                    let index = off - 1 - op.cache_entries();
                    let Some(arg) = jump_oparg(op, index, target) else {
                        return Err(super::unsupported(
                            &format!("{} to a target the other way (compiler bug)", op.name()),
                            ins.loc,
                        ));
                    };
                    ins.arg = arg;
                    if instr_size(op, ins.arg) != old_size {
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }

    // Code bytes and the per-unit view used by the tables.
    let mut code = Vec::new();
    let mut linetable = Vec::new();
    let mut lt = LineTable {
        out: &mut linetable,
        lineno: input.firstlineno,
        columns: !super::no_debug_ranges(),
    };
    let mut cur_loc = Loc::NONE;
    let mut cur_size = 0usize;
    let mut except_entries: Vec<(usize, usize, usize, usize, bool)> = Vec::new();
    let mut cur_handler: Option<usize> = None;
    let mut handler_start = 0usize;
    let mut offset = 0usize;
    for block in &instrs {
        for ins in block {
            let op = real(ins);
            let size = instr_size(op, ins.arg);
            // Bytes.
            let arg = ins.arg;
            let shifts: &[u32] = match size - 1 - op.cache_entries() {
                3 => &[24, 16, 8],
                2 => &[16, 8],
                1 => &[8],
                _ => &[],
            };
            for s in shifts {
                code.push(Opcode::EXTENDED_ARG as u8);
                code.push(((arg >> s) & 0xFF) as u8);
            }
            code.push(op as u8);
            code.push((arg & 0xFF) as u8);
            for _ in 0..op.cache_entries() {
                code.push(0);
                code.push(0);
            }
            // Locations.
            if ins.loc != cur_loc {
                lt.emit(cur_loc, cur_size);
                cur_loc = ins.loc;
                cur_size = 0;
            }
            cur_size += size;
            // Exception table.
            if ins.except != cur_handler {
                if let Some(h) = cur_handler {
                    except_entries.push(handler_entry(
                        cfg,
                        &block_pos,
                        &offsets,
                        h,
                        handler_start,
                        offset,
                    ));
                }
                handler_start = offset;
                cur_handler = ins.except;
            }
            offset += size;
        }
    }
    lt.emit(cur_loc, cur_size);
    if let Some(h) = cur_handler {
        except_entries.push(handler_entry(
            cfg,
            &block_pos,
            &offsets,
            h,
            handler_start,
            offset,
        ));
    }
    let mut exceptiontable = Vec::new();
    for (start, end, target, depth, lasti) in except_entries {
        write_except_item(&mut exceptiontable, start, 1 << 7);
        write_except_item(&mut exceptiontable, end - start, 0);
        write_except_item(&mut exceptiontable, target, 0);
        write_except_item(&mut exceptiontable, (depth << 1) | usize::from(lasti), 0);
    }
    Ok(Rc::new(CodeObject {
        co_name: input.name,
        co_qualname: input.qualname,
        co_filename: input.filename,
        co_firstlineno: u32::try_from(input.firstlineno).unwrap_or(1),
        co_argcount: input.argcount,
        co_posonlyargcount: input.posonlyargcount,
        co_kwonlyargcount: input.kwonlyargcount,
        co_flags: input.flags,
        co_stacksize: input.stacksize,
        co_code: code,
        co_consts: input.consts,
        co_names: input.names,
        co_localsplusnames: input.localsplusnames,
        co_localspluskinds: input.localspluskinds,
        co_linetable: linetable,
        co_exceptiontable: exceptiontable,
    }))
}

/// `assemble_emit_exception_table_entry`: depth excludes the pushed exception (and lasti).
fn handler_entry(
    cfg: &Cfg,
    block_pos: &[usize],
    offsets: &[usize],
    h: usize,
    start: usize,
    end: usize,
) -> (usize, usize, usize, usize, bool) {
    let target = block_pos
        .get(h)
        .and_then(|&p| offsets.get(p))
        .copied()
        .unwrap_or(0);
    let block = &cfg.blocks[h];
    let lasti = block.preserve_lasti;
    let depth = (block.startdepth - 1 - i64::from(lasti)).max(0);
    (
        start,
        end,
        target,
        usize::try_from(depth).unwrap_or(0),
        lasti,
    )
}

/// `assemble_emit_exception_table_item`: big-endian 6-bit groups, 0x40 = more follows,
/// 0x80 marks an entry's first byte.
pub(crate) fn write_except_item(out: &mut Vec<u8>, value: usize, mut msb: u8) {
    for shift in [24, 18, 12, 6] {
        if value >= 1 << shift {
            out.push((((value >> shift) & 0x3f) as u8) | 0x40 | msb);
            msb = 0;
        }
    }
    out.push(((value & 0x3f) as u8) | msb);
}

/// The location table's writer (`assemble_location_info`): one entry per run of
/// instructions at the same location, split every 8 code units.
pub(crate) struct LineTable<'a> {
    pub out: &'a mut Vec<u8>,
    /// The line the next entry's delta is counted from (`co_firstlineno` at first).
    pub lineno: i32,
    /// Whether entries keep their columns (off under `-X no_debug_ranges`).
    pub columns: bool,
}

impl LineTable<'_> {
    /// `assemble_emit_location`: entries cover at most 8 code units.
    pub(crate) fn emit(&mut self, loc: Loc, mut size: usize) {
        while size > 8 {
            self.entry(loc, 8);
            size -= 8;
        }
        if size > 0 {
            self.entry(loc, size);
        }
    }

    fn first_byte(&mut self, code: u8, size: usize) {
        self.out.push(0x80 | (code << 3) | ((size - 1) as u8));
    }

    fn varint(&mut self, mut v: u32) {
        while v >= 64 {
            self.out.push(0x40 | (v & 63) as u8);
            v >>= 6;
        }
        self.out.push(v as u8);
    }

    fn svarint(&mut self, v: i32) {
        let u = if v < 0 {
            (v.unsigned_abs() << 1) | 1
        } else {
            (v as u32) << 1
        };
        self.varint(u);
    }

    /// `write_location_info_entry`.
    fn entry(&mut self, loc: Loc, size: usize) {
        if loc.line < 0 {
            self.first_byte(15, size);
            return;
        }
        let delta = loc.line - self.lineno;
        let (col, end_col) = (loc.col, loc.end_col);
        if !self.columns {
            // `remove_column_info`: every located entry keeps only its line.
            self.first_byte(13, size);
            self.svarint(delta);
            self.lineno = loc.line;
            return;
        }
        if col < 0 || end_col < 0 {
            if loc.end_line == loc.line || loc.end_line == -1 {
                self.first_byte(13, size);
                self.svarint(delta);
                self.lineno = loc.line;
                return;
            }
        } else if loc.end_line == loc.line {
            if delta == 0 && col < 80 && end_col - col < 16 && end_col >= col {
                self.first_byte((col >> 3) as u8, size);
                self.out.push((((col & 7) << 4) | (end_col - col)) as u8);
                return;
            }
            if (0..3).contains(&delta) && col < 128 && end_col < 128 {
                self.first_byte(10 + delta as u8, size);
                self.out.push(col as u8);
                self.out.push(end_col as u8);
                self.lineno = loc.line;
                return;
            }
        }
        self.first_byte(14, size);
        self.svarint(delta);
        self.varint(u32::try_from(loc.end_line - loc.line).unwrap_or(0));
        self.varint(u32::try_from(col + 1).unwrap_or(0));
        self.varint(u32::try_from(end_col + 1).unwrap_or(0));
        self.lineno = loc.line;
    }
}
