//! Observations: what a target reports after running a case (INTERPRETING.md §3), and the
//! normalisation applied before comparing (§4). The harness never looks inside a target;
//! it only compares these.

use serde::Deserialize;

/// The channels a finished run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Observation {
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    #[serde(default)]
    pub exception: Option<ObservedException>,
    #[serde(default)]
    pub trace: Option<Vec<String>>,
    #[serde(default)]
    pub snapshots: Option<String>,
    /// The `internals` channel (spec/INTERNALS.md §5): one block per snapshot.
    #[serde(default)]
    pub internals: Option<Vec<InternalsBlock>>,
}

/// One snapshot's interpreter frames, innermost first (the protocol's `{"line", "frames"}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InternalsBlock {
    pub line: u32,
    pub frames: Vec<InternalsFrame>,
}

/// One interpreter frame (INTERNALS.md §5.2); a finished generator's held frame has only
/// `gen_state`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct InternalsFrame {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub gen_state: Option<String>,
    #[serde(default)]
    pub prev_instr: Option<i64>,
    #[serde(default)]
    pub opname: Option<String>,
    #[serde(default)]
    pub return_offset: Option<i64>,
    #[serde(default)]
    pub frame_obj: Option<bool>,
    #[serde(default)]
    pub localsplus: Vec<InternalsSlot>,
    #[serde(default)]
    pub stack: Option<Vec<Option<String>>>,
}

/// One local, cell or free slot of a frame.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InternalsSlot {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub value: Option<String>,
    /// Present for a slot holding a cell; `Some(None)` is an empty cell.
    #[serde(default, deserialize_with = "present")]
    pub cell: Option<Option<String>>,
    #[serde(default)]
    pub frame: Option<Box<InternalsFrame>>,
}

/// A key that may be present with `null`: `Some(None)`, apart from absent (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl From<framespec_vm::InternalsBlock> for InternalsBlock {
    fn from(b: framespec_vm::InternalsBlock) -> Self {
        InternalsBlock {
            line: b.line,
            frames: b.frames.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<framespec_vm::FrameRecord> for InternalsFrame {
    fn from(f: framespec_vm::FrameRecord) -> Self {
        InternalsFrame {
            name: f.name,
            owner: f.owner,
            gen_state: f.gen_state,
            prev_instr: f.prev_instr,
            opname: f.opname,
            return_offset: f.return_offset,
            frame_obj: f.frame_obj,
            localsplus: f
                .localsplus
                .into_iter()
                .map(|s| InternalsSlot {
                    name: s.name,
                    kind: s.kind,
                    hidden: s.hidden,
                    value: s.value,
                    cell: s.cell,
                    frame: s.frame.map(|f| Box::new((*f).into())),
                })
                .collect(),
            stack: f.stack,
        }
    }
}

/// The `internals` channel as cases store it (INTERPRETING.md §3): per snapshot an
/// `@LINE` line, then one line per frame, innermost first —
/// `NAME OWNER[/GEN_STATE] lasti=N OPNAME [ret=N|-] fobj=yes|no stack=[…]|- | SLOT; SLOT`
/// with each slot `NAME:KIND[+hidden]=VALUE` (`{CONTENTS}` after a cell's value), and
/// below a frame, one `held by SLOT: …` line per frame one of its slots holds.
pub fn render_internals(blocks: &[InternalsBlock]) -> String {
    let mut out = String::new();
    for block in blocks {
        out.push_str(&format!("@{}\n", block.line));
        for frame in &block.frames {
            out.push_str(&format!("  {}\n", frame_line(frame, true)));
            for slot in &frame.localsplus {
                if let Some(held) = &slot.frame {
                    let held = frame_line(held, false);
                    out.push_str(&format!("    held by {}: {held}\n", slot.name));
                }
            }
        }
    }
    out
}

fn frame_line(f: &InternalsFrame, on_chain: bool) -> String {
    let null = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".to_owned());
    let Some(name) = &f.name else {
        return f.gen_state.clone().unwrap_or_default();
    };
    let mut line = format!("{name} {}", f.owner.as_deref().unwrap_or("?"));
    if let Some(state) = &f.gen_state {
        line.push('/');
        line.push_str(state);
    }
    line.push_str(&format!(
        " lasti={} {}",
        f.prev_instr.map_or("?".to_owned(), |n| n.to_string()),
        f.opname.as_deref().unwrap_or("?")
    ));
    if on_chain {
        line.push_str(&format!(
            " ret={}",
            f.return_offset.map_or("-".to_owned(), |n| n.to_string())
        ));
    }
    line.push_str(if f.frame_obj == Some(true) {
        " fobj=yes"
    } else {
        " fobj=no"
    });
    match &f.stack {
        Some(stack) => {
            let items: Vec<String> = stack.iter().map(null).collect();
            line.push_str(&format!(" stack=[{}]", items.join(", ")));
        }
        None => line.push_str(" stack=-"),
    }
    if !f.localsplus.is_empty() {
        let slots: Vec<String> = f
            .localsplus
            .iter()
            .map(|s| {
                let hidden = if s.hidden { "+hidden" } else { "" };
                let cell = match &s.cell {
                    Some(contents) => format!("{{{}}}", null(contents)),
                    None => String::new(),
                };
                format!("{}:{}{hidden}={}{cell}", s.name, s.kind, null(&s.value))
            })
            .collect();
        line.push_str(" | ");
        line.push_str(&slots.join("; "));
    }
    line
}

/// An exception that escaped the program.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ObservedException {
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    pub traceback: Vec<String>,
}

/// How running a case on a target ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEnd {
    /// The program completed or raised: its channels can be compared.
    Finished(Observation),
    /// The reference VM's instruction budget ran out.
    OutOfFuel { instructions: u64 },
    /// The reference VM's heap budget ran out (a `MemoryError` the program raised is an
    /// exception like any other, not this).
    OutOfMemory { limit_bytes: u64 },
    /// The target reached something it does not implement as CPython 3.12 does, and said
    /// so instead of answering (INTERPRETING.md §5).
    Unsupported { feature: String, location: String },
    /// The target cannot observe a channel the case asks for on this program (protocol
    /// status `not_applicable`).
    NotApplicable(String),
    /// An out-of-process target exceeded the wall-clock limit.
    Timeout { seconds: f64 },
    /// The target died, broke the protocol, or reported an internal failure.
    Crash(String),
}

