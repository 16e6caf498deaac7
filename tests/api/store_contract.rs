//! One contract, two adapters: DynamoDB (on moto) and the embedded redb store
//! must behave the same for every operation the bot relies on.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, TimeZone as _, Utc};
use linklet::{
    domain::{
        Awaiting, Language, SeenUser, TelegramId, Tier, TimeZone, UpdateId, UserPatch,
        assistant::{MemoryBound, QuotaUse, Role, Turn},
        audit::AuditEntry,
        integration::{Service, StoredIntegration},
        recurrence::Series,
        task::{LimitReached, NewTask, TaskLimits, TaskNumber, TaskStatus},
    },
    ports::{Claim, ClaimKey, RateCount, RateCounter, Store, StoreError},
};

mod workflows;
use workflows::*;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 20, minute, 0).unwrap()
}

fn seen(id: i64) -> SeenUser {
    SeenUser {
        id: TelegramId(id),
        username: Some("ada".into()),
        first_name: "Ada".into(),
        language_code: Some("en".into()),
    }
}

const LEASE: Duration = Duration::from_secs(60);
const KEEP: Duration = Duration::from_secs(25 * 3600);

async fn first_sight_registers_with_defaults(store: Arc<dyn Store>) {
    let user = store.upsert_seen(&seen(1), at(0)).await.unwrap();
    assert_eq!(user.id, TelegramId(1));
    assert_eq!(user.tier, Tier::Free);
    assert_eq!((user.created_at, user.updated_at), (at(0), at(0)));
    assert_eq!((user.language, user.timezone, user.awaiting), (None, None, None));
    assert_eq!(store.get_user(TelegramId(1)).await.unwrap(), Some(user));
    assert_eq!(store.get_user(TelegramId(2)).await.unwrap(), None);
}

async fn later_sights_refresh_the_profile_and_keep_the_rest(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let patch = UserPatch {
        language: Some(Language::Fr),
        timezone: Some(TimeZone::parse("Europe/Paris").unwrap()),
        ..UserPatch::default()
    };
    store.patch_user(TelegramId(1), &patch, at(1)).await.unwrap();
    let renamed = SeenUser { username: None, first_name: "Ada L.".into(), language_code: None, ..seen(1) };
    let user = store.upsert_seen(&renamed, at(2)).await.unwrap();

    assert_eq!((user.username.as_deref(), user.first_name.as_str()), (None, "Ada L."));
    assert_eq!(user.language_code, None);
    assert_eq!((user.created_at, user.updated_at), (at(0), at(2)));
    assert_eq!(user.language, Some(Language::Fr));
    assert_eq!(user.tz().name(), "Europe/Paris");
}

async fn patches_set_and_clear_what_the_bot_awaits(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let waiting = UserPatch { awaiting: Some(Some(Awaiting::TimeZone)), ..UserPatch::default() };
    assert_eq!(
        store.patch_user(TelegramId(1), &waiting, at(1)).await.unwrap().awaiting,
        Some(Awaiting::TimeZone)
    );
    let cleared = UserPatch { awaiting: Some(None), ..UserPatch::default() };
    let user = store.patch_user(TelegramId(1), &cleared, at(2)).await.unwrap();
    assert_eq!(user.awaiting, None);
    assert_eq!(store.get_user(TelegramId(1)).await.unwrap().unwrap().awaiting, None);
}

async fn an_admin_changes_the_tier_and_bans_until_unbanned(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let pro = UserPatch { tier: Some(Tier::Pro), banned: Some(true), ..UserPatch::default() };
    let user = store.patch_user(TelegramId(1), &pro, at(1)).await.unwrap();
    assert_eq!((user.tier, user.banned_at), (Tier::Pro, Some(at(1))));
    // Writing again does not lift a ban (unlike a block).
    let user = store.upsert_seen(&seen(1), at(2)).await.unwrap();
    assert_eq!((user.tier, user.banned_at), (Tier::Pro, Some(at(1))));
    let unban = UserPatch { banned: Some(false), ..UserPatch::default() };
    assert_eq!(store.patch_user(TelegramId(1), &unban, at(3)).await.unwrap().banned_at, None);
    assert_eq!(store.get_user(TelegramId(1)).await.unwrap().unwrap().banned_at, None);
}

