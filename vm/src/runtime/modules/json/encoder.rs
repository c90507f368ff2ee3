//! `_json.Encoder` (`make_encoder(markers, default, encoder, indent, key_separator,
//! item_separator, sort_keys, skipkeys, allow_nan)`): the C encoder. A call
//! `encoder(obj, _current_indent_level)` returns a 1-tuple holding the whole JSON text,
//! as 3.12's `encoder_call` does. None, True and False are constants; a str (or subclass)
//! goes through the `encoder` function, or straight to `escape`/`ascii_escape` when it is
//! one of this module's (`fast_encode`); an int is `int.__repr__` of its value, a float
//! `float.__repr__` (`Infinity`, `-Infinity`, `NaN` when allowed); lists and tuples,
//! dicts (their `items()`, sorted when asked, for a subclass or `sort_keys`), and anything
//! else through `default`. `markers` (a dict, or None for no check) holds the ids of the
//! containers being encoded, for "Circular reference detected". `indent` is kept but
//! changes nothing: 3.12's C code for it does not run (`json.encoder` uses the C encoder
//! only when `indent` is None).

use std::rc::Rc;

use super::super::super::argspec::{Spec, Style};
use super::super::super::dict::Dict;
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::{PyResult, Throw};
use super::super::itertools::spend;
use super::{ascii_escape, escape, ssize_arg};

/// `encoder_listencode_obj`'s `_Py_EnterRecursiveCall` place.
const PLACE: &str = " while encoding a JSON object";

/// Which of this module's functions the `encoder` argument is (`fast_encode`).
#[derive(Debug, Clone, Copy)]
enum Fast {
    Ascii,
    Plain,
}

/// `PyEncoderObject`.
#[derive(Debug)]
pub struct Encoder {
    markers: Value,
    default: Value,
    encoder: Value,
    indent: Value,
    key_separator: Value,
    item_separator: Value,
    key_sep: Rc<str>,
    item_sep: Rc<str>,
    sort_keys: bool,
    skipkeys: bool,
    allow_nan: bool,
    fast: Option<Fast>,
}

const PARAMS: &[&str] = &[
    "markers",
    "default",
    "encoder",
    "indent",
    "key_separator",
    "item_separator",
    "sort_keys",
    "skipkeys",
    "allow_nan",
];

/// `encoder_new`: `"OOOOUUppp:make_encoder"`, then the markers' type.
pub fn construct(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [markers, default, encoder, indent, key_sep, item_sep, sort_keys, skipkeys, allow_nan] =
        Spec::function("make_encoder", Style::Keywords, PARAMS, 9)
            .keywords(0, 9)
            .bind(vm, &args, 0)?;
    // The `U` converter: a str, else an error naming the argument by its position
    // (also when it was passed by keyword).
    let text = |vm: &mut Vm, v: Option<Value>, index: usize| -> PyResult<(Value, Rc<str>)> {
        let v = v.unwrap_or_default();
        match v.builtin_value() {
            Value::Str(s) => Ok((v.clone(), s.clone())),
            _ => {
                let t = vm.type_of(&v).name().clone();
                Err(vm.type_error(format!(
                    "make_encoder() argument {} must be str, not {t}",
                    index + 1
                )))
            }
        }
    };
    let (key_separator, key_sep) = text(vm, key_sep, 4)?;
    let (item_separator, item_sep) = text(vm, item_sep, 5)?;
    let mut flag = |v: Option<Value>| -> PyResult<bool> { vm.truthy(&v.unwrap_or_default()) };
    let sort_keys = flag(sort_keys)?;
    let skipkeys = flag(skipkeys)?;
    let allow_nan = flag(allow_nan)?;
    let markers = markers.unwrap_or_default();
    if !markers.is_none() && !matches!(markers.builtin_value(), Value::Dict(_)) {
        let t = vm.type_of(&markers).name().clone();
        return Err(vm.type_error(format!(
            "make_encoder() argument 1 must be dict or None, not {t}"
        )));
    }
    let encoder = encoder.unwrap_or_default();
    let fast = match &encoder {
        Value::Builtin(b) if b.module == Some("_json") && b.owner.is_none() => match b.name {
            "encode_basestring_ascii" => Some(Fast::Ascii),
            "encode_basestring" => Some(Fast::Plain),
            _ => None,
        },
        _ => None,
    };
    Ok(Value::Native(Rc::new(Native::JsonEncoder(Encoder {
        markers,
        default: default.unwrap_or_default(),
        encoder,
        indent: indent.unwrap_or_default(),
        key_separator,
        item_separator,
        key_sep,
        item_sep,
        sort_keys,
        skipkeys,
        allow_nan,
        fast,
    }))))
}

/// The members (`encoder_members`, all read-only; `allow_nan` is not one).
pub fn attr(e: &Encoder, name: &str) -> Option<Value> {
    Some(match name {
        "markers" => e.markers.clone(),
        "default" => e.default.clone(),
        "encoder" => e.encoder.clone(),
        "indent" => e.indent.clone(),
        "key_separator" => e.key_separator.clone(),
        "item_separator" => e.item_separator.clone(),
        "sort_keys" => Value::Bool(e.sort_keys),
        "skipkeys" => Value::Bool(e.skipkeys),
        _ => return None,
    })
}

