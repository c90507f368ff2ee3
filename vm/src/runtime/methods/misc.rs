//! Methods of the remaining built-in types: exceptions (`with_traceback`, `add_note`,
//! `__reduce__`, `__setstate__`),
//! `frame.clear`, `code.co_lines`/`co_positions`, `object.__init__`/`__new__` and the
//! standard streams' `write`/`flush`.

use std::rc::Rc;

use crate::runtime::argspec::{required, Spec, Style};
use crate::runtime::builtins::arity;
use crate::runtime::interp::Vm;
use crate::runtime::object::{Args, NativeFn, Value};
use crate::runtime::types::Type;
use crate::runtime::unicodeerror::Kind;
use crate::runtime::PyResult;

/// The methods this file installs: (type, name, function).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("BaseException", "__init__", exc_init),
    ("StopIteration", "__init__", stop_iteration_init),
    ("SystemExit", "__init__", system_exit_init),
    ("AttributeError", "__init__", attribute_error_init),
    ("NameError", "__init__", name_error_init),
    ("ImportError", "__init__", import_error_init),
    ("OSError", "__init__", os_error_init),
    ("SyntaxError", "__init__", syntax_error_init),
    ("UnicodeEncodeError", "__init__", unicode_encode_error_init),
    ("UnicodeDecodeError", "__init__", unicode_decode_error_init),
    (
        "UnicodeTranslateError",
        "__init__",
        unicode_translate_error_init,
    ),
    ("BaseException", "with_traceback", exc_with_traceback),
    ("BaseException", "add_note", exc_add_note),
    ("BaseException", "__reduce__", exc_reduce),
    ("BaseException", "__setstate__", exc_setstate),
    ("OSError", "__reduce__", oserror_reduce),
    (
        "ImportError",
        "__reduce__",
        crate::runtime::excmembers::import_error_reduce,
    ),
    (
        "AttributeError",
        "__reduce__",
        crate::runtime::excmembers::attribute_error_reduce,
    ),
    (
        "AttributeError",
        "__getstate__",
        crate::runtime::excmembers::attribute_error_getstate,
    ),
    ("frame", "clear", frame_clear),
    ("code", "co_lines", code_co_lines),
    ("code", "_varname_from_oparg", code_varname_from_oparg),
    ("code", "co_positions", code_co_positions),
    ("code", "replace", code_replace),
    ("function", "__get__", function_get),
    ("method_descriptor", "__get__", descriptor_get),
    ("wrapper_descriptor", "__get__", descriptor_get),
    ("function", "__call__", slot_call),
    ("method", "__call__", slot_call),
    ("method-wrapper", "__call__", slot_call),
    ("builtin_function_or_method", "__call__", slot_call),
    ("object", "__init__", object_init),
    ("object", "__new__", object_new),
    ("BaseException", "__new__", exc_new),
    ("TextIOWrapper", "write", stream_write),
    ("TextIOWrapper", "flush", stream_flush),
    ("TextIOWrapper", "fileno", stream_fileno),
    ("TextIOWrapper", "isatty", stream_isatty),
];

/// The `__call__` slot wrapper of the callable built-in types (`wrap_call` around
/// their `tp_call`): the receiver called with the arguments, keywords included.
fn slot_call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(callable) = args.pos.first().cloned() else {
        return Err(vm.bug("a __call__ slot wrapper without its receiver"));
    };
    let rest = Args {
        pos: args.pos[1..].to_vec(),
        kw: args.kw,
    };
    vm.call(&callable, rest)
}

/// `wrap_descr_get`'s argument checks: one or two arguments after the descriptor.
fn get_arity(vm: &Vm, args: &Args) -> PyResult<()> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("wrapper __get__() takes no keyword arguments"));
    }
    let n = args.pos.len().saturating_sub(1);
    if n == 0 {
        return Err(vm.type_error("__get__ expected at least 1 argument, got 0"));
    }
    if n > 2 {
        return Err(vm.type_error(format!("__get__ expected at most 2 arguments, got {n}")));
    }
    Ok(())
}

