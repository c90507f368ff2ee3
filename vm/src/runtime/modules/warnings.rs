//! `_warnings` (CPython `Python/_warnings.c`): the filters as a fresh CPython 3.12 has
//! them, and `warn`/`warn_explicit` as far as deciding what happens to a warning: the
//! `__warningregistry__` of the warning's module, the filters (the `warnings` module's
//! when it is imported, as `get_warnings_attr` reads them), then the action. An ignored
//! warning returns, an `error` one is raised, and one to show goes to
//! `warnings._showwarnmsg` when `warnings` is imported; without it CPython's C code
//! writes to stderr, which is unsupported so far.

use std::cell::Cell;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::types::Type;
use super::super::PyResult;

thread_local! {
    /// `filters_version`: bumped by `_filters_mutated`, it invalidates every registry.
    static FILTERS_VERSION: Cell<i64> = const { Cell::new(0) };
}

/// At the start of a run: a fresh interpreter's version.
pub fn reset() {
    FILTERS_VERSION.with(|v| v.set(0));
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    // `init_filters` without -W or -X dev.
    let filter = |action: &str, category: &str, module: Option<&str>| {
        Value::tuple(vec![
            Value::str(action),
            Value::None,
            Value::Type(vm.ty(category)),
            module.map_or(Value::None, Value::str),
            Value::Int(0),
        ])
    };
    let filters = vec![
        filter("default", "DeprecationWarning", Some("__main__")),
        filter("ignore", "DeprecationWarning", None),
        filter("ignore", "PendingDeprecationWarning", None),
        filter("ignore", "ImportWarning", None),
        filter("ignore", "ResourceWarning", None),
    ];
    d.set_str("filters", Value::list(filters));
    d.set_str("_defaultaction", Value::str("default"));
    d.set_str("_onceregistry", Value::Dict(Dict::new_rc()));
    super::add_functions(
        d,
        "_warnings",
        &[
            ("_filters_mutated", filters_mutated),
            ("warn", warn),
            ("warn_explicit", warn_explicit),
        ],
    );
}

