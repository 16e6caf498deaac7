//! Idempotency claims on the embedded store.

#[allow(clippy::wildcard_imports)]
use super::*;

#[async_trait]
impl Claims for EmbeddedStore {
    async fn claim(&self, key: &ClaimKey, now: DateTime<Utc>, lease: Duration) -> Result<Claim, StoreError> {
        let now_s = now.timestamp();
        let key = key.as_str().to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(CLAIMS).map_err(unavailable)?;
            let existing = match table.get(key.as_str()).map_err(unavailable)? {
                Some(bytes) => Some(serde_json::from_slice::<ClaimRecord>(bytes.value()).map_err(corrupt)?),
                None => None,
            };
            if let Some(found) = existing.as_ref().and_then(|r| r.blocks(now_s)) {
                return Ok(found);
            }
            let claim = existing.as_ref().map_or(Claim::Acquired, |r| r.taken_over(now_s));
            let lease_until = now_s + lease.as_secs() as i64;
            let record = ClaimRecord {
                status: IN_PROGRESS.into(),
                lease_until,
                expires_at: lease_until + 25 * 3600,
                // Kept until completion, in case this holder crashes too.
                note: match &claim {
                    Claim::Resumed(note) => Some(note.clone()),
                    _ => None,
                },
            };
            let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
            table.insert(key.as_str(), bytes.as_slice()).map_err(unavailable)?;
            Ok(claim)
        })
        .await
    }

    async fn complete_claim(
        &self,
        key: &ClaimKey,
        now: DateTime<Utc>,
        keep: Duration,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let record = ClaimRecord {
            status: COMPLETED.into(),
            lease_until: 0,
            expires_at: now.timestamp() + keep.as_secs() as i64,
            note: note.map(str::to_owned),
        };
        self.put_claim(key, record).await
    }

    async fn park_claim(
        &self,
        key: &ClaimKey,
        note: &str,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let record = ClaimRecord {
            status: PARKED.into(),
            lease_until: 0,
            expires_at: now.timestamp() + keep.as_secs() as i64,
            note: Some(note.to_owned()),
        };
        self.put_claim(key, record).await
    }

    async fn release_claim(&self, key: &ClaimKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(CLAIMS).map_err(unavailable)?;
            let in_progress = match table.get(key.as_str()).map_err(unavailable)? {
                Some(bytes) => serde_json::from_slice::<ClaimRecord>(bytes.value())
                    .is_ok_and(|r| r.status == IN_PROGRESS),
                None => false,
            };
            if in_progress {
                table.remove(key.as_str()).map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }
}
