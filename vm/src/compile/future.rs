//! `from __future__ import …` (CPython 3.12's `Python/future.c`): the features a module
//! turns on, read from the future statements that open it (after an optional docstring).
//! Only two still change compilation: `annotations` (PEP 563) and `barry_as_FLUFL`; the
//! others are accepted and mean nothing. Each sets a `co_flags` bit on every code object.

use ruff_python_ast::{self as ast, Stmt};

use super::codegen::docstring;
use super::{syntax_error, CompileError, LineIndex};

/// `CO_FUTURE_BARRY_AS_BDFL`.
pub const CO_FUTURE_BARRY_AS_BDFL: u32 = 0x40_0000;
/// `CO_FUTURE_ANNOTATIONS`.
pub const CO_FUTURE_ANNOTATIONS: u32 = 0x100_0000;

/// `PyFutureFeatures`.
#[derive(Clone, Copy, Debug)]
pub struct Features {
    /// The `CO_FUTURE_*` bits.
    pub flags: u32,
    /// Where the last future statement of the module's opening is (`ff_location`): a
    /// future statement after it is an error (`compiler_from_import`).
    pub location: super::Loc,
}

impl Features {
    pub fn annotations(&self) -> bool {
        self.flags & CO_FUTURE_ANNOTATIONS != 0
    }
}

/// `future_parse`: the future statements before any other statement.
pub fn parse(module: &ast::ModModule, lines: &LineIndex) -> Result<Features, CompileError> {
    let mut ff = Features {
        flags: 0,
        location: super::Loc::NONE,
    };
    let skip = usize::from(module.body.first().and_then(docstring).is_some());
    // `future_parse` stops at the first other statement; a future import after it is
    // compile.c's error (`compiler_from_import`), after the symbol table's.
    for s in module.body.iter().skip(skip) {
        let Stmt::ImportFrom(i) = s else {
            break;
        };
        // The module's name alone counts, whatever the level.
        let is_future = i
            .module
            .as_ref()
            .is_some_and(|m| m.id.as_str() == "__future__");
        if !is_future {
            break;
        }
        for alias in &i.names {
            // future_check_features: errors point at the statement's start only
            // (`PyErr_SyntaxLocationObject`).
            let start = lines.of(s);
            let loc = super::Loc {
                end_line: start.line,
                end_col: start.col,
                ..start
            };
            match alias.name.id.as_str() {
                "nested_scopes" | "generators" | "division" | "absolute_import"
                | "with_statement" | "print_function" | "unicode_literals" | "generator_stop" => {}
                "barry_as_FLUFL" => ff.flags |= CO_FUTURE_BARRY_AS_BDFL,
                "annotations" => ff.flags |= CO_FUTURE_ANNOTATIONS,
                "braces" => return Err(start_only(syntax_error("not a chance", loc))),
                other => {
                    return Err(start_only(syntax_error(
                        &format!("future feature {other} is not defined"),
                        loc,
                    )))
                }
            }
        }
        ff.location = lines.of(s);
    }
    Ok(ff)
}

/// An error located by its start only: CPython's end offset is None.
fn start_only(mut e: CompileError) -> CompileError {
    e.end_column = None;
    e
}
