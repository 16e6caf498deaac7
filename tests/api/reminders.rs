//! The reminder function as EventBridge invokes it, against moto and the fake
//! Bot API: sent once, never twice, late once, within Telegram's limits.

use std::time::Duration;

use chrono::Utc;
use linklet::{
    app::on_schedule,
    domain::{
        SeenUser, TelegramId, TimeZone,
        recurrence::Series,
        task::{NewTask, TaskLimits, TaskNumber, TaskStatus},
    },
    ports::{Tasks, Users},
};
use linklet_tests::{
    Failure, Webhook, load_event,
    updates::{Person, button_tap},
};

const ROOMY: TaskLimits = TaskLimits { pending: 50, recurring: 10 };

async fn user(hook: &Webhook, id: i64, language: &str) {
    let seen = SeenUser {
        id: TelegramId(id),
        username: None,
        first_name: "Ada".into(),
        language_code: Some(language.into()),
    };
    hook.store().upsert_seen(&seen, Utc::now()).await.unwrap();
}

async fn task_due(hook: &Webhook, id: i64, title: &str, ago: chrono::Duration, daily: bool) {
    let due = Utc::now() - ago;
    let series =
        daily.then(|| Series { rule: "FREQ=DAILY".into(), start: due.naive_utc(), tz: TimeZone::UTC });
    let task = NewTask { title: title.into(), due: Some(due), series };
    hook.store().create_task(TelegramId(id), &task, ROOMY, Utc::now()).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_due_reminder_is_sent_once_with_its_buttons() {
    let hook = Webhook::start().await;
    user(&hook, 4001, "en").await;
    task_due(&hook, 4001, "call mom", chrono::Duration::seconds(30), false).await;
    let sweep = hook.reminder_sweep().await;

    let first = on_schedule(&sweep, load_event("scheduled.json")).await.unwrap();
    let second = on_schedule(&sweep, load_event("scheduled.json")).await.unwrap();

    assert_eq!((first.sent, second.sent, second.due), (1, 0, 0));
    let sent = hook.telegram.successful("sendMessage");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], 4001);
    assert_eq!(sent[0]["text"], "⏰ Reminder: <b>call mom</b>");
    let buttons: Vec<&str> = sent[0]["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|b| b["callback_data"].as_str().unwrap()))
        .collect();
    // Each for the occurrence it was sent for (issue 9.4).
    let at = hook
        .store()
        .get_task(TelegramId(4001), TaskNumber(1))
        .await
        .unwrap()
        .unwrap()
        .due
        .unwrap()
        .timestamp();
    assert_eq!(
        buttons,
        [format!("r:d:1:{at}"), format!("r:z:10:1:{at}"), format!("r:z:60:1:{at}"), format!("r:t:1:{at}")]
    );
    let task = hook.store().get_task(TelegramId(4001), TaskNumber(1)).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Pending, "pending until the user says it is done");
}

/// When the fake Bot API received the reminder whose text holds `title`.
fn sent_at(hook: &Webhook, title: &str) -> chrono::DateTime<Utc> {
    let calls = hook.telegram.calls();
    let call = calls
        .iter()
        .find(|c| c.method == "sendMessage" && c.params["text"].as_str().unwrap_or("").contains(title))
        .unwrap_or_else(|| panic!("no reminder for {title}"));
    call.at
}

async fn stored_due(hook: &Webhook, id: i64, number: u32) -> chrono::DateTime<Utc> {
    hook.store().get_task(TelegramId(id), TaskNumber(number)).await.unwrap().unwrap().due.unwrap()
}

#[tokio::test]
async fn what_comes_due_before_the_next_sweep_is_sent_at_its_own_second() {
    let hook = Webhook::start().await;
    user(&hook, 4010, "en").await;
    user(&hook, 4011, "en").await;
    let ahead = |s| -chrono::Duration::seconds(s);
    task_due(&hook, 4010, "first", ahead(1), false).await;
    task_due(&hook, 4011, "second", ahead(2), false).await;
    task_due(&hook, 4010, "third", ahead(3), false).await;
    // After the next sweep starts: that one sends it.
    task_due(&hook, 4011, "later", ahead(90), false).await;
    let dues = [
        ("first", stored_due(&hook, 4010, 1).await),
        ("second", stored_due(&hook, 4011, 1).await),
        ("third", stored_due(&hook, 4010, 2).await),
    ];

    let report = on_schedule(&hook.reminder_sweep().await, load_event("scheduled.json")).await.unwrap();

    assert_eq!((report.due, report.sent, report.left), (3, 3, 0), "{report:?}");
    for (title, due) in dues {
        assert!(sent_at(&hook, title) >= due, "{title} was sent before its time");
    }
    let order: Vec<String> = hook.telegram.sent_texts();
    assert_eq!(
        order,
        ["⏰ Reminder: <b>first</b>", "⏰ Reminder: <b>second</b>", "⏰ Reminder: <b>third</b>"],
        "each at its own second, in the order they come due"
    );
    let later = hook.store().get_task(TelegramId(4011), TaskNumber(2)).await.unwrap().unwrap();
    assert!(later.due.unwrap() > Utc::now(), "left for the sweep that starts before it");
}

