//! Step kinds, an open set: one file per kind behind [`StepKind`] (check the
//! definition, run with rendered inputs, sort its errors), and the registry
//! that knows them. A new kind is one file and one line in [`Steps::standard`].

mod ai_prompt;
mod approval;
mod condition;
mod http_request;
mod send_message;
mod wait;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::template::{TemplateError, Templates};
use crate::{
    domain::{
        User,
        integration::Service,
        workflow::{self, Definition, FieldError, Problem, StepDef, WorkflowLimits, run::Run},
    },
    ports::outbound::Outbound,
    services::{Deps, assistant::Assistant},
};

/// What a step may use beyond the bot's dependencies.
#[derive(Clone, Default)]
pub struct StepTools {
    /// `None` when no AI provider is configured.
    pub assistant: Option<Arc<Assistant>>,
    /// The guarded client for URLs users give; `None`: HTTP steps fail and say so.
    pub http: Option<Arc<dyn Outbound>>,
}

/// What a running step is given: the run, its user, the data so far, and
/// where it records the inputs it rendered.
pub struct StepCx<'a> {
    pub deps: &'a Deps,
    pub tools: &'a StepTools,
    pub user: &'a User,
    pub run: &'a Run,
    pub templates: &'a Templates,
    /// `trigger`, `steps`, `user`, `now`.
    pub vars: &'a Value,
    /// False when the step started before (a retry): what is counted per
    /// step (the AI quota) is not counted again.
    pub first_start: bool,
    /// What the step rendered, kept on the run.
    pub inputs: Map<String, Value>,
}

impl StepCx<'_> {
    /// Field `field` of `step` rendered, if the step has it.
    pub fn render(&mut self, step: &StepDef, field: &str) -> Result<Option<String>, StepError> {
        let Some(source) = step.text(field) else { return Ok(None) };
        let text = self.templates.render(source, self.vars).map_err(|e| StepError::template(field, e))?;
        self.inputs.insert(field.to_owned(), Value::String(text.clone()));
        Ok(Some(text))
    }

    /// Field `field` rendered; the definition was checked, so it is there.
    pub fn required(&mut self, step: &StepDef, field: &str) -> Result<String, StepError> {
        self.render(step, field)?.ok_or_else(|| StepError::Permanent(format!("{field} is missing")))
    }

    /// Whether expression `field` of `step` holds.
    pub fn holds(&mut self, step: &StepDef, field: &str) -> Result<bool, StepError> {
        let source = step.text(field).ok_or_else(|| StepError::Permanent(format!("{field} is missing")))?;
        let held = self.templates.holds(source, self.vars).map_err(|e| StepError::template(field, e))?;
        self.inputs.insert(field.to_owned(), Value::String(source.to_owned()));
        Ok(held)
    }
}

/// What a step did.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// Its output (`steps.<name>.output`); the run goes on.
    Done(Value),
    /// Its output; the run ends here, succeeded, the steps after it skipped.
    Stop(Value),
    /// The run waits (an approval, a wait): `output` is kept, and the step
    /// is resumed at `wake` (if any) by [`StepKind::wake`], or by a tap.
    Park { output: Value, wake: Option<chrono::DateTime<chrono::Utc>> },
}

/// How a step failed, sorted by what the engine does about it.
#[derive(Debug, Clone, PartialEq)]
pub enum StepError {
    /// Network trouble, a 5xx, a 429: retried with growing delays (at least
    /// `retry_after` when the service said), then the run fails.
    Transient { why: String, retry_after: Option<Duration> },
    /// A 400-class answer, a template error, a refused address: the run fails at once.
    Permanent(String),
    /// The connected service refused its credentials: the user reconnects.
    Reconnect(Service),
}

impl StepError {
    pub fn transient(why: impl Into<String>) -> StepError {
        StepError::Transient { why: why.into(), retry_after: None }
    }

    fn template(field: &str, e: TemplateError) -> StepError {
        StepError::Permanent(format!("{field}: {e}"))
    }

    /// What the user is told (and the run records).
    pub fn why(&self) -> String {
        match self {
            StepError::Transient { why, .. } | StepError::Permanent(why) => why.clone(),
            StepError::Reconnect(service) => format!("{} refused its connection", service.name()),
        }
    }
}

/// One kind of step.
#[async_trait]
pub trait StepKind: Send + Sync {
    /// Its name in definitions (`"kind": "send_message"`).
    fn kind(&self) -> &'static str;

    /// The fields a definition must or may have, for the builder and the
    /// user guide: (name, required).
    fn fields(&self) -> &'static [(&'static str, bool)];

    /// Checks a definition's fields; an error names the field (`text`).
    fn check(&self, step: &StepDef, templates: &Templates) -> Result<(), FieldError>;

    async fn run(&self, cx: &mut StepCx<'_>, step: &StepDef) -> Result<StepOutcome, StepError>;

    /// A parked step's wake-up time came (with what it parked): by default it is done.
    fn wake(&self, _step: &StepDef, parked: Value) -> StepOutcome {
        StepOutcome::Done(parked)
    }
}

/// Every kind of step Linklet runs.
#[derive(Clone)]
pub struct Steps {
    kinds: BTreeMap<&'static str, Arc<dyn StepKind>>,
}

impl Steps {
    pub fn standard() -> Steps {
        Steps { kinds: BTreeMap::new() }
            .with(send_message::SendMessage)
            .with(ai_prompt::AiPrompt)
            .with(condition::Condition)
            .with(http_request::HttpRequest)
            .with(wait::Wait)
            .with(approval::Approval)
    }

    pub fn with(mut self, kind: impl StepKind + 'static) -> Steps {
        self.kinds.insert(kind.kind(), Arc::new(kind));
        self
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn StepKind>> {
        self.kinds.get(kind)
    }

    /// The kinds' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.keys().copied()
    }

    /// Checks a whole definition: its name, triggers and steps, each step by its kind.
    pub fn check(
        &self,
        definition: &Definition,
        limits: WorkflowLimits,
        templates: &Templates,
    ) -> Result<(), FieldError> {
        workflow::check(definition, limits)?;
        for (i, step) in definition.steps.iter().enumerate() {
            let Some(kind) = self.get(&step.kind) else {
                return Err(FieldError::new(
                    format!("steps[{i}].kind"),
                    Problem::UnknownKind(step.kind.clone()),
                ));
            };
            kind.check(step, templates)
                .map_err(|e| FieldError::new(format!("steps[{i}].{}", e.field), e.problem))?;
        }
        Ok(())
    }
}

/// Checks that each required field is text and each template reads; the
/// fields every kind checks alike.
pub(crate) fn check_templates(
    step: &StepDef,
    fields: &[(&str, bool)],
    templates: &Templates,
) -> Result<(), FieldError> {
    for (field, required) in fields {
        match step.fields.get(*field) {
            None if *required => return Err(FieldError::new(*field, Problem::Missing)),
            None => {}
            Some(Value::String(source)) => {
                if *required && source.trim().is_empty() {
                    return Err(FieldError::new(*field, Problem::Empty));
                }
                templates
                    .check(source)
                    .map_err(|e| FieldError::new(*field, Problem::Invalid(e.to_string())))?;
            }
            Some(_) => return Err(FieldError::new(*field, Problem::Invalid("not text".into()))),
        }
    }
    if let Some(unknown) = step.fields.keys().find(|k| !fields.iter().any(|(f, _)| f == k)) {
        return Err(FieldError::new(
            unknown.clone(),
            Problem::Invalid("not a field of this kind of step".into()),
        ));
    }
    Ok(())
}
