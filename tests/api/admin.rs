//! `/admin` through the webhook: only for ADMIN_TELEGRAM_IDS, every action in
//! the audit log, stats read from DynamoDB (the tier index) and SQS (moto).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use linklet::{
    domain::{TelegramId, Tier},
    ports::{Directory, Users},
};
use linklet_tests::{
    Webhook,
    updates::{Person, private_text},
};

const ADMIN: i64 = 9001;

async fn start() -> Webhook {
    Webhook::start_with(|name| match name {
        "ADMIN_TELEGRAM_IDS" => Some(format!("{ADMIN}, 9999")),
        "OPENAI_API_KEY" => Some("sk-not-called".into()),
        _ => None,
    })
    .await
}

/// Registers the users `ids`, 16 at a time, as their first messages would.
async fn register(hook: &Webhook, ids: std::ops::Range<i64>) {
    use futures::StreamExt;
    let store = hook.store();
    futures::stream::iter(ids)
        .for_each_concurrent(16, |id| {
            let store = &store;
            async move {
                let seen = linklet::domain::SeenUser {
                    id: TelegramId(id),
                    username: None,
                    first_name: "U".into(),
                    language_code: None,
                };
                store.upsert_seen(&seen, chrono::Utc::now()).await.unwrap();
            }
        })
        .await;
}

#[tokio::test]
async fn someone_else_gets_the_unknown_command_answer_and_nothing_is_audited() {
    let hook = start().await;
    let eve = Person::english(9100);
    hook.deliver(&private_text(1, &eve, "/admin stats")).await;
    hook.deliver(&private_text(2, &eve, "/admin ban 9001")).await;
    let texts = hook.telegram.sent_texts();
    assert!(texts.iter().all(|t| t.contains("I don't know the command <code>/admin</code>")), "{texts:?}");
    assert!(hook.store().recent_audit(10).await.unwrap().is_empty());
    assert!(hook.store().get_user(TelegramId(ADMIN)).await.unwrap().is_none(), "nothing was done");
    // An admin in a group is not answered there either: the answers show other users' data.
    hook.deliver(&linklet_tests::updates::group_text(3, -100_900, &Person::english(ADMIN), "/admin stats"))
        .await;
    assert!(hook.telegram.sent_texts().last().unwrap().contains("I don't know the command"));
    assert!(hook.store().recent_audit(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn stats_count_users_activity_tiers_tasks_and_jobs() {
    let hook = start().await;
    let admin = Person::english(ADMIN);
    for id in 9201..=9203 {
        hook.deliver(&private_text(id as u32, &Person::english(id), "/task water plants")).await;
    }
    hook.deliver(&private_text(10, &Person::english(9201), "what is the weather?")).await; // a queued job
    hook.sqs.send_message().queue_url(&hook.ai_queue.dlq_url).message_body("{}").send().await.unwrap();
    hook.deliver(&private_text(11, &admin, "/admin tier 9202 pro")).await;
    hook.deliver(&private_text(12, &admin, "/admin ban 9203")).await;

    hook.deliver(&private_text(13, &admin, "/admin stats")).await;
    assert_eq!(hook.telegram.last_text(), "📊 Counting every user; the figures follow here in a moment.");
    let jobs = hook.jobs_function().await;
    let (_, failed) = hook.run_jobs(&jobs, &hook.integration_queue).await;
    assert!(failed.is_empty());
    let stats = hook.telegram.last_text();
    assert!(stats.contains("<b>Users</b>: 4"), "{stats}");
    assert!(stats.contains("Active: 4 (24 h) · 4 (7 days)"), "{stats}");
    assert!(stats.contains("Tiers: free 3 · pro 1"), "{stats}");
    assert!(stats.contains("Banned / blocked the bot: 1 / 0"), "{stats}");
    assert!(stats.contains("Pending tasks: 3"), "{stats}");
    assert!(stats.contains("Jobs: 1 waiting, 1 failed"), "{stats}");
}

/// Stats answer at any size: a job counts a stretch of users and queues the
/// next with the counts so far; a stretch that fails is retried from its own
/// start, counting nobody twice; the figures come once, at the end.
#[tokio::test]
async fn stats_are_counted_by_queued_stretches_that_survive_a_retry() {
    use linklet_tests::Failure;

    let hook = Webhook::start_with(|name| match name {
        "ADMIN_TELEGRAM_IDS" => Some(ADMIN.to_string()),
        "STATS_PER_JOB" => Some("120".into()),
        "JOB_RETRY_BASE_SECONDS" => Some("0".into()),
        _ => None,
    })
    .await;
    let store = hook.store();
    register(&hook, 30_000..30_500).await;
    for id in 30_000..30_100 {
        let pro = linklet::domain::UserPatch { tier: Some(Tier::Pro), ..Default::default() };
        store.patch_user(TelegramId(id), &pro, chrono::Utc::now()).await.unwrap();
    }
    let admin = Person::english(ADMIN);
    hook.deliver(&private_text(1, &admin, "/admin stats")).await;
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 1, "the webhook only queued the count");

    let jobs = hook.jobs_function().await;
    let mut polls = 0;
    // The last stretch's figures fail once (Telegram says wait): that stretch runs again.
    hook.telegram.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 1 });
    while hook.queue_depth(&hook.integration_queue.url).await > 0 && polls < 30 {
        hook.run_jobs(&jobs, &hook.integration_queue).await;
        polls += 1;
    }
    assert_eq!(polls, 6, "501 users at 120 a job: five stretches, the last one twice");
    let figures: Vec<String> =
        hook.telegram.sent_texts().into_iter().filter(|t| t.starts_with("📊 <b>Users</b>")).collect();
    assert_eq!(figures.len(), 1, "{figures:?}");
    let stats = &figures[0];
    assert!(stats.contains("<b>Users</b>: 501"), "{stats}");
    assert!(stats.contains("Tiers: free 401 · pro 100"), "{stats}");
    assert!(stats.contains("Active: 501 (24 h) · 501 (7 days)"), "{stats}");
    assert!(stats.contains("Jobs: 0 waiting, 0 failed"), "the count does not count itself: {stats}");
}