async fn users_come_a_page_at_a_time_by_tier(store: Arc<dyn Store>) {
    for id in 1..=7 {
        store.upsert_seen(&seen(id), at(0)).await.unwrap();
    }
    let pro = UserPatch { tier: Some(Tier::Pro), ..UserPatch::default() };
    for id in [3, 6] {
        store.patch_user(TelegramId(id), &pro, at(1)).await.unwrap();
    }
    let task = NewTask { title: "tea".into(), due: None, series: None };
    store.create_task(TelegramId(2), &task, TaskLimits::FREE, at(1)).await.unwrap().unwrap();

    let mut seen_ids = Vec::new();
    let mut after = None;
    loop {
        let page = store.users_page(Tier::Free, after, 2).await.unwrap();
        assert!(page.rows.len() <= 2);
        for row in &page.rows {
            assert_eq!(row.user.tier, Tier::Free);
            assert_eq!(row.pending_tasks, u32::from(row.user.id == TelegramId(2)), "{row:?}");
            seen_ids.push(row.user.id.0);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    seen_ids.sort();
    assert_eq!(seen_ids, [1, 2, 4, 5, 7]);
    let pro_page = store.users_page(Tier::Pro, None, 10).await.unwrap();
    let mut pro_ids: Vec<i64> = pro_page.rows.iter().map(|r| r.user.id.0).collect();
    pro_ids.sort();
    assert_eq!((pro_ids, pro_page.next), (vec![3, 6], None));
}

async fn the_audit_log_lists_the_newest_entries_first(store: Arc<dyn Store>) {
    for (minute, action) in [(1, "ban"), (3, "tier"), (2, "unban")] {
        let entry = AuditEntry {
            at: at(minute),
            admin: TelegramId(42),
            action: action.into(),
            target: Some(TelegramId(7)),
            detail: String::new(),
        };
        store.record_audit(&entry).await.unwrap();
    }
    let recent = store.recent_audit(2).await.unwrap();
    let actions: Vec<&str> = recent.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["tier", "unban"]);
    assert_eq!(
        (recent[0].admin, recent[0].target, recent[0].at),
        (TelegramId(42), Some(TelegramId(7)), at(3))
    );
}

async fn integrations_are_kept_per_user_and_service(store: Arc<dyn Store>) {
    let github = StoredIntegration {
        service: Service::GitHub,
        sealed: "v1.k1.a.b".into(),
        is_active: true,
        connected_at: at(1),
    };
    let notion = StoredIntegration {
        service: Service::Notion,
        sealed: "v1.k1.c.d".into(),
        is_active: true,
        connected_at: at(2),
    };
    store.put_integration(TelegramId(1), &github).await.unwrap();
    store.put_integration(TelegramId(1), &notion).await.unwrap();
    store.put_integration(TelegramId(2), &github).await.unwrap();
    let replaced = StoredIntegration { sealed: "v1.k2.e.f".into(), ..github.clone() };
    store.put_integration(TelegramId(1), &replaced).await.unwrap();

    assert_eq!(store.get_integration(TelegramId(1), Service::GitHub).await.unwrap(), Some(replaced));
    assert_eq!(store.get_integration(TelegramId(1), Service::N8n).await.unwrap(), None);
    let mut mine: Vec<Service> =
        store.list_integrations(TelegramId(1)).await.unwrap().iter().map(|i| i.service).collect();
    mine.sort_by_key(|s| s.code());
    assert_eq!(mine, [Service::GitHub, Service::Notion]);
    assert!(store.delete_integration(TelegramId(1), Service::GitHub).await.unwrap());
    assert!(!store.delete_integration(TelegramId(1), Service::GitHub).await.unwrap());
    assert_eq!(store.list_integrations(TelegramId(1)).await.unwrap(), [notion]);
    assert_eq!(store.list_integrations(TelegramId(2)).await.unwrap().len(), 1);
}

async fn patching_an_unknown_user_is_not_found(store: Arc<dyn Store>) {
    let result = store.patch_user(TelegramId(404), &UserPatch::default(), at(0)).await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    assert_eq!(store.get_user(TelegramId(404)).await.unwrap(), None);
}

async fn an_update_is_claimed_once_then_completed(store: Arc<dyn Store>) {
    let id = &ClaimKey::update(UpdateId(7));
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::InProgress);
    store.complete_claim(id, at(0), KEEP, None).await.unwrap();
    assert_eq!(store.claim(id, at(1), LEASE).await.unwrap(), Claim::Completed(None));
    // A release after completion does not reopen the update.
    store.release_claim(id).await.unwrap();
    assert_eq!(store.claim(id, at(2), LEASE).await.unwrap(), Claim::Completed(None));
}

