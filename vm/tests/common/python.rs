//! Finding CPython 3.12 for the VM's tests, shared by `tests/support` (compiler tests) and
//! `tests/cpython_code` (evaluator tests).

use std::path::{Path, PathBuf};
use std::process::Command;

/// CPython 3.12: `$FRAMESPEC_PYTHON`, `$(pyenv root)/versions/3.12*/bin/python3.12`, or
/// `python3.12` on PATH. `Err` explains what is missing; callers fail unless
/// `FRAMESPEC_ALLOW_NO_CPYTHON=1`.
pub fn find_python() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("FRAMESPEC_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let root = Command::new("pyenv")
        .arg("root")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.pyenv")));
    if let Some(root) = root {
        if let Ok(entries) = std::fs::read_dir(Path::new(&root).join("versions")) {
            let mut found: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("3.12"))
                .map(|e| e.path().join("bin/python3.12"))
                .filter(|p| p.exists())
                .collect();
            found.sort();
            if let Some(p) = found.pop() {
                return Ok(p);
            }
        }
    }
    if Command::new("python3.12")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok(PathBuf::from("python3.12"));
    }
    Err("CPython 3.12 not found: set FRAMESPEC_PYTHON, install it under pyenv, or put python3.12 on PATH \
         (FRAMESPEC_ALLOW_NO_CPYTHON=1 skips these checks explicitly)"
        .to_owned())
}

/// Returns the interpreter, or `None` when it is absent and the user explicitly allowed
/// that; panics with a clear message otherwise.
pub fn python_or_skip() -> Option<PathBuf> {
    match find_python() {
        Ok(p) => Some(p),
        Err(msg) => {
            if std::env::var("FRAMESPEC_ALLOW_NO_CPYTHON").as_deref() == Ok("1") {
                eprintln!("skipping: {msg}");
                None
            } else {
                panic!("{msg}");
            }
        }
    }
}
