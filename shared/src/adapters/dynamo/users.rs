//! Users on DynamoDB: `USER#<id>` / `PROFILE`, listed by tier through the
//! sharded GSI2, and found by @username through `USERNAME#<name>` items.

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    operation::update_item::UpdateItemError,
    types::{ReturnValue, ReturnValuesOnConditionCheckFailure},
};
use chrono::{DateTime, Utc};

use super::{DynamoStore, Item, is_condition_failure, n, s, store_error, user_from_item, user_key, with_key};
use crate::domain::{SeenUser, TelegramId, Tier, User, UserPatch, assistant::QuotaUse};
use crate::ports::{RateCount, RateCounter, StoreError, Users};

/// Shards of the users' index: one tier's users spread over this many partitions.
pub const USER_SHARDS: i64 = 16;

/// How often an unchanged user is written again (`updated_at`, what the
/// admin's "active" counts read): not on every update.
const REFRESH_EVERY: i64 = 3600;

/// The users' index keys (GSI2, which projects only what the admin views
/// read): `TIER#<tier>#<shard>` / `USER#<id>`.
pub(crate) fn tier_index(id: TelegramId, tier: Tier) -> (String, String) {
    (format!("TIER#{}#{:02}", tier.code(), id.0.rem_euclid(USER_SHARDS)), format!("USER#{}", id.0))
}

