//! The embedded store for the local runner: redb, one file in the data directory,
//! every change a committed transaction (safe against a crash mid-write).

mod directory;
mod integrations;

use std::{path::Path, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::records::{COMPLETED, ClaimRecord, IN_PROGRESS, PARKED, TaskRecord, UserRecord};
use crate::domain::assistant::{MemoryBound, QuotaUse, Turn};
use crate::domain::{
    SeenUser, TelegramId, Tier, User, UserPatch,
    recurrence::Series,
    task::{LimitReached, NewTask, Task, TaskLimits, TaskNumber, TaskStatus},
};
use crate::ports::{
    Claim, ClaimKey, Claims, Conversations, Quotas, RateCount, Reminders, StoreError, Tasks, Users,
};

const USERS: TableDefinition<i64, &[u8]> = TableDefinition::new("users");
/// Idempotency claims (`UPDATE#<id>`, `JOB#<id>`) -> the claim as JSON.
const CLAIMS: TableDefinition<&str, &[u8]> = TableDefinition::new("claims");
/// (user, task number) -> the task as JSON.
const TASKS: TableDefinition<(i64, u32), &[u8]> = TableDefinition::new("tasks");
/// user -> the last task number given.
const TASK_SEQ: TableDefinition<i64, u32> = TableDefinition::new("task_seq");
/// (user, "what#window") -> the quota count and its expiry, as JSON.
const QUOTAS: TableDefinition<(i64, &str), &[u8]> = TableDefinition::new("quotas");
/// user -> the assistant's memory of the conversation, as JSON.
const CONVERSATIONS: TableDefinition<i64, &[u8]> = TableDefinition::new("conversations");
/// (user, task number) -> the reminder state of its current occurrence, as JSON.
const LEASES: TableDefinition<(i64, u32), &[u8]> = TableDefinition::new("reminder_leases");

/// A task occurrence's reminder: leased by a sweep until `lease_until`, or sent.
#[derive(serde::Serialize, serde::Deserialize)]
struct Lease {
    due: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    sent: bool,
}

/// The database file inside the data directory.
pub const FILE_NAME: &str = "linklet.redb";

#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbeddedStore")
    }
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir`, creating its tables and dropping
    /// update claims that have expired (what DynamoDB's TTL does on AWS).
    pub fn open(dir: &Path) -> Result<EmbeddedStore, StoreError> {
        use std::os::unix::fs::PermissionsExt as _;
        // Owner only: the database holds conversations and sealed credentials.
        let owner_only =
            |path: &Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        owner_only(dir, 0o700).map_err(unavailable)?;
        let file = dir.join(FILE_NAME);
        let db = Database::create(&file).map_err(unavailable)?;
        owner_only(&file, 0o600).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(USERS).map_err(unavailable)?;
            txn.open_table(TASKS).map_err(unavailable)?;
            txn.open_table(TASK_SEQ).map_err(unavailable)?;
            txn.open_table(LEASES).map_err(unavailable)?;
            txn.open_table(QUOTAS).map_err(unavailable)?;
            txn.open_table(CONVERSATIONS).map_err(unavailable)?;
            txn.open_table(directory::AUDIT).map_err(unavailable)?;
            txn.open_table(integrations::INTEGRATIONS).map_err(unavailable)?;
            let mut updates = txn.open_table(CLAIMS).map_err(unavailable)?;
            let now = Utc::now().timestamp();
            updates
                .retain(|_, bytes| {
                    serde_json::from_slice::<ClaimRecord>(bytes).is_ok_and(|r| r.expires_at > now)
                })
                .map_err(unavailable)?;
        }
        txn.commit().map_err(unavailable)?;
        Ok(EmbeddedStore { db: Arc::new(db) })
    }

    /// Runs `work` in one write transaction on a blocking thread; commits if it succeeds.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&redb::WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_write().map_err(unavailable)?;
            let value = work(&txn)?;
            txn.commit().map_err(unavailable)?;
            Ok(value)
        })
        .await
        .map_err(unavailable)?
    }
}

fn load_user(
    table: &impl ReadableTable<i64, &'static [u8]>,
    id: TelegramId,
) -> Result<Option<User>, StoreError> {
    match table.get(id.0).map_err(unavailable)? {
        Some(bytes) => {
            let record: UserRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
            User::try_from(record).map(Some)
        }
        None => Ok(None),
    }
}

fn save_user(table: &mut redb::Table<i64, &[u8]>, user: &User) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(&UserRecord::from(user)).map_err(corrupt)?;
    table.insert(user.id.0, bytes.as_slice()).map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl Users for EmbeddedStore {
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        let seen = seen.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(USERS).map_err(unavailable)?;
            let user = match load_user(&table, seen.id)? {
                Some(existing) => User {
                    username: seen.username,
                    first_name: seen.first_name,
                    language_code: seen.language_code,
                    blocked_at: None,
                    updated_at: now,
                    ..existing
                },
                None => User {
                    id: seen.id,
                    username: seen.username,
                    first_name: seen.first_name,
                    language_code: seen.language_code,
                    language: None,
                    timezone: None,
                    tier: Tier::Free,
                    awaiting: None,
                    blocked_at: None,
                    banned_at: None,
                    created_at: now,
                    updated_at: now,
                },
            };
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
    }

    async fn see(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<(User, QuotaUse), StoreError> {
        // One person's machine: two local transactions cost nothing worth folding.
        let user = self.upsert_seen(seen, now).await?;
        let counted = self
            .take_quota(
                user.id,
                rate.counter.name(),
                rate.window,
                rate.limit,
                now + chrono::Duration::days(1),
            )
            .await?;
        Ok((user, counted))
    }

    async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load_user(&txn.open_table(USERS).map_err(unavailable)?, id)
        })
        .await
        .map_err(unavailable)?
    }

    async fn patch_user(
        &self,
        id: TelegramId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let patch = patch.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(USERS).map_err(unavailable)?;
            let mut user =
                load_user(&table, id)?.ok_or_else(|| StoreError::NotFound(format!("user {}", id.0)))?;
            if let Some(language) = patch.language {
                user.language = Some(language);
            }
            if let Some(timezone) = patch.timezone {
                user.timezone = Some(timezone);
            }
            if let Some(awaiting) = patch.awaiting {
                user.awaiting = awaiting;
            }
            if let Some(tier) = patch.tier {
                user.tier = tier;
            }
            if let Some(banned) = patch.banned {
                user.banned_at = banned.then_some(now);
            }
            user.updated_at = now;
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
    }
}

#[async_trait]
impl Claims for EmbeddedStore {
    async fn claim(&self, key: &ClaimKey, now: DateTime<Utc>, lease: Duration) -> Result<Claim, StoreError> {
        let now_s = now.timestamp();
        let key = key.as_str().to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(CLAIMS).map_err(unavailable)?;
            let existing = match table.get(key.as_str()).map_err(unavailable)? {
                Some(bytes) => Some(serde_json::from_slice::<ClaimRecord>(bytes.value()).map_err(corrupt)?),
                None => None,
            };
            if let Some(found) = existing.as_ref().and_then(|r| r.blocks(now_s)) {
                return Ok(found);
            }
            let claim = existing.as_ref().map_or(Claim::Acquired, |r| r.taken_over(now_s));
            let lease_until = now_s + lease.as_secs() as i64;
            let record = ClaimRecord {
                status: IN_PROGRESS.into(),
                lease_until,
                expires_at: lease_until + 25 * 3600,
                // Kept until completion, in case this holder crashes too.
                note: match &claim {
                    Claim::Resumed(note) => Some(note.clone()),
                    _ => None,
                },
            };
            let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
            table.insert(key.as_str(), bytes.as_slice()).map_err(unavailable)?;
            Ok(claim)
        })
        .await
    }

    async fn complete_claim(
        &self,
        key: &ClaimKey,
        now: DateTime<Utc>,
        keep: Duration,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let record = ClaimRecord {
            status: COMPLETED.into(),
            lease_until: 0,
            expires_at: now.timestamp() + keep.as_secs() as i64,
            note: note.map(str::to_owned),
        };
        self.put_claim(key, record).await
    }

    async fn park_claim(
        &self,
        key: &ClaimKey,
        note: &str,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let record = ClaimRecord {
            status: PARKED.into(),
            lease_until: 0,
            expires_at: now.timestamp() + keep.as_secs() as i64,
            note: Some(note.to_owned()),
        };
        self.put_claim(key, record).await
    }

    async fn release_claim(&self, key: &ClaimKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(CLAIMS).map_err(unavailable)?;
            let in_progress = match table.get(key.as_str()).map_err(unavailable)? {
                Some(bytes) => serde_json::from_slice::<ClaimRecord>(bytes.value())
                    .is_ok_and(|r| r.status == IN_PROGRESS),
                None => false,
            };
            if in_progress {
                table.remove(key.as_str()).map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }
}

impl EmbeddedStore {
    async fn put_claim(&self, key: &ClaimKey, record: ClaimRecord) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(CLAIMS).map_err(unavailable)?;
            let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
            table.insert(key.as_str(), bytes.as_slice()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

fn load_task(
    table: &impl ReadableTable<(i64, u32), &'static [u8]>,
    user: TelegramId,
    number: TaskNumber,
) -> Result<Option<Task>, StoreError> {
    match table.get((user.0, number.0)).map_err(unavailable)? {
        Some(bytes) => {
            let record: TaskRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
            Task::try_from(record).map(Some)
        }
        None => Ok(None),
    }
}

fn save_task(table: &mut redb::Table<(i64, u32), &[u8]>, task: &Task) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(&TaskRecord::from(task)).map_err(corrupt)?;
    table.insert((task.user.0, task.number.0), bytes.as_slice()).map_err(unavailable)?;
    Ok(())
}

fn user_tasks(
    table: &impl ReadableTable<(i64, u32), &'static [u8]>,
    user: TelegramId,
) -> Result<Vec<Task>, StoreError> {
    let mut tasks = Vec::new();
    for entry in table.range((user.0, 0)..=(user.0, u32::MAX)).map_err(unavailable)? {
        let (_, bytes) = entry.map_err(unavailable)?;
        let record: TaskRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
        tasks.push(Task::try_from(record)?);
    }
    Ok(tasks)
}

/// The pending task `number` of `user`, changed by `change` (None: deleted), in one transaction.
fn change_pending(
    txn: &redb::WriteTransaction,
    user: TelegramId,
    number: TaskNumber,
    change: impl FnOnce(Task) -> Option<Task>,
) -> Result<Option<Task>, StoreError> {
    let mut table = txn.open_table(TASKS).map_err(unavailable)?;
    let Some(task) = load_task(&table, user, number)?.filter(|t| t.status == TaskStatus::Pending) else {
        return Ok(None);
    };
    match change(task.clone()) {
        Some(changed) => {
            save_task(&mut table, &changed)?;
            Ok(Some(changed))
        }
        None => {
            table.remove((user.0, number.0)).map_err(unavailable)?;
            Ok(Some(task))
        }
    }
}

#[async_trait]
impl Tasks for EmbeddedStore {
    async fn create_task(
        &self,
        user: TelegramId,
        new: &NewTask,
        limits: TaskLimits,
        now: DateTime<Utc>,
    ) -> Result<Result<Task, LimitReached>, StoreError> {
        let new = new.clone();
        self.write(move |txn| {
            let mut tasks = txn.open_table(TASKS).map_err(unavailable)?;
            let pending: Vec<Task> =
                user_tasks(&tasks, user)?.into_iter().filter(|t| t.status == TaskStatus::Pending).collect();
            if pending.len() as u32 >= limits.pending {
                return Ok(Err(LimitReached::Pending(limits.pending)));
            }
            let recurring = pending.iter().filter(|t| t.series.is_some()).count() as u32;
            if new.series.is_some() && recurring >= limits.recurring {
                return Ok(Err(LimitReached::Recurring(limits.recurring)));
            }
            let mut seq = txn.open_table(TASK_SEQ).map_err(unavailable)?;
            let number = seq.get(user.0).map_err(unavailable)?.map(|v| v.value()).unwrap_or(0) + 1;
            seq.insert(user.0, number).map_err(unavailable)?;
            let task = Task {
                user,
                number: TaskNumber(number),
                title: new.title,
                due: new.due,
                series: new.series,
                status: TaskStatus::Pending,
                created_at: now,
                completed_at: None,
                done_through: None,
            };
            save_task(&mut tasks, &task)?;
            Ok(Ok(task))
        })
        .await
    }

    async fn pending_tasks(&self, user: TelegramId) -> Result<Vec<Task>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let tasks = user_tasks(&txn.open_table(TASKS).map_err(unavailable)?, user)?;
            Ok(tasks.into_iter().filter(|t| t.status == TaskStatus::Pending).collect())
        })
        .await
        .map_err(unavailable)?
    }

    async fn get_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load_task(&txn.open_table(TASKS).map_err(unavailable)?, user, number)
        })
        .await
        .map_err(unavailable)?
    }

    async fn complete_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        self.write(move |txn| {
            change_pending(txn, user, number, |task| {
                Some(Task { status: TaskStatus::Done, completed_at: Some(now), ..task })
            })
        })
        .await
    }

    async fn delete_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        self.write(move |txn| change_pending(txn, user, number, |_| None)).await
    }

    async fn reschedule_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        due: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        self.write(move |txn| change_pending(txn, user, number, |task| Some(Task { due: Some(due), ..task })))
            .await
    }

    async fn repeat_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        series: &Series,
        due: DateTime<Utc>,
        limits: TaskLimits,
    ) -> Result<Result<Option<Task>, LimitReached>, StoreError> {
        let series = series.clone();
        self.write(move |txn| {
            let repeating = {
                let tasks = txn.open_table(TASKS).map_err(unavailable)?;
                let pending =
                    user_tasks(&tasks, user)?.into_iter().filter(|t| t.status == TaskStatus::Pending);
                pending.filter(|t| t.series.is_some() && t.number != number).count() as u32
            };
            let mut limited = false;
            let changed = change_pending(txn, user, number, |task| {
                if task.series.is_none() && repeating >= limits.recurring {
                    limited = true;
                    return Some(task);
                }
                Some(Task { due: Some(due), series: Some(series), done_through: None, ..task })
            })?;
            Ok(if limited { Err(LimitReached::Recurring(limits.recurring)) } else { Ok(changed) })
        })
        .await
    }

    async fn finish_occurrence(
        &self,
        user: TelegramId,
        number: TaskNumber,
        occurrence: DateTime<Utc>,
        seen_due: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(move |txn| {
            let changed = change_pending(txn, user, number, |task| {
                let fresh = task.due == seen_due
                    && task.done_through.is_none_or(|done| done.timestamp() < occurrence.timestamp());
                fresh.then_some(Task { due: Some(next), done_through: Some(occurrence), ..task })
            })?;
            Ok(changed.is_some())
        })
        .await
    }
}

fn load_lease(
    table: &impl ReadableTable<(i64, u32), &'static [u8]>,
    task: &Task,
) -> Result<Option<Lease>, StoreError> {
    match table.get((task.user.0, task.number.0)).map_err(unavailable)? {
        Some(bytes) => serde_json::from_slice(bytes.value()).map(Some).map_err(corrupt),
        None => Ok(None),
    }
}

fn save_lease(
    table: &mut redb::Table<(i64, u32), &[u8]>,
    task: &Task,
    lease: &Lease,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(lease).map_err(corrupt)?;
    table.insert((task.user.0, task.number.0), bytes.as_slice()).map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl Reminders for EmbeddedStore {
    async fn due_tasks(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Task>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let tasks = txn.open_table(TASKS).map_err(unavailable)?;
            let leases = txn.open_table(LEASES).map_err(unavailable)?;
            let mut due = Vec::new();
            // A scan: the embedded store serves one person's machine.
            for entry in tasks.iter().map_err(unavailable)? {
                let (_, bytes) = entry.map_err(unavailable)?;
                let record: TaskRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
                let task = Task::try_from(record)?;
                let Some(at) = task.due.filter(|at| *at <= up_to) else { continue };
                if task.status != TaskStatus::Pending {
                    continue;
                }
                let sent = load_lease(&leases, &task)?.is_some_and(|l| l.sent && l.due == at);
                if !sent {
                    due.push(task);
                }
            }
            due.sort_by_key(|t| t.due);
            due.truncate(limit);
            Ok(due)
        })
        .await
        .map_err(unavailable)?
    }

    async fn claim_reminder(
        &self,
        task: &Task,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let task = task.clone();
        let Some(due) = task.due else { return Ok(false) };
        self.write(move |txn| {
            let tasks = txn.open_table(TASKS).map_err(unavailable)?;
            let current = load_task(&tasks, task.user, task.number)?;
            if !current.is_some_and(|t| t.status == TaskStatus::Pending && t.due == Some(due)) {
                return Ok(false);
            }
            let mut leases = txn.open_table(LEASES).map_err(unavailable)?;
            let held =
                load_lease(&leases, &task)?.is_some_and(|l| l.due == due && (l.sent || l.lease_until > now));
            if held {
                return Ok(false);
            }
            let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
            save_lease(&mut leases, &task, &Lease { due, lease_until: until, sent: false })?;
            Ok(true)
        })
        .await
    }

    async fn reminder_sent(&self, task: &Task, next: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let task = task.clone();
        let Some(due) = task.due else { return Ok(()) };
        self.write(move |txn| {
            let mut tasks = txn.open_table(TASKS).map_err(unavailable)?;
            let Some(current) = load_task(&tasks, task.user, task.number)?.filter(|t| t.due == Some(due))
            else {
                return Ok(());
            };
            let mut leases = txn.open_table(LEASES).map_err(unavailable)?;
            match next {
                Some(next) => {
                    save_task(&mut tasks, &Task { due: Some(next), ..current })?;
                    leases.remove((task.user.0, task.number.0)).map_err(unavailable)?;
                }
                None => save_lease(&mut leases, &task, &Lease { due, lease_until: due, sent: true })?,
            }
            Ok(())
        })
        .await
    }

    async fn mark_blocked(&self, user: TelegramId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(USERS).map_err(unavailable)?;
            if let Some(found) = load_user(&table, user)? {
                save_user(&mut table, &User { blocked_at: Some(now), ..found })?;
            }
            Ok(())
        })
        .await
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Counted {
    used: u32,
    expires_at: DateTime<Utc>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Memory {
    turns: Vec<Turn>,
    expires_at: DateTime<Utc>,
}

#[async_trait]
impl Quotas for EmbeddedStore {
    async fn take_quota(
        &self,
        user: TelegramId,
        what: &str,
        window: &str,
        limit: u32,
        expires_at: DateTime<Utc>,
    ) -> Result<QuotaUse, StoreError> {
        let name = format!("{what}#{window}");
        self.write(move |txn| {
            let mut table = txn.open_table(QUOTAS).map_err(unavailable)?;
            let used = match table.get((user.0, name.as_str())).map_err(unavailable)? {
                Some(bytes) => serde_json::from_slice::<Counted>(bytes.value()).map_err(corrupt)?.used,
                None => 0,
            };
            if used >= limit {
                return Ok(QuotaUse::Exhausted);
            }
            let bytes = serde_json::to_vec(&Counted { used: used + 1, expires_at }).map_err(corrupt)?;
            table.insert((user.0, name.as_str()), bytes.as_slice()).map_err(unavailable)?;
            Ok(QuotaUse::Granted { used: used + 1 })
        })
        .await
    }
}

fn load_memory(
    table: &impl ReadableTable<i64, &'static [u8]>,
    user: TelegramId,
    now: DateTime<Utc>,
) -> Result<Vec<Turn>, StoreError> {
    match table.get(user.0).map_err(unavailable)? {
        Some(bytes) => {
            let memory: Memory = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
            Ok(if memory.expires_at > now { memory.turns } else { Vec::new() })
        }
        None => Ok(Vec::new()),
    }
}

#[async_trait]
impl Conversations for EmbeddedStore {
    async fn recent_turns(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Vec<Turn>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load_memory(&txn.open_table(CONVERSATIONS).map_err(unavailable)?, user, now)
        })
        .await
        .map_err(unavailable)?
    }

    async fn append_turns(
        &self,
        user: TelegramId,
        turns: &[Turn],
        bound: MemoryBound,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let turns = turns.to_vec();
        let now = turns.last().map_or_else(Utc::now, |t| t.at);
        self.write(move |txn| {
            let mut table = txn.open_table(CONVERSATIONS).map_err(unavailable)?;
            let mut kept = load_memory(&table, user, now)?;
            kept.extend(turns);
            bound.apply(&mut kept);
            let bytes = serde_json::to_vec(&Memory { turns: kept, expires_at }).map_err(corrupt)?;
            table.insert(user.0, bytes.as_slice()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn forget_turns(&self, user: TelegramId) -> Result<(), StoreError> {
        self.write(move |txn| {
            txn.open_table(CONVERSATIONS).map_err(unavailable)?.remove(user.0).map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}
