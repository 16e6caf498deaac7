//! `stats` jobs: one stretch of an admin's `/admin stats` (`services::admin`).

use async_trait::async_trait;

use super::super::{Attempt, JobError, JobHandler};
use crate::{
    domain::job::{Job, Work},
    services::{Deps, admin},
};

pub struct StatsJobs {
    deps: Deps,
    /// Users one job counts before queuing the next.
    per_job: usize,
}

impl StatsJobs {
    pub fn new(deps: Deps, per_job: usize) -> StatsJobs {
        StatsJobs { deps, per_job: per_job.max(1) }
    }
}

#[async_trait]
impl JobHandler for StatsJobs {
    fn kind(&self) -> &'static str {
        "stats"
    }

    async fn run(&self, job: &Job, _: Attempt) -> Result<(), JobError> {
        let Work::Stats(page) = &job.work else { return Err(super::mismatch(job)) };
        admin::run_stats_page(&self.deps, self.per_job, page)
            .await
            .map_err(|e| JobError::sorted(e.is_transient(), &e))
    }
}
