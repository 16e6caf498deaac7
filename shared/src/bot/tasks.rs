//! /task, /remind, /tasks, /done, /delete, /edit and what the task and
//! reminder buttons do (their keyboards are `presentation::keyboards`, their
//! data `callback::Callback`). Task creation itself is the use case
//! `services::tasks::create_from_text`, shared with the assistant.

use chrono::{DateTime, Duration, Utc};

use super::HandleError;
use super::ctx::{Answer, Ctx};
use crate::callback::Callback;
use crate::domain::{
    Awaiting, UserPatch,
    task::{Task, TaskNumber, TaskStatus, sort_for_listing},
    when::{WhenError, parse_due},
};
use crate::ports::OutMessage;
use crate::presentation::catalog::{Msg, plain_text, tasks::TaskMsg};
use crate::presentation::keyboards;
use crate::services::tasks::{Created, Finished, NotCreated, create_from_text, finish_occurrence};

/// Tasks per page of `/tasks`.
pub const PAGE_SIZE: usize = 5;

/// How far the list's snooze button moves a task.
const SNOOZE: Duration = Duration::hours(1);

fn say_error(ctx: &Ctx<'_>, error: &WhenError) -> TaskMsg<'static> {
    match error {
        WhenError::NoTitle => TaskMsg::Usage,
        WhenError::Unreadable => TaskMsg::Unreadable,
        WhenError::InPast { at } => TaskMsg::InPast { at: *at, tz: ctx.user.tz() },
        WhenError::NeverOccurs => TaskMsg::NeverOccurs,
        WhenError::TooFar => TaskMsg::TooFar,
        WhenError::TitleTooLong { max } => TaskMsg::TitleTooLong { max: *max },
    }
}

async fn say(ctx: &Ctx<'_>, msg: TaskMsg<'_>) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

pub(super) async fn add(ctx: &mut Ctx<'_>, args: &str) -> Result<(), HandleError> {
    if args.is_empty() {
        return say(ctx, TaskMsg::Usage).await;
    }
    let (now, tz) = (ctx.deps.clock.now(), ctx.user.tz());
    let limits = ctx.deps.policy.limits.for_tier(ctx.user.tier).tasks;
    let store = ctx.deps.store.as_ref();
    let Created { task, recurrence } =
        match create_from_text(store, ctx.user.id, tz, limits, args, now).await? {
            Ok(created) => created,
            Err(NotCreated::Unread(e)) => return say(ctx, say_error(ctx, &e)).await,
            Err(NotCreated::Limit(limit)) => return say(ctx, TaskMsg::Limit(limit)).await,
        };
    let lang = ctx.user.lang();
    let mut text = TaskMsg::Created { task: &task, recurrence: recurrence.as_ref(), tz }.render(lang);
    // Until the user says where they are, say which zone the time was read in.
    let ask_zone = ctx.user.timezone.is_none() && task.due.is_some();
    if ask_zone {
        text = format!("{text}\n\n{}", Msg::TimesInUtc.render(lang));
    }
    let keyboard = keyboards::new_task(&task, ask_zone, lang);
    ctx.reply(OutMessage::text(text).with_keyboard(keyboard)).await
}

/// Page `page` (from 1, clamped) of the user's pending tasks, with its buttons.
async fn page_view(ctx: &Ctx<'_>, page: usize) -> Result<OutMessage, HandleError> {
    let mut tasks = ctx.deps.store.pending_tasks(ctx.user.id).await?;
    let lang = ctx.user.lang();
    if tasks.is_empty() {
        return Ok(OutMessage::text(TaskMsg::Empty.render(lang)));
    }
    sort_for_listing(&mut tasks);
    let pages = tasks.len().div_ceil(PAGE_SIZE);
    let page = page.clamp(1, pages);
    let shown = &tasks[(page - 1) * PAGE_SIZE..(page * PAGE_SIZE).min(tasks.len())];
    let text = TaskMsg::List { tasks: shown, page, pages, tz: ctx.user.tz(), now: ctx.deps.clock.now() }
        .render(lang);
    let keyboard = keyboards::task_list(shown, page, pages, lang);
    Ok(OutMessage::text(text).with_keyboard(keyboard))
}

pub(super) async fn list(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    let view = page_view(ctx, 1).await?;
    ctx.reply(view).await
}

fn task_number(args: &str) -> Option<(TaskNumber, &str)> {
    let (first, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let n = first.trim_start_matches('#').parse().ok().filter(|n| *n > 0)?;
    Some((TaskNumber(n), rest.trim()))
}

/// Finishes a task's `occurrence` (`None`: its current one) for the user
/// talking (see [`finish_occurrence`]), and says what happened.
async fn finish(
    ctx: &Ctx<'_>,
    number: TaskNumber,
    occurrence: Option<DateTime<Utc>>,
) -> Result<String, HandleError> {
    let (store, now, tz) = (ctx.deps.store.as_ref(), ctx.deps.clock.now(), ctx.user.tz());
    let finished = finish_occurrence(store, ctx.user.id, number, occurrence, now).await?;
    let msg = match &finished {
        Finished::Done { task, next } => TaskMsg::Done { task, next: *next, tz },
        Finished::AlreadyDone(task) => TaskMsg::AlreadyDone { task },
        Finished::NotFound => TaskMsg::NotFound { number },
    };
    Ok(msg.render(ctx.user.lang()))
}

/// The occurrence a button was made for: its due time, in Unix seconds.
/// Whether `occurrence` of `task` is over: the task is done, or the
/// occurrence was marked done.
fn is_over(task: &Task, occurrence: Option<DateTime<Utc>>) -> bool {
    task.status == TaskStatus::Done
        || occurrence
            .zip(task.done_through)
            .is_some_and(|(occurrence, done)| done.timestamp() >= occurrence.timestamp())
}

pub(super) async fn done(ctx: &Ctx<'_>, command: &str, args: &str) -> Result<(), HandleError> {
    let Some((number, _)) = task_number(args) else {
        return say(ctx, TaskMsg::NumberUsage { command }).await;
    };
    let text = finish(ctx, number, None).await?;
    ctx.reply(OutMessage::text(text)).await
}

pub(super) async fn delete(ctx: &Ctx<'_>, command: &str, args: &str) -> Result<(), HandleError> {
    let Some((number, _)) = task_number(args) else {
        return say(ctx, TaskMsg::NumberUsage { command }).await;
    };
    match ctx.deps.store.delete_task(ctx.user.id, number).await? {
        Some(task) => say(ctx, TaskMsg::Deleted { task: &task }).await,
        None => say(ctx, TaskMsg::NotFound { number }).await,
    }
}

pub(super) async fn edit(ctx: &mut Ctx<'_>, command: &str, args: &str) -> Result<(), HandleError> {
    match task_number(args) {
        Some((number, "")) => ask_time(ctx, number).await,
        Some((number, text)) => reschedule(ctx, number, text).await,
        None => say(ctx, TaskMsg::NumberUsage { command }).await,
    }
}

async fn ask_time(ctx: &mut Ctx<'_>, number: TaskNumber) -> Result<(), HandleError> {
    match ctx.deps.store.get_task(ctx.user.id, number).await? {
        None => return say(ctx, TaskMsg::NotFound { number }).await,
        Some(task) if task.status == TaskStatus::Done => {
            return say(ctx, TaskMsg::EditFinished { task: &task }).await;
        }
        Some(_) => {}
    }
    let patch = UserPatch { awaiting: Some(Some(Awaiting::TaskTime(number))), ..UserPatch::default() };
    ctx.patch(patch).await?;
    say(ctx, TaskMsg::AskTime { number }).await
}

/// A new time for a task, typed after "Change time" or with `/edit <n>`: a
/// time moves its next reminder (a series goes on after it), a repetition
/// (`every day at 8`) replaces how it repeats.
pub(super) async fn reschedule(ctx: &mut Ctx<'_>, number: TaskNumber, text: &str) -> Result<(), HandleError> {
    let (now, tz) = (ctx.deps.clock.now(), ctx.user.tz());
    // One try: after a time that cannot be read, the next message is read as
    // what it is, not as a time.
    if ctx.user.awaiting.is_some() {
        ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
    }
    match ctx.deps.store.get_task(ctx.user.id, number).await? {
        None => return say(ctx, TaskMsg::NotFound { number }).await,
        Some(task) if task.status == TaskStatus::Done => {
            return say(ctx, TaskMsg::EditFinished { task: &task }).await;
        }
        Some(_) => {}
    }
    let due = match parse_due(text, now, tz) {
        Ok(due) => due,
        Err(e) => {
            let lang = ctx.user.lang();
            let text =
                format!("{}\n{}", say_error(ctx, &e).render(lang), TaskMsg::TimeKept { number }.render(lang));
            return ctx.reply(OutMessage::text(text)).await;
        }
    };
    if let Some(rule) = &due.recurrence {
        let series = rule.series(due.local, tz);
        let limits = ctx.deps.policy.limits.for_tier(ctx.user.tier).tasks;
        return match ctx.deps.store.repeat_task(ctx.user.id, number, &series, due.at, limits).await? {
            Ok(Some(task)) => say(ctx, TaskMsg::Repeats { task: &task, rule, tz }).await,
            Ok(None) => say(ctx, TaskMsg::NotFound { number }).await,
            Err(limit) => say(ctx, TaskMsg::Limit(limit)).await,
        };
    }
    match ctx.deps.store.reschedule_task(ctx.user.id, number, due.at).await? {
        Some(task) => say(ctx, TaskMsg::Rescheduled { task: &task, tz }).await,
        None => say(ctx, TaskMsg::NotFound { number }).await,
    }
}

pub(super) async fn button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    callback: Callback,
) -> Result<Answer, HandleError> {
    let lang = ctx.user.lang();
    let deps = ctx.deps;
    let (store, user, now, tz) = (&deps.store, ctx.user.id, deps.clock.now(), ctx.user.tz());
    let (number, page) = match callback {
        Callback::Page(page) => (None, page),
        Callback::ListDone { number, page, .. }
        | Callback::ListSnooze { number, page }
        | Callback::ListDelete { number, page } => (Some(number), page),
        Callback::Edit(number) | Callback::DeleteNew(number) => (Some(number), 1),
        _ => return Ok(Answer::Expired),
    };
    let toast = match callback {
        Callback::ListDone { number, due, .. } => Some(finish(ctx, number, due).await?),
        Callback::ListSnooze { number, .. } => {
            let moved = store.reschedule_task(user, number, now + SNOOZE).await?;
            moved.map(|task| TaskMsg::Snoozed { task: &task, tz }.render(lang))
        }
        Callback::ListDelete { number, .. } | Callback::DeleteNew(number) => {
            let deleted = store.delete_task(user, number).await?;
            deleted.map(|task| TaskMsg::Deleted { task: &task }.render(lang))
        }
        Callback::Edit(number) => {
            ask_time(ctx, number).await?;
            return Ok(Answer::Toast(None));
        }
        _ => None,
    };
    let outcome = number.map(|number| toast.unwrap_or_else(|| TaskMsg::NotFound { number }.render(lang)));
    if matches!(callback, Callback::DeleteNew(_)) {
        // Under a new task's confirmation: replace it with what happened.
        let text = outcome.clone().unwrap_or_default();
        deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text)).await?;
    } else {
        let view = page_view(ctx, page).await?;
        deps.messenger.edit(ctx.chat, message_id, &view).await?;
    }
    Ok(Answer::Toast(outcome.map(|text| plain_text(&text))))
}

