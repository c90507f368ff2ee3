//! The one opcode table: CPython 3.12's instruction set (base opcodes only; no specialised
//! or instrumented forms). Every other part of the VM derives names, numbers, operand kinds
//! and inline-cache sizes from `for_each_opcode!`; `tests/opcode_table.rs` checks the table
//! against CPython 3.12's own `opcode` module.

/// What an instruction's oparg means (mirrors `opcode.hasjrel`, `hasconst`, … in CPython).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// The instruction ignores its oparg (opcode < `HAVE_ARGUMENT`).
    None,
    /// A plain number (counts, flags, indices into nothing).
    Num,
    /// A relative jump, counted in code units after the instruction's caches.
    Jump,
    /// An index into `co_consts`.
    Const,
    /// An index into `co_names` (possibly shifted, e.g. `LOAD_GLOBAL`, `LOAD_ATTR`).
    Name,
    /// An index into the fast locals.
    Local,
    /// An index into localsplus for a cell or free variable.
    Free,
    /// A comparison operator index (shifted left by 4 in 3.12).
    Compare,
}

/// `for_each_opcode!(callback)` calls `callback!` with the whole table:
/// `(NAME, number, inline cache entries, ArgKind, arg => (popped, pushed), "semantics")`.
///
/// The stack effect is CPython 3.12's `(inputs -- outputs)` from `Python/bytecodes.c`
/// (`_PyOpcode_num_popped` / `_PyOpcode_num_pushed` in `Python/opcode_metadata.h`) as a
/// function of the oparg `a`. In 3.12 no base opcode's effect depends on whether a jump is
/// taken (`FOR_ITER` pushes its value on both paths; the jump skips `END_FOR`), so the table
/// has no `jump` input; `tests/opcode_table.rs` checks both `jump=True` and `jump=False`.
#[macro_export]
macro_rules! for_each_opcode {
    ($m:ident) => {
        $m! {
    (CACHE, 0, 0, None, a => (0, 0), "inline cache slot; never executed"),
    (POP_TOP, 1, 0, None, a => (1, 0), "discard TOS"),
    (PUSH_NULL, 2, 0, None, a => (0, 1), "push NULL (the empty self/callable slot of CALL)"),
    (INTERPRETER_EXIT, 3, 0, None, a => (1, 0), "leave the interpreter with TOS"),
    (END_FOR, 4, 0, None, a => (2, 0), "pop the exhausted iterator and its last value"),
    (END_SEND, 5, 0, None, a => (2, 1), "drop the receiver under the value"),
    (NOP, 9, 0, None, a => (0, 0), "do nothing (keeps a line number)"),
    (UNARY_NEGATIVE, 11, 0, None, a => (1, 1), "TOS = -TOS"),
    (UNARY_NOT, 12, 0, None, a => (1, 1), "TOS = not TOS"),
    (UNARY_INVERT, 15, 0, None, a => (1, 1), "TOS = ~TOS"),
    (BINARY_SUBSCR, 25, 1, None, a => (2, 1), "TOS = container[sub]"),
    (BINARY_SLICE, 26, 0, None, a => (3, 1), "TOS = container[start:stop]"),
    (STORE_SLICE, 27, 0, None, a => (4, 0), "container[start:stop] = v"),
    (GET_LEN, 30, 0, None, a => (1, 2), "push len(TOS)"),
    (MATCH_MAPPING, 31, 0, None, a => (1, 2), "push whether TOS is a mapping"),
    (MATCH_SEQUENCE, 32, 0, None, a => (1, 2), "push whether TOS is a sequence"),
    (MATCH_KEYS, 33, 0, None, a => (2, 3), "push the values of keys in subject, or None"),
    (PUSH_EXC_INFO, 35, 0, None, a => (1, 2), "save the handled exception, make TOS the handled one"),
    (CHECK_EXC_MATCH, 36, 0, None, a => (2, 2), "push isinstance-style match of exception against type"),
    (CHECK_EG_MATCH, 37, 0, None, a => (2, 2), "split an exception group by type (except*)"),
    (WITH_EXCEPT_START, 49, 0, None, a => (4, 5), "call __exit__(type, value, tb)"),
    (GET_AITER, 50, 0, None, a => (1, 1), "TOS = TOS.__aiter__()"),
    (GET_ANEXT, 51, 0, None, a => (1, 2), "push awaitable of aiter.__anext__()"),
    (BEFORE_ASYNC_WITH, 52, 0, None, a => (1, 2), "push bound __aexit__ and result of __aenter__()"),
    (BEFORE_WITH, 53, 0, None, a => (1, 2), "push bound __exit__ and result of __enter__()"),
    (END_ASYNC_FOR, 54, 0, None, a => (2, 0), "end async for on StopAsyncIteration, else re-raise"),
    (CLEANUP_THROW, 55, 0, None, a => (3, 2), "handle StopIteration from throw() in yield from"),
    (STORE_SUBSCR, 60, 1, None, a => (3, 0), "container[sub] = v"),
    (DELETE_SUBSCR, 61, 0, None, a => (2, 0), "del container[sub]"),
    (GET_ITER, 68, 0, None, a => (1, 1), "TOS = iter(TOS)"),
    (GET_YIELD_FROM_ITER, 69, 0, None, a => (1, 1), "TOS = iter(TOS) unless a generator/coroutine"),
    (LOAD_BUILD_CLASS, 71, 0, None, a => (0, 1), "push builtins.__build_class__"),
    (LOAD_ASSERTION_ERROR, 74, 0, None, a => (0, 1), "push AssertionError"),
    (RETURN_GENERATOR, 75, 0, None, a => (0, 0), "create the generator object for this frame and return it"),
    (RETURN_VALUE, 83, 0, None, a => (1, 0), "return TOS to the caller"),
    (SETUP_ANNOTATIONS, 85, 0, None, a => (0, 0), "create __annotations__ in locals if missing"),
    (LOAD_LOCALS, 87, 0, None, a => (0, 1), "push the locals mapping"),
    (POP_EXCEPT, 89, 0, None, a => (1, 0), "restore the previously handled exception"),
    (STORE_NAME, 90, 0, Name, a => (1, 0), "locals[co_names[arg]] = v"),
    (DELETE_NAME, 91, 0, Name, a => (0, 0), "del locals[co_names[arg]]"),
    (UNPACK_SEQUENCE, 92, 1, Num, a => (1, a), "unpack TOS into arg values, first on top"),
    (FOR_ITER, 93, 1, Jump, a => (1, 2), "push next(iterator) or jump forward past END_FOR when exhausted"),
    (UNPACK_EX, 94, 0, Num, a => (1, (a & 0xFF) + (a >> 8) + 1), "unpack with a starred target: low byte before, high byte after"),
    (STORE_ATTR, 95, 4, Name, a => (2, 0), "owner.co_names[arg] = v"),
    (DELETE_ATTR, 96, 0, Name, a => (1, 0), "del owner.co_names[arg]"),
    (STORE_GLOBAL, 97, 0, Name, a => (1, 0), "globals[co_names[arg]] = v"),
    (DELETE_GLOBAL, 98, 0, Name, a => (0, 0), "del globals[co_names[arg]]"),
    (SWAP, 99, 0, Num, a => (a, a), "swap TOS with the arg-th item"),
    (LOAD_CONST, 100, 0, Const, a => (0, 1), "push co_consts[arg]"),
    (LOAD_NAME, 101, 0, Name, a => (0, 1), "push locals/globals/builtins lookup of co_names[arg]"),
    (BUILD_TUPLE, 102, 0, Num, a => (a, 1), "build a tuple from arg items"),
    (BUILD_LIST, 103, 0, Num, a => (a, 1), "build a list from arg items"),
    (BUILD_SET, 104, 0, Num, a => (a, 1), "build a set from arg items"),
    (BUILD_MAP, 105, 0, Num, a => (2 * a, 1), "build a dict from arg key/value pairs"),
    (LOAD_ATTR, 106, 9, Name, a => (1, 1 + (a & 1)), "TOS = getattr(TOS, co_names[arg>>1]); low bit: method form pushing NULL|self"),
    (COMPARE_OP, 107, 1, Compare, a => (2, 1), "rich comparison cmp_op[arg>>4]"),
    (IMPORT_NAME, 108, 0, Name, a => (2, 1), "__import__(co_names[arg], fromlist, level)"),
    (IMPORT_FROM, 109, 0, Name, a => (1, 2), "push attribute co_names[arg] of the module on TOS"),
    (JUMP_FORWARD, 110, 0, Jump, a => (0, 0), "jump forward by arg"),
    (POP_JUMP_IF_FALSE, 114, 0, Jump, a => (1, 0), "pop; jump forward by arg if false"),
    (POP_JUMP_IF_TRUE, 115, 0, Jump, a => (1, 0), "pop; jump forward by arg if true"),
    (LOAD_GLOBAL, 116, 4, Name, a => (0, 1 + (a & 1)), "push globals/builtins lookup of co_names[arg>>1]; low bit: push NULL first"),
    (IS_OP, 117, 0, Num, a => (2, 1), "push `is` (arg=0) or `is not` (arg=1)"),
    (CONTAINS_OP, 118, 0, Num, a => (2, 1), "push `in` (arg=0) or `not in` (arg=1)"),
    (RERAISE, 119, 0, Num, a => (a + 1, a), "re-raise TOS; arg set: restore f_lasti from the saved value"),
    (COPY, 120, 0, Num, a => (a, a + 1), "push a copy of the arg-th item"),
    (RETURN_CONST, 121, 0, Const, a => (0, 0), "return co_consts[arg]"),
    (BINARY_OP, 122, 1, Num, a => (2, 1), "binary or in-place operator number arg (NB_*)"),
    (SEND, 123, 1, Jump, a => (2, 2), "send value into the sub-iterator; jump forward when it returns"),
    (LOAD_FAST, 124, 0, Local, a => (0, 1), "push local arg (known bound)"),
    (STORE_FAST, 125, 0, Local, a => (1, 0), "local arg = v"),
    (DELETE_FAST, 126, 0, Local, a => (0, 0), "unbind local arg"),
    (LOAD_FAST_CHECK, 127, 0, Local, a => (0, 1), "push local arg, UnboundLocalError if unbound"),
    (POP_JUMP_IF_NOT_NONE, 128, 0, Jump, a => (1, 0), "pop; jump forward by arg if not None"),
    (POP_JUMP_IF_NONE, 129, 0, Jump, a => (1, 0), "pop; jump forward by arg if None"),
    (RAISE_VARARGS, 130, 0, Num, a => (a, 0), "raise (arg=0 re-raise, 1 exc, 2 exc from cause)"),
    (GET_AWAITABLE, 131, 0, Num, a => (1, 1), "TOS = awaitable of TOS"),
    (MAKE_FUNCTION, 132, 0, Num, a => (1 + (a & 0xF).count_ones(), 1), "make a function from code (+defaults, kwdefaults, annotations, closure per bits)"),
    (BUILD_SLICE, 133, 0, Num, a => (if a == 3 { 3 } else { 2 }, 1), "build slice(start, stop[, step])"),
    (JUMP_BACKWARD_NO_INTERRUPT, 134, 0, Jump, a => (0, 0), "jump backward by arg without an eval-breaker check"),
    (MAKE_CELL, 135, 0, Free, a => (0, 0), "wrap local arg in a new cell"),
    (LOAD_CLOSURE, 136, 0, Free, a => (0, 1), "push the cell in slot arg"),
    (LOAD_DEREF, 137, 0, Free, a => (0, 1), "push the contents of cell arg"),
    (STORE_DEREF, 138, 0, Free, a => (1, 0), "cell arg contents = v"),
    (DELETE_DEREF, 139, 0, Free, a => (0, 0), "empty cell arg"),
    (JUMP_BACKWARD, 140, 0, Jump, a => (0, 0), "jump backward by arg (checks the eval breaker)"),
    (LOAD_SUPER_ATTR, 141, 1, Name, a => (3, 1 + (a & 1)), "super(cls, self).co_names[arg>>2]; low bit: method form"),
    (CALL_FUNCTION_EX, 142, 0, Num, a => (3 + (a & 1), 1), "call with a positional tuple (and a kwargs dict if arg & 1)"),
    (LOAD_FAST_AND_CLEAR, 143, 0, Local, a => (0, 1), "push local arg (or NULL) and unbind it"),
    (EXTENDED_ARG, 144, 0, Num, a => (0, 0), "prefix: shift arg into the next instruction"),
    (LIST_APPEND, 145, 0, Num, a => (a + 1, a), "list at depth arg .append(TOS)"),
    (SET_ADD, 146, 0, Num, a => (a + 1, a), "set at depth arg .add(TOS)"),
    (MAP_ADD, 147, 0, Num, a => (2, 0), "dict at depth arg [key] = value"),
    (COPY_FREE_VARS, 149, 0, Num, a => (0, 0), "copy arg free-variable cells from the function closure"),
    (YIELD_VALUE, 150, 0, Num, a => (1, 1), "yield TOS from the generator; arg = exception-stack depth"),
    (RESUME, 151, 0, Num, a => (0, 0), "start or resume the frame (arg: 0 start, 1 yield, 2 yield from, 3 await)"),
    (MATCH_CLASS, 152, 0, Num, a => (3, 1), "match class pattern with arg positional sub-patterns"),
    (FORMAT_VALUE, 155, 0, Num, a => (if a & 4 == 4 { 2 } else { 1 }, 1), "format TOS (conversion in arg & 3, spec if arg & 4)"),
    (BUILD_CONST_KEY_MAP, 156, 0, Num, a => (a + 1, 1), "build a dict from arg values and a tuple of keys"),
    (BUILD_STRING, 157, 0, Num, a => (a, 1), "concatenate arg strings"),
    (LIST_EXTEND, 162, 0, Num, a => (a + 1, a), "list at depth arg .extend(TOS)"),
    (SET_UPDATE, 163, 0, Num, a => (a + 1, a), "set at depth arg .update(TOS)"),
    (DICT_MERGE, 164, 0, Num, a => (1, 0), "dict at depth arg merge TOS, rejecting duplicate keys"),
    (DICT_UPDATE, 165, 0, Num, a => (1, 0), "dict at depth arg .update(TOS)"),
    (CALL, 171, 3, Num, a => (a + 2, 1), "call callable (or method with self) with arg arguments"),
    (KW_NAMES, 172, 0, Const, a => (0, 0), "name the trailing keyword arguments of the next CALL (co_consts[arg])"),
    (CALL_INTRINSIC_1, 173, 0, Num, a => (1, 1), "apply intrinsic function number arg to TOS"),
    (CALL_INTRINSIC_2, 174, 0, Num, a => (2, 1), "apply two-argument intrinsic number arg"),
    (LOAD_FROM_DICT_OR_GLOBALS, 175, 0, Name, a => (1, 1), "look co_names[arg] up in the mapping on TOS, then globals"),
    (LOAD_FROM_DICT_OR_DEREF, 176, 0, Free, a => (1, 1), "look the name of cell arg up in the mapping on TOS, then the cell"),
        }
    };
}

