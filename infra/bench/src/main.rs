//! Benchmarks that print figures (never pass/fail on timing):
//! - `cold-start`: process start to first answered event of a Lambda binary,
//!   under a local Lambda Runtime API, and its peak memory (VmHWM);
//! - `throughput`: the local runner's `POST /telegram` with N requests in flight;
//! - `sweep`: the reminder sweep over many due reminders;
//! - `lateness`: how late reminders arrive with a sweep every minute;
//! - `jobs`: what queueing a question adds to the webhook, and the jobs consumer's rate;
//! - `guard`: the rate limiter's and the vault's cost per update;
//! - `zones`: a shared location's zone lookup (the boundaries loaded on first use);
//! - `workflows`: hook POST -> 202 latency, engine steps/s, schedules due in one minute.

mod guard;
mod jobs;
mod lateness;
mod workflows;
mod zones;

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use clap::{Parser, Subcommand};
use futures::StreamExt;
use linklet_local::{fake_ai::FakeAi, fake_telegram::FakeTelegram};

/// The key the fake AI accepts in the cold-start runs.
const AI_KEY: &str = "sk-bench";
use serde_json::json;
use tokio::sync::Notify;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Start a Lambda binary `runs` times and time its first answered event.
    ColdStart {
        #[arg(long)]
        binary: PathBuf,
        #[arg(long)]
        event: PathBuf,
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// The Bot API token the fake accepts (the binary's secret must hold it).
        #[arg(long, default_value = "0:bench")]
        token: String,
    },
    /// Load due reminders into a store and sweep them to the fake Bot API.
    Sweep {
        #[arg(long, default_value_t = 2000)]
        users: i64,
        #[arg(long, default_value_t = 5)]
        per_user: u32,
        /// Messages per second the sweep allows itself (Telegram's limit is about 30).
        #[arg(long, default_value_t = 25)]
        per_second: u32,
        /// `embedded` (redb in a temporary directory) or `dynamodb` (AWS_ENDPOINT_URL).
        #[arg(long, default_value = "embedded")]
        store: String,
    },
    /// Reminders due over some minutes, a sweep every 60 s: how late each arrives.
    Lateness {
        #[arg(long, default_value_t = 1000)]
        reminders: usize,
        #[arg(long, default_value_t = 10)]
        minutes: u32,
        /// Users they belong to (several each, so one chat's 1-a-second limit counts).
        #[arg(long, default_value_t = 250)]
        users: usize,
    },
    /// Queue questions through the webhook and answer them from SQS batches (moto).
    Jobs {
        #[arg(long, default_value_t = 500)]
        jobs: u32,
        /// Batches run at once (Lambda's concurrency on the queue).
        #[arg(long, default_value_t = 2)]
        pollers: usize,
        /// `moto` (the whole path: webhook, SQS, DynamoDB) or `embedded` (the job runner alone).
        #[arg(long, default_value = "moto")]
        store: String,
    },
    /// The rate limiter's count per update (embedded store, and moto when
    /// AWS_ENDPOINT_URL is set) and the vault's seal/open.
    Guard {
        #[arg(long, default_value_t = 1000)]
        updates: u32,
    },
    /// The zone of a shared location: the first lookup, which loads the
    /// bundled boundaries, then `lookups` more.
    Zones {
        #[arg(long, default_value_t = 10_000)]
        lookups: u32,
    },
    /// Hook posts to a workflow, the engine running their runs, and schedules
    /// due in the same minute (embedded store, in-process queue).
    Workflows {
        #[arg(long, default_value_t = 2000)]
        posts: u32,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 10_000)]
        schedules: u32,
    },
    /// Load the local runner's HTTP server.
    Throughput {
        /// The `linklet` binary.
        #[arg(long)]
        binary: PathBuf,
        #[arg(long, default_value_t = 2000)]
        requests: u32,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().bench {
        Bench::ColdStart { binary, event, runs, token } => cold_start(&binary, &event, runs, &token).await,
        Bench::Throughput { binary, requests, concurrency } => {
            throughput(&binary, requests, concurrency).await
        }
        Bench::Lateness { reminders, minutes, users } => lateness::run(reminders, minutes, users).await,
        Bench::Guard { updates } => guard::run(updates).await,
        Bench::Workflows { posts, concurrency, schedules } => {
            workflows::run(posts, concurrency, schedules).await
        }
        Bench::Zones { lookups } => {
            zones::run(lookups);
            Ok(())
        }
        Bench::Jobs { jobs, pollers, store } if store == "embedded" => jobs::embedded(jobs, pollers).await,
        Bench::Jobs { jobs, pollers, .. } => jobs::run(jobs, pollers).await,
        Bench::Sweep { users, per_user, per_second, store } => {
            sweep(users, per_user, per_second, &store).await
        }
    }
}

