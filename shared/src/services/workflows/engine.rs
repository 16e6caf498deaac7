//! The engine: one queued job advances one step of one run. The job's claim
//! is the step's (`(run, attempt, step)`, by the job runner); the step's
//! output is recorded on the run before the next step is queued, so a
//! redelivered, retried or overlapping job never runs a finished step again.
//! The one window for a duplicate: a crash after a step's side effect and
//! before its record, as for reminders.

use serde_json::Value;
use tracing::{info, warn};

use super::{
    steps::{StepCx, StepError, StepOutcome, StepTools, Steps},
    template::Templates,
    variables,
};
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        TelegramId, User,
        job::{JobFailure, ResumeJob, StepJob},
        workflow::{
            WorkflowNumber,
            run::{OUTPUT_BYTES, Run, RunId, RunStatus, StepStatus, cap},
        },
    },
    ports::{MAX_QUEUE_DELAY, MessengerError, OutMessage},
    presentation::{catalog::workflows::card, keyboards::run_card_keyboard},
    services::{
        Deps,
        jobs::{Attempt, JobError},
    },
};

/// Saves lost to a concurrent change (a cancel) before the engine gives up for now.
const CONFLICTS: usize = 3;

pub struct Engine {
    deps: Deps,
    steps: Steps,
    templates: Templates,
    tools: StepTools,
}

/// What one look at the run came to.
enum Advanced {
    Done,
    /// The run changed under us before the step started: look again.
    Conflict,
}

impl Engine {
    pub fn new(deps: Deps, tools: StepTools) -> Engine {
        Engine { deps, steps: Steps::standard(), templates: Templates::default(), tools }
    }

    /// Runs step `job.step` of its run, unless it ran (then only what follows
    /// it is queued) or the run moved on (retried, cancelled, finished).
    #[tracing::instrument(skip_all, fields(run = %job.run, step = job.step))]
    pub async fn advance(&self, job: &StepJob, attempt: Attempt) -> Result<(), JobError> {
        for _ in 0..CONFLICTS {
            if let Advanced::Done = self.try_advance(job, attempt).await? {
                return Ok(());
            }
        }
        Err(JobError::Transient("the run kept changing".into()))
    }

    async fn try_advance(&self, job: &StepJob, attempt: Attempt) -> Result<Advanced, JobError> {
        let store = &self.deps.store;
        let Some(mut run) = store.get_run(job.user, job.workflow, &job.run).await? else {
            info!("run gone (expired or deleted); nothing to do");
            return Ok(Advanced::Done);
        };
        let i = job.step;
        if run.attempt != job.attempt || run.status.is_finished() || i >= run.steps.len() {
            info!(status = run.status.code(), "run moved on; this step job does nothing");
            return Ok(Advanced::Done);
        }
        match run.steps[i].status {
            StepStatus::Succeeded | StepStatus::Skipped => {
                info!("step recorded before; queueing what follows it");
                self.queue_next(&run, i).await?;
                return Ok(Advanced::Done);
            }
            StepStatus::Waiting | StepStatus::Failed => return Ok(Advanced::Done),
            StepStatus::Pending | StepStatus::Running => {}
        }
        let Some(user) = store.get_user(run.user).await? else {
            return Ok(Advanced::Done);
        };
        let now = self.deps.clock.now();
        let first_start = run.steps[i].started_at.is_none();
        run.status = RunStatus::Running;
        run.steps[i].status = StepStatus::Running;
        run.steps[i].started_at.get_or_insert(now);
        run.updated_at = now;
        run.rev += 1;
        if !store.save_run(&run).await? {
            return Ok(Advanced::Conflict);
        }
        if run.report.live && run.report.card.is_none() {
            self.post_card(&mut run, &user).await;
        }
        if i == 0 && first_start && run.attempt == 0 {
            super::announce(self.deps.events.as_ref(), self.deps.clock.now(), &run, true).await;
        }
        let result = self.run_step(&run, i, &user, first_start).await;
        self.record(run, i, &user, result, attempt).await?;
        Ok(Advanced::Done)
    }

    async fn run_step(
        &self,
        run: &Run,
        i: usize,
        user: &User,
        first_start: bool,
    ) -> (Result<StepOutcome, StepError>, serde_json::Map<String, Value>) {
        let step = &run.definition[i];
        let Some(kind) = self.steps.get(&step.kind) else {
            return (Err(StepError::Permanent(format!("no step kind {}", step.kind))), Default::default());
        };
        let vars = variables(run, user, self.deps.clock.now());
        let mut cx = StepCx {
            deps: &self.deps,
            tools: &self.tools,
            user,
            run,
            templates: &self.templates,
            vars: &vars,
            first_start,
            inputs: Default::default(),
        };
        let result = kind.run(&mut cx, step).await;
        (result, cx.inputs)
    }

