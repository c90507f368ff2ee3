//! `_typing` (CPython 3.12 `Modules/_typingmodule.c`): `_idfunc` and the types of
//! `Objects/typevarobject.c`, which Lib/typing.py re-exports: `TypeVar`, `ParamSpec`,
//! `TypeVarTuple`, `TypeAliasType` (the VM's PEP 695 objects, `typevars`), `ParamSpecArgs`,
//! `ParamSpecKwargs` and `Generic`. Their constructors and methods are here; what the C
//! code asks of Lib/typing.py (`_type_check`, `_typevar_subst`, `_generic_class_getitem`,
//! …) is called there (`typevars::call_typing`), as `call_typing_func_object` does.
//! `ParamSpec.args` and `.kwargs`, whose objects compare by their origin, are unsupported.

use std::rc::Rc;

use super::super::argspec;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::typevars::{self, Lazy, TypeParam, TypeParamKind};
use super::super::PyResult;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "_typing", &[("_idfunc", idfunc)]);
    for name in [
        "TypeVar",
        "ParamSpec",
        "ParamSpecArgs",
        "ParamSpecKwargs",
        "TypeVarTuple",
        "TypeAliasType",
        "Generic",
    ] {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
}

/// `_idfunc(x, /)`: `x` (NewType's `__call__`).
fn idfunc(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("_typing._idfunc() takes no keyword arguments"));
    }
    match &args.pos[..] {
        [x] => Ok(x.clone()),
        _ => Err(vm.type_error(format!(
            "_typing._idfunc() takes exactly one argument ({} given)",
            args.pos.len()
        ))),
    }
}

/// The methods of the types (`typevar_methods`, `paramspec_methods`, …).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("TypeVar", "__typing_subst__", typevar_subst),
    ("TypeVar", "__reduce__", reduce),
    ("TypeVar", "__mro_entries__", mro_entries),
    ("TypeVar", "__or__", or),
    ("TypeVar", "__ror__", ror),
    ("ParamSpec", "__typing_subst__", paramspec_subst),
    (
        "ParamSpec",
        "__typing_prepare_subst__",
        paramspec_prepare_subst,
    ),
    ("ParamSpec", "__reduce__", reduce),
    ("ParamSpec", "__mro_entries__", mro_entries),
    ("ParamSpec", "__or__", or),
    ("ParamSpec", "__ror__", ror),
    ("TypeVarTuple", "__typing_subst__", typevartuple_subst),
    (
        "TypeVarTuple",
        "__typing_prepare_subst__",
        typevartuple_prepare_subst,
    ),
    ("TypeVarTuple", "__reduce__", reduce),
    ("TypeVarTuple", "__mro_entries__", mro_entries),
    ("TypeAliasType", "__reduce__", reduce),
    ("TypeAliasType", "__getitem__", alias_getitem),
];

/// `Generic`'s `METH_CLASS` methods.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("Generic", "__class_getitem__", generic_class_getitem),
    ("Generic", "__init_subclass__", generic_init_subclass),
];

/// The object a method was called on, as one of these objects.
fn me(vm: &Vm, args: &Args) -> PyResult<Rc<TypeParam>> {
    match args.pos.first() {
        Some(Value::TypeParam(t)) => Ok(t.clone()),
        _ => Err(vm.bug("a typing method without its object")),
    }
}

/// The receiver and exactly `n` more positional arguments of a method (`METH_O` or a
/// clinic method with positional parameters): `owner.name() takes …` otherwise.
fn method_args(vm: &Vm, args: &Args, name: &str, params: &[&str]) -> PyResult<Vec<Value>> {
    let t = me(vm, args)?;
    let owner = t.kind.type_name();
    let style = if params.len() == 1 {
        argspec::Style::O
    } else {
        argspec::Style::Positional
    };
    let bound =
        argspec::Spec::method(owner, name, style, params, params.len()).parse(vm, args, 1)?;
    Ok(bound.into_iter().map(argspec::required).collect())
}

/// `typevar.__typing_subst__(arg)`: `typing._typevar_subst(self, arg)`.
fn typevar_subst(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = method_args(vm, &args, "__typing_subst__", &["arg"])?;
    typevars::call_typing(
        vm,
        "_typevar_subst",
        vec![args.pos[0].clone(), a[0].clone()],
    )
}

/// `paramspec.__typing_subst__(arg)`: `typing._paramspec_subst(self, arg)`.
fn paramspec_subst(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = method_args(vm, &args, "__typing_subst__", &["arg"])?;
    typevars::call_typing(
        vm,
        "_paramspec_subst",
        vec![args.pos[0].clone(), a[0].clone()],
    )
}

/// `paramspec.__typing_prepare_subst__(alias, args)`.
fn paramspec_prepare_subst(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = method_args(vm, &args, "__typing_prepare_subst__", &["alias", "args"])?;
    let mut call = vec![args.pos[0].clone()];
    call.extend(a);
    typevars::call_typing(vm, "_paramspec_prepare_subst", call)
}

