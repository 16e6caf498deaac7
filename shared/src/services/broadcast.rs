//! An admin's broadcast, one page of users per job: every active user (not
//! banned, not blocked) gets the text once, within Telegram's limits; the
//! admin sees the progress after each page and the final counts.

use std::time::Duration;

use tokio::time::Instant;
use tracing::{info, warn};

use super::{
    once::{ClaimTimes, Once, Settle, once},
    outbox::{Pacer, send_within},
};
use crate::{
    domain::{
        Tier,
        job::{BroadcastPage, Job, JobId, Work},
    },
    ports::{ChatId, ClaimKey, MessengerError, OutMessage, QueueError, StoreError},
    presentation::catalog::{admin::AdminMsg, escape},
    services::Deps,
};

pub use crate::config::BroadcastSettings;

/// How long one page may take: inside the jobs function's 120 s.
const PAGE_BUDGET: Duration = Duration::from_secs(90);
/// What became of one recipient's message.
enum Delivery {
    Sent,
    Blocked,
    Refused,
}

#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Telegram kept refusing for now: the page is retried; who got it is skipped.
    #[error("Telegram unavailable: {0}")]
    Telegram(MessengerError),
}

impl BroadcastError {
    pub fn is_transient(&self) -> bool {
        match self {
            BroadcastError::Store(e) => e.is_transient(),
            BroadcastError::Queue(e) => e.is_transient(),
            BroadcastError::Telegram(_) => true,
        }
    }
}

/// Sends one page, then queues the next page or reports the end.
pub async fn run_page(
    deps: &Deps,
    settings: BroadcastSettings,
    page: &BroadcastPage,
) -> Result<(), BroadcastError> {
    let tier = page.tier;
    let users = deps.store.users_page(tier, page.after, settings.page).await?;
    let deadline = Instant::now() + PAGE_BUDGET;
    let message = OutMessage::text(escape(&page.text));
    let mut pacer = Pacer::new(settings.per_second);
    let (mut sent, mut blocked, mut failed, mut throttled) = (page.sent, page.blocked, page.failed, 0);
    for row in &users.rows {
        let user = &row.user;
        if user.banned_at.is_some() {
            continue;
        }
        if user.blocked_at.is_some() {
            blocked += 1;
            continue;
        }
        // One record per recipient: a retried page skips who got it already.
        let key = ClaimKey::recipient(&page.broadcast, user.id);
        let ran = once(deps.store.as_ref(), deps.clock.as_ref(), &key, ClaimTimes::RECIPIENT, |_| async {
            pacer.wait_turn(None).await;
            let result =
                send_within(deps.messenger.as_ref(), ChatId(user.id.0), &message, deadline, &mut throttled)
                    .await;
            pacer.sent();
            match result {
                Ok(()) => Settle::done(Delivery::Sent),
                Err(MessengerError::Unreachable(_)) => Settle::done(Delivery::Blocked),
                Err(MessengerError::Refused(reason)) => {
                    warn!(user = user.id.0, %reason, "broadcast message refused");
                    Settle::done(Delivery::Refused)
                }
                Err(e) => Settle::Release(e),
            }
        })
        .await?;
        match ran {
            Once::Ran(Ok(Delivery::Sent)) | Once::Duplicate(_) | Once::Busy => sent += 1,
            Once::Ran(Ok(Delivery::Blocked)) => {
                deps.store.mark_blocked(user.id, deps.clock.now()).await?;
                blocked += 1;
            }
            Once::Ran(Ok(Delivery::Refused)) => failed += 1,
            Once::Ran(Err(e)) => return Err(BroadcastError::Telegram(e)),
        }
    }
    let next = match (users.next, tier) {
        (Some(after), _) => Some((tier, Some(after))),
        (None, Tier::Free) => Some((Tier::Pro, None)),
        (None, Tier::Pro) => None,
    };
    let admin = page.admin_chat;
    let lang = deps.store.get_user(crate::domain::TelegramId(page.admin_chat.0)).await?.map(|u| u.lang());
    let lang = lang.unwrap_or(crate::domain::Language::En);
    info!(broadcast = %page.broadcast, page = page.page, sent, blocked, failed, throttled, "broadcast page sent");
    match next {
        Some((tier, after)) => {
            let next_page =
                BroadcastPage { tier, after, page: page.page + 1, sent, blocked, failed, ..page.clone() };
            let job = Job {
                id: JobId(format!("{}-p{}", page.broadcast, next_page.page)),
                work: Work::Broadcast(next_page),
            };
            deps.queue.enqueue(&job).await?;
            if !users.rows.is_empty() {
                let progress = AdminMsg::BroadcastProgress { sent, blocked, failed, done: false };
                report(deps, admin, progress.render(lang)).await;
            }
        }
        None => {
            let done = AdminMsg::BroadcastProgress { sent, blocked, failed, done: true };
            report(deps, admin, done.render(lang)).await;
        }
    }
    Ok(())
}

/// Progress reports are best effort: the broadcast goes on without them.
async fn report(deps: &Deps, chat: ChatId, text: String) {
    if let Err(e) = deps.messenger.send(chat, &OutMessage::text(text)).await {
        warn!(error = %e, "could not report the broadcast's progress");
    }
}
