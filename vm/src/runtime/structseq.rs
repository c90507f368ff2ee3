//! Struct sequences (CPython `Objects/structseq.c`): tuples whose items also have names —
//! `sys.flags`, `sys.version_info`, `sys.float_info`, `os.stat_result` and posix's other result types
//! (`os.terminal_size`, `os.statvfs_result`, `posix.times_result`, `posix.uname_result`,
//! `posix.waitid_result`, `posix.sched_param`, `time.struct_time`). An instance is a tuple subclass's
//! instance (see `subclass`) holding its visible fields as its tuple and every field,
//! named or not, in its slots, which read-only member descriptors name.

use std::cell::RefCell;
use std::rc::Rc;

use super::argspec::{required, Spec, Style};
use super::interp::Vm;
use super::object::{Args, Instance, NativeFn, Property, PropertyKind, Value};
use super::types::Type;
use super::{PyResult, Throw};

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
        "float_info",
        &[
            "max",
            "max_exp",
            "max_10_exp",
            "min",
            "min_exp",
            "min_10_exp",
            "dig",
            "mant_dig",
            "epsilon",
            "radix",
            "rounds",
        ],
        11,
    ),
    (
        "hash_info",
        &[
            "width",
            "modulus",
            "inf",
            "nan",
            "imag",
            "algorithm",
            "hash_bits",
            "seed_bits",
            "cutoff",
        ],
        9,
    ),
    (
        "int_info",
        &[
            "bits_per_digit",
            "sizeof_digit",
            "default_max_str_digits",
            "str_digits_check_threshold",
        ],
        4,
    ),
    ("thread_info", &["name", "lock", "version"], 3),
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
    (
        "statvfs_result",
        &[
            "f_bsize",
            "f_frsize",
            "f_blocks",
            "f_bfree",
            "f_bavail",
            "f_files",
            "f_ffree",
            "f_favail",
            "f_flag",
            "f_namemax",
            "f_fsid",
        ],
        10,
    ),
    ("terminal_size", &["columns", "lines"], 2),
    (
        "times_result",
        &[
            "user",
            "system",
            "children_user",
            "children_system",
            "elapsed",
        ],
        5,
    ),
    (
        "uname_result",
        &["sysname", "nodename", "release", "version", "machine"],
        5,
    ),
    (
        "waitid_result",
        &["si_pid", "si_uid", "si_signo", "si_status", "si_code"],
        5,
    ),
    ("sched_param", &["sched_priority"], 1),
    (
        "struct_time",
        &[
            "tm_year",
            "tm_mon",
            "tm_mday",
            "tm_hour",
            "tm_min",
            "tm_sec",
            "tm_wday",
            "tm_yday",
            "tm_isdst",
            "tm_zone",
            "tm_gmtoff",
        ],
        9,
    ),
    (
        "_ExceptHookArgs",
        &["exc_type", "exc_value", "exc_traceback", "thread"],
        4,
    ),
    (
        "UnraisableHookArgs",
        &[
            "exc_type",
            "exc_value",
            "exc_traceback",
            "err_msg",
            "object",
        ],
        5,
    ),
    (
        "struct_siginfo",
        &[
            "si_signo",
            "si_code",
            "si_errno",
            "si_pid",
            "si_uid",
            "si_status",
            "si_band",
        ],
        7,
    ),
];

fn layout(name: &str) -> Option<(&'static [&'static str], usize)> {
    LAYOUTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, fields, visible)| (fields, visible))
}

