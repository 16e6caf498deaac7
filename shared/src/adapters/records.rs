//! The stored shapes of users and update claims, shared by both store adapters.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Awaiting, Language, TelegramId, Tier, TimeZone, User,
    recurrence::Series,
    task::{Task, TaskNumber, TaskStatus},
    workflow::{Definition, TriggerRef, Workflow, WorkflowNumber, schedule::Schedule},
};
use crate::ports::{Claim, StoreError};

/// A user as stored (DynamoDB attributes, or JSON in the embedded store).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub telegram_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub subscription_tier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned_at: Option<DateTime<Utc>>,
    /// The user's workflow triggers ([`crate::domain::workflow::TriggerRef::code`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workflow_triggers: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<UserRecord> for User {
    type Error = StoreError;

    fn try_from(r: UserRecord) -> Result<User, StoreError> {
        let corrupt = |what: &str, value: &str| {
            StoreError::Corrupt(format!("user {}: bad {what} {value:?}", r.telegram_id))
        };
        let language = match r.language.as_deref() {
            Some(code) => Some(Language::from_code(code).ok_or_else(|| corrupt("language", code))?),
            None => None,
        };
        let timezone = match r.timezone.as_deref() {
            Some(name) => Some(TimeZone::parse(name).map_err(|_| corrupt("timezone", name))?),
            None => None,
        };
        let tier = Tier::from_code(&r.subscription_tier)
            .ok_or_else(|| corrupt("subscription_tier", &r.subscription_tier))?;
        let awaiting = match r.awaiting.as_deref() {
            Some(code) => Some(Awaiting::from_code(code).ok_or_else(|| corrupt("awaiting", code))?),
            None => None,
        };
        Ok(User {
            id: TelegramId(r.telegram_id),
            username: r.username,
            first_name: r.first_name,
            language_code: r.language_code,
            language,
            timezone,
            tier,
            awaiting,
            blocked_at: r.blocked_at,
            banned_at: r.banned_at,
            workflow_triggers: r
                .workflow_triggers
                .iter()
                .map(|code| TriggerRef::from_code(code).ok_or_else(|| corrupt("workflow trigger", code)))
                .collect::<Result<_, _>>()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl From<&User> for UserRecord {
    fn from(u: &User) -> UserRecord {
        UserRecord {
            telegram_id: u.id.0,
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            language_code: u.language_code.clone(),
            language: u.language.map(|l| l.code().to_owned()),
            timezone: u.timezone.map(|t| t.name().to_owned()),
            subscription_tier: u.tier.code().to_owned(),
            awaiting: u.awaiting.map(Awaiting::code),
            blocked_at: u.blocked_at,
            banned_at: u.banned_at,
            workflow_triggers: u.workflow_triggers.iter().map(TriggerRef::code).collect(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

pub(crate) const IN_PROGRESS: &str = "IN_PROGRESS";
pub(crate) const COMPLETED: &str = "COMPLETED";
/// Handled, but with work left (the replies it could not send) in `note`.
pub(crate) const PARKED: &str = "PARKED";

/// An idempotency record. Times are Unix seconds (`expires_at` is the TTL).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClaimRecord {
    pub status: String,
    pub lease_until: i64,
    pub expires_at: i64,
    /// What the holder left: a parked update's unsent replies, a tool call's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ClaimRecord {
    /// What a new claim finds when this record exists at `now`: `Some` when
    /// it blocks the claim.
    pub fn blocks(&self, now: i64) -> Option<Claim> {
        if self.expires_at <= now {
            None
        } else if self.status == COMPLETED {
            Some(Claim::Completed(self.note.clone()))
        } else if self.status == IN_PROGRESS && self.lease_until > now {
            Some(Claim::InProgress)
        } else {
            None
        }
    }

    /// What a claim that took this record over got: the work it was left, if any.
    pub fn taken_over(&self, now: i64) -> Claim {
        match &self.note {
            Some(note) if self.expires_at > now => Claim::Resumed(note.clone()),
            _ => Claim::Acquired,
        }
    }
}

/// A task as stored. `due_at` is the next reminder; a series keeps its RRULE,
/// first wall-clock time and zone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TaskRecord {
    pub user_id: i64,
    pub number: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_start: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_tz: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Unix seconds, so that a condition can compare it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "chrono::serde::ts_seconds_option")]
    pub done_through: Option<DateTime<Utc>>,
}

pub(crate) const PENDING: &str = "pending";
pub(crate) const DONE: &str = "done";

impl TryFrom<TaskRecord> for Task {
    type Error = StoreError;

    fn try_from(r: TaskRecord) -> Result<Task, StoreError> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("task {}#{}: bad {what}", r.user_id, r.number));
        let series = match (r.rrule, r.series_start, r.series_tz.as_deref()) {
            (Some(rule), Some(start), Some(tz)) => {
                Some(Series { rule, start, tz: TimeZone::parse(tz).map_err(|_| corrupt("series_tz"))? })
            }
            (None, None, None) => None,
            _ => return Err(corrupt("series")),
        };
        let status = match r.status.as_str() {
            PENDING => TaskStatus::Pending,
            DONE => TaskStatus::Done,
            _ => return Err(corrupt("status")),
        };
        Ok(Task {
            user: TelegramId(r.user_id),
            number: TaskNumber(r.number),
            title: r.title,
            due: r.due_at,
            series,
            status,
            created_at: r.created_at,
            completed_at: r.completed_at,
            done_through: r.done_through,
        })
    }
}

impl From<&Task> for TaskRecord {
    fn from(t: &Task) -> TaskRecord {
        TaskRecord {
            user_id: t.user.0,
            number: t.number.0,
            title: t.title.clone(),
            due_at: t.due,
            rrule: t.series.as_ref().map(|s| s.rule.clone()),
            series_start: t.series.as_ref().map(|s| s.start),
            series_tz: t.series.as_ref().map(|s| s.tz.name().to_owned()),
            status: match t.status {
                TaskStatus::Pending => PENDING.to_owned(),
                TaskStatus::Done => DONE.to_owned(),
            },
            created_at: t.created_at,
            completed_at: t.completed_at,
            done_through: t.done_through,
        }
    }
}

/// A workflow as stored (JSON in the embedded store; on DynamoDB the
/// definition is one JSON attribute beside the keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WorkflowRecord {
    pub user: i64,
    pub number: u32,
    pub definition: Definition,
    pub is_active: bool,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleRecord>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A schedule as stored: its series (as a task's) and its next run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ScheduleRecord {
    pub rrule: String,
    pub series_start: NaiveDateTime,
    pub series_tz: String,
    pub next_run: DateTime<Utc>,
}

impl From<&Schedule> for ScheduleRecord {
    fn from(s: &Schedule) -> ScheduleRecord {
        ScheduleRecord {
            rrule: s.series.rule.clone(),
            series_start: s.series.start,
            series_tz: s.series.tz.name().to_owned(),
            next_run: s.next,
        }
    }
}

impl TryFrom<ScheduleRecord> for Schedule {
    type Error = StoreError;

    fn try_from(r: ScheduleRecord) -> Result<Schedule, StoreError> {
        let tz = TimeZone::parse(&r.series_tz)
            .map_err(|_| StoreError::Corrupt(format!("schedule in unknown zone {:?}", r.series_tz)))?;
        Ok(Schedule { series: Series { rule: r.rrule, start: r.series_start, tz }, next: r.next_run })
    }
}

impl From<&Workflow> for WorkflowRecord {
    fn from(w: &Workflow) -> WorkflowRecord {
        WorkflowRecord {
            user: w.user.0,
            number: w.number.0,
            definition: w.definition.clone(),
            is_active: w.active,
            version: w.version,
            hook_hash: w.hook.clone(),
            schedule: w.schedule.as_ref().map(ScheduleRecord::from),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

impl TryFrom<WorkflowRecord> for Workflow {
    type Error = StoreError;

    fn try_from(r: WorkflowRecord) -> Result<Workflow, StoreError> {
        Ok(Workflow {
            user: TelegramId(r.user),
            number: WorkflowNumber(r.number),
            definition: r.definition,
            active: r.is_active,
            version: r.version,
            hook: r.hook_hash,
            schedule: r.schedule.map(Schedule::try_from).transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The user's trigger map once `number`'s triggers are replaced by `workflow`'s
/// (none: deleted), sorted so that equal maps are stored alike.
pub(crate) fn replace_triggers(
    refs: &[TriggerRef],
    number: WorkflowNumber,
    workflow: Option<&Workflow>,
) -> Vec<TriggerRef> {
    let mut refs: Vec<TriggerRef> = refs.iter().filter(|r| r.workflow != number).cloned().collect();
    refs.extend(workflow.map(Workflow::trigger_refs).unwrap_or_default());
    refs.sort();
    refs.dedup();
    refs
}
