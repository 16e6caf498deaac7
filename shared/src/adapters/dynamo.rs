//! The store on DynamoDB: one table, keys and expressions written here, once.
//! `docs/data-model.md` lists every item and access pattern.

use std::{collections::HashMap, time::Duration};

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::update_item::builders::UpdateItemFluentBuilder,
    types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure},
};
use chrono::{DateTime, Utc};

use super::records::{COMPLETED, ClaimRecord, IN_PROGRESS, UserRecord};
use crate::domain::{SeenUser, TelegramId, UpdateId, User, UserPatch};
use crate::ports::{Claim, StoreError, UpdateClaims, Users};

type Item = HashMap<String, AttributeValue>;

/// The DynamoDB store; cheap to clone (the SDK client is shared).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn user_key(id: TelegramId) -> [(&'static str, AttributeValue); 2] {
    [("pk", s(format!("USER#{}", id.0))), ("sk", s("PROFILE"))]
}

fn update_key(id: UpdateId) -> [(&'static str, AttributeValue); 2] {
    [("pk", s(format!("UPDATE#{}", id.0))), ("sk", s("UPDATE"))]
}

fn with_key(
    mut builder: UpdateItemFluentBuilder,
    key: [(&str, AttributeValue); 2],
) -> UpdateItemFluentBuilder {
    for (name, value) in key {
        builder = builder.key(name, value);
    }
    builder
}

/// Sorts an SDK failure: throttling, server errors and the network are transient.
fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().map(str::to_owned);
    let text = DisplayErrorContext(&err).to_string();
    match code.as_deref() {
        Some("ValidationException" | "SerializationException") => StoreError::Corrupt(text),
        _ => StoreError::Unavailable(text),
    }
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

fn user_from_item(item: Item) -> Result<User, StoreError> {
    let record: UserRecord = serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    User::try_from(record)
}

#[async_trait]
impl Users for DynamoStore {
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        let mut set = vec![
            "entity = :entity",
            "telegram_id = :id",
            "first_name = :first_name",
            "updated_at = :now",
            "created_at = if_not_exists(created_at, :now)",
            "subscription_tier = if_not_exists(subscription_tier, :free)",
            "gsi1pk = if_not_exists(gsi1pk, :tier_pk)",
            "gsi1sk = :user_sk",
        ];
        let mut remove = Vec::new();
        let mut request = with_key(self.client.update_item().table_name(&self.table), user_key(seen.id))
            .expression_attribute_values(":entity", s("user"))
            .expression_attribute_values(":id", n(seen.id.0))
            .expression_attribute_values(":first_name", s(&seen.first_name))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":free", s("free"))
            .expression_attribute_values(":tier_pk", s("TIER#free"))
            .expression_attribute_values(":user_sk", s(format!("USER#{}", seen.id.0)));
        match &seen.username {
            Some(username) => {
                set.push("username = :username");
                request = request.expression_attribute_values(":username", s(username));
            }
            None => remove.push("username"),
        }
        match &seen.language_code {
            Some(code) => {
                set.push("language_code = :language_code");
                request = request.expression_attribute_values(":language_code", s(code));
            }
            None => remove.push("language_code"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let output = request
            .update_expression(expression)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(store_error)?;
        let item = output.attributes.ok_or_else(|| StoreError::Corrupt("no attributes returned".into()))?;
        user_from_item(item)
    }

    async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        let [(pk, pk_value), (sk, sk_value)] = user_key(id);
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(pk, pk_value)
            .key(sk, sk_value)
            .send()
            .await
            .map_err(store_error)?;
        output.item.map(user_from_item).transpose()
    }

    async fn patch_user(
        &self,
        id: TelegramId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let mut set = vec!["updated_at = :now"];
        let mut remove = Vec::new();
        let mut request = with_key(self.client.update_item().table_name(&self.table), user_key(id))
            .expression_attribute_values(":now", s(now.to_rfc3339()));
        if let Some(language) = patch.language {
            set.push("#language = :language");
            request = request
                .expression_attribute_names("#language", "language")
                .expression_attribute_values(":language", s(language.code()));
        }
        if let Some(timezone) = patch.timezone {
            set.push("#timezone = :timezone");
            request = request
                .expression_attribute_names("#timezone", "timezone")
                .expression_attribute_values(":timezone", s(timezone.name()));
        }
        match patch.awaiting {
            Some(Some(awaiting)) => {
                set.push("awaiting = :awaiting");
                request = request.expression_attribute_values(":awaiting", s(awaiting.code()));
            }
            Some(None) => remove.push("awaiting"),
            None => {}
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let result = request
            .update_expression(expression)
            .condition_expression("attribute_exists(pk)")
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => {
                let item =
                    output.attributes.ok_or_else(|| StoreError::Corrupt("no attributes returned".into()))?;
                user_from_item(item)
            }
            Err(e) if is_condition_failure(&e) => Err(StoreError::NotFound(format!("user {}", id.0))),
            Err(e) => Err(store_error(e)),
        }
    }
}

#[async_trait]
impl UpdateClaims for DynamoStore {
    async fn claim_update(
        &self,
        id: UpdateId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let now_s = now.timestamp();
        let lease_until = now_s + lease.as_secs() as i64;
        let mut request = self.client.put_item().table_name(&self.table);
        for (name, value) in update_key(id) {
            request = request.item(name, value);
        }
        let result = request
            .item("status", s(IN_PROGRESS))
            .item("lease_until", n(lease_until))
            .item("expires_at", n(lease_until + 25 * 3600))
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at <= :now \
                 OR (#status = :in_progress AND lease_until <= :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", n(now_s))
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Acquired),
            Err(e) if is_condition_failure(&e) => {
                let old = e.as_service_error().and_then(|se| match se {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(
                        c,
                    ) => c.item().cloned(),
                    _ => None,
                });
                let record: Option<ClaimRecord> = old.and_then(|item| serde_dynamo::from_item(item).ok());
                // Without the old item, the safe reading is "someone else has it".
                Ok(record.and_then(|r| r.blocks(now_s)).unwrap_or(Claim::InProgress))
            }
            Err(e) => Err(store_error(e)),
        }
    }

    async fn complete_update(
        &self,
        id: UpdateId,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        with_key(self.client.update_item().table_name(&self.table), update_key(id))
            .update_expression("SET #status = :completed, expires_at = :expires")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":completed", s(COMPLETED))
            .expression_attribute_values(":expires", n(now.timestamp() + keep.as_secs() as i64))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn release_update(&self, id: UpdateId) -> Result<(), StoreError> {
        let mut request = self.client.delete_item().table_name(&self.table);
        for (name, value) in update_key(id) {
            request = request.key(name, value);
        }
        let result = request
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}
