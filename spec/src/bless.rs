//! Writing expectations back into a case file. Only the top-level `expect:` block (and,
//! for other CPython versions, the `versions:` block) is replaced; the title, metadata,
//! source and every comment outside those blocks stay exactly as their author wrote them.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::case::Expectation;

/// Returns `text` with its top-level `expect:` block replaced by `expect` (appended if the
/// file has none).
pub fn replace_expect(text: &str, expect: &Expectation) -> String {
    replace_block(text, "expect", &emit_expect(expect))
}

/// Returns `text` with its top-level `versions:` block replaced by `versions` (removed when
/// `versions` is empty, appended if the file has none).
pub fn replace_versions(text: &str, versions: &BTreeMap<String, Expectation>) -> String {
    let mut block = String::new();
    if !versions.is_empty() {
        block.push_str("versions:\n");
        for (version, expect) in versions {
            let _ = writeln!(block, "  {}:", quoted(version));
            block.push_str(&emit_expectation(expect, 4));
        }
    }
    replace_block(text, "versions", &block)
}

/// Replaces the top-level block that starts with `key:` by `block`.
fn replace_block(text: &str, key: &str, block: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let head = format!("{key}:");
    let Some(start) = lines.iter().position(|l| l.starts_with(&head)) else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(block);
        return out;
    };
    // The block runs until the next line that starts in column 0 (a key or a comment);
    // blank lines just before that line belong to what follows.
    let mut end = start + 1;
    while end < lines.len() && (lines[end].starts_with([' ', '\t']) || lines[end].trim().is_empty())
    {
        end += 1;
    }
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut out: String = lines[..start].concat();
    out.push_str(block);
    out.push_str(&lines[end..].concat());
    out
}

/// The `expect:` block for `expect`, as YAML text ending in a newline.
pub fn emit_expect(expect: &Expectation) -> String {
    let body = emit_expectation(expect, 2);
    if body.is_empty() {
        "expect: {}\n".to_owned()
    } else {
        format!("expect:\n{body}")
    }
}

/// The channels of `expect` as mapping entries indented by `indent` spaces.
fn emit_expectation(expect: &Expectation, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    if let Some(stdout) = &expect.stdout {
        let _ = writeln!(out, "{pad}stdout: {}", scalar(stdout, indent + 2));
    }
    if let Some(exc) = &expect.exception {
        let _ = writeln!(out, "{pad}exception:");
        let _ = writeln!(out, "{pad}  type: {}", quoted(&exc.type_name));
        if let Some(message) = &exc.message {
            let _ = writeln!(out, "{pad}  message: {}", quoted(message));
        }
        if exc.traceback.is_empty() {
            let _ = writeln!(out, "{pad}  traceback: []");
        } else {
            let _ = writeln!(out, "{pad}  traceback:");
            for entry in &exc.traceback {
                let _ = writeln!(out, "{pad}    - {}", quoted(entry));
            }
        }
    }
    if let Some(trace) = &expect.trace {
        let _ = writeln!(out, "{pad}trace: {}", scalar(trace, indent + 2));
    }
    if let Some(snapshots) = &expect.snapshots {
        let _ = writeln!(out, "{pad}snapshots: {}", scalar(snapshots, indent + 2));
    }
    if let Some(internals) = &expect.internals {
        let _ = writeln!(out, "{pad}internals: {}", scalar(internals, indent + 2));
    }
    out
}

