//! The differential test of every native callable the VM has (`framespec_vm::natives()`:
//! builtin functions, the built-in types' constructors and methods, the functions of the
//! native modules such as `math`): a table of calls
//! with ordinary, edge and erroneous arguments (tests/differential/table.rs), generated
//! from CPython 3.12's own signatures, runs on CPython 3.12 (all calls in one process,
//! `PYTHONHASHSEED=0`) and on the VM (each call its own run, so one unsupported call does
//! not end the others). Per call, the result's repr, or the exception's type and message,
//! must be the same; a call the VM ends as unsupported is honest and counted apart. Any
//! divergence fails the test (the list of divergences known when the test was written
//! shrank to nothing and is gone). The full report of a run is written to
//! `natives_vs_cpython.txt` in the target's test temporary directory.

#[path = "../../harness/tests/common/cpython.rs"]
mod cpython;
#[path = "differential/table.rs"]
mod table;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use framespec_vm::{End, RunOptions};
use libtest_mimic::Failed;
use serde_json::Value as Json;
use table::{Call, Kind, Native, Param};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential/natives.py");

/// How many divergences the summary shows in full.
const SHOWN: usize = 25;

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial("natives_vs_cpython", check)])
}

/// What one side answered for one call.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    /// The program's output (`returns …` / `raises …`, then `items …` / `receiver …`).
    Output(String),
    /// The VM ended the run as unsupported (never CPython).
    Unsupported(String),
}

fn check(python: &Path) -> Result<(), Failed> {
    let natives = signatures(python)?;
    let calls = table::generate(&natives);
    let sources: Vec<&str> = calls.iter().map(|c| c.source.as_str()).collect();
    let expected = run_cpython(python, &sources)?;
    if expected.len() != calls.len() {
        return Err(format!(
            "CPython answered {} calls of {}",
            expected.len(),
            calls.len()
        )
        .into());
    }
    let mut report = Report::default();
    for (call, cpython) in calls.iter().zip(expected) {
        let vm = run_vm(&call.source);
        report.add(call, normalise(&cpython), vm);
    }
    report.finish(&natives)
}

/// The VM's natives the table covers, with CPython 3.12's signatures.
fn signatures(python: &Path) -> Result<Vec<Native>, Failed> {
    let pairs: Vec<(String, String)> = framespec_vm::natives()
        .into_iter()
        .filter(|(owner, _)| !table::UNCOVERED_OWNERS.contains(&owner.as_str()))
        .collect();
    let json = python_json(python, "signatures", &serde_json::to_string(&pairs)?)?;
    let entries = json.as_array().ok_or("signatures: not a list")?;
    let mut out = Vec::new();
    for e in entries {
        let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
        let params = match &e["params"] {
            Json::Array(ps) => Some(
                ps.iter()
                    .map(|p| Param {
                        name: p["name"].as_str().unwrap_or_default().to_owned(),
                        kind: match p["kind"].as_str() {
                            Some("posonly") => Kind::PositionalOnly,
                            Some("varargs") => Kind::VarArgs,
                            Some("kwonly") => Kind::KeywordOnly,
                            Some("varkw") => Kind::VarKeywords,
                            _ => Kind::Normal,
                        },
                        default: p["default"].as_bool().unwrap_or(false),
                    })
                    .collect(),
            ),
            _ => None,
        };
        out.push(Native {
            owner: text("owner"),
            name: text("name"),
            is_type: e["is_type"].as_bool().unwrap_or(false),
            is_exception: e["is_exception"].as_bool().unwrap_or(false),
            is_module: e["is_module"].as_bool().unwrap_or(false),
            params,
        });
    }
    Ok(out)
}

/// Runs `natives.py MODE FILE` with `input` in FILE and parses its JSON output.
fn python_json(python: &Path, mode: &str, input: &str) -> Result<Json, Failed> {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("natives-{mode}.json"));
    std::fs::write(&file, input)?;
    let out = Command::new(python)
        .arg(SCRIPT)
        .arg(mode)
        .arg(&file)
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "natives.py {mode} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn run_cpython(python: &Path, sources: &[&str]) -> Result<Vec<String>, Failed> {
    let json = python_json(python, "run", &serde_json::to_string(sources)?)?;
    let outputs = json.as_array().ok_or("run: not a list")?;
    Ok(outputs
        .iter()
        .map(|o| o.as_str().unwrap_or_default().to_owned())
        .collect())
}

fn run_vm(source: &str) -> Answer {
    let options = RunOptions {
        fuel: 1_000_000,
        ..RunOptions::default()
    };
    let r = framespec_vm::run(source, &options);
    let mut out = r.stdout;
    match r.end {
        End::Completed => {}
        End::Exception(e) => {
            let _ = writeln!(out, "uncaught {}: {}", e.type_name, e.message);
        }
        End::Unsupported(u) => return Answer::Unsupported(u.feature),
        End::OutOfFuel(n) => {
            let _ = writeln!(out, "out of fuel after {n} instructions");
        }
        End::OutOfMemory { limit_bytes } => {
            let _ = writeln!(out, "out of memory beyond {limit_bytes} bytes");
        }
        End::Bug(b) => {
            let _ = writeln!(out, "VM bug: {b}");
        }
    }
    Answer::Output(normalise(&out))
}

/// Object addresses (`at 0x7f…`) differ between any two runs: they read `at 0x…`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at 0x") {
        out.push_str(&rest[..i + 6]);
        rest = rest[i + 6..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out.push('…');
    }
    out.push_str(rest);
    out
}

