//! `str` values holding lone surrogates (U+D800–U+DFFF), which CPython's `str` can hold
//! (`'\ud800'`) and Rust's `str` cannot. The compiler and marshal keep them as their code
//! points in UTF-8 extended to surrogates — each code point on its own, never pairs joined
//! — which is byte for byte what CPython's marshal writes for such a string (UTF-8 with
//! the `surrogatepass` error handler). A string without lone surrogates is always a plain
//! Rust string (`Constant::Str`), so each value has one representation.

use std::rc::Rc;

use crate::code::Constant;

pub fn is_surrogate(cp: u32) -> bool {
    (0xD800..=0xDFFF).contains(&cp)
}

/// The constant for a str made of `cps`: `Constant::Str` unless a lone surrogate is in it.
pub fn constant(cps: &[u32]) -> Option<Constant> {
    if cps.iter().any(|&c| is_surrogate(c)) {
        return Some(Constant::StrSurrogates(encode(cps)?.into()));
    }
    let s: Option<String> = cps.iter().map(|&c| char::from_u32(c)).collect();
    Some(Constant::Str(Rc::from(s?)))
}

/// The code points of a str constant of either kind.
pub fn code_points(c: &Constant) -> Option<Vec<u32>> {
    match c {
        Constant::Str(s) => Some(s.chars().map(u32::from).collect()),
        Constant::StrSurrogates(b) => decode(b),
        _ => None,
    }
}

/// Code points ≤ U+10FFFF as extended UTF-8 (`None` beyond).
pub fn encode(cps: &[u32]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(cps.len());
    for &c in cps {
        match c {
            0..=0x7F => out.push(c as u8),
            0x80..=0x7FF => out.extend([0xC0 | (c >> 6) as u8, 0x80 | (c & 0x3F) as u8]),
            0x800..=0xFFFF => out.extend([
                0xE0 | (c >> 12) as u8,
                0x80 | ((c >> 6) & 0x3F) as u8,
                0x80 | (c & 0x3F) as u8,
            ]),
            0x1_0000..=0x10_FFFF => out.extend([
                0xF0 | (c >> 18) as u8,
                0x80 | ((c >> 12) & 0x3F) as u8,
                0x80 | ((c >> 6) & 0x3F) as u8,
                0x80 | (c & 0x3F) as u8,
            ]),
            _ => return None,
        }
    }
    Some(out)
}

/// Extended UTF-8 back to code points: UTF-8's rules (shortest form, at most U+10FFFF)
/// except that surrogates are allowed; `None` for anything else.
pub fn decode(bytes: &[u8]) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, init, min) = match b {
            0x00..=0x7F => (1, u32::from(b), 0),
            0xC2..=0xDF => (2, u32::from(b & 0x1F), 0x80),
            0xE0..=0xEF => (3, u32::from(b & 0x0F), 0x800),
            0xF0..=0xF4 => (4, u32::from(b & 0x07), 0x1_0000),
            _ => return None,
        };
        let tail = bytes.get(i + 1..i + len)?;
        let mut cp = init;
        for &t in tail {
            if t & 0xC0 != 0x80 {
                return None;
            }
            cp = (cp << 6) | u32::from(t & 0x3F);
        }
        if cp < min || cp > 0x10_FFFF {
            return None;
        }
        out.push(cp);
        i += len;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip_one_by_one() {
        let cps = [0x61, 0xD83D, 0xDE00, 0x1F600, 0xDFFF];
        let bytes = encode(&cps).unwrap_or_default();
        // Each surrogate is three bytes of its own, as 'surrogatepass' writes it.
        assert_eq!(bytes.len(), 1 + 3 + 3 + 4 + 3);
        assert_eq!(decode(&bytes).as_deref(), Some(&cps[..]));
        assert!(matches!(constant(&cps), Some(Constant::StrSurrogates(_))));
        assert!(matches!(constant(&[0x61, 0x1F600]), Some(Constant::Str(_))));
    }

    #[test]
    fn overlong_and_out_of_range_are_refused() {
        assert_eq!(decode(&[0xC0, 0x80]), None);
        assert_eq!(decode(&[0xE0, 0x80, 0x80]), None);
        assert_eq!(decode(&[0xF4, 0x90, 0x80, 0x80]), None);
        assert_eq!(decode(&[0xE0, 0x80]), None);
    }
}
