//! Where CPython's first pass stops, and the `invalid_*` rules that depend on the
//! tokens around it. A generic "invalid syntax" is reported at the furthest token the
//! first pass fetched (`_PyPegen_set_syntax_error`), which is not always where ruff
//! stops: ruff reads on where CPython's grammar has no rule (a positional argument after
//! a keyword one, a starred slice bound), and reports some errors only when it finishes
//! the construct. Each function returns the message and byte range CPython reports, or
//! `None` when its rule does not apply.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{Expr, PySourceType};
use ruff_python_parser::ParseErrorType;
use ruff_text_size::{Ranged, TextRange};

use super::invalid_rules::{forgotten_comma, in_parameters, innermost_open, Found};
use super::syntax_errors::{parse_expr, token_after};

/// A `*` without a parameter name after it (ruff names the `*` or the `**` parameter
/// that follows). `invalid_star_etc`: `a='*' (')' | ',' (')' | '**'))` raises "named
/// arguments must follow bare *" at the `*`; `invalid_lambda_star_etc`: `'*' (':' | ','
/// (':' | '**'))` raises it with `RAISE_SYNTAX_ERROR`, at the last token fetched, the
/// one after `*` or `*,`. Anything else after the `*` (`*None`) matches neither rule:
/// a generic error at that token, where the first pass stopped.
pub(super) fn bare_star(source: &str, range: TextRange) -> Found {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let tokens: Vec<_> = parsed
        .tokens()
        .iter()
        .filter(|t| !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline))
        .collect();
    let Some(i) = tokens
        .iter()
        .rposition(|t| t.kind() == TokenKind::Star && t.start() <= range.start())
    else {
        return ("named arguments must follow bare *".into(), range);
    };
    let kind = |j: usize| tokens.get(j).map(|t| t.kind());
    let range_of = |j: usize| tokens.get(j).map_or(range, |t| t.range());
    let message = "named arguments must follow bare *";
    let after_comma = kind(i + 1) == Some(TokenKind::Comma);
    let lambda = in_parameters(source, tokens[i].start().to_usize()) == Some("lambda");
    if lambda {
        if kind(i + 1) == Some(TokenKind::Colon) {
            return (message.into(), range_of(i + 1));
        }
        if after_comma && matches!(kind(i + 2), Some(TokenKind::Colon | TokenKind::DoubleStar)) {
            return (message.into(), range_of(i + 2));
        }
    } else if kind(i + 1) == Some(TokenKind::Rpar)
        || after_comma && matches!(kind(i + 2), Some(TokenKind::Rpar | TokenKind::DoubleStar))
    {
        return (message.into(), range_of(i));
    }
    (
        "invalid syntax".into(),
        range_of(if after_comma { i + 2 } else { i + 1 }),
    )
}

/// `invalid_arguments` reads a generator expression that is not parenthesized as
/// `args for_if_clauses`, and `_PyPegen_nonparen_genexp_in_call` lets it pass when it is
/// the only argument: a call takes it as `primary genexp`, but a class's bases have no
/// such rule, so CPython stops at its `for` with a generic error.
pub(super) fn sole_generator_argument(source: &str, range: TextRange) -> Option<Found> {
    let before = source.get(..range.start().to_usize())?.trim_end();
    let after = source.get(range.end().to_usize()..)?.trim_start();
    if !(before.ends_with('(') && after.starts_with(')')) {
        return None;
    }
    let at = top_level_token(source, range, |k| {
        matches!(k, TokenKind::For | TokenKind::Async)
    })?;
    Some(("invalid syntax".into(), at))
}

/// The first token of `range` outside brackets whose kind `wanted` accepts.
fn top_level_token(
    source: &str,
    range: TextRange,
    wanted: impl Fn(TokenKind) -> bool,
) -> Option<TextRange> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let mut depth = 0i32;
    for t in parsed.tokens().iter() {
        if t.start() < range.start() || t.end() > range.end() {
            continue;
        }
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth -= 1,
            k if depth == 0 && wanted(k) => return Some(t.range()),
            _ => {}
        }
    }
    None
}

/// The first comma of `range` outside brackets.
pub(super) fn first_comma(source: &str, range: TextRange) -> Option<TextRange> {
    top_level_token(source, range, |k| k == TokenKind::Comma)
}

