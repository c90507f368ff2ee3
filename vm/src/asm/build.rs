//! Sections → code objects: operands resolved to opargs (constants, names and locals not
//! declared are appended to their tables in order of first use), jump opargs iterated to
//! a fixed point with their EXTENDED_ARG prefixes (`resolve_jump_offsets` in
//! `flowgraph.c`: every jump starts at oparg 0 and sizes only grow, so the result is the
//! smallest encoding, the compiler's), then the code bytes with zeroed inline caches, the
//! location table and the exception table, by the compiler's encoders.

use std::collections::HashMap;
use std::rc::Rc;

use super::literal::Lit;
use super::parse::{Item, Operand, Section, Span};
use super::print::prefix_bytes;
use super::AsmError;
use crate::code::{jump_oparg, kinds, CodeObject, Constant};
use crate::compile::assemble::{instr_size, LineTable};
use crate::compile::Loc;
use crate::oparg::{NameArg, SuperAttrArg};
use crate::opcode::{ArgKind, Opcode};

/// Where a built code object and its instructions were written, to place the verifier's
/// errors at the listing line they are about ([`super::assemble_verified`]).
pub(super) struct Placed {
    pub code: Rc<CodeObject>,
    /// The `code ID` line.
    pub section: Span,
    /// Per instruction: its bytes in `co_code` (EXTENDED_ARG prefixes and caches included)
    /// and where its name is written.
    pub instructions: Vec<(std::ops::Range<usize>, Span)>,
}

/// The module code object (the first section), and where each code object was written.
pub(super) fn build(sections: &[Section]) -> Result<(Rc<CodeObject>, Vec<Placed>), AsmError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (k, s) in sections.iter().enumerate() {
        if index.insert(s.id.as_str(), k).is_some() {
            return Err(span_of(s).error(format!("a second code section {}", s.id)));
        }
    }
    let mut b = Builder {
        sections,
        index,
        built: vec![None; sections.len()],
        visiting: vec![false; sections.len()],
        placed: Vec::new(),
    };
    let top = b.code(0)?;
    if let Some(k) = b.built.iter().position(Option::is_none) {
        return Err(span_of(&sections[k]).error(format!(
            "code section {} is not among the constants of the code before it",
            sections[k].id
        )));
    }
    Ok((top, b.placed))
}

fn span_of(s: &Section) -> Span {
    s.span.unwrap_or(Span { line: 1, column: 1 })
}

struct Builder<'a> {
    sections: &'a [Section],
    index: HashMap<&'a str, usize>,
    built: Vec<Option<Rc<CodeObject>>>,
    visiting: Vec<bool>,
    placed: Vec<Placed>,
}

/// Whether two constants are the same constant for the tables: same type and value,
/// floats by their bits, code objects by identity.
pub(super) fn same_constant(a: &Constant, b: &Constant) -> bool {
    match (a, b) {
        (Constant::Float(x), Constant::Float(y)) => x.to_bits() == y.to_bits(),
        (Constant::Complex(xr, xi), Constant::Complex(yr, yi)) => {
            xr.to_bits() == yr.to_bits() && xi.to_bits() == yi.to_bits()
        }
        (Constant::Tuple(x), Constant::Tuple(y))
        | (Constant::FrozenSet(x), Constant::FrozenSet(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same_constant(a, b))
        }
        (Constant::Code(x), Constant::Code(y)) => Rc::ptr_eq(x, y),
        (Constant::Float(_) | Constant::Complex(..) | Constant::Tuple(_), _)
        | (Constant::FrozenSet(_) | Constant::Code(_), _) => false,
        _ => a == b,
    }
}