#[tokio::test]
async fn ban_unban_and_tier_take_effect_and_are_audited() {
    let hook = start().await;
    let admin = Person::english(ADMIN);
    let bob = Person { first_name: "Bob", username: Some("Bob_Tester"), ..Person::english(9300) };
    hook.deliver(&private_text(1, &bob, "/start")).await;

    hook.deliver(&private_text(2, &admin, "/admin ban @bob_tester")).await;
    assert!(
        hook.telegram.last_text().contains("User <code>9300</code> is banned"),
        "{}",
        hook.telegram.last_text()
    );
    let sent = hook.telegram.sent_texts().len();
    hook.deliver(&private_text(3, &bob, "/help")).await;
    assert_eq!(hook.telegram.sent_texts().len(), sent, "a banned user gets nothing");

    hook.deliver(&private_text(4, &admin, "/admin unban 9300")).await;
    hook.deliver(&private_text(5, &bob, "/help")).await;
    assert!(hook.telegram.last_text().contains("What I can do"));

    hook.deliver(&private_text(6, &admin, "/admin tier 9300 pro")).await;
    assert_eq!(hook.store().get_user(TelegramId(9300)).await.unwrap().unwrap().tier, Tier::Pro);
    hook.deliver(&private_text(7, &admin, "/admin user 9300")).await;
    let card = hook.telegram.last_text();
    assert!(
        card.contains("(<code>9300</code>)") && card.contains("pro") && card.contains("active"),
        "{card}"
    );
    hook.deliver(&private_text(8, &admin, "/admin ban 9999")).await;
    assert_eq!(hook.telegram.last_text(), "Admins cannot be banned.");
    hook.deliver(&private_text(9, &admin, "/admin tier 4242 pro")).await;
    assert_eq!(hook.telegram.last_text(), "No user 4242.");

    hook.deliver(&private_text(10, &admin, "/admin audit")).await;
    let log = hook.telegram.last_text();
    let lines: Vec<&str> = log.lines().skip(1).collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert!(lines[0].ends_with(&format!("<code>{ADMIN}</code> user → <code>9300</code>")), "{log}");
    assert!(lines[1].contains("tier → <code>9300</code> (pro)"), "{log}");
    assert!(
        lines[2].contains("unban → <code>9300</code>") && lines[3].contains("ban → <code>9300</code>"),
        "{log}"
    );
}

