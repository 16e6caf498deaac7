//! The admins' use cases that read across users: the stats, and finding a
//! user by @username. Both walk the users a page at a time (the tier index).

use chrono::{DateTime, Duration, Utc};

use crate::{
    domain::Tier,
    ports::{Directory, JobQueue, QueueDepths, StoreError, UserRow},
};

/// Users read per page.
const PAGE: usize = 200;

/// What `/admin stats` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub total: u64,
    pub free: u64,
    pub pro: u64,
    pub active_24h: u64,
    pub active_7d: u64,
    pub banned: u64,
    pub blocked: u64,
    pub pending_tasks: u64,
    /// `None` when the queues could not be read.
    pub jobs: Option<QueueDepths>,
}

/// Counts every user (each tier, page by page) and asks the queues their depths.
pub async fn stats(
    store: &dyn Directory,
    queue: &dyn JobQueue,
    now: DateTime<Utc>,
) -> Result<Stats, StoreError> {
    let mut stats = Stats::default();
    for_each_user(store, |row| {
        stats.total += 1;
        match row.user.tier {
            Tier::Free => stats.free += 1,
            Tier::Pro => stats.pro += 1,
        }
        let seen = row.user.updated_at;
        stats.active_24h += u64::from(now - seen <= Duration::hours(24));
        stats.active_7d += u64::from(now - seen <= Duration::days(7));
        stats.banned += u64::from(row.user.banned_at.is_some());
        stats.blocked += u64::from(row.user.blocked_at.is_some());
        stats.pending_tasks += u64::from(row.pending_tasks);
        true
    })
    .await?;
    stats.jobs = match queue.depths().await {
        Ok(depths) => Some(depths),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the queues' depths");
            None
        }
    };
    Ok(stats)
}

/// Calls `visit` on every user, tier by tier, a page at a time, until it returns false.
pub async fn for_each_user(
    store: &dyn Directory,
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
