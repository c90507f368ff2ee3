//! The one opcode table (`framespec_vm::opcode`) against CPython 3.12's own `opcode` and
//! `dis` modules: names, numbers, inline cache sizes, argument kinds and stack effects
//! (`dis.stack_effect` for a range of opargs, with `jump=True` and `jump=False`); and the
//! oparg tables (`framespec_vm::oparg`) against `dis._nb_ops`, `opcode.cmp_op`, the
//! intrinsics' names, `dis.FORMAT_VALUE_CONVERTERS`, `dis.MAKE_FUNCTION_FLAGS` and the
//! opargs CPython's compiler emits.

mod support;

use std::path::Path;
use std::process::ExitCode;

use framespec_vm::oparg::{
    format_value, make_function, resume, BinaryOp, CompareOp, Intrinsic1, Intrinsic2, NameArg,
    SuperAttrArg, UnpackExArg,
};
use framespec_vm::opcode::{ArgKind, Opcode};
use libtest_mimic::Failed;
use serde_json::Value;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![
        cpython::trial("opcode_table_matches_cpython", opcode_table_matches_cpython),
        cpython::trial("oparg_tables_match_cpython", oparg_tables_match_cpython),
    ])
}

const SCRIPT: &str = r#"
import dis, json, opcode
out = {}
for name, op in opcode.opmap.items():
    if op >= 256 or name.startswith("INSTRUMENTED") or op in (17,):
        continue
    if opcode._specializations.get(name) is None and any(name in v for v in opcode._specializations.values()):
        continue
    kinds = []
    for label, table in (("jrel", dis.hasjrel), ("jabs", dis.hasjabs), ("const", dis.hasconst),
                         ("name", dis.hasname), ("local", dis.haslocal), ("free", dis.hasfree),
                         ("compare", dis.hascompare)):
        if op in table:
            kinds.append(label)
    effects = []
    for arg in range(0, 8):
        row = []
        for jump in (False, True):
            try:
                row.append(dis.stack_effect(op, arg if op >= opcode.HAVE_ARGUMENT else None, jump=jump))
            except ValueError:
                row.append(None)
        effects.append(row)
    out[name] = {"op": op, "cache": opcode._inline_cache_entries[op], "kinds": kinds,
                 "hasarg": op >= opcode.HAVE_ARGUMENT, "effects": effects}
json.dump(out, __import__("sys").stdout)
"#;

fn kind_label(k: ArgKind) -> Vec<&'static str> {
    match k {
        ArgKind::Jump => vec!["jrel"],
        ArgKind::Const => vec!["const"],
        ArgKind::Name => vec!["name"],
        ArgKind::Local => vec!["local"],
        ArgKind::Free => vec!["free"],
        ArgKind::Compare => vec!["compare"],
        ArgKind::None | ArgKind::Num => vec![],
    }
}

