//! Unicode case mapping as CPython 3.12 does it (Objects/unicodeobject.c `do_title`,
//! `do_capitalize`, `do_swapcase`, `do_casefold`, `lower_ucs4`): titlecase for the first
//! letter of a word, lowercase with the Final_Sigma rule for the rest, case folding.
//! Rust's `char` mappings follow a newer Unicode than CPython 3.12's 15.0; the characters
//! whose case data changed since are listed, and a string holding one is unsupported
//! rather than mapped differently.

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

/// Whether lowercasing `s` may depend on a character whose case-ignorability differs
/// between CPython 3.12 (Unicode 15.0) and this build's Rust: a capital sigma lowercases
/// to `ς` or `σ` by the characters around it (Final_Sigma), skipping the case-ignorable
/// ones. The ranges are every code point outside [`has_newer_case_data`]'s where
/// `("AΣ" + c + "A").lower()` or `("A" + c + "Σ").lower()` differ between the two
/// (measured over every code point).
pub fn has_newer_sigma_context(s: &str) -> bool {
    const CHANGED: &[(char, char)] = &[
        ('\u{897}', '\u{897}'),
        ('\u{1acf}', '\u{1add}'),
        ('\u{1ae0}', '\u{1aeb}'),
        ('\u{10d4e}', '\u{10d4e}'),
        ('\u{10d69}', '\u{10d6d}'),
        ('\u{10d6f}', '\u{10d6f}'),
        ('\u{10ec5}', '\u{10ec5}'),
        ('\u{10efa}', '\u{10efc}'),
        ('\u{113bb}', '\u{113c0}'),
        ('\u{113ce}', '\u{113ce}'),
        ('\u{113d0}', '\u{113d0}'),
        ('\u{113d2}', '\u{113d2}'),
        ('\u{113e1}', '\u{113e2}'),
        ('\u{1171e}', '\u{1171e}'),
        ('\u{11b60}', '\u{11b60}'),
        ('\u{11b62}', '\u{11b64}'),
        ('\u{11b66}', '\u{11b66}'),
        ('\u{11dd9}', '\u{11dd9}'),
        ('\u{11f5a}', '\u{11f5a}'),
        ('\u{1611e}', '\u{16129}'),
        ('\u{1612d}', '\u{1612f}'),
        ('\u{16d40}', '\u{16d42}'),
        ('\u{16d6b}', '\u{16d6c}'),
        ('\u{16ff2}', '\u{16ff3}'),
        ('\u{1e5ee}', '\u{1e5ef}'),
        ('\u{1e6e3}', '\u{1e6e3}'),
        ('\u{1e6e6}', '\u{1e6e6}'),
        ('\u{1e6ee}', '\u{1e6ef}'),
        ('\u{1e6f5}', '\u{1e6f5}'),
        ('\u{1e6ff}', '\u{1e6ff}'),
    ];
    s.contains('\u{3a3}')
        && s.chars()
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

/// CPython `_PyUnicode_IsTitlecase`: the titlecase letters (category Lt), every one of
/// CPython 3.12's.
pub fn is_titlecase(c: char) -> bool {
    matches!(
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

/// CPython `_PyUnicode_IsCased`: Lowercase, Uppercase or a titlecase letter (Lt).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
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

/// `str.swapcase()` (CPython `do_swapcase`): an uppercase character lowercased in the
/// context of the string (`lower_ucs4`, Final_Sigma included), a lowercase one
/// uppercased (`_PyUnicode_ToUpperFull`), any other kept.
pub fn swapcase(s: &str) -> String {
    let lower = lowercase_pieces(s);
    let mut out = String::with_capacity(s.len());
    for (c, low) in s.chars().zip(&lower) {
        if c.is_uppercase() {
            out.push_str(low);
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// CPython `_PyUnicode_ToFoldedFull` where it differs from the lowercase mapping: every
/// such code point of CPython 3.12 (`c.casefold() != c.lower()`), sorted, except the
/// Cherokee letters, which [`fold`] maps by rule.
const FOLD: &[(char, &str)] = &[
    ('\u{b5}', "\u{3bc}"),
    ('\u{df}', "\u{73}\u{73}"),
    ('\u{149}', "\u{2bc}\u{6e}"),
    ('\u{17f}', "\u{73}"),
    ('\u{1f0}', "\u{6a}\u{30c}"),
    ('\u{345}', "\u{3b9}"),
    ('\u{390}', "\u{3b9}\u{308}\u{301}"),
    ('\u{3b0}', "\u{3c5}\u{308}\u{301}"),
    ('\u{3c2}', "\u{3c3}"),
    ('\u{3d0}', "\u{3b2}"),
    ('\u{3d1}', "\u{3b8}"),
    ('\u{3d5}', "\u{3c6}"),
    ('\u{3d6}', "\u{3c0}"),
    ('\u{3f0}', "\u{3ba}"),
    ('\u{3f1}', "\u{3c1}"),
    ('\u{3f5}', "\u{3b5}"),
    ('\u{587}', "\u{565}\u{582}"),
    ('\u{1c80}', "\u{432}"),
    ('\u{1c81}', "\u{434}"),
    ('\u{1c82}', "\u{43e}"),
    ('\u{1c83}', "\u{441}"),
    ('\u{1c84}', "\u{442}"),
    ('\u{1c85}', "\u{442}"),
    ('\u{1c86}', "\u{44a}"),
    ('\u{1c87}', "\u{463}"),
    ('\u{1c88}', "\u{a64b}"),
    ('\u{1e96}', "\u{68}\u{331}"),
    ('\u{1e97}', "\u{74}\u{308}"),
    ('\u{1e98}', "\u{77}\u{30a}"),
    ('\u{1e99}', "\u{79}\u{30a}"),
    ('\u{1e9a}', "\u{61}\u{2be}"),
    ('\u{1e9b}', "\u{1e61}"),
    ('\u{1e9e}', "\u{73}\u{73}"),
    ('\u{1f50}', "\u{3c5}\u{313}"),
    ('\u{1f52}', "\u{3c5}\u{313}\u{300}"),
    ('\u{1f54}', "\u{3c5}\u{313}\u{301}"),
    ('\u{1f56}', "\u{3c5}\u{313}\u{342}"),
    ('\u{1f80}', "\u{1f00}\u{3b9}"),
    ('\u{1f81}', "\u{1f01}\u{3b9}"),
    ('\u{1f82}', "\u{1f02}\u{3b9}"),
    ('\u{1f83}', "\u{1f03}\u{3b9}"),
    ('\u{1f84}', "\u{1f04}\u{3b9}"),
    ('\u{1f85}', "\u{1f05}\u{3b9}"),
    ('\u{1f86}', "\u{1f06}\u{3b9}"),
    ('\u{1f87}', "\u{1f07}\u{3b9}"),
    ('\u{1f88}', "\u{1f00}\u{3b9}"),
    ('\u{1f89}', "\u{1f01}\u{3b9}"),
    ('\u{1f8a}', "\u{1f02}\u{3b9}"),
    ('\u{1f8b}', "\u{1f03}\u{3b9}"),
    ('\u{1f8c}', "\u{1f04}\u{3b9}"),
    ('\u{1f8d}', "\u{1f05}\u{3b9}"),
    ('\u{1f8e}', "\u{1f06}\u{3b9}"),
    ('\u{1f8f}', "\u{1f07}\u{3b9}"),
    ('\u{1f90}', "\u{1f20}\u{3b9}"),
    ('\u{1f91}', "\u{1f21}\u{3b9}"),
    ('\u{1f92}', "\u{1f22}\u{3b9}"),
    ('\u{1f93}', "\u{1f23}\u{3b9}"),
    ('\u{1f94}', "\u{1f24}\u{3b9}"),
    ('\u{1f95}', "\u{1f25}\u{3b9}"),
    ('\u{1f96}', "\u{1f26}\u{3b9}"),
    ('\u{1f97}', "\u{1f27}\u{3b9}"),
    ('\u{1f98}', "\u{1f20}\u{3b9}"),
    ('\u{1f99}', "\u{1f21}\u{3b9}"),
    ('\u{1f9a}', "\u{1f22}\u{3b9}"),
    ('\u{1f9b}', "\u{1f23}\u{3b9}"),
    ('\u{1f9c}', "\u{1f24}\u{3b9}"),
    ('\u{1f9d}', "\u{1f25}\u{3b9}"),
    ('\u{1f9e}', "\u{1f26}\u{3b9}"),
    ('\u{1f9f}', "\u{1f27}\u{3b9}"),
    ('\u{1fa0}', "\u{1f60}\u{3b9}"),
    ('\u{1fa1}', "\u{1f61}\u{3b9}"),
    ('\u{1fa2}', "\u{1f62}\u{3b9}"),
    ('\u{1fa3}', "\u{1f63}\u{3b9}"),
    ('\u{1fa4}', "\u{1f64}\u{3b9}"),
    ('\u{1fa5}', "\u{1f65}\u{3b9}"),
    ('\u{1fa6}', "\u{1f66}\u{3b9}"),
    ('\u{1fa7}', "\u{1f67}\u{3b9}"),
    ('\u{1fa8}', "\u{1f60}\u{3b9}"),
    ('\u{1fa9}', "\u{1f61}\u{3b9}"),
    ('\u{1faa}', "\u{1f62}\u{3b9}"),
    ('\u{1fab}', "\u{1f63}\u{3b9}"),
    ('\u{1fac}', "\u{1f64}\u{3b9}"),
    ('\u{1fad}', "\u{1f65}\u{3b9}"),
    ('\u{1fae}', "\u{1f66}\u{3b9}"),
    ('\u{1faf}', "\u{1f67}\u{3b9}"),
    ('\u{1fb2}', "\u{1f70}\u{3b9}"),
    ('\u{1fb3}', "\u{3b1}\u{3b9}"),
    ('\u{1fb4}', "\u{3ac}\u{3b9}"),
    ('\u{1fb6}', "\u{3b1}\u{342}"),
    ('\u{1fb7}', "\u{3b1}\u{342}\u{3b9}"),
    ('\u{1fbc}', "\u{3b1}\u{3b9}"),
    ('\u{1fbe}', "\u{3b9}"),
    ('\u{1fc2}', "\u{1f74}\u{3b9}"),
    ('\u{1fc3}', "\u{3b7}\u{3b9}"),
    ('\u{1fc4}', "\u{3ae}\u{3b9}"),
    ('\u{1fc6}', "\u{3b7}\u{342}"),
    ('\u{1fc7}', "\u{3b7}\u{342}\u{3b9}"),
    ('\u{1fcc}', "\u{3b7}\u{3b9}"),
    ('\u{1fd2}', "\u{3b9}\u{308}\u{300}"),
    ('\u{1fd3}', "\u{3b9}\u{308}\u{301}"),
    ('\u{1fd6}', "\u{3b9}\u{342}"),
    ('\u{1fd7}', "\u{3b9}\u{308}\u{342}"),
    ('\u{1fe2}', "\u{3c5}\u{308}\u{300}"),
    ('\u{1fe3}', "\u{3c5}\u{308}\u{301}"),
    ('\u{1fe4}', "\u{3c1}\u{313}"),
    ('\u{1fe6}', "\u{3c5}\u{342}"),
    ('\u{1fe7}', "\u{3c5}\u{308}\u{342}"),
    ('\u{1ff2}', "\u{1f7c}\u{3b9}"),
    ('\u{1ff3}', "\u{3c9}\u{3b9}"),
    ('\u{1ff4}', "\u{3ce}\u{3b9}"),
    ('\u{1ff6}', "\u{3c9}\u{342}"),
    ('\u{1ff7}', "\u{3c9}\u{342}\u{3b9}"),
    ('\u{1ffc}', "\u{3c9}\u{3b9}"),
    ('\u{fb00}', "\u{66}\u{66}"),
    ('\u{fb01}', "\u{66}\u{69}"),
    ('\u{fb02}', "\u{66}\u{6c}"),
    ('\u{fb03}', "\u{66}\u{66}\u{69}"),
    ('\u{fb04}', "\u{66}\u{66}\u{6c}"),
    ('\u{fb05}', "\u{73}\u{74}"),
    ('\u{fb06}', "\u{73}\u{74}"),
    ('\u{fb13}', "\u{574}\u{576}"),
    ('\u{fb14}', "\u{574}\u{565}"),
    ('\u{fb15}', "\u{574}\u{56b}"),
    ('\u{fb16}', "\u{57e}\u{576}"),
    ('\u{fb17}', "\u{574}\u{56d}"),
];

/// CPython `_PyUnicode_ToFoldedFull`: full case folding, one character at a time.
fn fold(c: char, out: &mut String) {
    let cp = u32::from(c);
    let cherokee = match cp {
        // Cherokee capitals fold to themselves, not to the small letters they lowercase to;
        // the small letters fold to the capitals.
        0x13a0..=0x13f5 => Some(cp),
        0x13f8..=0x13fd => Some(cp - 8),
        0xab70..=0xabbf => Some(cp - 0xab70 + 0x13a0),
        _ => None,
    };
    if let Some(folded) = cherokee.and_then(char::from_u32) {
        out.push(folded);
        return;
    }
    match FOLD.binary_search_by(|(k, _)| k.cmp(&c)) {
        Ok(i) => out.push_str(FOLD[i].1),
        Err(_) => out.extend(c.to_lowercase()),
    }
}

/// `str.casefold()` (CPython `do_casefold`): each character folded alone (no Final_Sigma:
/// a capital sigma folds to `σ` wherever it is).
pub fn casefold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold(c, &mut out);
    }
    out
}
