//! Issue 9's failure paths through the webhook, the reminder sweep and the
//! jobs function: extreme input, a retry after a committed change, a second
//! tap, the other user in a group, a switched time zone.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::Duration;

use chrono::Utc;
use linklet::{
    domain::{
        SeenUser, TelegramId, TimeZone, recurrence::Series, task::NewTask, task::TaskLimits, task::TaskNumber,
    },
    ports::{Tasks, Users},
};
use linklet_local::fake_ai::FakeAi;
use linklet_tests::{
    Bot, Failure, Webhook,
    updates::{Person, button_tap, group_button_tap, group_text, private_text},
};
use serde_json::Value;

const ROOMY: TaskLimits = TaskLimits { pending: 50, recurring: 10 };

fn buttons(message: &Value) -> Vec<String> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .flat_map(|row| {
                    row.as_array().unwrap().iter().map(|b| b["callback_data"].as_str().unwrap().to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn pending_count(hook: &Bot, user: i64) -> usize {
    hook.store().pending_tasks(TelegramId(user)).await.unwrap().len()
}

#[tokio::test]
async fn a_date_past_the_horizon_is_refused_and_the_webhook_keeps_answering() {
    // Issue 9.1: this text overflowed chrono and aborted the whole function.
    let hook = Bot::start().await;
    let ada = Person::english(9101);
    hook.deliver(&private_text(1, &ada, "/settings timezone America/New_York")).await;
    let refused = hook.deliver(&private_text(2, &ada, "/task pay the bill 31/12/262142 11pm")).await;
    let after = hook.deliver(&private_text(3, &ada, "/help")).await;

    assert_eq!((refused.status, after.status), (200, 200));
    let texts = hook.telegram.sent_texts();
    assert!(texts[1].starts_with("That is more than ten years away, so nothing was saved"), "{}", texts[1]);
    assert!(texts[2].contains("/task"), "/help answered: {}", texts[2]);
    assert_eq!(pending_count(&hook, 9101).await, 0);
}

#[tokio::test]
async fn a_task_whose_reply_failed_is_created_once_and_the_reply_comes_with_the_redelivery() {
    // Issue 9.3: the claim was released after the task was stored, so the
    // redelivery stored a second task.
    let hook = Bot::start().await;
    let ada = Person::english(9102);
    hook.deliver(&private_text(1, &ada, "/start")).await;
    hook.telegram.fail_next("sendMessage", Failure::ServerError);
    let update = private_text(2, &ada, "/task renew passport next monday 10am");
    let first = hook.deliver(&update).await;
    assert_eq!(first.status, 503, "Telegram is asked to deliver it again");
    assert_eq!(pending_count(&hook, 9102).await, 1);

    let again = hook.deliver(&update).await;
    let third = hook.deliver(&update).await;
    assert_eq!((again.status, third.status), (200, 200));
    assert_eq!(pending_count(&hook, 9102).await, 1, "one task, however often it is delivered");
    let confirmations: Vec<String> =
        hook.telegram.sent_texts().into_iter().filter(|t| t.starts_with("✅ Task #")).collect();
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert!(confirmations[0].starts_with("✅ Task #1 saved: <b>renew passport</b>"), "{}", confirmations[0]);
}

#[tokio::test]
async fn a_reply_telegram_keeps_refusing_for_now_waits_for_the_next_redelivery() {
    let hook = Bot::start().await;
    let ada = Person::english(9103);
    hook.deliver(&private_text(1, &ada, "/start")).await;
    hook.telegram.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 1 });
    hook.telegram.fail_next("sendMessage", Failure::ServerError);
    let update = private_text(2, &ada, "/task water plants tomorrow 8am");
    assert_eq!(hook.deliver(&update).await.status, 503);
    assert_eq!(hook.deliver(&update).await.status, 503, "still held");
    assert_eq!(hook.deliver(&update).await.status, 200);

    assert_eq!(pending_count(&hook, 9103).await, 1);
    let saved = hook.telegram.sent_texts().iter().filter(|t| t.starts_with("✅ Task #1 saved")).count();
    assert_eq!(saved, 1);
}

#[tokio::test]
async fn done_tapped_twice_or_on_an_old_reminder_never_skips_the_next_occurrence() {
    // Issue 9.4: every Done tap moved the series one occurrence further.
    let hook = Webhook::start().await;
    let ada = Person::english(9104);
    let seen = SeenUser {
        id: TelegramId(9104),
        username: None,
        first_name: "Ada".into(),
        language_code: Some("en".into()),
    };
    hook.store().upsert_seen(&seen, Utc::now()).await.unwrap();
    let due = Utc::now() - chrono::Duration::seconds(5);
    let series = Series { rule: "FREQ=DAILY".into(), start: due.naive_utc(), tz: TimeZone::UTC };
    let task = NewTask { title: "pills".into(), due: Some(due), series: Some(series) };
    hook.store().create_task(TelegramId(9104), &task, ROOMY, Utc::now()).await.unwrap().unwrap();
    hook.reminder_sweep().await.run(Duration::from_secs(30)).await.unwrap();
    let next = hook.store().get_task(TelegramId(9104), TaskNumber(1)).await.unwrap().unwrap().due.unwrap();
    let reminder = hook.telegram.successful("sendMessage").remove(0);
    let done = buttons(&reminder)[0].clone();
    assert_eq!(done, format!("r:d:1:{}", due.timestamp()));

    hook.deliver(&button_tap(10, &ada, 500, &done)).await;
    hook.deliver(&button_tap(11, &ada, 500, &done)).await;

    let task = hook.store().get_task(TelegramId(9104), TaskNumber(1)).await.unwrap().unwrap();
    assert_eq!(task.due, Some(next), "tomorrow's occurrence is still the next one");
    let toasts: Vec<String> = hook
        .telegram
        .successful("answerCallbackQuery")
        .iter()
        .map(|a| a["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(toasts[0].starts_with("✅ Done: pills. Next time:"), "{toasts:?}");
    assert_eq!(toasts[1], "☑️ Already done: pills");
}

#[tokio::test]
async fn in_a_group_a_button_acts_only_for_the_user_it_was_made_for() {
    // Issue 9.5: B pressing A's list deleted B's own task and showed B's tasks to the group.
    let hook = Bot::start().await;
    let (ada, bob) = (Person::english(9105), Person::english(9106));
    let group = -100_9105;
    hook.deliver(&group_text(1, group, &ada, "/task buy milk")).await;
    hook.deliver(&group_text(2, group, &bob, "/task fix bike")).await;
    hook.deliver(&group_text(3, group, &ada, "/tasks")).await;
    let list = hook.telegram.successful("sendMessage").pop().unwrap();
    let delete = buttons(&list).into_iter().find(|b| b.starts_with("t:x:1:")).unwrap();
    assert_eq!(delete, "t:x:1:1~9105", "stamped with its owner");

    hook.deliver(&group_button_tap(4, group, &bob, 77, &delete)).await;

    assert_eq!((pending_count(&hook, 9105).await, pending_count(&hook, 9106).await), (1, 1));
    assert!(hook.telegram.successful("editMessageText").is_empty(), "A's list is left alone");
    let toast = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "This button belongs to someone else's message.");

    // Ada's own tap works.
    hook.deliver(&group_button_tap(5, group, &ada, 77, &delete)).await;
    assert_eq!(pending_count(&hook, 9105).await, 0);
}

#[tokio::test]
async fn a_title_over_the_limit_is_refused_before_anything_is_stored() {
    // Issue 9.12: a 14,567-character title went through, then broke Telegram's limits.
    let hook = Bot::start().await;
    let ada = Person::english(9107);
    let title = "x".repeat(14_567);
    hook.deliver(&private_text(1, &ada, &format!("/task {title} tomorrow 9am"))).await;

    assert_eq!(
        hook.telegram.sent_texts()[0],
        "That task is too long: keep it under 256 characters. Nothing was saved."
    );
    assert_eq!(pending_count(&hook, 9107).await, 0);

    // A long title stored before the cap still fits Telegram's limits on a tap.
    let old = NewTask { title: "word ".repeat(400), due: None, series: None };
    hook.store().create_task(TelegramId(9107), &old, ROOMY, Utc::now()).await.unwrap().unwrap();
    hook.deliver(&button_tap(2, &ada, 90, "t:d:1:1")).await;
    let toast = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert!(toast["text"].as_str().unwrap().chars().count() <= 200, "{toast}");
    let edit = hook.telegram.successful("editMessageText").pop().unwrap();
    assert!(edit["text"].as_str().unwrap().chars().count() <= 4096);
}

#[tokio::test]
async fn a_time_that_cannot_be_read_after_change_time_ends_the_wait() {
    // Issue 9.13: the next unrelated message got "I couldn't read the time".
    let hook = Bot::start().await;
    let ada = Person::english(9108);
    hook.deliver(&private_text(1, &ada, "/task call mom tomorrow 9am")).await;
    hook.deliver(&button_tap(2, &ada, 2, "t:e:1")).await;
    hook.deliver(&private_text(3, &ada, "whenever suits")).await;
    hook.deliver(&private_text(4, &ada, "thanks")).await;

    let texts = hook.telegram.sent_texts();
    let failed = &texts[texts.len() - 2];
    assert!(failed.starts_with("I couldn't read the time"), "{failed}");
    assert!(
        failed.ends_with("Task #1 keeps its time. To change it: <code>/edit 1 tomorrow 9am</code>."),
        "{failed}"
    );
    assert!(!texts.last().unwrap().starts_with("I couldn't read the time"), "{:?}", texts.last());

    // Same for a time zone typed after "Other…" (by a user who has one: until
    // then, a place typed on its own is read as the answer to /start's question).
    hook.deliver(&private_text(5, &ada, "/settings timezone Asia/Tokyo")).await;
    hook.deliver(&button_tap(6, &ada, 3, "s:tz:?")).await;
    hook.deliver(&private_text(7, &ada, "Atlantis")).await;
    hook.deliver(&private_text(8, &ada, "Europe/Paris")).await;
    let user = hook.store().get_user(TelegramId(9108)).await.unwrap().unwrap();
    assert_eq!(
        user.timezone.map(|z| z.name()),
        Some("Asia/Tokyo"),
        "the second message was not read as a zone"
    );
    assert_eq!(user.awaiting, None);
}

const KEY: &str = "sk-hardening-key";

async fn with_assistant(fake: &FakeAi, per_day: &'static str) -> Webhook {
    let url = fake.url();
    Webhook::start_with(move |name| match name {
        "OPENAI_API_KEY" => Some(KEY.into()),
        "OPENAI_BASE_URL" => Some(url.clone()),
        "FREE_AI_QUESTIONS_PER_DAY" => Some(per_day.into()),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn switching_time_zone_gives_no_more_ai_questions() {
    // Issue 9.7: the quota was counted per local date, so a zone a day away reset it.
    let fake = FakeAi::start(KEY).await.unwrap();
    let hook = with_assistant(&fake, "1").await;
    let ada = Person::english(9109);
    hook.deliver(&private_text(1, &ada, "/settings timezone Pacific/Kiritimati")).await;
    hook.deliver(&private_text(2, &ada, "/ask first question")).await;
    hook.deliver(&private_text(3, &ada, "/settings timezone Pacific/Pago_Pago")).await;
    hook.deliver(&private_text(4, &ada, "/ask second question")).await;

    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 1, "only the first was queued");
    let last = hook.telegram.sent_texts().pop().unwrap();
    assert!(last.starts_with("You have asked your 1 questions for today"), "{last}");
    assert!(last.contains("midnight UTC"), "{last}");
}

#[tokio::test]
async fn a_question_queued_before_a_ban_is_not_answered() {
    // Issue 9.6: a banned user's queued AI jobs still ran.
    let fake = FakeAi::start(KEY).await.unwrap();
    let hook = with_assistant(&fake, "5").await;
    let ada = Person::english(9110);
    hook.deliver(&private_text(1, &ada, "/ask hello there")).await;
    let ban = linklet::domain::UserPatch { banned: Some(true), ..Default::default() };
    hook.store().patch_user(TelegramId(9110), &ban, Utc::now()).await.unwrap();
    let jobs = hook.jobs_function().await;
    let (_, failed) = hook.run_jobs(&jobs, &hook.ai_queue).await;

    assert!(failed.is_empty());
    assert!(hook.telegram.sent_texts().is_empty(), "{:?}", hook.telegram.sent_texts());
    assert_eq!(hook.queue_depth(&hook.ai_queue.url).await, 0, "done with, not retried");
}

/// A messenger that panics when asked to send one chat its help or its
/// stats: a handler that blows up midway, after its update or job was claimed.
struct PanicsFor(i64, linklet::adapters::telegram::TelegramMessenger);

#[async_trait::async_trait]
impl linklet::ports::Messenger for PanicsFor {
    async fn send(
        &self,
        chat: linklet::ports::ChatId,
        message: &linklet::ports::OutMessage,
    ) -> Result<(), linklet::ports::MessengerError> {
        let doomed = ["What I can do", "<b>Users</b>"].iter().any(|t| message.html.contains(t));
        assert!(!(doomed && chat.0 == self.0), "a handler bug (this panic is the test's)");
        self.1.send(chat, message).await
    }
    async fn post(
        &self,
        chat: linklet::ports::ChatId,
        message: &linklet::ports::OutMessage,
    ) -> Result<i32, linklet::ports::MessengerError> {
        self.1.post(chat, message).await
    }
    async fn edit(
        &self,
        chat: linklet::ports::ChatId,
        message_id: i32,
        message: &linklet::ports::OutMessage,
    ) -> Result<(), linklet::ports::MessengerError> {
        self.1.edit(chat, message_id, message).await
    }
    async fn answer_callback(
        &self,
        id: &str,
        toast: Option<&str>,
    ) -> Result<(), linklet::ports::MessengerError> {
        self.1.answer_callback(id, toast).await
    }
    async fn delete(
        &self,
        chat: linklet::ports::ChatId,
        message_id: i32,
    ) -> Result<(), linklet::ports::MessengerError> {
        self.1.delete(chat, message_id).await
    }
    async fn typing(&self, chat: linklet::ports::ChatId) -> Result<(), linklet::ports::MessengerError> {
        self.1.typing(chat).await
    }
    async fn bot_username(&self) -> Result<String, linklet::ports::MessengerError> {
        self.1.bot_username().await
    }
}

/// Issue 9.1's last line of defence, with a handler that truly panics: the
/// update or job that panicked is acknowledged for good (its claim completed,
/// never run again), and the updates and jobs around it are handled.
#[tokio::test]
async fn a_panic_while_handling_one_update_or_job_takes_nothing_else_down() {
    use std::sync::Arc;

    use linklet::{
        bot::{Dispatched, Dispatcher},
        domain::job::{Job, JobId, StatsPage, UserCounts, Work},
        ports::{Claim, ClaimKey, Claims},
        services::Deps,
        services::jobs::{Attempt, JobOutcome, JobRunner},
    };

    let hook = Webhook::start().await;
    let telegram = linklet::adapters::telegram::TelegramMessenger::new(
        &linklet_tests::BOT_TOKEN.to_owned().into(),
        &hook.telegram.url(),
        None,
        Duration::from_secs(10),
    )
    .unwrap();
    let store = Arc::new(hook.store());
    let deps = Deps::new(
        store.clone(),
        Arc::new(PanicsFor(666, telegram)),
        Arc::new(linklet_local::jobs::in_process_queue().0),
        Default::default(),
    );
    let dispatcher = Dispatcher::new(deps.clone());
    let dispatch = async |id: u32, person: &Person| {
        let update = serde_json::from_str(&private_text(id, person, "/help").to_string()).unwrap();
        dispatcher.dispatch(&update).await.unwrap()
    };
    let (doomed, ada) = (Person::english(666), Person::english(667));

    assert_eq!(dispatch(1, &doomed).await, Dispatched::Failed);
    let told = hook.telegram.successful("sendMessage").last().unwrap().clone();
    assert_eq!(told["chat_id"], 666);
    assert!(told["text"].as_str().unwrap().contains("went wrong"), "the user is told: {told}");
    assert_eq!(dispatch(2, &ada).await, Dispatched::Handled);
    assert!(hook.telegram.sent_texts().last().unwrap().contains("What I can do"));
    // Its redelivery does nothing: the claim was completed, not left in progress.
    assert_eq!(dispatch(1, &doomed).await, Dispatched::Duplicate);
    let now = Utc::now();
    let key = ClaimKey::update(linklet::domain::UpdateId(1));
    assert!(matches!(store.claim(&key, now, Duration::from_secs(60)).await.unwrap(), Claim::Completed(_)));

    let runner = JobRunner::new(deps, None);
    let stats_for = |chat: i64| Job {
        id: JobId(format!("stats-{chat}")),
        work: Work::Stats(StatsPage {
            stats: format!("stats-{chat}"),
            admin_chat: linklet::domain::ChatId(chat),
            at: now.timestamp(),
            tier: linklet::domain::Tier::Free,
            after: None,
            page: 0,
            counts: UserCounts::default(),
        }),
    };
    let first = Attempt::of(1, 5);
    assert_eq!(runner.run(&stats_for(666), first).await, JobOutcome::Failed, "failed for good, not retried");
    assert_eq!(runner.run(&stats_for(667), first).await, JobOutcome::Done, "the next job runs");
    assert!(hook.telegram.sent_texts().last().unwrap().contains("<b>Users</b>: 2"));
    assert_eq!(runner.run(&stats_for(666), first).await, JobOutcome::Duplicate, "never run again");
}