async fn a_released_claim_can_be_taken_again(store: Arc<dyn Store>) {
    let id = &ClaimKey::update(UpdateId(8));
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
    store.release_claim(id).await.unwrap();
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
}

async fn an_abandoned_claim_is_taken_over_when_its_lease_ends(store: Arc<dyn Store>) {
    let id = &ClaimKey::update(UpdateId(9));
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
    assert_eq!(
        store.claim(id, at(0) + chrono::Duration::seconds(59), LEASE).await.unwrap(),
        Claim::InProgress
    );
    assert_eq!(store.claim(id, at(1), LEASE).await.unwrap(), Claim::Acquired);
}

async fn a_completed_update_is_forgotten_after_its_expiry(store: Arc<dyn Store>) {
    let id = &ClaimKey::update(UpdateId(10));
    store.claim(id, at(0), LEASE).await.unwrap();
    store.complete_claim(id, at(0), Duration::from_secs(120), None).await.unwrap();
    assert_eq!(store.claim(id, at(1), LEASE).await.unwrap(), Claim::Completed(None));
    assert_eq!(store.claim(id, at(3), LEASE).await.unwrap(), Claim::Acquired);
}

async fn concurrent_claims_have_one_winner(store: Arc<dyn Store>) {
    let attempts = (0..12).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.claim(&ClaimKey::update(UpdateId(11)), at(0), LEASE).await.unwrap() })
    });
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|r| *r.as_ref().unwrap() == Claim::Acquired).count();
    assert_eq!(won, 1, "{results:?}");
}

fn to_do(title: &str, due: Option<DateTime<Utc>>) -> NewTask {
    NewTask { title: title.into(), due, series: None }
}

fn daily(title: &str) -> NewTask {
    let series = Series {
        rule: "FREQ=DAILY".into(),
        start: at(30).naive_utc(),
        tz: TimeZone::parse("Europe/Paris").unwrap(),
    };
    NewTask { title: title.into(), due: Some(at(30)), series: Some(series) }
}

const ROOMY: TaskLimits = TaskLimits { pending: 50, recurring: 10 };

async fn tasks_get_increasing_numbers_and_round_trip(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let first =
        store.create_task(TelegramId(1), &to_do("buy milk", None), ROOMY, at(0)).await.unwrap().unwrap();
    let second = store.create_task(TelegramId(1), &daily("stretch"), ROOMY, at(1)).await.unwrap().unwrap();

    assert_eq!((first.number, second.number), (TaskNumber(1), TaskNumber(2)));
    assert_eq!(store.get_task(TelegramId(1), TaskNumber(2)).await.unwrap(), Some(second.clone()));
    let mut pending = store.pending_tasks(TelegramId(1)).await.unwrap();
    pending.sort_by_key(|t| t.number);
    assert_eq!(pending, vec![first, second]);
    assert!(store.pending_tasks(TelegramId(2)).await.unwrap().is_empty());
}

async fn done_and_deleted_tasks_leave_the_pending_list(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    for title in ["a", "b", "c"] {
        store.create_task(TelegramId(1), &to_do(title, Some(at(30))), ROOMY, at(0)).await.unwrap().unwrap();
    }
    let done = store.complete_task(TelegramId(1), TaskNumber(1), at(5)).await.unwrap().unwrap();
    assert_eq!((done.status, done.completed_at), (TaskStatus::Done, Some(at(5))));
    assert_eq!(store.complete_task(TelegramId(1), TaskNumber(1), at(6)).await.unwrap(), None, "done once");
    assert_eq!(
        store.delete_task(TelegramId(1), TaskNumber(2)).await.unwrap().map(|t| t.title),
        Some("b".into())
    );
    assert_eq!(store.delete_task(TelegramId(1), TaskNumber(2)).await.unwrap(), None);
    assert_eq!(store.delete_task(TelegramId(1), TaskNumber(99)).await.unwrap(), None);

    let pending = store.pending_tasks(TelegramId(1)).await.unwrap();
    assert_eq!(pending.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["c"]);
}

