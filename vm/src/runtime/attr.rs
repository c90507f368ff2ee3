//! Attribute lookup and assignment for every object kind, including the frame
//! (spec chapter `frames`), code, function, traceback and exception attributes.

use std::rc::Rc;

use crate::code::kinds;

use super::dict::Dict;
use super::interp::Vm;
use super::object::{Args, NativeFn, PropertyKind, Value};
use super::reach;
use super::{PyResult, Throw};

/// The module of importlib's loader classes; the VM models only `__main__.__loader__`'s
/// `name` and `path`.
pub const IMPORTLIB_MODULE: &str = "_frozen_importlib_external";

/// A type the VM builds in whose CPython counterpart is a mutable heap type (`_ast.AST`,
/// made by `PyType_FromSpec` without `Py_TPFLAGS_IMMUTABLETYPE`): a program may set and
/// delete its attributes.
fn heap_builtin(t: &super::types::Type) -> bool {
    &*t.name() == "ast.AST"
}

impl Vm {
    /// The attribute `name` of `v` is missing here: unsupported when CPython 3.12 has it
    /// (through the type, or the module, the VM models), else the AttributeError CPython
    /// raises.
    fn no_attr(&self, v: &Value, name: &str) -> Throw {
        if let Some(owner) = self.cpython_owner_of(v, name) {
            return self.unsupported(format!("the attribute {owner}.{name}"));
        }
        let msg = match v {
            Value::Module(m) => format!("module '{}' has no attribute '{name}'", m.name),
            // type_getattro names the type by its tp_name.
            Value::Type(t) => format!("type object '{}' has no attribute '{name}'", t.name()),
            other => format!(
                "'{}' object has no attribute '{name}'",
                self.type_of(other).name()
            ),
        };
        let exc = self.new_exception(&self.ty("AttributeError"), vec![Value::str(&msg)]);
        // `set_attribute_error_context`: the name and the object.
        super::excmembers::set(self, &exc, "name", Some(Value::str(name)));
        super::excmembers::set(self, &exc, "obj", Some(v.clone()));
        self.raise(exc)
    }

    /// The AttributeError of a module (`v`, with namespace `dict`) that lacks `name` and
    /// has no `__getattr__`, worded as `_Py_module_getattro_impl` words it: by the
    /// `__name__` in its dict, saying "partially initialized" while its `__spec__` is
    /// `_initializing` (its code is still running: a circular import), or that a
    /// submodule being imported cannot be accessed yet.
    fn module_no_attr(&mut self, v: &Value, dict: &Rc<Dict>, name: &str) -> Throw {
        if self.cpython_owner_of(v, name).is_some()
            && !super::modules::asyncio::registry_pending(v, name)
        {
            return self.no_attr(v, name);
        }
        let msg = match dict.get_str("__name__") {
            Some(Value::Str(module)) => {
                let spec = dict.get_str("__spec__");
                let initializing = match &spec {
                    Some(spec) => match self.spec_flag(spec, "_initializing", None) {
                        Ok(b) => b,
                        Err(e) => return e,
                    },
                    None => false,
                };
                let submodule = match (&spec, initializing) {
                    (Some(spec), false) => {
                        match self.spec_flag(spec, "_uninitialized_submodules", Some(name)) {
                            Ok(b) => b,
                            Err(e) => return e,
                        }
                    }
                    _ => false,
                };
                if initializing {
                    format!(
                        "partially initialized module '{module}' has no attribute '{name}' \
                         (most likely due to a circular import)"
                    )
                } else if submodule {
                    format!(
                        "cannot access submodule '{name}' of module '{module}' \
                         (most likely due to a circular import)"
                    )
                } else {
                    format!("module '{module}' has no attribute '{name}'")
                }
            }
            _ => format!("module has no attribute '{name}'"),
        };
        let exc = self.new_exception(&self.ty("AttributeError"), vec![Value::str(&msg)]);
        super::excmembers::set(self, &exc, "name", Some(Value::str(name)));
        super::excmembers::set(self, &exc, "obj", Some(v.clone()));
        self.raise(exc)
    }

