//! /workflows, /run, /workflow import|export, the workflow and run-card
//! buttons, and the command and keyword triggers of a user's workflows.
//! The use cases are `services::workflows`; the texts `catalog::workflows`.

use serde_json::{Value, json};
use tracing::info;

use super::HandleError;
use super::ctx::{Answer, Ctx};
use crate::{
    callback::Callback,
    domain::workflow::{
        Workflow, WorkflowNumber, command_match,
        document::{self, MAX_DOCUMENT_BYTES},
        keyword_matches,
        run::{Fired, Report, RunId},
    },
    ports::OutMessage,
    ports::StoreError,
    presentation::{
        catalog::workflows::{WorkflowMsg, card},
        keyboards::{self, WORKFLOWS_PER_PAGE},
    },
    services::{
        jobs::JobError,
        workflows::{
            self as service, NotChanged, NotSaved, NotStarted, WorkflowError,
            engine::Engine,
            hooks::{self, SecretNotSet},
            steps::{StepOutcome, StepTools},
        },
    },
};

impl From<WorkflowError> for HandleError {
    fn from(e: WorkflowError) -> HandleError {
        match e {
            WorkflowError::Store(e) => HandleError::Store(e),
            WorkflowError::Queue(e) => HandleError::Queue(e),
        }
    }
}

async fn say(ctx: &Ctx<'_>, msg: WorkflowMsg<'_>) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

/// `/workflows`: the first page of the list.
pub(super) async fn list(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    let view = list_view(ctx, 1).await?;
    ctx.reply(view).await
}

async fn list_view(ctx: &Ctx<'_>, page: usize) -> Result<OutMessage, HandleError> {
    let workflows = ctx.deps.store.workflows(ctx.user.id).await?;
    let lang = ctx.user.lang();
    if workflows.is_empty() {
        return Ok(OutMessage::text(WorkflowMsg::NoWorkflows.render(lang)));
    }
    let pages = workflows.len().div_ceil(WORKFLOWS_PER_PAGE);
    let page = page.clamp(1, pages);
    let shown = &workflows[(page - 1) * WORKFLOWS_PER_PAGE..(page * WORKFLOWS_PER_PAGE).min(workflows.len())];
    let text = WorkflowMsg::ListTitle { count: workflows.len(), page, pages }.render(lang);
    Ok(OutMessage::text(text).with_keyboard(keyboards::workflow_list(shown, page, pages)))
}

/// The workflow `input` names: its number (`2`, `#2`) or its name (any case).
async fn find(ctx: &Ctx<'_>, input: &str) -> Result<Option<Workflow>, HandleError> {
    let input = input.trim();
    if let Ok(number) = input.trim_start_matches('#').parse::<u32>() {
        return Ok(ctx.deps.store.get_workflow(ctx.user.id, WorkflowNumber(number)).await?);
    }
    let wanted = input.to_lowercase();
    let workflows = ctx.deps.store.workflows(ctx.user.id).await?;
    Ok(workflows.into_iter().find(|w| w.name().to_lowercase() == wanted))
}

/// `/run <number or name>`.
pub(super) async fn run_command(ctx: &Ctx<'_>, args: &str) -> Result<(), HandleError> {
    if args.trim().is_empty() {
        return say(ctx, WorkflowMsg::RunUsage).await;
    }
    let Some(workflow) = find(ctx, args).await? else {
        return say(ctx, WorkflowMsg::NoSuchWorkflow { input: args }).await;
    };
    start(ctx, &workflow, Fired::new("manual", json!({ "text": "" }))).await
}

/// Starts `workflow` from the chat: its card shows in this chat as it runs.
async fn start(ctx: &Ctx<'_>, workflow: &Workflow, fired: Fired) -> Result<(), HandleError> {
    let report = Report { chat: ctx.chat, thread: ctx.thread, card: None, live: true };
    match service::start(ctx.deps, &ctx.user, workflow, fired, report).await? {
        Ok(_) => Ok(()),
        Err(NotStarted::DailyLimit { limit, resets_at }) => {
            say(ctx, WorkflowMsg::DailyRunsUsed { limit, resets_at, tz: ctx.user.tz() }).await
        }
    }
}

/// A command that is not Linklet's: one of the user's workflows, if one has
/// it as its trigger (`trigger.text` is the rest of the message). False
/// when none does.
pub(super) async fn command_trigger(ctx: &Ctx<'_>, name: &str, args: &str) -> Result<bool, HandleError> {
    let Some(number) = command_match(&ctx.user.workflow_triggers, name) else { return Ok(false) };
    let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await?.filter(|w| w.active) else {
        return Ok(false);
    };
    info!(workflow = number.0, "command trigger");
    start(ctx, &workflow, Fired::new("command", json!({ "command": name, "text": args }))).await?;
    Ok(true)
}

