//! The store on DynamoDB: one table, keys and expressions written here, once.
//! `docs/data-model.md` lists every item and access pattern.

mod assistant;
mod claims;
mod directory;
mod integrations;
pub mod migrations;
mod reminders;
mod tasks;
mod users;
mod workflows;

pub(crate) use users::{tier_index, username_key};

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::update_item::builders::UpdateItemFluentBuilder,
    types::AttributeValue,
};

use crate::adapters::records::UserRecord;
use crate::domain::{TelegramId, User};
use crate::ports::{ClaimKey, StoreError};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The DynamoDB store; cheap to clone (the SDK client is shared).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// Every item `query` returns, page after page, until `cap` items (if any) are read.
    pub(crate) async fn query_all(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        cap: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = query.clone().set_exclusive_start_key(start).send().await.map_err(store_error)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() || cap.is_some_and(|cap| items.len() >= cap) {
                return Ok(items);
            }
        }
    }

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

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A time as stored in string attributes (`due_at`): RFC 3339 in UTC with `Z`,
/// exactly as serde writes it, so conditions can compare for equality.
pub(crate) fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn user_key(id: TelegramId) -> [(&'static str, AttributeValue); 2] {
    [("pk", s(format!("USER#{}", id.0))), ("sk", s("PROFILE"))]
}

/// The key of `user`'s profile item, as an item.
pub(crate) fn profile_key(user: TelegramId) -> Item {
    user_item_key(user, "PROFILE".into())
}

/// A conditional write's outcome: true when written, false when its condition failed.
pub(crate) fn conditional<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_condition_failure(&e) => Ok(false),
        Err(e) => Err(store_error(e)),
    }
}

/// The key of an item in `user`'s partition.
pub(crate) fn user_item_key(user: TelegramId, sk: String) -> Item {
    HashMap::from([("pk".to_owned(), s(format!("USER#{}", user.0))), ("sk".to_owned(), s(sk))])
}

pub(crate) fn claim_key(key: &ClaimKey) -> [(&'static str, AttributeValue); 2] {
    [("pk", s(key.as_str())), ("sk", s("CLAIM"))]
}

pub(crate) fn with_key(
    mut builder: UpdateItemFluentBuilder,
    key: [(&str, AttributeValue); 2],
) -> UpdateItemFluentBuilder {
    for (name, value) in key {
        builder = builder.key(name, value);
    }
    builder
}

/// Sorts an SDK failure: throttling, server errors and the network are transient.
pub(crate) fn store_error<E, R>(err: SdkError<E, R>) -> StoreError
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

pub(crate) fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

pub(crate) fn user_from_item(item: Item) -> Result<User, StoreError> {
    let record: UserRecord = serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    User::try_from(record)
}
