//! `cargo test` integration: every case under cases/ is a libtest-mimic trial per target,
//! named `TARGET::CASE_ID` (`reference::frames/f_back/chain`, `cpython-3.12::…`,
//! `pypy-3.9::…`), so the usual filters, `--list`, `--exact` and nextest (including
//! `--partition`) all work.
//!
//! Listing reads only file names and asks each other interpreter who it is (one `-c`
//! call); a trial loads and runs its case when it runs. Without a CPython 3.12 the
//! cpython-3.12 trials are reported as ignored with the reason, and with
//! FRAMESPEC_REQUIRE_CPYTHON=1 they fail with it (`common/cpython.rs`). Every other
//! CPython 3.8–3.13 that is installed gets its trials too (`cpython-3.11::…`), checked
//! against the cases' `versions` overrides; a case whose `requires` tag that version lacks
//! passes as not applicable. PyPy and RustPython, when installed, get trials judged with
//! their expectations files (`expectations/<target>.yaml`); when absent, one trial per
//! implementation is reported as ignored with the reason. `reference-cpython-compiled::…`
//! runs each case on the reference VM as CPython 3.12 compiled it (from the `.pyc` CPython
//! writes), under the CPython 3.12 rule too. `reference-settrace::…` and
//! `reference-monitoring::…` run the trace and snapshot cases on the reference VM observed
//! by the adapter's Python observers (`harness/adapter/framespec_observe.py`) inside it.

#[path = "common/cpython.rs"]
mod cpython;

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cpython::python::{self, REFERENCE_VERSION};
use framespec::compiled::{self, CpythonCompiled};
use framespec::expectations::{self, Expectations};
use framespec::external::{External, Limits};
use framespec::runner::{self, collect, run_one, CaseFile};
use framespec::{Reference, Target};
use framespec_spec::KNOWN_VERSIONS;
use framespec_vm::ObserverKind;
use libtest_mimic::{Completion, Failed, Trial};

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
            verdict(run_one(reference.as_ref(), &file, None), &file, &*reference)
        })
    }));

    // The reference VM observed by the adapter's own Python observers, on its sys.settrace
    // and as a sys.monitoring tool: the trace and snapshot cases (the others are not
    // applicable there).
    for kind in [ObserverKind::Settrace, ObserverKind::Monitoring] {
        let observed = Arc::new(Reference {
            observer: Some(kind),
            ..Reference::default()
        });
        trials.extend(files.iter().map(|file| {
            let (observed, file) = (Arc::clone(&observed), file.clone());
            Trial::test(format!("{}::{}", observed.name(), file.id), move || {
                verdict(run_one(observed.as_ref(), &file, None), &file, &*observed)
            })
        }));
    }

    // CPython 3.12 through the shared rule: ignored with the reason when it is missing.
    let reference_cpython = Arc::new(LazyTarget::new(format!("cpython-{REFERENCE_VERSION}")));
    trials.extend(files.iter().map(|file| {
        let (lazy, file) = (Arc::clone(&reference_cpython), file.clone());
        cpython::trial(
            format!("cpython-{REFERENCE_VERSION}::{}", file.id),
            move |python| {
                let (target, expectations) = lazy.get(python)?;
                verdict(run_one(target, &file, expectations), &file, target)
            },
        )
    }));
    // The reference VM on CPython 3.12's bytecode: no expectations file, like the reference.
    let compiled_target: Arc<OnceLock<Result<CpythonCompiled, String>>> = Arc::default();
    trials.extend(files.iter().map(|file| {
        let (lazy, file) = (Arc::clone(&compiled_target), file.clone());
        cpython::trial(format!("{}::{}", compiled::NAME, file.id), move |python| {
            let made = lazy.get_or_init(|| CpythonCompiled::new(python, Reference::default()));
            let target = made.as_ref().map_err(|why| Failed::from(why.clone()))?;
            verdict(run_one(target, &file, None), &file, target)
        })
    }));
    // Every other CPython that is installed checks the cases' `versions` overrides, so they
    // cannot go stale unnoticed.
    for version in KNOWN_VERSIONS.iter().filter(|v| **v != REFERENCE_VERSION) {
        if let Some(python) = python::find(version) {
            trials.extend(interpreter_trials(
                &format!("cpython-{version}"),
                &python,
                &files,
            ));
        }
    }
    // Other implementations, with their expectations files.
    for (label, _, _) in python::OTHER_IMPLEMENTATIONS {
        let found = python::locate_other(label).and_then(|path| {
            let (name, language) = python::probe_identity(&path)?;
            Ok((format!("{name}-{language}"), path))
        });
        match found {
            Ok((name, path)) => trials.extend(interpreter_trials(&name, &path, &files)),
            Err(why) => trials.push(Trial::ignorable_test(*label, move || {
                Ok(Completion::ignored_with(why))
            })),
        }
    }
    cpython::run(trials)
}

/// One trial per case on the interpreter at `python`, named `name::CASE`. The target is
/// made on first use, so `--list` never starts the adapter.
fn interpreter_trials(name: &str, python: &Path, files: &[CaseFile]) -> Vec<Trial> {
    let lazy = Arc::new(LazyTarget::new(name.to_owned()));
    let python = Arc::new(python.to_path_buf());
    files
        .iter()
        .map(|file| {
            let (lazy, python) = (Arc::clone(&lazy), Arc::clone(&python));
            let file = file.clone();
            Trial::test(format!("{name}::{}", file.id), move || {
                let (target, expectations) = lazy.get(&python)?;
                verdict(run_one(target, &file, expectations), &file, target)
            })
        })
        .collect()
}

/// `Ok` for a pass (or a case that does not apply, an expected failure, a skipped case);
/// otherwise the outcome with the commands that re-run it and, for CPython, re-record it.
fn verdict(
    outcome: framespec::Outcome,
    file: &CaseFile,
    target: &dyn Target,
) -> Result<(), Failed> {
    if !outcome.failed() {
        return Ok(());
    }
    let path = file.path.display();
    let selector = target.selector();
    let mut message = format!(
        "{path} ({})\n{outcome}\nre-run: cargo run -p framespec -- run {path} --target {selector}",
        outcome.label()
    );
    if let Some(python) = selector.strip_prefix("python:") {
        if target.name().starts_with("cpython-") {
            message.push_str(&format!(
                "\nif that CPython is right and the case is stale: cargo run -p framespec -- bless {path} --python {python}"
            ));
        }
    }
    Err(message.into())
}

/// The adapter under one interpreter, started on first use and shared by every trial of
/// that interpreter, with its expectations file.
struct LazyTarget {
    /// The name the trials were listed under.
    listed: String,
    cell: OnceLock<Result<(External, Option<Expectations>), String>>,
}

impl LazyTarget {
    fn new(listed: String) -> LazyTarget {
        LazyTarget {
            listed,
            cell: OnceLock::new(),
        }
    }

    fn get(&self, python: &Path) -> Result<(&External, Option<&Expectations>), Failed> {
        let made = self.cell.get_or_init(|| {
            let limits = Limits {
                timeout: Duration::from_secs(10),
                ..Limits::default()
            };
            let target = External::python(python, limits)?;
            let name = target.name();
            if name != self.listed {
                return Err(format!(
                    "{} introduced itself as {name}, listed as {}",
                    python.display(),
                    self.listed
                ));
            }
            let expectations = Expectations::load(&expectations::default_dir(), &name)?;
            Ok((target, expectations))
        });
        match made {
            Ok((target, expectations)) => Ok((target, expectations.as_ref())),
            Err(why) => Err(why.clone().into()),
        }
    }
}
