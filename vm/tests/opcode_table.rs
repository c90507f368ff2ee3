//! The one opcode table (`framespec_vm::opcode`) against CPython 3.12's own `opcode` and
//! `dis` modules: names, numbers, inline cache sizes, argument kinds and stack effects
//! (`dis.stack_effect` for a range of opargs, with `jump=True` and `jump=False`).

mod support;

use std::path::Path;
use std::process::ExitCode;

use framespec_vm::opcode::{ArgKind, Opcode};
use libtest_mimic::Failed;
use serde_json::Value;
use support::cpython;

fn main() -> ExitCode {
    cpython::run(vec![cpython::trial(
        "opcode_table_matches_cpython",
        opcode_table_matches_cpython,
    )])
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