/// The normalisation of INTERPRETING.md §4 for a case without modules: addresses become
/// `0x…`, paths ending in `/main.py` become `main.py`, line endings become `\n`.
pub fn normalise(text: &str) -> String {
    normalise_with(text, &[])
}

/// The normalisation of INTERPRETING.md §4 for a case whose program directory also holds
/// `modules` (relative paths, `pkg/sub.py`): a path ending in `/` and one of them (or
/// `main.py`) becomes that relative path.
pub fn normalise_with(text: &str, modules: &[&str]) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(pos) = rest.find("0x") {
        let after = &rest[pos + 2..];
        let digits = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        let glued = rest[..pos]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if digits == 0 || glued {
            out.push_str(&rest[..pos + 2]);
        } else {
            out.push_str(&rest[..pos]);
            out.push_str("0x…");
        }
        rest = &after[if glued { 0 } else { digits }..];
    }
    out.push_str(rest);
    strip_program_dirs(&out, modules)
}

/// Replaces `some/dir/main.py` by `main.py` (and `some/dir/pkg/sub.py` by `pkg/sub.py` for
/// a module path `pkg/sub.py`), where the directory part is any run of characters that
/// are not whitespace or quotes. The earliest match wins, and of two at one place the
/// longer path, so `/d/pkg/sub.py` stays `pkg/sub.py` when `sub.py` is a module too.
fn strip_program_dirs(text: &str, modules: &[&str]) -> String {
    let tails: Vec<String> = std::iter::once("main.py")
        .chain(modules.iter().copied())
        .map(|m| format!("/{m}"))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let found = tails
            .iter()
            .filter_map(|t| rest.find(t.as_str()).map(|pos| (pos, t)))
            .min_by_key(|&(pos, t)| (pos, std::cmp::Reverse(t.len())));
        let Some((pos, tail)) = found else { break };
        let head = &rest[..pos];
        let start = head
            .rfind(|c: char| c.is_whitespace() || "'\"(<[".contains(c))
            .map_or(0, |i| i + 1);
        out.push_str(&head[..start]);
        out.push_str(&tail[1..]);
        rest = &rest[pos + tail.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn internals_render_one_line_per_frame() {
        let blocks: Vec<super::InternalsBlock> = serde_json::from_str(
            r#"[{"line": 3, "frames": [
                {"name": "f", "owner": "thread", "prev_instr": 24, "opname": "CACHE",
                 "return_offset": 0, "frame_obj": false,
                 "localsplus": [
                    {"name": "a", "kind": "local+cell", "hidden": false, "value": "<cell>",
                     "cell": null},
                    {"name": "g", "kind": "local", "hidden": false, "value": "<generator>",
                     "frame": {"gen_state": "cleared"}},
                    {"name": "x", "kind": "local", "hidden": true, "value": null}],
                 "stack": [null, "1"]},
                {"name": "<module>", "owner": "thread", "prev_instr": 8, "opname": "CALL",
                 "return_offset": null, "frame_obj": true, "localsplus": [],
                 "stack": null}]}]"#,
        )
        .expect("the protocol's shape");
        assert_eq!(
            super::render_internals(&blocks),
            "@3\n  f thread lasti=24 CACHE ret=0 fobj=no stack=[NULL, 1] | \
             a:local+cell=<cell>{NULL}; g:local=<generator>; x:local+hidden=NULL\n    \
             held by g: cleared\n  <module> thread lasti=8 CALL ret=- fobj=yes stack=-\n"
        );
    }

    #[test]
    fn addresses_are_hidden() {
        assert_eq!(
            normalise("<frame at 0x7f3a2b1c0d40, file 'main.py', line 6, code foo>"),
            "<frame at 0x…, file 'main.py', line 6, code foo>"
        );
        assert_eq!(normalise("0x 0xg a0x1 0x1f"), "0x 0xg a0x1 0x…");
    }

    #[test]
    fn paths_to_main_py_are_shortened() {
        assert_eq!(
            normalise("file '/tmp/x/main.py', line"),
            "file 'main.py', line"
        );
        assert_eq!(
            normalise("  File \"/a/b/main.py\", line 3"),
            "  File \"main.py\", line 3"
        );
        assert_eq!(normalise("main.py\r\n"), "main.py\n");
    }

    #[test]
    fn paths_to_modules_are_shortened() {
        let modules = ["pkg/sub.py", "sub.py", "helper.py"];
        assert_eq!(
            super::normalise_with(
                "'/tmp/framespec-1/pkg/sub.py' /x/sub.py (/y/helper.py) /z/main.py other.py",
                &modules
            ),
            "'pkg/sub.py' sub.py (helper.py) main.py other.py"
        );
    }
}
