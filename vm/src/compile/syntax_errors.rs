//! ruff's parse errors as CPython 3.12's parser reports them: the exception class, the
//! message of the `invalid_*` rule of `Grammar/python.gram` (or of the tokenizer,
//! `Parser/tokenizer.c`) that fires on the same program, and its location.
//!
//! CPython locates a parser error by characters (`_PyPegen_raise_error_known_location`
//! converts byte offsets with `_PyPegen_byte_offset_to_character_offset`), so the columns
//! here are 1-based character offsets; errors of the later stages (symtable, compiler)
//! keep byte offsets as CPython's do.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{Expr, PySourceType};
use ruff_python_parser::{
    InterpolatedStringErrorType, LexicalErrorType, ParseError, ParseErrorType,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{first_pass, indentation, invalid_rules, number_tokens, CompileError, SyntaxClass};

/// What CPython reports for the program on which ruff stopped with `e`.
pub(super) fn from_parse_error(e: &ParseError, source: &str) -> CompileError {
    // The tokenizer's TabError on a line the parser reached before its error.
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    if let Some((line_start, tab_error)) = indentation::inconsistent_tabs(source, parsed.tokens()) {
        if line_start <= e.location.start().to_usize() {
            return tab_error;
        }
    }
    // ruff reports a yield expression where the grammar has none (a call's argument)
    // when it has parsed it, after the errors inside it; CPython's grammar fails at the
    // `yield` itself, before reading the rest (`f(yield from (), 1)`).
    let enclosing = parsed
        .errors()
        .iter()
        .filter(|o| {
            matches!(o.error, ParseErrorType::InvalidYieldExpressionUsage)
                && o.location.start() < e.location.start()
                && o.location.end() >= e.location.end()
        })
        .min_by_key(|o| o.location.start());
    let e = enclosing.unwrap_or(e);
    // The tokenizer's own errors stop the parser where they are; a later one replaces a
    // parser's error.
    let tokenizer_error = matches!(e.error, ParseErrorType::Lexical(_))
        || matches!(&e.error, ParseErrorType::OtherError(m) if m.to_ascii_lowercase().contains("unindent"));
    // ruff stops an f-string's replacement field at a token that cannot follow its
    // expression; CPython's grammar parses the field's expression, where two
    // expressions side by side are `invalid_expression`'s forgotten comma.
    if matches!(
        e.error,
        ParseErrorType::FStringError(InterpolatedStringErrorType::UnclosedLbrace)
    ) {
        // ruff lexes a field's later lines as literal text: the token there is read
        // again as CPython's tokenizer reads a name or a number.
        let start = e.location.start().to_usize();
        let rest = source.get(start..).unwrap_or("");
        let word = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let found = match rest.chars().next() {
            Some(c) if c.is_ascii_digit() => Some(TokenKind::Int),
            Some(c) if c.is_alphabetic() || c == '_' => Some(TokenKind::Name),
            _ => None,
        };
        let at = TextRange::at(
            e.location.start(),
            TextSize::try_from(word).unwrap_or_default(),
        );
        if let Some((message, at)) =
            found.and_then(|k| invalid_rules::forgotten_comma_in_field(source, k, at))
        {
            return finish(Report::at(message, at), source);
        }
    }
    if matches!(e.error, ParseErrorType::SimpleStatementsOnSameLine) {
        if let Some(at) =
            first_pass::error_token_after_expressions(source, e.location.start().to_usize())
        {
            let lex = LexicalErrorType::LineContinuationError;
            return finish(lexical(&lex, source, at), source);
        }
    }
    let report = number_error(source, e.location)
        .or_else(|| {
            (!tokenizer_error)
                .then(|| later_tokenizer_error(source, e.location.start().to_usize()))
                .flatten()
        })
        .or_else(|| unclosed_bracket(source, e.location))
        .unwrap_or_else(|| report(e, source));
    let report = match report {
        // The first pass's generic location, when the second found nothing better.
        r if r.message == "invalid syntax" && r.position.is_none() => {
            if let Some(at) = invalid_rules::def_without_type_params(parsed.tokens(), r.start) {
                return finish(Report::at("expected '('", at), source);
            }
            match first_pass::argument_after_keyword(source, r.start) {
                Some(at) => Report::at("invalid syntax", at),
                None => r,
            }
        }
        r => r,
    };
    let inside_literal = inside_string_literal(parsed.tokens(), e.location.start().to_usize())
        || inside_string_literal(parsed.tokens(), report.start);
    let mut err = finish(report, source);
    // CPython reports errors inside an f-string's fields and a literal's escapes with
    // messages of their own ("f-string: expecting '}'", "(unicode error) ..."), which the
    // VM does not reproduce: where it has only the generic message or a bracket's, that is
    // unsupported (the tokenizer's specific ones, such as "invalid decimal literal" or
    // "bytes can only contain ASCII literal characters", are CPython's too).
    let generic = err.message == "invalid syntax"
        || err.message.starts_with("closing parenthesis")
        || err.message.starts_with("unmatched")
        || err.message.ends_with("was never closed");
    if inside_literal && generic {
        err.message = format!(
            "this syntax error inside a string literal ({})",
            err.message
        );
        err.unsupported = true;
    }
    err
}

/// Whether byte offset `at` lies strictly inside a string or f-string literal (after its
/// opening, before its end; an unterminated one runs to the end of the input).
fn inside_string_literal(tokens: &ruff_python_ast::token::Tokens, at: usize) -> bool {
    let mut open: Vec<usize> = Vec::new();
    for t in tokens.iter() {
        let (start, end) = (t.start().to_usize(), t.end().to_usize());
        match t.kind() {
            TokenKind::FStringStart => open.push(start),
            TokenKind::FStringEnd => {
                if let Some(s) = open.pop() {
                    if s < at && at < end {
                        return true;
                    }
                }
            }
            TokenKind::String if open.is_empty() && start < at && at < end => return true,
            _ => {}
        }
    }
    open.iter().any(|&s| s < at)
}

/// CPython's exception for a report: its positions as characters, its end offsets.
fn finish(report: Report, source: &str) -> CompileError {
    let (line, column) = report
        .position
        .unwrap_or_else(|| char_position(source, report.start));
    // `_PyPegen_raise_error_known_location`: the parser's `text` is the tokenizer's
    // current line, or, when the tokenizer has gone past the error's line (it has read the
    // error's last token, and any it fetched after), that line without its end
    // (`get_error_line_from_tokenizer_buffers`).
    let last_read = match report.end {
        End::At(end) if end > report.start => Some(end - 1),
        _ => None,
    }
    .max(report.fetched);
    let left = last_read.is_some_and(|at| char_position(source, at).0 > line);
    let (end_line, end_column) = match report.end {
        // A NEWLINE token (or the end of the input) is one character wide in CPython's
        // tokenizer, on the line it ends.
        End::At(end)
            if end == report.start
                || matches!(source.get(report.start..end), Some("\n" | "\r\n" | "\r")) =>
        {
            (line, column + 1)
        }
        End::At(end) => {
            let (end_line, end_column) = char_position(source, end);
            if end_line > line {
                (end_line, column_on_first_line(source, line, end))
            } else {
                (end_line, end_column)
            }
        }
        End::Zero => (line, 0),
        End::MinusOne => (line, u32::MAX),
        End::Start => (line, column),
    };
    CompileError {
        message: report.message,
        line,
        column,
        end_line,
        // u32::MAX stands for CPython's -1.
        end_column: if end_column == u32::MAX {
            Some(-1)
        } else {
            i32::try_from(end_column).ok()
        },
        unsupported: false,
        class: report.class,
        origin: if report.tokenizer || left {
            super::Origin::Tokenizer
        } else {
            super::Origin::Parser
        },
    }
}

/// The end offset of an error spanning lines: `_PyPegen_raise_error_known_location`
/// converts the end's byte column with the text of the error's first line
/// (`_PyPegen_byte_offset_to_character_offset`), the tokenizer's line without its end,
/// so it is clamped to that line's length and counted in its characters.
fn column_on_first_line(source: &str, line: u32, end: usize) -> u32 {
    let first = source
        .split('\n')
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or_default();
    let first = first.strip_suffix('\r').unwrap_or(first);
    let end_line_start = source
        .get(..end)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let byte_column = end.saturating_sub(end_line_start).min(first.len());
    let chars = String::from_utf8_lossy(&first.as_bytes()[..byte_column])
        .chars()
        .count();
    u32::try_from(chars).unwrap_or(u32::MAX - 1) + 1
}

/// Where a report ends: at a source offset, or, as some tokenizer errors do, with an end
/// offset of 0 (`_PyPegen_raise_error` with `col_offset` past the line).
enum End {
    At(usize),
    Zero,
    /// The tokenizer's indentation errors end at -1.
    MinusOne,
    /// Where it starts (the tokenizer's errors at one position).
    Start,
}

struct Report {
    message: String,
    class: SyntaxClass,
    start: usize,
    end: End,
    /// CPython's (line, offset) when it is not the character position of `start`: the
    /// tokens without a column (DEDENT, ENDMARKER, the tokenizer's errors) are located
    /// where the tokenizer stands (`_PyPegen_raise_error` with `col_offset == -1`).
    position: Option<(u32, u32)>,
    /// Whether its `text` is the line without its line end ([`super::Origin::Tokenizer`]).
    tokenizer: bool,
    /// A token the parser has fetched when it raises, beyond the error's own: on a later
    /// line, the tokenizer has left the error's line.
    fetched: Option<usize>,
}

impl Report {
    fn at(message: impl Into<String>, range: TextRange) -> Report {
        Report {
            message: message.into(),
            class: SyntaxClass::SyntaxError,
            start: range.start().to_usize(),
            end: End::At(range.end().to_usize()),
            position: None,
            tokenizer: false,
            fetched: None,
        }
    }

    fn indentation(mut self) -> Report {
        self.class = SyntaxClass::IndentationError;
        self
    }
}

/// 1-based line and 1-based character column of a byte offset.
pub(super) fn char_position(source: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or("");
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + before.matches('\r').count()
        - before.matches("\r\n").count()
        + 1;
    let column = source
        .get(line_start..offset)
        .map_or(0, |s| s.chars().count())
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// The tokens CPython's tokenizer reads as numbers (a digit where a token starts).
pub(super) fn number_starts(source: &str, tokens: &ruff_python_ast::token::Tokens) -> Vec<usize> {
    tokens
        .iter()
        .filter(|t| {
            !matches!(
                t.kind(),
                TokenKind::String
                    | TokenKind::FStringMiddle
                    | TokenKind::TStringMiddle
                    | TokenKind::Comment
            )
        })
        .map(|t| t.start().to_usize())
        .filter(|&start| {
            let digit = source.as_bytes().get(start).is_some_and(u8::is_ascii_digit);
            let glued = start > 0
                && source
                    .as_bytes()
                    .get(start - 1)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.');
            digit && !glued
        })
        .collect()
}

/// `raise_unclosed_parentheses_error`: the input ends inside a bracket. CPython reports it
/// when its parser reads the end of the input there, and instead of an error it found on a
/// later line than the bracket (`_PyPegen_tokenize_full_source_to_check_for_errors`), at
/// the innermost bracket left open, with an end offset of 0.
fn unclosed_bracket(source: &str, at: TextRange) -> Option<Report> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let mut open: Vec<(usize, char)> = Vec::new();
    for t in parsed.tokens().iter() {
        match t.kind() {
            TokenKind::Lpar => open.push((t.start().to_usize(), '(')),
            TokenKind::Lsqb => open.push((t.start().to_usize(), '[')),
            TokenKind::Lbrace => open.push((t.start().to_usize(), '{')),
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                // A closing bracket that does not match is its own error.
                open.pop()?;
            }
            _ => {}
        }
    }
    let &(start, bracket) = open.last()?;
    let line_of = |offset: usize| char_position(source, offset).0;
    let at_end = source
        .get(at.start().to_usize()..)
        .is_some_and(|rest| rest.trim().is_empty());
    if !at_end && line_of(at.start().to_usize()) <= line_of(start) {
        return None;
    }
    // The parser raises it at the end of the input: a line before the last is one the
    // tokenizer has left (`get_error_line_from_tokenizer_buffers` cuts its line end).
    let line_end = source.get(start..)?.find('\n').map(|i| start + i + 1);
    let left = line_end.is_some_and(|end| end < source.len());
    Some(Report {
        message: format!("'{bracket}' was never closed"),
        class: SyntaxClass::SyntaxError,
        start,
        end: End::Zero,
        position: None,
        tokenizer: left,
        fetched: None,
    })
}

