//! Generators: a generator owns its frame while suspended; resuming moves the frame back
//! onto the frame stack (linked to the resumer, so `f_back` is the resumer's frame), and
//! yielding moves it out again (a suspended generator's frame has `f_back` None).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crate::oparg::resume;
use crate::opcode::Opcode;

use super::super::eval::{self, Step};
use super::super::frame::InlineReturn;
use super::super::interp::{Vm, EVAL_C_UNITS};
use super::super::object::{Args, GenKind, Generator, Value};
use super::super::protocol::IterStep;
use super::super::{PyResult, Throw};

// ----- finalisation ----------------------------------------------------------------------
//
// CPython closes a suspended generator when its last reference goes (`_PyGen_Finalize` →
// `gen_close`): GeneratorExit is raised at the `yield`, so `finally` blocks, `with` exits
// and `except` clauses run, and a trace function sees the frame resume. The VM does the
// same for generators and coroutines whose closing runs code of the program: `Drop`
// cannot run Python, so the generator's state moves to a new generator object that is
// closed before the next instruction (as `finalize` does for `__del__`); where a tracer
// watches, every suspended generator is closed so, since the tracer sees the frame resume.
// Nothing runs between the moment CPython closes and the next instruction that a tracer
// could see, so the events come in CPython's order. For async generators it ends the run
// as unsupported; an exception closing raises is reported as unraisable (`unraisable`).

thread_local! {
    /// A suspended generator was freed since the evaluator last looked: `Some(true)` when
    /// closing it would have run code of its own (see [`closing_runs_code`]).
    static FREED_SUSPENDED: Cell<Option<bool>> = const { Cell::new(None) };
    /// A coroutine that never started was freed without its frame (cleared by the cycle
    /// collector) since the evaluator last looked.
    static FREED_UNAWAITED: Cell<bool> = const { Cell::new(false) };
    /// The async generators whose hooks were initialised (`ag_hooks_inited`), by
    /// address, with whether a finalizer hook was recorded for them
    /// (`ag_origin_or_finalizer`); an entry goes when its generator is freed.
    static HOOKED: RefCell<Vec<(usize, bool)>> = const { RefCell::new(Vec::new()) };
    /// Generators freed while suspended, moved to new objects to be closed.
    static TO_CLOSE: RefCell<Vec<Rc<Generator>>> = const { RefCell::new(Vec::new()) };
    /// The addresses of the generators [`TO_CLOSE`] holds or held: finalised once.
    static FINALIZED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// A trace function or the harness's trace channel is on (mirrors `TraceState`), so
    /// closing a generator is observable even when it runs no code of the program.
    pub static TRACED: Cell<bool> = const { Cell::new(false) };
    /// Every generator of the current run, to find the ones still suspended at exit (CPython
    /// closes those at shutdown).
    static GENERATORS: RefCell<Vec<Weak<Generator>>> = const { RefCell::new(Vec::new()) };
}

/// Whether closing a generator suspended in `frame` runs code of the program: the
/// GeneratorExit raised at its `yield` reaches a handler that is not one of the compiler's
/// silent blocks (the implicit handler around every generator body, the cleanup at the
/// end of an `except` body, the unbinding of an `except … as name`), followed through
/// the handlers those re-raise to.
fn closing_runs_code(frame: &super::super::frame::Frame) -> bool {
    let Some(mut at) = frame.instr else {
        return false;
    };
    let code = &frame.info.code;
    let table = &frame.info.exc_table;
    for _ in 0..=table.len() {
        // The search CPython's unwinding does (spec: bytecode.exception-table.overlap).
        let Some(entry) = crate::code::find_handler(&code.co_exceptiontable, at) else {
            return false;
        };
        match silent_handler(code, entry.target) {
            Some(Silent::Implicit) => return false,
            Some(Silent::Reraises(index)) => at = index,
            None => return true,
        }
    }
    true
}

/// A handler block that runs no code of the program.
enum Silent {
    /// `CALL_INTRINSIC_1 INTRINSIC_STOPITERATION_ERROR; RERAISE 1`: the generator's own.
    Implicit,
    /// Cleanup that ends by re-raising at this instruction index.
    Reraises(usize),
}

fn silent_handler(code: &crate::code::CodeObject, target: usize) -> Option<Silent> {
    use Opcode as O;
    let first = code.decode_at(target)?;
    if first.opcode == O::CALL_INTRINSIC_1 && first.arg == INTRINSIC_STOPITERATION_ERROR {
        return Some(Silent::Implicit);
    }
    let mut ops = Vec::new();
    let mut ins = first;
    while ops.len() < 4 {
        ops.push((ins.opcode, ins.arg));
        if ins.opcode == O::RERAISE {
            break;
        }
        ins = code.decode_at(ins.next_index())?;
    }
    let shape: Vec<O> = ops.iter().map(|(op, _)| *op).collect();
    let silent = match shape.as_slice() {
        // The end of an `except` body: `COPY 3; POP_EXCEPT; RERAISE 1`.
        [O::COPY, O::POP_EXCEPT, O::RERAISE] => true,
        // `except E as name`: `LOAD_CONST None; STORE name; DELETE name; RERAISE 1`.
        [O::LOAD_CONST, store, delete, O::RERAISE] => {
            matches!(
                store,
                O::STORE_FAST | O::STORE_NAME | O::STORE_DEREF | O::STORE_GLOBAL
            ) && matches!(
                delete,
                O::DELETE_FAST | O::DELETE_NAME | O::DELETE_DEREF | O::DELETE_GLOBAL
            )
        }
        _ => false,
    };
    silent.then_some(Silent::Reraises(ins.index))
}