async fn rescheduling_moves_the_due_time_of_pending_tasks_only(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    store.create_task(TelegramId(1), &to_do("a", Some(at(30))), ROOMY, at(0)).await.unwrap().unwrap();
    let moved = store.reschedule_task(TelegramId(1), TaskNumber(1), at(45)).await.unwrap().unwrap();
    assert_eq!(moved.due, Some(at(45)));
    assert_eq!(store.get_task(TelegramId(1), TaskNumber(1)).await.unwrap().unwrap().due, Some(at(45)));
    store.complete_task(TelegramId(1), TaskNumber(1), at(46)).await.unwrap();
    assert_eq!(store.reschedule_task(TelegramId(1), TaskNumber(1), at(50)).await.unwrap(), None);
}

fn weekly(minute: u32) -> Series {
    Series {
        rule: "FREQ=WEEKLY".into(),
        start: at(minute).naive_utc(),
        tz: TimeZone::parse("Europe/Paris").unwrap(),
    }
}

async fn a_new_repetition_replaces_the_schedule_within_the_recurring_limit(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let limits = TaskLimits { pending: 10, recurring: 2 };
    let (user, a, r1, b) = (TelegramId(1), TaskNumber(1), TaskNumber(2), TaskNumber(3));
    store.create_task(user, &to_do("a", Some(at(30))), limits, at(0)).await.unwrap().unwrap();
    store.create_task(user, &daily("r1"), limits, at(0)).await.unwrap().unwrap();
    store.create_task(user, &to_do("b", None), limits, at(0)).await.unwrap().unwrap();

    let repeated = store.repeat_task(user, a, &weekly(40), at(40), limits).await.unwrap().unwrap().unwrap();
    assert_eq!((repeated.due, repeated.series.clone()), (Some(at(40)), Some(weekly(40))));
    assert_eq!(store.get_task(user, a).await.unwrap(), Some(repeated));
    let due: Vec<_> =
        store.due_tasks(at(45), 10).await.unwrap().into_iter().map(|t| (t.number, t.due)).collect();
    assert_eq!(due, [(r1, Some(at(30))), (a, Some(at(40)))], "the due index follows the new time");

    // Two repeating tasks now: a third is refused and left as it was; a series may still change.
    assert_eq!(
        store.repeat_task(user, b, &weekly(50), at(50), limits).await.unwrap(),
        Err(LimitReached::Recurring(2))
    );
    assert_eq!(store.get_task(user, b).await.unwrap().unwrap().series, None);
    let changed = store.repeat_task(user, r1, &weekly(35), at(35), limits).await.unwrap().unwrap().unwrap();
    assert_eq!(changed.series, Some(weekly(35)));

    // Finishing a series frees its place.
    store.complete_task(user, a, at(41)).await.unwrap().unwrap();
    assert!(store.repeat_task(user, b, &weekly(50), at(50), limits).await.unwrap().unwrap().is_some());
    assert_eq!(
        store.repeat_task(user, a, &weekly(55), at(55), limits).await.unwrap(),
        Ok(None),
        "a done task"
    );
    assert_eq!(
        store.create_task(user, &daily("r3"), limits, at(42)).await.unwrap(),
        Err(LimitReached::Recurring(2)),
        "the counters agree with the tasks"
    );
}

