//! Rendering a suite run for people (text, coloured diffs on a terminal) and for machines
//! (JSON, JUnit XML for CI dashboards).

use std::fmt::Write;
use std::time::Duration;

use crate::compare::Outcome;
use crate::runner::Report;

/// Verdict counts. `failed` is every verdict but pass, unsupported, not applicable,
/// expected failure and skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub unsupported: usize,
    pub not_applicable: usize,
    pub expected_failures: usize,
    pub skipped: usize,
}

impl Tally {
    pub fn of<'a>(reports: impl Iterator<Item = &'a Report>) -> Tally {
        let mut t = Tally::default();
        for r in reports {
            match &r.outcome {
                Outcome::Pass => t.passed += 1,
                Outcome::NotApplicable(_) => t.not_applicable += 1,
                Outcome::Unsupported { .. } => t.unsupported += 1,
                Outcome::ExpectedFail { .. } => t.expected_failures += 1,
                Outcome::Skipped(_) => t.skipped += 1,
                _ => t.failed += 1,
            }
        }
        t
    }

    /// `N passed, N failed`, then `, N expected failures`, `, N unsupported`,
    /// `, N not applicable` and `, N skipped` when there are any.
    pub fn summary(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        for (n, what) in [
            (self.expected_failures, "expected failures"),
            (self.unsupported, "unsupported"),
            (self.not_applicable, "not applicable"),
            (self.skipped, "skipped"),
        ] {
            if n > 0 {
                line.push_str(&format!(", {n} {what}"));
            }
        }
        line
    }
}

/// The text report: every failure with its diffs and the command that re-runs it, a line per
/// target when there are several, and the summary line `N passed, N failed`.
pub fn text(
    reports: &[Report],
    target_names: &[String],
    elapsed: Duration,
    colour: bool,
) -> String {
    let mut out = String::new();
    for report in reports.iter().filter(|r| r.outcome.failed()) {
        let _ = writeln!(
            out,
            "FAIL {}::{} ({})",
            report.target,
            report.file.id,
            report.outcome.label()
        );
        for line in report.outcome.to_string().lines() {
            let _ = writeln!(out, "    {}", paint(line, colour));
        }
        let _ = writeln!(
            out,
            "    re-run: framespec run {} --target {}\n",
            report.file.path.display(),
            report.selector
        );
    }
    if target_names.len() > 1 {
        for name in target_names {
            let tally = Tally::of(reports.iter().filter(|r| &r.target == name));
            let _ = writeln!(out, "{name}: {}", tally.summary());
        }
    }
    let _ = writeln!(
        out,
        "{} ({:.2} s)",
        Tally::of(reports.iter()).summary(),
        elapsed.as_secs_f64()
    );
    out
}

/// Colours unified-diff lines: removed (expected) red, added (actual) green, hunks cyan.
fn paint(line: &str, colour: bool) -> String {
    if !colour {
        return line.to_owned();
    }
    let code = match line.as_bytes().first() {
        Some(b'-') if !line.starts_with("---") => "31",
        Some(b'+') if !line.starts_with("+++") => "32",
        Some(b'@') if line.starts_with("@@") => "36",
        _ => return line.to_owned(),
    };
    format!("\x1b[{code}m{line}\x1b[0m")
}

/// The JSON report: totals and one object per (target, case).
pub fn json(reports: &[Report], elapsed: Duration) -> String {
    let tally = Tally::of(reports.iter());
    let cases: Vec<_> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "target": r.target,
                "id": r.file.id,
                "path": r.file.path,
                "outcome": r.outcome.label(),
                "detail": if r.outcome.passed() { String::new() } else { r.outcome.to_string() },
            })
        })
        .collect();
    let doc = serde_json::json!({
        "passed": tally.passed,
        "failed": tally.failed,
        "unsupported": tally.unsupported,
        "not_applicable": tally.not_applicable,
        "expected_failures": tally.expected_failures,
        "skipped": tally.skipped,
        "seconds": elapsed.as_secs_f64(),
        "cases": cases,
    });
    format!("{doc:#}\n")
}

/// The JUnit XML report: one `<testsuite>` per target, one `<testcase>` per case.
pub fn junit(reports: &[Report], target_names: &[String], elapsed: Duration) -> String {
    let all = Tally::of(reports.iter());
    let all_failed = all.failed + all.unsupported;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"framespec\" tests=\"{}\" failures=\"{all_failed}\" time=\"{:.3}\">",
        reports.len(),
        elapsed.as_secs_f64()
    );
    for name in target_names {
        let ours: Vec<&Report> = reports.iter().filter(|r| &r.target == name).collect();
        let tally = Tally::of(ours.iter().copied());
        let failed = tally.failed + tally.unsupported;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
            xml(name),
            ours.len()
        );
        for r in ours {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(name),
                xml(&r.file.id)
            );
            if r.outcome.passed() {
                out.push_str("/>\n");
            } else if !r.outcome.failed() {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&r.outcome.to_string())
                );
            } else {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    xml(r.outcome.label()),
                    xml(&r.outcome.to_string())
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content; characters XML 1.0 forbids become U+FFFD.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Outcome;
    use crate::runner::CaseFile;

    fn report(target: &str, id: &str, outcome: Outcome) -> Report {
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

    #[test]
    fn junit_escapes_and_counts() {
        let reports = vec![
            report("reference", "a/b", Outcome::Pass),
            report(
                "reference",
                "a/<c>",
                Outcome::Crash("bad \"thing\" & \u{1}".to_owned()),
            ),
        ];
        let xml = junit(
            &reports,
            &["reference".to_owned()],
            Duration::from_millis(1500),
        );
        assert!(
            xml.contains("<testsuite name=\"reference\" tests=\"2\" failures=\"1\">"),
            "{xml}"
        );
        assert!(xml.contains("name=\"a/&lt;c&gt;\""), "{xml}");
        assert!(
            xml.contains("crash: bad &quot;thing&quot; &amp; \u{fffd}</failure>"),
            "{xml}"
        );
    }

    #[test]
    fn out_of_memory_is_a_failure_in_every_rendering() {
        let reports = vec![
            report("reference", "a", Outcome::Pass),
            report(
                "reference",
                "grows",
                Outcome::OutOfMemory {
                    limit_bytes: 512 << 20,
                },
            ),
        ];
        let names = ["reference".to_owned()];
        let detail = "out of memory: the program needed more than the heap budget of 512 MiB";
        assert_eq!(
            Tally::of(reports.iter()),
            Tally {
                passed: 1,
                failed: 1,
                ..Tally::default()
            }
        );
        let text = text(&reports, &names, Duration::ZERO, false);
        assert!(
            text.contains("FAIL reference::grows (out of memory)\n    "),
            "{text}"
        );
        assert!(text.contains(detail), "{text}");
        assert!(text.ends_with("1 passed, 1 failed (0.00 s)\n"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&json(&reports, Duration::ZERO)).expect("the report is JSON");
        assert_eq!(json["failed"], 1);
        assert_eq!(json["cases"][1]["outcome"], "out of memory");
        assert_eq!(json["cases"][1]["detail"], detail);
        let xml = junit(&reports, &names, Duration::ZERO);
        assert!(
            xml.contains(&format!(
                "<failure message=\"out of memory\">{detail}</failure>"
            )),
            "{xml}"
        );
    }

    #[test]
    fn text_ends_with_the_summary_line() {
        let reports = vec![report("reference", "a", Outcome::Pass)];
        let text = text(&reports, &["reference".to_owned()], Duration::ZERO, false);
        assert_eq!(text, "1 passed, 0 failed (0.00 s)\n");
    }
}
