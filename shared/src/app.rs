//! The wiring every runner shares: from configuration to the webhook's routes.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::{
    adapters::{
        aws::dynamodb,
        dynamo::DynamoStore,
        secrets::{SecretsError, TelegramSecrets, telegram_secrets},
        telegram::{REQUEST_TIMEOUT, TelegramMessenger, TelegramSetupError},
    },
    bot::{Deps, Dispatcher},
    config::Config,
    http,
    ports::{StoreError, SystemClock},
    services::reminders::{ReminderSweep, SweepReport, SweepSettings},
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Telegram(#[from] TelegramSetupError),
}

/// The deployed webhook: DynamoDB, Telegram, secrets from the environment or
/// Secrets Manager. Called once per cold start.
pub async fn lambda_webhook(config: &Config, aws: &SdkConfig) -> Result<axum::Router, StartupError> {
    let (deps, secrets) = lambda_deps(config, aws).await?;
    Ok(http::routes(Dispatcher::new(deps), secrets.webhook_secret))
}

/// The deployed reminder sweep, on the same wiring as the webhook.
pub async fn lambda_reminders(config: &Config, aws: &SdkConfig) -> Result<ReminderSweep, StartupError> {
    let (deps, _) = lambda_deps(config, aws).await?;
    Ok(ReminderSweep::new(deps, SweepSettings::default()))
}

/// How long one scheduled sweep may send: the function's timeout (60 s) less a margin.
pub const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(50);

/// The reminder function's handler: an EventBridge scheduled event in, the
/// sweep's report out (logged and returned).
pub async fn on_schedule(sweep: &ReminderSweep, event: serde_json::Value) -> Result<SweepReport, StoreError> {
    tracing::info!(time = event["time"].as_str().unwrap_or_default(), "scheduled sweep");
    sweep.run(SWEEP_BUDGET).await
}

async fn lambda_deps(config: &Config, aws: &SdkConfig) -> Result<(Deps, TelegramSecrets), StartupError> {
    let secrets = telegram_secrets(config, aws).await?;
    let messenger = TelegramMessenger::new(
        &secrets.bot_token,
        &config.telegram_api_url,
        config.bot_username.clone(),
        REQUEST_TIMEOUT,
    )?;
    let deps = Deps {
        store: Arc::new(DynamoStore::new(dynamodb(aws), &config.table)),
        messenger: Arc::new(messenger),
        clock: Arc::new(SystemClock),
        limits: config.limits,
    };
    Ok((deps, secrets))
}
