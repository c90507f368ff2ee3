//! `_sre.SRE_Scanner` (CPython `ScannerObject` in `Modules/_sre/sre.c`): a search state
//! kept between calls, so each `match()` or `search()` goes on where the last match
//! ended (`_sre_SRE_Scanner_match_impl`, `_sre_SRE_Scanner_search_impl`); `finditer` is
//! `iter(scanner.search, None)`.

use std::cell::Cell;
use std::rc::Rc;

use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, NativeFn, Value};
use super::super::super::PyResult;
use super::matchobj::{self, Match};
use super::pattern;
use super::subject::{Run, Subject};

/// `ScannerObject`: the pattern, the string, and the state's `start` (`None` once a
/// search failed: CPython sets `state->start` to NULL), `end` and `must_advance`.
#[derive(Debug)]
pub struct Scanner {
    pub pattern: Value,
    pub subject: Rc<Subject>,
    pub start: Cell<Option<usize>>,
    pub end: usize,
    /// `state->pos`, the clipped `pos` (the matches' `pos`).
    pub pos: usize,
    pub must_advance: Cell<bool>,
    /// `self->executing`: a callback cannot step the scanner from inside a step.
    pub executing: Cell<bool>,
}

fn step(vm: &mut Vm, args: Args, name: &str, kind: Run) -> PyResult<Value> {
    // Argument Clinic's `defining_class` methods without parameters check only the
    // positional count.
    if args.pos.len() > 1 {
        return Err(vm.type_error(format!("{name}() takes no arguments")));
    }
    let n = match args.pos.first() {
        Some(Value::Native(n)) if matches!(**n, Native::SreScanner(_)) => n.clone(),
        _ => return Err(vm.bug("an SRE_Scanner method without its scanner")),
    };
    let Native::SreScanner(s) = &*n else {
        return Err(vm.bug("an SRE_Scanner method on another object"));
    };
    if s.executing.get() {
        return Err(vm.value_error("regular expression scanner already executing"));
    }
    let Some(start) = s.start.get() else {
        return Ok(Value::None);
    };
    let p = pattern::of(&s.pattern).ok_or_else(|| vm.bug("a scanner without its pattern"))?;
    s.executing.set(true);
    let found = p.run(vm, &s.subject, (start, s.end), kind, s.must_advance.get());
    s.executing.set(false);
    match found? {
        None => {
            s.start.set(None);
            Ok(Value::None)
        }
        Some(found) => {
            s.must_advance.set(found.end == found.start);
            s.start.set(Some(found.end));
            Ok(matchobj::make(Match {
                pattern: s.pattern.clone(),
                subject: s.subject.clone(),
                found,
                pos: s.pos,
                endpos: s.end,
                regs: Default::default(),
            }))
        }
    }
}

fn scanner_match(vm: &mut Vm, args: Args) -> PyResult<Value> {
    step(vm, args, "match", Run::Match)
}

fn scanner_search(vm: &mut Vm, args: Args) -> PyResult<Value> {
    step(vm, args, "search", Run::Search)
}

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("SRE_Scanner", "match", scanner_match),
    ("SRE_Scanner", "search", scanner_search),
];