impl Builder<'_> {
    fn code(&mut self, k: usize) -> Result<Rc<CodeObject>, AsmError> {
        if let Some(done) = &self.built[k] {
            return Ok(done.clone());
        }
        let s = &self.sections[k];
        if self.visiting[k] {
            return Err(span_of(s).error(format!("code section {} contains itself", s.id)));
        }
        self.visiting[k] = true;
        let code = self.section(s)?;
        self.visiting[k] = false;
        self.built[k] = Some(code.clone());
        Ok(code)
    }

    fn constant(&mut self, lit: &Lit, span: Span) -> Result<Constant, AsmError> {
        Ok(match lit {
            Lit::Plain(c) => c.clone(),
            Lit::Code(id) => {
                let Some(&k) = self.index.get(id.as_str()) else {
                    return Err(span.error(format!("no code section {id}")));
                };
                Constant::Code(self.code(k)?)
            }
            Lit::Tuple(items) => Constant::Tuple(
                items
                    .iter()
                    .map(|i| self.constant(i, span))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
            Lit::FrozenSet(items) => Constant::FrozenSet(
                items
                    .iter()
                    .map(|i| self.constant(i, span))
                    .collect::<Result<Vec<_>, _>>()?
                    .into(),
            ),
        })
    }

    fn section(&mut self, s: &Section) -> Result<Rc<CodeObject>, AsmError> {
        let mut consts = Vec::new();
        for (lit, span) in &s.consts {
            consts.push(self.constant(lit, *span)?);
        }
        let mut names: Vec<Rc<str>> = s.names.iter().map(|n| Rc::from(n.as_str())).collect();
        let mut locals: Vec<Rc<str>> = s.locals.iter().map(|(n, _)| Rc::from(n.as_str())).collect();
        let mut kinds: Vec<u8> = s.locals.iter().map(|(_, k)| *k).collect();

        // Opargs of everything but jumps; labels by position.
        struct Ins {
            op: Opcode,
            arg: u32,
            jump: Option<usize>,
            loc: Loc,
            prefixes: usize,
            span: Span,
        }
        let mut labels: HashMap<&str, usize> = HashMap::new();
        let mut label_at: Vec<usize> = Vec::new();
        let mut ins: Vec<Ins> = Vec::new();
        let mut seen = 0;
        for item in &s.items {
            match item {
                Item::Label(name, span) => {
                    if labels.insert(name.as_str(), label_at.len()).is_some() {
                        return Err(span.error(format!("label {name} defined twice")));
                    }
                    label_at.push(seen);
                }
                Item::Instr(_) => seen += 1,
            }
        }
        for item in &s.items {
            let Item::Instr(i) = item else { continue };
            let mut jump = None;
            let arg = match &i.operand {
                Operand::None => 0,
                Operand::Raw(n) | Operand::Num(n) => *n,
                Operand::Label(l) => {
                    let Some(&k) = labels.get(l.as_str()) else {
                        return Err(i.span.error(format!("no label {l}")));
                    };
                    jump = Some(k);
                    0
                }
                Operand::Const(lit) => {
                    let c = self.constant(lit, i.span)?;
                    index_of(&mut consts, c, same_constant)
                }
                Operand::Name {
                    name,
                    flag,
                    two_args,
                } => {
                    let n = index_of(&mut names, Rc::from(name.as_str()), |a, b| a == b);
                    match i.op {
                        Opcode::LOAD_GLOBAL | Opcode::LOAD_ATTR => NameArg {
                            name: n,
                            flag: *flag,
                        }
                        .encode(),
                        Opcode::LOAD_SUPER_ATTR => SuperAttrArg {
                            name: n,
                            method: *flag,
                            two_args: *two_args,
                        }
                        .encode(),
                        _ => n,
                    }
                }
                Operand::Local(name) => match locals.iter().position(|l| **l == **name) {
                    Some(p) => p as u32,
                    None if i.op.arg_kind() == ArgKind::Local => {
                        locals.push(Rc::from(name.as_str()));
                        kinds.push(kinds::CO_FAST_LOCAL);
                        (locals.len() - 1) as u32
                    }
                    None => {
                        return Err(i.span.error(format!(
                            "no cell or free variable {name} (declare it in locals:)"
                        )))
                    }
                },
            };
            if jump.is_some() && i.op.arg_kind() != ArgKind::Jump {
                return Err(i.span.error("only a jump takes a label"));
            }
            ins.push(Ins {
                op: i.op,
                arg,
                jump,
                loc: i.loc,
                prefixes: i.prefixes,
                span: i.span,
            });
        }

        // Jump opargs to a fixed point.
        let size = |i: &Ins| {
            let minimal = instr_size(i.op, i.arg) - 1 - i.op.cache_entries();
            minimal.max(i.prefixes) + 1 + i.op.cache_entries()
        };
        let mut starts = vec![0usize; ins.len() + 1];
        for _round in 0..64 {
            let mut total = 0;
            for (k, i) in ins.iter().enumerate() {
                starts[k] = total;
                total += size(i);
            }
            starts[ins.len()] = total;
            let mut changed = false;
            for k in 0..ins.len() {
                let Some(label) = ins[k].jump else { continue };
                let target = starts[label_at[label]];
                let before = size(&ins[k]);
                let at = starts[k] + before - 1 - ins[k].op.cache_entries();
                let Some(arg) = jump_oparg(ins[k].op, at, target) else {
                    let way = if ins[k].op.is_backward_jump() {
                        "forward"
                    } else {
                        "back"
                    };
                    return Err(ins[k].span.error(format!(
                        "{} cannot jump {way} (JUMP_BACKWARD goes back, the others forward)",
                        ins[k].op.name()
                    )));
                };
                ins[k].arg = arg;
                if size(&ins[k]) != before {
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        // Bytes and the location table.
        let firstlineno = s.firstlineno.unwrap_or(1);
        let mut code = Vec::new();
        let mut linetable = Vec::new();
        let mut lt = LineTable {
            out: &mut linetable,
            lineno: i32::try_from(firstlineno).unwrap_or(i32::MAX),
            columns: true,
        };
        let mut run = (Loc::NONE, 0usize);
        for i in &ins {
            let units = size(i);
            let prefixes = units - 1 - i.op.cache_entries();
            for byte in prefix_bytes(i.arg, prefixes) {
                code.extend([Opcode::EXTENDED_ARG as u8, byte]);
            }
            code.extend([i.op as u8, (i.arg & 0xFF) as u8]);
            code.extend(std::iter::repeat_n(0, 2 * i.op.cache_entries()));
            if i.loc != run.0 {
                lt.emit(run.0, run.1);
                run = (i.loc, 0);
            }
            run.1 += units;
        }
        lt.emit(run.0, run.1);

        let mut exceptiontable = Vec::new();
        for h in &s.exceptions {
            let at = |l: &str| -> Result<usize, AsmError> {
                labels
                    .get(l)
                    .map(|&k| starts[label_at[k]])
                    .ok_or_else(|| h.span.error(format!("no label {l}")))
            };
            let (start, end, target) = (at(&h.start)?, at(&h.end)?, at(&h.target)?);
            if end <= start {
                return Err(h
                    .span
                    .error(format!("{} does not come after {}", h.end, h.start)));
            }
            crate::code::write_exception_entry(
                &mut exceptiontable,
                [
                    start,
                    end - start,
                    target,
                    (h.depth << 1) | usize::from(h.lasti),
                ],
            );
        }

        let name: Rc<str> = Rc::from(s.name.as_deref().unwrap_or(&s.id));
        let mut code = CodeObject {
            co_qualname: s.qualname.as_deref().map_or_else(|| name.clone(), Rc::from),
            co_name: name,
            co_filename: Rc::from(s.filename.as_deref().unwrap_or("main.py")),
            co_firstlineno: firstlineno,
            co_argcount: s.argcount.unwrap_or(0),
            co_posonlyargcount: s.posonlyargcount.unwrap_or(0),
            co_kwonlyargcount: s.kwonlyargcount.unwrap_or(0),
            co_flags: s.flags.unwrap_or(0),
            co_stacksize: s.stacksize.unwrap_or(0),
            co_code: code,
            co_consts: consts,
            co_names: names,
            co_localsplusnames: locals,
            co_localspluskinds: kinds,
            co_linetable: linetable,
            co_exceptiontable: exceptiontable,
        };
        if s.stacksize.is_none() {
            // No stacksize written: the deepest the stack gets on a path that can run (the
            // compiler's value can be larger, as it also counts code no path reaches).
            code.co_stacksize = crate::verify::stack_depth(&code).map_err(|e| {
                span_of(s).error(format!(
                    "code section {} gives no stacksize, and its stack depth cannot be \
                     worked out: {e}",
                    s.id
                ))
            })?;
        }
        let code = Rc::new(code);
        self.placed.push(Placed {
            code: code.clone(),
            section: span_of(s),
            instructions: ins
                .iter()
                .enumerate()
                .map(|(k, i)| (2 * starts[k]..2 * starts[k + 1], i.span))
                .collect(),
        });
        Ok(code)
    }
}

/// The index of the first entry `same` as `value`, appending it when there is none.
fn index_of<T>(table: &mut Vec<T>, value: T, same: impl Fn(&T, &T) -> bool) -> u32 {
    match table.iter().position(|t| same(t, &value)) {
        Some(p) => p as u32,
        None => {
            table.push(value);
            (table.len() - 1) as u32
        }
    }
}
