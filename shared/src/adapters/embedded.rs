//! The embedded store for the local runner: redb, one file in the data directory,
//! every change a committed transaction (safe against a crash mid-write).

use std::{path::Path, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::records::{COMPLETED, ClaimRecord, IN_PROGRESS, UserRecord};
use crate::domain::{SeenUser, TelegramId, Tier, UpdateId, User, UserPatch};
use crate::ports::{Claim, StoreError, UpdateClaims, Users};

const USERS: TableDefinition<i64, &[u8]> = TableDefinition::new("users");
const UPDATES: TableDefinition<u32, &[u8]> = TableDefinition::new("updates");

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
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let db = Database::create(dir.join(FILE_NAME)).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(USERS).map_err(unavailable)?;
            let mut updates = txn.open_table(UPDATES).map_err(unavailable)?;
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
                    created_at: now,
                    updated_at: now,
                },
            };
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
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
            user.updated_at = now;
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
    }
}

#[async_trait]
impl UpdateClaims for EmbeddedStore {
    async fn claim_update(
        &self,
        id: UpdateId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let now_s = now.timestamp();
        self.write(move |txn| {
            let mut table = txn.open_table(UPDATES).map_err(unavailable)?;
            let existing = match table.get(id.0).map_err(unavailable)? {
                Some(bytes) => Some(serde_json::from_slice::<ClaimRecord>(bytes.value()).map_err(corrupt)?),
                None => None,
            };
            if let Some(found) = existing.and_then(|r| r.blocks(now_s)) {
                return Ok(found);
            }
            let lease_until = now_s + lease.as_secs() as i64;
            let record =
                ClaimRecord { status: IN_PROGRESS.into(), lease_until, expires_at: lease_until + 25 * 3600 };
            let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
            table.insert(id.0, bytes.as_slice()).map_err(unavailable)?;
            Ok(Claim::Acquired)
        })
        .await
    }

    async fn complete_update(
        &self,
        id: UpdateId,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(UPDATES).map_err(unavailable)?;
            let record = ClaimRecord {
                status: COMPLETED.into(),
                lease_until: 0,
                expires_at: now.timestamp() + keep.as_secs() as i64,
            };
            let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
            table.insert(id.0, bytes.as_slice()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn release_update(&self, id: UpdateId) -> Result<(), StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(UPDATES).map_err(unavailable)?;
            let in_progress = match table.get(id.0).map_err(unavailable)? {
                Some(bytes) => serde_json::from_slice::<ClaimRecord>(bytes.value())
                    .is_ok_and(|r| r.status == IN_PROGRESS),
                None => false,
            };
            if in_progress {
                table.remove(id.0).map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }
}
