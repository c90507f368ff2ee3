//! `hash()` as CPython 3.12 computes it on a 64-bit build run with `PYTHONHASHSEED=0` (the
//! harness runs CPython that way, so str and bytes hashes are deterministic).
//!
//! Each function names the CPython function it follows. Values whose CPython hash derives
//! from an object's address (`object.__hash__`, functions, types, NaN floats, `...`,
//! `NotImplemented`, bound methods) cannot be matched: the VM hashes its own addresses with
//! CPython's formula ([`pointer`]), so such values hash consistently within a run, and no
//! program can depend on the numbers (CPython's change from run to run too).
//!
//! Naming block: `h` a hash, `x` its unsigned form, `P` the modulus `2**61 - 1`.

/// `_PyHASH_BITS`: numeric hashes are residues modulo `2**61 - 1`.
const BITS: u32 = 61;
/// `_PyHASH_MODULUS` (`sys.hash_info.modulus`).
pub const MODULUS: u64 = (1 << BITS) - 1;
/// `_PyHASH_INF` (`sys.hash_info.inf`): `hash(float('inf'))`; `-inf` hashes to its negation.
pub const INF: i64 = 314_159;
/// `hash(None)`: a constant since 3.12 (`none_hash`, Objects/object.c), no longer the
/// singleton's address.
pub const NONE: i64 = 0xFCA8_6420;

/// -1 is CPython's error return, so every hash function maps a result of -1 to -2.
fn not_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `long_hash` (Objects/longobject.c): the sign times `|v| mod P`.
pub fn int(v: i64) -> i64 {
    wide_int(i128::from(v))
}

/// [`int`] for an int of any size.
pub fn big_int(v: &num_bigint::BigInt) -> i64 {
    let residue = v.magnitude() % num_bigint::BigUint::from(MODULUS);
    let x = num_traits::ToPrimitive::to_i64(&residue).unwrap_or(0);
    not_minus_one(if v.sign() == num_bigint::Sign::Minus {
        -x
    } else {
        x
    })
}

/// [`int`] for values beyond 64 bits (a range's length can be up to `2**64 - 1`).
pub fn wide_int(v: i128) -> i64 {
    let x = (v.unsigned_abs() % u128::from(MODULUS)) as i64;
    not_minus_one(if v < 0 { -x } else { x })
}

/// `_Py_HashDouble` (Python/pyhash.c) for everything but NaN, whose hash is its object's
/// address in 3.10+ (`None` here: the caller hashes the identity).
///
/// A finite `v` is `m * 2**e` with an integer `m < 2**53`; its hash is `m * 2**e mod P`,
/// and since `2**61 ≡ 1 (mod P)`, `2**e ≡ 2**(e mod 61)`. CPython gets the same residue by
/// feeding 28-bit chunks of the mantissa and rotating within 61 bits; an integral float
/// hashes as the equal int.
pub fn float(v: f64) -> Option<i64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { INF } else { -INF });
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (fraction, -1074) // subnormal (or zero)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let shift = e.rem_euclid(BITS as i32) as u32;
    let x = ((u128::from(m) << shift) % u128::from(MODULUS)) as i64;
    Some(not_minus_one(if v.is_sign_negative() { -x } else { x }))
}

/// `complex_hash` (Objects/complexobject.c): `hash(real) + 1000003 * hash(imag)` in
/// unsigned wrapping arithmetic, -1 made -2. `nan_hash` is the hash a NaN part takes (the
/// complex object's address hash in CPython).
pub fn complex(re: f64, im: f64, nan_hash: i64) -> i64 {
    /// `_PyHASH_IMAG` (`sys.hash_info.imag`).
    const IMAG: u64 = 1_000_003;
    let real = float(re).unwrap_or(nan_hash) as u64;
    let imag = float(im).unwrap_or(nan_hash) as u64;
    not_minus_one(real.wrapping_add(IMAG.wrapping_mul(imag)) as i64)
}

/// `_Py_HashPointer` (Python/pyhash.c): the address rotated right by 4 bits (the low bits
/// of an aligned address are zero).
pub fn pointer(address: usize) -> i64 {
    not_minus_one(address.rotate_right(4) as i64)
}

/// `_Py_HashBytes` (Python/pyhash.c) with `Py_HASH_CUTOFF` 0 (3.12's default) and the
/// all-zero key `PYTHONHASHSEED=0` gives: siphash13, and 0 for no bytes.
pub fn bytes(b: &[u8]) -> i64 {
    if b.is_empty() {
        return 0;
    }
    not_minus_one(siphash13(0, 0, b) as i64)
}

/// `unicode_hash` (Objects/unicodeobject.c): [`bytes`] of the string's internal PEP 393
/// representation, one, two or four bytes per code point (native little-endian) as the
/// widest code point needs; the empty string hashes to 0.
pub fn str(s: &str) -> i64 {
    if s.is_ascii() {
        return bytes(s.as_bytes());
    }
    code_points(super::standins::code_points(s))
}

