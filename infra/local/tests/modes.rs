//! Serve and poll modes against the fake Bot API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::{process::Stdio, sync::Arc, time::Duration};

use linklet::{
    adapters::{embedded::EmbeddedStore, telegram::TelegramMessenger},
    bot::Dispatcher,
    config::Config,
};
use linklet_local::{fake_ai::FakeAi, fake_telegram::FakeTelegram, poll, wiring};
use serde_json::json;

const TOKEN: &str = "42:local-test";

fn private_text(update_id: u32, text: &str) -> serde_json::Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_795_723_200,
            "chat": { "id": 77, "type": "private", "first_name": "Ada" },
            "from": { "id": 77, "is_bot": false, "first_name": "Ada", "language_code": "fr" },
            "text": text
        }
    })
}

#[tokio::test]
async fn poll_mode_deletes_the_webhook_then_answers_polled_updates_and_questions() {
    let fake = FakeTelegram::start(TOKEN).await.unwrap();
    let ai = FakeAi::start("sk-local").await.unwrap();
    fake.push_update(private_text(500, "/help"));
    fake.push_update(private_text(501, "quelle heure est-il ?"));
    let dir = tempfile::tempdir().unwrap();
    let telegram =
        TelegramMessenger::new(&TOKEN.to_owned().into(), &fake.url(), None, Duration::from_secs(10)).unwrap();
    let config = Config::from_lookup(|name| match name {
        "OPENAI_API_KEY" => Some("sk-local".into()),
        "OPENAI_BASE_URL" => Some(ai.url()),
        _ => None,
    });
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let local = wiring::start(&config, store, Arc::new(telegram.clone())).unwrap();
    poll::run(&telegram, &Dispatcher::new(local.deps), Some(1)).await.unwrap();

    let methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods.first().map(String::as_str), Some("deleteWebhook"));
    // The question went through the in-process queue to the job runner.
    for _ in 0..100 {
        if fake.sent_texts().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let texts = fake.sent_texts();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].contains("Ce que je sais faire"));
    assert_eq!(texts[1], "You said: quelle heure est-il ?");
    assert!(methods.iter().any(|m| m == "sendChatAction"), "{methods:?}");
    // The next poll asked for updates after the ones handled.
    let polls = fake.successful("getUpdates");
    assert_eq!(polls.last().unwrap()["offset"], 502);
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