fn opcode_table_matches_cpython(python: &Path) -> Result<(), Failed> {
    let out = support::run_python(python, SCRIPT, "");
    let theirs: serde_json::Map<String, Value> = serde_json::from_str(&out).expect("json");
    let mut errors = Vec::new();
    // Every base opcode CPython has is in the table, with the same number.
    for (name, info) in &theirs {
        let num = info["op"].as_u64().unwrap_or(0);
        match Opcode::ALL.iter().find(|o| o.name() == name) {
            Some(op) if u64::from(*op as u8) == num => {}
            Some(op) => errors.push(format!("{name}: number {} != {num}", *op as u8)),
            None => errors.push(format!("{name} ({num}) missing from the table")),
        }
    }
    for op in Opcode::ALL {
        let name = op.name();
        let Some(info) = theirs.get(name) else {
            errors.push(format!("{name} is not a CPython 3.12 base opcode"));
            continue;
        };
        if info["cache"].as_u64() != Some(op.cache_entries() as u64) {
            errors.push(format!(
                "{name}: cache entries {} != {}",
                op.cache_entries(),
                info["cache"]
            ));
        }
        let kinds: Vec<String> = info["kinds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if kinds != kind_label(op.arg_kind()) {
            errors.push(format!("{name}: arg kind {:?} != {kinds:?}", op.arg_kind()));
        }
        if info["hasarg"].as_bool() != Some(op.has_arg()) {
            errors.push(format!(
                "{name}: has_arg {} != {}",
                op.has_arg(),
                info["hasarg"]
            ));
        }
        // Eight opargs, each with jump=False and jump=True (null where CPython raises).
        let rows = info["effects"].as_array().filter(|rows| {
            rows.len() == 8
                && rows
                    .iter()
                    .all(|r| r.as_array().is_some_and(|r| r.len() == 2))
        });
        let Some(rows) = rows else {
            errors.push(format!(
                "{name}: malformed stack effects from CPython: {}",
                info["effects"]
            ));
            continue;
        };
        for (arg, row) in rows.iter().enumerate() {
            let ours = op.net_stack_effect(arg as u32);
            for (j, v) in row.as_array().into_iter().flatten().enumerate() {
                if let Some(theirs) = v.as_i64() {
                    if theirs != ours {
                        errors.push(format!(
                            "{name}: stack_effect(arg={arg}, jump={}) {ours} != {theirs}",
                            j == 1
                        ));
                    }
                }
            }
            if !op.has_arg() {
                break;
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "opcode table differs from CPython 3.12:\n{}",
        errors.join("\n")
    )
    .into())
}

const OPARG_SCRIPT: &str = r#"
import dis, json, opcode, sys

def instrs(source, names=None):
    out = []
    def walk(co):
        for ins in dis.get_instructions(co):
            if names is None or ins.opname in names:
                out.append([co.co_name, ins.opname, ins.arg, ins.argval, ins.argrepr,
                            list(co.co_names)])
        for c in co.co_consts:
            if hasattr(c, "co_code"):
                walk(c)
    walk(compile(source, "main.py", "exec"))
    return out

compares = {}
for i, sym in enumerate(opcode.cmp_op):
    [ins] = instrs(f"a {sym} b", {"COMPARE_OP"})
    compares[sym] = ins[2]
resume_src = "def g():\n    yield 1\n    yield from x\nasync def h():\n    await x\n"
name_src = ("print(a.b)\na.c()\nclass C:\n    def f(self):\n"
            "        super().f()\n        return super().g + super(C, self).h\n")
out = {
    "nb_ops": [list(p) for p in dis._nb_ops],
    "cmp_op": list(opcode.cmp_op),
    "compare_opargs": compares,
    "intrinsic_1": list(dis._intrinsic_1_descs),
    "intrinsic_2": list(dis._intrinsic_2_descs),
    "format_value": [name for _, name in dis.FORMAT_VALUE_CONVERTERS],
    "make_function": list(dis.MAKE_FUNCTION_FLAGS),
    "resume": [[i[0], i[2]] for i in instrs(resume_src, {"RESUME"})],
    "names": instrs(name_src, {"LOAD_GLOBAL", "LOAD_ATTR", "LOAD_SUPER_ATTR"}),
    "unpack_ex": instrs("a, *b, c, d = x", {"UNPACK_EX"})[0][2],
}
json.dump(out, sys.stdout)
"#;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_str().unwrap_or("?").to_owned())
        .collect()
}

fn check(errors: &mut Vec<String>, what: &str, ours: Value, theirs: &Value) {
    if &ours != theirs {
        errors.push(format!("{what}: ours {ours}, CPython {theirs}"));
    }
}

