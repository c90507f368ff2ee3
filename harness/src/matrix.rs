//! The conformance matrix: a suite run summarised with spec chapters, clauses and feature
//! tags as rows and targets as columns, written as `matrix.json` (the machine-readable
//! source of the other two), `matrix.md` (`markdown`) and one self-contained `matrix.html`
//! (`html`: inline CSS, script and SVG, nothing fetched). `changes` compares two
//! `matrix.json` files for a pull request.
//!
//! The input is the run's [`Report`] list; each [`Outcome`] is read in one place,
//! [`classify`], which puts it in one of the five columns of a cell ([`Status`]) and hands
//! over the channel diffs it carries.
//!
//! # `matrix.json`, schema `framespec-matrix/1`
//!
//! ```text
//! {
//!   "schema": "framespec-matrix/1",       changed when a reader would misread the file
//!   "framespec": "0.1.0",                 the harness's version
//!   "contract": "0.5.0",                  spec/INTERPRETING.md's version
//!   "seconds": 4.2,                       wall-clock time of the run
//!   "targets": ["reference", "cpython-3.12"],            the columns, in order
//!   "totals": {TARGET: COUNTS},
//!   "rows": [ROW],                        chapters, then clauses, then tags
//!   "cases": [CASE],                      sorted by id
//!   "uncited_clauses": ["lineno.x"]       registered clauses no case of the run cites
//! }
//! COUNTS = {"pass": N, "fail": N, "expected_fail": N, "not_applicable": N, "unsupported": N}
//! ROW    = {"kind": "chapter" | "clause" | "tag", "id": "frames.repr",
//!           "title": "Frame repr and type", "chapter": "frames" (not on tags),
//!           "cases": [CASE ID], "cells": {TARGET: COUNTS}}
//! CASE   = {"id": "frames/repr/basic", "path": "cases/frames/repr/basic.yaml",
//!           "title": "…", "chapter": "frames", "clauses": [ID], "tags": [TAG],
//!           "results": {TARGET: RESULT}}
//! RESULT = {"status": "pass" | "fail" | "expected_fail" | "not_applicable" | "unsupported",
//!           "verdict": "timeout",         the harness's word for the outcome
//!           "detail": "…",                why, when it did not pass (absent on a pass)
//!           "diffs": [{"channel": "stdout", "diff": "…"}]}   a unified diff per channel
//! ```
//!
//! A case's chapter is the first folder of its id (`frames/…` is chapter `frames`, one per
//! file of spec/clauses/). `fail` counts every verdict that is not one of the other four
//! (a channel diff, timeout, out of fuel, crash, a case file that does not load); `verdict`
//! tells them apart. A target's pass rate is `pass / (cases - not_applicable)`.

pub mod changes;
pub mod html;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::compare::{ChannelDiff, Outcome};
use crate::runner::{CaseFile, Report};

/// The `schema` of the files this module writes and reads.
pub const SCHEMA: &str = "framespec-matrix/1";

/// The chapter of a case whose id has no folder.
pub const TOP_LEVEL: &str = "(top level)";

/// The column of a cell a verdict counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    ExpectedFail,
    NotApplicable,
    Unsupported,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::ExpectedFail,
        Status::NotApplicable,
        Status::Unsupported,
    ];

    /// The JSON name (`expected_fail`), also the CSS class of the page.
    pub fn key(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::ExpectedFail => "expected_fail",
            Status::NotApplicable => "not_applicable",
            Status::Unsupported => "unsupported",
        }
    }

    /// The words people read (`expected fail`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::ExpectedFail => "expected fail",
            Status::NotApplicable => "not applicable",
            Status::Unsupported => "unsupported",
        }
    }
}

