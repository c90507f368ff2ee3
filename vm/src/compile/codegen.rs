//! Code generation for scopes and statements, after CPython 3.12's `Python/compile.c`
//! (`compiler_enter_scope`, `compiler_visit_stmt`, `compiler_function`, `compiler_try_*`,
//! `compiler_unwind_fblock`, …). Expressions are in [`super::expr`]. The output of a unit
//! is CPython's `instr_sequence`: instructions, labels pointing at instruction indices, and
//! the unit's metadata, handed to [`super::cfg`].

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::fold::{const_key, ConstKey};
use super::symtable::{self, BlockType, Scope, SymbolTable};
use super::{cfg, mangle, syntax_error, unsupported, CompileError, Instr, LineIndex, Loc, Op};
use crate::code::{CodeObject, Constant};
use crate::oparg::{make_function, resume, Intrinsic1, NameArg};
use crate::opcode::Opcode;

pub(crate) type R<T = ()> = Result<T, CompileError>;

/// `COMPILER_SCOPE_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Class,
    Function,
    /// `COMPILER_SCOPE_ASYNC_FUNCTION`: an `async def` body.
    AsyncFunction,
    Lambda,
    Comprehension,
    /// `COMPILER_SCOPE_TYPEPARAMS`: `<generic parameters of NAME>` and TypeVar bounds.
    TypeParams,
}

/// `enum fblocktype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FbKind {
    WhileLoop,
    ForLoop,
    TryExcept,
    FinallyTry,
    FinallyEnd,
    With,
    AsyncWith,
    HandlerCleanup,
    PopValue,
    ExceptionHandler,
    /// `EXCEPTION_GROUP_HANDLER`: inside `except*` clauses ([`super::trystar`]).
    ExceptionGroupHandler,
}

/// `struct fblockinfo`.
#[derive(Clone)]
pub(crate) struct FBlock<'a> {
    pub kind: FbKind,
    pub block: usize,
    pub exit: usize,
    /// FINALLY_TRY: the finally body.
    pub finalbody: Option<&'a [Stmt]>,
    /// WITH: the location of the `with` statement.
    pub with_loc: Loc,
    /// HANDLER_CLEANUP: the `as` name.
    pub name: Option<String>,
}

/// An insertion-ordered set of names (CPython's `dict_add_o` dictionaries).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameList {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl NameList {
    pub fn add(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn from_sorted(mut v: Vec<String>) -> NameList {
        v.sort();
        let mut l = NameList::default();
        for n in v {
            l.add(&n);
        }
        l
    }
}

/// `struct compiler_unit`.
pub(crate) struct Unit<'a> {
    pub ste: usize,
    pub kind: ScopeKind,
    pub name: String,
    pub qualname: String,
    pub instrs: Vec<Instr>,
    pub labels: Vec<Option<usize>>,
    pub consts: Vec<Constant>,
    const_index: HashMap<ConstKey, u32>,
    pub names: NameList,
    pub varnames: NameList,
    pub cellvars: NameList,
    pub freevars: NameList,
    pub fasthidden: HashMap<String, bool>,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub firstlineno: i32,
    pub fblocks: Vec<FBlock<'a>>,
    pub private: Option<String>,
    pub in_inlined_comp: u32,
    /// Symbol flags temporarily overridden while an inlined comprehension is compiled.
    pub overrides: HashMap<String, u32>,
}

pub(crate) struct Compiler<'a> {
    pub table: &'a SymbolTable,
    pub lines: &'a LineIndex,
    pub source: &'a str,
    pub filename: Rc<str>,
    pub units: Vec<Unit<'a>>,
    /// The location CPython gives the generator expression that is a call's only argument
    /// (`f(x for x in y)`): its parser makes the call's parentheses part of the genexpr,
    /// while ruff's range starts at the element. Set by `call`, taken by `comprehension`.
    pub genexpr_in_call: Option<(TextRange, Loc)>,
    /// The module's `from __future__` features.
    pub future: super::future::Features,
    /// The module's frozenset constants by value (CPython's `c_const_cache` for them): an
    /// equal frozenset compiled later is this same object, with this one's table layout.
    pub frozensets: HashMap<ConstKey, Constant>,
    /// `c_const_cache`: the module's constants, one object per key.
    pub const_cache: super::fold::ConstCache,
    /// Generic classes' bases with their `.generic_base` ([`super::typeparams`]).
    pub generic_bases: &'a HashMap<usize, Vec<Expr>>,
    /// `compile(..., 'single')` (`c_interactive`): the module's expression statements
    /// print their values.
    pub interactive: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn compile_module(
    module: &ast::ModModule,
    mode: super::Mode,
    table: &SymbolTable,
    lines: &LineIndex,
    source: &str,
    filename: &str,
    future: super::future::Features,
    generic_bases: &HashMap<usize, Vec<Expr>>,
) -> Result<Rc<CodeObject>, CompileError> {
    let mut c = Compiler {
        table,
        lines,
        source,
        filename: Rc::from(filename),
        units: Vec::new(),
        genexpr_in_call: None,
        future,
        frozensets: HashMap::new(),
        const_cache: super::fold::ConstCache::default(),
        generic_bases,
        interactive: mode == super::Mode::Single,
    };
    c.enter_scope("<module>", ScopeKind::Module, 0, 1)?;
    // `compiler_codegen`, by the kind of the module.
    match (mode, module.body.as_slice()) {
        (super::Mode::Exec, _) => {
            let loc = module
                .body
                .first()
                .map_or(Loc::line_only(1), |s| c.stmt_loc(s));
            c.body(loc, &module.body)?;
        }
        // Expression: the value is what the code returns (no `None` added).
        (super::Mode::Eval, [Stmt::Expr(e)]) => {
            c.expr(&e.value)?;
            return c.finish_unit(false);
        }
        (super::Mode::Eval, _) => {
            return Err(unsupported(
                "eval() of anything but one expression",
                Loc::NONE,
            ))
        }
        // Interactive: no docstring; annotations are set up at the first line.
        (super::Mode::Single, body) => {
            if super::annotations::find_ann(body) {
                c.emit(Opcode::SETUP_ANNOTATIONS, 0, Loc::line_only(1));
            }
            c.stmts(body)?;
        }
    }
    c.finish_unit(true)
}

