//! The syntax errors of `compile()`'s `'single'` and `'eval'` input, derived from the
//! module's. CPython's parser reads such input with another start rule (`interactive`:
//! one `statement_newline`; `eval_input`: `expressions NEWLINE* ENDMARKER`) and from a
//! string the tokenizer does not end with a newline (`_PyPegen_run_parser_from_string`
//! passes `exec_input` false). In `'single'` input `_PyPegen_fill_token` reads the first
//! ENDMARKER as a NEWLINE (with the DEDENTs still due), which has no column, and once the
//! first statement has parsed `bad_single_statement` refuses anything but blanks and
//! comments after it. Where the answer cannot be derived with certainty it is the
//! unsupported verdict.

use std::rc::Rc;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{self as ast, PySourceType};
use ruff_text_size::Ranged;

use super::syntax_errors::char_position;
use super::{parse_stage, unsupported, CompileError, CompileWarning, Loc, Origin, SyntaxClass};
use crate::code::CodeObject;

type Compiled = Result<(Rc<CodeObject>, Vec<CompileWarning>), CompileError>;

/// `'single'` input: `result` is what compiling `source` as a module gave.
pub(super) fn single(source: &str, result: Compiled) -> Compiled {
    if let Some(e) = blank(source) {
        return Err(e);
    }
    if source.contains(['\r', '\u{FEFF}']) {
        return result.map_err(|e| not_derived(&e));
    }
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let tokens: Vec<_> = parsed.tokens().iter().collect();
    let Some(first) = parsed.syntax().body.first() else {
        // Empty input (an error on line 0, with the text ''), or blanks that open an
        // indented block.
        return Err(result
            .err()
            .map_or_else(|| not_derived_at(1), |e| not_derived(&e)));
    };
    // The NEWLINE token that ends the first statement (ruff's tree spans a compound
    // statement's whole block, its `else` and its decorators).
    let newline = tokens
        .iter()
        .position(|t| t.kind() == TokenKind::Newline && t.start() >= first.end());
    let prefix_end = newline.map_or(source.len(), |i| tokens[i].end().to_usize());
    let rest = source.get(prefix_end..).unwrap_or("");
    if !only_blanks_and_comments(rest) {
        let Some(newline) = newline else {
            return result.map_err(|e| not_derived(&e));
        };
        // The first statement fails on its own: the parser stops inside it, as it does
        // reading the module, with the same tokens after it.
        let prefix = source.get(..prefix_end).unwrap_or("");
        if let Err(e) = parse_stage(prefix) {
            return match result {
                Err(full) if !e.unsupported && !full.unsupported && full.from_parser() => Err(full),
                Err(full) => Err(not_derived(&full)),
                Ok(_) => Err(not_derived(&e)),
            };
        }
        if !super::is_compound(first) {
            return Err(multiple_statements(source, first, &tokens, newline));
        }
        // `compound_stmt NEWLINE`: the statement's block ends where the next statement
        // starts, the token the generic error names, unless the tokenizer finds an error
        // further on (`_PyPegen_tokenize_full_source_to_check_for_errors`), which only the
        // module's errors would tell.
        if let Err(e) = &result {
            if e.from_parser() || e.unsupported {
                return Err(not_derived(e));
            }
        }
        return match tokens.get(newline + 1..).and_then(|after| {
            after.iter().find(|t| {
                !matches!(
                    t.kind(),
                    TokenKind::Comment
                        | TokenKind::NonLogicalNewline
                        | TokenKind::Newline
                        | TokenKind::Indent
                        | TokenKind::Dedent
                )
            })
        }) {
            Some(t) => {
                let (line, column) = char_position(source, t.start().to_usize());
                let (end_line, end_column) = char_position(source, t.end().to_usize());
                if end_line != line {
                    return Err(not_derived_at(line));
                }
                Err(parser_error("invalid syntax", line, column, end_column))
            }
            None => Err(not_derived_at(1)),
        };
    }
    // One statement: the parser fails where it fails reading the module, but the NEWLINE
    // it reads at the end of input without a line end has no column.
    let Some(code_end) = last_code_end(&tokens) else {
        return Err(result
            .err()
            .map_or_else(|| not_derived_at(1), |e| not_derived(&e)));
    };
    if source.ends_with('\n') {
        return result;
    }
    let last = source.rsplit('\n').next().unwrap_or("");
    if last.chars().all(|c| c == ' ' || c == '\t' || c == '\x0c') {
        // Blanks without a line end at the end: the tokenizer reads their indentation.
        return Err(result
            .err()
            .map_or_else(|| not_derived_at(1), |e| not_derived(&e)));
    }
    let indented = indented_at(&tokens, code_end);
    if source
        .get(code_end..)
        .is_some_and(|after| after.contains('\n'))
    {
        // The code's last line ends, a comment line without a line end follows: the
        // first ENDMARKER becomes a NEWLINE after the real one, before the DEDENTs due,
        // which an indented block does not take. In a module the tokens there are
        // others: an error at the end is not derived.
        return match result {
            Err(e) if e.unsupported => Err(e),
            Err(e) if !e.from_parser() => match indented {
                true => Err(parser_error("invalid syntax", last_line(source), 0, 0)),
                false => Err(e),
            },
            Err(e) => {
                let (line, column) = char_position(source, code_end);
                let end = e
                    .end_column
                    .map(|c| (e.end_line, u32::try_from(c).unwrap_or(0)));
                if (e.line, e.column) >= (line, column)
                    || end.is_some_and(|end| end > (line, column))
                    || e.end_line > line
                {
                    Err(not_derived(&e))
                } else {
                    Err(e)
                }
            }
            Ok(_) if indented => Err(parser_error("invalid syntax", last_line(source), 0, 0)),
            Ok(code) => Ok(code),
        };
    }
    // The code's last line has no line end: the first ENDMARKER becomes its NEWLINE.
    match result {
        Err(e) if e.unsupported => Err(e),
        Err(e) if e.from_parser() => Err(at_fake_newline(source, e, code_end)),
        // A compound statement needs a NEWLINE after its block: the first ENDMARKER
        // became the block's NEWLINE and, with no DEDENT read between (a body on the
        // header's line), the second stays ENDMARKER. The parser fails before the later
        // stages run.
        _ if super::is_compound(first) && !indented => {
            Err(parser_error("invalid syntax", last_line(source), 0, 0))
        }
        other => other,
    }
}

