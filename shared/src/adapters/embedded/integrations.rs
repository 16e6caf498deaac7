//! Connected services on the embedded store: `integrations`: (user, service)
//! → the connection as JSON, the credential sealed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{EmbeddedStore, corrupt, unavailable};
use crate::domain::{
    TelegramId,
    integration::{Service, StoredIntegration},
};
use crate::ports::{Integrations, StoreError};

pub(super) const INTEGRATIONS: TableDefinition<(i64, &str), &[u8]> = TableDefinition::new("integrations");

#[derive(Serialize, Deserialize)]
struct Record {
    service_name: String,
    credentials: String,
    is_active: bool,
    connected_at: DateTime<Utc>,
}

fn decode(bytes: &[u8]) -> Result<StoredIntegration, StoreError> {
    let r: Record = serde_json::from_slice(bytes).map_err(corrupt)?;
    Ok(StoredIntegration {
        service: Service::from_code(&r.service_name)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown service {:?}", r.service_name)))?,
        sealed: r.credentials,
        is_active: r.is_active,
        connected_at: r.connected_at,
    })
}

#[async_trait]
impl Integrations for EmbeddedStore {
    async fn put_integration(
        &self,
        user: TelegramId,
        integration: &StoredIntegration,
    ) -> Result<(), StoreError> {
        let record = Record {
            service_name: integration.service.code().to_owned(),
            credentials: integration.sealed.clone(),
            is_active: integration.is_active,
            connected_at: integration.connected_at,
        };
        let bytes = serde_json::to_vec(&record).map_err(corrupt)?;
        let service = integration.service.code();
        self.write(move |txn| {
            let mut table = txn.open_table(INTEGRATIONS).map_err(unavailable)?;
            table.insert((user.0, service), bytes.as_slice()).map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn get_integration(
        &self,
        user: TelegramId,
        service: Service,
    ) -> Result<Option<StoredIntegration>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(INTEGRATIONS).map_err(unavailable)?;
            let found = table.get((user.0, service.code())).map_err(unavailable)?;
            found.map(|bytes| decode(bytes.value())).transpose()
        })
        .await
        .map_err(unavailable)?
    }

    async fn list_integrations(&self, user: TelegramId) -> Result<Vec<StoredIntegration>, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(unavailable)?;
            let table = txn.open_table(INTEGRATIONS).map_err(unavailable)?;
            let mut found = Vec::new();
            for entry in table.range((user.0, "")..).map_err(unavailable)? {
                let (key, bytes) = entry.map_err(unavailable)?;
                if key.value().0 != user.0 {
                    break;
                }
                found.push(decode(bytes.value())?);
            }
            Ok(found)
        })
        .await
        .map_err(unavailable)?
    }

    async fn delete_integration(&self, user: TelegramId, service: Service) -> Result<bool, StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(INTEGRATIONS).map_err(unavailable)?;
            let removed = table.remove((user.0, service.code())).map_err(unavailable)?.is_some();
            Ok(removed)
        })
        .await
    }
}
