//! The `framespec` binary as a user drives it: malformed cases, runaway programs (in time
//! and in memory), a worker that dies, `exec` compared with CPython 3.12 itself, and the
//! conformance matrix (`matrix`, `compare`).
//!
//! The trials that need CPython 3.12 follow the shared rule (`common/cpython.rs`): ignored
//! with the reason when it is missing, failing under FRAMESPEC_REQUIRE_CPYTHON=1. They pass
//! the interpreter to the binary with `--python`, so both use the same one.

#[path = "common/binary.rs"]
mod binary;
#[path = "common/cpython.rs"]
mod cpython;

use binary::{framespec, text};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use framespec::matrix::{Counts, Matrix, Row, RowKind, Status};
use framespec::runner::{self, collect};
use libtest_mimic::{Failed, Trial};

fn main() -> ExitCode {
    cpython::run(vec![
        Trial::test(
            "malformed_cases_give_one_located_error_each_and_the_good_case_still_runs",
            malformed_cases_give_one_located_error_each_and_the_good_case_still_runs,
        ),
        Trial::test(
            "a_runaway_program_ends_with_out_of_fuel_on_the_reference_vm",
            a_runaway_program_ends_with_out_of_fuel_on_the_reference_vm,
        ),
        Trial::test(
            "a_program_that_exhausts_its_heap_ends_out_of_memory_on_the_reference_vm",
            a_program_that_exhausts_its_heap_ends_out_of_memory_on_the_reference_vm,
        ),
        Trial::test(
            "dis_asm_prints_a_listing_that_dis_and_exec_take_back",
            dis_asm_prints_a_listing_that_dis_and_exec_take_back,
        ),
        Trial::test(
            "exec_trace_frames_shows_each_instruction_with_the_frames",
            exec_trace_frames_shows_each_instruction_with_the_frames,
        ),
        Trial::test(
            "exec_ends_a_program_that_exhausts_its_heap_with_exit_code_5",
            exec_ends_a_program_that_exhausts_its_heap_with_exit_code_5,
        ),
        cpython::trial(
            "a_runaway_program_ends_with_a_timeout_on_cpython_quickly",
            a_runaway_program_ends_with_a_timeout_on_cpython_quickly,
        ),
        cpython::trial(
            "a_case_that_kills_its_process_is_a_crash_and_the_next_case_still_runs",
            a_case_that_kills_its_process_is_a_crash_and_the_next_case_still_runs,
        ),
        cpython::trial(
            "exec_matches_cpython_for_the_articles_programs",
            exec_matches_cpython_for_the_articles_programs,
        ),
        cpython::trial(
            "exec_decodes_sources_as_cpython_does",
            exec_decodes_sources_as_cpython_does,
        ),
        Trial::test(
            "matrix_writes_json_markdown_and_html_whose_counts_agree",
            matrix_writes_json_markdown_and_html_whose_counts_agree,
        ),
        Trial::test(
            "compare_prints_what_was_fixed_and_broken_per_target",
            compare_prints_what_was_fixed_and_broken_per_target,
        ),
    ])
}

/// `python` as a command-line argument (the tests' paths are UTF-8).
fn arg(python: &Path) -> &str {
    python.to_str().expect("the interpreter's path is UTF-8")
}

fn malformed_cases_give_one_located_error_each_and_the_good_case_still_runs() -> Result<(), Failed>
{
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/malformed",
        "--target",
        "reference",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let expected_errors = [
        ("bad-indent", "bad-indent.yaml:5:2: "),
        (
            "missing-source",
            "missing-source.yaml:1:1: a case needs `source` (a Python program) or `bytecode` (a listing, spec/BYTECODE.md)",
        ),
        (
            "unknown-clause",
            "unknown-clause.yaml:2:29: unknown clause id `frames.no-such-clause`",
        ),
        (
            "unknown-key",
            "unknown-key.yaml:5:1: unknown field `expected_output`",
        ),
    ];
    for (id, located) in expected_errors {
        assert_eq!(
            stdout
                .matches(&format!("FAIL reference::{id} (invalid case)"))
                .count(),
            1,
            "{stdout}"
        );
        assert_eq!(stdout.matches(located).count(), 1, "{id}: {stdout}");
    }
    assert!(!stdout.contains("reference::good"), "{stdout}");
    assert!(stdout.contains("1 passed, 4 failed"), "{stdout}");
    Ok(())
}