/// The one place the matrix reads an [`Outcome`]: its column, and the channel diffs it
/// carries. A new `Outcome` variant is one more arm here.
pub fn classify(outcome: &Outcome) -> (Status, &[ChannelDiff]) {
    match outcome {
        Outcome::Pass => (Status::Pass, &[]),
        Outcome::Fail(diffs) => (Status::Fail, diffs),
        Outcome::OutOfFuel { .. }
        | Outcome::OutOfMemory { .. }
        | Outcome::Timeout { .. }
        | Outcome::Crash(_)
        | Outcome::Invalid(_) => (Status::Fail, &[]),
        Outcome::Unsupported { .. } => (Status::Unsupported, &[]),
        Outcome::NotApplicable(_) => (Status::NotApplicable, &[]),
        Outcome::ExpectedFail { diffs, .. } => (Status::ExpectedFail, diffs),
        // Listed as expected to differ, and passed: the file is stale, the run fails.
        Outcome::UnexpectedPass { .. } => (Status::Fail, &[]),
        // On the don't-run list (it hangs or crashes the target): a known failure.
        Outcome::Skipped(_) => (Status::ExpectedFail, &[]),
    }
}

/// How many cases of a cell (a row, one target) are in each column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub expected_fail: usize,
    pub not_applicable: usize,
    pub unsupported: usize,
}

impl Counts {
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::ExpectedFail => self.expected_fail,
            Status::NotApplicable => self.not_applicable,
            Status::Unsupported => self.unsupported,
        }
    }

    pub fn add(&mut self, status: Status) {
        *match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::ExpectedFail => &mut self.expected_fail,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Unsupported => &mut self.unsupported,
        } += 1;
    }

    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// `pass / (cases - not_applicable)`; `None` when no case applies.
    pub fn pass_rate(&self) -> Option<f64> {
        let applicable = self.total() - self.not_applicable;
        (applicable > 0).then(|| self.pass as f64 / applicable as f64)
    }
}

/// What a row groups cases by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Chapter,
    Clause,
    Tag,
}

impl RowKind {
    pub fn key(self) -> &'static str {
        match self {
            RowKind::Chapter => "chapter",
            RowKind::Clause => "clause",
            RowKind::Tag => "tag",
        }
    }
}

/// One row: the cases of a chapter, citing a clause or carrying a tag, counted per target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub kind: RowKind,
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
    /// Case ids, sorted.
    pub cases: Vec<String>,
    pub cells: BTreeMap<String, Counts>,
}

impl Row {
    /// The row's key in the page and in links: `clause:frames.repr`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.key(), self.id)
    }
}

/// A case's metadata, as the matrix groups it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseInfo {
    pub title: String,
    pub clauses: Vec<String>,
    pub tags: Vec<String>,
}

/// One channel's diff, as the text report prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diff {
    pub channel: String,
    pub diff: String,
}

/// One case on one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseResult {
    pub status: Status,
    /// The harness's word for the outcome (`pass`, `timeout`, `invalid case`).
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diffs: Vec<Diff>,
}

impl CaseResult {
    pub fn of(outcome: &Outcome) -> CaseResult {
        let (status, diffs) = classify(outcome);
        let detail = match outcome {
            Outcome::Pass => None,
            // The diffs say it.
            Outcome::Fail(_) => Some(format!(
                "channels differ: {}",
                diffs
                    .iter()
                    .map(|d| d.channel)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            // Without the verdict's own word (`timeout: …`), which `verdict` holds.
            other => {
                let text = other.to_string();
                let prefix = format!("{}: ", other.label());
                Some(text.strip_prefix(&prefix).unwrap_or(&text).to_owned())
            }
        };
        CaseResult {
            status,
            verdict: outcome.label().to_owned(),
            detail,
            diffs: diffs
                .iter()
                .map(|d| Diff {
                    channel: d.channel.to_owned(),
                    diff: d.to_string(),
                })
                .collect(),
        }
    }
}

impl CaseResult {
    /// `status (verdict)`, or `status` alone when the verdict is the same word.
    pub fn words(&self) -> String {
        if self.verdict == self.status.label() {
            self.verdict.clone()
        } else {
            format!("{} ({})", self.status.label(), self.verdict)
        }
    }
}

/// A case and its result on each target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseEntry {
    pub id: String,
    pub path: String,
    pub title: String,
    pub chapter: String,
    pub clauses: Vec<String>,
    pub tags: Vec<String>,
    pub results: BTreeMap<String, CaseResult>,
}

/// The whole matrix: what `matrix.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub schema: String,
    pub framespec: String,
    pub contract: String,
    pub seconds: f64,
    pub targets: Vec<String>,
    pub totals: BTreeMap<String, Counts>,
    pub rows: Vec<Row>,
    pub cases: Vec<CaseEntry>,
    pub uncited_clauses: Vec<String>,
}

