//! What an oparg means where it is a code rather than a count or an index: one table per
//! fact, used by the compiler to emit it, by `dis` to print it and by the evaluator to run
//! it. `tests/opcode_table.rs` checks the tables against CPython 3.12's own (`dis._nb_ops`,
//! `opcode.cmp_op`, `dis._intrinsic_1_descs`, …).

/// `for_each_binary_op!(callback)` calls `callback!` with BINARY_OP's operators in `NB_*`
/// order (CPython `Include/opcode.h`, `dis._nb_ops`):
/// `(Variant, "NB_ suffix", symbol, in-place symbol, method, reflected, in-place method)`.
macro_rules! for_each_binary_op {
    ($m:ident) => {
        $m! {
            (Add, "ADD", "+", "+=", "__add__", "__radd__", "__iadd__"),
            (And, "AND", "&", "&=", "__and__", "__rand__", "__iand__"),
            (FloorDivide, "FLOOR_DIVIDE", "//", "//=", "__floordiv__", "__rfloordiv__", "__ifloordiv__"),
            (Lshift, "LSHIFT", "<<", "<<=", "__lshift__", "__rlshift__", "__ilshift__"),
            (MatrixMultiply, "MATRIX_MULTIPLY", "@", "@=", "__matmul__", "__rmatmul__", "__imatmul__"),
            (Multiply, "MULTIPLY", "*", "*=", "__mul__", "__rmul__", "__imul__"),
            (Remainder, "REMAINDER", "%", "%=", "__mod__", "__rmod__", "__imod__"),
            (Or, "OR", "|", "|=", "__or__", "__ror__", "__ior__"),
            (Power, "POWER", "**", "**=", "__pow__", "__rpow__", "__ipow__"),
            (Rshift, "RSHIFT", ">>", ">>=", "__rshift__", "__rrshift__", "__irshift__"),
            (Subtract, "SUBTRACT", "-", "-=", "__sub__", "__rsub__", "__isub__"),
            (TrueDivide, "TRUE_DIVIDE", "/", "/=", "__truediv__", "__rtruediv__", "__itruediv__"),
            (Xor, "XOR", "^", "^=", "__xor__", "__rxor__", "__ixor__"),
        }
    };
}

macro_rules! define_binary_ops {
    ($(($op:ident, $nb:literal, $sym:literal, $isym:literal,
        $method:literal, $reflected:literal, $inplace:literal),)*) => {
        /// A binary operator: BINARY_OP's oparg is its number, plus [`BinaryOp::INPLACE`]
        /// for the augmented assignment (`NB_ADD` … `NB_XOR`, `NB_INPLACE_ADD` …
        /// `NB_INPLACE_XOR`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BinaryOp {
            $($op,)*
        }

        impl BinaryOp {
            /// Every operator, in `NB_*` order.
            pub const ALL: &'static [BinaryOp] = &[$(BinaryOp::$op,)*];

            /// The operator as Python source writes it (`+`).
            pub fn symbol(self) -> &'static str {
                match self {
                    $(BinaryOp::$op => $sym,)*
                }
            }

            /// The augmented assignment (`+=`).
            pub fn inplace_symbol(self) -> &'static str {
                match self {
                    $(BinaryOp::$op => $isym,)*
                }
            }

            /// CPython's name for the oparg (`NB_ADD`, `NB_INPLACE_ADD`).
            pub fn nb_name(self, inplace: bool) -> &'static str {
                match (self, inplace) {
                    $((BinaryOp::$op, false) => concat!("NB_", $nb),
                      (BinaryOp::$op, true) => concat!("NB_INPLACE_", $nb),)*
                }
            }

            /// `(method, reflected method, in-place method)`: `__add__`, `__radd__`,
            /// `__iadd__`.
            pub fn methods(self) -> (&'static str, &'static str, &'static str) {
                match self {
                    $(BinaryOp::$op => ($method, $reflected, $inplace),)*
                }
            }
        }
    };
}

for_each_binary_op!(define_binary_ops);

