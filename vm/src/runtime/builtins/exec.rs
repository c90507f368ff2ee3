//! `compile()`, `exec()` and `eval()` (bltinmodule.c): code from text at run time. The
//! code runs in a frame of its own whose `f_back` is the caller (the builtins push none,
//! being C functions in CPython), with the globals and locals given or the caller's.
//! spec: namespaces.exec

use std::rc::Rc;

use super::super::argspec::{required, Spec, Style};
use super::super::dict::Dict;
use super::super::eval;
use super::super::frame::Frame;
use super::super::interp::Vm;
use super::super::object::{Args, Value};
use super::super::{PyResult, Throw};
use crate::code::{flags, CodeObject};
use crate::compile::{Mode, FUTURE_FLAGS};

/// `PyCF_ONLY_AST`, `PyCF_TYPE_COMMENTS`, `PyCF_ALLOW_TOP_LEVEL_AWAIT`,
/// `PyCF_DONT_IMPLY_DEDENT`, `PyCF_ALLOW_INCOMPLETE_INPUT` (`PyCF_COMPILE_MASK`).
const COMPILE_FLAGS: u32 = 0x0400 | 0x1000 | 0x2000 | 0x0200 | 0x4000;
/// `CO_NESTED`, accepted and ignored (`PyCF_MASK_OBSOLETE`).
const OBSOLETE_FLAGS: u32 = flags::CO_NESTED;
use super::super::modules::ast::PYCF_ONLY_AST;

/// `compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, *,
/// _feature_version=-1)`.
pub fn compile(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &[
        "source",
        "filename",
        "mode",
        "flags",
        "dont_inherit",
        "optimize",
        "_feature_version",
    ];
    let [source, filename, mode, cflags, dont_inherit, optimize, feature] =
        Spec::function("compile", Style::Keywords, params, 3)
            .keywords(0, 6)
            .bind::<7>(vm, &args, 0)?;
    let filename = filename_arg(vm, &required(filename))?;
    let mode = match required(mode) {
        Value::Str(m) => m,
        other => {
            let n = vm.type_of(&other).name().clone();
            return Err(vm.type_error(format!("compile() argument 'mode' must be str, not {n}")));
        }
    };
    let cflags = match cflags {
        Some(v) => vm.c_int(&v)?,
        None => 0,
    };
    let dont_inherit = match dont_inherit {
        Some(v) => vm.c_int(&v)? != 0,
        None => false,
    };
    let optimize = match optimize {
        Some(v) => vm.c_int(&v)?,
        None => -1,
    };
    // ast.parse passes -1 for the current grammar; an older one changes what parses.
    if let Some(f) = feature {
        let minor = vm.c_int(&f)?;
        if minor != -1 && minor < 12 {
            return Err(vm.unsupported("compile()'s _feature_version for an older grammar"));
        }
    }
    let cflags = cflags as u32;
    if cflags & !(FUTURE_FLAGS | OBSOLETE_FLAGS | COMPILE_FLAGS) != 0 {
        return Err(vm.value_error("compile(): unrecognised flags"));
    }
    if !(-1..=2).contains(&optimize) {
        return Err(vm.value_error("compile(): invalid optimize value"));
    }
    let mode = match &*mode {
        "exec" => Mode::Exec,
        "eval" => Mode::Eval,
        "single" => Mode::Single,
        "func_type" if cflags & 0x0400 == 0 => {
            return Err(vm.value_error("compile() mode 'func_type' requires flag PyCF_ONLY_AST"))
        }
        "func_type" => return Err(vm.unsupported("compile(..., 'func_type') (ASTs)")),
        _ => {
            return Err(vm.value_error("compile() mode must be 'exec', 'eval' or 'single'"));
        }
    };
    let only_ast = cflags & PYCF_ONLY_AST != 0;
    if cflags & COMPILE_FLAGS & !PYCF_ONLY_AST != 0 {
        return Err(vm.unsupported(
            "compile() flags other than __future__ features and PyCF_ONLY_AST (type comments, \
             top-level await, …)",
        ));
    }
    let source = required(source);
    if vm.type_of(&source).is_subtype(&vm.ty("AST")) {
        // `compile(tree, …, PyCF_ONLY_AST)` returns the tree itself.
        if only_ast {
            return Ok(source);
        }
        return Err(vm.unsupported("compile() of an AST object to code"));
    }
    if only_ast {
        let text = source_text(vm, &source, "compile", "string, bytes or AST object")?;
        let future = cflags | if dont_inherit { 0 } else { inherited(vm)? };
        return super::super::modules::ast::convert::tree(vm, &text, &filename, mode, future);
    }
    if optimize > 0 {
        return Err(vm.unsupported("compile() with optimize 1 or 2"));
    }
    let source = source_text(vm, &source, "compile", "string, bytes or AST object")?;
    let future = cflags | if dont_inherit { 0 } else { inherited(vm)? };
    let code = compile_text(vm, &source, &filename, mode, future)?;
    Ok(Value::Code(code))
}

