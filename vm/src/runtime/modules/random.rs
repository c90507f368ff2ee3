//! `_random` (CPython 3.12 `Modules/_randommodule.c`): `Random`, the Mersenne Twister
//! MT19937 as CPython runs it. `init_genrand` and `init_by_array` seed the 624-word
//! state; `seed(n)` uses an int's absolute value split into 32-bit words from the least
//! significant (any other object's hash, as an unsigned 64-bit word), and `seed(None)`
//! any unpredictable key (CPython reads 624 words of OS entropy; the VM's comes from the
//! standard library's randomly keyed hasher, which the OS seeds). `random()` is
//! `genrand_res53`; `getrandbits(k)` fills the int 32 bits at a time from the least
//! significant word, the last word's low bits dropped.
//!
//! Every Random, of the type itself or of a subclass (`Lib/random.py`'s `Random` derives
//! from it and calls `super().seed(a)`), is an instance carrying its generator as its
//! payload (see `subclass`); `__new__` is `PyType_GenericNew` and `__init__` is
//! `random_init`, which refuses keywords unless a subclass has its own `__init__`.

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::{BigInt, Sign};

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::types::Type;
use super::super::PyResult;

/// `module_doc`.
const DOC: &str = "Module implements the Mersenne Twister random number generator.";

/// The type, by registry key.
pub const TYPES: &[&str] = &["Random"];

/// The state size and shift of MT19937 (`N`, `M`).
const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    d.set_str("Random", Value::Type(vm.ty("Random")));
}

/// `RandomObject`: the state words and the index of the next one to temper.
#[derive(Debug)]
pub struct Random {
    state: RefCell<Twister>,
}

#[derive(Debug, Clone)]
struct Twister {
    mt: [u32; N],
    index: usize,
}

impl Default for Random {
    /// `PyType_GenericNew`'s zeroed object: every word 0, index 0.
    fn default() -> Random {
        Random {
            state: RefCell::new(Twister {
                mt: [0; N],
                index: 0,
            }),
        }
    }
}

impl Twister {
    /// `genrand_uint32`.
    fn next_u32(&mut self) -> u32 {
        let mag01 = |y: u32| if y & 1 == 0 { 0 } else { MATRIX_A };
        let mt = &mut self.mt;
        if self.index >= N {
            for kk in 0..N - M {
                let y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ mag01(y);
            }
            for kk in N - M..N - 1 {
                let y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M - N] ^ (y >> 1) ^ mag01(y);
            }
            let y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ mag01(y);
            self.index = 0;
        }
        let mut y = mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `init_genrand`.
    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// `init_by_array`.
    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let mt = &mut self.mt;
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
    }
}

/// The Random state `v` carries.
fn of(v: &Value) -> Option<Rc<Random>> {
    match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::Random(r) => Some(r.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn me(vm: &Vm, args: &Args) -> PyResult<Rc<Random>> {
    args.pos
        .first()
        .and_then(of)
        .ok_or_else(|| vm.bug("a Random method without a Random"))
}

/// `PyType_GenericNew` for `cls`: a generator of zeroed state.
pub fn new_for(cls: &Rc<Type>) -> Value {
    let n = Value::Native(Rc::new(Native::Random(Rc::new(Random::default()))));
    super::super::subclass::with_payload(cls, n)
}

/// `_random.Random(...)`: the new object, then `random_init`.
pub fn construct(vm: &mut Vm, cls: &Rc<Type>, mut args: Args) -> PyResult<Value> {
    let me = new_for(cls);
    args.pos.insert(0, me.clone());
    init(vm, args)?;
    Ok(me)
}

/// `Random.__new__(cls, *args, **kwargs)` (`tp_new_wrapper`'s checks, then
/// `PyType_GenericNew`, which ignores the arguments).
fn new_method(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::subclass::tp_new_wrapper(vm, &args, "Random", "_random.Random", new_for)
}

/// `random_init`: keywords refused for the type itself and for subclasses that inherit
/// this `__init__`; at most one argument, the seed.
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    let this = args.pos.first().cloned().unwrap_or_default();
    let t = vm.type_of(&this);
    let base = vm.ty("Random");
    let own_init = base.dict.get_str("__init__");
    let inherits = Rc::ptr_eq(&t, &base)
        || match (t.lookup("__init__"), own_init) {
            (Some(a), Some(b)) => a.is(&b),
            _ => false,
        };
    if inherits && !args.kw.is_empty() {
        return Err(vm.type_error("Random() takes no keyword arguments"));
    }
    if args.pos.len() > 2 {
        return Err(vm.type_error("Random() requires 0 or 1 argument"));
    }
    seed_with(vm, &r, args.pos.get(1))?;
    Ok(Value::None)
}

/// A key of unpredictable words for `seed(None)`: std's `RandomState` is keyed from the
/// OS's entropy once per process and advanced per instance; each word hashes a counter
/// and the time under a fresh one.
fn entropy_key() -> Vec<u32> {
    use std::hash::{BuildHasher, Hasher};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut key = Vec::with_capacity(N);
    while key.len() < N {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(now);
        h.write_usize(key.len());
        let w = h.finish();
        key.push(w as u32);
        key.push((w >> 32) as u32);
    }
    key.truncate(N);
    key
}

/// `random_seed`.
fn seed_with(vm: &mut Vm, r: &Random, arg: Option<&Value>) -> PyResult<()> {
    let n: BigInt = match arg {
        None | Some(Value::None) => {
            r.state.borrow_mut().init_by_array(&entropy_key());
            return Ok(());
        }
        // `PyNumber_Absolute` for an exact int, `int.__abs__` for a subclass: the
        // magnitude either way.
        Some(v) => match v.builtin_value() {
            Value::Int(i) => BigInt::from(*i),
            Value::Bool(b) => BigInt::from(u8::from(*b)),
            Value::BigInt(b) => (**b).clone(),
            _ => BigInt::from(vm.hash(v)? as u64),
        },
    };
    let (_, bytes) = n.to_bytes_le();
    let key: Vec<u32> = if n.sign() == Sign::NoSign {
        vec![0]
    } else {
        bytes
            .chunks(4)
            .map(|c| {
                let mut w = [0u8; 4];
                w[..c.len()].copy_from_slice(c);
                u32::from_le_bytes(w)
            })
            .collect()
    };
    r.state.borrow_mut().init_by_array(&key);
    Ok(())
}

/// `seed([n]) -> None`.
fn seed(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    let [n] = Spec::method("Random", "seed", Style::Positional, &["n"], 0).bind(vm, &args, 1)?;
    seed_with(vm, &r, n.as_ref())?;
    Ok(Value::None)
}

/// `random() -> x in the interval [0, 1)`: `genrand_res53`.
fn random(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    Spec::method("Random", "random", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let mut s = r.state.borrow_mut();
    let a = s.next_u32() >> 5;
    let b = s.next_u32() >> 6;
    Ok(Value::Float(
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0),
    ))
}

/// `getstate()`: the 624 words and the index.
fn getstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    Spec::method("Random", "getstate", Style::NoArgs, &[], 0).parse(vm, &args, 1)?;
    let s = r.state.borrow();
    let mut items: Vec<Value> = s.mt.iter().map(|w| Value::Int(i64::from(*w))).collect();
    items.push(Value::Int(s.index as i64));
    Ok(Value::tuple(items))
}

