//! Calling (spec: frames.creation.per-call): binding arguments into a new frame's fast
//! locals (CPython `initialize_locals`), and the generic call used by native code.

use std::rc::Rc;

use crate::code::flags;

use super::dict::Dict;
use super::eval::{self, Step};
use super::frame::Frame;
use super::interp::Vm;
use super::object::{Args, Function, Instance, PropertyKind, Value};
use super::types::Type;
use super::{PyResult, Throw};

impl Vm {
    /// Calls `callable` from native code and returns its result.
    pub fn call(&mut self, callable: &Value, args: Args) -> PyResult<Value> {
        match self.call_for_eval(callable, args)? {
            Callee::Frame(frame) => eval::run_entry_frame(self, frame),
            Callee::Done(v) => Ok(v),
        }
    }

    pub fn call0(&mut self, callable: &Value) -> PyResult<Value> {
        self.call(callable, Args::default())
    }

    pub fn call1(&mut self, callable: &Value, a: Value) -> PyResult<Value> {
        self.call(callable, Args::new(vec![a]))
    }

    /// The CALL instruction's path: Python functions become a frame to push (no Rust
    /// recursion); everything else runs now.
    pub fn call_step(&mut self, callable: &Value, args: Args) -> PyResult<Step> {
        match self.call_for_eval(callable, args)? {
            Callee::Frame(frame) => Ok(Step::Push(frame)),
            Callee::Done(v) => {
                self.top()?.push(v);
                Ok(Step::Continue)
            }
        }
    }

    fn call_for_eval(&mut self, callable: &Value, mut args: Args) -> PyResult<Callee> {
        match callable {
            Value::Function(func) => Ok(Callee::Frame(self.function_frame(func, args)?)),
            Value::Method(m) => {
                args.pos.insert(0, m.receiver.clone());
                let func = m.func.clone();
                self.call_for_eval(&func, args)
            }
            Value::Builtin(b) => {
                if let Some(owner) = b.owner {
                    // `__new__` is a static method taking the class (`tp_new_wrapper`).
                    if b.name != "__new__" {
                        self.check_receiver(owner, b.name, &args)?;
                    }
                    // A method of a built-in type works on a subclass instance's
                    // built-in value (see `subclass`); the special methods and
                    // `__init__` unwrap it themselves.
                    if let Some(Value::Object(o)) = args.pos.first() {
                        if owner == "dict"
                            && super::modules::collections::odict::dict_method_reaches(o, b.name)
                        {
                            return Err(self.unsupported(format!(
                                "dict.{} on an OrderedDict whose keys move_to_end moved \
                                 (CPython's dict order differs from the OrderedDict's)",
                                b.name
                            )));
                        }
                        if let Some(p) = &o.payload {
                            // partial's methods read the payload themselves: its
                            // `__reduce__` and `__setstate__` need the instance; so do
                            // super's (`__get__` calls the subclass).
                            if super::subclass::SUBCLASSABLE.contains(&owner)
                                && owner != "partial"
                                && owner != "super"
                                && b.name != "__init__"
                                // set_reduce names the subclass and reads its dict.
                                && !(b.name == "__reduce__" && matches!(owner, "set" | "frozenset"))
                                && !super::slots::is_wrapper(b.name)
                            {
                                args.pos[0] = p.clone();
                            }
                        }
                    }
                }
                // CPython's builtin and method-descriptor vectorcalls take a unit of the C
                // recursion budget (`_Py_EnterRecursiveCallTstate`).
                let f = b.func;
                let v = self.guarded(" while calling a Python object", |vm| f(vm, args))?;
                Ok(Callee::Done(v))
            }
            Value::Type(t) if vectorcall_type(t, &args) => {
                Ok(Callee::Done(self.call_type(t, args)?))
            }
            // `_PyObject_MakeTpCall`: a unit of the C recursion budget for the call.
            Value::Type(t) => {
                let v =
                    self.guarded(" while calling a Python object", |vm| vm.call_type(t, args))?;
                Ok(Callee::Done(v))
            }
            Value::Property(p) if p.kind == PropertyKind::StaticMethod => {
                let func = p.func.clone();
                self.call_for_eval(&func, args)
            }
            Value::Object(_) | Value::Native(_) => {
                let t = self.type_of(callable);
                match t.lookup("__call__") {
                    // slot_tp_call (lookup_method): a descriptor other than a function
                    // is bound first; the call takes a unit of the C recursion budget
                    // (_PyObject_MakeTpCall), so `C.__call__ = C()` ends in RecursionError.
                    Some(f) => match self.bind_special(&f, callable)? {
                        Some(bound) => {
                            let v = self.guarded(" while calling a Python object", |vm| {
                                vm.call(&bound, args)
                            })?;
                            Ok(Callee::Done(v))
                        }
                        None => {
                            args.pos.insert(0, callable.clone());
                            self.call_for_eval(&f, args)
                        }
                    },
                    None => Err(self.type_error(format!("'{}' object is not callable", t.name()))),
                }
            }
            other => {
                let name = self.type_of(other).name().clone();
                Err(self.type_error(format!("'{name}' object is not callable")))
            }
        }
    }

