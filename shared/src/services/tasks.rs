//! Task use cases shared by the commands, the reminder buttons and the assistant.

use chrono::{DateTime, Utc};

use crate::domain::{
    TelegramId,
    task::{Task, TaskNumber},
};
use crate::ports::{Store, StoreError};

/// Finishes a pending task: a series moves on to its next occurrence (returned),
/// anything else is done. `None` when there is no such pending task.
pub async fn finish(
    store: &dyn Store,
    user: TelegramId,
    number: TaskNumber,
    now: DateTime<Utc>,
) -> Result<Option<(Task, Option<DateTime<Utc>>)>, StoreError> {
    let Some(task) = store.get_task(user, number).await? else { return Ok(None) };
    let next = task.series.as_ref().and_then(|s| s.next_after(task.due.unwrap_or(now).max(now)));
    let finished = match next {
        Some(next) => store.reschedule_task(user, number, next).await?,
        None => store.complete_task(user, number, now).await?,
    };
    Ok(finished.map(|_| (task, next)))
}
