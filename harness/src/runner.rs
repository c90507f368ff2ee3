//! Running cases: one case on one target, whole suites in parallel, and blessing.

use std::path::{Path, PathBuf};

use framespec_spec::{discover, load, replace_expect, replace_versions, Expectation};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::compare::{expectation_from, judge, mib, override_from, Outcome};
use crate::expectations::Expectations;
use crate::observe::RunEnd;
use crate::python::REFERENCE_VERSION;
use crate::target::{Channel, Target};

/// A case file found on disk, not yet loaded.
#[derive(Clone, Debug)]
pub struct CaseFile {
    pub id: String,
    pub path: PathBuf,
}

/// The `cases/` directory of this checkout (the default when no paths are given).
pub fn default_cases_dir() -> PathBuf {
    let here = PathBuf::from("cases");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("cases")
}

/// Every case file under `paths`, sorted by id; a path that cannot be read is an error.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<CaseFile>, framespec_spec::Error> {
    let mut files = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(framespec_spec::Error {
                path: path.clone(),
                line: 1,
                column: 1,
                message: "no such file or directory".to_owned(),
            });
        }
        files.extend(
            discover(path)?
                .into_iter()
                .map(|(id, path)| CaseFile { id, path }),
        );
    }
    files.sort_by(|a, b| a.id.cmp(&b.id));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

/// Loads and runs one case on `target`, judged with the target's expectations file if it
/// has one.
pub fn run_one(
    target: &dyn Target,
    file: &CaseFile,
    expectations: Option<&Expectations>,
) -> Outcome {
    if let Some(why) = expectations.and_then(|e| e.skip_reason(&file.id)) {
        return Outcome::Skipped(why.to_owned());
    }
    let outcome = run_unlisted(target, file);
    match expectations {
        Some(e) => e.apply(&file.id, outcome),
        None => outcome,
    }
}

/// Loads and runs one case on `target`, as if it had no expectations file.
fn run_unlisted(target: &dyn Target, file: &CaseFile) -> Outcome {
    let case = match load(&file.id, &file.path) {
        Ok(case) => case,
        Err(err) => return Outcome::Invalid(err),
    };
    if let Err(err) = crate::bytecode::assemble(&case) {
        return Outcome::Invalid(err);
    }
    if let Some(Err(why)) = target.version().map(|v| case.applies_to(&v)) {
        return Outcome::NotApplicable(why);
    }
    let version = target.version().filter(|v| v != REFERENCE_VERSION);
    // A channel the target cannot observe is neither asked for nor compared: the case is
    // judged on the channels it has, and is not applicable if those agree.
    let mut missing = Vec::new();
    let mut case = case;
    if case.trace && !target.observes(Channel::Trace) {
        case.trace = false;
        missing.push(Channel::Trace.name());
    }
    if !case.snapshot_lines.is_empty() && !target.observes(Channel::Snapshots) {
        case.snapshot_lines.clear();
        missing.push(Channel::Snapshots.name());
    }
    if case.internals && (case.snapshot_lines.is_empty() || !target.observes(Channel::Internals)) {
        case.internals = false;
        missing.push(Channel::Internals.name());
    }
    match judge(&case, version.as_deref(), target.run(&case)) {
        Outcome::Pass if !missing.is_empty() => Outcome::NotApplicable(format!(
            "{} cannot observe the {} channel (the others agree)",
            target.name(),
            missing.join(" and ")
        )),
        outcome => outcome,
    }
}

/// The result of one case in a suite run.
#[derive(Debug)]
pub struct Report {
    pub target: String,
    /// The `--target` value that re-runs it (`reference`, `python:/usr/bin/pypy3`).
    pub selector: String,
    pub file: CaseFile,
    pub outcome: Outcome,
}

/// A target with its expectations file, if it has one.
#[derive(Clone, Copy)]
pub struct Run<'a> {
    pub target: &'a dyn Target,
    pub expectations: Option<&'a Expectations>,
}