impl BinaryOp {
    /// The first in-place oparg (`NB_INPLACE_ADD`).
    pub const INPLACE: u32 = 13;

    /// BINARY_OP's oparg for this operator.
    pub fn oparg(self, inplace: bool) -> u32 {
        self as u32 + if inplace { Self::INPLACE } else { 0 }
    }

    /// The operator and whether it is the in-place form; `None` past `NB_INPLACE_XOR`.
    pub fn from_oparg(oparg: u32) -> Option<(BinaryOp, bool)> {
        let inplace = oparg >= Self::INPLACE;
        let index = if inplace {
            oparg - Self::INPLACE
        } else {
            oparg
        };
        Self::ALL.get(index as usize).map(|&op| (op, inplace))
    }

    /// What `dis` prints for BINARY_OP `oparg` (`+`, `+=`; `dis._nb_ops[oparg][1]`).
    pub fn dis(oparg: u32) -> Option<&'static str> {
        Self::from_oparg(oparg).map(|(op, inplace)| {
            if inplace {
                op.inplace_symbol()
            } else {
                op.symbol()
            }
        })
    }
}

/// A rich comparison (CPython `Py_LT` … `Py_GE`, `opcode.cmp_op`). COMPARE_OP's oparg is
/// `(index << 4) | mask`: 3.12's compiler stores in the low bits the outcomes for which
/// the comparison is true (`compare_masks` in `compile.c`, for the specialised forms);
/// the base instruction reads only `oparg >> 4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
}

/// The low bits of COMPARE_OP (`COMPARISON_*` in `pycore_code.h`).
pub mod comparison {
    pub const UNORDERED: u32 = 1;
    pub const LESS_THAN: u32 = 2;
    pub const GREATER_THAN: u32 = 4;
    pub const EQUALS: u32 = 8;
    pub const NOT_EQUALS: u32 = UNORDERED | LESS_THAN | GREATER_THAN;
}

impl CompareOp {
    /// In `cmp_op` order.
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
    ];

    /// `opcode.cmp_op[self]`.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// `compare_masks[self]`.
    pub fn mask(self) -> u32 {
        use comparison::*;
        match self {
            CompareOp::Lt => LESS_THAN,
            CompareOp::Le => LESS_THAN | EQUALS,
            CompareOp::Eq => EQUALS,
            CompareOp::Ne => NOT_EQUALS,
            CompareOp::Gt => GREATER_THAN,
            CompareOp::Ge => GREATER_THAN | EQUALS,
        }
    }

    /// The special method (`__lt__`).
    pub fn method(self) -> &'static str {
        match self {
            CompareOp::Lt => "__lt__",
            CompareOp::Le => "__le__",
            CompareOp::Eq => "__eq__",
            CompareOp::Ne => "__ne__",
            CompareOp::Gt => "__gt__",
            CompareOp::Ge => "__ge__",
        }
    }

    /// The comparison with its operands swapped (`_Py_SwappedOp`): what the right operand
    /// is asked when the left one does not know.
    pub fn swapped(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Eq => CompareOp::Eq,
            CompareOp::Ne => CompareOp::Ne,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
        }
    }

    /// Whether the comparison holds for two operands ordered `ordering`.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CompareOp::Lt => ordering == Less,
            CompareOp::Le => ordering != Greater,
            CompareOp::Eq => ordering == Equal,
            CompareOp::Ne => ordering != Equal,
            CompareOp::Gt => ordering == Greater,
            CompareOp::Ge => ordering != Less,
        }
    }

    /// COMPARE_OP's oparg, as 3.12's `compiler_addcompare` emits it.
    pub fn oparg(self) -> u32 {
        ((self as u32) << 4) | self.mask()
    }

    /// The comparison COMPARE_OP `oparg` performs (`oparg >> 4`).
    pub fn from_oparg(oparg: u32) -> Option<CompareOp> {
        Self::ALL.get((oparg >> 4) as usize).copied()
    }
}

