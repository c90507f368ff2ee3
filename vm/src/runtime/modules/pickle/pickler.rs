//! The pickler (`_pickle.c`'s `save` and its helpers): the opcodes CPython 3.12's C
//! pickler writes, byte for byte, with its framing (`_Pickler_Write`,
//! `_Pickler_CommitFrame`, `_Pickler_OpcodeBoundary`, `_Pickler_write_bytes`) and its
//! memo (`memo_put`, `memo_get`).
//!
//! The memo is keyed by identity, as CPython's `PyMemoTable`: the VM's object addresses
//! (the empty str and bytes, singletons in CPython, by content). Which equal strings are
//! one object differs between the VM and CPython where CPython interns or caches them
//! (identifier-like names, single latin-1 characters): saving such a string equal to,
//! but not the same object as, one already saved is unsupported, since CPython may
//! write a GET where the VM would write the string again.

use std::collections::HashMap;
use std::rc::Rc;

use num_bigint::BigInt;

use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::{PyResult, Throw};
use super::opcodes::*;
use super::reduce::{copyreg_dispatch, fixed_reduction, latin1};
use super::{import_module, pickling_error};

/// What the memo knows an object by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum MemoKey {
    Addr(usize),
    EmptyStr,
    EmptyBytes,
}

fn memo_key(v: &Value) -> MemoKey {
    match v {
        Value::Str(s) if s.is_empty() => MemoKey::EmptyStr,
        Value::Bytes(b) if b.is_empty() => MemoKey::EmptyBytes,
        _ => MemoKey::Addr(v.address()),
    }
}

/// A `PicklerObject`'s state.
#[derive(Debug)]
pub struct Pickler {
    pub proto: u8,
    pub fix_imports: bool,
    out: Vec<u8>,
    framing: bool,
    frame_start: Option<usize>,
    /// Index and the object itself (kept alive, so its address is not reused).
    memo: HashMap<MemoKey, (usize, Value)>,
    /// The file's `write`, for `Pickler.dump`; `None` for `dumps`.
    pub write: Option<Value>,
    /// Each memoized str CPython might intern or cache, by content.
    strs: HashMap<Rc<str>, Value>,
    /// The addresses of strs whose identity is CPython's (see [`Pickler::vouch`]).
    /// (Kept alive here, so an address is never reused while vouched for.)
    vouched: HashMap<usize, Value>,
}

/// Whether CPython may hold equal copies of this string as one object: identifier-like
/// names (interned) and single latin-1 characters (cached).
fn shareable(s: &str) -> bool {
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) if (c as u32) < 256 => true,
        _ => s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'),
    }
}

impl Pickler {
    pub fn new(proto: u8, fix_imports: bool, write: Option<Value>) -> Pickler {
        Pickler {
            proto,
            fix_imports: fix_imports && proto < 3,
            out: Vec::new(),
            framing: false,
            frame_start: None,
            memo: HashMap::new(),
            write,
            strs: HashMap::new(),
            vouched: HashMap::new(),
        }
    }

    /// Notes that this str (kept alive by the memo once saved) is an object whose identity
    /// the VM keeps as CPython does.
    pub(super) fn vouch(&mut self, s: &Value) {
        if let Value::Str(_) = s {
            self.vouched.insert(s.address(), s.clone());
        }
    }

    /// Whether this string's identity is one the VM keeps as CPython does: vouched for, the
    /// interned copy of its text, or a loaded module's `__name__` (a native function's
    /// `m_module`). Two such strings that are distinct objects are distinct in CPython too,
    /// so the memo may hold both.
    fn known(&self, vm: &Vm, s: &Value) -> bool {
        let Value::Str(text) = s else { return false };
        self.vouched.contains_key(&s.address())
            || crate::runtime::dict::is_interned(text)
            || matches!(vm.modules.get_str(text), Some(Value::Module(m))
                if matches!(m.dict.get_str("__name__"), Some(Value::Str(n)) if Rc::ptr_eq(&n, text)))
    }

    pub(super) fn bin(&self) -> bool {
        self.proto > 0
    }

    pub fn clear_memo(&mut self) {
        self.memo.clear();
        self.strs.clear();
        self.vouched.clear();
    }

