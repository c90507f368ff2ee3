//! CPython 3.12's `invalid_*` rules of `Grammar/python.gram` that depend on the tokens
//! around the place where ruff stopped: ruff reports a missing token or expression there,
//! CPython's second pass names the mistake. Each function returns the message and the
//! byte range CPython reports, or `None` when the rule does not apply.
//!
//! The scans are over the source text, bracket depth only (strings containing brackets
//! on the same line can mislead them; they then fall back to "invalid syntax").

use ruff_python_ast::token::TokenKind;
use ruff_text_size::{TextRange, TextSize};

/// A message with the byte range it covers.
pub(super) type Found = (String, TextRange);

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(
        TextSize::try_from(start).unwrap_or_default(),
        TextSize::try_from(end.max(start)).unwrap_or_default(),
    )
}

/// The innermost bracket still open at `pos` on its logical line, with its offset.
pub(super) fn innermost_open(source: &str, pos: usize) -> Option<(usize, char)> {
    let before = source.get(..pos)?;
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth == 0 => return Some((i, c)),
            '(' | '[' | '{' => depth -= 1,
            '\n' if depth == 0 && !before[..i].ends_with('\\') => {
                // A newline at depth 0 ends the logical line unless brackets span it;
                // keep going only when an opener is still unmatched further back.
                let line_start = before[..i].rfind('\n').map_or(0, |j| j + 1);
                let prev = &before[line_start..i];
                let opens = prev.matches(['(', '[', '{']).count();
                let closes = prev.matches([')', ']', '}']).count();
                if opens <= closes {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the expression starting at `pos` ends: the next `,`, closing bracket, `:` or
/// end of line at depth 0 (trailing blanks excluded).
fn expression_end(source: &str, pos: usize) -> usize {
    let rest = source.get(pos..).unwrap_or("");
    let mut depth = 0i32;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                end = i;
                break;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' | ':' | '\n' | '#' | ';' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    pos + rest[..end].trim_end().len()
}

/// Where the expression ending at `end` starts: after the previous `,`, opening bracket,
/// `=`, `:` or keyword at depth 0 (leading blanks excluded).
fn expression_start(source: &str, end: usize) -> usize {
    let before = source.get(..end).unwrap_or("");
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth == 0 => {
                start = i + 1;
                break;
            }
            '(' | '[' | '{' => depth -= 1,
            ',' | '=' | ':' | '\n' | ';' if depth == 0 => {
                start = i + 1;
                break;
            }
            _ => {}
        }
    }
    let text = &before[start..];
    let mut s = start + (text.len() - text.trim_start().len());
    for keyword in ["if ", "elif ", "while ", "return ", "assert "] {
        if source.get(s..).is_some_and(|t| t.starts_with(keyword)) {
            s += keyword.len();
        }
    }
    s
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Whether `pos` is inside the parameters of a `def` or a `lambda`.
pub(super) fn in_parameters(source: &str, pos: usize) -> Option<&'static str> {
    let line_start = source.get(..pos)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..pos)?;
    if let Some((open, '(')) = innermost_open(source, pos) {
        let head = source.get(..open)?.trim_end();
        // Past a type-parameter list (`def f[T](...)`).
        let head = match head.strip_suffix(']') {
            Some(inner) => match innermost_open(head, inner.len()) {
                Some((bracket, '[')) => head.get(..bracket)?.trim_end(),
                _ => head,
            },
            None => head,
        };
        let name_start = head
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        if head[..name_start].trim_end().ends_with("def") {
            return Some("def");
        }
    }
    let lambda = line.rfind("lambda")?;
    (!line[lambda..].contains(':')).then_some("lambda")
}

/// `invalid_default`, `invalid_kwarg` ("expected argument value expression") and
/// `invalid_double_starred_kvpairs` ("expression expected after dictionary key and ':'"):
/// an expression is missing at `pos`.
pub(super) fn missing_expression(source: &str, pos: usize) -> Option<Found> {
    let before = source.get(..pos)?.trim_end();
    let op = before.len() - 1;
    if before.ends_with('=') && !before.ends_with("==") {
        if in_parameters(source, pos).is_some() {
            return Some((
                "expected default value expression".into(),
                range(op, op + 1),
            ));
        }
        if let Some((_, '(')) = innermost_open(source, pos) {
            let name_start = expression_start(source, op);
            return Some((
                "expected argument value expression".into(),
                range(name_start, op + 1),
            ));
        }
    }
    if before.ends_with(':') {
        if let Some((_, '{')) = innermost_open(source, pos) {
            return Some((
                "expression expected after dictionary key and ':'".into(),
                range(op, op + 1),
            ));
        }
    }
    None
}

