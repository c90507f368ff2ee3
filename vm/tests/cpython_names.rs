//! `vm/src/runtime/cpython_names.rs` — the names of what CPython 3.12 has (built-in types'
//! attributes, builtins, the modules the VM provides, the standard library's modules),
//! which decide whether a missing name is unsupported or the program's own error — must be
//! exactly what `cpython_names.py` prints under python3.12, so it cannot go stale.
//! The same holds for `vm/src/unicode_printable.rs` (`unicode_printable.py`), the code
//! points `repr` escapes, and for `vm/src/runtime/modules/ast/nodes.rs` (`ast_nodes.py`),
//! the `_ast` node classes, and for `vm/src/runtime/modules/unicodedata/east_asian_width.rs`
//! (`east_asian_width.py`). `FRAMESPEC_REGENERATE=1` rewrites the files instead of failing.

mod support;

use std::process::ExitCode;

use libtest_mimic::Failed;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("cpython_names_table_is_current", |python| {
            table_is_current(
                python,
                include_str!("cpython_names.py"),
                "src/runtime/cpython_names.rs",
            )
        }),
        cpython::trial("ast_nodes_table_is_current", |python| {
            table_is_current(
                python,
                include_str!("ast_nodes.py"),
                "src/runtime/modules/ast/nodes.rs",
            )
        }),
        cpython::trial("east_asian_width_table_is_current", |python| {
            table_is_current(
                python,
                include_str!("east_asian_width.py"),
                "src/runtime/modules/unicodedata/east_asian_width.rs",
            )
        }),
        cpython::trial("unicode_printable_table_is_current", |python| {
            table_is_current(
                python,
                include_str!("unicode_printable.py"),
                "src/unicode_printable.rs",
            )
        }),
    ])
}

fn table_is_current(python: &std::path::Path, script: &str, file: &str) -> Result<(), Failed> {
    let generated = support::run_python(python, script, "");
    let path = support::manifest_dir().join(file);
    if std::env::var_os("FRAMESPEC_REGENERATE").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let committed =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if committed == generated {
        return Ok(());
    }
    let diff = similar_lines(&committed, &generated);
    Err(format!(
        "{} is not what the script that generates it prints under CPython 3.12; re-run with \
         FRAMESPEC_REGENERATE=1 and review the change:\n{diff}",
        path.display()
    )
    .into())
}

/// The first lines that differ, for the failure message.
fn similar_lines(a: &str, b: &str) -> String {
    let mut out = String::new();
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            out.push_str(&format!(
                "line {}:\n  committed: {x}\n  generated: {y}\n",
                i + 1
            ));
            if out.len() > 2000 {
                break;
            }
        }
    }
    let (na, nb) = (a.lines().count(), b.lines().count());
    if na != nb {
        out.push_str(&format!("committed has {na} lines, generated {nb}\n"));
    }
    out
}
