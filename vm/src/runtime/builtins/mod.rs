//! The `builtins` module (spec: namespaces.builtins): functions, the built-in types, and
//! `__build_class__`. Calls of the built-in types are in `constructors`.

pub(crate) mod constructors;
pub mod exec;
pub mod numeric;

pub use constructors::construct;

use std::cell::RefCell;
use std::rc::Rc;

use super::argspec::{required, Spec, Style};
use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, Builtin, Iter, IterState, Module, Native, NativeFn, Value};
use super::protocol::IterStep;
use super::types::{Type, Types};
use super::{PyResult, Throw};
use crate::oparg::{BinaryOp, CompareOp};

pub fn builtin(name: &'static str, func: NativeFn) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name,
        owner: None,
        func,
        module: Some("builtins"),
    }))
}

pub fn install(vm: &mut Vm) {
    let b = vm.builtins.clone();
    let fns: &[(&'static str, NativeFn)] = &[
        ("print", print),
        ("repr", repr),
        ("len", len),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("globals", globals),
        ("locals", locals),
        ("vars", vars),
        ("id", id),
        ("hash", hash),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("sorted", sorted),
        ("min", min),
        ("max", max),
        ("sum", sum),
        ("abs", numeric::abs),
        ("iter", iter),
        ("next", next),
        ("any", any),
        ("all", all),
        ("chr", chr),
        ("ord", ord),
        ("divmod", numeric::divmod),
        ("pow", numeric::pow),
        ("round", numeric::round),
        ("callable", callable),
        ("hex", numeric::hex),
        ("oct", numeric::oct),
        ("bin", numeric::bin),
        ("format", format),
        ("ascii", ascii),
        ("dir", dir),
        ("input", input),
        ("open", open),
        ("__build_class__", super::classes::build_class),
        ("__import__", import),
        ("compile", exec::compile),
        ("exec", exec::exec),
        ("eval", exec::eval),
    ];
    for &(name, f) in fns {
        b.set_str(name, builtin(name, f));
    }
    for name in [
        "int",
        "float",
        "complex",
        "str",
        "bool",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "range",
        "slice",
        "type",
        "object",
        "enumerate",
        "zip",
        "map",
        "filter",
        "reversed",
        "property",
        "staticmethod",
        "classmethod",
        "bytes",
        "super",
        "memoryview",
        "bytearray",
    ] {
        b.set_str(name, Value::Type(vm.ty(name)));
    }
    for name in Types::exception_names() {
        b.set_str(name, Value::Type(vm.ty(name)));
    }
    // bltinmodule.c's aliases of OSError, and `__debug__` (no -O).
    b.set_str("EnvironmentError", Value::Type(vm.ty("OSError")));
    b.set_str("IOError", Value::Type(vm.ty("OSError")));
    b.set_str("__debug__", Value::Bool(true));
    for (name, f) in [
        ("aiter", not_yet as NativeFn),
        ("anext", not_yet),
        ("breakpoint", not_yet),
    ] {
        b.set_str(name, builtin(name, f));
    }
    b.set_str("None", Value::None);
    b.set_str("True", Value::Bool(true));
    b.set_str("False", Value::Bool(false));
    b.set_str("NotImplemented", Value::NotImplemented);
    b.set_str("Ellipsis", Value::Ellipsis);
    b.set_str("__name__", Value::str("builtins"));
    b.set_str("__doc__", Value::None);
    // Set by importlib's `_setup` (see `import`).
    b.set_str("__package__", Value::None);
    b.set_str("__loader__", Value::None);
    b.set_str("__spec__", Value::None);
    let module = Module {
        name: Rc::from("builtins"),
        dict: b.clone(),
        file: None,
    };
    vm.modules
        .set_str("builtins", Value::Module(Rc::new(module)));
}

/// `aiter`, `anext` and `breakpoint`: present, as in CPython's builtins, and not yet
/// implemented.
fn not_yet(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("the builtins aiter, anext and breakpoint"))
}

/// Checks a builtin function's arguments: no keywords, `min..=max` positional ones, with
/// the messages of CPython's `METH_O` (`min == max == 1`) or positional-only Argument
/// Clinic functions ([`Style::O`], [`Style::Positional`]).
pub fn arity(vm: &Vm, args: &Args, name: &str, min: usize, max: usize) -> PyResult<()> {
    const NAMES: [&str; 8] = ["", "", "", "", "", "", "", ""];
    let style = if min == 1 && max == 1 {
        Style::O
    } else {
        Style::Positional
    };
    Spec::function(name, style, &NAMES[..max.min(NAMES.len())], min)
        .parse(vm, args, 0)
        .map(|_| ())
}

