//! Runs the adapter's own test-suite (harness/adapter/test_adapter.py) under CPython 3.12,
//! and under every other CPython 3.8–3.13 that is installed, since the adapter promises to
//! work unchanged on all of them.

use std::path::Path;
use std::process::Command;

use framespec::python;

#[test]
fn the_adapter_test_suite_passes_on_every_installed_cpython() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapter/test_adapter.py");
    let mut ran = Vec::new();
    for version in ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"] {
        let Some(python) = python::find(version) else {
            assert!(
                version != python::REFERENCE_VERSION
                    || std::env::var_os("FRAMESPEC_ALLOW_NO_CPYTHON").is_some(),
                "this test needs python3.12 ($FRAMESPEC_PYTHON, pyenv or PATH)"
            );
            continue;
        };
        let out = Command::new(&python)
            .arg(&script)
            .output()
            .expect("the interpreter runs");
        assert!(
            out.status.success(),
            "adapter tests failed on {}:\n{}\n{}",
            python.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran.push(version);
    }
    println!("adapter tests passed on CPython {}", ran.join(", "));
}
