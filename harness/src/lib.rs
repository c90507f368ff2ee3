//! framespec's harness: runs conformance cases on targets (the reference VM in process,
//! any other implementation out of process), compares observations with expectations, and reports.
//!
//! The harness never looks inside a VM: it compares [`observe::Observation`]s.

pub mod bytecode;
pub mod compare;
pub mod compiled;
pub mod expectations;
pub mod external;
pub mod fuzzing;
pub mod matrix;
pub mod observe;
pub mod python;
pub mod report;
pub mod runner;
pub mod target;

pub use compare::Outcome;
pub use target::{Reference, Target};
