//! The program's directory (`RunOptions::modules`, spec/INTERPRETING.md §1–2): `main.py`
//! and the case's other module files, held in memory under [`PROGRAM_DIR`], which is
//! `sys.path[0]` as the script's directory is for `python main.py`, and the working
//! directory (relative paths are looked up in it).
//!
//! The sandbox reads nothing but the standard library from the host; this directory is
//! an overlay the file system functions consult first (`posix.stat`, `posix.listdir`,
//! `_io.open`), so importlib's own path finder (FileFinder, SourceFileLoader) finds and
//! reads the files as CPython's does, and their frames, tracebacks, `__file__` and
//! `__spec__` come out as CPython's do.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Where the program's directory appears to be. The harness shortens every path ending
/// in one of the program's files to the file's relative path (INTERPRETING.md §4), so the
/// directory itself never shows in an expectation.
pub const PROGRAM_DIR: &str = "/framespec/program";

/// The files of the program's directory, by path relative to it.
#[derive(Debug)]
pub struct ProgramDir {
    files: BTreeMap<String, Rc<[u8]>>,
    /// The case's module paths (`main.py` is not one), for [`ProgramDir::module_path`].
    modules: Vec<String>,
}

/// What a path names inside the program's directory.
pub enum Entry {
    File(Rc<[u8]>),
    /// A directory, with the names directly inside it.
    Dir(Vec<String>),
    /// A path through a file (`helper.py/x`): ENOTDIR.
    NotDir,
    Missing,
}

impl ProgramDir {
    /// The directory of a run with `modules` beside `main` (named `main_name`), or `None`
    /// for a run without modules (whose `sys.path` has no program directory, as before
    /// INTERPRETING.md 0.4.0).
    pub fn new(
        main_name: &str,
        main_source: Option<&str>,
        modules: &BTreeMap<String, String>,
    ) -> Option<Rc<ProgramDir>> {
        if modules.is_empty() {
            return None;
        }
        let mut files: BTreeMap<String, Rc<[u8]>> = modules
            .iter()
            .map(|(path, source)| (path.clone(), Rc::from(source.as_bytes())))
            .collect();
        if let Some(source) = main_source {
            if !main_name.contains('/') {
                files.insert(main_name.to_owned(), Rc::from(source.as_bytes()));
            }
        }
        Some(Rc::new(ProgramDir {
            files,
            modules: modules.keys().cloned().collect(),
        }))
    }

    /// What the absolute, normalised `path` is in the directory; `None` when it is outside.
    /// The directories that lead to it (`/framespec`) are directories too, so
    /// `os.path.realpath` can walk them; `/` itself is the host's.
    pub fn lookup(&self, path: &Path) -> Option<Entry> {
        let Ok(rel) = path.strip_prefix(PROGRAM_DIR) else {
            let dir = Path::new(PROGRAM_DIR);
            let below = dir.ancestors().find(|a| a.parent() == Some(path))?;
            let name = below.file_name()?.to_string_lossy().into_owned();
            return (path.parent().is_some()).then_some(Entry::Dir(vec![name]));
        };
        let rel = rel.to_str()?;
        if let Some(data) = self.files.get(rel) {
            return Some(Entry::File(data.clone()));
        }
        let mut at = String::new();
        for part in rel.split('/') {
            at.push_str(part);
            if self.files.contains_key(&at) && at.len() < rel.len() {
                return Some(Entry::NotDir);
            }
            at.push('/');
        }
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let mut names: Vec<String> = Vec::new();
        for file in self.files.keys() {
            if let Some(rest) = file.strip_prefix(&prefix) {
                names.push(rest.split('/').next().unwrap_or(rest).to_owned());
            }
        }
        names.sort();
        names.dedup();
        Some(if names.is_empty() {
            Entry::Missing
        } else {
            Entry::Dir(names)
        })
    }

    /// The relative path of the case module whose `co_filename` is `filename`
    /// (`/framespec/program/pkg/sub.py` → `pkg/sub.py`), as the channels name it.
    pub fn module_path<'a>(&'a self, filename: &str) -> Option<&'a str> {
        let rel = filename.strip_prefix(PROGRAM_DIR)?.strip_prefix('/')?;
        self.modules
            .iter()
            .find(|m| m.as_str() == rel)
            .map(String::as_str)
    }

    /// The source lines of the file `filename` (an absolute path), for tracebacks.
    pub fn lines(&self, filename: &str) -> Option<Vec<String>> {
        match self.lookup(&normal(Path::new(filename)))? {
            Entry::File(data) => Some(
                String::from_utf8_lossy(&data)
                    .lines()
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// `p` with `.` dropped and `..` taken back by name, as the sandbox resolves paths.
pub fn normal(p: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> Rc<ProgramDir> {
        let mut modules = BTreeMap::new();
        modules.insert("helper.py".to_owned(), "X = 1\n".to_owned());
        modules.insert("pkg/__init__.py".to_owned(), String::new());
        modules.insert("pkg/sub/deep.py".to_owned(), "Y = 2\n".to_owned());
        ProgramDir::new("main.py", Some("import helper\n"), &modules).expect("modules")
    }

    #[test]
    fn files_and_directories_are_found() {
        let d = dir();
        let names = |p: &str| match d.lookup(Path::new(p)) {
            Some(Entry::Dir(n)) => n.join(","),
            Some(Entry::File(f)) => String::from_utf8_lossy(&f).into_owned(),
            Some(Entry::Missing) => "missing".into(),
            Some(Entry::NotDir) => "not a directory".into(),
            None => "outside".into(),
        };
        assert_eq!(names("/framespec/program"), "helper.py,main.py,pkg");
        assert_eq!(names("/framespec/program/pkg"), "__init__.py,sub");
        assert_eq!(names("/framespec/program/helper.py"), "X = 1\n");
        assert_eq!(names("/framespec/program/nope.py"), "missing");
        assert_eq!(names("/usr/lib"), "outside");
        assert_eq!(names("/"), "outside");
        assert_eq!(names("/framespec"), "program");
        assert!(matches!(
            d.lookup(Path::new("/framespec/program/helper.py/x")),
            Some(Entry::NotDir)
        ));
        assert_eq!(
            d.module_path("/framespec/program/pkg/sub/deep.py"),
            Some("pkg/sub/deep.py")
        );
        assert_eq!(d.module_path("/framespec/program/main.py"), None);
    }
}
