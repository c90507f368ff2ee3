//! Source encodings (PEP 263, PEP 3120): the text of a source file given as bytes, as
//! CPython 3.12's tokenizer decodes `compile(source_bytes, …)` (`decode_str`): a UTF-8
//! byte order mark, then a coding cookie on the first line, or on the second when the
//! first holds nothing but a comment (`check_coding_spec`, `get_coding_spec`), normalised
//! by `get_normal_name`.
//!
//! UTF-8 and Latin-1 are decoded here, and the character-map codecs of CPython's `Lib/`
//! (`charmap`) when it is at hand. Any other text encoding CPython knows is unsupported; a
//! name CPython does not know is its SyntaxError.

use std::borrow::Cow;
use std::path::Path;

use super::{syntax_error, unsupported, CompileError, Loc};
use crate::runtime::cpython_names::TEXT_ENCODINGS;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// The source text of `bytes`. Invalid UTF-8 without a cookie is the caller's to report
/// (CPython reports it where the tokenizer meets it). Without CPython's `Lib/` at hand,
/// only encodings that need no codec module decode: see [`decode_source_in`].
pub fn decode_source(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    decode_source_in(bytes, None)
}

/// [`decode_source`] with CPython 3.12's `Lib/` directory `stdlib`, whose character-map
/// codecs (`charmap`) decode the 8-bit encodings.
pub fn decode_source_in<'a>(
    bytes: &'a [u8],
    stdlib: Option<&Path>,
) -> Result<Cow<'a, str>, DecodeError> {
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let spec = coding_spec(body);
    let normal = spec.map(normal_name);
    if bom {
        if let Some(s) = spec {
            if normal != Some("utf-8") {
                return Err(DecodeError::Syntax(encoding_error(&format!(
                    "encoding problem: {} with BOM",
                    String::from_utf8_lossy(s)
                ))));
            }
        }
    }
    let offset = if bom { BOM.len() } else { 0 };
    let utf8 = || {
        std::str::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|e| DecodeError::NotUtf8(e.valid_up_to() + offset))
    };
    let Some(name) = normal else {
        return utf8();
    };
    if name == "utf-8" {
        return utf8();
    }
    match codec(name) {
        Some(("utf_8", _)) => utf8(),
        Some(("latin_1", _)) => Ok(Cow::Owned(body.iter().map(|&b| char::from(b)).collect())),
        // Any codec that reads ASCII as ASCII reads an all-ASCII file so.
        Some((_, true)) if body.is_ascii() => utf8(),
        Some((module, _)) => {
            let why = match stdlib.map(|dir| super::charmap::decode(dir, module, body)) {
                Some(Ok(text)) => return Ok(Cow::Owned(text)),
                Some(Err(why)) => why,
                None => "CPython's Lib/ is not at hand".to_owned(),
            };
            Err(DecodeError::Syntax(unsupported(
                &format!("the source encoding {name} ({why})"),
                Loc::line_only(1),
            )))
        }
        None => Err(DecodeError::Syntax(encoding_error(&format!(
            "unknown encoding: {name}"
        )))),
    }
}

/// Why a source could not be decoded.
#[derive(Debug)]
pub enum DecodeError {
    /// The error CPython raises (or the encoding framespec cannot decode yet).
    Syntax(CompileError),
    /// UTF-8 that is not valid, at this byte offset.
    NotUtf8(usize),
}

/// CPython reports encoding problems at line 0 with no offset.
fn encoding_error(message: &str) -> CompileError {
    let mut e = syntax_error(message, Loc::NONE);
    e.line = 0;
    e.column = 0;
    e.end_line = 0;
    e.end_column = Some(0);
    e
}

/// The coding spec of the first two lines, as `check_coding_spec` finds it.
fn coding_spec(text: &[u8]) -> Option<&[u8]> {
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(spec) = line_spec(first) {
        return Some(spec);
    }
    // Past a line holding anything but blanks and a comment, no cookie counts.
    let code = first
        .iter()
        .take_while(|&&b| b != b'#' && b != b'\n' && b != b'\r')
        .any(|&b| !matches!(b, b' ' | b'\t' | b'\x0c'));
    if code {
        return None;
    }
    line_spec(lines.next()?)
}

