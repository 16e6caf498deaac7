//! Task use cases shared by the commands, the reminder buttons and the assistant.

use chrono::{DateTime, Utc};

use crate::domain::{
    TelegramId,
    task::{Task, TaskNumber, TaskStatus},
};
use crate::ports::{Store, StoreError};

/// What finishing a task (or one occurrence of a series) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// Done; a series goes on at `next`.
    Done {
        task: Task,
        next: Option<DateTime<Utc>>,
    },
    /// Done before (a second tap, an old reminder): nothing changed.
    AlreadyDone(Task),
    NotFound,
}

/// Finishes a pending task's current occurrence: a series moves on to its
/// next one, anything else is done.
pub async fn finish(
    store: &dyn Store,
    user: TelegramId,
    number: TaskNumber,
    now: DateTime<Utc>,
) -> Result<Finished, StoreError> {
    finish_occurrence(store, user, number, None, now).await
}

/// Finishes the occurrence due at `occurrence` (the one a reminder or a
/// button was made for; `None`: the current one). A series moves on past it
/// unless it has already; an occurrence marked done before changes nothing.
pub async fn finish_occurrence(
    store: &dyn Store,
    user: TelegramId,
    number: TaskNumber,
    occurrence: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Finished, StoreError> {
    let Some(task) = store.get_task(user, number).await? else { return Ok(Finished::NotFound) };
    if task.status == TaskStatus::Done {
        return Ok(Finished::AlreadyDone(task));
    }
    let Some(series) = &task.series else {
        return Ok(match store.complete_task(user, number, now).await? {
            Some(_) => Finished::Done { task, next: None },
            None => Finished::AlreadyDone(task),
        });
    };
    let occurrence = occurrence.or(task.due).unwrap_or(now);
    if task.done_through.is_some_and(|done| done.timestamp() >= occurrence.timestamp()) {
        return Ok(Finished::AlreadyDone(task));
    }
    // The sweep moves a series on once its reminder is sent: past `occurrence`
    // already, it stays where it is.
    let next = match task.due {
        Some(due) if due.timestamp() > occurrence.timestamp() => Some(due),
        _ => series.next_after(occurrence.max(now)),
    };
    let Some(next) = next else {
        // The series is over.
        return Ok(match store.complete_task(user, number, now).await? {
            Some(_) => Finished::Done { task, next: None },
            None => Finished::AlreadyDone(task),
        });
    };
    if store.finish_occurrence(user, number, occurrence, task.due, next).await? {
        Ok(Finished::Done { task, next: Some(next) })
    } else {
        Ok(Finished::AlreadyDone(task))
    }
}