async fn tier_limits_stop_new_tasks_and_free_up_when_tasks_end(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let limits = TaskLimits { pending: 3, recurring: 1 };
    store.create_task(TelegramId(1), &daily("r1"), limits, at(0)).await.unwrap().unwrap();
    assert_eq!(
        store.create_task(TelegramId(1), &daily("r2"), limits, at(0)).await.unwrap(),
        Err(LimitReached::Recurring(1))
    );
    store.create_task(TelegramId(1), &to_do("a", None), limits, at(0)).await.unwrap().unwrap();
    store.create_task(TelegramId(1), &to_do("b", None), limits, at(0)).await.unwrap().unwrap();
    assert_eq!(
        store.create_task(TelegramId(1), &to_do("c", None), limits, at(0)).await.unwrap(),
        Err(LimitReached::Pending(3))
    );
    store.complete_task(TelegramId(1), TaskNumber(1), at(1)).await.unwrap().unwrap();
    store.create_task(TelegramId(1), &daily("r3"), limits, at(2)).await.unwrap().unwrap();
    assert_eq!(store.pending_tasks(TelegramId(1)).await.unwrap().len(), 3);
}

async fn concurrent_creations_get_distinct_numbers_within_the_limit(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let limits = TaskLimits { pending: 4, recurring: 1 };
    let attempts = (0..6).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store.create_task(TelegramId(1), &to_do(&format!("t{i}"), None), limits, at(0)).await
        })
    });
    let results: Vec<_> = futures::future::join_all(attempts).await.into_iter().map(|r| r.unwrap()).collect();
    let mut numbers: Vec<u32> =
        results.iter().filter_map(|r| r.as_ref().ok()?.as_ref().ok()).map(|t| t.number.0).collect();
    numbers.sort();
    // Racing creations either win a number or retry; none is lost or doubled.
    assert_eq!(numbers, [1, 2, 3, 4], "{results:?}");
    assert_eq!(store.pending_tasks(TelegramId(1)).await.unwrap().len(), 4);
}

async fn due_tasks_come_from_every_user_soonest_first(store: Arc<dyn Store>) {
    for user in 1..=20 {
        store.upsert_seen(&seen(user), at(0)).await.unwrap();
        let due = at(30 - (user as u32 % 7));
        store.create_task(TelegramId(user), &to_do("due", Some(due)), ROOMY, at(0)).await.unwrap().unwrap();
    }
    store.create_task(TelegramId(1), &to_do("later", Some(at(50))), ROOMY, at(0)).await.unwrap().unwrap();
    store.create_task(TelegramId(1), &to_do("undated", None), ROOMY, at(0)).await.unwrap().unwrap();
    store.create_task(TelegramId(2), &to_do("finished", Some(at(20))), ROOMY, at(0)).await.unwrap().unwrap();
    store.complete_task(TelegramId(2), TaskNumber(2), at(1)).await.unwrap().unwrap();

    let due = store.due_tasks(at(30), 100).await.unwrap();
    assert_eq!(due.len(), 20, "{due:?}");
    assert!(due.iter().all(|t| t.title == "due"));
    assert!(due.windows(2).all(|w| w[0].due <= w[1].due), "soonest first");
    assert_eq!(store.due_tasks(at(30), 5).await.unwrap().len(), 5);
}

async fn an_occurrence_is_claimed_once_until_its_lease_ends(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let task =
        store.create_task(TelegramId(1), &to_do("a", Some(at(10))), ROOMY, at(0)).await.unwrap().unwrap();
    let lease = Duration::from_secs(120);
    assert!(store.claim_reminder(&task, at(10), lease).await.unwrap());
    assert!(!store.claim_reminder(&task, at(11), lease).await.unwrap(), "held by the first sweep");
    assert!(
        store.claim_reminder(&task, at(12), lease).await.unwrap(),
        "the lease ended: a crashed sweep's reminder is retried"
    );
}

async fn concurrent_sweeps_claim_an_occurrence_once(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let task =
        store.create_task(TelegramId(1), &to_do("a", Some(at(10))), ROOMY, at(0)).await.unwrap().unwrap();
    let claims = (0..8).map(|_| {
        let (store, task) = (store.clone(), task.clone());
        tokio::spawn(
            async move { store.claim_reminder(&task, at(10), Duration::from_secs(120)).await.unwrap() },
        )
    });
    let won = futures::future::join_all(claims).await.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1);
}

