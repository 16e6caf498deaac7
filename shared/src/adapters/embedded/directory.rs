//! The admins' views on the embedded store: users in id order, filtered by
//! tier, and the audit log (`audit`: `<time>#<admin>#<nonce>` → entry).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{EmbeddedStore, TASKS, USERS, corrupt, unavailable, user_tasks};
use crate::adapters::records::UserRecord;
use crate::domain::{TelegramId, Tier, User, audit::AuditEntry, task::TaskStatus};
use crate::ports::{Directory, StoreError, UserPage, UserRow};

pub(super) const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");

#[derive(Serialize, Deserialize)]
struct AuditRecord {
    at: DateTime<Utc>,
    admin: i64,
    action: String,
    target: Option<i64>,
    detail: String,
}

#[async_trait]
impl Directory for EmbeddedStore {
    async fn users_page(
        &self,
        tier: Tier,
        after: Option<TelegramId>,
        limit: usize,
    ) -> Result<UserPage, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let (users, tasks) =
                (txn.open_table(USERS).map_err(unavailable)?, txn.open_table(TASKS).map_err(unavailable)?);
            let from = after.map_or(i64::MIN, |id| id.0.saturating_add(1));
            let mut page = UserPage::default();
            for entry in users.range(from..).map_err(unavailable)? {
                let (_, bytes) = entry.map_err(unavailable)?;
                let record: UserRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
                let user = User::try_from(record)?;
                if user.tier != tier {
                    continue;
                }
                if page.rows.len() == limit.max(1) {
                    page.next = page.rows.last().map(|r| r.user.id);
                    break;
                }
                let pending =
                    user_tasks(&tasks, user.id)?.iter().filter(|t| t.status == TaskStatus::Pending).count();
                page.rows.push(UserRow { user, pending_tasks: pending as u32 });
            }
            Ok(page)
        })
        .await
        .map_err(unavailable)?
    }

    async fn find_username(&self, username: &str) -> Result<Option<TelegramId>, StoreError> {
        let wanted = username.trim_start_matches('@').to_lowercase();
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            // A scan: the embedded store serves one person's machine.
            let txn = db.begin_read().map_err(unavailable)?;
            for entry in txn.open_table(USERS).map_err(unavailable)?.iter().map_err(unavailable)? {
                let (_, bytes) = entry.map_err(unavailable)?;
                let record: UserRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
                if record.username.as_deref().is_some_and(|u| u.to_lowercase() == wanted) {
                    return Ok(Some(TelegramId(record.telegram_id)));
                }
            }
            Ok(None)
        })
        .await
        .map_err(unavailable)?
    }
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let nonce: u32 = rand::random();
        let key = format!("{}#{}#{nonce:08x}", entry.at.to_rfc3339(), entry.admin.0);
        let record = AuditRecord {
            at: entry.at,
            admin: entry.admin.0,
            action: entry.action.clone(),
            target: entry.target.map(|t| t.0),
            detail: entry.detail.clone(),
        };
        let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
        self.write(move |txn| {
            txn.open_table(AUDIT)
                .map_err(unavailable)?
                .insert(key.as_str(), bytes.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(AUDIT).map_err(unavailable)?;
            let mut entries = Vec::new();
            for entry in table.iter().map_err(unavailable)?.rev().take(limit) {
                let (_, bytes) = entry.map_err(unavailable)?;
                let r: AuditRecord = serde_json::from_slice(bytes.value()).map_err(corrupt)?;
                entries.push(AuditEntry {
                    at: r.at,
                    admin: TelegramId(r.admin),
                    action: r.action,
                    target: r.target.map(TelegramId),
                    detail: r.detail,
                });
            }
            Ok(entries)
        })
        .await
        .map_err(unavailable)?
    }
}