/// `intrinsics!(Enum, "what"; (Variant, number, "NAME"), …)`: one table of intrinsic
/// functions (CPython `pycore_intrinsics.h`; the names are what `dis` prints).
macro_rules! intrinsics {
    ($(#[$doc:meta])* $enum:ident; $(($v:ident, $n:literal, $name:literal),)*) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $enum {
            $($v = $n,)*
        }

        impl $enum {
            /// Every intrinsic, by number.
            pub const ALL: &'static [$enum] = &[$($enum::$v,)*];

            /// The intrinsic the oparg names.
            pub fn from_oparg(oparg: u32) -> Option<$enum> {
                match oparg {
                    $($n => Some($enum::$v),)*
                    _ => None,
                }
            }

            /// CPython's name (`INTRINSIC_PRINT`), as `dis` prints it.
            pub fn name(self) -> &'static str {
                match self {
                    $($enum::$v => $name,)*
                }
            }
        }
    };
}

intrinsics! {
    /// CALL_INTRINSIC_1's functions (`_PyIntrinsics_UnaryFunctions`).
    Intrinsic1;
    (Invalid, 0, "INTRINSIC_1_INVALID"),
    (Print, 1, "INTRINSIC_PRINT"),
    (ImportStar, 2, "INTRINSIC_IMPORT_STAR"),
    (StopIterationError, 3, "INTRINSIC_STOPITERATION_ERROR"),
    (AsyncGenWrap, 4, "INTRINSIC_ASYNC_GEN_WRAP"),
    (UnaryPositive, 5, "INTRINSIC_UNARY_POSITIVE"),
    (ListToTuple, 6, "INTRINSIC_LIST_TO_TUPLE"),
    (TypeVar, 7, "INTRINSIC_TYPEVAR"),
    (ParamSpec, 8, "INTRINSIC_PARAMSPEC"),
    (TypeVarTuple, 9, "INTRINSIC_TYPEVARTUPLE"),
    (SubscriptGeneric, 10, "INTRINSIC_SUBSCRIPT_GENERIC"),
    (TypeAlias, 11, "INTRINSIC_TYPEALIAS"),
}

intrinsics! {
    /// CALL_INTRINSIC_2's functions (`_PyIntrinsics_BinaryFunctions`).
    Intrinsic2;
    (Invalid, 0, "INTRINSIC_2_INVALID"),
    (PrepReraiseStar, 1, "INTRINSIC_PREP_RERAISE_STAR"),
    (TypeVarWithBound, 2, "INTRINSIC_TYPEVAR_WITH_BOUND"),
    (TypeVarWithConstraints, 3, "INTRINSIC_TYPEVAR_WITH_CONSTRAINTS"),
    (SetFunctionTypeParams, 4, "INTRINSIC_SET_FUNCTION_TYPE_PARAMS"),
}

/// RESUME's oparg: where the frame starts or resumes. 3.12's `compile.c` writes the
/// numbers (3.13 names them `RESUME_AT_FUNC_START` …); `_PyGen_yf` reads "2 or more" as
/// "suspended in `yield from` / `await`".
pub mod resume {
    /// The start of the code.
    pub const AT_FUNC_START: u32 = 0;
    /// After a `yield`.
    pub const AFTER_YIELD: u32 = 1;
    /// After the YIELD_VALUE of a `yield from`.
    pub const AFTER_YIELD_FROM: u32 = 2;
    /// After the YIELD_VALUE of an `await`.
    pub const AFTER_AWAIT: u32 = 3;

    /// Whether a frame about to run RESUME `oparg` is suspended delegating to a
    /// sub-iterator.
    pub fn is_delegating(oparg: u32) -> bool {
        oparg >= AFTER_YIELD_FROM
    }
}

/// GET_AWAITABLE's oparg: what produced the awaitable, for the TypeError when it is not
/// one (`format_awaitable_error` in `Python/ceval.c`).
pub mod awaitable {
    /// An `await` expression (or an async comprehension's result).
    pub const AWAIT: u32 = 0;
    /// `__aenter__` of an `async with`.
    pub const AENTER: u32 = 1;
    /// `__aexit__` of an `async with`.
    pub const AEXIT: u32 = 2;
}

