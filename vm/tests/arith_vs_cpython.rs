//! `framespec_vm::arith` (the arithmetic constant folding and the evaluator share) against
//! CPython 3.12 itself: every binary operator, `divmod` and the unary operators over a grid
//! of ints (edges of 53 and 64 bits included), floats (signed zeros, infinities, NaN,
//! subnormals, huge) and bools, compared by result type and repr, or exception type and
//! message. An int result beyond 64 bits must be `ArithError::BigInt`, a complex one
//! `ArithError::Complex`. And `reprs::float_repr`, which prints every float result, against
//! `repr()` over random doubles and decimal-looking ones.

mod support;

use std::path::Path;
use std::process::ExitCode;

use framespec_vm::arith::{self, ArithError, Num, UnaryOp};
use framespec_vm::oparg::BinaryOp;
use framespec_vm::reprs::float_repr;
use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("arith_matches_cpython", arith_matches_cpython),
        cpython::trial("float_repr_matches_cpython", float_repr_matches_cpython),
    ])
}

/// An operand: a bool, an int or a float.
#[derive(Clone, Copy)]
enum Operand {
    Bool(bool),
    Int(i64),
    Float(f64),
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
        1e308,
        -1e308,
        1e-320,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let mut out = vec![Operand::Bool(false), Operand::Bool(true)];
    out.extend(ints.iter().map(|&i| Operand::Int(i)));
    out.extend(floats.iter().map(|&f| Operand::Float(f)));
    out
}

fn to_json(o: Operand) -> Value {
    match o {
        Operand::Bool(b) => json!(["bool", b]),
        Operand::Int(i) => json!(["int", i.to_string()]),
        Operand::Float(f) => json!(["float", format!("{:016x}", f.to_bits())]),
    }
}

fn num(o: Operand) -> Num {
    match o {
        Operand::Bool(b) => Num::Int(i64::from(b)),
        Operand::Int(i) => Num::Int(i),
        Operand::Float(f) => Num::Float(f),
    }
}

fn show(r: Result<Num, ArithError>) -> String {
    match r {
        Ok(Num::Int(i)) => format!("int {i}"),
        Ok(Num::Float(f)) => format!("float {}", float_repr(f)),
        Err(e) => show_error(e),
    }
}

fn show_error(e: ArithError) -> String {
    match e {
        ArithError::ZeroDivision(m) => format!("ZeroDivisionError: {m}"),
        ArithError::Value(m) => format!("ValueError: {m}"),
        ArithError::FloatOverflow => {
            let (errno, msg) = arith::ERANGE;
            format!("OverflowError: ({errno}, '{msg}')")
        }
        ArithError::BigInt => "beyond 64 bits".to_owned(),
        ArithError::Complex => "complex".to_owned(),
        ArithError::NotNumeric => "TypeError".to_owned(),
    }
}

/// framespec's answer for `a OP b`, as the script below prints CPython's.
fn binary(op: BinaryOp, a: Operand, b: Operand) -> String {
    if let (Operand::Bool(x), Operand::Bool(y)) = (a, b) {
        if let Some(r) = arith::bool_binary(op, x, y) {
            return format!("bool {}", if r { "True" } else { "False" });
        }
    }
    show(arith::binary(op, num(a), num(b)))
}

fn divmod(a: Operand, b: Operand) -> String {
    match arith::divmod(num(a), num(b)) {
        Ok((q, r)) => format!("({}, {})", show(Ok(q)), show(Ok(r))),
        Err(e) => show_error(e),
    }
}

const SCRIPT: &str = r#"
import json, struct, sys, warnings
warnings.simplefilter("ignore")
BOUND = 2 ** 63

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
        return f"int {r}" if -BOUND <= r < BOUND else "beyond 64 bits"
    if isinstance(r, float):
        return f"float {r!r}"
    if isinstance(r, complex):
        return "complex"
    if isinstance(r, tuple):
        parts = [show(x) for x in r]
        if "beyond 64 bits" in parts:
            return "beyond 64 bits"
        return "(" + ", ".join(parts) + ")"
    return f"unexpected {r!r}"

def attempt(f):
    try:
        return show(f())
    except TypeError:
        return "TypeError"
    except OverflowError as e:
        # A complex power out of range: framespec has no complex numbers at all.
        return "complex" if "complex" in str(e) else f"OverflowError: {e}"
    except Exception as e:
        return f"{type(e).__name__}: {e}"

def huge(symbol, a, b):
    # Results CPython would spend minutes on: ints of more than 64 bits either way.
    ints = type(a) is not float and type(b) is not float
    if symbol == "**" and ints and abs(a) > 1 and b > 64:
        return True
    if symbol == "<<" and ints and a != 0 and b > 64:
        return True
    return False

request = json.load(sys.stdin)
values = [operand(k, v) for k, v in request["operands"]]
out = {"binary": [], "divmod": [], "unary": []}
for symbol in request["symbols"]:
    for a in values:
        for b in values:
            if huge(symbol, a, b):
                out["binary"].append("beyond 64 bits")
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
        "operands": values.iter().map(|&o| to_json(o)).collect::<Vec<_>>(),
        "symbols": BinaryOp::ALL.iter().map(|op| op.symbol()).collect::<Vec<_>>(),
        "unary": unary_ops.iter().map(|op| op.symbol()).collect::<Vec<_>>(),
    });
    let out = support::run_python(python, SCRIPT, &request.to_string());
    let theirs: Value = serde_json::from_str(&out).expect("json");
    let answers = |key: &str| -> Vec<String> {
        theirs[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or("?").to_owned())
            .collect()
    };
    let describe = |o: &Operand| match o {
        Operand::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        Operand::Int(i) => i.to_string(),
        Operand::Float(f) => float_repr(*f),
    };

    let mut ours = Vec::new();
    for &op in BinaryOp::ALL {
        for a in &values {
            for b in &values {
                let what = format!("{} {} {}", describe(a), op.symbol(), describe(b));
                ours.push((what, binary(op, *a, *b)));
            }
        }
    }
    let mut errors = compare("binary", &ours, &answers("binary"));

    let mut ours = Vec::new();
    for a in &values {
        for b in &values {
            let what = format!("divmod({}, {})", describe(a), describe(b));
            ours.push((what, divmod(*a, *b)));
        }
    }
    errors.extend(compare("divmod", &ours, &answers("divmod")));

    let mut ours = Vec::new();
    for op in unary_ops {
        for a in &values {
            let what = format!("{}{}", op.symbol(), describe(a));
            ours.push((what, show(arith::unary(op, num(*a)))));
        }
    }
    errors.extend(compare("unary", &ours, &answers("unary")));

    if errors.is_empty() {
        return Ok(());
    }
    let shown = errors.len().min(40);
    Err(format!(
        "{} results differ from CPython 3.12 (first {shown}):\n{}",
        errors.len(),
        errors[..shown].join("\n")
    )
    .into())
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
    if errors.is_empty() {
        return Ok(());
    }
    let shown = errors.len().min(40);
    Err(format!(
        "{} reprs differ from CPython 3.12 (first {shown}):\n{}",
        errors.len(),
        errors[..shown].join("\n")
    )
    .into())
}