/// CPython's `INTRINSIC_STOPITERATION_ERROR` operand of CALL_INTRINSIC_1.
const INTRINSIC_STOPITERATION_ERROR: u32 = 3;

impl Drop for Generator {
    fn drop(&mut self) {
        if self.kind == GenKind::AsyncGenerator {
            let address = self as *const Generator as usize;
            // Its weak references' callbacks (asyncio's WeakSet of async generators).
            super::super::weakref::instance_dropped(address);
            let finalizer = HOOKED
                .try_with(|h| {
                    let mut h = h.borrow_mut();
                    let at = h.iter().position(|(a, _)| *a == address);
                    at.map(|i| h.swap_remove(i).1)
                })
                .ok()
                .flatten()
                .unwrap_or(false);
            // `_PyGen_Finalize` hands a suspended async generator to the finalizer hook
            // recorded at its first iteration (asyncio's schedules its `aclose()`); the
            // VM does not call it.
            if finalizer && self.started.get() && !self.finished.get() && !self.closed.get() {
                let _ = FREED_SUSPENDED.try_with(|c| c.set(Some(true)));
                crate::runtime::eval::set_eval_breaker();
                return;
            }
        }
        // `_PyGen_Finalize` warns about a coroutine that never started (the code flag
        // CO_COROUTINE: not a `types.coroutine` generator) and closes a suspended one.
        let unawaited =
            self.kind == GenKind::Coroutine && !self.started.get() && !self.finished.get();
        if !unawaited && (!self.started.get() || self.finished.get()) {
            return;
        }
        let address = self as *const Generator as usize;
        // `try_with`: generators are also freed while the thread's locals are destroyed.
        let finalized = FINALIZED.try_with(|f| {
            let mut f = f.borrow_mut();
            let at = f.iter().position(|a| *a == address);
            at.map(|i| f.swap_remove(i)).is_some()
        });
        if finalized.unwrap_or(true) {
            return;
        }
        if unawaited {
            // Without its frame (emptied by `gc.collect()`), CPython would have warned
            // before the collector cleared it.
            if self.frame.get_mut().is_none() {
                let _ = FREED_UNAWAITED.try_with(|c| c.set(true));
            } else {
                let moved = resurrect(self);
                let _ = FINALIZED.try_with(|f| f.borrow_mut().push(Rc::as_ptr(&moved) as usize));
                super::super::unawaited::push(moved);
            }
            crate::runtime::eval::set_eval_breaker();
            return;
        }
        let Some(frame) = self.frame.get_mut() else {
            return;
        };
        // A tracer sees even a silent closing: the frame resumes (PY_THROW), raises
        // GeneratorExit and unwinds (3.12.1 has no fast path in `gen_close`).
        if !closing_runs_code(frame) && !TRACED.with(Cell::get) {
            let _ = FREED_SUSPENDED.try_with(|c| c.set(Some(c.get() == Some(true))));
            crate::runtime::eval::set_eval_breaker();
            return;
        }
        if self.kind == GenKind::AsyncGenerator {
            let _ = FREED_SUSPENDED.try_with(|c| c.set(Some(true)));
            crate::runtime::eval::set_eval_breaker();
            return;
        }
        let moved = resurrect(self);
        let _ = FINALIZED.try_with(|f| f.borrow_mut().push(Rc::as_ptr(&moved) as usize));
        let _ = TO_CLOSE.try_with(|t| t.borrow_mut().push(moved));
        crate::runtime::eval::set_eval_breaker();
    }
}

/// `async_gen_init_hooks`: at an async generator's first `__anext__`, `asend`, `athrow`
/// or `aclose`, the finalizer hook `sys.set_asyncgen_hooks` set is recorded for it and the
/// first-iteration hook is called with it.
pub fn asyncgen_init_hooks(vm: &mut Vm, g: &Rc<Generator>) -> PyResult<()> {
    let address = Rc::as_ptr(g) as usize;
    if HOOKED.with(|h| h.borrow().iter().any(|(a, _)| *a == address)) {
        return Ok(());
    }
    let finalizer = !vm.sys_state.asyncgen_finalizer.is_none();
    HOOKED.with(|h| h.borrow_mut().push((address, finalizer)));
    let firstiter = vm.sys_state.asyncgen_firstiter.clone();
    if !firstiter.is_none() {
        vm.call1(&firstiter, Value::Generator(g.clone()))?;
    }
    Ok(())
}

