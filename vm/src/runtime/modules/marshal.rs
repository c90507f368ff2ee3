//! `marshal` (CPython `Python/marshal.c`): `loads` of code objects, which importlib
//! reads from the standard library's `.pyc` files. The reading is `crate::marshal`'s;
//! each distinct input is read once per thread (the standard library's .pyc files do
//! not change). Other values and `dumps` are not provided.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::PyResult;

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(d, "marshal", &[("loads", loads)]);
    d.set_str("version", Value::Int(4));
}

/// `loads(bytes, /, *, allow_code=True)`.
fn loads(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [data] =
        Spec::method("marshal", "loads", Style::O, &["bytes"], 1).bind::<1>(vm, &args, 0)?;
    let data: Rc<[u8]> = match data.as_ref().map(Value::builtin_value) {
        Some(Value::Bytes(b)) => b.clone(),
        Some(Value::Native(n)) => match &**n {
            super::super::object::Native::MemoryView(m) => match m.contents() {
                Some(c) => Rc::from(c),
                None => {
                    return Err(vm.value_error("operation forbidden on released memoryview object"))
                }
            },
            _ => return Err(vm.unsupported("marshal.loads of anything but bytes")),
        },
        _ => return Err(vm.unsupported("marshal.loads of anything but bytes")),
    };
    if data.first().map(|b| b & 0x7f) != Some(b'c') {
        return Err(vm.unsupported("marshal.loads of a value that is not a code object"));
    }
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    let key = format!("marshal:{}:{:x}", data.len(), h.finish());
    // A code object read here can be executed (exec, importlib's loaders), so it is
    // verified as it is read; one that does not verify ends the run as unsupported, as
    // one the reader cannot represent does: CPython would run it unchecked.
    let code = crate::runtime::import::frozen::cached(&key, || {
        let code = crate::marshal::read_code(&data, 0)
            .map_err(|e| vm.unsupported(format!("marshal.loads: {e}")))?;
        crate::verify::verify(&code)
            .map_err(|e| vm.unsupported(format!("marshal.loads of invalid bytecode: {e}")))?;
        Ok(code)
    })?;
    Ok(Value::Code(code))
}
