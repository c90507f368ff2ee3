//! The one rule for tests that need CPython 3.12, shared by the harness's tests and the VM's
//! (`vm/tests` includes this file with `#[path]`: the VM crate cannot depend on the harness,
//! which depends on it).
//!
//! A test that compares with CPython is a libtest-mimic trial made by [`trial`] (its test
//! target has `harness = false`). When no CPython 3.12 is found, the trial is reported as
//! `ignored (needs CPython 3.12: …)`, never as passed; with `FRAMESPEC_REQUIRE_CPYTHON=1`
//! (set by `.ci/run`) it fails with the same reason. The interpreter is found by the
//! harness's own finder (`harness/src/python.rs`, included below), as `framespec run` finds
//! it.
#![allow(dead_code)]

#[path = "../../src/python.rs"]
pub mod python;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// The environment variable that turns a missing CPython 3.12 into failing trials.
pub const REQUIRE: &str = "FRAMESPEC_REQUIRE_CPYTHON";

/// CPython 3.12, or why the tests that need it cannot run (searched once per process).
pub fn interpreter() -> Result<&'static Path, &'static str> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            python::locate(python::REFERENCE_VERSION)
                .map_err(|why| format!("needs CPython {}: {why}", python::REFERENCE_VERSION))
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(String::as_str)
}

/// Whether a missing CPython 3.12 fails the trials that need it (`FRAMESPEC_REQUIRE_CPYTHON=1`)
/// instead of ignoring them.
pub fn required() -> bool {
    std::env::var_os(REQUIRE).is_some_and(|v| v == "1")
}

/// A trial that runs `body` with CPython 3.12. Without the interpreter it is ignored with
/// the reason, or fails with it when [`required`].
pub fn trial<F>(name: impl Into<String>, body: F) -> Trial
where
    F: FnOnce(&Path) -> Result<(), Failed> + Send + 'static,
{
    Trial::ignorable_test(name, move || match interpreter() {
        Ok(python) => body(python).map(|()| Completion::Completed),
        Err(reason) if required() => Err(format!("{REQUIRE}=1, but this test {reason}").into()),
        Err(reason) => Ok(Completion::ignored_with(reason)),
    })
}

/// Runs `trials` as the test binary's `main` does, with the usual libtest arguments.
pub fn run(trials: Vec<Trial>) -> ExitCode {
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}
