//! The assistant's quotas (`QUOTA#<what>#<window>`) and memory (`CONVERSATION`)
//! on DynamoDB, both under the user's partition and both expiring by TTL.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};

use super::{DynamoStore, is_condition_failure, n, s, store_error, user_item_key};
use crate::domain::{
    TelegramId,
    assistant::{MemoryBound, QuotaUse, Turn},
};
use crate::ports::{Conversations, Quotas, StoreError};

/// Attempts at a memory update that races another one for the same user.
const APPEND_ATTEMPTS: usize = 5;

#[async_trait]
impl Quotas for DynamoStore {
    async fn take_quota(
        &self,
        user: TelegramId,
        what: &str,
        window: &str,
        limit: u32,
        expires_at: DateTime<Utc>,
    ) -> Result<QuotaUse, StoreError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(user_item_key(user, format!("QUOTA#{what}#{window}"))))
            .update_expression("SET expires_at = :expires ADD used :one")
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_values(":expires", n(expires_at.timestamp()))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(i64::from(limit)))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(output) => {
                let used = output
                    .attributes
                    .and_then(|a| a.get("used")?.as_n().ok()?.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("quota without a count".into()))?;
                Ok(QuotaUse::Granted { used })
            }
            Err(e) if is_condition_failure(&e) => Ok(QuotaUse::Exhausted),
            Err(e) => Err(store_error(e)),
        }
    }
}

impl DynamoStore {
    /// The stored turns and their version (0: none yet).
    async fn conversation(
        &self,
        user: TelegramId,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Turn>, i64), StoreError> {
        let item = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(user_item_key(user, "CONVERSATION".into())))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?
            .item
            .unwrap_or_default();
        let number = |name: &str| item.get(name).and_then(|v| v.as_n().ok()?.parse::<i64>().ok());
        let version = number("version").unwrap_or(0);
        if number("expires_at").is_some_and(|at| at <= now.timestamp()) {
            return Ok((Vec::new(), version));
        }
        let turns = match item.get("turns").and_then(|v| v.as_s().ok()) {
            Some(json) => serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            None => Vec::new(),
        };
        Ok((turns, version))
    }
}

#[async_trait]
impl Conversations for DynamoStore {
    async fn recent_turns(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Vec<Turn>, StoreError> {
        Ok(self.conversation(user, now).await?.0)
    }

    async fn append_turns(
        &self,
        user: TelegramId,
        turns: &[Turn],
        bound: MemoryBound,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = turns.last().map_or_else(Utc::now, |t| t.at);
        for _ in 0..APPEND_ATTEMPTS {
            let (mut kept, version) = self.conversation(user, now).await?;
            kept.extend_from_slice(turns);
            bound.apply(&mut kept);
            let json = serde_json::to_string(&kept).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut item = user_item_key(user, "CONVERSATION".into());
            item.insert("turns".into(), s(json));
            item.insert("version".into(), n(version + 1));
            item.insert("expires_at".into(), n(expires_at.timestamp()));
            let result = self
                .client()
                .put_item()
                .table_name(self.table())
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk) OR version = :version")
                .expression_attribute_values(":version", n(version))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(()),
                Err(e) if is_condition_failure(&e) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError::Unavailable("conversation update kept conflicting".into()))
    }

    async fn forget_turns(&self, user: TelegramId) -> Result<(), StoreError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(user_item_key(user, "CONVERSATION".into())))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