#[tokio::test]
async fn a_reminder_added_while_a_sweep_waits_is_sent_by_that_sweep_on_time() {
    let hook = Webhook::start().await;
    user(&hook, 4012, "en").await;
    task_due(&hook, 4012, "stretch", -chrono::Duration::seconds(3), false).await;
    let sweep = hook.reminder_sweep().await.with_reread(Duration::from_millis(300));
    let adding = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        task_due(&hook, 4012, "water", -chrono::Duration::seconds(1), false).await;
    };

    let (report, ()) = tokio::join!(sweep.run(Duration::from_secs(30)), adding);

    let report = report.unwrap();
    assert_eq!((report.due, report.sent), (2, 2), "{report:?}");
    assert_eq!(hook.telegram.sent_texts(), ["⏰ Reminder: <b>water</b>", "⏰ Reminder: <b>stretch</b>"]);
    assert!(sent_at(&hook, "water") >= stored_due(&hook, 4012, 2).await);
}

#[tokio::test]
async fn two_overlapping_sweeps_send_each_reminder_once() {
    let hook = Webhook::start().await;
    for id in 4100..4130 {
        user(&hook, id, "en").await;
        task_due(&hook, id, "stand up", chrono::Duration::seconds(10), false).await;
    }
    let (a, b) = (hook.reminder_sweep().await, hook.reminder_sweep().await);
    let (ra, rb) = tokio::join!(a.run(Duration::from_secs(30)), b.run(Duration::from_secs(30)));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());

    assert_eq!(ra.sent + rb.sent, 30, "{ra:?} {rb:?}");
    let mut chats: Vec<i64> =
        hook.telegram.successful("sendMessage").iter().map(|m| m["chat_id"].as_i64().unwrap()).collect();
    chats.sort();
    assert_eq!(chats, (4100..4130).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_recurring_task_moves_to_its_next_occurrence() {
    let hook = Webhook::start().await;
    user(&hook, 4002, "fr").await;
    task_due(&hook, 4002, "étirements", chrono::Duration::seconds(20), true).await;
    let report = hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!((report.sent, report.late), (1, 0));
    assert_eq!(hook.telegram.sent_texts(), ["⏰ Rappel : <b>étirements</b>"]);
    let task = hook.store().get_task(TelegramId(4002), TaskNumber(1)).await.unwrap().unwrap();
    let next = task.due.unwrap();
    assert!(next > Utc::now() + chrono::Duration::hours(23), "{next}");
}

#[tokio::test]
async fn a_series_missed_during_an_outage_is_sent_once_marked_late() {
    let hook = Webhook::start().await;
    user(&hook, 4003, "en").await;
    task_due(&hook, 4003, "pills", chrono::Duration::days(3), true).await;
    let sweep = hook.reminder_sweep().await;
    let first = sweep.run(Duration::from_secs(30)).await.unwrap();
    let again = sweep.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!((first.sent, first.late, again.sent), (1, 1, 0));
    let texts = hook.telegram.sent_texts();
    assert!(texts[0].starts_with("⏰ Late reminder (it was due"), "{}", texts[0]);
    let task = hook.store().get_task(TelegramId(4003), TaskNumber(1)).await.unwrap().unwrap();
    assert!(task.due.unwrap() > Utc::now(), "the series goes on from now, not from the missed days");
}

#[tokio::test]
async fn telegrams_retry_after_is_honoured() {
    let hook = Webhook::start().await;
    user(&hook, 4004, "en").await;
    task_due(&hook, 4004, "call", chrono::Duration::seconds(5), false).await;
    hook.telegram.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 1 });
    let started = std::time::Instant::now();
    let report = hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!((report.sent, report.throttled), (1, 1));
    assert!(started.elapsed() >= Duration::from_secs(1), "waited retry_after before sending again");
    assert_eq!(hook.telegram.sent_texts().len(), 1);
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_is_marked_and_not_retried() {
    let hook = Webhook::start().await;
    user(&hook, 4005, "en").await;
    task_due(&hook, 4005, "a", chrono::Duration::seconds(5), false).await;
    task_due(&hook, 4005, "b", chrono::Duration::seconds(4), true).await;
    hook.telegram.fail_next("sendMessage", Failure::Blocked);
    let sweep = hook.reminder_sweep().await;
    let first = sweep.run(Duration::from_secs(30)).await.unwrap();
    let second = sweep.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!((first.blocked, first.sent, second.due), (2, 0, 0), "{first:?} {second:?}");
    assert_eq!(hook.telegram.calls().iter().filter(|c| c.method == "sendMessage").count(), 1);
    let user = hook.store().get_user(TelegramId(4005)).await.unwrap().unwrap();
    assert!(user.blocked_at.is_some());
}

