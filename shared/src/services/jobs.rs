//! Running queued jobs once each, whichever queue delivers them: claim the
//! job, do its work, and sort a failure into "retry later" (the queue
//! redelivers) or "failed for good" (the user is told, no retry).

use std::{future::Future, panic::AssertUnwindSafe, pin::pin, time::Duration};

use futures::{
    FutureExt as _,
    future::{Either, select},
};
use tracing::{error, info, warn};

use super::{
    admin,
    assistant::{Assistant, AssistantError},
    broadcast::{self, BroadcastSettings},
    once::{ClaimTimes, Once, Settle, once},
};
use crate::{
    domain::{
        Language, TelegramId, User,
        job::{Job, JobFailure, JobId, Work},
    },
    i18n::assistant::AssistantMsg,
    markdown::to_telegram_html,
    ports::{ChatId, ClaimKey, Messenger, MessengerError, OutMessage, StoreError, ai::ProviderError},
    services::Deps,
    telemetry::panic_message,
};

/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(15 * 60);
/// The longest an answer may take, tool calls and fallbacks included: inside
/// the jobs function's 120 s timeout, so a slow answer is retried rather than
/// cut off by Lambda.
pub const ANSWER_BUDGET: Duration = Duration::from_secs(100);
/// Telegram shows "typing…" for 5 s; it is renewed while the work lasts.
const TYPING_REFRESH: Duration = Duration::from_secs(4);

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
    /// Failed on something temporary: deliver it again later (after the last
    /// attempt, the queue moves it to its dead-letter queue).
    Retry,
    /// Failed for good: the user was told; not retried.
    Failed,
}

enum JobError {
    Retryable(String),
    Permanent(JobFailure, String),
}

impl JobError {
    /// An admin job's failure: retried when `retryable`, else failed for good.
    fn sorted(retryable: bool, e: &dyn std::fmt::Display) -> JobError {
        if retryable {
            JobError::Retryable(e.to_string())
        } else {
            JobError::Permanent(JobFailure::NoAnswer, e.to_string())
        }
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        if e.is_transient() {
            JobError::Retryable(e.to_string())
        } else {
            JobError::Permanent(JobFailure::NoAnswer, e.to_string())
        }
    }
}

impl From<AssistantError> for JobError {
    fn from(e: AssistantError) -> JobError {
        let failure = match &e {
            _ if e.is_transient() => return JobError::Retryable(e.to_string()),
            AssistantError::Providers(ProviderError::Unauthorized) => JobFailure::KeyRefused,
            AssistantError::Providers(_) => JobFailure::QuestionRefused,
            AssistantError::TooManyToolRounds | AssistantError::Store(_) | AssistantError::ClaimBusy => {
                JobFailure::NoAnswer
            }
        };
        JobError::Permanent(failure, e.to_string())
    }
}

/// Runs every kind of job; the Lambda's SQS handler and the local runner's
/// in-process queue both call [`JobRunner::run`].
pub struct JobRunner {
    deps: Deps,
    assistant: Option<Assistant>,
    broadcast: BroadcastSettings,
    /// `STATS_PER_JOB`: users one stats job counts before queuing the next.
    stats_per_job: usize,
}

/// Users one stats job counts by default: 50 pages, a few seconds.
pub use crate::domain::job::STATS_PER_JOB;

impl JobRunner {
    /// `assistant` is `None` when no AI provider is configured.
    pub fn new(deps: Deps, assistant: Option<Assistant>) -> JobRunner {
        JobRunner { deps, assistant, broadcast: BroadcastSettings::default(), stats_per_job: STATS_PER_JOB }
    }

    /// Broadcasts paced by `settings` instead of the defaults.
    pub fn with_broadcast(mut self, settings: BroadcastSettings) -> JobRunner {
        self.broadcast = settings;
        self
    }

    /// Stats jobs that count `per_job` users each instead of [`STATS_PER_JOB`].
    pub fn with_stats_per_job(mut self, per_job: usize) -> JobRunner {
        self.stats_per_job = per_job.max(1);
        self
    }

