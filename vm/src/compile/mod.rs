//! Python source to CPython 3.12 code objects.
//!
//! The pipeline is CPython 3.12's, one module per stage:
//!
//! 1. parse (ruff's parser) — [`compile`] maps its errors to [`CompileError`];
//! 2. [`symtable`]: scopes and the kind of every name (`Python/symtable.c`);
//! 3. [`fold`]: AST constant folding (`Python/ast_opt.c`), done on the fly while generating code;
//! 4. [`codegen`] (statements), [`definitions`] (`def`, `class`), [`typeparams`] (PEP 695
//!    generics and `type` aliases), [`expr`] (expressions), [`asyncs`] (`await`, `async
//!    for`, `async with`, async comprehensions) and [`patterns`] (`match`): the instruction
//!    sequence with labels and pseudo-instructions (`Python/compile.c`);
//! 5. [`cfg`]: the control-flow graph and its optimisations (`Python/flowgraph.c`);
//! 6. [`assemble`]: jump offsets, the location table, the exception table and the code
//!    object (`Python/assemble.c`).
//!
//! Anything outside the supported subset is a [`CompileError`] naming the construct, never
//! a panic and never silently different bytecode.

mod annotations;
pub(crate) mod assemble;
mod asyncs;
mod cfg;
mod charmap;
mod checks;
mod codegen;
mod definitions;
mod encoding;
mod expr;
mod first_pass;
mod fold;
mod fstring;
mod future;
mod handlers;
mod indentation;
mod interactive;
pub(crate) mod interning;
mod invalid_rules;
mod number_tokens;
mod patterns;
mod surrogates;
mod swaps;
mod symtable;
mod syntax_errors;
mod trystar;
mod typeparams;
mod unparse;
mod warnings;

use std::rc::Rc;

pub use encoding::{decode_source, decode_source_in, DecodeError};
pub(crate) use fold::{const_key, ConstKey};
pub use warnings::{before_error as warnings_before_error, CompileWarning, BOOL_INVERT_DEPRECATED};

use ruff_python_ast as ast;
use ruff_text_size::{Ranged, TextRange};

use crate::code::CodeObject;
use crate::opcode::Opcode;

/// A `SyntaxError` found while parsing or compiling, with its 1-based location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The message CPython would give (`invalid syntax`, `'return' outside function`, …),
    /// or, when [`CompileError::unsupported`], the construct framespec does not compile.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (CPython's `SyntaxError.offset`).
    pub column: u32,
    /// 1-based end line (`SyntaxError.end_lineno`).
    pub end_line: u32,
    /// 1-based column just past the error (`SyntaxError.end_offset`); `None` where
    /// CPython gives none (an error it locates by its start only), and its 0 or -1 as
    /// they are.
    pub end_column: Option<i32>,
    /// True when the source is valid Python that framespec's compiler does not support
    /// (as opposed to a genuine `SyntaxError`).
    pub unsupported: bool,
    /// Which `SyntaxError` class CPython raises.
    pub class: SyntaxClass,
    /// Which part of CPython raises it, which decides the exception's `args` and `text`.
    pub origin: Origin,
}

/// Where CPython raises a [`CompileError`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// The parser: `args` is `(msg, details)`, and `text` the source line
    /// (`_PyPegen_raise_error_known_location`).
    Parser,
    /// The tokenizer's own errors (tokenizer.c's `syntaxerror`, `_syntaxerror_range`), and
    /// the parser's for a line the tokenizer has left behind
    /// (`get_error_line_from_tokenizer_buffers`): as [`Origin::Parser`], but `text` is the
    /// line without its line end, which both cut off.
    Tokenizer,
    /// symtable.c and future.c: a SyntaxError made of the message alone, then located
    /// (`PyErr_RangedSyntaxLocationObject`): `args` is `(msg,)`, the location only in
    /// the members, `text` read from the file named, if there is one
    /// (`PyErr_ProgramTextObject`).
    Located,
    /// compile.c (`compiler_error`): `args` is `(msg, details)`, `text` read from the file.
    #[default]
    Compiler,
}

