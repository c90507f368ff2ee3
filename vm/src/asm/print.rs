//! Code object → listing (`framespec dis --asm`). Every field the assembler needs to
//! rebuild the object is written; where a symbolic operand would read back as another
//! oparg (a constant equal to an earlier one, a comparison with other low bits) the raw
//! oparg is written as `#N`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::rc::Rc;

use super::literal;
use super::operand;
use super::NotListable;
use crate::code::{CodeObject, Constant, Position};
use crate::compile::assemble::instr_size;
use crate::oparg::{NameArg, SuperAttrArg};
use crate::opcode::{ArgKind, Opcode};

/// The listing of `code` and the code objects nested in its constants.
pub fn listing(code: &Rc<CodeObject>) -> Result<String, NotListable> {
    let mut ids = Ids::default();
    let mut order = Vec::new();
    ids.assign(code, &mut order);
    let mut out = String::new();
    for (k, c) in order.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        section(c, &ids, &mut out)?;
    }
    Ok(out)
}

/// Section IDs: the qualname, with `@2`, `@3`, … for the second and later code objects
/// of a qualname.
#[derive(Default)]
struct Ids {
    by_address: HashMap<usize, String>,
    taken: HashMap<String, usize>,
}

impl Ids {
    fn assign(&mut self, code: &Rc<CodeObject>, order: &mut Vec<Rc<CodeObject>>) {
        let address = Rc::as_ptr(code) as usize;
        if self.by_address.contains_key(&address) {
            return;
        }
        let base = show_name(&code.co_qualname);
        let n = self.taken.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 { base } else { format!("{base}@{n}") };
        self.by_address.insert(address, id);
        order.push(code.clone());
        for c in &code.co_consts {
            nested(c, &mut |inner| self.assign(inner, order));
        }
    }

    fn of(&self, code: &Rc<CodeObject>) -> String {
        self.by_address
            .get(&(Rc::as_ptr(code) as usize))
            .cloned()
            .unwrap_or_default()
    }
}

/// Calls `f` on each code object in a constant (tuples included).
fn nested(c: &Constant, f: &mut dyn FnMut(&Rc<CodeObject>)) {
    match c {
        Constant::Code(inner) => f(inner),
        Constant::Tuple(items) | Constant::FrozenSet(items) => {
            for i in items.iter() {
                nested(i, f);
            }
        }
        _ => {}
    }
}

/// A name as a bare word when it reads back as one, else as a str literal.
pub(super) fn show_name(name: &str) -> String {
    let bare = !name.is_empty()
        && !name.starts_with(['\'', '"', '#'])
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, ',' | ')' | ';'));
    if bare {
        name.to_owned()
    } else {
        crate::reprs::str_repr(name)
    }
}

/// One instruction as decoded: where its first EXTENDED_ARG prefix starts, where the
/// instruction itself is, its folded oparg and the number of prefixes.
struct Decoded {
    start: usize,
    index: usize,
    op: Opcode,
    arg: u32,
    prefixes: usize,
}

fn decode(code: &CodeObject) -> Result<Vec<Decoded>, NotListable> {
    let err = |unit: usize, message: &str| NotListable {
        code: code.co_qualname.to_string(),
        offset: 2 * unit,
        message: message.to_owned(),
    };
    let mut out = Vec::new();
    let mut start = None;
    let mut prefixes = 0;
    for unit in code.units() {
        let Some(op) = unit.opcode else {
            return Err(err(
                unit.index,
                &format!("byte {} is not an instruction", unit.byte),
            ));
        };
        if op == Opcode::EXTENDED_ARG {
            start.get_or_insert(unit.index);
            prefixes += 1;
            continue;
        }
        let end = unit.index + 1 + op.cache_entries();
        if 2 * end > code.co_code.len() {
            return Err(err(
                unit.index,
                "inline caches run past the end of the code",
            ));
        }
        if code.co_code[2 * (unit.index + 1)..2 * end]
            .iter()
            .any(|&b| b != 0)
        {
            return Err(err(unit.index, "inline cache entries that are not zero"));
        }
        let begin = start.take().unwrap_or(unit.index);
        let expected = prefix_bytes(unit.arg, prefixes);
        let actual: Vec<u8> = (begin..unit.index)
            .map(|u| code.co_code[2 * u + 1])
            .collect();
        if expected != actual {
            return Err(err(
                begin,
                "EXTENDED_ARG prefixes holding bits the oparg loses",
            ));
        }
        out.push(Decoded {
            start: begin,
            index: unit.index,
            op,
            arg: unit.arg,
            prefixes,
        });
        prefixes = 0;
    }
    if let Some(s) = start {
        return Err(err(s, "EXTENDED_ARG at the end of the code"));
    }
    Ok(out)
}

