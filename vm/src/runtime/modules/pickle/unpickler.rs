//! The unpickler (`_pickle.c`'s `load` and the `load_*` functions): the object stack
//! with its marks (`Pdata`, `marker`), the memo, and the input — a bytes-like object
//! read whole (`loads`) or a file read as CPython's C unpickler reads it
//! (`_Unpickler_ReadFromFile`: `read(n)` when the buffer runs out, `readline()` for a
//! line, `readinto` for a large payload).

use std::collections::HashMap;
use std::rc::Rc;

use num_bigint::BigInt;

use super::super::super::interp::Vm;
use super::super::super::object::{Args, Value};
use super::super::super::{PyResult, Throw};
use super::opcodes::*;
use super::pickler::{lookup_attr, mapping_get};
use super::{import_module, is_unpickling_error, py_import, unpickling_error};

/// An `UnpicklerObject`'s state.
#[derive(Debug, Default)]
pub struct Unpickler {
    input: Vec<u8>,
    pos: usize,
    /// The file's `read`, `readline` and `readinto`; `None` for `loads`.
    pub read: Option<Value>,
    pub readline: Option<Value>,
    pub readinto: Option<Value>,
    /// Whether the file is an `io.BytesIO`, whose `readinto` reading is what `read` does.
    pub bytesio: bool,
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: HashMap<usize, Value>,
    proto: u8,
    pub fix_imports: bool,
    /// `encoding == 'bytes'`: Python 2 strings stay bytes.
    pub encoding: String,
    pub errors: String,
    /// The Unpickler object whose `find_class` is called (`None`: `_pickle`'s own).
    pub this: Option<Value>,
    /// The Unpickler object's shared fields, kept up to date.
    pub shared: Option<Rc<super::UnpicklerObj>>,
}

impl Unpickler {
    pub fn from_bytes(data: Vec<u8>) -> Unpickler {
        Unpickler {
            input: data,
            fix_imports: true,
            encoding: "ASCII".to_owned(),
            errors: "strict".to_owned(),
            ..Unpickler::default()
        }
    }

    fn truncated(vm: &Vm) -> Throw {
        unpickling_error(vm, "pickle data was truncated")
    }

    /// The buffer replaced by what the file's `read(n)` or `readline()` returned.
    fn refill(&mut self, vm: &mut Vm, f: &Value, n: Option<usize>) -> PyResult<()> {
        let data = match n {
            Some(n) => vm.call1(f, Value::Int(n as i64))?,
            None => vm.call(f, Args::new(vec![]))?,
        };
        self.input = super::super::super::methods::bytes::need_buffer(vm, &data)?;
        self.pos = 0;
        Ok(())
    }

    /// `_Unpickler_Read`: `n` bytes.
    fn read(&mut self, vm: &mut Vm, n: usize) -> PyResult<Vec<u8>> {
        if self.pos + n <= self.input.len() {
            let s = self.input[self.pos..self.pos + n].to_vec();
            self.pos += n;
            return Ok(s);
        }
        let Some(read) = self.read.clone() else {
            return Err(Self::truncated(vm));
        };
        self.refill(vm, &read, Some(n))?;
        if self.input.len() < n {
            return Err(Self::truncated(vm));
        }
        self.pos = n;
        Ok(self.input[..n].to_vec())
    }

    /// `_Unpickler_ReadInto`: what the buffer has, the rest from the file.
    fn read_into(&mut self, vm: &mut Vm, n: usize) -> PyResult<Vec<u8>> {
        let take = n.min(self.input.len() - self.pos);
        let mut out = self.input[self.pos..self.pos + take].to_vec();
        self.pos += take;
        if take == n {
            return Ok(out);
        }
        let Some(read) = self.read.clone() else {
            return Err(Self::truncated(vm));
        };
        let rest = n - take;
        if self.readinto.is_some() && !self.bytesio {
            return Err(vm.unsupported("Unpickler reading through a file's own readinto()"));
        }
        vm.before_alloc(rest as u128, rest as u128)?;
        let data = vm.call1(&read, Value::Int(rest as i64))?;
        let Value::Bytes(b) = &data else {
            let t = vm.repr(&Value::Type(vm.type_of(&data)))?;
            return Err(vm.value_error(format!("read() returned non-bytes object ({t})")));
        };
        if b.len() < rest {
            return Err(Self::truncated(vm));
        }
        out.extend_from_slice(&b[..rest]);
        Ok(out)
    }