/// A new generator holding `gen`'s state and suspended (or not yet started) frame, which
/// now names it. It keeps `gen`'s allocation, and so its `id()`, through `alias`.
fn resurrect(gen: &mut Generator) -> Rc<Generator> {
    let former = gen.alias.take().unwrap_or_else(|| gen.me.take());
    let moved = crate::runtime::gc::alloc(Generator {
        kind: gen.kind,
        running_async: Cell::new(gen.running_async.get()),
        closed: Cell::new(gen.closed.get()),
        frame: RefCell::new(None),
        running: Cell::new(false),
        finished: Cell::new(false),
        started: Cell::new(gen.started.get()),
        name: gen.name.clone(),
        qualname: gen.qualname.clone(),
        code: gen.code.clone(),
        serial: gen.serial,
        me: RefCell::new(Weak::new()),
        exc_state: RefCell::new(gen.exc_state.take()),
        origin: std::mem::replace(&mut gen.origin, Value::None),
        alias: Some(former),
    });
    *moved.me.borrow_mut() = Rc::downgrade(&moved);
    remember(&moved);
    if let Some(mut frame) = gen.frame.get_mut().take() {
        frame.generator = Some(Rc::downgrade(&moved));
        if let Some(fo) = &frame.frame_obj {
            *fo.generator.borrow_mut() = Rc::downgrade(&moved);
        }
        *moved.frame.borrow_mut() = Some(frame);
    }
    moved
}

/// A coroutine that never started and whose finaliser has not run: `gc.collect()` warns
/// about it before freeing its cycle (`unawaited`).
pub fn unfinalized_unawaited(g: &Rc<Generator>) -> bool {
    let address = Rc::as_ptr(g) as usize;
    g.kind == GenKind::Coroutine
        && !g.started.get()
        && !g.finished.get()
        && !FINALIZED.with(|f| f.borrow().contains(&address))
}

/// Records that `g`'s finaliser ran (`_PyGC_FINALIZED`): its drop frees it silently.
pub fn mark_finalized(g: &Rc<Generator>) {
    FINALIZED.with(|f| f.borrow_mut().push(Rc::as_ptr(g) as usize));
}

/// Whether freed generators wait to be closed.
pub fn closes_pending() -> bool {
    TO_CLOSE.with(|t| !t.borrow().is_empty())
}

/// `_PyGen_Finalize` for the generators freed since the last instruction: `close()`.
pub fn run_pending_closes(vm: &mut Vm) -> PyResult<()> {
    loop {
        let due = TO_CLOSE.with(|t| std::mem::take(&mut *t.borrow_mut()));
        if due.is_empty() {
            return Ok(());
        }
        for g in due {
            match vm.gen_close(&g) {
                Ok(()) => {}
                // `_PyGen_Finalize`: `PyErr_WriteUnraisable(self)`; an exception raised
                // by `close()` itself (a `yield` in reply to GeneratorExit) gets the
                // traceback of the frame that freed the generator.
                Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                    let obj = Value::Generator(g);
                    super::super::unraisable::write_unraisable(vm, &e, None, obj)?;
                }
                Err(other) => return Err(other),
            }
        }
    }
}

/// Starts a run's bookkeeping of generator finalisation.
pub fn begin_run() {
    // The waiting generators first: they are marked finalized, so they are simply freed.
    let waiting = TO_CLOSE.with(|t| std::mem::take(&mut *t.borrow_mut()));
    drop(waiting);
    super::super::unawaited::begin_run();
    FINALIZED.with(|f| f.borrow_mut().clear());
    FREED_SUSPENDED.with(|c| c.set(None));
    FREED_UNAWAITED.with(|c| c.set(false));
    GENERATORS.with(|g| g.borrow_mut().clear());
    HOOKED.with(|h| h.borrow_mut().clear());
}

/// Before each instruction: a generator freed while suspended during the last one would
/// have been closed by CPython right then; unsupported when that is observable (it runs
/// code of its own, or a tracer watches). The check is one thread-local read.
pub fn check_freed(vm: &Vm) -> PyResult<()> {
    // `_PyGen_Finalize` warns before `gc.collect()` clears the coroutine; the VM's
    // collector has emptied it already (see `unawaited` for the ordinary case).
    if FREED_UNAWAITED.with(|c| c.take()) {
        return Err(vm.unsupported(
            "a coroutine that was never awaited, freed by gc.collect() in a reference cycle \
             (CPython warns before it clears the cycle)",
        ));
    }
    // The trace channel and a program's tracer would see the frame resume.
    let watched = vm.trace.events.is_some() || !vm.trace.sys_trace.is_none();
    match FREED_SUSPENDED.with(|c| c.take()) {
        Some(runs_code) if runs_code || watched => Err(vm.unsupported(
            "finalising a suspended generator (CPython closes it when its last reference goes)",
        )),
        _ => Ok(()),
    }
}

/// At the end of a run: CPython closes the generators still suspended at shutdown (after
/// the observation of the trace channel ends, so only the program's own tracer and the
/// generator's own code can see it).
pub fn check_suspended_at_exit(vm: &Vm) -> PyResult<()> {
    check_freed(vm)?;
    let watched = !vm.trace.sys_trace.is_none();
    let observable = GENERATORS.with(|g| {
        g.borrow().iter().filter_map(Weak::upgrade).any(|g| {
            // A coroutine already warned about (kept by whoever got the warning) is
            // freed silently, as CPython finalises an object once.
            (g.kind == GenKind::Coroutine
                && !g.started.get()
                && !g.finished.get()
                && !FINALIZED.with(|f| f.borrow().contains(&(Rc::as_ptr(&g) as usize))))
                || g.started.get()
                    && !g.finished.get()
                    && g.frame
                        .try_borrow()
                        .is_ok_and(|f| f.as_ref().is_some_and(|f| watched || closing_runs_code(f)))
        })
    });
    if observable {
        return Err(
            vm.unsupported("a generator still suspended at exit (CPython closes it at shutdown)")
        );
    }
    Ok(())
}

