//! Re-encrypting every stored credential under the vault's current key, after
//! a rotation (`linklet reencrypt`): users are walked a page at a time.

use crate::{
    domain::{TelegramId, Tier},
    ports::{Store, StoreError},
    vault::KeyRing,
};

/// What a re-encryption pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reencrypted {
    pub checked: u64,
    pub reencrypted: u64,
    /// Records that no key of the ring opens (left as they are, logged).
    pub unreadable: u64,
}

pub async fn reencrypt_all(store: &dyn Store, keys: &KeyRing) -> Result<Reencrypted, StoreError> {
    let mut report = Reencrypted::default();
    for tier in [Tier::Free, Tier::Pro] {
        let mut after: Option<TelegramId> = None;
        loop {
            let page = store.users_page(tier, after, 200).await?;
            for row in &page.rows {
                for mut integration in store.list_integrations(row.user.id).await? {
                    report.checked += 1;
                    let service = integration.service.code();
                    match keys.open(row.user.id, service, &integration.sealed) {
                        Ok((_, false)) => {}
                        Ok((credential, true)) => {
                            integration.sealed =
                                keys.seal(row.user.id, service, &credential).map_err(|e| {
                                    StoreError::Corrupt(format!("could not seal under the current key: {e}"))
                                })?;
                            store.put_integration(row.user.id, &integration).await?;
                            report.reencrypted += 1;
                        }
                        Err(e) => {
                            tracing::error!(user = row.user.id.0, service, error = %e, "credential not readable");
                            report.unreadable += 1;
                        }
                    }
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(report)
}
