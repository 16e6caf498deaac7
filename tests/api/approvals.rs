//! Approval and wait steps: the run parks (⏸ on its card) until its owner
//! taps Approve or Reject, or until its time comes; anyone else's tap, a
//! second tap and a tap after the timeout change nothing but say so.

use linklet::{
    domain::{
        TelegramId,
        job::{ResumeJob, StepJob},
        workflow::{WorkflowNumber, run::RunStatus},
    },
    ports::Workflows as _,
};
use linklet_tests::{
    Bot, Webhook,
    updates::{Person, button_tap, private_text},
};
use serde_json::{Value, json};

fn deploy(approval: Value) -> String {
    json!({
        "linklet_workflow": 1,
        "name": "Deploy",
        "triggers": [{ "kind": "command", "name": "deploy" }],
        "steps": [
            approval,
            { "name": "go", "kind": "send_message", "text": "Deploying {{ trigger.text }} (approved by {{ steps.ask.output.by }})" },
        ],
    })
    .to_string()
}

fn ask() -> Value {
    json!({ "name": "ask", "kind": "approval", "text": "Deploy {{ trigger.text }} to production?" })
}

/// The approval question: its message id and its buttons' data.
fn question(bot: &Bot) -> (i64, String, String) {
    let sent = bot.telegram.successful("sendMessage");
    let asked = sent.iter().rev().find(|p| p["text"].as_str().unwrap_or_default().starts_with("❓")).unwrap();
    let buttons = &asked["reply_markup"]["inline_keyboard"][0];
    assert_eq!(
        (buttons[0]["text"].as_str(), buttons[1]["text"].as_str()),
        (Some("✅ Approve"), Some("❌ Reject"))
    );
    let data = |i: usize| buttons[i]["callback_data"].as_str().unwrap().to_owned();
    (asked["sent_message_id"].as_i64().unwrap(), data(0), data(1))
}

fn toast(bot: &Bot) -> String {
    bot.telegram.successful("answerCallbackQuery").pop().unwrap()["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_approval_parks_the_run_until_its_owner_approves_once() {
    let bot = Bot::start().await;
    let (ada, eve) = (Person::english(9501), Person::english(9502));
    bot.deliver(&private_text(1, &ada, &deploy(ask()))).await;
    bot.deliver(&private_text(2, &ada, "/deploy v2")).await;
    bot.eventually("the question", |t| t.sent_texts().contains(&"❓ Deploy v2 to production?".to_owned()))
        .await;
    let (message, approve, _) = question(&bot);
    bot.eventually("the card waits", |t| {
        t.successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap().starts_with("⏸ <b>Deploy</b>"))
    })
    .await;
    let run = bot.store().recent_runs(TelegramId(9501), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Waiting);

    // Someone else's tap (a forwarded message, a guessed button) does nothing.
    bot.deliver(&button_tap(3, &eve, message, &approve)).await;
    assert_eq!(toast(&bot), "Only the workflow's owner can answer this.");
    assert!(!bot.telegram.sent_texts().iter().any(|t| t.starts_with("Deploying")));

    bot.deliver(&button_tap(4, &ada, message, &approve)).await;
    bot.eventually("the deploy", |t| t.sent_texts().contains(&"Deploying v2 (approved by Ada)".to_owned()))
        .await;
    let answered =
        bot.telegram.successful("editMessageText").into_iter().rfind(|p| p["message_id"] == message).unwrap();
    assert_eq!(answered["text"], "❓ Deploy v2 to production?\n✅ Approved by Ada.");
    assert!(answered["reply_markup"]["inline_keyboard"].as_array().is_none_or(Vec::is_empty), "{answered}");

    // A second tap: nothing more.
    bot.deliver(&button_tap(5, &ada, message, &approve)).await;
    assert_eq!(toast(&bot), "Already answered, or no longer waiting: nothing changed.");
    bot.eventually("the run's end", |_| {
        bot.telegram
            .successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap().starts_with("✅ <b>Deploy</b>"))
    })
    .await;
    assert_eq!(bot.telegram.sent_texts().iter().filter(|t| t.starts_with("Deploying")).count(), 1);
}

