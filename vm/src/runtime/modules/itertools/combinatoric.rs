//! The combinatoric iterators: product, permutations, combinations and
//! combinations_with_replacement, each walking an array of indices into its pools as
//! CPython's `product_next`, `permutations_next`, `combinations_next` and `cwr_next` do.

use super::super::super::argspec::{self, Spec, Style};
use super::super::super::interp::Vm;
use super::super::super::object::{Args, Value};
use super::super::super::PyResult;
use super::{make, ssize, State};

/// `productobject`.
#[derive(Debug)]
pub struct Product {
    pools: Vec<Vec<Value>>,
    indices: Vec<usize>,
    result: Option<Vec<Value>>,
    stopped: bool,
}

/// `permutationsobject`.
#[derive(Debug)]
pub struct Permutations {
    pool: Vec<Value>,
    r: usize,
    indices: Vec<usize>,
    cycles: Vec<usize>,
    result: Option<Vec<Value>>,
    stopped: bool,
}

/// `combinationsobject` and `cwrobject` (`replace`).
#[derive(Debug)]
pub struct Combinations {
    pool: Vec<Value>,
    r: usize,
    indices: Vec<usize>,
    result: Option<Vec<Value>>,
    stopped: bool,
    replace: bool,
}

impl Product {
    pub fn values(self) -> Vec<Value> {
        self.pools
            .into_iter()
            .flatten()
            .chain(self.result.into_iter().flatten())
            .collect()
    }

    pub fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.stopped {
            return Ok(None);
        }
        match &mut self.result {
            None => {
                let mut first = Vec::with_capacity(self.pools.len());
                for pool in &self.pools {
                    match pool.first() {
                        Some(v) => first.push(v.clone()),
                        None => {
                            self.stopped = true;
                            return Ok(None);
                        }
                    }
                }
                self.result = Some(first.clone());
                Ok(Some(Value::tuple(first)))
            }
            Some(result) => {
                // Advance the rightmost index that can, resetting those to its right.
                let mut i = self.pools.len();
                loop {
                    if i == 0 {
                        self.stopped = true;
                        return Ok(None);
                    }
                    i -= 1;
                    let pool = &self.pools[i];
                    self.indices[i] += 1;
                    if self.indices[i] == pool.len() {
                        self.indices[i] = 0;
                        result[i] = pool[0].clone();
                    } else {
                        result[i] = pool[self.indices[i]].clone();
                        break;
                    }
                }
                vm.check_heap()?;
                Ok(Some(Value::tuple(result.clone())))
            }
        }
    }
}

impl Permutations {
    pub fn values(self) -> Vec<Value> {
        self.pool
            .into_iter()
            .chain(self.result.into_iter().flatten())
            .collect()
    }

    pub fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.stopped {
            return Ok(None);
        }
        let (n, r) = (self.pool.len(), self.r);
        let Some(result) = &mut self.result else {
            if r > n {
                self.stopped = true;
                return Ok(None);
            }
            let first: Vec<Value> = self.indices[..r]
                .iter()
                .map(|&i| self.pool[i].clone())
                .collect();
            self.result = Some(first.clone());
            return Ok(Some(Value::tuple(first)));
        };
        if n == 0 {
            self.stopped = true;
            return Ok(None);
        }
        // Decrement the rightmost cycle, moving left upon zero rollover.
        let mut i = r;
        loop {
            if i == 0 {
                self.stopped = true;
                return Ok(None);
            }
            i -= 1;
            self.cycles[i] -= 1;
            if self.cycles[i] == 0 {
                // indices[i:] = indices[i+1:] + indices[i:i+1]
                self.indices[i..].rotate_left(1);
                self.cycles[i] = n - i;
            } else {
                let j = self.cycles[i];
                self.indices.swap(i, n - j);
                for (slot, &ix) in result[i..r].iter_mut().zip(&self.indices[i..r]) {
                    *slot = self.pool[ix].clone();
                }
                break;
            }
        }
        vm.check_heap()?;
        Ok(Some(Value::tuple(result.clone())))
    }
}

impl Combinations {
    pub fn values(self) -> Vec<Value> {
        self.pool
            .into_iter()
            .chain(self.result.into_iter().flatten())
            .collect()
    }