    /// `_Unpickler_Readline`: a line with its `\n`.
    fn readline(&mut self, vm: &mut Vm) -> PyResult<Vec<u8>> {
        if let Some(i) = self.input[self.pos..].iter().position(|&c| c == b'\n') {
            let line = self.input[self.pos..self.pos + i + 1].to_vec();
            self.pos += i + 1;
            return Ok(line);
        }
        let Some(readline) = self.readline.clone() else {
            return Err(Self::truncated(vm));
        };
        self.refill(vm, &readline, None)?;
        if self.input.last() != Some(&b'\n') {
            return Err(Self::truncated(vm));
        }
        self.pos = self.input.len();
        Ok(self.input.clone())
    }

    /// A line's text without its `\n`, at least one character long.
    fn line_text(&mut self, vm: &mut Vm) -> PyResult<String> {
        let line = self.readline(vm)?;
        if line.len() < 2 {
            return Err(Self::truncated(vm));
        }
        match String::from_utf8(line[..line.len() - 1].to_vec()) {
            Ok(s) => Ok(s),
            Err(_) => Err(vm.unsupported("a pickle line that is not UTF-8")),
        }
    }

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    /// `Pdata_stack_underflow`.
    fn underflow(&self, vm: &Vm) -> Throw {
        unpickling_error(
            vm,
            if self.marks.is_empty() {
                "unpickling stack underflow"
            } else {
                "unexpected MARK found"
            },
        )
    }

    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    /// `Pdata_pop`.
    fn pop(&mut self, vm: &Vm) -> PyResult<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.pop().unwrap_or_default())
    }

    fn top(&self, vm: &Vm) -> PyResult<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.last().cloned().unwrap_or_default())
    }

    /// `marker`.
    fn marker(&mut self, vm: &Vm) -> PyResult<usize> {
        self.marks
            .pop()
            .ok_or_else(|| unpickling_error(vm, "could not find MARK"))
    }

    /// `Pdata_poptuple` (and `Pdata_poplist`): the items from `start`.
    fn pop_from(&mut self, vm: &Vm, start: usize) -> PyResult<Vec<Value>> {
        if start < self.fence() || start > self.stack.len() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.split_off(start))
    }

    fn memo_get(&self, vm: &Vm, idx: usize) -> PyResult<Value> {
        self.memo
            .get(&idx)
            .cloned()
            .ok_or_else(|| unpickling_error(vm, format!("Memo value not found at index {idx}")))
    }

    fn memo_put(&mut self, vm: &Vm, idx: usize) -> PyResult<()> {
        let v = self.top(vm)?;
        self.memo.insert(idx, v);
        Ok(())
    }

    fn read_u(&mut self, vm: &mut Vm, n: usize) -> PyResult<u64> {
        let b = self.read(vm, n)?;
        let mut w = [0u8; 8];
        w[..n].copy_from_slice(&b);
        Ok(u64::from_le_bytes(w))
    }

    /// `calc_binsize` of `n` bytes, as a size this machine can hold.
    fn read_size(&mut self, vm: &mut Vm, n: usize) -> PyResult<usize> {
        let s = self.read_u(vm, n)?;
        if s > isize::MAX as u64 {
            return Err(vm.unsupported("a pickle size beyond the address space"));
        }
        Ok(s as usize)
    }

    /// `load`: runs the opcodes up to STOP and returns the object on top.
    pub fn load(&mut self, vm: &mut Vm) -> PyResult<Value> {
        self.marks.clear();
        self.stack.clear();
        self.set_proto(0);
        loop {
            let op = match self.read(vm, 1) {
                Ok(b) => b[0],
                Err(Throw::Exc(e)) if is_unpickling_error(vm, &e) => {
                    return Err(vm.err("EOFError", "Ran out of input"));
                }
                Err(e) => return Err(e),
            };
            if op == STOP {
                break;
            }
            self.step(vm, op)?;
        }
        self.pop(vm)
    }

    /// One opcode.
    fn step(&mut self, vm: &mut Vm, op: u8) -> PyResult<()> {
        match op {
            PROTO => {
                let p = self.read(vm, 1)?[0];
                if i64::from(p) > HIGHEST_PROTOCOL {
                    return Err(vm.value_error(format!("unsupported pickle protocol: {p}")));
                }
                self.set_proto(p);
            }
            FRAME => {
                let n = self.read_size(vm, 8)?;
                self.read(vm, n)?;
                self.pos -= n;
            }
            NONE => self.push(Value::None),
            NEWTRUE => self.push(Value::Bool(true)),
            NEWFALSE => self.push(Value::Bool(false)),
            INT => {
                let text = self.line_text(vm)?;
                // `load_int`: a two-character argument `strtol` reads as 0 or 1 in full
                // ("00", "01", "-0", "+1", " 1") is a bool, as protocol 0 writes them.
                let short = text.len() == 2 && {
                    let body = text.trim_start().trim_start_matches(['+', '-']);
                    text.trim_start().len() - body.len() <= 1
                        && !body.is_empty()
                        && body.bytes().all(|c| c == b'0' || c == b'1')
                        && body.trim_start_matches('0').len() <= 1
                        && !(text.trim_start().starts_with('-') && body.ends_with('1'))
                };
                let v = if short {
                    Value::Bool(text.ends_with('1'))
                } else {
                    parse_int(vm, &text, "could not convert string to int")?
                };
                self.push(v);
            }
            BININT => {
                let v = self.read_u(vm, 4)? as u32 as i32;
                self.push(Value::Int(i64::from(v)));
            }
            BININT1 => {
                let v = self.read_u(vm, 1)?;
                self.push(Value::Int(v as i64));
            }
            BININT2 => {
                let v = self.read_u(vm, 2)?;
                self.push(Value::Int(v as i64));
            }
            LONG => {
                let mut text = self.line_text(vm)?;
                if text.ends_with('L') {
                    text.pop();
                }
                let v = parse_int(vm, &text, "")?;
                self.push(v);
            }
            LONG1 | LONG4 => {
                let n = if op == LONG1 {
                    self.read_u(vm, 1)? as i64
                } else {
                    i64::from(self.read_u(vm, 4)? as u32 as i32)
                };
                if n < 0 {
                    return Err(unpickling_error(vm, "LONG pickle has negative byte count"));
                }
                let data = self.read(vm, n as usize)?;
                self.push(Value::int(BigInt::from_signed_bytes_le(&data)));
            }
            FLOAT => {
                let text = self.line_text(vm)?;
                let v = load_float(vm, &text)?;
                self.push(Value::Float(v));
            }
            BINFLOAT => {
                let b = self.read(vm, 8)?;
                let mut w = [0u8; 8];
                w.copy_from_slice(&b);
                self.push(Value::Float(f64::from_be_bytes(w)));
            }
            BINBYTES | SHORT_BINBYTES | BINBYTES8 | BYTEARRAY8 => {
                let width = match op {
                    SHORT_BINBYTES => 1,
                    BINBYTES => 4,
                    _ => 8,
                };
                let n = self.read_size(vm, width)?;
                let data = self.read_into(vm, n)?;
                self.push(if op == BYTEARRAY8 {
                    super::super::super::bytearray::new_value(data)
                } else {
                    Value::Bytes(Rc::from(data))
                });
            }
            BINUNICODE | SHORT_BINUNICODE | BINUNICODE8 => {
                let width = match op {
                    SHORT_BINUNICODE => 1,
                    BINUNICODE => 4,
                    _ => 8,
                };
                let n = self.read_size(vm, width)?;
                let data = self.read(vm, n)?;
                // UTF-8 with `surrogatepass`: lone surrogates become stand-ins.
                let text = match String::from_utf8(data) {
                    Ok(s) => crate::runtime::standins::admit(vm, &s).map(|()| Some(s))?,
                    Err(e) => crate::surrogate_str::decode(e.as_bytes())
                        .and_then(crate::runtime::standins::from_code_points),
                };
                match text {
                    Some(s) => self.push(Value::str(&s)),
                    None => {
                        return Err(vm.unsupported(
                            "unpickling a str that is not valid UTF-8 (surrogates or an error)",
                        ))
                    }
                }
            }
            UNICODE => {
                let line = self.readline(vm)?;
                if line.is_empty() {
                    return Err(Self::truncated(vm));
                }
                let s = raw_unicode_escape_decode(vm, &line[..line.len() - 1])?;
                self.push(Value::str(&s));
            }
            STRING | BINSTRING | SHORT_BINSTRING => self.load_py2_string(vm, op)?,
            EMPTY_TUPLE => self.push(Value::tuple(vec![])),
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let n = usize::from(op - TUPLE1) + 1;
                if self.stack.len() < n {
                    return Err(self.underflow(vm));
                }
                let items = self.pop_from(vm, self.stack.len() - n)?;
                self.push(Value::tuple(items));
            }
            TUPLE => {
                let i = self.marker(vm)?;
                let items = self.pop_from(vm, i)?;
                self.push(Value::tuple(items));
            }
            EMPTY_LIST => self.push(Value::list(vec![])),
            EMPTY_DICT => self.push(Value::Dict(super::super::super::dict::Dict::new_rc())),
            EMPTY_SET => {
                let s = vm.call(&Value::Type(vm.ty("set")), Args::new(vec![]))?;
                self.push(s);
            }
            LIST => {
                let i = self.marker(vm)?;
                let items = self.pop_from(vm, i)?;
                self.push(Value::list(items));
            }
            DICT => {
                let i = self.marker(vm)?;
                let items = self.pop_from(vm, i)?;
                if items.len() % 2 != 0 {
                    return Err(unpickling_error(vm, "odd number of items for DICT"));
                }
                let d = Value::Dict(super::super::super::dict::Dict::new_rc());
                for kv in items.chunks(2) {
                    vm.setitem(&d, &kv[0], kv[1].clone())?;
                }
                self.push(d);
            }
            FROZENSET => {
                let i = self.marker(vm)?;
                let items = self.pop_from(vm, i)?;
                let fs = vm.call1(&Value::Type(vm.ty("frozenset")), Value::tuple(items))?;
                self.push(fs);
            }
            APPEND => {
                if self.stack.len() <= self.fence() + 1 {
                    return Err(self.underflow(vm));
                }
                self.do_append(vm, self.stack.len() - 1)?;
            }
            APPENDS => {
                let i = self.marker(vm)?;
                self.do_append(vm, i)?;
            }
            SETITEM => {
                if self.stack.len() < 2 {
                    return Err(self.underflow(vm));
                }
                self.do_setitems(vm, self.stack.len() - 2)?;
            }
            SETITEMS => {
                let i = self.marker(vm)?;
                self.do_setitems(vm, i)?;
            }
            ADDITEMS => self.load_additems(vm)?,
            POP => {
                let len = self.stack.len();
                if self.marks.last() == Some(&len) {
                    self.marks.pop();
                } else {
                    self.pop(vm)?;
                }
            }
            POP_MARK => {
                let i = self.marker(vm)?;
                self.pop_from(vm, i)?;
            }
            DUP => {
                let v = self.top(vm)?;
                self.push(v);
            }
            MARK => self.marks.push(self.stack.len()),
            GET => {
                let text = self.line_text(vm)?;
                let idx = parse_index(vm, &text)?;
                let v = self.memo_get(vm, idx)?;
                self.push(v);
            }
            BINGET | LONG_BINGET => {
                let idx = self.read_size(vm, if op == BINGET { 1 } else { 4 })?;
                let v = self.memo_get(vm, idx)?;
                self.push(v);
            }
            PUT => {
                self.top(vm)?;
                let text = self.line_text(vm)?;
                if text.starts_with('-') {
                    return Err(vm.value_error("negative PUT argument"));
                }
                let idx = parse_index(vm, &text)?;
                self.memo_put(vm, idx)?;
            }
            BINPUT | LONG_BINPUT => {
                self.top(vm)?;
                let idx = self.read_size(vm, if op == BINPUT { 1 } else { 4 })?;
                self.memo_put(vm, idx)?;
            }
            MEMOIZE => {
                let idx = self.memo.len();
                self.memo_put(vm, idx)?;
            }
            GLOBAL => {
                let module = self.line_text(vm)?;
                let name = self.line_text(vm)?;
                let g = self.find_class(vm, Value::str(&module), Value::str(&name))?;
                self.push(g);
            }
            STACK_GLOBAL => {
                let name = self.pop(vm)?;
                let module = self.pop(vm)?;
                if !matches!(name, Value::Str(_)) || !matches!(module, Value::Str(_)) {
                    return Err(unpickling_error(vm, "STACK_GLOBAL requires str"));
                }
                let g = self.find_class(vm, module, name)?;
                self.push(g);
            }
            EXT1 | EXT2 | EXT4 => self.load_extension(vm, op)?,
            REDUCE => {
                let args = self.pop(vm)?;
                let f = self.pop(vm)?;
                let Value::Tuple(a) = args.builtin_value() else {
                    return Err(vm.unsupported("REDUCE with arguments that are not a tuple"));
                };
                let r = vm.call(&f, Args::new(a.to_vec()))?;
                self.push(r);
            }
            NEWOBJ | NEWOBJ_EX => self.load_newobj(vm, op == NEWOBJ_EX)?,
            BUILD => self.load_build(vm)?,
            INST => {
                let i = self.marker(vm)?;
                let module = self.line_text(vm)?;
                let name = self.line_text(vm)?;
                let cls = self.find_class(vm, Value::str(&module), Value::str(&name))?;
                let args = self.pop_from(vm, i)?;
                let obj = instantiate(vm, &cls, args)?;
                self.push(obj);
            }
            OBJ => {
                let i = self.marker(vm)?;
                if self.stack.len() < i + 1 {
                    return Err(self.underflow(vm));
                }
                let args = self.pop_from(vm, i + 1)?;
                let cls = self.pop(vm)?;
                let obj = instantiate(vm, &cls, args)?;
                self.push(obj);
            }
            PERSID | BINPERSID => {
                if let Some(this) = &self.this {
                    if super::overrides(vm, this, "persistent_load") {
                        return Err(vm.unsupported("Unpickler.persistent_load"));
                    }
                }
                return Err(unpickling_error(
                    vm,
                    "A load persistent id instruction was encountered, but no persistent_load function was specified.",
                ));
            }
            NEXT_BUFFER => {
                return Err(unpickling_error(
                    vm,
                    "pickle stream refers to out-of-band data but no *buffers* argument was given",
                ))
            }
            READONLY_BUFFER => {
                return Err(vm.unsupported("unpickling READONLY_BUFFER (PickleBuffer)"))
            }
            c => {
                let shown = if (0x20..=0x7e).contains(&c) && c != b'\'' && c != b'\\' {
                    (c as char).to_string()
                } else {
                    format!("\\x{c:02x}")
                };
                return Err(unpickling_error(
                    vm,
                    format!("invalid load key, '{shown}'."),
                ));
            }
        }
        Ok(())
    }

    /// STRING, BINSTRING, SHORT_BINSTRING: Python 2 strings, decoded by the encoding.
    fn load_py2_string(&mut self, vm: &mut Vm, op: u8) -> PyResult<()> {
        let data = match op {
            STRING => {
                let line = self.readline(vm)?;
                let s = &line[..line.len().saturating_sub(1)];
                let n = s.len();
                if n < 2 || s[0] != s[n - 1] || (s[0] != b'\'' && s[0] != b'"') {
                    return Err(unpickling_error(
                        vm,
                        "the STRING opcode argument must be quoted",
                    ));
                }
                let inner = &s[1..n - 1];
                if inner.contains(&b'\\') {
                    return Err(vm.unsupported("escapes in a STRING opcode's argument"));
                }
                inner.to_vec()
            }
            _ => {
                let n = self.read_size(vm, if op == BINSTRING { 4 } else { 1 })?;
                self.read(vm, n)?
            }
        };
        let v = match (self.encoding.as_str(), self.errors.as_str()) {
            ("bytes", _) => Value::Bytes(Rc::from(data)),
            (e, _) if is_latin1(e) => {
                Value::str(&data.iter().map(|&c| char::from(c)).collect::<String>())
            }
            (e, "strict") if e.eq_ignore_ascii_case("ascii") && data.is_ascii() => {
                Value::str(&String::from_utf8_lossy(&data))
            }
            _ => {
                return Err(
                    vm.unsupported("decoding a Python 2 string with this encoding or these bytes")
                )
            }
        };
        self.push(v);
        Ok(())
    }

    /// `do_append`: a list extended in place, else the object's `extend` or `append`.
    fn do_append(&mut self, vm: &mut Vm, x: usize) -> PyResult<()> {
        let len = self.stack.len();
        if x > len || x <= self.fence() {
            return Err(self.underflow(vm));
        }
        if len == x {
            return Ok(());
        }
        let list = self.stack[x - 1].clone();
        if let Value::List(l) = &list {
            let items = self.pop_from(vm, x)?;
            l.items.borrow_mut().extend(items);
            return Ok(());
        }
        if let Some(extend) = lookup_attr(vm, &list, "extend")? {
            let items = self.pop_from(vm, x)?;
            vm.call1(&extend, Value::list(items))?;
            return Ok(());
        }
        let append = vm.getattr(&list, "append")?;
        let items = self.pop_from(vm, x)?;
        for v in items {
            vm.call1(&append, v)?;
        }
        Ok(())
    }

    /// `do_setitems`.
    fn do_setitems(&mut self, vm: &mut Vm, x: usize) -> PyResult<()> {
        let len = self.stack.len();
        if x > len || x <= self.fence() {
            return Err(self.underflow(vm));
        }
        if len == x {
            return Ok(());
        }
        if (len - x) % 2 != 0 {
            return Err(unpickling_error(vm, "odd number of items for SETITEMS"));
        }
        let dict = self.stack[x - 1].clone();
        let items = self.pop_from(vm, x)?;
        for kv in items.chunks(2) {
            vm.setitem(&dict, &kv[0], kv[1].clone())?;
        }
        Ok(())
    }

    /// `load_additems`.
    fn load_additems(&mut self, vm: &mut Vm) -> PyResult<()> {
        let mark = self.marker(vm)?;
        let len = self.stack.len();
        if mark > len || mark <= self.fence() {
            return Err(self.underflow(vm));
        }
        if len == mark {
            return Ok(());
        }
        let set = self.stack[mark - 1].clone();
        let items = self.pop_from(vm, mark)?;
        if matches!(set.builtin_value(), Value::Set(_)) && !matches!(set, Value::Object(_)) {
            let update = vm.getattr(&set, "update")?;
            vm.call1(&update, Value::tuple(items))?;
            return Ok(());
        }
        let add = vm.getattr(&set, "add")?;
        for v in items {
            vm.call1(&add, v)?;
        }
        Ok(())
    }

    /// `load_newobj`: `cls.__new__(cls, *args[, **kwargs])`.
    fn load_newobj(&mut self, vm: &mut Vm, ex: bool) -> PyResult<()> {
        let op = if ex { "NEWOBJ_EX" } else { "NEWOBJ" };
        let kwargs = if ex { Some(self.pop(vm)?) } else { None };
        let args = self.pop(vm)?;
        let cls = self.pop(vm)?;
        let tname = |vm: &Vm, v: &Value| vm.type_of(v).name().to_string();
        if !matches!(cls, Value::Type(_)) {
            let msg = format!(
                "{op} class argument must be a type, not {}",
                tname(vm, &cls)
            );
            return Err(unpickling_error(vm, msg));
        }
        let Value::Tuple(a) = args.builtin_value().clone() else {
            let msg = format!(
                "{op} args argument must be a tuple, not {}",
                tname(vm, &args)
            );
            return Err(unpickling_error(vm, msg));
        };
        let mut call = Args::new(vec![cls.clone()]);
        call.pos.extend(a.iter().cloned());
        if let Some(kw) = kwargs {
            let Value::Dict(d) = kw.builtin_value() else {
                let msg = format!(
                    "{op} kwargs argument must be a dict, not {}",
                    tname(vm, &kw)
                );
                return Err(unpickling_error(vm, msg));
            };
            for (k, v) in d.items() {
                let Value::Str(k) = k else {
                    return Err(vm.unsupported("NEWOBJ_EX keyword arguments that are not str"));
                };
                call.kw.push((k, v));
            }
        }
        let new = vm.getattr(&cls, "__new__")?;
        let obj = vm.call(&new, call)?;
        self.push(obj);
        Ok(())
    }

    /// `load_build`: `__setstate__(state)`, else the state dict into the instance's
    /// `__dict__` and the slot state set as attributes.
    fn load_build(&mut self, vm: &mut Vm) -> PyResult<()> {
        if self.stack.len() < self.fence() + 2 {
            return Err(self.underflow(vm));
        }
        let state = self.pop(vm)?;
        let inst = self.top(vm)?;
        if let Some(setstate) = lookup_attr(vm, &inst, "__setstate__")? {
            vm.call1(&setstate, state)?;
            return Ok(());
        }
        let (state, slotstate) = match state.builtin_value() {
            Value::Tuple(t) if t.len() == 2 => (t[0].clone(), Some(t[1].clone())),
            _ => (state, None),
        };
        if !state.is_none() {
            let Value::Dict(d) = state.builtin_value().clone() else {
                return Err(unpickling_error(vm, "state is not a dictionary"));
            };
            let dict = vm.getattr(&inst, "__dict__")?;
            for (k, v) in d.items() {
                vm.setitem(&dict, &k, v)?;
            }
        }
        if let Some(slots) = slotstate {
            let Value::Dict(d) = slots.builtin_value().clone() else {
                return Err(unpickling_error(vm, "slot state is not a dictionary"));
            };
            for (k, v) in d.items() {
                let Value::Str(k) = k.builtin_value() else {
                    return Err(vm.unsupported("a slot state key that is not a str"));
                };
                vm.setattr(&inst, k, v)?;
            }
        }
        Ok(())
    }

    /// `load_extension`: `copyreg._extension_cache`, else the class `_inverted_registry`
    /// names, cached.
    fn load_extension(&mut self, vm: &mut Vm, op: u8) -> PyResult<()> {
        let code = match op {
            EXT1 => self.read_u(vm, 1)? as i64,
            EXT2 => self.read_u(vm, 2)? as i64,
            _ => i64::from(self.read_u(vm, 4)? as u32 as i32),
        };
        if code <= 0 {
            return Err(unpickling_error(vm, "EXT specifies code <= 0"));
        }
        let copyreg = import_module(vm, "copyreg")?;
        let cache = vm.getattr(&copyreg, "_extension_cache")?;
        if let Some(obj) = mapping_get(vm, &cache, &Value::Int(code))? {
            self.push(obj);
            return Ok(());
        }
        let inverted = vm.getattr(&copyreg, "_inverted_registry")?;
        let Some(pair) = mapping_get(vm, &inverted, &Value::Int(code))? else {
            return Err(vm.value_error(format!("unregistered extension code {code}")));
        };
        let (module, name) = match pair.builtin_value() {
            Value::Tuple(t)
                if t.len() == 2 && matches!((&t[0], &t[1]), (Value::Str(_), Value::Str(_))) =>
            {
                (t[0].clone(), t[1].clone())
            }
            _ => {
                return Err(vm.value_error(format!(
                    "_inverted_registry[{code}] isn't a 2-tuple of strings"
                )))
            }
        };
        let obj = self.find_class(vm, module, name)?;
        vm.setitem(&cache, &Value::Int(code), obj.clone())?;
        self.push(obj);
        Ok(())
    }

    /// `find_class` through the Unpickler object's method, or `_pickle`'s own.
    fn find_class(&mut self, vm: &mut Vm, module: Value, name: Value) -> PyResult<Value> {
        match &self.this {
            Some(this) => {
                let f = vm.getattr(this, "find_class")?;
                vm.call(&f, Args::new(vec![module, name]))
            }
            None => find_class(vm, self.proto, self.fix_imports, module, name),
        }
    }

    fn set_proto(&mut self, p: u8) {
        self.proto = p;
        if let Some(s) = &self.shared {
            s.proto.set(p);
        }
    }
}

