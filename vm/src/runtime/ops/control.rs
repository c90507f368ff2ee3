//! Jumps, branches and `for` loops. Backward jumps deliver their `line` event in the
//! tracing wrapper (CPython's JUMP event), not here.

use super::super::eval::Step;
use super::super::frame::InlineReturn;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::protocol::IterStep;
use super::super::{PyResult, Throw};

/// Continues at a jump's target (`code::jump_target`).
fn goto(vm: &mut Vm, target: Option<usize>) -> PyResult<Step> {
    let f = vm.top()?;
    match target {
        Some(t) if t <= f.info.code.len_units() => {
            f.next_instr = t;
            Ok(Step::Continue)
        }
        _ => Err(bad_target(target)),
    }
}

/// A jump target outside the code, or none (a backward jump before its start): the code
/// object is malformed, a VM bug.
#[cold]
pub fn bad_target(target: Option<usize>) -> Throw {
    match target {
        Some(t) => Throw::Bug(format!("jump target {t} outside the code")),
        None => Throw::Bug("jump before the start of the code".into()),
    }
}

/// JUMP_FORWARD / JUMP_BACKWARD_NO_INTERRUPT `( -- )`: to the unit `code::jump_target`
/// gives.
/// spec: tracing.settrace.line (backward jumps re-trigger the line, in the tracing wrapper)
pub fn jump(vm: &mut Vm, target: Option<usize>) -> PyResult<Step> {
    goto(vm, target)
}

/// JUMP_BACKWARD: the jump, then CHECK_EVAL_BREAKER (a loop's back edge is where a
/// tripped signal's handler runs).
pub fn jump_backward(vm: &mut Vm, target: Option<usize>) -> PyResult<Step> {
    let step = goto(vm, target)?;
    if vm.signals_tripped != 0 {
        crate::runtime::modules::signal::check(vm)?;
    }
    Ok(step)
}

/// POP_JUMP_IF_TRUE / POP_JUMP_IF_FALSE `(cond -- )`
pub fn pop_jump_if(vm: &mut Vm, target: Option<usize>, when: bool) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    if vm.truthy(&v)? == when {
        return goto(vm, target);
    }
    Ok(Step::Continue)
}

/// POP_JUMP_IF_NONE / POP_JUMP_IF_NOT_NONE `(value -- )`
pub fn pop_jump_if_none(vm: &mut Vm, target: Option<usize>, when_none: bool) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    if v.is_none() == when_none {
        return goto(vm, target);
    }
    Ok(Step::Continue)
}

/// GET_ITER `(iterable -- iter)`
pub fn get_iter(vm: &mut Vm) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let it = vm.iter(&v)?;
    vm.top()?.push(it);
    Ok(Step::Continue)
}

/// FOR_ITER `(iter -- iter, next)`: on exhaustion pops the iterator and jumps past the
/// END_FOR at the loop's exit (`target` is that END_FOR; 3.12's `JUMPBY(oparg + 1)`). A StopIteration that ended the iterator (raised by
/// `__next__`, or a generator's non-None return value) is reported to tracers
/// (3.12 INSTRUMENTED_FOR_ITER `monitor_raise`). spec: generators.tracing
///
/// A created or suspended generator is resumed in this evaluation loop (3.12's
/// FOR_ITER_GEN path), coming back through [`InlineReturn::ForIter`]: no native
/// recursion per nested loop over generators. Under tracing 3.12 does not specialise and
/// goes through `gen_iternext`, but the events are the same either way.
/// spec: generators.frame.f_back
pub fn for_iter(vm: &mut Vm, target: Option<usize>) -> PyResult<Step> {
    let exit = target.map(|t| t + 1);
    let it = vm.top()?.peek(0)?;
    if let Value::Generator(g) = &it {
        if !g.finished.get() && !g.running.get() {
            let exit = exit.ok_or_else(|| bad_target(target))?;
            let on_return = InlineReturn::ForIter { exit };
            return super::generators::resume_inline(vm, g, Value::None, on_return);
        }
    }
    match vm.next_step(&it)? {
        IterStep::Item(v) => {
            vm.top()?.push(v);
            Ok(Step::Continue)
        }
        IterStep::Done(stop) => {
            vm.top()?.pop()?;
            goto(vm, exit)?;
            Ok(match stop {
                Some(exc) => Step::Stopped(exc),
                None => Step::Continue,
            })
        }
    }
}