/// The tokenizer's number errors (`number_tokens`) in the numbers before ruff's error.
fn number_error(source: &str, at: TextRange) -> Option<Report> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    number_starts(source, parsed.tokens())
        .into_iter()
        .filter(|&start| start < at.end().to_usize().max(at.start().to_usize() + 1))
        .find_map(|start| number_report(source, start))
}

/// The tokenizer's error on the number starting at `start`, if any.
fn number_report(source: &str, start: usize) -> Option<Report> {
    match number_tokens::check(source, start)? {
        number_tokens::NumberIssue::Error { message, at, end } => Some(Report {
            message,
            class: SyntaxClass::SyntaxError,
            start: at.saturating_sub(1),
            end: match end {
                Some(end) => End::At(end.saturating_sub(1)),
                None => End::Start,
            },
            position: None,
            tokenizer: true,
            fetched: None,
        }),
        number_tokens::NumberIssue::Warning { .. } => None,
    }
}

/// `_PyPegen_tokenize_full_source_to_check_for_errors`: after a SyntaxError of the
/// parser, CPython tokenizes the rest of the input, and an error the tokenizer raises
/// there (`syntaxerror()` in `Parser/tokenizer.c`: an unterminated string, an invalid
/// character, a malformed number, an unmatched or mismatched closing bracket) replaces
/// it. An error token that raises nothing (a backslash not ending its line, an
/// inconsistent dedent or use of tabs) ends the scan. Scanned from `from`, where ruff
/// stopped.
fn later_tokenizer_error(source: &str, from: usize) -> Option<Report> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    // (offset, the error, or None for an error token that ends the scan)
    let mut found: Vec<(usize, Option<Report>)> = Vec::new();
    for e in parsed.errors() {
        let start = e.location.start().to_usize();
        if start < from {
            continue;
        }
        let ParseErrorType::Lexical(lex) = &e.error else {
            continue;
        };
        let raises = match lex {
            LexicalErrorType::UnclosedStringError => true,
            LexicalErrorType::UnrecognizedToken { tok } => {
                !tok.is_ascii() || tok.is_ascii_control()
            }
            LexicalErrorType::LineContinuationError
            | LexicalErrorType::Eof
            | LexicalErrorType::IndentationError => false,
            _ => continue,
        };
        found.push((start, raises.then(|| lexical(lex, source, e.location))));
    }
    if let Some((line_start, _)) = indentation::inconsistent_tabs(source, parsed.tokens()) {
        found.push((line_start, None));
    }
    found.extend(
        number_starts(source, parsed.tokens())
            .into_iter()
            .filter(|&start| start >= from)
            .filter_map(|start| number_report(source, start).map(|r| (start, Some(r)))),
    );
    // The tokenizer's bracket stack, from the start of the input.
    let mut open: Vec<(usize, char)> = Vec::new();
    for t in parsed.tokens().iter() {
        let start = t.start().to_usize();
        let closing = match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                let c = source
                    .get(start..)
                    .and_then(|r| r.chars().next())
                    .unwrap_or('(');
                open.push((start, c));
                continue;
            }
            TokenKind::Rpar => ')',
            TokenKind::Rsqb => ']',
            TokenKind::Rbrace => '}',
            _ => continue,
        };
        let message = match open.pop() {
            None => format!("unmatched '{closing}'"),
            Some((_, c)) if matches!((c, closing), ('(', ')') | ('[', ']') | ('{', '}')) => {
                continue
            }
            Some((at, c)) => {
                let (line, close_line) =
                    (char_position(source, at).0, char_position(source, start).0);
                if line == close_line {
                    format!(
                        "closing parenthesis '{closing}' does not match opening parenthesis '{c}'"
                    )
                } else {
                    format!("closing parenthesis '{closing}' does not match opening parenthesis '{c}' on line {line}")
                }
            }
        };
        if start >= from {
            found.push((
                start,
                Some(Report {
                    message,
                    class: SyntaxClass::SyntaxError,
                    start,
                    end: End::Start,
                    position: None,
                    tokenizer: true,
                    fetched: None,
                }),
            ));
        }
        break;
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().next().and_then(|(_, r)| r)
}

