//! The reminder sweep on DynamoDB: due tasks from the sharded GSI1, a lease on
//! each occurrence (`lease_until`, conditional on `due_at`), and its record.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::tasks::{DUE_SHARDS, due_index, due_sort_key, task_from_item, task_key};
use super::{DynamoStore, is_condition_failure, n, s, stamp, store_error, user_key, with_key};
use crate::adapters::records::PENDING;
use crate::domain::{TelegramId, task::Task};
use crate::ports::{Reminders, StoreError};

#[async_trait]
impl Reminders for DynamoStore {
    async fn due_tasks(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Task>, StoreError> {
        // Every sort key of a task due at or before `up_to` sorts before this bound.
        let bound = format!("{}~", due_sort_key(up_to));
        let mut due = Vec::new();
        for shard in 0..DUE_SHARDS {
            let query = self
                .client()
                .query()
                .table_name(self.table())
                .index_name("GSI1")
                .key_condition_expression("gsi1pk = :shard AND gsi1sk <= :bound")
                .expression_attribute_values(":shard", s(format!("DUE#{shard:02}")))
                .expression_attribute_values(":bound", s(bound.clone()))
                .limit(i32::try_from(limit).unwrap_or(i32::MAX));
            // Each shard is sorted by due time: its first `limit` are all that can be kept.
            for item in self.query_all(query, Some(limit)).await? {
                due.push(task_from_item(item)?);
            }
        }
        due.sort_by_key(|t| t.due);
        due.truncate(limit);
        Ok(due)
    }

    async fn claim_reminder(
        &self,
        task: &Task,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let Some(due) = task.due else { return Ok(false) };
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(task_key(task.user, task.number)))
            .update_expression("SET lease_until = :until")
            .condition_expression(
                "#status = :pending AND due_at = :due AND attribute_exists(gsi1pk) \
                 AND (attribute_not_exists(lease_until) OR lease_until <= :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(PENDING))
            .expression_attribute_values(":due", s(stamp(due)))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":until", n(now.timestamp() + lease.as_secs() as i64))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn reminder_sent(&self, task: &Task, next: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let Some(due) = task.due else { return Ok(()) };
        let request = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(task_key(task.user, task.number)))
            .condition_expression("due_at = :sent")
            .expression_attribute_values(":sent", s(stamp(due)));
        let request = match next {
            Some(next) => {
                let [(_, pk), (_, sk)] = due_index(task.user, task.number, next);
                request
                    .update_expression("SET due_at = :next, gsi1pk = :gpk, gsi1sk = :gsk REMOVE lease_until")
                    .expression_attribute_values(":next", s(stamp(next)))
                    .expression_attribute_values(":gpk", pk)
                    .expression_attribute_values(":gsk", sk)
            }
            None => request.update_expression("REMOVE gsi1pk, gsi1sk, lease_until"),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            // The user moved or finished it meanwhile: their change stands.
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn mark_blocked(&self, user: TelegramId, now: DateTime<Utc>) -> Result<(), StoreError> {
        with_key(self.client().update_item().table_name(self.table()), user_key(user))
            .update_expression("SET blocked_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", s(stamp(now)))
            .send()
            .await
            .map(drop)
            .or_else(|e| if is_condition_failure(&e) { Ok(()) } else { Err(store_error(e)) })
    }
}
