//! Serve and poll modes against the fake Bot API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::{process::Stdio, sync::Arc, time::Duration};

use linklet::{
    adapters::{embedded::EmbeddedStore, telegram::TelegramMessenger},
    bot::{Deps, Dispatcher},
    ports::SystemClock,
};
use linklet_local::{fake_telegram::FakeTelegram, poll};
use serde_json::json;

const TOKEN: &str = "42:local-test";

#[tokio::test]
async fn poll_mode_deletes_the_webhook_then_answers_polled_updates() {
    let fake = FakeTelegram::start(TOKEN).await.unwrap();
    fake.push_update(json!({
        "update_id": 500,
        "message": {
            "message_id": 1, "date": 1_795_723_200,
            "chat": { "id": 77, "type": "private", "first_name": "Ada" },
            "from": { "id": 77, "is_bot": false, "first_name": "Ada", "language_code": "fr" },
            "text": "/help"
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let telegram =
        TelegramMessenger::new(&TOKEN.to_owned().into(), &fake.url(), None, Duration::from_secs(10)).unwrap();
    let deps = Deps {
        store: Arc::new(EmbeddedStore::open(dir.path()).unwrap()),
        messenger: Arc::new(telegram.clone()),
        clock: Arc::new(SystemClock),
        limits: Default::default(),
    };
    poll::run(&telegram, &Dispatcher::new(deps), Some(1)).await.unwrap();

    let methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods.first().map(String::as_str), Some("deleteWebhook"));
    let texts = fake.sent_texts();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("Ce que je sais faire"));
    // The next poll asked for updates after the one handled.
    let polls = fake.successful("getUpdates");
    assert_eq!(polls.last().unwrap()["offset"], 501);
}

#[tokio::test]
async fn serve_mode_answers_posted_updates_and_refuses_a_wrong_secret() {
    let fake = FakeTelegram::start(TOKEN).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_linklet"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "serve", "--port", &port.to_string()])
        .env_remove("AWS_ENDPOINT_URL")
        .env("TELEGRAM_API_URL", fake.url())
        .env("TELEGRAM_BOT_TOKEN", TOKEN)
        .env("TELEGRAM_WEBHOOK_SECRET", "serve-secret")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let ready = linklet_local::serve::wait_for_port(port, Duration::from_secs(10)).await;
    assert!(ready, "the server did not start");
    let update =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/update-start.json"))
            .unwrap();
    let post = |secret: &'static str| {
        client
            .post(format!("{base}/telegram"))
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .header("Content-Type", "application/json")
            .body(update.clone())
            .send()
    };
    let wrong = post("nope").await.unwrap().status();
    let right = post("serve-secret").await.unwrap().status();
    server.kill().await.unwrap();

    assert_eq!((wrong.as_u16(), right.as_u16()), (401, 200));
    let texts = fake.sent_texts();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].starts_with("👋 Hi <b>Ada</b>!"));
}