/// A divergence: the call, CPython's answer and the VM's.
struct Divergence<'a> {
    call: &'a Call,
    cpython: String,
    vm: String,
}

#[derive(Default)]
struct Counts {
    calls: usize,
    agree: usize,
    unsupported: usize,
    diverge: usize,
}

#[derive(Default)]
struct Report<'a> {
    by_group: BTreeMap<String, Counts>,
    total: Counts,
    divergences: Vec<Divergence<'a>>,
    /// Calls the VM ended as unsupported, by feature.
    features: BTreeMap<String, usize>,
}

impl<'a> Report<'a> {
    fn add(&mut self, call: &'a Call, cpython: String, vm: Answer) {
        let group = self.by_group.entry(call.group.clone()).or_default();
        group.calls += 1;
        self.total.calls += 1;
        match vm {
            Answer::Output(vm) if vm == cpython => {
                group.agree += 1;
                self.total.agree += 1;
            }
            Answer::Output(vm) => {
                group.diverge += 1;
                self.total.diverge += 1;
                self.divergences.push(Divergence { call, cpython, vm });
            }
            Answer::Unsupported(feature) => {
                group.unsupported += 1;
                self.total.unsupported += 1;
                *self.features.entry(feature).or_default() += 1;
            }
        }
    }

    fn finish(self, natives: &[Native]) -> Result<(), Failed> {
        let mut text = String::new();
        self.summary(natives, &mut text);
        let _ = writeln!(text, "\nThe first {SHOWN} divergences:");
        for d in self.divergences.iter().take(SHOWN) {
            show(&mut text, d);
        }
        println!("{text}");
        let mut full = text.clone();
        let _ = writeln!(full, "\nEvery divergence:");
        for d in &self.divergences {
            show(&mut full, d);
        }
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("natives_vs_cpython.txt");
        std::fs::write(&path, full)?;
        if self.divergences.is_empty() {
            return Ok(());
        }
        let mut errors = format!(
            "{} calls diverge from CPython 3.12 (fix the VM, or make the call unsupported):\n",
            self.divergences.len()
        );
        for d in self.divergences.iter().take(SHOWN) {
            show(&mut errors, d);
        }
        let _ = writeln!(errors, "(full report: {})", path.display());
        Err(errors.into())
    }

    fn summary(&self, natives: &[Native], text: &mut String) {
        let t = &self.total;
        let _ = writeln!(
            text,
            "natives vs CPython 3.12: {} calls: {} agree, {} unsupported, {} diverge",
            t.calls, t.agree, t.unsupported, t.diverge
        );
        let _ = writeln!(
            text,
            "{:<14} {:>6} {:>6} {:>12} {:>8}",
            "group", "calls", "agree", "unsupported", "diverge"
        );
        for (g, c) in &self.by_group {
            let _ = writeln!(
                text,
                "{:<14} {:>6} {:>6} {:>12} {:>8}",
                g, c.calls, c.agree, c.unsupported, c.diverge
            );
        }
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &self.divergences {
            *kinds.entry(kind(&d.cpython, &d.vm)).or_default() += 1;
        }
        let _ = writeln!(text, "\ndivergences by kind:");
        for (k, n) in &kinds {
            let _ = writeln!(text, "  {n:>5}  {k}");
        }
        if !self.features.is_empty() {
            let _ = writeln!(text, "\nunsupported features reached:");
            for (f, n) in &self.features {
                let _ = writeln!(text, "  {n:>5}  {f}");
            }
        }
        let uncovered: Vec<String> = framespec_vm::natives()
            .into_iter()
            .filter(|(o, n)| {
                !natives
                    .iter()
                    .any(|x| &x.owner == o && &x.name == n && table::covered(x))
            })
            .map(|(o, n)| format!("{o}.{n}"))
            .collect();
        let _ = writeln!(text, "\nnatives not in the table: {}", uncovered.join(", "));
        for (o, n, why) in table::EXCLUDED {
            let _ = writeln!(text, "  {o}.{n}: {why}");
        }
        let _ = writeln!(
            text,
            "  methods of {}: their receivers are exercised by the conformance cases",
            table::UNCOVERED_OWNERS.join(", ")
        );
    }
}

/// A coarse classification of a divergence, for the summary.
fn kind(cpython: &str, vm: &str) -> &'static str {
    let first = |s: &str| s.lines().next().unwrap_or_default().to_owned();
    let (c, v) = (first(cpython), first(vm));
    let exc_type = |s: &str| {
        s.strip_prefix("raises ")
            .and_then(|r| r.split(':').next())
            .map(str::to_owned)
    };
    match (c.starts_with("raises "), v.starts_with("raises ")) {
        _ if c == v => "same outcome, different output after it (receiver, items, printed text)",
        (true, true) if exc_type(&c) == exc_type(&v) => "same exception type, different message",
        (true, true) => "different exception type",
        (true, false) => "CPython raises, the VM does not",
        (false, true) => "the VM raises, CPython does not",
        (false, false) => "different result",
    }
}

fn show(text: &mut String, d: &Divergence) {
    let _ = writeln!(text, "\n  {}", d.call.key);
    for line in d.cpython.lines() {
        let _ = writeln!(text, "    CPython: {line}");
    }
    for line in d.vm.lines() {
        let _ = writeln!(text, "    VM:      {line}");
    }
}
