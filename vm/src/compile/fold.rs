//! AST constant folding, after CPython 3.12's `Python/ast_opt.c`. ruff's AST is immutable
//! here, so instead of rewriting nodes the code generator asks [`fold`] whether an
//! expression *would* have become a `Constant` node, and what its value is.
//!
//! The size guards (`safe_multiply`, `safe_power`, `safe_lshift`, `safe_mod`) are CPython's,
//! so the same expressions stay unfolded. Results CPython would fold but framespec's
//! [`Constant`] cannot hold (integers beyond 64 bits, complex numbers, frozensets) are an
//! "unsupported" [`CompileError`] rather than different bytecode.

use std::rc::Rc;

use ruff_python_ast::{self as ast, CmpOp, Expr, Number, Operator, UnaryOp};

use super::{unsupported, CompileError, LineIndex};
use crate::code::Constant;

const MAX_INT_SIZE: u32 = 128;
const MAX_COLLECTION_SIZE: i64 = 256;
const MAX_STR_SIZE: i64 = 4096;

type Folded = Result<Option<Constant>, CompileError>;

/// The constant `e` folds to, if it does (`astfold_expr`).
pub fn fold(e: &Expr, lines: &LineIndex) -> Folded {
    let loc = || lines.of(e);
    Ok(match e {
        Expr::NumberLiteral(n) => Some(match &n.value {
            Number::Int(i) => match i.as_i64() {
                Some(v) => Constant::Int(v),
                None => return Err(unsupported("integer constant beyond 64 bits", loc())),
            },
            Number::Float(f) => Constant::Float(*f),
            Number::Complex { .. } => return Err(unsupported("complex constant", loc())),
        }),
        Expr::StringLiteral(s) => Some(Constant::Str(Rc::from(s.value.to_str()))),
        Expr::BytesLiteral(b) => Some(Constant::Bytes(b.value.bytes().collect::<Vec<u8>>().into())),
        Expr::BooleanLiteral(b) => Some(Constant::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Constant::None),
        Expr::EllipsisLiteral(_) => Some(Constant::Ellipsis),
        // `__debug__` is True unless optimising (`astfold_expr`, Name_kind).
        Expr::Name(n) if n.id.as_str() == "__debug__" && n.ctx == ast::ExprContext::Load => {
            Some(Constant::Bool(true))
        }
        Expr::Tuple(t) if t.ctx == ast::ExprContext::Load => fold_tuple(&t.elts, lines)?,
        Expr::UnaryOp(u) => match fold(&u.operand, lines)? {
            Some(c) => fold_unary(u.op, &c),
            None => None,
        },
        Expr::BinOp(b) => {
            let Some(l) = fold(&b.left, lines)? else {
                return Ok(None);
            };
            if b.op == Operator::Mod && matches!(l, Constant::Str(_)) {
                if let Expr::Tuple(t) = b.right.as_ref() {
                    if !t.elts.iter().any(|e| e.is_starred_expr()) {
                        // ast_opt's optimize_format rewrites this into an f-string.
                        return Err(unsupported(
                            "%-formatting a string literal with a tuple",
                            loc(),
                        ));
                    }
                }
            }
            let Some(r) = fold(&b.right, lines)? else {
                return Ok(None);
            };
            match fold_binop(b.op, &l, &r) {
                Ok(v) => v,
                Err(what) => return Err(unsupported(what, loc())),
            }
        }
        Expr::Subscript(s) if s.ctx == ast::ExprContext::Load => {
            let (Some(v), Some(i)) = (fold(&s.value, lines)?, fold(&s.slice, lines)?) else {
                return Ok(None);
            };
            fold_subscript(&v, &i)
        }
        _ => None,
    })
}

/// `fold_tuple` / `make_const_tuple`: a tuple display whose items are all constants.
pub fn fold_tuple(elts: &[Expr], lines: &LineIndex) -> Folded {
    let mut items = Vec::with_capacity(elts.len());
    for e in elts {
        match fold(e, lines)? {
            Some(c) => items.push(c),
            None => return Ok(None),
        }
    }
    Ok(Some(Constant::Tuple(items.into())))
}

