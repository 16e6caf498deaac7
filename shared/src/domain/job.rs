//! Queued jobs: work too slow for the webhook (an AI answer, an integration
//! call), typed so that each kind has one handler and one queue.

use serde::{Deserialize, Serialize};

use super::{
    ChatId, TelegramId, Tier,
    workflow::{WorkflowNumber, run::RunId},
};

/// A job's id, stable across redeliveries: the key of its idempotency claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobId(pub String);

impl JobId {
    /// The job a chat message asked for: one message, one job, however often
    /// Telegram or SQS delivers it.
    pub fn for_message(kind: &str, chat: i64, message_id: i32) -> JobId {
        JobId(format!("{kind}-{chat}-{message_id}"))
    }
}

/// What a job does, as it travels on the queue (JSON, tagged by `kind`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    #[serde(flatten)]
    pub work: Work,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// A question for the assistant from `user`, answered in `chat`.
    Ask {
        user: TelegramId,
        chat: ChatId,
        question: String,
        /// The forum topic it was asked in: the answer goes there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<i32>,
    },
    /// One page of an admin's broadcast: the users of `tier` after `after`;
    /// the job for the next page carries the counts so far.
    Broadcast(BroadcastPage),
    /// A stretch of an admin's `/admin stats`: the users of `tier` after
    /// `after`; the job for the next stretch carries the counts so far.
    Stats(StatsPage),
    /// One step of a workflow's run.
    Step(StepJob),
    /// A parked step's wake-up (a wait's end, an approval's timeout), in
    /// hops of at most the queue's longest delay.
    Resume(ResumeJob),
}

/// When a parked step wakes, and which hop towards it this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeJob {
    pub step: StepJob,
    /// Unix seconds.
    pub at: i64,
    pub hop: u32,
}

impl ResumeJob {
    pub fn job(self) -> Job {
        let s = &self.step;
        Job {
            id: JobId(format!("wf-resume-{}-{}-{}-{}", s.run, s.attempt, s.step, self.hop)),
            work: Work::Resume(self),
        }
    }
}

/// Which step of which run to advance; the run itself is in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepJob {
    pub user: TelegramId,
    pub workflow: WorkflowNumber,
    pub run: RunId,
    pub step: usize,
    /// The run's attempt (bumped by Retry), so a retried step is a new job.
    pub attempt: u32,
}

impl StepJob {
    /// The job: its id is the step's claim, `(run, attempt, step)`.
    pub fn job(self) -> Job {
        Job { id: JobId(format!("wf-{}-{}-{}", self.run, self.attempt, self.step)), work: Work::Step(self) }
    }
}

/// Where a broadcast is, and what it did so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastPage {
    /// The broadcast's id, the same for all its pages.
    pub broadcast: String,
    /// Where progress and the final counts are reported.
    pub admin_chat: ChatId,
    pub text: String,
    /// `free` then `pro`.
    pub tier: Tier,
    /// The last user of the page before.
    pub after: Option<TelegramId>,
    pub page: u32,
    pub sent: u64,
    pub blocked: u64,
    pub failed: u64,
}

/// Where a count of `/admin stats` is, and what it counted so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsPage {
    /// The count's id, the same for all its stretches.
    pub stats: String,
    /// Where the figures are sent.
    pub admin_chat: ChatId,
    /// When the admin asked (unix seconds): "active" is relative to it.
    pub at: i64,
    /// `free` then `pro`.
    pub tier: Tier,
    /// The last user of the stretch before.
    pub after: Option<TelegramId>,
    pub page: u32,
    pub counts: UserCounts,
}

/// What `/admin stats` counts over the users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCounts {
    pub total: u64,
    pub free: u64,
    pub pro: u64,
    pub active_24h: u64,
    pub active_7d: u64,
    pub banned: u64,
    pub blocked: u64,
    pub pending_tasks: u64,
}

/// Which queue a job travels on: slow AI answers do not hold up integration
/// calls, and each queue has its own dead-letter queue and alarms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Ai,
    Integrations,
}

impl Work {
    pub fn kind(&self) -> &'static str {
        match self {
            Work::Ask { .. } => "ask",
            Work::Broadcast(_) => "broadcast",
            Work::Stats(_) => "stats",
            Work::Step(_) => "step",
            Work::Resume(_) => "resume",
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            Work::Ask { .. } => Lane::Ai,
            Work::Broadcast(_) | Work::Stats(_) | Work::Step(_) | Work::Resume(_) => Lane::Integrations,
        }
    }
}

/// Why a job failed for good, as its user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobFailure {
    /// No AI provider is configured.
    AssistantOff,
    /// The provider refused Linklet's key: the operator must fix it.
    KeyRefused,
    /// The provider refused this question.
    QuestionRefused,
    /// The model kept calling tools, or answered nothing.
    NoAnswer,
    /// Every attempt failed on a temporary problem; the last one gives up.
    GaveUp,
}

/// Shows the id and kind, never what the user wrote.
impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("id", &self.id.0).field("kind", &self.work.kind()).finish()
    }
}

/// How many jobs wait (queued or running) and how many failed for good (in
/// the dead-letter queues), over every lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueDepths {
    pub waiting: u64,
    pub failed: u64,
}

/// What `/admin stats` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub users: UserCounts,
    /// `None` when the queues could not be read.
    pub jobs: Option<QueueDepths>,
}

/// `STATS_PER_JOB`: users one stats job counts before queuing the next.
pub const STATS_PER_JOB: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_travels_as_tagged_json() {
        let job = Job {
            id: JobId::for_message("ask", 42, 7),
            work: Work::Ask { user: TelegramId(42), chat: ChatId(42), question: "hi".into(), thread: None },
        };
        let text = serde_json::to_string(&job).unwrap();
        assert_eq!(text, r#"{"id":"ask-42-7","kind":"ask","user":42,"chat":42,"question":"hi"}"#);
        assert_eq!(serde_json::from_str::<Job>(&text).unwrap(), job);
        assert!(!format!("{job:?}").contains("hi"));
        assert!(serde_json::from_str::<Job>(r#"{"id":"x","kind":"mine_bitcoin"}"#).is_err());
    }

    #[test]
    fn typed_ids_keep_the_wire_form_of_queued_pages() {
        // A page queued before ids were typed reads the same.
        let queued = r#"{"id":"bc-7-3-p1","kind":"broadcast","broadcast":"bc-7-3","admin_chat":7,"text":"hi","tier":"pro","after":42,"page":1,"sent":2,"blocked":0,"failed":0}"#;
        let job: Job = serde_json::from_str(queued).unwrap();
        let Work::Broadcast(page) = &job.work else { panic!("{queued}") };
        assert_eq!((page.admin_chat, page.tier, page.after), (ChatId(7), Tier::Pro, Some(TelegramId(42))));
        assert_eq!(serde_json::to_string(&job).unwrap(), queued);
    }
}
