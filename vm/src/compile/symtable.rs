//! Scopes and name kinds, after CPython 3.12's `Python/symtable.c`: one pass collects the
//! definitions and uses of every name per block (`symtable_visit_*`), a second decides
//! each name's scope (`analyze_block` / `analyze_name`), including PEP 709's inlining of
//! list/set/dict comprehensions into their enclosing scope (`inline_comprehension`).

use std::collections::{HashMap, HashSet};

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::{mangle, syntax_error, unsupported, CompileError, LineIndex, Loc};

pub const DEF_GLOBAL: u32 = 1;
pub const DEF_LOCAL: u32 = 2;
pub const DEF_PARAM: u32 = 4;
pub const DEF_NONLOCAL: u32 = 8;
pub const USE: u32 = 16;
pub const DEF_FREE_CLASS: u32 = 64;
pub const DEF_IMPORT: u32 = 128;
pub const DEF_ANNOT: u32 = 256;
pub const DEF_COMP_ITER: u32 = 512;
/// `DEF_TYPE_PARAM`: a PEP 695 type parameter (`def f[T]`, `class C[T]`, `type A[T]`).
pub const DEF_TYPE_PARAM: u32 = 1024;
pub const DEF_COMP_CELL: u32 = 2048;
pub const DEF_BOUND: u32 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;
const SCOPE_OFFSET: u32 = 12;
const SCOPE_MASK: u32 = 7;

/// The resolved kind of a name (`LOCAL`, `GLOBAL_EXPLICIT`, … in `symtable.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Unknown = 0,
    Local = 1,
    GlobalExplicit = 2,
    GlobalImplicit = 3,
    Free = 4,
    Cell = 5,
}

fn scope_from(n: u32) -> Scope {
    match n {
        1 => Scope::Local,
        2 => Scope::GlobalExplicit,
        3 => Scope::GlobalImplicit,
        4 => Scope::Free,
        5 => Scope::Cell,
        _ => Scope::Unknown,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockType {
    Module,
    Function,
    Class,
    /// The annotation scopes of PEP 695 (`TypeParamBlock`, `TypeVarBoundBlock`,
    /// `TypeAliasBlock`): function-like blocks that can see an enclosing class's names.
    TypeParams,
    TypeVarBound,
    TypeAlias,
}

/// Symbols in insertion order (CPython's `ste_symbols` dict keeps insertion order, and
/// inlined comprehensions push their locals in that order).
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    pub order: Vec<String>,
    pub flags: HashMap<String, u32>,
}

impl Symbols {
    pub fn get(&self, name: &str) -> Option<u32> {
        self.flags.get(name).copied()
    }
    pub fn set(&mut self, name: &str, value: u32) {
        if !self.flags.contains_key(name) {
            self.order.push(name.to_owned());
        }
        self.flags.insert(name.to_owned(), value);
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.order
            .iter()
            .map(|n| (n.as_str(), self.flags.get(n).copied().unwrap_or(0)))
    }
}

/// One block (`PySTEntryObject`).
#[derive(Clone, Debug)]
#[allow(dead_code)] // `name` mirrors PySTEntryObject for debugging
pub struct Entry {
    pub name: String,
    pub kind: BlockType,
    pub symbols: Symbols,
    /// Parameters in order (`ste_varnames`).
    pub varnames: Vec<String>,
    pub children: Vec<usize>,
    pub nested: bool,
    pub generator: bool,
    pub coroutine: bool,
    pub comprehension: bool,
    pub comp_inlined: bool,
    pub varargs: bool,
    pub varkeywords: bool,
    pub free: bool,
    pub child_free: bool,
    pub needs_class_closure: bool,
    pub is_lambda: bool,
    /// `ste_comp_iter_target`: a comprehension's iteration target is being visited, so
    /// the names it binds get DEF_COMP_ITER (build-time state).
    comp_iter_target: bool,
    /// `ste_comp_iter_expr`: how deep inside comprehension iterables the visit is; a
    /// block entered there inherits it (bpo-37757), so `:=` anywhere in one is refused.
    comp_iter_expr: u32,
    /// `ste_can_see_class_scope`: an annotation scope directly inside a class, whose
    /// names are looked up in the class namespace (`__classdict__`) first.
    pub can_see_class_scope: bool,
    /// `ste_needs_classdict`: a class whose annotation scopes use `__classdict__`.
    pub needs_classdict: bool,
    /// Where each `global` or `nonlocal` statement first names a symbol
    /// (`ste_directives`, for `error_at_directive`).
    pub directives: HashMap<String, Loc>,
}

impl Entry {
    /// `_PyST_IsFunctionLike`.
    pub fn is_function_like(&self) -> bool {
        matches!(
            self.kind,
            BlockType::Function
                | BlockType::TypeParams
                | BlockType::TypeVarBound
                | BlockType::TypeAlias
        )
    }

    pub fn scope_of(&self, name: &str) -> Scope {
        self.symbols.get(name).map_or(Scope::Unknown, |f| {
            scope_from((f >> SCOPE_OFFSET) & SCOPE_MASK)
        })
    }
}

/// The symbol table of a module: entries plus the AST-node → entry map.
pub struct SymbolTable {
    pub entries: Vec<Entry>,
    by_node: HashMap<usize, usize>,
}

impl SymbolTable {
    pub fn lookup<T>(&self, node: &T) -> Option<usize> {
        self.by_node.get(&(node as *const T as usize)).copied()
    }
}

pub fn scope_of_flags(flags: u32) -> Scope {
    scope_from((flags >> SCOPE_OFFSET) & SCOPE_MASK)
}

struct Builder<'a> {
    entries: Vec<Entry>,
    by_node: HashMap<usize, usize>,
    stack: Vec<usize>,
    private: Option<String>,
    lines: &'a LineIndex,
    /// Nesting depth of statements and expressions; bounded so that every later recursive
    /// pass (folding, codegen) is bounded too.
    depth: usize,
    /// `from __future__ import annotations`: annotations are strings, so their names are
    /// no uses (CPython visits them in a separate annotation block).
    future_annotations: bool,
    /// Generic classes' bases, the nodes code generation compiles ([`super::typeparams`]).
    generic_bases: &'a HashMap<usize, Vec<Expr>>,
}

/// How deep statements and expressions may nest before framespec stops as unsupported.
/// CPython's compiler raises RecursionError ("maximum recursion depth exceeded during
/// compilation") at about 3000 levels (`C_RECURSION_LIMIT` times
/// `COMPILER_STACK_FRAME_SCALE`, less what the caller's C stack already holds, so the
/// exact depth depends on where `compile()` runs); below this limit every depth compiles
/// in both. The Rust passes recurse per level, so the limit also bounds their stack.
const MAX_DEPTH: usize = 2900;

