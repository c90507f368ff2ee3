//! Syntax errors as CPython 3.12 reports them. The invalid programs are collected at run
//! time from CPython's own `Lib/` read in place (`support/syntax_cases.py`: test_syntax's
//! doctest examples, the programs test_syntax, test_exceptions and test_grammar hand to
//! their syntax-error helpers, and the files of `Lib/` CPython rejects); for each, the
//! exception python3.12's `compile(src, 'main.py', 'exec')` raises (class, msg, lineno,
//! offset, end_lineno, end_offset, text) is compared with framespec's `CompileError` (its
//! `text` as `CompileError::text` gives the SyntaxError's). The
//! programs of those calls that CPython compiles with SyntaxWarnings (keys `warn:…`) are
//! compared by their warnings (line and message) with `compile_with_warnings`.
//!
//! Two ratchets, rewritten by `FRAMESPEC_SYNTAX_UPDATE=1` (refused when `CI` is set):
//! - `syntax_agree.txt`: the programs on which framespec agrees today; one that stops
//!   agreeing fails the test.
//! - `syntax_accepted.txt`: the programs framespec compiles although CPython rejects them
//!   (a silent wrong answer, the worst kind); the list can only shrink.
//!
//! `FRAMESPEC_SYNTAX_VERBOSE=1` prints every disagreement.

mod cpython_code;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use cpython_code::{cpython, listed, manifest_dir};
use libtest_mimic::Failed;
use serde_json::Value;

/// The CPython whose `Lib/test` the ratchet lists were recorded from.
const LIB_VERSION: &str = "3.12.1";

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial("syntax_errors", run)])
}

/// One invalid program and what CPython raised for it.
struct Case {
    key: String,
    source: String,
    /// `Class: msg (lineno, offset, end_lineno, end_offset)`, or for a program CPython
    /// compiles with SyntaxWarnings, `warnings: line: message; ...`.
    cpython: String,
    /// Whether the program is valid and `cpython` lists its SyntaxWarnings.
    warnings: bool,
}

fn render_warnings(found: &[(i64, String)]) -> String {
    let items: Vec<String> = found.iter().map(|(l, m)| format!("{l}: {m}")).collect();
    format!("warnings: {}", items.join("; "))
}

/// What framespec made of one program.
enum Outcome {
    Agree,
    /// A SyntaxError, but not CPython's: framespec's rendering.
    Differ(String),
    /// framespec says the program is valid but beyond it.
    Unsupported(String),
    /// framespec compiles it.
    Accepted,
    Panicked,
}

fn render(class: &str, msg: &str, pos: [Option<i64>; 4], text: Option<&str>) -> String {
    let p: Vec<String> = pos
        .iter()
        .map(|v| v.map_or("None".to_owned(), |n| n.to_string()))
        .collect();
    format!("{class}: {msg} ({}) text={text:?}", p.join(", "))
}

