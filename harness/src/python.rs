//! Finding CPython interpreters: `--python`, `$FRAMESPEC_PYTHON`, pyenv, then `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The CPython version whose behaviour the cases record.
pub const REFERENCE_VERSION: &str = "3.12";

/// Locates `python{version}`: `$FRAMESPEC_PYTHON` when it is that version, then the newest
/// `$(pyenv root)/versions/{version}.*/bin/python{version}`, then `python{version}` on `PATH`.
pub fn find(version: &str) -> Option<PathBuf> {
    locate(version).ok()
}

/// Like [`find`], with the reason when there is no such interpreter. A `$FRAMESPEC_PYTHON`
/// that is another version lets the search go on; one that does not run at all is the
/// answer for every version (so `FRAMESPEC_PYTHON=/nonexistent` hides every CPython).
pub fn locate(version: &str) -> Result<PathBuf, String> {
    if let Some(explicit) = std::env::var_os("FRAMESPEC_PYTHON") {
        let path = PathBuf::from(explicit);
        match probe_version(&path) {
            Ok(found) if found == version => return Ok(path),
            Ok(_) => {}
            Err(why) => return Err(format!("$FRAMESPEC_PYTHON is not usable: {why}")),
        }
    }
    if let Some(root) = pyenv_root() {
        let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root.join("versions"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rest = name.strip_prefix(version)?.strip_prefix('.')?;
                let patch: Vec<u32> = rest
                    .split('.')
                    .map(|p| p.parse().ok())
                    .collect::<Option<_>>()?;
                let exe = entry.path().join("bin").join(format!("python{version}"));
                exe.is_file().then_some((patch, exe))
            })
            .collect();
        found.sort();
        if let Some((_, exe)) = found.pop() {
            return Ok(exe);
        }
    }
    let name = format!("python{version}");
    std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(&name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{name} not found via $FRAMESPEC_PYTHON, pyenv or PATH"))
}

/// CPython 3.12's `Lib/` directory, which the reference VM reads in place (today: the
/// character-map codecs of source encodings): `$FRAMESPEC_STDLIB`, else the
/// `lib/python3.12` beside the python3.12 [`find`] locates, when it holds `encodings/`.
pub fn stdlib() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FRAMESPEC_STDLIB") {
        return Some(PathBuf::from(dir));
    }
    let python = find(REFERENCE_VERSION)?;
    let prefix = python.parent()?.parent()?;
    let lib = prefix
        .join("lib")
        .join(format!("python{REFERENCE_VERSION}"));
    lib.join("encodings")
        .join("__init__.py")
        .is_file()
        .then_some(lib)
}

fn pyenv_root() -> Option<PathBuf> {
    if let Some(root) = std::env::var_os("PYENV_ROOT") {
        return Some(PathBuf::from(root));
    }
    let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv"));
    if let Some(home) = home.filter(|h| h.is_dir()) {
        return Some(home);
    }
    let out = Command::new("pyenv").arg("root").output().ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Asks an interpreter for its `major.minor` version.
pub fn probe_version(python: &Path) -> Result<String, String> {
    let out = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!("{} exited with {}", python.display(), out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Other Python implementations the tests and `framespec matrix` look for: a label, the
/// command names to search on `PATH` (and in `~/.cargo/bin`, where `cargo install` puts
/// RustPython), and how to install it.
pub const OTHER_IMPLEMENTATIONS: &[(&str, &[&str], &str)] = &[
    ("pypy", &["pypy3"], "apt-get install -y pypy3"),
    (
        "rustpython",
        &["rustpython"],
        "cargo +nightly install rustpython --locked",
    ),
];

/// The interpreter for `label` of [`OTHER_IMPLEMENTATIONS`], or why there is none.
pub fn locate_other(label: &str) -> Result<PathBuf, String> {
    let Some((_, names, install)) = OTHER_IMPLEMENTATIONS.iter().find(|(l, _, _)| *l == label)
    else {
        return Err(format!("unknown implementation {label}"));
    };
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        dirs.push(Path::new(&home).join("bin"));
    }
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "{} not found on PATH (install: {install})",
                names.join(" or ")
            )
        })
}

/// Asks an interpreter who it is, as the adapter's handshake will say it: the
/// `sys.implementation.name` and the language version, `("pypy", "3.9")`.
pub fn probe_identity(python: &Path) -> Result<(String, String), String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys; print(sys.implementation.name, '%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!("{} exited with {}", python.display(), out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().collect::<Vec<_>>().as_slice() {
        [name, version] => Ok(((*name).to_owned(), (*version).to_owned())),
        _ => Err(format!("{} answered {text:?}", python.display())),
    }
}
