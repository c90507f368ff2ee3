//! PEP 695's runtime objects, after CPython 3.12's `Objects/typevarobject.c` and the
//! type-parameter intrinsics of `Python/intrinsics.c`: `typing.TypeVar`,
//! `typing.ParamSpec`, `typing.TypeVarTuple` and `typing.TypeAliasType` as the
//! `def f[T]`, `class C[T]` and `type A = …` statements make them, and a function's
//! `__type_params__`.
//!
//! A bound, a constraints tuple and an alias's value are computed lazily: the compiler
//! made them functions (annotation scopes), called on first access of `__bound__`,
//! `__constraints__` or `__value__` from the accessing frame, so their frames and any
//! traceback are real ones; a result is kept, an exception is raised again next time
//! (CPython keeps `bound`/`value` NULL until a call succeeds).
//!
//! The `_typing` module (`modules::typing`) exposes these types and makes them by their
//! constructors (`TypeVar("T", bound=int)`); what CPython's C code asks of Lib/typing.py
//! (unions with `|`, substitution, `Generic[...]`) calls that module's functions as
//! `call_typing_func_object` does. `ParamSpec.args` and `.kwargs` are unsupported.

use std::cell::RefCell;
use std::rc::Rc;

use super::interp::Vm;
use super::object::Value;
use super::{PyResult, Throw};
use crate::oparg::BinaryOp;

/// Which of `typing`'s four PEP 695 types an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeParamKind {
    TypeVar,
    ParamSpec,
    TypeVarTuple,
    TypeAlias,
}

impl TypeParamKind {
    /// The type's `__name__` (its `__module__` is `typing`).
    pub fn type_name(self) -> &'static str {
        match self {
            TypeParamKind::TypeVar => "TypeVar",
            TypeParamKind::ParamSpec => "ParamSpec",
            TypeParamKind::TypeVarTuple => "TypeVarTuple",
            TypeParamKind::TypeAlias => "TypeAliasType",
        }
    }
}

/// A value computed on first use: nothing (`evaluate_bound == NULL`), the function that
/// computes it, or what it returned.
#[derive(Debug)]
pub enum Lazy {
    Absent,
    Evaluate(Value),
    Done(Value),
}

/// `typevarobject`, `paramspecobject`, `typevartupleobject` and `typealiasobject`.
#[derive(Debug)]
pub struct TypeParam {
    pub kind: TypeParamKind,
    pub name: Rc<str>,
    /// A TypeVar's bound or constraints, a TypeAliasType's value.
    pub lazy: RefCell<Lazy>,
    /// A TypeVar whose `lazy` computes its constraints (`T: (int, str)`).
    pub constrained: bool,
    /// A TypeAliasType's `__type_params__` (`None` when not generic) and `__module__`
    /// (a TypeVar's, ParamSpec's or TypeVarTuple's when its constructor made it, `None`
    /// when the intrinsics did: the type's `typing` then shows).
    pub type_params: RefCell<Value>,
    pub module: RefCell<Value>,
    /// The variance flags (`__covariant__`, `__contravariant__`, `__infer_variance__`);
    /// PEP 695's parameters infer their variance.
    pub covariant: bool,
    pub contravariant: bool,
    pub infer_variance: bool,
}

impl TypeParam {
    fn new(kind: TypeParamKind, name: Rc<str>, lazy: Lazy, constrained: bool) -> TypeParam {
        TypeParam {
            kind,
            name,
            lazy: RefCell::new(lazy),
            constrained,
            type_params: RefCell::new(Value::None),
            module: RefCell::new(Value::None),
            covariant: false,
            contravariant: false,
            infer_variance: true,
        }
    }

    /// A TypeVar, ParamSpec or TypeVarTuple as its constructor makes it (`typevar_alloc`
    /// and its kin): `lazy` holds the bound or constraints already computed, `module` is
    /// the caller's.
    #[allow(clippy::too_many_arguments)]
    pub fn constructed(
        kind: TypeParamKind,
        name: Rc<str>,
        lazy: Lazy,
        constrained: bool,
        covariant: bool,
        contravariant: bool,
        infer_variance: bool,
        module: Value,
    ) -> TypeParam {
        let mut t = TypeParam::new(kind, name, lazy, constrained);
        t.covariant = covariant;
        t.contravariant = contravariant;
        t.infer_variance = infer_variance;
        *t.module.get_mut() = module;
        t
    }

    /// A TypeAliasType made by its constructor (`typealias_new_impl`).
    pub fn alias(name: Rc<str>, value: Value, type_params: Value, module: Value) -> TypeParam {
        let t = TypeParam::new(TypeParamKind::TypeAlias, name, Lazy::Done(value), false);
        *t.type_params.borrow_mut() = type_params;
        *t.module.borrow_mut() = module;
        t
    }
}