/// Puts each struct sequence type's members, `n_fields` counts and `__match_args__` in its
/// dict (`__repr__` is among `METHODS`).
pub fn install(vm: &Vm) {
    for &(name, fields, visible) in LAYOUTS {
        let t = vm.ty(name);
        for (i, field) in fields.iter().enumerate().filter(|(_, f)| !f.is_empty()) {
            let member = Property {
                kind: PropertyKind::Member,
                func: Value::Int(i as i64),
                fset: Value::None,
                fdel: Value::None,
                // The owner a member's repr names: the type's `tp_name` (`os.stat_result`).
                doc: RefCell::new(Value::str(&t.name())),
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
        // The named fields among the visible ones.
        let match_args = fields[..visible]
            .iter()
            .filter(|f| !f.is_empty())
            .map(|f| Value::str(f))
            .collect();
        t.dict.set_str("__match_args__", Value::tuple(match_args));
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

/// A struct sequence method's receiver, its class, and the layout of the struct
/// sequence type it derives from.
type Receiver<'a> = (&'a Rc<Instance>, Rc<Type>, &'static [&'static str], usize);

fn receiver<'a>(vm: &Vm, args: &'a Args, method: &str) -> PyResult<Receiver<'a>> {
    let Some(Value::Object(o)) = args.pos.first() else {
        return Err(vm.bug(format!("a struct sequence's {method} without one")));
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
    Ok((o, t, fields, visible))
}

/// `structseq_repr`: `sys.flags(debug=0, …)`, the visible fields by name.
fn repr(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (o, t, fields, visible) = receiver(vm, &args, "__repr__")?;
    let values: Vec<Option<Value>> = o.slots.borrow().clone();
    let mut parts = Vec::new();
    // The i-th visible item under the i-th member's name (CPython's `tp_members` leave
    // the unnamed fields out: os.stat_result's item 7 shows as `st_atime`).
    let named = fields.iter().filter(|f| !f.is_empty());
    for (field, v) in named.zip(values).take(visible) {
        let v = v.unwrap_or(Value::None);
        parts.push(format!("{field}={}", vm.repr(&v)?));
    }
    Ok(Value::str(&format!("{}({})", t.name(), parts.join(", "))))
}

/// `structseq_reduce`: `(type, (visible items, {hidden field: value}))`.
fn reduce(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let (o, t, fields, visible) = receiver(vm, &args, "__reduce__")?;
    let values: Vec<Value> = o
        .slots
        .borrow()
        .iter()
        .map(|v| v.clone().unwrap_or(Value::None))
        .collect();
    let visible_items = Value::tuple(values[..visible].to_vec());
    let hidden = super::dict::Dict::new_rc();
    let named: Vec<&&str> = fields.iter().filter(|f| !f.is_empty()).collect();
    let unnamed = fields.len() - named.len();
    for (i, v) in values.iter().enumerate().skip(visible) {
        hidden.set_str(named[i - unnamed], v.clone());
    }
    let state = Value::tuple(vec![visible_items, Value::Dict(hidden)]);
    Ok(Value::tuple(vec![Value::Type(t), state]))
}

/// The calls of the struct sequence types CPython lets a program make: `structseq_new`
/// (`os.terminal_size((80, 24))`), os.stat_result's `statresult_new` (the float times
/// from the int ones when absent) and `posix.sched_param(sched_priority)`. `None` for
/// the others (`sys.flags` cannot be instantiated).
pub fn construct(vm: &mut Vm, t: &Rc<Type>, args: Args) -> Option<PyResult<Value>> {
    let key = match &*t.name() {
        "os.terminal_size" => "terminal_size",
        "os.statvfs_result" => "statvfs_result",
        "os.stat_result" => "stat_result",
        "posix.times_result" => "times_result",
        "posix.uname_result" => "uname_result",
        "posix.waitid_result" => "waitid_result",
        "posix.sched_param" => return Some(sched_param_new(vm, args)),
        "time.struct_time" => "struct_time",
        "_thread._ExceptHookArgs" => "_ExceptHookArgs",
        "signal.struct_siginfo" => "struct_siginfo",
        "UnraisableHookArgs" => "UnraisableHookArgs",
        _ => return None,
    };
    let made = structseq_new(vm, t, key, args);
    if key != "stat_result" {
        return Some(made);
    }
    // `statresult_new`: st_atime, st_mtime, st_ctime from items 7, 8, 9 where None.
    Some(made.inspect(|v| {
        if let Value::Object(o) = v {
            let mut slots = o.slots.borrow_mut();
            for i in 7..=9 {
                if slots[i + 3].as_ref().is_none_or(Value::is_none) {
                    slots[i + 3] = slots[i].clone();
                }
            }
        }
    }))
}

/// `structseq_new(type, sequence, dict={})`: the sequence's items, then the hidden fields
/// from `dict` by name (None where absent).
fn structseq_new(vm: &mut Vm, t: &Rc<Type>, key: &str, args: Args) -> PyResult<Value> {
    let [sequence, dict] = Spec::function("structseq", Style::Keywords, &["sequence", "dict"], 1)
        .keywords(0, 2)
        .bind::<2>(vm, &args, 0)?;
    let sequence = required(sequence);
    // `PySequence_Fast(arg, "constructor requires a sequence")`.
    let items = match &sequence {
        Value::List(l) => l.items.borrow().clone(),
        Value::Tuple(items) => items.to_vec(),
        other => {
            let it = match vm.iter(other) {
                Ok(it) => it,
                Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
                    return Err(vm.type_error("constructor requires a sequence"));
                }
                Err(e) => return Err(e),
            };
            let mut out = Vec::new();
            while let Some(x) = vm.next(&it)? {
                out.push(x);
            }
            out
        }
    };
    let name = t.name().clone();
    let dict = match dict.as_ref().map(Value::builtin_value) {
        None => None,
        Some(Value::Dict(d)) => Some(d.clone()),
        Some(_) => {
            return Err(vm.type_error(format!("{name}() takes a dict as second arg, if any")))
        }
    };
    let Some((fields, min)) = layout(key) else {
        return Err(vm.bug("a struct sequence without a layout"));
    };
    let (len, max) = (items.len(), fields.len());
    if len < min || len > max {
        let bound = match (min == max, len < min) {
            (true, _) => "a",
            (false, true) => "an at least",
            (false, false) => "an at most",
        };
        let n = if len < min { min } else { max };
        return Err(vm.type_error(format!(
            "{name}() takes {bound} {n}-sequence ({len}-sequence given)"
        )));
    }
    let mut values = items;
    for field in &fields[len..] {
        let v = match &dict {
            Some(d) => d.get_str(field).unwrap_or(Value::None),
            None => Value::None,
        };
        values.push(v);
    }
    Ok(make(vm, key, values))
}

