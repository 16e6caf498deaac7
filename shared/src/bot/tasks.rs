//! /task, /remind, /tasks, /done, /delete, /edit and the task buttons.
//!
//! Callback data (at most 64 bytes): `t:d:<n>:<page>` done, `t:s:<n>:<page>`
//! snooze one hour, `t:x:<n>:<page>` delete (from the list), `t:p:<page>` a page
//! of the list, `t:e:<n>` ask for a new time, `t:r:<n>` delete (under a new task).

use chrono::{DateTime, Duration, Utc};

use super::HandleError;
use super::router::{Answer, Ctx};
use crate::domain::{
    Awaiting, UserPatch,
    task::{Task, TaskNumber, sort_for_listing},
    when::{WhenError, parse_due, parse_task},
};
use crate::i18n::{plain_text, tasks::TaskMsg};
use crate::ports::{Button, Keyboard, OutMessage};

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
    let parsed = match parse_task(args, now, tz) {
        Ok(parsed) => parsed,
        Err(e) => return say(ctx, say_error(ctx, &e)).await,
    };
    let recurrence = parsed.due.as_ref().and_then(|d| d.recurrence.clone());
    let new = parsed.to_new_task(tz);
    let limits = ctx.deps.policy.limits.for_tier(ctx.user.tier).tasks;
    let task = match ctx.deps.store.create_task(ctx.user.id, &new, limits, now).await? {
        Ok(task) => task,
        Err(limit) => return say(ctx, TaskMsg::Limit(limit)).await,
    };
    let lang = ctx.user.lang();
    let text = TaskMsg::Created { task: &task, recurrence: recurrence.as_ref(), tz }.render(lang);
    let n = task.number.0;
    let keyboard = vec![vec![
        Button::new(TaskMsg::ButtonEditTime.render(lang), format!("t:e:{n}")),
        Button::new(TaskMsg::ButtonDelete.render(lang), format!("t:r:{n}")),
    ]];
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
    let text = TaskMsg::List { tasks: shown, page, pages, tz: ctx.user.tz() }.render(lang);
    let mut keyboard: Keyboard = shown
        .iter()
        .map(|t| {
            let n = t.number.0;
            vec![
                Button::new(format!("✅ #{n}"), format!("t:d:{n}:{page}")),
                Button::new(format!("💤 #{n}"), format!("t:s:{n}:{page}")),
                Button::new(format!("🗑 #{n}"), format!("t:x:{n}:{page}")),
            ]
        })
        .collect();
    let mut nav = Vec::new();
    if page > 1 {
        nav.push(Button::new(TaskMsg::ButtonPrevious.render(lang), format!("t:p:{}", page - 1)));
    }
    if page < pages {
        nav.push(Button::new(TaskMsg::ButtonNext.render(lang), format!("t:p:{}", page + 1)));
    }
    if !nav.is_empty() {
        keyboard.push(nav);
    }
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

/// Finishes a task (see [`services::tasks::finish`]) for the user talking.
async fn finish(
    ctx: &Ctx<'_>,
    number: TaskNumber,
) -> Result<Option<(Task, Option<DateTime<Utc>>)>, HandleError> {
    Ok(crate::services::tasks::finish(ctx.deps.store.as_ref(), ctx.user.id, number, ctx.deps.clock.now())
        .await?)
}

pub(super) async fn done(ctx: &Ctx<'_>, command: &str, args: &str) -> Result<(), HandleError> {
    let Some((number, _)) = task_number(args) else {
        return say(ctx, TaskMsg::NumberUsage { command }).await;
    };
    match finish(ctx, number).await? {
        Some((task, next)) => say(ctx, TaskMsg::Done { task: &task, next, tz: ctx.user.tz() }).await,
        None => say(ctx, TaskMsg::NotFound { number }).await,
    }
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
    if ctx.deps.store.get_task(ctx.user.id, number).await?.is_none() {
        return say(ctx, TaskMsg::NotFound { number }).await;
    }
    let patch = UserPatch { awaiting: Some(Some(Awaiting::TaskTime(number))), ..UserPatch::default() };
    ctx.patch(patch).await?;
    say(ctx, TaskMsg::AskTime { number }).await
}

/// A new time for a task, typed after "Change time" or with `/edit <n>`.
pub(super) async fn reschedule(ctx: &mut Ctx<'_>, number: TaskNumber, text: &str) -> Result<(), HandleError> {
    let (now, tz) = (ctx.deps.clock.now(), ctx.user.tz());
    let due = match parse_due(text, now, tz) {
        Ok(due) => due,
        Err(e) => return say(ctx, say_error(ctx, &e)).await,
    };
    if ctx.user.awaiting.is_some() {
        ctx.patch(UserPatch { awaiting: Some(None), ..UserPatch::default() }).await?;
    }
    match ctx.deps.store.reschedule_task(ctx.user.id, number, due.at).await? {
        Some(task) => say(ctx, TaskMsg::Rescheduled { task: &task, tz }).await,
        None => say(ctx, TaskMsg::NotFound { number }).await,
    }
}

