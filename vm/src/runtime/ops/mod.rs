//! Opcode semantics, one family per file, one function per opcode (the way CPython's
//! Python/bytecodes.c states each instruction once). Each function's comment gives the
//! stack effect `(inputs -- outputs)` and the spec clause it implements.

pub mod attrs;
pub mod calls;
pub mod containers;
pub mod control;
pub mod coroutines;
pub mod exceptions;
pub mod generators;
pub mod imports;
pub mod names;
pub mod operators;
pub mod patterns;
pub mod stack;