/// `_pickle_Unpickler_find_class_impl`: Python 2 names mapped (below protocol 3, with
/// fix_imports), the module imported, the name followed (dotted from protocol 4).
pub fn find_class(
    vm: &mut Vm,
    proto: u8,
    fix_imports: bool,
    module: Value,
    name: Value,
) -> PyResult<Value> {
    let (mut module, mut name) = (module, name);
    if proto < 3 && fix_imports {
        let compat = import_module(vm, "_compat_pickle")?;
        let names = vm.getattr(&compat, "NAME_MAPPING")?;
        let key = Value::tuple(vec![module.clone(), name.clone()]);
        if let Some(item) = mapping_get(vm, &names, &key)? {
            match item.builtin_value() {
                Value::Tuple(t) if t.len() == 2 => {
                    module = t[0].clone();
                    name = t[1].clone();
                }
                _ => return Err(vm.unsupported("_compat_pickle.NAME_MAPPING values not pairs")),
            }
        } else {
            let modules = vm.getattr(&compat, "IMPORT_MAPPING")?;
            if let Some(m) = mapping_get(vm, &modules, &module)? {
                module = m;
            }
        }
    }
    let (Value::Str(m), Value::Str(n)) = (module.builtin_value(), name.builtin_value()) else {
        return Err(vm.unsupported("find_class with names that are not str"));
    };
    let (m, n) = (m.clone(), n.clone());
    let module_obj = py_import(vm, &m)?;
    let found = if proto >= 4 {
        let dotted: Vec<&str> = n.split('.').collect();
        if dotted.contains(&"<locals>") {
            let (r, o) = (vm.repr(&name)?, vm.repr(&module_obj)?);
            return Err(vm.err(
                "AttributeError",
                format!("Can't pickle local attribute {r} on {o}"),
            ));
        }
        let mut obj = Some(module_obj.clone());
        for part in dotted {
            let Some(o) = obj else { break };
            obj = lookup_attr(vm, &o, part)?;
        }
        obj
    } else {
        lookup_attr(vm, &module_obj, &n)?
    };
    match found {
        Some(v) => Ok(v),
        None => {
            let (r, o) = (vm.repr(&name)?, vm.repr(&module_obj)?);
            Err(vm.err("AttributeError", format!("Can't get attribute {r} on {o}")))
        }
    }
}

