//! Strict expected failures of a non-reference target: `expectations/<target>.yaml`.
//!
//! ```yaml
//! expected:                    # cases that run and are expected to differ
//!   frames/f_back/chain:
//!     channels: [stdout]       # the channels that differ (stdout, exception, trace, snapshots, internals)
//!     reason: PyPy does not inline comprehensions (PEP 709)
//! skip:                        # cases not run at all: they hang or crash the target
//!   generators/deep:
//!     reason: exhausts PyPy's stack
//! ```
//!
//! A listed case still runs: if exactly the listed channels (or fewer, but not none) differ
//! it is an *expected failure*; if it passes, the run fails and says which entry to delete;
//! if another channel differs, or it ends another way, it fails as usual. A skipped case is
//! reported as skipped. The reference VM has no such file: it passes every case or fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::compare::Outcome;
use crate::runner::Report;

/// The channels an expected failure may name.
const CHANNELS: [&str; 5] = ["stdout", "exception", "trace", "snapshots", "internals"];

/// The `expectations/` directory of this checkout (next to `cases/`).
pub fn default_dir() -> PathBuf {
    let here = PathBuf::from("expectations");
    if here.is_dir() || PathBuf::from("cases").is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("expectations")
}

/// The file for the target named `target` in `dir`.
pub fn path_for(dir: &Path, target: &str) -> PathBuf {
    dir.join(format!("{target}.yaml"))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    expected: BTreeMap<String, Expected>,
    #[serde(default)]
    skip: BTreeMap<String, Skip>,
}

/// A case expected to differ on some channels.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub channels: Vec<String>,
    pub reason: String,
}

/// A case not to run on the target.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skip {
    pub reason: String,
}

/// One target's expectations file, loaded.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    pub path: PathBuf,
    text: String,
    file: File,
}

impl Expectations {
    /// Loads `dir/<target>.yaml`; `Ok(None)` when there is no such file. The reference VM
    /// may not have one.
    pub fn load(dir: &Path, target: &str) -> Result<Option<Expectations>, String> {
        let path = path_for(dir, target);
        if !path.exists() {
            return Ok(None);
        }
        if target == "reference" {
            return Err(format!(
                "{}: the reference VM has no expected failures; delete the file",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Expectations::parse(path, text).map(Some)
    }

    /// Parses and checks the text of an expectations file.
    pub fn parse(path: PathBuf, text: String) -> Result<Expectations, String> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            yaml_serde::from_str(&text).map_err(|e| match e.location() {
                Some(at) => format!("{}:{}:{}: {e}", path.display(), at.line(), at.column()),
                None => format!("{}: {e}", path.display()),
            })?
        };
        let this = Expectations { path, text, file };
        for (id, entry) in &this.file.expected {
            let at = format!("{}:{}", this.path.display(), this.line_of(id));
            if entry.channels.is_empty() {
                return Err(format!("{at}: `{id}` lists no channels"));
            }
            if let Some(bad) = entry
                .channels
                .iter()
                .find(|c| !CHANNELS.contains(&c.as_str()))
            {
                return Err(format!(
                    "{at}: `{id}`: unknown channel `{bad}` (one of {})",
                    CHANNELS.join(", ")
                ));
            }
            if entry.reason.trim().is_empty() {
                return Err(format!("{at}: `{id}` needs a reason"));
            }
            if this.file.skip.contains_key(id) {
                return Err(format!("{at}: `{id}` is both expected and skipped"));
            }
        }
        for (id, entry) in &this.file.skip {
            if entry.reason.trim().is_empty() {
                let at = format!("{}:{}", this.path.display(), this.line_of(id));
                return Err(format!("{at}: skipped `{id}` needs a reason"));
            }
        }
        Ok(this)
    }

    /// The same file with its expected failures dropped: only the skip list applies.
    pub fn skips_only(&self) -> Expectations {
        let mut only = self.clone();
        only.file.expected.clear();
        only
    }

    /// Why `id` is not run, if it is on the skip list.
    pub fn skip_reason(&self, id: &str) -> Option<&str> {
        self.file.skip.get(id).map(|s| s.reason.as_str())
    }

    /// The expected failure of `id`, if listed.
    pub fn expected(&self, id: &str) -> Option<&Expected> {
        self.file.expected.get(id)
    }

    /// Every listed case id (expected and skipped).
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.file.expected.keys().chain(self.file.skip.keys())
    }

    /// The 1-based line where `id`'s entry starts (1 when it cannot be found).
    pub fn line_of(&self, id: &str) -> usize {
        let keys = [format!("{id}:"), format!("\"{id}\":"), format!("'{id}':")];
        self.text
            .lines()
            .position(|l| keys.iter().any(|k| l.trim_start().starts_with(k.as_str())))
            .map_or(1, |i| i + 1)
    }

    /// The verdict for `id` given its outcome as judged without this file.
    pub fn apply(&self, id: &str, outcome: Outcome) -> Outcome {
        let Some(entry) = self.expected(id) else {
            return outcome;
        };
        match outcome {
            Outcome::Pass => Outcome::UnexpectedPass {
                entry: format!("{}:{}", self.path.display(), self.line_of(id)),
            },
            Outcome::Fail(diffs)
                if diffs
                    .iter()
                    .all(|d| entry.channels.iter().any(|c| c == d.channel)) =>
            {
                Outcome::ExpectedFail {
                    reason: entry.reason.clone(),
                    diffs,
                }
            }
            other => other,
        }
    }
}

