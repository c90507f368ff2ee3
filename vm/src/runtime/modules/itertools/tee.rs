//! `tee` and its `_tee` objects (CPython `teeobject`, `teedataobject`): the items read
//! from the shared iterator are kept in one list all the tees of it index into. CPython
//! frees blocks of 57 items once every tee has passed them; here they stay until the
//! tees are gone, which only a budget near its limit can tell apart.

use std::cell::RefCell;
use std::rc::Rc;

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Native, Value};
use super::super::super::PyResult;
use super::{make, ssize, State};

/// What the tees of one iterator share (`teedataobject`, without its block structure).
#[derive(Debug)]
pub struct TeeData {
    it: Value,
    items: Vec<Value>,
    /// `teedataobject.running`: reading the iterator now.
    running: bool,
}

/// One `_tee`: the shared data and the index of its next item.
#[derive(Debug)]
pub struct Tee {
    data: Rc<RefCell<TeeData>>,
    index: usize,
}

impl Tee {
    pub fn values(self) -> Vec<Value> {
        match self.data.try_borrow_mut() {
            Ok(mut d) => {
                let mut out = std::mem::take(&mut d.items);
                out.push(std::mem::replace(&mut d.it, Value::None));
                out
            }
            Err(_) => Vec::new(),
        }
    }

    /// `tee_next` / `teedataobject_getitem`: a stored item, or the iterator's next one
    /// (asked again after it ended, as CPython does).
    pub fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let it = {
            let d = self.data.borrow();
            if let Some(v) = d.items.get(self.index) {
                self.index += 1;
                return Ok(Some(v.clone()));
            }
            if d.running {
                return Err(vm.err("RuntimeError", "cannot re-enter the tee iterator"));
            }
            d.it.clone()
        };
        self.data.borrow_mut().running = true;
        let r = vm.next(&it);
        self.data.borrow_mut().running = false;
        let Some(v) = r? else {
            return Ok(None);
        };
        self.data.borrow_mut().items.push(v.clone());
        self.index += 1;
        Ok(Some(v))
    }
}

/// A `_tee` over `it` (`tee_fromiterable`): a copy when `it` is one already.
fn from_iterator(vm: &Vm, it: Value) -> PyResult<Value> {
    if let Some(copy) = copy_of(vm, &it)? {
        return Ok(copy);
    }
    Ok(make(
        "_tee",
        State::Tee(Tee {
            data: Rc::new(RefCell::new(TeeData {
                it,
                items: Vec::new(),
                running: false,
            })),
            index: 0,
        }),
    ))
}

/// `tee_copy` of `v` when it is a `_tee`; `None` for anything else.
fn copy_of(vm: &Vm, v: &Value) -> PyResult<Option<Value>> {
    let Value::Native(n) = v else {
        return Ok(None);
    };
    let Native::Itertool(t) = &**n else {
        return Ok(None);
    };
    let state = t.state.borrow();
    match &*state {
        State::Tee(tee) => Ok(Some(make(
            "_tee",
            State::Tee(Tee {
                data: tee.data.clone(),
                index: tee.index,
            }),
        ))),
        State::Busy if t.kind == "_tee" => {
            Err(vm.unsupported("copying a _tee from inside its own __next__"))
        }
        _ => Ok(None),
    }
}

/// `itertools.tee(iterable, n=2, /)`.
pub fn tee(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, n] = Spec::method("itertools", "tee", Style::Positional, &["iterable", "n"], 1)
        .bind(vm, &args, 0)?;
    let n = match n {
        Some(n) => ssize(vm, &n)?,
        None => 2,
    };
    if n < 0 {
        return Err(vm.value_error("n must be >= 0"));
    }
    // `PyTuple_New(n)` first: a MemoryError where no machine has the block.
    vm.before_alloc(n as u128 * 8, 0)?;
    if n == 0 {
        return Ok(Value::tuple(Vec::new()));
    }
    let it = vm.iter(&argspec::required(iterable))?;
    // An iterator with `__copy__` is copied rather than wrapped: a `_tee` natively.
    let first = if copy_of(vm, &it)?.is_some() {
        it
    } else if vm.special(&it, "__copy__").is_some() {
        return Err(vm.unsupported("tee of an iterator with its own __copy__"));
    } else {
        from_iterator(vm, it)?
    };
    let mut out = vec![first.clone()];
    for _ in 1..n {
        vm.check_heap()?;
        match copy_of(vm, &first)? {
            Some(c) => out.push(c),
            None => return Err(vm.bug("tee: the first iterator is not a _tee")),
        }
    }
    Ok(Value::tuple(out))
}

/// `_tee(iterable, /)`.
pub fn tee_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable] =
        Spec::function("_tee", Style::Positional, &["iterable"], 1).bind(vm, &args, 0)?;
    let it = vm.iter(&argspec::required(iterable))?;
    from_iterator(vm, it)
}
