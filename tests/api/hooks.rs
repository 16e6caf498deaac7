//! Incoming webhooks (F9) as a sender's server meets them: `POST
//! /hooks/<token>` answers 202 with the run's id and the run is queued; GET
//! and HEAD get 405 and start nothing; an oversize body 413; an unknown,
//! revoked or disabled hook the same 404; a replayed delivery one run; a
//! wrong signature 401; a flood 429 with Retry-After.

use linklet::domain::{
    TelegramId,
    workflow::{
        WorkflowNumber,
        hook::{SignatureScheme, sign},
    },
};
use linklet_tests::{
    Bot,
    bot::PUBLIC_URL,
    updates::{Person, button_tap, private_text},
};
use serde_json::json;

fn hook_document(signature: Option<&str>) -> String {
    let mut trigger = json!({ "kind": "webhook" });
    if let Some(scheme) = signature {
        trigger["signature"] = scheme.into();
    }
    json!({
        "linklet_workflow": 1,
        "name": "Server watch",
        "triggers": [trigger],
        "steps": [
            { "name": "failed_only", "kind": "condition", "if": "trigger.body.status == 'failed'" },
            { "name": "tell", "kind": "send_message",
              "text": "{{ trigger.body.server }} failed (from {{ trigger.headers['x-source'] }}, env {{ trigger.query.env }})" },
        ],
    })
    .to_string()
}

/// Imports a hook workflow for `who` and gives back its URL's path, read
/// from the copy button under the message that showed it.
async fn hook_for(bot: &Bot, who: &Person, signature: Option<&str>) -> String {
    bot.deliver(&private_text(1, who, &hook_document(signature))).await;
    let shown = bot.telegram.successful("sendMessage").pop().unwrap();
    let text = shown["text"].as_str().unwrap();
    assert!(
        text.starts_with("🔗 Webhook URL of <b>Server watch</b>:\n<code>https://linklet.example/hooks/"),
        "{text}"
    );
    let url =
        shown["reply_markup"]["inline_keyboard"][0][0]["copy_text"]["text"].as_str().unwrap().to_owned();
    assert!(text.contains(&url), "the button copies the URL shown");
    assert_eq!(shown["link_preview_options"]["is_disabled"], true, "{shown}");
    url.strip_prefix(PUBLIC_URL).unwrap().to_owned()
}

fn json_headers() -> Vec<(&'static str, &'static str)> {
    vec![("content-type", "application/json"), ("x-source", "monitor"), ("authorization", "Bearer s3cr3t")]
}

#[tokio::test]
async fn a_post_answers_202_with_the_run_id_and_its_run_reads_body_headers_and_query() {
    let bot = Bot::start().await;
    let ada = Person::english(9201);
    let path = hook_for(&bot, &ada, None).await;
    let body = json!({ "status": "failed", "server": "db-1" }).to_string();
    let reply = bot.post(&format!("{path}?env=prod"), &json_headers(), body).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let run_id = reply.json()["run_id"].as_str().unwrap().to_owned();
    bot.eventually("the message", |t| {
        t.sent_texts().contains(&"db-1 failed (from monitor, env prod)".to_owned())
    })
    .await;

    let runs = bot.store().recent_runs(TelegramId(9201), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id.code(), run_id);
    assert_eq!(runs[0].trigger.kind, "webhook");
    let headers = &runs[0].trigger.payload["headers"];
    assert_eq!(headers["x-source"], "monitor");
    assert!(headers.get("authorization").is_none(), "credentials never reach a run: {headers}");
    // A run nobody watches shows no card when it succeeds: only the step's message.
    assert!(
        !bot.telegram.sent_texts().iter().any(|t| t.contains("<b>Server watch</b>\n")),
        "{:?}",
        bot.telegram.sent_texts()
    );

    // A form; without the query the step's template fails: a run nobody
    // watches says so in one message, naming the variable, with its buttons.
    let form = "status=failed&server=web+2";
    let form_headers = [("content-type", "application/x-www-form-urlencoded"), ("x-source", "cron")];
    assert_eq!(bot.post(&path, &form_headers, form).await.status, 202);
    bot.eventually("the failure", |t| {
        t.sent_texts().iter().any(|s| s.contains("no variable trigger.query.env"))
    })
    .await;
    let failure = bot.telegram.successful("sendMessage").pop().unwrap();
    assert!(failure["text"].as_str().unwrap().starts_with("❌ <b>Server watch</b>"), "{failure}");
    assert_eq!(failure["reply_markup"]["inline_keyboard"][0][0]["text"], "🔁 Retry from the failed step");
    assert_eq!(bot.post(&format!("{path}?env=staging"), &form_headers, form).await.status, 202);
    let expected = "web 2 failed (from cron, env staging)".to_owned();
    bot.eventually("the form's run", |t| t.sent_texts().contains(&expected)).await;
    let text = bot.post(&path, &[("content-type", "text/plain")], "all good").await;
    assert_eq!(text.status, 202);
    let bad = bot.post(&path, &[("content-type", "application/json")], "{not json").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().starts_with("the body is not valid JSON"), "{}", bad.body);
}

