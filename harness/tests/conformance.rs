//! `cargo test` integration: every case under cases/ is a libtest-mimic trial per target,
//! named `TARGET::CASE_ID` (`reference::frames/f_back/chain`, `cpython-3.12::…`), so the
//! usual filters, `--list`, `--exact` and nextest all work.
//!
//! Listing reads only file names; a trial loads and runs its case when it runs. Without a
//! CPython 3.12 the cpython trials are listed as ignored (the reason is printed first);
//! with FRAMESPEC_REQUIRE_CPYTHON=1 a missing interpreter is a failing trial instead.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use framespec::cpython::Cpython;
use framespec::python::{self, REFERENCE_VERSION};
use framespec::runner::{self, collect, run_one, CaseFile};
use framespec::{Reference, Target};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let files = match collect(&[runner::default_cases_dir()]) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("cannot list the cases: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut trials = Vec::new();

    let reference: Arc<dyn Target> = Arc::new(Reference::default());
    trials.extend(
        files
            .iter()
            .map(|file| trial("reference", &reference, file)),
    );

    let cpython_name = format!("cpython-{REFERENCE_VERSION}");
    let required = std::env::var_os("FRAMESPEC_REQUIRE_CPYTHON").is_some_and(|v| v == "1");
    match python::find(REFERENCE_VERSION) {
        Some(python) => {
            // The target is made on first use, so `--list` never starts an interpreter.
            let lazy: Arc<LazyCpython> = Arc::new(LazyCpython {
                python,
                cell: OnceLock::new(),
            });
            for file in &files {
                let lazy = Arc::clone(&lazy);
                let file = file.clone();
                trials.push(Trial::test(
                    format!("{cpython_name}::{}", file.id),
                    move || {
                        let target = lazy.get().map_err(Failed::from)?;
                        verdict(run_one(target, &file), &file, "cpython")
                    },
                ));
            }
        }
        None if required => {
            trials.push(Trial::test(
                format!("{cpython_name}::interpreter"),
                move || {
                    Err(format!(
                        "FRAMESPEC_REQUIRE_CPYTHON=1 but no python{REFERENCE_VERSION} was found \
                     ($FRAMESPEC_PYTHON, $(pyenv root)/versions, PATH)"
                    )
                    .into())
                },
            ));
        }
        None => {
            eprintln!(
                "note: no python{REFERENCE_VERSION} found ($FRAMESPEC_PYTHON, pyenv, PATH): \
                 the {cpython_name} trials are ignored"
            );
            trials.extend(files.iter().map(|file| {
                Trial::test(format!("{cpython_name}::{}", file.id), || Ok(()))
                    .with_ignored_flag(true)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}

fn trial(name: &str, target: &Arc<dyn Target>, file: &CaseFile) -> Trial {
    let target = Arc::clone(target);
    let file = file.clone();
    let flag = name.to_owned();
    Trial::test(format!("{name}::{}", file.id), move || {
        verdict(run_one(target.as_ref(), &file), &file, &flag)
    })
}

fn verdict(outcome: framespec::Outcome, file: &CaseFile, target_flag: &str) -> Result<(), Failed> {
    if !outcome.failed() {
        return Ok(());
    }
    let mut message = format!("{} ({})\n{outcome}", file.path.display(), outcome.label());
    message.push_str(&format!(
        "\nre-run: cargo run -p framespec -- run {} --target {target_flag}",
        file.path.display()
    ));
    if target_flag == "cpython" {
        message.push_str(&format!(
            "\nif CPython {REFERENCE_VERSION} is right and the case is stale: cargo run -p framespec -- bless {}",
            file.path.display()
        ));
    }
    Err(message.into())
}

/// A CPython target created on first use and shared by every trial.
struct LazyCpython {
    python: std::path::PathBuf,
    cell: OnceLock<Result<Cpython, String>>,
}

impl LazyCpython {
    fn get(&self) -> Result<&Cpython, String> {
        self.cell
            .get_or_init(|| Cpython::new(&self.python, Duration::from_secs(10)))
            .as_ref()
            .map_err(Clone::clone)
    }
}
