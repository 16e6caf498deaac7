//! Quotas and the assistant's memory on the embedded store.

#[allow(clippy::wildcard_imports)]
use super::*;

#[async_trait]
impl Quotas for EmbeddedStore {
    async fn take_quota(
        &self,
        user: TelegramId,
        what: &str,
        window: &str,
        limit: u32,
        expires_at: DateTime<Utc>,
    ) -> Result<QuotaUse, StoreError> {
        let name = format!("{what}#{window}");
        self.write(move |txn| {
            let mut table = txn.open_table(QUOTAS).map_err(unavailable)?;
            let used = match table.get((user.0, name.as_str())).map_err(unavailable)? {
                Some(bytes) => serde_json::from_slice::<Counted>(bytes.value()).map_err(corrupt)?.used,
                None => 0,
            };
            if used >= limit {
                return Ok(QuotaUse::Exhausted);
            }
            let bytes = serde_json::to_vec(&Counted { used: used + 1, expires_at }).map_err(corrupt)?;
            table.insert((user.0, name.as_str()), bytes.as_slice()).map_err(unavailable)?;
            Ok(QuotaUse::Granted { used: used + 1 })
        })
        .await
    }
}

#[async_trait]
impl Conversations for EmbeddedStore {
    async fn recent_turns(&self, user: TelegramId, now: DateTime<Utc>) -> Result<Vec<Turn>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            load_memory(&txn.open_table(CONVERSATIONS).map_err(unavailable)?, user, now)
        })
        .await
        .map_err(unavailable)?
    }

    async fn append_turns(
        &self,
        user: TelegramId,
        turns: &[Turn],
        bound: MemoryBound,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let turns = turns.to_vec();
        let now = turns.last().map_or_else(Utc::now, |t| t.at);
        self.write(move |txn| {
            let mut table = txn.open_table(CONVERSATIONS).map_err(unavailable)?;
            let mut kept = load_memory(&table, user, now)?;
            kept.extend(turns);
            bound.apply(&mut kept);
            let bytes = serde_json::to_vec(&Memory { turns: kept, expires_at }).map_err(corrupt)?;
            table.insert(user.0, bytes.as_slice()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn forget_turns(&self, user: TelegramId) -> Result<(), StoreError> {
        self.write(move |txn| {
            txn.open_table(CONVERSATIONS).map_err(unavailable)?.remove(user.0).map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}
