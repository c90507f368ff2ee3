//! Reading marshal data (marshal.c's `r_object`) into constants and code objects.
//!
//! The reader keeps marshal.c's reference list: a flagged container takes its index before
//! its items are read (`r_ref_reserve`), a flagged scalar once read (`r_ref`), and the
//! singletons (`None`, `True`, …) never take one, flag or not. Nesting is bounded as
//! CPython bounds it (`MAX_MARSHAL_STACK_DEPTH`), so hostile input cannot exhaust the stack.

use std::rc::Rc;

use super::{code, Error, FLAG_REF};
use crate::code::{flags, kinds, CodeObject, Constant};

/// marshal.c's `MAX_MARSHAL_STACK_DEPTH` (not on Windows): deeper nesting is refused.
const MAX_DEPTH: usize = 2000;

/// Reads one code object from `data` (the payload of `marshal.dumps(code)`); `base` is added
/// to every offset an error reports (16 for the marshal data of a `.pyc`). Bytes after the
/// object are ignored, as `marshal.loads` ignores them.
pub fn read_code(data: &[u8], base: usize) -> Result<Rc<CodeObject>, Error> {
    let mut reader = Reader {
        data,
        pos: 0,
        base,
        refs: Vec::new(),
        depth: 0,
    };
    let at = reader.offset();
    match reader.object()? {
        Constant::Code(code) => Ok(code),
        other => Err(Error::malformed(
            at,
            format!("expected a code object, found {}", describe(&other)),
        )),
    }
}

/// A reference-list slot.
#[derive(Clone)]
enum Slot {
    /// Reserved by a container still being read, marshal.c's placeholder.
    Pending {
        /// A tuple: CPython's reference to it is the tuple itself, partly filled (a cycle
        /// framespec's constants cannot hold); any other: `Py_None`, an invalid reference.
        tuple: bool,
    },
    Done(Constant),
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    refs: Vec<Slot>,
    depth: usize,
}

/// What kind of object a constant is, for error messages.
fn describe(c: &Constant) -> &'static str {
    match c {
        Constant::None => "None",
        Constant::Ellipsis => "Ellipsis",
        Constant::Bool(_) => "a bool",
        Constant::Int(_) | Constant::BigInt(_) => "an int",
        Constant::Float(_) => "a float",
        Constant::Complex(..) => "a complex number",
        Constant::Str(_) => "a str",
        Constant::StrSurrogates(_) => "a str with lone surrogates",
        Constant::Bytes(_) => "a bytes object",
        Constant::Tuple(_) => "a tuple",
        Constant::FrozenSet(_) => "a frozenset",
        Constant::Code(_) => "a code object",
    }
}