/// `os.sched_param(sched_priority)`.
fn sched_param_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [priority] = Spec::function("sched_param", Style::Keywords, &["sched_priority"], 1)
        .keywords(0, 1)
        .bind::<1>(vm, &args, 0)?;
    Ok(make(vm, "sched_param", vec![required(priority)]))
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("flags", "__repr__", repr),
    ("flags", "__reduce__", reduce),
    ("version_info", "__repr__", repr),
    ("version_info", "__reduce__", reduce),
    ("float_info", "__repr__", repr),
    ("float_info", "__reduce__", reduce),
    ("hash_info", "__repr__", repr),
    ("hash_info", "__reduce__", reduce),
    ("int_info", "__repr__", repr),
    ("int_info", "__reduce__", reduce),
    ("thread_info", "__repr__", repr),
    ("thread_info", "__reduce__", reduce),
    ("stat_result", "__repr__", repr),
    ("stat_result", "__reduce__", reduce),
    ("statvfs_result", "__repr__", repr),
    ("statvfs_result", "__reduce__", reduce),
    ("terminal_size", "__repr__", repr),
    ("terminal_size", "__reduce__", reduce),
    ("times_result", "__repr__", repr),
    ("times_result", "__reduce__", reduce),
    ("uname_result", "__repr__", repr),
    ("uname_result", "__reduce__", reduce),
    ("waitid_result", "__repr__", repr),
    ("waitid_result", "__reduce__", reduce),
    ("sched_param", "__repr__", repr),
    ("sched_param", "__reduce__", reduce),
    ("struct_time", "__repr__", repr),
    ("struct_time", "__reduce__", reduce),
    ("_ExceptHookArgs", "__repr__", repr),
    ("_ExceptHookArgs", "__reduce__", reduce),
    ("UnraisableHookArgs", "__repr__", repr),
    ("UnraisableHookArgs", "__reduce__", reduce),
    ("struct_siginfo", "__repr__", repr),
    ("struct_siginfo", "__reduce__", reduce),
];