/// `_filters_mutated()`: CPython bumps a version that invalidates the registries.
fn filters_mutated(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::method("_warnings", "_filters_mutated", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    FILTERS_VERSION.with(|v| v.set(v.get() + 1));
    Ok(Value::None)
}

/// `warn(message, category=None, stacklevel=1, source=None, *, skip_file_prefixes=())`.
fn warn(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [message, category, stacklevel, source, skip] = Spec::function(
        "warn",
        Style::Keywords,
        &[
            "message",
            "category",
            "stacklevel",
            "source",
            "skip_file_prefixes",
        ],
        1,
    )
    .keywords(0, 4)
    .bind(vm, &args, 0)?;
    let skip = match skip {
        None => Vec::new(),
        Some(Value::Tuple(t)) => t.to_vec(),
        Some(other) => {
            let n = super::super::builtins::type_name_of_arg(vm, &other);
            return Err(vm.type_error(format!(
                "warn() argument 'skip_file_prefixes' must be tuple, not {n}"
            )));
        }
    };
    let message = message.unwrap_or(Value::None);
    let category = get_category(vm, &message, category.unwrap_or(Value::None))?;
    let mut level = match &stacklevel {
        Some(v) => super::super::argspec::index(vm, v)?,
        None => 1,
    };
    if !skip.is_empty() {
        return Err(vm.unsupported("warnings.warn(skip_file_prefixes=...)"));
    }
    // setup_context: the frame `stacklevel` out (1 is the caller); from a frame that is
    // not importlib's, importlib's frames are skipped on the way.
    let internal = |vm: &Vm, index: usize| {
        let name = &vm.frames[index].info.code.co_filename;
        name.contains("importlib") && name.contains("_bootstrap")
    };
    // The running thread's frames only (a thread's bottom frame has no f_back).
    let base = vm.stack_base();
    let mut index = vm.frames.len().checked_sub(1).filter(|&i| i >= base);
    let skip_internal = level > 0 && index.is_some_and(|i| !internal(vm, i));
    while level > 1 {
        level -= 1;
        loop {
            index = index.and_then(|i| i.checked_sub(1)).filter(|&i| i >= base);
            match index {
                Some(i) if skip_internal && internal(vm, i) => {}
                _ => break,
            }
        }
    }
    // setup_context walks frame objects (PyThreadState_GetFrame, then PyFrame_GetBack
    // per level): every frame it passed now has one (spec: internals.frame-object).
    if let Some(top) = vm.frames.len().checked_sub(1).filter(|&t| t >= base) {
        for i in index.unwrap_or(base)..=top {
            vm.frame_object(i);
        }
    }
    // Beyond the outermost frame: the `sys` module's namespace, as file "sys", line 1.
    let (globals, filename, lineno) = match index {
        Some(i) => {
            let frame = &vm.frames[i];
            (
                frame.globals.clone(),
                Value::Str(frame.info.code.co_filename.clone()),
                i64::from(frame.current_line().unwrap_or(0)),
            )
        }
        None => match vm.modules.get_str("sys") {
            Some(Value::Module(m)) => (m.dict.clone(), Value::str("sys"), 1),
            _ => return Err(vm.bug("no sys module")),
        },
    };
    let registry = match globals.get_str("__warningregistry__") {
        Some(r) => r,
        None => {
            let r = Value::Dict(Dict::new_rc());
            globals.set_str("__warningregistry__", r.clone());
            r
        }
    };
    let module = match globals.get_str("__name__") {
        Some(m @ (Value::None | Value::Str(_))) => m,
        _ => Value::str("<string>"),
    };
    let source = source.unwrap_or(Value::None);
    warn_explicit_impl(
        vm, category, message, filename, lineno, module, registry, source,
    )
}

/// `warn_explicit(message, category, filename, lineno, module=None, registry=None,
/// module_globals=None, source=None)`.
fn warn_explicit(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [message, category, filename, lineno, module, registry, globals, source] = Spec::function(
        "warn_explicit",
        Style::Keywords,
        &[
            "message",
            "category",
            "filename",
            "lineno",
            "module",
            "registry",
            "module_globals",
            "source",
        ],
        4,
    )
    .keywords(0, 8)
    .bind(vm, &args, 0)?;
    let none = |v: Option<Value>| v.unwrap_or(Value::None);
    let filename = none(filename);
    if !matches!(filename.builtin_value(), Value::Str(_)) {
        let n = super::super::builtins::type_name_of_arg(vm, &filename);
        return Err(vm.type_error(format!(
            "warn_explicit() argument 'filename' must be str, not {n}"
        )));
    }
    let lineno = super::super::argspec::index(vm, &none(lineno))?;
    if !none(globals).is_none() {
        return Err(vm.unsupported("warnings.warn_explicit(module_globals=...)"));
    }
    let module = match module {
        Some(m) => m,
        // normalize_module: the file name without its `.py`.
        None => match filename.builtin_value() {
            Value::Str(f) => Value::str(f.strip_suffix(".py").unwrap_or(f)),
            _ => filename.clone(),
        },
    };
    warn_explicit_impl(
        vm,
        none(category),
        none(message),
        filename,
        lineno,
        module,
        none(registry),
        none(source),
    )
}

/// `PyErr_WarnExplicitObject(SyntaxWarning, message, filename, lineno, NULL, NULL)`, as
/// the compiler warns: no registry, the module named after the file (`normalize_module`).
pub fn warn_syntax(vm: &mut Vm, message: &str, filename: &str, lineno: u32) -> PyResult<()> {
    let category = Value::Type(vm.ty("SyntaxWarning"));
    let module = Value::str(filename.strip_suffix(".py").unwrap_or(filename));
    warn_explicit_impl(
        vm,
        category,
        Value::str(message),
        Value::str(filename),
        i64::from(lineno),
        module,
        Value::None,
        Value::None,
    )?;
    Ok(())
}

/// `get_category`: a Warning instance's own class, else `category` (UserWarning when
/// None), which must be a Warning subclass.
fn get_category(vm: &mut Vm, message: &Value, category: Value) -> PyResult<Value> {
    let warning = vm.ty("Warning");
    let own = vm.type_of(message);
    if own.is_subtype(&warning) {
        return Ok(Value::Type(own));
    }
    let category = if category.is_none() {
        Value::Type(vm.ty("UserWarning"))
    } else {
        category
    };
    match &category {
        Value::Type(t) if t.is_subtype(&warning) => Ok(category),
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!("category must be a Warning subclass, not '{n}'")))
        }
    }
}

