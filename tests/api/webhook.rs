//! The webhook: what a user sees for each update (in process, on the
//! embedded store: `Bot`), and the Lambda driven as AWS drives it where the
//! shape matters (API Gateway v2 events in, HTTP responses out, DynamoDB on
//! moto and the fake Telegram Bot API behind it: `Webhook`).

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use linklet::domain::TelegramId;
use linklet_tests::{
    Bot, Failure, Webhook, api_gateway_event, load_event,
    updates::{Person, button_tap, group_text, private_location, private_text},
};
use serde_json::{Value, json};

async fn user_item(hook: &Webhook, id: i64) -> Option<std::collections::HashMap<String, AttributeValue>> {
    hook.dynamo
        .get_item()
        .table_name(&hook.table)
        .key("pk", AttributeValue::S(format!("USER#{id}")))
        .key("sk", AttributeValue::S("PROFILE".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

fn attr(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

#[tokio::test]
async fn start_registers_the_user_and_welcomes_them() {
    let hook = Webhook::start().await;
    let ada = Person::english(1001);
    let reply = hook.deliver(&private_text(1, &ada, "/start")).await;

    assert_eq!(reply.status, 200);
    let sent = hook.telegram.successful("sendMessage");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], 1001);
    assert_eq!(sent[0]["parse_mode"], "HTML");
    let text = sent[0]["text"].as_str().unwrap();
    assert!(text.starts_with("👋 Hi <b>Ada</b>!"), "{text}");
    assert!(text.contains("🌍 <b>Which time zone are you in?</b>"), "asked at once: {text}");

    let item = user_item(&hook, 1001).await.expect("the user is registered");
    assert_eq!(attr(&item, "username").as_deref(), Some("ada"));
    assert_eq!(attr(&item, "first_name").as_deref(), Some("Ada"));
    assert_eq!(attr(&item, "language_code").as_deref(), Some("en"));
    assert_eq!(attr(&item, "subscription_tier").as_deref(), Some("free"));
    assert!(attr(&item, "created_at").is_some() && attr(&item, "updated_at").is_some());
}

#[tokio::test]
async fn the_sample_event_from_events_folder_is_handled() {
    let hook = Webhook::start().await;
    let reply = hook.invoke(load_event("apigw-start.json")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(hook.telegram.sent_texts().len(), 1);
}

#[tokio::test]
async fn wrong_or_missing_secret_is_refused_and_nothing_is_read_or_written() {
    let hook = Webhook::start().await;
    let wrong = hook.invoke(load_event("apigw-wrong-secret.json")).await;
    let body = private_text(2, &Person::english(1002), "/start").to_string();
    let missing = hook.invoke(api_gateway_event(&body, None)).await;
    let empty = hook.invoke(api_gateway_event(&body, Some(""))).await;

    assert_eq!((wrong.status, missing.status, empty.status), (401, 401, 401));
    assert!(hook.telegram.calls().is_empty());
    assert!(user_item(&hook, 100_000_001).await.is_none());
    assert!(user_item(&hook, 1002).await.is_none());
}

#[tokio::test]
async fn duplicate_update_is_answered_once() {
    let hook = Bot::start().await;
    let update = private_text(3, &Person::english(1003), "/help");
    let first = hook.deliver(&update).await;
    let second = hook.deliver(&update).await;

    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(hook.telegram.successful("sendMessage").len(), 1);
}

#[tokio::test]
async fn concurrent_duplicates_are_answered_once() {
    let hook = Webhook::start().await;
    // A slow Telegram keeps the first delivery in progress while the second arrives.
    hook.telegram.delay("sendMessage", Duration::from_millis(400));
    let update = private_text(4, &Person::english(1004), "/help");
    let (a, b) = tokio::join!(hook.deliver(&update), hook.deliver(&update));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    // One delivery handles it; the other is asked to come back later (503) or
    // finds it done (200). Telegram's later redelivery is acknowledged.
    assert!(statuses == [200, 503] || statuses == [200, 200], "{statuses:?}");
    let again = hook.deliver(&update).await;

    assert_eq!(again.status, 200);
    assert_eq!(hook.telegram.successful("sendMessage").len(), 1);
}

#[tokio::test]
async fn transient_failure_is_retried_by_telegram_and_handled_once() {
    let hook = Bot::start().await;
    hook.telegram.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 1 });
    let update = private_text(5, &Person::english(1005), "/start");

    let first = hook.deliver(&update).await;
    assert_eq!(first.status, 503, "a transient failure asks Telegram to redeliver");
    assert!(hook.telegram.sent_texts().is_empty());

    let retry = hook.deliver(&update).await;
    let late_duplicate = hook.deliver(&update).await;
    assert_eq!((retry.status, late_duplicate.status), (200, 200));
    assert_eq!(hook.telegram.sent_texts().len(), 1);
    assert_eq!(hook.telegram.calls().iter().filter(|c| c.method == "sendMessage").count(), 2);
}

#[tokio::test]
async fn blocked_user_is_acknowledged_and_not_retried() {
    let hook = Bot::start().await;
    hook.telegram.fail_next("sendMessage", Failure::Blocked);
    let update = private_text(6, &Person::english(1006), "/help");

    assert_eq!(hook.deliver(&update).await.status, 200);
    assert_eq!(hook.deliver(&update).await.status, 200);
    assert_eq!(hook.telegram.calls().iter().filter(|c| c.method == "sendMessage").count(), 1);
}

#[tokio::test]
async fn malformed_bodies_are_acknowledged_and_ignored() {
    let hook = Webhook::start().await;
    for body in ["not json", "", "{}", r#"{"update_id":"seven"}"#, r#"{"update_id":7,"message":"#, "[1,2,3]"]
    {
        let reply = hook.invoke(api_gateway_event(body, Some(linklet_tests::WEBHOOK_SECRET))).await;
        assert_eq!(reply.status, 200, "{body:?}");
    }
    assert!(hook.telegram.calls().is_empty());
}

#[tokio::test]
async fn unknown_and_unhandled_update_kinds_are_acknowledged() {
    let hook = Bot::start().await;
    let ada = Person::english(1007);
    let mut edited = private_text(9, &ada, "/start");
    edited["edited_message"] = edited["message"].take();
    edited.as_object_mut().unwrap().remove("message");
    for update in [
        json!({ "update_id": 8, "some_future_kind": { "x": 1 } }),
        edited,
        json!({ "update_id": 10, "message": { "message_id": 1, "date": 1, "chat": { "id": 5, "type": "private", "first_name": "A" } } }),
    ] {
        assert_eq!(hook.deliver(&update).await.status, 200, "{update}");
    }
    assert!(hook.telegram.sent_texts().is_empty());
}

#[tokio::test]
async fn oversize_body_is_refused() {
    let hook = Webhook::start().await;
    let text = "x".repeat(1024 * 1024);
    let update = private_text(11, &Person::english(1011), &text);
    let reply = hook.deliver(&update).await;

    assert_eq!(reply.status, 413);
    assert!(hook.telegram.calls().is_empty());
    assert!(user_item(&hook, 1011).await.is_none());
}

#[tokio::test]
async fn french_user_is_answered_in_french() {
    let hook = Bot::start().await;
    let camille = Person::french(1012);
    hook.deliver(&private_text(12, &camille, "/start")).await;
    hook.deliver(&private_text(13, &camille, "/help")).await;
    hook.deliver(&private_text(14, &camille, "/nimportequoi")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[0].starts_with("👋 Bonjour <b>Camille</b> !"), "{}", texts[0]);
    assert!(texts[1].contains("Ce que je sais faire") && texts[1].contains("/settings — votre langue"));
    assert!(texts[2].contains("Je ne connais pas la commande <code>/nimportequoi</code>"), "{}", texts[2]);
}

#[tokio::test]
async fn group_command_for_this_bot_is_answered_and_for_another_bot_ignored() {
    let hook = Bot::start().await;
    let ada = Person::english(1013);
    let group = -1_001_234_567_890;
    let mine = hook.deliver(&group_text(15, group, &ada, "/help@LinkletBot")).await;
    let other = hook.deliver(&group_text(16, group, &ada, "/help@SomeOtherBot")).await;
    let chatter = hook.deliver(&group_text(17, group, &ada, "hello everyone")).await;

    assert_eq!((mine.status, other.status, chatter.status), (200, 200, 200));
    let sent = hook.telegram.successful("sendMessage");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], group);
    assert!(sent[0]["text"].as_str().unwrap().contains("/profile"));
    // The bot's username is asked of Telegram once, then remembered.
    assert_eq!(hook.telegram.successful("getMe").len(), 1);
}

