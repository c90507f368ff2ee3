//! The format language of `_struct` (CPython 3.12 `Modules/_struct.c`, `prepare_s`,
//! `getentry`, `align` and the `native_table`, `lilendian_table` and `bigendian_table`
//! entries), and the packing and unpacking of one item of each code.
//!
//! The first character may choose the byte order: `@` (the default) native order, sizes
//! and alignment (x86-64 Linux: little-endian, `l`/`L`/`n`/`N`/`P` of 8 bytes); `=`, `<`
//! little-endian and `>`, `!` big-endian with the standard sizes and no alignment (and no
//! `n`, `N`, `P`). Then codes, each after an optional decimal repeat count, with C
//! `isspace` characters between codes ignored. A [`Layout`] keeps one [`Run`] per code as
//! 3.12's `formatcode` array does: a repeated code is one run, `s` and `p` one item of
//! `count` bytes, `x` no run at all.

use num_bigint::BigInt;

/// Why a format is refused; each is `struct.error` with CPython's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    BadChar,
    RepeatWithoutCode,
    TooLong,
    EmbeddedNull,
}

impl FormatError {
    pub fn message(self) -> &'static str {
        match self {
            FormatError::BadChar => "bad char in struct format",
            FormatError::RepeatWithoutCode => "repeat count given without format specifier",
            FormatError::TooLong => "total struct size too long",
            FormatError::EmbeddedNull => "embedded null character",
        }
    }
}

/// One code of a format: `repeat` items of `size` bytes from byte `offset` (for `s` and
/// `p`, one item of `size` bytes).
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub code: u8,
    pub offset: usize,
    pub size: usize,
    pub repeat: usize,
}

/// A compiled format (`PyStructObject`'s `s_size`, `s_len` and `s_codes`).
#[derive(Debug, Clone)]
pub struct Layout {
    /// `@` or no order character: native sizes and alignment.
    pub native: bool,
    pub big_endian: bool,
    pub runs: Vec<Run>,
    /// The packed size in bytes.
    pub size: usize,
    /// The number of values packed or unpacked.
    pub len: usize,
}

/// `PY_SSIZE_T_MAX`.
const MAX: usize = i64::MAX as usize;

/// The item size and alignment of `c` (`getentry`); `None` for a bad char.
fn entry(c: u8, native: bool) -> Option<(usize, usize)> {
    let size = match c {
        b'x' | b'c' | b'b' | b'B' | b'?' | b's' | b'p' => 1,
        b'h' | b'H' | b'e' => 2,
        b'i' | b'I' | b'f' => 4,
        b'q' | b'Q' | b'd' => 8,
        b'l' | b'L' => {
            if native {
                8
            } else {
                4
            }
        }
        b'n' | b'N' | b'P' if native => 8,
        _ => return None,
    };
    Some((size, if native { size } else { 0 }))
}

/// C's `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `prepare_s`: the layout of `fmt` (the format's bytes, a str already ASCII-encoded).
pub fn compile(fmt: &[u8]) -> Result<Layout, FormatError> {
    if fmt.contains(&0) {
        return Err(FormatError::EmbeddedNull);
    }
    let (native, big_endian, body) = match fmt.first() {
        Some(b'<') | Some(b'=') => (false, false, &fmt[1..]),
        Some(b'>') | Some(b'!') => (false, true, &fmt[1..]),
        Some(b'@') => (true, false, &fmt[1..]),
        _ => (true, false, fmt),
    };
    let mut runs = Vec::new();
    let (mut size, mut len) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&first) = body.get(i) {
        i += 1;
        if is_space(first) {
            continue;
        }
        let mut c = first;
        let mut num = 1usize;
        if c.is_ascii_digit() {
            num = usize::from(c - b'0');
            loop {
                let Some(&d) = body.get(i) else {
                    return Err(FormatError::RepeatWithoutCode);
                };
                i += 1;
                if !d.is_ascii_digit() {
                    c = d;
                    break;
                }
                let digit = usize::from(d - b'0');
                if num >= MAX / 10 && (num > MAX / 10 || digit > MAX % 10) {
                    return Err(FormatError::TooLong);
                }
                num = num * 10 + digit;
            }
        }
        let (item, alignment) = entry(c, native).ok_or(FormatError::BadChar)?;
        if alignment > 0 && size > 0 {
            let extra = (alignment - 1) - (size - 1) % alignment;
            if extra > MAX - size {
                return Err(FormatError::TooLong);
            }
            size += extra;
        }
        if num > (MAX - size) / item {
            return Err(FormatError::TooLong);
        }
        match c {
            b's' | b'p' => {
                runs.push(Run {
                    code: c,
                    offset: size,
                    size: num,
                    repeat: 1,
                });
                len += 1;
            }
            b'x' => {}
            _ if num > 0 => {
                runs.push(Run {
                    code: c,
                    offset: size,
                    size: item,
                    repeat: num,
                });
                len += num;
            }
            _ => {}
        }
        size += num * item;
    }
    Ok(Layout {
        native,
        big_endian,
        runs,
        size,
        len,
    })
}

/// The range of an integer code of `size` bytes (`_range_error`'s bounds).
pub fn int_range(code: u8, size: usize) -> (BigInt, BigInt) {
    let bits = 8 * size as u32;
    if code.is_ascii_uppercase() {
        (BigInt::from(0), (BigInt::from(1) << bits) - 1)
    } else {
        let half = BigInt::from(1) << (bits - 1);
        (-half.clone(), half - 1)
    }
}

