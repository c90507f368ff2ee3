//! The `framespec` command line: run the suite, bless expectations from CPython 3.12, write
//! and compare conformance matrices, and run or disassemble a file on the reference VM.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use framespec::compare::mib;
use framespec::compiled::CpythonCompiled;
use framespec::expectations::{self, Expectations};
use framespec::external::{External, Limits};
use framespec::matrix::{self, Matrix};
use framespec::python::{self, REFERENCE_VERSION};
use framespec::report;
use framespec::runner::{self, bless_one, collect, run_suite, Blessed, CaseFile, Run};
use framespec::{Reference, Target};
use framespec_vm::{End, RunOptions};
use rayon::prelude::*;

#[derive(Parser)]
#[command(
    name = "framespec",
    version,
    about = "Conformance suite and reference VM for CPython 3.12's frame machinery"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run cases on one or more targets and compare with their expectations.
    Run {
        #[command(flatten)]
        suite: Suite,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Record expectations by running CPython 3.12 (never the reference VM); with
    /// `--python` naming another CPython 3.8-3.13, record where it differs from 3.12 as
    /// that version's overrides.
    Bless {
        /// Case files or directories (default: the cases/ directory).
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Run cases on targets and write the conformance matrix (chapters, clauses and tags by
    /// targets) as DIR/matrix.json, DIR/matrix.md and a self-contained DIR/matrix.html.
    Matrix {
        #[command(flatten)]
        suite: Suite,
        /// The directory to write the three files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Every implementation found, as columns after the given targets: each installed
        /// CPython 3.8–3.13, PyPy and RustPython.
        #[arg(long)]
        all: bool,
    },
    /// Print, as Markdown for a pull request, the cases fixed, broken, changed, new and
    /// removed per target between two matrix.json files.
    Compare { old: PathBuf, new: PathBuf },
    /// Run a Python file, a `.pyc` file CPython 3.12 wrote, or a bytecode listing
    /// (`FILE.asm`, spec/BYTECODE.md), on the reference VM, like
    /// `python FILE [ARGS…]`, a command, like `python -c CODE [ARGS…]`, or a module of the
    /// standard library, like `python -m MODULE [ARGS…]`; the arguments after the file
    /// (the command, the module) are the program's `sys.argv[1:]`.
    #[command(
        override_usage = "framespec exec [OPTIONS] FILE [ARGS]...\n       framespec exec [OPTIONS] -c CODE [ARGS]...\n       framespec exec [OPTIONS] -m MODULE [ARGS]..."
    )]
    Exec {
        /// The program to run, as `python -c` runs it (`sys.argv[0]` is `-c`).
        #[arg(short = 'c', value_name = "CODE", conflicts_with = "module")]
        command: Option<String>,
        /// The standard-library module to run as `__main__`, as `python -m` runs it
        /// (`sys.argv[0]` becomes the module's file), e.g. `-m unittest -v test.test_scope`.
        #[arg(short = 'm', value_name = "MODULE")]
        module: Option<String>,
        /// The file to run (unless `-c` or `-m` is given), then the program's arguments.
        #[arg(
            value_name = "FILE | ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        args: Vec<String>,
        /// Instruction budget (default: none, the program runs to its end as under python).
        #[arg(long)]
        fuel: Option<u64>,
        /// Heap budget, in MiB.
        #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MEMORY_MIB)]
        memory: u64,
        /// Before each instruction of the program, print the instruction and the program's
        /// frames with their interpreter-frame fields (owner, lasti, return offset, frame
        /// object, value stack, local/cell/free slots), interleaved with the program's
        /// output (README "Watching the frames").
        #[arg(long)]
        trace_frames: bool,
    },
    /// Disassemble a Python file (or a bytecode listing, `FILE.asm`) as CPython 3.12's `dis`
    /// would; with `--asm`, print it as a bytecode listing instead (the format of a case's
    /// `bytecode:`, spec/BYTECODE.md), which assembles back into the identical code object.
    Dis {
        file: PathBuf,
        /// Print the bytecode listing (`code` sections, labels, locations, exception table).
        #[arg(long)]
        asm: bool,
    },
    /// Compile a Python file to a `.pyc` file that CPython 3.12 loads and runs (marshal
    /// format 4 behind a timestamp header, as `py_compile` writes).
    Compile {
        file: PathBuf,
        /// Where to write it (default: FILE with the extension `.pyc`).
        #[arg(short = 'o', long, value_name = "OUT.pyc")]
        output: Option<PathBuf>,
    },
    /// Manage a target's expected failures (`expectations/<target>.yaml`).
    Expectations {
        #[command(subcommand)]
        action: ExpectationsAction,
    },
}

