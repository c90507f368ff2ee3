//! `framespec_vm::arith` (the arithmetic constant folding and the evaluator share) against
//! CPython 3.12 itself: every binary operator, `divmod` and the unary operators over a grid
//! of ints (edges of 53, 64 and 1024 bits, random ones of up to 2000 bits), floats (signed
//! zeros, infinities, NaN, subnormals, huge) and bools, compared by result type and value,
//! or exception type and message; `pow(a, b, m)`; the int/float and int/str conversions.
//! A result of more than `HUGE_BITS` bits is compared as "huge" (CPython would spend
//! minutes on some); a complex one (a negative float to a fractional power) by its repr.
//! The same for `complex` (`complex_matches_cpython`): the operators, `abs` and the repr
//! over a grid of complex numbers whose parts are signed zeros, infinities, NaN, huge and
//! tiny values, mixed with ints, floats and bools both ways round. And
//! `reprs::float_repr`, which prints every float result, against `repr()` over random
//! doubles and decimal-looking ones.

mod support;

use std::path::Path;
use std::process::ExitCode;

use framespec_vm::arith::{self, ArithError, Num, UnaryOp};
use framespec_vm::oparg::BinaryOp;
use framespec_vm::reprs::{complex_repr, float_repr};
use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("arith_matches_cpython", arith_matches_cpython),
        cpython::trial("pow_mod_matches_cpython", pow_mod_matches_cpython),
        cpython::trial("conversions_match_cpython", conversions_match_cpython),
        cpython::trial("float_repr_matches_cpython", float_repr_matches_cpython),
        cpython::trial("complex_matches_cpython", complex_matches_cpython),
    ])
}

/// An operand: a bool, an int (its decimal text) or a float.
#[derive(Clone)]
enum Operand {
    Bool(bool),
    Int(String),
    Float(f64),
}

/// A deterministic stream of 64-bit values (an LCG), for the random operands.
fn lcg(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state
    }
}

/// Ints beyond 64 bits: edges around ±2**63, ±2**64, 2**1024 (the float limit), and random
/// ones of 65 to 2000 bits, as decimal text.
fn big_ints() -> Vec<String> {
    use num_bigint::BigInt;
    let two = |k: u32| BigInt::from(1) << k;
    let mut out: Vec<BigInt> = vec![
        two(63),
        -two(63) - 1,
        two(64) - 1,
        two(64),
        two(64) + 1,
        -two(64),
        two(100),
        -two(100) + 1,
        BigInt::from(3).pow(200),
        BigInt::from(10).pow(300),
        two(1023) * 3 - 1,
        two(1024),
        -two(1024) + two(970),
        two(1024) - two(970) - 1,
        two(1100) - 1,
        (two(2000) + 12345) * -1,
    ];
    let mut next = lcg(0x5DEE_CE66_D1CE_4E5B);
    for bits in [65u64, 90, 128, 200, 500, 1000, 2000] {
        for negative in [false, true] {
            let mut n = BigInt::from(0);
            for _ in 0..bits.div_ceil(64) {
                n = (n << 64u32) + next();
            }
            n = (n >> (bits.div_ceil(64) * 64 - bits)) | (BigInt::from(1) << (bits - 1));
            out.push(if negative { -n } else { n });
        }
    }
    out.iter().map(ToString::to_string).collect()
}