/// The unsupported verdict for nesting deeper than [`MAX_DEPTH`].
const TOO_DEEP: &str = "nesting of statements and expressions deeper than 2900 levels \
     (CPython's limit, about 3000, depends on its C stack)";

pub fn build(
    module: &ast::ModModule,
    lines: &LineIndex,
    future_annotations: bool,
    generic_bases: &HashMap<usize, Vec<Expr>>,
) -> Result<SymbolTable, CompileError> {
    let mut b = Builder {
        entries: Vec::new(),
        by_node: HashMap::new(),
        stack: Vec::new(),
        private: None,
        lines,
        depth: 0,
        future_annotations,
        generic_bases,
    };
    b.enter("top", BlockType::Module, module as *const _ as usize);
    for s in &module.body {
        b.stmt(s)?;
    }
    b.stack.pop();
    let mut table = SymbolTable {
        entries: b.entries,
        by_node: b.by_node,
    };
    analyze(&mut table)?;
    Ok(table)
}

impl Builder<'_> {
    fn cur(&mut self) -> &mut Entry {
        let i = self.stack.last().copied().unwrap_or(0);
        &mut self.entries[i]
    }

    fn enter(&mut self, name: &str, kind: BlockType, key: usize) -> usize {
        let nested = self
            .stack
            .last()
            .map(|&p| self.entries[p].nested || self.entries[p].is_function_like())
            .unwrap_or(false);
        let comp_iter_expr = self
            .stack
            .last()
            .map_or(0, |&p| self.entries[p].comp_iter_expr);
        let id = self.entries.len();
        self.entries.push(Entry {
            name: name.to_owned(),
            kind,
            symbols: Symbols::default(),
            varnames: Vec::new(),
            children: Vec::new(),
            nested,
            generator: false,
            coroutine: false,
            comprehension: false,
            comp_inlined: false,
            varargs: false,
            varkeywords: false,
            free: false,
            child_free: false,
            needs_class_closure: false,
            is_lambda: false,
            comp_iter_target: false,
            comp_iter_expr,
            can_see_class_scope: false,
            needs_classdict: false,
            directives: HashMap::new(),
        });
        if let Some(&p) = self.stack.last() {
            self.entries[p].children.push(id);
        }
        self.by_node.insert(key, id);
        self.stack.push(id);
        id
    }

    /// `symtable_add_def`: a definition in the current block.
    fn add_def(&mut self, name: &str, flag: u32, loc: Loc) -> Result<(), CompileError> {
        let cur = self.stack.last().copied().unwrap_or(0);
        self.add_def_in(cur, name, flag, loc)
    }

    /// `symtable_add_def_helper`: a definition in block `at`, which is the current block
    /// except for the scope an assignment expression in a comprehension binds in.
    fn add_def_in(
        &mut self,
        at: usize,
        name: &str,
        flag: u32,
        loc: Loc,
    ) -> Result<(), CompileError> {
        let mangled = mangle(self.private.as_deref(), name);
        let entry = &mut self.entries[at];
        let old = entry.symbols.get(&mangled).unwrap_or(0);
        if flag & DEF_PARAM != 0 && old & DEF_PARAM != 0 {
            return Err(syntax_error(
                &format!("duplicate argument '{name}' in function definition"),
                loc,
            ));
        }
        if flag & DEF_TYPE_PARAM != 0 && old & DEF_TYPE_PARAM != 0 {
            return Err(syntax_error(
                &format!("duplicate type parameter '{name}'"),
                loc,
            ));
        }
        let mut val = old | flag;
        if entry.comp_iter_target {
            // An iteration variable may not be a name an earlier `:=` in the
            // comprehension bound in the enclosing scope.
            if val & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
                return Err(syntax_error(
                    &format!(
                        "comprehension inner loop cannot rebind assignment expression target '{name}'"
                    ),
                    loc,
                ));
            }
            val |= DEF_COMP_ITER;
        }
        entry.symbols.set(&mangled, val);
        if flag & DEF_PARAM != 0 {
            entry.varnames.push(mangled);
        } else if flag & DEF_GLOBAL != 0 {
            // A `global` anywhere also marks the name in the module's own table
            // (`st_global`), so module code uses *_GLOBAL for it.
            let top = &mut self.entries[0];
            let f = top.symbols.get(&mangled).unwrap_or(0);
            top.symbols.set(&mangled, f | flag);
        }
        Ok(())
    }

    /// `symtable_record_directive`: where the current block first declared `name`
    /// global or nonlocal (a `global`/`nonlocal` statement, or a `:=` in a comprehension).
    fn record_directive(&mut self, name: &str, loc: Loc) {
        let mangled = mangle(self.private.as_deref(), name);
        self.cur().directives.entry(mangled).or_insert(loc);
    }

    /// `symtable_handle_namedexpr`: `target := value`. Inside a comprehension the target
    /// binds in the nearest enclosing function or module (PEP 572), never in a class.
    fn named(&mut self, n: &ast::ExprNamed, loc: Loc) -> Result<(), CompileError> {
        if self.cur().comp_iter_expr > 0 {
            return Err(syntax_error(
                "assignment expression cannot be used in a comprehension iterable expression",
                loc,
            ));
        }
        if self.cur().comprehension {
            self.extend_named_scope(&n.target)?;
        }
        self.expr(&n.value)?;
        self.expr(&n.target)
    }

    /// `symtable_extend_namedexpr_scope`.
    fn extend_named_scope(&mut self, target: &Expr) -> Result<(), CompileError> {
        let Expr::Name(t) = target else {
            return Ok(());
        };
        let name = t.id.as_str();
        let loc = self.loc(target);
        for i in (0..self.stack.len()).rev() {
            let at = self.stack[i];
            let entry = &self.entries[at];
            let flags = entry.symbols.get(name).unwrap_or(0);
            if entry.comprehension {
                if flags & DEF_COMP_ITER != 0 && flags & DEF_LOCAL != 0 {
                    return Err(syntax_error(
                        &format!(
                            "assignment expression cannot rebind comprehension iteration variable '{name}'"
                        ),
                        loc,
                    ));
                }
                continue;
            }
            match entry.kind {
                BlockType::Function => {
                    let flag = if flags & DEF_GLOBAL != 0 {
                        DEF_GLOBAL
                    } else {
                        DEF_NONLOCAL
                    };
                    self.add_def(name, flag, loc)?;
                    self.record_directive(name, loc);
                    return self.add_def_in(at, name, DEF_LOCAL, loc);
                }
                BlockType::Module => {
                    self.add_def(name, DEF_GLOBAL, loc)?;
                    self.record_directive(name, loc);
                    return self.add_def_in(at, name, DEF_GLOBAL, loc);
                }
                BlockType::Class => {
                    return Err(syntax_error(
                        "assignment expression within a comprehension cannot be used in a class body",
                        loc,
                    ));
                }
                BlockType::TypeParams => {
                    return Err(syntax_error(
                        "assignment expression within a comprehension cannot be used within the definition of a generic",
                        loc,
                    ));
                }
                BlockType::TypeAlias => {
                    return Err(syntax_error(
                        "assignment expression within a comprehension cannot be used in a type alias",
                        loc,
                    ));
                }
                BlockType::TypeVarBound => {
                    return Err(syntax_error(
                        "assignment expression within a comprehension cannot be used in a TypeVar bound",
                        loc,
                    ));
                }
            }
        }
        Ok(())
    }

    fn loc(&self, node: &impl ruff_text_size::Ranged) -> Loc {
        self.lines.of(node)
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), CompileError> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn exprs<'e>(&mut self, es: impl IntoIterator<Item = &'e Expr>) -> Result<(), CompileError> {
        es.into_iter().try_for_each(|e| self.expr(e))
    }

    /// `symtable_visit_pattern`: captures are local definitions, values and classes loads.
    fn pattern(&mut self, p: &ast::Pattern) -> Result<(), CompileError> {
        use ast::Pattern as P;
        let loc = self.loc(p);
        match p {
            P::MatchValue(v) => self.expr(&v.value),
            P::MatchSingleton(_) => Ok(()),
            P::MatchSequence(s) => s.patterns.iter().try_for_each(|q| self.pattern(q)),
            P::MatchStar(s) => match &s.name {
                Some(n) => self.add_def(&n.id, DEF_LOCAL, loc),
                None => Ok(()),
            },
            P::MatchMapping(m) => {
                self.exprs(&m.keys)?;
                m.patterns.iter().try_for_each(|q| self.pattern(q))?;
                match &m.rest {
                    Some(n) => self.add_def(&n.id, DEF_LOCAL, loc),
                    None => Ok(()),
                }
            }
            P::MatchClass(c) => {
                self.expr(&c.cls)?;
                let a = &c.arguments;
                a.patterns.iter().try_for_each(|q| self.pattern(q))?;
                a.keywords.iter().try_for_each(|k| self.pattern(&k.pattern))
            }
            P::MatchAs(a) => {
                if let Some(q) = &a.pattern {
                    self.pattern(q)?;
                }
                match &a.name {
                    Some(n) => self.add_def(&n.id, DEF_LOCAL, loc),
                    None => Ok(()),
                }
            }
            P::MatchOr(o) => o.patterns.iter().try_for_each(|q| self.pattern(q)),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), CompileError> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            Err(unsupported(TOO_DEEP, self.loc(s)))
        } else {
            self.stmt_inner(s)
        };
        self.depth -= 1;
        result
    }

    fn stmt_inner(&mut self, s: &Stmt) -> Result<(), CompileError> {
        let loc = self.loc(s);
        match s {
            Stmt::FunctionDef(f) => {
                self.add_def(&f.name.id, DEF_LOCAL, loc)?;
                self.defaults(&f.parameters)?;
                for d in &f.decorator_list {
                    self.expr(&d.expression)?;
                }
                let generic = f.type_params.as_deref().filter(|t| !t.is_empty());
                if let Some(tp) = generic {
                    // CPython's parser always gives `args->defaults` (possibly empty), so
                    // `.defaults` is always a parameter; `.kwdefaults` only when some
                    // keyword-only parameter has a default (`has_kwonlydefaults`).
                    let kwdefaults = f.parameters.kwonlyargs.iter().any(|a| a.default.is_some());
                    self.enter_type_param_block(&f.name.id, tp, true, kwdefaults, false, loc)?;
                    self.type_params(tp)?;
                }
                self.annotations(&f.parameters, f.returns.as_deref())?;
                let id = self.enter(&f.name.id, BlockType::Function, f as *const _ as usize);
                // `async def`: the block is a coroutine (AsyncFunctionDef_kind).
                self.entries[id].coroutine = f.is_async;
                self.params(&f.parameters)?;
                self.stmts(&f.body)?;
                self.stack.pop();
                if generic.is_some() {
                    self.stack.pop();
                }
            }
            Stmt::ClassDef(c) => {
                self.add_def(&c.name.id, DEF_LOCAL, loc)?;
                for d in &c.decorator_list {
                    self.expr(&d.expression)?;
                }
                let generic = c.type_params.as_deref().filter(|t| !t.is_empty());
                if let Some(tp) = generic {
                    self.enter_type_param_block(&c.name.id, tp, false, false, true, loc)?;
                    self.private = Some(c.name.id.to_string());
                    self.type_params(tp)?;
                }
                // CPython 3.12 saves the mangling class only now, so a generic class's
                // name keeps mangling what follows it in the enclosing block (as its
                // compiler_class sets the enclosing unit's `u_private`).
                let saved = self.private.clone();
                // A generic class's bases are visited as the copies compiler_class
                // compiles, without the `.generic_base` it appends.
                let copied = self.generic_bases.get(&(c as *const _ as usize));
                match (copied, &c.arguments) {
                    (Some(bases), _) => {
                        let n = bases.len().saturating_sub(1);
                        self.exprs(bases.iter().take(n))?;
                    }
                    (None, Some(args)) => self.exprs(args.args.iter())?,
                    (None, None) => {}
                }
                if let Some(args) = &c.arguments {
                    self.exprs(args.keywords.iter().map(|k| &k.value))?;
                }
                self.enter(&c.name.id, BlockType::Class, c as *const _ as usize);
                self.private = Some(c.name.id.to_string());
                if generic.is_some() {
                    self.add_def("__type_params__", DEF_LOCAL, loc)?;
                    self.add_def(".type_params", USE, loc)?;
                }
                self.stmts(&c.body)?;
                self.stack.pop();
                if generic.is_some() {
                    self.stack.pop();
                }
                self.private = saved;
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v)?;
                }
            }
            Stmt::Delete(d) => self.exprs(d.targets.iter())?,
            Stmt::Assign(a) => {
                self.exprs(a.targets.iter())?;
                self.expr(&a.value)?;
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.target)?;
                self.expr(&a.value)?;
            }
            Stmt::AnnAssign(a) => self.ann_assign(a, loc)?,
            Stmt::TypeAlias(a) => self.type_alias(a, loc)?,
            Stmt::For(f) => {
                self.expr(&f.target)?;
                self.expr(&f.iter)?;
                self.stmts(&f.body)?;
                self.stmts(&f.orelse)?;
            }
            Stmt::While(w) => {
                self.expr(&w.test)?;
                self.stmts(&w.body)?;
                self.stmts(&w.orelse)?;
            }
            Stmt::If(i) => {
                self.expr(&i.test)?;
                self.stmts(&i.body)?;
                for clause in &i.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.expr(t)?;
                    }
                    self.stmts(&clause.body)?;
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr)?;
                    if let Some(v) = &item.optional_vars {
                        self.expr(v)?;
                    }
                }
                self.stmts(&w.body)?;
            }
            // symtable_visit_stmt, Match_kind: subject, then each case's pattern, guard, body.
            Stmt::Match(m) => {
                self.expr(&m.subject)?;
                for case in &m.cases {
                    self.pattern(&case.pattern)?;
                    if let Some(g) = &case.guard {
                        self.expr(g)?;
                    }
                    self.stmts(&case.body)?;
                }
            }
            Stmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.expr(e)?;
                }
                if let Some(c) = &r.cause {
                    self.expr(c)?;
                }
            }
            Stmt::Try(t) => {
                self.stmts(&t.body)?;
                self.stmts(&t.orelse)?;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(ty) = &h.type_ {
                        self.expr(ty)?;
                    }
                    if let Some(n) = &h.name {
                        self.add_def(&n.id, DEF_LOCAL, self.loc(h))?;
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(&t.finalbody)?;
            }
            Stmt::Assert(a) => {
                self.expr(&a.test)?;
                if let Some(m) = &a.msg {
                    self.expr(m)?;
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    self.import_alias(alias, loc)?;
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    if alias.name.id.as_str() == "*" {
                        if self.cur().kind != BlockType::Module {
                            // Located at the `*` alias, as `symtable_visit_alias` does.
                            let star = self.lines.of(alias);
                            return Err(syntax_error(
                                "import * only allowed at module level",
                                star,
                            ));
                        }
                        continue;
                    }
                    self.import_alias(alias, loc)?;
                }
            }
            Stmt::Global(g) => self.global_or_nonlocal(&g.names, DEF_GLOBAL, loc)?,
            Stmt::Nonlocal(n) => {
                if self.cur().kind == BlockType::Module {
                    return Err(syntax_error(
                        "nonlocal declaration not allowed at module level",
                        loc,
                    ));
                }
                self.global_or_nonlocal(&n.names, DEF_NONLOCAL, loc)?
            }
            Stmt::Expr(e) => self.expr(&e.value)?,
            Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) => {}
            Stmt::IpyEscapeCommand(_) => return Err(unsupported("IPython escape command", loc)),
        }
        Ok(())
    }

    fn import_alias(&mut self, alias: &ast::Alias, loc: Loc) -> Result<(), CompileError> {
        let name = match &alias.asname {
            Some(a) => a.id.to_string(),
            None => alias
                .name
                .id
                .split('.')
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        self.add_def(&name, DEF_IMPORT, loc)
    }

    fn global_or_nonlocal(
        &mut self,
        names: &[ast::Identifier],
        flag: u32,
        loc: Loc,
    ) -> Result<(), CompileError> {
        let what = if flag == DEF_GLOBAL {
            "global"
        } else {
            "nonlocal"
        };
        for n in names {
            let mangled = mangle(self.private.as_deref(), &n.id);
            let cur = self.cur();
            let old = cur.symbols.get(&mangled).unwrap_or(0);
            if old & (DEF_PARAM | DEF_LOCAL | USE | DEF_IMPORT | DEF_ANNOT) != 0 {
                let msg = if old & DEF_PARAM != 0 {
                    format!("name '{}' is parameter and {what}", n.id)
                } else if old & USE != 0 {
                    format!("name '{}' is used prior to {what} declaration", n.id)
                } else if old & DEF_ANNOT != 0 {
                    format!("annotated name '{}' can't be {what}", n.id)
                } else {
                    format!("name '{}' is assigned to before {what} declaration", n.id)
                };
                return Err(syntax_error(&msg, loc));
            }
            self.record_directive(&n.id, loc);
            self.add_def(&n.id, flag, loc)?;
        }
        Ok(())
    }

    fn defaults(&mut self, p: &ast::Parameters) -> Result<(), CompileError> {
        for a in p.posonlyargs.iter().chain(p.args.iter()) {
            if let Some(d) = &a.default {
                self.expr(d)?;
            }
        }
        for a in &p.kwonlyargs {
            if let Some(d) = &a.default {
                self.expr(d)?;
            }
        }
        Ok(())
    }

    /// `symtable_visit_annotations`: the parameters' annotations, then the return
    /// annotation, all in the enclosing block.
    fn annotations(
        &mut self,
        p: &ast::Parameters,
        returns: Option<&Expr>,
    ) -> Result<(), CompileError> {
        if self.future_annotations {
            let all = p
                .posonlyargs
                .iter()
                .chain(&p.args)
                .chain(&p.kwonlyargs)
                .filter_map(|a| a.parameter.annotation.as_deref())
                .chain(p.vararg.as_ref().and_then(|a| a.annotation.as_deref()))
                .chain(p.kwarg.as_ref().and_then(|a| a.annotation.as_deref()))
                .chain(returns);
            for a in all {
                self.string_annotation(a)?;
            }
            return Ok(());
        }
        fn plain(list: &[ast::ParameterWithDefault]) -> impl Iterator<Item = &Expr> {
            list.iter()
                .filter_map(|a| a.parameter.annotation.as_deref())
        }
        self.exprs(plain(&p.posonlyargs))?;
        self.exprs(plain(&p.args))?;
        if let Some(a) = p.vararg.as_ref().and_then(|a| a.annotation.as_deref()) {
            self.expr(a)?;
        }
        if let Some(a) = p.kwarg.as_ref().and_then(|a| a.annotation.as_deref()) {
            self.expr(a)?;
        }
        self.exprs(plain(&p.kwonlyargs))?;
        if let Some(r) = returns {
            self.expr(r)?;
        }
        Ok(())
    }

    /// An annotation under `from __future__ import annotations`: CPython visits it in an
    /// annotation block of its own, so its names touch no scope, and refuses there what
    /// only makes sense when evaluated (`ANNOTATION_NOT_ALLOWED`).
    fn string_annotation(&mut self, e: &Expr) -> Result<(), CompileError> {
        use ruff_python_ast::visitor::{walk_expr, Visitor};
        struct Find<'e>(Option<(&'static str, &'e Expr)>);
        impl<'e> Visitor<'e> for Find<'e> {
            fn visit_expr(&mut self, e: &'e Expr) {
                if self.0.is_some() {
                    return;
                }
                let what = match e {
                    Expr::Named(_) => "named expression",
                    Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
                    Expr::Await(_) => "await expression",
                    // A lambda is a scope of its own.
                    Expr::Lambda(_) => return,
                    _ => return walk_expr(self, e),
                };
                self.0 = Some((what, e));
            }
        }
        let mut find = Find(None);
        find.visit_expr(e);
        match find.0 {
            Some((what, at)) => Err(syntax_error(
                &format!("{what} cannot be used within an annotation"),
                self.loc(at),
            )),
            None => Ok(()),
        }
    }

    /// `symtable_visit_stmt`, AnnAssign: a simple name is an annotated local (and may not
    /// be declared global or nonlocal outside the module); other targets are visited as
    /// stores; then the annotation and the value.
    fn ann_assign(&mut self, a: &ast::StmtAnnAssign, loc: Loc) -> Result<(), CompileError> {
        if let Expr::Name(n) = a.target.as_ref() {
            let mangled = mangle(self.private.as_deref(), &n.id);
            let cur = self.cur().symbols.get(&mangled).unwrap_or(0);
            let at_module = self.stack.last().is_none_or(|&i| i == 0);
            if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && !at_module && a.simple {
                let what = if cur & DEF_GLOBAL != 0 {
                    "global"
                } else {
                    "nonlocal"
                };
                return Err(syntax_error(
                    &format!("annotated name '{}' can't be {what}", n.id),
                    loc,
                ));
            }
            let nloc = self.loc(n);
            if a.simple {
                self.add_def(&n.id, DEF_ANNOT | DEF_LOCAL, nloc)?;
            } else if a.value.is_some() {
                self.add_def(&n.id, DEF_LOCAL, nloc)?;
            }
        } else {
            self.expr(&a.target)?;
        }
        if self.future_annotations {
            self.string_annotation(&a.annotation)?;
        } else {
            self.expr(&a.annotation)?;
        }
        if let Some(v) = &a.value {
            self.expr(v)?;
        }
        Ok(())
    }

    /// `symtable_visit_arguments`: posonly, args, kwonly, then *args and **kwargs.
    fn params(&mut self, p: &ast::Parameters) -> Result<(), CompileError> {
        for a in p.posonlyargs.iter().chain(&p.args).chain(&p.kwonlyargs) {
            self.add_def(&a.parameter.name.id, DEF_PARAM, self.loc(a))?;
        }
        if let Some(v) = &p.vararg {
            self.add_def(&v.name.id, DEF_PARAM, self.loc(v.as_ref()))?;
            self.cur().varargs = true;
        }
        if let Some(k) = &p.kwarg {
            self.add_def(&k.name.id, DEF_PARAM, self.loc(k.as_ref()))?;
            self.cur().varkeywords = true;
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<(), CompileError> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            Err(unsupported(TOO_DEEP, self.loc(e)))
        } else {
            self.expr_inner(e)
        };
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, e: &Expr) -> Result<(), CompileError> {
        let loc = self.loc(e);
        match e {
            Expr::BoolOp(b) => self.exprs(b.values.iter())?,
            Expr::Named(n) => {
                self.not_in_annotation_scope("named expression", loc)?;
                self.named(n, loc)?
            }
            Expr::BinOp(b) => {
                self.expr(&b.left)?;
                self.expr(&b.right)?;
            }
            Expr::UnaryOp(u) => self.expr(&u.operand)?,
            Expr::Lambda(l) => {
                if self.cur().can_see_class_scope {
                    return Err(syntax_error(
                        "Cannot use lambda in annotation scope within class scope",
                        loc,
                    ));
                }
                if let Some(p) = &l.parameters {
                    self.defaults(p)?;
                }
                let id = self.enter("lambda", BlockType::Function, l as *const _ as usize);
                self.entries[id].is_lambda = true;
                if let Some(p) = &l.parameters {
                    self.params(p)?;
                }
                self.expr(&l.body)?;
                self.stack.pop();
            }
            Expr::If(i) => {
                self.expr(&i.test)?;
                self.expr(&i.body)?;
                self.expr(&i.orelse)?;
            }
            Expr::Dict(d) => {
                for item in &d.items {
                    if let Some(k) = &item.key {
                        self.expr(k)?;
                    }
                    self.expr(&item.value)?;
                }
            }
            Expr::Set(s) => self.exprs(s.elts.iter())?,
            Expr::ListComp(c) => {
                self.comprehension(e, "listcomp", &c.generators, &c.elt, None, false)?
            }
            Expr::SetComp(c) => {
                self.comprehension(e, "setcomp", &c.generators, &c.elt, None, false)?
            }
            Expr::DictComp(c) => {
                let key = c
                    .key
                    .as_deref()
                    .ok_or_else(|| unsupported("dict comprehension without key", loc))?;
                self.comprehension(e, "dictcomp", &c.generators, key, Some(&c.value), false)?
            }
            Expr::Generator(g) => {
                self.comprehension(e, "genexpr", &g.generators, &g.elt, None, true)?
            }
            Expr::Await(a) => {
                self.not_in_annotation_scope("await expression", loc)?;
                self.expr(&a.value)?;
                self.cur().coroutine = true;
            }
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    self.expr(v)?;
                }
                self.mark_generator(loc)?;
            }
            Expr::YieldFrom(y) => {
                self.expr(&y.value)?;
                self.mark_generator(loc)?;
            }
            Expr::Compare(c) => {
                self.expr(&c.left)?;
                self.exprs(c.comparators.iter())?;
            }
            Expr::Call(c) => {
                self.expr(&c.func)?;
                self.exprs(c.arguments.args.iter())?;
                self.exprs(c.arguments.keywords.iter().map(|k| &k.value))?;
            }
            Expr::FString(f) => {
                for el in f.value.elements() {
                    self.fstring_element(el)?;
                }
            }
            Expr::TString(_) => return Err(unsupported("template strings", loc)),
            Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            Expr::Attribute(a) => self.expr(&a.value)?,
            Expr::Subscript(s) => {
                self.expr(&s.value)?;
                self.expr(&s.slice)?;
            }
            Expr::Starred(s) => self.expr(&s.value)?,
            Expr::Name(n) => {
                let flag = if n.ctx == ast::ExprContext::Load {
                    USE
                } else {
                    DEF_LOCAL
                };
                self.add_def(&n.id, flag, loc)?;
                // `super` in a function implicitly uses `__class__` (symtable.c).
                if n.ctx == ast::ExprContext::Load
                    && self.cur().kind == BlockType::Function
                    && n.id.as_str() == "super"
                {
                    self.add_def("__class__", USE, loc)?;
                }
            }
            Expr::List(l) => self.exprs(l.elts.iter())?,
            Expr::Tuple(t) => self.exprs(t.elts.iter())?,
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.expr(part)?;
                }
            }
            Expr::IpyEscapeCommand(_) => return Err(unsupported("IPython escape command", loc)),
        }
        Ok(())
    }

    fn fstring_element(&mut self, el: &ast::InterpolatedStringElement) -> Result<(), CompileError> {
        if let ast::InterpolatedStringElement::Interpolation(i) = el {
            self.expr(&i.expression)?;
            if let Some(spec) = &i.format_spec {
                for inner in spec.elements.iter() {
                    self.fstring_element(inner)?;
                }
            }
        }
        Ok(())
    }

    /// `symtable_enter_type_param_block`: the annotation scope holding a generic
    /// function's, class's or alias's type parameters. Inside a class it sees the class
    /// namespace through `__classdict__`; a class's block binds `.type_params` and
    /// `.generic_base`, a function's receives `.defaults` and `.kwdefaults`.
    fn enter_type_param_block(
        &mut self,
        name: &str,
        tp: &ast::TypeParams,
        defaults: bool,
        kwdefaults: bool,
        class: bool,
        loc: Loc,
    ) -> Result<(), CompileError> {
        let in_class = self.cur().kind == BlockType::Class;
        let id = self.enter(name, BlockType::TypeParams, tp as *const _ as usize);
        if in_class {
            self.entries[id].can_see_class_scope = true;
            self.add_def("__classdict__", USE, loc)?;
        }
        if class {
            for hidden in [".type_params", ".generic_base"] {
                self.add_def(hidden, DEF_LOCAL, loc)?;
                self.add_def(hidden, USE, loc)?;
            }
        }
        if defaults {
            self.add_def(".defaults", DEF_PARAM, loc)?;
        }
        if kwdefaults {
            self.add_def(".kwdefaults", DEF_PARAM, loc)?;
        }
        Ok(())
    }

    /// `symtable_visit_type_param`: each parameter is a local of the type-parameter
    /// block; a bound or constraints tuple is a lazily evaluated scope of its own.
    fn type_params(&mut self, tp: &ast::TypeParams) -> Result<(), CompileError> {
        for p in tp.iter() {
            let loc = self.loc(p);
            let (name, bound, default) = match p {
                ast::TypeParam::TypeVar(v) => (&v.name, v.bound.as_deref(), &v.default),
                ast::TypeParam::TypeVarTuple(v) => (&v.name, None, &v.default),
                ast::TypeParam::ParamSpec(v) => (&v.name, None, &v.default),
            };
            if default.is_some() {
                return Err(unsupported("type parameter default (PEP 696)", loc));
            }
            self.add_def(&name.id, DEF_TYPE_PARAM | DEF_LOCAL, loc)?;
            if let (Some(bound), ast::TypeParam::TypeVar(v)) = (bound, p) {
                let in_class = self.cur().can_see_class_scope;
                let id = self.enter(&name.id, BlockType::TypeVarBound, v as *const _ as usize);
                self.entries[id].can_see_class_scope = in_class;
                if in_class {
                    self.add_def("__classdict__", USE, self.loc(bound))?;
                }
                self.expr(bound)?;
                self.stack.pop();
            }
        }
        Ok(())
    }

    /// `symtable_visit_stmt`, TypeAlias: the name is bound here; the value is a lazily
    /// evaluated scope, inside a type-parameter block when the alias is generic.
    fn type_alias(&mut self, a: &ast::StmtTypeAlias, loc: Loc) -> Result<(), CompileError> {
        self.expr(&a.name)?;
        let Expr::Name(name) = a.name.as_ref() else {
            return Err(unsupported("type alias whose name is not a name", loc));
        };
        let in_class = self.cur().kind == BlockType::Class;
        let generic = a.type_params.as_deref().filter(|t| !t.is_empty());
        if let Some(tp) = generic {
            self.enter_type_param_block(&name.id, tp, false, false, false, loc)?;
            self.type_params(tp)?;
        }
        let id = self.enter(&name.id, BlockType::TypeAlias, a as *const _ as usize);
        self.entries[id].can_see_class_scope = in_class;
        if in_class {
            self.add_def("__classdict__", USE, self.loc(a.value.as_ref()))?;
        }
        self.expr(&a.value)?;
        self.stack.pop();
        if generic.is_some() {
            self.stack.pop();
        }
        Ok(())
    }

    /// `symtable_raise_if_annotation_block`: what only makes sense when evaluated in
    /// place is refused in the lazily evaluated annotation scopes.
    fn not_in_annotation_scope(&mut self, what: &str, loc: Loc) -> Result<(), CompileError> {
        let place = match self.cur().kind {
            BlockType::TypeVarBound => "a TypeVar bound",
            BlockType::TypeAlias => "a type alias",
            BlockType::TypeParams => "the definition of a generic",
            _ => return Ok(()),
        };
        Err(syntax_error(
            &format!("{what} cannot be used within {place}"),
            loc,
        ))
    }

    fn mark_generator(&mut self, loc: Loc) -> Result<(), CompileError> {
        self.not_in_annotation_scope("yield expression", loc)?;
        let cur = self.cur();
        if cur.kind != BlockType::Function {
            // compile.c's `compiler_visit_expr` raises "'yield' outside function" (a
            // compiler_error, after the whole symbol table is built).
            return Ok(());
        }
        if cur.comprehension {
            // `symtable_raise_if_comprehension_block`: named by the comprehension kind.
            let kind = match cur.name.as_str() {
                "<setcomp>" => "set comprehension",
                "<dictcomp>" => "dict comprehension",
                "<genexpr>" => "generator expression",
                _ => "list comprehension",
            };
            return Err(syntax_error(&format!("'yield' inside {kind}"), loc));
        }
        cur.generator = true;
        Ok(())
    }

    /// `symtable_handle_comprehension`.
    fn comprehension(
        &mut self,
        e: &Expr,
        name: &str,
        generators: &[ast::Comprehension],
        elt: &Expr,
        value: Option<&Expr>,
        is_generator: bool,
    ) -> Result<(), CompileError> {
        let Some(outermost) = generators.first() else {
            return Err(unsupported("comprehension without generators", self.loc(e)));
        };
        if self.cur().can_see_class_scope {
            return Err(syntax_error(
                "Cannot use comprehension in annotation scope within class scope",
                self.loc(e),
            ));
        }
        // The outermost iterator is evaluated in the enclosing scope.
        self.comp_iter(&outermost.iter)?;
        let id = self.enter(
            &format!("<{name}>"),
            BlockType::Function,
            e as *const Expr as usize,
        );
        self.entries[id].comprehension = true;
        if is_generator {
            self.entries[id].generator = true;
        }
        // An `async for` clause makes the comprehension a coroutine (an `await` in it
        // does too, see `Expr::Await`).
        if generators.iter().any(|g| g.is_async) {
            self.entries[id].coroutine = true;
        }
        // `symtable_implicit_arg(st, 0)`: the `.0` parameter.
        self.add_def(".0", DEF_PARAM, self.loc(e))?;
        self.comp_target(&outermost.target)?;
        self.exprs(outermost.ifs.iter())?;
        for g in generators.iter().skip(1) {
            // `symtable_visit_comprehension`.
            self.comp_target(&g.target)?;
            self.comp_iter(&g.iter)?;
            self.exprs(g.ifs.iter())?;
        }
        // A dict comprehension's value is visited before its key, as CPython passes
        // them (the order names enter the table).
        if let Some(v) = value {
            self.expr(v)?;
        }
        self.expr(elt)?;
        self.stack.pop();
        // A list, set or dict comprehension that awaits makes its enclosing block a
        // coroutine; an asynchronous generator expression does not.
        if self.entries[id].coroutine && !is_generator {
            self.cur().coroutine = true;
        }
        Ok(())
    }

    /// An iteration target: the names it binds carry DEF_COMP_ITER.
    fn comp_target(&mut self, target: &Expr) -> Result<(), CompileError> {
        self.cur().comp_iter_target = true;
        let r = self.expr(target);
        self.cur().comp_iter_target = false;
        r
    }

    /// An iterable of a comprehension, where `:=` is refused.
    fn comp_iter(&mut self, iter: &Expr) -> Result<(), CompileError> {
        self.cur().comp_iter_expr += 1;
        let r = self.expr(iter);
        self.cur().comp_iter_expr -= 1;
        r
    }
}