/// A Lambda Runtime API serving one event, then holding the next poll.
#[derive(Clone)]
struct RuntimeApi {
    /// When the function first asked for an event: its init is over.
    first_poll: Arc<Mutex<Option<Instant>>>,
    event: Arc<Mutex<Option<String>>>,
    answered: Arc<Notify>,
    response: Arc<Mutex<Option<String>>>,
}

async fn next_invocation(State(api): State<RuntimeApi>) -> impl IntoResponse {
    if let Ok(mut first) = api.first_poll.lock() {
        first.get_or_insert_with(Instant::now);
    }
    let event = api.event.lock().map(|mut e| e.take()).ok().flatten();
    let Some(event) = event else {
        // The function waits for its next event until it is stopped.
        std::future::pending::<()>().await;
        return (StatusCode::OK, HeaderMap::new(), String::new());
    };
    let mut headers = HeaderMap::new();
    let deadline = (std::time::SystemTime::now() + Duration::from_secs(30))
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd".to_owned()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-3:123456789012:function:webhook".into(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419".into(),
        ),
    ] {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    }
    (StatusCode::OK, headers, event)
}

async fn invocation_response(State(api): State<RuntimeApi>, body: String) -> StatusCode {
    if let Ok(mut r) = api.response.lock() {
        *r = Some(body);
    }
    api.answered.notify_one();
    StatusCode::ACCEPTED
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Minimum, median, 90th and 99th percentiles, maximum.
struct Stats {
    min: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn stats(mut samples: Vec<f64>) -> Stats {
    samples.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats {
        min: samples[0],
        p50: pick(0.5),
        p90: pick(0.9),
        p99: pick(0.99),
        max: samples[samples.len() - 1],
    }
}

async fn cold_start(binary: &PathBuf, event: &PathBuf, runs: usize, token: &str) -> anyhow::Result<()> {
    let template: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(event)?)?;
    let telegram = FakeTelegram::start(token).await?;
    let ai = FakeAi::start(AI_KEY).await?;
    let mut times = Vec::new();
    let mut inits = Vec::new();
    let mut peaks = Vec::new();
    for run in 0..runs {
        // A new update id each run: the table remembers handled ones.
        let mut event = template.clone();
        if let Some(body) = event["body"].as_str() {
            let mut update: serde_json::Value = serde_json::from_str(body)?;
            update["update_id"] = json!(800_000_000 + run as u64 + u64::from(std::process::id()) * 1000);
            let body = update.to_string();
            event["headers"]["content-length"] = json!(body.len().to_string());
            event["body"] = json!(body);
        }
        // A new job id each run too: done jobs are remembered.
        for record in event["Records"].as_array_mut().into_iter().flatten() {
            let mut job: serde_json::Value = serde_json::from_str(record["body"].as_str().unwrap_or("{}"))?;
            job["id"] = json!(format!("bench-{}-{run}", std::process::id()));
            record["body"] = json!(job.to_string());
        }
        let api = RuntimeApi {
            first_poll: Arc::new(Mutex::new(None)),
            event: Arc::new(Mutex::new(Some(event.to_string()))),
            answered: Arc::new(Notify::new()),
            response: Arc::new(Mutex::new(None)),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(invocation_response))
            .with_state(api.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let started = Instant::now();
        let mut child = tokio::process::Command::new(binary)
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "webhook")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/webhook")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/26/[$LATEST]bench")
            .env("TELEGRAM_API_URL", telegram.url())
            .env("OPENAI_API_KEY", AI_KEY)
            .env("OPENAI_BASE_URL", ai.url())
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("BENCH_LOGS").is_some() { Stdio::inherit() } else { Stdio::null() })
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("no pid")?;
        tokio::time::timeout(Duration::from_secs(20), api.answered.notified())
            .await
            .context("the function did not answer within 20 s")?;
        let elapsed = started.elapsed();
        let init = api.first_poll.lock().ok().and_then(|f| *f).map(|f| f - started).unwrap_or_default();
        let response = api.response.lock().ok().and_then(|r| r.clone()).unwrap_or_default();
        let answer = serde_json::from_str::<serde_json::Value>(&response).unwrap_or_default();
        // An HTTP answer must be 200; an SQS batch answer must report no failure.
        let ok = answer["statusCode"] == 200
            || answer["batchItemFailures"].as_array().is_some_and(|failures| failures.is_empty());
        if !ok {
            bail!("run {run}: the function answered {response}");
        }
        peaks.push(peak_memory_kib(pid).unwrap_or_default() as f64 / 1024.0);
        child.kill().await?;
        server.abort();
        times.push(elapsed.as_secs_f64() * 1000.0);
        inits.push(init.as_secs_f64() * 1000.0);
    }
    let Stats { min, p50, p90, max, .. } = stats(times);
    let Stats { p50: init50, max: init_max, .. } = stats(inits);
    let Stats { p50: mem50, max: mem_max, .. } = stats(peaks);
    println!(
        "cold start of {}: runs={runs}; init (start to first poll) p50={init50:.1} ms max={init_max:.1} ms; \
         start to first answer min={min:.1} ms p50={p50:.1} ms p90={p90:.1} ms max={max:.1} ms; peak RSS p50={mem50:.1} MiB max={mem_max:.1} MiB; Telegram replies={}",
        binary.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
        telegram.sent_texts().len()
    );
    Ok(())
}

