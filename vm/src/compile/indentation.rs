//! The tokenizer's check that indentation does not depend on the size of a tab
//! (`tok_get_normal_mode` in `Parser/tokenizer.c`): each logical line's indentation is
//! measured twice, with tabs to multiples of 8 (`col`) and of 1 (`altcol`), and the two
//! measures must order the lines alike; where they do not, CPython raises TabError
//! ("inconsistent use of tabs and spaces in indentation", E_TABSPACE). ruff's lexer
//! compares indentation its own way, so the check is made again here over ruff's tokens.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::Ranged;

use super::{CompileError, SyntaxClass};

/// `tok->tabsize` and `ALTTABSIZE`.
const TAB_SIZE: u32 = 8;
const ALT_TAB_SIZE: u32 = 1;

/// The first logical line whose indentation is inconsistent, as the byte offset where
/// the line starts (the parser reaches the error there) and CPython's TabError.
/// `_PyPegen_tokenizer_error` raises it at column 0 of the line: offset 1, end offset 0.
pub(super) fn inconsistent_tabs(source: &str, tokens: &Tokens) -> Option<(usize, CompileError)> {
    // `tok->indstack` and `tok->altindstack` side by side.
    let mut stack: Vec<(u32, u32)> = vec![(0, 0)];
    let mut at_line_start = true;
    for t in tokens.iter() {
        match t.kind() {
            TokenKind::Newline => {
                at_line_start = true;
                continue;
            }
            // Blank and comment-only lines do not count (`blankline`).
            TokenKind::NonLogicalNewline
            | TokenKind::Comment
            | TokenKind::Indent
            | TokenKind::Dedent => continue,
            TokenKind::EndOfFile => break,
            _ => {}
        }
        if !at_line_start {
            continue;
        }
        at_line_start = false;
        let start = t.start().to_usize();
        let before = source.get(..start)?;
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        // The line's leading blanks (after a lexical error ruff's token may start
        // inside them). A backslash in the indentation (`cont_line_col`) is beyond this
        // check.
        let line = source.get(line_start..)?;
        let blanks = line.len() - line.trim_start_matches([' ', '\t', '\x0c']).len();
        if line[blanks..].starts_with('\\') {
            return None;
        }
        let (col, altcol) = measure(&line[..blanks]);
        let &(top, alt_top) = stack.last()?;
        let inconsistent = if col == top {
            altcol != alt_top
        } else if col > top {
            stack.push((col, altcol));
            altcol <= alt_top
        } else {
            while stack.len() > 1 && stack.last().is_some_and(|&(c, _)| col < c) {
                stack.pop();
            }
            let &(top, alt_top) = stack.last()?;
            // A dedent to no outer level is E_DEDENT, which ruff reports itself.
            if col != top {
                return None;
            }
            altcol != alt_top
        };
        if inconsistent {
            let line = super::syntax_errors::char_position(source, start).0;
            return Some((
                line_start,
                CompileError {
                    message: "inconsistent use of tabs and spaces in indentation".to_owned(),
                    line,
                    column: 1,
                    end_line: line,
                    end_column: Some(0),
                    unsupported: false,
                    class: SyntaxClass::TabError,
                    origin: super::Origin::Parser,
                },
            ));
        }
    }
    None
}

/// `col` and `altcol` of an indentation (spaces, tabs and formfeeds).
fn measure(indentation: &str) -> (u32, u32) {
    let (mut col, mut altcol) = (0u32, 0u32);
    for c in indentation.chars() {
        match c {
            ' ' => {
                col += 1;
                altcol += 1;
            }
            '\t' => {
                col = (col / TAB_SIZE + 1) * TAB_SIZE;
                altcol = (altcol / ALT_TAB_SIZE + 1) * ALT_TAB_SIZE;
            }
            // Control-L (formfeed) resets both, "for Emacs users".
            '\x0c' => {
                col = 0;
                altcol = 0;
            }
            _ => {}
        }
    }
    (col, altcol)
}