/// The comparison `not (a OP b)` becomes (`fold_unaryop`): only the operators whose
/// inversion is safe.
pub fn invert_cmp(op: CmpOp) -> Option<CmpOp> {
    match op {
        CmpOp::Is => Some(CmpOp::IsNot),
        CmpOp::IsNot => Some(CmpOp::Is),
        CmpOp::In => Some(CmpOp::NotIn),
        CmpOp::NotIn => Some(CmpOp::In),
        _ => None,
    }
}

/// A single comparison `e` stands for after `fold_unaryop` folded `not` into it: the
/// comparison node and its effective operator.
pub fn effective_compare(e: &Expr) -> Option<(&ast::ExprCompare, CmpOp)> {
    match e {
        Expr::Compare(c) if c.ops.len() == 1 => c.ops.first().map(|&op| (c, op)),
        Expr::UnaryOp(u) if u.op == UnaryOp::Not => {
            let (c, op) = effective_compare(&u.operand)?;
            Some((c, invert_cmp(op)?))
        }
        _ => None,
    }
}

fn truthy(c: &Constant) -> bool {
    match c {
        Constant::None => false,
        Constant::Ellipsis | Constant::Code(_) => true,
        Constant::Bool(b) => *b,
        Constant::Int(i) => *i != 0,
        Constant::Float(f) => *f != 0.0,
        Constant::Str(s) => !s.is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) | Constant::FrozenSet(t) => !t.is_empty(),
    }
}

/// Python truthiness of a constant (`PyObject_IsTrue`).
pub fn is_true(c: &Constant) -> bool {
    truthy(c)
}

fn fold_unary(op: UnaryOp, c: &Constant) -> Option<Constant> {
    match (op, c) {
        (UnaryOp::Not, c) => Some(Constant::Bool(!truthy(c))),
        (UnaryOp::USub, Constant::Int(i)) => i.checked_neg().map(Constant::Int),
        (UnaryOp::USub, Constant::Bool(b)) => Some(Constant::Int(-i64::from(*b))),
        (UnaryOp::USub, Constant::Float(f)) => Some(Constant::Float(-f)),
        (UnaryOp::UAdd, Constant::Int(i)) => Some(Constant::Int(*i)),
        (UnaryOp::UAdd, Constant::Bool(b)) => Some(Constant::Int(i64::from(*b))),
        (UnaryOp::UAdd, Constant::Float(f)) => Some(Constant::Float(*f)),
        (UnaryOp::Invert, Constant::Int(i)) => Some(Constant::Int(!i)),
        (UnaryOp::Invert, Constant::Bool(b)) => Some(Constant::Int(!i64::from(*b))),
        _ => None,
    }
}

