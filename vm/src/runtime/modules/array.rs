//! `array` (CPython `Modules/arraymodule.c`): the module's names, so that what imports it
//! (socket.py, for its descriptor-passing helpers) imports as on CPython. The array type
//! itself is not implemented yet: it is in place, with CPython's methods in its dict for
//! lookups on the class, and making an array (`array.array(...)`,
//! `_array_reconstructor`) or calling one of its methods is unsupported.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;

/// CPython's `array.__doc__`.
const DOC: &str = "This module defines an object type which can efficiently represent
an array of basic values: characters, integers, floating point
numbers.  Arrays are sequence types and behave very much like lists,
except that the type of objects stored in them is constrained.
";

/// The types `array` defines, by the VM's names for them.
pub const TYPES: &[&str] = &["array"];

/// `array.typecodes`: the type codes arraymodule.c's descriptors table has, in its order.
const TYPECODES: &str = "bBuhHiIlLqQfd";

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    d.set_str("__doc__", Value::str(DOC));
    super::add_functions(d, "array", FUNCTIONS);
    d.set_str("ArrayType", Value::Type(vm.ty("array")));
    d.set_str("array", Value::Type(vm.ty("array")));
    d.set_str("typecodes", Value::str(TYPECODES));
}

pub const FUNCTIONS: &[(&str, NativeFn)] = &[("_array_reconstructor", not_yet)];

fn not_yet(vm: &mut Vm, _args: Args) -> PyResult<Value> {
    Err(vm.unsupported("array.array objects (the array module's type)"))
}

/// The array type's methods (CPython's, all unsupported: no array can be made yet).
pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("array", "__new__", not_yet),
    ("array", "__repr__", not_yet),
    ("array", "__len__", not_yet),
    ("array", "__getitem__", not_yet),
    ("array", "__setitem__", not_yet),
    ("array", "__delitem__", not_yet),
    ("array", "__contains__", not_yet),
    ("array", "__iter__", not_yet),
    ("array", "__add__", not_yet),
    ("array", "__iadd__", not_yet),
    ("array", "__mul__", not_yet),
    ("array", "__rmul__", not_yet),
    ("array", "__imul__", not_yet),
    ("array", "__eq__", not_yet),
    ("array", "__ne__", not_yet),
    ("array", "__lt__", not_yet),
    ("array", "__le__", not_yet),
    ("array", "__gt__", not_yet),
    ("array", "__ge__", not_yet),
    ("array", "__copy__", not_yet),
    ("array", "__deepcopy__", not_yet),
    ("array", "__reduce_ex__", not_yet),
    ("array", "__sizeof__", not_yet),
    ("array", "__buffer__", not_yet),
    ("array", "__release_buffer__", not_yet),
    ("array", "append", not_yet),
    ("array", "buffer_info", not_yet),
    ("array", "byteswap", not_yet),
    ("array", "count", not_yet),
    ("array", "extend", not_yet),
    ("array", "frombytes", not_yet),
    ("array", "fromfile", not_yet),
    ("array", "fromlist", not_yet),
    ("array", "fromunicode", not_yet),
    ("array", "index", not_yet),
    ("array", "insert", not_yet),
    ("array", "pop", not_yet),
    ("array", "remove", not_yet),
    ("array", "reverse", not_yet),
    ("array", "tobytes", not_yet),
    ("array", "tofile", not_yet),
    ("array", "tolist", not_yet),
    ("array", "tounicode", not_yet),
];
