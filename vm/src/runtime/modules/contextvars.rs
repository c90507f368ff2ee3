//! `_contextvars` (CPython `Modules/_contextvarsmodule.c`, the types of
//! `Python/context.c`): Context, ContextVar and Token, and `copy_context()`.
//!
//! A context maps context variables to values. CPython keeps the mapping in an immutable
//! HAMT, so copying a context is cheap and a `set` makes a new mapping; the VM keeps a
//! vector of (variable, value) pairs per context, copied by `copy()` and
//! `copy_context()`, which observes the same. The current context is per thread
//! (`State::current`, CPython's `tstate->context`), made empty on first use
//! (`context_get`). Iterating a context of more than one variable is unsupported: CPython
//! iterates its HAMT in the order of the variables' address-derived hashes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, NativeFn, Value};
use super::super::PyResult;

/// The types `_contextvars` holds, by the VM's names for them.
pub const TYPES: &[&str] = &["Context", "ContextVar", "Token"];

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str("Context Variables"));
    super::add_functions(d, "_contextvars", FUNCTIONS);
}

/// `_contextvars_exec`, after importlib set `__file__`: the three types.
pub fn exec(vm: &Vm, d: &Rc<Dict>) {
    if d.get_str("Context").is_some() {
        return;
    }
    for &name in TYPES {
        d.set_str(name, Value::Type(vm.ty(name)));
    }
    install(vm);
}

/// The current context of each thread, by thread identity (`tstate->context`).
#[derive(Debug, Default)]
pub struct State {
    current: HashMap<i64, Value>,
}

/// `PyContext`: its variables and whether it is entered (`ctx_entered`), with the
/// context it replaced (`ctx_prev`).
#[derive(Debug, Default)]
pub struct Context {
    vars: RefCell<Vec<(Value, Value)>>,
    entered: Cell<bool>,
    prev: RefCell<Option<Value>>,
}

/// `PyContextVar`: its name and default (`None` when it has none).
#[derive(Debug)]
pub struct ContextVar {
    name: Value,
    default: Option<Value>,
}

/// `PyContextToken`: the context and variable of a `set`, the value it replaced (`None`
/// for `Token.MISSING`), and whether `reset` used it.
#[derive(Debug)]
pub struct Token {
    ctx: Value,
    var: Value,
    old: Option<Value>,
    used: Cell<bool>,
}

fn new_context(vars: Vec<(Value, Value)>) -> Value {
    Value::Native(super::super::gc::alloc(Native::Context(Rc::new(Context {
        vars: RefCell::new(vars),
        ..Default::default()
    }))))
}

/// At teardown (see `gc`): the variables and values a context holds, moved out.
pub fn clear_into(n: &Native, out: &mut Vec<Value>) {
    if let Native::Context(c) = n {
        if let Ok(mut vars) = c.vars.try_borrow_mut() {
            for (k, v) in vars.drain(..) {
                out.push(k);
                out.push(v);
            }
        }
        if let Ok(mut p) = c.prev.try_borrow_mut() {
            out.extend(p.take());
        }
    }
}

fn context_of(v: &Value) -> Option<&Rc<Context>> {
    match v {
        Value::Native(n) => match &**n {
            Native::Context(c) => Some(c),
            _ => None,
        },
        _ => None,
    }
}

fn var_of(v: &Value) -> Option<&ContextVar> {
    match v {
        Value::Native(n) => match &**n {
            Native::ContextVar(c) => Some(c),
            _ => None,
        },
        _ => None,
    }
}

/// `context_get`: the thread's current context, made empty the first time.
fn current(vm: &mut Vm) -> Value {
    let ident = vm.thread_ident;
    vm.contexts
        .current
        .entry(ident)
        .or_insert_with(|| new_context(Vec::new()))
        .clone()
}

/// A thread ended: its current context goes (`tstate->context` cleared).
pub fn forget_thread(vm: &mut Vm, ident: i64) {
    vm.contexts.current.remove(&ident);
}

/// `PyContext_CopyCurrent`: a new context with the current one's variables.
pub fn copy_current(vm: &mut Vm) -> Value {
    let cur = current(vm);
    let vars = context_of(&cur)
        .map(|c| c.vars.borrow().clone())
        .unwrap_or_default();
    new_context(vars)
}

/// `_PyContext_Enter`: `ctx` becomes the thread's current context.
pub fn enter(vm: &mut Vm, ctx: &Value) -> PyResult<()> {
    let Some(c) = context_of(ctx) else {
        return Err(vm.bug("entering a context that is not one"));
    };
    if c.entered.get() {
        let r = vm.repr(ctx)?;
        return Err(vm.err(
            "RuntimeError",
            format!("cannot enter context: {r} is already entered"),
        ));
    }
    let prev = current(vm);
    *c.prev.borrow_mut() = Some(prev);
    c.entered.set(true);
    let ident = vm.thread_ident;
    vm.contexts.current.insert(ident, ctx.clone());
    Ok(())
}