/// The exception class of a [`CompileError`]: `SyntaxError` or one of the subclasses the
/// tokenizer raises (`IndentationError`, and `TabError` below it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyntaxClass {
    #[default]
    SyntaxError,
    IndentationError,
    TabError,
}

impl SyntaxClass {
    pub fn name(self) -> &'static str {
        match self {
            SyntaxClass::SyntaxError => "SyntaxError",
            SyntaxClass::IndentationError => "IndentationError",
            SyntaxClass::TabError => "TabError",
        }
    }
}

impl CompileError {
    /// The name of the exception class CPython raises.
    pub fn class_name(&self) -> &'static str {
        self.class.name()
    }

    /// Whether CPython's parser or tokenizer raises it (rather than symtable.c, future.c
    /// or compile.c, which run on a tree the parser accepted).
    pub fn from_parser(&self) -> bool {
        matches!(self.origin, Origin::Parser | Origin::Tokenizer)
    }

    /// The `text` of the SyntaxError the parser or the tokenizer raises compiling
    /// `source`, given as a string (`None` for the later stages, which read the line from
    /// the file named). Read as a module (`exec_input`), the source ends with a line end
    /// the tokenizer adds; `'eval'` and `'single'` input is read as it is
    /// (`_PyPegen_run_parser_from_string`).
    pub fn text(&self, source: &str, exec_input: bool) -> Option<String> {
        if self.line == 0 {
            return None;
        }
        match self.origin {
            Origin::Tokenizer => line_without_end(source, self.line),
            Origin::Parser => {
                let l = source
                    .split_inclusive('\n')
                    .nth((self.line as usize).saturating_sub(1))?;
                if !exec_input && !l.ends_with('\n') {
                    return Some(l.to_owned());
                }
                let l = l.strip_suffix('\n').unwrap_or(l);
                let l = l.strip_suffix('\r').unwrap_or(l);
                Some(format!("{l}\n"))
            }
            Origin::Located | Origin::Compiler => None,
        }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tail = if self.unsupported {
            " is not supported by framespec"
        } else {
            ""
        };
        write!(
            f,
            "{}{tail} (line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for CompileError {}

/// The `line`th (1-based) line of `source` without its line end: the `text` of an error of
/// [`Origin::Tokenizer`] (tokenizer.c's `_syntaxerror_range` and pegen's
/// `get_error_line_from_tokenizer_buffers` stop at the line's `'\n'`; the tokenizer has
/// translated `"\r\n"` to it).
pub fn line_without_end(source: &str, line: u32) -> Option<String> {
    let source = source.replace("\r\n", "\n").replace('\r', "\n");
    source
        .split('\n')
        .nth((line as usize).checked_sub(1)?)
        .map(str::to_owned)
}

thread_local! {
    /// `-X no_debug_ranges` (`config->code_debug_ranges` off): the code objects made on
    /// this thread keep lines but no columns (CPython's `remove_column_info`).
    static NO_DEBUG_RANGES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Sets whether the code compiled on this thread keeps column positions
/// (`-X no_debug_ranges` of a virtual child process).
pub fn set_no_debug_ranges(on: bool) {
    NO_DEBUG_RANGES.with(|c| c.set(on));
}

/// Whether `-X no_debug_ranges` is in effect on this thread.
pub(crate) fn no_debug_ranges() -> bool {
    NO_DEBUG_RANGES.with(|c| c.get())
}

/// Compiles a module's source to its code object.
pub fn compile(source: &str, filename: &str) -> Result<Rc<CodeObject>, CompileError> {
    compile_with_warnings(source, filename).map(|(code, _)| code)
}

/// Compiles a module's source to its code object, with the SyntaxWarnings CPython 3.12
/// issues while compiling it, in its order.
pub fn compile_with_warnings(
    source: &str,
    filename: &str,
) -> Result<(Rc<CodeObject>, Vec<CompileWarning>), CompileError> {
    compile_mode(source, filename, Mode::Exec, 0)
}

/// What `compile()`'s `mode` asks for: a module (`'exec'`), one expression whose value the
/// code returns (`'eval'`), or one interactive statement whose expressions print their
/// values (`'single'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Exec,
    Eval,
    Single,
}

/// The `CO_FUTURE_*` bits `compile()` accepts in `flags` (`PyCF_MASK`).
pub const FUTURE_FLAGS: u32 = 0x1fe_0000;

/// Compiles `source` in `mode`, as CPython's `compile()` does with `flags` holding the
/// `CO_FUTURE_*` bits `future_flags` (inherited from the caller or passed): they join the
/// module's own future statements and every code object's `co_flags`. The syntax errors
/// of `'eval'` and `'single'` input, which CPython's parser reads with other start rules,
/// are derived from the module's (`interactive`).
pub fn compile_mode(
    source: &str,
    filename: &str,
    mode: Mode,
    future_flags: u32,
) -> Result<(Rc<CodeObject>, Vec<CompileWarning>), CompileError> {
    const BARRY_AS_BDFL: u32 = 0x40_0000;
    if future_flags & BARRY_AS_BDFL != 0 {
        return Err(unsupported("the barry_as_FLUFL future", Loc::line_only(1)));
    }
    let result = compile_parsed(source, filename, mode, future_flags);
    match mode {
        Mode::Exec => result,
        Mode::Single => interactive::single(source, result),
        Mode::Eval => interactive::eval(source, result),
    }
}

/// The checks of CPython's parser on `source` read as a module (`file_input`): ruff's
/// tree once it has passed them, or CPython's error.
fn parse_stage(
    source: &str,
) -> Result<(ruff_python_parser::Parsed<ast::ModModule>, LineIndex), CompileError> {
    // A byte order mark belongs to source bytes (`decode_source` drops it); in source
    // text it is a character the tokenizer refuses, where ruff skips it.
    if source.starts_with('\u{FEFF}') {
        let mut e = syntax_error("invalid non-printable character U+FEFF", Loc::line_only(1));
        (e.line, e.column, e.end_line, e.end_column) = (1, 1, 1, Some(1));
        e.origin = Origin::Tokenizer;
        return Err(e);
    }
    // Errors of the stages below are the parser's; the tokenizer's keep their origin.
    let parser = |e: CompileError| CompileError {
        origin: match e.origin {
            Origin::Tokenizer => Origin::Tokenizer,
            _ => Origin::Parser,
        },
        ..e
    };
    let parsed = ruff_python_parser::parse_module(source)
        .map_err(|e| parser(syntax_errors::from_parse_error(&e, source)))?;
    if let Some(e) = too_deeply_nested(source, parsed.tokens()) {
        return Err(e);
    }
    // ruff accepts indentation that CPython's tokenizer refuses; the parser meets such a
    // line before an error of `parser_checks` on a later line.
    let tab_error = indentation::inconsistent_tabs(source, parsed.tokens());
    if let Err(e) = checks::parser_checks(parsed.syntax(), source) {
        return Err(parser(match tab_error {
            Some((_, tab)) if tab.line <= e.line => tab,
            _ => e,
        }));
    }
    if let Some((_, tab)) = tab_error {
        return Err(parser(tab));
    }
    // The parser decodes string literals: one that escapes a lone surrogate is kept
    // aside, a bad escape is its error.
    let mut lines = LineIndex::new(source);
    lines.surrogate_literals =
        surrogates::collect(parsed.syntax(), source, &lines).map_err(parser)?;
    Ok((parsed, lines))
}

/// The tokenizer's `MAXLEVEL`: a bracket opened inside 200 others is its error "too many
/// nested parentheses" (`tok_get_normal_mode`), located just past that bracket.
fn too_deeply_nested(
    source: &str,
    tokens: &ruff_python_ast::token::Tokens,
) -> Option<CompileError> {
    use ruff_python_ast::token::TokenKind;
    const MAXLEVEL: usize = 200;
    let mut level = 0usize;
    for t in tokens.iter() {
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if level >= MAXLEVEL {
                    let (line, column) = syntax_errors::char_position(source, t.end().to_usize());
                    let column = column - 1;
                    return Some(CompileError {
                        message: "too many nested parentheses".to_owned(),
                        line,
                        column,
                        end_line: line,
                        end_column: i32::try_from(column).ok(),
                        unsupported: false,
                        class: SyntaxClass::SyntaxError,
                        origin: Origin::Tokenizer,
                    });
                }
                level += 1;
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                level = level.saturating_sub(1);
            }
            _ => {}
        }
    }
    None
}