/// `_range_error`'s message.
pub fn range_message(code: u8, size: usize) -> String {
    let (lo, hi) = int_range(code, size);
    format!("'{}' format requires {lo} <= number <= {hi}", code as char)
}

/// The bytes of `v` (already in range) as `size` bytes in the layout's order.
pub fn int_bytes(v: &BigInt, size: usize, big_endian: bool) -> Vec<u8> {
    let mut le = v.to_signed_bytes_le();
    let fill = if v.sign() == num_bigint::Sign::Minus {
        0xff
    } else {
        0
    };
    le.resize(size.max(le.len()), fill);
    le.truncate(size);
    if big_endian {
        le.reverse();
    }
    le
}

/// The integer `bytes` hold, signed or not.
pub fn int_of(bytes: &[u8], signed: bool, big_endian: bool) -> BigInt {
    let mut le = bytes.to_vec();
    if big_endian {
        le.reverse();
    }
    if signed {
        BigInt::from_signed_bytes_le(&le)
    } else {
        BigInt::from_bytes_le(num_bigint::Sign::Plus, &le)
    }
}

/// `(float)x` as x86-64's `cvtsd2ss` rounds it: to nearest, overflow to infinity, a NaN
/// keeping its sign and the top of its payload, quieted.
pub fn to_f32(x: f64) -> f32 {
    if x.is_nan() {
        let b = x.to_bits();
        let sign = ((b >> 63) as u32) << 31;
        let payload = ((b >> 29) & 0x007f_ffff) as u32 | 0x0040_0000;
        return f32::from_bits(sign | 0x7f80_0000 | payload);
    }
    x as f32
}

/// `(double)x` as `cvtss2sd` widens it: exact, a NaN's payload shifted up and quieted.
pub fn from_f32(x: f32) -> f64 {
    if x.is_nan() {
        let b = x.to_bits();
        let sign = u64::from(b >> 31) << 63;
        let payload = (u64::from(b & 0x007f_ffff) << 29) | 0x0008_0000_0000_0000;
        return f64::from_bits(sign | 0x7ff0_0000_0000_0000 | payload);
    }
    f64::from(x)
}

/// `PyFloat_Pack2`: the half-precision bits of `x` rounded to nearest, ties to even;
/// `None` when it is too large (finite but rounding past 65504). A NaN becomes the quiet
/// NaN of its sign with only the top fraction bit set.
pub fn to_f16(x: f64) -> Option<u16> {
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    if x.is_nan() {
        return Some(sign | 0x7e00);
    }
    if x.is_infinite() {
        return Some(sign | 0x7c00);
    }
    let a = x.abs();
    if a == 0.0 {
        return Some(sign);
    }
    let b = a.to_bits();
    let exp = ((b >> 52) & 0x7ff) as i32;
    // Every finite double is m * 2^e with m an integer below 2^53.
    let (m, e) = if exp == 0 {
        (b & 0x000f_ffff_ffff_ffff, -1074)
    } else {
        (
            (b & 0x000f_ffff_ffff_ffff) | 0x0010_0000_0000_0000,
            exp - 1075,
        )
    };
    // The half's unit in the last place: 2^-24 for subnormals, 2^(E-10) for normals.
    let top = 63 - m.leading_zeros() as i32 + e; // floor(log2(a))
    let ulp_exp = if top < -14 { -24 } else { top - 10 };
    if top >= 16 {
        return None;
    }
    // q = a / 2^ulp_exp rounded to nearest even.
    let shift = ulp_exp - e;
    let q: u64 = if shift <= 0 {
        m << (-shift) as u32
    } else if shift >= 64 {
        0
    } else {
        let s = shift as u32;
        let whole = m >> s;
        let rest = m & ((1u64 << s) - 1);
        let half = 1u64 << (s - 1);
        if rest > half || (rest == half && whole & 1 == 1) {
            whole + 1
        } else {
            whole
        }
    };
    // q counts ulps: below 2^10 a subnormal, else 2^10..2^11 (2^11 after a carry).
    let bits: u64 = if ulp_exp == -24 {
        // Subnormal (a carry into 1024 is the smallest normal, 0x0400, naturally).
        q
    } else {
        let mut biased = (ulp_exp + 10 + 15) as u64;
        let mut frac = q;
        if frac >= 2048 {
            frac >>= 1;
            biased += 1;
        }
        (biased << 10) | (frac - 1024)
    };
    if bits >= 0x7c00 {
        return None;
    }
    Some(sign | bits as u16)
}

/// `PyFloat_Unpack2`: the double a half's bits stand for (a NaN as CPython's NaN of the
/// same sign).
pub fn from_f16(h: u16) -> f64 {
    let negative = h & 0x8000 != 0;
    let e = i32::from((h >> 10) & 0x1f);
    let f = f64::from(h & 0x3ff);
    let x = if e == 0x1f {
        if f == 0.0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    } else if e == 0 {
        f * 2f64.powi(-24)
    } else {
        (1.0 + f / 1024.0) * 2f64.powi(e - 15)
    };
    if negative {
        -x
    } else {
        x
    }
}