#[tokio::test]
async fn the_reminder_buttons_snooze_and_finish_the_task() {
    let hook = Webhook::start().await;
    let ada = Person::english(4006);
    user(&hook, 4006, "en").await;
    task_due(&hook, 4006, "call mom", chrono::Duration::seconds(5), false).await;
    hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();

    hook.deliver(&button_tap(60, &ada, 1001, "r:z:10:1")).await;
    let snoozed = hook.store().get_task(TelegramId(4006), TaskNumber(1)).await.unwrap().unwrap();
    let in_ten = Utc::now() + chrono::Duration::minutes(10);
    assert!((snoozed.due.unwrap() - in_ten).num_seconds().abs() < 30);
    hook.deliver(&button_tap(61, &ada, 1001, "r:d:1")).await;

    let task = hook.store().get_task(TelegramId(4006), TaskNumber(1)).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Done);
    let edits = hook.telegram.successful("editMessageText");
    assert!(edits[0]["text"].as_str().unwrap().starts_with("💤 <b>call mom</b> moved to"));
    assert_eq!(edits[1]["text"], "✅ Done: <b>call mom</b>");
    let toasts = hook.telegram.successful("answerCallbackQuery");
    assert_eq!(toasts[1]["text"], "✅ Done: call mom");
    // Done stops it: the task is off the due list for good.
    let later = hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();
    assert_eq!(later.due, 0);
    assert_eq!(hook.telegram.sent_texts().len(), 1);
}

#[tokio::test]
async fn what_one_sweep_cannot_send_is_left_to_the_next_and_nothing_is_lost() {
    let hook = Webhook::start().await;
    for id in 4200..4210 {
        user(&hook, id, "en").await;
        task_due(&hook, id, "first", chrono::Duration::seconds(20), false).await;
        task_due(&hook, id, "second", chrono::Duration::seconds(10), false).await;
    }
    let sweep = hook.reminder_sweep().await;
    // A budget too short for 20 messages at 25 a second.
    let first = sweep.run(Duration::from_millis(300)).await.unwrap();
    assert!(first.left > 0 && first.sent < 20, "{first:?}");
    let mut sent = first.sent;
    for _ in 0..10 {
        sent += sweep.run(Duration::from_secs(30)).await.unwrap().sent;
    }

    assert_eq!(sent, 20);
    let texts = hook.telegram.successful("sendMessage");
    assert_eq!(texts.len(), 20, "every reminder once");
    // Every user's first reminder went out before anyone's second.
    let firsts = texts.iter().take(10).filter(|m| m["text"].as_str().unwrap().contains("first")).count();
    assert_eq!(firsts, 10);
}

#[tokio::test]
async fn the_last_reminder_of_a_series_marks_it_done() {
    let hook = Webhook::start().await;
    user(&hook, 4007, "en").await;
    let due = Utc::now() - chrono::Duration::seconds(5);
    let series = Series { rule: "FREQ=DAILY;COUNT=1".into(), start: due.naive_utc(), tz: TimeZone::UTC };
    let task = NewTask { title: "last pill".into(), due: Some(due), series: Some(series) };
    hook.store().create_task(TelegramId(4007), &task, ROOMY, Utc::now()).await.unwrap().unwrap();
    let report = hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!(report.sent, 1);
    let task = hook.store().get_task(TelegramId(4007), TaskNumber(1)).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Done);
    assert!(hook.store().pending_tasks(TelegramId(4007)).await.unwrap().is_empty());
}

