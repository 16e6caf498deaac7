//! DESIGN.md's budget: at most two DynamoDB round trips for a plain command
//! besides the update claim (the rate-limit count travels with the first),
//! and one Telegram call per reply. Every store call of the DynamoDB adapter
//! is one request, so counting calls counts round trips.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linklet::{
    adapters::{dynamo::DynamoStore, telegram::TelegramMessenger},
    bot::{Dispatched, Dispatcher},
    domain::assistant::{MemoryBound, QuotaUse, Turn},
    domain::recurrence::Series,
    domain::task::{LimitReached, NewTask, Task, TaskLimits, TaskNumber},
    domain::{
        SeenUser, TelegramId, Tier, User, UserPatch,
        audit::AuditEntry,
        integration::{Service, StoredIntegration},
    },
    ports::{
        Claim, ClaimKey, Claims, Conversations, Directory, Integrations, Quotas, RateCount, Reminders,
        StoreError, Tasks, UserPage, Users,
    },
    services::Deps,
};
use linklet_tests::{
    FakeTelegram,
    updates::{Person, private_text},
};

/// The DynamoDB store, counting the requests it makes.
struct Counted {
    inner: DynamoStore,
    calls: Mutex<Vec<&'static str>>,
}

impl Counted {
    fn note(&self, call: &'static str) {
        self.calls.lock().unwrap().push(call);
    }

    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut self.calls.lock().unwrap())
    }
}

#[async_trait]
impl Users for Counted {
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        self.note("upsert_seen");
        self.inner.upsert_seen(seen, now).await
    }
    async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        self.note("get_user");
        self.inner.get_user(id).await
    }
    async fn patch_user(
        &self,
        id: TelegramId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        self.note("patch_user");
        self.inner.patch_user(id, patch, now).await
    }
    async fn see(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<(User, QuotaUse), StoreError> {
        self.note("see");
        self.inner.see(seen, now, rate).await
    }
}

#[async_trait]
impl Claims for Counted {
    async fn claim(&self, id: &ClaimKey, now: DateTime<Utc>, lease: Duration) -> Result<Claim, StoreError> {
        self.note("claim");
        self.inner.claim(id, now, lease).await
    }
    async fn complete_claim(
        &self,
        id: &ClaimKey,
        now: DateTime<Utc>,
        keep: Duration,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        self.note("complete_claim");
        self.inner.complete_claim(id, now, keep, note).await
    }
    async fn park_claim(
        &self,
        id: &ClaimKey,
        note: &str,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        self.note("park_claim");
        self.inner.park_claim(id, note, now, keep).await
    }
    async fn release_claim(&self, id: &ClaimKey) -> Result<(), StoreError> {
        self.note("release_claim");
        self.inner.release_claim(id).await
    }
}

#[async_trait]
impl Tasks for Counted {
    async fn create_task(
        &self,
        user: TelegramId,
        task: &NewTask,
        limits: TaskLimits,
        now: DateTime<Utc>,
    ) -> Result<Result<Task, LimitReached>, StoreError> {
        self.note("create_task");
        self.inner.create_task(user, task, limits, now).await
    }
    async fn pending_tasks(&self, user: TelegramId) -> Result<Vec<Task>, StoreError> {
        self.note("pending_tasks");
        self.inner.pending_tasks(user).await
    }
    async fn get_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        self.note("get_task");
        self.inner.get_task(user, number).await
    }
    async fn complete_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        self.note("complete_task");
        self.inner.complete_task(user, number, now).await
    }
    async fn delete_task(&self, user: TelegramId, number: TaskNumber) -> Result<Option<Task>, StoreError> {
        self.note("delete_task");
        self.inner.delete_task(user, number).await
    }
    async fn reschedule_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        due: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        self.note("reschedule_task");
        self.inner.reschedule_task(user, number, due).await
    }
    async fn repeat_task(
        &self,
        user: TelegramId,
        number: TaskNumber,
        series: &Series,
        due: DateTime<Utc>,
        limits: TaskLimits,
    ) -> Result<Result<Option<Task>, LimitReached>, StoreError> {
        self.note("repeat_task");
        self.inner.repeat_task(user, number, series, due, limits).await
    }
    async fn finish_occurrence(
        &self,
        user: TelegramId,
        number: TaskNumber,
        occurrence: DateTime<Utc>,
        seen_due: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.note("finish_occurrence");
        self.inner.finish_occurrence(user, number, occurrence, seen_due, next).await
    }
}