/// `invalid_kwarg`: an expression before `=` in a call's arguments (ruff: "Expected a
/// parameter name", on the expression).
pub(super) fn keyword_not_a_name(source: &str, at: TextRange) -> Option<Found> {
    let (start, end) = (at.start().to_usize(), at.end().to_usize());
    let text = source.get(start..end)?;
    // Past the expression's own parentheses (`f((x.y) = 1)`): the `)` right after it,
    // as many as there are `(` right before it.
    let before = source.get(..start)?;
    let opened = before
        .chars()
        .rev()
        .filter(|c| !matches!(c, ' ' | '\t'))
        .take_while(|c| *c == '(')
        .count();
    let mut end = end;
    for _ in 0..opened {
        let rest = source.get(end..)?;
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if !trimmed.starts_with(')') {
            break;
        }
        end += rest.len() - trimmed.len() + 1;
    }
    let after = source.get(end..)?;
    let eq = end + (after.len() - after.trim_start().len());
    if !source.get(eq..)?.starts_with('=') {
        return None;
    }
    if text.starts_with('*') {
        let value_end = expression_end(source, eq + 1);
        return Some((
            "cannot assign to iterable argument unpacking".into(),
            range(start, value_end),
        ));
    }
    if matches!(text, "True" | "False" | "None") {
        return Some((format!("cannot assign to {text}"), range(start, eq + 1)));
    }
    Some((
        "expression cannot contain assignment, perhaps you meant \"==\"?".into(),
        range(start, eq + 1),
    ))
}

/// Whether `eq` is outside brackets in the iterable of a `for` statement's header, which
/// `for_stmt` reads as `star_expressions`: no named expression there, so the `=` is the
/// first pass's generic error (a conditional expression before it is left to the
/// callers' other rules).
fn in_for_iterable(source: &str, eq: usize) -> bool {
    let Some(before) = source.get(..eq) else {
        return false;
    };
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let header = line.trim_start();
    let header = header.strip_prefix("async").map_or(header, str::trim_start);
    let Some(rest) = header.strip_prefix("for") else {
        return false;
    };
    if !rest.starts_with([' ', '\t', '(', '[']) {
        return false;
    }
    let words: Vec<&str> = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(in_at) = words.iter().position(|w| *w == "in") else {
        return false;
    };
    let opens = line.matches(['(', '[', '{']).count();
    let closes = line.matches([')', ']', '}']).count();
    opens == closes
        && !words[in_at..]
            .iter()
            .any(|w| matches!(*w, "if" | "lambda" | "for"))
        && !line.contains(['\'', '"', '#'])
}

/// `invalid_named_expression` and `invalid_kwarg`'s `**` case: a `=` found where an
/// expression goes on (`if x = 3:`, `[z=3]`, `f(**k=v)`).
pub(super) fn stray_equal(
    source: &str,
    eq: usize,
    name_of: impl Fn(&str) -> &'static str,
) -> Option<Found> {
    if source.get(eq..)?.starts_with("==") || in_for_iterable(source, eq) {
        return None;
    }
    let target_start = expression_start(source, eq);
    let target = source.get(target_start..eq)?.trim_end();
    let value_end = expression_end(source, eq + 1);
    if let Some(rest) = target.strip_prefix("**") {
        if !rest.is_empty() {
            return Some((
                "cannot assign to keyword argument unpacking".into(),
                range(target_start, value_end),
            ));
        }
    }
    if target.is_empty() || target.starts_with('*') {
        return None;
    }
    let before = source.get(..target_start)?.trim_end();
    let open = innermost_open(source, target_start);
    // A `with` item is an `expression` too.
    if target.starts_with("with ") || target.starts_with("async with ") {
        return Some(("invalid syntax".into(), range(eq, eq + 1)));
    }
    let in_call = matches!(open, Some((o, '(')) if is_call_paren(source, o));
    // A dict's value, a slice's bound and a keyword argument's value are `expression`s,
    // not `named_expression`s: nothing names the mistake, the `=` is the generic error.
    if (before.ends_with(':') && matches!(open, Some((_, '{' | '['))))
        || (in_call && before.ends_with('=') && !before.ends_with("=="))
    {
        return Some(("invalid syntax".into(), range(eq, eq + 1)));
    }
    // CPython's expression nodes do not include their parentheses.
    let (inner_start, inner) = without_parentheses(target_start, target);
    // `invalid_kwarg`: a call's argument that is an expression, not a name, before `=`
    // (the bare expression is `keyword_not_a_name`'s, through ruff's report).
    if in_call && (before.ends_with(',') || before.ends_with('(')) && inner.len() < target.len() {
        return Some((
            "expression cannot contain assignment, perhaps you meant \"==\"?".into(),
            range(inner_start, eq + 1),
        ));
    }
    if is_identifier(target) {
        if matches!(target, "True" | "False" | "None") {
            return None;
        }
        return Some((
            "invalid syntax. Maybe you meant '==' or ':=' instead of '='?".into(),
            range(target_start, value_end),
        ));
    }
    let name = name_of(target);
    if matches!(name, "list" | "tuple" | "generator expression") {
        return None;
    }
    Some((
        format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?"),
        range(inner_start, inner_start + inner.len()),
    ))
}

