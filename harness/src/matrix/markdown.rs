//! `matrix.md`: the matrix as Markdown tables (totals, chapters, clauses, tags) and the
//! cases that do not pass, per target. A cell lists its non-zero counts with their labels
//! (`29 pass, 1 fail`); a cell with no case is `—`.

use std::fmt::Write;

use super::{Counts, Matrix, Row, RowKind, Status};

/// The cell text: the non-zero counts as `N label`, joined by `, `; `—` when all are zero.
pub fn cell(counts: &Counts) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| format!("{} {}", counts.get(*s), s.label()))
        .collect();
    if parts.is_empty() {
        "—".to_owned()
    } else {
        parts.join(", ")
    }
}

/// A pass rate as a percentage with one decimal (`96.7%`), `—` when no case applies.
pub fn rate(counts: &Counts) -> String {
    counts
        .pass_rate()
        .map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// Text for a table cell or a list item: its first line, read literally (Markdown's
/// emphasis, code and link characters escaped, no HTML).
pub fn inline(text: &str) -> String {
    let mut out = String::new();
    for c in text.lines().next().unwrap_or_default().chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(m: &Matrix) -> String {
    let mut out = String::from("# framespec conformance matrix\n\n");
    let _ = writeln!(
        out,
        "{} cases on {} target{}: {} (runner contract {}, framespec {}, {:.1} s).\n",
        m.cases.len(),
        m.targets.len(),
        if m.targets.len() == 1 { "" } else { "s" },
        m.targets.join(", "),
        m.contract,
        m.framespec,
        m.seconds
    );
    out.push_str(
        "A cell counts the row's cases on one target by verdict (pass, fail, expected fail, \
         not applicable, unsupported); the pass rate is pass / (cases − not applicable).\n\n",
    );

    out.push_str("## Totals\n\n| target | pass rate |");
    for s in Status::ALL {
        let _ = write!(out, " {} |", s.label());
    }
    out.push_str("\n|---|---:|");
    out.push_str(&"---:|".repeat(Status::ALL.len()));
    out.push('\n');
    for target in &m.targets {
        let counts = m.totals.get(target).copied().unwrap_or_default();
        let _ = write!(out, "| {} | {} |", inline(target), rate(&counts));
        for s in Status::ALL {
            let _ = write!(out, " {} |", counts.get(s));
        }
        out.push('\n');
    }

    table(&mut out, m, RowKind::Chapter, "Chapters", &["chapter"]);
    table(
        &mut out,
        m,
        RowKind::Clause,
        "Clauses",
        &["clause", "title"],
    );
    table(&mut out, m, RowKind::Tag, "Feature tags", &["tag", "title"]);

    if !m.uncited_clauses.is_empty() {
        let _ = writeln!(
            out,
            "\nClauses no case of this run cites: {}.",
            m.uncited_clauses
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    out.push_str("\n## Not passing\n");
    for target in &m.targets {
        let failing: Vec<_> = m
            .cases
            .iter()
            .filter_map(|c| c.results.get(target).map(|r| (c, r)))
            .filter(|(_, r)| !matches!(r.status, Status::Pass | Status::NotApplicable))
            .collect();
        let _ = writeln!(out, "\n### {}\n", inline(target));
        if failing.is_empty() {
            out.push_str("Every case that applies passes.\n");
        }
        for (case, result) in failing {
            let detail = result
                .detail
                .as_deref()
                .map(|d| format!(": {}", inline(d)))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{}` — {}{detail}", case.id, result.words());
        }
    }
    out
}

/// A section with one table: the row's id (and title), its case count, a cell per target.
fn table(out: &mut String, m: &Matrix, kind: RowKind, heading: &str, columns: &[&str]) {
    let rows: Vec<&Row> = m.rows_of(kind).collect();
    let _ = writeln!(out, "\n## {heading}\n");
    if rows.is_empty() {
        out.push_str("None in this run.\n");
        return;
    }
    out.push('|');
    for column in columns.iter().chain(&["cases"]) {
        let _ = write!(out, " {column} |");
    }
    for target in &m.targets {
        let _ = write!(out, " {} |", inline(target));
    }
    out.push_str("\n|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push_str("---:|");
    out.push_str(&"---|".repeat(m.targets.len()));
    out.push('\n');
    for row in rows {
        let id = match kind {
            RowKind::Chapter => inline(&row.id),
            RowKind::Clause | RowKind::Tag => format!("`{}`", row.id),
        };
        let _ = write!(out, "| {id} |");
        if columns.len() > 1 {
            let _ = write!(out, " {} |", inline(&row.title));
        }
        let _ = write!(out, " {} |", row.cases.len());
        for target in &m.targets {
            let counts = row.cells.get(target).copied().unwrap_or_default();
            let _ = write!(out, " {} |", cell(&counts));
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::tests::sample;

    #[test]
    fn cells_list_the_non_zero_counts() {
        let counts = Counts {
            pass: 29,
            fail: 1,
            expected_fail: 0,
            not_applicable: 2,
            unsupported: 0,
        };
        assert_eq!(cell(&counts), "29 pass, 1 fail, 2 not applicable");
        assert_eq!(cell(&Counts::default()), "—");
        assert_eq!(rate(&counts), "96.7%");
    }

    #[test]
    fn the_page_has_every_section_and_the_failures() {
        let md = render(&sample());
        for heading in [
            "## Totals",
            "## Chapters",
            "## Clauses",
            "## Feature tags",
            "## Not passing",
            "### other",
        ] {
            assert!(md.contains(heading), "{heading}\n{md}");
        }
        assert!(
            md.contains("| reference | 75.0% | 3 | 1 | 0 | 0 | 0 |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| `frames.repr` | Frame repr and type | 2 | 2 pass | 1 fail, 1 not applicable |"
            ),
            "{md}"
        );
        assert!(
            md.contains("- `frames/a` — fail: channels differ: stdout"),
            "{md}"
        );
        assert!(
            md.contains("- `loose` — fail (timeout): the program did not finish within 5.0 s"),
            "{md}"
        );
        assert!(
            md.contains("- `extra/c` — unsupported: main.py:1:1: metaclasses is not supported"),
            "{md}"
        );
        assert!(
            !md.contains("`tracing/b` —"),
            "not applicable is not listed\n{md}"
        );
    }

    #[test]
    fn table_text_stays_in_its_cell() {
        assert_eq!(
            inline("a|b <c> __cause__ `x`\nsecond line"),
            "a\\|b &lt;c&gt; \\_\\_cause\\_\\_ \\`x\\`"
        );
    }
}