/// How CPython's argument errors name an argument's type (`_PyArg_BadArgument`): `None`
/// for None, else the type's name.
pub fn type_name_of_arg(vm: &Vm, v: &Value) -> String {
    match v {
        Value::None => "None".to_owned(),
        other => vm.type_of(other).name().to_string(),
    }
}

/// An argument CPython converts with `PyNumber_Index`: an int of any size (a bool
/// included), an object's `__index__`, else a TypeError.
fn int_value(vm: &mut Vm, v: &Value, what: &str) -> PyResult<crate::arith::Num> {
    match vm.try_index(v)?.as_ref().and_then(super::int::int_num) {
        Some(n) => Ok(n),
        None => Err(vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer{what}",
            vm.type_of(v).name()
        ))),
    }
}

/// Writes to sys.stdout / sys.stderr, or calls `file.write`.
pub fn write_to(vm: &mut Vm, file: &Value, text: &str) -> PyResult<()> {
    if let Value::Object(o) = file {
        if let Some(Value::Int(stream)) = o.dict.get_str("_framespec_stream") {
            // `sys.stdin` is opened for reading (`_io__Buffered_write_impl`'s refusal).
            if stream == 0 {
                return Err(crate::runtime::modules::io::unsupported_operation(
                    vm,
                    "not writable",
                ));
            }
            // A lone surrogate is written as the stream's error handler writes it.
            let text = match super::standins::has(text) {
                true => std::borrow::Cow::Owned(super::textcodec::std_stream_text(
                    vm,
                    text,
                    stream == 2,
                )?),
                false => std::borrow::Cow::Borrowed(text),
            };
            if stream == 2 {
                vm.stderr.push_str(&text);
            } else {
                vm.stdout.push_str(&text);
            }
            return Ok(());
        }
    }
    let write = vm.getattr(file, "write")?;
    vm.call1(&write, Value::str(text))?;
    Ok(())
}

fn print(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let sep = args.take_kw("sep").unwrap_or(Value::None);
    let end = args.take_kw("end").unwrap_or(Value::None);
    let file = args.take_kw("file").unwrap_or(Value::None);
    let flush = args.take_kw("flush");
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for print()")));
    }
    // The `bool` converter of the argument clinic: read before anything is written.
    let flush = match flush {
        Some(f) => vm.truthy(&f)?,
        None => false,
    };
    let sep = match sep {
        Value::None => " ".to_owned(),
        Value::Str(s) => s.to_string(),
        other => {
            return Err(vm.type_error(format!(
                "sep must be None or a string, not {}",
                vm.type_of(&other).name()
            )))
        }
    };
    let end = match end {
        Value::None => "\n".to_owned(),
        Value::Str(s) => s.to_string(),
        other => {
            return Err(vm.type_error(format!(
                "end must be None or a string, not {}",
                vm.type_of(&other).name()
            )))
        }
    };
    let mut out = String::new();
    for (i, v) in args.pos.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&vm.str_of(v)?);
        // The separator can make the line far larger than the arguments.
        vm.check_heap()?;
    }
    out.push_str(&end);
    let file = match file {
        Value::None => super::sysmod::sys_attr(vm, "stdout"),
        f => f,
    };
    write_to(vm, &file, &out)?;
    if flush {
        let f = vm.getattr(&file, "flush")?;
        vm.call0(&f)?;
    }
    Ok(Value::None)
}

fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "repr", 1, 1)?;
    Ok(Value::str(&vm.repr(&args.pos[0])?))
}

/// `ascii(obj)`: `repr(obj)` with the non-ASCII characters escaped.
fn ascii(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "ascii", 1, 1)?;
    Ok(Value::str(&vm.ascii(&args.pos[0])?))
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "len", 1, 1)?;
    Ok(Value::Int(vm.len(&args.pos[0])? as i64))
}

/// `PyObject_IsSubclass(cls, spec)` for a class `cls`.
pub fn is_subclass(vm: &mut Vm, cls: &Rc<Type>, spec: &Value) -> PyResult<bool> {
    class_check(vm, &Value::Type(cls.clone()), cls, spec, "issubclass")
}