#[tokio::test]
async fn configured_bot_username_saves_the_get_me_call() {
    let hook = Bot::start_with(|name| (name == "TELEGRAM_BOT_USERNAME").then(|| "LinkletBot".into())).await;
    hook.deliver(&group_text(18, -100, &Person::english(1014), "/start@linkletbot")).await;

    assert_eq!(hook.telegram.sent_texts().len(), 1);
    assert!(hook.telegram.successful("getMe").is_empty());
}

#[tokio::test]
async fn settings_buttons_change_the_language_and_every_tap_is_answered() {
    let hook = Bot::start().await;
    let ada = Person::english(1015);
    hook.deliver(&private_text(19, &ada, "/settings")).await;
    let menu = &hook.telegram.successful("sendMessage")[0];
    let buttons: Vec<&str> = menu["reply_markup"]["inline_keyboard"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["callback_data"].as_str().unwrap())
        .collect();
    assert_eq!(buttons, ["s:lang", "s:tz"]);

    hook.deliver(&button_tap(20, &ada, 777, "s:lang")).await;
    hook.deliver(&button_tap(21, &ada, 777, "s:lang:fr")).await;

    let answers = hook.telegram.successful("answerCallbackQuery");
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["callback_query_id"], "cq20");
    assert_eq!(answers[1]["text"], "✅ Langue réglée sur Français.");
    let edits = hook.telegram.successful("editMessageText");
    assert_eq!(edits.len(), 2);
    assert_eq!(edits[1]["message_id"], 777);
    assert!(edits[1]["text"].as_str().unwrap().contains("Réglages"));

    hook.deliver(&private_text(22, &ada, "/profile")).await;
    let profile = hook.telegram.sent_texts().pop().unwrap();
    assert!(
        profile.contains("Votre profil") && profile.contains("Français (choisie dans /settings)"),
        "{profile}"
    );
}

