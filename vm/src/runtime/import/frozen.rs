//! CPython 3.12's frozen modules (`Python/frozen.c`): the standard-library modules its
//! build compiles in, which `FrozenImporter` loads. The VM takes each from its source in
//! the standard library (from the `.pyc` beside it when that is current, see
//! [`from_pyc`]), under the name CPython's frozen code objects carry (`<frozen os>`), and
//! keeps the code for the life of the thread, so every run after the first gets it at no
//! cost.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use crate::code::{CodeObject, Constant};

/// `(module name, module it is frozen from, is a package)`, as `_imp.find_frozen`
/// reports them (the `__hello__` family is CPython's own test data; its entries that
/// have no source file of their own, such as `__hello_only__` and the `__init__`
/// aliases, are left out).
pub const FROZEN: &[(&str, &str, bool)] = &[
    ("__hello__", "__hello__", false),
    ("__hello_alias__", "__hello__", false),
    ("__phello__", "__phello__", true),
    ("__phello__.ham", "__phello__.ham", true),
    ("__phello__.ham.eggs", "__phello__.ham.eggs", false),
    ("__phello__.spam", "__phello__.spam", false),
    ("_collections_abc", "_collections_abc", false),
    ("_frozen_importlib", "importlib._bootstrap", false),
    (
        "_frozen_importlib_external",
        "importlib._bootstrap_external",
        false,
    ),
    ("_sitebuiltins", "_sitebuiltins", false),
    ("abc", "abc", false),
    ("codecs", "codecs", false),
    ("genericpath", "genericpath", false),
    ("importlib.machinery", "importlib.machinery", false),
    ("importlib.util", "importlib.util", false),
    ("io", "io", false),
    ("ntpath", "ntpath", false),
    ("os", "os", false),
    ("os.path", "posixpath", false),
    ("posixpath", "posixpath", false),
    ("runpy", "runpy", false),
    ("site", "site", false),
    ("stat", "stat", false),
    ("zipimport", "zipimport", false),
];

/// The frozen module `name`: `(origname, is a package)`.
pub fn find(name: &str) -> Option<(&'static str, bool)> {
    FROZEN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, orig, pkg)| (orig, pkg))
}

/// The source file a frozen module was made from.
pub fn source_path(stdlib: &Path, origname: &str, package: bool) -> std::path::PathBuf {
    let mut p = stdlib.to_path_buf();
    for part in origname.split('.') {
        p.push(part);
    }
    if package {
        p.push("__init__.py");
        p
    } else {
        p.with_extension("py")
    }
}

/// The code of `source` from the `.pyc` CPython's installation wrote beside it
/// (`__pycache__/NAME.cpython-312.pyc`), with every `co_filename` set to `filename`, when
/// that file is current by CPython's own rule (`_validate_timestamp_pyc`: a timestamp
/// `.pyc` whose recorded mtime and size are the source's). CPython's frozen code is the same
/// compiler's output for the same source under the `<frozen …>` name, so this is what
/// compiling the source gives (`lib_vs_cpython` holds the compiler to that, file by file)
/// at a fraction of the cost, which every process pays at start-up for importlib.
/// `None` (then the source is compiled) when there is no such file or it is stale,
/// hash-based or unreadable, or holds a frozenset constant of strings or bytes: the order
/// of such items depends on the writing process's hash seed and what it had interned
/// before (`compile::interning`), and the compiler gives the order of a fresh process, as
/// CPython's freezing does.
pub fn from_pyc(source: &Path, filename: &str) -> Option<CodeObject> {
    let stem = source.file_stem()?.to_str()?;
    let pyc = source
        .parent()?
        .join("__pycache__")
        .join(format!("{stem}.cpython-312.pyc"));
    let data = std::fs::read(pyc).ok()?;
    let meta = std::fs::metadata(source).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    // _bootstrap_external's _pack_uint32: both fields are taken modulo 2**32.
    let current = data.get(..4)? == crate::marshal::MAGIC
        && word(4)? == 0
        && word(8)? == mtime as u32
        && word(12)? == meta.len() as u32;
    if !current {
        return None;
    }
    let code = crate::marshal::read_code(&data[16..], 16).ok()?;
    // Bytecode that does not verify is not run: the source is compiled instead.
    crate::verify::verify_module(&code).ok()?;
    if holds_frozenset(&code) {
        return None;
    }
    Some(code.with_filename(&Rc::from(filename)))
}

fn holds_frozenset(code: &CodeObject) -> bool {
    code.co_consts.iter().any(|c| match c {
        Constant::FrozenSet(items) => items.iter().any(hashed_randomly),
        Constant::Code(inner) => holds_frozenset(inner),
        _ => false,
    })
}

/// Whether the hash of a constant depends on the process's hash seed (str and bytes,
/// alone or in a tuple): only then can two processes order a frozenset differently.
fn hashed_randomly(c: &Constant) -> bool {
    match c {
        Constant::Str(_) | Constant::StrSurrogates(_) | Constant::Bytes(_) => true,
        Constant::Tuple(items) => items.iter().any(hashed_randomly),
        _ => false,
    }
}

thread_local! {
    /// Compiled code by the key [`cached`] is given.
    static CODE: RefCell<HashMap<String, Rc<CodeObject>>> = RefCell::new(HashMap::new());
}

/// The code cached under `key`, or `make`'s, cached now when it succeeds.
pub fn cached<E>(
    key: &str,
    make: impl FnOnce() -> Result<Rc<CodeObject>, E>,
) -> Result<Rc<CodeObject>, E> {
    if let Some(code) = CODE.with(|c| c.borrow().get(key).cloned()) {
        return Ok(code);
    }
    let code = make()?;
    CODE.with(|c| c.borrow_mut().insert(key.to_owned(), code.clone()));
    Ok(code)
}