/// The chapter of case `id`: its first folder.
pub fn chapter_of(id: &str) -> &str {
    id.split_once('/').map_or(TOP_LEVEL, |(chapter, _)| chapter)
}

/// Every case's metadata, read from its file; a file that does not load gets none (its
/// verdict says why).
pub fn case_infos(files: &[CaseFile]) -> BTreeMap<String, CaseInfo> {
    files
        .iter()
        .map(|file| {
            let info = framespec_spec::load(&file.id, &file.path)
                .map(|case| CaseInfo {
                    title: case.title,
                    clauses: case.spec,
                    tags: case.tags,
                })
                .unwrap_or_default();
            (file.id.clone(), info)
        })
        .collect()
}

impl Matrix {
    /// The matrix of `reports` on `targets` (the columns, in order), with each case's
    /// metadata from `infos` (a case missing there has none). `seconds` is the run's time.
    pub fn build(
        reports: &[Report],
        targets: &[String],
        infos: &BTreeMap<String, CaseInfo>,
        seconds: f64,
    ) -> Matrix {
        let mut cases: BTreeMap<String, CaseEntry> = BTreeMap::new();
        for report in reports {
            let path = report.file.path.display().to_string();
            let id = report.file.id.as_str();
            // Two files with one id (from two roots) stay two cases.
            let key = match cases.get(id) {
                Some(other) if other.path != path => format!("{id} ({path})"),
                _ => id.to_owned(),
            };
            let entry = cases.entry(key.clone()).or_insert_with(|| {
                let info = infos.get(id).cloned().unwrap_or_default();
                CaseEntry {
                    id: key,
                    path,
                    title: info.title,
                    chapter: chapter_of(id).to_owned(),
                    clauses: info.clauses,
                    tags: info.tags,
                    results: BTreeMap::new(),
                }
            });
            entry
                .results
                .insert(report.target.clone(), CaseResult::of(&report.outcome));
        }
        let cases: Vec<CaseEntry> = cases.into_values().collect();

        let count = |members: &[&CaseEntry]| -> BTreeMap<String, Counts> {
            targets
                .iter()
                .map(|target| {
                    let mut counts = Counts::default();
                    for result in members.iter().filter_map(|c| c.results.get(target)) {
                        counts.add(result.status);
                    }
                    (target.clone(), counts)
                })
                .collect()
        };
        let row =
            |kind, id: &str, title: &str, chapter: Option<&str>, members: Vec<&CaseEntry>| Row {
                kind,
                id: id.to_owned(),
                title: title.to_owned(),
                chapter: chapter.map(str::to_owned),
                cases: members.iter().map(|c| c.id.clone()).collect(),
                cells: count(&members),
            };

        let mut rows = Vec::new();
        for chapter in chapter_order(&cases) {
            let members = cases.iter().filter(|c| c.chapter == chapter).collect();
            rows.push(row(
                RowKind::Chapter,
                &chapter,
                &chapter,
                Some(&chapter),
                members,
            ));
        }
        let cited: BTreeSet<&str> = cases
            .iter()
            .flat_map(|c| c.clauses.iter().map(String::as_str))
            .collect();
        let mut uncited_clauses = Vec::new();
        for (id, title) in framespec_spec::clauses() {
            if !cited.contains(id.as_str()) {
                uncited_clauses.push(id.clone());
                continue;
            }
            let members = cases.iter().filter(|c| c.clauses.contains(id)).collect();
            let chapter = id.split('.').next();
            rows.push(row(RowKind::Clause, id, title, chapter, members));
        }
        let used: BTreeSet<&str> = cases
            .iter()
            .flat_map(|c| c.tags.iter().map(String::as_str))
            .collect();
        let registry = framespec_spec::tags();
        for tag in used {
            let title = registry.get(tag).map_or("", |t| t.title.as_str());
            let members = cases
                .iter()
                .filter(|c| c.tags.iter().any(|t| t == tag))
                .collect();
            rows.push(row(RowKind::Tag, tag, title, None, members));
        }

        Matrix {
            schema: SCHEMA.to_owned(),
            framespec: env!("CARGO_PKG_VERSION").to_owned(),
            contract: framespec_spec::RUNNER_CONTRACT_VERSION.to_owned(),
            seconds,
            targets: targets.to_vec(),
            totals: count(&cases.iter().collect::<Vec<_>>()),
            rows,
            cases,
            uncited_clauses,
        }
    }