/// `typevartuple.__typing_subst__(arg)`: always a TypeError.
fn typevartuple_subst(vm: &mut Vm, args: Args) -> PyResult<Value> {
    method_args(vm, &args, "__typing_subst__", &["arg"])?;
    Err(vm.type_error("Substitution of bare TypeVarTuple is not supported"))
}

/// `typevartuple.__typing_prepare_subst__(alias, args)`.
fn typevartuple_prepare_subst(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = method_args(vm, &args, "__typing_prepare_subst__", &["alias", "args"])?;
    let mut call = vec![args.pos[0].clone()];
    call.extend(a);
    typevars::call_typing(vm, "_typevartuple_prepare_subst", call)
}

/// `__reduce__()`: the name, so pickling finds the object as a module attribute.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args)?;
    argspec::no_args(vm, &args, t.kind.type_name(), "__reduce__")?;
    Ok(Value::Str(t.name.clone()))
}

/// `__mro_entries__(bases)`: these cannot be bases.
fn mro_entries(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = me(vm, &args)?;
    method_args(vm, &args, "__mro_entries__", &["bases"])?;
    Err(vm.type_error(format!(
        "Cannot subclass an instance of {}",
        t.kind.type_name()
    )))
}

/// `nb_or` as `__or__` (`wrap_binaryfunc_l`): `typing._make_union(self, other)`.
fn or(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = wrapper_operand(vm, &args, "__or__")?;
    typevars::call_typing(vm, "_make_union", vec![args.pos[0].clone(), a])
}

/// `__ror__` (`wrap_binaryfunc_r`): `typing._make_union(other, self)`.
fn ror(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let a = wrapper_operand(vm, &args, "__ror__")?;
    typevars::call_typing(vm, "_make_union", vec![a, args.pos[0].clone()])
}

/// A binary slot wrapper's one operand (`check_num_args`).
fn wrapper_operand(vm: &Vm, args: &Args, name: &str) -> PyResult<Value> {
    me(vm, args)?;
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    match &args.pos[1..] {
        [x] => Ok(x.clone()),
        rest => Err(vm.type_error(format!("expected 1 argument, got {}", rest.len()))),
    }
}

/// `TypeAliasType.__getitem__` (`mp_subscript` through its wrapper).
fn alias_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    me(vm, &args)?;
    let a = method_args(vm, &args, "__getitem__", &["key"])?;
    alias_subscript(vm, &args.pos[0], &a[0])
}

/// `typealias_subscript`: a generic alias subscripted is a `types.GenericAlias`.
pub fn alias_subscript(vm: &mut Vm, alias: &Value, key: &Value) -> PyResult<Value> {
    let generic = match alias {
        Value::TypeParam(t) => {
            matches!(&*t.type_params.borrow(), Value::Tuple(items) if !items.is_empty())
        }
        _ => false,
    };
    if !generic {
        return Err(vm.type_error("Only generic type aliases are subscriptable"));
    }
    Ok(super::super::genericalias::alias(alias.clone(), key))
}

