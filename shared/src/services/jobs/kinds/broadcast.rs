//! `broadcast` jobs: one page of an admin's broadcast (`services::broadcast`).

use async_trait::async_trait;

use super::super::{Attempt, JobError, JobHandler};
use crate::{
    domain::job::{Job, Work},
    services::{
        Deps,
        broadcast::{self, BroadcastSettings},
    },
};

pub struct BroadcastJobs {
    deps: Deps,
    settings: BroadcastSettings,
}

impl BroadcastJobs {
    pub fn new(deps: Deps, settings: BroadcastSettings) -> BroadcastJobs {
        BroadcastJobs { deps, settings }
    }
}

#[async_trait]
impl JobHandler for BroadcastJobs {
    fn kind(&self) -> &'static str {
        "broadcast"
    }

    async fn run(&self, job: &Job, _: Attempt) -> Result<(), JobError> {
        let Work::Broadcast(page) = &job.work else { return Err(super::mismatch(job)) };
        broadcast::run_page(&self.deps, self.settings, page)
            .await
            .map_err(|e| JobError::sorted(e.is_transient(), &e))
    }
}
