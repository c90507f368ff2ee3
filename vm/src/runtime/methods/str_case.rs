//! Unicode case mapping as CPython 3.12 does it (Objects/unicodeobject.c `do_title`,
//! `do_capitalize`, `lower_ucs4`): titlecase for the first letter of a word, lowercase
//! with the Final_Sigma rule for the rest. Rust's `char` mappings follow a newer Unicode
//! than CPython 3.12's 15.0; the characters whose case data changed since are listed, and
//! a string holding one is unsupported rather than mapped differently.

/// Whether `s` holds a character whose case data differ between CPython 3.12 (Unicode
/// 15.0) and this build's Rust (measured over every code point with both).
pub fn has_newer_case_data(s: &str) -> bool {
    const CHANGED: &[(char, char)] = &[
        ('\u{19b}', '\u{19b}'),
        ('\u{264}', '\u{264}'),
        ('\u{295}', '\u{295}'),
        ('\u{1c89}', '\u{1c8a}'),
        ('\u{a7cb}', '\u{a7cf}'),
        ('\u{a7d2}', '\u{a7d5}'),
        ('\u{a7da}', '\u{a7dc}'),
        ('\u{a7f1}', '\u{a7f1}'),
        ('\u{10d50}', '\u{10d65}'),
        ('\u{10d70}', '\u{10d85}'),
        ('\u{16ea0}', '\u{16eb8}'),
        ('\u{16ebb}', '\u{16ed3}'),
    ];
    s.chars()
        .any(|c| !c.is_ascii() && CHANGED.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)))
}

