//! The wiring every runner shares: from configuration to the webhook's routes.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::{
    adapters::{
        aws::dynamodb,
        dynamo::DynamoStore,
        secrets::{SecretsError, telegram_secrets},
        telegram::{REQUEST_TIMEOUT, TelegramMessenger, TelegramSetupError},
    },
    bot::{Deps, Dispatcher},
    config::Config,
    http,
    ports::SystemClock,
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
    Ok(http::routes(Dispatcher::new(deps), secrets.webhook_secret))
}
