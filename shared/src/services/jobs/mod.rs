//! Running queued jobs once each, whichever queue delivers them: the runner
//! claims the job, hands its work to the handler of its kind (one file each
//! under `kinds/`), and sorts a failure into "retry later" (the queue
//! redelivers) or "failed for good" (the handler told the user; no retry).
//! A new kind of job is a `Work` variant, one handler file and one line in
//! [`JobRunner::new`].

mod kinds;

use std::{collections::HashMap, panic::AssertUnwindSafe, sync::Arc, time::Duration};

use async_trait::async_trait;
use futures::FutureExt as _;
use tracing::{error, info, warn};

pub use self::kinds::ask::ANSWER_BUDGET;
use super::{
    assistant::{Assistant, AssistantError},
    broadcast::BroadcastSettings,
    once::{ClaimTimes, Once, Settle, once},
    workflows::{engine::Engine, steps::StepTools},
};
use crate::{
    domain::job::{Job, JobFailure},
    ports::{ClaimKey, StoreError, ai::ProviderError},
    services::Deps,
    telemetry::panic_message,
};

/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(15 * 60);

/// Which delivery of a job this is (SQS's ApproximateReceiveCount).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub number: u32,
    /// The queue gives up after this one (maxReceiveCount): a failure is told to the user.
    pub last: bool,
}

impl Attempt {
    pub fn of(number: u32, max_receives: u32) -> Attempt {
        Attempt { number: number.max(1), last: number >= max_receives }
    }
}

/// How long to wait before attempt `after + 1`: `base`, doubling, at most 15 minutes.
pub fn retry_delay(base: Duration, after: u32) -> Duration {
    let factor = 2u32.saturating_pow(after.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(MAX_RETRY_DELAY)
}

/// What became of one delivery of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Done before: nothing was repeated.
    Duplicate,
    /// Failed on something temporary: deliver it again later, not before
    /// `at_least` when the service said how long to wait (after the last
    /// attempt, the queue moves it to its dead-letter queue).
    Retry {
        at_least: Option<Duration>,
    },
    /// Failed for good: the user was told; not retried.
    Failed,
}

impl JobOutcome {
    /// Its name in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            JobOutcome::Done => "done",
            JobOutcome::Duplicate => "duplicate",
            JobOutcome::Retry { .. } => "retry",
            JobOutcome::Failed => "failed",
        }
    }
}

/// How a job's work failed.
#[derive(Debug)]
pub enum JobError {
    /// Something temporary: the queue delivers the job again later.
    Transient(String),
    /// Something temporary, and the service said how long to wait (a 429's Retry-After).
    Throttled(String, Duration),
    /// For good: not retried; `JobFailure` is what its user is told.
    Permanent(JobFailure, String),
}

impl JobError {
    /// A failure retried when `transient`, else failed for good with no answer.
    pub fn sorted(transient: bool, e: &dyn std::fmt::Display) -> JobError {
        if transient {
            JobError::Transient(e.to_string())
        } else {
            JobError::Permanent(JobFailure::NoAnswer, e.to_string())
        }
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        JobError::sorted(e.is_transient(), &e)
    }
}

impl From<AssistantError> for JobError {
    fn from(e: AssistantError) -> JobError {
        let failure = match &e {
            _ if e.is_transient() => return JobError::Transient(e.to_string()),
            AssistantError::Providers(ProviderError::Unauthorized) => JobFailure::KeyRefused,
            AssistantError::Providers(_) => JobFailure::QuestionRefused,
            AssistantError::TooManyToolRounds | AssistantError::Store(_) | AssistantError::ClaimBusy => {
                JobFailure::NoAnswer
            }
        };
        JobError::Permanent(failure, e.to_string())
    }
}

/// The work of one kind of job. The runner owns the claim, the retries and
/// the outcome; a handler only does the work and tells its user of a failure.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The kind of the jobs it runs, as `Work::kind` names it.
    fn kind(&self) -> &'static str;
    /// Does `job`'s work (a job of this handler's kind).
    async fn run(&self, job: &Job, attempt: Attempt) -> Result<(), JobError>;
    /// After the work panicked: tell whoever waits for it (by default, nobody).
    async fn after_panic(&self, _job: &Job) {}
}

/// Runs every kind of job; the Lambda's SQS handler and the local runner's
/// in-process queue both call [`JobRunner::run`].
pub struct JobRunner {
    deps: Deps,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    /// What workflow steps use beyond the dependencies.
    tools: StepTools,
}

/// Users one stats job counts by default: 50 pages, a few seconds.
pub use crate::domain::job::STATS_PER_JOB;

