//! Case files: discovery, the serde types, and validation (INTERPRETING.md §1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{clause_ids, tags};

/// A loaded, validated case.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Path under `cases/` without `.yaml`, with `/` separators (`frames/f_back/chain`).
    pub id: String,
    pub path: PathBuf,
    pub title: String,
    pub spec: Vec<String>,
    pub tags: Vec<String>,
    /// The Python program; empty when the case gives `bytecode` instead.
    pub source: String,
    /// The program as a bytecode listing (spec/BYTECODE.md), when the case gives one
    /// instead of `source`.
    pub bytecode: Option<Bytecode>,
    /// The program's other files (INTERPRETING.md §1 `modules`): path relative to the
    /// program's directory (`helper.py`, `pkg/__init__.py`) → source, in path order.
    pub modules: BTreeMap<String, String>,
    pub trace: bool,
    pub snapshot_lines: Vec<u32>,
    /// Record the `internals` channel at the snapshots (spec/INTERNALS.md).
    pub internals: bool,
    /// The CPython 3.12 expectation.
    pub expect: Expectation,
    /// Per-version overrides, keyed `"3.N"`.
    pub versions: BTreeMap<String, Expectation>,
}

/// A case's `bytecode:`: the listing, and where its first line is in the case file, so an
/// error the assembler finds at a line of the listing can be located in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bytecode {
    pub listing: String,
    /// 1-based line of the case file holding the listing's first line.
    pub line: usize,
    /// Columns of indentation the file adds to the listing's lines.
    pub indent: usize,
}

impl Bytecode {
    /// The case file's line and column of the listing's `line`:`column` (1-based).
    pub fn locate(&self, line: usize, column: usize) -> (usize, usize) {
        (self.line + line.saturating_sub(1), self.indent + column)
    }
}

/// What a target must show. A channel left out is not compared, except `stdout` (absent
/// means empty) and `exception` (absent means the program completes normally).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExpectedException>,
    /// One `EVENT NAME:LINE` per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// The rendered snapshot blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<String>,
    /// The snapshots' interpreter frames, one text line per frame (INTERPRETING.md §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internals: Option<String>,
}

/// The uncaught exception a case expects.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedException {
    #[serde(rename = "type")]
    pub type_name: String,
    /// Compared only when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `co_name:tb_lineno`, outermost first.
    #[serde(default)]
    pub traceback: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    title: String,
    spec: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    bytecode: Option<String>,
    #[serde(default)]
    modules: BTreeMap<String, String>,
    #[serde(default)]
    trace: bool,
    #[serde(default)]
    snapshot_lines: Vec<u32>,
    #[serde(default)]
    internals: bool,
    expect: Expectation,
    #[serde(default)]
    versions: BTreeMap<String, Expectation>,
}

/// The CPython versions a case may carry overrides for.
pub const KNOWN_VERSIONS: &[&str] = &["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"];

impl Case {
    /// `Err(reason)` when the case does not apply to CPython `version`: one of its tags is
    /// an API (`requires`) that version lacks.
    pub fn applies_to(&self, version: &str) -> Result<(), String> {
        if self.bytecode.is_some() && version != "3.12" {
            return Err(
                "a bytecode case is a CPython 3.12 code object (spec/BYTECODE.md)".to_owned(),
            );
        }
        for name in &self.tags {
            if let Some(tag) = tags()
                .get(name)
                .filter(|t| t.requires && !t.available_in(version))
            {
                let until = tag
                    .until
                    .as_deref()
                    .map(|u| format!(" until {u}"))
                    .unwrap_or_default();
                return Err(format!(
                    "needs `{name}` (CPython {}{until}): {}",
                    tag.since, tag.title
                ));
            }
        }
        Ok(())
    }

    /// The expectation for CPython `version` (`"3.11"`): the 3.12 one with that version's
    /// overrides applied channel by channel. `None` means the reference semantics (3.12).
    pub fn expectation_for(&self, version: Option<&str>) -> Expectation {
        let mut expect = self.expect.clone();
        if let Some(over) = version.and_then(|v| self.versions.get(v)) {
            if over.stdout.is_some() {
                expect.stdout.clone_from(&over.stdout);
            }
            if over.exception.is_some() {
                expect.exception.clone_from(&over.exception);
            }
            if over.trace.is_some() {
                expect.trace.clone_from(&over.trace);
            }
            if over.snapshots.is_some() {
                expect.snapshots.clone_from(&over.snapshots);
            }
            if over.internals.is_some() {
                expect.internals.clone_from(&over.internals);
            }
        }
        expect
    }
}

