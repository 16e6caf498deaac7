//! DESIGN.md's budget: at most two DynamoDB round trips for a plain command
//! besides the update claim (the rate-limit count travels with the first),
//! and one Telegram call per reply. The requests are counted where they
//! leave: an interceptor on the AWS SDK client ([`DynamoRequests`]).

use std::{sync::Arc, time::Duration};

use linklet::{
    adapters::{dynamo::DynamoStore, telegram::TelegramMessenger},
    bot::{Dispatched, Dispatcher},
    services::Deps,
};
use linklet_tests::{
    DynamoRequests, FakeTelegram,
    updates::{Person, private_text},
};

#[tokio::test]
async fn start_help_and_profile_cost_the_claim_two_dynamodb_requests_and_one_telegram_call() {
    // Issue 9.18: /help cost 4 requests (claim, upsert, rate-limit count, completion).
    let aws = linklet_tests::aws_config().await;
    let (_, table) = linklet_tests::fresh_table(&aws).await;
    let requests = DynamoRequests::default();
    let store = Arc::new(DynamoStore::new(requests.client(&aws), table));
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
        let before = fake.calls().len();
        assert_eq!(dispatcher.dispatch(&update).await.unwrap(), Dispatched::Handled);
        assert_eq!(fake.calls().len() - before, 1, "{command}: one Telegram call per reply");
        counts.push(requests.take());
    }
    // A new user, once: the claim, the failed fast path, the registration, their
    // @username's lookup item, the completion.
    assert_eq!(
        counts[0],
        ["UpdateItem", "UpdateItem", "UpdateItem", "PutItem", "UpdateItem"],
        "{:?}",
        counts[0]
    );
    // Known and unchanged: the claim, one conditional write carrying the user
    // and the rate-limit count, the completion (two round trips besides the claim).
    for sent in &counts[1..] {
        assert_eq!(sent, &["UpdateItem"; 3], "{sent:?}");
    }
}
