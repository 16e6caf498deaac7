//! Tasks through the webhook: created from typed text, listed with buttons,
//! finished, deleted, rescheduled, within the tier limits.

use aws_sdk_dynamodb::types::AttributeValue;
use linklet_tests::{
    Bot, Webhook,
    updates::{Person, button_tap, private_text},
};

async fn task_items(hook: &Webhook, user: i64) -> Vec<std::collections::HashMap<String, AttributeValue>> {
    hook.dynamo
        .query()
        .table_name(&hook.table)
        .key_condition_expression("pk = :pk AND begins_with(sk, :task)")
        .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{user}")))
        .expression_attribute_values(":task", AttributeValue::S("TASK#".into()))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default()
}

fn text(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

#[tokio::test]
async fn a_typed_task_is_stored_with_its_due_time_and_confirmed_with_buttons() {
    let hook = Webhook::start().await;
    let ada = Person::english(3001);
    hook.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    let reply = hook.deliver(&private_text(2, &ada, "/task call mom in 2 hours")).await;

    assert_eq!(reply.status, 200);
    let sent = hook.telegram.successful("sendMessage");
    let confirmation = &sent[1];
    assert!(
        confirmation["text"].as_str().unwrap().starts_with("✅ Task #1 saved: <b>call mom</b>"),
        "{confirmation}"
    );
    assert!(confirmation["text"].as_str().unwrap().contains("(Europe/Paris)"));
    let buttons = &confirmation["reply_markup"]["inline_keyboard"][0];
    assert_eq!(buttons[0]["callback_data"], "t:e:1");
    assert_eq!(buttons[1]["callback_data"], "t:r:1");

    let items = task_items(&hook, 3001).await;
    assert_eq!(items.len(), 1);
    assert_eq!(text(&items[0], "title").as_deref(), Some("call mom"));
    assert_eq!(text(&items[0], "status").as_deref(), Some("pending"));
    // On the due index, in the user's shard.
    assert_eq!(text(&items[0], "gsi1pk").as_deref(), Some("DUE#09"));
    let due = chrono::DateTime::parse_from_rfc3339(&text(&items[0], "due_at").unwrap()).unwrap();
    let in_two_hours = chrono::Utc::now() + chrono::Duration::hours(2);
    assert!((due.to_utc() - in_two_hours).num_seconds().abs() < 30, "{due}");
}

#[tokio::test]
async fn an_unreadable_time_is_explained_and_nothing_is_stored() {
    let hook = Webhook::start().await;
    let camille = Person::french(3002);
    hook.deliver(&private_text(3, &camille, "/task réunion à 25h")).await;
    hook.deliver(&private_text(4, &camille, "/task bilan 2020-01-01 10:00")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[0].starts_with("Je n'ai pas compris l'heure, rien n'a été enregistré"), "{}", texts[0]);
    assert!(texts[1].starts_with("Ce moment est déjà passé"), "{}", texts[1]);
    assert!(task_items(&hook, 3002).await.is_empty());
}

#[tokio::test]
async fn a_french_repetition_is_understood_and_described() {
    let hook = Webhook::start().await;
    let camille = Person::french(3003);
    hook.deliver(&private_text(5, &camille, "/remind étirements tous les jours à 8h")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[0].starts_with("✅ Tâche n°1 enregistrée : <b>étirements</b>"), "{}", texts[0]);
    assert!(texts[0].contains("🔁 tous les jours"), "{}", texts[0]);
    let items = task_items(&hook, 3003).await;
    assert_eq!(text(&items[0], "rrule").as_deref(), Some("FREQ=DAILY"));
    assert_eq!(text(&items[0], "series_tz").as_deref(), Some("UTC"));
}

#[tokio::test]
async fn the_list_pages_and_its_buttons_finish_and_delete_in_place() {
    let hook = Webhook::start().await;
    let ada = Person::english(3004);
    for (i, title) in ["a", "b", "c", "d", "e", "f", "g"].iter().enumerate() {
        hook.deliver(&private_text(10 + i as u32, &ada, &format!("/task {title} in {} hours", i + 1))).await;
    }
    hook.deliver(&private_text(20, &ada, "/tasks")).await;
    let list = hook.telegram.successful("sendMessage").pop().unwrap();
    let list_text = list["text"].as_str().unwrap();
    assert!(
        list_text.contains("(page 1/2)") && list_text.contains("#1 a —") && !list_text.contains("#6 f"),
        "{list_text}"
    );
    let keyboard = list["reply_markup"]["inline_keyboard"].as_array().unwrap();
    assert_eq!(keyboard.len(), 6, "five task rows and the navigation");
    // Done carries the occurrence it was shown for (issue 9.4).
    let done = keyboard[0][0]["callback_data"].as_str().unwrap().to_owned();
    assert!(done.starts_with("t:d:1:1:"), "{done}");
    assert_eq!(keyboard[5][0]["callback_data"], "t:p:2");

    hook.deliver(&button_tap(21, &ada, 900, &done)).await;
    hook.deliver(&button_tap(22, &ada, 900, "t:p:2")).await;
    hook.deliver(&button_tap(23, &ada, 900, "t:x:7:2")).await;

    let edits = hook.telegram.successful("editMessageText");
    assert_eq!(edits.len(), 3);
    assert!(!edits[0]["text"].as_str().unwrap().contains("#1 a"), "done tasks leave the list");
    assert!(edits[1]["text"].as_str().unwrap().contains("#7 g"));
    assert!(!edits[2]["text"].as_str().unwrap().contains("#7 g"));
    let toasts: Vec<String> = hook
        .telegram
        .successful("answerCallbackQuery")
        .iter()
        .map(|a| a["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(toasts, ["✅ Done: a", "", "🗑 Deleted: g"]);
    let pending = task_items(&hook, 3004)
        .await
        .iter()
        .filter(|i| text(i, "status").as_deref() == Some("pending"))
        .count();
    assert_eq!(pending, 5);
}

#[tokio::test]
async fn done_on_a_repeating_task_moves_it_to_its_next_occurrence() {
    let hook = Webhook::start().await;
    let ada = Person::english(3005);
    hook.deliver(&private_text(30, &ada, "/task stretch every day at 8")).await;
    hook.deliver(&private_text(31, &ada, "/done 1")).await;
    hook.deliver(&private_text(32, &ada, "/done 99")).await;
    hook.deliver(&private_text(33, &ada, "/done")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("✅ Done: <b>stretch</b>. Next time:"), "{}", texts[1]);
    assert!(texts[2].contains("I can't find a pending task #99"), "{}", texts[2]);
    assert!(texts[3].contains("<code>/done 3</code>"), "{}", texts[3]);
    let items = task_items(&hook, 3005).await;
    assert_eq!(text(&items[0], "status").as_deref(), Some("pending"), "the series goes on");
}

#[tokio::test]
async fn a_time_is_changed_after_tapping_change_time_and_by_edit() {
    let hook = Bot::start().await;
    let ada = Person::english(3006);
    hook.deliver(&private_text(40, &ada, "/task call mom tomorrow 9am")).await;
    hook.deliver(&button_tap(41, &ada, 901, "t:e:1")).await;
    hook.deliver(&private_text(42, &ada, "next friday 18:00")).await;
    hook.deliver(&private_text(43, &ada, "/edit 1 in 3h")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("When should #1 be?"), "{}", texts[1]);
    assert!(texts[2].starts_with("⏰ <b>call mom</b> is now due Fri"), "{}", texts[2]);
    assert!(texts[3].starts_with("⏰ <b>call mom</b> is now due"), "{}", texts[3]);
}

#[tokio::test]
async fn an_edit_gives_a_task_a_new_repetition_or_moves_only_a_series_next_time() {
    // Issue 10: `/edit` on a repeating task accepts a new repetition.
    let hook = Webhook::start().await;
    let ada = Person::english(3008);
    hook.deliver(&private_text(60, &ada, "/task stretch tomorrow 9am")).await;
    hook.deliver(&private_text(61, &ada, "/edit 1 every day at 8")).await;
    hook.deliver(&private_text(62, &ada, "/edit 1 every monday 7am")).await;
    hook.deliver(&private_text(63, &ada, "/edit 1 tomorrow 18:00")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("🔁 <b>stretch</b> now repeats every day.\n⏰ Next time:"), "{}", texts[1]);
    assert!(texts[2].starts_with("🔁 <b>stretch</b> now repeats every week on Monday."), "{}", texts[2]);
    assert!(texts[2].contains("Mon "), "the next Monday: {}", texts[2]);
    assert!(texts[3].starts_with("⏰ The next time of <b>stretch</b> is now"), "{}", texts[3]);
    assert!(texts[3].contains("it repeats as before after that"), "{}", texts[3]);
    let items = task_items(&hook, 3008).await;
    assert_eq!(text(&items[0], "rrule").as_deref(), Some("FREQ=WEEKLY;BYDAY=MO"), "{items:?}");
    assert_eq!(text(&items[0], "status").as_deref(), Some("pending"));
}

#[tokio::test]
async fn an_edit_on_a_finished_task_says_so_at_once() {
    // Issue 10: `/edit` on a finished task says so before asking for a time.
    let hook = Webhook::start().await;
    let ada = Person::english(3009);
    hook.deliver(&private_text(70, &ada, "/task buy milk tomorrow 9am")).await;
    hook.deliver(&private_text(71, &ada, "/done 1")).await;
    hook.deliver(&private_text(72, &ada, "/edit 1")).await;
    hook.deliver(&private_text(73, &ada, "/edit 1 every day at 8")).await;
    hook.deliver(&button_tap(74, &ada, 901, "t:e:1")).await;

    let texts = hook.telegram.sent_texts();
    for text in &texts[2..5] {
        assert!(text.starts_with("☑️ Task #1 <b>buy milk</b> is already finished"), "{text}");
    }
    let items = task_items(&hook, 3009).await;
    assert_eq!(text(&items[0], "status").as_deref(), Some("done"));
    assert_eq!(text(&items[0], "rrule"), None, "a finished task stays as it was");
}

#[tokio::test]
async fn a_new_repetition_by_edit_is_held_to_the_recurring_limit() {
    let hook = Webhook::start_with(|name| (name == "FREE_MAX_RECURRING_TASKS").then(|| "1".into())).await;
    let ada = Person::english(3010);
    hook.deliver(&private_text(80, &ada, "/task stretch every day at 8")).await;
    hook.deliver(&private_text(81, &ada, "/task run tomorrow 7am")).await;
    hook.deliver(&private_text(82, &ada, "/edit 2 every monday 7am")).await;
    hook.deliver(&private_text(83, &ada, "/edit 1 every monday 7am")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[2].starts_with("You have 1 repeating tasks, the most your plan allows"), "{}", texts[2]);
    assert!(texts[3].starts_with("🔁 <b>stretch</b> now repeats every week on Monday."), "{}", texts[3]);
    let items = task_items(&hook, 3010).await;
    assert_eq!(text(&items[1], "rrule"), None, "#2 is left as it was");
}

#[tokio::test]
async fn the_tier_limit_is_explained_when_reached() {
    let hook = Webhook::start_with(|name| match name {
        "FREE_MAX_PENDING_TASKS" => Some("2".into()),
        "FREE_MAX_RECURRING_TASKS" => Some("1".into()),
        _ => None,
    })
    .await;
    let ada = Person::english(3007);
    hook.deliver(&private_text(50, &ada, "/task stretch every day at 8")).await;
    hook.deliver(&private_text(51, &ada, "/task run every monday 7am")).await;
    hook.deliver(&private_text(52, &ada, "/task buy milk")).await;
    hook.deliver(&private_text(53, &ada, "/task buy bread")).await;

    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("You have 1 repeating tasks, the most your plan allows"), "{}", texts[1]);
    assert!(texts[2].starts_with("✅ Task #2 saved"), "{}", texts[2]);
    assert!(texts[3].starts_with("You have 2 pending tasks, the most your plan allows"), "{}", texts[3]);
    assert_eq!(task_items(&hook, 3007).await.len(), 2);
}

#[tokio::test]
async fn a_page_of_the_longest_titles_is_one_message_and_its_taps_edit_it() {
    // Issue 10: 256 "&" escape to 1,280 characters, and five of them split a page.
    let hook = Bot::start().await;
    let ada = Person::english(3020);
    let longest = "&<".repeat(128);
    for i in 0..6u32 {
        hook.deliver(&private_text(10 + i, &ada, &format!("/task {longest} in {} hours", i + 1))).await;
    }
    hook.deliver(&private_text(20, &ada, "/tasks")).await;
    let sent = hook.telegram.successful("sendMessage");
    let list = sent.last().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(list.starts_with("📋 <b>Your tasks</b> (page 1/2)"), "the page is one message: {list}");
    assert!(list.contains("#5 &amp;&lt;") && list.contains("…"), "{list}");
    assert!(list.chars().count() <= 4096, "{}", list.chars().count());

    hook.deliver(&button_tap(21, &ada, 900, "t:p:2")).await;
    hook.deliver(&button_tap(22, &ada, 900, "t:p:1")).await;
    let edits = hook.telegram.successful("editMessageText");
    assert_eq!(edits.len(), 2, "both taps edit the list");
    assert!(edits[0]["text"].as_str().unwrap().contains("#6 &amp;"));
    assert!(edits[1]["text"].as_str().unwrap().contains("#5 &amp;"));
}

#[tokio::test]
async fn an_overdue_task_is_marked_in_the_list() {
    use linklet::domain::{SeenUser, TelegramId, task::NewTask};
    let hook = Bot::start().await;
    let ada = Person::french(3021);
    let seen = SeenUser {
        id: TelegramId(3021),
        username: None,
        first_name: "Ada".into(),
        language_code: Some("fr".into()),
    };
    let now = chrono::Utc::now();
    hook.store().upsert_seen(&seen, now).await.unwrap();
    let missed =
        NewTask { title: "payer le loyer".into(), due: Some(now - chrono::Duration::hours(2)), series: None };
    let limits = linklet::domain::task::TaskLimits { pending: 50, recurring: 10 };
    hook.store().create_task(TelegramId(3021), &missed, limits, now).await.unwrap().unwrap();
    hook.deliver(&private_text(10, &ada, "/task appeler maman demain 9h")).await;

    hook.deliver(&private_text(11, &ada, "/tasks")).await;
    let list = hook.telegram.successful("sendMessage").pop().unwrap()["text"].as_str().unwrap().to_owned();
    let lines: Vec<&str> = list.lines().filter(|l| l.starts_with("n°")).collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("n°1 payer le loyer") && lines[0].ends_with(" ⚠️ en retard"), "{list}");
    assert!(lines[1].starts_with("n°2 appeler maman") && !lines[1].contains("retard"), "{list}");
}
