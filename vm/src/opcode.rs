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
/// `(NAME, number, inline cache entries, ArgKind)`.
#[macro_export]
macro_rules! for_each_opcode {
    ($m:ident) => {
        $m! {
        (CACHE, 0, 0, None),
        (POP_TOP, 1, 0, None),
        (PUSH_NULL, 2, 0, None),
        (INTERPRETER_EXIT, 3, 0, None),
        (END_FOR, 4, 0, None),
        (END_SEND, 5, 0, None),
        (NOP, 9, 0, None),
        (UNARY_NEGATIVE, 11, 0, None),
        (UNARY_NOT, 12, 0, None),
        (UNARY_INVERT, 15, 0, None),
        (BINARY_SUBSCR, 25, 1, None),
        (BINARY_SLICE, 26, 0, None),
        (STORE_SLICE, 27, 0, None),
        (GET_LEN, 30, 0, None),
        (MATCH_MAPPING, 31, 0, None),
        (MATCH_SEQUENCE, 32, 0, None),
        (MATCH_KEYS, 33, 0, None),
        (PUSH_EXC_INFO, 35, 0, None),
        (CHECK_EXC_MATCH, 36, 0, None),
        (CHECK_EG_MATCH, 37, 0, None),
        (WITH_EXCEPT_START, 49, 0, None),
        (GET_AITER, 50, 0, None),
        (GET_ANEXT, 51, 0, None),
        (BEFORE_ASYNC_WITH, 52, 0, None),
        (BEFORE_WITH, 53, 0, None),
        (END_ASYNC_FOR, 54, 0, None),
        (CLEANUP_THROW, 55, 0, None),
        (STORE_SUBSCR, 60, 1, None),
        (DELETE_SUBSCR, 61, 0, None),
        (GET_ITER, 68, 0, None),
        (GET_YIELD_FROM_ITER, 69, 0, None),
        (LOAD_BUILD_CLASS, 71, 0, None),
        (LOAD_ASSERTION_ERROR, 74, 0, None),
        (RETURN_GENERATOR, 75, 0, None),
        (RETURN_VALUE, 83, 0, None),
        (SETUP_ANNOTATIONS, 85, 0, None),
        (LOAD_LOCALS, 87, 0, None),
        (POP_EXCEPT, 89, 0, None),
        (STORE_NAME, 90, 0, Name),
        (DELETE_NAME, 91, 0, Name),
        (UNPACK_SEQUENCE, 92, 1, Num),
        (FOR_ITER, 93, 1, Jump),
        (UNPACK_EX, 94, 0, Num),
        (STORE_ATTR, 95, 4, Name),
        (DELETE_ATTR, 96, 0, Name),
        (STORE_GLOBAL, 97, 0, Name),
        (DELETE_GLOBAL, 98, 0, Name),
        (SWAP, 99, 0, Num),
        (LOAD_CONST, 100, 0, Const),
        (LOAD_NAME, 101, 0, Name),
        (BUILD_TUPLE, 102, 0, Num),
        (BUILD_LIST, 103, 0, Num),
        (BUILD_SET, 104, 0, Num),
        (BUILD_MAP, 105, 0, Num),
        (LOAD_ATTR, 106, 9, Name),
        (COMPARE_OP, 107, 1, Compare),
        (IMPORT_NAME, 108, 0, Name),
        (IMPORT_FROM, 109, 0, Name),
        (JUMP_FORWARD, 110, 0, Jump),
        (POP_JUMP_IF_FALSE, 114, 0, Jump),
        (POP_JUMP_IF_TRUE, 115, 0, Jump),
        (LOAD_GLOBAL, 116, 4, Name),
        (IS_OP, 117, 0, Num),
        (CONTAINS_OP, 118, 0, Num),
        (RERAISE, 119, 0, Num),
        (COPY, 120, 0, Num),
        (RETURN_CONST, 121, 0, Const),
        (BINARY_OP, 122, 1, Num),
        (SEND, 123, 1, Jump),
        (LOAD_FAST, 124, 0, Local),
        (STORE_FAST, 125, 0, Local),
        (DELETE_FAST, 126, 0, Local),
        (LOAD_FAST_CHECK, 127, 0, Local),
        (POP_JUMP_IF_NOT_NONE, 128, 0, Jump),
        (POP_JUMP_IF_NONE, 129, 0, Jump),
        (RAISE_VARARGS, 130, 0, Num),
        (GET_AWAITABLE, 131, 0, Num),
        (MAKE_FUNCTION, 132, 0, Num),
        (BUILD_SLICE, 133, 0, Num),
        (JUMP_BACKWARD_NO_INTERRUPT, 134, 0, Jump),
        (MAKE_CELL, 135, 0, Free),
        (LOAD_CLOSURE, 136, 0, Free),
        (LOAD_DEREF, 137, 0, Free),
        (STORE_DEREF, 138, 0, Free),
        (DELETE_DEREF, 139, 0, Free),
        (JUMP_BACKWARD, 140, 0, Jump),
        (LOAD_SUPER_ATTR, 141, 1, Name),
        (CALL_FUNCTION_EX, 142, 0, Num),
        (LOAD_FAST_AND_CLEAR, 143, 0, Local),
        (EXTENDED_ARG, 144, 0, Num),
        (LIST_APPEND, 145, 0, Num),
        (SET_ADD, 146, 0, Num),
        (MAP_ADD, 147, 0, Num),
        (COPY_FREE_VARS, 149, 0, Num),
        (YIELD_VALUE, 150, 0, Num),
        (RESUME, 151, 0, Num),
        (MATCH_CLASS, 152, 0, Num),
        (FORMAT_VALUE, 155, 0, Num),
        (BUILD_CONST_KEY_MAP, 156, 0, Num),
        (BUILD_STRING, 157, 0, Num),
        (LIST_EXTEND, 162, 0, Num),
        (SET_UPDATE, 163, 0, Num),
        (DICT_MERGE, 164, 0, Num),
        (DICT_UPDATE, 165, 0, Num),
        (CALL, 171, 3, Num),
        (KW_NAMES, 172, 0, Const),
        (CALL_INTRINSIC_1, 173, 0, Num),
        (CALL_INTRINSIC_2, 174, 0, Num),
        (LOAD_FROM_DICT_OR_GLOBALS, 175, 0, Name),
        (LOAD_FROM_DICT_OR_DEREF, 176, 0, Free),
            }
    };
}

macro_rules! define_opcodes {
    ($(($name:ident, $num:literal, $cache:literal, $kind:ident),)*) => {
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
            pub fn from_u8(byte: u8) -> Option<Opcode> {
                match byte {
                    $($num => Some(Opcode::$name),)*
                    _ => None,
                }
            }

            /// The name CPython's `dis` prints.
            pub fn name(self) -> &'static str {
                match self {
                    $(Opcode::$name => stringify!($name),)*
                }
            }

            /// Number of inline CACHE code units that follow the instruction.
            pub fn cache_entries(self) -> usize {
                match self {
                    $(Opcode::$name => $cache,)*
                }
            }

            /// What the oparg means.
            pub fn arg_kind(self) -> ArgKind {
                match self {
                    $(Opcode::$name => ArgKind::$kind,)*
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
    pub fn has_arg(self) -> bool {
        self as u8 >= HAVE_ARGUMENT
    }
}