    /// `_Pickler_Write`: opens a frame (its header reserved) when framing and none is open.
    pub(super) fn w(&mut self, data: &[u8]) {
        if self.framing && self.frame_start.is_none() {
            self.frame_start = Some(self.out.len());
            self.out.extend_from_slice(&[0; FRAME_HEADER_SIZE]);
        }
        self.out.extend_from_slice(data);
    }

    /// `_Pickler_CommitFrame`: the header filled in, or removed for a frame too short.
    fn commit_frame(&mut self) {
        if !self.framing {
            return;
        }
        let Some(start) = self.frame_start.take() else {
            return;
        };
        let len = self.out.len() - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            self.out[start] = FRAME;
            self.out[start + 1..start + FRAME_HEADER_SIZE]
                .copy_from_slice(&(len as u64).to_le_bytes());
        } else {
            self.out.drain(start..start + FRAME_HEADER_SIZE);
        }
    }

    /// `_Pickler_OpcodeBoundary`: a frame that reached the target is committed (and
    /// written to the file, if any).
    fn opcode_boundary(&mut self, vm: &mut Vm) -> PyResult<()> {
        let Some(start) = self.frame_start else {
            return Ok(());
        };
        if !self.framing || self.out.len() - start - FRAME_HEADER_SIZE < FRAME_SIZE_TARGET {
            return Ok(());
        }
        self.commit_frame();
        if self.write.is_some() {
            self.flush_to_file(vm)?;
        }
        Ok(())
    }

    /// `_Pickler_GetString`: the output so far (its frame committed), the buffer emptied.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.commit_frame();
        std::mem::take(&mut self.out)
    }

    /// `_Pickler_FlushToFile`.
    pub fn flush_to_file(&mut self, vm: &mut Vm) -> PyResult<()> {
        let data = self.take_output();
        let Some(write) = self.write.clone() else {
            return Err(vm.bug("flushing a pickler without a file"));
        };
        vm.call1(&write, Value::Bytes(Rc::from(data)))?;
        Ok(())
    }

    /// `_Pickler_write_bytes`: a payload of the frame target or more goes outside any
    /// frame (straight to the file when there is one, as `payload`).
    fn write_bytes(
        &mut self,
        vm: &mut Vm,
        header: &[u8],
        data: &[u8],
        payload: impl FnOnce() -> Value,
    ) -> PyResult<()> {
        let bypass = data.len() >= FRAME_SIZE_TARGET;
        let framing = self.framing;
        if bypass {
            self.commit_frame();
            self.framing = false;
        }
        self.w(header);
        if bypass && self.write.is_some() {
            self.flush_to_file(vm)?;
            let write = self.write.clone().unwrap_or_default();
            vm.call1(&write, payload())?;
        } else {
            self.w(data);
        }
        self.framing = framing;
        Ok(())
    }

    /// `dump`: PROTO, the object, STOP, in frames from protocol 4.
    pub fn dump(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        if self.proto >= 2 {
            self.w(&[PROTO, self.proto]);
            if self.proto >= 4 {
                self.framing = true;
            }
        }
        let r = self.save(vm, obj).map(|()| {
            self.w(&[STOP]);
            self.commit_frame();
        });
        self.framing = false;
        self.frame_start = None;
        r
    }

    pub(super) fn memo_get_index(&self, obj: &Value) -> Option<usize> {
        self.memo.get(&memo_key(obj)).map(|(i, _)| *i)
    }

    /// `memo_get`: GET, BINGET or LONG_BINGET.
    pub(super) fn write_get(&mut self, idx: usize) {
        if !self.bin() {
            self.w(format!("g{idx}\n").as_bytes());
        } else if idx < 256 {
            self.w(&[BINGET, idx as u8]);
        } else {
            let mut b = vec![LONG_BINGET];
            b.extend_from_slice(&(idx as u32).to_le_bytes());
            self.w(&b);
        }
    }

    /// `memo_put`: the next index, and MEMOIZE, BINPUT, LONG_BINPUT or PUT.
    pub(super) fn memo_put(&mut self, obj: &Value) {
        let idx = self.memo.len();
        self.memo.insert(memo_key(obj), (idx, obj.clone()));
        if self.proto >= 4 {
            self.w(&[MEMOIZE]);
        } else if self.bin() {
            if idx < 256 {
                self.w(&[BINPUT, idx as u8]);
            } else {
                let mut b = vec![LONG_BINPUT];
                b.extend_from_slice(&(idx as u32).to_le_bytes());
                self.w(&b);
            }
        } else {
            self.w(format!("p{idx}\n").as_bytes());
        }
    }

    /// `save`, then the opcode boundary.
    pub fn save(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        self.save_obj(vm, obj)?;
        self.opcode_boundary(vm)
    }

    fn save_obj(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        match obj {
            Value::None => {
                self.w(&[NONE]);
                return Ok(());
            }
            Value::Bool(b) => {
                if self.proto >= 2 {
                    self.w(&[if *b { NEWTRUE } else { NEWFALSE }]);
                } else {
                    self.w(if *b { b"I01\n" } else { b"I00\n" });
                }
                return Ok(());
            }
            Value::Int(i) => {
                self.save_long(&BigInt::from(*i));
                return Ok(());
            }
            Value::BigInt(b) => {
                self.save_long(b);
                return Ok(());
            }
            Value::Float(f) => {
                if self.bin() {
                    let mut b = vec![BINFLOAT];
                    b.extend_from_slice(&f.to_be_bytes());
                    self.w(&b);
                } else {
                    let text = format!("F{}\n", crate::reprs::float_repr(*f));
                    self.w(text.as_bytes());
                }
                return Ok(());
            }
            _ => {}
        }
        if let Some(idx) = self.memo_get_index(obj) {
            self.write_get(idx);
            return Ok(());
        }
        match obj {
            Value::Bytes(b) => return self.save_bytes(vm, obj, b),
            Value::Str(s) => return self.save_str(vm, obj, s),
            _ => {}
        }
        vm.enter_c(1, " while pickling an object")?;
        let r = self.save_container(vm, obj);
        vm.leave_c(1);
        r
    }

    /// `save_long`.
    fn save_long(&mut self, n: &BigInt) {
        if let Ok(v) = i32::try_from(n) {
            if self.bin() {
                let b = v.to_le_bytes();
                if b[2] != 0 || b[3] != 0 {
                    self.w(&[BININT, b[0], b[1], b[2], b[3]]);
                } else if b[1] != 0 {
                    self.w(&[BININT2, b[0], b[1]]);
                } else {
                    self.w(&[BININT1, b[0]]);
                }
            } else {
                self.w(format!("I{v}\n").as_bytes());
            }
            return;
        }
        if self.proto >= 2 {
            let data = n.to_signed_bytes_le();
            if data.len() < 256 {
                self.w(&[LONG1, data.len() as u8]);
            } else {
                let mut h = vec![LONG4];
                h.extend_from_slice(&(data.len() as i32).to_le_bytes());
                self.w(&h);
            }
            self.w(&data);
        } else {
            self.w(format!("L{n}L\n").as_bytes());
        }
    }

    /// `save_bytes`: through `codecs.encode` below protocol 3.
    fn save_bytes(&mut self, vm: &mut Vm, obj: &Value, b: &Rc<[u8]>) -> PyResult<()> {
        if self.proto < 3 {
            let rv = if b.is_empty() {
                vec![Value::Type(vm.ty("bytes")), Value::tuple(vec![])]
            } else {
                let codecs = import_module(vm, "codecs")?;
                let encode = vm.getattr(&codecs, "encode")?;
                let text: String = b.iter().map(|&c| char::from(c)).collect();
                vec![encode, Value::tuple(vec![Value::str(&text), latin1()])]
            };
            return self.save_reduce(vm, &rv, Some(obj));
        }
        let n = b.len();
        let mut header = Vec::with_capacity(9);
        if n <= 0xff {
            header.extend_from_slice(&[SHORT_BINBYTES, n as u8]);
        } else if n <= 0xffff_ffff {
            header.push(BINBYTES);
            header.extend_from_slice(&(n as u32).to_le_bytes());
        } else if self.proto >= 4 {
            header.push(BINBYTES8);
            header.extend_from_slice(&(n as u64).to_le_bytes());
        } else {
            return Err(pickling_error(
                vm,
                "serializing a bytes object larger than 4 GiB requires pickle protocol 4 or higher",
            ));
        }
        self.write_bytes(vm, &header, b, || obj.clone())?;
        self.memo_put(obj);
        Ok(())
    }

    /// `save_unicode`: UTF-8 from protocol 1, raw-unicode-escape with `\` and line ends
    /// escaped in protocol 0.
    fn save_str(&mut self, vm: &mut Vm, obj: &Value, s: &str) -> PyResult<()> {
        if !s.is_empty() && shareable(s) {
            match self.strs.get(s) {
                Some(a)
                    if a.address() != obj.address()
                        && !(self.known(vm, a) && self.known(vm, obj)) =>
                {
                    return Err(vm.unsupported(format!(
                        "pickling the string {s:?} equal to another already pickled, which \
                         CPython may hold as the same object"
                    )))
                }
                _ => {
                    self.strs.insert(Rc::from(s), obj.clone());
                }
            }
        }
        if self.bin() {
            // UTF-8 with `surrogatepass` (`save_unicode`): a lone surrogate as its own
            // three bytes.
            let owned;
            let data = if crate::runtime::standins::has(s) {
                owned = crate::surrogate_str::encode(
                    &crate::runtime::standins::code_points(s).collect::<Vec<_>>(),
                )
                .unwrap_or_default();
                &owned[..]
            } else {
                s.as_bytes()
            };
            let n = data.len();
            let mut header = Vec::with_capacity(9);
            if n <= 0xff && self.proto >= 4 {
                header.extend_from_slice(&[SHORT_BINUNICODE, n as u8]);
            } else if n <= 0xffff_ffff {
                header.push(BINUNICODE);
                header.extend_from_slice(&(n as u32).to_le_bytes());
            } else if self.proto >= 4 {
                header.push(BINUNICODE8);
                header.extend_from_slice(&(n as u64).to_le_bytes());
            } else {
                return Err(pickling_error(
                    vm,
                    "serializing a string larger than 4 GiB requires pickle protocol 4 or higher",
                ));
            }
            self.write_bytes(vm, &header, data, || Value::Bytes(Rc::from(data)))?;
        } else {
            let mut line = vec![UNICODE];
            for c in s.chars() {
                let u = crate::runtime::standins::code_point(c);
                if u >= 0x10000 {
                    line.extend_from_slice(format!("\\U{u:08x}").as_bytes());
                } else if u >= 256 || matches!(u, 0x5c | 0 | 0x0a | 0x0d | 0x1a) {
                    line.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                } else {
                    line.push(u as u8);
                }
            }
            line.push(b'\n');
            self.w(&line);
        }
        self.memo_put(obj);
        Ok(())
    }

    /// The containers, the classes and functions, and everything reduced.
    fn save_container(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        match obj {
            Value::Dict(_) => return self.save_dict(vm, obj),
            Value::Set(s) if !s.frozen => return self.save_set(vm, obj),
            Value::Set(_) => return self.save_frozenset(vm, obj),
            Value::List(_) => return self.save_list(vm, obj),
            Value::Tuple(t) => return self.save_tuple(vm, obj, &t.clone()),
            Value::Native(n) => {
                if let Native::ByteArray(b) = &**n {
                    let data = b.data.borrow().clone();
                    return self.save_bytearray(vm, obj, data);
                }
            }
            _ => {}
        }
        let t = vm.type_of(obj);
        let type_type = vm.ty("type");
        if Rc::ptr_eq(&t, &type_type) {
            return self.save_type(vm, obj);
        }
        if matches!(obj, Value::Function(_)) {
            return self.save_global(vm, obj, None);
        }
        let rv = match copyreg_dispatch(vm, &t)? {
            Some(f) => vm.call1(&f, obj.clone())?,
            None if t.is_subtype(&type_type) => return self.save_global(vm, obj, None),
            None => match fixed_reduction(obj) {
                Some(name) => Value::str(&name),
                // object.__reduce_ex__ of a module: object_getstate's refusal.
                None if matches!(obj, Value::Module(_)) => {
                    return Err(vm.type_error("cannot pickle 'module' object"));
                }
                None => match lookup_attr(vm, obj, "__reduce_ex__")? {
                    Some(f) => vm.call1(&f, Value::Int(i64::from(self.proto)))?,
                    None if !matches!(obj, Value::Object(_)) => {
                        return Err(vm.unsupported(format!(
                            "pickling a {} object (the VM finds no __reduce_ex__)",
                            t.name()
                        )));
                    }
                    None => match lookup_attr(vm, obj, "__reduce__")? {
                        Some(f) => vm.call(&f, Args::new(vec![]))?,
                        None => {
                            let r = vm.repr(obj)?;
                            let msg = format!("can't pickle '{}' object: {r}", t.name());
                            return Err(pickling_error(vm, msg));
                        }
                    },
                },
            },
        };
        if let Value::Str(_) = rv.builtin_value() {
            return self.save_global(vm, obj, Some(rv));
        }
        let Value::Tuple(items) = rv.builtin_value().clone() else {
            return Err(pickling_error(
                vm,
                "__reduce__ must return a string or tuple",
            ));
        };
        self.save_reduce(vm, &items, Some(obj))
    }

    /// `save_tuple`: TUPLE1-3 from protocol 2, else MARK ... TUPLE; a tuple that its own
    /// items reached is fetched from the memo.
    fn save_tuple(&mut self, vm: &mut Vm, obj: &Value, items: &Rc<[Value]>) -> PyResult<()> {
        let n = items.len();
        if n == 0 {
            self.w(if self.bin() { &[EMPTY_TUPLE] } else { b"(t" });
            return Ok(());
        }
        if n <= 3 && self.proto >= 2 {
            for x in items.iter() {
                self.save(vm, x)?;
            }
            if let Some(idx) = self.memo_get_index(obj) {
                self.w(&vec![POP; n]);
                self.write_get(idx);
                return Ok(());
            }
            self.w(&[[TUPLE1, TUPLE2, TUPLE3][n - 1]]);
        } else {
            self.w(&[MARK]);
            for x in items.iter() {
                self.save(vm, x)?;
            }
            if let Some(idx) = self.memo_get_index(obj) {
                if self.bin() {
                    self.w(&[POP_MARK]);
                } else {
                    self.w(&vec![POP; n + 1]);
                }
                self.write_get(idx);
                return Ok(());
            }
            self.w(&[TUPLE]);
        }
        self.memo_put(obj);
        Ok(())
    }

    /// `save_list`.
    fn save_list(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        let Value::List(l) = obj else {
            return Err(vm.bug("save_list of another object"));
        };
        self.w(if self.bin() { &[EMPTY_LIST] } else { b"(l" });
        self.memo_put(obj);
        if l.items.borrow().is_empty() {
            return Ok(());
        }
        if self.proto > 0 {
            vm.enter_c(1, " while pickling an object")?;
            let r = self.batch_list_exact(vm, l);
            vm.leave_c(1);
            r
        } else {
            let it = vm.iter(obj)?;
            self.batch_list(vm, &it)
        }
    }

    /// `batch_list_exact`: one APPEND for a single item, else MARK ... APPENDS batches,
    /// the list's length read again after each item.
    fn batch_list_exact(
        &mut self,
        vm: &mut Vm,
        l: &Rc<super::super::super::object::List>,
    ) -> PyResult<()> {
        let item = |i: usize| l.items.borrow().get(i).cloned();
        if l.items.borrow().len() == 1 {
            let x = item(0).unwrap_or_default();
            self.save(vm, &x)?;
            self.w(&[APPEND]);
            return Ok(());
        }
        let mut total = 0;
        loop {
            let mut batch = 0;
            self.w(&[MARK]);
            while let Some(x) = item(total) {
                self.save(vm, &x)?;
                total += 1;
                batch += 1;
                if batch == BATCHSIZE {
                    break;
                }
            }
            self.w(&[APPENDS]);
            if total >= l.items.borrow().len() {
                return Ok(());
            }
        }
    }

    /// `batch_list`: the items of an iterator, one APPEND each in protocol 0, else in
    /// batches, a lone last item with APPEND.
    pub(super) fn batch_list(&mut self, vm: &mut Vm, it: &Value) -> PyResult<()> {
        if self.proto == 0 {
            while let Some(x) = vm.next(it)? {
                self.save(vm, &x)?;
                self.w(&[APPEND]);
            }
            return Ok(());
        }
        loop {
            let Some(first) = vm.next(it)? else {
                return Ok(());
            };
            let Some(mut x) = vm.next(it)? else {
                self.save(vm, &first)?;
                self.w(&[APPEND]);
                return Ok(());
            };
            self.w(&[MARK]);
            self.save(vm, &first)?;
            let mut n = 1;
            loop {
                self.save(vm, &x)?;
                n += 1;
                if n == BATCHSIZE {
                    break;
                }
                match vm.next(it)? {
                    Some(y) => x = y,
                    None => break,
                }
            }
            self.w(&[APPENDS]);
            if n != BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// `save_dict`.
    fn save_dict(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        let Value::Dict(d) = obj else {
            return Err(vm.bug("save_dict of another object"));
        };
        self.w(if self.bin() { &[EMPTY_DICT] } else { b"(d" });
        self.memo_put(obj);
        if d.is_empty() {
            return Ok(());
        }
        if self.proto > 0 {
            vm.enter_c(1, " while pickling an object")?;
            let r = self.batch_dict_exact(vm, d);
            vm.leave_c(1);
            r
        } else {
            let items = vm.getattr(obj, "items")?;
            let items = vm.call(&items, Args::new(vec![]))?;
            let it = vm.iter(&items)?;
            self.batch_dict(vm, &it)
        }
    }

    /// `batch_dict_exact`: one SETITEM for a single item, else MARK ... SETITEMS batches
    /// (an empty last batch when the size is a multiple of the batch), the size checked
    /// after each batch.
    fn batch_dict_exact(
        &mut self,
        vm: &mut Vm,
        d: &Rc<super::super::super::dict::Dict>,
    ) -> PyResult<()> {
        let size = d.len();
        let items = d.items();
        if size == 1 {
            let (k, v) = items[0].clone();
            self.save(vm, &k)?;
            self.save(vm, &v)?;
            self.w(&[SETITEM]);
            return Ok(());
        }
        let mut pos = 0;
        loop {
            let mut i = 0;
            self.w(&[MARK]);
            while let Some((k, v)) = items.get(pos) {
                pos += 1;
                self.save(vm, k)?;
                self.save(vm, v)?;
                i += 1;
                if i == BATCHSIZE {
                    break;
                }
            }
            self.w(&[SETITEMS]);
            if d.len() != size {
                return Err(vm.err("RuntimeError", "dictionary changed size during iteration"));
            }
            if i != BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// `batch_dict`: the (key, value) pairs of an iterator.
    pub(super) fn batch_dict(&mut self, vm: &mut Vm, it: &Value) -> PyResult<()> {
        let pair = |vm: &mut Vm, x: &Value| -> PyResult<(Value, Value)> {
            match x.builtin_value() {
                Value::Tuple(t) if t.len() == 2 => Ok((t[0].clone(), t[1].clone())),
                _ => Err(vm.type_error("dict items iterator must return 2-tuples")),
            }
        };
        if self.proto == 0 {
            while let Some(x) = vm.next(it)? {
                let (k, v) = pair(vm, &x)?;
                self.save(vm, &k)?;
                self.save(vm, &v)?;
                self.w(&[SETITEM]);
            }
            return Ok(());
        }
        loop {
            let Some(first) = vm.next(it)? else {
                return Ok(());
            };
            let (k, v) = pair(vm, &first)?;
            let Some(mut x) = vm.next(it)? else {
                self.save(vm, &k)?;
                self.save(vm, &v)?;
                self.w(&[SETITEM]);
                return Ok(());
            };
            self.w(&[MARK]);
            self.save(vm, &k)?;
            self.save(vm, &v)?;
            let mut n = 1;
            loop {
                let (k, v) = pair(vm, &x)?;
                self.save(vm, &k)?;
                self.save(vm, &v)?;
                n += 1;
                if n == BATCHSIZE {
                    break;
                }
                match vm.next(it)? {
                    Some(y) => x = y,
                    None => break,
                }
            }
            self.w(&[SETITEMS]);
            if n != BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// `save_set`: `(set, (list,))` before protocol 4, else EMPTY_SET and ADDITEMS
    /// batches.
    fn save_set(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        let Value::Set(s) = obj else {
            return Err(vm.bug("save_set of another object"));
        };
        if self.proto < 4 {
            let items = Value::list(s.items.keys());
            let rv = [Value::Type(vm.ty("set")), Value::tuple(vec![items])];
            return self.save_reduce(vm, &rv, Some(obj));
        }
        self.w(&[EMPTY_SET]);
        self.memo_put(obj);
        let size = s.items.len();
        if size == 0 {
            return Ok(());
        }
        let items = s.items.keys();
        let mut pos = 0;
        loop {
            let mut i = 0;
            self.w(&[MARK]);
            while let Some(x) = items.get(pos) {
                pos += 1;
                self.save(vm, x)?;
                i += 1;
                if i == BATCHSIZE {
                    break;
                }
            }
            self.w(&[ADDITEMS]);
            if s.items.len() != size {
                return Err(vm.err("RuntimeError", "set changed size during iteration"));
            }
            if i != BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// `save_frozenset`.
    fn save_frozenset(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        let Value::Set(s) = obj else {
            return Err(vm.bug("save_frozenset of another object"));
        };
        if self.proto < 4 {
            let items = Value::list(s.items.keys());
            let rv = [Value::Type(vm.ty("frozenset")), Value::tuple(vec![items])];
            return self.save_reduce(vm, &rv, Some(obj));
        }
        self.w(&[MARK]);
        for x in s.items.keys() {
            self.save(vm, &x)?;
        }
        if let Some(idx) = self.memo_get_index(obj) {
            self.w(&[POP_MARK]);
            self.write_get(idx);
            return Ok(());
        }
        self.w(&[FROZENSET]);
        self.memo_put(obj);
        Ok(())
    }

    /// `save_bytearray`: `(bytearray, (bytes,))` before protocol 5, else BYTEARRAY8.
    fn save_bytearray(&mut self, vm: &mut Vm, obj: &Value, data: Vec<u8>) -> PyResult<()> {
        if self.proto < 5 {
            let ty = Value::Type(vm.ty("bytearray"));
            let args = if data.is_empty() {
                Value::tuple(vec![])
            } else {
                Value::tuple(vec![Value::Bytes(Rc::from(data))])
            };
            return self.save_reduce(vm, &[ty, args], Some(obj));
        }
        let mut header = vec![BYTEARRAY8];
        header.extend_from_slice(&(data.len() as u64).to_le_bytes());
        self.write_bytes(vm, &header, &data, || obj.clone())?;
        self.memo_put(obj);
        Ok(())
    }

    /// `save_type`: the singletons' types as `type(singleton)`, other classes by name.
    fn save_type(&mut self, vm: &mut Vm, obj: &Value) -> PyResult<()> {
        let singleton = match obj {
            Value::Type(t) => match &*t.name() {
                "NoneType" => Some(Value::None),
                "ellipsis" => Some(Value::Ellipsis),
                "NotImplementedType" => Some(Value::NotImplemented),
                _ => None,
            },
            _ => None,
        };
        match singleton {
            Some(s) if obj.is(&Value::Type(vm.type_of(&s))) => {
                let rv = [Value::Type(vm.ty("type")), Value::tuple(vec![s])];
                self.save_reduce(vm, &rv, Some(obj))
            }
            _ => self.save_global(vm, obj, None),
        }
    }
}

/// `_PyObject_LookupAttr`: `None` for an AttributeError.
pub fn lookup_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    match vm.getattr(v, name) {
        Ok(x) => Ok(Some(x)),
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "AttributeError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `PyDict_GetItemWithError` on one of `_compat_pickle`'s dicts.
pub fn mapping_get(vm: &mut Vm, d: &Value, key: &Value) -> PyResult<Option<Value>> {
    let Value::Dict(d) = d else {
        return Err(vm.unsupported("a _compat_pickle mapping that is not a dict"));
    };
    d.get(key)
        .map_err(|_| vm.unsupported("a _compat_pickle key with its own __hash__"))
}
