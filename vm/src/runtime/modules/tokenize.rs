//! `_tokenize` (CPython `Python/Python-tokenize.c`): `tokenize.py` imports it at load time
//! and uses its `TokenizerIter` (the C tokenizer) only when it tokenizes, which the VM
//! does not provide yet (`reach` reports it unsupported); the module exists so that
//! `import tokenize` works.

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;

pub fn build(_vm: &Vm, _d: &Rc<Dict>) {}