    /// Records what step `i` did, tells the user when the run ends or fails,
    /// and queues the next step.
    async fn record(
        &self,
        mut run: Run,
        i: usize,
        user: &User,
        (result, inputs): (Result<StepOutcome, StepError>, serde_json::Map<String, Value>),
        attempt: Attempt,
    ) -> Result<(), JobError> {
        let now = self.deps.clock.now();
        let mut step = run.steps[i].clone();
        step.input = Some(cap(Value::Object(inputs), OUTPUT_BYTES));
        let mut retry = None;
        let stop = matches!(result, Ok(StepOutcome::Stop(_)));
        let mut wake = None;
        match result {
            Ok(StepOutcome::Done(output) | StepOutcome::Stop(output)) => {
                step.status = StepStatus::Succeeded;
                step.output = Some(cap(output, OUTPUT_BYTES));
                step.error = None;
                step.finished_at = Some(now);
            }
            Ok(StepOutcome::Park { output, wake: at }) => {
                step.status = StepStatus::Waiting;
                step.output = Some(cap(output, OUTPUT_BYTES));
                step.error = None;
                wake = at;
            }
            Err(StepError::Transient { why, retry_after }) if !attempt.last => {
                warn!(error = %why, "step failed on something temporary; retried later");
                step.error = Some(why.clone());
                retry = Some(match retry_after {
                    Some(wait) => JobError::Throttled(why, wait.min(crate::services::jobs::MAX_RETRY_DELAY)),
                    None => JobError::Transient(why),
                });
            }
            Err(e) => {
                warn!(error = %e.why(), "step failed; the run fails");
                step.status = StepStatus::Failed;
                step.error = Some(e.why());
                step.finished_at = Some(now);
            }
        }
        for _ in 0..CONFLICTS {
            apply(&mut run, i, &step, stop, now);
            if self.deps.store.save_run(&run).await? {
                break;
            }
            // Cancelled while the step ran: keep the cancel, record the step.
            match self.deps.store.get_run(run.user, run.workflow, &run.id).await? {
                Some(fresh) => run = fresh,
                None => return Ok(()),
            }
        }
        if let Some(retry) = retry {
            return Err(retry);
        }
        self.show(&mut run, user).await;
        if let Some(at) = wake.filter(|_| run.status == RunStatus::Waiting) {
            self.wake_at(&run, i, at, 0).await?;
        }
        self.go_on(&run, i).await?;
        if run.status == RunStatus::Failed {
            return Err(JobError::Permanent(
                JobFailure::NoAnswer,
                "the run failed; its user was told".into(),
            ));
        }
        Ok(())
    }

    /// Queues the wake-up of parked step `i` at `at`, in hops of at most the
    /// queue's longest delay (a wait of days is a few hundred tiny jobs,
    /// the same on SQS and locally).
    async fn wake_at(&self, run: &Run, i: usize, at: DateTime<Utc>, hop: u32) -> Result<(), JobError> {
        let step =
            StepJob { user: run.user, workflow: run.workflow, run: run.id, step: i, attempt: run.attempt };
        let delay = (at - self.deps.clock.now()).to_std().unwrap_or_default().min(MAX_QUEUE_DELAY);
        let job = ResumeJob { step, at: at.timestamp(), hop }.job();
        self.deps.queue.enqueue_in(&job, delay).await.map_err(|e| JobError::sorted(e.is_transient(), &e))
    }

    /// A parked step's wake-up: not yet, another hop; else the step's kind
    /// says what its waking means (a wait ends, an approval takes its default).
    #[tracing::instrument(skip_all, fields(run = %job.step.run, step = job.step.step, hop = job.hop))]
    pub async fn resume(&self, job: &ResumeJob) -> Result<(), JobError> {
        let s = &job.step;
        let Some(run) = self.deps.store.get_run(s.user, s.workflow, &s.run).await? else { return Ok(()) };
        let parked = run.steps.get(s.step).is_some_and(|step| step.status == StepStatus::Waiting);
        if run.attempt != s.attempt || run.status != RunStatus::Waiting || !parked {
            info!("the parked step was settled before its wake-up; nothing to do");
            return Ok(());
        }
        let at = DateTime::from_timestamp(job.at, 0).unwrap_or_else(|| self.deps.clock.now());
        if self.deps.clock.now() < at {
            return self.wake_at(&run, s.step, at, job.hop + 1).await;
        }
        let Some(def) = run.definition.get(s.step) else { return Ok(()) };
        let Some(kind) = self.steps.get(&def.kind) else { return Ok(()) };
        let parked = run.steps[s.step].output.clone().unwrap_or(Value::Null);
        let outcome = kind.wake(def, parked);
        self.settle(s.user, s.workflow, s.run, s.step, outcome).await.map(|_| ())
    }

