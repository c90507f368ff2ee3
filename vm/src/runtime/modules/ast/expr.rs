//! Expressions, `arguments`, `keyword`, comprehensions and patterns as `ast2obj_expr`,
//! `ast2obj_arguments` and `ast2obj_pattern` build them.

use ruff_python_ast::{self as ast, BoolOp, CmpOp, Expr, ExprContext, Operator, Pattern, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use super::super::super::codeinfo;
use super::super::super::object::Value;
use super::super::super::PyResult;
use super::convert::Conv;
use super::unsupported;

impl Conv<'_> {
    fn ctx(&self, c: ExprContext) -> PyResult<Value> {
        self.shared(match c {
            ExprContext::Load => "Load",
            ExprContext::Store => "Store",
            ExprContext::Del => "Del",
            ExprContext::Invalid => return Err(self.vm.bug("an invalid expression context")),
        })
    }

    pub fn operator(&self, op: Operator) -> PyResult<Value> {
        self.shared(match op {
            Operator::Add => "Add",
            Operator::Sub => "Sub",
            Operator::Mult => "Mult",
            Operator::MatMult => "MatMult",
            Operator::Div => "Div",
            Operator::Mod => "Mod",
            Operator::Pow => "Pow",
            Operator::LShift => "LShift",
            Operator::RShift => "RShift",
            Operator::BitOr => "BitOr",
            Operator::BitXor => "BitXor",
            Operator::BitAnd => "BitAnd",
            Operator::FloorDiv => "FloorDiv",
        })
    }

    fn cmpop(&self, op: CmpOp) -> PyResult<Value> {
        self.shared(match op {
            CmpOp::Eq => "Eq",
            CmpOp::NotEq => "NotEq",
            CmpOp::Lt => "Lt",
            CmpOp::LtE => "LtE",
            CmpOp::Gt => "Gt",
            CmpOp::GtE => "GtE",
            CmpOp::Is => "Is",
            CmpOp::IsNot => "IsNot",
            CmpOp::In => "In",
            CmpOp::NotIn => "NotIn",
        })
    }

    /// A literal's `Constant` value.
    pub fn constant_value(&self, e: &Expr) -> PyResult<Value> {
        let c = match crate::compile::literal(e, self.lines) {
            Ok(Some(c)) => c,
            Ok(None) => return Err(self.vm.bug("a literal that is not a constant")),
            Err(err) => return Err(unsupported(self.vm, err.message)),
        };
        codeinfo::constant(&c).ok_or_else(|| unsupported(self.vm, codeinfo::UNREPRESENTABLE))
    }

    fn constant(&self, value: Value, kind: Value, r: TextRange) -> PyResult<Value> {
        self.located("Constant", vec![value, kind], r)
    }

    pub fn keywords(&self, ks: &[ast::Keyword]) -> PyResult<Value> {
        let mut out = Vec::new();
        for k in ks {
            let fields = vec![Self::opt_ident(k.arg.as_ref()), self.expr(&k.value)?];
            out.push(self.located("keyword", fields, k.range)?);
        }
        Ok(Value::list(out))
    }

    fn arg(&self, p: &ast::Parameter) -> PyResult<Value> {
        let fields = vec![
            Self::ident(&p.name),
            self.opt_expr(p.annotation.as_deref())?,
            Value::None,
        ];
        let r = TextRange::new(p.name.range.start(), p.range.end());
        self.located("arg", fields, r)
    }

    /// `arguments`: defaults of the positional parameters (only those given, the last
    /// ones), one keyword-only default per keyword-only parameter (None when absent).
    pub fn arguments(&self, ps: Option<&ast::Parameters>) -> PyResult<Value> {
        let empty = ast::Parameters::default();
        let ps = ps.unwrap_or(&empty);
        let mut posonly = Vec::new();
        let mut args = Vec::new();
        let mut defaults = Vec::new();
        for p in &ps.posonlyargs {
            posonly.push(self.arg(&p.parameter)?);
            if let Some(d) = &p.default {
                defaults.push(self.expr(d)?);
            }
        }
        for p in &ps.args {
            args.push(self.arg(&p.parameter)?);
            if let Some(d) = &p.default {
                defaults.push(self.expr(d)?);
            }
        }
        let mut kwonly = Vec::new();
        let mut kw_defaults = Vec::new();
        for p in &ps.kwonlyargs {
            kwonly.push(self.arg(&p.parameter)?);
            kw_defaults.push(self.opt_expr(p.default.as_deref())?);
        }
        let vararg = match &ps.vararg {
            Some(p) => self.arg(p)?,
            None => Value::None,
        };
        let kwarg = match &ps.kwarg {
            Some(p) => self.arg(p)?,
            None => Value::None,
        };
        let fields = vec![
            Value::list(posonly),
            Value::list(args),
            vararg,
            Value::list(kwonly),
            Value::list(kw_defaults),
            kwarg,
            Value::list(defaults),
        ];
        self.node("arguments", fields, None)
    }

    fn comprehensions(&self, gens: &[ast::Comprehension]) -> PyResult<Value> {
        let mut out = Vec::new();
        for g in gens {
            let fields = vec![
                self.expr(&g.target)?,
                self.expr(&g.iter)?,
                self.exprs(&g.ifs)?,
                Value::Int(i64::from(g.is_async)),
            ];
            out.push(self.node("comprehension", fields, None)?);
        }
        Ok(Value::list(out))
    }

    pub fn expr(&self, e: &Expr) -> PyResult<Value> {
        self.expr_in(e, e.range())
    }

    /// `e` located at `r` (a generator expression that is a call's only argument takes
    /// the call's parentheses).
    fn expr_in(&self, e: &Expr, r: TextRange) -> PyResult<Value> {
        match e {
            Expr::BoolOp(b) => {
                let op = self.shared(match b.op {
                    BoolOp::And => "And",
                    BoolOp::Or => "Or",
                })?;
                self.located("BoolOp", vec![op, self.exprs(&b.values)?], r)
            }
            Expr::Named(n) => {
                let fields = vec![self.expr(&n.target)?, self.expr(&n.value)?];
                self.located("NamedExpr", fields, r)
            }
            Expr::BinOp(b) => {
                let fields = vec![
                    self.expr(&b.left)?,
                    self.operator(b.op)?,
                    self.expr(&b.right)?,
                ];
                self.located("BinOp", fields, r)
            }
            Expr::UnaryOp(u) => {
                let op = self.shared(match u.op {
                    UnaryOp::Invert => "Invert",
                    UnaryOp::Not => "Not",
                    UnaryOp::UAdd => "UAdd",
                    UnaryOp::USub => "USub",
                })?;
                self.located("UnaryOp", vec![op, self.expr(&u.operand)?], r)
            }
            Expr::Lambda(l) => {
                let fields = vec![
                    self.arguments(l.parameters.as_deref())?,
                    self.expr(&l.body)?,
                ];
                self.located("Lambda", fields, r)
            }
            Expr::If(i) => {
                let fields = vec![
                    self.expr(&i.test)?,
                    self.expr(&i.body)?,
                    self.expr(&i.orelse)?,
                ];
                self.located("IfExp", fields, r)
            }
            Expr::Dict(d) => {
                let mut keys = Vec::new();
                let mut values = Vec::new();
                for item in &d.items {
                    keys.push(self.opt_expr(item.key.as_ref())?);
                    values.push(self.expr(&item.value)?);
                }
                self.located("Dict", vec![Value::list(keys), Value::list(values)], r)
            }
            Expr::Set(s) => self.located("Set", vec![self.exprs(&s.elts)?], r),
            Expr::ListComp(c) => {
                let fields = vec![self.expr(&c.elt)?, self.comprehensions(&c.generators)?];
                self.located("ListComp", fields, r)
            }
            Expr::SetComp(c) => {
                let fields = vec![self.expr(&c.elt)?, self.comprehensions(&c.generators)?];
                self.located("SetComp", fields, r)
            }
            Expr::DictComp(c) => {
                let Some(key) = &c.key else {
                    return Err(unsupported(self.vm, "a dict comprehension unpacking **"));
                };
                let fields = vec![
                    self.expr(key)?,
                    self.expr(&c.value)?,
                    self.comprehensions(&c.generators)?,
                ];
                self.located("DictComp", fields, r)
            }
            Expr::Generator(g) => {
                let fields = vec![self.expr(&g.elt)?, self.comprehensions(&g.generators)?];
                self.located("GeneratorExp", fields, r)
            }
            Expr::Await(a) => self.located("Await", vec![self.expr(&a.value)?], r),
            Expr::Yield(y) => {
                let v = self.opt_expr(y.value.as_deref())?;
                self.located("Yield", vec![v], r)
            }
            Expr::YieldFrom(y) => self.located("YieldFrom", vec![self.expr(&y.value)?], r),
            Expr::Compare(c) => {
                let mut ops = Vec::new();
                for op in c.ops.iter() {
                    ops.push(self.cmpop(*op)?);
                }
                let fields = vec![
                    self.expr(&c.left)?,
                    Value::list(ops),
                    self.exprs(&c.comparators)?,
                ];
                self.located("Compare", fields, r)
            }
            Expr::Call(c) => {
                let a = &c.arguments;
                let args = match &*a.args {
                    [g @ Expr::Generator(gen)] if a.keywords.is_empty() && !gen.parenthesized => {
                        Value::list(vec![self.expr_in(g, a.range)?])
                    }
                    args => self.exprs(args)?,
                };
                let fields = vec![self.expr(&c.func)?, args, self.keywords(&a.keywords)?];
                self.located("Call", fields, r)
            }
            Expr::FString(f) => self.fstring(f),
            Expr::TString(_) => Err(unsupported(self.vm, "a t-string (Python 3.14)")),
            Expr::StringLiteral(s) => {
                let kind = if s.value.is_unicode() {
                    Value::str("u")
                } else {
                    Value::None
                };
                self.constant(self.constant_value(e)?, kind, r)
            }
            Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => self.constant(self.constant_value(e)?, Value::None, r),
            Expr::Attribute(a) => {
                let fields = vec![self.expr(&a.value)?, Self::ident(&a.attr), self.ctx(a.ctx)?];
                self.located("Attribute", fields, r)
            }
            Expr::Subscript(s) => {
                let fields = vec![self.expr(&s.value)?, self.expr(&s.slice)?, self.ctx(s.ctx)?];
                self.located("Subscript", fields, r)
            }
            Expr::Starred(s) => {
                let fields = vec![self.expr(&s.value)?, self.ctx(s.ctx)?];
                self.located("Starred", fields, r)
            }
            Expr::Name(n) => {
                let fields = vec![Value::str(n.id.as_str()), self.ctx(n.ctx)?];
                self.located("Name", fields, r)
            }
            Expr::List(l) => {
                let fields = vec![self.exprs(&l.elts)?, self.ctx(l.ctx)?];
                self.located("List", fields, r)
            }
            Expr::Tuple(t) => {
                let fields = vec![self.exprs(&t.elts)?, self.ctx(t.ctx)?];
                self.located("Tuple", fields, r)
            }
            Expr::Slice(s) => {
                let fields = vec![
                    self.opt_expr(s.lower.as_deref())?,
                    self.opt_expr(s.upper.as_deref())?,
                    self.opt_expr(s.step.as_deref())?,
                ];
                self.located("Slice", fields, r)
            }
            Expr::IpyEscapeCommand(_) => Err(unsupported(self.vm, "an IPython escape command")),
        }
    }

    fn patterns(&self, ps: &[Pattern]) -> PyResult<Value> {
        let mut out = Vec::new();
        for p in ps {
            out.push(self.pattern(p)?);
        }
        Ok(Value::list(out))
    }

    pub fn pattern(&self, p: &Pattern) -> PyResult<Value> {
        let r = p.range();
        match p {
            Pattern::MatchValue(v) => self.located("MatchValue", vec![self.expr(&v.value)?], r),
            Pattern::MatchSingleton(s) => {
                let v = match s.value {
                    ast::Singleton::None => Value::None,
                    ast::Singleton::True => Value::Bool(true),
                    ast::Singleton::False => Value::Bool(false),
                };
                self.located("MatchSingleton", vec![v], r)
            }
            Pattern::MatchSequence(s) => {
                self.located("MatchSequence", vec![self.patterns(&s.patterns)?], r)
            }
            Pattern::MatchMapping(m) => {
                let fields = vec![
                    self.exprs(&m.keys)?,
                    self.patterns(&m.patterns)?,
                    Self::opt_ident(m.rest.as_ref()),
                ];
                self.located("MatchMapping", fields, r)
            }
            Pattern::MatchClass(c) => {
                let mut attrs = Vec::new();
                let mut kwd = Vec::new();
                for k in &c.arguments.keywords {
                    attrs.push(Self::ident(&k.attr));
                    kwd.push(self.pattern(&k.pattern)?);
                }
                let fields = vec![
                    self.expr(&c.cls)?,
                    self.patterns(&c.arguments.patterns)?,
                    Value::list(attrs),
                    Value::list(kwd),
                ];
                self.located("MatchClass", fields, r)
            }
            Pattern::MatchStar(s) => {
                self.located("MatchStar", vec![Self::opt_ident(s.name.as_ref())], r)
            }
            Pattern::MatchAs(a) => {
                let pattern = match &a.pattern {
                    Some(p) => self.pattern(p)?,
                    None => Value::None,
                };
                let fields = vec![pattern, Self::opt_ident(a.name.as_ref())];
                self.located("MatchAs", fields, r)
            }
            Pattern::MatchOr(o) => self.located("MatchOr", vec![self.patterns(&o.patterns)?], r),
        }
    }
}
