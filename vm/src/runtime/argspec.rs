//! Declarative argument parsing for the natives, like CPython's Argument Clinic: a
//! [`Spec`] says how CPython 3.12 parses a function's arguments (its calling convention,
//! parameter names, which are positional-only, how many are required) and [`Spec::parse`]
//! binds a call's arguments to the parameters or raises the `TypeError` CPython raises,
//! word for word. The wording depends on the convention, so each [`Style`] keeps its own.

use super::interp::Vm;
use super::object::{Args, Value};
use super::PyResult;

/// CPython's calling convention for a native, which decides its argument errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `METH_NOARGS`: `str.upper() takes no arguments (1 given)`.
    NoArgs,
    /// `METH_O`: `list.append() takes exactly one argument (0 given)`.
    O,
    /// Positional-only parameters checked by `_PyArg_CheckPositional` or
    /// `PyArg_UnpackTuple` (Argument Clinic's `METH_FASTCALL`, `METH_VARARGS` types):
    /// `center expected at least 1 argument, got 0`.
    Positional,
    /// `METH_VARARGS` parsed by `PyArg_ParseTuple` (`"O|OO:find"`):
    /// `find() takes at least 1 argument (0 given)`.
    ParseTuple,
    /// Argument Clinic's `METH_FASTCALL | METH_KEYWORDS` (`_PyArg_UnpackKeywords`):
    /// `split() takes at most 2 arguments (3 given)`,
    /// `'foo' is an invalid keyword argument for split()`.
    Keywords,
    /// A slot wrapper (`__next__`, `__iter__`): `expected 0 arguments, got 1`.
    Wrapper,
    /// `METH_VARARGS` taking any number of positional arguments: only keywords are
    /// refused (`set.update() takes no keyword arguments`).
    VarArgs,
}

/// How one native takes its arguments (the receiver of a method is not a parameter).
#[derive(Clone, Copy, Debug)]
pub struct Spec<'a> {
    /// The name CPython reports (`split`).
    pub name: &'a str,
    /// For a method, its type (`str`): `str.split() takes no keyword arguments`.
    pub owner: Option<&'a str>,
    pub style: Style,
    /// Parameter names, in order.
    pub params: &'a [&'a str],
    /// How many leading parameters are positional-only ([`Style::Keywords`]; every
    /// parameter is for the other styles).
    pub posonly: usize,
    /// How many leading parameters can be passed by position (the rest are keyword-only).
    pub maxpos: usize,
    /// How many leading parameters are required.
    pub required: usize,
}