    /// `matrix.json`'s text.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain strings, numbers and maps cannot fail.
            format!("{{\"error\": \"{e}\"}}")
        });
        text.push('\n');
        text
    }

    /// Reads `matrix.json`'s text, refusing another schema.
    pub fn from_json(text: &str) -> Result<Matrix, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match value.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => serde_json::from_value(value).map_err(|e| e.to_string()),
            Some(other) => Err(format!("schema `{other}`, expected `{SCHEMA}`")),
            None => Err(format!("no `schema` (expected `{SCHEMA}`)")),
        }
    }

    /// The rows of one kind, in order.
    pub fn rows_of(&self, kind: RowKind) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| r.kind == kind)
    }

    /// Writes `matrix.json`, `matrix.md` and `matrix.html` into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (name, text) in [
            ("matrix.json", self.to_json()),
            ("matrix.md", markdown::render(self)),
            ("matrix.html", html::render(self)),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// The chapters of `cases`: those of spec/clauses/ in the spec's order, then any other
/// folder, alphabetically.
fn chapter_order(cases: &[CaseEntry]) -> Vec<String> {
    let present: BTreeSet<&str> = cases.iter().map(|c| c.chapter.as_str()).collect();
    let mut order: Vec<String> = Vec::new();
    for (id, _) in framespec_spec::clauses() {
        let chapter = id.split('.').next().unwrap_or_default();
        if present.contains(chapter) && !order.iter().any(|c| c == chapter) {
            order.push(chapter.to_owned());
        }
    }
    for chapter in present {
        if !order.iter().any(|c| c == chapter) {
            order.push(chapter.to_owned());
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn report(target: &str, id: &str, outcome: Outcome) -> Report {
        Report {
            target: target.to_owned(),
            selector: target.to_owned(),
            file: CaseFile {
                id: id.to_owned(),
                path: format!("cases/{id}.yaml").into(),
            },
            outcome,
        }
    }

    pub(crate) fn info(clauses: &[&str], tags: &[&str]) -> CaseInfo {
        CaseInfo {
            title: "a title".to_owned(),
            clauses: clauses.iter().map(|c| (*c).to_owned()).collect(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn diff(channel: &'static str) -> ChannelDiff {
        ChannelDiff {
            channel,
            expected: "1\n".to_owned(),
            actual: "2\n".to_owned(),
        }
    }

    /// Two targets over four cases in three chapters (one folder the spec lacks, one case
    /// without a folder), with every status.
    pub(crate) fn sample() -> Matrix {
        let reports = vec![
            report("reference", "frames/a", Outcome::Pass),
            report("reference", "tracing/b", Outcome::Pass),
            report("reference", "extra/c", Outcome::Pass),
            report("reference", "loose", Outcome::Timeout { seconds: 5.0 }),
            report("other", "frames/a", Outcome::Fail(vec![diff("stdout")])),
            report(
                "other",
                "tracing/b",
                Outcome::NotApplicable("needs `pep669`".to_owned()),
            ),
            report(
                "other",
                "extra/c",
                Outcome::Unsupported {
                    feature: "metaclasses".to_owned(),
                    location: "main.py:1:1".to_owned(),
                },
            ),
            report("other", "loose", Outcome::Pass),
        ];
        let infos = BTreeMap::from([
            (
                "frames/a".to_owned(),
                info(&["frames.repr", "frames.identity"], &["pep626"]),
            ),
            ("tracing/b".to_owned(), info(&["frames.repr"], &["pep669"])),
            ("extra/c".to_owned(), info(&["frames.identity"], &[])),
        ]);
        let targets = ["reference".to_owned(), "other".to_owned()];
        Matrix::build(&reports, &targets, &infos, 1.5)
    }

    fn counts(pass: usize, fail: usize, na: usize, unsupported: usize) -> Counts {
        Counts {
            pass,
            fail,
            expected_fail: 0,
            not_applicable: na,
            unsupported,
        }
    }

    fn row<'m>(m: &'m Matrix, key: &str) -> &'m Row {
        m.rows
            .iter()
            .find(|r| r.key() == key)
            .unwrap_or_else(|| panic!("no row {key}"))
    }

    #[test]
    fn outcomes_fall_into_the_five_columns() {
        let cases = [
            (Outcome::Pass, Status::Pass),
            (Outcome::Fail(vec![diff("trace")]), Status::Fail),
            (Outcome::OutOfFuel { instructions: 9 }, Status::Fail),
            (Outcome::Timeout { seconds: 1.0 }, Status::Fail),
            (Outcome::Crash("gone".to_owned()), Status::Fail),
            (
                Outcome::NotApplicable("no".to_owned()),
                Status::NotApplicable,
            ),
            (
                Outcome::Unsupported {
                    feature: "f".to_owned(),
                    location: "main.py:1:1".to_owned(),
                },
                Status::Unsupported,
            ),
        ];
        for (outcome, status) in cases {
            assert_eq!(classify(&outcome).0, status, "{outcome:?}");
        }
        let failed = CaseResult::of(&Outcome::Fail(vec![diff("trace")]));
        assert_eq!(failed.diffs.len(), 1);
        assert_eq!(failed.diffs[0].channel, "trace");
        assert!(failed.diffs[0].diff.contains("-1\n+2\n"), "{failed:?}");
        assert_eq!(failed.detail.as_deref(), Some("channels differ: trace"));
        let timeout = CaseResult::of(&Outcome::Timeout { seconds: 1.0 });
        assert_eq!(timeout.verdict, "timeout");
        assert!(timeout.diffs.is_empty());
        assert_eq!(CaseResult::of(&Outcome::Pass).detail, None);
    }

    #[test]
    fn chapters_follow_the_spec_then_other_folders() {
        let m = sample();
        let chapters: Vec<&str> = m.rows_of(RowKind::Chapter).map(|r| r.id.as_str()).collect();
        assert_eq!(chapters, ["frames", "tracing", TOP_LEVEL, "extra"]);
        assert_eq!(row(&m, "chapter:frames").cells["other"], counts(0, 1, 0, 0));
        assert_eq!(row(&m, "chapter:extra").cells["other"], counts(0, 0, 0, 1));
        assert_eq!(
            row(&m, &format!("chapter:{TOP_LEVEL}")).cells["reference"],
            counts(0, 1, 0, 0)
        );
    }

    #[test]
    fn clause_and_tag_rows_count_every_case_that_names_them() {
        let m = sample();
        let repr = row(&m, "clause:frames.repr");
        assert_eq!(repr.title, "Frame repr and type");
        assert_eq!(repr.chapter.as_deref(), Some("frames"));
        assert_eq!(repr.cases, ["frames/a", "tracing/b"]);
        assert_eq!(repr.cells["reference"], counts(2, 0, 0, 0));
        assert_eq!(repr.cells["other"], counts(0, 1, 1, 0));
        let clauses: Vec<&str> = m.rows_of(RowKind::Clause).map(|r| r.id.as_str()).collect();
        // Document order: frames.repr comes before frames.identity in frames.md.
        assert_eq!(clauses, ["frames.repr", "frames.identity"]);
        assert!(m.uncited_clauses.contains(&"frames.f_code".to_owned()));
        assert!(!m.uncited_clauses.contains(&"frames.repr".to_owned()));
        let tags: Vec<&str> = m.rows_of(RowKind::Tag).map(|r| r.id.as_str()).collect();
        assert_eq!(tags, ["pep626", "pep669"]);
        assert_eq!(row(&m, "tag:pep669").cells["other"], counts(0, 0, 1, 0));
        assert!(row(&m, "tag:pep669").title.contains("monitoring"));
    }

    #[test]
    fn totals_and_cases_keep_every_result() {
        let m = sample();
        assert_eq!(m.targets, ["reference", "other"]);
        assert_eq!(m.totals["reference"], counts(3, 1, 0, 0));
        assert_eq!(m.totals["other"], counts(1, 1, 1, 1));
        assert_eq!(m.totals["other"].pass_rate(), Some(1.0 / 3.0));
        assert_eq!(Counts::default().pass_rate(), None);
        let ids: Vec<&str> = m.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["extra/c", "frames/a", "loose", "tracing/b"]);
        let loose = &m.cases[2];
        assert_eq!(loose.chapter, TOP_LEVEL);
        assert_eq!(loose.title, "", "no metadata: the file did not load");
        assert_eq!(loose.results["reference"].verdict, "timeout");
        // Every row's cells add up to its cases, per target.
        for r in &m.rows {
            for t in &m.targets {
                assert_eq!(r.cells[t].total(), r.cases.len(), "{}", r.key());
            }
        }
    }

    #[test]
    fn the_json_round_trips_and_names_its_schema() {
        let m = sample();
        let text = m.to_json();
        assert!(
            text.contains("\"schema\": \"framespec-matrix/1\""),
            "{text}"
        );
        assert!(text.contains("\"expected_fail\": 0"), "{text}");
        assert!(text.contains("\"status\": \"not_applicable\""), "{text}");
        assert_eq!(Matrix::from_json(&text), Ok(m));
        let other = text.replace("framespec-matrix/1", "framespec-matrix/9");
        assert!(Matrix::from_json(&other).is_err_and(|e| e.contains("schema `framespec-matrix/9`")));
    }

    #[test]
    fn a_target_without_reports_has_empty_cells() {
        let reports = vec![report("reference", "frames/a", Outcome::Pass)];
        let targets = ["reference".to_owned(), "idle".to_owned()];
        let m = Matrix::build(&reports, &targets, &BTreeMap::new(), 0.0);
        assert_eq!(m.totals["idle"], Counts::default());
        assert_eq!(row(&m, "chapter:frames").cells["idle"], Counts::default());
        assert!(!m.cases[0].results.contains_key("idle"));
    }

    #[test]
    fn two_files_with_one_id_stay_two_cases() {
        let mut other = report("reference", "good", Outcome::Crash("x".to_owned()));
        other.file.path = "elsewhere/good.yaml".into();
        let reports = vec![report("reference", "good", Outcome::Pass), other];
        let m = Matrix::build(&reports, &["reference".to_owned()], &BTreeMap::new(), 0.0);
        let ids: Vec<&str> = m.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["good", "good (elsewhere/good.yaml)"]);
        assert_eq!(m.totals["reference"].total(), 2);
    }
}