/// A private message holding a keyword of the user's workflows starts each
/// of them once (`trigger.text` is the whole message). False when none does.
pub(super) async fn keyword_trigger(ctx: &Ctx<'_>, text: &str) -> Result<bool, HandleError> {
    let numbers = keyword_matches(&ctx.user.workflow_triggers, text);
    let mut started = false;
    for number in numbers {
        let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await?.filter(|w| w.active)
        else {
            continue;
        };
        info!(workflow = number.0, "keyword trigger");
        start(ctx, &workflow, Fired::new("keyword", json!({ "text": text }))).await?;
        started = true;
    }
    Ok(started)
}

/// `/workflow import <json>`, `/workflow export <n>`, `/workflow secret <n> <secret>`.
pub(super) async fn workflow_command(
    ctx: &Ctx<'_>,
    args: &str,
    message_id: i32,
    private: bool,
) -> Result<(), HandleError> {
    let (verb, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    match verb.to_lowercase().as_str() {
        "secret" => secret(ctx, rest, message_id, private).await,
        "import" if rest.trim().is_empty() => say(ctx, WorkflowMsg::ImportUsage).await,
        "import" => import(ctx, rest).await,
        "export" => match find(ctx, rest).await? {
            Some(workflow) => export(ctx, &workflow).await,
            None if rest.trim().is_empty() => say(ctx, WorkflowMsg::WorkflowUsage).await,
            None => say(ctx, WorkflowMsg::NoSuchWorkflow { input: rest.trim() }).await,
        },
        _ => say(ctx, WorkflowMsg::WorkflowUsage).await,
    }
}

/// Whether a pasted text is a workflow document (then it is imported).
pub(super) fn looks_like_document(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('{') && text.contains("\"linklet_workflow\"") && text.len() <= MAX_DOCUMENT_BYTES * 2
}

/// Saves a pasted or sent document as a new workflow, or says which field is wrong.
pub(super) async fn import(ctx: &Ctx<'_>, text: &str) -> Result<(), HandleError> {
    let imported = match document::import(text) {
        Ok(imported) => imported,
        Err(e) => return say(ctx, WorkflowMsg::Invalid(&e)).await,
    };
    match service::create(ctx.deps, &ctx.user, &imported.definition, imported.active).await? {
        Ok(workflow) => {
            info!(workflow = workflow.number.0, "workflow imported");
            saved(ctx, &workflow).await
        }
        Err(refused) => not_saved(ctx, refused).await,
    }
}

/// Says a workflow was saved, with its menu, and shows its hook's URL if it has one.
pub(super) async fn saved(ctx: &Ctx<'_>, workflow: &Workflow) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    let text = WorkflowMsg::Saved { workflow }.render(lang);
    ctx.reply(OutMessage::text(text).with_keyboard(keyboards::workflow_menu(workflow, lang))).await?;
    if workflow.webhook().is_some() {
        new_hook(ctx, workflow).await?;
    }
    Ok(())
}

/// Says why a definition was not saved.
pub(super) async fn not_saved(ctx: &Ctx<'_>, refused: NotSaved) -> Result<(), HandleError> {
    match refused {
        NotSaved::Invalid(e) => say(ctx, WorkflowMsg::Invalid(&e)).await,
        NotSaved::TooMany(limit) => say(ctx, WorkflowMsg::TooMany { limit: limit.0 }).await,
        NotSaved::CommandTaken { command, by } => {
            say(ctx, WorkflowMsg::CommandTaken { command: &command, by }).await
        }
        NotSaved::Schedule { every, error } => {
            say(ctx, WorkflowMsg::ScheduleRefused { every: &every, error: &error }).await
        }
    }
}

/// Gives `workflow` a new hook and shows its URL, once, with a copy button.
async fn new_hook(ctx: &Ctx<'_>, workflow: &Workflow) -> Result<bool, HandleError> {
    let Some((workflow, token)) = hooks::issue(ctx.deps, workflow).await? else { return Ok(false) };
    let lang = ctx.user.lang();
    let (base, path) = (ctx.deps.public_url.get(), hooks::hook_path(&token));
    let msg = WorkflowMsg::HookUrl {
        name: workflow.name(),
        base: base.as_deref(),
        path: &path,
        signature: workflow.webhook().flatten(),
        number: workflow.number,
    };
    let mut message = OutMessage::text(msg.render(lang));
    if let Some(base) = base {
        message = message.with_keyboard(keyboards::copy_url(&format!("{base}{path}"), lang));
    }
    ctx.reply(message).await?;
    Ok(true)
}

/// `/workflow secret <n> <secret>`: the hook's signing secret, sealed; the
/// message that carried it is deleted at once.
async fn secret(ctx: &Ctx<'_>, args: &str, message_id: i32, private: bool) -> Result<(), HandleError> {
    let (which, secret) = args.trim().split_once(char::is_whitespace).unwrap_or((args.trim(), ""));
    if !private || secret.trim().is_empty() {
        if !secret.trim().is_empty() {
            let _ = ctx.deps.messenger.delete(ctx.chat, message_id).await;
        }
        return say(ctx, WorkflowMsg::SecretUsage).await;
    }
    let deleted = ctx.deps.messenger.delete(ctx.chat, message_id).await;
    if let Err(e) = deleted {
        tracing::warn!(error = %e, "could not delete the message with a hook secret");
    }
    let Some(workflow) = find(ctx, which).await? else {
        return say(ctx, WorkflowMsg::NoSuchWorkflow { input: which }).await;
    };
    match hooks::set_secret(ctx.deps, &workflow, secret).await? {
        Ok(()) => say(ctx, WorkflowMsg::SecretSet { name: workflow.name() }).await,
        Err(SecretNotSet::NoHook) => say(ctx, WorkflowMsg::SecretNoHook).await,
        Err(SecretNotSet::VaultOff) => say(ctx, WorkflowMsg::SecretVaultOff).await,
    }
}

/// The workflow's document, in a block the user can copy.
async fn export(ctx: &Ctx<'_>, workflow: &Workflow) -> Result<(), HandleError> {
    let lang = ctx.user.lang();
    let caption = WorkflowMsg::ExportCaption { name: workflow.name() }.render(lang);
    let body = crate::presentation::catalog::escape(&document::export(workflow));
    ctx.reply(OutMessage::text(format!("{caption}\n<pre><code class=\"language-json\">{body}</code></pre>")))
        .await
}

/// What the workflow and run-card buttons do.
pub(super) async fn button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    callback: Callback,
) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let toast = |msg: WorkflowMsg<'_>| Ok(Answer::Toast(Some(msg.render(lang))));
    match callback {
        Callback::Workflows(page) => {
            let view = list_view(ctx, page).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowOpen(number) => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            let view = menu_view(ctx, &workflow).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowRun(number) => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            start(ctx, &workflow, Fired::new("manual", json!({ "text": "" }))).await?;
            toast(WorkflowMsg::Started { name: workflow.name() })
        }
        Callback::WorkflowActive { workflow: number, active } => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            if workflow.active != active && !service::set_active(ctx.deps, &workflow, active).await? {
                return Ok(Answer::Expired);
            }
            let now = Workflow { active, ..workflow };
            let view = menu_view(ctx, &now).await?;
            ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
            toast(WorkflowMsg::Enabled { name: now.name(), active })
        }
        Callback::WorkflowHistory(number) => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            let runs = ctx.deps.store.recent_runs(ctx.user.id, number, 10).await?;
            let text =
                WorkflowMsg::History { workflow: &workflow, runs: &runs, tz: ctx.user.tz() }.render(lang);
            let view = OutMessage::text(text).with_keyboard(keyboards::run_history(number, &runs, lang));
            ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowExport(number) => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            export(ctx, &workflow).await?;
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowHook(number) => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            if workflow.webhook().is_none() || !new_hook(ctx, &workflow).await? {
                return Ok(Answer::Expired);
            }
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowDelete { workflow: number, confirmed: false } => {
            let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            let text = WorkflowMsg::ConfirmDelete { name: workflow.name() }.render(lang);
            let view = OutMessage::text(text).with_keyboard(keyboards::confirm_delete(number, lang));
            ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
            Ok(Answer::Toast(None))
        }
        Callback::WorkflowDelete { workflow: number, confirmed: true } => {
            let Some(deleted) = ctx.deps.store.delete_workflow(ctx.user.id, number).await? else {
                return Ok(Answer::Expired);
            };
            hooks::revoke(ctx.deps, &deleted).await?;
            info!(workflow = number.0, "workflow deleted");
            let text = WorkflowMsg::Deleted { name: deleted.name() }.render(lang);
            ctx.deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text)).await?;
            Ok(Answer::Toast(None))
        }
        Callback::RunSteps { workflow, run } => {
            let Some(found) = ctx.deps.store.get_run(ctx.user.id, workflow, &run).await? else {
                return toast(WorkflowMsg::RunGone);
            };
            let text = WorkflowMsg::RunDetail { run: &found, tz: ctx.user.tz() }.render(lang);
            let keyboard = vec![vec![crate::ports::Button::new(
                WorkflowMsg::ButtonBack.render(lang),
                Callback::WorkflowHistory(workflow).encode(),
            )]];
            ctx.deps
                .messenger
                .edit(ctx.chat, message_id, &OutMessage::text(text).with_keyboard(keyboard))
                .await?;
            Ok(Answer::Toast(None))
        }
        Callback::RunRetry { workflow, run } => {
            match service::retry(ctx.deps, ctx.user.id, workflow, run).await? {
                Ok(_) => toast(WorkflowMsg::Retrying),
                Err(refused) => not_changed(ctx, refused),
            }
        }
        Callback::RunAgain { workflow, run } => run_again(ctx, workflow, run).await,
        Callback::Approve { workflow, run, step, approved } => {
            answer_approval(ctx, message_id, workflow, run, usize::from(step), approved).await
        }
        Callback::RunCancel { workflow, run } => {
            match service::cancel(ctx.deps, ctx.user.id, workflow, run).await? {
                Ok(cancelled) => {
                    let text = card(&cancelled, lang, ctx.user.tz());
                    let keyboard = keyboards::run_card_keyboard(&cancelled, lang);
                    let view = OutMessage::text(text).with_keyboard(keyboard);
                    ctx.deps.messenger.edit(ctx.chat, message_id, &view).await?;
                    toast(WorkflowMsg::Cancelled)
                }
                Err(refused) => not_changed(ctx, refused),
            }
        }
        _ => Ok(Answer::Expired),
    }
}