fn compile_parsed(
    source: &str,
    filename: &str,
    mode: Mode,
    future_flags: u32,
) -> Result<(Rc<CodeObject>, Vec<CompileWarning>), CompileError> {
    let (parsed, mut lines) = parse_stage(source)?;
    let module = parsed.syntax();
    let located = |e: CompileError| CompileError {
        origin: Origin::Located,
        ..e
    };
    lines.parser_interned = interning::parser_interned(parsed.tokens(), source);
    let mut future = future::parse(module, &lines).map_err(located)?;
    future.flags |= future_flags & FUTURE_FLAGS;
    // Generic classes' bases as compiler_class rebuilds them; the symbol table visits
    // these very nodes so code generation finds their scopes.
    let bases = typeparams::generic_bases(module, source);
    let table = symtable::build(module, &lines, future.annotations(), &bases).map_err(located)?;
    checks::compiler_checks(module, &lines)?;
    let code = codegen::compile_module(
        module, mode, &table, &lines, source, filename, future, &bases,
    )?;
    Ok((
        code,
        warnings::collect(module, parsed.tokens(), source, &lines),
    ))
}

/// What `compile(..., PyCF_ONLY_AST)` works from: ruff's tree of `source` and its line
/// index (with the string literals that escape lone surrogates), once `source` has passed
/// every check of CPython's parser. The whole compilation runs to find them; an error of a
/// later stage (symtable.c, future.c, compile.c), which an AST-only compile never reaches,
/// does not count. The parser's SyntaxWarnings (the compiler's are never reached), which
/// CPython issues through the warnings machinery, are unsupported.
pub(crate) fn parse_for_ast(
    source: &str,
    filename: &str,
    mode: Mode,
    future_flags: u32,
) -> Result<(ruff_python_parser::Parsed<ast::ModModule>, LineIndex), CompileError> {
    match compile_mode(source, filename, mode, future_flags) {
        Err(e) if e.unsupported || e.from_parser() => return Err(e),
        Ok(_) | Err(_) => {}
    }
    let parsed = ruff_python_parser::parse_module(source)
        .map_err(|e| syntax_errors::from_parse_error(&e, source))?;
    let mut lines = LineIndex::new(source);
    lines.surrogate_literals = surrogates::collect(parsed.syntax(), source, &lines)?;
    if !warnings::parser_warnings(parsed.syntax(), parsed.tokens(), source, &lines).is_empty() {
        return Err(unsupported(
            "SyntaxWarnings of an AST-only compile",
            Loc::line_only(1),
        ));
    }
    Ok((parsed, lines))
}

