//! Targets: the implementations a case runs on. The reference VM runs in process; CPython
//! (and anything speaking the observation protocol) runs out of process (`cpython`).

use framespec_spec::Case;
use framespec_vm::{End, RunOptions};

use crate::observe::{Observation, ObservedException, RunEnd};

/// An implementation of Python that can run cases.
pub trait Target: Send + Sync {
    /// The name used in trial names and reports (`reference`, `cpython-3.12`).
    fn name(&self) -> String;
    /// The CPython version whose expectations apply (`"3.11"`); `None` for 3.12 semantics.
    fn version(&self) -> Option<String>;
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
}

impl Default for Reference {
    fn default() -> Self {
        let options = RunOptions::default();
        Reference {
            fuel: options.fuel,
            heap_limit_bytes: options.heap_limit_bytes,
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

    fn run(&self, case: &Case) -> RunEnd {
        let options = RunOptions {
            filename: "main.py".to_owned(),
            fuel: self.fuel,
            heap_limit_bytes: self.heap_limit_bytes,
            trace: case.trace,
            snapshot_lines: case.snapshot_lines.clone(),
        };
        let result = framespec_vm::run(&case.source, &options);
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
}
