//! `types.GenericAlias` (CPython `Objects/genericaliasobject.c`) and `types.UnionType`
//! (`Objects/unionobject.c`): `list[int]` and `int | str`. Their origin, arguments,
//! repr, equality, hash and `__parameters__` are CPython's; substitution of type
//! variables, `__mro_entries__` and the rest are not provided (`reach` reports them).

use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Native, NativeFn, Value};
use super::PyResult;

/// `origin[args]`.
#[derive(Debug)]
pub struct GenericAlias {
    pub origin: Value,
    pub args: Rc<[Value]>,
    /// `__parameters__`, computed on first access (`ga_parameters`).
    pub parameters: std::cell::RefCell<Option<Value>>,
}

/// `a | b | …`, flattened and without repeats.
#[derive(Debug)]
pub struct Union {
    pub args: Rc<[Value]>,
    /// `__parameters__`, computed on first access (`union_parameters`).
    pub parameters: std::cell::RefCell<Option<Value>>,
}

/// `list[int]`: the arguments a tuple's items, any other subscript one argument.
pub fn alias(origin: Value, sub: &Value) -> Value {
    let args: Rc<[Value]> = match sub {
        Value::Tuple(items) => items.clone(),
        other => Rc::from(vec![other.clone()]),
    };
    Value::Native(Rc::new(Native::GenericAlias(GenericAlias {
        origin,
        args,
        parameters: Default::default(),
    })))
}

fn is_unionable(v: &Value) -> bool {
    match v {
        Value::None | Value::Type(_) => true,
        Value::Native(n) => matches!(**n, Native::GenericAlias(_) | Native::Union(_)),
        _ => false,
    }
}

/// `_Py_union_type_or(a, b)`: `None` when either operand cannot be in a union (the
/// operator then tries its other methods).
pub fn union_or(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<Option<Value>> {
    if !is_unionable(a) || !is_unionable(b) {
        return Ok(None);
    }
    let mut args: Vec<Value> = Vec::new();
    for side in [a, b] {
        let items: Vec<Value> = match side {
            Value::Native(n) => match &**n {
                Native::Union(u) => u.args.to_vec(),
                _ => vec![side.clone()],
            },
            Value::None => vec![Value::Type(vm.ty("NoneType"))],
            other => vec![other.clone()],
        };
        for item in items {
            let mut seen = false;
            for x in &args {
                // `dedup_and_flatten_args`: aliases compare by value, classes by identity.
                let same = match (x, &item) {
                    (Value::Native(_), Value::Native(_)) => vm.eq(x, &item)?,
                    _ => x.is(&item),
                };
                if same {
                    seen = true;
                    break;
                }
            }
            if !seen {
                args.push(item);
            }
        }
    }
    if args.len() == 1 {
        return Ok(args.pop());
    }
    Ok(Some(Value::Native(Rc::new(Native::Union(Union {
        args: Rc::from(args),
        parameters: Default::default(),
    })))))
}

/// `ga_repr_item`: a class by its qualified name (without `builtins.`), `...`, else the
/// repr.
fn repr_item(vm: &mut Vm, v: &Value) -> PyResult<String> {
    match v {
        Value::Ellipsis => Ok("...".to_owned()),
        Value::Type(t) => {
            let q = t.qualname.borrow().clone();
            // `__module__`: None gives the repr, another object its str.
            let module = match t.module_str() {
                Some(m) => Value::Str(m),
                None => t.dict.get_str("__module__").unwrap_or(Value::None),
            };
            Ok(match &module {
                Value::None => vm.repr(v)?,
                Value::Str(m) if &**m == "builtins" => q.to_string(),
                _ => format!("{}.{q}", vm.str_of(&module)?),
            })
        }
        other => vm.repr(other),
    }
}

pub fn alias_repr(vm: &mut Vm, g: &GenericAlias) -> PyResult<String> {
    let mut out = repr_item(vm, &g.origin)?;
    out.push('[');
    if g.args.is_empty() {
        out.push_str("()");
    }
    for (i, a) in g.args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match a {
            Value::List(l) => {
                let items = l.items.borrow().clone();
                let parts: PyResult<Vec<String>> = items.iter().map(|x| repr_item(vm, x)).collect();
                out.push_str(&format!("[{}]", parts?.join(", ")));
            }
            other => out.push_str(&repr_item(vm, other)?),
        }
    }
    out.push(']');
    Ok(out)
}