/// A string as a literal block scalar when that represents it exactly and readably,
/// otherwise double-quoted. `indent` is the block's indentation.
fn scalar(s: &str, indent: usize) -> String {
    let printable = s.chars().all(|c| c == '\n' || !c.is_control());
    let body = s.strip_suffix('\n').unwrap_or(s);
    // Literal blocks cannot hold trailing blank lines (other than with `|+`), lines that
    // end in spaces survive badly in editors, and an empty string is clearer quoted.
    let blockable = printable
        && !body.is_empty()
        && !body.ends_with('\n')
        && !body
            .lines()
            .any(|l| l.ends_with(' ') || (l.trim().is_empty() && !l.is_empty()));
    if !blockable {
        return quoted(s);
    }
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    // A first line that starts with a space needs an explicit indentation indicator.
    let indicator = if body.starts_with(' ') { "2" } else { "" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{indicator}{chomp}\n");
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    out.pop();
    out
}

/// A YAML double-quoted scalar (its escapes are a superset of JSON's).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{load_str, ExpectedException};
    use std::collections::BTreeMap;
    use std::path::Path;

    fn round_trip(expect: Expectation) {
        let text = format!(
            "# a comment\ntitle: t\nspec: [frames.f_back.chain]\ntrace: true\nsnapshot_lines: [1]\nsource: |\n  x = 1\n{}",
            emit_expect(&expect)
        );
        let case =
            load_str("t", Path::new("t.yaml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(case.expect, expect, "{text}");
    }

    #[test]
    fn expectations_survive_a_round_trip() {
        for stdout in [
            "",
            "a\n",
            "a",
            "a\n\nb\n",
            "  lead\n",
            "trail \n",
            "x\n\n",
            "\n",
            "tab\there\n",
            "\u{1b}[0m\n",
            "ü ∑ 😀\n",
        ] {
            round_trip(Expectation {
                stdout: Some(stdout.to_owned()),
                ..Expectation::default()
            });
        }
        round_trip(Expectation {
            stdout: Some("x\n".to_owned()),
            exception: Some(ExpectedException {
                type_name: "ZeroDivisionError".to_owned(),
                message: Some("division by zero".to_owned()),
                traceback: vec!["<module>:3".to_owned(), "f: \"2".to_owned()],
            }),
            trace: Some("call f:1\nline f:2\n".to_owned()),
            snapshots: Some("@1\n  <module>:1\n".to_owned()),
            internals: None,
        });
    }

    #[test]
    fn internals_round_trip() {
        let expect = Expectation {
            snapshots: Some("@1\n  <module>:1\n".to_owned()),
            internals: Some(
                "@1\n  <module> thread lasti=2 NOP ret=- fobj=no stack=[]\n".to_owned(),
            ),
            ..Expectation::default()
        };
        let text = format!(
            "title: t\nspec: [internals.owner]\nsnapshot_lines: [1]\ninternals: true\nsource: |\n  x = 1\n{}",
            emit_expect(&expect)
        );
        let case =
            load_str("t", Path::new("t.yaml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(case.expect, expect, "{text}");
    }

    #[test]
    fn version_overrides_round_trip_and_can_be_removed() {
        let base = "title: t\nspec: [frames.f_back.chain]\nsource: |\n  x = 1\nexpect:\n  stdout: \"1\\n\"\n";
        let mut versions = BTreeMap::new();
        versions.insert(
            "3.11".to_owned(),
            Expectation {
                stdout: Some("a\n b\n".to_owned()),
                exception: Some(ExpectedException {
                    type_name: "AttributeError".to_owned(),
                    message: Some("no".to_owned()),
                    traceback: vec!["<module>:1".to_owned()],
                }),
                ..Expectation::default()
            },
        );
        versions.insert(
            "3.8".to_owned(),
            Expectation {
                stdout: Some(String::new()),
                ..Expectation::default()
            },
        );
        let text = replace_versions(base, &versions);
        let case =
            load_str("t", Path::new("t.yaml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(case.versions, versions, "{text}");
        assert_eq!(replace_versions(&text, &BTreeMap::new()), base);
    }

    #[test]
    fn only_the_expect_block_changes() {
        let text =
            "title: t # keep\nexpect:\n  stdout: |\n    old\n\n# trailing comment\nversions: {}\n";
        let new = Expectation {
            stdout: Some("new\n".to_owned()),
            ..Expectation::default()
        };
        assert_eq!(
            replace_expect(text, &new),
            "title: t # keep\nexpect:\n  stdout: |\n    new\n\n# trailing comment\nversions: {}\n"
        );
        assert_eq!(
            replace_expect("title: t\nexpect: {}\n", &new),
            "title: t\nexpect:\n  stdout: |\n    new\n"
        );
    }
}