async fn throughput(binary: &PathBuf, requests: u32, concurrency: usize) -> anyhow::Result<()> {
    let telegram = FakeTelegram::start("0:bench").await?;
    let data = std::env::temp_dir().join(format!("linklet-bench-{}", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = tokio::process::Command::new(binary)
        .args(["--data-dir", &data.to_string_lossy(), "serve", "--port", &port.to_string()])
        .env_remove("AWS_ENDPOINT_URL")
        .env("TELEGRAM_API_URL", telegram.url())
        .env("TELEGRAM_BOT_TOKEN", "0:bench")
        .env("TELEGRAM_WEBHOOK_SECRET", "bench-secret")
        .env("LOG_LEVEL", "WARN")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = server.id().context("no pid")?;
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let ready = linklet_local::serve::wait_for_port(port, Duration::from_secs(10)).await;
    if !ready {
        bail!("the local runner did not start");
    }
    let started = Instant::now();
    let results: Vec<(u16, f64)> = futures::stream::iter(0..requests)
        .map(|i| {
            let client = client.clone();
            let url = format!("{base}/telegram");
            async move {
                let user = 500_000 + i64::from(i % 200);
                let update = json!({
                    "update_id": 1_000_000 + i,
                    "message": {
                        "message_id": i, "date": 1_795_723_200,
                        "chat": { "id": user, "type": "private", "first_name": "Ada" },
                        "from": { "id": user, "is_bot": false, "first_name": "Ada", "language_code": "en" },
                        "text": "/help"
                    }
                });
                let sent = Instant::now();
                let status = client
                    .post(url)
                    .header("X-Telegram-Bot-Api-Secret-Token", "bench-secret")
                    .json(&update)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                (status, sent.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let peak = peak_memory_kib(pid).unwrap_or_default() as f64 / 1024.0;
    server.kill().await?;
    let _ = std::fs::remove_dir_all(&data);
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let Stats { p50, p90, p99, max, .. } = stats(results.iter().map(|(_, ms)| *ms).collect());
    println!(
        "local runner POST /telegram: {requests} requests, {concurrency} in flight: {:.0} req/s; \
         latency p50={p50:.2} ms p90={p90:.2} ms p99={p99:.2} ms max={max:.2} ms; \
         200s={ok}, Telegram replies={}; server peak RSS={peak:.1} MiB",
        f64::from(requests) / elapsed,
        telegram.sent_texts().len()
    );
    Ok(())
}

async fn sweep(users: i64, per_user: u32, per_second: u32, store: &str) -> anyhow::Result<()> {
    use linklet::{
        adapters::{aws, dynamo::DynamoStore, embedded::EmbeddedStore, telegram::TelegramMessenger},
        domain::{
            SeenUser, TelegramId,
            task::{NewTask, TaskLimits},
        },
        ports::Store,
        services::Deps,
        services::reminders::{ReminderSweep, SweepSettings},
    };

    let dir = std::env::temp_dir().join(format!("linklet-sweep-bench-{}", std::process::id()));
    let store: Arc<dyn Store> = match store {
        "dynamodb" => {
            let endpoint = std::env::var("AWS_ENDPOINT_URL").context("dynamodb needs AWS_ENDPOINT_URL")?;
            let config = aws::local_sdk_config(&endpoint).await;
            let client = aws::dynamodb(&config);
            let table = format!("linklet-sweep-bench-{}", std::process::id());
            linklet::adapters::dynamo::migrations::apply(&client, &table).await?;
            Arc::new(DynamoStore::new(client, table))
        }
        _ => Arc::new(EmbeddedStore::open(&dir)?),
    };
    let telegram = FakeTelegram::start("0:bench").await?;
    let messenger =
        TelegramMessenger::new(&"0:bench".to_owned().into(), &telegram.url(), None, Duration::from_secs(10))?;

    let loading = Instant::now();
    let limits = TaskLimits { pending: per_user, recurring: 0 };
    let now = chrono::Utc::now();
    futures::stream::iter(0..users)
        .map(|i| {
            let store = store.clone();
            async move {
                let user = TelegramId(700_000 + i);
                let seen = SeenUser {
                    id: user,
                    username: None,
                    first_name: "Ada".into(),
                    language_code: Some("en".into()),
                };
                store.upsert_seen(&seen, now).await?;
                for k in 0..per_user {
                    let due = now - chrono::Duration::seconds(i64::from(k) + 1);
                    let task = NewTask { title: format!("task {k}"), due: Some(due), series: None };
                    store
                        .create_task(user, &task, limits, now)
                        .await?
                        .map_err(|l| anyhow::anyhow!("{l:?}"))?;
                }
                anyhow::Ok(())
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<()>>>()?;
    let loaded = loading.elapsed();
    let due = users as usize * per_user as usize;

    let deps = Deps::new(
        store,
        Arc::new(messenger),
        Arc::new(linklet_local::jobs::in_process_queue().0),
        Default::default(),
    );
    let settings = SweepSettings { per_second, batch: due, ..SweepSettings::default() };
    let sweep = ReminderSweep::new(deps, settings);
    let started = Instant::now();
    let (mut sent, mut sweeps) = (0, 0);
    while sweeps < 1000 {
        let report = sweep.run(Duration::from_secs(50)).await?;
        sweeps += 1;
        sent += report.sent;
        if report.due == 0 {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let delivered = telegram.successful("sendMessage");
    let mut distinct: Vec<(i64, String)> = delivered
        .iter()
        .map(|m| {
            (m["chat_id"].as_i64().unwrap_or_default(), m["text"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    distinct.sort();
    distinct.dedup();
    let peak = peak_memory_kib(std::process::id()).unwrap_or_default() as f64 / 1024.0;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "reminder sweep: {due} due for {users} users loaded in {:.1} s; {sweeps} sweeps sent {sent} in {elapsed:.1} s \
         ({:.0} messages/s, pace limit {per_second}/s); Telegram received {} messages, {} distinct \
         (no loss: {}, no duplicate: {}); peak RSS of the whole bench (store, sweep, fake Telegram) {peak:.1} MiB",
        loaded.as_secs_f64(),
        sent as f64 / elapsed,
        delivered.len(),
        distinct.len(),
        distinct.len() == due,
        delivered.len() == distinct.len(),
    );
    Ok(())
}
