//! `step` jobs: one step of a workflow's run, and `resume` jobs: a parked
//! step's wake-up, by the engine (`services::workflows::engine`).

use async_trait::async_trait;

use super::super::{Attempt, JobError, JobHandler};
use crate::{
    domain::job::{Job, Work},
    services::workflows::engine::Engine,
};

pub struct StepJobs {
    engine: Engine,
}

impl StepJobs {
    pub fn new(engine: Engine) -> StepJobs {
        StepJobs { engine }
    }
}

#[async_trait]
impl JobHandler for StepJobs {
    fn kind(&self) -> &'static str {
        "step"
    }

    async fn run(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        let Work::Step(step) = &job.work else { return Err(super::mismatch(job)) };
        self.engine.advance(step, attempt).await
    }
}

/// `resume` jobs: a parked step's wake-up, by the same engine.
pub struct ResumeJobs {
    engine: Engine,
}

impl ResumeJobs {
    pub fn new(engine: Engine) -> ResumeJobs {
        ResumeJobs { engine }
    }
}

#[async_trait]
impl JobHandler for ResumeJobs {
    fn kind(&self) -> &'static str {
        "resume"
    }

    async fn run(&self, job: &Job, _: Attempt) -> Result<(), JobError> {
        let Work::Resume(resume) = &job.work else { return Err(super::mismatch(job)) };
        self.engine.resume(resume).await
    }
}