    /// A method descriptor's receiver must be an instance of its type (CPython
    /// `method_check_args`; `wrapperdescr_call` for the special methods, which CPython
    /// installs as slot wrappers).
    fn check_receiver(&self, owner: &str, name: &str, args: &Args) -> PyResult<()> {
        let wrapper = super::slots::wrapper_style(owner, name);
        // CPython's messages name the type's tp_name (`itertools.count`), which for most
        // built-in types is the registry key.
        let shown = self.ty(owner).name().clone();
        let Some(receiver) = args.pos.first() else {
            return Err(self.type_error(if wrapper {
                format!("descriptor '{name}' of '{shown}' object needs an argument")
            } else {
                format!("unbound method {shown}.{name}() needs an argument")
            }));
        };
        // A class method (`classmethod_descriptor`) receives a subclass of its type.
        if let Value::Type(cls) = receiver {
            if super::methods::is_class_method(owner, name) && cls.is_subtype(&self.ty(owner)) {
                return Ok(());
            }
        }
        let t = self.type_of(receiver);
        if t.is_subtype(&self.ty(owner)) {
            return Ok(());
        }
        Err(self.type_error(if wrapper {
            format!(
                "descriptor '{name}' requires a '{shown}' object but received a '{}'",
                t.name()
            )
        } else {
            format!(
                "descriptor '{name}' for '{shown}' objects doesn't apply to a '{}' object",
                t.name()
            )
        }))
    }

    /// A new frame for calling `func` with `args`. A generator function's frame runs up to
    /// RETURN_GENERATOR, which turns it into the generator object.
    pub fn function_frame(&mut self, func: &Rc<Function>, args: Args) -> PyResult<Frame> {
        // spec: frames.creation.per-call — one new frame per call; the recursion limit
        // counts Python frames (CPython `_Py_EnterRecursivePy`).
        if self.thread_depth() >= self.recursion_limit {
            return Err(self.err("RecursionError", "maximum recursion depth exceeded"));
        }
        let info = self.code_info(&func.code());
        let serial = self.serial();
        let mut frame = Frame::new(info, func.globals.clone(), func.builtins.clone(), serial);
        frame.func = Some(func.clone());
        self.bind_arguments(func, &mut frame, args)?;
        if frame.info.code.co_flags & flags::CO_OPTIMIZED == 0 {
            frame.locals = Some(Dict::new_rc());
        }
        Ok(frame)
    }