#[tokio::test]
async fn a_confirmed_broadcast_reaches_every_active_user_once_within_telegrams_limits() {
    use linklet::ports::Store;
    use linklet_tests::{Failure, updates::button_tap_on};

    let hook = Webhook::start_with(|name| match name {
        "ADMIN_TELEGRAM_IDS" => Some(ADMIN.to_string()),
        "BROADCAST_PER_SECOND" => Some("5000".into()),
        "BROADCAST_PAGE" => Some("400".into()),
        _ => None,
    })
    .await;
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(hook.store());
    register(&hook, 20_000..21_000).await;
    for id in 20_000..20_010 {
        store.mark_blocked(TelegramId(id), chrono::Utc::now()).await.unwrap();
    }
    let admin = Person::english(ADMIN);
    let text = "Hello <everyone> & welcome to v2!";
    hook.deliver(&private_text(1, &admin, &format!("/admin broadcast {text}"))).await;
    let preview = hook.telegram.successful("sendMessage").last().unwrap().clone();
    assert_eq!(preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "adm:bc:go");
    assert!(
        hook.telegram
            .successful("sendMessage")
            .iter()
            .all(|m| m["text"] != "Hello &lt;everyone&gt; &amp; welcome to v2!")
    );

    // Someone else's tap does nothing.
    let shown = format!("📣 Send this to every active user?\n\n{text}");
    hook.deliver(&button_tap_on(2, &Person::english(20_500), 77, &shown, "adm:bc:go")).await;
    assert_eq!(hook.queue_depth(&hook.integration_queue.url).await, 0);

    hook.telegram.fail_next("sendMessage", Failure::TooManyRequests { retry_after: 1 });
    hook.telegram.fail_next("sendMessage", Failure::Blocked);
    hook.deliver(&button_tap_on(3, &admin, 77, &shown, "adm:bc:go")).await;
    assert_eq!(
        hook.telegram.successful("editMessageText").last().unwrap()["text"],
        "📣 Broadcast started; progress follows here."
    );

    let jobs = hook.jobs_function().await;
    let mut polls = 0;
    while hook.queue_depth(&hook.integration_queue.url).await > 0 && polls < 20 {
        let (_, failed) = hook.run_jobs(&jobs, &hook.integration_queue).await;
        assert!(failed.is_empty());
        polls += 1;
    }
    let delivered: Vec<i64> = hook
        .telegram
        .successful("sendMessage")
        .iter()
        .filter(|m| m["text"] == "Hello &lt;everyone&gt; &amp; welcome to v2!")
        .map(|m| m["chat_id"].as_i64().unwrap())
        .collect();
    let distinct: std::collections::HashSet<i64> = delivered.iter().copied().collect();
    // 1,000 users and the admin, less 10 who had blocked the bot and 1 who blocks it now.
    assert_eq!((delivered.len(), distinct.len()), (990, 990));
    let throttled = hook.telegram.calls().iter().filter(|c| c.method == "sendMessage" && !c.ok).count();
    assert_eq!(throttled, 2, "the 429 was waited out, the 403 counted");
    let reports: Vec<String> =
        hook.telegram.sent_texts().into_iter().filter(|t| t.starts_with("📣 Broadcast")).collect();
    assert_eq!(reports.last().unwrap(), "📣 Broadcast finished: 990 sent, 11 blocked the bot, 0 failed.");
    assert!(reports.iter().any(|r| r.contains("in progress")), "{reports:?}");
    let audit = hook.store().recent_audit(5).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].detail.as_str()), ("broadcast", "33 characters"));
}
