//! `matrix.html`: one self-contained page (inline CSS, script and SVG; nothing fetched).
//!
//! The tables and the chart are rendered here, so the numbers are in the page without its
//! script. The matrix itself is embedded as JSON (`<script type="application/json"
//! id="matrix-data">`); the script (`page.js`) reads it to open a cell (click, Enter, or a
//! link `#open=ROW@TARGET`, e.g. `#open=chapter%3Aframes@reference`) to its cases and the
//! diffs of those that fail, and checks that every cell's counts match the embedded data.
//!
//! The element `#page-status` tells a reader, person or test, how the script did:
//! `data-state` is `loading` until it has run, then `ready`, or `error` with the messages
//! (the script's own checks and any uncaught error) in `data-errors` as a JSON list.
//!
//! Every cell is a `td.cell` with `data-row` (a row key, `chapter:frames`, or `total:all`
//! for the totals), `data-target`, and one `data-STATUS` attribute per column of the matrix
//! (`data-pass`, `data-expected_fail`, …). Every chart bar is a `rect.bar` with
//! `data-chapter`, `data-target`, `data-pass` and `data-applicable`.

use std::fmt::Write;

use super::markdown::{cell, rate};
use super::{Counts, Matrix, Row, RowKind, Status};

const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Records uncaught errors (a syntax error in the main script included) in `#page-status`.
const ERROR_CATCHER: &str = "window.matrixErrors = [];\n\
window.addEventListener('error', function (e) {\n\
  window.matrixErrors.push(String(e.message || e));\n\
  var s = document.getElementById('page-status');\n\
  if (s) {\n\
    s.setAttribute('data-state', 'error');\n\
    s.setAttribute('data-errors', JSON.stringify(window.matrixErrors));\n\
    s.textContent = 'The page\\'s script failed: ' + window.matrixErrors.join('; ');\n\
  }\n\
});\n";

/// Colours of the chart's bars, one per target in order (then round again).
const TARGET_COLOURS: &[&str] = &[
    "#1f6fb4", "#8e44ad", "#16a2b8", "#8c564b", "#d35e9f", "#5f6b73", "#a4a21c", "#e07b00",
];

/// Escapes text for HTML content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The matrix as JSON that is safe inside a `<script>` element: `<` only ever appears in
/// JSON strings, where `\u003c` means the same.
fn embedded_json(m: &Matrix) -> String {
    serde_json::to_string(m)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        .replace('<', "\\u003c")
}

pub fn render(m: &Matrix) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>framespec conformance matrix</title>\n");
    let _ = writeln!(out, "<style>\n{CSS}</style>");
    let _ = writeln!(out, "<script>\n{ERROR_CATCHER}</script>");
    out.push_str("</head>\n<body>\n<header>\n<h1>framespec conformance matrix</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} cases on {} · runner contract {} · framespec {} · {:.1} s</p>",
        m.cases.len(),
        escape(&m.targets.join(", ")),
        escape(&m.contract),
        escape(&m.framespec),
        m.seconds
    );
    out.push_str(&legend());
    out.push_str(
        "<p id=\"page-status\" data-state=\"loading\" data-errors=\"[]\">\
         Without its script the page shows the counts only.</p>\n</header>\n<main>\n",
    );

    totals(&mut out, m);
    let _ = writeln!(
        out,
        "<section id=\"chart\">\n<h2>Pass rate per chapter</h2>\n{}</section>",
        chart(m)
    );
    section(&mut out, m, RowKind::Chapter, "chapters", "Chapters");
    section(&mut out, m, RowKind::Clause, "clauses", "Clauses");
    section(&mut out, m, RowKind::Tag, "tags", "Feature tags");
    if !m.uncited_clauses.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"uncited\">Clauses no case of this run cites: {}.</p>",
            m.uncited_clauses
                .iter()
                .map(|c| format!("<code>{}</code>", escape(c)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"matrix-data\">{}</script>",
        embedded_json(m)
    );
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    out
}

fn legend() -> String {
    let mut out = String::from("<p class=\"legend\">");
    for s in Status::ALL {
        let _ = write!(
            out,
            "<span class=\"chip {}\">{}</span> ",
            s.key(),
            s.label()
        );
    }
    out.push_str("· click a cell for its cases</p>\n");
    out
}

/// The worst status present, which colours the cell: fail, unsupported, expected fail,
/// pass, then not applicable; `empty` for a cell without cases.
fn shade(counts: &Counts) -> &'static str {
    [
        Status::Fail,
        Status::Unsupported,
        Status::ExpectedFail,
        Status::Pass,
        Status::NotApplicable,
    ]
    .into_iter()
    .find(|s| counts.get(*s) > 0)
    .map_or("empty", Status::key)
}

