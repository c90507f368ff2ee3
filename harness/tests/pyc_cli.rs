//! `framespec compile` and `framespec exec FILE.pyc` as a user drives them, against
//! CPython 3.12 itself: python3.12 runs and imports the `.pyc` framespec writes, framespec
//! runs the `.pyc` `python3.12 -m py_compile` writes as python3.12 runs it, and a damaged or unrepresentable
//! `.pyc` is a located error with its own exit code. Trials follow the CPython 3.12 rule
//! (`common/cpython.rs`).

#[path = "common/binary.rs"]
mod binary;
#[path = "common/cpython.rs"]
mod cpython;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use binary::text;
use framespec::observe::normalise;
use libtest_mimic::Failed;

const PROGRAM: &str = "\
import sys

def counter(start):
    total = start
    def add(n, *, twice=False):
        nonlocal total
        total += n * (2 if twice else 1)
        return total
    return add

class Shape:
    sides = frozenset({3, 4, 5})
    def __init__(self, n):
        self.n = n
    def __repr__(self):
        return f'Shape({self.n!r}, known={self.n in self.sides})'

add = counter(10)
print(add(1), add(2, twice=True), [Shape(n) for n in (3, 6)])
try:
    {}['missing']
except KeyError as e:
    print('caught', repr(e), 2**40, -1.5e300, b'\\x00\\xff', 'h\\u00e9')

def fail(x):
    return x / 0

fail(sys.maxsize)
";

/// Equal constants of different functions are one object in CPython (its compiler merges
/// them module-wide), so `is` tells whether the `.pyc` kept that sharing.
const SHARING: &str = "\
def pair(): return (1, (2.5, -0.0), b'x', 10**6, (True, False))
def same(): return (1, (2.5, -0.0), b'x', 10**6, (True, False))
def other(): return (1, (2.5, 0.0), b'x', 10**6, (True, False))
def flip(): return (False, True)
print(pair() is same(), pair() == other(), pair() is other(), pair()[1] is other()[1],
      pair()[4] is other()[4], flip() is pair()[4])
";

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial(
            "python_runs_and_imports_the_pyc_framespec_compiles",
            python_runs_and_imports_the_pyc_framespec_compiles,
        ),
        cpython::trial(
            "framespec_exec_runs_the_pyc_py_compile_writes",
            framespec_exec_runs_the_pyc_py_compile_writes,
        ),
        cpython::trial(
            "a_damaged_pyc_is_a_located_error",
            a_damaged_pyc_is_a_located_error,
        ),
        cpython::trial(
            "bytecode_that_does_not_verify_is_a_located_error",
            bytecode_that_does_not_verify_is_a_located_error,
        ),
    ])
}

