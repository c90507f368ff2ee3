//! Every `.pyc` CPython 3.12 wrote for its own standard library (`Lib/**/__pycache__`, the
//! optimised `opt-1` and `opt-2` ones too; `site-packages` left out) verifies
//! (`framespec_vm::verify_module`): the verifier accepts the bytecode of CPython's own
//! compiler, not only framespec's (`tests/verify.rs`).

mod cpython_code;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use cpython_code::cpython;
use libtest_mimic::Failed;

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial(
        "every_pyc_of_cpython_lib_verifies",
        every_pyc_of_cpython_lib_verifies,
    )])
}

/// The `.pyc` files under `dir`, sorted.
fn pycs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "site-packages") {
                pycs(&path, out);
            }
        } else if path.extension().is_some_and(|x| x == "pyc") {
            out.push(path);
        }
    }
}

fn every_pyc_of_cpython_lib_verifies(python: &Path) -> Result<(), Failed> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()?;
    let stdlib = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let mut files = Vec::new();
    pycs(&stdlib, &mut files);
    files.sort();
    let mut verified = 0;
    let mut rejected = Vec::new();
    for file in &files {
        let data = std::fs::read(file)?;
        // What the reader cannot represent is marshal_errors.rs's concern.
        let Ok(code) = framespec_vm::marshal::read_pyc(&data) else {
            continue;
        };
        match framespec_vm::verify_module(&code) {
            Ok(()) => verified += 1,
            Err(e) => rejected.push(format!("{}: {e}", file.display())),
        }
    }
    if verified < 1000 {
        return Err(format!("only {verified} .pyc files under {}", stdlib.display()).into());
    }
    if !rejected.is_empty() {
        return Err(format!(
            "{} of {} .pyc files do not verify:\n{}",
            rejected.len(),
            rejected.len() + verified,
            rejected.join("\n")
        )
        .into());
    }
    Ok(())
}
