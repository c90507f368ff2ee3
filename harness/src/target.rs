//! Targets: the implementations a case runs on. The reference VM runs in process; every
//! other implementation runs out of process and speaks the observation protocol
//! (`external`).

use framespec_spec::Case;
use framespec_vm::{End, ObserverKind, PythonObserver, RunOptions, RunResult};

use crate::observe::{Observation, ObservedException, RunEnd};

/// A channel a target may or may not be able to observe (INTERPRETING.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Trace,
    Snapshots,
    /// The snapshots' interpreter frames (spec/INTERNALS.md): CPython 3.12 and the
    /// reference VM only.
    Internals,
}

impl Channel {
    /// The channel's name in cases and in the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Trace => "trace",
            Channel::Snapshots => "snapshots",
            Channel::Internals => "internals",
        }
    }
}

/// An implementation of Python that can run cases.
pub trait Target: Send + Sync {
    /// The name used in trial names and reports (`reference`, `cpython-3.12`, `pypy-3.9`).
    fn name(&self) -> String;
    /// The language version whose expectations apply (`"3.11"`); `None` for 3.12 semantics.
    fn version(&self) -> Option<String>;
    /// The `--target` value that selects it again (`reference`, `python:/usr/bin/pypy3`).
    fn selector(&self) -> String;
    /// Whether the target can observe `channel` (`stdout` and `exception` it always can).
    fn observes(&self, _channel: Channel) -> bool {
        true
    }
    /// Runs one case.
    fn run(&self, case: &Case) -> RunEnd;
}

/// The reference VM, in process. Fuel bounds every run (the design's termination rule),
/// and a heap budget bounds what it allocates.
#[derive(Clone, Debug)]
pub struct Reference {
    pub fuel: u64,
    /// Heap budget per run, in bytes.
    pub heap_limit_bytes: u64,
    /// CPython 3.12's `Lib/`, from which programs import the standard library.
    pub stdlib: Option<std::path::PathBuf>,
    /// `None`: the VM's native recorder observes the trace and snapshots channels (target
    /// `reference`). `Some`: the adapter's Python observer of that kind does, running
    /// inside the VM (`reference-settrace`, `reference-monitoring`); those targets run
    /// only the cases that observe a trace or snapshots.
    pub observer: Option<ObserverKind>,
}

impl Default for Reference {
    fn default() -> Self {
        let options = RunOptions::default();
        Reference {
            fuel: options.fuel,
            heap_limit_bytes: options.heap_limit_bytes,
            stdlib: crate::python::stdlib(),
            observer: None,
        }
    }
}

impl Target for Reference {
    fn name(&self) -> String {
        match self.observer {
            None => "reference".to_owned(),
            Some(kind) => format!("reference-{}", observer_name(kind)),
        }
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn selector(&self) -> String {
        self.name()
    }

    /// The Python observers cannot read the VM's frames: only the native recorder reports
    /// the internals channel.
    fn observes(&self, channel: Channel) -> bool {
        channel != Channel::Internals || self.observer.is_none()
    }

    fn run(&self, case: &Case) -> RunEnd {
        if let Some(kind) = self.observer {
            if let Some(why) = not_observable(kind, case) {
                return RunEnd::NotApplicable(why);
            }
        }
        let options = self.options(case);
        match &case.bytecode {
            Some(b) => match framespec_vm::run_listing(&b.listing, &options) {
                Ok(result) => observation(result),
                Err(e) => RunEnd::Crash(format!("the bytecode does not assemble: {e}")),
            },
            None => observation(framespec_vm::run(&case.source, &options)),
        }
    }
}

impl Reference {
    /// The options a case runs under on the reference VM.
    pub fn options(&self, case: &Case) -> RunOptions {
        RunOptions {
            filename: "main.py".to_owned(),
            fuel: self.fuel,
            heap_limit_bytes: self.heap_limit_bytes,
            trace: case.trace,
            snapshot_lines: case.snapshot_lines.clone(),
            internals: case.internals,
            stdlib: self.stdlib.clone(),
            source_in_linecache: true,
            modules: case.modules.clone(),
            observer: self.observer.map(|kind| PythonObserver {
                kind,
                source: crate::external::OBSERVE.to_owned(),
            }),
            ..RunOptions::default()
        }
    }
}

/// The observer's name in target names (`reference-settrace`).
pub fn observer_name(kind: ObserverKind) -> &'static str {
    match kind {
        ObserverKind::Settrace => "settrace",
        ObserverKind::Monitoring => "monitoring",
    }
}

