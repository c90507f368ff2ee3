//! Listing text → sections: one [`Section`] per `code ID` line with its properties,
//! labels, instructions and exception-table entries, each remembering where it was written
//! so the assembler's errors point at the listing's line and column.

use super::literal::{Lit, Reader};
use super::operand;
use super::AsmError;
use crate::compile::Loc;
use crate::opcode::{ArgKind, Opcode};

/// Where something was written: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub line: usize,
    pub column: usize,
}

impl Span {
    pub fn error(self, message: impl Into<String>) -> AsmError {
        AsmError {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

/// One code object as written.
#[derive(Debug, Default)]
pub(super) struct Section {
    pub id: String,
    pub span: Option<Span>,
    pub name: Option<String>,
    pub qualname: Option<String>,
    pub filename: Option<String>,
    pub firstlineno: Option<u32>,
    pub flags: Option<u32>,
    pub argcount: Option<u32>,
    pub posonlyargcount: Option<u32>,
    pub kwonlyargcount: Option<u32>,
    pub stacksize: Option<u32>,
    pub consts: Vec<(Lit, Span)>,
    pub names: Vec<String>,
    pub locals: Vec<(String, u8)>,
    pub items: Vec<Item>,
    pub exceptions: Vec<Handler>,
}

#[derive(Debug)]
pub(super) enum Item {
    Label(String, Span),
    Instr(Instr),
}

#[derive(Debug)]
pub(super) struct Instr {
    pub op: Opcode,
    pub operand: Operand,
    pub loc: Loc,
    /// Bare EXTENDED_ARG lines written before it: at least this many prefixes.
    pub prefixes: usize,
    pub span: Span,
}

#[derive(Debug)]
pub(super) enum Operand {
    None,
    /// `#N`: the oparg itself.
    Raw(u32),
    Num(u32),
    Label(String),
    Const(Lit),
    /// A `co_names` entry; `flag` is LOAD_GLOBAL's NULL or the method form of LOAD_ATTR
    /// and LOAD_SUPER_ATTR.
    Name {
        name: String,
        flag: bool,
        two_args: bool,
    },
    Local(String),
}

/// `exception: START to END -> TARGET [DEPTH] lasti`.
#[derive(Debug)]
pub(super) struct Handler {
    pub start: String,
    pub end: String,
    pub target: String,
    pub depth: usize,
    pub lasti: bool,
    pub span: Span,
}

pub(super) fn parse(text: &str) -> Result<Vec<Section>, AsmError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut loc = Loc::NONE;
    let mut pending: Option<(usize, Option<Loc>, Span)> = None;
    for (n, raw_line) in text.lines().enumerate() {
        let line = strip_comment(raw_line);
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        if body.is_empty() {
            continue;
        }
        let at = |offset: usize| Span {
            line: n + 1,
            column: raw_line[..(indent + offset).min(raw_line.len())]
                .chars()
                .count()
                + 1,
        };
        let fail = |(offset, message): (usize, String)| at(offset).error(message);
        if let Some(rest) = body
            .strip_prefix("code")
            .filter(|r| r.starts_with(char::is_whitespace))
        {
            if let Some((_, _, span)) = pending {
                return Err(span.error("EXTENDED_ARG without an instruction after it"));
            }
            let mut r = Reader::new(rest);
            let id = r.name().map_err(|(o, m)| fail((o + 4, m)))?;
            r.skip_ws();
            if !r.at_end() {
                return Err(at(4 + r.pos).error("unexpected text after the code ID"));
            }
            sections.push(Section {
                id,
                span: Some(at(0)),
                ..Section::default()
            });
            loc = Loc::NONE;
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(at(0).error("a listing starts with a 'code ID' line"));
        };
        if let Some((key, value, value_at)) = property(body) {
            if let Some((_, _, span)) = pending {
                return Err(span.error("EXTENDED_ARG without an instruction after it"));
            }
            if key == "exception" {
                let h = handler(value, at(value_at)).map_err(|(o, m)| fail((value_at + o, m)))?;
                section.exceptions.push(h);
                continue;
            }
            set_property(section, key, value, at(value_at))
                .map_err(|(o, m)| fail((value_at + o, m)))?;
            continue;
        }
        if let Some(label) = body.strip_suffix(':').filter(|l| is_identifier(l)) {
            if let Some((_, _, span)) = pending {
                return Err(span.error("a label between EXTENDED_ARG and its instruction"));
            }
            section.items.push(Item::Label(label.to_owned(), at(0)));
            continue;
        }
        // An instruction: [location] OPNAME [operand].
        let mut r = Reader::new(body);
        let mut written_loc = None;
        if body.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '?') {
            let word = r.word();
            written_loc = Some(read_loc(word).map_err(|m| at(0).error(m))?);
            r.skip_ws();
        }
        let name_at = r.pos;
        let name = r.word();
        let Some(op) = opcode_named(name) else {
            return Err(at(name_at).error(format!("not a CPython 3.12 instruction: {name}")));
        };
        r.skip_ws();
        let operand_at = r.pos;
        let rest = r.rest().trim_end();
        // An instruction and its prefixes share one location (the listing cannot give a
        // prefix a line of its own): written once, on the first line of the group.
        let twice = || {
            at(0).error(
                "an instruction with EXTENDED_ARG lines has one location, written on the \
                 first of them",
            )
        };
        if op == Opcode::EXTENDED_ARG && rest.is_empty() {
            let (count, first_loc, span) = pending.take().unwrap_or((0, None, at(name_at)));
            if count > 0 && written_loc.is_some() {
                return Err(twice());
            }
            pending = Some((count + 1, first_loc.or(written_loc), span));
            continue;
        }
        let (prefixes, prefix_loc) = match pending.take() {
            Some((count, first_loc, _)) => {
                if written_loc.is_some() {
                    return Err(twice());
                }
                (count, first_loc)
            }
            None => (0, None),
        };
        if let Some(l) = prefix_loc.or(written_loc) {
            loc = l;
        }
        let operand = read_operand(op, rest).map_err(|(o, m)| fail((operand_at + o, m)))?;
        section.items.push(Item::Instr(Instr {
            op,
            operand,
            loc,
            prefixes,
            span: at(name_at),
        }));
    }
    if let Some((_, _, span)) = pending {
        return Err(span.error("EXTENDED_ARG without an instruction after it"));
    }
    if sections.is_empty() {
        return Err(Span { line: 1, column: 1 }.error("an empty listing (no 'code ID' line)"));
    }
    Ok(sections)
}

/// `key: value` where the key is an identifier and a value follows: a property line (a
/// label is `name:` alone, an instruction has no colon before its operand). Which keys
/// exist is [`set_property`]'s to say, so a misspelt key is named as one.
fn property(body: &str) -> Option<(&str, &str, usize)> {
    let (key, value) = body.split_once(':')?;
    if !is_identifier(key) || value.trim().is_empty() {
        return None;
    }
    let offset = key.len() + 1 + (value.len() - value.trim_start().len());
    Some((key, value.trim(), offset))
}

fn set_property(
    s: &mut Section,
    key: &str,
    value: &str,
    span: Span,
) -> Result<(), (usize, String)> {
    let number = |v: &str| -> Result<u32, (usize, String)> {
        operand::number(v).ok_or((0, format!("{key}: expected a number, not {v:?}")))
    };
    let once = |slot: &mut Option<u32>, v: u32| -> Result<(), (usize, String)> {
        if slot.replace(v).is_some() {
            return Err((0, format!("{key} given twice")));
        }
        Ok(())
    };
    let mut r = Reader::new(value);
    match key {
        "name" | "qualname" | "filename" => {
            let v = r.name()?;
            r.skip_ws();
            if !r.at_end() {
                return Err((r.pos, format!("unexpected text after the {key}")));
            }
            let slot = match key {
                "name" => &mut s.name,
                "qualname" => &mut s.qualname,
                _ => &mut s.filename,
            };
            if slot.replace(v).is_some() {
                return Err((0, format!("{key} given twice")));
            }
        }
        "firstlineno" => once(&mut s.firstlineno, number(value)?)?,
        "argcount" => once(&mut s.argcount, number(value)?)?,
        "posonlyargcount" => once(&mut s.posonlyargcount, number(value)?)?,
        "kwonlyargcount" => once(&mut s.kwonlyargcount, number(value)?)?,
        "stacksize" => once(&mut s.stacksize, number(value)?)?,
        "flags" => once(
            &mut s.flags,
            operand::read_flags(value).map_err(|m| (0, m))?,
        )?,
        "consts" => loop {
            let at = r.pos;
            let lit = r.literal()?;
            s.consts.push((
                lit,
                Span {
                    line: span.line,
                    column: span.column + value[..at].chars().count(),
                },
            ));
            if !list_next(&mut r)? {
                break;
            }
        },
        "names" => loop {
            s.names.push(r.name()?);
            if !list_next(&mut r)? {
                break;
            }
        },
        "locals" => loop {
            let name = r.name()?;
            r.skip_ws();
            let kind = match r.peek() {
                None | Some(',') => crate::code::kinds::CO_FAST_LOCAL,
                _ => {
                    let at = r.pos;
                    operand::read_kind(r.word()).map_err(|m| (at, m))?
                }
            };
            s.locals.push((name, kind));
            if !list_next(&mut r)? {
                break;
            }
        },
        _ => return Err((0, format!("{key} is not a property of a code section"))),
    }
    Ok(())
}

/// After an item of a list: true if a comma follows (consumed), false at the end.
fn list_next(r: &mut Reader) -> Result<bool, (usize, String)> {
    r.skip_ws();
    if r.at_end() {
        return Ok(false);
    }
    if r.eat(",") {
        return Ok(true);
    }
    Err((r.pos, "expected ',' between items".into()))
}

fn handler(value: &str, span: Span) -> Result<Handler, (usize, String)> {
    let mut r = Reader::new(value);
    let word = |r: &mut Reader, what: &str| -> Result<String, (usize, String)> {
        r.skip_ws();
        let at = r.pos;
        let w = r.word();
        if w.is_empty() {
            return Err((at, format!("expected {what}")));
        }
        Ok(w.to_owned())
    };
    let start = word(&mut r, "the first label")?;
    let to = word(&mut r, "'to'")?;
    let end = word(&mut r, "the end label")?;
    let arrow = word(&mut r, "'->'")?;
    let target = word(&mut r, "the handler's label")?;
    if to != "to" || arrow != "->" {
        return Err((0, "expected START to END -> TARGET [DEPTH]".into()));
    }
    r.skip_ws();
    let at = r.pos;
    let depth_text = word(&mut r, "[DEPTH]")?;
    let depth = depth_text
        .strip_prefix('[')
        .and_then(|d| d.strip_suffix(']'))
        .and_then(|d| d.parse().ok())
        .ok_or((at, format!("expected [DEPTH], not {depth_text}")))?;
    r.skip_ws();
    let lasti = r.rest() == "lasti";
    if !lasti && !r.at_end() {
        return Err((r.pos, "expected 'lasti' or the end of the line".into()));
    }
    Ok(Handler {
        start,
        end,
        target,
        depth,
        lasti,
        span,
    })
}

fn read_operand(op: Opcode, rest: &str) -> Result<Operand, (usize, String)> {
    if let Some(raw) = rest.strip_prefix('#') {
        return operand::number(raw)
            .map(Operand::Raw)
            .ok_or((1, format!("#{raw} is not an oparg")));
    }
    let kind = op.arg_kind();
    if rest.is_empty() {
        return match kind {
            ArgKind::None => Ok(Operand::None),
            _ => Err((0, format!("{} needs an operand", op.name()))),
        };
    }
    let whole = |r: &mut Reader| -> Result<(), (usize, String)> {
        r.skip_ws();
        if r.at_end() {
            Ok(())
        } else {
            Err((r.pos, "unexpected text after the operand".into()))
        }
    };
    let mut r = Reader::new(rest);
    let operand = match kind {
        ArgKind::None => return Err((0, format!("{} takes no operand", op.name()))),
        ArgKind::Jump => Operand::Label(r.name()?),
        ArgKind::Const => Operand::Const(r.literal()?),
        ArgKind::Local | ArgKind::Free => Operand::Local(r.name()?),
        ArgKind::Name => {
            let prefix = match op {
                Opcode::LOAD_GLOBAL => "NULL + ",
                _ => "NULL|self + ",
            };
            let flag = matches!(
                op,
                Opcode::LOAD_GLOBAL | Opcode::LOAD_ATTR | Opcode::LOAD_SUPER_ATTR
            ) && r.eat(prefix);
            let name = r.name()?;
            r.skip_ws();
            let two_args = op == Opcode::LOAD_SUPER_ATTR && r.eat("two_args");
            Operand::Name {
                name,
                flag,
                two_args,
            }
        }
        ArgKind::Compare | ArgKind::Num => {
            let word = r.word();
            match operand::from_symbol(op, word).or_else(|| {
                (kind == ArgKind::Num)
                    .then(|| operand::number(word))
                    .flatten()
            }) {
                Some(n) => Operand::Num(n),
                None => return Err((0, format!("not an operand of {}: {word}", op.name()))),
            }
        }
    };
    whole(&mut r)?;
    Ok(operand)
}

/// `-` | `L` | `L-EL` | `L:C-EC` | `L:C-EL:EC`, a column `?` when not known.
fn read_loc(word: &str) -> Result<Loc, String> {
    let bad = || format!("not a location: {word} (write -, L, L-EL, L:C-EC or L:C-EL:EC)");
    if word == "-" {
        return Ok(Loc::NONE);
    }
    let int = |s: &str| s.parse::<i32>().ok().filter(|&v| v >= 0);
    let col = |s: &str| if s == "?" { Some(-1) } else { int(s) };
    let (line, rest) = match word.find([':', '-']) {
        Some(i) => (&word[..i], &word[i..]),
        None => (word, ""),
    };
    let line = int(line).ok_or_else(bad)?;
    let (end_line, c, ec) = if rest.is_empty() {
        (line, -1, -1)
    } else if let Some(end) = rest.strip_prefix('-') {
        (int(end).ok_or_else(bad)?, -1, -1)
    } else {
        let cols = &rest[1..];
        let (c, tail) = cols.split_once('-').ok_or_else(bad)?;
        let c = col(c).ok_or_else(bad)?;
        match tail.split_once(':') {
            Some((el, ec)) => (int(el).ok_or_else(bad)?, c, col(ec).ok_or_else(bad)?),
            None => (line, c, col(tail).ok_or_else(bad)?),
        }
    };
    Ok(Loc {
        line,
        end_line,
        col: c,
        end_col: ec,
    })
}

fn opcode_named(name: &str) -> Option<Opcode> {
    (0..=255u8)
        .filter_map(Opcode::from_u8)
        .find(|op| op.name() == name)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The line without its `;` comment (a `;` inside a quoted string is text).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                ';' => return &line[..i],
                _ => {}
            },
        }
    }
    line
}