#[async_trait]
impl Reminders for Counted {
    async fn due_tasks(&self, up_to: DateTime<Utc>, limit: usize) -> Result<Vec<Task>, StoreError> {
        self.note("due_tasks");
        self.inner.due_tasks(up_to, limit).await
    }
    async fn claim_reminder(
        &self,
        task: &Task,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        self.note("claim_reminder");
        self.inner.claim_reminder(task, now, lease).await
    }
    async fn reminder_sent(&self, task: &Task, next: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        self.note("reminder_sent");
        self.inner.reminder_sent(task, next).await
    }
    async fn mark_blocked(&self, user: TelegramId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.note("mark_blocked");
        self.inner.mark_blocked(user, now).await
    }
}

#[async_trait]
impl Quotas for Counted {
    async fn take_quota(
        &self,
        user: TelegramId,
        what: &str,
        window: &str,
        limit: u32,
        expires_at: DateTime<Utc>,
    ) -> Result<QuotaUse, StoreError> {
        self.note("take_quota");
        self.inner.take_quota(user, what, window, limit, expires_at).await
    }
}

#[async_trait]
impl Conversations for Counted {
    async fn recent_turns(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Vec<Turn>, StoreError> {
        self.note("recent_turns");
        self.inner.recent_turns(user, now).await
    }
    async fn append_turns(
        &self,
        user: TelegramId,
        turns: &[Turn],
        bound: MemoryBound,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.note("append_turns");
        self.inner.append_turns(user, turns, bound, expires_at).await
    }
    async fn forget_turns(&self, user: TelegramId) -> Result<(), StoreError> {
        self.note("forget_turns");
        self.inner.forget_turns(user).await
    }
}

#[async_trait]
impl Directory for Counted {
    async fn users_page(
        &self,
        tier: Tier,
        after: Option<TelegramId>,
        limit: usize,
    ) -> Result<UserPage, StoreError> {
        self.note("users_page");
        self.inner.users_page(tier, after, limit).await
    }
    async fn find_username(&self, username: &str) -> Result<Option<TelegramId>, StoreError> {
        self.note("find_username");
        self.inner.find_username(username).await
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.note("record_audit");
        self.inner.record_audit(entry).await
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.note("recent_audit");
        self.inner.recent_audit(limit).await
    }
}

#[async_trait]
impl Integrations for Counted {
    async fn put_integration(
        &self,
        user: TelegramId,
        integration: &StoredIntegration,
    ) -> Result<(), StoreError> {
        self.note("put_integration");
        self.inner.put_integration(user, integration).await
    }

    async fn get_integration(
        &self,
        user: TelegramId,
        service: Service,
    ) -> Result<Option<StoredIntegration>, StoreError> {
        self.note("get_integration");
        self.inner.get_integration(user, service).await
    }

    async fn list_integrations(&self, user: TelegramId) -> Result<Vec<StoredIntegration>, StoreError> {
        self.note("list_integrations");
        self.inner.list_integrations(user).await
    }

