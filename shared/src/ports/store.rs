//! Storage ports, one per concern (users, claims, tasks, reminders, quotas,
//! conversations, the admins' directory, integrations, workflows and their
//! runs), and `Store`, all of
//! them; a use case takes the ones it uses. Both store adapters implement
//! each, checked by one contract (`tests/api/store_contract.rs`).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    SeenUser, TelegramId, Tier, UpdateId, User, UserPatch,
    assistant::{MemoryBound, QuotaUse, Turn},
    audit::AuditEntry,
    integration::{Service, StoredIntegration},
    recurrence::Series,
    task::{LimitReached, NewTask, Task, TaskLimits, TaskNumber},
    workflow::{
        NewWorkflow, TooManyWorkflows, Workflow, WorkflowNumber,
        draft::Draft,
        hook::StoredHook,
        run::{Run, RunId},
    },
};

/// A storage failure, sorted by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not be reached or throttled us: retrying may work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store answered but the data is not what Linklet wrote: retrying will not help.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The item the change applies to does not exist.
    #[error("not found: {0}")]
    NotFound(String),
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// The rate limit's window an update is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount<'a> {
    /// Which count: messages and button taps are counted apart.
    pub counter: RateCounter,
    /// The window's name ([`crate::domain::rate_limit::Window::name`]).
    pub window: &'a str,
    pub limit: u32,
}

/// The user's two rate counts, so that paging through a list does not use up
/// what a typed command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateCounter {
    Messages,
    Taps,
}

impl RateCounter {
    /// Its name as a stored quota.
    pub fn name(self) -> &'static str {
        match self {
            RateCounter::Messages => "rate",
            RateCounter::Taps => "tap-rate",
        }
    }

    /// The user item's attributes holding its window and its count.
    pub fn attributes(self) -> (&'static str, &'static str) {
        match self {
            RateCounter::Messages => ("rate_window", "rate_used"),
            RateCounter::Taps => ("tap_window", "tap_used"),
        }
    }
}

#[async_trait]
pub trait Users: Send + Sync {
    /// Registers the user or refreshes what Telegram shows of them, and
    /// returns the whole user (settings included).
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError>;

