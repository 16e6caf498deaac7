//! /ask, plain text in a private chat, and /reset: a question is counted
//! against the user's daily quota and queued; the jobs function answers it.

use chrono::Duration;
use tracing::debug;

use super::{HandleError, ctx::Ctx};
use crate::{
    domain::{
        assistant::QuotaUse,
        job::{Job, JobId, Work},
    },
    ports::OutMessage,
    presentation::catalog::assistant::AssistantMsg,
};

/// What the quota counts, per user and day.
const QUOTA: &str = "ai";

async fn say(ctx: &Ctx<'_>, msg: AssistantMsg) -> Result<(), HandleError> {
    ctx.reply(OutMessage::text(msg.render(ctx.user.lang()))).await
}

/// Queues `question` (from message `message_id`) for the assistant.
pub(super) async fn ask(ctx: &Ctx<'_>, message_id: i32, question: &str) -> Result<(), HandleError> {
    let question = question.trim();
    if question.is_empty() {
        return say(ctx, AssistantMsg::Usage).await;
    }
    if !ctx.deps.assistant_on {
        return say(ctx, AssistantMsg::Off).await;
    }
    let now = ctx.deps.clock.now();
    // The UTC day, whatever the user's zone: changing it gives no more questions.
    let today = now.date_naive();
    let limit = ctx.deps.policy.limits.for_tier(ctx.user.tier).ai_questions_per_day;
    let store = &ctx.deps.store;
    if store.take_quota(ctx.user.id, QUOTA, &today.to_string(), limit, now + Duration::days(2)).await?
        == QuotaUse::Exhausted
    {
        let resets_at = (today + Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc();
        return say(ctx, AssistantMsg::QuotaReached { limit, resets_at, tz: ctx.user.tz() }).await;
    }
    let job = Job {
        id: JobId::for_message("ask", ctx.chat.0, message_id),
        work: Work::Ask {
            user: ctx.user.id,
            chat: ctx.chat,
            question: question.to_owned(),
            thread: ctx.thread,
        },
    };
    ctx.deps.queue.enqueue(&job).await?;
    if let Err(e) = ctx.deps.messenger.typing(ctx.chat).await {
        debug!(error = %e, "typing indicator not shown");
    }
    Ok(())
}

/// Forgets the conversation.
pub(super) async fn reset(ctx: &Ctx<'_>) -> Result<(), HandleError> {
    ctx.deps.store.forget_turns(ctx.user.id).await?;
    say(ctx, AssistantMsg::Forgotten).await
}
