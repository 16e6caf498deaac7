//! The in-process harness: the bot as the webhook runs it (its HTTP routes,
//! the dispatcher, the job runner) on the embedded store and the in-process
//! job queue, every reply recorded by the fake Bot API with Telegram's wire
//! format. No moto, no API Gateway event: a test starts in milliseconds.
//! Bot behaviour is tested here; the DynamoDB adapter, the queues and the
//! Lambda-shaped events stay on [`crate::Webhook`].

use std::sync::Arc;

use axum::body::Body;
use linklet::{
    adapters::{
        embedded::EmbeddedStore,
        telegram::{REQUEST_TIMEOUT, TelegramMessenger},
    },
    app,
    bot::Dispatcher,
    config::Config,
    http::{SECRET_HEADER, routes},
    ports::Store,
};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::{BOT_TOKEN, FakeTelegram, Reply, WEBHOOK_SECRET, init_logs};

/// The public URL the harness's bot makes hook URLs on.
pub const PUBLIC_URL: &str = "https://linklet.example";

/// An HTTP answer with its headers (the hooks' 405 `Allow`, 429 `Retry-After`).
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl HttpReply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// The bot on its own embedded store, talking to its own fake Telegram.
pub struct Bot {
    pub telegram: FakeTelegram,
    store: Arc<dyn Store>,
    app: axum::Router,
    _data: tempfile::TempDir,
}

impl Bot {
    pub async fn start() -> Bot {
        Bot::start_with(|_| None).await
    }

    /// Starts with extra environment variables answered by `extra`.
    pub async fn start_with(extra: impl Fn(&str) -> Option<String>) -> Bot {
        init_logs();
        let data = tempfile::tempdir().expect("a temporary directory");
        let store: Arc<dyn Store> =
            Arc::new(EmbeddedStore::open(data.path()).expect("the embedded store opens"));
        let telegram = FakeTelegram::start(BOT_TOKEN).await.expect("fake Telegram starts");
        let api_url = telegram.url();
        let config = Config::from_lookup(|name| {
            extra(name).or_else(|| match name {
                "TELEGRAM_BOT_TOKEN" => Some(BOT_TOKEN.into()),
                "TELEGRAM_WEBHOOK_SECRET" => Some(WEBHOOK_SECRET.into()),
                "TELEGRAM_API_URL" => Some(api_url.clone()),
                "JOB_RETRY_BASE_SECONDS" => Some("0".into()),
                "LINKLET_PUBLIC_URL" => Some(PUBLIC_URL.into()),
                _ => None,
            })
        });
        let messenger = TelegramMessenger::new(
            &BOT_TOKEN.to_owned().into(),
            &config.telegram_api_url,
            config.bot_username.clone(),
            REQUEST_TIMEOUT,
        )
        .expect("the messenger builds");
        let (queue, worker) = linklet_local::jobs::in_process_queue();
        let keys = app::Keys::from_config(&config);
        let ports =
            app::Ports { store: store.clone(), messenger: Arc::new(messenger), queue: Arc::new(queue) };
        let deps = app::deps(&config, ports, &keys).expect("the wiring builds");
        let runner = app::job_runner(&config, &deps, &keys).expect("the job runner builds");
        worker.spawn(Arc::new(runner), config.queues.clone());
        let app = routes(Dispatcher::new(deps), WEBHOOK_SECRET.to_owned().into());
        Bot { telegram, store, app, _data: data }
    }

    /// Waits (up to 10 s) until `done` holds of what the fake Telegram saw: the
    /// jobs run on the in-process queue, a moment after the update's answer.
    pub async fn eventually(&self, what: &str, done: impl Fn(&FakeTelegram) -> bool) {
        for _ in 0..1000 {
            if done(&self.telegram) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("never happened: {what}; Telegram saw {:?}", self.telegram.sent_texts());
    }

    /// The store the bot uses, for arranging a test and reading what it kept.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Sends any request to the bot's HTTP routes (a hook's URL, say).
    pub async fn request(&self, request: http::Request<Body>) -> HttpReply {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        HttpReply { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    /// `POST <path>` with `headers` and `body`, as a sender's server would.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> HttpReply {
        let mut request = http::Request::post(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.request(request.body(body.into()).expect("a request")).await
    }

    /// Delivers `update` as Telegram does (`POST /telegram` with the secret).
    pub async fn deliver(&self, update: &Value) -> Reply {
        let request = http::Request::post("/telegram")
            .header(SECRET_HEADER, WEBHOOK_SECRET)
            .header("content-type", "application/json")
            .body(Body::from(update.to_string()))
            .expect("a request");
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        Reply { status, body: String::from_utf8_lossy(&body).into_owned() }
    }
}