#[tokio::test]
async fn get_and_head_answer_405_and_start_nothing() {
    let bot = Bot::start().await;
    let ada = Person::english(9202);
    let path = hook_for(&bot, &ada, None).await;
    for method in ["GET", "HEAD", "PUT"] {
        let request =
            http::Request::builder().method(method).uri(&path).body(axum::body::Body::empty()).unwrap();
        let reply = bot.request(request).await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.headers["allow"], "POST");
    }
    assert!(bot.store().recent_runs(TelegramId(9202), WorkflowNumber(1), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_body_over_256_kb_gets_413_declared_or_not() {
    let bot = Bot::start().await;
    let ada = Person::english(9203);
    let path = hook_for(&bot, &ada, None).await;
    let big = "x".repeat(256 * 1024 + 1);
    let declared = bot.post(&path, &[("content-type", "text/plain")], big.clone()).await;
    assert_eq!(declared.status, 413);
    // Streamed without a length: cut off once past the limit.
    let stream = futures::stream::iter(
        big.into_bytes().chunks(8192).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let reply =
        bot.post(&path, &[("content-type", "text/plain")], axum::body::Body::from_stream(stream)).await;
    assert_eq!(reply.status, 413);
    let exactly = bot.post(&path, &[("content-type", "text/plain")], "y".repeat(256 * 1024)).await;
    assert_eq!(exactly.status, 202, "256 KB is allowed");
    assert_eq!(bot.store().recent_runs(TelegramId(9203), WorkflowNumber(1), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_revoked_and_disabled_hooks_answer_the_same_404() {
    let bot = Bot::start().await;
    let ada = Person::english(9204);
    let path = hook_for(&bot, &ada, None).await;
    let unknown = bot.post("/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &[], "x").await;
    let malformed = bot.post("/hooks/..%2F..%2Fetc", &[], "x").await;
    // Off: the same answer as a hook that never existed.
    let list = bot.deliver(&private_text(2, &ada, "/workflows")).await;
    assert_eq!(list.status, 200);
    let list_id = bot.telegram.successful("sendMessage").pop().unwrap()["sent_message_id"].as_i64().unwrap();
    bot.deliver(&button_tap(3, &ada, list_id, "w:off:1")).await;
    let disabled = bot.post(&path, &[], "x").await;
    for reply in [&unknown, &malformed, &disabled] {
        assert_eq!((reply.status, reply.body.as_str()), (404, r#"{"error":"not found"}"#));
    }
    bot.deliver(&button_tap(4, &ada, list_id, "w:on:1")).await;
    assert_eq!(bot.post(&path, &[], "x").await.status, 202, "on again, the same URL works");

    // A new URL revokes the old one.
    bot.deliver(&button_tap(5, &ada, list_id, "w:u:1")).await;
    let shown = bot.telegram.successful("sendMessage").pop().unwrap();
    let new_url =
        shown["reply_markup"]["inline_keyboard"][0][0]["copy_text"]["text"].as_str().unwrap().to_owned();
    let new_path = new_url.strip_prefix(PUBLIC_URL).unwrap();
    assert_ne!(new_path, path);
    assert_eq!(bot.post(&path, &[], "x").await.status, 404);
    assert_eq!(bot.post(new_path, &[], "x").await.status, 202);
    // Only the token's hash is kept: the token is nowhere in the workflow.
    let workflow = bot.store().get_workflow(TelegramId(9204), WorkflowNumber(1)).await.unwrap().unwrap();
    let token = new_path.trim_start_matches("/hooks/");
    assert!(!format!("{workflow:?}").contains(token));
    assert_eq!(
        workflow.hook.as_deref(),
        Some(linklet::domain::workflow::hook::HookToken::parse(token).unwrap().hash().as_str())
    );
}

#[tokio::test]
async fn a_replayed_delivery_id_starts_one_run() {
    let bot = Bot::start().await;
    let ada = Person::english(9205);
    let path = hook_for(&bot, &ada, None).await;
    let body = json!({ "status": "ok" }).to_string();
    for header in ["x-github-delivery", "webhook-id", "idempotency-key"] {
        let headers = [("content-type", "application/json"), (header, "delivery-42")];
        let first = bot.post(&path, &headers, body.clone()).await;
        let again = bot.post(&path, &headers, body.clone()).await;
        assert_eq!((first.status, again.status), (202, 202), "{header}");
        assert_eq!(first.json()["run_id"], again.json()["run_id"], "{header}");
        assert_eq!(again.json()["duplicate"], true);
    }
    // The same id under each header is the same delivery: one run in all.
    let runs = bot.store().recent_runs(TelegramId(9205), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let other = bot.post(&path, &[("idempotency-key", "delivery-43")], "x").await;
    assert_eq!(other.status, 202);
    assert_ne!(other.json()["run_id"], runs[0].id.code());
}

#[tokio::test]
async fn a_signed_hook_refuses_a_missing_or_wrong_signature_until_the_right_one() {
    let key = linklet::vault::KeyRing::generate_setting("k1");
    let bot = Bot::start_with(move |name| (name == "ENCRYPTION_KEY").then(|| key.clone())).await;
    let ada = Person::english(9206);
    let path = hook_for(&bot, &ada, Some("github")).await;
    let shown = bot.telegram.last_text();
    assert!(shown.contains("Only calls signed the GitHub (X-Hub-Signature-256) way are accepted"), "{shown}");
    let body = json!({ "status": "failed", "server": "ci" }).to_string();
    let signature = sign(SignatureScheme::Github, b"hunter2-secret", "", 0, body.as_bytes());
    let signed = [
        ("content-type", "application/json"),
        ("x-source", "github"),
        ("x-hub-signature-256", signature.as_str()),
    ];
    let no_secret = bot.post(&path, &signed, body.clone()).await;
    assert_eq!(no_secret.status, 401, "no secret set yet");

    bot.deliver(&private_text(2, &ada, "/workflow secret 1 hunter2-secret")).await;
    assert_eq!(
        bot.telegram.last_text(),
        "🔐 Signing secret set for <b>Server watch</b>; I deleted your message. Calls without a valid signature get 401."
    );
    let deleted = bot.telegram.successful("deleteMessage").pop().unwrap();
    assert_eq!(deleted["message_id"], 2, "the message with the secret is deleted");

    let unsigned = bot.post(&path, &[("content-type", "application/json")], body.clone()).await;
    let wrong = sign(SignatureScheme::Github, b"other", "", 0, body.as_bytes());
    let forged = bot
        .post(&path, &[("content-type", "application/json"), ("x-hub-signature-256", &wrong)], body.clone())
        .await;
    let tampered = bot.post(&path, &signed, body.replace("ci", "cd")).await;
    for (reply, why) in [
        (&unsigned, "the signature header is missing"),
        (&forged, "the signature does not match"),
        (&tampered, "the signature does not match"),
    ] {
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json()["error"], why);
    }
    assert_eq!(bot.post(&format!("{path}?env=ci"), &signed, body).await.status, 202);
    bot.eventually("the signed run's message", |t| t.sent_texts().iter().any(|s| s.starts_with("ci failed")))
        .await;
    let runs = bot.store().recent_runs(TelegramId(9206), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(runs.len(), 1, "only the signed call started a run");
    assert!(runs[0].trigger.payload["headers"].get("x-hub-signature-256").is_none());
}

#[tokio::test]
async fn a_flood_gets_429_with_retry_after() {
    let bot = Bot::start().await;
    let ada = Person::english(9207);
    let path = hook_for(&bot, &ada, None).await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..61 {
        let reply = bot.post(&path, &[("content-type", "text/plain")], "tick").await;
        if reply.status == 429 {
            retry_after =
                reply.headers.get("retry-after").map(|v| v.to_str().unwrap().parse::<i64>().unwrap());
        }
        statuses.push(reply.status);
    }
    // A minute boundary may fall inside the loop: then the count starts again.
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    assert!(accepted >= 60, "{statuses:?}");
    if accepted == 60 {
        assert_eq!(statuses[60], 429);
        assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)), "{retry_after:?}");
    }
}