/// One `td.cell`: a bar of the shares, the non-zero counts as coloured numbers, and every
/// count as a `data-` attribute.
fn cell_td(row_key: &str, target: &str, counts: &Counts) -> String {
    let total = counts.total();
    // A cell with cases opens: it is a button a keyboard can reach.
    let button = if total > 0 {
        " tabindex=\"0\" role=\"button\" aria-expanded=\"false\""
    } else {
        ""
    };
    let mut out = format!(
        "<td class=\"cell s-{}\"{button} data-row=\"{}\" data-target=\"{}\"",
        shade(counts),
        escape(row_key),
        escape(target)
    );
    for s in Status::ALL {
        let _ = write!(out, " data-{}=\"{}\"", s.key(), counts.get(s));
    }
    let _ = write!(out, " title=\"{}\">", escape(&cell(counts)));
    if total == 0 {
        out.push_str("<span class=\"none\">—</span></td>");
        return out;
    }
    out.push_str("<span class=\"bar\">");
    for s in Status::ALL.into_iter().filter(|s| counts.get(*s) > 0) {
        let share = counts.get(s) as f64 * 100.0 / total as f64;
        let _ = write!(
            out,
            "<span class=\"{}\" style=\"width:{share:.2}%\"></span>",
            s.key()
        );
    }
    out.push_str("</span><span class=\"counts\">");
    for s in Status::ALL.into_iter().filter(|s| counts.get(*s) > 0) {
        let _ = write!(
            out,
            "<span class=\"n {}\" title=\"{}\">{}</span>",
            s.key(),
            s.label(),
            counts.get(s)
        );
    }
    out.push_str("</span></td>");
    out
}

