//! Rendering a suite run for people (text, coloured diffs on a terminal) and for machines
//! (JSON, JUnit XML for CI dashboards).

use std::fmt::Write;
use std::time::Duration;

use crate::compare::Outcome;
use crate::runner::Report;

/// Passed, failed and not-applicable counts.
pub fn count<'a>(reports: impl Iterator<Item = &'a Report>) -> (usize, usize, usize) {
    reports.fold((0, 0, 0), |(p, f, n), r| match &r.outcome {
        Outcome::Pass => (p + 1, f, n),
        Outcome::NotApplicable(_) => (p, f, n + 1),
        _ => (p, f + 1, n),
    })
}

/// `N passed, N failed`, with `, N not applicable` when there are any.
fn summary(passed: usize, failed: usize, not_applicable: usize) -> String {
    let mut line = format!("{passed} passed, {failed} failed");
    if not_applicable > 0 {
        line.push_str(&format!(", {not_applicable} not applicable"));
    }
    line
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
        let flag = if report.target == "reference" {
            "reference"
        } else {
            "cpython"
        };
        let _ = writeln!(
            out,
            "    re-run: framespec run {} --target {flag}\n",
            report.file.path.display()
        );
    }
    if target_names.len() > 1 {
        for name in target_names {
            let (passed, failed, na) = count(reports.iter().filter(|r| &r.target == name));
            let _ = writeln!(out, "{name}: {}", summary(passed, failed, na));
        }
    }
    let (passed, failed, na) = count(reports.iter());
    let _ = writeln!(
        out,
        "{} ({:.2} s)",
        summary(passed, failed, na),
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
    let (passed, failed, not_applicable) = count(reports.iter());
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
        "passed": passed,
        "failed": failed,
        "not_applicable": not_applicable,
        "seconds": elapsed.as_secs_f64(),
        "cases": cases,
    });
    format!("{doc:#}\n")
}

/// The JUnit XML report: one `<testsuite>` per target, one `<testcase>` per case.
pub fn junit(reports: &[Report], target_names: &[String], elapsed: Duration) -> String {
    let (_, all_failed, _) = count(reports.iter());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"framespec\" tests=\"{}\" failures=\"{all_failed}\" time=\"{:.3}\">",
        reports.len(),
        elapsed.as_secs_f64()
    );
    for name in target_names {
        let ours: Vec<&Report> = reports.iter().filter(|r| &r.target == name).collect();
        let (_, failed, _) = count(ours.iter().copied());
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
            } else if let Outcome::NotApplicable(why) = &r.outcome {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(why)
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
    fn text_ends_with_the_summary_line() {
        let reports = vec![report("reference", "a", Outcome::Pass)];
        let text = text(&reports, &["reference".to_owned()], Duration::ZERO, false);
        assert_eq!(text, "1 passed, 0 failed (0.00 s)\n");
    }
}
