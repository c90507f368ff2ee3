//! The string a pattern runs on (CPython `getstring` and `state_init` in
//! `Modules/_sre/sre.c`) and the runs of the engine over it (`sre_match`, `sre_search`).
//!
//! The engine is `rustpython_sre_engine`, CPython's SRE engine over the same code
//! `re._compiler` emits. A `str` is the VM's UTF-8 `Rc<str>`; the engine's `&str` drive
//! decodes it code point by code point and counts positions in code points, so every
//! index it reports is CPython's index. To slice by those indices, `Subject` keeps the
//! byte offset of each code point of a non-ASCII string (an ASCII string's indices are
//! its byte offsets). A `bytes` subject runs on the engine's `&[u8]` drive.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use rustpython_sre_engine::{Request, State};

use super::super::super::interp::Vm;
use super::super::super::object::Value;
use super::super::super::PyResult;

/// The characters of a subject: a `str`'s or a `bytes`' own storage.
#[derive(Debug, Clone)]
pub enum Text {
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
}

/// A string the engine runs on: the object as given (a match's `string`), its
/// characters, and the byte offset of each code point when a `str` is not ASCII.
#[derive(Debug)]
pub struct Subject {
    pub original: Value,
    pub text: Text,
    offsets: Option<Vec<usize>>,
    /// The length in characters (code points, or bytes).
    pub len: usize,
    /// The engine's state, kept between the runs of a loop over the matches (findall,
    /// sub, a scanner) as CPython keeps its `SRE_STATE`: its cursor then moves on from
    /// the last match instead of decoding the string from its start each time.
    state: RefCell<State>,
}

/// What one run of the engine found: the match's span and the groups' marks
/// (`-1` where a group did not take part), and `lastindex`.
#[derive(Debug, Clone)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// Two entries per group, group 1 first (CPython `state->mark`).
    pub marks: Vec<isize>,
    pub lastindex: isize,
}

/// The kinds of engine run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// `sre_match` at the start only.
    Match,
    /// `sre_match` with `state.match_all`.
    FullMatch,
    /// `sre_search`.
    Search,
}

impl Subject {
    /// `getstring` with the pattern's kind checked as `state_init` does: a `str` (or a
    /// subclass, whose characters are its payload) or `bytes`. `isbytes` is the
    /// pattern's: `Some(false)` for a str pattern, `Some(true)` for bytes, `None` for a
    /// pattern compiled from `None`.
    pub fn new(vm: &Vm, v: &Value, isbytes: Option<bool>) -> PyResult<Subject> {
        let text = text_of(vm, v)?;
        let is_bytes = matches!(text, Text::Bytes(_));
        if is_bytes && isbytes == Some(false) {
            return Err(vm.type_error("cannot use a string pattern on a bytes-like object"));
        }
        if !is_bytes && isbytes == Some(true) {
            return Err(vm.type_error("cannot use a bytes pattern on a string-like object"));
        }
        let (offsets, len) = match &text {
            Text::Str(s) if !s.is_ascii() => {
                let offsets: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
                let n = offsets.len();
                (Some(offsets), n)
            }
            Text::Str(s) => (None, s.len()),
            Text::Bytes(b) => (None, b.len()),
        };
        Ok(Subject {
            original: v.clone(),
            text,
            offsets,
            len,
            state: RefCell::new(State::default()),
        })
    }

    fn byte_offset(&self, i: usize) -> usize {
        match &self.offsets {
            Some(o) => o.get(i).copied().unwrap_or_else(|| match &self.text {
                Text::Str(s) => s.len(),
                Text::Bytes(b) => b.len(),
            }),
            None => i,
        }
    }

    /// `getslice`: characters `i..j` as a new `str` or `bytes`; the whole of an exact
    /// `str` or `bytes` is the object itself, as CPython returns it.
    pub fn slice(&self, i: usize, j: usize) -> Value {
        let j = j.min(self.len);
        let i = i.min(j);
        let whole = i == 0 && j == self.len;
        match &self.text {
            Text::Str(s) => {
                if whole && matches!(self.original, Value::Str(_)) {
                    return self.original.clone();
                }
                let (a, b) = (self.byte_offset(i), self.byte_offset(j));
                Value::str(s.get(a..b).unwrap_or_default())
            }
            Text::Bytes(b) => {
                if whole && matches!(self.original, Value::Bytes(_)) {
                    return self.original.clone();
                }
                Value::Bytes(Rc::from(b.get(i..j).unwrap_or_default()))
            }
        }
    }

