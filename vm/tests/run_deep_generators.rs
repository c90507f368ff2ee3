//! Deep `yield from` / `for` chains over generators, compared with CPython 3.12
//! (`python3.12 main.py`), as `run_differential.rs` does: SEND and FOR_ITER resume a
//! generator in the same evaluation loop, so a chain is bounded by the Python recursion
//! limit (CPython's exact depth), not by native recursion; throw() and close() walk a
//! chain without native recursion per level. spec: generators.frame.f_back,
//! generators.exceptions.throw, generators.exceptions.close

#[path = "cpython_code/mod.rs"]
mod support;

use std::process::ExitCode;

use libtest_mimic::Failed;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("yield_from_chain_reaches_the_recursion_limit", |_| {
            yield_from_chain_reaches_the_recursion_limit()
        }),
        cpython::trial("send_through_a_deep_chain", |_| send_through_a_deep_chain()),
        cpython::trial("for_loop_chain_over_generators", |_| {
            for_loop_chain_over_generators()
        }),
        cpython::trial("throw_and_close_through_a_deep_chain", |_| {
            throw_and_close_through_a_deep_chain()
        }),
        cpython::trial("resume_at_the_limit_clears_the_generator", |_| {
            resume_at_the_limit_clears_the_generator()
        }),
    ])
}

fn check(source: &str) -> Result<(), Failed> {
    support::differential(source).map_err(Failed::from)
}

/// The deepest chain that fits (module + caller + 998 generators = 1000 frames) and the
/// first that does not, with `f_back` walked from the innermost generator while it runs.
fn yield_from_chain_reaches_the_recursion_limit() -> Result<(), Failed> {
    check(
        "import sys
def chain(n):
    if n == 0:
        f = sys._getframe()
        depth = 0
        while f is not None:
            depth += 1
            f = f.f_back
        yield depth
        return 'done'
    r = yield from chain(n - 1)
    return r
def attempt(n):
    try:
        g = chain(n)
        return next(g), list(g)
    except RecursionError as e:
        return str(e)
for n in (10, 500, 900, 996, 997, 998, 1200):
    print(n, attempt(n))
",
    )
}

/// Values sent into the outermost generator reach the innermost through every level, and
/// its return value comes back out through every `yield from`.
fn send_through_a_deep_chain() -> Result<(), Failed> {
    check(
        "def echo():
    total = 0
    while True:
        x = yield total
        if x is None:
            return total
        total += x
def chain(n):
    if n == 0:
        return (yield from echo())
    return (yield from chain(n - 1))
g = chain(990)
print(next(g), g.send(1), g.send(41))
try:
    g.send(None)
except StopIteration as e:
    print('returned', e.value)
",
    )
}

/// Nested `for` loops over generators (below the depth where CPython 3.12.1's
/// unspecialised FOR_ITER exhausts the C stack and aborts).
fn for_loop_chain_over_generators() -> Result<(), Failed> {
    check(
        "def chain(n):
    if n == 0:
        yield from range(3)
        return 'ignored'
    for x in chain(n - 1):
        yield x + 1
print(list(chain(700)))
def ret(n):
    yield n
    return n
def loop():
    for x in ret(5):
        print('item', x)
loop()
",
    )
}

/// throw() and close() delegate down a deep chain, and what the innermost generator does
/// travels back up.
fn throw_and_close_through_a_deep_chain() -> Result<(), Failed> {
    check(
        "def leaf():
    try:
        yield 'leaf'
    except ValueError as e:
        yield 'caught ' + str(e)
    try:
        yield 'again'
    finally:
        print('leaf finally')
def chain(n):
    if n == 0:
        return (yield from leaf())
    return (yield from chain(n - 1))
g = chain(990)
print(next(g))
print(g.throw(ValueError('deep')))
print(next(g))
print(g.close(), g.gi_frame)
g = chain(990)
next(g)
try:
    g.throw(KeyError('k'))
except KeyError as e:
    tb = e.__traceback__
    n = 0
    while tb is not None:
        n += 1
        tb = tb.tb_next
    print('KeyError entries', n)
",
    )
}

/// A generator resumed past the recursion limit is cleared, as 3.12's `exit_unwind`
/// clears it, and the error is raised in the resumer.
fn resume_at_the_limit_clears_the_generator() -> Result<(), Failed> {
    check(
        "def leaf():
    yield 1
    yield 2
def deleg(g):
    yield from g
def rec(n, g):
    if n == 0:
        return next(g)
    return rec(n - 1, g)
for depth in (996, 997, 998):
    for started in (False, True):
        g = leaf()
        if started:
            next(g)
        d = deleg(g)
        try:
            print(depth, rec(depth, d))
        except RecursionError as e:
            print(depth, 'RecursionError', g.gi_frame is None, d.gi_frame is None)
",
    )
}