    /// Runs `job` unless it ran before, and says what the queue should do with it.
    #[tracing::instrument(skip_all, fields(job_id = %job.id.0, kind = job.work.kind(), attempt = attempt.number))]
    pub async fn run(&self, job: &Job, attempt: Attempt) -> JobOutcome {
        let key = ClaimKey::job(&job.id.0);
        let store = &self.deps.store;
        let ran = once(store.as_ref(), self.deps.clock.as_ref(), &key, ClaimTimes::JOB, |_| async {
            match self.work(job, attempt).await {
                Ok(()) => Settle::done(JobOutcome::Done),
                Err(JobError::Retryable(why)) => {
                    if attempt.last {
                        error!(error = %why, "job failed on its last attempt; the queue moves it to its dead-letter queue");
                    } else {
                        warn!(error = %why, "job failed; retried later");
                    }
                    Settle::Release(JobOutcome::Retry)
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
                JobOutcome::Retry
            }
            Err(e) => {
                warn!(error = %e, "could not claim the job; retried later");
                JobOutcome::Retry
            }
        }
    }

    /// The job's work, a panic caught as its failure for good.
    async fn work(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        let work = async {
            match &job.work {
                Work::Ask { user, chat, question } => {
                    self.ask(&job.id, *user, *chat, question, attempt).await
                }
                Work::Broadcast(page) => broadcast::run_page(&self.deps, self.broadcast, page)
                    .await
                    .map_err(|e| JobError::sorted(e.is_transient(), &e)),
                Work::Stats(page) => admin::run_stats_page(&self.deps, self.stats_per_job, page)
                    .await
                    .map_err(|e| JobError::sorted(e.is_transient(), &e)),
            }
        };
        // A panic in one job is this job's failure for good, not the batch's.
        match AssertUnwindSafe(work).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                error!(panic = panic_message(panic.as_ref()), "the job panicked; failed for good");
                if let Work::Ask { user, chat, .. } = &job.work {
                    let user = self.deps.store.get_user(*user).await.ok().flatten();
                    self.tell(*chat, user.map_or(Language::En, |u| u.lang()), JobFailure::NoAnswer).await;
                }
                Err(JobError::Permanent(JobFailure::NoAnswer, "the job panicked".into()))
            }
        }
    }

    /// A question for the assistant; a failure for good, or on the last
    /// attempt, is told to the user in their language.
    async fn ask(
        &self,
        id: &JobId,
        user: TelegramId,
        chat: ChatId,
        question: &str,
        attempt: Attempt,
    ) -> Result<(), JobError> {
        let user = self.deps.store.get_user(user).await;
        let lang = user.as_ref().ok().and_then(Option::as_ref).map_or(Language::En, User::lang);
        let result = match user {
            Err(e) => Err(e.into()),
            Ok(None) => Err(JobError::Permanent(JobFailure::NoAnswer, "the user is not registered".into())),
            Ok(Some(user)) if user.banned_at.is_some() => {
                info!("the user was banned since asking; not answered");
                return Ok(());
            }
            Ok(Some(user)) => self.answer(id, &user, chat, question).await,
        };
        match &result {
            Err(JobError::Permanent(failure, _)) => self.tell(chat, lang, *failure).await,
            Err(JobError::Retryable(_)) if attempt.last => self.tell(chat, lang, JobFailure::GaveUp).await,
            _ => {}
        }
        result
    }

    /// Typing while the assistant works, then the answer, formatted for
    /// Telegram and split at 4096 characters by the messenger, then remembered.
    async fn answer(&self, id: &JobId, user: &User, chat: ChatId, question: &str) -> Result<(), JobError> {
        let Some(assistant) = &self.assistant else {
            return Err(JobError::Permanent(JobFailure::AssistantOff, "no AI provider configured".into()));
        };
        let now = self.deps.clock.now();
        let answering = tokio::time::timeout(ANSWER_BUDGET, assistant.answer(user, question, now, id));
        let answer = match with_typing(self.deps.messenger.as_ref(), chat, answering).await {
            Err(_) => return Err(JobError::Retryable(format!("no answer within {ANSWER_BUDGET:?}"))),
            Ok(answer) => answer?,
        };
        if answer.text.trim().is_empty() {
            return Err(JobError::Permanent(JobFailure::NoAnswer, "the model answered nothing".into()));
        }
        let message = OutMessage::text(to_telegram_html(&answer.text));
        self.deps.messenger.send(chat, &message).await.map_err(delivery)?;
        if let Err(e) = assistant.remember(user, &answer, now).await {
            warn!(error = %e, "the answer was sent but not remembered");
        }
        Ok(())
    }

    /// Tells the user a job failed; a failure to tell is logged (the job's own
    /// failure is already logged and, when retryable, kept by the queue).
    async fn tell(&self, chat: ChatId, lang: Language, failure: JobFailure) {
        let text = AssistantMsg::Failed(failure).render(lang);
        if let Err(e) = self.deps.messenger.send(chat, &OutMessage::text(text)).await {
            warn!(error = %e, "could not tell the user their job failed");
        }
    }
}

/// A failure to deliver the answer: temporary ones retry the job (its tools
/// do not run twice); a blocked chat or a refused message is final.
fn delivery(e: MessengerError) -> JobError {
    if e.is_transient() {
        JobError::Retryable(e.to_string())
    } else {
        JobError::Permanent(JobFailure::NoAnswer, e.to_string())
    }
}

/// Runs `work` while the chat shows "typing…".
async fn with_typing<T>(messenger: &dyn Messenger, chat: ChatId, work: impl Future<Output = T>) -> T {
    match select(pin!(work), pin!(keep_typing(messenger, chat))).await {
        Either::Left((out, _)) => out,
        Either::Right(((), work)) => work.await,
    }
}

async fn keep_typing(messenger: &dyn Messenger, chat: ChatId) {
    loop {
        if let Err(e) = messenger.typing(chat).await {
            info!(error = %e, "typing indicator not shown");
        }
        tokio::time::sleep(TYPING_REFRESH).await;
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
