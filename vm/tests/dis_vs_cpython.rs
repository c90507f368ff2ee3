//! `framespec_vm::dis::dis` against `python3.12 -m dis` for every program in
//! `tests/programs/` (code-object addresses normalised to `0x…`). `FRAMESPEC_PROGRAM=part`
//! narrows it to the programs whose name contains `part`; `FRAMESPEC_SHOW=1` prints both
//! listings of a program that differs.

mod support;

use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::Failed;
use serde_json::Value;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial(
        "dis_matches_cpython",
        dis_matches_cpython,
    )])
}

fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        out.push_str("0x…");
        let tail = &rest[i + 2..];
        let n = tail.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

const SCRIPT: &str = r#"
import dis, io, json, sys
out = []
for p in json.load(sys.stdin):
    buf = io.StringIO()
    try:
        dis.dis(compile(p["source"], "main.py", "exec", dont_inherit=True), file=buf)
    except SyntaxError as e:
        buf.write("SyntaxError: %s" % e)
    out.append({"name": p["name"], "dis": buf.getvalue()})
json.dump(out, sys.stdout)
"#;

fn dis_matches_cpython(python: &Path) -> Result<(), Failed> {
    let filter = std::env::var("FRAMESPEC_PROGRAM").ok();
    let programs: Vec<_> = support::programs()
        .into_iter()
        .filter(|(n, _)| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    if programs.is_empty() {
        return Err(match filter {
            Some(part) => format!("no program in tests/programs matches FRAMESPEC_PROGRAM={part}"),
            None => "no program in tests/programs".to_owned(),
        }
        .into());
    }
    let input: Vec<Value> = programs
        .iter()
        .map(|(n, s)| serde_json::json!({"name": n, "source": s}))
        .collect();
    let out = support::run_python(
        python,
        SCRIPT,
        &serde_json::to_string(&input).expect("json"),
    );
    let answers =
        support::pair_answers(&programs, serde_json::from_str(&out).expect("dis output"))?;
    let mut failures = Vec::new();
    let mut report = String::new();
    for (name, source, answer) in answers {
        let Some(expected) = answer.get("dis").and_then(Value::as_str) else {
            return Err(format!("CPython's answer for {name} has no dis text: {answer}").into());
        };
        let ours = match framespec_vm::compile(source, "main.py") {
            Ok(code) => framespec_vm::dis::dis(&code),
            Err(e) => format!("CompileError: {e}"),
        };
        let (ours, expected) = (normalise(&ours), normalise(expected));
        if ours != expected {
            // The first differing line, or the end of the shorter listing.
            let first = ours
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| ours.lines().count().min(expected.lines().count()));
            report.push_str(&format!(
                "--- {name}: first difference at line {first}\n    ours:    {:?}\n    CPython: {:?}\n",
                ours.lines().nth(first).unwrap_or(""),
                expected.lines().nth(first).unwrap_or("")
            ));
            if std::env::var("FRAMESPEC_SHOW").is_ok() {
                report.push_str(&format!("{ours}\n=====\n{expected}\n"));
            }
            failures.push(name);
        }
    }
    if !failures.is_empty() {
        return Err(format!(
            "{report}dis differs from `python3.12 -m dis` for {} of {} programs: {failures:?}",
            failures.len(),
            programs.len()
        )
        .into());
    }
    Ok(())
}