type NameSet = HashSet<String>;

fn analyze(table: &mut SymbolTable) -> Result<(), CompileError> {
    let mut free = NameSet::new();
    let global = NameSet::new();
    let mut type_params = NameSet::new();
    analyze_block(table, 0, None, &mut free, &global, &mut type_params, None)
}

/// The names an annotation scope directly inside a class resolves in that class: a
/// name the class declares global is global; one it binds (and does not declare
/// nonlocal) is looked up in the class dict, then the globals — never in an enclosing
/// function (`analyze_name`'s `class_entry` rule).
fn class_scope(class: Option<&Entry>, name: &str) -> Option<Scope> {
    let flags = class?.symbols.get(name)?;
    if flags & DEF_GLOBAL != 0 {
        Some(Scope::GlobalExplicit)
    } else if flags & DEF_BOUND != 0 && flags & DEF_NONLOCAL == 0 {
        Some(Scope::GlobalImplicit)
    } else {
        None
    }
}

/// `error_at_directive`: the `global`/`nonlocal` statement that first named `name`.
fn directive(entry: &Entry, name: &str) -> Loc {
    entry
        .directives
        .get(name)
        .copied()
        .unwrap_or(Loc::line_only(1))
}

/// `analyze_name`.
#[allow(clippy::too_many_arguments)]
fn analyze_name(
    entry: &mut Entry,
    scopes: &mut HashMap<String, Scope>,
    name: &str,
    flags: u32,
    bound: Option<&mut NameSet>,
    local: &mut NameSet,
    free: &mut NameSet,
    global: &mut NameSet,
    type_params: &mut NameSet,
    class_entry: Option<&Entry>,
) -> Result<(), CompileError> {
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_NONLOCAL != 0 {
            return Err(syntax_error(
                &format!("name '{name}' is nonlocal and global"),
                directive(entry, name),
            ));
        }
        scopes.insert(name.to_owned(), Scope::GlobalExplicit);
        global.insert(name.to_owned());
        // The enclosing binding is hidden from this block's children, which see the
        // global (`PySet_Discard(bound, name)` on the block's own copy of `bound`).
        if let Some(bound) = bound {
            bound.remove(name);
        }
        return Ok(());
    }
    if flags & DEF_NONLOCAL != 0 {
        let Some(bound) = bound else {
            return Err(syntax_error(
                "nonlocal declaration not allowed at module level",
                Loc::line_only(1),
            ));
        };
        if !bound.contains(name) {
            return Err(syntax_error(
                &format!("no binding for nonlocal '{name}' found"),
                directive(entry, name),
            ));
        }
        if type_params.contains(name) {
            return Err(syntax_error(
                &format!("nonlocal binding not allowed for type parameter '{name}'"),
                Loc::line_only(1),
            ));
        }
        scopes.insert(name.to_owned(), Scope::Free);
        entry.free = true;
        free.insert(name.to_owned());
        return Ok(());
    }
    if flags & DEF_BOUND != 0 {
        scopes.insert(name.to_owned(), Scope::Local);
        local.insert(name.to_owned());
        global.remove(name);
        if flags & DEF_TYPE_PARAM != 0 {
            type_params.insert(name.to_owned());
        } else {
            type_params.remove(name);
        }
        return Ok(());
    }
    if let Some(scope) = class_scope(class_entry, name) {
        scopes.insert(name.to_owned(), scope);
        return Ok(());
    }
    if bound.is_some_and(|b| b.contains(name)) {
        scopes.insert(name.to_owned(), Scope::Free);
        entry.free = true;
        free.insert(name.to_owned());
        return Ok(());
    }
    if global.contains(name) {
        scopes.insert(name.to_owned(), Scope::GlobalImplicit);
        return Ok(());
    }
    if entry.nested {
        entry.free = true;
    }
    scopes.insert(name.to_owned(), Scope::GlobalImplicit);
    Ok(())
}

