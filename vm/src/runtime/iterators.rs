//! The built-in iterators' `__length_hint__` (listobject.c's `listiter_len` and
//! `listreviter_len`, tupleobject.c's `tupleiter_len`, unicodeobject.c's
//! `unicodeiter_len`, bytesobject.c's `striter_len`): the items left, 0 once exhausted.

use super::argspec;
use super::interp::Vm;
use super::object::{Args, IterState, NativeFn, Value};
use super::PyResult;

pub const METHODS: &[(&str, &str, NativeFn)] = &[
    ("list_iterator", "__length_hint__", length_hint),
    ("list_reverseiterator", "__length_hint__", length_hint),
    ("tuple_iterator", "__length_hint__", length_hint),
    ("str_iterator", "__length_hint__", length_hint),
    ("str_ascii_iterator", "__length_hint__", length_hint),
    ("bytes_iterator", "__length_hint__", length_hint),
];

fn length_hint(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let Some(Value::Iter(it)) = args.pos.first() else {
        return Err(vm.bug("an iterator's __length_hint__ without one"));
    };
    let owner = super::protocol::iter_type_name(&it.state.borrow());
    argspec::no_args(vm, &args, owner, "__length_hint__")?;
    let left = match &*it.state.borrow() {
        IterState::List {
            list,
            index,
            reversed: false,
        } => list.items.borrow().len().saturating_sub(*index),
        IterState::List {
            list,
            index,
            reversed: true,
        } => {
            if *index <= list.items.borrow().len() {
                *index
            } else {
                0
            }
        }
        IterState::Tuple { items, index } => items.len().saturating_sub(*index),
        IterState::Keys { items, index, .. } => items.len().saturating_sub(*index),
        IterState::Str { chars, index, .. } => chars.len().saturating_sub(*index),
        IterState::Done(_) => 0,
        _ => return Err(vm.unsupported(format!("{owner}.__length_hint__"))),
    };
    Ok(Value::Int(left as i64))
}
