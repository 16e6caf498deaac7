//! Workflows as use cases: saving a checked definition within the tier's
//! limits, starting a run (queued, never run inline), retrying, re-running
//! and cancelling one. The engine (`engine`) advances runs a step per job;
//! step kinds live under `steps/`, templates in `template`.

pub mod engine;
pub mod hooks;
pub mod schedules;
pub mod steps;
pub mod template;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tracing::{info, warn};

use self::{steps::Steps, template::Templates};
use crate::{
    domain::{
        TelegramId, User,
        assistant::QuotaUse,
        job::StepJob,
        workflow::{
            Definition, FieldError, NewWorkflow, TooManyWorkflows, Workflow, WorkflowLimits, WorkflowNumber,
            run::{Fired, Report, Run, RunId, RunStatus, StepRun, StepStatus},
            schedule::{Schedule, ScheduleError, parse_schedule},
        },
    },
    ports::{QueueError, StoreError, events::Events},
    services::Deps,
};

/// The quota of runs per day (the UTC day).
const RUNS_QUOTA: &str = "runs";

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl WorkflowError {
    pub fn is_transient(&self) -> bool {
        match self {
            WorkflowError::Store(e) => e.is_transient(),
            WorkflowError::Queue(e) => e.is_transient(),
        }
    }
}

/// Why a definition was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSaved {
    Invalid(FieldError),
    TooMany(TooManyWorkflows),
    /// A command trigger another of the user's workflows has (its number).
    CommandTaken {
        command: String,
        by: WorkflowNumber,
    },
    /// The schedule could not be read, or runs too often for the tier.
    Schedule {
        every: String,
        error: ScheduleError,
    },
}

/// Why a run did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// The tier's runs of the day are used up; counted again at 00:00 UTC.
    DailyLimit { limit: u32, resets_at: DateTime<Utc> },
}

/// The tier's workflow limits, from configuration.
pub fn limits(deps: &Deps, user: &User) -> WorkflowLimits {
    deps.policy.limits.for_tier(user.tier).workflows
}

/// Checks `definition` and stores it as a new workflow of `user`.
pub async fn create(
    deps: &Deps,
    user: &User,
    definition: &Definition,
    active: bool,
) -> Result<Result<Workflow, NotSaved>, WorkflowError> {
    let limits = limits(deps, user);
    if let Err(e) = Steps::standard().check(definition, limits, &Templates::default()) {
        return Ok(Err(NotSaved::Invalid(e)));
    }
    if let Some(taken) = command_taken(user, definition, None) {
        return Ok(Err(taken));
    }
    let now = deps.clock.now();
    let schedule = match read_schedule(definition, user, limits, now) {
        Ok(schedule) => schedule,
        Err(refused) => return Ok(Err(refused)),
    };
    let new = NewWorkflow { definition: definition.clone(), active, schedule };
    Ok(deps.store.create_workflow(user.id, &new, limits.workflows, now).await?.map_err(NotSaved::TooMany))
}

/// The definition's schedule read in the user's zone, from `now` on.
fn read_schedule(
    definition: &Definition,
    user: &User,
    limits: WorkflowLimits,
    now: DateTime<Utc>,
) -> Result<Option<Schedule>, NotSaved> {
    let every = definition.triggers.iter().find_map(|t| match t {
        crate::domain::workflow::Trigger::Schedule { every } => Some(every),
        _ => None,
    });
    let Some(every) = every else { return Ok(None) };
    parse_schedule(every, now, user.tz(), limits.schedule_floor_minutes)
        .map(Some)
        .map_err(|error| NotSaved::Schedule { every: every.clone(), error })
}

/// A command of `definition` that another active workflow (not `except`) of the user has.
pub fn command_taken(
    user: &User,
    definition: &Definition,
    except: Option<WorkflowNumber>,
) -> Option<NotSaved> {
    use crate::domain::workflow::{Trigger, command_match};
    definition.triggers.iter().find_map(|trigger| match trigger {
        Trigger::Command { name } => command_match(&user.workflow_triggers, name)
            .filter(|by| Some(*by) != except)
            .map(|by| NotSaved::CommandTaken { command: name.clone(), by }),
        _ => None,
    })
}