/// `exec(source, globals=None, locals=None, /, *, closure=None)`.
pub fn exec(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let params = &["source", "globals", "locals", "closure"];
    let [source, globals, locals, closure] = Spec::function("exec", Style::Keywords, params, 1)
        .keywords(3, 3)
        .bind::<4>(vm, &args, 0)?;
    if closure.is_some_and(|c| !c.is_none()) {
        return Err(vm.unsupported("exec()'s closure"));
    }
    let (globals, locals) = namespaces(vm, globals, locals, "exec")?;
    let code = match required(source) {
        Value::Code(code) => code,
        other => {
            let text = source_text(vm, &other, "exec", "string, bytes or code object")?;
            let future = inherited(vm)?;
            compile_text(vm, &text, "<string>", Mode::Exec, future)?
        }
    };
    if has_free_vars(&code) {
        return Err(vm.type_error("code object passed to exec() may not contain free variables"));
    }
    run(vm, code, globals, locals)?;
    Ok(Value::None)
}

/// `eval(source, globals=None, locals=None, /)`.
pub fn eval(vm: &mut Vm, args: Args) -> PyResult<Value> {
    let [source, globals, locals] = Spec::function(
        "eval",
        Style::Positional,
        &["source", "globals", "locals"],
        1,
    )
    .bind::<3>(vm, &args, 0)?;
    // `builtin_eval_impl` checks the locals first.
    if let Some(l) = &locals {
        if !l.is_none() && !vm.is_mapping(l) {
            return Err(vm.type_error("locals must be a mapping"));
        }
    }
    if let Some(g) = &globals {
        if !matches!(g, Value::Dict(_) | Value::None) {
            let msg = if vm.is_mapping(g) {
                "globals must be a real dict; try eval(expr, {}, mapping)"
            } else {
                "globals must be a dict"
            };
            return Err(vm.type_error(msg));
        }
    }
    let (globals, locals) = namespaces(vm, globals, locals, "eval")?;
    let code = match required(source) {
        Value::Code(code) => code,
        other => {
            let text = source_text(vm, &other, "eval", "string, bytes or code object")?;
            // `builtin_eval_impl` skips leading spaces and tabs of a string.
            let text = text.trim_start_matches([' ', '\t']).to_owned();
            let future = inherited(vm)?;
            compile_text(vm, &text, "<string>", Mode::Eval, future)?
        }
    };
    if has_free_vars(&code) {
        return Err(vm.type_error("code object passed to eval() may not contain free variables"));
    }
    run(vm, code, globals, locals)
}

/// The globals and locals a call of exec or eval names, or the caller's: the locals
/// default to the globals given, else to the caller's (`PyEval_GetLocals`, for a function
/// the snapshot `locals()` returns). `__builtins__` is added to globals without it.
fn namespaces(
    vm: &mut Vm,
    globals: Option<Value>,
    locals: Option<Value>,
    who: &str,
) -> PyResult<(Rc<Dict>, Rc<Dict>)> {
    let globals = globals.filter(|g| !g.is_none());
    let locals = locals.filter(|l| !l.is_none());
    let (globals, locals) = match (globals, locals) {
        (None, locals) => {
            let f = vm.top()?;
            let g = Value::Dict(f.globals.clone());
            let l = match locals {
                Some(l) => l,
                None => Value::Dict(f.fast_to_locals()),
            };
            (g, l)
        }
        (Some(g), None) => (g.clone(), g),
        (Some(g), Some(l)) => (g, l),
    };
    let Value::Dict(globals) = globals else {
        let n = vm.type_of(&globals).name().clone();
        return Err(vm.type_error(format!("{who}() globals must be a dict, not {n}")));
    };
    let locals = match locals {
        Value::Dict(d) => d,
        other if vm.is_mapping(&other) => {
            return Err(vm.unsupported(format!("{who}() with locals that are not a dict")))
        }
        other => {
            let n = vm.type_of(&other).name().clone();
            return Err(vm.type_error(format!("locals must be a mapping or None, not {n}")));
        }
    };
    if globals.get_str("__builtins__").is_none() {
        let builtins = vm.top()?.builtins.clone();
        globals.set_str("__builtins__", Value::Dict(builtins));
    }
    Ok((globals, locals))
}