pub fn union_repr(vm: &mut Vm, u: &Union) -> PyResult<String> {
    let mut parts = Vec::new();
    for a in u.args.iter() {
        match a {
            Value::Type(t) if &*t.name() == "NoneType" => parts.push("None".to_owned()),
            other => parts.push(repr_item(vm, other)?),
        }
    }
    Ok(parts.join(" | "))
}

/// Attributes that are fields, and `__parameters__`.
pub fn attr(vm: &mut Vm, n: &Native, name: &str) -> PyResult<Option<Value>> {
    let (args, cache) = match n {
        Native::GenericAlias(g) => match name {
            "__origin__" => return Ok(Some(g.origin.clone())),
            "__args__" => return Ok(Some(Value::Tuple(g.args.clone()))),
            "__parameters__" => (&g.args, &g.parameters),
            _ => return Ok(None),
        },
        Native::Union(u) => match name {
            "__args__" => return Ok(Some(Value::Tuple(u.args.clone()))),
            "__parameters__" => (&u.args, &u.parameters),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    if let Some(p) = cache.borrow().clone() {
        return Ok(Some(p));
    }
    let p = make_parameters(vm, args)?;
    *cache.borrow_mut() = Some(p.clone());
    Ok(Some(p))
}

/// `_Py_make_parameters`: the type variables among the arguments (what has a
/// `__typing_subst__`) and the `__parameters__` of the others, each once (by identity),
/// in order of first appearance; bare classes are skipped.
fn make_parameters(vm: &mut Vm, args: &[Value]) -> PyResult<Value> {
    // `tuple_add`: by identity.
    fn add(params: &mut Vec<Value>, t: &Value) {
        if !params.iter().any(|p| p.is(t)) {
            params.push(t.clone());
        }
    }
    let mut params: Vec<Value> = Vec::new();
    for t in args {
        if matches!(t, Value::Type(_)) {
            continue;
        }
        if super::modules::io::lookup_attr(vm, t, "__typing_subst__")?.is_some() {
            add(&mut params, t);
        } else if let Some(Value::Tuple(sub)) =
            super::modules::io::lookup_attr(vm, t, "__parameters__")?
        {
            for t2 in sub.iter() {
                add(&mut params, t2);
            }
        }
    }
    Ok(Value::tuple(params))
}

/// Whether `a | b` may be a union made by `type.__or__`, `GenericAlias.__or__` or
/// `UnionType.__or__` (`_Py_union_type_or`): a class, an alias or a union on a side.
pub fn or_operand(a: &Value, b: &Value) -> bool {
    let union_side = |v: &Value| match v {
        Value::Type(_) => true,
        Value::Native(n) => matches!(**n, Native::GenericAlias(_) | Native::Union(_)),
        _ => false,
    };
    union_side(a) || union_side(b)
}

fn pair(args: &Args) -> (Value, Value) {
    (
        args.pos.first().cloned().unwrap_or_default(),
        args.pos.get(1).cloned().unwrap_or_default(),
    )
}

/// `ga_richcompare`: equal origins and arguments.
fn alias_eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, b) = pair(&args);
    let (Value::Native(x), Value::Native(y)) = (&a, &b) else {
        return Ok(Value::NotImplemented);
    };
    let (Native::GenericAlias(x), Native::GenericAlias(y)) = (&**x, &**y) else {
        return Ok(Value::NotImplemented);
    };
    if !vm.eq(&x.origin, &y.origin)? {
        return Ok(Value::Bool(false));
    }
    let (xa, ya) = (Value::Tuple(x.args.clone()), Value::Tuple(y.args.clone()));
    Ok(Value::Bool(vm.eq(&xa, &ya)?))
}

/// `union_richcompare`: the same arguments, in any order.
fn union_eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, b) = pair(&args);
    let (Value::Native(x), Value::Native(y)) = (&a, &b) else {
        return Ok(Value::NotImplemented);
    };
    let (Native::Union(x), Native::Union(y)) = (&**x, &**y) else {
        return Ok(Value::NotImplemented);
    };
    let xs = vm.new_frozenset(Some(&Value::Tuple(x.args.clone())))?;
    let ys = vm.new_frozenset(Some(&Value::Tuple(y.args.clone())))?;
    Ok(Value::Bool(vm.eq(&xs, &ys)?))
}