#[tokio::test]
async fn a_rejection_ends_the_run_succeeded_with_the_rest_skipped() {
    let bot = Bot::start().await;
    let ada = Person::french(9503);
    bot.deliver(&private_text(1, &ada, &deploy(ask()))).await;
    bot.deliver(&private_text(2, &ada, "/deploy v3")).await;
    bot.eventually("the question", |t| t.sent_texts().iter().any(|s| s.starts_with("❓ Deploy v3"))).await;
    let sent = bot.telegram.successful("sendMessage");
    let asked = sent.iter().rev().find(|p| p["text"].as_str().unwrap_or_default().starts_with("❓")).unwrap();
    let buttons = &asked["reply_markup"]["inline_keyboard"][0];
    assert_eq!(buttons[1]["text"], "❌ Refuser");
    let (message, reject) =
        (asked["sent_message_id"].as_i64().unwrap(), buttons[1]["callback_data"].as_str().unwrap());
    bot.deliver(&button_tap(3, &ada, message, reject)).await;
    bot.eventually("the run's end", |_| {
        bot.telegram
            .successful("editMessageText")
            .iter()
            .any(|p| p["text"].as_str().unwrap().starts_with("✅ <b>Deploy</b>"))
    })
    .await;
    let run = bot.store().recent_runs(TelegramId(9503), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(run.steps[0].output.as_ref().unwrap()["approved"], false);
    assert!(!bot.telegram.sent_texts().iter().any(|t| t.starts_with("Deploying")));
    let answered =
        bot.telegram.successful("editMessageText").into_iter().rfind(|p| p["message_id"] == message).unwrap();
    assert_eq!(answered["text"], "❓ Deploy v3 to production?\n❌ Refusé par Camille.");
}

/// The wake-up job the engine queues for a parked step, as the queue
/// delivers it once its time has come (`at` reached) or before (`at` ahead).
async fn deliver_wake_up(hook: &Webhook, user: i64, at: chrono::DateTime<chrono::Utc>, hop: u32) {
    let run = hook.store().recent_runs(TelegramId(user), WorkflowNumber(1), 1).await.unwrap().remove(0);
    let step = StepJob {
        user: TelegramId(user),
        workflow: WorkflowNumber(1),
        run: run.id,
        step: 0,
        attempt: run.attempt,
    };
    let body = serde_json::to_string(&ResumeJob { step, at: at.timestamp(), hop }.job()).unwrap();
    hook.sqs.send_message().queue_url(&hook.integration_queue.url).message_body(body).send().await.unwrap();
}

#[tokio::test]
async fn an_approval_times_out_with_its_default_and_a_later_tap_changes_nothing() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9504);
    let timed = json!({ "name": "ask", "kind": "approval", "text": "Ship it?", "timeout": "2 hours", "default": "approve" });
    hook.deliver(&private_text(1, &ada, &deploy(timed))).await;
    hook.deliver(&private_text(2, &ada, "/deploy v4")).await;
    hook.run_jobs(&jobs, &hook.integration_queue).await;
    assert!(hook.telegram.sent_texts().contains(&"❓ Ship it?".to_owned()));
    // The engine queued its wake-up (delayed); deliver one early: another hop, nothing settled.
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 1);
    deliver_wake_up(&hook, 9504, chrono::Utc::now() + chrono::Duration::hours(1), 3).await;
    hook.run_jobs(&jobs, &hook.integration_queue).await;
    let run = hook.store().recent_runs(TelegramId(9504), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Waiting, "not yet");
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 2, "the next hop is queued (delayed)");

    // Its time has come: the default (approve) applies and the run goes on.
    deliver_wake_up(&hook, 9504, chrono::Utc::now() - chrono::Duration::seconds(1), 9).await;
    for _ in 0..3 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
    }
    let run = hook.store().recent_runs(TelegramId(9504), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.steps[0].output.as_ref().unwrap()["timed_out"], true);
    // Nobody answered: `by` is empty.
    assert!(hook.telegram.sent_texts().contains(&"Deploying v4 (approved by )".to_owned()));

    // A tap after the timeout.
    let sent = hook.telegram.successful("sendMessage");
    let asked = sent.iter().find(|p| p["text"] == "❓ Ship it?").unwrap();
    let data = asked["reply_markup"]["inline_keyboard"][0][1]["callback_data"].as_str().unwrap();
    hook.deliver(&button_tap(3, &ada, asked["sent_message_id"].as_i64().unwrap(), data)).await;
    let toast = hook.telegram.successful("answerCallbackQuery").pop().unwrap();
    assert_eq!(toast["text"], "Already answered, or no longer waiting: nothing changed.");
}

#[tokio::test]
async fn a_wait_parks_the_run_and_its_wake_up_goes_on() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9505);
    let doc = json!({
        "linklet_workflow": 1,
        "name": "Later",
        "triggers": [{ "kind": "command", "name": "later" }],
        "steps": [
            { "name": "pause", "kind": "wait", "for": "3 days" },
            { "name": "remind", "kind": "send_message", "text": "3 days later: {{ trigger.text }}" },
        ],
    });
    hook.deliver(&private_text(1, &ada, &doc.to_string())).await;
    hook.deliver(&private_text(2, &ada, "/later renew the domain")).await;
    hook.run_jobs(&jobs, &hook.integration_queue).await;
    let run = hook.store().recent_runs(TelegramId(9505), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Waiting);
    let until = run.steps[0].output.as_ref().unwrap()["until"].as_str().unwrap().to_owned();
    let until = chrono::DateTime::parse_from_rfc3339(&until).unwrap();
    assert!((until.to_utc() - chrono::Utc::now() - chrono::Duration::days(3)).num_seconds().abs() < 60);
    deliver_wake_up(&hook, 9505, chrono::Utc::now(), 9).await;
    for _ in 0..3 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
    }
    assert!(hook.telegram.sent_texts().contains(&"3 days later: renew the domain".to_owned()));
    let run = hook.store().recent_runs(TelegramId(9505), WorkflowNumber(1), 1).await.unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Succeeded);

    // A wait of more than 7 days is refused when saved.
    let long = doc.to_string().replace("3 days", "8 days").replace("\"later\"", "\"longer\"");
    hook.deliver(&private_text(3, &ada, &long)).await;
    assert!(
        hook.telegram.last_text().contains("<code>steps[0].for</code> is not valid: more than 7 days away"),
        "{}",
        hook.telegram.last_text()
    );
}