impl Reader<'_> {
    /// The offset of the next byte, in the caller's terms.
    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn eof(&self, what: &str) -> Error {
        Error::malformed(
            self.base + self.data.len(),
            format!("the data ends before {what}"),
        )
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| self.eof(what))?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn byte(&mut self, what: &str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }

    /// `r_long`: a signed 32-bit little-endian integer.
    fn long(&mut self, what: &str) -> Result<i32, Error> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A 32-bit length or count, which CPython refuses when negative.
    fn size(&mut self, what: &str) -> Result<usize, Error> {
        let at = self.offset();
        let n = self.long(what)?;
        usize::try_from(n).map_err(|_| Error::malformed(at, format!("{what} is negative ({n})")))
    }

    fn double(&mut self, what: &str) -> Result<f64, Error> {
        let b = self.take(8, what)?;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(b);
        Ok(f64::from_le_bytes(raw))
    }

    /// `r_float_str`: a float as text, its length in one byte (marshal versions 0 and 1).
    fn float_str(&mut self) -> Result<f64, Error> {
        let len = usize::from(self.byte("the length of a float's text")?);
        let at = self.offset();
        let text = self.take(len, "a float's text")?;
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.trim().parse::<f64>().ok())
            .ok_or_else(|| Error::malformed(at, "a float's text is not a number"))
    }

    /// `r_object`: one object. `Constant` is every value a code object's constants can be;
    /// what marshal can hold beyond that is refused, located.
    fn object(&mut self) -> Result<Constant, Error> {
        let at = self.offset();
        let type_byte = self.byte("an object")?;
        if self.depth >= MAX_DEPTH {
            return Err(Error::malformed(
                at,
                format!("objects nested more than {MAX_DEPTH} deep (CPython's limit)"),
            ));
        }
        self.depth += 1;
        let result = self.object_of_type(at, type_byte);
        self.depth -= 1;
        result
    }

    fn object_of_type(&mut self, at: usize, type_byte: u8) -> Result<Constant, Error> {
        let flagged = type_byte & FLAG_REF != 0;
        let kind = type_byte & !FLAG_REF;
        // The singletons take no reference slot even when flagged (marshal.c returns them
        // before any `R_REF`).
        match kind {
            code::NONE => return Ok(Constant::None),
            code::TRUE => return Ok(Constant::Bool(true)),
            code::FALSE => return Ok(Constant::Bool(false)),
            code::ELLIPSIS => return Ok(Constant::Ellipsis),
            code::NULL => {
                return Err(Error::malformed(
                    at,
                    "a NULL object where a value was expected",
                ))
            }
            code::STOPITER => {
                return Err(Error::unsupported(
                    at,
                    "StopIteration as a marshalled value (not a code object constant)",
                ))
            }
            code::REF => return self.reference(at),
            _ => {}
        }
        let slot = flagged.then(|| {
            self.refs.push(Slot::Pending {
                tuple: matches!(kind, code::TUPLE | code::SMALL_TUPLE),
            });
            self.refs.len() - 1
        });
        let value = match kind {
            code::INT => Constant::Int(i64::from(self.long("a 32-bit int")?)),
            code::INT64 => {
                let b = self.take(8, "a 64-bit int")?;
                let mut raw = [0u8; 8];
                raw.copy_from_slice(b);
                Constant::Int(i64::from_le_bytes(raw))
            }
            code::LONG => self.long_int(at)?,
            code::BINARY_FLOAT => Constant::Float(self.double("a float")?),
            code::FLOAT => Constant::Float(self.float_str()?),
            // `r_object`: the real part, then the imaginary part.
            code::BINARY_COMPLEX => Constant::Complex(
                self.double("a complex number's real part")?,
                self.double("a complex number's imaginary part")?,
            ),
            code::COMPLEX => Constant::Complex(self.float_str()?, self.float_str()?),
            code::STRING => {
                let n = self.size("the length of a bytes object")?;
                Constant::Bytes(Rc::from(self.take(n, "a bytes object's contents")?))
            }
            code::SHORT_ASCII | code::SHORT_ASCII_INTERNED => {
                let n = usize::from(self.byte("the length of a string")?);
                Constant::Str(latin1(self.take(n, "a string's characters")?))
            }
            code::ASCII | code::ASCII_INTERNED => {
                let n = self.size("the length of a string")?;
                Constant::Str(latin1(self.take(n, "a string's characters")?))
            }
            code::UNICODE | code::INTERNED => {
                let n = self.size("the length of a string")?;
                let bytes = self.take(n, "a string's UTF-8 bytes")?;
                // CPython writes a str with lone surrogates as UTF-8 extended to them
                // ('surrogatepass').
                match std::str::from_utf8(bytes) {
                    Ok(s) => Constant::Str(Rc::from(s)),
                    Err(_) if crate::surrogate_str::decode(bytes).is_some() => {
                        Constant::StrSurrogates(Rc::from(bytes))
                    }
                    Err(_) => Constant::Str(utf8(bytes, at)?),
                }
            }
            code::SMALL_TUPLE => {
                let n = usize::from(self.byte("the length of a tuple")?);
                Constant::Tuple(self.items(n)?.into())
            }
            code::TUPLE => {
                let n = self.size("the length of a tuple")?;
                Constant::Tuple(self.items(n)?.into())
            }
            code::FROZENSET => {
                let n = self.size("the size of a frozenset")?;
                Constant::FrozenSet(self.items(n)?.into())
            }
            code::LIST | code::DICT | code::SET => {
                let what = match kind {
                    code::LIST => "a list",
                    code::DICT => "a dict",
                    _ => "a set",
                };
                return Err(Error::unsupported(
                    at,
                    format!("{what} in marshal data (not a code object constant)"),
                ));
            }
            code::CODE => Constant::Code(Rc::new(self.code_fields()?)),
            other => {
                return Err(Error::malformed(
                    at,
                    format!(
                        "unknown type code {:?} (byte 0x{other:02x})",
                        char::from(other)
                    ),
                ))
            }
        };
        if let Some(slot) = slot {
            self.refs[slot] = Slot::Done(value.clone());
        }
        Ok(value)
    }

    /// `TYPE_REF`: an earlier flagged object, by its index.
    fn reference(&mut self, at: usize) -> Result<Constant, Error> {
        let n = self.long("a reference index")?;
        let slot = usize::try_from(n).ok().and_then(|i| self.refs.get(i));
        match slot {
            Some(Slot::Done(value)) => Ok(value.clone()),
            Some(Slot::Pending { tuple: true }) => Err(Error::unsupported(
                at,
                format!("a reference to tuple {n} from inside itself (a cyclic tuple)"),
            )),
            Some(Slot::Pending { tuple: false }) | None => Err(Error::malformed(
                at,
                format!(
                    "invalid reference {n} ({} objects are flagged so far)",
                    self.refs.len()
                ),
            )),
        }
    }

    /// `n` objects, for a tuple or a frozenset. Capacity grows as items are read, so a
    /// forged count cannot reserve memory the data does not back.
    fn items(&mut self, n: usize) -> Result<Vec<Constant>, Error> {
        let mut items = Vec::with_capacity(n.min(self.data.len() - self.pos));
        for _ in 0..n {
            items.push(self.object()?);
        }
        Ok(items)
    }

    /// `r_PyLong`: a signed count of 15-bit digits, least significant first, the top one
    /// non-zero.
    fn long_int(&mut self, _at: usize) -> Result<Constant, Error> {
        let n = self.long("the digit count of an int")?;
        let count = n.unsigned_abs() as usize;
        let mut digits = Vec::with_capacity(count.min(1 << 16));
        for i in 0..count {
            let digit_at = self.offset();
            let b = self.take(2, "a digit of an int")?;
            let digit = i32::from(i16::from_le_bytes([b[0], b[1]]));
            // marshal.c accepts 0..=PyLong_MARSHAL_BASE here.
            if !(0..=1 << 15).contains(&digit) {
                return Err(Error::malformed(
                    digit_at,
                    format!("digit {digit} of an int is out of range (0..32768)"),
                ));
            }
            if digit == 0 && i + 1 == count {
                return Err(Error::malformed(
                    digit_at,
                    "the top digit of an int is zero (unnormalized long data)",
                ));
            }
            digits.push(digit as u32);
        }
        // Most significant first: value = value * 2**15 + digit.
        let mut magnitude = num_bigint::BigInt::from(0);
        for d in digits.into_iter().rev() {
            magnitude = (magnitude << 15u32) + d;
        }
        let value = if n < 0 { -magnitude } else { magnitude };
        Ok(match crate::arith::Num::from_big(value) {
            crate::arith::Num::Int(i) => Constant::Int(i),
            crate::arith::Num::Big(b) => Constant::BigInt(b),
            crate::arith::Num::Float(_) | crate::arith::Num::Complex(..) => Constant::None,
        })
    }

    /// A string field of a code object.
    fn str_field(&mut self, field: &str) -> Result<Rc<str>, Error> {
        let at = self.offset();
        match self.object()? {
            Constant::Str(s) => Ok(s),
            other => Err(Error::malformed(
                at,
                format!("{field} should be a str, found {}", describe(&other)),
            )),
        }
    }

    fn bytes_field(&mut self, field: &str) -> Result<Vec<u8>, Error> {
        let at = self.offset();
        match self.object()? {
            Constant::Bytes(b) => Ok(b.to_vec()),
            other => Err(Error::malformed(
                at,
                format!("{field} should be bytes, found {}", describe(&other)),
            )),
        }
    }

    fn tuple_field(&mut self, field: &str) -> Result<(usize, Rc<[Constant]>), Error> {
        let at = self.offset();
        match self.object()? {
            Constant::Tuple(items) => Ok((at, items)),
            other => Err(Error::malformed(
                at,
                format!("{field} should be a tuple, found {}", describe(&other)),
            )),
        }
    }

    /// A tuple of strings (`co_names`, `co_localsplusnames`), which CPython interns.
    fn names_field(&mut self, field: &str) -> Result<Vec<Rc<str>>, Error> {
        let (at, items) = self.tuple_field(field)?;
        items
            .iter()
            .map(|item| match item {
                Constant::Str(s) => Ok(s.clone()),
                other => Err(Error::malformed(
                    at,
                    format!("{field} should hold only str, found {}", describe(other)),
                )),
            })
            .collect()
    }

    /// A 32-bit field of a code object that framespec holds unsigned.
    fn count_field(&mut self, field: &str) -> Result<u32, Error> {
        let at = self.offset();
        let n = self.long(field)?;
        u32::try_from(n).map_err(|_| Error::malformed(at, format!("{field} is negative ({n})")))
    }

    /// The fields of a `TYPE_CODE` in 3.12's order, then the checks of
    /// `_PyCode_Validate` that framespec's `CodeObject` relies on.
    fn code_fields(&mut self) -> Result<CodeObject, Error> {
        let start = self.offset();
        let co_argcount = self.count_field("co_argcount")?;
        let co_posonlyargcount = self.count_field("co_posonlyargcount")?;
        let co_kwonlyargcount = self.count_field("co_kwonlyargcount")?;
        let co_stacksize = self.count_field("co_stacksize")?;
        // co_flags is a bit set: its 32 bits as they are.
        let co_flags = self.long("co_flags")? as u32;
        let code_at = self.offset();
        let co_code = self.bytes_field("co_code")?;
        let (_, consts) = self.tuple_field("co_consts")?;
        let co_names = self.names_field("co_names")?;
        let names_at = self.offset();
        let co_localsplusnames = self.names_field("co_localsplusnames")?;
        let co_localspluskinds = self.bytes_field("co_localspluskinds")?;
        let co_filename = self.str_field("co_filename")?;
        let co_name = self.str_field("co_name")?;
        let co_qualname = self.str_field("co_qualname")?;
        let line_at = self.offset();
        let firstlineno = self.long("co_firstlineno")?;
        let co_firstlineno = u32::try_from(firstlineno).map_err(|_| {
            Error::unsupported(
                line_at,
                format!("a negative co_firstlineno ({firstlineno})"),
            )
        })?;
        let co_linetable = self.bytes_field("co_linetable")?;
        let co_exceptiontable = self.bytes_field("co_exceptiontable")?;
        if co_posonlyargcount > co_argcount {
            return Err(Error::malformed(
                start,
                format!(
                    "co_posonlyargcount {co_posonlyargcount} exceeds co_argcount {co_argcount}"
                ),
            ));
        }
        if co_code.len() % 2 != 0 {
            return Err(Error::malformed(
                code_at,
                format!(
                    "co_code has an odd length ({}): code units are two bytes",
                    co_code.len()
                ),
            ));
        }
        if co_localsplusnames.len() != co_localspluskinds.len() {
            return Err(Error::malformed(
                names_at,
                format!(
                    "{} co_localsplusnames but {} co_localspluskinds",
                    co_localsplusnames.len(),
                    co_localspluskinds.len()
                ),
            ));
        }
        let nlocals = co_localspluskinds
            .iter()
            .filter(|&&k| k & kinds::CO_FAST_LOCAL != 0)
            .count() as u64;
        let args = u64::from(co_argcount)
            + u64::from(co_kwonlyargcount)
            + u64::from(co_flags & flags::CO_VARARGS != 0)
            + u64::from(co_flags & flags::CO_VARKEYWORDS != 0);
        if args > nlocals {
            return Err(Error::malformed(
                names_at,
                format!("{nlocals} locals cannot hold {args} arguments (co_varnames is too small)"),
            ));
        }
        Ok(CodeObject {
            co_name,
            co_qualname,
            co_filename,
            co_firstlineno,
            co_argcount,
            co_posonlyargcount,
            co_kwonlyargcount,
            co_flags,
            co_stacksize,
            co_code,
            co_consts: consts.to_vec(),
            co_names,
            co_localsplusnames,
            co_localspluskinds,
            co_linetable,
            co_exceptiontable,
        })
    }
}

