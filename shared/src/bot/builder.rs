//! `/newworkflow`: the guided builder. Buttons for the choices, typed
//! answers for names, commands, schedules and step fields, each checked on
//! the spot; the draft is kept apart (`Workflows::save_draft`) and becomes a
//! workflow only on Save, through the same checks as an import.

use serde_json::{Map, Value};
use tracing::info;

use super::HandleError;
use super::ctx::{Answer, Ctx};
use crate::{
    callback::Callback,
    domain::{
        Awaiting, UserPatch,
        workflow::{
            FieldError, NAME_CHARS, Problem, StepDef, Trigger, check_command_name,
            draft::{Draft, Stage},
            schedule::parse_schedule,
        },
    },
    ports::OutMessage,
    presentation::{
        catalog::{builder::BuilderMsg, plain_text, workflows::schedule_problem},
        keyboards,
    },
    services::workflows::{self as service, steps::Steps, template::Templates},
};

/// The field the builder asks for each step kind, and the short name its steps get.
fn main_field(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "send_message" => ("text", "message"),
        "ai_prompt" => ("prompt", "ai"),
        "http_request" => ("url", "http"),
        "condition" => ("if", "check"),
        "wait" => ("for", "wait"),
        _ => ("text", "approval"),
    }
}

async fn say(ctx: &Ctx<'_>, msg: BuilderMsg<'_>) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

async fn keep(ctx: &Ctx<'_>, draft: &Draft) -> Result<(), HandleError> {
    Ok(ctx.deps.store.save_draft(ctx.user.id, draft, ctx.deps.clock.now()).await?)
}

/// `/newworkflow`: a new draft (replacing one left unfinished), and its first question.
pub(super) async fn start(ctx: &mut Ctx<'_>) -> Result<(), HandleError> {
    keep(ctx, &Draft::new()).await?;
    ctx.patch(UserPatch { awaiting: Some(Some(Awaiting::Builder)), ..UserPatch::default() }).await?;
    say(ctx, BuilderMsg::AskName).await
}

async fn ask_trigger(ctx: &Ctx<'_>, draft: &Draft) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    let text = BuilderMsg::AskTrigger { name: &draft.definition.name }.render(lang);
    ctx.reply(OutMessage::text(text).with_keyboard(keyboards::builder_triggers(lang))).await
}

async fn ask_step(ctx: &Ctx<'_>, draft: &Draft) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    let text = BuilderMsg::AskStep { definition: &draft.definition }.render(lang);
    let keyboard = keyboards::builder_steps(!draft.definition.steps.is_empty(), lang);
    ctx.reply(OutMessage::text(text).with_keyboard(keyboard)).await
}

/// The variables a new step may use: the trigger's, the user's, and each earlier step's output.
fn variables(draft: &Draft) -> Vec<String> {
    let mut vars = vec!["trigger.text".to_owned(), "user.name".to_owned(), "now".to_owned()];
    if draft.definition.triggers.iter().any(|t| matches!(t, Trigger::Webhook { .. })) {
        vars.extend(["trigger.body".to_owned(), "trigger.query".to_owned()]);
    }
    for step in &draft.definition.steps {
        let field = match step.kind.as_str() {
            "ai_prompt" | "send_message" => "text",
            "http_request" => "body",
            "approval" => "approved",
            "condition" => "value",
            _ => "until",
        };
        vars.push(format!("steps.{}.output.{field}", step.name));
    }
    vars
}