/// The token just after `range`.
pub(super) fn token_after(source: &str, range: TextRange) -> TextRange {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    parsed
        .tokens()
        .iter()
        .find(|t| {
            t.start() >= range.end()
                && !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline)
        })
        .map(Ranged::range)
        .unwrap_or(range)
}

/// The string token around `range` (`bytes can only contain ASCII literal characters`
/// underlines the whole literal).
fn enclosing_token(source: &str, range: TextRange) -> TextRange {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    parsed
        .tokens()
        .iter()
        .find(|t| t.start() <= range.start() && range.start() < t.end())
        .map(Ranged::range)
        .unwrap_or(range)
}

/// `invalid_assignment`'s "'tuple' is an illegal expression for augmented assignment":
/// ruff stops at the operator after an unparenthesized tuple (`a, b += 1`).
fn tuple_augmented_target(source: &str, range: TextRange) -> Option<Report> {
    let at = range.start().to_usize();
    let rest = source.get(at..)?;
    let operators = [
        "+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**=",
    ];
    if !operators.iter().any(|op| rest.starts_with(op)) {
        return None;
    }
    let line_start = source.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let target = source.get(line_start..at)?;
    let start = line_start + (target.len() - target.trim_start().len());
    let end = line_start + target.trim_end().len();
    let text = source.get(start..end)?;
    if !text.contains(',') || text.starts_with(['(', '[']) {
        return None;
    }
    Some(Report::at(
        "'tuple' is an illegal expression for augmented assignment",
        TextRange::new(
            TextSize::try_from(start).ok()?,
            TextSize::try_from(end).ok()?,
        ),
    ))
}