/// `function.__get__(instance, owner=None, /)` (`wrap_descr_get` around
/// `func_descr_get`): the function itself for no instance, else a method bound to it.
fn function_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    get_arity(vm, &args)?;
    let func = args.pos[0].clone();
    let obj = args.pos[1].clone();
    let owner = args.pos.get(2).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        if owner.is_none() {
            return Err(vm.type_error("__get__(None, None) is invalid"));
        }
        return Ok(func);
    }
    Ok(Value::Method(std::rc::Rc::new(
        crate::runtime::object::Method {
            func,
            receiver: obj,
        },
    )))
}

/// `method_descriptor.__get__` and `wrapper_descriptor.__get__` (`wrap_descr_get` around
/// `method_get` and `wrapperdescr_get`): the descriptor itself for no instance, else,
/// once `descr_check` found the instance of the descriptor's type, the method bound to it.
fn descriptor_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    get_arity(vm, &args)?;
    let descr = args.pos[0].clone();
    let obj = args.pos[1].clone();
    let owner = args.pos.get(2).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        if owner.is_none() {
            return Err(vm.type_error("__get__(None, None) is invalid"));
        }
        return Ok(descr);
    }
    method_get(vm, &descr, &obj)
}

/// `method_get` for an instance: `descr_check` (the instance must be of the descriptor's
/// type), then the method bound to it. Also what the profiler's `c_call` events bind a
/// method descriptor with (`sys_profile_call_or_return`).
pub fn method_get(vm: &mut Vm, descr: &Value, obj: &Value) -> PyResult<Value> {
    let Value::Builtin(b) = descr else {
        return Err(vm.unsupported("__get__ of a descriptor that is not a built-in method"));
    };
    let Some(owner_name) = b.owner else {
        return Err(vm.unsupported("__get__ of a built-in method without its type"));
    };
    let t = vm.ty(owner_name);
    let objtype = vm.type_of(obj);
    if !objtype.is_subtype(&t) {
        return Err(vm.type_error(format!(
            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
            b.name,
            t.name(),
            objtype.name()
        )));
    }
    Ok(vm.bind(descr, obj))
}

/// The class methods (`METH_CLASS`) this file installs.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("object", "__init_subclass__", object_init_subclass),
    ("object", "__subclasshook__", object_subclasshook),
];

/// `object.__subclasshook__(subclass)` (`object_subclasshook`, METH_O): NotImplemented,
/// so the normal algorithm decides.
fn object_subclasshook(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // The class it is bound to, then the one argument.
    if args.pos.len() != 2 || !args.kw.is_empty() {
        return Err(vm.type_error(format!(
            "object.__subclasshook__() takes exactly one argument ({} given)",
            args.pos.len().saturating_sub(1)
        )));
    }
    Ok(Value::NotImplemented)
}

/// `object.__init_subclass__` (`object_init_subclass`, METH_NOARGS): does nothing, and
/// refuses any argument, naming the class it is bound to.
fn object_init_subclass(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // `_PyObject_FunctionStr`: the method's qualified name, its class's qualname first.
    let name = match args.pos.first() {
        Some(Value::Type(t)) => t.qualname.borrow().to_string(),
        Some(other) => vm.type_of(other).qualname.borrow().to_string(),
        None => "object".to_owned(),
    };
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!(
            "{name}.__init_subclass__() takes no keyword arguments"
        )));
    }
    if args.pos.len() > 1 {
        return Err(vm.type_error(format!(
            "{name}.__init_subclass__() takes no arguments ({} given)",
            args.pos.len() - 1
        )));
    }
    Ok(Value::None)
}