/// The bytes of `count` EXTENDED_ARG prefixes for `arg`, outermost first (the assembler's
/// rule: each carries the oparg's next byte, zero beyond its 32 bits).
pub(super) fn prefix_bytes(arg: u32, count: usize) -> Vec<u8> {
    (1..=count)
        .rev()
        .map(|k| {
            let shift = 8 * k;
            if shift >= 32 {
                0
            } else {
                ((arg >> shift) & 0xFF) as u8
            }
        })
        .collect()
}

fn section(code: &Rc<CodeObject>, ids: &Ids, out: &mut String) -> Result<(), NotListable> {
    let not = |unit: usize, message: &str| NotListable {
        code: code.co_qualname.to_string(),
        offset: 2 * unit,
        message: message.to_owned(),
    };
    let id = ids.of(code);
    let _ = writeln!(out, "code {id}");
    if *code.co_name != *id {
        let _ = writeln!(out, "  name: {}", show_name(&code.co_name));
    }
    if code.co_qualname != code.co_name {
        let _ = writeln!(out, "  qualname: {}", show_name(&code.co_qualname));
    }
    let _ = writeln!(out, "  filename: {}", show_name(&code.co_filename));
    let _ = writeln!(out, "  firstlineno: {}", code.co_firstlineno);
    let _ = writeln!(out, "  flags: {}", operand::show_flags(code.co_flags));
    for (key, value) in [
        ("argcount", code.co_argcount),
        ("posonlyargcount", code.co_posonlyargcount),
        ("kwonlyargcount", code.co_kwonlyargcount),
    ] {
        if value != 0 {
            let _ = writeln!(out, "  {key}: {value}");
        }
    }
    let _ = writeln!(out, "  stacksize: {}", code.co_stacksize);
    let code_id = |c: &Constant| match c {
        Constant::Code(inner) => ids.of(inner),
        _ => String::new(),
    };
    let mut consts = Vec::new();
    for c in &code.co_consts {
        let Some(text) = literal::print(c, &code_id) else {
            return Err(not(
                0,
                &format!("a constant whose repr does not give back its bits: {c:?}"),
            ));
        };
        consts.push(text);
    }
    if !consts.is_empty() {
        let _ = writeln!(out, "  consts: {}", consts.join(", "));
    }
    if !code.co_names.is_empty() {
        let names: Vec<String> = code.co_names.iter().map(|n| show_name(n)).collect();
        let _ = writeln!(out, "  names: {}", names.join(", "));
    }
    if code.co_localsplusnames.len() != code.co_localspluskinds.len() {
        return Err(not(0, "co_localspluskinds does not have one kind per name"));
    }
    if !code.co_localsplusnames.is_empty() {
        let slots: Vec<String> = code
            .co_localsplusnames
            .iter()
            .zip(&code.co_localspluskinds)
            .map(|(n, &k)| match k {
                crate::code::kinds::CO_FAST_LOCAL => show_name(n),
                _ => format!("{} {}", show_name(n), operand::show_kind(k)),
            })
            .collect();
        let _ = writeln!(out, "  locals: {}", slots.join(", "));
    }

    let instrs = decode(code)?;
    let starts: HashMap<usize, usize> = instrs.iter().map(|d| (d.start, d.index)).collect();
    let end = code.len_units();
    let entries = code.exception_entries();
    let mut targets: Vec<usize> = instrs
        .iter()
        .filter_map(|d| crate::code::jump_target(d.op, d.index, d.arg))
        .collect();
    for e in &entries {
        targets.extend([e.start, e.end, e.target]);
    }
    let mut labels: BTreeMap<usize, String> = BTreeMap::new();
    for t in targets {
        if t != end && !starts.contains_key(&t) {
            return Err(not(
                t,
                "a jump or exception-table entry into an instruction",
            ));
        }
        labels.insert(t, String::new());
    }
    for (k, name) in labels.values_mut().enumerate() {
        *name = format!("L{}", k + 1);
    }

    let positions = code.positions();
    let mut previous = Position::default();
    let names = Names::new(code);
    for d in &instrs {
        if let Some(label) = labels.get(&d.start) {
            let _ = writeln!(out, "{label}:");
        }
        let size = d.index + 1 + d.op.cache_entries() - d.start;
        let pos = positions.get(d.start).copied().unwrap_or_default();
        if (d.start..d.start + size).any(|u| positions.get(u).copied().unwrap_or_default() != pos) {
            return Err(not(
                d.start,
                "a location that changes inside an instruction",
            ));
        }
        let loc = if pos == previous {
            String::new()
        } else {
            show_position(pos)
        };
        previous = pos;
        let minimal = instr_size(d.op, d.arg) - 1 - d.op.cache_entries();
        if d.prefixes > minimal {
            for k in 0..d.prefixes {
                let field = if k == 0 { loc.as_str() } else { "" };
                let _ = writeln!(out, "  {field:<14} EXTENDED_ARG");
            }
        }
        let loc = if d.prefixes > minimal { "" } else { &loc };
        let arg = operand_text(d, &names, &labels, &code_id, code);
        let line = format!("  {loc:<14} {:<24} {arg}", d.op.name());
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if let Some(label) = labels.get(&end) {
        let _ = writeln!(out, "{label}:");
    }
    for e in &entries {
        let label = |u: usize| labels.get(&u).cloned().unwrap_or_default();
        let lasti = if e.lasti { " lasti" } else { "" };
        let _ = writeln!(
            out,
            "  exception: {} to {} -> {} [{}]{lasti}",
            label(e.start),
            label(e.end),
            label(e.target),
            e.depth
        );
    }
    Ok(())
}

/// `-` for no location, `L` for a line without columns, `L:C-E` on one line, else
/// `L:C-EL:EC`; `?` for a column that is not known.
fn show_position(p: Position) -> String {
    let Some(line) = p.line else {
        return "-".to_owned();
    };
    let end_line = p.end_line.unwrap_or(line);
    let col = |c: Option<u32>| c.map_or_else(|| "?".to_owned(), |c| c.to_string());
    match (p.col, p.end_col) {
        (None, None) if end_line == line => line.to_string(),
        (None, None) => format!("{line}-{end_line}"),
        _ if end_line == line => format!("{line}:{}-{}", col(p.col), col(p.end_col)),
        _ => format!("{line}:{}-{end_line}:{}", col(p.col), col(p.end_col)),
    }
}

/// The first index of each name, so a symbolic operand is written only where it reads
/// back as the same index.
struct Names {
    names: HashMap<Rc<str>, u32>,
    locals: HashMap<Rc<str>, u32>,
}

impl Names {
    fn new(code: &CodeObject) -> Names {
        let first = |list: &[Rc<str>]| {
            let mut map = HashMap::new();
            for (i, n) in list.iter().enumerate() {
                map.entry(n.clone()).or_insert(i as u32);
            }
            map
        };
        Names {
            names: first(&code.co_names),
            locals: first(&code.co_localsplusnames),
        }
    }
}

fn operand_text(
    d: &Decoded,
    names: &Names,
    labels: &BTreeMap<usize, String>,
    code_id: &dyn Fn(&Constant) -> String,
    code: &CodeObject,
) -> String {
    let raw = format!("#{}", d.arg);
    let name_at = |i: u32| -> Option<String> {
        let n = code.co_names.get(i as usize)?;
        (names.names.get(n) == Some(&i)).then(|| show_name(n))
    };
    match d.op.arg_kind() {
        ArgKind::None => {
            if d.arg == 0 {
                String::new()
            } else {
                raw
            }
        }
        ArgKind::Jump => crate::code::jump_target(d.op, d.index, d.arg)
            .and_then(|t| labels.get(&t).cloned())
            .unwrap_or(raw),
        ArgKind::Const => {
            let i = d.arg as usize;
            code.co_consts
                .get(i)
                .filter(|c| {
                    code.co_consts
                        .iter()
                        .position(|o| super::build::same_constant(o, c))
                        == Some(i)
                })
                .and_then(|c| literal::print(c, code_id))
                .unwrap_or(raw)
        }
        ArgKind::Name => match d.op {
            Opcode::LOAD_GLOBAL | Opcode::LOAD_ATTR => {
                let a = NameArg::decode(d.arg);
                let prefix = match (d.op, a.flag) {
                    (_, false) => "",
                    (Opcode::LOAD_GLOBAL, true) => "NULL + ",
                    _ => "NULL|self + ",
                };
                name_at(a.name).map_or(raw, |n| format!("{prefix}{n}"))
            }
            Opcode::LOAD_SUPER_ATTR => {
                let a = SuperAttrArg::decode(d.arg);
                let prefix = if a.method { "NULL|self + " } else { "" };
                let suffix = if a.two_args { " two_args" } else { "" };
                name_at(a.name).map_or(raw, |n| format!("{prefix}{n}{suffix}"))
            }
            _ => name_at(d.arg).unwrap_or(raw),
        },
        ArgKind::Local | ArgKind::Free => code
            .co_localsplusnames
            .get(d.arg as usize)
            .filter(|n| names.locals.get(*n) == Some(&d.arg))
            .map_or(raw, |n| show_name(n)),
        ArgKind::Compare | ArgKind::Num => match operand::symbol(d.op, d.arg) {
            Some(s) => s,
            None if d.op.arg_kind() == ArgKind::Num => d.arg.to_string(),
            None => raw,
        },
    }
}