/// `Generic.__class_getitem__(params)`: `typing._generic_class_getitem(cls, params)`.
fn generic_class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("Generic.__class_getitem__() takes no keyword arguments"));
    }
    if args.pos.len() != 2 {
        return Err(vm.type_error(format!(
            "Generic.__class_getitem__() takes exactly one argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    typevars::call_typing(vm, "_generic_class_getitem", args.pos)
}

/// `Generic.__init_subclass__(*args, **kwargs)`:
/// `typing._generic_init_subclass(cls, *args, **kwargs)`.
fn generic_init_subclass(vm: &mut Vm, args: Args) -> PyResult<Value> {
    typevars::call_typing_kw(vm, "_generic_init_subclass", args)
}

/// The constructors: `TypeVar(...)`, `ParamSpec(...)`, `TypeVarTuple(name)`,
/// `TypeAliasType(name, value, *, type_params=())`; `ParamSpecArgs(origin)` and
/// `ParamSpecKwargs(origin)` are unsupported, and `Generic()` makes a plain instance.
pub fn construct(vm: &mut Vm, t: &Rc<super::super::types::Type>, args: Args) -> PyResult<Value> {
    let kind = match &*t.name() {
        "typing.TypeVar" => TypeParamKind::TypeVar,
        "typing.ParamSpec" => TypeParamKind::ParamSpec,
        "typing.TypeVarTuple" => TypeParamKind::TypeVarTuple,
        "typing.TypeAliasType" => return alias_new(vm, args),
        "typing.Generic" => return Err(vm.unsupported("calling typing.Generic")),
        name => return Err(vm.unsupported(format!("calling {name} (its constructor)"))),
    };
    // Argument Clinic's names (`typevar`, `paramspec`, `typevartuple`): `name` by
    // position or keyword, the rest keyword-only; TypeVar's other positional arguments
    // are its `*constraints`.
    let (clinic, params): (&str, &[&str]) = match kind {
        TypeParamKind::TypeVar => ("typevar", &FLAGGED),
        TypeParamKind::ParamSpec => ("paramspec", &FLAGGED),
        _ => ("typevartuple", &["name"]),
    };
    let mut args = args;
    let extra: Vec<Value> = if kind == TypeParamKind::TypeVar && args.pos.len() > 1 {
        args.pos.split_off(1)
    } else {
        Vec::new()
    };
    // `_PyArg_UnpackKeywordsWithVararg` reads a `name=` beside a positional name so.
    if kind == TypeParamKind::TypeVar
        && !args.pos.is_empty()
        && args.kw.iter().any(|(k, _)| &**k == "name")
    {
        return Err(vm.type_error("invalid keyword argument for typevar()"));
    }
    let mut values = argspec::Spec::function(clinic, argspec::Style::Keywords, params, 1)
        .keywords(0, 1)
        .parse(vm, &args, 0)?;
    let name = match values[0].take() {
        Some(Value::Str(s)) => s,
        other => {
            let tn = vm.type_of(&argspec::required(other)).name().clone();
            return Err(vm.type_error(format!("{clinic}() argument 'name' must be str, not {tn}")));
        }
    };
    let module = caller_module(vm)?;
    if kind == TypeParamKind::TypeVarTuple {
        let tp =
            TypeParam::constructed(kind, name, Lazy::Absent, false, false, false, false, module);
        return Ok(typevars::alloc(tp));
    }
    let mut flag = |i: usize| -> PyResult<bool> {
        match values[i].take() {
            Some(v) => vm.truthy(&v),
            None => Ok(false),
        }
    };
    let covariant = flag(2)?;
    let contravariant = flag(3)?;
    let infer_variance = flag(4)?;
    if covariant && contravariant {
        return Err(vm.value_error("Bivariant types are not supported."));
    }
    if infer_variance && (covariant || contravariant) {
        return Err(vm.value_error("Variance cannot be specified with infer_variance."));
    }
    // `type_check`: None is NoneType, anything else goes through typing._type_check.
    // TypeVar drops a None bound first; ParamSpec's default bound is None, so checked.
    let bound = match values[1].take() {
        None | Some(Value::None) if kind == TypeParamKind::ParamSpec => {
            Some(Value::Type(vm.ty("NoneType")))
        }
        None | Some(Value::None) => None,
        Some(b) => Some(typevars::call_typing(
            vm,
            "_type_check",
            vec![b, Value::str("Bound must be a type.")],
        )?),
    };
    let (lazy, constrained) = match (extra.len(), bound) {
        (1, _) => return Err(vm.type_error("A single constraint is not allowed")),
        (0, None) => (Lazy::Absent, false),
        (0, Some(b)) => (Lazy::Done(b), false),
        (_, Some(_)) => return Err(vm.type_error("Constraints cannot be combined with bound=...")),
        (_, None) => (Lazy::Done(Value::tuple(extra)), true),
    };
    let tp = TypeParam::constructed(
        kind,
        name,
        lazy,
        constrained,
        covariant,
        contravariant,
        infer_variance,
        module,
    );
    Ok(typevars::alloc(tp))
}

/// The parameters of TypeVar's and ParamSpec's constructors after the name.
const FLAGGED: [&str; 5] = [
    "name",
    "bound",
    "covariant",
    "contravariant",
    "infer_variance",
];

/// `caller()`: the module of the function running the call, as the type-parameter
/// intrinsics read it (`typevars::make_alias`).
fn caller_module(vm: &mut Vm) -> PyResult<Value> {
    Ok(vm.top()?.globals.get_str("__name__").unwrap_or(Value::None))
}

/// `TypeAliasType(name, value, *, type_params=None)` (`typealias_new_impl`).
fn alias_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, value, type_params] = argspec::Spec::function(
        "typealias",
        argspec::Style::Keywords,
        &["name", "value", "type_params"],
        2,
    )
    .keywords(0, 2)
    .bind::<3>(vm, &args, 0)?;
    let Some(Value::Str(name)) = name else {
        let tn = vm.type_of(&argspec::required(name)).name().clone();
        return Err(vm.type_error(format!("typealias() argument 'name' must be str, not {tn}")));
    };
    let type_params = match type_params {
        None | Some(Value::None) => Value::None,
        Some(tp @ Value::Tuple(_)) => tp,
        Some(_) => return Err(vm.type_error("type_params must be a tuple")),
    };
    let module = caller_module(vm)?;
    let tp = TypeParam::alias(name, argspec::required(value), type_params, module);
    Ok(typevars::alloc(tp))
}
