//! `_sha2` (CPython 3.12 `Modules/sha2module.c`): `sha224`, `sha256`, `sha384` and
//! `sha512`, each returning an object of its own type (`SHA224Type`, …) with `update`,
//! `digest`, `hexdigest`, `copy` and the getters `name`, `digest_size`, `block_size`.
//! CPython runs HACL*'s verified SHA-2; the compression functions here are FIPS 180-4's,
//! whose round constants and initial values below were computed with python3.12's
//! integers (the fractional parts of the primes' cube and square roots) and whose digests
//! the language tests compare with python3.12's own. Data is anything with a buffer; a
//! str is refused as CPython refuses it. `usedforsecurity` is accepted and read for its
//! truth, as CPython's `bool` converter does.

use std::cell::RefCell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::methods::bytes::buffer_of;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// The four types, by registry key.
pub const TYPES: &[&str] = &["SHA224Type", "SHA256Type", "SHA384Type", "SHA512Type"];

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_sha2",
        &[
            ("sha256", sha256),
            ("sha224", sha224),
            ("sha512", sha512),
            ("sha384", sha384),
        ],
    );
    for name in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
}

/// Which of the four algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Kind {
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Sha224 => "SHA224Type",
            Kind::Sha256 => "SHA256Type",
            Kind::Sha384 => "SHA384Type",
            Kind::Sha512 => "SHA512Type",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sha224 => "sha224",
            Kind::Sha256 => "sha256",
            Kind::Sha384 => "sha384",
            Kind::Sha512 => "sha512",
        }
    }

    fn digest_size(self) -> usize {
        match self {
            Kind::Sha224 => 28,
            Kind::Sha256 => 32,
            Kind::Sha384 => 48,
            Kind::Sha512 => 64,
        }
    }

    fn block_size(self) -> usize {
        match self {
            Kind::Sha224 | Kind::Sha256 => 64,
            Kind::Sha384 | Kind::Sha512 => 128,
        }
    }
}

/// A hash object: its algorithm and its running state.
#[derive(Debug)]
pub struct Sha2 {
    pub kind: Kind,
    state: RefCell<State>,
}

/// The chaining value, the bytes of the block not yet compressed, and the message
/// length in bytes.
#[derive(Clone, Debug)]
struct State {
    h: Chain,
    pending: Vec<u8>,
    len: u128,
}

#[derive(Clone, Debug)]
enum Chain {
    Words32([u32; 8]),
    Words64([u64; 8]),
}

const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];
const H224: [u32; 8] = [
    0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
];
const H256: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const H384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];
const H512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

impl State {
    fn new(kind: Kind) -> State {
        State {
            h: match kind {
                Kind::Sha224 => Chain::Words32(H224),
                Kind::Sha256 => Chain::Words32(H256),
                Kind::Sha384 => Chain::Words64(H384),
                Kind::Sha512 => Chain::Words64(H512),
            },
            pending: Vec::new(),
            len: 0,
        }
    }

    fn block_size(&self) -> usize {
        match self.h {
            Chain::Words32(_) => 64,
            Chain::Words64(_) => 128,
        }
    }

    fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u128);
        let bs = self.block_size();
        let mut data = data;
        if !self.pending.is_empty() {
            let take = (bs - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() < bs {
                return;
            }
            let block = std::mem::take(&mut self.pending);
            self.compress(&block);
        }
        let mut blocks = data.chunks_exact(bs);
        for block in &mut blocks {
            self.compress(block);
        }
        self.pending.extend_from_slice(blocks.remainder());
    }

    fn compress(&mut self, block: &[u8]) {
        match &mut self.h {
            Chain::Words32(h) => compress256(h, block),
            Chain::Words64(h) => compress512(h, block),
        }
    }

    /// The digest of the message so far (the state itself is left as it is).
    fn digest(&self, size: usize) -> Vec<u8> {
        let mut s = self.clone();
        let bs = s.block_size();
        let len_bytes = bs / 8;
        let bits = self.len.wrapping_mul(8);
        let mut tail = vec![0x80u8];
        while (s.pending.len() + tail.len()) % bs != bs - len_bytes {
            tail.push(0);
        }
        let be = bits.to_be_bytes();
        tail.extend_from_slice(&be[be.len() - len_bytes..]);
        let before = s.len;
        s.update(&tail);
        s.len = before;
        let mut out: Vec<u8> = match &s.h {
            Chain::Words32(h) => h.iter().flat_map(|w| w.to_be_bytes()).collect(),
            Chain::Words64(h) => h.iter().flat_map(|w| w.to_be_bytes()).collect(),
        };
        out.truncate(size);
        out
    }
}