/// The ASCII types' bytes, as CPython reads them: one character per byte
/// (`PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, …)`, Latin-1).
fn latin1(bytes: &[u8]) -> Rc<str> {
    bytes
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .into()
}

/// `TYPE_UNICODE`: UTF-8 decoded with `surrogatepass`. A lone surrogate is valid there but
/// cannot be a Rust `str`; anything else that is not UTF-8 CPython refuses too.
fn utf8(bytes: &[u8], at: usize) -> Result<Rc<str>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Rc::from(s)),
        Err(e) => {
            let rest = &bytes[e.valid_up_to()..];
            // A surrogate U+D800..U+DFFF, UTF-8 encoded: ED A0..BF 80..BF.
            if rest.len() >= 3
                && rest[0] == 0xed
                && (0xa0..=0xbf).contains(&rest[1])
                && (0x80..=0xbf).contains(&rest[2])
            {
                Err(Error::unsupported(at, "a string with a lone surrogate"))
            } else {
                Err(Error::malformed(
                    at,
                    format!("a string is not UTF-8 (at its byte {})", e.valid_up_to()),
                ))
            }
        }
    }
}

/// Reads a `.pyc` file (`_classify_pyc` in `_bootstrap_external.py`, then the marshalled
/// code): CPython 3.12's magic number, flags (bit 0: validated by a source hash rather than
/// a timestamp; bit 1: check the source), then either the source's mtime and size or its
/// hash, and the code object from byte 16. Nothing of the header is checked against a
/// source file: the file is run as `python3.12 FILE.pyc` runs it.
pub fn read_pyc(data: &[u8]) -> Result<Rc<CodeObject>, Error> {
    if data.len() < 16 {
        return Err(Error::malformed(
            data.len(),
            format!(
                "a .pyc file starts with a 16-byte header; this one has {} bytes",
                data.len()
            ),
        ));
    }
    if data[..4] != super::MAGIC {
        let number = u16::from_le_bytes([data[0], data[1]]);
        let message = if data[2..4] == *b"\r\n" {
            format!(
                "magic number {number} is not CPython 3.12's ({}): the file was written by another Python version",
                u16::from_le_bytes([super::MAGIC[0], super::MAGIC[1]])
            )
        } else {
            "no .pyc magic number (the file is not a .pyc)".to_owned()
        };
        return Err(Error::malformed(0, message));
    }
    let flags = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
    if flags & !0b11 != 0 {
        return Err(Error::malformed(
            4,
            format!("invalid .pyc flags {flags:#x} (only bits 0 and 1 are defined)"),
        ));
    }
    read_code(&data[16..], 16)
}