/// `_PyContext_Exit`: the context `ctx` replaced is current again.
pub fn exit(vm: &mut Vm, ctx: &Value) -> PyResult<()> {
    let Some(c) = context_of(ctx) else {
        return Err(vm.bug("leaving a context that is not one"));
    };
    let prev = c.prev.borrow_mut().take();
    c.entered.set(false);
    let ident = vm.thread_ident;
    match prev {
        Some(p) => {
            vm.contexts.current.insert(ident, p);
        }
        None => {
            vm.contexts.current.remove(&ident);
        }
    }
    Ok(())
}

/// `context_run`: enters the context, calls, leaves it whatever the call did.
fn run(vm: &mut Vm, mut args: Args) -> PyResult<Value> {
    let me = args.pos.remove(0);
    if args.pos.is_empty() {
        return Err(vm.type_error("run() missing 1 required positional argument"));
    }
    let f = args.pos.remove(0);
    enter(vm, &me)?;
    let r = vm.call(&f, args);
    exit(vm, &me)?;
    r
}

fn me_context(vm: &Vm, args: &Args) -> PyResult<Rc<Context>> {
    args.pos
        .first()
        .and_then(context_of)
        .cloned()
        .ok_or_else(|| vm.bug("a Context method without a Context"))
}

/// A context's value for the variable `key` (identity, as the HAMT compares variables).
fn lookup(c: &Context, key: &Value) -> Option<Value> {
    c.vars
        .borrow()
        .iter()
        .find(|(k, _)| k.is(key))
        .map(|(_, v)| v.clone())
}

/// The key check of the mapping methods (`context_tp_subscript` and kin).
fn check_key(vm: &mut Vm, key: &Value) -> PyResult<()> {
    if var_of(key).is_none() {
        let r = vm.repr(key)?;
        return Err(vm.type_error(format!("a ContextVar key was expected, got {r}")));
    }
    Ok(())
}

fn context_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.len() > 1 || !args.kw.is_empty() {
        return Err(vm.type_error("Context() does not accept any arguments"));
    }
    Ok(new_context(Vec::new()))
}

fn getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let [key] =
        Spec::method("Context", "__getitem__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let key = key.unwrap_or_default();
    check_key(vm, &key)?;
    match lookup(&c, &key) {
        Some(v) => Ok(v),
        None => Err(vm.err_args("KeyError", vec![key])),
    }
}

fn contains(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let [key] =
        Spec::method("Context", "__contains__", Style::Wrapper, &["key"], 1).bind(vm, &args, 1)?;
    let key = key.unwrap_or_default();
    check_key(vm, &key)?;
    Ok(Value::Bool(lookup(&c, &key).is_some()))
}

/// `_contextvars_Context_get_impl(key, default=None)`.
fn get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let [key, default] = Spec::method("Context", "get", Style::Positional, &["key", "default"], 1)
        .bind(vm, &args, 1)?;
    let key = key.unwrap_or_default();
    check_key(vm, &key)?;
    Ok(lookup(&c, &key).unwrap_or(default.unwrap_or(Value::None)))
}

