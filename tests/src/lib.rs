//! The integration-test harness. Two ways to run the bot:
//! - [`Bot`] (`bot.rs`), in process: the embedded store, the in-process job
//!   queue, the fake Telegram Bot API; for what a user sees, in milliseconds.
//! - [`Webhook`], as AWS runs it: a moto endpoint (started by `infra/test.sh`),
//!   a table and queues per test, the fake Telegram Bot API, and the webhook
//!   driven exactly as Lambda drives it, with API Gateway HTTP API v2 events
//!   from `events/`; for the DynamoDB adapter, the queues and the event shapes.

pub mod bot;
pub mod updates;

pub use bot::Bot;

use std::sync::atomic::{AtomicU32, Ordering};

use aws_config::SdkConfig;
use lambda_http::{Adapter, Context, LambdaEvent, Service, request::LambdaRequest};
use linklet::{
    adapters::{aws, dynamo::migrations},
    app::lambda_webhook,
    config::Config,
};
pub use linklet_local::fake_telegram::{Failure, FakeTelegram};
use serde_json::Value;

/// The bot token the tests use; it must never appear in a log line.
pub const BOT_TOKEN: &str = "123456789:TEST-token-never-logged";
pub const WEBHOOK_SECRET: &str = "local-secret";

/// The moto server `infra/test.sh` started.
pub fn moto_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is not set: run the tests with `bash infra/test.sh`, which starts moto")
    })
}

/// A name no other test (or test process) uses: moto is shared by the whole run.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{prefix}-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub async fn aws_config() -> SdkConfig {
    aws::local_sdk_config(&moto_endpoint()).await
}

/// A new table with every migration applied.
pub async fn fresh_table(aws: &SdkConfig) -> (aws_sdk_dynamodb::Client, String) {
    let client = aws::dynamodb(aws);
    let table = unique("linklet");
    migrations::apply(&client, &table).await.expect("migrations apply to a new table");
    (client, table)
}

/// A new Secrets Manager secret holding `value` (on moto); returns its ARN.
pub async fn fresh_secret(aws: &SdkConfig, prefix: &str, value: &str) -> String {
    let created = aws_sdk_secretsmanager::Client::new(aws)
        .create_secret()
        .name(unique(prefix))
        .secret_string(value)
        .send()
        .await
        .expect("the secret is created");
    created.arn().expect("a secret has an ARN").to_owned()
}

/// A job queue and its dead-letter queue (maxReceiveCount 5), as the template declares them.
#[derive(Debug, Clone)]
pub struct Queue {
    pub url: String,
    pub arn: String,
    pub dlq_url: String,
}

/// Creates a queue with its dead-letter queue on moto.
pub async fn fresh_queue(sqs: &aws_sdk_sqs::Client, prefix: &str) -> Queue {
    let created = linklet::adapters::sqs::create_queue_with_dead_letter(sqs, &unique(prefix), 5, 30)
        .await
        .expect("queues created");
    Queue { url: created.url, arn: created.arn, dlq_url: created.dead_letter_url }
}

/// What API Gateway would hand back to Telegram.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// The webhook Lambda on its own table, talking to its own fake Telegram.
pub struct Webhook {
    pub telegram: FakeTelegram,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub table: String,
    pub sqs: aws_sdk_sqs::Client,
    /// The queue of assistant questions, and the integrations' queue.
    pub ai_queue: Queue,
    pub integration_queue: Queue,
    app: axum::Router,
    config: Config,
    aws: SdkConfig,
}

impl Webhook {
    pub async fn start() -> Webhook {
        Webhook::start_with(|_| None).await
    }

    /// Starts with extra environment variables answered by `extra`.
    pub async fn start_with(extra: impl Fn(&str) -> Option<String>) -> Webhook {
        init_logs();
        let aws = aws_config().await;
        let (dynamo, table) = fresh_table(&aws).await;
        let telegram = FakeTelegram::start(BOT_TOKEN).await.expect("fake Telegram starts");
        let api_url = telegram.url();
        let sqs = aws::sqs(&aws);
        let ai_queue = fresh_queue(&sqs, "ai-jobs").await;
        let integration_queue = fresh_queue(&sqs, "integration-jobs").await;
        let config = Config::from_lookup(|name| {
            extra(name).or_else(|| match name {
                "TELEGRAM_BOT_TOKEN" => Some(BOT_TOKEN.into()),
                "TELEGRAM_WEBHOOK_SECRET" => Some(WEBHOOK_SECRET.into()),
                "TELEGRAM_API_URL" => Some(api_url.clone()),
                "DYNAMODB_TABLE" => Some(table.clone()),
                "AI_JOBS_QUEUE_URL" => Some(ai_queue.url.clone()),
                "INTEGRATION_JOBS_QUEUE_URL" => Some(integration_queue.url.clone()),
                // Retries come back at once instead of after 30 s, 60 s, ...
                "JOB_RETRY_BASE_SECONDS" => Some("0".into()),
                _ => None,
            })
        });
        let app = lambda_webhook(&config, &aws).await.expect("the webhook starts");
        Webhook { telegram, dynamo, table, sqs, ai_queue, integration_queue, app, config, aws }
    }

