//! `hash()` and set iteration order against CPython 3.12: generated programs print the
//! hashes of many values and the contents of sets built, grown, shrunk and combined every
//! way the VM supports; each runs on `python3.12` with `PYTHONHASHSEED=0` (as the harness
//! runs CPython) and on the VM (framespec's compiler, as `framespec run` uses it), and the
//! outputs must agree line by line. The expectations are CPython's output, never the VM's.
//!
//! One trial per program, named `hash/…` or `order/…`; the programs are generated from a
//! fixed seed, so a failure names a program that can be regenerated and re-run exactly.

#[path = "../../harness/tests/common/cpython.rs"]
mod cpython;

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use framespec_vm::{End, RunOptions};
use libtest_mimic::Failed;

fn main() -> ExitCode {
    let trials = programs()
        .into_iter()
        .map(|(name, source)| cpython::trial(name, move |python| check(python, &source)))
        .collect();
    cpython::run(trials)
}

/// Runs `source` on both and compares stdout line by line.
fn check(python: &Path, source: &str) -> Result<(), Failed> {
    let theirs = cpython_stdout(python, source)?;
    let options = RunOptions {
        fuel: 200_000_000,
        ..RunOptions::default()
    };
    let r = framespec_vm::run(source, &options);
    if r.end != End::Completed {
        return Err(format!(
            "the VM ended with {:?}\nstderr:\n{}\n--- program\n{source}",
            r.end, r.stderr
        )
        .into());
    }
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (r.stdout.lines().collect(), theirs.lines().collect());
    let mut report = Vec::new();
    for i in 0..ours.len().max(theirs.len()) {
        let (a, b) = (theirs.get(i), ours.get(i));
        if a != b {
            report.push(format!(
                "line {}:\n  CPython: {}\n  VM:      {}",
                i + 1,
                a.unwrap_or(&"<none>"),
                b.unwrap_or(&"<none>")
            ));
        }
    }
    if report.is_empty() {
        return Ok(());
    }
    let shown = report.len().min(5);
    Err(format!(
        "{} of {} lines differ; the first {shown}:\n{}\n--- program\n{source}",
        report.len(),
        theirs.len(),
        report[..shown].join("\n")
    )
    .into())
}