/// CPython `_PyUnicode_ToTitleFull` where it differs from the uppercase mapping: every
/// such code point of CPython 3.12 (`c.title() != c.upper()`), sorted.
const TITLE: &[(char, &str)] = &[
    ('\u{df}', "\u{53}\u{73}"),
    ('\u{1c4}', "\u{1c5}"),
    ('\u{1c5}', "\u{1c5}"),
    ('\u{1c6}', "\u{1c5}"),
    ('\u{1c7}', "\u{1c8}"),
    ('\u{1c8}', "\u{1c8}"),
    ('\u{1c9}', "\u{1c8}"),
    ('\u{1ca}', "\u{1cb}"),
    ('\u{1cb}', "\u{1cb}"),
    ('\u{1cc}', "\u{1cb}"),
    ('\u{1f1}', "\u{1f2}"),
    ('\u{1f2}', "\u{1f2}"),
    ('\u{1f3}', "\u{1f2}"),
    ('\u{587}', "\u{535}\u{582}"),
    ('\u{10d0}', "\u{10d0}"),
    ('\u{10d1}', "\u{10d1}"),
    ('\u{10d2}', "\u{10d2}"),
    ('\u{10d3}', "\u{10d3}"),
    ('\u{10d4}', "\u{10d4}"),
    ('\u{10d5}', "\u{10d5}"),
    ('\u{10d6}', "\u{10d6}"),
    ('\u{10d7}', "\u{10d7}"),
    ('\u{10d8}', "\u{10d8}"),
    ('\u{10d9}', "\u{10d9}"),
    ('\u{10da}', "\u{10da}"),
    ('\u{10db}', "\u{10db}"),
    ('\u{10dc}', "\u{10dc}"),
    ('\u{10dd}', "\u{10dd}"),
    ('\u{10de}', "\u{10de}"),
    ('\u{10df}', "\u{10df}"),
    ('\u{10e0}', "\u{10e0}"),
    ('\u{10e1}', "\u{10e1}"),
    ('\u{10e2}', "\u{10e2}"),
    ('\u{10e3}', "\u{10e3}"),
    ('\u{10e4}', "\u{10e4}"),
    ('\u{10e5}', "\u{10e5}"),
    ('\u{10e6}', "\u{10e6}"),
    ('\u{10e7}', "\u{10e7}"),
    ('\u{10e8}', "\u{10e8}"),
    ('\u{10e9}', "\u{10e9}"),
    ('\u{10ea}', "\u{10ea}"),
    ('\u{10eb}', "\u{10eb}"),
    ('\u{10ec}', "\u{10ec}"),
    ('\u{10ed}', "\u{10ed}"),
    ('\u{10ee}', "\u{10ee}"),
    ('\u{10ef}', "\u{10ef}"),
    ('\u{10f0}', "\u{10f0}"),
    ('\u{10f1}', "\u{10f1}"),
    ('\u{10f2}', "\u{10f2}"),
    ('\u{10f3}', "\u{10f3}"),
    ('\u{10f4}', "\u{10f4}"),
    ('\u{10f5}', "\u{10f5}"),
    ('\u{10f6}', "\u{10f6}"),
    ('\u{10f7}', "\u{10f7}"),
    ('\u{10f8}', "\u{10f8}"),
    ('\u{10f9}', "\u{10f9}"),
    ('\u{10fa}', "\u{10fa}"),
    ('\u{10fd}', "\u{10fd}"),
    ('\u{10fe}', "\u{10fe}"),
    ('\u{10ff}', "\u{10ff}"),
    ('\u{1f80}', "\u{1f88}"),
    ('\u{1f81}', "\u{1f89}"),
    ('\u{1f82}', "\u{1f8a}"),
    ('\u{1f83}', "\u{1f8b}"),
    ('\u{1f84}', "\u{1f8c}"),
    ('\u{1f85}', "\u{1f8d}"),
    ('\u{1f86}', "\u{1f8e}"),
    ('\u{1f87}', "\u{1f8f}"),
    ('\u{1f88}', "\u{1f88}"),
    ('\u{1f89}', "\u{1f89}"),
    ('\u{1f8a}', "\u{1f8a}"),
    ('\u{1f8b}', "\u{1f8b}"),
    ('\u{1f8c}', "\u{1f8c}"),
    ('\u{1f8d}', "\u{1f8d}"),
    ('\u{1f8e}', "\u{1f8e}"),
    ('\u{1f8f}', "\u{1f8f}"),
    ('\u{1f90}', "\u{1f98}"),
    ('\u{1f91}', "\u{1f99}"),
    ('\u{1f92}', "\u{1f9a}"),
    ('\u{1f93}', "\u{1f9b}"),
    ('\u{1f94}', "\u{1f9c}"),
    ('\u{1f95}', "\u{1f9d}"),
    ('\u{1f96}', "\u{1f9e}"),
    ('\u{1f97}', "\u{1f9f}"),
    ('\u{1f98}', "\u{1f98}"),
    ('\u{1f99}', "\u{1f99}"),
    ('\u{1f9a}', "\u{1f9a}"),
    ('\u{1f9b}', "\u{1f9b}"),
    ('\u{1f9c}', "\u{1f9c}"),
    ('\u{1f9d}', "\u{1f9d}"),
    ('\u{1f9e}', "\u{1f9e}"),
    ('\u{1f9f}', "\u{1f9f}"),
    ('\u{1fa0}', "\u{1fa8}"),
    ('\u{1fa1}', "\u{1fa9}"),
    ('\u{1fa2}', "\u{1faa}"),
    ('\u{1fa3}', "\u{1fab}"),
    ('\u{1fa4}', "\u{1fac}"),
    ('\u{1fa5}', "\u{1fad}"),
    ('\u{1fa6}', "\u{1fae}"),
    ('\u{1fa7}', "\u{1faf}"),
    ('\u{1fa8}', "\u{1fa8}"),
    ('\u{1fa9}', "\u{1fa9}"),
    ('\u{1faa}', "\u{1faa}"),
    ('\u{1fab}', "\u{1fab}"),
    ('\u{1fac}', "\u{1fac}"),
    ('\u{1fad}', "\u{1fad}"),
    ('\u{1fae}', "\u{1fae}"),
    ('\u{1faf}', "\u{1faf}"),
    ('\u{1fb2}', "\u{1fba}\u{345}"),
    ('\u{1fb3}', "\u{1fbc}"),
    ('\u{1fb4}', "\u{386}\u{345}"),
    ('\u{1fb7}', "\u{391}\u{342}\u{345}"),
    ('\u{1fbc}', "\u{1fbc}"),
    ('\u{1fc2}', "\u{1fca}\u{345}"),
    ('\u{1fc3}', "\u{1fcc}"),
    ('\u{1fc4}', "\u{389}\u{345}"),
    ('\u{1fc7}', "\u{397}\u{342}\u{345}"),
    ('\u{1fcc}', "\u{1fcc}"),
    ('\u{1ff2}', "\u{1ffa}\u{345}"),
    ('\u{1ff3}', "\u{1ffc}"),
    ('\u{1ff4}', "\u{38f}\u{345}"),
    ('\u{1ff7}', "\u{3a9}\u{342}\u{345}"),
    ('\u{1ffc}', "\u{1ffc}"),
    ('\u{fb00}', "\u{46}\u{66}"),
    ('\u{fb01}', "\u{46}\u{69}"),
    ('\u{fb02}', "\u{46}\u{6c}"),
    ('\u{fb03}', "\u{46}\u{66}\u{69}"),
    ('\u{fb04}', "\u{46}\u{66}\u{6c}"),
    ('\u{fb05}', "\u{53}\u{74}"),
    ('\u{fb06}', "\u{53}\u{74}"),
    ('\u{fb13}', "\u{544}\u{576}"),
    ('\u{fb14}', "\u{544}\u{565}"),
    ('\u{fb15}', "\u{544}\u{56b}"),
    ('\u{fb16}', "\u{54e}\u{576}"),
    ('\u{fb17}', "\u{544}\u{56d}"),
];

