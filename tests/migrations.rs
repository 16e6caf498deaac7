//! The migrations runner against moto: creates what is missing, records it, and
//! applying twice changes nothing.

use aws_sdk_dynamodb::types::{BillingMode, TimeToLiveStatus};
use linklet::migrations::{self, MIGRATIONS};

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