async fn a_sent_one_off_stays_pending_off_the_due_list_until_snoozed(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let task =
        store.create_task(TelegramId(1), &to_do("a", Some(at(10))), ROOMY, at(0)).await.unwrap().unwrap();
    assert!(store.claim_reminder(&task, at(10), Duration::from_secs(120)).await.unwrap());
    store.reminder_sent(&task, None).await.unwrap();

    assert!(store.due_tasks(at(30), 10).await.unwrap().is_empty(), "sent once, not again");
    assert!(!store.claim_reminder(&task, at(20), Duration::from_secs(120)).await.unwrap());
    assert_eq!(store.pending_tasks(TelegramId(1)).await.unwrap().len(), 1);
    store.reschedule_task(TelegramId(1), TaskNumber(1), at(40)).await.unwrap().unwrap();
    assert_eq!(store.due_tasks(at(40), 10).await.unwrap().len(), 1, "snoozed: due again");
}

async fn a_sent_series_moves_to_its_next_occurrence(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let task = store.create_task(TelegramId(1), &daily("stretch"), ROOMY, at(0)).await.unwrap().unwrap();
    assert!(store.claim_reminder(&task, at(30), Duration::from_secs(120)).await.unwrap());
    store.reminder_sent(&task, Some(at(30) + chrono::Duration::days(1))).await.unwrap();

    assert!(store.due_tasks(at(59), 10).await.unwrap().is_empty());
    let moved = store.get_task(TelegramId(1), TaskNumber(1)).await.unwrap().unwrap();
    assert_eq!(moved.due, Some(at(30) + chrono::Duration::days(1)));
    let next = store.due_tasks(at(30) + chrono::Duration::days(1), 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert!(store.claim_reminder(&next[0], at(31), Duration::from_secs(120)).await.unwrap(), "a fresh lease");
}

async fn a_moved_task_is_not_claimed_for_its_old_time(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    let task =
        store.create_task(TelegramId(1), &to_do("a", Some(at(10))), ROOMY, at(0)).await.unwrap().unwrap();
    store.reschedule_task(TelegramId(1), TaskNumber(1), at(40)).await.unwrap().unwrap();
    assert!(!store.claim_reminder(&task, at(10), Duration::from_secs(120)).await.unwrap());
    store.reminder_sent(&task, None).await.unwrap();
    assert_eq!(store.due_tasks(at(45), 10).await.unwrap().len(), 1, "the snooze stands");
}

async fn a_blocked_user_is_marked_until_they_write_again(store: Arc<dyn Store>) {
    store.upsert_seen(&seen(1), at(0)).await.unwrap();
    store.mark_blocked(TelegramId(1), at(1)).await.unwrap();
    assert_eq!(store.get_user(TelegramId(1)).await.unwrap().unwrap().blocked_at, Some(at(1)));
    store.mark_blocked(TelegramId(404), at(1)).await.unwrap();
    assert_eq!(store.get_user(TelegramId(404)).await.unwrap(), None);
    let user = store.upsert_seen(&seen(1), at(2)).await.unwrap();
    assert_eq!(user.blocked_at, None);
}

async fn a_quota_grants_exactly_its_limit_per_window(store: Arc<dyn Store>) {
    let expires = at(0) + chrono::Duration::days(2);
    for used in 1..=3 {
        let granted = store.take_quota(TelegramId(1), "ask", "2026-11-26", 3, expires).await.unwrap();
        assert_eq!(granted, QuotaUse::Granted { used });
    }
    assert_eq!(
        store.take_quota(TelegramId(1), "ask", "2026-11-26", 3, expires).await.unwrap(),
        QuotaUse::Exhausted
    );
    let next_day = store.take_quota(TelegramId(1), "ask", "2026-11-27", 3, expires).await.unwrap();
    assert_eq!(next_day, QuotaUse::Granted { used: 1 });
    let other_user = store.take_quota(TelegramId(2), "ask", "2026-11-26", 3, expires).await.unwrap();
    assert_eq!(other_user, QuotaUse::Granted { used: 1 });
}

async fn concurrent_uses_of_a_quota_never_exceed_it(store: Arc<dyn Store>) {
    let expires = at(0) + chrono::Duration::days(2);
    let uses = (0..12).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.take_quota(TelegramId(1), "ask", "day", 5, expires).await.unwrap() })
    });
    let results = futures::future::join_all(uses).await;
    let granted = results.iter().filter(|r| matches!(r.as_ref().unwrap(), QuotaUse::Granted { .. })).count();
    assert_eq!(granted, 5);
}