#[derive(Subcommand)]
enum ExpectationsAction {
    /// Run the cases on a target without its file, then write the file: every failing case
    /// with the channels that differ, every case that crashes, hangs or is unsupported on
    /// the skip list. Reasons already written are kept.
    Update {
        /// Case files or directories (default: the cases/ directory).
        paths: Vec<PathBuf>,
        /// The target (not the reference VM).
        #[arg(long, value_parser = parse_target)]
        target: TargetSpec,
        #[command(flatten)]
        common: Common,
        /// Where targets' expectations files are.
        #[arg(long, default_value_os_t = expectations::default_dir())]
        expectations: PathBuf,
    },
}

/// What `run` and `matrix` run: cases, targets, and how.
#[derive(clap::Args)]
struct Suite {
    /// Case files or directories (default: the cases/ directory).
    paths: Vec<PathBuf>,
    /// Targets to run on (repeatable), each a column of the report: `reference`,
    /// `reference-settrace` and `reference-monitoring` (the reference VM observed by the
    /// adapter's Python observer on its own sys.settrace or sys.monitoring; trace and
    /// snapshot cases only), `reference-cpython-compiled` (the reference VM on CPython 3.12's own bytecode, from
    /// --python or python3.12), `cpython` (CPython 3.12, or --python), `cpython-3.N`, `python:PATH` (the adapter under any
    /// interpreter) or `cmd:'PROGRAM ARGS'` (any program speaking the protocol of
    /// INTERPRETING.md §6).
    #[arg(long, value_parser = parse_target, default_value = "reference")]
    target: Vec<TargetSpec>,
    #[command(flatten)]
    common: Common,
    /// Where targets' expectations files are (`<DIR>/<target>.yaml`).
    #[arg(long, default_value_os_t = expectations::default_dir())]
    expectations: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
}

#[derive(clap::Args)]
struct Common {
    /// The CPython interpreter for the cpython target (default: python3.12 from
    /// $FRAMESPEC_PYTHON, pyenv or PATH).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Wall-clock limit per case on out-of-process targets, in seconds.
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// Address-space limit of each out-of-process worker, in MiB (0: none).
    #[arg(long, value_name = "MIB", default_value_t = framespec::external::DEFAULT_ADDRESS_SPACE >> 20)]
    address_space: u64,
    /// Instruction budget per case on the reference VM.
    #[arg(long, default_value_t = RunOptions::default().fuel)]
    fuel: u64,
    /// Heap budget per case on the reference VM, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MEMORY_MIB)]
    memory: u64,
    /// CPython 3.12's Lib/ directory, from which the reference VM imports the standard
    /// library (default: $FRAMESPEC_STDLIB, else the lib/python3.12 beside python3.12).
    #[arg(long, value_name = "DIR")]
    stdlib: Option<PathBuf>,
}

/// `--memory`'s default: the VM's default heap budget.
const DEFAULT_MEMORY_MIB: u64 = framespec_vm::DEFAULT_HEAP_LIMIT_BYTES >> 20;

/// `--memory MIB` in bytes.
fn mib_to_bytes(mib: u64) -> u64 {
    mib.saturating_mul(1 << 20)
}