/// `text` (at `start`) without the parentheses that enclose all of it, and where that
/// starts.
fn without_parentheses(start: usize, text: &str) -> (usize, &str) {
    let (mut start, mut text) = (start, text);
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        // `(a) + (b)` is not enclosed: the first `(` must close at the end.
        let mut depth = 0i32;
        let closes_at_end = text.char_indices().all(|(i, c)| {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == text.len() - 1
        });
        if !closes_at_end {
            break;
        }
        let trimmed = inner.trim_start();
        start += 1 + (inner.len() - trimmed.len());
        text = trimmed.trim_end();
    }
    (start, text)
}

/// Whether the `(` at `open` begins a call's arguments: it follows a name that is not a
/// keyword, or a closing bracket.
fn is_call_paren(source: &str, open: usize) -> bool {
    let head = source.get(..open).unwrap_or("").trim_end();
    if head.ends_with([')', ']']) {
        return true;
    }
    let word_start = head
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let word = &head[word_start..];
    is_identifier(word)
        && !matches!(
            word,
            "if" | "elif"
                | "while"
                | "return"
                | "assert"
                | "in"
                | "not"
                | "and"
                | "or"
                | "for"
                | "yield"
                | "await"
                | "lambda"
                | "del"
                | "with"
                | "is"
                | "else"
                | "import"
                | "from"
                | "as"
                | "raise"
                | "match"
        )
}

/// `invalid_parameters` / `invalid_lambda_parameters`: a parenthesized group of
/// parameters starting at `open`.
pub(super) fn parenthesized_parameters(source: &str, open: usize) -> Option<Found> {
    let kind = in_parameters(source, open)?;
    let rest = source.get(open..)?;
    let mut depth = 0;
    let mut close = None;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    // The rule takes a flat group of plain parameters (`'(' param_no_default+ ','? ')'`).
    let close = close?;
    let inner = source.get(open + 1..close - 1)?;
    let plain = inner
        .trim_end()
        .trim_end_matches(',')
        .split(',')
        .map(|p| p.split(':').next().unwrap_or("").trim())
        .all(|p| is_identifier(p) && !matches!(p, "True" | "False" | "None"));
    if !plain {
        return None;
    }
    let message = if kind == "def" {
        "Function parameters cannot be parenthesized"
    } else {
        "Lambda expression parameters cannot be parenthesized"
    };
    Some((message.into(), range(open, close)))
}

/// `invalid_comprehension`: `[x, y for ...]`, ending at the `for` at `for_at`.
pub(super) fn comprehension_target(source: &str, for_at: usize) -> Option<Found> {
    let (open, c) = innermost_open(source, for_at)?;
    if c == '(' {
        return None;
    }
    let inner = source.get(open + 1..for_at)?;
    if !inner.contains(',') {
        return None;
    }
    let start = open + 1 + (inner.len() - inner.trim_start().len());
    let end = open + 1 + inner.trim_end().len();
    Some((
        "did you forget parentheses around the comprehension target?".into(),
        range(start, end),
    ))
}

/// `invalid_expression`: `a if b` without `else`, the `else` missing at `at`.
pub(super) fn missing_else(source: &str, at: usize) -> Option<Found> {
    let before = source.get(..at)?;
    let cond_end = before.trim_end().len();
    let if_at = before.rfind(" if ")?;
    let start = expression_start(source, if_at);
    Some((
        "expected 'else' after 'if' expression".into(),
        range(start, cond_end),
    ))
}

