//! Targets: the implementations a case runs on. The reference VM runs in process; every
//! other implementation runs out of process and speaks the observation protocol
//! (`external`).

use framespec_spec::Case;
use framespec_vm::{End, RunOptions, RunResult};

use crate::observe::{Observation, ObservedException, RunEnd};

/// A channel a target may or may not be able to observe (INTERPRETING.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Trace,
    Snapshots,
}

impl Channel {
    /// The channel's name in cases and in the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Trace => "trace",
            Channel::Snapshots => "snapshots",
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
}

impl Default for Reference {
    fn default() -> Self {
        let options = RunOptions::default();
        Reference {
            fuel: options.fuel,
            heap_limit_bytes: options.heap_limit_bytes,
            stdlib: crate::python::stdlib(),
        }
    }
}

impl Target for Reference {
    fn name(&self) -> String {
        "reference".to_owned()
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn selector(&self) -> String {
        "reference".to_owned()
    }

    fn run(&self, case: &Case) -> RunEnd {
        let options = self.options(case);
        observation(framespec_vm::run(&case.source, &options))
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
            stdlib: self.stdlib.clone(),
            source_in_linecache: true,
            modules: case.modules.clone(),
            ..RunOptions::default()
        }
    }
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
    })
}