    /// `_PyModuleSpec_IsInitializing` (`member` None: the truth of `spec.<attr>`) and
    /// `_PyModuleSpec_IsUninitializedSubmodule` (`member in spec.<attr>`): any exception
    /// on the way counts as false, as those functions clear it.
    fn spec_flag(&mut self, spec: &Value, attr: &str, member: Option<&str>) -> Result<bool, Throw> {
        let value = match self.getattr(spec, attr) {
            Ok(x) => x,
            Err(Throw::Exc(_) | Throw::Reraise(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let answer = match member {
            None => self.truthy(&value),
            Some(m) => self.contains(&value, &Value::str(m)),
        };
        match answer {
            Ok(b) => Ok(b),
            Err(Throw::Exc(_) | Throw::Reraise(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Where CPython 3.12 would find attribute `name` of `v` (`Some("str")` for
    /// `"".casefold`), if it would.
    fn cpython_owner_of(&self, v: &Value, name: &str) -> Option<String> {
        // The nearest built-in type in a user class's MRO decides what its instances
        // inherit from CPython's built-ins.
        let builtin_of = |t: &Rc<super::types::Type>| {
            t.mro()
                .into_iter()
                .find(|c| c.is_builtin())
                .map(|c| c.qualname.borrow().to_string())
        };
        match v {
            Value::Module(m) => reach::provided_module_names(self, &m.name)
                .is_some_and(|names| reach::sorted_contains(names, name))
                .then(|| m.name.to_string()),
            // `python -c`'s `__loader__`, of which only the name is modelled.
            Value::Type(t)
                if &*t.module == "_frozen_importlib" && t.dict.get_str("__module__").is_none() =>
            {
                Some(t.name().to_string())
            }
            Value::Type(t) => {
                let own = builtin_of(t)?;
                if reach::type_has(&own, name) {
                    Some(t.name().to_string())
                } else {
                    reach::type_has("type", name).then(|| "type".to_owned())
                }
            }
            other => {
                let t = self.type_of(other);
                if &*t.module == IMPORTLIB_MODULE && t.dict.get_str("__module__").is_none() {
                    return Some(t.name().to_string());
                }
                let own = builtin_of(&t)?;
                reach::type_has(&own, name).then_some(own)
            }
        }
    }

    /// `_PyType_Lookup` within the VM's reach: the entry for `name` along `t`'s MRO, or
    /// unsupported when the walk passes a built-in type whose dict CPython gives `name`
    /// but the VM's does not (so `True.__and__` is never `int.__and__`, nor
    /// `range(1).__eq__` `object.__eq__`).
    pub fn type_lookup(&self, t: &Rc<super::types::Type>, name: &str) -> PyResult<Option<Value>> {
        for c in std::iter::once(t).chain(t.mro_rest.iter()) {
            if let Some(x) = c.dict.get_str(name) {
                return Ok(Some(x));
            }
            if c.is_builtin() {
                let tn = c.name();
                let own = tn.rsplit('.').next().unwrap_or_default();
                if reach::own_dict_has(own, name) {
                    return Err(self.unsupported(format!("the attribute {}.{name}", c.name())));
                }
            }
        }
        Ok(None)
    }

    /// `getattr(v, name)` (`PyObject_GetAttr`): an AttributeError leaving it that names
    /// neither an attribute nor an object — one a `__getattr__` or `__getattribute__`
    /// raised itself — gets `name` and `obj` (`set_attribute_error_context`), which the
    /// traceback module's "Did you mean" suggestions read.
    pub fn getattr(&mut self, v: &Value, name: &str) -> PyResult<Value> {
        let r = self.getattr_hooked(v, name);
        if let Err(Throw::Exc(e)) = &r {
            if self.is_instance_of(e, "AttributeError")
                && !super::excmembers::is_set(self, e, "name")
                && !super::excmembers::is_set(self, e, "obj")
            {
                super::excmembers::set(self, e, "name", Some(Value::str(name)));
                super::excmembers::set(self, e, "obj", Some(v.clone()));
            }
        }
        r
    }

    /// `getattr` before the AttributeError's context is set: `slot_tp_getattr_hook` or
    /// the generic lookup.
    fn getattr_hooked(&mut self, v: &Value, name: &str) -> PyResult<Value> {
        // `proxy_getattr`: a weakref proxy's attributes are its referent's.
        if let Some(w) = super::weakproxy::as_proxy(v) {
            return super::weakproxy::getattr(self, w, name);
        }
        // `slot_tp_getattr_hook`: a class's own `__getattribute__` instead of the generic
        // lookup, and its `__getattr__` when either raised AttributeError.
        if let Value::Object(o) = v {
            let t = o.class.borrow().clone();
            if !t.is_builtin() {
                let own = if t.hooks() & super::types::HOOK_GETATTRIBUTE != 0 {
                    t.lookup("__getattribute__")
                } else {
                    None
                };
                let r = match own {
                    Some(f) => self.call(&f, Args::new(vec![v.clone(), Value::str(name)])),
                    // A subclass of super inherits `super_getattro`.
                    None if super::superobj::as_super(v).is_some() => {
                        super::superobj::getattro(self, v, name)
                    }
                    None => self.generic_getattr(v, name),
                };
                return match r {
                    Err(Throw::Exc(e)) if self.is_instance_of(&e, "AttributeError") => {
                        match t.lookup("__getattr__") {
                            Some(ga) => {
                                self.call(&ga, Args::new(vec![v.clone(), Value::str(name)]))
                            }
                            None => Err(Throw::Exc(e)),
                        }
                    }
                    r => r,
                };
            }
        }
        // `super_getattro`: super objects search the MRO after `__thisclass__` first.
        if let Value::Native(n) = v {
            if matches!(**n, super::object::Native::Super(_)) {
                return super::superobj::getattro(self, v, name);
            }
        }
        // A metaclass's own `__getattribute__` (and `__getattr__`) for its classes, as
        // `slot_tp_getattr_hook` on the metatype.
        if let Value::Type(t) = v {
            if let Some(m) = t.meta.clone() {
                let hooks = m.hooks() & super::types::HOOK_GETATTRIBUTE != 0;
                let getattr = m.lookup("__getattr__");
                if hooks || getattr.is_some() {
                    let r = match m.lookup("__getattribute__").filter(|_| hooks) {
                        Some(f) => self.call(&f, Args::new(vec![v.clone(), Value::str(name)])),
                        None => self.generic_getattr(v, name),
                    };
                    return match (r, getattr) {
                        (Err(Throw::Exc(e)), Some(ga))
                            if self.is_instance_of(&e, "AttributeError") =>
                        {
                            self.call(&ga, Args::new(vec![v.clone(), Value::str(name)]))
                        }
                        (r, _) => r,
                    };
                }
            }
        }
        self.generic_getattr(v, name)
    }

    /// `PyObject_GenericGetAttr` (`object.__getattribute__`), and the built-in objects'
    /// own attributes.
    pub fn generic_getattr(&mut self, v: &Value, name: &str) -> PyResult<Value> {
        if let Some(x) = self.special_attr(v, name)? {
            return Ok(x);
        }
        match v {
            // `_PyObject_GenericGetAttrWithDict`: a data descriptor on the type, the
            // instance dict, any other descriptor or attribute on the type.
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                let class_attr = t.lookup(name);
                if let Some(a) = &class_attr {
                    if self.descr_kind(a) == super::descr::Descr::Data {
                        return self.descr_get(a, Some(v), &t);
                    }
                }
                if let Some(x) = o.dict.get_str(name) {
                    return Ok(x);
                }
                // Again, with the reach checked, now that the class's entry is the answer.
                let class_attr = match class_attr {
                    Some(_) => self.type_lookup(&t, name)?,
                    None => None,
                };
                if let Some(x) = class_attr {
                    return match &x {
                        Value::Object(_) => self.descr_get(&x, Some(v), &t),
                        // A super object is a descriptor (`super_descr_get`).
                        Value::Native(_) if super::superobj::as_super(&x).is_some() => {
                            self.descr_get(&x, Some(v), &t)
                        }
                        _ => Ok(self.bind(&x, v)),
                    };
                }
                Err(self.no_attr(v, name))
            }
            // `type_getattro`: a data descriptor of the metaclass, the class's MRO, then
            // the metaclass's other attributes, bound to the class.
            Value::Type(t) => {
                let meta_attr = t.meta.as_ref().and_then(|m| m.lookup(name).map(|a| (m, a)));
                // `type.__annotations__`, a getset of the metatype, so found before the
                // class's MRO (`type_get_annotations`): the class's own entry only.
                if name == "__annotations__" && meta_attr.is_none() {
                    return self.type_annotations(t);
                }
                if let Some((m, a)) = &meta_attr {
                    if self.descr_kind(a) == super::descr::Descr::Data {
                        let m = (*m).clone();
                        return self.descr_get(a, Some(v), &m);
                    }
                }
                for c in t.mro() {
                    let found = c.dict.get_str(name);
                    if found.is_none() && c.is_builtin() {
                        let tn = c.name();
                        let own = tn.rsplit('.').next().unwrap_or_default();
                        if reach::own_dict_has(own, name)
                            && super::mappingproxy::builtin_descriptor(self, &c, name).is_none()
                        {
                            return Err(
                                self.unsupported(format!("the attribute {}.{name}", c.name()))
                            );
                        }
                    }
                    if let Some(x) = found {
                        return match &x {
                            Value::Property(p) if p.kind != PropertyKind::Property => {
                                Ok(self.bind(&x, v))
                            }
                            // `type_getattro`: a descriptor's `__get__(None, cls)`.
                            Value::Object(_) => self.descr_get(&x, None, t),
                            Value::Native(_) if super::superobj::as_super(&x).is_some() => {
                                self.descr_get(&x, None, t)
                            }
                            _ => Ok(x),
                        };
                    }
                }
                if let Some((m, a)) = meta_attr {
                    let m = m.clone();
                    return self.descr_get(&a, Some(v), &m);
                }
                // A built-in type's getset and member descriptors (`function.__code__`),
                // whose values the VM computes per object rather than keeps in the dict.
                for c in t.mro().iter().filter(|c| c.is_builtin()) {
                    if let Some(d) = super::mappingproxy::builtin_descriptor(self, c, name) {
                        return Ok(d);
                    }
                }
                Err(self.no_attr(v, name))
            }
            Value::Module(m) => match m.dict.get_str(name) {
                // A native module's docstring is CPython's text, which the VM does not
                // carry unless the module sets it.
                Some(Value::None)
                    if name == "__doc__"
                        && reach::provided_module_names(self, &m.name).is_some() =>
                {
                    Err(self.unsupported(format!("the docstring of the module {}", m.name)))
                }
                Some(x) => Ok(x),
                // `module_getattro`: the module's own `__getattr__` (PEP 562) is asked
                // for a name its dict lacks.
                None => match m.dict.get_str("__getattr__") {
                    Some(hook) => self.call1(&hook, Value::str(name)),
                    None => Err(self.module_no_attr(v, &m.dict, name)),
                },
            },
            Value::Function(f) => match f.dict().get_str(name) {
                Some(x) => Ok(x),
                None => self.type_attr(v, name),
            },
            _ => self.type_attr(v, name),
        }
    }

    /// `type_get_annotations`: a built-in type has none (AttributeError); a class has
    /// its own dict's `__annotations__` (a descriptor there is asked with `__get__(None,
    /// cls)`), else a new empty dict, stored in its dict.
    fn type_annotations(&mut self, t: &Rc<super::types::Type>) -> PyResult<Value> {
        if t.is_builtin() {
            return Err(self.err(
                "AttributeError",
                format!(
                    "type object '{}' has no attribute '__annotations__'",
                    t.name()
                ),
            ));
        }
        match t.dict.get_str("__annotations__") {
            Some(x @ Value::Object(_)) if self.descr_kind(&x) != super::descr::Descr::Plain => {
                self.descr_get(&x, None, t)
            }
            Some(x) => Ok(x),
            None => {
                let d = Value::Dict(Dict::new_rc());
                t.dict.set_str("__annotations__", d.clone());
                super::types::types_changed();
                Ok(d)
            }
        }
    }

    /// A method or attribute found on the value's (builtin) type, bound to it.
    fn type_attr(&mut self, v: &Value, name: &str) -> PyResult<Value> {
        let t = self.type_of(v);
        match self.type_lookup(&t, name)? {
            Some(x) => Ok(self.bind(&x, v)),
            None => Err(self.no_attr(v, name)),
        }
    }

    /// Attributes that are fields of the object rather than entries of a dict.
    pub(crate) fn special_attr(&mut self, v: &Value, name: &str) -> PyResult<Option<Value>> {
        if name == "__class__" {
            // A class that names `__class__` itself comes before object's data descriptor
            // in the generic lookup (the zero-argument super()'s pathologies).
            if let Value::Object(o) = v {
                let t = o.class.borrow().clone();
                let own = std::iter::once(&t)
                    .chain(t.mro_rest.iter())
                    .any(|c| !c.is_builtin() && c.dict.get_str(name).is_some());
                if own {
                    return Ok(None);
                }
            }
            return Ok(Some(Value::Type(self.type_of(v))));
        }
        Ok(match v {
            Value::Frame(fo) => {
                let fo = fo.clone();
                match name {
                    // spec: frames.f_back.chain, frames.f_back.after-return
                    "f_back" => Some(self.frame_back(&fo)),
                    // spec: frames.f_code
                    "f_code" => self.with_frame(&fo, |f| Value::Code(f.info.code.clone())),
                    // spec: lineno.f_lineno.current, lineno.f_lineno.captured
                    "f_lineno" => Some(
                        self.frame_lineno(&fo)
                            .map(|l| Value::Int(i64::from(l)))
                            .unwrap_or(Value::None),
                    ),
                    "f_lasti" => self.with_frame(&fo, |f| Value::Int(f.lasti_bytes())),
                    // spec: namespaces.globals.identity
                    "f_globals" => self.with_frame(&fo, |f| Value::Dict(f.globals.clone())),
                    // spec: namespaces.builtins
                    "f_builtins" => self.with_frame(&fo, |f| Value::Dict(f.builtins.clone())),
                    // spec: namespaces.locals.function, namespaces.locals.module
                    "f_locals" => {
                        fo.fast_as_locals.set(true);
                        self.with_frame(&fo, |f| match &f.locals_mapping {
                            Some(m) => m.clone(),
                            None => Value::Dict(f.fast_to_locals()),
                        })
                    }
                    // spec: tracing.f_trace
                    "f_trace" => Some(fo.trace.borrow().clone()),
                    "f_trace_lines" => Some(Value::Bool(fo.trace_lines.get())),
                    "f_trace_opcodes" => Some(Value::Bool(fo.trace_opcodes.get())),
                    _ => None,
                }
            }
            Value::Code(c) => match name {
                "co_name" => Some(Value::Str(c.co_name.clone())),
                "co_qualname" => Some(Value::Str(c.co_qualname.clone())),
                "co_filename" => Some(Value::Str(c.co_filename.clone())),
                "co_firstlineno" => Some(Value::Int(i64::from(c.co_firstlineno))),
                "co_argcount" => Some(Value::Int(i64::from(c.co_argcount))),
                "co_posonlyargcount" => Some(Value::Int(i64::from(c.co_posonlyargcount))),
                "co_kwonlyargcount" => Some(Value::Int(i64::from(c.co_kwonlyargcount))),
                "co_flags" => Some(Value::Int(i64::from(c.co_flags))),
                "co_stacksize" => Some(Value::Int(i64::from(c.co_stacksize))),
                "co_code" => Some(Value::Bytes(Rc::from(c.co_code.clone()))),
                "co_linetable" => Some(Value::Bytes(Rc::from(c.co_linetable.clone()))),
                "co_exceptiontable" => Some(Value::Bytes(Rc::from(c.co_exceptiontable.clone()))),
                "co_names" => Some(Value::tuple(
                    c.co_names.iter().map(|n| Value::Str(n.clone())).collect(),
                )),
                "co_consts" => Some(
                    self.const_values
                        .co_consts(c)
                        .ok_or_else(|| self.unsupported(super::codeinfo::UNREPRESENTABLE))?,
                ),
                "co_varnames" | "co_cellvars" | "co_freevars" => {
                    let want = |k: u8| match name {
                        "co_varnames" => k & kinds::CO_FAST_LOCAL != 0,
                        "co_cellvars" => k & kinds::CO_FAST_CELL != 0,
                        _ => k & kinds::CO_FAST_FREE != 0,
                    };
                    let names = c
                        .co_localsplusnames
                        .iter()
                        .zip(&c.co_localspluskinds)
                        .filter(|(_, k)| want(**k))
                        .map(|(n, _)| Value::Str(n.clone()))
                        .collect();
                    Some(Value::tuple(names))
                }
                "co_nlocals" => {
                    let n = c
                        .co_localspluskinds
                        .iter()
                        .filter(|k| **k & kinds::CO_FAST_LOCAL != 0)
                        .count();
                    Some(Value::Int(n as i64))
                }
                _ => None,
            },
            Value::Function(f) => match name {
                "__name__" => Some(Value::Str(f.name.borrow().clone())),
                "__qualname__" => Some(Value::Str(f.qualname.borrow().clone())),
                "__code__" => Some(Value::Code(f.code().clone())),
                "__globals__" => Some(Value::Dict(f.globals.clone())),
                "__builtins__" => Some(Value::Dict(f.builtins.clone())),
                "__module__" => Some(f.module.borrow().clone()),
                "__dict__" => Some(Value::Dict(f.dict().clone())),
                "__defaults__" => Some(
                    f.defaults
                        .borrow()
                        .clone()
                        .map(Value::Tuple)
                        .unwrap_or(Value::None),
                ),
                "__kwdefaults__" => Some(
                    f.kwdefaults
                        .borrow()
                        .clone()
                        .map(Value::Dict)
                        .unwrap_or(Value::None),
                ),
                "__closure__" => Some(f.closure.clone().map(Value::Tuple).unwrap_or(Value::None)),
                "__type_params__" => Some(f.type_params.borrow().clone()),
                // func_get_annotations: the MAKE_FUNCTION tuple (or nothing) becomes a dict
                // the first time it is asked for, and that same dict is kept.
                "__annotations__" => {
                    let a = f.annotations.borrow().clone();
                    let dict = match a {
                        Value::Dict(_) => a,
                        Value::Tuple(t) => {
                            let d = Dict::new();
                            for pair in t.chunks(2) {
                                if let [k, v] = pair {
                                    let _ = d.set(k.clone(), v.clone());
                                }
                            }
                            Value::Dict(crate::runtime::gc::alloc(d))
                        }
                        _ => Value::Dict(crate::runtime::gc::alloc(Dict::new())),
                    };
                    *f.annotations.borrow_mut() = dict.clone();
                    Some(dict)
                }
                "__doc__" => Some(f.doc.borrow().clone()),
                _ => None,
            },
            Value::Method(m) => match name {
                // A static method of a built-in type (`str.maketrans`) has no self.
                "__self__" => Some(match &m.func {
                    Value::Builtin(b)
                        if b.owner
                            .is_some_and(|o| super::methods::is_static_method(o, b.name)) =>
                    {
                        Value::None
                    }
                    _ => m.receiver.clone(),
                }),
                "__func__" => Some(m.func.clone()),
                // A built-in method bound to its object (`[].append`) has `m_module` None;
                // a method-wrapper (`object().__init__`) has no `__module__`.
                "__module__" if matches!(m.func, Value::Builtin(_)) => {
                    if &*self.type_of(v).name() == "method-wrapper" {
                        None
                    } else {
                        Some(Value::None)
                    }
                }
                // `meth_get__qualname__`: a bound built-in method is named after the class of
                // its `__self__` (the class itself for a class method), not the type that
                // defines it: `_List.append` for a list subclass.
                "__qualname__"
                    if matches!(&m.func, Value::Builtin(b) if b.name != "__new__")
                        && &*self.type_of(v).name() == "builtin_function_or_method" =>
                {
                    let Value::Builtin(b) = &m.func else {
                        return Err(self.bug("a bound built-in method without its builtin"));
                    };
                    let owner = match &m.receiver {
                        Value::Type(t) => Value::Type(t.clone()),
                        other => Value::Type(self.type_of(other)),
                    };
                    let Value::Str(owner) = self.getattr(&owner, "__qualname__")? else {
                        return Err(self.type_error(
                            "<method>.__self__.__class__.__qualname__ is not a string",
                        ));
                    };
                    Some(Value::str(&format!("{owner}.{}", b.name)))
                }
                "__name__" | "__qualname__" | "__code__" | "__doc__" | "__module__" => {
                    let f = m.func.clone();
                    Some(self.getattr(&f, name)?)
                }
                // A bound built-in method or method-wrapper has its descriptor's
                // signature (`$self` included, as CPython's).
                "__text_signature__" if matches!(m.func, Value::Builtin(_)) => {
                    let f = m.func.clone();
                    Some(self.getattr(&f, name)?)
                }
                // method_getattro: what the method type lacks is the function's: its
                // getsets and members, and its dict's entries.
                "__defaults__" | "__kwdefaults__" | "__globals__" | "__closure__"
                | "__annotations__" | "__type_params__" | "__builtins__" | "__dict__"
                    if matches!(m.func, Value::Function(_)) =>
                {
                    let f = m.func.clone();
                    Some(self.getattr(&f, name)?)
                }
                _ => match &m.func {
                    Value::Function(f) if self.ty("method").lookup(name).is_none() => {
                        match f.dict().get_str(name) {
                            Some(x) => Some(x),
                            // The function's AttributeError, as PyObject_GetAttr(im_func).
                            None if self.ty("function").lookup(name).is_none() => {
                                return Err(self.no_attr(&m.func, name))
                            }
                            None => None,
                        }
                    }
                    _ => None,
                },
            },
            Value::Builtin(b) => match name {
                "__name__" => Some(Value::str(b.name)),
                "__qualname__" => Some(Value::str(&match b.owner {
                    Some(o) => format!("{o}.{}", b.name),
                    None => b.name.to_owned(),
                })),
                // A type's method descriptors and slot wrappers have no `__module__`.
                "__module__"
                    if matches!(
                        &*self.type_of(v).name(),
                        "method_descriptor" | "wrapper_descriptor" | "classmethod_descriptor"
                    ) =>
                {
                    None
                }
                // `m_module`: the module's own `__name__` object, so `iter.__module__ is
                // builtins.__name__` (pickle's memo sees one string for all of them).
                "__module__" => Some(match b.module {
                    Some(m) => match self.modules.get_str(m) {
                        Some(Value::Module(module)) => match module.dict.get_str("__name__") {
                            Some(Value::Str(n)) if &*n == m => Value::Str(n),
                            _ => Value::str(m),
                        },
                        _ => Value::str(m),
                    },
                    None => Value::None,
                }),
                // A type's `__new__` is bound to the type (`tp_new_wrapper`); a module's
                // function to the module. A method descriptor has no `__self__`.
                "__self__" => match (b.owner, b.module) {
                    (Some(owner), _) if b.name == "__new__" => Some(Value::Type(self.ty(owner))),
                    (None, Some(m)) => match self.modules.get_str(m) {
                        Some(module) => Some(module),
                        None => return Err(self.unsupported(format!("{m}.{}.__self__", b.name))),
                    },
                    _ => None,
                },
                // CPython's docstrings of its modules' C functions, generated from
                // python3.12; those of methods are text the VM does not carry.
                "__doc__" | "__text_signature__" => {
                    match super::cpython_names::FUNCTION_DOCS
                        .iter()
                        .find(|(m, n, _, _)| {
                            b.owner.is_none() && Some(*m) == b.module && *n == b.name
                        }) {
                        Some((_, _, doc, sig)) => {
                            let text = if name == "__doc__" { doc } else { sig };
                            Some(text.map_or(Value::None, Value::str))
                        }
                        // A method's signature (its docstring the VM does not carry).
                        None if name == "__text_signature__" => {
                            let sig = b.owner.and_then(|owner| {
                                super::cpython_names::METHOD_SIGNATURES
                                    .iter()
                                    .find(|(t, n, _)| *t == owner && *n == b.name)
                            });
                            match sig {
                                Some((_, _, sig)) => Some(sig.map_or(Value::None, Value::str)),
                                None => {
                                    return Err(
                                        self.unsupported("the docstring of a built-in function")
                                    )
                                }
                            }
                        }
                        // The generator family's methods (generated from python3.12).
                        None => match b.owner.and_then(|owner| generator_doc(owner, b.name)) {
                            Some(doc) => Some(doc),
                            None => {
                                return Err(self.unsupported("the docstring of a built-in function"))
                            }
                        },
                    }
                }
                _ => None,
            },
            Value::Traceback(tb) => match name {
                "tb_frame" => Some(Value::Frame(tb.tb_frame.clone())),
                "tb_lineno" => Some(
                    tb.tb_lineno
                        .map(|l| Value::Int(i64::from(l)))
                        .unwrap_or(Value::None),
                ),
                "tb_lasti" => Some(Value::Int(tb.tb_lasti)),
                "tb_next" => Some(tb.tb_next.borrow().clone()),
                _ => None,
            },
            Value::Cell(c) => match name {
                "cell_contents" => match c.value.borrow().clone() {
                    Some(x) => Some(x),
                    None => return Err(self.value_error("Cell is empty")),
                },
                _ => None,
            },
            Value::Generator(g) => {
                // gi_* for generators, cr_* for coroutines, ag_* for async generators.
                use super::object::GenKind;
                let (prefix, rest) = name.split_at(name.len().min(3));
                let field = match (g.kind, prefix) {
                    (GenKind::Generator, "gi_")
                    | (GenKind::Coroutine, "cr_")
                    | (GenKind::AsyncGenerator, "ag_") => rest,
                    _ if name.starts_with("__") => name,
                    _ => "",
                };
                match (field, g.kind) {
                    ("frame", _) => {
                        if g.finished.get() {
                            Some(Value::None)
                        } else {
                            Some(
                                self.generator_frame(g)
                                    .map(Value::Frame)
                                    .unwrap_or(Value::None),
                            )
                        }
                    }
                    // An async generator's `ag_running` is `ag_running_async`: an
                    // asend/athrow is under way.
                    ("running", GenKind::AsyncGenerator) => {
                        Some(Value::Bool(g.running_async.get()))
                    }
                    ("running", _) => Some(Value::Bool(g.running.get())),
                    ("suspended", _) => Some(Value::Bool(
                        g.started.get() && !g.running.get() && !g.finished.get(),
                    )),
                    ("yieldfrom", GenKind::Generator)
                    | ("await", GenKind::Coroutine | GenKind::AsyncGenerator) => {
                        Some(self.gen_yieldfrom(g)?.unwrap_or(Value::None))
                    }
                    // Recorded at creation (`sys.set_coroutine_origin_tracking_depth`).
                    ("origin", GenKind::Coroutine) => Some(g.origin.clone()),
                    ("code", _) => Some(Value::Code(g.code.clone())),
                    ("__name__", _) => Some(Value::Str(g.name.borrow().clone())),
                    ("__qualname__", _) => Some(Value::Str(g.qualname.borrow().clone())),
                    _ => None,
                }
            }
            Value::Module(m) => match name {
                "__dict__" => Some(Value::Dict(m.dict.clone())),
                // `module_get_annotations`: the dict's entry, else a new empty dict
                // stored there.
                "__annotations__" => Some(match m.dict.get_str(name) {
                    Some(a) => a,
                    None => {
                        let a = Value::Dict(Dict::new_rc());
                        m.dict.set_str(name, a.clone());
                        a
                    }
                }),
                _ => None,
            },
            Value::Type(t) => match name {
                "__name__" => Some(Value::Str(t.dunder_name())),
                "__qualname__" => Some(Value::Str(t.qualname.borrow().clone())),
                // type_module: a class's `__module__` is its dict's (assignable).
                "__module__" if !t.builtin => t
                    .dict
                    .get_str("__module__")
                    .or_else(|| Some(Value::Str(t.module.clone()))),
                // A built-in type named without a dot is in `builtins`, the interned
                // string (`&_Py_ID(builtins)`); the others keep one string per type.
                "__module__" if &*t.module == "builtins" => {
                    Some(Value::Str(super::dict::intern("builtins")))
                }
                "__module__" => Some(Value::Str(t.module.clone())),
                "__mro__" => Some(Value::tuple(t.mro().into_iter().map(Value::Type).collect())),
                "__bases__" => Some(Value::tuple(
                    t.bases.iter().cloned().map(Value::Type).collect(),
                )),
                // `tp_base`: a class's best base (`layout::tp_base`), not its first.
                "__base__" if t.is_builtin() => Some(
                    t.bases
                        .first()
                        .cloned()
                        .map(Value::Type)
                        .unwrap_or(Value::None),
                ),
                "__basicsize__" | "__itemsize__" | "__dictoffset__" | "__weakrefoffset__" => {
                    match super::layout::type_attr(self, t, name) {
                        Some(n) => Some(Value::Int(n)),
                        None => {
                            return Err(self.unsupported(format!(
                                "{}.{name} (a built-in type whose layout the VM lacks)",
                                t.name()
                            )))
                        }
                    }
                }
                "__base__" => match super::layout::tp_base(self, t) {
                    Some(b) => Some(Value::Type(b)),
                    None => {
                        return Err(self.unsupported(format!(
                            "{}.__base__ (a built-in base whose layout the VM lacks)",
                            t.name()
                        )))
                    }
                },
                // A read-only view of the class's namespace (see `mappingproxy`).
                "__dict__" => Some(super::mappingproxy::proxy(t)),
                "__doc__" if t.is_builtin() => match super::methods::builtin_type_doc(t) {
                    Some(d) => Some(d),
                    None => return Err(self.unsupported("the docstring of a built-in type")),
                },
                "__doc__" => Some(t.dict.get_str("__doc__").unwrap_or(Value::None)),
                // `type_abstractmethods`: the class's own entry, never an inherited one.
                "__abstractmethods__" => match t.dict.get_str(name) {
                    Some(v) if !t.is_builtin() => Some(v),
                    _ => return Err(self.err("AttributeError", "__abstractmethods__")),
                },
                "__flags__" => Some(Value::Int(super::mappingproxy::type_flags(self, t)?)),
                // type_get_type_params: the class's own `__type_params__`, else ().
                "__type_params__" => Some(
                    t.dict
                        .get_str(name)
                        .unwrap_or_else(|| Value::tuple(Vec::new())),
                ),
                _ => None,
            },
            Value::Object(o) => {
                if let Some(data) = &o.exc {
                    if let Some(m) = super::syntaxerror::get(self, v, name) {
                        return Ok(Some(m));
                    }
                    if let Some(m) = super::oserror::get(self, v, name) {
                        return Ok(Some(m));
                    }
                    if let Some(m) = super::excmembers::get(self, v, name) {
                        return Ok(Some(m));
                    }
                    if let Some(m) = super::unicodeerror::get(self, v, name) {
                        return Ok(Some(m));
                    }
                    match name {
                        "args" => return Ok(Some(data.args.borrow().clone())),
                        "__traceback__" => return Ok(Some(data.traceback.borrow().clone())),
                        "__context__" => return Ok(Some(data.context.borrow().clone())),
                        "__cause__" => return Ok(Some(data.cause.borrow().clone())),
                        "__suppress_context__" => {
                            return Ok(Some(Value::Bool(data.suppress_context.get())))
                        }
                        "value" if o.class.borrow().is_subtype(&self.ty("StopIteration")) => {
                            return Ok(Some(data.value.borrow().clone()))
                        }
                        "code" if o.class.borrow().is_subtype(&self.ty("SystemExit")) => {
                            return Ok(Some(data.value.borrow().clone()))
                        }
                        "message" | "exceptions" => {
                            if let Some((msg, excs)) = super::excgroup::parts(v) {
                                let excs = Value::Tuple(excs);
                                return Ok(Some(if name == "message" { msg } else { excs }));
                            }
                        }
                        _ => {}
                    }
                }
                // `_io._IOBase`'s `closed` and `_io._TextIOBase`'s getsets.
                if matches!(name, "closed" | "encoding" | "errors" | "newlines") {
                    let cls = o.class.borrow().clone();
                    if let Some(x) = super::modules::io::iobase::getset(self, v, &cls, name)? {
                        return Ok(Some(x));
                    }
                }
                match name {
                    // A Future's dict has no `__dict__` getset (FutureObj's `dict` is not a
                    // member), for the type and its subclasses alike.
                    "__dict__"
                        if o.class.borrow().has_dict
                            && super::modules::asyncio::future::of(v).is_none() =>
                    {
                        Some(Value::Dict(o.dict.clone()))
                    }
                    // The built-in base's members (`int.real`, `complex.imag`, …), unless
                    // the class itself defines the name.
                    _ => match &o.payload {
                        Some(p) if !o.class.borrow().overrides(name) => {
                            let p = p.clone();
                            return self.special_attr(&p, name);
                        }
                        _ => None,
                    },
                }
            }
            Value::Range(r) => match name {
                "start" => Some(Value::from_num(r.start())),
                "stop" => Some(Value::from_num(r.stop())),
                "step" => Some(Value::from_num(r.step())),
                _ => None,
            },
            Value::Slice(s) => match name {
                "start" => Some(s.start.clone()),
                "stop" => Some(s.stop.clone()),
                "step" => Some(s.step.clone()),
                _ => None,
            },
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => match name {
                "real" | "numerator" => super::int::int_num(v).map(Value::from_num),
                "imag" => Some(Value::Int(0)),
                "denominator" => Some(Value::Int(1)),
                _ => None,
            },
            Value::Float(f) => match name {
                "real" => Some(Value::Float(*f)),
                "imag" => Some(Value::Float(0.0)),
                _ => None,
            },
            // `complex_members`.
            Value::Complex(z) => match name {
                "real" => Some(Value::Float(z.0)),
                "imag" => Some(Value::Float(z.1)),
                _ => None,
            },
            // `property_get___isabstractmethod__`, `cm_get___isabstractmethod__`: whether a
            // wrapped function is abstract.
            Value::Property(p) if name == "__isabstractmethod__" => {
                let p = p.clone();
                let funcs = match p.kind {
                    PropertyKind::Property => vec![p.func.clone(), p.fset.clone(), p.fdel.clone()],
                    PropertyKind::Member => return Ok(None),
                    _ => vec![p.func.clone()],
                };
                for f in funcs.iter().filter(|f| !f.is_none()) {
                    match self.getattr(f, "__isabstractmethod__") {
                        Ok(v) => {
                            if self.truthy(&v)? {
                                return Ok(Some(Value::Bool(true)));
                            }
                        }
                        Err(Throw::Exc(e)) if self.is_instance_of(&e, "AttributeError") => {}
                        Err(e) => return Err(e),
                    }
                }
                Some(Value::Bool(false))
            }
            Value::Property(p) => match name {
                "__func__" | "fget" => Some(p.func.clone()),
                "fset" if p.kind == PropertyKind::Property => Some(p.fset.clone()),
                "fdel" if p.kind == PropertyKind::Property => Some(p.fdel.clone()),
                // A built-in getter's docstring is CPython's text (see `Builtin`'s).
                "__doc__" if p.kind == PropertyKind::Property => match &*p.doc.borrow() {
                    Value::None if matches!(p.func, Value::Builtin(_)) => {
                        return Err(self.unsupported("the docstring of a built-in function"))
                    }
                    d => Some(d.clone()),
                },
                _ => None,
            },
            Value::TypeParam(t) => super::typevars::attr(self, &t.clone(), name)?,
            Value::Native(n) => super::modules::native_attr(self, n, name)?,

            _ => None,
        })
    }

    /// The frame object of a generator's frame (suspended or running).
    pub fn generator_frame(
        &mut self,
        g: &Rc<super::object::Generator>,
    ) -> Option<Rc<super::frame::FrameObject>> {
        if let Some(i) = self.frames.iter().rposition(|f| f.serial == g.serial) {
            return self.frame_object(i);
        }
        let mut slot = g.frame.borrow_mut();
        let f = slot.as_mut()?;
        if let Some(fo) = &f.frame_obj {
            return Some(fo.clone());
        }
        let fo = crate::runtime::gc::alloc(super::frame::FrameObject::new(f.serial));
        *fo.generator.borrow_mut() = Rc::downgrade(g);
        f.frame_obj = Some(fo.clone());
        Some(fo)
    }

    /// `setattr(v, name, x)`.
    pub fn setattr(&mut self, v: &Value, name: &str, x: Value) -> PyResult<()> {
        if let Some(w) = super::weakproxy::as_proxy(v) {
            return super::weakproxy::setattr(self, w, name, Some(x));
        }
        if let Some(f) = self.own_hook(v, "__setattr__") {
            self.call(&f, Args::new(vec![v.clone(), Value::str(name), x]))?;
            return Ok(());
        }
        self.generic_setattr(v, name, x)
    }

    /// A class's own `__setattr__` or `__delattr__` (`slot_tp_setattro`), not `object`'s.
    fn own_hook(&self, v: &Value, hook: &str) -> Option<Value> {
        match v {
            // A metaclass's own.
            Value::Type(_) => self.special(v, hook),
            Value::Object(o) => {
                let t = o.class.borrow().clone();
                let bit = match hook {
                    "__setattr__" => super::types::HOOK_SETATTR,
                    _ => super::types::HOOK_DELATTR,
                };
                if t.is_builtin() || t.hooks() & bit == 0 {
                    return None;
                }
                t.lookup(hook)
            }
            _ => None,
        }
    }

    /// `PyObject_GenericSetAttr` (`object.__setattr__`), and the built-in objects' own
    /// attributes.
    pub fn generic_setattr(&mut self, v: &Value, name: &str, x: Value) -> PyResult<()> {
        if let Value::TypeParam(t) = v {
            return Err(super::typevars::attr_write(self, t));
        }
        if name == "__class__" && !matches!(v, Value::Object(_) | Value::Module(_) | Value::Type(_))
        {
            return Err(self.builtin_class_write(v, Some(&x)));
        }
        match v {
            Value::Object(o) if name == "__class__" && !names_own_class(o) => {
                super::layout::assign_class(self, o, Some(&x))
            }
            Value::Object(o) => {
                // The read-only getsets of `_io`'s types (CPython: an AttributeError
                // naming the type that defines them).
                let text_io = {
                    let c = o.class.borrow();
                    c.is_builtin() && &*c.name() == "TextIOWrapper"
                };
                if (matches!(
                    name,
                    "closed" | "encoding" | "errors" | "newlines" | "line_buffering"
                ) && (text_io || super::modules::io::iobase::is_io_instance(&o.class.borrow())))
                    || (text_io && matches!(name, "buffer" | "name" | "write_through"))
                {
                    return Err(self
                        .unsupported(format!("assigning the attribute {name} of an _io object")));
                }
                // `_struct.Struct`'s getters without setters.
                if matches!(name, "format" | "size")
                    && o.class.borrow().is_subtype(&self.ty("Struct"))
                {
                    return Err(self.err(
                        "AttributeError",
                        format!("attribute '{name}' of '_struct.Struct' objects is not writable"),
                    ));
                }
                if let Some(data) = &o.exc {
                    if super::syntaxerror::set(self, v, name, x.clone())
                        || super::oserror::set(self, v, name, x.clone())
                        || super::excmembers::set(self, v, name, Some(x.clone()))
                        || super::unicodeerror::set(self, v, name, x.clone())?
                    {
                        return Ok(());
                    }
                    match name {
                        "args" => {
                            let t = Value::tuple(self.collect(&x)?);
                            *data.args.borrow_mut() = t;
                            return Ok(());
                        }
                        "__traceback__" => {
                            if !matches!(x, Value::Traceback(_) | Value::None) {
                                return Err(
                                    self.type_error("__traceback__ must be a traceback or None")
                                );
                            }
                            *data.traceback.borrow_mut() = x;
                            return Ok(());
                        }
                        // `BaseException_set_context` / `_set_cause`: None or an
                        // exception instance.
                        "__context__" => {
                            if !x.is_none() && x.exc().is_none() {
                                return Err(self.type_error(
                                    "exception context must be None or derive from BaseException",
                                ));
                            }
                            *data.context.borrow_mut() = x;
                            return Ok(());
                        }
                        "__cause__" => {
                            if !x.is_none() && x.exc().is_none() {
                                return Err(self.type_error(
                                    "exception cause must be None or derive from BaseException",
                                ));
                            }
                            *data.cause.borrow_mut() = x;
                            data.suppress_context.set(true);
                            return Ok(());
                        }
                        "__suppress_context__" => {
                            let b = self.truthy(&x)?;
                            data.suppress_context.set(b);
                            return Ok(());
                        }
                        // BaseExceptionGroup's read-only members.
                        "message" | "exceptions" if super::excgroup::parts(v).is_some() => {
                            return Err(self.err("AttributeError", "readonly attribute"));
                        }
                        _ => {}
                    }
                }
                // The getsets of `_asyncio.Future` and `Task`.
                if let Some(r) = super::modules::asyncio::instance_setattr(self, v, name, Some(&x))
                {
                    return r;
                }
                let t = o.class.borrow().clone();
                // `_PyObject_GenericSetAttrWithDict`: a data descriptor on the type
                // takes the value, else the instance dict.
                if let Some(a) = t.lookup(name) {
                    if self.descr_set(&a, v, x.clone())? {
                        return Ok(());
                    }
                }
                if !t.has_dict {
                    return Err(self.no_dict_attr(v, &t, name));
                }
                o.dict.set_str(name, x);
                Ok(())
            }
            // type_setattro: an immutable type refuses any name, then `type`'s getsets
            // and members take theirs.
            Value::Type(t) if !t.is_builtin() || heap_builtin(t) => {
                if let Some(r) = super::typeattrs::set(self, t, name, Some(&x)) {
                    return r;
                }
                if name == "__del__" {
                    super::finalize::class_has_del();
                }
                t.dict.set_str(name, x);
                super::types::types_changed();
                Ok(())
            }
            Value::Type(t) => Err(self.type_error(format!(
                "cannot set '{name}' attribute of immutable type '{}'",
                t.name()
            ))),
            // `object.__class__`'s setter would make the module an instance of a module
            // subclass, which the VM does not model.
            Value::Module(_) if name == "__class__" => {
                Err(self.unsupported("assigning a module's __class__"))
            }
            Value::Module(m) => {
                m.dict.set_str(name, x);
                Ok(())
            }
            // cell_set_contents.
            Value::Cell(c) if name == "cell_contents" => {
                *c.value.borrow_mut() = Some(x);
                Ok(())
            }
            // gen_set_name and gen_set_qualname (coroutines and async generators share
            // them): a str only.
            Value::Generator(g) if matches!(name, "__name__" | "__qualname__") => {
                let Value::Str(s) = &x else {
                    return Err(self.type_error(format!("{name} must be set to a string object")));
                };
                let slot = if name == "__name__" {
                    &g.name
                } else {
                    &g.qualname
                };
                *slot.borrow_mut() = s.clone();
                Ok(())
            }
            // method_getset and method_memberlist: a method takes no attributes.
            Value::Method(m) if name != "__class__" && matches!(m.func, Value::Function(_)) => {
                Err(self.method_attr_write(name))
            }
            Value::Function(f) => {
                match name {
                    "__name__" | "__qualname__" => {
                        let Value::Str(s) = &x else {
                            return Err(
                                self.type_error(format!("{name} must be set to a string object"))
                            );
                        };
                        if name == "__name__" {
                            *f.name.borrow_mut() = s.clone();
                        } else {
                            *f.qualname.borrow_mut() = s.clone();
                        }
                    }
                    // func_set_defaults: a tuple or None.
                    "__defaults__" => {
                        *f.defaults.borrow_mut() = match x {
                            Value::Tuple(t) => Some(t),
                            Value::None => None,
                            _ => {
                                return Err(
                                    self.type_error("__defaults__ must be set to a tuple object")
                                )
                            }
                        }
                    }
                    "__doc__" => *f.doc.borrow_mut() = x,
                    // func_set_kwdefaults: a dict or None.
                    "__kwdefaults__" => {
                        *f.kwdefaults.borrow_mut() = match x {
                            Value::Dict(d) => Some(d),
                            Value::None => None,
                            _ => {
                                return Err(
                                    self.type_error("__kwdefaults__ must be set to a dict object")
                                )
                            }
                        }
                    }
                    // func_set_annotations: a dict, or None for a fresh one on next read.
                    "__annotations__" => {
                        if !matches!(x, Value::Dict(_) | Value::None) {
                            return Err(
                                self.type_error("__annotations__ must be set to a dict object")
                            );
                        }
                        *f.annotations.borrow_mut() = x;
                    }
                    "__globals__" | "__closure__" | "__builtins__" => {
                        return Err(self.err("AttributeError", "readonly attribute"))
                    }
                    // func_module is a plain writable member.
                    "__module__" => *f.module.borrow_mut() = x,
                    // func_set_code: a code object with as many free variables as the
                    // function has cells.
                    "__code__" => {
                        let Value::Code(c) = &x else {
                            return Err(self.type_error("__code__ must be set to a code object"));
                        };
                        let nfree = c.nfree();
                        let nclosure = f.closure.as_ref().map_or(0, |c| c.len());
                        if nfree != nclosure {
                            return Err(self.err(
                                "ValueError",
                                format!(
                                    "{}() requires a code object with {nclosure} free vars, \
                                     not {nfree}",
                                    f.name.borrow()
                                ),
                            ));
                        }
                        *f.code_cell.borrow_mut() = c.clone();
                    }
                    // PyObject_GenericSetDict: a dict (the instance of a dict subclass is
                    // not the VM's dict object).
                    "__dict__" => match &x {
                        Value::Dict(d) => *f.dict_cell.borrow_mut() = d.clone(),
                        Value::Object(_) if matches!(x.builtin_value(), Value::Dict(_)) => {
                            return Err(self.unsupported("a dict subclass as a function's __dict__"))
                        }
                        _ => {
                            return Err(self.type_error(format!(
                                "__dict__ must be set to a dictionary, not a '{}'",
                                self.type_of(&x).name()
                            )))
                        }
                    },
                    // func_set_type_params: only a tuple.
                    "__type_params__" => {
                        if !matches!(x, Value::Tuple(_)) {
                            return Err(self.type_error("__type_params__ must be set to a tuple"));
                        }
                        *f.type_params.borrow_mut() = x;
                    }
                    _ => f.dict().set_str(name, x),
                }
                Ok(())
            }
            // `tb_setnext`: a traceback or None, never one that leads back to this one.
            Value::Traceback(tb) if name == "tb_next" => {
                if !matches!(x, Value::Traceback(_) | Value::None) {
                    let n = self.type_of(&x).name().clone();
                    return Err(self.type_error(format!("expected traceback object, got '{n}'")));
                }
                let mut cursor = x.clone();
                while let Value::Traceback(c) = cursor {
                    if Rc::ptr_eq(&c, tb) {
                        return Err(self.value_error("traceback loop detected"));
                    }
                    cursor = c.tb_next.borrow().clone();
                }
                *tb.tb_next.borrow_mut() = x;
                Ok(())
            }
            Value::Frame(fo) => match name {
                // spec: tracing.f_trace
                "f_trace" => {
                    *fo.trace.borrow_mut() = x;
                    Ok(())
                }
                "f_trace_lines" => {
                    let b = self.truthy(&x)?;
                    fo.trace_lines.set(b);
                    Ok(())
                }
                "f_trace_opcodes" => {
                    let b = self.truthy(&x)?;
                    fo.trace_opcodes.set(b);
                    self.trace.opcode_trace_set |= b;
                    Ok(())
                }
                // A jump from a trace function. spec: tracing.f_lineno.jump
                "f_lineno" => {
                    let fo = fo.clone();
                    super::jump::set_lineno(self, &fo, &x)
                }
                _ => Err(self.err(
                    "AttributeError",
                    format!("'frame' object attribute '{name}' is read-only"),
                )),
            },
            // A `_tuplegetter`'s `__doc__` member.
            Value::Native(n) if super::modules::collections::tuplegetter::set_doc(n, name, &x) => {
                Ok(())
            }
            Value::Native(n) => {
                if let Some(r) = super::modules::native_setattr(self, n, name, Some(x)) {
                    return r;
                }
                Err(self.builtin_attr_write_error(v, name)?)
            }
            other => Err(self.builtin_attr_write_error(other, name)?),
        }
    }

    /// `object_set_class` on an object of a built-in type: deletion and non-classes are
    /// refused first, then any change of an immutable type (`Py_TPFLAGS_IMMUTABLETYPE`,
    /// which every static type has).
    fn builtin_class_write(&mut self, v: &Value, x: Option<&Value>) -> Throw {
        let Some(x) = x else {
            return self.type_error("can't delete __class__ attribute");
        };
        if !matches!(x, Value::Type(_)) {
            let tn = self.type_of(x).name().clone();
            return self.type_error(format!(
                "__class__ must be set to a class, not '{tn}' object"
            ));
        }
        let tn = self.type_of(v).name().clone();
        let own = tn.rsplit('.').next().unwrap_or(&tn);
        let table = super::cpython_names::TYPE_FLAGS;
        let immutable = table
            .binary_search_by(|(n, _)| n.cmp(&own))
            .is_ok_and(|i| table[i].1 & (1 << 8) != 0);
        if !immutable {
            return self.unsupported(format!("assigning __class__ of a {tn} object"));
        }
        self.type_error(
            "__class__ assignment only supported for mutable types or ModuleType subclasses",
        )
    }

    /// Assigning or deleting attribute `name` of a built-in object without a `__dict__`
    /// fails as CPython's `PyObject_GenericSetAttr` words it: a method (non-data
    /// descriptor) is read-only, a getset or member (`int.real`) is not writable, and any
    /// other name does not exist — unless CPython has it and the VM does not.
    fn builtin_attr_write_error(&mut self, v: &Value, name: &str) -> PyResult<Throw> {
        let t = self.type_of(v);
        let tn = t.name().clone();
        if t.lookup(name).is_some() {
            return Ok(self.err(
                "AttributeError",
                format!("'{tn}' object attribute '{name}' is read-only"),
            ));
        }
        // `complex.real` and `.imag` are READONLY members: `PyMember_SetOne`'s wording.
        if matches!(v, Value::Complex(_)) && matches!(name, "real" | "imag") {
            return Ok(self.err("AttributeError", "readonly attribute"));
        }
        if self.special_attr(v, name)?.is_some() {
            let owner = reach::defining_type(&tn, name).unwrap_or(&tn);
            return Ok(self.err(
                "AttributeError",
                format!("attribute '{name}' of '{owner}' objects is not writable"),
            ));
        }
        Ok(self.no_attr(v, name))
    }

    /// `_PyObject_GenericSetAttrWithDict` on an instance without a `__dict__`: a class
    /// attribute that is no data descriptor makes the name read-only.
    fn no_dict_attr(&self, v: &Value, t: &Rc<super::types::Type>, name: &str) -> Throw {
        if t.lookup(name).is_some() {
            return self.err(
                "AttributeError",
                format!("'{}' object attribute '{name}' is read-only", t.name()),
            );
        }
        self.no_attr(v, name)
    }

    /// Writing or deleting a bound method's attribute: its READONLY members, its
    /// `__doc__` getset without a setter, and no dict for the rest.
    fn method_attr_write(&self, name: &str) -> Throw {
        match name {
            "__func__" | "__self__" => self.err("AttributeError", "readonly attribute"),
            "__doc__" => self.err(
                "AttributeError",
                "attribute '__doc__' of 'method' objects is not writable",
            ),
            _ => self.err(
                "AttributeError",
                format!("'method' object has no attribute '{name}'"),
            ),
        }
    }

    /// `delattr(v, name)`.
    pub fn delattr(&mut self, v: &Value, name: &str) -> PyResult<()> {
        if let Some(w) = super::weakproxy::as_proxy(v) {
            return super::weakproxy::setattr(self, w, name, None);
        }
        if let Some(f) = self.own_hook(v, "__delattr__") {
            self.call(&f, Args::new(vec![v.clone(), Value::str(name)]))?;
            return Ok(());
        }
        self.generic_delattr(v, name)
    }

    /// `PyObject_GenericSetAttr` with no value (`object.__delattr__`).
    pub fn generic_delattr(&mut self, v: &Value, name: &str) -> PyResult<()> {
        if let Value::TypeParam(t) = v {
            return Err(super::typevars::attr_write(self, t));
        }
        if name == "__class__" && !matches!(v, Value::Object(_) | Value::Module(_) | Value::Type(_))
        {
            return Err(self.builtin_class_write(v, None));
        }
        if let Value::Object(o) = v {
            if name == "__class__" && !names_own_class(o) {
                return super::layout::assign_class(self, o, None);
            }
            let t = o.class.borrow().clone();
            // A `T_OBJECT` member deleted is NULL again (`PyMember_SetOne`).
            if o.exc.is_some()
                && (super::excmembers::set(self, v, name, None)
                    || super::oserror::set_or_clear(self, v, name, None))
            {
                return Ok(());
            }
            // BaseException's getsets refuse deletion (`BaseException_set_args` and kin);
            // `__suppress_context__` is a `T_BOOL` member.
            if o.exc.is_some() && !t.overrides(name) {
                if matches!(name, "args" | "__traceback__" | "__cause__" | "__context__") {
                    return Err(self.type_error(format!("{name} may not be deleted")));
                }
                if name == "__suppress_context__" {
                    return Err(self.type_error("can't delete numeric/char attribute"));
                }
            }
            // `_struct.Struct`'s getters without setters.
            if matches!(name, "format" | "size") && t.is_subtype(&self.ty("Struct")) {
                return Err(self.err(
                    "AttributeError",
                    format!("attribute '{name}' of '_struct.Struct' objects is not writable"),
                ));
            }
            if let Some(r) = super::modules::asyncio::instance_setattr(self, v, name, None) {
                return r;
            }
            if let Some(a) = t.lookup(name) {
                if self.descr_delete(&a, v)? {
                    return Ok(());
                }
            }
            if !t.has_dict && !t.is_builtin() {
                return Err(self.no_dict_attr(v, &t, name));
            }
        }
        if let Value::Native(n) = v {
            if let Some(r) = super::modules::native_setattr(self, n, name, None) {
                return r;
            }
        }
        // func_set_type_params and check_set_special_type_attr refuse deletion.
        match v {
            Value::Function(_) if name == "__type_params__" => {
                return Err(self.type_error("__type_params__ must be set to a tuple"));
            }
            // func_set_code and PyObject_GenericSetDict refuse deletion.
            Value::Function(_) if name == "__code__" => {
                return Err(self.type_error("__code__ must be set to a code object"));
            }
            Value::Function(_) if name == "__dict__" => {
                return Err(self.type_error("cannot delete __dict__"));
            }
            Value::Method(m) if name != "__class__" && matches!(m.func, Value::Function(_)) => {
                return Err(self.method_attr_write(name))
            }
            // cell_set_contents without a value empties the cell.
            Value::Cell(c) if name == "cell_contents" => {
                *c.value.borrow_mut() = None;
                return Ok(());
            }
            // func_memberlist's READONLY members.
            Value::Function(_)
                if matches!(name, "__globals__" | "__closure__" | "__builtins__") =>
            {
                return Err(self.err("AttributeError", "readonly attribute"));
            }
            // func_set_name, func_set_qualname, gen_set_name and gen_set_qualname
            // without a value.
            Value::Function(_) | Value::Generator(_)
                if matches!(name, "__name__" | "__qualname__") =>
            {
                return Err(self.type_error(format!("{name} must be set to a string object")));
            }
            // A deleted `__kwdefaults__` or `__module__` reads None again, deleted
            // `__annotations__` a fresh dict.
            Value::Function(f)
                if matches!(name, "__kwdefaults__" | "__annotations__" | "__module__") =>
            {
                match name {
                    "__kwdefaults__" => *f.kwdefaults.borrow_mut() = None,
                    "__annotations__" => *f.annotations.borrow_mut() = Value::None,
                    _ => *f.module.borrow_mut() = Value::None,
                }
                return Ok(());
            }
            // `tb_setnext` without a value.
            Value::Traceback(_) if name == "tb_next" => {
                return Err(self.type_error("can't delete tb_next attribute"));
            }
            Value::Type(t) if !t.is_builtin() && matches!(name, "__type_params__" | "__name__") => {
                return Err(self.type_error(format!(
                    "cannot delete '{name}' attribute of immutable type '{}'",
                    t.name()
                )));
            }
            Value::Type(t) if !t.is_builtin() || heap_builtin(t) => {
                if let Some(r) = super::typeattrs::set(self, t, name, None) {
                    return r;
                }
            }
            // type_setattro refuses an immutable type before anything else.
            Value::Type(t) => {
                return Err(self.type_error(format!(
                    "cannot set '{name}' attribute of immutable type '{}'",
                    t.name()
                )));
            }
            _ => {}
        }
        let d = match v {
            Value::Object(o) => Some(o.dict.clone()),
            Value::Module(m) => Some(m.dict.clone()),
            Value::Function(f) => Some(f.dict().clone()),
            Value::Type(t) if !t.is_builtin() || heap_builtin(t) => Some(t.dict.clone()),
            Value::Frame(fo) if name == "f_trace" => {
                *fo.trace.borrow_mut() = Value::None;
                return Ok(());
            }
            // `frame_setlineno` without a value.
            Value::Frame(_) if name == "f_lineno" => {
                return Err(self.err("AttributeError", "cannot delete attribute"));
            }
            // The getsets without a setter and the READONLY members of `frame_getsetlist`
            // and `frame_memberlist`.
            Value::Frame(_)
                if matches!(
                    name,
                    "f_back" | "f_locals" | "f_code" | "f_lasti" | "f_globals" | "f_builtins"
                ) =>
            {
                return Err(self.err(
                    "AttributeError",
                    format!("attribute '{name}' of 'frame' objects is not writable"),
                ));
            }
            _ => None,
        };
        // Deleting these function attributes leaves None (func_memberlist's `__doc__`,
        // func_set_defaults).
        if let Value::Function(f) = v {
            match name {
                "__doc__" => {
                    *f.doc.borrow_mut() = Value::None;
                    return Ok(());
                }
                "__defaults__" => {
                    *f.defaults.borrow_mut() = None;
                    return Ok(());
                }
                _ => {}
            }
        }
        if matches!(v, Value::Type(_)) {
            super::types::types_changed();
        }
        match d {
            Some(d) => match d.remove(&Value::str(name)) {
                Ok(Some(_)) => Ok(()),
                _ => Err(self.no_attr(v, name)),
            },
            None if matches!(v, Value::Frame(_) | Value::Type(_)) => Err(self.no_attr(v, name)),
            // Deleting a `_tuplegetter`'s `__doc__` (a `T_OBJECT` member) leaves None.
            None if matches!(v, Value::Native(n)
                if super::modules::collections::tuplegetter::set_doc(n, name, &Value::None)) =>
            {
                Ok(())
            }
            None => Err(self.builtin_attr_write_error(v, name)?),
        }
    }
}

/// `object`'s generic attribute methods, which a class's own `__getattribute__`,
/// `__setattr__` and `__delattr__` reach through `super()` or `object.…`.
pub const OBJECT_METHODS: &[(&str, &str, NativeFn)] = &[
    ("object", "__str__", object_str),
    ("object", "__getattribute__", object_getattribute),
    // `type_getattro`, which `generic_getattr` follows for a class.
    ("type", "__getattribute__", object_getattribute),
    ("object", "__setattr__", object_setattr),
    ("object", "__delattr__", object_delattr),
];

/// The receiver and the attribute name, which must be a str (`PyObject_GenericGetAttr`).
fn receiver_and_name(vm: &Vm, args: &Args, name: &str, n: usize) -> PyResult<(Value, Rc<str>)> {
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    let given = args.pos.len().saturating_sub(1);
    if given != n {
        let s = if n == 1 { "" } else { "s" };
        let space = if name == "__setattr__" { " " } else { "" };
        return Err(vm.type_error(format!("{space}expected {n} argument{s}, got {given}")));
    }
    match args.pos[1].builtin_value() {
        Value::Str(s) => Ok((args.pos[0].clone(), s.clone())),
        other => Err(vm.type_error(format!(
            "attribute name must be string, not '{}'",
            vm.type_of(other).name()
        ))),
    }
}

/// `object.__str__(self)` (`object_str`): the object's repr.
fn object_str(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, _) = receiver_and_name_free(vm, &args, "__str__")?;
    Ok(Value::str(&vm.repr(&me)?))
}

/// The receiver of a slot wrapper of `object` that takes no other argument.
fn receiver_and_name_free(vm: &Vm, args: &Args, name: &str) -> PyResult<(Value, ())> {
    if !args.kw.is_empty() {
        return Err(vm.type_error(format!("wrapper {name}() takes no keyword arguments")));
    }
    match args.pos.len() {
        0 => Err(vm.type_error(format!(
            "descriptor '{name}' of 'object' object needs an argument"
        ))),
        1 => Ok((args.pos[0].clone(), ())),
        n => Err(vm.type_error(format!("expected 0 arguments, got {}", n - 1))),
    }
}

pub(crate) fn object_getattribute(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, name) = receiver_and_name(vm, &args, "__getattribute__", 1)?;
    vm.generic_getattr(&me, &name)
}

fn object_setattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, name) = receiver_and_name(vm, &args, "__setattr__", 2)?;
    let x = args.pos[2].clone();
    vm.generic_setattr(&me, &name, x)?;
    Ok(Value::None)
}

fn object_delattr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (me, name) = receiver_and_name(vm, &args, "__delattr__", 1)?;
    vm.generic_delattr(&me, &name)?;
    Ok(Value::None)
}

/// The `__doc__` of a method or descriptor of the generator, coroutine and async generator
/// types (`cpython_names::GENERATOR_DOCS`), by the VM's name of the type.
pub fn generator_doc(owner: &str, name: &str) -> Option<Value> {
    super::cpython_names::GENERATOR_DOCS
        .iter()
        .find(|(t, n, _)| *t == owner && *n == name)
        .map(|(_, _, doc)| doc.map_or(Value::None, Value::str))
}

/// Whether a class in `o`'s MRO names `__class__` itself (then its descriptor, not
/// `object.__class__`'s setter, takes an assignment).
fn names_own_class(o: &super::object::Instance) -> bool {
    let t = o.class.borrow().clone();
    std::iter::once(&t)
        .chain(t.mro_rest.iter())
        .any(|c| !c.is_builtin() && c.dict.get_str("__class__").is_some())
}