/// `instantiate`: `cls.__new__(cls)` for no arguments when the class has no
/// `__getinitargs__`, else `cls(*args)`.
fn instantiate(vm: &mut Vm, cls: &Value, args: Vec<Value>) -> PyResult<Value> {
    if args.is_empty()
        && matches!(cls, Value::Type(_))
        && lookup_attr(vm, cls, "__getinitargs__")?.is_none()
    {
        let new = vm.getattr(cls, "__new__")?;
        return vm.call1(&new, cls.clone());
    }
    vm.call(cls, Args::new(args))
}

fn is_latin1(e: &str) -> bool {
    matches!(
        e.to_ascii_lowercase().replace('_', "-").as_str(),
        "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1"
    )
}

/// The INT and LONG line: decimal digits with an optional sign (what `strtol` and
/// `PyLong_FromString` with base 0 read alike); anything else they would read
/// differently is unsupported.
fn parse_int(vm: &Vm, text: &str, msg: &str) -> PyResult<Value> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !plain {
        if !msg.is_empty() && !text.bytes().any(|c| c.is_ascii_digit()) {
            return Err(vm.value_error(msg));
        }
        return Err(vm.unsupported(format!("an INT or LONG pickle argument {text:?}")));
    }
    match text.parse::<BigInt>() {
        Ok(n) => Ok(Value::int(n)),
        Err(_) => Err(vm.unsupported(format!("an INT or LONG pickle argument {text:?}"))),
    }
}

