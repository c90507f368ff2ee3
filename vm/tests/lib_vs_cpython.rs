//! framespec's compiler over CPython 3.12.1's own `Lib/` (read in place, never copied;
//! `site-packages` left out): for each `.py` file, either both compilers reject it, or the
//! code object framespec writes as a `.pyc` loads in CPython and equals CPython's
//! `compile()` of the file field by field, recursively (`support/pyc_compare.py`).
//!
//! Frozenset constants are compared as sets there, since their order depends on what the
//! CPython process interned before; each file that has any is compiled again in a fresh
//! python3.12, whose order framespec models (`compile::interning`), and compared in order.
//!
//! `vm/tests/lib_identical.txt` is the ratchet: the files identical today. A listed file
//! that stops being identical fails the test; a file that becomes identical is printed
//! with the line to add.
//!
//! - `lib_sample` (CI): the files of `vm/tests/lib_sample.txt`, a fixed sample chosen to
//!   cover the constructs, identical or not yet.
//! - `lib_full` (ignored by default): every file, with the figure. Run it with
//!   `cargo test -p framespec-vm --test lib_vs_cpython -- --ignored --nocapture`;
//!   `FRAMESPEC_LIB_UPDATE=1` then rewrites `lib_identical.txt` (refused when `CI` is set).
//!
//! framespec compiles every file in this process (on a thread with a large stack: some of
//! Lib's test files nest deeply), writes the `.pyc` files to a temporary directory, and one
//! python3.12 process compares them all.

mod cpython_code;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cpython_code::{cpython, listed, manifest_dir};
use framespec_vm::compile::DecodeError;
use libtest_mimic::Failed;
use serde_json::{json, Value};

/// The CPython whose `Lib/` the ratchet list was recorded from.
const LIB_VERSION: &str = "3.12.1";

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("lib_sample", |python| run(python, Scope::Sample)),
        cpython::trial("lib_full", |python| run(python, Scope::Full)).with_ignored_flag(true),
    ])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Sample,
    Full,
}

/// CPython's version and the directory of its `Lib/`.
fn stdlib(python: &Path) -> Result<(String, PathBuf), String> {
    let out = cpython_code::run_python(
        python,
        "import platform, sysconfig; print(platform.python_version()); print(sysconfig.get_paths()['stdlib'])",
        "",
    )?;
    let mut lines = out.lines();
    match (lines.next(), lines.next()) {
        (Some(version), Some(dir)) => Ok((version.to_owned(), PathBuf::from(dir))),
        _ => Err(format!("unexpected answer from python3.12: {out}")),
    }
}