fn cases(python: &Path) -> Result<Vec<Case>, String> {
    let script = std::fs::read_to_string(manifest_dir().join("tests/support/syntax_cases.py"))
        .map_err(|e| e.to_string())?;
    let out = cpython_code::run_python(python, &script, "")?;
    let list: Vec<Value> = serde_json::from_str(&out).map_err(|e| e.to_string())?;
    list.iter()
        .map(|v| {
            let c = &v["cpython"];
            let field = |k: &str| c[k].as_i64();
            let key = v["key"].as_str().ok_or("case without a key")?.to_owned();
            let source = v["source"]
                .as_str()
                .ok_or("case without a source")?
                .to_owned();
            if let Some(list) = v["warnings"].as_array() {
                let found: Vec<(i64, String)> = list
                    .iter()
                    .map(|w| {
                        (
                            w[0].as_i64().unwrap_or_default(),
                            w[1].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                return Ok(Case {
                    key,
                    source,
                    cpython: render_warnings(&found),
                    warnings: true,
                });
            }
            Ok(Case {
                key,
                source,
                warnings: false,
                cpython: render(
                    c["type"].as_str().unwrap_or_default(),
                    c["msg"].as_str().unwrap_or_default(),
                    [
                        field("lineno"),
                        field("offset"),
                        field("end_lineno"),
                        field("end_offset"),
                    ],
                    c["text"].as_str(),
                ),
            })
        })
        .collect()
}

fn judge(case: &Case) -> Outcome {
    if case.warnings {
        let result = std::panic::catch_unwind(|| {
            framespec_vm::compile_with_warnings(&case.source, "main.py")
        });
        return match result {
            Err(_) => Outcome::Panicked,
            Ok(Err(e)) if e.unsupported => Outcome::Unsupported(e.message),
            Ok(Err(e)) => Outcome::Differ(format!("{}: {}", e.class_name(), e.message)),
            Ok(Ok((_, ws))) => {
                let found: Vec<(i64, String)> = ws
                    .iter()
                    .map(|w| (i64::from(w.line), w.message.clone()))
                    .collect();
                let ours = render_warnings(&found);
                if ours == case.cpython {
                    Outcome::Agree
                } else {
                    Outcome::Differ(ours)
                }
            }
        };
    }
    let result = std::panic::catch_unwind(|| framespec_vm::compile(&case.source, "main.py"));
    match result {
        Err(_) => Outcome::Panicked,
        Ok(Ok(_)) => Outcome::Accepted,
        Ok(Err(e)) if e.unsupported => Outcome::Unsupported(e.message),
        Ok(Err(e)) => {
            let ours = render(
                e.class_name(),
                &e.message,
                [
                    Some(i64::from(e.line)),
                    Some(i64::from(e.column)),
                    Some(i64::from(e.end_line)),
                    e.end_column.map(i64::from),
                ],
                e.text(&case.source, true).as_deref(),
            );
            if ours == case.cpython {
                Outcome::Agree
            } else {
                Outcome::Differ(ours)
            }
        }
    }
}

/// Judges every case on a thread with a large stack (the parser and compiler recurse,
/// and some programs nest deeply on purpose).
fn judge_all(cases: Vec<Case>) -> Result<Vec<(Case, Outcome)>, String> {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            cases
                .into_iter()
                .map(|c| {
                    let o = judge(&c);
                    (c, o)
                })
                .collect()
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the judging thread panicked".to_owned())
}

fn run(python: &Path) -> Result<(), Failed> {
    let version = cpython_code::run_python(
        python,
        "import platform; print(platform.python_version())",
        "",
    )?;
    if version.trim() != LIB_VERSION {
        return Err(format!(
            "syntax_agree.txt lists CPython {LIB_VERSION}'s programs; {} is {}",
            python.display(),
            version.trim()
        )
        .into());
    }
    let agree_list = listed("syntax_agree.txt")?;
    let accepted_list = listed("syntax_accepted.txt")?;
    let judged = judge_all(cases(python)?)?;
    let verbose = std::env::var_os("FRAMESPEC_SYNTAX_VERBOSE").is_some();
    let mut failures = Vec::new();
    let mut newly = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (case, outcome) in &judged {
        let kind = match outcome {
            Outcome::Agree => "agree",
            Outcome::Differ(_) => "differ",
            Outcome::Unsupported(_) => "unsupported",
            Outcome::Accepted => "accepted by framespec",
            Outcome::Panicked => "panicked",
        };
        *counts.entry(kind).or_default() += 1;
        let listed_agree = agree_list.contains(&case.key);
        match outcome {
            Outcome::Agree if !listed_agree => newly.push(case.key.clone()),
            Outcome::Agree => {}
            _ if listed_agree => failures.push(format!("{}: no longer agrees", case.key)),
            Outcome::Accepted if !accepted_list.contains(&case.key) => failures.push(format!(
                "{}: framespec now compiles it; CPython: {}",
                case.key, case.cpython
            )),
            Outcome::Panicked => failures.push(format!("{}: the compiler panicked", case.key)),
            _ => {}
        }
        if verbose && !matches!(outcome, Outcome::Agree) {
            let ours = match outcome {
                Outcome::Differ(s) => s.clone(),
                Outcome::Unsupported(s) => format!("unsupported: {s}"),
                _ => kind.to_owned(),
            };
            println!(
                "--- {}\n{}\n  cpython:   {}\n  framespec: {ours}",
                case.key,
                case.source.trim_end(),
                case.cpython
            );
        }
    }
    let warned: Vec<&(Case, Outcome)> = judged.iter().filter(|(c, _)| c.warnings).collect();
    let warned_agree = warned
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Agree))
        .count();
    println!(
        "of which {} programs CPython compiles with SyntaxWarnings: {warned_agree} agree",
        warned.len()
    );
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    println!(
        "syntax errors of CPython {LIB_VERSION}'s Lib/test: {} programs: {}",
        judged.len(),
        summary.join(", ")
    );
    let keys: BTreeSet<&String> = judged.iter().map(|(c, _)| &c.key).collect();
    let stale: Vec<&String> = agree_list
        .iter()
        .chain(&accepted_list)
        .filter(|k| !keys.contains(k))
        .collect();
    if !stale.is_empty() {
        failures.push(format!("listed but not collected: {stale:?}"));
    }
    if std::env::var_os("FRAMESPEC_SYNTAX_UPDATE").is_some() {
        update_lists(&judged)?;
    } else if !newly.is_empty() {
        println!(
            "{} programs agree but are not in vm/tests/syntax_agree.txt (FRAMESPEC_SYNTAX_UPDATE=1 adds them)",
            newly.len()
        );
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

fn update_lists(judged: &[(Case, Outcome)]) -> Result<(), String> {
    if std::env::var_os("CI").is_some() {
        return Err("FRAMESPEC_SYNTAX_UPDATE is refused when CI is set".to_owned());
    }
    let header = "# rewrite with FRAMESPEC_SYNTAX_UPDATE=1 cargo test -p framespec-vm --test syntax_vs_cpython\n";
    let mut agree = format!(
        "# The invalid programs of CPython {LIB_VERSION}'s Lib/test on which framespec raises\n\
         # CPython's exception: class, message and positions (tests/syntax_vs_cpython.rs).\n{header}"
    );
    let mut accepted = format!(
        "# The invalid programs of CPython {LIB_VERSION}'s Lib/test that framespec compiles all the\n\
         # same (tests/syntax_vs_cpython.rs); the list may only shrink.\n{header}"
    );
    for (case, outcome) in judged {
        match outcome {
            Outcome::Agree => agree.push_str(&format!("{}\n", case.key)),
            Outcome::Accepted => accepted.push_str(&format!("{}\n", case.key)),
            _ => {}
        }
    }
    for (name, text) in [
        ("syntax_agree.txt", agree),
        ("syntax_accepted.txt", accepted),
    ] {
        let path = manifest_dir().join("tests").join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!("wrote vm/tests/syntax_agree.txt and vm/tests/syntax_accepted.txt");
    Ok(())
}
