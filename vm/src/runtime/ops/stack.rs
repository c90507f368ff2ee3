//! Stack shuffling and frame entry.

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::PyResult;

/// RESUME `( -- )`: a frame starts or resumes; the `call` trace event is delivered by the
/// tracing wrapper before this runs. spec: tracing.settrace.call
pub fn resume(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    // CHECK_EVAL_BREAKER at a function's start and after a plain yield, not after a
    // `yield from`/`await` (oparg 2 and 3), which go on into the delegate first.
    if arg < 2 && vm.signals_tripped != 0 {
        crate::runtime::modules::signal::check(vm)?;
    }
    Ok(Step::Continue)
}

/// POP_TOP `(value -- )`
pub fn pop_top(vm: &mut Vm) -> PyResult<Step> {
    vm.top()?.pop_opt()?;
    Ok(Step::Continue)
}

/// PUSH_NULL `( -- NULL)`
pub fn push_null(vm: &mut Vm) -> PyResult<Step> {
    vm.top()?.push_opt(None);
    Ok(Step::Continue)
}

/// END_FOR `(second, value -- )`: pops the exhausted iterator and its sentinel.
pub fn end_for(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    f.pop_opt()?;
    f.pop_opt()?;
    Ok(Step::Continue)
}

/// COPY `(bottom, unused[oparg-1] -- bottom, unused[oparg-1], top)`
pub fn copy(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.peek_opt((arg as usize).saturating_sub(1))?;
    f.push_opt(v);
    Ok(Step::Continue)
}

/// SWAP `(bottom, unused[oparg-2], top -- top, unused[oparg-2], bottom)`
pub fn swap(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let depth = (arg as usize).saturating_sub(1);
    let top = f.slot_mut(0)?.take();
    let other = std::mem::replace(f.slot_mut(depth)?, top);
    *f.slot_mut(0)? = other;
    Ok(Step::Continue)
}

/// INTERPRETER_EXIT: only CPython's entry trampoline has it; never in a code object.
pub fn interpreter_exit(vm: &mut Vm) -> PyResult<Step> {
    Err(vm.bug("INTERPRETER_EXIT in a code object"))
}