/// `PyObject_IsInstance` / `PyObject_IsSubclass`: `subject` is the object (isinstance)
/// or the class (issubclass), `t` its type or itself. A metaclass's own
/// `__instancecheck__` / `__subclasscheck__` decides for its classes (after the exact-type
/// shortcut of isinstance), and an instance's class's for an instance that is not a class
/// (`_PyObject_LookupSpecial(cls, …)`: Lib/typing.py's special forms); a union checks each
/// of its members.
fn class_check(
    vm: &mut Vm,
    subject: &Value,
    t: &Rc<Type>,
    spec: &Value,
    fname: &str,
) -> PyResult<bool> {
    match spec {
        Value::Type(c) => {
            let instance = fname == "isinstance";
            if instance && Rc::ptr_eq(t, c) {
                return Ok(true);
            }
            let hook = if instance {
                "__instancecheck__"
            } else {
                "__subclasscheck__"
            };
            let custom = c
                .meta
                .as_ref()
                .and_then(|m| m.lookup(hook))
                .filter(|f| !matches!(f, Value::Builtin(_)));
            if let Some(f) = custom {
                let r = vm.call(&f, Args::new(vec![spec.clone(), subject.clone()]))?;
                return vm.truthy(&r);
            }
            if instance
                && !t.is_subtype(c)
                && crate::runtime::weakproxy::as_proxy(subject).is_some()
            {
                // `object_isinstance`: the instance's `__class__` where it is another
                // class than its type, as a weakref proxy's (its referent's) is.
                if let Value::Type(k) = vm.getattr(subject, "__class__")? {
                    return Ok(!Rc::ptr_eq(&k, t) && k.is_subtype(c));
                }
            }
            Ok(t.is_subtype(c))
        }
        // `check_class` reads a weakref proxy's `__bases__` from its referent, and
        // `abstract_issubclass` walks them: the VM has no such walk.
        Value::Native(_) if crate::runtime::weakproxy::as_proxy(spec).is_some() => Err(vm
            .unsupported(format!(
                "{fname}() with a weakref proxy as its second argument"
            ))),
        Value::Native(n) => match &**n {
            Native::Union(u) => {
                for member in u.args.clone().iter() {
                    if class_check(vm, subject, t, member, fname)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Native::GenericAlias(_) => Err(vm.type_error(format!(
                "{fname}() argument 2 cannot be a parameterized generic"
            ))),
            _ => Err(vm.type_error(if fname == "issubclass" {
                "issubclass() arg 2 must be a class, a tuple of classes, or a union".to_owned()
            } else {
                format!("{fname}() arg 2 must be a type, a tuple of types, or a union")
            })),
        },
        Value::Tuple(items) => {
            for i in items.iter() {
                if class_check(vm, subject, t, i, fname)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Object(_) => {
            let hook = if fname == "isinstance" {
                "__instancecheck__"
            } else {
                "__subclasscheck__"
            };
            if let Some(f) = vm.special(spec, hook) {
                let r = vm.call(&f, Args::new(vec![spec.clone(), subject.clone()]))?;
                return vm.truthy(&r);
            }
            // `check_class`: an object with a `__bases__` tuple passes for a class.
            match vm.getattr(spec, "__bases__") {
                Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {}
                Err(e) => return Err(e),
                Ok(_) => {
                    return Err(vm.unsupported(format!(
                        "{fname}() with an object that has __bases__ as its second argument"
                    )))
                }
            }
            Err(vm.type_error(if fname == "issubclass" {
                "issubclass() arg 2 must be a class, a tuple of classes, or a union".to_owned()
            } else {
                format!("{fname}() arg 2 must be a type, a tuple of types, or a union")
            }))
        }
        _ if fname == "issubclass" => {
            Err(vm.type_error("issubclass() arg 2 must be a class, a tuple of classes, or a union"))
        }
        _ => Err(vm.type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "isinstance", 2, 2)?;
    let t = vm.type_of(&args.pos[0]);
    Ok(Value::Bool(class_check(
        vm,
        &args.pos[0],
        &t,
        &args.pos[1],
        "isinstance",
    )?))
}

fn issubclass(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "issubclass", 2, 2)?;
    if crate::runtime::weakproxy::as_proxy(&args.pos[0]).is_some() {
        // `check_class` would take the referent's `__bases__` (see `class_check`).
        return Err(vm.unsupported("issubclass() of a weakref proxy"));
    }
    let Value::Type(t) = &args.pos[0] else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    Ok(Value::Bool(class_check(
        vm,
        &args.pos[0],
        t,
        &args.pos[1],
        "issubclass",
    )?))
}

/// spec: namespaces.globals.identity
fn globals(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function("globals", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(Value::Dict(vm.top()?.globals.clone()))
}

/// spec: namespaces.locals.function, namespaces.locals.module
fn locals(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function("locals", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    let f = vm.top()?;
    if let Some(m) = &f.locals_mapping {
        return Ok(m.clone());
    }
    Ok(Value::Dict(f.fast_to_locals()))
}

fn vars(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "vars", 0, 1)?;
    if args.pos.is_empty() {
        return locals(vm, args);
    }
    match vm.getattr(&args.pos[0], "__dict__") {
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
            Err(vm.type_error("vars() argument must have __dict__ attribute"))
        }
        other => other,
    }
}

fn id(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "id", 1, 1)?;
    Ok(Value::Int(args.pos[0].address() as i64))
}

/// `hash(v)` (`PyObject_Hash`). For an instance of a user class: the first class in the
/// MRO that defines `__hash__` decides (None makes it unhashable), and a class that defines
/// `__eq__` without `__hash__` got `__hash__ = None` when it was created (`type_new`);
/// `__hash__`'s result must be an int and -1 becomes -2 (`slot_tp_hash`).
fn hash(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "hash", 1, 1)?;
    Ok(Value::Int(vm.hash_value(&args.pos[0])?))
}

/// An attribute name argument, which must be a str.
pub(crate) fn attr_name(vm: &Vm, v: &Value) -> PyResult<Rc<str>> {
    match v.builtin_value() {
        Value::Str(s) => Ok(s.clone()),
        other => Err(vm.type_error(format!(
            "attribute name must be string, not '{}'",
            vm.type_of(other).name()
        ))),
    }
}

fn getattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "getattr", 2, 3)?;
    let name = attr_name(vm, &args.pos[1])?;
    match vm.getattr(&args.pos[0], &name) {
        Err(Throw::Exc(e)) if args.pos.len() == 3 && vm.is_instance_of(&e, "AttributeError") => {
            Ok(args.pos[2].clone())
        }
        other => other,
    }
}