/// The `__init__` of an exception type (CPython `BaseException_init` and the types' own
/// `…_init`, which start with it): sets `args` to the positional arguments. `family` names
/// the type whose keywords (`keywords`) its parser accepts; without keywords, any is a
/// TypeError naming the receiver's type.
fn init(vm: &mut Vm, args: &Args, owner: &str, family: &str, keywords: &[&str]) -> PyResult<Value> {
    let Some(recv) = args.pos.first() else {
        return Err(vm.type_error(format!(
            "descriptor '__init__' of '{owner}' object needs an argument"
        )));
    };
    let (Value::Object(_), Some(data)) = (recv, recv.exc()) else {
        return Err(vm.type_error(format!(
            "descriptor '__init__' requires a '{owner}' object but received a '{}'",
            vm.type_of(recv).name()
        )));
    };
    if !vm.type_of(recv).is_subtype(&vm.ty(owner)) {
        return Err(vm.type_error(format!(
            "descriptor '__init__' requires a '{owner}' object but received a '{}'",
            vm.type_of(recv).name()
        )));
    }
    if keywords.is_empty() && !args.kw.is_empty() {
        return Err(vm.type_error(format!(
            "{}() takes no keyword arguments",
            vm.type_of(recv).name()
        )));
    }
    *data.args.borrow_mut() = Value::tuple(args.pos[1..].to_vec());
    if keywords.is_empty() {
        return Ok(Value::None);
    }
    let (n, max) = (args.kw.len(), keywords.len());
    if n > max {
        let s = if max == 1 { "" } else { "s" };
        return Err(vm.type_error(format!(
            "{family}() takes at most {max} keyword argument{s} ({n} given)"
        )));
    }
    if let Some((k, _)) = args.kw.iter().find(|(k, _)| !keywords.contains(&&**k)) {
        return Err(vm.type_error(format!(
            "'{k}' is an invalid keyword argument for {family}()"
        )));
    }
    // The members the keywords set: absent ones are reset to NULL.
    crate::runtime::excmembers::init(vm, recv, &args.pos[1..], &args.kw);
    Ok(Value::None)
}

fn exc_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(vm, &args, "BaseException", "BaseException", &[])
}

/// `StopIteration_init`: `value` is the first argument.
fn stop_iteration_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(vm, &args, "StopIteration", "StopIteration", &[])?;
    if let Some(data) = args.pos[0].exc() {
        *data.value.borrow_mut() = args.pos.get(1).cloned().unwrap_or(Value::None);
    }
    Ok(Value::None)
}

/// `SystemExit_init`: `code` is the argument, or the arguments when several.
fn system_exit_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(vm, &args, "SystemExit", "SystemExit", &[])?;
    if let Some(data) = args.pos[0].exc() {
        *data.value.borrow_mut() = match &args.pos[1..] {
            [] => Value::None,
            [code] => code.clone(),
            more => Value::tuple(more.to_vec()),
        };
    }
    Ok(Value::None)
}

fn attribute_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(
        vm,
        &args,
        "AttributeError",
        "AttributeError",
        &["name", "obj"],
    )
}

fn name_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(vm, &args, "NameError", "NameError", &["name"])
}

/// `ImportError_init`.
fn import_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    init(
        vm,
        &args,
        "ImportError",
        "ImportError",
        &["name", "path", "name_from"],
    )
}

/// `OSError_init`: nothing (not even `args`) unless the class parses its arguments in
/// `__init__` (`oserror_use_init`), and then `oserror_parse_args` and `oserror_init`.
fn os_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let t = match args.pos.first() {
        Some(recv) if recv.exc().is_some() && vm.type_of(recv).is_subtype(&vm.ty("OSError")) => {
            vm.type_of(recv)
        }
        _ => return init(vm, &args, "OSError", "OSError", &[]),
    };
    if !crate::runtime::oserror::use_init(&t) {
        return Ok(Value::None);
    }
    init(vm, &args, "OSError", "OSError", &[])?;
    let recv = &args.pos[0];
    let kept = crate::runtime::oserror::init(vm, recv, &t, args.pos[1..].to_vec());
    if let Some(data) = recv.exc() {
        *data.args.borrow_mut() = Value::tuple(kept);
    }
    Ok(Value::None)
}

