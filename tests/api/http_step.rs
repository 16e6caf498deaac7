//! The HTTP request step and the guarded client: a local target on an
//! operator-allowed loopback host answers as web APIs do (JSON, 404, 500,
//! 429 with Retry-After, redirects); everything else a user could type to
//! reach loopback, private or metadata addresses is refused before a byte
//! leaves, redirects included.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::{any, get},
};
use linklet::{
    adapters::guarded_http::{GuardedClient, Resolve},
    domain::{
        TelegramId,
        workflow::{WorkflowNumber, run::RunStatus},
    },
    ports::outbound::{Outbound, OutboundError, OutboundRequest},
};
use linklet_tests::{
    Bot,
    updates::{Person, private_text},
};
use serde_json::{Value, json};

/// A small web API: what it answers, and how often it was called.
#[derive(Clone, Default)]
struct Target {
    hits: Arc<AtomicUsize>,
}

fn counted(target: &Target) {
    target.hits.fetch_add(1, Ordering::SeqCst);
}

async fn start_target() -> (SocketAddr, Target) {
    let target = Target::default();
    let app = Router::new()
        .route(
            "/status",
            get(|State(t): State<Target>, headers: HeaderMap| async move {
                counted(&t);
                let token =
                    headers.get("x-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                (
                    StatusCode::OK,
                    [("x-served-by", "target")],
                    Json(json!({ "ok": true, "n": 3, "token": token })),
                )
            }),
        )
        .route(
            "/echo",
            any(|State(t): State<Target>, body: String| async move {
                counted(&t);
                (StatusCode::CREATED, [(header::CONTENT_TYPE, "text/plain")], format!("got {body}"))
            }),
        )
        .route(
            "/missing",
            get(|State(t): State<Target>| async move {
                counted(&t);
                (StatusCode::NOT_FOUND, Json(json!({ "message": "Not Found" })))
            }),
        )
        .route(
            "/broken",
            get(|State(t): State<Target>| async move {
                counted(&t);
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "message": "Internal Server Error" })))
            }),
        )
        .route(
            "/to-metadata",
            get(|State(t): State<Target>| async move {
                counted(&t);
                (StatusCode::FOUND, [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")])
                    .into_response()
            }),
        )
        .route(
            "/to-status",
            get(|State(t): State<Target>| async move {
                counted(&t);
                (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/status")]).into_response()
            }),
        )
        .route(
            "/limited",
            get(|State(t): State<Target>| async move {
                // The first call is throttled for a second, as APIs answer 429.
                if t.hits.fetch_add(1, Ordering::SeqCst) == 0 {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "1")],
                        Json(json!({ "message": "slow down" })),
                    )
                        .into_response()
                } else {
                    Json(json!({ "n": 7 })).into_response()
                }
            }),
        )
        .route(
            "/huge",
            get(|State(t): State<Target>| async move {
                counted(&t);
                "x".repeat(2 * 1024 * 1024)
            }),
        )
        .with_state(target.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, target)
}

fn get_request(url: &str) -> OutboundRequest {
    OutboundRequest { method: "GET".into(), url: url.into(), headers: Vec::new(), body: None }
}

/// A resolver that knows a few names, as a DNS server would answer them.
struct Table;

#[async_trait::async_trait]
impl Resolve for Table {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let ip = match host {
            "internal.example" => "10.0.0.5",
            "mixed.example" => "1.1.1.1",
            "rebind.example" => "169.254.169.254",
            _ => return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such host")),
        };
        let mut addrs = vec![SocketAddr::new(ip.parse().unwrap(), port)];
        if host == "mixed.example" {
            addrs.push(SocketAddr::new("192.168.0.7".parse().unwrap(), port));
        }
        Ok(addrs)
    }
}

