//! Guard rails: the per-user rate limit (counted atomically on DynamoDB,
//! checked under concurrent updates on moto; the rest in process) and banned users.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use futures::future::join_all;
use linklet::domain::{TelegramId, UserPatch};
use linklet_tests::{
    Bot, Webhook,
    updates::{Person, button_tap, private_text},
};

async fn limited(requests: u32, window: u32) -> Bot {
    Bot::start_with(move |name| match name {
        "RATE_LIMIT_REQUESTS" => Some(requests.to_string()),
        "RATE_LIMIT_WINDOW" => Some(window.to_string()),
        _ => None,
    })
    .await
}

/// The count is atomic on DynamoDB (a conditional update): checked on moto.
async fn limited_on_dynamodb(requests: u32, window: u32) -> Webhook {
    Webhook::start_with(move |name| match name {
        "RATE_LIMIT_REQUESTS" => Some(requests.to_string()),
        "RATE_LIMIT_WINDOW" => Some(window.to_string()),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn the_rate_limit_lets_exactly_n_through_per_window_under_concurrent_updates() {
    let hook = limited_on_dynamodb(5, 3600).await;
    let ada = Person::english(8001);
    let updates: Vec<_> = (1..=12).map(|i| private_text(i, &ada, "/help")).collect();
    let replies = join_all(updates.iter().map(|u| hook.deliver(u))).await;

    assert!(replies.iter().all(|r| r.status == 200), "every update is acknowledged");
    let texts = hook.telegram.sent_texts();
    let helps = texts.iter().filter(|t| t.contains("What I can do")).count();
    let notices: Vec<_> = texts
        .iter()
        .filter(|t| t.contains("more than 5 messages in 3600 s: I did not handle your last message"))
        .collect();
    assert_eq!(helps, 5, "{texts:?}");
    assert_eq!(notices.len(), 1, "one notice per window: {texts:?}");
    // Another user has their own count.
    hook.deliver(&private_text(13, &Person::english(8002), "/help")).await;
    assert_eq!(hook.telegram.sent_texts().len(), 7);
}

#[tokio::test]
async fn taps_on_a_long_list_leave_a_typed_task_its_turn() {
    // Issue 10: paging through /tasks used up the count and the next /task was dropped.
    let hook = limited(3, 3600).await;
    let ada = Person::english(8005);
    hook.deliver(&private_text(1, &ada, "/task call mom tomorrow 9am")).await;
    hook.deliver(&private_text(2, &ada, "/tasks")).await;
    for i in 0..6 {
        hook.deliver(&button_tap(10 + i, &ada, 900, "t:p:1")).await;
    }
    hook.deliver(&private_text(3, &ada, "/task tea in 1 hour")).await;
    let texts = hook.telegram.sent_texts();
    assert!(texts.last().unwrap().starts_with("✅"), "the typed task is handled: {texts:?}");
    assert_eq!(hook.telegram.successful("editMessageText").len(), 6, "each tap turned the page");

    // Past twice the allowance, a tap is answered with what happened to it.
    hook.deliver(&button_tap(20, &ada, 900, "t:p:1")).await;
    let toasts = hook.telegram.successful("answerCallbackQuery");
    assert_eq!(toasts.len(), 7, "every tap is answered");
    let last = toasts.last().unwrap()["text"].as_str().unwrap_or_default().to_owned();
    assert!(last.starts_with("⏳ Too many taps: this one did nothing. Tap again in "), "{last}");
}

#[tokio::test]
async fn answers_resume_in_the_next_window() {
    let hook = limited(1, 2).await;
    let ada = Person::english(8003);
    // Start right after a window boundary, so the first two updates share a window.
    let now = chrono::Utc::now();
    let into_window = now.timestamp_subsec_millis() as u64 + (now.timestamp() % 2) as u64 * 1000;
    tokio::time::sleep(std::time::Duration::from_millis(2000 - into_window + 50)).await;
    hook.deliver(&private_text(1, &ada, "/help")).await;
    hook.deliver(&private_text(2, &ada, "/help")).await;
    assert_eq!(hook.telegram.sent_texts().len(), 2, "the answer, then the notice");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    hook.deliver(&private_text(3, &ada, "/help")).await;
    let texts = hook.telegram.sent_texts();
    assert_eq!(texts.len(), 3);
    assert!(texts[2].contains("What I can do"), "{texts:?}");
}

#[tokio::test]
async fn a_banned_user_gets_nothing_at_all() {
    let hook = Bot::start().await;
    let ada = Person::english(8004);
    hook.deliver(&private_text(1, &ada, "/start")).await;
    let banned = UserPatch { banned: Some(true), ..UserPatch::default() };
    hook.store().patch_user(TelegramId(8004), &banned, chrono::Utc::now()).await.unwrap();
    let calls_before = hook.telegram.calls().len();

    for reply in [
        hook.deliver(&private_text(2, &ada, "/help")).await,
        hook.deliver(&private_text(3, &ada, "hello?")).await,
        hook.deliver(&button_tap(4, &ada, 1, "t:done:1")).await,
    ] {
        assert_eq!(reply.status, 200);
    }
    // Issue 13: the tap alone is answered, with nothing, so its button stops spinning.
    let calls: Vec<_> = hook.telegram.calls()[calls_before..].iter().map(|c| c.method.clone()).collect();
    assert_eq!(calls, ["answerCallbackQuery"], "nothing else for a banned user");
    let answer = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert!(answer.get("text").is_none_or(serde_json::Value::is_null), "{answer}");

    let unbanned = UserPatch { banned: Some(false), ..UserPatch::default() };
    hook.store().patch_user(TelegramId(8004), &unbanned, chrono::Utc::now()).await.unwrap();
    hook.deliver(&private_text(5, &ada, "/help")).await;
    assert!(hook.telegram.sent_texts().last().unwrap().contains("What I can do"));
}
