//! Turning an expectation and an observation into a verdict (INTERPRETING.md §5).

use std::fmt;

use framespec_spec::{Case, Expectation, ExpectedException};
use similar::TextDiff;

use crate::observe::{normalise_with, render_internals, Observation, ObservedException, RunEnd};

/// The verdict for one case on one target.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Pass,
    /// Channels differ; one entry per differing channel.
    Fail(Vec<ChannelDiff>),
    OutOfFuel {
        instructions: u64,
    },
    /// The reference VM's heap budget ran out.
    OutOfMemory {
        limit_bytes: u64,
    },
    Timeout {
        seconds: f64,
    },
    /// The target does not implement something the case needs (`feature`, reached at
    /// `location`, `FILE:LINE:COLUMN`). Not a pass; counted apart from failures.
    Unsupported {
        feature: String,
        location: String,
    },
    /// The target crashed or broke the protocol.
    Crash(String),
    /// The case file could not be loaded.
    Invalid(framespec_spec::Error),
    /// The case needs an API this target's language version lacks (a `requires` tag), or a
    /// channel the target cannot observe (and the channels it has agree).
    NotApplicable(String),
    /// The target's expectations file lists the case as differing on these channels, and
    /// it did (only on those). Not a failure, not a pass.
    ExpectedFail {
        reason: String,
        diffs: Vec<ChannelDiff>,
    },
    /// The expectations file lists the case, and it passed: the entry at `entry`
    /// (`FILE:LINE`) is stale. A failure, so stale entries cannot pile up.
    UnexpectedPass {
        entry: String,
    },
    /// On the target's don't-run list (it hangs or crashes the target), with the reason.
    Skipped(String),
}

impl Outcome {
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// Everything but a pass and a not-applicable case counts as a failure (an
    /// unsupported verdict too: the case did not pass).
    pub fn failed(&self) -> bool {
        !matches!(
            self,
            Outcome::Pass
                | Outcome::NotApplicable(_)
                | Outcome::ExpectedFail { .. }
                | Outcome::Skipped(_)
        )
    }

    /// A short word for summaries.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::OutOfFuel { .. } => "out of fuel",
            Outcome::OutOfMemory { .. } => "out of memory",
            Outcome::Timeout { .. } => "timeout",
            Outcome::Unsupported { .. } => "unsupported",
            Outcome::Crash(_) => "crash",
            Outcome::Invalid(_) => "invalid case",
            Outcome::NotApplicable(_) => "not applicable",
            Outcome::ExpectedFail { .. } => "expected failure",
            Outcome::UnexpectedPass { .. } => "unexpected pass",
            Outcome::Skipped(_) => "skipped",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pass => write!(f, "pass"),
            Outcome::Fail(diffs) => {
                for diff in diffs {
                    write!(f, "{diff}")?;
                }
                Ok(())
            }
            Outcome::OutOfFuel { instructions } => {
                write!(
                    f,
                    "out of fuel: the program did not finish within {instructions} instructions"
                )
            }
            Outcome::OutOfMemory { limit_bytes } => write!(
                f,
                "out of memory: the program needed more than the heap budget of {}",
                mib(*limit_bytes)
            ),
            Outcome::Timeout { seconds } => write!(
                f,
                "timeout: the program did not finish within {seconds:.1} s"
            ),
            Outcome::Unsupported { feature, location } => write!(
                f,
                "unsupported: {location}: {feature} is not supported by this target"
            ),
            Outcome::Crash(detail) => write!(f, "crash: {detail}"),
            Outcome::Invalid(err) => write!(f, "{err}"),
            Outcome::NotApplicable(why) => write!(f, "not applicable: {why}"),
            Outcome::ExpectedFail { reason, diffs } => {
                writeln!(f, "expected failure: {reason}")?;
                for diff in diffs {
                    write!(f, "{diff}")?;
                }
                Ok(())
            }
            Outcome::UnexpectedPass { entry } => write!(
                f,
                "unexpected pass: the case is listed as an expected failure at {entry}, and passes; delete that entry"
            ),
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
        }
    }
}

/// A byte count for people: whole MiB when it is one (`512 MiB`), bytes otherwise.
pub fn mib(bytes: u64) -> String {
    if bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// One channel whose normalised expectation and observation differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelDiff {
    pub channel: &'static str,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for ChannelDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "channel `{}` differs (- expected, + actual):",
            self.channel
        )?;
        let diff = TextDiff::from_lines(&self.expected, &self.actual);
        write!(
            f,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .missing_newline_hint(true)
        )
    }
}

/// Compares a run's end with the case's expectation for `version` (`None`: CPython 3.12).
pub fn judge(case: &Case, version: Option<&str>, end: RunEnd) -> Outcome {
    let observation = match end {
        RunEnd::Finished(observation) => observation,
        RunEnd::OutOfFuel { instructions } => return Outcome::OutOfFuel { instructions },
        RunEnd::OutOfMemory { limit_bytes } => return Outcome::OutOfMemory { limit_bytes },
        RunEnd::Timeout { seconds } => return Outcome::Timeout { seconds },
        RunEnd::Unsupported { feature, location } => {
            return Outcome::Unsupported { feature, location }
        }
        RunEnd::Crash(detail) => return Outcome::Crash(detail),
        RunEnd::NotApplicable(why) => return Outcome::NotApplicable(why),
    };
    let diffs = compare(case, &case.expectation_for(version), &observation);
    if diffs.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(diffs)
    }
}

