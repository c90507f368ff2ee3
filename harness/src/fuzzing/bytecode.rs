//! The verify_and_run oracle: arbitrary code objects go to the verifier
//! (`framespec_vm::verify_module`) and, when they verify, to the evaluator under a small
//! fuel budget. The first byte picks the mode: even, a fully random code object (random
//! `co_code` units, constants, names, kinds, tables); odd, one valid by construction —
//! statements generated with their stack depth tracked (loops, branches, `try` regions
//! with exception-table entries at their depths, cells and closures, nested functions and
//! generators made by MAKE_FUNCTION), assembled with EXTENDED_ARG prefixes and caches.
//!
//! Violations: a panic anywhere, a verified code object the evaluator ends as a VM bug,
//! fuel overrun, and a valid-by-construction code object the verifier rejects (a verifier
//! bug).

use std::rc::Rc;

use arbitrary::Unstructured;
use framespec_vm::code::{flags, jump_oparg, kinds, CodeObject, Constant};
use framespec_vm::oparg::{CompareOp, NameArg};
use framespec_vm::opcode::Opcode;
use framespec_vm::{End, RunOptions};

use super::{FUZZ_FUEL, FUZZ_HEAP_BYTES};

/// Checks one input; `Err` describes the violation.
pub fn check_bytecode(data: &[u8]) -> Result<(), String> {
    let mut u = Unstructured::new(data);
    let valid_mode = u.arbitrary::<u8>().unwrap_or(0) & 1 == 1;
    let code = if valid_mode {
        valid_module(&mut u)
    } else {
        random_code(&mut u, 0)
    };
    if let Err(e) = framespec_vm::verify_module(&code) {
        if valid_mode {
            return Err(format!("the verifier rejects valid code: {e}"));
        }
        return Ok(());
    }
    let options = RunOptions {
        fuel: FUZZ_FUEL,
        heap_limit_bytes: FUZZ_HEAP_BYTES,
        ..RunOptions::default()
    };
    match framespec_vm::run_code(Rc::new(code), &options).end {
        End::Bug(detail) => Err(format!("verified code ends as a VM bug: {detail}")),
        End::OutOfFuel(used) if used > FUZZ_FUEL => {
            Err(format!("ran {used} instructions on {FUZZ_FUEL} fuel"))
        }
        _ => Ok(()),
    }
}

fn small(u: &mut Unstructured, max: u32) -> u32 {
    u.int_in_range(0..=max).unwrap_or(0)
}

/// A `co_stacksize` of at least `needed`: a little more, or now and then any value up to
/// the most a code object can claim (a bound far above what the stack reaches is valid;
/// a frame must not reserve it up front).
fn stacksize(u: &mut Unstructured, needed: u32) -> u32 {
    if small(u, 15) == 0 {
        needed.max(u.arbitrary::<u32>().unwrap_or(u32::MAX))
    } else {
        needed + small(u, if needed == 0 { 8 } else { 2 })
    }
}

fn coin(u: &mut Unstructured) -> bool {
    u.arbitrary::<bool>().unwrap_or(false)
}

/// Names LOAD_GLOBAL finds (the builtins), and one it does not.
const GLOBALS: &[&str] = &[
    "len",
    "print",
    "range",
    "str",
    "int",
    "ValueError",
    "tuple",
    "x",
];

const NAMES: &[&str] = &[
    "len",
    "print",
    "range",
    "str",
    "int",
    "ValueError",
    "x",
    "append",
    "join",
    "real",
    "upper",
    "__class__",
    "f",
];

fn random_constant(u: &mut Unstructured, nest: usize) -> Constant {
    match small(u, 7) {
        0 => Constant::None,
        1 => Constant::Int(i64::from(u.arbitrary::<i16>().unwrap_or(0))),
        2 => Constant::Str(Rc::from(NAMES[small(u, NAMES.len() as u32 - 1) as usize])),
        3 => Constant::Tuple(Rc::from(vec![
            Constant::Str(Rc::from("x"));
            small(u, 3) as usize
        ])),
        4 => Constant::Float(f64::from(u.arbitrary::<i8>().unwrap_or(0)) / 4.0),
        5 if nest < 2 => Constant::Code(Rc::new(random_code(u, nest + 1))),
        6 => Constant::Tuple(Rc::from(vec![Constant::Int(1), Constant::None])),
        _ => Constant::Bool(coin(u)),
    }
}

