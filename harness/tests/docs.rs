//! The docs say what the code has: every Rust name, file and crate ARCHITECTURE.md puts in
//! backticks exists in the workspace, and every clause id a source comment cites after
//! `spec:` is a clause of spec/clauses/.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Backticked words in ARCHITECTURE.md that are not names in this workspace (Python and C
/// names of CPython, YAML keys), so they cannot be checked against it. If the test names a
/// word that is one of those, add it here with what it is; if it names a Rust item, module,
/// file or crate, the docs are stale: fix ARCHITECTURE.md (or the code), not this list.
const NOT_RUST_NAMES: &[(&str, &str)] = &[
    ("_PyInterpreterFrame", "CPython's C struct"),
    ("select.epoll", "Python type of CPython's select module"),
    (
        "socket.socketpair",
        "Python function of CPython's socket module",
    ),
    (
        "SettraceObserver",
        "Python class of harness/adapter/framespec_observe.py",
    ),
    (
        "MonitoringObserver",
        "Python class of harness/adapter/framespec_observe.py",
    ),
    ("reference-settrace", "target name"),
    ("reference-monitoring", "target name"),
    ("observer-budget", "feature tag (spec/tags.yaml)"),
    ("settrace-locals-refresh", "feature tag (spec/tags.yaml)"),
    ("sys.settrace", "Python API"),
    ("settrace", "Python API"),
    ("sys.monitoring", "Python API"),
    ("str", "Python type"),
    ("bytes", "Python type"),
    ("float", "Python type"),
    ("MemoryError", "Python exception type"),
    ("expect:", "case YAML key"),
    ("versions:", "case YAML key"),
    ("_PyCoro_GetAwaitableIter", "CPython's C function"),
    ("asend", "Python method of async generators"),
    ("athrow", "Python method of async generators"),
    ("await", "Python keyword"),
    ("f\"{x=}\"", "Python f-string syntax"),
    ("BaseExceptionGroup", "Python exception type"),
    ("ExceptionGroup", "Python exception type"),
    ("INTRINSIC_PREP_RERAISE_STAR", "CPython's intrinsic name"),
    ("except*", "Python syntax"),
    ("try", "Python keyword"),
    ("finally", "Python keyword"),
    ("with", "Python keyword"),
    ("i64", "Rust primitive type"),
];

/// File extensions that make a backticked word a path to check.
const PATH_EXTENSIONS: &[&str] = &[".md", ".rs", ".py", ".yaml", ".toml", ".json"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the harness crate sits in the workspace")
        .to_path_buf()
}