/// `invalid_import` ("Did you mean to use 'from ... import ...' instead?") and
/// `invalid_legacy_expression` (`print x`): statements whose second part starts at `at`.
pub(super) fn statement_start_mistake(source: &str, at: usize) -> Option<Found> {
    let line_start = source.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let head = source.get(line_start..at)?;
    let indent = head.len() - head.trim_start().len();
    let start = line_start + indent;
    let head = head.trim();
    let rest = source.get(at..)?;
    let line_end = at + rest.find('\n').unwrap_or(rest.len());
    let line = source.get(at..line_end)?.trim_end();
    if head.starts_with("import ") && line.starts_with("from ") {
        // The error ends where the tokenizer stood: after the token that follows the
        // module name (the NEWLINE counts one character).
        let module = line["from ".len()..].trim_start();
        let module_at = at + (line.len() - module.len());
        let name_len = module
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(module.len());
        let after = &module[name_len..];
        let next = after.trim_start();
        // CPython's end offset is the tokenizer's position itself, one less than the
        // 1-based column of the same byte.
        let end = if next.is_empty() {
            module_at + name_len
        } else {
            let word = next
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(next.len())
                .max(1);
            module_at + name_len + (after.len() - next.len()) + word - 1
        };
        return Some((
            "Did you mean to use 'from ... import ...' instead?".into(),
            range(start, end),
        ));
    }
    // `invalid_legacy_expression`, wherever an expression may start: the name just
    // before `at` (not an attribute's).
    let before = source.get(..at)?.trim_end();
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let word_start = before.len() - word_len;
    let word = &before[word_start..];
    let attribute = before[..word_start].trim_end().ends_with('.');
    if matches!(word, "print" | "exec") && !attribute {
        // Without them the rule does not match (the error is the generic one).
        let end = legacy_rest_end(source, at)?;
        return Some((
            format!("Missing parentheses in call to '{word}'. Did you mean {word}(...)?"),
            range(word_start, end),
        ));
    }
    None
}

/// Where `star_expressions` filling the rest of the line from `at` end (what
/// `invalid_legacy_expression` requires after `print` or `exec`), if they do.
fn legacy_rest_end(source: &str, at: usize) -> Option<usize> {
    let rest = source.get(at..)?;
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let parsed = ruff_python_parser::parse_expression(line).ok()?;
    Some(
        at + ruff_text_size::Ranged::range(parsed.expr())
            .end()
            .to_usize(),
    )
}

/// `invalid_expression`'s "invalid syntax. Perhaps you forgot a comma?": inside brackets,
/// an expression follows another without a comma (`[1, 2 3]`); the range runs from the
/// first to the end of the token found.
pub(super) fn forgotten_comma(source: &str, found: TokenKind, at: TextRange) -> Option<Found> {
    let starts_expression = matches!(
        found,
        TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
    );
    if !starts_expression {
        return None;
    }
    let pos = at.start().to_usize();
    let (open, _) = innermost_open(source, pos)?;
    // In a comprehension's clauses the iterable and the conditions are disjunctions,
    // which `invalid_expression` does not parse: a generic error.
    if has_word_at_depth_0(source.get(open + 1..pos)?, "for") {
        return None;
    }
    // A def's parameter is a NAME, not an expression, until its annotation or default.
    if in_parameters(source, pos) == Some("def") {
        let params = source.get(open + 1..pos)?;
        // The current parameter: after the last comma outside brackets.
        let mut depth = 0i32;
        let mut from = 0;
        for (i, c) in params.char_indices() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => from = i + 1,
                _ => {}
            }
        }
        if !params[from..].contains([':', '=']) {
            return None;
        }
    }
    comma_between(source, found, at)
}

/// `invalid_expression`'s forgotten comma in an f-string's replacement field, whose
/// `{` is a bracket to the tokenizer (`level` > 0) wherever the field's lines run.
pub(super) fn forgotten_comma_in_field(
    source: &str,
    found: TokenKind,
    at: TextRange,
) -> Option<Found> {
    let starts_expression = matches!(
        found,
        TokenKind::Name | TokenKind::Int | TokenKind::Float | TokenKind::Complex
    );
    if !starts_expression {
        return None;
    }
    let (message, found_at) = comma_between(source, found, at)?;
    // After a conversion (`{a!r b}`) the field expects ':' or '}': the tokenizer's
    // f-string error, not this one.
    let previous = source.get(found_at.start().to_usize()..at.start().to_usize())?;
    if previous.contains('!') && !previous.contains("!=") {
        return None;
    }
    Some((message, found_at))
}

/// The forgotten comma between the expression before `at` and the token found there.
fn comma_between(source: &str, found: TokenKind, at: TextRange) -> Option<Found> {
    let pos = at.start().to_usize();
    let before = source.get(..pos)?.trim_end();
    let ends_expression = before
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | ')' | ']' | '}' | '"' | '\''));
    if !ends_expression {
        return None;
    }
    let start = expression_start(source, before.len());
    // `!(NAME STRING | SOFT_KEYWORD)`: a prefix-like name before a string is left alone.
    let previous = source.get(start..before.len())?;
    if found == TokenKind::String && is_identifier(previous) {
        return None;
    }
    Some((
        "invalid syntax. Perhaps you forgot a comma?".into(),
        range(start, at.end().to_usize()),
    ))
}