/// `SyntaxError_init`: `BaseException_init`, then the members from the arguments.
fn syntax_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let r = init(vm, &args, "SyntaxError", "SyntaxError", &[])?;
    crate::runtime::syntaxerror::init_method(vm, &args)?;
    Ok(r)
}

/// `UnicodeEncodeError_init` and its kin: `BaseException_init`, then the members.
fn unicode_error_init(vm: &mut Vm, args: &Args, kind: Kind) -> PyResult<Value> {
    let name = kind.class_name();
    init(vm, args, name, name, &[])?;
    crate::runtime::unicodeerror::init(vm, args, kind)?;
    Ok(Value::None)
}

fn unicode_encode_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unicode_error_init(vm, &args, Kind::Encode)
}

fn unicode_decode_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unicode_error_init(vm, &args, Kind::Decode)
}

fn unicode_translate_error_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    unicode_error_init(vm, &args, Kind::Translate)
}

fn exc_with_traceback(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [tb] =
        Spec::method("BaseException", "with_traceback", Style::O, &["tb"], 1).bind(vm, &args, 1)?;
    vm.setattr(&args.pos[0], "__traceback__", required(tb))?;
    Ok(args.pos[0].clone())
}

fn exc_add_note(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [note] =
        Spec::method("BaseException", "add_note", Style::O, &["note"], 1).bind(vm, &args, 1)?;
    let note = required(note);
    if !matches!(note, Value::Str(_)) {
        return Err(vm.type_error(format!(
            "note must be a str, not '{}'",
            vm.type_of(&note).name()
        )));
    }
    // `BaseException_add_note`: `__notes__` through the attribute protocol, made a new
    // list when absent; anything but a list is refused.
    let me = args.pos[0].clone();
    let notes = match vm.getattr(&me, "__notes__") {
        Ok(n) => n,
        Err(crate::runtime::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => {
            let l = Value::list(Vec::new());
            vm.setattr(&me, "__notes__", l.clone())?;
            l
        }
        Err(e) => return Err(e),
    };
    match notes.builtin_value() {
        Value::List(l) => l.items.borrow_mut().push(note),
        _ => return Err(vm.type_error("Cannot add note: __notes__ is not a list")),
    }
    Ok(Value::None)
}

/// `BaseException.__reduce__()` (`BaseException_reduce`): `(type(self), self.args)`, with
/// the instance dict third when there is one. CPython makes that dict on first use; the
/// VM's instance always has one, so an empty one counts as none.
fn exc_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    crate::runtime::argspec::no_args(vm, &args, "BaseException", "__reduce__")?;
    reduce_exception(vm, &args.pos[0])
}

fn reduce_exception(vm: &mut Vm, me: &Value) -> PyResult<Value> {
    let Value::Object(o) = me else {
        return Err(vm.bug("BaseException.__reduce__ of a non-exception"));
    };
    let Some(exc) = &o.exc else {
        return Err(vm.bug("BaseException.__reduce__ of a non-exception"));
    };
    let t = Value::Type(vm.type_of(me));
    let a = exc.args.borrow().clone();
    if o.dict.is_empty() {
        Ok(Value::tuple(vec![t, a]))
    } else {
        Ok(Value::tuple(vec![t, a, Value::Dict(o.dict.clone())]))
    }
}

/// `OSError.__reduce__()` (`OSError_reduce`): BaseException's, with the filenames put
/// back into the arguments.
fn oserror_reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    crate::runtime::argspec::no_args(vm, &args, "OSError", "__reduce__")?;
    let me = args.pos[0].clone();
    let Some(a) = crate::runtime::oserror::reduce_args(vm, &me) else {
        return reduce_exception(vm, &me);
    };
    let Value::Object(o) = &me else {
        return Err(vm.bug("OSError.__reduce__ of a non-exception"));
    };
    let t = Value::Type(vm.type_of(&me));
    if o.dict.is_empty() {
        Ok(Value::tuple(vec![t, a]))
    } else {
        Ok(Value::tuple(vec![t, a, Value::Dict(o.dict.clone())]))
    }
}