/// `'eval'` input: `result` is what compiling `source` as a module gave (the code of its
/// one expression).
pub(super) fn eval(source: &str, result: Compiled) -> Compiled {
    if let Some(e) = blank(source) {
        return Err(e);
    }
    match result {
        Err(e) => Err(not_derived(&e)),
        // `1;` is a module of one expression statement, and no `eval_input`.
        Ok(_) if source.contains(';') => {
            let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
            if parsed.tokens().iter().any(|t| t.kind() == TokenKind::Semi) {
                return Err(not_derived_at(1));
            }
            result
        }
        Ok(code) => match starred_in_bare_tuple(source) {
            Some(e) => Err(e),
            None => Ok(code),
        },
    }
}

/// `eval_input` is `expressions`, whose items are `expression`s: a starred item is
/// allowed in a module's expression statement (`star_expressions`) but not in an
/// unparenthesized tuple here, where the parser stops at its `*` ("invalid syntax").
fn starred_in_bare_tuple(source: &str) -> Option<CompileError> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let Some(ast::Stmt::Expr(e)) = parsed.syntax().body.first() else {
        return None;
    };
    let ast::Expr::Tuple(t) = &*e.value else {
        return None;
    };
    if t.parenthesized {
        return None;
    }
    let star = t.elts.iter().find(|x| matches!(x, ast::Expr::Starred(_)))?;
    let (line, column) = char_position(source, star.start().to_usize());
    Some(parser_error("invalid syntax", line, column, column + 1))
}

/// The error of input with no statement (blank lines and comments at the start of
/// lines): both start rules want a token, and the ENDMARKER's line is the last one
/// (with no column). Empty input (line 0) and blanks without a line end (an INDENT)
/// are not derived.
fn blank(source: &str) -> Option<CompileError> {
    let mut lines = source.split_inclusive('\n').peekable();
    if source.is_empty() {
        return None;
    }
    while let Some(l) = lines.next() {
        let terminated = l.ends_with('\n');
        let body = l.strip_suffix('\n').unwrap_or(l);
        let ok = body.starts_with('#')
            || body.chars().all(|c| c == ' ' || c == '\t') && (terminated || body.is_empty());
        if !ok || body.contains('\r') {
            return None;
        }
        if lines.peek().is_none() {
            break;
        }
    }
    Some(parser_error("invalid syntax", last_line(source), 0, 0))
}

