//! Users on DynamoDB: `USER#<id>` / `PROFILE`.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};

use super::{DynamoStore, is_condition_failure, n, s, store_error, user_from_item, user_key, with_key};
use crate::domain::{SeenUser, TelegramId, User, UserPatch};
use crate::ports::{StoreError, Users};

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
        // Writing again means the user unblocked the bot.
        let mut remove = vec!["blocked_at"];
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
        if let Some(tier) = patch.tier {
            set.push("subscription_tier = :tier");
            set.push("gsi1pk = :tier_pk");
            request = request
                .expression_attribute_values(":tier", s(tier.code()))
                .expression_attribute_values(":tier_pk", s(format!("TIER#{}", tier.code())));
        }
        match patch.banned {
            Some(true) => set.push("banned_at = :now"),
            Some(false) => remove.push("banned_at"),
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