/// The FLOAT line (`PyOS_string_to_double`): what float's repr writes.
/// `load_float`: `PyOS_string_to_double` of the line, which must be a float in full
/// (up to the newline or a NUL). No float at its start is ValueError with the line shown,
/// a finite float too large OverflowError with the line shown (`'%.200s'` of the line,
/// its newline included), trailing text ValueError without it.
fn load_float(vm: &Vm, text: &str) -> PyResult<f64> {
    let shown: String = format!("{text}\n").chars().take(200).collect();
    let end = float_prefix(text);
    if end == 0 {
        return Err(vm.value_error(format!("could not convert string to float: '{shown}'")));
    }
    let x = text[..end].parse::<f64>().unwrap_or(f64::NAN);
    let literal = text[..end]
        .trim_start_matches(['+', '-'])
        .bytes()
        .any(|c| c.is_ascii_alphabetic() && !matches!(c, b'e' | b'E'));
    if x.is_infinite() && !literal {
        return Err(vm.err(
            "OverflowError",
            format!("value too large to convert to float: '{shown}'"),
        ));
    }
    if !text[end..].is_empty() && !text[end..].starts_with('\0') {
        return Err(vm.value_error("could not convert string to float"));
    }
    Ok(x)
}

/// How many bytes at the start of `t` `_PyOS_ascii_strtod` reads as a float: a sign,
/// then `inf`, `infinity` or `nan` in any case, or digits with an optional point and
/// exponent (at least one digit before the exponent). 0 when none.
fn float_prefix(t: &str) -> usize {
    let b = t.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let lower = t[i..].to_ascii_lowercase();
    for word in ["infinity", "inf", "nan"] {
        if lower.starts_with(word) {
            return i + word.len();
        }
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    i
}

/// GET and PUT's index line (`PyLong_FromString(s, NULL, 10)`).
fn parse_index(vm: &Vm, text: &str) -> PyResult<usize> {
    text.parse::<usize>()
        .map_err(|_| vm.unsupported(format!("a GET or PUT pickle argument {text:?}")))
}

/// `raw-unicode-escape` decoding of a UNICODE line: `\uXXXX` and `\UXXXXXXXX`, other
/// bytes as latin-1.
fn raw_unicode_escape_decode(vm: &Vm, b: &[u8]) -> PyResult<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() && (b[i + 1] == b'u' || b[i + 1] == b'U') {
            let n = if b[i + 1] == b'u' { 4 } else { 8 };
            let hex = b
                .get(i + 2..i + 2 + n)
                .and_then(|h| std::str::from_utf8(h).ok());
            let ch = hex
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(crate::runtime::standins::char_of);
            match ch {
                Some(ch) => out.push(ch),
                None => {
                    return Err(vm
                        .unsupported("a UNICODE pickle argument with a bad escape or a surrogate"))
                }
            }
            i += 2 + n;
        } else {
            out.push(char::from(c));
            i += 1;
        }
    }
    Ok(out)
}