    /// The empty string of the subject's kind (the joiner of `pattern_subx`).
    pub fn empty(&self) -> Value {
        match self.text {
            Text::Str(_) => Value::str(""),
            Text::Bytes(_) => Value::Bytes(Rc::from(&[][..])),
        }
    }

    /// One run of the engine from `start` to `end` (already clipped to the subject);
    /// `must_advance` refuses an empty match at `start` (`state->must_advance`).
    pub fn run(
        &self,
        vm: &mut Vm,
        code: &[u32],
        groups: usize,
        (start, end): (usize, usize),
        kind: Run,
        must_advance: bool,
    ) -> PyResult<Option<Found>> {
        // One unit of fuel per run: a native loop over matches (findall, sub) ends as
        // out of fuel as the same loop in Python would. The engine itself cannot be
        // interrupted, as CPython's can only by a signal.
        super::super::itertools::spend(vm)?;
        // A run from inside another run on the same subject (a callback of sub) takes a
        // fresh state.
        let mut fresh = State::default();
        let mut kept = self.state.try_borrow_mut();
        let state = match kept.as_deref_mut() {
            Ok(s) => s,
            Err(_) => &mut fresh,
        };
        let run = (start, end, kind, must_advance);
        let outcome = catch_unwind(AssertUnwindSafe(|| match &self.text {
            Text::Str(s) => engine(&**s, code, groups, run, state),
            Text::Bytes(b) => engine(&**b, code, groups, run, state),
        }));
        outcome.map_err(|_| {
            vm.unsupported("_sre code the engine cannot run (CPython's _validate would refuse it)")
        })
    }
}

/// The characters of a subject, or CPython's TypeError for an object that is neither a
/// str nor a bytes-like object. The other bytes-like objects (bytearray, memoryview,
/// array) are buffers the VM cannot hand to the engine yet.
pub fn text_of(vm: &Vm, v: &Value) -> PyResult<Text> {
    match v.builtin_value() {
        Value::Str(s) => {
            // The engine reads the UTF-8 itself, and would see a stand-in's own code point.
            crate::runtime::standins::reject(vm, s, "a regular expression's subject")?;
            Ok(Text::Str(s.clone()))
        }
        Value::Bytes(b) => Ok(Text::Bytes(b.clone())),
        _ => {
            let t = vm.type_of(v);
            if matches!(
                &*t.name(),
                "bytearray" | "memoryview" | "array.array" | "mmap.mmap" | "pickle.PickleBuffer"
            ) {
                return Err(vm.unsupported(format!("re on a {} (a buffer)", t.name())));
            }
            Err(vm.type_error(format!(
                "expected string or bytes-like object, got '{}'",
                t.name()
            )))
        }
    }
}

fn engine<S: rustpython_sre_engine::StrDrive>(
    s: S,
    code: &[u32],
    groups: usize,
    (start, end, kind, must_advance): (usize, usize, Run, bool),
    state: &mut State,
) -> Option<Found> {
    let mut req = Request::new(s, start, end, code, kind == Run::FullMatch);
    req.must_advance = must_advance;
    // `state_reset`: no marks, no repeats, the cursor moved to the start.
    state.reset(&req, req.start);
    let found = match kind {
        Run::Search => state.search(req),
        Run::Match | Run::FullMatch => state.py_match(&req),
    };
    if !found {
        return None;
    }
    let mut marks = Vec::with_capacity(2 * groups);
    for g in 0..groups {
        let (a, b) = state.marks.get(g);
        match (a.is_some(), b.is_some()) {
            (true, true) => {
                marks.push(a.unpack() as isize);
                marks.push(b.unpack() as isize);
            }
            _ => marks.extend([-1, -1]),
        }
    }
    Some(Found {
        start: state.start,
        end: state.cursor.position,
        marks,
        lastindex: state.marks.last_index(),
    })
}