/// `encoder_call`: `_iterencode(obj, _current_indent_level)`.
pub fn call(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let me = args.pos.first().cloned().unwrap_or_default();
    let Value::Native(n) = &me else {
        return Err(vm.bug("Encoder.__call__ without an encoder"));
    };
    let Native::JsonEncoder(e) = &**n else {
        return Err(vm.bug("Encoder.__call__ without an encoder"));
    };
    let [obj, level] = Spec::function(
        "_iterencode",
        Style::Keywords,
        &["obj", "_current_indent_level"],
        2,
    )
    .keywords(0, 2)
    .bind(vm, &args, 1)?;
    ssize_arg(vm, &level.unwrap_or_default())?;
    let mut out = String::new();
    e.encode_obj(vm, &mut out, &obj.unwrap_or_default())?;
    Ok(Value::tuple(vec![Value::str(&out)]))
}

impl Encoder {
    /// The markers dict, when there is one.
    fn markers(&self) -> Option<Rc<Dict>> {
        match self.markers.builtin_value() {
            Value::Dict(d) => Some(d.clone()),
            _ => None,
        }
    }

    /// Records `obj` as being encoded: "Circular reference detected" if it already is.
    fn enter(&self, vm: &mut Vm, obj: &Value) -> PyResult<Option<Value>> {
        let Some(m) = self.markers() else {
            return Ok(None);
        };
        let ident = Value::Int(obj.address() as i64);
        let seen = m
            .contains(&ident)
            .map_err(|_| vm.bug("an int marker unhashable"))?;
        if seen {
            return Err(vm.value_error("Circular reference detected"));
        }
        m.set(ident.clone(), obj.clone())
            .map_err(|_| vm.bug("an int marker unhashable"))?;
        Ok(Some(ident))
    }