#[tokio::test]
async fn a_stale_or_foreign_button_is_answered_with_a_notice() {
    let hook = Bot::start().await;
    let reply = hook.deliver(&button_tap(23, &Person::english(1016), 1, "tasks:done:42")).await;

    assert_eq!(reply.status, 200);
    let answers = hook.telegram.successful("answerCallbackQuery");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["text"], "This button is no longer valid.");
}

#[tokio::test]
async fn time_zone_is_typed_after_tapping_other() {
    let hook = Webhook::start().await;
    let ada = Person::english(1017);
    hook.deliver(&button_tap(24, &ada, 5, "s:tz:?")).await;
    hook.deliver(&private_text(25, &ada, "Mars/Olympus")).await;
    // One try (issue 9.13): after a failed one, "Other…" is tapped again.
    hook.deliver(&button_tap(26, &ada, 5, "s:tz:?")).await;
    hook.deliver(&private_text(27, &ada, "asia/tokyo")).await;
    hook.deliver(&private_text(28, &ada, "/profile")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[0].contains("your city or your time zone"), "{}", texts[0]);
    assert!(texts[1].contains("I could not find a time zone for <code>Mars/Olympus</code>"), "{}", texts[1]);
    assert!(texts[3].starts_with("✅ Time zone set to Asia/Tokyo"), "{}", texts[3]);
    assert!(texts[4].contains("Time zone: Asia/Tokyo"), "{}", texts[4]);
    let item = user_item(&hook, 1017).await.unwrap();
    assert_eq!(attr(&item, "timezone").as_deref(), Some("Asia/Tokyo"));
    assert!(!item.contains_key("awaiting"));
}