impl<'a> Spec<'a> {
    /// A method with positional-only parameters, `required` of them required.
    pub const fn method(
        owner: &'a str,
        name: &'a str,
        style: Style,
        params: &'a [&'a str],
        required: usize,
    ) -> Spec<'a> {
        Spec {
            name,
            owner: Some(owner),
            style,
            params,
            posonly: params.len(),
            maxpos: params.len(),
            required,
        }
    }

    /// A builtin function with positional-only parameters, `required` of them required.
    pub const fn function(
        name: &'a str,
        style: Style,
        params: &'a [&'a str],
        required: usize,
    ) -> Spec<'a> {
        Spec {
            name,
            owner: None,
            style,
            params,
            posonly: params.len(),
            maxpos: params.len(),
            required,
        }
    }

    /// Sets the positional-only count and the positional count ([`Style::Keywords`]).
    pub const fn keywords(mut self, posonly: usize, maxpos: usize) -> Spec<'a> {
        self.style = Style::Keywords;
        self.posonly = posonly;
        self.maxpos = maxpos;
        self
    }

    /// `str.split` for a method, `abs` for a function: how `takes no keyword arguments`
    /// names it.
    fn qualname(&self) -> String {
        match self.owner {
            Some(o) => format!("{o}.{}", self.name),
            None => self.name.to_owned(),
        }
    }

    /// Binds `args` (after the `skip` leading ones, the receiver) to the parameters:
    /// one entry per parameter, `None` where it was not given. Raises CPython's
    /// `TypeError` for a wrong count, an unknown, duplicate or positional-only keyword.
    pub fn parse(&self, vm: &Vm, args: &Args, skip: usize) -> PyResult<Vec<Option<Value>>> {
        let pos = args.pos.get(skip..).unwrap_or_default();
        let n = pos.len();
        let max = self.params.len();
        if self.style != Style::Keywords && !args.kw.is_empty() {
            let msg = match self.style {
                Style::Wrapper => format!("wrapper {}() takes no keyword arguments", self.name),
                _ => format!("{}() takes no keyword arguments", self.qualname()),
            };
            return Err(vm.type_error(msg));
        }
        let (min, s_max) = (self.required, plural(max));
        let count_error = match self.style {
            Style::NoArgs if n > 0 => Some(format!(
                "{}() takes no arguments ({n} given)",
                self.qualname()
            )),
            Style::O if n != 1 => Some(format!(
                "{}() takes exactly one argument ({n} given)",
                self.qualname()
            )),
            Style::Wrapper if n != max => Some(format!("expected {max} argument{s_max}, got {n}")),
            Style::Positional if n < min || n > max => Some(if min == max {
                format!(
                    "{} expected {min} argument{}, got {n}",
                    self.name,
                    plural(min)
                )
            } else if n < min {
                format!(
                    "{} expected at least {min} argument{}, got {n}",
                    self.name,
                    plural(min)
                )
            } else {
                format!(
                    "{} expected at most {max} argument{s_max}, got {n}",
                    self.name
                )
            }),
            Style::ParseTuple if n < min || n > max => {
                let (bound, k) = if min == max {
                    ("exactly", min)
                } else if n < min {
                    ("at least", min)
                } else {
                    ("at most", max)
                };
                Some(format!(
                    "{}() takes {bound} {k} argument{} ({n} given)",
                    self.name,
                    plural(k)
                ))
            }
            _ => None,
        };
        if let Some(msg) = count_error {
            return Err(vm.type_error(msg));
        }
        let mut out: Vec<Option<Value>> = pos.iter().cloned().map(Some).collect();
        if self.style == Style::VarArgs {
            return Ok(out);
        }
        out.resize(max, None);
        if self.style == Style::Keywords {
            self.bind_keywords(vm, args, n, &mut out)?;
        }
        Ok(out)
    }

    /// `_PyArg_UnpackKeywords`: counts, then keywords, then missing required arguments.
    fn bind_keywords(
        &self,
        vm: &Vm,
        args: &Args,
        n: usize,
        out: &mut [Option<Value>],
    ) -> PyResult<()> {
        let name = self.name;
        let max = self.params.len();
        let nkw = args.kw.len();
        if n + nkw > max {
            return Err(vm.type_error(format!(
                "{name}() takes at most {max} {}argument{} ({} given)",
                if n == 0 { "keyword " } else { "" },
                plural(max),
                n + nkw
            )));
        }
        if n > self.maxpos {
            return Err(vm.type_error(if self.maxpos == 0 {
                format!("{name}() takes no positional arguments")
            } else {
                format!(
                    "{name}() takes {} {} positional argument{} ({n} given)",
                    if self.required < self.maxpos {
                        "at most"
                    } else {
                        "exactly"
                    },
                    self.maxpos,
                    plural(self.maxpos)
                )
            }));
        }
        let min_posonly = self.required.min(self.posonly);
        if n < min_posonly {
            return Err(vm.type_error(format!(
                "{name}() takes {} {min_posonly} positional argument{} ({n} given)",
                if min_posonly < self.maxpos {
                    "at least"
                } else {
                    "exactly"
                },
                plural(min_posonly)
            )));
        }
        let mut used = 0;
        let first = n.max(self.posonly);
        for (i, (param, slot)) in self
            .params
            .iter()
            .zip(out.iter_mut())
            .enumerate()
            .skip(first)
        {
            let given = args.kw.iter().find(|(k, _)| &**k == *param);
            match given {
                Some((_, v)) => {
                    *slot = Some(v.clone());
                    used += 1;
                }
                None if i < self.required => {
                    return Err(vm.type_error(format!(
                        "{name}() missing required argument '{param}' (pos {})",
                        i + 1
                    )));
                }
                None => {}
            }
        }
        if used < nkw {
            for (i, p) in self.params.iter().enumerate().take(n).skip(self.posonly) {
                if args.kw.iter().any(|(k, _)| &**k == *p) {
                    return Err(vm.type_error(format!(
                        "argument for {name}() given by name ('{p}') and position ({})",
                        i + 1
                    )));
                }
            }
            let known = |k: &str| self.params[self.posonly..].contains(&k);
            if let Some((k, _)) = args.kw.iter().find(|(k, _)| !known(k)) {
                return Err(
                    vm.type_error(format!("'{k}' is an invalid keyword argument for {name}()"))
                );
            }
        }
        Ok(())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl<'a> Spec<'a> {
    /// [`Spec::parse`] into an array of the spec's `N` parameters.
    pub fn bind<const N: usize>(
        &self,
        vm: &Vm,
        args: &Args,
        skip: usize,
    ) -> PyResult<[Option<Value>; N]> {
        let bound = self.parse(vm, args, skip)?;
        bound.try_into().map_err(|_| {
            vm.bug(format!(
                "{}: the spec does not have {N} parameters",
                self.qualname()
            ))
        })
    }
}

/// An argument CPython converts with `__index__` (`Py_ssize_t` parameters): an int
/// beyond 64 bits is an OverflowError (`PyLong_AsSsize_t`).
pub fn index(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    match vm.number_index(v)? {
        Value::Int(i) => Ok(i),
        _ => Err(vm.err("OverflowError", super::int::TOO_LARGE_SSIZE_T)),
    }
}

/// A `start`/`end` argument of `str.find` and friends (`_PyEval_SliceIndex`): `None`
/// when absent or `None`.
pub fn slice_index(vm: &mut Vm, v: Option<&Value>) -> PyResult<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => match vm.try_index(v)? {
            Some(i) => Ok(super::int::clamped_index(&i)),
            None => Err(
                vm.type_error("slice indices must be integers or None or have an __index__ method")
            ),
        },
    }
}

/// CPython's `ADJUST_INDICES`: `start`/`end` against a length; `start` may end up past
/// `end` or `len`.
pub fn adjust_indices(start: Option<i64>, end: Option<i64>, len: usize) -> (usize, usize) {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let fix = |v: i64| -> usize {
        let v = if v < 0 {
            (v.saturating_add(n)).max(0)
        } else {
            v
        };
        usize::try_from(v).unwrap_or(usize::MAX)
    };
    let end = fix(end.unwrap_or(n)).min(len);
    (fix(start.unwrap_or(0)), end)
}

/// Checks that a method taking no arguments (CPython's `METH_NOARGS`) was given none; the
/// receiver is `args.pos[0]`.
pub fn no_args(vm: &Vm, args: &Args, owner: &str, name: &str) -> PyResult<()> {
    Spec::method(owner, name, Style::NoArgs, &[], 0)
        .parse(vm, args, 1)
        .map(|_| ())
}

/// The value of a required parameter ([`Spec::parse`] has checked it was given).
pub fn required(v: Option<Value>) -> Value {
    v.unwrap_or(Value::None)
}
