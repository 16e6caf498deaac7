//! Schedule triggers on the minute sweep, as the reminder function runs it
//! (the EventBridge event, DynamoDB and SQS on moto): a due schedule starts
//! one run, queued not run inline, however many sweeps overlap; it moves to
//! its next wall-clock occurrence; one missed during an outage runs once,
//! marked late; too frequent a schedule is refused for the tier.

use chrono::{Duration, Timelike as _, Utc};
use linklet::{
    app::on_schedule,
    domain::{
        TelegramId, TimeZone,
        workflow::{WorkflowNumber, run::RunStatus},
    },
    ports::Workflows as _,
};
use linklet_tests::{
    Webhook, load_event,
    updates::{Person, private_text},
};
use serde_json::json;

fn scheduled(every: &str, text: &str) -> String {
    json!({
        "linklet_workflow": 1,
        "name": "Morning",
        "triggers": [{ "kind": "schedule", "every": every }],
        "steps": [{ "name": "hello", "kind": "send_message", "text": text }],
    })
    .to_string()
}

/// Puts workflow 1's next run at `ago` before now, as if that time had come.
async fn due_since(hook: &Webhook, user: i64, ago: Duration) {
    let store = hook.store();
    let workflow = store.get_workflow(TelegramId(user), WorkflowNumber(1)).await.unwrap().unwrap();
    let mut moved = workflow.clone();
    moved.schedule.as_mut().unwrap().next = (Utc::now() - ago).with_nanosecond(0).unwrap();
    assert!(store.update_workflow(&moved, workflow.version).await.unwrap());
}

#[tokio::test]
async fn a_due_schedule_starts_one_run_however_many_sweeps_overlap_and_moves_to_its_next_time() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9301);
    hook.deliver(&private_text(1, &ada, "/settings timezone Europe/Paris")).await;
    hook.deliver(&private_text(2, &ada, &scheduled("every day at 8", "Good morning {{ user.name }}"))).await;
    let saved = hook.telegram.last_text();
    assert!(saved.contains("Started by the schedule “every day at 8”"), "{saved}");
    due_since(&hook, 9301, Duration::seconds(20)).await;

    let (one, two) = (hook.reminder_sweep().await, hook.reminder_sweep().await);
    let (a, b) = tokio::join!(
        on_schedule(&one, load_event("scheduled.json")),
        on_schedule(&two, load_event("scheduled.json"))
    );
    let (a, b) = (a.unwrap().schedules, b.unwrap().schedules);
    assert_eq!(a.started + b.started, 1, "{a:?} {b:?}");
    let again = on_schedule(&one, load_event("scheduled.json")).await.unwrap().schedules;
    assert_eq!((again.due, again.started), (0, 0), "moved on: nothing due any more");
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 1, "queued, not run inline");

    hook.run_jobs(&jobs, &hook.integration_queue).await;
    assert_eq!(hook.telegram.sent_texts().iter().filter(|t| *t == "Good morning Ada").count(), 1);
    let runs = hook.store().recent_runs(TelegramId(9301), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(
        (runs.len(), runs[0].status, runs[0].trigger.kind.as_str()),
        (1, RunStatus::Succeeded, "schedule")
    );
    assert!(!runs[0].trigger.late);
    // The next run is at 08:00 on Paris's clock.
    let workflow = hook.store().get_workflow(TelegramId(9301), WorkflowNumber(1)).await.unwrap().unwrap();
    let next = workflow.schedule.unwrap().next;
    let paris = TimeZone::parse("Europe/Paris").unwrap();
    assert_eq!(next.with_timezone(&paris.tz()).format("%H:%M").to_string(), "08:00");
    assert!(next > Utc::now());
}

#[tokio::test]
async fn an_occurrence_missed_during_an_outage_runs_once_marked_late() {
    let hook = Webhook::start().await;
    let jobs = hook.jobs_function().await;
    let ada = Person::english(9302);
    hook.deliver(&private_text(1, &ada, &scheduled("every 15 minutes", "tick {{ trigger.late }}"))).await;
    // Three hours down: twelve occurrences missed.
    due_since(&hook, 9302, Duration::hours(3)).await;
    let report =
        on_schedule(&hook.reminder_sweep().await, load_event("scheduled.json")).await.unwrap().schedules;
    assert_eq!((report.due, report.started, report.late), (1, 1, 1), "{report:?}");
    hook.run_jobs(&jobs, &hook.integration_queue).await;
    assert_eq!(
        hook.telegram.sent_texts().iter().filter(|t| t.starts_with("tick")).collect::<Vec<_>>(),
        ["tick True"]
    );
    let runs = hook.store().recent_runs(TelegramId(9302), WorkflowNumber(1), 10).await.unwrap();
    assert!(runs[0].trigger.late);
    let next = hook
        .store()
        .get_workflow(TelegramId(9302), WorkflowNumber(1))
        .await
        .unwrap()
        .unwrap()
        .schedule
        .unwrap()
        .next;
    assert!(next > Utc::now() && next <= Utc::now() + Duration::minutes(15), "{next}");
}

#[tokio::test]
async fn a_schedule_more_often_than_the_tier_allows_or_unreadable_is_refused() {
    let hook = Webhook::start().await;
    let ada = Person::english(9303);
    hook.deliver(&private_text(1, &ada, &scheduled("every 2 minutes", "x"))).await;
    let refused = hook.telegram.last_text();
    assert!(
        refused.starts_with(
            "⚠️ Not saved: the schedule “every 2 minutes”: your plan allows at most one run every 5 minutes."
        ),
        "{refused}"
    );
    hook.deliver(&private_text(2, &ada, &scheduled("when pigs fly", "x"))).await;
    assert!(
        hook.telegram.last_text().contains("“when pigs fly”: I could not read it"),
        "{}",
        hook.telegram.last_text()
    );
    hook.deliver(&private_text(3, &ada, &scheduled("cron 0 8 * * 1-5", "x"))).await;
    assert!(
        hook.telegram.last_text().starts_with("✅ Workflow <b>#1 Morning</b> saved."),
        "{}",
        hook.telegram.last_text()
    );
    assert_eq!(hook.store().workflows(TelegramId(9303)).await.unwrap().len(), 1);
}