fn setattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "setattr", 3, 3)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.setattr(&args.pos[0], &name, args.pos[2].clone())?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "hasattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    match vm.getattr(&args.pos[0], &name) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn delattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "delattr", 2, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.delattr(&args.pos[0], &name)?;
    Ok(Value::None)
}

/// A stable merge sort whose comparisons may raise.
pub fn sort_values(
    vm: &mut Vm,
    items: Vec<Value>,
    key: &Value,
    reverse: bool,
) -> PyResult<Vec<Value>> {
    let mut keyed = Vec::with_capacity(items.len());
    for v in items {
        let k = if key.is_none() {
            v.clone()
        } else {
            vm.call1(key, v.clone())?
        };
        keyed.push((k, v));
    }
    // CPython's pre-sort check: keys all of one (non-tuple) type are compared through the
    // type's own comparison (`unsafe_object_compare`), which takes no C recursion unit;
    // otherwise each comparison is a full rich comparison.
    let first_type = keyed.first().map(|(k, _)| vm.type_of(k));
    let direct = match &first_type {
        Some(t) => {
            !matches!(keyed[0].0, Value::Tuple(_))
                && keyed.iter().all(|(k, _)| Rc::ptr_eq(&vm.type_of(k), t))
        }
        None => false,
    };
    let less = move |vm: &mut Vm, a: &Value, b: &Value| -> PyResult<bool> {
        let r = if direct {
            vm.compare_unguarded(CompareOp::Lt, a, b)?
        } else {
            vm.compare(CompareOp::Lt, a, b)?
        };
        vm.truthy(&r)
    };
    // Bottom-up merge sort; `reverse` keeps stability like CPython (reverse, sort, reverse).
    if reverse {
        keyed.reverse();
    }
    let mut width = 1;
    let n = keyed.len();
    while width < n {
        let mut out = Vec::with_capacity(n);
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut a, mut b) = (i, mid);
            while a < mid && b < end {
                if less(vm, &keyed[b].0, &keyed[a].0)? {
                    out.push(keyed[b].clone());
                    b += 1;
                } else {
                    out.push(keyed[a].clone());
                    a += 1;
                }
            }
            out.extend_from_slice(&keyed[a..mid]);
            out.extend_from_slice(&keyed[b..end]);
            i = end;
        }
        keyed = out;
        width *= 2;
    }
    if reverse {
        keyed.reverse();
    }
    Ok(keyed.into_iter().map(|(_, v)| v).collect())
}

