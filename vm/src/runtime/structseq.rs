//! Struct sequences (CPython `Objects/structseq.c`): tuples whose items also have names —
//! `sys.flags`, `sys.version_info`, `os.stat_result`. An instance is a tuple subclass's
//! instance (see `subclass`) holding its visible fields as its tuple and every field,
//! named or not, in its slots, which read-only member descriptors name.

use std::cell::RefCell;
use std::rc::Rc;

use super::interp::Vm;
use super::object::{Args, Instance, NativeFn, Property, PropertyKind, Value};
use super::PyResult;

/// `(type, fields by position (an empty name is an unnamed field), how many are visible
/// as the tuple)`.
const LAYOUTS: &[(&str, &[&str], usize)] = &[
    (
        "flags",
        &[
            "debug",
            "inspect",
            "interactive",
            "optimize",
            "dont_write_bytecode",
            "no_user_site",
            "no_site",
            "ignore_environment",
            "verbose",
            "bytes_warning",
            "quiet",
            "hash_randomization",
            "isolated",
            "dev_mode",
            "utf8_mode",
            "warn_default_encoding",
            "safe_path",
            "int_max_str_digits",
        ],
        18,
    ),
    (
        "version_info",
        &["major", "minor", "micro", "releaselevel", "serial"],
        5,
    ),
    (
        "stat_result",
        &[
            "st_mode",
            "st_ino",
            "st_dev",
            "st_nlink",
            "st_uid",
            "st_gid",
            "st_size",
            "",
            "",
            "",
            "st_atime",
            "st_mtime",
            "st_ctime",
            "st_atime_ns",
            "st_mtime_ns",
            "st_ctime_ns",
            "st_blksize",
            "st_blocks",
            "st_rdev",
        ],
        10,
    ),
];

fn layout(name: &str) -> Option<(&'static [&'static str], usize)> {
    LAYOUTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, fields, visible)| (fields, visible))
}

/// Puts each struct sequence type's members, `n_fields` counts and `__repr__` in its dict.
pub fn install(vm: &Vm) {
    for &(name, fields, visible) in LAYOUTS {
        let t = vm.ty(name);
        for (i, field) in fields.iter().enumerate().filter(|(_, f)| !f.is_empty()) {
            let member = Property {
                kind: PropertyKind::Member,
                func: Value::Int(i as i64),
                fset: Value::None,
                fdel: Value::None,
                doc: RefCell::new(Value::str(name)),
                name: RefCell::new(Value::str(field)),
                readonly: true,
            };
            t.dict.set_str(field, Value::Property(Rc::new(member)));
        }
        let unnamed = fields.iter().filter(|f| f.is_empty()).count();
        t.dict
            .set_str("n_sequence_fields", Value::Int(visible as i64));
        t.dict.set_str("n_fields", Value::Int(fields.len() as i64));
        t.dict
            .set_str("n_unnamed_fields", Value::Int(unnamed as i64));
    }
}

/// An instance of the struct sequence `type_name` with `values`, one per field.
pub fn make(vm: &Vm, type_name: &str, values: Vec<Value>) -> Value {
    let visible = layout(type_name).map_or(values.len(), |(_, v)| v);
    let tuple = Value::tuple(values[..visible.min(values.len())].to_vec());
    Value::Object(super::gc::alloc(Instance {
        class: RefCell::new(vm.ty(type_name)),
        dict: super::dict::Dict::new_rc(),
        exc: None,
        payload: Some(tuple),
        slots: RefCell::new(values.into_iter().map(Some).collect()),
    }))
}

/// `structseq_repr`: `sys.flags(debug=0, …)`, the visible fields by name.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Object(o)) = args.pos.first() else {
        return Err(vm.bug("a struct sequence's __repr__ without one"));
    };
    let t = o.class.borrow().clone();
    let key = super::types::STRUCT_SEQUENCES
        .iter()
        .find(|k| t.is_subtype(&vm.ty(k)))
        .copied()
        .unwrap_or_default();
    let Some((fields, visible)) = layout(key) else {
        return Err(vm.bug("a struct sequence without a layout"));
    };
    let values: Vec<Option<Value>> = o.slots.borrow().clone();
    let mut parts = Vec::new();
    for (field, v) in fields.iter().zip(values).take(visible) {
        let v = v.unwrap_or(Value::None);
        parts.push(format!("{field}={}", vm.repr(&v)?));
    }
    Ok(Value::str(&format!("{}({})", t.name, parts.join(", "))))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("flags", "__repr__", repr),
    ("version_info", "__repr__", repr),
    ("stat_result", "__repr__", repr),
];