/// `BaseException.__setstate__(state)`: each item of a state dict set as an attribute.
fn exc_setstate(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [state] = Spec::method("BaseException", "__setstate__", Style::O, &["state"], 1)
        .bind(vm, &args, 1)?;
    let state = required(state);
    if state.is_none() {
        return Ok(Value::None);
    }
    let Value::Dict(d) = state.builtin_value().clone() else {
        return Err(vm.type_error("state is not a dictionary"));
    };
    for (k, v) in d.items() {
        let Value::Str(name) = k.builtin_value() else {
            return Err(vm.type_error(format!(
                "attribute name must be string, not '{}'",
                vm.type_of(&k).name()
            )));
        };
        vm.setattr(&args.pos[0], name, v)?;
    }
    Ok(Value::None)
}

/// `frame.clear()`: RuntimeError on a running frame; otherwise drops the locals.
fn frame_clear(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Frame(fo)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'frame' object"));
    };
    if vm.stack_index(fo).is_some() {
        return Err(vm.err("RuntimeError", "cannot clear an executing frame"));
    }
    // A generator's frame (3.12 `frame_clear`): a running one is executing; otherwise
    // `_PyGen_Finalize` closes the generator (its finally blocks run; an exception from
    // closing is unraisable). 3.13 refuses a suspended frame instead.
    let generator = fo.generator.borrow().upgrade();
    if let Some(gen) = generator {
        if gen.running.get() {
            return Err(vm.err("RuntimeError", "cannot clear an executing frame"));
        }
        if gen.finished.get() {
            return Ok(Value::None);
        }
        use crate::runtime::object::GenKind;
        if gen.kind == GenKind::AsyncGenerator {
            return Err(vm.unsupported("frame.clear() of an async generator's frame"));
        }
        // A coroutine that never started is warned about and left as it is.
        if gen.kind == GenKind::Coroutine && !gen.started.get() {
            return crate::runtime::unawaited::warn_unawaited(vm, &gen).map(|()| Value::None);
        }
        let genv = Value::Generator(gen);
        let close = vm.getattr(&genv, "close")?;
        match vm.call(&close, Args::default()) {
            Ok(_) => {}
            Err(crate::runtime::Throw::Exc(e)) => {
                crate::runtime::unraisable::write_unraisable(vm, &e, None, genv)?;
            }
            Err(other) => return Err(other),
        }
        return Ok(Value::None);
    }
    if let Some(f) = fo.owned.borrow_mut().as_mut() {
        for slot in f.localsplus.iter_mut() {
            *slot = None;
        }
        if f.info.is_optimized() {
            f.locals = None;
        }
    }
    Ok(Value::None)
}

/// `code.co_lines()`: `(start, end, line)` byte ranges, consecutive units with the same
/// line merged (CPython `lineiter_next`).
/// `code._varname_from_oparg(oparg)`: the name of local-plus slot `oparg`
/// (`co_localsplusnames[oparg]`), as dis reads LOAD_FAST's and friends' operands.
fn code_varname_from_oparg(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [oparg] = super::super::argspec::Spec::method(
        "code",
        "_varname_from_oparg",
        super::super::argspec::Style::Keywords,
        &["oparg"],
        1,
    )
    .keywords(0, 1)
    .bind::<1>(vm, &args, 1)?;
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'code' object"));
    };
    let c = c.clone();
    let i = super::super::argspec::index(vm, &super::super::argspec::required(oparg))?;
    match usize::try_from(i)
        .ok()
        .and_then(|i| c.co_localsplusnames.get(i))
    {
        Some(name) => Ok(Value::Str(name.clone())),
        None => Err(vm.err("IndexError", "tuple index out of range")),
    }
}