/// Turns a workflow on or off; false when it changed meanwhile or is gone.
/// A schedule turned on again starts from now: what it missed while off is
/// not run.
pub async fn set_active(deps: &Deps, workflow: &Workflow, active: bool) -> Result<bool, WorkflowError> {
    let now = deps.clock.now();
    let mut changed = Workflow { active, updated_at: now, ..workflow.clone() };
    if let Some(schedule) = changed.schedule.as_mut().filter(|_| active) {
        match schedule.next_after(now - Duration::seconds(1)) {
            Some(next) => schedule.next = next,
            None => changed.schedule = None,
        }
    }
    Ok(deps.store.update_workflow(&changed, workflow.version).await?)
}

/// What a run's templates see: `trigger`, `steps.<name>.output`, `user`, `now`.
pub fn variables(run: &Run, user: &User, now: DateTime<Utc>) -> Value {
    let mut trigger = match &run.trigger.payload {
        Value::Object(map) => map.clone(),
        other => {
            let mut map = serde_json::Map::new();
            map.insert("value".into(), other.clone());
            map
        }
    };
    trigger.insert("kind".into(), Value::String(run.trigger.kind.clone()));
    let steps: serde_json::Map<String, Value> = run
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Succeeded)
        .map(|s| (s.name.clone(), json!({ "output": s.output.clone().unwrap_or(Value::Null) })))
        .collect();
    let tz = user.tz();
    json!({
        "trigger": trigger,
        "steps": steps,
        "user": { "id": user.id.0, "name": user.first_name, "language": user.lang().code(), "timezone": tz.name() },
        "now": now.with_timezone(&tz.tz()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        "run": { "id": run.id.code(), "workflow": run.name },
    })
}

/// Starts a run of `workflow`: counts it against the day's runs, stores it
/// queued and queues its first step.
pub async fn start(
    deps: &Deps,
    user: &User,
    workflow: &Workflow,
    fired: Fired,
    report: Report,
) -> Result<Result<Run, NotStarted>, WorkflowError> {
    start_in(deps, user, workflow, fired, report, std::time::Duration::ZERO).await
}