fn len(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let n = c.vars.borrow().len();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// The context's variables in CPython's order, which the VM knows for up to one.
fn ordered(vm: &Vm, c: &Context) -> PyResult<Vec<(Value, Value)>> {
    let vars = c.vars.borrow().clone();
    if vars.len() > 1 {
        return Err(vm.unsupported(
            "iterating a Context of several variables (CPython's HAMT order is by address)",
        ));
    }
    Ok(vars)
}

fn list_iter(vm: &mut Vm, items: Vec<Value>) -> PyResult<Value> {
    let l = Value::list(items);
    vm.iter(&l)
}

fn iter(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let keys = ordered(vm, &c)?.into_iter().map(|(k, _)| k).collect();
    list_iter(vm, keys)
}

fn keys(vm: &mut Vm, args: Args) -> PyResult<Value> {
    iter(vm, args)
}

fn values(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let vals = ordered(vm, &c)?.into_iter().map(|(_, v)| v).collect();
    list_iter(vm, vals)
}

fn items(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let pairs = ordered(vm, &c)?
        .into_iter()
        .map(|(k, v)| Value::tuple(vec![k, v]))
        .collect();
    list_iter(vm, pairs)
}

fn copy(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let vars = c.vars.borrow().clone();
    Ok(new_context(vars))
}

/// `context_tp_richcompare`: equal when both map the same variables to equal values.
fn eq(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let c = me_context(vm, &args)?;
    let Some(other) = args.pos.get(1).and_then(context_of).cloned() else {
        return Ok(Value::NotImplemented);
    };
    let a = c.vars.borrow().clone();
    let b = other.vars.borrow().clone();
    if a.len() != b.len() {
        return Ok(Value::Bool(false));
    }
    for (k, v) in &a {
        let Some((_, w)) = b.iter().find(|(k2, _)| k2.is(k)) else {
            return Ok(Value::Bool(false));
        };
        if !vm.eq(v, w)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn ne(vm: &mut Vm, args: Args) -> PyResult<Value> {
    match eq(vm, args)? {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        other => Ok(other),
    }
}

fn not_ordered(_vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Ok(Value::NotImplemented)
}

/// `contextvar_tp_new(name, *, default=<unset>)`.
fn var_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [name, default] = Spec {
        name: "ContextVar",
        owner: None,
        style: Style::Keywords,
        params: &["name", "default"],
        posonly: 0,
        maxpos: 1,
        required: 1,
    }
    .bind(vm, &args, 1)?;
    let name = name.unwrap_or_default();
    if !matches!(name, Value::Str(_)) {
        return Err(vm.type_error("context variable name must be a str"));
    }
    Ok(Value::Native(Rc::new(Native::ContextVar(ContextVar {
        name,
        default,
    }))))
}

fn me_var<'a>(vm: &Vm, args: &'a Args) -> PyResult<&'a ContextVar> {
    args.pos
        .first()
        .and_then(var_of)
        .ok_or_else(|| vm.bug("a ContextVar method without a ContextVar"))
}

/// `ContextVar.get([default])`: the current context's value, else the argument, else the
/// variable's default, else LookupError.
fn var_get(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [default] =
        Spec::method("ContextVar", "get", Style::Positional, &["default"], 0).bind(vm, &args, 1)?;
    let me = args.pos[0].clone();
    let cur = current(vm);
    if let Some(v) = context_of(&cur).and_then(|c| lookup(c, &me)) {
        return Ok(v);
    }
    if let Some(d) = default {
        return Ok(d);
    }
    if let Some(d) = &me_var(vm, &args)?.default {
        return Ok(d.clone());
    }
    Err(vm.err_args("LookupError", vec![me]))
}

/// `ContextVar.set(value)`: the new value in the current context; the Token to undo it.
fn var_set(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.len() != 2 || !args.kw.is_empty() {
        let given = args.pos.len().saturating_sub(1);
        if !args.kw.is_empty() {
            return Err(vm.type_error("ContextVar.set() takes no keyword arguments"));
        }
        return Err(vm.type_error(format!(
            "ContextVar.set() takes exactly one argument ({given} given)"
        )));
    }
    let me = args.pos[0].clone();
    let value = args.pos[1].clone();
    let ctx = current(vm);
    let Some(c) = context_of(&ctx) else {
        return Err(vm.bug("the current context is not a Context"));
    };
    let old = lookup(c, &me);
    {
        let mut vars = c.vars.borrow_mut();
        match vars.iter_mut().find(|(k, _)| k.is(&me)) {
            Some(slot) => slot.1 = value,
            None => vars.push((me.clone(), value)),
        }
    }
    Ok(Value::Native(Rc::new(Native::Token(Token {
        ctx: ctx.clone(),
        var: me,
        old,
        used: Cell::new(false),
    }))))
}

/// `ContextVar.reset(token)`: the value the token's `set` replaced, back.
fn var_reset(vm: &mut Vm, args: Args) -> PyResult<Value> {
    if args.pos.len() != 2 || !args.kw.is_empty() {
        let given = args.pos.len().saturating_sub(1);
        return Err(vm.type_error(format!(
            "ContextVar.reset() takes exactly one argument ({given} given)"
        )));
    }
    let me = args.pos[0].clone();
    let tok = args.pos[1].clone();
    let Some(t) = token_of(&tok) else {
        let r = vm.repr(&tok)?;
        return Err(vm.type_error(format!("expected an instance of Token, got {r}")));
    };
    let r = vm.repr(&tok)?;
    if t.used.get() {
        return Err(vm.err("RuntimeError", format!("{r} has already been used once")));
    }
    if !t.var.is(&me) {
        return Err(vm.value_error(format!("{r} was created by a different ContextVar")));
    }
    let ctx = current(vm);
    if !t.ctx.is(&ctx) {
        return Err(vm.value_error(format!("{r} was created in a different Context")));
    }
    t.used.set(true);
    if let Some(c) = context_of(&ctx) {
        let mut vars = c.vars.borrow_mut();
        match &t.old {
            Some(old) => match vars.iter_mut().find(|(k, _)| k.is(&me)) {
                Some(slot) => slot.1 = old.clone(),
                None => vars.push((me.clone(), old.clone())),
            },
            None => vars.retain(|(k, _)| !k.is(&me)),
        }
    }
    Ok(Value::None)
}

