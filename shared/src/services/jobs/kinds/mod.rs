//! One handler per kind of job, registered in `JobRunner::new`.

pub mod ask;
pub mod broadcast;
pub mod stats;
pub mod step;

use super::JobError;
use crate::domain::job::{Job, JobFailure};

/// A job handed to the handler of another kind: a wiring mistake, failed for good.
fn mismatch(job: &Job) -> JobError {
    JobError::Permanent(JobFailure::NoAnswer, format!("a {} job reached the wrong handler", job.work.kind()))
}