fn oparg_tables_match_cpython(python: &Path) -> Result<(), Failed> {
    let out = support::run_python(python, OPARG_SCRIPT, "");
    let theirs: Value = serde_json::from_str(&out).expect("json");
    let mut errors = Vec::new();

    // BINARY_OP: every oparg CPython names, and nothing past them.
    let nb: Vec<Value> = (0..=2 * BinaryOp::INPLACE)
        .map_while(|arg| {
            let (op, inplace) = BinaryOp::from_oparg(arg)?;
            Some(serde_json::json!([op.nb_name(inplace), BinaryOp::dis(arg)]))
        })
        .collect();
    check(&mut errors, "dis._nb_ops", nb.into(), &theirs["nb_ops"]);

    // COMPARE_OP: cmp_op's order, and the whole oparg CPython's compiler emits.
    let symbols: Vec<&str> = CompareOp::ALL.iter().map(|c| c.symbol()).collect();
    check(
        &mut errors,
        "opcode.cmp_op",
        serde_json::json!(symbols),
        &theirs["cmp_op"],
    );
    for op in CompareOp::ALL {
        let emitted = &theirs["compare_opargs"][op.symbol()];
        check(
            &mut errors,
            &format!("COMPARE_OP oparg of {}", op.symbol()),
            op.oparg().into(),
            emitted,
        );
        let decoded = emitted
            .as_u64()
            .and_then(|a| CompareOp::from_oparg(a as u32));
        if decoded != Some(op) {
            errors.push(format!(
                "COMPARE_OP {emitted} decodes to {decoded:?}, not {op:?}"
            ));
        }
    }

    // The intrinsics, by number.
    let names1: Vec<&str> = (0..)
        .map_while(|n| Intrinsic1::from_oparg(n).map(Intrinsic1::name))
        .collect();
    check(
        &mut errors,
        "dis._intrinsic_1_descs",
        serde_json::json!(names1),
        &theirs["intrinsic_1"],
    );
    let names2: Vec<&str> = (0..)
        .map_while(|n| Intrinsic2::from_oparg(n).map(Intrinsic2::name))
        .collect();
    check(
        &mut errors,
        "dis._intrinsic_2_descs",
        serde_json::json!(names2),
        &theirs["intrinsic_2"],
    );
    if Intrinsic1::ALL.len() != names1.len() || Intrinsic2::ALL.len() != names2.len() {
        errors.push("an intrinsic's number is not its place in the table".to_owned());
    }

    // FORMAT_VALUE and MAKE_FUNCTION: the names dis prints, bit by bit.
    check(
        &mut errors,
        "dis.FORMAT_VALUE_CONVERTERS",
        serde_json::json!(format_value::CONVERTERS),
        &theirs["format_value"],
    );
    let conversions = [
        format_value::FVC_NONE,
        format_value::FVC_STR,
        format_value::FVC_REPR,
        format_value::FVC_ASCII,
    ];
    for (i, c) in conversions.iter().enumerate() {
        if *c as usize != i || c & format_value::FVC_MASK != *c {
            errors.push(format!("FVC value {c} is not at {i}"));
        }
    }
    check(
        &mut errors,
        "dis.MAKE_FUNCTION_FLAGS",
        serde_json::json!(make_function::FLAGS),
        &theirs["make_function"],
    );
    let flags = [
        make_function::DEFAULTS,
        make_function::KWDEFAULTS,
        make_function::ANNOTATIONS,
        make_function::CLOSURE,
    ];
    for (i, f) in flags.iter().enumerate() {
        if *f != 1 << i {
            errors.push(format!("MAKE_FUNCTION flag {f} is not bit {i}"));
        }
    }

    // RESUME: at the start, after yield, after yield from, after await.
    let expected = serde_json::json!([
        ["<module>", resume::AT_FUNC_START],
        ["g", resume::AT_FUNC_START],
        ["g", resume::AFTER_YIELD],
        ["g", resume::AFTER_YIELD_FROM],
        ["h", resume::AT_FUNC_START],
        ["h", resume::AFTER_AWAIT],
    ]);
    check(&mut errors, "RESUME opargs", expected, &theirs["resume"]);

    // LOAD_GLOBAL / LOAD_ATTR / LOAD_SUPER_ATTR: the name the oparg indexes and the flag
    // dis reads from it.
    for ins in theirs["names"].as_array().into_iter().flatten() {
        let opname = ins[1].as_str().unwrap_or("");
        let arg = ins[2].as_u64().unwrap_or(0) as u32;
        let names = strings(&ins[5]);
        let (index, flag) = if opname == "LOAD_SUPER_ATTR" {
            let a = SuperAttrArg::decode(arg);
            if SuperAttrArg::encode(a) != arg {
                errors.push(format!("LOAD_SUPER_ATTR {arg} does not round-trip"));
            }
            (a.name, a.method)
        } else {
            let a = NameArg::decode(arg);
            if a.encode() != arg {
                errors.push(format!("{opname} {arg} does not round-trip"));
            }
            (a.name, a.flag)
        };
        let name = names.get(index as usize).cloned().unwrap_or_default();
        if Some(name.as_str()) != ins[3].as_str()
            || flag != ins[4].as_str().unwrap_or("").starts_with("NULL")
        {
            errors.push(format!(
                "{opname} {arg}: ours ({name}, {flag}), CPython {ins}"
            ));
        }
    }
    let unpack = UnpackExArg {
        before: 1,
        after: 2,
    };
    check(
        &mut errors,
        "UNPACK_EX oparg of a, *b, c, d",
        unpack.encode().into(),
        &theirs["unpack_ex"],
    );

    if errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "oparg tables differ from CPython 3.12:\n{}",
        errors.join("\n")
    )
    .into())
}