fn token_of(v: &Value) -> Option<&Token> {
    match v {
        Value::Native(n) => match &**n {
            Native::Token(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn token_new(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.err("RuntimeError", "Tokens can only be created by ContextVars"))
}

/// `Token.MISSING`'s value: the marker object CPython's `_PyContextTokenMissing_Type`
/// makes, here a class attribute set once (`<Token.MISSING>`).
fn missing(vm: &Vm) -> Value {
    vm.ty("Token")
        .dict
        .get_str("MISSING")
        .unwrap_or(Value::None)
}

/// The fields of the three types (`name`, `var`, `old_value`).
pub fn attr(vm: &Vm, n: &Native, name: &str) -> Option<Value> {
    match (n, name) {
        (Native::ContextVar(v), "name") => Some(v.name.clone()),
        (Native::Token(t), "var") => Some(t.var.clone()),
        (Native::Token(t), "old_value") => Some(t.old.clone().unwrap_or_else(|| missing(vm))),
        _ => None,
    }
}

/// The reprs of the three types.
pub fn repr(vm: &mut Vm, v: &Value, n: &Native) -> PyResult<String> {
    Ok(match n {
        Native::Context(_) => format!("<_contextvars.Context object at {:#x}>", v.address()),
        Native::ContextVar(c) => {
            let name = vm.repr(&c.name)?;
            let default = match &c.default {
                Some(d) => format!(" default={}", vm.repr(d)?),
                None => String::new(),
            };
            format!("<ContextVar name={name}{default} at {:#x}>", v.address())
        }
        Native::Token(t) => {
            let used = if t.used.get() { " used" } else { "" };
            let var = vm.repr(&t.var)?;
            format!("<Token{used} var={var} at {:#x}>", v.address())
        }
        _ => return Err(vm.bug("a contextvars repr of another object")),
    })
}

/// `Token.MISSING` and Context's `__hash__ = None`, put in place when the module is first
/// executed.
pub fn install(vm: &Vm) {
    // `PyContext_Type` defines `__eq__` and no hash: its objects are unhashable.
    let ctx = vm.ty("Context");
    if ctx.dict.get_str("__hash__").is_none() {
        ctx.dict.set_str("__hash__", Value::None);
    }
    let tok = vm.ty("Token");
    if tok.dict.get_str("MISSING").is_none() {
        tok.dict
            .set_str("MISSING", Value::Native(Rc::new(Native::TokenMissing)));
    }
}

fn copy_context(vm: &mut Vm, args: Args) -> PyResult<Value> {
    Spec::function("_contextvars.copy_context", Style::NoArgs, &[], 0).parse(vm, &args, 0)?;
    Ok(copy_current(vm))
}

pub const FUNCTIONS: &[(&str, NativeFn)] = &[("copy_context", copy_context)];

/// The methods of CPython's three types.
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("Context", "__new__", context_new),
    ("Context", "__contains__", contains),
    ("Context", "__eq__", eq),
    ("Context", "__ne__", ne),
    ("Context", "__lt__", not_ordered),
    ("Context", "__le__", not_ordered),
    ("Context", "__gt__", not_ordered),
    ("Context", "__ge__", not_ordered),
    ("Context", "__getitem__", getitem),
    ("Context", "__iter__", iter),
    ("Context", "__len__", len),
    ("Context", "copy", copy),
    ("Context", "get", get),
    ("Context", "items", items),
    ("Context", "keys", keys),
    ("Context", "run", run),
    ("Context", "values", values),
    ("ContextVar", "__new__", var_new),
    ("ContextVar", "get", var_get),
    ("ContextVar", "reset", var_reset),
    ("ContextVar", "set", var_set),
    ("Token", "__new__", token_new),
];

/// `__class_getitem__(item)` of ContextVar and Token (`Py_GenericAlias`).
fn class_getitem(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [item] = Spec::method("ContextVar", "__class_getitem__", Style::O, &["item"], 1)
        .bind::<1>(vm, &args, 1)?;
    let item = item.ok_or_else(|| vm.bug("__class_getitem__ without its argument"))?;
    Ok(super::super::genericalias::alias(
        args.pos[0].clone(),
        &item,
    ))
}

/// `METH_CLASS` methods.
pub const CLASS_METHODS: &[(&str, &str, NativeFn)] = &[
    ("ContextVar", "__class_getitem__", class_getitem),
    ("Token", "__class_getitem__", class_getitem),
];