/// The buttons under a reminder (see [`crate::presentation::keyboards::reminder`]): done, snooze,
/// tomorrow at the same time, each for the occurrence it was sent for. The
/// reminder is replaced by what happened; a tap for an occurrence already
/// done changes nothing and says so.
pub(super) async fn reminder_button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    callback: Callback,
) -> Result<Answer, HandleError> {
    let deps = ctx.deps;
    let (lang, tz, now, user) = (ctx.user.lang(), ctx.user.tz(), deps.clock.now(), ctx.user.id);
    let (number, occurrence, snooze) = match callback {
        Callback::ReminderDone { number, due } => (number, due, None),
        Callback::ReminderSnooze { minutes, number, due } => (number, due, Some(i64::from(minutes))),
        Callback::ReminderTomorrow { number, due } => (number, due, None),
        _ => return Ok(Answer::Expired),
    };
    let text = if matches!(callback, Callback::ReminderDone { .. }) {
        finish(ctx, number, occurrence).await?
    } else {
        match deps.store.get_task(user, number).await? {
            None => TaskMsg::NotFound { number }.render(lang),
            Some(task) if is_over(&task, occurrence) => TaskMsg::AlreadyDone { task: &task }.render(lang),
            Some(task) => {
                let to = match snooze {
                    Some(minutes) => now + Duration::minutes(minutes),
                    None => {
                        let shown = occurrence.or(task.due).unwrap_or(now);
                        crate::services::reminders::tomorrow_same_time(shown, now, tz)
                    }
                };
                match deps.store.reschedule_task(user, number, to).await? {
                    Some(task) => TaskMsg::Snoozed { task: &task, tz }.render(lang),
                    None => TaskMsg::AlreadyDone { task: &task }.render(lang),
                }
            }
        }
    };
    deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text.clone())).await?;
    Ok(Answer::Toast(Some(plain_text(&text))))
}
