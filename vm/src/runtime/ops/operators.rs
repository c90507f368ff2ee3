//! Unary, binary and comparison operators; the arithmetic itself is in `numbers`.

use super::super::eval::Step;
use super::super::interp::Vm;
use super::super::object::Value;
use super::super::PyResult;
use crate::arith::UnaryOp;
use crate::oparg::{BinaryOp, CompareOp};

/// UNARY_NEGATIVE / UNARY_INVERT `(value -- res)`
pub fn unary(vm: &mut Vm, op: UnaryOp) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let r = vm.unary(op, &v)?;
    vm.top()?.push(r);
    Ok(Step::Continue)
}

/// UNARY_NOT `(value -- res)`
pub fn unary_not(vm: &mut Vm) -> PyResult<Step> {
    let v = vm.top()?.pop()?;
    let t = vm.truthy(&v)?;
    vm.top()?.push(Value::Bool(!t));
    Ok(Step::Continue)
}

/// BINARY_OP `(lhs, rhs -- res)`: the operator [`BinaryOp::from_oparg`] names
/// (CPython `_PyEval_BinaryOps`), in-place from `NB_INPLACE_ADD` on.
pub fn binary_op(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let rhs = f.pop()?;
    let lhs = f.pop()?;
    let Some((op, inplace)) = BinaryOp::from_oparg(arg) else {
        return Err(vm.bug(format!("BINARY_OP oparg {arg}")));
    };
    let r = vm.binary(op, &lhs, &rhs, inplace)?;
    vm.top()?.push(r);
    Ok(Step::Continue)
}

/// COMPARE_OP `(left, right -- res)`: `cmp_op[oparg >> 4]` ([`CompareOp::from_oparg`]).
pub fn compare_op(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let right = f.pop()?;
    let left = f.pop()?;
    let Some(op) = CompareOp::from_oparg(arg) else {
        return Err(vm.bug(format!("COMPARE_OP oparg {arg}")));
    };
    let r = vm.compare(op, &left, &right)?;
    vm.top()?.push(r);
    Ok(Step::Continue)
}

/// IS_OP `(left, right -- b)`: oparg 1 is `is not`.
pub fn is_op(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let right = f.pop()?;
    let left = f.pop()?;
    f.push(Value::Bool(left.is(&right) != (arg == 1)));
    Ok(Step::Continue)
}

/// CONTAINS_OP `(left, right -- b)`: oparg 1 is `not in`.
pub fn contains_op(vm: &mut Vm, arg: u32) -> PyResult<Step> {
    let f = vm.top()?;
    let right = f.pop()?;
    let left = f.pop()?;
    let r = vm.contains(&right, &left)?;
    vm.top()?.push(Value::Bool(r != (arg == 1)));
    Ok(Step::Continue)
}