/// `warn_explicit` of `_warnings.c`, up to showing the warning.
// The parameters are those of the C function, one each.
#[allow(clippy::too_many_arguments)]
fn warn_explicit_impl(
    vm: &mut Vm,
    category: Value,
    message: Value,
    filename: Value,
    lineno: i64,
    module: Value,
    registry: Value,
    source: Value,
) -> PyResult<Value> {
    if module.is_none() {
        return Ok(Value::None);
    }
    let registry = match &registry {
        Value::None => None,
        Value::Dict(d) => Some(d.clone()),
        _ => return Err(vm.type_error("'registry' must be a dict or None")),
    };
    let warning = vm.ty("Warning");
    let (text, category, message) = if vm.type_of(&message).is_subtype(&warning) {
        let text = Value::str(&vm.str_of(&message)?);
        (text, Value::Type(vm.type_of(&message)), message)
    } else {
        let instance = vm.call1(&category, message.clone())?;
        (message, category, instance)
    };
    let key = Value::tuple(vec![text.clone(), category.clone(), Value::Int(lineno)]);
    if let Some(reg) = &registry {
        if already_warned(vm, reg, &key)? {
            return Ok(Value::None);
        }
    }
    let Value::Type(cat) = &category else {
        return Err(vm.bug("a warning category that is not a class"));
    };
    let (action, item) = get_filter(vm, cat, &text, lineno, &module)?;
    match &*action {
        "error" => return Err(vm.raise(message)),
        "ignore" => return Ok(Value::None),
        _ => {}
    }
    // Remember the warning, except for "always"; "once" and "module" also by
    // (text, category), so the same warning from another line is not shown again.
    let mut shown_before = false;
    if &*action != "always" {
        if let Some(reg) = &registry {
            vm.dict_set(reg, key, Value::Bool(true))?;
        }
        let by_text = Value::tuple(vec![text.clone(), category.clone()]);
        match &*action {
            "once" => {
                let once = match &registry {
                    Some(r) => r.clone(),
                    None => once_registry(vm)?,
                };
                shown_before = update_registry(vm, &once, by_text)?;
            }
            "module" => {
                if let Some(reg) = &registry {
                    shown_before = update_registry(vm, reg, by_text)?;
                }
            }
            "default" => {}
            _ => {
                let (a, i) = (vm.repr(&Value::Str(action.clone()))?, vm.repr(&item)?);
                return Err(vm.err(
                    "RuntimeError",
                    format!("Unrecognized action ({a}) in warnings.filters:\n {i}"),
                ));
            }
        }
    }
    if shown_before {
        return Ok(Value::None);
    }
    call_show_warning(vm, category, message, filename, lineno, source)?;
    Ok(Value::None)
}

/// `update_registry`: `already_warned` that records the key when it is new.
fn update_registry(vm: &mut Vm, registry: &Rc<Dict>, key: Value) -> PyResult<bool> {
    if already_warned(vm, registry, &key)? {
        return Ok(true);
    }
    vm.dict_set(registry, key, Value::Bool(true))?;
    Ok(false)
}