fn sorted(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let reverse = args.take_kw("reverse").unwrap_or(Value::Bool(false));
    if args.pos.len() != 1 {
        return Err(vm.type_error(format!(
            "sorted expected 1 argument, got {}",
            args.pos.len()
        )));
    }
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for sort()")));
    }
    // `PySequence_List`, through `list_extend`.
    let items = vm.collect_hinted(&args.pos[0])?;
    let reverse = vm.truthy(&reverse)?;
    Ok(Value::list(sort_values(vm, items, &key, reverse)?))
}

/// `min_max` (bltinmodule.c): one iterable or several positional arguments, a key called
/// on each item as it comes (interleaved with the iteration's own side effects), the
/// first of equal items kept.
fn min_max(vm: &mut Vm, mut args: Args, name: &str, want: CompareOp) -> PyResult<Value> {
    let key = args.take_kw("key").unwrap_or(Value::None);
    let default = args.take_kw("default");
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for {name}()")));
    }
    let (positional, it) = match args.pos.len() {
        0 => return Err(vm.type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => (false, vm.iter(&args.pos[0])?),
        _ => (true, vm.iter(&Value::tuple(args.pos.clone()))?),
    };
    if positional && default.is_some() {
        return Err(vm.type_error(format!(
            "Cannot specify a default for {name}() with multiple positional arguments"
        )));
    }
    let mut best: Option<(Value, Value)> = None;
    while let Some(v) = vm.next(&it)? {
        let k = if key.is_none() {
            v.clone()
        } else {
            vm.call1(&key, v.clone())?
        };
        best = match best {
            None => Some((k, v)),
            Some((bk, bv)) => {
                let r = vm.compare(want, &k, &bk)?;
                if vm.truthy(&r)? {
                    Some((k, v))
                } else {
                    Some((bk, bv))
                }
            }
        };
    }
    match (best, default) {
        (Some((_, v)), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(vm.value_error(format!("{name}() iterable argument is empty"))),
    }
}

fn min(vm: &mut Vm, args: Args) -> PyResult<Value> {
    min_max(vm, args, "min", CompareOp::Lt)
}

fn max(vm: &mut Vm, args: Args) -> PyResult<Value> {
    min_max(vm, args, "max", CompareOp::Gt)
}

fn sum(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, start] = Spec::function("sum", Style::Keywords, &["iterable", "start"], 1)
        .keywords(1, 2)
        .bind(vm, &args, 0)?;
    let mut acc = start.unwrap_or(Value::Int(0));
    // `PyUnicode_Check`, `PyBytes_Check`, `PyByteArray_Check`: subclasses too.
    match acc.builtin_value() {
        Value::Str(_) => {
            return Err(vm.type_error("sum() can't sum strings [use ''.join(seq) instead]"))
        }
        Value::Bytes(_) => {
            return Err(vm.type_error("sum() can't sum bytes [use b''.join(seq) instead]"))
        }
        v if crate::runtime::bytearray::as_bytearray(v).is_some() => {
            return Err(vm.type_error("sum() can't sum bytearray [use b''.join(seq) instead]"))
        }
        _ => {}
    }
    // `builtin_sum_impl`'s phases: machine ints while the start is an exact int and the
    // items are ints or bools, then (if the total is a float by then) floats with
    // Neumaier's compensated summation, then the `+` operator for the rest. The phases
    // only run forward.
    // Each item is taken as the sum goes (`PyIter_Next`), so the iteration's side effects
    // interleave with the additions'.
    let it = vm.iter(&required(iterable))?;
    if matches!(acc, Value::Int(_)) {
        while let Some(item) = vm.next(&it)? {
            let v = &item;
            let b = match v {
                Value::Int(b) => Some(*b),
                Value::Bool(b) => Some(i64::from(*b)),
                _ => None,
            };
            if let (Value::Int(a), Some(b)) = (&acc, b) {
                if let Some(s) = a.checked_add(b) {
                    acc = Value::Int(s);
                    continue;
                }
            }
            acc = vm.binary(BinaryOp::Add, &acc, v, false)?;
            break;
        }
    }
    if let Value::Float(mut f) = acc {
        let mut c = 0.0_f64;
        let mut left_over = None;
        while let Some(item) = vm.next(&it)? {
            match &item {
                Value::Float(x) => {
                    let t = f + x;
                    if f.abs() >= x.abs() {
                        c += (f - t) + x;
                    } else {
                        c += (x - t) + f;
                    }
                    f = t;
                }
                Value::Int(i) => f += *i as f64,
                Value::Bool(b) => f += f64::from(u8::from(*b)),
                _ => {
                    left_over = Some(item);
                    break;
                }
            }
        }
        // The compensation, unless it would lose a negative zero's sign or turn an
        // infinite sum into a NaN.
        if c != 0.0 && c.is_finite() {
            f += c;
        }
        acc = Value::Float(f);
        if let Some(v) = left_over {
            acc = vm.binary(BinaryOp::Add, &acc, &v, false)?;
        }
    }
    while let Some(v) = vm.next(&it)? {
        acc = vm.binary(BinaryOp::Add, &acc, &v, false)?;
    }
    Ok(acc)
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "iter", 1, 2)?;
    if args.pos.len() == 2 {
        if !is_callable(vm, &args.pos[0]) {
            return Err(vm.type_error("iter(object, sentinel): object must be callable"));
        }
        let state = IterState::Callable {
            func: args.pos[0].clone(),
            sentinel: args.pos[1].clone(),
        };
        return Ok(Value::Iter(crate::runtime::gc::alloc(Iter {
            state: RefCell::new(state),
        })));
    }
    vm.iter(&args.pos[0])
}

