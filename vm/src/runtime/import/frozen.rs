//! CPython 3.12's frozen modules (`Python/frozen.c`): the standard-library modules its
//! build compiles in, which `FrozenImporter` loads. The VM compiles each from its source
//! in the standard library, under the name CPython's frozen code objects carry
//! (`<frozen os>`), and keeps the code for the life of the thread, so every run after
//! the first gets it at no cost.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use crate::code::CodeObject;

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
