//! AST constant folding, after CPython 3.12's `Python/ast_opt.c`. ruff's AST is immutable
//! here, so instead of rewriting nodes the code generator asks [`fold`] whether an
//! expression *would* have become a `Constant` node, and what its value is.
//!
//! The size guards (`safe_multiply`, `safe_power`, `safe_lshift`, `safe_mod`) are CPython's,
//! so the same expressions stay unfolded (ints of up to `MAX_INT_SIZE` bits fold, as
//! [`Constant::BigInt`] beyond 64). Complex operands fold with no size guard, as in
//! CPython (`1j ** 1000` folds; `1j // 1` raises, so it stays). Results CPython would fold
//! but framespec's [`Constant`] cannot hold are an "unsupported" [`CompileError`] rather
//! than different bytecode.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast, CmpOp, Expr, Number, UnaryOp};

use super::{unsupported, CompileError, LineIndex};
use crate::arith::{self, ArithError, Num};
use crate::code::Constant;
use crate::oparg::BinaryOp;
use crate::surrogate_str;

const MAX_INT_SIZE: u32 = 128;
const MAX_COLLECTION_SIZE: i64 = 256;
const MAX_STR_SIZE: i64 = 4096;

type Folded = Result<Option<Constant>, CompileError>;

/// A string literal's constant: ruff's value, or the one `surrogates` read again when the
/// literal escapes a lone surrogate.
pub fn string_literal(e: &Expr, lines: &LineIndex) -> Option<Constant> {
    let Expr::StringLiteral(s) = e else {
        return None;
    };
    Some(match lines.surrogate_literals.get(&s.range) {
        Some(bytes) => Constant::StrSurrogates(bytes.clone()),
        None => Constant::Str(Rc::from(s.value.to_str())),
    })
}