    /// What every update does first: registers or refreshes the user and
    /// counts the update against the rate limit. On DynamoDB, a known user
    /// whose profile did not change is one conditional write that touches no
    /// index (the profile is written again at most once an hour).
    async fn see(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<(User, QuotaUse), StoreError>;

    async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError>;

    /// Applies a settings change to an existing user and returns the result.
    async fn patch_user(
        &self,
        id: TelegramId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError>;
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller owns the key until the lease ends.
    Acquired,
    /// This caller owns the key, and an earlier holder left work in this note
    /// ([`Claims::park_claim`]): it is to be finished, not started again.
    Resumed(String),
    /// Another holder is working on it right now.
    InProgress,
    /// Handled already; with the note recorded on completion, if any.
    Completed(Option<String>),
}

/// What an idempotency record is about: a Telegram update, or a queued job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimKey(String);

impl ClaimKey {
    pub fn update(id: UpdateId) -> ClaimKey {
        ClaimKey(format!("UPDATE#{}", id.0))
    }

    pub fn job(id: &str) -> ClaimKey {
        ClaimKey(format!("JOB#{id}"))
    }

    /// A tool call of job `job`'s answer: its round, its place in the round, the tool.
    pub fn tool_call(job: &str, round: usize, index: usize, tool: &str) -> ClaimKey {
        ClaimKey::job(&format!("{job}/{round}/{index}/{tool}"))
    }

    /// One recipient of broadcast `broadcast`.
    pub fn recipient(broadcast: &str, user: TelegramId) -> ClaimKey {
        ClaimKey::job(&format!("{broadcast}/to/{}", user.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Idempotency records (in progress -> completed, with expiry), as AWS Lambda
/// Powertools keeps them: for Telegram updates, and for queued jobs.
#[async_trait]
pub trait Claims: Send + Sync {
    /// Claims `key` for `lease`; an expired lease or an expired record is taken over.
    async fn claim(&self, key: &ClaimKey, now: DateTime<Utc>, lease: Duration) -> Result<Claim, StoreError>;

    /// Marks `key` handled, with `note` (a result to replay) if any; the record
    /// is kept for `keep` so redeliveries are ignored.
    async fn complete_claim(
        &self,
        key: &ClaimKey,
        now: DateTime<Utc>,
        keep: Duration,
        note: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Leaves `key` with work still to do (`note`), free for the next claim,
    /// which gets [`Claim::Resumed`]; kept for `keep`.
    async fn park_claim(
        &self,
        key: &ClaimKey,
        note: &str,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError>;

    /// Gives the claim up so that a redelivery is handled.
    async fn release_claim(&self, key: &ClaimKey) -> Result<(), StoreError>;
}

/// A user's tasks. Creation and completion keep the user's pending counts
/// (the tier limits) in the same transaction as the task.
#[async_trait]
pub trait Tasks: Send + Sync {
    /// Stores a new task with the user's next number, unless a limit is reached.
    async fn create_task(
        &self,
        user: TelegramId,
        task: &NewTask,
        limits: TaskLimits,
        now: DateTime<Utc>,
    ) -> Result<Result<Task, LimitReached>, StoreError>;

    /// Every pending task of the user, in no particular order.
    async fn pending_tasks(&self, user: TelegramId) -> Result<Vec<Task>, StoreError>;

    async fn get_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError>;

    /// Marks a pending task done; `None` when there is no such pending task.
    async fn complete_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError>;

    /// Deletes a pending task; `None` when there is no such pending task.
    async fn delete_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError>;

    /// Moves a pending task's next reminder; `None` when there is no such pending task.
    async fn reschedule_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        due: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError>;

    /// Gives a pending task a new repetition, its next reminder at `due`
    /// (the series' first occurrence from now on); a task that did not repeat
    /// counts against the recurring limit, checked in the same write. `Ok(None)`
    /// when there is no such pending task.
    async fn repeat_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        series: &Series,
        due: DateTime<Utc>,
        limits: TaskLimits,
    ) -> Result<Result<Option<Task>, LimitReached>, StoreError>;

    /// Marks a pending series' `occurrence` done and moves its next reminder
    /// to `next`, only if its due time is still `seen_due` and no occurrence
    /// from `occurrence` on was marked done before (a second tap); false otherwise.
    async fn finish_occurrence(
        &self,
        user: TelegramId,
        number: TaskNumber,
        occurrence: DateTime<Utc>,
        seen_due: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// What the reminder sweep needs: due tasks across users, a lease per
/// occurrence, and the record that an occurrence was sent.
#[async_trait]
pub trait Reminders: Send + Sync {
    /// Pending tasks due at or before `up_to` whose occurrence was not sent yet,
    /// soonest first, at most `limit` (no Scan on DynamoDB: the sharded due index).
    async fn due_tasks(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Task>, StoreError>;

    /// Leases the task's current occurrence (`task.due`) for `lease`; false when it
    /// moved, ended, or another sweep holds it.
    async fn claim_reminder(
        &self,
        task: &Task,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError>;

    /// Records that `task.due`'s reminder reached the user: the task moves to `next`,
    /// or (one-off) leaves the due index and stays pending until the user finishes it.
    async fn reminder_sent(&self, task: &Task, next: Option<DateTime<Utc>>) -> Result<(), StoreError>;

    /// The user blocked the bot: no more reminders until they write again.
    async fn mark_blocked(&self, user: TelegramId, now: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Usage counted per user and window (a day, say), atomically.
#[async_trait]
pub trait Quotas: Send + Sync {
    /// Counts one use of `what` in `window` unless `limit` uses were counted
    /// already; the count is forgotten after `expires_at`.
    async fn take_quota(
        &self,
        user: TelegramId,
        what: &str,
        window: &str,
        limit: u32,
        expires_at: DateTime<Utc>,
    ) -> Result<QuotaUse, StoreError>;
}

/// The assistant's memory of a conversation, per user.
#[async_trait]
pub trait Conversations: Send + Sync {
    /// The kept turns, oldest first; none once they expired.
    async fn recent_turns(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Vec<Turn>, StoreError>;

    /// Adds turns, drops the oldest beyond `bound`, and keeps the whole until `expires_at`.
    async fn append_turns(
        &self,
        user: TelegramId,
        turns: &[Turn],
        bound: MemoryBound,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Forgets the conversation (`/reset`).
    async fn forget_turns(&self, user: TelegramId) -> Result<(), StoreError>;
}

/// A user as the admin tools see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    pub pending_tasks: u32,
}

/// One page of users, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    pub next: Option<TelegramId>,
}

/// What the admins need: every user a page at a time (stats, broadcast), and
/// the audit log.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The users of `tier` after `after`, at most `limit` (no Scan on DynamoDB:
    /// the sharded tier index, `TIER#<tier>#<shard>`).
    async fn users_page(
        &self,
        tier: Tier,
        after: Option<TelegramId>,
        limit: usize,
    ) -> Result<UserPage, StoreError>;

    /// The user whose @username is `username` (any case, with or without the
    /// @): one lookup, whatever the number of users.
    async fn find_username(&self, username: &str) -> Result<Option<TelegramId>, StoreError>;

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The newest entries first.
    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

/// A user's connected services, credentials sealed (the plan's `integrations`).
#[async_trait]
pub trait Integrations: Send + Sync {
    /// Stores (or replaces) the user's connection to `integration.service`.
    async fn put_integration(
        &self,
        user: TelegramId,
        integration: &StoredIntegration,
    ) -> Result<(), StoreError>;

    async fn get_integration(
        &self,
        user: TelegramId,
        service: Service,
    ) -> Result<Option<StoredIntegration>, StoreError>;

    async fn list_integrations(&self, user: TelegramId) -> Result<Vec<StoredIntegration>, StoreError>;

    /// False when the service was not connected.
    async fn delete_integration(&self, user: TelegramId, service: Service) -> Result<bool, StoreError>;
}

/// A user's workflows and their runs. Creating, changing and deleting a
/// workflow also rewrites the user's trigger map (`User::workflow_triggers`)
/// in the same transaction.
#[async_trait]
pub trait Workflows: Send + Sync {
    /// Stores a new workflow with the user's next number, unless they have
    /// `max` already.
    async fn create_workflow(
        &self,
        user: TelegramId,
        new: &NewWorkflow,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<Workflow, TooManyWorkflows>, StoreError>;

    /// The user's workflows by number.
    async fn workflows(&self, user: TelegramId) -> Result<Vec<Workflow>, StoreError>;

    async fn get_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError>;

    /// Stores `workflow` (edited, enabled or disabled) if the stored one is
    /// still at version `seen_version`; false when it changed or is gone.
    async fn update_workflow(&self, workflow: &Workflow, seen_version: u32) -> Result<bool, StoreError>;

    /// Deletes a workflow (its runs expire on their own); `None` when there is none.
    async fn delete_workflow(
        &self,
        user: TelegramId,
        number: WorkflowNumber,
    ) -> Result<Option<Workflow>, StoreError>;

    /// Stores `run` if the stored one is the revision before it (`run.rev - 1`;
    /// none at all for revision 0); false when another writer got there first.
    async fn save_run(&self, run: &Run) -> Result<bool, StoreError>;

    async fn get_run(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        id: &RunId,
    ) -> Result<Option<Run>, StoreError>;

    /// Keeps the user's workflow being built (one per user), for a day.
    async fn save_draft(&self, user: TelegramId, draft: &Draft, now: DateTime<Utc>)
    -> Result<(), StoreError>;

    async fn draft(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Option<Draft>, StoreError>;

    async fn drop_draft(&self, user: TelegramId) -> Result<(), StoreError>;

    /// Records the hook whose token hashes to `hash`.
    async fn put_hook(&self, hash: &str, hook: &StoredHook) -> Result<(), StoreError>;

    async fn get_hook(&self, hash: &str) -> Result<Option<StoredHook>, StoreError>;

    /// Revokes a hook: its URL answers 404 from now on.
    async fn delete_hook(&self, hash: &str) -> Result<(), StoreError>;

    /// Active workflows whose schedule's next run is at or before `up_to`,
    /// soonest first, at most `limit` (no Scan on DynamoDB: the sharded due
    /// index, `WDUE#<shard>`).
    async fn due_schedules(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Workflow>, StoreError>;

    /// Moves a schedule from its run at `fired` to `next` (none: it is over),
    /// only if it is still at `fired`; false when another sweep moved it.
    async fn schedule_fired(
        &self,
        workflow: &Workflow,
        fired: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;

    /// The workflow's newest runs first, at most `limit`.
    async fn recent_runs(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        limit: usize,
    ) -> Result<Vec<Run>, StoreError>;
}

/// What the assistant keeps and acts on: its memory of the conversation, the
/// claims that run each tool call once, the user's tasks.
pub trait AssistantStore: Conversations + Claims + Tasks {}

impl<T: Conversations + Claims + Tasks + ?Sized> AssistantStore for T {}

/// Everything the bot stores; each adapter implements every part. A use case
/// takes the parts it uses (`&dyn Tasks`, `&dyn AssistantStore`...), which a
/// `&dyn Store` coerces to.
pub trait Store: Users + Reminders + Quotas + Directory + Integrations + Workflows + AssistantStore {}

impl<T: Users + Claims + Tasks + Reminders + Quotas + Conversations + Directory + Integrations + Workflows>
    Store for T
{
}