/// `get_once_registry`: the `warnings` module's `onceregistry` when it is imported.
fn once_registry(vm: &mut Vm) -> PyResult<Rc<Dict>> {
    let value = match warnings_attr(vm, "onceregistry")? {
        Some(v) => v,
        None => match vm.modules.get_str("_warnings") {
            Some(m) => vm.getattr(&m, "_onceregistry")?,
            None => return Err(vm.bug("no _warnings module")),
        },
    };
    match value.builtin_value() {
        Value::Dict(d) => Ok(d.clone()),
        _ => {
            let n = vm.type_of(&value).name().clone();
            Err(vm.type_error(format!("_warnings.onceregistry must be a dict, not '{n}'")))
        }
    }
}

/// `call_show_warning`: with the `warnings` module imported, its `_showwarnmsg` gets a
/// `WarningMessage` (Python code: it may record the warning, as `catch_warnings(record=True)`
/// does, or format and write it). Without it, CPython's C `show_warning` writes to
/// stderr, which the VM does not do yet.
fn call_show_warning(
    vm: &mut Vm,
    category: Value,
    message: Value,
    filename: Value,
    lineno: i64,
    source: Value,
) -> PyResult<()> {
    let Some(show) = warnings_attr(vm, "_showwarnmsg")? else {
        return Err(vm.unsupported(
            "showing a warning before the warnings module is imported (_warnings.c's show_warning)",
        ));
    };
    if !super::super::builtins::is_callable(vm, &show) {
        return Err(vm.type_error("warnings._showwarnmsg() must be set to a callable"));
    }
    let Some(class) = warnings_attr(vm, "WarningMessage")? else {
        return Err(vm.err("RuntimeError", "unable to get warnings.WarningMessage"));
    };
    let msg = vm.call(
        &class,
        Args::new(vec![
            message,
            category,
            filename,
            Value::Int(lineno),
            Value::None,
            Value::None,
            source,
        ]),
    )?;
    vm.call1(&show, msg)?;
    Ok(())
}