/// Every file and directory of the workspace, relative, with `/` separators (build output
/// and version control excluded).
fn workspace_paths(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("workspace directory reads") {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if matches!(name.as_deref(), Some("target" | ".git")) {
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                stack.push(path);
                out.push(format!("{relative}/"));
            } else {
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

/// The `.rs` files of the crates' sources (`*/src/`, `fuzz/fuzz_targets/`).
fn source_files(paths: &[String]) -> Vec<&str> {
    paths
        .iter()
        .map(String::as_str)
        .filter(|p| {
            p.ends_with(".rs") && (p.contains("/src/") || p.starts_with("fuzz/fuzz_targets/"))
        })
        .collect()
}

/// Names the Rust sources define: items (`struct`, `enum`, `trait`, `type`, `fn`, `mod`,
/// `const`, `static`, `macro_rules!`), enum variants, struct fields, and modules given by
/// file or directory names under `src/`.
fn defined_names(root: &Path, paths: &[String]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for path in source_files(paths) {
        for dir in path.split('/').skip_while(|part| *part != "src").skip(1) {
            names.insert(dir.trim_end_matches(".rs").to_owned());
        }
        // A fuzz target is named by its file.
        if let Some(target) = path.strip_prefix("fuzz/fuzz_targets/") {
            names.insert(target.trim_end_matches(".rs").to_owned());
        }
        let text = std::fs::read_to_string(root.join(path)).expect("source reads");
        collect_definitions(&text, &mut names);
    }
    names
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Adds the names `text` (one Rust file) defines to `names`. A line-based reading, not a
/// parser: enough for rustfmt-formatted sources, checked by the test at the end.
fn collect_definitions(text: &str, names: &mut BTreeSet<String>) {
    const ITEM_KEYWORDS: &[&str] = &[
        "struct",
        "enum",
        "trait",
        "type",
        "fn",
        "mod",
        "const",
        "static",
        "union",
        "macro_rules",
    ];
    // Inside an `enum` or a braced `struct`: (the brace depth of its body, is an enum).
    let mut body: Option<(usize, bool)> = None;
    let mut depth = 0usize;
    for line in text.lines() {
        // Code before any comment; brace characters in char literals do not nest.
        let code = line.split("//").next().unwrap_or("");
        let code = code.replace("'{'", "").replace("'}'", "");
        let code = code.as_str();
        let tokens: Vec<&str> = code
            .split(|c: char| !is_ident_char(c))
            .filter(|t| !t.is_empty())
            .collect();
        for pair in tokens.windows(2) {
            if ITEM_KEYWORDS.contains(&pair[0]) {
                names.insert(pair[1].to_owned());
            }
        }
        if let Some((body_depth, is_enum)) = body {
            if depth == body_depth {
                // A variant (`Name`, `Name(..)`, `Name { .. }`) or a field (`pub name: T`).
                let trimmed = code.trim_start();
                let trimmed = trimmed
                    .strip_prefix("pub(crate) ")
                    .or_else(|| trimmed.strip_prefix("pub "))
                    .unwrap_or(trimmed);
                let ident: String = trimmed.chars().take_while(|c| is_ident_char(*c)).collect();
                let rest = trimmed[ident.len()..].trim_start();
                let is_member = if is_enum {
                    rest.is_empty() || rest.starts_with([',', '(', '{', '='])
                } else {
                    rest.starts_with(':') && !rest.starts_with("::")
                };
                if !ident.is_empty() && is_member {
                    names.insert(ident);
                }
            }
        }
        let opens_body = tokens.iter().position(|t| *t == "enum" || *t == "struct");
        for c in code.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if body.is_some_and(|(d, _)| depth < d) {
                        body = None;
                    }
                }
                _ => {}
            }
        }
        if let Some(at) = opens_body {
            if body.is_none() && code.trim_end().ends_with('{') {
                body = Some((depth, tokens[at] == "enum"));
            }
        }
    }
}

/// Package names and workspace dependency names from the Cargo manifests.
fn crate_names(root: &Path, paths: &[String]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for manifest in paths.iter().filter(|p| p.ends_with("Cargo.toml")) {
        let text = std::fs::read_to_string(root.join(manifest)).expect("manifest reads");
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_owned();
            } else if let Some((key, value)) = line.split_once('=') {
                let key = key.trim();
                if section == "[package]" && key == "name" {
                    names.insert(value.trim().trim_matches('"').to_owned());
                } else if section.ends_with("dependencies]") && !key.contains('.') {
                    // Code names a crate `num-bigint` as `num_bigint`.
                    names.insert(key.replace('-', "_"));
                    names.insert(key.to_owned());
                }
            }
        }
    }
    names
}

/// The text of each inline code span of a Markdown document, outside fenced blocks
/// (a span opened by N backticks closes at the next run of exactly N).
fn code_spans(markdown: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut in_fence = false;
    let mut prose = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let chars: Vec<char> = prose.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let open = run_at(i);
        let start = i + open;
        let mut j = start;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let run = run_at(j);
                if run == open {
                    close = Some(j);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                spans.push(
                    chars[start..end]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_owned(),
                );
                i = end + open;
            }
            None => i = start,
        }
    }
    spans
}

/// Whether the workspace has a file or directory that `pattern` names: the path itself or
/// its last components (`tests/conformance.rs`, `frames/`), `*` matching within one
/// component, or a bare extension (`.yaml`).
fn path_exists(pattern: &str, paths: &[String]) -> bool {
    if pattern.starts_with('.') && !pattern.contains('/') {
        return paths.iter().any(|p| p.ends_with(pattern));
    }
    let wanted: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    paths.iter().any(|path| {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        parts.len() >= wanted.len()
            && parts[parts.len() - wanted.len()..]
                .iter()
                .zip(&wanted)
                .all(|(part, want)| component_matches(part, want))
            && (!pattern.ends_with('/') || path.ends_with('/'))
    })
}

fn component_matches(part: &str, pattern: &str) -> bool {
    match pattern.split_once('*') {
        None => part == pattern,
        Some((prefix, suffix)) => {
            part.len() >= prefix.len() + suffix.len()
                && part.starts_with(prefix)
                && part.ends_with(suffix)
        }
    }
}