fn totals(out: &mut String, m: &Matrix) {
    out.push_str(
        "<section id=\"totals\">\n<h2>Totals</h2>\n<table class=\"matrix\">\n<thead><tr>\
         <th>target</th><th>pass rate</th>",
    );
    for s in Status::ALL {
        let _ = write!(out, "<th class=\"num\">{}</th>", s.label());
    }
    out.push_str("<th>cases</th></tr></thead>\n<tbody>\n");
    for target in &m.targets {
        let counts = m.totals.get(target).copied().unwrap_or_default();
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num rate\">{}</td>",
            escape(target),
            rate(&counts)
        );
        for s in Status::ALL {
            let _ = write!(
                out,
                "<td class=\"num {}\" data-total=\"{}\">{}</td>",
                s.key(),
                s.key(),
                counts.get(s)
            );
        }
        let _ = writeln!(out, "{}</tr>", cell_td("total:all", target, &counts));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A section with the table of one kind of row; clauses are grouped under their chapter.
fn section(out: &mut String, m: &Matrix, kind: RowKind, id: &str, heading: &str) {
    let rows: Vec<&Row> = m.rows_of(kind).collect();
    let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{heading}</h2>");
    if rows.is_empty() {
        out.push_str("<p>None in this run.</p>\n</section>\n");
        return;
    }
    let width = m.targets.len() + 2;
    let _ = write!(
        out,
        "<table class=\"matrix\">\n<thead><tr><th>{}</th><th class=\"num\">cases</th>",
        kind.key()
    );
    for target in &m.targets {
        let _ = write!(out, "<th>{}</th>", escape(target));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut group: Option<&str> = None;
    for row in rows {
        if kind == RowKind::Clause && group != row.chapter.as_deref() {
            group = row.chapter.as_deref();
            let _ = writeln!(
                out,
                "<tr class=\"group\"><th colspan=\"{width}\">{}</th></tr>",
                escape(group.unwrap_or_default())
            );
        }
        let key = row.key();
        let label = match kind {
            RowKind::Chapter => escape(&row.id),
            RowKind::Clause | RowKind::Tag => format!(
                "<code>{}</code><span class=\"title\">{}</span>",
                escape(&row.id),
                escape(&row.title)
            ),
        };
        let _ = write!(
            out,
            "<tr data-key=\"{}\"><th scope=\"row\">{label}</th><td class=\"num\">{}</td>",
            escape(&key),
            row.cases.len()
        );
        for target in &m.targets {
            let counts = row.cells.get(target).copied().unwrap_or_default();
            out.push_str(&cell_td(&key, target, &counts));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// Horizontal bars, one group per chapter and one bar per target: its pass rate.
fn chart(m: &Matrix) -> String {
    const LABEL: f64 = 150.0;
    const PLOT: f64 = 440.0;
    const BAR: f64 = 14.0;
    const GAP: f64 = 12.0;
    const TOP: f64 = 34.0;
    let chapters: Vec<&Row> = m.rows_of(RowKind::Chapter).collect();
    let group = BAR * m.targets.len().max(1) as f64 + GAP;
    let height = TOP + group * chapters.len() as f64 + 24.0;
    let width = LABEL + PLOT + 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         aria-label=\"Pass rate per chapter and target\">\n"
    );
    // Legend: a swatch and the name of each target.
    let mut x = LABEL;
    for (i, target) in m.targets.iter().enumerate() {
        let colour = TARGET_COLOURS[i % TARGET_COLOURS.len()];
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"16\" class=\"legend\">{}</text>",
            x + 16.0,
            escape(target)
        );
        x += 16.0 + 8.0 * target.chars().count() as f64 + 24.0;
    }
    // Grid: 0, 25, 50, 75 and 100 %.
    let bottom = height - 20.0;
    for step in 0..=4 {
        let gx = LABEL + PLOT * f64::from(step) / 4.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{gx}\" y1=\"{}\" x2=\"{gx}\" y2=\"{bottom}\" class=\"grid\"/>\
             <text x=\"{gx}\" y=\"{}\" class=\"axis\">{}%</text>",
            TOP - 6.0,
            bottom + 14.0,
            step * 25
        );
    }
    for (c, row) in chapters.iter().enumerate() {
        let y0 = TOP + group * c as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"chapter\">{}</text>",
            LABEL - 8.0,
            y0 + (group - GAP) / 2.0 + 4.0,
            escape(&row.id)
        );
        for (t, target) in m.targets.iter().enumerate() {
            let counts = row.cells.get(target).copied().unwrap_or_default();
            let applicable = counts.total() - counts.not_applicable;
            let y = y0 + BAR * t as f64;
            let rate = counts.pass_rate();
            let w = PLOT * rate.unwrap_or(0.0);
            let colour = TARGET_COLOURS[t % TARGET_COLOURS.len()];
            let words = match rate {
                Some(r) => format!("{:.1}%", r * 100.0),
                None => "n/a".to_owned(),
            };
            let _ = writeln!(
                svg,
                "<rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{w:.2}\" height=\"{}\" \
                 fill=\"{colour}\" data-chapter=\"{}\" data-target=\"{}\" data-pass=\"{}\" \
                 data-applicable=\"{applicable}\"><title>{} on {}: {} of {applicable} pass \
                 ({words})</title></rect><text x=\"{}\" y=\"{}\" class=\"value\">{words}</text>",
                BAR - 3.0,
                escape(&row.id),
                escape(target),
                counts.pass,
                escape(&row.id),
                escape(target),
                counts.pass,
                LABEL + w + 4.0,
                y + BAR - 5.0,
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::tests::sample;

    #[test]
    fn the_page_is_self_contained() {
        let page = render(&sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        for remote in ["http://", "https://", "//cdn", "<link", "src="] {
            let outside_svg_namespace = page.replace("http://www.w3.org/2000/svg", "");
            assert!(!outside_svg_namespace.contains(remote), "{remote}");
        }
        assert!(page.contains("<svg"), "the chart is inline SVG");
    }

    #[test]
    fn cells_carry_their_counts() {
        let page = render(&sample());
        assert!(
            page.contains(
                "data-row=\"chapter:frames\" data-target=\"other\" data-pass=\"0\" \
                 data-fail=\"1\" data-expected_fail=\"0\" data-not_applicable=\"0\" \
                 data-unsupported=\"0\""
            ),
            "{page}"
        );
        assert_eq!(
            page.matches("<td class=\"cell ").count(),
            (4 + 2 + 2 + 1) * 2
        );
        assert_eq!(page.matches("<rect class=\"bar\"").count(), 4 * 2);
    }

    #[test]
    fn embedded_data_cannot_end_its_script_element() {
        let mut m = sample();
        m.cases[0].title = "</script><b>&amp;".to_owned();
        let page = render(&m);
        assert_eq!(page.matches("</script>").count(), 3, "only the page's own");
        let start = page.find("id=\"matrix-data\">").expect("data") + 17;
        let end = start + page[start..].find("</script>").expect("end");
        let back = serde_json::from_str::<Matrix>(&page[start..end]).expect("the data parses");
        assert_eq!(back.cases[0].title, "</script><b>&amp;");
    }

    #[test]
    fn cells_are_shaded_by_their_worst_status() {
        let mut c = Counts {
            pass: 3,
            not_applicable: 1,
            ..Counts::default()
        };
        assert_eq!(shade(&c), "pass");
        c.unsupported = 1;
        assert_eq!(shade(&c), "unsupported");
        c.fail = 1;
        assert_eq!(shade(&c), "fail");
        assert_eq!(shade(&Counts::default()), "empty");
    }
}