impl<'a> Compiler<'a> {
    pub fn u(&mut self) -> &mut Unit<'a> {
        let n = self.units.len();
        &mut self.units[n.saturating_sub(1)]
    }

    pub fn ur(&self) -> &Unit<'a> {
        let n = self.units.len();
        &self.units[n.saturating_sub(1)]
    }

    pub fn ste(&self) -> &'a symtable::Entry {
        let table: &'a SymbolTable = self.table;
        &table.entries[self.ur().ste]
    }

    pub fn loc(&self, node: &impl Ranged) -> Loc {
        self.lines.of(node)
    }

    /// CPython's statement location: ruff's function and class ranges include their
    /// decorators; CPython's start at `def`/`class` (or `async`).
    pub fn stmt_loc(&self, s: &Stmt) -> Loc {
        let decorators = match s {
            Stmt::FunctionDef(f) => f.decorator_list.last(),
            Stmt::ClassDef(c) => c.decorator_list.last(),
            _ => None,
        };
        let start = match decorators {
            Some(last) => {
                let start = skip_trivia(self.source, last.range().end().to_usize());
                TextSize::try_from(start).unwrap_or(s.range().start())
            }
            None => s.range().start(),
        };
        let end = self.compound_end(s);
        self.lines.loc(TextRange::new(start, end))
    }

    /// Where a statement ends for CPython: a compound statement's node ends at the last
    /// token of its block (`_PyPegen_get_last_nonnwhitespace_token`), which is the `;`
    /// closing its last line when there is one; ruff's range stops before it.
    fn compound_end(&self, s: &Stmt) -> TextSize {
        let end = s.range().end();
        if !super::is_compound(s) {
            return end;
        }
        let bytes = self.source.as_bytes();
        let mut pos = end.to_usize();
        while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\x0c')) {
            pos += 1;
        }
        if bytes.get(pos) == Some(&b';') {
            TextSize::try_from(pos + 1).unwrap_or(end)
        } else {
            end
        }
    }

    // ----- emission ---------------------------------------------------------------------

    pub fn emit(&mut self, op: Opcode, arg: u32, loc: Loc) {
        self.u().instrs.push(Instr::new(Op::Real(op), arg, loc));
    }

    pub fn emit_op(&mut self, op: Op, arg: u32, loc: Loc) {
        self.u().instrs.push(Instr::new(op, arg, loc));
    }

    pub fn emit_jump(&mut self, op: Op, label: usize, loc: Loc) {
        let mut i = Instr::new(op, 0, loc);
        i.target = label;
        self.u().instrs.push(i);
    }

    pub fn new_label(&mut self) -> usize {
        let u = self.u();
        u.labels.push(None);
        u.labels.len() - 1
    }

    pub fn use_label(&mut self, label: usize) {
        let u = self.u();
        let here = u.instrs.len();
        if let Some(slot) = u.labels.get_mut(label) {
            *slot = Some(here);
        }
    }

    /// `compiler_add_const` (constants merged by `_PyCode_ConstantKey`).
    pub fn add_const(&mut self, c: Constant) -> u32 {
        let key = const_key(&c);
        let u = self.u();
        if let Some(&i) = u.const_index.get(&key) {
            return i;
        }
        let i = u32::try_from(u.consts.len()).unwrap_or(u32::MAX);
        u.consts.push(c);
        u.const_index.insert(key, i);
        i
    }

    pub fn load_const(&mut self, c: Constant, loc: Loc) {
        let i = self.add_const(c);
        self.emit(Opcode::LOAD_CONST, i, loc);
    }

    pub fn add_name(&mut self, name: &str) -> u32 {
        let mangled = mangle(self.ur().private.as_deref(), name);
        self.u().names.add(&mangled)
    }

    // ----- scopes -----------------------------------------------------------------------

    /// `compiler_enter_scope`.
    pub fn enter_scope(&mut self, name: &str, kind: ScopeKind, ste: usize, lineno: i32) -> R {
        let entry = &self.table.entries[ste];
        let mut varnames = NameList::default();
        for v in &entry.varnames {
            varnames.add(v);
        }
        let cells: Vec<String> = entry
            .symbols
            .iter()
            .filter(|(_, f)| {
                symtable::scope_of_flags(*f) == Scope::Cell || f & symtable::DEF_COMP_CELL != 0
            })
            .map(|(n, _)| n.to_owned())
            .collect();
        let mut cellvars = NameList::from_sorted(cells);
        if entry.needs_class_closure {
            cellvars.add("__class__");
        }
        if entry.needs_classdict {
            cellvars.add("__classdict__");
        }
        let frees: Vec<String> = entry
            .symbols
            .iter()
            .filter(|(_, f)| {
                symtable::scope_of_flags(*f) == Scope::Free || f & symtable::DEF_FREE_CLASS != 0
            })
            .map(|(n, _)| n.to_owned())
            .collect();
        let freevars = NameList::from_sorted(frees);
        let private = self.units.last().and_then(|u| u.private.clone());
        self.units.push(Unit {
            ste,
            kind,
            name: name.to_owned(),
            qualname: name.to_owned(),
            instrs: Vec::new(),
            labels: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            names: NameList::default(),
            varnames,
            cellvars,
            freevars,
            fasthidden: HashMap::new(),
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            firstlineno: lineno,
            fblocks: Vec::new(),
            private,
            in_inlined_comp: 0,
            overrides: HashMap::new(),
        });
        let mut loc = Loc::line_only(lineno);
        if kind == ScopeKind::Module {
            loc.line = 0;
        } else {
            self.set_qualname();
        }
        self.emit(Opcode::RESUME, resume::AT_FUNC_START, loc);
        Ok(())
    }

    /// `compiler_set_qualname`.
    fn set_qualname(&mut self) {
        let n = self.units.len();
        if n < 3 {
            return; // the parent is the module: the qualname is the name
        }
        let mut parent = &self.units[n - 2];
        if parent.kind == ScopeKind::TypeParams {
            // Inside `<generic parameters of NAME>`: named after the grandparent.
            if n == 3 {
                return;
            }
            parent = &self.units[n - 3];
        }
        let u = &self.units[n - 1];
        let mut force_global = false;
        if matches!(
            u.kind,
            ScopeKind::Function | ScopeKind::AsyncFunction | ScopeKind::Class
        ) {
            let mangled = mangle(parent.private.as_deref(), &u.name);
            if self.table.entries[parent.ste].scope_of(&mangled) == Scope::GlobalExplicit {
                force_global = true;
            }
        }
        if force_global {
            return;
        }
        let base = if matches!(
            parent.kind,
            ScopeKind::Function | ScopeKind::AsyncFunction | ScopeKind::Lambda
        ) {
            format!("{}.<locals>", parent.qualname)
        } else {
            parent.qualname.clone()
        };
        let q = format!("{base}.{}", u.name);
        self.units[n - 1].qualname = q;
    }

    /// `optimize_and_assemble` + `compiler_exit_scope`.
    pub fn finish_unit(&mut self, add_none: bool) -> Result<Rc<CodeObject>, CompileError> {
        if add_none {
            self.load_const(Constant::None, Loc::NONE);
        }
        self.emit(Opcode::RETURN_VALUE, 0, Loc::NONE);
        let flags = self.code_flags();
        let Some(unit) = self.units.pop() else {
            return Err(unsupported("empty compiler stack", Loc::NONE));
        };
        let nparams = self.table.entries[unit.ste].varnames.len();
        cfg::optimize_and_assemble(
            unit,
            flags,
            nparams,
            self.filename.clone(),
            &mut self.const_cache,
        )
    }

    /// `compute_code_flags`.
    fn code_flags(&self) -> u32 {
        use crate::code::flags::*;
        let ste = self.ste();
        let mut flags = self.future.flags;
        if ste.is_function_like() {
            flags |= CO_NEWLOCALS | CO_OPTIMIZED;
            if ste.nested {
                flags |= CO_NESTED;
            }
            flags |= match (ste.generator, ste.coroutine) {
                (true, false) => CO_GENERATOR,
                (false, true) => CO_COROUTINE,
                (true, true) => CO_ASYNC_GENERATOR,
                (false, false) => 0,
            };
            if ste.varargs {
                flags |= CO_VARARGS;
            }
            if ste.varkeywords {
                flags |= CO_VARKEYWORDS;
            }
        }
        flags
    }

    pub fn scope_of(&self, name: &str) -> Scope {
        if let Some(&f) = self.ur().overrides.get(name) {
            return symtable::scope_of_flags(f);
        }
        self.ste().scope_of(name)
    }

    pub fn symbol_flags(&self, name: &str) -> u32 {
        if let Some(&f) = self.ur().overrides.get(name) {
            return f;
        }
        self.ste().symbols.get(name).unwrap_or(0)
    }

    // ----- statements -------------------------------------------------------------------

    /// `compiler_body`: docstring, then the statements.
    pub fn body(&mut self, loc: Loc, stmts: &'a [Stmt]) -> R {
        // Every annotated module and class gets `__annotations__`, located at the module's
        // first statement (the caller's `loc`).
        if super::annotations::find_ann(stmts) {
            self.emit(Opcode::SETUP_ANNOTATIONS, 0, loc);
        }
        let mut rest = stmts;
        if let Some((first, tail)) = stmts.split_first() {
            if let Some(doc) = docstring_const(first, self.lines) {
                let Stmt::Expr(e) = first else { return Ok(()) };
                let loc = self.loc(e.value.as_ref());
                self.load_const(doc, loc);
                self.nameop("__doc__", ast::ExprContext::Store, self.stmt_loc(first))?;
                rest = tail;
            }
        }
        for s in rest {
            self.stmt(s)?;
        }
        Ok(())
    }

    pub fn stmts(&mut self, stmts: &'a [Stmt]) -> R {
        stmts.iter().try_for_each(|s| self.stmt(s))
    }

    /// `compiler_visit_stmt`.
    pub fn stmt(&mut self, s: &'a Stmt) -> R {
        let loc = self.stmt_loc(s);
        match s {
            Stmt::FunctionDef(f) => self.function_def(f, loc),
            Stmt::ClassDef(c) => self.class_def(c, loc),
            Stmt::TypeAlias(a) => self.type_alias(a, loc),
            Stmt::Return(r) => self.return_stmt(r, loc),
            Stmt::Delete(d) => d.targets.iter().try_for_each(|t| self.expr(t)),
            Stmt::Assign(a) => {
                self.expr(&a.value)?;
                let n = a.targets.len();
                for (i, t) in a.targets.iter().enumerate() {
                    if i + 1 < n {
                        self.emit(Opcode::COPY, 1, loc);
                    }
                    self.expr(t)?;
                }
                Ok(())
            }
            Stmt::AugAssign(a) => self.aug_assign(a, loc),
            Stmt::For(f) if f.is_async => self.async_for(f, loc),
            Stmt::For(f) => self.for_stmt(f, loc),
            Stmt::While(w) => self.while_stmt(w, loc),
            Stmt::If(i) => self.if_stmt(&i.test, &i.body, &i.elif_else_clauses, loc),
            Stmt::With(w) if w.is_async => self.async_with(w, 0, loc),
            Stmt::With(w) => self.with_stmt(w, 0, loc),
            Stmt::Raise(r) => {
                let mut n = 0;
                if let Some(e) = &r.exc {
                    self.expr(e)?;
                    n += 1;
                    if let Some(c) = &r.cause {
                        self.expr(c)?;
                        n += 1;
                    }
                }
                self.emit(Opcode::RAISE_VARARGS, n, loc);
                Ok(())
            }
            Stmt::Try(t) => {
                if t.finalbody.is_empty() {
                    self.try_except_any(t, loc)
                } else {
                    self.try_finally(t, loc)
                }
            }
            Stmt::Assert(a) => {
                let end = self.new_label();
                self.jump_if(&a.test, end, true)?;
                self.emit(Opcode::LOAD_ASSERTION_ERROR, 0, loc);
                if let Some(m) = &a.msg {
                    self.expr(m)?;
                    self.emit(Opcode::CALL, 0, loc);
                }
                self.emit(Opcode::RAISE_VARARGS, 1, loc);
                self.use_label(end);
                Ok(())
            }
            Stmt::Import(i) => self.import(i, loc),
            Stmt::ImportFrom(i) => self.import_from(i, loc),
            Stmt::Global(_) | Stmt::Nonlocal(_) => Ok(()),
            // `compiler_stmt_expr`: at the top level of interactive input the value is
            // printed (INTRINSIC_PRINT, sys.displayhook).
            Stmt::Expr(e) if self.interactive && self.units.len() <= 1 => {
                self.expr(&e.value)?;
                self.emit(
                    Opcode::CALL_INTRINSIC_1,
                    crate::oparg::Intrinsic1::Print as u32,
                    loc,
                );
                self.emit(Opcode::POP_TOP, 0, Loc::NONE);
                Ok(())
            }
            Stmt::Expr(e) => {
                if super::fold::fold(&e.value, self.lines)?.is_some() && is_constant_node(&e.value)
                {
                    self.emit(Opcode::NOP, 0, loc);
                    return Ok(());
                }
                self.expr(&e.value)?;
                self.emit(Opcode::POP_TOP, 0, Loc::NONE);
                Ok(())
            }
            Stmt::Pass(_) => {
                self.emit(Opcode::NOP, 0, loc);
                Ok(())
            }
            Stmt::Break(_) => self.break_stmt(loc),
            Stmt::Continue(_) => self.continue_stmt(loc),
            Stmt::AnnAssign(a) => self.ann_assign(a, loc),
            Stmt::Match(m) => self.match_stmt(m),
            Stmt::IpyEscapeCommand(_) => Err(unsupported("IPython escape command", loc)),
        }
    }

    fn return_stmt(&mut self, r: &'a ast::StmtReturn, loc: Loc) -> R {
        if !self.ste().is_function_like() {
            return Err(syntax_error("'return' outside function", loc));
        }
        if r.value.is_some() && self.ste().coroutine && self.ste().generator {
            return Err(syntax_error("'return' with value in async generator", loc));
        }
        let value = r.value.as_deref();
        let folded = match value {
            Some(v) if is_constant_node(v) => super::fold::fold(v, self.lines)?,
            _ => None,
        };
        let preserve_tos = value.is_some() && folded.is_none();
        let sloc = loc;
        let mut loc = loc;
        if preserve_tos {
            if let Some(v) = value {
                self.expr(v)?;
            }
        } else if let Some(v) = value {
            // CPython reuses `loc` from here on: the constant is returned at its location.
            loc = self.loc(v);
            self.emit(Opcode::NOP, 0, loc);
        }
        if value.is_none_or(|v| self.loc(v).line != sloc.line) {
            loc = sloc;
            self.emit(Opcode::NOP, 0, loc);
        }
        self.unwind_fblock_stack(&mut loc, preserve_tos, false)?;
        match (value, folded) {
            (None, _) => self.load_const(Constant::None, loc),
            (Some(_), Some(c)) => self.load_const(c, loc),
            _ => {}
        }
        self.emit(Opcode::RETURN_VALUE, 0, loc);
        Ok(())
    }

    fn break_stmt(&mut self, loc: Loc) -> R {
        let mut l = loc;
        self.emit(Opcode::NOP, 0, loc);
        let Some(loop_index) = self.unwind_fblock_stack(&mut l, false, true)? else {
            return Err(syntax_error("'break' outside loop", loc));
        };
        let fb = self.ur().fblocks[loop_index].clone();
        self.unwind_fblock(&mut l, &fb, false)?;
        self.emit_jump(Op::Jump, fb.exit, l);
        Ok(())
    }

    fn continue_stmt(&mut self, loc: Loc) -> R {
        let mut l = loc;
        self.emit(Opcode::NOP, 0, loc);
        let Some(loop_index) = self.unwind_fblock_stack(&mut l, false, true)? else {
            return Err(syntax_error("'continue' not properly in loop", loc));
        };
        let block = self.ur().fblocks[loop_index].block;
        self.emit_jump(Op::Jump, block, l);
        Ok(())
    }

    pub fn push_fblock(&mut self, kind: FbKind, block: usize, exit: usize) {
        self.u().fblocks.push(FBlock {
            kind,
            block,
            exit,
            finalbody: None,
            with_loc: Loc::NONE,
            name: None,
        });
    }

    pub fn pop_fblock(&mut self) {
        self.u().fblocks.pop();
    }

    /// `compiler_unwind_fblock_stack`: returns the index of the innermost loop when
    /// `stop_at_loop`.
    fn unwind_fblock_stack(
        &mut self,
        loc: &mut Loc,
        preserve_tos: bool,
        stop_at_loop: bool,
    ) -> R<Option<usize>> {
        let n = self.ur().fblocks.len();
        for i in (0..n).rev() {
            let top = self.ur().fblocks[i].clone();
            if top.kind == FbKind::ExceptionGroupHandler {
                return Err(syntax_error(super::trystar::LEAVES_EXCEPT_STAR, *loc));
            }
            if stop_at_loop && matches!(top.kind, FbKind::WhileLoop | FbKind::ForLoop) {
                return Ok(Some(i));
            }
            // Unwinding runs with the block popped (a `finally` body sees the outer blocks).
            let saved: Vec<FBlock<'a>> = self.u().fblocks.split_off(i);
            let result = self.unwind_fblock(loc, &top, preserve_tos);
            self.u().fblocks.extend(saved);
            result?;
        }
        Ok(None)
    }

    /// `compiler_unwind_fblock`.
    fn unwind_fblock(&mut self, loc: &mut Loc, fb: &FBlock<'a>, preserve_tos: bool) -> R {
        match fb.kind {
            FbKind::WhileLoop | FbKind::ExceptionHandler | FbKind::ExceptionGroupHandler => {}
            FbKind::ForLoop => {
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.emit(Opcode::POP_TOP, 0, *loc);
            }
            FbKind::TryExcept => self.emit_op(Op::PopBlock, 0, *loc),
            FbKind::FinallyTry => {
                self.emit_op(Op::PopBlock, 0, *loc);
                if preserve_tos {
                    self.push_fblock(FbKind::PopValue, usize::MAX, usize::MAX);
                }
                if let Some(body) = fb.finalbody {
                    self.stmts(body)?;
                }
                if preserve_tos {
                    self.pop_fblock();
                }
                *loc = Loc::NONE;
            }
            FbKind::FinallyEnd => {
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.emit(Opcode::POP_TOP, 0, *loc);
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.emit_op(Op::PopBlock, 0, *loc);
                self.emit(Opcode::POP_EXCEPT, 0, *loc);
            }
            FbKind::With | FbKind::AsyncWith => {
                *loc = fb.with_loc;
                self.emit_op(Op::PopBlock, 0, *loc);
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.call_exit_with_nones(*loc);
                if fb.kind == FbKind::AsyncWith {
                    self.await_result(crate::oparg::awaitable::AEXIT, *loc);
                }
                self.emit(Opcode::POP_TOP, 0, *loc);
                *loc = Loc::NONE;
            }
            FbKind::HandlerCleanup => {
                if fb.name.is_some() {
                    self.emit_op(Op::PopBlock, 0, *loc);
                }
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.emit_op(Op::PopBlock, 0, *loc);
                self.emit(Opcode::POP_EXCEPT, 0, *loc);
                if let Some(name) = &fb.name {
                    self.load_const(Constant::None, *loc);
                    self.nameop(name, ast::ExprContext::Store, *loc)?;
                    self.nameop(name, ast::ExprContext::Del, *loc)?;
                }
            }
            FbKind::PopValue => {
                if preserve_tos {
                    self.emit(Opcode::SWAP, 2, *loc);
                }
                self.emit(Opcode::POP_TOP, 0, *loc);
            }
        }
        Ok(())
    }

    pub fn call_exit_with_nones(&mut self, loc: Loc) {
        for _ in 0..3 {
            self.load_const(Constant::None, loc);
        }
        self.emit(Opcode::CALL, 2, loc);
    }

    /// `compiler_if`; `elif` clauses are nested ifs as in CPython's AST.
    fn if_stmt(
        &mut self,
        test: &'a Expr,
        body: &'a [Stmt],
        clauses: &'a [ast::ElifElseClause],
        _loc: Loc,
    ) -> R {
        let end = self.new_label();
        let next = if clauses.is_empty() {
            end
        } else {
            self.new_label()
        };
        self.jump_if(test, next, false)?;
        self.stmts(body)?;
        if let Some((first, rest)) = clauses.split_first() {
            self.emit_jump(Op::Jump, end, Loc::NONE);
            self.use_label(next);
            match &first.test {
                Some(t) => {
                    let l = self.loc(first);
                    self.if_stmt(t, &first.body, rest, l)?;
                }
                None => self.stmts(&first.body)?,
            }
        }
        self.use_label(end);
        Ok(())
    }

    /// `compiler_while`: the test is compiled twice, at the top and at the bottom.
    fn while_stmt(&mut self, w: &'a ast::StmtWhile, _loc: Loc) -> R {
        let lp = self.new_label();
        let body = self.new_label();
        let end = self.new_label();
        let anchor = self.new_label();
        self.use_label(lp);
        self.push_fblock(FbKind::WhileLoop, lp, end);
        self.jump_if(&w.test, anchor, false)?;
        self.use_label(body);
        self.stmts(&w.body)?;
        self.jump_if(&w.test, body, true)?;
        self.pop_fblock();
        self.use_label(anchor);
        self.stmts(&w.orelse)?;
        self.use_label(end);
        Ok(())
    }

    /// `compiler_for`.
    fn for_stmt(&mut self, f: &'a ast::StmtFor, loc: Loc) -> R {
        let start = self.new_label();
        let body = self.new_label();
        let cleanup = self.new_label();
        let end = self.new_label();
        self.push_fblock(FbKind::ForLoop, start, end);
        self.iter_expr(&f.iter)?;
        self.emit(Opcode::GET_ITER, 0, loc);
        self.use_label(start);
        self.emit_jump(Op::Real(Opcode::FOR_ITER), cleanup, loc);
        self.use_label(body);
        self.expr(&f.target)?;
        self.stmts(&f.body)?;
        self.emit_jump(Op::Jump, start, Loc::NONE);
        self.use_label(cleanup);
        self.emit(Opcode::END_FOR, 0, Loc::NONE);
        self.pop_fblock();
        self.stmts(&f.orelse)?;
        self.use_label(end);
        Ok(())
    }

    /// `compiler_import`.
    fn import(&mut self, i: &'a ast::StmtImport, loc: Loc) -> R {
        for alias in &i.names {
            self.load_const(Constant::Int(0), loc);
            self.load_const(Constant::None, loc);
            let idx = self.add_name(&alias.name.id);
            self.emit(Opcode::IMPORT_NAME, idx, loc);
            let full = alias.name.id.as_str();
            match &alias.asname {
                Some(asname) => {
                    let parts: Vec<&str> = full.split('.').collect();
                    if parts.len() > 1 {
                        for (k, attr) in parts.iter().enumerate().skip(1) {
                            let idx = self.add_name(attr);
                            self.emit(Opcode::IMPORT_FROM, idx, loc);
                            if k + 1 == parts.len() {
                                break;
                            }
                            self.emit(Opcode::SWAP, 2, loc);
                            self.emit(Opcode::POP_TOP, 0, loc);
                        }
                        self.nameop(&asname.id, ast::ExprContext::Store, loc)?;
                        self.emit(Opcode::POP_TOP, 0, loc);
                    } else {
                        self.nameop(&asname.id, ast::ExprContext::Store, loc)?;
                    }
                }
                None => {
                    let first = full.split('.').next().unwrap_or(full);
                    self.nameop(first, ast::ExprContext::Store, loc)?;
                }
            }
        }
        Ok(())
    }

    /// `compiler_from_import`.
    fn import_from(&mut self, i: &'a ast::StmtImportFrom, loc: Loc) -> R {
        self.load_const(Constant::Int(i64::from(i.level)), loc);
        let names: Vec<Constant> = i
            .names
            .iter()
            .map(|a| Constant::Str(Rc::from(a.name.id.as_str())))
            .collect();
        self.load_const(Constant::Tuple(names.into()), loc);
        let module = i.module.as_ref().map_or("", |m| m.id.as_str());
        if module == "__future__" && i.level == 0 && location_is_after(loc, self.future.location) {
            return Err(syntax_error(
                "from __future__ imports must occur at the beginning of the file",
                loc,
            ));
        }
        let idx = self.add_name(module);
        self.emit(Opcode::IMPORT_NAME, idx, loc);
        for (k, alias) in i.names.iter().enumerate() {
            if k == 0 && alias.name.id.as_str() == "*" {
                self.emit(Opcode::CALL_INTRINSIC_1, Intrinsic1::ImportStar as u32, loc);
                self.emit(Opcode::POP_TOP, 0, Loc::NONE);
                return Ok(());
            }
            let idx = self.add_name(&alias.name.id);
            self.emit(Opcode::IMPORT_FROM, idx, loc);
            let store = alias.asname.as_ref().unwrap_or(&alias.name);
            self.nameop(&store.id, ast::ExprContext::Store, loc)?;
        }
        self.emit(Opcode::POP_TOP, 0, loc);
        Ok(())
    }

    /// `compiler_augassign`.
    fn aug_assign(&mut self, a: &'a ast::StmtAugAssign, sloc: Loc) -> R {
        let e = a.target.as_ref();
        let loc = self.loc(e);
        match e {
            Expr::Attribute(at) => {
                self.expr(&at.value)?;
                self.emit(Opcode::COPY, 1, loc);
                let aloc = self.attr_loc(loc, at);
                let idx = self.add_name(&at.attr.id);
                let arg = NameArg {
                    name: idx,
                    flag: false,
                };
                self.emit(Opcode::LOAD_ATTR, arg.encode(), aloc);
            }
            Expr::Subscript(s) => {
                self.expr(&s.value)?;
                if let Some(sl) = two_element_slice(&s.slice) {
                    self.slice_parts(sl)?;
                    for _ in 0..3 {
                        self.emit(Opcode::COPY, 3, loc);
                    }
                    self.emit(Opcode::BINARY_SLICE, 0, loc);
                } else {
                    self.expr(&s.slice)?;
                    self.emit(Opcode::COPY, 2, loc);
                    self.emit(Opcode::COPY, 2, loc);
                    self.emit(Opcode::BINARY_SUBSCR, 0, loc);
                }
            }
            Expr::Name(n) => self.nameop(&n.id, ast::ExprContext::Load, loc)?,
            _ => {
                return Err(syntax_error(
                    "'expression' is an illegal expression for augmented assignment",
                    loc,
                ))
            }
        }
        self.expr(&a.value)?;
        let op = super::expr::binary_op(a.op);
        self.emit(Opcode::BINARY_OP, op.oparg(true), sloc);
        match e {
            Expr::Attribute(at) => {
                let aloc = self.attr_loc(loc, at);
                self.emit(Opcode::SWAP, 2, aloc);
                let idx = self.add_name(&at.attr.id);
                self.emit(Opcode::STORE_ATTR, idx, aloc);
            }
            Expr::Subscript(s) => {
                if two_element_slice(&s.slice).is_some() {
                    self.emit(Opcode::SWAP, 4, loc);
                    self.emit(Opcode::SWAP, 3, loc);
                    self.emit(Opcode::SWAP, 2, loc);
                    self.emit(Opcode::STORE_SLICE, 0, loc);
                } else {
                    self.emit(Opcode::SWAP, 3, loc);
                    self.emit(Opcode::SWAP, 2, loc);
                    self.emit(Opcode::STORE_SUBSCR, 0, loc);
                }
            }
            Expr::Name(n) => self.nameop(&n.id, ast::ExprContext::Store, loc)?,
            _ => {}
        }
        Ok(())
    }

    // ----- functions and classes --------------------------------------------------------

    pub fn set_arg_counts(&mut self, p: &ast::Parameters) {
        let u = self.u();
        u.argcount = u32::try_from(p.args.len()).unwrap_or(0);
        u.posonlyargcount = u32::try_from(p.posonlyargs.len()).unwrap_or(0);
        u.kwonlyargcount = u32::try_from(p.kwonlyargs.len()).unwrap_or(0);
    }

    /// `wrap_in_stopiteration_handler`: a SETUP_CLEANUP before everything (RESUME
    /// included) that turns an escaping StopIteration into RuntimeError.
    pub fn wrap_in_stopiteration_handler(&mut self) {
        let handler = self.new_label();
        let mut setup = Instr::new(Op::SetupCleanup, 0, Loc::NONE);
        setup.target = handler;
        let u = self.u();
        u.instrs.insert(0, setup);
        for l in u.labels.iter_mut().flatten() {
            *l += 1;
        }
        self.load_const(Constant::None, Loc::NONE);
        self.emit(Opcode::RETURN_VALUE, 0, Loc::NONE);
        self.use_label(handler);
        self.emit(
            Opcode::CALL_INTRINSIC_1,
            Intrinsic1::StopIterationError as u32,
            Loc::NONE,
        );
        self.emit(Opcode::RERAISE, 1, Loc::NONE);
    }

    /// `compiler_default_arguments`.
    pub fn default_arguments(&mut self, p: &'a ast::Parameters, loc: Loc) -> R<u32> {
        let mut flags = 0;
        let defaults: Vec<&'a Expr> = p
            .posonlyargs
            .iter()
            .chain(p.args.iter())
            .filter_map(|a| a.default.as_deref())
            .collect();
        if !defaults.is_empty() {
            for d in &defaults {
                self.expr(d)?;
            }
            self.emit(
                Opcode::BUILD_TUPLE,
                u32::try_from(defaults.len()).unwrap_or(0),
                loc,
            );
            flags |= make_function::DEFAULTS;
        }
        let mut keys = Vec::new();
        for a in &p.kwonlyargs {
            if let Some(d) = &a.default {
                let name = mangle(self.ur().private.as_deref(), &a.parameter.name.id);
                keys.push(Constant::Str(Rc::from(name.as_str())));
                self.expr(d)?;
            }
        }
        if !keys.is_empty() {
            let n = u32::try_from(keys.len()).unwrap_or(0);
            self.load_const(Constant::Tuple(keys.into()), loc);
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n, loc);
            flags |= make_function::KWDEFAULTS;
        }
        Ok(flags)
    }

    /// `compiler_make_closure`.
    pub fn make_closure(&mut self, code: Rc<CodeObject>, mut flags: u32, loc: Loc) -> R {
        let nfree = code
            .co_localspluskinds
            .iter()
            .filter(|&&k| k & crate::code::kinds::CO_FAST_FREE != 0)
            .count();
        if nfree > 0 {
            let names: Vec<String> = code
                .co_localsplusnames
                .iter()
                .zip(&code.co_localspluskinds)
                .filter(|(_, &k)| k & crate::code::kinds::CO_FAST_FREE != 0)
                .map(|(n, _)| n.to_string())
                .collect();
            for name in names {
                // get_ref_type: a class's implicit cells.
                let is_cell = (self.ur().kind == ScopeKind::Class
                    && (name == "__class__" || name == "__classdict__"))
                    || self.scope_of(&name) == Scope::Cell;
                let arg = if is_cell {
                    self.ur().cellvars.get(&name)
                } else {
                    self.ur()
                        .freevars
                        .get(&name)
                        .map(|i| i + u32::try_from(self.ur().cellvars.len()).unwrap_or(0))
                };
                let Some(arg) = arg else {
                    return Err(unsupported(
                        &format!("closure over '{name}' (compiler lookup failed)"),
                        loc,
                    ));
                };
                self.emit(Opcode::LOAD_CLOSURE, arg, loc);
            }
            flags |= make_function::CLOSURE;
            self.emit(Opcode::BUILD_TUPLE, u32::try_from(nfree).unwrap_or(0), loc);
        }
        self.load_const(Constant::Code(code), loc);
        self.emit(Opcode::MAKE_FUNCTION, flags, loc);
        Ok(())
    }

    // ----- names ------------------------------------------------------------------------

    /// `compiler_nameop`.
    pub fn nameop(&mut self, name: &str, ctx: ast::ExprContext, loc: Loc) -> R {
        use ast::ExprContext::{Del, Invalid, Load, Store};
        if ctx == Invalid {
            return Err(syntax_error("invalid syntax", loc));
        }
        let mangled = mangle(self.ur().private.as_deref(), name);
        let scope = self.scope_of(&mangled);
        let function_like = self.ste().is_function_like();
        let is_class = self.ste().kind == BlockType::Class;
        enum Kind {
            Deref(u32),
            Fast,
            Global,
            Name,
        }
        let ncells = u32::try_from(self.ur().cellvars.len()).unwrap_or(0);
        let kind = match scope {
            Scope::Free => match self.ur().freevars.get(&mangled) {
                Some(i) => Kind::Deref(ncells + i),
                None => {
                    return Err(unsupported(
                        &format!("free variable '{name}' (lookup failed)"),
                        loc,
                    ))
                }
            },
            Scope::Cell => match self.ur().cellvars.get(&mangled) {
                Some(i) => Kind::Deref(i),
                None => {
                    return Err(unsupported(
                        &format!("cell variable '{name}' (lookup failed)"),
                        loc,
                    ))
                }
            },
            Scope::Local => {
                if function_like || self.ur().fasthidden.get(&mangled) == Some(&true) {
                    Kind::Fast
                } else {
                    Kind::Name
                }
            }
            Scope::GlobalImplicit => {
                if function_like {
                    Kind::Global
                } else {
                    Kind::Name
                }
            }
            Scope::GlobalExplicit => Kind::Global,
            Scope::Unknown => Kind::Name,
        };
        match kind {
            Kind::Deref(i) => {
                let op = match ctx {
                    Load => {
                        if is_class && self.ur().in_inlined_comp == 0 {
                            self.emit(Opcode::LOAD_LOCALS, 0, loc);
                            Opcode::LOAD_FROM_DICT_OR_DEREF
                        } else if self.ste().can_see_class_scope {
                            self.load_classdict(loc)?;
                            Opcode::LOAD_FROM_DICT_OR_DEREF
                        } else {
                            Opcode::LOAD_DEREF
                        }
                    }
                    Store => Opcode::STORE_DEREF,
                    _ => Opcode::DELETE_DEREF,
                };
                self.emit(op, i, loc);
            }
            Kind::Fast => {
                let op = match ctx {
                    Load => Opcode::LOAD_FAST,
                    Store => Opcode::STORE_FAST,
                    _ => Opcode::DELETE_FAST,
                };
                let i = self.u().varnames.add(&mangled);
                self.emit(op, i, loc);
            }
            Kind::Global => {
                let i = self.u().names.add(&mangled);
                match ctx {
                    Load if self.ste().can_see_class_scope && scope == Scope::GlobalImplicit => {
                        self.load_classdict(loc)?;
                        self.emit(Opcode::LOAD_FROM_DICT_OR_GLOBALS, i, loc);
                    }
                    Load => self.emit(
                        Opcode::LOAD_GLOBAL,
                        NameArg {
                            name: i,
                            flag: false,
                        }
                        .encode(),
                        loc,
                    ),
                    Store => self.emit(Opcode::STORE_GLOBAL, i, loc),
                    Del | Invalid => self.emit(Opcode::DELETE_GLOBAL, i, loc),
                }
            }
            Kind::Name => {
                let i = self.u().names.add(&mangled);
                match ctx {
                    Load => {
                        if is_class && self.ur().in_inlined_comp > 0 {
                            self.emit(
                                Opcode::LOAD_GLOBAL,
                                NameArg {
                                    name: i,
                                    flag: false,
                                }
                                .encode(),
                                loc,
                            );
                        } else {
                            self.emit(Opcode::LOAD_NAME, i, loc);
                        }
                    }
                    Store => self.emit(Opcode::STORE_NAME, i, loc),
                    Del | Invalid => self.emit(Opcode::DELETE_NAME, i, loc),
                }
            }
        }
        Ok(())
    }

    /// `update_start_location_to_match_attr`.
    pub fn attr_loc(&self, mut loc: Loc, a: &ast::ExprAttribute) -> Loc {
        let end = self.loc(a);
        if loc.line != end.end_line {
            loc.line = end.end_line;
            let len = super::to_i32(a.attr.id.len());
            if len <= end.end_col {
                loc.col = end.end_col - len;
            } else {
                loc.col = -1;
                loc.end_col = -1;
            }
            loc.end_line = loc.end_line.max(loc.line);
            if loc.line == loc.end_line {
                loc.end_col = loc.end_col.max(loc.col);
            }
        }
        loc
    }
}