/// A code object of random fields: units mostly of real opcodes with small opargs.
fn random_code(u: &mut Unstructured, nest: usize) -> CodeObject {
    let units = small(u, 48) as usize;
    let mut co_code = Vec::with_capacity(2 * units);
    for _ in 0..units {
        let byte = if coin(u) {
            Opcode::ALL[small(u, Opcode::ALL.len() as u32 - 1) as usize] as u8
        } else {
            u.arbitrary::<u8>().unwrap_or(0)
        };
        let arg = if coin(u) {
            small(u, 4) as u8
        } else {
            u.arbitrary::<u8>().unwrap_or(0)
        };
        co_code.push(byte);
        co_code.push(arg);
    }
    if small(u, 7) == 0 && !co_code.is_empty() {
        co_code.pop();
    }
    let consts = (0..small(u, 5)).map(|_| random_constant(u, nest)).collect();
    let names = (0..small(u, 4))
        .map(|_| Rc::from(NAMES[small(u, NAMES.len() as u32 - 1) as usize]))
        .collect();
    let nlocals = small(u, 4) as usize;
    let localsplusnames: Vec<Rc<str>> = (0..nlocals).map(|i| Rc::from(format!("v{i}"))).collect();
    let mut kinds_ = Vec::new();
    for _ in 0..nlocals {
        kinds_.push(match small(u, 6) {
            0 | 1 => kinds::CO_FAST_LOCAL,
            2 => kinds::CO_FAST_CELL,
            3 if nest > 0 => kinds::CO_FAST_FREE,
            4 => kinds::CO_FAST_LOCAL | kinds::CO_FAST_CELL,
            5 => kinds::CO_FAST_LOCAL | kinds::CO_FAST_HIDDEN,
            _ => u.arbitrary::<u8>().unwrap_or(0),
        });
    }
    if small(u, 7) == 0 && !kinds_.is_empty() {
        kinds_.pop();
    }
    let exceptiontable = if coin(u) {
        let mut t = Vec::new();
        for _ in 0..small(u, 3) {
            let fields = [
                small(u, units as u32),
                small(u, 8),
                small(u, units as u32),
                small(u, 9),
            ];
            framespec_vm::code::write_exception_entry(&mut t, fields.map(|f| f as usize));
        }
        t
    } else {
        (0..small(u, 8))
            .map(|_| u.arbitrary::<u8>().unwrap_or(0))
            .collect()
    };
    CodeObject {
        co_name: Rc::from("r"),
        co_qualname: Rc::from("r"),
        co_filename: Rc::from("main.py"),
        co_firstlineno: 1,
        co_argcount: if small(u, 3) == 0 { small(u, 2) } else { 0 },
        co_posonlyargcount: if small(u, 3) == 0 { small(u, 1) } else { 0 },
        co_kwonlyargcount: if small(u, 3) == 0 { small(u, 1) } else { 0 },
        co_flags: if small(u, 3) == 0 {
            u.arbitrary::<u32>().unwrap_or(0) & 0x3ff
        } else {
            0
        },
        co_stacksize: stacksize(u, 0),
        co_code,
        co_consts: consts,
        co_names: names,
        co_localsplusnames: localsplusnames,
        co_localspluskinds: kinds_,
        co_linetable: (0..small(u, 6))
            .map(|_| u.arbitrary::<u8>().unwrap_or(0))
            .collect(),
        co_exceptiontable: exceptiontable,
    }
}

// ---- valid by construction ----

#[derive(Clone, Copy)]
struct Handler {
    label: usize,
    depth: usize,
    lasti: bool,
}

enum Item {
    Ins {
        op: Opcode,
        arg: u32,
        extra_prefixes: usize,
        handler: Option<usize>,
    },
    Jump {
        op: Opcode,
        label: usize,
        handler: Option<usize>,
    },
    Label(usize),
}