fn next(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "next", 1, 2)?;
    // The StopIteration that ended the iterator propagates as it is (so a generator's
    // return value reaches the caller as `StopIteration(value)`), unless a default is
    // given (CPython `builtin_next`). spec: generators.frame.kept
    match vm.next_step(&args.pos[0])? {
        IterStep::Item(v) => Ok(v),
        IterStep::Done(stop) => match (args.pos.get(1), stop) {
            (Some(d), _) => Ok(d.clone()),
            (None, Some(exc)) => Err(vm.raise(exc)),
            (None, None) => Err(vm.err_args("StopIteration", vec![])),
        },
    }
}

fn any(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "any", 1, 1)?;
    let it = vm.iter(&args.pos[0])?;
    while let Some(v) = vm.next(&it)? {
        if vm.truthy(&v)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "all", 1, 1)?;
    let it = vm.iter(&args.pos[0])?;
    while let Some(v) = vm.next(&it)? {
        if !vm.truthy(&v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn chr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "chr", 1, 1)?;
    let i = match int_value(vm, &args.pos[0], "")? {
        crate::arith::Num::Int(i) if i32::try_from(i).is_ok() => i,
        _ => return Err(vm.err("OverflowError", "Python int too large to convert to C int")),
    };
    match u32::try_from(i).ok().filter(|&cp| cp <= 0x10_FFFF) {
        Some(cp) => Ok(Value::str(&super::standins::char_for(vm, cp)?.to_string())),
        None => Err(vm.value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "ord", 1, 1)?;
    match &args.pos[0] {
        Value::Str(s) => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Value::Int(i64::from(super::standins::code_point(c)))),
                _ => Err(vm.type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.chars().count()
                ))),
            }
        }
        Value::Bytes(b) => match **b {
            [c] => Ok(Value::Int(i64::from(c))),
            _ => Err(vm.type_error(format!(
                "ord() expected a character, but string of length {} found",
                b.len()
            ))),
        },
        v if crate::runtime::bytearray::as_bytearray(v).is_some() => {
            let data = crate::runtime::methods::bytes::buffer_of(v).unwrap_or_default();
            match data[..] {
                [c] => Ok(Value::Int(i64::from(c))),
                _ => Err(vm.type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    data.len()
                ))),
            }
        }
        other => Err(vm.type_error(format!(
            "ord() expected string of length 1, but {} found",
            vm.type_of(other).name()
        ))),
    }
}

fn callable(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "callable", 1, 1)?;
    Ok(Value::Bool(is_callable(vm, &args.pos[0])))
}

/// `callable(v)` (CPython `PyCallable_Check`).
pub(crate) fn is_callable(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Function(_) | Value::Builtin(_) | Value::Method(_) | Value::Type(_) => true,
        // staticmethod has had a `tp_call` since 3.10.
        Value::Property(p) => p.kind == super::object::PropertyKind::StaticMethod,
        Value::Object(_) | Value::Native(_) => vm.special(v, "__call__").is_some(),
        _ => false,
    }
}

fn format(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "format", 1, 2)?;
    let spec = match args.pos.get(1) {
        Some(Value::Str(s)) => s.to_string(),
        None => String::new(),
        Some(other) => {
            return Err(vm.type_error(format!(
                "format() argument 2 must be str, not {}",
                type_name_of_arg(vm, other)
            )))
        }
    };
    Ok(Value::str(&vm.format(&args.pos[0], &spec)?))
}