    async fn delete_integration(&self, user: TelegramId, service: Service) -> Result<bool, StoreError> {
        self.note("delete_integration");
        self.inner.delete_integration(user, service).await
    }
}

#[tokio::test]
async fn start_help_and_profile_cost_two_sequential_round_trips_besides_the_claim_and_one_telegram_call() {
    let aws = linklet_tests::aws_config().await;
    let (client, table) = linklet_tests::fresh_table(&aws).await;
    let store = Arc::new(Counted { inner: DynamoStore::new(client, table), calls: Mutex::default() });
    let fake = FakeTelegram::start(linklet_tests::BOT_TOKEN).await.unwrap();
    let telegram = TelegramMessenger::new(
        &linklet_tests::BOT_TOKEN.to_owned().into(),
        &fake.url(),
        None,
        Duration::from_secs(10),
    )
    .unwrap();
    let deps = Deps::new(
        store.clone(),
        Arc::new(telegram),
        Arc::new(linklet_local::jobs::in_process_queue().0),
        Default::default(),
    );
    let dispatcher = Dispatcher::new(deps);
    let ada = Person::english(2001);

    for (i, command) in ["/start", "/help", "/profile"].into_iter().enumerate() {
        let update = serde_json::from_str(&private_text(100 + i as u32, &ada, command).to_string()).unwrap();
        let before = fake.calls().len();
        assert_eq!(dispatcher.dispatch(&update).await.unwrap(), Dispatched::Handled);

        let calls = store.take();
        let besides_claim: Vec<_> = calls.iter().filter(|c| **c != "claim").collect();
        assert_eq!(calls.iter().filter(|c| **c == "claim").count(), 1, "{command}: {calls:?}");
        // The user and the rate-limit count in one call, then the completion (issue 9.18).
        assert_eq!(besides_claim, [&"see", &"complete_claim"], "{command}");
        assert_eq!(fake.calls().len() - before, 1, "{command}: one Telegram call per reply");
    }
}

/// Counts the DynamoDB requests a client sends, by operation (`X-Amz-Target`).
#[derive(Debug, Default, Clone)]
struct Requests(Arc<Mutex<Vec<String>>>);

impl aws_sdk_dynamodb::config::Intercept for Requests {
    fn name(&self) -> &'static str {
        "count requests"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}

#[tokio::test]
async fn a_known_users_plain_command_costs_the_claim_and_two_dynamodb_requests() {
    // Issue 9.18: /help cost 4 requests (claim, upsert, rate-limit count, completion).
    let aws = linklet_tests::aws_config().await;
    let (_, table) = linklet_tests::fresh_table(&aws).await;
    let requests = Requests::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(requests.clone()).build();
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), table));
    let fake = FakeTelegram::start(linklet_tests::BOT_TOKEN).await.unwrap();
    let telegram = TelegramMessenger::new(
        &linklet_tests::BOT_TOKEN.to_owned().into(),
        &fake.url(),
        None,
        Duration::from_secs(10),
    )
    .unwrap();
    let deps = Deps::new(
        store,
        Arc::new(telegram),
        Arc::new(linklet_local::jobs::in_process_queue().0),
        Default::default(),
    );
    let dispatcher = Dispatcher::new(deps);
    let ada = Person::english(2002);
    let mut counts = Vec::new();
    for (i, command) in ["/start", "/help", "/profile", "/help"].into_iter().enumerate() {
        let update = serde_json::from_str(&private_text(200 + i as u32, &ada, command).to_string()).unwrap();
        assert_eq!(dispatcher.dispatch(&update).await.unwrap(), Dispatched::Handled);
        let sent = std::mem::take(&mut *requests.0.lock().unwrap());
        counts.push(sent);
    }
    // A new user, once: the claim, the failed fast path, the registration, their
    // @username's lookup item, the completion.
    assert_eq!(
        counts[0],
        ["UpdateItem", "UpdateItem", "UpdateItem", "PutItem", "UpdateItem"],
        "{:?}",
        counts[0]
    );
    // Known and unchanged: the claim, one conditional write, the completion.
    for sent in &counts[1..] {
        assert_eq!(sent, &["UpdateItem"; 3], "{sent:?}");
    }
}
