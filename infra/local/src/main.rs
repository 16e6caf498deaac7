//! `linklet`: run the bot locally (console, HTTP server, long polling), apply
//! migrations, or start the fake Telegram Bot API.

use std::{path::PathBuf, sync::Arc};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use linklet::{
    adapters::{aws, dynamo::migrations, telegram::TelegramMessenger},
    bot::Dispatcher,
    config::{Config, DEFAULT_TELEGRAM_API_URL},
    domain::Language,
    ports::Store,
    presentation::catalog::{COMMANDS, Msg},
    telemetry::{self, LogFormat},
    vault::KeyRing,
};
use linklet_local::{
    console, console_text::Line, fake_ai::FakeAi, fake_telegram::FakeTelegram, poll, serve, store, wiring,
};
use secrecy::SecretString;

#[derive(Parser)]
#[command(name = "linklet", version, about = "Run Linklet locally: no AWS account, no network needed")]
struct Cli {
    /// Where the embedded store keeps its data.
    #[arg(long, global = true, env = "LINKLET_DATA_DIR", default_value = ".data")]
    data_dir: PathBuf,
    /// Use DynamoDB at this endpoint (moto, DynamoDB Local) instead of the embedded store.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    aws_endpoint_url: Option<String>,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Chat with the bot in this terminal; numbers tap buttons.
    Console {
        /// Your Telegram language code, as the app would send it.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Your first name.
        #[arg(long, default_value = "Ada")]
        name: String,
        /// Answer questions with the bundled fake AI (no key, no network).
        #[arg(long)]
        fake_ai: bool,
        /// Where workflow hooks listen (POST /hooks/<token> on 127.0.0.1); 0 turns them off.
        #[arg(long, default_value_t = 8787)]
        hooks_port: u16,
    },
    /// Serve POST /telegram on 127.0.0.1, like the deployed API.
    Serve {
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Long-poll Telegram with TELEGRAM_BOT_TOKEN (deletes the bot's webhook first).
    Poll,
    /// Apply the migrations to the DynamoDB table at AWS_ENDPOINT_URL (or AWS).
    Migrate,
    /// Print the command list for Telegram's setMyCommands, per language, as JSON.
    Commands,
    /// Run the fake OpenAI and Gemini APIs (point OPENAI_BASE_URL or GEMINI_BASE_URL at it).
    FakeAi {
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// The API key it accepts.
        #[arg(long, default_value = FAKE_AI_KEY)]
        key: String,
    },
    /// Re-encrypt every stored credential under the current ENCRYPTION_KEY (after a
    /// rotation), then say what stays under old keys. Fails when it finds nothing.
    Reencrypt {
        /// Work on the deployed DynamoDB table (DYNAMODB_TABLE, default linklet) with
        /// your AWS credentials, as the functions do; without it, the local store.
        #[arg(long)]
        aws: bool,
        /// Read ENCRYPTION_KEY from this Secrets Manager secret (the stack's
        /// EncryptionKeySecretArn) instead of the environment.
        #[arg(long)]
        key_secret: Option<String>,
    },
    /// Count the sealed credentials, per key id (the number first).
    Sealed {
        /// On the deployed DynamoDB table, as `reencrypt --aws`.
        #[arg(long)]
        aws: bool,
    },
    /// Print a new random encryption key setting (`<id>:<base64>`) for ENCRYPTION_KEY.
    Keygen {
        /// The key's id, stored with every ciphertext it seals; by default a new
        /// one no other key has (`k<date>-<random>`).
        #[arg(long)]
        id: Option<String>,
    },
    /// Create the job queues and their dead-letter queues at AWS_ENDPOINT_URL (local
    /// development, e.g. under `cargo lambda watch`) and print their settings.
    Queues,
    /// Move the messages of a dead-letter queue back to its queue (after a fix).
    Redrive {
        /// The dead-letter queue's URL.
        #[arg(long)]
        from: String,
        /// The queue's URL.
        #[arg(long)]
        to: String,
    },
    /// Run the fake Telegram Bot API (for `serve` without Telegram); prints each call.
    FakeTelegram {
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// The token it accepts.
        #[arg(long, default_value = "0:local")]
        token: String,
    },
}

/// The token used when talking to a fake Bot API without one configured.
const LOCAL_TOKEN: &str = "0:local";
/// The key the bundled fake AI accepts.
const FAKE_AI_KEY: &str = "local-fake-ai-key";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::from_env();
    let level = if matches!(cli.mode, Mode::Console { .. }) && std::env::var_os("LOG_LEVEL").is_none() {
        "WARN"
    } else {
        &config.log_level
    };
    telemetry::init(LogFormat::Text, level);
    let store_options = store::StoreOptions {
        data_dir: cli.data_dir.clone(),
        aws_endpoint_url: cli.aws_endpoint_url.clone(),
        table: config.table.clone(),
    };
    if matches!(cli.mode, Mode::Console { .. } | Mode::Serve { .. } | Mode::Poll)
        && config.encryption_key.is_none()
    {
        config.encryption_key = Some(wiring::local_encryption_key(&cli.data_dir)?);
    }
    match cli.mode {
        Mode::Console { lang, name, fake_ai, hooks_port } => {
            let (store, described) = store::open(&store_options).await?;
            let person = console::Person { id: 100_000_001, first_name: name, language_code: lang };
            let lang = person.lang();
            println!("{}", Line::Banner { store: &described }.render(lang));
            if fake_ai {
                let fake = FakeAi::start_demo(FAKE_AI_KEY).await?;
                config.ai.openai_key = Some(SecretString::from(FAKE_AI_KEY));
                config.ai.openai_base_url = fake.url();
                config.ai.primary = linklet::config::AiProviderName::OpenAi;
                println!("{}", Line::FakeAi.render(lang));
            } else if config.ai.openai_key.is_none() && config.ai.gemini_key.is_none() {
                println!("{}", Line::NoAi.render(lang));
            }
            let hooks = match hooks_port {
                0 => None,
                port => match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                    Ok(listener) => {
                        let url = format!("http://{}", listener.local_addr()?);
                        config.public_url.get_or_insert(url.clone());
                        println!("{}", Line::Hooks { url: &url }.render(lang));
                        Some(listener)
                    }
                    Err(e) => {
                        println!("{}", Line::NoHooks { port, error: &e.to_string() }.render(lang));
                        None
                    }
                },
            };
            println!("{}", Line::HowTo.render(lang));
            std::fs::create_dir_all(&cli.data_dir)?;
            let data_dir = cli.data_dir.clone();
            console::run(|messenger| wiring::start(&config, store, messenger), person, &data_dir, hooks).await
        }
        Mode::Serve { port } => {
            let (store, described) = store::open(&store_options).await?;
            let telegram = telegram(&config)?;
            let secret = config.webhook_secret.clone().unwrap_or_else(|| {
                println!("TELEGRAM_WEBHOOK_SECRET is not set: using \"local-secret\".");
                SecretString::from("local-secret")
            });
            println!("Store: {described}. Replies go to {}.", config.telegram_api_url);
            config.public_url.get_or_insert(format!("http://127.0.0.1:{port}"));
            let local = wiring::start(&config, store, Arc::new(telegram))?;
            serve::run(Dispatcher::new(local.deps), secret, port).await
        }
        Mode::Poll => {
            if config.bot_token.is_none() {
                bail!("poll needs TELEGRAM_BOT_TOKEN (from @BotFather)");
            }
            let (store, described) = store::open(&store_options).await?;
            let telegram = telegram(&config)?;
            println!("Store: {described}.");
            let local = wiring::start(&config, store, Arc::new(telegram.clone()))?;
            poll::run(&telegram, &Dispatcher::new(local.deps), None).await
        }
        Mode::Migrate => {
            let aws = match &cli.aws_endpoint_url {
                Some(endpoint) => aws::local_sdk_config(endpoint).await,
                None => aws::sdk_config().await,
            };
            let applied = migrations::apply(&aws::dynamodb(&aws), &config.table)
                .await
                .context("applying migrations")?;
            if applied.is_empty() {
                println!("Table {}: up to date, nothing applied.", config.table);
            } else {
                println!("Table {}: applied {}.", config.table, applied.join(", "));
            }
            Ok(())
        }
        Mode::Keygen { id } => {
            let id = id.unwrap_or_else(|| KeyRing::new_key_id(chrono::Utc::now().date_naive()));
            println!("{}", KeyRing::generate_setting(&id));
            Ok(())
        }
        Mode::Sealed { aws } => {
            let (store, described) = open_store(aws, &store_options).await?;
            let census = linklet::services::credentials::census(store.as_ref()).await?;
            let by_key: Vec<String> = census.by_key.iter().map(|(id, n)| format!("{id}: {n}")).collect();
            println!("{} sealed credential(s) in {described} ({})", census.total, by_key.join(", "));
            Ok(())
        }
        Mode::Reencrypt { aws, key_secret } => {
            let (store, described) = open_store(aws, &store_options).await?;
            println!("Re-encrypting the credentials in {described}.");
            let setting = match (&key_secret, &config.encryption_key) {
                (Some(arn), _) => {
                    let sdk = aws::sdk_config().await;
                    let key = linklet::adapters::secrets::encryption_key(&sdk, arn).await?;
                    SecretString::from(key.with_context(|| format!("the secret {arn} has no key"))?)
                }
                (None, Some(setting)) => setting.clone(),
                (None, None) if !aws && cli.aws_endpoint_url.is_none() => {
                    wiring::local_encryption_key(&cli.data_dir)?
                }
                (None, None) => {
                    bail!("set ENCRYPTION_KEY (new key first, then the old ones), or pass --key-secret")
                }
            };
            let keys = KeyRing::parse(secrecy::ExposeSecret::expose_secret(&setting))?;
            let report = linklet::services::credentials::reencrypt_all(store.as_ref(), &keys).await?;
            let old = report.after.under_other_keys(keys.current_id());
            println!(
                "{described}: {} credential(s) checked, {} re-encrypted under key {}, {} unreadable; \
                 {old} still under other keys.",
                report.checked,
                report.reencrypted,
                keys.current_id(),
                report.unreadable
            );
            if report.checked == 0 {
                bail!(
                    "no credential found in {described}: is it the store the functions use? \
                     Nothing changed: keep every key (pass --aws for the deployed table)"
                );
            }
            if old > 0 {
                bail!("{old} credential(s) are still under other keys: keep those keys in ENCRYPTION_KEY");
            }
            Ok(())
        }
        Mode::Queues => {
            let Some(endpoint) = &cli.aws_endpoint_url else {
                bail!("set AWS_ENDPOINT_URL (moto, LocalStack): on AWS the queues come from template.yaml");
            };
            let sqs = aws::sqs(&aws::local_sdk_config(endpoint).await);
            for (variable, name) in [
                ("AI_JOBS_QUEUE_URL", "linklet-ai-jobs"),
                ("INTEGRATION_JOBS_QUEUE_URL", "linklet-integration-jobs"),
            ] {
                let queue = linklet::adapters::sqs::create_queue_with_dead_letter(&sqs, name, 5, 720).await?;
                println!("export {variable}={}", queue.url);
            }
            Ok(())
        }
        Mode::Redrive { from, to } => {
            let aws = match &cli.aws_endpoint_url {
                Some(endpoint) => aws::local_sdk_config(endpoint).await,
                None => aws::sdk_config().await,
            };
            let moved = linklet::adapters::sqs::redrive(&aws::sqs(&aws), &from, &to)
                .await
                .context("moving the dead-letter queue's messages back")?;
            println!("Moved {moved} message(s) from {from} back to {to}.");
            Ok(())
        }
        Mode::FakeAi { port, key } => {
            let fake = FakeAi::start_on(&key, port, true).await?;
            println!("Fake OpenAI and Gemini APIs on {} (key {key}).", fake.url());
            println!(
                "Run the bot against it: OPENAI_API_KEY={key} OPENAI_BASE_URL={} linklet console",
                fake.url()
            );
            tokio::signal::ctrl_c().await?;
            Ok(())
        }
        Mode::Commands => {
            println!("{}", command_menu());
            Ok(())
        }
        Mode::FakeTelegram { port, token } => {
            let fake = FakeTelegram::start_on(&token, port, true).await?;
            println!("Fake Telegram Bot API on {} (token {token}).", fake.url());
            println!("Run the bot against it: TELEGRAM_API_URL={} linklet serve", fake.url());
            tokio::signal::ctrl_c().await?;
            Ok(())
        }
    }
}