fn alias_hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, _) = pair(&args);
    let Value::Native(n) = &a else {
        return Err(vm.bug("GenericAlias.__hash__"));
    };
    let Native::GenericAlias(g) = &**n else {
        return Err(vm.bug("GenericAlias.__hash__"));
    };
    let h0 = vm.hash(&g.origin)?;
    let h1 = vm.hash(&Value::Tuple(g.args.clone()))?;
    Ok(Value::Int(h0 ^ h1))
}

fn union_hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, _) = pair(&args);
    let Value::Native(n) = &a else {
        return Err(vm.bug("UnionType.__hash__"));
    };
    let Native::Union(u) = &**n else {
        return Err(vm.bug("UnionType.__hash__"));
    };
    let s = vm.new_frozenset(Some(&Value::Tuple(u.args.clone())))?;
    Ok(Value::Int(vm.hash(&s)?))
}

/// `list[int](3)`: the origin called (CPython then sets `__orig_class__` on the result
/// where it can, which the built-in origins refuse).
fn alias_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Native(n)) = args.pos.first() else {
        return Err(vm.bug("GenericAlias.__call__"));
    };
    let Native::GenericAlias(g) = &**n else {
        return Err(vm.bug("GenericAlias.__call__"));
    };
    let origin = g.origin.clone();
    if !matches!(&origin, Value::Type(t) if t.is_builtin()) {
        return Err(vm.unsupported("calling a generic alias of a class (sets __orig_class__)"));
    }
    let rest = Args {
        pos: args.pos[1..].to_vec(),
        kw: args.kw.clone(),
    };
    vm.call(&origin, rest)
}

/// `a | b` with a union or alias on either side.
fn or(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, b) = pair(&args);
    Ok(union_or(vm, &a, &b)?.unwrap_or(Value::NotImplemented))
}

fn ror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (a, b) = pair(&args);
    Ok(union_or(vm, &b, &a)?.unwrap_or(Value::NotImplemented))
}

/// `GenericAlias.__new__(cls, origin, args)`: the alias for `types.GenericAlias` itself;
/// an instance of a subclass is not modelled (it would need the alias's fields on a
/// class instance, and `ga_getattro`'s forwarding to the origin).
fn alias_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let base = vm.ty("GenericAlias");
    match args.pos.first() {
        Some(Value::Type(t)) if std::rc::Rc::ptr_eq(t, &base) => {
            let rest = Args {
                pos: args.pos[1..].to_vec(),
                kw: args.kw.clone(),
            };
            super::builtins::construct(vm, t, rest)
        }
        Some(Value::Type(t)) if t.is_subtype(&base) => {
            Err(vm.unsupported("an instance of a subclass of types.GenericAlias"))
        }
        Some(Value::Type(t)) => Err(vm.type_error(format!(
            "types.GenericAlias.__new__({}): {} is not a subtype of types.GenericAlias",
            t.name(),
            t.name()
        ))),
        Some(other) => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!(
                "types.GenericAlias.__new__(X): X is not a type object ({n})"
            )))
        }
        None => Err(vm.type_error("types.GenericAlias.__new__(): not enough arguments")),
    }
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("GenericAlias", "__new__", alias_new),
    ("GenericAlias", "__eq__", alias_eq),
    ("GenericAlias", "__hash__", alias_hash),
    ("GenericAlias", "__call__", alias_call),
    ("GenericAlias", "__or__", or),
    ("GenericAlias", "__ror__", ror),
    ("GenericAlias", "__mro_entries__", alias_mro_entries),
    ("UnionType", "__eq__", union_eq),
    ("UnionType", "__hash__", union_hash),
    ("UnionType", "__or__", or),
    ("UnionType", "__ror__", ror),
    ("UnionType", "__getitem__", union_getitem),
];

/// `union_getitem` (substituting a union's type variables): not implemented yet.
fn union_getitem(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("subscripting a types.UnionType (union_getitem)"))
}

/// `ga_mro_entries(bases, /)` (METH_O): the origin, which a class statement puts in the
/// alias's place among its bases.
fn alias_mro_entries(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("GenericAlias.__mro_entries__() takes no keyword arguments"));
    }
    if args.pos.len() != 2 {
        return Err(vm.type_error(format!(
            "GenericAlias.__mro_entries__() takes exactly one argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    match &args.pos[0] {
        Value::Native(n) => match &**n {
            Native::GenericAlias(g) => Ok(Value::tuple(vec![g.origin.clone()])),
            _ => Err(vm.bug("GenericAlias.__mro_entries__ of another object")),
        },
        _ => Err(vm.unsupported("GenericAlias.__mro_entries__ of a subclass instance")),
    }
}