/// Runs `code` in a new frame (`PyEval_EvalCode`): its builtins are the globals'
/// `__builtins__` (a module's dict, or the dict itself).
fn run(vm: &mut Vm, code: Rc<CodeObject>, globals: Rc<Dict>, locals: Rc<Dict>) -> PyResult<Value> {
    let unsupported = flags::CO_OPTIMIZED
        | flags::CO_NEWLOCALS
        | flags::CO_GENERATOR
        | flags::CO_COROUTINE
        | flags::CO_ASYNC_GENERATOR;
    if code.co_flags & unsupported != 0 {
        return Err(vm.unsupported("exec() or eval() of a function's code object"));
    }
    let builtins = match globals.get_str("__builtins__") {
        Some(Value::Dict(d)) => d,
        Some(Value::Module(m)) => m.dict.clone(),
        None => vm.builtins.clone(),
        Some(_) => return Err(vm.unsupported("__builtins__ that is not a dict or a module")),
    };
    let info = vm.code_info(&code);
    let serial = vm.serial();
    let mut frame = Frame::new(info, globals.clone(), builtins, serial);
    frame.locals = Some(locals.clone());
    let result = eval::run_entry_frame(vm, frame)?;
    if Rc::ptr_eq(&globals, &locals) {
        register_main_source(vm, &code, &globals)?;
    }
    Ok(result)
}

/// Once the standard library's `linecache` has run, its `cache` holds the program's
/// source under the program's file name, as it is for a case run by the CPython adapter
/// (`_register_source`: `(len(source), None, source.splitlines(True), filename)`, the
/// mtime `None` so `checkcache` keeps it) and as `python main.py` would read it from the
/// file: `linecache.getline`, `traceback` and `inspect` see the program's lines. The VM
/// does not read the program's file (a case's `main.py` is not on disk).
/// spec: introspection.source.linecache
fn register_main_source(vm: &mut Vm, code: &CodeObject, globals: &Dict) -> PyResult<()> {
    let is_linecache = matches!(globals.get_str("__name__"), Some(Value::Str(n)) if &*n == "linecache")
        && code.co_filename.ends_with("/linecache.py")
        && vm
            .stdlib
            .as_ref()
            .is_some_and(|lib| std::path::Path::new(&*code.co_filename).starts_with(lib));
    let Some(source) = vm.main_source.clone().filter(|_| is_linecache) else {
        return Ok(());
    };
    let Some(cache @ Value::Dict(_)) = globals.get_str("cache") else {
        return Ok(());
    };
    let text = Value::str(&source);
    let splitlines = vm.getattr(&text, "splitlines")?;
    let lines = vm.call(&splitlines, Args::new(vec![Value::Bool(true)]))?;
    // A last line without its newline gets one, as the adapter's `_register_source` does.
    if let Value::List(l) = &lines {
        let mut items = l.items.borrow_mut();
        if let Some(slot) = items.last_mut() {
            if let Value::Str(last) = slot.clone() {
                if !last.ends_with('\n') {
                    *slot = Value::str(&format!("{last}\n"));
                }
            }
        }
    }
    let size = Value::Int(i64::try_from(source.chars().count()).unwrap_or(i64::MAX));
    let name = Value::str(&vm.filename.clone());
    let entry = Value::tuple(vec![size, Value::None, lines, name.clone()]);
    vm.setitem(&cache, &name, entry)
}

/// Runs a module's code in its namespace `globals` (`PyImport_ExecCodeModuleObject`),
/// whose `__builtins__` is the builtins module unless it has one.
pub fn run_module_code(vm: &mut Vm, code: Rc<CodeObject>, globals: Rc<Dict>) -> PyResult<Value> {
    if globals.get_str("__builtins__").is_none() {
        if let Some(b) = vm.modules.get_str("builtins") {
            globals.set_str("__builtins__", b);
        }
    }
    run(vm, code, globals.clone(), globals)
}

/// Whether `code` has free variables (`co_freevars`), which exec and eval cannot fill.
fn has_free_vars(code: &CodeObject) -> bool {
    code.co_localspluskinds
        .iter()
        .any(|k| k & crate::code::kinds::CO_FAST_FREE != 0)
}

/// The `CO_FUTURE_*` flags of the calling frame's code (`PyEval_MergeCompilerFlags`).
fn inherited(vm: &mut Vm) -> PyResult<u32> {
    Ok(vm.top()?.info.code.co_flags & FUTURE_FLAGS)
}

