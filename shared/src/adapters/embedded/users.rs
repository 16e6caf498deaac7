//! Users on the embedded store: registration, the arrival of each update
//! with its rate count, settings.

#[allow(clippy::wildcard_imports)]
use super::*;

#[async_trait]
impl Users for EmbeddedStore {
    async fn upsert_seen(&self, seen: &SeenUser, now: DateTime<Utc>) -> Result<User, StoreError> {
        let seen = seen.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(USERS).map_err(unavailable)?;
            let user = match load_user(&table, seen.id)? {
                Some(existing) => User {
                    username: seen.username,
                    first_name: seen.first_name,
                    language_code: seen.language_code,
                    blocked_at: None,
                    updated_at: now,
                    ..existing
                },
                None => User {
                    id: seen.id,
                    username: seen.username,
                    first_name: seen.first_name,
                    language_code: seen.language_code,
                    language: None,
                    timezone: None,
                    tier: Tier::Free,
                    awaiting: None,
                    blocked_at: None,
                    banned_at: None,
                    workflow_triggers: Vec::new(),
                    created_at: now,
                    updated_at: now,
                },
            };
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
    }

    async fn see(
        &self,
        seen: &SeenUser,
        now: DateTime<Utc>,
        rate: &RateCount<'_>,
    ) -> Result<(User, QuotaUse), StoreError> {
        // One person's machine: two local transactions cost nothing worth folding.
        let user = self.upsert_seen(seen, now).await?;
        let counted = self
            .take_quota(
                user.id,
                rate.counter.name(),
                rate.window,
                rate.limit,
                now + chrono::Duration::days(1),
            )
            .await?;
        Ok((user, counted))
    }

    async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load_user(&txn.open_table(USERS).map_err(unavailable)?, id)
        })
        .await
        .map_err(unavailable)?
    }

    async fn patch_user(
        &self,
        id: TelegramId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let patch = patch.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(USERS).map_err(unavailable)?;
            let mut user =
                load_user(&table, id)?.ok_or_else(|| StoreError::NotFound(format!("user {}", id.0)))?;
            if let Some(language) = patch.language {
                user.language = Some(language);
            }
            if let Some(timezone) = patch.timezone {
                user.timezone = Some(timezone);
            }
            if let Some(awaiting) = patch.awaiting {
                user.awaiting = awaiting;
            }
            if let Some(tier) = patch.tier {
                user.tier = tier;
            }
            if let Some(banned) = patch.banned {
                user.banned_at = banned.then_some(now);
            }
            user.updated_at = now;
            save_user(&mut table, &user)?;
            Ok(user)
        })
        .await
    }
}
