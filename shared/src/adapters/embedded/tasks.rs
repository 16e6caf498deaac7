//! Tasks on the embedded store, with the tier counters in the same write.

#[allow(clippy::wildcard_imports)]
use super::*;

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