pub(super) async fn button(ctx: &mut Ctx<'_>, message_id: i32, data: &str) -> Result<Answer, HandleError> {
    let parts: Vec<&str> = data.split(':').collect();
    let number = |i: usize| parts.get(i).and_then(|n| n.parse().ok()).map(TaskNumber);
    let page = |i: usize| parts.get(i).and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
    let lang = ctx.user.lang();
    let deps = ctx.deps;
    let (store, user, now, tz) = (&deps.store, ctx.user.id, deps.clock.now(), ctx.user.tz());
    let toast = match (parts.get(1).copied(), number(2)) {
        (Some("p"), _) => None,
        (Some("d"), Some(n)) => {
            finish(ctx, n).await?.map(|(task, next)| TaskMsg::Done { task: &task, next, tz }.render(lang))
        }
        (Some("s"), Some(n)) => {
            let moved = store.reschedule_task(user, n, now + SNOOZE).await?;
            moved.map(|task| TaskMsg::Snoozed { task: &task, tz }.render(lang))
        }
        (Some("x" | "r"), Some(n)) => {
            let deleted = store.delete_task(user, n).await?;
            deleted.map(|task| TaskMsg::Deleted { task: &task }.render(lang))
        }
        (Some("e"), Some(n)) => {
            ask_time(ctx, n).await?;
            return Ok(Answer::Toast(None));
        }
        _ => return Ok(Answer::Expired),
    };
    let browsing = parts.get(1) == Some(&"p");
    let outcome = match (browsing, number(2)) {
        (true, _) => None,
        (false, Some(number)) => Some(toast.unwrap_or_else(|| TaskMsg::NotFound { number }.render(lang))),
        (false, None) => None,
    };
    if parts.get(1) == Some(&"r") {
        // Under a new task's confirmation: replace it with what happened.
        let text = outcome.clone().unwrap_or_default();
        deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text)).await?;
    } else {
        let view = page_view(ctx, if browsing { page(2) } else { page(3) }).await?;
        deps.messenger.edit(ctx.chat, message_id, &view).await?;
    }
    Ok(Answer::Toast(outcome.map(|text| plain_text(&text))))
}

/// The buttons under a reminder: `r:d:<n>` done, `r:z:<minutes>:<n>` snooze,
/// `r:t:<n>` tomorrow at the same time. The reminder is replaced by what happened.
pub(super) async fn reminder_button(
    ctx: &mut Ctx<'_>,
    message_id: i32,
    data: &str,
) -> Result<Answer, HandleError> {
    let parts: Vec<&str> = data.split(':').collect();
    let deps = ctx.deps;
    let (lang, tz, now, user) = (ctx.user.lang(), ctx.user.tz(), deps.clock.now(), ctx.user.id);
    let number = |i: usize| parts.get(i).and_then(|n| n.parse().ok()).map(TaskNumber);
    let (outcome, number) = match (parts.get(1).copied(), parts.get(2).copied()) {
        (Some("d"), _) => {
            let Some(n) = number(2) else { return Ok(Answer::Expired) };
            let done = finish(ctx, n).await?;
            (done.map(|(task, next)| TaskMsg::Done { task: &task, next, tz }.render(lang)), n)
        }
        (Some("z"), Some(minutes)) => {
            let (Some(minutes), Some(n)) =
                (minutes.parse::<i64>().ok().filter(|m| (1..=1440).contains(m)), number(3))
            else {
                return Ok(Answer::Expired);
            };
            let moved = deps.store.reschedule_task(user, n, now + Duration::minutes(minutes)).await?;
            (moved.map(|task| TaskMsg::Snoozed { task: &task, tz }.render(lang)), n)
        }
        (Some("t"), _) => {
            let Some(n) = number(2) else { return Ok(Answer::Expired) };
            let due = deps.store.get_task(user, n).await?.and_then(|t| t.due).unwrap_or(now);
            let tomorrow = crate::services::reminders::tomorrow_same_time(due, now, tz);
            let moved = deps.store.reschedule_task(user, n, tomorrow).await?;
            (moved.map(|task| TaskMsg::Snoozed { task: &task, tz }.render(lang)), n)
        }
        _ => return Ok(Answer::Expired),
    };
    let text = outcome.unwrap_or_else(|| TaskMsg::NotFound { number }.render(lang));
    deps.messenger.edit(ctx.chat, message_id, &OutMessage::text(text.clone())).await?;
    Ok(Answer::Toast(Some(plain_text(&text))))
}