/// The constant of a literal (number, string, bytes, True, False, None, `...`), as the
/// compiler reads it; `None` for any other expression.
pub(crate) fn literal(
    e: &ast::Expr,
    lines: &LineIndex,
) -> Result<Option<crate::code::Constant>, CompileError> {
    use ast::Expr;
    match e {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::EllipsisLiteral(_) => fold::fold(e, lines),
        _ => Ok(None),
    }
}

/// A compound statement (one with a block of its own).
pub(crate) fn is_compound(s: &ast::Stmt) -> bool {
    use ast::Stmt;
    matches!(
        s,
        Stmt::FunctionDef(_)
            | Stmt::ClassDef(_)
            | Stmt::If(_)
            | Stmt::While(_)
            | Stmt::For(_)
            | Stmt::With(_)
            | Stmt::Try(_)
            | Stmt::Match(_)
    )
}

/// A source location as CPython's compiler carries it (`location` in `compile.c`): 1-based
/// lines, 0-based UTF-8 byte columns, -1 meaning "none" (`NO_LOCATION` has line -1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub line: i32,
    pub end_line: i32,
    pub col: i32,
    pub end_col: i32,
}

impl Loc {
    pub const NONE: Loc = Loc {
        line: -1,
        end_line: -1,
        col: -1,
        end_col: -1,
    };