/// CPython `_PyUnicode_ToTitleFull`.
fn to_title(c: char, out: &mut String) {
    match TITLE.binary_search_by(|(k, _)| k.cmp(&c)) {
        Ok(i) => out.push_str(TITLE[i].1),
        Err(_) => out.extend(c.to_uppercase()),
    }
}

/// CPython `_PyUnicode_IsCased`: Lowercase, Uppercase or a titlecase letter (Lt).
fn is_cased(c: char) -> bool {
    c.is_lowercase()
        || c.is_uppercase()
        || matches!(
            c,
            '\u{1c5}'
                | '\u{1c8}'
                | '\u{1cb}'
                | '\u{1f2}'
                | '\u{1f88}'..='\u{1f8f}'
                | '\u{1f98}'..='\u{1f9f}'
                | '\u{1fa8}'..='\u{1faf}'
                | '\u{1fbc}'
                | '\u{1fcc}'
                | '\u{1ffc}'
        )
}

/// Each character's lowercase mapping in the context of the whole string (CPython
/// `lower_ucs4`, whose capital sigma depends on its neighbours: Final_Sigma). Rust's
/// `str::to_lowercase` applies the same rule and maps every other character alone, so
/// its result splits back into per-character pieces.
fn lowercase_pieces(s: &str) -> Vec<String> {
    let lower: Vec<char> = s.to_lowercase().chars().collect();
    let mut at = 0;
    s.chars()
        .map(|c| {
            let n = if c == '\u{3a3}' {
                1
            } else {
                c.to_lowercase().count()
            };
            let piece: String = lower.get(at..at + n).unwrap_or_default().iter().collect();
            at += n;
            piece
        })
        .collect()
}

/// `str.title()` (CPython `do_title`).
pub fn title(s: &str) -> String {
    let lower = lowercase_pieces(s);
    let mut out = String::with_capacity(s.len());
    let mut previous_is_cased = false;
    for (c, low) in s.chars().zip(&lower) {
        if previous_is_cased {
            out.push_str(low);
        } else {
            to_title(c, &mut out);
        }
        previous_is_cased = is_cased(c);
    }
    out
}

/// `str.capitalize()` (CPython 3.12 `do_capitalize`): the first character titlecased,
/// the rest lowercased.
pub fn capitalize(s: &str) -> String {
    let lower = lowercase_pieces(s);
    let mut out = String::with_capacity(s.len());
    if let Some(first) = s.chars().next() {
        to_title(first, &mut out);
    }
    for low in lower.iter().skip(1) {
        out.push_str(low);
    }
    out
}