impl JobRunner {
    /// Every kind of job with its default settings; `assistant` is `None`
    /// when no AI provider is configured.
    pub fn new(deps: Deps, assistant: Option<Assistant>) -> JobRunner {
        let assistant = assistant.map(Arc::new);
        let tools = StepTools { assistant: assistant.clone(), http: None };
        JobRunner { deps: deps.clone(), handlers: HashMap::new(), tools: tools.clone() }
            .with_handler(kinds::ask::AskJobs::new(deps.clone(), assistant))
            .with_handler(kinds::step::StepJobs::new(Engine::new(deps.clone(), tools.clone())))
            .with_handler(kinds::step::ResumeJobs::new(Engine::new(deps.clone(), tools)))
            .with_handler(kinds::broadcast::BroadcastJobs::new(deps.clone(), BroadcastSettings::default()))
            .with_handler(kinds::stats::StatsJobs::new(deps, STATS_PER_JOB))
    }

    /// Runs the jobs of `handler`'s kind with it, in place of the one before.
    pub fn with_handler(mut self, handler: impl JobHandler + 'static) -> JobRunner {
        self.handlers.insert(handler.kind(), Arc::new(handler));
        self
    }

    /// HTTP request steps through `client` (the guarded client); without
    /// one they fail and say so.
    pub fn with_outbound(mut self, client: Arc<dyn crate::ports::outbound::Outbound>) -> JobRunner {
        self.tools.http = Some(client);
        let handler = kinds::step::StepJobs::new(Engine::new(self.deps.clone(), self.tools.clone()));
        self.with_handler(handler)
    }

    /// Broadcasts paced by `settings` instead of the defaults.
    pub fn with_broadcast(self, settings: BroadcastSettings) -> JobRunner {
        let handler = kinds::broadcast::BroadcastJobs::new(self.deps.clone(), settings);
        self.with_handler(handler)
    }

    /// Stats jobs that count `per_job` users each instead of [`STATS_PER_JOB`].
    pub fn with_stats_per_job(self, per_job: usize) -> JobRunner {
        let handler = kinds::stats::StatsJobs::new(self.deps.clone(), per_job);
        self.with_handler(handler)
    }

    /// Runs `job` unless it ran before, and says what the queue should do with it.
    #[tracing::instrument(skip_all, fields(job_id = %job.id.0, kind = job.work.kind(), attempt = attempt.number))]
    pub async fn run(&self, job: &Job, attempt: Attempt) -> JobOutcome {
        let key = ClaimKey::job(&job.id.0);
        let store = &self.deps.store;
        let ran = once(store.as_ref(), self.deps.clock.as_ref(), &key, ClaimTimes::JOB, |_| async {
            match self.work(job, attempt).await {
                Ok(()) => Settle::done(JobOutcome::Done),
                Err(error @ (JobError::Transient(_) | JobError::Throttled(..))) => {
                    let (why, at_least) = match error {
                        JobError::Throttled(why, wait) => (why, Some(wait)),
                        JobError::Transient(why) | JobError::Permanent(_, why) => (why, None),
                    };
                    if attempt.last {
                        error!(error = %why, "job failed on its last attempt; the queue moves it to its dead-letter queue");
                    } else {
                        warn!(error = %why, ?at_least, "job failed; retried later");
                    }
                    Settle::Release(JobOutcome::Retry { at_least })
                }
                Err(JobError::Permanent(failure, why)) => {
                    warn!(error = %why, ?failure, "job failed for good; not retried");
                    Settle::done(JobOutcome::Failed)
                }
            }
        })
        .await;
        match ran {
            Ok(Once::Ran(Ok(outcome) | Err(outcome))) => outcome,
            // A parked job (only the dispatcher parks) is owned all the same: `once` runs it.
            Ok(Once::Duplicate(_)) => {
                info!("job done before; this delivery does nothing");
                JobOutcome::Duplicate
            }
            Ok(Once::Busy) => {
                info!("job running in another delivery; retried later");
                JobOutcome::Retry { at_least: None }
            }
            Err(e) => {
                warn!(error = %e, "could not claim the job; retried later");
                JobOutcome::Retry { at_least: None }
            }
        }
    }

    /// The job's work by its kind's handler, a panic caught as its failure for good.
    async fn work(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        let Some(handler) = self.handlers.get(job.work.kind()) else {
            return Err(JobError::Permanent(JobFailure::NoAnswer, "no handler for this kind of job".into()));
        };
        // A panic in one job is this job's failure for good, not the batch's.
        match AssertUnwindSafe(handler.run(job, attempt)).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                error!(panic = panic_message(panic.as_ref()), "the job panicked; failed for good");
                handler.after_panic(job).await;
                Err(JobError::Permanent(JobFailure::NoAnswer, "the job panicked".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_a_cap() {
        let base = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=7).map(|n| retry_delay(base, n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(retry_delay(Duration::ZERO, 4), Duration::ZERO);
        assert!(Attempt::of(5, 5).last && !Attempt::of(4, 5).last);
    }
}