    /// Binds positional and keyword arguments, defaults, `*args` and `**kwargs` into the
    /// frame's fast locals, with CPython's error messages.
    fn bind_arguments(
        &mut self,
        func: &Rc<Function>,
        frame: &mut Frame,
        args: Args,
    ) -> PyResult<()> {
        let code = func.code().clone();
        let qualname = func.qualname.borrow().clone();
        let argcount = code.co_argcount as usize;
        let posonly = code.co_posonlyargcount as usize;
        let kwonly = code.co_kwonlyargcount as usize;
        let total = argcount + kwonly;
        let has_varargs = code.co_flags & flags::CO_VARARGS != 0;
        let has_varkw = code.co_flags & flags::CO_VARKEYWORDS != 0;
        let names = &code.co_localsplusnames;
        if frame.localsplus.len() < total + usize::from(has_varargs) + usize::from(has_varkw) {
            return Err(Throw::Bug(
                "too few localsplus slots for the arguments".into(),
            ));
        }
        let kwdict = if has_varkw {
            Some(Dict::new_rc())
        } else {
            None
        };
        if let Some(d) = &kwdict {
            frame.localsplus[total + usize::from(has_varargs)] = Some(Value::Dict(d.clone()));
        }
        let given = args.pos.len();
        for (i, v) in args.pos.iter().take(argcount).enumerate() {
            frame.localsplus[i] = Some(v.clone());
        }
        if has_varargs {
            let extra: Vec<Value> = args.pos.iter().skip(argcount).cloned().collect();
            frame.localsplus[total] = Some(Value::tuple(extra));
        } else if given > argcount {
            let defaults = func
                .defaults
                .borrow()
                .as_ref()
                .map(|d| d.len())
                .unwrap_or(0);
            let takes = if defaults > 0 {
                format!(
                    "from {} to {} positional arguments",
                    argcount - defaults.min(argcount),
                    argcount
                )
            } else {
                format!(
                    "{} positional argument{}",
                    argcount,
                    if argcount == 1 { "" } else { "s" }
                )
            };
            let was = if given == 1 { "was" } else { "were" };
            return Err(self.type_error(format!(
                "{qualname}() takes {takes} but {given} {was} given"
            )));
        }
        for (key, v) in args.kw {
            let slot = names.iter().take(total).position(|n| **n == *key);
            match slot {
                Some(i) if i >= posonly => {
                    if frame.localsplus[i].is_some() {
                        return Err(self.type_error(format!(
                            "{qualname}() got multiple values for argument '{key}'"
                        )));
                    }
                    frame.localsplus[i] = Some(v);
                }
                _ => match &kwdict {
                    Some(d) => d.set_str(&key, v),
                    None => {
                        if slot.is_some() {
                            return Err(self.type_error(format!(
                                "{qualname}() got some positional-only arguments passed as keyword arguments: '{key}'"
                            )));
                        }
                        return Err(self.type_error(format!(
                            "{qualname}() got an unexpected keyword argument '{key}'"
                        )));
                    }
                },
            }
        }
        // Defaults for the trailing positional parameters.
        let defaults = func.defaults.borrow().clone();
        if let Some(defaults) = &defaults {
            let first = argcount.saturating_sub(defaults.len());
            for i in first..argcount {
                if frame.localsplus[i].is_none() {
                    frame.localsplus[i] = defaults.get(i - first).cloned();
                }
            }
        }
        let missing: Vec<&str> = (0..argcount)
            .filter(|&i| frame.localsplus[i].is_none())
            .map(|i| &*names[i])
            .collect();
        if !missing.is_empty() {
            return Err(self.type_error(format!(
                "{qualname}() missing {} required positional argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                name_list(&missing)
            )));
        }
        let kwdefaults = func.kwdefaults.borrow().clone();
        for (slot, name) in frame.localsplus[argcount..total]
            .iter_mut()
            .zip(&names[argcount..total])
        {
            if slot.is_none() {
                *slot = kwdefaults.as_ref().and_then(|d| d.get_str(name));
            }
        }
        let missing: Vec<&str> = (argcount..total)
            .filter(|&i| frame.localsplus[i].is_none())
            .map(|i| &*names[i])
            .collect();
        if !missing.is_empty() {
            return Err(self.type_error(format!(
                "{qualname}() missing {} required keyword-only argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                name_list(&missing)
            )));
        }
        Ok(())
    }

    /// Calling a type: builtin constructors, or instantiating a user class and running its
    /// `__init__`.
    pub fn call_type(&mut self, t: &Rc<Type>, args: Args) -> PyResult<Value> {
        // `type_call` is the metaclass's `__call__` slot: a metaclass may override it.
        if let Some(meta) = &t.meta {
            if meta.overrides("__call__") {
                if let Some(f) = meta.lookup("__call__") {
                    let mut a = args;
                    a.pos.insert(0, Value::Type(t.clone()));
                    return self.call(&f, a);
                }
            }
        }
        self.call_type_default(t, args)
    }

    /// `type.__call__`: `__new__`, then `__init__` when it made an instance of `t`.
    pub fn call_type_default(&mut self, t: &Rc<Type>, args: Args) -> PyResult<Value> {
        if t.is_builtin() {
            return super::builtins::construct(self, t, args);
        }
        // By the bases' names: asked on every instance creation.
        if t.mro_rest
            .iter()
            .any(|b| b.is_builtin() && &*b.name() == "module")
        {
            return Err(self.unsupported("an instance of a subclass of module"));
        }
        if t.is_exception() && super::excgroup::is_group_type(self, t) {
            // BaseExceptionGroup_new for a subclass (its `derive`, `__init__` overrides).
            return Err(self.unsupported("a subclass of BaseExceptionGroup"));
        }
        if let Some(new) = t.lookup("__new__") {
            // `object.__new__` is the instance made below; any other (a class's own, or
            // a built-in base's, which makes the payload) is called with the class.
            if !is_object_method(&new) {
                let mut new_args = args.clone();
                new_args.pos.insert(0, Value::Type(t.clone()));
                let new = match new {
                    Value::Property(p) => p.func.clone(),
                    other => other,
                };
                let obj = self.call(&new, new_args)?;
                if self.type_of(&obj).is_subtype(t) {
                    self.init_instance(&obj, args)?;
                }
                return Ok(obj);
            }
        }
        self.check_abstract(t)?;
        let obj = self.new_instance(t, &args);
        self.init_instance(&obj, args)?;
        Ok(obj)
    }

