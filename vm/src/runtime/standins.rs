//! Lone surrogates (U+D800–U+DFFF) in the VM's `str` values.
//!
//! CPython's `str` holds any code point, lone surrogates included (`'\udcff'`, what
//! `surrogateescape` decodes an undecodable byte to); a Rust `str` cannot. The VM holds
//! each lone surrogate as a *stand-in*: the code point 0x10F800 + (s − 0xD800), the top
//! 2,048 code points of plane 16 (U+10F800–U+10FFFF, private use and two noncharacters).
//! That keeps every operation that does not look at a character's value exact (length,
//! indexing, slicing, equality, search, split, join, case mapping — neither kind of
//! character has a case, a digit value or whitespace), and the places that do look at a
//! value map the stand-in back: `ord`, `chr`, ordering, hashing, `repr`, the codecs,
//! `str.translate`, the regular-expression engine. Wherever a value would leave the VM
//! unmapped, the stand-in is unsupported ([`reject`]).
//!
//! The price is that a program cannot hold those 2,048 code points themselves: wherever
//! characters enter a str from outside a str (a decoder, `chr`, a source literal, an
//! escape), a genuine one is unsupported ([`admit`]), so a stand-in always means a
//! surrogate.

use super::interp::Vm;
use super::PyResult;

/// The stand-in of U+D800.
const BASE: u32 = 0x10_F800;
const SURROGATES: std::ops::RangeInclusive<u32> = 0xD800..=0xDFFF;

/// Whether `cp` is a surrogate code point.
pub fn is_surrogate(cp: u32) -> bool {
    SURROGATES.contains(&cp)
}

/// The code point the character `c` of a VM str stands for.
#[inline]
pub fn code_point(c: char) -> u32 {
    let v = u32::from(c);
    if v >= BASE {
        v - BASE + 0xD800
    } else {
        v
    }
}

/// The character a VM str holds for code point `cp` (≤ U+10FFFF): itself, or a
/// surrogate's stand-in. `None` for a code point in the stand-ins' own range, which the
/// VM cannot hold, or beyond U+10FFFF.
pub fn char_of(cp: u32) -> Option<char> {
    match cp {
        _ if is_surrogate(cp) => char::from_u32(cp - 0xD800 + BASE),
        _ if cp >= BASE => None,
        _ => char::from_u32(cp),
    }
}

/// The character for `cp`, or the unsupported verdict for a code point the VM cannot hold
/// (`cp` ≤ U+10FFFF: callers check the range with CPython's own error first).
pub fn char_for(vm: &Vm, cp: u32) -> PyResult<char> {
    char_of(cp).ok_or_else(|| vm.unsupported(UNREPRESENTABLE))
}

/// What [`admit`] reports.
pub const UNREPRESENTABLE: &str =
    "a character in U+10F800-U+10FFFF (where the VM keeps lone surrogates)";

/// Whether `s` holds a stand-in (UTF-8 F4 8F A0..BF: U+10F800 and above).
#[inline]
pub fn has(s: &str) -> bool {
    let b = s.as_bytes();
    // Only a 4-byte sequence starting F4 can be one; most strings have no F4 at all.
    b.iter()
        .enumerate()
        .any(|(i, &x)| x == 0xF4 && b.get(i + 1) == Some(&0x8F) && b.get(i + 2) >= Some(&0xA0))
}

/// Text arriving from outside a str (decoded bytes, a source literal): it must not hold a
/// genuine character of the stand-ins' range.
pub fn admit(vm: &Vm, s: &str) -> PyResult<()> {
    if has(s) {
        return Err(vm.unsupported(UNREPRESENTABLE));
    }
    Ok(())
}

/// A str about to leave the VM where a lone surrogate cannot be written as it stands
/// (`what` says where); the unsupported verdict if it holds one.
pub fn reject(vm: &Vm, s: &str, what: &str) -> PyResult<()> {
    if has(s) {
        return Err(vm.unsupported(format!("a lone surrogate in {what}")));
    }
    Ok(())
}

/// The code points of `s`.
pub fn code_points(s: &str) -> impl Iterator<Item = u32> + Clone + '_ {
    s.chars().map(code_point)
}

/// The VM str for code points `cps`; `None` if one cannot be held (see [`char_of`]).
pub fn from_code_points(cps: impl IntoIterator<Item = u32>) -> Option<String> {
    cps.into_iter().map(char_of).collect()
}

/// `str.__repr__` of a VM str: a stand-in shows as the `\\udxxx` escape of its surrogate.
pub fn repr(s: &str) -> String {
    if !has(s) {
        return crate::reprs::str_repr(s);
    }
    crate::reprs::code_points_repr(&code_points(s).collect::<Vec<_>>())
}

/// Code-point order of two VM strs (`unicode_compare`). UTF-8's byte order is code-point
/// order, so only the first character that differs decides, read through the stand-ins
/// (one pass over the common prefix, as `str::cmp`).
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let Some(mut i) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) else {
        return a.len().cmp(&b.len());
    };
    // The prefix before `i` is the same in both, so a boundary in one is in the other.
    while !a.is_char_boundary(i) {
        i -= 1;
    }
    match (a[i..].chars().next(), b[i..].chars().next()) {
        (Some(x), Some(y)) => code_point(x).cmp(&code_point(y)),
        _ => a.len().cmp(&b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_round_trip() {
        for cp in [0xD800, 0xDBFF, 0xDC80, 0xDFFF] {
            let c = char_of(cp).unwrap_or_default();
            assert!(u32::from(c) >= BASE);
            assert_eq!(code_point(c), cp);
            assert!(has(&c.to_string()));
        }
        assert_eq!(char_of(0x10_F800), None);
        assert_eq!(char_of(0x10_FFFF), None);
        assert_eq!(char_of(0x10_F7FF), char::from_u32(0x10_F7FF));
        assert!(!has("\u{10F7FF}abc\u{FFFF}"));
    }

    #[test]
    fn order_is_code_point_order() {
        let s = from_code_points([0x61, 0xDC80]).unwrap_or_default();
        let t = from_code_points([0x61, 0xE000]).unwrap_or_default();
        assert_eq!(compare(&s, &t), std::cmp::Ordering::Less);
        assert_eq!(compare("b", &s), std::cmp::Ordering::Greater);
        assert_eq!(compare(&s, &s), std::cmp::Ordering::Equal);
        assert_eq!(compare("a", &s), std::cmp::Ordering::Less);
        assert_eq!(compare("\u{e9}", "\u{e8}z"), std::cmp::Ordering::Greater);
    }
}
