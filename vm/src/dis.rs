//! Disassembly in the layout of CPython 3.12's `dis.dis(code)` with default options
//! (`Lib/dis.py`: `_disassemble_bytes`, `Instruction._disassemble`, `findlinestarts`,
//! `_disassemble_recursive`). Code-object addresses are printed as `0x…`-style hex of the
//! object's address; tests normalise them.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::rc::Rc;

use crate::code::{CodeObject, Constant, Unit};
use crate::oparg::{
    format_value, make_function, BinaryOp, CompareOp, Intrinsic1, Intrinsic2, NameArg, SuperAttrArg,
};
use crate::opcode::{ArgKind, Opcode};
use crate::reprs::{bytes_repr, float_repr, str_repr};

const OPNAME_WIDTH: usize = 20;
const OPARG_WIDTH: usize = 5;

/// Disassembles `code` and, recursively, the code objects among its constants.
pub fn dis(code: &CodeObject) -> String {
    let mut out = String::new();
    disassemble_recursive(code, &mut out);
    out
}

fn disassemble_recursive(code: &CodeObject, out: &mut String) {
    disassemble(code, out);
    for c in &code.co_consts {
        if let Constant::Code(inner) = c {
            out.push('\n');
            let _ = writeln!(out, "Disassembly of {}:", code_repr(inner));
            disassemble_recursive(inner, out);
        }
    }
}

/// `dis.findlinestarts` over `co_lines()`.
fn line_starts(code: &CodeObject) -> HashMap<usize, u32> {
    let lines = code.lines();
    let mut out = HashMap::new();
    let mut last: Option<u32> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let start = i;
        while i < lines.len() && lines[i] == line {
            i += 1;
        }
        if let Some(l) = line {
            if Some(l) != last {
                last = Some(l);
                out.insert(2 * start, l);
            }
        }
    }
    out
}