/// `analyze_block`: `free` collects the free names of this block for the parent.
fn analyze_block(
    table: &mut SymbolTable,
    id: usize,
    bound: Option<&NameSet>,
    free: &mut NameSet,
    global: &NameSet,
    type_params: &mut NameSet,
    class_entry: Option<usize>,
) -> Result<(), CompileError> {
    let mut local = NameSet::new();
    let mut scopes: HashMap<String, Scope> = HashMap::new();
    let mut newglobal = NameSet::new();
    let mut newfree = NameSet::new();
    let mut newbound = NameSet::new();
    let mut global = global.clone();
    let mut inlined_cells = NameSet::new();
    // `analyze_child_block` gives each block its own copy of `bound`.
    let mut bound: Option<NameSet> = bound.cloned();

    let kind = table.entries[id].kind;
    if kind == BlockType::Class {
        newglobal.extend(global.iter().cloned());
        if let Some(b) = &bound {
            newbound.extend(b.iter().cloned());
        }
    }
    {
        let class = class_entry.map(|c| table.entries[c].clone());
        let entry = &mut table.entries[id];
        let syms: Vec<(String, u32)> = entry
            .symbols
            .iter()
            .map(|(n, f)| (n.to_owned(), f))
            .collect();
        for (name, flags) in syms {
            analyze_name(
                entry,
                &mut scopes,
                &name,
                flags,
                bound.as_mut(),
                &mut local,
                free,
                &mut global,
                type_params,
                class.as_ref(),
            )?;
        }
    }
    if kind != BlockType::Class {
        if table.entries[id].is_function_like() {
            newbound.extend(local.iter().cloned());
        }
        if let Some(b) = &bound {
            newbound.extend(b.iter().cloned());
        }
        newglobal.extend(global.iter().cloned());
    } else {
        newbound.insert("__class__".to_owned());
        newbound.insert("__classdict__".to_owned());
    }

    let children = table.entries[id].children.clone();
    for &child in &children {
        let inline_comp = table.entries[child].comprehension && !table.entries[child].generator;
        let mut child_free = newfree.clone();
        // The class an annotation scope sees: its parent class, or the one its
        // type-parameter block sees.
        let new_class_entry = if table.entries[child].can_see_class_scope {
            if kind == BlockType::Class {
                Some(id)
            } else {
                class_entry
            }
        } else {
            None
        };
        let mut child_type_params = type_params.clone();
        analyze_block(
            table,
            child,
            Some(&newbound),
            &mut child_free,
            &newglobal,
            &mut child_type_params,
            new_class_entry,
        )?;
        if inline_comp {
            inline_comprehension(
                table,
                id,
                child,
                &mut scopes,
                &mut child_free,
                &mut inlined_cells,
            );
            table.entries[child].comp_inlined = true;
        }
        newfree.extend(child_free);
        if table.entries[child].free || table.entries[child].child_free {
            table.entries[id].child_free = true;
        }
    }
    // Splice the children of inlined comprehensions into our children list.
    let mut spliced = Vec::new();
    for &child in &children {
        if table.entries[child].comp_inlined {
            spliced.extend(table.entries[child].children.clone());
        } else {
            spliced.push(child);
        }
    }
    table.entries[id].children = spliced;

    let entry = &mut table.entries[id];
    let classflag = kind == BlockType::Class || entry.can_see_class_scope;
    if entry.is_function_like() {
        // analyze_cells
        let names: Vec<String> = scopes.keys().cloned().collect();
        for name in names {
            if scopes.get(&name) != Some(&Scope::Local) {
                continue;
            }
            if !newfree.contains(&name) && !inlined_cells.contains(&name) {
                continue;
            }
            scopes.insert(name.clone(), Scope::Cell);
            newfree.remove(&name);
        }
    } else if kind == BlockType::Class {
        // drop_class_free
        if newfree.remove("__class__") {
            entry.needs_class_closure = true;
        }
        if newfree.remove("__classdict__") {
            entry.needs_classdict = true;
        }
    }
    // update_symbols
    let order = entry.symbols.order.clone();
    for name in &order {
        let mut flags = entry.symbols.get(name).unwrap_or(0);
        if inlined_cells.contains(name) {
            flags |= DEF_COMP_CELL;
        }
        let scope = scopes.get(name).copied().unwrap_or(Scope::Unknown) as u32;
        entry.symbols.set(
            name,
            (flags & ((1 << SCOPE_OFFSET) - 1)) | (scope << SCOPE_OFFSET),
        );
    }
    let mut free_sorted: Vec<&String> = newfree.iter().collect();
    free_sorted.sort();
    for name in free_sorted {
        if let Some(v) = entry.symbols.get(name) {
            if classflag {
                entry.symbols.set(name, v | DEF_FREE_CLASS);
            }
            continue;
        }
        if bound.as_ref().is_some_and(|b| !b.contains(name)) {
            continue;
        }
        entry
            .symbols
            .set(name, (Scope::Free as u32) << SCOPE_OFFSET);
    }
    free.extend(newfree);
    Ok(())
}