macro_rules! define_opcodes {
    ($(($name:ident, $num:literal, $cache:literal, $kind:ident,
        $a:ident => ($pop:expr, $push:expr), $doc:literal),)*) => {
        /// A CPython 3.12 base opcode.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Opcode {
            $($name = $num,)*
        }

        impl Opcode {
            /// Every opcode, in numeric order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name,)*];

            /// Decodes a byte of `co_code`; `None` for numbers 3.12 does not define as base opcodes.
            #[inline]
            pub fn from_u8(byte: u8) -> Option<Opcode> {
                // Tables indexed by the byte, so the evaluator's decoding is a load.
                const BY_BYTE: [Option<Opcode>; 256] = {
                    let mut table = [None; 256];
                    $(table[$num] = Some(Opcode::$name);)*
                    table
                };
                BY_BYTE[usize::from(byte)]
            }

            /// The name CPython's `dis` prints.
            pub fn name(self) -> &'static str {
                match self {
                    $(Opcode::$name => stringify!($name),)*
                }
            }

            /// Number of inline CACHE code units that follow the instruction.
            #[inline]
            pub fn cache_entries(self) -> usize {
                const BY_BYTE: [u8; 256] = {
                    let mut table = [0; 256];
                    $(table[$num] = $cache;)*
                    table
                };
                usize::from(BY_BYTE[self as usize])
            }

            /// What the oparg means.
            #[inline]
            pub fn arg_kind(self) -> ArgKind {
                const BY_BYTE: [ArgKind; 256] = {
                    let mut table = [ArgKind::None; 256];
                    $(table[$num] = ArgKind::$kind;)*
                    table
                };
                BY_BYTE[self as usize]
            }

            /// `(popped, pushed)`: how many values the instruction takes from the value stack
            /// and how many it leaves there, for oparg `oparg` (CPython 3.12's
            /// `(inputs -- outputs)`).
            #[allow(unused_variables, clippy::identity_op)]
            pub fn stack_effect(self, oparg: u32) -> (u32, u32) {
                match self {
                    $(Opcode::$name => {
                        let $a = oparg;
                        ($pop, $push)
                    })*
                }
            }

            /// One line saying what the instruction does.
            pub fn semantics(self) -> &'static str {
                match self {
                    $(Opcode::$name => $doc,)*
                }
            }
        }
    };
}

for_each_opcode!(define_opcodes);

/// CPython's `HAVE_ARGUMENT`: opcodes at or above it use their oparg.
pub const HAVE_ARGUMENT: u8 = 90;

impl Opcode {
    /// True for opcodes that take an argument.
    #[inline]
    pub fn has_arg(self) -> bool {
        self as u8 >= HAVE_ARGUMENT
    }

    /// Whether a jump goes backward (CPython `IS_BACKWARDS_JUMP_OPCODE`); every other
    /// [`ArgKind::Jump`] goes forward. The target itself is `code::jump_target`.
    #[inline]
    pub fn is_backward_jump(self) -> bool {
        matches!(
            self,
            Opcode::JUMP_BACKWARD | Opcode::JUMP_BACKWARD_NO_INTERRUPT
        )
    }

    /// Net stack effect (`dis.stack_effect`): pushed minus popped.
    pub fn net_stack_effect(self, oparg: u32) -> i64 {
        let (pop, push) = self.stack_effect(oparg);
        i64::from(push) - i64::from(pop)
    }
}
