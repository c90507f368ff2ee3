//! framespec's `.pyc` files as CPython 3.12 sees them, for the `source:` of every case in
//! `cases/`:
//!
//! - `framespec_pyc_is_cpython_compile`: CPython loads the `.pyc` framespec writes
//!   (`importlib`'s header check, `marshal.loads`) and it equals CPython's own `compile()`
//!   of the same source field by field, recursively (`support/pyc_compare.py` lists the
//!   fields), in one python3.12 process for all cases;
//! - `python_runs_framespec_pyc::CASE`: `python3.12 prog.pyc` prints the same (stdout,
//!   stderr, exit status) whether `prog.pyc` is framespec's or CPython's own `.pyc` of the
//!   case's `main.py` (`py_compile`, named `main.py` in the code as framespec's is), one
//!   trial per case. Both run from the same file in the same directory, so a program that
//!   looks at its own file (`__file__`, `inspect.getmodule`, `linecache`) sees the same
//!   thing either way, and only the bytecode differs.
//!
//! The other direction, framespec running the `.pyc` CPython writes for every case, is the
//! `reference-cpython-compiled` target, judged against each case's expectations in
//! `harness/tests/conformance.rs`. Reading malformed input is `tests/marshal_errors.rs`.

mod cpython_code;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use cpython_code::{cpython, normalise};
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() -> ExitCode {
    let cases = match case_sources() {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("cannot load the cases: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut trials = vec![{
        let cases = cases.clone();
        cpython::trial("framespec_pyc_is_cpython_compile", move |python| {
            pyc_is_cpython_compile(python, &cases)
        })
    }];
    trials.push(cpython::trial(
        "installed_pyc_of_frozen_modules",
        |_python| installed_pyc_of_frozen_modules(),
    ));
    for (id, source) in cases {
        trials.push(cpython::trial(
            format!("python_runs_framespec_pyc::{id}"),
            move |python| python_runs_pyc(python, &id, &source),
        ));
    }
    cpython::run(trials)
}

/// The sources CPython 3.12 freezes that the VM runs at start-up or on import, by their
/// path under `Lib/` and the name their frozen code carries.
const FROZEN: &[(&str, &str)] = &[
    ("importlib/_bootstrap.py", "importlib._bootstrap"),
    (
        "importlib/_bootstrap_external.py",
        "importlib._bootstrap_external",
    ),
    ("_collections_abc.py", "_collections_abc"),
    ("_sitebuiltins.py", "_sitebuiltins"),
    ("abc.py", "abc"),
    ("codecs.py", "codecs"),
    ("genericpath.py", "genericpath"),
    ("importlib/machinery.py", "importlib.machinery"),
    ("importlib/util.py", "importlib.util"),
    ("io.py", "io"),
    ("ntpath.py", "ntpath"),
    ("os.py", "os"),
    ("posixpath.py", "posixpath"),
    ("runpy.py", "runpy"),
    ("site.py", "site"),
    ("stat.py", "stat"),
    ("zipimport.py", "zipimport"),
];

/// The VM takes a frozen module's code from the `.pyc` CPython's installation wrote beside
/// its source, renamed `<frozen NAME>` (`CodeObject::with_filename`), instead of compiling
/// the source: the two must be the same code object.
fn installed_pyc_of_frozen_modules() -> Result<(), Failed> {
    let stdlib = cpython_code::stdlib().ok_or("no CPython 3.12 Lib/ found")?;
    let mut differ = Vec::new();
    for (file, name) in FROZEN {
        let source = stdlib.join(file);
        let stem = source
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a stem")?;
        let pyc = source
            .with_file_name("__pycache__")
            .join(format!("{stem}.cpython-312.pyc"));
        let data = std::fs::read(&pyc).map_err(|e| format!("{}: {e}", pyc.display()))?;
        let loaded = framespec_vm::marshal::read_pyc(&data)
            .map_err(|e| format!("{}: {e:?}", pyc.display()))?;
        let filename = format!("<frozen {name}>");
        let text =
            std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let compiled = framespec_vm::compile(&text, &filename)
            .map_err(|e| format!("{}: {}", source.display(), e.message))?;
        // The VM compiles a source whose code holds a frozenset (the item order of the
        // .pyc's depends on the process that wrote it; see `import::frozen::from_pyc`).
        if holds_frozenset(&loaded) {
            continue;
        }
        if loaded.with_filename(&filename.as_str().into()) != *compiled {
            differ.push(*file);
        }
    }
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!("the installed .pyc differs from the compiler's code: {differ:?}").into())
    }
}

fn holds_frozenset(code: &framespec_vm::code::CodeObject) -> bool {
    use framespec_vm::code::Constant;
    code.co_consts.iter().any(|c| match c {
        Constant::FrozenSet(items) => items.iter().any(hashed_randomly),
        Constant::Code(inner) => holds_frozenset(inner),
        _ => false,
    })
}