/// Every `.py` file under `dir` but `site-packages`, as paths relative to `dir`, sorted.
fn lib_files(dir: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "site-packages" && name != "__pycache__" {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "py") {
                if let Ok(rel) = path.strip_prefix(dir) {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// What framespec made of one file.
enum Ours {
    /// The `.pyc` it wrote, and the reprs of its frozenset constants (`frozensets`).
    Compiled(PathBuf, Vec<String>),
    /// A SyntaxError, with its line.
    Rejected(String),
    /// Valid Python it does not compile yet, or a file it cannot read.
    NotYet(String),
}

/// Where one file stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Identical,
    RejectedAlike,
    /// Why not (yet): the first difference, or what framespec lacks.
    NotYet(String),
}

/// Compiles `files` on a thread with a large stack (the parser and compiler recurse).
fn compile_all(lib: &Path, files: &[String], out_dir: &Path) -> Result<Vec<Ours>, String> {
    let (lib, files, out_dir) = (lib.to_path_buf(), files.to_vec(), out_dir.to_path_buf());
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            files
                .iter()
                .enumerate()
                .map(|(i, rel)| compile_one(&lib, rel, &out_dir.join(format!("{i}.pyc"))))
                .collect()
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "framespec's compiler panicked on a file of Lib/".to_owned())
}

fn compile_one(lib: &Path, rel: &str, pyc: &Path) -> Ours {
    let bytes = match std::fs::read(lib.join(rel)) {
        Ok(b) => b,
        Err(e) => return Ours::NotYet(format!("cannot read: {e}")),
    };
    let source = match framespec_vm::compile::decode_source_in(&bytes, Some(lib)) {
        Ok(s) => s,
        // As `python3.12 FILE` does. CPython's `compile(bytes)` decodes later, so it
        // rejects such a file only where a token holds the bad byte (not in a comment):
        // the verdict still requires CPython to reject the file.
        Err(DecodeError::NotUtf8(at)) => {
            return Ours::Rejected(format!("not UTF-8 (byte {at}) and no coding cookie"))
        }
        Err(DecodeError::Syntax(e)) if e.unsupported => {
            return Ours::NotYet(format!("unsupported: {}", e.message))
        }
        Err(DecodeError::Syntax(e)) => {
            return Ours::Rejected(format!("line {}: {}", e.line, e.message))
        }
    };
    match framespec_vm::compile(&source, rel) {
        Ok(code) => {
            let data = framespec_vm::marshal::write_pyc(&code, 0, bytes.len() as u64);
            match std::fs::write(pyc, data) {
                Ok(()) => Ours::Compiled(pyc.to_path_buf(), frozensets(&code)),
                Err(e) => Ours::NotYet(format!("cannot write {}: {e}", pyc.display())),
            }
        }
        Err(e) if e.unsupported => Ours::NotYet(format!("unsupported: {}", e.message)),
        Err(e) => Ours::Rejected(format!("line {}: {}", e.line, e.message)),
    }
}

/// The verdict for each file, from framespec's compilation and CPython's comparison.
fn verdicts(python: &Path, lib: &Path, files: &[String]) -> Result<Vec<Verdict>, String> {
    let dir = std::env::temp_dir().join(format!("framespec-lib-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ours = compile_all(lib, files, &dir)?;
    let entries: Vec<Value> = files
        .iter()
        .zip(&ours)
        .map(|(rel, o)| {
            let pyc = match o {
                Ours::Compiled(p, _) => Some(p.clone()),
                _ => None,
            };
            json!({"name": rel, "path": lib.join(rel), "filename": rel, "pyc": pyc})
        })
        .collect();
    let script = std::fs::read_to_string(manifest_dir().join("tests/support/pyc_compare.py"))
        .map_err(|e| e.to_string())?;
    let input = serde_json::to_string(&entries).map_err(|e| e.to_string())?;
    let answer = cpython_code::run_python(python, &script, &input);
    let _ = std::fs::remove_dir_all(&dir);
    let answers: Vec<Value> = serde_json::from_str(&answer?).map_err(|e| e.to_string())?;
    if answers.len() != files.len() {
        return Err(format!(
            "CPython answered for {} of {} files",
            answers.len(),
            files.len()
        ));
    }
    let mut out = Vec::new();
    for ((o, a), rel) in ours.into_iter().zip(&answers).zip(files) {
        let order = match &o {
            Ours::Compiled(_, sets) if !sets.is_empty() => {
                frozenset_order(python, &lib.join(rel), sets)?
            }
            _ => None,
        };
        out.push(match (verdict(o, a), order) {
            (Verdict::Identical, Some(diff)) => Verdict::NotYet(diff),
            (v, _) => v,
        });
    }
    Ok(out)
}

/// The reprs of the frozenset constants of `code` and its nested code objects, depth
/// first in `co_consts` order (as `FROZENSETS` walks CPython's).
fn frozensets(code: &framespec_vm::code::CodeObject) -> Vec<String> {
    use framespec_vm::code::Constant;
    fn walk(c: &Constant, out: &mut Vec<String>) {
        match c {
            Constant::FrozenSet(_) => out.push(framespec_vm::dis::const_repr(c)),
            Constant::Tuple(items) => items.iter().for_each(|i| walk(i, out)),
            Constant::Code(co) => co.co_consts.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    code.co_consts.iter().for_each(|c| walk(c, &mut out));
    out
}

/// What `frozensets` reads, in a fresh python3.12 compiling the file.
const FROZENSETS: &str = r#"
import sys, types
def walk(c):
    if isinstance(c, frozenset):
        print(repr(c))
    elif isinstance(c, tuple):
        for i in c: walk(i)
    elif isinstance(c, types.CodeType):
        for i in c.co_consts: walk(i)
with open(sys.argv[1], "rb") as f:
    code = compile(f.read(), sys.argv[1], "exec")
for c in code.co_consts: walk(c)
"#;

/// The frozenset constants' order is not a property of the source alone: compiling, CPython
/// rebuilds a frozenset when an identifier-like string in it was interned before
/// (`compile::interning`), which depends on what the process did before. framespec models
/// a fresh python3.12 (`-s -P`, `PYTHONHASHSEED=0`), which this compares with, file by
/// file (the comparison of `pyc_compare.py`, in one process, compares frozensets as sets).
/// `Some` says how they differ.
fn frozenset_order(python: &Path, file: &Path, ours: &[String]) -> Result<Option<String>, String> {
    let out = std::process::Command::new(python)
        .args(["-s", "-P", "-c", FROZENSETS])
        .arg(file)
        .env("PYTHONHASHSEED", "0")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "python3.12 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let theirs: Vec<&str> = text.lines().collect();
    Ok((theirs != ours).then(|| {
        let first = theirs.iter().zip(ours).find(|(t, o)| *t != o);
        match first {
            Some((t, o)) => format!("frozenset order: CPython {t}, framespec {o}"),
            None => format!(
                "frozenset constants: CPython {}, framespec {}",
                theirs.len(),
                ours.len()
            ),
        }
    }))
}

fn verdict(ours: Ours, theirs: &Value) -> Verdict {
    let status = theirs["status"].as_str().unwrap_or_default();
    let error = theirs["error"].as_str().unwrap_or_default();
    match (ours, status) {
        (Ours::Compiled(..), "identical") => Verdict::Identical,
        (Ours::Rejected(_), "rejected") => Verdict::RejectedAlike,
        (Ours::NotYet(why), _) => Verdict::NotYet(why),
        (Ours::Compiled(..), "different") => {
            let first = theirs["diffs"][0].as_str().unwrap_or_default();
            Verdict::NotYet(format!("different: {first}"))
        }
        (Ours::Compiled(..), "rejected") => {
            Verdict::NotYet(format!("framespec compiles what CPython rejects: {error}"))
        }
        (Ours::Compiled(..), other) => Verdict::NotYet(format!("CPython: {other} {error}")),
        (Ours::Rejected(why), _) => Verdict::NotYet(format!("framespec rejects it ({why})")),
    }
}

/// The first words of a reason, to group the files that are not identical yet.
fn reason_group(why: &str) -> String {
    if let Some(rest) = why.strip_prefix("different: ") {
        let field = rest.split(':').next().unwrap_or(rest);
        let field = field.rsplit('.').next().unwrap_or(field);
        return format!("different {field}");
    }
    why.chars().take(70).collect()
}

fn run(python: &Path, scope: Scope) -> Result<(), Failed> {
    let (version, lib) = stdlib(python)?;
    if version != LIB_VERSION {
        return Err(format!(
            "lib_identical.txt lists CPython {LIB_VERSION}'s Lib/; {} is {version}",
            python.display()
        )
        .into());
    }
    let identical_list = listed("lib_identical.txt")?;
    let all = lib_files(&lib)?;
    let files: Vec<String> = match scope {
        Scope::Full => all.clone(),
        Scope::Sample => {
            let sample = listed("lib_sample.txt")?;
            let missing: Vec<&String> = sample.iter().filter(|f| !all.contains(f)).collect();
            if !missing.is_empty() {
                return Err(format!("lib_sample.txt names files Lib/ lacks: {missing:?}").into());
            }
            sample.into_iter().collect()
        }
    };
    let started = std::time::Instant::now();
    let results = verdicts(python, &lib, &files)?;
    let mut regressions = Vec::new();
    let mut newly = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut identical, mut rejected) = (0, 0);
    for (file, v) in files.iter().zip(&results) {
        let listed = identical_list.contains(file);
        match v {
            Verdict::Identical => {
                identical += 1;
                if !listed {
                    newly.push(file.clone());
                }
            }
            Verdict::RejectedAlike => rejected += 1,
            Verdict::NotYet(why) => {
                if std::env::var_os("FRAMESPEC_LIB_VERBOSE").is_some() {
                    println!("not yet {file}: {why}");
                }
                *counts.entry(reason_group(why)).or_default() += 1;
                if listed {
                    regressions.push(format!("{file}: {why}"));
                }
            }
        }
    }
    let mut by_count: Vec<(usize, String)> = counts.into_iter().map(|(k, n)| (n, k)).collect();
    by_count.sort_by(|a, b| b.cmp(a));
    println!(
        "Lib/ of CPython {version}: {} files, {identical} identical, {rejected} rejected by both, {} not yet ({:.1} s)",
        files.len(),
        files.len() - identical - rejected,
        started.elapsed().as_secs_f64()
    );
    for (n, why) in by_count.iter().take(25) {
        println!("{n:6}  {why}");
    }
    if scope == Scope::Full {
        if std::env::var_os("FRAMESPEC_LIB_UPDATE").is_some() {
            update_list(&files, &results)?;
        }
        let stale: Vec<&String> = identical_list.iter().filter(|f| !all.contains(f)).collect();
        if !stale.is_empty() {
            regressions.push(format!("listed but not in Lib/: {stale:?}"));
        }
    }
    if !newly.is_empty() {
        println!(
            "{} files are identical but not in vm/tests/lib_identical.txt; add them (or run `FRAMESPEC_LIB_UPDATE=1 cargo test -p framespec-vm --test lib_vs_cpython -- --ignored`):",
            newly.len()
        );
        for f in newly.iter().take(50) {
            println!("{f}");
        }
    }
    if regressions.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} files listed in vm/tests/lib_identical.txt are no longer identical:\n{}",
            regressions.len(),
            regressions.join("\n")
        )
        .into())
    }
}

/// Rewrites `lib_identical.txt` from a full run.
fn update_list(files: &[String], results: &[Verdict]) -> Result<(), String> {
    if std::env::var_os("CI").is_some() {
        return Err("FRAMESPEC_LIB_UPDATE is refused when CI is set".to_owned());
    }
    let mut text = format!(
        "# The files of CPython {LIB_VERSION}'s Lib/ that framespec compiles to code objects identical\n\
         # to CPython's, field by field (tests/lib_vs_cpython.rs). A listed file that stops being\n\
         # identical fails the test; rewrite with\n\
         # FRAMESPEC_LIB_UPDATE=1 cargo test -p framespec-vm --test lib_vs_cpython -- --ignored\n"
    );
    for (f, v) in files.iter().zip(results) {
        if *v == Verdict::Identical {
            text.push_str(f);
            text.push('\n');
        }
    }
    let path = manifest_dir().join("tests/lib_identical.txt");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
