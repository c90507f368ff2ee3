//! Targets other than the reference VM, as a user drives them with `framespec run`: a
//! protocol speaker that misbehaves in every way INTERPRETING.md §6.3 lists, handshakes
//! that are refused, strict expected-failure files, and hermetic runs on CPython.
//!
//! The toy target (`fixtures/targets/toy_target.py`) is a from-scratch protocol speaker
//! run by CPython 3.12, so these trials follow the shared rule (`common/cpython.rs`).

#[path = "common/binary.rs"]
mod binary;
#[path = "common/cpython.rs"]
mod cpython;

use binary::{framespec, framespec_blessing, framespec_with, text, workspace};

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use libtest_mimic::Failed;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial(
            "a_misbehaving_target_gets_a_verdict_per_case_and_the_run_finishes",
            a_misbehaving_target_gets_a_verdict_per_case_and_the_run_finishes,
        ),
        cpython::trial(
            "a_target_that_is_not_hermetic_gets_a_process_per_case",
            a_target_that_is_not_hermetic_gets_a_process_per_case,
        ),
        cpython::trial(
            "bad_handshakes_are_refused_with_the_reason",
            bad_handshakes_are_refused_with_the_reason,
        ),
        cpython::trial("expected_failures_are_strict", expected_failures_are_strict),
        cpython::trial(
            "expectations_update_writes_the_file_and_keeps_reasons",
            expectations_update_writes_the_file_and_keeps_reasons,
        ),
        cpython::trial(
            "runaway_allocation_on_cpython_ends_within_seconds",
            runaway_allocation_on_cpython_ends_within_seconds,
        ),
        cpython::trial(
            "a_case_with_modules_blesses_and_passes_everywhere",
            a_case_with_modules_blesses_and_passes_everywhere,
        ),
        cpython::trial(
            "two_copies_of_the_suite_get_the_same_verdicts_on_cpython",
            two_copies_of_the_suite_get_the_same_verdicts_on_cpython,
        ),
    ])
}