fn remember(gen: &Rc<Generator>) {
    GENERATORS.with(|g| {
        let mut g = g.borrow_mut();
        if g.len() >= 64 && g.len().is_power_of_two() {
            g.retain(|w| w.strong_count() > 0);
        }
        g.push(Rc::downgrade(gen));
    });
}

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
    let code = frame.info.code.clone();
    let kind = GenKind::of_flags(code.co_flags);
    // `_Py_MakeCoro`: with `sys.set_coroutine_origin_tracking_depth` above zero a new
    // coroutine records its creators' frames (the frames below its own) in `cr_origin`.
    let origin = match (kind, vm.sys_state.origin_depth) {
        (GenKind::Coroutine, depth) if depth > 0 => {
            super::super::unawaited::compute_origin(vm, depth)
        }
        _ => Value::None,
    };
    let entry = frame.entry;
    frame.entry = false;
    let (name, qualname) = match &frame.func {
        Some(func) => (func.name.borrow().clone(), func.qualname.borrow().clone()),
        None => (code.co_name.clone(), code.co_qualname.clone()),
    };
    let gen = crate::runtime::gc::alloc(Generator {
        kind,
        running_async: Cell::new(false),
        closed: Cell::new(false),
        frame: RefCell::new(None),
        running: Cell::new(false),
        finished: Cell::new(false),
        started: Cell::new(false),
        name: RefCell::new(name),
        qualname: RefCell::new(qualname),
        code,
        serial: frame.serial,
        me: RefCell::new(Weak::new()),
        exc_state: RefCell::new(Value::None),
        origin,
        alias: None,
    });
    *gen.me.borrow_mut() = Rc::downgrade(&gen);
    remember(&gen);
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
    // YIELD_VALUE: `tstate->exc_info = gen->gi_exc_state.previous_item`.
    if let Some(own) = vm.unlink_exc_state(frame.serial) {
        *gen.exc_state.borrow_mut() = own;
    }
    *gen.frame.borrow_mut() = Some(frame);
    Ok(entry)
}

/// When the current frame is a generator's and it ends, marks the generator finished and
/// detaches the frame so its frame object takes ownership as any other frame's.
pub fn finish_if_generator(vm: &mut Vm) -> PyResult<()> {
    let serial = vm.top()?.serial;
    // The resumer's handled exception is current again; the generator's is dropped
    // (`_PyErr_ClearExcState(&gen->gi_exc_state)`).
    vm.unlink_exc_state(serial);
    let f = vm.top()?;
    if let Some(gen) = f.generator.take().and_then(|g| g.upgrade()) {
        gen.finished.set(true);
        gen.running.set(false);
        gen.exc_state.replace(Value::None);
        if let Some(fo) = &f.frame_obj {
            *fo.generator.borrow_mut() = Weak::new();
        }
    }
    Ok(())
}