fn code_co_lines(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'code' object"));
    };
    let lines = c.lines();
    let mut out: Vec<Value> = Vec::new();
    let mut start = 0usize;
    for i in 1..=lines.len() {
        if i == lines.len() || lines[i] != lines[start] {
            let line = lines[start]
                .map(|l| Value::Int(i64::from(l)))
                .unwrap_or(Value::None);
            out.push(Value::tuple(vec![
                Value::Int(2 * start as i64),
                Value::Int(2 * i as i64),
                line,
            ]));
            start = i;
        }
    }
    vm.iter(&Value::list(out))
}

fn code_co_positions(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor requires a 'code' object"));
    };
    let opt = |x: Option<u32>| x.map(|v| Value::Int(i64::from(v))).unwrap_or(Value::None);
    let out: Vec<Value> = c
        .positions()
        .into_iter()
        .map(|p| {
            Value::tuple(vec![
                opt(p.line),
                opt(p.end_line),
                opt(p.col),
                opt(p.end_col),
            ])
        })
        .collect();
    vm.iter(&Value::list(out))
}

/// Whether `t`'s slot `name` (`tp_new`, `tp_init`) is still `object`'s.
fn inherits_object(t: &Rc<Type>, name: &str) -> bool {
    t.lookup(name)
        .is_none_or(|m| crate::runtime::call::is_object_method(&m))
}

/// `object_init`: extra arguments are an error when the type overrides `__init__` (then
/// this one was called explicitly) or does not override `__new__` either.
fn object_init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(obj) = args.pos.first() else {
        return Err(vm.type_error("descriptor '__init__' of 'object' object needs an argument"));
    };
    if args.pos.len() > 1 || !args.kw.is_empty() {
        let t = vm.type_of(obj);
        if !inherits_object(&t, "__init__") {
            return Err(vm.type_error(
                "object.__init__() takes exactly one argument (the instance to initialize)",
            ));
        }
        if inherits_object(&t, "__new__") {
            return Err(vm.type_error(format!(
                "{}.__init__() takes exactly one argument (the instance to initialize)",
                t.name()
            )));
        }
    }
    Ok(Value::None)
}

/// `object_new`: extra arguments are an error when the type overrides `__new__` (then
/// this one was called explicitly, as `super().__new__(cls, x)`) or does not override
/// `__init__` either.
fn object_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(Value::Type(t)) => {
            let t = t.clone();
            if args.pos.len() > 1 || !args.kw.is_empty() {
                if !inherits_object(&t, "__new__") {
                    return Err(vm.type_error(
                        "object.__new__() takes exactly one argument (the type to instantiate)",
                    ));
                }
                if inherits_object(&t, "__init__") {
                    return Err(vm.type_error(format!("{}() takes no arguments", t.name())));
                }
            }
            if let Some(staticbase) = unsafe_new_base(&t) {
                return Err(vm.type_error(format!(
                    "object.__new__({}) is not safe, use {}.__new__()",
                    t.name(),
                    staticbase.name()
                )));
            }
            vm.check_abstract(&t)?;
            Ok(vm.new_instance(&t, &Args::default()))
        }
        Some(other) => {
            let n = vm.type_of(other).name();
            Err(vm.type_error(format!("object.__new__(X): X is not a type object ({n})")))
        }
        None => Err(vm.type_error("object.__new__(): not enough arguments")),
    }
}

/// `tp_new_wrapper`'s safety check: past the classes whose `tp_new` is a Python
/// `__new__` (`slot_tp_new`, their own or inherited along `tp_base`), the first type must
/// create its instances with `object_new`; a built-in type's own constructor (int's,
/// list's, …) must not be bypassed. `Some` is that type (`staticbase`) when it does not.
fn unsafe_new_base(t: &Rc<Type>) -> Option<Rc<Type>> {
    // Where a type's `tp_new` comes from: `None` for a Python `__new__`, else the
    // built-in type whose constructor it inherits along `tp_base` (`inherit_special`).
    fn tp_new_of(t: &Rc<Type>) -> Option<Rc<Type>> {
        let mut s = t.clone();
        loop {
            if s.is_builtin() {
                return Some(s);
            }
            if s.dict.get_str("__new__").is_some() {
                return None;
            }
            s = s.bases.first()?.clone();
        }
    }
    let mut staticbase = t.clone();
    loop {
        match tp_new_of(&staticbase) {
            None => staticbase = staticbase.bases.first()?.clone(),
            Some(b) if b.name().as_ref() == "object" => return None,
            Some(_) => return Some(staticbase),
        }
    }
}

