//! The bot token and webhook secret: from the environment locally, from one
//! Secrets Manager secret (a JSON object) on Lambda, fetched once per cold start.

use aws_config::SdkConfig;
use secrecy::SecretString;
use serde::Deserialize;

use crate::config::Config;

/// The two Telegram secrets. `Debug` shows neither.
#[derive(Debug, Clone)]
pub struct TelegramSecrets {
    pub bot_token: SecretString,
    pub webhook_secret: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("no Telegram secrets: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET, or LINKLET_SECRET_ARN")]
    Missing,
    #[error("could not read secret {arn}: {reason}")]
    Unreadable { arn: String, reason: String },
}

#[derive(Deserialize)]
struct SecretDocument {
    #[serde(rename = "TELEGRAM_BOT_TOKEN")]
    bot_token: String,
    #[serde(rename = "TELEGRAM_WEBHOOK_SECRET")]
    webhook_secret: String,
}

/// Environment first; otherwise the secret named by `LINKLET_SECRET_ARN`.
pub async fn telegram_secrets(config: &Config, aws: &SdkConfig) -> Result<TelegramSecrets, SecretsError> {
    if let (Some(bot_token), Some(webhook_secret)) = (&config.bot_token, &config.webhook_secret) {
        return Ok(TelegramSecrets { bot_token: bot_token.clone(), webhook_secret: webhook_secret.clone() });
    }
    let Some(arn) = &config.secret_arn else {
        return Err(SecretsError::Missing);
    };
    let unreadable = |reason: String| SecretsError::Unreadable { arn: arn.clone(), reason };
    let client = aws_sdk_secretsmanager::Client::new(aws);
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| unreadable(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string()))?;
    let text = output.secret_string().ok_or_else(|| unreadable("not a string secret".into()))?;
    // The parse error would quote the secret's text: say only what is wrong.
    let document: SecretDocument = serde_json::from_str(text).map_err(|_| {
        unreadable("expected a JSON object with TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET".into())
    })?;
    Ok(TelegramSecrets {
        bot_token: document.bot_token.into(),
        webhook_secret: document.webhook_secret.into(),
    })
}