fn a_runaway_program_ends_with_out_of_fuel_on_the_reference_vm() -> Result<(), Failed> {
    let started = Instant::now();
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/runaway",
        "--target",
        "reference",
    ]);
    let elapsed = started.elapsed();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Fuel bounds time, not only instructions: the squaring loop runs few instructions,
    // each multiplying ever larger ints (spec/INTERPRETING.md §2).
    for id in ["forever", "squaring"] {
        assert!(
            stdout.contains(&format!("FAIL reference::{id} (out of fuel)")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("reference::good"), "{stdout}");
    assert!(stdout.contains("1 passed, 2 failed"), "{stdout}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    Ok(())
}

fn a_program_that_exhausts_its_heap_ends_out_of_memory_on_the_reference_vm() -> Result<(), Failed> {
    let started = Instant::now();
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/hungry",
        "--target",
        "reference",
        "--memory",
        "32",
    ]);
    let elapsed = started.elapsed();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL reference::grows (out of memory)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("out of memory: the program needed more than the heap budget of 32 MiB"),
        "{stdout}"
    );
    assert!(!stdout.contains("reference::good"), "{stdout}");
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    Ok(())
}

/// `framespec exec` on the two programs of issue 6: the verdict on stderr, exit code 5,
/// within seconds, under the default budget and under `--memory`.
/// `framespec dis --asm F.py` prints a listing; saved as `F.asm`, `dis` prints the same
/// disassembly as for `F.py`, `dis --asm` the same listing, and `exec` runs it; a listing
/// that does not assemble is one located error.
fn dis_asm_prints_a_listing_that_dis_and_exec_take_back() -> Result<(), Failed> {
    let dir = scratch("asm");
    let py = dir.join("prog.py");
    std::fs::write(
        &py,
        "def f(n):\n    for i in range(n):\n        if i == 2:\n            return i\nprint(f(5))\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_framespec"))
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("the framespec binary runs");
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, listing, err) = run(&["dis", "--asm", "prog.py"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(listing.starts_with("code <module>\n"), "{listing}");
    std::fs::write(dir.join("prog.asm"), &listing).expect("write");
    assert_eq!(run(&["dis", "--asm", "prog.asm"]).1, listing);
    assert_eq!(
        without_addresses(&run(&["dis", "prog.asm"]).1),
        without_addresses(&run(&["dis", "prog.py"]).1)
    );
    assert_eq!(
        run(&["exec", "prog.asm"]),
        (Some(0), "2\n".to_owned(), String::new())
    );
    std::fs::write(
        dir.join("bad.asm"),
        "code m\n  stacksize: 1\n  1  LOAD_CONST\n",
    )
    .expect("write");
    let (code, out, err) = run(&["exec", "bad.asm"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(
        err,
        "framespec: bad.asm:3:16: LOAD_CONST needs an operand\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `framespec exec --trace-frames`: before each instruction, a line `FILE:LINE CODE OFFSET
/// OPNAME …` and the program's frames innermost first, each reporting that instruction as
/// its `lasti`; a caller waiting on a Python call stops on the CALL's last cache unit with
/// return offset 0 (INTERNALS.md §3); the program's output comes where it was written.
fn exec_trace_frames_shows_each_instruction_with_the_frames() -> Result<(), Failed> {
    let dir = scratch("trace-frames");
    std::fs::write(
        dir.join("prog.py"),
        "def add(a, b):\n    return a + b\nprint(add(1, 2))\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_framespec"))
        .args(["exec", "--trace-frames", "prog.py"])
        .current_dir(&dir)
        .output()
        .expect("the framespec binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let mut steps = 0;
    let mut call_at = None;
    for (k, line) in lines.iter().enumerate() {
        if !line.starts_with("prog.py:") {
            continue;
        }
        steps += 1;
        // `prog.py:LINE CODE OFFSET OPNAME …`, then the innermost frame at that offset.
        let fields: Vec<&str> = line.split(' ').collect();
        let (code, offset, opname) = (fields[1], fields[2], fields[3]);
        let innermost = lines[k + 1];
        assert!(
            innermost.starts_with(&format!("  {code} thread lasti={offset} {opname} ")),
            "{line}\n{innermost}"
        );
        if code == "<module>" && opname == "CALL" && call_at.is_none() {
            call_at = offset.parse::<usize>().ok();
        }
        if code == "add" {
            let caller = lines[k + 2];
            let cache = call_at.expect("the call of add") + 6;
            assert!(
                caller.starts_with(&format!("  <module> thread lasti={cache} CACHE ret=0 ")),
                "{caller}"
            );
        }
    }
    assert!(steps > 10, "{stdout}");
    let printed = lines.iter().position(|l| *l == "3").expect("the output");
    assert!(lines[printed - 2].ends_with("CALL 1"), "{stdout}");
    assert!(lines[printed + 1].contains("POP_TOP"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn exec_ends_a_program_that_exhausts_its_heap_with_exit_code_5() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("framespec-cli-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let programs = [
        (
            "doubling.py",
            "s = \"a\"\nwhile True: s = s + s\n",
            None,
            "512 MiB",
        ),
        (
            "growing.py",
            "l = []\nwhile True: l.append([1] * 1000)\n",
            Some("32"),
            "32 MiB",
        ),
    ];
    for (name, source, memory, budget) in programs {
        std::fs::write(dir.join(name), source).expect("write the program");
        // Options go before the file: what follows it is the program's sys.argv.
        let mut args = vec!["exec"];
        if let Some(mib) = memory {
            args.extend(["--memory", mib]);
        }
        args.push(name);
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_framespec"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("the framespec binary runs");
        let elapsed = started.elapsed();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{name}: {stderr}");
        assert_eq!(
            stderr,
            format!("framespec: out of memory: the program needed more than the heap budget of {budget} (raise it with --memory)\n"),
            "{name}"
        );
        assert!(elapsed < Duration::from_secs(30), "{name} took {elapsed:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn a_runaway_program_ends_with_a_timeout_on_cpython_quickly(python: &Path) -> Result<(), Failed> {
    let started = Instant::now();
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/runaway",
        "--target",
        "cpython",
        "--python",
        arg(python),
        "--timeout",
        "2",
    ]);
    let elapsed = started.elapsed();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for id in ["forever", "squaring"] {
        assert!(
            stdout.contains(&format!("FAIL cpython-3.12::{id} (timeout)")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("cpython-3.12::good"), "{stdout}");
    assert!(stdout.contains("1 passed, 2 failed"), "{stdout}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    Ok(())
}

fn a_case_that_kills_its_process_is_a_crash_and_the_next_case_still_runs(
    python: &Path,
) -> Result<(), Failed> {
    // One job, so the second case needs the worker the first one killed.
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/killer",
        "--target",
        "cpython",
        "--python",
        arg(python),
        "-j",
        "1",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL cpython-3.12::a-dies (crash)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the case's process died (exit 3) without an answer"),
        "{stdout}"
    );
    assert!(!stdout.contains("cpython-3.12::b-after"), "{stdout}");
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    Ok(())
}

/// What a process showed: stdout, stderr, exit code.
type Ran = (String, String, Option<i32>);

/// Runs `source` as main.py with CPython 3.12 and with `framespec exec`, in the same
/// directory, and returns both (stdout, stderr, exit code).
fn exec_both(python: &Path, name: &str, source: impl AsRef<[u8]>) -> (Ran, Ran) {
    let dir = std::env::temp_dir().join(format!("framespec-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("main.py"), source.as_ref()).expect("write main.py");
    let run = |cmd: &mut Command| {
        let out = cmd.current_dir(&dir).output().expect("runs");
        (text(&out.stdout), text(&out.stderr), out.status.code())
    };
    let cpython = run(Command::new(python).arg("main.py"));
    let reference = run(Command::new(env!("CARGO_BIN_EXE_framespec")).args(["exec", "main.py"]));
    let _ = std::fs::remove_dir_all(&dir);
    (cpython, reference)
}

fn without_addresses(s: &str) -> String {
    framespec::observe::normalise(s)
}

fn exec_matches_cpython_for_the_articles_programs(python: &Path) -> Result<(), Failed> {
    let programs = [
        ("names", "name = \"Koishi Komeiji\"\ndef some_func():\n    name = \"Eirin Yagokoro\"\n    print(name)\nsome_func()\nprint(name)\n"),
        (
            "frame",
            "import inspect\ndef foo():\n    return inspect.currentframe()\nframe = foo()\nprint(frame)\nprint(type(frame))\nprint(frame.f_back)\nprint(frame.f_back.f_back)\nprint(frame.f_lineno)\n",
        ),
        (
            "uncaught",
            "def inner(x):\n    return x / 0\n\ndef outer():\n    value = inner(7) + 1\n    return value\n\nouter()\n",
        ),
        ("exit-code", "import sys\nprint('a')\nsys.exit(3)\n"),
        ("exit-message", "import sys\nsys.exit('bye')\n"),
        ("exit-none", "raise SystemExit\n"),
        ("exit-true", "import sys\ndef f():\n    sys.exit(True)\nf()\n"),
    ];
    for (name, source) in programs {
        let (expected, actual) = exec_both(python, name, source);
        assert_eq!(
            without_addresses(&actual.0),
            without_addresses(&expected.0),
            "{name}: stdout"
        );
        assert_eq!(actual.1, expected.1, "{name}: stderr");
        assert_eq!(actual.2, expected.2, "{name}: exit code");
    }
    Ok(())
}

/// Source bytes as CPython reads a script: a BOM, PEP 263 cookies, and the errors `python
/// FILE` prints for what it cannot decode (exit 1, no traceback).
fn exec_decodes_sources_as_cpython_does(python: &Path) -> Result<(), Failed> {
    let programs: [(&str, &[u8]); 7] = [
        (
            "latin-1",
            b"# -*- coding: latin-1 -*-\nprint('b\xf6se', len('\xe9'))\n",
        ),
        ("bom", b"\xef\xbb\xbfprint('bom')\n"),
        ("bom-cookie", b"\xef\xbb\xbf# coding: utf-8\nprint('ok')\n"),
        (
            "ascii-cp1252",
            b"#!/usr/bin/env python\n# coding: cp1252\nprint('ascii')\n",
        ),
        ("unknown", b"# coding: uft-8\nprint(1)\n"),
        ("bom-other", b"\xef\xbb\xbf#coding: utf8\nprint(1)\n"),
        ("not-utf8", b"x = 1\nprint('b\xf6se')\n"),
    ];
    for (name, source) in programs {
        let (expected, actual) = exec_both(python, name, source);
        assert_eq!(actual, expected, "{name}");
    }
    Ok(())
}

/// A fresh directory under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("framespec-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A matrix.md cell (`23 pass, 1 fail`, `—`) as counts by status label.
fn md_cell(cell: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    if cell == "—" {
        return counts;
    }
    for part in cell.split(", ") {
        let (n, label) = part.split_once(' ').expect("`N label`");
        counts.insert(label.to_owned(), n.parse().expect("a count"));
    }
    counts
}

/// A matrix.json cell as counts by status label, without zeros (as matrix.md shows it).
fn json_cell(counts: &Counts) -> BTreeMap<String, usize> {
    Status::ALL
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| (s.label().to_owned(), counts.get(*s)))
        .collect()
}

/// The data rows of the Markdown table under `## heading`, split into cells.
fn md_table(md: &str, heading: &str) -> Vec<Vec<String>> {
    let start = md
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("no section {heading}"));
    md[start..]
        .lines()
        .skip(2)
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

fn matrix_writes_json_markdown_and_html_whose_counts_agree() -> Result<(), Failed> {
    let dir = scratch("matrix");
    let out = framespec(&[
        "matrix",
        "--target",
        "reference",
        "--out",
        dir.to_str().expect("UTF-8 temp dir"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("wrote matrix.json, matrix.md and matrix.html"),
        "{stdout}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let (json, md, html) = (read("matrix.json"), read("matrix.md"), read("matrix.html"));
    let matrix = Matrix::from_json(&json).map_err(|e| format!("matrix.json: {e}"))?;

    let cases = collect(&[runner::default_cases_dir()]).expect("the cases list");
    assert_eq!(matrix.targets, ["reference"]);
    assert_eq!(matrix.cases.len(), cases.len());
    assert_eq!(matrix.totals["reference"].total(), cases.len());
    assert!(matrix.rows_of(RowKind::Chapter).count() >= 6);
    assert!(matrix.rows_of(RowKind::Clause).count() > 20);
    assert!(matrix.rows_of(RowKind::Tag).count() > 0);

    // Totals: `| target | rate | pass | fail | expected fail | not applicable | unsupported |`.
    let totals = md_table(&md, "Totals");
    assert_eq!(totals.len(), 1, "{totals:?}");
    let shown: Vec<usize> = totals[0][2..]
        .iter()
        .map(|n| n.parse().expect("a count"))
        .collect();
    let counted: Vec<usize> = Status::ALL
        .iter()
        .map(|s| matrix.totals["reference"].get(*s))
        .collect();
    assert_eq!(shown, counted);

    // Each table: the row's id (and title), its case count, then one cell per target.
    for (heading, kind, id_columns) in [
        ("Chapters", RowKind::Chapter, 1),
        ("Clauses", RowKind::Clause, 2),
        ("Feature tags", RowKind::Tag, 2),
    ] {
        let table = md_table(&md, heading);
        let rows: Vec<&Row> = matrix.rows_of(kind).collect();
        assert_eq!(table.len(), rows.len(), "{heading}");
        for (line, row) in table.iter().zip(rows) {
            assert_eq!(line[0].trim_matches('`'), row.id, "{heading}");
            assert_eq!(line[id_columns], row.cases.len().to_string(), "{}", row.id);
            assert_eq!(
                md_cell(&line[id_columns + 1]),
                json_cell(&row.cells["reference"]),
                "{}",
                row.id
            );
        }
    }

    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "the chart is inline");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn compare_prints_what_was_fixed_and_broken_per_target() -> Result<(), Failed> {
    let dir = scratch("compare");
    let out = framespec(&[
        "matrix",
        "cases/frames/repr",
        "--target",
        "reference",
        "--out",
        dir.to_str().expect("UTF-8 temp dir"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json = std::fs::read_to_string(dir.join("matrix.json")).expect("matrix.json");
    let real: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let ids: Vec<String> = real["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let failing = |doc: &serde_json::Value, case: usize, verdict: &str| {
        let mut doc = doc.clone();
        doc["cases"][case]["results"]["reference"] = serde_json::json!({
            "status": "fail", "verdict": verdict, "detail": "it went wrong"
        });
        doc
    };
    // The first case failed before and passes now; the second the other way round.
    let old = failing(&real, 0, "timeout");
    let new = failing(&real, 1, "crash");
    let (old_path, new_path) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&old_path, old.to_string()).expect("write");
    std::fs::write(&new_path, new.to_string()).expect("write");
    let arg = |p: &Path| p.to_str().expect("UTF-8").to_owned();

    let out = framespec(&["compare", &arg(&old_path), &arg(&new_path)]);
    let md = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}{}", text(&out.stderr));
    assert!(
        md.starts_with("## framespec conformance: changes\n"),
        "{md}"
    );
    assert!(
        md.contains("### reference: 1 broken, 1 fixed, 0 changed, 0 new, 0 removed"),
        "{md}"
    );
    assert!(
        md.contains(&format!("- `{}`: fail (timeout) → pass", ids[0])),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "- `{}`: pass → fail (crash): it went wrong",
            ids[1]
        )),
        "{md}"
    );

    let same = framespec(&["compare", &arg(&new_path), &arg(&new_path)]);
    assert_eq!(same.status.code(), Some(0));
    assert!(text(&same.stdout).contains("No case changed on any target."));

    let mut wrong = real.clone();
    wrong["schema"] = "something-else/1".into();
    std::fs::write(&old_path, wrong.to_string()).expect("write");
    let refused = framespec(&["compare", &arg(&old_path), &arg(&new_path)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("schema `something-else/1`"),
        "{}",
        text(&refused.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