/// A tap on an approval step's button: only its owner's, once, while it waits.
async fn answer_approval(
    ctx: &Ctx<'_>,
    message_id: i32,
    workflow: WorkflowNumber,
    id: RunId,
    step: usize,
    approved: bool,
) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let toast = |msg: WorkflowMsg<'_>| Ok(Answer::Toast(Some(msg.render(lang))));
    // Runs are found under their owner: anyone else finds nothing.
    let Some(run) = ctx.deps.store.get_run(ctx.user.id, workflow, &id).await? else {
        return toast(WorkflowMsg::ApprovalNotYours);
    };
    let parked = run.steps.get(step).and_then(|s| s.output.clone()).unwrap_or(Value::Null);
    let question = parked["text"].as_str().unwrap_or_default().to_owned();
    let by = ctx.user.first_name.clone();
    let output =
        json!({ "approved": approved, "by": by, "timed_out": false, "message_id": parked["message_id"] });
    let outcome = if approved { StepOutcome::Done(output) } else { StepOutcome::Stop(output) };
    let engine = Engine::new(ctx.deps.clone(), StepTools::default());
    let settled = engine.settle(ctx.user.id, workflow, id, step, outcome).await.map_err(|e| match e {
        JobError::Transient(why) | JobError::Throttled(why, _) => StoreError::Unavailable(why),
        JobError::Permanent(_, why) => StoreError::Corrupt(why),
    })?;
    if !settled {
        return toast(WorkflowMsg::AlreadyAnswered);
    }
    info!(workflow = workflow.0, approved, "approval answered");
    let text = WorkflowMsg::Answered { question: &question, approved, by: &by }.render(lang);
    ctx.deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text)).await?;
    Ok(Answer::Toast(None))
}