fn cpython_stdout(python: &Path, source: &str) -> Result<String, Failed> {
    let mut child = Command::new(python)
        .arg("-")
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(source.as_bytes())
            .map_err(|e| format!("writing the program to CPython: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for CPython: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the program fails on CPython 3.12 (a broken test program):\n{}\n--- program\n{source}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    String::from_utf8(out.stdout).map_err(|e| format!("CPython's output: {e}").into())
}

/// splitmix64: a small deterministic generator, so the programs are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A Python literal of a random int of up to `bits` bits, either sign.
fn int_literal(rng: &mut Rng, bits: u32) -> String {
    let magnitude = rng.next() >> (64 - bits.clamp(1, 63));
    if rng.below(3) == 0 {
        format!("-{magnitude}")
    } else {
        magnitude.to_string()
    }
}

const ALPHABETS: &[&str] = &["abcxyz_", "abcdefghij0123456789", "aéß€ü", "a€😀λ", "XY"];

/// A Python literal of a random str over one alphabet (latin-1, BMP or astral).
fn str_literal(rng: &mut Rng, max_len: u64) -> String {
    let alphabet: Vec<char> = rng.pick(ALPHABETS).chars().collect();
    let len = rng.below(max_len + 1);
    let s: String = (0..len)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
        .collect();
    format!("{s:?}")
}

fn float_literal(rng: &mut Rng) -> String {
    let choices = [
        "0.5",
        "-0.0",
        "0.0",
        "1e300",
        "-1e300",
        "1e-300",
        "5e-324",
        "1.0",
        "-1.5",
        "2.5",
        "1e18",
        "1e19",
        "123.456",
        "0.1",
        "3.141592653589793",
        "-7.25",
        "1e16",
        "4503599627370497.0",
    ];
    if rng.below(2) == 0 {
        rng.pick(&choices).to_owned()
    } else {
        let mantissa = rng.below(1 << 40) as f64 / 1024.0;
        let v = if rng.below(2) == 0 {
            mantissa
        } else {
            -mantissa / 3.0
        };
        format!("{v:?}")
    }
}

/// One random hashable element of the given kind.
fn element(rng: &mut Rng, kind: &str) -> String {
    match kind {
        "small" => rng.below(64).to_string(),
        "negative" => format!("-{}", rng.below(200)),
        "large" => int_literal(rng, 63),
        "collide" => {
            // Equal hashes modulo the table sizes: multiples of 2**k, and values congruent
            // modulo 2**61 - 1 (whose hashes are equal).
            let base = rng.below(40);
            match rng.below(3) {
                0 => format!("{base} * 2**{}", 8 + rng.below(20)),
                1 => format!("{base} + {} * (2**61 - 1)", rng.below(3)),
                _ => format!("{} * 1024", rng.below(64)),
            }
        }
        "str" => str_literal(rng, 12),
        "float" => float_literal(rng),
        "tuple" => format!(
            "({}, {})",
            rng.below(10),
            if rng.below(2) == 0 {
                str_literal(rng, 3)
            } else {
                format!("({}, None)", rng.below(5))
            }
        ),
        _ => {
            let kinds = ["small", "negative", "large", "str", "float", "tuple"];
            let k = rng.pick(&kinds);
            match rng.below(8) {
                0 => "None".to_owned(),
                1 => "True".to_owned(),
                2 => format!(
                    "b{}",
                    str_literal(rng, 4).replace(|c: char| !c.is_ascii(), "")
                ),
                3 => format!("frozenset([{}, {}])", rng.below(9), str_literal(rng, 2)),
                _ => element(rng, k),
            }
        }
    }
}

fn list_of(rng: &mut Rng, kind: &str, n: u64) -> String {
    let items: Vec<String> = (0..n).map(|_| element(rng, kind)).collect();
    format!("[{}]", items.join(", "))
}

/// Set displays of constants (frozenset constants: CPython builds them in the compiler and
/// merges equal ones, which decides their layout): printed, iterated, searched, and the
/// same set written in another order in a function, which gets the first one's layout.
/// Strings are kept from looking like identifiers (`!`), whose frozensets CPython may lay
/// out differently depending on what it interned (unsupported on the VM).
fn constants_program(rng: &mut Rng, kind: &str, n: u64) -> String {
    let mut items = Vec::new();
    while (items.len() as u64) < n {
        let e = element(rng, kind);
        let e = match e.strip_suffix('"') {
            Some(body) if e.starts_with('"') => format!("{body}!\""),
            _ => e,
        };
        if !e.starts_with("frozenset") {
            items.push(e);
        }
    }
    let others: Vec<String> = (0..n).map(|_| element(rng, "small")).collect();
    let forward = items.join(", ");
    let backward: Vec<&str> = items.iter().rev().map(String::as_str).collect();
    let backward = backward.join(", ");
    let other = others.join(", ");
    format!(
        "A = {{{forward}}}\nB = {{{other}}}\nprint(A, B)\nfor x in {{{forward}}}:\n    print(x, end=' ')\nprint()\n\
         print([x for x in {{{forward}}}], {{x for x in {{{other}}}}})\n\
         print({first} in {{{forward}}}, {first} not in {{{other}}}, 1000 in {{{forward}}})\n\
         def f():\n    return {{{backward}}}\nprint(f(), f() == A, list(f()) == list(A))\n\
         print({{*A, {other}}}, {{{other}, *A}}, A | B, B - A)\n",
        first = items[0],
    )
}

/// Every construction path and operation on `L` and `M`, printing each result.
const ORDER_BODY: &str = r#"
def show(tag, s):
    print(tag, s)
s = set(L); show('set(L)', s)
show('frozenset(L)', frozenset(L))
show('star', {*L})
show('star2', {*L, *M})
show('comp', {x for x in L})
a = set()
for x in L:
    a.add(x)
show('add', a)
show('copy', a.copy())
show('set(set)', set(a))
show('set(frozenset)', set(frozenset(L)))
show('frozenset(set)', frozenset(a))
show('set(tuple)', set(tuple(L)))
d = {}
for x in L:
    d[x] = 0
show('set(dict)', set(d))
show('set(keys)', set(d.keys()))
print('list', list(a))
print('iter', ' '.join(repr(x) for x in a))
print('print', *a)
print('sorted-stable', sorted(a, key=lambda x: 0))
print('display', {L[0], L[-1]}, {L[-1], M[0], L[0]}, {L[0], *M})
m = set(M)
show('or', a | m); show('ror', m | a)
show('and', a & m); show('rand', m & a)
show('sub', a - m); show('rsub', m - a)
show('xor', a ^ m); show('rxor', m ^ a)
show('union', a.union(M)); show('union2', a.union(m, L[:3]))
show('inter', a.intersection(M)); show('inter2', a.intersection(m))
t = set(a); t |= m; show('ior', t)
t = set(a); t &= m; show('iand', t)
t = set(a); t -= m; show('isub', t)
t = set(a); t ^= m; show('ixor', t)
t = set(a); t.update(M, d); show('update', t)
t = set(a); t.update(m); show('update-set', t)
f = frozenset(L)
show('f|m', f | m); show('f&m', f & m); show('f-m', f - m); show('f^m', f ^ m)
show('m|f', m | f); show('m-f', m - f)
g = f; g |= m; show('f|=', g); print(f == frozenset(L))
print('cmp', a < m, a <= m, a > m, a >= m, a == m, a != m, a == f, a <= a | m, a < a | m)
b = set(a)
for x in L[::3]:
    b.discard(x)
show('discard', b)
show('discard-copy', b.copy()); show('discard-set', set(b)); show('discard-or', b | m)
show('discard-frozen', frozenset(b)); show('discard-and', b & m); show('discard-xor', m ^ b)
for x in M[::2]:
    b.add(x)
show('readd', b)
for x in L[1::4]:
    b.add(x)
show('readd2', b)
for x in list(b)[::2]:
    b.remove(x)
show('remove', b)
p = set(a)
print('popped', [p.pop() for _ in range(len(p) // 2)])
show('after-pop', p)
p.add(L[0]); p.add(M[0]); show('pop-add', p)
print('pop2', [p.pop() for _ in range(min(3, len(p)))], p)
print('hashes', hash(f), hash(frozenset(m)), hash(f - m), hash(frozenset(L[::-1])) == hash(f))
"#;

/// Sets that grow through several resizes, lose elements and grow again.
const GROWTH_BODY: &str = r#"
big = set()
for i in range(N):
    big.add(i * STEP % MOD)
print(len(big), list(big)[:40], list(big)[-40:])
for i in range(0, N, 3):
    big.discard(i * STEP % MOD)
print(len(big), list(big)[:40], list(big)[-40:])
for i in range(N, N + N // 2):
    big.add(i * STEP % MOD)
print(len(big), list(big)[:40], list(big)[-40:])
c = set(big)
print(list(c)[:40])
fifth = set([i * STEP % MOD for i in range(0, 2 * N, 5)])
half = set([i * STEP % MOD for i in range(0, 2 * N, 2)])
h = big - fifth
print(len(h), list(h)[:40])
k = big & half
print(len(k), list(k)[:40])
x = big ^ fifth
print(len(x), list(x)[:40])
w = set(big)
w -= half
print(len(w), list(w)[:40])
w |= fifth
print(len(w), list(w)[:40])
print([big.pop() for _ in range(30)])
s = set()
for i in range(N):
    s.add(str(i * STEP % MOD))
print(list(s)[:30])
"#;

const HASH_INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "-2",
    "2**30",
    "2**31",
    "2**32 + 1",
    "2**61 - 2",
    "2**61 - 1",
    "2**61",
    "2**62",
    "-(2**61)",
    "-(2**61) + 1",
    "9223372036854775807",
    "-9223372036854775807 - 1",
    "1000003",
    "-1000003",
    "True",
    "False",
];

const HASH_FLOATS: &[&str] = &[
    "0.5",
    "-0.0",
    "0.0",
    "1e300",
    "-1e300",
    "1e-300",
    "5e-324",
    "float('inf')",
    "float('-inf')",
    "1.0",
    "-1.0",
    "2.0**61",
    "2.0**62",
    "2.0**63",
    "1e18",
    "1e19",
    "1e100",
    "123.456",
    "-0.1",
    "0.1 + 0.2",
    "1/3",
    "2.0**-1074",
    "1.7976931348623157e308",
];

const HASH_STRS: &[&str] = &[
    "''",
    "'a'",
    "'ab'",
    "'abcdefg'",
    "'abcdefgh'",
    "'abcdefghi'",
    "'hello world'",
    "'x' * 100",
    "'é'",
    "'aé'",
    "'ÿ'",
    "'€'",
    "'a€'",
    "'é€'",
    "'😀'",
    "'a😀'",
    "'€😀'",
    "'\\x00'",
    "'\\u0100'",
    "'\\uffff'",
    "'\\U00010000'",
    "'Koishi Komeiji'",
    "'0123456789abcdef'",
];

const HASH_BYTES: &[&str] = &[
    "b''",
    "b'a'",
    "b'ab'",
    "b'abcdefgh'",
    "b'abcdefghi'",
    "b'\\x00'",
    "b'\\xff' * 3",
    "b'hello world'",
    "bytes(range(20))",
    "'é'.encode()",
];

const HASH_TUPLES: &[&str] = &[
    "()",
    "(1,)",
    "(1, 2)",
    "(2, 1)",
    "(-1,)",
    "(-2,)",
    "((),)",
    "(None,)",
    "(1, 'a', 2.5, b'x')",
    "((1, 2), (3, (4, (5,))))",
    "('a', ('b', ('c',)))",
    "(True, 1.0, 1)",
    "(frozenset(),)",
    "(range(3), 'x')",
    "tuple(range(50))",
    "(slice(1, 2),)",
];

const HASH_FROZENSETS: &[&str] = &[
    "frozenset()",
    "frozenset([0])",
    "frozenset([1])",
    "frozenset([1, 2])",
    "frozenset([2, 1])",
    "frozenset('abc')",
    "frozenset([(1, 2), 'x', None])",
    "frozenset([frozenset([1]), 2])",
    "frozenset([frozenset(), frozenset([frozenset()])])",
    "frozenset(range(100))",
    "frozenset([-1, -2])",
    "frozenset([1, 1.0, True])",
];

const HASH_RANGES: &[&str] = &[
    "range(0)",
    "range(5, 5)",
    "range(3)",
    "range(1, 2)",
    "range(1, 2, 7)",
    "range(0, 10, 3)",
    "range(-5, 5, 2)",
    "range(10, 0, -3)",
    "range(2**62)",
    "range(-(2**62), 2**62, 3)",
];

const HASH_MISC: &str = r#"
def f(a, b=2):
    return a + b
def g():
    x = [1, 'two', (3.0, None)]
    return lambda: x
print(hash(f.__code__), hash(g.__code__), hash(g().__code__))
print(hash(None), hash(True), hash(False))
print(hash(1) == hash(1.0) == hash(True), hash(0) == hash(-0.0) == hash(False))
print(hash(2**61 - 1) == hash(0), hash(-1) == hash(-2), hash(1.5) == hash(3 / 2))
print(hash((1, 2)) == hash((1.0, 2.0)), hash(frozenset([1, 2])) == hash(frozenset([2.0, 1.0])))
print(hash(range(0)) == hash(range(3, 3)), hash(range(1, 2)) == hash(range(1, 5, 10)))
class A:
    pass
a = A()
print(hash(a) == hash(a), hash(f) == hash(f), hash(len) == hash(len), hash(A) == hash(A))
class H:
    def __hash__(self):
        return -1
class E:
    def __eq__(self, other):
        return True
print(hash(H()))
print(hash(slice(1, 2)), hash(slice(None)), hash(slice('a', 2.5, None)), {slice(1, 2): 1}[slice(1.0, 2)])
for v in (E(), [], {}, set(), slice([], 1), {}.keys(), {}.items()):
    try:
        hash(v)
    except TypeError as e:
        print(type(e).__name__, e)
print({1: 'a', 1.0: 'b', True: 'c'}, {range(3): 1}[range(0, 3)], {(1, 2): 3}[(1.0, 2.0)])
print(frozenset([1]) in {frozenset([1]): 1}, {1} in {frozenset([1])}, frozenset() in set([frozenset()]))
"#;

/// Iteration over a changing set, pops around the table, lookups of sets, reprs, views.
const ORDER_EDGES: &str = r#"
o = 1
print(set(), frozenset(), {o, 1.0, True}, {1.0, o}, {True, o}, {-1, -2}, {-2, -1}, {o - 2, o - 3})
s = set(range(10))
try:
    for x in s:
        s.add(x + 100)
except RuntimeError as e:
    print(type(e).__name__, e)
print(s)
s = set(range(10))
seen = []
for x in s:
    seen.append(x)
    if x == 3:
        s.discard(8)
        s.add(20)
print(seen, s)
it = iter({o, 2})
print(next(it), list(it), list(it))
p = set(range(0, 64, 4))
out = []
while p:
    out.append(p.pop())
    if len(out) % 3 == 0:
        p.add(len(out) * 5)
print(out)
p = set([o * 9, 17, 25, 33, 1])
print(p.pop(), p.pop(), p)
p.add(9); p.add(41)
print(p, p.pop(), p)
try:
    set().pop()
except KeyError as e:
    print(repr(e))
try:
    {o}.remove(2)
except KeyError as e:
    print(repr(e))
fs = {frozenset([o]), frozenset([o, 2])}
print({o} in fs, {o, 2} in fs, {3} in fs, frozenset() in fs)
fs.discard({o}); print(fs)
fs.remove({o, 2}); print(fs)
print(float('nan') in {o, 2}, float('inf') in {float('inf')})
class R:
    def __repr__(self):
        return 'R' + repr(box[0])
box = [None]
r = R()
box[0] = {r}
print(box[0])
box[0] = frozenset([r])
print(box[0])
d = {'a': 1, 'b': 2, 'c': 3}
abc = set('abc')
print(abc == d.keys(), d.keys() == abc, d.keys() <= set('abcd'), {'a'} < d.keys(), d.keys() > {'a'}, d.keys() != {'a'}, d.keys() == d.keys())
def gen():
    for i in range(10):
        print('gen', i)
        yield i
print({o, 2}.intersection(gen()))
# A new element takes the last dummy slot on its probe path (set_add_entry's freeslot).
s = set()
for k in (1, 33, 65, 97, 20, 21, 22):
    s.add(k)
s.discard(33); s.discard(65); s.add(129); s.add(33); print(s)
s = set(range(3)); s -= set(range(100)); print(s, s | {o * 40, o * 8})
s = set(range(0, 200, 3)); s -= set(range(0, 200, 2)); print(s); s.add(1000); print(s)
s = set(range(50)); s -= {o * 3, 7, 9}; print(s, s.pop())
s = set(range(0, 64, 4)); s &= set(range(0, 64, 8)); s.add(3); print(s)
s = set(range(100)); t = set(range(3)); print(s - t, t - s, (s - set(range(90))) | {o})
print(set('hello world'), frozenset('mississippi'), set(b'bytes'), set(range(-5, 5)))
print(set([(o, 2), (2, o), (o,), ()]), set([None, True, False, 0, 1, '', b'']))
"#;

fn hash_program(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("print({v:?}, hash({v}))\n"))
        .collect()
}

fn programs() -> Vec<(String, String)> {
    let mut out = vec![
        ("hash/ints".to_owned(), hash_program(HASH_INTS)),
        ("hash/floats".to_owned(), hash_program(HASH_FLOATS)),
        ("hash/strs".to_owned(), hash_program(HASH_STRS)),
        ("hash/bytes".to_owned(), hash_program(HASH_BYTES)),
        ("hash/tuples".to_owned(), hash_program(HASH_TUPLES)),
        ("hash/frozensets".to_owned(), hash_program(HASH_FROZENSETS)),
        ("hash/ranges".to_owned(), hash_program(HASH_RANGES)),
        ("hash/misc".to_owned(), HASH_MISC.to_owned()),
        ("order/edges".to_owned(), ORDER_EDGES.to_owned()),
    ];
    let mut rng = Rng(0x0005_e70b_de12);
    let mut random_values = Vec::new();
    for kind in ["large", "str", "float", "tuple", "mixed"] {
        for _ in 0..12 {
            random_values.push(element(&mut rng, kind));
        }
    }
    let refs: Vec<&str> = random_values.iter().map(String::as_str).collect();
    out.push(("hash/random".to_owned(), hash_program(&refs)));
    let kinds = [
        "small", "negative", "large", "collide", "str", "float", "tuple", "mixed",
    ];
    for kind in kinds {
        for (i, n) in [3, 5, 8, 13, 30, 70].into_iter().enumerate() {
            let l = list_of(&mut rng, kind, n);
            let m_len = 1 + rng.below(n + 4);
            let m = list_of(&mut rng, kind, m_len);
            let source = format!("L = {l}\nM = {m}\n{ORDER_BODY}");
            out.push((format!("order/{kind}/{i}-{n}"), source));
        }
    }
    for kind in [
        "small", "negative", "large", "collide", "str", "float", "tuple", "mixed",
    ] {
        for (i, n) in [3, 5, 8, 13].into_iter().enumerate() {
            let source = constants_program(&mut rng, kind, n);
            out.push((format!("order/constants/{kind}/{i}-{n}"), source));
        }
    }
    for (i, (n, step, modulus)) in [
        (40u64, 1u64, 1000u64),
        (300, 7919, 10007),
        (2000, 7919, 100_003),
        (5000, 1, 1 << 40),
        (1500, 1 << 20, (1 << 61) - 1),
        (70_000, 3, 1 << 31),
    ]
    .into_iter()
    .enumerate()
    {
        let source = format!("N = {n}\nSTEP = {step}\nMOD = {modulus}\n{GROWTH_BODY}");
        out.push((format!("order/growth/{i}-{n}"), source));
    }
    out
}