    pub fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.stopped {
            return Ok(None);
        }
        let (n, r) = (self.pool.len(), self.r);
        let Some(result) = &mut self.result else {
            let empty = if self.replace { n == 0 && r > 0 } else { r > n };
            if empty {
                self.stopped = true;
                return Ok(None);
            }
            let first: Vec<Value> = self.indices.iter().map(|&i| self.pool[i].clone()).collect();
            self.result = Some(first.clone());
            return Ok(Some(Value::tuple(first)));
        };
        // The rightmost index not at its maximum (`i + n - r`, or `n - 1` with
        // replacement).
        let max = |i: usize| if self.replace { n - 1 } else { i + n - r };
        let Some(i) = (0..r).rev().find(|&i| self.indices[i] != max(i)) else {
            self.stopped = true;
            return Ok(None);
        };
        if self.replace {
            let index = self.indices[i] + 1;
            self.indices[i..r].fill(index);
            result[i..r].fill(self.pool[index].clone());
        } else {
            let first = self.indices[i] + 1;
            for (k, slot) in self.indices[i..r].iter_mut().enumerate() {
                *slot = first + k;
            }
            for (slot, &ix) in result[i..r].iter_mut().zip(&self.indices[i..r]) {
                *slot = self.pool[ix].clone();
            }
        }
        vm.check_heap()?;
        Ok(Some(Value::tuple(result.clone())))
    }
}

/// An index array of `r` entries: CPython's `PyMem_New(Py_ssize_t, r)` is a MemoryError
/// where no machine has the block.
fn indices_block(vm: &Vm, r: i64) -> PyResult<()> {
    vm.before_alloc(r as u128 * 8, 0)
}

/// `product(*iterables, repeat=1)` (`product_new`: "|n:product" over the keywords).
pub fn product_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let mut repeat = 1;
    if !args.kw.is_empty() {
        let kw = Args {
            pos: Vec::new(),
            kw: args.kw.clone(),
        };
        let [r] = Spec::function("product", Style::Keywords, &["repeat"], 0)
            .keywords(0, 0)
            .bind(vm, &kw, 0)?;
        if let Some(r) = r {
            repeat = ssize(vm, &r)?;
            if repeat < 0 {
                return Err(vm.value_error("repeat argument cannot be negative"));
            }
        }
    }
    let npools = (args.pos.len() as i64).checked_mul(repeat);
    let Some(npools) = npools.and_then(|n| usize::try_from(n).ok()) else {
        return Err(vm.err("OverflowError", "repeat argument too large"));
    };
    indices_block(vm, npools as i64)?;
    let mut once = Vec::with_capacity(args.pos.len());
    for a in &args.pos {
        once.push(vm.collect(a)?);
    }
    let mut pools = Vec::with_capacity(npools);
    for _ in 0..repeat {
        vm.check_heap()?;
        pools.extend(once.iter().cloned());
    }
    Ok(make(
        "product",
        State::Product(Product {
            indices: vec![0; pools.len()],
            pools,
            result: None,
            stopped: false,
        }),
    ))
}

/// `permutations(iterable, r=None)`.
pub fn permutations_new(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [iterable, r] = Spec::function("permutations", Style::Keywords, &["iterable", "r"], 1)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let pool = vm.collect(&argspec::required(iterable))?;
    let n = pool.len();
    let r = match r.filter(|r| !r.is_none()) {
        None => n as i64,
        Some(r) => match r.builtin_value() {
            v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_)) => argspec::index(vm, v)?,
            _ => return Err(vm.type_error("Expected int as r")),
        },
    };
    if r < 0 {
        return Err(vm.value_error("r must be non-negative"));
    }
    indices_block(vm, r)?;
    let r = usize::try_from(r).unwrap_or(usize::MAX);
    // cycles = range(n, n-r, -1); only read when r <= n.
    let cycles = if r <= n {
        (n - r + 1..=n).rev().collect()
    } else {
        Vec::new()
    };
    Ok(make(
        "permutations",
        State::Permutations(Permutations {
            pool,
            r,
            indices: (0..n).collect(),
            cycles,
            result: None,
            stopped: false,
        }),
    ))
}

/// `combinations(iterable, r)` and `combinations_with_replacement(iterable, r)`.
pub fn combinations_new(vm: &mut Vm, args: Args, replace: bool) -> PyResult<Value> {
    let name = if replace {
        "combinations_with_replacement"
    } else {
        "combinations"
    };
    let [iterable, r] = Spec::function(name, Style::Keywords, &["iterable", "r"], 2)
        .keywords(0, 2)
        .bind(vm, &args, 0)?;
    let r = ssize(vm, &argspec::required(r))?;
    let pool = vm.collect(&argspec::required(iterable))?;
    if r < 0 {
        return Err(vm.value_error("r must be non-negative"));
    }
    indices_block(vm, r)?;
    let r = usize::try_from(r).unwrap_or(usize::MAX);
    // Only read when the first combination exists (r <= n, or any r with replacement
    // and a non-empty pool).
    let exists = if replace {
        !pool.is_empty() || r == 0
    } else {
        r <= pool.len()
    };
    let indices = match (exists, replace) {
        (false, _) => Vec::new(),
        (true, true) => vec![0; r],
        (true, false) => (0..r).collect(),
    };
    Ok(make(
        name,
        State::Combinations(Combinations {
            pool,
            r,
            indices,
            result: None,
            stopped: false,
            replace,
        }),
    ))
}
