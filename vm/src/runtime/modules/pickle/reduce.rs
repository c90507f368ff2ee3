//! The pickler's reductions (`_pickle.c`'s `save_reduce` and `save_global`): the
//! reduce tuple checked and written as NEWOBJ_EX, NEWOBJ or REDUCE with its list items,
//! dict items and state; globals found again through their module (`whichmodule`,
//! `get_deep_attribute`), written as EXT1-4, STACK_GLOBAL, `getattr(parent, name)` or
//! GLOBAL with Python 2's names (`fix_imports`).

use std::rc::Rc;

use super::super::super::interp::Vm;
use super::super::super::object::{Args, Value};
use super::super::super::types::Type;
use super::super::super::{PyResult, Throw};
use super::opcodes::*;
use super::pickler::{lookup_attr, mapping_get, Pickler};
use super::{import_module, pickling_error, py_import};

impl Pickler {
    /// `save_reduce`: the checks of the reduce tuple, then NEWOBJ_EX, NEWOBJ or REDUCE,
    /// the memo, the list and dict items, and the state.
    pub(super) fn save_reduce(
        &mut self,
        vm: &mut Vm,
        rv: &[Value],
        obj: Option<&Value>,
    ) -> PyResult<()> {
        if rv.len() < 2 || rv.len() > 6 {
            return Err(pickling_error(
                vm,
                "tuple returned by __reduce__ must contain 2 through 6 elements",
            ));
        }
        let at = |i: usize| rv.get(i).cloned().unwrap_or(Value::None);
        let callable = at(0);
        let argtup = at(1);
        let state = at(2);
        let listitems = at(3);
        let dictitems = at(4);
        let state_setter = at(5);
        if !super::super::super::builtins::is_callable(vm, &callable) {
            return Err(pickling_error(
                vm,
                "first item of the tuple returned by __reduce__ must be callable",
            ));
        }
        let Value::Tuple(args) = argtup.builtin_value().clone() else {
            return Err(pickling_error(
                vm,
                "second item of the tuple returned by __reduce__ must be a tuple",
            ));
        };
        let tname = |vm: &Vm, v: &Value| vm.type_of(v).name().to_string();
        if !listitems.is_none() && !vm.is_iterator(&listitems) {
            let msg = format!(
                "fourth element of the tuple returned by __reduce__ must be an iterator, not {}",
                tname(vm, &listitems)
            );
            return Err(pickling_error(vm, msg));
        }
        if !dictitems.is_none() && !vm.is_iterator(&dictitems) {
            let msg = format!(
                "fifth element of the tuple returned by __reduce__ must be an iterator, not {}",
                tname(vm, &dictitems)
            );
            return Err(pickling_error(vm, msg));
        }
        if !state_setter.is_none() && !super::super::super::builtins::is_callable(vm, &state_setter)
        {
            let msg = format!(
                "sixth element of the tuple returned by __reduce__ must be a function, not {}",
                tname(vm, &state_setter)
            );
            return Err(pickling_error(vm, msg));
        }
        let (mut newobj, mut newobj_ex) = (false, false);
        if self.proto >= 2 {
            if let Some(Value::Str(name)) = lookup_attr(vm, &callable, "__name__")? {
                newobj_ex = &*name == "__newobj_ex__";
                newobj = &*name == "__newobj__";
            }
        }
        if newobj_ex {
            if args.len() != 3 {
                let msg = format!(
                    "length of the NEWOBJ_EX argument tuple must be exactly 3, not {}",
                    args.len()
                );
                return Err(pickling_error(vm, msg));
            }
            if !matches!(args[0], Value::Type(_)) {
                let msg = format!(
                    "first item from NEWOBJ_EX argument tuple must be a class, not {}",
                    tname(vm, &args[0])
                );
                return Err(pickling_error(vm, msg));
            }
            if !matches!(args[1].builtin_value(), Value::Tuple(_)) {
                let msg = format!(
                    "second item from NEWOBJ_EX argument tuple must be a tuple, not {}",
                    tname(vm, &args[1])
                );
                return Err(pickling_error(vm, msg));
            }
            if !matches!(args[2].builtin_value(), Value::Dict(_)) {
                let msg = format!(
                    "third item from NEWOBJ_EX argument tuple must be a dict, not {}",
                    tname(vm, &args[2])
                );
                return Err(pickling_error(vm, msg));
            }
            if self.proto >= 4 {
                self.save(vm, &args[0])?;
                self.save(vm, &args[1])?;
                self.save(vm, &args[2])?;
                self.w(&[NEWOBJ_EX]);
            } else {
                // `functools.partial(cls.__new__, cls, *args, **kwargs)()`.
                let new = vm.getattr(&args[0], "__new__")?;
                let mut call = Args::new(vec![new, args[0].clone()]);
                if let Value::Tuple(a) = args[1].builtin_value() {
                    call.pos.extend(a.iter().cloned());
                }
                if let Value::Dict(d) = args[2].builtin_value() {
                    for (k, v) in d.items() {
                        let Value::Str(k) = k else {
                            return Err(vm.unsupported("__newobj_ex__ keywords that are not str"));
                        };
                        call.kw.push((k, v));
                    }
                }
                let functools = import_module(vm, "functools")?;
                let partial = vm.getattr(&functools, "partial")?;
                let callable = vm.call(&partial, call)?;
                self.save(vm, &callable)?;
                self.save(vm, &Value::tuple(vec![]))?;
                self.w(&[REDUCE]);
            }
        } else if newobj {
            if args.is_empty() {
                return Err(pickling_error(vm, "__newobj__ arglist is empty"));
            }
            if !matches!(args[0], Value::Type(_)) {
                return Err(pickling_error(
                    vm,
                    "args[0] from __newobj__ args is not a type",
                ));
            }
            if let Some(obj) = obj {
                let class = vm.getattr(obj, "__class__")?;
                if !class.is(&args[0]) {
                    return Err(pickling_error(
                        vm,
                        "args[0] from __newobj__ args has the wrong class",
                    ));
                }
            }
            self.save(vm, &args[0])?;
            self.save(vm, &Value::tuple(args[1..].to_vec()))?;
            self.w(&[NEWOBJ]);
        } else {
            self.save(vm, &callable)?;
            self.save(vm, &argtup)?;
            self.w(&[REDUCE]);
        }
        if let Some(obj) = obj {
            if let Some(idx) = self.memo_get_index(obj) {
                self.w(&[POP]);
                self.write_get(idx);
                return Ok(());
            }
            self.memo_put(obj);
        }
        if !listitems.is_none() {
            self.batch_list(vm, &listitems)?;
        }
        if !dictitems.is_none() {
            self.batch_dict(vm, &dictitems)?;
        }
        if !state.is_none() {
            if state_setter.is_none() {
                self.save(vm, &state)?;
                self.w(&[BUILD]);
            } else {
                let Some(obj) = obj else {
                    return Err(vm.bug("a state setter without an object"));
                };
                self.save(vm, &state_setter)?;
                self.save(vm, obj)?;
                self.save(vm, &state)?;
                self.w(&[TUPLE2, REDUCE, POP]);
            }
        }
        Ok(())
    }