fn disassemble(code: &CodeObject, out: &mut String) {
    let starts = line_starts(code);
    let units: Vec<Unit> = code.units().collect();
    let entries = code.exception_entries();
    let mut labels: BTreeSet<usize> = units
        .iter()
        .filter_map(|u| u.jump_target().map(|t| 2 * t))
        .collect();
    for e in &entries {
        labels.insert(2 * e.target);
    }
    let show_lineno = !starts.is_empty();
    let lineno_width = if show_lineno {
        let max = starts.values().copied().max().unwrap_or(0);
        if max >= 1000 {
            max.to_string().len()
        } else {
            3
        }
    } else {
        0
    };
    let maxoffset = code.co_code.len().saturating_sub(2);
    let offset_width = if maxoffset >= 10000 {
        maxoffset.to_string().len()
    } else {
        4
    };
    for u in &units {
        let offset = 2 * u.index;
        let start_line = starts.get(&offset).copied();
        if show_lineno && start_line.is_some() && offset > 0 {
            out.push('\n');
        }
        let mut fields: Vec<String> = Vec::new();
        if lineno_width > 0 {
            fields.push(match start_line {
                Some(l) => format!("{l:>lineno_width$}"),
                None => " ".repeat(lineno_width),
            });
        }
        fields.push("   ".to_owned());
        fields.push(if labels.contains(&offset) {
            ">>".to_owned()
        } else {
            "  ".to_owned()
        });
        fields.push(format!("{offset:>offset_width$}"));
        let name = match u.opcode {
            Some(op) => op.name().to_owned(),
            None => format!("<{}>", u.byte),
        };
        fields.push(format!("{name:<OPNAME_WIDTH$}"));
        if let Some(op) = u.opcode.filter(|op| op.has_arg()) {
            fields.push(format!("{:>OPARG_WIDTH$}", u.arg));
            let argrepr = arg_repr(code, u, op, u.arg);
            if !argrepr.is_empty() {
                fields.push(format!("({argrepr})"));
            }
        }
        let line = fields.join(" ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !entries.is_empty() {
        out.push_str("ExceptionTable:\n");
        for e in entries {
            let lasti = if e.lasti { " lasti" } else { "" };
            let _ = writeln!(
                out,
                "  {} to {} -> {} [{}]{lasti}",
                2 * e.start,
                (2 * e.end).saturating_sub(2),
                2 * e.target,
                e.depth
            );
        }
    }
}

/// The instruction starting at code unit `start` (its EXTENDED_ARG prefixes folded in) as
/// `dis` shows it: `OFFSET OPNAME ARG (ARGREPR)`, the offset that of the instruction
/// itself.
pub fn instruction_text(code: &CodeObject, start: usize) -> String {
    let Some(u) = code
        .units_from(start)
        .find(|u| u.opcode != Some(Opcode::EXTENDED_ARG))
    else {
        return format!("{} <end>", 2 * start);
    };
    let Some(op) = u.opcode else {
        return format!("{} <{}>", 2 * u.index, u.byte);
    };
    let mut text = format!("{} {}", 2 * u.index, op.name());
    if op.has_arg() {
        let _ = write!(text, " {}", u.arg);
        let argrepr = arg_repr(code, &u, op, u.arg);
        if !argrepr.is_empty() {
            let _ = write!(text, " ({argrepr})");
        }
    }
    text
}

fn name_at(names: &[Rc<str>], i: u32) -> String {
    names
        .get(i as usize)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn arg_repr(code: &CodeObject, u: &Unit, op: Opcode, arg: u32) -> String {
    let with_name = |n: String, flag: bool, prefix: &str| {
        if flag && !n.is_empty() {
            format!("{prefix}{n}")
        } else {
            n
        }
    };
    match op.arg_kind() {
        ArgKind::Const => code
            .co_consts
            .get(arg as usize)
            .map(const_repr)
            .unwrap_or_default(),
        ArgKind::Name => match op {
            Opcode::LOAD_GLOBAL => {
                let a = NameArg::decode(arg);
                with_name(name_at(&code.co_names, a.name), a.flag, "NULL + ")
            }
            Opcode::LOAD_ATTR => {
                let a = NameArg::decode(arg);
                with_name(name_at(&code.co_names, a.name), a.flag, "NULL|self + ")
            }
            Opcode::LOAD_SUPER_ATTR => {
                let a = SuperAttrArg::decode(arg);
                with_name(name_at(&code.co_names, a.name), a.method, "NULL|self + ")
            }
            _ => name_at(&code.co_names, arg),
        },
        ArgKind::Jump => u
            .jump_target()
            .map(|t| format!("to {}", 2 * t))
            .unwrap_or_default(),
        ArgKind::Local | ArgKind::Free => name_at(&code.co_localsplusnames, arg),
        ArgKind::Compare => CompareOp::from_oparg(arg)
            .map(CompareOp::symbol)
            .unwrap_or_default()
            .to_owned(),
        ArgKind::None | ArgKind::Num => match op {
            Opcode::FORMAT_VALUE => format_value::dis(arg),
            Opcode::MAKE_FUNCTION => make_function::dis(arg),
            Opcode::BINARY_OP => BinaryOp::dis(arg).unwrap_or_default().to_owned(),
            Opcode::CALL_INTRINSIC_1 => Intrinsic1::from_oparg(arg)
                .map(Intrinsic1::name)
                .unwrap_or_default()
                .to_owned(),
            Opcode::CALL_INTRINSIC_2 => Intrinsic2::from_oparg(arg)
                .map(Intrinsic2::name)
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        },
    }
}

/// `repr(code)`.
pub fn code_repr(code: &CodeObject) -> String {
    format!(
        "<code object {} at {:#x}, file \"{}\", line {}>",
        code.co_name, code as *const CodeObject as usize, code.co_filename, code.co_firstlineno
    )
}

/// `repr()` of a constant as Python prints it.
pub fn const_repr(c: &Constant) -> String {
    match c {
        Constant::None => "None".to_owned(),
        Constant::Ellipsis => "Ellipsis".to_owned(),
        Constant::Bool(true) => "True".to_owned(),
        Constant::Bool(false) => "False".to_owned(),
        Constant::Int(i) => i.to_string(),
        Constant::BigInt(b) => b.to_string(),
        Constant::Float(f) => float_repr(*f),
        Constant::Complex(re, im) => crate::reprs::complex_repr(*re, *im),
        Constant::Str(s) => str_repr(s),
        Constant::StrSurrogates(b) => {
            crate::reprs::code_points_repr(&crate::surrogate_str::decode(b).unwrap_or_default())
        }
        Constant::Bytes(b) => bytes_repr(b),
        Constant::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(const_repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        // In the order the frozenset iterates (`frozenset_layout`).
        Constant::FrozenSet(items) => {
            let order = crate::runtime::frozenset_layout(items).unwrap_or_default();
            let parts: Vec<String> = order
                .iter()
                .filter_map(|&i| items.get(i))
                .map(const_repr)
                .collect();
            format!("frozenset({{{}}})", parts.join(", "))
        }
        Constant::Code(code) => code_repr(code),
    }
}
