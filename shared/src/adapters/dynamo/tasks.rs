//! Tasks on DynamoDB: `USER#<id>` / `TASK#<number>`, the user's counters on
//! their profile item, and the sharded due index on GSI1 (`DUE#<shard>`).

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    error::ProvideErrorMetadata,
    types::{AttributeValue, Delete, Put, ReturnValue, TransactWriteItem, Update},
};
use chrono::{DateTime, Datelike as _, Utc};

use super::{DynamoStore, Item, is_condition_failure, n, profile_key, s, stamp, store_error, user_item_key};
use crate::adapters::records::{DONE, PENDING, TaskRecord};
use crate::domain::{
    TelegramId,
    recurrence::Series,
    task::{LimitReached, NewTask, Task, TaskLimits, TaskNumber, TaskStatus},
};
use crate::ports::{StoreError, Tasks};

/// Shards of the due index: a minute's reminders spread over this many partitions.
pub const DUE_SHARDS: i64 = 16;

/// How long a finished task is kept (TTL) so `/tasks` history stays small.
const DONE_KEPT_DAYS: i64 = 30;

/// Attempts at a creation that races another one for the same user.
const CREATE_ATTEMPTS: usize = 5;

pub(super) fn task_key(user: TelegramId, number: TaskNumber) -> Item {
    user_item_key(user, format!("TASK#{:08}", number.0))
}

/// GSI1 keys of a pending task with a due time: `DUE#<shard>` and a sort key
/// that orders by due time (UTC, fixed width).
pub(super) fn due_index(
    user: TelegramId,
    number: TaskNumber,
    due: DateTime<Utc>,
) -> [(String, AttributeValue); 2] {
    [
        ("gsi1pk".to_owned(), s(format!("DUE#{:02}", user.0.rem_euclid(DUE_SHARDS)))),
        ("gsi1sk".to_owned(), s(format!("{}#{}#{:08}", due_sort_key(due), user.0, number.0))),
    ]
}