/// `get_warnings_attr` without importing: the attribute of `sys.modules['warnings']`.
fn warnings_attr(vm: &mut Vm, name: &str) -> PyResult<Option<Value>> {
    let Some(w) = vm.modules.get_str("warnings") else {
        return Ok(None);
    };
    match vm.getattr(&w, name) {
        Ok(v) => Ok(Some(v)),
        Err(super::super::Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `already_warned` without setting: a registry of another filters version is cleared
/// and stamped with this one.
fn already_warned(vm: &mut Vm, registry: &Rc<Dict>, key: &Value) -> PyResult<bool> {
    let version = FILTERS_VERSION.with(Cell::get);
    let current = matches!(registry.get_str("version"), Some(Value::Int(v)) if v == version);
    if !current {
        registry.clear();
        registry.set_str("version", Value::Int(version));
        return Ok(false);
    }
    match vm.dict_get(registry, key)? {
        Some(v) => vm.truthy(&v),
        None => Ok(false),
    }
}

/// `get_filter`: the action of the first filter that matches and the filter, else the
/// default action (and None).
fn get_filter(
    vm: &mut Vm,
    category: &Rc<Type>,
    text: &Value,
    lineno: i64,
    module: &Value,
) -> PyResult<(Rc<str>, Value)> {
    let filters = match warnings_attr(vm, "filters")? {
        Some(Value::List(l)) => l,
        Some(_) => return Err(vm.value_error("_warnings.filters must be a list")),
        None => match vm
            .modules
            .get_str("_warnings")
            .map(|m| vm.getattr(&m, "filters"))
        {
            Some(Ok(Value::List(l))) => l,
            _ => return Err(vm.unsupported("the _warnings filters replaced")),
        },
    };
    let mut i = 0;
    loop {
        let item = filters.items.borrow().get(i).cloned();
        let Some(item) = item else { break };
        let Value::Tuple(parts) = item.builtin_value().clone() else {
            return Err(vm.value_error(format!("_warnings.filters item {i} isn't a 5-tuple")));
        };
        let [action, msg, cat, mod_, ln] = &parts[..] else {
            return Err(vm.value_error(format!("_warnings.filters item {i} isn't a 5-tuple")));
        };
        let Value::Str(action) = action.builtin_value().clone() else {
            let n = vm.type_of(action).name().clone();
            return Err(vm.type_error(format!("action must be a string, not '{n}'")));
        };
        let good_msg = check_matched(vm, msg, text)?;
        let good_mod = check_matched(vm, mod_, module)?;
        let is_subclass = super::super::builtins::is_subclass(vm, category, cat)?;
        let ln = super::super::argspec::index(vm, ln)?;
        if good_msg && is_subclass && good_mod && (ln == 0 || ln == lineno) {
            return Ok((action, item));
        }
        i += 1;
    }
    let default = match warnings_attr(vm, "defaultaction")? {
        Some(v) => v,
        None => Value::str("default"),
    };
    match default.builtin_value() {
        Value::Str(s) => Ok((s.clone(), Value::None)),
        _ => {
            let n = vm.type_of(&default).name().clone();
            Err(vm.type_error(format!(
                "_warnings.defaultaction must be a string, not '{n}'"
            )))
        }
    }
}

/// Whether the filters ignore a warning of `category` that CPython's shutdown gives
/// (no frame: module `sys`, line 1) whatever its message; `None` when a filter with a
/// message pattern could decide, which needs the message.
pub fn ignored_at_exit(vm: &mut Vm, category: &str) -> PyResult<Option<bool>> {
    let t = vm.ty(category);
    let (action, item) = get_filter(vm, &t, &Value::str(""), 1, &Value::str("sys"))?;
    if let Some(Value::List(filters)) = warnings_attr(vm, "filters")? {
        let items = filters.items.borrow().clone();
        for f in items {
            if f.is(&item) {
                break;
            }
            if let Value::Tuple(p) = f.builtin_value() {
                if p.len() == 5 && !p[1].is_none() {
                    return Ok(None);
                }
            }
        }
    }
    if let Value::Tuple(p) = item.builtin_value() {
        if p.len() == 5 && !p[1].is_none() {
            return Ok(None);
        }
    }
    Ok(Some(&*action == "ignore"))
}

/// `check_matched`: None matches anything, an exact str (the built-in default filters')
/// must be equal, anything else is a pattern whose `match` decides.
fn check_matched(vm: &mut Vm, pattern: &Value, arg: &Value) -> PyResult<bool> {
    match pattern {
        Value::None => Ok(true),
        Value::Str(p) => Ok(matches!(arg.builtin_value(), Value::Str(a) if a == p)),
        _ => {
            let m = vm.getattr(pattern, "match")?;
            let r = vm.call1(&m, arg.clone())?;
            vm.truthy(&r)
        }
    }
}

/// `PyErr_WarnEx(category, message, 1)` from native code: `warnings.warn` as if called
/// by the running Python frame.
pub fn warn_native(vm: &mut Vm, category: &str, message: String) -> PyResult<()> {
    let category = Value::Type(vm.ty(category));
    warn(vm, Args::new(vec![Value::str(&message), category])).map(|_| ())
}

/// `PyErr_WarnFormat(source, category, 1, …)`: [`warn_native`] with the object the warning
/// is about (the `source` a `WarningMessage` carries, whose allocation traceback
/// tracemalloc would show).
pub fn warn_native_source(
    vm: &mut Vm,
    category: &str,
    message: String,
    source: Value,
) -> PyResult<()> {
    let category = Value::Type(vm.ty(category));
    let args = vec![Value::str(&message), category, Value::Int(1), source];
    warn(vm, Args::new(args)).map(|_| ())
}