fn not_changed(ctx: &Ctx<'_>, refused: NotChanged) -> Result<Answer, HandleError> {
    let msg = match refused {
        NotChanged::Gone => WorkflowMsg::RunGone,
        NotChanged::NotNow(status) => WorkflowMsg::RunNotNow(status),
    };
    Ok(Answer::Toast(Some(msg.render(ctx.user.lang()))))
}

/// Runs the workflow's current version again, on the run's trigger.
async fn run_again(ctx: &Ctx<'_>, number: WorkflowNumber, id: RunId) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let Some(run) = ctx.deps.store.get_run(ctx.user.id, number, &id).await? else {
        return Ok(Answer::Toast(Some(WorkflowMsg::RunGone.render(lang))));
    };
    let Some(workflow) = ctx.deps.store.get_workflow(ctx.user.id, number).await? else {
        return Ok(Answer::Expired);
    };
    start(ctx, &workflow, Fired { late: false, ..run.trigger }).await?;
    Ok(Answer::Toast(Some(WorkflowMsg::Started { name: workflow.name() }.render(lang))))
}

async fn menu_view(ctx: &Ctx<'_>, workflow: &Workflow) -> Result<OutMessage, HandleError> {
    let lang = ctx.user.lang();
    let last = ctx.deps.store.recent_runs(ctx.user.id, workflow.number, 1).await?;
    let text = WorkflowMsg::Menu { workflow, last: last.first(), tz: ctx.user.tz() }.render(lang);
    Ok(OutMessage::text(text).with_keyboard(keyboards::workflow_menu(workflow, lang)))
}