/// `compile()`'s filename: a str, or bytes or a path-like decoded (`PyUnicode_FSDecoder`).
fn filename_arg(vm: &mut Vm, v: &Value) -> PyResult<String> {
    match v {
        Value::Str(s) => {
            super::super::standins::reject(vm, s, "a filename")?;
            Ok(s.to_string())
        }
        Value::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(vm.unsupported("a filename of bytes that are not UTF-8")),
        },
        other => {
            let n = vm.type_of(other).name().clone();
            Err(vm.type_error(format!(
                "expected str, bytes or os.PathLike object, not {n}"
            )))
        }
    }
}

/// The text of `source` (`_Py_SourceAsString`): a str as it is, bytes decoded as a source
/// file is (PEP 263 cookie, BOM, else UTF-8). A null character is a SyntaxError.
fn source_text(vm: &mut Vm, source: &Value, who: &str, kinds: &str) -> PyResult<String> {
    // Any buffer is read as bytes (bytearray, memoryview).
    let buffer = match source {
        Value::Str(_) => None,
        other => super::super::methods::bytes::buffer_of(other),
    };
    let text =
        match (source, buffer) {
            // CPython encodes the str to UTF-8 first, where a lone surrogate fails.
            (Value::Str(s), _) => {
                super::super::standins::reject(vm, s, "source code")?;
                s.to_string()
            }
            (_, Some(b)) => match crate::compile::decode_source_in(&b, vm.stdlib.as_deref()) {
                Ok(text) => text.into_owned(),
                Err(crate::compile::DecodeError::Syntax(e)) if e.unsupported => {
                    return Err(vm.unsupported(e.message))
                }
                Err(crate::compile::DecodeError::Syntax(e)) => {
                    let exc = super::super::syntaxerror::from_compile_error(vm, &e, "<string>", "");
                    return Err(vm.raise(exc));
                }
                Err(crate::compile::DecodeError::NotUtf8(_)) => return Err(vm.unsupported(
                    "compile() of bytes that are not UTF-8 (CPython decodes them token by token)",
                )),
            },
            _ => return Err(vm.type_error(format!("{who}() arg 1 must be a {kinds}"))),
        };
    if text.contains('\0') {
        let exc = vm.new_exception(
            &vm.ty("SyntaxError"),
            vec![Value::str("source code string cannot contain null bytes")],
        );
        return Err(vm.raise(exc));
    }
    Ok(text)
}

/// Compiles `text`; a syntax error is raised as the SyntaxError CPython raises, and
/// SyntaxWarnings are issued through the warnings machinery, in CPython's order.
fn compile_text(
    vm: &mut Vm,
    text: &str,
    filename: &str,
    mode: Mode,
    future: u32,
) -> PyResult<Rc<CodeObject>> {
    match crate::compile::compile_mode(text, filename, mode, future) {
        Ok((code, warnings)) => {
            for w in warnings {
                issue_warning(vm, &w, filename, text, mode)?;
            }
            Ok(code)
        }
        Err(e) => Err(compile_error(vm, e, filename, text, mode)),
    }
}

/// One SyntaxWarning of a run-time compile (`compiler_warn`): warned with the file's
/// name and the line; when the filters make it an error, the SyntaxWarning raised is
/// replaced by the SyntaxError at the construct, and compiling stops there.
fn issue_warning(
    vm: &mut Vm,
    w: &crate::compile::CompileWarning,
    filename: &str,
    text: &str,
    mode: Mode,
) -> PyResult<()> {
    if w.deprecation {
        let message = w.message.clone();
        return super::super::modules::warnings::warn_native(vm, "DeprecationWarning", message);
    }
    match super::super::modules::warnings::warn_syntax(vm, &w.message, filename, w.line) {
        Err(Throw::Exc(e)) if vm.is_instance_of(&e, "SyntaxWarning") => match &w.error {
            Some(err) => Err(compile_error(vm, err.clone(), filename, text, mode)),
            None => Err(vm.unsupported(
                "a parser's SyntaxWarning made an error (CPython raises a SyntaxError at its token)",
            )),
        },
        other => other,
    }
}

/// A compile error as `compile()` raises it: the SyntaxError CPython raises, or the VM's
/// unsupported verdict.
pub fn compile_error(
    vm: &mut Vm,
    e: crate::compile::CompileError,
    filename: &str,
    text: &str,
    mode: Mode,
) -> Throw {
    if e.unsupported {
        return Throw::Unsupported(crate::Unsupported {
            feature: e.message,
            filename: filename.to_owned(),
            line: e.line,
            column: e.column,
            stack: Vec::new(),
        });
    }
    let exec_input = mode == Mode::Exec;
    let exc = super::super::syntaxerror::from_compile_error_in(vm, &e, filename, text, exec_input);
    vm.raise(exc)
}