/// An IndentationError of the tokenizer, at the start of the error's line or just past
/// its end, with CPython's end offset of -1.
fn tokenizer_indentation(message: &str, source: &str, range: TextRange, at_end: bool) -> Report {
    let at = range.start().to_usize();
    let line_start = source
        .get(..at)
        .and_then(|b| b.rfind('\n').map(|i| i + 1))
        .unwrap_or(0);
    let rest = source.get(line_start..).unwrap_or("");
    let line_end = line_start + rest.find(['\r', '\n']).unwrap_or(rest.len());
    // "unexpected indent" is the parser's (`_PyPegen_set_syntax_error` at an INDENT, a
    // token without a column): at the tokenizer's position, past the indentation, as a
    // count of its characters.
    let position = (!at_end).then(|| {
        let indent = rest.len() - rest.trim_start_matches([' ', '\t', '\x0c']).len();
        let line = char_position(source, line_start).0;
        (line, u32::try_from(indent).unwrap_or(u32::MAX))
    });
    Report {
        message: message.to_owned(),
        class: SyntaxClass::IndentationError,
        start: if at_end { line_end } else { line_start },
        end: End::MinusOne,
        position,
        tokenizer: false,
        fetched: None,
    }
}

/// The first token of `range`: where CPython's generic "invalid syntax" points when ruff
/// names a whole expression (`yield` in `f(yield 1)`, `*` in `x: *b`).
fn first_token(source: &str, range: TextRange) -> TextRange {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    parsed
        .tokens()
        .iter()
        .find(|t| t.start() >= range.start())
        .map(Ranged::range)
        .filter(|t| t.end() <= range.end())
        .unwrap_or(range)
}

