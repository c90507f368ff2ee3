//! PEP 657 caret lines of printed tracebacks, following CPython 3.12's Python/traceback.c
//! (`tb_displayline`, `extract_anchors_from_*`, `print_error_location_carets`).

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::code::Position;

/// `_PyPegen_byte_offset_to_character_offset`: the characters in the first `byte` bytes
/// of `s` decoded with "replace" (a cut character counts as one U+FFFD); an offset past
/// the end is clamped one past it, which decodes the terminating NUL as one more.
fn char_offset(s: &str, byte: usize) -> usize {
    if byte > s.len() {
        return s.chars().count() + 1;
    }
    // A character cut by `byte` starts before it, so it is counted: its U+FFFD.
    s.char_indices().take_while(|(i, _)| *i < byte).count()
}

/// `_PyPegen_calculate_display_width`: the columns the first `chars` characters of
/// `line` take, two for an East Asian Wide or Fullwidth character, one for any other.
fn display_width(line: &str, chars: usize) -> usize {
    line.chars()
        .take(chars)
        .map(|c| match super::modules::unicodedata::width_class(c) {
            "W" | "F" => 2,
            _ => 1,
        })
        .sum()
}

/// The indentation `_Py_DisplaySourceLine` strips from a source line: spaces, tabs and
/// form feeds (nothing is stripped from its end).
pub fn strip_indent(src: &str) -> &str {
    src.trim_start_matches([' ', '\t', '\x0c'])
}

/// The caret line under source line `src` (line number `line`, without its newline) for
/// an instruction at `pos`, or `None` where 3.12 prints none (no columns, or carets
/// spanning the line). As 3.12's `tb_displayline`: the byte columns become character
/// offsets into the whole line, then screen columns (wide characters take two).
pub fn caret_line(src: &str, line: u32, pos: Position) -> Option<String> {
    let (start_line, end_line, col, end_col) = (
        pos.line?,
        pos.end_line?,
        pos.col? as usize,
        pos.end_col? as usize,
    );
    if start_line != line {
        return None;
    }
    let start = char_offset(src, col);
    let mut end = char_offset(src, end_col);
    let mut anchors = None;
    if start_line == end_line {
        // `extract_anchors_from_line` parses the characters start..end of the line.
        let segment: String = src
            .chars()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect();
        anchors = extract_anchors(&segment).map(|(l, r)| (l + start, r + start));
    } else {
        // A multi-line instruction is underlined to the last non-blank of the line. 3.12
        // scans the line's UTF-8 bytes backwards from the index of its last *character*
        // (a byte index and a character count mixed), so a line with multi-byte
        // characters can keep some trailing blanks or stop early; reproduced as it is.
        let bytes = src.as_bytes();
        let mut i = src.chars().count();
        end = 0;
        while i > 0 {
            i -= 1;
            if !matches!(bytes.get(i), Some(b' ' | b'\t' | b'\x0c')) {
                end = i + 1;
                break;
            }
        }
    }
    let indent = src.chars().count() - strip_indent(src).chars().count();
    // The carets are left out when they would underline the whole line after its
    // indentation (trailing blanks included), unless there are anchors.
    let stripped_len = src.chars().count() - indent;
    if end.wrapping_sub(start) == stripped_len && anchors.is_none() {
        return None;
    }
    let (start, end) = (display_width(src, start), display_width(src, end));
    let anchors = anchors.map(|(l, r)| (display_width(src, l), display_width(src, r)));
    // `print_error_location_carets`: columns from the indentation less the 4-column
    // margin, one character each: blank up to `start`, then the primary character, the
    // secondary one between the anchors.
    let mut out = String::new();
    for k in (indent as isize - 3)..=(end as isize) {
        let c = if k <= start as isize {
            ' '
        } else {
            match anchors {
                Some((l, r)) if (l as isize) < k && k <= r as isize => '^',
                Some(_) => '~',
                None => '^',
            }
        };
        out.push(c);
    }
    out.push('\n');
    Some(out)
}

/// Anchors (char offsets within `segment`) of the operator of a binary operation or the
/// brackets of a subscript.
fn extract_anchors(segment: &str) -> Option<(usize, usize)> {
    let parsed = ruff_python_parser::parse_module(segment).ok()?;
    let module = parsed.into_syntax();
    if module.body.len() != 1 {
        return None;
    }
    let Stmt::Expr(stmt) = &module.body[0] else {
        return None;
    };
    let bytes = segment.as_bytes();
    let ws = |b: u8| b == b' ' || b == b'\t' || b == b'\n' || b == b'\r' || b == b'\x0c';
    match &*stmt.value {
        Expr::BinOp(b) => {
            let left_end = b.left.range().end().to_usize();
            let right_start = b.right.range().start().to_usize();
            let mut anchors = None;
            let mut i = left_end;
            while i < right_start {
                if ws(bytes[i]) {
                    i += 1;
                    continue;
                }
                let mut r = i + 1;
                if i + 1 < right_start && !ws(bytes[i + 1]) {
                    r += 1;
                }
                anchors = Some((i, r));
                if i + 1 < right_start && bytes[i] == b')' {
                    i += 1;
                    continue;
                }
                break;
            }
            let (l, r) = anchors?;
            Some((char_offset(segment, l), char_offset(segment, r)))
        }
        Expr::Subscript(s) => {
            let n = bytes.len();
            let mut l = s.value.range().end().to_usize();
            let mut r = s.slice.range().end().to_usize() + 1;
            while l < n && bytes[l] != b'[' {
                l += 1;
            }
            while r < n && bytes[r] != b']' {
                r += 1;
            }
            if r < n {
                r += 1;
            }
            Some((char_offset(segment, l), char_offset(segment, r)))
        }
        _ => None,
    }
}