/// SHA-256's compression function (FIPS 180-4 §6.2.2).
fn compress256(h: &mut [u32; 8], block: &[u8]) {
    let mut w = [0u32; 64];
    for (i, c) in block.chunks_exact(4).enumerate().take(16) {
        w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
    }
    for t in 16..64 {
        let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
        let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16]
            .wrapping_add(s0)
            .wrapping_add(w[t - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for t in 0..64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K256[t])
            .wrapping_add(w[t]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *x = x.wrapping_add(y);
    }
}

/// SHA-512's compression function (FIPS 180-4 §6.4.2).
fn compress512(h: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 80];
    for (i, c) in block.chunks_exact(8).enumerate().take(16) {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        w[i] = u64::from_be_bytes(b);
    }
    for t in 16..80 {
        let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
        let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16]
            .wrapping_add(s0)
            .wrapping_add(w[t - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for t in 0..80 {
        let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K512[t])
            .wrapping_add(w[t]);
        let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *x = x.wrapping_add(y);
    }
}

/// `GET_BUFFER_VIEW_OR_ERROUT`: the bytes of `v`, a str refused by name.
fn data_of(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Value::Str(_) = v.builtin_value() {
        return Err(vm.type_error("Strings must be encoded before hashing"));
    }
    buffer_of(v).ok_or_else(|| vm.type_error("object supporting the buffer API required"))
}

/// `sha256(string=None, *, usedforsecurity=True)` and its kin.
fn new_hash(vm: &mut Vm, args: &Args, kind: Kind) -> PyResult<Value> {
    let [string, usedforsecurity] = Spec::function(
        kind.name(),
        Style::Keywords,
        &["string", "usedforsecurity"],
        0,
    )
    .keywords(0, 1)
    .bind(vm, args, 0)?;
    // The `bool` converter runs while the arguments are parsed, before the buffer check.
    if let Some(u) = &usedforsecurity {
        vm.truthy(u)?;
    }
    let data = match &string {
        Some(v) => Some(data_of(vm, v)?),
        None => None,
    };
    let mut state = State::new(kind);
    if let Some(d) = data {
        state.update(&d);
    }
    Ok(Value::Native(Rc::new(Native::Sha2(Sha2 {
        kind,
        state: RefCell::new(state),
    }))))
}

fn sha224(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_hash(vm, &args, Kind::Sha224)
}

fn sha256(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_hash(vm, &args, Kind::Sha256)
}

fn sha384(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_hash(vm, &args, Kind::Sha384)
}

fn sha512(vm: &mut Vm, args: Args) -> PyResult<Value> {
    new_hash(vm, &args, Kind::Sha512)
}

fn me<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a Sha2> {
    match args.pos.first() {
        Some(Value::Native(n)) => match &**n {
            Native::Sha2(s) => Ok(s),
            _ => Err(vm.bug("a SHA-2 method without a hash object")),
        },
        _ => Err(vm.bug("a SHA-2 method without a hash object")),
    }
}

/// `update(obj)`.
fn update(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    let [obj] =
        Spec::method(s.kind.type_name(), "update", Style::O, &["obj"], 1).bind(vm, &args, 1)?;
    let data = data_of(vm, &obj.unwrap_or_default())?;
    s.state.borrow_mut().update(&data);
    Ok(Value::None)
}

fn digest_bytes(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Vec<u8>> {
    let s = me(vm, args)?;
    Spec::method(s.kind.type_name(), name, Style::NoArgs, &[], 0).parse(vm, args, 1)?;
    let d = s.state.borrow().digest(s.kind.digest_size());
    Ok(d)
}

/// `digest()`.
fn digest(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = digest_bytes(vm, &args, "digest")?;
    Ok(Value::Bytes(Rc::from(d)))
}

/// `hexdigest()`.
fn hexdigest(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let d = digest_bytes(vm, &args, "hexdigest")?;
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Value::str(&hex))
}

/// `copy()`: a new object of the same type and state.
fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let s = me(vm, &args)?;
    // Clinic's `defining_class` method without parameters: positional arguments are
    // refused with one message (keywords pass unread, as in CPython 3.12).
    if args.pos.len() > 1 {
        return Err(vm.type_error("copy() takes no arguments"));
    }
    let state = s.state.borrow().clone();
    Ok(Value::Native(Rc::new(Native::Sha2(Sha2 {
        kind: s.kind,
        state: RefCell::new(state),
    }))))
}

/// The getters `name`, `digest_size` and `block_size`.
pub fn attr(s: &Sha2, name: &str) -> Option<Value> {
    match name {
        "name" => Some(Value::str(s.kind.name())),
        "digest_size" => Some(Value::Int(s.kind.digest_size() as i64)),
        "block_size" => Some(Value::Int(s.kind.block_size() as i64)),
        _ => None,
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("SHA224Type", "update", update),
    ("SHA224Type", "digest", digest),
    ("SHA224Type", "hexdigest", hexdigest),
    ("SHA224Type", "copy", copy),
    ("SHA256Type", "update", update),
    ("SHA256Type", "digest", digest),
    ("SHA256Type", "hexdigest", hexdigest),
    ("SHA256Type", "copy", copy),
    ("SHA384Type", "update", update),
    ("SHA384Type", "digest", digest),
    ("SHA384Type", "hexdigest", hexdigest),
    ("SHA384Type", "copy", copy),
    ("SHA512Type", "update", update),
    ("SHA512Type", "digest", digest),
    ("SHA512Type", "hexdigest", hexdigest),
    ("SHA512Type", "copy", copy),
];