    /// CPython's `LOCATION(lineno, lineno, 0, 0)` used for `RESUME` and class prologues.
    pub fn line_only(line: i32) -> Loc {
        Loc {
            line,
            end_line: line,
            col: 0,
            end_col: 0,
        }
    }
}

/// Byte offset → (line, column) for CPython-style locations; it also carries the string
/// literals ruff could not represent (`surrogates`), which everything that reads a
/// literal's value must consult, and which has the index at hand.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    pub surrogate_literals: surrogates::Literals,
    /// The identifier-like strings CPython's parser interns reading the source, on which a
    /// frozenset constant's order depends (`interning`).
    pub parser_interned: std::collections::HashSet<Box<str>>,
}

impl LineIndex {
    pub fn new(source: &str) -> LineIndex {
        let mut starts = vec![0];
        let bytes = source.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            surrogate_literals: surrogates::Literals::new(),
            parser_interned: std::collections::HashSet::new(),
        }
    }

    /// 1-based line and 0-based byte column of `offset`.
    pub fn line_col(&self, offset: usize) -> (i32, i32) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        (to_i32(line + 1), to_i32(offset.saturating_sub(start)))
    }

    pub fn loc(&self, range: TextRange) -> Loc {
        let (line, col) = self.line_col(range.start().to_usize());
        let (end_line, end_col) = self.line_col(range.end().to_usize());
        Loc {
            line,
            end_line,
            col,
            end_col,
        }
    }

    pub fn of(&self, node: &impl Ranged) -> Loc {
        self.loc(node.range())
    }
}

pub(crate) fn to_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Pseudo-instructions of `compile.c` that never reach the bytecode (`SETUP_*`,
/// `POP_BLOCK`, the direction-free `JUMP`s, `STORE_FAST_MAYBE_NULL`); real opcodes pass
/// through. Their stack effects are the compiler's business (`stack_effect()` in
/// `compile.c`), so they live here and not in the opcode table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Real(Opcode),
    Jump,
    JumpNoInterrupt,
    SetupFinally,
    SetupCleanup,
    SetupWith,
    PopBlock,
    StoreFastMaybeNull,
}

impl Op {
    pub fn is_block_push(self) -> bool {
        matches!(self, Op::SetupFinally | Op::SetupCleanup | Op::SetupWith)
    }

    /// `IS_JUMP_OPCODE` (real jumps and the JUMP pseudo-ops, not the block pushes).
    pub fn is_jump(self) -> bool {
        match self {
            Op::Jump | Op::JumpNoInterrupt => true,
            Op::Real(op) => op.arg_kind() == crate::opcode::ArgKind::Jump,
            _ => false,
        }
    }

    /// `HAS_TARGET`.
    pub fn has_target(self) -> bool {
        self.is_jump() || self.is_block_push()
    }