/// A `--target` value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TargetSpec {
    /// The reference VM, in process.
    Reference,
    /// The reference VM observing the trace and snapshots with the adapter's Python
    /// observer (`reference-settrace`, `reference-monitoring`).
    ReferenceObserved(framespec_vm::ObserverKind),
    /// The reference VM running the programs as CPython 3.12 compiled them.
    ReferenceCpythonCompiled,
    /// CPython 3.12 through the adapter (or the interpreter --python names).
    Cpython,
    /// The installed CPython `3.N` through the adapter.
    CpythonVersion(String),
    /// The adapter under the interpreter at this path.
    Python(PathBuf),
    /// A program speaking the protocol, as a shell command line.
    Cmd(String),
}

fn parse_target(text: &str) -> Result<TargetSpec, String> {
    if let Some(path) = text.strip_prefix("python:") {
        if path.is_empty() {
            return Err("python: needs an interpreter path".to_owned());
        }
        return Ok(TargetSpec::Python(PathBuf::from(path)));
    }
    if let Some(line) = text.strip_prefix("cmd:") {
        if line.trim().is_empty() {
            return Err("cmd: needs a command".to_owned());
        }
        return Ok(TargetSpec::Cmd(line.to_owned()));
    }
    match text {
        "reference" => return Ok(TargetSpec::Reference),
        "reference-settrace" => {
            return Ok(TargetSpec::ReferenceObserved(
                framespec_vm::ObserverKind::Settrace,
            ))
        }
        "reference-monitoring" => {
            return Ok(TargetSpec::ReferenceObserved(
                framespec_vm::ObserverKind::Monitoring,
            ))
        }
        framespec::compiled::NAME => return Ok(TargetSpec::ReferenceCpythonCompiled),
        "cpython" => return Ok(TargetSpec::Cpython),
        _ => {}
    }
    if let Some(version) = text.strip_prefix("cpython-") {
        if framespec_spec::KNOWN_VERSIONS.contains(&version) {
            return Ok(TargetSpec::CpythonVersion(version.to_owned()));
        }
    }
    Err(format!(
        "unknown target `{text}`: one of reference, reference-settrace, reference-monitoring, reference-cpython-compiled, cpython, cpython-3.N (3.8–3.13), python:PATH, cmd:'PROGRAM ARGS'"
    ))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Failures with coloured diffs (on a terminal) and a summary line.
    Text,
    Json,
    /// JUnit XML, for CI dashboards.
    Junit,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { suite, format } => run(&suite, format),
        Command::Expectations {
            action:
                ExpectationsAction::Update {
                    paths,
                    target,
                    common,
                    expectations,
                },
        } => update_expectations(&paths, &target, &common, &expectations),
        Command::Bless { paths, common } => bless(&paths, &common),
        Command::Matrix {
            mut suite,
            out,
            all,
        } => {
            if all {
                let found = found_implementations(&suite.target);
                suite.target.extend(found);
            }
            write_matrix(&suite, &out)
        }
        Command::Compare { old, new } => compare(&old, &new),
        Command::Exec {
            command,
            module,
            args,
            fuel,
            memory,
            trace_frames,
        } => {
            let budget = Budget {
                fuel: fuel.unwrap_or(u64::MAX),
                heap_limit_bytes: mib_to_bytes(memory),
                trace_frames,
            };
            match (command, module, args.split_first()) {
                (Some(code), _, _) => exec_command(&code, &args, budget),
                (None, Some(module), _) => exec_module(&module, &args, budget),
                (None, None, Some((file, rest))) => exec(Path::new(file), rest, budget),
                (None, None, None) => {
                    Err("exec needs a FILE to run, -c CODE or -m MODULE".to_owned())
                }
            }
        }
        Command::Dis { file, asm } => dis(&file, asm),
        Command::Compile { file, output } => compile_pyc(&file, output.as_deref()),
    };
    result.unwrap_or_else(|message| {
        eprintln!("framespec: {message}");
        ExitCode::from(2)
    })
}

fn case_files(paths: &[PathBuf]) -> Result<Vec<CaseFile>, String> {
    let paths = if paths.is_empty() {
        vec![runner::default_cases_dir()]
    } else {
        paths.to_vec()
    };
    collect(&paths).map_err(|e| e.to_string())
}

fn limits(common: &Common) -> Limits {
    Limits {
        timeout: Duration::from_secs_f64(common.timeout.max(0.1)),
        address_space: (common.address_space > 0).then_some(common.address_space << 20),
    }
}

