//! Re-encrypting every stored credential under the vault's current key, after
//! a rotation (`linklet reencrypt`): users are walked a page at a time.

use super::admin::for_each_user;
use crate::{
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
    let mut users = Vec::new();
    for_each_user(store, |row| {
        users.push(row.user.id);
        true
    })
    .await?;
    let mut report = Reencrypted::default();
    for user in users {
        for mut integration in store.list_integrations(user).await? {
            report.checked += 1;
            let service = integration.service.code();
            match keys.open(user, service, &integration.sealed) {
                Ok((_, false)) => {}
                Ok((credential, true)) => {
                    integration.sealed = keys.seal(user, service, &credential).map_err(|e| {
                        StoreError::Corrupt(format!("could not seal under the current key: {e}"))
                    })?;
                    store.put_integration(user, &integration).await?;
                    report.reencrypted += 1;
                }
                Err(e) => {
                    tracing::error!(user = user.0, service, error = %e, "credential not readable");
                    report.unreadable += 1;
                }
            }
        }
    }
    Ok(report)
}
