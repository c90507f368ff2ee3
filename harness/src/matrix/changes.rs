//! `framespec compare OLD.json NEW.json`: what changed between two matrices, per target,
//! as Markdown for a pull-request comment.
//!
//! A case on a target is *fixed* when it passes now and failed, was unsupported or was an
//! expected failure before; *broken* the other way round; *changed* for any other change of
//! column or verdict (a diff that became a crash, not applicable that became a pass); *new*
//! or *removed* when only one file has it on that target.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::markdown::inline;
use super::{CaseEntry, CaseResult, Matrix, Status};

/// The kinds of change, in the order the report lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Broken,
    Fixed,
    Changed,
    New,
    Removed,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Broken,
        Kind::Fixed,
        Kind::Changed,
        Kind::New,
        Kind::Removed,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Kind::Broken => "broken",
            Kind::Fixed => "fixed",
            Kind::Changed => "changed",
            Kind::New => "new",
            Kind::Removed => "removed",
        }
    }
}

/// One case whose result on one target differs between the two files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change<'m> {
    pub kind: Kind,
    pub target: &'m str,
    pub id: &'m str,
    pub old: Option<&'m CaseResult>,
    pub new: Option<&'m CaseResult>,
}

fn kind(old: Option<&CaseResult>, new: Option<&CaseResult>) -> Option<Kind> {
    let not_passing =
        |s: Status| matches!(s, Status::Fail | Status::Unsupported | Status::ExpectedFail);
    match (old, new) {
        (None, None) => None,
        (None, Some(_)) => Some(Kind::New),
        (Some(_), None) => Some(Kind::Removed),
        (Some(o), Some(n)) if o.status == n.status && o.verdict == n.verdict => None,
        (Some(o), Some(n)) if n.status == Status::Pass && not_passing(o.status) => {
            Some(Kind::Fixed)
        }
        (Some(o), Some(n)) if o.status == Status::Pass && not_passing(n.status) => {
            Some(Kind::Broken)
        }
        (Some(_), Some(_)) => Some(Kind::Changed),
    }
}

/// The targets of either file: `new`'s in order, then those only `old` has.
fn targets<'m>(old: &'m Matrix, new: &'m Matrix) -> Vec<&'m str> {
    let mut out: Vec<&str> = new.targets.iter().map(String::as_str).collect();
    for t in &old.targets {
        if !out.contains(&t.as_str()) {
            out.push(t);
        }
    }
    out
}

/// Every change, by target (in [`targets`] order), kind, then case id.
pub fn changes<'m>(old: &'m Matrix, new: &'m Matrix) -> Vec<Change<'m>> {
    let ids: BTreeSet<&str> = old
        .cases
        .iter()
        .chain(&new.cases)
        .map(|c| c.id.as_str())
        .collect();
    let index = |m: &'m Matrix| -> BTreeMap<&'m str, &'m CaseEntry> {
        m.cases.iter().map(|c| (c.id.as_str(), c)).collect()
    };
    let (old_cases, new_cases) = (index(old), index(new));
    let result = |cases: &BTreeMap<&str, &'m CaseEntry>, id: &str, target: &str| {
        cases.get(id).and_then(|c| c.results.get(target))
    };
    let mut out = Vec::new();
    for target in targets(old, new) {
        let mut here: Vec<Change> = ids
            .iter()
            .filter_map(|id| {
                let (o, n) = (
                    result(&old_cases, id, target),
                    result(&new_cases, id, target),
                );
                kind(o, n).map(|kind| Change {
                    kind,
                    target,
                    id,
                    old: o,
                    new: n,
                })
            })
            .collect();
        here.sort_by_key(|c| c.kind);
        out.extend(here);
    }
    out
}

/// Lists longer than this fold into a `<details>` block.
const FOLD: usize = 15;

