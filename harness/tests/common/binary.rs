//! Driving the `framespec` binary from a test as a user would, from the workspace root:
//! shared by the CLI-level tests (`cli.rs`, `targets.rs`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `framespec ARGS` in the workspace root.
pub fn framespec(args: &[&str]) -> Output {
    framespec_with(args, &[])
}

/// Runs `framespec ARGS` in the workspace root with extra environment variables (which
/// reach the targets it starts).
pub fn framespec_with(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_framespec"))
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(workspace())
        .output()
        .expect("the framespec binary runs")
}

/// Runs `framespec bless ARGS` on a case the test wrote itself. `bless` refuses to run
/// when `CI` is set (expectations are recorded on a developer machine), so the test's own
/// scratch case is blessed with `CI` removed from the child's environment.
pub fn framespec_blessing(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_framespec"))
        .arg("bless")
        .args(args)
        .env_remove("CI")
        .current_dir(workspace())
        .output()
        .expect("the framespec binary runs")
}

/// The workspace root (where `cases/` is).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A process's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
