//! The stored credentials as a whole: how many are sealed under which key
//! (`linklet sealed`, before a key is ever created), and re-encrypting them
//! all under the vault's current key after a rotation (`linklet reencrypt`).
//! Users are walked a page at a time.

use std::collections::BTreeMap;

use super::admin::for_each_user;
use crate::{
    domain::TelegramId,
    ports::{Directory, Integrations, StoreError},
    vault::{KeyRing, sealed_key_id},
};

/// How many credentials are sealed, under which key id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Census {
    pub total: u64,
    pub by_key: BTreeMap<String, u64>,
}

impl Census {
    /// How many are sealed under another key than `current`.
    pub fn under_other_keys(&self, current: &str) -> u64 {
        self.by_key.iter().filter(|(id, _)| id.as_str() != current).map(|(_, n)| n).sum()
    }
}

/// What a re-encryption pass did, and where the credentials stand after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reencrypted {
    pub checked: u64,
    pub reencrypted: u64,
    /// Records that no key of the ring opens (left as they are, logged).
    pub unreadable: u64,
    pub after: Census,
}

async fn users(store: &(impl Directory + ?Sized)) -> Result<Vec<TelegramId>, StoreError> {
    let mut users = Vec::new();
    for_each_user(store, |row| {
        users.push(row.user.id);
        true
    })
    .await?;
    Ok(users)
}

pub async fn census(store: &(impl Directory + Integrations + ?Sized)) -> Result<Census, StoreError> {
    let mut census = Census::default();
    for user in users(store).await? {
        for integration in store.list_integrations(user).await? {
            census.total += 1;
            let id = sealed_key_id(&integration.sealed).unwrap_or("?").to_owned();
            *census.by_key.entry(id).or_default() += 1;
        }
    }
    Ok(census)
}

pub async fn reencrypt_all(
    store: &(impl Directory + Integrations + ?Sized),
    keys: &KeyRing,
) -> Result<Reencrypted, StoreError> {
    let mut report = Reencrypted::default();
    for user in users(store).await? {
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
            let id = sealed_key_id(&integration.sealed).unwrap_or("?").to_owned();
            *report.after.by_key.entry(id).or_default() += 1;
            report.after.total += 1;
        }
    }
    Ok(report)
}
