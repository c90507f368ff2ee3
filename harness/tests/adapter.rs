//! Runs the adapter's own test-suite (harness/adapter/test_adapter.py) under CPython 3.12,
//! and under every other CPython 3.8–3.13 that is installed, since the adapter promises to
//! work unchanged on all of them: one trial per version (`adapter_tests::cpython-3.11`).
//! The 3.12 trial follows the shared rule for a missing CPython 3.12 (`common/cpython.rs`);
//! the other versions get a trial only when they are installed.

#[path = "common/cpython.rs"]
mod cpython;

use std::path::Path;
use std::process::{Command, ExitCode};

use cpython::python;
use framespec_spec::KNOWN_VERSIONS;
use libtest_mimic::{Failed, Trial};

fn main() -> ExitCode {
    let mut trials = vec![cpython::trial(
        format!("adapter_tests::cpython-{}", python::REFERENCE_VERSION),
        adapter_tests_pass,
    )];
    for version in KNOWN_VERSIONS
        .iter()
        .filter(|v| **v != python::REFERENCE_VERSION)
    {
        if let Some(found) = python::find(version) {
            trials.push(Trial::test(
                format!("adapter_tests::cpython-{version}"),
                move || adapter_tests_pass(&found),
            ));
        }
    }
    cpython::run(trials)
}

fn adapter_tests_pass(python: &Path) -> Result<(), Failed> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapter/test_adapter.py");
    let out = Command::new(python)
        .arg(&script)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "adapter tests failed on {}:\n{}\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .into())
}