fn report(e: &ParseError, source: &str) -> Report {
    let range = e.location;
    let text = source
        .get(range.start().to_usize()..range.end().to_usize())
        .unwrap_or("");
    let rest = source.get(range.start().to_usize()..).unwrap_or("");
    let invalid = || Report::at("invalid syntax", first_token(source, range));
    if let Some(found) = tuple_augmented_target(source, range) {
        return found;
    }
    match &e.error {
        // `invalid_for_target`, `invalid_with_item`, `invalid_assignment`, ...:
        // RAISE_SYNTAX_ERROR_INVALID_TARGET(STAR_TARGETS, ...) names the first invalid
        // target with `_PyPegen_get_expr_name`.
        ParseErrorType::InvalidAssignmentTarget => {
            match first_pass::for_target_comparison(source, range, text) {
                Some((message, at)) => Report::at(message, at),
                None => {
                    let mut r = Report::at(assign_message(source, range, text), range);
                    r.fetched = first_pass::for_target_lookahead(source, range);
                    r
                }
            }
        }
        ParseErrorType::InvalidNamedAssignmentTarget => Report::at(
            format!("cannot use assignment expressions with {}", expr_name(text)),
            range,
        ),
        // `invalid_ann_assign_target` names lists and tuples; other targets fail in
        // `invalid_assignment` as ordinary targets.
        ParseErrorType::InvalidAnnotatedAssignmentTarget => {
            Report::at("illegal target for annotation", range)
        }
        // `invalid_assignment`: "'%s' is an illegal expression for augmented assignment".
        ParseErrorType::InvalidAugmentedAssignmentTarget => Report::at(
            format!(
                "'{}' is an illegal expression for augmented assignment",
                expr_name(text)
            ),
            range,
        ),
        // `invalid_del_stmt`: RAISE_SYNTAX_ERROR_INVALID_TARGET(DEL_TARGETS, a).
        ParseErrorType::InvalidDeleteTarget => {
            Report::at(format!("cannot delete {}", expr_name(text)), range)
        }
        // `invalid_arguments`: "Generator expression must be parenthesized".
        ParseErrorType::UnparenthesizedGeneratorExpression => {
            match first_pass::sole_generator_argument(source, range) {
                Some((message, at)) => Report::at(message, at),
                None => Report::at("Generator expression must be parenthesized", range),
            }
        }
        // A tuple where CPython's grammar takes one expression (`raise X, Y`, `yield from
        // a, b`): its first pass stops at the first comma.
        ParseErrorType::UnparenthesizedTupleExpression => Report::at(
            "invalid syntax",
            first_pass::first_comma(source, range).unwrap_or(range),
        ),
        // `invalid_parameters` / `invalid_lambda_parameters` and their helpers.
        ParseErrorType::ParamAfterVarKeywordParam => {
            Report::at("arguments cannot follow var-keyword argument", range)
        }
        ParseErrorType::NonDefaultParamAfterDefaultParam => Report::at(
            "parameter without a default follows parameter with a default",
            range,
        ),
        ParseErrorType::VarParameterWithDefault => {
            let before = source.get(..range.start().to_usize()).unwrap_or("");
            let param = before
                .rfind([',', '('])
                .map_or(before, |i| &before[i + 1..]);
            let what = if param.trim_start().starts_with("**") {
                "var-keyword"
            } else {
                "var-positional"
            };
            Report::at(format!("{what} argument cannot have default value"), range)
        }
        ParseErrorType::ExpectedKeywordParam => {
            let (message, at) = first_pass::bare_star(source, range);
            Report::at(message, at)
        }
        // `invalid_arguments` / `invalid_kwarg`.
        // `invalid_arguments` reports these where the parser stopped: the token after the
        // positional argument, or the `*` of the misplaced unpacking.
        ParseErrorType::PositionalAfterKeywordArgument => {
            match first_pass::comma_in_positional(source, range) {
                Some((message, at)) => Report::at(message, at),
                None => Report::at(
                    "positional argument follows keyword argument",
                    token_after(source, range),
                ),
            }
        }
        ParseErrorType::PositionalAfterKeywordUnpacking => {
            match first_pass::comma_in_positional(source, range) {
                Some((message, at)) => Report::at(message, at),
                None => Report::at(
                    "positional argument follows keyword argument unpacking",
                    token_after(source, range),
                ),
            }
        }
        ParseErrorType::InvalidArgumentUnpackingOrder => Report::at(
            "iterable argument unpacking follows keyword argument unpacking",
            first_token(source, range),
        ),
        // `invalid_as_pattern`: `or_pattern 'as' a="_"`. After `**` the target is a
        // `pattern_capture_target` (`!"_" NAME`): a generic error at the `_`.
        ParseErrorType::InvalidMatchPatternTarget => {
            let before = source.get(..range.start().to_usize()).unwrap_or("");
            if before.trim_end().ends_with("**") {
                Report::at("invalid syntax", range)
            } else {
                Report::at("cannot use '_' as a target", range)
            }
        }
        ParseErrorType::ExpectedRealNumber => {
            Report::at("real number required in complex literal", range)
        }
        ParseErrorType::ExpectedImaginaryNumber => {
            Report::at("imaginary number required in complex literal", range)
        }
        // The tokenizer's indentation errors (`tok_get_normal_mode`) point at the start
        // of the line ("unexpected indent") or just past its end (a dedent to no level).
        ParseErrorType::UnexpectedIndentation => {
            tokenizer_indentation("unexpected indent", source, range, false)
        }
        ParseErrorType::ExpectedToken { expected, found } => {
            let start = range.start().to_usize();
            if *expected == TokenKind::Colon && invalid_rules::in_dict_after_item(source, start) {
                let (message, at) = invalid_rules::dict_key_without_colon(source, start);
                let mut r = Report::at(message, at);
                r.end = End::Zero;
                return r;
            }
            let rule = match (expected, found) {
                (_, TokenKind::Equal) => invalid_rules::stray_equal(source, start, expr_name),
                (TokenKind::Rpar | TokenKind::Colon, TokenKind::Lpar) => {
                    invalid_rules::parenthesized_parameters(source, start)
                }
                (TokenKind::Rsqb | TokenKind::Rbrace, TokenKind::For) => {
                    invalid_rules::comprehension_target(source, start)
                }
                (TokenKind::Else, _) => invalid_rules::missing_else(source, start),
                _ => None,
            };
            match rule {
                Some((message, at)) => Report::at(message, at),
                None => expected_token(*expected, *found, source, range),
            }
        }
        ParseErrorType::ExpectedExpression => {
            if let Some((message, at)) = first_pass::star_without_operand(source, range) {
                return Report::at(message, at);
            }
            match invalid_rules::missing_expression(source, range.start().to_usize()) {
                Some((message, at)) => Report::at(message, at),
                None => invalid(),
            }
        }
        ParseErrorType::SimpleStatementsOnSameLine => {
            match invalid_rules::statement_start_mistake(source, range.start().to_usize()) {
                Some((message, at)) => Report::at(message, at),
                None => invalid(),
            }
        }
        // `invalid_double_starred_kvpairs` and `invalid_group`.
        ParseErrorType::InvalidStarredExpressionUsage => {
            let before = source
                .get(..range.start().to_usize())
                .unwrap_or("")
                .trim_end();
            let after = source
                .get(range.end().to_usize()..)
                .unwrap_or("")
                .trim_start();
            if before.ends_with(':') && source[..before.len()].rfind('{').is_some() {
                Report::at(
                    "cannot use a starred expression in a dictionary value",
                    range,
                )
            } else if before.ends_with('(') && after.starts_with(')') {
                Report::at("cannot use starred expression here", range)
            } else if after.starts_with(':')
                && before.ends_with(['[', '(', ','])
                && matches!(
                    invalid_rules::innermost_open(source, range.start().to_usize()),
                    Some((_, '[' | '('))
                )
            {
                // A starred element of a subscript or a parenthesized tuple
                // (`slices`, `tuple`) parses; the first pass stops at the ':' after it.
                Report::at("invalid syntax", token_after(source, range))
            } else {
                invalid()
            }
        }
        ParseErrorType::OtherError(msg) if msg == "Expected a parameter name" => {
            match invalid_rules::keyword_not_a_name(source, range) {
                Some((message, at)) => Report::at(message, at),
                None => invalid(),
            }
        }
        ParseErrorType::OtherError(msg) => other_error(msg, source, range, rest),
        ParseErrorType::Lexical(lex) => lexical(lex, source, range),
        _ => invalid(),
    }
}