/// One function (or module) being generated.
struct Body {
    items: Vec<Item>,
    depth: usize,
    max: usize,
    labels: usize,
    handlers: Vec<Handler>,
    active: Vec<usize>,
    consts: Vec<Constant>,
    names: Vec<Rc<str>>,
    nlocals: usize,
    /// Cell slots (after the locals) and free slots (after the cells).
    ncells: usize,
    nfrees: usize,
    generator: bool,
    /// Statements left to generate in this body.
    budget: usize,
    nest: usize,
}

impl Body {
    fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
        self.max = self.max.max(depth);
    }

    fn effect(&mut self, op: Opcode, arg: u32) {
        let (pops, pushes) = op.stack_effect(arg);
        let d = self.depth.saturating_sub(pops as usize) + pushes as usize;
        self.set_depth(d);
    }

    fn emit(&mut self, u: &mut Unstructured, op: Opcode, arg: u32) {
        // Redundant EXTENDED_ARG 0 prefixes now and then (not before END_FOR, which
        // FOR_ITER's exit skips by one unit).
        let extra_prefixes = if op != Opcode::END_FOR && small(u, 15) == 0 {
            small(u, 2) as usize
        } else {
            0
        };
        self.items.push(Item::Ins {
            op,
            arg,
            extra_prefixes,
            handler: self.active.last().copied(),
        });
        self.effect(op, arg);
    }

    fn jump(&mut self, op: Opcode, label: usize) {
        self.items.push(Item::Jump {
            op,
            label,
            handler: self.active.last().copied(),
        });
        self.effect(op, 0);
    }

    fn label(&mut self) -> usize {
        self.labels += 1;
        self.labels - 1
    }

    fn place(&mut self, label: usize) {
        self.items.push(Item::Label(label));
    }

    fn constant(&mut self, c: Constant) -> u32 {
        if !matches!(c, Constant::Code(_) | Constant::Float(_)) {
            if let Some(i) = self.consts.iter().position(|k| *k == c) {
                return i as u32;
            }
        }
        self.consts.push(c);
        (self.consts.len() - 1) as u32
    }

    fn name(&mut self, name: &str) -> u32 {
        if let Some(i) = self.names.iter().position(|n| &**n == name) {
            return i as u32;
        }
        self.names.push(Rc::from(name));
        (self.names.len() - 1) as u32
    }

    fn global(&mut self, u: &mut Unstructured) -> u32 {
        let n = GLOBALS[small(u, GLOBALS.len() as u32 - 1) as usize];
        self.name(n)
    }

    /// Binds most locals that are not arguments and fills most cells, so runs get past
    /// their first loads.
    fn initialise(&mut self, u: &mut Unstructured, args: usize) {
        for slot in args..self.nlocals + self.ncells {
            if small(u, 5) == 0 {
                continue;
            }
            let c = random_constant(u, 3);
            let i = self.constant(c);
            self.emit(u, Opcode::LOAD_CONST, i);
            let op = if slot < self.nlocals {
                Opcode::STORE_FAST
            } else {
                Opcode::STORE_DEREF
            };
            self.emit(u, op, slot as u32);
        }
    }

    fn any_name(&mut self, u: &mut Unstructured) -> u32 {
        let n = NAMES[small(u, NAMES.len() as u32 - 1) as usize];
        self.name(n)
    }

    /// A cell or free slot (all made at the start).
    fn deref_slot(&mut self, u: &mut Unstructured) -> Option<u32> {
        let n = self.ncells + self.nfrees;
        (n > 0).then(|| (self.nlocals + small(u, n as u32 - 1) as usize) as u32)
    }

    fn local(&mut self, u: &mut Unstructured) -> Option<u32> {
        (self.nlocals > 0).then(|| small(u, self.nlocals as u32 - 1))
    }

    // -- expressions: each pushes one value that is not NULL --

    fn expr(&mut self, u: &mut Unstructured, depth_left: usize) {
        use Opcode as O;
        let choice = if depth_left == 0 || self.budget == 0 {
            small(u, 2)
        } else {
            small(u, 16)
        };
        match choice {
            0 => {
                let c = random_constant(u, 3);
                let i = self.constant(c);
                self.emit(u, O::LOAD_CONST, i);
            }
            1 => match self.local(u) {
                Some(l) => {
                    let op = if coin(u) {
                        O::LOAD_FAST
                    } else {
                        O::LOAD_FAST_CHECK
                    };
                    self.emit(u, op, l);
                }
                None => {
                    let i = self.constant(Constant::Int(7));
                    self.emit(u, O::LOAD_CONST, i);
                }
            },
            2 => match self.deref_slot(u) {
                Some(s) => self.emit(u, O::LOAD_DEREF, s),
                None => {
                    let n = self.global(u);
                    self.emit(
                        u,
                        O::LOAD_GLOBAL,
                        NameArg {
                            name: n,
                            flag: false,
                        }
                        .encode(),
                    );
                }
            },
            3 => {
                self.expr(u, depth_left - 1);
                self.expr(u, depth_left - 1);
                let op = small(u, 25);
                self.emit(u, O::BINARY_OP, op);
            }
            4 => {
                self.expr(u, depth_left - 1);
                self.expr(u, depth_left - 1);
                match small(u, 2) {
                    0 => {
                        let c = CompareOp::ALL[small(u, 5) as usize];
                        self.emit(u, O::COMPARE_OP, c.oparg());
                    }
                    1 => {
                        let a = small(u, 1);
                        self.emit(u, O::IS_OP, a);
                    }
                    _ => {
                        let a = small(u, 1);
                        self.emit(u, O::CONTAINS_OP, a);
                    }
                }
            }
            5 => {
                self.expr(u, depth_left - 1);
                let op = [
                    O::UNARY_NEGATIVE,
                    O::UNARY_NOT,
                    O::UNARY_INVERT,
                    O::GET_ITER,
                ][small(u, 3) as usize];
                self.emit(u, op, 0);
            }
            6 => {
                let n = small(u, 3);
                for _ in 0..n {
                    self.expr(u, depth_left - 1);
                }
                let op = [O::BUILD_LIST, O::BUILD_TUPLE, O::BUILD_SET][small(u, 2) as usize];
                self.emit(u, op, n);
                if op == O::BUILD_LIST && coin(u) {
                    self.emit(u, O::CALL_INTRINSIC_1, 6);
                }
            }
            7 => {
                let n = small(u, 2);
                for _ in 0..2 * n {
                    self.expr(u, depth_left - 1);
                }
                self.emit(u, O::BUILD_MAP, n);
            }
            8 => self.call(u, depth_left),
            9 => {
                // A list comprehension, inlined.
                self.emit(u, O::BUILD_LIST, 0);
                self.iterable(u, depth_left - 1);
                self.emit(u, O::GET_ITER, 0);
                let top = self.label();
                let end = self.label();
                self.place(top);
                self.jump(O::FOR_ITER, end);
                self.emit(u, O::LIST_APPEND, 2);
                self.jump(O::JUMP_BACKWARD, top);
                self.place(end);
                let d = self.depth + 1;
                self.set_depth(d);
                self.emit(u, O::END_FOR, 0);
            }
            10 => {
                self.expr(u, depth_left - 1);
                let conv = small(u, 3);
                if coin(u) {
                    let i = self.constant(Constant::Str(Rc::from("")));
                    self.emit(u, O::LOAD_CONST, i);
                    self.emit(u, O::FORMAT_VALUE, conv | 4);
                } else {
                    self.emit(u, O::FORMAT_VALUE, conv);
                }
                if coin(u) {
                    let i = self.constant(Constant::Str(Rc::from("s")));
                    self.emit(u, O::LOAD_CONST, i);
                    self.emit(u, O::BUILD_STRING, 2);
                }
            }
            11 => {
                self.expr(u, depth_left - 1);
                self.expr(u, depth_left - 1);
                self.emit(u, O::BINARY_SUBSCR, 0);
            }
            12 => {
                self.expr(u, depth_left - 1);
                let n = self.any_name(u);
                self.emit(
                    u,
                    O::LOAD_ATTR,
                    NameArg {
                        name: n,
                        flag: false,
                    }
                    .encode(),
                );
            }
            13 => {
                // Stack shuffles.
                self.expr(u, depth_left - 1);
                self.expr(u, depth_left - 1);
                self.emit(u, O::SWAP, 2);
                if coin(u) {
                    self.emit(u, O::COPY, 2);
                    self.emit(u, O::POP_TOP, 0);
                }
                self.emit(u, O::POP_TOP, 0);
            }
            14 => self.make_function(u, true),
            _ => {
                // A conditional expression.
                self.expr(u, depth_left - 1);
                let other = self.label();
                let end = self.label();
                let op = [
                    O::POP_JUMP_IF_FALSE,
                    O::POP_JUMP_IF_TRUE,
                    O::POP_JUMP_IF_NONE,
                    O::POP_JUMP_IF_NOT_NONE,
                ][small(u, 3) as usize];
                self.jump(op, other);
                let d = self.depth;
                self.expr(u, depth_left - 1);
                self.jump(O::JUMP_FORWARD, end);
                self.place(other);
                self.set_depth(d);
                self.expr(u, depth_left - 1);
                self.place(end);
            }
        }
    }

    fn iterable(&mut self, u: &mut Unstructured, depth_left: usize) {
        use Opcode as O;
        if coin(u) {
            let n = self.name("range");
            self.emit(
                u,
                O::LOAD_GLOBAL,
                NameArg {
                    name: n,
                    flag: true,
                }
                .encode(),
            );
            let i = self.constant(Constant::Int(i64::from(small(u, 4))));
            self.emit(u, O::LOAD_CONST, i);
            self.emit(u, O::CALL, 1);
        } else {
            let n = small(u, 3);
            for _ in 0..n {
                self.expr(u, depth_left.saturating_sub(1));
            }
            self.emit(u, O::BUILD_TUPLE, n);
        }
    }

    fn call(&mut self, u: &mut Unstructured, depth_left: usize) {
        use Opcode as O;
        match small(u, 2) {
            0 => {
                self.emit(u, O::PUSH_NULL, 0);
                self.expr(u, depth_left - 1);
            }
            1 => {
                let n = self.global(u);
                self.emit(
                    u,
                    O::LOAD_GLOBAL,
                    NameArg {
                        name: n,
                        flag: true,
                    }
                    .encode(),
                );
            }
            _ => {
                self.expr(u, depth_left - 1);
                let n = self.any_name(u);
                self.emit(
                    u,
                    O::LOAD_ATTR,
                    NameArg {
                        name: n,
                        flag: true,
                    }
                    .encode(),
                );
            }
        }
        let n = small(u, 3);
        for _ in 0..n {
            self.expr(u, depth_left - 1);
        }
        if n > 0 && coin(u) {
            let k = small(u, n) as usize;
            let names = Constant::Tuple(Rc::from(
                (0..k)
                    .map(|i| Constant::Str(Rc::from(format!("k{i}"))))
                    .collect::<Vec<_>>(),
            ));
            let i = self.constant(names);
            self.emit(u, O::KW_NAMES, i);
        }
        self.emit(u, O::CALL, n);
    }

    /// Makes a function of a nested code object (with a closure over this body's cells
    /// when it has free variables) and calls it, or leaves it on the stack.
    fn make_function(&mut self, u: &mut Unstructured, leave: bool) {
        use Opcode as O;
        if self.nest >= 3 {
            let i = self.constant(Constant::None);
            self.emit(u, O::LOAD_CONST, i);
            return;
        }
        let cells = self.ncells + self.nfrees;
        let nfree = if cells > 0 {
            small(u, cells as u32) as usize
        } else {
            0
        };
        let generator = coin(u);
        let argcount = small(u, 2);
        let inner = function_code(u, self.nest + 1, argcount, nfree, generator);
        if !leave {
            self.emit(u, O::PUSH_NULL, 0);
        }
        let mut arg = 0;
        if nfree > 0 {
            for i in 0..nfree {
                let slot = (self.nlocals + i) as u32;
                self.emit(u, O::LOAD_CLOSURE, slot);
            }
            self.emit(u, O::BUILD_TUPLE, nfree as u32);
            arg |= 8;
        }
        let i = self.constant(Constant::Code(Rc::new(inner)));
        self.emit(u, O::LOAD_CONST, i);
        self.emit(u, O::MAKE_FUNCTION, arg);
        if leave {
            return;
        }
        for _ in 0..argcount {
            self.expr(u, 1);
        }
        self.emit(u, O::CALL, argcount);
        if generator && coin(u) {
            self.for_loop_over_stack(u);
        } else {
            self.emit(u, O::POP_TOP, 0);
        }
    }

    /// GET_ITER and a for loop over the value on the stack.
    fn for_loop_over_stack(&mut self, u: &mut Unstructured) {
        use Opcode as O;
        self.emit(u, O::GET_ITER, 0);
        let top = self.label();
        let end = self.label();
        self.place(top);
        self.jump(O::FOR_ITER, end);
        match self.local(u) {
            Some(l) if coin(u) => self.emit(u, O::STORE_FAST, l),
            _ => self.emit(u, O::POP_TOP, 0),
        }
        self.block(u);
        self.jump(O::JUMP_BACKWARD, top);
        self.place(end);
        let d = self.depth + 1;
        self.set_depth(d);
        self.emit(u, O::END_FOR, 0);
    }

    // -- statements: each leaves the depth as it found it --

    fn block(&mut self, u: &mut Unstructured) {
        let n = small(u, 3);
        for _ in 0..n {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            self.statement(u);
        }
    }

    fn statement(&mut self, u: &mut Unstructured) {
        use Opcode as O;
        let d = self.depth;
        match small(u, 13) {
            0 | 1 => {
                self.expr(u, 3);
                self.emit(u, O::POP_TOP, 0);
            }
            2 => {
                self.expr(u, 3);
                match self.local(u) {
                    Some(l) => self.emit(u, O::STORE_FAST, l),
                    None => self.emit(u, O::POP_TOP, 0),
                }
            }
            3 => {
                self.expr(u, 3);
                match self.deref_slot(u) {
                    Some(s) => self.emit(u, O::STORE_DEREF, s),
                    None => self.emit(u, O::POP_TOP, 0),
                }
            }
            4 => {
                // if / else.
                self.expr(u, 2);
                let other = self.label();
                let op = [
                    O::POP_JUMP_IF_FALSE,
                    O::POP_JUMP_IF_TRUE,
                    O::POP_JUMP_IF_NONE,
                    O::POP_JUMP_IF_NOT_NONE,
                ][small(u, 3) as usize];
                self.jump(op, other);
                self.block(u);
                if coin(u) {
                    let end = self.label();
                    self.jump(O::JUMP_FORWARD, end);
                    self.place(other);
                    self.set_depth(d);
                    self.block(u);
                    self.place(end);
                } else {
                    self.place(other);
                }
            }
            5 => {
                self.iterable(u, 2);
                self.for_loop_over_stack(u);
            }
            6 | 7 => self.try_block(u),
            8 => self.make_function(u, false),
            9 if self.generator => {
                self.expr(u, 2);
                self.emit(u, O::YIELD_VALUE, 0);
                self.emit(u, O::RESUME, 1);
                self.emit(u, O::POP_TOP, 0);
            }
            10 => {
                // A saved local around a block, as an inlined comprehension keeps it.
                match self.local(u) {
                    Some(l) => {
                        self.emit(u, O::LOAD_FAST_AND_CLEAR, l);
                        self.block(u);
                        self.emit(u, O::STORE_FAST, l);
                    }
                    None => self.emit(u, O::NOP, 0),
                }
            }
            11 if small(u, 3) == 0 => {
                // Leave early (what follows is unreachable until a label).
                self.expr(u, 2);
                self.emit(u, O::RETURN_VALUE, 0);
                self.set_depth(d);
            }
            12 if small(u, 3) == 0 => {
                let n = self.name("ValueError");
                self.emit(
                    u,
                    O::LOAD_GLOBAL,
                    NameArg {
                        name: n,
                        flag: false,
                    }
                    .encode(),
                );
                self.emit(u, O::RAISE_VARARGS, 1);
                self.set_depth(d);
            }
            _ => self.emit(u, O::NOP, 0),
        }
        debug_assert_eq!(self.depth, d);
        self.set_depth(d);
    }

    /// A protected block and its handler, entered at this depth (with lasti or not).
    fn try_block(&mut self, u: &mut Unstructured) {
        use Opcode as O;
        let d = self.depth;
        let lasti = coin(u);
        let label = self.label();
        let after = self.label();
        self.handlers.push(Handler {
            label,
            depth: d,
            lasti,
        });
        self.active.push(self.handlers.len() - 1);
        self.block(u);
        self.active.pop();
        self.jump(O::JUMP_FORWARD, after);
        self.place(label);
        self.set_depth(d + usize::from(lasti) + 1);
        match small(u, 2) {
            0 => {
                self.emit(u, O::PUSH_EXC_INFO, 0);
                self.emit(u, O::POP_TOP, 0);
                self.emit(u, O::POP_EXCEPT, 0);
            }
            1 => {
                self.emit(u, O::RERAISE, u32::from(lasti));
                self.set_depth(d + usize::from(lasti));
            }
            _ => self.emit(u, O::POP_TOP, 0),
        }
        if lasti {
            self.emit(u, O::POP_TOP, 0);
        }
        self.place(after);
        self.set_depth(d);
    }

    /// Lays the items out: EXTENDED_ARG prefixes, inline caches, jump opargs (recomputed
    /// until the sizes settle), and the exception table of the handlers' regions.
    fn assemble(&self) -> (Vec<u8>, Vec<u8>) {
        let oparg_of = |item: &Item, at: usize, labels: &[usize]| -> u32 {
            match item {
                Item::Ins { arg, .. } => *arg,
                Item::Jump { op, label, .. } => jump_oparg(*op, at, labels[*label]).unwrap_or(0),
                Item::Label(_) => 0,
            }
        };
        let prefixes = |arg: u32| -> usize {
            match arg {
                0..=0xFF => 0,
                0x100..=0xFFFF => 1,
                0x1_0000..=0xFF_FFFF => 2,
                _ => 3,
            }
        };
        let mut labels = vec![0usize; self.labels];
        let mut starts = vec![0usize; self.items.len()];
        // Each item's position: the unit of its first prefix and of the instruction.
        let mut ins_at = vec![0usize; self.items.len()];
        for _ in 0..16 {
            let mut at = 0;
            let mut changed = false;
            for (i, item) in self.items.iter().enumerate() {
                starts[i] = at;
                match item {
                    Item::Label(l) => {
                        changed |= labels[*l] != at;
                        labels[*l] = at;
                    }
                    Item::Ins { op, .. } | Item::Jump { op, .. } => {
                        let extra = match item {
                            Item::Ins { extra_prefixes, .. } => *extra_prefixes,
                            _ => 0,
                        };
                        let p = prefixes(oparg_of(item, ins_at[i], &labels)) + extra;
                        changed |= ins_at[i] != at + p;
                        ins_at[i] = at + p;
                        at += p + 1 + op.cache_entries();
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut code = Vec::new();
        let mut owner: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            let (op, handler, extra) = match item {
                Item::Label(_) => continue,
                Item::Ins {
                    op,
                    handler,
                    extra_prefixes,
                    ..
                } => (*op, *handler, *extra_prefixes),
                Item::Jump { op, handler, .. } => (*op, *handler, 0),
            };
            let arg = oparg_of(item, ins_at[i], &labels);
            let p = prefixes(arg);
            for _ in 0..extra {
                code.extend([Opcode::EXTENDED_ARG as u8, 0]);
            }
            for k in (1..=p).rev() {
                code.extend([Opcode::EXTENDED_ARG as u8, (arg >> (8 * k)) as u8]);
            }
            code.extend([op as u8, arg as u8]);
            for _ in 0..op.cache_entries() {
                code.extend([0, 0]);
            }
            owner.push((starts[i], code.len() / 2, handler));
        }
        // Runs of instructions under the same handler become one entry each.
        let mut table = Vec::new();
        let mut run: Option<(usize, usize, usize)> = None;
        let flush = |run: Option<(usize, usize, usize)>, table: &mut Vec<u8>| {
            if let Some((start, end, h)) = run {
                let handler = self.handlers[h];
                framespec_vm::code::write_exception_entry(
                    table,
                    [
                        start,
                        end - start,
                        labels[handler.label],
                        handler.depth << 1 | usize::from(handler.lasti),
                    ],
                );
            }
        };
        for (start, end, handler) in owner {
            match (run, handler) {
                (Some((s, _, h)), Some(h2)) if h == h2 => run = Some((s, end, h)),
                (_, Some(h2)) => {
                    flush(run, &mut table);
                    run = Some((start, end, h2));
                }
                (_, None) => {
                    flush(run, &mut table);
                    run = None;
                }
            }
        }
        flush(run, &mut table);
        (code, table)
    }
}

/// The code of a function: `argcount` arguments, `nfree` free variables, perhaps cells
/// of its own, a generator's prefix when `generator`.
fn function_code(
    u: &mut Unstructured,
    nest: usize,
    argcount: u32,
    nfree: usize,
    generator: bool,
) -> CodeObject {
    use Opcode as O;
    let nlocals = argcount as usize + small(u, 2) as usize;
    let ncells = small(u, 2) as usize;
    let mut body = Body {
        items: Vec::new(),
        depth: 0,
        max: 0,
        labels: 0,
        handlers: Vec::new(),
        active: Vec::new(),
        consts: vec![Constant::None],
        names: Vec::new(),
        nlocals,
        ncells,
        nfrees: nfree,
        generator,
        budget: 12usize.saturating_sub(4 * nest),
        nest,
    };
    for c in 0..ncells {
        body.emit(u, O::MAKE_CELL, (nlocals + c) as u32);
    }
    if nfree > 0 {
        body.emit(u, O::COPY_FREE_VARS, nfree as u32);
    }
    if generator {
        body.emit(u, O::RETURN_GENERATOR, 0);
        body.set_depth(1);
        body.emit(u, O::POP_TOP, 0);
    }
    body.emit(u, O::RESUME, 0);
    body.initialise(u, argcount as usize);
    body.block(u);
    body.emit(u, O::RETURN_CONST, 0);
    finish(u, body, argcount, generator)
}

fn finish(u: &mut Unstructured, body: Body, argcount: u32, generator: bool) -> CodeObject {
    let (co_code, co_exceptiontable) = body.assemble();
    let mut names = Vec::new();
    let mut kinds_ = Vec::new();
    for i in 0..body.nlocals {
        names.push(Rc::from(format!("l{i}")));
        kinds_.push(kinds::CO_FAST_LOCAL);
    }
    for i in 0..body.ncells {
        names.push(Rc::from(format!("c{i}")));
        kinds_.push(kinds::CO_FAST_CELL);
    }
    for i in 0..body.nfrees {
        names.push(Rc::from(format!("c{i}")));
        kinds_.push(kinds::CO_FAST_FREE);
    }
    let mut co_flags = if body.nest > 0 {
        flags::CO_OPTIMIZED | flags::CO_NEWLOCALS
    } else {
        0
    };
    if generator {
        co_flags |= flags::CO_GENERATOR;
    }
    if body.nfrees > 0 {
        co_flags |= flags::CO_NESTED;
    } else if body.nest > 0 {
        co_flags |= flags::CO_NOFREE;
    }
    let name: Rc<str> = Rc::from(if body.nest == 0 {
        "<module>".to_owned()
    } else {
        format!("f{}", body.nest)
    });
    CodeObject {
        co_name: name.clone(),
        co_qualname: name,
        co_filename: Rc::from("main.py"),
        co_firstlineno: 1,
        co_argcount: argcount,
        co_posonlyargcount: 0,
        co_kwonlyargcount: 0,
        co_flags,
        co_stacksize: stacksize(u, body.max as u32),
        co_code,
        co_consts: body.consts,
        co_names: body.names,
        co_localsplusnames: names,
        co_localspluskinds: kinds_,
        co_linetable: Vec::new(),
        co_exceptiontable,
    }
}

/// A module code object: statements over its own locals (no cells: nothing makes a
/// module's), nested functions among them.
fn valid_module(u: &mut Unstructured) -> CodeObject {
    let mut body = Body {
        items: Vec::new(),
        depth: 0,
        max: 0,
        labels: 0,
        handlers: Vec::new(),
        active: Vec::new(),
        consts: vec![Constant::None],
        names: Vec::new(),
        nlocals: small(u, 2) as usize,
        ncells: 0,
        nfrees: 0,
        generator: false,
        budget: 16,
        nest: 0,
    };
    body.emit(u, Opcode::RESUME, 0);
    body.initialise(u, 0);
    while body.budget > 0 {
        body.budget -= 1;
        body.statement(u);
        if u.is_empty() {
            break;
        }
    }
    body.emit(u, Opcode::RETURN_CONST, 0);
    finish(u, body, 0, false)
}
