//! The admins' views on DynamoDB: users by tier through GSI2
//! (`TIER#<tier>#<shard>` / `USER#<id>`, shard by shard), a user by
//! @username (`USERNAME#<name>` / `USER`), and the audit log
//! (`AUDIT` / `<time>#<admin>#<nonce>`).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::users::{USER_SHARDS, tier_index, username_key};
use super::{DynamoStore, Item, n, s, stamp, store_error, user_from_item};
use crate::domain::{TelegramId, Tier, audit::AuditEntry};
use crate::ports::{Directory, StoreError, UserPage, UserRow};

/// How long audit entries are kept.
const AUDIT_KEEP_DAYS: i64 = 400;

#[async_trait]
impl Directory for DynamoStore {
    async fn users_page(
        &self,
        tier: Tier,
        after: Option<TelegramId>,
        limit: usize,
    ) -> Result<UserPage, StoreError> {
        // Shard by shard; a page ends after the user `next` names, whose shard is its id's.
        let limit = limit.max(1);
        let first = after.map_or(0, |id| id.0.rem_euclid(USER_SHARDS));
        let mut rows = Vec::new();
        for shard in first..USER_SHARDS {
            let mut start = after.filter(|_| shard == first).map(|id| {
                let (pk, sk) = tier_index(id, tier);
                Item::from([
                    ("gsi2pk".to_owned(), s(pk)),
                    ("gsi2sk".to_owned(), s(sk)),
                    ("pk".to_owned(), s(format!("USER#{}", id.0))),
                    ("sk".to_owned(), s("PROFILE")),
                ])
            });
            let shard_pk = format!("TIER#{}#{shard:02}", tier.code());
            loop {
                let output = self
                    .client()
                    .query()
                    .table_name(self.table())
                    .index_name("GSI2")
                    .key_condition_expression("gsi2pk = :shard")
                    .expression_attribute_values(":shard", s(&shard_pk))
                    .set_exclusive_start_key(start)
                    .limit(i32::try_from(limit - rows.len()).unwrap_or(i32::MAX))
                    .send()
                    .await
                    .map_err(store_error)?;
                for item in output.items.unwrap_or_default() {
                    let pending_tasks = item
                        .get("pending_tasks")
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    rows.push(UserRow { user: user_from_item(item)?, pending_tasks });
                }
                if rows.len() >= limit {
                    let next = rows.last().map(|r| r.user.id);
                    return Ok(UserPage { rows, next });
                }
                match output.last_evaluated_key {
                    Some(key) => start = Some(key),
                    None => break,
                }
            }
        }
        Ok(UserPage { rows, next: None })
    }

    async fn find_username(&self, username: &str) -> Result<Option<TelegramId>, StoreError> {
        let wanted = username.trim_start_matches('@').to_lowercase();
        if wanted.is_empty() {
            return Ok(None);
        }
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(username_key(&wanted)))
            .send()
            .await
            .map_err(store_error)?;
        let Some(id) = output
            .item
            .and_then(|item| item.get("user_id").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()))
        else {
            return Ok(None);
        };
        // The name may have moved to someone else since: the user's own item says.
        let user = crate::ports::Users::get_user(self, TelegramId(id)).await?;
        Ok(user.filter(|u| u.username.as_deref().is_some_and(|n| n.to_lowercase() == wanted)).map(|u| u.id))
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let nonce: u32 = rand::random();
        let mut put = self
            .client()
            .put_item()
            .table_name(self.table())
            .item("pk", s("AUDIT"))
            .item("sk", s(format!("{}#{}#{nonce:08x}", stamp(entry.at), entry.admin.0)))
            .item("at", s(stamp(entry.at)))
            .item("admin", n(entry.admin.0))
            .item("action", s(&entry.action))
            .item("detail", s(&entry.detail))
            .item("expires_at", n((entry.at + Duration::days(AUDIT_KEEP_DAYS)).timestamp()));
        if let Some(target) = entry.target {
            put = put.item("target", n(target.0));
        }
        put.send().await.map_err(store_error)?;
        Ok(())
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let output = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :audit")
            .expression_attribute_values(":audit", s("AUDIT"))
            .scan_index_forward(false)
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(store_error)?;
        output.items.unwrap_or_default().iter().map(audit_from_item).collect()
    }
}

fn audit_from_item(item: &Item) -> Result<AuditEntry, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let number = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok());
    let corrupt = || StoreError::Corrupt("audit entry without its time or admin".into());
    let at = text("at").and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).ok_or_else(corrupt)?;
    Ok(AuditEntry {
        at: at.with_timezone(&Utc),
        admin: TelegramId(number("admin").ok_or_else(corrupt)?),
        action: text("action").unwrap_or_default(),
        target: number("target").map(TelegramId),
        detail: text("detail").unwrap_or_default(),
    })
}