    /// `save_global`: the object found again by importing its module and following its
    /// qualified name; EXT1-4 for a registered extension, STACK_GLOBAL from protocol 4,
    /// `getattr(parent, name)` for a nested name before it, else GLOBAL.
    pub(super) fn save_global(
        &mut self,
        vm: &mut Vm,
        obj: &Value,
        name: Option<Value>,
    ) -> PyResult<()> {
        let global_name = match name {
            Some(n) => n,
            None => match lookup_attr(vm, obj, "__qualname__")? {
                Some(n) => n,
                None => vm.getattr(obj, "__name__")?,
            },
        };
        let Value::Str(gname) = global_name.clone() else {
            return Err(vm.unsupported("pickling a global whose name is not a str"));
        };
        let dotted: Vec<&str> = gname.split('.').collect();
        if dotted.contains(&"<locals>") {
            let r = vm.repr(&global_name)?;
            return Err(vm.err("AttributeError", format!("Can't pickle local object {r}")));
        }
        let module_name = whichmodule(vm, obj, &dotted)?;
        // A built-in type's `__module__` has the identity CPython gives it (the interned
        // "builtins", else one string of the type's own), so the memo may hold it beside
        // an equal string. (A native function's is its module's `__name__`, which
        // `Pickler::known` recognises; a fallback copy of the name is not vouched for.)
        if matches!(obj, Value::Type(t) if t.is_builtin()) {
            self.vouch(&module_name);
        }
        let Value::Str(mname) = module_name.clone() else {
            return Err(vm.unsupported("pickling a global whose __module__ is not a str"));
        };
        let module = match py_import(vm, &mname) {
            Ok(m) => m,
            Err(Throw::Exc(_)) => {
                let (o, m) = (vm.repr(obj)?, vm.repr(&module_name)?);
                let msg = format!("Can't pickle {o}: import of module {m} failed");
                return Err(pickling_error(vm, msg));
            }
            Err(e) => return Err(e),
        };
        let (found, parent) = match deep_attribute(vm, &module, &dotted) {
            Ok(fp) => fp,
            Err(Throw::Exc(_)) => {
                let o = vm.repr(obj)?;
                let msg = format!("Can't pickle {o}: attribute lookup {gname} on {mname} failed");
                return Err(pickling_error(vm, msg));
            }
            Err(e) => return Err(e),
        };
        if !found.is(obj) {
            let o = vm.repr(obj)?;
            let msg = format!("Can't pickle {o}: it's not the same object as {mname}.{gname}");
            return Err(pickling_error(vm, msg));
        }
        if self.proto >= 2 {
            if let Some(code) = extension_code(vm, &module_name, &global_name)? {
                let code = match code.builtin_value() {
                    Value::Int(c) => *c,
                    _ => {
                        let (o, c) = (vm.repr(obj)?, vm.repr(&code)?);
                        let msg = format!("Can't pickle {o}: extension code {c} isn't an integer");
                        return Err(pickling_error(vm, msg));
                    }
                };
                if code <= 0 || code > 0x7fff_ffff {
                    let o = vm.repr(obj)?;
                    let msg = format!("Can't pickle {o}: extension code {code} is out of range");
                    return Err(pickling_error(vm, msg));
                }
                if code <= 0xff {
                    self.w(&[EXT1, code as u8]);
                } else if code <= 0xffff {
                    self.w(&[EXT2, code as u8, (code >> 8) as u8]);
                } else {
                    let mut b = vec![EXT4];
                    b.extend_from_slice(&(code as i32).to_le_bytes());
                    self.w(&b);
                }
                return Ok(());
            }
        }
        let lastname = if dotted.len() == 1 {
            global_name.clone()
        } else {
            Value::str(dotted[dotted.len() - 1])
        };
        let at_top = parent.is(&module);
        let global_name = if at_top {
            lastname.clone()
        } else {
            global_name
        };
        if self.proto >= 4 {
            self.save(vm, &module_name)?;
            self.save(vm, &global_name)?;
            self.w(&[STACK_GLOBAL]);
        } else if !at_top {
            let builtins = import_module(vm, "builtins")?;
            let getattr = vm.getattr(&builtins, "getattr")?;
            let rv = [getattr, Value::tuple(vec![parent, lastname])];
            self.save_reduce(vm, &rv, None)?;
        } else {
            let Value::Str(gname) = global_name else {
                return Err(vm.bug("a global name that is not a str"));
            };
            let (mut m, mut g) = (mname.to_string(), gname.to_string());
            if self.fix_imports {
                (m, g) = fix_imports(vm, m, g)?;
            }
            for (text, what) in [(&m, "module"), (&g, "global")] {
                if self.proto != 3 && !text.is_ascii() {
                    let msg = format!(
                        "can't pickle {what} identifier '{text}' using pickle protocol {}",
                        self.proto
                    );
                    return Err(pickling_error(vm, msg));
                }
            }
            self.w(format!("c{m}\n{g}\n").as_bytes());
        }
        self.memo_put(obj);
        Ok(())
    }
}