/// `BaseException_new` (and, through `new_exception`, `OSError_new`): the exception with
/// `args` set and nothing initialised; keywords are left to `__init__`.
fn exc_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match args.pos.first() {
        Some(Value::Type(t)) if t.is_exception() => {
            let t = t.clone();
            Ok(vm.new_exception(&t, args.pos[1..].to_vec()))
        }
        // `tp_new_wrapper`'s errors name the type whose `__new__` this is, which one
        // function shared by every exception type does not know.
        _ => Err(vm.unsupported("an exception type's __new__ called without an exception class")),
    }
}

fn stream_write(vm: &mut Vm, args: Args) -> PyResult<Value> {
    // A TextIOWrapper over a file: `io::textio`'s.
    if crate::runtime::modules::io::textio::of(&args.pos[0]).is_some() {
        return crate::runtime::modules::io::textio::write(vm, args);
    }
    arity(vm, &args, "write", 2, 2)?;
    let Value::Str(s) = &args.pos[1] else {
        return Err(vm.type_error(format!(
            "write() argument must be str, not {}",
            vm.type_of(&args.pos[1]).name()
        )));
    };
    crate::runtime::builtins::write_to(vm, &args.pos[0], s)?;
    Ok(Value::Int(s.chars().count() as i64))
}

fn stream_flush(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args
        .pos
        .first()
        .and_then(crate::runtime::modules::io::textio::of)
        .is_some()
    {
        return crate::runtime::modules::io::textio::flush(vm, args);
    }
    // What sys.stdout wrote so far has left its buffer (a child process writing to the
    // same stdout comes after it: `process`).
    if std_stream(vm, &args, "flush").is_ok_and(|n| n == 1) {
        vm.stdout_flushed = vm.stdout.len();
    }
    Ok(Value::None)
}

/// The descriptor of `sys.stdout` (1) or `sys.stderr` (2).
fn std_stream(vm: &Vm, args: &Args, method: &str) -> PyResult<i64> {
    match args.pos.first() {
        Some(Value::Object(o)) => match o.dict.get_str("_framespec_stream") {
            Some(Value::Int(n)) => Ok(n),
            _ => Err(vm.unsupported(format!("TextIOWrapper.{method} of a file"))),
        },
        _ => Err(vm.bug("a TextIOWrapper method without its stream")),
    }
}

/// `TextIOWrapper.fileno()` of a standard stream: its descriptor.
fn stream_fileno(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "fileno", 1, 1)?;
    // A TextIOWrapper over a buffer: the buffer's (`_io_TextIOWrapper_fileno_impl`).
    if let Some(t) = args
        .pos
        .first()
        .and_then(crate::runtime::modules::io::textio::of)
    {
        let f = vm.getattr(&t.buffer, "fileno")?;
        return vm.call0(&f);
    }
    Ok(Value::Int(std_stream(vm, &args, "fileno")?))
}

/// `TextIOWrapper.isatty()` of a standard stream: the VM captures its output, so never a
/// terminal (as CPython's, under the harness, writes to a pipe).
fn stream_isatty(vm: &mut Vm, args: Args) -> PyResult<Value> {
    arity(vm, &args, "isatty", 1, 1)?;
    std_stream(vm, &args, "isatty")?;
    Ok(Value::Bool(false))
}

