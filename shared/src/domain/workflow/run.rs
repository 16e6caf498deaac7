//! A workflow's run: the version it ran, what started it, and per step what
//! went in, what came out, how long it took and how it failed. Kept 30 days.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{StepDef, WorkflowNumber};
use crate::domain::{ChatId, TelegramId};

/// How long a run is kept (DynamoDB's TTL; the embedded store drops it on open).
pub const RUN_KEPT_DAYS: i64 = 30;
/// The largest trigger payload kept on a run, as JSON.
pub const PAYLOAD_BYTES: usize = 16 * 1024;
/// The largest step input or output kept on a run, as JSON.
pub const OUTPUT_BYTES: usize = 8 * 1024;

/// A run's id: time-ordered (milliseconds since 1970, then 24 random bits),
/// so a workflow's runs sort newest first by id; written as 18 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(pub u128);

impl RunId {
    pub fn new(at: DateTime<Utc>) -> RunId {
        let millis = u128::from(at.timestamp_millis().max(0) as u64) & 0xffff_ffff_ffff;
        RunId(millis << 24 | u128::from(rand::random::<u32>() & 0xff_ffff))
    }

    /// Reads an id as [`RunId::code`] writes it; `None` unless it is one.
    pub fn parse(text: &str) -> Option<RunId> {
        let hex = text.len() == 18 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        hex.then(|| u128::from_str_radix(text, 16).ok().map(RunId)).flatten()
    }

    /// 18 lower-case hex digits, sorting as the ids do.
    pub fn code(self) -> String {
        format!("{:018x}", self.0)
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:018x}", self.0)
    }
}

impl Serialize for RunId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for RunId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RunId, D::Error> {
        let text = String::deserialize(deserializer)?;
        RunId::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a run id: {text:?}")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    /// Parked: an approval or a long wait resumes it.
    Waiting,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn code(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Running,
    Waiting,
    Succeeded,
    Failed,
    /// Not run: a condition before it was false, or the run was cancelled.
    Skipped,
}

/// What started a run: the trigger's kind and what it carried
/// (`trigger.text`, `trigger.body`...), capped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    pub kind: String,
    pub payload: Value,
    /// A scheduled occurrence that ran after an outage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

impl Fired {
    pub fn new(kind: &str, payload: Value) -> Fired {
        Fired { kind: kind.to_owned(), payload: cap(payload, PAYLOAD_BYTES), late: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRun {
    pub name: String,
    pub kind: String,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

impl StepRun {
    /// A step that has not run (yet, or again for a retry).
    pub fn pending(name: &str, kind: &str) -> StepRun {
        StepRun {
            name: name.to_owned(),
            kind: kind.to_owned(),
            status: StepStatus::Pending,
            input: None,
            output: None,
            error: None,
            started_at: None,
            finished_at: None,
        }
    }

    /// How long it ran, once it finished.
    pub fn duration(&self) -> Option<chrono::Duration> {
        Some(self.finished_at? - self.started_at?)
    }
}

/// Where a run reports: the chat, its forum topic, and its card once sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub chat: ChatId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<i32>,
    /// The run card's message, edited as steps finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<i32>,
    /// Shows a card as it runs (a run started from the chat); otherwise the
    /// user hears of it only if it fails.
    #[serde(default)]
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: RunId,
    pub user: TelegramId,
    pub workflow: WorkflowNumber,
    /// The workflow's name when it ran.
    pub name: String,
    pub version: u32,
    pub trigger: Fired,
    pub status: RunStatus,
    /// The steps of the version it runs, so a retry runs the same ones.
    pub definition: Vec<StepDef>,
    pub steps: Vec<StepRun>,
    pub report: Report,
    /// Bumped by Retry: the steps' claims of a new attempt are new.
    #[serde(default)]
    pub attempt: u32,
    /// Bumped on every save: a write based on an older revision is refused.
    #[serde(default)]
    pub rev: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
}

impl Run {
    /// A queued run of `definition`'s steps.
    #[allow(clippy::too_many_arguments)]
    pub fn queued(
        user: TelegramId,
        workflow: WorkflowNumber,
        name: &str,
        version: u32,
        definition: &[StepDef],
        trigger: Fired,
        report: Report,
        now: DateTime<Utc>,
    ) -> Run {
        Run {
            id: RunId::new(now),
            user,
            workflow,
            name: name.to_owned(),
            version,
            trigger,
            status: RunStatus::Queued,
            definition: definition.to_vec(),
            steps: definition.iter().map(|s| StepRun::pending(&s.name, &s.kind)).collect(),
            report,
            attempt: 0,
            rev: 0,
            created_at: now,
            updated_at: now,
            finished_at: None,
        }
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created_at + chrono::Duration::days(RUN_KEPT_DAYS)
    }

    /// The step that failed, if the run failed on one.
    pub fn failed_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.status == StepStatus::Failed)
    }

    /// How long it ran, once it finished.
    pub fn duration(&self) -> Option<chrono::Duration> {
        Some(self.finished_at? - self.created_at)
    }
}

/// `value`, or, when its JSON is over `bytes`, a note of what it was with
/// the start of its text: what a run keeps stays small.
pub fn cap(value: Value, bytes: usize) -> Value {
    let text = value.to_string();
    if text.len() <= bytes {
        return value;
    }
    let mut end = bytes.saturating_sub(64).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    serde_json::json!({ "truncated": true, "bytes": text.len(), "start": &text[..end] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_by_time_and_parse_back() {
        let early = RunId::new(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
        let late = RunId::new(DateTime::from_timestamp(1_700_000_001, 0).unwrap());
        assert!(early < late && early.code() < late.code());
        assert_eq!(RunId::parse(&late.code()), Some(late));
        assert_eq!(serde_json::to_value(late).unwrap(), serde_json::Value::String(late.code()));
        assert_eq!(RunId::parse("zz"), None);
    }

    #[test]
    fn a_large_value_is_kept_as_a_short_note() {
        let big = Value::String("é".repeat(10_000));
        let capped = cap(big, 1024);
        assert!(capped.to_string().len() <= 1024 + 64);
        assert_eq!(capped["truncated"], true);
        assert_eq!(cap(Value::from(3), 10), Value::from(3));
    }
}
