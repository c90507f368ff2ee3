//! `cargo test` integration: every case under cases/ is a libtest-mimic trial per target,
//! named `TARGET::CASE_ID` (`reference::frames/f_back/chain`, `cpython-3.12::…`), so the
//! usual filters, `--list`, `--exact` and nextest all work.
//!
//! Listing reads only file names; a trial loads and runs its case when it runs. Without a
//! CPython 3.12 the cpython-3.12 trials are reported as ignored with the reason, and with
//! FRAMESPEC_REQUIRE_CPYTHON=1 they fail with it (`common/cpython.rs`).
//! Every other CPython 3.8–3.13 that is installed gets its trials too (`cpython-3.11::…`),
//! checked against the cases' `versions` overrides; a case whose `requires` tag that
//! version lacks passes as not applicable.

#[path = "common/cpython.rs"]
mod cpython;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cpython::python::{self, REFERENCE_VERSION};
use framespec::cpython::Cpython;
use framespec::runner::{self, collect, run_one, CaseFile};
use framespec::Reference;
use framespec_spec::KNOWN_VERSIONS;
use libtest_mimic::{Failed, Trial};

fn main() -> ExitCode {
    let files = match collect(&[runner::default_cases_dir()]) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("cannot list the cases: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut trials = Vec::new();

    let reference = Arc::new(Reference::default());
    trials.extend(files.iter().map(|file| {
        let (reference, file) = (Arc::clone(&reference), file.clone());
        Trial::test(format!("reference::{}", file.id), move || {
            verdict(run_one(reference.as_ref(), &file), &file, None)
        })
    }));

    // CPython 3.12 through the shared rule: ignored with the reason when it is missing.
    let reference_cpython = Arc::new(LazyCpython::default());
    trials.extend(files.iter().map(|file| {
        let (lazy, file) = (Arc::clone(&reference_cpython), file.clone());
        cpython::trial(
            format!("cpython-{REFERENCE_VERSION}::{}", file.id),
            move |python| {
                let target = lazy.get(python).map_err(Failed::from)?;
                verdict(run_one(target, &file), &file, Some(target.python()))
            },
        )
    }));
    // Every other CPython that is installed checks the cases' `versions` overrides, so they
    // cannot go stale unnoticed.
    for version in KNOWN_VERSIONS.iter().filter(|v| **v != REFERENCE_VERSION) {
        if let Some(python) = python::find(version) {
            trials.extend(cpython_trials(version, python, &files));
        }
    }
    cpython::run(trials)
}

/// One trial per case on the CPython at `python`. The target is made on first use, so
/// `--list` never starts an interpreter.
fn cpython_trials(version: &str, python: PathBuf, files: &[CaseFile]) -> Vec<Trial> {
    let lazy = Arc::new(LazyCpython::default());
    let python = Arc::new(python);
    files
        .iter()
        .map(|file| {
            let (lazy, python) = (Arc::clone(&lazy), Arc::clone(&python));
            let file = file.clone();
            Trial::test(format!("cpython-{version}::{}", file.id), move || {
                let target = lazy.get(&python).map_err(Failed::from)?;
                verdict(run_one(target, &file), &file, Some(target.python()))
            })
        })
        .collect()
}

/// `Ok` for a pass (or a case that does not apply); otherwise the outcome with the
/// commands that re-run it and, for CPython, re-record it.
fn verdict(
    outcome: framespec::Outcome,
    file: &CaseFile,
    python: Option<&Path>,
) -> Result<(), Failed> {
    if !outcome.failed() {
        return Ok(());
    }
    let path = file.path.display();
    let mut message = format!("{path} ({})\n{outcome}", outcome.label());
    match python {
        None => message.push_str(&format!(
            "\nre-run: cargo run -p framespec -- run {path} --target reference"
        )),
        Some(python) => {
            let python = python.display();
            message.push_str(&format!(
                "\nre-run: cargo run -p framespec -- run {path} --target cpython --python {python}\n\
                 if that CPython is right and the case is stale: cargo run -p framespec -- bless {path} --python {python}"
            ));
        }
    }
    Err(message.into())
}

/// A CPython target created on first use and shared by every trial of one version.
#[derive(Default)]
struct LazyCpython {
    cell: OnceLock<Result<Cpython, String>>,
}

impl LazyCpython {
    fn get(&self, python: &Path) -> Result<&Cpython, String> {
        self.cell
            .get_or_init(|| Cpython::new(python, Duration::from_secs(10)))
            .as_ref()
            .map_err(Clone::clone)
    }
}
