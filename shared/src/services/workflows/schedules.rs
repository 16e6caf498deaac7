//! Schedules on the minute sweep: the workflows due by the sweep's horizon
//! (the sharded due index, no Scan) each start one run per occurrence
//! (claimed, so overlapping sweeps start it once), queued to begin on time,
//! never run inline; the schedule then moves past now, so an occurrence
//! missed during an outage runs once, marked late.

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt as _;
use serde_json::json;
use tracing::{info, warn};

use super::{NotStarted, start_in};
use crate::{
    domain::{
        ChatId,
        workflow::{
            Workflow,
            run::{Fired, Report},
        },
    },
    ports::{ClaimKey, StoreError},
    services::{
        Deps,
        once::{ClaimTimes, Once, Settle, once},
    },
};

/// A run later than this after its time is marked late.
const LATE_AFTER: Duration = Duration::minutes(2);
/// Schedules read per batch.
const BATCH: usize = 500;
/// Occurrences fired at once.
const FIRING_AT_ONCE: usize = 16;

/// What firing the due schedules did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SchedulesReport {
    /// Occurrences due by the horizon.
    pub due: usize,
    /// Runs queued.
    pub started: usize,
    /// Of those, the ones started late (missed while the service was down).
    pub late: usize,
    /// Started before (another sweep), refused (the day's runs used up), or failed for now.
    pub skipped: usize,
}

/// Starts a run for every schedule due at or before `up_to`.
pub async fn fire_due(deps: &Deps, up_to: DateTime<Utc>) -> Result<SchedulesReport, StoreError> {
    let mut report = SchedulesReport::default();
    // Each batch moves its schedules past `up_to`; stop when none is left,
    // or when a batch moved none (another sweep holds them).
    for _ in 0..1000 {
        let due = deps.store.due_schedules(up_to, BATCH).await?;
        if due.is_empty() {
            break;
        }
        // Independent occurrences, fired a few at a time: the store's latency, not its rate, is the limit.
        let batch = due.len();
        let firing = due.into_iter().map(|workflow| async move {
            let mut one = SchedulesReport::default();
            fire(deps, &workflow, &mut one).await.map(|moved| (moved, one))
        });
        let fired: Vec<Result<(bool, SchedulesReport), StoreError>> =
            futures::stream::iter(firing).buffer_unordered(FIRING_AT_ONCE).collect().await;
        let mut moved = 0;
        for result in fired {
            let (did_move, one) = result?;
            report.due += 1;
            report.started += one.started;
            report.late += one.late;
            report.skipped += one.skipped;
            moved += usize::from(did_move);
        }
        if moved == 0 || batch < BATCH {
            break;
        }
    }
    if report.due > 0 {
        info!(?report, "schedules fired");
    }
    Ok(report)
}

/// One occurrence: its run started once, then the schedule moved on; true when it moved.
async fn fire(deps: &Deps, workflow: &Workflow, report: &mut SchedulesReport) -> Result<bool, StoreError> {
    let Some(schedule) = &workflow.schedule else { return Ok(false) };
    let (due, now) = (schedule.next, deps.clock.now());
    let key = ClaimKey::job(&format!("sched-{}-{}-{}", workflow.user.0, workflow.number.0, due.timestamp()));
    let late = now - due > LATE_AFTER;
    let ran = once(deps.store.as_ref(), deps.clock.as_ref(), &key, ClaimTimes::JOB, |_| async {
        let user = match deps.store.get_user(workflow.user).await {
            Ok(Some(user)) if user.banned_at.is_none() => user,
            Ok(_) => return Settle::done(false),
            Err(e) => return Settle::Release(e.to_string()),
        };
        let payload = json!({ "text": "", "scheduled_for": due.to_rfc3339(), "late": late });
        let fired = Fired { late, ..Fired::new("schedule", payload) };
        let report = Report { chat: ChatId(user.id.0), thread: None, card: None, live: false };
        let delay = (due - now).to_std().unwrap_or_default();
        match start_in(deps, &user, workflow, fired, report, delay).await {
            Ok(Ok(_)) => Settle::done(true),
            Ok(Err(NotStarted::DailyLimit { limit, .. })) => {
                warn!(
                    workflow = workflow.number.0,
                    limit, "scheduled run skipped: the day's runs are used up"
                );
                Settle::done(false)
            }
            Err(e) if e.is_transient() => Settle::Release(e.to_string()),
            Err(e) => {
                warn!(workflow = workflow.number.0, error = %e, "scheduled run could not start");
                Settle::done(false)
            }
        }
    })
    .await?;
    match ran {
        Once::Ran(Ok(true)) => {
            report.started += 1;
            report.late += usize::from(late);
        }
        Once::Ran(Err(why)) => {
            warn!(workflow = workflow.number.0, error = %why, "scheduled run failed for now; the next sweep retries");
            report.skipped += 1;
            return Ok(false);
        }
        Once::Busy => {
            report.skipped += 1;
            return Ok(false);
        }
        Once::Ran(Ok(false)) | Once::Duplicate(_) => report.skipped += 1,
    }
    // Past now: what was missed during an outage is not run once per missed time.
    let next = schedule.next_after(due.max(now));
    deps.store.schedule_fired(workflow, due, next).await
}