/// ruff's own wordings (`OtherError`) mapped to the CPython rule giving the same error.
fn other_error(msg: &str, source: &str, range: TextRange, rest: &str) -> Report {
    let table: &[(&str, &str)] = &[
        // `invalid_parameters`.
        ("Only one '/' separator allowed", "/ may appear only once"),
        (
            "Only one '*' parameter allowed",
            "* argument may appear only once",
        ),
        (
            "Only one '*' separator allowed",
            "* argument may appear only once",
        ),
        (
            "'/' parameter must appear before '*' parameter",
            "/ must be ahead of *",
        ),
        (
            "Position-only parameter separator not allowed as first parameter",
            "at least one argument must precede /",
        ),
        // `invalid_ann_assign_target`.
        (
            "Only single target (not list) can be annotated",
            "only single target (not list) can be annotated",
        ),
        (
            "Only single target (not tuple) can be annotated",
            "only single target (not tuple) can be annotated",
        ),
        // `invalid_class_pattern`.
        (
            "Positional patterns cannot follow keyword patterns",
            "positional patterns follow keyword patterns",
        ),
        // `invalid_import_from_targets`.
        (
            "Trailing comma not allowed",
            "trailing comma not allowed without surrounding parentheses",
        ),
        // `invalid_except_stmt`.
        (
            "Multiple exception types must be parenthesized when using `as`",
            "multiple exception types must be parenthesized",
        ),
    ];
    if let Some((_, cpython)) = table.iter().find(|(ruff, _)| *ruff == msg) {
        let bracketed = rest.starts_with(['(', '[']);
        // `invalid_ann_assign_target` names the first element of an unparenthesized tuple.
        let range = if cpython.starts_with("* argument")
            || (cpython.starts_with("only single") && !bracketed)
        {
            first_token(source, range)
        } else if cpython.starts_with("trailing comma") {
            token_after(source, range)
        } else if cpython.starts_with("multiple exception types") {
            // `invalid_except_stmt` spans the types and the `as NAME` after them.
            as_name_end(source, range)
        } else {
            range
        };
        return Report::at(*cpython, range);
    }
    let lower = msg.to_ascii_lowercase();
    if lower == "expected an identifier" {
        if let Some((message, at)) =
            invalid_rules::invalid_pattern_target(source, range.start().to_usize())
        {
            return Report::at(message, at);
        }
    }
    // `invalid_named_expression`: a `=` where a list or set display goes on (`[z=3]`).
    if lower.starts_with("expected an expression or a") {
        if let Some((message, at)) =
            invalid_rules::stray_equal(source, range.start().to_usize(), expr_name)
        {
            return Report::at(message, at);
        }
    }
    // `except*` without a type: `invalid_except_star_stmt_indent` names it unless an `as`
    // follows, which fails earlier as plain invalid syntax.
    if lower == "expected one or more exception types" && !rest.starts_with("as") {
        return Report::at(lower, range);
    }
    // `invalid_try_stmt` underlines the offending `except` or `except*` keyword.
    if lower.starts_with("cannot have both 'except' and 'except*'") {
        let keyword = if rest.starts_with("except*") { 7 } else { 6 };
        let start = range.start();
        let end = start + TextSize::from(keyword);
        return Report::at(
            "cannot have both 'except' and 'except*' on the same 'try'",
            TextRange::new(start, end.min(TextSize::of(source))),
        );
    }
    if lower.starts_with("expected an indented block") {
        return indented_block(source, range);
    }
    // `invalid_try_stmt`: 'try' ':' block !('except' | 'finally'), raised at the token
    // the lookahead fetched.
    if lower.starts_with("expected `except` or `finally`") {
        let r = Report::at("expected 'except' or 'finally' block", range);
        return at_parser_token(r, source, range);
    }
    if lower.contains("unindent") {
        return tokenizer_indentation(
            "unindent does not match any outer indentation level",
            source,
            range,
            true,
        );
    }
    // A generic error is at the one token where the first pass stopped.
    Report::at("invalid syntax", first_token(source, range))
}

/// `expected_token`: the forced tokens of the grammar (`&&':'`, `&&'('`, ...) report
/// "expected 'X'"; other missing tokens are plain invalid syntax at the token found.
fn expected_token(expected: TokenKind, found: TokenKind, source: &str, range: TextRange) -> Report {
    if found == TokenKind::Dedent || found == TokenKind::Newline && expected == TokenKind::Indent {
        return indented_block(source, range);
    }
    if expected == TokenKind::Indent {
        return indented_block(source, range);
    }
    // The `invalid_*_stmt` rules report "expected ':'" when the header ends at NEWLINE;
    // `def`, `try`, `finally` and `else` force the token (`&&':'`) whatever follows.
    let header = source
        .get(..range.start().to_usize())
        .and_then(|b| b.lines().last())
        .map(str::trim_start)
        .unwrap_or("");
    let forced_colon = ["def ", "async def ", "try", "finally", "else"]
        .iter()
        .any(|k| header.starts_with(k));
    let before = source
        .get(..range.start().to_usize())
        .unwrap_or("")
        .trim_end();
    let at = source.get(range.start().to_usize()..).unwrap_or("");
    // `invalid_parameters`: "expected comma between / and *".
    if before.ends_with('/') && at.starts_with('*') {
        return Report::at("expected comma between / and *", range);
    }
    if let Some((message, at)) = invalid_rules::forgotten_comma(source, found, range) {
        return Report::at(message, at);
    }
    let forced = match expected {
        TokenKind::Colon if found == TokenKind::Newline || forced_colon => Some("':'"),
        // `function_def_raw`: 'def' NAME &&'('.
        TokenKind::Lpar => Some("'('"),
        _ => None,
    };
    match forced {
        Some(tok) => Report::at(format!("expected {tok}"), range),
        None => Report::at("invalid syntax", range),
    }
}

/// `invalid_*_stmt` rules with `NEWLINE !INDENT`: "expected an indented block after
/// 'if' statement on line %d", naming the compound statement whose body is missing.
fn indented_block(source: &str, range: TextRange) -> Report {
    let before = source.get(..range.start().to_usize()).unwrap_or("");
    // The header is the last line before the error that is not blank or a comment.
    let mut lines: Vec<(usize, &str)> = before.lines().enumerate().collect();
    while let Some((_, l)) = lines.last() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            lines.pop();
        } else {
            break;
        }
    }
    let found = lines
        .iter()
        .rev()
        .find_map(|(n, l)| header_kind(l).map(|k| (n + 1, k)));
    let message = match found {
        Some((line, kind)) => format!("expected an indented block after {kind} on line {line}"),
        None => "expected an indented block".to_owned(),
    };
    at_parser_token(Report::at(message, range).indentation(), source, range)
}

/// `report` placed where `_PyPegen_raise_error` puts an error of the last token the
/// parser fetched, which ruff's `range` names: a token, the NEWLINE before it (an
/// `invalid_*_stmt` rule's `NEWLINE !INDENT` fetched the token after it), or an empty
/// range for a DEDENT or the ENDMARKER. Those two have no column (`col_offset == -1`):
/// CPython reports the tokenizer's position, which is past the next line's indentation
/// or the end of the input, with an end offset of -1.
fn at_parser_token(mut report: Report, source: &str, range: TextRange) -> Report {
    let text = source.get(range.start().to_usize()..range.end().to_usize());
    let after_newline = matches!(text, Some("\n" | "\r\n" | "\r"));
    let columnless = if after_newline {
        let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
        let next = parsed.tokens().iter().find(|t| {
            t.start() >= range.end()
                && !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline)
        });
        match next {
            Some(t) if !matches!(t.kind(), TokenKind::Dedent | TokenKind::EndOfFile) => {
                report.start = t.start().to_usize();
                report.end = End::At(t.end().to_usize());
                return report;
            }
            Some(t) => t.start().to_usize(),
            None => source.len(),
        }
    } else if range.is_empty() {
        range.start().to_usize()
    } else {
        return report;
    };
    report.start = columnless;
    report.position = Some(tokenizer_position(source, columnless));
    report.end = End::MinusOne;
    report
}