/// The deployed table with `aws` (as the functions reach it: AWS, or
/// AWS_ENDPOINT_URL when set), else the local runner's store.
async fn open_store(aws: bool, options: &store::StoreOptions) -> anyhow::Result<(Arc<dyn Store>, String)> {
    if !aws {
        return store::open(options).await;
    }
    let sdk = match &options.aws_endpoint_url {
        Some(endpoint) => aws::local_sdk_config(endpoint).await,
        None => aws::sdk_config().await,
    };
    let region = sdk.region().map(ToString::to_string).unwrap_or_else(|| "no region".into());
    let store = linklet::adapters::dynamo::DynamoStore::new(aws::dynamodb(&sdk), &options.table);
    let at = options.aws_endpoint_url.as_deref().map(|e| format!(" at {e}")).unwrap_or_default();
    Ok((Arc::new(store), format!("DynamoDB table {} ({region}{at})", options.table)))
}

/// `{"en": [{"command": "start", "description": ...}], "fr": [...]}` from the catalog.
fn command_menu() -> serde_json::Value {
    let menu = |lang| {
        COMMANDS
            .iter()
            .map(|c| serde_json::json!({ "command": c, "description": Msg::CommandDescription(c).render(lang) }))
            .collect::<Vec<_>>()
    };
    serde_json::json!({ "en": menu(Language::En), "fr": menu(Language::Fr) })
}

/// The Telegram messenger from configuration; a fake Bot API needs no real token.
fn telegram(config: &Config) -> anyhow::Result<TelegramMessenger> {
    let token = match &config.bot_token {
        Some(token) => token.clone(),
        None if config.telegram_api_url != DEFAULT_TELEGRAM_API_URL => SecretString::from(LOCAL_TOKEN),
        None => bail!(
            "set TELEGRAM_BOT_TOKEN, or point TELEGRAM_API_URL at a fake Bot API (`linklet fake-telegram`)"
        ),
    };
    let timeout = std::time::Duration::from_secs(u64::from(poll::POLL_TIMEOUT) + 15);
    Ok(TelegramMessenger::new(&token, &config.telegram_api_url, config.bot_username.clone(), timeout)?)
}