    pub fn is_unconditional_jump(self) -> bool {
        matches!(
            self,
            Op::Jump
                | Op::JumpNoInterrupt
                | Op::Real(Opcode::JUMP_FORWARD)
                | Op::Real(Opcode::JUMP_BACKWARD)
                | Op::Real(Opcode::JUMP_BACKWARD_NO_INTERRUPT)
        )
    }

    pub fn is_scope_exit(self) -> bool {
        matches!(
            self,
            Op::Real(Opcode::RETURN_VALUE)
                | Op::Real(Opcode::RETURN_CONST)
                | Op::Real(Opcode::RAISE_VARARGS)
                | Op::Real(Opcode::RERAISE)
        )
    }

    /// `IS_TERMINATOR_OPCODE`: ends a basic block.
    pub fn is_terminator(self) -> bool {
        self.is_jump() || self.is_scope_exit()
    }

    pub fn real(self) -> Option<Opcode> {
        match self {
            Op::Real(op) => Some(op),
            _ => None,
        }
    }

    /// `stack_effect()` of `compile.c`: real opcodes come from the opcode table.
    pub fn stack_effect(self, oparg: u32, jump: bool) -> i64 {
        match self {
            Op::Real(op) => op.net_stack_effect(oparg),
            Op::Jump | Op::JumpNoInterrupt | Op::PopBlock => 0,
            // 0 in the normal flow; the handler starts with the exception pushed.
            Op::SetupFinally => i64::from(jump),
            // As SETUP_FINALLY, but lasti is pushed as well.
            Op::SetupCleanup => {
                if jump {
                    2
                } else {
                    0
                }
            }
            // The handler starts below __enter__'s result with lasti and the exception.
            Op::SetupWith => i64::from(jump),
            Op::StoreFastMaybeNull => -1,
        }
    }
}

/// One instruction before assembly. `target` is a label (during codegen) or a block index
/// (in the CFG) for instructions with [`Op::has_target`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Instr {
    pub op: Op,
    pub arg: u32,
    pub target: usize,
    pub loc: Loc,
    /// The handler block covering this instruction (`i_except` in `flowgraph.c`).
    pub except: Option<usize>,
}

impl Instr {
    pub fn new(op: Op, arg: u32, loc: Loc) -> Instr {
        Instr {
            op,
            arg,
            target: usize::MAX,
            loc,
            except: None,
        }
    }
}

/// Builds an "unsupported" error at a location.
pub(crate) fn unsupported(what: &str, loc: Loc) -> CompileError {
    CompileError {
        message: what.to_owned(),
        line: u32::try_from(loc.line.max(1)).unwrap_or(1),
        column: u32::try_from(loc.col.max(0) + 1).unwrap_or(1),
        end_line: u32::try_from(loc.line.max(1)).unwrap_or(1),
        end_column: Some(loc.col.max(0) + 1),
        unsupported: true,
        class: SyntaxClass::SyntaxError,
        origin: Origin::Compiler,
    }
}

/// Builds a genuine `SyntaxError` at a location.
pub(crate) fn syntax_error(message: &str, loc: Loc) -> CompileError {
    CompileError {
        message: message.to_owned(),
        line: u32::try_from(loc.line.max(1)).unwrap_or(1),
        column: u32::try_from(loc.col.max(0) + 1).unwrap_or(1),
        end_line: u32::try_from(loc.end_line.max(loc.line).max(1)).unwrap_or(1),
        end_column: Some(loc.end_col.max(0) + 1),
        unsupported: false,
        class: SyntaxClass::SyntaxError,
        origin: Origin::Compiler,
    }
}

/// `_Py_Mangle`: private names (`__x`) inside a class become `_Class__x`.
pub(crate) fn mangle(private: Option<&str>, name: &str) -> String {
    let Some(class) = private else {
        return name.to_owned();
    };
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return name.to_owned();
    }
    let stripped = class.trim_start_matches('_');
    if stripped.is_empty() {
        return name.to_owned();
    }
    format!("_{stripped}{name}")
}
