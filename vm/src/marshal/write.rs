//! Writing code objects as marshal data (marshal.c's `w_object`) that CPython 3.12 loads.
//!
//! Objects are written as CPython writes them. Sharing follows what CPython's compiler
//! shares: it merges equal constants across the whole module (`merge_consts_recursive`
//! and `_PyCode_ConstantKey` in compile.c), so `(1, 2)` in two functions is one object,
//! and `w_ref` writes an object with more than one reference once, then as a `TYPE_REF`.
//! framespec flags every constant that is not a singleton and every string, and writes
//! each later equal one (same type, same value, floats by their bits) as a reference to
//! the first: loaded, equal constants are one object, as `f() is g()` shows in CPython.
//! Which strings are interned follows the code object constructor (`intern_strings`,
//! `intern_string_constants` in codeobject.c): names, local names, the code's name and
//! the constants made only of ASCII letters, digits and underscores.

use std::collections::HashMap;
use std::rc::Rc;

use super::{code, FLAG_REF, MAGIC};
use crate::code::{CodeObject, Constant};
use crate::compile::{const_key, ConstKey};

/// `marshal.dumps(code)`: the marshal data of one code object.
pub fn write_code(code: &CodeObject) -> Vec<u8> {
    let mut owners = Owners::default();
    owners.code(code);
    let mut writer = Writer {
        owners: Rc::new(owners.counts),
        ..Writer::default()
    };
    writer.code(code);
    writer.out
}

/// How many references each constant object has once the module is compiled: one from
/// each `co_consts` slot and from each tuple or frozenset holding it, counted once per
/// object (equal constants are one object across the module, `merge_consts_recursive`).
/// CPython's `w_ref` flags an object only when something else holds it too, which
/// decides the order a frozenset is written in (`sorted_items`).
#[derive(Default)]
struct Owners {
    counts: HashMap<ConstKey, usize>,
}

impl Owners {
    fn code(&mut self, co: &CodeObject) {
        for c in &co.co_consts {
            self.constant(c);
        }
    }

    fn constant(&mut self, c: &Constant) {
        if let Constant::Code(inner) = c {
            return self.code(inner);
        }
        let count = self.counts.entry(const_key(c)).or_insert(0);
        *count += 1;
        if *count == 1 {
            if let Constant::Tuple(items) | Constant::FrozenSet(items) = c {
                for item in items.iter() {
                    self.constant(item);
                }
            }
        }
    }
}

/// A `.pyc` file as `py_compile` writes it by default (`_code_to_timestamp_pyc` in
/// `_bootstrap_external.py`): the magic number, flags 0 (validated by timestamp), the
/// source's modification time and size (each truncated to 32 bits), then the marshalled
/// code.
pub fn write_pyc(code: &CodeObject, source_mtime: u64, source_size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(source_mtime as u32).to_le_bytes());
    out.extend_from_slice(&(source_size as u32).to_le_bytes());
    out.extend_from_slice(&write_code(code));
    out
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    /// Each string written so far (and whether it was interned): its reference index.
    strings: HashMap<(Rc<str>, bool), u32>,
    /// Each other constant written so far (not a singleton): its reference index.
    constants: HashMap<ConstKey, u32>,
    /// How many objects have been flagged, so the index of the next.
    flagged: u32,
    /// The module's reference counts (`Owners`).
    owners: Rc<HashMap<ConstKey, usize>>,
    /// Writing one frozenset item alone, as `_PyMarshal_WriteObjectToString` does for
    /// the sort: objects are flagged by CPython's rule (`w_ref`: immortal, interned, or
    /// held by something else too), not framespec's flag-everything rule.
    alone: bool,
}

/// Whether CPython 3.12 keeps one immortal object for this value (`w_ref` flags it
/// whoever holds it): the small ints, the empty tuple, and the empty and one-byte bytes
/// (`_Py_SINGLETON`).
fn immortal(c: &Constant) -> bool {
    match c {
        Constant::Int(n) => (-5..=256).contains(n),
        Constant::Tuple(items) => items.is_empty(),
        Constant::Bytes(b) => b.len() <= 1,
        _ => false,
    }
}