/// Where CPython's tokenizer stands at `offset`: its line and the count of characters
/// before it on that line; at the end of the input (nothing but blanks and comments
/// left), past the last line's newline, which the tokenizer adds when it is missing.
fn tokenizer_position(source: &str, offset: usize) -> (u32, u32) {
    let rest_is_blank = source.get(offset..).is_some_and(|rest| {
        rest.lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    });
    if !rest_is_blank {
        let (line, column) = char_position(source, offset);
        return (line, column - 1);
    }
    let body = source
        .strip_suffix("\r\n")
        .or_else(|| source.strip_suffix(['\n', '\r']))
        .unwrap_or(source);
    let line_start = body.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = char_position(source, line_start).0;
    let chars = body.get(line_start..).map_or(0, |l| l.chars().count());
    (line, u32::try_from(chars + 1).unwrap_or(u32::MAX))
}

/// The words CPython's `invalid_*_stmt` rules use for a compound statement's header.
fn header_kind(line: &str) -> Option<String> {
    let t = line.trim_start();
    let t = t.strip_prefix("async ").map(str::trim_start).unwrap_or(t);
    let word: String = t
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*')
        .collect();
    let after = &t[word.len()..];
    let keyword_follows =
        after.is_empty() || after.starts_with([' ', '\t', ':', '(', '[', '*']) || word == "except*";
    if !keyword_follows {
        return None;
    }
    match word.as_str() {
        "def" => Some("function definition".to_owned()),
        "class" => Some("class definition".to_owned()),
        "except" if after.trim_start().starts_with('*') => Some("'except*' statement".to_owned()),
        "if" | "elif" | "else" | "while" | "for" | "with" | "try" | "except" | "except*"
        | "finally" | "match" | "case" => Some(format!("'{word}' statement")),
        _ => None,
    }
}

/// The tokenizer's errors (`Parser/tokenizer.c`).
fn lexical(lex: &LexicalErrorType, source: &str, range: TextRange) -> Report {
    match lex {
        LexicalErrorType::IndentationError => tokenizer_indentation(
            "unindent does not match any outer indentation level",
            source,
            range,
            true,
        ),
        LexicalErrorType::InvalidByteLiteral => Report::at(
            "bytes can only contain ASCII literal characters",
            enclosing_token(source, range),
        ),
        // `tok_continuation_line`: a backslash, its newline (the tokenizer adds one to a
        // last line without it), then the end of the input is E_EOF, which
        // `_PyPegen_tokenizer_error` raises as "unexpected EOF while parsing" at the
        // tokenizer's position, past that newline, with end offset -1.
        LexicalErrorType::LineContinuationError | LexicalErrorType::Eof
            if source
                .get(range.start().to_usize()..)
                .is_some_and(|rest| matches!(rest, "\\" | "\\\n" | "\\\r\n" | "\\\r")) =>
        {
            // Inside brackets, E_EOF is `raise_unclosed_parentheses_error`.
            unclosed_bracket(source, TextRange::empty(TextSize::of(source))).unwrap_or(Report {
                message: "unexpected EOF while parsing".to_owned(),
                class: SyntaxClass::SyntaxError,
                start: source.len(),
                end: End::MinusOne,
                position: Some(tokenizer_position(source, source.len())),
                tokenizer: false,
                fetched: None,
            })
        }
        LexicalErrorType::LineContinuationError => {
            // `tok_continuation_line`: the error's end offset is reported as 0.
            let mut r = Report::at(
                "unexpected character after line continuation character",
                range,
            );
            r.start = range.start().to_usize() + 1;
            r.end = End::Zero;
            r
        }
        LexicalErrorType::UnclosedStringError => {
            let triple = source
                .get(range.start().to_usize()..)
                .map(|s| s.trim_start_matches(|c: char| c.is_ascii_alphabetic()))
                .is_some_and(|s| s.starts_with("'''") || s.starts_with("\"\"\""));
            // The tokenizer's line when it met the end: that of the last character read
            // (a newline ending the input starts no line).
            let last = source
                .get(..range.end().to_usize())
                .and_then(|b| b.char_indices().next_back())
                .map_or(0, |(i, _)| i);
            let line = char_position(source, last).0;
            let what = if triple {
                "unterminated triple-quoted string literal"
            } else {
                "unterminated string literal"
            };
            Report {
                message: format!("{what} (detected at line {line})"),
                class: SyntaxClass::SyntaxError,
                start: range.start().to_usize(),
                end: End::Start,
                position: None,
                tokenizer: true,
                fetched: None,
            }
        }
        // `verify_identifier` / the tokenizer's default branch.
        // An ASCII character no token starts with (`$`, `?`, a backquote) is an
        // ERRORTOKEN the parser rejects as plain invalid syntax.
        LexicalErrorType::UnrecognizedToken { tok }
            if tok.is_ascii() && !tok.is_ascii_control() =>
        {
            Report::at("invalid syntax", range)
        }
        LexicalErrorType::UnrecognizedToken { tok } => {
            let code = u32::from(*tok);
            let message = if crate::reprs::is_printable(*tok) {
                format!("invalid character '{tok}' (U+{code:04X})")
            } else {
                format!("invalid non-printable character U+{code:04X}")
            };
            Report {
                message,
                class: SyntaxClass::SyntaxError,
                start: range.start().to_usize(),
                end: End::Start,
                position: None,
                tokenizer: true,
                fetched: None,
            }
        }
        _ => Report::at("invalid syntax", range),
    }
}