async fn messages_and_taps_are_counted_apart(store: Arc<dyn Store>) {
    let count = |counter| RateCount { counter, window: "60s-1", limit: 2 };
    let see = |counter| {
        let store = store.clone();
        async move { store.see(&seen(1), at(0), &count(counter)).await.unwrap().1 }
    };
    assert_eq!(see(RateCounter::Messages).await, QuotaUse::Granted { used: 1 });
    for used in 1..=2 {
        assert_eq!(see(RateCounter::Taps).await, QuotaUse::Granted { used });
    }
    assert_eq!(see(RateCounter::Taps).await, QuotaUse::Exhausted, "taps have their own limit");
    assert_eq!(see(RateCounter::Messages).await, QuotaUse::Granted { used: 2 }, "and leave messages theirs");
    assert_eq!(see(RateCounter::Messages).await, QuotaUse::Exhausted);
    let next = RateCount { counter: RateCounter::Taps, window: "60s-2", limit: 2 };
    let (_, used) = store.see(&seen(1), at(1), &next).await.unwrap();
    assert_eq!(used, QuotaUse::Granted { used: 1 }, "a new window starts again");
}

fn said(role: Role, text: &str, minute: u32) -> Turn {
    Turn { role, text: text.into(), at: at(minute) }
}

async fn memory_keeps_recent_turns_within_its_bound_until_forgotten(store: Arc<dyn Store>) {
    let bound = MemoryBound { turns: 3, chars: 1000 };
    let expires = at(0) + chrono::Duration::hours(24);
    store
        .append_turns(
            TelegramId(1),
            &[said(Role::User, "hi", 1), said(Role::Assistant, "hello", 1)],
            bound,
            expires,
        )
        .await
        .unwrap();
    store
        .append_turns(
            TelegramId(1),
            &[said(Role::User, "what now", 2), said(Role::Assistant, "rest", 2)],
            bound,
            expires,
        )
        .await
        .unwrap();

    let turns = store.recent_turns(TelegramId(1), at(3)).await.unwrap();
    let texts: Vec<&str> = turns.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["hello", "what now", "rest"], "the oldest is dropped first");
    assert!(store.recent_turns(TelegramId(2), at(3)).await.unwrap().is_empty());
    assert!(store.recent_turns(TelegramId(1), expires).await.unwrap().is_empty(), "expired");

    store.forget_turns(TelegramId(1)).await.unwrap();
    assert!(store.recent_turns(TelegramId(1), at(3)).await.unwrap().is_empty());
}

async fn a_parked_claim_is_resumed_with_its_note_until_completed(store: Arc<dyn Store>) {
    let id = &ClaimKey::update(UpdateId(13));
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
    store.park_claim(id, "[held]", at(0), KEEP).await.unwrap();
    // Free at once for the redelivery, which gets the work left.
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Resumed("[held]".into()));
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::InProgress);
    // A resumer that crashed leaves the note to the next one, once its lease ends.
    assert_eq!(store.claim(id, at(1), LEASE).await.unwrap(), Claim::Resumed("[held]".into()));
    store.complete_claim(id, at(1), KEEP, None).await.unwrap();
    assert_eq!(store.claim(id, at(2), LEASE).await.unwrap(), Claim::Completed(None));
}

async fn a_completed_claim_gives_back_its_note(store: Arc<dyn Store>) {
    let id = &ClaimKey::job("14/0/0/create_task");
    assert_eq!(store.claim(id, at(0), LEASE).await.unwrap(), Claim::Acquired);
    store.complete_claim(id, at(0), KEEP, Some(r#"{"number":3}"#)).await.unwrap();
    assert_eq!(
        store.claim(id, at(1), LEASE).await.unwrap(),
        Claim::Completed(Some(r#"{"number":3}"#.into()))
    );
}

async fn jobs_and_updates_are_claimed_apart(store: Arc<dyn Store>) {
    let update = &ClaimKey::update(UpdateId(12));
    let job = &ClaimKey::job("12");
    assert_eq!(store.claim(update, at(0), LEASE).await.unwrap(), Claim::Acquired);
    assert_eq!(store.claim(job, at(0), LEASE).await.unwrap(), Claim::Acquired);
    store.complete_claim(job, at(0), KEEP, None).await.unwrap();
    assert_eq!(store.claim(job, at(1), LEASE).await.unwrap(), Claim::Completed(None));
    assert_eq!(store.claim(update, at(0), LEASE).await.unwrap(), Claim::InProgress);
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod dynamodb {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(super::dynamo_store().await).await;
                }
            )*
        }
        mod embedded {
            $(
                #[tokio::test]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$case(super::embedded_store(dir.path())).await;
                }
            )*
        }
    };
}