/// CPython 3.12 (or the interpreter `--python` names) through the adapter.
fn cpython(common: &Common) -> Result<External, String> {
    let python = match &common.python {
        Some(path) => path.clone(),
        None => python::locate(REFERENCE_VERSION).map_err(|why| format!("{why}; pass --python"))?,
    };
    External::python(&python, limits(common))
}

/// A target made from its `--target` value.
enum Made {
    Reference(Reference),
    Compiled(Box<CpythonCompiled>),
    External(Box<External>),
}

impl Made {
    fn target(&self) -> &dyn Target {
        match self {
            Made::Reference(r) => r,
            Made::Compiled(c) => c.as_ref(),
            Made::External(e) => e.as_ref(),
        }
    }
}

/// The reference VM with `--fuel` and `--memory`.
fn reference(common: &Common) -> Reference {
    Reference {
        fuel: common.fuel,
        heap_limit_bytes: mib_to_bytes(common.memory),
        stdlib: common.stdlib.clone().or_else(python::stdlib),
        observer: None,
    }
}

fn make_target(spec: &TargetSpec, common: &Common) -> Result<Made, String> {
    Ok(match spec {
        TargetSpec::Reference => Made::Reference(reference(common)),
        TargetSpec::ReferenceObserved(kind) => Made::Reference(Reference {
            observer: Some(*kind),
            ..reference(common)
        }),
        TargetSpec::ReferenceCpythonCompiled => {
            let python = match &common.python {
                Some(path) => path.clone(),
                None => python::locate(REFERENCE_VERSION)
                    .map_err(|why| format!("{why}; pass --python"))?,
            };
            Made::Compiled(Box::new(CpythonCompiled::new(&python, reference(common))?))
        }
        TargetSpec::Cpython => Made::External(Box::new(cpython(common)?)),
        TargetSpec::CpythonVersion(version) => {
            let python = python::locate(version)?;
            Made::External(Box::new(External::python(&python, limits(common))?))
        }
        TargetSpec::Python(path) => {
            Made::External(Box::new(External::python(path, limits(common))?))
        }
        TargetSpec::Cmd(line) => Made::External(Box::new(External::command(line, limits(common))?)),
    })
}

/// The targets `--target` names, each with its expectations file, as `run` and `matrix`
/// build them.
struct Prepared {
    made: Vec<Made>,
    names: Vec<String>,
    expectations: Vec<Option<Expectations>>,
}

impl Prepared {
    fn new(specs: &[TargetSpec], common: &Common, dir: &Path) -> Result<Prepared, String> {
        let made = specs
            .iter()
            .map(|spec| make_target(spec, common))
            .collect::<Result<Vec<Made>, String>>()?;
        let mut names: Vec<String> = Vec::new();
        for target in &made {
            let name = target.target().name();
            if names.contains(&name) {
                return Err(format!("two targets are both {name}"));
            }
            names.push(name);
        }
        let expectations = names
            .iter()
            .map(|name| Expectations::load(dir, name))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Prepared {
            made,
            names,
            expectations,
        })
    }

    fn runs(&self) -> Vec<Run<'_>> {
        self.made
            .iter()
            .zip(&self.expectations)
            .map(|(made, expectations)| Run {
                target: made.target(),
                expectations: expectations.as_ref(),
            })
            .collect()
    }
}