/// `get_coding_spec` on one line: a comment line holding `coding[:=]` and a name.
fn line_spec(line: &[u8]) -> Option<&[u8]> {
    let hash = line.iter().position(|&b| b == b'#')?;
    if line[..hash]
        .iter()
        .any(|&b| !matches!(b, b' ' | b'\t' | b'\x0c'))
    {
        return None;
    }
    let mut i = 0;
    while i + 6 <= line.len() {
        if &line[i..i + 6] == b"coding" && matches!(line.get(i + 6), Some(b':' | b'=')) {
            let mut start = i + 7;
            while matches!(line.get(start), Some(b' ' | b'\t')) {
                start += 1;
            }
            let mut end = start;
            while line
                .get(end)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            {
                end += 1;
            }
            if end > start {
                return Some(&line[start..end]);
            }
        }
        i += 1;
    }
    None
}

/// `get_normal_name`: the UTF-8 and Latin-1 spellings folded to one name each.
fn normal_name(spec: &[u8]) -> &str {
    let name = std::str::from_utf8(spec).unwrap_or("");
    let head: String = name
        .chars()
        .take(12)
        .map(|c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if head == "utf-8" || head.starts_with("utf-8-") {
        "utf-8"
    } else if ["latin-1", "iso-8859-1", "iso-latin-1"]
        .iter()
        .any(|n| head == *n || head.starts_with(&format!("{n}-")))
    {
        "iso-8859-1"
    } else {
        name
    }
}

/// The text encoding `codecs.lookup(name)` finds (`encodings.search_function`): its
/// module and whether it reads ASCII as ASCII.
fn codec(name: &str) -> Option<(&'static str, bool)> {
    let lowered = name.to_lowercase().replace(' ', "_");
    // encodings.normalize_encoding: runs of other characters than letters, digits and
    // dots become one underscore between words.
    let mut norm = String::new();
    let mut punct = false;
    for c in lowered.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !norm.is_empty() {
                norm.push('_');
            }
            if c.is_ascii() {
                norm.push(c);
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    let find = |n: &str| {
        TEXT_ENCODINGS
            .binary_search_by(|(alias, _, _)| (*alias).cmp(n))
            .ok()
            .map(|i| (TEXT_ENCODINGS[i].1, TEXT_ENCODINGS[i].2))
    };
    find(&norm).or_else(|| find(&norm.replace('.', "_")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_where_cpython_looks() {
        assert_eq!(
            coding_spec(b"# -*- coding: latin-1 -*-\nx"),
            Some(&b"latin-1"[..])
        );
        assert_eq!(
            coding_spec(b"#!/usr/bin/python\n# vim: set fileencoding=koi8-r :\n"),
            Some(&b"koi8-r"[..])
        );
        assert_eq!(coding_spec(b"x = 1\n# coding: latin-1\n"), None);
        assert_eq!(coding_spec(b"x = 1 # coding: latin-1\n"), None);
    }

    #[test]
    fn names_are_normalised_and_looked_up() {
        assert_eq!(normal_name(b"UTF_8"), "utf-8");
        assert_eq!(normal_name(b"latin-1-unix"), "iso-8859-1");
        assert_eq!(normal_name(b"utf8"), "utf8");
        assert_eq!(codec("koi8-r"), Some(("koi8_r", true)));
        assert_eq!(codec("UTF8"), Some(("utf_8", true)));
        assert_eq!(codec("latin1"), Some(("latin_1", true)));
        assert_eq!(codec("cp037").map(|c| c.1), Some(false));
        assert_eq!(codec("uft-8"), None);
    }

    #[test]
    fn latin1_decodes_and_problems_are_located_at_line_zero() {
        let text = decode_source(b"# coding: latin-1\nx = '\xe9'\n").ok();
        assert_eq!(text.as_deref(), Some("# coding: latin-1\nx = '\u{e9}'\n"));
        match decode_source(b"# coding: uft-8\n") {
            Err(DecodeError::Syntax(e)) => {
                assert_eq!((e.message.as_str(), e.line), ("unknown encoding: uft-8", 0))
            }
            other => panic!("{other:?}"),
        }
        match decode_source(b"\xef\xbb\xbf#coding: utf8\n") {
            Err(DecodeError::Syntax(e)) => {
                assert_eq!(e.message, "encoding problem: utf8 with BOM")
            }
            other => panic!("{other:?}"),
        }
    }
}