impl super::gc::Clear for TypeParam {
    fn clear_into(&self, out: &mut Vec<Value>) {
        if let Ok(mut lazy) = self.lazy.try_borrow_mut() {
            match std::mem::replace(&mut *lazy, Lazy::Absent) {
                Lazy::Evaluate(v) | Lazy::Done(v) => out.push(v),
                Lazy::Absent => {}
            }
        }
        for slot in [&self.type_params, &self.module] {
            if let Ok(mut v) = slot.try_borrow_mut() {
                out.push(std::mem::take(&mut *v));
            }
        }
    }
}

pub fn alloc(t: TypeParam) -> Value {
    Value::TypeParam(super::gc::alloc(t))
}

fn name_of(vm: &Vm, v: &Value) -> PyResult<Rc<str>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(vm.bug("a type parameter's name is not a str")),
    }
}

/// INTRINSIC_TYPEVAR, INTRINSIC_PARAMSPEC, INTRINSIC_TYPEVARTUPLE (`_Py_make_typevar`
/// without bound, `_Py_make_paramspec`, `_Py_make_typevartuple`): PEP 695's parameters
/// infer their variance, and have no `__module__` of their own.
pub fn make(vm: &Vm, kind: TypeParamKind, name: &Value) -> PyResult<Value> {
    let name = name_of(vm, name)?;
    Ok(alloc(TypeParam::new(kind, name, Lazy::Absent, false)))
}

/// INTRINSIC_TYPEVAR_WITH_BOUND and INTRINSIC_TYPEVAR_WITH_CONSTRAINTS: `evaluate` is the
/// annotation scope computing the bound or the constraints tuple.
pub fn make_bounded(vm: &Vm, name: &Value, evaluate: Value, constrained: bool) -> PyResult<Value> {
    let name = name_of(vm, name)?;
    let t = TypeParam::new(
        TypeParamKind::TypeVar,
        name,
        Lazy::Evaluate(evaluate),
        constrained,
    );
    Ok(alloc(t))
}

/// INTRINSIC_TYPEALIAS (`_Py_make_typealias`): `args` is (name, type_params or None,
/// compute_value). The alias's `__module__` is the caller's (`caller()`): the running
/// frame's globals' `__name__` as it is now (not its function's `__module__`).
pub fn make_alias(vm: &mut Vm, args: &Value) -> PyResult<Value> {
    let Value::Tuple(items) = args else {
        return Err(vm.bug("INTRINSIC_TYPEALIAS without a tuple"));
    };
    let [name, type_params, compute] = &items[..] else {
        return Err(vm.bug("INTRINSIC_TYPEALIAS without three items"));
    };
    let name = name_of(vm, name)?;
    let module = vm.top()?.globals.get_str("__name__").unwrap_or(Value::None);
    let t = TypeParam::new(
        TypeParamKind::TypeAlias,
        name,
        Lazy::Evaluate(compute.clone()),
        false,
    );
    *t.type_params.borrow_mut() = type_params.clone();
    *t.module.borrow_mut() = module;
    Ok(alloc(t))
}

/// INTRINSIC_SET_FUNCTION_TYPE_PARAMS (`_Py_set_function_type_params`): the function
/// made in `<generic parameters of f>` gets the tuple as `__type_params__`.
pub fn set_function_type_params(vm: &Vm, func: Value, type_params: Value) -> PyResult<Value> {
    let Value::Function(f) = &func else {
        return Err(vm.bug("INTRINSIC_SET_FUNCTION_TYPE_PARAMS on a non-function"));
    };
    *f.type_params.borrow_mut() = type_params;
    Ok(func)
}

/// The lazily computed value, computing it now if needed; `absent` when there is none.
fn evaluated(vm: &mut Vm, t: &Rc<TypeParam>, absent: Value) -> PyResult<Value> {
    let evaluate = match &*t.lazy.borrow() {
        Lazy::Absent => return Ok(absent),
        Lazy::Done(v) => return Ok(v.clone()),
        Lazy::Evaluate(f) => f.clone(),
    };
    let v = vm.call0(&evaluate)?;
    *t.lazy.borrow_mut() = Lazy::Done(v.clone());
    Ok(v)
}