/// Whether the code object constructor interns a string constant (`all_name_chars`).
fn name_like(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Writer {
    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// `w_long`: 32 bits, little-endian.
    fn long(&mut self, n: u32) {
        self.out.extend_from_slice(&n.to_le_bytes());
    }

    /// `w_pstring`: a 32-bit length, then the bytes. Lengths beyond 2**31 - 1 cannot be
    /// marshalled; nothing framespec compiles comes near.
    fn pstring(&mut self, bytes: &[u8]) {
        self.long(bytes.len() as u32);
        self.out.extend_from_slice(bytes);
    }

    /// A constant: a reference when an equal one was written before, else the object,
    /// flagged so later equal ones can refer to it.
    fn constant(&mut self, c: &Constant) {
        // Singletons take no reference slot; strings have their own table.
        let merged = matches!(
            c,
            Constant::Int(_)
                | Constant::BigInt(_)
                | Constant::Float(_)
                | Constant::Complex(..)
                | Constant::Bytes(_)
                | Constant::Tuple(_)
                | Constant::FrozenSet(_)
        );
        if merged && self.alone {
            let shared = immortal(c) || self.owners.get(&const_key(c)).is_some_and(|&n| n > 1);
            let at = self.out.len();
            self.object(c);
            if shared {
                self.out[at] |= FLAG_REF;
            }
            return;
        }
        if merged {
            // The compiler's merge key (`_PyCode_ConstantKey`): equal constants are one
            // object once loaded.
            let k = const_key(c);
            if let Some(&index) = self.constants.get(&k) {
                self.byte(code::REF);
                self.long(index);
                return;
            }
            // A container takes its index before its items (`r_ref_reserve`).
            self.constants.insert(k, self.flagged);
            self.flagged += 1;
            let at = self.out.len();
            self.object(c);
            self.out[at] |= FLAG_REF;
            return;
        }
        self.object(c);
    }

    fn object(&mut self, c: &Constant) {
        match c {
            Constant::None => self.byte(code::NONE),
            Constant::Ellipsis => self.byte(code::ELLIPSIS),
            Constant::Bool(true) => self.byte(code::TRUE),
            Constant::Bool(false) => self.byte(code::FALSE),
            Constant::Int(n) => self.int(*n),
            Constant::BigInt(b) => {
                self.long_digits(b.sign() == num_bigint::Sign::Minus, b.magnitude())
            }
            Constant::Float(x) => {
                self.byte(code::BINARY_FLOAT);
                self.out.extend_from_slice(&x.to_le_bytes());
            }
            // `w_object`: TYPE_BINARY_COMPLEX, the real part's 8 bytes then the imaginary's.
            Constant::Complex(re, im) => {
                self.byte(code::BINARY_COMPLEX);
                self.out.extend_from_slice(&re.to_le_bytes());
                self.out.extend_from_slice(&im.to_le_bytes());
            }
            Constant::Str(s) if self.alone => self.string_alone(s, name_like(s)),
            Constant::Str(s) => self.string(s, name_like(s)),
            // Never interned (not name-like), written as CPython's marshal does with
            // 'surrogatepass'.
            Constant::StrSurrogates(b) => {
                self.byte(code::UNICODE);
                self.pstring(b);
            }
            Constant::Bytes(b) => {
                self.byte(code::STRING);
                self.pstring(b);
            }
            Constant::Tuple(items) => {
                self.tuple_header(items.len());
                for item in items.iter() {
                    self.constant(item);
                }
            }
            Constant::FrozenSet(items) => {
                // In the order the frozenset iterates (`_PySet_NextEntry`), as CPython
                // writes it, without the items the set did not keep (`{1, 1.0}` holds
                // one). A set whose layout depends on addresses (a NaN) keeps the order
                // it was built in.
                let kept: Vec<&Constant> = match crate::runtime::frozenset_layout(items) {
                    Some(order) => order.iter().filter_map(|&i| items.get(i)).collect(),
                    None => items.iter().collect(),
                };
                let sorted = self.sorted_items(kept);
                self.byte(code::FROZENSET);
                self.long(sorted.len() as u32);
                for item in sorted {
                    self.constant(item);
                }
            }
            Constant::Code(inner) => self.code(inner),
        }
    }

    /// A frozenset's items in the order CPython 3.12 writes them (bpo-37596, for
    /// reproducible builds): sorted by each item's own marshal data, written alone, then
    /// by value. Loading inserts them in that order, so where hashes collide the loaded
    /// set iterates in an order of its own, as under CPython.
    fn sorted_items<'c>(&self, items: Vec<&'c Constant>) -> Vec<&'c Constant> {
        let mut keyed: Vec<(Vec<u8>, &Constant)> = items
            .into_iter()
            .map(|item| {
                let mut alone = Writer {
                    owners: self.owners.clone(),
                    alone: true,
                    ..Writer::default()
                };
                alone.constant(item);
                (alone.out, item)
            })
            .collect();
        // Two items with the same marshal data are equal values of one type, which a
        // set cannot hold twice; the sort is stable regardless.
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.into_iter().map(|(_, item)| item).collect()
    }

    /// An `int`: `TYPE_INT` when it fits 32 bits, else `TYPE_LONG` (`w_PyLong`), its
    /// magnitude in 15-bit digits, least significant first, the count signed as the value.
    fn int(&mut self, n: i64) {
        if let Ok(small) = i32::try_from(n) {
            self.byte(code::INT);
            self.long(small as u32);
            return;
        }
        let magnitude = num_bigint::BigUint::from(n.unsigned_abs());
        self.long_digits(n < 0, &magnitude);
    }

    /// `TYPE_LONG`: the magnitude in 15-bit digits, least significant first, the count
    /// signed as the value.
    fn long_digits(&mut self, negative: bool, magnitude: &num_bigint::BigUint) {
        let words = magnitude.to_u64_digits();
        let word = |i: u64| words.get(i as usize).copied().unwrap_or(0);
        let count = magnitude.bits().div_ceil(15);
        self.byte(code::LONG);
        let signed = if negative {
            -(count as i32)
        } else {
            count as i32
        };
        self.long(signed as u32);
        for k in 0..count {
            let (at, off) = (k * 15 / 64, k * 15 % 64);
            let mut v = word(at) >> off;
            if off > 49 {
                v |= word(at + 1) << (64 - off);
            }
            self.out
                .extend_from_slice(&((v & 0x7fff) as u16).to_le_bytes());
        }
    }

    fn tuple_header(&mut self, len: usize) {
        if len < 256 {
            self.byte(code::SMALL_TUPLE);
            self.byte(len as u8);
        } else {
            self.byte(code::TUPLE);
            self.long(len as u32);
        }
    }

    /// A `str` written alone (`alone`): flagged when interned, immortal (empty, or one
    /// Latin-1 character, `_Py_LATIN1_CHR`) or held by something else too.
    fn string_alone(&mut self, s: &Rc<str>, interned: bool) {
        let key = ConstKey::Str(s.clone());
        let one_latin1 = {
            let mut chars = s.chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if c <= '\u{ff}')
        };
        let shared =
            interned || s.is_empty() || one_latin1 || self.owners.get(&key).is_some_and(|&n| n > 1);
        let at = self.out.len();
        self.string_body(s, interned);
        if !shared {
            self.out[at] &= !FLAG_REF;
        }
    }

    /// A `str`: a reference when an equal string was written before; otherwise the short
    /// or long ASCII form, or UTF-8 (`w_complex_object`), interned or not, flagged.
    fn string(&mut self, s: &Rc<str>, interned: bool) {
        let key = (s.clone(), interned);
        if let Some(&index) = self.strings.get(&key) {
            self.byte(code::REF);
            self.long(index);
            return;
        }
        self.strings.insert(key, self.flagged);
        self.flagged += 1;
        self.string_body(s, interned);
    }

    /// The short or long ASCII form, or UTF-8 (`w_complex_object`), interned or not,
    /// flagged.
    fn string_body(&mut self, s: &Rc<str>, interned: bool) {
        if s.is_ascii() && s.len() < 256 {
            let t = if interned {
                code::SHORT_ASCII_INTERNED
            } else {
                code::SHORT_ASCII
            };
            self.byte(t | FLAG_REF);
            self.byte(s.len() as u8);
            self.out.extend_from_slice(s.as_bytes());
        } else {
            let t = match (s.is_ascii(), interned) {
                (true, true) => code::ASCII_INTERNED,
                (true, false) => code::ASCII,
                (false, true) => code::INTERNED,
                (false, false) => code::UNICODE,
            };
            self.byte(t | FLAG_REF);
            self.pstring(s.as_bytes());
        }
    }

    fn names(&mut self, names: &[Rc<str>]) {
        self.tuple_header(names.len());
        for name in names {
            self.string(name, true);
        }
    }

    /// `TYPE_CODE` with 3.12's fields in 3.12's order (marshal.c `w_complex_object`).
    fn code(&mut self, co: &CodeObject) {
        self.byte(code::CODE);
        self.long(co.co_argcount);
        self.long(co.co_posonlyargcount);
        self.long(co.co_kwonlyargcount);
        self.long(co.co_stacksize);
        self.long(co.co_flags);
        self.byte(code::STRING);
        self.pstring(&co.co_code);
        self.tuple_header(co.co_consts.len());
        for c in &co.co_consts {
            self.constant(c);
        }
        self.names(&co.co_names);
        self.names(&co.co_localsplusnames);
        self.byte(code::STRING);
        self.pstring(&co.co_localspluskinds);
        self.string(&co.co_filename, false);
        self.string(&co.co_name, true);
        // The same string object as co_name where the two are equal (a module-level name).
        let qualname_interned = co.co_qualname == co.co_name;
        self.string(&co.co_qualname, qualname_interned);
        self.long(co.co_firstlineno);
        self.byte(code::STRING);
        self.pstring(&co.co_linetable);
        self.byte(code::STRING);
        self.pstring(&co.co_exceptiontable);
    }
}
