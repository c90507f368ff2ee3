//! The `framespec` command line: run the suite, bless expectations from CPython 3.12, write
//! and compare conformance matrices, and run or disassemble a file on the reference VM.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use framespec::cpython::Cpython;
use framespec::matrix::{self, Matrix};
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
    /// Run cases on targets and write the conformance matrix (chapters, clauses and tags by
    /// targets) as DIR/matrix.json, DIR/matrix.md and a self-contained DIR/matrix.html.
    Matrix {
        /// Case files or directories (default: the cases/ directory).
        paths: Vec<PathBuf>,
        /// Targets to run on (repeatable); each is a column.
        #[arg(long, value_enum, default_values_t = [TargetKind::Reference])]
        target: Vec<TargetKind>,
        #[command(flatten)]
        common: Common,
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// The directory to write the three files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print, as Markdown for a pull request, the cases fixed, broken, changed, new and
    /// removed per target between two matrix.json files.
    Compare { old: PathBuf, new: PathBuf },
    /// Run a Python file on the reference VM, like `python FILE`.
    Exec {
        file: PathBuf,
        /// Instruction budget.
        #[arg(long, default_value_t = RunOptions::default().fuel)]
        fuel: u64,
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
        Command::Matrix {
            paths,
            target,
            common,
            jobs,
            out,
        } => write_matrix(&paths, &target, &common, jobs, &out),
        Command::Compare { old, new } => compare(&old, &new),
        Command::Exec { file, fuel } => exec(&file, fuel),
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

/// The targets `--target` names, as `run` and `matrix` build them.
struct Targets {
    reference: Option<Reference>,
    cpython: Option<Cpython>,
}

impl Targets {
    fn new(kinds: &[TargetKind], common: &Common) -> Result<Targets, String> {
        Ok(Targets {
            reference: kinds
                .contains(&TargetKind::Reference)
                .then_some(Reference { fuel: common.fuel }),
            cpython: if kinds.contains(&TargetKind::Cpython) {
                Some(cpython(common)?)
            } else {
                None
            },
        })
    }

    fn list(&self) -> Vec<&dyn Target> {
        let mut targets: Vec<&dyn Target> = Vec::new();
        if let Some(reference) = &self.reference {
            targets.push(reference);
        }
        if let Some(cpython) = &self.cpython {
            targets.push(cpython);
        }
        targets
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

fn run(
    paths: &[PathBuf],
    kinds: &[TargetKind],
    common: &Common,
    format: Format,
    jobs: Option<usize>,
) -> Result<ExitCode, String> {
    set_jobs(jobs)?;
    let files = case_files(paths)?;
    let built = Targets::new(kinds, common)?;
    let targets = built.list();
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

/// `framespec matrix`: exits 0 once the files are written, whatever the verdicts.
fn write_matrix(
    paths: &[PathBuf],
    kinds: &[TargetKind],
    common: &Common,
    jobs: Option<usize>,
    out: &Path,
) -> Result<ExitCode, String> {
    set_jobs(jobs)?;
    let files = case_files(paths)?;
    let built = Targets::new(kinds, common)?;
    let targets = built.list();
    let started = Instant::now();
    let reports = run_suite(&targets, &files);
    let seconds = started.elapsed().as_secs_f64();
    let names: Vec<String> = targets.iter().map(|t| t.name()).collect();
    let m = Matrix::build(&reports, &names, &matrix::case_infos(&files), seconds);
    m.write(out)?;
    for name in &names {
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

fn exec(file: &Path, fuel: u64) -> Result<ExitCode, String> {
    let source = read_source(file)?;
    // `python FILE` runs the script under its absolute path (symlinks kept), and that is
    // the co_filename its frames and tracebacks show.
    let path = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let options = RunOptions {
        filename: path.display().to_string(),
        fuel,
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
