//! `step` jobs: one step of a workflow's run, by the engine
//! (`services::workflows::engine`).

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
