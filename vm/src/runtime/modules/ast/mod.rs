//! `_ast` (CPython 3.12 `Python/Python-ast.c`): the base `AST`, every node class with
//! CPython's hierarchy (generated into `nodes` from python3.12), `AST.__init__`
//! (`ast_type_init`) and `AST.__reduce__` (`ast_type_reduce`), and the `PyCF_*` flags.
//! `convert` turns ruff's tree into these nodes for `compile(..., PyCF_ONLY_AST)`.
//!
//! As in CPython, the node classes are heap types made by calling `type` (so Python code
//! subclasses them, as Lib/ast.py does) and belong to the interpreter, not to the module
//! object: [`State`] holds them once per VM, with the shared instances CPython's
//! `ast2obj` hands out for the contexts and operators (`Load()`, `Add()`, …).

pub mod convert;
mod expr;
mod fstring;
#[rustfmt::skip]
mod nodes;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Instance, NativeFn, Value};
use super::super::types::Type;
use super::super::{PyResult, Throw};
use crate::compile::Loc;

/// `PyCF_ONLY_AST`.
pub const PYCF_ONLY_AST: u32 = 0x0400;
/// `PyCF_TYPE_COMMENTS`.
pub const PYCF_TYPE_COMMENTS: u32 = 0x1000;
/// `PyCF_ALLOW_TOP_LEVEL_AWAIT`.
pub const PYCF_ALLOW_TOP_LEVEL_AWAIT: u32 = 0x2000;

/// The abstract classes whose concrete nodes carry no fields and which `ast2obj` shares
/// (`state->Load_singleton`, …).
const SHARED: &[&str] = &["expr_context", "boolop", "operator", "unaryop", "cmpop"];

/// The interpreter's `_ast` state (CPython `struct ast_state`): the node classes by name
/// and the shared instances.
#[derive(Debug)]
pub struct State {
    classes: HashMap<&'static str, (Rc<Type>, &'static nodes::Node)>,
    shared: HashMap<&'static str, Value>,
}

impl State {
    /// The shared instance of a field-less node (`Load`, `Add`, …).
    fn shared(&self, vm: &Vm, name: &str) -> PyResult<Value> {
        self.shared
            .get(name)
            .cloned()
            .ok_or_else(|| vm.bug(format!("no shared _ast node {name}")))
    }

    /// A new node of class `name` with its fields in `_fields` order, then its location
    /// attributes when it has them (what `ast2obj_*` sets, in its order).
    fn node(&self, vm: &Vm, name: &str, fields: Vec<Value>, loc: Option<Loc>) -> PyResult<Value> {
        let Some((cls, spec)) = self.classes.get(name) else {
            return Err(vm.bug(format!("no _ast class {name}")));
        };
        if spec.fields.len() != fields.len() {
            return Err(vm.bug(format!("{name} built with the wrong number of fields")));
        }
        let d = Dict::new_rc();
        for (f, v) in spec.fields.iter().zip(fields) {
            d.set_str(f, v);
        }
        if let Some(loc) = loc {
            d.set_str("lineno", Value::Int(loc.line.into()));
            d.set_str("col_offset", Value::Int(loc.col.into()));
            d.set_str("end_lineno", Value::Int(loc.end_line.into()));
            d.set_str("end_col_offset", Value::Int(loc.end_col.into()));
        }
        Ok(Value::Object(super::super::gc::alloc(Instance {
            class: RefCell::new(Rc::clone(cls)),
            dict: d,
            exc: None,
            payload: None,
            slots: RefCell::new(vec![None; cls.nslots]),
        })))
    }
}

/// The VM's `_ast` state, made on first use.
pub fn state(vm: &Vm) -> Rc<State> {
    if let Some(s) = &*vm.ast.borrow() {
        return s.clone();
    }
    let s = Rc::new(make_state(vm));
    *vm.ast.borrow_mut() = Some(s.clone());
    s
}

fn make_state(vm: &Vm) -> State {
    let ast = vm.ty("AST");
    if ast.dict.get_str("_fields").is_none() {
        ast.dict.set_str("__doc__", Value::None);
        ast.dict.set_str("__module__", Value::str("ast"));
        ast.dict.set_str("_fields", Value::tuple(Vec::new()));
        ast.dict.set_str("__match_args__", Value::tuple(Vec::new()));
        ast.dict.set_str("_attributes", Value::tuple(Vec::new()));
    }
    let mut classes: HashMap<&'static str, (Rc<Type>, &'static nodes::Node)> = HashMap::new();
    let mut shared = HashMap::new();
    for node in nodes::NODES {
        let base = classes
            .get(node.base)
            .map_or_else(|| ast.clone(), |(t, _)| t.clone());
        let t = node_class(node, base);
        if SHARED.contains(&node.base) {
            shared.insert(node.name, super::super::subclass::plain_instance(&t));
        }
        classes.insert(node.name, (t, node));
    }
    State { classes, shared }
}

fn names(items: &[&str]) -> Value {
    Value::tuple(items.iter().map(|s| Value::str(s)).collect())
}