/// A `*` with no operand, ruff's missing expression being after it:
/// - in a call after a keyword argument (`f(x=1, *)`, `f(**k, *)`), `invalid_arguments`'s
///   `args ',' '*'` raises "iterable argument unpacking follows keyword argument
///   unpacking" at the `*`;
/// - as a slice's bound (`A[:*]`), where `slice` has no starred expression, the first
///   pass stops at the `*` itself.
pub(super) fn star_without_operand(source: &str, range: TextRange) -> Option<Found> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let before: Vec<_> = parsed
        .tokens()
        .iter()
        .filter(|t| {
            t.end() <= range.start()
                && !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline)
        })
        .collect();
    let (&star, rest) = before.split_last()?;
    if star.kind() != TokenKind::Star {
        return None;
    }
    let previous = rest.last().map(|t| t.kind());
    let (open, bracket) = innermost_open(source, star.start().to_usize())?;
    if bracket == '[' && previous == Some(TokenKind::Colon) {
        return Some(("invalid syntax".into(), star.range()));
    }
    if bracket != '(' || previous != Some(TokenKind::Comma) {
        return None;
    }
    // A call's argument list, holding a keyword argument at its own depth.
    let callee = source.get(..open)?.trim_end();
    if !callee.ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | ')' | ']')) {
        return None;
    }
    let mut depth = 0i32;
    let mut keyword = false;
    let mut previous = TokenKind::Lpar;
    for t in rest.iter().filter(|t| t.start().to_usize() > open) {
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth -= 1,
            TokenKind::DoubleStar if depth == 0 && previous == TokenKind::Comma => keyword = true,
            TokenKind::DoubleStar if depth == 0 && previous == TokenKind::Lpar => keyword = true,
            TokenKind::Equal if depth == 0 && previous == TokenKind::Name => keyword = true,
            _ => {}
        }
        previous = t.kind();
    }
    keyword.then(|| {
        (
            "iterable argument unpacking follows keyword argument unpacking".into(),
            star.range(),
        )
    })
}

/// `invalid_for_target` names no target in a comparison other than `in`
/// (`_PyPegen_get_invalid_target` returns NULL for FOR_TARGETS, since `for a in b`
/// itself reads as one), so the error is the first pass's: at the token after the
/// primary that `star_targets` read (`for i < (): ...`, at the `<`).
pub(super) fn for_target_comparison(source: &str, range: TextRange, text: &str) -> Option<Found> {
    let before = source.get(..range.start().to_usize())?.trim_end();
    let keyword = before.strip_suffix("for")?;
    if keyword.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let Expr::Compare(compare) = parse_expr(text)? else {
        return None;
    };
    if compare.ops.first() == Some(&ruff_python_ast::CmpOp::In) {
        return None;
    }
    let left = match &*compare.left {
        Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_) | Expr::Call(_) => {
            compare.left.range()
        }
        _ => return None,
    };
    // Past the parentheses around the operand, which belong to it.
    let opened = text
        .get(..left.start().to_usize())
        .map_or(0, |prefix| prefix.matches('(').count());
    let mut at = token_after(source, left + range.start());
    for _ in 0..opened {
        at = token_after(source, at);
    }
    Some(("invalid syntax".into(), at))
}

/// `invalid_for_target`: `'for' a=star_expressions` reads the target, `in` and the
/// iterable as one comparison, then the token after it, where the expression stops: its
/// offset (the tokenizer has fetched it when the rule raises), for a target right after
/// `for`.
pub(super) fn for_target_lookahead(source: &str, target: TextRange) -> Option<usize> {
    let before = source.get(..target.start().to_usize())?.trim_end();
    let keyword = before.strip_suffix("for")?;
    if keyword.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let mut tokens = parsed
        .tokens()
        .iter()
        .filter(|t| !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline))
        .skip_while(|t| t.start() < target.end());
    if tokens.next()?.kind() != TokenKind::In {
        return None;
    }
    let mut depth = 0u32;
    for t in tokens {
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::For
            | TokenKind::Async
            | TokenKind::If
            | TokenKind::Else
            | TokenKind::Colon
            | TokenKind::Newline
            | TokenKind::Equal
            | TokenKind::Semi
            | TokenKind::EndOfFile => return Some(t.start().to_usize()),
            _ => {}
        }
    }
    None
}