fn is_identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(is_ident_char)
}

/// What the checks compare a backticked word with.
struct Workspace {
    /// Every file and directory ([`workspace_paths`]).
    paths: Vec<String>,
    /// Names the crates' sources define ([`defined_names`]).
    defined: BTreeSet<String>,
    /// Packages and dependencies ([`crate_names`]).
    crates: BTreeSet<String>,
    /// The text of every `.rs` file, tests included (for environment variables).
    rust_text: String,
}

impl Workspace {
    fn read(root: &Path) -> Workspace {
        let paths = workspace_paths(root);
        let rust_text = paths
            .iter()
            .filter(|p| p.ends_with(".rs"))
            .map(|p| std::fs::read_to_string(root.join(p)).expect("source reads"))
            .collect();
        Workspace {
            defined: defined_names(root, &paths),
            crates: crate_names(root, &paths),
            paths,
            rust_text,
        }
    }
}

/// Why a backticked word of ARCHITECTURE.md does not name anything in the workspace, or
/// `None` when it does (or is prose, a command or a signature, which are not checked).
fn unknown_name(span: &str, ws: &Workspace) -> Option<String> {
    let (paths, defined, crates) = (&ws.paths, &ws.defined, &ws.crates);
    if NOT_RUST_NAMES.iter().any(|(word, _)| *word == span) || crates.contains(span) {
        return None;
    }
    // `NAME=value`: an environment variable some code reads.
    if let Some((name, _)) = span.split_once('=') {
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            let read = ws.rust_text.contains(&format!("\"{name}\""));
            return (!read).then(|| format!("`{span}`: no Rust code reads ${name}"));
        }
    }
    let looks_like_path = span.contains('/')
        || (!span.contains(' ') && PATH_EXTENSIONS.iter().any(|ext| span.ends_with(ext)));
    if looks_like_path {
        return (!path_exists(span, paths)).then(|| format!("`{span}`: no such file or directory"));
    }
    // `name(args) -> T`, `Fail(diffs)`, `repr()`, `for_each_opcode!`: the name before them.
    let head = span.split(['(', '!']).next().unwrap_or(span).trim_end();
    if head.is_empty() || head.contains(char::is_whitespace) {
        return None;
    }
    if head.contains('-') && !head.contains(' ') {
        return Some(format!(
            "`{span}`: not a crate of the workspace or a dependency"
        ));
    }
    let segments: Vec<&str> = head.split("::").collect();
    if !segments.iter().all(|s| is_identifier(s)) {
        return Some(format!(
            "`{span}`: not a Rust name, a path or a crate; if it is a Python name or a YAML \
             key, add it to NOT_RUST_NAMES"
        ));
    }
    // A path into a dependency (`num_bigint::BigInt`): the crate is checked, not its items.
    if segments.len() > 1 && crates.contains(segments[0]) {
        return None;
    }
    let missing: Vec<&str> = segments
        .iter()
        .filter(|s| !defined.contains(**s))
        .copied()
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "`{span}`: {} not defined in any */src/ or fuzz target",
            missing.join(", ")
        )
    })
}

#[test]
fn architecture_names_exist_in_the_workspace() {
    let root = workspace();
    let ws = Workspace::read(&root);
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let spans = code_spans(&text);
    assert!(spans.len() > 50, "only {} code spans found", spans.len());
    let unknown: BTreeSet<String> = spans
        .iter()
        .filter_map(|span| unknown_name(span, &ws))
        .collect();
    assert!(
        unknown.is_empty(),
        "ARCHITECTURE.md names what the workspace does not have:\n  {}\n\
         Fix ARCHITECTURE.md (or the code). A word that is not a Rust name, path or crate \
         (a Python name, a YAML key) goes in NOT_RUST_NAMES in harness/tests/docs.rs, with \
         what it is.",
        unknown.into_iter().collect::<Vec<_>>().join("\n  ")
    );
    // The list holds only words the document still uses.
    for (word, _) in NOT_RUST_NAMES {
        assert!(
            spans.iter().any(|s| s == word),
            "NOT_RUST_NAMES lists `{word}`, which ARCHITECTURE.md no longer uses"
        );
    }
}

