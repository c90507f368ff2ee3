//! Which strings CPython's interpreter has interned by the time it compiles a module, as far
//! as a frozenset constant's order depends on it.
//!
//! Making a code object (`intern_string_constants` in codeobject.c) interns each
//! identifier-like string in its constants; when the interned string is another object than
//! the one in a frozenset, the frozenset is rebuilt from its items in iteration order, which
//! can change that order. That happens exactly when an equal string was interned before the
//! constant's own object: by the parser, which interns every NAME token it reads
//! (`_PyPegen_new_identifier`, soft keywords included), or by the interpreter before the
//! compile began. The second set is the state of a process; framespec models a fresh
//! `python3.12 -I` (`STARTUP_INTERNED`, generated from one).

use std::collections::HashSet;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::Ranged;

/// `all_name_chars`: the strings `intern_string_constants` interns.
pub(crate) fn is_name_like(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The identifier-like strings the parser interns reading `source`: its NAME tokens,
/// soft keywords included (hard keywords are tokens of their own in CPython's grammar).
pub(crate) fn parser_interned(tokens: &Tokens, source: &str) -> HashSet<Box<str>> {
    tokens
        .iter()
        .filter(|t| t.kind() == TokenKind::Name || t.kind().is_soft_keyword())
        .filter_map(|t| source.get(t.range().start().to_usize()..t.range().end().to_usize()))
        .filter(|s| is_name_like(s))
        .map(Box::from)
        .collect()
}

/// Whether the string `s` was interned before the compiler interned its constants: by the
/// parser (`parser`) or at the interpreter's start.
pub(crate) fn interned_before(s: &str, parser: &HashSet<Box<str>>) -> bool {
    parser.contains(s)
        || crate::runtime::cpython_names::STARTUP_INTERNED
            .binary_search(&s)
            .is_ok()
}
