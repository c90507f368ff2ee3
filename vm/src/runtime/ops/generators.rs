//! Generators: a generator owns its frame while suspended; resuming moves the frame back
//! onto the frame stack (linked to the resumer, so `f_back` is the resumer's frame), and
//! yielding moves it out again (a suspended generator's frame has `f_back` None).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::super::eval::{self, Step};
use super::super::interp::{Vm, EVAL_C_UNITS};
use super::super::object::{Generator, Value};
use super::super::protocol::IterStep;
use super::super::{PyResult, Throw};

/// What resuming a generator produced.
pub enum GenResult {
    Yield(Value),
    Return(Value),
}

/// RETURN_GENERATOR `( -- )`: the frame of a freshly called generator function leaves
/// the stack and becomes the generator object, returned to the caller.
pub fn return_generator(vm: &mut Vm) -> PyResult<Step> {
    let Some(mut frame) = vm.frames.pop() else {
        return Err(Throw::Bug("RETURN_GENERATOR without a frame".into()));
    };
    let entry = frame.entry;
    frame.entry = false;
    let code = frame.info.code.clone();
    let (name, qualname) = match &frame.func {
        Some(func) => (func.name.borrow().clone(), func.qualname.borrow().clone()),
        None => (code.co_name.clone(), code.co_qualname.clone()),
    };
    let gen = crate::runtime::gc::alloc(Generator {
        frame: RefCell::new(None),
        running: Cell::new(false),
        finished: Cell::new(false),
        started: Cell::new(false),
        name,
        qualname,
        code,
        serial: frame.serial,
        me: RefCell::new(Weak::new()),
    });
    *gen.me.borrow_mut() = Rc::downgrade(&gen);
    frame.generator = Some(Rc::downgrade(&gen));
    if let Some(fo) = &frame.frame_obj {
        *fo.generator.borrow_mut() = Rc::downgrade(&gen);
    }
    *gen.frame.borrow_mut() = Some(frame);
    Ok(Step::Detached {
        value: Value::Generator(gen),
        entry,
    })
}

/// YIELD_VALUE `(retval -- unused)`: the value pushed on resumption is the sent value.
pub fn yield_value(vm: &mut Vm) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    Ok(Step::Yield(v))
}

/// Moves the yielding frame from the stack into its generator; returns whether it was an
/// entry frame.
pub fn suspend(vm: &mut Vm) -> PyResult<bool> {
    let Some(mut frame) = vm.frames.pop() else {
        return Err(Throw::Bug("yield without a frame".into()));
    };
    let Some(gen) = frame.generator.as_ref().and_then(Weak::upgrade) else {
        return Err(Throw::Bug("yield from a frame no generator owns".into()));
    };
    let entry = frame.entry;
    frame.entry = false;
    gen.running.set(false);
    *gen.frame.borrow_mut() = Some(frame);
    Ok(entry)
}

/// When the current frame is a generator's and it ends, marks the generator finished and
/// detaches the frame so its frame object takes ownership as any other frame's.
pub fn finish_if_generator(vm: &mut Vm) -> PyResult<()> {
    let f = vm.top()?;
    if let Some(gen) = f.generator.take().and_then(|g| g.upgrade()) {
        gen.finished.set(true);
        gen.running.set(false);
        if let Some(fo) = &f.frame_obj {
            *fo.generator.borrow_mut() = Weak::new();
        }
    }
    Ok(())
}