/// The hash of a str given by its code points (lone surrogates included): siphash over
/// the canonical representation, one, two or four bytes per code point by the widest.
pub fn code_points(cps: impl Iterator<Item = u32> + Clone) -> i64 {
    let widest = cps.clone().max().unwrap_or(0);
    let mut data = Vec::new();
    for c in cps {
        match widest {
            0..=0xff => data.push(c as u8),
            0x100..=0xffff => data.extend_from_slice(&(c as u16).to_le_bytes()),
            _ => data.extend_from_slice(&c.to_le_bytes()),
        }
    }
    bytes(&data)
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

/// The xxHash64-derived rounds `tuplehash` and `slice_hash` share: one lane per item hash.
fn xx_lanes(items: impl Iterator<Item = i64>) -> u64 {
    let mut acc = XXPRIME_5;
    for h in items {
        acc = acc.wrapping_add((h as u64).wrapping_mul(XXPRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(XXPRIME_1);
    }
    acc
}

/// -1 is reserved: both xxHash-based hashes give this instead.
fn xx_finish(acc: u64) -> i64 {
    if acc == u64::MAX {
        1_546_275_796
    } else {
        acc as i64
    }
}

/// `tuplehash` (Objects/tupleobject.c, 3.8+): the item hashes through [`xx_lanes`], the
/// length mixed in so `hash(())` keeps its historical value.
pub fn tuple(items: impl ExactSizeIterator<Item = i64>) -> i64 {
    let len = items.len() as u64;
    xx_finish(xx_lanes(items).wrapping_add(len ^ (XXPRIME_5 ^ 3_527_539)))
}

/// `slice_hash` (Objects/sliceobject.c; slices are hashable since 3.12): the hashes of
/// start, stop and step through [`xx_lanes`], without the length.
pub fn slice(parts: [i64; 3]) -> i64 {
    xx_finish(xx_lanes(parts.into_iter()))
}

/// `_shuffle_bits` (Objects/setobject.c): spreads nearby hashes before they are xored.
fn shuffle_bits(h: u64) -> u64 {
    ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167)
}

/// `frozenset_hash` (Objects/setobject.c), from the hashes of the active entries. CPython
/// xors the shuffled hash of every slot, unused (hash 0) and dummy (hash -1) ones
/// included, then xors out an odd count of each kind: the same as xoring the active
/// entries alone, which is what this does.
pub fn frozenset(hashes: impl ExactSizeIterator<Item = i64>) -> i64 {
    let len = hashes.len() as u64;
    let mut x = 0u64;
    for h in hashes {
        x ^= shuffle_bits(h as u64);
    }
    x ^= (len + 1).wrapping_mul(1_927_868_237);
    x ^= (x >> 11) ^ (x >> 25);
    x = x.wrapping_mul(69_069).wrapping_add(907_133_923);
    if x == u64::MAX {
        return 590_923_713;
    }
    x as i64
}

/// `_PyHASH_MULTIPLIER`.
const MULTIPLIER: u64 = 1_000_003;

/// The `SCRAMBLE_IN` accumulator of `code_hash` (Objects/codeobject.c, 3.12): each value
/// is xored in, then the state multiplied by `_PyHASH_MULTIPLIER`.
pub struct Scrambler(u64);

impl Scrambler {
    pub fn new(seed: u64) -> Scrambler {
        Scrambler(seed)
    }

    pub fn add(&mut self, h: i64) {
        self.0 = (self.0 ^ h as u64).wrapping_mul(MULTIPLIER);
    }

    pub fn finish(self) -> i64 {
        not_minus_one(self.0 as i64)
    }
}

/// SipHash-1-3 (Python/pyhash.c `siphash13`, CPython's `Py_HASH_ALGORITHM` since 3.11):
/// one compression round per 8-byte block, three finalisation rounds.
fn siphash13(k0: u64, k1: u64, src: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut blocks = src.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let m = u64::from_le_bytes(word);
        v[3] ^= m;
        round(&mut v);
        v[0] ^= m;
    }
    let mut tail = [0u8; 8];
    let rest = blocks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    let b = ((src.len() as u64) << 56) | u64::from_le_bytes(tail);
    v[3] ^= b;
    round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..3 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by CPython 3.12.1 under PYTHONHASHSEED=0.
    #[test]
    fn strings_and_bytes() {
        assert_eq!(str("a"), 4644417185603328019);
        assert_eq!(bytes(b"a"), 4644417185603328019);
        assert_eq!(str(""), 0);
        assert_eq!(str("é"), 6047309291227476195);
        assert_eq!(str("€"), -5529981157763016009);
        assert_eq!(str("😀"), -3536540696076613844);
    }

    #[test]
    fn numbers() {
        assert_eq!(int(-1), -2);
        assert_eq!(int((1 << 61) - 1), 0);
        assert_eq!(int(1 << 61), 1);
        assert_eq!(int(i64::MIN), -4);
        // hash(2**100), hash(-2**100), hash(2**61 - 1 + 2**122) in CPython 3.12.
        let two_100 = num_bigint::BigInt::from(1) << 100u32;
        assert_eq!(big_int(&two_100), 549755813888);
        assert_eq!(big_int(&-two_100), -549755813888);
        assert_eq!(float(0.5), Some(1152921504606846976));
        assert_eq!(float(-0.0), Some(0));
        assert_eq!(float(1e300), Some(1224995262755759164));
        assert_eq!(float(1.0), Some(1));
        assert_eq!(float(f64::NEG_INFINITY), Some(-INF));
        assert_eq!(float(f64::NAN), None);
    }

    #[test]
    fn tuples_and_frozensets() {
        assert_eq!(tuple([].into_iter()), 5740354900026072187);
        assert_eq!(tuple([1].into_iter()), -6644214454873602895);
        assert_eq!(frozenset([].into_iter()), 133146708735736);
        assert_eq!(frozenset([1, 2].into_iter()), -1826646154956904602);
        // hash(range(0)) is hash((0, None, None)).
        assert_eq!(tuple([0, NONE, NONE].into_iter()), 2676694398852732306);
        assert_eq!(slice([1, 2, NONE]), -2178470213028018262);
    }
}
