//! `framespec_vm::dis::dis` against `python3.12 -m dis` for every program in
//! `tests/programs/` (code-object addresses normalised to `0x…`).

mod support;

fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        out.push_str("0x…");
        let tail = &rest[i + 2..];
        let n = tail.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

const SCRIPT: &str = r#"
import dis, io, json, sys
out = []
for p in json.load(sys.stdin):
    buf = io.StringIO()
    try:
        dis.dis(compile(p["source"], "main.py", "exec", dont_inherit=True), file=buf)
    except SyntaxError as e:
        buf.write("SyntaxError: %s" % e)
    out.append(buf.getvalue())
json.dump(out, sys.stdout)
"#;

#[test]
fn dis_matches_cpython() {
    let Some(python) = support::python_or_skip() else {
        return;
    };
    let filter = std::env::var("FRAMESPEC_PROGRAM").ok();
    let programs: Vec<_> = support::programs()
        .into_iter()
        .filter(|(n, _)| filter.as_ref().is_none_or(|f| n.contains(f.as_str())))
        .collect();
    let input: Vec<serde_json::Value> = programs
        .iter()
        .map(|(n, s)| serde_json::json!({"name": n, "source": s}))
        .collect();
    let out = support::run_python(
        &python,
        SCRIPT,
        &serde_json::to_string(&input).expect("json"),
    );
    let theirs: Vec<String> = serde_json::from_str(&out).expect("dis output");
    let mut failures = Vec::new();
    for ((name, source), expected) in programs.iter().zip(theirs) {
        let ours = match framespec_vm::compile(source, "main.py") {
            Ok(code) => framespec_vm::dis::dis(&code),
            Err(e) => format!("CompileError: {e}"),
        };
        let (ours, expected) = (normalise(&ours), normalise(&expected));
        if ours != expected {
            let first = ours
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            eprintln!("--- {name}: first difference at line {first}");
            eprintln!("    ours:    {:?}", ours.lines().nth(first).unwrap_or(""));
            eprintln!(
                "    CPython: {:?}",
                expected.lines().nth(first).unwrap_or("")
            );
            if std::env::var("FRAMESPEC_SHOW").is_ok() {
                eprintln!("{ours}\n=====\n{expected}");
            }
            failures.push(name.clone());
        }
    }
    eprintln!(
        "dis: {}/{} programs identical to `python3.12 -m dis`",
        programs.len() - failures.len(),
        programs.len()
    );
    assert!(failures.is_empty(), "dis differs for {failures:?}");
}
