//! The wiring every runner shares, from configuration to the functions'
//! handlers: [`deps`] and [`job_runner`] build what the bot and the jobs run
//! on from the ports a runner brings and the keys it holds; the Lambda
//! functions (below) and the local runner (`infra/local`) both call them.

use std::sync::Arc;

use aws_config::SdkConfig;
use secrecy::{ExposeSecret, SecretString};

use super::sqs_batch::JobsFunction;
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
    config::Config,
    http,
    ports::{JobQueue, Messenger, Store, ai::ProviderError},
    services::{
        Deps, PublicUrl,
        assistant::Assistant,
        jobs::JobRunner,
        reminders::{ReminderSweep, SweepSettings},
    },
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

/// The adapters a runner brings: DynamoDB, Telegram and SQS when deployed;
/// the embedded store, the console or a fake Bot API and the in-process
/// queue locally.
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub messenger: Arc<dyn Messenger>,
    pub queue: Arc<dyn JobQueue>,
}

/// The keys a runner holds: from Secrets Manager or the environment when
/// deployed, from the environment (and the data directory's key) locally.
#[derive(Default)]
pub struct Keys {
    /// `OPENAI_API_KEY`, `GOOGLE_AI_API_KEY`: the assistant is on with either.
    pub openai: Option<SecretString>,
    pub gemini: Option<SecretString>,
    /// `ENCRYPTION_KEY`: `/connect` is on with it.
    pub encryption: Option<SecretString>,
}

impl Keys {
    /// The keys the configuration holds (local runs: the environment).
    pub fn from_config(config: &Config) -> Keys {
        Keys {
            openai: config.ai.openai_key.clone(),
            gemini: config.ai.gemini_key.clone(),
            encryption: config.encryption_key.clone(),
        }
    }

    fn from_secrets(secrets: &Secrets) -> Keys {
        Keys {
            openai: secrets.openai_key.clone(),
            gemini: secrets.gemini_key.clone(),
            encryption: secrets.encryption_key.clone(),
        }
    }
}

/// What the bot's handlers and the services run on.
pub fn deps(config: &Config, ports: Ports, keys: &Keys) -> Result<Deps, StartupError> {
    Ok(Deps {
        assistant_on: keys.openai.is_some() || keys.gemini.is_some(),
        vault: vault(keys.encryption.as_ref())?,
        public_url: config.public_url.as_deref().map(PublicUrl::fixed).unwrap_or_default(),
        ..Deps::new(ports.store, ports.messenger, ports.queue, config.policy())
    })
}

/// The job runner on `deps`, with the assistant when a provider key is set
/// and the configured broadcast pace and stats stretch.
pub fn job_runner(config: &Config, deps: &Deps, keys: &Keys) -> Result<JobRunner, StartupError> {
    let assistant = assistant(config, (keys.openai.as_ref(), keys.gemini.as_ref()), deps)?;
    let outbound = crate::adapters::guarded_http::GuardedClient::new(config.outbound_allowed_hosts.clone());
    Ok(JobRunner::new(deps.clone(), assistant)
        .with_broadcast(config.broadcast)
        .with_stats_per_job(config.stats_per_job)
        .with_outbound(Arc::new(outbound)))
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

/// The vault's key ring from its setting; `None` (connections off) without one.
pub fn vault(setting: Option<&SecretString>) -> Result<Option<Arc<KeyRing>>, StartupError> {
    match setting {
        Some(setting) => Ok(Some(Arc::new(KeyRing::parse(setting.expose_secret())?))),
        None => Ok(None),
    }
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

/// The deployed jobs function: the job runner, and the queue it reports retries to.
pub async fn lambda_jobs(config: &Config, aws: &SdkConfig) -> Result<JobsFunction, StartupError> {
    let (deps, secrets, queue) = lambda_deps(config, aws).await?;
    let runner = job_runner(config, &deps, &Keys::from_secrets(&secrets))?;
    Ok(JobsFunction { runner, queue, settings: config.queues.clone() })
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
    let ports = Ports {
        store: Arc::new(DynamoStore::new(dynamodb(aws), &config.table)),
        messenger: Arc::new(messenger),
        queue: Arc::new(queue.clone()),
    };
    let mut deps = deps(config, ports, &Keys::from_secrets(&secrets))?;
    if let Some(bus) = &config.event_bus {
        deps.events = Arc::new(crate::adapters::eventbridge::EventBridgeEvents::new(
            crate::adapters::aws::eventbridge(aws),
            bus,
        ));
    }
    Ok((deps, secrets, queue))
}
