//! The embedded store for the local runner: redb, one file in the data directory,
//! every change a committed transaction (safe against a crash mid-write).
//! One file per port, like the DynamoDB adapter (workflows and runs in `workflows`); the tables, the records'
//! load and save helpers and the transaction runner are here.

mod assistant;
mod claims;
mod directory;
mod integrations;
mod reminders;
mod tasks;
mod users;
mod workflows;

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
            txn.open_table(workflows::WORKFLOWS).map_err(unavailable)?;
            txn.open_table(workflows::WORKFLOW_SEQ).map_err(unavailable)?;
            txn.open_table(workflows::HOOKS).map_err(unavailable)?;
            txn.open_table(workflows::DRAFTS).map_err(unavailable)?;
            // Runs past their 30 days go, as DynamoDB's TTL drops them.
            let cutoff = Utc::now();
            txn.open_table(workflows::RUNS)
                .map_err(unavailable)?
                .retain(|_, bytes| {
                    serde_json::from_slice::<crate::domain::workflow::run::Run>(bytes)
                        .is_ok_and(|run| run.expires_at() > cutoff)
                })
                .map_err(unavailable)?;
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