fn set_jobs(jobs: Option<usize>) -> Result<(), String> {
    if let Some(jobs) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The worker threads, the case files and the targets of `suite`.
fn prepare(suite: &Suite) -> Result<(Vec<CaseFile>, Prepared), String> {
    set_jobs(suite.jobs)?;
    let files = case_files(&suite.paths)?;
    let prepared = Prepared::new(&suite.target, &suite.common, &suite.expectations)?;
    Ok((files, prepared))
}

fn run(suite: &Suite, format: Format) -> Result<ExitCode, String> {
    let (files, prepared) = prepare(suite)?;
    let runs = prepared.runs();
    let names = &prepared.names;
    let started = Instant::now();
    let reports = run_suite(&runs, &files);
    let elapsed = started.elapsed();
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = match format {
        Format::Text => report::text(&reports, names, elapsed, colour),
        Format::Json => report::json(&reports, elapsed),
        Format::Junit => report::junit(&reports, names, elapsed),
    };
    print!("{rendered}");
    let failed = reports.iter().any(|r| r.outcome.failed());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn update_expectations(
    paths: &[PathBuf],
    spec: &TargetSpec,
    common: &Common,
    dir: &Path,
) -> Result<ExitCode, String> {
    if matches!(
        spec,
        TargetSpec::Reference
            | TargetSpec::ReferenceObserved(_)
            | TargetSpec::ReferenceCpythonCompiled
    ) {
        return Err("the reference VM has no expected failures: it passes every case".to_owned());
    }
    let made = make_target(spec, common)?;
    let target = made.target();
    let name = target.name();
    let old = Expectations::load(dir, &name)?;
    let files = case_files(paths)?;
    // Skipped cases stay skipped (they hang or crash the target); the rest run unlisted.
    let skips_only = old.as_ref().map(Expectations::skips_only);
    let reports = run_suite(
        &[Run {
            target,
            expectations: skips_only.as_ref(),
        }],
        &files,
    );
    let text = expectations::updated(old.as_ref(), &name, &reports);
    let path = expectations::path_for(dir, &name);
    let listed = reports
        .iter()
        .any(|r| r.outcome.failed() || matches!(r.outcome, framespec::Outcome::Skipped(_)));
    if old.is_none() && !listed {
        println!("{name}: every case passes; no expectations file needed");
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let tally = report::Tally::of(reports.iter());
    println!("wrote {} ({})", path.display(), tally.summary());
    Ok(ExitCode::SUCCESS)
}

/// The targets `--all` adds: each installed CPython 3.8–3.13 and each other implementation
/// found, except those `given` already names.
fn found_implementations(given: &[TargetSpec]) -> Vec<TargetSpec> {
    let mut found = Vec::new();
    for version in framespec_spec::KNOWN_VERSIONS {
        let spec = if *version == REFERENCE_VERSION {
            TargetSpec::Cpython
        } else {
            TargetSpec::CpythonVersion((*version).to_owned())
        };
        if python::find(version).is_some() && !given.contains(&spec) {
            found.push(spec);
        }
    }
    for (label, _, _) in python::OTHER_IMPLEMENTATIONS {
        if let Ok(path) = python::locate_other(label) {
            let spec = TargetSpec::Python(path);
            if !given.contains(&spec) {
                found.push(spec);
            }
        }
    }
    found
}

/// `framespec matrix`: exits 0 once the files are written, whatever the verdicts.
fn write_matrix(suite: &Suite, out: &Path) -> Result<ExitCode, String> {
    let (files, prepared) = prepare(suite)?;
    let started = Instant::now();
    let reports = run_suite(&prepared.runs(), &files);
    let seconds = started.elapsed().as_secs_f64();
    let names = &prepared.names;
    let m = Matrix::build(&reports, names, &matrix::case_infos(&files), seconds);
    m.write(out)?;
    for name in names {
        let counts = m.totals.get(name).copied().unwrap_or_default();
        println!("{name}: {}", matrix::markdown::cell(&counts));
    }
    println!(
        "wrote matrix.json, matrix.md and matrix.html to {} ({seconds:.2} s)",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `framespec compare`: the Markdown of what changed; exits 0 whatever changed.
fn compare(old: &Path, new: &Path) -> Result<ExitCode, String> {
    let read = |path: &Path| {
        let text = read_source(path)?;
        Matrix::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let (old, new) = (read(old)?, read(new)?);
    print!("{}", matrix::changes::markdown(&old, &new));
    Ok(ExitCode::SUCCESS)
}

fn bless(paths: &[PathBuf], common: &Common) -> Result<ExitCode, String> {
    if std::env::var_os("CI").is_some() {
        return Err("blessing is refused when CI is set: expectations are recorded on a developer machine and reviewed".to_owned());
    }
    let target = cpython(common)?;
    if target.identity().implementation != "cpython" {
        return Err(format!(
            "{} is {}, not CPython: expectations are recorded from CPython",
            target.shown(),
            target.identity().implementation
        ));
    }
    let version = target.version().unwrap_or_default();
    if !framespec_spec::KNOWN_VERSIONS.contains(&version.as_str()) {
        return Err(format!(
            "{} is CPython {version}; cases record CPython {}",
            target.shown(),
            framespec_spec::KNOWN_VERSIONS.join(", ")
        ));
    }
    if version != REFERENCE_VERSION {
        println!("recording CPython {version}'s differences from {REFERENCE_VERSION} as `versions` overrides");
    }
    let files = case_files(paths)?;
    let results: Vec<(&CaseFile, Blessed)> = files
        .par_iter()
        .map(|f| (f, bless_one(&target, f)))
        .collect();
    let (mut updated, mut unchanged, mut not_applicable, mut failed) = (0, 0, 0, 0);
    for (file, result) in &results {
        match result {
            Blessed::Updated => {
                updated += 1;
                println!("blessed {}", file.path.display());
            }
            Blessed::Unchanged => unchanged += 1,
            Blessed::NotApplicable(why) => {
                not_applicable += 1;
                println!("not applicable {}: {why}", file.path.display());
            }
            Blessed::Failed(why) => {
                failed += 1;
                println!("FAILED {}: {why}", file.path.display());
            }
        }
    }
    let skipped = if not_applicable > 0 {
        format!(", {not_applicable} not applicable")
    } else {
        String::new()
    };
    println!("{updated} updated, {unchanged} unchanged{skipped}, {failed} failed");
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// How `python FILE` reports a script it cannot decode (the tokenizer's `fp_setreadl` and
/// `decoding_fgets` wording, which differs from `compile(bytes)`'s), with its exit status.
fn undecodable_script(
    path: &str,
    bytes: &[u8],
    error: framespec_vm::compile::DecodeError,
) -> ExitCode {
    use framespec_vm::compile::DecodeError;
    match error {
        DecodeError::NotUtf8(at) => {
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            let byte = bytes.get(at).copied().unwrap_or(0);
            eprintln!(
                "SyntaxError: Non-UTF-8 code starting with '\\x{byte:02x}' in file {path} on line {line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details"
            );
            ExitCode::from(1)
        }
        DecodeError::Syntax(e) if e.unsupported => {
            eprintln!("framespec: {path}: {e}");
            ExitCode::from(4)
        }
        DecodeError::Syntax(e) => {
            // compile(bytes) says "unknown encoding: X"; a script's reader says "encoding
            // problem: X" for that and for a BOM with another cookie alike.
            let message = match e.message.strip_prefix("unknown encoding: ") {
                Some(name) => format!("encoding problem: {name}"),
                None => e.message.clone(),
            };
            eprintln!("SyntaxError: {message}");
            ExitCode::from(1)
        }
    }
}

/// A source file's text, decoded as CPython decodes source bytes (a UTF-8 BOM, a PEP 263
/// coding cookie); what cannot be decoded is an error naming the file.
fn read_source(file: &Path) -> Result<String, String> {
    use framespec_vm::compile::{decode_source_in, DecodeError};
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    match decode_source_in(&bytes, python::stdlib().as_deref()) {
        Ok(text) => Ok(text.into_owned()),
        Err(DecodeError::NotUtf8(at)) => Err(format!(
            "{}: not UTF-8 (byte {at}) and no encoding declared (PEP 263)",
            file.display()
        )),
        Err(DecodeError::Syntax(e)) => Err(format!("{}: {e}", file.display())),
    }
}

/// `framespec exec`'s budgets: instructions (`u64::MAX`: none) and heap bytes; and
/// whether to show the frames at each instruction (`--trace-frames`).
#[derive(Clone, Copy)]
struct Budget {
    fuel: u64,
    heap_limit_bytes: u64,
    trace_frames: bool,
}

/// `framespec exec -c CODE ARGS…`: the program is `<string>`, `sys.argv` is `['-c',
/// ARGS…]`.
fn exec_command(code: &str, args: &[String], budget: Budget) -> Result<ExitCode, String> {
    let options = RunOptions {
        filename: "<string>".to_owned(),
        fuel: budget.fuel,
        heap_limit_bytes: budget.heap_limit_bytes,
        trace_frames: budget.trace_frames,
        command: true,
        stdlib: python::stdlib(),
        argv: std::iter::once("-c".to_owned())
            .chain(args.iter().cloned())
            .collect(),
        host_metadata: true,
        ..RunOptions::default()
    };
    Ok(exit_code(framespec_vm::run(code, &options)))
}

/// `framespec exec -m MODULE ARGS…`: `sys.argv` is `['-m', ARGS…]` until runpy finds
/// the module and puts its file first.
fn exec_module(module: &str, args: &[String], budget: Budget) -> Result<ExitCode, String> {
    let stdlib = python::stdlib().ok_or_else(|| {
        "exec -m needs CPython 3.12's standard library (set $FRAMESPEC_STDLIB)".to_owned()
    })?;
    let options = RunOptions {
        filename: "<string>".to_owned(),
        fuel: budget.fuel,
        heap_limit_bytes: budget.heap_limit_bytes,
        trace_frames: budget.trace_frames,
        command: true,
        stdlib: Some(stdlib),
        module: Some(module.to_owned()),
        argv: std::iter::once("-m".to_owned())
            .chain(args.iter().cloned())
            .collect(),
        host_metadata: true,
        ..RunOptions::default()
    };
    Ok(exit_code(framespec_vm::run("", &options)))
}

fn exec(file: &Path, args: &[String], budget: Budget) -> Result<ExitCode, String> {
    // `python FILE` runs the script under its absolute path (symlinks kept), and that is
    // the co_filename its frames and tracebacks show (for a .pyc: its `__file__`), while
    // `sys.argv[0]` is the path as given.
    let path = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let options = RunOptions {
        filename: path.display().to_string(),
        fuel: budget.fuel,
        heap_limit_bytes: budget.heap_limit_bytes,
        trace_frames: budget.trace_frames,
        stdlib: python::stdlib(),
        argv: std::iter::once(file.display().to_string())
            .chain(args.iter().cloned())
            .collect(),
        host_metadata: true,
        ..RunOptions::default()
    };
    let sourceless = is_pyc(file);
    let options = RunOptions {
        sourceless,
        ..options
    };
    let result = if is_listing(file) {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        match framespec_vm::run_listing(&text, &options) {
            Ok(result) => result,
            Err(e) => {
                eprintln!("framespec: {}:{e}", file.display());
                return Ok(ExitCode::FAILURE);
            }
        }
    } else if sourceless {
        let data =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        match framespec_vm::run_pyc(&data, None, &options) {
            Ok(result) => result,
            Err(e) => {
                eprintln!("framespec: {}: {e}", file.display());
                // As a program that reaches something unsupported, or a file CPython
                // refuses too; bytecode that does not verify is refused before it runs.
                use framespec_vm::{marshal::ErrorKind, PycError};
                return Ok(ExitCode::from(match e {
                    PycError::Read(e) if e.kind == ErrorKind::Unsupported => 4,
                    PycError::Read(_) | PycError::Invalid(_) => 1,
                }));
            }
        }
    } else {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let stdlib = python::stdlib();
        match framespec_vm::compile::decode_source_in(&bytes, stdlib.as_deref()) {
            Ok(text) => framespec_vm::run(&text, &options),
            Err(e) => return Ok(undecodable_script(&options.filename, &bytes, e)),
        }
    };
    Ok(exit_code(result))
}

/// The program's output, with the `--trace-frames` steps at the points of it where they
/// happened.
fn print_stdout(result: &framespec_vm::RunResult) {
    let Some(steps) = &result.frame_steps else {
        print!("{}", result.stdout);
        return;
    };
    let mut at = 0;
    for step in steps {
        if let Some(part) = result.stdout.get(at..step.stdout_at) {
            print!("{part}");
            at = step.stdout_at;
        }
        print!("{}", framespec::observe::render_step(step));
    }
    print!("{}", result.stdout.get(at..).unwrap_or_default());
    if steps.len() >= framespec_vm::MAX_FRAME_STEPS {
        eprintln!(
            "framespec: --trace-frames showed the first {} instructions only",
            framespec_vm::MAX_FRAME_STEPS
        );
    }
}

/// Writes what a run printed and gives the exit status `python` would.
fn exit_code(result: framespec_vm::RunResult) -> ExitCode {
    print_stdout(&result);
    eprint!("{}", result.stderr);
    match result.end {
        End::Completed => ExitCode::SUCCESS,
        // As the OS would see `exit(code)`: the low eight bits.
        End::Exception(e) => ExitCode::from(e.exit_code as u8),
        End::OutOfFuel(n) => {
            eprintln!("framespec: out of fuel: the program did not finish within {n} instructions (raise it with --fuel)");
            ExitCode::from(3)
        }
        End::Unsupported(u) => {
            eprintln!("framespec: {u}");
            if !u.stack.is_empty() {
                eprintln!("framespec: reached from (most recent call last):");
                for frame in &u.stack {
                    eprintln!("  {frame}");
                }
            }
            ExitCode::from(4)
        }
        End::OutOfMemory { limit_bytes } => {
            eprintln!(
                "framespec: out of memory: the program needed more than the heap budget of {} (raise it with --memory)",
                mib(limit_bytes)
            );
            ExitCode::from(5)
        }
        End::Bug(detail) => {
            eprintln!("framespec: reference VM bug: {detail}");
            ExitCode::from(70)
        }
    }
}

fn dis(file: &Path, asm: bool) -> Result<ExitCode, String> {
    let source = read_source(file)?;
    let compiled = if is_listing(file) {
        match framespec_vm::asm::assemble(&source) {
            Ok(code) => Ok(code),
            Err(e) => {
                eprintln!("framespec: {}:{e}", file.display());
                return Ok(ExitCode::FAILURE);
            }
        }
    } else {
        framespec_vm::compile(&source, &file.display().to_string())
    };
    match compiled {
        Ok(code) if asm => {
            let text = framespec_vm::asm::listing(&code)
                .map_err(|e| format!("{}: cannot list: {e}", file.display()))?;
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Ok(code) => {
            print!("{}", framespec_vm::dis::dis(&code));
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("  File \"{}\", line {}", file.display(), err.line);
            eprintln!("SyntaxError: {}", err.message);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Whether `file` is a bytecode listing (spec/BYTECODE.md): its name ends in `.asm`.
fn is_listing(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "asm")
}

/// Whether `python FILE` would run `file` as a `.pyc` (`maybe_pyc_file` in CPython's
/// `pythonrun.c`): its name ends in `.pyc`, or it starts with the magic number.
fn is_pyc(file: &Path) -> bool {
    if file.extension().is_some_and(|e| e == "pyc") {
        return true;
    }
    let mut head = [0u8; 4];
    std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == framespec_vm::marshal::MAGIC)
}

/// `framespec compile`: the `.pyc` `py_compile` would write for `file` (co_filename is the
/// path as given, the header holds the source's mtime and size).
fn compile_pyc(file: &Path, output: Option<&Path>) -> Result<ExitCode, String> {
    let source = read_source(file)?;
    let meta =
        std::fs::metadata(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let code = match framespec_vm::compile(&source, &file.display().to_string()) {
        Ok(code) => code,
        Err(err) if err.unsupported => {
            eprintln!("framespec: {}: {err}", file.display());
            return Ok(ExitCode::from(4));
        }
        Err(err) => {
            eprintln!("  File \"{}\", line {}", file.display(), err.line);
            eprintln!("SyntaxError: {}", err.message);
            return Ok(ExitCode::FAILURE);
        }
    };
    let out = output.map_or_else(|| file.with_extension("pyc"), Path::to_path_buf);
    let data = framespec_vm::marshal::write_pyc(&code, mtime, meta.len());
    std::fs::write(&out, data).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(ExitCode::SUCCESS)
}
