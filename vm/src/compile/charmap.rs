//! Source files in an 8-bit encoding whose codec CPython 3.12 implements in Python as a
//! character map (`Lib/encodings/koi8_r.py`, `cp1252.py`, … made by `gencodec.py`): the
//! codec module's `decoding_table`, read in place from CPython's `Lib/` (never copied), maps
//! each byte to its character, as `codecs.charmap_decode`, a C function, does with it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ruff_python_ast::{Expr, Stmt};

thread_local! {
    /// Tables already read, by codec module file.
    static TABLES: RefCell<HashMap<PathBuf, Rc<Vec<char>>>> = RefCell::new(HashMap::new());
}

/// The text of `body` in the encoding of `encodings.<module>` under `stdlib`, or why
/// framespec cannot decode it (the codec is no character map, or a byte maps to nothing).
pub fn decode(stdlib: &Path, module: &str, body: &[u8]) -> Result<String, String> {
    let table = table(&stdlib.join("encodings").join(format!("{module}.py")))?;
    body.iter()
        .enumerate()
        .map(|(i, &b)| match table.get(usize::from(b)) {
            // U+FFFE marks a byte the map leaves undefined (charmap_decode's error).
            Some(&c) if c != '\u{fffe}' => Ok(c),
            _ => Err(format!(
                "byte 0x{b:02x} at {i} has no character in {module}"
            )),
        })
        .collect()
}

fn table(file: &Path) -> Result<Rc<Vec<char>>, String> {
    if let Some(t) = TABLES.with(|t| t.borrow().get(file).cloned()) {
        return Ok(t);
    }
    let source = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    // The codec must decode with the table (`Codec.decode` of gencodec's modules).
    if !source.contains("codecs.charmap_decode(input,errors,decoding_table)") {
        return Err(format!("{} is not a character map codec", file.display()));
    }
    let parsed = ruff_python_parser::parse_module(&source)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let table = parsed.syntax().body.iter().find_map(|s| match s {
        Stmt::Assign(a) => match (a.targets.as_slice(), a.value.as_ref()) {
            ([Expr::Name(n)], Expr::StringLiteral(s)) if n.id.as_str() == "decoding_table" => {
                Some(s.value.to_str().chars().collect::<Vec<char>>())
            }
            _ => None,
        },
        _ => None,
    });
    let table = Rc::new(table.ok_or_else(|| format!("{} has no decoding_table", file.display()))?);
    TABLES.with(|t| t.borrow_mut().insert(file.to_path_buf(), table.clone()));
    Ok(table)
}