/// The toy target under `python`, with extra options, as a `--target` value.
fn toy(python: &Path, options: &str) -> String {
    format!(
        "cmd:'{}' harness/tests/fixtures/targets/toy_target.py {options}",
        python.display()
    )
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("framespec-targets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn a_misbehaving_target_gets_a_verdict_per_case_and_the_run_finishes(
    python: &Path,
) -> Result<(), Failed> {
    let started = Instant::now();
    let target = toy(python, "");
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/misbehave",
        "--target",
        &target,
        "--timeout",
        "2",
        "-j",
        "2",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for (case, verdict, detail) in [
        ("hang", "timeout", "did not finish within 2.0 s"),
        (
            "exit",
            "crash",
            "exited (exit status: 5) while running the case",
        ),
        ("garbage", "crash", "the target broke the protocol"),
        (
            "wrong-id",
            "crash",
            "answered for id Some(\"someone/else\")",
        ),
        ("flood", "crash", "a line longer than 64 MiB"),
    ] {
        assert!(
            stdout.contains(&format!("FAIL toy-3.12::{case} ({verdict})")),
            "{case}: {stdout}"
        );
        assert!(stdout.contains(detail), "{case}: {detail}: {stdout}");
    }
    // The deaf worker's case passed; the case after it got a fresh worker. All eight good
    // cases kept their verdicts.
    assert!(!stdout.contains("close-stdin"), "{stdout}");
    assert!(!stdout.contains("good-"), "{stdout}");
    assert!(stdout.contains("9 passed, 5 failed"), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    Ok(())
}

fn a_target_that_is_not_hermetic_gets_a_process_per_case(python: &Path) -> Result<(), Failed> {
    // The toy logs the pid of every process it starts. Saying it is not hermetic, it gets a
    // process of its own for each of the 14 cases; saying it is, its workers are reused
    // (only those that died or broke the protocol are replaced).
    let dir = scratch("processes");
    let processes = |options: &str, jobs: &str| {
        let log = dir.join(format!("pids{}", options.len()));
        let out = framespec_with(
            &[
                "run",
                "harness/tests/fixtures/misbehave",
                "--target",
                &toy(python, options),
                "--timeout",
                "2",
                "-j",
                jobs,
            ],
            &[("FRAMESPEC_TOY_LOG", log.to_str().expect("UTF-8 path"))],
        );
        let stdout = text(&out.stdout);
        assert!(stdout.contains("9 passed, 5 failed"), "{options}: {stdout}");
        let pids = std::fs::read_to_string(&log).expect("the toy logged its pids");
        pids.lines()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(processes("--not-hermetic", "2"), 14);
    let reused = processes("", "1");
    assert!(
        reused < 14,
        "a hermetic target used {reused} processes for 14 cases"
    );
    Ok(())
}

fn bad_handshakes_are_refused_with_the_reason(python: &Path) -> Result<(), Failed> {
    let good = "harness/tests/fixtures/misbehave/good-1.yaml";
    for (options, reason) in [
        (
            "--protocol 0.2.0",
            "the target speaks protocol 0.2.0, this runner 0.5.0",
        ),
        (
            "--no-handshake",
            "exited (exit status: 7) before its handshake",
        ),
    ] {
        let out = framespec(&["run", good, "--target", &toy(python, options)]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(reason), "{options}: {stderr}");
    }
    let out = framespec(&["run", good, "--target", "python:/nonexistent/python"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/nonexistent/python: not found"),
        "{stderr}"
    );
    Ok(())
}

fn expected_failures_are_strict(python: &Path) -> Result<(), Failed> {
    let dir = scratch("strict");
    let target = toy(python, "");
    let run = |file: &str| {
        std::fs::write(dir.join("toy-3.12.yaml"), file).expect("write expectations");
        let out = framespec(&[
            "run",
            "harness/tests/fixtures/misbehave/good-1.yaml",
            "harness/tests/fixtures/misbehave/garbage.yaml",
            "harness/tests/fixtures/misbehave/hang.yaml",
            "--target",
            &target,
            "--timeout",
            "2",
            "--expectations",
            dir.to_str().expect("UTF-8 path"),
        ]);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // The crash and the hang on the skip list: only good-1 runs.
    let (code, stdout, _) =
        run("skip:\n  garbage:\n    reason: breaks the protocol\n  hang:\n    reason: hangs\n");
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("1 passed, 0 failed, 2 skipped"), "{stdout}");
    // A listed case that passes fails the run and names the entry to delete.
    let (code, stdout, _) = run("expected:\n  good-1:\n    channels: [stdout]\n    reason: r\nskip:\n  garbage:\n    reason: g\n  hang:\n    reason: h\n");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL toy-3.12::good-1 (unexpected pass)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("toy-3.12.yaml:2, and passes; delete that entry"),
        "{stdout}"
    );
    // The reference VM may not have a file.
    std::fs::write(dir.join("reference.yaml"), "skip: {}\n").expect("write");
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/misbehave/good-1.yaml",
        "--expectations",
        dir.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the reference VM has no expected failures"));
    // A malformed file is a located error.
    let (code, _, stderr) = run("expected:\n  good-1:\n    channels: [colour]\n    reason: r\n");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("toy-3.12.yaml:2: `good-1`: unknown channel `colour`"),
        "{stderr}"
    );
    Ok(())
}

fn expectations_update_writes_the_file_and_keeps_reasons(python: &Path) -> Result<(), Failed> {
    let dir = scratch("update");
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).expect("cases dir");
    let differs = "title: t\nspec: [frames.f_back.chain]\nsource: |\n  print(1)\nexpect:\n  stdout: |\n    2\n";
    std::fs::write(cases.join("differs.yaml"), differs).expect("write");
    std::fs::write(cases.join("also.yaml"), differs).expect("write");
    std::fs::copy(
        workspace().join("harness/tests/fixtures/misbehave/good-2.yaml"),
        cases.join("good.yaml"),
    )
    .expect("copy");
    let file = dir.join("toy-3.12.yaml");
    std::fs::write(
        &file,
        "expected:\n  differs:\n    channels: [stdout]\n    reason: the toy prints 1\n",
    )
    .expect("write");
    let target = toy(python, "");
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let out = framespec(&[
        "expectations",
        "update",
        cases.to_str().expect("UTF-8 path"),
        "--target",
        &target,
        "--expectations",
        dir_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).expect("read back");
    assert!(
        written.contains("  differs:\n    channels: [stdout]\n    reason: the toy prints 1\n"),
        "{written}"
    );
    assert!(
        written.contains(
            "  also:\n    channels: [stdout]\n    reason: \"to explain: differs on stdout\"\n"
        ),
        "{written}"
    );
    assert!(!written.contains("good"), "{written}");
    // The file it wrote makes the run green.
    let out = framespec(&[
        "run",
        cases.to_str().expect("UTF-8 path"),
        "--target",
        &target,
        "--expectations",
        dir_arg,
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("1 passed, 0 failed, 2 expected failures"),
        "{stdout}"
    );
    Ok(())
}

/// INTERPRETING.md 0.4.0: a case's `modules` form the program's directory on CPython (a
/// temporary directory) and on the reference VM (one in memory); their paths are shortened
/// alike (§4), their frames are named by path in the channels (§3), and a bad path is a
/// located load error.
fn a_case_with_modules_blesses_and_passes_everywhere(python: &Path) -> Result<(), Failed> {
    let dir = scratch("modules");
    let case = dir.join("cases").join("mods.yaml");
    std::fs::create_dir_all(case.parent().expect("parent")).expect("cases directory");
    let text = "title: modules\nspec: [namespaces.import]\nmodules:\n  helper.py: |\n    import sys\n    def where():\n        return sys._getframe().f_code.co_filename\n  pkg/__init__.py: ''\n  pkg/sub.py: |\n    def boom():\n        1 / 0\nsource: |\n  import helper, pkg.sub\n  print(helper.where(), helper.__file__ == helper.where())\n  print(pkg.sub.__spec__.origin)\n  pkg.sub.boom()\ntrace: true\nexpect: {}\n";
    std::fs::write(&case, text).expect("case written");
    let case_arg = case.to_str().expect("UTF-8 path");
    let python_arg = python.to_str().expect("UTF-8 path");
    let out = framespec_blessing(&[case_arg, "--python", python_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    let blessed = std::fs::read_to_string(&case).expect("blessed case");
    for wanted in [
        "helper.py True\n    pkg/sub.py\n",
        "- \"pkg/sub.py:boom:2\"",
        "call helper.py:where:2",
        "exception pkg/sub.py:boom:2 ZeroDivisionError",
    ] {
        assert!(blessed.contains(wanted), "{wanted:?} not in:\n{blessed}");
    }
    let out = framespec(&[
        "run",
        case_arg,
        "--target",
        "reference",
        "--target",
        "cpython",
        "--python",
        python_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    std::fs::write(&case, text.replace("pkg/sub.py:", "pkg/../sub.py:")).expect("case written");
    let out = framespec(&["run", case_arg, "--target", "reference"]);
    let stdout = text_of(&out);
    assert!(
        stdout.contains("mods.yaml:9:3: module path `pkg/../sub.py` must not have"),
        "{stdout}"
    );
    Ok(())
}

fn text_of(out: &std::process::Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn two_copies_of_the_suite_get_the_same_verdicts_on_cpython(python: &Path) -> Result<(), Failed> {
    // CPython 3.12 keeps instrumentation state across programs in one process; each case
    // must start from a fresh interpreter's state whatever ran in its worker before.
    let dir = scratch("copies");
    for copy in ["a", "b"] {
        let status = Command::new("cp")
            .arg("-r")
            .arg(workspace().join("cases"))
            .arg(dir.join(copy))
            .status()
            .expect("cp runs");
        assert!(status.success());
    }
    let out = framespec(&[
        "run",
        dir.join("a").to_str().expect("UTF-8 path"),
        dir.join("b").to_str().expect("UTF-8 path"),
        "--target",
        "cpython",
        "--python",
        python.to_str().expect("UTF-8 path"),
        "-j",
        "2",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(", 0 failed"), "{stdout}");
    Ok(())
}

fn runaway_allocation_on_cpython_ends_within_seconds(python: &Path) -> Result<(), Failed> {
    // Under a 256 MiB address space the program gets CPython's own MemoryError: a verdict
    // (the case expects it to complete), not an exhausted machine.
    let started = Instant::now();
    let out = framespec(&[
        "run",
        "harness/tests/fixtures/memory",
        "--target",
        "cpython",
        "--python",
        python.to_str().expect("UTF-8 path"),
        "--address-space",
        "256",
        "--timeout",
        "20",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for case in ["append", "doubling"] {
        assert!(
            stdout.contains(&format!("FAIL cpython-3.12::{case} (fail)")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("+type: MemoryError"), "{stdout}");
    assert!(stdout.contains("0 passed, 2 failed"), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    Ok(())
}
