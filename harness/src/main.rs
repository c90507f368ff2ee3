//! The `framespec` command line: run the suite, bless expectations from CPython 3.12, and
//! run or disassemble a file on the reference VM.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use framespec::compare::mib;
use framespec::cpython::Cpython;
use framespec::python::{self, REFERENCE_VERSION};
use framespec::report;
use framespec::runner::{self, bless_one, collect, run_suite, Blessed, CaseFile};
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
        /// Case files or directories (default: the cases/ directory).
        paths: Vec<PathBuf>,
        /// Targets to run on (repeatable).
        #[arg(long, value_enum, default_values_t = [TargetKind::Reference])]
        target: Vec<TargetKind>,
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
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
    /// Run a Python file on the reference VM, like `python FILE`.
    Exec {
        file: PathBuf,
        /// Instruction budget.
        #[arg(long, default_value_t = RunOptions::default().fuel)]
        fuel: u64,
        /// Heap budget, in MiB.
        #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MEMORY_MIB)]
        memory: u64,
    },
    /// Disassemble a Python file as CPython 3.12's `dis` would.
    Dis { file: PathBuf },
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
    /// Instruction budget per case on the reference VM.
    #[arg(long, default_value_t = RunOptions::default().fuel)]
    fuel: u64,
    /// Heap budget per case on the reference VM, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MEMORY_MIB)]
    memory: u64,
}

/// `--memory`'s default: the VM's default heap budget.
const DEFAULT_MEMORY_MIB: u64 = framespec_vm::DEFAULT_HEAP_LIMIT_BYTES >> 20;

/// `--memory MIB` in bytes.
fn mib_to_bytes(mib: u64) -> u64 {
    mib.saturating_mul(1 << 20)
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TargetKind {
    /// The reference VM, in process.
    Reference,
    /// CPython through the adapter (see --python).
    Cpython,
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
        Command::Run {
            paths,
            target,
            common,
            format,
            jobs,
        } => run(&paths, &target, &common, format, jobs),
        Command::Bless { paths, common } => bless(&paths, &common),
        Command::Exec { file, fuel, memory } => exec(&file, fuel, mib_to_bytes(memory)),
        Command::Dis { file } => dis(&file),
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

fn cpython(common: &Common) -> Result<Cpython, String> {
    let python = match &common.python {
        Some(path) => path.clone(),
        None => python::locate(REFERENCE_VERSION).map_err(|why| format!("{why}; pass --python"))?,
    };
    Cpython::new(&python, Duration::from_secs_f64(common.timeout.max(0.1)))
}

fn run(
    paths: &[PathBuf],
    kinds: &[TargetKind],
    common: &Common,
    format: Format,
    jobs: Option<usize>,
) -> Result<ExitCode, String> {
    if let Some(jobs) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
            .map_err(|e| e.to_string())?;
    }
    let files = case_files(paths)?;
    let reference = Reference {
        fuel: common.fuel,
        heap_limit_bytes: mib_to_bytes(common.memory),
    };
    let cpython = if kinds.contains(&TargetKind::Cpython) {
        Some(cpython(common)?)
    } else {
        None
    };
    let mut targets: Vec<&dyn Target> = Vec::new();
    if kinds.contains(&TargetKind::Reference) {
        targets.push(&reference);
    }
    if let Some(cpython) = &cpython {
        targets.push(cpython);
    }
    let started = Instant::now();
    let reports = run_suite(&targets, &files);
    let elapsed = started.elapsed();
    let names: Vec<String> = targets.iter().map(|t| t.name()).collect();
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = match format {
        Format::Text => report::text(&reports, &names, elapsed, colour),
        Format::Json => report::json(&reports, elapsed),
        Format::Junit => report::junit(&reports, &names, elapsed),
    };
    print!("{rendered}");
    let failed = reports.iter().any(|r| r.outcome.failed());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn bless(paths: &[PathBuf], common: &Common) -> Result<ExitCode, String> {
    if std::env::var_os("CI").is_some() {
        return Err("blessing is refused when CI is set: expectations are recorded on a developer machine and reviewed".to_owned());
    }
    let target = cpython(common)?;
    let version = target.version().unwrap_or_default();
    if !framespec_spec::KNOWN_VERSIONS.contains(&version.as_str()) {
        return Err(format!(
            "{} is CPython {version}; cases record CPython {}",
            target.python().display(),
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

fn read_source(file: &Path) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

fn exec(file: &Path, fuel: u64, heap_limit_bytes: u64) -> Result<ExitCode, String> {
    let source = read_source(file)?;
    // `python FILE` runs the script under its absolute path (symlinks kept), and that is
    // the co_filename its frames and tracebacks show.
    let path = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let options = RunOptions {
        filename: path.display().to_string(),
        fuel,
        heap_limit_bytes,
        ..RunOptions::default()
    };
    let result = framespec_vm::run(&source, &options);
    print!("{}", result.stdout);
    eprint!("{}", result.stderr);
    Ok(match result.end {
        End::Completed => ExitCode::SUCCESS,
        // As the OS would see `exit(code)`: the low eight bits.
        End::Exception(e) => ExitCode::from(e.exit_code as u8),
        End::OutOfFuel(n) => {
            eprintln!("framespec: out of fuel: the program did not finish within {n} instructions (raise it with --fuel)");
            ExitCode::from(3)
        }
        End::Unsupported(u) => {
            eprintln!("framespec: {u}");
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
    })
}

fn dis(file: &Path) -> Result<ExitCode, String> {
    let source = read_source(file)?;
    match framespec_vm::compile(&source, &file.display().to_string()) {
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