/// The docstring's constant (a str, or one with lone surrogates).
pub(super) fn docstring_const(s: &Stmt, lines: &LineIndex) -> Option<Constant> {
    docstring(s)?;
    let Stmt::Expr(e) = s else { return None };
    super::fold::string_literal(e.value.as_ref(), lines)
}

/// `_PyAST_GetDocString`: the first statement is a string-literal expression.
/// The offset of the next token after `pos`: skips whitespace, newlines, comments and
/// line continuations.
pub fn skip_trivia(source: &str, mut pos: usize) -> usize {
    let bytes = source.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\\' => pos += 1,
            b'#' => {
                while bytes.get(pos).is_some_and(|&b| b != b'\n' && b != b'\r') {
                    pos += 1;
                }
            }
            _ => break,
        }
    }
    pos
}

pub fn docstring(s: &Stmt) -> Option<String> {
    if let Stmt::Expr(e) = s {
        if let Expr::StringLiteral(lit) = e.value.as_ref() {
            return Some(lit.value.to_str().to_owned());
        }
    }
    None
}

/// True for expressions that are (or fold to) `Constant` nodes in CPython's AST.
pub fn is_constant_node(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::EllipsisLiteral(_) => true,
        Expr::Name(n) => n.id.as_str() == "__debug__",
        Expr::Tuple(_) | Expr::UnaryOp(_) | Expr::BinOp(_) | Expr::Subscript(_) => true,
        _ => false,
    }
}

/// `is_two_element_slice`.
pub fn two_element_slice(e: &Expr) -> Option<&ast::ExprSlice> {
    match e {
        Expr::Slice(s) if s.step.is_none() => Some(s),
        _ => None,
    }
}

/// `location_is_after`: `a` starts on a later line than `b`, or on its line after it ends.
fn location_is_after(a: Loc, b: Loc) -> bool {
    a.line > b.line || (a.line == b.line && a.col > b.end_col)
}