/// The channels of `seen` that differ from `expect`, normalised, as `judge` compares them.
pub fn compare(case: &Case, expect: &Expectation, seen: &Observation) -> Vec<ChannelDiff> {
    let mut diffs = Vec::new();
    let normalise = normaliser(case);
    let mut check = |channel, expected: String, actual: String| {
        let (expected, actual) = (normalise(&expected), normalise(&actual));
        if expected != actual {
            diffs.push(ChannelDiff {
                channel,
                expected,
                actual,
            });
        }
    };
    check(
        "stdout",
        expect.stdout.clone().unwrap_or_default(),
        seen.stdout.clone(),
    );
    let show_message = expect
        .exception
        .as_ref()
        .is_none_or(|e| e.message.is_some());
    check(
        "exception",
        render_expected_exception(expect.exception.as_ref()),
        render_observed_exception(seen.exception.as_ref(), show_message),
    );
    if case.trace {
        check(
            "trace",
            expect.trace.clone().unwrap_or_default(),
            lines(seen.trace.as_deref()),
        );
    }
    if !case.snapshot_lines.is_empty() {
        check(
            "snapshots",
            expect.snapshots.clone().unwrap_or_default(),
            seen.snapshots.clone().unwrap_or_default(),
        );
    }
    if case.internals {
        check(
            "internals",
            expect.internals.clone().unwrap_or_default(),
            render_internals(seen.internals.as_deref().unwrap_or_default()),
        );
    }
    diffs
}

/// Trace events as the text form cases store: one per line.
pub fn lines(events: Option<&[String]>) -> String {
    events
        .unwrap_or_default()
        .iter()
        .map(|e| format!("{e}\n"))
        .collect()
}

fn render_expected_exception(exc: Option<&ExpectedException>) -> String {
    match exc {
        None => "(none)\n".to_owned(),
        Some(e) => render(&e.type_name, e.message.as_deref(), &e.traceback),
    }
}

fn render_observed_exception(exc: Option<&ObservedException>, show_message: bool) -> String {
    match exc {
        None => "(none)\n".to_owned(),
        Some(e) => render(
            &e.type_name,
            show_message.then_some(e.message.as_str()),
            &e.traceback,
        ),
    }
}

fn render(type_name: &str, message: Option<&str>, traceback: &[String]) -> String {
    let mut out = format!("type: {type_name}\n");
    if let Some(message) = message {
        out.push_str(&format!("message: {message}\n"));
    }
    out.push_str(&format!("traceback: {}\n", traceback.join(" -> ")));
    out
}

/// The override of `base` that makes it `seen`'s expectation: the channels that differ, as
/// `seen` shows them. `Err` when the difference cannot be written as an override (the
/// program raises under 3.12 but completes under this version: an absent `exception` in an
/// override means "as 3.12").
pub fn override_from(
    case: &Case,
    base: &Expectation,
    seen: &Observation,
) -> Result<Expectation, String> {
    let observed = expectation_from(case, seen);
    let mut over = Expectation::default();
    for diff in compare(case, base, seen) {
        match diff.channel {
            "stdout" => over.stdout = observed.stdout.clone(),
            "exception" if observed.exception.is_none() => {
                return Err("this version completes normally where CPython 3.12 raises; an override cannot say that yet".to_owned())
            }
            "exception" => over.exception = observed.exception.clone(),
            "trace" => over.trace = observed.trace.clone(),
            "snapshots" => over.snapshots = observed.snapshots.clone(),
            "internals" => over.internals = observed.internals.clone(),
            _ => {}
        }
    }
    Ok(over)
}

/// The expectation a finished observation would bless: what CPython showed, normalised.
pub fn expectation_from(case: &Case, seen: &Observation) -> Expectation {
    let normalise = normaliser(case);
    Expectation {
        stdout: Some(normalise(&seen.stdout)),
        exception: seen.exception.as_ref().map(|e| ExpectedException {
            type_name: e.type_name.clone(),
            message: Some(normalise(&e.message)),
            traceback: e.traceback.clone(),
        }),
        trace: case.trace.then(|| normalise(&lines(seen.trace.as_deref()))),
        snapshots: (!case.snapshot_lines.is_empty())
            .then(|| normalise(&seen.snapshots.clone().unwrap_or_default())),
        internals: case.internals.then(|| {
            normalise(&render_internals(
                seen.internals.as_deref().unwrap_or_default(),
            ))
        }),
    }
}

/// INTERPRETING.md §4's normalisation for `case`'s program directory.
fn normaliser(case: &Case) -> impl Fn(&str) -> String + '_ {
    let modules: Vec<&str> = case.modules.keys().map(String::as_str).collect();
    move |text| normalise_with(text, &modules)
}
