//! The wiring every runner shares: from configuration to the functions'
//! handlers (the webhook's routes, the reminder sweep, the jobs batch).

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::future::join_all;
use secrecy::{ExposeSecret, SecretString};
use tracing::{Instrument, error, warn};

use crate::{
    adapters::{
        ai,
        aws::{dynamodb, sqs},
        dynamo::DynamoStore,
        secrets::{Secrets, SecretsError, load_secrets},
        sqs::SqsQueue,
        telegram::{REQUEST_TIMEOUT, TelegramMessenger, TelegramSetupError},
    },
    bot::Dispatcher,
    config::{Config, QueueConfig},
    domain::job::Job,
    emf::{self, names},
    http,
    ports::{StoreError, ai::ProviderError},
    services::Deps,
    services::{
        assistant::Assistant,
        jobs::{Attempt, JobOutcome, JobRunner, retry_delay},
        reminders::{ReminderSweep, SweepReport, SweepSettings},
    },
    telemetry::invocation_span,
    vault::{KeyRing, VaultError},
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Telegram(#[from] TelegramSetupError),
    #[error("AI provider: {0}")]
    Provider(#[from] ProviderError),
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// The deployed webhook: DynamoDB, SQS, Telegram, secrets from the environment
/// or Secrets Manager. Called once per cold start.
pub async fn lambda_webhook(config: &Config, aws: &SdkConfig) -> Result<axum::Router, StartupError> {
    let (deps, secrets, _) = lambda_deps(config, aws).await?;
    Ok(http::routes(Dispatcher::new(deps), secrets.webhook_secret))
}

/// The deployed reminder sweep, on the same wiring as the webhook.
pub async fn lambda_reminders(config: &Config, aws: &SdkConfig) -> Result<ReminderSweep, StartupError> {
    let (deps, _, _) = lambda_deps(config, aws).await?;
    Ok(ReminderSweep::new(deps, SweepSettings::default()))
}

/// How long one scheduled sweep may wait and send: the minute it reads ahead,
/// then time to send what came due last, within the function's timeout (90 s).
pub const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(80);

/// The reminder function's handler: an EventBridge scheduled event in, the
/// sweep's report out (logged and returned).
pub async fn on_schedule(sweep: &ReminderSweep, event: serde_json::Value) -> Result<SweepReport, StoreError> {
    let span = invocation_span("reminders");
    let report = async {
        tracing::info!(time = event["time"].as_str().unwrap_or_default(), "scheduled sweep");
        sweep.run(SWEEP_BUDGET).await
    }
    .instrument(span)
    .await;
    if let Ok(report) = &report {
        metrics::counter!(names::REMINDERS_SENT).increment(report.sent as u64);
    }
    emf::flush();
    report
}

/// The deployed jobs function: the job runner, and the queue it reports retries to.
pub struct JobsFunction {
    runner: JobRunner,
    queue: SqsQueue,
    settings: QueueConfig,
}

pub async fn lambda_jobs(config: &Config, aws: &SdkConfig) -> Result<JobsFunction, StartupError> {
    let (deps, secrets, queue) = lambda_deps(config, aws).await?;
    let keys = (secrets.openai_key.as_ref(), secrets.gemini_key.as_ref());
    let runner = JobRunner::new(deps.clone(), assistant(config, keys, &deps)?)
        .with_broadcast(config.broadcast)
        .with_stats_per_job(config.stats_per_job);
    Ok(JobsFunction { runner, queue, settings: config.queues.clone() })
}

/// The assistant on the configured providers, given their keys (OpenAI,
/// Gemini); `None` without any key.
pub fn assistant(
    config: &Config,
    (openai_key, gemini_key): (Option<&SecretString>, Option<&SecretString>),
    deps: &Deps,
) -> Result<Option<Assistant>, StartupError> {
    let providers = ai::providers(&config.ai, openai_key, gemini_key)?;
    Ok((!providers.is_empty()).then(|| Assistant::new(providers, deps.store.clone(), config.limits)))
}

/// The jobs function's handler: a batch from SQS, its records run concurrently.
/// Only the records that should come back are reported (ReportBatchItemFailures),
/// each after a delay growing with its receive count; the others are done.
pub async fn on_sqs_batch(jobs: &JobsFunction, event: SqsEvent) -> SqsBatchResponse {
    let outcomes = join_all(event.records.iter().map(|record| on_record(jobs, record)))
        .instrument(invocation_span("jobs"))
        .await;
    let mut response = SqsBatchResponse::default();
    for (record, retry) in event.records.iter().zip(outcomes) {
        if retry {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    emf::flush();
    response
}

/// Runs one record; true when it should be delivered again.
async fn on_record(jobs: &JobsFunction, record: &SqsMessage) -> bool {
    let message_id = record.message_id.as_deref().unwrap_or_default();
    let received = record.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
    let Some(job) = record.body.as_deref().and_then(|body| serde_json::from_str::<Job>(body).ok()) else {
        // Not a job Linklet wrote: kept for the operator in the dead-letter queue.
        error!(message_id, received, "unreadable job message; it goes to the dead-letter queue");
        return true;
    };
    let attempt = Attempt::of(received, jobs.settings.max_receives);
    let outcome = jobs.runner.run(&job, attempt).await;
    metrics::counter!(names::JOBS, "kind" => job.work.kind(), "outcome" => outcome.name()).increment(1);
    if outcome != JobOutcome::Retry {
        return false;
    }
    // After the last attempt too: the next receive moves it to the dead-letter queue.
    if let (Some(arn), Some(receipt)) = (&record.event_source_arn, &record.receipt_handle) {
        let delay = retry_delay(jobs.settings.retry_base, received);
        if let Err(e) = jobs.queue.retry_after(arn, receipt, delay).await {
            warn!(message_id, error = %e, "could not delay the retry; it comes back after the visibility timeout");
        }
    }
    true
}

/// The vault's key ring from its setting; `None` (connections off) without one.
pub fn vault(setting: Option<&SecretString>) -> Result<Option<Arc<KeyRing>>, StartupError> {
    match setting {
        Some(setting) => Ok(Some(Arc::new(KeyRing::parse(setting.expose_secret())?))),
        None => Ok(None),
    }
}

async fn lambda_deps(config: &Config, aws: &SdkConfig) -> Result<(Deps, Secrets, SqsQueue), StartupError> {
    let secrets = load_secrets(config, aws).await?;
    let messenger = TelegramMessenger::new(
        &secrets.bot_token,
        &config.telegram_api_url,
        config.bot_username.clone(),
        REQUEST_TIMEOUT,
    )?;
    let ai_url = config.queues.ai_url.clone().ok_or(StartupError::Missing("AI_JOBS_QUEUE_URL"))?;
    let queue = SqsQueue::new(sqs(aws), ai_url, config.queues.integrations_url.clone());
    let store = Arc::new(DynamoStore::new(dynamodb(aws), &config.table));
    let deps = Deps {
        assistant_on: secrets.openai_key.is_some() || secrets.gemini_key.is_some(),
        vault: vault(secrets.encryption_key.as_ref())?,
        ..Deps::new(store, Arc::new(messenger), Arc::new(queue.clone()), config.policy())
    };
    Ok((deps, secrets, queue))
}
