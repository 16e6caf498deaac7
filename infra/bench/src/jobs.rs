//! The job path's figures, on moto (DynamoDB and SQS) with the fake Telegram
//! and AI servers: what queueing a question adds to the webhook's answer, and
//! how many jobs per second the consumer runs from SQS batches.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use axum::{body::Body, http::Request};
use linklet::{
    adapters::{aws, dynamo::migrations},
    app,
    config::Config,
    http::SECRET_HEADER,
};
use linklet_local::{fake_ai::FakeAi, fake_telegram::FakeTelegram};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{Stats, stats};

const TOKEN: &str = "0:bench";
const SECRET: &str = "bench-secret";
const AI_KEY: &str = "sk-bench";

pub async fn run(jobs: u32, pollers: usize) -> anyhow::Result<()> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").context("AWS_ENDPOINT_URL (moto) is needed")?;
    let sdk = aws::local_sdk_config(&endpoint).await;
    let suffix = std::process::id();
    let table = format!("linklet-bench-jobs-{suffix}");
    migrations::apply(&aws::dynamodb(&sdk), &table).await?;
    let sqs = aws::sqs(&sdk);
    let queue =
        linklet::adapters::sqs::create_queue_with_dead_letter(&sqs, &format!("bench-ai-{suffix}"), 5, 720)
            .await?;
    let (queue_url, queue_arn) = (queue.url, queue.arn);
    let telegram = FakeTelegram::start(TOKEN).await?;
    let ai = FakeAi::start(AI_KEY).await?;
    let settings = [
        ("TELEGRAM_BOT_TOKEN", TOKEN.to_owned()),
        ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_owned()),
        ("TELEGRAM_API_URL", telegram.url()),
        ("DYNAMODB_TABLE", table.clone()),
        ("AI_JOBS_QUEUE_URL", queue_url.clone()),
        ("OPENAI_API_KEY", AI_KEY.to_owned()),
        ("OPENAI_BASE_URL", ai.url()),
        ("PRO_AI_QUESTIONS_PER_DAY", "100000".to_owned()),
        ("FREE_AI_QUESTIONS_PER_DAY", "100000".to_owned()),
    ];
    let config =
        Config::from_lookup(|name| settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()));
    let webhook = app::lambda_webhook(&config, &sdk).await?;
    let consumer = Arc::new(app::lambda_jobs(&config, &sdk).await?);

    // The webhook: a plain command against a question, one user per request.
    let mut plain = Vec::new();
    let mut asked = Vec::new();
    for i in 0..jobs {
        let user = 9_000_000 + i64::from(i);
        for (text, times) in [("/help", &mut plain), ("what is on my list today?", &mut asked)] {
            let update_id = times.len() as u32 + if text == "/help" { 0 } else { 1_000_000 };
            let started = Instant::now();
            let status = post(&webhook, &update(update_id, user, text)).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status == 200, "the webhook answered {status}");
        }
    }
    let (p, a) = (stats(plain), stats(asked));
    println!(
        "webhook on moto, {jobs} users: /help p50={:.2} ms p90={:.2} ms; a question (quota + SQS SendMessage + typing) \
         p50={:.2} ms p90={:.2} ms; added by queueing p50={:.2} ms",
        p.p50,
        p.p90,
        a.p50,
        a.p90,
        a.p50 - p.p50
    );

    // The consumer: batches of 10 as Lambda's event source mapping polls them.
    let replies_before = telegram.sent_texts().len();
    let started = Instant::now();
    let mut batch_ms = Vec::new();
    let workers: Vec<_> = (0..pollers)
        .map(|_| {
            let (sqs, url, arn, consumer) =
                (sqs.clone(), queue_url.clone(), queue_arn.clone(), consumer.clone());
            tokio::spawn(async move { poll(&sqs, &url, &arn, &consumer).await })
        })
        .collect();
    let mut failed = 0;
    for worker in workers {
        let (times, failures) = worker.await??;
        batch_ms.extend(times);
        failed += failures;
    }
    let elapsed = started.elapsed();
    let replies = telegram.sent_texts().len() - replies_before;
    let Stats { p50, p90, max, .. } = stats(batch_ms);
    println!(
        "jobs consumer on moto, {pollers} concurrent batches of 10: {jobs} jobs in {:.2} s = {:.0} jobs/s; \
         batch p50={p50:.1} ms p90={p90:.1} ms max={max:.1} ms; answers sent={replies}; reported failures={failed}",
        elapsed.as_secs_f64(),
        f64::from(jobs) / elapsed.as_secs_f64(),
    );
    Ok(())
}