fn operands() -> Vec<Operand> {
    let ints: &[i64] = &[
        0,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        7,
        -7,
        10,
        62,
        63,
        64,
        65,
        1 << 31,
        (1 << 53) - 1,
        1 << 53,
        (1 << 53) + 1,
        -(1 << 53) - 1,
        (1 << 62) + 1,
        3 * (1 << 60) + 12345,
        987_654_321_987_654_321,
        -999_999_999_999_999_989,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
    ];
    let floats: &[f64] = &[
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.5,
        3.0,
        7.25,
        -7.0,
        1e16 + 2.0,
        9007199254740992.0,
        9.223_372_036_854_776e18,
        1.8446744073709552e19,
        1.2676506002282294e30,
        1e308,
        -1e308,
        1e-320,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let mut out = vec![Operand::Bool(false), Operand::Bool(true)];
    out.extend(ints.iter().map(|&i| Operand::Int(i.to_string())));
    out.extend(big_ints().into_iter().map(Operand::Int));
    out.extend(floats.iter().map(|&f| Operand::Float(f)));
    out
}

fn to_json(o: &Operand) -> Value {
    match o {
        Operand::Bool(b) => json!(["bool", b]),
        Operand::Int(i) => json!(["int", i]),
        Operand::Float(f) => json!(["float", format!("{:016x}", f.to_bits())]),
    }
}

fn num(o: &Operand) -> Num {
    match o {
        Operand::Bool(b) => Num::Int(i64::from(*b)),
        Operand::Int(i) => arith::text::parse_int(i, 10, 0).expect("an int operand"),
        Operand::Float(f) => Num::Float(*f),
    }
}

/// Results of more bits than this are shown as "huge" on both sides.
const HUGE_BITS: u64 = 100_000;

fn show(r: Result<Num, ArithError>) -> String {
    match r {
        Ok(Num::Float(f)) => format!("float {}", float_repr(f)),
        Ok(Num::Complex(re, im)) => format!("complex {}", complex_repr(re, im)),
        Ok(n) => format!("int {}", arith::text::to_decimal(&n, 0).unwrap_or_default()),
        Err(e) => show_error(e),
    }
}

fn show_error(e: ArithError) -> String {
    match e {
        ArithError::ZeroDivision(m) => format!("ZeroDivisionError: {m}"),
        ArithError::Value(m) => format!("ValueError: {m}"),
        ArithError::Overflow(m) => format!("OverflowError: {m}"),
        ArithError::FloatOverflow => {
            let (errno, msg) = arith::ERANGE;
            format!("OverflowError: ({errno}, '{msg}')")
        }
        ArithError::TooBig => "huge".to_owned(),
        // `arith::binary` never returns it.
        ArithError::Complex => "ArithError::Complex".to_owned(),
        ArithError::NotNumeric => "TypeError".to_owned(),
    }
}

/// framespec's answer for `a OP b`, as the script below prints CPython's.
fn binary(op: BinaryOp, a: &Operand, b: &Operand) -> String {
    if let (Operand::Bool(x), Operand::Bool(y)) = (a, b) {
        if let Some(r) = arith::bool_binary(op, *x, *y) {
            return format!("bool {}", if r { "True" } else { "False" });
        }
    }
    let (x, y) = (num(a), num(b));
    if arith::result_bits(op, &x, &y).is_some_and(|bits| bits > HUGE_BITS) {
        return "huge".to_owned();
    }
    show(arith::binary(op, &x, &y))
}

fn divmod(a: &Operand, b: &Operand) -> String {
    match arith::divmod(&num(a), &num(b)) {
        Ok((q, r)) => format!("({}, {})", show(Ok(q)), show(Ok(r))),
        Err(e) => show_error(e),
    }
}

const SCRIPT: &str = r#"
import json, struct, sys, warnings
warnings.simplefilter("ignore")
sys.set_int_max_str_digits(0)
HUGE_BITS = 100_000

def operand(kind, v):
    if kind == "bool":
        return v
    if kind == "int":
        return int(v)
    return struct.unpack(">d", bytes.fromhex(v))[0]

def show(r):
    if isinstance(r, bool):
        return f"bool {r!r}"
    if isinstance(r, int):
        return f"int {r}"
    if isinstance(r, float):
        return f"float {r!r}"
    if isinstance(r, complex):
        return f"complex {r!r}"
    if isinstance(r, tuple):
        return "(" + ", ".join(show(x) for x in r) + ")"
    return f"unexpected {r!r}"

def attempt(f):
    try:
        return show(f())
    except TypeError:
        return "TypeError"
    except MemoryError:
        return "huge"
    except OverflowError as e:
        return f"OverflowError: {e}"
    except Exception as e:
        return f"{type(e).__name__}: {e}"

def huge(symbol, a, b):
    # Int results of more than HUGE_BITS bits (by the bound framespec's
    # arith::result_bits gives): some would take CPython minutes.
    if type(a) is float or type(b) is float:
        return False
    bits = abs(a).bit_length()
    if symbol == "**" and b >= 0 and bits > 1:
        return bits * b > HUGE_BITS
    if symbol == "<<" and b >= 0 and a != 0:
        # A count beyond Py_ssize_t is "too many digits" at once.
        return b < 2 ** 63 and bits + b > HUGE_BITS
    if symbol == "*":
        return bits + abs(b).bit_length() > HUGE_BITS
    return False

request = json.load(sys.stdin)
values = [operand(k, v) for k, v in request["operands"]]
out = {"binary": [], "divmod": [], "unary": []}
for symbol in request["symbols"]:
    for a in values:
        for b in values:
            if huge(symbol, a, b):
                out["binary"].append("huge")
            else:
                out["binary"].append(attempt(lambda: eval(f"a {symbol} b")))
for a in values:
    for b in values:
        out["divmod"].append(attempt(lambda: divmod(a, b)))
for symbol in request["unary"]:
    for a in values:
        out["unary"].append(attempt(lambda: eval(f"{symbol}a")))
json.dump(out, sys.stdout)
"#;

fn arith_matches_cpython(python: &Path) -> Result<(), Failed> {
    let values = operands();
    let unary_ops = [UnaryOp::Negative, UnaryOp::Positive, UnaryOp::Invert];
    let request = json!({
        "operands": values.iter().map(to_json).collect::<Vec<_>>(),
        "symbols": BinaryOp::ALL.iter().map(|op| op.symbol()).collect::<Vec<_>>(),
        "unary": unary_ops.iter().map(|op| op.symbol()).collect::<Vec<_>>(),
    });
    let out = support::run_python(python, SCRIPT, &request.to_string());
    let theirs: Value = serde_json::from_str(&out).expect("json");
    let answers = |key: &str| answers_of(&theirs, key);
    let describe = |o: &Operand| match o {
        Operand::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        Operand::Int(i) if i.len() > 24 => format!("{}…({} digits)", &i[..12], i.len()),
        Operand::Int(i) => i.clone(),
        Operand::Float(f) => float_repr(*f),
    };

    let mut ours = Vec::new();
    for &op in BinaryOp::ALL {
        for a in &values {
            for b in &values {
                let what = format!("{} {} {}", describe(a), op.symbol(), describe(b));
                ours.push((what, binary(op, a, b)));
            }
        }
    }
    let mut errors = compare("binary", &ours, &answers("binary"));

    let mut ours = Vec::new();
    for a in &values {
        for b in &values {
            let what = format!("divmod({}, {})", describe(a), describe(b));
            ours.push((what, divmod(a, b)));
        }
    }
    errors.extend(compare("divmod", &ours, &answers("divmod")));

    let mut ours = Vec::new();
    for op in unary_ops {
        for a in &values {
            let what = format!("{}{}", op.symbol(), describe(a));
            ours.push((what, show(arith::unary(op, &num(a)))));
        }
    }
    errors.extend(compare("unary", &ours, &answers("unary")));
    verdict(&errors, "results")
}

/// `what: ours != CPython's` for each difference, or a count mismatch.
fn compare(kind: &str, ours: &[(String, String)], theirs: &[String]) -> Vec<String> {
    if ours.len() != theirs.len() {
        return vec![format!(
            "{kind}: CPython answered {} of {} operations",
            theirs.len(),
            ours.len()
        )];
    }
    ours.iter()
        .zip(theirs)
        .filter(|((_, a), b)| a != *b)
        .map(|((what, a), b)| format!("{what}: ours {a}, CPython {b}"))
        .collect()
}

/// `pow(a, b, m)` (`long_pow` with a modulus) over ints small and big, exponents
/// negative (modular inverses) and zero, moduli of both signs, 0 and ±1.
fn pow_mod_matches_cpython(python: &Path) -> Result<(), Failed> {
    let mut ints: Vec<String> = [
        0i64,
        1,
        -1,
        2,
        -3,
        5,
        7,
        -12,
        97,
        1 << 40,
        i64::MAX,
        i64::MIN,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    ints.extend(big_ints().into_iter().step_by(3));
    let triples: Vec<[&String; 3]> = ints
        .iter()
        .flat_map(|a| ints.iter().map(move |b| (a, b)))
        .flat_map(|(a, b)| ints.iter().step_by(2).map(move |m| [a, b, m]))
        .collect();
    let script = r#"
import json, sys
sys.set_int_max_str_digits(0)
out = []
for a, b, m in json.load(sys.stdin):
    try:
        out.append(f"int {pow(int(a), int(b), int(m))}")
    except Exception as e:
        out.append(f"{type(e).__name__}: {e}")
json.dump(out, sys.stdout)
"#;
    let out = support::run_python(python, script, &json!(triples).to_string());
    let theirs: Vec<String> = serde_json::from_str(&out).expect("json");
    let ours: Vec<(String, String)> = triples
        .iter()
        .map(|[a, b, m]| {
            let n = |s: &str| arith::text::parse_int(s, 10, 0).expect("an int");
            let what = format!("pow({a}, {b}, {m})");
            (what, show(arith::pow_mod(&n(a), &n(b), &n(m))))
        })
        .collect();
    report("pow", &ours, &theirs)
}

/// Per int operand: `float(n)` (correctly rounded, or OverflowError), `str(n)` under
/// the default digit limit, its digits in bases 2, 8, 16 and 36, and `int(text, base)`
/// of those texts back; `int(f)` of the floats.
fn conversions_match_cpython(python: &Path) -> Result<(), Failed> {
    let mut ints: Vec<String> = operands()
        .iter()
        .filter_map(|o| match o {
            Operand::Int(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    // Around the 4300-digit limit.
    ints.push(format!("9{}", "0".repeat(4299)));
    ints.push(format!("-1{}", "0".repeat(4300)));
    let floats: Vec<f64> = operands()
        .iter()
        .filter_map(|o| match o {
            Operand::Float(f) => Some(*f),
            _ => None,
        })
        .chain([1e300, -3.5e200, 2f64.powi(1023), 123456789.75])
        .collect();
    let script = r#"
import json, struct, sys
request = json.load(sys.stdin)
def attempt(f):
    try:
        return f()
    except Exception as e:
        return f"{type(e).__name__}: {e}"
def digits(n, base):
    sys.set_int_max_str_digits(0)
    if base == 10:
        return str(abs(n))
    if base == 36:
        out = ""
        m = abs(n)
        while m:
            m, d = divmod(m, 36)
            out = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + out
        return out or "0"
    return format(abs(n), {2: "b", 8: "o", 16: "x"}[base])
out = []
for text in request["ints"]:
    sys.set_int_max_str_digits(0)
    n = int(text)
    sys.set_int_max_str_digits(4300)
    out.append(attempt(lambda: f"float {float(n)!r}"))
    out.append(attempt(lambda: str(n)))
    for base in (2, 8, 10, 16, 36):
        d = digits(n, base)
        sys.set_int_max_str_digits(4300)
        out.append(d)
        out.append(attempt(lambda: f"int {int(('-' if n < 0 else '') + d, base) == n}"))
for h in request["floats"]:
    f = struct.unpack(">d", bytes.fromhex(h))[0]
    sys.set_int_max_str_digits(0)
    out.append(attempt(lambda: f"int {int(f)}"))
json.dump(out, sys.stdout)
"#;
    let request = json!({
        "ints": ints,
        "floats": floats.iter().map(|f| format!("{:016x}", f.to_bits())).collect::<Vec<_>>(),
    });
    let out = support::run_python(python, script, &request.to_string());
    let theirs: Vec<String> = serde_json::from_str(&out).expect("json");
    let limit = arith::text::DEFAULT_MAX_STR_DIGITS;
    let mut ours = Vec::new();
    for text in &ints {
        let n = arith::text::parse_int(text, 10, 0).expect("an int");
        let short = &text[..text.len().min(16)];
        let float = match n.to_f64() {
            Ok(f) => format!("float {}", float_repr(f)),
            Err(e) => show_error(e),
        };
        ours.push((format!("float({short}…)"), float));
        let decimal =
            arith::text::to_decimal(&n, limit).unwrap_or_else(|m| format!("ValueError: {m}"));
        ours.push((format!("str({short}…)"), decimal));
        let negative = text.starts_with('-');
        for base in [2, 8, 10, 16, 36] {
            let d = arith::text::magnitude_digits(&n, base);
            ours.push((format!("digits({short}…, {base})"), d.clone()));
            let signed = format!("{}{d}", if negative { "-" } else { "" });
            let back = match arith::text::parse_int(&signed, base, limit) {
                Ok(m) => format!("int {}", if m == n { "True" } else { "False" }),
                Err(arith::text::ParseError::Limit(m)) => format!("ValueError: {m}"),
                Err(arith::text::ParseError::Invalid) => "invalid".to_owned(),
            };
            ours.push((format!("int(digits({short}…), {base})"), back));
        }
    }
    for f in &floats {
        ours.push((
            format!("int({})", float_repr(*f)),
            show(arith::f64_to_int(*f)),
        ));
    }
    report("conversion", &ours, &theirs)
}

/// The differences between ours and CPython's answers as the trial's verdict.
fn report(kind: &str, ours: &[(String, String)], theirs: &[String]) -> Result<(), Failed> {
    let errors = compare(kind, ours, theirs);
    verdict(&errors, &format!("{kind} results"))
}

/// Random doubles (any bit pattern) and quotients of small integers by powers of ten and
/// two, which land on the ties between two shortest representations.
fn repr_samples() -> Vec<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state
    };
    let mut out = Vec::new();
    while out.len() < 3000 {
        let f = f64::from_bits(next());
        if f.is_finite() {
            out.push(f);
        }
    }
    // Every power of two (where the gap below is half the gap above), and its neighbours.
    for e in -1074i64..1024 {
        let bits = if e >= -1022 {
            ((e + 1023) as u64) << 52
        } else {
            1 << (e + 1074)
        };
        out.extend([bits, bits + 1, bits - 1].map(f64::from_bits));
    }
    for _ in 0..3000 {
        let n = (next() >> 40) as i64 - (1 << 23);
        let k = (next() % 40) as i32;
        out.push(n as f64 / 10f64.powi(k));
        out.push(n as f64 * 2f64.powi(k - 30));
    }
    out
}

fn float_repr_matches_cpython(python: &Path) -> Result<(), Failed> {
    let samples = repr_samples();
    let request: Vec<String> = samples
        .iter()
        .map(|f| format!("{:016x}", f.to_bits()))
        .collect();
    let script = r#"
import json, struct, sys
json.dump([repr(struct.unpack(">d", bytes.fromhex(h))[0]) for h in json.load(sys.stdin)],
          sys.stdout)
"#;
    let out = support::run_python(python, script, &json!(request).to_string());
    let theirs: Vec<String> = serde_json::from_str(&out).expect("json");
    let ours: Vec<(String, String)> = samples
        .iter()
        .map(|f| (format!("{:016x}", f.to_bits()), float_repr(*f)))
        .collect();
    let errors = compare("repr", &ours, &theirs);
    verdict(&errors, "reprs")
}

/// The parts of the complex operands: signed zeros, ±1, halves, huge and tiny (subnormal)
/// values, infinities, NaN, and small integers (whose powers take `c_powi`).
const COMPLEX_PARTS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e16,
    1e308,
    -1e308,
    1e-320,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// A complex operand, or an int, float or bool beside one.
#[derive(Clone)]
enum COperand {
    Complex(f64, f64),
    Real(Operand),
}

fn complex_operands() -> Vec<COperand> {
    let mut out: Vec<COperand> = COMPLEX_PARTS
        .iter()
        .flat_map(|&re| {
            COMPLEX_PARTS
                .iter()
                .map(move |&im| COperand::Complex(re, im))
        })
        .collect();
    let reals = [
        Operand::Bool(true),
        Operand::Bool(false),
        Operand::Int("0".into()),
        Operand::Int("2".into()),
        Operand::Int("-3".into()),
        Operand::Int("100".into()),
        Operand::Int("101".into()),
        Operand::Int(format!("1{}", "0".repeat(400))),
        Operand::Float(-0.0),
        Operand::Float(0.5),
        Operand::Float(-2.0),
        Operand::Float(1e308),
        Operand::Float(f64::INFINITY),
        Operand::Float(f64::NAN),
    ];
    out.extend(reals.into_iter().map(COperand::Real));
    out
}

fn complex_num(o: &COperand) -> Num {
    match o {
        COperand::Complex(re, im) => Num::Complex(*re, *im),
        COperand::Real(r) => num(r),
    }
}

fn complex_json(o: &COperand) -> Value {
    let hex = |f: &f64| format!("{:016x}", f.to_bits());
    match o {
        COperand::Complex(re, im) => json!(["complex", hex(re), hex(im)]),
        COperand::Real(r) => to_json(r),
    }
}

fn describe_complex(o: &COperand) -> String {
    match o {
        COperand::Complex(re, im) => format!("complex({}, {})", float_repr(*re), float_repr(*im)),
        COperand::Real(Operand::Int(i)) if i.len() > 24 => format!("{}…", &i[..12]),
        COperand::Real(Operand::Int(i)) => i.clone(),
        COperand::Real(Operand::Bool(b)) => if *b { "True" } else { "False" }.to_owned(),
        COperand::Real(Operand::Float(f)) => float_repr(*f),
    }
}

/// `complex`'s operators (those it has and a few it lacks), `==`, the unary operators and
/// `abs`, each pair with at least one complex operand, against CPython.
fn complex_matches_cpython(python: &Path) -> Result<(), Failed> {
    let values = complex_operands();
    let ops = [
        BinaryOp::Add,
        BinaryOp::Subtract,
        BinaryOp::Multiply,
        BinaryOp::TrueDivide,
        BinaryOp::Power,
        BinaryOp::FloorDivide,
        BinaryOp::Remainder,
        BinaryOp::And,
    ];
    let is_complex = |o: &COperand| matches!(o, COperand::Complex(..));
    let pairs: Vec<(&COperand, &COperand)> = values
        .iter()
        .flat_map(|a| values.iter().map(move |b| (a, b)))
        .filter(|(a, b)| is_complex(a) || is_complex(b))
        .collect();
    let script = r#"
import json, operator, struct, sys
def operand(o):
    if o[0] == "complex":
        return complex(*(struct.unpack(">d", bytes.fromhex(x))[0] for x in o[1:]))
    if o[0] == "float":
        return struct.unpack(">d", bytes.fromhex(o[1]))[0]
    return int(o[1]) if o[0] == "int" else o[1]
def show(r):
    if isinstance(r, bool):
        return f"bool {r!r}"
    if isinstance(r, float):
        return f"float {r!r}"
    if isinstance(r, complex):
        return f"complex {r!r}"
    return f"unexpected {r!r}"
def attempt(f):
    try:
        return show(f())
    except TypeError:
        return "TypeError"
    except Exception as e:
        return f"{type(e).__name__}: {e}"
request = json.load(sys.stdin)
values = [operand(o) for o in request["operands"]]
functions = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow, "//": operator.floordiv, "%": operator.mod, "&": operator.and_}
out = {"binary": [], "eq": [], "unary": []}
for symbol in request["symbols"]:
    f = functions[symbol]
    for i, j in request["pairs"]:
        out["binary"].append(attempt(lambda: f(values[i], values[j])))
for i, j in request["pairs"]:
    out["eq"].append(show(values[i] == values[j]))
for v in values:
    if isinstance(v, complex):
        for f in (operator.neg, operator.pos, operator.invert, abs):
            out["unary"].append(attempt(lambda: f(v)))
json.dump(out, sys.stdout)
"#;
    let index = |o: &COperand| {
        values
            .iter()
            .position(|v| std::ptr::eq(v, o))
            .unwrap_or_default()
    };
    let request = json!({
        "operands": values.iter().map(complex_json).collect::<Vec<_>>(),
        "symbols": ops.iter().map(|op| op.symbol()).collect::<Vec<_>>(),
        "pairs": pairs.iter().map(|(a, b)| [index(a), index(b)]).collect::<Vec<_>>(),
    });
    let out = support::run_python(python, script, &request.to_string());
    let theirs: Value = serde_json::from_str(&out).expect("json");
    let answers = |key: &str| answers_of(&theirs, key);
    let mut ours = Vec::new();
    for op in ops {
        for (a, b) in &pairs {
            let what = format!(
                "{} {} {}",
                describe_complex(a),
                op.symbol(),
                describe_complex(b)
            );
            let r = arith::binary(op, &complex_num(a), &complex_num(b));
            ours.push((what, show(r)));
        }
    }
    let mut errors = compare("binary", &ours, &answers("binary"));
    let ours: Vec<(String, String)> = pairs
        .iter()
        .map(|(a, b)| {
            let what = format!("{} == {}", describe_complex(a), describe_complex(b));
            let equal = match (a, b) {
                (COperand::Complex(re, im), other) | (other, COperand::Complex(re, im)) => {
                    arith::complex::equal((*re, *im), &complex_num(other))
                }
                _ => false,
            };
            (
                what,
                format!("bool {}", if equal { "True" } else { "False" }),
            )
        })
        .collect();
    errors.extend(compare("eq", &ours, &answers("eq")));
    let mut ours = Vec::new();
    for v in values.iter().filter(|v| is_complex(v)) {
        let n = complex_num(v);
        let z = arith::complex::to_complex(&n).unwrap_or_default();
        for op in [UnaryOp::Negative, UnaryOp::Positive, UnaryOp::Invert] {
            let what = format!("{}{}", op.symbol(), describe_complex(v));
            ours.push((what, show(arith::unary(op, &n))));
        }
        let what = format!("abs({})", describe_complex(v));
        ours.push((what, show(arith::complex::abs(z).map(Num::Float))));
    }
    errors.extend(compare("unary", &ours, &answers("unary")));
    verdict(&errors, "complex results")
}

/// Passes when nothing differs; otherwise fails with the count and the first 40.
fn verdict(errors: &[String], what: &str) -> Result<(), Failed> {
    if errors.is_empty() {
        return Ok(());
    }
    let shown = errors.len().min(40);
    Err(format!(
        "{} {what} differ from CPython 3.12 (first {shown}):\n{}",
        errors.len(),
        errors[..shown].join("\n")
    )
    .into())
}

/// The answers python3.12 gave under `key`, as text.
fn answers_of(theirs: &Value, key: &str) -> Vec<String> {
    theirs[key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or("?").to_owned())
        .collect()
}