/// The `'latin1'` CPython's save_bytes passes (one interned string).
pub(super) fn latin1() -> Value {
    thread_local! {
        static LATIN1: Value = Value::str("latin1");
    }
    LATIN1.with(Clone::clone)
}

/// What the reduction of an object the VM's types do not reduce themselves is, where
/// CPython's cannot be overridden: a module-level built-in function, Ellipsis and
/// NotImplemented reduce to their names (`meth_reduce`, `ellipsis_reduce`,
/// `notimplemented_reduce`).
pub(super) fn fixed_reduction(obj: &Value) -> Option<String> {
    match obj {
        Value::Builtin(b) if b.owner.is_none() && b.module.is_some() => Some(b.name.to_owned()),
        Value::Ellipsis => Some("Ellipsis".to_owned()),
        Value::NotImplemented => Some("NotImplemented".to_owned()),
        _ => None,
    }
}

/// `copyreg.dispatch_table[type(obj)]`, if there.
pub(super) fn copyreg_dispatch(vm: &mut Vm, t: &Rc<Type>) -> PyResult<Option<Value>> {
    let copyreg = import_module(vm, "copyreg")?;
    let table = vm.getattr(&copyreg, "dispatch_table")?;
    let Value::Dict(d) = table else {
        return Err(vm.unsupported("a copyreg.dispatch_table that is not a dict"));
    };
    d.get(&Value::Type(t.clone()))
        .map_err(|_| vm.unsupported("a copyreg.dispatch_table key with its own __hash__"))
}