/// Whether the hash of a constant depends on the process's hash seed (str and bytes,
/// alone or in a tuple): only then can two processes order a frozenset differently.
fn hashed_randomly(c: &framespec_vm::code::Constant) -> bool {
    match c {
        framespec_vm::code::Constant::Str(_)
        | framespec_vm::code::Constant::StrSurrogates(_)
        | framespec_vm::code::Constant::Bytes(_) => true,
        framespec_vm::code::Constant::Tuple(items) => items.iter().any(hashed_randomly),
        _ => false,
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(case id, source)` of every case, read as the harness reads them.
fn case_sources() -> Result<Vec<(String, String)>, String> {
    let root = manifest_dir().join("../cases");
    let files = framespec_spec::discover(&root).map_err(|e| e.to_string())?;
    files
        .iter()
        .map(|(id, path)| {
            framespec_spec::load(id, path)
                .map(|case| (id.clone(), case.source))
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A fresh directory for one trial's files.
fn scratch(label: &str) -> PathBuf {
    let safe: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = std::env::temp_dir().join(format!("framespec-pyc-{}-{safe}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// framespec's `.pyc` of `source`, compiled as `main.py`.
fn framespec_pyc(source: &str) -> Result<Vec<u8>, String> {
    let code = framespec_vm::compile(source, "main.py")
        .map_err(|e| format!("framespec does not compile it: {e}"))?;
    Ok(framespec_vm::marshal::write_pyc(
        &code,
        0,
        source.len() as u64,
    ))
}

fn pyc_is_cpython_compile(python: &Path, cases: &[(String, String)]) -> Result<(), Failed> {
    let dir = scratch("compare");
    let mut entries = Vec::new();
    let mut report = String::new();
    for (i, (id, source)) in cases.iter().enumerate() {
        match framespec_pyc(source) {
            Ok(data) => {
                let pyc = dir.join(format!("{i}.pyc"));
                std::fs::write(&pyc, data).map_err(|e| e.to_string())?;
                entries.push(json!({"name": id, "source": source, "pyc": pyc}));
            }
            Err(why) => report.push_str(&format!("--- {id}\n    {why}\n")),
        }
    }
    let script = std::fs::read_to_string(manifest_dir().join("tests/support/pyc_compare.py"))
        .map_err(|e| e.to_string())?;
    let out = cpython_code::run_python(python, &script, &serde_json::to_string(&entries)?)?;
    let _ = std::fs::remove_dir_all(&dir);
    let answers: Vec<Value> = serde_json::from_str(&out)?;
    if answers.len() != entries.len() {
        return Err(format!(
            "CPython answered for {} of {} files",
            answers.len(),
            entries.len()
        )
        .into());
    }
    let mut different = 0;
    for answer in &answers {
        if answer["status"] == "identical" {
            continue;
        }
        different += 1;
        report.push_str(&format!("--- {} ({})\n", answer["name"], answer["status"]));
        if let Some(error) = answer.get("error") {
            report.push_str(&format!("    {error}\n"));
        }
        for diff in answer["diffs"].as_array().into_iter().flatten().take(8) {
            report.push_str(&format!("    {}\n", diff.as_str().unwrap_or_default()));
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{report}{} of {} cases: framespec's .pyc is not what CPython 3.12 compiles",
            different + cases.len() - entries.len(),
            cases.len()
        )
        .into())
    }
}

/// What `python3.12 FILE` in `dir` prints: stdout, stderr (paths ending in `/main.py`
/// shown as `main.py`, as INTERPRETING.md §4 normalises them) and the exit status.
fn python_output(
    python: &Path,
    dir: &Path,
    file: &str,
) -> Result<(String, String, Option<i32>), String> {
    let out = Command::new(python)
        .arg(file)
        .current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let text = |b: &[u8]| normalise(&String::from_utf8_lossy(b));
    Ok((text(&out.stdout), text(&out.stderr), out.status.code()))
}

fn python_runs_pyc(python: &Path, id: &str, source: &str) -> Result<(), Failed> {
    let dir = scratch(id);
    std::fs::write(dir.join("main.py"), source).map_err(|e| e.to_string())?;
    let compiled = Command::new(python)
        .args([
            "-c",
            "import py_compile; py_compile.compile('main.py', cfile='prog.pyc', dfile='main.py', doraise=True)",
        ])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !compiled.status.success() {
        return Err(format!(
            "py_compile failed: {}",
            String::from_utf8_lossy(&compiled.stderr)
        )
        .into());
    }
    let expected = python_output(python, &dir, "prog.pyc")?;
    std::fs::write(dir.join("prog.pyc"), framespec_pyc(source)?).map_err(|e| e.to_string())?;
    let got = python_output(python, &dir, "prog.pyc")?;
    let _ = std::fs::remove_dir_all(&dir);
    if expected == got {
        return Ok(());
    }
    Err(format!(
        "python3.12 prog.pyc (CPython's):\n--- stdout\n{}--- stderr\n{}--- status {:?}\npython3.12 prog.pyc (framespec's):\n--- stdout\n{}--- stderr\n{}--- status {:?}",
        expected.0, expected.1, expected.2, got.0, got.1, got.2
    )
    .into())
}
