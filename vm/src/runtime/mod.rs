//! The evaluator (placeholder: being written).

use crate::{End, RunOptions, RunResult};

pub(crate) fn run(_source: &str, _options: &RunOptions) -> RunResult {
    RunResult {
        end: End::Bug("evaluator not written yet".to_owned()),
        ..RunResult::default()
    }
}
