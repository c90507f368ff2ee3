//! `repr()`, `str()` and `format()` with CPython 3.12's exact output.

use super::interp::Vm;
use super::object::{PropertyKind, Value, ViewKind};
use super::standins::repr as str_repr;
use super::PyResult;
use crate::reprs::{bytes_repr, float_repr};

fn addr(v: &Value) -> String {
    format!("{:#x}", v.address())
}

impl Vm {
    /// `object_repr`: `<module.Qualname object at 0x…>`, or `<tp_name object at 0x…>` for
    /// a type of the builtins module.
    pub fn default_repr(&self, v: &Value) -> String {
        let t = self.type_of(v);
        match t.module_str() {
            Some(m) if &*m != "builtins" => {
                let qual = t.qualname.borrow().clone();
                format!("<{m}.{qual} object at {}>", addr(v))
            }
            _ => format!("<{} object at {}>", t.name(), addr(v)),
        }
    }

    /// `repr(v)` (CPython `PyObject_Repr`): one unit of the C recursion budget per call,
    /// so deep nesting raises RecursionError instead of exhausting the Rust stack; a
    /// container already being repr'd shows as `[...]` / `{...}` (`Py_ReprEnter`).
    pub fn repr(&mut self, v: &Value) -> PyResult<String> {
        self.guarded(" while getting the repr of an object", |vm| {
            vm.repr_direct(v)
        })
    }

    /// The type's `tp_repr` called directly, without `PyObject_Repr`'s unit of the C
    /// recursion budget: what `object_str` does for a type without `__str__`.
    #[inline(always)]
    fn repr_direct(&mut self, v: &Value) -> PyResult<String> {
        // A container's repr can be far larger than the container (shared items).
        self.check_heap()?;
        {
            let vm = self;
            let key = v.address();
            // A SimpleNamespace guards itself (namespace_repr's `namespace(...)`).
            let namespace = matches!(v, Value::Object(o)
                if &*o.class.borrow().name() == "types.SimpleNamespace");
            // The built-in reprs that guard (`Py_ReprEnter`): list, tuple, dict, set, the
            // views, and an instance whose class keeps its built-in base's repr. A class's
            // own `__repr__` in Python does not guard: its recursion is its own.
            let container = !namespace
                && match v {
                    Value::List(_)
                    | Value::Tuple(_)
                    | Value::Dict(_)
                    | Value::Set(_)
                    | Value::DictView(_) => true,
                    Value::Object(o) => !matches!(
                        o.class.borrow().lookup("__repr__"),
                        Some(Value::Function(_))
                    ),
                    _ => false,
                };
            if container {
                if vm.repr_active.contains(&key) {
                    return Ok(match v.builtin_value() {
                        Value::List(_) => "[...]".into(),
                        Value::Tuple(_) => "(...)".into(),
                        // `odict_repr` says "..." of itself.
                        Value::Dict(_) if !vm.type_of(v).is_subtype(&vm.ty("OrderedDict")) => {
                            "{...}".into()
                        }
                        // `set_repr`: "%s(...)" with the type's name.
                        Value::Set(_) => format!("{}(...)", vm.type_of(v).name()),
                        _ => "...".into(),
                    });
                }
                vm.repr_active.push(key);
            }
            let r = vm.repr_inner(v);
            if container {
                vm.repr_active.pop();
            }
            r
        }
    }

    fn join_reprs(&mut self, items: &[Value]) -> PyResult<String> {
        let mut parts = Vec::with_capacity(items.len());
        for i in items {
            parts.push(self.repr(i)?);
        }
        Ok(parts.join(", "))
    }