/// `inline_comprehension`: the comprehension's names join the enclosing scope.
fn inline_comprehension(
    table: &mut SymbolTable,
    id: usize,
    comp: usize,
    scopes: &mut HashMap<String, Scope>,
    comp_free: &mut NameSet,
    inlined_cells: &mut NameSet,
) {
    let syms: Vec<(String, u32)> = table.entries[comp]
        .symbols
        .iter()
        .map(|(n, f)| (n.to_owned(), f))
        .collect();
    for (k, comp_flags) in syms {
        if comp_flags & DEF_PARAM != 0 {
            continue;
        }
        let scope = scope_of_flags(comp_flags);
        let only_flags = comp_flags & ((1 << SCOPE_OFFSET) - 1);
        if scope == Scope::Cell || only_flags & DEF_COMP_CELL != 0 {
            inlined_cells.insert(k.clone());
        }
        match table.entries[id].symbols.get(&k) {
            None => {
                table.entries[id].symbols.set(&k, only_flags);
                scopes.insert(k.clone(), scope);
            }
            Some(existing) => {
                if existing & DEF_BOUND != 0
                    && !is_free_in_any_child(table, comp, &k)
                    && table.entries[id].kind != BlockType::Class
                {
                    comp_free.remove(&k);
                }
            }
        }
    }
}

fn is_free_in_any_child(table: &SymbolTable, id: usize, name: &str) -> bool {
    table.entries[id]
        .children
        .iter()
        .any(|&c| table.entries[c].scope_of(name) == Scope::Free)
}