/// `PyLong_AsUnsignedLong` of a state word: ints only (no `__index__`).
fn state_word(vm: &mut Vm, v: &Value) -> PyResult<u32> {
    let big = match v.builtin_value() {
        Value::Int(i) => BigInt::from(*i),
        Value::Bool(b) => BigInt::from(u8::from(*b)),
        Value::BigInt(b) => (**b).clone(),
        _ => return Err(vm.type_error("an integer is required")),
    };
    if big.sign() == Sign::Minus {
        return Err(vm.err(
            "OverflowError",
            "can't convert negative value to unsigned int",
        ));
    }
    let w = u64::try_from(&big).map_err(|_| {
        vm.err(
            "OverflowError",
            "Python int too large to convert to C unsigned long",
        )
    })?;
    Ok(w as u32)
}

/// `setstate(state)`: a tuple of 624 words and an index in 0..=624.
fn setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    let [state] = Spec::method("Random", "setstate", Style::O, &["state"], 1).bind(vm, &args, 1)?;
    let state = state.unwrap_or_default();
    let Value::Tuple(items) = state.builtin_value().clone() else {
        return Err(vm.type_error("state vector must be a tuple"));
    };
    if items.len() != N + 1 {
        return Err(vm.value_error("state vector is the wrong size"));
    }
    let mut mt = [0u32; N];
    for (w, v) in mt.iter_mut().zip(items.iter()) {
        *w = state_word(vm, v)?;
    }
    // `PyLong_AsLong`: through `__index__`.
    let index = super::math::to_index(vm, &items[N])?;
    let index = i64::try_from(&index)
        .map_err(|_| vm.err("OverflowError", "Python int too large to convert to C long"))?;
    if !(0..=N as i64).contains(&index) {
        return Err(vm.value_error("invalid state"));
    }
    let mut s = r.state.borrow_mut();
    s.mt = mt;
    s.index = index as usize;
    Ok(Value::None)
}

/// `getrandbits(k)`: an int of `k` random bits.
fn getrandbits(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = me(vm, &args)?;
    let [k] = Spec::method("Random", "getrandbits", Style::O, &["k"], 1).bind(vm, &args, 1)?;
    let k = super::math::to_index(vm, &k.unwrap_or_default())?;
    let k = i32::try_from(&k)
        .map_err(|_| vm.err("OverflowError", "Python int too large to convert to C int"))?;
    if k < 0 {
        return Err(vm.value_error("number of bits must be non-negative"));
    }
    if k == 0 {
        return Ok(Value::Int(0));
    }
    if k <= 32 {
        let w = r.state.borrow_mut().next_u32() >> (32 - k);
        return Ok(Value::Int(i64::from(w)));
    }
    let words = (k as usize - 1) / 32 + 1;
    // CPython's word array and the int it becomes.
    vm.before_alloc(words as u128 * 4, words as u128 * 8)?;
    let mut digits = Vec::with_capacity(words);
    let mut left = k;
    {
        let mut s = r.state.borrow_mut();
        for _ in 0..words {
            let mut w = s.next_u32();
            if left < 32 {
                w >>= 32 - left;
            }
            digits.push(w);
            left -= 32;
        }
    }
    Ok(Value::int(BigInt::from_slice(Sign::Plus, &digits)))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Random", "__new__", new_method),
    ("Random", "__init__", init),
    ("Random", "random", random),
    ("Random", "seed", seed),
    ("Random", "getstate", getstate),
    ("Random", "setstate", setstate),
    ("Random", "getrandbits", getrandbits),
];