fn as_int(c: &Constant) -> Option<i64> {
    match c {
        Constant::Int(i) => Some(*i),
        Constant::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn as_float(c: &Constant) -> Option<f64> {
    match c {
        Constant::Float(f) => Some(*f),
        _ => as_int(c).map(|i| i as f64),
    }
}

fn bits(v: i64) -> u32 {
    64 - v.unsigned_abs().leading_zeros()
}

const BIG: &str = "constant folding to an integer beyond 64 bits";

/// `fold_binop`: `Ok(None)` where CPython leaves the operation alone (it would raise, or a
/// size guard refuses), `Err` where CPython folds to something framespec cannot represent.
fn fold_binop(op: Operator, l: &Constant, r: &Constant) -> Result<Option<Constant>, &'static str> {
    if let (Constant::Bool(a), Constant::Bool(b)) = (l, r) {
        match op {
            Operator::BitAnd => return Ok(Some(Constant::Bool(*a & *b))),
            Operator::BitOr => return Ok(Some(Constant::Bool(*a | *b))),
            Operator::BitXor => return Ok(Some(Constant::Bool(*a ^ *b))),
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        return fold_int(op, a, b);
    }
    if let (Some(a), Some(b)) = (as_float(l), as_float(r)) {
        return fold_float(op, a, b);
    }
    match (op, l, r) {
        (Operator::Add, Constant::Str(a), Constant::Str(b)) => {
            Ok(Some(Constant::Str(format!("{a}{b}").into())))
        }
        (Operator::Add, Constant::Bytes(a), Constant::Bytes(b)) => Ok(Some(Constant::Bytes(
            [a.as_ref(), b.as_ref()].concat().into(),
        ))),
        (Operator::Add, Constant::Tuple(a), Constant::Tuple(b)) => Ok(Some(Constant::Tuple(
            [a.as_ref(), b.as_ref()].concat().into(),
        ))),
        (Operator::Mult, s, n) | (Operator::Mult, n, s) if as_int(n).is_some() => {
            let n = as_int(n).unwrap_or(0);
            repeat(s, n)
        }
        _ => Ok(None),
    }
}

/// `safe_multiply` for sequences.
fn repeat(s: &Constant, n: i64) -> Result<Option<Constant>, &'static str> {
    match s {
        Constant::Str(text) => {
            let size = text.chars().count() as i64;
            if size > 0 && (n < 0 || n > MAX_STR_SIZE / size) {
                return Ok(None);
            }
            Ok(Some(Constant::Str(
                text.repeat(usize::try_from(n).unwrap_or(0)).into(),
            )))
        }
        Constant::Bytes(b) => {
            let size = b.len() as i64;
            if size > 0 && (n < 0 || n > MAX_STR_SIZE / size) {
                return Ok(None);
            }
            Ok(Some(Constant::Bytes(
                b.repeat(usize::try_from(n).unwrap_or(0)).into(),
            )))
        }
        Constant::Tuple(t) => {
            let size = t.len() as i64;
            if size > 0 && (n < 0 || n > MAX_COLLECTION_SIZE / size) {
                return Ok(None);
            }
            let times = usize::try_from(n).unwrap_or(0);
            let items: Vec<Constant> = (0..times).flat_map(|_| t.iter().cloned()).collect();
            Ok(Some(Constant::Tuple(items.into())))
        }
        _ => Ok(None),
    }
}

fn fold_int(op: Operator, a: i64, b: i64) -> Result<Option<Constant>, &'static str> {
    let int = |v: Option<i64>| v.map(|v| Some(Constant::Int(v))).ok_or(BIG);
    match op {
        Operator::Add => int(a.checked_add(b)),
        Operator::Sub => int(a.checked_sub(b)),
        Operator::Mult => {
            if a != 0 && b != 0 && bits(a) + bits(b) > MAX_INT_SIZE {
                return Ok(None);
            }
            int(a.checked_mul(b))
        }
        Operator::Div => {
            if b == 0 {
                return Ok(None);
            }
            const EXACT: u64 = 1 << 53;
            if a.unsigned_abs() > EXACT || b.unsigned_abs() > EXACT {
                return Err("constant folding of a large integer division");
            }
            Ok(Some(Constant::Float(a as f64 / b as f64)))
        }
        Operator::FloorDiv => {
            if b == 0 {
                return Ok(None);
            }
            let Some(q) = a.checked_div(b) else {
                return Err(BIG);
            };
            let q = if a % b != 0 && ((a < 0) != (b < 0)) {
                q - 1
            } else {
                q
            };
            Ok(Some(Constant::Int(q)))
        }
        Operator::Mod => {
            if b == 0 {
                return Ok(None);
            }
            let r = a.checked_rem(b).unwrap_or(0);
            let r = if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            };
            Ok(Some(Constant::Int(r)))
        }
        Operator::Pow => {
            if b < 0 {
                if a == 0 {
                    return Ok(None);
                }
                return Ok(Some(Constant::Float((a as f64).powf(b as f64))));
            }
            if a != 0 && b > 0 {
                let wbits = u32::try_from(b).unwrap_or(u32::MAX);
                if bits(a) > MAX_INT_SIZE / wbits {
                    return Ok(None);
                }
            }
            int(u32::try_from(b).ok().and_then(|e| a.checked_pow(e)))
        }
        Operator::LShift => {
            if b < 0 {
                return Ok(None);
            }
            if a != 0
                && b != 0
                && (b > i64::from(MAX_INT_SIZE) || i64::from(bits(a)) > i64::from(MAX_INT_SIZE) - b)
            {
                return Ok(None);
            }
            if a == 0 {
                return Ok(Some(Constant::Int(0)));
            }
            let shifted = u32::try_from(b)
                .ok()
                .and_then(|s| a.checked_shl(s))
                .filter(|v| v >> b == a);
            int(shifted)
        }
        Operator::RShift => {
            if b < 0 {
                return Ok(None);
            }
            Ok(Some(Constant::Int(a >> b.min(63))))
        }
        Operator::BitOr => Ok(Some(Constant::Int(a | b))),
        Operator::BitXor => Ok(Some(Constant::Int(a ^ b))),
        Operator::BitAnd => Ok(Some(Constant::Int(a & b))),
        Operator::MatMult => Ok(None),
    }
}

