//! Task use cases shared by the commands, the reminder buttons and the assistant.

use chrono::{DateTime, Duration, Utc};

use crate::domain::{
    TelegramId, TimeZone,
    recurrence::Recurrence,
    recurrence::Series,
    task::{LimitReached, Task, TaskLimits, TaskNumber, TaskStatus, sort_for_listing},
    when::{WhenError, parse_task, to_utc},
};
use crate::ports::{StoreError, Tasks};

/// A task created from what the user typed, with its repetition as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub task: Task,
    pub recurrence: Option<Recurrence>,
}

/// Why a typed task was not created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCreated {
    /// The time could not be read, has passed, or the title is wrong.
    Unread(WhenError),
    Limit(LimitReached),
}

/// Creating a task from text, for `/task` and for the assistant's tool: read
/// in the user's zone `tz`, then stored within `limits` (checked in the write).
pub async fn create_from_text(
    tasks: &dyn Tasks,
    user: TelegramId,
    tz: TimeZone,
    limits: TaskLimits,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Result<Created, NotCreated>, StoreError> {
    let parsed = match parse_task(text, now, tz) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(Err(NotCreated::Unread(e))),
    };
    let recurrence = parsed.due.as_ref().and_then(|d| d.recurrence.clone());
    Ok(match tasks.create_task(user, &parsed.to_new_task(tz), limits, now).await? {
        Ok(task) => Ok(Created { task, recurrence }),
        Err(limit) => Err(NotCreated::Limit(limit)),
    })
}

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
    store: &dyn Tasks,
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
    store: &dyn Tasks,
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

/// The user's pending repeating tasks kept on another zone's clock than
/// `tz` (set before a zone change), in the order `/tasks` lists them.
pub async fn on_other_clocks(
    store: &dyn Tasks,
    user: TelegramId,
    tz: TimeZone,
) -> Result<Vec<Task>, StoreError> {
    let mut tasks: Vec<Task> = store
        .pending_tasks(user)
        .await?
        .into_iter()
        .filter(|task| task.series.as_ref().is_some_and(|series| series.tz != tz))
        .collect();
    sort_for_listing(&mut tasks);
    Ok(tasks)
}

/// Puts the user's repeating tasks on `tz`'s clock: each keeps its time of
/// day, and its next reminder is the same wall-clock occurrence in `tz` (08:00
/// tomorrow stays 08:00 tomorrow), or the first one still ahead. Returns how
/// many moved; a second call moves none.
pub async fn follow_zone(
    store: &dyn Tasks,
    user: TelegramId,
    tz: TimeZone,
    limits: TaskLimits,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let others = on_other_clocks(store, user, tz).await?;
    follow_zone_with(store, user, &others, tz, limits, now).await
}

/// [`follow_zone`] for `tasks` already read with [`on_other_clocks`].
pub async fn follow_zone_with(
    store: &dyn Tasks,
    user: TelegramId,
    tasks: &[Task],
    tz: TimeZone,
    limits: TaskLimits,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut moved = 0;
    for task in tasks {
        let Some(old) = &task.series else { continue };
        let series = Series { tz, ..old.clone() };
        let same_wall_clock = task.due.map(|due| to_utc(tz, due.with_timezone(&old.tz.tz()).naive_local()));
        let after = same_wall_clock.map_or(now, |at| (at - Duration::seconds(1)).max(now));
        let Some(next) = series.next_after(after) else { continue };
        // Already repeating, so no limit is counted: `Err` cannot come back.
        if let Ok(Some(_)) = store.repeat_task(user, task.number, &series, next, limits).await? {
            moved += 1;
        }
    }
    Ok(moved)
}
