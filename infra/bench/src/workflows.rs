//! The workflows' figures, on the embedded store with the in-process queue,
//! the fake Bot API over loopback HTTP, the engine as the jobs function runs it:
//! - hook POST → 202 latency, and the runs the posts start (all, once each);
//! - engine throughput: runs of three steps, `concurrency` posts in flight;
//! - `schedules` schedules due in the same minute, fired by one sweep pass,
//!   each once (a second pass starts none);
//! - the process's peak memory (VmHWM) after all of it.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{body::Body, http::Request};
use futures::StreamExt as _;
use linklet::{
    adapters::{embedded::EmbeddedStore, telegram::TelegramMessenger},
    app,
    bot::Dispatcher,
    config::Config,
    domain::{
        SeenUser, TelegramId, TimeZone,
        workflow::{NewWorkflow, document::import, run::RunStatus, schedule::parse_schedule},
    },
    http::routes,
    ports::Store,
    services::workflows::{hooks, schedules},
};
use linklet_local::fake_telegram::FakeTelegram;
use serde_json::json;
use tower::ServiceExt as _;

use crate::{Stats, stats};

const TOKEN: &str = "0:bench";

fn document(trigger: serde_json::Value) -> String {
    json!({
        "linklet_workflow": 1,
        "name": "Bench",
        "triggers": [trigger],
        "steps": [
            { "name": "check", "kind": "condition", "if": "trigger.body.n is defined" },
            { "name": "shape", "kind": "condition", "if": "trigger.body.n >= 0" },
            { "name": "tell", "kind": "send_message", "text": "run {{ trigger.body.n }}" },
        ],
    })
    .to_string()
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub async fn run(posts: u32, concurrency: usize, schedule_count: u32) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("linklet-workflows-bench-{}", std::process::id()));
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir)?);
    let telegram = FakeTelegram::start(TOKEN).await?;
    let config = Config::from_lookup(|name| match name {
        "TELEGRAM_BOT_TOKEN" => Some(TOKEN.into()),
        "JOB_RETRY_BASE_SECONDS" => Some("0".into()),
        // Enough for the bench's runs in a day.
        "FREE_WORKFLOW_RUNS_PER_DAY" | "FREE_MAX_WORKFLOWS" | "FREE_HOOK_REQUESTS_PER_MINUTE" => {
            Some("1000000".into())
        }
        _ => None,
    });
    let messenger =
        TelegramMessenger::new(&TOKEN.to_owned().into(), &telegram.url(), None, Duration::from_secs(10))?;
    let (queue, worker) = linklet_local::jobs::in_process_queue();
    let keys = app::Keys::from_config(&config);
    let ports = app::Ports { store: store.clone(), messenger: Arc::new(messenger), queue: Arc::new(queue) };
    let deps = app::deps(&config, ports, &keys)?;
    let runner = app::job_runner(&config, &deps, &keys)?;
    worker.spawn(Arc::new(runner), config.queues.clone());
    let http = routes(Dispatcher::new(deps.clone()), "bench-secret".to_owned().into());

    // One user with a hook workflow.
    let owner = TelegramId(7_000_000);
    let seen = |id: TelegramId| SeenUser {
        id,
        username: None,
        first_name: "Bench".into(),
        language_code: Some("en".into()),
    };
    let user = store.upsert_seen(&seen(owner), chrono::Utc::now()).await?;
    let definition = import(&document(json!({ "kind": "webhook" })))?.definition;
    let workflow = linklet::services::workflows::create(&deps, &user, &definition, true)
        .await?
        .map_err(|e| anyhow::anyhow!("not saved: {e:?}"))?;
    let (_, token) = hooks::issue(&deps, &workflow).await?.ok_or_else(|| anyhow::anyhow!("no hook"))?;
    let path = hooks::hook_path(&token);

    // 1 and 2: posts in flight; every run to its end.
    let started = Instant::now();
    let latencies: Vec<(u16, f64)> = futures::stream::iter(0..posts)
        .map(|n| {
            let (http, path) = (http.clone(), path.clone());
            async move {
                let Ok(request) = Request::post(&path)
                    .header("content-type", "application/json")
                    .body(Body::from(json!({ "n": n }).to_string()))
                else {
                    return (0, 0.0);
                };
                let began = Instant::now();
                match http.oneshot(request).await {
                    Ok(response) => (response.status().as_u16(), began.elapsed().as_secs_f64() * 1000.0),
                    Err(never) => match never {},
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let accepted = latencies.iter().filter(|(s, _)| *s == 202).count();
    let posted = started.elapsed();
    let Stats { p50, p90, p99, max, .. } = stats(latencies.iter().map(|(_, ms)| *ms).collect());
    println!(
        "hook POST -> 202, {concurrency} in flight: {posts} posts in {:.2} s; p50={p50:.2} ms p90={p90:.2} ms \
         p99={p99:.2} ms max={max:.2} ms; accepted={accepted}",
        posted.as_secs_f64()
    );
    let sent = |t: &FakeTelegram| t.sent_texts().iter().filter(|s| s.starts_with("run ")).count();
    let deadline = Instant::now() + Duration::from_secs(600);
    while sent(&telegram) < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finished = started.elapsed();
    let runs = store.recent_runs(owner, workflow.number, posts as usize + 10).await?;
    let succeeded = runs.iter().filter(|r| r.status == RunStatus::Succeeded).count();
    let mut numbers: Vec<String> =
        telegram.sent_texts().into_iter().filter(|s| s.starts_with("run ")).collect();
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    println!(
        "engine: {accepted} runs of 3 steps ({} steps) done in {:.2} s = {:.0} steps/s, {:.0} runs/s; runs stored={} \
         succeeded={succeeded}; messages sent={before}, distinct={}",
        accepted * 3,
        finished.as_secs_f64(),
        (accepted * 3) as f64 / finished.as_secs_f64(),
        accepted as f64 / finished.as_secs_f64(),
        runs.len(),
        numbers.len(),
    );

    // 3: schedules due in the same minute, across users (the sharded index).
    // Each scheduled run checks one condition and ends: the figure is the firing.
    let quiet = json!({
        "linklet_workflow": 1, "name": "Tick", "triggers": [{ "kind": "schedule", "every": "every day at 8" }],
        "steps": [{ "name": "stop", "kind": "condition", "if": "trigger.kind != 'schedule'" }],
    });
    let definition = import(&quiet.to_string())?.definition;
    let now = chrono::Utc::now();
    let users = (schedule_count / 5).max(1);
    for u in 0..users {
        store.upsert_seen(&seen(TelegramId(7_100_000 + i64::from(u))), now).await?;
    }
    let loading = Instant::now();
    for i in 0..schedule_count {
        let user = TelegramId(7_100_000 + i64::from(i % users));
        let mut schedule = parse_schedule("every day at 8", now, TimeZone::UTC, 1)?;
        schedule.next = now - chrono::Duration::seconds(30);
        let new = NewWorkflow { definition: definition.clone(), active: true, schedule: Some(schedule) };
        store.create_workflow(user, &new, u32::MAX, now).await?.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let loaded = loading.elapsed();
    let firing = Instant::now();
    let first = schedules::fire_due(&deps, chrono::Utc::now()).await?;
    let fired = firing.elapsed();
    let second = schedules::fire_due(&deps, chrono::Utc::now()).await?;
    println!(
        "schedules: {schedule_count} due in the same minute ({users} users; stored in {:.1} s): one pass queued \
         {} runs in {:.2} s = {:.0}/s; late={}; a second pass: due={} started={}",
        loaded.as_secs_f64(),
        first.started,
        fired.as_secs_f64(),
        f64::from(first.started as u32) / fired.as_secs_f64(),
        first.late,
        second.due,
        second.started,
    );
    println!("peak memory (VmHWM) of the process after all of it: {} KiB", peak_memory_kib().unwrap_or(0));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