/// The text of `target`'s expectations file after a run without it (`reports`): every
/// failing case listed with the channels that differed, a case that ended without an
/// observation (crash, timeout, unsupported) on the skip list; reasons already written are
/// kept, new ones say what was seen so a person can explain it.
pub fn updated(old: Option<&Expectations>, target: &str, reports: &[Report]) -> String {
    let mut expected: BTreeMap<&str, (Vec<&str>, String)> = BTreeMap::new();
    let mut skip: BTreeMap<&str, String> = BTreeMap::new();
    for report in reports.iter().filter(|r| r.target == target) {
        let id = report.file.id.as_str();
        let kept_expected = old.and_then(|o| o.expected(id)).map(|e| e.reason.clone());
        let kept_skip = old.and_then(|o| o.skip_reason(id)).map(str::to_owned);
        match &report.outcome {
            Outcome::Fail(diffs) | Outcome::ExpectedFail { diffs, .. } => {
                let channels: Vec<&str> = diffs.iter().map(|d| d.channel).collect();
                let reason = kept_expected.unwrap_or_else(|| {
                    format!("to explain: differs on {}", channels.join(" and "))
                });
                expected.insert(id, (channels, reason));
            }
            Outcome::Skipped(reason) => {
                skip.insert(id, reason.clone());
            }
            Outcome::Crash(_) | Outcome::Timeout { .. } | Outcome::Unsupported { .. } => {
                let reason =
                    kept_skip.unwrap_or_else(|| format!("to explain: {}", report.outcome.label()));
                skip.insert(id, reason);
            }
            _ => {}
        }
    }
    let mut out = format!(
        "# Expected failures of {target} (see harness/src/expectations.rs).\n\
         # Written by `framespec expectations update`; each reason says what differs and why.\n"
    );
    if !expected.is_empty() {
        out.push_str("expected:\n");
        for (id, (channels, reason)) in &expected {
            let _ = writeln!(out, "  {}:", quoted(id));
            let _ = writeln!(out, "    channels: [{}]", channels.join(", "));
            let _ = writeln!(out, "    reason: {}", quoted(reason));
        }
    }
    if !skip.is_empty() {
        out.push_str("skip:\n");
        for (id, reason) in &skip {
            let _ = writeln!(out, "  {}:", quoted(id));
            let _ = writeln!(out, "    reason: {}", quoted(reason));
        }
    }
    out
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted (JSON
/// string syntax is valid YAML).
fn quoted(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || " /_-.,()+=<>".contains(c))
        && !s.starts_with([' ', '-'])
        && !s.ends_with(' ')
        && !s.contains(" #");
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::ChannelDiff;

    fn diff(channel: &'static str) -> ChannelDiff {
        ChannelDiff {
            channel,
            expected: "a\n".to_owned(),
            actual: "b\n".to_owned(),
        }
    }

    fn sample() -> Expectations {
        let text = "expected:\n  a/b:\n    channels: [stdout]\n    reason: differs\nskip:\n  c/d:\n    reason: hangs\n";
        Expectations::parse(PathBuf::from("x.yaml"), text.to_owned()).expect("valid")
    }

    #[test]
    fn listed_channels_make_an_expected_failure_and_others_a_failure() {
        let e = sample();
        let ok = e.apply("a/b", Outcome::Fail(vec![diff("stdout")]));
        assert!(matches!(ok, Outcome::ExpectedFail { .. }), "{ok:?}");
        assert!(!ok.failed());
        let bad = e.apply("a/b", Outcome::Fail(vec![diff("stdout"), diff("trace")]));
        assert!(matches!(bad, Outcome::Fail(_)));
        let unlisted = e.apply("x/y", Outcome::Fail(vec![diff("stdout")]));
        assert!(matches!(unlisted, Outcome::Fail(_)));
    }

    #[test]
    fn an_unexpected_pass_fails_and_names_the_line_to_delete() {
        let e = sample();
        let outcome = e.apply("a/b", Outcome::Pass);
        assert!(outcome.failed());
        assert_eq!(
            outcome,
            Outcome::UnexpectedPass {
                entry: "x.yaml:2".to_owned()
            }
        );
        assert_eq!(e.skip_reason("c/d"), Some("hangs"));
        assert_eq!(e.line_of("c/d"), 6);
    }

    #[test]
    fn bad_files_are_located_errors() {
        let bad = |text: &str| {
            Expectations::parse(PathBuf::from("x.yaml"), text.to_owned())
                .expect_err("should be refused")
        };
        assert_eq!(
            bad("expected:\n  a/b:\n    channels: [colour]\n    reason: r\n"),
            "x.yaml:2: `a/b`: unknown channel `colour` (one of stdout, exception, trace, snapshots, internals)"
        );
        assert_eq!(
            bad("expected:\n  a/b:\n    channels: [stdout]\n    reason: ''\n"),
            "x.yaml:2: `a/b` needs a reason"
        );
        assert!(bad("expected:\n  a/b:\n    channel: [stdout]\n").starts_with("x.yaml:3:"));
    }

    #[test]
    fn quoting_reads_back() {
        for s in [
            "plain words",
            "with: colon",
            "#hash",
            "- dash",
            "tab\there",
            "ünï",
        ] {
            let text = format!("skip:\n  a:\n    reason: {}\n", quoted(s));
            let e = Expectations::parse(PathBuf::from("x.yaml"), text).expect("valid");
            assert_eq!(e.skip_reason("a"), Some(s));
        }
    }
}