    /// Settles parked step `i` with `outcome` (a tap on Approve, a wait's
    /// end), if it is still parked: recorded, shown, and the run goes on.
    /// `Ok(false)` when it was settled before (a second tap) or the run moved on.
    pub async fn settle(
        &self,
        user: TelegramId,
        workflow: WorkflowNumber,
        id: RunId,
        i: usize,
        outcome: StepOutcome,
    ) -> Result<bool, JobError> {
        let Some(mut run) = self.deps.store.get_run(user, workflow, &id).await? else { return Ok(false) };
        let parked = run.steps.get(i).is_some_and(|step| step.status == StepStatus::Waiting);
        if run.status != RunStatus::Waiting || !parked {
            return Ok(false);
        }
        let Some(owner) = self.deps.store.get_user(user).await? else { return Ok(false) };
        let now = self.deps.clock.now();
        let stop = matches!(outcome, StepOutcome::Stop(_));
        let mut step = run.steps[i].clone();
        let (StepOutcome::Done(output) | StepOutcome::Stop(output) | StepOutcome::Park { output, .. }) =
            outcome;
        step.status = StepStatus::Succeeded;
        step.output = Some(cap(output, OUTPUT_BYTES));
        step.finished_at = Some(now);
        run.status = RunStatus::Running;
        apply(&mut run, i, &step, stop, now);
        if !self.deps.store.save_run(&run).await? {
            // Settled by another tap (or the wake-up) a moment before.
            return Ok(false);
        }
        self.show(&mut run, &owner).await;
        self.go_on(&run, i).await?;
        Ok(true)
    }

    /// After step `i` was recorded: the next step queued while the run goes
    /// on; once it ended, counted and told to the event bus.
    async fn go_on(&self, run: &Run, i: usize) -> Result<(), JobError> {
        if run.status == RunStatus::Running {
            return self.queue_next(run, i).await;
        }
        if run.status.is_finished() {
            info!(status = run.status.code(), "run finished");
            metrics::counter!(crate::emf::names::RUNS, "status" => run.status.code()).increment(1);
            super::announce(self.deps.events.as_ref(), self.deps.clock.now(), run, false).await;
        }
        Ok(())
    }

    /// Queues the step after `i`, if the run goes on.
    async fn queue_next(&self, run: &Run, i: usize) -> Result<(), JobError> {
        let next = i + 1;
        if run.status.is_finished()
            || next >= run.steps.len()
            || run.steps[next].status != StepStatus::Pending
        {
            return Ok(());
        }
        let job =
            StepJob { user: run.user, workflow: run.workflow, run: run.id, step: next, attempt: run.attempt };
        self.deps.queue.enqueue(&job.job()).await.map_err(|e| JobError::sorted(e.is_transient(), &e))
    }

    /// Sends the run's card, and records its message to edit it later.
    async fn post_card(&self, run: &mut Run, user: &User) {
        let message = self.card(run, user);
        match self.deps.messenger.post(run.report.chat, &message).await {
            Ok(id) => {
                run.report.card = Some(id);
                run.rev += 1;
                if !self.deps.store.save_run(run).await.unwrap_or(false) {
                    run.rev -= 1;
                    warn!("the run card's message could not be recorded");
                }
            }
            Err(e) => warn!(error = %e, "the run card could not be sent"),
        }
    }

    /// Shows where the run is: its card edited (a live run), or, when a run
    /// nobody watches fails, one message with the card.
    async fn show(&self, run: &mut Run, user: &User) {
        let message = self.card(run, user);
        let shown = match run.report.card {
            Some(id) => self.deps.messenger.edit(run.report.chat, id, &message).await,
            None if run.report.live || run.status == RunStatus::Failed => {
                self.post_card(run, user).await;
                Ok(())
            }
            None => Ok(()),
        };
        match shown {
            Ok(()) => {}
            // The same text again (a redelivery): nothing to change.
            Err(MessengerError::Refused(why)) if why.contains("not modified") => {}
            Err(e) => warn!(error = %e, "the run card could not be updated"),
        }
    }

    fn card(&self, run: &Run, user: &User) -> OutMessage {
        let lang = user.lang();
        OutMessage::text(card(run, lang, user.tz()))
            .with_keyboard(run_card_keyboard(run, lang))
            .in_thread(run.report.thread)
    }
}

/// `run` with step `i` as recorded in `step`, and the run's status after it.
fn apply(
    run: &mut Run,
    i: usize,
    step: &crate::domain::workflow::run::StepRun,
    stop: bool,
    now: chrono::DateTime<chrono::Utc>,
) {
    run.steps[i] = step.clone();
    run.updated_at = now;
    run.rev += 1;
    if run.status.is_finished() {
        return;
    }
    let last = i + 1 == run.steps.len();
    match step.status {
        StepStatus::Waiting => run.status = RunStatus::Waiting,
        StepStatus::Succeeded if stop || last => {
            for later in &mut run.steps[i + 1..] {
                later.status = StepStatus::Skipped;
            }
            run.status = RunStatus::Succeeded;
            run.finished_at = Some(now);
        }
        StepStatus::Failed => {
            run.status = RunStatus::Failed;
            run.finished_at = Some(now);
        }
        _ => {}
    }
}
