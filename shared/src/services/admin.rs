//! The admins' use cases that read across users: the stats, counted by a
//! queued job a stretch of users at a time (so they answer at any size, far
//! from the webhook's 30 s), and the walk over every user that re-encryption
//! shares.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use tracing::{info, warn};

use crate::{
    domain::{
        Language, TelegramId, Tier,
        job::{Job, JobId, Stats, StatsPage, UserCounts, Work},
    },
    ports::{ChatId, Directory, MessengerError, OutMessage, QueueDepths, QueueError, StoreError, UserRow},
    presentation::catalog::admin::AdminMsg,
    services::Deps,
};

/// Users read per page.
const PAGE: usize = 200;

/// Counts one user, active relative to `now`.
fn count(counts: &mut UserCounts, row: &UserRow, now: DateTime<Utc>) {
    counts.total += 1;
    match row.user.tier {
        Tier::Free => counts.free += 1,
        Tier::Pro => counts.pro += 1,
    }
    let seen = row.user.updated_at;
    counts.active_24h += u64::from(now - seen <= Duration::hours(24));
    counts.active_7d += u64::from(now - seen <= Duration::days(7));
    counts.banned += u64::from(row.user.banned_at.is_some());
    counts.blocked += u64::from(row.user.blocked_at.is_some());
    counts.pending_tasks += u64::from(row.pending_tasks);
}

/// The first stretch of the stats an admin asked for in `message_id` of `chat`.
pub fn stats_job(chat: ChatId, message_id: i32, now: DateTime<Utc>) -> Job {
    let id = JobId::for_message("stats", chat.0, message_id);
    let first = StatsPage {
        stats: id.0.clone(),
        admin_chat: chat,
        at: now.timestamp(),
        tier: Tier::Free,
        after: None,
        page: 0,
        counts: UserCounts::default(),
    };
    Job { id, work: Work::Stats(first) }
}

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the figures could not be sent: {0}")]
    Telegram(MessengerError),
}

impl StatsError {
    pub fn is_transient(&self) -> bool {
        match self {
            StatsError::Store(e) => e.is_transient(),
            StatsError::Queue(e) => e.is_transient(),
            StatsError::Telegram(e) => e.is_transient(),
        }
    }
}

/// Counts up to `per_job` users from where `page` stands, then queues the
/// next stretch with the counts so far, or sends the figures to the admin.
/// A retried stretch starts again from its own start: its counts travel
/// with it, so nobody is counted twice.
pub async fn run_stats_page(deps: &Deps, per_job: usize, page: &StatsPage) -> Result<(), StatsError> {
    let at = Utc.timestamp_opt(page.at, 0).single().unwrap_or_else(|| deps.clock.now());
    let mut counts = page.counts;
    let mut tier = page.tier;
    let mut after = page.after;
    let mut read = 0;
    let next = loop {
        let users = deps.store.users_page(tier, after, (per_job - read).clamp(1, PAGE)).await?;
        read += users.rows.len();
        users.rows.iter().for_each(|row| count(&mut counts, row, at));
        after = users.next;
        match (after, tier) {
            (None, Tier::Free) => tier = Tier::Pro,
            (None, Tier::Pro) => break None,
            (Some(_), _) => {}
        }
        if read >= per_job {
            break Some((tier, after));
        }
    };
    info!(stats = %page.stats, page = page.page, read, total = counts.total, "stats stretch counted");
    if let Some((tier, after)) = next {
        let next_page = StatsPage { tier, after, page: page.page + 1, counts, ..page.clone() };
        let job =
            Job { id: JobId(format!("{}-p{}", page.stats, next_page.page)), work: Work::Stats(next_page) };
        deps.queue.enqueue(&job).await?;
        return Ok(());
    }
    let jobs = match deps.queue.depths().await {
        // The queues count this job too (in flight): the figures are of the others.
        Ok(depths) => Some(QueueDepths { waiting: depths.waiting.saturating_sub(1), ..depths }),
        Err(e) => {
            warn!(error = %e, "could not read the queues' depths");
            None
        }
    };
    let lang = deps.store.get_user(TelegramId(page.admin_chat.0)).await?.map_or(Language::En, |u| u.lang());
    let text = AdminMsg::Stats(&Stats { users: counts, jobs }).render(lang);
    match deps.messenger.send(page.admin_chat, &OutMessage::text(text)).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_transient() => Err(StatsError::Telegram(e)),
        Err(e) => {
            warn!(error = %e, "the admin could not be sent the stats");
            Ok(())
        }
    }
}

/// Calls `visit` on every user, tier by tier, a page at a time, until it returns false.
pub async fn for_each_user(
    store: &(impl Directory + ?Sized),
    mut visit: impl FnMut(&UserRow) -> bool,
) -> Result<(), StoreError> {
    for tier in [Tier::Free, Tier::Pro] {
        let mut after = None;
        loop {
            let page = store.users_page(tier, after, PAGE).await?;
            for row in &page.rows {
                if !visit(row) {
                    return Ok(());
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(())
}