/// FORMAT_VALUE's oparg (`FVC_*`, `FVS_*` in `Include/ceval.h`): the conversion in the low
/// two bits, and whether a format spec is on the stack.
pub mod format_value {
    pub const FVC_MASK: u32 = 0x3;
    pub const FVC_NONE: u32 = 0x0;
    pub const FVC_STR: u32 = 0x1;
    pub const FVC_REPR: u32 = 0x2;
    pub const FVC_ASCII: u32 = 0x3;
    pub const FVS_HAVE_SPEC: u32 = 0x4;

    /// The conversion's name as `dis` prints it (`dis.FORMAT_VALUE_CONVERTERS`), by
    /// `FVC_*` value; empty for none.
    pub const CONVERTERS: [&str; 4] = ["", "str", "repr", "ascii"];

    /// What `dis` prints: the conversion, then "with format" when there is a spec.
    pub fn dis(oparg: u32) -> String {
        let mut parts = Vec::new();
        let conversion = CONVERTERS[(oparg & FVC_MASK) as usize];
        if !conversion.is_empty() {
            parts.push(conversion);
        }
        if oparg & FVS_HAVE_SPEC != 0 {
            parts.push("with format");
        }
        parts.join(", ")
    }
}

/// MAKE_FUNCTION's oparg: which optional values are on the stack under the code object
/// (`MAKE_FUNCTION_*` in 3.12's `compile.c` and `ceval.c`, `dis.MAKE_FUNCTION_FLAGS`).
pub mod make_function {
    pub const DEFAULTS: u32 = 0x01;
    pub const KWDEFAULTS: u32 = 0x02;
    pub const ANNOTATIONS: u32 = 0x04;
    pub const CLOSURE: u32 = 0x08;

    /// The flags' names as `dis` prints them, bit by bit.
    pub const FLAGS: [&str; 4] = ["defaults", "kwdefaults", "annotations", "closure"];

    /// What `dis` prints: the names of the flags set.
    pub fn dis(oparg: u32) -> String {
        FLAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| oparg & (1 << i) != 0)
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The oparg of LOAD_GLOBAL and LOAD_ATTR: a `co_names` index shifted left by one, and a
/// low bit that asks LOAD_GLOBAL to push NULL first and LOAD_ATTR for the method form
/// (`NULL|self`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameArg {
    pub name: u32,
    pub flag: bool,
}

impl NameArg {
    pub fn decode(oparg: u32) -> NameArg {
        NameArg {
            name: oparg >> 1,
            flag: oparg & 1 == 1,
        }
    }

    pub fn encode(self) -> u32 {
        (self.name << 1) | u32::from(self.flag)
    }
}

/// LOAD_SUPER_ATTR's oparg: a `co_names` index shifted left by two; bit 0 the method form,
/// bit 1 set when the source called `super` with two arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuperAttrArg {
    pub name: u32,
    pub method: bool,
    pub two_args: bool,
}

impl SuperAttrArg {
    pub fn decode(oparg: u32) -> SuperAttrArg {
        SuperAttrArg {
            name: oparg >> 2,
            method: oparg & 1 == 1,
            two_args: oparg & 2 == 2,
        }
    }

    pub fn encode(self) -> u32 {
        (self.name << 2) | (u32::from(self.two_args) << 1) | u32::from(self.method)
    }
}

/// UNPACK_EX's oparg: how many targets come before the starred one (low byte) and after it
/// (the bits above).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnpackExArg {
    pub before: u32,
    pub after: u32,
}

impl UnpackExArg {
    pub fn decode(oparg: u32) -> UnpackExArg {
        UnpackExArg {
            before: oparg & 0xFF,
            after: oparg >> 8,
        }
    }

    pub fn encode(self) -> u32 {
        self.before | (self.after << 8)
    }
}