/// [`start`], its first step delivered after `delay` (a schedule's run due
/// in a few seconds is queued on time).
pub async fn start_in(
    deps: &Deps,
    user: &User,
    workflow: &Workflow,
    fired: Fired,
    report: Report,
    delay: std::time::Duration,
) -> Result<Result<Run, NotStarted>, WorkflowError> {
    let now = deps.clock.now();
    let limit = limits(deps, user).runs_per_day;
    let today = now.date_naive();
    let resets_at = (today + Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc();
    if deps
        .store
        .take_quota(user.id, RUNS_QUOTA, &today.to_string(), limit, resets_at + Duration::days(1))
        .await?
        == QuotaUse::Exhausted
    {
        info!(workflow = workflow.number.0, limit, "run refused: the day's runs are used up");
        return Ok(Err(NotStarted::DailyLimit { limit, resets_at }));
    }
    let d = &workflow.definition;
    let run = Run::queued(user.id, workflow.number, &d.name, workflow.version, &d.steps, fired, report, now);
    queue(deps, run, delay).await.map(Ok)
}

/// Stores `run` (revision 0) and queues its first step.
async fn queue(deps: &Deps, run: Run, delay: std::time::Duration) -> Result<Run, WorkflowError> {
    if !deps.store.save_run(&run).await? {
        return Err(StoreError::Corrupt(format!("run {} exists already", run.id)).into());
    }
    let job = StepJob { user: run.user, workflow: run.workflow, run: run.id, step: 0, attempt: run.attempt };
    if let Err(e) = deps.queue.enqueue_in(&job.job(), delay).await {
        warn!(error = %e, run = %run.id, "the run's first step could not be queued; the run is marked failed");
        let mut failed = run.clone();
        failed.status = RunStatus::Failed;
        failed.rev += 1;
        failed.finished_at = Some(deps.clock.now());
        let _ = deps.store.save_run(&failed).await;
        return Err(e.into());
    }
    info!(run = %run.id, workflow = run.workflow.0, trigger = %run.trigger.kind, "run queued");
    Ok(run)
}

/// How long publishing an event may take before it is given up (logged):
/// a slow bus never holds a run up.
const EVENT_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Tells the event bus a run started or ended (workflow, status, duration,
/// failed step); a failure is logged, never the run's.
pub async fn announce(events: &dyn Events, now: DateTime<Utc>, run: &Run, started: bool) {
    use crate::ports::events::Event;
    let failed = run.failed_step().map(|i| run.steps[i].name.clone());
    let detail = json!({
        "run_id": run.id.code(),
        "user": run.user.0,
        "workflow": run.workflow.0,
        "name": run.name,
        "version": run.version,
        "trigger": run.trigger.kind,
        "late": run.trigger.late,
        "status": run.status.code(),
        "duration_ms": run.duration().map(|d| d.num_milliseconds()),
        "failed_step": failed,
        "at": now.to_rfc3339(),
    });
    let detail_type = if started { "Workflow run started" } else { "Workflow run finished" };
    let published =
        tokio::time::timeout(EVENT_BUDGET, events.publish(&[Event { detail_type, detail }])).await;
    match published {
        Ok(Ok(())) => {}
        Ok(Err(e)) => warn!(error = %e, run = %run.id, "run event not published"),
        Err(_) => warn!(run = %run.id, "run event not published in time"),
    }
}

/// Why a run could not be retried, re-run or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChanged {
    /// No such run (any more: runs are kept 30 days).
    Gone,
    /// It is not in a state that allows it (a retry of a run that did not fail…).
    NotNow(RunStatus),
}

/// Runs a failed run again from its failed step, with the same version's
/// steps and the outputs of the steps before it.
pub async fn retry(
    deps: &Deps,
    user: TelegramId,
    workflow: WorkflowNumber,
    id: RunId,
) -> Result<Result<Run, NotChanged>, WorkflowError> {
    let Some(mut run) = deps.store.get_run(user, workflow, &id).await? else {
        return Ok(Err(NotChanged::Gone));
    };
    let Some(from) = run.failed_step().filter(|_| run.status == RunStatus::Failed) else {
        return Ok(Err(NotChanged::NotNow(run.status)));
    };
    for step in &mut run.steps[from..] {
        *step = StepRun::pending(&step.name, &step.kind);
    }
    run.status = RunStatus::Queued;
    run.attempt += 1;
    run.rev += 1;
    run.finished_at = None;
    run.updated_at = deps.clock.now();
    if !deps.store.save_run(&run).await? {
        // Another tap got there first.
        let now = deps.store.get_run(user, workflow, &id).await?;
        return Ok(Err(NotChanged::NotNow(now.map_or(RunStatus::Queued, |r| r.status))));
    }
    let job = StepJob { user, workflow, run: run.id, step: from, attempt: run.attempt };
    deps.queue.enqueue(&job.job()).await?;
    Ok(Ok(run))
}

/// Cancels a queued, running or waiting run: the step running now finishes,
/// nothing after it runs.
pub async fn cancel(
    deps: &Deps,
    user: TelegramId,
    workflow: WorkflowNumber,
    id: RunId,
) -> Result<Result<Run, NotChanged>, WorkflowError> {
    for _ in 0..3 {
        let Some(mut run) = deps.store.get_run(user, workflow, &id).await? else {
            return Ok(Err(NotChanged::Gone));
        };
        if run.status.is_finished() {
            return Ok(Err(NotChanged::NotNow(run.status)));
        }
        let now = deps.clock.now();
        for step in &mut run.steps {
            if matches!(step.status, StepStatus::Pending | StepStatus::Waiting) {
                step.status = StepStatus::Skipped;
            }
        }
        run.status = RunStatus::Cancelled;
        run.finished_at = Some(now);
        run.updated_at = now;
        run.rev += 1;
        if deps.store.save_run(&run).await? {
            info!(run = %run.id, "run cancelled");
            announce(deps.events.as_ref(), now, &run, false).await;
            return Ok(Ok(run));
        }
    }
    Err(StoreError::Unavailable("the run kept changing".into()).into())
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use serde_json::json;

    use super::*;
    use crate::{
        domain::ChatId,
        ports::events::{Event, EventsError},
    };

    struct Refusing;

    #[async_trait]
    impl Events for Refusing {
        async fn publish(&self, _: &[Event]) -> Result<(), EventsError> {
            Err(EventsError("the bus is gone".into()))
        }
    }

    struct Hanging;

    #[async_trait]
    impl Events for Hanging {
        async fn publish(&self, _: &[Event]) -> Result<(), EventsError> {
            std::future::pending().await
        }
    }

    #[tokio::test]
    async fn a_refusing_or_hanging_bus_never_holds_a_run_up() {
        let now = Utc::now();
        let report = Report { chat: ChatId(1), thread: None, card: None, live: false };
        let run = Run::queued(
            TelegramId(1),
            WorkflowNumber(1),
            "x",
            1,
            &[],
            Fired::new("manual", json!({})),
            report,
            now,
        );
        // Both return (the error logged), the second after its budget.
        announce(&Refusing, now, &run, true).await;
        announce(&Hanging, now, &run, false).await;
    }
}
