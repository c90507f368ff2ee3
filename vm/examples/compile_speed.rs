//! Compile speed against CPython 3.12's own `compile()`, side by side, on the files of
//! CPython's `Lib/` (read in place; `site-packages` left out) that both compilers accept.
//!
//! ```sh
//! cargo run --release -p framespec-vm --example compile_speed [-- --runs N] [-- --python PATH]
//! ```
//!
//! Both sides compile the same decoded source strings in memory: framespec's
//! `framespec_vm::compile` in this process, CPython's `compile(src, path, "exec")` in one
//! python3.12 process per round, timed inside that process (so interpreter start-up is not
//! counted). Rounds alternate between the two; the ratio reported is the median of the
//! per-round ratios, so a drifting machine cancels out. Parsing is included on both sides
//! (ruff's parser here, CPython's PEG parser there), reading and decoding files on neither.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The timing loop run by python3.12: reads the file list on stdin, decodes every file
/// as `compile()` would see it, then prints the seconds `compile()` of all of them took.
const CPYTHON_SIDE: &str = r#"
import sys, time, tokenize
paths = sys.stdin.read().splitlines()
sources = []
for p in paths:
    with tokenize.open(p) as f:
        sources.append((f.read(), p))
t = time.perf_counter()
for src, p in sources:
    compile(src, p, "exec", dont_inherit=True)
print(time.perf_counter() - t)
"#;

fn main() {
    if let Err(e) = run() {
        eprintln!("compile_speed: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut runs = 5usize;
    let mut python: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs needs a positive number")?
            }
            "--python" => python = Some(PathBuf::from(args.next().ok_or("--python needs a path")?)),
            "-h" | "--help" => {
                println!("usage: compile_speed [--runs N] [--python PATH]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    let python = match python {
        Some(p) => p,
        None => find_python()?,
    };
    let lib = stdlib(&python)?;
    let mut files = Vec::new();
    collect(&lib, &mut files)?;
    files.sort();

    // Only files both compilers accept are timed, so both sides do the same work.
    let accepted_by_cpython = cpython_accepts(&python, &files)?;
    let mut work: Vec<(PathBuf, String)> = Vec::new();
    for (path, ok) in files.into_iter().zip(accepted_by_cpython) {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: framespec does not decode other encodings yet
        };
        if ok && compile_all(&[(path.clone(), source.clone())]).is_ok() {
            work.push((path, source));
        }
    }
    let lines: usize = work.iter().map(|(_, s)| s.lines().count()).sum();
    let list: String = work
        .iter()
        .map(|(p, _)| format!("{}\n", p.display()))
        .collect();
    println!(
        "{} files of {} ({} lines) that both compilers accept; {runs} rounds",
        work.len(),
        lib.display(),
        lines
    );

    let mut ratios = Vec::new();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let a = compile_all(&work)?;
        let b = cpython_round(&python, &list)?;
        ratios.push(a / b);
        ours.push(a);
        theirs.push(b);
    }
    let (a, b, r) = (median(&mut ours), median(&mut theirs), median(&mut ratios));
    let per_sec = |secs: f64| lines as f64 / secs;
    println!(
        "framespec {:.3} s ({:.0} lines/s), CPython 3.12 compile() {:.3} s ({:.0} lines/s)",
        a,
        per_sec(a),
        b,
        per_sec(b)
    );
    println!("framespec/CPython time ratio (median of rounds): {r:.2}x");
    Ok(())
}

/// Seconds framespec takes to compile every source, on a thread with a large stack (some
/// of Lib's test files nest deeply, as CPython's own recursion limit allows).
fn compile_all(work: &[(PathBuf, String)]) -> Result<f64, String> {
    let work = work.to_vec();
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            let start = Instant::now();
            for (path, source) in &work {
                let name = path.display().to_string();
                if let Err(e) = framespec_vm::compile(source, &name) {
                    return Err(format!("{name}: {e}"));
                }
            }
            Ok(start.elapsed().as_secs_f64())
        })
        .map_err(|e| format!("cannot start the compile thread: {e}"))?;
    handle
        .join()
        .map_err(|_| "the compile thread panicked".to_owned())?
}

fn cpython_round(python: &Path, list: &str) -> Result<f64, String> {
    let out = python_with_stdin(python, CPYTHON_SIDE, list)?;
    out.trim()
        .parse()
        .map_err(|_| format!("unexpected answer from python3.12: {out}"))
}

/// Which of `files` CPython's `compile()` accepts, in order.
fn cpython_accepts(python: &Path, files: &[PathBuf]) -> Result<Vec<bool>, String> {
    let script = r#"
import sys, tokenize
for p in sys.stdin.read().splitlines():
    try:
        with tokenize.open(p) as f:
            compile(f.read(), p, "exec", dont_inherit=True)
        print(1)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        print(0)
"#;
    let list: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    let out = python_with_stdin(python, script, &list)?;
    let answers: Vec<bool> = out.lines().map(|l| l == "1").collect();
    if answers.len() != files.len() {
        return Err("python3.12 did not answer for every file".to_owned());
    }
    Ok(answers)
}

fn python_with_stdin(python: &Path, script: &str, input: &str) -> Result<String, String> {
    let mut child = Command::new(python)
        .args(["-X", "warnings=ignore", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(input.as_bytes())
        .map_err(|e| format!("cannot write to python3.12: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("python3.12 failed: {e}"))?;
    if !out.status.success() {
        return Err(format!("python3.12 exited with {}", out.status));
    }
    String::from_utf8(out.stdout).map_err(|_| "python3.12 printed non-UTF-8".to_owned())
}

fn stdlib(python: &Path) -> Result<PathBuf, String> {
    let out = python_with_stdin(
        python,
        "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        "",
    )?;
    Ok(PathBuf::from(out.trim()))
}

/// `$FRAMESPEC_PYTHON`, else the newest pyenv 3.12, else `python3.12` on PATH.
fn find_python() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FRAMESPEC_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let root = Command::new("pyenv")
        .arg("root")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| PathBuf::from(s.trim()));
    if let Some(versions) = root.map(|r| r.join("versions")) {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&versions)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("3.12"))
            .map(|e| e.path().join("bin").join("python3.12"))
            .filter(|p| p.exists())
            .collect();
        found.sort();
        if let Some(p) = found.pop() {
            return Ok(p);
        }
    }
    Ok(PathBuf::from("python3.12"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "site-packages" {
                collect(&path, out)?;
            }
        } else if path.extension().is_some_and(|x| x == "py") {
            out.push(path);
        }
    }
    Ok(())
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