/// A username's lookup item: `USERNAME#<lowercase name>` / `USER`.
pub(crate) fn username_key(username: &str) -> Item {
    Item::from([
        ("pk".to_owned(), s(format!("USERNAME#{}", username.to_lowercase()))),
        ("sk".to_owned(), s("USER")),
    ])
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

/// The user, and how many updates its current window of `counter` counted.
fn counted(item: Item, counter: RateCounter) -> Result<(User, u32), StoreError> {
    let used = number(&item, counter.attributes().1).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    Ok((user_from_item(item)?, used))
}

impl DynamoStore {
    /// The common case in one conditional write: a known user, unchanged and
    /// refreshed within the hour, under the limit in the current window, is
    /// counted (attributes no index projects). Otherwise the old item, if any.
    async fn count_known(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<Result<(User, u32), Option<Item>>, StoreError> {
        let (window, used) = rate.counter.attributes();
        let mut condition = vec![
            "#rate_window = :window",
            "#rate_used < :limit",
            "seen_at > :stale",
            "first_name = :first_name",
            "attribute_not_exists(blocked_at)",
        ];
        let mut request = with_key(self.client.update_item().table_name(&self.table), user_key(seen.id))
            .update_expression("ADD #rate_used :one")
            .expression_attribute_names("#rate_window", window)
            .expression_attribute_names("#rate_used", used)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":window", s(rate.window))
            .expression_attribute_values(":limit", n(i64::from(rate.limit)))
            .expression_attribute_values(":stale", n(now.timestamp() - REFRESH_EVERY))
            .expression_attribute_values(":first_name", s(&seen.first_name));
        match &seen.username {
            Some(username) => {
                condition.push("username = :username");
                request = request.expression_attribute_values(":username", s(username));
            }
            None => condition.push("attribute_not_exists(username)"),
        }
        match &seen.language_code {
            Some(code) => {
                condition.push("language_code = :language_code");
                request = request.expression_attribute_values(":language_code", s(code));
            }
            None => condition.push("attribute_not_exists(language_code)"),
        }
        let result = request
            .condition_expression(condition.join(" AND "))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => {
                let item =
                    output.attributes.ok_or_else(|| StoreError::Corrupt("no attributes returned".into()))?;
                Ok(Ok(counted(item, rate.counter)?))
            }
            Err(e) if is_condition_failure(&e) => {
                let old = e.as_service_error().and_then(|se| match se {
                    UpdateItemError::ConditionalCheckFailedException(c) => c.item().cloned(),
                    _ => None,
                });
                Ok(Err(old))
            }
            Err(e) => Err(store_error(e)),
        }
    }

    /// Registers the user or writes what changed, and counts the update
    /// (`rate` = `None`: not counted). `Ok(None)` when `old` is stale (a race):
    /// the caller reads again.
    async fn refresh(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: Option<&RateCount<'_>>,
        old: Option<&Item>,
    ) -> Result<Option<(User, u32)>, StoreError> {
        let tier =
            old.and_then(|o| text(o, "subscription_tier")).and_then(Tier::from_code).unwrap_or_default();
        let (tier_pk, tier_sk) = tier_index(seen.id, tier);
        let mut set = vec![
            "entity = :entity",
            "telegram_id = :id",
            "first_name = :first_name",
            "updated_at = :now",
            "seen_at = :now_s",
            "created_at = if_not_exists(created_at, :now)",
            "subscription_tier = if_not_exists(subscription_tier, :free)",
            "gsi2pk = if_not_exists(gsi2pk, :tier_pk)",
            "gsi2sk = :tier_sk",
        ];
        // Writing again means the user unblocked the bot; the users' index is GSI2 now.
        let mut remove = vec!["blocked_at", "gsi1pk", "gsi1sk"];
        let mut request = with_key(self.client.update_item().table_name(&self.table), user_key(seen.id))
            .expression_attribute_values(":entity", s("user"))
            .expression_attribute_values(":id", n(seen.id.0))
            .expression_attribute_values(":first_name", s(&seen.first_name))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":now_s", n(now.timestamp()))
            .expression_attribute_values(":free", s(Tier::Free.code()))
            .expression_attribute_values(":tier_pk", s(tier_pk))
            .expression_attribute_values(":tier_sk", s(tier_sk));
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
        let mut add = None;
        if let Some(rate) = rate {
            let (window, used) = rate.counter.attributes();
            let same_window = old.and_then(|o| text(o, window)) == Some(rate.window);
            request = request
                .expression_attribute_names("#rate_window", window)
                .expression_attribute_names("#rate_used", used)
                .expression_attribute_values(":window", s(rate.window))
                .expression_attribute_values(":one", n(1));
            if same_window {
                add = Some("#rate_used :one");
                request = request
                    .condition_expression("#rate_window = :window AND #rate_used = :used")
                    .expression_attribute_values(":used", n(old.and_then(|o| number(o, used)).unwrap_or(0)));
            } else {
                set.push("#rate_window = :window");
                set.push("#rate_used = :one");
                request = request.condition_expression(match old {
                    Some(_) => "attribute_exists(pk) AND (attribute_not_exists(#rate_window) OR #rate_window <> :window)",
                    None => "attribute_not_exists(pk)",
                });
            }
        }
        let mut expression = format!("SET {} REMOVE {}", set.join(", "), remove.join(", "));
        if let Some(add) = add {
            expression.push_str(&format!(" ADD {add}"));
        }
        let result = request.update_expression(expression).return_values(ReturnValue::AllNew).send().await;
        let user = match result {
            Ok(output) => {
                let item =
                    output.attributes.ok_or_else(|| StoreError::Corrupt("no attributes returned".into()))?;
                counted(item, rate.map_or(RateCounter::Messages, |r| r.counter))?
            }
            Err(e) if is_condition_failure(&e) => return Ok(None),
            Err(e) => return Err(store_error(e)),
        };
        let before = old.and_then(|o| text(o, "username"));
        if before.map(str::to_lowercase) != seen.username.as_deref().map(str::to_lowercase) {
            self.move_username(seen.id, before, seen.username.as_deref()).await?;
        }
        Ok(Some(user))
    }

    /// Points `@to` at the user and `@from` at nobody (if it still points at them).
    pub(super) async fn move_username(
        &self,
        id: TelegramId,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(to) = to {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(username_key(to)))
                .item("user_id", n(id.0))
                .send()
                .await
                .map_err(store_error)?;
        }
        if let Some(from) = from {
            let result = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(username_key(from)))
                .condition_expression("user_id = :id")
                .expression_attribute_values(":id", n(id.0))
                .send()
                .await;
            if let Err(e) = result
                && !is_condition_failure(&e)
            {
                return Err(store_error(e));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Users for DynamoStore {
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        for _ in 0..3 {
            let [(pk, pk_value), (sk, sk_value)] = user_key(seen.id);
            let output = self
                .client
                .get_item()
                .table_name(&self.table)
                .key(pk, pk_value)
                .key(sk, sk_value)
                .consistent_read(true)
                .send()
                .await
                .map_err(store_error)?;
            let old = output.item;
            if let Some((user, _)) = self.refresh(seen, now, None, old.as_ref()).await? {
                return Ok(user);
            }
        }
        Err(StoreError::Unavailable("the user kept changing".into()))
    }

    async fn see(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<(User, QuotaUse), StoreError> {
        let mut known = self.count_known(seen, now, rate).await?;
        for _ in 0..3 {
            let old = match known {
                Ok((user, used)) => return Ok((user, QuotaUse::Granted { used })),
                Err(old) => old,
            };
            let exhausted = old.as_ref().is_some_and(|o| {
                let (window, used) = rate.counter.attributes();
                text(o, window) == Some(rate.window) && number(o, used).unwrap_or(0) >= i64::from(rate.limit)
            });
            if let (true, Some(old)) = (exhausted, old.clone()) {
                return Ok((user_from_item(old)?, QuotaUse::Exhausted));
            }
            if let Some((user, used)) = self.refresh(seen, now, Some(rate), old.as_ref()).await? {
                return Ok((user, QuotaUse::Granted { used }));
            }
            // Another update of the same user won the race: read where it left things.
            known = self.count_known(seen, now, rate).await?;
        }
        Err(StoreError::Unavailable("the user kept changing".into()))
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
            set.push("gsi2pk = :tier_pk");
            request = request
                .expression_attribute_values(":tier", s(tier.code()))
                .expression_attribute_values(":tier_pk", s(tier_index(id, tier).0));
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