    /// `object_new`'s `Py_TPFLAGS_IS_ABSTRACT` check: a class whose own
    /// `__abstractmethods__` is not empty cannot be instantiated.
    pub fn check_abstract(&mut self, t: &Rc<Type>) -> PyResult<()> {
        super::modules::io::iobase::check_instance(self, t)?;
        let Some(methods) = t.dict.get_str("__abstractmethods__") else {
            return Ok(());
        };
        let mut names: Vec<String> = Vec::new();
        for m in self.collect(&methods)? {
            names.push(format!("'{}'", self.str_of(&m)?));
        }
        if names.is_empty() {
            return Ok(());
        }
        names.sort();
        let s = if names.len() == 1 { "" } else { "s" };
        Err(self.type_error(format!(
            "Can't instantiate abstract class {} without an implementation for abstract method{s} {}",
            t.name(),
            names.join(", ")
        )))
    }

    pub fn new_instance(&self, t: &Rc<Type>, args: &Args) -> Value {
        if t.is_exception() {
            let exc = self.new_exception(t, args.pos.clone());
            return exc;
        }
        let obj = Value::Object(crate::runtime::gc::alloc(Instance {
            class: std::cell::RefCell::new(t.clone()),
            dict: Dict::new_rc(),
            exc: None,
            payload: None,
            slots: std::cell::RefCell::new(vec![None; t.nslots]),
        }));
        super::finalize::note(&obj);
        obj
    }

    fn init_instance(&mut self, obj: &Value, args: Args) -> PyResult<()> {
        let t = self.type_of(obj);
        match t.lookup("__init__") {
            Some(init @ Value::Function(_)) => {
                let mut a = args;
                a.pos.insert(0, obj.clone());
                let r = self.call(&init, a)?;
                if !r.is_none() {
                    let name = self.type_of(&r).name().clone();
                    return Err(
                        self.type_error(format!("__init__() should return None, not '{name}'"))
                    );
                }
                Ok(())
            }
            // `list.__init__`, `dict.__init__`, `set.__init__` fill a subclass
            // instance's payload.
            Some(init @ Value::Builtin(_))
                if !is_object_method(&init)
                    && (!t.is_exception()
                        || super::unicodeerror::is_init(&init)
                        || super::excmembers::is_init(&init)) =>
            {
                let mut a = args;
                a.pos.insert(0, obj.clone());
                self.call(&init, a)?;
                Ok(())
            }
            // `slot_tp_init` through `lookup_method`: any other descriptor (a property, a
            // staticmethod, a callable object) is bound with `__get__`, then called.
            Some(init) if !matches!(init, Value::Builtin(_)) => {
                let bound = self.descr_get(&init, Some(obj), &t)?;
                let r = self.call(&bound, args)?;
                if !r.is_none() {
                    let name = self.type_of(&r).name().clone();
                    return Err(
                        self.type_error(format!("__init__() should return None, not '{name}'"))
                    );
                }
                Ok(())
            }
            _ => {
                // `object_init`: extra arguments are an error unless `__new__` is not
                // object's.
                if !t.is_exception()
                    && (!args.pos.is_empty() || !args.kw.is_empty())
                    && t.lookup("__new__").is_none_or(|n| is_object_method(&n))
                {
                    return Err(self.type_error(format!("{}() takes no arguments", t.name())));
                }
                Ok(())
            }
        }
    }
}

/// Whether `v` is a method of `object` itself (`object.__new__`, `object.__init__`).
pub(super) fn is_object_method(v: &Value) -> bool {
    matches!(v, Value::Builtin(b) if b.owner == Some("object"))
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` (CPython `format_missing`).
fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

enum Callee {
    Frame(Frame),
    Done(Value),
}

/// The built-in types CPython 3.12 calls through their `tp_vectorcall`, which takes no unit
/// of the C recursion budget (read from each type's `tp_vectorcall` slot in 3.12.1); every
/// other type — the other built-in types, and every class, whose `tp_vectorcall` is NULL —
/// is called through `_PyObject_MakeTpCall`, which takes one. `type`'s own vectorcall
/// answers only `type(x)`: any other call of it falls back to `_PyObject_MakeTpCall`.
const VECTORCALL_TYPES: &[&str] = &[
    "bool",
    "dict",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "list",
    "map",
    "range",
    "reversed",
    "set",
    "super",
    "tuple",
];

/// Whether calling `t` with `args` goes through a `tp_vectorcall` (see
/// [`VECTORCALL_TYPES`]).
fn vectorcall_type(t: &Type, args: &Args) -> bool {
    if !t.is_builtin() {
        return false;
    }
    let name = t.name();
    if &*name == "type" {
        return args.pos.len() == 1 && args.kw.is_empty();
    }
    VECTORCALL_TYPES.contains(&&*name)
}
