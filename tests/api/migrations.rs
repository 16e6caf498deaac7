//! The migrations runner against moto: creates what is missing, records it, and
//! applying twice changes nothing.

use aws_sdk_dynamodb::types::{BillingMode, TimeToLiveStatus};
use linklet::adapters::dynamo::migrations::{self, MIGRATIONS};

#[tokio::test]
async fn applying_twice_changes_nothing() {
    let aws = linklet_tests::aws_config().await;
    let client = linklet::adapters::aws::dynamodb(&aws);
    let table = linklet_tests::unique("migrate");

    let first = migrations::apply(&client, &table).await.unwrap();
    let second = migrations::apply(&client, &table).await.unwrap();

    let all: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
    assert_eq!(first, all);
    assert!(second.is_empty(), "{second:?}");
    let mut recorded = migrations::applied(&client, &table).await;
    recorded.sort();
    assert_eq!(recorded, all);
}

#[tokio::test]
async fn the_first_migration_creates_the_table_the_data_model_describes() {
    let aws = linklet_tests::aws_config().await;
    let (client, table) = linklet_tests::fresh_table(&aws).await;

    let described = client.describe_table().table_name(&table).send().await.unwrap();
    let t = described.table().unwrap();
    let keys: Vec<(&str, &str)> =
        t.key_schema().iter().map(|k| (k.attribute_name(), k.key_type().as_str())).collect();
    assert_eq!(keys, [("pk", "HASH"), ("sk", "RANGE")]);
    assert_eq!(t.billing_mode_summary().and_then(|b| b.billing_mode()), Some(&BillingMode::PayPerRequest));
    let gsi = &t.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("GSI1"));

    let ttl = client.describe_time_to_live().table_name(&table).send().await.unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

/// 0002 on a table an earlier release filled: its users, listed then on GSI1
/// under `TIER#<tier>`, are listed on the sharded GSI2 afterwards, found by
/// @username, readable, and gone from GSI1 (which the due index keeps alone).
#[tokio::test]
async fn the_users_backfill_moves_an_earlier_releases_users_to_the_sharded_index() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use linklet::{
        domain::{TelegramId, Tier},
        ports::{Directory, Users},
    };

    let aws = linklet_tests::aws_config().await;
    let client = linklet::adapters::aws::dynamodb(&aws);
    let table = linklet_tests::unique("backfill");
    migrations::apply_these(&client, &table, &MIGRATIONS[..1]).await.unwrap();
    let s = |v: &str| AttributeValue::S(v.to_owned());
    // Users as the release before 0002 wrote them.
    for (id, tier, username) in [(501, "free", Some("Old_Timer")), (502, "pro", None), (503, "free", None)] {
        let mut put = client
            .put_item()
            .table_name(&table)
            .item("pk", s(&format!("USER#{id}")))
            .item("sk", s("PROFILE"))
            .item("entity", s("user"))
            .item("telegram_id", AttributeValue::N(id.to_string()))
            .item("first_name", s("Old"))
            .item("created_at", s("2026-01-05T10:00:00+00:00"))
            .item("updated_at", s("2026-11-30T08:00:00+00:00"))
            .item("subscription_tier", s(tier))
            .item("gsi1pk", s(&format!("TIER#{tier}")))
            .item("gsi1sk", s(&format!("USER#{id}")));
        if let Some(name) = username {
            put = put.item("username", s(name));
        }
        put.send().await.unwrap();
    }
    let store = linklet::adapters::dynamo::DynamoStore::new(client.clone(), &table);

    let applied = migrations::apply(&client, &table).await.unwrap();
    assert_eq!(applied, ["0002_users_index"]);

    let ids = |rows: Vec<linklet::ports::UserRow>| rows.iter().map(|r| r.user.id.0).collect::<Vec<_>>();
    let mut free = ids(store.users_page(Tier::Free, None, 10).await.unwrap().rows);
    free.sort();
    assert_eq!(free, [501, 503]);
    assert_eq!(ids(store.users_page(Tier::Pro, None, 10).await.unwrap().rows), [502]);
    assert_eq!(store.find_username("old_timer").await.unwrap(), Some(TelegramId(501)));
    assert_eq!(store.find_username("@OLD_TIMER").await.unwrap(), Some(TelegramId(501)));
    let user = store.get_user(TelegramId(502)).await.unwrap().unwrap();
    assert_eq!((user.tier, user.first_name.as_str()), (Tier::Pro, "Old"));
    let on_gsi1 = client
        .scan()
        .table_name(&table)
        .index_name("GSI1")
        .send()
        .await
        .unwrap()
        .items()
        .iter()
        .filter(|item| item.get("entity") == Some(&s("user")))
        .count();
    assert_eq!(on_gsi1, 0, "users left the due index's GSI");
}