/// `copyreg._extension_registry[(module, name)]`, if there.
fn extension_code(vm: &mut Vm, module: &Value, name: &Value) -> PyResult<Option<Value>> {
    let copyreg = import_module(vm, "copyreg")?;
    let reg = vm.getattr(&copyreg, "_extension_registry")?;
    let Value::Dict(d) = reg else {
        return Err(vm.unsupported("a copyreg._extension_registry that is not a dict"));
    };
    if d.is_empty() {
        return Ok(None);
    }
    d.get(&Value::tuple(vec![module.clone(), name.clone()]))
        .map_err(|_| vm.unsupported("an unusual copyreg._extension_registry key"))
}

/// `fix_imports` (pickling): `_compat_pickle`'s reverse mappings to Python 2's names.
fn fix_imports(vm: &mut Vm, m: String, g: String) -> PyResult<(String, String)> {
    let compat = import_module(vm, "_compat_pickle")?;
    let names = vm.getattr(&compat, "REVERSE_NAME_MAPPING")?;
    let key = Value::tuple(vec![Value::str(&m), Value::str(&g)]);
    if let Some(item) = mapping_get(vm, &names, &key)? {
        return match item.builtin_value() {
            Value::Tuple(t) if t.len() == 2 => match (&t[0], &t[1]) {
                (Value::Str(a), Value::Str(b)) => Ok((a.to_string(), b.to_string())),
                _ => Err(vm.unsupported("_compat_pickle.REVERSE_NAME_MAPPING of non-str names")),
            },
            _ => Err(vm.unsupported("_compat_pickle.REVERSE_NAME_MAPPING values not 2-tuples")),
        };
    }
    let modules = vm.getattr(&compat, "REVERSE_IMPORT_MAPPING")?;
    if let Some(item) = mapping_get(vm, &modules, &Value::str(&m))? {
        return match item {
            Value::Str(a) => Ok((a.to_string(), g)),
            _ => Err(vm.unsupported("_compat_pickle.REVERSE_IMPORT_MAPPING of non-str names")),
        };
    }
    Ok((m, g))
}

/// `get_deep_attribute`: the object at the dotted path, and its parent.
pub fn deep_attribute(vm: &mut Vm, module: &Value, dotted: &[&str]) -> PyResult<(Value, Value)> {
    let mut parent = module.clone();
    let mut obj = module.clone();
    for name in dotted {
        parent = obj;
        obj = vm.getattr(&parent, name)?;
    }
    Ok((obj, parent))
}

/// `whichmodule`: the object's `__module__`, else the first module in `sys.modules`
/// (besides `__main__`) holding it at that path, else `'__main__'`.
fn whichmodule(vm: &mut Vm, obj: &Value, dotted: &[&str]) -> PyResult<Value> {
    if let Some(m) = lookup_attr(vm, obj, "__module__")? {
        if !m.is_none() {
            return Ok(m);
        }
    }
    for (name, module) in vm.modules.items() {
        if let Value::Str(n) = &name {
            if &**n == "__main__" || &**n == "__mp_main__" {
                continue;
            }
        }
        if module.is_none() {
            continue;
        }
        match deep_attribute(vm, &module, dotted) {
            Ok((found, _)) if found.is(obj) => {
                return Ok(match &name {
                    Value::Str(n) => Value::Str(super::super::super::dict::intern(n)),
                    _ => name,
                })
            }
            Ok(_) | Err(Throw::Exc(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Value::str("__main__"))
}
