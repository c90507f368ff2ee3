//! The listing round trip (issue 10: "assembling it gives back an identical code object"):
//! every code object the compiler makes for every case's `source:` in `cases/` (and every
//! bytecode case's assembled listing), every
//! program of `tests/programs/` and of `tests/language/*.txt` is listed
//! (`asm::listing`, what `framespec dis --asm` prints), assembled again (`asm::assemble`),
//! and must come back identical: the same marshal bytes (`co_code`, both tables,
//! constants bit for bit, names, kinds, counts, flags, nested code objects). Assembled
//! without its `stacksize:` lines, it comes back identical but for `co_stacksize`, which
//! is the verifier's depth and never above the compiler's.

mod support;

use std::path::Path;

use framespec_vm::asm;
use framespec_vm::code::{CodeObject, Constant};
use framespec_vm::marshal::write_code;

/// Lists and reassembles `source`'s module code; `Err` says how the round trip fails.
fn round_trip(source: &str) -> Result<(), String> {
    let Ok(code) = framespec_vm::compile(source, "main.py") else {
        return Ok(()); // Programs that do not compile have no code object to list.
    };
    let text = asm::listing(&code).map_err(|e| format!("not listable: {e}"))?;
    let back = asm::assemble(&text).map_err(|e| format!("does not assemble: {e}\n{text}"))?;
    if write_code(&code) != write_code(&back) {
        let again = asm::listing(&back).unwrap_or_default();
        return Err(format!(
            "a different code object\n--- listing\n{text}\n--- listing of the reassembled\n{again}"
        ));
    }
    // Without its `stacksize:` lines the listing takes the depth the verifier works out:
    // the deepest any path that can run reaches. The compiler's `co_stacksize` (CPython's
    // stackdepth()) may be larger, since it also counts code no path reaches, such as a
    // handler whose protected range is empty; everything else comes back identical.
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("stacksize:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let worked_out = asm::assemble(&without)
        .map_err(|e| format!("does not assemble without stacksize: {e}\n{text}"))?;
    let relisted = asm::listing(&worked_out).map_err(|e| format!("not listable: {e}"))?;
    let relisted: String = relisted
        .lines()
        .filter(|l| !l.trim_start().starts_with("stacksize:"))
        .map(|l| format!("{l}\n"))
        .collect();
    if relisted != without {
        return Err(format!("without stacksize: another code object\n{text}"));
    }
    let mut sizes = Vec::new();
    stacksizes(&worked_out, &code, &mut sizes);
    if let Some((worked, compiled)) = sizes.iter().find(|(w, c)| w > c) {
        return Err(format!(
            "a stacksize of {worked} is worked out where the compiler needs {compiled}\n{text}"
        ));
    }
    Ok(())
}

fn check_all(programs: Vec<(String, String)>) {
    let mut failures = Vec::new();
    let total = programs.len();
    for (name, source) in programs {
        if let Err(e) = round_trip(&source) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} programs fail the round trip:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The (worked out, compiled) `co_stacksize` pairs of two trees of code objects.
fn stacksizes(worked: &CodeObject, compiled: &CodeObject, out: &mut Vec<(u32, u32)>) {
    out.push((worked.co_stacksize, compiled.co_stacksize));
    for (w, c) in worked.co_consts.iter().zip(&compiled.co_consts) {
        if let (Constant::Code(w), Constant::Code(c)) = (w, c) {
            stacksizes(w, c, out);
        }
    }
}

/// A bytecode case's listing: what it assembles to lists as a listing that assembles to
/// the same code object again.
fn listing_round_trip(listing: &str) -> Result<(), String> {
    let code = asm::assemble(listing).map_err(|e| format!("does not assemble: {e}"))?;
    let text = asm::listing(&code).map_err(|e| format!("not listable: {e}"))?;
    let back = asm::assemble(&text).map_err(|e| format!("does not assemble: {e}\n{text}"))?;
    if write_code(&code) != write_code(&back) {
        return Err(format!("a different code object\n--- listing\n{text}"));
    }
    Ok(())
}

#[test]
fn every_case_round_trips() {
    let root = support::manifest_dir().join("../cases");
    let files = framespec_spec::discover(&root).expect("cases");
    let mut programs = Vec::new();
    let mut failures = Vec::new();
    for (id, path) in &files {
        let case = framespec_spec::load(id, path).expect("case loads");
        match &case.bytecode {
            Some(b) => {
                if let Err(e) = listing_round_trip(&b.listing) {
                    failures.push(format!("{id}: {e}"));
                }
            }
            None => programs.push((id.clone(), case.source)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    check_all(programs);
}

#[test]
fn every_program_round_trips() {
    check_all(support::programs());
}

#[test]
fn every_language_program_round_trips() {
    let dir = support::manifest_dir().join("tests/language");
    let mut programs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/language")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        for (k, program) in text.split("\n#---\n").enumerate() {
            programs.push((format!("{}#{k}", stem(&path)), program.to_owned()));
        }
    }
    check_all(programs);
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}
