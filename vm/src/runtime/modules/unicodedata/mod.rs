//! `unicodedata` (CPython `Modules/unicodedata.c`): so far `east_asian_width`, which the
//! traceback module calls to measure lines with wide characters, and `unidata_version`.
//! Every other name CPython's module has is absent, so `reach` reports it unsupported.

mod east_asian_width;

use std::rc::Rc;

use super::super::argspec::{Spec, Style};
use super::super::dict::Dict;
use super::super::interp::Vm;
use super::super::object::{Args, NativeFn, Value};
use super::super::PyResult;
use east_asian_width::{EAST_ASIAN_WIDTH, UNIDATA_VERSION};

pub fn build(_vm: &Vm, d: &Rc<Dict>) {
    let doc = format!(
        "This module provides access to the Unicode Character Database which\n\
         defines character properties for all Unicode characters. The data in\n\
         this database is based on the UnicodeData.txt file version\n\
         {UNIDATA_VERSION} which is publicly available from ftp://ftp.unicode.org/.\n\n\
         The module uses the same names and symbols as defined by the\n\
         UnicodeData File Format {UNIDATA_VERSION}."
    );
    d.set_str("__doc__", Value::str(&doc));
    d.set_str("unidata_version", Value::str(UNIDATA_VERSION));
    super::add_functions(d, "unicodedata", FUNCTIONS);
}

const FUNCTIONS: &[(&str, NativeFn)] = &[("east_asian_width", east_asian_width)];

/// `east_asian_width(chr, /)`: the width class of one character (a lone surrogate is
/// its own code point, not the VM's stand-in for it).
fn east_asian_width(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [c] = Spec::method("unicodedata", "east_asian_width", Style::O, &["chr"], 1)
        .bind(vm, &args, 0)?;
    let c = c.unwrap_or_default();
    let mut chars = match c.builtin_value() {
        Value::Str(s) => s.chars().collect::<Vec<char>>(),
        _ => Vec::new(),
    };
    let (Some(ch), None) = (chars.pop(), chars.pop()) else {
        // `_PyArg_BadArgument`: None by name, anything else by its type's name.
        let n = if c.is_none() {
            "None".into()
        } else {
            vm.type_of(&c).name().to_string()
        };
        return Err(vm.type_error(format!(
            "east_asian_width() argument must be a unicode character, not {n}"
        )));
    };
    Ok(Value::str(width_class(ch)))
}

/// The East Asian width class of `ch` (`east_asian_width`), also what the traceback
/// printer measures caret columns with.
pub fn width_class(ch: char) -> &'static str {
    let cp = super::super::standins::code_point(ch);
    let i = EAST_ASIAN_WIDTH.partition_point(|&(_, end, _)| end < cp);
    EAST_ASIAN_WIDTH.get(i).map_or("N", |&(_, _, w)| w)
}
