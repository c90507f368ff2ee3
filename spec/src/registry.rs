//! The registries a case's metadata is checked against: clause ids (from the clause
//! documents in spec/clauses/) and feature tags (spec/tags.yaml). Both are compiled into the
//! crate so a `framespec` binary validates cases wherever it runs.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The version of spec/INTERPRETING.md this crate implements.
pub const RUNNER_CONTRACT_VERSION: &str = "0.5.0";

/// The clause documents, one per chapter. A unit test below checks that this list names
/// every file in spec/clauses/.
pub(crate) const CHAPTERS: &[(&str, &str)] = &[
    ("frames.md", include_str!("../clauses/frames.md")),
    ("lineno.md", include_str!("../clauses/lineno.md")),
    ("namespaces.md", include_str!("../clauses/namespaces.md")),
    ("tracing.md", include_str!("../clauses/tracing.md")),
    ("exceptions.md", include_str!("../clauses/exceptions.md")),
    ("generators.md", include_str!("../clauses/generators.md")),
    ("bytecode.md", include_str!("../clauses/bytecode.md")),
    (
        "introspection.md",
        include_str!("../clauses/introspection.md"),
    ),
    ("internals.md", include_str!("../clauses/internals.md")),
];

const TAGS_YAML: &str = include_str!("../tags.yaml");

/// A feature tag: a language or runtime feature that first appeared in some CPython version.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub title: String,
    /// First CPython version with the feature, `"3.N"`.
    pub since: String,
    /// First CPython version without it, if it was removed.
    #[serde(default)]
    pub until: Option<String>,
    /// The feature is an API the program calls (`sys.exception()`), so on a version without
    /// it the case does not apply. Without `requires`, a tag names a behaviour that other
    /// versions show differently, which `versions` overrides record.
    #[serde(default)]
    pub requires: bool,
}

impl Tag {
    /// Whether CPython `version` (`"3.N"`) has the feature.
    pub fn available_in(&self, version: &str) -> bool {
        let v = version_key(version);
        v >= version_key(&self.since)
            && self
                .until
                .as_deref()
                .is_none_or(|until| v < version_key(until))
    }
}

/// `"3.12"` as `(3, 12)`, for ordering; unparsable parts count as 0.
pub fn version_key(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TagFile {
    tags: BTreeMap<String, Tag>,
}

/// Every clause id, in document order. A clause is a Markdown heading of the form
/// ``## `chapter.some.id` — Title``.
pub fn clause_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        CHAPTERS
            .iter()
            .flat_map(|(_, text)| parse_clause_ids(text))
            .collect()
    })
}

pub(crate) fn parse_clause_ids(text: &str) -> Vec<String> {
    parse_clauses(text).into_iter().map(|(id, _)| id).collect()
}

/// Every clause as `(id, title)`, in document order (the title is the heading's text after
/// the dash: ``## `frames.repr` — Frame repr and type`` gives `Frame repr and type`).
pub fn clauses() -> &'static [(String, String)] {
    static CLAUSES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CLAUSES.get_or_init(|| {
        CHAPTERS
            .iter()
            .flat_map(|(_, text)| parse_clauses(text))
            .collect()
    })
}

fn parse_clauses(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("## `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(id, rest)| {
            let title = rest.trim().trim_start_matches(['—', '-']).trim();
            (id.to_owned(), title.to_owned())
        })
        .collect()
}

/// The feature-tag registry. The file is part of the crate, so a malformed registry is a
/// bug caught by the crate's own tests; here it degrades to an empty registry.
pub fn tags() -> &'static BTreeMap<String, Tag> {
    static TAGS: OnceLock<BTreeMap<String, Tag>> = OnceLock::new();
    TAGS.get_or_init(|| {
        yaml_serde::from_str::<TagFile>(TAGS_YAML)
            .map(|file| file.tags)
            .unwrap_or_default()
    })
}

/// Parses spec/tags.yaml strictly.
#[cfg(test)]
fn parse_tags(text: &str) -> Result<BTreeMap<String, Tag>, String> {
    yaml_serde::from_str::<TagFile>(text)
        .map(|file| file.tags)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_availability_follows_since_and_until() {
        let tag = Tag {
            title: String::new(),
            since: "3.11".into(),
            until: Some("3.13".into()),
            requires: true,
        };
        assert!(!tag.available_in("3.10"));
        assert!(tag.available_in("3.11"));
        assert!(tag.available_in("3.12"));
        assert!(!tag.available_in("3.13"));
        assert!(version_key("3.9") < version_key("3.10"));
    }

    #[test]
    fn clause_headings_are_parsed() {
        let text =
            "# frames\n\n## `frames.a` — A\n\ntext\n\n## `frames.b.c` — B\n## not a clause\n";
        assert_eq!(parse_clause_ids(text), vec!["frames.a", "frames.b.c"]);
        assert_eq!(
            parse_clauses(text),
            vec![
                ("frames.a".to_owned(), "A".to_owned()),
                ("frames.b.c".to_owned(), "B".to_owned())
            ]
        );
    }

    #[test]
    fn every_clause_document_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clauses");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("spec/clauses exists")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".md"))
            .collect();
        on_disk.sort();
        let mut registered: Vec<String> = CHAPTERS
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
        registered.sort();
        assert_eq!(on_disk, registered);
    }

    #[test]
    fn the_shipped_registries_are_well_formed() {
        assert!(parse_tags(TAGS_YAML).is_ok(), "{:?}", parse_tags(TAGS_YAML));
        let ids = clause_ids();
        assert!(!ids.is_empty());
        let mut sorted = ids.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "duplicate clause ids");
        for (file, _) in CHAPTERS {
            let chapter = file.trim_end_matches(".md");
            for id in parse_clause_ids(CHAPTERS.iter().find(|c| c.0 == *file).map_or("", |c| c.1)) {
                assert!(id.starts_with(&format!("{chapter}.")), "{id} is in {file}");
            }
        }
    }
}