/// Whether `pos` is in an item after the first of a dict display (`{k: v, ...`), not in
/// a lambda: where `invalid_double_starred_kvpairs` reads `','.double_starred_kvpair+ ','
/// invalid_kvpair`.
pub(super) fn in_dict_after_item(source: &str, pos: usize) -> bool {
    let Some((open, '{')) = innermost_open(source, pos) else {
        return false;
    };
    let Some(inner) = source.get(open + 1..pos) else {
        return false;
    };
    let mut depth = 0i32;
    let mut last_comma = None;
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => last_comma = Some(i),
            _ => {}
        }
    }
    last_comma.is_some_and(|i| !inner[i + 1..].trim_start().starts_with("lambda"))
}

/// `invalid_kvpair`: `a=expression !(':')`, raised with `RAISE_ERROR_KNOWN_LOCATION(p,
/// PyExc_SyntaxError, a->lineno, a->end_col_offset - 1, a->end_lineno, -1, ...)`: at the
/// key's last character, with end offset 0. The key is what precedes `pos`, where ruff
/// found no `:`.
pub(super) fn dict_key_without_colon(source: &str, pos: usize) -> Found {
    let key_end = source.get(..pos).map_or(0, |b| b.trim_end().len());
    let last = source
        .get(..key_end)
        .and_then(|b| b.chars().next_back())
        .map_or(1, char::len_utf8);
    (
        "':' expected after dictionary key".into(),
        range(key_end.saturating_sub(last), key_end.saturating_sub(last)),
    )
}

/// `invalid_as_pattern`: `or_pattern 'as' !NAME a=expression` in a `case` raises "invalid
/// pattern target" over the expression, which starts at `pos`.
pub(super) fn invalid_pattern_target(source: &str, pos: usize) -> Option<Found> {
    let before = source.get(..pos)?.trim_end();
    let as_word = before.strip_suffix("as")?;
    if as_word.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..pos)?.trim_start();
    let case = line
        .strip_prefix("case")
        .is_some_and(|rest| rest.starts_with([' ', '\t', '(', '[', '{']));
    if !case {
        return None;
    }
    // The expression's node: without the parentheses around it.
    let end = expression_end(source, pos);
    let text = source.get(pos..end)?;
    let (start, end) = match ruff_python_parser::parse_expression(text) {
        Ok(parsed) => {
            let r = ruff_text_size::Ranged::range(parsed.expr());
            (pos + r.start().to_usize(), pos + r.end().to_usize())
        }
        Err(_) => (pos, end),
    };
    Some(("invalid pattern target".into(), range(start, end)))
}

/// Whether `word` occurs as a word in `text` outside its brackets.
fn has_word_at_depth_0(text: &str, word: &str) -> bool {
    let mut depth = 0i32;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(word) => {
                let ident =
                    |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
                let before = i.checked_sub(1).and_then(|j| bytes.get(j));
                if !ident(before) && !ident(bytes.get(i + word.len())) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// `function_def_raw`: `'def' NAME &&[type_params] &&'('`. In 3.12 a type-parameter
/// list that does not parse is no `type_params` at all, so the forced `'('` fails at its
/// `[`: "expected '('" where the first pass found a generic error inside the brackets
/// (`def f[]()`, `def f[T,,]()`). The range of that `[`.
pub(super) fn def_without_type_params(
    tokens: &ruff_python_ast::token::Tokens,
    at: usize,
) -> Option<TextRange> {
    use ruff_text_size::Ranged;
    let significant: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.kind(), TokenKind::Comment | TokenKind::NonLogicalNewline))
        .collect();
    // The `[` right after `def NAME` that `at` is in (or at the closing bracket of).
    let open = significant
        .windows(3)
        .filter(|w| {
            w[0].kind() == TokenKind::Def
                && w[1].kind() == TokenKind::Name
                && w[2].kind() == TokenKind::Lsqb
                && w[2].start().to_usize() < at
        })
        .map(|w| w[2])
        .next_back()?;
    let mut depth = 0u32;
    for t in significant.iter().skip_while(|t| t.start() < open.start()) {
        match t.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (at <= t.start().to_usize()).then(|| open.range());
                }
            }
            TokenKind::Newline | TokenKind::EndOfFile => {
                return (at <= t.start().to_usize()).then(|| open.range());
            }
            _ => {}
        }
    }
    None
}