    /// The reminder function on the same table and fake Telegram, as its cold start builds it.
    pub async fn reminder_sweep(&self) -> linklet::services::reminders::ReminderSweep {
        linklet::app::lambda_reminders(&self.config, &self.aws).await.expect("the reminder function starts")
    }

    /// The jobs function on the same table, queues and fake Telegram, as its cold start builds it.
    pub async fn jobs_function(&self) -> linklet::app::JobsFunction {
        linklet::app::lambda_jobs(&self.config, &self.aws).await.expect("the jobs function starts")
    }

    /// One poll of the event source mapping: a batch of `queue` through the jobs
    /// function (the event `events/sqs-ask.json` shows); the records it did not
    /// report are deleted, as Lambda does. Returns the event and the ids reported.
    pub async fn run_jobs(&self, jobs: &linklet::app::JobsFunction, queue: &Queue) -> (Value, Vec<String>) {
        let poll = linklet_local::event_source::poll(&self.sqs, &queue.url, &queue.arn, jobs)
            .await
            .expect("a poll of the queue");
        (poll.event, poll.failed)
    }

    /// How many messages `url` holds (visible, in flight or delayed).
    pub async fn queue_depth(&self, url: &str) -> usize {
        use aws_sdk_sqs::types::QueueAttributeName as Attr;
        let attributes = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(Attr::ApproximateNumberOfMessages)
            .attribute_names(Attr::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(Attr::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .expect("queue attributes");
        let count = |name: &Attr| {
            attributes
                .attributes()
                .and_then(|a| a.get(name))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        count(&Attr::ApproximateNumberOfMessages)
            + count(&Attr::ApproximateNumberOfMessagesNotVisible)
            + count(&Attr::ApproximateNumberOfMessagesDelayed)
    }

    /// The store the functions use, for arranging a test.
    pub fn store(&self) -> linklet::adapters::dynamo::DynamoStore {
        linklet::adapters::dynamo::DynamoStore::new(self.dynamo.clone(), &self.table)
    }

    /// Delivers `update` as Telegram does, with the right secret.
    pub async fn deliver(&self, update: &Value) -> Reply {
        self.invoke(api_gateway_event(&update.to_string(), Some(WEBHOOK_SECRET))).await
    }

    /// Invokes the function with a whole API Gateway event, as the Lambda runtime does.
    pub async fn invoke(&self, event: Value) -> Reply {
        let request: LambdaRequest = serde_json::from_value(event).expect("an API Gateway v2 event");
        let mut adapter = Adapter::from(self.app.clone());
        let response = adapter.call(LambdaEvent::new(request, Context::default())).await;
        let response = serde_json::to_value(response.expect("infallible")).expect("serializable");
        Reply {
            status: response["statusCode"].as_u64().unwrap_or_default() as u16,
            body: response["body"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

/// Counts the DynamoDB requests a client sends, by operation (`X-Amz-Target`):
/// an interceptor on the AWS SDK client, so every round trip is seen where it
/// leaves, whichever port method made it.
#[derive(Debug, Default, Clone)]
pub struct DynamoRequests(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl DynamoRequests {
    /// A DynamoDB client on `aws` whose requests this counts.
    pub fn client(&self, aws: &SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(aws).interceptor(self.clone()).build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// The operations sent since the last call (`UpdateItem`, `Query`...).
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl aws_sdk_dynamodb::config::Intercept for DynamoRequests {
    fn name(&self) -> &'static str {
        "count requests"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(operation);
        Ok(())
    }
}

/// Test logs at `LOG_LEVEL` (default INFO), captured per test by the runner.
pub fn init_logs() {
    let level = std::env::var("LOG_LEVEL").unwrap_or_else(|_| "INFO".into());
    linklet::telemetry::init(linklet::telemetry::LogFormat::Text, &level);
}

/// Everything logged in this test process from now on, at `level` and above,
/// as the text format writes it. Call it before anything else logs: it
/// installs the process's subscriber (nextest runs each test in its own process).
pub fn capture_logs(level: &str) -> CapturedLogs {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let installed = tracing_subscriber::fmt()
        .with_env_filter(linklet::telemetry::filter(level))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init();
    assert!(installed.is_ok(), "capture_logs must be called before any other subscriber is installed");
    logs
}

#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `events/apigw-start.json` with another body and secret header.
pub fn api_gateway_event(body: &str, secret: Option<&str>) -> Value {
    let mut event = load_event("apigw-start.json");
    let headers = event["headers"].as_object_mut().expect("headers");
    headers.insert("content-length".into(), body.len().to_string().into());
    match secret {
        Some(secret) => headers.insert("x-telegram-bot-api-secret-token".into(), secret.into()),
        None => headers.remove("x-telegram-bot-api-secret-token"),
    };
    event["body"] = body.into();
    event
}

/// A file of `events/`.
pub fn load_event(name: &str) -> Value {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
