//! `errno` (CPython `Modules/errnomodule.c`): Linux's error numbers by name, and
//! `errorcode`, the names by number. The table is CPython's own, generated into
//! `cpython_names::ERRNO` in the order the C module adds the names, which is the order
//! of its namespace and of `errorcode`.

use std::rc::Rc;

use super::super::cpython_names::ERRNO;
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::Value;

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    let errorcode = Dict::new_rc();
    d.set_str("errorcode", Value::Dict(errorcode.clone()));
    for &(name, number) in ERRNO {
        d.set_str(name, Value::Int(number));
        // A number named twice (EAGAIN, EWOULDBLOCK) keeps its first place in the dict
        // and takes the later name, as PyDict_SetItem does.
        // An int key always hashes.
        let _ = errorcode.set(Value::Int(number), Value::str(name));
    }
}