/// The constant `e` folds to, if it does (`astfold_expr`).
pub fn fold(e: &Expr, lines: &LineIndex) -> Folded {
    let loc = || lines.of(e);
    Ok(match e {
        Expr::NumberLiteral(n) => Some(match &n.value {
            Number::Int(i) => match i.as_i64() {
                Some(v) => Constant::Int(v),
                None => big_literal(&i.to_string()).map_err(|what| unsupported(what, loc()))?,
            },
            Number::Float(f) => Constant::Float(*f),
            Number::Complex { real, imag } => Constant::Complex(*real, *imag),
        }),
        Expr::StringLiteral(_) => string_literal(e, lines),
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
            Some(c) => match fold_unary(u.op, &c) {
                Ok(v) => v,
                Err(what) => return Err(unsupported(what, loc())),
            },
            None => None,
        },
        Expr::BinOp(b) => {
            let Some(l) = fold(&b.left, lines)? else {
                return Ok(None);
            };
            // A str `%` a tuple display that does not fold is `optimize_format`'s (see
            // `compile::fstring`): never a constant.
            let Some(r) = fold(&b.right, lines)? else {
                return Ok(None);
            };
            match fold_binop(super::expr::binary_op(b.op), &l, &r) {
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

/// An integer literal beyond `i64` (ruff keeps its token: decimal digits, or a prefixed
/// literal with its `_`s).
fn big_literal(token: &str) -> Result<Constant, &'static str> {
    let decimal = !token.starts_with("0x")
        && !token.starts_with("0o")
        && !token.starts_with("0b")
        && !token.starts_with("0X")
        && !token.starts_with("0O")
        && !token.starts_with("0B");
    let digits = token.chars().filter(char::is_ascii_digit).count();
    if decimal && digits > arith::text::DEFAULT_MAX_STR_DIGITS {
        // CPython's parser converts under the digit limit: a SyntaxError.
        return Err("an integer literal of more than 4300 decimal digits (a SyntaxError)");
    }
    match arith::text::literal_value(token) {
        Some(n) => Ok(num_constant(n)),
        None => Err("an integer literal the parser spells unexpectedly"),
    }
}

fn num_constant(n: Num) -> Constant {
    match n {
        Num::Int(i) => Constant::Int(i),
        Num::Big(b) => Constant::BigInt(b),
        Num::Float(f) => Constant::Float(f),
        Num::Complex(re, im) => Constant::Complex(re, im),
    }
}

fn truthy(c: &Constant) -> bool {
    match c {
        Constant::None => false,
        Constant::Ellipsis | Constant::Code(_) | Constant::BigInt(_) => true,
        Constant::Bool(b) => *b,
        Constant::Int(i) => *i != 0,
        Constant::Float(f) => *f != 0.0,
        Constant::Complex(re, im) => *re != 0.0 || *im != 0.0,
        Constant::Str(s) => !s.is_empty(),
        Constant::StrSurrogates(_) => true,
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) | Constant::FrozenSet(t) => !t.is_empty(),
    }
}

/// Python truthiness of a constant (`PyObject_IsTrue`).
pub fn is_true(c: &Constant) -> bool {
    truthy(c)
}

/// `fold_unaryop`: `not` by truthiness; `-`, `+`, `~` on numbers through `arith`.
fn fold_unary(op: UnaryOp, c: &Constant) -> Result<Option<Constant>, &'static str> {
    let op = match op {
        UnaryOp::Not => return Ok(Some(Constant::Bool(!truthy(c)))),
        UnaryOp::USub => arith::UnaryOp::Negative,
        UnaryOp::UAdd => arith::UnaryOp::Positive,
        UnaryOp::Invert => arith::UnaryOp::Invert,
    };
    let Some(n) = as_num(c) else {
        return Ok(None);
    };
    arith_result(arith::unary(op, &n))
}

fn as_int(c: &Constant) -> Option<i64> {
    match c {
        Constant::Int(i) => Some(*i),
        Constant::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn as_num(c: &Constant) -> Option<Num> {
    match c {
        Constant::Float(f) => Some(Num::Float(*f)),
        Constant::Complex(re, im) => Some(Num::Complex(*re, *im)),
        Constant::BigInt(b) => Some(Num::Big(b.clone())),
        _ => as_int(c).map(Num::Int),
    }
}

/// What folding makes of an `arith` result: a constant; nothing where CPython's operation
/// raises (`make_const` clears the error and leaves the expression alone); an unsupported
/// compile error where CPython folds to a number framespec cannot hold.
fn arith_result(r: Result<Num, ArithError>) -> Result<Option<Constant>, &'static str> {
    match r {
        Ok(n) => Ok(Some(num_constant(n))),
        // `arith::binary` computes complex results itself.
        Err(ArithError::Complex) => Err("constant folding to a complex number"),
        // The size guards keep folded ints within MAX_INT_SIZE bits.
        Err(ArithError::TooBig) => Err("constant folding to an int of unbounded size"),
        Err(
            ArithError::ZeroDivision(_)
            | ArithError::Value(_)
            | ArithError::Overflow(_)
            | ArithError::FloatOverflow
            | ArithError::NotNumeric,
        ) => Ok(None),
    }
}

/// `fold_binop`: `Ok(None)` where CPython leaves the operation alone (it would raise, or a
/// size guard refuses), `Err` where CPython folds to something framespec cannot represent.
fn fold_binop(op: BinaryOp, l: &Constant, r: &Constant) -> Result<Option<Constant>, &'static str> {
    if let (Constant::Bool(a), Constant::Bool(b)) = (l, r) {
        if let Some(v) = arith::bool_binary(op, *a, *b) {
            return Ok(Some(Constant::Bool(v)));
        }
    }
    if let (Some(a), Some(b)) = (as_num(l), as_num(r)) {
        if a.is_int() && b.is_int() && !int_size_guard(op, &a, &b) {
            return Ok(None);
        }
        return arith_result(arith::binary(op, &a, &b));
    }
    match (op, l, r) {
        (BinaryOp::Add, Constant::Str(a), Constant::Str(b)) => {
            Ok(Some(Constant::Str(format!("{a}{b}").into())))
        }
        // Either side holds lone surrogates: joined code point by code point (a high
        // and a low surrogate stay two, as in CPython).
        (
            BinaryOp::Add,
            Constant::Str(_) | Constant::StrSurrogates(_),
            Constant::Str(_) | Constant::StrSurrogates(_),
        ) => {
            let (Some(mut a), Some(mut b)) =
                (surrogate_str::code_points(l), surrogate_str::code_points(r))
            else {
                return Ok(None);
            };
            a.append(&mut b);
            Ok(surrogate_str::constant(&a))
        }
        (BinaryOp::Add, Constant::Bytes(a), Constant::Bytes(b)) => Ok(Some(Constant::Bytes(
            [a.as_ref(), b.as_ref()].concat().into(),
        ))),
        (BinaryOp::Add, Constant::Tuple(a), Constant::Tuple(b)) => Ok(Some(Constant::Tuple(
            [a.as_ref(), b.as_ref()].concat().into(),
        ))),
        (BinaryOp::Multiply, s, n) | (BinaryOp::Multiply, n, s) if as_int(n).is_some() => {
            let n = as_int(n).unwrap_or(0);
            repeat(s, n)
        }
        _ => Ok(None),
    }
}

/// The size guards on ints (`safe_multiply`, `safe_power`, `safe_lshift`): whether CPython
/// folds `x OP y` at all, so results of more than `MAX_INT_SIZE` bits stay unfolded. A
/// count that `PyLong_AsSize_t` refuses (negative, or beyond 64 bits) is not folded either.
fn int_size_guard(op: BinaryOp, x: &Num, y: &Num) -> bool {
    let max = u64::from(MAX_INT_SIZE);
    let (xbits, ybits) = (arith::int_bits(x), arith::int_bits(y));
    let size_t = |n: &Num| match n {
        Num::Int(i) => u64::try_from(*i).ok(),
        _ => None,
    };
    let negative = |n: &Num| {
        matches!(n, Num::Int(i) if *i < 0)
            || matches!(n, Num::Big(b) if b.sign() == num_bigint::Sign::Minus)
    };
    match op {
        BinaryOp::Multiply => xbits == 0 || ybits == 0 || xbits + ybits <= max,
        BinaryOp::Power => {
            // Only for a non-zero base and a positive exponent, whose value bounds the
            // base's bit count.
            if xbits == 0 || ybits == 0 || negative(y) {
                return true;
            }
            match size_t(y) {
                Some(w) => xbits <= max / w,
                None => false,
            }
        }
        BinaryOp::Lshift => {
            if xbits == 0 || ybits == 0 {
                return true;
            }
            match size_t(y) {
                Some(w) => w <= max && xbits <= max - w,
                None => false,
            }
        }
        _ => true,
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
        Constant::StrSurrogates(_) => {
            let Some(cps) = surrogate_str::code_points(s) else {
                return Ok(None);
            };
            let size = cps.len() as i64;
            if size > 0 && (n < 0 || n > MAX_STR_SIZE / size) {
                return Ok(None);
            }
            Ok(surrogate_str::constant(
                &cps.repeat(usize::try_from(n).unwrap_or(0)),
            ))
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
        Constant::StrSurrogates(_) => {
            let cps = surrogate_str::code_points(v)?;
            let k = index(cps.len())?;
            surrogate_str::constant(&cps[k..=k])
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
    BigInt(Rc<num_bigint::BigInt>),
    Float(u64),
    /// The parts' bits: `_PyCode_ConstantKey` tells the four complex zeros apart.
    Complex(u64, u64),
    Str(Rc<str>),
    StrSurrogates(Rc<[u8]>),
    Bytes(Rc<[u8]>),
    Tuple(Vec<ConstKey>),
    /// The elements' keys, sorted: equal frozensets have equal keys whatever their order.
    FrozenSet(Vec<ConstKey>),
    Code(Box<CodeKey>),
    /// A float or complex NaN: a key no other constant has.
    Nan(u64),
}

/// A fresh number for each NaN key.
fn next_nan() -> u64 {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        let v = n.get();
        n.set(v.wrapping_add(1));
        v
    })
}

/// A code object's key is the code object, compared by `code_richcompare`: what it
/// compares, and nothing else (not `co_qualname`, `co_filename` nor `co_stacksize`), so
/// a construct compiled twice — a `while` test holding a generator expression is — makes
/// one constant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeKey {
    name: Rc<str>,
    counts: [u32; 3],
    flags: u32,
    firstlineno: u32,
    code: Vec<u8>,
    consts: Vec<ConstKey>,
    names: Vec<Rc<str>>,
    localsplusnames: Vec<Rc<str>>,
    linetable: Vec<u8>,
    exceptiontable: Vec<u8>,
}

pub fn const_key(c: &Constant) -> ConstKey {
    match c {
        Constant::None => ConstKey::None,
        Constant::Ellipsis => ConstKey::Ellipsis,
        Constant::Bool(b) => ConstKey::Bool(*b),
        Constant::Int(i) => ConstKey::Int(*i),
        Constant::BigInt(b) => ConstKey::BigInt(b.clone()),
        // A NaN equals nothing, itself included, so CPython's constant cache never finds
        // an earlier NaN: each NaN constant is one of its own.
        Constant::Float(f) if f.is_nan() => ConstKey::Nan(next_nan()),
        Constant::Complex(re, im) if re.is_nan() || im.is_nan() => ConstKey::Nan(next_nan()),
        Constant::Float(f) => ConstKey::Float(f.to_bits()),
        Constant::Complex(re, im) => ConstKey::Complex(re.to_bits(), im.to_bits()),
        Constant::Str(s) => ConstKey::Str(s.clone()),
        Constant::StrSurrogates(b) => ConstKey::StrSurrogates(b.clone()),
        Constant::Bytes(b) => ConstKey::Bytes(b.clone()),
        Constant::Tuple(t) => ConstKey::Tuple(t.iter().map(const_key).collect()),
        Constant::FrozenSet(items) => {
            let mut keys: Vec<ConstKey> = items.iter().map(const_key).collect();
            keys.sort();
            ConstKey::FrozenSet(keys)
        }
        Constant::Code(c) => ConstKey::Code(Box::new(CodeKey {
            name: c.co_name.clone(),
            counts: [c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount],
            flags: c.co_flags,
            firstlineno: c.co_firstlineno,
            code: c.co_code.clone(),
            consts: c.co_consts.iter().map(const_key).collect(),
            names: c.co_names.clone(),
            localsplusnames: c.co_localsplusnames.clone(),
            linetable: c.co_linetable.clone(),
            exceptiontable: c.co_exceptiontable.clone(),
        })),
    }
}

/// `c_const_cache`: the constants of a module's code objects, one object per key (equal
/// constants in two functions are one object, as `f() is g()` shows).
#[derive(Default)]
pub struct ConstCache(HashMap<ConstKey, Constant>);

impl ConstCache {
    /// `merge_consts_recursive`: the cached constant equal to `c`, its items merged first.
    pub fn merge(&mut self, c: &Constant) -> Constant {
        let c = match c {
            Constant::Tuple(items) => {
                Constant::Tuple(items.iter().map(|i| self.merge(i)).collect())
            }
            Constant::FrozenSet(items) => {
                Constant::FrozenSet(items.iter().map(|i| self.merge(i)).collect())
            }
            other => other.clone(),
        };
        self.0.entry(const_key(&c)).or_insert(c).clone()
    }
}