/// A node class as `make_type` makes it: `type(name, (base,), {"_fields": …,
/// "__match_args__": …, "__module__": "ast", "__doc__": …})`, then its own `_attributes`
/// and the None defaults of its optional fields and attributes.
fn node_class(node: &nodes::Node, base: Rc<Type>) -> Rc<Type> {
    let ns = Dict::new_rc();
    ns.set_str("_fields", names(node.fields));
    ns.set_str("__match_args__", names(node.fields));
    ns.set_str("__module__", Value::str("ast"));
    ns.set_str("__doc__", Value::str(node.doc));
    let t = Type::heap(node.name, "ast", vec![base.clone()], ns, "object");
    super::super::mappingproxy::add_class_entries(&t);
    if let Some(attrs) = node.attributes {
        t.dict.set_str("_attributes", names(attrs));
    }
    for name in node.none_defaults {
        t.dict.set_str(name, Value::None);
    }
    base.subclasses.borrow_mut().push(Rc::downgrade(&t));
    t
}

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    let st = state(vm);
    d.set_str("AST", Value::Type(vm.ty("AST")));
    for node in nodes::NODES {
        if let Some((t, _)) = st.classes.get(node.name) {
            d.set_str(node.name, Value::Type(t.clone()));
        }
    }
    d.set_str(
        "PyCF_ALLOW_TOP_LEVEL_AWAIT",
        Value::Int(PYCF_ALLOW_TOP_LEVEL_AWAIT.into()),
    );
    d.set_str("PyCF_ONLY_AST", Value::Int(PYCF_ONLY_AST.into()));
    d.set_str("PyCF_TYPE_COMMENTS", Value::Int(PYCF_TYPE_COMMENTS.into()));
}

/// `ast.AST(*args, **kwargs)` itself: a plain instance, then `__init__`.
pub fn construct(vm: &mut Vm, t: &Rc<Type>, args: Args) -> PyResult<Value> {
    let obj = super::super::subclass::plain_instance(t);
    let mut a = args;
    a.pos.insert(0, obj.clone());
    init(vm, a)?;
    Ok(obj)
}

/// `_PyType_Name`: the part of the type's name after its last dot.
fn short_name(t: &Type) -> String {
    t.name().rsplit('.').next().unwrap_or_default().to_owned()
}

/// `AST.__init__` (`ast_type_init`): positional arguments set the fields of `_fields` in
/// order, keywords set any attribute; a field given both ways is a TypeError. Fields not
/// given are left unset (CPython 3.12).
fn init(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(me) = args.pos.first().cloned() else {
        return Err(vm.bug("AST.__init__ without self"));
    };
    let cls = vm.type_of(&me);
    let fields = super::io::lookup_attr(vm, &Value::Type(cls.clone()), "_fields")?;
    let numfields = match &fields {
        Some(f) => vm.len(f)?,
        None => 0,
    };
    let given = &args.pos[1..];
    if numfields < given.len() {
        let s = if numfields == 1 { "" } else { "s" };
        return Err(vm.type_error(format!(
            "{} constructor takes at most {numfields} positional argument{s}",
            short_name(&cls)
        )));
    }
    let fields = fields.unwrap_or_else(|| Value::tuple(Vec::new()));
    for (i, v) in given.iter().enumerate() {
        let name = vm.getitem(&fields, &Value::Int(i as i64))?;
        set_named(vm, &me, &name, v.clone())?;
    }
    for (key, value) in &args.kw {
        let k = Value::Str(key.clone());
        if vm.contains(&fields, &k)? {
            let mut p = 0;
            for f in vm.collect(&fields)? {
                if vm.eq(&f, &k)? {
                    break;
                }
                p += 1;
            }
            if p < given.len() {
                return Err(vm.type_error(format!(
                    "{} got multiple values for argument '{key}'",
                    cls.name()
                )));
            }
        }
        vm.setattr(&me, key, value.clone())?;
    }
    Ok(Value::None)
}

/// `PyObject_SetAttr` with a name that must be a str.
fn set_named(vm: &mut Vm, me: &Value, name: &Value, v: Value) -> PyResult<()> {
    match name.builtin_value() {
        Value::Str(s) => {
            let s = s.clone();
            vm.setattr(me, &s, v)
        }
        _ => {
            let n = vm.type_of(name).name().clone();
            Err(vm.type_error(format!("attribute name must be string, not '{n}'")))
        }
    }
}

/// `AST.__reduce__` (`ast_type_reduce`): `(type(self), (), self.__dict__)`, without the
/// dict when the instance has none.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    super::super::argspec::no_args(vm, &args, "AST", "__reduce__")?;
    let Some(me) = args.pos.first().cloned() else {
        return Err(vm.bug("AST.__reduce__ without self"));
    };
    let cls = Value::Type(vm.type_of(&me));
    let empty = Value::tuple(Vec::new());
    Ok(match super::io::lookup_attr(vm, &me, "__dict__")? {
        Some(d) => Value::tuple(vec![cls, empty, d]),
        None => Value::tuple(vec![cls, empty]),
    })
}

/// The methods of `ast.AST`.
pub const METHODS: &[(&str, &str, NativeFn)] =
    &[("AST", "__init__", init), ("AST", "__reduce__", reduce)];

/// A conversion CPython makes that the VM cannot make exactly.
fn unsupported(vm: &Vm, what: impl std::fmt::Display) -> Throw {
    vm.unsupported(format!("ast.parse of {what}"))
}