/// The argument of a call holding `at` when a keyword argument (`name=value` or
/// `**mapping`) comes before it and it is positional: the first pass stops at its first
/// token (`kwarg_or_starred` and `kwarg_or_double_starred` read no positional
/// argument), or at the token after a name (fetched to look for its `=`).
pub(super) fn argument_after_keyword(source: &str, at: usize) -> Option<TextRange> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let tokens: Vec<_> = parsed
        .tokens()
        .iter()
        .filter(|t| {
            !matches!(
                t.kind(),
                TokenKind::Comment | TokenKind::NonLogicalNewline | TokenKind::Newline
            )
        })
        .collect();
    // The brackets open at `at`, as token indices.
    let mut open: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.start().to_usize() >= at {
            break;
        }
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => open.push(i),
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                open.pop();
            }
            _ => {}
        }
    }
    let kind = |i: usize| tokens.get(i).map(|t| t.kind());
    for &paren in open.iter().rev() {
        let call = kind(paren) == Some(TokenKind::Lpar)
            && paren > 0
            && matches!(
                kind(paren - 1),
                Some(TokenKind::Name | TokenKind::Rpar | TokenKind::Rsqb)
            );
        if !call {
            continue;
        }
        // The arguments' first tokens, up to the one holding `at`.
        let mut firsts = vec![paren + 1];
        let mut depth = 0i32;
        for (i, t) in tokens.iter().enumerate().skip(paren + 1) {
            if t.start().to_usize() >= at {
                break;
            }
            match t.kind() {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
                TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth -= 1,
                TokenKind::Comma if depth == 0 => firsts.push(i + 1),
                _ => {}
            }
        }
        let (&current, earlier) = firsts.split_last()?;
        let keyword = |i: usize| {
            kind(i) == Some(TokenKind::DoubleStar)
                || kind(i) == Some(TokenKind::Name) && kind(i + 1) == Some(TokenKind::Equal)
        };
        if !earlier.iter().any(|&i| keyword(i)) {
            return None;
        }
        if keyword(current) || kind(current) == Some(TokenKind::Star) {
            return None;
        }
        let stop = if kind(current) == Some(TokenKind::Name) {
            current + 1
        } else {
            current
        };
        return tokens.get(stop).map(|t| t.range());
    }
    None
}

/// `invalid_arguments`' `args ',' args` parses the arguments after a keyword argument
/// as expressions before it can complain of their place: two expressions without a comma
/// among them (`f(x=1, a b)`) are `invalid_expression`'s forgotten comma first.
pub(super) fn comma_in_positional(source: &str, range: TextRange) -> Option<Found> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let call = innermost_open(source, range.start().to_usize())?;
    // Whether `pos` is inside the call's parentheses, at any depth.
    let inside = |pos: usize| {
        let mut open = innermost_open(source, pos);
        while let Some(o) = open {
            if o == call {
                return true;
            }
            open = innermost_open(source, o.0);
        }
        false
    };
    let e = parsed.errors().iter().find(|o| {
        o.location.start() >= range.end()
            && matches!(o.error, ParseErrorType::ExpectedToken { .. })
            && inside(o.location.start().to_usize())
    })?;
    let ParseErrorType::ExpectedToken { found, .. } = e.error else {
        return None;
    };
    forgotten_comma(source, found, e.location)
}

/// Two expressions side by side (ruff: statements on one line): CPython's second pass
/// reads on through the expressions juxtaposed after them (`invalid_expression`'s
/// `disjunction expression_without_invalid`, `invalid_legacy_expression`'s `NAME
/// star_expressions`), fetching the token after the last, so the tokenizer's error there
/// (a backslash not ending the line) is raised instead. The range of that error, when
/// only expressions lie between `at` and it.
pub(super) fn error_token_after_expressions(source: &str, at: usize) -> Option<TextRange> {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let line_end = source
        .get(at..)?
        .find(['\n', '\r'])
        .map_or(source.len(), |i| at + i);
    let error = parsed.errors().iter().find(|o| {
        let start = o.location.start().to_usize();
        start >= at
            && start < line_end
            && matches!(
                o.error,
                ParseErrorType::Lexical(
                    ruff_python_parser::LexicalErrorType::LineContinuationError
                )
            )
    })?;
    let end = error.location.start();
    let only_expressions = parsed
        .syntax()
        .body
        .iter()
        .filter(|s| s.start().to_usize() >= at && s.start() < end)
        .all(|s| matches!(s, ruff_python_ast::Stmt::Expr(_)) && s.end() <= end);
    let between = source.get(at..end.to_usize())?;
    (only_expressions && !between.contains(';')).then_some(error.location)
}
