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

/// `serve` on a free port with short timeouts, on the embedded store in `dir`.
async fn serve_with_short_timeouts(
    dir: &std::path::Path,
    fake: &FakeTelegram,
) -> (u16, tokio::sync::oneshot::Sender<()>) {
    let telegram =
        TelegramMessenger::new(&TOKEN.to_owned().into(), &fake.url(), None, Duration::from_secs(10)).unwrap();
    let store = Arc::new(EmbeddedStore::open(dir).unwrap());
    let local = wiring::start(&Config::from_lookup(|_| None), store, Arc::new(telegram)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let timeouts = linklet_local::serve::Timeouts {
        headers: Duration::from_millis(800),
        body: Duration::from_millis(800),
    };
    tokio::spawn(linklet_local::serve::serve(
        listener,
        Dispatcher::new(local.deps),
        "s3cret".to_owned().into(),
        timeouts,
        async {
            let _ = stopped.await;
        },
    ));
    (port, stop)
}

/// Writes `parts` one every 300 ms; how long until the server answered or closed, and what it said.
async fn trickle(port: u16, parts: &[&str]) -> (Duration, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = std::time::Instant::now();
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    tokio::spawn(async move {
        for part in parts {
            if write.write_all(part.as_bytes()).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut answer)).await;
    (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn serve_cuts_off_a_client_that_trickles_its_headers_or_its_body() {
    // Issue 9.16: a body sent one byte per second held the connection open indefinitely.
    let fake = FakeTelegram::start(TOKEN).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (port, _stop) = serve_with_short_timeouts(dir.path(), &fake).await;

    let header_bytes: Vec<String> =
        "POST /telegram HTTP/1.1\r\nHost: x\r\n".chars().map(String::from).collect();
    let header_parts: Vec<&str> = header_bytes.iter().map(String::as_str).collect();
    let (took, _) = trickle(port, &header_parts).await;
    assert!(took < Duration::from_secs(5), "headers: held {took:?}");

    let head = "POST /telegram HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: s3cret\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    let mut parts = vec![head];
    parts.extend(std::iter::repeat_n("{", 40));
    let (took, answer) = trickle(port, &parts).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(5), "body: held {took:?}");
}

#[test]
fn the_local_data_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join(".data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    EmbeddedStore::open(&data).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("linklet.redb")), 0o600);
}