impl Vm {
    /// Resumes `gen` with `sent` (CPython `gen_send_ex2`), or with an exception thrown in.
    pub fn gen_resume(
        &mut self,
        gen: &Rc<Generator>,
        sent: Value,
        throw: Option<Value>,
    ) -> PyResult<GenResult> {
        if gen.running.get() {
            return Err(self.value_error("generator already executing"));
        }
        if gen.finished.get() {
            if let Some(exc) = throw {
                return Err(self.raise(exc));
            }
            return Ok(GenResult::Return(Value::None));
        }
        if !gen.started.get() && !sent.is_none() && throw.is_none() {
            return Err(self.type_error("can't send non-None value to a just-started generator"));
        }
        if self.frames.len() >= self.recursion_limit {
            return Err(self.err("RecursionError", "maximum recursion depth exceeded"));
        }
        if self.native_depth >= self.native_limit {
            return Err(self.err("RecursionError", "maximum recursion depth exceeded"));
        }
        // The resumed frame runs in a nested evaluator (CPython `gen_send_ex2` →
        // `_PyEval_EvalFrame`), which takes C recursion units.
        self.enter_c(EVAL_C_UNITS, "")?;
        let Some(mut frame) = gen.frame.borrow_mut().take() else {
            self.leave_c(EVAL_C_UNITS);
            return Err(Throw::Bug("generator without its frame".into()));
        };
        gen.started.set(true);
        gen.running.set(true);
        frame.entry = true;
        if throw.is_none() {
            frame.push(sent);
        }
        self.frames.push(frame);
        self.native_depth += 1;
        let result = match throw {
            Some(exc) => eval::resume_with_error(self, exc),
            None => eval::run_loop(self),
        };
        self.native_depth -= 1;
        self.leave_c(EVAL_C_UNITS);
        gen.running.set(false);
        let v = result?;
        Ok(if gen.finished.get() {
            GenResult::Return(v)
        } else {
            GenResult::Yield(v)
        })
    }
}

/// SEND `(receiver, v -- receiver, retval)`: delegates to a sub-generator or iterator
/// (`yield from`, `await`); when it finishes, jumps by oparg (to END_SEND) with its return
/// value. A created or suspended generator is resumed directly; anything else (including
/// a finished generator) goes through `__next__` / `send`, whose StopIteration gives the
/// value and is reported to tracers as 3.12's `monitor_raise` does.
/// spec: generators.tracing
pub fn send(vm: &mut Vm, next: usize, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    let receiver = f.peek(0)?;
    let mut stopped = None;
    let outcome = match &receiver {
        Value::Generator(g) if !g.finished.get() => vm.gen_resume(g, v, None)?,
        other => {
            let step = if v.is_none() {
                vm.next_step(other)?
            } else {
                let send = vm.getattr(other, "send")?;
                match vm.call1(&send, v) {
                    Ok(x) => IterStep::Item(x),
                    Err(Throw::Exc(e)) if vm.is_instance_of(&e, "StopIteration") => {
                        IterStep::Done(Some(e))
                    }
                    Err(e) => return Err(e),
                }
            };
            match step {
                IterStep::Item(x) => GenResult::Yield(x),
                IterStep::Done(None) => GenResult::Return(Value::None),
                IterStep::Done(Some(exc)) => {
                    let value = Vm::stop_value(&exc);
                    stopped = Some(exc);
                    GenResult::Return(value)
                }
            }
        }
    };
    let f = vm.top()?;
    match outcome {
        GenResult::Yield(x) => f.push(x),
        GenResult::Return(x) => {
            f.push(x);
            f.next_instr = next + arg as usize;
        }
    }
    Ok(match stopped {
        Some(exc) => Step::Stopped(exc),
        None => Step::Continue,
    })
}

/// END_SEND `(receiver, value -- value)`
pub fn end_send(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    f.pop()?;
    f.push(v);
    Ok(Step::Continue)
}

/// GET_YIELD_FROM_ITER `(iterable -- iter)`
pub fn get_yield_from_iter(vm: &mut Vm) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let it = match v {
        Value::Generator(_) => v,
        other => vm.iter(&other)?,
    };
    vm.top()?.push(it);
    Ok(Step::Continue)
}

/// CLEANUP_THROW `(sub_iter, last_sent_val, exc_value -- none, value)`
pub fn cleanup_throw(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let exc = f.pop()?;
    if vm.is_instance_of(&exc, "StopIteration") {
        let value = Vm::stop_value(&exc);
        let f = vm.top()?;
        f.pop()?;
        f.pop()?;
        f.push(Value::None);
        f.push(value);
        return Ok(Step::Continue);
    }
    Err(Throw::Reraise(exc))
}