/// Every `.yaml` file under `root` (or `root` itself if it is a file), sorted, with its id.
/// The id is the path relative to the nearest enclosing directory named `cases` (or to
/// `root` when there is none), without the extension.
pub fn discover(root: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut files = Vec::new();
    if root.is_file() {
        files.push(root.to_path_buf());
    } else {
        walk(root, &mut files)?;
    }
    files.sort();
    let base = root
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "cases"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            if root.is_file() {
                root.parent().unwrap_or(root).to_path_buf()
            } else {
                root.to_path_buf()
            }
        });
    Ok(files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&base).unwrap_or(&path).with_extension("");
            let id = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (id, path)
        })
        .collect())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(dir, 1, 1, format!("cannot read directory: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::new(dir, 1, 1, format!("cannot read directory: {e}")))?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads and validates the case at `path`.
pub fn load(id: &str, path: &Path) -> Result<Case, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(path, 1, 1, format!("cannot read case: {e}")))?;
    load_str(id, path, &text)
}

/// Parses and validates case text; `path` is only used to locate errors.
pub fn load_str(id: &str, path: &Path, text: &str) -> Result<Case, Error> {
    let raw: RawCase = yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        Error::new(
            path,
            line,
            column,
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        )
    })?;
    let at = |key: &str, needle: &str| locate(text, key, needle);
    let fail = |(line, column): (usize, usize), message: String| {
        Err(Error::new(path, line, column, message))
    };

    if raw.title.trim().is_empty() {
        return fail(at("title", ""), "`title` is empty".to_owned());
    }
    if raw.spec.is_empty() {
        return fail(
            at("spec", ""),
            "`spec` must name at least one clause id".to_owned(),
        );
    }
    for id in &raw.spec {
        if !clause_ids().iter().any(|known| known == id) {
            return fail(
                at("spec", id),
                format!(
                    "unknown clause id `{id}` (clause ids are the headings of spec/clauses/*.md)"
                ),
            );
        }
    }
    for tag in &raw.tags {
        if !tags().contains_key(tag) {
            return fail(
                at("tags", tag),
                format!("unknown feature tag `{tag}` (tags are listed in spec/tags.yaml)"),
            );
        }
    }
    let bytecode = match (raw.source.as_deref(), raw.bytecode) {
        (Some(_), Some(_)) => {
            return fail(
                at("bytecode", ""),
                "a case gives `source` or `bytecode`, not both".to_owned(),
            )
        }
        (None, None) => {
            return fail(
                (1, 1),
                "a case needs `source` (a Python program) or `bytecode` (a listing, \
                 spec/BYTECODE.md)"
                    .to_owned(),
            )
        }
        (Some(source), None) if source.trim().is_empty() => {
            return fail(at("source", ""), "`source` is empty".to_owned());
        }
        (None, Some(listing)) if listing.trim().is_empty() => {
            return fail(at("bytecode", ""), "`bytecode` is empty".to_owned());
        }
        (_, Some(listing)) => {
            let (key_line, _) = at("bytecode", "");
            let first = text.lines().skip(key_line).find(|l| !l.trim().is_empty());
            let indent = first.map_or(0, |l| l.len() - l.trim_start().len());
            // A block scalar (`bytecode: |`): the listing's first line is the file's next.
            Some(Bytecode {
                listing,
                line: key_line + 1,
                indent,
            })
        }
        (Some(_), None) => None,
    };
    let source = raw.source.unwrap_or_default();
    for path in raw.modules.keys() {
        if let Err(why) = check_module_path(path) {
            return fail(at("modules", path), format!("module path `{path}` {why}"));
        }
    }
    // A listing's lines are whatever its locations say.
    let source_lines = match bytecode {
        Some(_) => u32::MAX as usize,
        None => source.lines().count(),
    };
    for &line in &raw.snapshot_lines {
        if line == 0 || line as usize > source_lines {
            return fail(
                at("snapshot_lines", &line.to_string()),
                format!("snapshot line {line} is outside the source (lines 1-{source_lines})"),
            );
        }
    }
    if raw.internals && raw.snapshot_lines.is_empty() {
        return fail(
            at("internals", ""),
            "`internals: true` needs `snapshot_lines`".to_owned(),
        );
    }
    if raw.internals && raw.trace {
        return fail(
            at("internals", ""),
            "`internals: true` cannot be combined with `trace: true` (INTERPRETING.md §3)"
                .to_owned(),
        );
    }
    for (version, expect) in std::iter::once(("3.12", &raw.expect))
        .chain(raw.versions.iter().map(|(v, e)| (v.as_str(), e)))
    {
        if !KNOWN_VERSIONS.contains(&version) {
            return fail(
                at("versions", version),
                format!(
                    "unknown CPython version `{version}` (known: {})",
                    KNOWN_VERSIONS.join(", ")
                ),
            );
        }
        if expect.trace.is_some() && !raw.trace {
            return fail(
                at("trace", ""),
                "an expected `trace` needs `trace: true`".to_owned(),
            );
        }
        if expect.snapshots.is_some() && raw.snapshot_lines.is_empty() {
            return fail(
                at("snapshots", ""),
                "expected `snapshots` need `snapshot_lines`".to_owned(),
            );
        }
        if expect.internals.is_some() && !raw.internals {
            return fail(
                at("internals", ""),
                "expected `internals` need `internals: true`".to_owned(),
            );
        }
    }
    Ok(Case {
        id: id.to_owned(),
        path: path.to_path_buf(),
        title: raw.title,
        spec: raw.spec,
        tags: raw.tags,
        source,
        bytecode,
        modules: raw.modules,
        trace: raw.trace,
        snapshot_lines: raw.snapshot_lines,
        internals: raw.internals,
        expect: raw.expect,
        versions: raw.versions,
    })
}