impl Vm {
    /// Resumes `gen` with `sent` (CPython `gen_send_ex2`), or with an exception thrown in,
    /// in a nested evaluator: the caller is native code (`next()`, `send()`, `throw()`,
    /// a builtin consuming the generator).
    pub fn gen_resume(
        &mut self,
        gen: &Rc<Generator>,
        sent: Value,
        throw: Option<Value>,
    ) -> PyResult<GenResult> {
        let noun = gen.kind.noun();
        if !gen.started.get() && !gen.finished.get() && !sent.is_none() && throw.is_none() {
            return Err(self.type_error(format!(
                "can't send non-None value to a just-started {noun}"
            )));
        }
        if gen.running.get() {
            return Err(self.value_error(format!("{noun} already executing")));
        }
        if gen.finished.get() {
            // gen_send_ex2: an exhausted coroutine cannot be resumed at all (`close()`
            // never gets here).
            if gen.kind == GenKind::Coroutine {
                return Err(self.err("RuntimeError", "cannot reuse already awaited coroutine"));
            }
            if let Some(exc) = throw {
                // The exception `_gen_throw` restored is raised as is: nothing chains it.
                return Err(Throw::Exc(exc));
            }
            return Ok(GenResult::Return(Value::None));
        }
        // The resumed frame runs in a nested evaluator (CPython `gen_send_ex2` →
        // `_PyEval_EvalFrame`), which takes C recursion units. When they are spent,
        // 3.12 has already linked the frame and leaves through `exit_unwind`, which
        // clears it: the generator is finished.
        let native = if self.native_depth >= self.native_limit {
            Err(self.err("RecursionError", "maximum recursion depth exceeded"))
        } else {
            self.enter_c(EVAL_C_UNITS, "")
        };
        if let Err(e) = native {
            self.clear_generator(gen)?;
            return Err(e);
        }
        self.native_depth += 1;
        let result = match self.link_generator(gen, sent, true) {
            Ok(()) => match throw {
                Some(exc) => {
                    // `_PyErr_ChainStackItem`: once the generator's own exception state
                    // is current, a thrown exception gets it as its context (with
                    // `_PyErr_SetObject`'s cycle cut); with none, it is left unchained.
                    let exc = if self.exc_info.is_none() {
                        exc
                    } else {
                        match self.raise(exc.clone()) {
                            Throw::Exc(e) => e,
                            _ => exc,
                        }
                    };
                    eval::resume_with_error(self, exc)
                }
                None => eval::run_loop(self),
            },
            Err(e) => Err(e),
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

    /// Moves `gen`'s frame onto the frame stack, linked to the current frame, with `sent`
    /// pushed, and marks it running. `sent` is pushed for `throw()` too (None), as
    /// `gen_send_ex2` does: the exception-table entry of a `yield from`'s YIELD_VALUE
    /// counts it (CLEANUP_THROW's `last_sent_val`). Past the Python recursion limit the
    /// frame is cleared instead (3.12 `_Py_EnterRecursivePy` fails → `exit_unwind` →
    /// `clear_gen_frame`): the generator is finished, no event or traceback entry is
    /// produced for it, and RecursionError is raised in the resumer.
    /// spec: generators.frame.f_back, generators.frame.kept
    pub fn link_generator(
        &mut self,
        gen: &Rc<Generator>,
        sent: Value,
        entry: bool,
    ) -> PyResult<()> {
        let Some(mut frame) = gen.frame.borrow_mut().take() else {
            return Err(Throw::Bug("generator without its frame".into()));
        };
        gen.started.set(true);
        gen.running.set(true);
        frame.entry = entry;
        // Resumed through C unless SEND marks it (`resume_inline`).
        frame.cpython_inline = false;
        frame.push(sent);
        // `gen_send_ex2`: `gi_exc_state.previous_item = tstate->exc_info;
        // tstate->exc_info = &gi_exc_state` — the generator's handled exception is the
        // current one, the resumer's next in the chain.
        let own = gen.exc_state.replace(Value::None);
        let resumer = std::mem::replace(&mut self.exc_info, own);
        self.exc_chain.push((frame.serial, resumer));
        self.frames.push(frame);
        if self.thread_depth() > self.recursion_limit {
            finish_if_generator(self)?;
            self.pop_frame()?;
            return Err(self.err("RecursionError", "maximum recursion depth exceeded"));
        }
        Ok(())
    }

    /// Finishes `gen` without running it, as 3.12's `exit_unwind` clears a generator frame
    /// whose resumption failed before its first instruction: the frame is linked and
    /// popped so a kept frame object links `f_back` to the resumer (`take_ownership`).
    fn clear_generator(&mut self, gen: &Rc<Generator>) -> PyResult<()> {
        let Some(frame) = gen.frame.borrow_mut().take() else {
            return Ok(());
        };
        self.frames.push(frame);
        finish_if_generator(self)?;
        self.pop_frame()?;
        Ok(())
    }

    /// The iterator a suspended generator delegates to (CPython `_PyGen_yf`): the value
    /// under the stack top when the generator is suspended at the YIELD_VALUE of a
    /// `yield from` / `await` (its next instruction is `RESUME` with oparg ≥ 2).
    /// spec: generators.state
    pub fn gen_yieldfrom(&self, gen: &Generator) -> PyResult<Option<Value>> {
        if !gen.started.get() || gen.finished.get() || gen.running.get() {
            return Ok(None);
        }
        let frame = gen.frame.borrow();
        let Some(frame) = frame.as_ref() else {
            return Ok(None);
        };
        let delegating = frame
            .info
            .code
            .decode_at(frame.next_instr)
            .is_some_and(|i| i.opcode == Opcode::RESUME && resume::is_delegating(i.arg));
        if !delegating {
            return Ok(None);
        }
        Ok(Some(frame.peek(0)?))
    }

    /// `gen.throw(*args)` (CPython `_gen_throw` with `close_on_genexit`): a generator
    /// suspended in `yield from` first hands the exception to the iterator it delegates to
    /// — a sub-generator by the same rules, with the delegating frame linked onto the
    /// stack meanwhile (so the sub-generator's `f_back` is it), anything else through its
    /// `throw` method. A value that iterator yields is `throw()`'s result; its exception
    /// (StopIteration when a sub-generator returns) is then raised into this generator at
    /// its `yield from`, where CLEANUP_THROW turns StopIteration into the `yield from`'s
    /// value. GeneratorExit closes the sub-iterator first, then is raised here. Without a
    /// sub-iterator (or one with no `throw`), `args` become the exception raised here.
    ///
    /// CPython recurses once per level of the chain; this walks down it in a loop, linking
    /// each delegating frame, then back up, so a chain as deep as the recursion limit
    /// allows needs no Rust stack per level.
    /// spec: generators.exceptions.throw, generators.exceptions.close,
    /// generators.frame.f_back
    pub fn gen_throw(&mut self, gen: &Rc<Generator>, args: &[Value]) -> PyResult<GenResult> {
        self.gen_throw_ex(gen, args, true)
    }

    /// [`Vm::gen_throw`]; without `close_on_genexit` (`aclose()`, `athrow()`), a
    /// GeneratorExit is thrown into the sub-iterator like any exception instead of closing
    /// it.
    pub fn gen_throw_ex(
        &mut self,
        gen: &Rc<Generator>,
        args: &[Value],
        close_on_genexit: bool,
    ) -> PyResult<GenResult> {
        let typ = args.first().cloned().unwrap_or(Value::None);
        let is_exit = close_on_genexit
            && match &typ {
                Value::Type(t) => t.is_subtype(&self.ty("GeneratorExit")),
                other => other.exc().is_some() && self.is_instance_of(other, "GeneratorExit"),
            };
        let mut linked: Vec<Rc<Generator>> = Vec::new();
        let mut current = gen.clone();
        let mut outcome = loop {
            let yf = match self.gen_yieldfrom(&current) {
                Ok(Some(yf)) => yf,
                Ok(None) => break self.throw_here(&current, args),
                Err(e) => break Err(e),
            };
            if is_exit {
                current.running.set(true);
                let closed = self.close_iter(&yf);
                current.running.set(false);
                break match closed {
                    Ok(()) => self.throw_here(&current, args),
                    Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                        self.gen_resume(&current, Value::None, Some(e))
                    }
                    Err(fatal) => Err(fatal),
                };
            }
            // `PyGen_CheckExact(yf) || PyCoro_CheckExact(yf)`: handled directly.
            let direct = match &yf {
                Value::Generator(sub) if sub.kind != GenKind::AsyncGenerator => Some(sub.clone()),
                _ => None,
            };
            if let Some(sub) = direct {
                if let Err(e) = self.link_delegating(&current) {
                    break Err(e);
                }
                linked.push(current);
                current = sub.clone();
                continue;
            }
            let meth = match self.getattr(&yf, "throw") {
                Ok(m) => m,
                Err(Throw::Exc(e)) if self.is_instance_of(&e, "AttributeError") => {
                    break self.throw_here(&current, args);
                }
                Err(e) => break Err(e),
            };
            current.running.set(true);
            let thrown = self.call(&meth, Args::new(args.to_vec()));
            current.running.set(false);
            break match thrown {
                Ok(v) => Ok(GenResult::Yield(v)),
                Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                    self.gen_resume(&current, Value::None, Some(e))
                }
                Err(fatal) => Err(fatal),
            };
        };
        // Back up the chain: each delegating generator is unlinked, then gets what its
        // sub-generator produced: a yielded value passes through, anything else is raised
        // at its `yield from` (`gen_send_ex(gen, Py_None, 1, 0)`).
        while let Some(level) = linked.pop() {
            self.unlink_delegating(&level)?;
            outcome = match outcome {
                Ok(GenResult::Yield(v)) => Ok(GenResult::Yield(v)),
                // `gen_send_ex` turns a sub-generator's return into StopIteration(value).
                Ok(GenResult::Return(v)) => {
                    let a = if v.is_none() { vec![] } else { vec![v] };
                    let stop = self.new_exception(&self.ty("StopIteration"), a);
                    self.gen_resume(&level, Value::None, Some(stop))
                }
                Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                    self.gen_resume(&level, Value::None, Some(e))
                }
                Err(fatal) => Err(fatal),
            };
        }
        outcome
    }

    /// Links a delegating generator's suspended frame on top of the frame stack and marks
    /// it running, as `_gen_throw` does (`frame->previous`, `current_frame`,
    /// FRAME_EXECUTING) while its sub-generator handles a throw: the sub-generator's
    /// `f_back` is this frame, and frame walks and tracebacks see it.
    /// spec: generators.frame.f_back
    fn link_delegating(&mut self, gen: &Rc<Generator>) -> PyResult<()> {
        let Some(mut frame) = gen.frame.borrow_mut().take() else {
            return Err(Throw::Bug("delegating generator without its frame".into()));
        };
        frame.entry = false;
        self.frames.push(frame);
        gen.running.set(true);
        Ok(())
    }

    /// Undoes [`Vm::link_delegating`]. Every resumption in between ended its own frames,
    /// so the linked frame is on top again.
    fn unlink_delegating(&mut self, gen: &Rc<Generator>) -> PyResult<()> {
        gen.running.set(false);
        if self.frames.last().map(|f| f.serial) != Some(gen.serial) {
            return Err(Throw::Bug(
                "linked generator frame lost during throw()".into(),
            ));
        }
        let Some(frame) = self.frames.pop() else {
            return Err(Throw::Bug(
                "linked generator frame lost during throw()".into(),
            ));
        };
        *gen.frame.borrow_mut() = Some(frame);
        Ok(())
    }

    /// `_gen_throw`'s `throw_here`: normalises `args` into an exception (a TypeError for
    /// bad arguments is raised without resuming) and raises it into `gen`.
    fn throw_here(&mut self, gen: &Rc<Generator>, args: &[Value]) -> PyResult<GenResult> {
        let exc = match self.normalize_throw(args)? {
            Ok(exc) => exc,
            // `_PyErr_NormalizeException` replaces the pending exception with the error
            // that making it raised, and `throw_here` then raises that one into the
            // generator.
            Err(raised) => raised,
        };
        self.gen_resume(gen, Value::None, Some(exc))
    }

    /// `_gen_throw`'s argument checks and `PyErr_NormalizeException`. The outer error
    /// fails `throw()` without resuming; the inner `Err` is an exception raised while
    /// instantiating the class, which CPython throws into the generator instead.
    pub(crate) fn normalize_throw(&mut self, args: &[Value]) -> PyResult<Result<Value, Value>> {
        let typ = args.first().cloned().unwrap_or(Value::None);
        let val = args.get(1).cloned().unwrap_or(Value::None);
        if let Some(tb) = args.get(2) {
            if !matches!(tb, Value::None | Value::Traceback(_)) {
                return Err(self.type_error("throw() third argument must be a traceback object"));
            }
        }
        match &typ {
            Value::Type(t) if t.is_exception() => {
                // PyErr_NormalizeException: an instance of the class is used as is; a
                // tuple is the argument list; None means no arguments.
                if val.exc().is_some() && self.type_of(&val).is_subtype(t) {
                    return Ok(Ok(val));
                }
                let a = match val {
                    Value::None => vec![],
                    Value::Tuple(items) => items.to_vec(),
                    other => vec![other],
                };
                let made = match self.call_type(t, Args::new(a)) {
                    Ok(made) => made,
                    Err(Throw::Exc(e) | Throw::Reraise(e)) => return Ok(Err(e)),
                    Err(fatal) => return Err(fatal),
                };
                if made.exc().is_some() {
                    return Ok(Ok(made));
                }
                // `_PyErr_CreateException`: the class's result must be an exception
                // instance ("not %s" with the result type's tp_name).
                let shown = self.repr(&typ)?;
                let got = self.type_of(&made).name().clone();
                Ok(Err(self.new_exception(
                    &self.ty("TypeError"),
                    vec![Value::str(&format!(
                        "calling {shown} should have returned an instance of BaseException, not {got}"
                    ))],
                )))
            }
            v if v.exc().is_some() => {
                if !val.is_none() {
                    return Err(self.type_error("instance exception may not have a separate value"));
                }
                Ok(Ok(typ))
            }
            other => {
                let n = self.type_of(other).name().clone();
                Err(self.type_error(format!(
                    "exceptions must be classes or instances deriving from BaseException, not {n}"
                )))
            }
        }
    }

    /// `gen.close()` (CPython 3.12 `gen_close`): a generator that has not started, or has
    /// finished, just becomes finished. Otherwise the iterator it delegates to is closed
    /// first (marked running meanwhile, its frame not linked), then GeneratorExit — or the
    /// exception closing the sub-iterator raised — is raised into it; GeneratorExit or
    /// StopIteration leaving it means closed, a yield means "generator ignored
    /// GeneratorExit". CPython recurses down a chain of sub-generators; this collects the
    /// chain first and closes it innermost first in a loop. spec: generators.exceptions.close
    pub fn gen_close(&mut self, gen: &Rc<Generator>) -> PyResult<()> {
        let mut chain = vec![gen.clone()];
        let mut last_yf = None;
        while let Some(g) = chain.last() {
            if !g.started.get() || g.finished.get() {
                break;
            }
            match self.gen_yieldfrom(g)? {
                Some(Value::Generator(sub)) if sub.kind != GenKind::AsyncGenerator => {
                    g.running.set(true);
                    chain.push(sub);
                }
                other => {
                    last_yf = other;
                    break;
                }
            }
        }
        // The innermost closes its non-generator sub-iterator, if any (`gen_close_iter`).
        let mut pending: PyResult<()> = Ok(());
        if let (Some(yf), Some(g)) = (last_yf, chain.last()) {
            g.running.set(true);
            pending = self.close_iter(&yf);
            g.running.set(false);
        }
        while let Some(g) = chain.pop() {
            g.running.set(false);
            pending = match pending {
                Ok(()) => self.close_one(&g, None),
                Err(Throw::Exc(e) | Throw::Reraise(e)) => self.close_one(&g, Some(e)),
                Err(fatal) => Err(fatal),
            };
        }
        pending
    }

    /// One level of `gen_close` once its sub-iterator is closed: raises `exc` (a closing
    /// error) or GeneratorExit into `gen` and judges the outcome.
    fn close_one(&mut self, gen: &Rc<Generator>, exc: Option<Value>) -> PyResult<()> {
        if !gen.started.get() || gen.finished.get() {
            gen.finished.set(true);
            // 3.12's gen_close only marks a never-started generator completed; its frame
            // is cleared later and a kept frame object takes ownership of it then
            // (`take_ownership`), with `f_back` None as the frame was never linked, and
            // its line still `co_firstlineno`.
            if let Some(frame) = gen.frame.borrow_mut().take() {
                if let Some(fo) = &frame.frame_obj {
                    if fo.back.borrow().is_none() {
                        *fo.back.borrow_mut() = Some(Value::None);
                    }
                    crate::runtime::interp::take_ownership(fo, &frame);
                    *fo.generator.borrow_mut() = Weak::new();
                }
            }
            return match exc {
                Some(e) => Err(Throw::Exc(e)),
                None => Ok(()),
            };
        }
        let exc = match exc {
            Some(e) => e,
            None => self.new_exception(&self.ty("GeneratorExit"), vec![]),
        };
        match self.gen_resume(gen, Value::None, Some(exc)) {
            Ok(GenResult::Yield(_)) => Err(self.err(
                "RuntimeError",
                format!("{} ignored GeneratorExit", gen.kind.noun()),
            )),
            Ok(GenResult::Return(_)) => Ok(()),
            Err(Throw::Exc(e) | Throw::Reraise(e))
                if self.is_instance_of(&e, "GeneratorExit")
                    || self.is_instance_of(&e, "StopIteration") =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// CPython `gen_close_iter` for a sub-iterator that is not a generator: its `close`
    /// method if it has one (a lookup failing other than with AttributeError is reported as
    /// unraisable and ignored).
    fn close_iter(&mut self, yf: &Value) -> PyResult<()> {
        if let Value::Generator(sub) = yf {
            if sub.kind != GenKind::AsyncGenerator {
                return self.gen_close(&sub.clone());
            }
        }
        // `_PyObject_LookupAttr`: no `close` is no error; another error in the lookup
        // goes to `PyErr_WriteUnraisable(yf)`.
        let meth = match self.getattr(yf, "close") {
            Ok(m) => m,
            Err(Throw::Exc(e) | Throw::Reraise(e)) => {
                if !self.is_instance_of(&e, "AttributeError") {
                    super::super::unraisable::write_unraisable(self, &e, None, yf.clone())?;
                }
                return Ok(());
            }
            Err(fatal) => return Err(fatal),
        };
        self.call0(&meth).map(|_| ())
    }
}

/// SEND `(receiver, v -- receiver, retval)`: delegates to a sub-generator or iterator
/// (`yield from`, `await`); when it finishes, jumps to `target` (its END_SEND) with its return
/// value. A created or suspended generator is resumed in this evaluation loop (3.12's
/// inlined path, `DISPATCH_INLINED`): its frame is pushed with `v` and runs next; its
/// yield or return comes back to this frame through [`InlineReturn::Send`], so the depth
/// of a `yield from` chain is bounded only by the Python recursion limit. Anything else
/// (including a finished or running generator) goes through `__next__` / `send`, whose
/// StopIteration gives the value and is reported to tracers as 3.12's `monitor_raise`
/// does. spec: generators.tracing, generators.frame.f_back
pub fn send(vm: &mut Vm, target: Option<usize>) -> PyResult<Step> {
    let target = target.ok_or_else(|| super::control::bad_target(None))?;
    let f = vm.top()?;
    let v = f.pop()?;
    let receiver = f.peek(0)?;
    if let Value::Generator(g) = &receiver {
        if !g.finished.get() && !g.running.get() {
            return resume_inline(vm, g, v, InlineReturn::Send { target });
        }
    }
    let mut stopped = None;
    let outcome = match &receiver {
        Value::Generator(g) if !g.finished.get() => vm.gen_resume(g, v, None)?,
        other => {
            let step = if v.is_none() && vm.is_iterator(other) {
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
            f.next_instr = target;
        }
    }
    Ok(match stopped {
        Some(exc) => Step::Stopped(exc),
        None => Step::Continue,
    })
}

/// Pushes `gen`'s frame to run next in this loop, and records in the resuming frame
/// how to continue if it returns. spec: generators.frame.f_back
pub fn resume_inline(
    vm: &mut Vm,
    gen: &Rc<Generator>,
    sent: Value,
    on_return: InlineReturn,
) -> PyResult<Step> {
    vm.link_generator(gen, sent, false)?;
    // SEND resumes it in the same loop in CPython too; FOR_ITER, kept unspecialised by
    // line instrumentation under observation, goes through C (INTERNALS.md §3).
    if matches!(on_return, InlineReturn::Send { .. }) {
        vm.top()?.cpython_inline = true;
    }
    let Some(resumer) = vm
        .frames
        .len()
        .checked_sub(2)
        .and_then(|i| vm.frames.get_mut(i))
    else {
        return Err(Throw::Bug(
            "inline resumption without a resuming frame".into(),
        ));
    };
    resumer.inline_return = Some(on_return);
    Ok(Step::Continue)
}

/// END_SEND `(receiver, value -- value)`
pub fn end_send(vm: &mut Vm) -> PyResult<Step> {
    let f = vm.top()?;
    let v = f.pop()?;
    f.pop()?;
    f.push(v);
    Ok(Step::Continue)
}

/// GET_YIELD_FROM_ITER `(iterable -- iter)`: a generator is driven as itself; a
/// coroutine only from a coroutine's code (`CO_COROUTINE` or `CO_ITERABLE_COROUTINE`,
/// else the TypeError of CPython's bytecodes.c); anything else, an async generator
/// included, through `iter()`.
pub fn get_yield_from_iter(vm: &mut Vm) -> PyResult<Step> {
    use crate::code::flags::{CO_COROUTINE, CO_ITERABLE_COROUTINE};
    let v = vm.top()?.pop()?;
    let it = match &v {
        // A coroutine only in a coroutine or a CO_ITERABLE_COROUTINE generator.
        Value::Generator(g) if g.kind == GenKind::Coroutine => {
            if vm.top()?.info.code.co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE) == 0 {
                return Err(vm.type_error(
                    "cannot 'yield from' a coroutine object in a non-coroutine generator",
                ));
            }
            v.clone()
        }
        Value::Generator(g) if g.kind == GenKind::Generator => v.clone(),
        other => vm.iter(other)?,
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