/// `invalid_assignment`, and `invalid_named_expression`'s "... here. Maybe you meant
/// '==' instead of '='?" when the whole first target of a statement is a `bitwise_or`
/// that is not a display or a keyword constant and one value follows.
fn assign_message(source: &str, range: TextRange, text: &str) -> String {
    let name = expr_name(text);
    let start = range.start().to_usize();
    // `invalid_assignment`: an unparenthesized yield before `=`.
    if text.trim_start().starts_with("yield") && !source[..start].trim_end().ends_with('(') {
        return "assignment to yield expression not possible".to_owned();
    }
    let (place, opened) = target_place(source, range);
    let at_statement_start = matches!(place, Place::StatementStart);
    // The parentheses around the target belong to the `bitwise_or` before `=`.
    let mut after = source.get(range.end().to_usize()..).unwrap_or("");
    for _ in 0..opened {
        after = after.trim_start();
        after = after.strip_prefix(')').unwrap_or(after);
    }
    let after = after.trim_start_matches([' ', '\t']);
    let single_eq = after.starts_with('=') && !after.starts_with("==");
    let value_line = after.get(1..).unwrap_or("");
    let value_line = value_line.lines().next().unwrap_or("");
    let chained = value_line.contains(" = ") || value_line.contains(":=");
    let excluded = matches!(
        name,
        "list" | "tuple" | "generator expression" | "True" | "None" | "False"
    ) || !is_bitwise_or(text);
    if at_statement_start && single_eq && !chained && !excluded {
        format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?")
    } else {
        format!("cannot assign to {name}")
    }
}

/// Where an invalid assignment target stands, told by the token before it (its own
/// parentheses skipped).
enum Place {
    /// First in a statement: after a NEWLINE, INDENT or DEDENT, a `;`, or the `:` of a
    /// compound statement's header (`if x: f() = 1`), where `invalid_assignment` and
    /// `invalid_named_expression` apply.
    StatementStart,
    /// Anywhere else: in brackets, or after another `=`.
    Other,
}

/// The place, and how many parentheses enclose the target itself.
fn target_place(source: &str, range: TextRange) -> (Place, usize) {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let tokens = parsed.tokens();
    let before: Vec<TokenKind> = tokens
        .iter()
        .filter(|t| t.end() <= range.start())
        .map(|t| t.kind())
        .filter(|k| !matches!(k, TokenKind::Comment | TokenKind::NonLogicalNewline))
        .collect();
    // The target's own parentheses: as many `(` right before it as `)` right after it.
    let closing = tokens
        .iter()
        .filter(|t| t.start() >= range.end())
        .filter(|t| !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline))
        .take_while(|t| t.kind() == TokenKind::Rpar)
        .count();
    let opening = before
        .iter()
        .rev()
        .take_while(|k| **k == TokenKind::Lpar)
        .count();
    let own = opening.min(closing);
    let outside = &before[..before.len() - own];
    let depth = outside.iter().fold(0i64, |d, k| match k {
        TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => d + 1,
        TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => d - 1,
        _ => d,
    });
    let place = match outside.last() {
        None
        | Some(TokenKind::Newline | TokenKind::Indent | TokenKind::Dedent | TokenKind::Semi) => {
            Place::StatementStart
        }
        Some(TokenKind::Colon) if depth == 0 => Place::StatementStart,
        Some(_) => Place::Other,
    };
    (place, own)
}

/// Whether an expression is at most a `bitwise_or` of the grammar (not a comparison,
/// `not`, boolean operation, conditional expression, lambda or named expression).
fn is_bitwise_or(text: &str) -> bool {
    match parse_expr(text) {
        Some(e) => !matches!(
            e,
            Expr::Compare(_)
                | Expr::BoolOp(_)
                | Expr::If(_)
                | Expr::Lambda(_)
                | Expr::Named(_)
                | Expr::UnaryOp(ruff_python_ast::ExprUnaryOp {
                    op: ruff_python_ast::UnaryOp::Not,
                    ..
                })
        ),
        None => true,
    }
}

pub(super) fn parse_expr(text: &str) -> Option<Expr> {
    let parsed = ruff_python_parser::parse_expression(text).ok()?;
    Some(parsed.into_expr())
}

/// `_PyPegen_get_expr_name`: how CPython's messages name an expression.
fn expr_name(text: &str) -> &'static str {
    let t = text.trim_start();
    if t.starts_with('*') {
        return "starred";
    }
    let Some(e) = parse_expr(text).or_else(|| parse_expr(&format!("({text})"))) else {
        if t.starts_with("yield") {
            return "yield expression";
        }
        return "expression";
    };
    match e {
        Expr::Attribute(_) => "attribute",
        Expr::Subscript(_) => "subscript",
        Expr::Starred(_) => "starred",
        Expr::Name(_) => "name",
        Expr::List(_) => "list",
        Expr::Tuple(_) => "tuple",
        Expr::Lambda(_) => "lambda",
        Expr::Call(_) => "function call",
        Expr::BoolOp(_) | Expr::BinOp(_) | Expr::UnaryOp(_) => "expression",
        Expr::Generator(_) => "generator expression",
        Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
        Expr::Await(_) => "await expression",
        Expr::ListComp(_) => "list comprehension",
        Expr::SetComp(_) => "set comprehension",
        Expr::DictComp(_) => "dict comprehension",
        Expr::Dict(_) => "dict literal",
        Expr::Set(_) => "set display",
        Expr::FString(_) | Expr::TString(_) => "f-string expression",
        Expr::NoneLiteral(_) => "None",
        Expr::BooleanLiteral(b) if b.value => "True",
        Expr::BooleanLiteral(_) => "False",
        Expr::EllipsisLiteral(_) => "ellipsis",
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::BytesLiteral(_) => "literal",
        Expr::Compare(_) => "comparison",
        Expr::If(_) => "conditional expression",
        Expr::Named(_) => "named expression",
        _ => "expression",
    }
}

/// `range` extended over a following `as NAME`.
fn as_name_end(source: &str, range: TextRange) -> TextRange {
    let end = range.end().to_usize();
    let after = source.get(end..).unwrap_or("");
    let trimmed = after.trim_start_matches([' ', '\t']);
    let Some(name) = trimmed.strip_prefix("as") else {
        return range;
    };
    let name_start = name.trim_start_matches([' ', '\t']);
    let ident = name_start
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let new_end = end + (after.len() - name_start.len()) + ident;
    TextRange::new(
        range.start(),
        TextSize::try_from(new_end).unwrap_or(range.end()),
    )
}
