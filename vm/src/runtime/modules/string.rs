//! `_string` (CPython `Objects/unicodeobject.c`'s `_string` module): `string.py` imports
//! it for `Formatter`. Its two functions, `formatter_parser` and
//! `formatter_field_name_split`, are not provided yet (`reach` reports them unsupported);
//! the module exists so that `import string` works.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;

pub fn build(_vm: &Vm, _d: &Rc<Dict>) {}
