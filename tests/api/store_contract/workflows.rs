//! The contract's cases for workflows, their trigger map and their runs.

use std::sync::Arc;

use chrono::Duration;
use linklet::{
    domain::{
        ChatId, TelegramId,
        workflow::{
            Definition, NewWorkflow, StepDef, TooManyWorkflows, Trigger, TriggerRef, Word, WorkflowNumber,
            run::{Fired, Report, Run, RunStatus},
        },
    },
    ports::Store,
};

use super::{at, seen};

fn definition(name: &str, command: &str) -> Definition {
    Definition {
        name: name.into(),
        description: "says hello".into(),
        triggers: vec![Trigger::Command { name: command.into() }, Trigger::Keyword { phrase: "Café".into() }],
        steps: vec![StepDef {
            name: "hello".into(),
            kind: "send_message".into(),
            fields: serde_json::json!({ "text": "Hello {{ user.name }}" }).as_object().unwrap().clone(),
        }],
    }
}

fn new(definition: Definition, active: bool) -> NewWorkflow {
    NewWorkflow { definition, active, schedule: None }
}

fn words(refs: &[TriggerRef]) -> Vec<(u32, Word)> {
    refs.iter().map(|r| (r.workflow.0, r.word.clone())).collect()
}

pub async fn workflows_get_numbers_round_trip_and_fill_the_trigger_map(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let first = store
        .create_workflow(TelegramId(1), &new(definition("One", "one"), true), 2, at(1))
        .await
        .unwrap()
        .unwrap();
    let second = store
        .create_workflow(TelegramId(1), &new(definition("Two", "Two"), false), 2, at(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.number, second.number), (WorkflowNumber(1), WorkflowNumber(2)));
    assert_eq!((first.version, first.active, second.active), (1, true, false));
    assert_eq!(
        store
            .create_workflow(TelegramId(1), &new(definition("Three", "three"), true), 2, at(3))
            .await
            .unwrap(),
        Err(TooManyWorkflows(2))
    );
    assert_eq!(store.workflows(TelegramId(1)).await.unwrap(), vec![first.clone(), second.clone()]);
    assert_eq!(store.get_workflow(TelegramId(1), WorkflowNumber(1)).await.unwrap(), Some(first));
    assert_eq!(store.get_workflow(TelegramId(1), WorkflowNumber(3)).await.unwrap(), None);
    assert!(store.workflows(TelegramId(2)).await.unwrap().is_empty());
    // Only the active workflow's triggers are on the user, folded.
    let user = store.get_user(TelegramId(1)).await.unwrap().unwrap();
    assert_eq!(
        words(&user.workflow_triggers),
        [(1, Word::Command("one".into())), (1, Word::Keyword("cafe".into()))]
    );
    // The map survives the profile's refresh on the next update.
    let user = store.upsert_seen(&seen(1), at(4)).await.unwrap();
    assert_eq!(user.workflow_triggers.len(), 2);
}