/// A due time in the index's sort key: fixed width (`YYYY-MM-DDTHH:MM:SSZ`), so
/// that keys sort as times do. Linklet refuses times past ten years; a year
/// past 9999 (which chrono would write `+10000`, sorting first) is held at the
/// last second of 9999 rather than fired at once.
pub(super) fn due_sort_key(due: DateTime<Utc>) -> String {
    if due.year() > 9999 {
        return "9999-12-31T23:59:59Z".to_owned();
    }
    if due.year() < 0 {
        return "0000-01-01T00:00:00Z".to_owned();
    }
    due.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn task_item(task: &Task) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(TaskRecord::from(task)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    item.extend(task_key(task.user, task.number));
    item.insert("entity".into(), s("task"));
    if let (TaskStatus::Pending, Some(due)) = (task.status, task.due) {
        item.extend(due_index(task.user, task.number, due));
    }
    Ok(item)
}

pub(super) fn task_from_item(item: Item) -> Result<Task, StoreError> {
    let record: TaskRecord = serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Task::try_from(record)
}

fn counter(item: &Item, name: &str) -> u32 {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl DynamoStore {
    fn counters_update(&self, user: TelegramId, delta: i64, recurring: bool) -> Result<Update, StoreError> {
        let mut expression = "SET pending_tasks = if_not_exists(pending_tasks, :zero) + :delta".to_owned();
        if recurring {
            expression.push_str(", recurring_tasks = if_not_exists(recurring_tasks, :zero) + :delta");
        }
        Update::builder()
            .table_name(self.table())
            .set_key(Some(profile_key(user)))
            .update_expression(expression)
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":delta", n(delta))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The user's task counters (`projection`), read consistently from their profile.
    async fn counters(&self, user: TelegramId, projection: &str) -> Result<Item, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(profile_key(user)))
            .projection_expression(projection)
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        Ok(output.item.unwrap_or_default())
    }

    /// Applies a change to a pending task and the user's counters together.
    async fn finish(&self, task: &Task, change: TransactWriteItem) -> Result<bool, StoreError> {
        let counters = self.counters_update(task.user, -1, task.series.is_some())?;
        let result = self
            .client()
            .transact_write_items()
            .transact_items(change)
            .transact_items(TransactWriteItem::builder().update(counters).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("TransactionCanceledException") => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }
}

#[async_trait]
impl Tasks for DynamoStore {
    async fn create_task(
        &self,
        user: TelegramId,
        new: &NewTask,
        limits: TaskLimits,
        now: DateTime<Utc>,
    ) -> Result<Result<Task, LimitReached>, StoreError> {
        let recurring = new.series.is_some();
        for _ in 0..CREATE_ATTEMPTS {
            let profile = self.counters(user, "task_seq, pending_tasks, recurring_tasks").await?;
            let (seq, pending) = (counter(&profile, "task_seq"), counter(&profile, "pending_tasks"));
            if pending >= limits.pending {
                return Ok(Err(LimitReached::Pending(limits.pending)));
            }
            if recurring && counter(&profile, "recurring_tasks") >= limits.recurring {
                return Ok(Err(LimitReached::Recurring(limits.recurring)));
            }
            let task = Task {
                user,
                number: TaskNumber(seq + 1),
                title: new.title.clone(),
                due: new.due,
                series: new.series.clone(),
                status: TaskStatus::Pending,
                created_at: now,
                completed_at: None,
                done_through: None,
            };
            let mut expression =
                "SET task_seq = :next, pending_tasks = if_not_exists(pending_tasks, :zero) + :one".to_owned();
            let mut condition =
                "attribute_exists(pk) AND (attribute_not_exists(task_seq) OR task_seq = :seq) \
                 AND (attribute_not_exists(pending_tasks) OR pending_tasks < :max_pending)"
                    .to_owned();
            if recurring {
                expression.push_str(", recurring_tasks = if_not_exists(recurring_tasks, :zero) + :one");
                condition.push_str(
                    " AND (attribute_not_exists(recurring_tasks) OR recurring_tasks < :max_recurring)",
                );
            }
            let mut counters = Update::builder()
                .table_name(self.table())
                .set_key(Some(profile_key(user)))
                .update_expression(expression)
                .condition_expression(condition)
                .expression_attribute_values(":next", n(i64::from(seq + 1)))
                .expression_attribute_values(":seq", n(i64::from(seq)))
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max_pending", n(i64::from(limits.pending)));
            if recurring {
                counters =
                    counters.expression_attribute_values(":max_recurring", n(i64::from(limits.recurring)));
            }
            let put = Put::builder()
                .table_name(self.table())
                .set_item(Some(task_item(&task)?))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let result = self
                .client()
                .transact_write_items()
                .transact_items(
                    TransactWriteItem::builder()
                        .update(counters.build().map_err(|e| StoreError::Corrupt(e.to_string()))?)
                        .build(),
                )
                .transact_items(TransactWriteItem::builder().put(put).build())
                .send()
                .await;
            match result {
                Ok(_) => return Ok(Ok(task)),
                // Another creation won the race (or a limit was reached): read again.
                Err(e) if e.code() == Some("TransactionCanceledException") => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError::Unavailable("task creation kept conflicting".into()))
    }

    async fn pending_tasks(&self, user: TelegramId) -> Result<Vec<Task>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :task)")
            .filter_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pk", s(format!("USER#{}", user.0)))
            .expression_attribute_values(":task", s("TASK#"))
            .expression_attribute_values(":pending", s(PENDING));
        self.query_all(query, None).await?.into_iter().map(task_from_item).collect()
    }

    async fn get_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(task_key(user, number)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        output.item.map(task_from_item).transpose()
    }

    async fn complete_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        let Some(task) = self.get_task(user, number).await?.filter(|t| t.status == TaskStatus::Pending)
        else {
            return Ok(None);
        };
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(task_key(user, number)))
            .update_expression(
                "SET #status = :done, completed_at = :now, expires_at = :expires REMOVE gsi1pk, gsi1sk",
            )
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":pending", s(PENDING))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(
                ":expires",
                n((now + chrono::Duration::days(DONE_KEPT_DAYS)).timestamp()),
            )
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = self.finish(&task, TransactWriteItem::builder().update(update).build()).await?;
        Ok(done.then_some(Task { status: TaskStatus::Done, completed_at: Some(now), ..task }))
    }

    async fn delete_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        let Some(task) = self.get_task(user, number).await?.filter(|t| t.status == TaskStatus::Pending)
        else {
            return Ok(None);
        };
        let delete = Delete::builder()
            .table_name(self.table())
            .set_key(Some(task_key(user, number)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(PENDING))
            .build()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let deleted = self.finish(&task, TransactWriteItem::builder().delete(delete).build()).await?;
        Ok(deleted.then_some(task))
    }

    async fn reschedule_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        due: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        let [(pk_name, pk), (sk_name, sk)] = due_index(user, number, due);
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(task_key(user, number)))
            .update_expression("SET due_at = :due, #gpk = :gpk, #gsk = :gsk")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#gpk", pk_name)
            .expression_attribute_names("#gsk", sk_name)
            .expression_attribute_values(":due", s(stamp(due)))
            .expression_attribute_values(":gpk", pk)
            .expression_attribute_values(":gsk", sk)
            .expression_attribute_values(":pending", s(PENDING))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.map(task_from_item).transpose(),
            Err(e) if is_condition_failure(&e) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn repeat_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        series: &Series,
        due: DateTime<Utc>,
        limits: TaskLimits,
    ) -> Result<Result<Option<Task>, LimitReached>, StoreError> {
        for _ in 0..CREATE_ATTEMPTS {
            let Some(task) = self.get_task(user, number).await?.filter(|t| t.status == TaskStatus::Pending)
            else {
                return Ok(Ok(None));
            };
            let [(pk_name, pk), (sk_name, sk)] = due_index(user, number, due);
            let start: AttributeValue = serde_dynamo::to_attribute_value(series.start)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            // The task as read: repeating or not, so the counter moves only with it.
            let was =
                if task.series.is_some() { "attribute_exists(rrule)" } else { "attribute_not_exists(rrule)" };
            let update = Update::builder()
                .table_name(self.table())
                .set_key(Some(task_key(user, number)))
                .update_expression(
                    "SET due_at = :due, rrule = :rule, series_start = :start, series_tz = :tz, \
                     #gpk = :gpk, #gsk = :gsk REMOVE done_through",
                )
                .condition_expression(format!("#status = :pending AND {was}"))
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#gpk", pk_name)
                .expression_attribute_names("#gsk", sk_name)
                .expression_attribute_values(":due", s(stamp(due)))
                .expression_attribute_values(":rule", s(series.rule.clone()))
                .expression_attribute_values(":start", start.clone())
                .expression_attribute_values(":tz", s(series.tz.name()))
                .expression_attribute_values(":gpk", pk)
                .expression_attribute_values(":gsk", sk)
                .expression_attribute_values(":pending", s(PENDING))
                .build()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let changed =
                Task { due: Some(due), series: Some(series.clone()), done_through: None, ..task.clone() };
            let mut request = self
                .client()
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(update).build());
            if task.series.is_none() {
                let counter = Update::builder()
                    .table_name(self.table())
                    .set_key(Some(profile_key(user)))
                    .update_expression("SET recurring_tasks = if_not_exists(recurring_tasks, :zero) + :one")
                    .condition_expression("attribute_not_exists(recurring_tasks) OR recurring_tasks < :max")
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":max", n(i64::from(limits.recurring)))
                    .build()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                request = request.transact_items(TransactWriteItem::builder().update(counter).build());
            }
            match request.send().await {
                Ok(_) => return Ok(Ok(Some(changed))),
                Err(e) if e.code() == Some("TransactionCanceledException") => {
                    // The limit, or the task changed meanwhile: read again to tell.
                    let profile = self.counters(user, "recurring_tasks").await?;
                    if task.series.is_none() && counter(&profile, "recurring_tasks") >= limits.recurring {
                        return Ok(Err(LimitReached::Recurring(limits.recurring)));
                    }
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError::Unavailable("changing the repetition kept conflicting".into()))
    }

    async fn finish_occurrence(
        &self,
        user: TelegramId,
        number: TaskNumber,
        occurrence: DateTime<Utc>,
        seen_due: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let [(_, pk), (_, sk)] = due_index(user, number, next);
        let request = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(task_key(user, number)))
            .update_expression("SET due_at = :next, gsi1pk = :gpk, gsi1sk = :gsk, done_through = :occurrence")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(PENDING))
            .expression_attribute_values(":next", s(stamp(next)))
            .expression_attribute_values(":gpk", pk)
            .expression_attribute_values(":gsk", sk)
            .expression_attribute_values(":occurrence", n(occurrence.timestamp()));
        let condition = "#status = :pending \
            AND (attribute_not_exists(done_through) OR done_through < :occurrence)";
        let request = match seen_due {
            Some(due) => request
                .condition_expression(format!("{condition} AND due_at = :seen"))
                .expression_attribute_values(":seen", s(stamp(due))),
            None => request.condition_expression(format!("{condition} AND attribute_not_exists(due_at)")),
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn due_sort_keys_sort_as_times_do_even_past_year_9999() {
        // Issue 9.15: `+10000-...` sorted before every other date and fired at once.
        let times = [
            Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(262_000, 1, 1, 0, 0, 0).unwrap(),
        ];
        let keys: Vec<String> = times.iter().map(|t| due_sort_key(*t)).collect();
        assert!(keys.iter().all(|k| k.len() == 20), "{keys:?}");
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        let now = format!("{}~", due_sort_key(Utc.with_ymd_and_hms(2026, 12, 2, 9, 1, 0).unwrap()));
        assert!(keys[2] > now, "not due now");
    }
}