/// A typed answer while the builder waits for one.
pub(super) async fn typed(ctx: &mut Ctx<'_>, text: &str) -> Result<(), HandleError> {
    let now = ctx.deps.clock.now();
    let Some(mut draft) = ctx.deps.store.draft(ctx.user.id, now).await? else {
        ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
        return say(ctx, BuilderMsg::Ended).await;
    };
    let text = text.trim();
    match draft.stage.clone() {
        Stage::Name => {
            if text.is_empty() {
                return say(ctx, BuilderMsg::Refused { problem: &Problem::Empty }).await;
            }
            if text.chars().count() > NAME_CHARS {
                return say(ctx, BuilderMsg::Refused { problem: &Problem::TooLong(NAME_CHARS) }).await;
            }
            draft.definition.name = text.to_owned();
            draft.stage = Stage::Trigger;
            keep(ctx, &draft).await?;
            ask_trigger(ctx, &draft).await
        }
        Stage::TriggerDetail { kind } => {
            let trigger = match kind.as_str() {
                "command" => {
                    let name = text.trim_start_matches('/').to_owned();
                    if let Err(problem) = check_command_name(&name) {
                        return say(ctx, BuilderMsg::Refused { problem: &problem }).await;
                    }
                    Trigger::Command { name }
                }
                "keyword" => {
                    if text.chars().count() > crate::domain::workflow::KEYWORD_CHARS {
                        let problem = Problem::TooLong(crate::domain::workflow::KEYWORD_CHARS);
                        return say(ctx, BuilderMsg::Refused { problem: &problem }).await;
                    }
                    Trigger::Keyword { phrase: text.to_owned() }
                }
                _ => {
                    let floor = service::limits(ctx.deps, &ctx.user).schedule_floor_minutes;
                    if let Err(error) = parse_schedule(text, now, ctx.user.tz(), floor) {
                        let why = plain_text(&schedule_problem(&error, ctx.user.lang()));
                        return say(ctx, BuilderMsg::ScheduleRefused { why: &why }).await;
                    }
                    Trigger::Schedule { every: text.to_owned() }
                }
            };
            draft.definition.triggers.push(trigger);
            if let Some(service::NotSaved::CommandTaken { by, .. }) =
                service::command_taken(&ctx.user, &draft.definition, None)
            {
                draft.definition.triggers.pop();
                let problem = Problem::Invalid(format!("/{text} already starts your workflow #{}", by.0));
                return say(ctx, BuilderMsg::Refused { problem: &problem }).await;
            }
            draft.stage = Stage::Step;
            keep(ctx, &draft).await?;
            ask_step(ctx, &draft).await
        }
        Stage::StepField { kind } => {
            let (field, short) = main_field(&kind);
            let name = format!("{short}{}", draft.definition.steps.len() + 1);
            let mut fields = Map::new();
            fields.insert(field.to_owned(), Value::String(text.to_owned()));
            let step = StepDef { name, kind: kind.clone(), fields };
            let steps = Steps::standard();
            let checked = steps.get(&kind).map(|k| k.check(&step, &Templates::default()));
            if let Some(Err(FieldError { problem, .. })) = checked {
                return say(ctx, BuilderMsg::Refused { problem: &problem }).await;
            }
            let limit = service::limits(ctx.deps, &ctx.user).steps as usize;
            if draft.definition.steps.len() >= limit {
                return say(ctx, BuilderMsg::Refused { problem: &Problem::TooMany(limit) }).await;
            }
            draft.definition.steps.push(step);
            draft.stage = Stage::Step;
            keep(ctx, &draft).await?;
            ask_step(ctx, &draft).await
        }
        Stage::Trigger | Stage::Step => say(ctx, BuilderMsg::TapAButton).await,
    }
}

/// A tap on one of the builder's buttons.
pub(super) async fn button(ctx: &mut Ctx<'_>, callback: Callback) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let ended = || Ok(Answer::Toast(Some(BuilderMsg::Ended.render(lang))));
    let draft = match ctx.user.awaiting {
        Some(Awaiting::Builder) => ctx.deps.store.draft(ctx.user.id, ctx.deps.clock.now()).await?,
        _ => None,
    };
    let Some(mut draft) = draft else { return ended() };
    match (callback, draft.stage.clone()) {
        (Callback::BuilderCancel, _) => {
            ctx.deps.store.drop_draft(ctx.user.id).await?;
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            say(ctx, BuilderMsg::Cancelled).await?;
        }
        (Callback::BuilderTrigger(kind), Stage::Trigger) => match kind {
            "manual" | "webhook" => {
                let trigger =
                    if kind == "manual" { Trigger::Manual } else { Trigger::Webhook { signature: None } };
                draft.definition.triggers.push(trigger);
                draft.stage = Stage::Step;
                keep(ctx, &draft).await?;
                ask_step(ctx, &draft).await?;
            }
            _ => {
                draft.stage = Stage::TriggerDetail { kind: kind.to_owned() };
                keep(ctx, &draft).await?;
                let ask = match kind {
                    "command" => BuilderMsg::AskCommand,
                    "keyword" => BuilderMsg::AskKeyword,
                    _ => BuilderMsg::AskSchedule,
                };
                say(ctx, ask).await?;
            }
        },
        (Callback::BuilderStep(kind), Stage::Step) => {
            draft.stage = Stage::StepField { kind: kind.to_owned() };
            keep(ctx, &draft).await?;
            let variables = variables(&draft);
            say(ctx, BuilderMsg::AskField { kind, variables: &variables }).await?;
        }
        (Callback::BuilderSave, Stage::Step) if !draft.definition.steps.is_empty() => {
            return save(ctx, &draft).await;
        }
        // A button of an earlier question: nothing to do now.
        _ => return Ok(Answer::Toast(Some(BuilderMsg::TapAButton.render(lang)))),
    }
    Ok(Answer::Toast(None))
}

/// Save: the same checks and limits as an import; the draft goes once saved.
async fn save(ctx: &mut Ctx<'_>, draft: &Draft) -> Result<Answer, HandleError> {
    match service::create(ctx.deps, &ctx.user, &draft.definition, true).await? {
        Ok(workflow) => {
            info!(workflow = workflow.number.0, "workflow built in the chat");
            ctx.deps.store.drop_draft(ctx.user.id).await?;
            ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
            super::workflows::saved(ctx, &workflow).await?;
        }
        Err(refused) => super::workflows::not_saved(ctx, refused).await?,
    }
    Ok(Answer::Toast(None))
}