/// Why `path` cannot name one of a case's module files, if it cannot: it must be a
/// relative `/`-separated path of plain names (no `.`, `..` or empty parts, no `\\`)
/// ending in `.py`, and not the program itself (`main.py`).
fn check_module_path(path: &str) -> Result<(), &'static str> {
    if path.starts_with('/') {
        return Err("must be relative to the program's directory");
    }
    if path.contains('\\') {
        return Err("must use `/` as its separator");
    }
    if path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err("must not have empty, `.` or `..` parts");
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    if file.len() <= 3 || !file.ends_with(".py") {
        return Err("must name a `.py` file");
    }
    if path == "main.py" {
        return Err("is the program itself (its source is `source`)");
    }
    Ok(())
}

/// 1-based line and column of `needle` at or after the first line that starts with `key:`
/// (or of the key itself when `needle` is empty or not found). Validation errors are about
/// values serde has already accepted, so this textual search is enough to point at them.
fn locate(text: &str, key: &str, needle: &str) -> (usize, usize) {
    let key_line = text
        .lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .unwrap_or(0);
    if !needle.is_empty() {
        for (n, line) in text.lines().enumerate().skip(key_line) {
            let from = if n == key_line {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            if let Some(col) = line.get(from..).and_then(|rest| rest.find(needle)) {
                return (n + 1, from + col + 1);
            }
        }
    }
    let indent = text
        .lines()
        .nth(key_line)
        .map_or(0, |l| l.len() - l.trim_start().len());
    (key_line + 1, indent + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Case, Error> {
        load_str("t", Path::new("cases/t.yaml"), text)
    }

    const GOOD: &str = "title: t\nspec: [frames.f_back.chain]\nsource: |\n  print(1)\nexpect:\n  stdout: \"1\\n\"\n";

    #[test]
    fn a_good_case_loads() {
        let case = load(GOOD).expect("loads");
        assert_eq!(case.source, "print(1)\n");
        assert_eq!(case.expect.stdout.as_deref(), Some("1\n"));
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = load(&GOOD.replace("title: t\n", "title: t\nfoo: 1\n")).expect_err("unknown key");
        assert_eq!((err.line, err.column), (2, 1), "{err}");
        assert!(err.message.contains("unknown field `foo`"), "{err}");
    }

    #[test]
    fn unknown_clause_ids_are_located() {
        let err = load(&GOOD.replace(
            "[frames.f_back.chain]",
            "[frames.f_back.chain, frames.nope]",
        ))
        .expect_err("bad id");
        assert_eq!((err.line, err.column), (2, 29), "{err}");
        assert!(err.message.contains("frames.nope"), "{err}");
    }

    #[test]
    fn a_missing_source_is_an_error() {
        let err = load(&GOOD.replace("source: |\n  print(1)\n", "")).expect_err("no source");
        assert!(err.message.contains("needs `source`"), "{err}");
    }

    #[test]
    fn bytecode_is_instead_of_source() {
        let both = GOOD.replace("source: |", "bytecode: |\n  code m\nsource: |");
        let err = load(&both).expect_err("both");
        assert!(err.message.contains("not both"), "{err}");
        let listing = GOOD.replace("source: |\n  print(1)\n", "bytecode: |\n\n    code m\n");
        let case = load(&listing).expect("a bytecode case");
        let b = case.bytecode.clone().expect("bytecode");
        assert_eq!(b.listing, "\ncode m\n");
        // Listing line 2 (`code m`) is the file line holding it, after its indentation.
        let text_line = listing
            .lines()
            .position(|l| l.trim() == "code m")
            .expect("line")
            + 1;
        assert_eq!(b.locate(2, 1), (text_line, 5));
        assert!(case.applies_to("3.11").is_err() && case.applies_to("3.12").is_ok());
    }

    #[test]
    fn wrong_types_are_located() {
        let err = load(&GOOD.replace("title: t", "title: t\ntrace: maybe")).expect_err("bad bool");
        assert_eq!(err.line, 2, "{err}");
    }

    #[test]
    fn internals_need_snapshots_and_exclude_the_trace() {
        let with = |keys: &str| GOOD.replace("expect:", &format!("{keys}expect:"));
        let case = load(&with("snapshot_lines: [1]\ninternals: true\n")).expect("loads");
        assert!(case.internals);
        let err = load(&with("internals: true\n")).expect_err("no snapshot lines");
        assert!(err.message.contains("needs `snapshot_lines`"), "{err}");
        let err = load(&with("trace: true\nsnapshot_lines: [1]\ninternals: true\n"))
            .expect_err("with the trace");
        assert!(err.message.contains("cannot be combined"), "{err}");
        let err = load(&GOOD.replace("expect:\n", "expect:\n  internals: \"@1\\n\"\n"))
            .expect_err("expected without asking");
        assert!(err.message.contains("need `internals: true`"), "{err}");
    }

    #[test]
    fn modules_load_in_path_order() {
        let text = GOOD.replace(
            "expect:",
            "modules:\n  pkg/sub.py: |\n    X = 2\n  helper.py: |\n    X = 1\nexpect:",
        );
        let case = load(&text).expect("loads");
        let paths: Vec<_> = case.modules.keys().map(String::as_str).collect();
        assert_eq!(paths, ["helper.py", "pkg/sub.py"]);
        assert_eq!(case.modules["helper.py"], "X = 1\n");
    }

    #[test]
    fn bad_module_paths_are_located() {
        for (path, why) in [
            ("/tmp/helper.py", "relative"),
            ("pkg/../helper.py", "`..`"),
            ("./helper.py", "`.`"),
            ("pkg//sub.py", "empty"),
            ("helper.txt", "`.py`"),
            (".py", "`.py`"),
            ("main.py", "the program itself"),
            ("pkg\\sub.py", "separator"),
        ] {
            let text = GOOD.replace("expect:", &format!("modules:\n  '{path}': x = 2\nexpect:"));
            let err = load(&text).expect_err(path);
            assert_eq!(err.line, 6, "{path}: {err}");
            assert_eq!(err.column, 4, "{path}: {err}");
            assert!(err.message.contains(why), "{path}: {err}");
        }
    }

    #[test]
    fn overrides_replace_channels() {
        let text = format!("{GOOD}versions:\n  \"3.11\":\n    stdout: \"2\\n\"\n");
        let case = load(&text).expect("loads");
        assert_eq!(
            case.expectation_for(Some("3.11")).stdout.as_deref(),
            Some("2\n")
        );
        assert_eq!(
            case.expectation_for(Some("3.13")).stdout.as_deref(),
            Some("1\n")
        );
    }
}
