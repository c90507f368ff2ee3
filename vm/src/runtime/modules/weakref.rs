//! `_weakref` (CPython `Modules/_weakref.c`): `ref` and the counts of an object's weak
//! references; the references themselves are `runtime::weakref`, the proxies
//! `proxy()` makes `runtime::weakproxy`.

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, Native, Value};
use super::super::PyResult;

pub fn build(vm: &Vm, d: &Rc<Dict>) {
    super::add_functions(
        d,
        "_weakref",
        &[
            ("getweakrefcount", getweakrefcount),
            ("getweakrefs", getweakrefs),
            ("_remove_dead_weakref", remove_dead_weakref),
            ("proxy", super::super::weakproxy::new_proxy),
        ],
    );
    // Proxies are unhashable: their types leave `tp_hash` empty beside a
    // `tp_richcompare`.
    for t in ["ProxyType", "CallableProxyType"] {
        vm.ty(t).dict.set_str("__hash__", Value::None);
    }
    d.set_str("ProxyType", Value::Type(vm.ty("ProxyType")));
    d.set_str("CallableProxyType", Value::Type(vm.ty("CallableProxyType")));
    d.set_str("ref", Value::Type(vm.ty("ReferenceType")));
    d.set_str("ReferenceType", Value::Type(vm.ty("ReferenceType")));
}

fn getweakrefcount(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ob] = Spec::method("_weakref", "getweakrefcount", Style::O, &["object"], 1)
        .bind::<1>(vm, &args, 0)?;
    let ob = ob.unwrap_or(Value::None);
    Ok(Value::Int(super::super::weakref::count(&ob) as i64))
}

fn getweakrefs(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [ob] = Spec::method("_weakref", "getweakrefs", Style::O, &["object"], 1)
        .bind::<1>(vm, &args, 0)?;
    let ob = ob.unwrap_or(Value::None);
    Ok(Value::list(super::super::weakref::all_refs(&ob)))
}

/// `_remove_dead_weakref(dct, key, /)`: deletes `dct[key]` if it is a dead weak
/// reference.
fn remove_dead_weakref(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [dct, key] = Spec::method(
        "_weakref",
        "_remove_dead_weakref",
        Style::Positional,
        &["dct", "key"],
        2,
    )
    .bind::<2>(vm, &args, 0)?;
    let (Some(dct), Some(key)) = (dct, key) else {
        return Err(vm.bug("missing required arguments"));
    };
    let Value::Dict(d) = dct.builtin_value().clone() else {
        let n = super::super::builtins::type_name_of_arg(vm, &dct);
        return Err(vm.type_error(format!(
            "_remove_dead_weakref() argument 1 must be dict, not {n}"
        )));
    };
    let Some(v) = vm.dict_get(&d, &key)? else {
        return Ok(Value::None);
    };
    let dead = match v.builtin_value() {
        Value::Native(n) => match &**n {
            Native::WeakRef(w) => w.get().is_none(),
            _ => return Err(vm.type_error("not a weakref")),
        },
        _ => return Err(vm.type_error("not a weakref")),
    };
    if dead {
        vm.dict_remove(&d, &key)?;
    }
    Ok(Value::None)
}
