//! `time` (CPython `Modules/timemodule.c`): present so that the modules importing it
//! (zipimport) load; the clocks and calendar functions, whose answers depend on when a
//! program runs, are not provided (`reach` reports them unsupported).

use std::rc::Rc;

use super::super::dict::Dict;
use super::super::interp::Vm;

pub fn build(_vm: &Vm, _d: &Rc<Dict>) {}
