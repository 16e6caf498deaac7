//! `lateness`: how late reminders reach Telegram when the sweep runs every
//! minute, as EventBridge invokes it. Reminders come due over some minutes,
//! half spread across the seconds and half on the full minute (the "at 9:00"
//! people type); a sweep starts every 60 s with the function's budget, and the
//! fake Bot API stamps each message as it arrives.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use linklet::{
    adapters::{embedded::EmbeddedStore, telegram::TelegramMessenger},
    app::SWEEP_BUDGET,
    domain::{
        SeenUser, TelegramId,
        task::{NewTask, TaskLimits},
    },
    ports::Store,
    services::Deps,
    services::reminders::{ReminderSweep, SweepSettings},
};
use linklet_local::fake_telegram::FakeTelegram;

pub async fn run(reminders: usize, minutes: u32, users: usize) -> anyhow::Result<()> {
    let users = users.clamp(1, reminders.max(1));
    let dir = std::env::temp_dir().join(format!("linklet-lateness-bench-{}", std::process::id()));
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir)?);
    let telegram = FakeTelegram::start("0:bench").await?;
    let messenger =
        TelegramMessenger::new(&"0:bench".to_owned().into(), &telegram.url(), None, Duration::from_secs(10))?;

    let start = Utc::now() + chrono::Duration::seconds(5);
    let span = chrono::Duration::minutes(i64::from(minutes));
    let dues = due_times(start, span, reminders);
    let now = Utc::now();
    let limits = TaskLimits { pending: u32::try_from(reminders).unwrap_or(u32::MAX), recurring: 0 };
    for user in 0..users {
        let seen = SeenUser {
            id: chat(user),
            username: None,
            first_name: "Ada".into(),
            language_code: Some("en".into()),
        };
        store.upsert_seen(&seen, now).await?;
    }
    for (i, due) in dues.iter().enumerate() {
        let task = NewTask { title: format!("r{i}"), due: Some(*due), series: None };
        store
            .create_task(chat(i % users), &task, limits, now)
            .await?
            .map_err(|l| anyhow::anyhow!("{l:?}"))?;
    }

    let deps = Deps::new(
        store,
        Arc::new(messenger),
        Arc::new(linklet_local::jobs::in_process_queue().0),
        Default::default(),
    );
    let sweep = Arc::new(ReminderSweep::new(deps, SweepSettings::default()));
    // EventBridge: one invocation a minute, each on its own; they may overlap.
    let mut sweeps = Vec::new();
    for minute in 0..=minutes {
        if minute > 0 {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        let sweep = sweep.clone();
        sweeps.push(tokio::spawn(async move { sweep.run(SWEEP_BUDGET).await }));
    }
    let mut reports = Vec::new();
    for one in sweeps {
        reports.push(one.await.context("a sweep panicked")??);
    }

    let total = |field: fn(&linklet::services::reminders::SweepReport) -> usize| {
        reports.iter().map(field).sum::<usize>()
    };
    let (skipped, failed, throttled) = (total(|r| r.skipped), total(|r| r.failed), total(|r| r.throttled));
    let mut late_ms: Vec<i64> = Vec::new();
    let mut early = 0;
    for call in telegram.calls().iter().filter(|c| c.method == "sendMessage" && c.ok) {
        let text = call.params["text"].as_str().unwrap_or_default();
        let Some(i) = text.strip_prefix("⏰ Reminder: <b>r").and_then(|t| t.strip_suffix("</b>")) else {
            continue;
        };
        let due = dues[i.parse::<usize>()?];
        let late = (call.at - due).num_milliseconds();
        if late < 0 {
            early += 1;
        }
        late_ms.push(late);
    }
    let _ = std::fs::remove_dir_all(&dir);
    late_ms.sort_unstable();
    let sent = late_ms.len();
    let at =
        |q: f64| late_ms.get(((sent as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0);
    let within_5s = late_ms.iter().filter(|ms| **ms <= 5000).count();
    println!(
        "reminder lateness: {reminders} reminders over {minutes} min for {} users, a sweep every 60 s \
         ({} sweeps); Telegram received {sent} ({} missing, {early} early); late by p50 {:.2} s, p99 {:.2} s, \
         max {:.2} s; within 5 s: {within_5s}/{sent}; sweeps skipped {skipped} (another held it), \
         failed {failed}, throttled {throttled}",
        users,
        reports.len(),
        reminders - sent.min(reminders),
        at(0.50) as f64 / 1000.0,
        at(0.99) as f64 / 1000.0,
        late_ms.last().copied().unwrap_or(0) as f64 / 1000.0,
    );
    Ok(())
}

fn chat(user: usize) -> TelegramId {
    TelegramId(800_000 + user as i64)
}

/// `count` due times from `start` over `span`: every other one on a full
/// minute, the rest spread evenly across the seconds.
fn due_times(start: DateTime<Utc>, span: chrono::Duration, count: usize) -> Vec<DateTime<Utc>> {
    let minutes = span.num_minutes().max(1);
    let first_minute = start + chrono::Duration::seconds(60 - start.timestamp().rem_euclid(60));
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                let minute = (i / 2) as i64 % minutes;
                first_minute + chrono::Duration::minutes(minute)
            } else {
                start + span * (i as i32) / (count as i32)
            }
        })
        .collect()
}