/// The attributes these objects keep in fields (`typevar_members`, `typevar_getset`, …);
/// `None` for the others, which the type (or the reach tables) answers.
pub fn attr(vm: &mut Vm, t: &Rc<TypeParam>, name: &str) -> PyResult<Option<Value>> {
    use TypeParamKind::*;
    let empty = || Value::tuple(Vec::new());
    Ok(Some(match (t.kind, name) {
        (_, "__name__") => Value::Str(t.name.clone()),
        (TypeVar | ParamSpec | TypeVarTuple, "__module__") => match t.module.borrow().clone() {
            Value::None => Value::str("typing"),
            m => m,
        },
        (TypeVar | ParamSpec, "__bound__") if !t.constrained => evaluated(vm, t, Value::None)?,
        (TypeVar, "__constraints__") if t.constrained => evaluated(vm, t, empty())?,
        (TypeVar | ParamSpec, "__bound__") => Value::None,
        (TypeVar, "__constraints__") => empty(),
        (TypeVar | ParamSpec, "__covariant__") => Value::Bool(t.covariant),
        (TypeVar | ParamSpec, "__contravariant__") => Value::Bool(t.contravariant),
        (TypeVar | ParamSpec, "__infer_variance__") => Value::Bool(t.infer_variance),
        (ParamSpec, "args" | "kwargs") => {
            return Err(vm.unsupported(format!("ParamSpec.{name} (typing.ParamSpecArgs)")))
        }
        (TypeAlias, "__value__") => evaluated(vm, t, Value::None)?,
        // typealias_parameters: `unpack_typevartuples` of the type parameters, which
        // wraps each TypeVarTuple in `typing.Unpack`.
        (TypeAlias, "__parameters__") => {
            let tp = t.type_params.borrow().clone();
            match tp {
                Value::None => empty(),
                tp => unpack_typevartuples(vm, &tp)?,
            }
        }
        (TypeAlias, "__type_params__") => match t.type_params.borrow().clone() {
            Value::None => empty(),
            tp => tp,
        },
        (TypeAlias, "__module__") => t.module.borrow().clone(),
        _ => return Ok(None),
    }))
}

/// `T | int` and `int | T` when no special method answered: a TypeVar's or ParamSpec's
/// `nb_or` (`make_union`) is `typing._make_union(left, right)`, whichever side it is on
/// (the other operand's slot declines a type parameter). A type alias's `|` makes a
/// `types.UnionType`, which is unsupported.
pub fn union(vm: &mut Vm, op: BinaryOp, a: &Value, b: &Value) -> Option<PyResult<Value>> {
    if op != BinaryOp::Or {
        return None;
    }
    let unionable = |v: &Value| matches!(v, Value::TypeParam(t) if matches!(t.kind, TypeParamKind::TypeVar | TypeParamKind::ParamSpec));
    if unionable(a) || unionable(b) {
        return Some(call_typing(vm, "_make_union", vec![a.clone(), b.clone()]));
    }
    let alias = |v: &Value| matches!(v, Value::TypeParam(t) if t.kind == TypeParamKind::TypeAlias);
    if alias(a) || alias(b) {
        return Some(Err(vm.unsupported(
            "a union with a type alias (types.UnionType of a TypeAliasType)",
        )));
    }
    None
}

/// `call_typing_func_object`: Lib/typing.py's function `name` (importing the module if
/// needed) called with `args`.
pub fn call_typing(vm: &mut Vm, name: &str, args: Vec<Value>) -> PyResult<Value> {
    call_typing_kw(vm, name, super::object::Args::new(args))
}

/// [`call_typing`] with keyword arguments (`call_typing_args_kwargs`).
pub fn call_typing_kw(vm: &mut Vm, name: &str, args: super::object::Args) -> PyResult<Value> {
    let typing = super::modules::pickle::import_module(vm, "typing")?;
    let func = vm.getattr(&typing, name)?;
    vm.call(&func, args)
}

/// `typing.Unpack[param]` (typevarobject.c's `unpack`).
pub fn unpack(vm: &mut Vm, param: &Value) -> PyResult<Value> {
    let typing = super::modules::pickle::import_module(vm, "typing")?;
    let unpack = vm.getattr(&typing, "Unpack")?;
    vm.getitem(&unpack, param)
}

/// `unpack_typevartuples`: the tuple with each TypeVarTuple wrapped in `typing.Unpack`
/// (the tuple itself when it has none).
pub fn unpack_typevartuples(vm: &mut Vm, params: &Value) -> PyResult<Value> {
    let Value::Tuple(items) = params else {
        return Ok(params.clone());
    };
    let is_tvt =
        |p: &Value| matches!(p, Value::TypeParam(p) if p.kind == TypeParamKind::TypeVarTuple);
    if !items.iter().any(is_tvt) {
        return Ok(params.clone());
    }
    let mut out = Vec::with_capacity(items.len());
    for p in items.iter() {
        out.push(if is_tvt(p) { unpack(vm, p)? } else { p.clone() });
    }
    Ok(Value::tuple(out))
}

/// Setting or deleting an attribute: these objects have a managed `__dict__` beside
/// read-only members, which the VM does not model.
pub fn attr_write(vm: &Vm, t: &TypeParam) -> Throw {
    vm.unsupported(format!(
        "setting or deleting an attribute of a typing.{}",
        t.kind.type_name()
    ))
}

/// `repr()` (`typevar_repr`, `paramspec_repr`): a parameter that infers its variance
/// (as PEP 695's do) shows as its bare name, else prefixed `+`, `-` or `~`; TypeVarTuples
/// and aliases show their names.
pub fn repr(t: &TypeParam) -> String {
    let variant = matches!(t.kind, TypeParamKind::TypeVar | TypeParamKind::ParamSpec);
    if !variant || t.infer_variance {
        return t.name.to_string();
    }
    let prefix = if t.covariant {
        '+'
    } else if t.contravariant {
        '-'
    } else {
        '~'
    };
    format!("{prefix}{}", t.name)
}