    /// `PyDict_DelItem(markers, ident)`.
    fn leave(&self, vm: &mut Vm, ident: Option<Value>) -> PyResult<()> {
        let (Some(ident), Some(m)) = (ident, self.markers()) else {
            return Ok(());
        };
        match m.remove(&ident) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(vm.err_args("KeyError", vec![ident])),
            Err(_) => Err(vm.bug("an int marker unhashable")),
        }
    }

    /// `encoder_encode_string`.
    fn encode_string(&self, vm: &mut Vm, s: &Value) -> PyResult<String> {
        if let (Some(fast), Value::Str(text)) = (self.fast, s.builtin_value()) {
            return Ok(match fast {
                Fast::Ascii => ascii_escape(text),
                Fast::Plain => escape(text),
            });
        }
        let encoded = vm.call1(&self.encoder, s.clone())?;
        match encoded.builtin_value() {
            Value::Str(t) => Ok(t.to_string()),
            _ => {
                let t = vm.type_of(&encoded).name().clone();
                Err(vm.type_error(format!("encoder() must return a string, not {t}")))
            }
        }
    }

    /// `encoder_encode_float`.
    fn encode_float(&self, vm: &mut Vm, obj: &Value, f: f64) -> PyResult<String> {
        if !f.is_finite() {
            if !self.allow_nan {
                let r = vm.repr(obj)?;
                return Err(vm.value_error(format!(
                    "Out of range float values are not JSON compliant: {r}"
                )));
            }
            return Ok(if f > 0.0 {
                "Infinity"
            } else if f < 0.0 {
                "-Infinity"
            } else {
                "NaN"
            }
            .to_owned());
        }
        Ok(crate::reprs::float_repr(f))
    }

    /// `encoder_listencode_obj`.
    fn encode_obj(&self, vm: &mut Vm, out: &mut String, obj: &Value) -> PyResult<()> {
        match obj {
            Value::None => {
                out.push_str("null");
                return Ok(());
            }
            Value::Bool(b) => {
                out.push_str(if *b { "true" } else { "false" });
                return Ok(());
            }
            _ => {}
        }
        match obj.builtin_value() {
            Value::Str(_) => {
                let s = self.encode_string(vm, obj)?;
                out.push_str(&s);
                Ok(())
            }
            v @ (Value::Int(_) | Value::BigInt(_)) => {
                let v = v.clone();
                let s = vm.repr(&v)?;
                out.push_str(&s);
                Ok(())
            }
            Value::Float(f) => {
                let s = self.encode_float(vm, obj, *f)?;
                out.push_str(&s);
                Ok(())
            }
            Value::List(_) | Value::Tuple(_) => {
                vm.enter_c(1, PLACE)?;
                let r = self.encode_list(vm, out, obj);
                vm.leave_c(1);
                r
            }
            Value::Dict(_) => {
                vm.enter_c(1, PLACE)?;
                let r = self.encode_dict(vm, out, obj);
                vm.leave_c(1);
                r
            }
            _ => {
                let ident = self.enter(vm, obj)?;
                let newobj = vm.call1(&self.default, obj.clone())?;
                vm.enter_c(1, PLACE)?;
                let r = self.encode_obj(vm, out, &newobj);
                vm.leave_c(1);
                r?;
                self.leave(vm, ident)
            }
        }
    }

    /// `encoder_listencode_list`: an exact list is read item by item as it is now
    /// (`PySequence_Fast` gives the list itself); a subclass is listed first.
    fn encode_list(&self, vm: &mut Vm, out: &mut String, seq: &Value) -> PyResult<()> {
        let snapshot: Option<Vec<Value>> = match seq {
            Value::List(_) => None,
            Value::Tuple(t) => Some(t.to_vec()),
            _ => Some(vm.collect(seq)?),
        };
        let item = |i: usize| match (&snapshot, seq) {
            (Some(items), _) => items.get(i).cloned(),
            (None, Value::List(l)) => l.items.borrow().get(i).cloned(),
            _ => None,
        };
        if item(0).is_none() {
            out.push_str("[]");
            return Ok(());
        }
        let ident = self.enter(vm, seq)?;
        out.push('[');
        let mut i = 0;
        while let Some(x) = item(i) {
            // The output can outgrow the input (`[big] * n`): fuel and the heap per item.
            spend(vm)?;
            if i > 0 {
                out.push_str(&self.item_sep);
            }
            self.encode_obj(vm, out, &x)?;
            i += 1;
        }
        self.leave(vm, ident)?;
        out.push(']');
        Ok(())
    }

    /// `PyMapping_Items(dct)`: an exact dict's items; a subclass's `items()` as a list (the
    /// list itself when it returns an exact one).
    fn items(&self, vm: &mut Vm, dct: &Value) -> PyResult<Value> {
        if let Value::Dict(d) = dct {
            let items: Vec<Value> = d
                .items()
                .into_iter()
                .map(|(k, v)| Value::tuple(vec![k, v]))
                .collect();
            return Ok(Value::list(items));
        }
        let method = vm.getattr(dct, "items")?;
        let out = vm.call(&method, Args::new(Vec::new()))?;
        if let Value::List(_) = out {
            return Ok(out);
        }
        let it = match vm.iter(&out) {
            Ok(it) => it,
            Err(Throw::Exc(e)) if vm.is_instance_of(&e, "TypeError") => {
                let (t, o) = (
                    vm.type_of(dct).name().clone(),
                    vm.type_of(&out).name().clone(),
                );
                return Err(
                    vm.type_error(format!("{t}.items() returned a non-iterable (type {o})"))
                );
            }
            Err(e) => return Err(e),
        };
        let items = vm.collect(&it)?;
        Ok(Value::list(items))
    }

    /// `encoder_listencode_dict`.
    fn encode_dict(&self, vm: &mut Vm, out: &mut String, dct: &Value) -> PyResult<()> {
        let Value::Dict(d) = dct.builtin_value() else {
            return Err(vm.bug("a JSON dict without a dict"));
        };
        if d.is_empty() {
            out.push_str("{}");
            return Ok(());
        }
        let ident = self.enter(vm, dct)?;
        out.push('{');
        let items = self.items(vm, dct)?;
        if self.sort_keys {
            let sort = vm.getattr(&items, "sort")?;
            vm.call(&sort, Args::new(Vec::new()))?;
        }
        let Value::List(list) = &items else {
            return Err(vm.bug("PyMapping_Items without a list"));
        };
        let mut first = true;
        let mut i = 0;
        loop {
            let Some(item) = list.items.borrow().get(i).cloned() else {
                break;
            };
            spend(vm)?;
            i += 1;
            let (key, value) = match item.builtin_value() {
                Value::Tuple(t) if t.len() == 2 => (t[0].clone(), t[1].clone()),
                _ => return Err(vm.value_error("items must return 2-tuples")),
            };
            let keystr = match (&key, key.builtin_value()) {
                (_, Value::Str(_)) => key.clone(),
                (_, Value::Float(f)) => Value::str(&self.encode_float(vm, &key, *f)?),
                (Value::Bool(b), _) => Value::str(if *b { "true" } else { "false" }),
                (Value::None, _) => Value::str("null"),
                (_, v @ (Value::Int(_) | Value::BigInt(_))) => {
                    let v = v.clone();
                    Value::str(&vm.repr(&v)?)
                }
                _ if self.skipkeys => continue,
                _ => {
                    let t = vm.type_of(&key).name().clone();
                    return Err(vm.type_error(format!(
                        "keys must be str, int, float, bool or None, not {t}"
                    )));
                }
            };
            if !first {
                out.push_str(&self.item_sep);
            }
            first = false;
            let encoded = self.encode_string(vm, &keystr)?;
            out.push_str(&encoded);
            out.push_str(&self.key_sep);
            self.encode_obj(vm, out, &value)?;
        }
        self.leave(vm, ident)?;
        out.push('}');
        Ok(())
    }
}