pub async fn editing_disabling_and_deleting_rewrite_the_trigger_map(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let one = store
        .create_workflow(TelegramId(1), &new(definition("One", "one"), true), 5, at(1))
        .await
        .unwrap()
        .unwrap();
    let two = store
        .create_workflow(TelegramId(1), &new(definition("Two", "two"), true), 5, at(1))
        .await
        .unwrap()
        .unwrap();
    let mut edited = one.clone();
    edited.definition.triggers = vec![Trigger::Command { name: "uno".into() }];
    edited.version = 2;
    edited.updated_at = at(2);
    assert!(store.update_workflow(&edited, 1).await.unwrap());
    // A change made from what was seen before the edit is refused.
    let mut stale = one.clone();
    stale.active = false;
    assert!(!store.update_workflow(&stale, 1).await.unwrap());
    assert_eq!(store.get_workflow(TelegramId(1), one.number).await.unwrap(), Some(edited.clone()));
    let user = store.get_user(TelegramId(1)).await.unwrap().unwrap();
    assert_eq!(
        words(&user.workflow_triggers),
        [
            (1, Word::Command("uno".into())),
            (2, Word::Command("two".into())),
            (2, Word::Keyword("cafe".into()))
        ]
    );
    let mut disabled = two.clone();
    disabled.active = false;
    assert!(store.update_workflow(&disabled, 1).await.unwrap());
    assert_eq!(store.delete_workflow(TelegramId(1), one.number).await.unwrap(), Some(edited));
    assert_eq!(store.delete_workflow(TelegramId(1), one.number).await.unwrap(), None);
    let user = store.get_user(TelegramId(1)).await.unwrap().unwrap();
    assert!(user.workflow_triggers.is_empty());
    // A deletion frees its place under the limit; numbers are never given twice.
    let three = store
        .create_workflow(TelegramId(1), &new(definition("3", "three"), true), 2, at(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(three.number, WorkflowNumber(3));
}

pub async fn concurrent_workflow_creations_get_distinct_numbers_within_the_limit(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let creations = (0..6).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .create_workflow(
                    TelegramId(1),
                    &new(definition(&format!("W{i}"), &format!("w{i}")), true),
                    4,
                    at(1),
                )
                .await
        })
    });
    let mut numbers = Vec::new();
    let mut refused = 0;
    for creation in creations {
        match creation.await.unwrap() {
            Ok(Ok(workflow)) => numbers.push(workflow.number.0),
            Ok(Err(TooManyWorkflows(4))) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    numbers.sort_unstable();
    assert_eq!((numbers, refused), (vec![1, 2, 3, 4], 2));
    let user = store.get_user(TelegramId(1)).await.unwrap().unwrap();
    assert_eq!(user.workflow_triggers.len(), 8, "every created workflow's two triggers are on the user");
}

fn run(workflow: u32, minute: u32) -> Run {
    let definition = definition("One", "one");
    Run::queued(
        TelegramId(1),
        WorkflowNumber(workflow),
        "One",
        1,
        &definition.steps,
        Fired::new("manual", serde_json::json!({})),
        Report { chat: ChatId(1), thread: None, card: None, live: true },
        at(minute),
    )
}

pub async fn runs_are_saved_by_revision_and_listed_newest_first(store: Arc<dyn Store>) {
    let (old, new, other) = (run(1, 1), run(1, 2), run(2, 3));
    for r in [&old, &new, &other] {
        assert!(store.save_run(r).await.unwrap());
    }
    assert!(!store.save_run(&old).await.unwrap(), "a second creation of the same run is refused");
    let mut running = old.clone();
    running.status = RunStatus::Running;
    running.rev = 1;
    assert!(store.save_run(&running).await.unwrap());
    assert!(!store.save_run(&running).await.unwrap(), "a save from a stale revision is refused");
    let mut skipped = running.clone();
    skipped.rev = 3;
    assert!(!store.save_run(&skipped).await.unwrap(), "a revision cannot be skipped");
    assert_eq!(
        store.get_run(TelegramId(1), WorkflowNumber(1), &old.id).await.unwrap(),
        Some(running.clone())
    );
    assert_eq!(store.get_run(TelegramId(1), WorkflowNumber(2), &old.id).await.unwrap(), None);
    let recent = store.recent_runs(TelegramId(1), WorkflowNumber(1), 10).await.unwrap();
    assert_eq!(recent, vec![new.clone(), running]);
    assert_eq!(store.recent_runs(TelegramId(1), WorkflowNumber(1), 1).await.unwrap(), vec![new]);
    assert_eq!(store.recent_runs(TelegramId(1), WorkflowNumber(2), 10).await.unwrap(), vec![other]);
    assert!(old.expires_at() - old.created_at == Duration::days(30));
}

pub async fn a_hook_is_found_by_its_token_hash_until_revoked(store: Arc<dyn Store>) {
    use linklet::domain::workflow::hook::{HookToken, StoredHook};
    let token = HookToken::generate();
    let hook = StoredHook {
        user: TelegramId(1),
        workflow: WorkflowNumber(3),
        secret: Some("v1.k1.sealed".into()),
        created_at: at(1),
    };
    assert_eq!(store.get_hook(&token.hash()).await.unwrap(), None);
    store.put_hook(&token.hash(), &hook).await.unwrap();
    assert_eq!(store.get_hook(&token.hash()).await.unwrap(), Some(hook));
    assert_eq!(store.get_hook(&HookToken::generate().hash()).await.unwrap(), None);
    store.delete_hook(&token.hash()).await.unwrap();
    assert_eq!(store.get_hook(&token.hash()).await.unwrap(), None);
}

pub async fn due_schedules_come_from_every_user_and_move_once(store: Arc<dyn Store>) {
    use linklet::domain::{TimeZone, workflow::schedule::parse_schedule};
    for user in [1, 2] {
        store.upsert_seen(&seen(user), at(0)).await.unwrap();
    }
    let every = |text: &str| parse_schedule(text, at(0), TimeZone::UTC, 1).unwrap();
    let hourly = NewWorkflow { schedule: Some(every("every 60 minutes")), ..new(definition("A", "a"), true) };
    let often = NewWorkflow { schedule: Some(every("every 5 minutes")), ..new(definition("B", "b"), true) };
    let off = NewWorkflow { schedule: Some(every("every 5 minutes")), ..new(definition("C", "c"), false) };
    let a = store.create_workflow(TelegramId(1), &hourly, 5, at(0)).await.unwrap().unwrap();
    let b = store.create_workflow(TelegramId(2), &often, 5, at(0)).await.unwrap().unwrap();
    store.create_workflow(TelegramId(2), &off, 5, at(0)).await.unwrap().unwrap();
    // Both are due at 20:01; the one that is off never is.
    let due = store.due_schedules(at(1), 10).await.unwrap();
    let mut found: Vec<(i64, u32)> = due.iter().map(|w| (w.user.0, w.number.0)).collect();
    found.sort_unstable();
    assert_eq!(found, [(1, 1), (2, 1)]);
    assert!(store.due_schedules(at(0), 10).await.unwrap().is_empty(), "nothing due before its time");
    // Moved once: a second sweep holding the old time moves nothing.
    assert!(store.schedule_fired(&b, at(1), Some(at(6))).await.unwrap());
    assert!(!store.schedule_fired(&b, at(1), Some(at(6))).await.unwrap());
    let due: Vec<u32> =
        store.due_schedules(at(5), 10).await.unwrap().iter().map(|w| w.user.0 as u32).collect();
    assert_eq!(due, [1]);
    let moved = store.get_workflow(TelegramId(2), WorkflowNumber(1)).await.unwrap().unwrap();
    assert_eq!(moved.schedule.unwrap().next, at(6));
    // A schedule that is over leaves the index.
    assert!(store.schedule_fired(&a, at(1), None).await.unwrap());
    assert!(store.due_schedules(at(59), 10).await.unwrap().iter().all(|w| w.user.0 == 2));
}

pub async fn a_draft_is_kept_a_day_per_user_until_dropped(store: Arc<dyn Store>) {
    use linklet::domain::workflow::draft::{Draft, Stage};
    let mut draft = Draft::new();
    draft.definition.name = "Morning".into();
    draft.stage = Stage::StepField { kind: "send_message".into() };
    assert_eq!(store.draft(TelegramId(1), at(0)).await.unwrap(), None);
    store.save_draft(TelegramId(1), &draft, at(0)).await.unwrap();
    assert_eq!(store.draft(TelegramId(1), at(1)).await.unwrap(), Some(draft.clone()));
    assert_eq!(store.draft(TelegramId(2), at(1)).await.unwrap(), None);
    assert_eq!(store.draft(TelegramId(1), at(0) + Duration::hours(25)).await.unwrap(), None, "expired");
    store.drop_draft(TelegramId(1)).await.unwrap();
    assert_eq!(store.draft(TelegramId(1), at(1)).await.unwrap(), None);
}