/// A series due every `seconds` from a few seconds ago, in UTC. Its tests
/// sweep what is due now only: a sweep that reads a minute ahead would send
/// it thirty times.
async fn fast_series_due(hook: &Webhook, id: i64, title: &str, seconds: u32) {
    let due = Utc::now() - chrono::Duration::seconds(3);
    let rule = format!("FREQ=SECONDLY;INTERVAL={seconds}");
    let series = Series { rule, start: due.naive_utc(), tz: TimeZone::UTC };
    let task = NewTask { title: title.into(), due: Some(due), series: Some(series) };
    hook.store().create_task(TelegramId(id), &task, ROOMY, Utc::now()).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_series_goes_on_after_a_403_and_reaches_the_user_once_they_write_again() {
    // Issue 9.2: one 403 used to take the series off the due list for good.
    let hook = Webhook::start().await;
    let ada = Person::english(4010);
    user(&hook, 4010, "en").await;
    fast_series_due(&hook, 4010, "water", 2).await;
    hook.telegram.fail_next("sendMessage", Failure::Blocked);
    let sweep = hook.reminder_sweep().await;
    let refused = sweep.run_due_now(Duration::from_secs(30)).await.unwrap();
    assert_eq!((refused.blocked, refused.sent), (1, 0), "{refused:?}");
    let task = hook.store().get_task(TelegramId(4010), TaskNumber(1)).await.unwrap().unwrap();
    assert!(task.due.unwrap() > Utc::now() - chrono::Duration::seconds(1), "moved on: {:?}", task.due);

    // While blocked, the next occurrence is not sent but the series keeps going.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let while_blocked = sweep.run_due_now(Duration::from_secs(30)).await.unwrap();
    assert_eq!(
        (while_blocked.due, while_blocked.blocked, while_blocked.sent),
        (1, 1, 0),
        "{while_blocked:?}"
    );

    // The user writes again: the next occurrence reaches them.
    hook.deliver(&linklet_tests::updates::private_text(70, &ada, "/help")).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let back = hook.reminder_sweep().await.run_due_now(Duration::from_secs(30)).await.unwrap();
    assert_eq!(back.sent, 1, "{back:?}");
    assert!(hook.telegram.sent_texts().iter().any(|t| t == "⏰ Reminder: <b>water</b>"));
}

#[tokio::test]
async fn a_series_goes_on_after_telegram_refuses_one_reminder() {
    // Issue 9.2: a 400 used to take the series off the due list for good.
    let hook = Webhook::start().await;
    user(&hook, 4011, "en").await;
    fast_series_due(&hook, 4011, "stretch", 2).await;
    hook.telegram.fail_next("sendMessage", Failure::BadRequest("Bad Request: message is too long".into()));
    let sweep = hook.reminder_sweep().await;
    let refused = sweep.run_due_now(Duration::from_secs(30)).await.unwrap();
    assert_eq!((refused.failed, refused.sent), (1, 0), "{refused:?}");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let next = sweep.run_due_now(Duration::from_secs(30)).await.unwrap();
    assert_eq!(next.sent, 1, "the next occurrence is sent: {next:?}");
}

#[tokio::test]
async fn a_banned_user_gets_no_reminders_and_their_series_waits() {
    // Issue 9.6: banned users still got their reminders.
    let hook = Webhook::start().await;
    user(&hook, 4012, "en").await;
    task_due(&hook, 4012, "one-off", chrono::Duration::seconds(5), false).await;
    task_due(&hook, 4012, "daily", chrono::Duration::seconds(4), true).await;
    let ban = linklet::domain::UserPatch { banned: Some(true), ..Default::default() };
    hook.store().patch_user(TelegramId(4012), &ban, Utc::now()).await.unwrap();
    let report = hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();

    assert_eq!((report.due, report.sent), (2, 0), "{report:?}");
    assert!(hook.telegram.successful("sendMessage").is_empty());
    let daily = hook.store().get_task(TelegramId(4012), TaskNumber(2)).await.unwrap().unwrap();
    assert!(daily.due.unwrap() > Utc::now() + chrono::Duration::hours(23), "the series moved on");
}