    fn repr_inner(&mut self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::NotImplemented => "NotImplemented".into(),
            Value::Ellipsis => "Ellipsis".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => self.int_text(&crate::arith::Num::Big(b.clone()))?,
            Value::Float(f) => float_repr(*f),
            Value::Complex(c) => crate::reprs::complex_repr(c.0, c.1),
            Value::Str(s) => str_repr(s),
            Value::Bytes(b) => bytes_repr(b),
            Value::Tuple(t) => {
                if t.len() == 1 {
                    format!("({},)", self.repr(&t[0])?)
                } else {
                    format!("({})", self.join_reprs(t)?)
                }
            }
            Value::List(l) => {
                let items = l.items.borrow().clone();
                format!("[{}]", self.join_reprs(&items)?)
            }
            Value::Dict(d) => {
                let mut parts = Vec::new();
                for (k, val) in d.items() {
                    parts.push(format!("{}: {}", self.repr(&k)?, self.repr(&val)?));
                }
                format!("{{{}}}", parts.join(", "))
            }
            // `set_repr`: `set()`, `{1, 2}`, `frozenset()`, `frozenset({1, 2})`.
            Value::Set(s) => {
                let keys = s.items.keys();
                let name = if s.frozen { "frozenset" } else { "set" };
                if keys.is_empty() {
                    format!("{name}()")
                } else if s.frozen {
                    format!("{name}({{{}}})", self.join_reprs(&keys)?)
                } else {
                    format!("{{{}}}", self.join_reprs(&keys)?)
                }
            }
            Value::Range(r) => r.repr(),
            Value::Slice(s) => {
                let (a, b, c) = (s.start.clone(), s.stop.clone(), s.step.clone());
                format!(
                    "slice({}, {}, {})",
                    self.repr(&a)?,
                    self.repr(&b)?,
                    self.repr(&c)?
                )
            }
            Value::DictView(d) => {
                let (name, items) = match d.kind {
                    ViewKind::Keys => ("dict_keys", d.dict.keys()),
                    ViewKind::Values => ("dict_values", d.dict.values()),
                    ViewKind::Items => (
                        "dict_items",
                        d.dict
                            .items()
                            .into_iter()
                            .map(|(k, v)| Value::tuple(vec![k, v]))
                            .collect(),
                    ),
                };
                // `dictview_repr` formats the list of its items with %R: one more unit
                // of the C recursion budget for that list's repr.
                let inner = self.guarded(" while getting the repr of an object", |vm| {
                    vm.join_reprs(&items)
                })?;
                format!("{name}([{inner}])")
            }
            Value::Iter(_) => {
                let name = self.type_of(v).name().to_string();
                format!("<{name} object at {}>", addr(v))
            }
            Value::Function(f) => format!("<function {} at {}>", f.qualname.borrow(), addr(v)),
            Value::Builtin(b) => match b.owner {
                Some(owner) if b.name == "__new__" => format!(
                    "<built-in method __new__ of type object at {:#x}>",
                    Value::Type(self.ty(owner)).address()
                ),
                Some(owner) if super::reach::is_wrapper_descriptor(owner, b.name) => format!(
                    "<slot wrapper '{}' of '{}' objects>",
                    b.name,
                    self.ty(owner).name()
                ),
                Some(owner) => {
                    format!(
                        "<method '{}' of '{}' objects>",
                        b.name,
                        self.ty(owner).name()
                    )
                }
                None => format!("<built-in function {}>", b.name),
            },
            Value::Method(m) => match &m.func {
                Value::Builtin(b) => {
                    let recv = m.receiver.clone();
                    match &recv {
                        Value::Module(md) => format!("<built-in function {}>", {
                            let _ = md;
                            b.name
                        }),
                        _ if b.name != "__new__"
                            && b.owner.is_some_and(|o| {
                                super::reach::is_wrapper_descriptor(o, b.name)
                            }) =>
                        {
                            let tname = self.type_of(&recv).name().clone();
                            format!(
                                "<method-wrapper '{}' of {} object at {}>",
                                b.name,
                                tname,
                                addr(&recv)
                            )
                        }
                        _ => {
                            let tname = self.type_of(&recv).name().clone();
                            format!(
                                "<built-in method {} of {} object at {}>",
                                b.name,
                                tname,
                                addr(&recv)
                            )
                        }
                    }
                }
                Value::Function(f) => {
                    let qual = f.qualname.borrow().clone();
                    let recv = m.receiver.clone();
                    format!("<bound method {} of {}>", qual, self.repr(&recv)?)
                }
                other => {
                    let other = other.clone();
                    self.repr(&other)?
                }
            },
            Value::Code(c) => format!(
                "<code object {} at {}, file \"{}\", line {}>",
                c.co_name,
                addr(v),
                c.co_filename,
                c.co_firstlineno
            ),
            Value::Frame(fo) => {
                let line = self
                    .frame_lineno(fo)
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "None".into());
                let (file, name) = self
                    .with_frame(fo, |f| {
                        (f.info.code.co_filename.clone(), f.info.code.co_name.clone())
                    })
                    .unwrap_or_else(|| ("?".into(), "?".into()));
                format!(
                    "<frame at {}, file {}, line {}, code {}>",
                    addr(v),
                    str_repr(&file),
                    line,
                    name
                )
            }
            Value::Traceback(_) => format!("<traceback object at {}>", addr(v)),
            // `module_repr`: importlib's `_module_repr` once importlib is set up.
            Value::Module(_) if self.importlib.is_some() => {
                let importlib = self.importlib.clone().unwrap_or_default();
                let f = self.getattr(&importlib, "_module_repr")?;
                let r = self.call1(&f, v.clone())?;
                match r.builtin_value() {
                    Value::Str(s) => s.to_string(),
                    _ => return Err(self.type_error("__repr__ returned non-string")),
                }
            }
            Value::Module(m) => match &m.file {
                Some(f) => format!("<module '{}' from '{}'>", m.name, f),
                // CPython names the shared library it loaded the module from.
                None if super::modules::from_file(&m.name) => {
                    return Err(self.unsupported(format!(
                        "the repr of the module {} (CPython names its file)",
                        m.name
                    )))
                }
                None => format!("<module '{}' (built-in)>", m.name),
            },
            Value::Type(t) if t.meta.as_ref().is_some_and(|m| m.overrides("__repr__")) => {
                let f = t.meta.as_ref().and_then(|m| m.lookup("__repr__"));
                let r = match f {
                    Some(f) => self.call1(&f, v.clone())?,
                    None => Value::None,
                };
                match r.builtin_value() {
                    Value::Str(s) => s.to_string(),
                    _ => {
                        let n = self.type_of(&r).name().clone();
                        return Err(
                            self.type_error(format!("__repr__ returned non-string (type {n})"))
                        );
                    }
                }
            }
            // type_repr: `<class 'module.qualname'>`, or the tp_name alone.
            Value::Type(t) => match t.module_str() {
                Some(m) if &*m != "builtins" => {
                    format!("<class '{m}.{}'>", t.qualname.borrow())
                }
                _ if t.builtin => format!("<class '{}'>", t.qualname.borrow()),
                _ => format!("<class '{}'>", t.name()),
            },
            Value::Cell(c) => match &*c.value.borrow() {
                Some(x) => format!(
                    "<cell at {}: {} object at {}>",
                    addr(v),
                    self.type_of(x).name(),
                    addr(x)
                ),
                None => format!("<cell at {}: empty>", addr(v)),
            },
            Value::Generator(g) => format!(
                "<{} object {} at {}>",
                g.kind.type_name(),
                g.qualname.borrow(),
                addr(v)
            ),
            Value::AsyncOp(o) => format!("<{} object at {}>", o.type_name(), addr(v)),
            Value::TypeParam(t) => super::typevars::repr(t),
            Value::Native(n) => super::modules::native_repr(self, v, n)?,
            Value::Property(p) => match p.kind {
                PropertyKind::Property => format!("<property object at {}>", addr(v)),
                PropertyKind::StaticMethod => {
                    let f = p.func.clone();
                    format!("<staticmethod({})>", self.repr(&f)?)
                }
                PropertyKind::ClassMethod => {
                    let f = p.func.clone();
                    format!("<classmethod({})>", self.repr(&f)?)
                }
                PropertyKind::Member => {
                    let (name, owner) = (p.name.borrow().clone(), p.doc.borrow().clone());
                    format!(
                        "<member {} of '{}' objects>",
                        self.repr(&name)?,
                        self.str_of(&owner)?
                    )
                }
            },
            Value::Object(o) => {
                if let Some(r) = self.call_special(v, "__repr__", vec![])? {
                    return match r.builtin_value() {
                        Value::Str(s) => Ok(s.to_string()),
                        other => {
                            let n = self.type_of(other).name().clone();
                            Err(self.type_error(format!("__repr__ returned non-string (type {n})")))
                        }
                    };
                }
                let t = o.class.borrow().clone();
                // `cm_repr` and `sm_repr` name the built-in type, whatever the subclass.
                if let Some(p @ Value::Property(d)) = &o.payload {
                    if d.kind != PropertyKind::Property {
                        return self.repr(&p.clone());
                    }
                }
                if let Some(data) = &o.exc {
                    let args = data.args.borrow().clone();
                    let inner = match &args {
                        Value::Tuple(items) if items.len() == 1 => {
                            format!("({})", self.repr(&items[0])?)
                        }
                        Value::Tuple(items) => format!("({})", self.join_reprs(items)?),
                        other => format!("({})", self.repr(other)?),
                    };
                    format!("{}{}", t.name(), inner)
                } else if let (true, Some(state)) = (
                    t.is_builtin() && &*t.name() == "TextIOWrapper",
                    super::modules::io::textio::of(v),
                ) {
                    super::modules::io::textio::repr(self, v, &state)?
                } else if t.is_builtin() && &*t.name() == "TextIOWrapper" {
                    // The standard streams (CPython `textiowrapper_repr`).
                    let name = match v {
                        Value::Object(o) => o.dict.get_str("name").unwrap_or(Value::None),
                        _ => Value::None,
                    };
                    let name = self.repr(&name)?;
                    // `sys.stdin` (descriptor 0) is the one opened for reading.
                    let mode = match v {
                        Value::Object(o) => match o.dict.get_str("_framespec_stream") {
                            Some(Value::Int(0)) => 'r',
                            _ => 'w',
                        },
                        _ => 'w',
                    };
                    format!("<_io.TextIOWrapper name={name} mode='{mode}' encoding='utf-8'>")
                } else if t.is_builtin() && o.payload.is_none() {
                    // An instance of a built-in type whose dict has its `__repr__`
                    // (`types.SimpleNamespace`); one CPython gives a `__repr__` the VM
                    // lacks is unsupported rather than shown as object's.
                    match self.type_lookup(&t, "__repr__")? {
                        Some(f) if !matches!(&f, Value::Builtin(b) if b.owner == Some("object")) => {
                            let r = self.call(&f, super::object::Args::new(vec![v.clone()]))?;
                            self.str_of(&r)?
                        }
                        _ => self.default_repr(v),
                    }
                } else {
                    self.default_repr(v)
                }
            }
        })
    }

    /// `str(v)` (CPython `PyObject_Str`): a str is itself; anything else takes a unit of
    /// the C recursion budget while its `tp_str` runs.
    pub fn str_of(&mut self, v: &Value) -> PyResult<String> {
        if let Value::Str(s) = v {
            return Ok(s.to_string());
        }
        self.guarded(" while getting the str of an object", |vm| vm.str_direct(v))
    }

    /// The type's `tp_str`; for a type without its own, `object_str`, which calls
    /// `tp_repr` directly.
    fn str_direct(&mut self, v: &Value) -> PyResult<String> {
        if let Some(w) = super::weakproxy::as_proxy(v) {
            return super::weakproxy::str_of(self, w);
        }
        match v {
            Value::Str(s) => Ok(s.to_string()),
            // `mappingproxy_str`: the str of the mapping.
            Value::Native(n) if matches!(**n, super::object::Native::MappingProxy(_)) => {
                let super::object::Native::MappingProxy(p) = &**n else {
                    return Err(self.bug("mappingproxy"));
                };
                if let Some(m) = &p.mapping {
                    let m = m.clone();
                    return self.str_of(&m);
                }
                let d = super::mappingproxy::shown(self, p)?;
                self.str_of(&Value::Dict(d))
            }
            Value::Object(o) => {
                if let Some(r) = self.call_special(v, "__str__", vec![])? {
                    return match r.builtin_value() {
                        Value::Str(s) => Ok(s.to_string()),
                        other => {
                            let n = self.type_of(other).name().clone();
                            Err(self.type_error(format!("__str__ returned non-string (type {n})")))
                        }
                    };
                }
                if super::excgroup::is_group(self, v) {
                    return super::excgroup::str_of(self, v);
                }
                if super::syntaxerror::is_syntax_error(self, v) {
                    return super::syntaxerror::str_of(self, v);
                }
                if let Some(text) = super::oserror::str_of(self, v)? {
                    return Ok(text);
                }
                if let Some(text) = super::excmembers::str_of(self, v) {
                    return Ok(text);
                }
                if let Some(text) = super::unicodeerror::str_of(self, v)? {
                    return Ok(text);
                }
                if let Some(data) = &o.exc {
                    let args = data.args.borrow().clone();
                    let is_key_error = o.class.borrow().is_subtype(&self.ty("KeyError"));
                    return match &args {
                        Value::Tuple(items) if items.is_empty() => Ok(String::new()),
                        Value::Tuple(items) if items.len() == 1 => {
                            if is_key_error {
                                self.repr(&items[0])
                            } else {
                                self.str_of(&items[0])
                            }
                        }
                        other => self.repr(other),
                    };
                }
                self.repr_direct(v)
            }
            other => self.repr_direct(other),
        }
    }

    /// `ascii(v)` (CPython `PyObject_ASCII`): the repr with non-ASCII characters escaped.
    pub fn ascii(&mut self, v: &Value) -> PyResult<String> {
        let r = self.repr(v)?;
        let mut out = String::with_capacity(r.len());
        for c in r.chars() {
            match super::standins::code_point(c) {
                0..=0x7f => out.push(c),
                n @ 0x80..=0xff => out.push_str(&format!("\\x{n:02x}")),
                n @ 0x100..=0xffff => out.push_str(&format!("\\u{n:04x}")),
                n => out.push_str(&format!("\\U{n:08x}")),
            }
        }
        Ok(out)
    }
}