contract!(
    first_sight_registers_with_defaults,
    later_sights_refresh_the_profile_and_keep_the_rest,
    patches_set_and_clear_what_the_bot_awaits,
    an_admin_changes_the_tier_and_bans_until_unbanned,
    users_come_a_page_at_a_time_by_tier,
    the_audit_log_lists_the_newest_entries_first,
    integrations_are_kept_per_user_and_service,
    patching_an_unknown_user_is_not_found,
    an_update_is_claimed_once_then_completed,
    a_released_claim_can_be_taken_again,
    an_abandoned_claim_is_taken_over_when_its_lease_ends,
    a_completed_update_is_forgotten_after_its_expiry,
    concurrent_claims_have_one_winner,
    jobs_and_updates_are_claimed_apart,
    a_parked_claim_is_resumed_with_its_note_until_completed,
    a_completed_claim_gives_back_its_note,
    tasks_get_increasing_numbers_and_round_trip,
    done_and_deleted_tasks_leave_the_pending_list,
    rescheduling_moves_the_due_time_of_pending_tasks_only,
    a_new_repetition_replaces_the_schedule_within_the_recurring_limit,
    tier_limits_stop_new_tasks_and_free_up_when_tasks_end,
    concurrent_creations_get_distinct_numbers_within_the_limit,
    due_tasks_come_from_every_user_soonest_first,
    an_occurrence_is_claimed_once_until_its_lease_ends,
    concurrent_sweeps_claim_an_occurrence_once,
    a_sent_one_off_stays_pending_off_the_due_list_until_snoozed,
    a_sent_series_moves_to_its_next_occurrence,
    a_moved_task_is_not_claimed_for_its_old_time,
    a_blocked_user_is_marked_until_they_write_again,
    a_quota_grants_exactly_its_limit_per_window,
    concurrent_uses_of_a_quota_never_exceed_it,
    messages_and_taps_are_counted_apart,
    memory_keeps_recent_turns_within_its_bound_until_forgotten,
    workflows_get_numbers_round_trip_and_fill_the_trigger_map,
    editing_disabling_and_deleting_rewrite_the_trigger_map,
    concurrent_workflow_creations_get_distinct_numbers_within_the_limit,
    runs_are_saved_by_revision_and_listed_newest_first,
    a_hook_is_found_by_its_token_hash_until_revoked,
    due_schedules_come_from_every_user_and_move_once,
    a_draft_is_kept_a_day_per_user_until_dropped,
);

async fn dynamo_store() -> Arc<dyn Store> {
    let aws = linklet_tests::aws_config().await;
    let (client, table) = linklet_tests::fresh_table(&aws).await;
    Arc::new(linklet::adapters::dynamo::DynamoStore::new(client, table))
}

fn embedded_store(dir: &std::path::Path) -> Arc<dyn Store> {
    Arc::new(linklet::adapters::embedded::EmbeddedStore::open(dir).unwrap())
}

#[tokio::test]
async fn embedded_store_keeps_users_and_settings_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = embedded_store(dir.path());
        store.upsert_seen(&seen(1), at(0)).await.unwrap();
        let patch = UserPatch { language: Some(Language::Fr), ..UserPatch::default() };
        store.patch_user(TelegramId(1), &patch, at(1)).await.unwrap();
    }
    let reopened = embedded_store(dir.path());
    let user = reopened.get_user(TelegramId(1)).await.unwrap().expect("kept across a restart");
    assert_eq!(user.language, Some(Language::Fr));
    assert_eq!(user.created_at, at(0));
}