/// `code.replace(*, co_argcount=-1, …, co_exceptiontable=None)` (code_replace_impl): a
/// new code object with the given fields changed. The VM replaces what does not change
/// how the code runs — its names, file, first line, and the CO_ITERABLE_COROUTINE flag
/// (`types.coroutine`) — and is unsupported for the other fields and flags.
fn code_replace(vm: &mut Vm, args: Args) -> PyResult<Value> {
    const PARAMS: &[&str] = &[
        "co_argcount",
        "co_posonlyargcount",
        "co_kwonlyargcount",
        "co_nlocals",
        "co_stacksize",
        "co_flags",
        "co_firstlineno",
        "co_code",
        "co_consts",
        "co_names",
        "co_varnames",
        "co_freevars",
        "co_cellvars",
        "co_filename",
        "co_name",
        "co_qualname",
        "co_linetable",
        "co_exceptiontable",
    ];
    let Some(Value::Code(c)) = args.pos.first() else {
        return Err(vm.type_error("descriptor 'replace' for 'code' objects needs an argument"));
    };
    let c = c.clone();
    if args.pos.len() > 1 {
        return Err(vm.type_error("replace() takes no positional arguments"));
    }
    let given = Spec::function("replace", Style::Keywords, PARAMS, 0)
        .keywords(0, 0)
        .parse(vm, &args, 1)?;
    let arg = |name: &str| {
        PARAMS
            .iter()
            .position(|p| *p == name)
            .and_then(|i| given[i].clone())
    };
    // The int fields first, in the converters' order, then the str fields.
    let int_of = |vm: &mut Vm, name: &str, default: i64| -> PyResult<i64> {
        match arg(name) {
            Some(v) => Ok(i64::from(vm.c_int(&v)?)),
            None => Ok(default),
        }
    };
    let flags = int_of(vm, "co_flags", i64::from(c.co_flags))?;
    let firstlineno = int_of(vm, "co_firstlineno", i64::from(c.co_firstlineno))?;
    let str_of = |vm: &Vm, name: &str, default: &Rc<str>| -> PyResult<Rc<str>> {
        match arg(name) {
            Some(v) => match v.builtin_value() {
                Value::Str(s) if matches!(v, Value::Str(_)) => Ok(s.clone()),
                _ => {
                    let t = crate::runtime::builtins::type_name_of_arg(vm, &v);
                    Err(vm.type_error(format!("replace() argument '{name}' must be str, not {t}")))
                }
            },
            None => Ok(default.clone()),
        }
    };
    let filename = str_of(vm, "co_filename", &c.co_filename)?;
    let name = str_of(vm, "co_name", &c.co_name)?;
    let qualname = str_of(vm, "co_qualname", &c.co_qualname)?;
    for p in PARAMS {
        let handled = matches!(
            *p,
            "co_flags" | "co_firstlineno" | "co_filename" | "co_name" | "co_qualname"
        );
        if !handled && arg(p).is_some() {
            return Err(vm.unsupported(format!("code.replace({p}=...)")));
        }
    }
    if flags < 0 {
        return Err(vm.value_error("co_flags must be a positive integer"));
    }
    if firstlineno < 0 {
        return Err(vm.value_error("co_firstlineno must be a positive integer"));
    }
    let flags = flags as u32;
    if (flags ^ c.co_flags) & !crate::code::flags::CO_ITERABLE_COROUTINE != 0 {
        return Err(
            vm.unsupported("code.replace changing co_flags other than CO_ITERABLE_COROUTINE")
        );
    }
    Ok(Value::Code(Rc::new(crate::code::CodeObject {
        co_name: name,
        co_qualname: qualname,
        co_filename: filename,
        co_firstlineno: firstlineno as u32,
        co_argcount: c.co_argcount,
        co_posonlyargcount: c.co_posonlyargcount,
        co_kwonlyargcount: c.co_kwonlyargcount,
        co_flags: flags,
        co_stacksize: c.co_stacksize,
        co_code: c.co_code.clone(),
        co_consts: c.co_consts.clone(),
        co_names: c.co_names.clone(),
        co_localsplusnames: c.co_localsplusnames.clone(),
        co_localspluskinds: c.co_localspluskinds.clone(),
        co_linetable: c.co_linetable.clone(),
        co_exceptiontable: c.co_exceptiontable.clone(),
    })))
}