/// A clause id as cited: `chapter.name…`, lowercase first, at least one dot.
fn looks_like_clause_id(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && token.contains('.')
        && !token.ends_with('.')
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The comment text of a line of Rust (`//`, `///`, `//!`, or after code), if any.
fn comment(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let text = if trimmed.starts_with("//") {
        trimmed
    } else {
        &line[line.find(" // ")? + 1..]
    };
    Some(text.trim_start_matches('/').trim_start_matches('!'))
}

/// `(line number, id)` of every clause id cited after `spec:` in a comment. A citation list
/// goes on to the next comment line when the line ends with `spec:` or a comma.
fn cited_clause_ids(text: &str) -> Vec<(usize, String)> {
    let mut cited = Vec::new();
    let mut continues = false;
    for (number, line) in text.lines().enumerate() {
        let Some(comment) = comment(line) else {
            continues = false;
            continue;
        };
        let mut rest: Option<&str> = if continues { Some(comment) } else { None };
        continues = false;
        if let Some(at) = comment.find("spec:") {
            rest = Some(&comment[at + "spec:".len()..]);
            continues = rest.is_some_and(|r| r.trim().is_empty());
        }
        let Some(rest) = rest else { continue };
        for raw in rest.split_whitespace() {
            let token = raw
                .trim_start_matches('(')
                .trim_end_matches([',', ';', ':', ')', '.']);
            if !looks_like_clause_id(token) {
                break;
            }
            cited.push((number + 1, token.to_owned()));
            continues = raw.ends_with(',');
        }
    }
    cited
}

#[test]
fn clause_ids_cited_in_comments_exist() {
    let root = workspace();
    let paths = workspace_paths(&root);
    let known: BTreeSet<&str> = framespec_spec::clause_ids()
        .iter()
        .map(String::as_str)
        .collect();
    let mut citations = 0;
    let mut unknown = Vec::new();
    let rust_files = paths.iter().filter(|p| {
        p.ends_with(".rs")
            && ["spec/", "vm/", "harness/", "fuzz/"]
                .iter()
                .any(|d| p.starts_with(d))
    });
    for path in rust_files {
        let text = std::fs::read_to_string(root.join(path)).expect("source reads");
        for (line, id) in cited_clause_ids(&text) {
            citations += 1;
            if !known.contains(id.as_str()) {
                unknown.push(format!("{path}:{line}: {id}"));
            }
        }
    }
    assert!(citations > 20, "only {citations} clause citations found");
    assert!(
        unknown.is_empty(),
        "comments cite clause ids that spec/clauses/*.md does not define (each heading \
         ## `id` — Title there defines one):\n  {}",
        unknown.join("\n  ")
    );
}

#[test]
fn the_citation_reader_reads_lists_across_lines_and_stops_at_prose() {
    // Lines of Rust, kept in literals that do not start a line with `//` themselves.
    let text = [
        "/// Does x. spec: frames.a, frames.b,",
        "/// frames.c",
        "fn x() {}",
        "// spec: tracing.d (why it matters)",
        "//! (spec: namespaces are dicts)",
        "/// spec:",
        "/// lineno.e",
        "let spec: u8 = 0;",
        "let x = 1; // spec: frames.f.",
    ]
    .join("\n");
    let ids: Vec<String> = cited_clause_ids(&text)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(
        ids,
        [
            "frames.a",
            "frames.b",
            "frames.c",
            "tracing.d",
            "lineno.e",
            "frames.f"
        ]
    );
}

#[test]
fn the_name_reader_finds_items_variants_and_fields() {
    let mut names = BTreeSet::new();
    collect_definitions(
        "pub enum Outcome {\n    Pass,\n    Fail(Vec<u8>),\n    OutOfFuel {\n        instructions: u64,\n    },\n}\n\
         pub struct CodeObject {\n    pub co_code: Vec<u8>,\n}\nmacro_rules! for_each_opcode {}\n\
         pub(crate) fn run_code() {}\n",
        &mut names,
    );
    for name in [
        "Outcome",
        "Pass",
        "Fail",
        "OutOfFuel",
        "CodeObject",
        "co_code",
        "for_each_opcode",
        "run_code",
    ] {
        assert!(names.contains(name), "{name} not found in {names:?}");
    }
    assert!(
        !names.contains("instructions"),
        "a variant's field is not a variant"
    );
    assert_eq!(
        code_spans("a `x` and ``## `id` — T`` and\n```\n`not`\n```\n`y`"),
        ["x", "## `id` — T", "y"]
    );
}