/// Receives and runs batches until the queue stays empty; returns each batch's
/// duration and the number of records reported for a retry.
async fn poll(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    arn: &str,
    consumer: &app::JobsFunction,
) -> anyhow::Result<(Vec<f64>, usize)> {
    let mut times = Vec::new();
    let mut failures = 0;
    loop {
        let poll = linklet_local::event_source::poll(sqs, url, arn, consumer).await?;
        if poll.records() == 0 {
            return Ok((times, failures));
        }
        times.push(poll.millis);
        failures += poll.failed.len();
    }
}

async fn post(webhook: &axum::Router, update: &Value) -> anyhow::Result<u16> {
    let request = Request::post("/telegram")
        .header(SECRET_HEADER, SECRET)
        .header("content-type", "application/json")
        .body(Body::from(update.to_string()))?;
    Ok(webhook.clone().oneshot(request).await?.status().as_u16())
}

fn update(update_id: u32, user: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_795_723_200,
            "chat": { "id": user, "type": "private", "first_name": "Bench" },
            "from": { "id": user, "is_bot": false, "first_name": "Bench", "language_code": "en" },
            "text": text,
        }
    })
}

/// The job runner alone, on the embedded store with the fakes: `jobs`
/// questions from `jobs / 10` users, `concurrency` at a time. What the code
/// costs per job once no network round trip is involved.
pub async fn embedded(jobs: u32, concurrency: usize) -> anyhow::Result<()> {
    use futures::StreamExt;
    use linklet::{
        adapters::{embedded::EmbeddedStore, telegram::TelegramMessenger},
        domain::{
            SeenUser, TelegramId,
            job::{Job, JobId, Work},
        },
        ports::Store,
        services::Deps,
        services::jobs::{Attempt, JobOutcome, JobRunner},
    };

    let dir = std::env::temp_dir().join(format!("linklet-jobs-bench-{}", std::process::id()));
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir)?);
    let telegram = FakeTelegram::start(TOKEN).await?;
    let ai = FakeAi::start(AI_KEY).await?;
    let settings = [("OPENAI_API_KEY", AI_KEY.to_owned()), ("OPENAI_BASE_URL", ai.url())];
    let config =
        Config::from_lookup(|name| settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()));
    let messenger =
        TelegramMessenger::new(&TOKEN.to_owned().into(), &telegram.url(), None, Duration::from_secs(10))?;
    let users = (jobs / 10).max(1);
    for user in 0..users {
        let seen = SeenUser {
            id: TelegramId(8_000_000 + i64::from(user)),
            username: None,
            first_name: "Bench".into(),
            language_code: Some("en".into()),
        };
        store.upsert_seen(&seen, chrono::Utc::now()).await?;
    }
    let queue = Arc::new(linklet_local::jobs::in_process_queue().0);
    let deps = Deps { assistant_on: true, ..Deps::new(store, Arc::new(messenger), queue, config.policy()) };
    let assistant = app::assistant(&config, (config.ai.openai_key.as_ref(), None), &deps)?;
    let runner = Arc::new(JobRunner::new(deps, assistant));
    let started = Instant::now();
    let outcomes: Vec<(JobOutcome, f64)> = futures::stream::iter(0..jobs)
        .map(|i| {
            let runner = runner.clone();
            async move {
                let user = 8_000_000 + i64::from(i % users);
                let job = Job {
                    id: JobId(format!("bench-{i}")),
                    work: Work::Ask {
                        user: linklet::domain::TelegramId(user),
                        chat: linklet::domain::ChatId(user),
                        question: format!("question {i}"),
                        thread: None,
                    },
                };
                let began = Instant::now();
                let outcome = runner.run(&job, Attempt::of(1, 5)).await;
                (outcome, began.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let done = outcomes.iter().filter(|(o, _)| *o == JobOutcome::Done).count();
    let Stats { p50, p90, max, .. } = stats(outcomes.iter().map(|(_, ms)| *ms).collect());
    println!(
        "job runner on the embedded store, {concurrency} at a time: {jobs} jobs in {:.2} s = {:.0} jobs/s; \
         per job p50={p50:.2} ms p90={p90:.2} ms max={max:.2} ms; done={done}; answers sent={}",
        elapsed.as_secs_f64(),
        f64::from(jobs) / elapsed.as_secs_f64(),
        telegram.sent_texts().len(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
