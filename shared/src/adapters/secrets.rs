//! The bot's secrets (Telegram token and webhook secret, AI provider keys, the vault's keys):
//! from the environment locally, from one Secrets Manager secret (a JSON
//! object) on Lambda, fetched once per cold start.

use aws_config::SdkConfig;
use secrecy::SecretString;
use serde::Deserialize;

use crate::config::Config;

/// Every secret a function may need. `Debug` shows none of them.
#[derive(Debug, Clone)]
pub struct Secrets {
    pub bot_token: SecretString,
    pub webhook_secret: SecretString,
    /// `OPENAI_API_KEY`, when the assistant may use OpenAI.
    pub openai_key: Option<SecretString>,
    /// `GOOGLE_AI_API_KEY`, when the assistant may use Gemini.
    pub gemini_key: Option<SecretString>,
    /// `ENCRYPTION_KEY`, the vault's keys, when connections are enabled.
    pub encryption_key: Option<SecretString>,
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
    #[serde(rename = "OPENAI_API_KEY", default)]
    openai_key: Option<String>,
    #[serde(rename = "GOOGLE_AI_API_KEY", default)]
    gemini_key: Option<String>,
    #[serde(rename = "ENCRYPTION_KEY", default)]
    encryption_key: Option<String>,
}

/// The environment when it holds the Telegram secrets; otherwise the secret
/// named by `LINKLET_SECRET_ARN`. AI keys set in the environment win either way.
pub async fn load_secrets(config: &Config, aws: &SdkConfig) -> Result<Secrets, SecretsError> {
    let from_env = |doc_key: Option<String>, env_key: &Option<SecretString>| {
        env_key.clone().or_else(|| doc_key.filter(|k| !k.trim().is_empty()).map(SecretString::from))
    };
    if let (Some(bot_token), Some(webhook_secret)) = (&config.bot_token, &config.webhook_secret) {
        return Ok(Secrets {
            bot_token: bot_token.clone(),
            webhook_secret: webhook_secret.clone(),
            openai_key: config.ai.openai_key.clone(),
            gemini_key: config.ai.gemini_key.clone(),
            encryption_key: config.encryption_key.clone(),
        });
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
    // The key's own secret; an ENCRYPTION_KEY in the main secret is where
    // releases before it kept the key (infra/deploy.sh moves it over).
    let stored_key = match &config.key_secret_arn {
        Some(key_arn) => key_from(&client, key_arn).await?,
        None => None,
    };
    Ok(Secrets {
        bot_token: document.bot_token.into(),
        webhook_secret: document.webhook_secret.into(),
        openai_key: from_env(document.openai_key, &config.ai.openai_key),
        gemini_key: from_env(document.gemini_key, &config.ai.gemini_key),
        encryption_key: from_env(stored_key.or(document.encryption_key), &config.encryption_key),
    })
}

/// The vault's key setting from its own secret (the plain `id:base64,…`);
/// `None` while the secret has no value yet.
pub async fn encryption_key(aws: &SdkConfig, arn: &str) -> Result<Option<String>, SecretsError> {
    key_from(&aws_sdk_secretsmanager::Client::new(aws), arn).await
}

async fn key_from(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
) -> Result<Option<String>, SecretsError> {
    match client.get_secret_value().secret_id(arn).send().await {
        Ok(output) => Ok(output.secret_string().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty())),
        Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            tracing::warn!(
                arn,
                "the encryption key's secret has no value: connections are off until infra/deploy.sh writes it"
            );
            Ok(None)
        }
        Err(e) => Err(SecretsError::Unreadable {
            arn: arn.to_owned(),
            reason: aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string(),
        }),
    }
}