/// The buttons of a message, as (label, callback data).
fn buttons(message: &serde_json::Value) -> Vec<(String, String)> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .map(|b| {
                    (b["text"].as_str().unwrap().to_owned(), b["callback_data"].as_str().unwrap().to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_french_newcomer_is_asked_their_zone_and_their_first_reminder_is_at_paris_time() {
    // Issue 10: every new user was silently on UTC, so "demain 9h" came at 10:00 in Paris.
    let hook = Bot::start().await;
    let ada = Person::french(1030);
    hook.deliver(&private_text(1, &ada, "/start")).await;
    let question = hook.telegram.successful("sendMessage").pop().unwrap();
    assert!(question["text"].as_str().unwrap().contains("🌍 <b>Dans quel fuseau horaire"), "{question}");
    let offered = buttons(&question);
    assert_eq!(offered[0], ("Paris".to_owned(), "s:z:Europe/Paris".to_owned()));
    assert!(
        offered.iter().any(|(label, data)| label == "Montréal / Toronto" && data == "s:z:America/Toronto")
    );

    // Before answering, a task says which zone it was read in, with a button to change it.
    hook.deliver(&private_text(2, &ada, "/task appeler maman demain 9h")).await;
    let confirmed = hook.telegram.successful("sendMessage").pop().unwrap();
    assert!(
        confirmed["text"].as_str().unwrap().contains("Les heures sont en UTC pour l'instant"),
        "{confirmed}"
    );
    assert!(buttons(&confirmed).iter().any(|(_, data)| data == "s:zask"));

    hook.deliver(&button_tap(3, &ada, 7, "s:z:Europe/Paris")).await;
    let edited = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(edited["text"].as_str().unwrap().starts_with("✅ Fuseau horaire réglé sur Europe/Paris"));
    hook.deliver(&private_text(4, &ada, "/task boire de l'eau demain 9h")).await;
    let confirmed = hook.telegram.successful("sendMessage").pop().unwrap();
    assert!(!confirmed["text"].as_str().unwrap().contains("UTC"), "{confirmed}");
    let task =
        hook.store().get_task(TelegramId(1030), linklet::domain::task::TaskNumber(2)).await.unwrap().unwrap();
    let local = task.due.unwrap().with_timezone(&chrono_tz::Europe::Paris);
    assert_eq!(local.format("%H:%M").to_string(), "09:00", "9h in Paris");

    // Once set, /start no longer asks.
    hook.deliver(&private_text(5, &ada, "/start")).await;
    let welcome = hook.telegram.sent_texts().pop().unwrap();
    assert!(welcome.starts_with("👋 Bonjour") && !welcome.contains("fuseau horaire ?"), "{welcome}");
}

#[tokio::test]
async fn a_newcomer_answers_the_zone_question_by_typing_their_city() {
    let hook = Bot::start().await;
    let ada = Person::french(1032);
    hook.deliver(&private_text(1, &ada, "/start")).await;
    hook.deliver(&private_text(2, &ada, "Montréal")).await;
    hook.deliver(&private_text(3, &ada, "Montréal")).await;
    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("✅ Fuseau horaire réglé sur America/Toronto"), "{}", texts[1]);
    assert!(!texts[2].contains("Fuseau"), "once set, a city is just text: {}", texts[2]);
}

#[tokio::test]
async fn a_zone_is_found_from_a_city_or_an_offset() {
    let hook = Bot::start().await;
    let ada = Person::english(1031);
    hook.deliver(&private_text(1, &ada, "/settings timezone New York")).await;
    hook.deliver(&private_text(2, &ada, "/settings timezone Montreal")).await;
    hook.deliver(&private_text(3, &ada, "/settings timezone UTC+5:30")).await;
    hook.deliver(&private_text(4, &ada, "/settings timezone GMT-5")).await;
    let sent = hook.telegram.successful("sendMessage");
    assert!(sent[0]["text"].as_str().unwrap().starts_with("✅ Time zone set to America/New_York"));
    assert!(
        sent[1]["text"].as_str().unwrap().starts_with("✅ Time zone set to America/Toronto"),
        "current names"
    );
    assert!(sent[2]["text"].as_str().unwrap().starts_with("🌍 Several time zones fit <code>UTC+5:30</code>"));
    assert_eq!(buttons(&sent[2]), [("Asia/Kolkata".to_owned(), "s:z:Asia/Kolkata".to_owned())]);
    let five_west: Vec<String> = buttons(&sent[3]).into_iter().map(|(label, _)| label).collect();
    assert!(
        five_west.contains(&"America/New_York".to_owned())
            || five_west.contains(&"America/Chicago".to_owned()),
        "{five_west:?}"
    );
}

#[tokio::test]
async fn settings_can_be_typed() {
    let hook = Bot::start().await;
    let ada = Person::english(1018);
    hook.deliver(&private_text(28, &ada, "/settings timezone Europe/Paris")).await;
    hook.deliver(&private_text(29, &ada, "/settings language klingon")).await;
    hook.deliver(&private_text(30, &ada, "/settings language fr")).await;
    hook.deliver(&private_text(31, &ada, "/settings colour blue")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[0].starts_with("✅ Time zone set to Europe/Paris"), "{}", texts[0]);
    assert!(texts[1].contains("I don't speak <code>klingon</code>"), "{}", texts[1]);
    assert_eq!(texts[2], "✅ Langue réglée sur Français.");
    assert!(texts[3].contains("/settings language en"), "{}", texts[3]);
}

#[tokio::test]
async fn plain_text_and_unknown_commands_get_a_pointer_to_help() {
    let hook = Bot::start().await;
    let ada = Person::english(1019);
    hook.deliver(&private_text(32, &ada, "hello bot")).await;
    hook.deliver(&private_text(33, &ada, "/frobnicate now")).await;
    let mut sticker = private_text(34, &ada, "");
    sticker["message"].as_object_mut().unwrap().remove("text");
    sticker["message"]["sticker"] = json!({
        "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": false, "is_video": false
    });
    hook.deliver(&sticker).await;

    let texts = hook.telegram.sent_texts();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[0].contains("I only understand commands for now"));
    assert!(texts[1].contains("I don't know the command <code>/frobnicate</code>"));
    assert!(texts[2].contains("I can only read text messages"));
}

#[tokio::test]
async fn secrets_come_from_secrets_manager_when_not_in_the_environment() {
    let aws = linklet_tests::aws_config().await;
    let document = json!({
        "TELEGRAM_BOT_TOKEN": linklet_tests::BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": linklet_tests::WEBHOOK_SECRET,
    });
    let arn = linklet_tests::fresh_secret(&aws, "linklet-telegram", &document.to_string()).await;
    let hook = Webhook::start_with(move |name| match name {
        "TELEGRAM_BOT_TOKEN" | "TELEGRAM_WEBHOOK_SECRET" => Some(String::new()),
        "LINKLET_SECRET_ARN" => Some(arn.clone()),
        _ => None,
    })
    .await;

    let reply = hook.deliver(&private_text(35, &Person::english(1020), "/start")).await;
    assert_eq!(reply.status, 200);
    // The fake accepts only the right token, so a reply proves the secret was read.
    assert_eq!(hook.telegram.sent_texts().len(), 1);
}

#[tokio::test]
async fn every_reply_is_valid_telegram_html() {
    // The fake refuses HTML Telegram would refuse, so any escaping mistake shows as a failed call.
    let hook = Bot::start().await;
    let tricky = linklet_tests::updates::Person {
        id: 1021,
        first_name: "<Bob & \"Co\">",
        username: Some("bob_<b>"),
        language_code: Some("fr"),
    };
    for (i, text) in
        ["/start", "/help", "/profile", "/settings", "/x<y>", "/settings timezone <b>&"].iter().enumerate()
    {
        hook.deliver(&private_text(36 + i as u32, &tricky, text)).await;
    }
    let failed: Vec<Value> = hook.telegram.calls().into_iter().filter(|c| !c.ok).map(|c| c.params).collect();
    assert!(failed.is_empty(), "Telegram would refuse: {failed:?}");
    assert_eq!(hook.telegram.sent_texts().len(), 6);
}

#[tokio::test]
async fn each_invocation_writes_its_metrics_as_emf_lines() {
    static LINES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    linklet::emf::install_with_sink("webhook", Box::new(|line| LINES.lock().unwrap().push(line.to_owned())));
    let hook = Webhook::start().await;
    let ada = Person::english(1090);
    hook.invoke(linklet_tests::api_gateway_event("{}", Some("wrong"))).await;
    hook.deliver(&private_text(1, &ada, "/start")).await;
    hook.deliver(&linklet_tests::updates::button_tap(2, &ada, 1, "nonsense")).await;

    let docs: Vec<Value> = LINES.lock().unwrap().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let find =
        |field: &str, value: &str| docs.iter().find(|d| d[field] == value).cloned().unwrap_or_default();
    assert_eq!(find("reason", "secret")["rejected"], 1);
    let message = find("kind", "message");
    assert_eq!(message["updates"], 1);
    assert!(message["update_ms"][0].as_f64().unwrap() > 0.0);
    assert_eq!(message["function"], "webhook");
    assert_eq!(message["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Linklet");
    assert_eq!(find("kind", "callback_query")["updates"], 1);
    assert_eq!(docs.len(), 3, "one line per label set per invocation: {docs:?}");
}

/// Issue 10, the first five minutes: a command without its argument gets a
/// real sentence, and `/settings timezone` alone waits for the zone.
#[tokio::test]
async fn commands_without_their_argument_get_real_sentences() {
    let hook = Bot::start().await;
    let ada = Person::english(9701);
    let last = || hook.telegram.last_text();

    hook.deliver(&private_text(1, &ada, "/settings language")).await;
    assert_eq!(
        last(),
        "Which language? <code>/settings language en</code> (English) or <code>/settings language fr</code> (Français)."
    );
    hook.deliver(&private_text(2, &ada, "/settings timezone")).await;
    assert!(last().starts_with("Send me your city or your time zone"), "{}", last());
    hook.deliver(&private_text(3, &ada, "Europe/Paris")).await;
    assert!(last().starts_with("✅ Time zone set to Europe/Paris"), "{}", last());
    hook.deliver(&private_text(4, &ada, "/start")).await;
    assert!(!last().contains("workflows"), "only what works is promised: {}", last());
}

/// Issue 10: a to-do has no time yet, so its ✏️ sets one and it gets no 💤.
#[tokio::test]
async fn a_to_do_offers_to_set_a_time_and_no_snooze() {
    let hook = Bot::start().await;
    let ada = Person::english(9702);
    let labels = |message: &Value| -> Vec<Vec<String>> {
        message["reply_markup"]["inline_keyboard"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array().unwrap().iter().map(|b| b["text"].as_str().unwrap().to_owned()).collect()
            })
            .collect()
    };
    hook.deliver(&private_text(1, &ada, "/task buy milk")).await;
    let created = hook.telegram.successful("sendMessage").last().unwrap().clone();
    assert_eq!(labels(&created)[0][0], "✏️ Set a time");
    hook.deliver(&private_text(2, &ada, "/task call mom tomorrow 9am")).await;
    let created = hook.telegram.successful("sendMessage").last().unwrap().clone();
    assert_eq!(labels(&created)[0][0], "✏️ Change time");
    hook.deliver(&private_text(3, &ada, "/tasks")).await;
    let list = hook.telegram.successful("sendMessage").last().unwrap().clone();
    let rows = labels(&list);
    assert!(rows.contains(&vec!["✅ #1".to_owned(), "🗑 #1".to_owned()]), "{rows:?}");
    assert!(rows.contains(&vec!["✅ #2".to_owned(), "💤 #2".to_owned(), "🗑 #2".to_owned()]), "{rows:?}");
}

async fn zone_of(hook: &Bot, id: i64) -> Option<String> {
    let user = hook.store().get_user(TelegramId(id)).await.unwrap().expect("the user is registered");
    user.timezone.map(|zone| zone.name().to_owned())
}

#[tokio::test]
async fn a_shared_location_sets_or_offers_its_zone() {
    // Issue 10: a newcomer may answer the zone question with a shared location,
    // read offline from the bundled boundaries. Location object per the Bot API.
    let hook = Bot::start().await;
    let camille = Person::french(1040);
    hook.deliver(&private_text(1, &camille, "/start")).await;
    hook.deliver(&private_location(2, &camille, 45.5017, -73.5673)).await; // Montréal
    let last = |hook: &Bot| hook.telegram.sent_texts().pop().unwrap();
    assert!(last(&hook).starts_with("✅ Fuseau horaire réglé sur America/Toronto"), "{}", last(&hook));

    hook.deliver(&private_location(3, &camille, 45.5017, -73.5673)).await;
    assert!(last(&hook).contains("déjà votre fuseau horaire"), "{}", last(&hook));

    // Once a zone is set, a location elsewhere is offered, not taken.
    hook.deliver(&private_location(4, &camille, 48.8566, 2.3522)).await;
    let offer = hook.telegram.successful("sendMessage").pop().unwrap();
    assert!(offer["text"].as_str().unwrap().starts_with("📍 Cet endroit est en Europe/Paris"), "{offer}");
    assert_eq!(buttons(&offer), [("✅ Passer en Europe/Paris".to_owned(), "s:z:Europe/Paris".to_owned())]);
    assert_eq!(zone_of(&hook, 1040).await.as_deref(), Some("America/Toronto"));
    hook.deliver(&button_tap(5, &camille, 9, "s:z:Europe/Paris")).await;
    assert_eq!(zone_of(&hook, 1040).await.as_deref(), Some("Europe/Paris"));

    // Asked with /settings timezone, a location is the answer.
    hook.deliver(&private_text(6, &camille, "/settings timezone")).await;
    hook.deliver(&private_location(7, &camille, 35.6762, 139.6503)).await;
    assert!(last(&hook).starts_with("✅ Fuseau horaire réglé sur Asia/Tokyo"), "{}", last(&hook));

    // Coordinates off the globe: asked for the city, and the next text is read as one.
    hook.deliver(&private_location(8, &camille, 95.0, 0.0)).await;
    assert!(last(&hook).starts_with("📍 Je n'ai pas trouvé le fuseau horaire"), "{}", last(&hook));
    hook.deliver(&private_text(9, &camille, "Casablanca")).await;
    assert_eq!(zone_of(&hook, 1040).await.as_deref(), Some("Africa/Casablanca"));

    // In a group a location is nobody's answer: nothing is said or changed.
    let sent = hook.telegram.sent_texts().len();
    let mut in_group = private_location(10, &camille, 48.8566, 2.3522);
    in_group["message"]["chat"] = json!({ "id": -100_555, "type": "supergroup", "title": "Team" });
    hook.deliver(&in_group).await;
    assert_eq!(hook.telegram.sent_texts().len(), sent);
    assert_eq!(zone_of(&hook, 1040).await.as_deref(), Some("Africa/Casablanca"));
}

#[tokio::test]
async fn a_zone_change_asks_whether_repeating_tasks_keep_their_time_of_day() {
    use chrono::{Duration, TimeZone as _};
    use linklet::domain::task::TaskNumber;
    // Issue 10: "Changing the time zone asks whether existing repeating tasks
    // keep their wall-clock time in the new zone or their instant."
    let hook = Bot::start().await;
    let ada = Person::english(1041);
    let task = |number: u32| {
        let store = hook.store();
        async move { store.get_task(TelegramId(1041), TaskNumber(number)).await.unwrap().unwrap() }
    };
    hook.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    hook.deliver(&private_text(2, &ada, "/task stretch every day at 8")).await;
    hook.deliver(&private_text(3, &ada, "/task pay rent tomorrow at 10")).await;
    let (series_before, rent_before) = (task(1).await, task(2).await);

    hook.deliver(&private_text(4, &ada, "/settings timezone Tokyo")).await;
    let asked = hook.telegram.successful("sendMessage").pop().unwrap();
    let text = asked["text"].as_str().unwrap();
    assert!(text.starts_with("✅ Time zone set to Asia/Tokyo"), "{text}");
    assert!(
        text.contains("You have a repeating task on another zone's clock, like <b>stretch</b> at 08:00"),
        "{text}"
    );
    let moment =
        series_before.due.unwrap().with_timezone(&chrono_tz::Asia::Tokyo).format("%H:%M").to_string();
    assert_eq!(
        buttons(&asked),
        [
            ("🕗 Same time of day (08:00)".to_owned(), "s:zw".to_owned()),
            (format!("⏱ Same moment ({moment})"), "s:zi".to_owned()),
        ]
    );

    hook.deliver(&button_tap(5, &ada, 11, "s:zw")).await;
    let edited = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(
        edited["text"]
            .as_str()
            .unwrap()
            .starts_with("✅ Your repeating task keeps its time of day in Asia/Tokyo")
    );
    let moved = task(1).await;
    assert_eq!(moved.series.as_ref().unwrap().tz.name(), "Asia/Tokyo");
    // The same occurrence on the new clock: 08:00 on the day it was due, or the next day once that is past.
    let day = series_before.due.unwrap().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let mut expected =
        chrono_tz::Asia::Tokyo.from_local_datetime(&day.and_hms_opt(8, 0, 0).unwrap()).unwrap();
    if expected.with_timezone(&chrono::Utc) <= chrono::Utc::now() {
        expected += Duration::days(1);
    }
    assert_eq!(moved.due.unwrap(), expected.with_timezone(&chrono::Utc));
    assert_eq!(task(2).await.due, rent_before.due, "a one-off keeps its instant");

    // A second tap changes nothing.
    hook.deliver(&button_tap(6, &ada, 11, "s:zw")).await;
    let again = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(
        again["text"].as_str().unwrap().contains("already keep their time of day in Asia/Tokyo"),
        "{again}"
    );
    assert_eq!(task(1).await, moved);

    // Back to Paris keeping the instants: the series stays on Tokyo's clock.
    hook.deliver(&private_text(7, &ada, "/settings timezone Paris")).await;
    assert!(hook.telegram.sent_texts().pop().unwrap().contains("like <b>stretch</b> at 08:00"));
    hook.deliver(&button_tap(8, &ada, 12, "s:zi")).await;
    let kept = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(
        kept["text"].as_str().unwrap().starts_with("✅ Your repeating tasks keep the same moment"),
        "{kept}"
    );
    assert_eq!(task(1).await, moved);
}

#[tokio::test]
async fn a_command_for_another_bot_in_a_private_chat_says_so() {
    // Issue 10: in a group `/task@OtherBot` is for the other bot, who is there to
    // answer it; in a private chat no other bot reads it, so silence lost it.
    let hook = Bot::start().await;
    let ada = Person::english(1042);
    hook.deliver(&private_text(1, &ada, "/task@OtherBot buy milk tomorrow")).await;
    hook.deliver(&private_text(2, &ada, "/tasks@linkletbot")).await;
    let texts = hook.telegram.sent_texts();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].contains("/task@OtherBot is addressed to @OtherBot"), "{}", texts[0]);
    assert!(texts[0].contains("Send /task"), "{}", texts[0]);
    assert!(!texts[1].contains("addressed"), "my own name, any case, is mine: {}", texts[1]);
    let tasks = hook.store().pending_tasks(TelegramId(1042)).await.unwrap();
    assert!(tasks.is_empty(), "nothing was saved for the other bot's command");
}