fn fold_float(op: Operator, a: f64, b: f64) -> Result<Option<Constant>, &'static str> {
    let f = |v: f64| Ok(Some(Constant::Float(v)));
    match op {
        Operator::Add => f(a + b),
        Operator::Sub => f(a - b),
        Operator::Mult => f(a * b),
        Operator::Div => {
            if b == 0.0 {
                return Ok(None);
            }
            f(a / b)
        }
        Operator::FloorDiv | Operator::Mod => {
            if b == 0.0 {
                return Ok(None);
            }
            // float_divmod in Objects/floatobject.c.
            let mut m = a % b;
            let mut div = (a - m) / b;
            if m != 0.0 {
                if (b < 0.0) != (m < 0.0) {
                    m += b;
                    div -= 1.0;
                }
            } else {
                m = 0.0_f64.copysign(b);
            }
            let floordiv = if div != 0.0 {
                let mut fd = div.floor();
                if div - fd > 0.5 {
                    fd += 1.0;
                }
                fd
            } else {
                0.0_f64.copysign(a / b)
            };
            if op == Operator::Mod {
                f(m)
            } else {
                f(floordiv)
            }
        }
        Operator::Pow => {
            if a == 0.0 && b < 0.0 {
                return Ok(None);
            }
            if a < 0.0 && b.is_finite() && b.fract() != 0.0 {
                return Err("constant folding to a complex number");
            }
            let r = a.powf(b);
            if r.is_infinite() && a.is_finite() && b.is_finite() {
                return Ok(None);
            }
            f(r)
        }
        _ => Ok(None),
    }
}

fn fold_subscript(v: &Constant, i: &Constant) -> Option<Constant> {
    let i = as_int(i)?;
    let index = |len: usize| -> Option<usize> {
        let len = i64::try_from(len).ok()?;
        let k = if i < 0 { i + len } else { i };
        if k < 0 || k >= len {
            None
        } else {
            usize::try_from(k).ok()
        }
    };
    match v {
        Constant::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let k = index(chars.len())?;
            chars.get(k).map(|c| Constant::Str(c.to_string().into()))
        }
        Constant::Bytes(b) => b.get(index(b.len())?).map(|&x| Constant::Int(i64::from(x))),
        Constant::Tuple(t) => t.get(index(t.len())?).cloned(),
        _ => None,
    }
}

/// `_PyCode_ConstantKey`: constants are merged by type and value (so `1`, `1.0` and `True`
/// stay distinct, as do `0.0` and `-0.0`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConstKey {
    None,
    Ellipsis,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Vec<ConstKey>),
    /// The elements' keys, sorted: equal frozensets have equal keys whatever their order.
    FrozenSet(Vec<ConstKey>),
    Code(usize),
}

pub fn const_key(c: &Constant) -> ConstKey {
    match c {
        Constant::None => ConstKey::None,
        Constant::Ellipsis => ConstKey::Ellipsis,
        Constant::Bool(b) => ConstKey::Bool(*b),
        Constant::Int(i) => ConstKey::Int(*i),
        Constant::Float(f) => ConstKey::Float(f.to_bits()),
        Constant::Str(s) => ConstKey::Str(s.clone()),
        Constant::Bytes(b) => ConstKey::Bytes(b.clone()),
        Constant::Tuple(t) => ConstKey::Tuple(t.iter().map(const_key).collect()),
        Constant::FrozenSet(items) => {
            let mut keys: Vec<ConstKey> = items.iter().map(const_key).collect();
            keys.sort();
            ConstKey::FrozenSet(keys)
        }
        Constant::Code(c) => ConstKey::Code(Rc::as_ptr(c) as usize),
    }
}