/// A fresh directory holding `main.py`.
fn scratch(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("framespec-pyc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("main.py"), source).expect("write main.py");
    dir
}

/// stdout and stderr (normalised as INTERPRETING.md §4 says) and the exit code.
fn shown(out: Output) -> (String, String, Option<i32>) {
    (
        normalise(&text(&out.stdout)),
        normalise(&text(&out.stderr)),
        out.status.code(),
    )
}

fn python(python: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(python)
        .args(args)
        .current_dir(dir)
        .env("PYTHONHASHSEED", "0")
        .output()
        .expect("python3.12 runs")
}

fn framespec(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_framespec"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("framespec runs")
}

fn python_runs_and_imports_the_pyc_framespec_compiles(py: &Path) -> Result<(), Failed> {
    let dir = scratch("compile", &format!("{SHARING}{PROGRAM}"));
    let compiled = framespec(&dir, &["compile", "main.py", "-o", "compiled.pyc"]);
    assert_eq!(
        compiled.status.code(),
        Some(0),
        "{}",
        text(&compiled.stderr)
    );
    let expected = shown(python(py, &dir, &["main.py"]));
    assert!(
        expected.0.starts_with("True True False False True False\n"),
        "{expected:?}"
    );
    assert!(expected.1.contains("ZeroDivisionError"), "{expected:?}");
    // co_filename is `main.py` as given, so the traceback reads the same source lines.
    assert_eq!(shown(python(py, &dir, &["compiled.pyc"])), expected);
    // Imported, it is a sourceless module whose code is framespec's.
    let imported = python(py, &dir, &["-c", "import compiled"]);
    assert_eq!(normalise(&text(&imported.stdout)), expected.0);
    // Without -o, FILE.pyc beside FILE.py.
    let default = framespec(&dir, &["compile", "main.py"]);
    assert_eq!(default.status.code(), Some(0), "{}", text(&default.stderr));
    let (by_default, given) = (
        std::fs::read(dir.join("main.pyc"))?,
        std::fs::read(dir.join("compiled.pyc"))?,
    );
    // The same but for the header's timestamp (bytes 8..12).
    assert_eq!(
        (&by_default[..8], &by_default[12..]),
        (&given[..8], &given[12..])
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn framespec_exec_runs_the_pyc_py_compile_writes(py: &Path) -> Result<(), Failed> {
    // As `python3.12 FILE.pyc` runs it: a sourceless module.
    let source = format!("print(type(__loader__).__name__, __name__, __cached__)\n{PROGRAM}");
    let dir = scratch("exec", &source);
    let written = python(py, &dir, &["-m", "py_compile", "main.py"]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let pyc = "__pycache__/main.cpython-312.pyc";
    let expected = shown(python(py, &dir, &[pyc]));
    assert!(
        expected
            .0
            .starts_with("SourcelessFileLoader __main__ None\n"),
        "{expected:?}"
    );
    let got = shown(framespec(&dir, &["exec", pyc]));
    assert_eq!(got.0, expected.0, "stdout");
    assert_eq!(got.2, expected.2, "exit code");
    let last = |s: &str| s.lines().last().unwrap_or_default().to_owned();
    assert_eq!(last(&got.1), last(&expected.1), "the exception line");
    // A .pyc by its magic number, whatever its name (as `python FILE` decides).
    std::fs::copy(dir.join(pyc), dir.join("renamed.bin"))?;
    assert_eq!(
        shown(framespec(&dir, &["exec", "renamed.bin"])).0,
        expected.0
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn a_damaged_pyc_is_a_located_error(py: &Path) -> Result<(), Failed> {
    // U+10F800 is a code point the VM keeps for lone surrogates (its `standins`), so a
    // str holding that character itself cannot be held.
    let dir = scratch("damaged", "x = 1\ny = '\\U0010f800'\nprint(x)\n");
    let written = python(py, &dir, &["-m", "py_compile", "main.py"]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let pyc = std::fs::read(dir.join("__pycache__/main.cpython-312.pyc"))?;
    // The constant loads; the run is unsupported (exit 4) where the program reaches it,
    // after `x = 1` and before anything prints.
    let out = framespec(&dir, &["exec", "__pycache__/main.cpython-312.pyc"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(
            ":2:5: a character in U+10F800-U+10FFFF (where the VM keeps lone surrogates) \
             is not supported by framespec"
        ),
        "{stderr}"
    );
    // TYPE_UNICODE (or TYPE_INTERNED), with or without FLAG_REF, a 4-byte length, then
    // the character's four bytes.
    let at = pyc
        .windows(9)
        .position(|w| {
            matches!(w[0] & 0x7f, b'u' | b't')
                && w[1..5] == [4, 0, 0, 0]
                && w[5..] == [0xf4, 0x8f, 0xa0, 0x80]
        })
        .ok_or("the string is not in the .pyc")?;
    assert!(out.stdout.is_empty());
    // Cut short before it: malformed (exit 1), located at the end of the file.
    std::fs::write(dir.join("cut.pyc"), &pyc[..at])?;
    let out = framespec(&dir, &["exec", "cut.pyc"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!("framespec: cut.pyc: byte {at}: bad marshal data")),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A .pyc whose code CPython would run unchecked (its LOAD_CONST reads past co_consts) is
/// refused before anything runs: the verifier's located error, exit status 1.
fn bytecode_that_does_not_verify_is_a_located_error(py: &Path) -> Result<(), Failed> {
    let dir = scratch("unverified", "x = 1\nprint(x)\n");
    let script = "import dis, importlib._bootstrap_external as be\n\
        c = compile(open('main.py').read(), 'main.py', 'exec')\n\
        b = bytearray(c.co_code)\n\
        i = next(i for i in range(0, len(b), 2) if b[i] == dis.opmap['LOAD_CONST'])\n\
        b[i + 1] = 7\n\
        open('bad.pyc', 'wb').write(be._code_to_timestamp_pyc(c.replace(co_code=bytes(b)), 0, 0))\n";
    let written = python(py, &dir, &["-c", script]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let out = framespec(&dir, &["exec", "bad.pyc"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr,
        "framespec: bad.pyc: invalid bytecode: main.py:1: code object '<module>', offset 2 \
         (LOAD_CONST): constant index 7 out of range (co_consts has 2)\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
