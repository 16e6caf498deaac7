//! The reminder sweep on the embedded store: the due list, leases, sent records.

#[allow(clippy::wildcard_imports)]
use super::*;

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