/// `dir([object])` (CPython `PyObject_Dir`): without an argument the caller's local
/// names; else the names `object.__dir__()` gives, sorted. For a built-in type those are
/// CPython 3.12's own (`cpython_names`), not the subset the VM implements.
fn dir(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "dir", 0, 1)?;
    match args.pos.first() {
        None => {
            let names = vm.top()?.fast_to_locals().keys();
            Ok(Value::list(sort_values(vm, names, &Value::None, false)?))
        }
        Some(v) => Ok(Value::list(dir_of(vm, v)?)),
    }
}

/// `PyObject_Dir(v)` of an object: `_dir_object`, the class's own `__dir__`, its result
/// made a list and sorted (also what the traceback's suggestions search).
pub(crate) fn dir_of(vm: &mut Vm, v: &Value) -> PyResult<Vec<Value>> {
    if let Some(w) = crate::runtime::weakproxy::as_proxy(v) {
        // `object.__dir__` of the proxy reads its referent's `__dict__` and `__class__`:
        // the referent's own names when its class keeps object's `__dir__`.
        let r = crate::runtime::weakproxy::unwrap(vm, v)?;
        let plain = matches!(&r, Value::Object(_)) && vm.special(&r, "__dir__").is_none();
        if !plain || w.get().is_none() {
            return Err(vm.unsupported("dir() of a weakref proxy of this object"));
        }
        let names = dir_names(vm, &r)?;
        return sort_values(vm, names, &Value::None, false);
    }
    let names = match vm.special(v, "__dir__") {
        Some(f) => {
            let r = vm.call(&f, Args::new(vec![v.clone()]))?;
            vm.collect(&r)?
        }
        None => dir_names(vm, v)?,
    };
    sort_values(vm, names, &Value::None, false)
}

/// The unsorted, distinct names `v.__dir__()` returns.
pub(crate) fn dir_names(vm: &mut Vm, v: &Value) -> PyResult<Vec<Value>> {
    let names = Dict::new();
    let mut add = |vm: &Vm, k: Value| names.set(k, Value::None).map_err(|e| vm.unhashable(e));
    match v {
        // `module.__dir__`: the keys of the module's dict. A native module that holds
        // only part of CPython's names cannot answer.
        Value::Module(m) => {
            if let Some(cpython) = super::reach::provided_module_names(vm, &m.name) {
                let keys = m.dict.keys();
                let same = keys.len() == cpython.len()
                    && keys
                        .iter()
                        .all(|k| matches!(k, Value::Str(k) if cpython.contains(&&**k)));
                if !same {
                    return Err(vm.unsupported(format!("dir() of the module {}", m.name)));
                }
            }
            if m.dict.get_str("__dir__").is_some() {
                return Err(vm.unsupported("a module's __dir__"));
            }
            for k in m.dict.keys() {
                add(vm, k)?;
            }
        }
        // `type.__dir__`: the class's dict and its bases', never the metatype's.
        Value::Type(t) => class_dir(vm, t, &mut add)?,
        // `object.__dir__`: the instance's `__dict__`, then its class's `type.__dir__`.
        other => {
            let own = match other {
                Value::Object(o) => Some(o.dict.clone()),
                Value::Function(f) => Some(f.dict().clone()),
                // `method_getattro` forwards `__dict__` to the function.
                Value::Method(m) => match &m.func {
                    Value::Function(f) => Some(f.dict().clone()),
                    _ => None,
                },
                _ => None,
            };
            for k in own.map(|d| d.keys()).unwrap_or_default() {
                add(vm, k)?;
            }
            let t = vm.type_of(other);
            class_dir(vm, &t, &mut add)?;
        }
    }
    Ok(names.keys())
}

/// The names of `type.__dir__(t)`: the dicts of `t` and its bases. A built-in type's are
/// CPython's (with its bases', along CPython's chain of bases); a user class's are its
/// dict's keys and the entries CPython's `type_new` adds: `__doc__` always, `__dict__`
/// and `__weakref__` when no base already provides them.
fn class_dir(
    vm: &Vm,
    t: &Rc<Type>,
    add: &mut impl FnMut(&Vm, Value) -> PyResult<()>,
) -> PyResult<()> {
    for c in t.mro() {
        if c.is_builtin() {
            // The generated tables know a type by its registry key (`AST`, `_IOBase`),
            // which its tp_name (`ast.AST`, `_io._IOBase`) may qualify.
            let cn = c.name();
            let key = vm
                .types
                .by_name
                .iter()
                .find(|(_, x)| Rc::ptr_eq(x, &c))
                .map_or(&*cn, |(k, _)| *k);
            let Some(names) = cpython_type_names(key) else {
                return Err(vm.unsupported(format!("dir() of the built-in type {}", c.name())));
            };
            for n in names {
                add(vm, Value::str(n))?;
            }
            continue;
        }
        for k in c.dict.keys() {
            add(vm, k)?;
        }
        add(vm, Value::str("__doc__"))?;
        if c.bases.iter().all(|b| b.is_builtin()) {
            add(vm, Value::str("__weakref__"))?;
            if !c.is_exception() {
                add(vm, Value::str("__dict__"))?;
            }
        }
    }
    Ok(())
}