/// Why a Python observer of `kind` does not run `case`: it observes neither channel (the
/// run would be `reference`'s), or — for settrace — the program installs its own trace or
/// profile function, which would replace the observer (the adapter's rule where it
/// observes with settrace).
fn not_observable(kind: ObserverKind, case: &Case) -> Option<String> {
    let tagged = |tag: &str| case.tags.iter().any(|t| t == tag);
    if tagged("observer-budget") {
        return Some(
            "the expectation depends on the recursion budget of the CPython adapter's \
             observer (tag observer-budget)"
                .to_owned(),
        );
    }
    if kind == ObserverKind::Settrace && tagged("settrace-locals-refresh") {
        return Some(
            "a sys.settrace observer refreshes the frames' locals dicts, which this \
             program's output shows (tag settrace-locals-refresh)"
                .to_owned(),
        );
    }
    if !case.trace && case.snapshot_lines.is_empty() {
        return Some(format!(
            "reference-{} differs from reference only in how the trace and snapshots are \
             observed, and this case observes neither",
            observer_name(kind)
        ));
    }
    let sources = std::iter::once((case.source.as_str(), "main.py"))
        .chain(case.modules.iter().map(|(p, s)| (s.as_str(), p.as_str())));
    let main = crate::bytecode::assemble(case).ok().flatten();
    let installs = sources
        .filter(|(_, path)| case.bytecode.is_none() || *path != "main.py")
        .filter_map(|(source, path)| framespec_vm::compile(source, path).ok())
        .chain(main)
        .any(|code| installs_tracer(&code));
    (kind == ObserverKind::Settrace && installs).then(|| {
        "the trace and snapshots are observed through sys.settrace here, and this program \
         installs its own trace or profile function"
            .to_owned()
    })
}

/// Whether the code names `settrace` or `setprofile` anywhere (the adapter's
/// `_installs_tracer`).
fn installs_tracer(code: &framespec_vm::code::CodeObject) -> bool {
    code.co_names
        .iter()
        .any(|n| matches!(&**n, "settrace" | "setprofile"))
        || code.co_consts.iter().any(|c| match c {
            framespec_vm::code::Constant::Code(inner) => installs_tracer(inner),
            _ => false,
        })
}

/// What the reference VM's run shows as a target's [`RunEnd`].
pub fn observation(result: RunResult) -> RunEnd {
    let exception = match result.end {
        End::Completed => None,
        End::Exception(e) => Some(ObservedException {
            type_name: e.type_name,
            message: e.message,
            traceback: e.traceback,
        }),
        End::OutOfFuel(instructions) => return RunEnd::OutOfFuel { instructions },
        End::OutOfMemory { limit_bytes } => return RunEnd::OutOfMemory { limit_bytes },
        End::Unsupported(u) => {
            return RunEnd::Unsupported {
                location: format!("{}:{}:{}", u.filename, u.line, u.column),
                feature: u.feature,
            }
        }
        End::Bug(detail) => return RunEnd::Crash(format!("reference VM bug: {detail}")),
    };
    RunEnd::Finished(Observation {
        stdout: result.stdout,
        stderr: result.stderr,
        exception,
        trace: result.trace,
        snapshots: result.snapshots,
        internals: result
            .internals
            .map(|blocks| blocks.into_iter().map(Into::into).collect()),
    })
}