/// Runs every case on every target in parallel (rayon), with a progress bar when stderr is
/// a terminal. Reports come back in (target, id) order.
pub fn run_suite(runs: &[Run<'_>], files: &[CaseFile]) -> Vec<Report> {
    let jobs: Vec<(Run<'_>, &CaseFile)> = runs
        .iter()
        .flat_map(|r| files.iter().map(move |f| (*r, f)))
        .collect();
    let bar = ProgressBar::with_draw_target(Some(jobs.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let reports = jobs
        .par_iter()
        .map(|(run, file)| {
            let outcome = run_one(run.target, file, run.expectations);
            bar.inc(1);
            Report {
                target: run.target.name(),
                selector: run.target.selector(),
                file: (*file).clone(),
                outcome,
            }
        })
        .collect();
    bar.finish_and_clear();
    reports
}

/// What blessing did to one file.
#[derive(Debug)]
pub enum Blessed {
    Updated,
    Unchanged,
    /// The case needs an API the interpreter's version lacks; nothing to record.
    NotApplicable(String),
    Failed(String),
}

/// Records `file`'s expectations from `target`, rewriting only the file's `expect:` block
/// (CPython 3.12) or its `versions:` entry for the target's version (any other CPython).
pub fn bless_one(target: &dyn Target, file: &CaseFile) -> Blessed {
    let case = match load(&file.id, &file.path) {
        Ok(case) => case,
        Err(err) => return Blessed::Failed(err.to_string()),
    };
    if let Err(err) = crate::bytecode::assemble(&case) {
        return Blessed::Failed(err.to_string());
    }
    let text = match std::fs::read_to_string(&file.path) {
        Ok(text) => text,
        Err(e) => return Blessed::Failed(format!("cannot read: {e}")),
    };
    let version = target
        .version()
        .unwrap_or_else(|| REFERENCE_VERSION.to_owned());
    // The internals channel exists where the target reports it (CPython 3.12): elsewhere
    // there is nothing to record for it, and 3.12 itself must report it.
    let mut case = case;
    if case.internals && !target.observes(Channel::Internals) {
        if version == REFERENCE_VERSION {
            return Blessed::Failed(format!(
                "{} does not report the internals channel",
                target.name()
            ));
        }
        case.internals = false;
    }
    let mut versions = case.versions.clone();
    let new = if let Err(why) = case.applies_to(&version) {
        // Nothing to record where the program's API is missing; an override left from
        // before would be stale.
        if versions.remove(&version).is_none() {
            return Blessed::NotApplicable(why);
        }
        replace_versions(&text, &versions)
    } else {
        let observation = match target.run(&case) {
            RunEnd::Finished(observation) => observation,
            RunEnd::Timeout { seconds } => {
                return Blessed::Failed(format!("timeout after {seconds:.1} s"))
            }
            RunEnd::OutOfFuel { instructions } => {
                return Blessed::Failed(format!("out of fuel after {instructions}"))
            }
            RunEnd::OutOfMemory { limit_bytes } => {
                return Blessed::Failed(format!("out of memory beyond {}", mib(limit_bytes)))
            }
            RunEnd::Unsupported { feature, location } => {
                return Blessed::Failed(format!("{location}: {feature} is not supported"))
            }
            RunEnd::Crash(detail) => return Blessed::Failed(detail),
            RunEnd::NotApplicable(why) => return Blessed::NotApplicable(why),
        };
        if version == REFERENCE_VERSION {
            // CPython 3.12 records the expectation itself.
            replace_expect(&text, &expectation_from(&case, &observation))
        } else {
            // Another version records only where it differs from 3.12, as an override.
            match override_from(&case, &case.expect, &observation) {
                Ok(over) if over == Expectation::default() => {
                    versions.remove(&version);
                }
                Ok(over) => {
                    versions.insert(version, over);
                }
                Err(why) => return Blessed::Failed(why),
            }
            replace_versions(&text, &versions)
        }
    };
    if new == text {
        return Blessed::Unchanged;
    }
    match std::fs::write(&file.path, new) {
        Ok(()) => Blessed::Updated,
        Err(e) => Blessed::Failed(format!("cannot write: {e}")),
    }
}