fn line(c: &Change) -> String {
    let detail = |r: &CaseResult| {
        r.detail
            .as_deref()
            .filter(|_| r.status != Status::Pass)
            .map(|d| format!(": {}", inline(d)))
            .unwrap_or_default()
    };
    match (c.old, c.new) {
        (Some(o), Some(n)) => format!("- `{}`: {} → {}{}", c.id, o.words(), n.words(), detail(n)),
        (None, Some(n)) => format!("- `{}`: {}{}", c.id, n.words(), detail(n)),
        (Some(o), None) => format!("- `{}`: was {}", c.id, o.words()),
        (None, None) => format!("- `{}`", c.id),
    }
}

/// The Markdown report: a table of the totals before → after, then each target's changes.
pub fn markdown(old: &Matrix, new: &Matrix) -> String {
    let all = changes(old, new);
    let mut out = String::from("## framespec conformance: changes\n\n| target |");
    for s in Status::ALL {
        let _ = write!(out, " {} |", s.label());
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(Status::ALL.len()));
    out.push('\n');
    for target in targets(old, new) {
        let before = old.totals.get(target).copied().unwrap_or_default();
        let after = new.totals.get(target).copied().unwrap_or_default();
        let _ = write!(out, "| {} |", inline(target));
        for s in Status::ALL {
            let (b, a) = (before.get(s), after.get(s));
            if a == b {
                let _ = write!(out, " {a} |");
            } else {
                let delta = a as i64 - b as i64;
                let _ = write!(out, " {b} → {a} ({delta:+}) |");
            }
        }
        out.push('\n');
    }
    out.push('\n');
    if all.is_empty() {
        out.push_str("No case changed on any target.\n");
        return out;
    }
    for target in targets(old, new) {
        let ours: Vec<&Change> = all.iter().filter(|c| c.target == target).collect();
        let counts: Vec<String> = Kind::ALL
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    ours.iter().filter(|c| c.kind == *k).count(),
                    k.word()
                )
            })
            .collect();
        let _ = writeln!(out, "### {}: {}\n", inline(target), counts.join(", "));
        if ours.is_empty() {
            out.push_str("No change.\n\n");
            continue;
        }
        for k in Kind::ALL {
            let lines: Vec<String> = ours
                .iter()
                .filter(|c| c.kind == k)
                .map(|c| line(c))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let heading = format!("{} ({})", capitalised(k.word()), lines.len());
            if lines.len() > FOLD {
                let _ = writeln!(out, "<details><summary><b>{heading}</b></summary>\n");
                let _ = writeln!(out, "{}\n\n</details>\n", lines.join("\n"));
            } else {
                let _ = writeln!(out, "**{heading}**\n\n{}\n", lines.join("\n"));
            }
        }
    }
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Outcome;
    use crate::matrix::tests::{info, report};

    fn matrix(results: &[(&str, &str, Outcome)]) -> Matrix {
        let reports: Vec<_> = results
            .iter()
            .map(|(t, id, o)| report(t, id, o.clone()))
            .collect();
        let mut targets: Vec<String> = Vec::new();
        for (t, _, _) in results {
            if !targets.iter().any(|x| x == t) {
                targets.push((*t).to_owned());
            }
        }
        let infos = results
            .iter()
            .map(|(_, id, _)| ((*id).to_owned(), info(&["frames.repr"], &[])))
            .collect::<BTreeMap<_, _>>();
        Matrix::build(&reports, &targets, &infos, 0.0)
    }

    fn timeout() -> Outcome {
        Outcome::Timeout { seconds: 5.0 }
    }

    fn crash() -> Outcome {
        Outcome::Crash("worker died".to_owned())
    }

    fn unsupported() -> Outcome {
        Outcome::Unsupported {
            feature: "metaclasses".to_owned(),
            location: "main.py:2:1".to_owned(),
        }
    }

    #[test]
    fn each_kind_of_change_is_found() {
        let old = matrix(&[
            ("vm", "frames/fixed", timeout()),
            ("vm", "frames/broken", Outcome::Pass),
            ("vm", "frames/worse", timeout()),
            ("vm", "frames/same", crash()),
            ("vm", "frames/gone", Outcome::Pass),
            ("vm", "frames/was-unsupported", unsupported()),
            ("old-target", "frames/same", Outcome::Pass),
        ]);
        let new = matrix(&[
            ("vm", "frames/fixed", Outcome::Pass),
            ("vm", "frames/broken", unsupported()),
            ("vm", "frames/worse", crash()),
            ("vm", "frames/same", crash()),
            ("vm", "frames/added", Outcome::Pass),
            ("vm", "frames/was-unsupported", Outcome::Pass),
        ]);
        let found: Vec<(Kind, &str, &str)> = changes(&old, &new)
            .iter()
            .map(|c| (c.kind, c.target, c.id))
            .collect();
        assert_eq!(
            found,
            [
                (Kind::Broken, "vm", "frames/broken"),
                (Kind::Fixed, "vm", "frames/fixed"),
                (Kind::Fixed, "vm", "frames/was-unsupported"),
                (Kind::Changed, "vm", "frames/worse"),
                (Kind::New, "vm", "frames/added"),
                (Kind::Removed, "vm", "frames/gone"),
                (Kind::Removed, "old-target", "frames/same"),
            ]
        );
    }

    #[test]
    fn the_markdown_lists_changes_under_their_target() {
        let old = matrix(&[
            ("vm", "frames/a", timeout()),
            ("vm", "frames/b", Outcome::Pass),
            ("vm", "frames/c", Outcome::Pass),
            ("cpython-3.12", "frames/a", Outcome::Pass),
        ]);
        let new = matrix(&[
            ("vm", "frames/a", Outcome::Pass),
            ("vm", "frames/b", crash()),
            ("vm", "frames/c", Outcome::Pass),
            ("cpython-3.12", "frames/a", Outcome::Pass),
        ]);
        let md = markdown(&old, &new);
        assert!(md.contains("| vm | 2 | 1 | 0 | 0 | 0 |"), "{md}");
        assert!(
            md.contains("### vm: 1 broken, 1 fixed, 0 changed, 0 new, 0 removed"),
            "{md}"
        );
        assert!(
            md.contains("**Broken (1)**\n\n- `frames/b`: pass → fail (crash): worker died\n"),
            "{md}"
        );
        assert!(
            md.contains("**Fixed (1)**\n\n- `frames/a`: fail (timeout) → pass\n"),
            "{md}"
        );
        assert!(md.contains("### cpython-3.12: 0 broken"), "{md}");
        assert!(!md.contains("frames/c"), "{md}");
    }

    #[test]
    fn totals_show_before_and_after() {
        let old = matrix(&[("vm", "frames/a", timeout())]);
        let new = matrix(&[("vm", "frames/a", Outcome::Pass)]);
        let md = markdown(&old, &new);
        assert!(
            md.contains("| vm | 0 → 1 (+1) | 1 → 0 (-1) | 0 | 0 | 0 |"),
            "{md}"
        );
        assert_eq!(
            markdown(&new, &new),
            "## framespec conformance: changes\n\n\
             | target | pass | fail | expected fail | not applicable | unsupported |\n\
             |---|---:|---:|---:|---:|---:|\n\
             | vm | 1 | 0 | 0 | 0 | 0 |\n\nNo case changed on any target.\n"
        );
    }

    #[test]
    fn long_lists_fold() {
        let ids: Vec<String> = (0..20).map(|i| format!("frames/c{i:02}")).collect();
        let old = matrix(
            &ids.iter()
                .map(|id| ("vm", id.as_str(), Outcome::Pass))
                .collect::<Vec<_>>(),
        );
        let new = matrix(
            &ids.iter()
                .map(|id| ("vm", id.as_str(), timeout()))
                .collect::<Vec<_>>(),
        );
        let md = markdown(&old, &new);
        assert!(
            md.contains("<details><summary><b>Broken (20)</b></summary>\n\n- `frames/c00`"),
            "{md}"
        );
        assert!(
            md.contains("- `frames/c19`: pass → fail (timeout): the program did not finish"),
            "{md}"
        );
    }
}