/// The ENDMARKER's line: the number of the last line (one ending with a line end counts
/// as the last).
fn last_line(source: &str) -> u32 {
    let n = source.matches('\n').count() + usize::from(!source.ends_with('\n'));
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `bad_single_statement`: anything but spaces, tabs, form feeds, line ends and comments.
fn only_blanks_and_comments(rest: &str) -> bool {
    let mut comment = false;
    rest.chars().all(|c| match c {
        '\n' => {
            comment = false;
            true
        }
        _ if comment => true,
        '#' => {
            comment = true;
            true
        }
        ' ' | '\t' | '\x0c' => true,
        _ => false,
    })
}

/// "multiple statements found while compiling a single statement", raised at the last
/// token read: the first statement's NEWLINE, which starts at a comment before the line
/// end.
fn multiple_statements(
    source: &str,
    first: &ast::Stmt,
    tokens: &[&ruff_python_ast::token::Token],
    newline: usize,
) -> CompileError {
    let nl = tokens[newline];
    // A backslash continuation or a string over several lines makes the error's text
    // every line of the statement.
    let body = source
        .get(first.start().to_usize()..nl.start().to_usize())
        .unwrap_or("");
    let (line, nl_column) = char_position(source, nl.start().to_usize());
    let statements = ruff_text_size::TextRange::new(first.start(), nl.start());
    let multi_line_token = tokens.iter().any(|t| {
        statements.contains_range(t.range())
            && !matches!(t.kind(), TokenKind::NonLogicalNewline | TokenKind::Newline)
            && source
                .get(t.start().to_usize()..t.end().to_usize())
                .is_some_and(|s| s.contains('\n'))
    });
    if body.contains("\\\n") || multi_line_token {
        return not_derived_at(line);
    }
    let start = match newline.checked_sub(1).map(|i| tokens[i]) {
        Some(c) if c.kind() == TokenKind::Comment => c.start().to_usize(),
        _ => nl.start().to_usize(),
    };
    let (_, column) = char_position(source, start);
    parser_error(
        "multiple statements found while compiling a single statement",
        line,
        column,
        nl_column + 1,
    )
}

/// The end of the last token that is not a comment, a line end or an indentation.
fn last_code_end(tokens: &[&ruff_python_ast::token::Token]) -> Option<usize> {
    tokens
        .iter()
        .rev()
        .find(|t| {
            !matches!(
                t.kind(),
                TokenKind::Comment
                    | TokenKind::NonLogicalNewline
                    | TokenKind::Newline
                    | TokenKind::Indent
                    | TokenKind::Dedent
                    | TokenKind::EndOfFile
            )
        })
        .map(|t| t.end().to_usize())
}

/// Whether the code ending at `end` is inside an indented block.
fn indented_at(tokens: &[&ruff_python_ast::token::Token], end: usize) -> bool {
    let mut depth = 0i32;
    for t in tokens.iter().take_while(|t| t.start().to_usize() < end) {
        match t.kind() {
            TokenKind::Indent => depth += 1,
            TokenKind::Dedent => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

/// The module's error `e` in input that ends without a line end after its last token at
/// `code_end`. An error located by tokens before the end is the same; the generic error
/// at the NEWLINE there is at the fake NEWLINE, whose line is the ENDMARKER's and whose
/// column is none (0). Other errors at the end take their start or end from the
/// tokenizer's position (`RAISE_SYNTAX_ERROR`, `CURRENT_POS` in
/// `_PyPegen_raise_error_known_location`), which is past the line end in a module and at
/// the end of the input here: not derived.
fn at_fake_newline(source: &str, e: CompileError, code_end: usize) -> CompileError {
    let (line, column) = char_position(source, code_end);
    if (e.line, e.column) >= (line, column) {
        return if e.class == SyntaxClass::SyntaxError
            && e.message == "invalid syntax"
            && e.line == line
        {
            CompileError {
                line: last_line(source),
                column: 0,
                end_line: last_line(source),
                end_column: Some(0),
                ..e
            }
        } else {
            not_derived(&e)
        };
    }
    // An error that ends where the code ends ends at a token, unless its rule raises it
    // `RAISE_SYNTAX_ERROR_STARTING_FROM`, which ends it at `CURRENT_POS`.
    let end = match e.end_column {
        Some(c) if c > 0 => Some((e.end_line, u32::try_from(c).unwrap_or(u32::MAX))),
        _ => None,
    };
    let undetermined = match end {
        Some(end) => {
            end > (line, column) || end == (line, column) && ends_at_current_pos(&e.message)
        }
        None => e.end_line > line,
    };
    if undetermined {
        return not_derived(&e);
    }
    e
}

/// The messages of the rules of `Grammar/python.gram` that raise with
/// `RAISE_SYNTAX_ERROR_STARTING_FROM`.
fn ends_at_current_pos(message: &str) -> bool {
    [
        "Did you mean to use 'from ... import ...' instead?",
        "Expected one or more names after 'import'",
        "cannot use a starred expression in a dictionary value",
        "cannot use dict unpacking in a dictionary value",
        "Type parameter list cannot be empty",
    ]
    .contains(&message)
        || message.starts_with("multiple exception types must be parenthesized")
}

fn parser_error(message: &str, line: u32, column: u32, end_column: u32) -> CompileError {
    CompileError {
        message: message.to_owned(),
        line,
        column,
        end_line: line,
        end_column: Some(i32::try_from(end_column).unwrap_or(i32::MAX)),
        unsupported: false,
        class: SyntaxClass::SyntaxError,
        origin: Origin::Parser,
    }
}

/// The unsupported verdict for an error whose `'single'`/`'eval'` form is not derived.
fn not_derived(e: &CompileError) -> CompileError {
    if e.unsupported {
        return e.clone();
    }
    unsupported(
        &format!(
            "this syntax error in 'single' or 'eval' input ({}), which CPython's parser \
             may report elsewhere than in a module,",
            e.message
        ),
        Loc::line_only(i32::try_from(e.line).unwrap_or(1)),
    )
}

fn not_derived_at(line: u32) -> CompileError {
    unsupported(
        "a syntax error of this shape in 'single' or 'eval' input",
        Loc::line_only(i32::try_from(line).unwrap_or(1)),
    )
}