#[tokio::test]
async fn the_guard_refuses_loopback_private_metadata_and_localhost_and_redirects_to_them() {
    let (addr, target) = start_target().await;
    let client = GuardedClient::with_resolver(vec![addr.to_string()], Arc::new(Table));
    let system = GuardedClient::new(vec![addr.to_string()]);
    let other_port = format!("http://127.0.0.1:{}/status", addr.port() + 1);
    for (url, why) in [
        ("https://127.0.0.1/status", "127.0.0.1 resolves to 127.0.0.1, a private or reserved address"),
        (other_port.as_str(), "127.0.0.1 is not allowed over http: use https"),
        ("https://10.0.0.1/", "10.0.0.1 resolves to 10.0.0.1, a private or reserved address"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254 resolves to 169.254.169.254, a private or reserved address",
        ),
        ("https://[::1]/", "::1 resolves to ::1, a private or reserved address"),
        ("https://[::ffff:10.0.0.1]/", "a private or reserved address"),
        ("https://internal.example/", "internal.example resolves to 10.0.0.5, a private or reserved address"),
        ("https://mixed.example/", "mixed.example resolves to 192.168.0.7, a private or reserved address"),
        ("http://example.com/", "example.com is not allowed over http: use https"),
        ("ftp://example.com/", "the scheme ftp is not allowed"),
        ("https://user:pw@example.com/", "credentials in the URL are not allowed"),
    ] {
        match client.send(&get_request(url)).await {
            Err(OutboundError::Refused(text)) => assert!(text.contains(why), "{url}: {text}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    // `localhost` through the system's resolver.
    match system.send(&get_request("https://localhost/")).await {
        Err(OutboundError::Refused(text)) => assert!(text.contains("localhost resolves to"), "{text}"),
        other => panic!("localhost: {other:?}"),
    }
    assert_eq!(target.hits.load(Ordering::SeqCst), 0, "nothing refused reached the network");

    // A redirect from the allowed target to the metadata endpoint: refused at the hop.
    match client.send(&get_request(&format!("http://{addr}/to-metadata"))).await {
        Err(OutboundError::Refused(text)) => assert!(text.contains("169.254.169.254"), "{text}"),
        other => panic!("redirect: {other:?}"),
    }
    // A redirect within the allowed target is followed.
    let followed = client.send(&get_request(&format!("http://{addr}/to-status"))).await.unwrap();
    assert_eq!(followed.status, 200);
    // An answer over 1 MB is cut off.
    assert_eq!(
        client.send(&get_request(&format!("http://{addr}/huge"))).await,
        Err(OutboundError::TooLarge(1024 * 1024))
    );
}

async fn bot_calling(addr: SocketAddr) -> Bot {
    let allowed = addr.to_string();
    Bot::start_with(move |name| (name == "OUTBOUND_ALLOWED_HOSTS").then(|| allowed.clone())).await
}

fn calling(url: &str, then: &str) -> String {
    json!({
        "linklet_workflow": 1,
        "name": "Check",
        "triggers": [{ "kind": "command", "name": "check" }],
        "steps": [
            { "name": "call", "kind": "http_request", "method": "GET", "url": url,
              "headers": { "x-token": "{{ trigger.text }}", "Authorization": "Bearer {{ trigger.text }}", "x-request": "req-{{ trigger.text }}" } },
            { "name": "tell", "kind": "send_message", "text": then },
        ],
    })
    .to_string()
}

fn card_text(bot: &Bot) -> String {
    let edits = bot.telegram.successful("editMessageText");
    edits.last().map(|p| p["text"].as_str().unwrap_or_default().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn an_http_step_calls_an_allowed_target_and_later_steps_read_its_json() {
    let (addr, target) = start_target().await;
    let bot = bot_calling(addr).await;
    let ada = Person::english(9401);
    let then = "n={{ steps.call.output.body.n }} token={{ steps.call.output.body.token }} by={{ steps.call.output.headers['x-served-by'] }}";
    bot.deliver(&private_text(1, &ada, &calling(&format!("http://{addr}/status"), then))).await;
    bot.deliver(&private_text(2, &ada, "/check abc123")).await;
    bot.eventually("the result", |t| t.sent_texts().contains(&"n=3 token=abc123 by=target".to_owned())).await;
    assert_eq!(target.hits.load(Ordering::SeqCst), 1);
    let run = &bot.store().recent_runs(TelegramId(9401), WorkflowNumber(1), 1).await.unwrap()[0];
    let sent = &run.steps[0].input.as_ref().unwrap()["headers"];
    assert_eq!(sent["x-request"], "req-abc123");
    for secret in ["Authorization", "x-token"] {
        assert_eq!(sent[secret], "[redacted]", "credentials are not kept on the run: {sent}");
    }
    assert_eq!(run.steps[0].output.as_ref().unwrap()["status"], 200);
}

#[tokio::test]
async fn a_refused_url_or_a_404_fails_the_run_at_once_and_a_500_after_the_retries() {
    let (addr, target) = start_target().await;
    let bot = bot_calling(addr).await;
    let ada = Person::english(9402);
    bot.deliver(&private_text(1, &ada, &calling("https://169.254.169.254/latest/meta-data/", "x"))).await;
    bot.deliver(&private_text(2, &ada, "/check")).await;
    bot.eventually("the refusal", |_| card_text(&bot).contains("Failed at step")).await;
    assert!(
        card_text(&bot)
            .contains("169.254.169.254 resolves to 169.254.169.254, a private or reserved address"),
        "{}",
        card_text(&bot)
    );

    // A 404: failed at once, one call.
    bot.store().delete_workflow(TelegramId(9402), WorkflowNumber(1)).await.unwrap();
    bot.deliver(&private_text(3, &ada, &calling(&format!("http://{addr}/missing"), "x"))).await;
    bot.deliver(&private_text(4, &ada, "/check")).await;
    bot.eventually("the 404", |_| card_text(&bot).contains("HTTP 404 from 127.0.0.1")).await;
    assert_eq!(target.hits.load(Ordering::SeqCst), 1);

    // A 500: retried (JOB_MAX_RECEIVES, 5 attempts), then the run fails, told once.
    bot.store().delete_workflow(TelegramId(9402), WorkflowNumber(2)).await.unwrap();
    bot.deliver(&private_text(5, &ada, &calling(&format!("http://{addr}/broken"), "x"))).await;
    bot.deliver(&private_text(6, &ada, "/check")).await;
    bot.eventually("the 500's failure", |_| {
        card_text(&bot).contains("HTTP 500 from 127.0.0.1") && card_text(&bot).contains("Failed")
    })
    .await;
    assert_eq!(target.hits.load(Ordering::SeqCst), 1 + 5, "five attempts at the 500");
    let runs = bot.store().recent_runs(TelegramId(9402), WorkflowNumber(3), 1).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Failed);
    let failures: Vec<Value> = bot
        .telegram
        .successful("editMessageText")
        .into_iter()
        .filter(|p| {
            p["text"].as_str().unwrap_or_default().contains("HTTP 500")
                && p["text"].as_str().unwrap_or_default().contains("Failed at step")
        })
        .collect();
    assert_eq!(failures.len(), 1, "the failure is told once");
}

#[tokio::test]
async fn a_429_is_retried_no_sooner_than_its_retry_after() {
    let (addr, target) = start_target().await;
    let bot = bot_calling(addr).await;
    let ada = Person::english(9403);
    bot.deliver(&private_text(
        1,
        &ada,
        &calling(&format!("http://{addr}/limited"), "n={{ steps.call.output.body.n }}"),
    ))
    .await;
    let started = std::time::Instant::now();
    bot.deliver(&private_text(2, &ada, "/check")).await;
    bot.eventually("the retried call's result", |t| t.sent_texts().contains(&"n=7".to_owned())).await;
    assert_eq!(target.hits.load(Ordering::SeqCst), 2);
    // The queue's own retries wait 0 s in this harness: the second second is the 429's.
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "{:?}", started.elapsed());
}
