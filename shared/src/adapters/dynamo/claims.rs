//! Idempotency claims on DynamoDB: `UPDATE#<update_id>` or `JOB#<job id>`
//! (a job, an assistant tool call, a broadcast recipient: see `ClaimKey`) / `CLAIM`, with TTL.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    operation::update_item::UpdateItemError,
    types::{ReturnValue, ReturnValuesOnConditionCheckFailure},
};
use chrono::{DateTime, Utc};

use super::{DynamoStore, claim_key, is_condition_failure, n, s, store_error, with_key};
use crate::adapters::records::{COMPLETED, ClaimRecord, IN_PROGRESS, PARKED};
use crate::ports::{Claim, ClaimKey, Claims, StoreError};

#[async_trait]
impl Claims for DynamoStore {
    async fn claim(&self, key: &ClaimKey, now: DateTime<Utc>, lease: Duration) -> Result<Claim, StoreError> {
        let now_s = now.timestamp();
        let lease_until = now_s + lease.as_secs() as i64;
        // An update, not a put: a parked record's note stays on it until completion.
        let result = with_key(self.client.update_item().table_name(&self.table), claim_key(key))
            .update_expression("SET #status = :in_progress, lease_until = :lease, expires_at = :expires")
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at <= :now OR #status = :parked \
                 OR (#status = :in_progress AND lease_until <= :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", n(now_s))
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .expression_attribute_values(":parked", s(PARKED))
            .expression_attribute_values(":lease", n(lease_until))
            .expression_attribute_values(":expires", n(lease_until + 25 * 3600))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => {
                let old: Option<ClaimRecord> =
                    output.attributes.and_then(|item| serde_dynamo::from_item(item).ok());
                Ok(old.map_or(Claim::Acquired, |r| r.taken_over(now_s)))
            }
            Err(e) if is_condition_failure(&e) => {
                let old = e.as_service_error().and_then(|se| match se {
                    UpdateItemError::ConditionalCheckFailedException(c) => c.item().cloned(),
                    _ => None,
                });
                let record: Option<ClaimRecord> = old.and_then(|item| serde_dynamo::from_item(item).ok());
                // Without the old item, the safe reading is "someone else has it".
                Ok(record.and_then(|r| r.blocks(now_s)).unwrap_or(Claim::InProgress))
            }
            Err(e) => Err(store_error(e)),
        }
    }

    async fn complete_claim(
        &self,
        key: &ClaimKey,
        now: DateTime<Utc>,
        keep: Duration,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let request = with_key(self.client.update_item().table_name(&self.table), claim_key(key))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":completed", s(COMPLETED))
            .expression_attribute_values(":expires", n(now.timestamp() + keep.as_secs() as i64));
        let request = match note {
            Some(note) => request
                .update_expression("SET #status = :completed, expires_at = :expires, note = :note")
                .expression_attribute_values(":note", s(note)),
            None => request.update_expression("SET #status = :completed, expires_at = :expires REMOVE note"),
        };
        request.send().await.map_err(store_error)?;
        Ok(())
    }

    async fn park_claim(
        &self,
        key: &ClaimKey,
        note: &str,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        with_key(self.client.update_item().table_name(&self.table), claim_key(key))
            .update_expression(
                "SET #status = :parked, lease_until = :zero, expires_at = :expires, note = :note",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":parked", s(PARKED))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":expires", n(now.timestamp() + keep.as_secs() as i64))
            .expression_attribute_values(":note", s(note))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn release_claim(&self, key: &ClaimKey) -> Result<(), StoreError> {
        let mut request = self.client.delete_item().table_name(&self.table);
        for (name, value) in claim_key(key) {
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
