//! framespec's case format (spec/INTERPRETING.md): the Rust types of a case, loading them
//! from YAML, validating them against the clause and tag registries, and writing blessed
//! expectations back without disturbing what a person wrote.
//!
//! A case is data: nothing here knows how a target runs it.

mod bless;
mod case;
mod error;
mod registry;

pub use bless::{emit_expect, replace_expect, replace_versions};
pub use case::{
    discover, load, load_str, Bytecode, Case, Expectation, ExpectedException, KNOWN_VERSIONS,
};
pub use error::Error;
pub use registry::{clause_ids, clauses, tags, version_key, Tag, RUNNER_CONTRACT_VERSION};
