//! The migrations runner: applies the numbered files of `migrations/` to a
//! DynamoDB table, once each, and records what it applied in the table itself
//! (`pk = "MIGRATION"`, `sk = <file name>`).

use std::time::Duration;

use aws_sdk_dynamodb::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata},
    types::{
        AttributeDefinition, AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction,
        GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType,
        PointInTimeRecoverySpecification, Projection, ProjectionType, ScalarAttributeType, TableStatus,
        TimeToLiveSpecification,
    },
};
use chrono::Utc;
use serde::Deserialize;

use super::{tier_index, username_key};
use crate::domain::{TelegramId, Tier};
use tracing::info;

/// A migration file, embedded at build time so every binary carries them.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub source: &'static str,
}

/// Every file of `migrations/`, in order (a test checks the folder matches).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_create_table",
        source: include_str!("../../../../migrations/0001_create_table.json"),
    },
    Migration {
        name: "0002_users_index",
        source: include_str!("../../../../migrations/0002_users_index.json"),
    },
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Plan {
    #[allow(dead_code)]
    description: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Step {
    CreateTable {
        partition_key: String,
        sort_key: String,
        indexes: Vec<Index>,
    },
    EnableTtl {
        attribute: String,
    },
    EnablePointInTimeRecovery {},
    /// A new global secondary index on an existing table (one per step, as DynamoDB asks).
    AddIndex(Index),
    /// Rewrites existing items for a new key design, by name (idempotent).
    Backfill {
        name: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    name: String,
    partition_key: String,
    sort_key: String,
    /// `ALL`, `KEYS_ONLY`, or `INCLUDE` with `include`.
    projection: String,
    #[serde(default)]
    include: Vec<String>,
}

impl Index {
    fn gsi(&self) -> Result<GlobalSecondaryIndex, String> {
        let mut projection =
            Projection::builder().projection_type(ProjectionType::from(self.projection.as_str()));
        for name in &self.include {
            projection = projection.non_key_attributes(name);
        }
        GlobalSecondaryIndex::builder()
            .index_name(&self.name)
            .key_schema(key(&self.partition_key, KeyType::Hash)?)
            .key_schema(key(&self.sort_key, KeyType::Range)?)
            .projection(projection.build())
            .build()
            .map_err(|e| e.to_string())
    }
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, String> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| e.to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("migration {name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("migration {name} failed: {reason}")]
    Failed { name: &'static str, reason: String },
}

const MIGRATION_PK: &str = "MIGRATION";

/// Applies the migrations not yet recorded on `table`; returns the names applied.
pub async fn apply(client: &Client, table: &str) -> Result<Vec<&'static str>, MigrationError> {
    apply_these(client, table, MIGRATIONS).await
}

/// Applies those of `migrations` not yet recorded on `table`, in order: a
/// table as an earlier release left it is `MIGRATIONS[..n]`.
pub async fn apply_these(
    client: &Client,
    table: &str,
    migrations: &[Migration],
) -> Result<Vec<&'static str>, MigrationError> {
    let applied = applied(client, table).await;
    let mut done = Vec::new();
    for migration in migrations {
        if applied.iter().any(|name| name == migration.name) {
            continue;
        }
        let plan: Plan = serde_json::from_str(migration.source)
            .map_err(|e| MigrationError::Invalid { name: migration.name, reason: e.to_string() })?;
        let fail = |reason: String| MigrationError::Failed { name: migration.name, reason };
        for step in &plan.steps {
            run_step(client, table, step).await.map_err(fail)?;
        }
        client
            .put_item()
            .table_name(table)
            .item("pk", AttributeValue::S(MIGRATION_PK.into()))
            .item("sk", AttributeValue::S(migration.name.into()))
            .item("applied_at", AttributeValue::S(Utc::now().to_rfc3339()))
            .send()
            .await
            .map_err(|e| fail(DisplayErrorContext(e).to_string()))?;
        info!(migration = migration.name, table, "migration applied");
        done.push(migration.name);
    }
    Ok(done)
}

/// The names recorded as applied; none when the table does not exist yet.
pub async fn applied(client: &Client, table: &str) -> Vec<String> {
    let result = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(MIGRATION_PK.into()))
        .consistent_read(true)
        .send()
        .await;
    let Ok(output) = result else { return Vec::new() };
    output.items().iter().filter_map(|item| item.get("sk")?.as_s().ok().cloned()).collect()
}

async fn run_step(client: &Client, table: &str, step: &Step) -> Result<(), String> {
    let sdk = |e: &dyn std::fmt::Display| e.to_string();
    match step {
        Step::CreateTable { partition_key, sort_key, indexes } => {
            match client.describe_table().table_name(table).send().await {
                Ok(_) => return Ok(()),
                Err(e) if e.code() == Some("ResourceNotFoundException") => {}
                Err(e) => return Err(sdk(&DisplayErrorContext(e))),
            }
            let mut create = client
                .create_table()
                .table_name(table)
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(key(partition_key, KeyType::Hash)?)
                .key_schema(key(sort_key, KeyType::Range)?);
            let mut attributes = vec![partition_key.as_str(), sort_key.as_str()];
            for index in indexes {
                attributes.extend([index.partition_key.as_str(), index.sort_key.as_str()]);
                create = create.global_secondary_indexes(index.gsi()?);
            }
            for name in attributes {
                create = create.attribute_definitions(string_attribute(name)?);
            }
            create.send().await.map_err(|e| sdk(&DisplayErrorContext(e)))?;
            wait_active(client, table).await
        }
        Step::EnableTtl { attribute } => {
            let current = client
                .describe_time_to_live()
                .table_name(table)
                .send()
                .await
                .map_err(|e| sdk(&DisplayErrorContext(e)))?;
            let enabled = current.time_to_live_description().is_some_and(|d| {
                d.attribute_name() == Some(attribute.as_str())
                    && d.time_to_live_status().is_some_and(|s| s.as_str() == "ENABLED")
            });
            if enabled {
                return Ok(());
            }
            let spec = TimeToLiveSpecification::builder()
                .attribute_name(attribute)
                .enabled(true)
                .build()
                .map_err(|e| sdk(&e))?;
            client
                .update_time_to_live()
                .table_name(table)
                .time_to_live_specification(spec)
                .send()
                .await
                .map_err(|e| sdk(&DisplayErrorContext(e)))?;
            Ok(())
        }
        Step::AddIndex(index) => {
            let described = client.describe_table().table_name(table).send().await;
            let described = described.map_err(|e| sdk(&DisplayErrorContext(e)))?;
            let exists = described.table().is_some_and(|t| {
                t.global_secondary_indexes().iter().any(|i| i.index_name() == Some(&index.name))
            });
            if !exists {
                let gsi = index.gsi()?;
                let create = CreateGlobalSecondaryIndexAction::builder()
                    .index_name(&index.name)
                    .set_key_schema(Some(gsi.key_schema))
                    .set_projection(gsi.projection)
                    .build()
                    .map_err(|e| sdk(&e))?;
                client
                    .update_table()
                    .table_name(table)
                    .attribute_definitions(string_attribute(&index.partition_key)?)
                    .attribute_definitions(string_attribute(&index.sort_key)?)
                    .global_secondary_index_updates(
                        GlobalSecondaryIndexUpdate::builder().create(create).build(),
                    )
                    .send()
                    .await
                    .map_err(|e| sdk(&DisplayErrorContext(e)))?;
            }
            wait_index_active(client, table, &index.name).await
        }
        Step::Backfill { name } => match name.as_str() {
            "users_index" => backfill_users_index(client, table).await,
            other => Err(format!("no backfill named {other}")),
        },
        Step::EnablePointInTimeRecovery {} => {
            let spec = PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build()
                .map_err(|e| sdk(&e))?;
            client
                .update_continuous_backups()
                .table_name(table)
                .point_in_time_recovery_specification(spec)
                .send()
                .await
                .map_err(|e| sdk(&DisplayErrorContext(e)))?;
            Ok(())
        }
    }
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, String> {
    KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(|e| e.to_string())
}

async fn wait_index_active(client: &Client, table: &str, index: &str) -> Result<(), String> {
    for _ in 0..1200 {
        let output = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        let status = output
            .table()
            .and_then(|t| t.global_secondary_indexes().iter().find(|i| i.index_name() == Some(index)))
            .and_then(|i| i.index_status().cloned());
        // moto reports no status; DynamoDB reports CREATING, then ACTIVE.
        if status.is_none_or(|s| s == IndexStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("index {index} of {table} did not become ACTIVE within 10 minutes"))
}

/// Users move from GSI1 (`TIER#<tier>`) to the sharded GSI2, get `seen_at`,
/// and a `USERNAME#<name>` item each: a Scan, once, at deploy time.
async fn backfill_users_index(client: &Client, table: &str) -> Result<(), String> {
    let s = |v: String| AttributeValue::S(v);
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .filter_expression("entity = :user")
            .expression_attribute_values(":user", s("user".into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        for item in page.items() {
            let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
            let (Some(pk), Some(id)) = (text("pk"), item.get("telegram_id").and_then(|v| v.as_n().ok()))
            else {
                continue;
            };
            let Ok(id) = id.parse::<i64>() else { continue };
            let tier = text("subscription_tier").and_then(|t| Tier::from_code(&t)).unwrap_or_default();
            let (tier_pk, tier_sk) = tier_index(TelegramId(id), tier);
            let seen_at = text("updated_at")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map_or(0, |t| t.timestamp());
            client
                .update_item()
                .table_name(table)
                .key("pk", s(pk))
                .key("sk", s("PROFILE".into()))
                .update_expression("SET gsi2pk = :gpk, gsi2sk = :gsk, seen_at = if_not_exists(seen_at, :seen) REMOVE gsi1pk, gsi1sk")
                .expression_attribute_values(":gpk", s(tier_pk))
                .expression_attribute_values(":gsk", s(tier_sk))
                .expression_attribute_values(":seen", AttributeValue::N(seen_at.to_string()))
                .send()
                .await
                .map_err(|e| DisplayErrorContext(e).to_string())?;
            if let Some(username) = text("username") {
                client
                    .put_item()
                    .table_name(table)
                    .set_item(Some(username_key(&username)))
                    .item("user_id", AttributeValue::N(id.to_string()))
                    .send()
                    .await
                    .map_err(|e| DisplayErrorContext(e).to_string())?;
            }
        }
        match page.last_evaluated_key {
            Some(key) => start = Some(key),
            None => return Ok(()),
        }
    }
}

async fn wait_active(client: &Client, table: &str) -> Result<(), String> {
    for _ in 0..120 {
        let output = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())?;
        if output.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("table {table} did not become ACTIVE within a minute"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_folder_is_listed_in_order_and_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .map(|n| n.trim_end_matches(".json").to_owned())
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
        for m in MIGRATIONS {
            let plan: Plan = serde_json::from_str(m.source).unwrap();
            assert!(!plan.steps.is_empty(), "{}", m.name);
        }
    }
}
