//! One idempotency primitive for every caller (updates, jobs, the assistant's
//! tool calls, broadcast recipients): claim a key, run the work at most once,
//! settle the claim as the work says. Leases and retentions are named here.

use std::{future::Future, time::Duration};

use tracing::warn;

use crate::ports::{Claim, ClaimKey, Claims, Clock, StoreError};

/// How long a holder owns a key, and how long a settled key is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimTimes {
    pub lease: Duration,
    pub keep: Duration,
}

const DAY: u64 = 24 * 3600;

impl ClaimTimes {
    /// A Telegram update: owned past the webhook's 30 s timeout, remembered
    /// past Telegram's 24 h of redeliveries.
    pub const UPDATE: ClaimTimes =
        ClaimTimes { lease: Duration::from_secs(60), keep: Duration::from_secs(DAY + 3600) };
    /// A queued job: owned past the jobs function's 120 s timeout, remembered
    /// past the 14 days a message can live in a queue or its dead-letter queue.
    pub const JOB: ClaimTimes =
        ClaimTimes { lease: Duration::from_secs(180), keep: Duration::from_secs(15 * DAY) };
    /// A tool call that changed something, held by its job against a second run.
    pub const TOOL_CALL: ClaimTimes =
        ClaimTimes { lease: Duration::from_secs(120), keep: Duration::from_secs(15 * DAY) };
    /// One broadcast recipient: owned for two page budgets, remembered as long as a job.
    pub const RECIPIENT: ClaimTimes =
        ClaimTimes { lease: Duration::from_secs(180), keep: Duration::from_secs(15 * DAY) };
}

/// How the work found the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    Fresh,
    /// An earlier holder left this note: finish its work, do not start again.
    Resumed(String),
}

/// What the work says to do with the claim.
#[derive(Debug)]
pub enum Settle<T, E> {
    /// It ran (well or for good): remember the key, with `note` to replay to a duplicate.
    Keep { result: Result<T, E>, note: Option<String> },
    /// It did nothing that a rerun would repeat: give the key up for a redelivery.
    Release(E),
    /// It did part: leave `note` for the next holder, who is [`Claimed::Resumed`].
    Park { note: String, error: E },
}

impl<T, E> Settle<T, E> {
    pub fn done(value: T) -> Settle<T, E> {
        Settle::Keep { result: Ok(value), note: None }
    }
}

/// What became of a key.
#[derive(Debug)]
pub enum Once<T, E> {
    /// This caller ran the work.
    Ran(Result<T, E>),
    /// It ran before; with the note recorded then.
    Duplicate(Option<String>),
    /// Another holder is running it now.
    Busy,
}

/// Runs `work` unless `key` was settled or is held. A failure to remember a
/// finished key or to give one up is logged, not returned: the work is done,
/// and the lease still holds redeliveries off until it ends. Only the claim
/// itself, and parking (the next holder needs the note), fail the call.
pub async fn once<T, E, F, Fut>(
    claims: &dyn Claims,
    clock: &dyn Clock,
    key: &ClaimKey,
    times: ClaimTimes,
    work: F,
) -> Result<Once<T, E>, StoreError>
where
    F: FnOnce(Claimed) -> Fut,
    Fut: Future<Output = Settle<T, E>>,
{
    let claimed = match claims.claim(key, clock.now(), times.lease).await? {
        Claim::Acquired => Claimed::Fresh,
        Claim::Resumed(note) => Claimed::Resumed(note),
        Claim::InProgress => return Ok(Once::Busy),
        Claim::Completed(note) => return Ok(Once::Duplicate(note)),
    };
    Ok(Once::Ran(match work(claimed).await {
        Settle::Keep { result, note } => {
            if let Err(e) = claims.complete_claim(key, clock.now(), times.keep, note.as_deref()).await {
                warn!(key = key.as_str(), error = %e, "could not mark a claim completed; its lease holds redeliveries off");
            }
            result
        }
        Settle::Release(error) => {
            if let Err(e) = claims.release_claim(key).await {
                warn!(key = key.as_str(), error = %e, "could not release a claim; it expires with its lease");
            }
            Err(error)
        }
        Settle::Park { note, error } => {
            claims.park_claim(key, &note, clock.now(), times.keep).await?;
            Err(error)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{adapters::embedded::EmbeddedStore, ports::SystemClock};

    #[tokio::test]
    async fn work_runs_once_and_each_settlement_does_what_it_says() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let (clock, times) = (SystemClock, ClaimTimes::JOB);
        let key = ClaimKey::job("once-test");
        let run = |settle: fn(Claimed) -> Settle<u32, &'static str>| {
            let (store, key) = (&store, &key);
            async move {
                once(store, &SystemClock, key, times, |claimed| async move { settle(claimed) }).await.unwrap()
            }
        };

        // Released: not remembered, so the next delivery runs it afresh.
        assert!(matches!(run(|_| Settle::Release("later")).await, Once::Ran(Err("later"))));
        // Parked: the next holder resumes with the note.
        assert!(matches!(
            run(|_| Settle::Park { note: "left".into(), error: "held" }).await,
            Once::Ran(Err("held"))
        ));
        let resumed = run(|claimed| {
            assert_eq!(claimed, Claimed::Resumed("left".into()));
            Settle::Keep { result: Ok(7), note: Some("seven".into()) }
        })
        .await;
        assert!(matches!(resumed, Once::Ran(Ok(7))));
        // Kept: a second run is a duplicate with the note, and the work does not run.
        assert!(matches!(run(|_| panic!("ran twice")).await, Once::Duplicate(Some(note)) if note == "seven"));

        // Held by another holder: busy, and the work does not run.
        let held = ClaimKey::job("once-held");
        store.claim(&held, clock.now(), times.lease).await.unwrap();
        let busy =
            once(&store, &clock, &held, times, |_| async { Settle::<u32, ()>::done(1) }).await.unwrap();
        assert!(matches!(busy, Once::Busy));
    }
}
