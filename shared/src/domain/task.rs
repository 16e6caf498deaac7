//! Tasks: what a user has to do, when, and how it repeats.

use chrono::{DateTime, Utc};

use super::{TelegramId, recurrence::Series};

/// A task's number, shown to its user (`#12`) and used in commands and buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskNumber(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Pending,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub user: TelegramId,
    pub number: TaskNumber,
    pub title: String,
    /// The next time the user is reminded; `None` for a plain to-do.
    pub due: Option<DateTime<Utc>>,
    pub series: Option<Series>,
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// A series: its occurrences up to this one (included) were marked done,
    /// so a second tap on Done, or an old reminder's, changes nothing.
    pub done_through: Option<DateTime<Utc>>,
}

/// A task to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub due: Option<DateTime<Utc>>,
    pub series: Option<Series>,
}

/// How many tasks a user may have pending (per tier, from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskLimits {
    pub pending: u32,
    pub recurring: u32,
}

impl TaskLimits {
    /// The free tier's defaults.
    pub const FREE: TaskLimits = TaskLimits { pending: 50, recurring: 10 };
}

/// Which limit stopped a new task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitReached {
    Pending(u32),
    Recurring(u32),
}

/// Pending tasks in the order `/tasks` shows them: soonest due first, then
/// to-dos without a time, oldest first.
pub fn sort_for_listing(tasks: &mut [Task]) {
    tasks.sort_by_key(|t| (t.due.is_none(), t.due, t.number));
}