/// The names in the `__dict__` of CPython 3.12's built-in type `name` and of its bases;
/// `None` when the table lacks the type or one of its bases.
fn cpython_type_names(name: &str) -> Option<Vec<&'static str>> {
    use super::cpython_names::TYPES;
    let mut out = Vec::new();
    let mut current = name;
    // The chain of bases is short; the bound only guards against a malformed table.
    for _ in 0..TYPES.len() {
        let i = TYPES.binary_search_by(|(t, _, _)| t.cmp(&current)).ok()?;
        let (_, base, names) = TYPES[i];
        out.extend_from_slice(names);
        if base.is_empty() {
            return Some(out);
        }
        current = base;
    }
    None
}

/// `input([prompt])`: the VM has no standard input, so it is at its end, as for a
/// program run with its input closed: the prompt is written, then EOFError.
fn input(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "input", 0, 1)?;
    let stdin = super::sysmod::sys_attr(vm, "stdin");
    let standard =
        matches!(&stdin, Value::Object(o) if o.dict.get_str("_framespec_stream").is_some());
    if standard {
        // The sandbox's own stdin has no data.
        if let Some(prompt) = args.pos.first() {
            let text = vm.str_of(prompt)?;
            let stdout = super::sysmod::sys_attr(vm, "stdout");
            write_to(vm, &stdout, &text)?;
        }
        return Err(vm.err("EOFError", "EOF when reading a line"));
    }
    // `builtin_input_impl` when stdin is not a terminal: flush stderr, write the prompt,
    // flush stdout, then one line of `sys.stdin.readline()` without its newline.
    let stdout = super::sysmod::sys_attr(vm, "stdout");
    let stderr = super::sysmod::sys_attr(vm, "stderr");
    if stdin.is_none() {
        return Err(vm.err("RuntimeError", "input(): lost sys.stdin"));
    }
    if stdout.is_none() {
        return Err(vm.err("RuntimeError", "input(): lost sys.stdout"));
    }
    if !stderr.is_none() {
        let flush = vm.getattr(&stderr, "flush")?;
        vm.call0(&flush)?;
    }
    if let Some(prompt) = args.pos.first() {
        let text = vm.str_of(prompt)?;
        write_to(vm, &stdout, &text)?;
    }
    let flush = vm.getattr(&stdout, "flush")?;
    vm.call0(&flush)?;
    let readline = vm.getattr(&stdin, "readline")?;
    let line = vm.call0(&readline)?;
    match line.builtin_value() {
        Value::Str(s) if s.is_empty() => Err(vm.err("EOFError", "EOF when reading a line")),
        Value::Str(s) => Ok(Value::str(s.strip_suffix('\n').unwrap_or(s))),
        _ => Err(vm.unsupported("input() from a stdin whose readline() is not a str")),
    }
}

/// `open` is `io.open` (CPython `_io_open_impl`): reading only, in the sandbox.
fn open(vm: &mut Vm, args: Args) -> PyResult<Value> {
    crate::runtime::modules::io::open_fn(vm, args)
}

/// `__import__(name, globals=None, locals=None, fromlist=(), level=0)` (CPython
/// `builtin___import___impl`): `runtime::import`, as IMPORT_NAME.
fn import(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["name", "globals", "locals", "fromlist", "level"];
    let [name, globals, _, fromlist, level] =
        Spec::function("__import__", Style::Keywords, params, 1)
            .keywords(0, 5)
            .bind::<5>(vm, &args, 0)?;
    let level = match level {
        Some(l) => super::argspec::index(vm, &l)?,
        None => 0,
    };
    let Value::Str(name) = required(name).builtin_value().clone() else {
        return Err(vm.type_error("module name must be a string"));
    };
    let fromlist = fromlist.unwrap_or(Value::None);
    super::import::import_name(vm, &name, globals.as_ref(), &fromlist, level)
}
